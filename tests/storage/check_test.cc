// Check finds damaged objects; scans refuse damaged head records by name.
#include <gtest/gtest.h>

#include "storage/db.h"
#include "storage/internal/keys.h"
#include "test_util.h"

namespace sredb {
namespace {

using testing::AgentLabels;
using testing::DamageFirst;
using testing::FlipMiddleByte;
using testing::kT0;
using testing::ManualSealing;
using testing::OpenOrDie;
using testing::TempDir;

void Fill(DB* db) {
  EventBatch batch;
  for (int i = 0; i < 30; ++i) {
    Event e;
    e.time = kT0 + i * kNanosPerDay / 10;  // three partitions
    batch.Add(batch.AddSeries(AgentLabels("a" + std::to_string(i % 3))), e);
  }
  ASSERT_TRUE(db->Append(WriteOptions(), batch).ok());
}

TEST(Check, ASoundDatabaseHasNoProblems) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), ManualSealing());
  Fill(db.get());
  auto report = db->Check();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->problems.empty()) << report->problems[0];
  EXPECT_GT(report->objects_checked, 3u + 3 + 3);
}

TEST(Check, AFlippedHeadByteIsNamedAndTheRestStaysReadable) {
  TempDir dir;
  {
    auto db = OpenOrDie(dir.path(), ManualSealing());
    Fill(db.get());
  }
  DamageFirst(dir.path(), internal::kHeadCf, "", FlipMiddleByte);
  auto db = OpenOrDie(dir.path(), ManualSealing());
  auto report = db->Check();
  ASSERT_TRUE(report.ok());
  ASSERT_FALSE(report->problems.empty());
  EXPECT_NE(report->problems[0].find("head record (partition " + std::to_string(kT0)),
            std::string::npos)
      << report->problems[0];
  // A scan touching the damaged partition fails naming it; one that does
  // not touch it answers.
  auto it = db->Scan(ScanOptions());
  ASSERT_TRUE(it.ok());
  EXPECT_FALSE((*it)->Valid());
  EXPECT_TRUE((*it)->status().IsCorruption());
  EXPECT_NE((*it)->status().message().find("bad checksum"), std::string::npos);
  ScanOptions later;
  later.start = kT0 + kNanosPerDay;
  EXPECT_EQ(testing::ScanAll(db.get(), later).size(), 20u);
}

// Fill's series are sparse: sealing puts them into packs. With `busy`, a
// partition of its own holds a series busy enough for a chunk of its own,
// and that chunk is damaged instead.
class CheckSealed : public ::testing::TestWithParam<bool> {};
constexpr int64_t kBusyDay = kT0 + 5 * kNanosPerDay;

TEST_P(CheckSealed, AFlippedByteIsNamedAndTheRestStaysReadable) {
  const bool busy = GetParam();
  TempDir dir;
  {
    auto db = OpenOrDie(dir.path(), ManualSealing());
    Fill(db.get());
    if (busy) {
      EventBatch batch;
      const uint32_t s = batch.AddSeries(AgentLabels("0-busy"));
      for (int i = 0; i < 600; ++i) {
        Event e;
        e.time = kBusyDay + i;
        batch.Add(s, e);
      }
      ASSERT_TRUE(db->Append(WriteOptions(), batch).ok());
    }
    ASSERT_TRUE(db->Flush().ok());
    auto stats = db->GetStats();
    ASSERT_TRUE(stats.ok());
    ASSERT_EQ(stats->head_events, 0u);
  }
  const int64_t damaged = busy ? kBusyDay : kT0;
  DamageFirst(dir.path(), internal::kChunksCf, internal::PartitionStartPrefix(damaged),
              FlipMiddleByte);
  auto db = OpenOrDie(dir.path(), ManualSealing());
  auto report = db->Check();
  ASSERT_TRUE(report.ok());
  const std::string kind = busy ? "chunk (partition " : "pack (partition ";
  // The object and its partition's count; the busy series' rollups also
  // disagree with what is left of its events.
  ASSERT_EQ(report->problems.size(), busy ? 4u : 2u);
  EXPECT_NE(report->problems[0].find(kind + std::to_string(damaged) + ", series "),
            std::string::npos)
      << report->problems[0];
  auto it = db->Scan(ScanOptions());
  ASSERT_TRUE(it.ok());
  while ((*it)->Valid()) (*it)->Next();
  EXPECT_TRUE((*it)->status().IsCorruption());
  // What the damaged object does not hold stays readable.
  ScanOptions other;
  if (busy) {
    other.end = kBusyDay;
    EXPECT_EQ(testing::ScanAll(db.get(), other).size(), 30u);
  } else {
    other.start = kT0 + kNanosPerDay;
    EXPECT_EQ(testing::ScanAll(db.get(), other).size(), 20u);
  }
}

INSTANTIATE_TEST_SUITE_P(PackOrChunk, CheckSealed, ::testing::Bool());

TEST(Check, ADamagedSeriesRecordIsNamed) {
  TempDir dir;
  {
    auto db = OpenOrDie(dir.path(), ManualSealing());
    Fill(db.get());
  }
  DamageFirst(dir.path(), internal::kIndexCf, "s", FlipMiddleByte);
  Options ro;
  ro.read_only = true;
  auto db = DB::Open(ro, dir.path());
  ASSERT_FALSE(db.ok());  // the series map cannot be loaded
  EXPECT_TRUE(db.status().IsCorruption());
  EXPECT_NE(db.status().message().find("index: series "), std::string::npos);
}

}  // namespace
}  // namespace sredb
