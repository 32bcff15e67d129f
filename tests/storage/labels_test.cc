#include <gtest/gtest.h>

#include "storage/event.h"

namespace sredb {
namespace {

TEST(Labels, SortsAndRequiresAgent) {
  auto l = Labels::Make({{"model", "m"}, {"agent", "a"}});
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->ToString(), "agent=a,model=m");
  EXPECT_EQ(l->Get("model"), "m");
  EXPECT_EQ(l->Get("tenant"), "");
  auto missing = Labels::Make({{"model", "m"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "missing agent label");
}

TEST(Labels, CanonicalEncodingIgnoresInputOrder) {
  auto a = Labels::Make({{"agent", "x"}, {"b", "1"}, {"c", "2"}});
  auto b = Labels::Make({{"c", "2"}, {"agent", "x"}, {"b", "1"}});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->Canonical(), b->Canonical());
  // Length prefixes keep "ab"+"c" apart from "a"+"bc".
  auto c = Labels::Make({{"agent", "ab"}, {"c", "d"}});
  auto d = Labels::Make({{"agent", "a"}, {"bc", "d"}});
  EXPECT_NE(c->Canonical(), d->Canonical());
}

TEST(Labels, RejectsEachInvalidShapeNamingIt) {
  struct Case {
    std::vector<Label> labels;
    const char* why;
  };
  std::vector<Label> many = {{"agent", "a"}};
  for (int i = 0; i < 17; ++i) many.push_back({"l" + std::to_string(i), "v"});
  const Case cases[] = {
      {many, "too many labels: 18"},
      {{{"agent", "a"}, {"9x", "v"}}, "bad label name '9x'"},
      {{{"agent", "a"}, {"a-b", "v"}}, "bad label name 'a-b'"},
      {{{"agent", "a"}, {std::string(65, 'n'), "v"}}, "bad label name"},
      {{{"agent", "a"}, {"m", ""}}, "label m has an empty value"},
      {{{"agent", std::string(257, 'v')}}, "label agent value is 257 bytes"},
      {{{"agent", "a\tb"}}, "not printable UTF-8"},
      {{{"agent", "\xc3"}}, "not printable UTF-8"},
      {{{"agent", "\xed\xa0\x80"}}, "not printable UTF-8"},  // a surrogate
      {{{"agent", "a"}, {"agent", "b"}}, "label agent given twice"},
  };
  for (const Case& c : cases) {
    auto l = Labels::Make(c.labels);
    ASSERT_FALSE(l.ok()) << c.why;
    EXPECT_NE(l.status().message().find(c.why), std::string::npos)
        << l.status().message();
  }
  EXPECT_TRUE(Labels::Make({{"agent", "caf\xc3\xa9 \xf0\x9f\xa4\x96"}}).ok());
}

}  // namespace
}  // namespace sredb
