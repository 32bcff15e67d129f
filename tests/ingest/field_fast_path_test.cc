// The fast paths of the field parsers (plain decimals parsed without the
// general code) must give exactly what the general code gives: floats
// bit for bit as std::from_chars, costs as exact decimal arithmetic,
// integers as std::from_chars with the same range errors.
#include <gtest/gtest.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>

#include "ingest/field_parse.h"

namespace sredb::ingest {
namespace {

std::string Digits(std::mt19937_64& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng() % 10);
  return s;
}

uint32_t Bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

// What ParseFloat32 must return for `text`: std::from_chars' float.
void ExpectSameFloat(const std::string& text) {
  float want = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), want);
  ASSERT_EQ(ec, std::errc()) << text;
  ASSERT_EQ(end, text.data() + text.size()) << text;
  Result<float> got = ParseFloat32("latency_ms", text);
  ASSERT_TRUE(got.ok()) << text << ": " << got.status().ToString();
  EXPECT_EQ(Bits(*got), Bits(want)) << text;
}

TEST(FieldFastPath, FloatsAgreeWithFromCharsBitForBit) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200'000; ++i) {
    std::string text = rng() % 4 == 0 ? "-" : "";
    text += Digits(rng, 1 + static_cast<int>(rng() % 9));
    if (rng() % 5 != 0) text += "." + Digits(rng, 1 + static_cast<int>(rng() % 12));
    ExpectSameFloat(text);
  }
  for (const char* text :
       {"0", "-0", "-0.0", "0.1", "16777216", "16777217", "16777215.9", "1677721.7",
        "0.0000000001", "0.00000000001", "3.4028235", "1.17549435", "000000000001.5",
        "9999999999", "1e3", "1.5e-3"}) {
    ExpectSameFloat(text);
  }
  EXPECT_EQ(Bits(ParseFloat32("x", "-0").value()), Bits(-0.0f));
}

TEST(FieldFastPath, OddFloatShapesStillGoThroughTheExactParser) {
  EXPECT_FLOAT_EQ(ParseFloat32("x", "+1.5").value(), 1.5f);
  EXPECT_FLOAT_EQ(ParseFloat32("x", ".5").value(), 0.5f);
  EXPECT_FALSE(ParseFloat32("x", "1.2.3").ok());
  EXPECT_FALSE(ParseFloat32("x", "--1").ok());
  EXPECT_FALSE(ParseFloat32("x", "-").ok());
  EXPECT_FALSE(ParseFloat32("x", "1 ").ok());
}

TEST(FieldFastPath, CostsOfPlainDecimalsAreExactMicros) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 100'000; ++i) {
    const std::string whole = Digits(rng, 1 + static_cast<int>(rng() % 12));
    const int frac_len = static_cast<int>(rng() % 7);
    const std::string frac = Digits(rng, frac_len);
    const std::string text = frac_len == 0 ? whole : whole + "." + frac;
    const int64_t want =
        std::stoll(whole) * 1'000'000 + std::stoll(frac + std::string(6 - frac_len, '0'));
    Result<int64_t> got = ParseCostMicros(text);
    ASSERT_TRUE(got.ok()) << text;
    EXPECT_EQ(*got, want) << text;
  }
  EXPECT_EQ(ParseCostMicros("0.0000005").value(), 1);  // 7 digits: rounds, exact path
  EXPECT_EQ(ParseCostMicros("999999999999.999999").value(), 999'999'999'999'999'999);
  EXPECT_EQ(ParseCostMicros("1000000000000").value(), 1'000'000'000'000'000'000);
}

TEST(FieldFastPath, UnsignedIntegersAgreeWithFromChars) {
  std::mt19937_64 rng(13);
  for (int i = 0; i < 100'000; ++i) {
    const std::string text = Digits(rng, 1 + static_cast<int>(rng() % 12));
    uint64_t want = 0;
    std::from_chars(text.data(), text.data() + text.size(), want);
    Result<uint16_t> u16 = ParseUint16("tool_calls", text);
    Result<uint32_t> u32 = ParseUint32("tokens_in", text);
    ASSERT_EQ(u16.ok(), want <= UINT16_MAX) << text;
    ASSERT_EQ(u32.ok(), want <= UINT32_MAX) << text;
    if (u16.ok()) {
      EXPECT_EQ(*u16, want) << text;
    }
    if (u32.ok()) {
      EXPECT_EQ(*u32, want) << text;
    }
  }
  EXPECT_EQ(ParseUint16("tool_calls", "65536").status().message(),
            "bad tool_calls '65536': out of range 0..65535");
}

}  // namespace
}  // namespace sredb::ingest
