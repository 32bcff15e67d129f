// Exact, order-independent sums of float32 values for rollups.
//
// ExactSum holds the sum of float32 values as a fixed-point integer whose
// unit is 2^-149 (the smallest float32 subnormal): every finite float32 is
// an integer multiple of it below 2^277, so each Add is one exact integer
// addition. 384 bits (6 limbs, two's complement) leave room for 2^64 values
// of any magnitude and sign: no count a uint64 counter can hold overflows.
// ExactSumSquares does the same for x·x, which for a float32 x is an integer
// multiple of 2^-298 below 2^554 (a 48-bit mantissa); 640 bits (10 limbs).
//
// Because integer addition is exact and associative, the sum of a set of
// values is the same bits whatever the order of Add and Merge calls, and
// ToDouble gives the exact sum rounded once to the nearest double (ties to
// even) — what a brute-force scan with exact arithmetic would give.
//
// Encoding: see WideInt (storage/rollup/wide_int.h): only the non-zero bytes
// of the magnitude are written. A sum of thousands of millisecond latencies
// takes 6–10 bytes; zero takes 1.
//
// Thread safety: plain values; a const object may be read from many threads.
#ifndef SREDB_STORAGE_ROLLUP_EXACT_SUM_H_
#define SREDB_STORAGE_ROLLUP_EXACT_SUM_H_

#include <string>
#include <string_view>

#include "storage/rollup/wide_int.h"
#include "storage/status.h"

namespace sredb::rollup {

class ExactSum {
 public:
  // Adds x exactly. REQUIRES: x is finite (non-finite values are ignored).
  // -0.0 and +0.0 both add nothing.
  void Add(float x);
  // Adds every value `o` holds. `o` may be *this.
  void Merge(const ExactSum& o) { acc_.Add(o.acc_); }
  // The exact sum rounded to the nearest double, ties to even; 0.0 when empty.
  double ToDouble() const;
  bool IsZero() const { return acc_.IsZero(); }

  void AppendTo(std::string* dst) const { acc_.AppendTo(dst); }
  // Reads a sum written by AppendTo, advancing `*in`. Corruption when the
  // bytes are truncated or malformed; *this is then zero.
  Status DecodeFrom(std::string_view* in);

  friend bool operator==(const ExactSum&, const ExactSum&) = default;

 private:
  static constexpr int kLsbExponent = -149;
  detail::WideInt<6> acc_;  // the sum in units of 2^-149
};

class ExactSumSquares {
 public:
  // Adds x·x exactly. REQUIRES: x is finite (non-finite values are ignored).
  void Add(float x);
  // Adds every square `o` holds. `o` may be *this.
  void Merge(const ExactSumSquares& o) { acc_.Add(o.acc_); }
  // The exact sum of squares rounded to the nearest double, ties to even.
  double ToDouble() const;
  bool IsZero() const { return acc_.IsZero(); }

  void AppendTo(std::string* dst) const { acc_.AppendTo(dst); }
  // As ExactSum::DecodeFrom; a negative value is also Corruption.
  Status DecodeFrom(std::string_view* in);

  friend bool operator==(const ExactSumSquares&, const ExactSumSquares&) = default;

 private:
  static constexpr int kLsbExponent = -298;
  detail::WideInt<10> acc_;  // the sum in units of 2^-298, never negative
};

}  // namespace sredb::rollup

#endif  // SREDB_STORAGE_ROLLUP_EXACT_SUM_H_
