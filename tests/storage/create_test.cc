// A writer killed while creating a database leaves a directory the next
// open finishes creating (nothing in it was acknowledged); a database that
// lost its CURRENT file is damage, refused by name; a foreign directory is
// refused.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <filesystem>
#include <fstream>

#include "storage/db.h"
#include "storage/internal/lock_file.h"
#include "test_util.h"

namespace sredb {
namespace {

namespace fs = std::filesystem;
using testing::AgentLabels;
using testing::kT0;
using testing::ManualSealing;
using testing::TempDir;

Options Creating() {
  Options o = ManualSealing();
  o.create_if_missing = true;
  return o;
}

void Touch(const fs::path& p, const std::string& text = "") { std::ofstream(p) << text; }

// Creates a plain RocksDB database at `path`, with one key if `put`.
void MakeRocksDb(const std::string& path, bool put) {
  rocksdb::Options o;
  o.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(o, path, &raw).ok());
  if (put) {
    EXPECT_TRUE(raw->Put(rocksdb::WriteOptions(), "theirs", "x").ok());
  }
  delete raw;
}

// Opens with creation, appends one event, reopens, and expects it there.
void ExpectUsable(const std::string& path) {
  {
    auto db = DB::Open(Creating(), path);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EventBatch batch;
    Event e;
    e.time = kT0;
    batch.Add(batch.AddSeries(AgentLabels("a")), e);
    ASSERT_TRUE((*db)->Append(WriteOptions(), batch).ok());
  }
  auto db = DB::Open(Creating(), path);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto stats = (*db)->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->events, 1u);
}

TEST(Create, KilledBeforeRocksDbWroteCurrent) {
  TempDir dir;
  const fs::path db = fs::path(dir.path()) / "db";
  fs::create_directories(db);
  Touch(db / internal::kLockFileName, "999999999\n");  // a dead creator
  Touch(db / "IDENTITY", "1234");
  Touch(db / "LOCK");
  Touch(db / "LOG", "some lines");
  Touch(db / "MANIFEST-000001", "cut short");
  Touch(db / "000003.log");  // an empty log (RocksDB refuses to create beside one)
  ExpectUsable(db.string());
}

TEST(Create, KilledAfterCurrentBeforeTheMetaRecords) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  MakeRocksDb(db, false);
  Touch(fs::path(db) / internal::kLockFileName, "999999999\n");
  ExpectUsable(db);
}

TEST(Create, ADatabaseWithoutCurrentIsRefusedAsDamaged) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  ExpectUsable(db);
  {
    auto open = DB::Open(Creating(), db);
    ASSERT_TRUE(open.ok());
    ASSERT_TRUE((*open)->Flush().ok());  // tables on disk
  }
  fs::remove(fs::path(db) / "CURRENT");
  auto open = DB::Open(Creating(), db);
  ASSERT_FALSE(open.ok());
  EXPECT_TRUE(open.status().IsCorruption()) << open.status().ToString();
  EXPECT_NE(open.status().message().find("no CURRENT"), std::string::npos);
}

TEST(Create, AForeignDirectoryIsRefused) {
  TempDir dir;
  Touch(fs::path(dir.path()) / "notes.txt", "mine");
  auto open = DB::Open(Creating(), dir.path());
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.status().message().find("is not an sredb database"), std::string::npos);
  EXPECT_FALSE(fs::exists(fs::path(dir.path()) / internal::kLockFileName));
}

TEST(Create, AForeignRocksDbDatabaseIsRefused) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  MakeRocksDb(db, true);
  auto open = DB::Open(Creating(), db);
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.status().message().find("not an sredb one"), std::string::npos)
      << open.status().ToString();
}

}  // namespace
}  // namespace sredb
