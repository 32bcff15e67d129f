// fleet_size: generates a synthetic fleet (tools/fleet.h), appends it through
// the C++ API in batches of 10,000 with background sealing, seals the rest
// with DB::Flush, and prints load speed, peak RSS and the bytes on disk per
// event beside the fleet's order-0 entropy floor (the sum over columns of
// each column's order-0 entropy; timestamps as per-series deltas).
//
//   build/bench/fleet_size [--agents N] [--days D] [--events N] [--dir PATH]
//                          [--seal-group N]   (Options::seal_group_events)
//   standard fleet: --agents 1000 --days 90 --events 10000000 (the default)
//   dense fleet:    --agents 10 --days 7 --events 10000000
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/db.h"
#include "tools/fleet.h"

namespace sredb::bench {
namespace {

// Order-0 entropy of a stream of values, in bits in total.
class Entropy {
 public:
  void Add(uint64_t v) {
    ++counts_[v];
    ++n_;
  }
  double Bits() const {
    double bits = 0;
    for (const auto& [v, c] : counts_)
      bits += double(c) * std::log2(double(n_) / double(c));
    return bits;
  }

 private:
  std::unordered_map<uint64_t, uint64_t> counts_;
  uint64_t n_ = 0;
};

uint64_t FloatBits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

constexpr const char* kColumns[] = {
    "series",     "time delta",    "success",     "hallucinated", "latency_ms",
    "ttft_ms",    "cost",          "tokens_in",   "tokens_out",   "policy_violations",
    "tool_calls", "tool_failures", "user_rating", "error_kind"};
constexpr int kColumnCount = sizeof(kColumns) / sizeof(kColumns[0]);

// The entropy floor of the fleet, per column, in bytes.
std::vector<double> EntropyFloor(const fleet::FleetOptions& options) {
  std::vector<Entropy> e(kColumnCount);
  std::vector<int64_t> last;
  fleet::FleetGenerator gen(options);
  uint32_t s;
  Event ev;
  while (gen.Next(&s, &ev)) {
    if (s >= last.size()) last.resize(s + 1, options.start);
    e[0].Add(s);
    e[1].Add(static_cast<uint64_t>(ev.time - last[s]));
    last[s] = ev.time;
    e[2].Add(ev.success);
    e[3].Add(static_cast<uint64_t>(ev.hallucinated));
    e[4].Add(FloatBits(ev.latency_ms));
    e[5].Add(ev.ttft_ms ? FloatBits(*ev.ttft_ms) : ~uint64_t{0});
    e[6].Add(static_cast<uint64_t>(ev.cost_micros));
    e[7].Add(ev.tokens_in);
    e[8].Add(ev.tokens_out);
    e[9].Add(ev.policy_violations);
    e[10].Add(ev.tool_calls);
    e[11].Add(ev.tool_failures);
    e[12].Add(ev.user_rating ? FloatBits(*ev.user_rating) : ~uint64_t{0});
    e[13].Add(std::hash<std::string>()(ev.error_kind));
  }
  std::vector<double> bytes;
  for (const Entropy& x : e) bytes.push_back(x.Bits() / 8);
  return bytes;
}

// Runs EntropyFloor in a child process, so that its tables do not count in
// this process's peak RSS.
std::vector<double> EntropyFloorInChild(const fleet::FleetOptions& options) {
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<double> f = EntropyFloor(options);
    (void)!write(fds[1], f.data(), f.size() * sizeof(double));
    _exit(0);
  }
  std::vector<double> f(kColumnCount);
  size_t want = f.size() * sizeof(double), got = 0;
  while (got < want) {
    ssize_t n = read(fds[0], reinterpret_cast<char*>(f.data()) + got, want - got);
    if (n <= 0) std::abort();
    got += n;
  }
  waitpid(pid, nullptr, 0);
  return f;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

int Run(const fleet::FleetOptions& options, const std::string& dir, uint64_t seal_group) {
  std::filesystem::remove_all(dir);
  Options o;
  if (seal_group > 0) o.seal_group_events = seal_group;
  if (const char* wb = std::getenv("SREDB_WRITE_BUFFER_MB"))
    o.write_buffer_bytes = std::strtoull(wb, nullptr, 10) << 20;
  o.create_if_missing = true;
  auto db = DB::Open(o, dir);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
    return 1;
  }
  fleet::FleetGenerator gen(options);
  // Fleet series -> index in the current batch (kNone: not yet added), so
  // that each series' labels are added once per batch, as a client would.
  constexpr uint32_t kNone = ~uint32_t{0};
  std::vector<uint32_t> batch_index;
  EventBatch batch;
  uint32_t series;
  Event ev;
  double gen_s = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    auto g = std::chrono::steady_clock::now();
    bool more = gen.Next(&series, &ev);
    gen_s += Seconds(g);
    if (more) {
      if (series >= batch_index.size()) batch_index.resize(series + 1, kNone);
      if (batch_index[series] == kNone)
        batch_index[series] = batch.AddSeries(gen.series(series));
      batch.Add(batch_index[series], std::move(ev));
    }
    if (batch.size() == 10'000 || (!more && !batch.empty())) {
      if (Status s = (*db)->Append(WriteOptions(), batch); !s.ok()) {
        std::fprintf(stderr, "%s\n", s.ToString().c_str());
        return 1;
      }
      batch.Clear();
      std::fill(batch_index.begin(), batch_index.end(), kNone);
    }
    if (!more) break;
  }
  const double append_s = Seconds(t0) - gen_s;
  auto before_flush = (*db)->GetStats();
  auto t1 = std::chrono::steady_clock::now();
  if (Status s = (*db)->Flush(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  const double flush_s = Seconds(t1);
  if (!before_flush->seal_error.empty())
    std::printf("background sealing failed: %s\n", before_flush->seal_error.c_str());
  auto st = (*db)->GetStats();
  if (Status s = (*db)->Close(); !s.ok() || !st.ok() || !before_flush.ok()) return 1;
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);

  const double n = double(st->events);
  std::printf("fleet: %d agents, %d days, %lld events, %llu series\n", options.agents,
              options.days, static_cast<long long>(options.events),
              static_cast<unsigned long long>(st->series));
  std::printf(
      "append (C++ API, batches of 10,000, WAL, no fsync, background sealing): "
      "%.2f s = %.2fM events/s; %.0f%% still in head afterwards\n",
      append_s, n / append_s / 1e6, 100.0 * before_flush->head_events / n);
  std::printf("flush (seal the rest): %.2f s; append + flush: %.2fM events/s\n", flush_s,
              n / (append_s + flush_s) / 1e6);
  std::printf("peak RSS: %.1f MiB (generator included)\n", ru.ru_maxrss / 1024.0);

  std::vector<double> floor = EntropyFloorInChild(options);
  double total = 0;
  std::printf("\norder-0 entropy floor per column (B/event):\n");
  for (int c = 0; c < kColumnCount; ++c) {
    std::printf("  %-18s %7.3f\n", kColumns[c], floor[c] / n);
    total += floor[c];
  }
  std::printf("  %-18s %7.3f\n", "total", total / n);
  std::printf(
      "\non disk after sealing: %.2f B/event (chunks %.2f, index %.2f, head %.2f, "
      "everything in the directory counted) = %.2fx the floor\n",
      st->bytes_on_disk / n, st->chunk_bytes / n, st->index_bytes / n, st->head_bytes / n,
      st->bytes_on_disk / total);
  const double rollups = double(st->rollup_1m.bytes + st->rollup_1h.bytes);
  const double raw = double(st->bytes_on_disk) - rollups;
  std::printf(
      "raw tier (all but rollups): %.2f B/event = %.2fx the floor; rollups: 1m %.3f + 1h "
      "%.3f B/event = %.1f%% on top of raw\n",
      raw / n, raw / total, st->rollup_1m.bytes / n, st->rollup_1h.bytes / n,
      100.0 * rollups / raw);
  return 0;
}

}  // namespace
}  // namespace sredb::bench

int main(int argc, char** argv) {
  sredb::fleet::FleetOptions options;
  options.events = 10'000'000;
  std::string dir = "/tmp/sredb-fleet-size";
  uint64_t seal_group = 0;  // 0: the default of Options
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--agents")
      options.agents = std::atoi(argv[i + 1]);
    else if (flag == "--days")
      options.days = std::atoi(argv[i + 1]);
    else if (flag == "--events")
      options.events = std::atoll(argv[i + 1]);
    else if (flag == "--dir")
      dir = argv[i + 1];
    else if (flag == "--seal-group")
      seal_group = std::strtoull(argv[i + 1], nullptr, 10);
    else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  if (!sredb::fleet::Validate(options).ok()) {
    std::fprintf(stderr, "%s\n", sredb::fleet::Validate(options).ToString().c_str());
    return 2;
  }
  return sredb::bench::Run(options, dir, seal_group);
}
