// libFuzzer target: the query planner and executor (query/query.h). Any
// text that parses as a statement is executed against a small database,
// built once per process in a fresh directory under $TMPDIR and removed at
// exit: 360 events of four series over three days, the first two days
// sealed into chunks and rollups (1 min and 1 h), the third in the head, so
// that plans touch every tier; and 40 annotations over the same days (FROM
// annotations). Every Status is an acceptable answer; a
// crash, undefined behaviour, a leak or a hang (libFuzzer -timeout) is a bug.
// The memory limit is small, so a statement that wants much memory must
// answer ResourceExhausted rather than allocate it.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "query/parser.h"
#include "query/query.h"
#include "storage/db.h"
#include "storage/options.h"
#include "tests/fuzz/fuzz_util.h"

namespace sredb::fuzz {
namespace {

constexpr int64_t kT0 = 1'772'323'200'000'000'000;  // 2026-03-01T00:00:00Z
constexpr int64_t kMinute = 60 * kNanosPerSecond;

std::string* db_dir = nullptr;
DB* db = nullptr;  // reachable till exit: not a leak

void CloseAndRemove() {
  if (db != nullptr) {
    (void)db->Close().ok();  // best effort at exit
    delete db;
    db = nullptr;
  }
  std::error_code ec;
  std::filesystem::remove_all(*db_dir, ec);
}

Labels SeriesLabels(int i) {
  std::vector<Label> l = {{"agent", "agent-000" + std::to_string(i % 3)}};
  l.push_back({"model", i % 2 == 0 ? "gpt-4o" : "claude"});
  if (i == 3) l.push_back({"env", "prod"});
  Result<Labels> made = Labels::Make(std::move(l));
  SREDB_FUZZ_CHECK(made.ok(), made.status().ToString());
  return *made;
}

// Event j of series i: 90 per series, one every 47 minutes from kT0.
Event MakeEvent(int i, int j) {
  Event e;
  e.time = kT0 + (j * 47 + i * 3) * kMinute;
  e.success = (i + j) % 7 != 0;
  e.latency_ms = static_cast<float>(50 + (j * 37 + i) % 4000);
  if (j % 3 != 0) e.ttft_ms = static_cast<float>(10 + j % 200);
  e.cost_micros = (j % 11) * 1234 + i;
  e.tokens_in = static_cast<uint32_t>(100 + j * 13);
  e.tokens_out = static_cast<uint32_t>(j * 7);
  e.hallucinated = j % 5 == 0 ? Tri::kTrue : (j % 5 == 1 ? Tri::kUnknown : Tri::kFalse);
  e.policy_violations = static_cast<uint16_t>(j % 13 == 0);
  e.tool_calls = static_cast<uint16_t>(j % 4);
  e.tool_failures = static_cast<uint16_t>(j % 9 == 0 && e.tool_calls > 0);
  if (j % 4 == 0) e.user_rating = static_cast<float>(1 + j % 5);
  if (!e.success) e.error_kind = j % 2 == 0 ? "timeout" : "tool_error";
  return e;
}

void OpenDatabase() {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "sredb-fuzz-XXXXXX").string();
  SREDB_FUZZ_CHECK(mkdtemp(tmpl.data()) != nullptr, "mkdtemp");
  db_dir = new std::string(tmpl);
  Options o;
  o.create_if_missing = true;
  o.background_sealing = false;
  o.rollup_min_bucket_events = 0;  // rollups for every sealed series
  Result<std::unique_ptr<DB>> opened = DB::Open(o, *db_dir + "/db");
  SREDB_FUZZ_CHECK(opened.ok(), opened.status().ToString());
  db = opened->release();
  atexit(CloseAndRemove);
  EventBatch batch;
  for (int i = 0; i < 4; ++i) {
    const uint32_t s = batch.AddSeries(SeriesLabels(i));
    for (int j = 0; j < 90; ++j) batch.Add(s, MakeEvent(i, j));
  }
  Status s = db->Append(WriteOptions(), batch);
  SREDB_FUZZ_CHECK(s.ok(), s.ToString());
  std::vector<Annotation> annotations(40);
  const char* types[] = {"DEPLOY", "SLO_BREACH", "CHAOS_START", "NOTE"};
  for (int k = 0; k < 40; ++k) {
    Annotation& a = annotations[k];
    a.time = kT0 + (k * 107) * kMinute;
    a.type = types[k % 4];
    if (k % 3 != 0) a.labels.push_back({"agent", "agent-000" + std::to_string(k % 3)});
    if (k % 2 == 0) a.labels.push_back({"model", "gpt-4o"});
    if (k % 4 == 1) a.value = k * 0.5;
    if (k % 8 == 1) a.threshold = 14.4;
    a.detail = k % 5 == 0 ? "" : "step " + std::to_string(k);
  }
  s = db->Annotate(WriteOptions(), annotations);
  SREDB_FUZZ_CHECK(s.ok(), s.ToString());
  s = db->Flush();  // seals days one and two; day three stays in the head
  SREDB_FUZZ_CHECK(s.ok(), s.ToString());
}

}  // namespace
}  // namespace sredb::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (sredb::fuzz::db == nullptr) sredb::fuzz::OpenDatabase();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  sredb::Result<sredb::query::Statement> statement = sredb::query::Parse(text);
  if (!statement.ok()) return 0;
  sredb::query::QueryOptions options;
  options.now = sredb::fuzz::kT0 + 3 * sredb::kNanosPerDay;
  options.memory_limit_bytes = 8 << 20;
  sredb::Result<sredb::query::ResultTable> table =
      sredb::query::Execute(sredb::fuzz::db, *statement, options);
  if (table.ok()) {
    for (const sredb::query::ResultColumn& c : table->columns) {
      SREDB_FUZZ_CHECK(c.nulls.size() == table->rows, c.name);
    }
  }
  return 0;
}
