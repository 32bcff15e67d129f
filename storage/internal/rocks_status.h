// FromRocks: converts a rocksdb::Status at the storage boundary, keeping
// damage (a block checksum mismatch, say) a Corruption rather than an
// IOError, so that callers and `sredb check` tell damage from I/O failure.
#ifndef SREDB_STORAGE_INTERNAL_ROCKS_STATUS_H_
#define SREDB_STORAGE_INTERNAL_ROCKS_STATUS_H_

#include <rocksdb/status.h>

#include <string>

#include "storage/status.h"

namespace sredb::internal {

// OK for OK; Corruption for RocksDB's Corruption; IOError otherwise. The
// message is "what: " followed by RocksDB's.
inline Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::OK();
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  return Status::IOError(what + ": " + s.ToString());
}

}  // namespace sredb::internal

#endif  // SREDB_STORAGE_INTERNAL_ROCKS_STATUS_H_
