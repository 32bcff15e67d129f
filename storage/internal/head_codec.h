// Head records: the raw events of one Append that fall in one partition,
// stored under head key (partition start, seq) until the partition is sealed.
//
// Layout (storage/FORMAT.md, "Head record"):
//   u8 version (1) | varint nseries | nseries x fixed64 series id
//   | varint nevents | nevents x event | fixed64 XXH3-64 of all before
//   event := varint series index | varint zigzag(time - previous time)
//            | u8 flags | fixed32 latency bits | [fixed32 ttft bits]
//            | varint cost_micros | varint tokens_in | varint tokens_out
//            | varint policy_violations | varint tool_calls
//            | varint tool_failures | [fixed32 rating bits]
//            | [varint len + error_kind] | [16 bytes trace id]
//   flags: bit0 success, bits1-2 hallucinated (0 unknown, 1 false, 2 true),
//          bit3 ttft present, bit4 rating present, bit5 error_kind present,
//          bit6 trace id present.
//   "previous time" of the first event is the partition start.
//
// Thread safety: a builder is used by one thread; decoding is stateless.
#ifndef SREDB_STORAGE_INTERNAL_HEAD_CODEC_H_
#define SREDB_STORAGE_INTERNAL_HEAD_CODEC_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/event.h"
#include "storage/status.h"

namespace sredb::internal {

inline constexpr uint8_t kHeadRecordVersion = 1;

struct HeadEvent {
  uint64_t series_id;
  Event event;
};

class HeadRecordBuilder {
 public:
  explicit HeadRecordBuilder(int64_t partition_start) : prev_time_(partition_start) {}
  void Add(uint64_t series_id, const Event& e);
  size_t size() const { return count_; }
  // Returns the finished record. The builder must not be used afterwards.
  std::string Finish();

 private:
  int64_t prev_time_;  // starts at the partition start
  size_t count_ = 0;
  std::vector<uint64_t> series_ids_;
  std::unordered_map<uint64_t, uint32_t> series_index_;
  std::string body_;
};

// Calls fn(series id, event) for each of the record's events, in order,
// decoding into one scratch event (fn may move from it). The checksum is
// verified first; on a Corruption status fn may have seen some events.
Status ForEachHeadRecordEvent(std::string_view record, int64_t partition_start,
                              const std::function<void(uint64_t, Event&&)>& fn);

// Appends the record's events to *out. Corruption (naming what is wrong,
// without context: the caller adds the key) on a bad checksum, an unknown
// version or a malformed body; *out is then left as it was.
Status DecodeHeadRecord(std::string_view record, int64_t partition_start,
                        std::vector<HeadEvent>* out);

}  // namespace sredb::internal

#endif  // SREDB_STORAGE_INTERNAL_HEAD_CODEC_H_
