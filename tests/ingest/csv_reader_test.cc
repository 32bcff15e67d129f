// The CSV reader alone: RFC 4180 quoting, line numbers, header handling,
// field counts, block boundaries and partial reads.
#include "ingest/csv_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

namespace sredb::ingest {
namespace {

using ::testing::HasSubstr;

// A memfd holding `content`, positioned at its start.
int MemFd(const std::string& content) {
  int fd = memfd_create("csv_reader_test", 0);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, content.data(), content.size()),
            static_cast<ssize_t>(content.size()));
  EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
  return fd;
}

// A record copied out of the reader's buffers.
struct Got {
  uint64_t line = 0;
  std::string text;
  bool bad = false;
  std::string reason;
  Event event;
  std::vector<Label> labels;
};

Result<std::vector<Got>> ReadFd(int fd, TimeUnit unit = TimeUnit::kNs) {
  std::unique_ptr<RecordReader> reader = NewCsvReader(fd, unit);
  std::vector<Got> out;
  Record r;
  for (;;) {
    Result<bool> more = reader->Next(&r);
    if (!more.ok()) return more.status();
    if (!*more) return out;
    Got g{r.pos.line, std::string(r.text), r.bad, r.reason, r.event, {}};
    for (const LabelView& l : r.labels)
      g.labels.push_back({std::string(l.name), std::string(l.value)});
    out.push_back(std::move(g));
  }
}

std::vector<Got> Read(const std::string& csv, TimeUnit unit = TimeUnit::kNs) {
  int fd = MemFd(csv);
  Result<std::vector<Got>> got = ReadFd(fd, unit);
  close(fd);
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  return got.ok() ? std::move(got).value() : std::vector<Got>();
}

TEST(CsvReader, ReadsFieldsAndLabelsByHeaderName) {
  std::vector<Got> got = Read(
      "time,agent,success,latency_ms,model,cost_usd,hallucinated,error_kind\n"
      "2026-03-03T14:00:00Z,a1,1,12.5,gpt,0.0123456,,\n"
      "7,a2,false,3,,1e-3,true,timeout\n");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_FALSE(got[0].bad) << got[0].reason;
  EXPECT_EQ(got[0].line, 2u);
  EXPECT_EQ(got[0].text, "2026-03-03T14:00:00Z,a1,1,12.5,gpt,0.0123456,,");
  EXPECT_EQ(got[0].event.time, 1772546400000000000);
  EXPECT_TRUE(got[0].event.success);
  EXPECT_EQ(got[0].event.latency_ms, 12.5f);
  EXPECT_EQ(got[0].event.cost_micros, 12346);
  EXPECT_EQ(got[0].event.hallucinated, Tri::kUnknown);
  EXPECT_EQ(got[0].labels, (std::vector<Label>{{"agent", "a1"}, {"model", "gpt"}}));
  EXPECT_FALSE(got[1].bad) << got[1].reason;
  EXPECT_EQ(got[1].line, 3u);
  EXPECT_EQ(got[1].event.time, 7);
  EXPECT_EQ(got[1].event.cost_micros, 1000);
  EXPECT_EQ(got[1].event.hallucinated, Tri::kTrue);
  EXPECT_EQ(got[1].event.error_kind, "timeout");
  EXPECT_EQ(got[1].labels, (std::vector<Label>{{"agent", "a2"}}));  // empty model: absent
}

TEST(CsvReader, IntegerTimesUseTheTimeUnit) {
  std::vector<Got> got = Read("time,agent,success\n1772546400,a,1\n", TimeUnit::kS);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].event.time, 1772546400000000000);
}

TEST(CsvReader, QuotedFieldsHoldCommasQuotesAndNewlines) {
  std::vector<Got> got = Read(
      "time,agent,success,note\n"
      "1,\"a,b\",1,\"say \"\"hi\"\"\"\n"
      "2,\"multi\nline\",1,\"x\"\n"
      "3,\"\",1,\"\"\"\"\n"
      "4,c,1,plain\n");
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].labels,
            (std::vector<Label>{{"agent", "a,b"}, {"note", "say \"hi\""}}));
  EXPECT_EQ(got[0].line, 2u);
  EXPECT_EQ(got[1].labels, (std::vector<Label>{{"agent", "multi\nline"}, {"note", "x"}}));
  EXPECT_EQ(got[1].line, 3u);  // a record's line is its first
  EXPECT_EQ(got[1].text, "2,\"multi\nline\",1,\"x\"");
  EXPECT_EQ(got[2].line, 5u);
  EXPECT_EQ(got[2].labels, (std::vector<Label>{{"note", "\""}}));  // empty agent: absent
  EXPECT_EQ(got[3].line, 6u);
}

TEST(CsvReader, ToleratesCrlfAndAMissingFinalNewline) {
  std::vector<Got> got = Read("time,agent,success\r\n1,a,1\r\n2,\"b\",0\r\n3,c,1");
  ASSERT_EQ(got.size(), 3u);
  for (const Got& g : got) EXPECT_FALSE(g.bad) << g.reason;
  EXPECT_EQ(got[0].text, "1,a,1");
  EXPECT_EQ(got[1].labels, (std::vector<Label>{{"agent", "b"}}));
  EXPECT_EQ(got[2].line, 4u);
  EXPECT_EQ(got[2].labels, (std::vector<Label>{{"agent", "c"}}));
}

TEST(CsvReader, SkipsBlankLinesButCountsThem) {
  std::vector<Got> got = Read("\xEF\xBB\xBFtime,agent,success\n\n1,a,1\n\r\n\n2,b,1\n\n");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].line, 3u);
  EXPECT_EQ(got[1].line, 6u);
  EXPECT_EQ(got[0].event.time, 1);  // the byte-order mark did not hide `time`
}

TEST(CsvReader, WrongFieldCountIsABadRecord) {
  std::vector<Got> got = Read("time,agent,success\n1,a\n2,b,1,extra\n3,c,1\n");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[0].bad);
  EXPECT_EQ(got[0].reason, "expected 3 fields, found 2");
  EXPECT_EQ(got[0].text, "1,a");
  EXPECT_EQ(got[1].reason, "expected 3 fields, found 4");
  EXPECT_EQ(got[1].line, 3u);
  EXPECT_FALSE(got[2].bad);
}

TEST(CsvReader, QuotingErrorsAreBadRecordsAndReadingResumes) {
  std::vector<Got> got = Read(
      "time,agent,success\n"
      "1,a\"b,1\n"
      "2,\"a\"b,1\n"
      "3,c,1\n"
      "4,\"never closed,1\n"
      "5,d,1\n");
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].reason, "quote inside an unquoted field");
  EXPECT_EQ(got[0].text, "1,a\"b,1");
  EXPECT_EQ(got[1].reason, "unexpected character after a closing quote");
  EXPECT_EQ(got[1].line, 3u);
  EXPECT_FALSE(got[2].bad);
  EXPECT_EQ(got[2].line, 4u);
  EXPECT_EQ(got[3].line, 5u);  // an open quote swallows the rest of the input
  EXPECT_EQ(got[3].reason, "unterminated quoted field");
  EXPECT_EQ(got[3].text, "4,\"never closed,1\n5,d,1\n");
}

TEST(CsvReader, FieldErrorsNameTheField) {
  std::vector<Got> got = Read(
      "time,agent,success,latency_ms,cost_usd\n"
      ",a,1,1,0\n"
      "1,a,yes,1,0\n"
      "1,a,1,NaN,0\n"
      "1,a,1,1,-0.5\n"
      "1,a,1,,0\n");
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].reason, "missing time");
  EXPECT_THAT(got[1].reason, HasSubstr("bad success 'yes'"));
  EXPECT_THAT(got[2].reason, HasSubstr("bad latency_ms 'NaN'"));
  EXPECT_EQ(got[3].reason, "cost_usd is negative");
  EXPECT_EQ(got[4].reason, "latency_ms is empty");
}

TEST(CsvReader, MissingRequiredColumnsMakeEveryRecordBad) {
  std::vector<Got> got = Read("agent,success\na,1\nb,1\n");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].reason, "missing time");
  EXPECT_EQ(got[1].reason, "missing time");
}

TEST(CsvReader, DuplicateHeaderNamesAreAWholeInputError) {
  int fd = MemFd("time,agent,model,success,model\n1,a,m,1,n\n");
  Result<std::vector<Got>> got = ReadFd(fd);
  close(fd);
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.status().IsInvalidArgument());
  EXPECT_EQ(got.status().message(), "line 1: column 'model' named twice in the header");
}

TEST(CsvReader, EmptyInputsHaveNoRecords) {
  EXPECT_TRUE(Read("").empty());
  EXPECT_TRUE(Read("time,agent,success\n").empty());
  EXPECT_TRUE(Read("time,agent,success").empty());
}

TEST(CsvReader, OverLongRecordIsBadAndReadingResumes) {
  // Just over the limit (read whole), and far over it (skipped unread).
  for (size_t size : {kMaxRecordBytes + 10, 3 * kMaxRecordBytes}) {
    std::string csv =
        "time,agent,success\n1,a,1\n2," + std::string(size, 'x') + ",1\n3,c,1\n";
    std::vector<Got> got = Read(csv);
    ASSERT_EQ(got.size(), 3u) << size;
    EXPECT_TRUE(got[1].bad);
    EXPECT_EQ(got[1].reason, "record longer than 1048576 bytes");
    EXPECT_EQ(got[1].line, 3u);
    EXPECT_EQ(got[1].text, csv.substr(csv.find("2,x"), kMaxRecordBytes));
    EXPECT_FALSE(got[2].bad) << got[2].reason;
    EXPECT_EQ(got[2].line, 4u);
    EXPECT_EQ(got[2].event.time, 3);
  }
}

TEST(CsvReader, RecordsSpanningBlocksKeepTheirLines) {
  std::string csv = "time,agent,success,note\n";
  const int n = 60000;  // about 2 MiB: several reads
  for (int i = 0; i < n; ++i) {
    csv += std::to_string(i) + ",agent-" + std::to_string(i % 7) + ",1,";
    csv += i % 3 == 0 ? "\"two\nlines, quoted \"\"x\"\"\"\n" : "plain-note-text\n";
  }
  std::vector<Got> got = Read(csv);
  ASSERT_EQ(got.size(), static_cast<size_t>(n));
  uint64_t line = 2;
  for (int i = 0; i < n; ++i) {
    ASSERT_FALSE(got[i].bad) << i << ": " << got[i].reason;
    ASSERT_EQ(got[i].event.time, i);
    ASSERT_EQ(got[i].line, line) << i;
    ASSERT_EQ(got[i].labels[1].value,
              i % 3 == 0 ? "two\nlines, quoted \"x\"" : "plain-note-text");
    line += i % 3 == 0 ? 2 : 1;
  }
}

TEST(CsvReader, PartialReadsFromAPipeGiveTheSameRecords) {
  const std::string csv =
      "time,agent,success,note\r\n1,\"a\"\"b\",1,\"x\r\ny\"\r\n2,b,0,\"\"\r\n3,c,1,z";
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::thread writer([&] {
    for (char c : csv) EXPECT_EQ(write(fds[1], &c, 1), 1);  // one byte per read
    close(fds[1]);
  });
  Result<std::vector<Got>> piped = ReadFd(fds[0]);
  writer.join();
  close(fds[0]);
  ASSERT_TRUE(piped.ok());
  std::vector<Got> whole = Read(csv);
  ASSERT_EQ(piped->size(), 3u);
  ASSERT_EQ(whole.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_FALSE((*piped)[i].bad) << (*piped)[i].reason;
    EXPECT_EQ((*piped)[i].text, whole[i].text);
    EXPECT_EQ((*piped)[i].line, whole[i].line);
    EXPECT_EQ((*piped)[i].labels, whole[i].labels);
    EXPECT_EQ((*piped)[i].event, whole[i].event);
  }
  EXPECT_EQ(whole[0].labels[1].value, "x\r\ny");
  EXPECT_EQ(whole[2].line, 5u);
}

}  // namespace
}  // namespace sredb::ingest
