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

TEST(Check, AFlippedChunkByteIsNamedAndTheRestStaysReadable) {
  TempDir dir;
  {
    auto db = OpenOrDie(dir.path(), ManualSealing());
    Fill(db.get());
    ASSERT_TRUE(db->Flush().ok());
    auto stats = db->GetStats();
    ASSERT_TRUE(stats.ok());
    ASSERT_EQ(stats->head_events, 0u);
  }
  DamageFirst(dir.path(), internal::kChunksCf, "", FlipMiddleByte);
  auto db = OpenOrDie(dir.path(), ManualSealing());
  auto report = db->Check();
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problems.size(), 2u);  // the chunk, and its partition's count
  EXPECT_NE(
      report->problems[0].find("chunk (partition " + std::to_string(kT0) + ", series "),
      std::string::npos)
      << report->problems[0];
  auto it = db->Scan(ScanOptions());
  ASSERT_TRUE(it.ok());
  EXPECT_FALSE((*it)->Valid());
  EXPECT_TRUE((*it)->status().IsCorruption());
  ScanOptions later;
  later.start = kT0 + kNanosPerDay;
  EXPECT_EQ(testing::ScanAll(db.get(), later).size(), 20u);
}

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
