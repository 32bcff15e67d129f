// Parser: token cursor, error messages and literals; see parser_impl.h.
#include "query/internal/parser_impl.h"

#include "query/parser.h"
#include "storage/internal/regex_compile.h"
#include "storage/rfc3339.h"

namespace sredb::query::internal {

bool IsReserved(const Token& t) {
  switch (t.keyword) {
    case Keyword::kAnd:
    case Keyword::kAs:
    case Keyword::kAsc:
    case Keyword::kAt:
    case Keyword::kBy:
    case Keyword::kDesc:
    case Keyword::kFrom:
    case Keyword::kGroup:
    case Keyword::kHaving:
    case Keyword::kIn:
    case Keyword::kLimit:
    case Keyword::kNot:
    case Keyword::kOr:
    case Keyword::kOrder:
    case Keyword::kOver:
    case Keyword::kSelect:
    case Keyword::kWhere:
      return true;
    default:
      return false;
  }
}

std::optional<Column> ColumnOf(const Token& t) {
  if (t.kind != TokenKind::kIdent || t.text.empty() || t.text[0] == '"')
    return std::nullopt;
  return LookupColumn(t.value);
}

const Token& Parser::Peek(size_t ahead) const {
  const size_t i = pos_ + ahead;
  return i < tokens_.size() ? tokens_[i] : tokens_.back();
}

const Token& Parser::Take() {
  const Token& t = Peek();
  if (t.kind != TokenKind::kEnd && t.kind != TokenKind::kError) {
    ++pos_;
    last_end_ = t.offset + t.text.size();
  }
  return t;
}

bool Parser::IsKeyword(Keyword k, size_t ahead) const {
  const Token& t = Peek(ahead);
  return t.kind == TokenKind::kIdent && t.keyword == k;
}

bool Parser::Accept(TokenKind k) {
  if (!Is(k)) return false;
  Take();
  return true;
}

bool Parser::AcceptKeyword(Keyword k) {
  if (!IsKeyword(k)) return false;
  Take();
  return true;
}

Status Parser::Expect(TokenKind k, std::string_view what) {
  return Accept(k) ? Status::OK() : Expected(what);
}

Status Parser::ExpectKeyword(Keyword k, std::string_view what) {
  return AcceptKeyword(k) ? Status::OK() : Expected(what);
}

Status Parser::Expected(std::string_view what) const {
  const Token& t = Peek();
  if (t.kind == TokenKind::kError) return ErrorAt(t, t.value);
  std::string msg = "expected ";
  msg += what;
  msg += ", got ";
  msg += Describe(t);
  return ErrorAt(t, msg);
}

Status Parser::ErrorAt(const Token& t, std::string_view msg) {
  return ErrorAt(PosOf(t), msg);
}

Status Parser::ErrorAt(Position pos, std::string_view msg) {
  std::string out = std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": ";
  out += msg;
  return Status::InvalidArgument(std::move(out));
}

Status Parser::ParseDuration(std::string_view what, int64_t* out) {
  const Token& t = Peek();
  if (t.kind != TokenKind::kDuration) return Expected(what);
  if (t.integer <= 0) {
    return ErrorAt(t, "a duration must be positive, got " + Describe(t));
  }
  *out = Take().integer;
  return Status::OK();
}

Status Parser::ParseNumber(std::string_view what, double* out) {
  const size_t start = pos_;
  double sign = 1;
  if (Accept(TokenKind::kMinus)) {
    sign = -1;
  } else {
    Accept(TokenKind::kPlus);
  }
  if (!Is(TokenKind::kInteger) && !Is(TokenKind::kDecimal)) {
    pos_ = start;
    return Expected(what);
  }
  *out = sign * Take().number;
  return Status::OK();
}

Status Parser::ParseTarget(std::string_view what, double* out) {
  const Token& t = Peek();
  double v = 0;
  if (t.kind == TokenKind::kPercent) {
    v = Take().number / 100;
  } else if (t.kind == TokenKind::kInteger || t.kind == TokenKind::kDecimal) {
    v = Take().number;
  } else {
    return Expected(what);
  }
  if (!(v > 0 && v < 1)) {
    return ErrorAt(t, "a target must be in (0, 1) or (0%, 100%), got " + Describe(t));
  }
  *out = v;
  return Status::OK();
}

Status Parser::ParseInstant(std::string_view what, Instant* out) {
  const Token& t = Peek();
  Instant in;
  in.pos = PosOf(t);
  if (t.kind == TokenKind::kString) {
    Result<int64_t> ns = ParseRfc3339(t.value);
    if (!ns.ok()) {
      return ErrorAt(t, ns.status().message());  // names the text and what is wrong
    }
    in.ns = *ns;
    Take();
  } else if (t.kind == TokenKind::kInteger) {
    in.ns = Take().integer;
  } else if (t.keyword == Keyword::kNow && t.kind == TokenKind::kIdent &&
             Is(TokenKind::kLParen, 1)) {
    Take();
    Take();
    SREDB_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')' after now("));
    in.relative = true;
  } else {
    return Expected(what);
  }
  while (Is(TokenKind::kPlus) || Is(TokenKind::kMinus)) {
    const bool minus = Take().kind == TokenKind::kMinus;
    const Token& d = Peek();
    int64_t ns = 0;
    SREDB_RETURN_IF_ERROR(
        ParseDuration(minus ? "a duration after '-'" : "a duration after '+'", &ns));
    if (minus ? __builtin_sub_overflow(in.ns, ns, &in.ns)
              : __builtin_add_overflow(in.ns, ns, &in.ns)) {
      return ErrorAt(d, "instant out of range");
    }
  }
  *out = in;
  return Status::OK();
}

Status Parser::ParseObjectName(std::string_view what, std::string* out) {
  const Token& t = Peek();
  if (t.kind == TokenKind::kIdent && !IsReserved(t)) {
    *out = Take().value;
    return Status::OK();
  }
  if (t.kind == TokenKind::kString) {
    constexpr size_t kMaxName = 128;
    if (t.value.empty() || t.value.size() > kMaxName) {
      return ErrorAt(t, "a name must have 1 to 128 bytes, got " + Describe(t));
    }
    *out = Take().value;
    return Status::OK();
  }
  return Expected(what);
}

Status Parser::ParseLabelName(std::string_view what, std::string* out) {
  const Token& t = Peek();
  if (t.kind != TokenKind::kIdent || IsReserved(t)) return Expected(what);
  if (ColumnOf(t) || IsTime(t)) {
    return ErrorAt(
        t, std::string("expected ") + std::string(what) + ", got column " + Describe(t));
  }
  *out = Take().value;
  return Status::OK();
}

Status Parser::ParseLabelList(std::string_view what, std::vector<std::string>* out) {
  do {
    std::string name;
    SREDB_RETURN_IF_ERROR(ParseLabelName(what, &name));
    out->push_back(std::move(name));
  } while (Accept(TokenKind::kComma));
  return Status::OK();
}

bool CertainlyNotBefore(const Instant& a, const Instant& b) {
  return a.relative == b.relative && a.ns >= b.ns;
}

bool RegexCompiles(std::string_view pattern, std::string* why) {
  if (pattern.size() > kMaxRegexBytes) {
    *why = "longer than " + std::to_string(kMaxRegexBytes) + " bytes";
    return false;
  }
  // The storage layer compiles it the same way when the query runs.
  sredb::internal::Regex re;
  return sredb::internal::CompileRegex(std::string(pattern), &re, why);
}

}  // namespace sredb::query::internal
