// The small-enum block codec: up to kBlockValues byte values (booleans,
// tri-states, dictionary indices) whose count the enclosing stream knows.
// Rare values cost per occurrence, not per value.
//
//   block := u8 tag | body
//   tag 0, constant: u8 value
//   tag 1, packed:   u8 w (0..8) | PackedBytes(count, w) bytes (bitpack.h)
//   tag 2, sparse:   u8 default | varint x (1..count)
//                    | int block (int_block.h) of the x positions
//                    | u8 base | u8 w (0..8) | PackedBytes(x, w) bytes of
//                      value - base
//                    every value is `default` except at the positions
//   tag 3, runs:     varint r (1..count) | int block of the r run values
//                    | int block of the r run lengths (each >= 1, sum = count)
// The encoder tries each tag and keeps the smallest.
//
// Thread safety: reentrant.
#ifndef SREDB_STORAGE_CODEC_ENUM_BLOCK_H_
#define SREDB_STORAGE_CODEC_ENUM_BLOCK_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace sredb::codec {

// REQUIRES: 1 <= v.size() <= kBlockValues.
void EncodeEnumBlock(std::span<const uint8_t> v, std::string* out);

// Decodes one block of `count` values into out[0..count).
// REQUIRES: 1 <= count <= kBlockValues.
Status DecodeEnumBlock(std::string_view* in, size_t count, uint8_t* out);

// A block takes at least this many bytes (tag and one more).
inline constexpr size_t kMinEnumBlockBytes = 2;

}  // namespace sredb::codec

#endif  // SREDB_STORAGE_CODEC_ENUM_BLOCK_H_
