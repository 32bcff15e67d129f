#include "storage/internal/series_index.h"

#include <algorithm>
#include <functional>
#include <iterator>

#include "storage/internal/checksum.h"
#include "storage/internal/coding.h"
#include "storage/internal/keys.h"
#include "storage/internal/regex_compile.h"
#include "storage/internal/rocks_status.h"

namespace sredb::internal {
namespace {

// Calls fn(value, id) for every posting under `prefix` (a name or name=value
// prefix). Returns the iterator's status.
template <typename Fn>
Status ForEachPosting(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                      const rocksdb::Snapshot* snapshot, const std::string& prefix,
                      Fn fn) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string upper = prefix;
  upper.back() = static_cast<char>(upper.back() + 1);  // prefix ends in '\0'
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    std::string_view rest = key.substr(prefix.size());
    if (rest.size() < 8) return Status::Corruption("index: short posting key");
    // rest = [value '\0'] be64(id), the value part present for name prefixes.
    std::string_view value;
    if (rest.size() > 8) value = rest.substr(0, rest.size() - 9);
    fn(value, DecodeBigEndian64(rest.data() + rest.size() - 8));
  }
  return FromRocks(it->status(), "index");
}

std::vector<uint64_t> SortedUnique(std::vector<uint64_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::vector<uint64_t> Difference(const std::vector<uint64_t>& a,
                                 const std::vector<uint64_t>& b) {
  std::vector<uint64_t> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

// The series one matcher selects, ascending.
Result<std::vector<uint64_t>> SelectOne(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                        const rocksdb::Snapshot* snapshot,
                                        const LabelMatcher& m,
                                        const std::vector<uint64_t>& all_ids) {
  if (m.name.empty() || m.name.find('\0') != std::string::npos) {
    return Status::InvalidArgument("bad label name in matcher");
  }
  if (m.op != LabelMatcher::Op::kIn && m.values.size() != 1) {
    return Status::InvalidArgument("matcher on " + m.name + " needs exactly one value");
  }
  std::vector<uint64_t> ids;
  auto collect = [&ids](std::string_view, uint64_t id) { ids.push_back(id); };
  if (m.op == LabelMatcher::Op::kEq || m.op == LabelMatcher::Op::kIn) {
    for (const std::string& v : m.values) {
      if (v.empty()) {  // = '' selects series without the label
        std::vector<uint64_t> with;
        SREDB_RETURN_IF_ERROR(
            ForEachPosting(db, cf, snapshot, PostingNamePrefix(m.name),
                           [&](std::string_view, uint64_t id) { with.push_back(id); }));
        auto without = Difference(all_ids, SortedUnique(std::move(with)));
        ids.insert(ids.end(), without.begin(), without.end());
        continue;
      }
      if (v.find('\0') != std::string::npos) continue;  // no stored value has a NUL
      SREDB_RETURN_IF_ERROR(
          ForEachPosting(db, cf, snapshot, PostingValuePrefix(m.name, v), collect));
    }
    return SortedUnique(std::move(ids));
  }
  // != and regex: test every stored value of the label, then decide for the
  // series without it by testing the empty value.
  std::function<bool(std::string_view)> keep;
  Regex re;
  if (m.op == LabelMatcher::Op::kNeq) {
    keep = [&m](std::string_view v) { return v != m.values[0]; };
  } else {
    SREDB_RETURN_IF_ERROR(CompileRegex(m.values[0], &re));
    keep = [&re](std::string_view v) { return re.FullMatch(v); };
  }
  std::vector<uint64_t> with;
  SREDB_RETURN_IF_ERROR(ForEachPosting(db, cf, snapshot, PostingNamePrefix(m.name),
                                       [&](std::string_view value, uint64_t id) {
                                         with.push_back(id);
                                         if (keep(value)) ids.push_back(id);
                                       }));
  if (keep("")) {
    auto without = Difference(all_ids, SortedUnique(std::move(with)));
    ids.insert(ids.end(), without.begin(), without.end());
  }
  return SortedUnique(std::move(ids));
}

}  // namespace

Result<Labels> DecodeCanonicalLabels(std::string_view canonical) {
  std::vector<Label> labels;
  while (!canonical.empty()) {
    std::string_view name, value;
    if (!GetLengthPrefixed(&canonical, &name) || !GetLengthPrefixed(&canonical, &value)) {
      return Status::Corruption("malformed label encoding");
    }
    labels.push_back(Label{std::string(name), std::string(value)});
  }
  auto made = Labels::Make(std::move(labels));
  if (!made.ok())
    return Status::Corruption("invalid stored labels: " + made.status().message());
  return made;
}

Status SeriesIndex::Load(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  const std::string prefix(1, kSeriesPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != 9) return Status::Corruption("index: bad series key");
    uint64_t id = DecodeBigEndian64(it->key().data() + 1);
    std::string_view value(it->value().data(), it->value().size());
    if (!CheckAndStripChecksum(&value)) {
      return Status::Corruption("index: series " + SeriesIdHex(id) + ": bad checksum");
    }
    auto labels = DecodeCanonicalLabels(value);
    if (!labels.ok()) {
      return Status::Corruption("index: series " + SeriesIdHex(id) + ": " +
                                labels.status().message());
    }
    auto entry = std::make_shared<SeriesEntry>();
    entry->labels = std::move(labels.value());
    entry->canonical = std::string(value);
    by_id_[id] = std::move(entry);
  }
  sorted_.reset();
  return FromRocks(it->status(), "index");
}

std::shared_ptr<const SeriesEntry> SeriesIndex::Find(uint64_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

void SeriesIndex::Insert(uint64_t id, std::shared_ptr<const SeriesEntry> entry) {
  if (by_id_.emplace(id, std::move(entry)).second) sorted_.reset();
}

std::shared_ptr<const std::vector<uint64_t>> SeriesIndex::SortedIds() const {
  if (sorted_ == nullptr) {
    auto ids = std::make_shared<std::vector<uint64_t>>();
    ids->reserve(by_id_.size());
    for (const auto& [id, entry] : by_id_) ids->push_back(id);
    std::sort(ids->begin(), ids->end());
    sorted_ = std::move(ids);
  }
  return sorted_;
}

void SeriesIndex::PutSeries(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf,
                            uint64_t id, const SeriesEntry& entry) {
  std::string value = entry.canonical;
  SealWithChecksum(&value);
  batch->Put(cf, SeriesKey(id), value).PermitUncheckedError();
  for (const Label& l : entry.labels.items()) {
    std::string key = PostingValuePrefix(l.name, l.value);
    PutBigEndian64(&key, id);
    batch->Put(cf, key, rocksdb::Slice()).PermitUncheckedError();
  }
}

Result<std::vector<uint64_t>> SelectSeries(rocksdb::DB* db,
                                           rocksdb::ColumnFamilyHandle* cf,
                                           const rocksdb::Snapshot* snapshot,
                                           const std::vector<LabelMatcher>& matchers,
                                           const std::vector<uint64_t>& all_ids) {
  std::vector<uint64_t> selected = all_ids;
  for (const LabelMatcher& m : matchers) {
    auto one = SelectOne(db, cf, snapshot, m, all_ids);
    if (!one.ok()) return one.status();
    std::vector<uint64_t> both;
    std::set_intersection(selected.begin(), selected.end(), one->begin(), one->end(),
                          std::back_inserter(both));
    selected = std::move(both);
    if (selected.empty()) break;
  }
  return selected;
}

}  // namespace sredb::internal
