// The recursive-descent parser behind query/parser.h, split by concern:
//   parser_impl.cc  token cursor, errors, durations, numbers, instants, names
//   parse_expr.cc   predicates, aggregates, WHERE conditions
//   parse_select.cc SELECT / EXPLAIN and their data-free checks
//   parse_sre.cc    the SRE statements (CREATE SLO ... DROP DETECTOR)
//   parser.cc       statement dispatch, Parse and ParseScript
// Every Parse* method reads one construct starting at the current token and
// returns OK with the cursor after it, or an InvalidArgument "L:C: ...";
// outputs are written only through their pointer arguments.
//
// Thread safety: a Parser is used by one thread; it only reads its tokens.
#ifndef SREDB_QUERY_INTERNAL_PARSER_IMPL_H_
#define SREDB_QUERY_INTERNAL_PARSER_IMPL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "query/ast.h"
#include "query/lexer.h"
#include "storage/status.h"

namespace sredb::query::internal {

// Words that never name a label where a bare name could be one; the others
// (step, window, target...) are keywords only where the grammar expects them.
bool IsReserved(const Token& t);

// The column a bare name spells (any case); nullopt for labels, keywords,
// "quoted" names and non-names.
std::optional<Column> ColumnOf(const Token& t);

// Whether the token is the word `time` (the event time, not a label).
inline bool IsTime(const Token& t) {
  return t.kind == TokenKind::kIdent && t.keyword == Keyword::kTime;
}

class Parser {
 public:
  // REQUIRES: `tokens` ends with kEnd and outlives the parser.
  explicit Parser(const std::vector<Token>& tokens) : tokens_(tokens) {}

  // ---- cursor (parser_impl.cc)
  const Token& Peek(size_t ahead = 0) const;
  const Token& Take();
  bool Is(TokenKind k, size_t ahead = 0) const { return Peek(ahead).kind == k; }
  bool IsKeyword(Keyword k, size_t ahead = 0) const;
  bool Accept(TokenKind k);
  bool AcceptKeyword(Keyword k);
  Status Expect(TokenKind k, std::string_view what);
  Status ExpectKeyword(Keyword k, std::string_view what);
  // "L:C: expected <what>, got '<current token>'" (or the lexical error there).
  Status Expected(std::string_view what) const;
  static Status ErrorAt(const Token& t, std::string_view msg);
  static Status ErrorAt(Position pos, std::string_view msg);
  static Position PosOf(const Token& t) { return Position{t.line, t.column}; }
  size_t cursor() const { return pos_; }
  // End offset in the text of the last token taken.
  size_t last_end() const { return last_end_; }

  // ---- literals (parser_impl.cc)
  Status ParseDuration(std::string_view what, int64_t* out);
  Status ParseNumber(std::string_view what, double* out);  // [+-] integer | decimal
  // A fraction in (0, 1): 0.995 or 99.5%.
  Status ParseTarget(std::string_view what, double* out);
  Status ParseInstant(std::string_view what, Instant* out);
  Status ParseObjectName(std::string_view what, std::string* out);  // name | 'name'
  Status ParseLabelName(std::string_view what, std::string* out);
  Status ParseLabelList(std::string_view what, std::vector<std::string>* out);

  // ---- expressions (parse_expr.cc)
  Status ParsePredicate(Predicate* out);
  // REQUIRES: the current token is a name followed by '('.
  // allow_window: zscore and OVER are allowed (not inside zscore or WATCH).
  Status ParseAggregate(bool allow_window, Aggregate* out);
  Status ParseWhere(bool allow_time, WhereClause* out);       // after WHERE
  Status ParseLabelSelector(std::vector<LabelMatcher>* out);  // after WHERE

  // ---- statements (parse_select.cc, parse_sre.cc)
  Status ParseSelect(SelectStmt* out);      // at SELECT
  Status ParseExplain(StatementNode* out);  // at EXPLAIN
  Status ParseCreate(StatementNode* out);   // at CREATE
  Status ParseEvaluate(EvaluateStmt* out);  // at EVALUATE
  Status ParseShow(StatementNode* out);     // at SHOW
  Status ParseTimeline(TimelineStmt* out);  // at TIMELINE
  Status ParseDrop(DropStmt* out);          // at DROP

 private:
  // SELECT pieces (parse_select.cc).
  Status ParseSelectBody(SelectStmt* out);
  Status ParseSelectItem(const SelectStmt& s, SelectItem* out);
  Status ParseBucket(int64_t* step_ns);  // at bucket(
  Status ParseGroupBy(SelectStmt* s);
  Status ParseHavingOr(const SelectStmt& s, int depth, HavingExpr* out);
  Status ParseHavingAnd(const SelectStmt& s, int depth, HavingExpr* out);
  Status ParseHavingUnary(const SelectStmt& s, int depth, HavingExpr* out);
  Status ParseHavingComparison(const SelectStmt& s, HavingExpr* out);
  Status ParseHavingOperand(const SelectStmt& s,
                            std::variant<double, ItemRef, Aggregate>* out);
  Status ParseOrderBy(SelectStmt* s);
  Status CheckSelect(const SelectStmt& s, Position select_pos) const;
  // SRE pieces (parse_sre.cc).
  Status ParseCreateSlo(CreateSloStmt* out);
  Status ParseBurnAlert(BurnAlert* out);
  Status ParseCreateDetector(CreateDetectorStmt* out);
  Status ParseShowSlo(ShowSloStmt* out);
  Status ParseExplainBurn(ExplainBurnStmt* out);
  Status ParseTimeRange(std::string_view what, TimeRange* out);  // FROM t0 TO t1
  // Expression pieces (parse_expr.cc).
  Status ParseNumericColumn(std::string_view fn, Column* out);
  Status ParseCallArgs(std::string_view fn, AggregateCall* out);
  Status ParseZScore(Aggregate* out);
  Status ParseCondition(bool allow_time, WhereClause* out);
  Status ParseTimeCondition(WhereClause* out);
  Status ParseLabelCondition(LabelMatcher* out);

  // Whether the SELECT after the cursor reads FROM annotations (a look
  // ahead: its items come before FROM, and name annotation fields).
  bool SelectsAnnotations() const;
  // Set while a FROM annotations SELECT is parsed: `time`, `value` and
  // `threshold` are then its columns, and event columns are refused.
  bool annotations_ = false;

  const std::vector<Token>& tokens_;
  size_t pos_ = 0;
  size_t last_end_ = 0;
};

// Whether `a` is certainly not before `b` without knowing now() (both
// absolute or both relative to now(), and a >= b): then a range a..b is empty.
bool CertainlyNotBefore(const Instant& a, const Instant& b);

// Whether `pattern` compiles as the storage layer compiles it (RE2 syntax,
// storage/internal/regex_compile.h); if not, *why says why. Patterns over
// kMaxRegexBytes are refused.
bool RegexCompiles(std::string_view pattern, std::string* why);

}  // namespace sredb::query::internal

#endif  // SREDB_QUERY_INTERNAL_PARSER_IMPL_H_
