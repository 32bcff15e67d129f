// Parser: the SRE statements of QUERY.md "SRE statements", checked node by
// node, and a script holding them all.
#include <gtest/gtest.h>

#include "tests/query/parse_test_util.h"

namespace sredb::query {
namespace {

using Op = LabelMatcher::Op;

TEST(ParseSre, CreateSloRollingWindowDefaultPolicy) {
  const CreateSloStmt s = ParseAs<CreateSloStmt>(
      "CREATE SLO checkout ON tasks WHERE agent = 'agent-0042' AND env != 'dev' "
      "GOOD success TARGET 99.5% WINDOW 30d;");
  EXPECT_EQ(s.name, "checkout");
  ExpectMatchers(s.selector, {Matcher("agent", Op::kEq, {"agent-0042"}),
                              Matcher("env", Op::kNeq, {"dev"})});
  EXPECT_EQ(s.good, (Predicate{Column::kSuccess, std::nullopt, 0, false}));
  EXPECT_EQ(s.target, 0.995);
  EXPECT_FALSE(s.window.calendar_month);
  EXPECT_EQ(s.window.rolling_ns, 30 * kDay);
  EXPECT_TRUE(s.by.empty());
  EXPECT_TRUE(s.alerts.empty());
}

TEST(ParseSre, CreateSloCalendarMonthByLabelsWithAlerts) {
  const CreateSloStmt s = ParseAs<CreateSloStmt>(
      "create slo 'latency-p99' on tasks good latency_ms <= 2000 target 0.99 "
      "window calendar month by agent, model "
      "alert 14.4 over 1h and 5m page, 6 over 6h and 30m page, 1 over 3d and 6h ticket");
  EXPECT_EQ(s.name, "latency-p99");
  EXPECT_TRUE(s.selector.empty());
  EXPECT_EQ(s.good, (Predicate{Column::kLatencyMs, CompareOp::kLe, 2000, false}));
  EXPECT_EQ(s.target, 0.99);
  EXPECT_TRUE(s.window.calendar_month);
  EXPECT_EQ(s.by, (std::vector<std::string>{"agent", "model"}));
  ASSERT_EQ(s.alerts.size(), 3u);
  EXPECT_EQ(s.alerts[0], (BurnAlert{14.4, kHour, 5 * kMin, AlertSeverity::kPage}));
  EXPECT_EQ(s.alerts[1], (BurnAlert{6, 6 * kHour, 30 * kMin, AlertSeverity::kPage}));
  EXPECT_EQ(s.alerts[2], (BurnAlert{1, 3 * kDay, 6 * kHour, AlertSeverity::kTicket}));
}

TEST(ParseSre, CreateSloHallucinationGoodIsNegated) {
  const CreateSloStmt s = ParseAs<CreateSloStmt>(
      "CREATE SLO grounded ON tasks GOOD NOT hallucinated TARGET 98% WINDOW 7d");
  EXPECT_EQ(s.good, (Predicate{Column::kHallucinated, std::nullopt, 0, true}));
  EXPECT_EQ(s.target, 0.98);
}

TEST(ParseSre, CreateDetector) {
  const CreateDetectorStmt d = ParseAs<CreateDetectorStmt>(
      "CREATE DETECTOR spend ON tasks WHERE env = 'prod' BY agent "
      "WATCH sum(cost_usd) EVERY 1h USING zscore BASELINE 7d THRESHOLD 3 "
      "SIGNAL COST_ANOMALY;");
  EXPECT_EQ(d.name, "spend");
  ExpectMatchers(d.selector, {Matcher("env", Op::kEq, {"prod"})});
  EXPECT_EQ(d.by, std::vector<std::string>{"agent"});
  EXPECT_EQ(d.watch.fn, AggFn::kSum);
  EXPECT_EQ(d.watch.column, Column::kCostUsd);
  EXPECT_EQ(d.every_ns, kHour);
  EXPECT_EQ(d.method, DetectorMethod::kZscore);
  EXPECT_EQ(d.baseline_ns, 7 * kDay);
  EXPECT_EQ(d.threshold, 3);
  EXPECT_EQ(d.signal, SignalType::kCostAnomaly);

  const CreateDetectorStmt m = ParseAs<CreateDetectorStmt>(
      "create detector slow on tasks watch p99(latency_ms) every 5m using MAD "
      "threshold 4.5 signal latency_spike");
  EXPECT_TRUE(m.selector.empty());
  EXPECT_EQ(m.watch.q, 0.99);
  EXPECT_EQ(m.method, DetectorMethod::kMad);
  EXPECT_FALSE(m.baseline_ns.has_value());
  EXPECT_EQ(m.signal, SignalType::kLatencySpike);
  EXPECT_EQ(
      ParseAs<CreateDetectorStmt>("CREATE DETECTOR e ON tasks WATCH rate(NOT success) "
                                  "EVERY 1m USING ewma THRESHOLD 2 SIGNAL "
                                  "TOOL_FAILURE_SPIKE")
          .method,
      DetectorMethod::kEwma);
  EXPECT_EQ(
      ParseAs<CreateDetectorStmt>("CREATE DETECTOR s ON tasks WATCH count() EVERY 1h "
                                  "USING seasonal BASELINE 4w THRESHOLD 3 SIGNAL "
                                  "POLICY_VIOLATION")
          .method,
      DetectorMethod::kSeasonal);
}

TEST(ParseSre, Evaluate) {
  const EvaluateStmt e = ParseAs<EvaluateStmt>(
      "EVALUATE FROM '2026-03-01T00:00:00Z' TO '2026-03-31T00:00:00Z' STEP 1m;");
  EXPECT_EQ(e.from.ns, Ns("2026-03-01T00:00:00Z"));
  EXPECT_EQ(e.to.ns, Ns("2026-03-31T00:00:00Z"));
  EXPECT_EQ(e.step_ns, kMin);
  const EvaluateStmt r = ParseAs<EvaluateStmt>("evaluate from now() - 1d to now()");
  EXPECT_TRUE(r.from.relative);
  EXPECT_EQ(r.from.ns, -kDay);
  EXPECT_TRUE(r.to.relative);
  EXPECT_EQ(r.to.ns, 0);
  EXPECT_FALSE(r.step_ns.has_value());
}

TEST(ParseSre, ShowStatements) {
  ParseAs<ShowSlosStmt>("SHOW SLOS;");
  ParseAs<ShowDetectorsStmt>("show detectors");
  const ShowSloStmt now = ParseAs<ShowSloStmt>("SHOW SLO checkout");
  EXPECT_EQ(now.name, "checkout");
  EXPECT_FALSE(now.at.has_value());
  EXPECT_FALSE(now.range.has_value());
  const ShowSloStmt at =
      ParseAs<ShowSloStmt>("SHOW SLO checkout AT '2026-03-03T14:00:00Z'");
  EXPECT_EQ(at.at->ns, Ns("2026-03-03T14:00:00Z"));
  const ShowSloStmt series = ParseAs<ShowSloStmt>(
      "SHOW SLO checkout FROM '2026-03-03T14:00:00Z' TO '2026-03-03T16:00:00Z' STEP 1h");
  ASSERT_TRUE(series.range.has_value());
  EXPECT_FALSE(series.at.has_value());
  EXPECT_EQ(series.range->from.ns, Ns("2026-03-03T14:00:00Z"));
  EXPECT_EQ(series.range->to.ns, Ns("2026-03-03T16:00:00Z"));
  EXPECT_EQ(series.range->step_ns, kHour);
  EXPECT_FALSE(ParseAs<ShowAlertsStmt>("SHOW ALERTS").at.has_value());
  EXPECT_EQ(ParseAs<ShowAlertsStmt>("SHOW ALERTS AT now() - 1h").at->ns, -kHour);
  EXPECT_FALSE(ParseAs<ShowSignalsStmt>("SHOW SIGNALS").range.has_value());
  const ShowSignalsStmt sig = ParseAs<ShowSignalsStmt>("SHOW SIGNALS FROM 0 TO 1000");
  EXPECT_EQ(sig.range->from.ns, 0);
  EXPECT_EQ(sig.range->to.ns, 1000);
  EXPECT_FALSE(ParseAs<ShowIncidentsStmt>("SHOW INCIDENTS").all);
  EXPECT_FALSE(ParseAs<ShowIncidentsStmt>("SHOW INCIDENTS OPEN").all);
  EXPECT_TRUE(ParseAs<ShowIncidentsStmt>("SHOW INCIDENTS ALL").all);
}

TEST(ParseSre, ExplainBurnTimelineDrop) {
  const ExplainBurnStmt b = ParseAs<ExplainBurnStmt>(
      "EXPLAIN BURN checkout WHERE agent = 'agent-0042' OVER 6h BASELINE 7d;");
  EXPECT_EQ(b.name, "checkout");
  ExpectMatchers(b.selector, {Matcher("agent", Op::kEq, {"agent-0042"})});
  EXPECT_EQ(b.over_ns, 6 * kHour);
  EXPECT_EQ(b.baseline_ns, 7 * kDay);
  const ExplainBurnStmt plain = ParseAs<ExplainBurnStmt>("explain burn checkout over 1h");
  EXPECT_TRUE(plain.selector.empty());
  EXPECT_FALSE(plain.baseline_ns.has_value());

  const TimelineStmt t = ParseAs<TimelineStmt>(
      "TIMELINE WHERE agent = 'x' FROM '2026-03-03T14:00:00Z' TO "
      "'2026-03-03T16:00:00Z';");
  ExpectMatchers(t.selector, {Matcher("agent", Op::kEq, {"x"})});
  EXPECT_EQ(t.range.from.ns, Ns("2026-03-03T14:00:00Z"));
  EXPECT_EQ(t.range.to.ns, Ns("2026-03-03T16:00:00Z"));

  const DropStmt ds = ParseAs<DropStmt>("DROP SLO checkout");
  EXPECT_EQ(ds.kind, DropStmt::Kind::kSlo);
  EXPECT_EQ(ds.name, "checkout");
  const DropStmt dd = ParseAs<DropStmt>("drop detector 'spend'");
  EXPECT_EQ(dd.kind, DropStmt::Kind::kDetector);
  EXPECT_EQ(dd.name, "spend");
}

TEST(ParseSre, ScriptOfEveryStatement) {
  Result<std::vector<Statement>> r = ParseScript(R"(
CREATE SLO checkout ON tasks WHERE agent = 'agent-0042' GOOD success TARGET 99.5% WINDOW 30d
  BY model ALERT 14.4 OVER 1h AND 5m PAGE;
CREATE DETECTOR spend ON tasks BY agent WATCH sum(cost_usd) EVERY 1h USING zscore
  BASELINE 7d THRESHOLD 3 SIGNAL COST_ANOMALY;
EVALUATE FROM '2026-03-01T00:00:00Z' TO '2026-03-31T00:00:00Z' STEP 1m;
SHOW SLOS; SHOW DETECTORS;;
SHOW SLO checkout AT '2026-03-31T00:00:00Z';
SHOW SLO checkout FROM '2026-03-30T00:00:00Z' TO '2026-03-31T00:00:00Z' STEP 1h;
SHOW ALERTS AT '2026-03-31T00:00:00Z';
SHOW SIGNALS FROM '2026-03-30T00:00:00Z' TO '2026-03-31T00:00:00Z';
SHOW INCIDENTS ALL;
EXPLAIN BURN checkout OVER 6h BASELINE 7d;
TIMELINE WHERE agent = 'agent-0042' FROM '2026-03-03T14:00:00Z' TO '2026-03-03T16:00:00Z';
DROP SLO checkout;  DROP DETECTOR spend
)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::vector<Statement>& s = *r;
  ASSERT_EQ(s.size(), 14u);
  EXPECT_TRUE(std::holds_alternative<CreateSloStmt>(s[0].node));
  EXPECT_EQ(s[0].pos, (Position{2, 1}));
  EXPECT_EQ(s[0].text,
            "CREATE SLO checkout ON tasks WHERE agent = 'agent-0042' GOOD success TARGET "
            "99.5% WINDOW 30d\n  BY model ALERT 14.4 OVER 1h AND 5m PAGE");
  EXPECT_TRUE(std::holds_alternative<CreateDetectorStmt>(s[1].node));
  EXPECT_TRUE(std::holds_alternative<EvaluateStmt>(s[2].node));
  EXPECT_TRUE(std::holds_alternative<ShowSlosStmt>(s[3].node));
  EXPECT_TRUE(std::holds_alternative<ShowDetectorsStmt>(s[4].node));
  EXPECT_EQ(s[4].pos, (Position{7, 12}));
  EXPECT_TRUE(std::holds_alternative<ShowSloStmt>(s[5].node));
  EXPECT_TRUE(std::holds_alternative<ShowSloStmt>(s[6].node));
  EXPECT_TRUE(std::holds_alternative<ShowAlertsStmt>(s[7].node));
  EXPECT_TRUE(std::holds_alternative<ShowSignalsStmt>(s[8].node));
  EXPECT_TRUE(std::holds_alternative<ShowIncidentsStmt>(s[9].node));
  EXPECT_TRUE(std::holds_alternative<ExplainBurnStmt>(s[10].node));
  EXPECT_TRUE(std::holds_alternative<TimelineStmt>(s[11].node));
  EXPECT_TRUE(std::holds_alternative<DropStmt>(s[12].node));
  EXPECT_EQ(std::get<DropStmt>(s[13].node).kind, DropStmt::Kind::kDetector);
  EXPECT_EQ(s[13].text, "DROP DETECTOR spend");
}

TEST(ParseSre, EmptyScriptIsNoStatements) {
  Result<std::vector<Statement>> r = ParseScript(" ; -- nothing\n;");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

}  // namespace
}  // namespace sredb::query
