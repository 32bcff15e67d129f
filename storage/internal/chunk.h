// Sealed chunks: the events of one series in one time partition, stored
// column by column under chunks-CF key ordered64(partition start) | be64(series).
//
// Layout (storage/FORMAT.md, "chunks"):
//   u8 version (2) | varint count | varint (min time - partition start)
//   | varint (max time - min time) | fixed16 column mask
//   | for each column in the mask, by ascending id: varint length | body
//   | fixed64 XXH3-64 of all before
// Column bodies are storage/codec streams (see Column below). A column left
// out of the mask holds its default for every event, which keeps rare
// columns (trace ids, ratings, error kinds) free in chunks that lack them.
// Events are in (time, arrival) order.
//
// Thread safety: stateless functions.
#ifndef SREDB_STORAGE_INTERNAL_CHUNK_H_
#define SREDB_STORAGE_INTERNAL_CHUNK_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/event.h"
#include "storage/reader.h"
#include "storage/status.h"

namespace sredb::internal {

inline constexpr uint8_t kChunkVersion = 2;

// Column ids, in chunk order. Default of an omitted column in brackets.
enum class Column : uint8_t {
  kTime = 0,              // timestamps stream (never omitted)
  kSuccess = 1,           // bools [false]
  kHallucinated = 2,      // small enums 0/1/2 [unknown]
  kLatency = 3,           // floats [+0.0]
  kTtft = 4,              // bools presence | floats of present values [absent]
  kCost = 5,              // ints, micro-USD [0]
  kTokensIn = 6,          // ints [0]
  kTokensOut = 7,         // ints [0]
  kPolicyViolations = 8,  // ints [0]
  kToolCalls = 9,         // ints [0]
  kToolFailures = 10,     // ints [0]
  kRating = 11,           // bools presence | floats of present values [absent]
  kErrorKind = 12,        // strings [""]
  kTraceId = 13,          // bools presence | 16 raw bytes per present value [absent]
};
inline constexpr int kColumnCount = 14;
// Column ids are the bits of a FieldMask (storage/reader.h).
static_assert(static_cast<int>(Field::kSuccess) == static_cast<int>(Column::kSuccess) &&
              static_cast<int>(Field::kLatency) == static_cast<int>(Column::kLatency) &&
              static_cast<int>(Field::kCost) == static_cast<int>(Column::kCost) &&
              static_cast<int>(Field::kRating) == static_cast<int>(Column::kRating) &&
              static_cast<int>(Field::kTraceId) == static_cast<int>(Column::kTraceId));

// Encodes the events of `columns` (REQUIRES: every field filled, non-empty,
// sorted by time, every time within the partition) into a chunk value.
std::string EncodeChunk(const Columns& columns, int64_t partition_start);

// Sorts the rows of `columns` (every field filled) by time, stably.
void SortByTime(Columns* columns);

// Appends rows `rows` of `src` (every field filled), in that order, to *dst.
void GatherRows(const Columns& src, std::span<const uint32_t> rows, Columns* dst);

// Empties every column of *c, keeping the memory for reuse.
void ClearKeepingCapacity(Columns* c);

// Appends to *out the chunk's events with time in [from, to), filling the
// columns of `fields` (a FieldMask: bit i is Column i) and the time. Only
// those columns are decoded. Corruption, naming what is wrong, on a bad
// checksum, version, column stream or value range.
Status DecodeChunkColumns(std::string_view chunk, int64_t partition_start,
                          uint32_t fields, int64_t from, int64_t to, Columns* out);

// Appends the chunk's events to *out. Corruption, naming what is wrong, on a
// bad checksum, version, column stream or value range.
Status DecodeChunk(std::string_view chunk, int64_t partition_start,
                   std::vector<Event>* out);

}  // namespace sredb::internal

#endif  // SREDB_STORAGE_INTERNAL_CHUNK_H_
