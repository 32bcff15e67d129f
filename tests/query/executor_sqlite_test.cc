// The executor against SQLite: the random fleet of the differential tests is
// loaded into sredb and into an in-memory SQLite table (one row per event,
// labels as nullable columns, cost as integer micro-USD, hallucinated as
// NULL/0/1, absent ttft and rating as NULL), and each sredb query is paired
// with its equivalent SQL (rate as avg of a 0/1 column among non-NULLs,
// bucket as integer division, absent labels as ''). Both must agree: counts,
// integer sums, micro-USD, min, max and rates exactly; averages and sums of
// REAL columns within 1e-9 relative (SQLite adds doubles in order, sredb
// exactly).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "brute_force.h"
#include "query/query.h"
#include "tests/storage/test_util.h"

namespace sredb::query::testing {
namespace {

constexpr int64_t kHour = 3'600'000'000'000;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kT0 = 1'772'323'200'000'000'000;  // 2026-03-01T00:00:00Z

// Loads `events` into a new in-memory table `tasks`.
sqlite3* LoadSqlite(const std::vector<LabeledEvent>& events) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  const char* schema =
      "CREATE TABLE tasks(agent TEXT, model TEXT, cohort TEXT, env TEXT, time INTEGER, "
      "success INTEGER, hallucinated INTEGER, latency REAL, ttft REAL, cost INTEGER, "
      "tokens_in INTEGER, tokens_out INTEGER, tool_calls INTEGER, tool_failures INTEGER, "
      "policy_violations INTEGER, rating REAL)";
  EXPECT_EQ(sqlite3_exec(db, schema, nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_stmt* ins = nullptr;
  EXPECT_EQ(
      sqlite3_prepare_v2(db, "INSERT INTO tasks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         -1, &ins, nullptr),
      SQLITE_OK);
  for (const LabeledEvent& le : events) {
    const Event& e = le.event;
    int i = 1;
    for (const char* label : {"agent", "model", "cohort", "env"}) {
      const std::string v(le.labels.Get(label));
      if (v.empty()) {
        sqlite3_bind_null(ins, i++);
      } else {
        sqlite3_bind_text(ins, i++, v.c_str(), -1, SQLITE_TRANSIENT);
      }
    }
    sqlite3_bind_int64(ins, i++, e.time);
    sqlite3_bind_int(ins, i++, e.success ? 1 : 0);
    if (e.hallucinated == Tri::kUnknown) {
      sqlite3_bind_null(ins, i++);
    } else {
      sqlite3_bind_int(ins, i++, e.hallucinated == Tri::kTrue ? 1 : 0);
    }
    sqlite3_bind_double(ins, i++, e.latency_ms);
    if (e.ttft_ms) {
      sqlite3_bind_double(ins, i++, *e.ttft_ms);
    } else {
      sqlite3_bind_null(ins, i++);
    }
    sqlite3_bind_int64(ins, i++, e.cost_micros);
    sqlite3_bind_int64(ins, i++, e.tokens_in);
    sqlite3_bind_int64(ins, i++, e.tokens_out);
    sqlite3_bind_int64(ins, i++, e.tool_calls);
    sqlite3_bind_int64(ins, i++, e.tool_failures);
    sqlite3_bind_int64(ins, i++, e.policy_violations);
    if (e.user_rating) {
      sqlite3_bind_double(ins, i++, *e.user_rating);
    } else {
      sqlite3_bind_null(ins, i++);
    }
    EXPECT_EQ(sqlite3_step(ins), SQLITE_DONE);
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  EXPECT_EQ(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  return db;
}

// A query in both languages. `kinds` has one letter per column: s string,
// t time, i integer, c USD (SQLite: micro-USD), x double exactly, a double
// within 1e-9 relative.
struct Pair {
  std::string sredb;
  std::string sql;
  std::string kinds;
};

// "" when the executor's table equals SQLite's rows, else what differs.
std::string Compare(const ResultTable& got, sqlite3* lite, const Pair& p) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(lite, p.sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    return std::string("SQLite: ") + sqlite3_errmsg(lite);
  }
  std::string err;
  size_t row = 0;
  for (; sqlite3_step(st) == SQLITE_ROW && err.empty(); ++row) {
    if (row >= got.rows) {
      err = "executor has only " + std::to_string(got.rows) + " rows";
      break;
    }
    for (size_t c = 0; c < p.kinds.size(); ++c) {
      const ResultColumn& col = got.columns.at(c);
      const int ci = static_cast<int>(c);
      const bool lite_null = sqlite3_column_type(st, ci) == SQLITE_NULL;
      const std::string where =
          "row " + std::to_string(row) + " column " + col.name + ": ";
      if (lite_null != col.IsNull(row)) {
        err = where + (lite_null ? "SQLite NULL" : "executor NULL");
        break;
      }
      if (lite_null) continue;
      bool ok = true;
      switch (p.kinds[c]) {
        case 's':
          ok = col.strings.at(row) ==
               reinterpret_cast<const char*>(sqlite3_column_text(st, ci));
          break;
        case 't':
        case 'i':
          ok = col.ints.at(row) == sqlite3_column_int64(st, ci);
          break;
        case 'c': {
          const double usd = col.doubles.at(row);
          ok = std::fabs(usd) < 9e12 &&
               std::llround(usd * 1e6) == sqlite3_column_int64(st, ci);
          break;
        }
        case 'x':
          ok = col.doubles.at(row) == sqlite3_column_double(st, ci);
          break;
        default: {
          const double want = sqlite3_column_double(st, ci);
          ok = std::fabs(col.doubles.at(row) - want) <= 1e-9 * std::fabs(want);
        }
      }
      if (!ok) {
        const std::string mine = p.kinds[c] == 's' ? col.strings.at(row)
                                 : col.doubles.empty()
                                     ? std::to_string(col.ints.at(row))
                                     : std::to_string(col.doubles.at(row));
        err = where + "SQLite " +
              reinterpret_cast<const char*>(sqlite3_column_text(st, ci)) + ", executor " +
              mine;
      }
    }
  }
  sqlite3_finalize(st);
  if (err.empty() && row != got.rows) {
    err = "SQLite has " + std::to_string(row) + " rows, executor " +
          std::to_string(got.rows);
  }
  return err;
}

std::vector<Pair> Pairs(int64_t a, int64_t b, int64_t at) {
  const std::string A = std::to_string(a), B = std::to_string(b), AT = std::to_string(at);
  const std::string range = "time >= " + A + " AND time < " + B;
  const std::string h = std::to_string(kHour);
  return {
      {"SELECT count(), sum(tokens_in), min(latency_ms), max(cost_usd), avg(tokens_out), "
       "sum(cost_usd), min(tool_calls) FROM tasks WHERE " +
           range,
       "SELECT count(*), sum(tokens_in), min(latency), max(cost), avg(tokens_out), "
       "sum(cost), "
       "min(tool_calls) FROM tasks WHERE " +
           range,
       "iixcaci"},
      {"SELECT agent, count(), rate(success), avg(latency_ms), sum(cost_usd), "
       "rate(hallucinated) FROM tasks WHERE " +
           range + " GROUP BY agent ORDER BY agent",
       "SELECT agent, count(*), avg(success), avg(latency), sum(cost), avg(hallucinated) "
       "FROM tasks WHERE " +
           range + " GROUP BY agent ORDER BY agent",
       "sixacx"},
      {"SELECT model, cohort, count(), max(tokens_in), sum(tool_failures), "
       "avg(user_rating) "
       "FROM tasks WHERE " +
           range + " GROUP BY model, cohort ORDER BY model, cohort",
       "SELECT model, cohort, count(*), max(tokens_in), sum(tool_failures), avg(rating) "
       "FROM tasks WHERE " +
           range + " GROUP BY model, cohort ORDER BY model NULLS LAST, cohort NULLS LAST",
       "ssiiia"},
      {"SELECT bucket(1h) AS h, count(), max(latency_ms), rate(latency_ms <= 2000) FROM "
       "tasks "
       "WHERE " +
           range + " AND agent = 'agent-00' GROUP BY h ORDER BY h",
       "SELECT time / " + h + " * " + h +
           " AS h, count(*), max(latency), avg(latency <= 2000) "
           "FROM tasks WHERE " +
           range + " AND agent = 'agent-00' GROUP BY h ORDER BY h",
       "tixx"},
      {"SELECT bucket(90s) AS h, count(), sum(latency_ms) FROM tasks WHERE " + range +
           " AND model != 'gpt-4o' GROUP BY h ORDER BY h",
       "SELECT time / 90000000000 * 90000000000 AS h, count(*), sum(latency) FROM tasks "
       "WHERE " +
           range + " AND coalesce(model, '') != 'gpt-4o' GROUP BY h ORDER BY h",
       "tia"},
      {"SELECT agent, count() AS n FROM tasks WHERE " + range +
           " GROUP BY agent HAVING n > 100 ORDER BY n DESC, agent LIMIT 3",
       "SELECT agent, count(*) AS n FROM tasks WHERE " + range +
           " GROUP BY agent HAVING n > 100 ORDER BY n DESC, agent LIMIT 3",
       "si"},
      {"SELECT env, rate(NOT success), rate(ttft_ms >= 1000), rate(NOT hallucinated) "
       "FROM tasks WHERE " +
           range + " AND agent ~ 'agent-0[0-2]' GROUP BY env ORDER BY env",
       "SELECT env, avg(1 - success), avg(ttft >= 1000), avg(1 - hallucinated) FROM "
       "tasks "
       "WHERE " +
           range + " AND agent GLOB 'agent-0[0-2]' GROUP BY env ORDER BY env NULLS LAST",
       "sxxx"},
      {"SELECT cohort, count(), rate(cost_usd <= 1.234567), max(policy_violations) FROM "
       "tasks "
       "AT " +
           AT +
           " WHERE time IN LAST 1d AND model IN ('gpt-4o', 'llama-70b') "
           "GROUP BY cohort ORDER BY cohort DESC",
       "SELECT cohort, count(*), avg(cost <= 1234567), max(policy_violations) FROM tasks "
       "WHERE time >= " +
           std::to_string(at - kDay) + " AND time < " + AT +
           " AND model IN ('gpt-4o', 'llama-70b') GROUP BY cohort ORDER BY cohort DESC",
       "sixi"},
      {"SELECT agent, rate(success) OVER 6h AS r, count() OVER 6h AS n FROM tasks AT " +
           AT + " GROUP BY agent HAVING r < 0.95 OR n < 50 ORDER BY r, agent",
       "SELECT agent, avg(success) AS r, count(*) AS n FROM tasks WHERE time >= " +
           std::to_string(at - 6 * kHour) + " AND time < " + AT +
           " GROUP BY agent HAVING r < 0.95 OR n < 50 ORDER BY r, agent",
       "sxi"},
      {"SELECT count(), sum(tokens_out) FROM tasks WHERE time > " + A +
           " AND time <= " + B + " AND cohort != 'canary' AND nolabel != 'x'",
       "SELECT count(*), sum(tokens_out) FROM tasks WHERE time > " + A +
           " AND time <= " + B + " AND cohort != 'canary'",
       "ii"},
      {"SELECT count(), avg(cost_usd), min(ttft_ms) FROM tasks WHERE " + range +
           " AND agent = 'nobody'",
       "SELECT count(*), avg(cost) / 1e6, min(ttft) FROM tasks WHERE " + range +
           " AND agent = 'nobody'",
       "iax"},
  };
}

class ExecutorSqlite : public ::testing::TestWithParam<int> {};

// Phase 0: head only; 1: sealed (rollups where they pay); 2: late events in
// the head over sealed partitions.
TEST_P(ExecutorSqlite, AgreesWithSqlite) {
  const int phase = GetParam();
  std::mt19937_64 rng(4242);
  RandomFleetOptions o;
  o.start = kT0;
  o.days = 3;
  o.scale = 0.3;
  std::vector<LabeledEvent> events = RandomFleet(rng, o), first, late;
  for (const LabeledEvent& e : events) (rng() % 8 == 0 ? late : first).push_back(e);
  sredb::testing::TempDir dir;
  Options options = sredb::testing::ManualSealing();
  options.partition_ns = 6 * kHour;
  options.seal_grace_ns = kHour / 2;
  options.rollup_min_bucket_events = 20;
  auto db = sredb::testing::OpenOrDie(dir.Sub("db"), options);
  ASSERT_TRUE(AppendEvents(db.get(), phase == 2 ? first : events).ok());
  if (phase >= 1) {
    ASSERT_TRUE(db->Flush().ok());
  }
  if (phase == 2) {
    ASSERT_TRUE(AppendEvents(db.get(), late).ok());
  }
  sqlite3* lite = LoadSqlite(events);
  // Aligned, ragged and partition-edge ranges and instants.
  const int64_t ranges[][3] = {
      {kT0, kT0 + 3 * kDay, kT0 + 3 * kDay},
      {kT0 + 6 * kHour, kT0 + 30 * kHour, kT0 + 2 * kDay},
      {kT0 + 5 * kHour + 123'456'789, kT0 + 41 * kHour + 7, kT0 + 50 * kHour + 999},
      {kT0 + kDay - 1, kT0 + kDay + 1, kT0 + kDay},
  };
  for (const auto& r : ranges) {
    for (const Pair& p : Pairs(r[0], r[1], r[2])) {
      QueryOptions q;
      q.now = kT0 + 3 * kDay;
      Result<ResultTable> got = Execute(db.get(), p.sredb, q);
      ASSERT_TRUE(got.ok()) << p.sredb << "\n" << got.status().ToString();
      ASSERT_EQ(got->columns.size(), p.kinds.size()) << p.sredb;
      EXPECT_EQ(Compare(*got, lite, p), "")
          << "phase " << phase << "\n  " << p.sredb << "\n  " << p.sql << "\n"
          << DebugString(*got, 5);
    }
  }
  sqlite3_close(lite);
}

INSTANTIATE_TEST_SUITE_P(Phases, ExecutorSqlite, ::testing::Values(0, 1, 2));

}  // namespace
}  // namespace sredb::query::testing
