// RollupBucket records round-trip, and damaged records are refused or
// decoded into a usable bucket, never a crash.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "rollup_test_util.h"
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
  // version, count, presence, latency sum (4), sum of squares (4), sketch (14).
  EXPECT_EQ(Encode(b).size(), 25u);
  EXPECT_EQ(Encode(RollupBucket()), std::string("\x01\x00", 2));
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
  bytes[0] = 2;
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
