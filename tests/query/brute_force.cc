// The oracle of brute_force.h: every figure from scratch over a filtered
// copy of the event list, in the order query/README.md "Semantics" states.
#include "brute_force.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <map>
#include <regex>
#include <sstream>

#include "query/parser.h"
#include "storage/rfc3339.h"
#include "storage/rollup/latency_sketch.h"

namespace sredb::query::testing {
namespace {

using Events = std::vector<const Event*>;

constexpr int64_t kNsPerSec = 1'000'000'000;

// A half-open window [start, end) of ns.
struct Window {
  int64_t start = std::numeric_limits<int64_t>::min();
  int64_t end = std::numeric_limits<int64_t>::max();
  bool Contains(int64_t t) const { return t >= start && t < end; }
};

Events InWindow(const Events& events, const Window& w) {
  Events out;
  for (const Event* e : events) {
    if (w.Contains(e->time)) out.push_back(e);
  }
  return out;
}

// ------------------------------------------------------------ column values

bool IsIntegerColumn(Column c) {
  return c == Column::kTokensIn || c == Column::kTokensOut ||
         c == Column::kPolicyViolations || c == Column::kToolCalls ||
         c == Column::kToolFailures;
}

// The integer value of an integer column (cost in micro-USD).
int64_t IntValue(Column c, const Event& e) {
  switch (c) {
    case Column::kTokensIn:
      return e.tokens_in;
    case Column::kTokensOut:
      return e.tokens_out;
    case Column::kPolicyViolations:
      return e.policy_violations;
    case Column::kToolCalls:
      return e.tool_calls;
    case Column::kToolFailures:
      return e.tool_failures;
    case Column::kCostUsd:
      return e.cost_micros;
    default:
      return 0;
  }
}

// The float value of a float column, nullopt where absent.
std::optional<float> FloatValue(Column c, const Event& e) {
  switch (c) {
    case Column::kLatencyMs:
      return e.latency_ms;
    case Column::kTtftMs:
      return e.ttft_ms;
    case Column::kUserRating:
      return e.user_rating;
    default:
      return std::nullopt;
  }
}

// The value of a numeric column as the language sees it (USD for cost).
std::optional<double> NumericValue(Column c, const Event& e) {
  if (c == Column::kCostUsd) return static_cast<double>(e.cost_micros) / 1e6;
  if (IsIntegerColumn(c)) return static_cast<double>(IntValue(c, e));
  std::optional<float> f = FloatValue(c, e);
  if (!f) return std::nullopt;
  return static_cast<double>(*f);
}

bool CompareNumbers(double a, CompareOp op, double b) {
  switch (op) {
    case CompareOp::kEq:
      return a == b;
    case CompareOp::kNe:
      return a != b;
    case CompareOp::kLt:
      return a < b;
    case CompareOp::kLe:
      return a <= b;
    case CompareOp::kGt:
      return a > b;
    case CompareOp::kGe:
      return a >= b;
  }
  return false;
}

// The predicate's truth for one event; nullopt where it is unknown.
std::optional<bool> Truth(const Predicate& p, const Event& e) {
  std::optional<bool> b;
  if (p.op) {
    std::optional<double> v = NumericValue(p.column, e);
    if (v) b = CompareNumbers(*v, *p.op, p.value);
  } else if (p.column == Column::kSuccess) {
    b = e.success;
  } else if (e.hallucinated != Tri::kUnknown) {
    b = e.hallucinated == Tri::kTrue;
  }
  if (b && p.negated) b = !*b;
  return b;
}

// ------------------------------------------------------------------ cells

Cell NullCell(ValueType type) {
  Cell c;
  c.type = type;
  return c;
}
Cell IntCell(int64_t v) {
  Cell c;
  c.null = false;
  c.type = ValueType::kInt64;
  c.i = v;
  return c;
}
Cell DoubleCell(double v, Precision p = Precision::kExact) {
  Cell c;
  c.null = false;
  c.type = ValueType::kDouble;
  c.d = v;
  c.precision = p;
  return c;
}
Cell CostCell(int64_t micros) {
  Cell c = DoubleCell(static_cast<double>(micros) / 1e6, Precision::kCostMicros);
  c.micros = micros;
  return c;
}

ValueType ResultType(const Aggregate& a) {
  if (a.zscore) return ValueType::kDouble;
  const AggregateCall& c = a.call;
  if (c.fn == AggFn::kCount) return ValueType::kInt64;
  if ((c.fn == AggFn::kSum || c.fn == AggFn::kMin || c.fn == AggFn::kMax) &&
      IsIntegerColumn(*c.column)) {
    return ValueType::kInt64;
  }
  return ValueType::kDouble;
}

// Sample standard deviation, two passes in long double, with the absolute
// error an implementation using (Σx² - (Σx)²/n) / (n - 1) in doubles may add.
Cell StddevCell(const std::vector<double>& xs) {
  const size_t n = xs.size();
  if (n < 2) return NullCell(ValueType::kDouble);
  long double sum = 0, sum_sq = 0;
  for (double x : xs) sum += x;
  const long double mean = sum / static_cast<long double>(n);
  for (double x : xs) sum_sq += (x - mean) * (x - mean);
  const double sd =
      static_cast<double>(std::sqrt(sum_sq / static_cast<long double>(n - 1)));
  long double raw_sq = 0;
  for (double x : xs) raw_sq += static_cast<long double>(x) * x;
  const double var_slack =
      8 * DBL_EPSILON * static_cast<double>(raw_sq) / static_cast<double>(n - 1);
  Cell c = DoubleCell(sd, Precision::kStddev);
  c.slack =
      sd > 0 ? std::min(std::sqrt(var_slack), var_slack / sd) : std::sqrt(var_slack);
  return c;
}

// sum avg min max stddev quantile over the values of an integer column.
Cell IntegerColumnCell(const AggregateCall& call, std::vector<int64_t> v) {
  const bool cost = *call.column == Column::kCostUsd;
  const ValueType type = cost ? ValueType::kDouble : ValueType::kInt64;
  if (v.empty()) return NullCell(call.fn == AggFn::kAvg ? ValueType::kDouble : type);
  std::sort(v.begin(), v.end());
  auto scalar = [cost](int64_t x) { return cost ? CostCell(x) : IntCell(x); };
  int64_t sum = 0;
  for (int64_t x : v) sum += x;
  const double scale = cost ? 1e6 : 1;
  switch (call.fn) {
    case AggFn::kSum:
      return scalar(sum);
    case AggFn::kMin:
      return scalar(v.front());
    case AggFn::kMax:
      return scalar(v.back());
    case AggFn::kAvg:
      return DoubleCell(
          static_cast<double>(static_cast<long double>(sum) / v.size() / scale),
          Precision::kRelative);
    case AggFn::kStddev: {
      std::vector<double> xs;
      for (int64_t x : v) xs.push_back(static_cast<double>(x) / scale);
      return StddevCell(xs);
    }
    case AggFn::kQuantile: {
      const int64_t x = v[rollup::NearestRank(call.q, v.size()) - 1];
      if (!call.exact)
        return DoubleCell(static_cast<double>(x) / scale, Precision::kSketchQuantile);
      if (cost) return CostCell(x);
      return DoubleCell(static_cast<double>(x));
    }
    default:
      return NullCell(type);
  }
}

// sum avg min max stddev quantile over the values of a float column.
Cell FloatColumnCell(const AggregateCall& call, std::vector<float> v) {
  if (v.empty()) return NullCell(ValueType::kDouble);
  std::sort(v.begin(), v.end());
  switch (call.fn) {
    case AggFn::kSum:
      return DoubleCell(ExactFloatSum(v));
    case AggFn::kMin:
      return DoubleCell(v.front());
    case AggFn::kMax:
      return DoubleCell(v.back());
    case AggFn::kAvg:
      return DoubleCell(ExactFloatSum(v) / static_cast<double>(v.size()),
                        Precision::kRelative);
    case AggFn::kStddev:
      return StddevCell(std::vector<double>(v.begin(), v.end()));
    case AggFn::kQuantile:
      return DoubleCell(v[rollup::NearestRank(call.q, v.size()) - 1],
                        call.exact ? Precision::kExact : Precision::kSketchQuantile);
    default:
      return NullCell(ValueType::kDouble);
  }
}

// One aggregate call over exactly the events of its window.
Cell EvalCall(const AggregateCall& call, const Events& events) {
  if (call.fn == AggFn::kCount) return IntCell(static_cast<int64_t>(events.size()));
  if (call.fn == AggFn::kRate || call.fn == AggFn::kBurnRate) {
    int64_t known = 0, good = 0;
    for (const Event* e : events) {
      std::optional<bool> b = Truth(*call.predicate, *e);
      if (!b) continue;
      ++known;
      if (*b) ++good;
    }
    if (known == 0) return NullCell(ValueType::kDouble);
    const double rate = static_cast<double>(good) / static_cast<double>(known);
    if (call.fn == AggFn::kRate) return DoubleCell(rate);
    return DoubleCell((1 - rate) / (1 - call.target));
  }
  const Column col = *call.column;
  if (col == Column::kCostUsd || IsIntegerColumn(col)) {
    std::vector<int64_t> v;
    for (const Event* e : events) v.push_back(IntValue(col, *e));
    return IntegerColumnCell(call, std::move(v));
  }
  std::vector<float> v;
  for (const Event* e : events) {
    if (std::optional<float> f = FloatValue(col, *e)) v.push_back(*f);
  }
  return FloatColumnCell(call, std::move(v));
}

// zscore(call, step, baseline) at `at` over a group's events (any time).
Cell EvalZscore(const Aggregate& a, const Events& events, int64_t at) {
  const int64_t step = a.zscore->step_ns;
  const int64_t windows = a.zscore->baseline_ns / step;  // x1 .. x_windows
  std::vector<Events> bins(static_cast<size_t>(windows + 1));
  for (const Event* e : events) {
    if (e->time >= at) continue;
    const int64_t k = (at - 1 - e->time) / step;  // e in [at-(k+1)·step, at-k·step)
    if (k <= windows) bins[static_cast<size_t>(k)].push_back(e);
  }
  // A window without events counts as 0 for count and sum. sum(ttft_ms)
  // and sum(user_rating) skip the events without a value, so a window
  // whose events have none is, for them, a window without events: 0 too.
  const bool zero_when_empty = a.call.fn == AggFn::kCount || a.call.fn == AggFn::kSum;
  auto value = [&](const Events& bin) -> std::optional<double> {
    Cell c = EvalCall(a.call, bin);
    if (c.null) return zero_when_empty ? std::optional<double>(0.0) : std::nullopt;
    return c.AsDouble();
  };
  const std::optional<double> x0 = value(bins[0]);
  std::vector<double> xs;
  for (size_t k = 1; k < bins.size(); ++k) {
    if (std::optional<double> x = value(bins[k])) xs.push_back(*x);
  }
  if (!x0 || xs.size() < 2) return NullCell(ValueType::kDouble);
  if (std::all_of(xs.begin(), xs.end(), [&xs](double x) { return x == xs[0]; })) {
    return NullCell(ValueType::kDouble);  // s = 0
  }
  long double sum = 0, sq = 0;
  for (double x : xs) sum += x;
  const long double mean = sum / static_cast<long double>(xs.size());
  for (double x : xs) sq += (x - mean) * (x - mean);
  const long double s = std::sqrt(sq / static_cast<long double>(xs.size() - 1));
  return DoubleCell(static_cast<double>((*x0 - mean) / s), Precision::kZscore);
}

// ------------------------------------------------------------------ groups

struct Context {
  const SelectStmt* select = nullptr;
  int64_t at = 0;
  Window range;  // the WHERE time range
};

Cell EvalAggregate(const Context& ctx, const Aggregate& a, const Events& group_events) {
  if (a.zscore) return EvalZscore(a, group_events, ctx.at);
  Window w = ctx.range;
  if (a.over_ns) w = Window{ctx.at - *a.over_ns, ctx.at};
  return EvalCall(a.call, InWindow(group_events, w));
}

// The widest own window of the aggregates when every one (items and
// HAVING) has one; nullopt otherwise.
void CollectHavingAggregates(const HavingExpr& h, std::vector<const Aggregate*>* out) {
  if (h.kind == HavingExpr::Kind::kCompare) {
    if (const Aggregate* a = std::get_if<Aggregate>(&h.compare.lhs)) out->push_back(a);
    return;
  }
  for (const HavingExpr& o : h.operands) CollectHavingAggregates(o, out);
}

std::optional<int64_t> WidestOwnWindow(const SelectStmt& s) {
  std::vector<const Aggregate*> aggs;
  for (const SelectItem& item : s.items) {
    if (const Aggregate* a = std::get_if<Aggregate>(&item.expr)) aggs.push_back(a);
  }
  if (s.having) CollectHavingAggregates(*s.having, &aggs);
  if (aggs.empty()) return std::nullopt;
  int64_t widest = 0;
  for (const Aggregate* a : aggs) {
    if (!a->HasOwnWindow()) return std::nullopt;
    widest = std::max(
        widest, a->zscore ? a->zscore->step_ns + a->zscore->baseline_ns : *a->over_ns);
  }
  return widest;
}

Result<Window> QueryRange(const WhereClause& where, int64_t at, int64_t now) {
  Window w;
  bool upper = false;
  for (const TimeBound& b : where.time) {
    Result<int64_t> t = b.instant.Resolve(now);
    if (!t.ok()) return t.status();
    switch (b.op) {
      case CompareOp::kGe:
        w.start = std::max(w.start, *t);
        break;
      case CompareOp::kGt:
        w.start = std::max(w.start, *t + 1);
        break;
      case CompareOp::kLt:
        w.end = std::min(w.end, *t), upper = true;
        break;
      case CompareOp::kLe:
        w.end = std::min(w.end, *t + 1), upper = true;
        break;
      default:
        return Status::InvalidArgument("oracle: bad time bound");
    }
  }
  if (where.last_ns) {
    w.start = std::max(w.start, at - *where.last_ns);
    w.end = std::min(w.end, at);
    upper = true;
  }
  if (!upper) w.end = at;
  return w;
}

// A group key part: a label value (absent: null) or a bucket start.
struct KeyPart {
  bool null = false;
  std::string label;
  int64_t bucket = 0;
  auto operator<=>(const KeyPart&) const = default;
};
using GroupKeyValue = std::vector<KeyPart>;

GroupKeyValue KeyOf(const SelectStmt& s, const LabeledEvent& e) {
  GroupKeyValue key;
  for (const GroupKey& g : s.group_by) {
    KeyPart part;
    if (const LabelRef* l = std::get_if<LabelRef>(&g.key)) {
      std::string_view v = e.labels.Get(l->name);
      part.null = v.empty();
      part.label = std::string(v);
    } else {
      const int64_t step = std::get<BucketRef>(g.key).step_ns;
      part.bucket = e.event.time / step * step;  // times are >= 0: floor
    }
    key.push_back(std::move(part));
  }
  return key;
}

// Whether the label set passes every matcher (absent label: "").
bool PassesMatchers(const std::vector<LabelMatcher>& ms,
                    const std::vector<std::regex>& res, const Labels& labels) {
  for (size_t i = 0; i < ms.size(); ++i) {
    const LabelMatcher& m = ms[i];
    const std::string v(labels.Get(m.name));
    bool ok = false;
    switch (m.op) {
      case LabelMatcher::Op::kEq:
        ok = v == m.values.at(0);
        break;
      case LabelMatcher::Op::kNeq:
        ok = v != m.values.at(0);
        break;
      case LabelMatcher::Op::kIn:
        ok = std::find(m.values.begin(), m.values.end(), v) != m.values.end();
        break;
      case LabelMatcher::Op::kRegex:
        ok = std::regex_match(v, res[i]);
        break;
    }
    if (!ok) return false;
  }
  return true;
}

// ----------------------------------------------------------- rows, HAVING

struct Group {
  Events events;
  bool exists = false;
  const LabeledEvent* sample = nullptr;  // any event of the group, for its labels
};

bool EvalHaving(const Context& ctx, const HavingExpr& h, const BruteRow& row,
                const Events& group_events) {
  switch (h.kind) {
    case HavingExpr::Kind::kAnd:
      for (const HavingExpr& o : h.operands) {
        if (!EvalHaving(ctx, o, row, group_events)) return false;
      }
      return true;
    case HavingExpr::Kind::kOr:
      for (const HavingExpr& o : h.operands) {
        if (EvalHaving(ctx, o, row, group_events)) return true;
      }
      return false;
    case HavingExpr::Kind::kNot:
      return !EvalHaving(ctx, h.operands.at(0), row, group_events);
    case HavingExpr::Kind::kCompare:
      break;
  }
  const HavingComparison& c = h.compare;
  Cell v = std::holds_alternative<ItemRef>(c.lhs)
               ? row.cells.at(std::get<ItemRef>(c.lhs).index)
               : EvalAggregate(ctx, std::get<Aggregate>(c.lhs), group_events);
  if (v.null) return false;  // a comparison with NULL is false
  return CompareNumbers(v.AsDouble(), c.op, c.rhs);
}

// <0, 0, >0 as a sorts before, with, after b; NULLs last either way.
int CompareForOrder(const Cell& a, const Cell& b, bool descending) {
  if (a.null || b.null) return a.null == b.null ? 0 : (a.null ? 1 : -1);
  int c = 0;
  if (a.type == ValueType::kString) {
    c = a.s < b.s ? -1 : (a.s == b.s ? 0 : 1);
  } else if (a.type == ValueType::kDouble) {
    c = a.d < b.d ? -1 : (a.d == b.d ? 0 : 1);
  } else {
    c = a.i < b.i ? -1 : (a.i == b.i ? 0 : 1);
  }
  return descending ? -c : c;
}

int CompareRows(const SelectStmt& s, const std::vector<Cell>& a,
                const std::vector<Cell>& b) {
  for (size_t k = 0; k < s.order_by.size(); ++k) {
    const int c = CompareForOrder(a[k], b[k], s.order_by[k].descending);
    if (c != 0) return c;
  }
  return 0;
}

// The ORDER BY values of a row: a select item, or a group key label.
std::vector<Cell> SortKeys(const SelectStmt& s, const BruteRow& row,
                           const Labels& labels) {
  std::vector<Cell> keys;
  for (const OrderKey& k : s.order_by) {
    if (k.item) {
      keys.push_back(row.cells.at(*k.item));
      continue;
    }
    Cell c = NullCell(ValueType::kString);
    std::string_view v = labels.Get(k.name);
    if (!v.empty()) {
      c.null = false;
      c.s = std::string(v);
    }
    keys.push_back(c);
  }
  return keys;
}

BruteRow MakeRow(const Context& ctx, const Group& g, const GroupKeyValue& key) {
  const SelectStmt& s = *ctx.select;
  BruteRow row;
  for (const SelectItem& item : s.items) {
    if (const Aggregate* a = std::get_if<Aggregate>(&item.expr)) {
      row.cells.push_back(EvalAggregate(ctx, *a, g.events));
    } else if (const LabelRef* l = std::get_if<LabelRef>(&item.expr)) {
      Cell c = NullCell(ValueType::kString);
      std::string_view v = g.sample ? g.sample->labels.Get(l->name) : std::string_view();
      if (!v.empty()) {
        c.null = false;
        c.s = std::string(v);
      }
      row.cells.push_back(c);
    } else {
      const int64_t step = std::get<BucketRef>(item.expr).step_ns;
      Cell c = NullCell(ValueType::kTime);
      for (size_t k = 0; k < s.group_by.size(); ++k) {
        const BucketRef* b = std::get_if<BucketRef>(&s.group_by[k].key);
        if (b && b->step_ns == step) {
          c.null = false;
          c.i = key[k].bucket;
        }
      }
      row.cells.push_back(c);
    }
  }
  return row;
}

bool WrapsSketchQuantile(const Aggregate& a) {
  return a.zscore && a.call.fn == AggFn::kQuantile && !a.call.exact;
}

}  // namespace

// ------------------------------------------------------------------ public

double ExactFloatSum(const std::vector<float>& values) {
  std::vector<double> partials;  // non-overlapping, increasing magnitude
  for (float f : values) {
    double x = f;
    size_t i = 0;
    for (size_t j = 0; j < partials.size(); ++j) {
      double y = partials[j];
      if (std::fabs(x) < std::fabs(y)) std::swap(x, y);
      const double hi = x + y;
      const double lo = y - (hi - x);
      if (lo != 0.0) partials[i++] = lo;
      x = hi;
    }
    partials.resize(i);
    partials.push_back(x);
  }
  if (partials.empty()) return 0.0;
  size_t n = partials.size();
  double hi = partials[--n], lo = 0;
  while (n > 0) {
    const double x = hi, y = partials[--n];
    hi = x + y;
    lo = y - (hi - x);
    if (lo != 0.0) break;
  }
  // Round half to even across the partials left (math.fsum's correction).
  if (n > 0 &&
      ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0))) {
    const double y = lo * 2.0, x = hi + y;
    if (y == x - hi) hi = x;
  }
  return hi;
}

Result<BruteTable> BruteForceSelect(const SelectStmt& s,
                                    const std::vector<LabeledEvent>& events,
                                    int64_t now) {
  if (s.source != Source::kTasks) return Status::InvalidArgument("oracle: tasks only");
  for (const SelectItem& item : s.items) {
    const Aggregate* a = std::get_if<Aggregate>(&item.expr);
    if (a && WrapsSketchQuantile(*a)) {
      return Status::InvalidArgument(
          "oracle: zscore of a sketch quantile has no exact answer");
    }
  }
  Context ctx;
  ctx.select = &s;
  ctx.at = now;
  if (s.at) {
    Result<int64_t> at = s.at->Resolve(now);
    if (!at.ok()) return at.status();
    ctx.at = *at;
  }
  Result<Window> range = QueryRange(s.where, ctx.at, now);
  if (!range.ok()) return range.status();
  ctx.range = *range;
  const std::optional<int64_t> widest = WidestOwnWindow(s);
  const Window group_window = widest ? Window{ctx.at - *widest, ctx.at} : ctx.range;

  std::vector<std::regex> regexes;
  for (const LabelMatcher& m : s.where.labels) {
    regexes.emplace_back(m.op == LabelMatcher::Op::kRegex ? m.values.at(0) : "",
                         std::regex::ECMAScript);
  }
  std::map<GroupKeyValue, Group> groups;
  if (s.group_by.empty()) groups[{}].exists = true;
  for (const LabeledEvent& e : events) {
    if (!PassesMatchers(s.where.labels, regexes, e.labels)) continue;
    Group& g = groups[KeyOf(s, e)];
    g.events.push_back(&e.event);
    if (!g.sample) g.sample = &e;
    if (group_window.Contains(e.event.time)) g.exists = true;
  }

  BruteTable table;
  for (const SelectItem& item : s.items) {
    table.names.push_back(item.name);
    if (const Aggregate* a = std::get_if<Aggregate>(&item.expr)) {
      table.types.push_back(ResultType(*a));
    } else {
      table.types.push_back(std::holds_alternative<LabelRef>(item.expr)
                                ? ValueType::kString
                                : ValueType::kTime);
    }
  }
  std::vector<std::pair<std::vector<Cell>, BruteRow>> rows;
  for (const auto& entry : groups) {
    const Group& g = entry.second;
    if (!g.exists) continue;
    BruteRow row = MakeRow(ctx, g, entry.first);
    if (s.having && !EvalHaving(ctx, *s.having, row, g.events)) continue;
    static const Labels kNoLabels;
    std::vector<Cell> keys = SortKeys(s, row, g.sample ? g.sample->labels : kNoLabels);
    rows.emplace_back(std::move(keys), std::move(row));
  }
  std::stable_sort(rows.begin(), rows.end(), [&s](const auto& a, const auto& b) {
    return CompareRows(s, a.first, b.first) < 0;
  });
  for (auto& r : rows) {
    r.second.sort_keys = std::move(r.first);
    table.rows.push_back(std::move(r.second));
  }
  table.limit = s.limit;
  return table;
}

Result<BruteTable> BruteForce(std::string_view text,
                              const std::vector<LabeledEvent>& events, int64_t now) {
  Result<Statement> st = Parse(text);
  if (!st.ok()) return st.status();
  const SelectStmt* s = std::get_if<SelectStmt>(&st->node);
  if (!s) return Status::InvalidArgument("oracle: not a SELECT");
  return BruteForceSelect(*s, events, now);
}

// -------------------------------------------------------------- comparing

namespace {

std::string CellText(const Cell& c) {
  if (c.null) return "NULL";
  std::ostringstream o;
  o.precision(17);
  switch (c.type) {
    case ValueType::kString:
      o << "'" << c.s << "'";
      break;
    case ValueType::kDouble:
      o << c.d;
      break;
    default:
      o << c.i;
      break;
  }
  return o.str();
}

// Row `row` of column `col` of the executor's table, as a Cell.
Cell GotCell(const ResultTable& t, size_t col, size_t row) {
  const ResultColumn& c = t.columns[col];
  Cell cell = NullCell(c.type);
  if (c.IsNull(row)) return cell;
  cell.null = false;
  switch (c.type) {
    case ValueType::kString:
      cell.s = c.strings.at(row);
      break;
    case ValueType::kDouble:
      cell.d = c.doubles.at(row);
      break;
    default:
      cell.i = c.ints.at(row);
      break;
  }
  return cell;
}

// "" when `got` equals `want` at want's precision.
std::string CompareCell(const Cell& want, const Cell& got) {
  if (want.null != got.null || (!want.null && want.type != got.type)) {
    return "want " + CellText(want) + ", got " + CellText(got);
  }
  if (want.null) return "";
  bool ok = false;
  const double w = want.d, g = got.d;
  switch (want.type) {
    case ValueType::kString:
      ok = want.s == got.s;
      break;
    case ValueType::kInt64:
    case ValueType::kTime:
      ok = want.i == got.i;
      break;
    case ValueType::kDouble:
      switch (want.precision) {
        case Precision::kExact:
          ok = g == w;
          break;
        case Precision::kCostMicros:
          ok = std::isfinite(g) && std::fabs(g) < 9e12 &&
               std::llround(g * 1e6) == want.micros;
          break;
        case Precision::kRelative:
          ok = std::fabs(g - w) <= 1e-9 * std::fabs(w);
          break;
        case Precision::kStddev:
          ok = std::fabs(g - w) <= 1e-9 * std::fabs(w) + want.slack;
          break;
        case Precision::kZscore:
          ok = std::fabs(g - w) <= 1e-9 * std::max(std::fabs(w), 1.0);
          break;
        case Precision::kSketchQuantile:
          ok = std::fabs(g - w) <= 0.01 * std::fabs(w);
          break;
      }
      break;
  }
  if (ok) return "";
  const char* how[] = {"exactly",         "in micro-USD",
                       "within 1e-9",     "within 1e-9 + slack",
                       "within 1e-9 (z)", "within 1% of the exact rank"};
  return "want " + CellText(want) + " (" + how[static_cast<int>(want.precision)] +
         "), got " + CellText(got);
}

std::string KeyText(const std::vector<Cell>& cells, const std::vector<size_t>& key_cols) {
  std::string key;
  for (size_t c : key_cols) key += CellText(cells[c]) + "|";
  return key;
}

// The select items that hold the group keys; error text when one is missing.
std::string KeyColumns(const SelectStmt& s, std::vector<size_t>* cols) {
  for (const GroupKey& g : s.group_by) {
    bool found = false;
    for (size_t i = 0; i < s.items.size() && !found; ++i) {
      const SelectItem& item = s.items[i];
      const LabelRef* l = std::get_if<LabelRef>(&item.expr);
      const BucketRef* b = std::get_if<BucketRef>(&item.expr);
      if (const LabelRef* gl = std::get_if<LabelRef>(&g.key)) {
        found = l && l->name == gl->name;
      } else {
        found = b && b->step_ns == std::get<BucketRef>(g.key).step_ns;
      }
      if (found) cols->push_back(i);
    }
    if (!found) return "oracle: every GROUP BY key must be selected to match rows";
  }
  return "";
}

// The ORDER BY values of executor row `r` (matched to oracle row `w`):
// the executor's own value of a select item (what it sorted by, already
// checked against the oracle), else the oracle's (a group key label).
std::vector<Cell> GotSortKeys(const SelectStmt& s, const ResultTable& got, size_t r,
                              const BruteRow& w) {
  std::vector<Cell> keys;
  for (size_t k = 0; k < s.order_by.size(); ++k) {
    keys.push_back(s.order_by[k].item ? GotCell(got, *s.order_by[k].item, r)
                                      : w.sort_keys[k]);
  }
  return keys;
}

// Whether oracle row `a` certainly sorts before oracle row `b`: values
// within their precision of each other (sketch quantiles, averages) may
// sort either way, so a key that close ends the comparison undecided.
bool CertainlyBefore(const SelectStmt& s, const std::vector<Cell>& a,
                     const std::vector<Cell>& b) {
  for (size_t k = 0; k < s.order_by.size(); ++k) {
    const Cell& x = a[k];
    const Cell& y = b[k];
    if (!x.null && !y.null && x.type == ValueType::kDouble && x.d != y.d) {
      const double m = std::max(std::fabs(x.d), std::fabs(y.d));
      double tol = 0;
      switch (x.precision) {
        case Precision::kExact:
        case Precision::kCostMicros:
          break;
        case Precision::kRelative:
          tol = 2e-9 * m;
          break;
        case Precision::kStddev:
          tol = 2e-9 * m + x.slack + y.slack;
          break;
        case Precision::kZscore:
          tol = 2e-9 * std::max(m, 1.0);
          break;
        case Precision::kSketchQuantile:
          tol = 0.02 * m;
          break;
      }
      if (std::fabs(x.d - y.d) <= tol) return false;
    }
    const int c = CompareForOrder(x, y, s.order_by[k].descending);
    if (c != 0) return c < 0;
  }
  return false;
}

// The executor's rows are in ORDER BY order (by its own values), and no
// oracle row left out by LIMIT certainly sorts before the last row returned.
void CheckOrder(const SelectStmt& s, const BruteTable& want, const ResultTable& got,
                const std::vector<size_t>& matched, std::ostringstream* err) {
  std::vector<Cell> prev;
  for (size_t r = 0; r < matched.size(); ++r) {
    std::vector<Cell> keys = GotSortKeys(s, got, r, want.rows[matched[r]]);
    if (r > 0 && CompareRows(s, prev, keys) > 0) {
      *err << "rows " << r - 1 << " and " << r << " out of order\n";
      return;
    }
    prev = std::move(keys);
  }
  if (matched.empty()) return;
  std::vector<bool> used(want.rows.size(), false);
  for (size_t m : matched) used[m] = true;
  const std::vector<Cell>& last = want.rows[matched.back()].sort_keys;
  for (size_t r = 0; r < want.rows.size(); ++r) {
    if (!used[r] && CertainlyBefore(s, want.rows[r].sort_keys, last)) {
      *err << "oracle row " << r
           << " sorts before the last row returned but is missing\n";
      return;
    }
  }
}

}  // namespace

std::string CompareTables(const SelectStmt& s, const BruteTable& want,
                          const ResultTable& got) {
  std::ostringstream err;
  if (got.columns.size() != want.names.size()) {
    return "want " + std::to_string(want.names.size()) + " columns, got " +
           std::to_string(got.columns.size());
  }
  for (size_t c = 0; c < want.names.size(); ++c) {
    if (got.columns[c].name != want.names[c]) {
      err << "column " << c << ": want name '" << want.names[c] << "', got '"
          << got.columns[c].name << "'\n";
    }
    if (got.columns[c].type != want.types[c]) {
      err << "column " << want.names[c] << ": want type " << ValueTypeName(want.types[c])
          << ", got " << ValueTypeName(got.columns[c].type) << "\n";
    }
    if (got.columns[c].nulls.size() != got.rows)
      err << "column " << c << ": nulls size\n";
  }
  if (!err.str().empty()) return err.str();
  size_t want_rows = want.rows.size();
  if (want.limit)
    want_rows = std::min<size_t>(want_rows, static_cast<size_t>(*want.limit));
  if (got.rows != want_rows) {
    err << "want " << want_rows << " rows (of " << want.rows.size()
        << " before LIMIT), got " << got.rows << "\n";
  }
  std::vector<size_t> key_cols;
  if (std::string e = KeyColumns(s, &key_cols); !e.empty()) return e;
  std::map<std::string, size_t> by_key;
  for (size_t r = 0; r < want.rows.size(); ++r) {
    by_key[KeyText(want.rows[r].cells, key_cols)] = r;
  }
  std::vector<size_t> matched;  // want row of each got row
  std::vector<bool> used(want.rows.size(), false);
  int reported = 0;
  for (size_t r = 0; r < got.rows && reported < 10; ++r) {
    std::vector<Cell> cells;
    for (size_t c = 0; c < got.columns.size(); ++c) cells.push_back(GotCell(got, c, r));
    const std::string key = KeyText(cells, key_cols);
    auto it = by_key.find(key);
    if (it == by_key.end() || used[it->second]) {
      err << "row " << r << " [" << key
          << "]: " << (it == by_key.end() ? "unexpected" : "repeated") << " group\n";
      ++reported;
      continue;
    }
    used[it->second] = true;
    matched.push_back(it->second);
    const BruteRow& w = want.rows[it->second];
    for (size_t c = 0; c < cells.size(); ++c) {
      if (std::string e = CompareCell(w.cells[c], cells[c]); !e.empty()) {
        err << "row " << r << " [" << key << "] " << want.names[c] << ": " << e << "\n";
        ++reported;
      }
    }
  }
  if (!s.order_by.empty() && err.str().empty()) CheckOrder(s, want, got, matched, &err);
  return err.str();
}

std::string DebugString(const BruteTable& t, size_t max_rows) {
  std::ostringstream o;
  for (const std::string& n : t.names) o << n << "\t";
  o << "\n";
  for (size_t r = 0; r < t.rows.size() && r < max_rows; ++r) {
    for (const Cell& c : t.rows[r].cells) o << CellText(c) << "\t";
    o << "\n";
  }
  o << t.rows.size() << " rows"
    << (t.limit ? " before LIMIT " + std::to_string(*t.limit) : "") << "\n";
  return o.str();
}

std::string DebugString(const ResultTable& t, size_t max_rows) {
  std::ostringstream o;
  for (const ResultColumn& c : t.columns) o << c.name << "\t";
  o << "\n";
  for (size_t r = 0; r < t.rows && r < max_rows; ++r) {
    for (size_t c = 0; c < t.columns.size(); ++c) o << CellText(GotCell(t, c, r)) << "\t";
    o << "\n";
  }
  o << t.rows << " rows\n";
  return o.str();
}

// ---------------------------------------------------------------- datasets

Result<std::vector<LabeledEvent>> ScanEverything(DB* db) {
  auto it = db->Scan(ScanOptions());
  if (!it.ok()) return it.status();
  std::vector<LabeledEvent> out;
  for (; (*it)->Valid(); (*it)->Next()) out.push_back({(*it)->labels(), (*it)->event()});
  if (!(*it)->status().ok()) return (*it)->status();
  return out;
}

Status AppendEvents(DB* db, const std::vector<LabeledEvent>& events, size_t batch_size) {
  for (size_t i = 0; i < events.size(); i += batch_size) {
    EventBatch batch;
    for (size_t j = i; j < std::min(events.size(), i + batch_size); ++j) {
      batch.Add(batch.AddSeries(events[j].labels), events[j].event);
    }
    Status s = db->Append(WriteOptions(), batch);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Event RandomTaskEvent(std::mt19937_64& rng, int64_t time) {
  auto chance = [&rng](int percent) { return static_cast<int>(rng() % 100) < percent; };
  Event e;
  e.time = time;
  e.success = !chance(8);
  e.hallucinated = static_cast<Tri>(rng() % 3);
  if (chance(10)) {
    e.latency_ms = static_cast<float>(rng() % 64) * 25.0f;  // many equal values, some 0
  } else {
    // Spread over several decades, not on a grid.
    const double u = static_cast<double>(rng() % 1'000'000) / 1e6;
    e.latency_ms = static_cast<float>(std::exp(1 + 9 * u));
  }
  if (chance(60)) e.ttft_ms = static_cast<float>(rng() % 20000) / 8.0f;
  e.cost_micros = chance(5) ? 0 : static_cast<int64_t>(rng() % 2'500'000);
  e.tokens_in = static_cast<uint32_t>(chance(2) ? rng() : rng() % 50000);
  e.tokens_out = static_cast<uint32_t>(rng() % 8000);
  e.policy_violations = static_cast<uint16_t>(chance(90) ? 0 : rng() % 4);
  e.tool_calls = static_cast<uint16_t>(rng() % 12);
  e.tool_failures =
      static_cast<uint16_t>(e.tool_calls == 0 ? 0 : rng() % (e.tool_calls + 1));
  if (chance(30)) e.user_rating = static_cast<float>(1 + rng() % 5);
  if (!e.success) e.error_kind = chance(50) ? "timeout" : "tool_error";
  return e;
}

std::vector<LabeledEvent> RandomFleet(std::mt19937_64& rng, const RandomFleetOptions& o) {
  const char* kModels[] = {"gpt-4o", "claude-sonnet", "llama-70b"};
  const double kPerHour[] = {0.3, 3, 25, 240};  // sparse .. busy enough for rollups
  const int64_t hour = 3600 * kNsPerSec, span = o.days * 24 * hour;
  std::vector<LabeledEvent> out;
  for (int a = 0; a < 6; ++a) {
    const int series = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < series; ++k) {
      std::vector<Label> labels = {{"agent", "agent-0" + std::to_string(a)}};
      if (rng() % 5 != 0)
        labels.push_back({"model", kModels[rng() % 3]});  // some lack it
      labels.push_back({"cohort", k == 1 ? "canary" : "stable"});
      if (rng() % 3 == 0) labels.push_back({"env", rng() % 2 ? "prod" : "staging"});
      Result<Labels> made = Labels::Make(labels);
      if (!made.ok()) continue;  // a duplicate label set: skip it
      // Busy series for agents 0 and 1; the others drawn.
      const double rate = (a < 2 && k == 0 ? kPerHour[3] : kPerHour[rng() % 3]) * o.scale;
      int64_t from = 0, to = span;  // the series' active span
      if (rng() % 3 == 0)
        from = static_cast<int64_t>(rng() % static_cast<uint64_t>(span / 2));
      if (rng() % 3 == 0)
        to = from + static_cast<int64_t>(rng() % static_cast<uint64_t>(span - from)) + 1;
      const int64_t n =
          static_cast<int64_t>(rate * static_cast<double>(to - from) / hour) + 1;
      int64_t last = o.start + from;
      for (int64_t i = 0; i < n; ++i) {
        int64_t t = o.start + from +
                    static_cast<int64_t>(rng() % static_cast<uint64_t>(to - from));
        const int kind = static_cast<int>(rng() % 100);
        if (kind < 3) t = last;  // equal timestamps
        if (kind >= 3 && kind < 6)
          t = t / (60 * kNsPerSec) * (60 * kNsPerSec);  // on a minute
        if (kind == 6 || kind == 7) t = t / o.edge_ns * o.edge_ns - (kind == 7 ? 1 : 0);
        if (t < o.start) t = o.start;
        last = t;
        out.push_back({*made, RandomTaskEvent(rng, t)});
      }
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const LabeledEvent& x, const LabeledEvent& y) {
                     return x.event.time < y.event.time;
                   });
  return out;
}

}  // namespace sredb::query::testing
