// `sredb query`: run one statement and print its result.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "query/query.h"
#include "storage/db.h"
#include "tools/commands.h"
#include "tools/internal/result_format.h"

namespace sredb::tools {

Status WriteStdout(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
      std::fflush(stdout) != 0) {
    return Status::IOError(std::string("writing output: ") + std::strerror(errno));
  }
  return Status::OK();
}

int RunQuery(const std::string& path, const std::string& statement,
             const std::string& format) {
  const auto output = ParseOutputFormat(format);
  if (!output) {
    std::fprintf(stderr, "sredb query: --format must be table, csv or json, not '%s'\n",
                 format.c_str());
    return kExitUsage;
  }
  // Read-only: no writer lock, so a query runs beside an ingest; it sees the
  // data as of this open.
  Options options;
  options.read_only = true;
  auto db = DB::Open(options, path);
  if (!db.ok()) return Fail(db.status().message());
  auto table = query::Execute(db->get(), statement);
  if (!table.ok()) return Fail(table.status().message());
  std::string text;
  AppendResult(*table, *output, &text);
  Status s = WriteStdout(text);
  if (!s.ok()) return Fail(s.message());
  return kExitOk;
}

}  // namespace sredb::tools
