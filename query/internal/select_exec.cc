#include "query/internal/select_exec.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "query/internal/accumulator.h"
#include "query/internal/annotation_exec.h"
#include "storage/rfc3339.h"

namespace sredb::query::internal {
namespace {

constexpr int64_t kMinute = int64_t{60} * 1000 * 1000 * 1000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max();
// Windows (aggregate x window slots) per statement: zscore(count(), 1m, 365d)
// needs 525,601; each group holds one accumulator per window.
constexpr size_t kMaxWindows = 1'000'000;

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}
int64_t FloorTo(int64_t t, int64_t step) { return FloorDiv(t, step) * step; }
// The smallest multiple of step >= t (saturating at the largest one).
int64_t CeilTo(int64_t t, int64_t step) {
  const int64_t f = FloorTo(t, step);
  if (f == t) return t;
  return f > kMaxTime - step ? f : f + step;
}
int64_t SatSub(int64_t a, int64_t b) {
  int64_t out;
  return __builtin_sub_overflow(a, b, &out) ? std::numeric_limits<int64_t>::min() : out;
}
int64_t SatAdd(int64_t a, int64_t b) {
  int64_t out;
  return __builtin_add_overflow(a, b, &out) ? kMaxTime : out;
}

std::string TimeText(int64_t t) {
  if (t == kMaxTime) return "+inf";
  if (t == std::numeric_limits<int64_t>::min()) return "-inf";
  return FormatRfc3339(t);
}

enum class Tier : uint8_t { kRaw, kMinute, kHour };
const char* TierName(Tier t) {
  switch (t) {
    case Tier::kRaw:
      return "raw";
    case Tier::kMinute:
      return "1m rollups";
    case Tier::kHour:
      return "1h rollups";
  }
  return "";
}

struct Read {
  Tier tier;
  int64_t from;
  int64_t to;
};

struct Window {
  int64_t from;
  int64_t to;
};

// One accumulator column of every group: a call over a window.
struct Slot {
  size_t spec;
  size_t window;
};

// One aggregate expression: a select item or a HAVING operand.
struct AggItem {
  const Aggregate* agg;
  size_t spec;
  std::vector<size_t> slots;  // zscore: x0, x1 .. xK; otherwise one
};

struct Group {
  std::vector<std::optional<std::string>>
      labels;  // one per GROUP BY label; nullopt: absent
  int64_t bucket = 0;
  bool exists = false;  // an event fell in the query's range (README "Groups")
};

// A value of one cell while rows are sorted and filtered.
struct Cell {
  bool null = true;
  bool is_string = false;
  double d = 0;
  int64_t i = 0;
  bool is_int = false;
  const std::string* s = nullptr;
};

class SelectRun {
 public:
  SelectRun(Reader* reader, const SelectStmt& select, int64_t now,
            const QueryOptions& options)
      : reader_(reader), select_(select), now_(now), options_(options) {}

  Result<ResultTable> Run(ExplainMode explain);

 private:
  Status Prepare();
  Status AddAggregate(const Aggregate& agg);
  void CollectHaving(const HavingExpr& e);
  void BuildIntervals();
  Status PlanSeries(uint64_t series, int64_t partition, std::vector<Read>* reads);
  Status PlanPiece(uint64_t series, int64_t from, int64_t to, bool raw_only,
                   std::vector<Read>* reads);
  Status AddRaw(uint64_t series, int64_t partition, int64_t from, int64_t to,
                std::vector<Read>* reads);
  std::string SeriesKey(const SeriesRef& s) const;
  Status RunSeries(size_t si, const SeriesRef& s, const std::vector<Read>& reads);
  bool HasRollups(uint64_t series, Resolution res, int64_t partition);
  uint32_t GroupFor(size_t si, const SeriesRef& s, int64_t bucket);
  void FeedRaw(size_t si, const SeriesRef& s, const RowsView& rows);
  void FeedBuckets(size_t si, const SeriesRef& s, const std::vector<Bucket>& buckets);
  Status CheckLimits(size_t transient_bytes);
  AggValue ItemValue(uint32_t group, const AggItem& item);
  bool Having(const HavingExpr& e, uint32_t group, const std::vector<AggValue>& values);
  ResultTable BuildTable();
  ResultTable ExplainTable(const std::vector<std::string>& lines);
  std::vector<std::string> DescribePlan();

  Reader* const reader_;
  const SelectStmt& select_;
  const int64_t now_;
  const QueryOptions& options_;

  int64_t at_ = 0;
  Window range_{0, 0};  // the WHERE time range
  std::vector<CallSpec> specs_;
  std::vector<Window> windows_;
  std::vector<Slot> slots_;
  std::vector<AggItem> items_;                  // select items' aggregates, then HAVING's
  std::vector<std::optional<size_t>> item_of_;  // select item -> items_ index
  std::map<const Aggregate*, size_t> having_items_;
  Status having_status_;       // the first error adding HAVING's aggregates
  bool hidden_count_ = false;  // no aggregate: a count over the range finds the groups
  Aggregate hidden_count_agg_;

  std::vector<int64_t> bounds_;  // interval i = [bounds_[i], bounds_[i+1])
  std::vector<std::vector<size_t>> interval_slots_;
  std::vector<uint8_t> interval_raw_;
  std::vector<uint8_t> interval_counts_;  // its events make their group exist
  FieldMask fields_ = 0;
  bool allow_hour_ = true;
  bool allow_minute_ = true;

  std::vector<std::string> group_labels_;  // GROUP BY label names
  std::optional<int64_t> bucket_step_;
  std::vector<Group> groups_;
  std::unordered_map<std::string, uint32_t> group_index_;
  std::vector<std::string> series_keys_;  // per selected series: its labels' part of keys
  std::vector<int64_t> series_group_;     // without buckets: its group, or -1
  // One block of slots_.size() accumulators per group (blocks, so that adding
  // a group never moves the others).
  std::vector<std::unique_ptr<Accumulator[]>> accs_;
  uint64_t value_bytes_ = 0;  // exact-quantile values held
  uint64_t key_bytes_ = 0;

  // HasRollups answers for one (series, partition): planning walks partitions
  // in time order, so the last one asked is all there is to remember.
  uint64_t known_series_ = 0;
  int64_t known_partition_ = -1;
  int8_t known_[2] = {-1, -1};  // per Resolution: -1 unknown, 0 no, 1 yes

  // The plan's tallies (EXPLAIN).
  uint64_t series_count_ = 0;
  uint64_t plan_reads_[3] = {0, 0, 0};
  uint64_t plan_buckets_[3] = {0, 0, 0};  // at most, per tier
  std::vector<Read> reads_;
  Columns columns_;
  std::vector<Bucket> buckets_;
};

Status SelectRun::AddAggregate(const Aggregate& agg) {
  AggItem item{&agg, specs_.size(), {}};
  specs_.emplace_back(agg.call);
  auto add_window = [&](int64_t from, int64_t to) {
    item.slots.push_back(slots_.size());
    slots_.push_back(Slot{item.spec, windows_.size()});
    windows_.push_back(Window{std::max<int64_t>(from, 0), to});
  };
  if (agg.zscore) {
    const int64_t step = agg.zscore->step_ns;
    const int64_t k_max = agg.zscore->baseline_ns / step;
    if (k_max + 1 > static_cast<int64_t>(kMaxWindows - slots_.size())) {
      return Status::ResourceExhausted(
          std::to_string(agg.pos.line) + ":" + std::to_string(agg.pos.column) + ": " +
          FormatAggregate(agg) + " needs " + std::to_string(k_max + 1) +
          " windows; a statement may have at most " + std::to_string(kMaxWindows) +
          ": use a longer step or a shorter baseline");
    }
    for (int64_t k = 0; k <= k_max; ++k) {
      const int64_t to = SatSub(at_, k * step);
      add_window(SatSub(to, step), to);
    }
  } else if (agg.over_ns) {
    add_window(SatSub(at_, *agg.over_ns), at_);
  } else {
    add_window(range_.from, range_.to);
  }
  items_.push_back(std::move(item));
  return Status::OK();
}

void SelectRun::CollectHaving(const HavingExpr& e) {
  if (e.kind == HavingExpr::Kind::kCompare) {
    if (const auto* agg = std::get_if<Aggregate>(&e.compare.lhs)) {
      having_items_[agg] = items_.size();
      if (Status st = AddAggregate(*agg); !st.ok() && having_status_.ok())
        having_status_ = st;
    }
    return;
  }
  for (const HavingExpr& o : e.operands) CollectHaving(o);
}

Status SelectRun::Prepare() {
  SREDB_RETURN_IF_ERROR(ResolveTimes(select_, now_, &at_, &range_.from, &range_.to));

  item_of_.resize(select_.items.size());
  for (size_t i = 0; i < select_.items.size(); ++i) {
    if (const auto* agg = std::get_if<Aggregate>(&select_.items[i].expr)) {
      item_of_[i] = items_.size();
      SREDB_RETURN_IF_ERROR(AddAggregate(*agg));
    }
  }
  if (select_.having) CollectHaving(*select_.having);
  SREDB_RETURN_IF_ERROR(having_status_);
  if (items_.empty()) {
    // Groups without aggregates: those with an event in the range.
    hidden_count_ = true;
    SREDB_RETURN_IF_ERROR(AddAggregate(hidden_count_agg_));
  }

  for (const GroupKey& k : select_.group_by) {
    if (const auto* l = std::get_if<LabelRef>(&k.key)) {
      group_labels_.push_back(l->name);
    } else {
      bucket_step_ = std::get<BucketRef>(k.key).step_ns;
    }
  }
  allow_hour_ = true;
  allow_minute_ = true;
  if (bucket_step_) {
    allow_hour_ = *bucket_step_ % kHour == 0;
    allow_minute_ = *bucket_step_ % kMinute == 0;
  }
  for (const Slot& s : slots_) fields_ |= specs_[s.spec].fields;
  BuildIntervals();
  return Status::OK();
}

void SelectRun::BuildIntervals() {
  for (const Window& w : windows_) {
    if (w.from >= w.to) continue;
    bounds_.push_back(w.from);
    bounds_.push_back(w.to);
  }
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  const size_t n = bounds_.empty() ? 0 : bounds_.size() - 1;
  interval_slots_.assign(n, {});
  interval_raw_.assign(n, 0);
  interval_counts_.assign(n, 0);
  for (size_t s = 0; s < slots_.size(); ++s) {
    const Window& w = windows_[slots_[s].window];
    if (w.from >= w.to) continue;
    const size_t first =
        std::lower_bound(bounds_.begin(), bounds_.end(), w.from) - bounds_.begin();
    const size_t last =
        std::lower_bound(bounds_.begin(), bounds_.end(), w.to) - bounds_.begin();
    for (size_t i = first; i < last; ++i) {
      interval_slots_[i].push_back(s);
      if (specs_[slots_[s].spec].needs_raw) interval_raw_[i] = 1;
    }
  }
  // A group exists when it has an event in the query's range: the WHERE
  // range when an aggregate has no window of its own (or there is none),
  // else the widest window, which holds every other.
  bool all_own = !hidden_count_;
  for (const AggItem& item : items_) all_own = all_own && item.agg->HasOwnWindow();
  for (size_t i = 0; i < n; ++i) {
    interval_counts_[i] = all_own
                              ? !interval_slots_[i].empty()
                              : bounds_[i] >= range_.from && bounds_[i + 1] <= range_.to;
  }
}

bool SelectRun::HasRollups(uint64_t series, Resolution res, int64_t partition) {
  if (series != known_series_ || partition != known_partition_) {
    known_series_ = series;
    known_partition_ = partition;
    known_[0] = known_[1] = -1;
  }
  int8_t& k = known_[static_cast<int>(res)];
  if (k < 0) k = reader_->HasRollups(series, res, partition) ? 1 : 0;
  return k == 1;
}

Status SelectRun::AddRaw(uint64_t series, int64_t partition, int64_t from, int64_t to,
                         std::vector<Read>* reads) {
  if (from >= to) return Status::OK();
  if (partition < reader_->raw_horizon()) {
    // Raw events are gone. Every series that had events there kept 1 h
    // rollups (built before the drop); a series without them had none.
    if (HasRollups(series, Resolution::k1h, partition) ||
        HasRollups(series, Resolution::k1m, partition)) {
      return Status::NotFound(
          "raw events before " + TimeText(reader_->raw_horizon()) +
          " are dropped by retention, and [" + TimeText(from) + ", " + TimeText(to) +
          ") needs them (a window edge inside an hour, an exact quantile, a comparison "
          "predicate or a fine bucket): align the window to whole hours or query newer "
          "data");
    }
    return Status::OK();
  }
  if (!reads->empty() && reads->back().tier == Tier::kRaw && reads->back().to == from) {
    reads->back().to = to;
  } else {
    reads->push_back(Read{Tier::kRaw, from, to});
  }
  return Status::OK();
}

Status SelectRun::PlanPiece(uint64_t series, int64_t from, int64_t to, bool raw_only,
                            std::vector<Read>* reads) {
  const int64_t pns = reader_->partition_ns();
  for (int64_t p = FloorTo(from, pns); p < to;) {
    const int64_t next = SatAdd(p, pns);
    const int64_t a = std::max(from, p);
    const int64_t b = std::min(to, next);
    auto add = [&](Tier tier, int64_t x, int64_t y) {
      if (x >= y) return;
      if (!reads->empty() && reads->back().tier == tier && reads->back().to == x) {
        reads->back().to = y;
      } else {
        reads->push_back(Read{tier, x, y});
      }
    };
    // The minute tier, else raw, for [x, y) inside partition p.
    auto minutes_or_raw = [&](int64_t x, int64_t y) -> Status {
      if (x >= y) return Status::OK();
      const int64_t m0 = CeilTo(x, kMinute);
      const int64_t m1 = FloorTo(y, kMinute);
      if (allow_minute_ && m0 < m1 && HasRollups(series, Resolution::k1m, p)) {
        SREDB_RETURN_IF_ERROR(AddRaw(series, p, x, m0, reads));
        add(Tier::kMinute, m0, m1);
        return AddRaw(series, p, m1, y, reads);
      }
      return AddRaw(series, p, x, y, reads);
    };
    if (raw_only) {
      SREDB_RETURN_IF_ERROR(AddRaw(series, p, a, b, reads));
    } else {
      const int64_t h0 = CeilTo(a, kHour);
      const int64_t h1 = FloorTo(b, kHour);
      if (allow_hour_ && h0 < h1 && HasRollups(series, Resolution::k1h, p)) {
        SREDB_RETURN_IF_ERROR(minutes_or_raw(a, h0));
        add(Tier::kHour, h0, h1);
        SREDB_RETURN_IF_ERROR(minutes_or_raw(h1, b));
      } else {
        SREDB_RETURN_IF_ERROR(minutes_or_raw(a, b));
      }
    }
    if (next == kMaxTime) break;
    p = next;
  }
  return Status::OK();
}

Status SelectRun::PlanSeries(uint64_t series, int64_t partition,
                             std::vector<Read>* reads) {
  reads->clear();
  const int64_t end = SatAdd(partition, reader_->partition_ns());
  // The intervals that overlap [partition, end).
  size_t i =
      std::upper_bound(bounds_.begin(), bounds_.end(), partition) - bounds_.begin();
  i = i == 0 ? 0 : i - 1;
  // Without rollups here, every interval is read raw (one read per run of
  // adjacent intervals).
  const bool raw_only = !HasRollups(series, Resolution::k1h, partition) &&
                        !HasRollups(series, Resolution::k1m, partition);
  if (raw_only) {
    // One read from the first interval with slots to the end of the last:
    // FeedRaw skips the rows of intervals without slots in between.
    int64_t from = kMaxTime, to = 0;
    for (; i < interval_slots_.size() && bounds_[i] < end; ++i) {
      if (interval_slots_[i].empty()) continue;
      from = std::min(from, std::max(bounds_[i], partition));
      to = std::min(bounds_[i + 1], end);
    }
    return from < to ? AddRaw(series, partition, from, to, reads) : Status::OK();
  }
  for (; i < interval_slots_.size() && bounds_[i] < end; ++i) {
    if (interval_slots_[i].empty()) continue;
    const int64_t from = std::max(bounds_[i], partition);
    const int64_t to = std::min(bounds_[i + 1], end);
    if (from >= to) continue;
    SREDB_RETURN_IF_ERROR(PlanPiece(series, from, to, interval_raw_[i] != 0, reads));
  }
  return Status::OK();
}

uint32_t SelectRun::GroupFor(size_t si, const SeriesRef& s, int64_t bucket) {
  if (!bucket_step_ && series_group_[si] >= 0)
    return static_cast<uint32_t>(series_group_[si]);
  std::string key = series_keys_[si];
  if (bucket_step_) key.append(reinterpret_cast<const char*>(&bucket), sizeof bucket);
  auto [it, inserted] =
      group_index_.try_emplace(key, static_cast<uint32_t>(groups_.size()));
  if (inserted) {
    Group g;
    g.bucket = bucket;
    for (const std::string& name : group_labels_) {
      std::optional<std::string> v;
      for (const Label& l : s.labels.items()) {
        if (l.name == name) v = l.value;
      }
      g.labels.push_back(std::move(v));
    }
    key_bytes_ += key.size() * 2 + 64;
    groups_.push_back(std::move(g));
    accs_.push_back(std::make_unique<Accumulator[]>(slots_.size()));
  }
  if (!bucket_step_) series_group_[si] = it->second;
  return it->second;
}

// The interval holding t, or the last one. REQUIRES: at least one interval.
size_t IntervalOf(const std::vector<int64_t>& bounds, int64_t t) {
  const size_t i = std::upper_bound(bounds.begin(), bounds.end(), t) - bounds.begin();
  return std::min(i == 0 ? 0 : i - 1, bounds.size() - 2);
}

void SelectRun::FeedRaw(size_t si, const SeriesRef& s, const RowsView& rows) {
  const Columns& c = *rows.columns;
  const size_t n = rows.end;
  const int64_t* time = c.time.data();
  size_t iv = IntervalOf(bounds_, time[rows.begin]);
  // Without buckets the series' group is the same for every row.
  const int64_t fixed_group =
      bucket_step_ ? int64_t{-1} : static_cast<int64_t>(GroupFor(si, s, 0));
  size_t r = rows.begin;
  while (r < n) {
    const int64_t t = time[r];
    while (iv + 2 < bounds_.size() && bounds_[iv + 1] <= t) ++iv;
    int64_t end = bounds_[iv + 1];
    int64_t bucket = 0;
    if (bucket_step_) {
      bucket = FloorTo(t, *bucket_step_);
      end = std::min(end, SatAdd(bucket, *bucket_step_));
    }
    size_t r1 = r + 1;  // runs are short when windows are: scan, do not search
    while (r1 < n && time[r1] < end) ++r1;
    const std::vector<size_t>& slots = interval_slots_[iv];
    if (!slots.empty() && t >= bounds_[iv]) {
      const uint32_t g =
          fixed_group >= 0 ? static_cast<uint32_t>(fixed_group) : GroupFor(si, s, bucket);
      if (interval_counts_[iv]) groups_[g].exists = true;
      Accumulator* accs = accs_[g].get();
      for (size_t slot : slots) {
        const CallSpec& spec = specs_[slots_[slot].spec];
        accs[slot].AddRows(spec, c, r, r1);
        if (spec.collects_values) value_bytes_ += (r1 - r) * sizeof(double);
      }
    }
    r = r1;
  }
}

void SelectRun::FeedBuckets(size_t si, const SeriesRef& s,
                            const std::vector<Bucket>& buckets) {
  if (buckets.empty()) return;
  size_t iv = IntervalOf(bounds_, buckets.front().start);
  for (const Bucket& b : buckets) {
    if (b.agg.count == 0) continue;
    while (iv + 2 < bounds_.size() && bounds_[iv + 1] <= b.start) ++iv;
    if (interval_slots_[iv].empty() || b.start < bounds_[iv]) continue;
    const int64_t bucket = bucket_step_ ? FloorTo(b.start, *bucket_step_) : 0;
    const uint32_t g = GroupFor(si, s, bucket);
    if (interval_counts_[iv]) groups_[g].exists = true;
    for (size_t slot : interval_slots_[iv]) {
      accs_[g][slot].AddBucket(specs_[slots_[slot].spec], b.agg);
    }
  }
}

Status SelectRun::CheckLimits(size_t transient_bytes) {
  if (options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed)) {
    return Status::Cancelled("query cancelled");
  }
  const uint64_t used = groups_.size() * slots_.size() * sizeof(Accumulator) +
                        key_bytes_ + value_bytes_ + transient_bytes;
  if (used > options_.memory_limit_bytes) {
    return Status::ResourceExhausted("query needs more than its memory limit of " +
                                     std::to_string(options_.memory_limit_bytes) +
                                     " bytes (" + std::to_string(groups_.size()) +
                                     " groups so far); narrow the time range or the "
                                     "groups, or raise QueryOptions::memory_limit_bytes");
  }
  return Status::OK();
}

std::string SelectRun::SeriesKey(const SeriesRef& s) const {
  std::string key;
  for (const std::string& name : group_labels_) {
    const Label* found = nullptr;
    for (const Label& l : s.labels.items()) {
      if (l.name == name) found = &l;
    }
    if (found == nullptr) {
      key.push_back('\0');
    } else {
      key.push_back('\1');
      const uint32_t len = static_cast<uint32_t>(found->value.size());
      key.append(reinterpret_cast<const char*>(&len), sizeof len);
      key.append(found->value);
    }
  }
  return key;
}

Status SelectRun::RunSeries(size_t si, const SeriesRef& s,
                            const std::vector<Read>& reads) {
  for (const Read& r : reads) {
    if (r.tier == Tier::kRaw) {
      RowsView rows;
      SREDB_RETURN_IF_ERROR(
          reader_->ReadRows(s.id, r.from, r.to, fields_, &columns_, &rows));
      if (rows.size() == 0) continue;
      FeedRaw(si, s, rows);
      SREDB_RETURN_IF_ERROR(CheckLimits(columns_.size() * 64));
    } else {
      buckets_.clear();
      const Resolution res = r.tier == Tier::kHour ? Resolution::k1h : Resolution::k1m;
      SREDB_RETURN_IF_ERROR(
          reader_->ReadBuckets(s.id, res, r.from, r.to, fields_, &buckets_));
      FeedBuckets(si, s, buckets_);
      SREDB_RETURN_IF_ERROR(CheckLimits(buckets_.size() * sizeof(Bucket)));
    }
  }
  return Status::OK();
}

AggValue SelectRun::ItemValue(uint32_t group, const AggItem& item) {
  const CallSpec& spec = specs_[item.spec];
  if (!item.agg->zscore) return accs_[group][item.slots[0]].Finish(spec);
  // zscore (query/README.md "Semantics").
  const bool zero_when_empty =
      spec.call.fn == AggFn::kCount || spec.call.fn == AggFn::kSum;
  auto x = [&](size_t k) -> std::optional<double> {
    AggValue v = accs_[group][item.slots[k]].Finish(spec);
    if (v.null) {
      if (zero_when_empty) return 0.0;
      return std::nullopt;
    }
    return v.AsDouble();
  };
  const std::optional<double> x0 = x(0);
  if (!x0) return AggValue::Null();
  std::vector<double> kept;
  for (size_t k = 1; k < item.slots.size(); ++k) {
    if (std::optional<double> v = x(k)) kept.push_back(*v);
  }
  if (kept.size() < 2) return AggValue::Null();
  long double mean = 0;
  for (double v : kept) mean += v;
  mean /= kept.size();
  long double ss = 0;
  for (double v : kept) ss += (v - mean) * (v - mean);
  const long double sd = std::sqrt(ss / (kept.size() - 1));
  if (sd == 0) return AggValue::Null();
  return AggValue::Double(static_cast<double>((*x0 - mean) / sd));
}

bool SelectRun::Having(const HavingExpr& e, uint32_t group,
                       const std::vector<AggValue>& values) {
  switch (e.kind) {
    case HavingExpr::Kind::kCompare: {
      const HavingComparison& c = e.compare;
      AggValue v;
      if (const auto* ref = std::get_if<ItemRef>(&c.lhs)) {
        v = values[*item_of_[ref->index]];
      } else {
        v = values[having_items_.at(&std::get<Aggregate>(c.lhs))];
      }
      return !v.null && Compare(v.AsDouble(), c.op, c.rhs);
    }
    case HavingExpr::Kind::kAnd:
      for (const HavingExpr& o : e.operands) {
        if (!Having(o, group, values)) return false;
      }
      return true;
    case HavingExpr::Kind::kOr:
      for (const HavingExpr& o : e.operands) {
        if (Having(o, group, values)) return true;
      }
      return false;
    case HavingExpr::Kind::kNot:
      return !Having(e.operands[0], group, values);
  }
  return false;
}

// Orders two optional strings with NULL last.
int CompareLabel(const std::optional<std::string>& a,
                 const std::optional<std::string>& b) {
  if (!a || !b) return a ? -1 : (b ? 1 : 0);
  return a->compare(*b) < 0 ? -1 : (*a == *b ? 0 : 1);
}

ResultTable SelectRun::BuildTable() {
  const size_t ngroups = groups_.size();
  std::vector<std::vector<AggValue>> values(ngroups);
  std::vector<uint32_t> rows;
  for (uint32_t g = 0; g < ngroups; ++g) {
    values[g].reserve(items_.size());
    for (const AggItem& item : items_) values[g].push_back(ItemValue(g, item));
    if (!groups_[g].exists) continue;
    if (select_.having && !Having(*select_.having, g, values[g])) continue;
    rows.push_back(g);
  }
  // Default order: by group key (labels, then bucket); ORDER BY on top.
  auto label_index = [&](const std::string& name) -> std::optional<size_t> {
    for (size_t i = 0; i < group_labels_.size(); ++i) {
      if (group_labels_[i] == name) return i;
    }
    return std::nullopt;
  };
  std::sort(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) {
    for (size_t i = 0; i < group_labels_.size(); ++i) {
      const int c = CompareLabel(groups_[a].labels[i], groups_[b].labels[i]);
      if (c != 0) return c < 0;
    }
    return groups_[a].bucket < groups_[b].bucket;
  });
  if (!select_.order_by.empty()) {
    std::stable_sort(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) {
      for (const OrderKey& k : select_.order_by) {
        int c = 0;
        std::optional<size_t> label;
        const SelectItem* item = k.item ? &select_.items[*k.item] : nullptr;
        if (item != nullptr && std::holds_alternative<Aggregate>(item->expr)) {
          const AggValue& va = values[a][*item_of_[*k.item]];
          const AggValue& vb = values[b][*item_of_[*k.item]];
          if (va.null || vb.null) {
            if (va.null != vb.null) return vb.null;  // NULLs last either way
            continue;
          }
          const double x = va.AsDouble(), y = vb.AsDouble();
          c = x < y ? -1 : (x > y ? 1 : 0);
        } else if (item != nullptr && std::holds_alternative<BucketRef>(item->expr)) {
          c = groups_[a].bucket < groups_[b].bucket
                  ? -1
                  : (groups_[a].bucket > groups_[b].bucket ? 1 : 0);
        } else {
          const std::string& name =
              item != nullptr ? std::get<LabelRef>(item->expr).name : k.name;
          label = label_index(name);
          if (!label) continue;
          const auto& la = groups_[a].labels[*label];
          const auto& lb = groups_[b].labels[*label];
          if (!la || !lb) {
            if (la.has_value() != lb.has_value()) return la.has_value();
            continue;
          }
          c = CompareLabel(la, lb);
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
  for (size_t i = 0; i < select_.items.size(); ++i) {
    const SelectItem& item = select_.items[i];
    ResultColumn col;
    col.name = item.name;
    col.nulls.reserve(rows.size());
    if (const auto* l = std::get_if<LabelRef>(&item.expr)) {
      col.type = ValueType::kString;
      const size_t li = *label_index(l->name);
      for (uint32_t g : rows) {
        const auto& v = groups_[g].labels[li];
        col.strings.push_back(v.value_or(""));
        col.nulls.push_back(!v.has_value());
      }
    } else if (std::holds_alternative<BucketRef>(item.expr)) {
      col.type = ValueType::kTime;
      for (uint32_t g : rows) {
        col.ints.push_back(groups_[g].bucket);
        col.nulls.push_back(0);
      }
    } else {
      const AggItem& agg = items_[*item_of_[i]];
      const bool is_int = !agg.agg->zscore && specs_[agg.spec].int_result;
      col.type = is_int ? ValueType::kInt64 : ValueType::kDouble;
      for (uint32_t g : rows) {
        const AggValue& v = values[g][*item_of_[i]];
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

ResultTable SelectRun::ExplainTable(const std::vector<std::string>& lines) {
  ResultTable table;
  ResultColumn col;
  col.name = "plan";
  col.type = ValueType::kString;
  for (const std::string& l : lines) {
    col.strings.push_back(l);
    col.nulls.push_back(0);
  }
  table.rows = lines.size();
  table.columns.push_back(std::move(col));
  return table;
}

std::vector<std::string> SelectRun::DescribePlan() {
  std::vector<std::string> lines;
  lines.push_back("evaluation instant " + TimeText(at_));
  std::string sel = "series: " + std::to_string(series_count_) + " selected through the ";
  sel +=
      select_.where.labels.empty() ? "series index (no label matcher)" : "label postings";
  lines.push_back(sel);
  for (const AggItem& item : items_) {
    if (hidden_count_) break;
    std::string l = "aggregate " + FormatAggregate(*item.agg) + ": ";
    const Window& w0 = windows_[slots_[item.slots[0]].window];
    if (item.slots.size() > 1) {
      l += std::to_string(item.slots.size()) + " windows, the last [" +
           TimeText(w0.from) + ", " + TimeText(w0.to) + ")";
    } else {
      l += "window [" + TimeText(w0.from) + ", " + TimeText(w0.to) + ")";
    }
    if (specs_[item.spec].needs_raw) l += ", needs raw events";
    lines.push_back(std::move(l));
  }
  lines.push_back("intervals: " + std::to_string(interval_slots_.size()) +
                  " between window edges");
  if (!group_labels_.empty() || bucket_step_) {
    std::string g = "groups by";
    for (const std::string& l : group_labels_) g += " " + l;
    if (bucket_step_) g += " bucket(" + FormatDuration(*bucket_step_) + ")";
    lines.push_back(g);
  }
  for (Tier t : {Tier::kHour, Tier::kMinute, Tier::kRaw}) {
    const int i = static_cast<int>(t);
    std::string l = std::string("reads from ") + TierName(t) + ": " +
                    std::to_string(plan_reads_[i]) + " ranges";
    if (t != Tier::kRaw) {
      l += ", at most " + std::to_string(plan_buckets_[i]) + " buckets";
    } else {
      l += " (chunks that overlap them, and head)";
    }
    lines.push_back(std::move(l));
  }
  return lines;
}

Result<ResultTable> SelectRun::Run(ExplainMode explain) {
  SREDB_RETURN_IF_ERROR(Prepare());
  if (select_.group_by.empty()) {
    // One row, even over no events.
    groups_.emplace_back();
    groups_.back().exists = true;
    accs_.push_back(std::make_unique<Accumulator[]>(slots_.size()));
    group_index_.emplace(std::string(), 0);
  }
  Result<std::vector<SeriesRef>> series = reader_->Select(select_.where.labels);
  if (!series.ok()) return series.status();
  series_count_ = series->size();
  const auto start = std::chrono::steady_clock::now();
  series_keys_.reserve(series->size());
  for (const SeriesRef& s : *series) series_keys_.push_back(SeriesKey(s));
  series_group_.assign(series->size(), -1);
  // Partition by partition, series in id order: the Reader then walks its
  // chunks and rollups forward (storage/reader.h, "Speed").
  const std::vector<int64_t> partitions =
      bounds_.empty() ? std::vector<int64_t>()
                      : reader_->Partitions(bounds_.front(), bounds_.back());
  for (int64_t p : partitions) {
    for (size_t si = 0; si < series->size(); ++si) {
      const SeriesRef& s = (*series)[si];
      if (si % 64 == 0) SREDB_RETURN_IF_ERROR(CheckLimits(0));
      SREDB_RETURN_IF_ERROR(PlanSeries(s.id, p, &reads_));
      for (const Read& r : reads_) {
        const int t = static_cast<int>(r.tier);
        ++plan_reads_[t];
        if (r.tier != Tier::kRaw) {
          const int64_t res = r.tier == Tier::kHour ? kHour : kMinute;
          plan_buckets_[t] += static_cast<uint64_t>((r.to - r.from) / res);
        }
      }
      if (explain == ExplainMode::kPlan) continue;
      SREDB_RETURN_IF_ERROR(RunSeries(si, s, reads_));
    }
  }
  if (explain == ExplainMode::kNone) return BuildTable();
  std::vector<std::string> lines = DescribePlan();
  if (explain == ExplainMode::kAnalyze) {
    const ResultTable result = BuildTable();
    const double ms = std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - start)
                          .count();
    const ReadCounters& c = reader_->counters();
    lines.push_back("touched: " + std::to_string(c.chunks) + " chunks (" +
                    std::to_string(c.chunk_events) + " events), " +
                    std::to_string(c.head_events) + " head events, " +
                    std::to_string(c.rollup_records) + " rollup records (" +
                    std::to_string(c.rollup_buckets) + " buckets)");
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", ms);
    lines.push_back("result: " + std::to_string(result.rows) + " rows from " +
                    std::to_string(groups_.size()) + " groups in " + buf + " ms");
  }
  return ExplainTable(lines);
}

}  // namespace

Status ResolveTimes(const SelectStmt& select, int64_t now, int64_t* at, int64_t* from,
                    int64_t* to) {
  if (select.at) {
    Result<int64_t> t = select.at->Resolve(now);
    if (!t.ok()) return t.status();
    *at = *t;
  } else {
    *at = now;
  }
  int64_t lo = std::numeric_limits<int64_t>::min();
  int64_t hi = kMaxTime;
  bool has_upper = false;
  for (const TimeBound& b : select.where.time) {
    Result<int64_t> t = b.instant.Resolve(now);
    if (!t.ok()) return t.status();
    switch (b.op) {
      case CompareOp::kGe:
        lo = std::max(lo, *t);
        break;
      case CompareOp::kGt:
        lo = std::max(lo, SatAdd(*t, 1));
        break;
      case CompareOp::kLt:
        hi = std::min(hi, *t);
        has_upper = true;
        break;
      case CompareOp::kLe:
        hi = std::min(hi, SatAdd(*t, 1));
        has_upper = true;
        break;
      default:
        break;
    }
  }
  if (!has_upper) hi = *at;
  if (select.where.last_ns) {
    lo = std::max(lo, SatSub(*at, *select.where.last_ns));
    hi = std::min(hi, *at);
  }
  *from = lo;
  *to = hi;
  return Status::OK();
}

Result<ResultTable> RunSelect(Reader* reader, const SelectStmt& select, int64_t now,
                              const QueryOptions& options, ExplainMode explain) {
  if (select.source == Source::kAnnotations) {
    return RunAnnotationSelect(reader, select, now, options, explain);
  }
  SelectRun run(reader, select, now, options);
  return run.Run(explain);
}

}  // namespace sredb::query::internal
