// `sredb gen`: a deterministic synthetic fleet on stdout.
#include <unistd.h>

#include <charconv>
#include <cstdio>

#include "storage/rfc3339.h"
#include "tools/commands.h"
#include "tools/gen_writer.h"

namespace sredb::tools {

int Fail(const std::string& what) {
  std::fprintf(stderr, "sredb: %s\n", what.c_str());
  return kExitFailure;
}

namespace {

// An RFC 3339 instant or an integer of ns since the epoch.
Result<int64_t> ParseInstant(const std::string& text) {
  int64_t ns = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ns);
  if (ec == std::errc() && end == text.data() + text.size()) return ns;
  return ParseRfc3339(text);
}

}  // namespace

int RunGen(const GenArgs& args) {
  fleet::FleetOptions options = args.fleet;
  if (!args.start.empty()) {
    auto start = ParseInstant(args.start);
    if (!start.ok()) {
      std::fprintf(stderr, "sredb gen: --start: %s\n", start.status().message().c_str());
      return kExitUsage;
    }
    options.start = *start;
  }
  auto format = fleet::GenFormatFromName(args.format);
  Status valid = format.ok() ? fleet::Validate(options) : format.status();
  if (!valid.ok()) {
    std::fprintf(stderr, "sredb gen: %s\n", valid.message().c_str());
    return kExitUsage;
  }
  Status s = fleet::WriteFleet(options, *format, STDOUT_FILENO);
  if (!s.ok()) return Fail("gen: " + s.message());
  return kExitOk;
}

}  // namespace sredb::tools
