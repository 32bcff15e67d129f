// RFC 3339 instants <-> ns since the Unix epoch (UTC), used by ingest,
// queries and output. Stateless and thread-safe.
#ifndef SREDB_STORAGE_RFC3339_H_
#define SREDB_STORAGE_RFC3339_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace sredb {

// Parses `2026-03-03T14:00:00Z`, `2026-03-03T14:00:00.123456789+02:00`
// (1 to 9 fraction digits; 'T' or 't' or ' '; 'Z' or 'z' or an offset).
// Errors say what is wrong: "bad month 13", "fraction longer than 9 digits".
Result<int64_t> ParseRfc3339(std::string_view s);

// Formats in UTC with 'Z', with the fewest of 0, 3, 6 or 9 fraction digits
// that is exact: 2026-03-03T14:00:00Z, 2026-03-03T14:00:00.120Z.
std::string FormatRfc3339(int64_t ns);

// Appends the same text as FormatRfc3339 to `out` without allocating twice.
void AppendRfc3339(std::string* out, int64_t ns);

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t days, int64_t* y, unsigned* m, unsigned* d);

}  // namespace sredb

#endif  // SREDB_STORAGE_RFC3339_H_
