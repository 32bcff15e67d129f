// The JSON-lines decoder: one flat JSON object per line (RFC 8259 strings
// with every escape, \uXXXX surrogate pairs included; numbers; true, false,
// null). Keys named like an event field (see FieldFromName) are that field:
// its value is a number, a string or a boolean read as the field's text
// (`"cost_usd": 0.0123` is exact decimal), and null means unknown for
// ttft_ms, user_rating, hallucinated, error_kind and trace_id (error_kind
// and trace_id take a string or null, nothing else). Every other
// key is a label and must have a string value; any other value is a bad
// record naming the key. Nested objects and arrays, duplicate fields, bad
// JSON and trailing text are bad records; blank lines are skipped, and so
// is a UTF-8 byte-order mark at the start.
//
// Thread safety: a reader is used by one thread at a time.
#ifndef SREDB_INGEST_JSONL_READER_H_
#define SREDB_INGEST_JSONL_READER_H_

#include <memory>

#include "ingest/field_parse.h"
#include "ingest/record_reader.h"

namespace sredb::ingest {

// REQUIRES: `fd` is open for reading and outlives the reader.
std::unique_ptr<RecordReader> NewJsonlReader(int fd, TimeUnit unit);

}  // namespace sredb::ingest

#endif  // SREDB_INGEST_JSONL_READER_H_
