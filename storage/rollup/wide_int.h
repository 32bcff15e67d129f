// WideInt<N>: a fixed-width two's-complement integer of N 64-bit limbs, the
// engine behind ExactSum and ExactSumSquares. It adds and subtracts small
// integers shifted left (the mantissas of floats), converts to the nearest
// double (ties to even) and has a compact byte encoding. Integer addition is
// exact and associative, so any order of additions gives the same bits.
//
// Byte encoding (a value's sign and magnitude, only the non-zero bytes):
//   wide := varint n                                  n = 0: the value is 0
//         | [varint (lo << 1 | negative) | n bytes]   if n > 0
//   The n bytes are the magnitude's bytes lo .. lo+n-1 (little-endian byte
//   order); the first and the last are non-zero and lo + n <= 8·N.
//
// Thread safety: a plain value; a const object may be read from many threads.
#ifndef SREDB_STORAGE_ROLLUP_WIDE_INT_H_
#define SREDB_STORAGE_ROLLUP_WIDE_INT_H_

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/internal/coding.h"

namespace sredb::rollup::detail {

template <size_t N>
class WideInt {
 public:
  static constexpr int kBits = static_cast<int>(64 * N);
  static constexpr int kBytes = static_cast<int>(8 * N);

  // Adds m·2^shift. REQUIRES: 0 <= shift and shift / 64 + 1 < N.
  void AddShifted(uint64_t m, int shift) {
    const int i = shift / 64, off = shift % 64;
    AddWords(i, m << off, off == 0 ? 0 : m >> (64 - off));
  }
  // Subtracts m·2^shift. REQUIRES: as AddShifted.
  void SubShifted(uint64_t m, int shift) {
    const int i = shift / 64, off = shift % 64;
    SubWords(i, m << off, off == 0 ? 0 : m >> (64 - off));
  }
  // Adds `o` (modulo 2^kBits; callers keep values far from overflow).
  void Add(const WideInt& o) {
    uint64_t carry = 0;
    for (size_t j = 0; j < N; ++j) {
      const uint64_t a = limbs_[j], b = o.limbs_[j];
      const uint64_t s = a + b;
      const uint64_t t = s + carry;
      carry = static_cast<uint64_t>(s < a) + static_cast<uint64_t>(t < s);
      limbs_[j] = t;
    }
  }

  bool IsNegative() const { return (limbs_[N - 1] >> 63) != 0; }
  bool IsZero() const {
    for (uint64_t l : limbs_) {
      if (l != 0) return false;
    }
    return true;
  }
  WideInt Negated() const {
    WideInt r;
    for (size_t j = 0; j < N; ++j) r.limbs_[j] = ~limbs_[j];
    r.AddShifted(1, 0);
    return r;
  }

  // This value times 2^lsb_exp, rounded to the nearest double, ties to even.
  // REQUIRES: !IsNegative(); the result and 2^lsb_exp are normal doubles.
  double ToDouble(int lsb_exp) const {
    const int p = HighestBit();
    if (p < 0) return 0.0;
    if (p < 53) return std::ldexp(static_cast<double>(limbs_[0]), lsb_exp);
    const int low = p - 52;  // the 53 bits kept are low .. p
    uint64_t top = BitsAt(low) & ((uint64_t{1} << 53) - 1);
    const bool half = (BitsAt(low - 1) & 1) != 0;
    const bool sticky = AnyBitBelow(low - 1);
    if (half && (sticky || (top & 1) != 0)) ++top;  // may reach 2^53: exact
    return std::ldexp(static_cast<double>(top), low + lsb_exp);
  }

  void AppendTo(std::string* dst) const {
    const bool negative = IsNegative();
    const WideInt mag = negative ? Negated() : *this;
    int lo = 0, hi = kBytes - 1;
    while (lo < kBytes && mag.Byte(lo) == 0) ++lo;
    while (hi >= lo && mag.Byte(hi) == 0) --hi;
    internal::PutVarint64(dst, static_cast<uint64_t>(hi - lo + 1));
    if (hi < lo) return;
    internal::PutVarint64(dst, (static_cast<uint64_t>(lo) << 1) | (negative ? 1 : 0));
    for (int j = lo; j <= hi; ++j) dst->push_back(static_cast<char>(mag.Byte(j)));
  }

  // Reads one value, advancing `*in`. False when truncated, out of range
  // or not in the canonical form AppendTo writes.
  bool DecodeFrom(std::string_view* in) {
    uint64_t n = 0, head = 0;
    if (!internal::GetVarint64(in, &n)) return false;
    limbs_ = {};
    if (n == 0) return true;
    if (!internal::GetVarint64(in, &head)) return false;
    const uint64_t lo = head >> 1, size = kBytes;
    if (n > size || lo > size - n || in->size() < n) return false;
    const auto* p = reinterpret_cast<const uint8_t*>(in->data());
    if (p[0] == 0 || p[n - 1] == 0) return false;
    for (uint64_t j = 0; j < n; ++j) {
      limbs_[(lo + j) / 8] |= static_cast<uint64_t>(p[j]) << (8 * ((lo + j) % 8));
    }
    in->remove_prefix(n);
    if (IsNegative()) return false;  // magnitude must fit the signed range
    if ((head & 1) != 0) *this = Negated();
    return true;
  }

  friend bool operator==(const WideInt&, const WideInt&) = default;

 private:
  void AddWords(int i, uint64_t lo, uint64_t hi) {
    const uint64_t s = limbs_[i] + lo;
    uint64_t carry = s < lo;
    limbs_[i] = s;
    const uint64_t t = limbs_[i + 1] + hi;
    const uint64_t u = t + carry;
    carry = static_cast<uint64_t>(t < hi) + static_cast<uint64_t>(u < t);
    limbs_[i + 1] = u;
    for (size_t j = i + 2; carry != 0 && j < N; ++j) carry = (++limbs_[j] == 0);
  }
  void SubWords(int i, uint64_t lo, uint64_t hi) {
    uint64_t borrow = limbs_[i] < lo;
    limbs_[i] -= lo;
    const uint64_t t = limbs_[i + 1];
    const uint64_t u = t - hi;
    const uint64_t next =
        static_cast<uint64_t>(t < hi) + static_cast<uint64_t>(u < borrow);
    limbs_[i + 1] = u - borrow;
    borrow = next;
    for (size_t j = i + 2; borrow != 0 && j < N; ++j) borrow = (limbs_[j]-- == 0);
  }
  int HighestBit() const {
    for (int j = static_cast<int>(N) - 1; j >= 0; --j) {
      if (limbs_[j] != 0) return 64 * j + 63 - std::countl_zero(limbs_[j]);
    }
    return -1;
  }
  // The 64 bits starting at bit `pos` (bits past the top read as zero).
  uint64_t BitsAt(int pos) const {
    const size_t i = pos / 64;
    const int off = pos % 64;
    uint64_t v = limbs_[i] >> off;
    if (off != 0 && i + 1 < N) v |= limbs_[i + 1] << (64 - off);
    return v;
  }
  bool AnyBitBelow(int pos) const {
    const int i = pos / 64, off = pos % 64;
    for (int j = 0; j < i; ++j) {
      if (limbs_[j] != 0) return true;
    }
    return off != 0 && (limbs_[i] & ((uint64_t{1} << off) - 1)) != 0;
  }
  uint8_t Byte(int j) const {
    return static_cast<uint8_t>(limbs_[j / 8] >> (8 * (j % 8)));
  }

  std::array<uint64_t, N> limbs_{};
};

}  // namespace sredb::rollup::detail

#endif  // SREDB_STORAGE_ROLLUP_WIDE_INT_H_
