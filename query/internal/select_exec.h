// Planning and running one SELECT (or EXPLAIN [ANALYZE] SELECT) over a
// Reader. The plan, per series:
//
//  1. Every aggregate has windows: its OVER window, zscore's step windows,
//     or the WHERE time range. Their edges cut the time axis into
//     elementary intervals; each interval feeds the windows that contain it.
//  2. Each interval is read from the coarsest exact source: whole hours from
//     1 h rollups, whole minutes from 1 min rollups, the ragged edges from
//     raw chunks and head — per partition, where that partition stored the
//     series' rollups (else raw is cheaper: they were not worth building).
//     Raw whenever an aggregate of that interval needs events (an exact
//     quantile, a comparison predicate, stddev other than latency) or
//     bucket(step) is not a multiple of the rollup resolution.
//  3. Adjacent reads of one tier are merged into one Reader call; rows and
//     buckets are dispatched to (group, window) accumulators by time.
//
// Thread safety: one call per Reader at a time.
#ifndef SREDB_QUERY_INTERNAL_SELECT_EXEC_H_
#define SREDB_QUERY_INTERNAL_SELECT_EXEC_H_

#include <cstdint>

#include "query/ast.h"
#include "query/query.h"
#include "storage/reader.h"
#include "storage/status.h"

namespace sredb::query::internal {

enum class ExplainMode : uint8_t { kNone, kPlan, kAnalyze };

// The evaluation instant (AT, default now) and the WHERE time range
// [*from, *to) of `select` (query/README.md "Time range"); *to is AT
// without an upper bound. InvalidArgument when an instant overflows.
Status ResolveTimes(const SelectStmt& select, int64_t now, int64_t* at, int64_t* from,
                    int64_t* to);

// Runs `select` at evaluation-instant context `now` (what now() is); FROM
// annotations goes to RunAnnotationSelect (annotation_exec.h).
Result<ResultTable> RunSelect(Reader* reader, const SelectStmt& select, int64_t now,
                              const QueryOptions& options, ExplainMode explain);

}  // namespace sredb::query::internal

#endif  // SREDB_QUERY_INTERNAL_SELECT_EXEC_H_
