// LatencySketch answers nearest-rank quantiles within 1% of the exact value,
// merges to identical bytes in any order, and decodes damaged bytes safely.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <random>
#include <vector>

#include "rollup_test_util.h"
#include "storage/rollup/latency_sketch.h"

namespace sredb::rollup {
namespace {

LatencySketch SketchOf(const std::vector<float>& xs) {
  LatencySketch s;
  for (float x : xs) s.Add(x);
  return s;
}

std::string Encode(const LatencySketch& s) {
  std::string out;
  s.AppendTo(&out);
  return out;
}

// The quantiles a test asks for: fixed ones plus random ones.
std::vector<double> Quantiles(std::mt19937_64& rng) {
  std::vector<double> qs = {0,    1e-6, 0.001, 0.01, 0.05,  0.1,    0.25,     0.5,
                            0.75, 0.9,  0.95,  0.99, 0.999, 0.9999, 1 - 1e-9, 1};
  std::uniform_real_distribution<double> u(0, 1);
  for (int i = 0; i < 100; ++i) qs.push_back(u(rng));
  return qs;
}

// Checks every quantile of a sketch of xs against exact nearest rank.
void ExpectWithinOnePercent(std::vector<float> xs, std::mt19937_64& rng) {
  const LatencySketch s = SketchOf(xs);
  std::sort(xs.begin(), xs.end());
  for (double q : Quantiles(rng)) {
    const double exact = xs[NearestRank(q, xs.size()) - 1];
    const double got = *s.Quantile(q);
    ASSERT_LE(std::fabs(got - exact), LatencySketch::kRelativeAccuracy * exact)
        << "q=" << q << " n=" << xs.size() << " exact=" << exact << " got=" << got;
  }
  EXPECT_EQ(*s.Quantile(0), xs.front());
  EXPECT_EQ(*s.Quantile(1), xs.back());
}

std::vector<float> Draw(std::mt19937_64& rng, size_t n, auto dist) {
  std::vector<float> xs;
  for (size_t i = 0; i < n; ++i) xs.push_back(std::fabs(static_cast<float>(dist(rng))));
  return xs;
}

TEST(NearestRank, FollowsQueryMd) {
  EXPECT_EQ(NearestRank(0.5, 10), 5u);
  EXPECT_EQ(NearestRank(0.51, 10), 6u);
  EXPECT_EQ(NearestRank(0.07, 100), 7u);  // 0.07·100 rounds a little above 7
  EXPECT_EQ(NearestRank(0.99, 100), 99u);
  EXPECT_EQ(NearestRank(0.999, 10), 10u);
  EXPECT_EQ(NearestRank(0, 10), 1u);
  EXPECT_EQ(NearestRank(1e-9, 10), 1u);
  EXPECT_EQ(NearestRank(1, 10), 10u);
  EXPECT_EQ(NearestRank(0.5, 1), 1u);
  EXPECT_EQ(NearestRank(0.3, 3), 1u);
  EXPECT_EQ(NearestRank(std::nan(""), 10), 1u);
}

TEST(LatencySketch, EmptyHasNoQuantile) {
  LatencySketch s;
  EXPECT_EQ(s.count(), 0u);
  EXPECT_FALSE(s.Quantile(0.5).has_value());
  EXPECT_EQ(Encode(s), std::string(2, '\0'));
}

// The table behind BucketIndex gives the definition's bucket for every
// float tried: a stride over all positive floats (subnormals included),
// every float around 1 and 100 (hundreds of boundaries), and random ones.
TEST(LatencySketch, BucketIndexAgreesWithItsDefinition) {
  auto same = [](uint32_t bits) {
    const float x = std::bit_cast<float>(bits);
    ASSERT_EQ(LatencySketch::BucketIndex(x), LatencySketch::BucketIndexByDefinition(x))
        << x << " (bits " << bits << ")";
  };
  for (uint64_t bits = 1; bits < 0x7f800000u; bits += 997)
    same(static_cast<uint32_t>(bits));
  for (float center : {1.0f, 100.0f}) {
    const uint32_t c = std::bit_cast<uint32_t>(center);
    for (uint32_t b = c - 300000; b < c + 300000; ++b) same(b);
  }
  std::mt19937 rng(5);
  for (int i = 0; i < 1'000'000; ++i) same(1 + rng() % (0x7f800000u - 1));
  same(0x7f7fffffu);  // FLT_MAX
}

TEST(LatencySketch, BucketIndexIsMonotoneAndWithinBound) {
  const double gamma =
      (1 + LatencySketch::kBucketAlpha) / (1 - LatencySketch::kBucketAlpha);
  const long double ln_gamma = std::log(static_cast<long double>(gamma));
  int32_t prev = LatencySketch::kMinIndex;
  int disagreements = 0;
  // Every 1021st positive float, and every float near 1.0 and 100.0.
  auto check = [&](uint32_t bits) {
    const float x = std::bit_cast<float>(bits);
    const int32_t i = LatencySketch::BucketIndex(x);
    ASSERT_GE(i, prev) << x;
    ASSERT_LE(i, LatencySketch::kMaxIndex);
    const double v = LatencySketch::BucketValue(i);
    ASSERT_LE(std::fabs(v - x), LatencySketch::kBucketAlpha * x * (1 + 1e-9)) << x;
    const long double ref = std::log(static_cast<long double>(x)) / ln_gamma;
    if (i != static_cast<int32_t>(std::ceil(ref))) {
      ++disagreements;
      EXPECT_LT(std::fabs(ref - std::round(ref)), 1e-9L) << x;  // only at a boundary
    }
    prev = i;
  };
  for (uint64_t bits = 1; bits < 0x7f800000u; bits += 1021)
    check(static_cast<uint32_t>(bits));
  prev = LatencySketch::kMinIndex;
  for (float center : {1.0f, 100.0f}) {
    const uint32_t c = std::bit_cast<uint32_t>(center);
    for (uint32_t b = c - 200000; b < c + 200000; ++b) check(b);
  }
  EXPECT_LE(disagreements, 2);
  EXPECT_GE(LatencySketch::BucketIndex(FLT_TRUE_MIN), LatencySketch::kMinIndex);
  EXPECT_LE(LatencySketch::BucketIndex(FLT_MAX), LatencySketch::kMaxIndex);
}

TEST(LatencySketch, QuantilesWithinOnePercent) {
  std::mt19937_64 rng(11);
  for (size_t n : {1, 2, 3, 10, 50, 1000, 20000}) {
    ExpectWithinOnePercent(Draw(rng, n, std::lognormal_distribution<double>(5, 1)), rng);
    ExpectWithinOnePercent(Draw(rng, n, std::lognormal_distribution<double>(0, 4)), rng);
    ExpectWithinOnePercent(Draw(rng, n, std::uniform_real_distribution<double>(0, 1000)),
                           rng);
    auto bimodal = [](std::mt19937_64& r) {
      return r() % 2 ? std::normal_distribution<double>(50, 5)(r)
                     : std::normal_distribution<double>(5000, 300)(r);
    };
    ExpectWithinOnePercent(Draw(rng, n, bimodal), rng);
    ExpectWithinOnePercent(std::vector<float>(n, 123.456f), rng);
    ExpectWithinOnePercent(
        Draw(rng, n, std::uniform_real_distribution<double>(1e-44, 1e-38)),
        rng);  // subnormal and tiny
    ExpectWithinOnePercent(
        Draw(rng, n, std::uniform_real_distribution<double>(1e36, 3e38)),
        rng);  // huge
  }
}

TEST(LatencySketch, QuantilesOfAnyFloatsWithinOnePercent) {
  std::mt19937_64 rng(12);
  for (int round = 0; round < 200; ++round) {
    std::vector<float> xs;
    const size_t n = 1 + rng() % 300;
    while (xs.size() < n) {
      const float x = std::bit_cast<float>(static_cast<uint32_t>(rng() % 0x7f800000u));
      xs.push_back(rng() % 10 == 0 ? 0.0f : x);  // some zeros too
    }
    ExpectWithinOnePercent(xs, rng);
  }
}

TEST(LatencySketch, KeepsZerosAndExtremesExact) {
  const LatencySketch s = SketchOf({0.0f, -0.0f, 0.0f, 7.0f});
  EXPECT_EQ(s.count(), 4u);
  EXPECT_EQ(std::bit_cast<uint32_t>(s.min()), 0u);  // -0.0 stored as +0.0
  EXPECT_EQ(*s.Quantile(0.5), 0.0);
  EXPECT_EQ(*s.Quantile(0.75), 0.0);
  EXPECT_EQ(*s.Quantile(0.76), 7.0);
  EXPECT_EQ(SketchOf({-0.0f, 0.0f}), SketchOf({0.0f, -0.0f}));
}

TEST(LatencySketch, MergeOrderGivesIdenticalBytes) {
  std::mt19937_64 rng(13);
  auto add = [](LatencySketch& s, float x) { s.Add(x); };
  for (int round = 0; round < 50; ++round) {
    auto xs = Draw(rng, 1 + rng() % 2000, std::lognormal_distribution<double>(4, 2));
    if (round % 3 == 0) xs.push_back(0.0f);
    const LatencySketch whole = SketchOf(xs);
    std::shuffle(xs.begin(), xs.end(), rng);
    const auto tree =
        testing::BuildByRandomTree<LatencySketch>(xs, 0, xs.size(), rng, add);
    EXPECT_EQ(tree, whole);
    EXPECT_EQ(Encode(tree), Encode(whole));
    LatencySketch twice = whole;
    twice.Merge(twice);
    EXPECT_EQ(twice.count(), 2 * whole.count());
  }
}

TEST(LatencySketchCoding, RoundTrips) {
  std::mt19937_64 rng(14);
  for (int round = 0; round < 200; ++round) {
    // Narrow sets favour the dense body, sparse wide ones the sparse body.
    const double sigma = round % 2 ? 0.05 : 3;
    auto xs = Draw(rng, rng() % (round % 4 ? 100 : 5000),
                   std::lognormal_distribution<double>(3, sigma));
    if (round % 5 == 0) xs.push_back(0.0f);
    const LatencySketch s = SketchOf(xs);
    const std::string bytes = Encode(s) + "tail";
    std::string_view in = bytes;
    LatencySketch got;
    ASSERT_TRUE(got.DecodeFrom(&in).ok());
    EXPECT_EQ(in, "tail");
    EXPECT_EQ(got, s);
  }
}

TEST(LatencySketchCoding, RejectsEveryTruncation) {
  std::mt19937_64 rng(15);
  for (double sigma : {0.05, 3.0}) {
    auto xs = Draw(rng, 300, std::lognormal_distribution<double>(3, sigma));
    xs.push_back(0.0f);
    xs.push_back(1000.0f);  // a large count needs the escape in sparse mode
    for (int i = 0; i < 20; ++i) xs.push_back(50.0f);
    const std::string bytes = Encode(SketchOf(xs));
    for (size_t n = 0; n < bytes.size(); ++n) {
      std::string_view in(bytes.data(), n);
      LatencySketch got;
      EXPECT_TRUE(got.DecodeFrom(&in).IsCorruption()) << n;
      EXPECT_EQ(got, LatencySketch());
    }
  }
}

TEST(LatencySketchCoding, SurvivesByteFlips) {
  std::mt19937_64 rng(16);
  for (double sigma : {0.05, 3.0}) {
    const std::string bytes =
        Encode(SketchOf(Draw(rng, 200, std::lognormal_distribution<double>(3, sigma))));
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string damaged = bytes;
        damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
        std::string_view in = damaged;
        LatencySketch got;
        const Status st = got.DecodeFrom(&in);
        ASSERT_TRUE(st.ok() || st.IsCorruption());
        if (!st.ok()) continue;
        const auto q = got.Quantile(0.5);  // a decoded sketch is usable
        ASSERT_TRUE(q.has_value());
        EXPECT_GE(*q, got.min());
        EXPECT_LE(*q, got.max());
      }
    }
  }
}

TEST(LatencySketchCoding, PrintsTypicalSizes) {
  std::mt19937_64 rng(17);
  for (double sigma : {0.5, 1.0}) {
    for (size_t n : {50, 1000, 3000, 20000}) {
      const auto xs = Draw(rng, n, std::lognormal_distribution<double>(6, sigma));
      std::printf("sketch of %5zu lognormal(6, %.1f) latencies: %zu bytes\n", n, sigma,
                  Encode(SketchOf(xs)).size());
    }
  }
}

}  // namespace
}  // namespace sredb::rollup
