// RollupBucket records round-trip, and damaged records are refused or
// decoded into a usable bucket, never a crash.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "rollup_test_util.h"
#include "storage/internal/coding.h"
#include "storage/rollup/rollup_bucket.h"

namespace sredb::rollup {
namespace {

constexpr int64_t kStart = 1'772'323'200'000'000'000;  // 2026-03-01T00:00:00Z

RollupBucket RandomBucket(std::mt19937_64& rng, size_t n) {
  RollupBucket b;
  for (size_t i = 0; i < n; ++i) b.AddEvent(testing::RandomRollupEvent(rng, kStart));
  return b;
}

std::string Encode(const RollupBucket& b) {
  std::string out;
  b.AppendTo(&out);
  return out;
}

Status Decode(std::string_view bytes, RollupBucket* b) { return b->DecodeFrom(&bytes); }

// A minute of one busy agent: realistic columns, most optional ones absent.
Event TypicalEvent(std::mt19937_64& rng) {
  Event e;
  e.time = kStart;
  e.success = rng() % 50 != 0;
  e.latency_ms = std::lognormal_distribution<float>(6.5, 0.7)(rng);
  e.ttft_ms = e.latency_ms * std::uniform_real_distribution<float>(0.05f, 0.3f)(rng);
  e.cost_micros = static_cast<int64_t>(std::lognormal_distribution<double>(8, 1)(rng));
  e.tokens_in = static_cast<uint32_t>(std::lognormal_distribution<double>(7, 0.8)(rng));
  e.tokens_out =
      static_cast<uint32_t>(std::lognormal_distribution<double>(5.5, 0.8)(rng));
  e.tool_calls = static_cast<uint16_t>(rng() % 6);
  e.tool_failures = static_cast<uint16_t>(rng() % 20 == 0 && e.tool_calls > 0);
  if (rng() % 10 == 0) e.hallucinated = rng() % 20 ? Tri::kFalse : Tri::kTrue;
  if (rng() % 20 == 0) e.user_rating = static_cast<float>(1 + rng() % 5);
  return e;
}

TEST(RollupBucketCoding, RoundTrips) {
  std::mt19937_64 rng(31);
  for (size_t n : {0, 1, 2, 7, 100, 2000}) {
    const RollupBucket b = RandomBucket(rng, n);
    const std::string bytes = Encode(b) + "next";
    std::string_view in = bytes;
    RollupBucket got;
    ASSERT_TRUE(got.DecodeFrom(&in).ok()) << n;
    EXPECT_EQ(in, "next");
    EXPECT_EQ(got, b);
    EXPECT_EQ(Encode(got), Encode(b));
  }
}

TEST(RollupBucketCoding, ReadsWithoutLatency) {
  std::mt19937_64 rng(35);
  for (size_t n : {0, 1, 2, 7, 100, 2000}) {
    RollupBucket b = RandomBucket(rng, n);
    const std::string bytes = Encode(b) + "next";
    std::string_view in = bytes;
    RollupBucket got;
    ASSERT_TRUE(got.DecodeFrom(&in, false).ok()) << n;
    EXPECT_EQ(in, "next");
    EXPECT_EQ(got.latency.count(), 0u);
    b.latency_sum = {};
    b.latency_sum_squares = {};
    b.latency = {};
    EXPECT_EQ(got, b);
  }
  // Every cut is still refused: the skipped parts are checked, not trusted.
  const std::string bytes = Encode(RandomBucket(rng, 300));
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::string_view in(bytes.data(), n);
    RollupBucket got;
    EXPECT_TRUE(got.DecodeFrom(&in, false).IsCorruption()) << n;
  }
}

// Five events written by the version 1 encoder (format version 2 and
// before, whose databases are still read): no latency length.
constexpr char kVersion1Bucket[] =
    "\x01\x05\xef\x07\x02\x24\x60\x6d\x03\x4a\x4e\x34\x0a\x00\x2f\x00\x00\xc8"
    "\x42\x00\x00\x7a\x43\xd2\x03\x01\x00\x78\x58\x48\x38\x04\xd0\x0f\xe8\x07"
    "\xcc\x3a\xe8\x07\x04\xce\x13\x00\xa0\x01\x90\x03\x00\x04\x0a\x00\x01\x01"
    "\x03\x00\x00\xa0\x41\x00\x00\xc0\x41\x02\x24\x40\x08\x01\x00\x00\x80\x40"
    "\x00\x00\x80\x40\x01\x24\x80\x01\x01";

RollupBucket Version1Events() {
  RollupBucket b;
  for (int i = 0; i < 5; ++i) {
    Event e;
    e.success = i != 3;
    e.latency_ms = 100.0f + 37.5f * static_cast<float>(i);
    e.cost_micros = 1000 + 250 * i;
    e.tokens_in = static_cast<uint32_t>(500 + i);
    e.tokens_out = static_cast<uint32_t>(40 * i);
    e.tool_calls = static_cast<uint16_t>(i);
    e.tool_failures = i == 4;
    if (i % 2 == 0) e.ttft_ms = 20.0f + static_cast<float>(i);
    if (i == 1) e.user_rating = 4.0f;
    e.hallucinated = i == 2 ? Tri::kTrue : (i == 0 ? Tri::kFalse : Tri::kUnknown);
    b.AddEvent(e);
  }
  return b;
}

TEST(RollupBucketCoding, ReadsVersion1) {
  const std::string v1(kVersion1Bucket, sizeof kVersion1Bucket - 1);
  const RollupBucket expected = Version1Events();
  std::string_view in = v1;
  RollupBucket got;
  ASSERT_TRUE(got.DecodeFrom(&in).ok());
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(got, expected);
  in = v1;
  ASSERT_TRUE(got.DecodeFrom(&in, false).ok());
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(got.good, 4u);
  EXPECT_EQ(got.cost_micros, expected.cost_micros);
  EXPECT_EQ(got.hallucinated_true, 1u);
  EXPECT_EQ(got.latency.count(), 0u);
  // Written again, it is version 2: one byte longer (the latency length).
  const std::string v2 = Encode(expected);
  EXPECT_EQ(v2[0], 2);
  EXPECT_EQ(v2.size(), v1.size() + 1);
  for (size_t n = 0; n < v1.size(); ++n) {
    std::string_view cut(v1.data(), n);
    EXPECT_TRUE(got.DecodeFrom(&cut).IsCorruption()) << n;
    cut = std::string_view(v1.data(), n);
    EXPECT_TRUE(got.DecodeFrom(&cut, false).IsCorruption()) << n;
  }
}

TEST(RollupBucketCoding, RefusesAWrongLatencyLength) {
  std::mt19937_64 rng(36);
  const std::string bytes = Encode(RandomBucket(rng, 40));
  ASSERT_EQ(bytes[0], 2);
  // The length is the varint after version, count and presence.
  std::string_view in = bytes;
  in.remove_prefix(1);
  uint64_t v;
  ASSERT_TRUE(internal::GetVarint64(&in, &v));  // count
  ASSERT_TRUE(internal::GetVarint64(&in, &v));  // presence
  const size_t at = bytes.size() - in.size();
  // Its first byte holds the low 7 bits: +-1 there is +-1 in the length.
  ASSERT_NE(bytes[at] & 0x7f, 0);
  ASSERT_NE(bytes[at] & 0x7f, 0x7f);
  for (int delta : {-1, 1}) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] + delta);
    RollupBucket got;
    EXPECT_TRUE(Decode(damaged, &got).IsCorruption()) << delta;
  }
}

TEST(RollupBucketCoding, RoundTripsExtremeIntegers) {
  Event e;
  e.cost_micros = INT64_MAX;
  e.tokens_in = UINT32_MAX;
  RollupBucket b;
  b.AddEvent(e);
  b.AddEvent(Event());
  b.AddEvent(e);  // the cost sum wraps modulo 2^64
  b.tool_calls = {.sum = -1, .min = INT64_MIN, .max = INT64_MAX};  // beyond any event
  RollupBucket got;
  ASSERT_TRUE(Decode(Encode(b), &got).ok());
  EXPECT_EQ(got, b);
}

TEST(RollupBucketCoding, OmitsAbsentParts) {
  Event e;  // every optional column absent, every integer 0
  e.latency_ms = 12.5f;
  RollupBucket b;
  b.AddEvent(e);
  // version, count, presence, latency length, latency sum (4), sum of
  // squares (4), sketch (14).
  EXPECT_EQ(Encode(b).size(), 26u);
  EXPECT_EQ(Encode(RollupBucket()), std::string("\x02\x00", 2));
}

TEST(RollupBucketCoding, RejectsEveryTruncation) {
  std::mt19937_64 rng(32);
  const std::string bytes = Encode(RandomBucket(rng, 300));
  for (size_t n = 0; n < bytes.size(); ++n) {
    RollupBucket got;
    EXPECT_TRUE(Decode(bytes.substr(0, n), &got).IsCorruption()) << n;
    EXPECT_EQ(got, RollupBucket());
  }
}

TEST(RollupBucketCoding, SurvivesByteFlips) {
  std::mt19937_64 rng(33);
  for (size_t n : {3, 60}) {
    const std::string bytes = Encode(RandomBucket(rng, n));
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string damaged = bytes;
        damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
        RollupBucket got;
        const Status st = Decode(damaged, &got);
        ASSERT_TRUE(st.ok() || st.IsCorruption() || st.IsNotSupported()) << st.ToString();
        if (!st.ok()) continue;
        EXPECT_LE(got.good, got.count);  // a decoded bucket is consistent and usable
        EXPECT_EQ(got.latency.count(), got.count);
        RollupBucket merged = got;
        merged.Merge(got);
        EXPECT_EQ(merged.count, 2 * got.count);
      }
    }
  }
}

TEST(RollupBucketCoding, RefusesUnknownVersion) {
  std::mt19937_64 rng(34);
  std::string bytes = Encode(RandomBucket(rng, 5));
  bytes[0] = 3;
  RollupBucket got;
  EXPECT_TRUE(Decode(bytes, &got).IsNotSupported());
}

TEST(RollupBucketCoding, RejectsInconsistentCounts) {
  Event e;
  e.success = true;
  e.hallucinated = Tri::kTrue;
  RollupBucket b;
  b.AddEvent(e);
  std::string bytes = Encode(b);
  RollupBucket got;
  ASSERT_TRUE(Decode(bytes, &got).ok());
  bytes[1] = 2;  // count 2, but the sketch holds 1 value
  EXPECT_TRUE(Decode(bytes, &got).IsCorruption());
  bytes = Encode(b);
  bytes[2] = static_cast<char>(bytes[2] | 0x40);  // presence bit 6 without its part
  EXPECT_TRUE(Decode(bytes, &got).IsCorruption());
}

TEST(RollupBucketCoding, PrintsTypicalSizes) {
  std::mt19937_64 rng(35);
  for (size_t n : {50, 3000}) {
    RollupBucket b;
    for (size_t i = 0; i < n; ++i) b.AddEvent(TypicalEvent(rng));
    std::string sketch;
    b.latency.AppendTo(&sketch);
    std::printf("typical %s bucket, %zu events: %zu bytes (latency sketch %zu)\n",
                n == 50 ? "minute" : "hour", n, Encode(b).size(), sketch.size());
  }
}

}  // namespace
}  // namespace sredb::rollup
