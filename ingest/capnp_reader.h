// The Cap'n Proto decoder: a stream of packed EventBatch messages
// (ingest/schema/event.capnp), one after another. Each TaskEvent is one
// record, at "message M event E" (both counted from 1). An event whose
// fields are out of range (ValidateEvent) or whose pointers do not decode
// is a bad record. A message whose framing does not decode (truncated,
// garbage) is one bad record, "message M", however many events it may have
// held, and ends the input: a packed stream cannot be resynchronised. A
// message whose root does not decode is one bad record and reading goes on.
// A message may hold at most 256 MiB unpacked; a larger one (or a segment
// table claiming more) is a framing error. Cap'n Proto's exceptions, and a
// failed allocation, never leave the reader.
//
// Thread safety: a reader is used by one thread at a time.
#ifndef SREDB_INGEST_CAPNP_READER_H_
#define SREDB_INGEST_CAPNP_READER_H_

#include <memory>

#include "ingest/record_reader.h"

namespace sredb::ingest {

// REQUIRES: `fd` is open for reading and outlives the reader.
std::unique_ptr<RecordReader> NewCapnpReader(int fd);

}  // namespace sredb::ingest

#endif  // SREDB_INGEST_CAPNP_READER_H_
