#include "ingest/ingester.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ingest/capnp_reader.h"
#include "ingest/csv_reader.h"
#include "ingest/jsonl_reader.h"
#include "ingest/parsed_batch.h"
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

// The reading side of an Ingest call: decodes records, resolves their
// series and fills batches, on its own thread. Owns the series cache.
class BatchFiller {
 public:
  BatchFiller(RecordReader* reader, const IngestOptions& options, BatchQueue* queue)
      : reader_(reader),
        queue_(queue),
        abort_(options.on_error == OnError::kAbort),
        batch_limit_(std::clamp<size_t>(options.batch_events, 1, kMaxBatchEvents)) {}

  // Fills and pushes batches until the last one, or until the queue is
  // cancelled.
  void Run();

 private:
  // Fills *b up to the batch limit; true when it is the input's last.
  bool Fill(ParsedBatch* b);

  RecordReader* const reader_;
  BatchQueue* const queue_;
  const bool abort_;
  const size_t batch_limit_;
  SeriesCache cache_;
  Record record_;
};

void BatchFiller::Run() {
  for (ParsedBatch* b = queue_->TakeEmpty(); b != nullptr; b = queue_->TakeEmpty()) {
    // Once pushed, *b belongs to the appending thread, which may already be
    // clearing it: `last` is read from a copy, never from *b after Push.
    const bool last = Fill(b);
    b->last = last;
    queue_->Push(b);
    if (last) return;
    cache_.NewBatch();
  }
}

bool BatchFiller::Fill(ParsedBatch* b) {
  Record& r = record_;
  while (b->batch.size() < batch_limit_) {
    if (queue_->cancelled()) return true;  // nobody will append it
    Result<bool> got = reader_->Next(&r);
    if (!got.ok()) {
      b->error = got.status();
      return true;
    }
    if (!*got) return true;
    if (!r.bad) {
      Result<uint32_t> series = cache_.Resolve(r.labels, &b->batch);
      if (series.ok()) {
        b->AddGood(*series, std::move(r.event), r.pos, r.text);
        continue;
      }
      r.SetBad(series.status().message());
    }
    RefusedRecord refused{r.pos, std::string(r.text), std::move(r.reason)};
    if (abort_) {
      b->stop = std::move(refused);
      return true;
    }
    b->refused.push_back(std::move(refused));
  }
  return false;
}

// The appending side of an Ingest call: appends each batch, re-appending a
// refused one event by event, and accounts for every record: counters,
// rejects and the stop.
class BatchAppender {
 public:
  BatchAppender(DB* db, const IngestOptions& options) : db_(db), options_(options) {}

  // Accounts for the records of *b: its refusals, then its events, then
  // its stop or read error. An error for a DB failure, a rejects write
  // error or a read error.
  Status Take(const ParsedBatch& b);
  // `s` (an I/O error, say) with the number of events stored so far.
  Status Failure(const Status& s) const {
    return s.WithMessage(s.message() + " (" + std::to_string(summary_.ingested) +
                         " events were stored before it, nothing after them)");
  }
  bool stopped() const { return summary_.stopped_at.has_value(); }
  const IngestSummary& summary() const { return summary_; }

 private:
  Status CountBad(const Position& pos, std::string_view text, std::string_view reason);
  Status Append(const ParsedBatch& b);
  Status AppendOneByOne(const ParsedBatch& b);

  DB* const db_;
  const IngestOptions& options_;
  IngestSummary summary_;
  EventBatch single_;  // AppendOneByOne's batch of one
};

Status BatchAppender::Take(const ParsedBatch& b) {
  for (const RefusedRecord& r : b.refused) {
    SREDB_RETURN_IF_ERROR(CountBad(r.pos, r.text, r.reason));
  }
  SREDB_RETURN_IF_ERROR(Append(b));    // every record before the stop
  if (stopped()) return Status::OK();  // at an earlier record of the batch
  if (b.stop) return CountBad(b.stop->pos, b.stop->text, b.stop->reason);
  if (!b.error.ok()) return Failure(b.error);
  return Status::OK();
}

Status BatchAppender::CountBad(const Position& pos, std::string_view text,
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

Status BatchAppender::Append(const ParsedBatch& b) {
  if (b.batch.empty()) return Status::OK();
  Status s = db_->Append(options_.write, b.batch);
  if (s.ok()) {
    summary_.ingested += b.batch.size();
    return s;
  }
  if (IsRecordError(s)) return AppendOneByOne(b);
  return Failure(s);
}

// After DB::Append refused the batch: appends its events one by one, so
// that each refused one is counted bad with its own position.
Status BatchAppender::AppendOneByOne(const ParsedBatch& b) {
  const EventBatch& batch = b.batch;
  for (size_t i = 0; i < batch.size(); ++i) {
    single_.Clear();
    single_.Add(single_.AddSeries(batch.series(batch.series_of(i))), batch.event(i));
    Status s = db_->Append(options_.write, single_);
    if (s.ok()) {
      ++summary_.ingested;
      continue;
    }
    if (!IsRecordError(s)) return Failure(s);
    // The batch is this one event: its refusal is the event's.
    std::string_view reason = s.message();
    constexpr std::string_view kWholeBatch = "; the batch is refused";
    if (reason.ends_with(kWholeBatch)) reason.remove_suffix(kWholeBatch.size());
    SREDB_RETURN_IF_ERROR(CountBad(b.positions[i], b.Text(i), reason));
    if (stopped()) return Status::OK();
  }
  return Status::OK();
}

// Batches in flight: one being filled, one waiting, one being appended.
constexpr size_t kBatchesInFlight = 3;

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
  BatchQueue queue(kBatchesInFlight);
  BatchFiller filler(reader.get(), options, &queue);
  std::thread reading([&filler] { filler.Run(); });
  BatchAppender appender(db, options);
  Status s;
  for (bool last = false; !last && s.ok() && !appender.stopped();) {
    ParsedBatch* b = queue.Pop();
    s = appender.Take(*b);
    last = b->last;
    queue.Recycle(b);
  }
  queue.Cancel();
  reading.join();
  if (!s.ok()) return s;
  return appender.summary();
}

}  // namespace sredb::ingest
