#include "storage/rollup/latency_sketch.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <mutex>

#include "storage/internal/coding.h"

namespace sredb::rollup {
namespace {

constexpr double kLn2 = 0.6931471805599453094172321214581766;
constexpr double kSqrtHalf = 0.7071067811865475244008443621048490;

// ln(gamma) = 2·atanh(a) = 2·(a + a^3/3 + a^5/5 + ...), a = kBucketAlpha.
constexpr double LnGamma() {
  const double a = LatencySketch::kBucketAlpha;
  double sum = 0, power = a;
  for (int j = 1; j < 40; j += 2, power *= a * a) sum += power / j;
  return 2 * sum;
}
constexpr double kGamma =
    (1 + LatencySketch::kBucketAlpha) / (1 - LatencySketch::kBucketAlpha);
constexpr double kLnGamma = LnGamma();

// ln(x) for a finite x > 0 with absolute error < 1e-12, from exact frexp and
// ln(m) = 2·atanh(s), s = (m - 1)/(m + 1), m in [sqrt(1/2), sqrt(2)), so
// |s| < 0.1716 and the series cut after s^13 errs by < 5e-13. The cut series
// errs toward zero, so the result is monotone across the m = sqrt(1/2) seam.
double DeterministicLn(double x) {
  int e = 0;
  double m = std::frexp(x, &e);  // x = m·2^e, m in [1/2, 1)
  if (m < kSqrtHalf) {
    m *= 2;
    --e;
  }
  const double s = (m - 1) / (m + 1), s2 = s * s;
  double series = 1.0 / 13;
  for (int j = 11; j >= 1; j -= 2) series = 1.0 / j + s2 * series;
  return e * kLn2 + 2 * s * series;
}

// e^y for |y| < 710 with relative error < 1e-14: y = k·ln2 + r, |r| <= ln2/2,
// e^r by its Taylor series to r^16 (cut error < 1e-17).
double DeterministicExp(double y) {
  const double k = std::floor(y / kLn2 + 0.5);
  const double r = y - k * kLn2;
  double p = 1;
  for (int j = 16; j >= 1; --j) p = 1 + r * p / j;
  return std::ldexp(p, static_cast<int>(k));
}

}  // namespace

uint64_t NearestRank(double q, uint64_t n) {
  if (!(q > 0)) return 1;  // also NaN
  if (q >= 1) return n;
  const double x = q * static_cast<double>(n);
  double k = std::ceil(x);
  if (k > 1 && x - (k - 1) <= 1e-12 * x) k -= 1;
  if (k <= 1) return 1;
  if (k >= static_cast<double>(n)) return n;
  return static_cast<uint64_t>(k);
}

int32_t LatencySketch::BucketIndexByDefinition(float x) {
  return static_cast<int32_t>(std::ceil(DeterministicLn(x) / kLnGamma));
}

namespace {

// The boundary table of BucketIndex. A normal float's bits are exponent (8)
// | mantissa (23); each exponent's floats are cut into 128 slices by the
// top 7 mantissa bits. A slice spans less than 0.8% (2^-7) of its values,
// a bucket about 2% (ln gamma), so at most one bucket boundary falls inside
// a slice: the slice's floats from `step` (bits) on are one bucket above
// `first`, the bucket of the slice's smallest float. The index function is
// monotone (latency_sketch.h), so a binary search over the slice's bits
// finds the boundary exactly and the table agrees with the definition on
// every float.
constexpr int kSliceBits = 7;
struct Slice {
  int32_t first;
  uint32_t step;  // UINT32_MAX: no boundary inside
};
struct ExponentTable {
  std::atomic<bool> ready{false};
  Slice slices[1 << kSliceBits];
};
ExponentTable g_tables[256];
std::mutex g_table_mu;

void BuildExponent(uint32_t exponent, ExponentTable* t) {
  constexpr uint32_t kSliceFloats = uint32_t{1} << (23 - kSliceBits);
  auto index = [](uint32_t bits) {
    return LatencySketch::BucketIndexByDefinition(std::bit_cast<float>(bits));
  };
  for (uint32_t k = 0; k < (1u << kSliceBits); ++k) {
    const uint32_t lo = (exponent << 23) | (k * kSliceFloats);
    const uint32_t hi = lo + kSliceFloats - 1;
    Slice& slice = t->slices[k];
    slice.first = index(lo);
    slice.step = UINT32_MAX;
    if (index(hi) == slice.first) continue;
    uint32_t a = lo, b = hi;  // index(a) == first < index(b)
    while (b - a > 1) {
      const uint32_t mid = a + (b - a) / 2;
      (index(mid) == slice.first ? a : b) = mid;
    }
    slice.step = b;
  }
  t->ready.store(true, std::memory_order_release);
}

}  // namespace

int32_t LatencySketch::BucketIndex(float x) {
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  const uint32_t exponent = bits >> 23;
  if (exponent == 0 || exponent >= 255) return BucketIndexByDefinition(x);  // subnormal
  ExponentTable& t = g_tables[exponent];
  if (!t.ready.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(g_table_mu);
    if (!t.ready.load(std::memory_order_relaxed)) BuildExponent(exponent, &t);
  }
  const Slice& s = t.slices[(bits >> (23 - kSliceBits)) & ((1u << kSliceBits) - 1)];
  return s.first + (bits >= s.step ? 1 : 0);
}

double LatencySketch::BucketValue(int32_t i) {
  return 2 * DeterministicExp(i * kLnGamma) / (kGamma + 1);
}

void LatencySketch::Add(float x) { AddMany(std::span<const float>(&x, 1)); }

void LatencySketch::AddMany(std::span<const float> xs) {
  for (float x : xs) {
    if (!std::isfinite(x)) continue;
    x += 0.0f;  // -0.0 becomes +0.0, so that min/max bits do not depend on order
    min_ = count_ == 0 ? x : std::min(min_, x);
    max_ = count_ == 0 ? x : std::max(max_, x);
    ++count_;
    if (x <= 0) {
      ++zero_count_;
      continue;
    }
    const int32_t index = BucketIndex(x);
    const uint64_t j = static_cast<uint64_t>(int64_t{index} - offset_);
    if (j < counts_.size()) {
      ++counts_[j];  // the common case: a bucket the sketch already spans
    } else {
      Increment(index, 1);
    }
  }
}

void LatencySketch::Increment(int32_t index, uint64_t n) {
  if (counts_.empty()) {
    offset_ = index;
    counts_.assign(1, n);
    return;
  }
  if (index < offset_) {
    counts_.insert(counts_.begin(), static_cast<size_t>(offset_ - index), 0);
    offset_ = index;
  }
  const size_t j = static_cast<size_t>(index - offset_);
  if (j >= counts_.size()) counts_.resize(j + 1, 0);
  counts_[j] += n;
}

void LatencySketch::Merge(const LatencySketch& o) {
  if (&o == this) {
    const LatencySketch copy = o;
    Merge(copy);
    return;
  }
  if (o.count_ == 0) return;
  if (count_ == 0) {
    *this = o;
    return;
  }
  min_ = std::min(min_, o.min_);
  max_ = std::max(max_, o.max_);
  count_ += o.count_;
  zero_count_ += o.zero_count_;
  for (size_t j = 0; j < o.counts_.size(); ++j) {
    if (o.counts_[j] != 0) Increment(o.offset_ + static_cast<int32_t>(j), o.counts_[j]);
  }
}

std::optional<double> LatencySketch::Quantile(double q) const {
  if (count_ == 0) return std::nullopt;
  const uint64_t k = NearestRank(q, count_);
  if (k == 1) return min_;
  if (k == count_) return max_;
  double estimate = 0;  // the zero bucket's
  if (k > zero_count_) {
    uint64_t seen = zero_count_;
    for (size_t j = 0; j < counts_.size(); ++j) {
      seen += counts_[j];
      if (seen >= k) {
        estimate = BucketValue(offset_ + static_cast<int32_t>(j));
        break;
      }
    }
  }
  return std::clamp(estimate, static_cast<double>(min_), static_cast<double>(max_));
}

}  // namespace sredb::rollup
