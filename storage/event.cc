#include "storage/event.h"

#include <algorithm>
#include <cmath>

#include "storage/internal/coding.h"
#include "storage/internal/label_rules.h"

namespace sredb {
namespace internal {

bool IsValidLabelName(std::string_view n) {
  if (n.empty() || n.size() > kMaxLabelNameBytes) return false;
  auto alpha = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (!alpha(n[0])) return false;
  return std::all_of(n.begin(), n.end(),
                     [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

// True when `s` is well-formed UTF-8 without control characters.
bool IsPrintableUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    uint8_t c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return false;
      ++i;
      continue;
    }
    int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    if (len == 0 || c > 0xf4 || i + len > s.size()) return false;
    uint32_t cp = c & (0x7f >> len);
    for (int k = 1; k < len; ++k) {
      uint8_t cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

Status CheckLabel(const Label& l) {
  if (!IsValidLabelName(l.name)) {
    return Status::InvalidArgument(
        "bad label name '" + l.name.substr(0, 80) +
        "': must match [A-Za-z_][A-Za-z0-9_]* and be at most " +
        std::to_string(kMaxLabelNameBytes) + " bytes");
  }
  if (l.value.empty()) {
    return Status::InvalidArgument("label " + l.name + " has an empty value");
  }
  if (l.value.size() > kMaxLabelValueBytes) {
    return Status::InvalidArgument("label " + l.name + " value is " +
                                   std::to_string(l.value.size()) + " bytes (at most " +
                                   std::to_string(kMaxLabelValueBytes) + ")");
  }
  if (!IsPrintableUtf8(l.value)) {
    return Status::InvalidArgument("label " + l.name +
                                   " value is not printable UTF-8 (control character or "
                                   "bad encoding)");
  }
  return Status::OK();
}

}  // namespace internal

Result<Labels> Labels::Make(std::vector<Label> labels) {
  if (labels.size() > kMaxLabels) {
    return Status::InvalidArgument("too many labels: " + std::to_string(labels.size()) +
                                   " (at most " + std::to_string(kMaxLabels) +
                                   ", agent included)");
  }
  for (const Label& l : labels) SREDB_RETURN_IF_ERROR(internal::CheckLabel(l));
  std::sort(labels.begin(), labels.end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });
  for (size_t i = 1; i < labels.size(); ++i) {
    if (labels[i].name == labels[i - 1].name) {
      return Status::InvalidArgument("label " + labels[i].name + " given twice");
    }
  }
  Labels out;
  out.items_ = std::move(labels);
  if (out.Get("agent").empty()) return Status::InvalidArgument("missing agent label");
  return out;
}

std::string_view Labels::Get(std::string_view name) const {
  for (const Label& l : items_) {
    if (l.name == name) return l.value;
  }
  return {};
}

std::string Labels::Canonical() const {
  std::string out;
  for (const Label& l : items_) {
    internal::PutLengthPrefixed(&out, l.name);
    internal::PutLengthPrefixed(&out, l.value);
  }
  return out;
}

std::string Labels::ToString() const {
  std::string out;
  for (const Label& l : items_) {
    if (!out.empty()) out += ',';
    out += l.name + "=" + l.value;
  }
  return out;
}

Status ValidateEvent(const Event& e) {
  auto bad = [](std::string msg) { return Status::InvalidArgument(std::move(msg)); };
  if (e.time < 0) return bad("time is before 1970-01-01T00:00:00Z");
  if (!std::isfinite(e.latency_ms)) return bad("latency_ms is not a finite number");
  if (e.latency_ms < 0) return bad("latency_ms is negative");
  if (e.ttft_ms) {
    if (!std::isfinite(*e.ttft_ms)) return bad("ttft_ms is not a finite number");
    if (*e.ttft_ms < 0) return bad("ttft_ms is negative");
  }
  if (e.cost_micros < 0) return bad("cost_usd is negative");
  if (e.tool_failures > e.tool_calls) {
    return bad("tool_failures (" + std::to_string(e.tool_failures) + ") > tool_calls (" +
               std::to_string(e.tool_calls) + ")");
  }
  if (e.user_rating) {
    float r = *e.user_rating;
    if (!std::isfinite(r) || r < 1 || r > 5) return bad("user_rating is outside 1..5");
  }
  if (static_cast<uint8_t>(e.hallucinated) > 2)
    return bad("hallucinated is not a tri-state");
  if (e.error_kind.size() > kMaxErrorKindBytes) {
    return bad("error_kind is " + std::to_string(e.error_kind.size()) +
               " bytes (at most " + std::to_string(kMaxErrorKindBytes) + ")");
  }
  if (!internal::IsPrintableUtf8(e.error_kind))
    return bad("error_kind is not printable UTF-8");
  return Status::OK();
}

uint32_t EventBatch::AddSeries(const Labels& labels) {
  auto [it, inserted] = series_by_canonical_.try_emplace(
      labels.Canonical(), static_cast<uint32_t>(series_.size()));
  if (inserted) {
    series_.push_back(labels);
    canonical_.push_back(&it->first);
  }
  return it->second;
}

void EventBatch::Add(uint32_t series, Event event) {
  events_.push_back(std::move(event));
  event_series_.push_back(series);
}

void EventBatch::Clear() {
  series_.clear();
  series_by_canonical_.clear();
  canonical_.clear();
  events_.clear();
  event_series_.clear();
}

}  // namespace sredb
