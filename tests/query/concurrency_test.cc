// query::Execute from several threads beside writers, the background
// sealer and a thread calling Flush (built with -DSREDB_SANITIZE=thread in
// CI). The workload (tests/storage/concurrency_util.h) makes every answer
// checkable: each statement reads one cut, which holds of each writer its
// batches [0, k) for some k between those acknowledged before the statement
// and those started after it, so every agent's figures must equal, for one
// such k, the figures of those batches computed here. The statements mix
// every tier the planner reads (1 h and 1 min rollups, raw chunks, head)
// while sealing moves events between them; one runs under a cancel flag
// that another thread flips, and must answer right or be Cancelled.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "query/query.h"
#include "storage/db.h"
#include "tests/storage/concurrency_util.h"
#include "tests/storage/test_util.h"

namespace sredb::query {
namespace {

using sredb::testing::Problems;
using sredb::testing::Progress;
using sredb::testing::TempDir;
using sredb::testing::Workload;

constexpr int64_t kHourNs = 3600 * kNanosPerSecond;

// Hour buckets from the (aligned) start of the data: 1 h rollups, head.
constexpr const char* kByHour =
    "SELECT agent, bucket(1h) AS h, count() AS n, sum(tokens_in) AS t FROM tasks "
    "WHERE time >= '2026-03-01T00:00:00Z' GROUP BY agent, h";
// From 00:07:30: raw edge, then 1 min rollups where stored, then 1 h.
constexpr const char* kRagged =
    "SELECT agent, count() AS n, sum(tokens_in) AS t, max(latency_ms) AS l FROM tasks "
    "WHERE time >= '2026-03-01T00:07:30Z' GROUP BY agent";
constexpr int64_t kRaggedFrom = sredb::testing::kT0 + 450 * kNanosPerSecond;

// An answer reduced to comparable values: agent -> key -> figures (the key
// is the hour for kByHour, 0 for kRagged; latency maxima as their bits).
using Figures = std::map<std::string, std::map<int64_t, std::vector<double>>>;

Figures FromTable(const ResultTable& t, bool by_hour) {
  Figures out;
  for (size_t r = 0; r < t.rows; ++r) {
    std::vector<double> v;
    for (size_t c = by_hour ? 2 : 1; c < t.columns.size(); ++c) {
      const ResultColumn& col = t.columns[c];
      v.push_back(col.IsNull(r)                    ? -1
                  : col.type == ValueType::kDouble ? col.doubles[r]
                                                   : static_cast<double>(col.ints[r]));
    }
    out[t.columns[0].strings[r]][by_hour ? t.columns[1].ints[r] : 0] = std::move(v);
  }
  return out;
}

// What the statement must answer for writer w's batches [0, k).
std::map<int64_t, std::vector<double>> Want(const Workload& wl, int w, int k,
                                            bool by_hour) {
  std::map<int64_t, std::vector<double>> out;
  for (int s : {2 * w, 2 * w + 1}) {
    for (const Event& e : wl.Expected(s, k)) {
      if (!by_hour && e.time < kRaggedFrom) continue;
      std::vector<double>& v = out[by_hour ? e.time / kHourNs * kHourNs : 0];
      if (v.empty())
        v = by_hour ? std::vector<double>{0, 0} : std::vector<double>{0, 0, 0};
      v[0] += 1;
      v[1] += e.tokens_in;
      if (!by_hour) v[2] = std::max(v[2], static_cast<double>(e.latency_ms));
    }
  }
  return out;
}

// Checks one answer: for each writer, some k in [acked, started] explains it.
void CheckAnswer(const Workload& wl, const ResultTable& t, bool by_hour,
                 const std::vector<int>& acked, const std::vector<int>& started,
                 Problems* problems) {
  Figures got = FromTable(t, by_hour);
  for (int w = 0; w < wl.writers(); ++w) {
    const std::string agent = "w" + std::to_string(w);
    const auto figures = got[agent];  // empty when the agent has no row
    bool explained = false;
    for (int k = acked[w]; k <= started[w] && !explained; ++k) {
      explained = Want(wl, w, k, by_hour) == figures;
    }
    if (!explained) {
      problems->Add(std::string(by_hour ? "hourly" : "ragged") + " query: agent " +
                    agent + " matches no prefix of its batches in [" +
                    std::to_string(acked[w]) + ", " + std::to_string(started[w]) + "]");
    }
  }
  if (got.size() > static_cast<size_t>(wl.writers())) {
    problems->Add("query: an agent the workload never wrote");
  }
}

// Runs one statement and checks its answer; Cancelled is accepted only
// with `cancel`.
void RunChecked(DB* db, const Workload& wl, const Progress& progress, bool by_hour,
                const std::atomic<bool>* cancel, Problems* problems) {
  QueryOptions o;
  o.now = wl.end() + kHourNs;
  o.cancel = cancel;
  const std::vector<int> acked = progress.Acked();
  Result<ResultTable> t = Execute(db, by_hour ? kByHour : kRagged, o);
  const std::vector<int> started = progress.Started();
  if (t.ok()) return CheckAnswer(wl, *t, by_hour, acked, started, problems);
  if (!(cancel != nullptr && t.status().IsCancelled())) {
    problems->Add("query: " + t.status().ToString());
  }
}

TEST(QueryConcurrency, EveryAnswerIsOneConsistentCut) {
  TempDir dir;
  const Workload wl(/*writers=*/3, /*batches=*/100);
  Progress progress(wl.writers());
  Problems problems;
  auto db = DB::Open(Workload::DbOptions(), dir.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  std::atomic<bool> cancel{false};
  std::atomic<int> queries{0}, cancelled_runs{0};
  std::vector<std::function<void()>> readers;
  for (bool by_hour : {true, false}) {
    readers.push_back([&, by_hour] {
      RunChecked(db->get(), wl, progress, by_hour, nullptr, &problems);
      ++queries;
    });
  }
  readers.push_back([&] {  // under a flag the next reader flips
    RunChecked(db->get(), wl, progress, true, &cancel, &problems);
    ++cancelled_runs;
  });
  readers.push_back([&] {
    cancel = !cancel.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // not a timing check
  });
  sredb::testing::RunConcurrently(db->get(), wl, &progress, /*flushers=*/1, readers,
                                  &problems);
  // Quiet now: both statements must give the whole workload.
  const std::vector<int> all(wl.writers(), wl.batches());
  for (bool by_hour : {true, false}) {
    RunChecked(db->get(), wl, progress, by_hour, nullptr, &problems);
  }
  EXPECT_EQ(progress.Acked(), all);
  EXPECT_EQ(problems.count(), 0) << problems.Summary();
  std::printf("queries checked: %d, %d under a cancel flag\n", queries.load(),
              cancelled_runs.load());
}

}  // namespace
}  // namespace sredb::query
