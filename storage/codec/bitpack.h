// Fixed-width bit packing, the innermost layer of the integer codecs.
//
// Layout: value i of a run of n values at width w (0..64) occupies bits
// [i*w, (i+1)*w) of a little-endian bit stream (bit k is bit k%8 of byte
// k/8), least significant bit first; the run takes exactly
// PackedBytes(n, w) bytes and its unused high bits in the last byte are 0.
//
// Thread safety: pure functions.
#ifndef SREDB_STORAGE_CODEC_BITPACK_H_
#define SREDB_STORAGE_CODEC_BITPACK_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sredb::codec {

inline size_t PackedBytes(size_t n, int width) {
  return (n * static_cast<size_t>(width) + 7) / 8;
}

// Bits needed for `x`: 0 for 0, 64 for values >= 2^63.
inline int BitWidth(uint64_t x) { return std::bit_width(x); }

inline uint64_t LowMask(int width) {
  return width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
}

// Appends the low `width` bits of v[0..n) in the layout above.
// REQUIRES: 0 <= width <= 64.
void PackBits(const uint64_t* v, size_t n, int width, std::string* out);

// Reads n values of `width` bits from the front of `in` into out[0..n).
// REQUIRES: 0 <= width <= 64 and in.size() >= PackedBytes(n, width).
// Never reads past in.data() + in.size(). Specialised per width so that the
// hot loop has constant shifts and masks.
void UnpackBits(std::string_view in, size_t n, int width, uint64_t* out);

// Frame-of-reference reconstruction, fused into unpacking so that a sealed
// int column decodes in one pass: each residual r becomes
// x = base + gcd * r, then, for k < levels, x = (acc[k] += x) (running sums:
// a block's DELTA and a timestamp column's differences). Modulo 2^64.
// The accumulators are left at their final values.
struct ForState {
  uint64_t base = 0;
  uint64_t gcd = 1;
  int levels = 0;  // 0..2
  uint64_t acc[2] = {0, 0};
};

// UnpackBits followed by the reconstruction, in one pass.
// REQUIRES: as UnpackBits; 0 <= s->levels <= 2.
void UnpackFor(std::string_view in, size_t n, int width, ForState* s, uint64_t* out);

// The reconstruction alone, in place over residuals r[0..n).
void ApplyFor(uint64_t* r, size_t n, ForState* s);

// The same over residuals r[i] | high[i] << k (entropy-coded high bytes
// above k raw low bits), or high[i] << k alone when !has_low (r[] is then
// only written). REQUIRES: 0 <= k <= 63.
// UnpackFor of the low k bits, each value OR-ed with high[i] << k first,
// in one pass: an entropy-coded block's reconstruction.
// REQUIRES: 0 <= k <= 63 and in.size() >= PackedBytes(n, k).
void UnpackForHigh(std::string_view in, size_t n, int k, const uint8_t* high, ForState* s,
                   uint64_t* out);

void ApplyForHigh(uint64_t* r, const uint8_t* high, int k, size_t n, ForState* s,
                  bool has_low = true);

}  // namespace sredb::codec

#endif  // SREDB_STORAGE_CODEC_BITPACK_H_
