#include "ingest/ingester.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ingest/capnp_reader.h"
#include "ingest/csv_reader.h"
#include "ingest/jsonl_reader.h"
#include "ingest/record_reader.h"
#include "ingest/series_cache.h"
#include "storage/db.h"

namespace sredb::ingest {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

std::unique_ptr<RecordReader> NewReader(Format format, int fd, TimeUnit unit) {
  switch (format) {
    case Format::kCsv:
      return NewCsvReader(fd, unit);
    case Format::kJsonl:
      return NewJsonlReader(fd, unit);
    case Format::kCapnp:
      return NewCapnpReader(fd);
  }
  return nullptr;
}

// DB::Append refusals that concern records rather than the database.
bool IsRecordError(const Status& s) {
  return s.IsInvalidArgument() || s.IsSeriesCollision();
}

// The state of one Ingest call: the pending batch, with each event's
// position and original text so that a refused batch can be re-appended
// event by event, the series cache, the counters and the stop.
class Ingester {
 public:
  Ingester(DB* db, const IngestOptions& options)
      : db_(db),
        options_(options),
        batch_limit_(std::clamp<size_t>(options.batch_events, 1, kMaxBatchEvents)) {}

  // Takes one record: pends it, or counts it bad. An error only for a DB
  // failure or a rejects write error.
  Status Add(Record* record);
  // Appends the pending events.
  Status Flush();
  // `s` (an I/O error, say) with the number of events stored so far.
  Status Failure(const Status& s) const {
    return s.WithMessage(s.message() + " (" + std::to_string(summary_.ingested) +
                         " events were stored before it, nothing after them)");
  }
  bool stopped() const { return summary_.stopped_at.has_value(); }
  const IngestSummary& summary() const { return summary_; }

 private:
  Status Reject(const Position& pos, std::string_view text, std::string_view reason);
  Status CountBad(const Position& pos, std::string_view text, std::string_view reason);
  Status AppendOneByOne();
  std::string_view PendingText(size_t i) const {
    const size_t begin = i == 0 ? 0 : text_ends_[i - 1];
    return std::string_view(texts_).substr(begin, text_ends_[i] - begin);
  }
  void ClearBatch() {
    batch_.Clear();
    cache_.NewBatch();
    positions_.clear();
    texts_.clear();
    text_ends_.clear();
  }

  DB* const db_;
  const IngestOptions& options_;
  const size_t batch_limit_;
  IngestSummary summary_;
  EventBatch batch_;
  SeriesCache cache_;
  // Parallel to batch_'s events: position, and end of the text in texts_.
  std::vector<Position> positions_;
  std::string texts_;
  std::vector<size_t> text_ends_;
};

Status Ingester::Add(Record* record) {
  if (record->bad) return Reject(record->pos, record->text, record->reason);
  Result<uint32_t> series = cache_.Resolve(record->labels, &batch_);
  if (!series.ok()) return Reject(record->pos, record->text, series.status().message());
  batch_.Add(*series, std::move(record->event));
  positions_.push_back(record->pos);
  texts_.append(record->text);
  text_ends_.push_back(texts_.size());
  return batch_.size() >= batch_limit_ ? Flush() : Status::OK();
}

Status Ingester::Reject(const Position& pos, std::string_view text,
                        std::string_view reason) {
  if (options_.on_error == OnError::kAbort) {
    SREDB_RETURN_IF_ERROR(Flush());      // every record before this one
    if (stopped()) return Status::OK();  // at an earlier record of the batch
  }
  return CountBad(pos, text, reason);
}

Status Ingester::CountBad(const Position& pos, std::string_view text,
                          std::string_view reason) {
  ++summary_.rejected;
  std::string why(reason);
  std::replace_if(
      why.begin(), why.end(), [](char c) { return c == '\t' || c == '\n' || c == '\r'; },
      ' ');
  if (options_.on_error == OnError::kAbort)
    summary_.stopped_at = BadRecord{pos.ToString(), why};
  if (options_.rejects == nullptr) return Status::OK();
  std::string line = text.empty() ? pos.ToString() : std::string(text);
  line.append("\t").append(why).append("\n");
  if (std::fwrite(line.data(), 1, line.size(), options_.rejects) != line.size()) {
    return Failure(
        Status::IOError(std::string("writing rejects: ") + std::strerror(errno)));
  }
  return Status::OK();
}

Status Ingester::Flush() {
  if (batch_.empty()) return Status::OK();
  Status s = db_->Append(options_.write, batch_);
  if (s.ok()) {
    summary_.ingested += batch_.size();
  } else if (IsRecordError(s)) {
    s = AppendOneByOne();
  } else {
    s = Failure(s);
  }
  ClearBatch();
  return s;
}

// After DB::Append refused the pending batch: appends its events one by
// one, so that each refused one is counted bad with its own position.
Status Ingester::AppendOneByOne() {
  EventBatch single;
  for (size_t i = 0; i < batch_.size(); ++i) {
    single.Clear();
    single.Add(single.AddSeries(batch_.series(batch_.series_of(i))), batch_.event(i));
    Status s = db_->Append(options_.write, single);
    if (s.ok()) {
      ++summary_.ingested;
      continue;
    }
    if (!IsRecordError(s)) return Failure(s);
    // The batch is this one event: its refusal is the event's.
    std::string_view reason = s.message();
    constexpr std::string_view kWholeBatch = "; the batch is refused";
    if (reason.ends_with(kWholeBatch)) reason.remove_suffix(kWholeBatch.size());
    SREDB_RETURN_IF_ERROR(CountBad(positions_[i], PendingText(i), reason));
    if (stopped()) return Status::OK();
  }
  return Status::OK();
}

}  // namespace

Result<Format> FormatFromName(std::string_view name) {
  if (name == "csv") return Format::kCsv;
  if (name == "jsonl" || name == "ndjson") return Format::kJsonl;
  if (name == "capnp") return Format::kCapnp;
  return Status::InvalidArgument("unknown format '" + std::string(name) +
                                 "' (expected csv, jsonl or capnp)");
}

Result<Format> FormatFromPath(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  const std::string_view base =
      slash == std::string_view::npos ? path : path.substr(slash + 1);
  const size_t dot = base.find_last_of('.');
  const std::string ext =
      dot == std::string_view::npos ? "" : Lower(base.substr(dot + 1));
  if (ext == "csv") return Format::kCsv;
  if (ext == "jsonl" || ext == "ndjson") return Format::kJsonl;
  if (ext == "capnp") return Format::kCapnp;
  return Status::InvalidArgument(
      "cannot tell the format of '" + std::string(path) +
      "' from its extension (.csv, .jsonl, .ndjson or .capnp)");
}

Result<OnError> OnErrorFromName(std::string_view name) {
  if (name == "abort") return OnError::kAbort;
  if (name == "skip") return OnError::kSkip;
  return Status::InvalidArgument("unknown --on-error '" + std::string(name) +
                                 "' (expected abort or skip)");
}

Result<TimeUnit> TimeUnitFromName(std::string_view name) {
  if (name == "ns") return TimeUnit::kNs;
  if (name == "us") return TimeUnit::kUs;
  if (name == "ms") return TimeUnit::kMs;
  if (name == "s") return TimeUnit::kS;
  return Status::InvalidArgument("unknown time unit '" + std::string(name) +
                                 "' (expected ns, us, ms or s)");
}

Result<IngestSummary> Ingest(DB* db, int fd, const IngestOptions& options) {
  std::unique_ptr<RecordReader> reader = NewReader(options.format, fd, options.time_unit);
  Ingester ingester(db, options);
  Record record;
  for (;;) {
    Result<bool> got = reader->Next(&record);
    if (!got.ok()) {
      SREDB_RETURN_IF_ERROR(ingester.Flush());  // the good records before it
      return ingester.Failure(got.status());
    }
    if (!*got) break;
    SREDB_RETURN_IF_ERROR(ingester.Add(&record));
    if (ingester.stopped()) return ingester.summary();
  }
  SREDB_RETURN_IF_ERROR(ingester.Flush());
  return ingester.summary();
}

}  // namespace sredb::ingest
