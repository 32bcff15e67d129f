// Reading events back: label matchers select series through the postings,
// a half-open time range [start, end) selects events.
//
// Thread safety: an EventIterator is used by one thread at a time; several
// iterators may run concurrently with each other and with Append.
#ifndef SREDB_STORAGE_SCAN_H_
#define SREDB_STORAGE_SCAN_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "storage/event.h"
#include "storage/status.h"

namespace sredb {

struct LabelMatcher {
  enum class Op { kEq, kNeq, kIn, kRegex };
  std::string name;
  Op op = Op::kEq;
  // kEq, kNeq, kRegex: exactly one value (for kRegex an ECMAScript pattern
  // that must match the whole value). kIn: any number.
  std::vector<std::string> values;
};

struct ScanOptions {
  // All must hold. A series lacking a label has the empty value for it, so
  // `model != 'x'` selects series without a model. No matchers: every series.
  std::vector<LabelMatcher> matchers;
  int64_t start = std::numeric_limits<int64_t>::min();  // inclusive
  int64_t end = std::numeric_limits<int64_t>::max();    // exclusive
};

// Yields the matching events partition by partition in ascending time;
// within a partition in ascending (time, series id, arrival) order. It reads
// a consistent snapshot taken by DB::Scan: later appends and seals do not
// change what it yields. REQUIRES: destroyed before its DB is closed.
class EventIterator {
 public:
  virtual ~EventIterator() = default;
  // False at the end or after an error; then check status().
  virtual bool Valid() const = 0;
  // REQUIRES: Valid().
  virtual void Next() = 0;
  virtual const Event& event() const = 0;
  virtual uint64_t series_id() const = 0;
  // The labels of the current event's series. Valid until the iterator dies.
  virtual const Labels& labels() const = 0;
  virtual Status status() const = 0;
};

}  // namespace sredb

#endif  // SREDB_STORAGE_SCAN_H_
