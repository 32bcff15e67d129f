// Exact field parsers and EventAssembler: every accepted form, every
// refusal, and that each error names its field.
#include "ingest/field_parse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "storage/rfc3339.h"

namespace sredb::ingest {
namespace {

using ::testing::HasSubstr;

// The value of an OK result; a failed expectation (and T()) otherwise.
template <typename T>
T V(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : T();
}

TEST(ParseBool, AcceptsDigitsAndWordsInAnyCase) {
  for (const char* t : {"1", "true", "TRUE", "True"})
    EXPECT_TRUE(V(ParseBool("success", t))) << t;
  for (const char* f : {"0", "false", "FALSE", "fAlSe"}) {
    EXPECT_FALSE(V(ParseBool("success", f))) << f;
  }
}

TEST(ParseBool, RefusesAnythingElseNamingTheField) {
  for (const char* bad : {"", "yes", "2", "01", " 1", "truee", "t"}) {
    Result<bool> r = ParseBool("success", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_THAT(r.status().message(), HasSubstr("success"));
  }
}

TEST(ParseTri, EmptyIsUnknown) {
  EXPECT_EQ(V(ParseTri("hallucinated", "")), Tri::kUnknown);
  EXPECT_EQ(V(ParseTri("hallucinated", "1")), Tri::kTrue);
  EXPECT_EQ(V(ParseTri("hallucinated", "false")), Tri::kFalse);
  Result<Tri> r = ParseTri("hallucinated", "maybe");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("hallucinated"));
}

TEST(ParseFloat32, ParsesDecimalAndExponentForms) {
  EXPECT_EQ(V(ParseFloat32("latency_ms", "12.5")), 12.5f);
  EXPECT_EQ(V(ParseFloat32("latency_ms", "+3")), 3.0f);
  EXPECT_EQ(V(ParseFloat32("latency_ms", "-0.25")), -0.25f);  // sign is ValidateEvent's
  EXPECT_EQ(V(ParseFloat32("latency_ms", "1e3")), 1000.0f);
  EXPECT_EQ(V(ParseFloat32("latency_ms", "0.1")), 0.1f);  // nearest float32
}

TEST(ParseFloat32, RefusesNanInfinityGarbageAndOverflow) {
  for (const char* bad : {"NaN", "nan", "inf", "-inf", "Infinity", "", "abc", "1.5ms",
                          "1,5", " 1", "1 ", "+-1", "--1", "0x10", "1e39", "+"}) {
    Result<float> r = ParseFloat32("latency_ms", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr("latency_ms")) << bad;
  }
}

TEST(ParseCostMicros, IsExactAndRoundsHalfAwayFromZero) {
  EXPECT_EQ(V(ParseCostMicros("0")), 0);
  EXPECT_EQ(V(ParseCostMicros("1")), 1'000'000);
  EXPECT_EQ(V(ParseCostMicros("0.000001")), 1);
  EXPECT_EQ(V(ParseCostMicros("0.0123456")), 12346);  // 12345.6 -> up
  EXPECT_EQ(V(ParseCostMicros("0.0123454")), 12345);  // 12345.4 -> down
  EXPECT_EQ(V(ParseCostMicros("0.0000005")), 1);      // exactly half -> away from zero
  EXPECT_EQ(V(ParseCostMicros("0.00000049999")), 0);
  EXPECT_EQ(V(ParseCostMicros("0.1")), 100'000);  // no binary float on the way
  EXPECT_EQ(V(ParseCostMicros("1.10")), 1'100'000);
  EXPECT_EQ(V(ParseCostMicros(".5")), 500'000);
  EXPECT_EQ(V(ParseCostMicros("2.")), 2'000'000);
  EXPECT_EQ(V(ParseCostMicros("+0.5")), 500'000);
  EXPECT_EQ(V(ParseCostMicros("00012.000001")), 12'000'001);
}

TEST(ParseCostMicros, AcceptsExponentsExactly) {
  EXPECT_EQ(V(ParseCostMicros("1e-3")), 1000);
  EXPECT_EQ(V(ParseCostMicros("1E-3")), 1000);
  EXPECT_EQ(V(ParseCostMicros("1.5e2")), 150'000'000);
  EXPECT_EQ(V(ParseCostMicros("1.5e+2")), 150'000'000);
  EXPECT_EQ(V(ParseCostMicros("123456e-12")), 0);  // 0.000000123456
  EXPECT_EQ(V(ParseCostMicros("5e-7")), 1);        // half -> away from zero
  EXPECT_EQ(V(ParseCostMicros("4.99e-7")), 0);
  EXPECT_EQ(V(ParseCostMicros("1e-999999999999")), 0);
  EXPECT_EQ(V(ParseCostMicros("0e999999999999")), 0);
}

TEST(ParseCostMicros, LimitsAreInt64MicroUsd) {
  EXPECT_EQ(V(ParseCostMicros("9223372036854.775807")),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(V(ParseCostMicros("9223372036854.7758074")),
            std::numeric_limits<int64_t>::max());
  for (const char* big : {"9223372036854.775808", "9223372036854.7758075", "1e13",
                          "1e300", "99999999999999999999999"}) {
    Result<int64_t> r = ParseCostMicros(big);
    ASSERT_FALSE(r.ok()) << big;
    EXPECT_THAT(r.status().message(), HasSubstr("cost_usd")) << big;
    EXPECT_THAT(r.status().message(), HasSubstr("too large")) << big;
  }
}

TEST(ParseCostMicros, RefusesNegativesAndGarbage) {
  EXPECT_EQ(ParseCostMicros("-0.01").status().message(), "cost_usd is negative");
  EXPECT_EQ(ParseCostMicros("-0.0000001").status().message(), "cost_usd is negative");
  EXPECT_EQ(V(ParseCostMicros("-0")), 0);  // zero has no sign worth refusing
  for (const char* bad : {"", "-", ".", "e3", "1e", "1e+", "abc", "1.2.3", "1,5", "$1",
                          " 1", "NaN", "inf", "0x1"}) {
    Result<int64_t> r = ParseCostMicros(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr("cost_usd")) << bad;
  }
}

TEST(ParseUnsigned, HonoursTheTypesRange) {
  EXPECT_EQ(V(ParseUint32("tokens_in", "0")), 0u);
  EXPECT_EQ(V(ParseUint32("tokens_in", "4294967295")), 4294967295u);
  EXPECT_EQ(V(ParseUint16("tool_calls", "65535")), 65535u);
  Result<uint32_t> over32 = ParseUint32("tokens_in", "4294967296");
  ASSERT_FALSE(over32.ok());
  EXPECT_THAT(over32.status().message(), HasSubstr("tokens_in"));
  EXPECT_THAT(over32.status().message(), HasSubstr("out of range"));
  Result<uint16_t> over16 = ParseUint16("tool_calls", "65536");
  ASSERT_FALSE(over16.ok());
  EXPECT_THAT(over16.status().message(), HasSubstr("tool_calls"));
  for (const char* bad : {"", "-1", "+1", "1.0", "1e3", "12a", " 1", "abc"}) {
    EXPECT_FALSE(ParseUint16("policy_violations", bad).ok()) << bad;
  }
}

TEST(ParseTime, AcceptsRfc3339) {
  EXPECT_EQ(V(ParseTime("1970-01-01T00:00:01Z", TimeUnit::kNs)), 1'000'000'000);
  EXPECT_EQ(V(ParseTime("2026-03-03T14:00:00.123Z", TimeUnit::kS)), 1772546400123000000);
  EXPECT_EQ(V(ParseTime("2026-03-03T16:00:00.123+02:00", TimeUnit::kNs)),
            1772546400123000000);
}

TEST(ParseTime, ScalesIntegersByTheUnit) {
  EXPECT_EQ(V(ParseTime("1772546400123000000", TimeUnit::kNs)), 1772546400123000000);
  EXPECT_EQ(V(ParseTime("1772546400123000", TimeUnit::kUs)), 1772546400123000000);
  EXPECT_EQ(V(ParseTime("1772546400123", TimeUnit::kMs)), 1772546400123000000);
  EXPECT_EQ(V(ParseTime("1772546400", TimeUnit::kS)), 1772546400000000000);
  EXPECT_EQ(V(ParseTime("-5", TimeUnit::kS)),
            -5'000'000'000);  // range is ValidateEvent's
}

TEST(ParseTime, RefusesOverflowAndGarbage) {
  for (auto [text, unit] : {std::pair{"9223372036854775808", TimeUnit::kNs},
                            std::pair{"9223372036854776", TimeUnit::kUs},
                            std::pair{"9223372036855", TimeUnit::kMs},
                            std::pair{"9223372037", TimeUnit::kS}}) {
    Result<int64_t> r = ParseTime(text, unit);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_THAT(r.status().message(), HasSubstr("out of range")) << text;
  }
  EXPECT_TRUE(ParseTime("9223372036", TimeUnit::kS).ok());
  for (const char* bad :
       {"", "-", "12.5", "2026-13-01T00:00:00Z", "2026-03-03", "yesterday", "1e9"}) {
    Result<int64_t> r = ParseTime(bad, TimeUnit::kNs);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr("time")) << bad;
  }
}

TEST(ParseTraceId, ThirtyTwoHexDigitsOrEmpty) {
  EXPECT_FALSE(V(ParseTraceId("")).has_value());
  std::optional<TraceId> id = V(ParseTraceId("0123456789abcdefABCDEF0123456789"));
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ((*id)[0], 0x01);
  EXPECT_EQ((*id)[7], 0xef);
  EXPECT_EQ((*id)[8], 0xab);
  EXPECT_EQ((*id)[15], 0x89);
  for (const char* bad : {"0123", "0123456789abcdef0123456789abcdeg",
                          "0123456789abcdef0123456789abcdef0"}) {
    Result<std::optional<TraceId>> r = ParseTraceId(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr("trace_id"));
  }
}

TEST(FieldFromName, KnowsEveryEventFieldAndNothingElse) {
  for (int i = 0; i < kFieldCount; ++i) {
    Field f = static_cast<Field>(i);
    EXPECT_EQ(FieldFromName(FieldName(f)), f);
  }
  EXPECT_FALSE(FieldFromName("agent").has_value());  // a label
  EXPECT_FALSE(FieldFromName("model").has_value());
  EXPECT_FALSE(FieldFromName("Time").has_value());
}

TEST(EventAssembler, FillsEveryField) {
  EventAssembler a(TimeUnit::kMs);
  Event e;
  a.Reset(&e);
  ASSERT_TRUE(a.Set(Field::kTime, "1000").ok());
  ASSERT_TRUE(a.Set(Field::kSuccess, "true").ok());
  ASSERT_TRUE(a.Set(Field::kLatencyMs, "12.5").ok());
  ASSERT_TRUE(a.Set(Field::kTtftMs, "3.25").ok());
  ASSERT_TRUE(a.Set(Field::kCostUsd, "0.0123456").ok());
  ASSERT_TRUE(a.Set(Field::kTokensIn, "100").ok());
  ASSERT_TRUE(a.Set(Field::kTokensOut, "200").ok());
  ASSERT_TRUE(a.Set(Field::kHallucinated, "0").ok());
  ASSERT_TRUE(a.Set(Field::kPolicyViolations, "1").ok());
  ASSERT_TRUE(a.Set(Field::kToolCalls, "3").ok());
  ASSERT_TRUE(a.Set(Field::kToolFailures, "2").ok());
  ASSERT_TRUE(a.Set(Field::kUserRating, "4.5").ok());
  ASSERT_TRUE(a.Set(Field::kErrorKind, "timeout").ok());
  ASSERT_TRUE(a.Set(Field::kTraceId, "000102030405060708090a0b0c0d0e0f").ok());
  ASSERT_TRUE(a.Finish().ok());
  Event want;
  want.time = 1'000'000'000;
  want.success = true;
  want.latency_ms = 12.5f;
  want.ttft_ms = 3.25f;
  want.cost_micros = 12346;
  want.tokens_in = 100;
  want.tokens_out = 200;
  want.hallucinated = Tri::kFalse;
  want.policy_violations = 1;
  want.tool_calls = 3;
  want.tool_failures = 2;
  want.user_rating = 4.5f;
  want.error_kind = "timeout";
  want.trace_id = TraceId{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  EXPECT_EQ(e, want);
}

TEST(EventAssembler, DefaultsAndEmptyValues) {
  EventAssembler a(TimeUnit::kNs);
  Event e;
  e.error_kind = "left over";
  a.Reset(&e);
  ASSERT_TRUE(a.Set(Field::kTime, "5").ok());
  ASSERT_TRUE(a.Set(Field::kSuccess, "0").ok());
  for (Field f : {Field::kTtftMs, Field::kUserRating, Field::kHallucinated,
                  Field::kErrorKind, Field::kTraceId}) {
    ASSERT_TRUE(a.Set(f, "").ok()) << FieldName(f);
  }
  ASSERT_TRUE(a.Finish().ok());
  Event want;
  want.time = 5;
  EXPECT_EQ(e, want);
}

TEST(EventAssembler, RefusesEmptyNonNullableFields) {
  for (Field f :
       {Field::kLatencyMs, Field::kCostUsd, Field::kTokensIn, Field::kToolCalls}) {
    EventAssembler a(TimeUnit::kNs);
    Event e;
    a.Reset(&e);
    Status s = a.Set(f, "");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.message(), std::string(FieldName(f)) + " is empty");
  }
}

TEST(EventAssembler, RequiresTimeAndSuccess) {
  EventAssembler a(TimeUnit::kNs);
  Event e;
  a.Reset(&e);
  ASSERT_TRUE(a.Set(Field::kSuccess, "1").ok());
  EXPECT_EQ(a.Finish().message(), "missing time");
  a.Reset(&e);
  ASSERT_TRUE(a.Set(Field::kTime, "1").ok());
  ASSERT_TRUE(a.Set(Field::kSuccess, "").ok());  // an empty cell is a missing value
  EXPECT_EQ(a.Finish().message(), "missing success");
}

TEST(EventAssembler, NullIsUnknownOnlyForNullableFields) {
  EventAssembler a(TimeUnit::kNs);
  Event e;
  a.Reset(&e);
  EXPECT_TRUE(a.SetNull(Field::kTtftMs).ok());
  EXPECT_TRUE(a.SetNull(Field::kTraceId).ok());
  EXPECT_EQ(a.SetNull(Field::kLatencyMs).message(), "latency_ms is null");
  EXPECT_EQ(a.SetNull(Field::kTime).message(), "time is null");
}

TEST(EventAssembler, RefusesAFieldGivenTwice) {
  EventAssembler a(TimeUnit::kNs);
  Event e;
  a.Reset(&e);
  ASSERT_TRUE(a.Set(Field::kTime, "1").ok());
  EXPECT_EQ(a.Set(Field::kTime, "2").message(), "time given twice");
}

TEST(EventAssembler, FinishValidatesRanges) {
  auto finish = [](Field f, const char* text) {
    EventAssembler a(TimeUnit::kNs);
    Event e;
    a.Reset(&e);
    EXPECT_TRUE(a.Set(Field::kTime, "1").ok());
    EXPECT_TRUE(a.Set(Field::kSuccess, "1").ok());
    EXPECT_TRUE(a.Set(Field::kToolCalls, "2").ok());
    Status s = a.Set(f, text);
    return s.ok() ? a.Finish() : s;
  };
  EXPECT_EQ(finish(Field::kLatencyMs, "-1").message(), "latency_ms is negative");
  EXPECT_EQ(finish(Field::kToolFailures, "3").message(),
            "tool_failures (3) > tool_calls (2)");
  EXPECT_EQ(finish(Field::kUserRating, "6").message(), "user_rating is outside 1..5");
  EXPECT_EQ(finish(Field::kUserRating, "0.5").message(), "user_rating is outside 1..5");
  EXPECT_THAT(finish(Field::kLatencyMs, "nan").message(), HasSubstr("latency_ms"));
  EXPECT_THAT(finish(Field::kErrorKind, std::string(65, 'x').c_str()).message(),
              HasSubstr("error_kind is 65 bytes"));
}

// EventAssembler parses the common UTC shape itself, remembering the date;
// it must agree with ParseTime on every input, valid or not, in any order.
TEST(EventAssembler, TimesAgreeWithParseTime) {
  std::vector<std::string> texts = {"2026-03-03T14:00:00Z",
                                    "2026-03-03T14:00:00.1Z",
                                    "2026-03-03T23:59:59.999999999Z",
                                    "2026-03-04T00:00:00.000000001Z",
                                    "2024-02-29T12:00:00Z",
                                    "2023-02-29T12:00:00Z",
                                    "2026-13-01T00:00:00Z",
                                    "2026-03-03T24:00:00Z",
                                    "2026-03-03T23:60:00Z",
                                    "2026-03-03T23:59:60Z",
                                    "2026-03-03T14:00:00.Z",
                                    "2026-03-03T14:00:00.1234567890Z",
                                    "2026-03-03t14:00:00z",
                                    "2026-03-03 14:00:00Z",
                                    "2026-03-03T14:00:00+01:00",
                                    "2026-03-03T1a:00:00Z",
                                    "2026-03-03T14:00:00.12a4Z",
                                    "1678-01-01T00:00:00Z",
                                    "1677-12-31T23:59:59Z",
                                    "2261-12-31T23:59:59.999999999Z",
                                    "2262-01-01T00:00:00Z",
                                    "1970-01-01T00:00:00Z",
                                    "20260303T140000Z",
                                    "2026-03-03T14:00:00ZZ",
                                    "2026-03-03T14:00:00.000Z",
                                    "2026-03-0xT14:00:00Z",
                                    "1772546400000000000"};
  for (int round = 0; round < 2; ++round) {  // the second round starts with a cached date
    for (const std::string& text : texts) {
      EventAssembler a(TimeUnit::kNs);
      Event e;
      a.Reset(&e);
      Status s = a.Set(Field::kTime, text);
      Result<int64_t> want = ParseTime(text, TimeUnit::kNs);
      ASSERT_EQ(s.ok(), want.ok()) << text << ": " << s.ToString();
      if (want.ok()) {
        EXPECT_EQ(e.time, *want) << text;
      } else {
        EXPECT_EQ(s.message(), want.status().message()) << text;
      }
    }
  }
}

TEST(EventAssembler, TimesAgreeWithParseTimeAcrossManyDates) {
  EventAssembler a(TimeUnit::kNs);  // one assembler: its date cache changes date often
  uint64_t x = 12345;
  for (int i = 0; i < 20000; ++i) {
    x = x * 6364136223846793005u + 1442695040888963407u;
    const int64_t ns = static_cast<int64_t>((x >> 8) % (uint64_t{1} << 62));
    std::string text = FormatRfc3339(ns);
    Event e;
    a.Reset(&e);
    ASSERT_TRUE(a.Set(Field::kTime, text).ok()) << text;
    ASSERT_EQ(e.time, ns) << text;
  }
}

TEST(MakeLabels, ValidatesWithLabelsMake) {
  Result<Labels> ok = MakeLabels({{"model", "m"}, {"agent", "a"}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->ToString(), "agent=a,model=m");
  EXPECT_EQ(MakeLabels({{"model", "m"}}).status().message(), "missing agent label");
  EXPECT_THAT(MakeLabels({{"agent", "a"}, {"bad-name", "x"}}).status().message(),
              HasSubstr("bad label name 'bad-name'"));
}

}  // namespace
}  // namespace sredb::ingest
