// WalScan: finds where a RocksDB write-ahead log is damaged and whether
// intact write batches follow the damage, so that DB::Open can tell a torn
// tail (recover to the last complete batch) from damage before the tail
// (refuse, rather than drop acknowledged batches; storage/FORMAT.md,
// "Write-ahead log").
//
// It reads RocksDB's log format (db/log_format.h, stable since leveldb):
// 32 KiB blocks of physical records `fixed32 masked crc32c(type | payload) |
// fixed16 length | u8 type | payload`, type 1 a whole write batch, 2/3/4 its
// first, middle and last fragments; a record never spans a block, and fewer
// than 7 bytes left in a block are zero padding. Only the legacy record
// types are recognised: sredb never enables recyclable log files.
//
// Thread safety: a pure function of the file's bytes.
#ifndef SREDB_STORAGE_INTERNAL_WAL_SCAN_H_
#define SREDB_STORAGE_INTERNAL_WAL_SCAN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace sredb::internal {

struct WalScan {
  bool damaged = false;        // some bytes are not a sound record
  uint64_t damage_offset = 0;  // of the first unsound byte, when damaged
  uint64_t batches_after = 0;  // sound batch starts (type 1 or 2) after it
  uint64_t batches = 0;        // sound batch starts in the whole file
};

// Scans the log held in `bytes`. A tail that stops inside a record, or
// garbage after the last sound record, is damage with nothing after it.
WalScan ScanWal(std::string_view bytes);

// Reads and scans the log file at `path`.
Result<WalScan> ScanWalFile(const std::string& path);

// Scans every write-ahead log (`<number>.log`) of the RocksDB directory
// `dir` in log order. *damaged tells whether any is damaged. OK when no
// sound write batch follows the first damage (in its log or in a later
// one): recovering to the last complete batch loses only what was never
// wholly written. Corruption naming the log, the offset and the number of
// batches that recovery would drop otherwise.
Status CheckWalDamageIsTail(const std::string& dir, bool* damaged);

}  // namespace sredb::internal

#endif  // SREDB_STORAGE_INTERNAL_WAL_SCAN_H_
