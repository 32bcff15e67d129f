// Every kind of bad record, in CSV and JSON lines, in both error modes,
// through Ingest into a real DB: abort stores exactly the records before
// the bad one and names it; skip stores every good record and writes the bad
// one to the rejects as "original line<TAB>reason".
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "ingest/ingester.h"
#include "storage/db.h"
#include "storage/rfc3339.h"

namespace sredb::ingest {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kBase = 1772323200000000000;     // 2026-03-01T00:00:00Z
constexpr int64_t kSpan = 1000 * kNanosPerSecond;  // of each test's times

// A record as named values; raw values are written as they are (JSON
// numbers, booleans, objects), strings are quoted in JSON.
struct Value {
  std::string text;
  bool raw = false;
};
using Rec = std::vector<std::pair<std::string, Value>>;

void Set(Rec* r, const std::string& name, std::string text, bool raw) {
  for (auto& [n, v] : *r) {
    if (n == name) {
      v = Value{std::move(text), raw};
      return;
    }
  }
  r->emplace_back(name, Value{std::move(text), raw});
}
void Raw(Rec* r, const std::string& name, std::string text) {
  Set(r, name, std::move(text), true);
}
void Str(Rec* r, const std::string& name, std::string text) {
  Set(r, name, std::move(text), false);
}
void Remove(Rec* r, const std::string& name) {
  r->erase(std::remove_if(r->begin(), r->end(), [&](auto& p) { return p.first == name; }),
           r->end());
}

std::vector<std::string> CsvColumns() {
  std::vector<std::string> c = {
      "time",       "agent",         "success",     "latency_ms",   "ttft_ms",
      "cost_usd",   "tokens_in",     "tokens_out",  "hallucinated", "policy_violations",
      "tool_calls", "tool_failures", "user_rating", "error_kind",   "trace_id",
      "model",      "bad-name"};
  for (int i = 1; i <= 16; ++i) c.push_back("x" + std::to_string(i));
  return c;
}

std::string TraceHex(int i) {
  char head[3];
  std::snprintf(head, sizeof(head), "%02x", i);
  return head + std::string("0102030405060708090a0b0c0d0e0f");
}

// Good record i at base + i s: every field exercised, optional ones
// present by turns.
Rec Good(int64_t base, int i) {
  Rec r;
  const int64_t t = base + i * kNanosPerSecond;
  if (i % 2 == 0)
    Str(&r, "time", FormatRfc3339(t));
  else
    Raw(&r, "time", std::to_string(t));
  Str(&r, "agent", "agent-" + std::to_string(i % 3));
  Raw(&r, "success", i % 2 == 0 ? "true" : "false");
  Raw(&r, "latency_ms", std::to_string(i) + ".5");
  if (i % 2 == 0) Raw(&r, "ttft_ms", "3.25");
  Raw(&r, "cost_usd", i % 2 == 0 ? "0.0123456" : "1.5e-3");
  Raw(&r, "tokens_in", std::to_string(100 + i));
  Raw(&r, "tokens_out", std::to_string(200 + i));
  if (i % 3 != 0) Raw(&r, "hallucinated", i % 3 == 1 ? "false" : "true");
  Raw(&r, "policy_violations", std::to_string(i % 2));
  Raw(&r, "tool_calls", "3");
  Raw(&r, "tool_failures", std::to_string(i % 4));
  if (i % 2 == 0) Raw(&r, "user_rating", "4.5");
  if (i % 3 == 0) Str(&r, "error_kind", "timeout");
  if (i % 2 == 0) Str(&r, "trace_id", TraceHex(i));
  Str(&r, "model", "m" + std::to_string(i % 2));
  return r;
}

// The event and labels Good(i) must be stored as, computed by hand.
std::pair<std::string, Event> Expected(int64_t base, int i) {
  Event e;
  e.time = base + i * kNanosPerSecond;
  e.success = i % 2 == 0;
  e.latency_ms = static_cast<float>(i) + 0.5f;
  if (i % 2 == 0) e.ttft_ms = 3.25f;
  e.cost_micros = i % 2 == 0 ? 12346 : 1500;
  e.tokens_in = 100 + i;
  e.tokens_out = 200 + i;
  e.hallucinated = i % 3 == 0 ? Tri::kUnknown : i % 3 == 1 ? Tri::kFalse : Tri::kTrue;
  e.policy_violations = static_cast<uint16_t>(i % 2);
  e.tool_calls = 3;
  e.tool_failures = static_cast<uint16_t>(i % 4);
  if (i % 2 == 0) e.user_rating = 4.5f;
  if (i % 3 == 0) e.error_kind = "timeout";
  if (i % 2 == 0) {
    e.trace_id = TraceId{
        static_cast<uint8_t>(i), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  }
  return {"agent=agent-" + std::to_string(i % 3) + ",model=m" + std::to_string(i % 2), e};
}

std::string CsvLine(const Rec& r) {
  std::string line;
  for (const std::string& column : CsvColumns()) {
    if (!line.empty() || column != "time") line += ',';
    for (const auto& [n, v] : r) {
      if (n == column) line += v.text;
    }
  }
  return line;
}

std::string JsonLine(const Rec& r) {
  std::string line = "{";
  for (const auto& [n, v] : r) {
    if (line.size() > 1) line += ", ";
    line += "\"" + n + "\": " + (v.raw ? v.text : "\"" + v.text + "\"");
  }
  return line + "}";
}

struct BadCase {
  std::string name;
  std::function<void(Rec*)> edit;  // spoils a good record
  std::string reason;              // a part of the reason
  bool csv = true;
  bool json = true;
  std::function<std::string(std::string)> line_edit = nullptr;  // or spoils its line
};

std::vector<BadCase> BadCases() {
  return {
      {"BadTime", [](Rec* r) { Str(r, "time", "yesterday"); }, "bad time 'yesterday'"},
      {"MissingTime", [](Rec* r) { Remove(r, "time"); }, "missing time"},
      {"MissingAgent", [](Rec* r) { Remove(r, "agent"); }, "missing agent label"},
      {"MissingSuccess", [](Rec* r) { Remove(r, "success"); }, "missing success"},
      {"BadBool", [](Rec* r) { Str(r, "success", "maybe"); }, "bad success 'maybe'"},
      {"NegativeCost", [](Rec* r) { Raw(r, "cost_usd", "-0.5"); },
       "cost_usd is negative"},
      {"NanLatency", [](Rec* r) { Str(r, "latency_ms", "NaN"); }, "bad latency_ms 'NaN'"},
      {"ToolFailuresOverCalls", [](Rec* r) { Raw(r, "tool_failures", "5"); },
       "tool_failures (5) > tool_calls (3)"},
      {"RatingOutOfRange", [](Rec* r) { Raw(r, "user_rating", "7"); },
       "user_rating is outside 1..5"},
      {"TokensOverflow", [](Rec* r) { Raw(r, "tokens_in", "4294967296"); },
       "bad tokens_in"},
      {"TooManyLabels",
       [](Rec* r) {
         for (int i = 1; i <= 16; ++i) Str(r, "x" + std::to_string(i), "v");
       },
       "too many labels: 18"},
      {"LabelTooLong", [](Rec* r) { Str(r, "model", std::string(300, 'm')); },
       "label model value is 300 bytes"},
      {"BadLabelName", [](Rec* r) { Str(r, "bad-name", "v"); },
       "bad label name 'bad-name'"},
      {"WrongFieldCount", nullptr, "expected 33 fields, found 34", true, false,
       [](std::string line) { return line + ",extra"; }},
      {"UnparseableCsv", nullptr, "unexpected character after a closing quote", true,
       false, [](std::string line) { return "\"x\"y" + line; }},
      {"NonStringLabel", [](Rec* r) { Raw(r, "region", "5"); },
       "key region has a number value", false, true},
      {"NestedObject", [](Rec* r) { Raw(r, "meta", R"({"a": "b"})"); },
       "key meta: nested objects and arrays are not supported", false, true},
      {"UnparseableJson", nullptr, "bad JSON at column", false, true,
       [](std::string line) { return line.substr(0, line.size() / 2); }},
  };
}

struct Param {
  BadCase bad;
  Format format;
};

std::string ParamName(const ::testing::TestParamInfo<Param>& info) {
  return (info.param.format == Format::kCsv ? "Csv" : "Jsonl") + info.param.bad.name;
}

std::vector<Param> Params() {
  std::vector<Param> out;
  for (const BadCase& c : BadCases()) {
    if (c.csv) out.push_back({c, Format::kCsv});
    if (c.json) out.push_back({c, Format::kJsonl});
  }
  return out;
}

// The tests share one DB (opening one costs ~0.1 s); each test has its own
// time span, and reads back only that.
class BadRecordTest : public ::testing::TestWithParam<Param> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     ("sredb-bad-" + std::to_string(getpid())));
    std::filesystem::remove_all(*dir_);
    Options options;
    options.create_if_missing = true;
    auto db = DB::Open(options, dir_->string());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value().release();
  }
  static void TearDownTestSuite() {
    if (db_ != nullptr) {
      EXPECT_TRUE(db_->Close().ok());
    }
    delete db_;
    db_ = nullptr;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  void SetUp() override {
    ASSERT_NE(db_, nullptr);
    base_ = kBase + kSpan * next_span_++;
    // Records 0, 1, bad (from record 2), 3, 4.
    const Param& p = GetParam();
    auto line = [&](const Rec& r) {
      return p.format == Format::kCsv ? CsvLine(r) : JsonLine(r);
    };
    if (p.format == Format::kCsv) {
      for (const std::string& c : CsvColumns()) input_ += (input_.empty() ? "" : ",") + c;
      input_ += "\n";
    }
    Rec bad = Good(base_, 2);
    if (p.bad.edit) p.bad.edit(&bad);
    bad_line_ = p.bad.line_edit ? p.bad.line_edit(line(bad)) : line(bad);
    for (int i : {0, 1}) input_ += line(Good(base_, i)) + "\n";
    input_ += bad_line_ + "\n";
    for (int i : {3, 4}) input_ += line(Good(base_, i)) + "\n";
    bad_where_ = p.format == Format::kCsv ? "line 4" : "line 3";
  }

  std::vector<std::pair<std::string, Event>> Expect(std::vector<int> records) const {
    std::vector<std::pair<std::string, Event>> out;
    for (int i : records) out.push_back(Expected(base_, i));
    return out;
  }

  Result<IngestSummary> Ingest(OnError on_error) {
    int fd = memfd_create("bad_record_test", 0);
    EXPECT_EQ(write(fd, input_.data(), input_.size()),
              static_cast<ssize_t>(input_.size()));
    EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
    char* buf = nullptr;
    size_t len = 0;
    IngestOptions options;
    options.format = GetParam().format;
    options.on_error = on_error;
    options.rejects = open_memstream(&buf, &len);
    Result<IngestSummary> summary = ingest::Ingest(db_, fd, options);
    std::fclose(options.rejects);
    rejects_.assign(buf, len);
    std::free(buf);
    close(fd);
    return summary;
  }

  std::vector<std::pair<std::string, Event>> Stored() {
    std::vector<std::pair<std::string, Event>> out;
    ScanOptions scan;
    scan.start = base_;
    scan.end = base_ + kSpan;
    auto it = db_->Scan(scan);
    EXPECT_TRUE(it.ok());
    if (!it.ok()) return out;
    for (; (*it)->Valid(); (*it)->Next()) {
      out.emplace_back((*it)->labels().ToString(), (*it)->event());
    }
    EXPECT_TRUE((*it)->status().ok()) << (*it)->status().ToString();
    std::sort(out.begin(), out.end(),
              [](auto& a, auto& b) { return a.second.time < b.second.time; });
    return out;
  }

  static std::filesystem::path* dir_;
  static DB* db_;
  static int next_span_;
  int64_t base_ = 0;
  std::string input_;
  std::string bad_line_;
  std::string bad_where_;
  std::string rejects_;
};

std::filesystem::path* BadRecordTest::dir_ = nullptr;
DB* BadRecordTest::db_ = nullptr;
int BadRecordTest::next_span_ = 0;

TEST_P(BadRecordTest, AbortStoresOnlyTheRecordsBeforeIt) {
  Result<IngestSummary> s = Ingest(OnError::kAbort);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ingested, 2u);
  EXPECT_EQ(s->rejected, 1u);
  ASSERT_TRUE(s->stopped_at.has_value());
  EXPECT_EQ(s->stopped_at->where, bad_where_);
  EXPECT_THAT(s->stopped_at->reason, HasSubstr(GetParam().bad.reason));
  EXPECT_EQ(Stored(), Expect({0, 1}));
  EXPECT_EQ(rejects_, bad_line_ + "\t" + s->stopped_at->reason + "\n");
}

TEST_P(BadRecordTest, SkipStoresEveryGoodRecordAndRejectsTheBadOne) {
  Result<IngestSummary> s = Ingest(OnError::kSkip);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ingested, 4u);
  EXPECT_EQ(s->rejected, 1u);
  EXPECT_FALSE(s->stopped_at.has_value());
  EXPECT_EQ(Stored(), Expect({0, 1, 3, 4}));
  ASSERT_THAT(rejects_, ::testing::StartsWith(bad_line_ + "\t"));
  const std::string reason = rejects_.substr(bad_line_.size() + 1);
  EXPECT_THAT(reason, HasSubstr(GetParam().bad.reason));
  EXPECT_EQ(std::count(reason.begin(), reason.end(), '\n'), 1);
  EXPECT_EQ(reason.back(), '\n');
}

INSTANTIATE_TEST_SUITE_P(EveryKind, BadRecordTest, ::testing::ValuesIn(Params()),
                         ParamName);

}  // namespace
}  // namespace sredb::ingest
