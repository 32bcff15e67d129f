// Column codec micro benchmarks: decode speed (values/s) and size
// (bytes/value, next to the order-0 entropy) per data shape of the fleet,
// plus encode speed for sealing. Each decoded shape is one 100k-value
// column, a dense series' day partition; encoding also runs over 1000- and
// 55-value columns (the standard fleet's chunks).
//
// Run: build/bench/codec_bench [--benchmark_filter=Decode]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <span>

#include "storage/codec/codec.h"
#include "storage/codec/synthetic_data.h"

namespace sredb::codec {
namespace {

constexpr size_t kN = 100'000;

template <typename T>
void SetCounters(benchmark::State& state, const std::vector<T>& v, size_t bytes) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * v.size()));
  state.counters["bytes/value"] =
      static_cast<double>(bytes) / static_cast<double>(v.size());
  if constexpr (std::is_same_v<T, int64_t>) {
    // Timestamps (sorted epoch ns): the entropy of their differences.
    if (v.size() > 1 && v[0] > (int64_t{1} << 50) && std::is_sorted(v.begin(), v.end())) {
      std::vector<int64_t> d(v.size());
      std::adjacent_difference(v.begin(), v.end(), d.begin());
      d.erase(d.begin());
      state.counters["entropy_bytes/value"] = synthetic::EntropyBitsPerValue(d) / 8;
      return;
    }
  }
  state.counters["entropy_bytes/value"] = synthetic::EntropyBitsPerValue(v) / 8;
}

std::vector<int64_t> ToolCalls() {
  std::mt19937_64 rng(8);
  std::vector<int64_t> v(kN);
  for (auto& x : v) x = static_cast<int64_t>(rng() % 12);
  return v;
}

// Ints and timestamps decode straight into a caller buffer (the scan path).
template <auto Encode, auto DecodeTo>
void DecodeIntColumn(benchmark::State& state, const std::vector<int64_t>& v) {
  std::string buf;
  Encode(v, &buf);
  std::vector<int64_t> out(v.size());
  for (auto _ : state) {
    std::string_view in = buf;
    size_t count = 0;
    if (!DecodeTo(&in, out.data(), out.size(), &count).ok())
      state.SkipWithError("decode");
    benchmark::DoNotOptimize(out.data());
  }
  SetCounters(state, v, buf.size());
}

template <typename T, auto Encode, auto Decode>
void DecodeColumn(benchmark::State& state, const std::vector<T>& v) {
  using Out = std::conditional_t<std::is_same_v<T, std::string_view>, std::string, T>;
  std::string buf;
  Encode(v, &buf);
  std::vector<Out> out;
  out.reserve(v.size());
  for (auto _ : state) {
    out.clear();
    std::string_view in = buf;
    if (!Decode(&in, &out).ok()) state.SkipWithError("decode");
    benchmark::DoNotOptimize(out.data());
  }
  SetCounters(state, v, buf.size());
}

void BM_DecodeTimestampsMs(benchmark::State& s) {
  DecodeIntColumn<EncodeTimestamps, DecodeTimestampsTo>(s, synthetic::MsTimestamps(kN));
}
void BM_DecodeTimestampsMsVector(benchmark::State& s) {
  DecodeColumn<int64_t, EncodeTimestamps, DecodeTimestamps>(s,
                                                            synthetic::MsTimestamps(kN));
}
void BM_DecodeToolCalls(benchmark::State& s) {
  DecodeIntColumn<EncodeInts, DecodeIntsTo>(s, ToolCalls());
}
void BM_DecodeTokenCounts(benchmark::State& s) {
  DecodeIntColumn<EncodeInts, DecodeIntsTo>(s, synthetic::TokenCounts(kN));
}
void BM_DecodeLatencyMs(benchmark::State& s) {
  DecodeColumn<float, EncodeFloats, DecodeFloats>(s, synthetic::LatencyMs(kN));
}
void BM_DecodeRareBools(benchmark::State& s) {
  DecodeColumn<uint8_t, EncodeBools, DecodeBools>(s, synthetic::RareBools(kN));
}
void BM_DecodeTriStates(benchmark::State& s) {
  DecodeColumn<uint8_t, EncodeSmallEnums, DecodeSmallEnums>(s, synthetic::TriStates(kN));
}
void BM_DecodeErrorKinds(benchmark::State& s) {
  DecodeColumn<std::string_view, EncodeStrings, DecodeStrings>(s,
                                                               synthetic::ErrorKinds(kN));
}
// Encodes the kN values as columns of state.range(0) values each (sealing
// encodes one column per series and partition: ~55 values on the standard
// fleet, ~80k on the dense one), so per-call fixed costs show.
template <typename T, auto Encode>
void EncodeColumns(benchmark::State& state, const std::vector<T>& v) {
  const size_t chunk = static_cast<size_t>(state.range(0));
  std::string buf;
  size_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    for (size_t i = 0; i < v.size(); i += chunk) {
      buf.clear();
      Encode(std::span<const T>(v).subspan(i, std::min(chunk, v.size() - i)), &buf);
      bytes += buf.size();
      benchmark::DoNotOptimize(buf.data());
    }
  }
  SetCounters(state, v, bytes);
}

void BM_EncodeTimestampsMs(benchmark::State& s) {
  EncodeColumns<int64_t, EncodeTimestamps>(s, synthetic::MsTimestamps(kN));
}
void BM_EncodeToolCalls(benchmark::State& s) {
  EncodeColumns<int64_t, EncodeInts>(s, ToolCalls());
}
void BM_EncodeTokenCounts(benchmark::State& s) {
  EncodeColumns<int64_t, EncodeInts>(s, synthetic::TokenCounts(kN));
}
void BM_EncodeLatencyMs(benchmark::State& s) {
  EncodeColumns<float, EncodeFloats>(s, synthetic::LatencyMs(kN));
}
void BM_EncodeRareBools(benchmark::State& s) {
  EncodeColumns<uint8_t, EncodeBools>(s, synthetic::RareBools(kN));
}
void BM_EncodeTriStates(benchmark::State& s) {
  EncodeColumns<uint8_t, EncodeSmallEnums>(s, synthetic::TriStates(kN));
}
void BM_EncodeErrorKinds(benchmark::State& s) {
  EncodeColumns<std::string_view, EncodeStrings>(s, synthetic::ErrorKinds(kN));
}

BENCHMARK(BM_DecodeTimestampsMs);
BENCHMARK(BM_DecodeTimestampsMsVector);
BENCHMARK(BM_DecodeToolCalls);
BENCHMARK(BM_DecodeTokenCounts);
BENCHMARK(BM_DecodeLatencyMs);
BENCHMARK(BM_DecodeRareBools);
BENCHMARK(BM_DecodeTriStates);
BENCHMARK(BM_DecodeErrorKinds);
// Column sizes: a dense day partition, a 1000-value and a 55-value chunk.
#define SREDB_ENCODE_BENCHMARK(fn) BENCHMARK(fn)->Arg(kN)->Arg(1000)->Arg(55)
SREDB_ENCODE_BENCHMARK(BM_EncodeTimestampsMs);
SREDB_ENCODE_BENCHMARK(BM_EncodeToolCalls);
SREDB_ENCODE_BENCHMARK(BM_EncodeTokenCounts);
SREDB_ENCODE_BENCHMARK(BM_EncodeLatencyMs);
SREDB_ENCODE_BENCHMARK(BM_EncodeRareBools);
SREDB_ENCODE_BENCHMARK(BM_EncodeTriStates);
SREDB_ENCODE_BENCHMARK(BM_EncodeErrorKinds);

}  // namespace
}  // namespace sredb::codec
