// Ingest: reads CSV, JSON lines or packed Cap'n Proto from a file
// descriptor and appends the events to a DB in batches, with the bad-record
// semantics of `sredb ingest` (CLI.md "ingest"):
//
// - OnError::kAbort stops at the first bad record: every record before it
//   is stored, none at or after it; IngestSummary::stopped_at names it.
// - OnError::kSkip stores every good record and counts every bad one,
//   writing it to IngestOptions::rejects when set.
// - Nothing is dropped silently: ingested + rejected is every record read
//   (in abort mode, up to and including the one that stopped ingestion).
//
// A bad record is one the reader refuses (see csv_reader.h, jsonl_reader.h,
// capnp_reader.h), one whose labels Labels::Make refuses, or one DB::Append
// refuses (a series-id collision, say): a refused batch is re-appended one
// event at a time so that each refused event is reported with its own
// position and reason.
//
//   sredb::ingest::IngestOptions options;
//   options.format = sredb::ingest::Format::kJsonl;
//   auto summary = sredb::ingest::Ingest(db.get(), fd, options);
//
// Ingest reads and decodes on a thread of its own while the calling thread
// appends the previous batch (parsed_batch.h), so that parsing and writing
// overlap; at most three batches are in memory. Rejects are written, and
// the summary kept, by the calling thread, in input order.
//
// Thread safety: Ingest may run concurrently with other users of the DB;
// the fd and the rejects FILE must not be used by others meanwhile. When
// appending stops early (a DB failure, a DB::Append refusal in abort
// mode), Ingest
// returns once the reading thread's read(2) in progress has returned.
#ifndef SREDB_INGEST_INGESTER_H_
#define SREDB_INGEST_INGESTER_H_

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/field_parse.h"  // TimeUnit
#include "storage/options.h"
#include "storage/status.h"

namespace sredb {
class DB;
}  // namespace sredb

namespace sredb::ingest {

enum class Format { kCsv, kJsonl, kCapnp };
enum class OnError { kAbort, kSkip };

// "csv", "jsonl" (or "ndjson"), "capnp".
Result<Format> FormatFromName(std::string_view name);
// From the extension, case-insensitively: .csv, .jsonl or .ndjson, .capnp.
Result<Format> FormatFromPath(std::string_view path);
// "abort", "skip".
Result<OnError> OnErrorFromName(std::string_view name);
// "ns", "us", "ms", "s".
Result<TimeUnit> TimeUnitFromName(std::string_view name);

struct IngestOptions {
  Format format = Format::kCsv;
  OnError on_error = OnError::kAbort;
  // The unit of integer `time` values (RFC 3339 text needs none).
  TimeUnit time_unit = TimeUnit::kNs;
  // Events per DB::Append, clamped to [1, kMaxBatchEvents]. Default 32768:
  // larger batches amortise the write and the per-series work of a batch
  // (each series' labels are added to, and its id computed for, every batch
  // it appears in), smaller ones hold less memory: three batches are in
  // flight, at about 250 bytes an event (~25 MB at the default).
  size_t batch_events = 32768;
  WriteOptions write;
  // When set, one line per bad record: its original text (for capnp, its
  // position; a quoted CSV record that spans lines keeps its newlines), a
  // tab, the reason (tabs and newlines in the reason become spaces). In abort mode that
  // is the one record that stopped ingestion. Records refused by DB::Append come when
  // their batch is written, after the reader's rejects of the same batch. Not owned; not
  // closed.
  std::FILE* rejects = nullptr;
};

struct BadRecord {
  std::string where;  // "line 500002", "message 3 event 17", "message 3"
  std::string reason;
};

struct IngestSummary {
  uint64_t ingested = 0;  // events stored
  uint64_t rejected = 0;  // bad records
  // Abort mode: the record that stopped ingestion, if one did.
  std::optional<BadRecord> stopped_at;
};

// Reads `fd` to its end (or to the stop in abort mode) and appends its
// events to `db`. An error Status only for an I/O error (reading `fd`,
// writing rejects), a whole-input error (a CSV header naming a column
// twice) or a DB failure other than refusing records; then nothing after
// the last acknowledged batch was stored, and the message says how many
// events were stored before. REQUIRES: `db` is open for writing.
Result<IngestSummary> Ingest(DB* db, int fd, const IngestOptions& options);

}  // namespace sredb::ingest

#endif  // SREDB_INGEST_INGESTER_H_
