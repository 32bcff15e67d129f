// Many writers, the background sealer, threads calling Flush, and readers
// of every kind at once (built with -DSREDB_SANITIZE=thread in CI, so that
// ThreadSanitizer also checks every access). Each reader checks every cut
// it takes (tests/storage/concurrency_util.h): of each writer a prefix of
// its batches, each whole and once, within what was acknowledged before
// and started after the cut, every value and the time order exact, and
// every 1 min and 1 h bucket equal to a brute force over those events,
// while sealing moves them from head to chunks and rollups. At the end
// every batch is there exactly once, before and after a reopen.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "concurrency_util.h"
#include "storage/db.h"
#include "storage/reader.h"
#include "test_util.h"

namespace sredb {
namespace {

using testing::Problems;
using testing::Progress;
using testing::TempDir;
using testing::VerifyCut;
using testing::Workload;

// Every event of a scan, by the workload's series index.
std::vector<std::vector<Event>> ScanBySeries(DB* db, const Workload& wl,
                                             Problems* problems) {
  std::vector<std::vector<Event>> out(wl.series());
  auto it = db->Scan(ScanOptions());
  if (!it.ok()) {
    problems->Add("scan: " + it.status().ToString());
    return out;
  }
  std::map<std::string, int> index;
  for (int s = 0; s < wl.series(); ++s) index[wl.labels(s).ToString()] = s;
  for (; (*it)->Valid(); (*it)->Next()) {
    auto found = index.find((*it)->labels().ToString());
    if (found == index.end()) {
      problems->Add("scan: unknown series " + (*it)->labels().ToString());
      continue;
    }
    out[found->second].push_back((*it)->event());
  }
  if (!(*it)->status().ok()) problems->Add("scan: " + (*it)->status().ToString());
  return out;
}

// One cut through DB::Scan.
void CheckScanCut(DB* db, const Workload& wl, const Progress& progress,
                  Problems* problems) {
  const std::vector<int> acked = progress.Acked();
  std::vector<std::vector<Event>> events = ScanBySeries(db, wl, problems);
  // The scan's snapshot was taken in DB::Scan, before this load.
  VerifyCut(wl, events, acked, progress.Started(), "scan cut", problems);
}

std::vector<Bucket> BruteForceBuckets(const std::vector<Event>& events, int64_t res) {
  std::map<int64_t, rollup::RollupBucket> by_start;
  for (const Event& e : events) by_start[e.time / res * res].AddEvent(e);
  std::vector<Bucket> out;
  for (auto& [start, b] : by_start) out.push_back(Bucket{start, b});
  return out;
}

// The reader's buckets of series `id` at `res` over all time against a
// brute force over `events`.
void CheckBuckets(Reader* reader, uint64_t id, const std::vector<Event>& events,
                  Resolution res, const std::string& what, Problems* problems) {
  std::vector<Bucket> got;
  Status s = reader->ReadBuckets(id, res, 0, INT64_MAX, kAllFields, &got);
  if (!s.ok()) return problems->Add(what + ": ReadBuckets: " + s.ToString());
  const std::vector<Bucket> want = BruteForceBuckets(events, ResolutionNs(res));
  if (got.size() != want.size()) {
    return problems->Add(what + ": " + std::to_string(got.size()) +
                         " buckets, brute force " + std::to_string(want.size()));
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].start != want[i].start || !(got[i].agg == want[i].agg)) {
      return problems->Add(what + ": bucket at " + std::to_string(got[i].start) +
                           " holds " + std::to_string(got[i].agg.count) +
                           " events, brute force " + std::to_string(want[i].agg.count));
    }
  }
}

// One cut through a Reader: every series' columns, then (same cut) its
// buckets at both resolutions against the events the cut was found to hold.
void CheckReaderCut(DB* db, const Workload& wl, const Progress& progress,
                    Problems* problems) {
  const std::vector<int> acked = progress.Acked();
  auto reader = db->NewReader();
  const std::vector<int> started = progress.Started();
  if (!reader.ok()) return problems->Add("NewReader: " + reader.status().ToString());
  auto refs = (*reader)->Select({});
  if (!refs.ok()) return problems->Add("Select: " + refs.status().ToString());
  std::map<std::string, int> index;
  for (int s = 0; s < wl.series(); ++s) index[wl.labels(s).ToString()] = s;
  std::vector<std::vector<Event>> events(wl.series());
  std::vector<uint64_t> ids(wl.series(), 0);
  for (const SeriesRef& ref : *refs) {
    auto found = index.find(ref.labels.ToString());
    if (found == index.end()) return problems->Add("Select: unknown series");
    ids[found->second] = ref.id;
    Columns c;
    Status s = (*reader)->ReadColumns(ref.id, 0, INT64_MAX, kAllFields, &c);
    if (!s.ok()) return problems->Add("ReadColumns: " + s.ToString());
    for (size_t i = 0; i < c.size(); ++i) {
      c.GetRow(i, &events[found->second].emplace_back());
    }
  }
  const std::vector<int> ks =
      VerifyCut(wl, events, acked, started, "reader cut", problems);
  for (int s = 0; s < wl.series(); ++s) {
    if (ks[s / 2] < 0 || events[s].empty()) continue;
    const std::string what = "reader cut: " + wl.labels(s).ToString();
    CheckBuckets(reader->get(), ids[s], events[s], Resolution::k1m, what + " 1m",
                 problems);
    CheckBuckets(reader->get(), ids[s], events[s], Resolution::k1h, what + " 1h",
                 problems);
  }
}

// GetStats: the event count of a cut between the acknowledged and the
// started batches, never decreasing (nothing expires here).
void CheckStats(DB* db, const Workload& wl, const Progress& progress, uint64_t* last,
                Problems* problems) {
  const uint64_t low = wl.EventsIn(progress.Acked());
  auto st = db->GetStats();
  const uint64_t high = wl.EventsIn(progress.Started());
  if (!st.ok()) return problems->Add("GetStats: " + st.status().ToString());
  if (st->events < low || st->events > high || st->events < *last ||
      st->head_events > st->events || !st->seal_error.empty()) {
    problems->Add("GetStats: " + std::to_string(st->events) + " events (" +
                  std::to_string(st->head_events) + " in head), expected in [" +
                  std::to_string(low) + ", " + std::to_string(high) + "], previously " +
                  std::to_string(*last) + "; seal error '" + st->seal_error + "'");
  }
  *last = st->events;
}

void CheckClean(DB* db, const std::string& what, Problems* problems) {
  auto report = db->Check();
  if (!report.ok()) return problems->Add(what + ": Check: " + report.status().ToString());
  if (!report->problems.empty()) problems->Add(what + ": Check: " + report->problems[0]);
}

// Every batch once: scan and reader cuts hold all of them, the catalog
// counts them, the head is empty after a flush, and Check is clean.
void CheckFinal(DB* db, const Workload& wl, const Progress& progress,
                Problems* problems) {
  const std::vector<int> all(wl.writers(), wl.batches());
  if (progress.Acked() != all) problems->Add("final: not every batch was acknowledged");
  if (Status s = db->Flush(); !s.ok()) problems->Add("final flush: " + s.ToString());
  CheckScanCut(db, wl, progress, problems);
  CheckReaderCut(db, wl, progress, problems);
  auto st = db->GetStats();
  if (!st.ok()) return problems->Add("final GetStats: " + st.status().ToString());
  if (st->events != wl.EventsIn(all) || st->head_events != 0 ||
      st->series != static_cast<uint64_t>(wl.series())) {
    problems->Add("final GetStats: " + std::to_string(st->events) + " events, " +
                  std::to_string(st->head_events) + " in head, " +
                  std::to_string(st->series) + " series; expected " +
                  std::to_string(wl.EventsIn(all)) + ", 0, " +
                  std::to_string(wl.series()));
  }
  CheckClean(db, "final", problems);
}

TEST(Concurrency, WritersSealersAndReadersAgreeOnEveryCut) {
  TempDir dir;
  const Workload wl(/*writers=*/4, /*batches=*/120);
  Progress progress(wl.writers());
  Problems problems;
  auto db = DB::Open(Workload::DbOptions(), dir.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  std::atomic<int> scan_cuts{0}, reader_cuts{0}, stats_calls{0}, checks{0};
  uint64_t last_events = 0;  // owned by the stats reader
  std::vector<std::function<void()>> readers;
  for (int r = 0; r < 2; ++r) {
    readers.push_back([&] {
      CheckScanCut(db->get(), wl, progress, &problems);
      ++scan_cuts;
    });
    readers.push_back([&] {
      CheckReaderCut(db->get(), wl, progress, &problems);
      ++reader_cuts;
    });
  }
  readers.push_back([&] {
    CheckStats(db->get(), wl, progress, &last_events, &problems);
    ++stats_calls;
  });
  readers.push_back([&] {
    CheckClean(db->get(), "during the run", &problems);
    ++checks;
  });
  testing::RunConcurrently(db->get(), wl, &progress, /*flushers=*/2, readers, &problems);
  CheckFinal(db->get(), wl, progress, &problems);
  ASSERT_TRUE((*db)->Close().ok());
  db = DB::Open(Workload::DbOptions(), dir.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  CheckScanCut(db->get(), wl, progress, &problems);
  EXPECT_EQ(problems.count(), 0) << problems.Summary();
  // What ran (not asserted: how threads interleave is up to the machine).
  std::printf("cuts checked: %d scans, %d readers, %d stats, %d checks; %llu events\n",
              scan_cuts.load(), reader_cuts.load(), stats_calls.load(), checks.load(),
              static_cast<unsigned long long>(
                  wl.EventsIn(std::vector<int>(wl.writers(), wl.batches()))));
}

}  // namespace
}  // namespace sredb
