// Parse and ParseScript: statement dispatch over internal::Parser.
#include "query/parser.h"

#include <utility>

#include "query/internal/parser_impl.h"
#include "query/lexer.h"

namespace sredb::query {
namespace {

using internal::Parser;

constexpr std::string_view kStatementStart =
    "SELECT, EXPLAIN, CREATE, EVALUATE, SHOW, TIMELINE or DROP";

template <typename T>
Status ParseInto(Status (Parser::*method)(T*), Parser* p, StatementNode* out) {
  T node;
  SREDB_RETURN_IF_ERROR((p->*method)(&node));
  *out = std::move(node);
  return Status::OK();
}

// One statement at the cursor; stops before ';' or the end.
Status ParseStatement(Parser* p, std::string_view text, Statement* out) {
  const Token& first = p->Peek();
  out->pos = Parser::PosOf(first);
  if (first.kind != TokenKind::kIdent) return p->Expected(kStatementStart);
  switch (first.keyword) {
    case Keyword::kSelect:
      SREDB_RETURN_IF_ERROR(ParseInto(&Parser::ParseSelect, p, &out->node));
      break;
    case Keyword::kExplain:
      SREDB_RETURN_IF_ERROR(p->ParseExplain(&out->node));
      break;
    case Keyword::kCreate:
      SREDB_RETURN_IF_ERROR(p->ParseCreate(&out->node));
      break;
    case Keyword::kEvaluate:
      SREDB_RETURN_IF_ERROR(ParseInto(&Parser::ParseEvaluate, p, &out->node));
      break;
    case Keyword::kShow:
      SREDB_RETURN_IF_ERROR(p->ParseShow(&out->node));
      break;
    case Keyword::kTimeline:
      SREDB_RETURN_IF_ERROR(ParseInto(&Parser::ParseTimeline, p, &out->node));
      break;
    case Keyword::kDrop:
      SREDB_RETURN_IF_ERROR(ParseInto(&Parser::ParseDrop, p, &out->node));
      break;
    default:
      return p->Expected(kStatementStart);
  }
  out->text = std::string(text.substr(first.offset, p->last_end() - first.offset));
  if (!p->Is(TokenKind::kSemicolon) && !p->Is(TokenKind::kEnd)) {
    return p->Expected("';' or end of input");
  }
  return Status::OK();
}

Status CheckSize(std::string_view text) {
  if (text.size() <= kMaxQueryBytes) return Status::OK();
  return Status::InvalidArgument("1:1: the text has " + std::to_string(text.size()) +
                                 " bytes, more than the limit of " +
                                 std::to_string(kMaxQueryBytes));
}

}  // namespace

Result<Statement> Parse(std::string_view text) {
  SREDB_RETURN_IF_ERROR(CheckSize(text));
  const std::vector<Token> tokens = Tokenize(text);
  Parser p(tokens);
  Statement s;
  SREDB_RETURN_IF_ERROR(ParseStatement(&p, text, &s));
  while (p.Accept(TokenKind::kSemicolon)) {
  }
  if (!p.Is(TokenKind::kEnd)) {
    return p.Expected("end of input after the statement (use ParseScript for several)");
  }
  return s;
}

Result<std::vector<Statement>> ParseScript(std::string_view text) {
  SREDB_RETURN_IF_ERROR(CheckSize(text));
  const std::vector<Token> tokens = Tokenize(text);
  Parser p(tokens);
  std::vector<Statement> out;
  while (true) {
    while (p.Accept(TokenKind::kSemicolon)) {
    }
    if (p.Is(TokenKind::kEnd)) break;
    Statement s;
    SREDB_RETURN_IF_ERROR(ParseStatement(&p, text, &s));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace sredb::query
