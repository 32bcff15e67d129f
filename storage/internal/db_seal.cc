// DBImpl's sealing: head records -> compressed per-series chunks. See the
// protocol in db_impl.h.
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>

#include "storage/internal/chunk.h"
#include "storage/internal/db_impl.h"
#include "storage/internal/keys.h"
#include "storage/internal/rocks_status.h"
#include "storage/internal/rollup_record.h"

namespace sredb::internal {
namespace {

int64_t WallClockNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Status DBImpl::Flush() {
  if (db_ == nullptr) return Status::IOError("database is closed");
  if (options_.read_only) return Status::NotSupported("database is open read-only");
  int64_t now;
  {
    std::lock_guard<std::mutex> lock(mu_);
    now = std::max(WallClockNs(), high_water_);
  }
  SREDB_RETURN_IF_ERROR(SealBefore(now));
  SREDB_RETURN_IF_ERROR(ApplyRetention());
  // Persist the memtables and compact the head, so that the space of sealed
  // head records (now range tombstones) is given back on disk.
  rocksdb::FlushOptions fo;
  // Every family: one left out would keep the write-ahead logs alive.
  rocksdb::Status s = db_->Flush(
      fo, {meta_cf_, index_cf_, head_cf_, chunks_cf_, rollup_cfs_[0], rollup_cfs_[1]});
  if (s.ok())
    s = db_->CompactRange(rocksdb::CompactRangeOptions(), head_cf_, nullptr, nullptr);
  if (!s.ok()) return Status::IOError("flush: " + s.ToString());
  return Status::OK();
}

Status DBImpl::SealBefore(int64_t now) {
  std::vector<int64_t> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [start, info] : partitions_) {
      __int128 sealable_at = __int128{start} + partition_ns_ + options_.seal_grace_ns;
      if (info.head_events > 0 && sealable_at <= now) due.push_back(start);
    }
  }
  for (int64_t start : due) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_sealer_) return Status::OK();
    }
    SREDB_RETURN_IF_ERROR(SealPartition(start));
  }
  return Status::OK();
}

// Gathers, by series and in arrival order, the head events of partition
// `start` at `snapshot` whose series id lies in [lo, hi].
Status DBImpl::ReadHeadGroup(const rocksdb::Snapshot* snapshot, int64_t start,
                             uint64_t lo, uint64_t hi, HeadGroup* out) {
  return ForEachHeadEvent(
      snapshot, start,
      [&](uint64_t series, Event&& e) {
        if (series < lo || series > hi) return;
        out->rows.Append(e, kAllFields);
        out->series.push_back(series);
        ++out->events;
      },
      &out->max_seq);
}

Status DBImpl::SnapPastPack(const rocksdb::Snapshot* snapshot, int64_t start,
                            unsigned __int128* bound) {
  if (*bound > UINT64_MAX) return Status::OK();
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, chunks_cf_));
  it->Seek(ChunkKey(start, static_cast<uint64_t>(*bound)));
  if (!it->Valid()) {
    return FromRocks(it->status(), "chunks");
  }
  // A chunk of its own, or the next partition: nothing straddles the bound.
  if (it->key().size() != kPackKeySize || DecodeOrderedInt64(it->key().data()) != start) {
    return Status::OK();
  }
  const uint64_t last = DecodeBigEndian64(it->key().data() + 8);
  uint64_t first;
  Status s =
      PackFirstId(std::string_view(it->value().data(), it->value().size()), &first);
  if (!s.ok())
    return Status::Corruption(ObjectName("pack", start, last) + ": " + s.message());
  if (first < *bound) *bound = static_cast<unsigned __int128>(last) + 1;
  return Status::OK();
}

void DBImpl::FlushPack(int64_t start, PackBuilder* pack, rocksdb::WriteBatch* wb) {
  if (pack->ids.empty()) return;
  wb->Put(chunks_cf_, PackKey(start, pack->ids.back()),
          EncodePack(pack->ids, pack->offsets, pack->rows, start))
      .PermitUncheckedError();
  pack->ids.clear();
  pack->offsets.assign(1, 0);
  ClearKeepingCapacity(&pack->rows);
}

Status DBImpl::SealRange(const rocksdb::Snapshot* snapshot, int64_t start, uint64_t lo,
                         uint64_t hi, bool has_chunks, const HeadGroup& head,
                         std::span<const uint32_t> order, rocksdb::WriteBatch* wb) {
  // The range's sealed objects: series with chunks of their own (ascending),
  // and the rows of its packs, which are all rewritten.
  std::vector<uint64_t> own;
  PackBuilder& old = seal_old_;
  old.ids.clear();
  old.offsets.assign(1, 0);
  ClearKeepingCapacity(&old.rows);
  if (has_chunks) {
    auto chunks = NewPartitionIterator(chunks_cf_, snapshot, start);
    rocksdb::Iterator* it = chunks->it.get();
    for (it->Seek(ChunkKey(start, lo)); it->Valid(); it->Next()) {
      const rocksdb::Slice key = it->key();
      if (key.size() != kChunkKeySize &&
          (key.size() != kPackKeySize || key[kChunkKeySize] != kPackKeySuffix)) {
        return Status::Corruption("chunks: malformed key");
      }
      const uint64_t id = DecodeBigEndian64(key.data() + 8);
      if (id > hi) break;
      if (key.size() == kChunkKeySize) {
        own.push_back(id);
        continue;
      }
      DecodedPack& pack = seal_old_pack_;
      Status s = DecodePack(std::string_view(it->value().data(), it->value().size()),
                            start, kAllFields, &pack);
      if (!s.ok())
        return Status::Corruption(ObjectName("pack", start, id) + ": " + s.message());
      for (size_t m = 0; m < pack.ids.size(); ++m) {
        old.ids.push_back(pack.ids[m]);
        AppendRows(pack.rows, pack.offsets[m], pack.offsets[m + 1], kAllFields,
                   &old.rows);
        old.offsets.push_back(static_cast<uint32_t>(old.rows.size()));
      }
      wb->Delete(chunks_cf_, rocksdb::Slice(key.data(), key.size()))
          .PermitUncheckedError();
    }
    if (!it->status().ok()) return FromRocks(it->status(), "chunks");
  }

  // Every series of the range with events, ascending: busy ones get a chunk
  // of their own, sparse ones a place in a pack. A chunk of its own, new or
  // left as it is, closes the pack being built: no chunk of its own lies
  // inside a pack's range.
  PackBuilder& pack = seal_pack_;
  pack.ids.clear();
  pack.offsets.assign(1, 0);
  ClearKeepingCapacity(&pack.rows);
  Columns& rows = seal_series_;
  size_t a = 0, p = 0, o = 0;
  while (a < order.size() || p < old.ids.size() || o < own.size()) {
    uint64_t id = UINT64_MAX;
    if (a < order.size()) id = std::min(id, head.series[order[a]]);
    if (p < old.ids.size()) id = std::min(id, old.ids[p]);
    if (o < own.size()) id = std::min(id, own[o]);
    size_t b = a;
    while (b < order.size() && head.series[order[b]] == id) ++b;
    const bool in_old = p < old.ids.size() && old.ids[p] == id;
    const bool is_own = o < own.size() && own[o] == id;
    if (in_old && is_own) {
      return Status::Corruption("series " + SeriesIdHex(id) + " of partition " +
                                std::to_string(start) +
                                " has a chunk of its own and a place in a pack");
    }
    const bool in_head = b > a;
    if (is_own) ++o;
    if (is_own && !in_head) {
      FlushPack(start, &pack, wb);  // its chunk stays, between two packs
      continue;
    }
    // Sealed rows arrived first: they go before the head's.
    ClearKeepingCapacity(&rows);
    if (is_own) SREDB_RETURN_IF_ERROR(ReadOwnChunk(snapshot, start, id, &rows));
    if (in_old) {
      AppendRows(old.rows, old.offsets[p], old.offsets[p + 1], kAllFields, &rows);
      ++p;
    }
    GatherRows(head.rows, order.subspan(a, b - a), &rows);
    a = b;
    SortByTime(&rows);
    const bool resealed = is_own || in_old;
    if (rows.size() >= kPackMaxSeriesEvents) {
      FlushPack(start, &pack, wb);
      wb->Put(chunks_cf_, ChunkKey(start, id), EncodeChunk(rows, start))
          .PermitUncheckedError();
      PutRollups(start, id, rows, resealed, wb);
      continue;
    }
    // A chunk of its own written by format version 1 joins a pack.
    if (is_own) wb->Delete(chunks_cf_, ChunkKey(start, id)).PermitUncheckedError();
    pack.ids.push_back(id);
    AppendRows(rows, 0, rows.size(), kAllFields, &pack.rows);
    pack.offsets.push_back(static_cast<uint32_t>(pack.rows.size()));
    if (in_head) PutRollups(start, id, rows, resealed, wb);
    if (pack.rows.size() >= kPackTargetEvents) FlushPack(start, &pack, wb);
  }
  FlushPack(start, &pack, wb);
  return Status::OK();
}

// Appends to *rows every event of the chunk of its own that `series` has
// in partition `start`.
Status DBImpl::ReadOwnChunk(const rocksdb::Snapshot* snapshot, int64_t start,
                            uint64_t series, Columns* rows) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string chunk;
  rocksdb::Status g = db_->Get(ro, chunks_cf_, ChunkKey(start, series), &chunk);
  if (!g.ok()) return FromRocks(g, ObjectName("chunk", start, series));
  Status s =
      DecodeChunkColumns(chunk, start, kAllFields, std::numeric_limits<int64_t>::min(),
                         std::numeric_limits<int64_t>::max(), rows);
  if (!s.ok())
    return Status::Corruption(ObjectName("chunk", start, series) + ": " + s.message());
  return Status::OK();
}

bool DBImpl::RollupPays(uint64_t events, uint64_t buckets) const {
  const uint64_t min = options_.rollup_min_bucket_events;
  return min == 0 || events / min >= buckets;  // events >= buckets * min
}

// Builds every rollup tier of (start, series) that pays from `events`, the
// whole sealed partition of the series; on a re-seal, drops a tier that no
// longer pays (late events spread it thin) so none is left stale.
void DBImpl::PutRollups(int64_t start, uint64_t series, const Columns& events,
                        bool resealed, rocksdb::WriteBatch* wb) {
  const std::string key = ChunkKey(start, series);
  std::vector<TimedBucket> buckets;
  for (int tier = 0; tier < kRollupTiers; ++tier) {
    const int64_t resolution = kRollupResolutions[tier];
    if (RollupPays(events.size(), CountBuckets(events.time, resolution))) {
      buckets.clear();
      BuildBuckets(events, resolution, &buckets);
      wb->Put(rollup_cfs_[tier], key, EncodeRollupRecord(buckets, resolution, start))
          .PermitUncheckedError();
    } else if (resealed) {
      wb->Delete(rollup_cfs_[tier], key).PermitUncheckedError();
    }
  }
}

Status DBImpl::SealPartition(int64_t start) {
  std::lock_guard<std::mutex> seal_lock(seal_mu_);
  const rocksdb::Snapshot* snapshot;
  uint64_t expected;
  bool has_chunks;  // a first seal need not look for chunks to merge with
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = partitions_.find(start);
    if (it == partitions_.end() || it->second.head_events == 0) return Status::OK();
    expected = it->second.head_events;
    has_chunks = it->second.events > it->second.head_events;
    snapshot = db_->GetSnapshot();
  }
  struct SnapshotReleaser {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~SnapshotReleaser() { db->ReleaseSnapshot(s); }
  } releaser{db_, snapshot};
  const std::string where = "sealing partition " + std::to_string(start) + ": ";

  // Bound memory: a large partition is sealed in groups of series, each
  // group reading the head once; all of it still commits in one batch.
  const uint64_t groups = std::max<uint64_t>(
      1, (expected + options_.seal_group_events - 1) / options_.seal_group_events);
  // The batch is sized up front (chunks take ~10-15 B/event) and the group
  // buffers are kept from seal to seal: large buffers regrown and freed
  // each time fragment the heap (measured: ~130 MiB more peak RSS).
  rocksdb::WriteBatch wb(
      static_cast<size_t>(std::min<uint64_t>(expected, 1u << 26) * 16));
  // Groups are ranges of series ids (which are hashes, so ranges of equal
  // width hold about equal shares), moved so that no pack straddles two.
  std::vector<unsigned __int128> bounds(groups + 1);
  for (uint64_t g = 0; g <= groups; ++g) {
    bounds[g] = (static_cast<unsigned __int128>(g) << 64) / groups;
    if (has_chunks && g > 0 && g < groups) {
      SREDB_RETURN_IF_ERROR(SnapPastPack(snapshot, start, &bounds[g]));
    }
    if (g > 0) bounds[g] = std::max(bounds[g], bounds[g - 1]);
  }
  uint64_t read = 0, max_seq = 0;
  for (uint64_t group = 0; group < groups; ++group) {
    if (bounds[group] == bounds[group + 1]) continue;
    const uint64_t lo = static_cast<uint64_t>(bounds[group]);
    const uint64_t hi = static_cast<uint64_t>(bounds[group + 1] - 1);
    HeadGroup& head = seal_scratch_;
    ClearKeepingCapacity(&head.rows);
    head.series.clear();
    head.events = head.max_seq = 0;
    Status s = ReadHeadGroup(snapshot, start, lo, hi, &head);
    // The rows by series (arrival order kept within one).
    std::vector<uint32_t>& order = seal_order_;
    order.resize(head.series.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&head](uint32_t a, uint32_t b) {
      return head.series[a] < head.series[b];
    });
    if (s.ok()) s = SealRange(snapshot, start, lo, hi, has_chunks, head, order, &wb);
    if (!s.ok()) return s.WithMessage(where + s.message());
    read += head.events;
    max_seq = std::max(max_seq, head.max_seq);
  }
  if (read != expected) {
    return Status::Corruption(where + "the catalog counts " + std::to_string(expected) +
                              " head events, the head holds " + std::to_string(read));
  }
  wb.DeleteRange(head_cf_, HeadKey(start, 0), HeadKey(start, max_seq + 1))
      .PermitUncheckedError();

  std::lock_guard<std::mutex> lock(mu_);
  PartitionInfo info = partitions_[start];
  info.head_events -= read;
  wb.Put(meta_cf_, PartitionKey(start), EncodePartitionInfo(info)).PermitUncheckedError();
  rocksdb::Status w = db_->Write(rocksdb::WriteOptions(), &wb);
  if (!w.ok()) return Status::IOError(where + w.ToString());
  partitions_[start] = info;
  return Status::OK();
}

bool DBImpl::Expired(int64_t start, int64_t retention_ns, int64_t high_water) const {
  return retention_ns > 0 && high_water != INT64_MIN &&
         __int128{start} + partition_ns_ + retention_ns <= high_water;
}

// Before raw events expire, the 1-hour buckets of every series of the
// partition that lacks them are built from its chunks (the head is sealed
// by then), so that the coarsest tier answers for the whole horizon.
Status DBImpl::BuildMissingHourRollups(int64_t start, rocksdb::WriteBatch* wb) {
  constexpr int kHour = kRollupTiers - 1;
  auto chunks = NewPartitionIterator(chunks_cf_, nullptr, start);
  std::vector<TimedBucket> buckets;
  std::string ignored;
  DecodedPack pack;
  Columns events;
  // Builds the hour buckets of `series` from `events` unless it has them.
  auto build = [&](uint64_t series) -> Status {
    const std::string key = ChunkKey(start, series);
    rocksdb::Status g =
        db_->Get(rocksdb::ReadOptions(), rollup_cfs_[kHour], key, &ignored);
    if (g.ok()) return Status::OK();
    if (!g.IsNotFound()) return FromRocks(g, "rollups_1h");
    buckets.clear();
    BuildBuckets(events, kRollupResolutions[kHour], &buckets);
    wb->Put(rollup_cfs_[kHour], key,
            EncodeRollupRecord(buckets, kRollupResolutions[kHour], start))
        .PermitUncheckedError();
    return Status::OK();
  };
  for (rocksdb::Iterator* it = chunks->it.get(); it->Valid(); it->Next()) {
    const std::string_view value(it->value().data(), it->value().size());
    const uint64_t id = DecodeBigEndian64(it->key().data() + 8);
    if (it->key().size() == kPackKeySize) {
      Status s = DecodePack(value, start, kRollupFields, &pack);
      if (!s.ok())
        return Status::Corruption(ObjectName("pack", start, id) + ": " + s.message());
      for (size_t m = 0; m < pack.ids.size(); ++m) {
        events.Clear();
        AppendRows(pack.rows, pack.offsets[m], pack.offsets[m + 1], kRollupFields,
                   &events);
        SREDB_RETURN_IF_ERROR(build(pack.ids[m]));
      }
      continue;
    }
    if (it->key().size() != kChunkKeySize) return Status::Corruption("bad chunk key");
    events.Clear();
    Status s = DecodeChunkColumns(value, start, kRollupFields,
                                  std::numeric_limits<int64_t>::min(),
                                  std::numeric_limits<int64_t>::max(), &events);
    if (!s.ok())
      return Status::Corruption(ObjectName("chunk", start, id) + ": " + s.message());
    SREDB_RETURN_IF_ERROR(build(id));
  }
  if (!chunks->it->status().ok()) return FromRocks(chunks->it->status(), "chunks");
  return Status::OK();
}

Status DBImpl::ApplyRetention() {
  const auto [raw, minute, hour] = retention_;
  if (raw == 0 && minute == 0 && hour == 0) return Status::OK();
  // Seal the head of partitions whose raw tier expires first, so that their
  // 1-hour buckets are built from every event.
  std::vector<int64_t> unsealed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [start, info] : partitions_) {
      if (!Expired(start, raw, high_water_)) break;  // the map is ordered by start
      if (info.has_raw() && info.head_events > 0) unsealed.push_back(start);
    }
  }
  for (int64_t start : unsealed) SREDB_RETURN_IF_ERROR(SealPartition(start));

  std::lock_guard<std::mutex> seal_lock(seal_mu_);  // no seal of a partition we drop
  std::map<int64_t, PartitionInfo> catalog;
  int64_t high_water;
  {
    std::lock_guard<std::mutex> lock(mu_);
    catalog = partitions_;
    high_water = high_water_;
  }
  const bool hour_outlives_raw = hour == 0 || hour > raw;
  for (const auto& [start, old] : catalog) {
    const bool drop_raw = old.has_raw() && Expired(start, raw, high_water);
    const bool drop_minute = !(old.dropped & PartitionInfo::kMinuteDropped) &&
                             Expired(start, minute, high_water);
    const bool drop_hour = Expired(start, hour, high_water);
    if (!drop_raw && !drop_minute && !drop_hour) {
      if (!Expired(start, raw, high_water)) break;  // nor any later partition
      continue;
    }
    // Events that arrived after the sealing above wait for the next round.
    if (drop_raw && old.head_events > 0) continue;
    const std::string begin = PartitionStartPrefix(start);
    const std::string end = PartitionStartPrefix(start + 1);
    rocksdb::WriteBatch wb;
    uint8_t dropped = 0;
    if (drop_raw) {
      if (hour_outlives_raw && !drop_hour) {
        Status s = BuildMissingHourRollups(start, &wb);
        if (!s.ok()) {
          return s.WithMessage("retention of partition " + std::to_string(start) + ": " +
                               s.message());
        }
      }
      wb.DeleteRange(head_cf_, begin, end).PermitUncheckedError();
      wb.DeleteRange(chunks_cf_, begin, end).PermitUncheckedError();
      dropped |= PartitionInfo::kRawDropped;
    }
    if (drop_minute) {
      wb.DeleteRange(rollup_cfs_[0], begin, end).PermitUncheckedError();
      dropped |= PartitionInfo::kMinuteDropped;
    }
    if (drop_hour) wb.DeleteRange(rollup_cfs_[1], begin, end).PermitUncheckedError();

    std::lock_guard<std::mutex> lock(mu_);
    PartitionInfo info = partitions_[start];  // Append refuses events for it now
    info.dropped |= dropped;
    if (drop_hour) {
      wb.Delete(meta_cf_, PartitionKey(start)).PermitUncheckedError();
    } else {
      wb.Put(meta_cf_, PartitionKey(start), EncodePartitionInfo(info))
          .PermitUncheckedError();
    }
    rocksdb::Status w = db_->Write(rocksdb::WriteOptions(), &wb);
    if (!w.ok()) return Status::IOError("retention: " + w.ToString());
    if (drop_hour) {
      partitions_.erase(start);
    } else {
      partitions_[start] = info;
    }
  }
  return Status::OK();
}

void DBImpl::SealerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_sealer_) {
    sealer_cv_.wait_for(lock, std::chrono::seconds(1));
    if (stop_sealer_) break;
    const int64_t now = high_water_;
    lock.unlock();
    Status s = SealBefore(now);
    if (s.ok()) s = ApplyRetention();
    lock.lock();
    if (!s.ok()) seal_error_ = s.ToString();
  }
}

void DBImpl::StopSealer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_sealer_ = true;
  }
  sealer_cv_.notify_all();
  if (sealer_.joinable()) sealer_.join();
}

}  // namespace sredb::internal
