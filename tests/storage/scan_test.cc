// Scans select series by label matchers and events by a half-open range.
#include <gtest/gtest.h>

#include <set>

#include "storage/db.h"
#include "test_util.h"

namespace sredb {
namespace {

using testing::kT0;
using testing::MakeLabels;
using testing::OpenOrDie;
using testing::ScanAll;
using testing::TempDir;

constexpr int64_t kHour = 3600 * kNanosPerSecond;

class ScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenOrDie(dir_.path());
    EventBatch batch;
    const std::vector<Labels> series = {
        MakeLabels({{"agent", "a1"}, {"model", "gpt"}}),
        MakeLabels({{"agent", "a1"}, {"model", "llama"}}),
        MakeLabels({{"agent", "a2"}, {"model", "gpt"}, {"cohort", "canary"}}),
        MakeLabels({{"agent", "b3"}}),
    };
    // One event per series per hour for 48 hours (two partitions).
    for (int h = 0; h < 48; ++h) {
      for (const Labels& l : series) {
        Event e;
        e.time = kT0 + h * kHour;
        batch.Add(batch.AddSeries(l), e);
      }
    }
    ASSERT_TRUE(db_->Append(WriteOptions(), batch).ok());
  }

  // The distinct label sets a scan yields, and its event count.
  std::pair<std::set<std::string>, size_t> Run(std::vector<LabelMatcher> matchers,
                                               int64_t start = kT0,
                                               int64_t end = kT0 + 48 * kHour) {
    ScanOptions o;
    o.matchers = std::move(matchers);
    o.start = start;
    o.end = end;
    auto events = ScanAll(db_.get(), o);
    std::set<std::string> labels;
    for (const auto& e : events) labels.insert(e.labels);
    return {labels, events.size()};
  }

  TempDir dir_;
  std::unique_ptr<DB> db_;
};

using Op = LabelMatcher::Op;

TEST_F(ScanTest, NoMatchersSelectsEverySeries) {
  auto [labels, n] = Run({});
  EXPECT_EQ(labels.size(), 4u);
  EXPECT_EQ(n, 4u * 48);
}

TEST_F(ScanTest, EqualitySelectsThroughPostings) {
  auto [labels, n] = Run({{"agent", Op::kEq, {"a1"}}});
  EXPECT_EQ(labels,
            (std::set<std::string>{"agent=a1,model=gpt", "agent=a1,model=llama"}));
  EXPECT_EQ(n, 2u * 48);
  EXPECT_EQ(Run({{"agent", Op::kEq, {"a1"}}, {"model", Op::kEq, {"gpt"}}}).first,
            (std::set<std::string>{"agent=a1,model=gpt"}));
}

TEST_F(ScanTest, UnknownLabelsAndValuesMatchNothing) {
  EXPECT_EQ(Run({{"agent", Op::kEq, {"zzz"}}}).second, 0u);
  EXPECT_EQ(Run({{"tenant", Op::kEq, {"x"}}}).second, 0u);
}

TEST_F(ScanTest, NotEqualIncludesSeriesWithoutTheLabel) {
  auto [labels, n] = Run({{"model", Op::kNeq, {"gpt"}}});
  EXPECT_EQ(labels, (std::set<std::string>{"agent=a1,model=llama", "agent=b3"}));
}

TEST_F(ScanTest, EqualityWithEmptyValueSelectsSeriesWithoutTheLabel) {
  EXPECT_EQ(Run({{"cohort", Op::kEq, {""}}}).first.size(), 3u);
}

TEST_F(ScanTest, InSelectsTheUnion) {
  auto [labels, n] = Run({{"agent", Op::kIn, {"a2", "b3", "nope"}}});
  EXPECT_EQ(labels.size(), 2u);
  EXPECT_EQ(Run({{"agent", Op::kIn, {}}}).second, 0u);
}

TEST_F(ScanTest, RegexMustMatchTheWholeValue) {
  EXPECT_EQ(Run({{"agent", Op::kRegex, {"a."}}}).first.size(), 3u);
  EXPECT_EQ(Run({{"agent", Op::kRegex, {"a"}}}).first.size(), 0u);
  EXPECT_EQ(Run({{"model", Op::kRegex, {"g.*|"}}}).first.size(), 3u);  // '' matches b3
}

TEST_F(ScanTest, BadRegexIsInvalidArgument) {
  ScanOptions o;
  o.matchers = {{"agent", Op::kRegex, {"a("}}};
  auto it = db_->Scan(o);
  ASSERT_FALSE(it.ok());
  EXPECT_TRUE(it.status().IsInvalidArgument());
}

TEST_F(ScanTest, TimeRangeIsHalfOpen) {
  auto matcher = std::vector<LabelMatcher>{{"agent", Op::kEq, {"b3"}}};
  EXPECT_EQ(Run(matcher, kT0 + 10 * kHour, kT0 + 20 * kHour).second, 10u);
  EXPECT_EQ(Run(matcher, kT0 + 10 * kHour, kT0 + 10 * kHour + 1).second, 1u);
  EXPECT_EQ(Run(matcher, kT0 + 10 * kHour + 1, kT0 + 11 * kHour).second, 0u);
  EXPECT_EQ(Run(matcher, kT0 + 20 * kHour, kT0 + 10 * kHour).second, 0u);
  // Across the partition boundary at 24h.
  EXPECT_EQ(Run(matcher, kT0 + 23 * kHour, kT0 + 25 * kHour).second, 2u);
}

TEST_F(ScanTest, YieldsEventsInTimeOrder) {
  auto events = ScanAll(db_.get());
  for (size_t i = 1; i < events.size(); ++i) {
    ASSERT_LE(events[i - 1].event.time, events[i].event.time);
  }
}

TEST_F(ScanTest, ScanSeesAConsistentCutWhileAppendsContinue) {
  ScanOptions o;
  auto it = db_->Scan(o);
  ASSERT_TRUE(it.ok());
  EventBatch more;
  Event e;
  e.time = kT0 + 5;
  more.Add(more.AddSeries(MakeLabels({{"agent", "late"}})), e);
  ASSERT_TRUE(db_->Append(WriteOptions(), more).ok());
  size_t n = 0;
  for (; (*it)->Valid(); (*it)->Next()) ++n;
  EXPECT_EQ(n, 4u * 48);
  EXPECT_EQ(ScanAll(db_.get()).size(), 4u * 48 + 1);
}

}  // namespace
}  // namespace sredb
