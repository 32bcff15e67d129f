// Lookups and canonical spellings for the syntax tree; see ast.h.
#include "query/ast.h"

#include <array>
#include <charconv>
#include <cmath>

namespace sredb::query {
namespace {

struct ColumnInfo {
  std::string_view name;
  ColumnType type;
  Field field;
};

// Indexed by Column.
constexpr std::array<ColumnInfo, 15> kColumns = {{
    {"success", ColumnType::kBool, Field::kSuccess},
    {"hallucinated", ColumnType::kTriBool, Field::kHallucinated},
    {"latency_ms", ColumnType::kNumeric, Field::kLatency},
    {"ttft_ms", ColumnType::kNumeric, Field::kTtft},
    {"cost_usd", ColumnType::kNumeric, Field::kCost},
    {"tokens_in", ColumnType::kNumeric, Field::kTokensIn},
    {"tokens_out", ColumnType::kNumeric, Field::kTokensOut},
    {"policy_violations", ColumnType::kNumeric, Field::kPolicyViolations},
    {"tool_calls", ColumnType::kNumeric, Field::kToolCalls},
    {"tool_failures", ColumnType::kNumeric, Field::kToolFailures},
    {"user_rating", ColumnType::kNumeric, Field::kRating},
    {"error_kind", ColumnType::kString, Field::kErrorKind},
    {"trace_id", ColumnType::kBytes, Field::kTraceId},
    // Annotation columns: no event field holds them.
    {"value", ColumnType::kNumeric, static_cast<Field>(0)},
    {"threshold", ColumnType::kNumeric, static_cast<Field>(0)},
}};
constexpr size_t kEventColumns = static_cast<size_t>(Column::kValue);

// Indexed by SignalType.
constexpr std::array<std::string_view, 7> kSignalTypes = {
    "SLO_BREACH",         "ERROR_BUDGET_EXHAUSTED", "COST_ANOMALY",     "LATENCY_SPIKE",
    "TOOL_FAILURE_SPIKE", "POLICY_VIOLATION",       "TRUST_REVOCATION",
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

constexpr std::string_view kAggNames[] = {"count",  "sum",  "avg",       "min",     "max",
                                          "stddev", "rate", "burn_rate", "quantile"};

}  // namespace

std::optional<Column> LookupColumn(std::string_view name) {
  for (size_t i = 0; i < kEventColumns; ++i) {
    if (EqualsIgnoreCase(kColumns[i].name, name)) return static_cast<Column>(i);
  }
  return std::nullopt;
}

std::optional<Column> LookupAnnotationColumn(std::string_view name) {
  for (size_t i = kEventColumns; i < kColumns.size(); ++i) {
    if (EqualsIgnoreCase(kColumns[i].name, name)) return static_cast<Column>(i);
  }
  return std::nullopt;
}

std::string_view ColumnName(Column c) { return kColumns[static_cast<size_t>(c)].name; }
ColumnType TypeOf(Column c) { return kColumns[static_cast<size_t>(c)].type; }
Field FieldOf(Column c) { return kColumns[static_cast<size_t>(c)].field; }

std::string_view CompareOpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "?";
}

Result<int64_t> Instant::Resolve(int64_t now) const {
  if (!relative) return ns;
  int64_t out = 0;
  if (__builtin_add_overflow(now, ns, &out)) {
    return Status::InvalidArgument(std::to_string(pos.line) + ":" +
                                   std::to_string(pos.column) + ": instant out of range");
  }
  return out;
}

bool WhereClause::HasLowerTimeBound() const {
  if (last_ns) return true;
  for (const TimeBound& b : time) {
    if (b.op == CompareOp::kGe || b.op == CompareOp::kGt) return true;
  }
  return false;
}

std::optional<SignalType> LookupSignalType(std::string_view name) {
  for (size_t i = 0; i < kSignalTypes.size(); ++i) {
    if (EqualsIgnoreCase(kSignalTypes[i], name)) return static_cast<SignalType>(i);
  }
  return std::nullopt;
}

std::string_view SignalTypeName(SignalType t) {
  return kSignalTypes[static_cast<size_t>(t)];
}

std::string FormatDuration(int64_t ns) {
  struct Unit {
    int64_t ns;
    const char* name;
  };
  static constexpr Unit kUnits[] = {
      {604'800'000'000'000, "w"}, {86'400'000'000'000, "d"}, {3'600'000'000'000, "h"},
      {60'000'000'000, "m"},      {1'000'000'000, "s"},      {1'000'000, "ms"},
  };
  for (const Unit& u : kUnits) {
    if (ns != 0 && ns % u.ns == 0) return std::to_string(ns / u.ns) + u.name;
  }
  return std::to_string(ns) + "ns";
}

std::string FormatNumber(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

std::string FormatPredicate(const Predicate& p) {
  std::string out = p.negated ? "NOT " : "";
  if (p.negated && p.op) out += "(";
  out += ColumnName(p.column);
  if (p.op) {
    out += " ";
    out += CompareOpText(*p.op);
    out += " ";
    out += FormatNumber(p.value);
    if (p.negated) out += ")";
  }
  return out;
}

std::string FormatAggregate(const Aggregate& a) {
  const AggregateCall& c = a.call;
  std::string out;
  if (c.fn == AggFn::kQuantile && !c.spelled.empty()) {
    out = c.spelled;
  } else {
    out = kAggNames[static_cast<size_t>(c.fn)];
  }
  out += "(";
  if (c.column) out += ColumnName(*c.column);
  if (c.predicate) out += FormatPredicate(*c.predicate);
  if (c.fn == AggFn::kBurnRate) out += ", " + FormatNumber(c.target);
  if (c.fn == AggFn::kQuantile && c.spelled.empty()) out += ", " + FormatNumber(c.q);
  if (c.exact) out += ", exact";
  out += ")";
  if (a.zscore) {
    out = "zscore(" + out + ", " + FormatDuration(a.zscore->step_ns) + ", " +
          FormatDuration(a.zscore->baseline_ns) + ")";
  }
  if (a.over_ns) out += " OVER " + FormatDuration(*a.over_ns);
  return out;
}

}  // namespace sredb::query
