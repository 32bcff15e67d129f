// FleetGenerator: exact counts, ordering, validity, determinism and the
// shape of the traffic (agents, series, canary share, daily cycle).
#include "tools/fleet.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "fleet_test_util.h"
#include "storage/options.h"
#include "storage/rfc3339.h"

namespace sredb::fleet {
namespace {

// Runs a generator to the end, checking order, range and validity on the way.
int64_t CountChecked(const FleetOptions& o) {
  FleetGenerator gen(o);
  const int64_t end = o.start + o.days * kNanosPerDay;
  int64_t n = 0, last = o.start;
  const Labels* labels;
  Event e;
  while (gen.Next(&labels, &e)) {
    EXPECT_GE(e.time, last) << "event " << n;
    EXPECT_LT(e.time, end) << "event " << n;
    EXPECT_EQ(e.time % 1'000'000, 0) << "event " << n << " is not a whole ms";
    last = e.time;
    ++n;
  }
  EXPECT_EQ(gen.emitted(), n);
  EXPECT_FALSE(gen.Next(&labels, &e)) << "Next after the end";
  return n;
}

TEST(FleetGenerator, YieldsExactlyTheRequestedCount) {
  for (int64_t events : {0, 1, 2, 7, 1439, 1441, 10'000, 123'457}) {
    EXPECT_EQ(CountChecked(Small(50, 3, events)), events) << events;
  }
  EXPECT_EQ(CountChecked(Small(1, 1, 1)), 1);
  EXPECT_EQ(CountChecked(Small(1000, 90, 25'000)), 25'000);
  FleetOptions late = Small(3, 2, 5'000);
  late.start = FleetOptions().start + 12'345;  // not minute-aligned
  late.start -= late.start % 1'000'000;
  EXPECT_EQ(CountChecked(late), 5'000);
}

TEST(FleetGenerator, DenseMinutesStayOrdered) {
  // ~4,500 events a minute on average: busy minutes use the per-ms histogram.
  EXPECT_EQ(CountChecked(Small(3, 1, 6'500'000)), 6'500'000);
}

TEST(FleetGenerator, InvalidOptionsYieldNothing) {
  FleetGenerator gen(Small(0, 1, 100));
  const Labels* labels;
  Event e;
  EXPECT_FALSE(gen.Next(&labels, &e));
  EXPECT_EQ(gen.series_count(), 0u);
}

TEST(FleetGenerator, EveryEventIsValid) {
  FleetGenerator gen(Small(200, 10, 200'000));
  const Labels* labels;
  Event e;
  int64_t n = 0;
  while (gen.Next(&labels, &e)) {
    Status s = ValidateEvent(e);
    ASSERT_TRUE(s.ok()) << "event " << n << ": " << s.ToString();
    ASSERT_EQ(labels->items().size(), 5u);
    ASSERT_FALSE(e.trace_id.has_value());
    ASSERT_LE(e.tool_calls, 8);
    ASSERT_EQ(e.success, e.error_kind.empty()) << "event " << n;
    if (e.user_rating) {
      ASSERT_EQ(*e.user_rating, static_cast<int>(*e.user_rating));
    }
    if (e.ttft_ms) {
      ASSERT_LE(*e.ttft_ms, e.latency_ms);
    }
    const bool streams = labels->Get("model") != "llama-70b";
    ASSERT_EQ(e.ttft_ms.has_value(), streams && e.tokens_out > 0)
        << "ttft_ms is reported by streaming models that produced output";
    ++n;
  }
}

std::string CsvLike(const FleetOptions& o, int64_t limit) {
  FleetGenerator gen(o);
  std::string out;
  const Labels* labels;
  Event e;
  for (int64_t i = 0; i < limit && gen.Next(&labels, &e); ++i) {
    out += std::to_string(e.time) + labels->ToString() + std::to_string(e.latency_ms) +
           std::to_string(e.cost_micros) + e.error_kind + "\n";
  }
  return out;
}

TEST(FleetGenerator, IsDeterministicPerSeed) {
  EXPECT_EQ(CsvLike(Small(100, 7, 20'000, 7), 20'000),
            CsvLike(Small(100, 7, 20'000, 7), 20'000));
  EXPECT_NE(CsvLike(Small(100, 7, 20'000, 7), 20'000),
            CsvLike(Small(100, 7, 20'000, 8), 20'000));
}

TEST(FleetGenerator, DefaultFleetHasAgent0042AndSmallSeriesCounts) {
  FleetGenerator gen(FleetOptions{});
  std::map<std::string, std::set<std::string>> models, series;
  for (uint32_t i = 0; i < gen.series_count(); ++i) {
    const Labels& l = gen.series(i);
    std::string agent(l.Get("agent"));
    models[agent].insert(std::string(l.Get("model")));
    series[agent].insert(l.ToString());
    EXPECT_EQ(l.Get("cohort") == "canary", l.Get("prompt_version") == "v5")
        << l.ToString();
  }
  ASSERT_EQ(models.size(), 1000u);
  EXPECT_TRUE(models.count("agent-0042"));
  EXPECT_TRUE(models.count("agent-0999"));
  for (const auto& [agent, m] : models) {
    EXPECT_GE(m.size(), 1u);
    EXPECT_LE(m.size(), 2u) << agent;
    EXPECT_GE(series[agent].size(), 1u);
    EXPECT_LE(series[agent].size(), 8u) << agent;
  }
}

TEST(FleetGenerator, EveryAgentGetsTrafficAndPopularityIsSkewed) {
  FleetGenerator gen(Small(1000, 30, 300'000));
  std::map<std::string, int64_t> per_agent;
  int64_t canary = 0, n = 0;
  const Labels* labels;
  Event e;
  while (gen.Next(&labels, &e)) {
    ++per_agent[std::string(labels->Get("agent"))];
    canary += labels->Get("cohort") == "canary";
    ++n;
  }
  EXPECT_EQ(per_agent.size(), 1000u);
  EXPECT_NEAR(static_cast<double>(canary) / n, 0.05, 0.005);
  // agent-0000 is the busiest, agent-0042 second; the quietest has > 0.
  int64_t least = n;
  for (const auto& [agent, count] : per_agent) least = std::min(least, count);
  EXPECT_GT(least, 0);
  EXPECT_GT(per_agent["agent-0000"], 50 * least);
  EXPECT_GT(per_agent["agent-0042"], per_agent["agent-0002"]);
}

TEST(FleetGenerator, ColumnsHaveRealisticRates) {
  FleetGenerator gen(Small(100, 20, 200'000));
  int64_t n = 0, ok = 0, evaluated = 0, hallucinated = 0, rated = 0, calls = 0,
          failures = 0;
  const Labels* labels;
  Event e;
  while (gen.Next(&labels, &e)) {
    ++n;
    ok += e.success;
    evaluated += e.hallucinated != Tri::kUnknown;
    hallucinated += e.hallucinated == Tri::kTrue;
    rated += e.user_rating.has_value();
    calls += e.tool_calls;
    failures += e.tool_failures;
  }
  EXPECT_NEAR(static_cast<double>(ok) / n, 0.98, 0.01);
  EXPECT_NEAR(static_cast<double>(evaluated) / n, 0.10, 0.01);
  EXPECT_NEAR(static_cast<double>(hallucinated) / evaluated, 0.04, 0.015);
  EXPECT_NEAR(static_cast<double>(rated) / n, 0.05, 0.005);
  EXPECT_NEAR(static_cast<double>(failures) / calls, 0.025, 0.01);
}

TEST(FleetGenerator, TrafficFollowsTheDailyAndWeeklyCycle) {
  FleetOptions o = Small(10, 28, 400'000);  // 2026-01-01 is a Thursday
  FleetGenerator gen(o);
  int64_t by_hour[24] = {}, weekday = 0, weekend = 0;
  const Labels* labels;
  Event e;
  while (gen.Next(&labels, &e)) {
    const int64_t sec = e.time / kNanosPerSecond;
    ++by_hour[sec % 86400 / 3600];
    const int64_t dow = (sec / 86400 + 4) % 7;
    (dow == 0 || dow == 6 ? weekend : weekday) += 1;
  }
  const auto [lo, hi] = std::minmax_element(std::begin(by_hour), std::end(by_hour));
  const double ratio = static_cast<double>(*hi) / *lo;
  EXPECT_GT(ratio, 3.0);
  EXPECT_LT(ratio, 4.2);
  EXPECT_EQ(hi - by_hour >= 13 && hi - by_hour <= 15, true) << "peak at " << hi - by_hour;
  // 8 weekend days, 20 weekdays; weekend days carry ~65% of a weekday.
  EXPECT_NEAR((weekend / 8.0) / (weekday / 20.0), 0.65, 0.03);
}

TEST(FleetOptions, ValidateNamesTheBadOption) {
  EXPECT_TRUE(Validate(FleetOptions{}).ok());
  auto message = [](FleetOptions o) { return Validate(o).message(); };
  FleetOptions o;
  o.agents = 0;
  EXPECT_NE(message(o).find("--agents"), std::string::npos);
  o.agents = kMaxAgents + 1;
  EXPECT_NE(message(o).find("--agents"), std::string::npos);
  o = {};
  o.days = 0;
  EXPECT_NE(message(o).find("--days"), std::string::npos);
  o = {};
  o.events = -1;
  EXPECT_NE(message(o).find("--events"), std::string::npos);
  o = {};
  o.start = -1'000'000;
  EXPECT_NE(message(o).find("--start"), std::string::npos);
  o = {};
  o.start += 1;
  EXPECT_NE(message(o).find("whole millisecond"), std::string::npos);
  o = {};
  o.start = INT64_MAX - INT64_MAX % 1'000'000;
  EXPECT_TRUE(Validate(o).IsInvalidArgument());
  o = {};
  o.agents = kMaxAgents;
  o.days = 1;
  o.events = 0;
  EXPECT_TRUE(Validate(o).ok());
}

}  // namespace
}  // namespace sredb::fleet
