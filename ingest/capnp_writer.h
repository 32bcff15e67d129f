// Writing one event into a Cap'n Proto TaskEvent (ingest/schema/event.capnp):
// the inverse of what the capnp reader decodes, shared by `sredb gen
// --format capnp` and the benchmarks' row store.
//
// Thread safety: a stateless function.
#ifndef SREDB_INGEST_CAPNP_WRITER_H_
#define SREDB_INGEST_CAPNP_WRITER_H_

#include <span>
#include <string_view>

#include "ingest/schema/event.capnp.h"
#include "storage/event.h"

namespace sredb::ingest {

// Sets every field of `b` from `e`, the agent and the other labels; a label
// named "agent" in `labels` is skipped (the agent has its own field). The
// texts are copied into the message.
void SetTaskEvent(const Event& e, std::string_view agent, std::span<const Label> labels,
                  wire::TaskEvent::Builder b);

}  // namespace sredb::ingest

#endif  // SREDB_INGEST_CAPNP_WRITER_H_
