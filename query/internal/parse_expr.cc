// Parser: event predicates, aggregate calls and WHERE conditions.
#include <string>

#include "query/internal/parser_impl.h"

namespace sredb::query::internal {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view TypeName(ColumnType t) {
  switch (t) {
    case ColumnType::kBool:
    case ColumnType::kTriBool:
      return "boolean";
    case ColumnType::kNumeric:
      return "numeric";
    case ColumnType::kString:
      return "string";
    case ColumnType::kBytes:
      return "bytes";
  }
  return "?";
}

std::optional<CompareOp> CompareOpOf(TokenKind k) {
  switch (k) {
    case TokenKind::kEq:
      return CompareOp::kEq;
    case TokenKind::kNe:
      return CompareOp::kNe;
    case TokenKind::kLt:
      return CompareOp::kLt;
    case TokenKind::kLe:
      return CompareOp::kLe;
    case TokenKind::kGt:
      return CompareOp::kGt;
    case TokenKind::kGe:
      return CompareOp::kGe;
    default:
      return std::nullopt;
  }
}

struct FunctionInfo {
  std::string_view name;
  AggFn fn;
  double q;  // pNN only
};

constexpr FunctionInfo kFunctions[] = {
    {"count", AggFn::kCount, 0},       {"sum", AggFn::kSum, 0},
    {"avg", AggFn::kAvg, 0},           {"min", AggFn::kMin, 0},
    {"max", AggFn::kMax, 0},           {"stddev", AggFn::kStddev, 0},
    {"rate", AggFn::kRate, 0},         {"burn_rate", AggFn::kBurnRate, 0},
    {"quantile", AggFn::kQuantile, 0}, {"p50", AggFn::kQuantile, 0.5},
    {"p90", AggFn::kQuantile, 0.9},    {"p95", AggFn::kQuantile, 0.95},
    {"p99", AggFn::kQuantile, 0.99},   {"p999", AggFn::kQuantile, 0.999},
};

}  // namespace

// [NOT | '(']* column [op number] [')']*: NOTs fold into `negated`.
Status Parser::ParsePredicate(Predicate* out) {
  Predicate p;
  size_t parens = 0;
  while (true) {
    if (AcceptKeyword(Keyword::kNot)) {
      p.negated = !p.negated;
    } else if (Accept(TokenKind::kLParen)) {
      ++parens;
    } else {
      break;
    }
  }
  const Token& t = Peek();
  constexpr std::string_view kWhat =
      "a boolean expression (success, hallucinated, NOT b or a comparison such as "
      "latency_ms <= 2000)";
  if (t.kind != TokenKind::kIdent || IsReserved(t)) return Expected(kWhat);
  const std::optional<Column> c = ColumnOf(t);
  if (!c) return ErrorAt(t, "unknown column " + Describe(t));
  p.column = *c;
  Take();
  switch (TypeOf(*c)) {
    case ColumnType::kBool:
    case ColumnType::kTriBool:
      break;
    case ColumnType::kNumeric: {
      std::optional<CompareOp> op = CompareOpOf(Peek().kind);
      const std::string name(ColumnName(*c));
      if (!op) return Expected("a comparison operator after " + name);
      Take();
      SREDB_RETURN_IF_ERROR(ParseNumber(
          "a number after " + name + " " + std::string(CompareOpText(*op)), &p.value));
      p.op = op;
      break;
    }
    default:
      return ErrorAt(t, "expected a boolean or numeric column, got " + Describe(t) +
                            " (" + std::string(TypeName(TypeOf(*c))) + ")");
  }
  for (; parens > 0; --parens) {
    SREDB_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
  }
  *out = p;
  return Status::OK();
}

Status Parser::ParseNumericColumn(std::string_view fn, Column* out) {
  const Token& t = Peek();
  const std::string what = "a numeric column after " + std::string(fn) + "(";
  if (t.kind != TokenKind::kIdent || IsReserved(t)) return Expected(what);
  std::optional<Column> c = ColumnOf(t);
  if (annotations_) {
    if (c) {
      return ErrorAt(t, Describe(t) +
                            " is a column of tasks: FROM annotations aggregates value or "
                            "threshold");
    }
    if (t.text[0] != '"') c = LookupAnnotationColumn(t.value);
  }
  if (!c) {
    if (IsTime(t)) return ErrorAt(t, "expected " + what + ", got 'time'");
    return ErrorAt(t, "unknown column " + Describe(t));
  }
  if (TypeOf(*c) != ColumnType::kNumeric) {
    std::string msg = std::string(fn) + " needs a numeric column, got " + Describe(t) +
                      " (" + std::string(TypeName(TypeOf(*c))) + ")";
    if (TypeOf(*c) == ColumnType::kBool || TypeOf(*c) == ColumnType::kTriBool) {
      msg += ": use rate(" + std::string(ColumnName(*c)) + ")";
    }
    return ErrorAt(t, msg);
  }
  Take();
  *out = *c;
  return Status::OK();
}

// The arguments of a plain aggregate, after its '('; consumes the ')'.
Status Parser::ParseCallArgs(std::string_view fn, AggregateCall* call) {
  const std::string after = "' after " + std::string(fn) + "'s arguments";
  switch (call->fn) {
    case AggFn::kCount:
      Accept(TokenKind::kStar);  // count(*) as in SQL
      return Expect(TokenKind::kRParen, "')' after count(: count takes no column");
    case AggFn::kSum:
    case AggFn::kAvg:
    case AggFn::kMin:
    case AggFn::kMax:
    case AggFn::kStddev:
      call->column.emplace();
      SREDB_RETURN_IF_ERROR(ParseNumericColumn(fn, &*call->column));
      return Expect(TokenKind::kRParen, "')" + after);
    case AggFn::kRate:
      call->predicate.emplace();
      SREDB_RETURN_IF_ERROR(ParsePredicate(&*call->predicate));
      return Expect(TokenKind::kRParen, "')" + after);
    case AggFn::kBurnRate:
      call->predicate.emplace();
      SREDB_RETURN_IF_ERROR(ParsePredicate(&*call->predicate));
      SREDB_RETURN_IF_ERROR(
          Expect(TokenKind::kComma, "',' and a target after the predicate"));
      SREDB_RETURN_IF_ERROR(ParseTarget("a target such as 0.99 or 99%", &call->target));
      return Expect(TokenKind::kRParen, "')" + after);
    case AggFn::kQuantile:
      break;
  }
  call->column.emplace();
  SREDB_RETURN_IF_ERROR(ParseNumericColumn(fn, &*call->column));
  if (call->spelled.empty()) {
    SREDB_RETURN_IF_ERROR(Expect(TokenKind::kComma, "',' and q after the column"));
    const Token& qt = Peek();
    SREDB_RETURN_IF_ERROR(ParseNumber("a quantile q in [0, 1]", &call->q));
    if (!(call->q >= 0 && call->q <= 1)) {
      return ErrorAt(qt, "quantile q must be in [0, 1], got " + FormatNumber(call->q));
    }
  }
  if (Accept(TokenKind::kComma)) {
    SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kExact, "exact"));
    call->exact = true;
  }
  return Expect(TokenKind::kRParen, "')" + after);
}

// zscore(aggregate, step, baseline), after its '('.
Status Parser::ParseZScore(Aggregate* out) {
  const Token& inner = Peek();
  if (inner.kind != TokenKind::kIdent || !Is(TokenKind::kLParen, 1)) {
    return Expected("an aggregate after zscore(");
  }
  Aggregate a;
  SREDB_RETURN_IF_ERROR(ParseAggregate(false, &a));
  if (IsKeyword(Keyword::kOver)) {
    return ErrorAt(Peek(),
                   "zscore's aggregate takes no OVER: its windows are step and baseline");
  }
  ZScore z;
  SREDB_RETURN_IF_ERROR(
      Expect(TokenKind::kComma, "',' and a step after zscore's aggregate"));
  SREDB_RETURN_IF_ERROR(ParseDuration("a step duration", &z.step_ns));
  SREDB_RETURN_IF_ERROR(Expect(TokenKind::kComma, "',' and a baseline after the step"));
  const Token& bt = Peek();
  SREDB_RETURN_IF_ERROR(ParseDuration("a baseline duration", &z.baseline_ns));
  if (z.baseline_ns % z.step_ns != 0) {
    return ErrorAt(bt, "zscore baseline " + FormatDuration(z.baseline_ns) +
                           " must be a whole multiple of its step " +
                           FormatDuration(z.step_ns));
  }
  SREDB_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')' after zscore's arguments"));
  out->call = a.call;
  out->zscore = z;
  return Status::OK();
}

Status Parser::ParseAggregate(bool allow_window, Aggregate* out) {
  const Token& name = Take();
  const std::string fn = Lower(name.value);
  Aggregate a;
  a.pos = PosOf(name);
  Take();  // '('
  bool known = false;
  if (fn == "zscore") {
    if (!allow_window) return ErrorAt(name, "zscore cannot be used here");
    SREDB_RETURN_IF_ERROR(ParseZScore(&a));
    known = true;
  }
  for (const FunctionInfo& f : kFunctions) {
    if (known || f.name != fn) continue;
    known = true;
    a.call.fn = f.fn;
    a.call.q = f.q;
    if (f.q > 0) a.call.spelled = fn;
    SREDB_RETURN_IF_ERROR(ParseCallArgs(fn, &a.call));
  }
  if (!known) return ErrorAt(name, "unknown function " + Describe(name));
  if (allow_window && AcceptKeyword(Keyword::kOver)) {
    if (a.zscore) {
      return ErrorAt(tokens_[cursor() - 1],
                     "zscore takes no OVER: its window is step + baseline");
    }
    int64_t over = 0;
    SREDB_RETURN_IF_ERROR(ParseDuration("a duration after OVER", &over));
    a.over_ns = over;
  }
  *out = std::move(a);
  return Status::OK();
}

Status Parser::ParseWhere(bool allow_time, WhereClause* out) {
  do {
    SREDB_RETURN_IF_ERROR(ParseCondition(allow_time, out));
  } while (AcceptKeyword(Keyword::kAnd));
  return Status::OK();
}

Status Parser::ParseLabelSelector(std::vector<LabelMatcher>* out) {
  WhereClause w;
  SREDB_RETURN_IF_ERROR(ParseWhere(false, &w));
  *out = std::move(w.labels);
  return Status::OK();
}

Status Parser::ParseCondition(bool allow_time, WhereClause* out) {
  const Token& t = Peek();
  if (allow_time && IsTime(t)) return ParseTimeCondition(out);
  const std::string_view what = allow_time ? "a label or time" : "a label";
  if (t.kind != TokenKind::kIdent || IsReserved(t) || IsTime(t)) return Expected(what);
  if (ColumnOf(t)) {
    return ErrorAt(t, "expected " + std::string(what) + ", got column " + Describe(t) +
                          " (WHERE filters series by label)");
  }
  if (annotations_ && t.text[0] != '"' && LookupAnnotationColumn(t.value)) {
    return ErrorAt(t, "WHERE cannot test " + Describe(t) +
                          ": it filters annotations by label, type, detail and time");
  }
  LabelMatcher m;
  SREDB_RETURN_IF_ERROR(ParseLabelCondition(&m));
  out->labels.push_back(std::move(m));
  return Status::OK();
}

Status Parser::ParseTimeCondition(WhereClause* out) {
  Take();  // time
  if (AcceptKeyword(Keyword::kIn)) {
    SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kLast, "LAST after time IN"));
    int64_t d = 0;
    SREDB_RETURN_IF_ERROR(ParseDuration("a duration after IN LAST", &d));
    out->last_ns = out->last_ns ? std::min(*out->last_ns, d) : d;
    return Status::OK();
  }
  const Token& op = Peek();
  TimeBound b;
  switch (op.kind) {
    case TokenKind::kGe:
      b.op = CompareOp::kGe;
      break;
    case TokenKind::kGt:
      b.op = CompareOp::kGt;
      break;
    case TokenKind::kLt:
      b.op = CompareOp::kLt;
      break;
    case TokenKind::kLe:
      b.op = CompareOp::kLe;
      break;
    default:
      return Expected(">=, >, <, <= or IN LAST after time");
  }
  Take();
  SREDB_RETURN_IF_ERROR(
      ParseInstant("an instant after time " + std::string(op.text), &b.instant));
  out->time.push_back(b);
  return Status::OK();
}

Status Parser::ParseLabelCondition(LabelMatcher* m) {
  const Token& name = Take();
  m->name = name.value;
  const std::string after_name = " after " + m->name;
  const Token& op = Peek();
  if (AcceptKeyword(Keyword::kIn)) {
    m->op = LabelMatcher::Op::kIn;
    SREDB_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "'(' after IN"));
    do {
      if (!Is(TokenKind::kString)) return Expected("a string in the IN list");
      m->values.push_back(Take().value);
    } while (Accept(TokenKind::kComma));
    return Expect(TokenKind::kRParen, "',' or ')' in the IN list");
  }
  switch (op.kind) {
    case TokenKind::kEq:
      m->op = LabelMatcher::Op::kEq;
      break;
    case TokenKind::kNe:
      m->op = LabelMatcher::Op::kNeq;
      break;
    case TokenKind::kTilde:
      m->op = LabelMatcher::Op::kRegex;
      break;
    default:
      return Expected("=, !=, IN or ~" + after_name);
  }
  Take();
  const Token& v = Peek();
  if (v.kind != TokenKind::kString) {
    return Expected("a string after " + m->name + " " + std::string(op.text));
  }
  if (m->op == LabelMatcher::Op::kRegex) {
    std::string why;
    if (!RegexCompiles(v.value, &why)) {
      return ErrorAt(v, "bad regex " + Describe(v) + ": " + why);
    }
  }
  m->values.push_back(Take().value);
  return Status::OK();
}

}  // namespace sredb::query::internal
