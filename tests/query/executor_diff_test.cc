// Differential tests of the query executor (issue 4, "Correctness"): the
// oracle of brute_force.h is first checked on a handful of hand-computed
// events; then, for random fleets (rates from sparse to rollup-busy, series
// that start and stop, equal timestamps, partition edges, late events) and
// random SELECTs drawn from the grammar, every executor answer must equal
// the oracle's, with the head only, after sealing, and with late events in
// the head over sealed partitions.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "brute_force.h"
#include "query/parser.h"
#include "query/query.h"
#include "storage/rfc3339.h"
#include "storage/rollup/exact_sum.h"
#include "tests/storage/test_util.h"

namespace sredb::query::testing {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;
// 2026-03-01T00:00:00Z.
constexpr int64_t kT0 = 1'772'323'200'000'000'000;

// ------------------------------------------------- the oracle, by hand

Labels L(std::vector<Label> labels) {
  auto made = Labels::Make(std::move(labels));
  EXPECT_TRUE(made.ok());
  return made.ok() ? *made : Labels();
}

// Two series: a (model m1) and b (no model, env prod); five events.
//   a  t=0s     success  lat 100   cost 1.000000  hall ?  ttft 10
//   a  t=60s    fail     lat 200   cost 0.500000  hall T
//   a  t=3600s  success  lat 300   cost 0.250000  hall F  rating 5
//   b  t=30s    success  lat 50    cost 0.000001  hall F
//   b  t=7200s  fail     lat 1000  cost 0.000002  hall T
std::vector<LabeledEvent> HandEvents() {
  const Labels a = L({{"agent", "a"}, {"model", "m1"}});
  const Labels b = L({{"agent", "b"}, {"env", "prod"}});
  auto ev = [](int64_t sec, bool ok, float lat, int64_t cost, Tri hall) {
    Event e;
    e.time = kT0 + sec * kSec;
    e.success = ok;
    e.latency_ms = lat;
    e.cost_micros = cost;
    e.hallucinated = hall;
    return e;
  };
  std::vector<LabeledEvent> out = {
      {a, ev(0, true, 100, 1'000'000, Tri::kUnknown)},
      {a, ev(60, false, 200, 500'000, Tri::kTrue)},
      {a, ev(3600, true, 300, 250'000, Tri::kFalse)},
      {b, ev(30, true, 50, 1, Tri::kFalse)},
      {b, ev(7200, false, 1000, 2, Tri::kTrue)},
  };
  out[0].event.ttft_ms = 10;
  out[2].event.user_rating = 5;
  return out;
}

// The oracle's table for `text` at now = T0 + 3h.
BruteTable Oracle(const std::string& text, int64_t now = kT0 + 3 * kHour) {
  Result<BruteTable> t = BruteForce(text, HandEvents(), now);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status().ToString();
  return t.ok() ? *t : BruteTable();
}

// The cell at (row, column) as a double (NaN for NULL), or as text.
double D(const BruteTable& t, size_t row, size_t col) {
  const Cell& c = t.rows.at(row).cells.at(col);
  return c.null ? std::nan("") : c.AsDouble();
}
std::string S(const BruteTable& t, size_t row, size_t col) {
  const Cell& c = t.rows.at(row).cells.at(col);
  return c.null ? "NULL" : c.s;
}

TEST(BruteForceOracle, CountsSumsRatesOverTheWhereRange) {
  BruteTable t = Oracle(
      "SELECT count(), sum(cost_usd), rate(success), rate(hallucinated), "
      "avg(latency_ms), "
      "stddev(latency_ms), p50(latency_ms, exact), quantile(latency_ms, 0.07, exact), "
      "rate(cost_usd <= 0.5), sum(ttft_ms), avg(user_rating), stddev(user_rating), "
      "burn_rate(success, 0.9), min(cost_usd), max(tokens_in) "
      "FROM tasks WHERE time >= '2026-03-01T00:00:00Z'");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.types[0], ValueType::kInt64);
  EXPECT_EQ(D(t, 0, 0), 5);
  EXPECT_EQ(t.rows[0].cells[1].micros, 1'750'003);
  EXPECT_EQ(D(t, 0, 1), 1.750003);
  EXPECT_EQ(D(t, 0, 2), 0.6);
  EXPECT_EQ(D(t, 0, 3), 0.5);  // 2 of the 4 evaluated
  EXPECT_EQ(D(t, 0, 4), 330);
  EXPECT_NEAR(D(t, 0, 5), std::sqrt(149500.0), 1e-9);
  EXPECT_EQ(D(t, 0, 6), 200);  // k = ceil(2.5) = 3 of 50 100 200 300 1000
  EXPECT_EQ(D(t, 0, 7), 50);   // k = ceil(0.35) = 1
  EXPECT_EQ(D(t, 0, 8), 0.8);  // 0.5 itself is <= 0.5
  EXPECT_EQ(D(t, 0, 9), 10);
  EXPECT_EQ(D(t, 0, 10), 5);
  EXPECT_TRUE(std::isnan(D(t, 0, 11)));  // one rating: no sample stddev
  EXPECT_EQ(D(t, 0, 12), (1 - 0.6) / (1 - 0.9));
  EXPECT_EQ(D(t, 0, 13), 0.000001);
  EXPECT_EQ(t.types[14], ValueType::kInt64);
  EXPECT_EQ(D(t, 0, 14), 0);
}

TEST(BruteForceOracle, TimeBoundsAreHalfOpenAndIntersect) {
  EXPECT_EQ(
      D(Oracle("SELECT count() FROM tasks WHERE time > '2026-03-01T00:00:00Z'"), 0, 0),
      4);
  EXPECT_EQ(D(Oracle("SELECT count() FROM tasks WHERE time >= '2026-03-01T00:00:00Z' AND "
                     "time <= '2026-03-01T00:01:00Z'"),
              0, 0),
            3);
  EXPECT_EQ(D(Oracle("SELECT count() FROM tasks WHERE time >= '2026-03-01T00:00:00Z' AND "
                     "time < '2026-03-01T00:01:00Z'"),
              0, 0),
            2);
  // Without an upper bound the end is AT (now = T0 + 3h): all five; AT T0+1h: three.
  EXPECT_EQ(D(Oracle("SELECT count() FROM tasks AT '2026-03-01T01:00:00Z' "
                     "WHERE time >= '2026-03-01T00:00:00Z'"),
              0, 0),
            3);
  // IN LAST is [AT - d, AT); the shorter of two wins.
  EXPECT_EQ(
      D(Oracle("SELECT count() FROM tasks WHERE time IN LAST 2h AND time IN LAST 1h"), 0,
        0),
      1);
  EXPECT_EQ(D(Oracle("SELECT count() FROM tasks WHERE time >= now() - 3h + 1s"), 0, 0),
            4);
  // An empty window: one row, count 0, NULL elsewhere.
  BruteTable empty = Oracle(
      "SELECT count(), sum(cost_usd), rate(success) FROM tasks "
      "WHERE time >= '2026-03-02T00:00:00Z'");
  ASSERT_EQ(empty.rows.size(), 1u);
  EXPECT_EQ(D(empty, 0, 0), 0);
  EXPECT_TRUE(std::isnan(D(empty, 0, 1)));
  EXPECT_TRUE(std::isnan(D(empty, 0, 2)));
}

TEST(BruteForceOracle, GroupsMatchersAndAbsentLabels) {
  BruteTable t = Oracle(
      "SELECT model, count() AS n FROM tasks WHERE time IN LAST 1d AND model != 'x' "
      "GROUP BY model ORDER BY model DESC");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(S(t, 0, 0), "m1");
  EXPECT_EQ(S(t, 1, 0), "NULL");  // absent: NULL, sorted last even DESC
  EXPECT_EQ(D(t, 1, 1), 2);
  EXPECT_EQ(Oracle("SELECT count() FROM tasks WHERE time IN LAST 1d AND agent ~ 'a|b'")
                .rows[0]
                .cells[0]
                .i,
            5);
  EXPECT_EQ(
      Oracle("SELECT count() FROM tasks WHERE time IN LAST 1d AND agent ~ 'a.*' AND "
             "env ~ '' AND nolabel != 'x'")
          .rows[0]
          .cells[0]
          .i,
      3);
  EXPECT_EQ(
      Oracle("SELECT count() FROM tasks WHERE time IN LAST 1d AND model IN ('m1', 'm2')")
          .rows[0]
          .cells[0]
          .i,
      3);
  BruteTable having = Oracle(
      "SELECT agent, count() FROM tasks WHERE time IN LAST 1d GROUP BY agent "
      "HAVING count() > 2");
  ASSERT_EQ(having.rows.size(), 1u);
  EXPECT_EQ(S(having, 0, 0), "a");
  // rate(hallucinated) of a's first event alone is NULL: r > 0 is false, NOT of it true.
  BruteTable null_having = Oracle(
      "SELECT agent, rate(hallucinated) AS r FROM tasks WHERE time IN LAST 1d AND "
      "time < '2026-03-01T00:00:01Z' GROUP BY agent HAVING NOT (r > 0)");
  ASSERT_EQ(null_having.rows.size(), 1u);
  EXPECT_TRUE(std::isnan(D(null_having, 0, 1)));
}

TEST(BruteForceOracle, BucketsOverAndZscore) {
  BruteTable b = Oracle(
      "SELECT bucket(1h) AS h, count() FROM tasks WHERE time IN LAST 1d GROUP BY h "
      "ORDER BY h");
  ASSERT_EQ(b.rows.size(), 3u);
  EXPECT_EQ(b.rows[0].cells[0].i, kT0);
  EXPECT_EQ(D(b, 0, 1), 3);
  EXPECT_EQ(b.rows[2].cells[0].i, kT0 + 2 * kHour);
  // Every aggregate OVER 1h: groups with an event in [AT - 1h, AT) only.
  BruteTable over = Oracle(
      "SELECT agent, rate(success) OVER 1h, count() OVER 1h FROM tasks GROUP BY agent");
  ASSERT_EQ(over.rows.size(), 1u);
  EXPECT_EQ(S(over, 0, 0), "b");
  EXPECT_EQ(D(over, 0, 1), 0);
  // x0 = [3h,4h): 0; x1..x3 = 1, 1, 3 -> mean 5/3, s = sqrt(4/3).
  BruteTable z = Oracle("SELECT zscore(count(), 1h, 3h) FROM tasks", kT0 + 4 * kHour);
  EXPECT_NEAR(D(z, 0, 0), (0 - 5.0 / 3) / std::sqrt(4.0 / 3), 1e-12);
  // avg skips empty windows: x1..x3 = 1000, 300, 330 (x0 = 1000 at AT 3h+1s? no:
  // [2h,3h)).
  BruteTable za =
      Oracle("SELECT zscore(max(latency_ms), 1h, 2h) FROM tasks", kT0 + 3 * kHour);
  // x0 = [2h,3h) = 1000; x1 = [1h,2h) = 300; x2 = [0,1h) = 200.
  EXPECT_NEAR(D(za, 0, 0), (1000 - 250) / std::sqrt(5000.0), 1e-12);
  // Fewer than two baseline windows with a value: NULL.
  BruteTable zn =
      Oracle("SELECT zscore(max(latency_ms), 1h, 3h) FROM tasks", kT0 + 5 * kHour);
  EXPECT_TRUE(std::isnan(D(zn, 0, 0)));
}

TEST(BruteForceOracle, OrderAndLimitKeepEveryRowBeforeTheLimit) {
  BruteTable t = Oracle(
      "SELECT agent, count() AS n FROM tasks WHERE time IN LAST 1d GROUP BY agent "
      "ORDER BY n ASC LIMIT 1");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(S(t, 0, 0), "b");
  ASSERT_TRUE(t.limit.has_value());
  EXPECT_EQ(*t.limit, 1);
}

TEST(BruteForceOracle, ExactFloatSumIsCorrectlyRounded) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<float> v;
    rollup::ExactSum exact;
    const int n = static_cast<int>(rng() % 300);
    for (int i = 0; i < n; ++i) {
      const float x = static_cast<float>(std::ldexp(
          static_cast<double>(rng() % (1 << 24)), static_cast<int>(rng() % 60) - 40));
      v.push_back(x);
      exact.Add(x);
    }
    ASSERT_EQ(ExactFloatSum(v), exact.ToDouble()) << round;
  }
}

// The executor on the hand-computed events: groups exist by their events in
// the WHERE range when some aggregate has none of its own (an OVER window
// alone does not make a group), and zscore(sum(user_rating)) counts a window
// whose events carry no rating as 0.
TEST(ExecutorDiff, HandEventsAgreeWithTheOracle) {
  sredb::testing::TempDir dir;
  auto db = sredb::testing::OpenOrDie(dir.Sub("db"), sredb::testing::ManualSealing());
  ASSERT_TRUE(AppendEvents(db.get(), HandEvents()).ok());
  const char* kQueries[] = {
      // b has an event only in the OVER 1d window, not in [T0+40m, AT).
      "SELECT agent, count(), count() OVER 1d FROM tasks WHERE time >= "
      "'2026-03-01T00:40:00Z' AND time < '2026-03-01T01:30:00Z' GROUP BY agent",
      "SELECT agent, count() OVER 1d, zscore(count(), 1h, 2h) FROM tasks "
      "WHERE time >= '2026-03-01T00:40:00Z' AND time < '2026-03-01T01:30:00Z' GROUP BY "
      "agent",
      // x0 = [2h,3h): no rating -> 0; x1 = 5, x2 = 0.
      "SELECT zscore(sum(user_rating), 1h, 2h) FROM tasks",
      "SELECT model, count() AS n, avg(latency_ms) FROM tasks WHERE time IN LAST 1d "
      "GROUP BY model ORDER BY n DESC LIMIT 1",
  };
  for (const char* text : kQueries) {
    Result<Statement> st = Parse(text);
    ASSERT_TRUE(st.ok()) << text;
    const SelectStmt& select = std::get<SelectStmt>(st->node);
    QueryOptions options;
    options.now = kT0 + 3 * kHour;
    Result<BruteTable> want = BruteForceSelect(select, HandEvents(), *options.now);
    ASSERT_TRUE(want.ok()) << text;
    Result<ResultTable> got = Execute(db.get(), text, options);
    ASSERT_TRUE(got.ok()) << text << ": " << got.status().ToString();
    EXPECT_EQ(CompareTables(select, *want, *got), "")
        << text << "\noracle:\n"
        << DebugString(*want) << "executor:\n"
        << DebugString(*got);
  }
}

// ------------------------------------------------- random queries

template <typename T, size_t N>
const T& Pick(std::mt19937_64& rng, const T (&options)[N]) {
  return options[rng() % N];
}

bool Chance(std::mt19937_64& rng, int percent) {
  return static_cast<int>(rng() % 100) < percent;
}

// Random SELECTs over a fleet spanning [data_start, data_end), each with the
// now() it is to run at. At most one draw from the generator per full
// expression, so that every compiler builds the same queries from a seed.
class QueryGenerator {
 public:
  QueryGenerator(std::mt19937_64* rng, int64_t data_start, int64_t data_end)
      : rng_(*rng), start_(data_start), end_(data_end) {}

  int64_t now() const { return now_; }

  std::string Select() {
    now_ = RandomInstant() + kDay / 4;
    const int64_t at = RandomInstant();
    own_windows_only_ = Chance(rng_, 20);
    bucket_ = own_windows_only_ ? 0 : (Chance(rng_, 25) ? Pick(rng_, kBuckets) : 0);
    std::vector<std::string> items, keys, order_names;
    std::vector<std::string> agg_texts, agg_names;
    // Group keys: labels and at most one bucket, every one selected.
    for (const char* label : {"agent", "model", "cohort", "env"}) {
      if (!Chance(rng_, 22)) continue;
      const bool alias = Chance(rng_, 30);
      items.push_back(std::string(label) + (alias ? std::string(" AS k_") + label : ""));
      keys.push_back(alias && Chance(rng_, 50) ? std::string("k_") + label : label);
      order_names.push_back(alias ? std::string("k_") + label : label);
    }
    if (bucket_ != 0) {
      const bool alias = Chance(rng_, 50);
      const std::string b = "bucket(" + FormatDuration(bucket_) + ")";
      items.push_back(b + (alias ? " AS t" : ""));
      keys.push_back(alias ? "t" : b);
      if (alias) order_names.push_back("t");
    }
    const int aggs = 1 + static_cast<int>(rng_() % 3);
    for (int i = 0; i < aggs; ++i) {
      const std::string a = Aggregate();
      const bool alias = Chance(rng_, 50);
      const std::string name = "v" + std::to_string(i);
      items.push_back(a + (alias ? " AS " + name : ""));
      agg_texts.push_back(a);
      agg_names.push_back(alias ? name : "");
      order_names.push_back(alias ? name : a);
    }
    std::shuffle(items.begin(), items.end(), rng_);
    std::string q = "SELECT " + Join(items, ", ") + " FROM tasks";
    int64_t effective_at = now_;
    if (Chance(rng_, 70)) {
      q += " AT " + Spell(at);
      effective_at = at;
    }
    q += Where(effective_at);
    if (!keys.empty()) q += " GROUP BY " + Join(keys, ", ");
    if (Chance(rng_, 30)) q += " HAVING " + Having(agg_names);
    if (Chance(rng_, 50)) {
      std::vector<std::string> order;
      const int n = 1 + static_cast<int>(rng_() % 2);
      for (int i = 0; i < n; ++i) {
        const std::string key = PickOf(rng_, order_names);
        order.push_back(key + (Chance(rng_, 50) ? " DESC" : ""));
      }
      q += " ORDER BY " + Join(order, ", ");
    }
    if (Chance(rng_, 30)) q += " LIMIT " + std::to_string(rng_() % 8);
    return q;
  }

 private:
  static constexpr int64_t kBuckets[] = {kMin, 5 * kMin, kHour, 90 * kSec};

  static std::string Join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
    return out;
  }
  template <typename T>
  const T& PickOf(std::mt19937_64& rng, const std::vector<T>& v) {
    return v[rng() % v.size()];
  }

  // An instant in or near the data: aligned to a day, hour, minute or
  // partition edge, or ragged to the ms or ns.
  int64_t RandomInstant() {
    int64_t t = start_ + static_cast<int64_t>(
                             rng_() % static_cast<uint64_t>(end_ - start_ + kHour));
    switch (rng_() % 6) {
      case 0:
        return t / kDay * kDay;
      case 1:
        return t / kHour * kHour;
      case 2:
        return t / kMin * kMin;
      case 3:
        return t / (6 * kHour) * (6 * kHour);
      case 4:
        return t / 1'000'000 * 1'000'000;
      default:
        return t;
    }
  }

  // t spelled as RFC 3339, integer ns, now() +- d, or 'rfc' +- d.
  std::string Spell(int64_t t) {
    const int64_t from_now = t - now_;
    switch (rng_() % 4) {
      case 0:
        if (from_now % 1'000'000 == 0) {
          if (from_now == 0) return "now()";
          return from_now < 0 ? "now() - " + FormatDuration(-from_now)
                              : "now() + " + FormatDuration(from_now);
        }
        [[fallthrough]];
      case 1:
        return std::to_string(t);
      case 2: {
        const int64_t base = t / kDay * kDay, rest = t - base;
        if (rest % 1'000'000 == 0 && rest != 0) {
          return "'" + FormatRfc3339(base) + "' + " + FormatDuration(rest);
        }
        [[fallthrough]];
      }
      default:
        return "'" + FormatRfc3339(t) + "'";
    }
  }

  std::string Where(int64_t at) {
    std::vector<std::string> conds;
    const int labels = static_cast<int>(rng_() % 3);
    for (int i = 0; i < labels; ++i) conds.push_back(Pick(rng_, kLabelConds));
    const bool time = !own_windows_only_ || Chance(rng_, 40);
    if (time) {
      const int64_t lo = Chance(rng_, 50) ? RandomInstant() : at - Pick(rng_, kLookbacks);
      switch (rng_() % 4) {
        case 0:
          conds.push_back("time IN LAST " + FormatDuration(Pick(rng_, kLookbacks)));
          break;
        case 1:
          conds.push_back("time > " + Spell(lo));
          break;
        default:
          conds.push_back("time >= " + Spell(lo));
          break;
      }
      if (Chance(rng_, 40)) {
        const int64_t hi =
            lo + static_cast<int64_t>(rng_() % static_cast<uint64_t>(2 * kDay)) + 1;
        const std::string op = Chance(rng_, 50) ? "time < " : "time <= ";
        conds.push_back(op + Spell(hi));
      }
      if (Chance(rng_, 15)) conds.push_back("time >= " + Spell(RandomInstant()));
    }
    std::shuffle(conds.begin(), conds.end(), rng_);
    return conds.empty() ? "" : " WHERE " + Join(conds, " AND ");
  }

  std::string Predicate() {
    static const char* kPreds[] = {"success",
                                   "NOT success",
                                   "hallucinated",
                                   "NOT hallucinated",
                                   "latency_ms <= 2000",
                                   "NOT (cost_usd > 0.5)",
                                   "ttft_ms >= 1000",
                                   "user_rating >= 4",
                                   "cost_usd <= 1.234567",
                                   "tool_failures > 0",
                                   "tokens_in < 20000",
                                   "(NOT (latency_ms > 100))",
                                   "policy_violations = 0",
                                   "user_rating != 3",
                                   "latency_ms > 200.5"};
    return Pick(rng_, kPreds);
  }

  std::string Call(bool in_zscore) {
    static const char* kColumns[] = {"latency_ms", "ttft_ms",       "cost_usd",
                                     "tokens_in",  "tokens_out",    "policy_violations",
                                     "tool_calls", "tool_failures", "user_rating"};
    static const char* kQ[] = {"0", "0.07", "0.5", "0.9", "0.999", "1", "0.25"};
    static const char* kP[] = {"p50", "p90", "p95", "p99", "p999"};
    static const char* kT[] = {"0.99", "99.9%", "0.5"};
    const std::string col = Pick(rng_, kColumns);
    switch (rng_() % 10) {
      case 0:
        return "count()";
      case 1:
        return "sum(" + col + ")";
      case 2:
        return "avg(" + col + ")";
      case 3:
        return (Chance(rng_, 50) ? "min(" : "max(") + col + ")";
      case 4:
        return "stddev(" + col + ")";
      case 5:
        return "rate(" + Predicate() + ")";
      case 6: {
        const std::string pred = Predicate();
        return "burn_rate(" + pred + ", " + Pick(rng_, kT) + ")";
      }
      case 7: {
        const bool exact = in_zscore || Chance(rng_, 40);
        return "quantile(" + col + ", " + Pick(rng_, kQ) + (exact ? ", exact)" : ")");
      }
      default: {
        // Sketch quantiles mostly of latency_ms, the column the rollups sketch.
        const bool exact = in_zscore || Chance(rng_, 30);
        const std::string c = Chance(rng_, 60) ? "latency_ms" : col;
        return std::string(Pick(rng_, kP)) + "(" + c + (exact ? ", exact)" : ")");
      }
    }
  }

  std::string Aggregate() {
    static const int64_t kSteps[] = {kMin, 5 * kMin, kHour, 90 * kSec, 7 * kMin};
    static const int64_t kOver[] = {5 * kMin, kHour,    6 * kHour, 90 * kSec,
                                    kDay,     3 * kDay, 37 * kMin};
    if (bucket_ == 0 && Chance(rng_, own_windows_only_ ? 30 : 10)) {
      const int64_t step = Pick(rng_, kSteps);
      const int64_t windows = 2 + static_cast<int64_t>(rng_() % 30);
      return "zscore(" + Call(true) + ", " + FormatDuration(step) + ", " +
             FormatDuration(step * windows) + ")";
    }
    std::string call = Call(false);
    if (bucket_ == 0 && (own_windows_only_ || Chance(rng_, 25))) {
      call += " OVER " + FormatDuration(Pick(rng_, kOver));
    }
    return call;
  }

  std::string HavingLeaf(const std::vector<std::string>& agg_names) {
    static const char* kOps[] = {">", ">=", "<", "<=", "!=", "="};
    std::vector<std::string> aliases;
    for (const std::string& n : agg_names) {
      if (!n.empty()) aliases.push_back(n);
    }
    std::string lhs;
    if (!aliases.empty() && Chance(rng_, 60)) {
      lhs = PickOf(rng_, aliases);
    } else {
      lhs = own_windows_only_ ? "count() OVER " + FormatDuration(kDay) : "count()";
      if (Chance(rng_, 40)) {
        lhs = own_windows_only_ ? "rate(success) OVER 6h" : "rate(success)";
      }
    }
    static const char* kNumbers[] = {"0",   "1",   "3",  "10", "0.9",
                                     "0.5", "100", "-1", "95%"};
    const std::string op = Pick(rng_, kOps);
    return lhs + " " + op + " " + Pick(rng_, kNumbers);
  }

  std::string Having(const std::vector<std::string>& agg_names) {
    std::string h = HavingLeaf(agg_names);
    if (Chance(rng_, 40)) {
      const std::string join = Chance(rng_, 50) ? " OR " : " AND ";
      h = "(" + h + join + HavingLeaf(agg_names) + ")";
    }
    if (Chance(rng_, 25)) h = "NOT " + h;
    return h;
  }

  static constexpr const char* kLabelConds[] = {
      "agent = 'agent-03'",
      "agent != 'agent-00'",
      "agent IN ('agent-00', 'agent-02', 'agent-05')",
      "agent ~ 'agent-0[0-2]'",
      "model ~ '.*'",
      "model != 'gpt-4o'",
      "model IN ('gpt-4o', 'llama-70b')",
      "cohort = 'canary'",
      "cohort != 'canary'",
      "env ~ 'prod|staging'",
      "env ~ ''",
      "nolabel != 'x'",
      "model ~ 'gpt.*|claude-sonnet'",
      "agent = 'nobody'",
  };
  static constexpr int64_t kLookbacks[] = {kHour,    6 * kHour, kDay,
                                           3 * kDay, 37 * kMin, 90 * kSec};

  std::mt19937_64& rng_;
  int64_t start_, end_;
  int64_t now_ = 0;
  int64_t bucket_ = 0;
  bool own_windows_only_ = false;
};

// Runs `count` random queries against `db`, each compared with the oracle
// over `events`; reports every disagreement with the query, seed and phase.
void CheckRandomQueries(DB* db, const std::vector<LabeledEvent>& events, uint64_t seed,
                        int count, const std::string& phase, int64_t data_start,
                        int64_t data_end) {
  std::mt19937_64 rng(seed);
  QueryGenerator gen(&rng, data_start, data_end);
  int failures = 0, answered = 0;
  for (int i = 0; i < count && failures < 8; ++i) {
    const std::string text = gen.Select();
    const std::string where = phase + ", seed " + std::to_string(seed) + ", query " +
                              std::to_string(i) + ", now " + std::to_string(gen.now()) +
                              ":\n  " + text + "\n";
    Result<Statement> st = Parse(text);
    ASSERT_TRUE(st.ok()) << where << st.status().ToString();
    const SelectStmt& select = std::get<SelectStmt>(st->node);
    Result<BruteTable> want = BruteForceSelect(select, events, gen.now());
    ASSERT_TRUE(want.ok()) << where << want.status().ToString();
    QueryOptions options;
    options.now = gen.now();
    for (const BruteRow& row : want->rows) {
      bool value = false;
      for (size_t c = 0; c < row.cells.size(); ++c) {
        const auto* a = std::get_if<Aggregate>(&select.items[c].expr);
        if (a && a->call.fn != AggFn::kCount && !row.cells[c].null) value = true;
      }
      if (value) {
        ++answered;
        break;
      }
    }
    Result<ResultTable> got = Execute(db, text, options);
    if (!got.ok()) {
      ADD_FAILURE() << where << "executor error: " << got.status().ToString();
      ++failures;
      continue;
    }
    const std::string diff = CompareTables(select, *want, *got);
    if (!diff.empty()) {
      ADD_FAILURE() << where << diff << "oracle:\n"
                    << DebugString(*want) << "executor:\n"
                    << DebugString(*got);
      ++failures;
    }
  }
  // The generator is not degenerate: many queries (~60%) have a non-NULL value
  // other than a count to compare.
  EXPECT_GE(answered, count / 3) << phase << ": too few queries with values";
}

// Options for a small database that seals only on Flush: 6 h partitions,
// 30 min grace, rollups where buckets hold `min_bucket_events` on average.
Options SmallPartitions(uint64_t min_bucket_events) {
  Options o = sredb::testing::ManualSealing();
  o.partition_ns = 6 * kHour;
  o.seal_grace_ns = 30 * kMin;
  o.rollup_min_bucket_events = min_bucket_events;
  return o;
}

// Queries per phase; SREDB_DIFF_QUERIES=n runs n instead (a longer soak),
// SREDB_DIFF_SEED=k shifts every seed by k.
int QueriesPerPhase() {
  const char* n = std::getenv("SREDB_DIFF_QUERIES");
  return n ? std::atoi(n) : 70;
}
uint64_t Seed(uint64_t base) {
  const char* k = std::getenv("SREDB_DIFF_SEED");
  return base + (k ? std::strtoull(k, nullptr, 10) * 1000 : 0);
}

struct Fleet {
  std::vector<LabeledEvent> events;
  int64_t start = kT0, end = kT0 + 3 * kDay;
};

Fleet MakeFleet(uint64_t seed, double scale) {
  std::mt19937_64 rng(seed);
  RandomFleetOptions o;
  o.start = kT0;
  o.days = 3;
  o.scale = scale;
  Fleet f;
  f.events = RandomFleet(rng, o);
  return f;
}

TEST(ExecutorDiff, HeadOnly) {
  const uint64_t seed = Seed(101);
  Fleet f = MakeFleet(seed, 0.25);
  sredb::testing::TempDir dir;
  auto db = sredb::testing::OpenOrDie(dir.Sub("db"), SmallPartitions(100));
  ASSERT_TRUE(AppendEvents(db.get(), f.events).ok());
  CheckRandomQueries(db.get(), f.events, seed, QueriesPerPhase(), "head only", f.start,
                     f.end);
}

TEST(ExecutorDiff, SealedWithEveryRollup) {
  const uint64_t seed = Seed(202);
  Fleet f = MakeFleet(seed, 0.25);
  sredb::testing::TempDir dir;
  auto db = sredb::testing::OpenOrDie(dir.Sub("db"), SmallPartitions(0));
  ASSERT_TRUE(AppendEvents(db.get(), f.events).ok());
  ASSERT_TRUE(db->Flush().ok());
  CheckRandomQueries(db.get(), f.events, seed, QueriesPerPhase(),
                     "sealed, rollups everywhere", f.start, f.end);
}

// Sealed with rollups where buckets average 40 events (1 h rollups for the busy series
// only), then late events in the head over sealed partitions, then sealed again.
TEST(ExecutorDiff, LateEventsOverSealedPartitions) {
  const uint64_t seed = Seed(303);
  Fleet f = MakeFleet(seed, 0.25);
  std::mt19937_64 rng(seed);
  std::vector<LabeledEvent> first, late;
  for (const LabeledEvent& e : f.events) {
    (rng() % 10 == 0 ? late : first).push_back(e);
  }
  sredb::testing::TempDir dir;
  auto db = sredb::testing::OpenOrDie(dir.Sub("db"), SmallPartitions(40));
  ASSERT_TRUE(AppendEvents(db.get(), first).ok());
  ASSERT_TRUE(db->Flush().ok());
  CheckRandomQueries(db.get(), first, seed, QueriesPerPhase() / 2, "sealed", f.start,
                     f.end);
  ASSERT_TRUE(AppendEvents(db.get(), late).ok());
  CheckRandomQueries(db.get(), f.events, seed + 1, QueriesPerPhase(),
                     "late events in the head over sealed partitions", f.start, f.end);
  ASSERT_TRUE(db->Flush().ok());
  CheckRandomQueries(db.get(), f.events, seed + 2, QueriesPerPhase() / 2,
                     "late events sealed", f.start, f.end);
}

}  // namespace
}  // namespace sredb::query::testing
