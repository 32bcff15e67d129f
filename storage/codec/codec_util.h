// Helpers shared by the column codecs: zigzag, byte reads, the column
// header (see codec.h "Stream framing") and the Corruption message style.
//
// Thread safety: pure functions.
#ifndef SREDB_STORAGE_CODEC_CODEC_UTIL_H_
#define SREDB_STORAGE_CODEC_CODEC_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/codec/codec.h"
#include "storage/internal/coding.h"
#include "storage/status.h"

namespace sredb::codec {

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t u) {
  return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

inline bool GetU8(std::string_view* in, uint8_t* v) {
  if (in->empty()) return false;
  *v = static_cast<uint8_t>(in->front());
  in->remove_prefix(1);
  return true;
}

inline bool GetZigZag(std::string_view* in, int64_t* v) {
  uint64_t u;
  if (!internal::GetVarint64(in, &u)) return false;
  *v = UnZigZag(u);
  return true;
}

inline Status Corrupt(std::string_view what) {
  return Status::Corruption("column codec: " + std::string(what));
}

inline void PutColumnHeader(std::string* out, ColumnKind kind, uint64_t n) {
  out->push_back(static_cast<char>((kFormatVersion << 4) | static_cast<uint8_t>(kind)));
  internal::PutVarint64(out, n);
}

// Reads a header of `kind`. The count is bounded by kMaxColumnValues and by
// the bytes left: every block of kBlockValues values takes at least
// `min_block_bytes` bytes.
Status GetColumnHeader(std::string_view* in, ColumnKind kind, size_t min_block_bytes,
                       uint64_t* n);

}  // namespace sredb::codec

#endif  // SREDB_STORAGE_CODEC_CODEC_UTIL_H_
