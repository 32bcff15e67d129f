// BlockReader: reads a file descriptor in large blocks into one growing
// buffer, so that line and record parsers can work on string_views of whole
// records without copying them. Used by the CSV and JSON-lines readers.
//
// Invariants: [data(), data() + size()) holds the unconsumed input, in
// order; Fill keeps it and appends at least one byte unless at EOF. A view
// into the buffer is valid until the next Fill.
//
// Thread safety: used by one thread at a time.
#ifndef SREDB_INGEST_BLOCK_READER_H_
#define SREDB_INGEST_BLOCK_READER_H_

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "storage/status.h"

namespace sredb::ingest {

class BlockReader {
 public:
  static constexpr size_t kBlockBytes = 1 << 20;

  // REQUIRES: `fd` is open for reading and outlives this object.
  explicit BlockReader(int fd) : fd_(fd) {}

  const char* data() const { return buf_.get() + pos_; }
  size_t size() const { return end_ - pos_; }
  // True once read() reported the end of the input.
  bool eof() const { return eof_; }
  // REQUIRES: n <= size().
  void Consume(size_t n) { pos_ += n; }

  // Discards input up to and including the next '\n', reading as needed.
  // True when one was found, false at the end of the input.
  Result<bool> SkipPastNewline() {
    for (;;) {
      const void* nl = std::memchr(data(), '\n', size());
      if (nl != nullptr) {
        Consume(static_cast<const char*>(nl) + 1 - data());
        return true;
      }
      Consume(size());
      if (eof()) return false;
      SREDB_RETURN_IF_ERROR(Fill());
    }
  }

  // Reads more input after the unconsumed bytes (one read(2) of up to
  // kBlockBytes or more). OK with eof() set at the end of the input.
  Status Fill() {
    Compact();
    for (;;) {
      ssize_t n = ::read(fd_, buf_.get() + end_, cap_ - end_);
      if (n > 0) {
        end_ += static_cast<size_t>(n);
        return Status::OK();
      }
      if (n == 0) {
        eof_ = true;
        return Status::OK();
      }
      if (errno != EINTR) {
        return Status::IOError(std::string("reading input: ") + std::strerror(errno));
      }
    }
  }

 private:
  // Moves the unconsumed bytes to the front and makes room for a block.
  void Compact() {
    const size_t live = size();
    if (cap_ - live < kBlockBytes) {
      size_t cap = cap_ == 0 ? kBlockBytes : cap_;
      while (cap - live < kBlockBytes) cap *= 2;
      std::unique_ptr<char[]> bigger(new char[cap]);
      if (live > 0) std::memcpy(bigger.get(), data(), live);
      buf_ = std::move(bigger);
      cap_ = cap;
    } else if (pos_ > 0 && live > 0) {
      std::memmove(buf_.get(), data(), live);
    }
    pos_ = 0;
    end_ = live;
  }

  int fd_;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t pos_ = 0;  // first unconsumed byte
  size_t end_ = 0;  // one past the last byte read
  bool eof_ = false;
};

}  // namespace sredb::ingest

#endif  // SREDB_INGEST_BLOCK_READER_H_
