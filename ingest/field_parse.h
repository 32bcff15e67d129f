// Exact parsers for the textual form of event fields (CSV cells, JSON
// scalars), and EventAssembler, which fills an Event from named fields and
// checks it. Every error is an InvalidArgument whose message names the field
// ("bad success 'yes': expected 0, 1, true or false"); the offending text is
// quoted, cut to 64 bytes.
//
// Nothing here goes through double where exactness matters: cost_usd is
// decimal text turned into micro-USD digit by digit, integers are range
// checked for their type, floats reject NaN, infinities and trailing text.
//
// Thread safety: the free functions are stateless; an EventAssembler is used
// by one thread at a time.
#ifndef SREDB_INGEST_FIELD_PARSE_H_
#define SREDB_INGEST_FIELD_PARSE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "storage/event.h"
#include "storage/status.h"

namespace sredb::ingest {

// The unit of an integer `time` (RFC 3339 text needs none).
enum class TimeUnit { kNs, kUs, kMs, kS };

// 0, 1, true or false (case-insensitive).
Result<bool> ParseBool(std::string_view field, std::string_view text);
// Empty text is unknown; otherwise as ParseBool.
Result<Tri> ParseTri(std::string_view field, std::string_view text);
// A decimal float (std::from_chars, optional leading '+'); rejects NaN,
// infinities, values outside float32 and trailing text. Sign and range
// rules of a field are ValidateEvent's.
Result<float> ParseFloat32(std::string_view field, std::string_view text);
// cost_usd: decimal text, optionally with an exponent ("0.0123456",
// "1e-3"), to micro-USD, rounding half away from zero at the 6th decimal.
// Errors: not a number, negative (any nonzero value with '-'), too large for
// int64 micro-USD.
Result<int64_t> ParseCostMicros(std::string_view text);
// Unsigned decimal integers within the type's range.
Result<uint32_t> ParseUint32(std::string_view field, std::string_view text);
Result<uint16_t> ParseUint16(std::string_view field, std::string_view text);
// RFC 3339 text, or an integer count of `unit` since the Unix epoch; the
// result is ns. Errors on overflow of int64 ns.
Result<int64_t> ParseTime(std::string_view text, TimeUnit unit);
// 32 hex digits (either case) -> 16 bytes; empty text is no trace id.
Result<std::optional<TraceId>> ParseTraceId(std::string_view text);

// The event columns recognised by name (DESIGN.md "Data model"). `agent` is
// not one: it is a label, the required one.
enum class Field : uint8_t {
  kTime,
  kSuccess,
  kLatencyMs,
  kTtftMs,
  kCostUsd,
  kTokensIn,
  kTokensOut,
  kHallucinated,
  kPolicyViolations,
  kToolCalls,
  kToolFailures,
  kUserRating,
  kErrorKind,
  kTraceId,
};
inline constexpr int kFieldCount = 14;

// The field called `name`, or nullopt when `name` is a label.
std::optional<Field> FieldFromName(std::string_view name);
std::string_view FieldName(Field f);

// A label as read, before validation. The views belong to the reader that
// produced them.
struct LabelView {
  std::string_view name;
  std::string_view value;
};

// Copies and validates `labels` with Labels::Make (its message is the error).
Result<Labels> MakeLabels(const std::vector<LabelView>& labels);

// Fills one Event from (field, text) pairs in any order.
//
//   assembler.Reset(&event);
//   SREDB_RETURN_IF_ERROR(assembler.Set(Field::kTime, "2026-03-03T14:00:00Z"));
//   ...
//   SREDB_RETURN_IF_ERROR(assembler.Finish());
//
// Empty text means "no value": ttft_ms, user_rating and hallucinated become
// unknown, error_kind and trace_id none, time and success stay missing (an
// error at Finish), any other field is an error ("latency_ms is empty").
// Fields never given keep their defaults (0, false, unknown, none), except
// time and success, which are required.
class EventAssembler {
 public:
  explicit EventAssembler(TimeUnit unit) : unit_(unit) {}

  // Starts a new event at *event with every field at its default.
  // REQUIRES: `event` outlives the calls up to Finish.
  void Reset(Event* event);
  // Sets `f` from `text`. Errors: unparseable text, or `f` given twice.
  // Inline: it runs for every cell of every record.
  Status Set(Field f, std::string_view text) {
    const uint32_t bit = 1u << static_cast<int>(f);
    if ((given_ & bit) != 0) return GivenTwice(f);
    given_ |= bit;
    if (text.empty()) return SetEmpty(f);
    valued_ |= bit;
    return SetNonEmpty(f, text);
  }
  // Sets `f` to JSON null: unknown/none for nullable fields, else an error.
  Status SetNull(Field f);
  // Checks that time and success were given, then ValidateEvent.
  Status Finish();

 private:
  static Status GivenTwice(Field f);
  static Status SetEmpty(Field f);
  Status SetNonEmpty(Field f, std::string_view text);

  bool ParseUtcFast(std::string_view text, int64_t* ns);

  TimeUnit unit_;
  Event* event_ = nullptr;
  // The date of the last time ParseUtcFast saw, and its midnight in ns.
  std::array<char, 10> date_{};
  int64_t date_ns_ = 0;
  uint32_t given_ = 0;   // bit f: Set or SetNull was called for field f
  uint32_t valued_ = 0;  // bit f: f holds a value (not empty, not null)
};

}  // namespace sredb::ingest

#endif  // SREDB_INGEST_FIELD_PARSE_H_
