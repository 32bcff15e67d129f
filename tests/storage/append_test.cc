// Append is atomic per batch, refuses series-id collisions, and loses
// nothing under concurrent writers.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <set>
#include <thread>

#include "storage/db.h"
#include "test_util.h"

namespace sredb {
namespace {

using testing::AgentLabels;
using testing::kT0;
using testing::OpenOrDie;
using testing::ScanAll;
using testing::TempDir;

EventBatch GoodBatch(int n, const std::string& agent = "a") {
  EventBatch batch;
  uint32_t s = batch.AddSeries(AgentLabels(agent));
  for (int i = 0; i < n; ++i) {
    Event e;
    e.time = kT0 + (i % 16) * kNanosPerDay / 4;  // spans several partitions
    e.tokens_in = i;
    batch.Add(s, e);
  }
  return batch;
}

TEST(Append, ABatchWithOneBadEventStoresNothing) {
  TempDir dir;
  auto db = OpenOrDie(dir.path());
  ASSERT_TRUE(db->Append(WriteOptions(), GoodBatch(3)).ok());
  EventBatch batch = GoodBatch(10, "b");
  Event bad;
  bad.time = kT0;
  bad.latency_ms = std::nanf("");
  batch.Add(batch.AddSeries(AgentLabels("c")), bad);
  Status s = db->Append(WriteOptions(), batch);
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("event 10 {agent=c}: latency_ms is not a finite number"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(ScanAll(db.get()).size(), 3u);
  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->events, 3u);
  EXPECT_EQ(stats->series, 1u);  // neither b nor c was registered
}

TEST(Append, EachOutOfRangeFieldIsNamed) {
  struct Case {
    void (*mutate)(Event*);
    const char* message;
  };
  const Case cases[] = {
      {[](Event* e) { e->time = -1; }, "time is before 1970"},
      {[](Event* e) { e->latency_ms = -1; }, "latency_ms is negative"},
      {[](Event* e) { e->latency_ms = INFINITY; }, "latency_ms is not a finite"},
      {[](Event* e) { e->ttft_ms = std::nanf(""); }, "ttft_ms is not a finite"},
      {[](Event* e) { e->cost_micros = -5; }, "cost_usd is negative"},
      {[](Event* e) { e->tool_calls = 2, e->tool_failures = 3; },
       "tool_failures (3) > tool_calls (2)"},
      {[](Event* e) { e->user_rating = 0.5f; }, "user_rating is outside 1..5"},
      {[](Event* e) { e->user_rating = 6; }, "user_rating is outside 1..5"},
      {[](Event* e) { e->error_kind = std::string(65, 'x'); }, "error_kind is 65 bytes"},
      {[](Event* e) { e->error_kind = "a\nb"; }, "error_kind is not printable"},
  };
  for (const Case& c : cases) {
    Event e;
    e.time = kT0;
    c.mutate(&e);
    Status s = ValidateEvent(e);
    EXPECT_TRUE(s.IsInvalidArgument()) << c.message;
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.message();
  }
}

TEST(Append, RefusesAnOversizedBatch) {
  TempDir dir;
  auto db = OpenOrDie(dir.path());
  EXPECT_TRUE(
      db->Append(WriteOptions(), GoodBatch(kMaxBatchEvents + 1)).IsResourceExhausted());
  EXPECT_EQ(ScanAll(db.get()).size(), 0u);
}

uint64_t ConstantHash(std::string_view) { return 42; }

TEST(Append, RefusesASeriesIdCollisionWithAStoredSeries) {
  TempDir dir;
  Options o;
  o.series_hash_for_testing = ConstantHash;
  auto db = OpenOrDie(dir.path(), o);
  ASSERT_TRUE(db->Append(WriteOptions(), GoodBatch(2, "first")).ok());
  ASSERT_TRUE(
      db->Append(WriteOptions(), GoodBatch(2, "first")).ok());  // same labels: fine
  Status s = db->Append(WriteOptions(), GoodBatch(2, "second"));
  ASSERT_TRUE(s.IsSeriesCollision()) << s.ToString();
  EXPECT_NE(s.message().find("agent=second"), std::string::npos);
  EXPECT_NE(s.message().find("agent=first"), std::string::npos);
  auto events = ScanAll(db.get());
  ASSERT_EQ(events.size(), 4u);
  for (const auto& e : events) EXPECT_EQ(e.labels, "agent=first");
  // Still refused after a reopen: the mapping is persistent.
  ASSERT_TRUE(db->Close().ok());
  db = OpenOrDie(dir.path(), o);
  EXPECT_TRUE(db->Append(WriteOptions(), GoodBatch(1, "second")).IsSeriesCollision());
}

TEST(Append, RefusesTwoNewCollidingSeriesInOneBatch) {
  TempDir dir;
  Options o;
  o.series_hash_for_testing = ConstantHash;
  auto db = OpenOrDie(dir.path(), o);
  EventBatch batch = GoodBatch(2, "x");
  Event e;
  e.time = kT0;
  batch.Add(batch.AddSeries(AgentLabels("y")), e);
  EXPECT_TRUE(db->Append(WriteOptions(), batch).IsSeriesCollision());
  EXPECT_EQ(ScanAll(db.get()).size(), 0u);
  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->series, 0u);
}

TEST(Append, ConcurrentWritersLoseNothing) {
  TempDir dir;
  auto db = OpenOrDie(dir.path());
  constexpr int kThreads = 8, kBatches = 50, kPerBatch = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        EventBatch batch;
        // Shared series across threads, and one of the thread's own.
        uint32_t shared = batch.AddSeries(AgentLabels("shared"));
        uint32_t own = batch.AddSeries(AgentLabels("t" + std::to_string(t)));
        for (int i = 0; i < kPerBatch; ++i) {
          Event e;
          e.time = kT0 + (b * kPerBatch + i) * kNanosPerSecond * 60;
          e.tokens_in = static_cast<uint32_t>(t * 1'000'000 + b * kPerBatch + i);
          batch.Add(i % 2 ? shared : own, e);
        }
        if (!db->Append(WriteOptions(), batch).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  auto events = ScanAll(db.get());
  ASSERT_EQ(events.size(), size_t{kThreads * kBatches * kPerBatch});
  std::set<uint32_t> seen;
  for (const auto& e : events) seen.insert(e.event.tokens_in);
  EXPECT_EQ(seen.size(), events.size());  // every event exactly once
  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->series, size_t{kThreads + 1});
  EXPECT_EQ(stats->events, events.size());
}

}  // namespace
}  // namespace sredb
