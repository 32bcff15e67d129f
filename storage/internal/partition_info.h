// The partition catalog record: what the meta CF knows of one partition.
// Layout (storage/FORMAT.md, "meta CF"):
//   u8 version (2) | varint events | varint head events | fixed64 min time
//   | fixed64 max time | u8 dropped tiers | fixed64 XXH3-64 of all before
// Version 1 records (no dropped byte: nothing dropped) are still read.
// Header-only; pure functions.
#ifndef SREDB_STORAGE_INTERNAL_PARTITION_INFO_H_
#define SREDB_STORAGE_INTERNAL_PARTITION_INFO_H_

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "storage/internal/checksum.h"
#include "storage/internal/coding.h"

namespace sredb::internal {

struct PartitionInfo {
  uint64_t events = 0;       // every event appended to the partition
  uint64_t head_events = 0;  // of which not yet sealed into chunks
  int64_t min_time = std::numeric_limits<int64_t>::max();
  int64_t max_time = std::numeric_limits<int64_t>::min();
  // Tiers retention has dropped (kRawDropped | kMinuteDropped); a partition
  // whose 1-hour tier expires leaves the catalog.
  uint8_t dropped = 0;
  static constexpr uint8_t kRawDropped = 1;
  static constexpr uint8_t kMinuteDropped = 2;

  bool has_raw() const { return (dropped & kRawDropped) == 0; }

  void Merge(const PartitionInfo& o) {
    events += o.events;
    head_events += o.head_events;
    min_time = std::min(min_time, o.min_time);
    max_time = std::max(max_time, o.max_time);
    dropped |= o.dropped;
  }
};

inline std::string EncodePartitionInfo(const PartitionInfo& p) {
  std::string out(1, '\x02');
  PutVarint64(&out, p.events);
  PutVarint64(&out, p.head_events);
  PutFixed64(&out, static_cast<uint64_t>(p.min_time));
  PutFixed64(&out, static_cast<uint64_t>(p.max_time));
  out.push_back(static_cast<char>(p.dropped));
  SealWithChecksum(&out);
  return out;
}

// False when the record is damaged or of an unknown version.
inline bool DecodePartitionInfo(std::string_view in, PartitionInfo* p) {
  if (!CheckAndStripChecksum(&in) || in.empty() || (in[0] != '\x01' && in[0] != '\x02'))
    return false;
  const bool v2 = in[0] == '\x02';
  in.remove_prefix(1);
  if (!GetVarint64(&in, &p->events) || !GetVarint64(&in, &p->head_events) ||
      p->head_events > p->events || in.size() != (v2 ? 17u : 16u)) {
    return false;
  }
  p->min_time = static_cast<int64_t>(DecodeFixed64(in.data()));
  p->max_time = static_cast<int64_t>(DecodeFixed64(in.data() + 8));
  p->dropped = v2 ? static_cast<uint8_t>(in[16]) : 0;
  return p->dropped <= (PartitionInfo::kRawDropped | PartitionInfo::kMinuteDropped);
}

}  // namespace sredb::internal

#endif  // SREDB_STORAGE_INTERNAL_PARTITION_INFO_H_
