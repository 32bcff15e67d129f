// `sredb annotate`: add one annotation (a deploy, a chaos fault, a note...)
// to an existing database, for postmortem timelines (storage/annotation.h).
#include <charconv>
#include <chrono>
#include <cstdio>

#include "storage/db.h"
#include "storage/rfc3339.h"
#include "tools/commands.h"

namespace sredb::tools {
namespace {

int Usage(const std::string& what) {
  std::fprintf(stderr, "sredb annotate: %s\n", what.c_str());
  return kExitUsage;
}

// A finite decimal number, the whole text.
bool ParseDouble(const std::string& text, double* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

int RunAnnotate(const AnnotateArgs& args) {
  Annotation a;
  a.type = args.type;
  a.detail = args.detail;
  if (args.time.empty()) {
    a.time = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  } else {
    int64_t ns = 0;
    auto [end, ec] =
        std::from_chars(args.time.data(), args.time.data() + args.time.size(), ns);
    if (ec == std::errc() && end == args.time.data() + args.time.size()) {
      a.time = ns;
    } else {
      Result<int64_t> t = ParseRfc3339(args.time);
      if (!t.ok()) return Usage("--time: " + t.status().message());
      a.time = *t;
    }
  }
  for (const std::string& kv : args.labels) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos) return Usage("--label '" + kv + "' is not NAME=VALUE");
    a.labels.push_back(Label{kv.substr(0, eq), kv.substr(eq + 1)});
  }
  double v = 0;
  if (!args.value.empty()) {
    if (!ParseDouble(args.value, &v))
      return Usage("--value '" + args.value + "' is not a number");
    a.value = v;
  }
  if (!args.threshold.empty()) {
    if (!ParseDouble(args.threshold, &v)) {
      return Usage("--threshold '" + args.threshold + "' is not a number");
    }
    a.threshold = v;
  }
  Options options;
  options.background_sealing = false;
  auto db = DB::Open(options, args.db);
  if (!db.ok()) return Fail(db.status().message());
  WriteOptions wo;
  wo.sync = args.sync;
  Status s = (*db)->Annotate(wo, {&a, 1});
  if (s.ok()) s = (*db)->Close();
  if (!s.ok()) return Fail("annotate: " + s.message());
  std::string labels = a.LabelsText();
  std::printf("annotated %s at %s%s%s\n", a.type.c_str(), FormatRfc3339(a.time).c_str(),
              labels.empty() ? "" : " for ", labels.c_str());
  return kExitOk;
}

}  // namespace sredb::tools
