#include "ingest/field_parse.h"

#include <algorithm>
#include <array>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "storage/options.h"
#include "storage/rfc3339.h"

namespace sredb::ingest {
namespace {

constexpr size_t kMaxQuotedBytes = 64;

// "bad <field> '<text>': <why>", the text cut to kMaxQuotedBytes.
Status Bad(std::string_view field, std::string_view text, std::string_view why) {
  std::string msg = "bad ";
  msg.append(field).append(" '").append(text.substr(0, kMaxQuotedBytes));
  if (text.size() > kMaxQuotedBytes) msg += "...";
  msg.append("': ").append(why);
  return Status::InvalidArgument(std::move(msg));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool EqualsNoCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// Fast paths for the common shapes of numbers, without Result: each
// returns false for any other text, which the exact parser below then
// parses or refuses, so that a fast path never changes a result.

// 1 to 9 decimal digits, no sign, within T's range.
template <typename T>
bool FastUnsigned(std::string_view s, T* out) {
  if (s.empty() || s.size() > 9) return false;
  uint32_t v = 0;
  for (char c : s) {
    const unsigned d = static_cast<unsigned char>(c) - unsigned{'0'};
    if (d > 9) return false;
    v = v * 10 + d;
  }
  if (v > std::numeric_limits<T>::max()) return false;
  *out = static_cast<T>(v);
  return true;
}

// Splits "digits" or "digits.digits" (no sign, no exponent; each part 1 to
// 18 digits) into its integer value, fraction value and fraction length.
// One pass; a part past 18 digits may wrap before it is refused.
bool FastDecimal(std::string_view s, uint64_t* int_part, uint64_t* frac_part,
                 size_t* frac_len) {
  const char* p = s.data();
  const char* const end = p + s.size();
  auto digits = [&p, end](uint64_t* v) {
    const char* const b = p;
    uint64_t x = 0;
    for (unsigned d; p < end && (d = static_cast<unsigned char>(*p) - unsigned{'0'}) <= 9;
         ++p) {
      x = x * 10 + d;
    }
    *v = x;
    return static_cast<size_t>(p - b);
  };
  const size_t n = digits(int_part);
  if (n == 0 || n > 18) return false;
  *frac_part = 0;
  *frac_len = 0;
  if (p == end) return true;
  if (*p++ != '.') return false;
  *frac_len = digits(frac_part);
  return *frac_len != 0 && *frac_len <= 18 && p == end;
}

// [-]digits[.digits] whose digits, read as one integer m, are at most 2^24
// with at most 10 of them after the point: m and 10^k are then exact
// floats and m / 10^k one correctly rounded division (Clinger's fast path),
// the same float std::from_chars gives.
bool FastFloat32(std::string_view s, float* out) {
  if constexpr (FLT_EVAL_METHOD != 0) return false;
  static constexpr float kPow10[] = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f,
                                     1e6f, 1e7f, 1e8f, 1e9f, 1e10f};
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  uint64_t int_part = 0, frac_part = 0;
  size_t frac_len = 0;
  if (!FastDecimal(s, &int_part, &frac_part, &frac_len) || frac_len > 10) return false;
  constexpr uint64_t kMaxExact = uint64_t{1} << 24;
  if (int_part > kMaxExact) return false;
  const uint64_t m = int_part * static_cast<uint64_t>(kPow10[frac_len]) + frac_part;
  if (m > kMaxExact) return false;
  const float v = static_cast<float>(m) / kPow10[frac_len];
  *out = negative ? -v : v;
  return true;
}

// digits[.digits] with at most 6 fraction digits and 12 integer digits:
// micro-USD exactly, no rounding needed.
bool FastCostMicros(std::string_view s, int64_t* out) {
  static constexpr int64_t kScale[] = {1'000'000, 100'000, 10'000, 1'000, 100, 10, 1};
  uint64_t int_part = 0, frac_part = 0;
  size_t frac_len = 0;
  if (!FastDecimal(s, &int_part, &frac_part, &frac_len) || frac_len > 6) return false;
  if (int_part >= 1'000'000'000'000) return false;
  *out = static_cast<int64_t>(int_part) * 1'000'000 +
         static_cast<int64_t>(frac_part) * kScale[frac_len];
  return true;
}

template <typename T>
Result<T> ParseUnsigned(std::string_view field, std::string_view text) {
  T v = 0;
  if (FastUnsigned(text, &v)) return v;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc::result_out_of_range) {
    return Bad(field, text,
               "out of range 0.." + std::to_string(std::numeric_limits<T>::max()));
  }
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      text[0] == '-') {
    return Bad(field, text, "not an unsigned integer");
  }
  return v;
}

// The digits of a decimal mantissa: its integer digits then its fraction
// digits, read as one digit string.
struct Mantissa {
  std::string_view int_digits;
  std::string_view frac_digits;
  size_t size() const { return int_digits.size() + frac_digits.size(); }
  int At(size_t i) const {
    char c = i < int_digits.size() ? int_digits[i] : frac_digits[i - int_digits.size()];
    return c - '0';
  }
};

size_t SkipDigits(std::string_view s, size_t i) {
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i;
}

// Splits "[+-]digits[.digits][e[+-]digits]". False when `s` is not that.
bool SplitDecimal(std::string_view s, bool* negative, Mantissa* m, int64_t* exp10) {
  size_t i = 0;
  *negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) *negative = s[i++] == '-';
  size_t b = i;
  i = SkipDigits(s, i);
  m->int_digits = s.substr(b, i - b);
  if (i < s.size() && s[i] == '.') {
    b = ++i;
    i = SkipDigits(s, i);
    m->frac_digits = s.substr(b, i - b);
  }
  if (m->size() == 0) return false;
  *exp10 = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    bool neg_exp = ++i < s.size() && s[i] == '-';
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || !IsDigit(s[i])) return false;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      if (*exp10 < 1'000'000'000) *exp10 = *exp10 * 10 + (s[i] - '0');  // clamps
    }
    if (neg_exp) *exp10 = -*exp10;
  }
  return i == s.size();
}

// The mantissa digits from `first` times 10^scale, rounded half away from
// zero to an integer; false when it exceeds int64.
bool ScaleToInt64(const Mantissa& m, size_t first, int64_t scale, int64_t* out) {
  const int64_t digits = static_cast<int64_t>(m.size() - first);
  const int64_t kept = digits + scale;  // digits left of the decimal point
  if (kept > 19) return false;
  uint64_t v = 0;
  for (int64_t j = 0; j < kept; ++j) {
    v = v * 10 + (j < digits ? m.At(first + j) : 0);
  }
  if (kept >= 0 && kept < digits && m.At(first + kept) >= 5) ++v;
  if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

int64_t UnitNanos(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kNs:
      return 1;
    case TimeUnit::kUs:
      return 1'000;
    case TimeUnit::kMs:
      return 1'000'000;
    case TimeUnit::kS:
      return 1'000'000'000;
  }
  return 1;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<bool> ParseBool(std::string_view field, std::string_view text) {
  if (text == "1" || EqualsNoCase(text, "true")) return true;
  if (text == "0" || EqualsNoCase(text, "false")) return false;
  return Bad(field, text, "expected 0, 1, true or false");
}

Result<Tri> ParseTri(std::string_view field, std::string_view text) {
  if (text.empty()) return Tri::kUnknown;
  Result<bool> b = ParseBool(field, text);
  if (!b.ok()) return b.status();
  return *b ? Tri::kTrue : Tri::kFalse;
}

Result<float> ParseFloat32(std::string_view field, std::string_view text) {
  if (float v; FastFloat32(text, &v)) return v;
  std::string_view digits = text;
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  float v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec == std::errc::result_out_of_range)
    return Bad(field, text, "out of float32 range");
  bool signs = !digits.empty() && digits[0] == '-' && text[0] == '+';  // "+-1"
  if (ec != std::errc() || end != digits.data() + digits.size() || signs) {
    return Bad(field, text, "not a number");
  }
  if (!std::isfinite(v)) return Bad(field, text, "not a finite number");
  return v;
}

Result<int64_t> ParseCostMicros(std::string_view text) {
  if (int64_t micros; FastCostMicros(text, &micros)) return micros;
  bool negative = false;
  Mantissa m;
  int64_t exp10 = 0;
  if (!SplitDecimal(text, &negative, &m, &exp10)) {
    return Bad("cost_usd", text, "not a decimal number");
  }
  size_t first = 0;
  while (first < m.size() && m.At(first) == 0) ++first;
  if (first == m.size()) return int64_t{0};  // zero, whatever its sign
  if (negative) return Status::InvalidArgument("cost_usd is negative");
  const int64_t scale = exp10 - static_cast<int64_t>(m.frac_digits.size()) + 6;
  int64_t micros = 0;
  if (!ScaleToInt64(m, first, scale, &micros)) {
    return Bad("cost_usd", text, "too large (at most 9223372036854.775807)");
  }
  return micros;
}

Result<uint32_t> ParseUint32(std::string_view field, std::string_view text) {
  return ParseUnsigned<uint32_t>(field, text);
}

Result<uint16_t> ParseUint16(std::string_view field, std::string_view text) {
  return ParseUnsigned<uint16_t>(field, text);
}

Result<int64_t> ParseTime(std::string_view text, TimeUnit unit) {
  size_t sign = !text.empty() && text[0] == '-' ? 1 : 0;
  if (text.size() == sign || SkipDigits(text, sign) != text.size()) {
    Result<int64_t> t = ParseRfc3339(text);
    if (!t.ok()) return Bad("time", text, t.status().message());
    return t;
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  int64_t ns = 0;
  if (ec != std::errc() || __builtin_mul_overflow(v, UnitNanos(unit), &ns)) {
    return Bad("time", text, "out of range of int64 nanoseconds");
  }
  return ns;
}

Result<std::optional<TraceId>> ParseTraceId(std::string_view text) {
  if (text.empty()) return std::optional<TraceId>();
  TraceId id;
  if (text.size() != 2 * id.size())
    return Bad("trace_id", text, "expected 32 hex digits");
  for (size_t i = 0; i < id.size(); ++i) {
    int hi = HexValue(text[2 * i]), lo = HexValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return Bad("trace_id", text, "expected 32 hex digits");
    id[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return std::optional<TraceId>(id);
}

namespace {
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "time",          "success",     "latency_ms",   "ttft_ms",           "cost_usd",
    "tokens_in",     "tokens_out",  "hallucinated", "policy_violations", "tool_calls",
    "tool_failures", "user_rating", "error_kind",   "trace_id",
};
}  // namespace

std::optional<Field> FieldFromName(std::string_view name) {
  for (int i = 0; i < kFieldCount; ++i) {
    if (kFieldNames[i] == name) return static_cast<Field>(i);
  }
  return std::nullopt;
}

std::string_view FieldName(Field f) { return kFieldNames[static_cast<int>(f)]; }

Result<Labels> MakeLabels(const std::vector<LabelView>& labels) {
  std::vector<Label> copy;
  copy.reserve(labels.size());
  for (const LabelView& l : labels) {
    copy.push_back(Label{std::string(l.name), std::string(l.value)});
  }
  return Labels::Make(std::move(copy));
}

void EventAssembler::Reset(Event* event) {
  *event = Event();
  event_ = event;
  given_ = 0;
  valued_ = 0;
}

Status EventAssembler::GivenTwice(Field f) {
  return Status::InvalidArgument(std::string(FieldName(f)) + " given twice");
}

namespace {
// Fields whose absence has a meaning: unknown or none.
bool IsNullable(Field f) {
  return f == Field::kTtftMs || f == Field::kUserRating || f == Field::kHallucinated ||
         f == Field::kErrorKind || f == Field::kTraceId;
}
}  // namespace

Status EventAssembler::SetEmpty(Field f) {
  // time and success stay missing, which Finish reports.
  if (IsNullable(f) || f == Field::kTime || f == Field::kSuccess) return Status::OK();
  return Status::InvalidArgument(std::string(FieldName(f)) + " is empty");
}

Status EventAssembler::SetNull(Field f) {
  const uint32_t bit = 1u << static_cast<int>(f);
  if ((given_ & bit) != 0) return GivenTwice(f);
  given_ |= bit;
  if (IsNullable(f)) return Status::OK();
  return Status::InvalidArgument(std::string(FieldName(f)) + " is null");
}

// Stores the parsed value of `r` in *out, or returns its error.
#define SREDB_ASSIGN_OR_RETURN_FIELD(out, r) \
  do {                                       \
    auto _r = (r);                           \
    if (!_r.ok()) return _r.status();        \
    out = *_r;                               \
  } while (0)

// One case per field, each trying its fast path first; a flat dispatch,
// hence its length.
Status EventAssembler::SetNonEmpty(Field f, std::string_view text) {
  const std::string_view name = FieldName(f);
  Event& e = *event_;
  switch (f) {
    case Field::kTime:
      if (!ParseUtcFast(text, &e.time)) {
        SREDB_ASSIGN_OR_RETURN_FIELD(e.time, ParseTime(text, unit_));
      }
      break;
    case Field::kSuccess:
      if (text.size() == 1 && (text[0] == '0' || text[0] == '1')) {
        e.success = text[0] == '1';
        break;
      }
      SREDB_ASSIGN_OR_RETURN_FIELD(e.success, ParseBool(name, text));
      break;
    case Field::kLatencyMs:
      if (FastFloat32(text, &e.latency_ms)) break;
      SREDB_ASSIGN_OR_RETURN_FIELD(e.latency_ms, ParseFloat32(name, text));
      break;
    case Field::kTtftMs:
      if (float v; FastFloat32(text, &v)) {
        e.ttft_ms = v;
        break;
      }
      SREDB_ASSIGN_OR_RETURN_FIELD(e.ttft_ms, ParseFloat32(name, text));
      break;
    case Field::kCostUsd:
      if (FastCostMicros(text, &e.cost_micros)) break;
      SREDB_ASSIGN_OR_RETURN_FIELD(e.cost_micros, ParseCostMicros(text));
      break;
    case Field::kTokensIn:
      if (FastUnsigned(text, &e.tokens_in)) break;
      SREDB_ASSIGN_OR_RETURN_FIELD(e.tokens_in, ParseUint32(name, text));
      break;
    case Field::kTokensOut:
      if (FastUnsigned(text, &e.tokens_out)) break;
      SREDB_ASSIGN_OR_RETURN_FIELD(e.tokens_out, ParseUint32(name, text));
      break;
    case Field::kHallucinated:
      SREDB_ASSIGN_OR_RETURN_FIELD(e.hallucinated, ParseTri(name, text));
      break;
    case Field::kPolicyViolations:
      if (FastUnsigned(text, &e.policy_violations)) break;
      SREDB_ASSIGN_OR_RETURN_FIELD(e.policy_violations, ParseUint16(name, text));
      break;
    case Field::kToolCalls:
      if (FastUnsigned(text, &e.tool_calls)) break;
      SREDB_ASSIGN_OR_RETURN_FIELD(e.tool_calls, ParseUint16(name, text));
      break;
    case Field::kToolFailures:
      if (FastUnsigned(text, &e.tool_failures)) break;
      SREDB_ASSIGN_OR_RETURN_FIELD(e.tool_failures, ParseUint16(name, text));
      break;
    case Field::kUserRating:
      if (float v; FastFloat32(text, &v)) {
        e.user_rating = v;
        break;
      }
      SREDB_ASSIGN_OR_RETURN_FIELD(e.user_rating, ParseFloat32(name, text));
      break;
    case Field::kErrorKind:
      e.error_kind.assign(text);
      break;
    case Field::kTraceId:
      SREDB_ASSIGN_OR_RETURN_FIELD(e.trace_id, ParseTraceId(text));
      break;
  }
  return Status::OK();
}

#undef SREDB_ASSIGN_OR_RETURN_FIELD

// The common shape "YYYY-MM-DDThh:mm:ss[.f]Z" (1 to 9 fraction digits),
// parsed without ParseRfc3339's generality: the date is ParseRfc3339's and
// remembered, since times in a file tend to share their date. False for
// any other shape or an out-of-range value, which are ParseTime's to parse
// or refuse, so that this path changes no result.
bool EventAssembler::ParseUtcFast(std::string_view s, int64_t* ns) {
  if (s.size() < 20 || s.size() > 30 || s.size() == 21 || s.back() != 'Z' ||
      s[10] != 'T' || s[13] != ':' || s[16] != ':' || (s.size() > 20 && s[19] != '.')) {
    return false;
  }
  auto two = [&s](size_t i) {
    return IsDigit(s[i]) && IsDigit(s[i + 1]) ? (s[i] - '0') * 10 + (s[i + 1] - '0') : 99;
  };
  const int64_t hour = two(11), minute = two(14), second = two(17);
  if (hour > 23 || minute > 59 || second > 59) return false;
  int64_t frac = 0;
  size_t digits = 0;
  for (size_t i = 20; i + 1 < s.size(); ++i, ++digits) {
    if (!IsDigit(s[i])) return false;
    frac = frac * 10 + (s[i] - '0');
  }
  for (; digits < 9; ++digits) frac *= 10;
  if (std::string_view(date_.data(), date_.size()) != s.substr(0, 10)) {
    Result<int64_t> midnight = ParseRfc3339(std::string(s.substr(0, 10)) + "T00:00:00Z");
    if (!midnight.ok()) return false;
    std::copy(s.begin(), s.begin() + 10, date_.begin());
    date_ns_ = *midnight;
  }
  *ns = date_ns_ + ((hour * 60 + minute) * 60 + second) * kNanosPerSecond + frac;
  return true;
}

Status EventAssembler::Finish() {
  if (!(valued_ & (1u << static_cast<int>(Field::kTime)))) {
    return Status::InvalidArgument("missing time");
  }
  if (!(valued_ & (1u << static_cast<int>(Field::kSuccess)))) {
    return Status::InvalidArgument("missing success");
  }
  return ValidateEvent(*event_);
}

}  // namespace sredb::ingest
