// Finding the bytes that end an unquoted CSV cell or need a closer look
// (',', '\n', '\r', '"'): SkipPlain scans eight bytes at a time;
// SpecialFinder computes a 64-bit mask per 64-byte window once (SSE2) and
// walks it, so that each of a record's short cells costs a few instructions
// instead of a scan of its own.
//
// Thread safety: SkipPlain is stateless; a SpecialFinder is used by one
// thread at a time.
#ifndef SREDB_INGEST_CSV_SCAN_H_
#define SREDB_INGEST_CSV_SCAN_H_

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sredb::ingest {

// Bytes that end an unquoted cell or need a closer look.
inline constexpr std::array<bool, 256> kCsvSpecial = [] {
  std::array<bool, 256> t{};
  t[static_cast<unsigned char>(',')] = true;
  t[static_cast<unsigned char>('\n')] = true;
  t[static_cast<unsigned char>('\r')] = true;
  t[static_cast<unsigned char>('"')] = true;
  return t;
}();

namespace csv_scan_internal {
// A mask with the high bit of each byte of `w` that equals `c`, and maybe
// of later bytes: the lowest set bit is exact, which is all SkipPlain uses.
inline uint64_t BytesEqual(uint64_t w, unsigned char c) {
  constexpr uint64_t kOnes = 0x0101010101010101;
  const uint64_t x = w ^ (kOnes * c);
  return (x - kOnes) & ~x & (kOnes << 7);
}
}  // namespace csv_scan_internal

// The first special byte in [q, end), or end; eight bytes at a time.
inline const char* SkipPlain(const char* q, const char* end) {
  using csv_scan_internal::BytesEqual;
  if constexpr (std::endian::native == std::endian::little) {
    for (; end - q >= 8; q += 8) {
      uint64_t w;
      std::memcpy(&w, q, 8);
      const uint64_t m = BytesEqual(w, ',') | BytesEqual(w, '\n') | BytesEqual(w, '\r') |
                         BytesEqual(w, '"');
      if (m != 0) return q + std::countr_zero(m) / 8;
    }
  }
  while (q < end && !kCsvSpecial[static_cast<unsigned char>(*q)]) ++q;
  return q;
}

// SkipPlain with memory: remembers the special bytes of the last 64-byte
// window it looked at.
//
// Invariant: when window_ is set, bit i of mask_ is set iff window_[i] is
// special, for i < 64, as of the last Reset.
class SpecialFinder {
 public:
  // Forgets the window. REQUIRES: called whenever bytes already scanned may
  // have moved or changed (after every refill of the buffer).
  void Reset() { window_ = nullptr; }  // no q is within 64 bytes of address 0

  // The first special byte in [q, end), or end. REQUIRES: [q, end) is
  // readable.
  const char* Next(const char* q, const char* end) {
#if defined(__SSE2__)
    for (;;) {
      // One unsigned comparison: a q before window_ (or no window) wraps.
      const uintptr_t offset =
          reinterpret_cast<uintptr_t>(q) - reinterpret_cast<uintptr_t>(window_);
      if (offset < 64) {
        const uint64_t m = mask_ >> offset;
        if (m != 0) return q + std::countr_zero(m);
        q = window_ + 64;
      }
      if (end - q < 64) return SkipPlain(q, end);
      window_ = q;
      mask_ = Mask64(q);
    }
#else
    return SkipPlain(q, end);
#endif
  }

 private:
#if defined(__SSE2__)
  static uint64_t Mask64(const char* p) {
    const __m128i comma = _mm_set1_epi8(',');
    const __m128i lf = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i quote = _mm_set1_epi8('"');
    uint64_t m = 0;
    for (int i = 0; i < 4; ++i) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
      const __m128i hit =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, lf)),
                       _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, quote)));
      m |= uint64_t{static_cast<uint16_t>(_mm_movemask_epi8(hit))} << (16 * i);
    }
    return m;
  }
#endif

  const char* window_ = nullptr;
  uint64_t mask_ = 0;
};

}  // namespace sredb::ingest

#endif  // SREDB_INGEST_CSV_SCAN_H_
