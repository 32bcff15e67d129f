// Crash safety: a writer in a child process appends random batches (late
// events into sealed partitions, background sealing, raw retention in some
// rounds, rollups) and is killed with SIGKILL at a random moment; the
// parent reopens the database and checks that every batch whose Append
// returned OK is there exactly once, the batch in flight is there entirely
// or not at all, nothing else is there, every bucket ReadBuckets returns
// equals a brute force over the events, and DB::Check finds no damage.
// Then the next writer carries on with the same database, so kills pile up.
//
// A long run (the default is 100 kills, 30 under AddressSanitizer;
// SREDB_CRASH_SEED=<n> replays a run):
//   SREDB_CRASH_KILLS=1000 build/tests/storage_tests --gtest_filter='Crash*'
//
// The writer is this binary run again (fork, then exec with
// --gtest_filter=CrashWriter.DISABLED_ChildProcess): a forked copy of the
// parent would inherit RocksDB's process-wide thread pools (Env::Default)
// without their threads, since the parent has opened databases before.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <thread>

#include "crash_util.h"
#include "storage/db.h"
#include "test_util.h"

extern char** environ;

namespace sredb::crash {
namespace {

constexpr char kChildEnv[] = "SREDB_CRASH_CHILD";
using Clock = std::chrono::steady_clock;

void Tell(Note note, uint32_t id = 0) {
  const Record r{note, id};
  if (::write(kNoteFd, &r, sizeof r) != sizeof r) ::_exit(7);
}

[[noreturn]] void Die(int code, const char* what, const Status& s) {
  std::fprintf(stderr, "crash writer: %s: %s\n", what, s.ToString().c_str());
  ::_exit(code);
}

// The child: appends batches first..first+count-1, telling the parent
// before and after each, flushing now and then; then seals, expires and
// compacts until it is killed. Never returns.
[[noreturn]] void RunWriter(const char* spec) {
  char path[4096];
  uint64_t seed = 0;
  uint32_t first = 0, count = 0;
  int retention = 0;
  int64_t kill_about = -1, kill_delay_us = 0;
  if (std::sscanf(
          spec, "%4095s %" SCNu64 " %" SCNu32 " %" SCNu32 " %d %" SCNd64 " %" SCNd64,
          path, &seed, &first, &count, &retention, &kill_about, &kill_delay_us) != 7)
    ::_exit(8);
  // kInAppend: the parent reads notes too late to strike inside an Append,
  // so the writer sends itself the SIGKILL, kill_delay_us after telling
  // kAbout for batch kill_about (SIGKILL is SIGKILL, whoever sends it).
  static std::atomic<int64_t> told{-1};
  if (kill_about >= 0) {
    std::thread([kill_about, kill_delay_us] {
      while (told.load() < kill_about) {
      }
      const auto until = Clock::now() + std::chrono::microseconds(kill_delay_us);
      while (Clock::now() < until) {
      }
      ::kill(::getpid(), SIGKILL);
    }).detach();
  }
  Options o = WriterOptions();
  o.raw_retention_ns = retention ? kRawRetention : 0;
  Tell(Note::kOpening);
  auto db = DB::Open(o, path);
  if (!db.ok()) Die(3, "open", db.status());
  Tell(Note::kOpened);
  std::mt19937_64 rng(seed + first);
  auto flush = [&db] {
    Tell(Note::kFlushing);
    Status s = (*db)->Flush();
    if (!s.ok()) Die(5, "flush", s);
    auto stats = (*db)->GetStats();
    if (!stats.ok()) Die(6, "stats", stats.status());
    if (!stats->seal_error.empty()) {
      std::fprintf(stderr, "crash writer: background sealing: %s\n",
                   stats->seal_error.c_str());
      ::_exit(6);
    }
    Tell(Note::kFlushed);
  };
  for (uint32_t id = first; id < first + count; ++id) {
    const EventBatch batch = ToEventBatch(MakeBatch(seed, id));
    Tell(Note::kAbout, id);
    told.store(id);
    Status s = (*db)->Append(WriteOptions(), batch);
    if (!s.ok()) Die(4, "append", s);
    Tell(Note::kAcked, id);
    if (rng() % 32 == 0) flush();
  }
  for (int i = 0; i < 5000; ++i) {
    flush();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::_exit(0);
}

TEST(CrashWriter, DISABLED_ChildProcess) {
  const char* spec = std::getenv(kChildEnv);
  if (spec == nullptr) GTEST_SKIP() << "run by Crash.* in a child process";
  RunWriter(spec);
}

// How the parent picks the moment to kill.
enum class KillAt { kDuringOpen, kInAppend, kAfterSleep };

struct Round {
  uint32_t first = 0, count = 0;
  bool retention = false;
  KillAt kill_at = KillAt::kAfterSleep;
  int64_t delay_us = 0;  // kDuringOpen: after kOpening; kAfterSleep: after kOpened
  uint32_t acks = 0;     // kInAppend: the writer kills itself delay_us after the
                         // kAbout of batch first + acks
};

// What the parent learnt of one writer.
struct RoundLog {
  bool opened = false;
  std::vector<uint32_t> acked;
  std::optional<uint32_t> in_flight;  // kAbout without its kAcked
  bool flushing = false;              // kFlushing without its kFlushed
  bool killed = false;                // false: the writer exited by itself
};

// Starts this binary as the writer of `round`, its note pipe on kNoteFd.
pid_t SpawnWriter(const std::string& spec, int note_w) {
  static const std::string exe = std::filesystem::read_symlink("/proc/self/exe");
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "GTEST_", 6) != 0 && std::strncmp(*e, kChildEnv, 17) != 0)
      env.emplace_back(*e);
  }
  env.push_back(std::string(kChildEnv) + "=" + spec);
  std::vector<std::string> args = {exe,
                                   "--gtest_filter=CrashWriter.DISABLED_ChildProcess",
                                   "--gtest_also_run_disabled_tests"};
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  for (auto& e : env) envp.push_back(e.data());
  argv.push_back(nullptr);
  envp.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {  // only async-signal-safe calls until exec
    if (note_w == kNoteFd) {
      ::fcntl(note_w, F_SETFD, 0);
    } else {
      ::dup2(note_w, kNoteFd);
    }
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::execve(exe.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

// Runs one writer and kills it as `round` says; returns what it told.
RoundLog RunRound(const std::string& path, uint64_t seed, const Round& round) {
  RoundLog log;
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  const std::string spec =
      path + " " + std::to_string(seed) + " " + std::to_string(round.first) + " " +
      std::to_string(round.count) + " " + std::to_string(round.retention ? 1 : 0) + " " +
      (round.kill_at == KillAt::kInAppend ? std::to_string(round.first + round.acks)
                                          : "-1") +
      " " + std::to_string(round.delay_us);
  const pid_t pid = SpawnWriter(spec, fds[1]);
  ::close(fds[1]);
  EXPECT_GT(pid, 0);
  std::optional<Clock::time_point> deadline;
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(60);
  bool eof = false;
  std::string buf;
  auto take = [&](const Record& r) {
    switch (r.note) {
      case Note::kOpening:
        if (round.kill_at == KillAt::kDuringOpen)
          deadline = Clock::now() + std::chrono::microseconds(round.delay_us);
        break;
      case Note::kOpened:
        log.opened = true;
        if (round.kill_at == KillAt::kAfterSleep)
          deadline = Clock::now() + std::chrono::microseconds(round.delay_us);
        break;
      case Note::kAbout:
        log.in_flight = r.id;
        break;
      case Note::kAcked:
        EXPECT_EQ(log.in_flight, r.id);
        log.in_flight.reset();
        log.acked.push_back(r.id);
        break;
      case Note::kFlushing:
      case Note::kFlushed:
        log.flushing = r.note == Note::kFlushing;
        break;
    }
  };
  auto read_some = [&] {
    char chunk[4096];
    const ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n <= 0) {
      eof = n == 0 || errno != EINTR;
      return;
    }
    buf.append(chunk, size_t(n));
    size_t used = 0;
    for (; used + sizeof(Record) <= buf.size(); used += sizeof(Record)) {
      Record r;
      std::memcpy(&r, buf.data() + used, sizeof r);
      take(r);
    }
    buf.erase(0, used);
  };
  while (!eof) {
    const Clock::time_point now = Clock::now();
    const Clock::time_point until = deadline ? std::min(*deadline, give_up) : give_up;
    if (now >= until) break;
    const auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(until - now);
    timespec ts{time_t(wait.count() / 1'000'000'000), long(wait.count() % 1'000'000'000)};
    pollfd p{fds[0], POLLIN, 0};
    if (::ppoll(&p, 1, &ts, nullptr) > 0) read_some();
  }
  EXPECT_LT(Clock::now(), give_up) << "the writer never reached its kill point";
  ::kill(pid, SIGKILL);
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  while (!eof) read_some();
  ::close(fds[0]);
  log.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  EXPECT_TRUE(log.killed || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
      << "the writer failed: status " << status << " (its stderr is above)";
  EXPECT_TRUE(buf.empty()) << "a torn note";
  return log;
}

int64_t PartitionOf(int64_t t) { return t / kHour * kHour; }

// Every batch known to be stored, and the events of each series.
struct Model {
  uint64_t seed = 0;
  std::map<uint32_t, std::vector<BatchEvent>> committed;
  std::array<std::vector<Event>, kSeries> series;
  int64_t high_water = INT64_MIN;  // the newest event time stored

  void Commit(uint32_t id) {
    std::vector<BatchEvent> events = MakeBatch(seed, id);
    for (const BatchEvent& e : events) {
      series[e.series].push_back(e.event);
      high_water = std::max(high_water, e.event.time);
    }
    committed.emplace(id, std::move(events));
  }
};

struct Tally {
  int rounds = 0, kills = 0;
  // Where the kills struck: in Open, in an Append, in a Flush, between.
  int kills_in_open = 0, kills_in_append = 0, kills_in_flush = 0;
  double writer_secs = 0, check_secs = 0;
  size_t acked = 0;
  int in_flight_present = 0, in_flight_absent = 0;
  size_t events_scanned = 0;  // at the last check
  // (series, partition) pairs with stored rollups at the last check.
  size_t stored_rollups_1m = 0, stored_rollups_1h = 0;
};

using Problems = std::vector<std::string>;

std::vector<Bucket> BruteForce(const std::vector<Event>& events, int64_t res,
                               int64_t from, int64_t to) {
  std::map<int64_t, rollup::RollupBucket> by_start;
  for (const Event& e : events) {
    if (e.time >= from && e.time < to) by_start[e.time / res * res].AddEvent(e);
  }
  std::vector<Bucket> out;
  for (auto& [start, b] : by_start) out.push_back(Bucket{start, b});
  return out;
}

// Compares ReadBuckets over [from, to) with the brute force; NotFound is
// accepted when `may_be_gone` (minutes of a partition retention dropped).
void CheckBuckets(Reader* reader, uint64_t id, const std::vector<Event>& events,
                  Resolution res, int64_t from, int64_t to, bool may_be_gone,
                  const std::string& what, Problems* problems) {
  std::vector<Bucket> got;
  Status s = reader->ReadBuckets(id, res, from, to, kAllFields, &got);
  if (may_be_gone && s.IsNotFound()) return;
  const std::string where = what + (res == Resolution::k1m ? " 1m" : " 1h") + " [" +
                            std::to_string(from) + ", " + std::to_string(to) + ")";
  if (!s.ok()) return problems->push_back(where + ": " + s.ToString());
  const std::vector<Bucket> want = BruteForce(events, ResolutionNs(res), from, to);
  if (got.size() != want.size()) {
    return problems->push_back(where + ": " + std::to_string(got.size()) +
                               " buckets, brute force " + std::to_string(want.size()));
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].start != want[i].start || !(got[i].agg == want[i].agg)) {
      return problems->push_back(where + ": bucket at " + std::to_string(got[i].start) +
                                 " count " + std::to_string(got[i].agg.count) +
                                 ", brute force " + std::to_string(want[i].agg.count));
    }
  }
}

// Every bucket of every series: hours over all time (built before raw
// events expire), minutes where raw events are kept, and in the three
// partitions before, where they are either complete or NotFound.
void CheckAllBuckets(Reader* reader, const Model& model, Tally* tally,
                     Problems* problems) {
  const int64_t horizon = reader->raw_horizon();
  const int64_t end = PartitionOf(model.high_water) + kHour;
  for (uint32_t s = 0; s < kSeries; ++s) {
    if (model.series[s].empty()) continue;
    const std::string agent = "a" + std::to_string(s);
    LabelMatcher m{"agent", LabelMatcher::Op::kEq, {agent}};
    auto selected = reader->Select(std::span<const LabelMatcher>(&m, 1));
    if (!selected.ok() || selected->size() != 1) {
      problems->push_back(agent + ": not selected");
      continue;
    }
    const uint64_t id = selected->front().id;
    for (int64_t p : reader->Partitions(0, end)) {
      tally->stored_rollups_1m += reader->HasRollups(id, Resolution::k1m, p);
      tally->stored_rollups_1h += reader->HasRollups(id, Resolution::k1h, p);
    }
    const std::vector<Event>& events = model.series[s];
    CheckBuckets(reader, id, events, Resolution::k1h, 0, end, false, agent, problems);
    if (horizon >= end) continue;
    CheckBuckets(reader, id, events, Resolution::k1m, horizon, end, false, agent,
                 problems);
    for (int64_t p = std::max<int64_t>(0, horizon - 3 * kHour); p < horizon; p += kHour)
      CheckBuckets(reader, id, events, Resolution::k1m, p, p + kHour, true, agent,
                   problems);
  }
}

// Scans everything: each event must belong to a stored batch or the one in
// flight, equal what was appended, and appear once. Returns how often each
// (batch, index) was seen.
std::map<std::pair<uint32_t, uint32_t>, int> ScanAndMatch(
    DB* db, const Model& model, int64_t horizon, uint32_t in_flight_id,
    const std::vector<BatchEvent>& in_flight, Problems* problems) {
  std::map<std::pair<uint32_t, uint32_t>, int> seen;
  auto it = db->Scan(ScanOptions());
  if (!it.ok()) {
    problems->push_back("scan: " + it.status().ToString());
    return seen;
  }
  for (; (*it)->Valid(); (*it)->Next()) {
    const Event& e = (*it)->event();
    const uint32_t id = e.tokens_in, index = e.tokens_out;
    auto c = model.committed.find(id);
    const std::vector<BatchEvent>* batch = c != model.committed.end() ? &c->second
                                           : !in_flight.empty() && id == in_flight_id
                                               ? &in_flight
                                               : nullptr;
    const std::string name = "event " + std::to_string(index) + " of batch " +
                             std::to_string(id) + " at " + std::to_string(e.time);
    if (batch == nullptr || index >= batch->size()) {
      problems->push_back("unexpected " + name);
      continue;
    }
    const BatchEvent& want = (*batch)[index];
    if (!(want.event == e) ||
        (*it)->labels().ToString() != SeriesLabels(want.series).ToString())
      problems->push_back(name + " differs from the one appended");
    if (PartitionOf(e.time) < horizon)
      problems->push_back(name + " lies before the raw horizon");
    if (++seen[{id, index}] == 2) problems->push_back("duplicate " + name);
  }
  if (!(*it)->status().ok()) problems->push_back("scan: " + (*it)->status().ToString());
  return seen;
}

// Reopens the database after round `log` and checks it against `model`,
// into which it commits the round's acked batches and, when present, the
// one in flight.
Problems Verify(const std::string& path, const RoundLog& log, Model* model,
                Tally* tally) {
  Problems problems;
  for (uint32_t id : log.acked) model->Commit(id);
  tally->acked += log.acked.size();
  Options o = WriterOptions();
  o.background_sealing = false;
  auto db = DB::Open(o, path);
  if (!db.ok()) return {"reopen: " + db.status().ToString()};
  auto reader = (*db)->NewReader();
  if (!reader.ok()) return {"reader: " + reader.status().ToString()};
  const int64_t horizon = (*reader)->raw_horizon();
  const uint32_t flying = log.in_flight.value_or(0);
  const std::vector<BatchEvent> in_flight =
      log.in_flight ? MakeBatch(model->seed, flying) : std::vector<BatchEvent>();
  auto seen = ScanAndMatch(db->get(), *model, horizon, flying, in_flight, &problems);
  tally->events_scanned = 0;
  for (const auto& [key, n] : seen) tally->events_scanned += size_t(n);
  if (log.in_flight) {
    size_t present = 0;
    for (uint32_t i = 0; i < in_flight.size(); ++i) present += seen.count({flying, i});
    if (present == in_flight.size()) {
      model->Commit(flying);
      ++tally->in_flight_present;
    } else if (present == 0) {
      ++tally->in_flight_absent;
    } else {
      problems.push_back("batch " + std::to_string(flying) +
                         " in flight is partial: " + std::to_string(present) + " of " +
                         std::to_string(in_flight.size()) + " events");
    }
  }
  for (const auto& [id, events] : model->committed) {
    for (size_t i = 0; i < events.size(); ++i) {
      const int64_t p = PartitionOf(events[i].event.time);
      // Retention drops a partition only once it lies its horizon behind.
      const bool kept = p + kHour + kRawRetention > model->high_water;
      if ((p >= horizon || kept) && seen.count({id, uint32_t(i)}) == 0) {
        problems.push_back("acknowledged event " + std::to_string(i) + " of batch " +
                           std::to_string(id) + " at " +
                           std::to_string(events[i].event.time) + " is missing");
      }
    }
  }
  tally->stored_rollups_1m = tally->stored_rollups_1h = 0;
  CheckAllBuckets(reader->get(), *model, tally, &problems);
  reader->reset();
  auto check = (*db)->Check();
  if (!check.ok()) problems.push_back("check: " + check.status().ToString());
  for (const std::string& p : check.ok() ? check->problems : Problems())
    problems.push_back("check: " + p);
  Status closed = (*db)->Close();
  if (!closed.ok()) problems.push_back("close: " + closed.ToString());
  return problems;
}

// Each round reopens the database twice (writer and check); under
// AddressSanitizer an open costs ~0.3 s, so 100 kills would take ~150 s:
// the sanitized build defaults to 30 (the g++ build of CI runs 100).
#if defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kDefaultKills = 30;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr uint64_t kDefaultKills = 30;
#else
constexpr uint64_t kDefaultKills = 100;
#endif
#else
constexpr uint64_t kDefaultKills = 100;
#endif

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

Round NextRound(std::mt19937_64& rng, uint32_t first) {
  Round r;
  r.first = first;
  r.count = 1 + uint32_t(rng() % 60);
  r.retention = rng() % 5 < 2;
  switch (rng() % 8) {
    case 0:
      r.kill_at = KillAt::kDuringOpen;
      r.delay_us = int64_t(rng() % 3000);
      break;
    case 1:
    case 2:
    case 3:
    case 4:
      r.kill_at = KillAt::kInAppend;
      r.acks = uint32_t(rng() % r.count);
      r.delay_us = int64_t(rng() % 100);
      break;
    default:
      r.kill_at = KillAt::kAfterSleep;
      r.delay_us = int64_t(rng() % 50'000);
  }
  return r;
}

TEST(Crash, AcknowledgedBatchesSurviveSigkillWholeAndOnce) {
  const uint64_t kills = EnvOr("SREDB_CRASH_KILLS", kDefaultKills);
  const uint64_t seed = EnvOr("SREDB_CRASH_SEED", std::random_device()());
  SCOPED_TRACE("SREDB_CRASH_SEED=" + std::to_string(seed));
  testing::TempDir dir;
  const std::string path = dir.Sub("db");
  Model model;
  model.seed = seed;
  std::mt19937_64 rng(seed);
  Tally tally;
  uint32_t next_id = 0;
  const auto start = Clock::now();
  while (uint64_t(tally.kills) < kills && uint64_t(tally.rounds) < 2 * kills + 10) {
    SCOPED_TRACE("round " + std::to_string(tally.rounds));
    const Round round = NextRound(rng, next_id);
    next_id = round.first + round.count;  // ids are never reused
    const auto t0 = Clock::now();
    const RoundLog log = RunRound(path, seed, round);
    ASSERT_FALSE(HasFailure());
    const auto t1 = Clock::now();
    ++tally.rounds;
    tally.kills += log.killed;
    tally.kills_in_open += log.killed && !log.opened;
    tally.kills_in_append += log.killed && log.in_flight.has_value();
    tally.kills_in_flush += log.killed && log.flushing;
    const Problems problems = Verify(path, log, &model, &tally);
    tally.writer_secs += std::chrono::duration<double>(t1 - t0).count();
    tally.check_secs += std::chrono::duration<double>(Clock::now() - t1).count();
    std::string all;
    for (const std::string& p : problems) all += "\n  " + p;
    ASSERT_TRUE(problems.empty()) << problems.size() << " problems:" << all;
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "crash: %d kills in %d rounds (%d in Open, %d in Append, %d in Flush), %zu acked "
      "batches verified, in-flight batches present %d / absent %d, %zu events at the "
      "end (stored rollups: %zu series-partitions of minutes, %zu of hours); %.1f s "
      "(writers %.1f s, checks %.1f s), seed %" PRIu64 "\n",
      tally.kills, tally.rounds, tally.kills_in_open, tally.kills_in_append,
      tally.kills_in_flush, tally.acked, tally.in_flight_present, tally.in_flight_absent,
      tally.events_scanned, tally.stored_rollups_1m, tally.stored_rollups_1h, secs,
      tally.writer_secs, tally.check_secs, seed);
}

}  // namespace
}  // namespace sredb::crash
