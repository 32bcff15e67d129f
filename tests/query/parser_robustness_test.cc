// Parser robustness: random token soups, mutations of valid statements and
// adversarial nesting never crash the parser; each text parses or yields an
// InvalidArgument whose message starts with a plausible "L:C: ".
#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <string>
#include <vector>

#include "query/parser.h"

namespace sredb::query {
namespace {

const char* const kValid[] = {
    "SELECT rate(success) FROM tasks WHERE agent = 'agent-0042' AND time >= "
    "'2026-03-01T00:00:00Z' AND time < '2026-03-31T00:00:00Z';",
    "SELECT agent, burn_rate(success, 0.99) OVER 5m AS br_5m, burn_rate(success, 0.99) "
    "OVER "
    "1h AS br_1h FROM tasks AT '2026-03-31T00:00:00Z' GROUP BY agent ORDER BY br_1h DESC "
    "LIMIT 10;",
    "SELECT bucket(1h) AS hour, count(), rate(success), p99(latency_ms), sum(cost_usd) "
    "FROM "
    "tasks WHERE agent = 'agent-0042' AND time >= now() - 30d GROUP BY hour;",
    "SELECT agent, zscore(sum(cost_usd), 1h, 7d) AS z FROM tasks AT "
    "'2026-03-31T00:00:00Z' "
    "GROUP BY agent HAVING z > 3 OR (NOT z < -3 AND count() OVER 1h >= 10);",
    "SELECT cohort, count(), rate(NOT hallucinated), p95(latency_ms, exact), "
    "avg(cost_usd) "
    "FROM tasks AT now() WHERE time IN LAST 1d AND env ~ 'prod.*' AND model IN ('a','b') "
    "GROUP BY cohort;",
    "CREATE SLO s ON tasks WHERE agent != 'x' GOOD latency_ms <= 2000 TARGET 99.5% "
    "WINDOW "
    "CALENDAR MONTH BY agent ALERT 14.4 OVER 1h AND 5m PAGE, 1 OVER 3d AND 6h TICKET;",
    "CREATE DETECTOR d ON tasks BY agent WATCH sum(cost_usd) EVERY 1h USING zscore "
    "BASELINE "
    "7d THRESHOLD 3 SIGNAL COST_ANOMALY;",
    "EVALUATE FROM '2026-03-01T00:00:00Z' TO '2026-03-31T00:00:00Z' STEP 1m;",
    "SHOW SLO s FROM 0 TO 3600000000000 STEP 1h; SHOW INCIDENTS ALL; SHOW SIGNALS;",
    "EXPLAIN BURN s WHERE agent = 'a' OVER 6h BASELINE 7d;",
    "TIMELINE WHERE agent = 'x' FROM now() - 2h TO now(); DROP SLO s; DROP DETECTOR d;",
};

const char* const kVocabulary[] = {
    "SELECT",
    "FROM",
    "tasks",
    "annotations",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "IN",
    "LAST",
    "AT",
    "GROUP",
    "BY",
    "HAVING",
    "ORDER",
    "ASC",
    "DESC",
    "LIMIT",
    "AS",
    "OVER",
    "EXPLAIN",
    "CREATE",
    "SLO",
    "DETECTOR",
    "ON",
    "GOOD",
    "TARGET",
    "WINDOW",
    "CALENDAR",
    "MONTH",
    "ALERT",
    "PAGE",
    "TICKET",
    "WATCH",
    "EVERY",
    "USING",
    "zscore",
    "BASELINE",
    "THRESHOLD",
    "SIGNAL",
    "COST_ANOMALY",
    "EVALUATE",
    "TO",
    "STEP",
    "SHOW",
    "SLOS",
    "ALERTS",
    "SIGNALS",
    "INCIDENTS",
    "BURN",
    "TIMELINE",
    "DROP",
    "now()",
    "time",
    "agent",
    "success",
    "latency_ms",
    "cost_usd",
    "hallucinated",
    "count()",
    "rate(",
    "sum(",
    "p99(",
    "bucket(",
    "burn_rate(",
    "quantile(",
    "exact",
    "'agent-1'",
    "'2026-03-01T00:00:00Z'",
    "''",
    "'(('",
    "1",
    "0",
    "0.99",
    "99.5%",
    "1h",
    "5m",
    "7d",
    "0s",
    "=",
    "!=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "~",
    "+",
    "-",
    "*",
    "/",
    ",",
    "(",
    ")",
    ";",
    "--c\n",
    "\"q\"",
};

void ExpectWellFormed(const std::string& text) {
  static const std::regex kPrefix("^([0-9]+):([0-9]+): [\\s\\S]+");
  Result<Statement> one = Parse(text);
  Result<std::vector<Statement>> many = ParseScript(text);
  for (const Status* st : {&one.status(), &many.status()}) {
    if (st->ok()) continue;
    ASSERT_TRUE(st->IsInvalidArgument()) << text << "\n" << st->ToString();
    std::smatch m;
    const std::string& msg = st->message();
    ASSERT_TRUE(std::regex_match(msg, m, kPrefix)) << text << "\n" << msg;
    const long line = std::stol(m[1]), column = std::stol(m[2]);
    const long lines = 1 + std::count(text.begin(), text.end(), '\n');
    EXPECT_GE(line, 1) << msg;
    EXPECT_LE(line, lines) << text << "\n" << msg;
    EXPECT_GE(column, 1) << msg;
    EXPECT_LE(column, static_cast<long>(text.size()) + 1) << text << "\n" << msg;
  }
}

TEST(ParserRobustness, ValidExamplesParse) {
  for (const char* text : kValid) {
    Result<std::vector<Statement>> r = ParseScript(text);
    EXPECT_TRUE(r.ok()) << text << "\n" << r.status().ToString();
  }
}

TEST(ParserRobustness, RandomTokenSoups) {
  std::mt19937_64 rng(20260328);
  constexpr size_t kWords = sizeof(kVocabulary) / sizeof(kVocabulary[0]);
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    const int n = 1 + static_cast<int>(rng() % 40);
    for (int j = 0; j < n; ++j) {
      text += kVocabulary[rng() % kWords];
      text += (rng() % 8 == 0) ? "\n" : " ";
    }
    ExpectWellFormed(text);
    if (HasFatalFailure()) return;
  }
}

TEST(ParserRobustness, MutatedValidStatements) {
  std::mt19937_64 rng(42);
  constexpr size_t kExamples = sizeof(kValid) / sizeof(kValid[0]);
  const std::string kBytes =
      "'\"()-;,~<>=!%.0123456789 \n\t\x01\xc3\xa9\xff"
      "abcdhmswAZ_";
  for (int i = 0; i < 3000; ++i) {
    std::string text = kValid[rng() % kExamples];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t at = rng() % text.size();
      switch (rng() % 5) {
        case 0:  // delete a run
          text.erase(at, 1 + rng() % 8);
          break;
        case 1:  // insert a byte
          text.insert(at, 1, kBytes[rng() % kBytes.size()]);
          break;
        case 2:  // overwrite a byte
          text[at] = kBytes[rng() % kBytes.size()];
          break;
        case 3:  // duplicate a run
          text.insert(at, text.substr(rng() % text.size(), 1 + rng() % 16));
          break;
        default:  // truncate
          text.resize(at);
          break;
      }
    }
    ExpectWellFormed(text);
    if (HasFatalFailure()) return;
  }
}

TEST(ParserRobustness, DeepNestingIsRefusedNotRecursed) {
  const std::string head = "SELECT count() AS n FROM tasks WHERE time IN LAST 1h HAVING ";
  const std::string parens = head + std::string(200'000, '(') + "n > 1";
  Result<Statement> r = Parse(parens);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "1:125: HAVING nested deeper than 64 levels");

  std::string nots = head;
  for (int i = 0; i < 50'000; ++i) nots += "NOT ";
  r = Parse(nots + "n > 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "1:317: HAVING nested deeper than 64 levels");

  // Predicates fold NOTs and parentheses without recursing.
  std::string pred = "SELECT rate(";
  for (int i = 0; i < 20'000; ++i) pred += "NOT (";
  pred += "success";
  pred += std::string(20'000, ')');
  r = Parse(pred + ") FROM tasks WHERE time IN LAST 1h");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& item = std::get<SelectStmt>(r->node).items[0];
  EXPECT_FALSE(std::get<Aggregate>(item.expr).call.predicate->negated);  // an even count
}

TEST(ParserRobustness, SizeAndTokenLimits) {
  Result<Statement> big = Parse(std::string(kMaxQueryBytes + 1, ' '));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().message(),
            "1:1: the text has 1048577 bytes, more than the limit of "
            "1048576");
  std::string commas = "SELECT count()";
  while (commas.size() < 600'000) commas += ", count()";
  Result<Statement> many = Parse(commas + " FROM tasks WHERE time IN LAST 1h");
  ASSERT_FALSE(many.ok());
  EXPECT_NE(many.status().message().find(": more than 100000 tokens"), std::string::npos)
      << many.status().message();
}

TEST(ParserRobustness, LongAndPathologicalRegexes) {
  const std::string head =
      "SELECT count() FROM tasks WHERE time IN LAST 1h AND agent ~ '";
  const std::string worst[] = {
      std::string(kMaxRegexBytes / 2, '(') + std::string(kMaxRegexBytes / 2, ')'),
      [] {
        std::string s;
        while (s.size() + 2 <= kMaxRegexBytes) s += "a|";
        return s + "a";
      }(),
      std::string(kMaxRegexBytes, 'a'),
      "(a{1000}){1000}",
  };
  for (const std::string& re : worst) {
    Result<Statement> r = Parse(head + re + "'");
    EXPECT_TRUE(r.ok() || r.status().IsInvalidArgument()) << re.substr(0, 30);
  }
  Result<Statement> r = Parse(head + std::string(kMaxRegexBytes + 1, 'a') + "'");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().substr(0, 20), "1:61: bad regex 'aaa");
  EXPECT_NE(r.status().message().find(": longer than 1024 bytes"), std::string::npos);
}

}  // namespace
}  // namespace sredb::query
