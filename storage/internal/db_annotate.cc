// DBImpl's annotations: Annotate (write), ReadAnnotations (the Reader's
// read at a snapshot), and their part of Check and GetStats.
#include <rocksdb/write_batch.h>

#include "storage/internal/annotation_record.h"
#include "storage/internal/checksum.h"
#include "storage/internal/db_impl.h"
#include "storage/internal/keys.h"
#include "storage/internal/regex_compile.h"
#include "storage/rfc3339.h"

namespace sredb::internal {
namespace {

// One matcher, its regex compiled once.
struct AnnotationMatcher {
  const LabelMatcher* m;
  Regex re;

  bool Matches(const Annotation& a) const {
    const std::string_view v = m->name == "type"     ? std::string_view(a.type)
                               : m->name == "detail" ? std::string_view(a.detail)
                                                     : a.LabelValue(m->name);
    switch (m->op) {
      case LabelMatcher::Op::kEq:
        return v == m->values[0];
      case LabelMatcher::Op::kNeq:
        return v != m->values[0];
      case LabelMatcher::Op::kIn:
        for (const std::string& x : m->values) {
          if (v == x) return true;
        }
        return false;
      case LabelMatcher::Op::kRegex:
        return re.FullMatch(v);
    }
    return false;
  }
};

Status CompileMatchers(std::span<const LabelMatcher> matchers,
                       std::vector<AnnotationMatcher>* out) {
  for (const LabelMatcher& m : matchers) {
    if (m.op != LabelMatcher::Op::kIn && m.values.size() != 1) {
      return Status::InvalidArgument("matcher on " + m.name + " needs exactly one value");
    }
    AnnotationMatcher am{&m, {}};
    if (m.op == LabelMatcher::Op::kRegex) {
      SREDB_RETURN_IF_ERROR(CompileRegex(m.values[0], &am.re));
    }
    out->push_back(std::move(am));
  }
  return Status::OK();
}

}  // namespace

Status DBImpl::Annotate(const WriteOptions& options,
                        std::span<const Annotation> annotations) {
  if (db_ == nullptr) return Status::IOError("database is closed");
  if (options_.read_only) return Status::NotSupported("database is open read-only");
  if (annotations.empty()) return Status::OK();
  if (annotations.size() > kMaxBatchAnnotations) {
    return Status::ResourceExhausted("batch of " + std::to_string(annotations.size()) +
                                     " annotations is larger than the limit of " +
                                     std::to_string(kMaxBatchAnnotations));
  }
  if (annotations_cf_ == nullptr) return Status::Corruption("no annotations family");
  std::vector<std::string> records;
  records.reserve(annotations.size());
  for (size_t i = 0; i < annotations.size(); ++i) {
    const Annotation& a = annotations[i];
    if (Status s = ValidateAnnotation(a); !s.ok()) {
      const std::string when =
          a.time >= 0 ? FormatRfc3339(a.time) : std::to_string(a.time);
      return Status::InvalidArgument("annotation " + std::to_string(i) + " (" +
                                     a.type.substr(0, kMaxAnnotationTypeBytes) + " at " +
                                     when + "): " + s.message() +
                                     "; the batch is refused");
    }
    records.push_back(EncodeAnnotation(a));
  }
  std::lock_guard<std::mutex> lock(mu_);
  rocksdb::WriteBatch wb;
  uint64_t seq = next_seq_;
  for (size_t i = 0; i < annotations.size(); ++i) {
    wb.Put(annotations_cf_, AnnotationKey(annotations[i].time, seq++), records[i])
        .PermitUncheckedError();
  }
  std::string seq_value;
  PutFixed64(&seq_value, seq);
  SealWithChecksum(&seq_value);
  wb.Put(meta_cf_, kNextSeqKey, seq_value).PermitUncheckedError();
  rocksdb::WriteOptions wo;
  wo.sync = options.sync;
  rocksdb::Status s = db_->Write(wo, &wb);
  if (!s.ok()) {
    return Status::IOError("annotate: " + s.ToString() + "; the batch is not stored");
  }
  next_seq_ = seq;
  return Status::OK();
}

Status DBImpl::ReadAnnotations(const rocksdb::Snapshot* snapshot, int64_t from,
                               int64_t to, std::span<const LabelMatcher> matchers,
                               std::vector<Annotation>* out) {
  std::vector<AnnotationMatcher> compiled;
  SREDB_RETURN_IF_ERROR(CompileMatchers(matchers, &compiled));
  if (annotations_cf_ == nullptr || from >= to) return Status::OK();
  const std::string lower = AnnotationKey(from, 0);
  const std::string upper = AnnotationKey(to, 0);
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, annotations_cf_));
  for (it->Seek(lower); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    int64_t time = 0;
    uint64_t seq = 0;
    Annotation a;
    Status d =
        ParseAnnotationKey(key, &time, &seq)
            ? DecodeAnnotation(std::string_view(it->value().data(), it->value().size()),
                               time, &a)
            : Status::Corruption("malformed key");
    if (!d.ok()) return Status::Corruption(AnnotationName(key) + ": " + d.message());
    bool keep = true;
    for (const AnnotationMatcher& m : compiled) keep = keep && m.Matches(a);
    if (keep) out->push_back(std::move(a));
  }
  if (!it->status().ok()) {
    return Status::IOError("reading annotations: " + it->status().ToString());
  }
  return Status::OK();
}

void DBImpl::CheckAnnotations(const rocksdb::Snapshot* snapshot, uint64_t next_seq,
                              CheckReport* report) {
  if (annotations_cf_ == nullptr) return;
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.verify_checksums = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, annotations_cf_));
  Annotation a;
  bool seq_reported = false;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++report->objects_checked;
    const std::string_view key(it->key().data(), it->key().size());
    int64_t time = 0;
    uint64_t seq = 0;
    if (!ParseAnnotationKey(key, &time, &seq)) {
      report->problems.push_back("annotations: malformed key");
      continue;
    }
    if (seq >= next_seq && !seq_reported) {
      report->problems.push_back("meta: next_seq is not above " + AnnotationName(key));
      seq_reported = true;
    }
    Status d = DecodeAnnotation(std::string_view(it->value().data(), it->value().size()),
                                time, &a);
    if (!d.ok()) report->problems.push_back(AnnotationName(key) + ": " + d.message());
  }
  if (!it->status().ok()) {
    report->problems.push_back("annotations: reading: " + it->status().ToString());
  }
}

Result<uint64_t> DBImpl::CountAnnotations() {
  if (annotations_cf_ == nullptr) return uint64_t{0};
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), annotations_cf_));
  uint64_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  if (!it->status().ok()) {
    return Status::IOError("counting annotations: " + it->status().ToString());
  }
  return n;
}

}  // namespace sredb::internal
