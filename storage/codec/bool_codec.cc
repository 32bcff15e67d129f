// Column streams of booleans and small enums over the enum block codec.
//
//   bools := u8 header (kind 4) | varint n | enum blocks   (every value 0 or 1)
//   enums := u8 header (kind 5) | varint n | enum blocks
//   enum blocks := ceil(n / 1024) blocks (enum_block.h), block j holding
//                  values [1024 j, min(n, 1024 (j + 1)))
// A rare flag costs its positions (sparse tag), a long streak its runs.
//
// Thread safety: reentrant.
#include <algorithm>
#include <cassert>

#include "storage/codec/codec.h"
#include "storage/codec/codec_util.h"
#include "storage/codec/enum_block.h"

namespace sredb::codec {
namespace {

void EncodeEnumBlocks(std::span<const uint8_t> v, ColumnKind kind, std::string* out) {
  PutColumnHeader(out, kind, v.size());
  for (size_t i = 0; i < v.size(); i += kBlockValues) {
    EncodeEnumBlock(v.subspan(i, std::min(kBlockValues, v.size() - i)), out);
  }
}

// Appends the values; with `max_value` < 255 a larger value is Corruption.
Status DecodeEnumBlocks(std::string_view* in, ColumnKind kind, uint8_t max_value,
                        std::vector<uint8_t>* out) {
  uint64_t n;
  SREDB_RETURN_IF_ERROR(GetColumnHeader(in, kind, kMinEnumBlockBytes, &n));
  for (size_t i = 0; i < n; i += kBlockValues) {
    const size_t count = std::min<size_t>(kBlockValues, n - i);
    const size_t old = out->size();
    out->resize(old + count);
    uint8_t* block = out->data() + old;
    SREDB_RETURN_IF_ERROR(DecodeEnumBlock(in, count, block));
    if (std::any_of(block, block + count, [&](uint8_t x) { return x > max_value; })) {
      return Corrupt("bools: value other than 0 or 1");
    }
  }
  return Status::OK();
}

}  // namespace

void EncodeBools(std::span<const uint8_t> v, std::string* out) {
  assert(std::all_of(v.begin(), v.end(), [](uint8_t x) { return x <= 1; }));
  EncodeEnumBlocks(v, ColumnKind::kBools, out);
}

Status DecodeBools(std::string_view* in, std::vector<uint8_t>* out) {
  return DecodeEnumBlocks(in, ColumnKind::kBools, 1, out);
}

void EncodeSmallEnums(std::span<const uint8_t> v, std::string* out) {
  EncodeEnumBlocks(v, ColumnKind::kSmallEnums, out);
}

Status DecodeSmallEnums(std::string_view* in, std::vector<uint8_t>* out) {
  return DecodeEnumBlocks(in, ColumnKind::kSmallEnums, 255, out);
}

}  // namespace sredb::codec
