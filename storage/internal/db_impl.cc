#include "storage/internal/db_impl.h"

#include <rocksdb/cache.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>
#include <signal.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <thread>

#include "storage/internal/checksum.h"
#include "storage/internal/coding.h"
#include "storage/internal/keys.h"
#include "storage/internal/rocks_status.h"
#include "storage/internal/wal_scan.h"

namespace sredb {

namespace internal {
namespace {

// Whether the process the lock file of `dir` names is alive (a writer may
// hold the database). Reads only: a probe must never take the lock.
bool WriterAlive(const std::string& dir) {
  std::ifstream in(dir + "/" + kLockFileName);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace
}  // namespace internal

Result<std::unique_ptr<DB>> DB::Open(const Options& options, const std::string& path) {
  // A read-only open beside a live writer can catch it retiring a WAL file
  // (after a flush, or while it recovers at its own open): RocksDB then
  // reports a missing file or the metadata looks absent. Such failures are
  // transient; they are retried for up to a second while a writer holds the
  // database. (RocksDB's secondary instances would remove the race.)
  constexpr int kReadOnlyAttempts = 40;
  for (int attempt = 1;; ++attempt) {
    auto db = std::make_unique<internal::DBImpl>(options, path);
    Status s = db->Init();
    if (s.ok()) return std::unique_ptr<DB>(std::move(db));
    db.reset();
    if (!options.read_only || s.IsNotFound() || s.IsNotSupported() ||
        attempt == kReadOnlyAttempts) {
      return s;
    }
    if (!internal::WriterAlive(path)) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

namespace internal {
namespace {

namespace fs = std::filesystem;

rocksdb::ColumnFamilyOptions CfOptions(const std::shared_ptr<rocksdb::Cache>& cache,
                                       size_t write_buffer_bytes) {
  rocksdb::ColumnFamilyOptions cfo;
  // 32 MiB memtables under the default 64 MiB budget (the write buffer
  // manager flushes the oldest when the budget fills). Under a smaller
  // budget, an eighth of it, so that the memtables of the seven event
  // families (the annotations family holds a few KiB) together stay under
  // it: a 1 MiB budget beside 32 MiB memtables, whose first arena blocks
  // alone exceed it, stalled writes for good.
  cfo.write_buffer_size = write_buffer_bytes >= (size_t{64} << 20)
                              ? size_t{32} << 20
                              : write_buffer_bytes / 8;
  cfo.compression = rocksdb::kLZ4Compression;
  cfo.bottommost_compression = rocksdb::kZSTD;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.block_size = 16 * 1024;
  cfo.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cfo;
}

std::string MetaValue(std::string payload) {
  SealWithChecksum(&payload);
  return payload;
}

// Reads a checksummed fixed-width meta value; NotFound when absent.
Status ReadMeta(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::string_view key,
                size_t width, uint64_t* out) {
  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), cf, key, &value);
  if (s.IsNotFound()) return Status::NotFound(std::string(key));
  SREDB_RETURN_IF_ERROR(FromRocks(s, "meta " + std::string(key)));
  std::string_view v(value);
  if (!CheckAndStripChecksum(&v) || v.size() != width) {
    return Status::Corruption("meta " + std::string(key) + ": bad checksum or size");
  }
  *out = width == 4 ? DecodeFixed32(v.data()) : DecodeFixed64(v.data());
  return Status::OK();
}

// Retention horizons (raw, 1 minute, 1 hour; 0 = for ever) must not
// shrink towards coarser tiers: each tier is the fallback of the finer one.
Status ValidateRetention(const std::array<int64_t, 3>& r) {
  static constexpr const char* kNames[] = {"raw_retention_ns", "rollup_1m_retention_ns",
                                           "rollup_1h_retention_ns"};
  for (size_t i = 0; i < 3; ++i) {
    if (r[i] < 0) return Status::InvalidArgument(std::string(kNames[i]) + " is negative");
    if (i > 0 && r[i] != 0 && (r[i - 1] == 0 || r[i] < r[i - 1])) {
      return Status::InvalidArgument(
          std::string(kNames[i]) + " (" + std::to_string(r[i]) + ") is shorter than " +
          kNames[i - 1] + " (" + (r[i - 1] == 0 ? "for ever" : std::to_string(r[i - 1])) +
          "): coarser tiers must be kept at least as long");
    }
  }
  return Status::OK();
}

}  // namespace

DBImpl::DBImpl(const Options& options, std::string path)
    : options_(options), path_(std::move(path)) {}

DBImpl::~DBImpl() { Close().IgnoreError(); }

Status DBImpl::Init() {
  if (options_.seal_grace_ns < 0)
    return Status::InvalidArgument("seal_grace_ns is negative");
  if (options_.write_buffer_bytes < kMinWriteBufferBytes) {
    return Status::InvalidArgument(
        "write_buffer_bytes is " + std::to_string(options_.write_buffer_bytes) +
        "; it must be at least " + std::to_string(kMinWriteBufferBytes) + " (16 MiB)");
  }
  std::error_code ec;
  bool exists = fs::exists(fs::path(path_) / "CURRENT", ec);
  if (!exists && (!options_.create_if_missing || options_.read_only)) {
    return Status::NotFound("no sredb database at " + path_);
  }
  if (!exists) {
    if (fs::exists(path_, ec) && !fs::is_empty(path_, ec)) {
      bool ours = false, foreign = false, data = false;
      for (const auto& e : fs::directory_iterator(path_, ec)) {
        const fs::path name = e.path().filename();
        (name == kLockFileName ? ours : foreign) = true;
        if (name.extension() == ".sst" ||
            (name.extension() == ".log" && fs::file_size(e.path(), ec) > 0)) {
          data = true;
        }
      }
      if (foreign && !ours) {
        return Status::InvalidArgument(path_ + " exists and is not an sredb database");
      }
      // Our lock file beside other files and no CURRENT: a writer is
      // creating the database (the lock below is then Busy), or one was
      // killed before RocksDB wrote CURRENT, its last step of creation; that
      // open never returned, so nothing there was acknowledged and a new
      // database is made. Tables or a written log mean a database lost its
      // CURRENT: damage, which is not papered over.
      if (data) {
        return Status::Corruption(path_ + " holds sredb tables but no CURRENT file");
      }
    }
    fs::create_directories(path_, ec);
    if (ec) return Status::IOError("cannot create " + path_ + ": " + ec.message());
  }
  if (!options_.read_only) {
    auto lock = LockFile::Acquire(path_);
    if (!lock.ok()) return lock.status();
    lock_ = std::move(lock.value());
    // No creator is alive now. RocksDB refuses to create a database beside
    // a log file, even an empty one a killed creation may have left.
    if (!exists && !fs::exists(fs::path(path_) / "CURRENT", ec)) {
      for (const auto& e : fs::directory_iterator(path_, ec)) {
        if (e.path().extension() == ".log" && fs::file_size(e.path(), ec) == 0) {
          fs::remove(e.path(), ec);
        }
      }
    }
  }
  SREDB_RETURN_IF_ERROR(OpenRocks(exists));
  SREDB_RETURN_IF_ERROR(LoadMeta(!exists));
  SREDB_RETURN_IF_ERROR(series_.Load(db_, index_cf_));
  SREDB_RETURN_IF_ERROR(LoadPartitions());
  if (!options_.read_only && options_.background_sealing) {
    sealer_ = std::thread([this] { SealerLoop(); });
  }
  return Status::OK();
}

Status DBImpl::OpenRocks(bool exists) {
  rocksdb::DBOptions dbo;
  dbo.create_if_missing = !exists;
  dbo.create_missing_column_families = !options_.read_only;
  dbo.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  if (env_for_testing_ != nullptr) dbo.env = env_for_testing_;
  dbo.keep_log_file_num = 2;
  dbo.max_background_jobs = 2;
  // One memtable budget for every column family; writes stall (rather than
  // memory grow) while background flushes catch up.
  dbo.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(
      options_.write_buffer_bytes, nullptr, /*allow_stall=*/true);
  auto cache = rocksdb::NewLRUCache(options_.block_cache_bytes);
  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName,
                                    kMetaCf,
                                    kIndexCf,
                                    kHeadCf,
                                    kChunksCf,
                                    kRollup1mCf,
                                    kRollup1hCf,
                                    kAnnotationsCf};
  const size_t ours = names.size();
  std::vector<std::string> on_disk;
  if (exists) {  // also open column families written by newer code
    SREDB_RETURN_IF_ERROR(FromRocks(rocksdb::DB::ListColumnFamilies(dbo, path_, &on_disk),
                                    "listing column families of " + path_));
    for (const std::string& n : on_disk) {
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
  }
  // A read-only open cannot create the rollup or annotation families a
  // database written before them lacks: their handles stay null and read as
  // empty.
  std::vector<bool> opened(names.size(), true);
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (size_t i = 0; i < names.size(); ++i) {
    if (options_.read_only && exists &&
        std::find(on_disk.begin(), on_disk.end(), names[i]) == on_disk.end()) {
      opened[i] = false;
      continue;
    }
    descs.emplace_back(names[i], CfOptions(cache, options_.write_buffer_bytes));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> opened_handles;
  auto open = [&] {
    return options_.read_only
               ? rocksdb::DB::OpenForReadOnly(dbo, path_, descs, &opened_handles, &db_)
               : rocksdb::DB::Open(dbo, path_, descs, &opened_handles, &db_);
  };
  // Write-ahead-log recovery (storage/FORMAT.md, "Write-ahead log"). A
  // crash can leave the newest log cut inside its last record; RocksDB's
  // kTolerateCorruptedTailRecords replays up to the last complete batch and
  // opens. Any other damage fails that open; then, if no sound batch follows
  // the damage (a garbled tail), point-in-time recovery drops only the
  // damaged tail. Damage with sound batches after it is refused, naming the
  // log: point-in-time recovery would silently drop those acknowledged
  // batches (and skipping records would break the atomicity of later ones).
  dbo.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  rocksdb::Status s = open();
  if (s.IsCorruption() && exists) {
    bool damaged = false;
    SREDB_RETURN_IF_ERROR(CheckWalDamageIsTail(path_, &damaged));
    if (damaged) {
      dbo.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
      opened_handles.clear();
      s = open();
    }
  }
  SREDB_RETURN_IF_ERROR(FromRocks(s, "opening " + path_));
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  for (size_t i = 0, k = 0; i < names.size(); ++i)
    handles.push_back(opened[i] ? opened_handles[k++] : nullptr);
  if (handles[1] == nullptr || handles[2] == nullptr || handles[3] == nullptr ||
      handles[4] == nullptr) {
    return Status::InvalidArgument(path_ + " is a RocksDB database but not an sredb one");
  }
  default_cf_ = handles[0];
  meta_cf_ = handles[1];
  index_cf_ = handles[2];
  head_cf_ = handles[3];
  chunks_cf_ = handles[4];
  rollup_cfs_[0] = handles[5];
  rollup_cfs_[1] = handles[6];
  annotations_cf_ = handles[7];
  for (size_t i = ours; i < handles.size(); ++i) extra_cfs_.push_back(handles[i]);
  return Status::OK();
}

bool DBImpl::Empty() {
  if (!extra_cfs_.empty()) return false;
  for (rocksdb::ColumnFamilyHandle* cf :
       {default_cf_, meta_cf_, index_cf_, head_cf_, chunks_cf_, rollup_cfs_[0],
        rollup_cfs_[1], annotations_cf_}) {
    if (cf == nullptr) continue;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf));
    it->SeekToFirst();
    if (it->Valid() || !it->status().ok()) return false;
  }
  return true;
}

Status DBImpl::LoadMeta(bool created) {
  uint64_t version = 0;
  Status s = ReadMeta(db_, meta_cf_, kFormatVersionKey, 4, &version);
  // A writer killed while creating the database, after RocksDB wrote
  // CURRENT but before the meta records, leaves it empty: that open never
  // returned, so the database is created now.
  if (s.IsNotFound() && !created && !options_.read_only && Empty()) created = true;
  if (s.IsNotFound() && created) {
    if (options_.partition_ns <= 0) {
      return Status::InvalidArgument("partition_ns must be positive");
    }
    std::string v32, v64, seq;
    PutFixed32(&v32, kFormatVersion);
    PutFixed64(&v64, static_cast<uint64_t>(options_.partition_ns));
    PutFixed64(&seq, 0);
    rocksdb::WriteBatch batch;
    batch.Put(meta_cf_, kFormatVersionKey, MetaValue(v32)).PermitUncheckedError();
    batch.Put(meta_cf_, kPartitionNsKey, MetaValue(v64)).PermitUncheckedError();
    batch.Put(meta_cf_, kNextSeqKey, MetaValue(seq)).PermitUncheckedError();
    rocksdb::WriteOptions wo;
    wo.sync = true;
    SREDB_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "writing meta"));
    version = kFormatVersion;
  } else if (s.IsNotFound()) {
    return Status::InvalidArgument(path_ + " is a RocksDB database but not an sredb one");
  } else {
    SREDB_RETURN_IF_ERROR(s);
  }
  if (version < kOldestFormatVersion || version > kFormatVersion) {
    return Status::NotSupported("database format version " + std::to_string(version) +
                                " is not supported (this sredb reads versions " +
                                std::to_string(kOldestFormatVersion) + " to " +
                                std::to_string(kFormatVersion) + ")");
  }
  if (version < kFormatVersion && !options_.read_only) {
    // Version 1 is version 2 without packs; older code must not open what
    // this one may write.
    std::string v32;
    PutFixed32(&v32, kFormatVersion);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    SREDB_RETURN_IF_ERROR(FromRocks(
        db_->Put(wo, meta_cf_, kFormatVersionKey, MetaValue(v32)), "writing meta"));
  }
  uint64_t pn = 0;
  SREDB_RETURN_IF_ERROR(ReadMeta(db_, meta_cf_, kPartitionNsKey, 8, &pn));
  if (pn == 0 || pn > static_cast<uint64_t>(INT64_MAX)) {
    return Status::Corruption("meta partition_ns: out of range");
  }
  partition_ns_ = static_cast<int64_t>(pn);
  SREDB_RETURN_IF_ERROR(ReadMeta(db_, meta_cf_, kNextSeqKey, 8, &next_seq_));
  return LoadRetention();
}

// The recorded retention, overridden by the options that set theirs; a
// writer records the result when it differs.
Status DBImpl::LoadRetention() {
  std::string value;
  rocksdb::Status g = db_->Get(rocksdb::ReadOptions(), meta_cf_, kRetentionKey, &value);
  std::array<int64_t, 3> recorded{};
  if (g.ok()) {
    std::string_view v(value);
    if (!CheckAndStripChecksum(&v) || v.size() != 24) {
      return Status::Corruption("meta retention: bad checksum or size");
    }
    for (int i = 0; i < 3; ++i)
      recorded[i] = static_cast<int64_t>(DecodeFixed64(v.data() + 8 * i));
  } else if (!g.IsNotFound()) {
    return FromRocks(g, "meta retention");
  }
  const std::optional<int64_t> set[] = {options_.raw_retention_ns,
                                        options_.rollup_1m_retention_ns,
                                        options_.rollup_1h_retention_ns};
  for (int i = 0; i < 3; ++i) retention_[i] = set[i].value_or(recorded[i]);
  SREDB_RETURN_IF_ERROR(ValidateRetention(retention_));
  if (options_.read_only || (g.ok() && retention_ == recorded)) return Status::OK();
  std::string payload;
  for (int64_t r : retention_) PutFixed64(&payload, static_cast<uint64_t>(r));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Put(wo, meta_cf_, kRetentionKey, MetaValue(payload)),
                   "writing meta retention");
}

Status DBImpl::LoadPartitions() {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), meta_cf_));
  const std::string prefix(1, kPartitionPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != 9) return Status::Corruption("meta: bad partition key");
    int64_t start = DecodeOrderedInt64(it->key().data() + 1);
    PartitionInfo info;
    if (!DecodePartitionInfo(std::string_view(it->value().data(), it->value().size()),
                             &info)) {
      return Status::Corruption("meta: partition " + std::to_string(start) +
                                ": damaged record");
    }
    partitions_[start] = info;
    high_water_ = std::max(high_water_, info.max_time);
  }
  return FromRocks(it->status(), "reading partition catalog");
}

uint64_t DBImpl::SeriesId(std::string_view canonical) const {
  if (options_.series_hash_for_testing)
    return options_.series_hash_for_testing(canonical);
  return XXH3_64bits(canonical.data(), canonical.size());
}

Result<DbStats> DBImpl::GetStats() {
  if (db_ == nullptr) return Status::IOError("database is closed");
  DbStats st;
  TierStats* tiers[] = {&st.raw, &st.rollup_1m, &st.rollup_1h};
  {
    std::lock_guard<std::mutex> l(mu_);
    st.series = series_.size();
    st.partitions = partitions_.size();
    PartitionInfo all;
    for (const auto& [start, info] : partitions_) {
      const bool held[] = {info.has_raw(),
                           !(info.dropped & PartitionInfo::kMinuteDropped), true};
      for (int t = 0; t < 3; ++t) {
        if (!held[t]) continue;
        if (tiers[t]->partitions++ == 0) tiers[t]->oldest = start;
      }
      if (info.has_raw()) all.Merge(info);
    }
    st.events = all.events;
    st.head_events = all.head_events;
    st.seal_error = seal_error_;
    if (all.events > 0) {
      st.first_time = all.min_time;
      st.last_time = all.max_time;
    }
  }
  st.partition_ns = partition_ns_;
  auto cf_bytes = [this](rocksdb::ColumnFamilyHandle* cf) -> uint64_t {
    if (cf == nullptr) return 0;
    uint64_t sst = 0, mem = 0;
    db_->GetIntProperty(cf, "rocksdb.total-sst-files-size", &sst);
    db_->GetIntProperty(cf, "rocksdb.cur-size-all-mem-tables", &mem);
    return sst + mem;
  };
  st.head_bytes = cf_bytes(head_cf_);
  st.chunk_bytes = cf_bytes(chunks_cf_);
  st.index_bytes = cf_bytes(index_cf_);
  st.raw.bytes = st.head_bytes + st.chunk_bytes;
  st.rollup_1m.bytes = cf_bytes(rollup_cfs_[0]);
  st.rollup_1h.bytes = cf_bytes(rollup_cfs_[1]);
  st.annotation_bytes = cf_bytes(annotations_cf_);
  Result<uint64_t> annotations = CountAnnotations();
  if (!annotations.ok()) return annotations.status();
  st.annotations = *annotations;
  for (int t = 0; t < 3; ++t) tiers[t]->retention_ns = retention_[t];
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(path_, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) st.bytes_on_disk += it->file_size(ec);
  }
  if (ec) return Status::IOError("sizing " + path_ + ": " + ec.message());
  return st;
}

Status DBImpl::Close() {
  if (db_ == nullptr) return Status::OK();
  StopSealer();
  Status result;
  for (rocksdb::ColumnFamilyHandle* h : extra_cfs_)
    db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  for (rocksdb::ColumnFamilyHandle* h :
       {annotations_cf_, rollup_cfs_[1], rollup_cfs_[0], chunks_cf_, head_cf_, index_cf_,
        meta_cf_, default_cf_}) {
    if (h != nullptr) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  rollup_cfs_ = {nullptr, nullptr};
  annotations_cf_ = nullptr;
  extra_cfs_.clear();
  rocksdb::Status s = db_->Close();
  if (!s.ok()) result = FromRocks(s, "closing " + path_);
  delete db_;
  db_ = nullptr;
  lock_.reset();
  return result;
}

}  // namespace internal
}  // namespace sredb
