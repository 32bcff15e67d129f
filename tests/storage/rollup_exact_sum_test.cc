// ExactSum and ExactSumSquares give the exact sum rounded once, whatever
// the order, and their encoding round-trips and rejects damaged bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <random>
#include <vector>

#include "rollup_test_util.h"
#include "storage/rollup/exact_sum.h"

namespace sredb::rollup {
namespace {

using testing::BuildByRandomTree;
using testing::ReferenceSum;
using testing::ReferenceSumSquares;

template <typename Acc>
Acc SumOf(const std::vector<float>& xs) {
  Acc s;
  for (float x : xs) s.Add(x);
  return s;
}

template <typename Acc>
std::string Encode(const Acc& s) {
  std::string out;
  s.AppendTo(&out);
  return out;
}

// Floats of every kind: random bit patterns (any sign and exponent,
// subnormals included), lognormal latencies, tiny and huge values.
std::vector<float> RandomFloats(std::mt19937_64& rng, size_t n, bool allow_negative) {
  std::lognormal_distribution<float> lognormal(5, 1.5);
  std::vector<float> xs;
  while (xs.size() < n) {
    float x = 0;
    switch (rng() % 5) {
      case 0:
        x = std::bit_cast<float>(static_cast<uint32_t>(rng()));
        break;
      case 1:
        x = std::bit_cast<float>(static_cast<uint32_t>(rng() % 0x800000));  // subnormal
        break;
      case 2:
        x = std::ldexp(static_cast<float>(rng() % (1 << 24)),
                       static_cast<int>(rng() % 260) - 149);
        break;
      default:
        x = lognormal(rng);
    }
    if (!std::isfinite(x)) continue;
    if (!allow_negative) x = std::fabs(x);
    xs.push_back(x);
  }
  return xs;
}

TEST(ExactSum, EmptyIsZero) {
  ExactSum s;
  EXPECT_TRUE(s.IsZero());
  EXPECT_EQ(s.ToDouble(), 0.0);
  EXPECT_EQ(Encode(s), std::string(1, '\0'));
  EXPECT_EQ(ExactSumSquares().ToDouble(), 0.0);
}

TEST(ExactSum, SingleValuesConvertExactly) {
  const float values[] = {0.0f,    -0.0f,        1.0f,    -1.0f,    0.1f,   123.456f,
                          FLT_MIN, FLT_TRUE_MIN, FLT_MAX, -FLT_MAX, 1e-40f, 3.4e38f};
  for (float x : values) {
    EXPECT_EQ(SumOf<ExactSum>({x}).ToDouble(), static_cast<double>(x)) << x;
    const double sq = static_cast<double>(x) * x;  // exact in double
    EXPECT_EQ(SumOf<ExactSumSquares>({x}).ToDouble(), sq) << x;
  }
}

TEST(ExactSum, RoundsTiesToEven) {
  const float h = std::ldexp(1.0f, -53);  // half an ulp of 1.0 in double
  const float u = std::ldexp(1.0f, -52);
  EXPECT_EQ(SumOf<ExactSum>({1.0f, h}).ToDouble(), 1.0);  // tie, 1.0 is even
  EXPECT_EQ(SumOf<ExactSum>({1.0f, u, h}).ToDouble(), 1.0 + 2 * static_cast<double>(u));
  EXPECT_EQ(SumOf<ExactSum>({1.0f, h, FLT_TRUE_MIN}).ToDouble(),
            1.0 + static_cast<double>(u));
  EXPECT_EQ(SumOf<ExactSum>({-1.0f, -h}).ToDouble(), -1.0);
  EXPECT_EQ(SumOf<ExactSum>({-1.0f, -h, -FLT_TRUE_MIN}).ToDouble(),
            -1.0 - static_cast<double>(u));
  // Just below a tie rounds down, just above rounds up.
  EXPECT_EQ(SumOf<ExactSum>({1.0f, u, h, -FLT_TRUE_MIN}).ToDouble(),
            1.0 + static_cast<double>(u));
}

TEST(ExactSum, SumsSubnormalsExactly) {
  EXPECT_EQ(SumOf<ExactSum>({FLT_TRUE_MIN, FLT_TRUE_MIN, FLT_TRUE_MIN}).ToDouble(),
            3 * std::ldexp(1.0, -149));
  std::vector<float> xs(1000, std::bit_cast<float>(0x7fffffu));  // the largest subnormal
  EXPECT_EQ(SumOf<ExactSum>(xs).ToDouble(), 1000.0 * 0x7fffff * std::ldexp(1.0, -149));
  EXPECT_EQ(SumOf<ExactSumSquares>({FLT_TRUE_MIN, FLT_TRUE_MIN}).ToDouble(),
            std::ldexp(1.0, -297));
}

TEST(ExactSum, CancelsExactly) {
  EXPECT_EQ(SumOf<ExactSum>({1e30f, 1.0f, -1e30f}).ToDouble(), 1.0);
  EXPECT_EQ(SumOf<ExactSum>({FLT_MAX, FLT_TRUE_MIN, -FLT_MAX}).ToDouble(),
            static_cast<double>(FLT_TRUE_MIN));
  EXPECT_TRUE(SumOf<ExactSum>({2.5f, -2.5f}).IsZero());
}

TEST(ExactSum, MatchesLongDoubleWhenItIsExact) {
  static_assert(LDBL_MANT_DIG >= 64 || LDBL_MANT_DIG == 53);
  if (LDBL_MANT_DIG < 64) GTEST_SKIP() << "long double is not wider than double";
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    // Multiples of 2^-8 below 2^20: the sum of 10^4 needs < 48 bits.
    std::vector<float> xs;
    long double exact = 0;
    for (int i = 0; i < 10000; ++i) {
      const float x = std::ldexp(static_cast<float>(rng() % (1 << 28)), -8);
      xs.push_back(x);
      exact += x;
    }
    EXPECT_EQ(SumOf<ExactSum>(xs).ToDouble(), static_cast<double>(exact));
  }
}

TEST(ExactSum, MatchesDecimalReference) {
  std::mt19937_64 rng(1);
  for (int round = 0; round < 300; ++round) {
    const bool negatives = round % 2 == 1;
    const auto xs = RandomFloats(rng, 1 + rng() % 200, negatives);
    ASSERT_EQ(SumOf<ExactSum>(xs).ToDouble(), ReferenceSum(xs)) << "round " << round;
    ASSERT_EQ(SumOf<ExactSumSquares>(xs).ToDouble(), ReferenceSumSquares(xs))
        << "round " << round;
  }
}

TEST(ExactSum, OrderAndMergeTreeDoNotMatter) {
  std::mt19937_64 rng(2);
  auto add = [](auto& acc, float x) { acc.Add(x); };
  for (int round = 0; round < 50; ++round) {
    auto xs = RandomFloats(rng, 500, true);
    const ExactSum sum = SumOf<ExactSum>(xs);
    const ExactSumSquares squares = SumOf<ExactSumSquares>(xs);
    std::shuffle(xs.begin(), xs.end(), rng);
    EXPECT_EQ(SumOf<ExactSum>(xs), sum);
    const auto tree = BuildByRandomTree<ExactSum>(xs, 0, xs.size(), rng, add);
    EXPECT_EQ(tree, sum);
    EXPECT_EQ(Encode(tree), Encode(sum));
    const auto tree_sq = BuildByRandomTree<ExactSumSquares>(xs, 0, xs.size(), rng, add);
    EXPECT_EQ(tree_sq, squares);
    EXPECT_EQ(Encode(tree_sq), Encode(squares));
  }
}

TEST(ExactSum, HugeCountsViaMerge) {
  ExactSum max_sum = SumOf<ExactSum>({FLT_MAX});
  ExactSumSquares max_sq = SumOf<ExactSumSquares>({FLT_MAX});
  for (int i = 0; i < 64; ++i) {  // 2^64 copies of FLT_MAX
    max_sum.Merge(max_sum);
    max_sq.Merge(max_sq);
  }
  EXPECT_EQ(max_sum.ToDouble(), std::ldexp(static_cast<double>(FLT_MAX), 64));
  const double sq = static_cast<double>(FLT_MAX) * FLT_MAX;
  EXPECT_EQ(max_sq.ToDouble(), std::ldexp(sq, 64));

  std::mt19937_64 rng(3);
  const auto xs = RandomFloats(rng, 300, true);
  ExactSum s = SumOf<ExactSum>(xs);
  for (int i = 0; i < 40; ++i) s.Merge(s);
  EXPECT_EQ(s.ToDouble(), ReferenceSum(xs, 40));
}

TEST(ExactSumCoding, RoundTrips) {
  std::mt19937_64 rng(4);
  for (int round = 0; round < 200; ++round) {
    const auto xs = RandomFloats(rng, rng() % 50, round % 2 == 1);
    const ExactSum sum = SumOf<ExactSum>(xs);
    const ExactSumSquares squares = SumOf<ExactSumSquares>(xs);
    std::string bytes = Encode(sum) + Encode(squares);
    std::string_view in = bytes;
    ExactSum got;
    ExactSumSquares got_sq;
    ASSERT_TRUE(got.DecodeFrom(&in).ok());
    ASSERT_TRUE(got_sq.DecodeFrom(&in).ok());
    EXPECT_TRUE(in.empty());
    EXPECT_EQ(got, sum);
    EXPECT_EQ(got_sq, squares);
  }
}

TEST(ExactSumCoding, RejectsEveryTruncation) {
  const ExactSum sum = SumOf<ExactSum>({1e20f, 3.25f, FLT_TRUE_MIN});
  const std::string bytes = Encode(sum);
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::string_view in(bytes.data(), n);
    ExactSum got;
    EXPECT_TRUE(got.DecodeFrom(&in).IsCorruption()) << n;
  }
}

TEST(ExactSumCoding, SurvivesByteFlips) {
  std::mt19937_64 rng(5);
  const auto xs = RandomFloats(rng, 100, true);
  const std::string bytes =
      Encode(SumOf<ExactSum>(xs)) + Encode(SumOf<ExactSumSquares>(xs));
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      std::string_view in = damaged;
      ExactSum got;
      ExactSumSquares got_sq;
      Status st = got.DecodeFrom(&in);
      if (st.ok()) st = got_sq.DecodeFrom(&in);
      EXPECT_TRUE(st.ok() || st.IsCorruption());
      if (st.ok()) {
        EXPECT_TRUE(std::isfinite(got.ToDouble()));
        EXPECT_TRUE(std::isfinite(got_sq.ToDouble()));
      }
    }
  }
}

TEST(ExactSumCoding, RejectsNonCanonicalAndOutOfRange) {
  auto decode = [](std::string bytes) {
    std::string_view in = bytes;
    ExactSum s;
    return s.DecodeFrom(&in);
  };
  EXPECT_TRUE(decode(std::string("\x02\x00\x01\x00", 4)).IsCorruption());  // last byte 0
  EXPECT_TRUE(decode(std::string("\x02\x00\x00\x01", 4)).IsCorruption());  // first byte 0
  EXPECT_TRUE(
      decode(std::string("\x02\x5e\x01\x01", 4)).IsCorruption());      // past 48 bytes
  EXPECT_TRUE(decode(std::string("\x01\x5e\x80", 3)).IsCorruption());  // sign bit
  EXPECT_TRUE(decode(std::string("\x01\x5c\x7f", 3)).ok());            // byte 46
  std::string neg = Encode(SumOf<ExactSum>({-1.0f}));
  std::string_view in = neg;
  ExactSumSquares sq;
  EXPECT_TRUE(sq.DecodeFrom(&in).IsCorruption());
}

TEST(ExactSumCoding, PrintsTypicalSizes) {
  std::mt19937_64 rng(6);
  std::lognormal_distribution<float> latency(6, 1);  // ms, median ~400
  for (size_t n : {50, 3000}) {
    std::vector<float> xs;
    for (size_t i = 0; i < n; ++i) xs.push_back(latency(rng));
    std::vector<float> whole;  // integer milliseconds
    for (float x : xs) whole.push_back(std::round(x));
    std::printf(
        "exact sum of %zu lognormal ms latencies: %zu bytes (%zu whole ms), "
        "sum of squares: %zu bytes\n",
        n, Encode(SumOf<ExactSum>(xs)).size(), Encode(SumOf<ExactSum>(whole)).size(),
        Encode(SumOf<ExactSumSquares>(xs)).size());
  }
}

}  // namespace
}  // namespace sredb::rollup
