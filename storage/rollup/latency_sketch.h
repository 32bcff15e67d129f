// LatencySketch: a mergeable quantile sketch with relative error <= 1%, in
// the manner of DDSketch (Masson, Rim, Lee, VLDB 2019), for the latency of
// the events in a rollup bucket.
//
// Definition. A value x > 0 goes to bucket i = ceil(ln(x) / ln(gamma)),
// gamma = (1 + a) / (1 - a), so bucket i holds (gamma^(i-1), gamma^i]; its
// estimate is v(i) = 2·gamma^i / (gamma + 1), within a·x of every x in it.
// Values <= 0 go to a zero bucket whose estimate is 0. The sketch keeps the
// exact count, min and max alongside the bucket counts.
//
// Quantile(q) answers nearest rank (QUERY.md): the k-th smallest value,
// k = NearestRank(q, n). It walks the buckets in index order to the one
// holding the k-th value and returns its estimate clamped to [min, max];
// k = 1 and k = n return the exact min and max.
//
// Error bound. For data >= 0 the answer is within kRelativeAccuracy = 1% of
// the exact nearest-rank value. Proof sketch: the index function is
// monotone in x, so the k-th smallest value lies in the bucket where the
// running count first reaches k; the estimate is within a of every value of
// its bucket; clamping to [min, max] only moves it toward the true value.
// The bucket geometry uses a = kBucketAlpha = 0.0099, not 0.01: ln(x) is
// computed with an absolute error below 1e-12 (BucketIndex), so a value
// within 1e-12 of a bucket boundary may land in the neighbouring bucket,
// whose estimate is then off by at most a + 1e-12; and v(i) itself carries a
// rounding error near 1e-15. The margin 0.01 - 0.0099 absorbs both with room
// to spare, so the 1% promise is strict, and costs ~1% more buckets.
//
// Determinism. BucketIndex and BucketValue use only IEEE-754 basic
// operations, frexp and ldexp (exact), and fixed polynomials — no libm
// log/exp/pow, whose last bit varies between C libraries — so the same
// values give the same bytes on every platform without fast-math. Bucket
// counts are integers, so Add and Merge in any order give identical bytes.
//
// Encoding (little-endian; values written by AppendTo):
//   sketch := varint zero_count | varint span
//           | [fixed32 min bits | fixed32 max bits]          if zero_count + span > 0
//           | [varint zigzag(first) | u8 mode | body]        if span > 0
//   span  = last - first + 1, first / last the lowest / highest non-empty bucket
//   body (mode 0, dense)  := span x varint count       first and last non-zero
//   body (mode 1, sparse) := one token per non-empty bucket, in index order:
//     varint ((gap - 1) << 3 | c) | [varint (count - 8) if c = 7]
//     c = min(count - 1, 7); gap = index - previous (previous = first - 1 for
//     the first token); the last token lands on `last`.
//   The encoder picks the shorter body (dense on a tie). count is not
//   stored: it is zero_count plus the bucket counts.
//
// Thread safety: a plain value; a const object may be read from many threads.
#ifndef SREDB_STORAGE_ROLLUP_LATENCY_SKETCH_H_
#define SREDB_STORAGE_ROLLUP_LATENCY_SKETCH_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"

namespace sredb::rollup {

// The nearest rank of quantile q among n values: k = ceil(q·n), clamped to
// [1, n]. q·n within a relative 1e-12 above an integer counts as that
// integer, so that q = 0.07, n = 100 gives 7 although the double nearest
// 0.07 is a little above it. The exact (raw-scan) path must use this same
// function. REQUIRES: n > 0.
uint64_t NearestRank(double q, uint64_t n);

class LatencySketch {
 public:
  static constexpr double kRelativeAccuracy = 0.01;  // the promise
  static constexpr double kBucketAlpha = 0.0099;     // the geometry; see above
  // Bucket indices of positive float32 values lie in [kMinIndex, kMaxIndex].
  static constexpr int32_t kMinIndex = -5300;
  static constexpr int32_t kMaxIndex = 4600;

  // Adds one value. REQUIRES: x is finite (non-finite values are ignored;
  // sredb validates latencies as finite and >= 0). -0.0 counts as +0.0.
  void Add(float x);
  // Adds each of `xs`, as Add does.
  void AddMany(std::span<const float> xs);
  // Adds every value `o` holds. `o` may be *this.
  void Merge(const LatencySketch& o);

  uint64_t count() const { return count_; }
  // The exact smallest / largest value; 0 when empty.
  float min() const { return min_; }
  float max() const { return max_; }
  // The nearest-rank q-quantile within 1% (see above); nullopt when empty.
  std::optional<double> Quantile(double q) const;

  void AppendTo(std::string* dst) const;
  // Reads a sketch written by AppendTo, advancing `*in`. Corruption when
  // the bytes are truncated or malformed; *this is then empty.
  Status DecodeFrom(std::string_view* in);
  // Advances `*in` past a sketch written by AppendTo, keeping nothing (for
  // readers that need no latency). It checks the structure as DecodeFrom
  // does, but not the sum of the bucket counts.
  static Status Skip(std::string_view* in);

  friend bool operator==(const LatencySketch&, const LatencySketch&) = default;

  // The bucket of x. REQUIRES: x > 0 and finite. Equal to
  // BucketIndexByDefinition(x), through a table of the bucket boundaries
  // (each float exponent's part built on first use, by the definition).
  static int32_t BucketIndex(float x);
  // ceil(DeterministicLn(x) / ln(gamma)): the definition, ~20x slower.
  static int32_t BucketIndexByDefinition(float x);
  // The estimate 2·gamma^i / (gamma + 1) of bucket i.
  static double BucketValue(int32_t i);

 private:
  void Increment(int32_t index, uint64_t n);
  void EncodeDense(std::string* dst) const;
  void EncodeSparse(std::string* dst) const;
  size_t SparseSize() const;
  Status Decode(std::string_view* in, bool keep_buckets);
  Status DecodeBuckets(std::string_view* in, int64_t first, uint64_t span,
                       bool keep_buckets);

  // Invariants: count_ = zero_count_ + the sum of counts_; counts_ is empty
  // or its first and last elements are non-zero; min_ <= max_ and both are 0
  // when count_ = 0; min_ and max_ are never -0.0.
  uint64_t count_ = 0;
  uint64_t zero_count_ = 0;  // values <= 0
  float min_ = 0;
  float max_ = 0;
  int32_t offset_ = 0;            // the index of counts_[0]
  std::vector<uint64_t> counts_;  // counts_[j]: values in bucket offset_ + j
};

}  // namespace sredb::rollup

#endif  // SREDB_STORAGE_ROLLUP_LATENCY_SKETCH_H_
