// FROM annotations executed over a seeded random set of annotations,
// every answer checked against a brute-force evaluation written here:
// row listings and their order, groups by labels, type and buckets,
// count / sum / avg / min / max / stddev of value and threshold, OVER,
// HAVING, ORDER BY, LIMIT, typed columns and NULLs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <string>

#include "query/query.h"
#include "storage/db.h"
#include "tests/storage/test_util.h"

namespace sredb::query {
namespace {

using testing::kT0;
using testing::ManualSealing;
using testing::OpenOrDie;
using testing::TempDir;

constexpr int64_t kHourNs = int64_t{3600} * 1'000'000'000;
constexpr int64_t kDayNs = 24 * kHourNs;
const int64_t kAt = kT0 + 10 * kDayNs;  // the queries' evaluation instant

using Opt = std::optional<std::string>;

Opt LabelOf(const Annotation& a, const std::string& name) {
  for (const Label& l : a.labels) {
    if (l.name == name) return l.value;
  }
  return std::nullopt;
}

class AnnotationExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenOrDie(dir_.path(), ManualSealing());
    ASSERT_NE(db_, nullptr);
    std::mt19937_64 rng(42);
    const char* types[] = {"DEPLOY", "SLO_BREACH", "NOTE"};
    const char* details[] = {"", "canary 5%", "rollback", "burn 14.4x"};
    for (int i = 0; i < 400; ++i) {
      Annotation a;
      a.time = kT0 + static_cast<int64_t>(rng() % (10 * kDayNs));
      if (i % 50 == 0) a.time = kT0 + 9 * kDayNs;  // equal times keep their order
      a.type = types[rng() % 3];
      if (rng() % 5 != 0) a.labels.push_back({"agent", "a" + std::to_string(rng() % 4)});
      if (rng() % 2 == 0) a.labels.push_back({"model", "m" + std::to_string(rng() % 2)});
      if (rng() % 10 < 7) a.value = static_cast<double>(rng() % 1000) / 7.0;
      if (rng() % 2 == 0) a.threshold = static_cast<double>(rng() % 100) / 3.0;
      a.detail = details[rng() % 4];
      all_.push_back(a);
    }
    // Two batches: stored order = vector order.
    ASSERT_TRUE(
        db_->Annotate(WriteOptions(), std::span<const Annotation>(all_).first(200)).ok());
    ASSERT_TRUE(
        db_->Annotate(WriteOptions(), std::span<const Annotation>(all_).subspan(200))
            .ok());
    // Labels come back sorted; time order, equal times in stored order.
    for (Annotation& a : all_) {
      std::sort(a.labels.begin(), a.labels.end(),
                [](const Label& x, const Label& y) { return x.name < y.name; });
    }
    std::stable_sort(
        all_.begin(), all_.end(),
        [](const Annotation& x, const Annotation& y) { return x.time < y.time; });
    // Events beside them must not change any answer.
    EventBatch events;
    Event e;
    e.time = kT0 + kDayNs;
    events.Add(events.AddSeries(testing::AgentLabels("a0")), e);
    ASSERT_TRUE(db_->Append(WriteOptions(), events).ok());
  }

  ResultTable Run(const std::string& text) {
    QueryOptions o;
    o.now = kAt;
    Result<ResultTable> r = Execute(db_.get(), text, o);
    EXPECT_TRUE(r.ok()) << text << "\n" << r.status().ToString();
    return r.ok() ? *r : ResultTable();
  }

  TempDir dir_;
  std::unique_ptr<DB> db_;
  std::vector<Annotation> all_;  // in time order
};

TEST_F(AnnotationExecTest, ARowListingIsOneRowPerAnnotationInTimeOrder) {
  const ResultTable t =
      Run("SELECT time, type, agent, value, detail FROM annotations "
          "WHERE time IN LAST 3d AND agent != 'a1'");
  std::vector<const Annotation*> want;
  for (const Annotation& a : all_) {
    if (a.time >= kAt - 3 * kDayNs && a.time < kAt && LabelOf(a, "agent") != "a1") {
      want.push_back(&a);
    }
  }
  ASSERT_GT(want.size(), 50u);
  ASSERT_EQ(t.rows, want.size());
  ASSERT_EQ(t.columns.size(), 5u);
  EXPECT_EQ(t.columns[0].type, ValueType::kTime);
  EXPECT_EQ(t.columns[1].type, ValueType::kString);
  EXPECT_EQ(t.columns[2].type, ValueType::kString);
  EXPECT_EQ(t.columns[3].type, ValueType::kDouble);
  EXPECT_EQ(t.columns[4].type, ValueType::kString);
  for (size_t r = 0; r < t.rows; ++r) {
    const Annotation& a = *want[r];
    EXPECT_EQ(t.columns[0].ints[r], a.time) << r;
    EXPECT_EQ(t.columns[1].strings[r], a.type) << r;
    EXPECT_EQ(t.columns[2].IsNull(r), !LabelOf(a, "agent").has_value()) << r;
    EXPECT_EQ(t.columns[2].strings[r], LabelOf(a, "agent").value_or("")) << r;
    EXPECT_EQ(t.columns[3].IsNull(r), !a.value.has_value()) << r;
    if (a.value) {
      EXPECT_EQ(t.columns[3].doubles[r], *a.value) << r;
    }
    EXPECT_EQ(t.columns[4].strings[r], a.detail) << r;
    EXPECT_FALSE(t.columns[4].IsNull(r));
  }
}

TEST_F(AnnotationExecTest, OrderByIsStableWithNullsLastAndLimitCuts) {
  const ResultTable t =
      Run("SELECT time, value AS v FROM annotations WHERE time >= '2026-03-02T00:00:00Z' "
          "AND type = 'SLO_BREACH' ORDER BY v DESC LIMIT 40");
  std::vector<const Annotation*> want;
  for (const Annotation& a : all_) {
    if (a.time >= kT0 + kDayNs && a.time < kAt && a.type == "SLO_BREACH") {
      want.push_back(&a);
    }
  }
  std::stable_sort(want.begin(), want.end(),
                   [](const Annotation* x, const Annotation* y) {
                     if (!x->value || !y->value)
                       return x->value.has_value() && !y->value.has_value();
                     return *x->value > *y->value;
                   });
  want.resize(40);
  ASSERT_EQ(t.rows, 40u);
  for (size_t r = 0; r < t.rows; ++r) {
    EXPECT_EQ(t.columns[0].ints[r], want[r]->time) << r;
    EXPECT_EQ(t.columns[1].IsNull(r), !want[r]->value.has_value()) << r;
  }
  // Descending: the NULL values, if any reach the cut, come last.
  const ResultTable all =
      Run("SELECT value FROM annotations WHERE time IN LAST 10d ORDER BY value DESC");
  ASSERT_EQ(all.rows, all_.size());
  EXPECT_TRUE(all.columns[0].IsNull(all.rows - 1));
  EXPECT_FALSE(all.columns[0].IsNull(0));
}

struct Agg {
  int64_t n = 0;
  double sum = 0;
  int64_t nv = 0;
  std::vector<double> values;
  std::optional<double> min_threshold;
  std::optional<double> max_value;
};

TEST_F(AnnotationExecTest, GroupsByTypeAndLabelMatchBruteForce) {
  const int64_t from = kT0 + 2 * kDayNs + 12345;
  const int64_t to = kT0 + 8 * kDayNs;
  const ResultTable t = Run(
      "SELECT type, agent, count() AS n, sum(value) AS s, avg(value), min(threshold), "
      "max(value), stddev(value) FROM annotations WHERE time >= " +
      std::to_string(from) + " AND time < " + std::to_string(to) +
      " GROUP BY type, agent");
  std::map<std::pair<std::string, Opt>, Agg> want;
  for (const Annotation& a : all_) {
    if (a.time < from || a.time >= to) continue;
    Agg& g = want[{a.type, LabelOf(a, "agent")}];
    ++g.n;
    if (a.value) {
      ++g.nv;
      g.sum += *a.value;
      g.values.push_back(*a.value);
      g.max_value = std::max(g.max_value.value_or(-1e300), *a.value);
    }
    if (a.threshold) {
      g.min_threshold = std::min(g.min_threshold.value_or(1e300), *a.threshold);
    }
  }
  ASSERT_EQ(t.rows, want.size());
  EXPECT_EQ(t.columns[2].type, ValueType::kInt64);
  for (size_t c = 3; c < 8; ++c) EXPECT_EQ(t.columns[c].type, ValueType::kDouble) << c;
  // Default order: group keys ascending, NULL last — the map's order, except
  // that std::optional sorts nullopt first.
  size_t r = 0;
  for (const std::string type : {"DEPLOY", "NOTE", "SLO_BREACH"}) {
    std::vector<Opt> agents;
    for (const auto& entry : want) {
      if (entry.first.first == type && entry.first.second)
        agents.push_back(entry.first.second);
    }
    if (want.count({type, std::nullopt})) agents.push_back(std::nullopt);
    for (const Opt& agent : agents) {
      SCOPED_TRACE(type + " " + agent.value_or("NULL"));
      const Agg& g = want.at({type, agent});
      ASSERT_LT(r, t.rows);
      EXPECT_EQ(t.columns[0].strings[r], type);
      EXPECT_EQ(t.columns[1].IsNull(r), !agent.has_value());
      EXPECT_EQ(t.columns[1].strings[r], agent.value_or(""));
      EXPECT_EQ(t.columns[2].ints[r], g.n);
      EXPECT_EQ(t.columns[3].IsNull(r), g.nv == 0);
      if (g.nv > 0) {
        EXPECT_EQ(t.columns[3].doubles[r], g.sum);  // summed in the same order
        EXPECT_EQ(t.columns[4].doubles[r], g.sum / g.nv);
        EXPECT_EQ(t.columns[6].doubles[r], *g.max_value);
      }
      EXPECT_EQ(t.columns[5].IsNull(r), !g.min_threshold.has_value());
      if (g.min_threshold) {
        EXPECT_EQ(t.columns[5].doubles[r], *g.min_threshold);
      }
      EXPECT_EQ(t.columns[7].IsNull(r), g.nv < 2);
      if (g.nv >= 2) {
        double mean = g.sum / g.nv, ss = 0;
        for (double v : g.values) ss += (v - mean) * (v - mean);
        EXPECT_NEAR(t.columns[7].doubles[r], std::sqrt(ss / (g.nv - 1)), 1e-9 * mean);
      }
      ++r;
    }
  }
  EXPECT_EQ(r, t.rows);
}

TEST_F(AnnotationExecTest, BucketsHavingOrderAndLimit) {
  const ResultTable t =
      Run("SELECT bucket(1d) AS day, count() AS n FROM annotations "
          "WHERE time IN LAST 10d AND model = 'm1' GROUP BY day HAVING n >= 5 "
          "ORDER BY n DESC, day LIMIT 4");
  std::map<int64_t, int64_t> per_day;
  for (const Annotation& a : all_) {
    if (LabelOf(a, "model") == "m1") ++per_day[(a.time / kDayNs) * kDayNs];
  }
  std::vector<std::pair<int64_t, int64_t>> want;  // (n, day)
  for (const auto& entry : per_day) {
    if (entry.second >= 5) want.emplace_back(entry.second, entry.first);
  }
  std::sort(want.begin(), want.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  });
  want.resize(std::min<size_t>(want.size(), 4));
  ASSERT_EQ(t.rows, want.size());
  EXPECT_EQ(t.columns[0].type, ValueType::kTime);
  for (size_t r = 0; r < t.rows; ++r) {
    EXPECT_EQ(t.columns[0].ints[r], want[r].second) << r;
    EXPECT_EQ(t.columns[1].ints[r], want[r].first) << r;
  }
}

TEST_F(AnnotationExecTest, OverWindowsEndAtTheEvaluationInstant) {
  const ResultTable t =
      Run("SELECT count() OVER 1d AS day, count() AS three, max(value) OVER 12h "
          "FROM annotations WHERE time IN LAST 3d");
  int64_t day = 0, three = 0;
  std::optional<double> max12;
  for (const Annotation& a : all_) {
    day += a.time >= kAt - kDayNs;
    three += a.time >= kAt - 3 * kDayNs;
    if (a.time >= kAt - 12 * kHourNs && a.value) {
      max12 = std::max(max12.value_or(-1), *a.value);
    }
  }
  ASSERT_EQ(t.rows, 1u);
  EXPECT_EQ(t.columns[0].ints[0], day);
  EXPECT_EQ(t.columns[1].ints[0], three);
  ASSERT_TRUE(max12.has_value());
  EXPECT_EQ(t.columns[2].doubles[0], *max12);
}

TEST_F(AnnotationExecTest, AnEmptyRangeGivesOneRowOfZeroAndNull) {
  const ResultTable t =
      Run("SELECT count(), sum(value) FROM annotations AT '2020-01-01T00:00:00Z' "
          "WHERE time IN LAST 1d");
  ASSERT_EQ(t.rows, 1u);
  EXPECT_EQ(t.columns[0].ints[0], 0);
  EXPECT_TRUE(t.columns[1].IsNull(0));
  EXPECT_EQ(Run("SELECT type FROM annotations AT '2020-01-01T00:00:00Z' "
                "WHERE time IN LAST 1d")
                .rows,
            0u);
  EXPECT_EQ(Run("SELECT type, count() FROM annotations WHERE time IN LAST 1d AND "
                "agent = 'nobody' GROUP BY type")
                .rows,
            0u);
}

TEST_F(AnnotationExecTest, ExplainAndExplainAnalyze) {
  const ResultTable plan =
      Run("EXPLAIN SELECT time, type FROM annotations WHERE time IN LAST 1d");
  ASSERT_GE(plan.rows, 3u);
  EXPECT_EQ(plan.columns[0].name, "plan");
  EXPECT_NE(plan.columns[0].strings[2].find("rows: one per annotation"),
            std::string::npos)
      << plan.columns[0].strings[2];
  const ResultTable analyzed =
      Run("EXPLAIN ANALYZE SELECT count() FROM annotations WHERE time IN LAST 10d");
  std::string text;
  for (const std::string& l : analyzed.columns[0].strings) text += l + "\n";
  EXPECT_NE(text.find("touched: " + std::to_string(all_.size()) + " annotations"),
            std::string::npos)
      << text;
}

TEST_F(AnnotationExecTest, TheMemoryLimitAndCancellationApply) {
  QueryOptions o;
  o.now = kAt;
  o.memory_limit_bytes = 1000;
  Result<ResultTable> r =
      Execute(db_.get(), "SELECT time FROM annotations WHERE time IN LAST 10d", o);
  EXPECT_TRUE(r.status().IsResourceExhausted()) << r.status().ToString();
  std::atomic<bool> cancel{true};
  QueryOptions c;
  c.now = kAt;
  c.cancel = &cancel;
  r = Execute(db_.get(), "SELECT count() FROM annotations WHERE time IN LAST 10d", c);
  EXPECT_TRUE(r.status().IsCancelled()) << r.status().ToString();
}

}  // namespace
}  // namespace sredb::query
