// The series index: series id -> label set, and label=value postings.
// Persisted in the index column family (storage/FORMAT.md, "index CF");
// the id -> labels map is also held in memory for collision checks and
// label lookup.
//
// Thread safety: SeriesIndex is not synchronised; DBImpl guards it with its
// mutex (see db_impl.h). SelectSeries reads RocksDB at a snapshot and touches
// no shared state.
#ifndef SREDB_STORAGE_INTERNAL_SERIES_INDEX_H_
#define SREDB_STORAGE_INTERNAL_SERIES_INDEX_H_

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/event.h"
#include "storage/scan.h"
#include "storage/status.h"

namespace sredb::internal {

struct SeriesEntry {
  Labels labels;
  std::string canonical;  // Labels::Canonical(), the bytes the id hashes
};

class SeriesIndex {
 public:
  // Reads every series record of `cf`. Corruption names the damaged record.
  Status Load(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf);

  // nullptr when `id` is unknown. Entries are immutable and never removed.
  std::shared_ptr<const SeriesEntry> Find(uint64_t id) const;
  void Insert(uint64_t id, std::shared_ptr<const SeriesEntry> entry);
  size_t size() const { return by_id_.size(); }
  // Every id, ascending; shared until the next Insert (built once, not for
  // every reader).
  std::shared_ptr<const std::vector<uint64_t>> SortedIds() const;

  // Adds the series record and one posting per label to `batch`.
  static void PutSeries(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf,
                        uint64_t id, const SeriesEntry& entry);

 private:
  std::unordered_map<uint64_t, std::shared_ptr<const SeriesEntry>> by_id_;
  mutable std::shared_ptr<const std::vector<uint64_t>> sorted_;  // null: stale
};

// Parses a canonical label encoding back into Labels (validated).
Result<Labels> DecodeCanonicalLabels(std::string_view canonical);

// The ids (ascending) of the series satisfying every matcher, read through
// the postings at `snapshot`. `all_ids` (ascending) is the universe used by
// no matchers and by != and regex matchers, which also match series lacking
// the label (their value is empty). InvalidArgument for a bad regex.
Result<std::vector<uint64_t>> SelectSeries(rocksdb::DB* db,
                                           rocksdb::ColumnFamilyHandle* cf,
                                           const rocksdb::Snapshot* snapshot,
                                           const std::vector<LabelMatcher>& matchers,
                                           const std::vector<uint64_t>& all_ids);

}  // namespace sredb::internal

#endif  // SREDB_STORAGE_INTERNAL_SERIES_INDEX_H_
