// DBImpl::NewReader: the query layer's read interface (storage/reader.h)
// over one consistent cut: a RocksDB snapshot and the partition catalog
// taken with it.
#include <algorithm>
#include <cstring>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <unordered_map>

#include "storage/internal/chunk.h"
#include "storage/internal/db_impl.h"
#include "storage/internal/keys.h"
#include "storage/internal/rocks_status.h"
#include "storage/internal/rollup_record.h"

namespace sredb::internal {
namespace {

// Point lookups in one column family at a snapshot through one forward
// iterator. A key a few entries past the last one found is reached by Next,
// which is far cheaper than a Get when the query layer walks the series of
// a partition in id order; any other key by Seek. Owned by one ReaderImpl
// and used by its thread only.
class Cursor {
 public:
  Cursor(DBImpl* db, rocksdb::ColumnFamilyHandle* cf, const rocksdb::Snapshot* snapshot)
      : db_(db), cf_(cf), snapshot_(snapshot) {}

  // Sets *value to the value of `key` (valid until the next Find) and
  // returns true, or returns false when there is no such key.
  Result<bool> Find(std::string_view key, std::string_view* value) {
    std::string_view found;
    Result<bool> any = Locate(key, &found, value);
    if (!any.ok() || !*any) return any;
    return found == key;
  }

  // Sets *key and *value to the first entry at or after `target` (valid
  // until the next call) and returns true, or returns false at the end.
  Result<bool> Locate(std::string_view key, std::string_view* found,
                      std::string_view* value) {
    if (it_ == nullptr) {
      rocksdb::ReadOptions ro;
      ro.snapshot = snapshot_;
      it_.reset(db_->rocks()->NewIterator(ro, cf_));
    }
    const rocksdb::Slice target(key.data(), key.size());
    // The iterator rests at the first key >= the last target; for a target
    // at or after that one it is already in place or a few Nexts short.
    bool seek = !positioned_ || rocksdb::Slice(last_).compare(target) > 0;
    if (!seek) {
      int step = 0;
      while (it_->Valid() && it_->key().compare(target) < 0 && step++ < kMaxSteps) {
        it_->Next();
      }
      seek = it_->Valid() && it_->key().compare(target) < 0;
    }
    if (seek) it_->Seek(target);
    positioned_ = true;
    last_.assign(key.data(), key.size());
    if (!it_->Valid()) {
      if (!it_->status().ok()) {
        positioned_ = false;
        return FromRocks(it_->status(), "reading");
      }
      return false;
    }
    *found = std::string_view(it_->key().data(), it_->key().size());
    *value = std::string_view(it_->value().data(), it_->value().size());
    return true;
  }

 private:
  static constexpr int kMaxSteps = 8;
  DBImpl* const db_;
  rocksdb::ColumnFamilyHandle* const cf_;
  const rocksdb::Snapshot* const snapshot_;
  std::unique_ptr<rocksdb::Iterator> it_;
  bool positioned_ = false;
  std::string last_;  // the last target
};

// Thread safety: one thread at a time (reader.h), so its members need no
// lock. It shares with the DB only the snapshot (RocksDB reads are
// thread-safe) and FindSeries, which takes mu_; the catalog and series ids
// are its own copies, taken under mu_ by AcquireView.
class ReaderImpl final : public Reader {
 public:
  ReaderImpl(DBImpl* db, DBImpl::ReadView view)
      : db_(db),
        view_(std::move(view)),
        chunks_(db, db->chunks_cf(), view_.snapshot),
        rollups_{Cursor(db, db->rollup_cf(0), view_.snapshot),
                 Cursor(db, db->rollup_cf(1), view_.snapshot)} {
    for (const auto& [start, info] : view_.catalog) {
      if (info.has_raw()) raw_horizon_ = std::min(raw_horizon_, start);
    }
  }
  ~ReaderImpl() override { db_->ReleaseView(view_); }

  Result<std::vector<SeriesRef>> Select(std::span<const LabelMatcher> matchers) override {
    auto ids = SelectSeries(db_->rocks(), db_->index_cf(), view_.snapshot,
                            std::vector<LabelMatcher>(matchers.begin(), matchers.end()),
                            *view_.series_ids);
    if (!ids.ok()) return ids.status();
    std::vector<SeriesRef> out;
    out.reserve(ids->size());
    for (uint64_t id : *ids) {
      auto entry = db_->FindSeries(id);
      if (entry == nullptr)
        return Status::Corruption("series " + SeriesIdHex(id) + " vanished");
      out.push_back(SeriesRef{id, entry->labels});
    }
    return out;
  }

  Status ReadColumns(uint64_t series, int64_t from, int64_t to, FieldMask fields,
                     Columns* out) override {
    for (const auto& [start, info] : Overlapping(from, to)) {
      if (!info.has_raw()) continue;
      // Decoded straight into *out when it is empty (the common case).
      const bool direct = out->size() == 0;
      Columns* part = direct ? out : &part_;
      if (!direct) part_.Clear();
      SREDB_RETURN_IF_ERROR(ReadChunkColumns(start, series, from, to, fields, part));
      const std::vector<Event>* head;
      SREDB_RETURN_IF_ERROR(HeadOf(start, info, series, &head));
      if (head != nullptr) MergeHead(*head, from, to, fields, part);
      if (!direct) out->AppendColumns(std::move(part_), fields);
    }
    return Status::OK();
  }

  Status ReadRows(uint64_t series, int64_t from, int64_t to, FieldMask fields,
                  Columns* scratch, RowsView* out) override {
    const PartitionRange range = Overlapping(from, to);
    if (range.first != range.last && std::next(range.first) == range.last &&
        range.first->second.has_raw()) {
      const auto& [start, info] = *range.first;
      const std::vector<Event>* head;
      SREDB_RETURN_IF_ERROR(HeadOf(start, info, series, &head));
      if (head == nullptr) {
        // One partition, no head events: a pack member's rows are read in
        // place, an own chunk's decoded into *scratch.
        scratch->Clear();
        int m;
        SREDB_RETURN_IF_ERROR(ReadSealed(start, series, from, to, fields, scratch, &m));
        if (m < 0) {
          *out = RowsView{scratch, 0, scratch->size()};
          return Status::OK();
        }
        const std::vector<int64_t>& t = pack_.rows.time;
        const auto first = t.begin() + pack_.offsets[m];
        const auto last = t.begin() + pack_.offsets[m + 1];
        const auto lo = std::lower_bound(first, last, from);
        *out = RowsView{&pack_.rows, static_cast<size_t>(lo - t.begin()),
                        static_cast<size_t>(std::lower_bound(lo, last, to) - t.begin())};
        return Status::OK();
      }
    }
    scratch->Clear();
    SREDB_RETURN_IF_ERROR(ReadColumns(series, from, to, fields, scratch));
    *out = RowsView{scratch, 0, scratch->size()};
    return Status::OK();
  }

  Status ReadBuckets(uint64_t series, Resolution resolution, int64_t from, int64_t to,
                     FieldMask fields, std::vector<Bucket>* out) override {
    const int tier = static_cast<int>(resolution);
    const int64_t res = kRollupResolutions[tier];
    from = std::max<int64_t>(from, 0);  // no event lies before the epoch
    if (BucketStart(from, res) != from ||
        (to != std::numeric_limits<int64_t>::max() && BucketStart(to, res) != to)) {
      return Status::InvalidArgument("bucket reads need a range aligned to " +
                                     std::string(tier == 0 ? "1m" : "1h"));
    }
    const size_t old_size = out->size();
    std::string_view value;
    std::vector<TimedBucket> buckets;
    for (const auto& [start, info] : Overlapping(from, to)) {
      buckets.clear();
      Status s = GetRollup(tier, start, series, &value);
      if (s.ok()) {
        ++counters_.rollup_records;
        s = DecodeRollupRecord(value, res, start, from, to, &buckets,
                               (fields & FieldBit(Field::kLatency)) != 0);
        if (!s.ok()) return Named(s, tier, start, series);
        counters_.rollup_buckets += buckets.size();
      } else if (!s.IsNotFound()) {
        return s;
      } else if (info.has_raw()) {
        Columns events;
        SREDB_RETURN_IF_ERROR(
            ReadChunkColumns(start, series, from, to, kRollupFields, &events));
        BuildBuckets(events, res, &buckets);
      } else if (tier == 0) {
        // Raw events are gone: the minute tier is missing, not empty, when
        // the hour tier (built before raw was dropped) holds the series.
        Status h = GetRollup(1, start, series, &value);
        if (h.ok()) {
          return Status::NotFound(
              "the 1-minute rollups of partition " + std::to_string(start) +
              " were not kept (its raw events are dropped): ask for 1h");
        }
        if (!h.IsNotFound()) return h;
      }
      if (info.has_raw()) {
        const std::vector<Event>* head;
        SREDB_RETURN_IF_ERROR(HeadOf(start, info, series, &head));
        if (head != nullptr) AddHead(*head, res, from, to, &buckets);
      }
      for (TimedBucket& b : buckets) {
        if (out->size() > old_size && out->back().start == b.start) {
          out->back().agg.Merge(b.bucket);  // a bucket straddling two partitions
        } else {
          out->push_back(Bucket{b.start, std::move(b.bucket)});
        }
      }
    }
    return Status::OK();
  }

  bool HasRollups(uint64_t series, Resolution resolution, int64_t time) override {
    if (time < 0) return false;
    const int tier = static_cast<int>(resolution);
    const int64_t start = PartitionStart(time, db_->partition_ns());
    RollupIds& known = rollup_ids_[tier][start];
    if (!known.loaded && ++known.probes > kProbesBeforeLoad) LoadRollupIds(tier, start);
    if (known.loaded) {
      return std::binary_search(known.ids.begin(), known.ids.end(), series);
    }
    std::string_view value;
    return GetRollup(tier, start, series, &value).ok();
  }

  Status ReadAnnotations(int64_t from, int64_t to, std::span<const LabelMatcher> matchers,
                         std::vector<Annotation>* out) override {
    return db_->ReadAnnotations(view_.snapshot, from, to, matchers, out);
  }

  std::vector<int64_t> Partitions(int64_t from, int64_t to) const override {
    std::vector<int64_t> out;
    for (const auto& [start, info] : Overlapping(from, to)) out.push_back(start);
    return out;
  }

  int64_t raw_horizon() const override { return raw_horizon_; }
  int64_t partition_ns() const override { return db_->partition_ns(); }
  const ReadCounters& counters() const override { return counters_; }

 private:
  // The catalog's partitions that overlap [from, to), as a view (no copy).
  struct PartitionRange {
    std::map<int64_t, PartitionInfo>::const_iterator first, last;
    std::map<int64_t, PartitionInfo>::const_iterator begin() const { return first; }
    std::map<int64_t, PartitionInfo>::const_iterator end() const { return last; }
  };
  PartitionRange Overlapping(int64_t from, int64_t to) const {
    const auto end = view_.catalog.end();
    if (from >= to) return {end, end};
    const int64_t pn = db_->partition_ns();
    // Event times are >= 0, which also keeps PartitionStart from overflowing.
    auto first = from <= 0 ? view_.catalog.begin()
                           : view_.catalog.lower_bound(PartitionStart(from, pn));
    auto last = first;
    while (last != end && last->first < to) ++last;
    return {first, last};
  }

  // The rollup record of (start, series) at `tier` (valid until the next
  // GetRollup of that tier), or NotFound with an empty message.
  Status GetRollup(int tier, int64_t start, uint64_t series, std::string_view* value) {
    if (db_->rollup_cf(tier) == nullptr) return Status::NotFound("");
    Result<bool> found = rollups_[tier].Find(ChunkKey(start, series), value);
    if (!found.ok()) return found.status();
    return *found ? Status::OK() : Status::NotFound("");
  }

  // Reads the ids of the series with rollups at `tier` in partition `start`
  // into rollup_ids_ (left unloaded, so that lookups go on one by one, if
  // the read fails: they then meet the error where it can be reported).
  void LoadRollupIds(int tier, int64_t start) {
    RollupIds& known = rollup_ids_[tier][start];
    if (db_->rollup_cf(tier) == nullptr) {
      known.loaded = true;
      return;
    }
    rocksdb::ReadOptions ro;
    ro.snapshot = view_.snapshot;
    const std::string first = ChunkKey(start, 0);
    std::unique_ptr<rocksdb::Iterator> it(
        db_->rocks()->NewIterator(ro, db_->rollup_cf(tier)));
    std::vector<uint64_t> ids;
    for (it->Seek(first); it->Valid(); it->Next()) {
      const rocksdb::Slice key = it->key();
      if (key.size() < 8 || std::memcmp(key.data(), first.data(), 8) != 0) break;
      if (key.size() == kChunkKeySize) ids.push_back(DecodeBigEndian64(key.data() + 8));
    }
    if (!it->status().ok()) return;
    known.ids = std::move(ids);  // ascending: the keys are
    known.loaded = true;
  }

  static Status Named(const Status& s, int tier, int64_t start, uint64_t series) {
    return s.WithMessage(
        ObjectName(std::string(kRollupCfs[tier]) + " record", start, series) + ": " +
        s.message());
  }

  Status ChunkError(const Status& s, std::string_view kind, int64_t start, uint64_t id) {
    return Status::Corruption(ObjectName(kind, start, id) + ": " + s.message());
  }

  // Appends the sealed events of (start, series) in [from, to): from its own
  // chunk, or from the pack that holds it (decoded once for all its members).
  Status ReadChunkColumns(int64_t start, uint64_t series, int64_t from, int64_t to,
                          FieldMask fields, Columns* out) {
    int member;
    SREDB_RETURN_IF_ERROR(ReadSealed(start, series, from, to, fields, out, &member));
    if (member >= 0) AppendPackRows(pack_, member, fields, from, to, out);
    return Status::OK();
  }

  // The sealed events of (start, series) in [from, to): those of its own
  // chunk appended to *out (*member = -1), or *member set to its index in
  // pack_, which is then decoded with at least `fields` (or -1, with nothing
  // appended, when it has none).
  Status ReadSealed(int64_t start, uint64_t series, int64_t from, int64_t to,
                    FieldMask fields, Columns* out, int* member) {
    *member = -1;
    const size_t before = out->size();
    // A pack spans its members' ids with no chunk of another series inside.
    if (!(pack_start_ == start && !pack_.ids.empty() && pack_.ids.front() <= series &&
          series <= pack_.ids.back() && (pack_.fields & fields) == fields)) {
      const std::string target = ChunkKey(start, series);
      std::string_view key, value;
      Result<bool> found = chunks_.Locate(target, &key, &value);
      if (!found.ok()) return found.status();
      if (!*found) return Status::OK();
      if (key == target) {
        ++counters_.chunks;
        Status s = DecodeChunkColumns(value, start, fields, from, to, out);
        if (!s.ok()) return ChunkError(s, "chunk", start, series);
        counters_.chunk_events += out->size() - before;
        return Status::OK();
      }
      if (key.size() != kPackKeySize || key.substr(0, 8) != target.substr(0, 8)) {
        return Status::OK();  // no pack of this partition lies at or after it
      }
      const uint64_t last = DecodeBigEndian64(key.data() + 8);
      // Keep the columns decoded for earlier reads of the same pack.
      FieldMask decode = fields;
      if (pack_start_ == start && !pack_.ids.empty() && pack_.ids.back() == last) {
        decode |= pack_.fields;
      }
      ++counters_.chunks;
      pack_start_ = start;
      Status s = DecodePack(value, start, decode, &pack_);
      if (!s.ok()) {
        pack_.ids.clear();
        return ChunkError(s, "pack", start, last);
      }
      counters_.chunk_events += pack_.rows.size();
    }
    *member = pack_.Find(series);
    return Status::OK();
  }

  // The head events of (partition, series) in arrival order, or null. A
  // partition's head is decoded once per Reader, on first use.
  Status HeadOf(int64_t start, const PartitionInfo& info, uint64_t series,
                const std::vector<Event>** out) {
    *out = nullptr;
    if (info.head_events == 0) return Status::OK();
    const auto emplaced = head_.try_emplace(start);
    const auto it =
        emplaced.first;  // a plain name: lambdas cannot capture bindings in C++20
    if (emplaced.second) {
      auto& by_series = it->second;
      uint64_t last_seq;
      Status s = db_->ForEachHeadEvent(
          view_.snapshot, start,
          [&by_series](uint64_t id, Event&& e) { by_series[id].push_back(std::move(e)); },
          &last_seq);
      if (!s.ok()) {
        head_.erase(it);
        return s;
      }
    }
    auto found = it->second.find(series);
    if (found != it->second.end()) *out = &found->second;
    return Status::OK();
  }

  // Merges the head events in [from, to) into `part` (chunk events, time
  // ordered), after chunk events of equal time: they arrived later.
  void MergeHead(const std::vector<Event>& head, int64_t from, int64_t to,
                 FieldMask fields, Columns* part) {
    std::vector<const Event*> kept;
    for (const Event& e : head) {
      if (e.time >= from && e.time < to) kept.push_back(&e);
    }
    if (kept.empty()) return;
    counters_.head_events += kept.size();
    std::stable_sort(kept.begin(), kept.end(),
                     [](const Event* a, const Event* b) { return a->time < b->time; });
    if (part->size() == 0 || kept.front()->time >= part->time.back()) {
      for (const Event* e : kept) part->Append(*e, fields);
      return;
    }
    // Rare (late events inside the sealed range): rebuild through events.
    Columns merged;
    size_t i = 0, j = 0;
    std::vector<Event> from_chunk(part->size());
    for (size_t k = 0; k < part->size(); ++k) part->GetRow(k, &from_chunk[k]);
    while (i < from_chunk.size() || j < kept.size()) {
      if (j == kept.size() ||
          (i < from_chunk.size() && from_chunk[i].time <= kept[j]->time)) {
        merged.Append(from_chunk[i++], fields);
      } else {
        merged.Append(*kept[j++], fields);
      }
    }
    *part = std::move(merged);
  }

  // Adds the head events in [from, to) to `buckets` (ascending by start).
  void AddHead(const std::vector<Event>& head, int64_t res, int64_t from, int64_t to,
               std::vector<TimedBucket>* buckets) {
    std::map<int64_t, rollup::RollupBucket> extra;
    for (const Event& e : head) {
      if (e.time < from || e.time >= to) continue;
      ++counters_.head_events;
      extra[BucketStart(e.time, res)].AddEvent(e);
    }
    if (extra.empty()) return;
    std::vector<TimedBucket> merged;
    size_t i = 0;
    auto x = extra.begin();
    while (i < buckets->size() || x != extra.end()) {
      if (x == extra.end() || (i < buckets->size() && (*buckets)[i].start < x->first)) {
        merged.push_back(std::move((*buckets)[i++]));
      } else if (i < buckets->size() && (*buckets)[i].start == x->first) {
        (*buckets)[i].bucket.Merge(x->second);
        merged.push_back(std::move((*buckets)[i++]));
        ++x;
      } else {
        merged.push_back({x->first, std::move(x->second)});
        ++x;
      }
    }
    *buckets = std::move(merged);
  }

  DBImpl* const db_;
  const DBImpl::ReadView view_;
  Cursor chunks_;
  Cursor rollups_[2];       // by tier: 1 min, 1 h
  Columns part_;            // a partition's rows before they join a non-empty output
  int64_t pack_start_ = 0;  // the partition of pack_
  DecodedPack pack_;        // the pack last read (ids empty: none)
  // Which series have rollups, per tier and partition: looked up one by one
  // through the cursor at first; a partition asked about more often than
  // kProbesBeforeLoad times has its ids read once (a query over many series).
  struct RollupIds {
    uint32_t probes = 0;
    bool loaded = false;
    std::vector<uint64_t> ids;  // ascending
  };
  static constexpr uint32_t kProbesBeforeLoad = 32;
  std::unordered_map<int64_t, RollupIds> rollup_ids_[2];
  int64_t raw_horizon_ = INT64_MAX;
  std::unordered_map<int64_t, std::unordered_map<uint64_t, std::vector<Event>>> head_;
  ReadCounters counters_;
};

}  // namespace

Result<std::unique_ptr<Reader>> DBImpl::NewReader() {
  if (db_ == nullptr) return Status::IOError("database is closed");
  return std::unique_ptr<Reader>(new ReaderImpl(this, AcquireView()));
}

}  // namespace sredb::internal
