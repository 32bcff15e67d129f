// `sredb stats`: what a database holds, as a table or JSON.
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "storage/db.h"
#include "storage/rfc3339.h"
#include "tools/commands.h"

namespace sredb::tools {
namespace {

std::string Duration(int64_t ns) {
  struct Unit {
    int64_t ns;
    const char* suffix;
  };
  for (Unit u : {Unit{7 * kNanosPerDay, "w"}, Unit{kNanosPerDay, "d"},
                 Unit{3600 * kNanosPerSecond, "h"}, Unit{60 * kNanosPerSecond, "m"},
                 Unit{kNanosPerSecond, "s"}, Unit{1'000'000, "ms"}}) {
    if (ns % u.ns == 0) return std::to_string(ns / u.ns) + u.suffix;
  }
  return std::to_string(ns) + "ns";
}

std::string Fixed2(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}

}  // namespace

int RunStats(const std::string& path, const std::string& format) {
  if (format != "table" && format != "json") {
    std::fprintf(stderr, "sredb stats: --format must be table or json, not '%s'\n",
                 format.c_str());
    return kExitUsage;
  }
  Options options;
  options.read_only = true;
  auto db = DB::Open(options, path);
  if (!db.ok()) return Fail(db.status().message());
  auto st = (*db)->GetStats();
  if (!st.ok()) return Fail(st.status().message());
  const bool any = st->events > 0;
  const double per_event = any ? double(st->bytes_on_disk) / double(st->events) : 0;
  // Each field and its JSON text; the table prints strings unquoted.
  std::vector<std::pair<std::string, std::string>> rows = {
      {"events", std::to_string(st->events)},
      {"series", std::to_string(st->series)},
      {"partitions", std::to_string(st->partitions)},
      {"bytes_on_disk", std::to_string(st->bytes_on_disk)},
      {"bytes_per_event", any ? Fixed2(per_event) : "null"},
      {"first_time", any ? "\"" + FormatRfc3339(st->first_time) + "\"" : "null"},
      {"last_time", any ? "\"" + FormatRfc3339(st->last_time) + "\"" : "null"},
      {"partition_length", "\"" + Duration(st->partition_ns) + "\""},
      {"head_events", std::to_string(st->head_events)},
      {"head_bytes", std::to_string(st->head_bytes)},
      {"chunk_bytes", std::to_string(st->chunk_bytes)},
      {"index_bytes", std::to_string(st->index_bytes)},
      {"annotations", std::to_string(st->annotations)},
      {"annotation_bytes", std::to_string(st->annotation_bytes)},
  };
  // Each tier: its size, its retention and the oldest partition it holds.
  const std::pair<const char*, const TierStats*> tiers[] = {
      {"raw", &st->raw}, {"rollup_1m", &st->rollup_1m}, {"rollup_1h", &st->rollup_1h}};
  for (const auto& [name, tier] : tiers) {
    const std::string prefix = name;
    rows.emplace_back(prefix + "_bytes", std::to_string(tier->bytes));
    rows.emplace_back(prefix + "_partitions", std::to_string(tier->partitions));
    rows.emplace_back(
        prefix + "_retention",
        "\"" + (tier->retention_ns ? Duration(tier->retention_ns) : "forever") + "\"");
    rows.emplace_back(prefix + "_oldest", tier->partitions
                                              ? "\"" + FormatRfc3339(tier->oldest) + "\""
                                              : "null");
  }
  if (format == "json") {
    std::string out = "{";
    for (size_t i = 0; i < rows.size(); ++i) {
      out += (i ? ", \"" : "\"") + rows[i].first + "\": " + rows[i].second;
    }
    std::printf("%s}\n", out.c_str());
    return kExitOk;
  }
  for (auto& [name, value] : rows) {
    if (value.size() >= 2 && value.front() == '"')
      value = value.substr(1, value.size() - 2);
    if (value == "null") value = "";
    std::printf("%-20s %s\n", name.c_str(), value.c_str());
  }
  return kExitOk;
}

}  // namespace sredb::tools
