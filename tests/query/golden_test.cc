// QUERY.md's normative examples Q1-Q5, verbatim, on a fixed generated fleet
// (tools/fleet.h: 50 agents, March 2026, 200k events, seed 42): the
// executor's answer equals the oracle's (brute_force.h), and the oracle's
// answer equals the golden file tests/query/golden/qN.tsv, so that a change
// in the engine, the oracle or the generator is caught.
//
// To regenerate the golden files after a deliberate change of the generator:
//   SREDB_UPDATE_GOLDEN=1 query_tests --gtest_filter='Golden*'
// and review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "brute_force.h"
#include "query/parser.h"
#include "query/query.h"
#include "storage/rfc3339.h"
#include "tests/storage/test_util.h"
#include "tools/fleet.h"

namespace sredb::query::testing {
namespace {

const char* const kQueries[] = {
    // Q1 30-day success ratio of one agent
    R"(SELECT rate(success) FROM tasks
WHERE agent = 'agent-0042' AND time >= '2026-03-01T00:00:00Z' AND time < '2026-03-31T00:00:00Z';)",
    // Q2 multiwindow burn rates for a 99% target, fastest burners first
    R"(SELECT agent,
       burn_rate(success, 0.99) OVER 5m AS br_5m,
       burn_rate(success, 0.99) OVER 1h AS br_1h,
       burn_rate(success, 0.99) OVER 6h AS br_6h,
       burn_rate(success, 0.99) OVER 3d AS br_3d
FROM tasks AT '2026-03-31T00:00:00Z'
GROUP BY agent ORDER BY br_1h DESC LIMIT 10;)",
    // Q3 hourly series of one agent over 30 days
    R"(SELECT bucket(1h) AS hour, count(), rate(success), p99(latency_ms), sum(cost_usd)
FROM tasks
WHERE agent = 'agent-0042' AND time >= '2026-03-01T00:00:00Z' AND time < '2026-03-31T00:00:00Z'
GROUP BY hour;)",
    // Q4 cost anomalies: last hour's spend against the 7 days before
    R"(SELECT agent, zscore(sum(cost_usd), 1h, 7d) AS z
FROM tasks AT '2026-03-31T00:00:00Z'
GROUP BY agent HAVING z > 3;)",
    // Q5 canary against stable over the last day
    R"(SELECT cohort, count(), rate(success), rate(hallucinated), p95(latency_ms), avg(cost_usd)
FROM tasks AT '2026-03-31T00:00:00Z' WHERE time IN LAST 1d
GROUP BY cohort;)",
};

// The fleet: 2026-03-01 + 31 days, so that the generator's evaluation
// instant A = end - 1d is 2026-03-31T00:00:00Z, Q2/Q4/Q5's AT.
fleet::FleetOptions GoldenFleet() {
  fleet::FleetOptions o;
  o.agents = 50;
  o.days = 31;
  o.events = 200'000;
  o.seed = 42;
  o.start = 1'772'323'200'000'000'000;  // 2026-03-01T00:00:00Z
  return o;
}

// now() for the statements: after the data (Q1 and Q3 name their range).
constexpr int64_t kNow = 1'775'001'600'000'000'000;  // 2026-04-01T00:00:00Z

// One generated database, shared by the five tests.
class Golden : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new sredb::testing::TempDir();
    Options options = sredb::testing::ManualSealing();
    // The busiest series average ~40 events an hour: 1 h rollups for them.
    options.rollup_min_bucket_events = 20;
    db_ = sredb::testing::OpenOrDie(dir_->Sub("db"), options).release();
    events_ = new std::vector<LabeledEvent>();
    fleet::FleetGenerator gen(GoldenFleet());
    const Labels* labels = nullptr;
    Event e;
    while (gen.Next(&labels, &e)) events_->push_back({*labels, e});
    ASSERT_TRUE(AppendEvents(db_, *events_).ok());
    // Seal what is due (with the wall clock past March 2026: everything), so
    // that answers come from chunks and rollups.
    ASSERT_TRUE(db_->Flush().ok());
  }
  static void TearDownTestSuite() {
    delete db_;
    delete events_;
    delete dir_;
  }

  // Runs query `n` (1-based): executor == oracle, oracle == golden file.
  void Check(int n) {
    const std::string text = kQueries[n - 1];
    Result<Statement> st = Parse(text);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    const SelectStmt& select = std::get<SelectStmt>(st->node);
    Result<BruteTable> want = BruteForceSelect(select, *events_, kNow);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    QueryOptions options;
    options.now = kNow;
    Result<ResultTable> got = Execute(db_, text, options);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(CompareTables(select, *want, *got), "")
        << "Q" << n << "\noracle:\n"
        << DebugString(*want) << "executor:\n"
        << DebugString(*got);
    CheckGolden(n, Render(*want));
  }

  // Every oracle row (before LIMIT), one line each, full precision.
  static std::string Render(const BruteTable& t) {
    std::ostringstream o;
    for (size_t c = 0; c < t.names.size(); ++c) {
      o << (c ? "\t" : "") << t.names[c] << ":" << ValueTypeName(t.types[c]);
    }
    o << "\n";
    char buf[40];
    for (const BruteRow& row : t.rows) {
      for (size_t c = 0; c < row.cells.size(); ++c) {
        const Cell& cell = row.cells[c];
        std::string v = "NULL";
        if (!cell.null && cell.type == ValueType::kString) v = cell.s;
        if (!cell.null && cell.type == ValueType::kTime) v = FormatRfc3339(cell.i);
        if (!cell.null && cell.type == ValueType::kInt64) v = std::to_string(cell.i);
        if (!cell.null && cell.type == ValueType::kDouble) {
          std::snprintf(buf, sizeof buf, "%.17g", cell.d);
          v = buf;
        }
        o << (c ? "\t" : "") << v;
      }
      o << "\n";
    }
    if (t.limit) o << "LIMIT " << *t.limit << "\n";
    return o.str();
  }

  static void CheckGolden(int n, const std::string& rendered) {
    const std::string path = std::string(SREDB_SOURCE_DIR) + "/tests/query/golden/q" +
                             std::to_string(n) + ".tsv";
    if (std::getenv("SREDB_UPDATE_GOLDEN") != nullptr) {
      std::ofstream(path) << rendered;
      return;
    }
    std::ifstream in(path);
    ASSERT_TRUE(in.good()) << path << " is missing; SREDB_UPDATE_GOLDEN=1 writes it";
    std::stringstream golden;
    golden << in.rdbuf();
    EXPECT_EQ(rendered, golden.str()) << "Q" << n << " differs from " << path;
  }

  static sredb::testing::TempDir* dir_;
  static DB* db_;
  static std::vector<LabeledEvent>* events_;
};

sredb::testing::TempDir* Golden::dir_ = nullptr;
DB* Golden::db_ = nullptr;
std::vector<LabeledEvent>* Golden::events_ = nullptr;

TEST_F(Golden, Q1SuccessRatioOfOneAgent) { Check(1); }
TEST_F(Golden, Q2MultiwindowBurnRates) { Check(2); }
TEST_F(Golden, Q3HourlySeriesOfOneAgent) { Check(3); }
TEST_F(Golden, Q4CostAnomalies) { Check(4); }
TEST_F(Golden, Q5CanaryAgainstStable) { Check(5); }

// The fleet the answers are pinned on has what the queries name.
TEST_F(Golden, FleetHasTheNamedAgentsAndIncidents) {
  size_t agent42 = 0, canary = 0;
  for (const LabeledEvent& e : *events_) {
    if (e.labels.Get("agent") == "agent-0042") ++agent42;
    if (e.labels.Get("cohort") == "canary") ++canary;
  }
  EXPECT_GT(agent42, 1000u);
  EXPECT_GT(canary, 1000u);
  EXPECT_EQ(events_->size(), 200'000u);
}

}  // namespace
}  // namespace sredb::query::testing
