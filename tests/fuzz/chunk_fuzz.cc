// libFuzzer target: sealed-chunk and pack decoding (storage/internal/chunk.h
// DecodeChunkColumns, DecodeChunk, DecodePack). The input is a chunk value without
// its trailing XXH3-64: the target appends the right checksum, so mutations
// reach the header and column decoders instead of stopping at the checksum
// (which is also tried as given, unsealed). Every Corruption is fine;
// checked beyond memory safety: both decoders agree on the events, and a
// time window or a field subset only ever selects from them. An input whose
// first byte is the pack version goes to DecodePack, checked for ascending
// members, consistent offsets and time-ordered member rows.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/internal/checksum.h"
#include "storage/internal/chunk.h"
#include "storage/reader.h"
#include "tests/fuzz/fuzz_util.h"

namespace sredb::fuzz {
namespace {

constexpr int64_t kPartitionStart = 1'772'323'200'000'000'000;  // 2026-03-01
constexpr int64_t kMin = INT64_MIN;
constexpr int64_t kMax = INT64_MAX;

void FuzzPack(std::string_view body) {
  std::string pack(body);
  internal::SealWithChecksum(&pack);
  internal::DecodedPack all;
  if (!internal::DecodePack(pack, kPartitionStart, kAllFields, &all).ok()) return;
  SREDB_FUZZ_CHECK(!all.ids.empty() && all.offsets.size() == all.ids.size() + 1,
                   "a pack has members and their offsets");
  SREDB_FUZZ_CHECK(all.offsets.back() == all.rows.size(), "offsets cover the rows");
  for (size_t m = 0; m < all.ids.size(); ++m) {
    SREDB_FUZZ_CHECK(m == 0 || all.ids[m - 1] < all.ids[m], "members ascend");
    SREDB_FUZZ_CHECK(all.offsets[m] < all.offsets[m + 1], "members have rows");
    for (uint32_t i = all.offsets[m] + 1; i < all.offsets[m + 1]; ++i) {
      SREDB_FUZZ_CHECK(all.rows.time[i - 1] <= all.rows.time[i], "member rows in order");
    }
    SREDB_FUZZ_CHECK(all.Find(all.ids[m]) == static_cast<int>(m), "Find finds members");
    // A window of one member: a subset of its rows.
    const int64_t from = all.rows.time[(all.offsets[m] + all.offsets[m + 1]) / 2];
    Columns some;
    internal::AppendPackRows(all, m, FieldBit(Field::kSuccess), from, kMax, &some);
    SREDB_FUZZ_CHECK(some.size() <= all.offsets[m + 1] - all.offsets[m],
                     "a window selects fewer events");
    SREDB_FUZZ_CHECK(some.success.size() == some.size(), "the field asked for is filled");
    for (int64_t t : some.time) SREDB_FUZZ_CHECK(t >= from, "a window bounds its times");
  }
}

void Fuzz(std::string_view body) {
  if (!body.empty() && static_cast<uint8_t>(body[0]) == internal::kPackVersion) {
    FuzzPack(body);
    return;
  }
  // As given: almost always a bad checksum, never a crash.
  Columns raw;
  (void)internal::DecodeChunkColumns(body, kPartitionStart, kAllFields, kMin, kMax, &raw)
      .ok();

  std::string chunk(body);
  internal::SealWithChecksum(&chunk);
  Columns all;
  const bool ok =
      internal::DecodeChunkColumns(chunk, kPartitionStart, kAllFields, kMin, kMax, &all)
          .ok();
  std::vector<Event> events;
  Status s = internal::DecodeChunk(chunk, kPartitionStart, &events);
  SREDB_FUZZ_CHECK(s.ok() == ok, s.ToString());
  if (!ok) return;
  SREDB_FUZZ_CHECK(events.size() == all.size(), "both decoders see every event");
  for (size_t i = 0; i < events.size(); ++i) {
    Event row;
    all.GetRow(i, &row);
    SREDB_FUZZ_CHECK(row.time == events[i].time, "both decoders agree on times");
  }
  // A window and a subset of fields: the same events, fewer of them.
  if (all.size() == 0) return;
  const int64_t from = all.time[all.size() / 2];
  Columns some;
  s = internal::DecodeChunkColumns(chunk, kPartitionStart, FieldBit(Field::kSuccess),
                                   from, kMax, &some);
  SREDB_FUZZ_CHECK(s.ok(), s.ToString());
  SREDB_FUZZ_CHECK(some.size() <= all.size(), "a window selects fewer events");
  for (int64_t t : some.time) SREDB_FUZZ_CHECK(t >= from, "a window bounds its times");
}

}  // namespace
}  // namespace sredb::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sredb::fuzz::Fuzz(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
