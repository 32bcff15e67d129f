// Column streams of ints and timestamps over the integer block codec.
//
//   ints       := u8 header (kind 2) | varint n | int blocks
//   timestamps := u8 header (kind 1) | varint n
//                 | [varint zigzag(v[0])]                      if n >= 1
//                 | int blocks of the n - 1 differences d[i] = v[i+1] - v[i]
//   int blocks := ceil(m / 1024) blocks (int_block.h), block j holding
//                 values [1024 j, min(m, 1024 (j + 1))) of the m values
//
// Differences are modulo 2^64, so any order and any int64 values work;
// non-decreasing stamps give small non-negative differences, a common step
// (ms stamps in ns) becomes the block divisor, and a block's own DELTA flag
// turns them into delta-of-delta when that is smaller.
//
// Thread safety: reentrant.
#include <algorithm>
#include <array>

#include "storage/codec/codec.h"
#include "storage/codec/codec_util.h"
#include "storage/codec/int_block.h"

namespace sredb::codec {
namespace {

// A block takes at least a tag and one varint byte.
constexpr size_t kMinIntBlockBytes = 2;
// Timestamps: n values take the first-value varint plus ceil((n-1)/1024)
// blocks, so at least one byte per started 1024 values.
constexpr size_t kMinTimestampBytes = 1;

void EncodeIntBlocks(std::span<const int64_t> v, std::string* out) {
  for (size_t i = 0; i < v.size(); i += kBlockValues) {
    EncodeIntBlock(v.subspan(i, std::min(kBlockValues, v.size() - i)), out);
  }
}

// With `running`, integrates the decoded differences (see DecodeIntBlock).
Status DecodeIntBlocksTo(std::string_view* in, size_t m, int64_t* out,
                         uint64_t* running = nullptr) {
  for (size_t i = 0; i < m; i += kBlockValues) {
    SREDB_RETURN_IF_ERROR(
        DecodeIntBlock(in, std::min(kBlockValues, m - i), out + i, running));
  }
  return Status::OK();
}

// Appends m values block by block, so that a lying count costs at most one
// block of memory beyond what the input really encodes.
Status DecodeIntBlocksAppend(std::string_view* in, size_t m, std::vector<int64_t>* out,
                             uint64_t* running = nullptr) {
  out->reserve(out->size() + std::min(m, in->size() * 8 + kBlockValues));
  for (size_t i = 0; i < m; i += kBlockValues) {
    const size_t count = std::min(kBlockValues, m - i);
    const size_t old = out->size();
    out->resize(old + count);
    SREDB_RETURN_IF_ERROR(DecodeIntBlock(in, count, out->data() + old, running));
  }
  return Status::OK();
}

// Reads the timestamp head: the count and the first value.
Status GetTimestampHead(std::string_view* in, uint64_t* n, int64_t* first) {
  SREDB_RETURN_IF_ERROR(
      GetColumnHeader(in, ColumnKind::kTimestamps, kMinTimestampBytes, n));
  if (*n > 0 && !GetZigZag(in, first)) return Corrupt("timestamps: truncated first");
  return Status::OK();
}

// Parses the header on a copy of `in` and checks the count fits.
Status CheckCapacity(std::string_view in, size_t capacity) {
  uint64_t n;
  SREDB_RETURN_IF_ERROR(PeekCount(in, &n));
  if (n > capacity) {
    return Status::ResourceExhausted("column codec: " + std::to_string(n) +
                                     " values exceed the buffer of " +
                                     std::to_string(capacity));
  }
  return Status::OK();
}

}  // namespace

Status GetColumnHeader(std::string_view* in, ColumnKind kind, size_t min_block_bytes,
                       uint64_t* n) {
  uint8_t header;
  if (!GetU8(in, &header)) return Corrupt("truncated column header");
  if ((header >> 4) != kFormatVersion) {
    return Corrupt("unsupported column format version " + std::to_string(header >> 4));
  }
  if ((header & 0x0f) != static_cast<uint8_t>(kind)) {
    return Corrupt("column kind " + std::to_string(header & 0x0f) + ", expected " +
                   std::to_string(static_cast<int>(kind)));
  }
  if (!internal::GetVarint64(in, n) || *n > kMaxColumnValues) {
    return Corrupt("bad column value count");
  }
  const uint64_t blocks = (*n + kBlockValues - 1) / kBlockValues;
  if (blocks > in->size() / min_block_bytes) {
    return Corrupt("column value count exceeds its bytes");
  }
  return Status::OK();
}

Status PeekCount(std::string_view in, uint64_t* count) {
  uint8_t header;
  if (!GetU8(&in, &header)) return Corrupt("truncated column header");
  const uint8_t kind = header & 0x0f;
  if ((header >> 4) != kFormatVersion || kind < 1 || kind > 6) {
    return Corrupt("bad column header");
  }
  if (!internal::GetVarint64(&in, count) || *count > kMaxColumnValues) {
    return Corrupt("bad column value count");
  }
  return Status::OK();
}

void EncodeInts(std::span<const int64_t> v, std::string* out) {
  PutColumnHeader(out, ColumnKind::kInts, v.size());
  EncodeIntBlocks(v, out);
}

Status DecodeInts(std::string_view* in, std::vector<int64_t>* out) {
  uint64_t n;
  SREDB_RETURN_IF_ERROR(GetColumnHeader(in, ColumnKind::kInts, kMinIntBlockBytes, &n));
  return DecodeIntBlocksAppend(in, n, out);
}

Status DecodeIntsTo(std::string_view* in, int64_t* out, size_t capacity, size_t* count) {
  SREDB_RETURN_IF_ERROR(CheckCapacity(*in, capacity));
  uint64_t n;
  SREDB_RETURN_IF_ERROR(GetColumnHeader(in, ColumnKind::kInts, kMinIntBlockBytes, &n));
  *count = n;
  return DecodeIntBlocksTo(in, n, out);
}

void EncodeTimestamps(std::span<const int64_t> v, std::string* out) {
  PutColumnHeader(out, ColumnKind::kTimestamps, v.size());
  if (v.empty()) return;
  internal::PutVarint64(out, ZigZag(v[0]));
  // The differences block by block, through a stack buffer (no allocation
  // per column).
  std::array<int64_t, kBlockValues> d;
  for (size_t i = 0; i + 1 < v.size(); i += kBlockValues) {
    const size_t count = std::min(kBlockValues, v.size() - 1 - i);
    for (size_t j = 0; j < count; ++j) {
      d[j] = static_cast<int64_t>(static_cast<uint64_t>(v[i + j + 1]) -
                                  static_cast<uint64_t>(v[i + j]));
    }
    EncodeIntBlock(std::span(d.data(), count), out);
  }
}

Status DecodeTimestamps(std::string_view* in, std::vector<int64_t>* out) {
  uint64_t n;
  int64_t first = 0;
  SREDB_RETURN_IF_ERROR(GetTimestampHead(in, &n, &first));
  if (n == 0) return Status::OK();
  out->push_back(first);
  uint64_t running = static_cast<uint64_t>(first);
  return DecodeIntBlocksAppend(in, n - 1, out, &running);
}

Status DecodeTimestampsTo(std::string_view* in, int64_t* out, size_t capacity,
                          size_t* count) {
  SREDB_RETURN_IF_ERROR(CheckCapacity(*in, capacity));
  uint64_t n;
  int64_t first = 0;
  SREDB_RETURN_IF_ERROR(GetTimestampHead(in, &n, &first));
  *count = n;
  if (n == 0) return Status::OK();
  out[0] = first;
  uint64_t running = static_cast<uint64_t>(first);
  return DecodeIntBlocksTo(in, n - 1, out + 1, &running);
}

}  // namespace sredb::codec
