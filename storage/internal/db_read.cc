// DBImpl's read path: Scan over the head, partition by partition.
#include <algorithm>
#include <unordered_map>

#include "storage/internal/chunk.h"
#include "storage/internal/db_impl.h"
#include "storage/internal/head_codec.h"
#include "storage/internal/keys.h"
#include "storage/internal/rocks_status.h"

namespace sredb::internal {
namespace {

// Yields, partition by partition, the selected series' events in [start, end)
// sorted by (time, series id, arrival). Holds the view's snapshot until it dies.
// Thread safety: one thread at a time (scan.h); its members are its own
// copies, taken under the DB's mu_ by DBImpl::Scan.
class PartitionScanIterator final : public EventIterator {
 public:
  PartitionScanIterator(
      DBImpl* db, DBImpl::ReadView view,
      std::unordered_map<uint64_t, std::shared_ptr<const SeriesEntry>> series,
      int64_t start, int64_t end)
      : db_(db),
        view_(std::move(view)),
        series_(std::move(series)),
        start_(start),
        end_(end) {
    SkipToNonEmpty();
  }
  ~PartitionScanIterator() override { db_->ReleaseView(view_); }

  bool Valid() const override { return status_.ok() && pos_ < rows_.size(); }
  void Next() override {
    ++pos_;
    SkipToNonEmpty();
  }
  const Event& event() const override { return rows_[pos_].event; }
  uint64_t series_id() const override { return rows_[pos_].series_id; }
  const Labels& labels() const override {
    return series_.at(rows_[pos_].series_id)->labels;
  }
  Status status() const override { return status_; }

 private:
  // Loads partitions until one has rows or none is left.
  void SkipToNonEmpty() {
    while (status_.ok() && pos_ >= rows_.size() &&
           next_partition_ < view_.partitions.size()) {
      status_ = LoadPartition(view_.partitions[next_partition_++]);
    }
  }

  // Reads the partition's chunks, then its head records (which arrived
  // later), keeping the selected events in [start, end).
  Status LoadPartition(int64_t partition) {
    rows_.clear();
    pos_ = 0;
    auto chunks = db_->NewPartitionIterator(db_->chunks_cf(), view_.snapshot, partition);
    std::vector<Event> chunk_events;
    for (rocksdb::Iterator* it = chunks->it.get(); it->Valid(); it->Next()) {
      const uint64_t series = DecodeBigEndian64(it->key().data() + 8);
      if (it->key().size() == kPackKeySize) {
        SREDB_RETURN_IF_ERROR(LoadPack(
            partition, series, std::string_view(it->value().data(), it->value().size())));
        continue;
      }
      if (it->key().size() != kChunkKeySize) {
        return Status::Corruption("chunks: malformed key");
      }
      if (!series_.count(series)) continue;
      chunk_events.clear();
      Status s = DecodeChunk(std::string_view(it->value().data(), it->value().size()),
                             partition, &chunk_events);
      if (!s.ok()) {
        return Status::Corruption(ObjectName("chunk", partition, series) + ": " +
                                  s.message());
      }
      for (Event& e : chunk_events) Keep(series, std::move(e));
    }
    if (!chunks->it->status().ok()) {
      return FromRocks(chunks->it->status(), "chunk scan");
    }
    uint64_t last_seq;
    SREDB_RETURN_IF_ERROR(db_->ForEachHeadEvent(
        view_.snapshot, partition,
        [this](uint64_t series, Event&& e) { Keep(series, std::move(e)); }, &last_seq));
    // Stable: rows arrived in (chunk, then seq, position) order, which breaks ties.
    std::stable_sort(rows_.begin(), rows_.end(),
                     [](const HeadEvent& a, const HeadEvent& b) {
                       return a.event.time != b.event.time ? a.event.time < b.event.time
                                                           : a.series_id < b.series_id;
                     });
    return Status::OK();
  }

  // Keeps the events of the selected members of a pack.
  Status LoadPack(int64_t partition, uint64_t last, std::string_view value) {
    Status s = DecodePack(value, partition, kAllFields, &pack_);
    if (!s.ok()) {
      return Status::Corruption(ObjectName("pack", partition, last) + ": " + s.message());
    }
    for (size_t m = 0; m < pack_.ids.size(); ++m) {
      if (!series_.count(pack_.ids[m])) continue;
      for (uint32_t i = pack_.offsets[m]; i < pack_.offsets[m + 1]; ++i) {
        Event e;
        pack_.rows.GetRow(i, &e);
        Keep(pack_.ids[m], std::move(e));
      }
    }
    return Status::OK();
  }

  void Keep(uint64_t series, Event&& e) {
    if (e.time < start_ || e.time >= end_ || !series_.count(series)) return;
    rows_.push_back(HeadEvent{series, std::move(e)});
  }

  DBImpl* const db_;
  const DBImpl::ReadView view_;
  const std::unordered_map<uint64_t, std::shared_ptr<const SeriesEntry>> series_;
  const int64_t start_, end_;
  size_t next_partition_ = 0;
  std::vector<HeadEvent> rows_;
  size_t pos_ = 0;
  DecodedPack pack_;
  Status status_;
};

}  // namespace

std::unique_ptr<DBImpl::PartitionIterator> DBImpl::NewPartitionIterator(
    rocksdb::ColumnFamilyHandle* cf, const rocksdb::Snapshot* snapshot, int64_t start) {
  auto p = std::make_unique<PartitionIterator>();
  PutOrderedInt64(&p->upper, start + 1);  // every key of `start` sorts below
  p->upper_slice = rocksdb::Slice(p->upper);
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.iterate_upper_bound = &p->upper_slice;
  p->it.reset(db_->NewIterator(ro, cf));
  p->it->Seek(PartitionStartPrefix(start));
  return p;
}

Status DBImpl::ForEachHeadEvent(const rocksdb::Snapshot* snapshot, int64_t start,
                                const std::function<void(uint64_t, Event&&)>& fn,
                                uint64_t* last_seq) {
  auto head = NewPartitionIterator(head_cf_, snapshot, start);
  *last_seq = 0;
  for (rocksdb::Iterator* it = head->it.get(); it->Valid(); it->Next()) {
    if (it->key().size() != 16) return Status::Corruption("head: malformed key");
    *last_seq = DecodeBigEndian64(it->key().data() + 8);
    Status s = ForEachHeadRecordEvent(
        std::string_view(it->value().data(), it->value().size()), start, fn);
    if (!s.ok()) {
      return Status::Corruption("head record (partition " + std::to_string(start) +
                                ", seq " + std::to_string(*last_seq) +
                                "): " + s.message());
    }
  }
  if (!head->it->status().ok()) {
    return FromRocks(head->it->status(), "head scan");
  }
  return Status::OK();
}

DBImpl::ReadView DBImpl::AcquireView() {
  std::lock_guard<std::mutex> lock(mu_);
  ReadView view;
  view.snapshot = db_->GetSnapshot();
  view.partitions.reserve(partitions_.size());
  for (const auto& [start, info] : partitions_) {
    if (info.has_raw()) view.partitions.push_back(start);
  }
  view.catalog = partitions_;
  view.series_ids = series_.SortedIds();
  return view;
}

void DBImpl::ReleaseView(const ReadView& view) { db_->ReleaseSnapshot(view.snapshot); }

std::shared_ptr<const SeriesEntry> DBImpl::FindSeries(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  return series_.Find(id);
}

Result<std::unique_ptr<EventIterator>> DBImpl::Scan(const ScanOptions& options) {
  if (db_ == nullptr) return Status::IOError("database is closed");
  ReadView view = AcquireView();
  auto selected =
      SelectSeries(db_, index_cf_, view.snapshot, options.matchers, *view.series_ids);
  if (!selected.ok()) {
    ReleaseView(view);
    return selected.status();
  }
  std::unordered_map<uint64_t, std::shared_ptr<const SeriesEntry>> series;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (uint64_t id : *selected) series.emplace(id, series_.Find(id));
  }
  // Keep only partitions overlapping [start, end); times are >= 0.
  const int64_t pn = partition_ns_;
  std::erase_if(view.partitions, [&](int64_t p) {
    bool overlaps = p < options.end && (options.start <= p || options.start - p < pn);
    return !overlaps || series.empty() || options.start >= options.end;
  });
  return std::unique_ptr<EventIterator>(new PartitionScanIterator(
      this, std::move(view), std::move(series), options.start, options.end));
}

}  // namespace sredb::internal
