// Running statements of the query language (QUERY.md, query/README.md)
// against a database, with typed results.
//
//   sredb::query::QueryOptions options;
//   auto table = sredb::query::Execute(db.get(),
//       "SELECT agent, rate(success) FROM tasks WHERE time IN LAST 1d GROUP BY agent",
//       options);
//   if (!table.ok()) { puts(table.status().ToString().c_str()); return; }
//   for (size_t row = 0; row < table->rows; ++row) ...
//
// Every SELECT reads one consistent cut of the database (DB::NewReader);
// answers are exact as DESIGN.md's exactness contract says, whichever tier
// (1 h rollups, 1 min rollups, raw chunks, head) the planner picks.
// `EXPLAIN [ANALYZE] SELECT ...` returns the plan as a one-column table.
//
// Errors: InvalidArgument "line:column: ..." for text that does not parse or
// plan; NotFound when retention has dropped data a window needs; Cancelled
// when QueryOptions::cancel was set; ResourceExhausted when the query needs
// more memory than QueryOptions::memory_limit_bytes. SRE statements (CREATE
// SLO, SHOW ...) are NotSupported until the SLO layer runs them.
//
// Thread safety: Execute may be called from many threads at once on the same
// DB, beside writers; a ResultTable is a plain value.
#ifndef SREDB_QUERY_QUERY_H_
#define SREDB_QUERY_QUERY_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "query/ast.h"
#include "storage/db.h"
#include "storage/status.h"

namespace sredb::query {

enum class ValueType : uint8_t {
  kInt64,   // counts, integer sums, min/max of integer columns
  kDouble,  // ratios, averages, USD, latencies, quantiles
  kString,  // label values, EXPLAIN lines
  kTime,    // bucket starts: int64 ns since the Unix epoch, UTC
};
std::string_view ValueTypeName(ValueType t);  // "INT64", "DOUBLE", "STRING", "TIME"

// One result column: its name (the alias, else the canonical text of the
// item), its type, and one value per row. Only the vector of its type is
// filled; `nulls[row]` is 1 where the value is NULL (the typed vector then
// holds 0 or "").
struct ResultColumn {
  std::string name;
  ValueType type = ValueType::kInt64;
  std::vector<int64_t> ints;         // kInt64, kTime
  std::vector<double> doubles;       // kDouble
  std::vector<std::string> strings;  // kString
  std::vector<uint8_t> nulls;

  bool IsNull(size_t row) const { return nulls[row] != 0; }
};

struct ResultTable {
  std::vector<ResultColumn> columns;
  size_t rows = 0;
};

struct QueryOptions {
  // What now() means; default: the wall clock when the statement starts.
  std::optional<int64_t> now;
  // The most memory one statement may hold for groups, windows and values
  // (exact quantiles keep every value); beyond it: ResourceExhausted.
  uint64_t memory_limit_bytes = uint64_t{512} << 20;
  // Set to true from any thread to stop the statement: Cancelled.
  const std::atomic<bool>* cancel = nullptr;
};

// Parses and runs one statement.
Result<ResultTable> Execute(DB* db, std::string_view statement,
                            const QueryOptions& options = {});
// Runs a parsed statement.
Result<ResultTable> Execute(DB* db, const Statement& statement,
                            const QueryOptions& options = {});

}  // namespace sredb::query

#endif  // SREDB_QUERY_QUERY_H_
