// `sredb check`: verify every checksum and index entry of a database.
#include <cstdio>

#include "storage/db.h"
#include "tools/commands.h"

namespace sredb::tools {

int RunCheck(const std::string& path) {
  Options options;
  options.read_only = true;
  auto db = DB::Open(options, path);
  if (!db.ok()) return Fail(db.status().message());
  auto report = (*db)->Check();
  if (!report.ok()) return Fail("check: " + report.status().message());
  for (const std::string& p : report->problems) std::printf("%s\n", p.c_str());
  std::printf("%s: %llu objects checked, %zu problems\n",
              report->problems.empty() ? "ok" : "DAMAGED",
              static_cast<unsigned long long>(report->objects_checked),
              report->problems.size());
  return report->problems.empty() ? kExitOk : kExitFailure;
}

}  // namespace sredb::tools
