// Parser: the SRE statements of QUERY.md "SRE statements".
#include <string>

#include "query/internal/parser_impl.h"

namespace sredb::query::internal {
namespace {

std::optional<DetectorMethod> LookupMethod(const Token& t) {
  if (t.kind != TokenKind::kIdent) return std::nullopt;
  std::string lower(t.value);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lower == "zscore") return DetectorMethod::kZscore;
  if (lower == "mad") return DetectorMethod::kMad;
  if (lower == "ewma") return DetectorMethod::kEwma;
  if (lower == "seasonal") return DetectorMethod::kSeasonal;
  return std::nullopt;
}

}  // namespace

Status Parser::ParseCreate(StatementNode* out) {
  Take();  // CREATE
  if (IsKeyword(Keyword::kSlo)) {
    CreateSloStmt s;
    SREDB_RETURN_IF_ERROR(ParseCreateSlo(&s));
    *out = std::move(s);
    return Status::OK();
  }
  if (IsKeyword(Keyword::kDetector)) {
    CreateDetectorStmt d;
    SREDB_RETURN_IF_ERROR(ParseCreateDetector(&d));
    *out = std::move(d);
    return Status::OK();
  }
  return Expected("SLO or DETECTOR after CREATE");
}

// CREATE SLO name ON tasks [WHERE labels] GOOD predicate TARGET t
//   WINDOW (d | CALENDAR MONTH) [BY labels] [ALERT alert [, alert]*]
Status Parser::ParseCreateSlo(CreateSloStmt* s) {
  Take();  // SLO
  SREDB_RETURN_IF_ERROR(ParseObjectName("an SLO name", &s->name));
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kOn, "ON after the SLO name"));
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kTasks, "tasks after ON"));
  if (AcceptKeyword(Keyword::kWhere))
    SREDB_RETURN_IF_ERROR(ParseLabelSelector(&s->selector));
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kGood, "GOOD"));
  SREDB_RETURN_IF_ERROR(ParsePredicate(&s->good));
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kTarget, "TARGET"));
  SREDB_RETURN_IF_ERROR(ParseTarget("a target such as 99.5%", &s->target));
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kWindow, "WINDOW"));
  if (AcceptKeyword(Keyword::kCalendar)) {
    SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kMonth, "MONTH after CALENDAR"));
    s->window.calendar_month = true;
  } else {
    SREDB_RETURN_IF_ERROR(ParseDuration("a duration or CALENDAR MONTH after WINDOW",
                                        &s->window.rolling_ns));
  }
  if (AcceptKeyword(Keyword::kBy)) {
    SREDB_RETURN_IF_ERROR(ParseLabelList("a label after BY", &s->by));
  }
  if (AcceptKeyword(Keyword::kAlert)) {
    do {
      s->alerts.emplace_back();
      SREDB_RETURN_IF_ERROR(ParseBurnAlert(&s->alerts.back()));
    } while (Accept(TokenKind::kComma));
  }
  return Status::OK();
}

// burn OVER long AND short PAGE|TICKET
Status Parser::ParseBurnAlert(BurnAlert* a) {
  const Token& burn = Peek();
  SREDB_RETURN_IF_ERROR(ParseNumber("a burn rate after ALERT", &a->burn));
  if (!(a->burn > 0))
    return ErrorAt(burn, "a burn rate must be positive, got " + Describe(burn));
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kOver, "OVER after the burn rate"));
  SREDB_RETURN_IF_ERROR(ParseDuration("a long window after OVER", &a->long_ns));
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kAnd, "AND and a short window"));
  const Token& short_window = Peek();
  SREDB_RETURN_IF_ERROR(ParseDuration("a short window after AND", &a->short_ns));
  if (a->short_ns > a->long_ns) {
    return ErrorAt(short_window, "the short window " + FormatDuration(a->short_ns) +
                                     " is longer than the long window " +
                                     FormatDuration(a->long_ns));
  }
  if (AcceptKeyword(Keyword::kPage)) {
    a->severity = AlertSeverity::kPage;
  } else if (AcceptKeyword(Keyword::kTicket)) {
    a->severity = AlertSeverity::kTicket;
  } else {
    return Expected("PAGE or TICKET");
  }
  return Status::OK();
}

// CREATE DETECTOR name ON tasks [WHERE labels] [BY labels] WATCH aggregate
//   EVERY d USING method [BASELINE d] THRESHOLD x SIGNAL type
Status Parser::ParseCreateDetector(CreateDetectorStmt* d) {
  Take();  // DETECTOR
  SREDB_RETURN_IF_ERROR(ParseObjectName("a detector name", &d->name));
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kOn, "ON after the detector name"));
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kTasks, "tasks after ON"));
  if (AcceptKeyword(Keyword::kWhere))
    SREDB_RETURN_IF_ERROR(ParseLabelSelector(&d->selector));
  if (AcceptKeyword(Keyword::kBy)) {
    SREDB_RETURN_IF_ERROR(ParseLabelList("a label after BY", &d->by));
  }
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kWatch, "WATCH"));
  const Token& agg = Peek();
  if (agg.kind != TokenKind::kIdent || !Is(TokenKind::kLParen, 1)) {
    return Expected("an aggregate after WATCH");
  }
  Aggregate a;
  SREDB_RETURN_IF_ERROR(ParseAggregate(false, &a));
  d->watch = a.call;
  SREDB_RETURN_IF_ERROR(
      ExpectKeyword(Keyword::kEvery, "EVERY after the watched aggregate"));
  SREDB_RETURN_IF_ERROR(ParseDuration("a duration after EVERY", &d->every_ns));
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kUsing, "USING"));
  const std::optional<DetectorMethod> method = LookupMethod(Peek());
  if (!method) return Expected("zscore, mad, ewma or seasonal after USING");
  Take();
  d->method = *method;
  if (AcceptKeyword(Keyword::kBaseline)) {
    const Token& bt = Peek();
    int64_t b = 0;
    SREDB_RETURN_IF_ERROR(ParseDuration("a duration after BASELINE", &b));
    if (b % d->every_ns != 0) {
      return ErrorAt(bt, "BASELINE " + FormatDuration(b) +
                             " must be a whole multiple of EVERY " +
                             FormatDuration(d->every_ns));
    }
    d->baseline_ns = b;
  }
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kThreshold, "THRESHOLD"));
  SREDB_RETURN_IF_ERROR(ParseNumber("a number after THRESHOLD", &d->threshold));
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kSignal, "SIGNAL"));
  const Token& st = Peek();
  if (st.kind != TokenKind::kIdent) return Expected("a signal type after SIGNAL");
  const std::optional<SignalType> type = LookupSignalType(st.value);
  if (!type) return ErrorAt(st, "unknown signal type " + Describe(st));
  Take();
  d->signal = *type;
  return Status::OK();
}

Status Parser::ParseTimeRange(std::string_view what, TimeRange* out) {
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kFrom, what));
  SREDB_RETURN_IF_ERROR(ParseInstant("an instant after FROM", &out->from));
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kTo, "TO after the FROM instant"));
  SREDB_RETURN_IF_ERROR(ParseInstant("an instant after TO", &out->to));
  if (CertainlyNotBefore(out->from, out->to)) {
    return ErrorAt(out->to.pos, "the range is empty: TO must be after FROM");
  }
  return Status::OK();
}

// EVALUATE FROM t0 TO t1 [STEP d]
Status Parser::ParseEvaluate(EvaluateStmt* e) {
  Take();  // EVALUATE
  TimeRange r;
  SREDB_RETURN_IF_ERROR(ParseTimeRange("FROM after EVALUATE", &r));
  e->from = r.from;
  e->to = r.to;
  if (AcceptKeyword(Keyword::kStep)) {
    int64_t step = 0;
    SREDB_RETURN_IF_ERROR(ParseDuration("a duration after STEP", &step));
    e->step_ns = step;
  }
  return Status::OK();
}

// SHOW SLO name [AT t | FROM t0 TO t1 STEP d], after SLO.
Status Parser::ParseShowSlo(ShowSloStmt* s) {
  SREDB_RETURN_IF_ERROR(ParseObjectName("an SLO name", &s->name));
  if (AcceptKeyword(Keyword::kAt)) {
    s->at.emplace();
    return ParseInstant("an instant after AT", &*s->at);
  }
  if (!IsKeyword(Keyword::kFrom)) return Status::OK();
  TimeRange r;
  SREDB_RETURN_IF_ERROR(ParseTimeRange("FROM", &r));
  TimeSeriesRange series{r.from, r.to, 0};
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kStep, "STEP after the range"));
  SREDB_RETURN_IF_ERROR(ParseDuration("a duration after STEP", &series.step_ns));
  s->range = series;
  return Status::OK();
}

Status Parser::ParseShow(StatementNode* out) {
  Take();  // SHOW
  if (AcceptKeyword(Keyword::kSlos)) {
    *out = ShowSlosStmt{};
  } else if (AcceptKeyword(Keyword::kDetectors)) {
    *out = ShowDetectorsStmt{};
  } else if (AcceptKeyword(Keyword::kSlo)) {
    ShowSloStmt s;
    SREDB_RETURN_IF_ERROR(ParseShowSlo(&s));
    *out = std::move(s);
  } else if (AcceptKeyword(Keyword::kAlerts)) {
    ShowAlertsStmt s;
    if (AcceptKeyword(Keyword::kAt)) {
      s.at.emplace();
      SREDB_RETURN_IF_ERROR(ParseInstant("an instant after AT", &*s.at));
    }
    *out = s;
  } else if (AcceptKeyword(Keyword::kSignals)) {
    ShowSignalsStmt s;
    if (IsKeyword(Keyword::kFrom)) {
      s.range.emplace();
      SREDB_RETURN_IF_ERROR(ParseTimeRange("FROM", &*s.range));
    }
    *out = s;
  } else if (AcceptKeyword(Keyword::kIncidents)) {
    ShowIncidentsStmt s;
    if (AcceptKeyword(Keyword::kAll)) {
      s.all = true;
    } else {
      AcceptKeyword(Keyword::kOpen);
    }
    *out = s;
  } else {
    return Expected("SLOS, DETECTORS, SLO, ALERTS, SIGNALS or INCIDENTS after SHOW");
  }
  return Status::OK();
}

// EXPLAIN BURN name [WHERE labels] OVER d [BASELINE d]
Status Parser::ParseExplainBurn(ExplainBurnStmt* e) {
  Take();  // BURN
  SREDB_RETURN_IF_ERROR(ParseObjectName("an SLO name after BURN", &e->name));
  if (AcceptKeyword(Keyword::kWhere))
    SREDB_RETURN_IF_ERROR(ParseLabelSelector(&e->selector));
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kOver, "OVER"));
  SREDB_RETURN_IF_ERROR(ParseDuration("a duration after OVER", &e->over_ns));
  if (AcceptKeyword(Keyword::kBaseline)) {
    int64_t b = 0;
    SREDB_RETURN_IF_ERROR(ParseDuration("a duration after BASELINE", &b));
    e->baseline_ns = b;
  }
  return Status::OK();
}

// TIMELINE WHERE labels FROM t0 TO t1
Status Parser::ParseTimeline(TimelineStmt* t) {
  Take();  // TIMELINE
  SREDB_RETURN_IF_ERROR(ExpectKeyword(Keyword::kWhere, "WHERE after TIMELINE"));
  SREDB_RETURN_IF_ERROR(ParseLabelSelector(&t->selector));
  return ParseTimeRange("AND or FROM", &t->range);
}

// DROP SLO name | DROP DETECTOR name
Status Parser::ParseDrop(DropStmt* d) {
  Take();  // DROP
  if (AcceptKeyword(Keyword::kSlo)) {
    d->kind = DropStmt::Kind::kSlo;
    return ParseObjectName("an SLO name", &d->name);
  }
  if (AcceptKeyword(Keyword::kDetector)) {
    d->kind = DropStmt::Kind::kDetector;
    return ParseObjectName("a detector name", &d->name);
  }
  return Expected("SLO or DETECTOR after DROP");
}

}  // namespace sredb::query::internal
