// Booleans and small enums round-trip in every block shape (constant,
// packed, sparse, runs), and a decoded bool is never anything but 0 or 1.
#include <gtest/gtest.h>

#include <random>

#include "storage/codec/codec.h"
#include "storage/codec/synthetic_data.h"

namespace sredb::codec {
namespace {

size_t ExpectRoundTrip(const std::vector<uint8_t>& v, bool bools) {
  std::string buf;
  bools ? EncodeBools(v, &buf) : EncodeSmallEnums(v, &buf);
  const size_t size = buf.size();
  buf.push_back('!');
  std::string_view in = buf;
  std::vector<uint8_t> got;
  Status s = bools ? DecodeBools(&in, &got) : DecodeSmallEnums(&in, &got);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(in, "!");
  EXPECT_EQ(got, v);
  return size;
}

TEST(BoolCodec, Shapes) {
  ExpectRoundTrip({}, true);
  ExpectRoundTrip({1}, true);
  ExpectRoundTrip({0}, true);
  ExpectRoundTrip(std::vector<uint8_t>(5000, 1), true);
  std::vector<uint8_t> alt(3001), runs(3001);
  for (size_t i = 0; i < alt.size(); ++i) alt[i] = i % 2, runs[i] = (i / 300) % 2;
  ExpectRoundTrip(alt, true);
  EXPECT_LE(ExpectRoundTrip(runs, true), 60u);  // ~4 runs per block
  for (size_t n : {1023, 1024, 1025}) {
    ExpectRoundTrip(synthetic::RareBools(n), true);
    ExpectRoundTrip(synthetic::RareBools(n, 0.5), true);
    ExpectRoundTrip(synthetic::RareBools(n, 0.99), true);
  }
}

TEST(BoolCodec, RejectsOtherValues) {
  std::string buf;
  EncodeSmallEnums(std::vector<uint8_t>{0, 1, 2, 0}, &buf);
  buf[0] = static_cast<char>((buf[0] & 0xf0) | static_cast<int>(ColumnKind::kBools));
  std::string_view in = buf;
  std::vector<uint8_t> got;
  EXPECT_TRUE(DecodeBools(&in, &got).IsCorruption());
}

TEST(SmallEnumCodec, Shapes) {
  std::mt19937_64 rng(31);
  ExpectRoundTrip({}, false);
  ExpectRoundTrip({255}, false);
  ExpectRoundTrip(std::vector<uint8_t>(2000, 2), false);
  for (size_t n : {1, 2, 1023, 1024, 1025, 5000}) {
    std::vector<uint8_t> v(n);
    for (auto& x : v) x = static_cast<uint8_t>(rng());
    ExpectRoundTrip(v, false);
    for (auto& x : v) x = static_cast<uint8_t>(rng() % 3);
    ExpectRoundTrip(v, false);
    ExpectRoundTrip(synthetic::TriStates(n), false);
  }
  std::vector<uint8_t> mostly_max(3000, 255);
  mostly_max[7] = 0;
  mostly_max[2999] = 128;
  ExpectRoundTrip(mostly_max, false);
}

}  // namespace
}  // namespace sredb::codec
