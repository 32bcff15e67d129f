// WriteFleet's CSV and JSON lines: exact text for fixed cases, agreement
// with the generator, byte-for-byte determinism, and write errors.
#include "tools/gen_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "fleet_test_util.h"
#include "storage/rfc3339.h"

namespace sredb::fleet {
namespace {

std::string Write(const FleetOptions& o, GenFormat format) {
  std::FILE* f = std::tmpfile();
  EXPECT_NE(f, nullptr);
  Status s = WriteFleet(o, format, fileno(f));
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::string out;
  std::rewind(f);
  char buf[1 << 16];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  std::fclose(f);
  return out;
}

Labels FleetLabels() {
  return Labels::Make({{"agent", "agent-0042"},
                       {"model", "gpt-4o"},
                       {"prompt_version", "v4"},
                       {"cohort", "stable"},
                       {"task_type", "chat"}})
      .value();
}

Event FixedEvent() {
  Event e;
  e.time = ParseRfc3339("2026-03-03T14:00:00.123Z").value();
  e.success = false;
  e.latency_ms = 812.3f;
  e.ttft_ms = 201.5f;
  e.cost_micros = 12345;
  e.tokens_in = 1500;
  e.tokens_out = 400;
  e.hallucinated = Tri::kTrue;
  e.policy_violations = 1;
  e.tool_calls = 3;
  e.tool_failures = 1;
  e.user_rating = 4;
  e.error_kind = "tool_error";
  return e;
}

std::string CsvRow(const Event& e) {
  std::string row;
  AppendCsvRow(FleetLabels(), e, &row);
  return row;
}

TEST(GenWriter, CsvRowIsExact) {
  EXPECT_EQ(CsvRow(FixedEvent()),
            "2026-03-03T14:00:00.123Z,agent-0042,gpt-4o,v4,stable,chat,0,812.3,201.5,"
            "0.012345,1500,400,1,1,3,1,4,tool_error\n");
  Event e;
  e.time = ParseRfc3339("2026-03-03T14:00:00Z").value();
  e.success = true;
  e.latency_ms = 60000;
  EXPECT_EQ(
      CsvRow(e),
      "2026-03-03T14:00:00Z,agent-0042,gpt-4o,v4,stable,chat,1,60000,,0,0,0,,0,0,0,,\n");
}

TEST(GenWriter, CostIsTheExactDecimalOfMicros) {
  auto cost = [](int64_t micros) {
    Event e = FixedEvent();
    e.cost_micros = micros;
    std::string row = CsvRow(e);
    std::vector<std::string> fields;
    std::stringstream in(row);
    for (std::string f; std::getline(in, f, ',');) fields.push_back(f);
    return fields.at(9);
  };
  EXPECT_EQ(cost(0), "0");
  EXPECT_EQ(cost(1), "0.000001");
  EXPECT_EQ(cost(120), "0.00012");
  EXPECT_EQ(cost(12345), "0.012345");
  EXPECT_EQ(cost(1'500'000), "1.5");
  EXPECT_EQ(cost(1'000'001), "1.000001");
  EXPECT_EQ(cost(9'223'372'036'854'775'807), "9223372036854.775807");
  EXPECT_EQ(cost(-1'500'000), "-1.5");  // invalid, but written faithfully
  EXPECT_EQ(cost(INT64_MIN), "-9223372036854.775808");
}

TEST(GenWriter, JsonLineIsExact) {
  std::string line;
  AppendJsonLine(FleetLabels(), FixedEvent(), &line);
  EXPECT_EQ(
      line,
      R"({"time":"2026-03-03T14:00:00.123Z","agent":"agent-0042","model":"gpt-4o",)"
      R"("prompt_version":"v4","cohort":"stable","task_type":"chat","success":false,)"
      R"("latency_ms":812.3,"ttft_ms":201.5,"cost_usd":0.012345,"tokens_in":1500,)"
      R"("tokens_out":400,"hallucinated":true,"policy_violations":1,"tool_calls":3,)"
      R"("tool_failures":1,"user_rating":4,"error_kind":"tool_error"})"
      "\n");
  line.clear();
  Event e;
  e.error_kind = "say \"hi\"\n";
  AppendJsonLine(Labels::Make({{"agent", "a\\b"}}).value(), e, &line);
  EXPECT_EQ(
      line,
      R"({"time":"1970-01-01T00:00:00Z","agent":"a\\b","success":false,"latency_ms":0,)"
      R"("ttft_ms":null,"cost_usd":0,"tokens_in":0,"tokens_out":0,"hallucinated":null,)"
      R"("policy_violations":0,"tool_calls":0,"tool_failures":0,"user_rating":null,)"
      R"("error_kind":"say \"hi\"\u000a"})"
      "\n");
}

TEST(GenWriter, CsvOfASmallFleetIsExact) {
  const std::string csv = Write(Small(1, 1, 2, 1), GenFormat::kCsv);
  EXPECT_EQ(
      csv,
      std::string(kCsvHeader) + "\n" +
          "2026-01-01T13:48:42.175Z,agent-0000,gpt-4o,v3,stable,chat,1,2467.2,629.6,"
          "0.00767,236,708,,0,0,0,,\n"
          "2026-01-01T23:59:40.145Z,agent-0000,gpt-4o,v3,stable,chat,0,130.9,,0,0,0,,"
          "0,0,0,,rate_limited\n");
}

// FNV-1a over the bytes, to pin a larger output across machines.
uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3;
  return h;
}

TEST(GenWriter, OutputIsIdenticalOnEveryRunAndMachine) {
  const FleetOptions o = Small(50, 4, 20'000, 9);
  const std::string csv = Write(o, GenFormat::kCsv);
  EXPECT_EQ(csv, Write(o, GenFormat::kCsv));
  EXPECT_NE(csv, Write(Small(50, 4, 20'000, 10), GenFormat::kCsv));
  // Pinned: a change here changes every generated fleet (say so in the commit).
  EXPECT_EQ(Fnv1a(csv), 0x64ca94170d34db3cu) << std::hex << Fnv1a(csv);
  EXPECT_EQ(Fnv1a(Write(o, GenFormat::kJsonl)), 11134144909608850960u);
}

// Each written line is the text AppendCsvRow / AppendJsonLine gives for the
// generator's event; every latency has at most one decimal.
TEST(GenWriter, LinesMatchTheGeneratorsEvents) {
  const FleetOptions o = Small(30, 3, 30'000, 5);
  for (GenFormat format : {GenFormat::kCsv, GenFormat::kJsonl}) {
    std::string expected =
        format == GenFormat::kCsv ? std::string(kCsvHeader) + "\n" : "";
    FleetGenerator gen(o);
    const Labels* labels;
    Event e;
    while (gen.Next(&labels, &e)) {
      (format == GenFormat::kCsv ? AppendCsvRow : AppendJsonLine)(*labels, e, &expected);
    }
    EXPECT_EQ(Write(o, format), expected) << GenFormatName(format);
  }
  std::stringstream csv(Write(o, GenFormat::kCsv));
  std::string line;
  std::getline(csv, line);
  while (std::getline(csv, line)) {
    std::vector<std::string> f;
    std::stringstream in(line);
    for (std::string x; std::getline(in, x, ',');) f.push_back(x);
    for (int i : {7, 8}) {
      size_t dot = f.at(i).find('.');
      ASSERT_TRUE(dot == std::string::npos || dot + 2 == f[i].size()) << line;
    }
    ASSERT_EQ(f.at(0), FormatRfc3339(ParseRfc3339(f[0]).value())) << line;
  }
}

TEST(GenWriter, FormatNames) {
  for (GenFormat f : {GenFormat::kCsv, GenFormat::kJsonl, GenFormat::kCapnp}) {
    auto parsed = GenFormatFromName(GenFormatName(f));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, f);
  }
  auto bad = GenFormatFromName("parquet");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("csv, jsonl or capnp"), std::string::npos);
}

TEST(GenWriter, RejectsBadOptionsBeforeWriting) {
  Status s = WriteFleet(Small(0, 1, 1), GenFormat::kCsv, STDOUT_FILENO);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
}

TEST(GenWriter, ClosedPipeIsAnIOError) {
  std::signal(SIGPIPE, SIG_IGN);
  for (GenFormat format : {GenFormat::kCsv, GenFormat::kJsonl, GenFormat::kCapnp}) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    close(fds[0]);
    Status s = WriteFleet(Small(10, 1, 50'000), format, fds[1]);
    close(fds[1]);
    EXPECT_TRUE(s.IsIOError()) << GenFormatName(format) << ": " << s.ToString();
  }
  Status s = WriteFleet(Small(10, 1, 10), GenFormat::kCsv, -1);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
}

}  // namespace
}  // namespace sredb::fleet
