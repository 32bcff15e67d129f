// Status and Result<T>: how every sredb API reports failure. No exceptions
// cross the API; an expected failure (bad input, a damaged chunk, a busy
// database) is a Status with a code and one message naming where and why.
//
// Thread safety: a Status or Result is a value; distinct objects may be used
// from distinct threads without synchronisation.
#ifndef SREDB_STORAGE_STATUS_H_
#define SREDB_STORAGE_STATUS_H_

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace sredb {

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status OK() { return Status(); }
  static Status NotFound(std::string msg) {
    return Status(Code::kNotFound, std::move(msg));
  }
  static Status Corruption(std::string msg) {
    return Status(Code::kCorruption, std::move(msg));
  }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  static Status IOError(std::string msg) {
    return Status(Code::kIOError, std::move(msg));
  }
  // The database is held by another writer.
  static Status Busy(std::string msg) { return Status(Code::kBusy, std::move(msg)); }
  // Two different label sets hash to the same series id; refused, never merged.
  static Status SeriesCollision(std::string msg) {
    return Status(Code::kSeriesCollision, std::move(msg));
  }
  static Status NotSupported(std::string msg) {
    return Status(Code::kNotSupported, std::move(msg));
  }
  // A limit set by an option or a constant was exceeded.
  static Status ResourceExhausted(std::string msg) {
    return Status(Code::kResourceExhausted, std::move(msg));
  }

  // The operation was cancelled on request (e.g. a query from another thread).
  static Status Cancelled(std::string msg) {
    return Status(Code::kCancelled, std::move(msg));
  }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsBusy() const { return code_ == Code::kBusy; }
  bool IsSeriesCollision() const { return code_ == Code::kSeriesCollision; }
  bool IsNotSupported() const { return code_ == Code::kNotSupported; }
  bool IsResourceExhausted() const { return code_ == Code::kResourceExhausted; }
  bool IsCancelled() const { return code_ == Code::kCancelled; }

  // The message alone, without the code's name.
  const std::string& message() const { return msg_; }
  // "Corruption: chunk 12/ab..: bad checksum", or "OK".
  std::string ToString() const;

  // The same code with another message, e.g. to add context.
  Status WithMessage(std::string msg) const { return Status(code_, std::move(msg)); }

  // Marks a deliberately ignored error, so that every ignored one is greppable.
  void IgnoreError() const {}

 private:
  enum class Code : unsigned char {
    kOk,
    kNotFound,
    kCorruption,
    kInvalidArgument,
    kIOError,
    kBusy,
    kSeriesCollision,
    kNotSupported,
    kResourceExhausted,
    kCancelled,
  };
  Status(Code code, std::string msg) : code_(code), msg_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string msg_;
};

// A value or the Status explaining why there is none; shaped like abseil's
// StatusOr. REQUIRES: value() only when ok().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "a Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace sredb

// Returns early with the error of an expression yielding a Status.
#define SREDB_RETURN_IF_ERROR(expr) \
  do {                              \
    ::sredb::Status _st = (expr);   \
    if (!_st.ok()) return _st;      \
  } while (0)

#endif  // SREDB_STORAGE_STATUS_H_
