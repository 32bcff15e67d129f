// Rollup bucket record, version 2 (storage/FORMAT.md, "Rollup bucket"):
//
//   bucket  := u8 version (2) | varint count
//            | [varint presence | varint L | latency (L bytes) | part*]   if count > 0
//   latency := wide(latency_sum) | wide(latency_sum_squares) | sketch
//   part, one per set presence bit, in bit order:
//     bit 0  good               varint good
//     bit 1  cost_micros        int_stats
//     bit 2  tokens_in          int_stats
//     bit 3  tokens_out         int_stats
//     bit 4  policy_violations  int_stats
//     bit 5  tool_calls         int_stats
//     bit 6  tool_failures      int_stats
//     bit 7  ttft_ms            float_stats
//     bit 8  user_rating        float_stats
//     bit 9  hallucinated       varint true count | varint false count
//   A bit is set iff its part is not all zero (int_stats: sum, min and max
//   all 0; float_stats: count 0). Other bits are zero.
//   int_stats   := varint zigzag(min) | varint (max - min) | varint sum
//                  (the last two as uint64, sum modulo 2^64)
//   float_stats := varint count | fixed32 min bits | fixed32 max bits | wide(sum)
//   wide   := the ExactSum / ExactSumSquares encoding (rollup/wide_int.h)
//   sketch := the LatencySketch encoding (rollup/latency_sketch.h)
//
// Version 1 is the same without L: its latency part is read through to find
// the parts after it. L lets a reader that needs no latency (most of a
// bucket's bytes) step over it.
//
// The record carries no checksum of its own: the value that stores it ends
// in the XXH3 every sredb value carries.
#include "storage/rollup/rollup_bucket.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

#include "storage/internal/coding.h"

namespace sredb::rollup {
namespace {

// Presence bits.
constexpr uint32_t kGood = 1u << 0;
constexpr uint32_t kCost = 1u << 1;  // then tokens_in .. tool_failures: bits 2-6
constexpr uint32_t kTtft = 1u << 7;
constexpr uint32_t kRating = 1u << 8;
constexpr uint32_t kHallucinated = 1u << 9;
constexpr uint32_t kAllParts = (1u << 10) - 1;

int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

bool IsZero(const IntStats& s) { return s.sum == 0 && s.min == 0 && s.max == 0; }

}  // namespace

void IntStats::Add(int64_t v, bool first) {
  sum = WrapAdd(sum, v);
  min = first ? v : std::min(min, v);
  max = first ? v : std::max(max, v);
}

void IntStats::Merge(const IntStats& o) {
  sum = WrapAdd(sum, o.sum);
  min = std::min(min, o.min);
  max = std::max(max, o.max);
}

void FloatStats::Add(float x) {
  x += 0.0f;  // -0.0 becomes +0.0, so that min/max bits do not depend on order
  min = count == 0 ? x : std::min(min, x);
  max = count == 0 ? x : std::max(max, x);
  ++count;
  sum.Add(x);
}

void FloatStats::Merge(const FloatStats& o) {
  if (o.count == 0) return;
  min = count == 0 ? o.min : std::min(min, o.min);
  max = count == 0 ? o.max : std::max(max, o.max);
  count += o.count;
  sum.Merge(o.sum);
}

void RollupBucket::AddEvent(const Event& e) {
  const bool first = count == 0;
  ++count;
  good += e.success ? 1 : 0;
  cost_micros.Add(e.cost_micros, first);
  tokens_in.Add(e.tokens_in, first);
  tokens_out.Add(e.tokens_out, first);
  policy_violations.Add(e.policy_violations, first);
  tool_calls.Add(e.tool_calls, first);
  tool_failures.Add(e.tool_failures, first);
  latency_sum.Add(e.latency_ms);
  latency_sum_squares.Add(e.latency_ms);
  latency.Add(e.latency_ms);
  if (e.ttft_ms) ttft_ms.Add(*e.ttft_ms);
  if (e.user_rating) user_rating.Add(*e.user_rating);
  hallucinated_true += e.hallucinated == Tri::kTrue ? 1 : 0;
  hallucinated_false += e.hallucinated == Tri::kFalse ? 1 : 0;
}

void RollupBucket::Merge(const RollupBucket& o) {
  if (o.count == 0) return;
  if (count == 0) {
    *this = o;
    return;
  }
  count += o.count;
  good += o.good;
  cost_micros.Merge(o.cost_micros);
  tokens_in.Merge(o.tokens_in);
  tokens_out.Merge(o.tokens_out);
  policy_violations.Merge(o.policy_violations);
  tool_calls.Merge(o.tool_calls);
  tool_failures.Merge(o.tool_failures);
  latency_sum.Merge(o.latency_sum);
  latency_sum_squares.Merge(o.latency_sum_squares);
  latency.Merge(o.latency);
  ttft_ms.Merge(o.ttft_ms);
  user_rating.Merge(o.user_rating);
  hallucinated_true += o.hallucinated_true;
  hallucinated_false += o.hallucinated_false;
}

// ---- Encoding -------------------------------------------------------------

namespace {

void PutIntStats(std::string* dst, const IntStats& s) {
  internal::PutVarint64(
      dst, (static_cast<uint64_t>(s.min) << 1) ^ static_cast<uint64_t>(s.min >> 63));
  internal::PutVarint64(dst, static_cast<uint64_t>(s.max) - static_cast<uint64_t>(s.min));
  internal::PutVarint64(dst, static_cast<uint64_t>(s.sum));
}

bool GetIntStats(std::string_view* in, IntStats* s) {
  uint64_t zz = 0, range = 0, sum = 0;
  if (!internal::GetVarint64(in, &zz) || !internal::GetVarint64(in, &range) ||
      !internal::GetVarint64(in, &sum)) {
    return false;
  }
  s->min = static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1);
  s->max = static_cast<int64_t>(static_cast<uint64_t>(s->min) + range);
  s->sum = static_cast<int64_t>(sum);
  return s->max >= s->min;  // else min + range overflowed
}

void PutFloatStats(std::string* dst, const FloatStats& s) {
  internal::PutVarint64(dst, s.count);
  internal::PutFixed32(dst, std::bit_cast<uint32_t>(s.min));
  internal::PutFixed32(dst, std::bit_cast<uint32_t>(s.max));
  s.sum.AppendTo(dst);
}

bool GetFloat(std::string_view* in, float* v) {
  if (in->size() < 4) return false;
  *v = std::bit_cast<float>(internal::DecodeFixed32(in->data()));
  in->remove_prefix(4);
  return std::isfinite(*v) && std::bit_cast<uint32_t>(*v) != 0x80000000u;  // no -0
}

bool GetFloatStats(std::string_view* in, uint64_t bucket_count, FloatStats* s) {
  return internal::GetVarint64(in, &s->count) && s->count >= 1 &&
         s->count <= bucket_count && GetFloat(in, &s->min) && GetFloat(in, &s->max) &&
         s->min <= s->max && s->sum.DecodeFrom(in).ok();
}

// The bucket's integer columns, in presence-bit order from kCost.
template <typename Bucket>
auto IntColumns(Bucket& b) {
  return std::array{&b.cost_micros,       &b.tokens_in,  &b.tokens_out,
                    &b.policy_violations, &b.tool_calls, &b.tool_failures};
}

Status Bad(const std::string& what) {
  return Status::Corruption("rollup bucket: " + what);
}

}  // namespace

void RollupBucket::AppendTo(std::string* dst) const {
  dst->push_back(static_cast<char>(kRollupBucketVersion));
  internal::PutVarint64(dst, count);
  if (count == 0) return;
  uint32_t presence = good != 0 ? kGood : 0;
  const auto ints = IntColumns(*this);
  for (size_t i = 0; i < ints.size(); ++i) {
    if (!IsZero(*ints[i])) presence |= kCost << i;
  }
  if (ttft_ms.count != 0) presence |= kTtft;
  if (user_rating.count != 0) presence |= kRating;
  if (hallucinated_true != 0 || hallucinated_false != 0) presence |= kHallucinated;
  internal::PutVarint64(dst, presence);
  const size_t mark = dst->size();
  latency_sum.AppendTo(dst);
  latency_sum_squares.AppendTo(dst);
  latency.AppendTo(dst);
  std::string length;
  internal::PutVarint64(&length, dst->size() - mark);
  dst->insert(mark, length);
  if (presence & kGood) internal::PutVarint64(dst, good);
  for (size_t i = 0; i < ints.size(); ++i) {
    if (presence & (kCost << i)) PutIntStats(dst, *ints[i]);
  }
  if (presence & kTtft) PutFloatStats(dst, ttft_ms);
  if (presence & kRating) PutFloatStats(dst, user_rating);
  if (presence & kHallucinated) {
    internal::PutVarint64(dst, hallucinated_true);
    internal::PutVarint64(dst, hallucinated_false);
  }
}

Status RollupBucket::DecodeFrom(std::string_view* in, bool with_latency) {
  RollupBucket b;
  Status st = b.DecodeParts(in, with_latency);
  *this = st.ok() ? std::move(b) : RollupBucket();
  return st;
}

Status RollupBucket::DecodeParts(std::string_view* in, bool with_latency) {
  if (in->empty()) return Bad("empty record");
  const uint8_t version = static_cast<uint8_t>(in->front());
  in->remove_prefix(1);
  if (version != 1 && version != kRollupBucketVersion) {
    return Status::NotSupported("rollup bucket: version " + std::to_string(version) +
                                ", this code reads versions 1 and 2");
  }
  uint64_t presence = 0;
  if (!internal::GetVarint64(in, &count)) return Bad("truncated count");
  if (count == 0) return Status::OK();
  if (!internal::GetVarint64(in, &presence)) return Bad("truncated presence");
  if ((presence & ~uint64_t{kAllParts}) != 0) return Bad("unknown presence bits");
  std::string_view section = *in;  // version 1: the latency part and what follows
  if (version >= 2) {
    uint64_t length = 0;
    if (!internal::GetVarint64(in, &length) || length > in->size()) {
      return Bad("bad latency length");
    }
    section = in->substr(0, length);
    in->remove_prefix(length);
  }
  if (with_latency) {
    SREDB_RETURN_IF_ERROR(latency_sum.DecodeFrom(&section));
    SREDB_RETURN_IF_ERROR(latency_sum_squares.DecodeFrom(&section));
    SREDB_RETURN_IF_ERROR(latency.DecodeFrom(&section));
    if (latency.count() != count) return Bad("latency count differs from count");
  } else if (version == 1) {
    ExactSum sum;
    ExactSumSquares squares;
    SREDB_RETURN_IF_ERROR(sum.DecodeFrom(&section));
    SREDB_RETURN_IF_ERROR(squares.DecodeFrom(&section));
    SREDB_RETURN_IF_ERROR(LatencySketch::Skip(&section));
  } else {
    section = {};  // stepped over, unread
  }
  if (version == 1) {
    *in = section;
  } else if (!section.empty()) {
    return Bad("latency length disagrees with its parts");
  }
  if ((presence & kGood) && (!internal::GetVarint64(in, &good) || good > count)) {
    return Bad("bad good count");
  }
  const auto ints = IntColumns(*this);
  for (size_t i = 0; i < ints.size(); ++i) {
    if ((presence & (kCost << i)) && !GetIntStats(in, ints[i])) {
      return Bad("bad int stats");
    }
  }
  if ((presence & kTtft) && !GetFloatStats(in, count, &ttft_ms)) return Bad("bad ttft");
  if ((presence & kRating) && !GetFloatStats(in, count, &user_rating)) {
    return Bad("bad user_rating");
  }
  if (presence & kHallucinated) {
    if (!internal::GetVarint64(in, &hallucinated_true) ||
        !internal::GetVarint64(in, &hallucinated_false) || hallucinated_true > count ||
        hallucinated_false > count - hallucinated_true) {
      return Bad("bad hallucinated counts");
    }
  }
  return Status::OK();
}

}  // namespace sredb::rollup
