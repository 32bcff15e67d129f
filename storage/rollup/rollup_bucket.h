// RollupBucket: the aggregates of one series' events in one time bucket
// (1 minute or 1 hour), from which counts, ratios, sums, min, max and
// stddev are answered exactly and quantiles within 1% (DESIGN.md,
// "Exactness contract").
//
// Every figure is an integer or an exact sum, so a bucket built from a set
// of events is the same value — and encodes to the same bytes — whatever
// the order in which the events arrived and whatever tree of Merge calls
// combined partial buckets: late events merge into an existing bucket, and
// sixty minute buckets merge into exactly the hour bucket built directly.
//
// Integer sums are kept modulo 2^64 (well-defined wrap-around, still order
// independent); they are exact while the true sum stays below 2^63, e.g.
// below 9.2e12 USD of cost per bucket.
//
// The record layout is at the top of rollup_bucket.cc.
//
// Thread safety: a plain value; a const object may be read from many threads.
#ifndef SREDB_STORAGE_ROLLUP_ROLLUP_BUCKET_H_
#define SREDB_STORAGE_ROLLUP_ROLLUP_BUCKET_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/event.h"
#include "storage/rollup/exact_sum.h"
#include "storage/rollup/latency_sketch.h"
#include "storage/status.h"

namespace sredb::rollup {

// The record version this code writes; it also reads version 1.
inline constexpr uint8_t kRollupBucketVersion = 2;

// Sum, min and max of an integer column every event carries. min and max
// mean something only when the bucket's count > 0 (they are 0 otherwise).
struct IntStats {
  int64_t sum = 0;  // modulo 2^64, see above
  int64_t min = 0;
  int64_t max = 0;

  // `first`: v is the bucket's first value.
  void Add(int64_t v, bool first);
  // REQUIRES: both sides hold at least one value.
  void Merge(const IntStats& o);
  friend bool operator==(const IntStats&, const IntStats&) = default;
};

// Count, exact sum, min and max of a nullable float column (ttft_ms,
// user_rating). min and max are 0 when count = 0, and never -0.0.
struct FloatStats {
  uint64_t count = 0;
  ExactSum sum;
  float min = 0;
  float max = 0;

  // REQUIRES: x is finite.
  void Add(float x);
  void Merge(const FloatStats& o);
  friend bool operator==(const FloatStats&, const FloatStats&) = default;
};

struct RollupBucket {
  uint64_t count = 0;  // events
  uint64_t good = 0;   // events with success = true
  IntStats cost_micros;
  IntStats tokens_in;
  IntStats tokens_out;
  IntStats policy_violations;
  IntStats tool_calls;
  IntStats tool_failures;
  // latency_ms, present in every event: exact sum and sum of squares (for
  // avg and stddev); the sketch also holds the exact count, min and max.
  ExactSum latency_sum;
  ExactSumSquares latency_sum_squares;
  LatencySketch latency;
  FloatStats ttft_ms;
  FloatStats user_rating;
  uint64_t hallucinated_true = 0;   // evaluated events judged hallucinated
  uint64_t hallucinated_false = 0;  // evaluated events judged not; unknown is neither

  // Adds one event. REQUIRES: ValidateEvent(e).ok().
  void AddEvent(const Event& e);
  // Adds every event `o` holds. `o` may be *this.
  void Merge(const RollupBucket& o);

  float latency_min() const { return latency.min(); }
  float latency_max() const { return latency.max(); }

  // Appends the record (layout in rollup_bucket.cc).
  void AppendTo(std::string* dst) const;
  // Reads a record written by AppendTo (of version 1 or 2), advancing `*in`. Corruption
  // when the bytes are truncated, malformed or inconsistent, NotSupported for an unknown
  // version; *this is then empty. Without `with_latency` the latency parts (latency_sum,
  // latency_sum_squares, latency) are checked and skipped, and stay empty: for readers
  // that answer no latency question.
  Status DecodeFrom(std::string_view* in, bool with_latency = true);

  friend bool operator==(const RollupBucket&, const RollupBucket&) = default;

 private:
  // DecodeFrom into an empty bucket; on error *this is partly filled.
  Status DecodeParts(std::string_view* in, bool with_latency);
};

}  // namespace sredb::rollup

#endif  // SREDB_STORAGE_ROLLUP_ROLLUP_BUCKET_H_
