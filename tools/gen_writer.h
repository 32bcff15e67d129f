// Writes a synthetic fleet (tools/fleet.h) to a file descriptor in one of
// the formats `sredb ingest` reads: CSV, JSON lines, or packed Cap'n Proto
// EventBatch messages. This is `sredb gen`'s output stage.
//
// CSV: a header row
//   time,agent,model,prompt_version,cohort,task_type,success,latency_ms,
//   ttft_ms,cost_usd,tokens_in,tokens_out,hallucinated,policy_violations,
//   tool_calls,tool_failures,user_rating,error_kind
// then one row per event: time in RFC 3339 (UTC, ms precision, no fraction
// on whole seconds), success 0/1, hallucinated empty/0/1, empty NULLs,
// cost_usd the exact decimal of the event's micro-USD (0.012345, trailing
// zeros dropped), floats in their shortest round-trip form.
// JSONL: one object per line with the same names; labels as strings,
// success and hallucinated as booleans, null for unknown or NULL.
// capnp: packed EventBatch messages of up to kCapnpBatchEvents events each;
// `agent` in TaskEvent.agent, the other labels in TaskEvent.labels.
//
// Thread safety: the functions are thread-safe; concurrent writes to one fd
// interleave unpredictably.
#ifndef SREDB_TOOLS_GEN_WRITER_H_
#define SREDB_TOOLS_GEN_WRITER_H_

#include <string>
#include <string_view>

#include "storage/event.h"
#include "storage/status.h"
#include "tools/fleet.h"

namespace sredb::fleet {

enum class GenFormat { kCsv, kJsonl, kCapnp };

inline constexpr size_t kCapnpBatchEvents = 10'000;

// "csv", "jsonl" or "capnp"; otherwise InvalidArgument naming the choices.
Result<GenFormat> GenFormatFromName(std::string_view name);
std::string_view GenFormatName(GenFormat format);

// Writes the fleet `options` describes to `fd` (not closed). Returns
// InvalidArgument for bad options and IOError when a write fails, e.g.
// EPIPE on a closed pipe when SIGPIPE is ignored (otherwise SIGPIPE's default
// action ends the process). Output already written stays written.
Status WriteFleet(const FleetOptions& options, GenFormat format, int fd);

// The CSV header row, without its newline.
extern const std::string_view kCsvHeader;

// One event as a CSV row or JSON line, newline included, appended to `out`:
// exactly the text WriteFleet writes for it. A CSV row holds the five label
// columns of kCsvHeader (empty when absent; other labels are left out); a
// JSON line holds every label. For tests and tools.
void AppendCsvRow(const Labels& labels, const Event& event, std::string* out);
void AppendJsonLine(const Labels& labels, const Event& event, std::string* out);

}  // namespace sredb::fleet

#endif  // SREDB_TOOLS_GEN_WRITER_H_
