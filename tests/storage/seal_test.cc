// Sealing moves head events into chunks without changing what reads see:
// no duplicates, no gaps, late events merged, also while sealing runs.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "storage/db.h"
#include "test_util.h"

namespace sredb {
namespace {

using testing::AgentLabels;
using testing::kT0;
using testing::ManualSealing;
using testing::OpenOrDie;
using testing::RandomEvent;
using testing::ScanAll;
using testing::TempDir;

// Appends `n` random events over `days` days and 5 series, in shuffled time
// order, in batches of 97.
void AppendRandom(DB* db, int n, int days, uint64_t seed) {
  std::mt19937_64 rng(seed);
  EventBatch batch;
  for (int i = 0; i < n; ++i) {
    Labels l = AgentLabels("agent-" + std::to_string(rng() % 5));
    batch.Add(
        batch.AddSeries(l),
        RandomEvent(rng, kT0 + static_cast<int64_t>(rng() % (days * kNanosPerDay))));
    if (batch.size() == 97) {
      ASSERT_TRUE(db->Append(WriteOptions(), batch).ok());
      batch.Clear();
    }
  }
  ASSERT_TRUE(db->Append(WriteOptions(), batch).ok());
}

// A scan rendered to comparable text, in scan order.
std::vector<std::string> Render(DB* db, const ScanOptions& o = {}) {
  std::vector<std::string> out;
  for (const auto& e : ScanAll(db, o)) {
    out.push_back(e.labels + "|" + std::to_string(e.event.time) + "|" +
                  std::to_string(e.event.cost_micros) + "|" +
                  std::to_string(e.event.tokens_in) + "|" +
                  std::to_string(e.event.latency_ms) + "|" + e.event.error_kind + "|" +
                  (e.event.ttft_ms ? std::to_string(*e.event.ttft_ms) : "-") + "|" +
                  (e.event.trace_id ? std::to_string((*e.event.trace_id)[3]) : "-"));
  }
  return out;
}

uint64_t HeadEvents(DB* db) {
  auto st = db->GetStats();
  EXPECT_TRUE(st.ok());
  return st.ok() ? st->head_events : ~uint64_t{0};
}

TEST(Seal, FlushMovesEverythingToChunksAndReadsDoNotChange) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), ManualSealing());
  AppendRandom(db.get(), 3000, 4, 1);
  const auto before = Render(db.get());
  ASSERT_EQ(before.size(), 3000u);
  ASSERT_TRUE(db->Flush().ok());
  EXPECT_EQ(HeadEvents(db.get()), 0u);
  EXPECT_EQ(Render(db.get()), before);
  ScanOptions window;
  window.start = kT0 + kNanosPerDay / 2;
  window.end = kT0 + 3 * kNanosPerDay + 7;
  window.matchers = {{"agent", LabelMatcher::Op::kIn, {"agent-1", "agent-3"}}};
  const auto part = Render(db.get(), window);
  auto check = db->Check();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->problems.empty()) << check->problems[0];
  ASSERT_TRUE(db->Close().ok());
  db = OpenOrDie(dir.path(), ManualSealing());
  EXPECT_EQ(Render(db.get()), before);
  EXPECT_EQ(Render(db.get(), window), part);
}

TEST(Seal, SealingInSeriesGroupsGivesTheSameChunks) {
  TempDir whole_dir, grouped_dir;
  Options grouped = ManualSealing();
  grouped.seal_group_events = 50;  // ~3000 events a partition: dozens of groups
  auto whole = OpenOrDie(whole_dir.path(), ManualSealing());
  auto parts = OpenOrDie(grouped_dir.path(), grouped);
  AppendRandom(whole.get(), 6000, 2, 5);
  AppendRandom(parts.get(), 6000, 2, 5);
  ASSERT_TRUE(whole->Flush().ok());
  ASSERT_TRUE(parts->Flush().ok());
  EXPECT_EQ(HeadEvents(parts.get()), 0u);
  const auto expected = Render(whole.get());
  ASSERT_EQ(expected.size(), 6000u);
  EXPECT_EQ(Render(parts.get()), expected);
  auto check = parts->Check();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->problems.empty()) << check->problems[0];
}

TEST(Seal, LateEventsAreMergedAtReadAndAtTheNextSeal) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), ManualSealing());
  AppendRandom(db.get(), 1000, 3, 2);
  ASSERT_TRUE(db->Flush().ok());
  AppendRandom(db.get(), 500, 3, 3);  // late: into sealed partitions
  EXPECT_EQ(HeadEvents(db.get()), 500u);
  const auto merged = Render(db.get());
  ASSERT_EQ(merged.size(), 1500u);
  ASSERT_TRUE(db->Flush().ok());
  EXPECT_EQ(HeadEvents(db.get()), 0u);
  EXPECT_EQ(Render(db.get()), merged);
  auto st = db->GetStats();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->events, 1500u);
}

TEST(Seal, EqualTimesKeepArrivalOrderAcrossChunkAndHead) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), ManualSealing());
  for (uint32_t round = 0; round < 3; ++round) {
    EventBatch batch;
    Event e;
    e.time = kT0;
    e.tokens_in = round;
    batch.Add(batch.AddSeries(AgentLabels("a")), e);
    ASSERT_TRUE(db->Append(WriteOptions(), batch).ok());
    if (round < 2) {
      ASSERT_TRUE(db->Flush().ok());
    }
  }
  auto events = ScanAll(db.get());
  ASSERT_EQ(events.size(), 3u);
  for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(events[i].event.tokens_in, i);
}

TEST(Seal, BackgroundSealerSealsPartitionsBehindTheNewestEvent) {
  TempDir dir;
  Options o;  // background sealing on
  o.seal_grace_ns = 60 * kNanosPerSecond;
  auto db = OpenOrDie(dir.path(), o);
  // Time-ordered days 0..4: days 0..3 fall behind the newest event.
  for (int day = 0; day < 5; ++day) {
    EventBatch batch;
    for (int i = 0; i < 100; ++i) {
      Event e;
      e.time = kT0 + day * kNanosPerDay + i * 60 * kNanosPerSecond;
      batch.Add(batch.AddSeries(AgentLabels("a")), e);
    }
    ASSERT_TRUE(db->Append(WriteOptions(), batch).ok());
  }
  // The sealer runs on its own thread; wait (bounded) for it to catch up.
  for (int i = 0; i < 200 && HeadEvents(db.get()) != 100u; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(HeadEvents(db.get()), 100u);  // only the newest day stays in head
  EXPECT_EQ(ScanAll(db.get()).size(), 500u);
}

TEST(Seal, ScansDuringSealingSeeNoDuplicatesAndNoGaps) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), ManualSealing());
  AppendRandom(db.get(), 4000, 6, 4);
  const auto expected = Render(db.get());
  std::atomic<bool> done{false};
  std::atomic<int> mismatches{0}, scans{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        if (Render(db.get()) != expected) ++mismatches;
        ++scans;
      }
    });
  }
  // Seal all six partitions while the readers scan.
  ASSERT_TRUE(db->Flush().ok());
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_GT(scans.load(), 0);
  EXPECT_EQ(Render(db.get()), expected);
}

}  // namespace
}  // namespace sredb
