// sredb::DB: an embedded, durable store of agent-task events.
//
//   auto db = sredb::DB::Open(options, "/var/lib/agents.sredb");
//   if (!db.ok()) ...;
//   sredb::Status s = (*db)->Append(sredb::WriteOptions(), batch);
//
// Thread safety: a DB may be shared by many threads; Append, Annotate, Scan
// and GetStats may be called concurrently. Close (or the destructor) must not
// race with other calls.
#ifndef SREDB_STORAGE_DB_H_
#define SREDB_STORAGE_DB_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "storage/annotation.h"
#include "storage/event.h"
#include "storage/options.h"
#include "storage/reader.h"
#include "storage/scan.h"
#include "storage/status.h"

namespace sredb {

// One storage tier: raw events (head and chunks) or the rollups of one
// resolution.
struct TierStats {
  uint64_t partitions = 0;   // partitions that hold this tier
  uint64_t bytes = 0;        // live data, RocksDB's estimate (memtables included)
  int64_t retention_ns = 0;  // the horizon; 0: kept for ever
  int64_t oldest = 0;  // start of its oldest partition; meaningful if partitions > 0
};

struct DbStats {
  uint64_t events = 0;  // held raw (in head or chunks)
  uint64_t series = 0;
  uint64_t partitions = 0;
  int64_t first_time = 0;      // meaningful only when events > 0
  int64_t last_time = 0;       // idem
  uint64_t bytes_on_disk = 0;  // every file in the DB directory
  uint64_t head_events = 0;    // events not yet sealed
  uint64_t head_bytes = 0;     // live head records (RocksDB's estimate)
  uint64_t chunk_bytes = 0;    // sealed chunks (RocksDB's estimate)
  uint64_t index_bytes = 0;    // series index and postings (estimate)
  int64_t partition_ns = 0;
  TierStats raw;        // bytes = head_bytes + chunk_bytes
  TierStats rollup_1m;  // built where buckets pay (Options::rollup_min_bucket_events)
  TierStats rollup_1h;
  std::string seal_error;         // the last background sealing failure, if any
  uint64_t annotations = 0;       // every annotation (kept for ever)
  uint64_t annotation_bytes = 0;  // their column family (RocksDB's estimate)
};

// What DB::Check found: every damaged or inconsistent object, each named.
struct CheckReport {
  uint64_t objects_checked = 0;
  std::vector<std::string> problems;  // empty when the database is sound
};

class DB {
 public:
  // Opens (or with create_if_missing creates) the database at `path`.
  // A second writer on the same path, from this process or another, gets
  // Busy naming the holder.
  static Result<std::unique_ptr<DB>> Open(const Options& options,
                                          const std::string& path);

  DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;
  // Closes the database if Close was not called; errors are lost, so call
  // Close to see them.
  virtual ~DB() = default;

  // Stores every event of `batch` or none. OK means durable against a
  // process crash (and, with options.sync, against power loss). Refuses the
  // whole batch, naming the event, when an event is out of range, a label
  // set is invalid, or a series id collides with another label set.
  virtual Status Append(const WriteOptions& options, const EventBatch& batch) = 0;

  // Stores every annotation of `annotations` or none, durable as Append.
  // Refuses the whole batch, naming the annotation (its index, type and
  // time) and the field, when one fails ValidateAnnotation or the batch
  // holds more than kMaxBatchAnnotations. Annotations are kept for ever
  // (retention drops events, not annotations).
  virtual Status Annotate(const WriteOptions& options,
                          std::span<const Annotation> annotations) = 0;

  // Streams the events selected by `options` (see storage/scan.h).
  virtual Result<std::unique_ptr<EventIterator>> Scan(const ScanOptions& options) = 0;

  // A consistent cut for the query layer: series selection, column reads
  // and rollup buckets (see storage/reader.h). REQUIRES: destroyed before
  // its DB is closed.
  virtual Result<std::unique_ptr<Reader>> NewReader() = 0;

  virtual Result<DbStats> GetStats() = 0;

  // Seals now every partition whose end plus the seal grace lies before the
  // later of the wall clock and the newest event time, building its rollups,
  // then applies the retention of each tier (Options::raw_retention_ns).
  virtual Status Flush() = 0;

  // Verifies every checksum, every index entry against its series, and the
  // partition catalog against the head. Damage is reported in the report,
  // not as an error; an error means the check itself could not run.
  virtual Result<CheckReport> Check() = 0;

  // Flushes and releases the database and its lock. Idempotent.
  virtual Status Close() = 0;
};

}  // namespace sredb

#endif  // SREDB_STORAGE_DB_H_
