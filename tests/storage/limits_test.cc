// Limits on what an input controls (storage/event.h; README "Limits"):
// each is accepted at its bound and refused one past it, with a status
// that names the limit, never a crash, an allocation failure or a silent
// truncation.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/db.h"
#include "test_util.h"

namespace sredb {
namespace {

using testing::AgentLabels;
using testing::kT0;
using testing::ManualSealing;
using testing::OpenOrDie;
using testing::TempDir;

std::vector<Label> ManyLabels(size_t n) {
  std::vector<Label> labels = {{"agent", "a"}};
  for (size_t i = 1; i < n; ++i) labels.push_back({"l" + std::to_string(i), "v"});
  return labels;
}

void ExpectRefused(const Status& s, const std::string& names_limit) {
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find(names_limit), std::string::npos) << s.ToString();
}

TEST(Limits, LabelCount) {
  EXPECT_TRUE(Labels::Make(ManyLabels(kMaxLabels)).ok());
  ExpectRefused(Labels::Make(ManyLabels(kMaxLabels + 1)).status(),
                "too many labels: 18 (at most 17");
}

TEST(Limits, LabelNameLength) {
  const std::string longest(kMaxLabelNameBytes, 'n');
  EXPECT_TRUE(Labels::Make({{"agent", "a"}, {longest, "v"}}).ok());
  ExpectRefused(Labels::Make({{"agent", "a"}, {longest + "n", "v"}}).status(),
                "at most 64 bytes");
}

TEST(Limits, LabelValueLength) {
  const std::string longest(kMaxLabelValueBytes, 'v');
  EXPECT_TRUE(Labels::Make({{"agent", longest}}).ok());
  ExpectRefused(Labels::Make({{"agent", longest + "v"}}).status(),
                "label agent value is 257 bytes (at most 256)");
  // A huge value is refused as cheaply, and the message does not echo it.
  Status s = Labels::Make({{"agent", std::string(64 << 20, 'v')}}).status();
  ExpectRefused(s, "(at most 256)");
  EXPECT_LT(s.message().size(), 200u);
}

TEST(Limits, ErrorKindLength) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), ManualSealing());
  ASSERT_NE(db, nullptr);
  auto batch_with = [](std::string error_kind) {
    EventBatch batch;
    Event e;
    e.time = kT0;
    e.error_kind = std::move(error_kind);
    batch.Add(batch.AddSeries(AgentLabels("a")), e);
    return batch;
  };
  EXPECT_TRUE(
      db->Append(WriteOptions(), batch_with(std::string(kMaxErrorKindBytes, 'k'))).ok());
  Status s =
      db->Append(WriteOptions(), batch_with(std::string(kMaxErrorKindBytes + 1, 'k')));
  ExpectRefused(s, "error_kind is 65 bytes (at most 64)");
  s = db->Append(WriteOptions(), batch_with(std::string(16 << 20, 'k')));
  ExpectRefused(s, "(at most 64)");
  EXPECT_LT(s.message().size(), 200u);
  // Refusals store nothing.
  EXPECT_EQ(testing::ScanAll(db.get()).size(), 1u);
}

TEST(Limits, BatchEvents) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), ManualSealing());
  ASSERT_NE(db, nullptr);
  EventBatch batch;
  const uint32_t series = batch.AddSeries(AgentLabels("a"));
  Event e;
  for (size_t i = 0; i <= kMaxBatchEvents; ++i) {
    e.time = kT0 + static_cast<int64_t>(i);
    batch.Add(series, e);
  }
  Status s = db->Append(WriteOptions(), batch);
  EXPECT_TRUE(s.IsResourceExhausted()) << s.ToString();
  EXPECT_NE(s.message().find(std::to_string(kMaxBatchEvents)), std::string::npos)
      << s.ToString();
  EXPECT_TRUE(testing::ScanAll(db.get()).empty());
}

}  // namespace
}  // namespace sredb
