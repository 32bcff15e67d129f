// Options DB::Open refuses, and small memtable budgets that still make progress.
#include <gtest/gtest.h>

#include "storage/db.h"
#include "test_util.h"

namespace sredb {
namespace {

using testing::AgentLabels;
using testing::kT0;
using testing::ManualSealing;
using testing::TempDir;

TEST(Options, WriteBufferBelowTheMinimumIsRefused) {
  TempDir dir;
  Options o = ManualSealing();
  o.create_if_missing = true;
  o.write_buffer_bytes = 1 << 20;
  auto db = DB::Open(o, dir.path());
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsInvalidArgument()) << db.status().ToString();
  EXPECT_NE(db.status().message().find("write_buffer_bytes is 1048576"),
            std::string::npos)
      << db.status().message();
}

// The smallest budget Open accepts still makes progress: appends and seals
// of far more than it complete and every event is there. (A 1 MiB budget,
// below the memtables' first arena blocks, used to stall writes for good:
// such budgets are now refused, and smaller memtables go with small ones.)
TEST(Options, SmallestWriteBufferStillSeals) {
  TempDir dir;
  Options o = ManualSealing();
  o.create_if_missing = true;
  o.write_buffer_bytes = kMinWriteBufferBytes;
  o.rollup_min_bucket_events = 0;
  auto db = DB::Open(o, dir.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  std::mt19937_64 rng(7);
  constexpr int kBatches = 20, kPerBatch = 10'000;
  for (int b = 0; b < kBatches; ++b) {
    EventBatch batch;
    for (int s = 0; s < 8; ++s)
      batch.AddSeries(AgentLabels("agent-" + std::to_string(s)));
    for (int i = 0; i < kPerBatch; ++i) {
      const int64_t t = kT0 + (int64_t{b} * kPerBatch + i) * 17 * kNanosPerSecond;
      batch.Add(static_cast<uint32_t>(i % 8), testing::RandomEvent(rng, t));
    }
    ASSERT_TRUE((*db)->Append(WriteOptions(), batch).ok());
  }
  ASSERT_TRUE((*db)->Flush().ok());
  auto stats = (*db)->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->events, uint64_t{kBatches} * kPerBatch);
  EXPECT_GT(stats->partitions, 30u);
}

}  // namespace
}  // namespace sredb
