// An application embedding sredb: opens a database, appends ten events of
// two agents, and reads them back with a query (README "Embedding").
// Usage: example DB_DIR   (a directory that does not exist yet)
// Exits 0 when every answer is the expected one, 1 otherwise.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "query/query.h"
#include "storage/db.h"

namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "embed example: %s\n", what.c_str());
  return 1;
}

constexpr int64_t kStart = 1772546400 * sredb::kNanosPerSecond;  // 2026-03-03T14:00:00Z

// Ten events a minute apart, alternating between two agents; 7 succeed.
sredb::Status AppendEvents(sredb::DB* db) {
  sredb::EventBatch batch;
  for (int agent = 0; agent < 2; ++agent) {
    auto labels = sredb::Labels::Make(
        {{"agent", "agent-" + std::to_string(agent)}, {"model", "gpt-4o"}});
    if (!labels.ok()) return labels.status();
    batch.AddSeries(*labels);
  }
  for (int i = 0; i < 10; ++i) {
    sredb::Event e;
    e.time = kStart + i * 60 * sredb::kNanosPerSecond;
    e.success = i % 10 < 7;
    e.latency_ms = 100.0f + 10.0f * static_cast<float>(i);
    e.cost_micros = 1000;
    batch.Add(static_cast<uint32_t>(i % 2), e);
  }
  return db->Append(sredb::WriteOptions(), batch);  // atomic, durable on OK
}

// Scans agent-0's events back: 5 of them.
int CheckScan(sredb::DB* db) {
  sredb::ScanOptions scan;
  scan.matchers = {{"agent", sredb::LabelMatcher::Op::kEq, {"agent-0"}}};
  auto it = db->Scan(scan);
  if (!it.ok()) return Fail("Scan: " + it.status().ToString());
  int events = 0;
  for (; (*it)->Valid(); (*it)->Next()) ++events;
  if (!(*it)->status().ok()) return Fail("Scan: " + (*it)->status().ToString());
  if (events != 5) return Fail("Scan: " + std::to_string(events) + " events, expected 5");
  std::printf("scan agent-0: %d events\n", events);
  return 0;
}

// count() and rate(success) over the hour: 10 events, 0.7.
int CheckQuery(sredb::DB* db) {
  auto table = sredb::query::Execute(
      db,
      "SELECT count(), rate(success) FROM tasks"
      " WHERE time >= '2026-03-03T14:00:00Z' AND time < '2026-03-03T15:00:00Z'");
  if (!table.ok()) return Fail("query: " + table.status().ToString());
  if (table->rows != 1 || table->columns.size() != 2) {
    return Fail("query: " + std::to_string(table->rows) + " rows, " +
                std::to_string(table->columns.size()) + " columns, expected 1 and 2");
  }
  const sredb::query::ResultColumn& count = table->columns[0];
  const sredb::query::ResultColumn& rate = table->columns[1];
  if (count.type != sredb::query::ValueType::kInt64 || count.IsNull(0) ||
      count.ints[0] != 10) {
    return Fail("query: count() is not the INT64 10");
  }
  if (rate.type != sredb::query::ValueType::kDouble || rate.IsNull(0) ||
      std::fabs(rate.doubles[0] - 0.7) > 1e-12) {
    return Fail("query: rate(success) is not the DOUBLE 0.7");
  }
  std::printf("%s = %lld, %s = %.3f\n", count.name.c_str(),
              static_cast<long long>(count.ints[0]), rate.name.c_str(), rate.doubles[0]);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return Fail("usage: example DB_DIR");
  sredb::Options options;
  options.create_if_missing = true;
  auto db = sredb::DB::Open(options, argv[1]);
  if (!db.ok()) return Fail("Open: " + db.status().ToString());

  sredb::Status s = AppendEvents(db->get());
  if (!s.ok()) return Fail("Append: " + s.ToString());
  if (int rc = CheckScan(db->get())) return rc;
  if (int rc = CheckQuery(db->get())) return rc;

  s = (*db)->Close();
  if (!s.ok()) return Fail("Close: " + s.ToString());
  return 0;
}
