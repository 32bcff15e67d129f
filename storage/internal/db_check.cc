// DBImpl::Check: verifies every persisted object (`sredb check`).
#include <algorithm>
#include <set>

#include "storage/internal/checksum.h"
#include "storage/internal/chunk.h"
#include "storage/internal/db_impl.h"
#include "storage/internal/head_codec.h"
#include "storage/internal/keys.h"
#include "storage/internal/rollup_record.h"

namespace sredb::internal {
namespace {

std::map<int64_t, uint64_t> HeadCounts(const std::map<int64_t, PartitionInfo>& seen) {
  std::map<int64_t, uint64_t> out;
  for (const auto& [start, info] : seen) out[start] = info.events;
  return out;
}

// Iterates `cf` at `snapshot` over keys starting with `prefix` (all if empty).
template <typename Fn>
Status ForEach(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
               const rocksdb::Snapshot* snapshot, const std::string& prefix, Fn fn) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.verify_checksums = true;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    fn(std::string_view(it->key().data(), it->key().size()),
       std::string_view(it->value().data(), it->value().size()));
  }
  if (it->status().ok()) return Status::OK();
  return Status::Corruption("reading: " + it->status().ToString());
}

}  // namespace

Result<CheckReport> DBImpl::Check() {
  if (db_ == nullptr) return Status::IOError("database is closed");
  CheckReport report;
  const rocksdb::Snapshot* snapshot;
  uint64_t next_seq;
  {
    std::lock_guard<std::mutex> lock(mu_);  // a cut consistent with next_seq_
    snapshot = db_->GetSnapshot();
    next_seq = next_seq_;
  }
  std::map<int64_t, PartitionInfo> catalog;
  Status s = ForEach(db_, meta_cf_, snapshot, std::string(1, kPartitionPrefix),
                     [&](std::string_view key, std::string_view value) {
                       ++report.objects_checked;
                       PartitionInfo info;
                       if (key.size() != 9 || !DecodePartitionInfo(value, &info)) {
                         report.problems.push_back("meta: a partition record is damaged");
                         return;
                       }
                       catalog[DecodeOrderedInt64(key.data() + 1)] = info;
                     });
  if (!s.ok()) report.problems.push_back("meta: " + s.message());
  std::set<uint64_t> series = CheckIndex(snapshot, &report);
  ChunkCounts chunk_events;
  CheckHead(snapshot, catalog, series, next_seq, &chunk_events, &report);
  CheckRollups(snapshot, catalog, series, chunk_events, &report);
  db_->ReleaseSnapshot(snapshot);
  return report;
}

std::set<uint64_t> DBImpl::CheckIndex(const rocksdb::Snapshot* snapshot,
                                      CheckReport* report) {
  std::map<uint64_t, Labels> series;
  Status s =
      ForEach(db_, index_cf_, snapshot, std::string(1, kSeriesPrefix),
              [&](std::string_view key, std::string_view value) {
                ++report->objects_checked;
                uint64_t id = key.size() == 9 ? DecodeBigEndian64(key.data() + 1) : 0;
                std::string name = "index: series " + SeriesIdHex(id);
                auto labels = CheckAndStripChecksum(&value)
                                  ? DecodeCanonicalLabels(value)
                                  : Result<Labels>(Status::Corruption("bad checksum"));
                if (key.size() != 9 || !labels.ok()) {
                  report->problems.push_back(name + ": " + labels.status().message());
                } else if (SeriesId(value) != id) {
                  report->problems.push_back(name + ": id is not the hash of its labels");
                } else {
                  series.emplace(id, std::move(labels.value()));
                }
              });
  if (!s.ok()) report->problems.push_back("index: " + s.message());
  std::set<std::pair<uint64_t, std::string>> postings;  // (id, "name=value")
  s = ForEach(db_, index_cf_, snapshot, std::string(1, kPostingPrefix),
              [&](std::string_view key, std::string_view) {
                ++report->objects_checked;
                size_t sep = key.find('\0');
                size_t sep2 = sep == key.npos ? key.npos : key.find('\0', sep + 1);
                if (sep2 == key.npos || key.size() != sep2 + 9) {
                  report->problems.push_back("index: malformed posting key");
                  return;
                }
                uint64_t id = DecodeBigEndian64(key.data() + sep2 + 1);
                std::string name(key.substr(1, sep - 1)),
                    value(key.substr(sep + 1, sep2 - sep - 1));
                auto it = series.find(id);
                if (it == series.end() || it->second.Get(name) != value) {
                  report->problems.push_back("index: posting " + name + "=" + value +
                                             " -> " + SeriesIdHex(id) +
                                             " has no matching series");
                }
                postings.emplace(id, name + "=" + value);
              });
  if (!s.ok()) report->problems.push_back("index: " + s.message());
  for (const auto& [id, labels] : series) {
    for (const Label& l : labels.items()) {
      if (!postings.count({id, l.name + "=" + l.value})) {
        report->problems.push_back("index: series " + SeriesIdHex(id) +
                                   " lacks posting " + l.name + "=" + l.value);
      }
    }
  }
  std::set<uint64_t> ids;
  for (const auto& [id, labels] : series) ids.insert(id);
  return ids;
}

void DBImpl::CheckHead(const rocksdb::Snapshot* snapshot,
                       const std::map<int64_t, PartitionInfo>& catalog,
                       const std::set<uint64_t>& series, uint64_t next_seq,
                       ChunkCounts* chunk_events, CheckReport* report) {
  std::map<int64_t, PartitionInfo> seen;
  std::vector<HeadEvent> events;
  uint64_t max_seq = 0;
  bool any = false;
  Status s = ForEach(
      db_, head_cf_, snapshot, "", [&](std::string_view key, std::string_view value) {
        ++report->objects_checked;
        if (key.size() != 16) {
          report->problems.push_back("head: malformed key");
          return;
        }
        int64_t partition = DecodeOrderedInt64(key.data());
        uint64_t seq = DecodeBigEndian64(key.data() + 8);
        std::string name = "head record (partition " + std::to_string(partition) +
                           ", seq " + std::to_string(seq) + ")";
        max_seq = std::max(max_seq, seq);
        any = true;
        events.clear();
        if (Status d = DecodeHeadRecord(value, partition, &events); !d.ok()) {
          report->problems.push_back(name + ": " + d.message());
          return;
        }
        PartitionInfo& info = seen[partition];
        for (const HeadEvent& h : events) {
          info.Merge(PartitionInfo{1, 1, h.event.time, h.event.time});
          if (PartitionStart(h.event.time, partition_ns_) != partition) {
            report->problems.push_back(name + ": an event lies outside the partition");
            return;
          }
          if (!series.count(h.series_id)) {
            report->problems.push_back(name + ": unknown series " +
                                       SeriesIdHex(h.series_id));
            return;
          }
        }
      });
  if (!s.ok()) report->problems.push_back("head: " + s.message());
  if (any && max_seq >= next_seq) {
    report->problems.push_back("meta: next_seq is not above the last head record");
  }
  std::map<int64_t, uint64_t> sealed =
      CheckChunks(snapshot, series, chunk_events, report);
  for (const auto& [start, info] : catalog) {
    uint64_t head = seen.count(start) ? seen[start].events : 0;
    uint64_t chunks = sealed.count(start) ? sealed[start] : 0;
    if (!info.has_raw()) {
      if (head + chunks > 0) {
        report->problems.push_back("meta: partition " + std::to_string(start) +
                                   " had its raw events dropped but holds " +
                                   std::to_string(head + chunks));
      }
    } else if (head != info.head_events || head + chunks != info.events) {
      report->problems.push_back("meta: partition " + std::to_string(start) + " counts " +
                                 std::to_string(info.events) + " events (" +
                                 std::to_string(info.head_events) + " in head), found " +
                                 std::to_string(head + chunks) + " (" +
                                 std::to_string(head) + " in head)");
    }
  }
  for (const auto& counts : {HeadCounts(seen), sealed}) {
    for (const auto& [start, n] : counts) {
      if (!catalog.count(start)) {
        report->problems.push_back("meta: partition " + std::to_string(start) +
                                   " holds events but has no catalog entry");
      }
    }
  }
}

std::map<int64_t, uint64_t> DBImpl::CheckChunks(const rocksdb::Snapshot* snapshot,
                                                const std::set<uint64_t>& series,
                                                ChunkCounts* chunk_events,
                                                CheckReport* report) {
  std::map<int64_t, uint64_t> counts;
  std::vector<Event> events;
  DecodedPack pack;
  // The series with chunks of their own in the partition being walked.
  int64_t own_partition = 0;
  std::vector<uint64_t> own;
  // Counts the events of (partition, id) unless another object holds it.
  auto count = [&](const std::string& name, int64_t partition, uint64_t id, uint64_t n) {
    if (!chunk_events->emplace(std::pair{partition, id}, n).second) {
      report->problems.push_back(name + ": series " + SeriesIdHex(id) +
                                 " is sealed in two objects");
      return;
    }
    counts[partition] += n;
  };
  auto outside = [&](int64_t first, int64_t last, int64_t partition) {
    return PartitionStart(first, partition_ns_) != partition ||
           PartitionStart(last, partition_ns_) != partition;
  };
  Status s = ForEach(
      db_, chunks_cf_, snapshot, "", [&](std::string_view key, std::string_view value) {
        ++report->objects_checked;
        const bool is_pack = key.size() == kPackKeySize && key.back() == kPackKeySuffix;
        if (key.size() != kChunkKeySize && !is_pack) {
          report->problems.push_back("chunks: malformed key");
          return;
        }
        const int64_t partition = DecodeOrderedInt64(key.data());
        const uint64_t id = DecodeBigEndian64(key.data() + 8);
        if (partition != own_partition) own.clear();
        own_partition = partition;
        if (is_pack) {
          const std::string name = ObjectName("pack", partition, id);
          if (Status d = DecodePack(value, partition, kAllFields, &pack); !d.ok()) {
            report->problems.push_back(name + ": " + d.message());
            return;
          }
          if (pack.ids.back() != id) {
            report->problems.push_back(name + ": its key names another last member");
            return;
          }
          // Readers find a member by the first key at or after its chunk key.
          auto inside = std::upper_bound(own.begin(), own.end(), pack.ids.front());
          if (inside != own.end() && *inside < id) {
            report->problems.push_back(name + ": series " + SeriesIdHex(*inside) +
                                       " has a chunk inside the pack's range");
          }
          for (size_t m = 0; m < pack.ids.size(); ++m) {
            const uint64_t member = pack.ids[m];
            if (!series.count(member)) {
              report->problems.push_back(name + ": unknown series " +
                                         SeriesIdHex(member));
            } else if (outside(*std::min_element(
                                   pack.rows.time.begin() + pack.offsets[m],
                                   pack.rows.time.begin() + pack.offsets[m + 1]),
                               *std::max_element(
                                   pack.rows.time.begin() + pack.offsets[m],
                                   pack.rows.time.begin() + pack.offsets[m + 1]),
                               partition)) {
              report->problems.push_back(name + ": events lie outside the partition");
            } else {
              count(name, partition, member, pack.offsets[m + 1] - pack.offsets[m]);
            }
          }
          return;
        }
        own.push_back(id);
        const std::string name = ObjectName("chunk", partition, id);
        events.clear();
        if (Status d = DecodeChunk(value, partition, &events); !d.ok()) {
          report->problems.push_back(name + ": " + d.message());
        } else if (!series.count(id)) {
          report->problems.push_back(name + ": unknown series");
        } else if (outside(events.front().time, events.back().time, partition)) {
          report->problems.push_back(name + ": events lie outside the partition");
        } else {
          count(name, partition, id, events.size());
        }
      });
  if (!s.ok()) report->problems.push_back("chunks: " + s.message());
  return counts;
}

void DBImpl::CheckRollups(const rocksdb::Snapshot* snapshot,
                          const std::map<int64_t, PartitionInfo>& catalog,
                          const std::set<uint64_t>& series,
                          const ChunkCounts& chunk_events, CheckReport* report) {
  std::vector<TimedBucket> buckets;
  for (int tier = 0; tier < kRollupTiers; ++tier) {
    if (rollup_cfs_[tier] == nullptr) continue;
    const int64_t resolution = kRollupResolutions[tier];
    const std::string cf = kRollupCfs[tier];
    Status s = ForEach(
        db_, rollup_cfs_[tier], snapshot, "",
        [&](std::string_view key, std::string_view value) {
          ++report->objects_checked;
          if (key.size() != 16) {
            report->problems.push_back(cf + ": malformed key");
            return;
          }
          const int64_t partition = DecodeOrderedInt64(key.data());
          const uint64_t id = DecodeBigEndian64(key.data() + 8);
          const std::string name = ObjectName(cf + " record", partition, id);
          buckets.clear();
          auto info = catalog.find(partition);
          const __int128 end = __int128{partition} + partition_ns_;
          Status d = DecodeRollupRecord(value, resolution, partition, INT64_MIN,
                                        INT64_MAX, &buckets);
          if (!d.ok()) {
            report->problems.push_back(name + ": " + d.message());
          } else if (!series.count(id)) {
            report->problems.push_back(name + ": unknown series");
          } else if (info == catalog.end() ||
                     (tier == 0 &&
                      (info->second.dropped & PartitionInfo::kMinuteDropped))) {
            report->problems.push_back(name + ": its partition holds no such tier");
          } else if (buckets.back().start >= end ||
                     buckets.front().start + resolution <= partition) {
            report->problems.push_back(name + ": buckets lie outside the partition");
          } else if (info->second.has_raw()) {
            uint64_t n = 0;
            for (const TimedBucket& b : buckets) n += b.bucket.count;
            auto chunk = chunk_events.find({partition, id});
            const uint64_t sealed = chunk == chunk_events.end() ? 0 : chunk->second;
            if (n != sealed) {
              report->problems.push_back(name + ": counts " + std::to_string(n) +
                                         " events, its chunk " + std::to_string(sealed));
            }
          }
        });
    if (!s.ok()) report->problems.push_back(cf + ": " + s.message());
  }
}

}  // namespace sredb::internal
