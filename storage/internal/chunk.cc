#include "storage/internal/chunk.h"

#include <algorithm>
#include <bit>
#include <cmath>
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

// An int column, omitted when every value is 0.
template <typename T>
void PutIntColumn(Column c, const std::vector<T>& values, uint16_t* mask,
                  std::string* out) {
  if (std::all_of(values.begin(), values.end(), [](T x) { return x == 0; })) return;
  thread_local std::vector<int64_t> v;
  v.assign(values.begin(), values.end());
  thread_local std::string body;  // buffers reused: see EncodeChunk
  body.clear();
  codec::EncodeInts(v, &body);
  PutColumn(c, body, mask, out);
}

// A nullable float column (NaN = absent): presence bools, then the present
// values; omitted when none is present.
void PutOptionalFloatColumn(Column c, const std::vector<float>& values, uint16_t* mask,
                            std::string* out) {
  thread_local std::vector<uint8_t> present;
  thread_local std::vector<float> kept;
  present.resize(values.size());
  kept.clear();
  for (size_t i = 0; i < values.size(); ++i) {
    present[i] = !std::isnan(values[i]);
    if (present[i]) kept.push_back(values[i]);
  }
  if (kept.empty()) return;
  thread_local std::string body;
  body.clear();
  codec::EncodeBools(present, &body);
  codec::EncodeFloats(kept, &body);
  PutColumn(c, body, mask, out);
}

bool AnyNonZero(const std::vector<uint8_t>& v) {
  return std::any_of(v.begin(), v.end(), [](uint8_t x) { return x != 0; });
}

template <typename T>
void Gather(const std::vector<T>& src, std::span<const uint32_t> rows,
            std::vector<T>* dst) {
  for (uint32_t i : rows) dst->push_back(src[i]);
}

}  // namespace

void GatherRows(const Columns& src, std::span<const uint32_t> rows, Columns* dst) {
  Gather(src.time, rows, &dst->time);
  Gather(src.success, rows, &dst->success);
  Gather(src.hallucinated, rows, &dst->hallucinated);
  Gather(src.latency_ms, rows, &dst->latency_ms);
  Gather(src.ttft_ms, rows, &dst->ttft_ms);
  Gather(src.cost_micros, rows, &dst->cost_micros);
  Gather(src.tokens_in, rows, &dst->tokens_in);
  Gather(src.tokens_out, rows, &dst->tokens_out);
  Gather(src.policy_violations, rows, &dst->policy_violations);
  Gather(src.tool_calls, rows, &dst->tool_calls);
  Gather(src.tool_failures, rows, &dst->tool_failures);
  Gather(src.user_rating, rows, &dst->user_rating);
  Gather(src.error_kind, rows, &dst->error_kind);
  Gather(src.trace_id, rows, &dst->trace_id);
}

void ClearKeepingCapacity(Columns* c) {
  c->time.clear();
  c->success.clear();
  c->hallucinated.clear();
  c->latency_ms.clear();
  c->ttft_ms.clear();
  c->cost_micros.clear();
  c->tokens_in.clear();
  c->tokens_out.clear();
  c->policy_violations.clear();
  c->tool_calls.clear();
  c->tool_failures.clear();
  c->user_rating.clear();
  c->error_kind.clear();
  c->trace_id.clear();
}

void SortByTime(Columns* c) {
  if (std::is_sorted(c->time.begin(), c->time.end())) return;
  std::vector<uint32_t> order(c->size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [c](uint32_t a, uint32_t b) { return c->time[a] < c->time[b]; });
  Columns sorted;
  GatherRows(*c, order, &sorted);
  *c = std::move(sorted);
}

namespace {

// Appends everything of a chunk after its version byte: count, time range,
// column mask and columns, with times relative to the rows' min time.
void AppendChunkBody(const Columns& c, int64_t partition_start, std::string* out) {
  // Scratch buffers live as long as the thread: large ones regrown and
  // freed for every chunk fragment the heap of a long-running sealer.
  thread_local std::string columns;
  thread_local std::string body;
  columns.clear();
  body.clear();
  uint16_t mask = 0;
  const auto [min_it, max_it] = std::minmax_element(c.time.begin(), c.time.end());
  const int64_t min_time = *min_it, max_time = *max_it;
  // Times relative to the min, which the header holds.
  thread_local std::vector<int64_t> offsets;
  offsets.resize(c.size());
  for (size_t i = 0; i < c.size(); ++i) offsets[i] = c.time[i] - min_time;
  codec::EncodeTimestamps(offsets, &body);
  PutColumn(Column::kTime, body, &mask, &columns);
  if (AnyNonZero(c.success)) {
    body.clear();
    codec::EncodeBools(c.success, &body);
    PutColumn(Column::kSuccess, body, &mask, &columns);
  }
  static_assert(sizeof(Tri) == 1);
  std::span<const uint8_t> halluc(reinterpret_cast<const uint8_t*>(c.hallucinated.data()),
                                  c.hallucinated.size());
  if (std::any_of(halluc.begin(), halluc.end(), [](uint8_t h) { return h != 0; })) {
    body.clear();
    codec::EncodeSmallEnums(halluc, &body);
    PutColumn(Column::kHallucinated, body, &mask, &columns);
  }
  if (std::any_of(c.latency_ms.begin(), c.latency_ms.end(),
                  [](float f) { return std::bit_cast<uint32_t>(f) != 0; })) {
    body.clear();
    codec::EncodeFloats(c.latency_ms, &body);
    PutColumn(Column::kLatency, body, &mask, &columns);
  }
  PutOptionalFloatColumn(Column::kTtft, c.ttft_ms, &mask, &columns);
  PutIntColumn(Column::kCost, c.cost_micros, &mask, &columns);
  PutIntColumn(Column::kTokensIn, c.tokens_in, &mask, &columns);
  PutIntColumn(Column::kTokensOut, c.tokens_out, &mask, &columns);
  PutIntColumn(Column::kPolicyViolations, c.policy_violations, &mask, &columns);
  PutIntColumn(Column::kToolCalls, c.tool_calls, &mask, &columns);
  PutIntColumn(Column::kToolFailures, c.tool_failures, &mask, &columns);
  PutOptionalFloatColumn(Column::kRating, c.user_rating, &mask, &columns);
  if (std::any_of(c.error_kind.begin(), c.error_kind.end(),
                  [](const std::string& k) { return !k.empty(); })) {
    std::vector<std::string_view> kinds(c.error_kind.begin(), c.error_kind.end());
    body.clear();
    codec::EncodeStrings(kinds, &body);
    PutColumn(Column::kErrorKind, body, &mask, &columns);
  }
  if (std::any_of(c.trace_id.begin(), c.trace_id.end(),
                  [](const std::optional<TraceId>& t) { return t.has_value(); })) {
    std::vector<uint8_t> present(c.size());
    for (size_t i = 0; i < c.size(); ++i) present[i] = c.trace_id[i].has_value();
    body.clear();
    codec::EncodeBools(present, &body);
    for (const auto& t : c.trace_id) {
      if (t) body.append(reinterpret_cast<const char*>(t->data()), 16);
    }
    PutColumn(Column::kTraceId, body, &mask, &columns);
  }

  out->reserve(out->size() + columns.size() + 32);
  PutVarint64(out, c.size());
  PutVarint64(out, static_cast<uint64_t>(min_time - partition_start));
  PutVarint64(out, static_cast<uint64_t>(max_time - min_time));
  out->push_back(static_cast<char>(mask & 0xff));
  out->push_back(static_cast<char>(mask >> 8));
  out->append(columns);
}

}  // namespace

std::string EncodeChunk(const Columns& c, int64_t partition_start) {
  std::string out(1, static_cast<char>(kChunkVersion));
  AppendChunkBody(c, partition_start, &out);
  SealWithChecksum(&out);
  return out;
}

std::string EncodePack(std::span<const uint64_t> ids, std::span<const uint32_t> offsets,
                       const Columns& rows, int64_t partition_start) {
  std::string out(1, static_cast<char>(kPackVersion));
  PutVarint64(&out, ids.size());
  PutFixed64(&out, ids[0]);
  for (size_t i = 1; i < ids.size(); ++i) PutVarint64(&out, ids[i] - ids[i - 1]);
  for (size_t i = 0; i < ids.size(); ++i) PutVarint64(&out, offsets[i + 1] - offsets[i]);
  AppendChunkBody(rows, partition_start, &out);
  SealWithChecksum(&out);
  return out;
}

int DecodedPack::Find(uint64_t id) const {
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  return it != ids.end() && *it == id ? static_cast<int>(it - ids.begin()) : -1;
}

}  // namespace sredb::internal
