// Entropy-coded int blocks: the Huffman layout round-trips skewed shapes of
// every width (with DELTA, GCD and timestamps' running sums), is chosen
// where it pays, and blocks written by earlier builds (layout 2, zstd) still
// decode.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "storage/codec/bitpack.h"
#include "storage/codec/codec.h"
#include "storage/codec/entropy.h"
#include "storage/codec/synthetic_data.h"
#include "storage/internal/coding.h"

namespace sredb::codec {
namespace {

std::vector<int64_t> RoundTripInts(const std::vector<int64_t>& v, size_t* bytes) {
  std::string buf;
  EncodeInts(v, &buf);
  *bytes = buf.size();
  std::string_view in = buf;
  std::vector<int64_t> got;
  EXPECT_TRUE(DecodeInts(&in, &got).ok());
  EXPECT_TRUE(in.empty());
  std::string ts;
  EncodeTimestamps(v, &ts);
  in = ts;
  std::vector<int64_t> flat(v.size());
  size_t count = 0;
  EXPECT_TRUE(DecodeTimestampsTo(&in, flat.data(), flat.size(), &count).ok());
  EXPECT_EQ(flat, v);
  return got;
}

// Lognormal values at every scale: the high bytes are skewed, the low bits
// near uniform, so the Huffman layout wins at every width w (k = w-8..w-1).
TEST(EntropyBlock, SkewedValuesOfEveryWidth) {
  std::mt19937_64 rng(7);
  for (int scale = 0; scale < 62; scale += 3) {
    std::lognormal_distribution<double> dist(0, 1.0);
    std::vector<int64_t> v(3000);
    for (auto& x : v) {  // clamped below 2^62: converting more to int64 is undefined
      x = static_cast<int64_t>(std::min(std::ldexp(dist(rng), scale), 0x1p62)) -
          (scale % 2);
    }
    size_t bytes;
    EXPECT_EQ(RoundTripInts(v, &bytes), v) << "scale " << scale;
  }
}

TEST(EntropyBlock, DivisorsAndDeltas) {
  std::mt19937_64 rng(8);
  std::geometric_distribution<int> geo(0.05);
  std::vector<int64_t> v(5000);
  int64_t t = 1'767'225'600'000'000'000;
  for (auto& x : v) x = (t += 1'000'000 * (1 + geo(rng)));  // skewed ms steps
  size_t bytes;
  EXPECT_EQ(RoundTripInts(v, &bytes), v);
  std::vector<int64_t> w(5000);
  for (auto& x : w) x = -7 + 12 * static_cast<int64_t>(geo(rng));  // gcd 12
  EXPECT_EQ(RoundTripInts(w, &bytes), w);
}

TEST(EntropyBlock, HuffmanBeatsPackingOnSkewedSmallValues) {
  std::mt19937_64 rng(9);
  std::vector<int64_t> v(1024);
  for (auto& x : v) x = rng() % 100 < 90 ? 0 : static_cast<int64_t>(rng() % 16);
  size_t bytes;
  EXPECT_EQ(RoundTripInts(v, &bytes), v);
  EXPECT_LT(bytes, 1024 * 4 / 8 / 2);  // well under 4 packed bits per value
}

// Builds an ints column of one layout-2 (zstd) block as earlier builds wrote
// it: base 0, width w, low k bits packed, the high bytes as a zstd frame.
TEST(EntropyBlock, OldZstdBlocksStillDecode) {
  std::mt19937_64 rng(10);
  std::vector<uint64_t> r(700);
  for (auto& x : r) x = (rng() % 4 == 0 ? rng() % 200 : rng() % 3) << 6 | (rng() % 64);
  const int w = 14, k = 6;
  std::string buf;
  buf.push_back(static_cast<char>((kFormatVersion << 4) | 2));
  internal::PutVarint64(&buf, r.size());
  buf.push_back(2);                // layout 2, no DELTA, no GCD
  internal::PutVarint64(&buf, 0);  // zigzag(base)
  buf.push_back(static_cast<char>(w));
  buf.push_back(static_cast<char>(k));
  std::vector<uint64_t> low(r.size());
  std::string high;
  for (size_t i = 0; i < r.size(); ++i) {
    low[i] = r[i] & 63;
    high.push_back(static_cast<char>(r[i] >> k));
  }
  PackBits(low.data(), low.size(), k, &buf);
  std::string frame;
  ZstdCompress(high, &frame);
  internal::PutLengthPrefixed(&buf, frame);
  std::string_view in = buf;
  std::vector<int64_t> got;
  ASSERT_TRUE(DecodeInts(&in, &got).ok());
  EXPECT_TRUE(in.empty());
  ASSERT_EQ(got.size(), r.size());
  for (size_t i = 0; i < r.size(); ++i) EXPECT_EQ(static_cast<uint64_t>(got[i]), r[i]);
}

TEST(EntropyBlock, FleetShapesDecodeToTheirValues) {
  const auto tokens = synthetic::TokenCounts(20'000);
  size_t bytes;
  EXPECT_EQ(RoundTripInts(tokens, &bytes), tokens);
  EXPECT_LT(static_cast<double>(bytes) / tokens.size(),
            synthetic::EntropyBitsPerValue(tokens) / 8 * 1.1);
}

}  // namespace
}  // namespace sredb::codec
