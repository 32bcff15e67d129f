// Column stream of float32 values: decimal-valued floats as scaled integers
// in the style of ALP, anything else by its bit pattern.
//
//   floats := u8 header (kind 3) | varint n | float blocks (1024 values each,
//             the last one shorter)
//   float block := u8 tag | body
//     tag 0, bits: int block (int_block.h) of the count bit patterns
//                  (IEEE-754 binary32, zero-extended; > 2^32-1 is Corruption)
//     tag 1, ALP:  u8 e (0..7) | varint x (exceptions, <= count)
//                  | int block of count integers k[i]
//                  | [int block of x positions | x times fixed32 bits]  if x > 0
// ALP value i is float((double)k[i] / 10^e) (IEEE double division, then
// rounding to float), except at the listed positions, which hold the given
// bit patterns (-0.0, NaN, inf, and values with more than e decimals). The
// encoder picks the smallest e with the fewest exceptions, writes the first
// regular k in place of each exception, and keeps whichever tag is smaller.
//
// Thread safety: reentrant.
#include <array>
#include <bit>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "storage/codec/codec.h"
#include "storage/codec/codec_util.h"
#include "storage/codec/int_block.h"

namespace sredb::codec {
namespace {

constexpr uint8_t kBitsTag = 0;
constexpr uint8_t kAlpTag = 1;
constexpr int kMaxExponent = 7;
constexpr std::array<double, kMaxExponent + 1> kPow10 = {1e0, 1e1, 1e2, 1e3,
                                                         1e4, 1e5, 1e6, 1e7};
// A block takes at least a tag, an int-block tag and a varint byte.
constexpr size_t kMinFloatBlockBytes = 3;

inline float FromScaled(int64_t k, int e) {
  return static_cast<float>(static_cast<double>(k) / kPow10[e]);
}

// Fast exact decoding of ALP values: float(k * (1 / 10^e)) in place of the
// defining float((double)k / 10^e), valid when |k| < 2^kFastBits[e].
//
// Why: let q = k / 10^e exactly, e >= 1, and |k| < 2^24 * 5^e, so
// |q| < 2^(24-e). A tie between two floats there is M * 2^j with M odd,
// 2^24 <= M < 2^25 and j < -e, so 2^-j does not divide 10^e and q is never
// a tie; k * 2^-j and M * 10^e are then distinct integers, so q is at
// least 2^j / 10^e, a relative 2^-25 * 10^-e >= 2^-48.3, from every tie
// (q >= 10^-7 is far from subnormals). The double quotient and the double
// product with the rounded reciprocal are both within 2^-52 relative of q,
// so neither crosses a tie and both round to the float nearest q. For e = 0
// both are k itself. kFastBits[e] = 24 + floor(e * log2 5) keeps
// 2^kFastBits <= 2^24 * 5^e, and |k| < 2^50 makes the int64 -> double
// conversion by the 1.5 * 2^52 bias exact.
constexpr std::array<int, kMaxExponent + 1> kFastBits = {50, 26, 28, 30, 33, 35, 37, 40};
constexpr std::array<double, kMaxExponent + 1> kInvPow10 = {1e0,  1e-1, 1e-2, 1e-3,
                                                            1e-4, 1e-5, 1e-6, 1e-7};

// out[i] = FromScaled(k[i], e) for i < n; false (out unspecified) when some
// k is outside the fast range, for the caller to fall back to division.
bool ScaleFast(const int64_t* k, size_t n, int e, float* out) {
  const uint64_t bias = uint64_t{1} << kFastBits[e];
  const int bits = kFastBits[e] + 1;
  size_t i = 0;
  uint64_t bad = 0;
#if defined(__SSE2__)
  const __m128i magic_i = _mm_set1_epi64x(0x4338000000000000);
  const __m128d magic_d = _mm_set1_pd(0x1.8p52);
  const __m128d inv = _mm_set1_pd(kInvPow10[e]);
  const __m128i range_bias = _mm_set1_epi64x(static_cast<long long>(bias));
  const __m128i range_shift = _mm_cvtsi32_si128(bits);
  __m128i bad_v = _mm_setzero_si128();
  for (; i + 4 <= n; i += 4) {
    __m128 f[2];
    for (int h = 0; h < 2; ++h) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(k + i + 2 * h));
      bad_v =
          _mm_or_si128(bad_v, _mm_srl_epi64(_mm_add_epi64(x, range_bias), range_shift));
      const __m128d d = _mm_sub_pd(_mm_castsi128_pd(_mm_add_epi64(x, magic_i)), magic_d);
      f[h] = _mm_cvtpd_ps(_mm_mul_pd(d, inv));
    }
    _mm_storeu_ps(out + i, _mm_movelh_ps(f[0], f[1]));
  }
  uint64_t lanes[2];
  std::memcpy(lanes, &bad_v, sizeof lanes);
  bad = lanes[0] | lanes[1];
#endif
  for (; i < n; ++i) {
    bad |= (static_cast<uint64_t>(k[i]) + bias) >> bits;
    out[i] = static_cast<float>(static_cast<double>(k[i]) * kInvPow10[e]);
  }
  return bad == 0;
}

// True when `f` round-trips as k / 10^e. Rounds by the 1.5 * 2^52 bias
// (ties to even; |x| < 2^51 keeps it exact) and checks by multiplying with
// the reciprocal where ScaleFast proves that equal to the division: no libm
// call and no division per value in the common case.
bool ToScaled(float f, int e, int64_t* k) {
  const double x = static_cast<double>(f) * kPow10[e];
  if (!(std::fabs(x) < 0x1p51)) return false;  // also refuses NaN and inf
  const double rounded = (x + 0x1.8p52) - 0x1.8p52;
  *k = static_cast<int64_t>(rounded);
  const uint64_t bias = uint64_t{1} << kFastBits[e];
  const float back = ((static_cast<uint64_t>(*k) + bias) >> (kFastBits[e] + 1)) == 0
                         ? static_cast<float>(rounded * kInvPow10[e])
                         : FromScaled(*k, e);
  return std::bit_cast<uint32_t>(back) == std::bit_cast<uint32_t>(f);
}

// Values of v that do not round-trip at e, counting stopped once above
// `limit`.
size_t CountExceptions(std::span<const float> v, int e, size_t limit) {
  size_t x = 0;
  int64_t k;
  for (size_t i = 0; i < v.size() && x <= limit; ++i) x += ToScaled(v[i], e, &k) ? 0 : 1;
  return x;
}

// The smallest e with the fewest exceptions. The first few values suggest
// an e to count in full; others are counted only while they can still win
// (fewer exceptions, or as many at a smaller e).
int ChooseExponent(std::span<const float> v, size_t* exceptions) {
  constexpr size_t kSample = 8;
  const auto sample = v.first(std::min(kSample, v.size()));
  int guess = 0;
  while (guess < kMaxExponent && CountExceptions(sample, guess, 0) != 0) ++guess;
  int best = guess;
  *exceptions = CountExceptions(v, guess, v.size());
  for (int e = 0; e <= kMaxExponent && *exceptions > 0; ++e) {
    if (e == guess) continue;
    const size_t limit = e < guess ? *exceptions : *exceptions - 1;
    const size_t x = CountExceptions(v, e, limit);
    if (x <= limit) best = e, *exceptions = x;
  }
  return best;
}

void EncodeBits(std::span<const float> v, std::string* out) {
  std::array<int64_t, kBlockValues> bits;
  for (size_t i = 0; i < v.size(); ++i) bits[i] = std::bit_cast<uint32_t>(v[i]);
  out->push_back(static_cast<char>(kBitsTag));
  EncodeIntBlock(std::span(bits.data(), v.size()), out);
}

void EncodeAlp(std::span<const float> v, int e, size_t exceptions, std::string* out) {
  std::array<int64_t, kBlockValues> k, pos;
  size_t x = 0;
  bool have_fill = false;
  int64_t fill = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (ToScaled(v[i], e, &k[i])) {
      if (!have_fill) fill = k[i], have_fill = true;
    } else {
      pos[x++] = static_cast<int64_t>(i);
    }
  }
  for (size_t j = 0; j < x; ++j) k[pos[j]] = fill;
  out->push_back(static_cast<char>(kAlpTag));
  out->push_back(static_cast<char>(e));
  internal::PutVarint64(out, exceptions);
  EncodeIntBlock(std::span(k.data(), v.size()), out);
  if (x == 0) return;
  EncodeIntBlock(std::span(pos.data(), x), out);
  for (size_t j = 0; j < x; ++j)
    internal::PutFixed32(out, std::bit_cast<uint32_t>(v[pos[j]]));
}

// Writes the smaller of ALP and bits (bits on a tie). ALP is written first,
// in place; the bits layout is encoded too only when its lower bound
// (IntBlockBytesAtLeast) does not already exceed ALP's size.
void EncodeFloatBlock(std::span<const float> v, std::string* out) {
  size_t exceptions;
  const int e = ChooseExponent(v, &exceptions);
  const size_t start = out->size();
  if (exceptions < v.size() / 2) {
    EncodeAlp(v, e, exceptions, out);
    const size_t alp = out->size() - start;
    std::array<int64_t, kBlockValues> bits;
    for (size_t i = 0; i < v.size(); ++i) bits[i] = std::bit_cast<uint32_t>(v[i]);
    if (alp < 1 + IntBlockBytesAtLeast(std::span(bits.data(), v.size()))) return;
    std::string bits_block;
    EncodeBits(v, &bits_block);
    if (alp < bits_block.size()) return;
    out->resize(start);
    out->append(bits_block);
    return;
  }
  EncodeBits(v, out);
}

Status DecodeBitsBlock(std::string_view* in, size_t count, float* out) {
  std::array<int64_t, kBlockValues> bits;
  SREDB_RETURN_IF_ERROR(DecodeIntBlock(in, count, bits.data()));
  for (size_t i = 0; i < count; ++i) {
    if (static_cast<uint64_t>(bits[i]) > UINT32_MAX) return Corrupt("floats: bad bits");
    out[i] = std::bit_cast<float>(static_cast<uint32_t>(bits[i]));
  }
  return Status::OK();
}

Status PatchExceptions(std::string_view* in, size_t count, size_t x, float* out) {
  std::array<int64_t, kBlockValues> pos;
  SREDB_RETURN_IF_ERROR(DecodeIntBlock(in, x, pos.data()));
  if (in->size() < 4 * x) return Corrupt("floats: truncated exceptions");
  for (size_t j = 0; j < x; ++j) {
    if (static_cast<uint64_t>(pos[j]) >= count) return Corrupt("floats: bad position");
    out[pos[j]] = std::bit_cast<float>(internal::DecodeFixed32(in->data() + 4 * j));
  }
  in->remove_prefix(4 * x);
  return Status::OK();
}

Status DecodeAlpBlock(std::string_view* in, size_t count, float* out) {
  uint8_t e;
  uint64_t x;
  if (!GetU8(in, &e) || e > kMaxExponent || !internal::GetVarint64(in, &x) || x > count) {
    return Corrupt("floats: bad ALP head");
  }
  std::array<int64_t, kBlockValues> k;
  SREDB_RETURN_IF_ERROR(DecodeIntBlock(in, count, k.data()));
  if (!ScaleFast(k.data(), count, e, out)) {
    for (size_t i = 0; i < count; ++i) out[i] = FromScaled(k[i], e);
  }
  return x == 0 ? Status::OK() : PatchExceptions(in, count, x, out);
}

Status DecodeFloatBlock(std::string_view* in, size_t count, float* out) {
  uint8_t tag;
  if (!GetU8(in, &tag)) return Corrupt("floats: truncated block");
  if (tag == kBitsTag) return DecodeBitsBlock(in, count, out);
  if (tag == kAlpTag) return DecodeAlpBlock(in, count, out);
  return Corrupt("floats: bad block tag");
}

}  // namespace

void EncodeFloats(std::span<const float> v, std::string* out) {
  PutColumnHeader(out, ColumnKind::kFloats, v.size());
  for (size_t i = 0; i < v.size(); i += kBlockValues) {
    EncodeFloatBlock(v.subspan(i, std::min(kBlockValues, v.size() - i)), out);
  }
}

Status DecodeFloats(std::string_view* in, std::vector<float>* out) {
  uint64_t n;
  SREDB_RETURN_IF_ERROR(
      GetColumnHeader(in, ColumnKind::kFloats, kMinFloatBlockBytes, &n));
  for (size_t i = 0; i < n; i += kBlockValues) {
    const size_t count = std::min<size_t>(kBlockValues, n - i);
    const size_t old = out->size();
    out->resize(old + count);
    SREDB_RETURN_IF_ERROR(DecodeFloatBlock(in, count, out->data() + old));
  }
  return Status::OK();
}

}  // namespace sredb::codec
