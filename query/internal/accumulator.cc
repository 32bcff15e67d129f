#include "query/internal/accumulator.h"

#include <algorithm>
#include <cmath>

namespace sredb::query::internal {
namespace {

constexpr double kMicrosPerUsd = 1e6;

// The integer value of an integer column at row r.
int64_t IntAt(Column col, const Columns& c, size_t r) {
  switch (col) {
    case Column::kCostUsd:
      return c.cost_micros[r];
    case Column::kTokensIn:
      return c.tokens_in[r];
    case Column::kTokensOut:
      return c.tokens_out[r];
    case Column::kPolicyViolations:
      return c.policy_violations[r];
    case Column::kToolCalls:
      return c.tool_calls[r];
    case Column::kToolFailures:
      return c.tool_failures[r];
    default:
      return 0;
  }
}

// The float column's vector (latency, ttft, rating).
const std::vector<float>& FloatColumn(Column col, const Columns& c) {
  switch (col) {
    case Column::kTtftMs:
      return c.ttft_ms;
    case Column::kUserRating:
      return c.user_rating;
    default:
      return c.latency_ms;
  }
}

// The rollup statistics of an integer column.
const rollup::IntStats& IntStatsOf(Column col, const rollup::RollupBucket& b) {
  switch (col) {
    case Column::kCostUsd:
      return b.cost_micros;
    case Column::kTokensIn:
      return b.tokens_in;
    case Column::kTokensOut:
      return b.tokens_out;
    case Column::kPolicyViolations:
      return b.policy_violations;
    case Column::kToolCalls:
      return b.tool_calls;
    default:
      return b.tool_failures;
  }
}

const rollup::FloatStats& FloatStatsOf(Column col, const rollup::RollupBucket& b) {
  return col == Column::kTtftMs ? b.ttft_ms : b.user_rating;
}

}  // namespace

bool Compare(double v, CompareOp op, double x) {
  switch (op) {
    case CompareOp::kEq:
      return v == x;
    case CompareOp::kNe:
      return v != x;
    case CompareOp::kLt:
      return v < x;
    case CompareOp::kLe:
      return v <= x;
    case CompareOp::kGt:
      return v > x;
    case CompareOp::kGe:
      return v >= x;
  }
  return false;
}

namespace {

// The predicate at row r: -1 unknown, 0 false, 1 true.
int Evaluate(const Predicate& p, const Columns& c, size_t r) {
  int v;
  if (!p.op) {
    if (p.column == Column::kSuccess) {
      v = c.success[r] != 0;
    } else {
      const Tri h = c.hallucinated[r];
      if (h == Tri::kUnknown) return -1;
      v = h == Tri::kTrue;
    }
  } else {
    double x;
    switch (KindOf(p.column)) {
      case ValueKind::kInt:
        x = static_cast<double>(IntAt(p.column, c, r));
        if (p.column == Column::kCostUsd) x /= kMicrosPerUsd;
        break;
      case ValueKind::kFloat:
      case ValueKind::kNullableFloat: {
        const float f = FloatColumn(p.column, c)[r];
        if (std::isnan(f)) return -1;
        x = f;
        break;
      }
    }
    v = Compare(x, *p.op, p.value);
  }
  return p.negated ? !v : v;
}

}  // namespace

ValueKind KindOf(Column c) {
  switch (c) {
    case Column::kLatencyMs:
      return ValueKind::kFloat;
    case Column::kTtftMs:
    case Column::kUserRating:
      return ValueKind::kNullableFloat;
    default:
      return ValueKind::kInt;
  }
}

CallSpec::CallSpec(const AggregateCall& c) : call(c) {
  switch (c.fn) {
    case AggFn::kCount:
      int_result = true;
      break;
    case AggFn::kRate:
    case AggFn::kBurnRate:
      needs_raw = c.predicate->op.has_value();
      fields = FieldBit(FieldOf(c.predicate->column));
      break;
    case AggFn::kSum:
    case AggFn::kMin:
    case AggFn::kMax:
      int_result = KindOf(*c.column) == ValueKind::kInt && *c.column != Column::kCostUsd;
      fields = FieldBit(FieldOf(*c.column));
      break;
    case AggFn::kAvg:
      fields = FieldBit(FieldOf(*c.column));
      break;
    case AggFn::kStddev:
      needs_raw = *c.column != Column::kLatencyMs;
      fields = FieldBit(FieldOf(*c.column));
      break;
    case AggFn::kQuantile:
      needs_raw = c.exact || *c.column != Column::kLatencyMs;
      collects_values = needs_raw;
      fields = FieldBit(FieldOf(*c.column));
      break;
  }
}

Accumulator::Extra& Accumulator::extra() {
  if (!extra_) extra_ = std::make_unique<Extra>();
  return *extra_;
}

void Accumulator::AddMinMax(double v) {
  if (!has_minmax_ || v < min_) min_ = v;
  if (!has_minmax_ || v > max_) max_ = v;
  has_minmax_ = true;
}

void Accumulator::AddRows(const CallSpec& spec, const Columns& c, size_t r0, size_t r1) {
  const AggregateCall& call = spec.call;
  switch (call.fn) {
    case AggFn::kCount:
      n_ += r1 - r0;
      return;
    case AggFn::kRate:
    case AggFn::kBurnRate:
      for (size_t r = r0; r < r1; ++r) {
        const int v = Evaluate(*call.predicate, c, r);
        if (v < 0) continue;
        ++n_;
        k_ += static_cast<uint64_t>(v);
      }
      return;
    default:
      break;
  }
  const Column col = *call.column;
  const bool want_values = call.fn == AggFn::kQuantile && spec.needs_raw;
  const bool want_sketch = call.fn == AggFn::kQuantile && !spec.needs_raw;
  switch (col) {
    case Column::kCostUsd:
      return AddIntRows(spec, c.cost_micros.data(), r0, r1);
    case Column::kTokensIn:
      return AddIntRows(spec, c.tokens_in.data(), r0, r1);
    case Column::kTokensOut:
      return AddIntRows(spec, c.tokens_out.data(), r0, r1);
    case Column::kPolicyViolations:
      return AddIntRows(spec, c.policy_violations.data(), r0, r1);
    case Column::kToolCalls:
      return AddIntRows(spec, c.tool_calls.data(), r0, r1);
    case Column::kToolFailures:
      return AddIntRows(spec, c.tool_failures.data(), r0, r1);
    default:
      break;
  }
  const std::vector<float>& f = FloatColumn(col, c);
  const bool need_sums =
      call.fn == AggFn::kSum || call.fn == AggFn::kAvg || call.fn == AggFn::kStddev;
  Extra* x = (need_sums || want_values || want_sketch) ? &extra() : nullptr;
  // The sketch skips NaN (absent) values as the loop below does.
  if (want_sketch) x->sketch.AddMany(std::span<const float>(f.data() + r0, r1 - r0));
  for (size_t r = r0; r < r1; ++r) {
    const float v = f[r];
    if (std::isnan(v)) continue;
    AddMinMax(v);
    ++n_;
    if (need_sums) {
      x->fsum.Add(v);
      if (call.fn == AggFn::kStddev) x->fsq.Add(v);
    }
    if (want_values) x->values.push_back(v);
  }
}

template <typename T>
void Accumulator::AddIntRows(const CallSpec& spec, const T* v, size_t r0, size_t r1) {
  const AggFn fn = spec.call.fn;
  if (fn == AggFn::kSum || fn == AggFn::kAvg) {
    // Min and max are kept too (cheap), so every path leaves the same state.
    for (size_t r = r0; r < r1; ++r) {
      const int64_t x = static_cast<int64_t>(v[r]);
      isum_ += x;
      AddMinMax(static_cast<double>(x));
    }
    n_ += r1 - r0;
    return;
  }
  if (spec.collects_values) extra().values.reserve(extra_->values.size() + (r1 - r0));
  for (size_t r = r0; r < r1; ++r) {
    const int64_t x = static_cast<int64_t>(v[r]);
    AddMinMax(static_cast<double>(x));
    isum_ += x;
    if (fn == AggFn::kStddev) {
      isq_ += static_cast<unsigned __int128>(x) * static_cast<unsigned __int128>(x);
    }
    if (spec.collects_values) extra_->values.push_back(static_cast<double>(x));
  }
  n_ += r1 - r0;
}

void Accumulator::AddBucket(const CallSpec& spec, const rollup::RollupBucket& b) {
  const AggregateCall& call = spec.call;
  switch (call.fn) {
    case AggFn::kCount:
      n_ += b.count;
      return;
    case AggFn::kRate:
    case AggFn::kBurnRate: {
      const Predicate& p = *call.predicate;
      uint64_t known, yes;
      if (p.column == Column::kSuccess) {
        known = b.count;
        yes = b.good;
      } else {
        known = b.hallucinated_true + b.hallucinated_false;
        yes = b.hallucinated_true;
      }
      n_ += known;
      k_ += p.negated ? known - yes : yes;
      return;
    }
    default:
      break;
  }
  const Column col = *call.column;
  switch (KindOf(col)) {
    case ValueKind::kInt: {
      if (b.count == 0) return;
      const rollup::IntStats& s = IntStatsOf(col, b);
      AddMinMax(static_cast<double>(s.min));
      AddMinMax(static_cast<double>(s.max));
      n_ += b.count;
      isum_ += s.sum;
      return;
    }
    case ValueKind::kFloat: {
      if (b.count == 0) return;
      AddMinMax(b.latency_min());
      AddMinMax(b.latency_max());
      n_ += b.count;
      if (call.fn == AggFn::kQuantile) {
        extra().sketch.Merge(b.latency);
      } else if (call.fn != AggFn::kMin && call.fn != AggFn::kMax) {
        extra().fsum.Merge(b.latency_sum);
        if (call.fn == AggFn::kStddev) extra_->fsq.Merge(b.latency_sum_squares);
      }
      return;
    }
    case ValueKind::kNullableFloat: {
      const rollup::FloatStats& s = FloatStatsOf(col, b);
      if (s.count == 0) return;
      AddMinMax(s.min);
      AddMinMax(s.max);
      n_ += s.count;
      if (call.fn == AggFn::kSum || call.fn == AggFn::kAvg) extra().fsum.Merge(s.sum);
      return;
    }
  }
}

AggValue Accumulator::Finish(const CallSpec& spec) const {
  const AggregateCall& call = spec.call;
  if (call.fn == AggFn::kCount) return AggValue::Int(static_cast<int64_t>(n_));
  if (n_ == 0) return AggValue::Null();
  const bool cost = call.column == Column::kCostUsd;
  const double scale = cost ? kMicrosPerUsd : 1.0;
  const bool is_int = call.column && KindOf(*call.column) == ValueKind::kInt;
  switch (call.fn) {
    case AggFn::kCount:
      break;
    case AggFn::kRate:
      return AggValue::Double(static_cast<double>(k_) / static_cast<double>(n_));
    case AggFn::kBurnRate: {
      const double rate = static_cast<double>(k_) / static_cast<double>(n_);
      return AggValue::Double((1 - rate) / (1 - call.target));
    }
    case AggFn::kSum:
      if (!is_int) return AggValue::Double(extra_->fsum.ToDouble());
      if (spec.int_result) return AggValue::Int(static_cast<int64_t>(isum_));
      return AggValue::Double(static_cast<double>(isum_) / scale);
    case AggFn::kAvg: {
      const long double sum = is_int ? static_cast<long double>(isum_)
                                     : static_cast<long double>(extra_->fsum.ToDouble());
      return AggValue::Double(static_cast<double>(sum / n_ / scale));
    }
    case AggFn::kMin:
    case AggFn::kMax: {
      const double v = call.fn == AggFn::kMin ? min_ : max_;
      if (spec.int_result) return AggValue::Int(static_cast<int64_t>(v));
      return AggValue::Double(v / scale);
    }
    case AggFn::kStddev: {
      if (n_ < 2) return AggValue::Null();
      long double sum, sq;
      if (is_int) {
        sum = static_cast<long double>(isum_);
        sq = static_cast<long double>(isq_);
      } else {
        sum = extra_->fsum.ToDouble();
        sq = extra_->fsq.ToDouble();
      }
      const long double n = static_cast<long double>(n_);
      long double var = (sq - sum * sum / n) / (n - 1);
      if (var < 0) var = 0;
      return AggValue::Double(static_cast<double>(std::sqrt(var) / scale));
    }
    case AggFn::kQuantile: {
      if (!spec.needs_raw) {
        const std::optional<double> q = extra_->sketch.Quantile(call.q);
        return q ? AggValue::Double(*q) : AggValue::Null();
      }
      std::vector<double>& v = extra_->values;
      const uint64_t k = rollup::NearestRank(call.q, v.size());
      std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(k - 1), v.end());
      return AggValue::Double(v[k - 1] / scale);
    }
  }
  return AggValue::Null();
}

size_t Accumulator::heap_bytes() const {
  if (!extra_) return 0;
  return sizeof(Extra) + extra_->values.capacity() * sizeof(double);
}

}  // namespace sredb::query::internal
