#include "storage/internal/chunk.h"

#include <algorithm>
#include <bit>
#include <limits>

#include "storage/codec/codec.h"
#include "storage/internal/checksum.h"
#include "storage/internal/coding.h"

namespace sredb::internal {
namespace {

uint16_t Bit(Column c) { return static_cast<uint16_t>(1u << static_cast<int>(c)); }

// Appends `body` as one length-prefixed column and marks it in `mask`.
void PutColumn(Column c, const std::string& body, uint16_t* mask, std::string* out) {
  *mask |= Bit(c);
  PutLengthPrefixed(out, body);
}

template <typename T, typename Fn>
std::vector<T> Gather(std::span<const Event> events, Fn field) {
  std::vector<T> v;
  v.reserve(events.size());
  for (const Event& e : events) v.push_back(static_cast<T>(field(e)));
  return v;
}

// An int column, omitted when every value is 0.
template <typename Fn>
void PutIntColumn(Column c, std::span<const Event> events, Fn field, uint16_t* mask,
                  std::string* out) {
  std::vector<int64_t> v = Gather<int64_t>(events, field);
  if (std::all_of(v.begin(), v.end(), [](int64_t x) { return x == 0; })) return;
  std::string body;
  codec::EncodeInts(v, &body);
  PutColumn(c, body, mask, out);
}

// A nullable float column: presence bools, then the present values.
template <typename Fn>
void PutOptionalFloatColumn(Column c, std::span<const Event> events, Fn field,
                            uint16_t* mask, std::string* out) {
  std::vector<uint8_t> present;
  std::vector<float> values;
  for (const Event& e : events) {
    const std::optional<float>& f = field(e);
    present.push_back(f.has_value());
    if (f) values.push_back(*f);
  }
  if (values.empty()) return;
  std::string body;
  codec::EncodeBools(present, &body);
  codec::EncodeFloats(values, &body);
  PutColumn(c, body, mask, out);
}

}  // namespace

std::string EncodeChunk(std::span<const Event> events, int64_t partition_start) {
  std::string columns;
  uint16_t mask = 0;
  std::string body;
  codec::EncodeTimestamps(Gather<int64_t>(events, [](const Event& e) { return e.time; }),
                          &body);
  PutColumn(Column::kTime, body, &mask, &columns);
  auto success = Gather<uint8_t>(events, [](const Event& e) { return e.success; });
  if (std::find(success.begin(), success.end(), 1) != success.end()) {
    body.clear();
    codec::EncodeBools(success, &body);
    PutColumn(Column::kSuccess, body, &mask, &columns);
  }
  auto halluc = Gather<uint8_t>(events, [](const Event& e) { return e.hallucinated; });
  if (std::any_of(halluc.begin(), halluc.end(), [](uint8_t h) { return h != 0; })) {
    body.clear();
    codec::EncodeSmallEnums(halluc, &body);
    PutColumn(Column::kHallucinated, body, &mask, &columns);
  }
  auto latency = Gather<float>(events, [](const Event& e) { return e.latency_ms; });
  if (std::any_of(latency.begin(), latency.end(),
                  [](float f) { return std::bit_cast<uint32_t>(f) != 0; })) {
    body.clear();
    codec::EncodeFloats(latency, &body);
    PutColumn(Column::kLatency, body, &mask, &columns);
  }
  PutOptionalFloatColumn(
      Column::kTtft, events, [](const Event& e) -> auto& { return e.ttft_ms; }, &mask,
      &columns);
  PutIntColumn(
      Column::kCost, events, [](const Event& e) { return e.cost_micros; }, &mask,
      &columns);
  PutIntColumn(
      Column::kTokensIn, events, [](const Event& e) { return e.tokens_in; }, &mask,
      &columns);
  PutIntColumn(
      Column::kTokensOut, events, [](const Event& e) { return e.tokens_out; }, &mask,
      &columns);
  PutIntColumn(
      Column::kPolicyViolations, events,
      [](const Event& e) { return e.policy_violations; }, &mask, &columns);
  PutIntColumn(
      Column::kToolCalls, events, [](const Event& e) { return e.tool_calls; }, &mask,
      &columns);
  PutIntColumn(
      Column::kToolFailures, events, [](const Event& e) { return e.tool_failures; },
      &mask, &columns);
  PutOptionalFloatColumn(
      Column::kRating, events, [](const Event& e) -> auto& { return e.user_rating; },
      &mask, &columns);
  if (std::any_of(events.begin(), events.end(),
                  [](const Event& e) { return !e.error_kind.empty(); })) {
    std::vector<std::string_view> kinds;
    for (const Event& e : events) kinds.push_back(e.error_kind);
    body.clear();
    codec::EncodeStrings(kinds, &body);
    PutColumn(Column::kErrorKind, body, &mask, &columns);
  }
  if (std::any_of(events.begin(), events.end(),
                  [](const Event& e) { return e.trace_id.has_value(); })) {
    body.clear();
    codec::EncodeBools(
        Gather<uint8_t>(events, [](const Event& e) { return e.trace_id.has_value(); }),
        &body);
    for (const Event& e : events) {
      if (e.trace_id) body.append(reinterpret_cast<const char*>(e.trace_id->data()), 16);
    }
    PutColumn(Column::kTraceId, body, &mask, &columns);
  }

  std::string out;
  out.reserve(columns.size() + 32);
  out.push_back(static_cast<char>(kChunkVersion));
  PutVarint64(&out, events.size());
  PutVarint64(&out, static_cast<uint64_t>(events.front().time - partition_start));
  PutVarint64(&out, static_cast<uint64_t>(events.back().time - events.front().time));
  out.push_back(static_cast<char>(mask & 0xff));
  out.push_back(static_cast<char>(mask >> 8));
  out.append(columns);
  SealWithChecksum(&out);
  return out;
}

}  // namespace sredb::internal
