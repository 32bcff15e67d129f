// RecordReader: the common shape of the CSV, JSON-lines and capnp decoders.
// Each yields records one at a time; a record is either a good event with
// its (not yet validated) labels, or a bad record with its position, its
// original text and the reason. Readers never drop a record: every record
// in the input comes out of Next exactly once, good or bad.
//
// Thread safety: a reader is used by one thread at a time.
#ifndef SREDB_INGEST_RECORD_READER_H_
#define SREDB_INGEST_RECORD_READER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/field_parse.h"
#include "storage/event.h"
#include "storage/status.h"

namespace sredb::ingest {

// Where a record starts. Line-based formats count lines from 1, the CSV
// header included; capnp counts messages from 1 and events within a message
// from 1 (event 0: the whole message).
struct Position {
  uint64_t line = 0;     // line, or message index for capnp
  uint64_t event = 0;    // capnp only
  bool message = false;  // true for capnp

  // "line 12", "message 3 event 17", "message 3".
  std::string ToString() const {
    if (!message) return "line " + std::to_string(line);
    std::string s = "message " + std::to_string(line);
    if (event != 0) s += " event " + std::to_string(event);
    return s;
  }
};

// One record as read. Every view points into the reader's buffers and is
// valid until the next call to Next on the same reader.
struct Record {
  Position pos;
  // The original text without its line terminator (a quoted CSV record may
  // span lines). Empty for capnp, which has no text form: rejects then show
  // pos.ToString() in its place.
  std::string_view text;
  bool bad = false;
  std::string reason;  // when bad: why, naming the field or key
  // When good: a checked Event (EventAssembler::Finish passed) and its
  // labels, agent included, not yet validated (MakeLabels does that).
  // Labels with an empty CSV cell are left out. When bad: no labels.
  Event event;
  std::vector<LabelView> labels;

  // Marks the record bad; its labels are dropped (their views may dangle).
  void SetBad(std::string why) {
    bad = true;
    reason = std::move(why);
    labels.clear();
  }
};

class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // Reads the next record into *record: true when one was read, false at the
  // end of the input. An error Status only for an I/O error or a
  // whole-input error (a CSV header naming a column twice); the reader is
  // then unusable.
  virtual Result<bool> Next(Record* record) = 0;
};

// Records longer than this are bad ("record longer than 1048576 bytes") and
// their text in the rejects is cut to this length; the reader resumes after
// the next newline. No legitimate record comes near: labels and error_kind
// are limited to a few KiB in all.
inline constexpr size_t kMaxRecordBytes = 1 << 20;

}  // namespace sredb::ingest

#endif  // SREDB_INGEST_RECORD_READER_H_
