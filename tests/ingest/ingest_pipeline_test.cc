// Ingest reads on one thread and appends on another (parsed_batch.h): the
// accounting must be that of reading and appending in turn. These tests
// cross many batches so that several are in flight at once.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "ingest/ingester.h"
#include "storage/db.h"

namespace sredb::ingest {
namespace {

uint64_t ConstantHash(std::string_view) { return 42; }

class IngestPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sredb-ingest-pipeline-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    Options options;
    options.create_if_missing = true;
    options.series_hash_for_testing = ConstantHash;  // agent=a owns id 42
    auto db = DB::Open(options, dir_.string());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  void TearDown() override {
    EXPECT_TRUE(db_->Close().ok());
    std::filesystem::remove_all(dir_);
  }

  // Ingests `input` from a memfd; the rejects land in rejects_.
  Result<IngestSummary> Run(const std::string& input, IngestOptions options) {
    int fd = memfd_create("ingest_pipeline_test", 0);
    EXPECT_EQ(write(fd, input.data(), input.size()), static_cast<ssize_t>(input.size()));
    EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
    char* buf = nullptr;
    size_t len = 0;
    options.rejects = open_memstream(&buf, &len);
    Result<IngestSummary> summary = Ingest(db_.get(), fd, options);
    std::fclose(options.rejects);
    rejects_.assign(buf, len);
    std::free(buf);
    close(fd);
    return summary;
  }

  uint64_t Stored() {
    auto stats = db_->GetStats();
    EXPECT_TRUE(stats.ok());
    return stats.ok() ? stats->events : 0;
  }

  std::filesystem::path dir_;
  std::unique_ptr<DB> db_;
  std::string rejects_;
};

// Groups of four records, times 4g+1 .. 4g+4: agent a; agent b, which the
// DB refuses (its id is a's); a record without success; agent a.
std::string Groups(int groups) {
  std::string csv = "time,agent,success\n";
  for (int g = 0; g < groups; ++g) {
    const int t = 4 * g;
    csv += std::to_string(t + 1) + ",a,1\n" + std::to_string(t + 2) + ",b,1\n" +
           std::to_string(t + 3) + ",a,\n" + std::to_string(t + 4) + ",a,1\n";
  }
  return csv;
}

TEST_F(IngestPipelineTest, SkipRejectsComeInTheOrderOfReadingThenAppending) {
  IngestOptions options;
  options.on_error = OnError::kSkip;
  options.batch_events = 3;  // one group's good records per batch
  const int groups = 2000;
  Result<IngestSummary> s = Run(Groups(groups), options);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ingested, 2u * groups);
  EXPECT_EQ(s->rejected, 2u * groups);
  EXPECT_EQ(Stored(), 2u * groups);
  // Each batch is filled by its group's last record, so the reader's refusal
  // of the group's third record is written before the DB's refusal of its
  // second.
  std::string want;
  for (int g = 0; g < groups; ++g) {
    const int t = 4 * g;
    want += std::to_string(t + 3) + ",a,\tmissing success\n";
    want += std::to_string(t + 2) + ",b,1\tseries id ";
    want += rejects_.substr(want.size(), 16) +
            " of {agent=b} is already taken by {agent=a}\n";
    ASSERT_EQ(rejects_.substr(0, want.size()), want) << "group " << g;
  }
  EXPECT_EQ(rejects_, want);
}

TEST_F(IngestPipelineTest, AbortAtADbRefusalStoresNothingAfterIt) {
  std::string csv = "time,agent,success\n";
  const int n = 50'000, refused = 30'000;
  for (int t = 1; t <= n; ++t)
    csv += std::to_string(t) + (t == refused ? ",b" : ",a") + ",1\n";
  IngestOptions options;
  options.batch_events = 100;
  Result<IngestSummary> s = Run(csv, options);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ingested, static_cast<uint64_t>(refused - 1));
  EXPECT_EQ(s->rejected, 1u);
  ASSERT_TRUE(s->stopped_at.has_value());
  EXPECT_EQ(s->stopped_at->where, "line " + std::to_string(refused + 1));
  EXPECT_EQ(Stored(), static_cast<uint64_t>(refused - 1));
}

TEST_F(IngestPipelineTest, AbortAtAReaderRefusalAfterManyBatches) {
  std::string csv = "time,agent,success\n";
  const int n = 50'000, bad = 40'001;
  for (int t = 1; t <= n; ++t)
    csv += std::to_string(t) + ",a," + (t == bad ? "" : "1") + "\n";
  IngestOptions options;
  options.batch_events = 1000;
  Result<IngestSummary> s = Run(csv, options);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ingested, static_cast<uint64_t>(bad - 1));
  EXPECT_EQ(s->rejected, 1u);
  ASSERT_TRUE(s->stopped_at.has_value());
  EXPECT_EQ(s->stopped_at->where, "line " + std::to_string(bad + 1));
  EXPECT_EQ(s->stopped_at->reason, "missing success");
  EXPECT_EQ(rejects_, std::to_string(bad) + ",a,\tmissing success\n");
  EXPECT_EQ(Stored(), static_cast<uint64_t>(bad - 1));
}

}  // namespace
}  // namespace sredb::ingest
