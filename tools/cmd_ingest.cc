// `sredb ingest`: append a CSV, JSON-lines or Cap'n Proto file to a database.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "ingest/ingester.h"
#include "storage/db.h"
#include "tools/commands.h"

namespace sredb::tools {
namespace {

int Usage(const std::string& what) {
  std::fprintf(stderr, "sredb ingest: %s\n", what.c_str());
  return kExitUsage;
}

// Closes a FILE* on scope exit, reporting nothing (callers check ferror).
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

int RunIngest(const IngestArgs& args) {
  ingest::IngestOptions options;
  options.write.sync = args.sync;
  if (!args.format.empty()) {
    auto f = ingest::FormatFromName(args.format);
    if (!f.ok()) return Usage("--format: " + f.status().message());
    options.format = *f;
  } else if (args.file == "-") {
    return Usage("reading stdin needs --format csv|jsonl|capnp");
  } else {
    auto f = ingest::FormatFromPath(args.file);
    if (!f.ok()) return Usage(f.status().message() + "; give --format");
    options.format = *f;
  }
  auto on_error = ingest::OnErrorFromName(args.on_error);
  if (!on_error.ok()) return Usage("--on-error: " + on_error.status().message());
  options.on_error = *on_error;
  auto unit = ingest::TimeUnitFromName(args.time_unit);
  if (!unit.ok()) return Usage("--time-unit: " + unit.status().message());
  options.time_unit = *unit;
  if (!args.rejects.empty() && options.on_error != ingest::OnError::kSkip) {
    return Usage("--rejects needs --on-error skip (abort stops at the first bad record)");
  }

  int fd = STDIN_FILENO;
  if (args.file != "-") {
    fd = ::open(args.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Fail("cannot open " + args.file + ": " + std::strerror(errno));
  }
  std::unique_ptr<std::FILE, FileCloser> rejects;
  if (!args.rejects.empty()) {
    rejects.reset(std::fopen(args.rejects.c_str(), "w"));
    if (!rejects)
      return Fail("cannot create " + args.rejects + ": " + std::strerror(errno));
    options.rejects = rejects.get();
  }
  Options db_options;
  db_options.create_if_missing = true;
  auto db = DB::Open(db_options, args.db);
  if (!db.ok()) return Fail(db.status().message());

  auto summary = ingest::Ingest(db->get(), fd, options);
  if (fd != STDIN_FILENO) ::close(fd);
  Status closed = (*db)->Close();
  if (!summary.ok()) return Fail("ingest: " + summary.status().message());
  if (!closed.ok()) return Fail("closing " + args.db + ": " + closed.message());
  if (rejects && (std::fflush(rejects.get()) != 0 || std::ferror(rejects.get()))) {
    return Fail("writing " + args.rejects + " failed");
  }
  int rc = kExitOk;
  if (summary->stopped_at) {
    std::fprintf(stderr, "sredb: %s: %s\n", summary->stopped_at->where.c_str(),
                 summary->stopped_at->reason.c_str());
    std::fprintf(
        stderr,
        "sredb: stopped at the first bad record (--on-error abort): it and every "
        "record after it were not ingested\n");
    rc = kExitFailure;
  }
  std::printf("ingested %llu events, rejected %llu\n",
              static_cast<unsigned long long>(summary->ingested),
              static_cast<unsigned long long>(summary->rejected));
  return rc;
}

}  // namespace sredb::tools
