// DBImpl: the RocksDB-backed implementation of sredb::DB.
//
// Write path (db_write.cc): an Append validates and encodes its events
// outside the lock, one head record per partition it touches; then, holding
// mu_, it checks series ids for collisions, assigns head sequence numbers and
// commits head records, new series (record + postings), partition catalog
// updates and next_seq in one RocksDB WriteBatch. In-memory state changes
// only after that write succeeds, so a failed Append leaves no trace.
// Sealing (db_seal.cc): holding seal_mu_ (one sealing at a time), a seal
// reads a partition's head records and existing chunks at a snapshot,
// writes merged chunks, deletes exactly the head records it read (later
// ones have higher seq and stay) and updates the catalog, in one WriteBatch
// committed under mu_. A background thread seals partitions that fell
// behind the newest event by more than the grace.
// Read path (db_read.cc): a Scan takes a RocksDB snapshot and a copy of the
// catalog while holding mu_, so what it sees is one consistent cut: a
// partition's events are its chunks plus its head records at that cut.
// Annotations (db_annotate.cc): an Annotate validates and encodes outside
// the lock, then under mu_ takes seqs from next_seq_ (shared with head
// records) and commits its records and next_seq in one WriteBatch.
#ifndef SREDB_STORAGE_INTERNAL_DB_IMPL_H_
#define SREDB_STORAGE_INTERNAL_DB_IMPL_H_

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "storage/db.h"
#include "storage/internal/chunk.h"
#include "storage/internal/lock_file.h"
#include "storage/internal/partition_info.h"
#include "storage/internal/series_index.h"

namespace sredb::internal {

class DBImpl final : public DB {
 public:
  DBImpl(const Options& options, std::string path);
  ~DBImpl() override;

  // Opens or creates the RocksDB instance and loads the in-memory state.
  Status Init();

  // Testing only, before Init: the rocksdb::Env to open RocksDB with (one
  // whose file system injects faults, say). Not owned; must outlive the DB.
  void SetEnvForTesting(rocksdb::Env* env) { env_for_testing_ = env; }

  Status Append(const WriteOptions& options, const EventBatch& batch) override;
  Status Annotate(const WriteOptions& options,
                  std::span<const Annotation> annotations) override;
  Result<std::unique_ptr<EventIterator>> Scan(const ScanOptions& options) override;
  Result<std::unique_ptr<Reader>> NewReader() override;
  Result<DbStats> GetStats() override;
  Result<CheckReport> Check() override;
  Status Flush() override;
  Status Close() override;

  // What a scan needs from the DB, captured in one consistent cut.
  struct ReadView {
    const rocksdb::Snapshot* snapshot = nullptr;  // released by ReleaseView
    std::vector<int64_t> partitions;              // ascending starts of raw ones
    std::map<int64_t, PartitionInfo> catalog;     // every partition
    std::shared_ptr<const std::vector<uint64_t>> series_ids;  // ascending
  };
  ReadView AcquireView();
  void ReleaseView(const ReadView& view);
  std::shared_ptr<const SeriesEntry> FindSeries(uint64_t id);

  // An iterator over the keys of partition `start` in `cf` (head or chunks)
  // at `snapshot`, positioned at the first; it owns its upper bound.
  struct PartitionIterator {
    std::string upper;
    rocksdb::Slice upper_slice;
    std::unique_ptr<rocksdb::Iterator> it;
  };
  std::unique_ptr<PartitionIterator> NewPartitionIterator(
      rocksdb::ColumnFamilyHandle* cf, const rocksdb::Snapshot* snapshot, int64_t start);
  // Calls fn(series id, event) for every event of partition `start`'s head
  // records at `snapshot`, in arrival order; *last_seq receives the seq of
  // the last record read. Corruption names the damaged record.
  Status ForEachHeadEvent(const rocksdb::Snapshot* snapshot, int64_t start,
                          const std::function<void(uint64_t, Event&&)>& fn,
                          uint64_t* last_seq);

  // Reader::ReadAnnotations at `snapshot` (db_annotate.cc).
  Status ReadAnnotations(const rocksdb::Snapshot* snapshot, int64_t from, int64_t to,
                         std::span<const LabelMatcher> matchers,
                         std::vector<Annotation>* out);

  rocksdb::DB* rocks() const { return db_; }
  rocksdb::ColumnFamilyHandle* index_cf() const { return index_cf_; }
  rocksdb::ColumnFamilyHandle* head_cf() const { return head_cf_; }
  rocksdb::ColumnFamilyHandle* chunks_cf() const { return chunks_cf_; }
  rocksdb::ColumnFamilyHandle* rollup_cf(int tier) const { return rollup_cfs_[tier]; }
  int64_t partition_ns() const { return partition_ns_; }

 private:
  Status OpenRocks(bool exists);
  Status LoadMeta(bool created);
  // Whether every column family is empty (and none unknown exists).
  bool Empty();
  Status LoadRetention();
  Status LoadPartitions();
  // Helpers of Check (db_check.cc). CheckIndex returns the sound series ids.
  std::set<uint64_t> CheckIndex(const rocksdb::Snapshot* snapshot, CheckReport* report);
  // Events per sound chunk, by (partition, series).
  using ChunkCounts = std::map<std::pair<int64_t, uint64_t>, uint64_t>;
  void CheckHead(const rocksdb::Snapshot* snapshot,
                 const std::map<int64_t, PartitionInfo>& catalog,
                 const std::set<uint64_t>& series, uint64_t next_seq,
                 ChunkCounts* chunk_events, CheckReport* report);
  // Events per partition in the sound chunks.
  std::map<int64_t, uint64_t> CheckChunks(const rocksdb::Snapshot* snapshot,
                                          const std::set<uint64_t>& series,
                                          ChunkCounts* chunk_events, CheckReport* report);
  // Every annotation record, and that next_seq lies above their seqs.
  void CheckAnnotations(const rocksdb::Snapshot* snapshot, uint64_t next_seq,
                        CheckReport* report);
  // Counts the annotation records (GetStats).
  Result<uint64_t> CountAnnotations();
  void CheckRollups(const rocksdb::Snapshot* snapshot,
                    const std::map<int64_t, PartitionInfo>& catalog,
                    const std::set<uint64_t>& series, const ChunkCounts& chunk_events,
                    CheckReport* report);
  Status ResolveNewSeries(const EventBatch& batch, const std::vector<uint64_t>& ids,
                          std::vector<uint32_t>* new_series) const;
  uint64_t SeriesId(std::string_view canonical) const;
  // Sealing (db_seal.cc).
  Status SealPartition(int64_t start);
  // The head events of one group of series of a partition being sealed.
  struct HeadGroup {
    Columns rows;                  // every field, in arrival order
    std::vector<uint64_t> series;  // the series of each row
    uint64_t events = 0;
    uint64_t max_seq = 0;  // of the last head record read
  };
  // The head events of partition `start` whose series id lies in [lo, hi].
  Status ReadHeadGroup(const rocksdb::Snapshot* snapshot, int64_t start, uint64_t lo,
                       uint64_t hi, HeadGroup* out);
  // Moves *bound (the lowest id of a range of series sealed together) past
  // any pack of partition `start` holding series on both sides of it.
  Status SnapPastPack(const rocksdb::Snapshot* snapshot, int64_t start,
                      unsigned __int128* bound);
  // Seals the series in [lo, hi] of partition `start`: `head` (its rows in
  // `order`, grouped by ascending series) merged with their sealed events;
  // busy series into chunks of their own, sparse ones rewritten into packs.
  Status SealRange(const rocksdb::Snapshot* snapshot, int64_t start, uint64_t lo,
                   uint64_t hi, bool has_chunks, const HeadGroup& head,
                   std::span<const uint32_t> order, rocksdb::WriteBatch* wb);
  // A pack being built by SealRange.
  struct PackBuilder {
    std::vector<uint64_t> ids;
    std::vector<uint32_t> offsets{0};
    Columns rows;  // every field
  };
  void FlushPack(int64_t start, PackBuilder* pack, rocksdb::WriteBatch* wb);
  Status ReadOwnChunk(const rocksdb::Snapshot* snapshot, int64_t start, uint64_t series,
                      Columns* rows);
  bool RollupPays(uint64_t events, uint64_t buckets) const;
  void PutRollups(int64_t start, uint64_t series, const Columns& events, bool resealed,
                  rocksdb::WriteBatch* wb);
  Status SealBefore(int64_t now);  // every partition with end + grace <= now
  void SealerLoop();
  // Drops each tier of every partition past that tier's retention horizon
  // (db_seal.cc), building missing 1-hour rollups before raw events go.
  Status ApplyRetention();
  Status BuildMissingHourRollups(int64_t start, rocksdb::WriteBatch* wb);
  // Whether a partition lies past a horizon of `retention_ns` (0: never)
  // given the newest event time.
  bool Expired(int64_t start, int64_t retention_ns, int64_t high_water) const;
  void StopSealer();

  // Lock rules. Three kinds of state, and who may touch each:
  //  - Fixed: set by Init on the opening thread before DBImpl is shared
  //    (DB::Open returns it, or the sealer thread starts, after), then only
  //    read until Close. Close (and ~DBImpl) must not race with any other
  //    call (db.h); it alone writes them again, after joining the sealer.
  //  - GUARDED_BY(mu_): read or written only with mu_ held (Init fills
  //    them too, before DBImpl is shared).
  //  - GUARDED_BY(seal_mu_): SealPartition's buffers, used only while
  //    seal_mu_ is held.
  // Lock order: seal_mu_ before mu_, never the other way round; nothing else
  // is held while taking either (RocksDB's own locks are taken inside its
  // calls, under ours, never the reverse). Every RocksDB write that changes
  // the catalog, the series or next_seq_ (Append, SealPartition,
  // ApplyRetention) is made with mu_ held and the in-memory state updated
  // before mu_ is released, so a snapshot taken under mu_ (AcquireView,
  // Check, SealPartition) and the state copied with it are one cut.
  const Options options_;                              // fixed
  const std::string path_;                             // fixed
  rocksdb::Env* env_for_testing_ = nullptr;            // fixed; null: RocksDB's default
  std::unique_ptr<LockFile> lock_;                     // fixed; null when read-only
  rocksdb::DB* db_ = nullptr;                          // fixed; null once closed
  rocksdb::ColumnFamilyHandle* default_cf_ = nullptr;  // fixed, like every handle
  rocksdb::ColumnFamilyHandle* meta_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* index_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* head_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* chunks_cf_ = nullptr;
  // Rollups at kRollupResolutions[i]; null in a read-only open of a
  // database written before rollups existed.
  std::array<rocksdb::ColumnFamilyHandle*, 2> rollup_cfs_{};
  // Null in a read-only open of a database written before annotations.
  rocksdb::ColumnFamilyHandle* annotations_cf_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> extra_cfs_;  // written by newer code
  int64_t partition_ns_ = 0;                             // fixed
  std::array<int64_t, 3> retention_{};                   // raw, 1 minute, 1 hour; fixed

  // Guards the in-memory state below, and orders commits: Append holds it
  // across its RocksDB write so that state and store change together.
  std::mutex mu_;
  SeriesIndex series_;                           // GUARDED_BY(mu_)
  std::map<int64_t, PartitionInfo> partitions_;  // GUARDED_BY(mu_)
  uint64_t next_seq_ = 0;                        // GUARDED_BY(mu_)
  int64_t high_water_ = INT64_MIN;               // newest event time; GUARDED_BY(mu_)
  std::string seal_error_;                       // GUARDED_BY(mu_)

  // Held for a whole seal (one sealing at a time, from the sealer thread or
  // a Flush) and by ApplyRetention while it drops partitions, so that no
  // seal writes chunks of a partition being dropped. Taken before mu_.
  std::mutex seal_mu_;
  // Buffers of SealPartition, reused from seal to seal; GUARDED_BY(seal_mu_).
  HeadGroup seal_scratch_;
  std::vector<uint32_t> seal_order_;
  Columns seal_series_;
  PackBuilder seal_pack_;
  DecodedPack seal_old_pack_;
  PackBuilder seal_old_;  // the sealed rows of a range's packs
  // The background sealer waits on sealer_cv_ with mu_ held; Append
  // notifies it (mu_ held) when a partition became due, StopSealer after
  // setting stop_sealer_.
  std::condition_variable sealer_cv_;
  bool stop_sealer_ = false;  // GUARDED_BY(mu_)
  // Started by Init, joined by Close (StopSealer); touched by no one else.
  std::thread sealer_;
};

}  // namespace sredb::internal

#endif  // SREDB_STORAGE_INTERNAL_DB_IMPL_H_
