#include "storage/rollup/exact_sum.h"

#include <bit>
#include <cstdint>

namespace sredb::rollup {
namespace {

// A finite float32 x as (-1)^negative · mantissa · 2^(shift - 149), with
// mantissa < 2^24 and 0 <= shift <= 253.
struct FloatParts {
  uint64_t mantissa;
  int shift;
  bool negative;
};

// False for infinities and NaNs.
bool Decompose(float x, FloatParts* parts) {
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  const int biased = static_cast<int>((bits >> 23) & 0xff);
  const uint64_t fraction = bits & 0x7fffff;
  if (biased == 0xff) return false;
  parts->negative = (bits >> 31) != 0;
  if (biased == 0) {  // subnormal or zero: fraction · 2^-149
    parts->mantissa = fraction;
    parts->shift = 0;
  } else {  // (2^23 + fraction) · 2^(biased - 150)
    parts->mantissa = fraction | (uint64_t{1} << 23);
    parts->shift = biased - 1;
  }
  return true;
}

}  // namespace

void ExactSum::Add(float x) {
  FloatParts p;
  if (!Decompose(x, &p) || p.mantissa == 0) return;
  if (p.negative) {
    acc_.SubShifted(p.mantissa, p.shift);
  } else {
    acc_.AddShifted(p.mantissa, p.shift);
  }
}

double ExactSum::ToDouble() const {
  if (acc_.IsNegative()) return -acc_.Negated().ToDouble(kLsbExponent);
  return acc_.ToDouble(kLsbExponent);
}

Status ExactSum::DecodeFrom(std::string_view* in) {
  if (!acc_.DecodeFrom(in)) {
    acc_ = {};
    return Status::Corruption("exact sum: truncated or malformed");
  }
  return Status::OK();
}

void ExactSumSquares::Add(float x) {
  FloatParts p;
  if (!Decompose(x, &p) || p.mantissa == 0) return;
  // x·x = mantissa² · 2^(2·shift - 298); mantissa² < 2^48.
  acc_.AddShifted(p.mantissa * p.mantissa, 2 * p.shift);
}

double ExactSumSquares::ToDouble() const { return acc_.ToDouble(kLsbExponent); }

Status ExactSumSquares::DecodeFrom(std::string_view* in) {
  if (!acc_.DecodeFrom(in) || acc_.IsNegative()) {
    acc_ = {};
    return Status::Corruption("exact sum of squares: truncated or malformed");
  }
  return Status::OK();
}

}  // namespace sredb::rollup
