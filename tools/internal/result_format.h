// Printing a query's ResultTable for people and programs: an aligned table,
// CSV (RFC 4180) or JSON (RFC 8259). Used by `sredb query` and `sredb shell`.
//
// Every format prints a cell the same way:
//   INT64   decimal;                          DOUBLE  shortest round-trip text
//   STRING  as stored (escaped per format);   TIME    RFC 3339 UTC, 2026-01-01T00:00:00Z
// A NULL is printed as empty in the table (as sqlite3 does) and in CSV, and
// as null in JSON; so is a non-finite double, which the engine never returns.
//
// table: a header line, a separator line, one line per row; columns are
//   separated by " | ", numbers right-aligned and other columns left-aligned
//   (headers too), widths in code points, no trailing spaces. Control
//   characters in strings are shown escaped (\n, \t, \x1b) so that rows stay
//   one line each. An empty result still prints its header.
// csv:   a header row then the rows, fields quoted when they contain a comma,
//   a quote, CR or LF (quotes doubled); an empty string is "" so that it
//   differs from NULL. Lines end with LF, not RFC 4180's CRLF: every CSV
//   reader accepts it, Unix tools want it, and `sredb gen` and `sredb ingest`
//   use it (DuckDB and PostgreSQL write LF too).
// json:  one array of objects, one object per line as sqlite3's json mode
//   prints it, keys the column names in column order; `[]` when empty.
//
// Thread safety: stateless functions over values.
#ifndef SREDB_TOOLS_INTERNAL_RESULT_FORMAT_H_
#define SREDB_TOOLS_INTERNAL_RESULT_FORMAT_H_

#include <optional>
#include <string>
#include <string_view>

#include "query/query.h"

namespace sredb::tools {

enum class OutputFormat { kTable, kCsv, kJson };

// "table", "csv" or "json"; nullopt for anything else.
std::optional<OutputFormat> ParseOutputFormat(std::string_view name);
std::string_view OutputFormatName(OutputFormat format);

// Appends `table` printed in `format` to `out`; the text ends with a newline
// unless the table has no columns (then nothing is appended).
void AppendResult(const query::ResultTable& table, OutputFormat format, std::string* out);

}  // namespace sredb::tools

#endif  // SREDB_TOOLS_INTERNAL_RESULT_FORMAT_H_
