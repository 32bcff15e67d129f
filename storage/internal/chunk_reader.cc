// DecodeChunk: the reading side of storage/internal/chunk.h.
#include <cstring>
#include <limits>

#include "storage/codec/codec.h"
#include "storage/internal/checksum.h"
#include "storage/internal/chunk.h"
#include "storage/internal/coding.h"

namespace sredb::internal {
namespace {

Status Bad(const std::string& what) { return Status::Corruption(what); }

// Decodes an ints column into `set(event, value)` after checking each value
// lies in [0, max].
template <typename Set>
Status ReadInts(std::string_view body, std::span<Event> events, int64_t max,
                const char* name, Set set) {
  std::vector<int64_t> v;
  if (!codec::DecodeInts(&body, &v).ok() || !body.empty() || v.size() != events.size()) {
    return Bad(std::string("bad ") + name + " column");
  }
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] < 0 || v[i] > max) return Bad(std::string(name) + " value out of range");
    set(events[i], v[i]);
  }
  return Status::OK();
}

// Decodes the presence bools of a nullable column (n of them) and counts
// the present values that follow.
Status ReadPresence(std::string_view* body, size_t n, std::vector<uint8_t>* present,
                    size_t* count_present) {
  if (!codec::DecodeBools(body, present).ok() || present->size() != n) {
    return Bad("bad presence stream");
  }
  *count_present = 0;
  for (uint8_t p : *present) *count_present += p;
  return Status::OK();
}

Status ReadOptionalFloats(std::string_view body, std::span<Event> events,
                          std::optional<float> Event::*field, const char* name) {
  std::vector<uint8_t> present;
  size_t n_present;
  std::vector<float> values;
  if (!ReadPresence(&body, events.size(), &present, &n_present).ok() ||
      !codec::DecodeFloats(&body, &values).ok() || !body.empty() ||
      values.size() != n_present) {
    return Bad(std::string("bad ") + name + " column");
  }
  for (size_t i = 0, k = 0; i < events.size(); ++i) {
    if (present[i]) events[i].*field = values[k++];
  }
  return Status::OK();
}

Status ReadTraceIds(std::string_view body, std::span<Event> events) {
  std::vector<uint8_t> present;
  size_t n_present;
  if (!ReadPresence(&body, events.size(), &present, &n_present).ok() ||
      body.size() != 16 * n_present) {
    return Bad("bad trace_id column");
  }
  for (size_t i = 0; i < events.size(); ++i) {
    if (!present[i]) continue;
    TraceId t;
    std::memcpy(t.data(), body.data(), 16);
    body.remove_prefix(16);
    events[i].trace_id = t;
  }
  return Status::OK();
}

Status ReadColumn(Column c, std::string_view body, std::span<Event> ev) {
  const size_t n = ev.size();
  switch (c) {
    case Column::kTime:
      return Bad("time column given twice");
    case Column::kSuccess:
    case Column::kHallucinated: {
      std::vector<uint8_t> v;
      bool ok = c == Column::kSuccess ? codec::DecodeBools(&body, &v).ok()
                                      : codec::DecodeSmallEnums(&body, &v).ok();
      if (!ok || !body.empty() || v.size() != n) return Bad("bad flag column");
      for (size_t i = 0; i < n; ++i) {
        if (c == Column::kSuccess) {
          ev[i].success = v[i] != 0;
        } else if (v[i] > 2) {
          return Bad("hallucinated value out of range");
        } else {
          ev[i].hallucinated = static_cast<Tri>(v[i]);
        }
      }
      return Status::OK();
    }
    case Column::kLatency: {
      std::vector<float> v;
      if (!codec::DecodeFloats(&body, &v).ok() || !body.empty() || v.size() != n) {
        return Bad("bad latency_ms column");
      }
      for (size_t i = 0; i < n; ++i) ev[i].latency_ms = v[i];
      return Status::OK();
    }
    case Column::kTtft:
      return ReadOptionalFloats(body, ev, &Event::ttft_ms, "ttft_ms");
    case Column::kRating:
      return ReadOptionalFloats(body, ev, &Event::user_rating, "user_rating");
    case Column::kCost:
      return ReadInts(body, ev, std::numeric_limits<int64_t>::max(), "cost",
                      [](Event& e, int64_t v) { e.cost_micros = v; });
    case Column::kTokensIn:
      return ReadInts(body, ev, UINT32_MAX, "tokens_in", [](Event& e, int64_t v) {
        e.tokens_in = static_cast<uint32_t>(v);
      });
    case Column::kTokensOut:
      return ReadInts(body, ev, UINT32_MAX, "tokens_out", [](Event& e, int64_t v) {
        e.tokens_out = static_cast<uint32_t>(v);
      });
    case Column::kPolicyViolations:
      return ReadInts(body, ev, UINT16_MAX, "policy_violations", [](Event& e, int64_t v) {
        e.policy_violations = static_cast<uint16_t>(v);
      });
    case Column::kToolCalls:
      return ReadInts(body, ev, UINT16_MAX, "tool_calls", [](Event& e, int64_t v) {
        e.tool_calls = static_cast<uint16_t>(v);
      });
    case Column::kToolFailures:
      return ReadInts(body, ev, UINT16_MAX, "tool_failures", [](Event& e, int64_t v) {
        e.tool_failures = static_cast<uint16_t>(v);
      });
    case Column::kErrorKind: {
      std::vector<std::string> v;
      if (!codec::DecodeStrings(&body, &v).ok() || !body.empty() || v.size() != n) {
        return Bad("bad error_kind column");
      }
      for (size_t i = 0; i < n; ++i) ev[i].error_kind = std::move(v[i]);
      return Status::OK();
    }
    case Column::kTraceId:
      return ReadTraceIds(body, ev);
  }
  return Bad("unknown column");
}

}  // namespace

Status DecodeChunk(std::string_view chunk, int64_t partition_start,
                   std::vector<Event>* out) {
  if (!CheckAndStripChecksum(&chunk)) return Bad("bad checksum");
  if (chunk.empty() || static_cast<uint8_t>(chunk[0]) != kChunkVersion) {
    return Bad("unknown chunk version");
  }
  chunk.remove_prefix(1);
  uint64_t count, min_off, span;
  if (!GetVarint64(&chunk, &count) || !GetVarint64(&chunk, &min_off) ||
      !GetVarint64(&chunk, &span) || chunk.size() < 2 || count == 0) {
    return Bad("bad chunk header");
  }
  const uint16_t mask = static_cast<uint16_t>(static_cast<uint8_t>(chunk[0]) |
                                              (static_cast<uint8_t>(chunk[1]) << 8));
  chunk.remove_prefix(2);
  if (!(mask & 1) || (mask >> kColumnCount) != 0) return Bad("bad column mask");
  // Size the output only once the time column (whose decoder bounds its
  // count by its bytes) confirms the count, so a lying header cannot make
  // us allocate.
  std::string_view time_body;
  std::vector<int64_t> times;
  if (!GetLengthPrefixed(&chunk, &time_body) ||
      !codec::DecodeTimestamps(&time_body, &times).ok() || !time_body.empty() ||
      times.size() != count) {
    return Bad("bad time column");
  }
  const size_t old = out->size();
  out->resize(old + count);
  std::span<Event> events(out->data() + old, count);
  for (size_t i = 0; i < count; ++i) events[i].time = times[i];
  for (int c = 1; c < kColumnCount; ++c) {
    if (!(mask & (1u << c))) continue;
    std::string_view body;
    Status s = GetLengthPrefixed(&chunk, &body)
                   ? ReadColumn(static_cast<Column>(c), body, events)
                   : Bad("truncated column");
    if (!s.ok()) {
      out->resize(old);
      return s;
    }
  }
  const int64_t first = partition_start + static_cast<int64_t>(min_off);
  bool ordered = chunk.empty() && events.front().time == first &&
                 events.back().time == first + static_cast<int64_t>(span);
  for (size_t i = 1; ordered && i < events.size(); ++i) {
    ordered = events[i - 1].time <= events[i].time;
  }
  if (!ordered) {
    out->resize(old);
    return Bad("chunk times disagree with its header");
  }
  return Status::OK();
}

}  // namespace sredb::internal
