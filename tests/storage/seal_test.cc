// Sealing moves head events into chunks without changing what reads see:
// no duplicates, no gaps, late events merged, also while sealing runs.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "storage/db.h"
#include "storage/internal/keys.h"
#include "storage/reader.h"
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

// The keys of the chunks CF by kind: {chunks of their own, packs}.
std::pair<int, int> CountChunkKeys(const std::string& path) {
  std::pair<int, int> out{0, 0};
  testing::ForEachRaw(path, internal::kChunksCf,
                      [&](std::string_view key, std::string_view) {
                        ++(key.size() == internal::kPackKeySize ? out.second : out.first);
                      });
  return out;
}

// Every series' events read through a Reader (packs decoded once for their
// members) in ascending-id order, over a few ranges, rendered as text.
std::vector<std::string> ReadAll(DB* db) {
  std::vector<std::string> out;
  auto reader = db->NewReader();
  EXPECT_TRUE(reader.ok());
  auto series = (*reader)->Select({});
  EXPECT_TRUE(series.ok());
  const int64_t cuts[] = {kT0, kT0 + kNanosPerDay / 3, kT0 + 2 * kNanosPerDay + 5,
                          kT0 + 4 * kNanosPerDay};
  for (int r = 0; r + 1 < 4; ++r) {
    for (const SeriesRef& ref : *series) {
      Columns c;
      EXPECT_TRUE(
          (*reader)->ReadColumns(ref.id, cuts[r], cuts[r + 1], kAllFields, &c).ok());
      for (size_t i = 0; i < c.size(); ++i) {
        out.push_back(std::to_string(ref.id) + "|" + std::to_string(c.time[i]) + "|" +
                      std::to_string(c.cost_micros[i]) + "|" + c.error_kind[i]);
      }
    }
  }
  return out;
}

// Series of very different sizes (some cross the pack threshold only with
// late events), sealed in small groups of series, then late events in
// rounds: every seal rewrites packs, moves grown series into chunks of
// their own, and must leave reads and Check unchanged against a database
// that never sealed.
TEST(Seal, PacksSurviveLateEventsAndGroupedReseals) {
  TempDir sealed_dir, head_dir;
  Options grouped = ManualSealing();
  grouped.seal_group_events = 300;  // several ranges of series a partition
  auto sealed = OpenOrDie(sealed_dir.path(), grouped);
  auto head = OpenOrDie(head_dir.path(), ManualSealing());
  std::mt19937_64 rng(11);
  for (int round = 0; round < 4; ++round) {
    EventBatch batch;
    for (int s = 0; s <= 60; ++s) {
      // Series s < 60 has about 12 * s / (round + 1) events a round in 3
      // days (the busiest cross the pack threshold in later rounds); series
      // 60 is busy enough for chunks of its own from the start.
      const int n = s == 60 ? 1800 : static_cast<int>(rng() % (1 + 24 * s / (round + 1)));
      const uint32_t id = batch.AddSeries(AgentLabels("agent-" + std::to_string(s)));
      for (int i = 0; i < n; ++i) {
        batch.Add(
            id, RandomEvent(rng, kT0 + static_cast<int64_t>(rng() % (3 * kNanosPerDay))));
      }
    }
    ASSERT_TRUE(sealed->Append(WriteOptions(), batch).ok());
    ASSERT_TRUE(head->Append(WriteOptions(), batch).ok());
    ASSERT_TRUE(sealed->Flush().ok());
    EXPECT_EQ(HeadEvents(sealed.get()), 0u);
    EXPECT_EQ(Render(sealed.get()), Render(head.get())) << "round " << round;
    EXPECT_EQ(ReadAll(sealed.get()), ReadAll(head.get())) << "round " << round;
    auto check = sealed->Check();
    ASSERT_TRUE(check.ok());
    EXPECT_TRUE(check->problems.empty()) << check->problems[0];
  }
  ASSERT_TRUE(sealed->Close().ok());
  const auto [chunks, packs] = CountChunkKeys(sealed_dir.path());
  EXPECT_GT(chunks, 0);
  EXPECT_GT(packs, 3);
}

// Reads of one pack asking for different columns each get exactly what
// they ask for (the Reader decodes the pack once, with every column asked
// so far).
TEST(Seal, ReadsOfOnePackFillOnlyTheColumnsAsked) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), ManualSealing());
  AppendRandom(db.get(), 200, 1, 9);  // 5 sparse series: one pack
  ASSERT_TRUE(db->Flush().ok());
  auto reader = db->NewReader();
  ASSERT_TRUE(reader.ok());
  auto series = (*reader)->Select({});
  ASSERT_TRUE(series.ok());
  ASSERT_GE(series->size(), 2u);
  const FieldMask asks[] = {FieldBit(Field::kSuccess), FieldBit(Field::kCost),
                            FieldBit(Field::kSuccess) | FieldBit(Field::kLatency)};
  for (const FieldMask fields : asks) {
    for (const SeriesRef& ref : *series) {
      Columns c;
      ASSERT_TRUE(
          (*reader)->ReadColumns(ref.id, kT0, kT0 + kNanosPerDay, fields, &c).ok());
      ASSERT_GT(c.size(), 0u);
      EXPECT_EQ(c.success.size(), (fields & FieldBit(Field::kSuccess)) ? c.size() : 0);
      EXPECT_EQ(c.cost_micros.size(), (fields & FieldBit(Field::kCost)) ? c.size() : 0);
      EXPECT_EQ(c.latency_ms.size(), (fields & FieldBit(Field::kLatency)) ? c.size() : 0);
      EXPECT_TRUE(c.tokens_in.empty());
    }
  }
  EXPECT_EQ((*reader)->counters().chunks, 3u);  // the pack, once per new column
}

}  // namespace
}  // namespace sredb
