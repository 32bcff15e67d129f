// sredb::Reader: the read interface of the query layer. A Reader is one
// consistent cut of the database (like a RocksDB snapshot): it selects
// series through the label postings, reads one series' events over a time
// range as column vectors (only the columns asked for, skipping chunks by
// time), and reads one series' rollup buckets, head merged in everywhere.
// It also reads the annotations (storage/annotation.h) of a time range.
//
//   auto reader = db->NewReader();
//   auto series = (*reader)->Select({LabelMatcher::Eq("agent", "agent-0042")});
//   for (const SeriesRef& s : *series) {
//     Columns c;
//     (*reader)->ReadColumns(s.id, t0, t1, FieldBit(Field::kSuccess), &c);
//   }
//
// Speed: reads of one partition for ascending series ids (all the series of
// a fleet, partition by partition) walk the chunks and rollups forward, much
// cheaper than the same reads in another order.
//
// Thread safety: a Reader is used by one thread at a time; many Readers may
// run beside writers and the sealer, each seeing its own cut.
#ifndef SREDB_STORAGE_READER_H_
#define SREDB_STORAGE_READER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "storage/annotation.h"
#include "storage/event.h"
#include "storage/rollup/rollup_bucket.h"
#include "storage/scan.h"
#include "storage/status.h"

namespace sredb {

// The event columns a read may ask for (the time is always read).
enum class Field : uint8_t {
  kSuccess = 1,
  kHallucinated,
  kLatency,
  kTtft,
  kCost,
  kTokensIn,
  kTokensOut,
  kPolicyViolations,
  kToolCalls,
  kToolFailures,
  kRating,
  kErrorKind,
  kTraceId,
};
using FieldMask = uint32_t;
constexpr FieldMask FieldBit(Field f) { return FieldMask{1} << static_cast<int>(f); }
inline constexpr FieldMask kAllFields = ((FieldMask{1} << 14) - 1) & ~FieldMask{1};

// Events of one series in time order (equal times in arrival order), one
// vector per column. `time` is always filled; another vector is filled only
// when its field was asked for, and then has time.size() entries.
struct Columns {
  std::vector<int64_t> time;
  std::vector<uint8_t> success;  // 0 or 1
  std::vector<Tri> hallucinated;
  std::vector<float> latency_ms;
  std::vector<float> ttft_ms;  // NaN where absent
  std::vector<int64_t> cost_micros;
  std::vector<uint32_t> tokens_in;
  std::vector<uint32_t> tokens_out;
  std::vector<uint16_t> policy_violations;
  std::vector<uint16_t> tool_calls;
  std::vector<uint16_t> tool_failures;
  std::vector<float> user_rating;  // NaN where absent
  std::vector<std::string> error_kind;
  std::vector<std::optional<TraceId>> trace_id;

  size_t size() const { return time.size(); }
  // Appends `e`'s values of the columns in `fields`.
  void Append(const Event& e, FieldMask fields);
  // Sets *e to row i: the fields whose columns are filled, defaults (and
  // absent optionals) for the others. REQUIRES: i < size().
  void GetRow(size_t i, Event* e) const;
  // Appends the rows of `o`, whose filled columns are exactly `fields`.
  void AppendColumns(Columns&& o, FieldMask fields);
  // Empties every column, keeping their capacity.
  void Clear();
};

// Rows [begin, end) of `columns`, read-only.
struct RowsView {
  const Columns* columns = nullptr;
  size_t begin = 0;
  size_t end = 0;
  size_t size() const { return end - begin; }
};

enum class Resolution : uint8_t { k1m = 0, k1h = 1 };
int64_t ResolutionNs(Resolution r);  // 60 s or 3600 s, in ns

struct Bucket {
  int64_t start = 0;  // epoch-aligned to the resolution; covers [start, start + res)
  rollup::RollupBucket agg;
};

struct SeriesRef {
  uint64_t id = 0;
  Labels labels;
};

// What a Reader has touched so far (for EXPLAIN ANALYZE and benchmarks).
struct ReadCounters {
  uint64_t chunks = 0;          // chunks and packs decoded
  uint64_t chunk_events = 0;    // events decoded from them
  uint64_t head_events = 0;     // head events merged in
  uint64_t rollup_records = 0;  // rollup records decoded
  uint64_t rollup_buckets = 0;  // buckets returned from them
};

class Reader {
 public:
  Reader() = default;
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  virtual ~Reader() = default;

  // Series matching every matcher (none: every series), ascending by id.
  // Equality and IN matchers go through the postings; != and regex filter
  // what they leave. As in scan.h, a series lacking a label has the empty
  // value for it: `model = ''` selects the series without a model, and
  // `model != 'x'` includes them. A value the DB never saw matches nothing
  // (for = and IN) or every series (for !=).
  virtual Result<std::vector<SeriesRef>> Select(
      std::span<const LabelMatcher> matchers) = 0;

  // Appends to *out the events of `series` with time in [from, to), filling
  // the columns in `fields`. Raw events of partitions that retention has
  // dropped are not there: see raw_horizon().
  virtual Status ReadColumns(uint64_t series, int64_t from, int64_t to, FieldMask fields,
                             Columns* out) = 0;
  // The same events as ReadColumns, without copying them where it can: *out
  // shows rows of columns the Reader holds (a decoded pack; other columns
  // than `fields` may be filled too) or of *scratch, which it fills
  // otherwise. Valid until the next call on this Reader or change to
  // *scratch.
  virtual Status ReadRows(uint64_t series, int64_t from, int64_t to, FieldMask fields,
                          Columns* scratch, RowsView* out) = 0;

  // Appends to *out, ascending, the non-empty buckets of `series` at
  // `resolution` whose start lies in [from, to). Each is exact: built from
  // the stored rollups where a partition has them, from chunks where it
  // has not, head events merged in. NotFound, naming the partition, when
  // retention dropped the data that bucket needs (raw events and the
  // 1-minute rollups of a partition that had none). `fields` names the
  // columns the caller looks at: the parts of a bucket for the others may be
  // left empty (count is always filled; kAllFields fills everything).
  virtual Status ReadBuckets(uint64_t series, Resolution resolution, int64_t from,
                             int64_t to, FieldMask fields, std::vector<Bucket>* out) = 0;

  // Whether (series, partition holding `time`) has stored rollups at
  // `resolution` (the planner's cost model; reads are exact either way).
  virtual bool HasRollups(uint64_t series, Resolution resolution, int64_t time) = 0;

  // Appends to *out the annotations with time in [from, to) that satisfy
  // every matcher, ascending by time (equal times in the order they were
  // stored). Matchers test the annotation's labels as Select tests a
  // series' (a missing label has the empty value), except that matchers
  // named `type` and `detail` test those fields (no label has their names).
  // InvalidArgument for a bad regex; Corruption naming the record (time and seq) for a
  // damaged one.
  virtual Status ReadAnnotations(int64_t from, int64_t to,
                                 std::span<const LabelMatcher> matchers,
                                 std::vector<Annotation>* out) = 0;

  // The starts of the partitions that hold anything (raw events or rollups)
  // and overlap [from, to), ascending. Reads elsewhere find nothing.
  virtual std::vector<int64_t> Partitions(int64_t from, int64_t to) const = 0;

  // The start of the oldest partition that still holds raw events (or
  // INT64_MAX when none does): raw reads before it find nothing.
  virtual int64_t raw_horizon() const = 0;
  virtual int64_t partition_ns() const = 0;
  virtual const ReadCounters& counters() const = 0;
};

}  // namespace sredb

#endif  // SREDB_STORAGE_READER_H_
