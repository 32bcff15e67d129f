// query_bench: the five normative queries of QUERY.md (Q1-Q5) on a
// synthetic fleet, warm and in-process through query::Execute: median, min
// and 90th percentile wall time over repetitions, the rows returned and
// what the plan touched (EXPLAIN ANALYZE).
//
//   build/bench/query_bench [--dir PATH] [--agents N] [--days D] [--events N]
//                           [--reps N] [--query Qn] [--start RFC3339]
//   standard fleet (default): --agents 1000 --days 90 --events 10000000,
//   from 2026-01-01, so that March 2026 (Q1-Q5's range) is covered.
//   dense fleet: --agents 10 --days 7 --start 2026-03-25T00:00:00Z (Q1/Q3 then
//   find no agent-0042: their answers are empty, their cost the lookup).
//   A DB already at --dir is reused as it is; otherwise one is built there
//   (appended in batches of 10,000, then sealed with DB::Flush).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "query/query.h"
#include "storage/db.h"
#include "storage/rfc3339.h"
#include "tools/fleet.h"

namespace sredb::bench {
namespace {

struct NamedQuery {
  const char* name;
  const char* text;
};

constexpr NamedQuery kQueries[] = {
    {"Q1",
     "SELECT rate(success) FROM tasks WHERE agent = 'agent-0042' AND time >= "
     "'2026-03-01T00:00:00Z' AND time < '2026-03-31T00:00:00Z'"},
    {"Q2",
     "SELECT agent, burn_rate(success, 0.99) OVER 5m AS br_5m, burn_rate(success, 0.99) "
     "OVER 1h AS br_1h, burn_rate(success, 0.99) OVER 6h AS br_6h, burn_rate(success, "
     "0.99) OVER 3d AS br_3d FROM tasks AT '2026-03-31T00:00:00Z' GROUP BY agent ORDER "
     "BY "
     "br_1h DESC LIMIT 10"},
    {"Q3",
     "SELECT bucket(1h) AS hour, count(), rate(success), p99(latency_ms), sum(cost_usd) "
     "FROM tasks WHERE agent = 'agent-0042' AND time >= '2026-03-01T00:00:00Z' AND time "
     "< "
     "'2026-03-31T00:00:00Z' GROUP BY hour"},
    {"Q4",
     "SELECT agent, zscore(sum(cost_usd), 1h, 7d) AS z FROM tasks AT "
     "'2026-03-31T00:00:00Z' GROUP BY agent HAVING z > 3"},
    {"Q5",
     "SELECT cohort, count(), rate(success), rate(hallucinated), p95(latency_ms), "
     "avg(cost_usd) FROM tasks AT '2026-03-31T00:00:00Z' WHERE time IN LAST 1d GROUP BY "
     "cohort"},
};

int Build(const std::string& dir, const fleet::FleetOptions& options) {
  Options o;
  o.create_if_missing = true;
  auto db = DB::Open(o, dir);
  if (!db.ok()) {
    std::fprintf(stderr, "open %s: %s\n", dir.c_str(), db.status().ToString().c_str());
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  fleet::FleetGenerator gen(options);
  constexpr uint32_t kNone = ~uint32_t{0};
  std::vector<uint32_t> batch_index;
  EventBatch batch;
  uint32_t series;
  Event ev;
  bool more = true;
  while (more) {
    more = gen.Next(&series, &ev);
    if (more) {
      if (series >= batch_index.size()) batch_index.resize(series + 1, kNone);
      if (batch_index[series] == kNone) {
        batch_index[series] = batch.AddSeries(gen.series(series));
      }
      batch.Add(batch_index[series], std::move(ev));
    }
    if (batch.size() == 10'000 || (!more && !batch.empty())) {
      if (Status s = (*db)->Append(WriteOptions(), batch); !s.ok()) {
        std::fprintf(stderr, "append: %s\n", s.ToString().c_str());
        return 1;
      }
      batch.Clear();
      std::fill(batch_index.begin(), batch_index.end(), kNone);
    }
  }
  if (Status s = (*db)->Flush(); !s.ok()) {
    std::fprintf(stderr, "flush: %s\n", s.ToString().c_str());
    return 1;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("built %s: %lld events in %.1f s\n", dir.c_str(),
              static_cast<long long>(options.events), secs);
  return 0;
}

int Main(int argc, char** argv) {
  std::string dir = "/tmp/sredb-query-bench";
  fleet::FleetOptions fleet;
  fleet.events = 10'000'000;
  int reps = 50;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* v = argv[i + 1];
    if (flag == "--dir") {
      dir = v;
    } else if (flag == "--agents") {
      fleet.agents = std::atoi(v);
    } else if (flag == "--days") {
      fleet.days = std::atoi(v);
    } else if (flag == "--events") {
      fleet.events = std::atoll(v);
    } else if (flag == "--reps") {
      reps = std::max(1, std::atoi(v));
    } else if (flag == "--start") {
      Result<int64_t> t = ParseRfc3339(v);
      if (!t.ok()) {
        std::fprintf(stderr, "--start: %s\n", t.status().ToString().c_str());
        return 2;
      }
      fleet.start = *t;
    } else if (flag == "--query") {
      only = v;
    } else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (!std::filesystem::exists(dir)) {
    if (int rc = Build(dir, fleet); rc != 0) return rc;
  }
  Options o;
  o.background_sealing = false;
  auto db = DB::Open(o, dir);
  if (!db.ok()) {
    std::fprintf(stderr, "open %s: %s\n", dir.c_str(), db.status().ToString().c_str());
    return 1;
  }
  std::printf("%-3s %10s %10s %10s %6s\n", "", "median ms", "min ms", "p90 ms", "rows");
  for (const NamedQuery& q : kQueries) {
    if (!only.empty() && only != q.name) continue;
    std::vector<double> ms;
    size_t rows = 0;
    for (int r = 0; r < reps + 3; ++r) {  // 3 warm-up runs
      const auto t0 = std::chrono::steady_clock::now();
      Result<query::ResultTable> t = query::Execute(db->get(), q.text);
      const double elapsed =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
              .count();
      if (!t.ok()) {
        std::fprintf(stderr, "%s: %s\n", q.name, t.status().ToString().c_str());
        return 1;
      }
      rows = t->rows;
      if (r >= 3) ms.push_back(elapsed);
    }
    std::sort(ms.begin(), ms.end());
    std::printf("%-3s %10.3f %10.3f %10.3f %6zu\n", q.name, ms[ms.size() / 2], ms.front(),
                ms[ms.size() * 9 / 10], rows);
    Result<query::ResultTable> plan =
        query::Execute(db->get(), std::string("EXPLAIN ANALYZE ") + q.text);
    if (plan.ok()) {
      for (const std::string& line : plan->columns[0].strings) {
        if (line.rfind("reads", 0) == 0 || line.rfind("touched", 0) == 0 ||
            line.rfind("series", 0) == 0) {
          std::printf("      %s\n", line.c_str());
        }
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace sredb::bench

int main(int argc, char** argv) { return sredb::bench::Main(argc, argv); }
