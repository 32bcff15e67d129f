// Differential tests of the query executor (issue 4, "Correctness"): the
// oracle of brute_force.h is first checked on a handful of hand-computed
// events; then, for random fleets (rates from sparse to rollup-busy, series
// that start and stop, equal timestamps, partition edges, late events) and
// random SELECTs drawn from the grammar, every executor answer must equal
// the oracle's, with the head only, after sealing, and with late events in
// the head over sealed partitions.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "brute_force.h"
#include "query/parser.h"
#include "storage/rollup/exact_sum.h"

namespace sredb::query::testing {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;
// 2026-03-01T00:00:00Z.
constexpr int64_t kT0 = 1'772'323'200'000'000'000;

// ------------------------------------------------- the oracle, by hand

Labels L(std::vector<Label> labels) {
  auto made = Labels::Make(std::move(labels));
  EXPECT_TRUE(made.ok());
  return made.ok() ? *made : Labels();
}

// Two series: a (model m1) and b (no model, env prod); five events.
//   a  t=0s     success  lat 100   cost 1.000000  hall ?  ttft 10
//   a  t=60s    fail     lat 200   cost 0.500000  hall T
//   a  t=3600s  success  lat 300   cost 0.250000  hall F  rating 5
//   b  t=30s    success  lat 50    cost 0.000001  hall F
//   b  t=7200s  fail     lat 1000  cost 0.000002  hall T
std::vector<LabeledEvent> HandEvents() {
  const Labels a = L({{"agent", "a"}, {"model", "m1"}});
  const Labels b = L({{"agent", "b"}, {"env", "prod"}});
  auto ev = [](int64_t sec, bool ok, float lat, int64_t cost, Tri hall) {
    Event e;
    e.time = kT0 + sec * kSec;
    e.success = ok;
    e.latency_ms = lat;
    e.cost_micros = cost;
    e.hallucinated = hall;
    return e;
  };
  std::vector<LabeledEvent> out = {
      {a, ev(0, true, 100, 1'000'000, Tri::kUnknown)},
      {a, ev(60, false, 200, 500'000, Tri::kTrue)},
      {a, ev(3600, true, 300, 250'000, Tri::kFalse)},
      {b, ev(30, true, 50, 1, Tri::kFalse)},
      {b, ev(7200, false, 1000, 2, Tri::kTrue)},
  };
  out[0].event.ttft_ms = 10;
  out[2].event.user_rating = 5;
  return out;
}

// The oracle's table for `text` at now = T0 + 3h.
BruteTable Oracle(const std::string& text, int64_t now = kT0 + 3 * kHour) {
  Result<BruteTable> t = BruteForce(text, HandEvents(), now);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status().ToString();
  return t.ok() ? *t : BruteTable();
}

// The cell at (row, column) as a double (NaN for NULL), or as text.
double D(const BruteTable& t, size_t row, size_t col) {
  const Cell& c = t.rows.at(row).cells.at(col);
  return c.null ? std::nan("") : c.AsDouble();
}
std::string S(const BruteTable& t, size_t row, size_t col) {
  const Cell& c = t.rows.at(row).cells.at(col);
  return c.null ? "NULL" : c.s;
}

TEST(BruteForceOracle, CountsSumsRatesOverTheWhereRange) {
  BruteTable t = Oracle(
      "SELECT count(), sum(cost_usd), rate(success), rate(hallucinated), "
      "avg(latency_ms), "
      "stddev(latency_ms), p50(latency_ms, exact), quantile(latency_ms, 0.07, exact), "
      "rate(cost_usd <= 0.5), sum(ttft_ms), avg(user_rating), stddev(user_rating), "
      "burn_rate(success, 0.9), min(cost_usd), max(tokens_in) "
      "FROM tasks WHERE time >= '2026-03-01T00:00:00Z'");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.types[0], ValueType::kInt64);
  EXPECT_EQ(D(t, 0, 0), 5);
  EXPECT_EQ(t.rows[0].cells[1].micros, 1'750'003);
  EXPECT_EQ(D(t, 0, 1), 1.750003);
  EXPECT_EQ(D(t, 0, 2), 0.6);
  EXPECT_EQ(D(t, 0, 3), 0.5);  // 2 of the 4 evaluated
  EXPECT_EQ(D(t, 0, 4), 330);
  EXPECT_NEAR(D(t, 0, 5), std::sqrt(149500.0), 1e-9);
  EXPECT_EQ(D(t, 0, 6), 200);  // k = ceil(2.5) = 3 of 50 100 200 300 1000
  EXPECT_EQ(D(t, 0, 7), 50);   // k = ceil(0.35) = 1
  EXPECT_EQ(D(t, 0, 8), 0.8);  // 0.5 itself is <= 0.5
  EXPECT_EQ(D(t, 0, 9), 10);
  EXPECT_EQ(D(t, 0, 10), 5);
  EXPECT_TRUE(std::isnan(D(t, 0, 11)));  // one rating: no sample stddev
  EXPECT_EQ(D(t, 0, 12), (1 - 0.6) / (1 - 0.9));
  EXPECT_EQ(D(t, 0, 13), 0.000001);
  EXPECT_EQ(t.types[14], ValueType::kInt64);
  EXPECT_EQ(D(t, 0, 14), 0);
}

TEST(BruteForceOracle, TimeBoundsAreHalfOpenAndIntersect) {
  EXPECT_EQ(
      D(Oracle("SELECT count() FROM tasks WHERE time > '2026-03-01T00:00:00Z'"), 0, 0),
      4);
  EXPECT_EQ(D(Oracle("SELECT count() FROM tasks WHERE time >= '2026-03-01T00:00:00Z' AND "
                     "time <= '2026-03-01T00:01:00Z'"),
              0, 0),
            3);
  EXPECT_EQ(D(Oracle("SELECT count() FROM tasks WHERE time >= '2026-03-01T00:00:00Z' AND "
                     "time < '2026-03-01T00:01:00Z'"),
              0, 0),
            2);
  // Without an upper bound the end is AT (now = T0 + 3h): all five; AT T0+1h: three.
  EXPECT_EQ(D(Oracle("SELECT count() FROM tasks AT '2026-03-01T01:00:00Z' "
                     "WHERE time >= '2026-03-01T00:00:00Z'"),
              0, 0),
            3);
  // IN LAST is [AT - d, AT); the shorter of two wins.
  EXPECT_EQ(
      D(Oracle("SELECT count() FROM tasks WHERE time IN LAST 2h AND time IN LAST 1h"), 0,
        0),
      1);
  EXPECT_EQ(D(Oracle("SELECT count() FROM tasks WHERE time >= now() - 3h + 1s"), 0, 0),
            4);
  // An empty window: one row, count 0, NULL elsewhere.
  BruteTable empty = Oracle(
      "SELECT count(), sum(cost_usd), rate(success) FROM tasks "
      "WHERE time >= '2026-03-02T00:00:00Z'");
  ASSERT_EQ(empty.rows.size(), 1u);
  EXPECT_EQ(D(empty, 0, 0), 0);
  EXPECT_TRUE(std::isnan(D(empty, 0, 1)));
  EXPECT_TRUE(std::isnan(D(empty, 0, 2)));
}

TEST(BruteForceOracle, GroupsMatchersAndAbsentLabels) {
  BruteTable t = Oracle(
      "SELECT model, count() AS n FROM tasks WHERE time IN LAST 1d AND model != 'x' "
      "GROUP BY model ORDER BY model DESC");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(S(t, 0, 0), "m1");
  EXPECT_EQ(S(t, 1, 0), "NULL");  // absent: NULL, sorted last even DESC
  EXPECT_EQ(D(t, 1, 1), 2);
  EXPECT_EQ(Oracle("SELECT count() FROM tasks WHERE time IN LAST 1d AND agent ~ 'a|b'")
                .rows[0]
                .cells[0]
                .i,
            5);
  EXPECT_EQ(
      Oracle("SELECT count() FROM tasks WHERE time IN LAST 1d AND agent ~ 'a.*' AND "
             "env ~ '' AND nolabel != 'x'")
          .rows[0]
          .cells[0]
          .i,
      3);
  EXPECT_EQ(
      Oracle("SELECT count() FROM tasks WHERE time IN LAST 1d AND model IN ('m1', 'm2')")
          .rows[0]
          .cells[0]
          .i,
      3);
  BruteTable having = Oracle(
      "SELECT agent, count() FROM tasks WHERE time IN LAST 1d GROUP BY agent "
      "HAVING count() > 2");
  ASSERT_EQ(having.rows.size(), 1u);
  EXPECT_EQ(S(having, 0, 0), "a");
  // rate(hallucinated) of a's first event alone is NULL: r > 0 is false, NOT of it true.
  BruteTable null_having = Oracle(
      "SELECT agent, rate(hallucinated) AS r FROM tasks WHERE time IN LAST 1d AND "
      "time < '2026-03-01T00:00:01Z' GROUP BY agent HAVING NOT (r > 0)");
  ASSERT_EQ(null_having.rows.size(), 1u);
  EXPECT_TRUE(std::isnan(D(null_having, 0, 1)));
}

TEST(BruteForceOracle, BucketsOverAndZscore) {
  BruteTable b = Oracle(
      "SELECT bucket(1h) AS h, count() FROM tasks WHERE time IN LAST 1d GROUP BY h "
      "ORDER BY h");
  ASSERT_EQ(b.rows.size(), 3u);
  EXPECT_EQ(b.rows[0].cells[0].i, kT0);
  EXPECT_EQ(D(b, 0, 1), 3);
  EXPECT_EQ(b.rows[2].cells[0].i, kT0 + 2 * kHour);
  // Every aggregate OVER 1h: groups with an event in [AT - 1h, AT) only.
  BruteTable over = Oracle(
      "SELECT agent, rate(success) OVER 1h, count() OVER 1h FROM tasks GROUP BY agent");
  ASSERT_EQ(over.rows.size(), 1u);
  EXPECT_EQ(S(over, 0, 0), "b");
  EXPECT_EQ(D(over, 0, 1), 0);
  // x0 = [3h,4h): 0; x1..x3 = 1, 1, 3 -> mean 5/3, s = sqrt(4/3).
  BruteTable z = Oracle("SELECT zscore(count(), 1h, 3h) FROM tasks", kT0 + 4 * kHour);
  EXPECT_NEAR(D(z, 0, 0), (0 - 5.0 / 3) / std::sqrt(4.0 / 3), 1e-12);
  // avg skips empty windows: x1..x3 = 1000, 300, 330 (x0 = 1000 at AT 3h+1s? no:
  // [2h,3h)).
  BruteTable za =
      Oracle("SELECT zscore(max(latency_ms), 1h, 2h) FROM tasks", kT0 + 3 * kHour);
  // x0 = [2h,3h) = 1000; x1 = [1h,2h) = 300; x2 = [0,1h) = 200.
  EXPECT_NEAR(D(za, 0, 0), (1000 - 250) / std::sqrt(5000.0), 1e-12);
  // Fewer than two baseline windows with a value: NULL.
  BruteTable zn =
      Oracle("SELECT zscore(max(latency_ms), 1h, 3h) FROM tasks", kT0 + 5 * kHour);
  EXPECT_TRUE(std::isnan(D(zn, 0, 0)));
}

TEST(BruteForceOracle, OrderAndLimitKeepEveryRowBeforeTheLimit) {
  BruteTable t = Oracle(
      "SELECT agent, count() AS n FROM tasks WHERE time IN LAST 1d GROUP BY agent "
      "ORDER BY n ASC LIMIT 1");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(S(t, 0, 0), "b");
  ASSERT_TRUE(t.limit.has_value());
  EXPECT_EQ(*t.limit, 1);
}

TEST(BruteForceOracle, ExactFloatSumIsCorrectlyRounded) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<float> v;
    rollup::ExactSum exact;
    const int n = static_cast<int>(rng() % 300);
    for (int i = 0; i < n; ++i) {
      const float x = static_cast<float>(std::ldexp(
          static_cast<double>(rng() % (1 << 24)), static_cast<int>(rng() % 60) - 40));
      v.push_back(x);
      exact.Add(x);
    }
    ASSERT_EQ(ExactFloatSum(v), exact.ToDouble()) << round;
  }
}

}  // namespace
}  // namespace sredb::query::testing
