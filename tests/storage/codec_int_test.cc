// Ints and timestamps round-trip every shape: empty, one value, all equal,
// extremes, alternating, monotone, overflowing differences, ms stamps,
// negatives, every bit width and block boundaries.
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "storage/codec/codec.h"
#include "storage/codec/synthetic_data.h"

namespace sredb::codec {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// Round-trips `v` as ints and as timestamps, with a trailing sentinel byte
// that must be left unconsumed.
void ExpectRoundTrip(const std::vector<int64_t>& v) {
  for (bool ts : {false, true}) {
    std::string buf;
    ts ? EncodeTimestamps(v, &buf) : EncodeInts(v, &buf);
    buf.push_back('!');
    std::string_view in = buf;
    std::vector<int64_t> got = {42};  // decoders append
    Status s = ts ? DecodeTimestamps(&in, &got) : DecodeInts(&in, &got);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(in, "!");
    got.erase(got.begin());
    ASSERT_EQ(got, v) << (ts ? "timestamps" : "ints") << " n=" << v.size();
    // The caller-buffer path agrees.
    in = buf;
    std::vector<int64_t> flat(v.size() + 1);
    size_t count = 0;
    s = ts ? DecodeTimestampsTo(&in, flat.data(), flat.size(), &count)
           : DecodeIntsTo(&in, flat.data(), flat.size(), &count);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(count, v.size());
    flat.resize(count);
    ASSERT_EQ(flat, v);
  }
}

TEST(IntCodec, EmptyAndOne) {
  ExpectRoundTrip({});
  ExpectRoundTrip({0});
  ExpectRoundTrip({kMin});
  ExpectRoundTrip({kMax});
  std::string buf;
  EncodeInts({}, &buf);
  EXPECT_EQ(buf.size(), 2u);  // header and count
}

TEST(IntCodec, AllEqual) {
  for (int64_t x : {int64_t{0}, int64_t{-5}, kMin, kMax}) {
    ExpectRoundTrip(std::vector<int64_t>(3000, x));
  }
}

TEST(IntCodec, Extremes) {
  ExpectRoundTrip({kMin, kMax, kMin, kMax, 0, -1, 1});
  ExpectRoundTrip({kMax, kMin});
  std::vector<int64_t> alt(2049);
  for (size_t i = 0; i < alt.size(); ++i) alt[i] = i % 2 ? kMax : kMin;
  ExpectRoundTrip(alt);
}

TEST(IntCodec, MonotoneAndNegative) {
  std::vector<int64_t> up(5000), down(5000), neg(5000);
  for (size_t i = 0; i < up.size(); ++i) {
    up[i] = static_cast<int64_t>(i * 3);
    down[i] = 1'000'000 - static_cast<int64_t>(i * i);
    neg[i] = -static_cast<int64_t>(i % 97) - 1'000'000'000'000;
  }
  ExpectRoundTrip(up);
  ExpectRoundTrip(down);
  ExpectRoundTrip(neg);
}

TEST(IntCodec, HugeDifferencesWrap) {
  ExpectRoundTrip({kMin, kMax, 0, kMin + 1, kMax - 1, -1, kMin});
  std::vector<int64_t> v = {kMax, kMin};
  for (int i = 0; i < 100; ++i) v.push_back(v[v.size() - 2]);
  ExpectRoundTrip(v);
}

TEST(IntCodec, EveryBitWidth) {
  std::mt19937_64 rng(11);
  for (int w = 0; w <= 64; ++w) {
    std::vector<int64_t> v(300);
    for (auto& x : v)
      x = static_cast<int64_t>(w == 64 ? rng() : rng() & ((uint64_t{1} << w) - 1));
    ExpectRoundTrip(v);
    for (auto& x : v) x = -x;
    ExpectRoundTrip(v);
  }
}

TEST(IntCodec, BlockBoundaries) {
  std::mt19937_64 rng(12);
  for (size_t n : {1023, 1024, 1025, 2047, 2048, 2049}) {
    std::vector<int64_t> v(n);
    for (auto& x : v) x = static_cast<int64_t>(rng() % 1000) - 500;
    ExpectRoundTrip(v);
    ExpectRoundTrip(synthetic::MsTimestamps(n));
  }
}

TEST(IntCodec, CommonDivisors) {
  std::vector<int64_t> v(2000);
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<int64_t>(i % 13) * 1'000'000 + 7;
  ExpectRoundTrip(v);
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = kMin + static_cast<int64_t>(i) * (int64_t{1} << 40);
  ExpectRoundTrip(v);
}

TEST(IntCodec, RandomShapes) {
  std::mt19937_64 rng(13);
  for (int round = 0; round < 40; ++round) {
    std::vector<int64_t> v(rng() % 3000);
    const int shift = static_cast<int>(rng() % 64);
    for (auto& x : v) x = static_cast<int64_t>(rng()) >> shift;
    if (round % 3 == 0) std::sort(v.begin(), v.end());
    ExpectRoundTrip(v);
  }
  ExpectRoundTrip(synthetic::TokenCounts(5000));
}

TEST(TimestampCodec, MsTimestampsAnyOrder) {
  auto v = synthetic::MsTimestamps(3000);
  ExpectRoundTrip(v);
  std::shuffle(v.begin(), v.end(), std::mt19937_64(14));
  ExpectRoundTrip(v);
  std::vector<int64_t> same_ns(100, 1'767'225'600'000'000'000);  // ties are allowed
  ExpectRoundTrip(same_ns);
}

TEST(IntCodec, CallerBufferTooSmall) {
  std::string buf;
  EncodeInts(std::vector<int64_t>(10, 1), &buf);
  std::string_view in = buf;
  int64_t out[5];
  size_t count = 0;
  EXPECT_TRUE(DecodeIntsTo(&in, out, 5, &count).IsResourceExhausted());
  EXPECT_EQ(in.size(), buf.size());  // nothing consumed
  uint64_t n = 0;
  ASSERT_TRUE(PeekCount(buf, &n).ok());
  EXPECT_EQ(n, 10u);
}

}  // namespace
}  // namespace sredb::codec
