// Running a SELECT (or EXPLAIN [ANALYZE] SELECT) FROM annotations over a
// Reader (query/README.md "FROM annotations"). Annotations are few, so the
// plan is one range read (Reader::ReadAnnotations, label and type matchers
// applied there) covering the WHERE range and every OVER window, then:
//
//  - without aggregates and GROUP BY, one row per annotation in the WHERE
//    range, in (time, arrival) order, ORDER BY sorting stably on top;
//  - otherwise groups (labels, type, detail, bucket(step)) with count()
//    and sum / avg / min / max / stddev of value or threshold, HAVING,
//    ORDER BY and LIMIT as FROM tasks.
//
// Thread safety: one call per Reader at a time.
#ifndef SREDB_QUERY_INTERNAL_ANNOTATION_EXEC_H_
#define SREDB_QUERY_INTERNAL_ANNOTATION_EXEC_H_

#include <cstdint>

#include "query/ast.h"
#include "query/internal/select_exec.h"
#include "query/query.h"
#include "storage/reader.h"
#include "storage/status.h"

namespace sredb::query::internal {

// REQUIRES: select.source is Source::kAnnotations, and `select` passed the
// parser's checks.
Result<ResultTable> RunAnnotationSelect(Reader* reader, const SelectStmt& select,
                                        int64_t now, const QueryOptions& options,
                                        ExplainMode explain);

}  // namespace sredb::query::internal

#endif  // SREDB_QUERY_INTERNAL_ANNOTATION_EXEC_H_
