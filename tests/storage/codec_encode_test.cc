// The encoder's fast paths round-trip: divisors found by the multiply-by-
// inverse check (powers of two, odd, huge, a divisor that fails late),
// residuals of zeros, Huffman-split blocks of every small size, and many
// small columns of the fleet shapes. Sizes are pinned in codec_size_test.cc.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <string>

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

void ExpectFloatsRoundTrip(const std::vector<float>& v) {
  std::string buf;
  EncodeFloats(v, &buf);
  std::string_view in = buf;
  std::vector<float> got;
  ASSERT_TRUE(DecodeFloats(&in, &got).ok());
  ASSERT_TRUE(in.empty());
  ASSERT_EQ(got.size(), v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    ASSERT_EQ(std::bit_cast<uint32_t>(got[i]), std::bit_cast<uint32_t>(v[i])) << i;
  }
}

TEST(CodecEncode, FloatExponentsAndEdges) {
  std::mt19937_64 rng(73);
  // Decimals of every exponent, each block led by values of another one
  // (the sampled guess is wrong), near the rounding limits and at ties.
  for (int e = 0; e <= 8; ++e) {
    std::vector<float> v(1024);
    for (auto& x : v) {
      x = static_cast<float>(
          static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000) /
          std::pow(10.0, e));
    }
    for (int i = 0; i < 8; ++i) v[i] = static_cast<float>(i) * 0.5f;
    ExpectFloatsRoundTrip(v);
  }
  std::vector<float> edges = {0x1p51f,
                              -0x1p51f,
                              0x1p50f * 1.5f,
                              2.5f,
                              0.5f,
                              -0.5f,
                              1.5e-7f,
                              0.0f,
                              -0.0f,
                              1e30f,
                              -1e-30f,
                              std::numeric_limits<float>::infinity(),
                              std::numeric_limits<float>::quiet_NaN(),
                              std::numeric_limits<float>::denorm_min()};
  for (size_t n = 1; n <= edges.size(); ++n) {
    ExpectFloatsRoundTrip({edges.begin(), edges.begin() + n});
  }
  std::vector<float> halves(600);
  for (size_t i = 0; i < halves.size(); ++i) halves[i] = static_cast<float>(i) + 0.5f;
  ExpectFloatsRoundTrip(halves);
  std::vector<float> constant(100, 1234.5678f);
  ExpectFloatsRoundTrip(constant);
}

TEST(CodecEncode, StringDictionariesAroundTheLinearScanLimit) {
  std::mt19937_64 rng(74);
  std::vector<std::string> pool;
  for (int i = 0; i < 300; ++i) pool.push_back(i == 0 ? "" : "kind" + std::to_string(i));
  for (size_t distinct : {1, 2, 15, 16, 17, 18, 40, 256, 257, 300}) {
    for (size_t n : {1, 55, 1000, 2500}) {
      std::vector<std::string_view> v(n);
      for (size_t i = 0; i < n; ++i) v[i] = pool[i < distinct ? i : rng() % distinct];
      std::string buf;
      EncodeStrings(v, &buf);
      std::string_view in = buf;
      std::vector<std::string> got;
      ASSERT_TRUE(DecodeStrings(&in, &got).ok());
      ASSERT_TRUE(in.empty());
      ASSERT_TRUE(std::equal(v.begin(), v.end(), got.begin(), got.end()))
          << distinct << " " << n;
    }
  }
}

TEST(CodecEncode, EnumBlocksOfEveryLayout) {
  std::mt19937_64 rng(75);
  for (int shape = 0; shape < 4; ++shape) {
    for (size_t n : {1, 2, 33, 55, 1024, 3000}) {
      std::vector<uint8_t> v(n);
      for (size_t i = 0; i < n; ++i) {
        switch (shape) {
          case 0:
            v[i] = static_cast<uint8_t>(rng());
            break;  // packed
          case 1:
            v[i] = rng() % 50 == 0 ? 200 : 7;
            break;  // sparse
          case 2:
            v[i] = static_cast<uint8_t>((i / 100) % 3);
            break;  // runs
          default:
            v[i] = static_cast<uint8_t>(rng() % 3);
            break;
        }
      }
      std::string buf;
      EncodeSmallEnums(v, &buf);
      std::string_view in = buf;
      std::vector<uint8_t> got;
      ASSERT_TRUE(DecodeSmallEnums(&in, &got).ok());
      ASSERT_TRUE(in.empty());
      ASSERT_EQ(got, v) << shape << " " << n;
    }
  }
}

}  // namespace
}  // namespace sredb::codec
