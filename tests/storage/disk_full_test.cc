// A full disk: RocksDB is opened on a file system with a byte budget
// (fault_fs.h), and batches are appended and sealed until a write fails.
// The failure must be an IOError naming the cause; after it, the database
// reopened on the real file system holds every acknowledged batch exactly
// once, the failed one whole or not at all, and Check finds nothing wrong.
//
// The writer runs in a child process (this binary run again, as in
// crash_test.cc), because RocksDB 7.8.3 as Debian packages it (assertions
// compiled in) can abort in a background compaction whose output write
// failed (CompactionJob::UpdateCompactionJobStats -> SmallestUserKey on an
// output without keys). The parent counts such aborts; they lose nothing
// acknowledged, like any crash, and the checks after them are the same.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fault_fs.h"
#include "storage/db.h"
#include "storage/internal/db_impl.h"
#include "test_util.h"

extern char** environ;

namespace sredb {
namespace {

using testing::AgentLabels;
using testing::BudgetFileSystem;
using testing::kT0;
using testing::ManualSealing;
using testing::TempDir;

constexpr char kChildEnv[] = "SREDB_DISK_FULL_CHILD";
constexpr int kEventsPerBatch = 200;
constexpr int kMaxBatches = 600;
constexpr int kBatchesPerPartition = 20;
constexpr int kFlushEvery = 5;

// Batch i: kEventsPerBatch events in five series, a twentieth of a day
// after batch i - 1, so that every kFlushEvery batches a Flush seals.
EventBatch MakeBatch(int i) {
  std::mt19937_64 rng(static_cast<uint64_t>(i));
  EventBatch batch;
  const int64_t base = kT0 + i * (kNanosPerDay / kBatchesPerPartition);
  for (int j = 0; j < kEventsPerBatch; ++j) {
    Event e = testing::RandomEvent(rng, base + i + j * 1000);
    batch.Add(batch.AddSeries(AgentLabels("agent-" + std::to_string(j % 5))), e);
  }
  return batch;
}

int BatchOf(int64_t time) {
  const int64_t step = kNanosPerDay / kBatchesPerPartition;
  return static_cast<int>((time - kT0) / step);
}

// The child's report, one line each, written unbuffered so that an abort
// loses none: "about I", "ack I", "error append|flush MESSAGE", "done".
void Report(int fd, const std::string& line) {
  const std::string l = line + "\n";
  if (::write(fd, l.data(), l.size()) != static_cast<ssize_t>(l.size())) ::_exit(9);
}

// Opens dir on a file system with `budget` bytes (after Open), and appends
// and flushes until something fails; then tries three more appends, closes.
void RunUntilFull(const std::string& dir, int64_t budget, int fd) {
  auto fs = std::make_shared<BudgetFileSystem>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  Options o = ManualSealing();
  o.create_if_missing = true;
  o.write_buffer_bytes = kMinWriteBufferBytes;
  auto db = std::make_unique<internal::DBImpl>(o, dir);
  db->SetEnvForTesting(env.get());
  ASSERT_TRUE(db->Init().ok());
  fs->SetBudget(budget);
  bool failed = false;
  for (int i = 0; i < kMaxBatches && !failed; ++i) {
    Report(fd, "about " + std::to_string(i));
    Status s = db->Append(WriteOptions(), MakeBatch(i));
    if (!s.ok()) {
      Report(fd, "error append " + s.ToString());
      failed = true;
      break;
    }
    Report(fd, "ack " + std::to_string(i));
    if ((i + 1) % kFlushEvery == 0) {
      s = db->Flush();
      if (!s.ok()) {
        Report(fd, "error flush " + s.ToString());
        failed = true;
      }
    }
  }
  // Once the disk is full, appends keep failing cleanly (or succeed; then
  // they are acknowledged and must survive like any other).
  for (int i = kMaxBatches; i < kMaxBatches + 3; ++i) {
    Report(fd, "about " + std::to_string(i));
    if (db->Append(WriteOptions(), MakeBatch(i)).ok())
      Report(fd, "ack " + std::to_string(i));
  }
  db->Close().IgnoreError();  // may fail too: the disk is still full
  Report(fd, "done");
}

TEST(DiskFullChild, DISABLED_Run) {
  const char* spec = std::getenv(kChildEnv);
  ASSERT_NE(spec, nullptr);
  char dir[4096], report[4096];
  int64_t budget = 0;
  ASSERT_EQ(std::sscanf(spec, "%4095s %" SCNd64 " %4095s", dir, &budget, report), 3);
  const int fd = ::open(report, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  RunUntilFull(dir, budget, fd);
  ::close(fd);
}

struct FillRun {
  std::vector<int> acked;
  std::set<int> unacked;  // batches whose Append failed or was under way
  std::string error;      // "append ..." or "flush ...", empty if none
  bool done = false;
  bool aborted = false;
};

// Runs the child writer for `budget` and reads its report.
void RunChild(const std::string& dir, int64_t budget, FillRun* run) {
  const std::string report = dir + ".report";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::setenv(kChildEnv, (dir + " " + std::to_string(budget) + " " + report).c_str(), 1);
    const char* argv[] = {"/proc/self/exe", "--gtest_also_run_disabled_tests",
                          "--gtest_filter=DiskFullChild.DISABLED_Run", nullptr};
    ::execve("/proc/self/exe", const_cast<char**>(argv), environ);
    ::_exit(127);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  run->aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
  ASSERT_TRUE(run->aborted || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
      << "the writer failed (its output is above), status " << status;
  std::ifstream in(report);
  std::string word;
  while (in >> word) {
    if (word == "about") {
      int i = 0;
      in >> i;
      run->unacked.insert(i);
    } else if (word == "ack") {
      int i = 0;
      in >> i;
      run->acked.push_back(i);
      run->unacked.erase(i);
    } else if (word == "error") {
      std::getline(in, run->error);
      if (run->error.empty()) run->error = " ";
    } else if (word == "done") {
      run->done = true;
    }
  }
}

void ExpectAckedExactlyOnce(const std::string& dir, const FillRun& run) {
  Options o = ManualSealing();
  auto db = DB::Open(o, dir);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  std::map<int, int> per_batch;
  for (const auto& ev : testing::ScanAll(db->get())) ++per_batch[BatchOf(ev.event.time)];
  for (int i : run.acked) {
    EXPECT_EQ(per_batch[i], kEventsPerBatch) << "acknowledged batch " << i;
    per_batch.erase(i);
  }
  for (const auto& [batch, events] : per_batch) {
    EXPECT_TRUE(run.unacked.count(batch)) << "batch " << batch << " was never appended";
    EXPECT_EQ(events, kEventsPerBatch) << "the failed batch is not whole";
  }
  auto report = (*db)->Check();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->problems.empty()) << report->problems.front();
  // The database takes writes again once there is room.
  EXPECT_TRUE((*db)->Append(WriteOptions(), MakeBatch(kMaxBatches + 10)).ok());
  EXPECT_TRUE((*db)->Close().ok());
}

TEST(DiskFull, WritesFailNamingTheCauseAndAcknowledgedBatchesSurvive) {
  int in_append = 0, in_flush = 0, aborted = 0;
  // Budgets from inside the first WAL record to past several seals and
  // memtable flushes.
  for (int64_t budget : {int64_t{1} << 10, int64_t{24} << 10, int64_t{200} << 10,
                         int64_t{700} << 10, int64_t{1500} << 10, int64_t{3} << 20}) {
    SCOPED_TRACE("budget " + std::to_string(budget));
    TempDir dir;
    FillRun run;
    RunChild(dir.Sub("db"), budget, &run);
    if (HasFatalFailure()) return;
    if (run.aborted) {
      ++aborted;
    } else {
      ASSERT_TRUE(run.done);
      ASSERT_FALSE(run.error.empty()) << "the budget was never spent";
      EXPECT_NE(run.error.find("IO error"), std::string::npos) << run.error;
      EXPECT_NE(run.error.find("No space left on device"), std::string::npos)
          << run.error;
      (run.error.starts_with(" flush") ? in_flush : in_append)++;
    }
    ExpectAckedExactlyOnce(dir.Sub("db"), run);
  }
  std::printf("disk full: %d failed Appends, %d failed Flushes, %d RocksDB aborts\n",
              in_append, in_flush, aborted);
  // Appends were driven out of space, and sealing (Flush) too, either
  // failing cleanly or hitting RocksDB's compaction assertion.
  EXPECT_GT(in_append, 0);
  EXPECT_GT(in_flush + aborted, 0);
}

}  // namespace
}  // namespace sredb
