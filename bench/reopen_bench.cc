// reopen_bench: how long DB::Open takes after a crash with a full head. A
// forked child creates a DB with background sealing off, appends a fleet
// (tools/fleet.h) through the C++ API in batches of 10,000, and is killed
// with SIGKILL once its last Append returned, so that no Close ran and
// everything is in the WAL and the head. The parent then copies the crashed
// directory afresh for each repetition (every reopen replays the same WAL)
// and times DB::Open read-write on the copy, printing the median, min and
// max, the WAL bytes and the head events found after the reopen.
//
//   build/bench/reopen_bench [--events N] [--reps R] [--dir PATH]
//   default: --events 1000000 --reps 5 --dir /tmp/sredb-reopen-bench
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/db.h"
#include "tools/fleet.h"

namespace sredb::bench {
namespace {

namespace fs = std::filesystem;

constexpr size_t kBatchEvents = 10'000;

// In the child: creates the DB at `dir` and appends the fleet; returns
// false (after printing why) on any error.
bool Load(const fleet::FleetOptions& fleet, const std::string& dir) {
  Options o;
  o.create_if_missing = true;
  o.background_sealing = false;
  auto db = DB::Open(o, dir);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
    return false;
  }
  fleet::FleetGenerator gen(fleet);
  constexpr uint32_t kNone = ~uint32_t{0};
  std::vector<uint32_t> batch_index;  // fleet series -> index in the batch
  EventBatch batch;
  uint32_t series;
  Event ev;
  for (bool more = true; more;) {
    more = gen.Next(&series, &ev);
    if (more) {
      if (series >= batch_index.size()) batch_index.resize(series + 1, kNone);
      if (batch_index[series] == kNone)
        batch_index[series] = batch.AddSeries(gen.series(series));
      batch.Add(batch_index[series], std::move(ev));
    }
    if (batch.size() == kBatchEvents || (!more && !batch.empty())) {
      if (Status s = (*db)->Append(WriteOptions(), batch); !s.ok()) {
        std::fprintf(stderr, "append: %s\n", s.ToString().c_str());
        return false;
      }
      batch.Clear();
      std::fill(batch_index.begin(), batch_index.end(), kNone);
    }
  }
  (void)db->release();  // leak the DB: the process dies without Close
  return true;
}

// Runs Load in a child, SIGKILLed once it reports success. False on error.
bool LoadAndCrash(const fleet::FleetOptions& fleet, const std::string& dir) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    close(fds[0]);
    const char ok = Load(fleet, dir) ? 1 : 0;
    (void)!write(fds[1], &ok, 1);
    for (;;) pause();  // wait for the SIGKILL
  }
  close(fds[1]);
  char ok = 0;
  const bool got = read(fds[0], &ok, 1) == 1;
  close(fds[0]);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return got && ok == 1;
}

uint64_t BytesOf(const fs::path& dir, bool wal_only) {
  uint64_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    if (wal_only && e.path().extension() != ".log") continue;
    n += e.file_size();
  }
  return n;
}

int Run(const fleet::FleetOptions& fleet, const std::string& base, int reps) {
  const std::string crashed = base + "/crashed", copy = base + "/copy";
  fs::remove_all(base);
  fs::create_directories(base);
  if (!LoadAndCrash(fleet, crashed)) {
    std::fprintf(stderr, "loading the fleet failed\n");
    return 1;
  }
  std::printf(
      "crashed DB: %lld events appended in batches of %zu, WAL %.1f MiB (%llu B), "
      "directory %.1f MiB\n",
      static_cast<long long>(fleet.events), kBatchEvents,
      BytesOf(crashed, true) / 1048576.0,
      static_cast<unsigned long long>(BytesOf(crashed, true)),
      BytesOf(crashed, false) / 1048576.0);
  std::vector<double> secs;
  for (int r = 0; r < reps; ++r) {
    fs::remove_all(copy);
    fs::copy(crashed, copy, fs::copy_options::recursive);
    Options o;
    o.background_sealing = false;  // time Open alone
    auto t0 = std::chrono::steady_clock::now();
    auto db = DB::Open(o, copy);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!db.ok()) {
      std::fprintf(stderr, "reopen: %s\n", db.status().ToString().c_str());
      return 1;
    }
    auto st = (*db)->GetStats();
    if (!st.ok() || (*db)->Close().IsCorruption()) return 1;
    std::printf("  reopen %d: %.3f s, %llu events (%llu in head)\n", r + 1, s,
                static_cast<unsigned long long>(st->events),
                static_cast<unsigned long long>(st->head_events));
    secs.push_back(s);
  }
  std::sort(secs.begin(), secs.end());
  std::printf("DB::Open after a crash: median %.3f s, min %.3f s, max %.3f s (%d runs)\n",
              secs[secs.size() / 2], secs.front(), secs.back(), reps);
  fs::remove_all(base);
  return 0;
}

}  // namespace
}  // namespace sredb::bench

int main(int argc, char** argv) {
  sredb::fleet::FleetOptions fleet;
  fleet.events = 1'000'000;
  int reps = 5;
  std::string dir = "/tmp/sredb-reopen-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--events")
      fleet.events = std::atoll(argv[i + 1]);
    else if (flag == "--reps")
      reps = std::max(1, std::atoi(argv[i + 1]));
    else if (flag == "--dir")
      dir = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  if (argc % 2 == 0) {
    std::fprintf(stderr, "flag %s needs a value\n", argv[argc - 1]);
    return 2;
  }
  if (sredb::Status s = sredb::fleet::Validate(fleet); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 2;
  }
  return sredb::bench::Run(fleet, dir, reps);
}
