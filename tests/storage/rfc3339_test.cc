#include "storage/rfc3339.h"

#include <gtest/gtest.h>

#include "storage/options.h"

namespace sredb {
namespace {

TEST(Rfc3339, ParsesUtcAndOffsets) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z").value(), 0);
  EXPECT_EQ(ParseRfc3339("2026-03-01T00:00:00Z").value(),
            1'772'323'200 * kNanosPerSecond);
  EXPECT_EQ(ParseRfc3339("2026-03-01T02:00:00+02:00").value(),
            1'772'323'200 * kNanosPerSecond);
  EXPECT_EQ(ParseRfc3339("2026-02-28t19:00:00-05:00").value(),
            1'772'323'200 * kNanosPerSecond);
  EXPECT_EQ(ParseRfc3339("2026-03-01 00:00:00.123z").value(),
            1'772'323'200 * kNanosPerSecond + 123'000'000);
  EXPECT_EQ(ParseRfc3339("2026-03-01T00:00:00.000000001Z").value(),
            1'772'323'200 * kNanosPerSecond + 1);
  EXPECT_EQ(ParseRfc3339("1969-12-31T23:59:59Z").value(), -kNanosPerSecond);
  EXPECT_EQ(ParseRfc3339("2024-02-29T00:00:00Z").value(),
            1'709'164'800 * kNanosPerSecond);
}

TEST(Rfc3339, RejectsMalformedTimesSayingWhy) {
  struct Case {
    const char* text;
    const char* why;
  };
  for (const Case& c :
       {Case{"", "expected YYYY-MM-DD"}, Case{"2026-13-01T00:00:00Z", "bad month 13"},
        Case{"2026-02-29T00:00:00Z", "bad day 29"},
        Case{"2026-03-01T24:00:00Z", "bad hour 24"},
        Case{"2026-03-01T00:60:00Z", "bad minute 60"},
        Case{"2026-03-01T00:00:60Z", "bad second 60"},
        Case{"2026-03-01T00:00:00", "expected 'Z' or an offset"},
        Case{"2026-03-01T00:00:00.Z", "expected digits after '.'"},
        Case{"2026-03-01T00:00:00.1234567891Z", "fraction longer than 9"},
        Case{"2026-03-01T00:00:00+2:00", "bad offset"},
        Case{"2026-03-01T00:00:00Zjunk", "unexpected text"},
        Case{"2026-03-01", "expected 'T'"},
        Case{"9999-03-01T00:00:00Z", "year outside"}}) {
    auto r = ParseRfc3339(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.why), std::string::npos)
        << c.text << " -> " << r.status().message();
  }
}

TEST(Rfc3339, FormatsWithTheShortestExactFraction) {
  const int64_t t = 1'772'323'200 * kNanosPerSecond;
  EXPECT_EQ(FormatRfc3339(t), "2026-03-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(t + 120'000'000), "2026-03-01T00:00:00.120Z");
  EXPECT_EQ(FormatRfc3339(t + 1'000), "2026-03-01T00:00:00.000001Z");
  EXPECT_EQ(FormatRfc3339(t + 1), "2026-03-01T00:00:00.000000001Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999999999Z");
}

TEST(Rfc3339, FormatThenParseIsIdentityAcrossCenturies) {
  for (int64_t t = -5'000'000'000'000'000'000; t < 9'000'000'000'000'000'000;
       t += 123'456'789'012'345'677) {
    auto back = ParseRfc3339(FormatRfc3339(t));
    ASSERT_TRUE(back.ok()) << FormatRfc3339(t);
    ASSERT_EQ(back.value(), t);
  }
}

}  // namespace
}  // namespace sredb
