// The JSON-lines reader alone: the flat-object grammar, string escapes,
// null handling, labels versus fields, and the bad records.
#include "ingest/jsonl_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace sredb::ingest {
namespace {

using ::testing::HasSubstr;

// A record copied out of the reader's buffers.
struct Got {
  uint64_t line = 0;
  std::string text;
  bool bad = false;
  std::string reason;
  Event event;
  std::vector<Label> labels;
};

std::vector<Got> Read(const std::string& jsonl, TimeUnit unit = TimeUnit::kNs) {
  int fd = memfd_create("jsonl_reader_test", 0);
  EXPECT_EQ(write(fd, jsonl.data(), jsonl.size()), static_cast<ssize_t>(jsonl.size()));
  EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
  std::unique_ptr<RecordReader> reader = NewJsonlReader(fd, unit);
  std::vector<Got> out;
  Record r;
  for (;;) {
    Result<bool> more = reader->Next(&r);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    Got g{r.pos.line, std::string(r.text), r.bad, r.reason, r.event, {}};
    for (const LabelView& l : r.labels)
      g.labels.push_back({std::string(l.name), std::string(l.value)});
    out.push_back(std::move(g));
  }
  close(fd);
  return out;
}

// The reason a one-line input is bad ("" when it is good).
std::string Reason(const std::string& line) {
  std::vector<Got> got = Read(line + "\n");
  EXPECT_EQ(got.size(), 1u) << line;
  return got.empty() ? "?" : got[0].reason;
}

TEST(JsonlReader, ReadsFieldsAndStringLabels) {
  std::vector<Got> got = Read(
      R"({"time":"2026-03-03T14:00:00Z","agent":"a1","success":true,"latency_ms":12.5,)"
      R"("ttft_ms":null,"cost_usd":0.0123456,"tokens_in":10,"tokens_out":20,)"
      R"("hallucinated":false,"policy_violations":1,"tool_calls":3,"tool_failures":1,)"
      R"("user_rating":4,"error_kind":"timeout","trace_id":"000102030405060708090a0b0c0d0e0f",)"
      R"("model":"gpt-5"})"
      "\n");
  ASSERT_EQ(got.size(), 1u);
  ASSERT_FALSE(got[0].bad) << got[0].reason;
  Event want;
  want.time = 1772546400000000000;
  want.success = true;
  want.latency_ms = 12.5f;
  want.cost_micros = 12346;
  want.tokens_in = 10;
  want.tokens_out = 20;
  want.hallucinated = Tri::kFalse;
  want.policy_violations = 1;
  want.tool_calls = 3;
  want.tool_failures = 1;
  want.user_rating = 4.0f;
  want.error_kind = "timeout";
  want.trace_id = TraceId{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  EXPECT_EQ(got[0].event, want);
  EXPECT_EQ(got[0].labels, (std::vector<Label>{{"agent", "a1"}, {"model", "gpt-5"}}));
  EXPECT_EQ(got[0].line, 1u);
}

TEST(JsonlReader, NullMeansUnknownForNullableFields) {
  std::vector<Got> got =
      Read(R"({"time":5,"agent":"a","success":0,"ttft_ms":null,"user_rating":null,)"
           R"("hallucinated":null,"trace_id":null,"error_kind":null})"
           "\n");
  ASSERT_EQ(got.size(), 1u);
  ASSERT_FALSE(got[0].bad) << got[0].reason;
  Event want;
  want.time = 5;
  EXPECT_EQ(got[0].event, want);
  EXPECT_EQ(Reason(R"({"time":5,"agent":"a","success":1,"latency_ms":null})"),
            "latency_ms is null");
}

TEST(JsonlReader, IntegerTimesUseTheTimeUnit) {
  std::vector<Got> got = Read(R"({"time":1772546400123,"agent":"a","success":1})"
                              "\n",
                              TimeUnit::kMs);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].event.time, 1772546400123000000);
}

TEST(JsonlReader, DecodesEveryStringEscape) {
  std::vector<Got> got = Read(
      R"({"time":1,"success":1,"agent":"q\"b\\s\/\b\f\n\r\t","x":"\u00e9\u4e2d\ud83d\ude00","k\u0065y":"v"})"
      "\n");
  ASSERT_EQ(got.size(), 1u);
  ASSERT_FALSE(got[0].bad) << got[0].reason;
  EXPECT_EQ(got[0].labels,
            (std::vector<Label>{{"agent", "q\"b\\s/\b\f\n\r\t"},
                                {"x", "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80"},
                                {"key", "v"}}));
}

TEST(JsonlReader, SkipsBlankLinesButCountsThem) {
  std::vector<Got> got = Read(
      "\xEF\xBB\xBF\n  \t\r\n"
      R"({"time":1,"agent":"a","success":1})"
      "\r\n\n"
      R"(  { "time" : 2 , "agent" : "b" , "success" : false }  )");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].line, 3u);
  EXPECT_EQ(got[0].text, R"({"time":1,"agent":"a","success":1})");
  EXPECT_EQ(got[1].line, 5u);
  EXPECT_FALSE(got[1].bad) << got[1].reason;
  EXPECT_EQ(got[1].event.time, 2);
}

TEST(JsonlReader, NonStringLabelsAreBadRecordsNamingTheKey) {
  EXPECT_EQ(Reason(R"({"time":1,"agent":"a","success":1,"region":5})"),
            "key region has a number value; only fields and string labels are allowed");
  EXPECT_EQ(Reason(R"({"time":1,"agent":"a","success":1,"beta":true})"),
            "key beta has a boolean value; only fields and string labels are allowed");
  EXPECT_EQ(Reason(R"({"time":1,"agent":null,"success":1})"),
            "key agent has a null value; only fields and string labels are allowed");
}

TEST(JsonlReader, NestedValuesAreBadRecords) {
  EXPECT_EQ(Reason(R"({"time":1,"agent":"a","success":1,"meta":{"x":"y"}})"),
            "key meta: nested objects and arrays are not supported");
  EXPECT_EQ(Reason(R"({"time":1,"agent":"a","success":1,"tags":["x"]})"),
            "key tags: nested objects and arrays are not supported");
  EXPECT_EQ(Reason(R"({"time":[1],"agent":"a","success":1})"),
            "key time: nested objects and arrays are not supported");
}

TEST(JsonlReader, FieldValuesAreCheckedLikeText) {
  EXPECT_EQ(Reason(R"({"time":1,"agent":"a","success":1,"cost_usd":-1.5})"),
            "cost_usd is negative");
  EXPECT_EQ(
      Reason(R"({"time":1,"agent":"a","success":1,"tool_calls":1,"tool_failures":2})"),
      "tool_failures (2) > tool_calls (1)");
  EXPECT_EQ(Reason(R"({"time":1,"agent":"a","success":1,"user_rating":9})"),
            "user_rating is outside 1..5");
  EXPECT_THAT(Reason(R"({"time":1,"agent":"a","success":"yes"})"),
              HasSubstr("bad success 'yes'"));
  EXPECT_THAT(Reason(R"({"time":1,"agent":"a","success":1,"latency_ms":true})"),
              HasSubstr("bad latency_ms 'true'"));
  EXPECT_EQ(Reason(R"({"time":1,"agent":"a","success":1,"error_kind":5})"),
            "error_kind must be a string or null");
  EXPECT_EQ(Reason(R"({"agent":"a","success":1})"), "missing time");
  EXPECT_EQ(Reason(R"({"time":1,"agent":"a"})"), "missing success");
  EXPECT_EQ(Reason(R"({"time":1,"time":2,"agent":"a","success":1})"), "time given twice");
  EXPECT_THAT(Reason(R"({"time":"noon","agent":"a","success":1})"),
              HasSubstr("bad time 'noon'"));
  EXPECT_EQ(Reason(R"({"time":1,"agent":"a","success":1,"cost_usd":"0.5"})"),
            "");  // exact text
}

TEST(JsonlReader, MalformedJsonIsABadRecordAndReadingGoesOn) {
  for (const char* bad :
       {R"({"time":1,"agent":"a","success":1)", R"({"time":1,"agent":"a","success":1}})",
        R"({"time":1 "agent":"a"})", R"({"time":01,"agent":"a","success":1})",
        R"({"time":1.,"agent":"a","success":1})",
        R"({"time":1,"agent":"a","success":1,})", R"({time:1})",
        R"({"time":1,"agent":"a\x","success":1})",
        R"({"time":1,"agent":"\ud800","success":1})",
        R"({"time":1,"agent":"\udc00","success":1})",
        R"({"time":1,"agent":"\u12","success":1})",
        "{\"time\":1,\"agent\":\"a\tb\",\"success\":1}",
        R"({"time":1,"agent":"a","success":tru})", R"([1,2])", R"("just a string")",
        R"(not json)"}) {
    std::vector<Got> got =
        Read(std::string(bad) + "\n" + R"({"time":1,"agent":"a","success":1})");
    ASSERT_EQ(got.size(), 2u) << bad;
    EXPECT_TRUE(got[0].bad) << bad;
    EXPECT_FALSE(got[0].reason.empty()) << bad;
    EXPECT_EQ(got[0].text, bad);
    EXPECT_FALSE(got[1].bad) << bad << ": " << got[1].reason;
    EXPECT_EQ(got[1].line, 2u);
  }
  EXPECT_EQ(Reason(R"({"time":1,"agent":"a","success":1} x)"),
            "bad JSON at column 36: text after the object");
}

TEST(JsonlReader, OverLongLineIsBadAndReadingResumes) {
  for (size_t size : {kMaxRecordBytes + 10, 3 * kMaxRecordBytes}) {
    std::string jsonl = R"({"time":1,"agent":")" + std::string(size, 'x') + "\"}\n" +
                        R"({"time":2,"agent":"b","success":1})";
    std::vector<Got> got = Read(jsonl);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].reason, "record longer than 1048576 bytes");
    EXPECT_EQ(got[0].text.size(), kMaxRecordBytes);
    EXPECT_FALSE(got[1].bad) << got[1].reason;
    EXPECT_EQ(got[1].line, 2u);
  }
}

}  // namespace
}  // namespace sredb::ingest
