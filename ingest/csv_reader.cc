#include "ingest/csv_reader.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/block_reader.h"
#include "ingest/csv_scan.h"

namespace sredb::ingest {
namespace {

enum class Scan { kRecord, kNeedMore, kBad };

std::string TooLong() {
  return "record longer than " + std::to_string(kMaxRecordBytes) + " bytes";
}

class CsvReader final : public RecordReader {
 public:
  CsvReader(int fd, TimeUnit unit) : in_(fd), assembler_(unit) {}

  Result<bool> Next(Record* record) override;

 private:
  Status ReadHeader();
  Status SkipByteOrderMark();
  // Reads the next non-blank record: its cells into fields_, its position
  // and text into *record; a quoting error or an over-long record makes it
  // bad. False at the end of the input.
  Result<bool> NextCells(Record* record);
  Result<bool> SkipLongRecord(Record* record);
  // Parses one record at [p, end) into fields_; see the members below.
  Scan ScanRecord(const char* p, const char* end, bool eof);
  Scan ScanQuoted(const char** q, const char* end, bool eof);
  Scan EndRecord(const char* p, const char* q, size_t terminator);
  Scan FailRecord(const char* p, const char* q, const char* end, bool eof,
                  const char* why);
  void Convert(Record* record);

  // in_.Fill, forgetting the scanned bytes, which it may move.
  Status Fill() {
    finder_.Reset();
    return in_.Fill();
  }

  BlockReader in_;
  SpecialFinder finder_;
  EventAssembler assembler_;
  bool header_read_ = false;
  std::vector<std::string> names_;             // header cells
  std::vector<std::optional<Field>> columns_;  // each column's field; nullopt: a label
  uint64_t lines_ = 0;                         // line terminators consumed so far
  std::string long_text_;                      // the cut text of an over-long record

  // Outputs of ScanRecord.
  std::vector<std::string_view> fields_;  // cells, into the buffer or scratch_
  // Unescaped quoted cells. Reserved to the scanned size before the first
  // append of a record, so views into it stay valid for the record.
  std::string scratch_;
  size_t record_len_ = 0;  // text bytes, terminator excluded
  size_t consumed_ = 0;    // bytes, terminator included
  uint64_t newlines_ = 0;  // '\n' inside the record and ending it
  const char* error_ = nullptr;
};

Scan CsvReader::EndRecord(const char* p, const char* q, size_t terminator) {
  record_len_ = static_cast<size_t>(q - p);
  consumed_ = record_len_ + terminator;
  if (terminator > 0) ++newlines_;
  return Scan::kRecord;
}

// A quoting error at q: the record is the rest of its physical line.
Scan CsvReader::FailRecord(const char* p, const char* q, const char* end, bool eof,
                           const char* why) {
  error_ = why;
  const char* nl = static_cast<const char*>(std::memchr(q, '\n', end - q));
  if (nl == nullptr && !eof) return Scan::kNeedMore;
  if (nl == nullptr) {
    EndRecord(p, end, 0);
  } else {
    const char* text_end = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
    EndRecord(p, text_end, nl + 1 - text_end);
  }
  return Scan::kBad;
}

// *q is at an opening quote; leaves it after the closing one.
Scan CsvReader::ScanQuoted(const char** q, const char* end, bool eof) {
  const char* b = ++*q;
  bool copied = false;
  const size_t copy_start = scratch_.size();
  for (;;) {
    const char* quote = static_cast<const char*>(std::memchr(*q, '"', end - *q));
    if (quote == nullptr || (quote + 1 == end && !eof)) {
      if (eof) error_ = "unterminated quoted field";
      return eof ? Scan::kBad : Scan::kNeedMore;
    }
    newlines_ += std::count(*q, quote, '\n');
    *q = quote + 1;
    if (*q < end && **q == '"') {  // "" is one quote
      copied = true;
      scratch_.append(b, *q);
      b = ++*q;
      continue;
    }
    if (!copied) {
      fields_.emplace_back(b, quote - b);
    } else {
      scratch_.append(b, quote);
      fields_.emplace_back(scratch_.data() + copy_start, scratch_.size() - copy_start);
    }
    return Scan::kRecord;
  }
}

Scan CsvReader::ScanRecord(const char* p, const char* end, bool eof) {
  fields_.clear();
  scratch_.clear();
  if (scratch_.capacity() < static_cast<size_t>(end - p)) scratch_.reserve(end - p);
  newlines_ = 0;
  const char* q = p;
  for (;;) {
    if (q < end && *q == '"') {
      Scan s = ScanQuoted(&q, end, eof);
      if (s == Scan::kNeedMore) return s;
      if (s == Scan::kBad) return FailRecord(p, end, end, eof, error_);
    } else {
      const char* b = q;
      q = finder_.Next(q, end);
      // The common case first: a plain cell ended by a comma and followed by
      // another unquoted cell in the buffer.
      while (q + 1 < end && *q == ',' && q[1] != '"') {
        fields_.emplace_back(b, q - b);
        b = ++q;
        q = finder_.Next(q, end);
      }
      while (q + 1 < end && *q == '\r' && q[1] != '\n') {
        q = finder_.Next(q + 1, end);  // a lone CR is data
      }
      if (q < end && *q == '"')
        return FailRecord(p, q, end, eof, "quote inside an unquoted field");
      fields_.emplace_back(b, q - b);
    }
    if (q == end) return eof ? EndRecord(p, q, 0) : Scan::kNeedMore;
    if (*q == ',') {
      ++q;
      continue;
    }
    if (*q == '\n') return EndRecord(p, q, 1);
    if (*q == '\r' && q + 1 == end) return eof ? EndRecord(p, q, 1) : Scan::kNeedMore;
    if (*q == '\r' && q[1] == '\n') return EndRecord(p, q, 2);
    return FailRecord(p, q, end, eof, "unexpected character after a closing quote");
  }
}

Result<bool> CsvReader::NextCells(Record* record) {
  for (;;) {
    if (in_.size() == 0) {
      if (in_.eof()) return false;
      SREDB_RETURN_IF_ERROR(Fill());
      continue;
    }
    Scan s = ScanRecord(in_.data(), in_.data() + in_.size(), in_.eof());
    if (s == Scan::kNeedMore) {
      if (in_.size() > kMaxRecordBytes) return SkipLongRecord(record);
      SREDB_RETURN_IF_ERROR(Fill());
      continue;
    }
    record->pos.line = lines_ + 1;
    lines_ += newlines_;
    record->text = std::string_view(in_.data(), std::min(record_len_, kMaxRecordBytes));
    in_.Consume(consumed_);
    if (record_len_ > kMaxRecordBytes) {
      record->SetBad(TooLong());
      return true;
    }
    if (s == Scan::kBad) {
      record->SetBad(error_);
      return true;
    }
    if (record_len_ == 0) continue;  // a blank line
    return true;
  }
}

// The incomplete record at the front of the buffer is over kMaxRecordBytes:
// it is bad, and reading resumes after the first newline past that length.
Result<bool> CsvReader::SkipLongRecord(Record* record) {
  record->pos.line = lines_ + 1;
  long_text_.assign(in_.data(), kMaxRecordBytes);
  lines_ += std::count(long_text_.begin(), long_text_.end(), '\n');
  in_.Consume(kMaxRecordBytes);
  finder_.Reset();  // SkipPastNewline may refill
  Result<bool> found = in_.SkipPastNewline();
  if (!found.ok()) return found;
  lines_ += *found ? 1 : 0;
  record->text = long_text_;
  record->SetBad(TooLong());
  return true;
}

Status CsvReader::SkipByteOrderMark() {
  while (in_.size() < 3 && !in_.eof()) SREDB_RETURN_IF_ERROR(Fill());
  if (in_.size() >= 3 && std::memcmp(in_.data(), "\xEF\xBB\xBF", 3) == 0) in_.Consume(3);
  return Status::OK();
}

Status CsvReader::ReadHeader() {
  header_read_ = true;
  SREDB_RETURN_IF_ERROR(SkipByteOrderMark());
  Record header;
  Result<bool> got = NextCells(&header);
  if (!got.ok() || !*got) return got.status();  // an empty input has no records
  const std::string where = header.pos.ToString();
  if (header.bad)
    return Status::InvalidArgument(where + ": bad header: " + header.reason);
  for (std::string_view cell : fields_) {
    if (std::find(names_.begin(), names_.end(), cell) != names_.end()) {
      return Status::InvalidArgument(where + ": column '" + std::string(cell) +
                                     "' named twice in the header");
    }
    names_.emplace_back(cell);
    columns_.push_back(FieldFromName(cell));
  }
  return Status::OK();
}

void CsvReader::Convert(Record* record) {
  if (fields_.size() != columns_.size()) {
    record->SetBad("expected " + std::to_string(columns_.size()) + " fields, found " +
                   std::to_string(fields_.size()));
    return;
  }
  assembler_.Reset(&record->event);
  record->labels.clear();
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (columns_[i]) {
      Status s = assembler_.Set(*columns_[i], fields_[i]);
      if (!s.ok()) return record->SetBad(s.message());
    } else if (!fields_[i].empty()) {
      record->labels.push_back(LabelView{names_[i], fields_[i]});
    }
  }
  Status s = assembler_.Finish();
  if (!s.ok()) record->SetBad(s.message());
}

Result<bool> CsvReader::Next(Record* record) {
  if (!header_read_) SREDB_RETURN_IF_ERROR(ReadHeader());
  record->bad = false;
  Result<bool> got = NextCells(record);
  if (!got.ok() || !*got) return got;
  if (!record->bad) Convert(record);
  return true;
}

}  // namespace

std::unique_ptr<RecordReader> NewCsvReader(int fd, TimeUnit unit) {
  return std::make_unique<CsvReader>(fd, unit);
}

}  // namespace sredb::ingest
