// Check finds damaged objects; scans refuse damaged head records by name.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "storage/db.h"
#include "storage/internal/keys.h"
#include "test_util.h"

namespace sredb {
namespace {

using testing::AgentLabels;
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

// Applies `mutate` to the value of the first key of column family `cf`
// whose key starts with `prefix`, with the database closed.
void DamageFirst(const std::string& path, const std::string& cf,
                 const std::string& prefix, void (*mutate)(std::string*)) {
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const std::string& n : names)
    descs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened =
      rocksdb::DB::Open(rocksdb::DBOptions(), path, descs, &handles, &raw);
  ASSERT_TRUE(opened.ok()) << opened.ToString();
  rocksdb::ColumnFamilyHandle* h = nullptr;
  for (auto* handle : handles) {
    if (handle->GetName() == cf) h = handle;
  }
  std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions(), h));
  it->Seek(prefix);
  ASSERT_TRUE(it->Valid());
  std::string key = it->key().ToString(), value = it->value().ToString();
  it.reset();
  mutate(&value);
  ASSERT_TRUE(raw->Put(rocksdb::WriteOptions(), h, key, value).ok());
  for (auto* handle : handles) ASSERT_TRUE(raw->DestroyColumnFamilyHandle(handle).ok());
  ASSERT_TRUE(raw->Close().ok());
  delete raw;
}

void FlipMiddleByte(std::string* v) { (*v)[v->size() / 2] ^= 0x10; }

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
