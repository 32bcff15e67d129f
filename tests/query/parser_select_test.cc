// Parser: the normative SELECT examples of QUERY.md (Q1-Q5) and the other
// SELECT constructs, checked node by node.
#include <gtest/gtest.h>

#include <limits>

#include "tests/query/parse_test_util.h"

namespace sredb::query {
namespace {

using Op = LabelMatcher::Op;

TEST(ParseSelect, Q1SuccessRatioOfOneAgent) {
  const SelectStmt s = ParseAs<SelectStmt>(R"(
-- Q1 30-day success ratio of one agent
SELECT rate(success) FROM tasks
WHERE agent = 'agent-0042' AND time >= '2026-03-01T00:00:00Z' AND time < '2026-03-31T00:00:00Z';
)");
  ASSERT_EQ(s.items.size(), 1u);
  const Aggregate& a = AggOf(s.items[0]);
  EXPECT_EQ(a.call.fn, AggFn::kRate);
  ASSERT_TRUE(a.call.predicate.has_value());
  EXPECT_EQ(*a.call.predicate, (Predicate{Column::kSuccess, std::nullopt, 0, false}));
  EXPECT_FALSE(a.over_ns.has_value());
  EXPECT_FALSE(a.zscore.has_value());
  EXPECT_EQ(a.pos, (Position{3, 8}));
  EXPECT_EQ(s.items[0].name, "rate(success)");
  EXPECT_EQ(s.source, Source::kTasks);
  EXPECT_FALSE(s.at.has_value());
  ExpectMatchers(s.where.labels, {Matcher("agent", Op::kEq, {"agent-0042"})});
  ASSERT_EQ(s.where.time.size(), 2u);
  EXPECT_EQ(s.where.time[0].op, CompareOp::kGe);
  EXPECT_EQ(s.where.time[0].instant,
            (Instant{false, Ns("2026-03-01T00:00:00Z"), {4, 40}}));
  EXPECT_EQ(s.where.time[1].op, CompareOp::kLt);
  EXPECT_EQ(s.where.time[1].instant.ns, Ns("2026-03-31T00:00:00Z"));
  EXPECT_FALSE(s.where.last_ns.has_value());
  EXPECT_TRUE(s.group_by.empty());
  EXPECT_FALSE(s.having.has_value());
  EXPECT_TRUE(s.order_by.empty());
  EXPECT_FALSE(s.limit.has_value());
}

TEST(ParseSelect, Q2MultiwindowBurnRates) {
  const SelectStmt s = ParseAs<SelectStmt>(R"(
SELECT agent,
       burn_rate(success, 0.99) OVER 5m AS br_5m,
       burn_rate(success, 0.99) OVER 1h AS br_1h,
       burn_rate(success, 0.99) OVER 6h AS br_6h,
       burn_rate(success, 0.99) OVER 3d AS br_3d
FROM tasks AT '2026-03-31T00:00:00Z'
GROUP BY agent ORDER BY br_1h DESC LIMIT 10;)");
  ASSERT_EQ(s.items.size(), 5u);
  EXPECT_EQ(std::get<LabelRef>(s.items[0].expr).name, "agent");
  EXPECT_EQ(s.items[0].name, "agent");
  const int64_t windows[] = {5 * kMin, kHour, 6 * kHour, 3 * kDay};
  const char* aliases[] = {"br_5m", "br_1h", "br_6h", "br_3d"};
  for (int i = 0; i < 4; ++i) {
    const Aggregate& a = AggOf(s.items[i + 1]);
    EXPECT_EQ(a.call.fn, AggFn::kBurnRate);
    EXPECT_EQ(a.call.predicate->column, Column::kSuccess);
    EXPECT_EQ(a.call.target, 0.99);
    EXPECT_EQ(a.over_ns, windows[i]);
    EXPECT_EQ(s.items[i + 1].alias, aliases[i]);
    EXPECT_EQ(s.items[i + 1].name, aliases[i]);
    EXPECT_TRUE(a.HasOwnWindow());
  }
  EXPECT_EQ(FormatAggregate(AggOf(s.items[2])), "burn_rate(success, 0.99) OVER 1h");
  ASSERT_TRUE(s.at.has_value());
  EXPECT_EQ(s.at->ns, Ns("2026-03-31T00:00:00Z"));
  EXPECT_FALSE(s.at->relative);
  EXPECT_TRUE(s.where.labels.empty());
  EXPECT_TRUE(s.where.time.empty());
  ASSERT_EQ(s.group_by.size(), 1u);
  EXPECT_EQ(std::get<LabelRef>(s.group_by[0].key).name, "agent");
  EXPECT_EQ(s.group_by[0].item, 0u);
  ASSERT_EQ(s.order_by.size(), 1u);
  EXPECT_EQ(s.order_by[0].name, "br_1h");
  EXPECT_EQ(s.order_by[0].item, 2u);
  EXPECT_TRUE(s.order_by[0].descending);
  EXPECT_EQ(s.limit, 10);
}

TEST(ParseSelect, Q3HourlySeries) {
  const SelectStmt s = ParseAs<SelectStmt>(R"(
SELECT bucket(1h) AS hour, count(), rate(success), p99(latency_ms), sum(cost_usd)
FROM tasks
WHERE agent = 'agent-0042' AND time >= '2026-03-01T00:00:00Z' AND time < '2026-03-31T00:00:00Z'
GROUP BY hour;)");
  ASSERT_EQ(s.items.size(), 5u);
  EXPECT_EQ(std::get<BucketRef>(s.items[0].expr).step_ns, kHour);
  EXPECT_EQ(s.items[0].alias, "hour");
  EXPECT_EQ(AggOf(s.items[1]).call.fn, AggFn::kCount);
  EXPECT_EQ(AggOf(s.items[2]).call.fn, AggFn::kRate);
  const AggregateCall& p99 = AggOf(s.items[3]).call;
  EXPECT_EQ(p99.fn, AggFn::kQuantile);
  EXPECT_EQ(p99.column, Column::kLatencyMs);
  EXPECT_EQ(p99.q, 0.99);
  EXPECT_FALSE(p99.exact);
  EXPECT_EQ(p99.spelled, "p99");
  const AggregateCall& sum = AggOf(s.items[4]).call;
  EXPECT_EQ(sum.fn, AggFn::kSum);
  EXPECT_EQ(sum.column, Column::kCostUsd);
  const std::vector<std::string> names = {"hour", "count()", "rate(success)",
                                          "p99(latency_ms)", "sum(cost_usd)"};
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(s.items[i].name, names[i]);
  ASSERT_EQ(s.group_by.size(), 1u);
  EXPECT_EQ(std::get<BucketRef>(s.group_by[0].key).step_ns, kHour);
  EXPECT_EQ(s.group_by[0].item, 0u);
  EXPECT_EQ(s.group_by[0].pos, (Position{5, 10}));
  EXPECT_EQ(s.where.time.size(), 2u);
}

TEST(ParseSelect, Q4CostAnomalies) {
  const SelectStmt s = ParseAs<SelectStmt>(R"(
SELECT agent, zscore(sum(cost_usd), 1h, 7d) AS z
FROM tasks AT '2026-03-31T00:00:00Z'
GROUP BY agent HAVING z > 3;)");
  ASSERT_EQ(s.items.size(), 2u);
  const Aggregate& z = AggOf(s.items[1]);
  EXPECT_EQ(z.call.fn, AggFn::kSum);
  EXPECT_EQ(z.call.column, Column::kCostUsd);
  ASSERT_TRUE(z.zscore.has_value());
  EXPECT_EQ(z.zscore->step_ns, kHour);
  EXPECT_EQ(z.zscore->baseline_ns, 7 * kDay);
  EXPECT_FALSE(z.over_ns.has_value());
  EXPECT_TRUE(z.HasOwnWindow());
  EXPECT_EQ(FormatAggregate(z), "zscore(sum(cost_usd), 1h, 1w)");
  ASSERT_TRUE(s.having.has_value());
  EXPECT_EQ(s.having->kind, HavingExpr::Kind::kCompare);
  EXPECT_EQ(std::get<ItemRef>(s.having->compare.lhs).index, 1u);
  EXPECT_EQ(s.having->compare.op, CompareOp::kGt);
  EXPECT_EQ(s.having->compare.rhs, 3);
  EXPECT_EQ(s.having->pos, (Position{4, 23}));
}

TEST(ParseSelect, Q5CanaryAgainstStable) {
  const SelectStmt s = ParseAs<SelectStmt>(R"(
SELECT cohort, count(), rate(success), rate(hallucinated), p95(latency_ms), avg(cost_usd)
FROM tasks AT '2026-03-31T00:00:00Z' WHERE time IN LAST 1d
GROUP BY cohort;)");
  ASSERT_EQ(s.items.size(), 6u);
  EXPECT_EQ(std::get<LabelRef>(s.items[0].expr).name, "cohort");
  EXPECT_EQ(AggOf(s.items[3]).call.predicate->column, Column::kHallucinated);
  EXPECT_EQ(AggOf(s.items[4]).call.q, 0.95);
  EXPECT_EQ(AggOf(s.items[5]).call.fn, AggFn::kAvg);
  EXPECT_EQ(s.where.last_ns, kDay);
  EXPECT_TRUE(s.where.HasLowerTimeBound());
  ASSERT_EQ(s.group_by.size(), 1u);
  EXPECT_EQ(s.group_by[0].item, 0u);
}

TEST(ParseSelect, EveryAggregateAndPredicateForm) {
  const SelectStmt s = ParseAs<SelectStmt>(
      "select COUNT(*), min(ttft_ms), max(tokens_in), stddev(tokens_out), "
      "quantile(user_rating, 0.25), p50(tool_calls, EXACT), p999(latency_ms), "
      "rate(NOT hallucinated), rate(latency_ms <= 2000), rate(not (cost_usd > 0.5)), "
      "rate(NOT NOT success), burn_rate(user_rating >= 4, 99.5%), "
      "rate(policy_violations = -1) over 30s "
      "from tasks where time in last 4w");
  ASSERT_EQ(s.items.size(), 13u);
  EXPECT_EQ(AggOf(s.items[0]).call.fn, AggFn::kCount);
  EXPECT_EQ(AggOf(s.items[1]).call.column, Column::kTtftMs);
  EXPECT_EQ(AggOf(s.items[4]).call.q, 0.25);
  EXPECT_TRUE(AggOf(s.items[5]).call.exact);
  EXPECT_EQ(AggOf(s.items[6]).call.q, 0.999);
  EXPECT_EQ(*AggOf(s.items[7]).call.predicate,
            (Predicate{Column::kHallucinated, std::nullopt, 0, true}));
  EXPECT_EQ(*AggOf(s.items[8]).call.predicate,
            (Predicate{Column::kLatencyMs, CompareOp::kLe, 2000, false}));
  EXPECT_EQ(*AggOf(s.items[9]).call.predicate,
            (Predicate{Column::kCostUsd, CompareOp::kGt, 0.5, true}));
  EXPECT_EQ(*AggOf(s.items[10]).call.predicate,
            (Predicate{Column::kSuccess, std::nullopt, 0, false}));
  EXPECT_EQ(AggOf(s.items[11]).call.target, 0.995);
  EXPECT_EQ(AggOf(s.items[12]).call.predicate->value, -1);
  EXPECT_EQ(AggOf(s.items[12]).over_ns, 30 * kSec);
  EXPECT_EQ(s.where.last_ns, 28 * kDay);
  // Canonical names read back to the same aggregate.
  for (const SelectItem& item : s.items) {
    const SelectStmt again =
        ParseAs<SelectStmt>("SELECT " + item.name + " FROM tasks WHERE time IN LAST 1h");
    ASSERT_EQ(again.items.size(), 1u) << item.name;
    Aggregate a = AggOf(again.items[0]), b = AggOf(item);
    a.pos = b.pos = Position{};
    EXPECT_EQ(a, b) << item.name;
    EXPECT_EQ(again.items[0].name, item.name);
  }
}

TEST(ParseSelect, LabelConditionsAndInstants) {
  const SelectStmt s = ParseAs<SelectStmt>(
      "SELECT count() FROM tasks WHERE model != 'gpt' AND tenant IN ('a', 'b''c') "
      "AND env ~ 'prod|stag.*' AND step = 'x' AND \"order\" = 'y' "
      "AND time > now() - 1h - 30m + 5m AND time <= 1772323200000000000 + 1d");
  ExpectMatchers(
      s.where.labels,
      {Matcher("model", Op::kNeq, {"gpt"}), Matcher("tenant", Op::kIn, {"a", "b'c"}),
       Matcher("env", Op::kRegex, {"prod|stag.*"}), Matcher("step", Op::kEq, {"x"}),
       Matcher("order", Op::kEq, {"y"})});
  ASSERT_EQ(s.where.time.size(), 2u);
  EXPECT_EQ(s.where.time[0].op, CompareOp::kGt);
  EXPECT_TRUE(s.where.time[0].instant.relative);
  EXPECT_EQ(s.where.time[0].instant.ns, -85 * kMin);
  EXPECT_EQ(s.where.time[0].instant.Resolve(10 * kHour).value(), 10 * kHour - 85 * kMin);
  EXPECT_EQ(s.where.time[1].op, CompareOp::kLe);
  EXPECT_FALSE(s.where.time[1].instant.relative);
  EXPECT_EQ(s.where.time[1].instant.ns, 1772323200000000000 + kDay);
}

TEST(ParseSelect, GroupKeysOrderAndHaving) {
  const SelectStmt s = ParseAs<SelectStmt>(
      "SELECT agent, model AS m, count() AS n, rate(success) OVER 1h AS r "
      "FROM tasks WHERE time >= now() - 1d "
      "GROUP BY agent, m, bucket(5m), env "
      "HAVING NOT (n < 10 OR 0.5 >= r) AND p90(latency_ms) > 100 "
      "ORDER BY env, m ASC, r DESC, agent");
  ASSERT_EQ(s.group_by.size(), 4u);
  EXPECT_EQ(s.group_by[0].item, 0u);
  EXPECT_EQ(std::get<LabelRef>(s.group_by[1].key).name, "model");
  EXPECT_EQ(s.group_by[1].item, 1u);
  EXPECT_EQ(std::get<BucketRef>(s.group_by[2].key).step_ns, 5 * kMin);
  EXPECT_FALSE(s.group_by[2].item.has_value());
  EXPECT_FALSE(s.group_by[3].item.has_value());
  const HavingExpr& h = *s.having;
  ASSERT_EQ(h.kind, HavingExpr::Kind::kAnd);
  ASSERT_EQ(h.operands.size(), 2u);
  const HavingExpr& n = h.operands[0];
  ASSERT_EQ(n.kind, HavingExpr::Kind::kNot);
  ASSERT_EQ(n.operands[0].kind, HavingExpr::Kind::kOr);
  const HavingExpr& flipped = n.operands[0].operands[1];
  EXPECT_EQ(std::get<ItemRef>(flipped.compare.lhs).index, 3u);
  EXPECT_EQ(flipped.compare.op, CompareOp::kLe);  // 0.5 >= r is r <= 0.5
  EXPECT_EQ(flipped.compare.rhs, 0.5);
  EXPECT_EQ(std::get<Aggregate>(h.operands[1].compare.lhs).call.q, 0.9);
  ASSERT_EQ(s.order_by.size(), 4u);
  EXPECT_FALSE(s.order_by[0].item.has_value());
  EXPECT_EQ(s.order_by[1].item, 1u);
  EXPECT_FALSE(s.order_by[1].descending);
  EXPECT_TRUE(s.order_by[2].descending);
  EXPECT_EQ(s.order_by[3].item, 0u);
}

TEST(ParseSelect, ExplainWrapsASelect) {
  Result<Statement> r =
      Parse("EXPLAIN ANALYZE SELECT count() FROM tasks WHERE time IN LAST 1h;");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const ExplainStmt& e = std::get<ExplainStmt>(r->node);
  EXPECT_TRUE(e.analyze);
  EXPECT_EQ(e.select.items.size(), 1u);
  EXPECT_EQ(r->text, "EXPLAIN ANALYZE SELECT count() FROM tasks WHERE time IN LAST 1h");
  EXPECT_FALSE(
      ParseAs<ExplainStmt>("explain select count() from tasks where time in last 1h")
          .analyze);
}

TEST(ParseSelect, TimeBoundFromWhereOrFromEveryAggregate) {
  EXPECT_EQ(ErrorOf("SELECT count() FROM tasks WHERE time >= '2026-03-01T00:00:00Z'"),
            "");
  EXPECT_EQ(ErrorOf("SELECT count() OVER 1h, rate(success) OVER 1d FROM tasks"), "");
  EXPECT_EQ(ErrorOf("SELECT agent FROM tasks WHERE time IN LAST 1h GROUP BY agent"), "");
  EXPECT_EQ(ErrorOf("SELECT agent, count() OVER 1h FROM tasks GROUP BY agent "
                    "HAVING count() OVER 5m > 1"),
            "");
}

TEST(ParseSelect, UnreservedKeywordsAndQuotedNamesAreLabels) {
  const SelectStmt s = ParseAs<SelectStmt>(
      "SELECT step, window, \"group\", count() FROM tasks WHERE target = 'x' "
      "AND time IN LAST 1h GROUP BY step, window, \"group\" ORDER BY \"group\" DESC");
  ASSERT_EQ(s.items.size(), 4u);
  EXPECT_EQ(std::get<LabelRef>(s.items[0].expr).name, "step");
  EXPECT_EQ(std::get<LabelRef>(s.items[1].expr).name, "window");
  EXPECT_EQ(std::get<LabelRef>(s.items[2].expr).name, "group");
  EXPECT_EQ(s.where.labels[0].name, "target");
  EXPECT_EQ(s.group_by[2].item, 2u);
  EXPECT_EQ(s.order_by[0].item, 2u);
  // Column names are case-insensitive; labels are not.
  const SelectStmt c = ParseAs<SelectStmt>(
      "SELECT Agent, RATE(Success) FROM tasks WHERE time IN LAST 1h GROUP BY Agent");
  EXPECT_EQ(std::get<LabelRef>(c.items[0].expr).name, "Agent");
  EXPECT_EQ(AggOf(c.items[1]).call.predicate->column, Column::kSuccess);
  // A quoted column name is a label.
  EXPECT_EQ(ParseAs<SelectStmt>("SELECT count() FROM tasks WHERE \"success\" = 'y' AND "
                                "time IN LAST 1h")
                .where.labels[0]
                .name,
            "success");
}

TEST(ParseSelect, RelativeInstantsResolveAndRefuseOverflow) {
  const SelectStmt s = ParseAs<SelectStmt>(
      "SELECT count() FROM tasks AT now() + 1w WHERE time IN LAST 1h");
  ASSERT_TRUE(s.at.has_value());
  EXPECT_EQ(s.at->Resolve(0).value(), 7 * kDay);
  Result<int64_t> r = s.at->Resolve(std::numeric_limits<int64_t>::max());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "1:30: instant out of range");
}

}  // namespace
}  // namespace sredb::query
