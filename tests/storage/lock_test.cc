// A second writer, in this process or another, is refused with Busy.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storage/db.h"
#include "test_util.h"

namespace sredb {
namespace {

using testing::OpenOrDie;
using testing::TempDir;

TEST(WriterLock, SecondWriterInTheSameProcessIsRefused) {
  TempDir dir;
  auto first = OpenOrDie(dir.path());
  Options o;
  auto second = DB::Open(o, dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().IsBusy()) << second.status().ToString();
  EXPECT_NE(second.status().message().find("already open for writing by this process"),
            std::string::npos)
      << second.status().message();
}

TEST(WriterLock, SecondWriterProcessIsRefusedAndNamesTheHolder) {
  TempDir dir;
  auto first = OpenOrDie(dir.path());
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {  // child: try to open for writing, report what happened
    close(pipefd[0]);
    auto db = DB::Open(Options(), dir.path());
    std::string msg = db.ok() ? "opened" : db.status().ToString();
    (void)!write(pipefd[1], msg.data(), msg.size());
    _exit(db.ok() ? 0 : 3);
  }
  close(pipefd[1]);
  std::string msg;
  char buf[512];
  for (ssize_t n; (n = read(pipefd[0], buf, sizeof(buf))) > 0;) msg.append(buf, n);
  close(pipefd[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(WEXITSTATUS(status), 3) << msg;
  EXPECT_NE(msg.find("Busy"), std::string::npos) << msg;
  EXPECT_NE(msg.find("process " + std::to_string(getpid())), std::string::npos) << msg;
}

TEST(WriterLock, ReleasedOnCloseAndReadersMayOpenBeside) {
  TempDir dir;
  auto first = OpenOrDie(dir.path());
  Options ro;
  ro.read_only = true;
  auto reader = DB::Open(ro, dir.path());
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_TRUE(first->Close().ok());
  auto again = DB::Open(Options(), dir.path());
  EXPECT_TRUE(again.ok()) << again.status().ToString();
}

}  // namespace
}  // namespace sredb
