// The subcommands of the `sredb` binary (contract: ../shared/CLI.md in the
// design docs, summarised in README.md). Each returns the process exit
// status: 0 success, 1 failure (message on stderr), 2 bad usage.
#ifndef SREDB_TOOLS_COMMANDS_H_
#define SREDB_TOOLS_COMMANDS_H_

#include <cstdint>
#include <string>

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

int RunStats(const std::string& db, const std::string& format);
int RunCheck(const std::string& db);
int RunFlush(const std::string& db);

// Prints "sredb: <what>" to stderr and returns kExitFailure.
int Fail(const std::string& what);

}  // namespace sredb::tools

#endif  // SREDB_TOOLS_COMMANDS_H_
