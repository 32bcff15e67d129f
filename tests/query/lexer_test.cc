// Lexer: token kinds, values, positions and lexical errors.
#include "query/lexer.h"

#include <gtest/gtest.h>

#include <vector>

namespace sredb::query {
namespace {

std::vector<TokenKind> Kinds(std::string_view text) {
  std::vector<TokenKind> out;
  for (const Token& t : Tokenize(text)) out.push_back(t.kind);
  return out;
}

TEST(Lexer, OperatorsAndPunctuation) {
  using K = TokenKind;
  EXPECT_EQ(Kinds("= != <> < <= > >= ~ + - * / , ( ) ;"),
            (std::vector<K>{K::kEq, K::kNe, K::kNe, K::kLt, K::kLe, K::kGt, K::kGe,
                            K::kTilde, K::kPlus, K::kMinus, K::kStar, K::kSlash,
                            K::kComma, K::kLParen, K::kRParen, K::kSemicolon, K::kEnd}));
}

TEST(Lexer, KeywordsAreCaseInsensitiveButStayNames) {
  const std::vector<Token> t = Tokenize("select SeLeCt agent \"select\"");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0].kind, TokenKind::kIdent);
  EXPECT_EQ(t[0].keyword, Keyword::kSelect);
  EXPECT_EQ(t[1].keyword, Keyword::kSelect);
  EXPECT_EQ(t[1].value, "SeLeCt");
  EXPECT_EQ(t[2].keyword, Keyword::kNone);
  EXPECT_EQ(t[3].kind, TokenKind::kIdent);  // a quoted name is never a keyword
  EXPECT_EQ(t[3].keyword, Keyword::kNone);
  EXPECT_EQ(t[3].value, "select");
}

TEST(Lexer, Numbers) {
  const std::vector<Token> t = Tokenize("42 0.99 99.5% 7% 1e6 2.5E-3");
  ASSERT_EQ(t.size(), 7u);
  EXPECT_EQ(t[0].kind, TokenKind::kInteger);
  EXPECT_EQ(t[0].integer, 42);
  EXPECT_EQ(t[1].kind, TokenKind::kDecimal);
  EXPECT_EQ(t[1].number, 0.99);
  EXPECT_EQ(t[2].kind, TokenKind::kPercent);
  EXPECT_EQ(t[2].number, 99.5);
  EXPECT_EQ(t[3].kind, TokenKind::kPercent);
  EXPECT_EQ(t[3].number, 7);
  EXPECT_EQ(t[4].kind, TokenKind::kDecimal);
  EXPECT_EQ(t[4].number, 1e6);
  EXPECT_EQ(t[5].number, 2.5e-3);
}

TEST(Lexer, Durations) {
  const std::vector<Token> t = Tokenize("500ms 30s 5m 1h 7d 4w");
  const int64_t want[] = {500'000'000,       30'000'000'000,      300'000'000'000,
                          3'600'000'000'000, 604'800'000'000'000, 2'419'200'000'000'000};
  ASSERT_EQ(t.size(), 7u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(t[i].kind, TokenKind::kDuration) << i;
    EXPECT_EQ(t[i].integer, want[i]) << i;
  }
}

TEST(Lexer, StringsWithDoubledQuotes) {
  const std::vector<Token> t = Tokenize("'it''s' '' 'a\nb'");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].value, "it's");
  EXPECT_EQ(t[0].text, "'it''s'");
  EXPECT_EQ(t[1].value, "");
  EXPECT_EQ(t[2].value, "a\nb");
}

TEST(Lexer, LinesColumnsAndComments) {
  const std::vector<Token> t = Tokenize("-- header\nSELECT  x -- trailing\n\t 'é' y");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0].line, 2);
  EXPECT_EQ(t[0].column, 1);
  EXPECT_EQ(t[1].line, 2);
  EXPECT_EQ(t[1].column, 9);
  EXPECT_EQ(t[2].line, 3);
  EXPECT_EQ(t[2].column, 3);  // a tab is one column
  EXPECT_EQ(t[3].column, 7);  // 'é' is three columns, not four bytes
  EXPECT_EQ(t[4].kind, TokenKind::kEnd);
}

struct LexError {
  const char* text;
  const char* message;
  int column;
};

TEST(Lexer, ErrorsEndTheStream) {
  const LexError cases[] = {
      {"a 'open", "unterminated string", 3},
      {"a \"open", "unterminated quoted name", 3},
      {"x # y", "unexpected character '#'", 3},
      {"x \x01", "unexpected character '\\x01'", 3},
      {"3mo", "bad duration '3mo': no months or years, use WINDOW CALENDAR MONTH", 1},
      {"1y", "bad duration '1y': no months or years, use WINDOW CALENDAR MONTH", 1},
      {"  5hours", "bad duration '5hours': units are ms, s, m, h, d, w", 3},
      {"1.5h", "bad duration '1.5h': a duration is a whole number of its unit", 1},
      {"99999999999999999999", "integer out of range '99999999999999999999'", 1},
      {"99999999999w", "duration out of range '99999999999w'", 1},
      {"1e999", "number out of range", 1},
      {"1e5x", "bad number '1e5x'", 1},
  };
  for (const LexError& c : cases) {
    const std::vector<Token> t = Tokenize(c.text);
    ASSERT_GE(t.size(), 2u) << c.text;
    const Token& e = t[t.size() - 2];
    EXPECT_EQ(e.kind, TokenKind::kError) << c.text;
    EXPECT_EQ(e.value, c.message) << c.text;
    EXPECT_EQ(e.column, c.column) << c.text;
    EXPECT_EQ(t.back().kind, TokenKind::kEnd);
  }
}

TEST(Lexer, TokenCountIsBounded) {
  const std::string many(1000, ',');
  const std::vector<Token> t = Tokenize(many, 100);
  ASSERT_EQ(t.size(), 100u);
  EXPECT_EQ(t[98].kind, TokenKind::kError);
  EXPECT_EQ(t[98].value, "more than 100 tokens");
  EXPECT_EQ(t[98].column, 99);
}

TEST(Lexer, DescribeQuotesAndTruncates) {
  EXPECT_EQ(Describe(Tokenize("hour")[0]), "'hour'");
  EXPECT_EQ(Describe(Tokenize("'x'")[0]), "'x'");
  EXPECT_EQ(Describe(Tokenize("")[0]), "end of input");
  EXPECT_EQ(Describe(Tokenize(std::string(50, 'a'))[0]),
            "'" + std::string(40, 'a') + "...'");
}

}  // namespace
}  // namespace sredb::query
