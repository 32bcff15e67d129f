// Annotations: low-volume typed records on the events' time axis — signals,
// deployments and rollout steps, circuit-breaker transitions, chaos faults,
// incident lifecycle (DESIGN.md "Data model"). They make postmortem
// timelines possible. Written with DB::Annotate, read with
// Reader::ReadAnnotations, queried with `FROM annotations`.
//
//   sredb::Annotation a;
//   a.time = now_ns;
//   a.type = "DEPLOY";
//   a.labels = {{"agent", "agent-0042"}, {"model", "m-2"}};
//   a.detail = "prompt v7 to 5% of traffic";
//   sredb::Status s = db->Annotate(sredb::WriteOptions(), {&a, 1});
//
// Thread safety: plain values; a const object may be read from many threads.
#ifndef SREDB_STORAGE_ANNOTATION_H_
#define SREDB_STORAGE_ANNOTATION_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/event.h"
#include "storage/status.h"

namespace sredb {

// Limits on what an annotation may hold; exceeding one is an
// InvalidArgument naming the annotation and the field.
inline constexpr size_t kMaxAnnotationTypeBytes = 64;
inline constexpr size_t kMaxAnnotationDetailBytes = 4096;
inline constexpr size_t kMaxBatchAnnotations = 1 << 16;

// The types sredb itself writes or documents (the seven signal types of
// QUERY.md's SIGNAL clause first). Any other name of the same shape is
// accepted too, so that a platform can add its own without a format change.
inline constexpr std::string_view kAnnotationTypes[] = {
    "SLO_BREACH",         "ERROR_BUDGET_EXHAUSTED",
    "COST_ANOMALY",       "LATENCY_SPIKE",
    "TOOL_FAILURE_SPIKE", "POLICY_VIOLATION",
    "TRUST_REVOCATION",   "DEPLOY",
    "ROLLOUT_STEP",       "ROLLBACK",
    "CONFIG_CHANGE",      "BREAKER_OPEN",
    "BREAKER_HALF_OPEN",  "BREAKER_CLOSED",
    "CHAOS_START",        "CHAOS_END",
    "INCIDENT_OPEN",      "INCIDENT_ACK",
    "INCIDENT_RESOLVED",  "NOTE",
};

// Label names an annotation may not use: queries over annotations name its
// fields with them (query/README.md "FROM annotations").
inline constexpr std::string_view kAnnotationFieldNames[] = {"time", "type", "detail",
                                                             "value", "threshold"};

struct Annotation {
  int64_t time = 0;  // ns since the Unix epoch (UTC); >= 0
  // [A-Z][A-Z0-9_]*, at most kMaxAnnotationTypeBytes; see kAnnotationTypes.
  std::string type;
  // What it concerns, by the rules of event labels (storage/event.h) except
  // that `agent` is optional (a deploy may concern a model, a chaos fault a
  // whole environment) and none may be named as in kAnnotationFieldNames.
  // Any order on input; read back sorted by name.
  std::vector<Label> labels;
  std::optional<double> value;      // finite; e.g. the burn rate that fired
  std::optional<double> threshold;  // finite; e.g. the burn rate it crossed
  // Printable UTF-8 (one line: no control characters), at most
  // kMaxAnnotationDetailBytes; may be empty.
  std::string detail;

  // The value of label `name`, or an empty view when absent.
  std::string_view LabelValue(std::string_view name) const;
  // `agent=a,model=m` in name order, for messages and output.
  std::string LabelsText() const;
  friend bool operator==(const Annotation&, const Annotation&) = default;
};

// OK, or InvalidArgument naming the first field out of range
// ("detail is 5000 bytes (at most 4096)").
Status ValidateAnnotation(const Annotation& a);

}  // namespace sredb

#endif  // SREDB_STORAGE_ANNOTATION_H_
