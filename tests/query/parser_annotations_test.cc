// FROM annotations: what parses (row listings, aggregates of value and
// threshold, groups by labels, type and buckets) and what is refused, with
// line:column.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "parse_test_util.h"

namespace sredb::query {
namespace {

TEST(ParseAnnotations, ARowListingSelectsFieldsAndLabels) {
  const SelectStmt s = ParseAs<SelectStmt>(
      "SELECT time, type, agent, detail, value, threshold FROM annotations "
      "WHERE time IN LAST 7d ORDER BY time DESC, agent LIMIT 50");
  EXPECT_EQ(s.source, Source::kAnnotations);
  ASSERT_EQ(s.items.size(), 6u);
  const char* names[] = {"time", "type", "agent", "detail", "value", "threshold"};
  for (size_t i = 0; i < 6; ++i) {
    const auto* l = std::get_if<LabelRef>(&s.items[i].expr);
    ASSERT_NE(l, nullptr) << i;
    EXPECT_EQ(l->name, names[i]);
    EXPECT_EQ(s.items[i].name, names[i]);
  }
  ASSERT_EQ(s.order_by.size(), 2u);
  EXPECT_EQ(s.order_by[0].name, "time");
  EXPECT_EQ(s.order_by[0].item, 0u);
  EXPECT_TRUE(s.order_by[0].descending);
  EXPECT_EQ(s.limit, 50);
  EXPECT_EQ(*s.where.last_ns, 7 * kDay);
}

TEST(ParseAnnotations, ARowListingMayOrderByFieldsItDoesNotSelect) {
  const SelectStmt s = ParseAs<SelectStmt>(
      "SELECT detail AS d FROM annotations WHERE type IN ('DEPLOY', 'ROLLBACK') "
      "AND detail ~ '.*canary.*' AND time >= '2026-03-01T00:00:00Z' ORDER BY time, "
      "model");
  ExpectMatchers(s.where.labels,
                 {Matcher("type", LabelMatcher::Op::kIn, {"DEPLOY", "ROLLBACK"}),
                  Matcher("detail", LabelMatcher::Op::kRegex, {".*canary.*"})});
  ASSERT_EQ(s.order_by.size(), 2u);
  EXPECT_EQ(s.order_by[0].name, "time");
  EXPECT_FALSE(s.order_by[0].item.has_value());
  EXPECT_EQ(s.order_by[1].name, "model");
}

TEST(ParseAnnotations, AggregatesOfValueAndThresholdGroupedByTypeAndBucket) {
  const SelectStmt s = ParseAs<SelectStmt>(
      "SELECT type, bucket(1h) AS hour, count(), sum(value), avg(value), min(threshold), "
      "max(VALUE), stddev(value) OVER 1d AS sd FROM annotations AT "
      "'2026-03-31T00:00:00Z' WHERE time IN LAST 7d GROUP BY type, hour "
      "HAVING count() > 1 ORDER BY sd DESC");
  ASSERT_EQ(s.items.size(), 8u);
  EXPECT_EQ(s.items[2].name, "count()");
  EXPECT_EQ(s.items[3].name, "sum(value)");
  EXPECT_EQ(AggOf(s.items[3]).call.column, Column::kValue);
  EXPECT_EQ(s.items[5].name, "min(threshold)");
  EXPECT_EQ(AggOf(s.items[5]).call.column, Column::kThreshold);
  EXPECT_EQ(s.items[6].name, "max(value)");
  EXPECT_EQ(AggOf(s.items[7]).over_ns, kDay);
  ASSERT_EQ(s.group_by.size(), 2u);
  EXPECT_EQ(std::get<LabelRef>(s.group_by[0].key).name, "type");
  EXPECT_EQ(std::get<BucketRef>(s.group_by[1].key).step_ns, kHour);
  // With its own window an aggregate needs no WHERE time.
  ParseAs<SelectStmt>("SELECT count() OVER 1h FROM annotations");
}

TEST(ParseAnnotations, ValueAndThresholdStayLabelsForTasks) {
  const SelectStmt s = ParseAs<SelectStmt>(
      "SELECT value, count() FROM tasks WHERE time IN LAST 1d GROUP BY value");
  EXPECT_EQ(std::get<LabelRef>(s.items[0].expr).name, "value");
  EXPECT_EQ(ErrorOf("SELECT sum(value) FROM tasks WHERE time IN LAST 1d"),
            "1:12: unknown column 'value'");
}

TEST(ParseAnnotations, RefusesWhatAnnotationsDoNotHave) {
  const std::pair<const char*, const char*> cases[] = {
      {"SELECT latency_ms FROM annotations WHERE time IN LAST 1d",
       "1:8: expected a label, bucket(step) or an aggregate, got 'latency_ms', a column "
       "of tasks (annotations have time, type, detail, value, threshold and labels)"},
      {"SELECT sum(cost_usd) FROM annotations WHERE time IN LAST 1d",
       "1:12: 'cost_usd' is a column of tasks: FROM annotations aggregates value or "
       "threshold"},
      {"SELECT p99(value) FROM annotations WHERE time IN LAST 1d",
       "1:8: FROM annotations takes count() and sum, avg, min, max or stddev of value or "
       "threshold: p99(value) needs FROM tasks"},
      {"SELECT zscore(count(), 1h, 1d) FROM annotations",
       "1:8: FROM annotations takes count() and sum, avg, min, max or stddev of value or "
       "threshold: zscore(count(), 1h, 1d) needs FROM tasks"},
      {"SELECT time, type FROM annotations",
       "1:1: the query has no time bound: add WHERE time >= <instant>, WHERE time IN "
       "LAST <duration> or OVER <duration>"},
      {"SELECT time, count() FROM annotations WHERE time IN LAST 1d",
       "1:8: 'time' is neither aggregated nor in GROUP BY"},
      {"SELECT bucket(1h) FROM annotations WHERE time IN LAST 1d",
       "1:8: 'bucket(1h)' is neither aggregated nor in GROUP BY"},
      {"SELECT count() FROM annotations WHERE time IN LAST 1d GROUP BY threshold",
       "1:64: cannot GROUP BY 'threshold': aggregate it (avg(threshold))"},
      {"SELECT count() FROM annotations WHERE value = '3' AND time IN LAST 1d",
       "1:39: WHERE cannot test 'value': it filters annotations by label, type, detail "
       "and time"},
      {"SELECT type FROM annotations WHERE time IN LAST 1d ORDER BY latency_ms",
       "1:61: expected an alias or label after ORDER BY, got column 'latency_ms'"},
      {"SELECT type, count() FROM annotations WHERE time IN LAST 1d GROUP BY type "
       "ORDER BY time",
       "1:84: expected an alias or label after ORDER BY, got column 'time'"},
      {"SELECT time FROM tasks WHERE time IN LAST 1d",
       "1:8: expected a label, bucket(step) or an aggregate, got 'time' (use "
       "bucket(step))"},
  };
  for (const auto& [text, error] : cases) EXPECT_EQ(ErrorOf(text), error) << text;
}

TEST(ParseAnnotations, TheLookAheadStopsAtTheStatementEnd) {
  // In a script, a later statement's FROM annotations changes nothing.
  Result<std::vector<Statement>> r = ParseScript(
      "SELECT sum(value) FROM tasks WHERE time IN LAST 1d; "
      "SELECT count() FROM annotations WHERE time IN LAST 1d");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "1:12: unknown column 'value'");
  // EXPLAIN reads the same SELECT.
  EXPECT_EQ(ParseAs<ExplainStmt>(
                "EXPLAIN SELECT time, detail FROM annotations WHERE time IN LAST 1d")
                .select.source,
            Source::kAnnotations);
}

TEST(ParseAnnotations, EveryExampleOfTheReadmeSectionParses) {
  std::ifstream in(std::string(SREDB_SOURCE_DIR) + "/query/README.md");
  ASSERT_TRUE(in.good());
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  size_t at = text.find("## FROM annotations");
  const size_t section_end = text.find("\n## ", at + 1);
  ASSERT_NE(at, std::string::npos);
  size_t statements = 0;
  while ((at = text.find("```sql\n", at)) < section_end) {
    at += 7;
    const size_t end = text.find("```", at);
    Result<std::vector<Statement>> r = ParseScript(text.substr(at, end - at));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const Statement& st : *r) {
      const auto* select = std::get_if<SelectStmt>(&st.node);
      ASSERT_NE(select, nullptr) << st.text;
      EXPECT_EQ(select->source, Source::kAnnotations) << st.text;
    }
    statements += r->size();
    at = end + 3;
  }
  EXPECT_EQ(statements, 6u);
}

}  // namespace
}  // namespace sredb::query
