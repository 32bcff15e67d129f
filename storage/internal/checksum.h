// XXH3-64 checksums of persisted values. Header-only.
#ifndef SREDB_STORAGE_INTERNAL_CHECKSUM_H_
#define SREDB_STORAGE_INTERNAL_CHECKSUM_H_

#include <xxhash.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/internal/coding.h"

namespace sredb::internal {

inline uint64_t Xxh3(std::string_view data) {
  return XXH3_64bits(data.data(), data.size());
}

// Appends the XXH3-64 of everything in *dst so far.
inline void SealWithChecksum(std::string* dst) { PutFixed64(dst, Xxh3(*dst)); }

// Verifies and strips a trailing fixed64 XXH3; false when it does not match.
inline bool CheckAndStripChecksum(std::string_view* record) {
  if (record->size() < 8) return false;
  std::string_view body = record->substr(0, record->size() - 8);
  if (Xxh3(body) != DecodeFixed64(record->data() + body.size())) return false;
  *record = body;
  return true;
}

}  // namespace sredb::internal

#endif  // SREDB_STORAGE_INTERNAL_CHECKSUM_H_
