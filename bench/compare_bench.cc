// compare_bench: sredb side by side with SQLite and a plain RocksDB row store
// on the same fleet and the same five questions (QUERY.md Q1-Q5), in one run.
//
//   build/bench/compare_bench [--events N] [--fleet standard|dense|both]
//                             [--json FILE] [--dir PATH] [--reps N]
//                             [--min-runs N] [--budget-s S] [--keep]
//
// Fleets (tools/fleet.h, generated once per system, identically):
//   standard  1000 agents, 90 days from 2026-01-01, --events (default 10M)
//   dense     10 agents, 7 days from 2026-03-25 (ending with the standard
//             fleet, so the injected incidents sit just before Q2/Q4/Q5's
//             instant 2026-03-31T00:00:00Z), --events; Q1/Q3 ask about
//             agent-0002 (agent-0042 does not exist; 42 mod 10 = 2 gets its
//             failure burst) over [2026-03-25, 2026-03-31) instead of March.
//   The dense fleet's Q4 baseline reaches back before its first event: those
//   hourly windows count as 0, as QUERY.md says.
//
// Systems (bench/compare/*_side.cc): sredb through the C++ API and
// query::Execute; SQLite in-process (one table, WAL, indexes on (agent,
// time) and (time), transactions of 100,000 rows); RocksDB rows (one key per
// event, agent + time ordered, Cap'n Proto values). Each is fed the same
// chunks of 10,000 events.
//
// Per fleet and system it prints:
//   load ev/s     events / (time spent storing chunks + the final flush,
//                 checkpoint or compaction); generating the fleet not counted
//   B/event       every file in the system's directory after it closed
//   peak RSS      the loading child's ru_maxrss (wait4): the load runs in a
//                 forked child of this small driver, so it counts the store,
//                 the fleet generator and one chunk, and nothing else
//   Qn ms         median of warm runs: up to --reps (20) runs after the
//                 untimed check run, stopping early once one query's runs
//                 took --budget-s (5) seconds and --min-runs (2) were made
//                 (the row store's full scans and SQLite's slowest plans
//                 take seconds each at 10M events)
// then sredb's advantage over each peer: peer/sredb for time, bytes and RSS,
// sredb/peer for load speed (above 1: sredb is better).
//
// Before anything is timed, the query child checks that the three systems
// answer alike: SQLite and the row store exactly (both exact), sredb against
// them with counts and micro-USD sums exact, ratios and z-scores within 1e-9
// relative, p99/p95 within 1% of the exact nearest rank (sredb's sketches),
// and Q2's top 10 by br_1h (ties at the cut may pick different agents). A
// mismatch prints the differences and exits 3.
//
// --json FILE writes
//   {"runs": [{"fleet": "standard", "agents": 1000, "days": 90,
//              "events": 10000000, "start": "2026-01-01T00:00:00Z",
//              "systems": {"sredb": S, "sqlite": S, "rocksdb_rows": S},
//              "sredb_advantage": {"sqlite": A, "rocksdb_rows": A}}, ...]}
//   S = {"load_events_per_s", "bytes_per_event", "peak_rss_bytes",
//        "q1_ms" .. "q5_ms", "q1_runs" .. "q5_runs"}
//   A = the same keys as S but the runs: the advantages above.
// one run object per fleet, in the order standard, dense.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/compare/compare.h"
#include "storage/rfc3339.h"

namespace sredb::compare {
namespace {

constexpr int kSystems = 3;
constexpr const char* kSystemNames[kSystems] = {"sredb", "sqlite", "rocksdb_rows"};
constexpr int kChunkEvents = 10'000;

struct Flags {
  int64_t events = 10'000'000;
  std::string fleet = "both";
  std::string json;
  std::string dir = "/tmp/sredb-compare";
  int reps = 20;
  int min_runs = 2;
  double budget_s = 5;
  bool keep = false;
};

// What a loading child reports (through a pipe, as raw bytes).
struct LoadReport {
  int64_t events = 0;
  double load_s = 0;
  double gen_s = 0;
  char error[512] = {};
};

struct LoadFigures {
  LoadReport report;
  uint64_t bytes = 0;
  uint64_t peak_rss = 0;
};

// What the query child reports.
struct QueryReport {
  double median_ms[kSystems][5] = {};
  int runs[kSystems][5] = {};
  size_t rows[5] = {};
  char error[4096] = {};
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

std::unique_ptr<Loader> NewLoader(int system) {
  return system == 0   ? NewSredbLoader()
         : system == 1 ? NewSqliteLoader()
                       : NewRowsLoader();
}

std::unique_ptr<Querier> NewQuerier(int system) {
  return system == 0   ? NewSredbQuerier()
         : system == 1 ? NewSqliteQuerier()
                       : NewRowsQuerier();
}

void SetError(char* out, size_t size, const std::string& msg) {
  std::snprintf(out, size, "%s", msg.c_str());
}

// Runs in the child: generates the fleet and loads it, timing the loads.
LoadReport Load(const FleetSpec& fleet, int system, const std::string& dir) {
  LoadReport r;
  std::unique_ptr<Loader> loader = NewLoader(system);
  fleet::FleetGenerator gen(fleet.options);
  Chunk chunk;
  auto t0 = std::chrono::steady_clock::now();
  Status s = loader->Create(dir);
  r.load_s += Seconds(t0);
  for (bool more = true; s.ok() && more;) {
    t0 = std::chrono::steady_clock::now();
    chunk.Clear();
    uint32_t series;
    Event ev;
    while (chunk.events.size() < kChunkEvents && (more = gen.Next(&series, &ev))) {
      chunk.series.push_back(series);
      chunk.events.push_back(std::move(ev));
    }
    r.gen_s += Seconds(t0);
    t0 = std::chrono::steady_clock::now();
    if (!chunk.events.empty()) s = loader->Load(chunk, gen);
    r.load_s += Seconds(t0);
    r.events += int64_t(chunk.events.size());
  }
  if (s.ok()) {
    t0 = std::chrono::steady_clock::now();
    s = loader->Finish();
    r.load_s += Seconds(t0);
  }
  if (!s.ok()) SetError(r.error, sizeof r.error, s.ToString());
  return r;
}

// Runs fn() in a forked child that writes a T back; `rusage` gets the
// child's own resource usage.
template <typename T, typename Fn>
T InChild(Fn fn, rusage* usage) {
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    close(fds[0]);
    T* out = new T(fn());
    const char* p = reinterpret_cast<const char*>(out);
    for (size_t done = 0; done < sizeof(T);) {
      ssize_t n = write(fds[1], p + done, sizeof(T) - done);
      if (n <= 0) _exit(1);
      done += size_t(n);
    }
    std::fflush(stdout);
    _exit(0);
  }
  close(fds[1]);
  T result;
  char* p = reinterpret_cast<char*>(&result);
  size_t done = 0;
  while (done < sizeof(T)) {
    ssize_t n = read(fds[0], p + done, sizeof(T) - done);
    if (n <= 0) break;
    done += size_t(n);
  }
  close(fds[0]);
  int status = 0;
  wait4(pid, &status, 0, usage);
  if (done != sizeof(T)) {
    std::fprintf(stderr, "child %d died (status %d)\n", int(pid), status);
    std::exit(1);
  }
  return result;
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) bytes += e.file_size();
  }
  return bytes;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Runs in the child: checks that the answers agree, then times them.
QueryReport Query(const FleetSpec& fleet, const std::vector<std::string>& dirs,
                  const Flags& flags) {
  QueryReport r;
  std::unique_ptr<Querier> q[kSystems];
  for (int s = 0; s < kSystems; ++s) {
    q[s] = NewQuerier(s);
    if (Status st = q[s]->Open(dirs[s]); !st.ok()) {
      SetError(r.error, sizeof r.error,
               std::string(kSystemNames[s]) + ": " + st.ToString());
      return r;
    }
  }
  std::string diffs;
  for (int n = 0; n < 5; ++n) {
    Result<Table> a[kSystems] = {q[0]->Answer(n, fleet.queries, true),
                                 q[1]->Answer(n, fleet.queries, true),
                                 q[2]->Answer(n, fleet.queries, true)};
    for (int s = 0; s < kSystems; ++s) {
      if (!a[s].ok()) {
        diffs += "Q" + std::to_string(n + 1) + " " + kSystemNames[s] + ": " +
                 a[s].status().ToString() + "\n";
      }
    }
    if (!a[0].ok() || !a[1].ok() || !a[2].ok()) continue;
    r.rows[n] = a[0]->rows.size();
    if (std::string d = Diff(n, *a[1], *a[2], false); !d.empty())
      diffs += "Q" + std::to_string(n + 1) + " sqlite vs rocksdb_rows:\n" + d;
    if (std::string d = Diff(n, *a[1], *a[0], true); !d.empty())
      diffs += "Q" + std::to_string(n + 1) + " sqlite vs sredb:\n" + d;
  }
  if (!diffs.empty()) {
    SetError(r.error, sizeof r.error, "answers differ:\n" + diffs);
    return r;
  }
  for (int s = 0; s < kSystems; ++s) {
    for (int n = 0; n < 5; ++n) {
      std::vector<double> ms;
      const auto start = std::chrono::steady_clock::now();
      while (int(ms.size()) < flags.reps &&
             (int(ms.size()) < flags.min_runs || Seconds(start) < flags.budget_s)) {
        const auto t0 = std::chrono::steady_clock::now();
        Result<Table> t = q[s]->Answer(n, fleet.queries, false);
        ms.push_back(Seconds(t0) * 1e3);
        if (!t.ok()) {
          SetError(r.error, sizeof r.error, t.status().ToString());
          return r;
        }
      }
      r.median_ms[s][n] = Median(ms);
      r.runs[s][n] = int(ms.size());
    }
  }
  return r;
}

struct FleetResult {
  FleetSpec fleet;
  LoadFigures load[kSystems];
  QueryReport query;
};

double Metric(const FleetResult& f, int s, int m) {
  const LoadFigures& l = f.load[s];
  switch (m) {
    case 0:
      return double(l.report.events) / l.report.load_s;
    case 1:
      return double(l.bytes) / double(l.report.events);
    case 2:
      return double(l.peak_rss);
    default:
      return f.query.median_ms[s][m - 3];
  }
}

constexpr const char* kMetricKeys[8] = {"load_events_per_s",
                                        "bytes_per_event",
                                        "peak_rss_bytes",
                                        "q1_ms",
                                        "q2_ms",
                                        "q3_ms",
                                        "q4_ms",
                                        "q5_ms"};

// How many times better sredb is than peer p on metric m.
double Advantage(const FleetResult& f, int p, int m) {
  return m == 0 ? Metric(f, 0, m) / Metric(f, p, m) : Metric(f, p, m) / Metric(f, 0, m);
}

void Print(const FleetResult& f) {
  const auto& o = f.fleet.options;
  std::printf("\n== %s fleet: %d agents, %d days from %s, %lld events\n",
              f.fleet.name.c_str(), o.agents, o.days, FormatRfc3339(o.start).c_str(),
              static_cast<long long>(o.events));
  std::printf("%-18s %12s %9s %10s %10s %10s %10s %10s %10s\n", "", "load ev/s",
              "B/event", "RSS MiB", "Q1 ms", "Q2 ms", "Q3 ms", "Q4 ms", "Q5 ms");
  for (int s = 0; s < kSystems; ++s) {
    std::printf("%-18s %12.0f %9.2f %10.1f", kSystemNames[s], Metric(f, s, 0),
                Metric(f, s, 1), Metric(f, s, 2) / (1 << 20));
    for (int m = 3; m < 8; ++m) std::printf(" %10.3f", Metric(f, s, m));
    std::printf("\n");
  }
  for (int p = 1; p < kSystems; ++p) {
    std::printf("%-18s", (std::string("x vs ") + kSystemNames[p]).c_str());
    std::printf(" %11.2fx %8.2fx %9.2fx", Advantage(f, p, 0), Advantage(f, p, 1),
                Advantage(f, p, 2));
    for (int m = 3; m < 8; ++m) std::printf(" %9.1fx", Advantage(f, p, m));
    std::printf("\n");
  }
  std::printf("(runs per query: ");
  for (int s = 0; s < kSystems; ++s) {
    std::printf("%s%s", s ? "; " : "", kSystemNames[s]);
    for (int n = 0; n < 5; ++n) std::printf(" %d", f.query.runs[s][n]);
  }
  std::printf("; sredb rows Q1-Q5:");
  for (size_t n : f.query.rows) std::printf(" %zu", n);
  std::printf(")\n");
}

bool WriteJson(const std::string& path, const std::vector<FleetResult>& results) {
  FILE* out = std::fopen(path.c_str(), "w");
  if (!out) return false;
  std::fprintf(out, "{\"runs\": [");
  for (size_t i = 0; i < results.size(); ++i) {
    const FleetResult& f = results[i];
    const auto& o = f.fleet.options;
    std::fprintf(
        out,
        "%s\n {\"fleet\": \"%s\", \"agents\": %d, \"days\": %d, \"events\": %lld, "
        "\"start\": \"%s\",\n  \"systems\": {",
        i ? "," : "", f.fleet.name.c_str(), o.agents, o.days,
        static_cast<long long>(o.events), FormatRfc3339(o.start).c_str());
    for (int s = 0; s < kSystems; ++s) {
      std::fprintf(out, "%s\n   \"%s\": {", s ? "," : "", kSystemNames[s]);
      for (int m = 0; m < 8; ++m)
        std::fprintf(out, m == 0 || m == 2 ? "%s\"%s\": %.0f" : "%s\"%s\": %.6g",
                     m ? ", " : "", kMetricKeys[m], Metric(f, s, m));
      for (int n = 0; n < 5; ++n)
        std::fprintf(out, ", \"q%d_runs\": %d", n + 1, f.query.runs[s][n]);
      std::fprintf(out, "}");
    }
    std::fprintf(out, "},\n  \"sredb_advantage\": {");
    for (int p = 1; p < kSystems; ++p) {
      std::fprintf(out, "%s\n   \"%s\": {", p > 1 ? "," : "", kSystemNames[p]);
      for (int m = 0; m < 8; ++m)
        std::fprintf(out, "%s\"%s\": %.4g", m ? ", " : "", kMetricKeys[m],
                     Advantage(f, p, m));
      std::fprintf(out, "}");
    }
    std::fprintf(out, "}}");
  }
  std::fprintf(out, "\n]}\n");
  return std::fclose(out) == 0;
}

// Loads one fleet into every system, checks and times the questions.
// Returns 0, or the exit status.
int RunFleet(const FleetSpec& fleet, const Flags& flags, FleetResult* result) {
  result->fleet = fleet;
  const std::string base = flags.dir + "/" + fleet.name;
  std::filesystem::remove_all(base);
  std::filesystem::create_directories(base);
  std::vector<std::string> dirs;
  for (int s = 0; s < kSystems; ++s) {
    dirs.push_back(base + "/" + kSystemNames[s]);
    rusage usage{};
    LoadFigures& l = result->load[s];
    l.report = InChild<LoadReport>([&] { return Load(fleet, s, dirs[s]); }, &usage);
    if (l.report.error[0]) {
      std::fprintf(stderr, "%s fleet, loading %s: %s\n", fleet.name.c_str(),
                   kSystemNames[s], l.report.error);
      return 1;
    }
    l.peak_rss = uint64_t(usage.ru_maxrss) * 1024;
    l.bytes = DirectoryBytes(dirs[s]);
    std::printf("%s fleet: %s loaded %lld events in %.1f s (generating them: %.1f s)\n",
                fleet.name.c_str(), kSystemNames[s],
                static_cast<long long>(l.report.events), l.report.load_s, l.report.gen_s);
  }
  rusage usage{};
  result->query = InChild<QueryReport>([&] { return Query(fleet, dirs, flags); }, &usage);
  if (!flags.keep) std::filesystem::remove_all(base);
  if (result->query.error[0]) {
    std::fprintf(stderr, "%s fleet: %s\n", fleet.name.c_str(), result->query.error);
    return 3;
  }
  Print(*result);
  return 0;
}

int Main(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const bool has_value = i + 1 < argc;
    if (flag == "--keep") {
      flags.keep = true;
    } else if (flag == "--events" && has_value) {
      flags.events = std::atoll(argv[++i]);
    } else if (flag == "--fleet" && has_value) {
      flags.fleet = argv[++i];
    } else if (flag == "--json" && has_value) {
      flags.json = argv[++i];
    } else if (flag == "--dir" && has_value) {
      flags.dir = argv[++i];
    } else if (flag == "--reps" && has_value) {
      flags.reps = std::max(1, std::atoi(argv[++i]));
    } else if (flag == "--min-runs" && has_value) {
      flags.min_runs = std::max(1, std::atoi(argv[++i]));
    } else if (flag == "--budget-s" && has_value) {
      flags.budget_s = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: compare_bench [--events N] [--fleet standard|dense|both]"
                   " [--json FILE] [--dir PATH] [--reps N] [--min-runs N] [--budget-s S]"
                   " [--keep]\n");
      return 2;
    }
  }
  std::vector<FleetSpec> fleets;
  if (flags.fleet == "standard" || flags.fleet == "both")
    fleets.push_back(StandardFleet(flags.events));
  if (flags.fleet == "dense" || flags.fleet == "both")
    fleets.push_back(DenseFleet(flags.events));
  if (fleets.empty() || flags.events <= 0) {
    std::fprintf(stderr, "--fleet must be standard, dense or both; --events > 0\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<FleetResult> results;
  for (const FleetSpec& f : fleets) {
    if (Status s = fleet::Validate(f.options); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 2;
    }
    if (int rc = RunFleet(f, flags, &results.emplace_back()); rc != 0) return rc;
  }
  if (!flags.json.empty() && !WriteJson(flags.json, results)) {
    std::fprintf(stderr, "cannot write %s\n", flags.json.c_str());
    return 1;
  }
  std::printf("\ntotal %.0f s\n", Seconds(start));
  return 0;
}

}  // namespace
}  // namespace sredb::compare

int main(int argc, char** argv) { return sredb::compare::Main(argc, argv); }
