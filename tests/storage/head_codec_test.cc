// Head records round-trip every field and reject damaged bytes.
#include "storage/internal/head_codec.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "storage/internal/checksum.h"
#include "test_util.h"

namespace sredb::internal {
namespace {

constexpr int64_t kPartition = 1'772'323'200'000'000'000;

std::string Build(const std::vector<HeadEvent>& events) {
  HeadRecordBuilder b(kPartition);
  for (const HeadEvent& h : events) b.Add(h.series_id, h.event);
  return b.Finish();
}

std::vector<HeadEvent> RandomEvents(uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  std::vector<HeadEvent> out;
  for (int i = 0; i < n; ++i) {
    // Times before and after the partition start, out of order.
    int64_t t =
        kPartition + static_cast<int64_t>(rng() % (2 * kNanosPerDay)) - kNanosPerDay / 2;
    out.push_back({rng() % 7, testing::RandomEvent(rng, t)});
  }
  return out;
}

TEST(HeadCodec, RoundTripsRandomEvents) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    auto events = RandomEvents(seed, static_cast<int>(seed * 37));
    std::vector<HeadEvent> got;
    ASSERT_TRUE(DecodeHeadRecord(Build(events), kPartition, &got).ok());
    ASSERT_EQ(got.size(), events.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].series_id, events[i].series_id);
      EXPECT_EQ(got[i].event, events[i].event) << "seed " << seed << " event " << i;
    }
  }
}

TEST(HeadCodec, RoundTripsExtremes) {
  Event e;
  e.time = std::numeric_limits<int64_t>::max();
  e.cost_micros = std::numeric_limits<int64_t>::max();
  e.tokens_in = e.tokens_out = std::numeric_limits<uint32_t>::max();
  e.policy_violations = e.tool_calls = e.tool_failures = 65535;
  e.latency_ms = std::numeric_limits<float>::max();
  e.ttft_ms = 0.0f;
  e.user_rating = 5;
  e.hallucinated = Tri::kTrue;
  e.error_kind = std::string(kMaxErrorKindBytes, 'k');
  Event zero;
  std::vector<HeadEvent> events = {{~uint64_t{0}, e}, {0, zero}, {~uint64_t{0}, e}};
  std::vector<HeadEvent> got;
  ASSERT_TRUE(DecodeHeadRecord(Build(events), kPartition, &got).ok());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].event, e);
  EXPECT_EQ(got[1].event, zero);
  EXPECT_EQ(got[2].series_id, ~uint64_t{0});
}

TEST(HeadCodec, EmptyRecordDecodesToNothing) {
  std::vector<HeadEvent> got;
  ASSERT_TRUE(DecodeHeadRecord(Build({}), kPartition, &got).ok());
  EXPECT_TRUE(got.empty());
}

TEST(HeadCodec, EveryFlippedByteIsCorruption) {
  std::string record = Build(RandomEvents(7, 20));
  for (size_t i = 0; i < record.size(); ++i) {
    for (int bit : {0, 7}) {
      std::string damaged = record;
      damaged[i] ^= static_cast<char>(1 << bit);
      std::vector<HeadEvent> got;
      Status s = DecodeHeadRecord(damaged, kPartition, &got);
      ASSERT_TRUE(s.IsCorruption()) << "byte " << i;
      ASSERT_TRUE(got.empty());
    }
  }
}

TEST(HeadCodec, EveryTruncationIsCorruption) {
  std::string record = Build(RandomEvents(8, 10));
  for (size_t n = 0; n < record.size(); ++n) {
    std::vector<HeadEvent> got;
    ASSERT_TRUE(DecodeHeadRecord(record.substr(0, n), kPartition, &got).IsCorruption())
        << n;
  }
}

TEST(HeadCodec, ChecksummedGarbageIsCorruptionNotACrash) {
  std::mt19937_64 rng(9);
  for (int i = 0; i < 2000; ++i) {
    std::string junk(rng() % 64, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    if (!junk.empty()) junk[0] = 1;  // right version byte, to get past it
    std::string record = junk;
    PutFixed64(&record, Xxh3(junk));
    std::vector<HeadEvent> got;
    Status s = DecodeHeadRecord(record, kPartition, &got);
    if (!s.ok()) {
      ASSERT_TRUE(s.IsCorruption());
      ASSERT_TRUE(got.empty());
    }
  }
}

}  // namespace
}  // namespace sredb::internal
