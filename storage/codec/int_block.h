// The integer block codec: up to kBlockValues int64 values whose count the
// enclosing stream knows. Used for ints, for timestamp deltas, for ALP's
// scaled floats and float bit patterns, for sparse position gaps and for
// dictionary indices. Arithmetic is modulo 2^64, so every int64 input
// (INT64_MIN..INT64_MAX, any differences) round-trips.
//
//   block  := u8 tag | body
//   tag    := layout (bits 0-1) | DELTA (bit 2) | GCD (bit 3); bits 4-7 zero
//   layout 0, constant: varint zigzag(value)            DELTA and GCD clear
//   layout 1, packed:   head | PackedBytes(m, w) bytes: r[0..m) at width w
//   layout 2, split:    head | u8 k | PackedBytes(m, k) bytes: r & (2^k-1)
//                       | varint zlen | zlen bytes: zstd frame (entropy.h) of
//                         m bytes r >> k       (w - k <= 8; decoded only)
//   layout 3, huffman:  head | u8 k | PackedBytes(m, k) bytes: r & (2^k-1)
//                       | huffman.h bytes of the m bytes r >> k (w - k <= 8)
//   head   := [varint zigzag(first)]  if DELTA
//             varint zigzag(base) | [varint gcd (>= 2)] if GCD | u8 w (0..64)
//
// Without DELTA the m = count values are x[i] = v[i]; with DELTA (count >= 2)
// v[0] = first and the m = count - 1 values are x[i] = v[i+1] - v[i]. Then
// x[i] = base + gcd * r[i] (gcd = 1 without GCD), base = min x (signed).
// The encoder tries each layout and transform and keeps the smallest.
//
// Thread safety: reentrant.
#ifndef SREDB_STORAGE_CODEC_INT_BLOCK_H_
#define SREDB_STORAGE_CODEC_INT_BLOCK_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace sredb::codec {

// REQUIRES: 1 <= v.size() <= kBlockValues.
void EncodeIntBlock(std::span<const int64_t> v, std::string* out);

// A lower bound of the bytes EncodeIntBlock(v) appends, from the widths of
// its transforms alone (no entropy coding tried), for callers choosing
// between an int block and something else.
// REQUIRES: 1 <= v.size() <= kBlockValues.
size_t IntBlockBytesAtLeast(std::span<const int64_t> v);

// Decodes one block of `count` values into out[0..count), consuming it from
// `*in`. With `running`, the block's values are differences: out[i] becomes
// (*running += v[i]) and *running ends at the last output (timestamps).
// REQUIRES: 1 <= count <= kBlockValues.
Status DecodeIntBlock(std::string_view* in, size_t count, int64_t* out,
                      uint64_t* running = nullptr);

}  // namespace sredb::codec

#endif  // SREDB_STORAGE_CODEC_INT_BLOCK_H_
