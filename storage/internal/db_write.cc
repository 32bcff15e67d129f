// DBImpl's write path: Append. See db_impl.h for the commit protocol.
#include <rocksdb/write_batch.h>

#include <map>

#include "storage/internal/checksum.h"
#include "storage/internal/db_impl.h"
#include "storage/internal/head_codec.h"
#include "storage/internal/keys.h"

namespace sredb::internal {
namespace {

// The events of one batch that fall in one partition.
struct PartitionPart {
  explicit PartitionPart(int64_t start) : builder(start) {}
  HeadRecordBuilder builder;
  PartitionInfo info;
};

}  // namespace

// Collision rule: an id maps to exactly one canonical label encoding, for
// ever. A batch whose label set hashes to a known id with other labels, or
// two of whose new label sets share an id, is refused whole.
Status DBImpl::ResolveNewSeries(const EventBatch& batch, const std::vector<uint64_t>& ids,
                                std::vector<uint32_t>* new_series) const {
  std::map<uint64_t, uint32_t> fresh;  // id -> batch series index
  for (uint32_t s = 0; s < batch.series_count(); ++s) {
    const std::string& canonical = batch.canonical(s);
    std::string other;
    if (auto known = series_.Find(ids[s])) {
      if (known->canonical == canonical) continue;
      other = known->labels.ToString();
    } else if (auto [it, inserted] = fresh.try_emplace(ids[s], s); !inserted) {
      other = batch.series(it->second).ToString();
    } else {
      new_series->push_back(s);
      continue;
    }
    return Status::SeriesCollision(
        "series id " + SeriesIdHex(ids[s]) + " of {" + batch.series(s).ToString() +
        "} is already taken by {" + other + "}; the batch is refused");
  }
  return Status::OK();
}

Status DBImpl::Append(const WriteOptions& options, const EventBatch& batch) {
  if (db_ == nullptr) return Status::IOError("database is closed");
  if (options_.read_only) return Status::NotSupported("database is open read-only");
  if (batch.empty()) return Status::OK();
  if (batch.size() > kMaxBatchEvents) {
    return Status::ResourceExhausted("batch of " + std::to_string(batch.size()) +
                                     " events is larger than the limit of " +
                                     std::to_string(kMaxBatchEvents));
  }
  std::vector<uint64_t> ids(batch.series_count());
  for (uint32_t s = 0; s < batch.series_count(); ++s) {
    ids[s] = SeriesId(batch.canonical(s));
  }
  // Validate and encode outside the lock.
  std::map<int64_t, PartitionPart> parts;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Event& e = batch.event(i);
    if (Status s = ValidateEvent(e); !s.ok()) {
      return Status::InvalidArgument("event " + std::to_string(i) + " {" +
                                     batch.series(batch.series_of(i)).ToString() +
                                     "}: " + s.message() + "; the batch is refused");
    }
    int64_t start = PartitionStart(e.time, partition_ns_);
    PartitionPart& part = parts.try_emplace(start, start).first->second;
    part.builder.Add(ids[batch.series_of(i)], e);
    part.info.Merge(PartitionInfo{1, 1, e.time, e.time});
  }
  std::vector<std::pair<int64_t, std::string>> records;
  records.reserve(parts.size());
  for (auto& [start, part] : parts) records.emplace_back(start, part.builder.Finish());

  std::lock_guard<std::mutex> lock(mu_);
  int64_t newest = high_water_;
  for (const auto& [start, part] : parts) newest = std::max(newest, part.info.max_time);
  for (const auto& [start, part] : parts) {
    auto old = partitions_.find(start);
    if (Expired(start, retention_[0], newest) ||
        (old != partitions_.end() && !old->second.has_raw())) {
      return Status::InvalidArgument(
          "event at " + std::to_string(part.info.min_time) +
          " ns is in a partition past the raw retention horizon; the batch is refused");
    }
  }
  std::vector<uint32_t> new_series;
  SREDB_RETURN_IF_ERROR(ResolveNewSeries(batch, ids, &new_series));
  rocksdb::WriteBatch wb;
  uint64_t seq = next_seq_;
  for (const auto& [start, record] : records) {
    wb.Put(head_cf_, HeadKey(start, seq++), record).PermitUncheckedError();
  }
  std::vector<std::shared_ptr<const SeriesEntry>> entries;
  for (uint32_t s : new_series) {
    auto entry =
        std::make_shared<SeriesEntry>(SeriesEntry{batch.series(s), batch.canonical(s)});
    SeriesIndex::PutSeries(&wb, index_cf_, ids[s], *entry);
    entries.push_back(std::move(entry));
  }
  std::vector<std::pair<int64_t, PartitionInfo>> merged;
  for (const auto& [start, part] : parts) {
    PartitionInfo info = part.info;
    if (auto it = partitions_.find(start); it != partitions_.end())
      info.Merge(it->second);
    wb.Put(meta_cf_, PartitionKey(start), EncodePartitionInfo(info))
        .PermitUncheckedError();
    merged.emplace_back(start, info);
  }
  std::string seq_value;
  PutFixed64(&seq_value, seq);
  SealWithChecksum(&seq_value);
  wb.Put(meta_cf_, kNextSeqKey, seq_value).PermitUncheckedError();

  rocksdb::WriteOptions wo;
  wo.sync = options.sync;
  rocksdb::Status s = db_->Write(wo, &wb);
  if (!s.ok())
    return Status::IOError("append: " + s.ToString() + "; the batch is not stored");
  next_seq_ = seq;
  const int64_t old_high_water = high_water_;
  bool late = false;  // did events land in a partition already due for sealing?
  for (auto& [start, info] : merged) {
    partitions_[start] = info;
    high_water_ = std::max(high_water_, info.max_time);
  }
  for (auto& [start, info] : merged) {
    late |= __int128{start} + partition_ns_ + options_.seal_grace_ns <= high_water_;
  }
  // Wake the sealer when a partition became due, not on every append.
  auto frontier = [this](int64_t high_water) {  // times are >= 0: no overflow
    return high_water == INT64_MIN
               ? INT64_MIN
               : PartitionStart(high_water - options_.seal_grace_ns, partition_ns_);
  };
  if (late || frontier(old_high_water) != frontier(high_water_)) sealer_cv_.notify_one();
  for (size_t k = 0; k < new_series.size(); ++k)
    series_.Insert(ids[new_series[k]], entries[k]);
  return Status::OK();
}

}  // namespace sredb::internal
