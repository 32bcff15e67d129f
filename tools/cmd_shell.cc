// `sredb shell`: statements and dot-commands from stdin, read as sqlite3's
// shell reads them.
//
// A statement ends at a ';' outside a 'string', a "quoted name" and a
// -- comment, and may span lines; text left after the last ';' is run at the
// end of input. A line that starts with '.' outside a statement is a
// dot-command (.help lists them). Errors go to stderr as
// "Error: near line N: <message>", N the line on which the statement starts,
// and the shell goes on with the next one.
//
// On a terminal: a banner, prompts, and Ctrl-C cancels the running statement
// (at the prompt it is ignored; leave with .quit or Ctrl-D). Otherwise: only
// results and errors, and the exit status is 1 if any statement or
// dot-command failed.
//
// The database is created if absent, then opened read-only: the shell takes
// no writer lock, so it runs beside an ingest, and sees the data as of its
// start (reopening per statement would cost a full open, 0.26 s on a 1M-event
// database; a cheap refresh belongs in the storage layer).
//
// Thread safety: one shell per process (SIGINT sets a global flag).
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "query/query.h"
#include "storage/db.h"
#include "tools/commands.h"
#include "tools/internal/result_format.h"

namespace sredb::tools {
namespace {

// Set by SIGINT on a terminal; the running statement polls it.
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void OnInterrupt(int) { g_interrupted.store(true); }

void CatchInterrupts() {
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // a prompt waiting in read() keeps waiting
  sigaction(SIGINT, &sa, nullptr);
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// A statement as read: its text from its first token to its ';' (none at
// the end of input), and the input line (from 1) on which it starts.
struct PendingStatement {
  std::string text;
  int line = 0;
};

// Cuts input lines into statements. Invariants: text_ is empty unless
// in_statement_ (whitespace and comments between statements are dropped, so
// a statement's text starts with its first token); quote_ is 0 outside a
// string or quoted name, else its quote character.
class StatementSplitter {
 public:
  // Feeds one input line (without its newline), numbered `line_no`; appends
  // each statement it ends to `done`.
  void AddLine(std::string_view line, int line_no, std::vector<PendingStatement>* done) {
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (quote_) {
        if (c == quote_) quote_ = 0;  // '' or "" re-enters at the next char
      } else if (c == '-' && i + 1 < line.size() && line[i + 1] == '-') {
        if (in_statement_) text_.append(line.substr(i));
        break;
      } else if (c == ';') {
        if (in_statement_) done->push_back({std::move(text_) + ';', start_line_});
        text_.clear();
        in_statement_ = false;
        continue;
      } else if (!in_statement_ && IsSpace(c)) {
        continue;
      } else if (c == '\'' || c == '"') {
        quote_ = c;
      }
      if (!in_statement_) start_line_ = line_no;
      in_statement_ = true;
      text_.push_back(c);
    }
    if (in_statement_) text_.push_back('\n');
  }

  // True while a statement has begun and not ended.
  bool InStatement() const { return in_statement_; }

  // The unfinished statement at the end of input, if any.
  std::optional<PendingStatement> Finish() {
    if (!in_statement_) return std::nullopt;
    in_statement_ = false;
    return PendingStatement{std::move(text_), start_line_};
  }

 private:
  std::string text_;
  int start_line_ = 0;
  bool in_statement_ = false;
  char quote_ = 0;
};

// Wall-clock and CPU time since construction, printed as sqlite3's .timer.
class RunTimer {
 public:
  RunTimer() : start_(std::chrono::steady_clock::now()), cpu_(CpuNow()) {}

  std::string Line() const {
    const double real =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const Cpu now = CpuNow();
    char buf[128];
    std::snprintf(buf, sizeof buf, "Run Time: real %.6f user %.6f sys %.6f\n", real,
                  now.user - cpu_.user, now.sys - cpu_.sys);
    return buf;
  }

 private:
  struct Cpu {
    double user = 0, sys = 0;
  };
  static Cpu CpuNow() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto seconds = [](const timeval& tv) { return double(tv.tv_sec) + tv.tv_usec / 1e6; };
    return {seconds(ru.ru_utime), seconds(ru.ru_stime)};
  }

  std::chrono::steady_clock::time_point start_;
  Cpu cpu_;
};

constexpr char kHelp[] =
    ".exit, .quit           leave the shell (so does the end of input, Ctrl-D)\n"
    ".help                  show this message\n"
    ".mode table|csv|json   how results are printed (default: table)\n"
    ".timer on|off          print the time each statement takes\n"
    "Statements end with ';' and may span lines; -- starts a comment.\n"
    "The database is read as it was when the shell started (a read-only view\n"
    "beside any writer): restart the shell to see newer events.\n";

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (true) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i == line.size()) return words;
    const size_t start = i;
    while (i < line.size() && !IsSpace(line[i])) ++i;
    words.push_back(line.substr(start, i - start));
  }
}

class Shell {
 public:
  Shell(DB* db, std::string path, bool interactive)
      : db_(db), path_(std::move(path)), interactive_(interactive) {}

  // Reads stdin to its end or to .quit; returns the exit status.
  int Run() {
    if (interactive_) {
      Print("sredb shell: " + path_ +
            " (read-only, as of now); enter \".help\" for usage hints.\n");
    }
    StatementSplitter splitter;
    std::vector<PendingStatement> done;
    std::string line;
    for (int line_no = 1; !quit_; ++line_no) {
      if (interactive_) Print(splitter.InStatement() ? "   ...> " : "sredb> ");
      if (!std::getline(std::cin, line)) break;
      if (!splitter.InStatement() && IsDotCommand(line)) {
        RunDotCommand(line, line_no);
        continue;
      }
      splitter.AddLine(line, line_no, &done);
      for (size_t i = 0; i < done.size() && !quit_; ++i) RunStatement(done[i]);
      done.clear();
    }
    if (!quit_) {
      if (interactive_) Print("\n");
      if (auto rest = splitter.Finish()) RunStatement(*rest);
    }
    return ExitStatus();
  }

 private:
  int ExitStatus() const {
    if (output_failed_) return kExitFailure;
    return failed_ && !interactive_ ? kExitFailure : kExitOk;
  }

  static bool IsDotCommand(std::string_view line) {
    size_t i = 0;
    while (i < line.size() && IsSpace(line[i])) ++i;
    return i < line.size() && line[i] == '.';
  }

  void RunStatement(const PendingStatement& s) {
    RunTimer timer;
    g_interrupted.store(false);
    query::QueryOptions options;
    if (interactive_) options.cancel = &g_interrupted;
    auto table = query::Execute(db_, s.text, options);
    if (table.ok()) {
      std::string text;
      AppendResult(*table, mode_, &text);
      Print(text);
    } else {
      Error(s.line, table.status().message());
    }
    if (timer_) Print(timer.Line());
  }

  void RunDotCommand(std::string_view line, int line_no) {
    const std::vector<std::string_view> w = Words(line);
    const std::string_view cmd = w[0];
    if ((cmd == ".quit" || cmd == ".exit") && w.size() == 1) {
      quit_ = true;
    } else if (cmd == ".help" && w.size() == 1) {
      Print(kHelp);
    } else if (cmd == ".mode" && w.size() == 1) {
      Print("current output mode: " + std::string(OutputFormatName(mode_)) + "\n");
    } else if (cmd == ".mode" && w.size() == 2 && ParseOutputFormat(w[1])) {
      mode_ = *ParseOutputFormat(w[1]);
    } else if (cmd == ".mode") {
      Error(line_no, "usage: .mode table|csv|json");
    } else if (cmd == ".timer" && w.size() == 2 && (w[1] == "on" || w[1] == "off")) {
      timer_ = w[1] == "on";
    } else if (cmd == ".timer") {
      Error(line_no, "usage: .timer on|off");
    } else {
      Error(line_no, "unknown command or invalid arguments: \"" + std::string(line) +
                         "\"; enter \".help\" for help");
    }
  }

  void Error(int line_no, const std::string& message) {
    failed_ = true;
    std::fflush(stdout);  // keep results and errors in order on a shared terminal
    std::fprintf(stderr, "Error: near line %d: %s\n", line_no, message.c_str());
  }

  // Writes to stdout; a failed write (a closed pipe) ends the shell.
  void Print(std::string_view text) {
    if (output_failed_) return;
    Status s = WriteStdout(text);
    if (s.ok()) return;
    std::fprintf(stderr, "Error: %s\n", s.message().c_str());
    output_failed_ = quit_ = true;
  }

  DB* db_;
  const std::string path_;
  const bool interactive_;
  OutputFormat mode_ = OutputFormat::kTable;
  bool timer_ = false;
  bool failed_ = false;         // a statement or dot-command failed
  bool output_failed_ = false;  // stdout is gone: stop
  bool quit_ = false;
};

// Opens `path` read-only, creating the database first when there is none.
Result<std::unique_ptr<DB>> OpenForShell(const std::string& path) {
  Options read_only;
  read_only.read_only = true;
  auto db = DB::Open(read_only, path);
  if (db.ok() || !db.status().IsNotFound()) return db;
  Options create;
  create.create_if_missing = true;
  create.background_sealing = false;
  auto created = DB::Open(create, path);
  if (!created.ok()) return created.status();
  SREDB_RETURN_IF_ERROR((*created)->Close());
  return DB::Open(read_only, path);
}

}  // namespace

int RunShell(const std::string& path) {
  auto db = OpenForShell(path);
  if (!db.ok()) return Fail(db.status().message());
  const bool interactive = isatty(STDIN_FILENO) == 1;
  if (interactive) CatchInterrupts();
  return Shell(db->get(), path, interactive).Run();
}

}  // namespace sredb::tools
