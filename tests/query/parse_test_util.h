// Helpers shared by the query parser tests.
#ifndef SREDB_TESTS_QUERY_PARSE_TEST_UTIL_H_
#define SREDB_TESTS_QUERY_PARSE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "query/parser.h"
#include "storage/rfc3339.h"

namespace sredb::query {

inline constexpr int64_t kSec = 1'000'000'000;
inline constexpr int64_t kMin = 60 * kSec;
inline constexpr int64_t kHour = 60 * kMin;
inline constexpr int64_t kDay = 24 * kHour;

inline int64_t Ns(std::string_view rfc3339) {
  Result<int64_t> r = ParseRfc3339(rfc3339);
  EXPECT_TRUE(r.ok()) << rfc3339;
  return r.ok() ? *r : 0;
}

// The statement's node of type T; fails the test if parsing fails or the
// node has another type.
template <typename T>
T ParseAs(std::string_view text) {
  Result<Statement> r = Parse(text);
  EXPECT_TRUE(r.ok()) << text << "\n" << r.status().ToString();
  if (!r.ok()) return T{};
  const T* node = std::get_if<T>(&r->node);
  EXPECT_NE(node, nullptr) << text << ": parsed as another statement";
  return node ? *node : T{};
}

// The error message of a text that must not parse ("" if it parsed).
inline std::string ErrorOf(std::string_view text) {
  Result<Statement> r = Parse(text);
  if (r.ok()) return "";
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  return r.status().message();
}

inline const Aggregate& AggOf(const SelectItem& item) {
  static const Aggregate kNone;
  const Aggregate* a = std::get_if<Aggregate>(&item.expr);
  EXPECT_NE(a, nullptr) << item.name << " is not an aggregate";
  return a ? *a : kNone;
}

inline LabelMatcher Matcher(std::string name, LabelMatcher::Op op,
                            std::vector<std::string> values) {
  LabelMatcher m;
  m.name = std::move(name);
  m.op = op;
  m.values = std::move(values);
  return m;
}

inline void ExpectMatchers(const std::vector<LabelMatcher>& got,
                           const std::vector<LabelMatcher>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].name, want[i].name) << i;
    EXPECT_EQ(got[i].op, want[i].op) << i;
    EXPECT_EQ(got[i].values, want[i].values) << i;
  }
}

}  // namespace sredb::query

#endif  // SREDB_TESTS_QUERY_PARSE_TEST_UTIL_H_
