// Parser: SELECT and EXPLAIN, and the checks a SELECT needs before it can be
// planned (group keys, time bound, annotations' columns).
#include <string>

#include "query/internal/parser_impl.h"
#include "query/parser.h"

namespace sredb::query::internal {
namespace {

// At `bucket(`, any case; a "quoted" bucket is a label.
bool IsBucketCall(const Parser& p) {
  const Token& t = p.Peek();
  if (t.kind != TokenKind::kIdent || t.text.size() != 6 || !p.Is(TokenKind::kLParen, 1)) {
    return false;
  }
  std::string lower(t.text);
  for (char& c : lower) c = static_cast<char>(c | 0x20);
  return lower == "bucket";
}

std::optional<size_t> FindAlias(const SelectStmt& s, std::string_view name) {
  for (size_t i = 0; i < s.items.size(); ++i) {
    if (s.items[i].alias && *s.items[i].alias == name) return i;
  }
  return std::nullopt;
}

std::optional<size_t> FindLabelItem(const SelectStmt& s, std::string_view name) {
  for (size_t i = 0; i < s.items.size(); ++i) {
    const auto* l = std::get_if<LabelRef>(&s.items[i].expr);
    if (l && l->name == name) return i;
  }
  return std::nullopt;
}

std::optional<size_t> FindBucketItem(const SelectStmt& s, int64_t step) {
  for (size_t i = 0; i < s.items.size(); ++i) {
    const auto* b = std::get_if<BucketRef>(&s.items[i].expr);
    if (b && b->step_ns == step) return i;
  }
  return std::nullopt;
}

CompareOp Flip(CompareOp op) {
  switch (op) {
    case CompareOp::kLt:
      return CompareOp::kGt;
    case CompareOp::kLe:
      return CompareOp::kGe;
    case CompareOp::kGt:
      return CompareOp::kLt;
    case CompareOp::kGe:
      return CompareOp::kLe;
    default:
      return op;
  }
}

void CollectAggregates(const HavingExpr& e, std::vector<const Aggregate*>* out) {
  if (e.kind == HavingExpr::Kind::kCompare) {
    if (const auto* a = std::get_if<Aggregate>(&e.compare.lhs)) out->push_back(a);
    return;
  }
  for (const HavingExpr& o : e.operands) CollectAggregates(o, out);
}

bool IsGroupedBy(const SelectStmt& s, size_t index) {
  const SelectItem& item = s.items[index];
  for (const GroupKey& k : s.group_by) {
    if (k.item == index) return true;
    const auto* kl = std::get_if<LabelRef>(&k.key);
    const auto* il = std::get_if<LabelRef>(&item.expr);
    if (kl && il && kl->name == il->name) return true;
    const auto* kb = std::get_if<BucketRef>(&k.key);
    const auto* ib = std::get_if<BucketRef>(&item.expr);
    if (kb && ib && kb->step_ns == ib->step_ns) return true;
  }
  return false;
}

}  // namespace

Status Parser::ParseBucket(int64_t* step_ns) {
  Take();  // bucket
  Take();  // (
  SREDB_RETURN_IF_ERROR(ParseDuration("a duration after bucket(", step_ns));
  return Expect(TokenKind::kRParen, "')' after bucket's step");
}

bool Parser::SelectsAnnotations() const {
  for (size_t ahead = 1; !Is(TokenKind::kEnd, ahead) && !Is(TokenKind::kSemicolon, ahead);
       ++ahead) {
    if (IsKeyword(Keyword::kFrom, ahead)) {
      return IsKeyword(Keyword::kAnnotations, ahead + 1);
    }
  }
  return false;
}

Status Parser::ParseSelect(SelectStmt* out) {
  annotations_ = SelectsAnnotations();
  Status s = ParseSelectBody(out);
  annotations_ = false;
  return s;
}

Status Parser::ParseSelectBody(SelectStmt* out) {
  const Token& select = Take();
  SelectStmt s;
  do {
    SelectItem item;
    SREDB_RETURN_IF_ERROR(ParseSelectItem(s, &item));
    s.items.push_back(std::move(item));
  } while (Accept(TokenKind::kComma));
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kFrom, "',' or FROM"));
  if (AcceptKeyword(Keyword::kTasks)) {
    s.source = Source::kTasks;
  } else if (AcceptKeyword(Keyword::kAnnotations)) {
    s.source = Source::kAnnotations;
  } else {
    return Expected("tasks or annotations after FROM");
  }
  if (AcceptKeyword(Keyword::kAt)) {
    s.at.emplace();
    SREDB_RETURN_IF_ERROR(ParseInstant("an instant after AT", &*s.at));
  }
  if (AcceptKeyword(Keyword::kWhere)) SREDB_RETURN_IF_ERROR(ParseWhere(true, &s.where));
  if (AcceptKeyword(Keyword::kGroup)) {
    SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kBy, "BY after GROUP"));
    SREDB_RETURN_IF_ERROR(ParseGroupBy(&s));
  }
  if (AcceptKeyword(Keyword::kHaving)) {
    s.having.emplace();
    SREDB_RETURN_IF_ERROR(ParseHavingOr(s, 0, &*s.having));
  }
  if (AcceptKeyword(Keyword::kOrder)) {
    SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kBy, "BY after ORDER"));
    SREDB_RETURN_IF_ERROR(ParseOrderBy(&s));
  }
  if (AcceptKeyword(Keyword::kLimit)) {
    if (!Is(TokenKind::kInteger)) return Expected("an integer after LIMIT");
    s.limit = Take().integer;
  }
  SREDB_RETURN_IF_ERROR(CheckSelect(s, PosOf(select)));
  *out = std::move(s);
  return Status::OK();
}

Status Parser::ParseSelectItem(const SelectStmt& s, SelectItem* out) {
  const Token& t = Peek();
  constexpr std::string_view kWhat = "a label, bucket(step) or an aggregate";
  out->pos = PosOf(t);
  if (t.kind != TokenKind::kIdent || IsReserved(t)) return Expected(kWhat);
  if (IsBucketCall(*this)) {
    BucketRef b;
    SREDB_RETURN_IF_ERROR(ParseBucket(&b.step_ns));
    out->expr = b;
    out->name = "bucket(" + FormatDuration(b.step_ns) + ")";
  } else if (Is(TokenKind::kLParen, 1) && t.text[0] != '"') {
    Aggregate a;
    SREDB_RETURN_IF_ERROR(ParseAggregate(true, &a));
    out->name = FormatAggregate(a);
    out->expr = std::move(a);
  } else if (annotations_ && ColumnOf(t)) {
    return ErrorAt(t, "expected " + std::string(kWhat) + ", got " + Describe(t) +
                          ", a column of tasks (annotations have time, type, detail, "
                          "value, threshold and labels)");
  } else if (annotations_ && IsTime(t)) {
    out->expr = LabelRef{"time"};
    out->name = "time";
    Take();
  } else if (const std::optional<Column> c = ColumnOf(t)) {
    std::string hint = TypeOf(*c) == ColumnType::kNumeric ? "avg(" : "rate(";
    return ErrorAt(t, "expected " + std::string(kWhat) + ", got column " + Describe(t) +
                          " (aggregate it, e.g. " + hint + t.value + "))");
  } else if (IsTime(t)) {
    return ErrorAt(t,
                   "expected " + std::string(kWhat) + ", got 'time' (use bucket(step))");
  } else {
    out->expr = LabelRef{Take().value};
    out->name = t.value;
  }
  if (AcceptKeyword(Keyword::kAs)) {
    const Token& alias = Peek();
    if (alias.kind != TokenKind::kIdent || IsReserved(alias)) {
      return Expected("a name after AS");
    }
    if (FindAlias(s, alias.value)) {
      return ErrorAt(alias, "duplicate alias " + Describe(alias));
    }
    out->alias = Take().value;
    out->name = *out->alias;
  }
  return Status::OK();
}

Status Parser::ParseGroupBy(SelectStmt* s) {
  do {
    const Token& t = Peek();
    GroupKey k;
    k.pos = PosOf(t);
    if (t.kind != TokenKind::kIdent || IsReserved(t)) {
      return Expected("a label, bucket(step) or alias after GROUP BY");
    }
    if (IsBucketCall(*this)) {
      BucketRef b;
      SREDB_RETURN_IF_ERROR(ParseBucket(&b.step_ns));
      k.key = b;
      k.item = FindBucketItem(*s, b.step_ns);
    } else if (std::optional<size_t> i = FindAlias(*s, t.value)) {
      const auto& expr = s->items[*i].expr;
      if (const auto* l = std::get_if<LabelRef>(&expr)) {
        k.key = *l;
      } else if (const auto* b = std::get_if<BucketRef>(&expr)) {
        k.key = *b;
      } else {
        return ErrorAt(t, "cannot GROUP BY " + Describe(t) + ": it names an aggregate");
      }
      k.item = i;
      Take();
    } else if (ColumnOf(t) || IsTime(t)) {
      return ErrorAt(
          t, "expected a label, bucket(step) or alias after GROUP BY, got column " +
                 Describe(t));
    } else if (annotations_ && t.text[0] != '"' && LookupAnnotationColumn(t.value)) {
      return ErrorAt(
          t, "cannot GROUP BY " + Describe(t) + ": aggregate it (avg(" + t.value + "))");
    } else {
      k.key = LabelRef{t.value};
      k.item = FindLabelItem(*s, t.value);
      Take();
    }
    s->group_by.push_back(std::move(k));
  } while (Accept(TokenKind::kComma));
  return Status::OK();
}

Status Parser::ParseHavingOr(const SelectStmt& s, int depth, HavingExpr* out) {
  HavingExpr first;
  SREDB_RETURN_IF_ERROR(ParseHavingAnd(s, depth, &first));
  if (!IsKeyword(Keyword::kOr)) {
    *out = std::move(first);
    return Status::OK();
  }
  HavingExpr e;
  e.kind = HavingExpr::Kind::kOr;
  e.pos = first.pos;
  e.operands.push_back(std::move(first));
  while (AcceptKeyword(Keyword::kOr)) {
    e.operands.emplace_back();
    SREDB_RETURN_IF_ERROR(ParseHavingAnd(s, depth, &e.operands.back()));
  }
  *out = std::move(e);
  return Status::OK();
}

Status Parser::ParseHavingAnd(const SelectStmt& s, int depth, HavingExpr* out) {
  HavingExpr first;
  SREDB_RETURN_IF_ERROR(ParseHavingUnary(s, depth, &first));
  if (!IsKeyword(Keyword::kAnd)) {
    *out = std::move(first);
    return Status::OK();
  }
  HavingExpr e;
  e.kind = HavingExpr::Kind::kAnd;
  e.pos = first.pos;
  e.operands.push_back(std::move(first));
  while (AcceptKeyword(Keyword::kAnd)) {
    e.operands.emplace_back();
    SREDB_RETURN_IF_ERROR(ParseHavingUnary(s, depth, &e.operands.back()));
  }
  *out = std::move(e);
  return Status::OK();
}

Status Parser::ParseHavingUnary(const SelectStmt& s, int depth, HavingExpr* out) {
  if (depth >= kMaxNestingDepth) {
    return ErrorAt(Peek(), "HAVING nested deeper than " +
                               std::to_string(kMaxNestingDepth) + " levels");
  }
  const Token& t = Peek();
  if (AcceptKeyword(Keyword::kNot)) {
    out->kind = HavingExpr::Kind::kNot;
    out->pos = PosOf(t);
    out->operands.emplace_back();
    return ParseHavingUnary(s, depth + 1, &out->operands.back());
  }
  if (Accept(TokenKind::kLParen)) {
    SREDB_RETURN_IF_ERROR(ParseHavingOr(s, depth + 1, out));
    return Expect(TokenKind::kRParen, "')'");
  }
  return ParseHavingComparison(s, out);
}

Status Parser::ParseHavingComparison(const SelectStmt& s, HavingExpr* out) {
  const Token& first = Peek();
  std::variant<double, ItemRef, Aggregate> lhs, rhs;
  SREDB_RETURN_IF_ERROR(ParseHavingOperand(s, &lhs));
  std::optional<CompareOp> op;
  switch (Peek().kind) {
    case TokenKind::kEq:
      op = CompareOp::kEq;
      break;
    case TokenKind::kNe:
      op = CompareOp::kNe;
      break;
    case TokenKind::kLt:
      op = CompareOp::kLt;
      break;
    case TokenKind::kLe:
      op = CompareOp::kLe;
      break;
    case TokenKind::kGt:
      op = CompareOp::kGt;
      break;
    case TokenKind::kGe:
      op = CompareOp::kGe;
      break;
    default:
      return Expected("a comparison operator");
  }
  Take();
  SREDB_RETURN_IF_ERROR(ParseHavingOperand(s, &rhs));
  const bool lnum = std::holds_alternative<double>(lhs);
  const bool rnum = std::holds_alternative<double>(rhs);
  if (lnum == rnum) {
    return ErrorAt(first, "HAVING compares an alias or aggregate with a number");
  }
  out->kind = HavingExpr::Kind::kCompare;
  out->pos = PosOf(first);
  if (lnum) {
    std::swap(lhs, rhs);
    *op = Flip(*op);
  }
  out->compare.op = *op;
  out->compare.rhs = std::get<double>(rhs);
  if (auto* r = std::get_if<ItemRef>(&lhs)) {
    out->compare.lhs = *r;
  } else {
    out->compare.lhs = std::move(std::get<Aggregate>(lhs));
  }
  return Status::OK();
}

Status Parser::ParseHavingOperand(const SelectStmt& s,
                                  std::variant<double, ItemRef, Aggregate>* out) {
  const Token& t = Peek();
  if (t.kind == TokenKind::kPercent) {
    *out = Take().number / 100;
    return Status::OK();
  }
  if (t.kind == TokenKind::kInteger || t.kind == TokenKind::kDecimal ||
      t.kind == TokenKind::kMinus || t.kind == TokenKind::kPlus) {
    double v = 0;
    SREDB_RETURN_IF_ERROR(ParseNumber("a number", &v));
    *out = v;
    return Status::OK();
  }
  constexpr std::string_view kWhat = "an alias, an aggregate or a number";
  if (t.kind != TokenKind::kIdent || IsReserved(t)) return Expected(kWhat);
  if (Is(TokenKind::kLParen, 1) && t.text[0] != '"') {
    Aggregate a;
    SREDB_RETURN_IF_ERROR(ParseAggregate(true, &a));
    *out = std::move(a);
    return Status::OK();
  }
  std::optional<size_t> i = FindAlias(s, t.value);
  if (!i) i = FindLabelItem(s, t.value);
  if (i) {
    if (!std::holds_alternative<Aggregate>(s.items[*i].expr)) {
      return ErrorAt(t, Describe(t) +
                            " is not an aggregate: HAVING compares aggregates "
                            "with numbers");
    }
    Take();
    *out = ItemRef{*i};
    return Status::OK();
  }
  if (ColumnOf(t) || IsTime(t)) {
    return ErrorAt(t, "expected " + std::string(kWhat) + ", got column " + Describe(t));
  }
  return ErrorAt(t, "unknown alias " + Describe(t) + " in HAVING");
}

Status Parser::ParseOrderBy(SelectStmt* s) {
  bool row_listing = annotations_ && s->group_by.empty() && !s->having;
  for (const SelectItem& item : s->items) {
    row_listing = row_listing && !std::holds_alternative<Aggregate>(item.expr);
  }
  do {
    const Token& t = Peek();
    OrderKey k;
    k.pos = PosOf(t);
    if (t.kind != TokenKind::kIdent || IsReserved(t)) {
      return Expected("an alias or label after ORDER BY");
    }
    if (Is(TokenKind::kLParen, 1) && t.text[0] != '"') {
      Aggregate a;
      SREDB_RETURN_IF_ERROR(ParseAggregate(true, &a));
      const std::string text = FormatAggregate(a);
      for (size_t i = 0; i < s->items.size() && !k.item; ++i) {
        const auto* ia = std::get_if<Aggregate>(&s->items[i].expr);
        if (ia && FormatAggregate(*ia) == text) k.item = i;
      }
      if (!k.item) {
        return ErrorAt(t,
                       "ORDER BY " + text + ": not a select item (select it, with AS)");
      }
      k.name = s->items[*k.item].name;
    } else {
      k.name = t.value;
      if ((k.item = FindAlias(*s, t.value))) {
      } else if (row_listing && !ColumnOf(t)) {
        // Any field or label of the annotation, selected or not.
        k.item = FindLabelItem(*s, IsTime(t) ? "time" : t.value);
        if (IsTime(t)) k.name = "time";
      } else if (ColumnOf(t) || IsTime(t)) {
        return ErrorAt(
            t, "expected an alias or label after ORDER BY, got column " + Describe(t));
      } else if ((k.item = FindLabelItem(*s, t.value))) {
      } else {
        bool grouped = false;
        for (const GroupKey& g : s->group_by) {
          const auto* l = std::get_if<LabelRef>(&g.key);
          grouped = grouped || (l && l->name == t.value);
        }
        if (!grouped) {
          return ErrorAt(t, "ORDER BY " + Describe(t) +
                                " names no alias, selected label or group key");
        }
      }
      Take();
    }
    if (AcceptKeyword(Keyword::kDesc)) {
      k.descending = true;
    } else {
      AcceptKeyword(Keyword::kAsc);
    }
    s->order_by.push_back(std::move(k));
  } while (Accept(TokenKind::kComma));
  return Status::OK();
}

Status Parser::CheckSelect(const SelectStmt& s, Position select_pos) const {
  const BucketRef* bucket = nullptr;
  for (const GroupKey& k : s.group_by) {
    const auto* b = std::get_if<BucketRef>(&k.key);
    if (!b) continue;
    if (bucket && bucket->step_ns != b->step_ns) {
      return ErrorAt(k.pos, "a query groups by one bucket(step) at most");
    }
    bucket = b;
  }
  // FROM annotations without aggregates or GROUP BY lists annotations.
  bool row_listing = s.source == Source::kAnnotations && s.group_by.empty() && !s.having;
  for (const SelectItem& item : s.items) {
    row_listing = row_listing && !std::holds_alternative<Aggregate>(item.expr);
  }
  std::vector<const Aggregate*> aggs;
  for (size_t i = 0; i < s.items.size(); ++i) {
    const SelectItem& item = s.items[i];
    if (const auto* a = std::get_if<Aggregate>(&item.expr)) {
      aggs.push_back(a);
    } else if (row_listing && std::holds_alternative<LabelRef>(item.expr)) {
      continue;
    } else if (!IsGroupedBy(s, i)) {
      return ErrorAt(item.pos, "'" +
                                   std::string(std::get_if<LabelRef>(&item.expr)
                                                   ? std::get<LabelRef>(item.expr).name
                                                   : item.name) +
                                   "' is neither aggregated nor in GROUP BY");
    }
  }
  if (s.having) CollectAggregates(*s.having, &aggs);
  if (s.source == Source::kAnnotations) {
    for (const Aggregate* a : aggs) {
      const AggFn fn = a->call.fn;
      if (fn == AggFn::kRate || fn == AggFn::kBurnRate || fn == AggFn::kQuantile ||
          a->zscore) {
        return ErrorAt(a->pos,
                       "FROM annotations takes count() and sum, avg, min, max or stddev "
                       "of value or threshold: " +
                           FormatAggregate(*a) + " needs FROM tasks");
      }
    }
  }
  if (s.where.HasLowerTimeBound()) return Status::OK();
  constexpr std::string_view kHint =
      "add WHERE time >= <instant>, WHERE time IN LAST <duration> or OVER <duration>";
  if (aggs.empty()) {
    return ErrorAt(select_pos, "the query has no time bound: " + std::string(kHint));
  }
  for (const Aggregate* a : aggs) {
    if (!a->HasOwnWindow()) {
      return ErrorAt(a->pos,
                     FormatAggregate(*a) + " has no time bound: " + std::string(kHint));
    }
  }
  return Status::OK();
}

Status Parser::ParseExplain(StatementNode* out) {
  Take();  // EXPLAIN
  if (IsKeyword(Keyword::kBurn)) {
    ExplainBurnStmt e;
    SREDB_RETURN_IF_ERROR(ParseExplainBurn(&e));
    *out = std::move(e);
    return Status::OK();
  }
  ExplainStmt e;
  e.analyze = AcceptKeyword(Keyword::kAnalyze);
  if (!IsKeyword(Keyword::kSelect)) return Expected("SELECT or BURN after EXPLAIN");
  SREDB_RETURN_IF_ERROR(ParseSelect(&e.select));
  *out = std::move(e);
  return Status::OK();
}

}  // namespace sredb::query::internal
