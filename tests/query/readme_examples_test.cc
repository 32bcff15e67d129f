// query/README.md: every statement of its example block parses.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "query/parser.h"

namespace sredb::query {
namespace {

TEST(ReadmeExamples, EveryExampleParses) {
  std::ifstream in(std::string(SREDB_SOURCE_DIR) + "/query/README.md");
  ASSERT_TRUE(in.good());
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  const std::string open = "## One example per construct\n\n```sql\n";
  const size_t start = text.find(open);
  ASSERT_NE(start, std::string::npos);
  const size_t body = start + open.size();
  const size_t end = text.find("```", body);
  ASSERT_NE(end, std::string::npos);
  Result<std::vector<Statement>> r = ParseScript(text.substr(body, end - body));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), 27u);
}

}  // namespace
}  // namespace sredb::query
