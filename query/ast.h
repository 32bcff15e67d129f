// The typed syntax tree of the query language (QUERY.md; grammar in
// query/README.md). The parser (query/parser.h) builds it and has already
// checked everything that needs no data: names resolve to columns, labels
// or select items; functions have their arity and argument kinds; durations
// are positive; regexes compile; every SELECT is time-bounded. The planner
// and the SLO layer consume it without re-validating those.
//
// Conventions: durations and instants are int64 ns; numbers are doubles;
// percentages are stored as fractions (99.5% -> 0.995). Every node is a
// plain copyable value (no pointers); recursion uses std::vector children.
//
// Thread safety: plain values; a const tree may be read from many threads.
#ifndef SREDB_QUERY_AST_H_
#define SREDB_QUERY_AST_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "storage/reader.h"
#include "storage/scan.h"
#include "storage/status.h"

namespace sredb::query {

// Where a node starts in the text; 1-based, columns in code points.
struct Position {
  int line = 0;
  int column = 0;
  friend bool operator==(const Position&, const Position&) = default;
};

// ---------------------------------------------------------------- columns

// The typed event columns of DESIGN.md "Data model" (time aside), then the
// numeric columns of annotations (storage/annotation.h), which only
// `FROM annotations` knows: for tasks, `value` and `threshold` are labels.
enum class Column : uint8_t {
  kSuccess,
  kHallucinated,
  kLatencyMs,
  kTtftMs,
  kCostUsd,
  kTokensIn,
  kTokensOut,
  kPolicyViolations,
  kToolCalls,
  kToolFailures,
  kUserRating,
  kErrorKind,
  kTraceId,
  kValue,      // annotations only
  kThreshold,  // annotations only
};

enum class ColumnType : uint8_t {
  kBool,     // success
  kTriBool,  // hallucinated: unknown / false / true
  kNumeric,  // latency_ms ... user_rating (ttft_ms and user_rating nullable)
  kString,   // error_kind
  kBytes,    // trace_id
};

// The event column spelled `name` (any case), or nullopt: then it is a label.
std::optional<Column> LookupColumn(std::string_view name);
// The numeric annotation column spelled `name` (value, threshold; any case).
std::optional<Column> LookupAnnotationColumn(std::string_view name);
std::string_view ColumnName(Column c);  // "latency_ms"
ColumnType TypeOf(Column c);
Field FieldOf(Column c);  // the storage field that holds it (events only)

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
std::string_view CompareOpText(CompareOp op);  // "<="

// ------------------------------------------------------------ expressions

// A boolean expression over one event: the argument of rate / burn_rate and
// an SLO's GOOD. Either a boolean column (`success`, `hallucinated`) or a
// numeric column compared with a literal (`latency_ms <= 2000`), possibly
// negated (an odd number of NOTs; NOT NOT b is b).
struct Predicate {
  Column column = Column::kSuccess;
  std::optional<CompareOp> op;  // nullopt: the boolean column itself
  double value = 0;             // the literal compared with (op set)
  bool negated = false;
  friend bool operator==(const Predicate&, const Predicate&) = default;
};

// The aggregate functions (zscore is a wrapper, see Aggregate).
enum class AggFn : uint8_t {
  kCount,
  kSum,
  kAvg,
  kMin,
  kMax,
  kStddev,
  kRate,
  kBurnRate,
  kQuantile,  // also p50 p90 p95 p99 p999
};

// One aggregate function applied to its arguments.
struct AggregateCall {
  AggFn fn = AggFn::kCount;
  std::optional<Column> column;        // sum avg min max stddev quantile: numeric
  std::optional<Predicate> predicate;  // rate, burn_rate
  double target = 0;                   // burn_rate: in (0, 1)
  double q = 0;                        // quantile: in [0, 1]
  bool exact = false;                  // quantile: nearest rank over raw events
  std::string spelled;                 // quantile: "p99" when so written, else empty
  friend bool operator==(const AggregateCall&, const AggregateCall&) = default;
};

// zscore(call, step, baseline): QUERY.md "Aggregates". baseline is a
// positive multiple of step.
struct ZScore {
  int64_t step_ns = 0;
  int64_t baseline_ns = 0;
  friend bool operator==(const ZScore&, const ZScore&) = default;
};

// An aggregate as written in a SELECT item or HAVING: a call, optionally
// wrapped in zscore (then `call` is zscore's first argument), optionally with
// its own window OVER d ending at the evaluation instant (never with zscore:
// its window is step + baseline).
struct Aggregate {
  AggregateCall call;
  std::optional<ZScore> zscore;
  std::optional<int64_t> over_ns;
  Position pos;
  // Whether it has a window of its own (OVER or zscore), needing no WHERE time.
  bool HasOwnWindow() const { return over_ns.has_value() || zscore.has_value(); }
  friend bool operator==(const Aggregate&, const Aggregate&) = default;
};

// An instant: an RFC 3339 string or integer ns, or now(), plus or minus
// durations (folded into `ns`). Absolute: `ns` is the instant; relative to
// now(): `ns` is the offset from it.
struct Instant {
  bool relative = false;
  int64_t ns = 0;
  Position pos;
  // The instant, given what now() is. InvalidArgument on int64 overflow.
  Result<int64_t> Resolve(int64_t now) const;
  friend bool operator==(const Instant&, const Instant&) = default;
};

// ------------------------------------------------------------------ SELECT

struct LabelRef {
  std::string name;
  friend bool operator==(const LabelRef&, const LabelRef&) = default;
};
struct BucketRef {
  int64_t step_ns = 0;  // bucket(step): epoch-aligned UTC buckets
  friend bool operator==(const BucketRef&, const BucketRef&) = default;
};

struct SelectItem {
  std::variant<LabelRef, BucketRef, Aggregate> expr;
  std::optional<std::string> alias;
  std::string name;  // the result column's name: the alias, else canonical text
  Position pos;
};

enum class Source : uint8_t { kTasks, kAnnotations };

// time >= t, time > t, time < t, time <= t.
struct TimeBound {
  CompareOp op = CompareOp::kGe;  // kGe, kGt, kLt or kLe
  Instant instant;
};

// WHERE: every part must hold.
struct WhereClause {
  std::vector<LabelMatcher> labels;  // regex matchers: full match, compiled once here
  std::vector<TimeBound> time;
  std::optional<int64_t> last_ns;  // time IN LAST d: [AT - d, AT); several: the shortest
  bool HasLowerTimeBound() const;
};

// A GROUP BY key: a label or a bucket, written directly or as the alias of a
// select item (resolved here).
struct GroupKey {
  std::variant<LabelRef, BucketRef> key;
  std::optional<size_t> item;  // the select item it is, if any
  Position pos;
};

// HAVING's leaves compare a select item (by alias) or an aggregate with a
// number; `number op item` is stored flipped as `item op' number`.
struct ItemRef {
  size_t index = 0;  // into SelectStmt::items; always an aggregate item
  friend bool operator==(const ItemRef&, const ItemRef&) = default;
};
struct HavingComparison {
  std::variant<ItemRef, Aggregate> lhs;
  CompareOp op = CompareOp::kGt;
  double rhs = 0;
};
struct HavingExpr {
  enum class Kind : uint8_t { kCompare, kAnd, kOr, kNot };
  Kind kind = Kind::kCompare;
  HavingComparison compare;          // kCompare
  std::vector<HavingExpr> operands;  // kAnd, kOr: two or more; kNot: one
  Position pos;
};

struct OrderKey {
  std::string name;            // an alias, a selected label or a group key label
  std::optional<size_t> item;  // the select item it names, if any
  bool descending = false;
  Position pos;
};

struct SelectStmt {
  std::vector<SelectItem> items;
  Source source = Source::kTasks;
  std::optional<Instant> at;  // evaluation instant; default now()
  WhereClause where;
  std::vector<GroupKey> group_by;
  std::optional<HavingExpr> having;
  std::vector<OrderKey> order_by;
  std::optional<int64_t> limit;  // >= 0
};

// EXPLAIN [ANALYZE] select: the plan (and with ANALYZE, what it read).
struct ExplainStmt {
  SelectStmt select;
  bool analyze = false;
};

// ------------------------------------------------------------ SRE statements

enum class AlertSeverity : uint8_t { kPage, kTicket };

// <burn> OVER <long> AND <short> PAGE|TICKET: fires when the burn rate is at
// least `burn` over both windows. short_ns <= long_ns.
struct BurnAlert {
  double burn = 0;  // > 0
  int64_t long_ns = 0;
  int64_t short_ns = 0;
  AlertSeverity severity = AlertSeverity::kPage;
  friend bool operator==(const BurnAlert&, const BurnAlert&) = default;
};

struct SloWindow {
  bool calendar_month = false;  // WINDOW CALENDAR MONTH (UTC months)
  int64_t rolling_ns = 0;       // WINDOW 30d; 0 when calendar_month
};

struct CreateSloStmt {
  std::string name;
  std::vector<LabelMatcher> selector;  // ON tasks WHERE (labels only)
  Predicate good;
  double target = 0;  // in (0, 1): TARGET 99.5% -> 0.995
  SloWindow window;
  std::vector<std::string> by;    // one budget per value group of these labels
  std::vector<BurnAlert> alerts;  // empty: the Workbook's default policy
};

enum class DetectorMethod : uint8_t { kZscore, kMad, kEwma, kSeasonal };

// DESIGN.md "Data model" annotation signal types.
enum class SignalType : uint8_t {
  kSloBreach,
  kErrorBudgetExhausted,
  kCostAnomaly,
  kLatencySpike,
  kToolFailureSpike,
  kPolicyViolation,
  kTrustRevocation,
};
std::optional<SignalType> LookupSignalType(std::string_view name);  // any case
std::string_view SignalTypeName(SignalType t);                      // "COST_ANOMALY"

struct CreateDetectorStmt {
  std::string name;
  std::vector<LabelMatcher> selector;
  std::vector<std::string> by;
  AggregateCall watch;  // evaluated over [t - every, t) at each step t
  int64_t every_ns = 0;
  DetectorMethod method = DetectorMethod::kZscore;
  std::optional<int64_t> baseline_ns;  // a multiple of every_ns
  double threshold = 0;
  SignalType signal = SignalType::kCostAnomaly;
};

// EVALUATE FROM t0 TO t1 [STEP d]: replays alert policies and detectors.
struct EvaluateStmt {
  Instant from;
  Instant to;
  std::optional<int64_t> step_ns;  // default chosen by the engine (1m)
};

struct ShowSlosStmt {};
struct ShowDetectorsStmt {};

// FROM t0 TO t1 STEP d.
struct TimeSeriesRange {
  Instant from;
  Instant to;
  int64_t step_ns = 0;
};

// SHOW SLO name [AT t] | SHOW SLO name FROM t0 TO t1 STEP d.
struct ShowSloStmt {
  std::string name;
  std::optional<Instant> at;
  std::optional<TimeSeriesRange> range;  // set: a series; then `at` is unset
};

struct ShowAlertsStmt {
  std::optional<Instant> at;
};

struct TimeRange {
  Instant from;
  Instant to;
};

struct ShowSignalsStmt {
  std::optional<TimeRange> range;
};

struct ShowIncidentsStmt {
  bool all = false;  // SHOW INCIDENTS ALL; default and OPEN: open ones only
};

// EXPLAIN BURN name [WHERE labels] OVER d [BASELINE d].
struct ExplainBurnStmt {
  std::string name;
  std::vector<LabelMatcher> selector;
  int64_t over_ns = 0;
  std::optional<int64_t> baseline_ns;
};

// TIMELINE WHERE labels FROM t0 TO t1.
struct TimelineStmt {
  std::vector<LabelMatcher> selector;
  TimeRange range;
};

struct DropStmt {
  enum class Kind : uint8_t { kSlo, kDetector };
  Kind kind = Kind::kSlo;
  std::string name;
};

using StatementNode =
    std::variant<SelectStmt, ExplainStmt, CreateSloStmt, CreateDetectorStmt, EvaluateStmt,
                 ShowSlosStmt, ShowDetectorsStmt, ShowSloStmt, ShowAlertsStmt,
                 ShowSignalsStmt, ShowIncidentsStmt, ExplainBurnStmt, TimelineStmt,
                 DropStmt>;

struct Statement {
  StatementNode node;
  Position pos;
  std::string text;  // the statement's source text, without the ';'
};

// ------------------------------------------------------------ canonical text

// Canonical spellings, used for result column names and messages; the
// parser reads each back to an equal node.
std::string FormatDuration(int64_t ns);  // 3600000000000 -> "1h"
std::string FormatNumber(double v);      // shortest round-trip form
std::string FormatPredicate(const Predicate& p);
std::string FormatAggregate(const Aggregate& a);  // "p99(latency_ms, exact) OVER 1h"

}  // namespace sredb::query

#endif  // SREDB_QUERY_AST_H_
