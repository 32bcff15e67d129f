// The write-ahead log after a crash: a torn or garbled tail recovers to the
// last complete write batch, every batch whole or absent; damage before the
// tail is refused by name rather than silently dropping the acknowledged
// batches after it (storage/FORMAT.md, "Integrity").
//
// The database is closed without flushing its memtables (RocksDB keeps the
// WAL as the only copy until the next open), and the size of the newest
// *.log is read after each Append: a record reaches the file before Append
// returns, so those sizes are the batches' record boundaries.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
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
using testing::kT0;
using testing::ManualSealing;
using testing::OpenOrDie;
using testing::TempDir;

constexpr int kBatches = 40;
constexpr int kEventsPerBatch = 3;
// Events in a batch whose WAL record spans several 32 KiB blocks.
constexpr int kBigBatchEvents = 3000;

// The newest write-ahead log of the database at `dir`.
std::string NewestWal(const std::string& dir) {
  std::string newest;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.ends_with(".log") && name > fs::path(newest).filename().string())
      newest = e.path().string();
  }
  return newest;
}

// Batch i: events at kT0 + i * 10^6 + j in two series, with an error_kind
// of varying length so that records differ in size.
EventBatch MakeBatch(int i, int events = kEventsPerBatch) {
  EventBatch batch;
  for (int j = 0; j < events; ++j) {
    Event e;
    e.time = kT0 + i * int64_t{1000000} + j;
    e.success = j % 2 == 0;
    e.error_kind = std::string(1 + (i * 7 + j) % 50, 'x');
    batch.Add(batch.AddSeries(AgentLabels(j % 2 ? "a" : "b")), e);
  }
  return batch;
}

// A database whose batches live only in one WAL; ends[i] is the WAL's size
// once batch i was acknowledged.
struct WalOnlyDb {
  TempDir dir;
  std::string wal;  // file name inside dir
  std::vector<uint64_t> ends;
};

void BuildWalOnly(WalOnlyDb* out, int events = kEventsPerBatch) {
  auto db = OpenOrDie(out->dir.path(), ManualSealing());
  ASSERT_NE(db, nullptr);
  for (int i = 0; i < kBatches; ++i) {
    ASSERT_TRUE(db->Append(WriteOptions(), MakeBatch(i, events)).ok());
    const std::string wal = NewestWal(out->dir.path());
    if (i == 0) out->wal = fs::path(wal).filename().string();
    ASSERT_EQ(fs::path(wal).filename().string(), out->wal) << "a new WAL at batch " << i;
    out->ends.push_back(fs::file_size(wal));
  }
  ASSERT_TRUE(db->Close().ok());
  // Close wrote nothing more and flushed no memtable: the WAL is the only copy.
  ASSERT_EQ(fs::file_size(out->dir.Sub(out->wal)), out->ends.back());
  for (const auto& e : fs::directory_iterator(out->dir.path()))
    ASSERT_NE(e.path().extension(), ".sst") << e.path();
}

// A copy of the database to damage.
std::string CopyOf(const WalOnlyDb& db, const TempDir& into) {
  const std::string copy = into.Sub("db");
  fs::copy(db.dir.path(), copy, fs::copy_options::recursive);
  // Without the lock file this process left: a failing read-only open
  // retries while the process it names is alive.
  fs::remove(copy + "/" + internal::kLockFileName);
  return copy;
}

void Truncate(const std::string& file, uint64_t size) { fs::resize_file(file, size); }

void Overwrite(const std::string& file, uint64_t offset, const std::string& bytes) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.good());
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(f.good());
}

// Reopens `path` and expects exactly batches [0, n), each whole, and a
// clean Check; then appends one more batch, which must survive a reopen.
void ExpectFirstBatches(const std::string& path, int n,
                        int events_per_batch = kEventsPerBatch) {
  {
    auto db = OpenOrDie(path, ManualSealing());
    ASSERT_NE(db, nullptr);
    std::map<int, int> per_batch;
    for (const auto& ev : testing::ScanAll(db.get())) {
      const int64_t off = ev.event.time - kT0;
      ASSERT_GE(off, 0);
      ++per_batch[static_cast<int>(off / 1000000)];
    }
    ASSERT_EQ(static_cast<int>(per_batch.size()), n);
    for (const auto& [batch, events] : per_batch) {
      EXPECT_LT(batch, n);
      EXPECT_EQ(events, events_per_batch) << "batch " << batch << " is not whole";
    }
    auto report = db->Check();
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->problems.empty()) << report->problems.front();
    ASSERT_TRUE(db->Append(WriteOptions(), MakeBatch(kBatches)).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = OpenOrDie(path, ManualSealing());
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(testing::ScanAll(db.get()).size(),
            static_cast<size_t>(n * events_per_batch + kEventsPerBatch));
}

TEST(Wal, ATruncatedTailRecoversToTheLastCompleteBatch) {
  WalOnlyDb built;
  BuildWalOnly(&built);
  // Cut inside the last record, and inside earlier ones (the cut makes them
  // the tail): one byte in, half way, one byte short.
  for (int k : {kBatches - 1, kBatches / 2, 1}) {
    const uint64_t begin = built.ends[k - 1], end = built.ends[k];
    for (uint64_t cut : {begin + 1, begin + (end - begin) / 2, end - 1}) {
      SCOPED_TRACE("batch " + std::to_string(k) + " cut at " + std::to_string(cut));
      TempDir scratch;
      const std::string path = CopyOf(built, scratch);
      Truncate(path + "/" + built.wal, cut);
      ExpectFirstBatches(path, k);
    }
  }
}

TEST(Wal, AGarbledTailRecoversToTheLastCompleteBatch) {
  WalOnlyDb built;
  BuildWalOnly(&built);
  const uint64_t begin = built.ends[kBatches - 2], end = built.ends[kBatches - 1];
  // The last 8 bytes of the last record, and its whole body.
  for (uint64_t from : {end - 8, begin + 7}) {
    SCOPED_TRACE("garbled from " + std::to_string(from));
    TempDir scratch;
    const std::string path = CopyOf(built, scratch);
    Overwrite(path + "/" + built.wal, from, std::string(end - from, '\xa5'));
    ExpectFirstBatches(path, kBatches - 1);
  }
}

TEST(Wal, AZeroFilledTailLosesNothing) {
  // What a power loss can leave: the file grew but its last blocks read as zeros.
  WalOnlyDb built;
  BuildWalOnly(&built);
  TempDir scratch;
  const std::string path = CopyOf(built, scratch);
  Truncate(path + "/" + built.wal, built.ends.back() + 4096);
  ExpectFirstBatches(path, kBatches);
}

// A copy of `built` with one byte flipped in the middle of batch k's record.
std::string FlipInsideBatch(const WalOnlyDb& built, int k, const TempDir& into) {
  const std::string path = CopyOf(built, into);
  const uint64_t at = built.ends[k - 1] + (built.ends[k] - built.ends[k - 1]) / 2;
  std::string byte(1, '\0');
  {
    std::ifstream in(path + "/" + built.wal, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(at));
    in.read(byte.data(), 1);
  }
  byte[0] = static_cast<char>(byte[0] ^ 0x10);
  Overwrite(path + "/" + built.wal, at, byte);
  return path;
}

TEST(Wal, DamageBeforeTheTailIsRefusedNamingTheLog) {
  WalOnlyDb built;
  BuildWalOnly(&built);
  const int k = kBatches / 2;
  TempDir scratch;
  const std::string path = FlipInsideBatch(built, k, scratch);
  for (bool read_only : {true, false}) {
    SCOPED_TRACE(read_only ? "read-only" : "writer");
    Options o = ManualSealing();
    o.read_only = read_only;
    auto db = DB::Open(o, path);
    ASSERT_FALSE(db.ok()) << "opened, dropping acknowledged batches after the damage";
    EXPECT_TRUE(db.status().IsCorruption()) << db.status().ToString();
    EXPECT_NE(db.status().message().find("write-ahead log " + built.wal),
              std::string::npos)
        << db.status().ToString();
    EXPECT_NE(
        db.status().message().find(std::to_string(kBatches - k - 1) + " later write"),
        std::string::npos)
        << db.status().ToString();
  }
  // The refusal changed nothing: the log is still there to be salvaged.
  EXPECT_EQ(fs::file_size(path + "/" + built.wal), built.ends.back());
}

// Why sredb does not leave recovery to RocksDB's default mode: on the same
// damage, point-in-time recovery opens and silently drops the later batches.
TEST(Wal, RocksDbPointInTimeRecoveryAloneDropsTheLaterBatches) {
  WalOnlyDb built;
  BuildWalOnly(&built);
  const int k = kBatches / 2;
  TempDir scratch;
  const std::string path = FlipInsideBatch(built, k, scratch);
  rocksdb::DBOptions options;
  ASSERT_EQ(options.wal_recovery_mode, rocksdb::WALRecoveryMode::kPointInTimeRecovery);
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(options, path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const std::string& n : names)
    descs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(options, path, descs, &handles, &raw);
  ASSERT_TRUE(s.ok()) << s.ToString();  // no error at all
  size_t head_records = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] != internal::kHeadCf) continue;
    std::unique_ptr<rocksdb::Iterator> it(
        raw->NewIterator(rocksdb::ReadOptions(), handles[i]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++head_records;
  }
  EXPECT_EQ(head_records, static_cast<size_t>(k));  // one per batch before the damage
  for (auto* h : handles) ASSERT_TRUE(raw->DestroyColumnFamilyHandle(h).ok());
  delete raw;
}

// Batches of ~100 KiB: each record is fragmented over several blocks, so
// cuts and flips land in first, middle and last fragments.
TEST(Wal, BatchesSpanningBlocksRecoverAndRefuseAlike) {
  WalOnlyDb built;
  BuildWalOnly(&built, kBigBatchEvents);
  const int k = kBatches / 2;
  ASSERT_GT(built.ends[k] - built.ends[k - 1], 2u * 32768) << "records fit one block";
  {
    TempDir scratch;
    const std::string path = CopyOf(built, scratch);
    Truncate(path + "/" + built.wal,
             built.ends[k - 1] + (built.ends[k] - built.ends[k - 1]) / 2);
    ExpectFirstBatches(path, k, kBigBatchEvents);
  }
  TempDir scratch;
  const std::string path = FlipInsideBatch(built, k, scratch);
  auto db = DB::Open(ManualSealing(), path);
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsCorruption()) << db.status().ToString();
  EXPECT_NE(db.status().message().find(std::to_string(kBatches - k - 1) + " later write"),
            std::string::npos)
      << db.status().ToString();
}

}  // namespace
}  // namespace sredb
