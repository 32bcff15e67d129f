// Retention drops whole partitions past the horizon, exactly those, and
// refuses events for them instead of accepting and then deleting them.
#include <gtest/gtest.h>

#include "storage/db.h"
#include "test_util.h"

namespace sredb {
namespace {

using testing::AgentLabels;
using testing::kT0;
using testing::ManualSealing;
using testing::OpenOrDie;
using testing::ScanAll;
using testing::TempDir;

Options TwoDayRetention() {
  Options o = ManualSealing();
  o.raw_retention_ns = 2 * kNanosPerDay;
  return o;
}

EventBatch OneEventAt(int64_t time, const std::string& agent = "a") {
  EventBatch batch;
  Event e;
  e.time = time;
  batch.Add(batch.AddSeries(AgentLabels(agent)), e);
  return batch;
}

TEST(Retention, DropsExactlyThePartitionsPastTheHorizon) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), TwoDayRetention());
  // 10 events in each of days 0..5, the newest at day 5 + 12h.
  for (int day = 0; day < 6; ++day) {
    for (int i = 0; i < 10; ++i) {
      int64_t t = kT0 + day * kNanosPerDay + i * kNanosPerDay / 20;
      ASSERT_TRUE(
          db->Append(WriteOptions(), OneEventAt(t, "a" + std::to_string(i % 2))).ok());
    }
  }
  ASSERT_TRUE(
      db->Append(WriteOptions(), OneEventAt(kT0 + 5 * kNanosPerDay + kNanosPerDay / 2))
          .ok());
  ASSERT_TRUE(db->Flush().ok());
  // A partition's raw events go once its end is 2 days before day 5.5:
  // days 0, 1, 2. Their 1-hour rollups, kept for ever, stay.
  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->raw.partitions, 3u);
  EXPECT_EQ(stats->rollup_1h.partitions, 6u);
  EXPECT_EQ(stats->partitions, 6u);
  EXPECT_EQ(stats->events, 31u);
  EXPECT_EQ(stats->first_time, kT0 + 3 * kNanosPerDay);
  auto events = ScanAll(db.get());
  ASSERT_EQ(events.size(), 31u);
  EXPECT_EQ(events.front().event.time, kT0 + 3 * kNanosPerDay);
  auto check = db->Check();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->problems.empty()) << check->problems[0];
  // Events for a dropped partition are refused; those within are taken.
  Status late = db->Append(WriteOptions(), OneEventAt(kT0 + kNanosPerDay));
  EXPECT_TRUE(late.IsInvalidArgument());
  EXPECT_NE(late.message().find("retention"), std::string::npos) << late.message();
  EXPECT_TRUE(db->Append(WriteOptions(), OneEventAt(kT0 + 3 * kNanosPerDay + 1)).ok());
  // The drop is durable.
  ASSERT_TRUE(db->Close().ok());
  db = OpenOrDie(dir.path(), TwoDayRetention());
  EXPECT_EQ(ScanAll(db.get()).size(), 32u);
}

TEST(Retention, ZeroKeepsEverything) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), ManualSealing());
  ASSERT_TRUE(db->Append(WriteOptions(), OneEventAt(kT0)).ok());
  ASSERT_TRUE(db->Append(WriteOptions(), OneEventAt(kT0 + 400 * kNanosPerDay)).ok());
  ASSERT_TRUE(db->Flush().ok());
  EXPECT_EQ(ScanAll(db.get()).size(), 2u);
}

}  // namespace
}  // namespace sredb
