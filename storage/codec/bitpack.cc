// Bit packing; see bitpack.h for the layout.
#include "storage/codec/bitpack.h"

#include <array>
#include <cassert>
#include <cstring>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sredb::codec {
namespace {

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

inline void Store64(uint8_t* p, uint64_t v) {
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}

// Reads `width` bits at bit offset `bit`, touching only the bytes that hold
// them.
inline uint64_t ReadBits(const uint8_t* p, size_t bit, int width) {
  const size_t byte = bit >> 3;
  const int shift = static_cast<int>(bit & 7);
  const int nbytes = (shift + width + 7) / 8;  // <= 9
  unsigned __int128 acc = 0;
  for (int k = 0; k < nbytes; ++k) {
    acc |= static_cast<unsigned __int128>(p[byte + k]) << (8 * k);
  }
  return static_cast<uint64_t>(acc >> shift) & LowMask(width);
}

// The reconstruction of one residual (see ForState), with the state in
// registers.
template <bool kMul, int kLevels>
struct Fold {
  uint64_t base, gcd, a0, a1;
  explicit Fold(const ForState& s)
      : base(s.base), gcd(s.gcd), a0(s.acc[0]), a1(s.acc[1]) {}
  void Save(ForState* s) const { s->acc[0] = a0, s->acc[1] = a1; }
  uint64_t operator()(uint64_t r) {
    uint64_t x = kMul ? base + r * gcd : base + r;
    if constexpr (kLevels >= 1) x = (a0 += x);
    if constexpr (kLevels >= 2) x = (a1 += x);
    return x;
  }
};

// One group of 8 values starting at byte q (8 values of W bits = W bytes).
template <int W, typename F, size_t... J>
inline void UnpackGroup(const uint8_t* q, uint64_t* o, F& f, std::index_sequence<J...>) {
  constexpr uint64_t kMask = (uint64_t{1} << W) - 1;
  ((o[J] = f((Load64(q + (J * W) / 8) >> ((J * W) % 8)) & kMask)), ...);
}

// A Fold over r | high[i] << K, the high bytes taken in order.
template <bool kMul, int kLevels, int K>
struct FoldHigh {
  Fold<kMul, kLevels> fold;
  const uint8_t* high;
  void Save(ForState* s) const { fold.Save(s); }
  uint64_t operator()(uint64_t r) { return fold(r | (uint64_t{*high++} << K)); }
};

// Unpacks n values of W bits through the fold `f` into out[0..n).
template <int W, typename F>
void UnpackWith(const uint8_t* p, size_t len, size_t n, F& f, uint64_t* out) {
  size_t i = 0;
  if constexpr (W == 0) {
    for (; i < n; ++i) out[i] = f(0);
  } else if constexpr (W == 64) {
    for (; i < n; ++i) out[i] = f(Load64(p + 8 * i));
  } else if constexpr (W <= 56) {
    // Group g reads bytes [g*W, g*W + 7W/8 + 8); use word loads only while
    // that stays inside the input, then finish byte by byte.
    constexpr size_t kReach = (7 * W) / 8 + 8;
    size_t groups = n / 8;
    const size_t safe = len >= kReach ? (len - kReach) / W + 1 : 0;
    if (safe < groups) groups = safe;
    for (size_t g = 0; g < groups; ++g) {
      UnpackGroup<W>(p + g * W, out + g * 8, f, std::make_index_sequence<8>{});
    }
    i = groups * 8;
  }
  for (; i < n; ++i) out[i] = f(ReadBits(p, i * W, W));
}

template <int W, bool kMul, int kLevels>
void UnpackWidth(const uint8_t* p, size_t len, size_t n, ForState* s, uint64_t* out) {
  Fold<kMul, kLevels> f(*s);
  UnpackWith<W>(p, len, n, f, out);
  f.Save(s);
}

template <int W, bool kMul, int kLevels>
void UnpackWidthHigh(const uint8_t* p, size_t len, size_t n, const uint8_t* high, int k,
                     ForState* s, uint64_t* out) {
  assert(k == W);
  (void)k;
  FoldHigh<kMul, kLevels, W> f{Fold<kMul, kLevels>(*s), high};
  UnpackWith<W>(p, len, n, f, out);
  f.Save(s);
}

// Widths with a fused high-byte unpacker: the low parts of entropy-coded
// blocks (k = w - 8 .. w - 1, w <= 64).
constexpr int kMaxFusedWidth = 56;
using UnpackHighFn = void (*)(const uint8_t*, size_t, size_t, const uint8_t*, int,
                              ForState*, uint64_t*);

template <bool kMul, int kLevels, size_t... W>
constexpr std::array<UnpackHighFn, sizeof...(W)> MakeHighRow(std::index_sequence<W...>) {
  return {&UnpackWidthHigh<static_cast<int>(W), kMul, kLevels>...};
}

template <bool kMul, int kLevels>
constexpr auto kHighRow =
    MakeHighRow<kMul, kLevels>(std::make_index_sequence<kMaxFusedWidth + 1>{});

constexpr std::array<std::array<std::array<UnpackHighFn, kMaxFusedWidth + 1>, 3>, 2>
    kUnpackHigh = {{
        {{kHighRow<false, 0>, kHighRow<false, 1>, kHighRow<false, 2>}},
        {{kHighRow<true, 0>, kHighRow<true, 1>, kHighRow<true, 2>}},
    }};

using UnpackFn = void (*)(const uint8_t*, size_t, size_t, ForState*, uint64_t*);

template <bool kMul, int kLevels, size_t... W>
constexpr std::array<UnpackFn, sizeof...(W)> MakeRow(std::index_sequence<W...>) {
  return {&UnpackWidth<static_cast<int>(W), kMul, kLevels>...};
}

template <bool kMul, int kLevels>
constexpr auto kRow = MakeRow<kMul, kLevels>(std::make_index_sequence<65>{});

// [gcd > 1][levels][width]
constexpr std::array<std::array<std::array<UnpackFn, 65>, 3>, 2> kUnpack = {{
    {{kRow<false, 0>, kRow<false, 1>, kRow<false, 2>}},
    {{kRow<true, 0>, kRow<true, 1>, kRow<true, 2>}},
}};

template <bool kMul, int kLevels>
void ApplyFold(uint64_t* r, size_t n, ForState* s) {
  Fold<kMul, kLevels> f(*s);
  for (size_t i = 0; i < n; ++i) r[i] = f(r[i]);
  f.Save(s);
}

// r[i] = base + (r[i] | high[i] << k) (kLow) or base + (high[i] << k) for
// the first n - n % 16 values, 16 at a time; returns how many it did.
template <bool kLow>
size_t MergeHigh16(uint64_t* r, const uint8_t* high, int k, size_t n, uint64_t base) {
#if defined(__SSE2__)
  const __m128i zero = _mm_setzero_si128();
  const __m128i shift = _mm_cvtsi32_si128(k);
  const __m128i b = _mm_set1_epi64x(static_cast<long long>(base));
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(high + i));
    const __m128i h16[2] = {_mm_unpacklo_epi8(h, zero), _mm_unpackhi_epi8(h, zero)};
    for (int a = 0; a < 2; ++a) {
      const __m128i h32[2] = {_mm_unpacklo_epi16(h16[a], zero),
                              _mm_unpackhi_epi16(h16[a], zero)};
      for (int c = 0; c < 2; ++c) {
        const __m128i h64[2] = {_mm_unpacklo_epi32(h32[c], zero),
                                _mm_unpackhi_epi32(h32[c], zero)};
        for (int d = 0; d < 2; ++d) {
          __m128i* o = reinterpret_cast<__m128i*>(r + i + 8 * a + 4 * c + 2 * d);
          __m128i x = _mm_sll_epi64(h64[d], shift);
          if constexpr (kLow) x = _mm_or_si128(x, _mm_loadu_si128(o));
          _mm_storeu_si128(o, _mm_add_epi64(x, b));
        }
      }
    }
  }
  return i;
#else
  return 0;
#endif
}

template <bool kMul, int kLevels, bool kLow>
void ApplyFoldHigh(uint64_t* r, const uint8_t* high, int k, size_t n, ForState* s) {
  size_t i = 0;
  if constexpr (!kMul && kLevels == 0) i = MergeHigh16<kLow>(r, high, k, n, s->base);
  Fold<kMul, kLevels> f(*s);
  for (; i < n; ++i) r[i] = f((kLow ? r[i] : 0) | (uint64_t{high[i]} << k));
  f.Save(s);
}

}  // namespace

void PackBits(const uint64_t* v, size_t n, int width, std::string* out) {
  assert(width >= 0 && width <= 64);
  if (width == 0 || n == 0) return;
  const size_t start = out->size();
  const size_t bytes = PackedBytes(n, width);
  out->resize(start + bytes + 9, '\0');  // slack for whole-word writes
  uint8_t* p = reinterpret_cast<uint8_t*>(out->data()) + start;
  const uint64_t mask = LowMask(width);
  for (size_t i = 0; i < n; ++i) {
    const size_t bit = i * static_cast<size_t>(width);
    const size_t byte = bit >> 3;
    const int shift = static_cast<int>(bit & 7);
    const uint64_t x = v[i] & mask;
    Store64(p + byte, Load64(p + byte) | (x << shift));
    if (shift + width > 64) p[byte + 8] |= static_cast<uint8_t>(x >> (64 - shift));
  }
  out->resize(start + bytes);
}

void UnpackBits(std::string_view in, size_t n, int width, uint64_t* out) {
  ForState plain;
  UnpackFor(in, n, width, &plain, out);
}

void UnpackFor(std::string_view in, size_t n, int width, ForState* s, uint64_t* out) {
  assert(width >= 0 && width <= 64);
  assert(in.size() >= PackedBytes(n, width));
  assert(s->levels >= 0 && s->levels <= 2);
  if (n == 0) return;
  kUnpack[s->gcd != 1][s->levels][width](reinterpret_cast<const uint8_t*>(in.data()),
                                         in.size(), n, s, out);
}

void ApplyFor(uint64_t* r, size_t n, ForState* s) {
  assert(s->levels >= 0 && s->levels <= 2);
  using Fn = void (*)(uint64_t*, size_t, ForState*);
  static constexpr Fn kApply[2][3] = {
      {ApplyFold<false, 0>, ApplyFold<false, 1>, ApplyFold<false, 2>},
      {ApplyFold<true, 0>, ApplyFold<true, 1>, ApplyFold<true, 2>}};
  kApply[s->gcd != 1][s->levels](r, n, s);
}

void ApplyForHigh(uint64_t* r, const uint8_t* high, int k, size_t n, ForState* s,
                  bool has_low) {
  assert(s->levels >= 0 && s->levels <= 2 && k >= 0 && k <= 63);
  using Fn = void (*)(uint64_t*, const uint8_t*, int, size_t, ForState*);
  static constexpr Fn kApply[2][2][3] = {
      {{ApplyFoldHigh<false, 0, false>, ApplyFoldHigh<false, 1, false>,
        ApplyFoldHigh<false, 2, false>},
       {ApplyFoldHigh<true, 0, false>, ApplyFoldHigh<true, 1, false>,
        ApplyFoldHigh<true, 2, false>}},
      {{ApplyFoldHigh<false, 0, true>, ApplyFoldHigh<false, 1, true>,
        ApplyFoldHigh<false, 2, true>},
       {ApplyFoldHigh<true, 0, true>, ApplyFoldHigh<true, 1, true>,
        ApplyFoldHigh<true, 2, true>}}};
  kApply[has_low][s->gcd != 1][s->levels](r, high, k, n, s);
}

void UnpackForHigh(std::string_view in, size_t n, int k, const uint8_t* high, ForState* s,
                   uint64_t* out) {
  assert(k >= 0 && k <= 63 && in.size() >= PackedBytes(n, k));
  if (n == 0) return;
  if (k == 0) return ApplyForHigh(out, high, 0, n, s, false);
  if (k > kMaxFusedWidth) {
    ForState plain;
    UnpackFor(in, n, k, &plain, out);
    return ApplyForHigh(out, high, k, n, s);
  }
  kUnpackHigh[s->gcd != 1][s->levels][k](reinterpret_cast<const uint8_t*>(in.data()),
                                         in.size(), n, high, k, s, out);
}

}  // namespace sredb::codec
