// LatencySketch's byte encoding, writer and reader side by side. The grammar
// is at the top of storage/rollup/latency_sketch.h (and storage/FORMAT.md).
#include <algorithm>
#include <bit>
#include <cmath>

#include "storage/internal/coding.h"
#include "storage/rollup/latency_sketch.h"

namespace sredb::rollup {
namespace {

constexpr uint8_t kDense = 0;
constexpr uint8_t kSparse = 1;

size_t VarintLength(uint64_t v) {
  size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

Status Bad(const char* what) {
  return Status::Corruption(std::string("latency sketch: ") + what);
}

bool GetFloat(std::string_view* in, float* v) {
  if (in->size() < 4) return false;
  *v = std::bit_cast<float>(internal::DecodeFixed32(in->data()));
  in->remove_prefix(4);
  return std::isfinite(*v) && std::bit_cast<uint32_t>(*v) != 0x80000000u;  // no -0
}

// Calls fn(gap, count) for each non-empty bucket of `counts`, in order.
template <typename Fn>
void ForEachToken(const std::vector<uint64_t>& counts, Fn fn) {
  uint64_t gap = 0;
  for (uint64_t c : counts) {
    ++gap;
    if (c == 0) continue;
    fn(gap, c);
    gap = 0;
  }
}

}  // namespace

size_t LatencySketch::SparseSize() const {
  size_t n = 0;
  ForEachToken(counts_, [&n](uint64_t gap, uint64_t c) {
    n += VarintLength((gap - 1) << 3 | std::min<uint64_t>(c - 1, 7));
    if (c >= 8) n += VarintLength(c - 8);
  });
  return n;
}

void LatencySketch::EncodeSparse(std::string* dst) const {
  ForEachToken(counts_, [dst](uint64_t gap, uint64_t c) {
    internal::PutVarint64(dst, (gap - 1) << 3 | std::min<uint64_t>(c - 1, 7));
    if (c >= 8) internal::PutVarint64(dst, c - 8);
  });
}

void LatencySketch::EncodeDense(std::string* dst) const {
  for (uint64_t c : counts_) internal::PutVarint64(dst, c);
}

void LatencySketch::AppendTo(std::string* dst) const {
  internal::PutVarint64(dst, zero_count_);
  internal::PutVarint64(dst, counts_.size());
  if (count_ == 0) return;
  internal::PutFixed32(dst, std::bit_cast<uint32_t>(min_));
  internal::PutFixed32(dst, std::bit_cast<uint32_t>(max_));
  if (counts_.empty()) return;
  const int64_t first = offset_;
  internal::PutVarint64(dst, static_cast<uint64_t>((first << 1) ^ (first >> 63)));
  size_t dense = 0;
  for (uint64_t c : counts_) dense += VarintLength(c);
  if (SparseSize() < dense) {
    dst->push_back(static_cast<char>(kSparse));
    EncodeSparse(dst);
  } else {
    dst->push_back(static_cast<char>(kDense));
    EncodeDense(dst);
  }
}

Status LatencySketch::DecodeFrom(std::string_view* in) { return Decode(in, true); }

Status LatencySketch::Skip(std::string_view* in) {
  LatencySketch unused;
  return unused.Decode(in, false);
}

Status LatencySketch::Decode(std::string_view* in, bool keep_buckets) {
  LatencySketch s;
  uint64_t zero = 0, span = 0;
  if (!internal::GetVarint64(in, &zero) || !internal::GetVarint64(in, &span)) {
    *this = {};
    return Bad("truncated header");
  }
  s.count_ = s.zero_count_ = zero;
  Status st;
  if (zero != 0 || span != 0) {
    if (!GetFloat(in, &s.min_) || !GetFloat(in, &s.max_) || s.min_ > s.max_) {
      st = Bad("bad min or max");
    } else if ((zero != 0) != (s.min_ <= 0) || (span != 0) != (s.max_ > 0)) {
      st = Bad("min or max disagrees with the buckets");
    } else if (span != 0) {
      uint64_t zz = 0;
      if (!internal::GetVarint64(in, &zz)) {
        st = Bad("truncated first index");
      } else {
        const int64_t first =
            static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1);
        st = s.DecodeBuckets(in, first, span, keep_buckets);
      }
    }
  }
  *this = st.ok() ? std::move(s) : LatencySketch();
  return st;
}

// Reads the mode byte and the body for buckets first .. first + span - 1,
// keeping the counts in counts_ when keep_buckets (else only count_).
Status LatencySketch::DecodeBuckets(std::string_view* in, int64_t first, uint64_t span,
                                    bool keep_buckets) {
  if (first < kMinIndex || first > kMaxIndex ||
      span > static_cast<uint64_t>(kMaxIndex - first + 1)) {
    return Bad("bucket index out of range");
  }
  if (in->empty()) return Bad("truncated mode");
  const uint8_t mode = static_cast<uint8_t>(in->front());
  in->remove_prefix(1);
  if (mode != kDense && mode != kSparse) return Bad("unknown mode");
  offset_ = static_cast<int32_t>(first);
  if (!keep_buckets && mode == kDense) {
    // Skipping: find the end of `span` varints, the first and last non-zero.
    const char* p = in->data();
    const char* const end = p + in->size();
    if (p == end || *p == 0) return Bad("empty end bucket");
    const char* last = p;  // the first byte of the current varint
    for (uint64_t k = 0; k < span; ++k) {
      last = p;
      while (p != end && (static_cast<uint8_t>(*p) & 0x80) != 0) ++p;
      if (p == end) return Bad("truncated count");
      ++p;
    }
    if (*last == 0) return Bad("empty end bucket");
    in->remove_prefix(static_cast<size_t>(p - in->data()));
    return Status::OK();
  }
  if (keep_buckets) counts_.assign(span, 0);
  uint64_t front = 0, back = 0;  // the counts of the first and last bucket
  uint64_t j = 0;                // the next bucket to fill
  while (j < span) {
    uint64_t c = 0;
    if (mode == kDense) {
      if (!internal::GetVarint64(in, &c)) return Bad("truncated count");
    } else {
      uint64_t token = 0, extra = 0;
      if (!internal::GetVarint64(in, &token)) return Bad("truncated token");
      if ((token >> 3) >= span - j) return Bad("bucket past the last");
      j += token >> 3;
      c = (token & 7) + 1;
      if (c == 8 &&
          (!internal::GetVarint64(in, &extra) || __builtin_add_overflow(c, extra, &c))) {
        return Bad("bad count");
      }
    }
    if (j == 0) front = c;
    if (j == span - 1) back = c;
    if (keep_buckets) counts_[j] = c;
    ++j;
    if (__builtin_add_overflow(count_, c, &count_)) return Bad("count overflows");
  }
  if (front == 0 || back == 0) return Bad("empty end bucket");
  return Status::OK();
}

}  // namespace sredb::rollup
