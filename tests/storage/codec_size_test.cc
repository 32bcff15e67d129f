// Compression pins on the fleet's data shapes, against their order-0
// entropy: ms stamps must not pay for ns precision, rare flags must not cost
// a bit per event, skewed latency and token counts must come close to the
// entropy floor, and small chunks pay only a few bytes of overhead.
// Prints bytes/value next to the entropy; no timing here (see bench/).
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "storage/codec/codec.h"
#include "storage/codec/synthetic_data.h"

namespace sredb::codec {
namespace {

constexpr size_t kN = 100'000;  // a dense series' day partition

template <typename T>
double Report(const char* shape, const std::vector<T>& v, size_t bytes) {
  const double bpv = static_cast<double>(bytes) / static_cast<double>(v.size());
  const double floor = synthetic::EntropyBitsPerValue(v) / 8;
  std::printf("%-28s %8.4f bytes/value  order-0 entropy %8.4f bytes/value  ratio %.3f\n",
              shape, bpv, floor, floor > 0 ? bpv / floor : 0.0);
  return floor > 0 ? bpv / floor : 0.0;
}

template <typename T, typename Encode>
size_t Size(const std::vector<T>& v, Encode encode) {
  std::string buf;
  encode(std::span<const T>(v), &buf);
  return buf.size();
}

TEST(CodecSize, MsTimestampsCostFarLessThanNs) {
  const auto ms = synthetic::MsTimestamps(kN);
  auto ns = ms;
  std::mt19937_64 rng(61);
  for (auto& t : ns) t += static_cast<int64_t>(rng() % 1'000'000);
  std::sort(ns.begin(), ns.end());
  const double ms_bpv = static_cast<double>(Size(ms, EncodeTimestamps)) / kN;
  const double ns_bpv = static_cast<double>(Size(ns, EncodeTimestamps)) / kN;
  std::printf("timestamps: ms-stamped %.4f bytes/value, ns-stamped %.4f bytes/value\n",
              ms_bpv, ns_bpv);
  EXPECT_LE(ms_bpv, 2.0);
  EXPECT_LE(ms_bpv * 2, ns_bpv);
}

TEST(CodecSize, RareBoolsCostPositionsNotBits) {
  const auto v = synthetic::RareBools(kN, 0.01);
  const double bpv = static_cast<double>(Size(v, EncodeBools)) / kN;
  Report("bools 1% true", v, Size(v, EncodeBools));
  EXPECT_LE(bpv, 0.05);
}

TEST(CodecSize, TriStatesNearEntropy) {
  const auto v = synthetic::TriStates(kN);
  EXPECT_LE(Report("tri-state 90% unknown", v, Size(v, EncodeSmallEnums)), 1.5);
}

TEST(CodecSize, LatencyNearEntropy) {
  const auto v = synthetic::LatencyMs(kN);
  EXPECT_LE(Report("latency lognormal 0.1 ms", v, Size(v, EncodeFloats)), 1.15);
}

TEST(CodecSize, TokenCountsNearEntropy) {
  const auto v = synthetic::TokenCounts(kN);
  EXPECT_LE(Report("token counts lognormal", v, Size(v, EncodeInts)), 1.15);
}

TEST(CodecSize, ErrorKindsMostlyEmpty) {
  const auto v = synthetic::ErrorKinds(kN);
  EXPECT_LE(Report("error kinds 97% empty", v, Size(v, EncodeStrings)), 1.5);
}

TEST(CodecSize, SmallChunksPayFewBytes) {
  // A sparse series: ~20 events in a day partition.
  const auto ts = synthetic::MsTimestamps(20);
  const auto lat = synthetic::LatencyMs(20);
  const auto tokens = synthetic::TokenCounts(20);
  const std::vector<uint8_t> flags(20, 0);
  const std::vector<std::string_view> kinds(20, "");
  const size_t ts_bytes = Size(ts, EncodeTimestamps);
  std::printf(
      "20-value chunk: timestamps %zu B, latency %zu B, tokens %zu B, "
      "bools %zu B, error kinds %zu B\n",
      ts_bytes, Size(lat, EncodeFloats), Size(tokens, EncodeInts),
      Size(flags, EncodeBools), Size(kinds, EncodeStrings));
  EXPECT_LE(Size(flags, EncodeBools), 4u);
  EXPECT_LE(Size(kinds, EncodeStrings), 6u);
  EXPECT_LE(ts_bytes, 8 + 10 + 20 * 2u);
}

}  // namespace
}  // namespace sredb::codec
