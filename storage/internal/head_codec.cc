#include "storage/internal/head_codec.h"

#include <bit>
#include <limits>

#include "storage/internal/checksum.h"
#include "storage/internal/coding.h"

namespace sredb::internal {
namespace {

enum Flag : uint8_t {
  kSuccess = 1 << 0,
  kHallucinatedShift = 1,  // two bits
  kHasTtft = 1 << 3,
  kHasRating = 1 << 4,
  kHasErrorKind = 1 << 5,
  kHasTrace = 1 << 6,
};

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

void PutFloat(std::string* dst, float f) { PutFixed32(dst, std::bit_cast<uint32_t>(f)); }

bool GetFixed32(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  *v = DecodeFixed32(in->data());
  in->remove_prefix(4);
  return true;
}
bool GetFloat(std::string_view* in, float* f) {
  uint32_t bits;
  if (!GetFixed32(in, &bits)) return false;
  *f = std::bit_cast<float>(bits);
  return true;
}

template <typename T>
bool GetVarintAs(std::string_view* in, T* out) {
  uint64_t v;
  if (!GetVarint64(in, &v) || v > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
    return false;
  }
  *out = static_cast<T>(v);
  return true;
}

// Decodes one event; false when the bytes are malformed.
bool DecodeEvent(std::string_view* in, const std::vector<uint64_t>& ids,
                 int64_t* prev_time, HeadEvent* out) {
  uint64_t series_index, dt;
  if (!GetVarint64(in, &series_index) || series_index >= ids.size()) return false;
  if (!GetVarint64(in, &dt) || in->empty()) return false;
  out->series_id = ids[series_index];
  Event& e = out->event;
  e = Event();
  e.time = static_cast<int64_t>(static_cast<uint64_t>(*prev_time) +
                                static_cast<uint64_t>(UnZigZag(dt)));
  *prev_time = e.time;
  uint8_t flags = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  if (flags & 0x80) return false;
  e.success = flags & kSuccess;
  uint8_t h = (flags >> kHallucinatedShift) & 3;
  if (h > 2) return false;
  e.hallucinated = static_cast<Tri>(h);
  if (!GetFloat(in, &e.latency_ms)) return false;
  if (flags & kHasTtft) {
    float f;
    if (!GetFloat(in, &f)) return false;
    e.ttft_ms = f;
  }
  uint64_t cost;
  if (!GetVarint64(in, &cost) || cost > static_cast<uint64_t>(INT64_MAX)) return false;
  e.cost_micros = static_cast<int64_t>(cost);
  if (!GetVarintAs(in, &e.tokens_in) || !GetVarintAs(in, &e.tokens_out) ||
      !GetVarintAs(in, &e.policy_violations) || !GetVarintAs(in, &e.tool_calls) ||
      !GetVarintAs(in, &e.tool_failures)) {
    return false;
  }
  if (flags & kHasRating) {
    float f;
    if (!GetFloat(in, &f)) return false;
    e.user_rating = f;
  }
  if (flags & kHasErrorKind) {
    std::string_view kind;
    if (!GetLengthPrefixed(in, &kind)) return false;
    e.error_kind.assign(kind);
  }
  if (flags & kHasTrace) {
    if (in->size() < 16) return false;
    TraceId t;
    for (int i = 0; i < 16; ++i) t[i] = static_cast<uint8_t>((*in)[i]);
    e.trace_id = t;
    in->remove_prefix(16);
  }
  return true;
}

}  // namespace

void HeadRecordBuilder::Add(uint64_t series_id, const Event& e) {
  auto [it, inserted] =
      series_index_.try_emplace(series_id, static_cast<uint32_t>(series_ids_.size()));
  if (inserted) series_ids_.push_back(series_id);
  PutVarint64(&body_, it->second);
  PutVarint64(&body_, ZigZag(static_cast<int64_t>(static_cast<uint64_t>(e.time) -
                                                  static_cast<uint64_t>(prev_time_))));
  prev_time_ = e.time;
  uint8_t flags =
      (e.success ? kSuccess : 0) |
      static_cast<uint8_t>(static_cast<uint8_t>(e.hallucinated) << kHallucinatedShift) |
      (e.ttft_ms ? kHasTtft : 0) | (e.user_rating ? kHasRating : 0) |
      (e.error_kind.empty() ? 0 : kHasErrorKind) | (e.trace_id ? kHasTrace : 0);
  body_.push_back(static_cast<char>(flags));
  PutFloat(&body_, e.latency_ms);
  if (e.ttft_ms) PutFloat(&body_, *e.ttft_ms);
  PutVarint64(&body_, static_cast<uint64_t>(e.cost_micros));
  PutVarint64(&body_, e.tokens_in);
  PutVarint64(&body_, e.tokens_out);
  PutVarint64(&body_, e.policy_violations);
  PutVarint64(&body_, e.tool_calls);
  PutVarint64(&body_, e.tool_failures);
  if (e.user_rating) PutFloat(&body_, *e.user_rating);
  if (!e.error_kind.empty()) PutLengthPrefixed(&body_, e.error_kind);
  if (e.trace_id) body_.append(reinterpret_cast<const char*>(e.trace_id->data()), 16);
  ++count_;
}

std::string HeadRecordBuilder::Finish() {
  std::string out;
  out.reserve(body_.size() + 16 + 8 * series_ids_.size() + 8);
  out.push_back(static_cast<char>(kHeadRecordVersion));
  PutVarint64(&out, series_ids_.size());
  for (uint64_t id : series_ids_) PutFixed64(&out, id);
  PutVarint64(&out, count_);
  out.append(body_);
  SealWithChecksum(&out);
  return out;
}

Status ForEachHeadRecordEvent(std::string_view record, int64_t partition_start,
                              const std::function<void(uint64_t, Event&&)>& fn) {
  if (!CheckAndStripChecksum(&record)) return Status::Corruption("bad checksum");
  if (record.empty() || static_cast<uint8_t>(record[0]) != kHeadRecordVersion) {
    return Status::Corruption("unknown head record version");
  }
  record.remove_prefix(1);
  uint64_t nseries, nevents;
  if (!GetVarint64(&record, &nseries) || nseries > record.size() / 8) {
    return Status::Corruption("bad series table");
  }
  std::vector<uint64_t> ids(nseries);
  for (uint64_t& id : ids) {
    id = DecodeFixed64(record.data());
    record.remove_prefix(8);
  }
  // Each event takes at least 12 bytes, which bounds a lying count.
  if (!GetVarint64(&record, &nevents) || nevents > record.size() / 12 + 1) {
    return Status::Corruption("bad event count");
  }
  int64_t prev_time = partition_start;
  HeadEvent scratch;
  for (uint64_t i = 0; i < nevents; ++i) {
    if (!DecodeEvent(&record, ids, &prev_time, &scratch)) {
      return Status::Corruption("malformed event " + std::to_string(i));
    }
    fn(scratch.series_id, std::move(scratch.event));
  }
  if (!record.empty()) return Status::Corruption("trailing bytes after the last event");
  return Status::OK();
}

Status DecodeHeadRecord(std::string_view record, int64_t partition_start,
                        std::vector<HeadEvent>* out) {
  const size_t old_size = out->size();
  Status s =
      ForEachHeadRecordEvent(record, partition_start, [out](uint64_t id, Event&& e) {
        out->push_back(HeadEvent{id, std::move(e)});
      });
  if (!s.ok()) out->resize(old_size);
  return s;
}

}  // namespace sredb::internal
