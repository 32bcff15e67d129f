// Rollup records: the buckets of one series in one time partition at one
// resolution (1 minute or 1 hour), stored under rollup-CF key
// ordered64(partition start) | be64(series id), like chunks.
//
// Layout (storage/FORMAT.md, "rollups"):
//   u8 version (1) | varint n (>= 1)
//   | n x (varint gap | bucket)
//   | fixed64 XXH3-64 of all before
// Buckets are epoch-aligned and ascending by start. For the first, gap is
// (start - floor(partition start / resolution) * resolution) / resolution;
// for the others, (start - previous start) / resolution - 1. `bucket` is
// the RollupBucket encoding (storage/rollup/rollup_bucket.cc), never empty.
// A bucket that straddles two partitions (when the partition length is not
// a multiple of the resolution) is stored in part in each; readers merge
// the parts, which is exact.
//
// Thread safety: stateless functions.
#ifndef SREDB_STORAGE_INTERNAL_ROLLUP_RECORD_H_
#define SREDB_STORAGE_INTERNAL_ROLLUP_RECORD_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/event.h"
#include "storage/reader.h"
#include "storage/rollup/rollup_bucket.h"
#include "storage/status.h"

namespace sredb::internal {

inline constexpr uint8_t kRollupRecordVersion = 1;
inline constexpr int64_t kMinuteNs = 60'000'000'000;
inline constexpr int64_t kHourNs = 60 * kMinuteNs;
// The rollup tiers, finest first.
inline constexpr int kRollupTiers = 2;
inline constexpr int64_t kRollupResolutions[kRollupTiers] = {kMinuteNs, kHourNs};

struct TimedBucket {
  int64_t start = 0;  // epoch-aligned to the resolution
  rollup::RollupBucket bucket;
};

// The start of the bucket of `resolution` holding `time` (floor division).
int64_t BucketStart(int64_t time, int64_t resolution);

// Appends to *out one bucket per `resolution`-aligned interval holding at
// least one of the events of `columns` (REQUIRES: sorted by time, valid,
// every field but error_kind and trace_id filled).
void BuildBuckets(const Columns& columns, int64_t resolution,
                  std::vector<TimedBucket>* out);

// How many distinct buckets of `resolution` hold `times` (ascending).
uint64_t CountBuckets(std::span<const int64_t> times, int64_t resolution);

// The fields BuildBuckets reads.
inline constexpr FieldMask kRollupFields =
    kAllFields & ~FieldBit(Field::kErrorKind) & ~FieldBit(Field::kTraceId);

// REQUIRES: buckets non-empty, ascending, each non-empty and at or after
// BucketStart(partition_start, resolution).
std::string EncodeRollupRecord(std::span<const TimedBucket> buckets, int64_t resolution,
                               int64_t partition_start);

// Appends the record's buckets whose start lies in [from, to) to *out.
// Corruption, naming what is wrong, on a bad checksum, version, layout or
// bucket; *out is then unchanged. Without `with_latency` the buckets'
// latency parts are checked and skipped (RollupBucket::DecodeFrom).
Status DecodeRollupRecord(std::string_view record, int64_t resolution,
                          int64_t partition_start, int64_t from, int64_t to,
                          std::vector<TimedBucket>* out, bool with_latency = true);

}  // namespace sredb::internal

#endif  // SREDB_STORAGE_INTERNAL_ROLLUP_RECORD_H_
