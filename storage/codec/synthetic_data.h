// Synthetic column shapes of the target fleet, shared by the codec tests and
// bench/codec_bench.cc, and the order-0 entropy they are measured against.
// Deterministic for a given seed and standard library.
//
// Thread safety: pure functions.
#ifndef SREDB_STORAGE_CODEC_SYNTHETIC_DATA_H_
#define SREDB_STORAGE_CODEC_SYNTHETIC_DATA_H_

#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <string_view>
#include <vector>

namespace sredb::codec::synthetic {

// Event end times stamped in ms (as ns), ~1 s apart with up to 250 ms jitter,
// non-decreasing.
inline std::vector<int64_t> MsTimestamps(size_t n, uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> jitter(0, 250);
  std::vector<int64_t> v(n);
  int64_t ms = 1'767'225'600'000;  // 2026-01-01
  for (auto& t : v) t = (ms += 875 + jitter(rng)) * 1'000'000;
  return v;
}

// Task latency in ms: lognormal (median ~800 ms, sigma 0.8), 0.1 ms steps.
inline std::vector<float> LatencyMs(size_t n, uint64_t seed = 2) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(std::log(800.0), 0.8);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(std::round(dist(rng) * 10) / 10);
  return v;
}

// Token counts: lognormal (median ~1200, sigma 1.0).
inline std::vector<int64_t> TokenCounts(size_t n, uint64_t seed = 3) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(std::log(1200.0), 1.0);
  std::vector<int64_t> v(n);
  for (auto& x : v) x = static_cast<int64_t>(std::round(dist(rng)));
  return v;
}

// Booleans true with probability p.
inline std::vector<uint8_t> RareBools(size_t n, double p = 0.01, uint64_t seed = 4) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution dist(p);
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = dist(rng) ? 1 : 0;
  return v;
}

// Tri-state: 90% unknown (0), 5% false (1), 5% true (2).
inline std::vector<uint8_t> TriStates(size_t n, uint64_t seed = 5) {
  std::mt19937_64 rng(seed);
  std::discrete_distribution<int> dist({90, 5, 5});
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = static_cast<uint8_t>(dist(rng));
  return v;
}

// Error kinds: 97% empty, the rest from a handful of kinds.
inline std::vector<std::string_view> ErrorKinds(size_t n, uint64_t seed = 6) {
  static constexpr std::string_view kKinds[] = {"timeout", "rate_limited", "tool_error",
                                                "context_overflow", "refused"};
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<int> kind(0, 4);
  std::vector<std::string_view> v(n);
  for (auto& s : v) s = u(rng) < 0.97 ? std::string_view() : kKinds[kind(rng)];
  return v;
}

// Order-0 (empirical) entropy of `v` in bits per value.
template <typename T>
double EntropyBitsPerValue(const std::vector<T>& v) {
  std::map<T, size_t> freq;
  for (const T& x : v) ++freq[x];
  double bits = 0;
  for (const auto& [x, c] : freq) {
    const double p = static_cast<double>(c) / static_cast<double>(v.size());
    bits -= p * std::log2(p);
  }
  return bits;
}

}  // namespace sredb::codec::synthetic

#endif  // SREDB_STORAGE_CODEC_SYNTHETIC_DATA_H_
