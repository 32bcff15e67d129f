// The lexer of the query language (QUERY.md): text -> tokens, each with its
// 1-based line and column (columns count UTF-8 code points, so they match
// what an editor shows). Keywords are recognised case-insensitively but stay
// identifiers: the parser decides where a word is a keyword and where it is
// a label name, so a label may be called `step` or `window`.
//
// A lexical error (unterminated string, stray character, overflowing number,
// unknown duration unit) becomes one kError token carrying the message, and
// the token stream ends there; the parser reports it when it reaches it, so
// the first error in the text is the one reported.
//
// Thread safety: stateless functions over values.
#ifndef SREDB_QUERY_LEXER_H_
#define SREDB_QUERY_LEXER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sredb::query {

enum class TokenKind : uint8_t {
  kEnd,       // end of input; always the last token
  kError,     // a lexical error; `value` holds the message (without position)
  kIdent,     // name or keyword; `value` is the name as written
  kString,    // 'single quoted', '' escapes a quote; `value` is unescaped
  kInteger,   // 42; `integer`
  kDecimal,   // 0.99, 1e6, 2.5e-3; `number`
  kPercent,   // 99.5%; `number` is 99.5 (not divided by 100)
  kDuration,  // 500ms 30s 5m 1h 7d 4w; `integer` is the length in ns
  kEq,        // =
  kNe,        // != or <>
  kLt,        // <
  kLe,        // <=
  kGt,        // >
  kGe,        // >=
  kTilde,     // ~
  kPlus,      // +
  kMinus,     // -
  kStar,      // *
  kSlash,     // /
  kComma,     // ,
  kLParen,    // (
  kRParen,    // )
  kSemicolon  // ;
};

// Words with a meaning somewhere in the grammar (matched case-insensitively).
enum class Keyword : uint8_t {
  kNone,
  kAlert,
  kAll,
  kAlerts,
  kAnalyze,
  kAnd,
  kAnnotations,
  kAs,
  kAsc,
  kAt,
  kBaseline,
  kBurn,
  kBy,
  kCalendar,
  kCreate,
  kDesc,
  kDetector,
  kDetectors,
  kDrop,
  kEvaluate,
  kEvery,
  kExact,
  kExplain,
  kFrom,
  kGood,
  kGroup,
  kHaving,
  kIn,
  kIncidents,
  kLast,
  kLimit,
  kMonth,
  kNot,
  kNow,
  kOn,
  kOpen,
  kOr,
  kOrder,
  kOver,
  kPage,
  kSelect,
  kShow,
  kSignal,
  kSignals,
  kSlo,
  kSlos,
  kStep,
  kTarget,
  kTasks,
  kThreshold,
  kTicket,
  kTime,
  kTimeline,
  kTo,
  kUsing,
  kWatch,
  kWhere,
  kWindow,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  Keyword keyword = Keyword::kNone;  // kIdent only, and never for "quoted" names
  int line = 1;
  int column = 1;
  size_t offset = 0;      // byte offset of the token's first character
  std::string_view text;  // the token as written (a view into the input)
  std::string value;      // kIdent, kString: the name / unescaped text; kError: message
  int64_t integer = 0;    // kInteger; kDuration (ns)
  double number = 0;      // kDecimal, kPercent; also kInteger as a double
};

// The tokens of `text`, ending with one kEnd (or kError then kEnd); at most
// `max_tokens` in all (past it, a kError "more than N tokens").
// Views in the tokens point into `text`, which must outlive them.
inline constexpr size_t kMaxTokens = 100'000;
std::vector<Token> Tokenize(std::string_view text, size_t max_tokens = kMaxTokens);

// The keyword spelled by `word` (any case), or kNone.
Keyword LookupKeyword(std::string_view word);

// How a token is quoted in error messages: 'hour', or "end of input".
std::string Describe(const Token& token);

}  // namespace sredb::query

#endif  // SREDB_QUERY_LEXER_H_
