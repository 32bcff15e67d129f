// Printing a ResultTable as a table, CSV or JSON (result_format.h).
#include "tools/internal/result_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include "storage/rfc3339.h"

namespace sredb::tools {
namespace {

using query::ResultColumn;
using query::ResultTable;
using query::ValueType;

// False where the cell prints as NULL: a NULL, or a double that is not finite.
bool HasValue(const ResultColumn& c, size_t row) {
  if (c.IsNull(row)) return false;
  return c.type != ValueType::kDouble || std::isfinite(c.doubles[row]);
}

// Appends the text of a cell that HasValue, unescaped.
void AppendValue(const ResultColumn& c, size_t row, std::string* out) {
  char buf[32];  // the longest int64 or shortest-round-trip double is 24
  std::to_chars_result r{buf, {}};
  switch (c.type) {
    case ValueType::kInt64:
      r = std::to_chars(buf, buf + sizeof buf, c.ints[row]);
      break;
    case ValueType::kDouble:
      r = std::to_chars(buf, buf + sizeof buf, c.doubles[row]);
      break;
    case ValueType::kString:
      out->append(c.strings[row]);
      return;
    case ValueType::kTime:
      AppendRfc3339(out, c.ints[row]);
      return;
  }
  out->append(buf, r.ptr);
}

// --- table ---

bool RightAligned(ValueType t) {
  return t == ValueType::kInt64 || t == ValueType::kDouble;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Appends `s` with control characters escaped, so that a row stays one line.
void AppendVisible(std::string_view s, std::string* out) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '\n') {
      out->append("\\n");
    } else if (ch == '\t') {
      out->append("\\t");
    } else if (ch == '\r') {
      out->append("\\r");
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out->append(buf);
    } else {
      out->push_back(ch);
    }
  }
}

// Sets `text` to what the table shows for a cell: empty for NULL.
void TableCell(const ResultColumn& c, size_t row, std::string* text) {
  text->clear();
  if (!HasValue(c, row)) return;
  if (c.type != ValueType::kString) return AppendValue(c, row, text);
  AppendVisible(c.strings[row], text);
}

void AppendPadded(std::string_view text, size_t width, bool right, std::string* out) {
  const size_t pad = width - CodePoints(text);
  if (right) out->append(pad, ' ');
  out->append(text);
  if (!right) out->append(pad, ' ');
}

// Ends a line of the table, dropping the padding after its last cell.
void EndLine(std::string* out) {
  while (!out->empty() && out->back() == ' ') out->pop_back();
  out->push_back('\n');
}

void AppendTable(const ResultTable& t, std::string* out) {
  // Two passes over the cells (widths, then lines) instead of holding every
  // cell's text: a result may have millions of rows.
  std::string text;
  std::vector<std::string> headers(t.columns.size());
  std::vector<size_t> widths(t.columns.size());
  for (size_t i = 0; i < t.columns.size(); ++i) {
    AppendVisible(t.columns[i].name, &headers[i]);
    widths[i] = CodePoints(headers[i]);
    for (size_t row = 0; row < t.rows; ++row) {
      TableCell(t.columns[i], row, &text);
      widths[i] = std::max(widths[i], CodePoints(text));
    }
  }
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (i) out->append(" | ");
    AppendPadded(headers[i], widths[i], RightAligned(t.columns[i].type), out);
  }
  EndLine(out);
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (i) out->append("-+-");
    out->append(widths[i], '-');
  }
  EndLine(out);
  for (size_t row = 0; row < t.rows; ++row) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (i) out->append(" | ");
      TableCell(t.columns[i], row, &text);
      AppendPadded(text, widths[i], RightAligned(t.columns[i].type), out);
    }
    EndLine(out);
  }
}

// --- csv ---

void AppendCsvField(std::string_view s, std::string* out) {
  if (!s.empty() && s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(s);
    return;
  }
  out->push_back('"');
  for (char c : s) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendCsv(const ResultTable& t, std::string* out) {
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (i) out->push_back(',');
    AppendCsvField(t.columns[i].name, out);
  }
  out->push_back('\n');
  for (size_t row = 0; row < t.rows; ++row) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const ResultColumn& c = t.columns[i];
      if (i) out->push_back(',');
      if (!HasValue(c, row)) continue;
      if (c.type == ValueType::kString) {
        AppendCsvField(c.strings[row], out);
      } else {
        AppendValue(c, row, out);
      }
    }
    out->push_back('\n');
  }
}

// --- json ---

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

void AppendJson(const ResultTable& t, std::string* out) {
  out->push_back('[');
  for (size_t row = 0; row < t.rows; ++row) {
    if (row) out->append(",\n");
    out->push_back('{');
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const ResultColumn& c = t.columns[i];
      if (i) out->push_back(',');
      AppendJsonString(c.name, out);
      out->push_back(':');
      if (!HasValue(c, row)) {
        out->append("null");
      } else if (c.type == ValueType::kString) {
        AppendJsonString(c.strings[row], out);
      } else if (c.type == ValueType::kTime) {
        AppendJsonString(FormatRfc3339(c.ints[row]), out);
      } else {
        AppendValue(c, row, out);
      }
    }
    out->push_back('}');
  }
  out->append("]\n");
}

}  // namespace

std::optional<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "json") return OutputFormat::kJson;
  return std::nullopt;
}

std::string_view OutputFormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::kTable:
      return "table";
    case OutputFormat::kCsv:
      return "csv";
    case OutputFormat::kJson:
      return "json";
  }
  return "?";
}

void AppendResult(const ResultTable& table, OutputFormat format, std::string* out) {
  if (table.columns.empty()) return;
  switch (format) {
    case OutputFormat::kTable:
      return AppendTable(table, out);
    case OutputFormat::kCsv:
      return AppendCsv(table, out);
    case OutputFormat::kJson:
      return AppendJson(table, out);
  }
}

}  // namespace sredb::tools
