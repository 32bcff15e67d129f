// Micro benchmarks of sredb's building blocks, items (or bytes) per second:
//   BM_Append/batch:N/sync:S  DB::Append of one N-event batch, S = fsync
//   BM_Seal                   DB::Flush sealing 200k head events (100 series)
//   BM_RollupAddEvent         RollupBucket::AddEvent
//   BM_RollupMerge            60 minute buckets (~100 events each) -> 1 hour
//   BM_SketchAdd, BM_SketchMerge, BM_SketchQuantile   LatencySketch
//   BM_Parse/Qn               query::Parse of QUERY.md's Q1-Q5 (and bytes/s)
//   BM_Query/Qn               query::Execute of Q1-Q5 on a small fleet
// The codecs have their own binary, codec_bench.
//
// Every event comes from tools/fleet.h's generator, so latencies, costs and
// labels have the fleet's shapes. Databases live in fresh directories under
// /tmp (sredb-micro-*), removed when the benchmark (or, for BM_Query's
// shared fleet, the process) ends.
//
// Run: build/bench/micro_bench [--benchmark_filter=Query]
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "query/parser.h"
#include "query/query.h"
#include "storage/db.h"
#include "storage/rollup/latency_sketch.h"
#include "storage/rollup/rollup_bucket.h"
#include "tools/fleet.h"

namespace sredb::bench {
namespace {

// 2025-06-01T00:00:00Z: a day long past, so that DB::Flush seals it.
constexpr int64_t kPastDay = 1'748'736'000'000'000'000;

// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = "/tmp/sredb-micro-XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  // Where a database goes: a subdirectory that does not exist yet.
  std::string db_path() const { return path_ + "/db"; }

 private:
  std::string path_;
};

std::unique_ptr<DB> OpenFresh(benchmark::State& state, const TempDir& dir) {
  if (!dir.ok()) {
    state.SkipWithError("mkdtemp failed");
    return nullptr;
  }
  Options o;
  o.create_if_missing = true;
  o.background_sealing = false;
  Result<std::unique_ptr<DB>> db = DB::Open(o, dir.db_path());
  if (!db.ok()) {
    state.SkipWithError(("open: " + db.status().ToString()).c_str());
    return nullptr;
  }
  return std::move(*db);
}

// The fleet's events as batches of at most `batch_events`, each series'
// labels added once per batch, as a client would.
std::vector<EventBatch> FleetBatches(const fleet::FleetOptions& options,
                                     size_t batch_events) {
  fleet::FleetGenerator gen(options);
  std::vector<EventBatch> batches;
  std::vector<uint32_t> index;
  constexpr uint32_t kNone = ~uint32_t{0};
  uint32_t series;
  Event ev;
  while (gen.Next(&series, &ev)) {
    if (batches.empty() || batches.back().size() == batch_events) {
      batches.emplace_back();
      index.assign(gen.series_count(), kNone);
    }
    if (series >= index.size()) index.resize(series + 1, kNone);
    if (index[series] == kNone)
      index[series] = batches.back().AddSeries(gen.series(series));
    batches.back().Add(index[series], std::move(ev));
  }
  return batches;
}

std::vector<Event> FleetEvents(int64_t n) {
  fleet::FleetGenerator gen({.agents = 20, .days = 1, .events = n, .start = kPastDay});
  std::vector<Event> events;
  const Labels* labels;
  Event ev;
  while (gen.Next(&labels, &ev)) events.push_back(std::move(ev));
  return events;
}

// --- Append ----------------------------------------------------------------

// One batch of range(0) events from a 4-agent fleet (a few series, one day
// partition), appended again and again to one fresh DB: the head stores each
// copy as new events, so every call does the same work.
void BM_Append(benchmark::State& state) {
  const auto n = state.range(0);
  std::vector<EventBatch> batches = FleetBatches(
      {.agents = 4, .days = 1, .events = n, .start = kPastDay}, static_cast<size_t>(n));
  TempDir dir;
  std::unique_ptr<DB> db = OpenFresh(state, dir);
  if (db == nullptr) return;
  WriteOptions wo;
  wo.sync = state.range(1) != 0;
  for (auto _ : state) {
    if (Status s = db->Append(wo, batches[0]); !s.ok()) {
      state.SkipWithError(("append: " + s.ToString()).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetLabel(std::to_string(batches[0].series_count()) + " series");
  db->Close().IgnoreError();
}
BENCHMARK(BM_Append)
    ->ArgsProduct({{1, 10, 100, 1000, 10000}, {0}})
    ->ArgNames({"batch", "sync"})
    ->UseRealTime();
// fsync per call: a bounded time, whatever the disk.
BENCHMARK(BM_Append)
    ->ArgsProduct({{1, 10, 100, 1000, 10000}, {1}})
    ->ArgNames({"batch", "sync"})
    ->MinTime(0.2)
    ->UseRealTime();

// --- Seal ------------------------------------------------------------------

// 200k events of one past day across ~100 series (50 agents) in the head of
// a fresh DB per iteration; times DB::Flush, which seals them into chunks
// and builds the rollups that pay.
void BM_Seal(benchmark::State& state) {
  constexpr int64_t kEvents = 200'000;
  std::vector<EventBatch> batches = FleetBatches(
      {.agents = 50, .days = 1, .events = kEvents, .start = kPastDay}, 10'000);
  for (auto _ : state) {
    state.PauseTiming();
    auto dir = std::make_unique<TempDir>();
    std::unique_ptr<DB> db = OpenFresh(state, *dir);
    if (db == nullptr) return;
    for (const EventBatch& b : batches) {
      if (Status s = db->Append(WriteOptions(), b); !s.ok()) {
        state.SkipWithError(("append: " + s.ToString()).c_str());
        return;
      }
    }
    state.ResumeTiming();
    if (Status s = db->Flush(); !s.ok()) {
      state.SkipWithError(("flush: " + s.ToString()).c_str());
      return;
    }
    state.PauseTiming();
    Result<DbStats> st = db->GetStats();
    if (st.ok()) {
      state.SetLabel(std::to_string(st->series) + " series, " +
                     std::to_string(st->head_events) + " left in head");
    }
    db->Close().IgnoreError();
    db.reset();
    dir.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
}
BENCHMARK(BM_Seal)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

// --- Rollups ---------------------------------------------------------------

void BM_RollupAddEvent(benchmark::State& state) {
  const std::vector<Event> events = FleetEvents(10'000);
  for (auto _ : state) {
    rollup::RollupBucket b;
    for (const Event& e : events) b.AddEvent(e);
    benchmark::DoNotOptimize(b);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(events.size()));
}
BENCHMARK(BM_RollupAddEvent);

// Sixty minute buckets of ~100 fleet events each merged into an hour
// bucket; items are buckets merged.
void BM_RollupMerge(benchmark::State& state) {
  const std::vector<Event> events = FleetEvents(6'000);
  std::vector<rollup::RollupBucket> minutes(60);
  for (size_t i = 0; i < events.size(); ++i) minutes[i % 60].AddEvent(events[i]);
  for (auto _ : state) {
    rollup::RollupBucket hour;
    for (const rollup::RollupBucket& m : minutes) hour.Merge(m);
    benchmark::DoNotOptimize(hour);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(minutes.size()));
}
BENCHMARK(BM_RollupMerge);

// --- Latency sketch --------------------------------------------------------

std::vector<float> Latencies(int64_t n) {
  std::vector<float> v;
  for (const Event& e : FleetEvents(n)) v.push_back(e.latency_ms);
  return v;
}

void BM_SketchAdd(benchmark::State& state) {
  const std::vector<float> values = Latencies(10'000);
  for (auto _ : state) {
    rollup::LatencySketch s;
    for (float x : values) s.Add(x);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(values.size()));
}
BENCHMARK(BM_SketchAdd);

// 60 sketches of 1k values each merged into one; items are sketches merged.
void BM_SketchMerge(benchmark::State& state) {
  const std::vector<float> values = Latencies(60'000);
  std::vector<rollup::LatencySketch> parts(60);
  for (size_t i = 0; i < values.size(); ++i) parts[i / 1000].Add(values[i]);
  for (auto _ : state) {
    rollup::LatencySketch all;
    for (const rollup::LatencySketch& p : parts) all.Merge(p);
    benchmark::DoNotOptimize(all);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(parts.size()));
}
BENCHMARK(BM_SketchMerge);

// p99 of a sketch of range(0) values; items are quantiles answered.
void BM_SketchQuantile(benchmark::State& state) {
  rollup::LatencySketch s;
  for (float x : Latencies(state.range(0))) s.Add(x);
  for (auto _ : state) benchmark::DoNotOptimize(s.Quantile(0.99));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SketchQuantile)->Arg(1'000)->Arg(100'000);

// --- Query language --------------------------------------------------------

// QUERY.md's normative queries (the same text as query_bench.cc).
constexpr const char* kQ1 =
    "SELECT rate(success) FROM tasks WHERE agent = 'agent-0042' AND time >= "
    "'2026-03-01T00:00:00Z' AND time < '2026-03-31T00:00:00Z'";
constexpr const char* kQ2 =
    "SELECT agent, burn_rate(success, 0.99) OVER 5m AS br_5m, burn_rate(success, 0.99) "
    "OVER 1h AS br_1h, burn_rate(success, 0.99) OVER 6h AS br_6h, burn_rate(success, "
    "0.99) OVER 3d AS br_3d FROM tasks AT '2026-03-31T00:00:00Z' GROUP BY agent ORDER "
    "BY br_1h DESC LIMIT 10";
constexpr const char* kQ3 =
    "SELECT bucket(1h) AS hour, count(), rate(success), p99(latency_ms), sum(cost_usd) "
    "FROM tasks WHERE agent = 'agent-0042' AND time >= '2026-03-01T00:00:00Z' AND time "
    "< '2026-03-31T00:00:00Z' GROUP BY hour";
constexpr const char* kQ4 =
    "SELECT agent, zscore(sum(cost_usd), 1h, 7d) AS z FROM tasks AT "
    "'2026-03-31T00:00:00Z' GROUP BY agent HAVING z > 3";
constexpr const char* kQ5 =
    "SELECT cohort, count(), rate(success), rate(hallucinated), p95(latency_ms), "
    "avg(cost_usd) FROM tasks AT '2026-03-31T00:00:00Z' WHERE time IN LAST 1d GROUP BY "
    "cohort";

void BM_Parse(benchmark::State& state, std::string_view text) {
  for (auto _ : state) {
    Result<query::Statement> st = query::Parse(text);
    if (!st.ok()) {
      state.SkipWithError(st.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(st);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK_CAPTURE(BM_Parse, Q1, kQ1);
BENCHMARK_CAPTURE(BM_Parse, Q2, kQ2);
BENCHMARK_CAPTURE(BM_Parse, Q3, kQ3);
BENCHMARK_CAPTURE(BM_Parse, Q4, kQ4);
BENCHMARK_CAPTURE(BM_Parse, Q5, kQ5);

// The fleet BM_Query asks: built on first use, sealed, removed at exit.
// 300 agents over the 40 days from 2026-02-20, so that March and the
// instant 2026-03-31T00:00:00Z of Q2/Q4/Q5 sit as on the standard fleet.
struct QueryFleet {
  static constexpr fleet::FleetOptions kOptions = {
      .agents = 300, .days = 40, .events = 1'000'000, .start = 1'771'545'600'000'000'000};
  TempDir dir;
  std::unique_ptr<DB> db;
  std::string error;

  QueryFleet() {
    if (!dir.ok()) {
      error = "mkdtemp failed";
      return;
    }
    Options o;
    o.create_if_missing = true;
    o.background_sealing = false;
    Result<std::unique_ptr<DB>> opened = DB::Open(o, dir.db_path());
    if (!opened.ok()) {
      error = "open: " + opened.status().ToString();
      return;
    }
    db = std::move(*opened);
    for (const EventBatch& b : FleetBatches(kOptions, 10'000)) {
      if (Status s = db->Append(WriteOptions(), b); !s.ok()) {
        error = "append: " + s.ToString();
        return;
      }
    }
    if (Status s = db->Flush(); !s.ok()) error = "flush: " + s.ToString();
  }
  ~QueryFleet() {
    if (db != nullptr) db->Close().IgnoreError();
  }
};

QueryFleet& SharedQueryFleet() {
  static QueryFleet f;
  return f;
}

void BM_Query(benchmark::State& state, const char* text) {
  QueryFleet& f = SharedQueryFleet();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  size_t rows = 0;
  for (auto _ : state) {
    Result<query::ResultTable> t = query::Execute(f.db.get(), text);
    if (!t.ok()) {
      state.SkipWithError(t.status().ToString().c_str());
      break;
    }
    rows = t->rows;
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("fleet 300 agents, 40 days, 1M events; " + std::to_string(rows) +
                 " rows");
}
BENCHMARK_CAPTURE(BM_Query, Q1, kQ1)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Query, Q2, kQ2)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Query, Q3, kQ3)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Query, Q4, kQ4)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Query, Q5, kQ5)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sredb::bench
