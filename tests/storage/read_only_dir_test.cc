// A database in a directory nobody may write (chmod a-w on it and its
// files): DB::Open with read_only answers scans, stats and Check; a writer
// open fails with an IOError naming the cause and the path. Root ignores
// permissions, so the checks run in a child process (this binary run
// again) that, when started as root, first drops to uid/gid 65534.
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "storage/db.h"
#include "test_util.h"

extern char** environ;

namespace sredb {
namespace {

namespace fs = std::filesystem;
using testing::AgentLabels;
using testing::kT0;
using testing::ManualSealing;
using testing::OpenOrDie;
using testing::TempDir;

constexpr char kChildEnv[] = "SREDB_READ_ONLY_DIR";
constexpr size_t kEvents = 40;

void MakeReadOnly(const std::string& path, bool read_only) {
  const auto write =
      fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write;
  const auto read =
      fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read;
  const auto exec =
      fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec;
  auto apply = [&](const fs::path& p, bool dir) {
    fs::permissions(p, read | (dir ? exec : fs::perms::none), fs::perm_options::add);
    fs::permissions(p, read_only ? write : fs::perms::owner_write,
                    read_only ? fs::perm_options::remove : fs::perm_options::add);
  };
  apply(path, true);
  for (const auto& e : fs::recursive_directory_iterator(path))
    apply(e.path(), e.is_directory());
}

// Runs in the child: the path of the database comes in kChildEnv.
TEST(ReadOnlyDirChild, DISABLED_Opens) {
  const char* path = std::getenv(kChildEnv);
  ASSERT_NE(path, nullptr);
  if (::geteuid() == 0) {
    ASSERT_EQ(::setgroups(0, nullptr), 0);
    ASSERT_EQ(::setresgid(65534, 65534, 65534), 0);
    ASSERT_EQ(::setresuid(65534, 65534, 65534), 0);
  }
  ASSERT_NE(::access(path, W_OK), 0)
      << "the directory is writable: the test proves nothing";

  Options writer = ManualSealing();
  auto refused = DB::Open(writer, path);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().IsIOError()) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("Permission denied"), std::string::npos)
      << refused.status().ToString();
  EXPECT_NE(refused.status().message().find(path), std::string::npos)
      << refused.status().ToString();

  Options ro = ManualSealing();
  ro.read_only = true;
  auto db = DB::Open(ro, path);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(testing::ScanAll(db->get()).size(), kEvents);
  auto stats = (*db)->GetStats();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->events, kEvents);
  auto report = (*db)->Check();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->problems.empty()) << report->problems.front();
  EventBatch batch;
  Event e;
  e.time = kT0;
  batch.Add(batch.AddSeries(AgentLabels("a")), e);
  EXPECT_TRUE((*db)->Append(WriteOptions(), batch).IsNotSupported());
  EXPECT_TRUE((*db)->Close().ok());
}

TEST(ReadOnlyDir, OpensReadOnlyAndRefusesAWriterByName) {
  TempDir dir;
  const std::string path = dir.Sub("db");
  {
    auto db = OpenOrDie(path, ManualSealing());
    ASSERT_NE(db, nullptr);
    EventBatch batch;
    for (size_t i = 0; i + 1 < kEvents; ++i) {
      Event e;
      e.time = kT0 + static_cast<int64_t>(i) * kNanosPerDay / 10;  // four partitions
      batch.Add(batch.AddSeries(AgentLabels("a" + std::to_string(i % 3))), e);
    }
    ASSERT_TRUE(db->Append(WriteOptions(), batch).ok());
    ASSERT_TRUE(db->Flush().ok());  // chunks and rollups on disk
    Event late;
    late.time = kT0 + 1;  // and one event left in the head (WAL and memtable)
    EventBatch more;
    more.Add(more.AddSeries(AgentLabels("a0")), late);
    ASSERT_TRUE(db->Append(WriteOptions(), more).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  MakeReadOnly(path, true);
  MakeReadOnly(dir.path(), false);
  fs::permissions(dir.path(), fs::perms::others_exec | fs::perms::others_read,
                  fs::perm_options::add);
  const std::string before = [&] {
    std::string listing;
    for (const auto& e : fs::directory_iterator(path))
      listing +=
          e.path().filename().string() + " " + std::to_string(e.file_size()) + "\n";
    return listing;
  }();

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::setenv(kChildEnv, path.c_str(), 1);
    const char* argv[] = {"/proc/self/exe", "--gtest_also_run_disabled_tests",
                          "--gtest_filter=ReadOnlyDirChild.DISABLED_Opens", nullptr};
    ::execve("/proc/self/exe", const_cast<char**>(argv), environ);
    ::_exit(127);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "the read-only child failed (its output is above)";
  std::string after;
  for (const auto& e : fs::directory_iterator(path))
    after += e.path().filename().string() + " " + std::to_string(e.file_size()) + "\n";
  EXPECT_EQ(before, after) << "a read-only open changed the directory";
  MakeReadOnly(path, false);
}

}  // namespace
}  // namespace sredb
