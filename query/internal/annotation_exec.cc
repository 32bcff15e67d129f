#include "query/internal/annotation_exec.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "query/internal/accumulator.h"
#include "storage/rfc3339.h"

namespace sredb::query::internal {
namespace {

constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max();

int64_t FloorTo(int64_t t, int64_t step) {
  const int64_t q = t / step;
  return (t % step != 0 && t < 0 ? q - 1 : q) * step;
}

std::string TimeText(int64_t t) {
  if (t == kMaxTime) return "+inf";
  if (t == std::numeric_limits<int64_t>::min()) return "-inf";
  return FormatRfc3339(t);
}

// A string field of an annotation by query name: type, detail or a label
// (nullopt when absent).
std::optional<std::string> StringField(const Annotation& a, const std::string& name) {
  if (name == "type") return a.type;
  if (name == "detail") return a.detail;
  for (const Label& l : a.labels) {
    if (l.name == name) return l.value;
  }
  return std::nullopt;
}

std::optional<double> NumericField(const Annotation& a, Column c) {
  return c == Column::kValue ? a.value : a.threshold;
}

// Orders optional values with NULL last; -1, 0 or 1.
template <typename T>
int CompareNullLast(const std::optional<T>& a, const std::optional<T>& b) {
  if (!a || !b) return a ? -1 : (b ? 1 : 0);
  return *a < *b ? -1 : (*b < *a ? 1 : 0);
}

// The running state of one aggregate for one group: values are added in
// (time, arrival) order, so sums are the same at every run.
struct AnnotationAcc {
  uint64_t count = 0;  // annotations (count()) or values present
  double sum = 0;
  double mean = 0;  // Welford's running mean and sum of squared deviations
  double m2 = 0;
  double min = 0;
  double max = 0;

  void Add(const AggregateCall& call, const Annotation& a) {
    if (call.fn == AggFn::kCount) {
      ++count;
      return;
    }
    const std::optional<double> v = NumericField(a, *call.column);
    if (!v) return;
    min = count == 0 ? *v : std::min(min, *v);
    max = count == 0 ? *v : std::max(max, *v);
    ++count;
    sum += *v;
    const double delta = *v - mean;
    mean += delta / static_cast<double>(count);
    m2 += delta * (*v - mean);
  }

  AggValue Finish(const AggregateCall& call) const {
    if (call.fn == AggFn::kCount) return AggValue::Int(static_cast<int64_t>(count));
    if (count == 0) return AggValue::Null();
    switch (call.fn) {
      case AggFn::kSum:
        return AggValue::Double(sum);
      case AggFn::kAvg:
        return AggValue::Double(sum / static_cast<double>(count));
      case AggFn::kMin:
        return AggValue::Double(min);
      case AggFn::kMax:
        return AggValue::Double(max);
      case AggFn::kStddev:
        if (count < 2) return AggValue::Null();
        return AggValue::Double(std::sqrt(m2 / static_cast<double>(count - 1)));
      default:
        return AggValue::Null();  // refused by the parser
    }
  }
};

struct AggItem {
  const Aggregate* agg;
  int64_t from;  // its window [from, to)
  int64_t to;
};

struct Group {
  std::vector<std::optional<std::string>> keys;  // one per GROUP BY label
  int64_t bucket = 0;
  bool exists = false;
  std::vector<AnnotationAcc> accs;  // one per AggItem
};

class AnnotationRun {
 public:
  AnnotationRun(Reader* reader, const SelectStmt& select, int64_t now,
                const QueryOptions& options)
      : reader_(reader), select_(select), now_(now), options_(options) {}

  Result<ResultTable> Run(ExplainMode explain);

 private:
  Status Prepare();
  void CollectHaving(const HavingExpr& e);
  Status CheckLimits() const;
  bool RowListing() const;
  ResultTable ListRows();
  void GroupAnnotations();
  bool Having(const HavingExpr& e, const Group& g) const;
  AggValue ValueOf(const Group& g, size_t agg_item) const;
  ResultTable BuildGroupTable();
  std::vector<std::string> DescribePlan() const;

  Reader* const reader_;
  const SelectStmt& select_;
  const int64_t now_;
  const QueryOptions& options_;

  int64_t at_ = 0;
  int64_t from_ = 0;  // the WHERE range
  int64_t to_ = 0;
  int64_t read_from_ = 0;  // what is read: the WHERE range and every window
  int64_t read_to_ = 0;
  std::vector<AggItem> items_;                  // select items', then HAVING's
  std::vector<std::optional<size_t>> item_of_;  // select item -> items_ index
  std::map<const Aggregate*, size_t> having_items_;
  bool all_own_window_ = false;           // groups then exist by the widest window
  std::vector<std::string> group_names_;  // GROUP BY labels (type, detail too)
  std::optional<int64_t> bucket_step_;
  std::vector<Annotation> annotations_;
  std::vector<Group> groups_;
};

Status AnnotationRun::Prepare() {
  SREDB_RETURN_IF_ERROR(ResolveTimes(select_, now_, &at_, &from_, &to_));
  from_ = std::max<int64_t>(from_, 0);  // no annotation lies before the epoch
  read_from_ = from_;
  read_to_ = to_;
  auto add = [&](const Aggregate& agg) {
    AggItem item{&agg, from_, to_};
    if (agg.over_ns) {
      int64_t from = 0;
      if (__builtin_sub_overflow(at_, *agg.over_ns, &from)) {
        from = std::numeric_limits<int64_t>::min();
      }
      item.from = std::max<int64_t>(from, 0);
      item.to = at_;
    }
    read_from_ = std::min(read_from_, item.from);
    read_to_ = std::max(read_to_, item.to);
    items_.push_back(item);
  };
  item_of_.resize(select_.items.size());
  all_own_window_ = true;
  for (size_t i = 0; i < select_.items.size(); ++i) {
    if (const auto* agg = std::get_if<Aggregate>(&select_.items[i].expr)) {
      item_of_[i] = items_.size();
      add(*agg);
    }
  }
  if (select_.having) CollectHaving(*select_.having);
  for (auto& entry : having_items_) {
    entry.second = items_.size();
    add(*entry.first);
  }
  for (const AggItem& item : items_) {
    all_own_window_ = all_own_window_ && item.agg->HasOwnWindow();
  }
  if (items_.empty()) all_own_window_ = false;
  for (const GroupKey& k : select_.group_by) {
    if (const auto* l = std::get_if<LabelRef>(&k.key)) {
      group_names_.push_back(l->name);
    } else {
      bucket_step_ = std::get<BucketRef>(k.key).step_ns;
    }
  }
  return Status::OK();
}

void AnnotationRun::CollectHaving(const HavingExpr& e) {
  if (e.kind == HavingExpr::Kind::kCompare) {
    if (const auto* agg = std::get_if<Aggregate>(&e.compare.lhs)) {
      having_items_.emplace(agg, 0);
    }
    return;
  }
  for (const HavingExpr& o : e.operands) CollectHaving(o);
}

Status AnnotationRun::CheckLimits() const {
  if (options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed)) {
    return Status::Cancelled("query cancelled");
  }
  uint64_t used = 0;
  for (const Annotation& a : annotations_) {
    used += sizeof(Annotation) + a.type.size() + a.detail.size();
    for (const Label& l : a.labels)
      used += sizeof(Label) + l.name.size() + l.value.size();
  }
  used += groups_.size() * (sizeof(Group) + items_.size() * sizeof(AnnotationAcc));
  if (used > options_.memory_limit_bytes) {
    return Status::ResourceExhausted("query needs more than its memory limit of " +
                                     std::to_string(options_.memory_limit_bytes) +
                                     " bytes (" + std::to_string(annotations_.size()) +
                                     " annotations); narrow the time range or raise "
                                     "QueryOptions::memory_limit_bytes");
  }
  return Status::OK();
}

bool AnnotationRun::RowListing() const {
  return items_.empty() && select_.group_by.empty();
}

// One row per annotation of the WHERE range.
ResultTable AnnotationRun::ListRows() {
  std::vector<size_t> rows;
  for (size_t i = 0; i < annotations_.size(); ++i) {
    const int64_t t = annotations_[i].time;
    if (t >= from_ && t < to_) rows.push_back(i);
  }
  if (!select_.order_by.empty()) {
    std::stable_sort(rows.begin(), rows.end(), [&](size_t x, size_t y) {
      const Annotation& a = annotations_[x];
      const Annotation& b = annotations_[y];
      for (const OrderKey& k : select_.order_by) {
        const std::string& name =
            k.item ? std::get<LabelRef>(select_.items[*k.item].expr).name : k.name;
        int c = 0;
        if (name == "time") {
          c = a.time < b.time ? -1 : (a.time > b.time ? 1 : 0);
        } else if (std::optional<Column> col = LookupAnnotationColumn(name)) {
          c = CompareNullLast(NumericField(a, *col), NumericField(b, *col));
          if (c != 0 && (!NumericField(a, *col) || !NumericField(b, *col))) return c < 0;
        } else {
          const auto va = StringField(a, name), vb = StringField(b, name);
          c = CompareNullLast(va, vb);
          if (c != 0 && (!va || !vb)) return c < 0;  // NULLs last either way
        }
        if (c != 0) return k.descending ? c > 0 : c < 0;
      }
      return false;
    });
  }
  if (select_.limit && rows.size() > static_cast<size_t>(*select_.limit)) {
    rows.resize(static_cast<size_t>(*select_.limit));
  }
  ResultTable table;
  table.rows = rows.size();
  for (const SelectItem& item : select_.items) {
    const std::string& name = std::get<LabelRef>(item.expr).name;
    ResultColumn col;
    col.name = item.name;
    const std::optional<Column> numeric = LookupAnnotationColumn(name);
    col.type = name == "time" ? ValueType::kTime
               : numeric      ? ValueType::kDouble
                              : ValueType::kString;
    for (size_t r : rows) {
      const Annotation& a = annotations_[r];
      if (name == "time") {
        col.ints.push_back(a.time);
        col.nulls.push_back(0);
      } else if (numeric) {
        const std::optional<double> v = NumericField(a, *numeric);
        col.doubles.push_back(v.value_or(0));
        col.nulls.push_back(!v.has_value());
      } else {
        std::optional<std::string> v = StringField(a, name);
        col.nulls.push_back(!v.has_value());
        col.strings.push_back(std::move(v).value_or(""));
      }
    }
    table.columns.push_back(std::move(col));
  }
  return table;
}

void AnnotationRun::GroupAnnotations() {
  std::map<std::pair<std::vector<std::optional<std::string>>, int64_t>, size_t> index;
  if (select_.group_by.empty()) {
    groups_.push_back(Group{{}, 0, true, std::vector<AnnotationAcc>(items_.size())});
    index[{{}, 0}] = 0;
  }
  for (const Annotation& a : annotations_) {
    std::vector<std::optional<std::string>> keys;
    for (const std::string& name : group_names_) keys.push_back(StringField(a, name));
    const int64_t bucket = bucket_step_ ? FloorTo(a.time, *bucket_step_) : 0;
    auto found = index.find({keys, bucket});
    size_t g = 0;
    if (found == index.end()) {
      g = groups_.size();
      index.emplace(std::make_pair(keys, bucket), g);
      groups_.push_back(Group{std::move(keys), bucket, false,
                              std::vector<AnnotationAcc>(items_.size())});
    } else {
      g = found->second;
    }
    Group& group = groups_[g];
    bool in_window = false;
    for (size_t i = 0; i < items_.size(); ++i) {
      if (a.time < items_[i].from || a.time >= items_[i].to) continue;
      in_window = true;
      group.accs[i].Add(items_[i].agg->call, a);
    }
    const bool in_range = a.time >= from_ && a.time < to_;
    group.exists = group.exists || (all_own_window_ ? in_window : in_range);
  }
}

AggValue AnnotationRun::ValueOf(const Group& g, size_t agg_item) const {
  return g.accs[agg_item].Finish(items_[agg_item].agg->call);
}

bool AnnotationRun::Having(const HavingExpr& e, const Group& g) const {
  switch (e.kind) {
    case HavingExpr::Kind::kCompare: {
      const HavingComparison& c = e.compare;
      const size_t i = std::holds_alternative<ItemRef>(c.lhs)
                           ? *item_of_[std::get<ItemRef>(c.lhs).index]
                           : having_items_.at(&std::get<Aggregate>(c.lhs));
      const AggValue v = ValueOf(g, i);
      return !v.null && Compare(v.AsDouble(), c.op, c.rhs);
    }
    case HavingExpr::Kind::kAnd:
      for (const HavingExpr& o : e.operands) {
        if (!Having(o, g)) return false;
      }
      return true;
    case HavingExpr::Kind::kOr:
      for (const HavingExpr& o : e.operands) {
        if (Having(o, g)) return true;
      }
      return false;
    case HavingExpr::Kind::kNot:
      return !Having(e.operands[0], g);
  }
  return false;
}

ResultTable AnnotationRun::BuildGroupTable() {
  std::vector<size_t> rows;
  for (size_t g = 0; g < groups_.size(); ++g) {
    if (!groups_[g].exists) continue;
    if (select_.having && !Having(*select_.having, groups_[g])) continue;
    rows.push_back(g);
  }
  auto label_index = [&](const std::string& name) -> std::optional<size_t> {
    for (size_t i = 0; i < group_names_.size(); ++i) {
      if (group_names_[i] == name) return i;
    }
    return std::nullopt;
  };
  // Default order: by group key (labels, NULL last, then bucket).
  std::sort(rows.begin(), rows.end(), [&](size_t a, size_t b) {
    const int c = [&] {
      for (size_t i = 0; i < group_names_.size(); ++i) {
        const int k = CompareNullLast(groups_[a].keys[i], groups_[b].keys[i]);
        if (k != 0) return k;
      }
      return 0;
    }();
    return c != 0 ? c < 0 : groups_[a].bucket < groups_[b].bucket;
  });
  std::stable_sort(rows.begin(), rows.end(), [&](size_t a, size_t b) {
    const Group& ga = groups_[a];
    const Group& gb = groups_[b];
    for (const OrderKey& k : select_.order_by) {
      const SelectItem* item = k.item ? &select_.items[*k.item] : nullptr;
      int c = 0;
      if (item != nullptr && std::holds_alternative<Aggregate>(item->expr)) {
        const AggValue va = ValueOf(ga, *item_of_[*k.item]);
        const AggValue vb = ValueOf(gb, *item_of_[*k.item]);
        if (va.null || vb.null) {
          if (va.null != vb.null) return vb.null;  // NULLs last either way
          continue;
        }
        c = va.AsDouble() < vb.AsDouble() ? -1 : (va.AsDouble() > vb.AsDouble() ? 1 : 0);
      } else if (item != nullptr && std::holds_alternative<BucketRef>(item->expr)) {
        c = ga.bucket < gb.bucket ? -1 : (ga.bucket > gb.bucket ? 1 : 0);
      } else {
        const std::string& name =
            item != nullptr ? std::get<LabelRef>(item->expr).name : k.name;
        const std::optional<size_t> li = label_index(name);
        if (!li) continue;
        const auto& la = ga.keys[*li];
        const auto& lb = gb.keys[*li];
        c = CompareNullLast(la, lb);
        if (c != 0 && (!la || !lb)) return c < 0;
      }
      if (c != 0) return k.descending ? c > 0 : c < 0;
    }
    return false;
  });
  if (select_.limit && rows.size() > static_cast<size_t>(*select_.limit)) {
    rows.resize(static_cast<size_t>(*select_.limit));
  }
  ResultTable table;
  table.rows = rows.size();
  for (size_t i = 0; i < select_.items.size(); ++i) {
    const SelectItem& item = select_.items[i];
    ResultColumn col;
    col.name = item.name;
    if (const auto* l = std::get_if<LabelRef>(&item.expr)) {
      col.type = ValueType::kString;
      const size_t li = *label_index(l->name);
      for (size_t g : rows) {
        col.strings.push_back(groups_[g].keys[li].value_or(""));
        col.nulls.push_back(!groups_[g].keys[li].has_value());
      }
    } else if (std::holds_alternative<BucketRef>(item.expr)) {
      col.type = ValueType::kTime;
      for (size_t g : rows) {
        col.ints.push_back(groups_[g].bucket);
        col.nulls.push_back(0);
      }
    } else {
      const bool is_int = items_[*item_of_[i]].agg->call.fn == AggFn::kCount;
      col.type = is_int ? ValueType::kInt64 : ValueType::kDouble;
      for (size_t g : rows) {
        const AggValue v = ValueOf(groups_[g], *item_of_[i]);
        if (is_int) {
          col.ints.push_back(v.null ? 0 : v.i);
        } else {
          col.doubles.push_back(v.null ? 0 : v.AsDouble());
        }
        col.nulls.push_back(v.null);
      }
    }
    table.columns.push_back(std::move(col));
  }
  return table;
}

std::vector<std::string> AnnotationRun::DescribePlan() const {
  std::vector<std::string> lines;
  lines.push_back("evaluation instant " + TimeText(at_));
  lines.push_back(
      "annotations: one range read [" + TimeText(read_from_) + ", " + TimeText(read_to_) +
      ")" + (select_.where.labels.empty() ? "" : ", label and type matchers applied"));
  if (RowListing()) {
    lines.push_back("rows: one per annotation in [" + TimeText(from_) + ", " +
                    TimeText(to_) + "), in time order");
  }
  for (const AggItem& item : items_) {
    lines.push_back("aggregate " + FormatAggregate(*item.agg) + ": window [" +
                    TimeText(item.from) + ", " + TimeText(item.to) + ")");
  }
  if (!group_names_.empty() || bucket_step_) {
    std::string g = "groups by";
    for (const std::string& l : group_names_) g += " " + l;
    if (bucket_step_) g += " bucket(" + FormatDuration(*bucket_step_) + ")";
    lines.push_back(g);
  }
  return lines;
}

Result<ResultTable> AnnotationRun::Run(ExplainMode explain) {
  SREDB_RETURN_IF_ERROR(Prepare());
  if (explain == ExplainMode::kPlan) {
    std::vector<std::string> lines = DescribePlan();
    ResultTable table;
    ResultColumn col;
    col.name = "plan";
    col.type = ValueType::kString;
    col.strings = std::move(lines);
    col.nulls.assign(col.strings.size(), 0);
    table.rows = col.strings.size();
    table.columns.push_back(std::move(col));
    return table;
  }
  const auto start = std::chrono::steady_clock::now();
  SREDB_RETURN_IF_ERROR(CheckLimits());
  SREDB_RETURN_IF_ERROR(reader_->ReadAnnotations(read_from_, read_to_,
                                                 select_.where.labels, &annotations_));
  SREDB_RETURN_IF_ERROR(CheckLimits());
  ResultTable result;
  if (RowListing()) {
    result = ListRows();
  } else {
    GroupAnnotations();
    SREDB_RETURN_IF_ERROR(CheckLimits());
    result = BuildGroupTable();
  }
  if (explain == ExplainMode::kNone) return result;
  std::vector<std::string> lines = DescribePlan();
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
          .count();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", ms);
  lines.push_back("touched: " + std::to_string(annotations_.size()) + " annotations");
  lines.push_back("result: " + std::to_string(result.rows) + " rows from " +
                  std::to_string(RowListing() ? result.rows : groups_.size()) +
                  (RowListing() ? " annotations" : " groups") + " in " + buf + " ms");
  ResultTable table;
  ResultColumn col;
  col.name = "plan";
  col.type = ValueType::kString;
  col.strings = std::move(lines);
  col.nulls.assign(col.strings.size(), 0);
  table.rows = col.strings.size();
  table.columns.push_back(std::move(col));
  return table;
}

}  // namespace

Result<ResultTable> RunAnnotationSelect(Reader* reader, const SelectStmt& select,
                                        int64_t now, const QueryOptions& options,
                                        ExplainMode explain) {
  AnnotationRun run(reader, select, now, options);
  return run.Run(explain);
}

}  // namespace sredb::query::internal
