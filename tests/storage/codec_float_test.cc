// Floats round-trip bit-exactly: decimals, -0.0, denormals, inf, NaN
// payloads, random bit patterns, and mixtures of ALP values and exceptions.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

#include "storage/codec/codec.h"
#include "storage/codec/synthetic_data.h"

namespace sredb::codec {
namespace {

std::vector<uint32_t> Bits(const std::vector<float>& v) {
  std::vector<uint32_t> b;
  for (float f : v) b.push_back(std::bit_cast<uint32_t>(f));
  return b;
}

size_t ExpectRoundTrip(const std::vector<float>& v) {
  std::string buf;
  EncodeFloats(v, &buf);
  const size_t size = buf.size();
  buf.push_back('!');
  std::string_view in = buf;
  std::vector<float> got;
  Status s = DecodeFloats(&in, &got);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(in, "!");
  EXPECT_EQ(Bits(got), Bits(v)) << "n=" << v.size();
  return size;
}

TEST(FloatCodec, EmptyOneAndEqual) {
  ExpectRoundTrip({});
  ExpectRoundTrip({1.5f});
  ExpectRoundTrip({-0.0f});
  ExpectRoundTrip(std::vector<float>(2000, 3.25f));
}

TEST(FloatCodec, SpecialValuesBitExact) {
  using L = std::numeric_limits<float>;
  std::vector<float> v = {0.0f,
                          -0.0f,
                          L::denorm_min(),
                          -L::denorm_min(),
                          L::min(),
                          L::max(),
                          -L::max(),
                          L::infinity(),
                          -L::infinity(),
                          L::quiet_NaN(),
                          std::bit_cast<float>(0x7fa00001u),
                          std::bit_cast<float>(0xffc12345u),
                          L::epsilon(),
                          1e-30f};
  ExpectRoundTrip(v);
  // Specials as rare exceptions among decimals.
  std::vector<float> mixed(3000);
  for (size_t i = 0; i < mixed.size(); ++i) mixed[i] = static_cast<float>(i % 50) / 10;
  for (size_t i = 0; i < v.size(); ++i) mixed[i * 200 + 3] = v[i];
  ExpectRoundTrip(mixed);
}

TEST(FloatCodec, DecimalsAreCompact) {
  std::vector<float> ratings(1024);
  for (size_t i = 0; i < ratings.size(); ++i)
    ratings[i] = 1.0f + static_cast<float>(i % 9) * 0.5f;
  EXPECT_LE(ExpectRoundTrip(ratings), 1024u / 2);  // 4 bits each at most
  std::vector<float> cents(1024);
  for (size_t i = 0; i < cents.size(); ++i)
    cents[i] = static_cast<float>(static_cast<double>(i % 700) / 100);
  EXPECT_LE(ExpectRoundTrip(cents), 1024u * 3 / 2);
}

TEST(FloatCodec, RandomBitsAndBlockBoundaries) {
  std::mt19937_64 rng(21);
  for (size_t n : {1, 2, 1023, 1024, 1025, 4000}) {
    std::vector<float> v(n);
    for (auto& f : v) f = std::bit_cast<float>(static_cast<uint32_t>(rng()));
    ExpectRoundTrip(v);
    for (auto& f : v) f = static_cast<float>(rng() % 100000) / 1000.0f;
    ExpectRoundTrip(v);
  }
}

// The decoder multiplies by 10^-e where that provably equals the defining
// division (|k| < 2^24 * 5^e) and divides elsewhere: decimals of every
// exponent at every magnitude, and the ties just past the fast range
// (k = 5 (2^24 + 1) at e = 1 is 8388608.5, which must round to even).
TEST(FloatCodec, ScaledDecimalsOfEveryExponentAndMagnitude) {
  std::mt19937_64 rng(33);
  for (int e = 0; e <= 7; ++e) {
    for (int bits = 1; bits <= 52; bits += 3) {
      std::vector<float> v(1100);
      for (auto& f : v) {
        const int64_t k =
            static_cast<int64_t>(rng() % (uint64_t{1} << bits)) * (rng() % 2 ? 1 : -1);
        f = static_cast<float>(static_cast<double>(k) / std::pow(10.0, e));
      }
      ExpectRoundTrip(v);
    }
  }
  std::vector<float> ties;
  for (int64_t d = -40; d <= 40; ++d) {
    for (int e = 1; e <= 3; ++e) {
      const double p = std::pow(10.0, e);
      const int64_t k = static_cast<int64_t>(std::ldexp(p, 24 - e) * 2) + d;
      ties.push_back(static_cast<float>(static_cast<double>(k) / p));
      ties.push_back(static_cast<float>(static_cast<double>(5 * ((1 << 24) + d)) / 10));
    }
  }
  ExpectRoundTrip(ties);
}

TEST(FloatCodec, LatencyShape) {
  ExpectRoundTrip(synthetic::LatencyMs(10000));
  ExpectRoundTrip(synthetic::LatencyMs(17));
}

}  // namespace
}  // namespace sredb::codec
