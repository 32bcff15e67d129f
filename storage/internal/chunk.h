// Sealed chunks: the events of one series in one time partition, stored
// column by column under chunks-CF key ordered64(partition start) | be64(series).
// Packs: the events of several sparse series of one partition, rows by
// series, under key ordered64(partition start) | be64(last member) | 0x01.
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
// A pack (FORMAT.md, "packs") is a chunk of the rows of its members, series
// by series (ascending id), each member's rows in (time, arrival) order:
//   u8 version (3) | varint m | fixed64 first member id
//   | (m - 1) x varint (id - previous id, > 0) | m x varint (member's rows, > 0)
//   | then the chunk layout after its version byte, over all the rows, with
//     times relative to the pack's min time.
// Keeping sparse series (a few events an hour) in packs saves each one its
// own key and chunk framing, lets the codecs see blocks of ~1,000 values,
// and lets a reader that walks every series decode a partition in a few
// large pieces.
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
inline constexpr uint8_t kPackVersion = 3;

// Series with fewer events than this in a partition are sealed into packs,
// busier ones into chunks of their own.
inline constexpr uint64_t kPackMaxSeriesEvents = 512;
// A pack is closed once it holds at least this many events.
inline constexpr uint64_t kPackTargetEvents = 1024;

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

// Encodes a pack of the members `ids` (ascending), member i holding rows
// [offsets[i], offsets[i + 1]) of `rows` (every field filled, each member's
// rows sorted by time, every time within the partition).
// REQUIRES: ids non-empty, offsets.size() == ids.size() + 1, offsets[0] == 0,
// offsets ascending strictly, offsets.back() == rows.size().
std::string EncodePack(std::span<const uint64_t> ids, std::span<const uint32_t> offsets,
                       const Columns& rows, int64_t partition_start);

// A decoded pack: member i is ids[i], its rows [offsets[i], offsets[i + 1])
// of `rows`, whose filled columns are `fields`.
struct DecodedPack {
  std::vector<uint64_t> ids;
  std::vector<uint32_t> offsets;
  Columns rows;
  uint32_t fields = 0;
  // Index of member `id`, or -1.
  int Find(uint64_t id) const;
};

// Decodes the whole pack, only the columns of `fields` (and the time).
// Corruption, naming what is wrong, as DecodeChunkColumns.
Status DecodePack(std::string_view pack, int64_t partition_start, uint32_t fields,
                  DecodedPack* out);

// The first member id of a pack (the key names the last), without
// verifying the checksum; Corruption if the value is too short.
Status PackFirstId(std::string_view pack, uint64_t* id);

// Appends to *out the rows of member `m` of `pack` with time in [from, to),
// columns `fields` (REQUIRES: a subset of pack.fields).
void AppendPackRows(const DecodedPack& pack, size_t m, uint32_t fields, int64_t from,
                    int64_t to, Columns* out);

// Appends rows [lo, hi) of `src`, the time and the columns of `fields`
// (REQUIRES: filled in src), to *dst.
void AppendRows(const Columns& src, size_t lo, size_t hi, uint32_t fields, Columns* dst);

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
