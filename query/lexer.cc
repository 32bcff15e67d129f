// Lexer of the query language; see lexer.h.
#include "query/lexer.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

namespace sredb::query {
namespace {

struct KeywordName {
  std::string_view name;
  Keyword keyword;
};

// Sorted by name for binary search.
constexpr std::array kKeywords = {
    KeywordName{"alert", Keyword::kAlert},
    KeywordName{"alerts", Keyword::kAlerts},
    KeywordName{"all", Keyword::kAll},
    KeywordName{"analyze", Keyword::kAnalyze},
    KeywordName{"and", Keyword::kAnd},
    KeywordName{"annotations", Keyword::kAnnotations},
    KeywordName{"as", Keyword::kAs},
    KeywordName{"asc", Keyword::kAsc},
    KeywordName{"at", Keyword::kAt},
    KeywordName{"baseline", Keyword::kBaseline},
    KeywordName{"burn", Keyword::kBurn},
    KeywordName{"by", Keyword::kBy},
    KeywordName{"calendar", Keyword::kCalendar},
    KeywordName{"create", Keyword::kCreate},
    KeywordName{"desc", Keyword::kDesc},
    KeywordName{"detector", Keyword::kDetector},
    KeywordName{"detectors", Keyword::kDetectors},
    KeywordName{"drop", Keyword::kDrop},
    KeywordName{"evaluate", Keyword::kEvaluate},
    KeywordName{"every", Keyword::kEvery},
    KeywordName{"exact", Keyword::kExact},
    KeywordName{"explain", Keyword::kExplain},
    KeywordName{"from", Keyword::kFrom},
    KeywordName{"good", Keyword::kGood},
    KeywordName{"group", Keyword::kGroup},
    KeywordName{"having", Keyword::kHaving},
    KeywordName{"in", Keyword::kIn},
    KeywordName{"incidents", Keyword::kIncidents},
    KeywordName{"last", Keyword::kLast},
    KeywordName{"limit", Keyword::kLimit},
    KeywordName{"month", Keyword::kMonth},
    KeywordName{"not", Keyword::kNot},
    KeywordName{"now", Keyword::kNow},
    KeywordName{"on", Keyword::kOn},
    KeywordName{"open", Keyword::kOpen},
    KeywordName{"or", Keyword::kOr},
    KeywordName{"order", Keyword::kOrder},
    KeywordName{"over", Keyword::kOver},
    KeywordName{"page", Keyword::kPage},
    KeywordName{"select", Keyword::kSelect},
    KeywordName{"show", Keyword::kShow},
    KeywordName{"signal", Keyword::kSignal},
    KeywordName{"signals", Keyword::kSignals},
    KeywordName{"slo", Keyword::kSlo},
    KeywordName{"slos", Keyword::kSlos},
    KeywordName{"step", Keyword::kStep},
    KeywordName{"target", Keyword::kTarget},
    KeywordName{"tasks", Keyword::kTasks},
    KeywordName{"threshold", Keyword::kThreshold},
    KeywordName{"ticket", Keyword::kTicket},
    KeywordName{"time", Keyword::kTime},
    KeywordName{"timeline", Keyword::kTimeline},
    KeywordName{"to", Keyword::kTo},
    KeywordName{"using", Keyword::kUsing},
    KeywordName{"watch", Keyword::kWatch},
    KeywordName{"where", Keyword::kWhere},
    KeywordName{"window", Keyword::kWindow},
};

constexpr int64_t kMs = 1'000'000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }
char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// ns per unit, or 0 when `unit` is not a duration unit.
int64_t UnitNs(std::string_view unit) {
  if (unit == "ms") return kMs;
  if (unit == "s") return 1000 * kMs;
  if (unit == "m") return 60'000 * kMs;
  if (unit == "h") return 3'600'000 * kMs;
  if (unit == "d") return 86'400'000 * kMs;
  if (unit == "w") return 604'800'000 * kMs;
  return 0;
}

// Walks the input keeping line and column; produces one token per call.
class Lexer {
 public:
  Lexer(std::string_view text, size_t max_tokens)
      : text_(text), max_tokens_(max_tokens < 2 ? 2 : max_tokens) {}

  std::vector<Token> Run() {
    std::vector<Token> out;
    while (true) {
      SkipSpaceAndComments();
      Token t = out.size() + 2 >= max_tokens_ && !AtEnd()
                    ? Error(Start(TokenKind::kError),
                            "more than " + std::to_string(max_tokens_) + " tokens")
                    : Lex();
      const TokenKind kind = t.kind;
      out.push_back(std::move(t));
      if (kind == TokenKind::kEnd) break;
      if (kind == TokenKind::kError) {
        Token end;
        end.kind = TokenKind::kEnd;
        end.line = out.back().line;
        end.column = out.back().column;
        end.offset = out.back().offset;
        out.push_back(std::move(end));
        break;
      }
    }
    return out;
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char At(size_t i) const { return i < text_.size() ? text_[i] : '\0'; }

  // Moves one byte on; a UTF-8 continuation byte does not advance the column.
  void Advance() {
    const char c = text_[pos_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++column_;
    }
  }

  void SkipSpaceAndComments() {
    while (!AtEnd()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        Advance();
      } else if (c == '-' && At(pos_ + 1) == '-') {
        while (!AtEnd() && text_[pos_] != '\n') Advance();
      } else {
        break;
      }
    }
  }

  Token Start(TokenKind kind) {
    Token t;
    t.kind = kind;
    t.line = line_;
    t.column = column_;
    t.offset = pos_;
    return t;
  }
  void Finish(Token* t) { t->text = text_.substr(t->offset, pos_ - t->offset); }
  Token Error(Token t, std::string msg) {
    Finish(&t);
    t.kind = TokenKind::kError;
    t.value = std::move(msg);
    return t;
  }

  Token Lex() {
    Token t = Start(TokenKind::kEnd);
    if (AtEnd()) return t;
    const char c = text_[pos_];
    if (IsIdentStart(c)) return LexWord(std::move(t));
    if (IsDigit(c)) return LexNumber(std::move(t));
    if (c == '\'') return LexString(std::move(t));
    if (c == '"') return LexQuotedName(std::move(t));
    return LexOperator(std::move(t));
  }

  Token LexWord(Token t) {
    while (!AtEnd() && IsIdentChar(text_[pos_])) Advance();
    t.kind = TokenKind::kIdent;
    Finish(&t);
    t.value = std::string(t.text);
    t.keyword = LookupKeyword(t.text);
    return t;
  }

  // 42, 0.99, 99.5%, 500ms. A number glued to letters must be a duration.
  Token LexNumber(Token t) {
    while (!AtEnd() && IsDigit(text_[pos_])) Advance();
    bool decimal = false;
    if (At(pos_) == '.' && IsDigit(At(pos_ + 1))) {
      decimal = true;
      Advance();
      while (!AtEnd() && IsDigit(text_[pos_])) Advance();
    }
    // An exponent (1e6, 2.5E-3) makes a decimal; no duration unit starts with e.
    if ((At(pos_) == 'e' || At(pos_) == 'E') &&
        (IsDigit(At(pos_ + 1)) ||
         ((At(pos_ + 1) == '+' || At(pos_ + 1) == '-') && IsDigit(At(pos_ + 2))))) {
      decimal = true;
      Advance();
      if (!IsDigit(text_[pos_])) Advance();
      while (!AtEnd() && IsDigit(text_[pos_])) Advance();
      if (IsIdentStart(At(pos_)) || At(pos_) == '%') {
        while (!AtEnd() && (IsIdentChar(text_[pos_]) || text_[pos_] == '%')) Advance();
        Finish(&t);
        return Error(std::move(t),
                     "bad number '" + std::string(t.text.substr(0, 40)) + "'");
      }
    }
    const std::string_view digits = text_.substr(t.offset, pos_ - t.offset);
    if (At(pos_) == '%') {
      Advance();
      t.kind = TokenKind::kPercent;
      Finish(&t);
      auto [end, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), t.number);
      if (ec != std::errc() || !std::isfinite(t.number)) {
        return Error(std::move(t), "number out of range");
      }
      return t;
    }
    if (IsIdentStart(At(pos_))) return LexDuration(std::move(t), digits, decimal);
    Finish(&t);
    if (decimal) {
      t.kind = TokenKind::kDecimal;
      auto [end, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), t.number);
      if (ec != std::errc() || end != digits.data() + digits.size() ||
          !std::isfinite(t.number)) {
        return Error(std::move(t), "number out of range");
      }
      return t;
    }
    t.kind = TokenKind::kInteger;
    auto [end, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), t.integer);
    if (ec != std::errc() || end != digits.data() + digits.size()) {
      return Error(std::move(t), "integer out of range '" + std::string(digits) + "'");
    }
    t.number = static_cast<double>(t.integer);
    return t;
  }

  Token LexDuration(Token t, std::string_view digits, bool decimal) {
    const size_t unit_start = pos_;
    while (!AtEnd() && IsIdentChar(text_[pos_])) Advance();
    const std::string_view unit = text_.substr(unit_start, pos_ - unit_start);
    Finish(&t);
    const int64_t unit_ns = UnitNs(unit);
    if (unit_ns == 0) {
      std::string msg = "bad duration '" + std::string(t.text.substr(0, 40)) + "': ";
      if (unit == "mo" || unit == "M" || unit == "y") {
        msg += "no months or years, use WINDOW CALENDAR MONTH";
      } else {
        msg += "units are ms, s, m, h, d, w";
      }
      return Error(std::move(t), std::move(msg));
    }
    if (decimal) {
      return Error(std::move(t), "bad duration '" + std::string(t.text.substr(0, 40)) +
                                     "': a duration is a whole number of its unit");
    }
    int64_t n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size() ||
        n > std::numeric_limits<int64_t>::max() / unit_ns) {
      return Error(std::move(t),
                   "duration out of range '" + std::string(t.text.substr(0, 40)) + "'");
    }
    t.kind = TokenKind::kDuration;
    t.integer = n * unit_ns;
    return t;
  }

  Token LexString(Token t) {
    Advance();  // opening quote
    std::string value;
    while (true) {
      if (AtEnd()) return Error(std::move(t), "unterminated string");
      const char c = text_[pos_];
      Advance();
      if (c == '\'') {
        if (At(pos_) != '\'') break;
        Advance();
      }
      value.push_back(c);
    }
    t.kind = TokenKind::kString;
    Finish(&t);
    t.value = std::move(value);
    return t;
  }

  // "name": an identifier that is never a keyword ("" escapes a quote).
  Token LexQuotedName(Token t) {
    Advance();
    std::string value;
    while (true) {
      if (AtEnd()) return Error(std::move(t), "unterminated quoted name");
      const char c = text_[pos_];
      Advance();
      if (c == '"') {
        if (At(pos_) != '"') break;
        Advance();
      }
      value.push_back(c);
    }
    Finish(&t);
    if (value.empty()) return Error(std::move(t), "empty quoted name");
    t.kind = TokenKind::kIdent;
    t.value = std::move(value);
    return t;
  }

  Token LexOperator(Token t) {
    const char c = text_[pos_];
    const char n = At(pos_ + 1);
    TokenKind kind = TokenKind::kError;
    int len = 1;
    switch (c) {
      case '=':
        kind = TokenKind::kEq;
        break;
      case '!':
        if (n == '=') kind = TokenKind::kNe, len = 2;
        break;
      case '<':
        if (n == '=')
          kind = TokenKind::kLe, len = 2;
        else if (n == '>')
          kind = TokenKind::kNe, len = 2;
        else
          kind = TokenKind::kLt;
        break;
      case '>':
        if (n == '=')
          kind = TokenKind::kGe, len = 2;
        else
          kind = TokenKind::kGt;
        break;
      case '~':
        kind = TokenKind::kTilde;
        break;
      case '+':
        kind = TokenKind::kPlus;
        break;
      case '-':
        kind = TokenKind::kMinus;
        break;
      case '*':
        kind = TokenKind::kStar;
        break;
      case '/':
        kind = TokenKind::kSlash;
        break;
      case ',':
        kind = TokenKind::kComma;
        break;
      case '(':
        kind = TokenKind::kLParen;
        break;
      case ')':
        kind = TokenKind::kRParen;
        break;
      case ';':
        kind = TokenKind::kSemicolon;
        break;
      default:
        break;
    }
    if (kind == TokenKind::kError) {
      // Take the whole UTF-8 character for the message.
      Advance();
      while (!AtEnd() && (static_cast<unsigned char>(text_[pos_]) & 0xC0) == 0x80) {
        Advance();
      }
      Finish(&t);
      std::string shown = std::string(t.text);
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        static constexpr char kHex[] = "0123456789abcdef";
        shown = std::string("\\x") + kHex[(c >> 4) & 0xF] + kHex[c & 0xF];
      }
      return Error(std::move(t), "unexpected character '" + shown + "'");
    }
    for (int i = 0; i < len; ++i) Advance();
    t.kind = kind;
    Finish(&t);
    return t;
  }

  std::string_view text_;
  const size_t max_tokens_;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

std::vector<Token> Tokenize(std::string_view text, size_t max_tokens) {
  return Lexer(text, max_tokens).Run();
}

Keyword LookupKeyword(std::string_view word) {
  if (word.size() > 12) return Keyword::kNone;
  char buf[12];
  for (size_t i = 0; i < word.size(); ++i) buf[i] = Lower(word[i]);
  const std::string_view lower(buf, word.size());
  auto it = std::lower_bound(
      kKeywords.begin(), kKeywords.end(), lower,
      [](const KeywordName& k, std::string_view w) { return k.name < w; });
  return it != kKeywords.end() && it->name == lower ? it->keyword : Keyword::kNone;
}

std::string Describe(const Token& token) {
  if (token.kind == TokenKind::kEnd) return "end of input";
  constexpr size_t kMaxShown = 40;
  std::string_view text = token.text;
  size_t n = std::min(text.size(), kMaxShown);
  // Do not cut a UTF-8 character in two.
  while (n < text.size() && n > 0 &&
         (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) {
    --n;
  }
  std::string shown(text.substr(0, n));
  if (n < text.size()) shown += "...";
  // A string literal is shown as written, already in quotes.
  if (token.kind == TokenKind::kString) return shown;
  return "'" + shown + "'";
}

}  // namespace sredb::query
