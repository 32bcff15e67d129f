// The crash test's shared ground: the database options, the batches the
// writer appends (a pure function of the seed and the batch id, so that the
// parent knows every event a batch holds without being told), and the
// records the writer sends the parent through a pipe.
//
// Thread safety: plain functions and values.
#ifndef SREDB_TESTS_STORAGE_CRASH_UTIL_H_
#define SREDB_TESTS_STORAGE_CRASH_UTIL_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "storage/event.h"
#include "storage/options.h"
#include "test_util.h"

namespace sredb::crash {

inline constexpr int64_t kMinute = 60 * kNanosPerSecond;
inline constexpr int64_t kHour = 60 * kMinute;

// Batch `id`'s clock: its events lie at most kLateness before it. A
// partition is sealed about every six batches, so late events land in
// sealed partitions all the time.
inline constexpr int64_t kBase = testing::kT0 + kNanosPerDay;
inline constexpr int64_t kStep = 10 * kMinute;
inline constexpr int64_t kLateness = 3 * kHour;
// Longer than kLateness plus a partition: no batch is ever refused as
// expired, and the batch in flight at a kill is never dropped by retention.
inline constexpr int64_t kRawRetention = 8 * kHour;
inline constexpr int kSeries = 5;

// The options of every writer; the caller sets retention.
inline Options WriterOptions() {
  Options o;
  o.create_if_missing = true;
  o.partition_ns = kHour;
  o.seal_grace_ns = 5 * kMinute;
  o.rollup_min_bucket_events = 4;  // a0's minutes and most hours pay
  o.block_cache_bytes = 1u << 20;
  return o;
}

inline Labels SeriesLabels(uint32_t s) {
  return testing::AgentLabels("a" + std::to_string(s),
                              s % 2 ? "m" + std::to_string(s) : "");
}

// One event of a batch: tokens_in is the batch id, tokens_out its index in
// the batch, so that every stored event names its origin.
struct BatchEvent {
  uint32_t series = 0;
  Event event;
};

// Batch `id` under `seed`: 1..60 events over the kSeries series; a0's
// within 2 minutes of the clock (dense: minute rollups), the others within
// 20 minutes, a quarter of them up to kLateness late.
inline std::vector<BatchEvent> MakeBatch(uint64_t seed, uint32_t id) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + id);
  const int64_t clock = kBase + int64_t{id} * kStep;
  const size_t n = 1 + rng() % 60;
  std::vector<BatchEvent> out(n);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t s = static_cast<uint32_t>(rng() % kSeries);
    const int64_t window = s == 0           ? 2 * kMinute
                           : rng() % 4 == 0 ? kLateness
                                            : 20 * kMinute;
    out[i].series = s;
    out[i].event = testing::RandomEvent(rng, clock - int64_t(rng() % uint64_t(window)));
    out[i].event.tokens_in = id;
    out[i].event.tokens_out = static_cast<uint32_t>(i);
  }
  return out;
}

inline EventBatch ToEventBatch(const std::vector<BatchEvent>& events) {
  EventBatch batch;
  for (const BatchEvent& e : events)
    batch.Add(batch.AddSeries(SeriesLabels(e.series)), e.event);
  return batch;
}

// What the writer tells the parent, one 8-byte write each (atomic on a pipe).
enum class Note : uint32_t { kOpening = 1, kOpened, kAbout, kAcked, kFlushing, kFlushed };
struct Record {
  Note note;
  uint32_t id;  // the batch id for kAbout and kAcked
};
static_assert(sizeof(Record) == 8);

// The writer's end of the pipe, set up by the parent before exec.
inline constexpr int kNoteFd = 3;

}  // namespace sredb::crash

#endif  // SREDB_TESTS_STORAGE_CRASH_UTIL_H_
