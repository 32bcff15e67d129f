// DB::Annotate and Reader::ReadAnnotations: round trip, atomicity,
// validation, durability across reopen, the consistent cut, stats.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "storage/db.h"
#include "test_util.h"

namespace sredb {
namespace {

using testing::kT0;
using testing::ManualSealing;
using testing::OpenOrDie;
using testing::TempDir;

constexpr int64_t kMinute = int64_t{60} * 1'000'000'000;

Annotation Make(int64_t time, std::string type, std::vector<Label> labels,
                std::string detail = "") {
  Annotation a;
  a.time = time;
  a.type = std::move(type);
  a.labels = std::move(labels);
  a.detail = std::move(detail);
  return a;
}

std::vector<Annotation> ReadAll(DB* db, int64_t from, int64_t to,
                                std::vector<LabelMatcher> matchers = {}) {
  auto reader = db->NewReader();
  EXPECT_TRUE(reader.ok());
  std::vector<Annotation> out;
  Status s = (*reader)->ReadAnnotations(from, to, matchers, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

std::vector<Label> Sorted(std::vector<Label> l) {
  std::sort(l.begin(), l.end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });
  return l;
}

TEST(Annotate, RoundTripsEveryFieldInTimeOrder) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), ManualSealing());
  Annotation deploy = Make(kT0 + 5 * kMinute, "DEPLOY",
                           {{"model", "m-2"}, {"agent", "agent-1"}}, "prompt v7 to 5%");
  Annotation breach = Make(kT0 + kMinute, "SLO_BREACH", {{"agent", "agent-2"}});
  breach.value = 14.4;
  breach.threshold = -0.0;
  Annotation chaos = Make(kT0 + 5 * kMinute, "CHAOS_START", {}, "kill 10% of tools");
  chaos.value = 1e300;
  std::vector<Annotation> batch = {deploy, breach, chaos};
  ASSERT_TRUE(db->Annotate(WriteOptions(), batch).ok());

  std::vector<Annotation> got = ReadAll(db.get(), 0, kT0 + kMinute * 60);
  ASSERT_EQ(got.size(), 3u);
  // Time order; equal times in the order they were stored.
  deploy.labels = Sorted(deploy.labels);
  EXPECT_EQ(got[0], breach);
  EXPECT_EQ(got[1], deploy);
  EXPECT_EQ(got[2], chaos);
  EXPECT_TRUE(std::signbit(*got[0].threshold));
  // Half-open range: [t, t + 5m) excludes the two at t + 5m.
  EXPECT_EQ(ReadAll(db.get(), kT0 + kMinute, kT0 + 5 * kMinute).size(), 1u);
  EXPECT_EQ(ReadAll(db.get(), kT0 + 5 * kMinute, kT0 + 5 * kMinute + 1).size(), 2u);
  EXPECT_TRUE(ReadAll(db.get(), kT0 + 6 * kMinute, kT0 + 7 * kMinute).empty());
}

TEST(Annotate, SurvivesReopenAndSharesTheSequenceWithAppends) {
  TempDir dir;
  {
    auto db = OpenOrDie(dir.path(), ManualSealing());
    ASSERT_TRUE(db->Annotate(WriteOptions(), std::vector<Annotation>{Make(
                                                 kT0, "NOTE", {{"agent", "a"}}, "one")})
                    .ok());
    EventBatch events;
    Event e;
    e.time = kT0;
    events.Add(events.AddSeries(testing::AgentLabels("a")), e);
    ASSERT_TRUE(db->Append(WriteOptions(), events).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = OpenOrDie(dir.path(), ManualSealing());
  ASSERT_TRUE(
      db->Annotate(WriteOptions(), std::vector<Annotation>{Make(kT0, "NOTE", {}, "two")})
          .ok());
  std::vector<Annotation> got = ReadAll(db.get(), kT0, kT0 + 1);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].detail, "one");  // the older seq first
  EXPECT_EQ(got[1].detail, "two");
  auto report = db->Check();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->problems.empty()) << report->problems[0];
  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->annotations, 2u);
  EXPECT_EQ(stats->events, 1u);
}

TEST(Annotate, MatchersTestLabelsTypeAndDetail) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), ManualSealing());
  std::vector<Annotation> batch = {
      Make(kT0, "DEPLOY", {{"agent", "a"}, {"model", "m1"}}, "canary 5%"),
      Make(kT0 + 1, "DEPLOY", {{"model", "m2"}}, "stable"),
      Make(kT0 + 2, "SLO_BREACH", {{"agent", "b"}}),
  };
  ASSERT_TRUE(db->Annotate(WriteOptions(), batch).ok());
  using Op = LabelMatcher::Op;
  const int64_t end = kT0 + 10;
  EXPECT_EQ(ReadAll(db.get(), kT0, end, {{"type", Op::kEq, {"DEPLOY"}}}).size(), 2u);
  EXPECT_EQ(ReadAll(db.get(), kT0, end, {{"agent", Op::kEq, {"a"}}}).size(), 1u);
  // A missing label has the empty value: != 'a' includes the agent-less one.
  EXPECT_EQ(ReadAll(db.get(), kT0, end, {{"agent", Op::kNeq, {"a"}}}).size(), 2u);
  EXPECT_EQ(ReadAll(db.get(), kT0, end, {{"agent", Op::kEq, {""}}}).size(), 1u);
  EXPECT_EQ(ReadAll(db.get(), kT0, end, {{"model", Op::kIn, {"m2", "m9"}}}).size(), 1u);
  EXPECT_EQ(ReadAll(db.get(), kT0, end, {{"detail", Op::kRegex, {"canary.*"}}}).size(),
            1u);
  EXPECT_EQ(ReadAll(db.get(), kT0, end,
                    {{"type", Op::kRegex, {"DEP.*"}}, {"model", Op::kEq, {"m1"}}})
                .size(),
            1u);
  auto reader = db->NewReader();
  ASSERT_TRUE(reader.ok());
  std::vector<Annotation> out;
  std::vector<LabelMatcher> bad = {{"agent", Op::kRegex, {"("}}};
  EXPECT_TRUE((*reader)->ReadAnnotations(kT0, end, bad, &out).IsInvalidArgument());
}

TEST(Annotate, AReaderSeesItsCutOnly) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), ManualSealing());
  std::vector<Annotation> one = {Make(kT0, "NOTE", {})};
  ASSERT_TRUE(db->Annotate(WriteOptions(), one).ok());
  auto reader = db->NewReader();
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(db->Annotate(WriteOptions(), one).ok());
  std::vector<Annotation> out;
  ASSERT_TRUE((*reader)->ReadAnnotations(0, kT0 + 1, {}, &out).ok());
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(ReadAll(db.get(), 0, kT0 + 1).size(), 2u);
}

struct BadCase {
  const char* what;
  void (*mutate)(Annotation*);
  const char* message;
};

TEST(Annotate, RefusesTheWholeBatchNamingTheAnnotationAndField) {
  const BadCase cases[] = {
      {"negative time", [](Annotation* a) { a->time = -1; }, "time is before"},
      {"empty type", [](Annotation* a) { a->type = ""; }, "type is empty"},
      {"lower-case type", [](Annotation* a) { a->type = "deploy"; },
       "must match [A-Z][A-Z0-9_]*"},
      {"long type", [](Annotation* a) { a->type = std::string(65, 'A'); },
       "type is 65 bytes (at most 64)"},
      {"bad label name",
       [](Annotation* a) {
         a->labels.push_back({"9x", "v"});
       },
       "bad label name '9x'"},
      {"empty label value",
       [](Annotation* a) {
         a->labels.push_back({"model", ""});
       },
       "label model has an empty value"},
      {"reserved label",
       [](Annotation* a) {
         a->labels.push_back({"type", "x"});
       },
       "label name type is reserved"},
      {"duplicate label",
       [](Annotation* a) {
         a->labels.push_back({"agent", "y"});
       },
       "label agent given twice"},
      {"too many labels",
       [](Annotation* a) {
         for (int i = 0; i < 17; ++i) a->labels.push_back({"l" + std::to_string(i), "v"});
       },
       "too many labels: 18"},
      {"NaN value",
       [](Annotation* a) { a->value = std::numeric_limits<double>::quiet_NaN(); },
       "value is not a finite number"},
      {"infinite threshold",
       [](Annotation* a) { a->threshold = std::numeric_limits<double>::infinity(); },
       "threshold is not a finite number"},
      {"long detail", [](Annotation* a) { a->detail = std::string(4097, 'x'); },
       "detail is 4097 bytes (at most 4096)"},
      {"control character in detail", [](Annotation* a) { a->detail = "a\nb"; },
       "detail is not printable UTF-8"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.what);
    TempDir dir;
    auto db = OpenOrDie(dir.path(), ManualSealing());
    std::vector<Annotation> batch = {Make(kT0, "DEPLOY", {{"agent", "a"}}),
                                     Make(kT0 + 1, "DEPLOY", {{"agent", "a"}})};
    c.mutate(&batch[1]);
    Status s = db->Annotate(WriteOptions(), batch);
    ASSERT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_NE(s.message().find("annotation 1 ("), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("the batch is refused"), std::string::npos);
    EXPECT_TRUE(ReadAll(db.get(), 0, std::numeric_limits<int64_t>::max()).empty());
    auto stats = db->GetStats();
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->annotations, 0u);
  }
}

TEST(Annotate, ValidAnnotationsNeedNoAgentNorLabels) {
  Annotation a = Make(0, "CUSTOM_TYPE_2", {});
  EXPECT_TRUE(ValidateAnnotation(a).ok());
  a.labels = {{"model", "m"}, {"env", "prod"}};
  a.detail = "héllo — ✓";
  EXPECT_TRUE(ValidateAnnotation(a).ok());
}

TEST(Annotate, RefusesOversizedBatchesAndReadOnlyDatabases) {
  TempDir dir;
  {
    auto db = OpenOrDie(dir.path(), ManualSealing());
    std::vector<Annotation> big(kMaxBatchAnnotations + 1, Make(kT0, "NOTE", {}));
    EXPECT_TRUE(db->Annotate(WriteOptions(), big).IsResourceExhausted());
    EXPECT_TRUE(db->Annotate(WriteOptions(), {}).ok());
  }
  Options ro = ManualSealing();
  ro.read_only = true;
  auto db = DB::Open(ro, dir.path());
  ASSERT_TRUE(db.ok());
  std::vector<Annotation> one = {Make(kT0, "NOTE", {})};
  EXPECT_TRUE((*db)->Annotate(WriteOptions(), one).IsNotSupported());
  EXPECT_TRUE(ReadAll(db->get(), 0, std::numeric_limits<int64_t>::max()).empty());
}

}  // namespace
}  // namespace sredb
