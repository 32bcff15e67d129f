// ParsedBatch and BatchQueue: the hand-off between Ingest's reading thread,
// which decodes records and resolves their series, and its appending thread,
// which calls DB::Append and accounts for every record. Reading the next
// batch while the previous one is appended keeps both cores busy.
//
// A ParsedBatch holds, in input order, the reader's refusals met while it
// was filled, then its good events; in abort mode its last record may be the
// refused one that stops ingestion; the last batch of an input says so, and
// carries the read error that ended it, if any.
//
// Thread safety: a ParsedBatch belongs to one thread at a time, passed on
// through the queue. BatchQueue is thread-safe: one producer, one consumer.
#ifndef SREDB_INGEST_PARSED_BATCH_H_
#define SREDB_INGEST_PARSED_BATCH_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/record_reader.h"
#include "storage/event.h"
#include "storage/status.h"

namespace sredb::ingest {

// A record refused before DB::Append: by its reader or by Labels::Make.
struct RefusedRecord {
  Position pos;
  std::string text;  // original text, as Record::text
  std::string reason;
};

struct ParsedBatch {
  // Good events, and parallel to them their positions and the ends of their
  // texts in `texts` (kept so that DB::Append refusals name their records).
  EventBatch batch;
  std::vector<Position> positions;
  std::string texts;
  std::vector<size_t> text_ends;
  // Refused while the batch was filled, in input order, all before its
  // first good event in the accounting (see ingester.h on rejects order).
  std::vector<RefusedRecord> refused;
  // Abort mode: the refused record after the good events that stops
  // ingestion.
  std::optional<RefusedRecord> stop;
  // True for the last batch of the input: at its end, at `stop`, or at a
  // read error (`error`).
  bool last = false;
  Status error;

  void AddGood(uint32_t series, Event event, const Position& pos, std::string_view text) {
    batch.Add(series, std::move(event));
    positions.push_back(pos);
    texts.append(text);
    text_ends.push_back(texts.size());
  }
  std::string_view Text(size_t i) const {
    const size_t begin = i == 0 ? 0 : text_ends[i - 1];
    return std::string_view(texts).substr(begin, text_ends[i] - begin);
  }
  // Empties the batch, keeping its capacity for reuse.
  void Clear() {
    batch.Clear();
    positions.clear();
    texts.clear();
    text_ends.clear();
    refused.clear();
    stop.reset();
    last = false;
    error = Status::OK();
  }
};

// A bounded queue of filled batches and a pool of empty ones: at most
// `depth` batches exist, so memory stays at `depth` batches whatever the
// input's size.
class BatchQueue {
 public:
  explicit BatchQueue(size_t depth) {
    for (size_t i = 0; i < depth; ++i) {
      owned_.push_back(std::make_unique<ParsedBatch>());
      free_.push_back(owned_.back().get());
    }
  }

  // Producer: an empty batch, waiting for one; nullptr once Cancel was
  // called (the consumer stopped: the producer should return).
  ParsedBatch* TakeEmpty() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return cancelled_ || !free_.empty(); });
    if (cancelled_) return nullptr;
    ParsedBatch* b = free_.front();
    free_.pop_front();
    return b;
  }
  // Producer: hands a filled batch on.
  void Push(ParsedBatch* b) {
    std::lock_guard<std::mutex> lock(mu_);
    full_.push_back(b);
    cv_.notify_all();
  }
  // Consumer: the next filled batch, in order, waiting for it.
  ParsedBatch* Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !full_.empty(); });
    ParsedBatch* b = full_.front();
    full_.pop_front();
    return b;
  }
  // Consumer: returns a batch it is done with, cleared, to the pool.
  void Recycle(ParsedBatch* b) {
    b->Clear();
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(b);
    cv_.notify_all();
  }
  // Consumer: no more batches are wanted; TakeEmpty returns nullptr.
  void Cancel() {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    cancelled_flag_.store(true, std::memory_order_relaxed);
    cv_.notify_all();
  }
  // Producer: true once Cancel was called; cheap enough to ask per record.
  bool cancelled() const { return cancelled_flag_.load(std::memory_order_relaxed); }

 private:
  std::vector<std::unique_ptr<ParsedBatch>> owned_;  // fixed after construction
  std::mutex mu_;
  std::condition_variable cv_;               // any change below
  std::deque<ParsedBatch*> free_;            // GUARDED_BY(mu_)
  std::deque<ParsedBatch*> full_;            // GUARDED_BY(mu_)
  bool cancelled_ = false;                   // GUARDED_BY(mu_)
  std::atomic<bool> cancelled_flag_{false};  // cancelled_, readable without mu_
};

}  // namespace sredb::ingest

#endif  // SREDB_INGEST_PARSED_BATCH_H_
