// SeriesCache: one series per label set and batch, whatever the order or
// the number of label sets, and refused label sets never cached.
#include "ingest/series_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sredb::ingest {
namespace {

using ::testing::HasSubstr;

TEST(SeriesCache, OneSeriesPerLabelSetAndBatch) {
  SeriesCache cache;
  EventBatch batch;
  std::vector<LabelView> am = {{"agent", "a"}, {"model", "m"}};
  std::vector<LabelView> ma = {{"model", "m"}, {"agent", "a"}};
  std::vector<LabelView> b = {{"agent", "b"}};
  EXPECT_EQ(cache.Resolve(am, &batch).value(), 0u);
  EXPECT_EQ(cache.Resolve(b, &batch).value(), 1u);
  EXPECT_EQ(cache.Resolve(am, &batch).value(), 0u);
  EXPECT_EQ(cache.Resolve(ma, &batch).value(), 0u);  // another key, the same series
  ASSERT_EQ(batch.series_count(), 2u);
  EXPECT_EQ(batch.series(0).ToString(), "agent=a,model=m");

  batch.Clear();
  cache.NewBatch();
  EXPECT_EQ(cache.Resolve(b, &batch).value(), 0u);
  EXPECT_EQ(cache.Resolve(am, &batch).value(), 1u);
  ASSERT_EQ(batch.series_count(), 2u);
  EXPECT_EQ(batch.series(0).ToString(), "agent=b");
}

TEST(SeriesCache, KeysKeepNamesAndValuesApart) {
  SeriesCache cache;
  EventBatch batch;
  EXPECT_EQ(cache.Resolve({{"agent", "a"}, {"ab", "c"}}, &batch).value(), 0u);
  EXPECT_EQ(cache.Resolve({{"agent", "a"}, {"a", "bc"}}, &batch).value(), 1u);
  EXPECT_EQ(cache.Resolve({{"agent", std::string(200, 'x')}}, &batch).value(), 2u);
  EXPECT_EQ(cache.Resolve({{"agent", std::string(201, 'x')}}, &batch).value(), 3u);
}

TEST(SeriesCache, RefusedLabelSetsAreRefusedEveryTime) {
  SeriesCache cache;
  EventBatch batch;
  for (int i = 0; i < 2; ++i) {
    Result<uint32_t> r = cache.Resolve({{"agent", "a"}, {"bad-name", "x"}}, &batch);
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.status().message(), HasSubstr("bad label name"));
    EXPECT_EQ(cache.Resolve({{"model", "m"}}, &batch).status().message(),
              "missing agent label");
  }
  EXPECT_EQ(batch.series_count(), 0u);
}

TEST(SeriesCache, StaysExactPastGrowthAndItsBound) {
  SeriesCache cache;
  EventBatch batch;
  const int n = static_cast<int>(SeriesCache::kMaxEntries) + 5000;
  std::vector<std::string> agents;
  for (int i = 0; i < n; ++i) agents.push_back("agent-" + std::to_string(i));
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < n; i += round == 0 ? 1 : 7) {
      Result<uint32_t> r = cache.Resolve({{"agent", agents[i]}}, &batch);
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(*r, static_cast<uint32_t>(i)) << i;
    }
  }
  EXPECT_EQ(batch.series_count(), static_cast<size_t>(n));
}

}  // namespace
}  // namespace sredb::ingest
