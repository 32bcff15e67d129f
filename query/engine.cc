// query::Execute: statements in, typed tables out (query/query.h).
#include <chrono>
#include <string>
#include <type_traits>
#include <variant>

#include "query/internal/select_exec.h"
#include "query/parser.h"
#include "query/query.h"

namespace sredb::query {
namespace {

int64_t WallClockNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<ResultTable> RunSelect(DB* db, const SelectStmt& select, int64_t now,
                              const QueryOptions& options, internal::ExplainMode mode) {
  Result<std::unique_ptr<Reader>> reader = db->NewReader();
  if (!reader.ok()) return reader.status();
  return internal::RunSelect(reader->get(), select, now, options, mode);
}

}  // namespace

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kInt64:
      return "INT64";
    case ValueType::kDouble:
      return "DOUBLE";
    case ValueType::kString:
      return "STRING";
    case ValueType::kTime:
      return "TIME";
  }
  return "";
}

Result<ResultTable> Execute(DB* db, std::string_view statement,
                            const QueryOptions& options) {
  Result<Statement> parsed = Parse(statement);
  if (!parsed.ok()) return parsed.status();
  return Execute(db, *parsed, options);
}

Result<ResultTable> Execute(DB* db, const Statement& statement,
                            const QueryOptions& options) {
  const int64_t now = options.now.value_or(WallClockNs());
  if (const auto* select = std::get_if<SelectStmt>(&statement.node)) {
    return RunSelect(db, *select, now, options, internal::ExplainMode::kNone);
  }
  if (const auto* explain = std::get_if<ExplainStmt>(&statement.node)) {
    return RunSelect(db, explain->select, now, options,
                     explain->analyze ? internal::ExplainMode::kAnalyze
                                      : internal::ExplainMode::kPlan);
  }
  return Status::NotSupported(std::to_string(statement.pos.line) + ":" +
                              std::to_string(statement.pos.column) +
                              ": SRE statements (CREATE SLO, SHOW ..., EVALUATE, ...) "
                              "run in the SLO engine, which is not built yet");
}

}  // namespace sredb::query
