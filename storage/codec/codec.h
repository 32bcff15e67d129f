// Column codecs of sealed chunks: each call encodes or decodes ONE column of
// ONE series in ONE time partition (1 to a few hundred thousand values).
// The byte layouts are drawn in storage/codec/README.md and repeated at the
// top of each encoder.
//
// Every column stream is self-delimiting: a decoder consumes exactly the
// bytes its encoder wrote from the front of `*in`, so streams can be
// concatenated. Decoders append to `*out`; on error they return Corruption,
// leave `*in` unspecified and may have appended a partial result. They never
// read outside `*in` and never allocate more than a small multiple of the
// input size (counts are bounded by the remaining bytes).
//
// Stream framing, shared by every kind:
//   column := u8 header | varint n | body
//   header := (kFormatVersion << 4) | kind     kind: see ColumnKind
// A decoder refuses any other version or a kind it was not asked for.
//
// Thread safety: all functions are reentrant; distinct calls may run on
// distinct threads at once (the zstd decoder of old blocks keeps a
// thread_local context).
#ifndef SREDB_STORAGE_CODEC_CODEC_H_
#define SREDB_STORAGE_CODEC_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"

namespace sredb::codec {

// Version of every column layout in this folder; bumped when any changes.
inline constexpr uint8_t kFormatVersion = 1;
// Values per block: every per-block choice (codec, base, width) covers at
// most this many values, which bounds decode scratch memory.
inline constexpr size_t kBlockValues = 1024;
// Hard cap on the values of one column stream, whatever its bytes claim.
inline constexpr uint64_t kMaxColumnValues = uint64_t{1} << 32;

enum class ColumnKind : uint8_t {
  kTimestamps = 1,
  kInts = 2,
  kFloats = 3,
  kBools = 4,
  kSmallEnums = 5,
  kStrings = 6,
};

// Timestamps (ns since the epoch): any order is valid; non-decreasing series
// with a common step (ms-stamped events) are the cheap case.
void EncodeTimestamps(std::span<const int64_t> v, std::string* out);
Status DecodeTimestamps(std::string_view* in, std::vector<int64_t>* out);

// Any int64 values, including INT64_MIN and INT64_MAX.
void EncodeInts(std::span<const int64_t> v, std::string* out);
Status DecodeInts(std::string_view* in, std::vector<int64_t>* out);

// Fast path for scans: decodes a timestamps or ints stream straight into a
// caller buffer, skipping the vector growth. `*count` receives the number of
// values; REQUIRES nothing of `out` beyond `capacity` elements. Returns
// ResourceExhausted (consuming nothing) when the stream holds more than
// `capacity` values; PeekCount tells how many beforehand.
Status DecodeTimestampsTo(std::string_view* in, int64_t* out, size_t capacity,
                          size_t* count);
Status DecodeIntsTo(std::string_view* in, int64_t* out, size_t capacity, size_t* count);
// The value count of the column stream at the front of `in` (any kind),
// without consuming it. Corruption when the header is malformed.
Status PeekCount(std::string_view in, uint64_t* count);

// float32 values, bit-exact (-0.0, denormals, inf and NaN payloads too).
void EncodeFloats(std::span<const float> v, std::string* out);
Status DecodeFloats(std::string_view* in, std::vector<float>* out);

// REQUIRES: each value is 0 or 1.
void EncodeBools(std::span<const uint8_t> v, std::string* out);
Status DecodeBools(std::string_view* in, std::vector<uint8_t>* out);

// Any byte values; cheapest when one value dominates (tri-state, mostly 0).
void EncodeSmallEnums(std::span<const uint8_t> v, std::string* out);
Status DecodeSmallEnums(std::string_view* in, std::vector<uint8_t>* out);

// Short strings, mostly repeated or empty, by a per-column dictionary.
void EncodeStrings(std::span<const std::string_view> v, std::string* out);
Status DecodeStrings(std::string_view* in, std::vector<std::string>* out);

}  // namespace sredb::codec

#endif  // SREDB_STORAGE_CODEC_CODEC_H_
