// Ingest's driver semantics: batching, abort and skip accounting, series-id
// collisions refused by the DB, capnp positions, I/O and DB failures, and
// the name parsers the CLI uses.
#include "ingest/ingester.h"

#include <capnp/message.h>
#include <capnp/serialize-packed.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <kj/io.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "ingest/schema/event.capnp.h"
#include "storage/db.h"

namespace sredb::ingest {
namespace {

using ::testing::HasSubstr;

struct Stored {
  std::string labels;
  int64_t time;
  friend bool operator==(const Stored&, const Stored&) = default;
};

class IngesterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sredb-ingester-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override {
    if (db_) {
      EXPECT_TRUE(db_->Close().ok());
    }
    std::filesystem::remove_all(dir_);
  }

  void Open(Options options = Options()) {
    if (db_) {
      ASSERT_TRUE(db_->Close().ok());
    }
    options.create_if_missing = true;
    auto db = DB::Open(options, dir_.string());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }

  // Ingests `input` from a memfd; the rejects land in rejects_.
  Result<IngestSummary> Run(const std::string& input, IngestOptions options) {
    if (!db_) Open();
    int fd = memfd_create("ingester_test", 0);
    EXPECT_EQ(write(fd, input.data(), input.size()), static_cast<ssize_t>(input.size()));
    EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
    char* buf = nullptr;
    size_t len = 0;
    const bool capture = options.rejects == nullptr;
    if (capture) options.rejects = open_memstream(&buf, &len);
    Result<IngestSummary> summary = Ingest(db_.get(), fd, options);
    if (capture) {
      std::fclose(options.rejects);
      rejects_.assign(buf, len);
      std::free(buf);
    }
    close(fd);
    return summary;
  }

  // Every stored event as (labels, time), in time order.
  std::vector<Stored> Scan() {
    std::vector<Stored> out;
    auto it = db_->Scan(ScanOptions());
    EXPECT_TRUE(it.ok());
    for (; it.ok() && (*it)->Valid(); (*it)->Next()) {
      out.push_back({(*it)->labels().ToString(), (*it)->event().time});
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.time < b.time; });
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<DB> db_;
  std::string rejects_;
};

// CSV of records with times 1..n and agents from `agents` in turn; the
// record with time `bad_time` has no success.
std::string Csv(int n, int bad_time = 0, const std::vector<std::string>& agents = {"a"}) {
  std::string csv = "time,agent,success\n";
  for (int t = 1; t <= n; ++t) {
    csv += std::to_string(t) + "," + agents[(t - 1) % agents.size()] + "," +
           (t == bad_time ? "" : "1") + "\n";
  }
  return csv;
}

std::vector<Stored> Times(const std::vector<int>& times,
                          const std::string& labels = "agent=a") {
  std::vector<Stored> out;
  for (int t : times) out.push_back({labels, t});
  return out;
}

TEST_F(IngesterTest, AbortAppendsThePendingBatchThenStops) {
  IngestOptions options;
  options.batch_events = 3;
  Result<IngestSummary> s = Run(Csv(10, 8), options);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ingested, 7u);
  EXPECT_EQ(s->rejected, 1u);
  ASSERT_TRUE(s->stopped_at.has_value());
  EXPECT_EQ(s->stopped_at->where, "line 9");
  EXPECT_EQ(s->stopped_at->reason, "missing success");
  EXPECT_EQ(Scan(), Times({1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(rejects_, "8,a,\tmissing success\n");
}

TEST_F(IngesterTest, AbortAtTheFirstRecordStoresNothing) {
  Result<IngestSummary> s = Run(Csv(3, 1), IngestOptions());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->ingested, 0u);
  EXPECT_EQ(s->stopped_at->where, "line 2");
  EXPECT_TRUE(Scan().empty());
}

TEST_F(IngesterTest, SkipAccountsForEveryRecordAcrossBatches) {
  std::string csv = "time,agent,success\n";
  uint64_t bad = 0;
  for (int t = 1; t <= 25000; ++t) {
    const bool is_bad = t % 997 == 0;
    bad += is_bad;
    csv += std::to_string(t) + ",agent-" + std::to_string(t % 50) + "," +
           (is_bad ? "x" : "1") + "\n";
  }
  IngestOptions options;
  options.on_error = OnError::kSkip;
  Result<IngestSummary> s = Run(csv, options);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ingested + s->rejected, 25000u);
  EXPECT_EQ(s->rejected, bad);
  EXPECT_EQ(Scan().size(), s->ingested);
  EXPECT_EQ(std::count(rejects_.begin(), rejects_.end(), '\n'), static_cast<long>(bad));
  EXPECT_THAT(rejects_, ::testing::StartsWith("997,agent-47,x\tbad success 'x'"));
}

TEST_F(IngesterTest, EmptyInputIngestsNothing) {
  Result<IngestSummary> s = Run("", IngestOptions());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->ingested, 0u);
  EXPECT_EQ(s->rejected, 0u);
  EXPECT_FALSE(s->stopped_at.has_value());
}

uint64_t ConstantHash(std::string_view) { return 42; }

TEST_F(IngesterTest, SeriesCollisionsAreRejectedWithTheirOwnLines) {
  for (size_t batch : {1, 2, 100}) {
    SCOPED_TRACE(batch);
    Options db_options;
    db_options.series_hash_for_testing = ConstantHash;
    std::filesystem::remove_all(dir_);
    Open(db_options);
    IngestOptions options;
    options.batch_events = batch;
    options.on_error = OnError::kSkip;
    // Lines 2..7: a a b a b a. Every series id is 42: agent=a takes it first.
    Result<IngestSummary> s = Run(Csv(6, 0, {"a", "a", "b"}), options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->ingested, 4u);
    EXPECT_EQ(s->rejected, 2u);
    EXPECT_EQ(Scan(), Times({1, 2, 4, 5}));
    EXPECT_THAT(rejects_,
                ::testing::MatchesRegex("3,b,1\t[^\n]*already taken by \\{agent=a\\}\n"
                                        "6,b,1\t[^\n]*already taken by \\{agent=a\\}\n"));
  }
}

TEST_F(IngesterTest, SeriesCollisionStopsAbortAtItsLine) {
  for (size_t batch : {1, 2, 100}) {
    SCOPED_TRACE(batch);
    Options db_options;
    db_options.series_hash_for_testing = ConstantHash;
    std::filesystem::remove_all(dir_);
    Open(db_options);
    IngestOptions options;
    options.batch_events = batch;
    Result<IngestSummary> s = Run(Csv(6, 0, {"a", "a", "b"}), options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->ingested, 2u);
    EXPECT_EQ(s->rejected, 1u);
    ASSERT_TRUE(s->stopped_at.has_value());
    EXPECT_EQ(s->stopped_at->where, "line 4");
    EXPECT_THAT(s->stopped_at->reason,
                HasSubstr("of {agent=b} is already taken by {agent=a}"));
    EXPECT_EQ(Scan(), Times({1, 2}));
  }
}

TEST_F(IngesterTest, JsonKeyOrderDoesNotSplitASeries) {
  IngestOptions options;
  options.format = Format::kJsonl;
  options.time_unit = TimeUnit::kS;
  Result<IngestSummary> s =
      Run(R"({"time": 1, "agent": "a", "model": "m", "success": true})"
          "\n"
          R"({"model": "m", "success": false, "agent": "a", "time": 2})"
          "\n",
          options);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ingested, 2u);
  EXPECT_EQ(Scan(), (std::vector<Stored>{{"agent=a,model=m", 1'000'000'000},
                                         {"agent=a,model=m", 2'000'000'000}}));
  auto stats = db_->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->series, 1u);
}

// Two packed messages of three events at times 1..6; event 2 of message 2
// (time 5) has more tool failures than calls.
std::string CapnpInput() {
  kj::VectorOutputStream out;
  for (int m = 0; m < 2; ++m) {
    capnp::MallocMessageBuilder builder;
    auto events = builder.initRoot<wire::EventBatch>().initEvents(3);
    for (int i = 0; i < 3; ++i) {
      events[i].setTime(3 * m + i + 1);
      events[i].setAgent("a");
      events[i].setSuccess(true);
    }
    events[1].setToolFailures(m == 1 ? 1 : 0);
    capnp::writePackedMessage(out, builder);
  }
  return std::string(reinterpret_cast<const char*>(out.getArray().begin()),
                     out.getArray().size());
}

TEST_F(IngesterTest, CapnpRecordsAreNamedByMessageAndEvent) {
  IngestOptions options;
  options.format = Format::kCapnp;
  Result<IngestSummary> s = Run(CapnpInput(), options);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ingested, 4u);
  ASSERT_TRUE(s->stopped_at.has_value());
  EXPECT_EQ(s->stopped_at->where, "message 2 event 2");
  EXPECT_EQ(s->stopped_at->reason, "tool_failures (1) > tool_calls (0)");
  EXPECT_EQ(rejects_, "message 2 event 2\ttool_failures (1) > tool_calls (0)\n");
  EXPECT_EQ(Scan(), Times({1, 2, 3, 4}));

  std::filesystem::remove_all(dir_);
  Open();
  options.on_error = OnError::kSkip;
  s = Run(CapnpInput(), options);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->ingested, 5u);
  EXPECT_EQ(s->rejected, 1u);
  EXPECT_EQ(Scan(), Times({1, 2, 3, 4, 6}));
}

TEST_F(IngesterTest, ReadErrorsAreIoErrorsAfterStoringWhatCameBefore) {
  Open();
  int fd = open("/", O_RDONLY | O_DIRECTORY);  // read(2) fails with EISDIR
  ASSERT_GE(fd, 0);
  for (Format format : {Format::kCsv, Format::kJsonl, Format::kCapnp}) {
    IngestOptions options;
    options.format = format;
    Result<IngestSummary> s = Ingest(db_.get(), fd, options);
    ASSERT_FALSE(s.ok());
    EXPECT_TRUE(s.status().IsIOError()) << s.status().ToString();
    EXPECT_THAT(s.status().message(), HasSubstr("reading input"));
    EXPECT_THAT(s.status().message(), HasSubstr("0 events were stored before it"));
  }
  close(fd);
}

TEST_F(IngesterTest, ADuplicateCsvColumnIsAWholeInputError) {
  Result<IngestSummary> s = Run("time,agent,success,agent\n1,a,1,b\n", IngestOptions());
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().IsInvalidArgument());
  EXPECT_THAT(s.status().message(), HasSubstr("line 1: column 'agent' named twice"));
  EXPECT_TRUE(Scan().empty());
}

TEST_F(IngesterTest, DbFailuresAreErrorsNamingWhatWasStored) {
  Open();
  ASSERT_TRUE(Run(Csv(2), IngestOptions()).ok());
  Options read_only;
  read_only.read_only = true;
  ASSERT_TRUE(db_->Close().ok());
  auto db = DB::Open(read_only, dir_.string());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  db_ = std::move(db).value();
  Result<IngestSummary> s = Run(Csv(3), IngestOptions());
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().IsNotSupported()) << s.status().ToString();
  EXPECT_THAT(s.status().message(), HasSubstr("0 events were stored before it"));
}

TEST_F(IngesterTest, RejectsWriteErrorsAreIoErrors) {
  std::FILE* full = std::fopen("/dev/full", "w");
  ASSERT_NE(full, nullptr);
  std::setvbuf(full, nullptr, _IONBF, 0);
  IngestOptions options;
  options.on_error = OnError::kSkip;
  options.rejects = full;
  Result<IngestSummary> s = Run(Csv(3, 2), options);
  std::fclose(full);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().IsIOError());
  EXPECT_THAT(s.status().message(), HasSubstr("writing rejects"));
}

TEST(IngestNames, ParseEveryName) {
  EXPECT_EQ(FormatFromName("csv").value(), Format::kCsv);
  EXPECT_EQ(FormatFromName("jsonl").value(), Format::kJsonl);
  EXPECT_EQ(FormatFromName("ndjson").value(), Format::kJsonl);
  EXPECT_EQ(FormatFromName("capnp").value(), Format::kCapnp);
  EXPECT_FALSE(FormatFromName("xml").ok());
  EXPECT_EQ(FormatFromPath("/tmp/a.b/events.CSV").value(), Format::kCsv);
  EXPECT_EQ(FormatFromPath("events.jsonl").value(), Format::kJsonl);
  EXPECT_EQ(FormatFromPath("events.ndjson").value(), Format::kJsonl);
  EXPECT_EQ(FormatFromPath("x/events.capnp").value(), Format::kCapnp);
  EXPECT_FALSE(FormatFromPath("events").ok());
  EXPECT_FALSE(FormatFromPath("dir.csv/events").ok());
  EXPECT_FALSE(FormatFromPath("-").ok());
  EXPECT_EQ(OnErrorFromName("abort").value(), OnError::kAbort);
  EXPECT_EQ(OnErrorFromName("skip").value(), OnError::kSkip);
  EXPECT_FALSE(OnErrorFromName("ignore").ok());
  EXPECT_EQ(TimeUnitFromName("ns").value(), TimeUnit::kNs);
  EXPECT_EQ(TimeUnitFromName("us").value(), TimeUnit::kUs);
  EXPECT_EQ(TimeUnitFromName("ms").value(), TimeUnit::kMs);
  EXPECT_EQ(TimeUnitFromName("s").value(), TimeUnit::kS);
  EXPECT_FALSE(TimeUnitFromName("h").ok());
}

}  // namespace
}  // namespace sredb::ingest
