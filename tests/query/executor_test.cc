// query::Execute on small datasets whose answers are computed by hand: every
// aggregate, grouping, windows, HAVING, ORDER BY, LIMIT, zscore, EXPLAIN,
// errors, cancellation and the memory limit — the same answers whether the
// events are in head, in chunks, or in chunks with rollups.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <string>

#include "query/query.h"
#include "storage/db.h"
#include "tests/storage/test_util.h"

namespace sredb::query {
namespace {

using testing::AgentLabels;
using testing::kT0;
using testing::ManualSealing;
using testing::OpenOrDie;
using testing::TempDir;

constexpr int64_t kMinute = 60 * kNanosPerSecond;

// Where the events live when the queries run.
enum class Layout { kHead, kSealedRaw, kSealedRollups };

// agent a (model m1): 120 events, one a minute from 00:10 to 02:09 on
//   2026-03-01; event i: success unless i % 10 == 0, latency 100 + i ms,
//   cost (i + 1) * 1000 micro-USD, hallucinated true / false / unknown by i % 3,
//   user_rating 1 + i % 5 for even i, absent for odd i.
// agent b (no model): 10 events every 30 minutes from 00:30, all good,
//   latency 50, cost 500 micro-USD.
// agent z: one event three days later, so that Flush can seal day one.
class ExecutorTest : public ::testing::TestWithParam<Layout> {
 protected:
  void SetUp() override {
    Options o = ManualSealing();
    o.rollup_min_bucket_events = GetParam() == Layout::kSealedRollups ? 0 : 1000;
    db_ = OpenOrDie(dir_.path(), o);
    ASSERT_NE(db_, nullptr);
    EventBatch batch;
    const uint32_t a = batch.AddSeries(AgentLabels("a", "m1"));
    for (int i = 0; i < 120; ++i) {
      Event e;
      e.time = kT0 + (10 + i) * kMinute;
      e.success = i % 10 != 0;
      e.latency_ms = static_cast<float>(100 + i);
      e.cost_micros = (i + 1) * 1000;
      e.hallucinated =
          i % 3 == 0 ? Tri::kTrue : (i % 3 == 1 ? Tri::kFalse : Tri::kUnknown);
      if (i % 2 == 0) e.user_rating = static_cast<float>(1 + i % 5);
      e.tokens_in = static_cast<uint32_t>(i);
      batch.Add(a, e);
    }
    const uint32_t b = batch.AddSeries(AgentLabels("b"));
    for (int i = 0; i < 10; ++i) {
      Event e;
      e.time = kT0 + (30 + 30 * i) * kMinute;
      e.success = true;
      e.latency_ms = 50;
      e.cost_micros = 500;
      batch.Add(b, e);
    }
    Event late;
    late.time = kT0 + 3 * kNanosPerDay;
    late.success = true;
    batch.Add(batch.AddSeries(AgentLabels("z")), late);
    ASSERT_TRUE(db_->Append(WriteOptions(), batch).ok());
    if (GetParam() != Layout::kHead) {
      ASSERT_TRUE(db_->Flush().ok());
    }
  }

  ResultTable Run(const std::string& text) {
    QueryOptions o;
    o.now = kT0 + 4 * kNanosPerDay;
    Result<ResultTable> r = Execute(db_.get(), text, o);
    EXPECT_TRUE(r.ok()) << text << "\n" << r.status().ToString();
    return r.ok() ? std::move(r).value() : ResultTable();
  }

  TempDir dir_;
  std::unique_ptr<DB> db_;
};

constexpr const char* kDay1 =
    " AND time >= '2026-03-01T00:00:00Z' AND time < '2026-03-02T00:00:00Z'";

TEST_P(ExecutorTest, AggregatesOfOneAgent) {
  ResultTable t =
      Run(std::string("SELECT count(), rate(success), sum(cost_usd), min(latency_ms), "
                      "max(latency_ms), avg(latency_ms), rate(hallucinated), "
                      "p50(latency_ms, exact), sum(tokens_in), max(cost_usd), "
                      "avg(user_rating), rate(user_rating >= 4), stddev(tokens_in), "
                      "burn_rate(success, 0.99) FROM tasks WHERE agent = 'a'") +
          kDay1);
  ASSERT_EQ(t.rows, 1u);
  ASSERT_EQ(t.columns.size(), 14u);
  EXPECT_EQ(t.columns[0].type, ValueType::kInt64);
  EXPECT_EQ(t.columns[0].ints[0], 120);
  EXPECT_EQ(t.columns[0].name, "count()");
  EXPECT_EQ(t.columns[1].doubles[0], 108.0 / 120.0);
  EXPECT_EQ(t.columns[2].doubles[0], 7.26);  // 1000 * (1 + ... + 120) micro-USD
  EXPECT_EQ(t.columns[3].doubles[0], 100);
  EXPECT_EQ(t.columns[4].doubles[0], 219);
  EXPECT_EQ(t.columns[5].doubles[0], 159.5);
  EXPECT_EQ(t.columns[6].doubles[0], 0.5);  // 40 true, 40 false, 40 unknown
  EXPECT_EQ(t.columns[7].doubles[0], 159);  // the 60th smallest of 100..219
  EXPECT_EQ(t.columns[8].type, ValueType::kInt64);
  EXPECT_EQ(t.columns[8].ints[0], 119 * 120 / 2);
  EXPECT_EQ(t.columns[9].type, ValueType::kDouble);
  EXPECT_EQ(t.columns[9].doubles[0], 0.12);
  // Ratings of the 60 even i: 1 + i % 5 cycles 1,3,5,2,4 -> 12 of each.
  EXPECT_EQ(t.columns[10].doubles[0], 3.0);
  EXPECT_EQ(t.columns[11].doubles[0], 24.0 / 60.0);
  // Sample stddev of 0..119: sqrt(n (n + 1) / 12) with n = 120.
  EXPECT_NEAR(t.columns[12].doubles[0], std::sqrt(120.0 * 121.0 / 12.0), 1e-9);
  EXPECT_NEAR(t.columns[13].doubles[0], 10.0, 1e-9);
}

TEST_P(ExecutorTest, EmptyWindowGivesZeroCountAndNulls) {
  ResultTable t =
      Run("SELECT count(), rate(success), sum(cost_usd), p99(latency_ms) FROM tasks "
          "WHERE agent = 'a' AND time >= '2026-03-01T05:00:00Z' AND time < "
          "'2026-03-01T06:00:00Z'");
  ASSERT_EQ(t.rows, 1u);
  EXPECT_EQ(t.columns[0].ints[0], 0);
  EXPECT_FALSE(t.columns[0].IsNull(0));
  EXPECT_TRUE(t.columns[1].IsNull(0));
  EXPECT_TRUE(t.columns[2].IsNull(0));
  EXPECT_TRUE(t.columns[3].IsNull(0));
  // An unknown label value matches nothing.
  t = Run(std::string("SELECT count() FROM tasks WHERE agent = 'nobody'") + kDay1);
  ASSERT_EQ(t.rows, 1u);
  EXPECT_EQ(t.columns[0].ints[0], 0);
}

TEST_P(ExecutorTest, RaggedWindowEdges) {
  // Minutes 16 .. 105 after midnight: i = 6 .. 95.
  ResultTable t =
      Run("SELECT count(), sum(cost_usd), rate(success) FROM tasks WHERE agent = 'a' AND "
          "time >= '2026-03-01T00:15:30Z' AND time < '2026-03-01T01:45:10Z'");
  ASSERT_EQ(t.rows, 1u);
  EXPECT_EQ(t.columns[0].ints[0], 90);
  int64_t micros = 0;
  for (int i = 6; i <= 95; ++i) micros += (i + 1) * 1000;
  EXPECT_EQ(t.columns[1].doubles[0], static_cast<double>(micros) / 1e6);
  EXPECT_EQ(t.columns[2].doubles[0], 81.0 / 90.0);  // i = 10, 20, .., 90 failed
  // time > t excludes t; time <= t includes it.
  t = Run(
      "SELECT count() FROM tasks WHERE agent = 'a' AND time > '2026-03-01T00:10:00Z' AND "
      "time <= '2026-03-01T00:20:00Z'");
  EXPECT_EQ(t.columns[0].ints[0], 10);
}

TEST_P(ExecutorTest, GroupsOrderLimitHaving) {
  ResultTable t = Run(std::string("SELECT agent, model, count() AS n FROM tasks WHERE "
                                  "agent != 'z'") +
                      kDay1 + " GROUP BY agent, model ORDER BY n ASC");
  ASSERT_EQ(t.rows, 2u);
  EXPECT_EQ(t.columns[0].strings[0], "b");
  EXPECT_TRUE(t.columns[1].IsNull(0));  // b has no model
  EXPECT_EQ(t.columns[2].ints[0], 10);
  EXPECT_EQ(t.columns[0].strings[1], "a");
  EXPECT_EQ(t.columns[1].strings[1], "m1");
  EXPECT_EQ(t.columns[2].ints[1], 120);

  t = Run(std::string("SELECT agent, count() AS n FROM tasks WHERE agent IN ('a', 'b')") +
          kDay1 + " GROUP BY agent ORDER BY n DESC LIMIT 1");
  ASSERT_EQ(t.rows, 1u);
  EXPECT_EQ(t.columns[0].strings[0], "a");

  t = Run(
      std::string("SELECT agent, rate(success) AS r FROM tasks WHERE agent ~ '[ab]'") +
      kDay1 + " GROUP BY agent HAVING r < 1");
  ASSERT_EQ(t.rows, 1u);
  EXPECT_EQ(t.columns[0].strings[0], "a");

  // A group exists only with an event in the range.
  t =
      Run("SELECT agent, count() FROM tasks WHERE time >= '2026-03-01T02:30:00Z' AND "
          "time < '2026-03-01T03:00:00Z' GROUP BY agent");
  ASSERT_EQ(t.rows, 1u);
  EXPECT_EQ(t.columns[0].strings[0], "b");
}

TEST_P(ExecutorTest, Buckets) {
  ResultTable t = Run(std::string("SELECT bucket(1h) AS hour, count(), max(latency_ms) "
                                  "FROM tasks WHERE agent = 'a'") +
                      kDay1 + " GROUP BY hour");
  ASSERT_EQ(t.rows, 3u);
  EXPECT_EQ(t.columns[0].type, ValueType::kTime);
  EXPECT_EQ(t.columns[0].ints[0], kT0);
  EXPECT_EQ(t.columns[0].ints[2], kT0 + 120 * kMinute);
  EXPECT_EQ(t.columns[1].ints[0], 50);
  EXPECT_EQ(t.columns[1].ints[1], 60);
  EXPECT_EQ(t.columns[1].ints[2], 10);
  EXPECT_EQ(t.columns[2].doubles[1], 100 + 109);
  // 90-second buckets cannot use rollups; 00:10:00 .. 00:11:29 hold 2 events.
  t = Run(std::string("SELECT bucket(90s) AS b, count() FROM tasks WHERE agent = 'a'") +
          kDay1 + " GROUP BY b ORDER BY b LIMIT 1");
  ASSERT_EQ(t.rows, 1u);
  EXPECT_EQ(t.columns[0].ints[0], kT0 + 9 * kMinute);  // 00:09:00 holds 00:10
  EXPECT_EQ(t.columns[1].ints[0], 1);
}

TEST_P(ExecutorTest, OverWindowsAndZscore) {
  ResultTable t =
      Run("SELECT count() OVER 1h AS h, count() OVER 30m AS m, rate(success) OVER 1h "
          "FROM tasks AT '2026-03-01T02:10:00Z' WHERE agent = 'a'");
  ASSERT_EQ(t.rows, 1u);
  EXPECT_EQ(t.columns[0].ints[0], 60);  // 01:10 .. 02:09
  EXPECT_EQ(t.columns[1].ints[0], 30);
  EXPECT_EQ(t.columns[2].doubles[0], 54.0 / 60.0);

  // Hourly counts before 02:30: x0 = 40, then 60, 20, 0.
  t = Run(
      "SELECT agent, zscore(count(), 1h, 3h) AS z FROM tasks AT '2026-03-01T02:30:00Z' "
      "WHERE agent = 'a' GROUP BY agent");
  ASSERT_EQ(t.rows, 1u);
  const double mean = 80.0 / 3.0;
  const double s = std::sqrt(
      ((60 - mean) * (60 - mean) + (20 - mean) * (20 - mean) + mean * mean) / 2.0);
  EXPECT_NEAR(t.columns[1].doubles[0], (40 - mean) / s, 1e-12);
  // avg over empty windows is skipped: two windows with events are too few.
  t = Run(
      "SELECT zscore(avg(latency_ms), 1h, 3h) FROM tasks AT '2026-03-01T02:30:00Z' WHERE "
      "agent = 'a'");
  ASSERT_EQ(t.rows, 1u);
  EXPECT_FALSE(t.columns[0].IsNull(0));
  t = Run(
      "SELECT zscore(avg(latency_ms), 1h, 2h) FROM tasks AT '2026-03-01T01:30:00Z' WHERE "
      "agent = 'a'");
  EXPECT_TRUE(t.columns[0].IsNull(0));  // of the baseline only x1 has events
}

TEST_P(ExecutorTest, ExplainNamesTiers) {
  ResultTable t =
      Run(std::string("EXPLAIN SELECT count() FROM tasks WHERE agent = 'a'") + kDay1);
  ASSERT_EQ(t.columns.size(), 1u);
  EXPECT_EQ(t.columns[0].name, "plan");
  std::string text;
  for (const std::string& l : t.columns[0].strings) text += l + "\n";
  EXPECT_NE(text.find("series: 1 selected through the label postings"), std::string::npos)
      << text;
  const bool rollups = GetParam() == Layout::kSealedRollups;
  EXPECT_EQ(text.find("reads from 1h rollups: 0 ranges") == std::string::npos, rollups)
      << text;
  t = Run(std::string("EXPLAIN ANALYZE SELECT count() FROM tasks WHERE agent = 'a'") +
          kDay1);
  text.clear();
  for (const std::string& l : t.columns[0].strings) text += l + "\n";
  EXPECT_NE(text.find("result: 1 rows"), std::string::npos) << text;
}

INSTANTIATE_TEST_SUITE_P(Layouts, ExecutorTest,
                         ::testing::Values(Layout::kHead, Layout::kSealedRaw,
                                           Layout::kSealedRollups));

TEST(ExecutorErrors, RefusedStatements) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), ManualSealing());
  QueryOptions o;
  o.now = kT0;
  Result<ResultTable> r = Execute(db.get(), "SELECT count() FROM tasks", o);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("1:8: count() has no time bound"),
            std::string::npos)
      << r.status().message();
  r = Execute(db.get(), "SELECT rate(success) OVER hour FROM tasks", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().substr(0, 5), "1:27:") << r.status().message();
  // Two billion windows are refused up front, not allocated.
  r = Execute(db.get(), "SELECT zscore(count(), 1ms, 4w) FROM tasks", o);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsResourceExhausted()) << r.status().ToString();
  EXPECT_NE(
      r.status().message().find("1:8: zscore(count(), 1ms, 4w) needs 2419200001 windows"),
      std::string::npos)
      << r.status().message();
  r = Execute(db.get(), "SHOW SLOS", o);
  EXPECT_TRUE(r.status().IsNotSupported()) << r.status().ToString();
}

TEST(ExecutorErrors, CancelledAndMemoryLimit) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), ManualSealing());
  EventBatch batch;
  for (int s = 0; s < 50; ++s) {
    const uint32_t id = batch.AddSeries(AgentLabels("agent-" + std::to_string(s)));
    for (int i = 0; i < 20; ++i) {
      Event e;
      e.time = kT0 + i * kMinute;
      e.latency_ms = static_cast<float>(i);
      batch.Add(id, e);
    }
  }
  ASSERT_TRUE(db->Append(WriteOptions(), batch).ok());
  const std::string q =
      "SELECT agent, p50(latency_ms, exact) FROM tasks WHERE time IN LAST 1d GROUP BY "
      "agent";
  QueryOptions o;
  o.now = kT0 + kNanosPerDay / 2;
  Result<ResultTable> r = Execute(db.get(), q, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 50u);

  std::atomic<bool> cancel{true};
  o.cancel = &cancel;
  r = Execute(db.get(), q, o);
  EXPECT_TRUE(r.status().IsCancelled()) << r.status().ToString();

  o.cancel = nullptr;
  o.memory_limit_bytes = 4096;
  r = Execute(db.get(), q, o);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsResourceExhausted()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("memory limit of 4096 bytes"), std::string::npos);
}

}  // namespace
}  // namespace sredb::query
