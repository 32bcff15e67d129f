// Damage to every kind of persisted object, by a flipped byte and by
// truncation: each is a Corruption naming the object (from DB::Open for
// what the open loads, from Check and from the reads that touch it
// otherwise), `sredb check` lists it and exits 1, no read answers wrongly,
// and undamaged data stays readable. (Single flips of chunks, rollups, head
// and series records: check_test.cc and reader_test.cc; the write-ahead
// log: wal_test.cc.)
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "storage/db.h"
#include "storage/internal/keys.h"
#include "storage/internal/lock_file.h"
#include "test_util.h"

namespace sredb {
namespace {

namespace fs = std::filesystem;
using testing::AgentLabels;
using testing::DamageFirst;
using testing::kT0;
using testing::ManualSealing;
using testing::OpenOrDie;
using testing::TempDir;

constexpr int kPartitions = 3;
constexpr int kPerSeriesAndPartition = 4;  // events
constexpr int kSeries = 3;

Options Opts() {
  Options o = ManualSealing();
  o.rollup_min_bucket_events = 0;            // rollups everywhere
  o.raw_retention_ns = 1000 * kNanosPerDay;  // writes meta `retention`
  o.rollup_1m_retention_ns = 1000 * kNanosPerDay;
  o.rollup_1h_retention_ns = 1000 * kNanosPerDay;
  return o;
}

// Three series over three day partitions, sealed into chunks and rollups,
// plus one late event per series left in the head of the first partition.
void Fill(const std::string& path) {
  auto db = OpenOrDie(path, Opts());
  ASSERT_NE(db, nullptr);
  EventBatch batch;
  for (int p = 0; p < kPartitions; ++p) {
    for (int s = 0; s < kSeries; ++s) {
      for (int i = 0; i < kPerSeriesAndPartition; ++i) {
        Event e;
        e.time = kT0 + p * kNanosPerDay + (s * 10 + i) * kNanosPerSecond * 60;
        e.success = i % 2 == 0;
        batch.Add(batch.AddSeries(AgentLabels("a" + std::to_string(s))), e);
      }
    }
  }
  ASSERT_TRUE(db->Append(WriteOptions(), batch).ok());
  ASSERT_TRUE(db->Flush().ok());
  EventBatch late;
  for (int s = 0; s < kSeries; ++s) {
    Event e;
    e.time = kT0 + 7 * kNanosPerSecond;
    late.Add(late.AddSeries(AgentLabels("a" + std::to_string(s))), e);
  }
  ASSERT_TRUE(db->Append(WriteOptions(), late).ok());
  ASSERT_TRUE(db->Close().ok());
}

// A copy of the closed database at `from`, without the lock file its
// writer (this process) left: a read-only open that fails retries while
// the process a lock file names is alive (storage/db.h), for a second.
void CopyWithoutLock(const std::string& from, const std::string& to) {
  fs::copy(from, to, fs::copy_options::recursive);
  fs::remove(to + "/" + internal::kLockFileName);
}

void Half(std::string* v) { v->resize(v->size() / 2); }
void DropLastByte(std::string* v) { v->pop_back(); }
void Empty(std::string* v) { v->clear(); }

struct Damage {
  const char* what;
  void (*mutate)(std::string*);
};
constexpr Damage kDamages[] = {{"a flipped byte", testing::FlipMiddleByte},
                               {"the last byte cut", DropLastByte},
                               {"cut in half", Half},
                               {"emptied", Empty}};

// Runs `sredb check path`; returns its exit status, its output in *out.
int SredbCheck(const std::string& path, std::string* out) {
  const std::string file = path + ".check-output";
  const std::string cmd =
      std::string(SREDB_BINARY) + " check '" + path + "' >'" + file + "' 2>&1";
  const int status = std::system(cmd.c_str());
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  *out = text.str();
  fs::remove(file);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Objects that DB::Open loads: damage makes every open fail by name.
struct Loaded {
  const char* cf;
  std::string key_prefix;
  std::string named;  // in the Corruption message
};

TEST(Corruption, WhatOpenLoadsIsRefusedByName) {
  const Loaded loaded[] = {
      {internal::kMetaCf, std::string(internal::kFormatVersionKey),
       "meta format_version"},
      {internal::kMetaCf, std::string(internal::kPartitionNsKey), "meta partition_ns"},
      {internal::kMetaCf, std::string(internal::kNextSeqKey), "meta next_seq"},
      {internal::kMetaCf, std::string(internal::kRetentionKey), "meta retention"},
      {internal::kMetaCf, std::string(1, internal::kPartitionPrefix),
       "meta: partition " + std::to_string(kT0)},
      {internal::kIndexCf, std::string(1, internal::kSeriesPrefix), "index: series "},
  };
  TempDir pristine;
  Fill(pristine.Sub("db"));
  for (const Loaded& object : loaded) {
    for (const Damage& damage : kDamages) {
      SCOPED_TRACE(std::string(object.named) + ", " + damage.what);
      TempDir dir;
      const std::string path = dir.Sub("db");
      CopyWithoutLock(pristine.Sub("db"), path);
      DamageFirst(path, object.cf, object.key_prefix, damage.mutate);
      // `sredb check` first: a failed writer open leaves this process's pid
      // in the lock file, and read-only opens retry while it is alive.
      std::string out;
      EXPECT_EQ(SredbCheck(path, &out), 1) << out;
      EXPECT_NE(out.find(object.named), std::string::npos) << out;
      for (bool read_only : {true, false}) {
        Options o = Opts();
        o.read_only = read_only;
        auto db = DB::Open(o, path);
        ASSERT_FALSE(db.ok());
        EXPECT_TRUE(db.status().IsCorruption()) << db.status().ToString();
        EXPECT_NE(db.status().message().find(object.named), std::string::npos)
            << db.status().ToString();
      }
    }
  }
}

// Objects read on demand: Check and the reads that touch them name them;
// everything else still answers.
struct OnDemand {
  const char* cf;
  const char* named;
  const char* or_named;  // sparse series' chunks live in packs (FORMAT.md)
};

bool Names(const std::string& message, const OnDemand& object) {
  return message.find(object.named) != std::string::npos ||
         message.find(object.or_named) != std::string::npos;
}

void ExpectUndamagedPartitionsRead(DB* db) {
  ScanOptions later;
  later.start = kT0 + kNanosPerDay;
  EXPECT_EQ(testing::ScanAll(db, later).size(),
            static_cast<size_t>((kPartitions - 1) * kSeries * kPerSeriesAndPartition));
}

TEST(Corruption, WhatReadsTouchIsNamedAndTheRestAnswers) {
  const OnDemand objects[] = {
      {internal::kHeadCf, "head record (partition ", "head record (partition "},
      {internal::kChunksCf, "chunk (partition ", "pack (partition "},
      {internal::kRollup1mCf, "rollups_1m record (partition ",
       "rollups_1m record (partition "},
      {internal::kRollup1hCf, "rollups_1h record (partition ",
       "rollups_1h record (partition "},
  };
  TempDir pristine;
  Fill(pristine.Sub("db"));
  for (const OnDemand& object : objects) {
    for (const Damage& damage : kDamages) {
      SCOPED_TRACE(std::string(object.named) + ", " + damage.what);
      TempDir dir;
      const std::string path = dir.Sub("db");
      CopyWithoutLock(pristine.Sub("db"), path);
      DamageFirst(path, object.cf, "", damage.mutate);
      Options o = Opts();
      o.read_only = true;
      auto db = DB::Open(o, path);
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      auto report = (*db)->Check();
      ASSERT_TRUE(report.ok()) << report.status().ToString();
      ASSERT_FALSE(report->problems.empty());
      EXPECT_TRUE(Names(report->problems[0], object)) << report->problems[0];
      ExpectUndamagedPartitionsRead(db->get());
      // Reads of the damaged partition: Corruption naming the object, or
      // (for a series whose object is sound) the right answer.
      auto reader = (*db)->NewReader();
      ASSERT_TRUE(reader.ok());
      auto series = (*reader)->Select({});
      ASSERT_TRUE(series.ok());
      ASSERT_EQ(series->size(), static_cast<size_t>(kSeries));
      int corrupt = 0;
      for (const SeriesRef& ref : *series) {
        const Resolution res = std::string(object.cf) == internal::kRollup1mCf
                                   ? Resolution::k1m
                                   : Resolution::k1h;
        std::vector<Bucket> buckets;
        Status s = (*reader)->ReadBuckets(ref.id, res, kT0, kT0 + kNanosPerDay,
                                          kAllFields, &buckets);
        Columns c;
        Status r =
            (*reader)->ReadColumns(ref.id, kT0, kT0 + kNanosPerDay, kAllFields, &c);
        for (const Status& st : {s, r}) {
          if (st.ok()) continue;
          ++corrupt;
          EXPECT_TRUE(st.IsCorruption()) << st.ToString();
          EXPECT_TRUE(Names(st.message(), object)) << st.ToString();
        }
        if (s.ok()) {
          uint64_t events = 0;
          for (const Bucket& b : buckets) events += b.agg.count;
          EXPECT_EQ(events, kPerSeriesAndPartition + 1u);
        }
        if (r.ok()) {
          EXPECT_EQ(c.size(), kPerSeriesAndPartition + 1u);
        }
      }
      EXPECT_GT(corrupt, 0) << "no read noticed the damage";
      std::string out;
      EXPECT_EQ(SredbCheck(path, &out), 1) << out;
      EXPECT_TRUE(Names(out, object)) << out;
      EXPECT_NE(out.find("DAMAGED"), std::string::npos) << out;
    }
  }
}

// A byte flipped inside a table file (.sst) of each column family: RocksDB's
// block checksums make it a Corruption, from the open or from Check and the
// reads, never an answer.
TEST(Corruption, AFlippedTableByteIsNeverAnAnswer) {
  TempDir pristine;
  Fill(pristine.Sub("db"));
  {  // put every family in table files
    auto db = OpenOrDie(pristine.Sub("db"), Opts());
    ASSERT_TRUE(db->Flush().ok());
    ASSERT_TRUE(db->Close().ok());
  }
  std::vector<rocksdb::LiveFileMetaData> files;
  {
    std::vector<std::string> names;
    ASSERT_TRUE(
        rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), pristine.Sub("db"), &names)
            .ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descs;
    for (const std::string& n : names)
      descs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), pristine.Sub("db"),
                                             descs, &handles, &raw)
                    .ok());
    raw->GetLiveFilesMetaData(&files);
    for (auto* h : handles) ASSERT_TRUE(raw->DestroyColumnFamilyHandle(h).ok());
    delete raw;
  }
  std::map<std::string, std::string> table_of;  // family -> one table file
  for (const auto& f : files) table_of[f.column_family_name] = f.relative_filename;
  for (const char* cf : {internal::kMetaCf, internal::kIndexCf, internal::kChunksCf,
                         internal::kRollup1mCf, internal::kRollup1hCf}) {
    SCOPED_TRACE(cf);
    ASSERT_TRUE(table_of.count(cf)) << "no table file for " << cf;
    TempDir dir;
    const std::string path = dir.Sub("db");
    CopyWithoutLock(pristine.Sub("db"), path);
    {  // the first data block starts the file
      std::fstream f(path + "/" + table_of[cf],
                     std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(12);
      char c = 0;
      f.read(&c, 1);
      c = static_cast<char>(c ^ 0x10);
      f.seekp(12);
      f.write(&c, 1);
      ASSERT_TRUE(f.good());
    }
    Options o = Opts();
    o.read_only = true;
    auto db = DB::Open(o, path);
    std::string out;
    EXPECT_EQ(SredbCheck(path, &out), 1) << out;
    if (!db.ok()) {
      EXPECT_TRUE(db.status().IsCorruption()) << db.status().ToString();
      continue;
    }
    auto report = (*db)->Check();
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_FALSE(report->problems.empty());
    EXPECT_NE(report->problems[0].find("Corruption"), std::string::npos)
        << report->problems[0];
  }
}

}  // namespace
}  // namespace sredb
