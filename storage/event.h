// The data model: one Event per finished agent task, identified by its
// series (a set of labels), gathered into EventBatches for DB::Append.
// See ../DESIGN.md "Data model" for every column's meaning.
//
// Thread safety: plain values; a const object may be read from many threads.
#ifndef SREDB_STORAGE_EVENT_H_
#define SREDB_STORAGE_EVENT_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/status.h"

namespace sredb {

// Limits on everything an input controls. Exceeding one is an
// InvalidArgument naming the limit, never a silent truncation.
inline constexpr size_t kMaxLabels = 17;  // agent + 16 others
inline constexpr size_t kMaxLabelNameBytes = 64;
inline constexpr size_t kMaxLabelValueBytes = 256;
inline constexpr size_t kMaxErrorKindBytes = 64;
inline constexpr size_t kMaxBatchEvents = 1 << 20;

struct Label {
  std::string name;
  std::string value;
  friend bool operator==(const Label&, const Label&) = default;
};

// A validated label set: names match [A-Za-z_][A-Za-z0-9_]*, are unique and
// sorted; `agent` is present; values are non-empty UTF-8 without control
// characters. Invariant: every Labels object satisfies these rules.
class Labels {
 public:
  // Validates and sorts `labels`. Errors name the offending label.
  static Result<Labels> Make(std::vector<Label> labels);

  const std::vector<Label>& items() const { return items_; }
  // The value of `name`, or an empty view when absent.
  std::string_view Get(std::string_view name) const;
  // The canonical encoding the series id hashes (storage/FORMAT.md):
  // for each label in name order, varint32 len + name, varint32 len + value.
  std::string Canonical() const;
  // `agent=a,model=m` in name order, for messages and output.
  std::string ToString() const;

  friend bool operator==(const Labels&, const Labels&) = default;

 private:
  std::vector<Label> items_;
};

enum class Tri : uint8_t { kUnknown = 0, kFalse = 1, kTrue = 2 };

using TraceId = std::array<uint8_t, 16>;

// One finished agent task. Field ranges are checked by ValidateEvent.
struct Event {
  int64_t time = 0;  // task end, ns since the Unix epoch (UTC); >= 0
  bool success = false;
  Tri hallucinated = Tri::kUnknown;  // unknown: never evaluated (not "false")
  float latency_ms = 0;              // finite, >= 0
  std::optional<float> ttft_ms;      // time to first token; finite, >= 0
  int64_t cost_micros = 0;           // cost in micro-USD (1e-6 USD); >= 0
  uint32_t tokens_in = 0;
  uint32_t tokens_out = 0;
  uint16_t policy_violations = 0;
  uint16_t tool_calls = 0;
  uint16_t tool_failures = 0;        // <= tool_calls
  std::optional<float> user_rating;  // 1..5
  std::string error_kind;            // empty = none; <= kMaxErrorKindBytes
  std::optional<TraceId> trace_id;

  friend bool operator==(const Event&, const Event&) = default;
};

// OK, or InvalidArgument naming the first field out of range
// ("tool_failures (3) > tool_calls (2)").
Status ValidateEvent(const Event& e);

// A group of events appended atomically. Each event refers to one of the
// batch's series by index; AddSeries de-duplicates equal label sets.
class EventBatch {
 public:
  // Returns the index of `labels` in this batch, adding it when new.
  uint32_t AddSeries(const Labels& labels);
  // REQUIRES: series < series_count().
  void Add(uint32_t series, Event event);

  size_t size() const { return events_.size(); }
  bool empty() const { return events_.empty(); }
  size_t series_count() const { return series_.size(); }
  const Labels& series(uint32_t i) const { return series_[i]; }
  // series(i).Canonical(), computed once by AddSeries.
  const std::string& canonical(uint32_t i) const { return *canonical_[i]; }
  const Event& event(size_t i) const { return events_[i]; }
  uint32_t series_of(size_t i) const { return event_series_[i]; }
  void Clear();

 private:
  std::vector<Labels> series_;
  std::unordered_map<std::string, uint32_t> series_by_canonical_;
  // Parallel to series_: the keys of series_by_canonical_ (node-based, so
  // the pointers survive rehashing).
  std::vector<const std::string*> canonical_;
  std::vector<Event> events_;
  std::vector<uint32_t> event_series_;  // parallel to events_
};

}  // namespace sredb

#endif  // SREDB_STORAGE_EVENT_H_
