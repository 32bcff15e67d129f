// SQLite in compare_bench: one table `tasks`, one row per event with a
// column per label and per event field, indexes on (agent, time) and (time)
// kept up during the load, WAL with synchronous=NORMAL, a 64 MiB page cache,
// loaded in transactions of 100,000 rows through one prepared INSERT.
// Q1-Q5 are single SQL statements; quantiles are exact nearest ranks
// (row_number over the ordered partition), z-scores follow QUERY.md (hourly
// windows without events count as 0, sample standard deviation).
#include <sqlite3.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "bench/compare/compare.h"

namespace sredb::compare {
namespace {

constexpr const char* kPragmas =
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;";

constexpr const char* kSchema =
    "CREATE TABLE tasks(time INTEGER NOT NULL, agent TEXT NOT NULL, cohort TEXT, model "
    "TEXT, prompt_version TEXT, task_type TEXT, success INTEGER NOT NULL, latency_ms "
    "REAL "
    "NOT NULL, ttft_ms REAL, cost_micros INTEGER NOT NULL, tokens_in INTEGER NOT NULL, "
    "tokens_out INTEGER NOT NULL, hallucinated INTEGER, policy_violations INTEGER NOT "
    "NULL, tool_calls INTEGER NOT NULL, tool_failures INTEGER NOT NULL, user_rating "
    "REAL, "
    "error_kind TEXT, trace_id BLOB);"
    "CREATE INDEX tasks_agent_time ON tasks(agent, time);"
    "CREATE INDEX tasks_time ON tasks(time);";

constexpr const char* kInsert =
    "INSERT INTO tasks VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
    "?14, "
    "?15, ?16, ?17, ?18, ?19)";

constexpr int kRowsPerTransaction = 100'000;

// Parameters: ?1 agent, ?2 begin, ?3 end (Q1, Q3); ?1 AT, ?2 LIMIT (Q2);
// ?1 AT (Q4, Q5). Times are ns since the epoch.
constexpr const char* kQueries[5] = {
    "SELECT avg(success) FROM tasks WHERE agent = ?1 AND time >= ?2 AND time < ?3",

    "SELECT agent,"
    " (1 - avg(CASE WHEN time >= ?1 - 300000000000 THEN success END)) / (1 - 0.99),"
    " (1 - avg(CASE WHEN time >= ?1 - 3600000000000 THEN success END)) / (1 - 0.99),"
    " (1 - avg(CASE WHEN time >= ?1 - 21600000000000 THEN success END)) / (1 - 0.99),"
    " (1 - avg(success)) / (1 - 0.99) AS br_3d "
    "FROM tasks WHERE time >= ?1 - 259200000000000 AND time < ?1 "
    "GROUP BY agent ORDER BY 3 DESC NULLS LAST LIMIT ?2",

    "SELECT h * 3600000000000, n, rate, latency_ms, cost FROM ("
    " SELECT time / 3600000000000 AS h, latency_ms,"
    "  row_number() OVER w AS rn, count(*) OVER wa AS n, avg(success) OVER wa AS rate,"
    "  sum(cost_micros) OVER wa AS cost"
    " FROM tasks WHERE agent = ?1 AND time >= ?2 AND time < ?3"
    " WINDOW w AS (PARTITION BY time / 3600000000000 ORDER BY latency_ms),"
    "  wa AS (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))"
    "WHERE rn = (99 * n + 99) / 100",

    "WITH w AS MATERIALIZED (SELECT agent, (?1 - 1 - time) / 3600000000000 AS k,"
    "  sum(cost_micros) AS x FROM tasks"
    "  WHERE time >= ?1 - 169 * 3600000000000 AND time < ?1 GROUP BY agent, k),"
    " s AS (SELECT agent, sum(CASE WHEN k = 0 THEN x ELSE 0 END) AS x0,"
    "  sum(CASE WHEN k > 0 THEN x ELSE 0 END) / 168.0 AS mean FROM w GROUP BY agent),"
    " v AS (SELECT s.agent, s.x0, s.mean,"
    "  (sum(CASE WHEN w.k > 0 THEN (w.x - s.mean) * (w.x - s.mean) ELSE 0 END)"
    "   + (168 - sum(w.k > 0)) * s.mean * s.mean) / 167.0 AS var"
    "  FROM s JOIN w ON w.agent = s.agent GROUP BY s.agent) "
    "SELECT agent, z FROM (SELECT agent, (x0 - mean) / sqrt(var) AS z FROM v) WHERE z > "
    "3",

    "SELECT cohort, n, rs, rh, latency_ms, ac FROM ("
    " SELECT cohort, latency_ms, row_number() OVER w AS rn, count(*) OVER wa AS n,"
    "  avg(success) OVER wa AS rs, avg(hallucinated) OVER wa AS rh,"
    "  avg(cost_micros) OVER wa / 1e6 AS ac"
    " FROM tasks WHERE time >= ?1 - 86400000000000 AND time < ?1"
    " WINDOW w AS (PARTITION BY cohort ORDER BY latency_ms),"
    "  wa AS (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))"
    "WHERE rn = (95 * n + 99) / 100",
};

Status Error(sqlite3* db, const std::string& what) {
  return Status::IOError("SQLite " + what + ": " + sqlite3_errmsg(db));
}

Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    return Status::IOError(std::string("SQLite: ") + msg + " in " + sql);
  }
  return Status::OK();
}

// sqrt() for Q4, whether or not this libsqlite3 has the math functions.
void Sqrt(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  sqlite3_result_double(ctx, std::sqrt(sqlite3_value_double(argv[0])));
}

Result<sqlite3*> OpenDb(const std::string& dir) {
  sqlite3* db = nullptr;
  const std::string path = dir + "/tasks.sqlite";
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    Status s = Error(db, "open " + path);
    sqlite3_close(db);
    return s;
  }
  Status s = Exec(db, kPragmas);
  if (s.ok() && sqlite3_create_function(db, "sqrt", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                        nullptr, Sqrt, nullptr, nullptr) != SQLITE_OK) {
    s = Error(db, "sqrt");
  }
  if (!s.ok()) {
    sqlite3_close(db);
    return s;
  }
  return db;
}

void BindOptional(sqlite3_stmt* st, int i, const std::optional<float>& v) {
  if (v) {
    sqlite3_bind_double(st, i, *v);
  } else {
    sqlite3_bind_null(st, i);
  }
}

class SqliteLoader : public Loader {
 public:
  ~SqliteLoader() override {
    sqlite3_finalize(insert_);
    sqlite3_close(db_);
  }

  Status Create(const std::string& dir) override {
    std::filesystem::create_directories(dir);
    Result<sqlite3*> db = OpenDb(dir);
    if (!db.ok()) return db.status();
    db_ = *db;
    SREDB_RETURN_IF_ERROR(Exec(db_, kSchema));
    if (sqlite3_prepare_v2(db_, kInsert, -1, &insert_, nullptr) != SQLITE_OK)
      return Error(db_, "prepare");
    return Status::OK();
  }

  Status Load(const Chunk& chunk, const fleet::FleetGenerator& gen) override {
    if (in_transaction_ == 0) SREDB_RETURN_IF_ERROR(Exec(db_, "BEGIN"));
    for (size_t i = 0; i < chunk.events.size(); ++i) {
      SREDB_RETURN_IF_ERROR(Insert(gen.series(chunk.series[i]), chunk.events[i]));
    }
    in_transaction_ += chunk.events.size();
    if (in_transaction_ >= kRowsPerTransaction) {
      in_transaction_ = 0;
      return Exec(db_, "COMMIT");
    }
    return Status::OK();
  }

  Status Finish() override {
    if (in_transaction_ > 0) SREDB_RETURN_IF_ERROR(Exec(db_, "COMMIT"));
    SREDB_RETURN_IF_ERROR(Exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)"));
    sqlite3_finalize(insert_);
    insert_ = nullptr;
    if (sqlite3_close(db_) != SQLITE_OK) return Error(db_, "close");
    db_ = nullptr;
    return Status::OK();
  }

 private:
  Status Insert(const Labels& labels, const Event& e) {
    sqlite3_stmt* st = insert_;
    sqlite3_bind_int64(st, 1, e.time);
    for (int l = 0; l < kLabelCount; ++l) {
      std::string_view v = labels.Get(kLabelNames[l]);
      if (v.empty()) {
        sqlite3_bind_null(st, 2 + l);
      } else {
        sqlite3_bind_text(st, 2 + l, v.data(), int(v.size()), SQLITE_STATIC);
      }
    }
    if (labels.items().size() > size_t(kLabelCount) || labels.Get("agent").empty()) {
      return Status::InvalidArgument("unexpected labels " + labels.ToString());
    }
    sqlite3_bind_int(st, 7, e.success);
    sqlite3_bind_double(st, 8, e.latency_ms);
    BindOptional(st, 9, e.ttft_ms);
    sqlite3_bind_int64(st, 10, e.cost_micros);
    sqlite3_bind_int64(st, 11, e.tokens_in);
    sqlite3_bind_int64(st, 12, e.tokens_out);
    if (e.hallucinated == Tri::kUnknown) {
      sqlite3_bind_null(st, 13);
    } else {
      sqlite3_bind_int(st, 13, e.hallucinated == Tri::kTrue);
    }
    sqlite3_bind_int(st, 14, e.policy_violations);
    sqlite3_bind_int(st, 15, e.tool_calls);
    sqlite3_bind_int(st, 16, e.tool_failures);
    BindOptional(st, 17, e.user_rating);
    if (e.error_kind.empty()) {
      sqlite3_bind_null(st, 18);
    } else {
      sqlite3_bind_text(st, 18, e.error_kind.data(), int(e.error_kind.size()),
                        SQLITE_STATIC);
    }
    if (e.trace_id) {
      sqlite3_bind_blob(st, 19, e.trace_id->data(), int(e.trace_id->size()),
                        SQLITE_STATIC);
    } else {
      sqlite3_bind_null(st, 19);
    }
    const int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? Status::OK() : Error(db_, "insert");
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  int64_t in_transaction_ = 0;  // rows in the open transaction
};

class SqliteQuerier : public Querier {
 public:
  ~SqliteQuerier() override {
    for (sqlite3_stmt* st : statements_) sqlite3_finalize(st);
    sqlite3_close(db_);
  }

  Status Open(const std::string& dir) override {
    Result<sqlite3*> db = OpenDb(dir);
    if (!db.ok()) return db.status();
    db_ = *db;
    for (int q = 0; q < 5; ++q) {
      if (sqlite3_prepare_v2(db_, kQueries[q], -1, &statements_[q], nullptr) != SQLITE_OK)
        return Error(db_, "prepare Q" + std::to_string(q + 1));
    }
    return Status::OK();
  }

  Result<Table> Answer(int q, const QuerySpec& spec, bool full) override {
    sqlite3_stmt* st = statements_[q];
    sqlite3_reset(st);
    if (q == 0 || q == 2) {
      sqlite3_bind_text(st, 1, spec.agent.data(), int(spec.agent.size()), SQLITE_STATIC);
      sqlite3_bind_int64(st, 2, spec.range_begin);
      sqlite3_bind_int64(st, 3, spec.range_end);
    } else {
      sqlite3_bind_int64(st, 1, spec.at);
    }
    if (q == 1) sqlite3_bind_int64(st, 2, full ? -1 : 10);
    Table t = EmptyAnswer(q);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      std::vector<Cell>& row = t.rows.emplace_back(t.names.size());
      for (size_t c = 0; c < t.names.size(); ++c) {
        const int i = int(c);
        row[c].null = sqlite3_column_type(st, i) == SQLITE_NULL;
        if (row[c].null) continue;
        switch (t.rules[c]) {
          case Rule::kText:
            row[c].s = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
            break;
          case Rule::kInt:
            row[c].i = sqlite3_column_int64(st, i);
            break;
          case Rule::kReal:
          case Rule::kQuantile:
            row[c].d = sqlite3_column_double(st, i);
            break;
        }
      }
    }
    if (rc != SQLITE_DONE) return Error(db_, "Q" + std::to_string(q + 1));
    return t;
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* statements_[5] = {};
};

}  // namespace

std::unique_ptr<Loader> NewSqliteLoader() { return std::make_unique<SqliteLoader>(); }
std::unique_ptr<Querier> NewSqliteQuerier() { return std::make_unique<SqliteQuerier>(); }

}  // namespace sredb::compare
