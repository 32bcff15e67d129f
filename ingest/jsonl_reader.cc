#include "ingest/jsonl_reader.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/block_reader.h"

namespace sredb::ingest {
namespace {

// A JSON scalar: strings unescaped, other kinds their token's text.
struct JsonValue {
  enum class Kind { kString, kNumber, kBool, kNull };
  Kind kind = Kind::kNull;
  std::string_view text;
};

std::string_view KindName(JsonValue::Kind kind) {
  switch (kind) {
    case JsonValue::Kind::kString:
      return "string";
    case JsonValue::Kind::kNumber:
      return "number";
    case JsonValue::Kind::kBool:
      return "boolean";
    case JsonValue::Kind::kNull:
      return "null";
  }
  return "?";
}

std::string TooLong() {
  return "record longer than " + std::to_string(kMaxRecordBytes) + " bytes";
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xc0 | cp >> 6);
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xe0 | cp >> 12);
    *out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    *out += static_cast<char>(0xf0 | cp >> 18);
    *out += static_cast<char>(0x80 | (cp >> 12 & 0x3f));
    *out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

class JsonlReader final : public RecordReader {
 public:
  JsonlReader(int fd, TimeUnit unit) : in_(fd), assembler_(unit) {}

  Result<bool> Next(Record* record) override;

 private:
  // The next line, blank or not, into record->pos and record->text.
  Result<bool> NextLine(Record* record);
  // Parses record->text as a flat object into record->event and labels.
  Status ParseObject(Record* record);
  Status ParseMember(Record* record);
  Status ParseString(std::string_view* out);
  Status ParseEscape();
  Status ParseHex4(uint32_t* cp);
  Status ParseValue(std::string_view key, JsonValue* value);
  Status ParseNumber(JsonValue* value);
  Status Apply(std::string_view key, const JsonValue& value, Record* record);

  void SkipSpace() {
    while (p_ < end_ && IsSpace(*p_)) ++p_;
  }
  bool Eat(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  Status Error(std::string_view what) const {
    return Status::InvalidArgument("bad JSON at column " +
                                   std::to_string(p_ - begin_ + 1) + ": " +
                                   std::string(what));
  }

  BlockReader in_;
  EventAssembler assembler_;
  uint64_t lines_ = 0;
  std::string long_text_;  // the cut text of an over-long line
  // Unescaped strings of the current line. Reserved to the line's size
  // before parsing, so views into it stay valid for the line.
  std::string scratch_;
  const char* begin_ = nullptr;  // the line being parsed
  const char* p_ = nullptr;
  const char* end_ = nullptr;
};

Result<bool> JsonlReader::NextLine(Record* record) {
  for (;;) {
    if (in_.size() == 0) {
      if (in_.eof()) return false;
      SREDB_RETURN_IF_ERROR(in_.Fill());
      continue;
    }
    const char* nl = static_cast<const char*>(std::memchr(in_.data(), '\n', in_.size()));
    if (nl == nullptr && !in_.eof()) {
      if (in_.size() <= kMaxRecordBytes) {
        SREDB_RETURN_IF_ERROR(in_.Fill());
        continue;
      }
      record->pos.line = ++lines_;
      long_text_.assign(in_.data(), kMaxRecordBytes);
      record->text = long_text_;
      Result<bool> skipped = in_.SkipPastNewline();
      if (!skipped.ok()) return skipped;
      record->SetBad(TooLong());
      return true;
    }
    size_t len = nl != nullptr ? nl - in_.data() : in_.size();
    record->pos.line = ++lines_;
    record->text = std::string_view(in_.data(), std::min(len, kMaxRecordBytes));
    in_.Consume(nl != nullptr ? len + 1 : len);
    if (len > kMaxRecordBytes) {
      record->SetBad(TooLong());
    } else if (!record->text.empty() && record->text.back() == '\r') {
      record->text.remove_suffix(1);
    }
    if (lines_ == 1 && record->text.starts_with("\xEF\xBB\xBF")) {
      record->text.remove_prefix(3);  // a UTF-8 byte-order mark
    }
    return true;
  }
}

Result<bool> JsonlReader::Next(Record* record) {
  record->bad = false;
  for (;;) {
    Result<bool> got = NextLine(record);
    if (!got.ok() || !*got || record->bad) return got;
    const std::string_view t = record->text;
    bool blank = true;
    for (char c : t) blank = blank && IsSpace(c);
    if (!blank) break;
  }
  Status s = ParseObject(record);
  if (!s.ok()) record->SetBad(s.message());
  return true;
}

Status JsonlReader::ParseObject(Record* record) {
  scratch_.clear();
  if (scratch_.capacity() < record->text.size()) scratch_.reserve(record->text.size());
  assembler_.Reset(&record->event);
  record->labels.clear();
  begin_ = p_ = record->text.data();
  end_ = p_ + record->text.size();
  SkipSpace();
  if (!Eat('{')) return Error("expected '{'");
  SkipSpace();
  if (!Eat('}')) {
    for (;;) {
      SREDB_RETURN_IF_ERROR(ParseMember(record));
      SkipSpace();
      if (Eat(',')) continue;
      if (Eat('}')) break;
      return Error("expected ',' or '}'");
    }
  }
  SkipSpace();
  if (p_ != end_) return Error("text after the object");
  return assembler_.Finish();
}

Status JsonlReader::ParseMember(Record* record) {
  SkipSpace();
  if (p_ == end_ || *p_ != '"') return Error("expected a key in double quotes");
  std::string_view key;
  SREDB_RETURN_IF_ERROR(ParseString(&key));
  SkipSpace();
  if (!Eat(':')) return Error("expected ':'");
  SkipSpace();
  JsonValue value;
  SREDB_RETURN_IF_ERROR(ParseValue(key, &value));
  return Apply(key, value, record);
}

// *p_ is the opening quote. Strings without escapes are views of the line.
Status JsonlReader::ParseString(std::string_view* out) {
  const char* b = ++p_;
  while (p_ < end_ && *p_ != '"' && *p_ != '\\' &&
         static_cast<unsigned char>(*p_) >= 0x20) {
    ++p_;
  }
  if (p_ < end_ && *p_ == '"') {
    *out = std::string_view(b, p_++ - b);
    return Status::OK();
  }
  const size_t start = scratch_.size();
  scratch_.append(b, p_);
  for (;;) {
    if (p_ == end_) return Error("unterminated string");
    const char c = *p_;
    if (c == '"') break;
    if (static_cast<unsigned char>(c) < 0x20)
      return Error("control character in a string");
    if (c == '\\') {
      SREDB_RETURN_IF_ERROR(ParseEscape());
    } else {
      scratch_ += c;
      ++p_;
    }
  }
  ++p_;
  *out = std::string_view(scratch_.data() + start, scratch_.size() - start);
  return Status::OK();
}

// *p_ is a backslash.
Status JsonlReader::ParseEscape() {
  if (++p_ == end_) return Error("unterminated string");
  const char c = *p_++;
  const char* kFrom = "\"\\/bfnrt";
  const char* kTo = "\"\\/\b\f\n\r\t";
  if (const char* at = std::strchr(kFrom, c); at != nullptr && c != '\0') {
    scratch_ += kTo[at - kFrom];
    return Status::OK();
  }
  if (c != 'u') return Error(std::string("bad escape \\") + c);
  uint32_t cp = 0;
  SREDB_RETURN_IF_ERROR(ParseHex4(&cp));
  if (cp >= 0xdc00 && cp <= 0xdfff) return Error("lone low surrogate in \\u escape");
  if (cp >= 0xd800 && cp <= 0xdbff) {
    uint32_t low = 0;
    if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') {
      return Error("high surrogate without a low surrogate in \\u escape");
    }
    p_ += 2;
    SREDB_RETURN_IF_ERROR(ParseHex4(&low));
    if (low < 0xdc00 || low > 0xdfff) {
      return Error("high surrogate without a low surrogate in \\u escape");
    }
    cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
  }
  AppendUtf8(&scratch_, cp);
  return Status::OK();
}

Status JsonlReader::ParseHex4(uint32_t* cp) {
  if (end_ - p_ < 4) return Error("\\u needs 4 hex digits");
  for (int i = 0; i < 4; ++i) {
    int d = HexDigit(p_[i]);
    if (d < 0) return Error("\\u needs 4 hex digits");
    *cp = *cp << 4 | static_cast<uint32_t>(d);
  }
  p_ += 4;
  return Status::OK();
}

Status JsonlReader::ParseValue(std::string_view key, JsonValue* value) {
  if (p_ == end_) return Error("expected a value");
  auto literal = [&](std::string_view word, JsonValue::Kind kind) {
    if (static_cast<size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return Error("expected a value");
    }
    value->kind = kind;
    value->text = std::string_view(p_, word.size());
    p_ += word.size();
    return Status::OK();
  };
  switch (*p_) {
    case '"':
      value->kind = JsonValue::Kind::kString;
      return ParseString(&value->text);
    case '{':
    case '[':
      return Status::InvalidArgument("key " + std::string(key) +
                                     ": nested objects and arrays are not supported");
    case 't':
      return literal("true", JsonValue::Kind::kBool);
    case 'f':
      return literal("false", JsonValue::Kind::kBool);
    case 'n':
      return literal("null", JsonValue::Kind::kNull);
    default:
      return ParseNumber(value);
  }
}

// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
Status JsonlReader::ParseNumber(JsonValue* value) {
  const char* b = p_;
  Eat('-');
  if (p_ == end_ || !IsDigit(*p_)) return Error("expected a value");
  if (!Eat('0')) {
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  }
  if (Eat('.')) {
    if (p_ == end_ || !IsDigit(*p_)) return Error("expected a digit after '.'");
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  }
  if (Eat('e') || Eat('E')) {
    if (!Eat('+')) Eat('-');
    if (p_ == end_ || !IsDigit(*p_)) return Error("expected an exponent");
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  }
  value->kind = JsonValue::Kind::kNumber;
  value->text = std::string_view(b, p_ - b);
  return Status::OK();
}

Status JsonlReader::Apply(std::string_view key, const JsonValue& value, Record* record) {
  const std::optional<Field> field = FieldFromName(key);
  if (!field) {
    if (value.kind != JsonValue::Kind::kString) {
      return Status::InvalidArgument("key " + std::string(key) + " has a " +
                                     std::string(KindName(value.kind)) +
                                     " value; only fields and string labels are allowed");
    }
    record->labels.push_back(LabelView{key, value.text});
    return Status::OK();
  }
  if (value.kind == JsonValue::Kind::kNull) return assembler_.SetNull(*field);
  if ((*field == Field::kErrorKind || *field == Field::kTraceId) &&
      value.kind != JsonValue::Kind::kString) {
    return Status::InvalidArgument(std::string(key) + " must be a string or null");
  }
  return assembler_.Set(*field, value.text);
}

}  // namespace

std::unique_ptr<RecordReader> NewJsonlReader(int fd, TimeUnit unit) {
  return std::make_unique<JsonlReader>(fd, unit);
}

}  // namespace sredb::ingest
