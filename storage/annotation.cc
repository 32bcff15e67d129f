#include "storage/annotation.h"

#include <algorithm>
#include <cmath>

#include "storage/internal/label_rules.h"

namespace sredb {

std::string_view Annotation::LabelValue(std::string_view name) const {
  for (const sredb::Label& l : labels) {
    if (l.name == name) return l.value;
  }
  return {};
}

std::string Annotation::LabelsText() const {
  std::vector<const sredb::Label*> sorted;
  for (const sredb::Label& l : labels) sorted.push_back(&l);
  std::sort(
      sorted.begin(), sorted.end(),
      [](const sredb::Label* a, const sredb::Label* b) { return a->name < b->name; });
  std::string out;
  for (const sredb::Label* l : sorted) {
    if (!out.empty()) out += ',';
    out += l->name + "=" + l->value;
  }
  return out;
}

Status ValidateAnnotation(const Annotation& a) {
  auto bad = [](std::string msg) { return Status::InvalidArgument(std::move(msg)); };
  if (a.time < 0) return bad("time is before 1970-01-01T00:00:00Z");
  if (a.type.empty()) return bad("type is empty");
  if (a.type.size() > kMaxAnnotationTypeBytes) {
    return bad("type is " + std::to_string(a.type.size()) + " bytes (at most " +
               std::to_string(kMaxAnnotationTypeBytes) + ")");
  }
  const bool type_ok =
      a.type[0] >= 'A' && a.type[0] <= 'Z' &&
      std::all_of(a.type.begin(), a.type.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      });
  if (!type_ok) {
    return bad("type '" + a.type + "' must match [A-Z][A-Z0-9_]* (e.g. DEPLOY)");
  }
  if (a.labels.size() > kMaxLabels) {
    return bad("too many labels: " + std::to_string(a.labels.size()) + " (at most " +
               std::to_string(kMaxLabels) + ")");
  }
  for (size_t i = 0; i < a.labels.size(); ++i) {
    const sredb::Label& l = a.labels[i];
    SREDB_RETURN_IF_ERROR(internal::CheckLabel(l));
    for (std::string_view reserved : kAnnotationFieldNames) {
      if (l.name == reserved) {
        return bad("label name " + l.name + " is reserved (an annotation field)");
      }
    }
    for (size_t k = 0; k < i; ++k) {
      if (a.labels[k].name == l.name) return bad("label " + l.name + " given twice");
    }
  }
  if (a.value && !std::isfinite(*a.value)) return bad("value is not a finite number");
  if (a.threshold && !std::isfinite(*a.threshold)) {
    return bad("threshold is not a finite number");
  }
  if (a.detail.size() > kMaxAnnotationDetailBytes) {
    return bad("detail is " + std::to_string(a.detail.size()) + " bytes (at most " +
               std::to_string(kMaxAnnotationDetailBytes) + ")");
  }
  if (!internal::IsPrintableUtf8(a.detail)) {
    return bad("detail is not printable UTF-8 (control character or bad encoding)");
  }
  return Status::OK();
}

}  // namespace sredb
