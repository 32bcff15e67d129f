// Strings round-trip through the dictionary: empty columns, all-empty,
// mostly-empty, many distinct values (beyond a byte-sized dictionary) and
// binary bytes.
#include <gtest/gtest.h>

#include <random>

#include "storage/codec/codec.h"
#include "storage/codec/synthetic_data.h"

namespace sredb::codec {
namespace {

size_t ExpectRoundTrip(const std::vector<std::string_view>& v) {
  std::string buf;
  EncodeStrings(v, &buf);
  const size_t size = buf.size();
  buf.push_back('!');
  std::string_view in = buf;
  std::vector<std::string> got;
  Status s = DecodeStrings(&in, &got);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(in, "!");
  EXPECT_EQ(got.size(), v.size());
  for (size_t i = 0; i < got.size() && i < v.size(); ++i) EXPECT_EQ(got[i], v[i]);
  return size;
}

TEST(StringCodec, Shapes) {
  ExpectRoundTrip({});
  ExpectRoundTrip({""});
  ExpectRoundTrip({"timeout"});
  EXPECT_LE(ExpectRoundTrip(std::vector<std::string_view>(40, "")), 6u);
  ExpectRoundTrip({std::string_view("a\0b", 3), "", std::string_view("\xff\x00", 2)});
  for (size_t n : {1023, 1024, 1025, 5000}) ExpectRoundTrip(synthetic::ErrorKinds(n));
}

TEST(StringCodec, LargeDictionary) {
  std::vector<std::string> owned;
  for (int i = 0; i < 700; ++i)
    owned.push_back("kind_" + std::to_string(i * 7919 % 1000));
  std::vector<std::string_view> v;
  std::mt19937_64 rng(41);
  for (int i = 0; i < 3000; ++i) v.push_back(owned[rng() % owned.size()]);
  ExpectRoundTrip(v);
}

}  // namespace
}  // namespace sredb::codec
