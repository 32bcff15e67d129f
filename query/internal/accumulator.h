// Accumulators: the running state of one aggregate call over one window for
// one group, fed with raw events (column vectors) and with rollup buckets,
// and turned into a value at the end (query/README.md "Semantics").
//
// Every count and integer sum is exact; float sums go through
// rollup::ExactSum, so an answer does not depend on which tier (raw events,
// 1 min or 1 h buckets) fed it, nor in which order.
//
// Thread safety: plain values, one thread at a time.
#ifndef SREDB_QUERY_INTERNAL_ACCUMULATOR_H_
#define SREDB_QUERY_INTERNAL_ACCUMULATOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "query/ast.h"
#include "storage/reader.h"
#include "storage/rollup/exact_sum.h"
#include "storage/rollup/latency_sketch.h"
#include "storage/rollup/rollup_bucket.h"

namespace sredb::query::internal {

// How a numeric column's values are held.
enum class ValueKind : uint8_t {
  kInt,    // tokens, policy_violations, tool_calls, tool_failures, cost (micro-USD)
  kFloat,  // latency_ms: present in every event
  kNullableFloat,  // ttft_ms, user_rating: NaN where absent
};
ValueKind KindOf(Column c);

// v op x, for comparison predicates and HAVING.
bool Compare(double v, CompareOp op, double x);

// What one aggregate call needs and produces; shared by its accumulators.
struct CallSpec {
  AggregateCall call;
  bool needs_raw = false;        // cannot be answered from rollup buckets
  bool int_result = false;       // INT64 result (count; sum/min/max of integer columns)
  bool collects_values = false;  // keeps every value (an exact quantile)
  FieldMask fields = 0;          // the columns a raw read must fill for it

  explicit CallSpec(const AggregateCall& c);
};

// The result of one accumulator: NULL, an integer or a double.
struct AggValue {
  bool null = true;
  bool is_int = false;
  int64_t i = 0;
  double d = 0;

  static AggValue Null() { return {}; }
  static AggValue Int(int64_t v) { return {false, true, v, 0}; }
  static AggValue Double(double v) { return {false, false, 0, v}; }
  double AsDouble() const { return is_int ? static_cast<double>(i) : d; }
};

class Accumulator {
 public:
  // Adds rows [r0, r1) of `c`, whose filled columns include spec.fields.
  void AddRows(const CallSpec& spec, const Columns& c, size_t r0, size_t r1);
  // Adds one rollup bucket. REQUIRES: !spec.needs_raw.
  void AddBucket(const CallSpec& spec, const rollup::RollupBucket& b);
  // Whether no event reached it (the window is empty for this call).
  bool empty() const { return n_ == 0; }
  // The value; it may reorder the values an exact quantile holds.
  AggValue Finish(const CallSpec& spec) const;
  // Heap bytes held beyond sizeof(Accumulator) (exact quantile values).
  size_t heap_bytes() const;

 private:
  struct Extra {
    rollup::ExactSum fsum;
    rollup::ExactSumSquares fsq;
    rollup::LatencySketch sketch;
    std::vector<double> values;  // exact quantiles (cost in micro-USD)
  };
  Extra& extra();
  void AddMinMax(double v);
  template <typename T>
  void AddIntRows(const CallSpec& spec, const T* v, size_t r0, size_t r1);

  uint64_t n_ = 0;  // events, or values present, or the rate's denominator
  uint64_t k_ = 0;  // the rate's numerator
  __int128 isum_ = 0;
  unsigned __int128 isq_ = 0;
  double min_ = 0;
  double max_ = 0;
  bool has_minmax_ = false;
  std::unique_ptr<Extra> extra_;
};

}  // namespace sredb::query::internal

#endif  // SREDB_QUERY_INTERNAL_ACCUMULATOR_H_
