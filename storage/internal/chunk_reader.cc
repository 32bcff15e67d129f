// DecodeChunk: the reading side of storage/internal/chunk.h.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <span>

#include "storage/codec/codec.h"
#include "storage/internal/checksum.h"
#include "storage/internal/chunk.h"
#include "storage/internal/coding.h"

namespace sredb::internal {
namespace {

Status Bad(const std::string& what) { return Status::Corruption(what); }

// Decodes an ints column of n values, checks each lies in [0, max], and
// appends those of [lo, hi) to *out as T.
template <typename T>
Status ReadInts(std::string_view body, size_t n, size_t lo, size_t hi, int64_t max,
                const char* name, std::vector<T>* out) {
  thread_local std::vector<int64_t> v;
  v.clear();
  if (!codec::DecodeInts(&body, &v).ok() || !body.empty() || v.size() != n) {
    return Bad(std::string("bad ") + name + " column");
  }
  for (int64_t x : v) {
    if (x < 0 || x > max) return Bad(std::string(name) + " value out of range");
  }
  out->insert(out->end(), v.begin() + lo, v.begin() + hi);
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

Status ReadOptionalFloats(std::string_view body, size_t n, size_t lo, size_t hi,
                          const char* name, std::vector<float>* out) {
  std::vector<uint8_t> present;
  size_t n_present;
  std::vector<float> values;
  if (!ReadPresence(&body, n, &present, &n_present).ok() ||
      !codec::DecodeFloats(&body, &values).ok() || !body.empty() ||
      values.size() != n_present) {
    return Bad(std::string("bad ") + name + " column");
  }
  size_t k = 0;
  for (size_t i = 0; i < lo; ++i) k += present[i];
  for (size_t i = lo; i < hi; ++i) {
    out->push_back(present[i] ? values[k++] : std::numeric_limits<float>::quiet_NaN());
  }
  return Status::OK();
}

Status ReadTraceIds(std::string_view body, size_t n, size_t lo, size_t hi,
                    std::vector<std::optional<TraceId>>* out) {
  std::vector<uint8_t> present;
  size_t n_present;
  if (!ReadPresence(&body, n, &present, &n_present).ok() ||
      body.size() != 16 * n_present) {
    return Bad("bad trace_id column");
  }
  for (size_t i = 0; i < hi; ++i) {
    if (!present[i]) {
      if (i >= lo) out->emplace_back();
      continue;
    }
    if (i >= lo) {
      TraceId t;
      std::memcpy(t.data(), body.data(), 16);
      out->push_back(t);
    }
    body.remove_prefix(16);
  }
  return Status::OK();
}

// Appends the values of rows [lo, hi) of column `c` (n rows) to *out.
Status ReadColumn(Column c, std::string_view body, size_t n, size_t lo, size_t hi,
                  Columns* out) {
  switch (c) {
    case Column::kTime:
      return Bad("time column given twice");
    case Column::kSuccess:
    case Column::kHallucinated: {
      thread_local std::vector<uint8_t> v;
      v.clear();
      bool ok = c == Column::kSuccess ? codec::DecodeBools(&body, &v).ok()
                                      : codec::DecodeSmallEnums(&body, &v).ok();
      if (!ok || !body.empty() || v.size() != n) return Bad("bad flag column");
      if (c == Column::kSuccess) {
        for (size_t i = lo; i < hi; ++i) out->success.push_back(v[i] != 0);
        return Status::OK();
      }
      for (uint8_t x : v) {
        if (x > 2) return Bad("hallucinated value out of range");
      }
      for (size_t i = lo; i < hi; ++i)
        out->hallucinated.push_back(static_cast<Tri>(v[i]));
      return Status::OK();
    }
    case Column::kLatency: {
      thread_local std::vector<float> v;
      v.clear();
      if (!codec::DecodeFloats(&body, &v).ok() || !body.empty() || v.size() != n) {
        return Bad("bad latency_ms column");
      }
      out->latency_ms.insert(out->latency_ms.end(), v.begin() + lo, v.begin() + hi);
      return Status::OK();
    }
    case Column::kTtft:
      return ReadOptionalFloats(body, n, lo, hi, "ttft_ms", &out->ttft_ms);
    case Column::kRating:
      return ReadOptionalFloats(body, n, lo, hi, "user_rating", &out->user_rating);
    case Column::kCost:
      return ReadInts(body, n, lo, hi, std::numeric_limits<int64_t>::max(), "cost",
                      &out->cost_micros);
    case Column::kTokensIn:
      return ReadInts(body, n, lo, hi, UINT32_MAX, "tokens_in", &out->tokens_in);
    case Column::kTokensOut:
      return ReadInts(body, n, lo, hi, UINT32_MAX, "tokens_out", &out->tokens_out);
    case Column::kPolicyViolations:
      return ReadInts(body, n, lo, hi, UINT16_MAX, "policy_violations",
                      &out->policy_violations);
    case Column::kToolCalls:
      return ReadInts(body, n, lo, hi, UINT16_MAX, "tool_calls", &out->tool_calls);
    case Column::kToolFailures:
      return ReadInts(body, n, lo, hi, UINT16_MAX, "tool_failures", &out->tool_failures);
    case Column::kErrorKind: {
      std::vector<std::string> v;
      if (!codec::DecodeStrings(&body, &v).ok() || !body.empty() || v.size() != n) {
        return Bad("bad error_kind column");
      }
      out->error_kind.insert(out->error_kind.end(),
                             std::make_move_iterator(v.begin() + lo),
                             std::make_move_iterator(v.begin() + hi));
      return Status::OK();
    }
    case Column::kTraceId:
      return ReadTraceIds(body, n, lo, hi, &out->trace_id);
  }
  return Bad("unknown column");
}

// Appends `count` default values of an omitted column to *out.
void AppendDefaults(Column c, size_t count, Columns* out) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  switch (c) {
    case Column::kTime:
      break;
    case Column::kSuccess:
      out->success.resize(out->success.size() + count, 0);
      break;
    case Column::kHallucinated:
      out->hallucinated.resize(out->hallucinated.size() + count, Tri::kUnknown);
      break;
    case Column::kLatency:
      out->latency_ms.resize(out->latency_ms.size() + count, 0.0f);
      break;
    case Column::kTtft:
      out->ttft_ms.resize(out->ttft_ms.size() + count, nan);
      break;
    case Column::kCost:
      out->cost_micros.resize(out->cost_micros.size() + count, 0);
      break;
    case Column::kTokensIn:
      out->tokens_in.resize(out->tokens_in.size() + count, 0);
      break;
    case Column::kTokensOut:
      out->tokens_out.resize(out->tokens_out.size() + count, 0);
      break;
    case Column::kPolicyViolations:
      out->policy_violations.resize(out->policy_violations.size() + count, 0);
      break;
    case Column::kToolCalls:
      out->tool_calls.resize(out->tool_calls.size() + count, 0);
      break;
    case Column::kToolFailures:
      out->tool_failures.resize(out->tool_failures.size() + count, 0);
      break;
    case Column::kRating:
      out->user_rating.resize(out->user_rating.size() + count, nan);
      break;
    case Column::kErrorKind:
      out->error_kind.resize(out->error_kind.size() + count);
      break;
    case Column::kTraceId:
      out->trace_id.resize(out->trace_id.size() + count);
      break;
  }
}

}  // namespace

namespace {

// Decodes what follows a chunk's version byte (and a pack's directory) up to
// the checksum, already verified and stripped. The rows fall into segments
// [offsets[i], offsets[i + 1]), each in time order (a chunk has one). With
// one segment, only rows with time in [from, to) are appended; with more,
// every row. Returns Corruption naming what is wrong.
Status DecodeBody(std::string_view chunk, int64_t partition_start, uint32_t fields,
                  std::span<const uint32_t> offsets, int64_t from, int64_t to,
                  Columns* out) {
  uint64_t count, min_off, span;
  if (!GetVarint64(&chunk, &count) || !GetVarint64(&chunk, &min_off) ||
      !GetVarint64(&chunk, &span) || chunk.size() < 2 || count == 0) {
    return Bad("bad chunk header");
  }
  if (offsets.back() != count) return Bad("pack members disagree with its row count");
  const uint16_t mask = static_cast<uint16_t>(static_cast<uint8_t>(chunk[0]) |
                                              (static_cast<uint8_t>(chunk[1]) << 8));
  chunk.remove_prefix(2);
  if (!(mask & 1) || (mask >> kColumnCount) != 0) return Bad("bad column mask");
  // The time column's decoder bounds its count by its bytes, so a lying
  // header cannot make us allocate.
  std::string_view time_body;
  thread_local std::vector<int64_t> times;
  times.clear();
  if (!GetLengthPrefixed(&chunk, &time_body) ||
      !codec::DecodeTimestamps(&time_body, &times).ok() || !time_body.empty() ||
      times.size() != count) {
    return Bad("bad time column");
  }
  // The column holds each time minus the rows' min time.
  if (__int128{partition_start} + min_off + span > std::numeric_limits<int64_t>::max()) {
    return Bad("chunk time range out of range");
  }
  const int64_t first = partition_start + static_cast<int64_t>(min_off);
  bool ordered = true;
  int64_t lowest = times.front(), highest = times.front();
  for (size_t m = 0; m + 1 < offsets.size(); ++m) {
    for (size_t i = offsets[m] + 1; ordered && i < offsets[m + 1]; ++i) {
      ordered = times[i - 1] <= times[i];
    }
    lowest = std::min(lowest, times[offsets[m]]);
    highest = std::max(highest, times[offsets[m + 1] - 1]);
  }
  if (!ordered || lowest != 0 || highest != static_cast<int64_t>(span)) {
    return Bad("chunk times disagree with its header");
  }
  for (int64_t& t : times) t += first;
  size_t lo = 0, hi = count;
  if (offsets.size() == 2) {
    lo = std::lower_bound(times.begin(), times.end(), from) - times.begin();
    hi = std::lower_bound(times.begin() + lo, times.end(), to) - times.begin();
  }
  // Only the columns asked for are decoded (the checksum above already
  // vouched for the bytes of the others).
  Columns staged;
  for (int c = 1; c < kColumnCount; ++c) {
    const bool wanted = (fields >> c) & 1;
    if (!(mask & (1u << c))) {
      if (wanted) AppendDefaults(static_cast<Column>(c), hi - lo, &staged);
      continue;
    }
    std::string_view body;
    if (!GetLengthPrefixed(&chunk, &body)) return Bad("truncated column");
    if (wanted) {
      SREDB_RETURN_IF_ERROR(
          ReadColumn(static_cast<Column>(c), body, count, lo, hi, &staged));
    }
  }
  if (!chunk.empty()) return Bad("chunk times disagree with its header");
  staged.time.assign(times.begin() + lo, times.begin() + hi);
  out->AppendColumns(std::move(staged), fields);
  return Status::OK();
}

// Appends rows [lo, hi) of `src` (columns `fields` filled) to *dst.
template <typename T>
void AppendRange(const std::vector<T>& src, size_t lo, size_t hi, std::vector<T>* dst) {
  dst->insert(dst->end(), src.begin() + lo, src.begin() + hi);
}

}  // namespace

Status DecodeChunkColumns(std::string_view chunk, int64_t partition_start,
                          uint32_t fields, int64_t from, int64_t to, Columns* out) {
  if (!CheckAndStripChecksum(&chunk)) return Bad("bad checksum");
  if (chunk.empty() || static_cast<uint8_t>(chunk[0]) != kChunkVersion) {
    return Bad("unknown chunk version");
  }
  chunk.remove_prefix(1);
  // The count is checked against the header inside; any upper bound will do.
  std::string_view peek = chunk;
  uint64_t count;
  if (!GetVarint64(&peek, &count) || count == 0 || count > UINT32_MAX) {
    return Bad("bad chunk header");
  }
  const uint32_t offsets[2] = {0, static_cast<uint32_t>(count)};
  return DecodeBody(chunk, partition_start, fields, offsets, from, to, out);
}

Status PackFirstId(std::string_view pack, uint64_t* id) {
  uint64_t m;
  if (pack.empty() || static_cast<uint8_t>(pack[0]) != kPackVersion) {
    return Bad("unknown pack version");
  }
  pack.remove_prefix(1);
  if (!GetVarint64(&pack, &m) || pack.size() < 8) return Bad("bad pack directory");
  *id = DecodeFixed64(pack.data());
  return Status::OK();
}

Status DecodePack(std::string_view pack, int64_t partition_start, uint32_t fields,
                  DecodedPack* out) {
  out->ids.clear();
  out->offsets.clear();
  out->rows.Clear();
  out->fields = fields;
  if (!CheckAndStripChecksum(&pack)) return Bad("bad checksum");
  if (pack.empty() || static_cast<uint8_t>(pack[0]) != kPackVersion) {
    return Bad("unknown pack version");
  }
  pack.remove_prefix(1);
  uint64_t m;
  // Each member takes at least two bytes, which bounds m by the input.
  if (!GetVarint64(&pack, &m) || m == 0 || pack.size() < 8 || m > pack.size() / 2) {
    return Bad("bad pack directory");
  }
  out->ids.push_back(DecodeFixed64(pack.data()));
  pack.remove_prefix(8);
  for (uint64_t i = 1; i < m; ++i) {
    uint64_t delta;
    if (!GetVarint64(&pack, &delta) || delta == 0 || out->ids.back() + delta < delta) {
      return Bad("bad pack directory");
    }
    out->ids.push_back(out->ids.back() + delta);
  }
  out->offsets.push_back(0);
  for (uint64_t i = 0; i < m; ++i) {
    uint64_t rows;
    if (!GetVarint64(&pack, &rows) || rows == 0 ||
        rows > UINT32_MAX - out->offsets.back()) {
      return Bad("bad pack directory");
    }
    out->offsets.push_back(out->offsets.back() + static_cast<uint32_t>(rows));
  }
  return DecodeBody(pack, partition_start, fields, out->offsets,
                    std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max(), &out->rows);
}

void AppendRows(const Columns& r, size_t lo, size_t hi, uint32_t fields, Columns* out) {
  if (lo == hi) return;
  AppendRange(r.time, lo, hi, &out->time);
  auto want = [fields](Field f) { return (fields & FieldBit(f)) != 0; };
  if (want(Field::kSuccess)) AppendRange(r.success, lo, hi, &out->success);
  if (want(Field::kHallucinated)) AppendRange(r.hallucinated, lo, hi, &out->hallucinated);
  if (want(Field::kLatency)) AppendRange(r.latency_ms, lo, hi, &out->latency_ms);
  if (want(Field::kTtft)) AppendRange(r.ttft_ms, lo, hi, &out->ttft_ms);
  if (want(Field::kCost)) AppendRange(r.cost_micros, lo, hi, &out->cost_micros);
  if (want(Field::kTokensIn)) AppendRange(r.tokens_in, lo, hi, &out->tokens_in);
  if (want(Field::kTokensOut)) AppendRange(r.tokens_out, lo, hi, &out->tokens_out);
  if (want(Field::kPolicyViolations)) {
    AppendRange(r.policy_violations, lo, hi, &out->policy_violations);
  }
  if (want(Field::kToolCalls)) AppendRange(r.tool_calls, lo, hi, &out->tool_calls);
  if (want(Field::kToolFailures))
    AppendRange(r.tool_failures, lo, hi, &out->tool_failures);
  if (want(Field::kRating)) AppendRange(r.user_rating, lo, hi, &out->user_rating);
  if (want(Field::kErrorKind)) AppendRange(r.error_kind, lo, hi, &out->error_kind);
  if (want(Field::kTraceId)) AppendRange(r.trace_id, lo, hi, &out->trace_id);
}

void AppendPackRows(const DecodedPack& pack, size_t m, uint32_t fields, int64_t from,
                    int64_t to, Columns* out) {
  const Columns& r = pack.rows;
  const auto first = r.time.begin() + pack.offsets[m];
  const auto last = r.time.begin() + pack.offsets[m + 1];
  const size_t lo = std::lower_bound(first, last, from) - r.time.begin();
  const size_t hi = std::lower_bound(r.time.begin() + lo, last, to) - r.time.begin();
  AppendRows(r, lo, hi, fields, out);
}

Status DecodeChunk(std::string_view chunk, int64_t partition_start,
                   std::vector<Event>* out) {
  Columns c;
  SREDB_RETURN_IF_ERROR(DecodeChunkColumns(chunk, partition_start, kAllFields,
                                           std::numeric_limits<int64_t>::min(),
                                           std::numeric_limits<int64_t>::max(), &c));
  const size_t old = out->size();
  out->resize(old + c.size());
  for (size_t i = 0; i < c.size(); ++i) c.GetRow(i, &(*out)[old + i]);
  return Status::OK();
}

}  // namespace sredb::internal
