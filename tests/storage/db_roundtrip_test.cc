// Events come back exactly as appended, through close and reopen.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>

#include "storage/db.h"
#include "test_util.h"

namespace sredb {
namespace {

using testing::AgentLabels;
using testing::kT0;
using testing::OpenOrDie;
using testing::RandomEvent;
using testing::ScanAll;
using testing::TempDir;

struct Expected {
  std::string labels;
  Event event;
};

// Appends `n` random events over three days and six series, in shuffled
// time order and in batches of 100; returns them sorted as a scan yields them.
std::vector<Expected> AppendRandom(DB* db, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Labels> series;
  for (int a = 0; a < 3; ++a) {
    series.push_back(AgentLabels("agent-" + std::to_string(a)));
    series.push_back(AgentLabels("agent-" + std::to_string(a), "m" + std::to_string(a)));
  }
  std::vector<Expected> all;
  EventBatch batch;
  for (int i = 0; i < n; ++i) {
    const Labels& l = series[rng() % series.size()];
    Event e = RandomEvent(rng, kT0 + static_cast<int64_t>(rng() % (3 * kNanosPerDay)));
    all.push_back({l.ToString(), e});
    batch.Add(batch.AddSeries(l), e);
    if (batch.size() == 100) {
      EXPECT_TRUE(db->Append(WriteOptions(), batch).ok());
      batch.Clear();
    }
  }
  EXPECT_TRUE(db->Append(WriteOptions(), batch).ok());
  return all;
}

void ExpectSameEvents(std::vector<Expected> want,
                      const std::vector<testing::ScannedEvent>& got) {
  ASSERT_EQ(want.size(), got.size());
  // Within equal times the scan orders by series id; compare as multisets
  // per time, and check the scan's time order separately.
  for (size_t i = 1; i < got.size(); ++i)
    ASSERT_LE(got[i - 1].event.time, got[i].event.time);
  auto key = [](const std::string& l, const Event& e) {
    return std::to_string(e.time) + "|" + l + "|" + std::to_string(e.cost_micros) + "|" +
           std::to_string(e.tokens_in) + "|" + std::to_string(e.tool_calls);
  };
  std::vector<std::pair<std::string, const Event*>> a, b;
  for (const auto& w : want) a.emplace_back(key(w.labels, w.event), &w.event);
  for (const auto& g : got) b.emplace_back(key(g.labels, g.event), &g.event);
  auto by_key = [](const auto& x, const auto& y) { return x.first < y.first; };
  std::stable_sort(a.begin(), a.end(), by_key);
  std::stable_sort(b.begin(), b.end(), by_key);
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].first, b[i].first);
    ASSERT_EQ(*a[i].second, *b[i].second) << "at " << a[i].first;
  }
}

TEST(DbRoundTrip, EveryFieldSurvivesCloseAndReopen) {
  TempDir dir;
  std::vector<Expected> want;
  {
    auto db = OpenOrDie(dir.path());
    want = AppendRandom(db.get(), 5000, 1);
    ExpectSameEvents(want, ScanAll(db.get()));
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = OpenOrDie(dir.path());
  ExpectSameEvents(want, ScanAll(db.get()));
  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->events, 5000u);
  EXPECT_EQ(stats->series, 6u);
  EXPECT_EQ(stats->partitions, 3u);
  auto [lo, hi] = std::minmax_element(want.begin(), want.end(), [](auto& x, auto& y) {
    return x.event.time < y.event.time;
  });
  EXPECT_EQ(stats->first_time, lo->event.time);
  EXPECT_EQ(stats->last_time, hi->event.time);
  EXPECT_GT(stats->bytes_on_disk, 0u);
}

TEST(DbRoundTrip, EventsAtTheSameNanosecondAreAllKept) {
  TempDir dir;
  auto db = OpenOrDie(dir.path());
  EventBatch batch;
  uint32_t s = batch.AddSeries(AgentLabels("a"));
  Event e;
  e.time = kT0;
  for (int i = 0; i < 5; ++i) {
    e.tokens_in = i;
    batch.Add(s, e);
  }
  ASSERT_TRUE(db->Append(WriteOptions(), batch).ok());
  ASSERT_TRUE(db->Append(WriteOptions(), batch).ok());
  auto got = ScanAll(db.get());
  ASSERT_EQ(got.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(got[i].event.tokens_in, uint32_t(i % 5)) << i;
}

TEST(DbRoundTrip, SyncedAppendIsStored) {
  TempDir dir;
  auto db = OpenOrDie(dir.path());
  EventBatch batch;
  Event e;
  e.time = kT0;
  batch.Add(batch.AddSeries(AgentLabels("a")), e);
  WriteOptions wo;
  wo.sync = true;
  ASSERT_TRUE(db->Append(wo, batch).ok());
  EXPECT_EQ(ScanAll(db.get()).size(), 1u);
}

TEST(DbOpen, RefusesToCreateWithoutCreateIfMissing) {
  TempDir dir;
  auto db = DB::Open(Options(), dir.Sub("nope"));
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsNotFound()) << db.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("nope")));
}

TEST(DbOpen, RefusesANonEmptyDirectoryThatIsNoDatabase) {
  TempDir dir;
  std::filesystem::create_directories(dir.Sub("x"));
  { std::ofstream(dir.Sub("x/notes.txt")) << "hello"; }
  Options o;
  o.create_if_missing = true;
  auto db = DB::Open(o, dir.Sub("x"));
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("not an sredb database"), std::string::npos);
}

TEST(DbOpen, KeepsThePartitionLengthItWasCreatedWith) {
  TempDir dir;
  Options o;
  o.partition_ns = 3600 * kNanosPerSecond;
  { auto db = OpenOrDie(dir.path(), o); }
  o.partition_ns = kNanosPerDay;
  auto db = OpenOrDie(dir.path(), o);
  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->partition_ns, 3600 * kNanosPerSecond);
}

TEST(DbOpen, ReadOnlyOpenSeesDataAndRefusesAppend) {
  TempDir dir;
  EventBatch batch;
  Event e;
  e.time = kT0;
  batch.Add(batch.AddSeries(AgentLabels("a")), e);
  {
    auto db = OpenOrDie(dir.path());
    ASSERT_TRUE(db->Append(WriteOptions(), batch).ok());
  }
  Options ro;
  ro.read_only = true;
  auto db = DB::Open(ro, dir.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(ScanAll(db->get()).size(), 1u);
  EXPECT_TRUE((*db)->Append(WriteOptions(), batch).IsNotSupported());
}

}  // namespace
}  // namespace sredb
