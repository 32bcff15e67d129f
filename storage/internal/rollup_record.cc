#include "storage/internal/rollup_record.h"

#include <cmath>
#include <limits>

#include "storage/internal/checksum.h"
#include "storage/internal/coding.h"

namespace sredb::internal {

int64_t BucketStart(int64_t time, int64_t resolution) {
  int64_t q = time / resolution;
  if (time % resolution < 0) --q;
  return q * resolution;
}

void BuildBuckets(const Columns& c, int64_t resolution, std::vector<TimedBucket>* out) {
  Event e;
  for (size_t i = 0; i < c.size(); ++i) {
    c.GetRow(i, &e);
    const int64_t start = BucketStart(e.time, resolution);
    if (out->empty() || out->back().start != start) out->push_back({start, {}});
    out->back().bucket.AddEvent(e);
  }
}

uint64_t CountBuckets(std::span<const int64_t> times, int64_t resolution) {
  uint64_t n = 0;
  int64_t last = 0;
  for (int64_t t : times) {
    const int64_t start = BucketStart(t, resolution);
    if (n == 0 || start != last) ++n;
    last = start;
  }
  return n;
}

std::string EncodeRollupRecord(std::span<const TimedBucket> buckets, int64_t resolution,
                               int64_t partition_start) {
  std::string out(1, static_cast<char>(kRollupRecordVersion));
  PutVarint64(&out, buckets.size());
  int64_t prev = BucketStart(partition_start, resolution) - resolution;
  for (const TimedBucket& b : buckets) {
    PutVarint64(&out, static_cast<uint64_t>((b.start - prev) / resolution - 1));
    b.bucket.AppendTo(&out);
    prev = b.start;
  }
  SealWithChecksum(&out);
  return out;
}

Status DecodeRollupRecord(std::string_view record, int64_t resolution,
                          int64_t partition_start, int64_t from, int64_t to,
                          std::vector<TimedBucket>* out, bool with_latency) {
  if (!CheckAndStripChecksum(&record)) return Status::Corruption("bad checksum");
  if (record.empty() || static_cast<uint8_t>(record[0]) != kRollupRecordVersion) {
    return record.empty() ? Status::Corruption("empty record")
                          : Status::NotSupported("unknown rollup record version " +
                                                 std::to_string(uint8_t(record[0])));
  }
  record.remove_prefix(1);
  uint64_t n;
  if (!GetVarint64(&record, &n) || n == 0 || n > record.size()) {
    return Status::Corruption("bad bucket count");
  }
  const size_t old_size = out->size();
  __int128 prev = __int128{BucketStart(partition_start, resolution)} - resolution;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t gap;
    if (!GetVarint64(&record, &gap)) {
      out->resize(old_size);
      return Status::Corruption("bad gap of bucket " + std::to_string(i));
    }
    const __int128 start = prev + (__int128{gap} + 1) * resolution;
    if (start > std::numeric_limits<int64_t>::max()) {
      out->resize(old_size);
      return Status::Corruption("bucket " + std::to_string(i) + " out of range");
    }
    prev = start;
    rollup::RollupBucket b;
    Status s = b.DecodeFrom(&record, with_latency && start >= from && start < to);
    if (s.ok() && b.count == 0) s = Status::Corruption("empty");
    if (!s.ok()) {
      out->resize(old_size);
      return s.WithMessage("bucket " + std::to_string(i) + ": " + s.message());
    }
    if (start >= from && start < to)
      out->push_back({static_cast<int64_t>(start), std::move(b)});
  }
  if (!record.empty()) {
    out->resize(old_size);
    return Status::Corruption("trailing bytes");
  }
  return Status::OK();
}

}  // namespace sredb::internal
