// The CSV decoder: RFC 4180 records (quoted fields with "" escapes may hold
// commas and newlines; CRLF or LF line ends), the first non-blank record a
// header naming the columns. Columns named like an event field (see
// FieldFromName) are that field; every other column is a label, absent from
// a record whose cell is empty. A record is bad when it has the wrong
// number of fields, a quoting error, or a field EventAssembler refuses;
// blank lines are skipped (they hold no record). A header naming a column
// twice is a whole-input error. A UTF-8 byte-order mark is ignored.
//
// Thread safety: a reader is used by one thread at a time.
#ifndef SREDB_INGEST_CSV_READER_H_
#define SREDB_INGEST_CSV_READER_H_

#include <memory>

#include "ingest/field_parse.h"
#include "ingest/record_reader.h"

namespace sredb::ingest {

// REQUIRES: `fd` is open for reading and outlives the reader.
std::unique_ptr<RecordReader> NewCsvReader(int fd, TimeUnit unit);

}  // namespace sredb::ingest

#endif  // SREDB_INGEST_CSV_READER_H_
