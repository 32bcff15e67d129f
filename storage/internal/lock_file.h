// The writer lock: an flock(2) on <db>/SREDB_LOCK holding the owner's pid.
// flock locks belong to an open file description, so a second writer is
// refused whether it is another process or another DB::Open in this one.
// The kernel drops the lock when its holder exits, even on SIGKILL.
#ifndef SREDB_STORAGE_INTERNAL_LOCK_FILE_H_
#define SREDB_STORAGE_INTERNAL_LOCK_FILE_H_

#include <memory>
#include <string>

#include "storage/status.h"

namespace sredb::internal {

inline constexpr char kLockFileName[] = "SREDB_LOCK";

class LockFile {
 public:
  // Takes the lock of the database directory `dir` (which must exist).
  // Busy, naming the holder's pid, when another writer has it.
  static Result<std::unique_ptr<LockFile>> Acquire(const std::string& dir);
  ~LockFile();  // releases the lock
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;

 private:
  explicit LockFile(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace sredb::internal

#endif  // SREDB_STORAGE_INTERNAL_LOCK_FILE_H_
