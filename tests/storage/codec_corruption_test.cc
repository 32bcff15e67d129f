// Every codec, looped over: a truncated stream is Corruption, a flipped byte
// is Corruption or a valid decode (never a crash or an out-of-bounds read;
// run under ASan/UBSan), garbage is refused, and lying counts cannot make
// the decoder allocate beyond what the input can encode.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "storage/codec/codec.h"
#include "storage/codec/synthetic_data.h"

namespace sredb::codec {
namespace {

struct Case {
  std::string name;
  std::string encoded;
  std::function<Status(std::string_view*)> decode;
};

template <typename T, typename Decode>
std::function<Status(std::string_view*)> Decoder(Decode decode) {
  return [decode](std::string_view* in) {
    std::vector<T> out;
    return decode(in, &out);
  };
}

std::vector<int64_t> MixedInts() {
  auto v = synthetic::TokenCounts(2100);  // split (entropy-coded) blocks
  v.insert(v.end(), 1030, -7);            // constant blocks
  for (int i = 0; i < 600; ++i) v.push_back(int64_t{1} << (i % 63));
  return v;
}

std::vector<float> MixedFloats() {
  auto v = synthetic::LatencyMs(2100);
  v[5] = -0.0f;
  v[77] = std::numeric_limits<float>::quiet_NaN();
  std::mt19937_64 rng(51);
  for (int i = 0; i < 500; ++i)
    v.push_back(std::bit_cast<float>(static_cast<uint32_t>(rng())));
  return v;
}

std::vector<uint8_t> MixedEnums() {
  auto v = synthetic::TriStates(2100);
  auto r = synthetic::RareBools(1500, 0.3);
  v.insert(v.end(), r.begin(), r.end());
  v.insert(v.end(), 1500, 3);
  return v;
}

std::vector<Case> AllCodecs() {
  std::vector<Case> cases;
  auto add = [&](std::string name, auto encode, auto decode) {
    std::string buf;
    encode(&buf);
    cases.push_back({std::move(name), std::move(buf), decode});
  };
  const auto ints = MixedInts();
  const auto ts = synthetic::MsTimestamps(2100);
  const auto floats = MixedFloats();
  const auto bools = synthetic::RareBools(2100, 0.05);
  const auto enums = MixedEnums();
  const auto strings = synthetic::ErrorKinds(2100);
  add(
      "ints", [&](std::string* b) { EncodeInts(ints, b); }, Decoder<int64_t>(DecodeInts));
  add(
      "timestamps", [&](std::string* b) { EncodeTimestamps(ts, b); },
      Decoder<int64_t>(DecodeTimestamps));
  add(
      "floats", [&](std::string* b) { EncodeFloats(floats, b); },
      Decoder<float>(DecodeFloats));
  add(
      "bools", [&](std::string* b) { EncodeBools(bools, b); },
      Decoder<uint8_t>(DecodeBools));
  add(
      "enums", [&](std::string* b) { EncodeSmallEnums(enums, b); },
      Decoder<uint8_t>(DecodeSmallEnums));
  add(
      "strings", [&](std::string* b) { EncodeStrings(strings, b); },
      Decoder<std::string>(DecodeStrings));
  add(
      "empty_ints", [&](std::string* b) { EncodeInts({}, b); },
      Decoder<int64_t>(DecodeInts));
  add(
      "short_floats",
      [&](std::string* b) { EncodeFloats(std::span(floats).first(20), b); },
      Decoder<float>(DecodeFloats));
  return cases;
}

TEST(CodecCorruption, EveryCodecDecodesItsOwnBytesExactly) {
  for (const Case& c : AllCodecs()) {
    std::string_view in = c.encoded;
    ASSERT_TRUE(c.decode(&in).ok()) << c.name;
    EXPECT_TRUE(in.empty()) << c.name;
  }
}

TEST(CodecCorruption, EveryTruncationIsCorruption) {
  for (const Case& c : AllCodecs()) {
    for (size_t len = 0; len < c.encoded.size(); ++len) {
      // An exact-size heap copy, so ASan sees any read past the end.
      std::string copy = c.encoded.substr(0, len);
      std::string_view in = copy;
      Status s = c.decode(&in);
      ASSERT_TRUE(s.IsCorruption())
          << c.name << " cut at " << len << ": " << s.ToString();
    }
  }
}

TEST(CodecCorruption, EveryByteFlipIsSafe) {
  size_t refused = 0, accepted = 0;
  for (const Case& c : AllCodecs()) {
    for (size_t i = 0; i < c.encoded.size(); ++i) {
      for (uint8_t mask : {0x01, 0x10, 0x80, 0xff}) {
        std::string copy = c.encoded;
        copy[i] = static_cast<char>(copy[i] ^ mask);
        std::string_view in = copy;
        Status s = c.decode(&in);
        ASSERT_TRUE(s.ok() || s.IsCorruption()) << c.name << " " << s.ToString();
        (s.ok() ? accepted : refused)++;
      }
    }
  }
  std::printf("byte flips: %zu refused, %zu decoded to other values\n", refused,
              accepted);
}

TEST(CodecCorruption, GarbageIsRefusedOrBounded) {
  std::mt19937_64 rng(52);
  for (const Case& c : AllCodecs()) {
    for (int round = 0; round < 2000; ++round) {
      std::string junk(rng() % 64, '\0');
      for (auto& ch : junk) ch = static_cast<char>(rng());
      if (!junk.empty() && round % 2 == 0) junk[0] = c.encoded[0];  // a valid header
      std::string_view in = junk;
      Status s = c.decode(&in);
      ASSERT_TRUE(s.ok() || s.IsCorruption()) << c.name;
    }
  }
}

TEST(CodecCorruption, LyingCountsAreRefused) {
  for (const Case& c : AllCodecs()) {
    std::string lie(1, c.encoded[0]);
    lie += std::string("\xff\xff\xff\xff\x0f", 5);  // n = 2^32 - 1
    lie += std::string(16, '\0');
    std::string_view in = lie;
    EXPECT_TRUE(c.decode(&in).IsCorruption()) << c.name;
  }
}

TEST(CodecCorruption, WrongKindOrVersionIsRefused) {
  std::string buf;
  EncodeInts(std::vector<int64_t>{1, 2, 3}, &buf);
  std::string_view in = buf;
  std::vector<float> floats;
  EXPECT_TRUE(DecodeFloats(&in, &floats).IsCorruption());
  buf[0] = static_cast<char>(buf[0] + 0x10);  // version 2
  in = buf;
  std::vector<int64_t> ints;
  Status s = DecodeInts(&in, &ints);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("version 2"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace sredb::codec
