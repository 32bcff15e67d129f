// The query tests' oracle: an independent, deliberately simple and slow
// evaluator of a parsed SELECT (query/ast.h) over a plain list of events,
// following query/README.md "Semantics" line by line, and a comparator of
// its answers with the executor's ResultTable that applies each aggregate's
// documented precision (exact, 1e-9 relative, 1% for sketch quantiles).
//
// It shares no code with the executor: no Reader, no rollups, no sketches;
// every window is a filter over the event list, every figure is computed
// from scratch for every group and window. Only rollup::NearestRank (the
// rank rule the README names) comes from the storage layer.
//
// Also here, because the differential, SQLite and golden tests all need
// them: the random dataset the differential tests load (series of very
// different rates that start and stop, equal timestamps, partition edges,
// late events) and helpers to read events back and append them.
//
// Thread safety: stateless functions over plain values.
#ifndef SREDB_TESTS_QUERY_BRUTE_FORCE_H_
#define SREDB_TESTS_QUERY_BRUTE_FORCE_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "query/ast.h"
#include "query/query.h"
#include "storage/db.h"
#include "storage/event.h"

namespace sredb::query::testing {

// One event and the labels of its series.
struct LabeledEvent {
  Labels labels;
  Event event;
};

// How a brute-force cell is compared with the executor's value.
enum class Precision : uint8_t {
  kExact,           // bit-equal (counts, sums, rates, min, max, exact quantiles)
  kCostMicros,      // USD equal to the micro-USD integer `micros` (round(x·1e6))
  kRelative,        // |got - want| <= 1e-9·|want| (avg)
  kStddev,          // 1e-9 relative plus the cancellation bound `slack`
  kZscore,          // |got - want| <= 1e-9·max(|want|, 1)
  kSketchQuantile,  // |got - want| <= 1%·|want|, want the exact nearest rank
};

// One value of the oracle's answer.
struct Cell {
  bool null = true;
  ValueType type = ValueType::kInt64;
  int64_t i = 0;       // kInt64, kTime
  double d = 0;        // kDouble
  std::string s;       // kString
  int64_t micros = 0;  // kCostMicros: the exact micro-USD figure
  Precision precision = Precision::kExact;
  double slack = 0;  // kStddev: the absolute error the n-1 formula may add

  // The numeric value HAVING and ORDER BY compare (USD for costs).
  double AsDouble() const {
    return type == ValueType::kDouble ? d : static_cast<double>(i);
  }
};

struct BruteRow {
  std::vector<Cell> cells;      // one per select item
  std::vector<Cell> sort_keys;  // one per ORDER BY key
};

struct BruteTable {
  std::vector<std::string> names;  // result column names
  std::vector<ValueType> types;    // result column types
  std::vector<BruteRow> rows;      // every group, sorted by ORDER BY, before LIMIT
  std::optional<int64_t> limit;
};

// Evaluates `select` over `events` with now() = `now`. The events may be in
// any order. Errors: InvalidArgument for what the oracle does not model
// (FROM annotations).
Result<BruteTable> BruteForceSelect(const SelectStmt& select,
                                    const std::vector<LabeledEvent>& events, int64_t now);

// Parses `text` (which must be a SELECT) and evaluates it.
Result<BruteTable> BruteForce(std::string_view text,
                              const std::vector<LabeledEvent>& events, int64_t now);

// Compares the executor's answer with the oracle's: column names and types,
// the row count (LIMIT applied), each row matched to the oracle's by its
// group key columns (every GROUP BY key must be selected), every value at
// its precision, and the row order where ORDER BY fixes it (ties in any
// order; a LIMIT may cut a tie anywhere). Returns "" when they agree, else
// a description of the first disagreements.
std::string CompareTables(const SelectStmt& select, const BruteTable& want,
                          const ResultTable& got);

// Renders a table for failure messages (at most `max_rows` rows).
std::string DebugString(const BruteTable& t, size_t max_rows = 20);
std::string DebugString(const ResultTable& t, size_t max_rows = 20);

// The exact sum of float values, correctly rounded to double (Shewchuk's
// algorithm with Python's math.fsum final rounding).
double ExactFloatSum(const std::vector<float>& values);

// ---------------------------------------------------------------- datasets

// Every event the database holds, read back with DB::Scan.
Result<std::vector<LabeledEvent>> ScanEverything(DB* db);

// Appends `events` in batches of at most `batch` events.
Status AppendEvents(DB* db, const std::vector<LabeledEvent>& events, size_t batch = 4096);

// A random fleet for the differential tests, over [start, start + days·1d):
// agents a0..a5 with models and cohorts (some series lack `model`, some
// carry `env`); per series a rate from one every few hours to several a
// minute, and an active span that may start late and stop early; some
// events share a timestamp, some sit on or next to a multiple of
// `edge_ns` (the partition length). Events are returned in time order.
struct RandomFleetOptions {
  int64_t start = 0;
  int days = 3;
  int64_t edge_ns = 6 * 3600 * int64_t{1'000'000'000};
  double scale = 1.0;  // multiplies every rate
};
std::vector<LabeledEvent> RandomFleet(std::mt19937_64& rng,
                                      const RandomFleetOptions& options);

// One random event of series `labels` at `time`.
Event RandomTaskEvent(std::mt19937_64& rng, int64_t time);

}  // namespace sredb::query::testing

#endif  // SREDB_TESTS_QUERY_BRUTE_FORCE_H_
