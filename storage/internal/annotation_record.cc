#include "storage/internal/annotation_record.h"

#include <algorithm>
#include <bit>

#include "storage/internal/checksum.h"
#include "storage/internal/coding.h"

namespace sredb::internal {
namespace {

constexpr uint8_t kHasValue = 1;
constexpr uint8_t kHasThreshold = 2;

bool GetDouble(std::string_view* in, double* v) {
  if (in->size() < 8) return false;
  *v = std::bit_cast<double>(DecodeFixed64(in->data()));
  in->remove_prefix(8);
  return true;
}

}  // namespace

std::string AnnotationKey(int64_t time, uint64_t seq) {
  std::string k;
  PutOrderedInt64(&k, time);
  PutBigEndian64(&k, seq);
  return k;
}

bool ParseAnnotationKey(std::string_view key, int64_t* time, uint64_t* seq) {
  if (key.size() != 16) return false;
  *time = DecodeOrderedInt64(key.data());
  *seq = DecodeBigEndian64(key.data() + 8);
  return true;
}

std::string AnnotationName(std::string_view key) {
  int64_t time = 0;
  uint64_t seq = 0;
  if (!ParseAnnotationKey(key, &time, &seq)) return "annotation (malformed key)";
  return "annotation (time " + std::to_string(time) + ", seq " + std::to_string(seq) +
         ")";
}

std::string EncodeAnnotation(const Annotation& a) {
  std::string out;
  out.push_back(static_cast<char>(kAnnotationRecordVersion));
  out.push_back(
      static_cast<char>((a.value ? kHasValue : 0) | (a.threshold ? kHasThreshold : 0)));
  PutLengthPrefixed(&out, a.type);
  std::vector<const Label*> labels;
  for (const Label& l : a.labels) labels.push_back(&l);
  std::sort(labels.begin(), labels.end(),
            [](const Label* x, const Label* y) { return x->name < y->name; });
  PutVarint64(&out, labels.size());
  for (const Label* l : labels) {
    PutLengthPrefixed(&out, l->name);
    PutLengthPrefixed(&out, l->value);
  }
  if (a.value) PutFixed64(&out, std::bit_cast<uint64_t>(*a.value));
  if (a.threshold) PutFixed64(&out, std::bit_cast<uint64_t>(*a.threshold));
  PutLengthPrefixed(&out, a.detail);
  SealWithChecksum(&out);
  return out;
}

Status DecodeAnnotation(std::string_view record, int64_t time, Annotation* out) {
  auto bad = [](const std::string& what) { return Status::Corruption(what); };
  if (!CheckAndStripChecksum(&record)) return bad("bad checksum");
  if (record.size() < 2) return bad("truncated");
  if (static_cast<uint8_t>(record[0]) != kAnnotationRecordVersion) {
    return bad("unknown record version " +
               std::to_string(static_cast<uint8_t>(record[0])));
  }
  const uint8_t flags = static_cast<uint8_t>(record[1]);
  if ((flags & ~(kHasValue | kHasThreshold)) != 0) return bad("unknown flags");
  record.remove_prefix(2);
  Annotation a;
  a.time = time;
  std::string_view type, detail;
  uint64_t nlabels = 0;
  if (!GetLengthPrefixed(&record, &type) || !GetVarint64(&record, &nlabels) ||
      nlabels > kMaxLabels) {
    return bad("malformed type or label count");
  }
  a.type = type;
  for (uint64_t i = 0; i < nlabels; ++i) {
    std::string_view name, value;
    if (!GetLengthPrefixed(&record, &name) || !GetLengthPrefixed(&record, &value)) {
      return bad("malformed label");
    }
    if (!a.labels.empty() && a.labels.back().name >= name) {
      return bad("labels out of order");
    }
    a.labels.push_back(Label{std::string(name), std::string(value)});
  }
  double v = 0;
  if (flags & kHasValue) {
    if (!GetDouble(&record, &v)) return bad("truncated value");
    a.value = v;
  }
  if (flags & kHasThreshold) {
    if (!GetDouble(&record, &v)) return bad("truncated threshold");
    a.threshold = v;
  }
  if (!GetLengthPrefixed(&record, &detail)) return bad("malformed detail");
  a.detail = detail;
  if (!record.empty()) return bad("bytes after the detail");
  if (Status s = ValidateAnnotation(a); !s.ok()) return bad("invalid: " + s.message());
  *out = std::move(a);
  return Status::OK();
}

}  // namespace sredb::internal
