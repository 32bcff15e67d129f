// The subcommands of the `sredb` binary (contract: ../shared/CLI.md in the
// design docs, summarised in README.md). Each returns the process exit
// status: 0 success, 1 failure (message on stderr), 2 bad usage.
#ifndef SREDB_TOOLS_COMMANDS_H_
#define SREDB_TOOLS_COMMANDS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"
#include "tools/fleet.h"

namespace sredb::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct IngestArgs {
  std::string db;
  std::string file = "-";
  std::string format;  // empty: from the file's extension
  std::string on_error = "abort";
  std::string rejects;
  std::string time_unit = "ns";
  bool sync = false;
};
int RunIngest(const IngestArgs& args);

struct GenArgs {
  fleet::FleetOptions fleet;
  std::string start;  // RFC 3339 or integer ns; empty: the default
  std::string format = "csv";
};
int RunGen(const GenArgs& args);

// `sredb annotate`: one annotation into an existing database.
struct AnnotateArgs {
  std::string db;
  std::string type;
  std::vector<std::string> labels;  // NAME=VALUE each
  std::string detail;
  std::string time;       // RFC 3339 or integer ns; empty: now
  std::string value;      // empty: none
  std::string threshold;  // empty: none
  bool sync = false;
};
int RunAnnotate(const AnnotateArgs& args);

int RunStats(const std::string& db, const std::string& format);
int RunCheck(const std::string& db);
int RunFlush(const std::string& db);

// `sredb query`: runs one statement on a database opened read-only (so that
// it may run beside a writer) and prints its result in `format`
// (table|csv|json; anything else is bad usage).
int RunQuery(const std::string& db, const std::string& statement,
             const std::string& format);
// `sredb shell`: statements and dot-commands from stdin (cmd_shell.cc).
int RunShell(const std::string& db);

// Prints "sredb: <what>" to stderr and returns kExitFailure.
int Fail(const std::string& what);

// Writes `text` to stdout and flushes it; IOError when that fails (a closed
// pipe, a full disk).
Status WriteStdout(std::string_view text);

}  // namespace sredb::tools

#endif  // SREDB_TOOLS_COMMANDS_H_
