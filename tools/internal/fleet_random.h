// Deterministic randomness for the fleet generator: xoshiro256** seeded by
// splitmix64, and distributions computed with our own log/exp so that the
// same seed yields the same bytes on every machine and compiler (fleet.h).
// Internal to tools/fleet.cc. Not thread-safe: one Rng per thread.
#ifndef SREDB_TOOLS_INTERNAL_FLEET_RANDOM_H_
#define SREDB_TOOLS_INTERNAL_FLEET_RANDOM_H_

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

// Bit-identical output needs unfused multiply-adds (see fleet.h); GCC does
// not fuse under -std=c++20, clang must be told.
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

namespace sredb::fleet::internal {

inline constexpr int kMaxToolCalls = 8;  // tool calls per task are 0..8

inline uint64_t SplitMix64(uint64_t* x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

constexpr double kLn2 = 0.6931471805599453;
constexpr double kLn2Hi = 0.6931471803691238;  // kLn2Hi + kLn2Lo = ln 2 to 1e-26
constexpr double kLn2Lo = 1.9082149292705877e-10;

// Reference ln and exp, evaluated at compile time to fill the tables below.
// ln(x) for x > 0: x = m 2^e, m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s)
// with s = (m-1)/(m+1), |s| < 0.172, summed to s^15 (error below 1e-14).
constexpr double ReferenceLog(double x) {
  uint64_t bits = std::bit_cast<uint64_t>(x);
  int e = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  double m =
      std::bit_cast<double>((bits & ((uint64_t{1} << 52) - 1)) | (uint64_t{1023} << 52));
  if (m > 1.4142135623730951) {
    m *= 0.5;
    ++e;
  }
  double s = (m - 1) / (m + 1), s2 = s * s;
  double p = 2.0 / 15;
  for (int k = 13; k >= 1; k -= 2) p = p * s2 + 2.0 / k;
  return e * kLn2 + s * p;
}

// e^r for r in [-0.35, 0.7], Taylor to r^13 (error below 1e-13).
constexpr double ReferenceExp(double r) {
  double p = 1;
  for (int i = 13; i >= 1; --i) p = 1 + p * r / i;
  return p;
}

// Tables with 64 entries: exp2[j] = 2^(j/64); for ln, log_inv[j] is 1 / the
// centre of the j-th 64th of [1, 2) and log_centre[j] = -ln(log_inv[j]).
// Being constexpr, they are computed by the compiler, identically everywhere.
struct MathTables {
  double exp2[64], log_inv[64], log_centre[64];
};
constexpr MathTables MakeMathTables() {
  MathTables t{};
  for (int j = 0; j < 64; ++j) {
    t.exp2[j] = ReferenceExp(j * kLn2 / 64);
    t.log_inv[j] = 1 / (1 + (j + 0.5) / 64);
    t.log_centre[j] = -ReferenceLog(t.log_inv[j]);
  }
  return t;
}
constexpr MathTables kMath = MakeMathTables();

// ln(x) for finite x > 0 (relative error ~1e-13): x = m 2^e, m in [1, 2),
// ln m = ln c + ln(1 + t) with c the centre of m's 64th, |t| < 1/127.
inline double Log(double x) {
  const uint64_t bits = std::bit_cast<uint64_t>(x);
  const int e = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  const int j = static_cast<int>((bits >> 46) & 63);
  const double m =
      std::bit_cast<double>((bits & ((uint64_t{1} << 52) - 1)) | (uint64_t{1023} << 52));
  const double t = m * kMath.log_inv[j] - 1;
  const double p = t * (1 + t * (-0.5 + t * (1.0 / 3 + t * (-0.25 + t * 0.2))));
  return e * kLn2 + kMath.log_centre[j] + p;
}

// e^x for x clamped to [-700, 700] (relative error ~1e-15):
// x = (64q + j) ln2/64 + r, |r| <= ln2/128, e^x = 2^q 2^(j/64) e^r.
inline double Exp(double x) {
  x = std::clamp(x, -700.0, 700.0);
  const double nf = x * (64 / kLn2);
  const int n = static_cast<int>(nf < 0 ? nf - 0.5 : nf + 0.5);
  const double r = (x - n * (kLn2Hi / 64)) - n * (kLn2Lo / 64);
  const double p =
      1 + r * (1 + r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120)))));
  const int q = n >> 6;  // floor(n / 64)
  return p * kMath.exp2[n & 63] *
         std::bit_cast<double>(static_cast<uint64_t>(q + 1023) << 52);
}

// The CDF of Poisson(mean) at 0..kMaxToolCalls-1 (the last value takes the rest).
struct PoissonCdf {
  double at[kMaxToolCalls];
  explicit PoissonCdf(double mean) {
    double p = Exp(-mean), cdf = p;
    for (int k = 0; k < kMaxToolCalls; ++k) {
      at[k] = cdf;
      p *= mean / (k + 1);
      cdf += p;
    }
  }
  int Invert(double u) const {
    int k = 0;
    while (k < kMaxToolCalls && u >= at[k]) ++k;
    return k;
  }
};

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& w : s_) w = SplitMix64(&seed);
  }
  uint64_t Next() {
    const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1), 53 bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1p-53; }
  // Uniform in [0, n), n < 2^32.
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(((Next() >> 32) * n) >> 32); }
  bool Chance(double p) { return Uniform() < p; }
  // Standard normal (Marsaglia's polar method), values cached in pairs.
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2 * Uniform() - 1;
      v = 2 * Uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    double f = std::sqrt(-2 * Log(s) / s);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
  }
  // An index drawn with probability proportional to weights[i].
  template <size_t N>
  int Pick(const double (&weights)[N]) {
    double total = 0;
    for (double w : weights) total += w;
    double u = Uniform() * total;
    for (size_t i = 0; i + 1 < N; ++i) {
      if (u < weights[i]) return static_cast<int>(i);
      u -= weights[i];
    }
    return N - 1;
  }

 private:
  uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0;
};

// Walker/Vose alias table over integer weights: O(1) exact sampling.
// Invariant: sum of weights < 2^32, so one 64-bit draw picks both the
// bucket (high half) and the coin (low half).
class AliasTable {
 public:
  void Build(const std::vector<uint64_t>& weights) {
    const uint64_t n = weights.size();
    total_ = 0;
    for (uint64_t w : weights) total_ += w;
    threshold_.assign(n, total_);
    alias_.resize(n);
    std::vector<uint64_t> scaled(n);
    std::vector<uint32_t> small, large;
    for (uint32_t i = 0; i < n; ++i) {
      scaled[i] = weights[i] * n;
      alias_[i] = i;
      (scaled[i] < total_ ? small : large).push_back(i);
    }
    while (!small.empty() && !large.empty()) {
      uint32_t s = small.back(), l = large.back();
      small.pop_back();
      threshold_[s] = scaled[s];
      alias_[s] = l;
      scaled[l] -= total_ - scaled[s];
      if (scaled[l] < total_) {
        large.pop_back();
        small.push_back(l);
      }
    }
  }
  uint32_t Sample(Rng* rng) const {
    uint64_t r = rng->Next();
    uint32_t bucket = static_cast<uint32_t>(((r >> 32) * threshold_.size()) >> 32);
    uint64_t coin = ((r & 0xffffffff) * total_) >> 32;
    return coin < threshold_[bucket] ? bucket : alias_[bucket];
  }

 private:
  uint64_t total_ = 0;
  std::vector<uint64_t> threshold_;  // take the bucket when coin < threshold
  std::vector<uint32_t> alias_;
};

}  // namespace sredb::fleet::internal

#endif  // SREDB_TOOLS_INTERNAL_FLEET_RANDOM_H_
