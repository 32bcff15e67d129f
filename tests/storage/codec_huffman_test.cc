// The Huffman entropy stage round-trips every shape of byte stream (one
// symbol, all equal, every symbol, skewed past the length limit, random,
// alternating, every count 1..1024), its size estimate is exact, and
// truncated or flipped bytes are refused or decode safely.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "storage/codec/huffman.h"

namespace sredb::codec {
namespace {

// Encodes `s`, checks the size estimate and the round trip, and returns the
// encoded bytes (followed by nothing).
std::string RoundTrip(const std::vector<uint8_t>& s) {
  const HuffmanCode code = BuildHuffmanCode(s.data(), s.size());
  for (int x = 0; x < 256; ++x) EXPECT_LE(code.len[x], kMaxCodeBits);
  std::string buf;
  EncodeHuffman(s.data(), s.size(), code, &buf);
  EXPECT_EQ(buf.size(), HuffmanBytes(s.data(), s.size(), code));
  for (bool slack : {false, true}) {  // near the end of the input, or not
    std::string in_buf = buf + (slack ? std::string(2000, '!') : "!");
    std::string_view in = in_buf;
    std::vector<uint8_t> got(s.size(), 0xee);
    EXPECT_TRUE(DecodeHuffman(&in, s.size(), got.data())) << "m=" << s.size();
    EXPECT_EQ(in.size(), in_buf.size() - buf.size());
    EXPECT_EQ(got, s) << "m=" << s.size();
  }
  return buf;
}

std::vector<uint8_t> Random(size_t m, int symbols, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> s(m);
  for (auto& x : s) x = static_cast<uint8_t>(rng() % symbols);
  return s;
}

TEST(Huffman, OneSymbolAndAllEqual) {
  for (uint8_t x : {0, 1, 77, 255}) {
    const std::string one = RoundTrip({x});
    EXPECT_LE(one.size(), 40u);
    const std::string all = RoundTrip(std::vector<uint8_t>(1024, x));
    EXPECT_EQ(all.size(), one.size());  // no streams: 0 bits per symbol
  }
}

TEST(Huffman, TwoSymbolsAndAlternating) {
  RoundTrip({0, 1});
  RoundTrip({255, 0});
  std::vector<uint8_t> alt(1024);
  for (size_t i = 0; i < alt.size(); ++i) alt[i] = i % 2 ? 200 : 3;
  const std::string buf = RoundTrip(alt);
  EXPECT_LE(buf.size(), 1024 / 8 + 60);  // one bit per symbol
}

TEST(Huffman, EverySymbolAndEveryCount) {
  std::vector<uint8_t> all(1024);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i * 7);
  RoundTrip(all);
  for (size_t m = 1; m <= kMaxHuffmanSymbols; ++m) {
    RoundTrip(Random(m, 1 + static_cast<int>(m % 256), m));
  }
}

TEST(Huffman, SkewedPastTheLengthLimit) {
  // Fibonacci-like frequencies would need codes far longer than 11 bits.
  std::vector<uint8_t> s;
  size_t a = 1, b = 1;
  for (int x = 0; s.size() < 1024 && x < 20; ++x) {
    for (size_t i = 0; i < a && s.size() < 1024; ++i)
      s.push_back(static_cast<uint8_t>(x));
    const size_t c = a + b;
    a = b, b = c;
  }
  std::shuffle(s.begin(), s.end(), std::mt19937_64(3));
  RoundTrip(s);
  // One dominant symbol and many singletons.
  std::vector<uint8_t> d(1024, 9);
  for (int i = 0; i < 200; ++i) d[i * 5] = static_cast<uint8_t>(i + 20);
  RoundTrip(d);
}

TEST(Huffman, NearEntropyOnSkewedData) {
  std::mt19937_64 rng(5);
  std::geometric_distribution<int> geo(0.2);
  std::vector<uint8_t> s(1024);
  for (auto& x : s) x = static_cast<uint8_t>(std::min(geo(rng), 255));
  std::array<double, 256> freq{};
  for (uint8_t x : s) ++freq[x];
  double bits = 0;
  for (double f : freq) bits -= f > 0 ? f * std::log2(f / 1024) : 0;
  const std::string buf = RoundTrip(s);
  EXPECT_LE(buf.size(), bits / 8 * 1.03 + 40);
}

TEST(Huffman, TruncationAndFlipsAreSafe) {
  const std::vector<uint8_t> s = Random(1000, 40, 9);
  const std::string buf = RoundTrip(s);
  std::vector<uint8_t> got(s.size());
  for (size_t len = 0; len < buf.size(); ++len) {
    std::string cut = buf.substr(0, len);
    std::string_view in = cut;
    EXPECT_FALSE(DecodeHuffman(&in, s.size(), got.data())) << "len=" << len;
  }
  for (size_t i = 0; i < buf.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flip = buf;
      flip[i] = static_cast<char>(flip[i] ^ (1 << bit));
      std::string_view in = flip;
      (void)DecodeHuffman(&in, s.size(), got.data());  // refused or garbage, no crash
    }
  }
}

TEST(Huffman, RejectsMalformedTables) {
  std::vector<uint8_t> got(16);
  // last = 1, lengths "11"+0001 "0": two codes of length 1... (0x31 << 2 | 0)
  // Incomplete code: symbols 0 and 1 of length 2 each.
  std::string incomplete = {1, static_cast<char>(0b11001001), static_cast<char>(0)};
  std::string_view in = incomplete;
  EXPECT_FALSE(DecodeHuffman(&in, got.size(), got.data()));
  // One code of length 2.
  std::string single = {0, static_cast<char>(0b11001000)};
  in = single;
  EXPECT_FALSE(DecodeHuffman(&in, got.size(), got.data()));
  // Literal length 12.
  std::string too_long = {0, static_cast<char>(0b11110000)};
  in = too_long;
  EXPECT_FALSE(DecodeHuffman(&in, got.size(), got.data()));
  std::string_view empty;
  EXPECT_FALSE(DecodeHuffman(&empty, got.size(), got.data()));
}

}  // namespace
}  // namespace sredb::codec
