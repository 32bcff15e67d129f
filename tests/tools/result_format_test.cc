// AppendResult: exact text of small hand-built results in each format
// (alignment, CSV quoting, JSON escaping, NULLs, times, doubles).
#include "tools/internal/result_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "storage/rfc3339.h"

namespace sredb::tools {
namespace {

using query::ResultColumn;
using query::ResultTable;
using query::ValueType;

template <typename T>
ResultColumn Column(std::string name, ValueType type,
                    const std::vector<std::optional<T>>& values) {
  ResultColumn c;
  c.name = std::move(name);
  c.type = type;
  for (const auto& v : values) {
    c.nulls.push_back(!v.has_value());
    if constexpr (std::is_same_v<T, int64_t>) c.ints.push_back(v.value_or(0));
    if constexpr (std::is_same_v<T, double>) c.doubles.push_back(v.value_or(0));
    if constexpr (std::is_same_v<T, std::string>) c.strings.push_back(v.value_or(""));
  }
  return c;
}

ResultColumn Ints(std::string name, std::vector<std::optional<int64_t>> v) {
  return Column(std::move(name), ValueType::kInt64, v);
}
ResultColumn Doubles(std::string name, std::vector<std::optional<double>> v) {
  return Column(std::move(name), ValueType::kDouble, v);
}
ResultColumn Strings(std::string name, std::vector<std::optional<std::string>> v) {
  return Column(std::move(name), ValueType::kString, v);
}
ResultColumn Times(std::string name, std::vector<std::optional<std::string>> v) {
  std::vector<std::optional<int64_t>> ns;
  for (const auto& s : v)
    ns.push_back(s ? std::optional(ParseRfc3339(*s).value()) : std::nullopt);
  return Column(std::move(name), ValueType::kTime, ns);
}

ResultTable Table(std::vector<ResultColumn> columns) {
  ResultTable t;
  t.rows = columns.empty() ? 0 : columns[0].nulls.size();
  t.columns = std::move(columns);
  return t;
}

std::string Print(const ResultTable& t, OutputFormat format) {
  std::string out;
  AppendResult(t, format, &out);
  return out;
}

ResultTable Mixed() {
  return Table({Strings("agent", {"a", "agent-7", std::nullopt}),
                Ints("count()", {3, 12345, std::nullopt}),
                Doubles("rate", {0.5, std::nullopt, 0.1}),
                Times("bucket",
                      {"2026-01-01T00:00:00Z", "2026-01-01T01:00:00.5Z", std::nullopt})});
}

TEST(ResultFormat, ParsesFormatNames) {
  EXPECT_EQ(ParseOutputFormat("table"), OutputFormat::kTable);
  EXPECT_EQ(ParseOutputFormat("csv"), OutputFormat::kCsv);
  EXPECT_EQ(ParseOutputFormat("json"), OutputFormat::kJson);
  EXPECT_EQ(ParseOutputFormat("JSON"), std::nullopt);
  EXPECT_EQ(ParseOutputFormat(""), std::nullopt);
  EXPECT_EQ(OutputFormatName(OutputFormat::kCsv), "csv");
}

TEST(ResultFormatTable, AlignsNumbersRightAndTextLeft) {
  EXPECT_EQ(Print(Mixed(), OutputFormat::kTable),
            "agent   | count() | rate | bucket\n"
            "--------+---------+------+-------------------------\n"
            "a       |       3 |  0.5 | 2026-01-01T00:00:00Z\n"
            "agent-7 |   12345 |      | 2026-01-01T01:00:00.500Z\n"
            "        |         |  0.1 |\n");
}

TEST(ResultFormatTable, EmptyResultPrintsItsHeader) {
  ResultTable t = Table({Strings("agent", {}), Ints("n", {})});
  EXPECT_EQ(Print(t, OutputFormat::kTable), "agent | n\n------+--\n");
}

TEST(ResultFormatTable, NoColumnsPrintsNothing) {
  EXPECT_EQ(Print(ResultTable(), OutputFormat::kTable), "");
  EXPECT_EQ(Print(ResultTable(), OutputFormat::kJson), "");
}

TEST(ResultFormatTable, WidthsCountCodePoints) {
  ResultTable t = Table({Strings("é", {"日本語", "x"}), Ints("n", {1, 22})});
  EXPECT_EQ(Print(t, OutputFormat::kTable),
            "é   |  n\n"
            "----+---\n"
            "日本語 |  1\n"
            "x   | 22\n");
}

TEST(ResultFormatTable, EscapesControlCharacters) {
  ResultTable t = Table({Strings("s", {std::string("a\nb\tc\x1b"), "d"})});
  EXPECT_EQ(Print(t, OutputFormat::kTable),
            "s\n"
            "-----------\n"
            "a\\nb\\tc\\x1b\n"
            "d\n");
}

TEST(ResultFormatCsv, QuotesOnlyWhereNeeded) {
  ResultTable t = Table({Strings("a,b", {"plain", "x,y", "say \"hi\"", "two\nlines",
                                         "cr\r", "", std::nullopt}),
                         Ints("n", {1, 2, 3, 4, 5, 6, std::nullopt})});
  EXPECT_EQ(Print(t, OutputFormat::kCsv),
            "\"a,b\",n\n"
            "plain,1\n"
            "\"x,y\",2\n"
            "\"say \"\"hi\"\"\",3\n"
            "\"two\nlines\",4\n"
            "\"cr\r\",5\n"
            "\"\",6\n"
            ",\n");
}

TEST(ResultFormatCsv, PrintsEveryTypeAndNull) {
  EXPECT_EQ(Print(Mixed(), OutputFormat::kCsv),
            "agent,count(),rate,bucket\n"
            "a,3,0.5,2026-01-01T00:00:00Z\n"
            "agent-7,12345,,2026-01-01T01:00:00.500Z\n"
            ",,0.1,\n");
}

TEST(ResultFormatCsv, DoublesUseShortestRoundTripText) {
  ResultTable t = Table({Doubles("v", {0.1 + 0.2, 1e21, -0.0, 5, 1.0 / 3, 2.5e-7})});
  EXPECT_EQ(Print(t, OutputFormat::kCsv),
            "v\n0.30000000000000004\n1e+21\n-0\n5\n0.3333333333333333\n2.5e-07\n");
}

TEST(ResultFormatJson, PrintsOneObjectPerRowInColumnOrder) {
  EXPECT_EQ(Print(Mixed(), OutputFormat::kJson),
            "[{\"agent\":\"a\",\"count()\":3,\"rate\":0.5,"
            "\"bucket\":\"2026-01-01T00:00:00Z\"},\n"
            "{\"agent\":\"agent-7\",\"count()\":12345,\"rate\":null,"
            "\"bucket\":\"2026-01-01T01:00:00.500Z\"},\n"
            "{\"agent\":null,\"count()\":null,\"rate\":0.1,\"bucket\":null}]\n");
}

TEST(ResultFormatJson, EmptyResultIsAnEmptyArray) {
  EXPECT_EQ(Print(Table({Ints("n", {})}), OutputFormat::kJson), "[]\n");
}

TEST(ResultFormatJson, EscapesStringsPerRfc8259) {
  ResultTable t = Table({Strings("k\"ey", {std::string("q\" b\\ n\n t\t \x01 \x7f é")})});
  EXPECT_EQ(Print(t, OutputFormat::kJson),
            "[{\"k\\\"ey\":\"q\\\" b\\\\ n\\n t\\t \\u0001 \x7f é\"}]\n");
}

TEST(ResultFormatJson, NonFiniteDoublesAreNull) {
  const double inf = std::numeric_limits<double>::infinity();
  ResultTable t = Table({Doubles("v", {inf, -inf, std::nan(""), 1.5})});
  EXPECT_EQ(Print(t, OutputFormat::kJson),
            "[{\"v\":null},\n{\"v\":null},\n{\"v\":null},\n{\"v\":1.5}]\n");
  EXPECT_EQ(Print(t, OutputFormat::kCsv), "v\n\n\n\n1.5\n");
}

}  // namespace
}  // namespace sredb::tools
