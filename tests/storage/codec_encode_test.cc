// The encoder's fast paths round-trip: divisors found by the multiply-by-
// inverse check (powers of two, odd, huge, a divisor that fails late),
// residuals of zeros, Huffman-split blocks of every small size, and many
// small columns of the fleet shapes. Sizes are pinned in codec_size_test.cc.
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "storage/codec/codec.h"
#include "storage/codec/synthetic_data.h"

namespace sredb::codec {
namespace {

void ExpectIntsRoundTrip(const std::vector<int64_t>& v) {
  for (bool ts : {false, true}) {
    std::string buf;
    ts ? EncodeTimestamps(v, &buf) : EncodeInts(v, &buf);
    std::string_view in = buf;
    std::vector<int64_t> got;
    Status s = ts ? DecodeTimestamps(&in, &got) : DecodeInts(&in, &got);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(in.empty());
    ASSERT_EQ(got, v) << (ts ? "timestamps" : "ints") << " n=" << v.size();
  }
}

TEST(CodecEncode, DivisorsOfEveryShape) {
  std::mt19937_64 rng(71);
  const uint64_t divisors[] = {
      2,        3,       8,           1'000'000,         1'000'003,
      1u << 31, 6 << 20, 0xffffffffu, uint64_t{1} << 62, (uint64_t{1} << 63) + 1};
  for (uint64_t g : divisors) {
    for (size_t n : {2, 3, 33, 55, 1000, 1025}) {
      std::vector<int64_t> v(n);
      const int64_t base = static_cast<int64_t>(rng());
      for (auto& x : v)
        x = static_cast<int64_t>(static_cast<uint64_t>(base) + g * (rng() % 40));
      ExpectIntsRoundTrip(v);
      // The same, with one value off the divisor at the end, in the middle,
      // and at the start.
      for (size_t at : {n - 1, n / 2, size_t{0}}) {
        auto w = v;
        w[at] += 1;
        ExpectIntsRoundTrip(w);
      }
    }
  }
}

TEST(CodecEncode, ZerosThenMultiples) {
  std::vector<int64_t> v(100, 7);
  v[60] = 7 + 12, v[80] = 7 + 18;  // residuals 0 ... 12 ... 18: divisor 6
  ExpectIntsRoundTrip(v);
  v.assign(1024, 0);
  v[1023] = std::numeric_limits<int64_t>::min();
  ExpectIntsRoundTrip(v);
}

TEST(CodecEncode, SkewedBlocksOfEverySmallSize) {
  std::mt19937_64 rng(72);
  std::lognormal_distribution<double> dist(7, 1.5);
  for (size_t n = 1; n <= 300; ++n) {
    std::vector<int64_t> v(n);
    for (auto& x : v) x = static_cast<int64_t>(dist(rng));
    ExpectIntsRoundTrip(v);
  }
}

TEST(CodecEncode, ManySmallColumnsOfTheFleet) {
  const auto ts = synthetic::MsTimestamps(5000);
  const auto tokens = synthetic::TokenCounts(5000);
  const auto lat = synthetic::LatencyMs(5000);
  for (size_t chunk : {1, 7, 55, 1000}) {
    for (size_t i = 0; i < ts.size(); i += chunk) {
      const size_t n = std::min(chunk, ts.size() - i);
      ExpectIntsRoundTrip({ts.begin() + i, ts.begin() + i + n});
      ExpectIntsRoundTrip({tokens.begin() + i, tokens.begin() + i + n});
      std::string buf;
      EncodeFloats(std::span(lat).subspan(i, n), &buf);
      std::string_view in = buf;
      std::vector<float> got;
      ASSERT_TRUE(DecodeFloats(&in, &got).ok());
      ASSERT_TRUE(
          std::equal(got.begin(), got.end(), lat.begin() + i, [](float a, float b) {
            return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b);
          }));
    }
  }
}

}  // namespace
}  // namespace sredb::codec
