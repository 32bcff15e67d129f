// A RocksDB file system for fault tests: every file written through it
// draws on one byte budget, and once the budget is spent writes fail as a
// full disk does (the bytes that fit are written, then IOStatus::NoSpace),
// until it is refilled. Use with internal::DBImpl::SetEnvForTesting.
//
// Thread safety: the budget is atomic; RocksDB's background threads write
// through it concurrently.
#ifndef SREDB_TESTS_STORAGE_FAULT_FS_H_
#define SREDB_TESTS_STORAGE_FAULT_FS_H_

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

namespace sredb::testing {

class BudgetFileSystem : public rocksdb::FileSystemWrapper {
 public:
  BudgetFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "BudgetFileSystem"; }

  // Bytes that may still be written; unlimited until set.
  void SetBudget(int64_t bytes) { budget_.store(bytes); }
  // How many writes were refused.
  int64_t refusals() const { return refusals_.load(); }

  rocksdb::IOStatus NewWritableFile(const std::string& name,
                                    const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, &file, dbg);
    if (s.ok()) result->reset(new File(std::move(file), this));
    return s;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& name,
                                       const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->ReopenWritableFile(name, options, &file, dbg);
    if (s.ok()) result->reset(new File(std::move(file), this));
    return s;
  }

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> file, BudgetFileSystem* fs)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      const size_t fits = fs_->Take(data.size());
      if (fits > 0) {
        rocksdb::IOStatus s =
            target()->Append(rocksdb::Slice(data.data(), fits), options, dbg);
        if (!s.ok()) return s;
      }
      if (fits == data.size()) return rocksdb::IOStatus::OK();
      fs_->refusals_.fetch_add(1);
      return rocksdb::IOStatus::NoSpace("test file system: byte budget spent");
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& /*info*/,
                             rocksdb::IODebugContext* dbg) override {
      return Append(data, options, dbg);
    }

   private:
    BudgetFileSystem* fs_;
  };

  // Takes up to n bytes from the budget; returns how many it took.
  size_t Take(size_t n) {
    int64_t left = budget_.load();
    while (true) {
      const int64_t take = std::clamp<int64_t>(left, 0, static_cast<int64_t>(n));
      if (budget_.compare_exchange_weak(left, left - take))
        return static_cast<size_t>(take);
    }
  }

  std::atomic<int64_t> budget_{std::numeric_limits<int64_t>::max()};
  std::atomic<int64_t> refusals_{0};
};

}  // namespace sredb::testing

#endif  // SREDB_TESTS_STORAGE_FAULT_FS_H_
