// Every figure of a RollupBucket equals a brute-force computation over the
// same events, whatever the arrival order and merge tree.
#include "storage/rollup/rollup_bucket.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>
#include <vector>

#include "rollup_test_util.h"

namespace sredb::rollup {
namespace {

using testing::RandomRollupEvent;
using testing::ReferenceSum;
using testing::ReferenceSumSquares;

constexpr int64_t kHour = 3'600'000'000'000;
constexpr int64_t kMinute = 60'000'000'000;
constexpr int64_t kStart = 1'772'323'200'000'000'000;  // 2026-03-01T00:00:00Z

std::vector<Event> RandomEvents(std::mt19937_64& rng, size_t n, int64_t span = kHour) {
  std::vector<Event> es;
  for (size_t i = 0; i < n; ++i) {
    es.push_back(RandomRollupEvent(rng, kStart + static_cast<int64_t>(rng() % span)));
  }
  return es;
}

RollupBucket BucketOf(const std::vector<Event>& es) {
  RollupBucket b;
  for (const Event& e : es) b.AddEvent(e);
  return b;
}

std::string Encode(const RollupBucket& b) {
  std::string out;
  b.AppendTo(&out);
  return out;
}

// Checks an integer column against a brute-force sum (mod 2^64, the events
// repeated 2^t times), min and max.
void ExpectIntColumn(const IntStats& got, const std::vector<Event>& es, int t,
                     const std::function<int64_t(const Event&)>& column,
                     const char* name) {
  unsigned __int128 sum = 0;
  int64_t lo = column(es[0]), hi = lo;
  for (const Event& e : es) {
    sum += static_cast<unsigned __int128>(column(e)) << t;
    lo = std::min(lo, column(e));
    hi = std::max(hi, column(e));
  }
  EXPECT_EQ(got.sum, static_cast<int64_t>(static_cast<uint64_t>(sum))) << name;
  EXPECT_EQ(got.min, lo) << name;
  EXPECT_EQ(got.max, hi) << name;
}

// Checks a nullable float column's count, min, max and exact sum.
void ExpectFloatColumn(const FloatStats& got, const std::vector<Event>& es, int t,
                       std::optional<float> Event::*column, const char* name) {
  std::vector<float> xs;
  for (const Event& e : es) {
    if (e.*column) xs.push_back(*(e.*column) + 0.0f);
  }
  EXPECT_EQ(got.count, xs.size() << t) << name;
  if (xs.empty()) return;
  EXPECT_EQ(got.min, *std::min_element(xs.begin(), xs.end())) << name;
  EXPECT_EQ(got.max, *std::max_element(xs.begin(), xs.end())) << name;
  EXPECT_EQ(got.sum.ToDouble(), ReferenceSum(xs, t)) << name;
}

// Checks every figure of `b` against the events `es`, each repeated 2^t times.
void ExpectMatchesBruteForce(const RollupBucket& b, const std::vector<Event>& es,
                             int t = 0) {
  const uint64_t reps = uint64_t{1} << t;
  auto count_if = [&](auto pred) {
    return static_cast<uint64_t>(std::count_if(es.begin(), es.end(), pred)) * reps;
  };
  EXPECT_EQ(b.count, es.size() * reps);
  EXPECT_EQ(b.good, count_if([](const Event& e) { return e.success; }));
  EXPECT_EQ(b.hallucinated_true,
            count_if([](const Event& e) { return e.hallucinated == Tri::kTrue; }));
  EXPECT_EQ(b.hallucinated_false,
            count_if([](const Event& e) { return e.hallucinated == Tri::kFalse; }));
  ExpectIntColumn(
      b.cost_micros, es, t, [](const Event& e) { return e.cost_micros; }, "cost");
  ExpectIntColumn(
      b.tokens_in, es, t, [](const Event& e) { return e.tokens_in; }, "tok_in");
  ExpectIntColumn(
      b.tokens_out, es, t, [](const Event& e) { return e.tokens_out; }, "tok_out");
  ExpectIntColumn(
      b.policy_violations, es, t, [](const Event& e) { return e.policy_violations; },
      "policy");
  ExpectIntColumn(
      b.tool_calls, es, t, [](const Event& e) { return e.tool_calls; }, "calls");
  ExpectIntColumn(
      b.tool_failures, es, t, [](const Event& e) { return e.tool_failures; }, "failures");
  ExpectFloatColumn(b.ttft_ms, es, t, &Event::ttft_ms, "ttft");
  ExpectFloatColumn(b.user_rating, es, t, &Event::user_rating, "rating");

  std::vector<float> lat;
  for (const Event& e : es) lat.push_back(e.latency_ms + 0.0f);
  EXPECT_EQ(b.latency_sum.ToDouble(), ReferenceSum(lat, t));
  EXPECT_EQ(b.latency_sum_squares.ToDouble(), std::ldexp(ReferenceSumSquares(lat), t));
  std::sort(lat.begin(), lat.end());
  EXPECT_EQ(b.latency.count(), b.count);
  EXPECT_EQ(b.latency_min(), lat.front());
  EXPECT_EQ(b.latency_max(), lat.back());
  for (double q : {0.0, 0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    const double exact = lat[(NearestRank(q, b.count) - 1) / reps];
    EXPECT_LE(std::fabs(*b.latency.Quantile(q) - exact), 0.01 * exact) << q;
  }
}

TEST(RollupBucket, MatchesBruteForce) {
  std::mt19937_64 rng(21);
  for (size_t n : {1, 2, 5, 50, 333, 3000}) {
    const auto es = RandomEvents(rng, n);
    ExpectMatchesBruteForce(BucketOf(es), es);
  }
}

TEST(RollupBucket, ArrivalOrderAndMergeTreeDoNotMatter) {
  std::mt19937_64 rng(22);
  auto add = [](RollupBucket& b, const Event& e) { b.AddEvent(e); };
  for (int round = 0; round < 30; ++round) {
    auto es = RandomEvents(rng, 1 + rng() % 1000);
    std::sort(es.begin(), es.end(), [](auto& a, auto& b) { return a.time < b.time; });
    const RollupBucket sorted = BucketOf(es);
    std::shuffle(es.begin(), es.end(), rng);
    EXPECT_EQ(BucketOf(es), sorted);
    const auto tree =
        testing::BuildByRandomTree<RollupBucket>(es, 0, es.size(), rng, add);
    EXPECT_EQ(tree, sorted);
    EXPECT_EQ(Encode(tree), Encode(sorted));
    ExpectMatchesBruteForce(tree, es);
  }
}

TEST(RollupBucket, MinuteBucketsMergeIntoTheHourBucket) {
  std::mt19937_64 rng(23);
  const auto es = RandomEvents(rng, 5000);
  std::vector<RollupBucket> minutes(60);
  for (const Event& e : es) minutes[(e.time - kStart) / kMinute].AddEvent(e);
  std::shuffle(minutes.begin(), minutes.end(), rng);
  RollupBucket hour;
  for (const RollupBucket& m : minutes) hour.Merge(m);
  EXPECT_EQ(hour, BucketOf(es));
  EXPECT_EQ(Encode(hour), Encode(BucketOf(es)));
  ExpectMatchesBruteForce(hour, es);
}

TEST(RollupBucket, LateEventsMergeIntoAStoredBucket) {
  std::mt19937_64 rng(24);
  const auto es = RandomEvents(rng, 1000);
  const size_t on_time = 800;
  const std::vector<Event> first(es.begin(), es.begin() + on_time);
  std::string stored = Encode(BucketOf(first));
  std::string_view in = stored;
  RollupBucket b;
  ASSERT_TRUE(b.DecodeFrom(&in).ok());
  for (size_t i = on_time; i < 900; ++i) b.AddEvent(es[i]);  // one by one
  b.Merge(BucketOf({es.begin() + 900, es.end()}));           // a late batch
  EXPECT_EQ(b, BucketOf(es));
  ExpectMatchesBruteForce(b, es);
}

TEST(RollupBucket, HugeCountsViaMerge) {
  std::mt19937_64 rng(25);
  const auto es = RandomEvents(rng, 200);
  RollupBucket b = BucketOf(es);
  for (int i = 0; i < 40; ++i) b.Merge(b);  // each event 2^40 times
  ExpectMatchesBruteForce(b, es, 40);
}

TEST(RollupBucket, EmptyBucketIsMergeIdentity) {
  std::mt19937_64 rng(26);
  const RollupBucket full = BucketOf(RandomEvents(rng, 10));
  RollupBucket b;
  b.Merge(RollupBucket());
  EXPECT_EQ(b, RollupBucket());
  b.Merge(full);
  EXPECT_EQ(b, full);
  b.Merge(RollupBucket());
  EXPECT_EQ(b, full);
}

TEST(RollupBucket, NegativeZeroDoesNotChangeBytes) {
  Event a, b;
  a.latency_ms = 0.0f;
  b.latency_ms = -0.0f;
  a.ttft_ms = 0.0f;
  b.ttft_ms = -0.0f;
  EXPECT_EQ(Encode(BucketOf({a, b})), Encode(BucketOf({b, a})));
}

}  // namespace
}  // namespace sredb::rollup
