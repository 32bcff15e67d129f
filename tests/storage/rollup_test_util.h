// Helpers for the rollup tests. Independent references: exact sums of float32 values
// and of their squares, computed in decimal big-integer arithmetic and
// rounded to double by strtod (correctly rounded in glibc), sharing no code
// with storage/rollup; a random merge-tree builder; random events with
// extreme values.
#ifndef SREDB_TESTS_STORAGE_ROLLUP_TEST_UTIL_H_
#define SREDB_TESTS_STORAGE_ROLLUP_TEST_UTIL_H_

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "storage/event.h"

namespace sredb::rollup::testing {

// A non-negative integer in base 10^9, least significant limb first.
class BigDec {
 public:
  explicit BigDec(uint64_t v = 0) {
    for (; v != 0; v /= kBase) limbs_.push_back(static_cast<uint32_t>(v % kBase));
  }
  void MulSmall(uint32_t f) {
    uint64_t carry = 0;
    for (uint32_t& l : limbs_) {
      const uint64_t p = uint64_t{l} * f + carry;
      l = static_cast<uint32_t>(p % kBase);
      carry = p / kBase;
    }
    for (; carry != 0; carry /= kBase)
      limbs_.push_back(static_cast<uint32_t>(carry % kBase));
    Trim();
  }
  void MulPow2(int k) {
    for (; k >= 29; k -= 29) MulSmall(1u << 29);
    MulSmall(1u << k);
  }
  void MulPow5(int k) {
    for (; k >= 13; k -= 13) MulSmall(1220703125u);  // 5^13
    uint32_t f = 1;
    for (int i = 0; i < k; ++i) f *= 5;
    MulSmall(f);
  }
  void Add(const BigDec& o) {
    if (o.limbs_.size() > limbs_.size()) limbs_.resize(o.limbs_.size(), 0);
    uint32_t carry = 0;
    for (size_t i = 0; i < limbs_.size(); ++i) {
      uint32_t s = limbs_[i] + carry + (i < o.limbs_.size() ? o.limbs_[i] : 0);
      carry = s >= kBase;
      limbs_[i] = carry ? s - kBase : s;
    }
    if (carry) limbs_.push_back(1);
  }
  // REQUIRES: *this >= o.
  void Sub(const BigDec& o) {
    int64_t borrow = 0;
    for (size_t i = 0; i < limbs_.size(); ++i) {
      int64_t d = int64_t{limbs_[i]} - borrow - (i < o.limbs_.size() ? o.limbs_[i] : 0);
      borrow = d < 0;
      limbs_[i] = static_cast<uint32_t>(d < 0 ? d + kBase : d);
    }
    Trim();
  }
  bool LessThan(const BigDec& o) const {
    if (limbs_.size() != o.limbs_.size()) return limbs_.size() < o.limbs_.size();
    for (size_t i = limbs_.size(); i-- > 0;) {
      if (limbs_[i] != o.limbs_[i]) return limbs_[i] < o.limbs_[i];
    }
    return false;
  }
  std::string ToString() const {
    if (limbs_.empty()) return "0";
    std::string s = std::to_string(limbs_.back());
    for (size_t i = limbs_.size() - 1; i-- > 0;) {
      std::string part = std::to_string(limbs_[i]);
      s += std::string(9 - part.size(), '0') + part;
    }
    return s;
  }

 private:
  static constexpr uint32_t kBase = 1000000000;
  void Trim() {
    while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
  }
  std::vector<uint32_t> limbs_;
};

// |x| = m·2^p with m odd (or 0), found with frexp/ldexp only.
inline void SplitFloat(float x, uint64_t* m, int* p) {
  int e = 0;
  const double f = std::frexp(std::fabs(static_cast<double>(x)), &e);
  *m = static_cast<uint64_t>(std::ldexp(f, 53));
  *p = e - 53;
  while (*m != 0 && *m % 2 == 0) {
    *m /= 2;
    ++*p;
  }
}

// sign·|digits|·10^-scale rounded to double by strtod.
inline double RoundDecimal(bool negative, const BigDec& n, int scale) {
  std::string s = (negative ? "-" : "") + n.ToString() + "e-" + std::to_string(scale);
  return std::strtod(s.c_str(), nullptr);
}

// The exact sum of xs (times 2^times_log2), correctly rounded to double.
inline double ReferenceSum(const std::vector<float>& xs, int times_log2 = 0) {
  BigDec pos, neg;  // in units of 2^-149
  for (float x : xs) {
    uint64_t m;
    int p;
    SplitFloat(x, &m, &p);
    if (m == 0) continue;
    BigDec term(m);
    term.MulPow2(p + 149);
    (std::signbit(x) ? neg : pos).Add(term);
  }
  const bool negative = pos.LessThan(neg);
  BigDec total = negative ? neg : pos;
  total.Sub(negative ? pos : neg);
  total.MulPow2(times_log2);
  total.MulPow5(149);  // n·2^-149 = n·5^149·10^-149
  return RoundDecimal(negative, total, 149);
}

// The exact sum of x·x over xs, correctly rounded to double.
inline double ReferenceSumSquares(const std::vector<float>& xs) {
  BigDec total;  // in units of 2^-298
  for (float x : xs) {
    uint64_t m;
    int p;
    SplitFloat(x, &m, &p);
    if (m == 0) continue;
    BigDec term(m);
    term.MulSmall(static_cast<uint32_t>(m));
    term.MulPow2(2 * p + 298);
    total.Add(term);
  }
  total.MulPow5(298);
  return RoundDecimal(false, total, 298);
}

// A float >= 0 for latency-like columns: mostly lognormal milliseconds, and
// zeros, -0.0, subnormals, huge values and arbitrary bit patterns.
inline float RandomNonNegativeFloat(std::mt19937_64& rng) {
  switch (rng() % 12) {
    case 0:
      return rng() % 2 ? 0.0f : -0.0f;
    case 1:
      return std::bit_cast<float>(static_cast<uint32_t>(1 + rng() % 0x7fffff));
    case 2:
      return std::bit_cast<float>(static_cast<uint32_t>(rng() % 0x7f800000u));
    case 3:
      return std::ldexp(static_cast<float>(1 + rng() % 1000),
                        100 + static_cast<int>(rng() % 17));
    default:
      return std::lognormal_distribution<float>(5, 1)(rng);
  }
}

// A valid event at `time`; every column varies, optional ones are present
// about half the time, integer columns reach their type's extremes.
inline Event RandomRollupEvent(std::mt19937_64& rng, int64_t time) {
  Event e;
  e.time = time;
  e.success = rng() % 10 != 0;
  e.hallucinated = static_cast<Tri>(rng() % 3);
  e.latency_ms = RandomNonNegativeFloat(rng);
  if (rng() % 2) e.ttft_ms = RandomNonNegativeFloat(rng);
  e.cost_micros = static_cast<int64_t>(rng() % 4 ? rng() % 100000 : rng() >> 24);
  e.tokens_in = static_cast<uint32_t>(rng() % 3 ? rng() % 5000 : rng());
  e.tokens_out = static_cast<uint32_t>(rng() % 3 ? 0 : rng());
  e.policy_violations = static_cast<uint16_t>(rng() % 5 ? 0 : rng());
  e.tool_calls = static_cast<uint16_t>(rng() % 2 ? rng() % 10 : rng());
  e.tool_failures = static_cast<uint16_t>(rng() % (e.tool_calls + 1u));
  if (rng() % 2) {
    e.user_rating = rng() % 2 ? static_cast<float>(1 + rng() % 5)
                              : std::uniform_real_distribution<float>(1, 5)(rng);
  }
  return e;
}

// Builds an accumulator over items[lo, hi) by a random tree of Merge calls
// whose leaves add items one by one.
template <typename Acc, typename T, typename AddFn>
Acc BuildByRandomTree(const std::vector<T>& items, size_t lo, size_t hi,
                      std::mt19937_64& rng, AddFn add) {
  if (hi - lo <= 3 || rng() % 5 == 0) {
    Acc acc;
    for (size_t i = lo; i < hi; ++i) add(acc, items[i]);
    return acc;
  }
  const size_t mid = lo + 1 + rng() % (hi - lo - 1);
  Acc a = BuildByRandomTree<Acc>(items, lo, mid, rng, add);
  Acc b = BuildByRandomTree<Acc>(items, mid, hi, rng, add);
  if (rng() % 2) {
    a.Merge(b);
    return a;
  }
  b.Merge(a);
  return b;
}

}  // namespace sredb::rollup::testing

#endif  // SREDB_TESTS_STORAGE_ROLLUP_TEST_UTIL_H_
