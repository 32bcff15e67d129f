// Writes the seed corpora of the storage fuzz targets (codec, chunk, rollup,
// head) with the project's own encoders: `fuzz_make_seeds tests/fuzz/corpus`.
// The files are committed; rerun this when a format changes. Inputs follow
// each target's framing: a selector byte for codec and rollup, and no
// trailing checksum for the checksummed records (the targets append it).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/codec/codec.h"
#include "storage/event.h"
#include "storage/internal/chunk.h"
#include "storage/internal/head_codec.h"
#include "storage/internal/rollup_record.h"
#include "storage/reader.h"

namespace sredb {
namespace {

constexpr int64_t kPartitionStart = 1'772'323'200'000'000'000;  // as the targets

void Write(const std::string& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
}
std::string Unsealed(std::string record) { return record.substr(0, record.size() - 8); }
std::string Selected(uint8_t selector, std::string_view body) {
  return std::string(1, static_cast<char>(selector)) + std::string(body);
}

// n events, one every `step_ms`, with every optional field sometimes set.
std::vector<Event> Events(int n, int64_t step_ms) {
  std::vector<Event> events;
  for (int i = 0; i < n; ++i) {
    Event e;
    e.time = kPartitionStart + i * step_ms * 1'000'000 + (i % 3) * 1000;
    e.success = i % 5 != 0;
    e.latency_ms = 100.5f + static_cast<float>(i * 7 % 900);
    if (i % 2 == 0) e.ttft_ms = static_cast<float>(i % 50);
    e.cost_micros = 1000 + i * 17;
    e.tokens_in = static_cast<uint32_t>(i * 31);
    e.tokens_out = static_cast<uint32_t>(i * 3);
    e.hallucinated = i % 3 == 0 ? Tri::kTrue : (i % 3 == 1 ? Tri::kFalse : Tri::kUnknown);
    e.tool_calls = static_cast<uint16_t>(i % 4);
    e.tool_failures = static_cast<uint16_t>(i % 4 == 3);
    if (i % 4 == 1) e.user_rating = static_cast<float>(1 + i % 5);
    if (!e.success) e.error_kind = "timeout";
    if (i % 6 == 0)
      e.trace_id = TraceId{1, 2,  3,  4,  5,  6,  7,  8,
                           9, 10, 11, 12, 13, 14, 15, static_cast<uint8_t>(i)};
    events.push_back(e);
  }
  return events;
}

Columns ToColumns(const std::vector<Event>& events) {
  Columns c;
  for (const Event& e : events) c.Append(e, kAllFields);
  return c;
}

void Codec(const std::string& dir) {
  std::vector<int64_t> times, ints = {0, -1, 1, INT64_MIN, INT64_MAX, 42, 42, 42};
  for (int i = 0; i < 1500; ++i) times.push_back(kPartitionStart + i * 1'000'000);
  std::vector<float> floats = {0.0f, -0.0f, 1.5f, INFINITY, NAN, 1e-40f, 250.25f};
  std::vector<uint8_t> bools = {1, 1, 1, 0, 1, 1, 1, 1, 0, 0};
  std::vector<uint8_t> enums = {0, 0, 0, 2, 1, 0, 0, 0, 255};
  std::vector<std::string_view> strings = {"", "",           "timeout",
                                           "", "tool_error", "timeout"};
  std::string s;
  codec::EncodeTimestamps(times, &s);
  Write(dir + "/timestamps", Selected(0, s));
  s.clear();
  codec::EncodeInts(ints, &s);
  Write(dir + "/ints", Selected(1, s));
  s.clear();
  codec::EncodeFloats(floats, &s);
  Write(dir + "/floats", Selected(2, s));
  s.clear();
  codec::EncodeBools(bools, &s);
  Write(dir + "/bools", Selected(3, s));
  s.clear();
  codec::EncodeSmallEnums(enums, &s);
  Write(dir + "/small_enums", Selected(4, s));
  s.clear();
  codec::EncodeStrings(strings, &s);
  Write(dir + "/strings", Selected(5, s));
}

void Chunk(const std::string& dir) {
  Write(dir + "/chunk_3",
        Unsealed(internal::EncodeChunk(ToColumns(Events(3, 1000)), kPartitionStart)));
  Write(dir + "/chunk_40",
        Unsealed(internal::EncodeChunk(ToColumns(Events(40, 61'000)), kPartitionStart)));
  std::vector<Event> plain(5);  // only time and the always-present columns
  for (int i = 0; i < 5; ++i) plain[i].time = kPartitionStart + i;
  Write(dir + "/chunk_plain",
        Unsealed(internal::EncodeChunk(ToColumns(plain), kPartitionStart)));
  // A pack of three members: 3, 40 and 5 rows, each sorted by time.
  Columns rows = ToColumns(Events(3, 1000));
  rows.AppendColumns(ToColumns(Events(40, 61'000)), kAllFields);
  rows.AppendColumns(ToColumns(plain), kAllFields);
  const uint64_t ids[] = {7, 0x8000000000000000, UINT64_MAX};
  const uint32_t offsets[] = {0, 3, 43, 48};
  Write(dir + "/pack_3",
        Unsealed(internal::EncodePack(ids, offsets, rows, kPartitionStart)));
}

void Rollup(const std::string& dir) {
  const Columns c = ToColumns(Events(40, 7 * 61'000));
  for (int tier = 0; tier < internal::kRollupTiers; ++tier) {
    const int64_t resolution = internal::kRollupResolutions[tier];
    std::vector<internal::TimedBucket> buckets;
    internal::BuildBuckets(c, resolution, &buckets);
    std::string record =
        internal::EncodeRollupRecord(buckets, resolution, kPartitionStart);
    Write(dir + "/record_" + std::to_string(tier),
          Selected(static_cast<uint8_t>(1 + tier), Unsealed(record)));
    std::string bucket;
    buckets.back().bucket.AppendTo(&bucket);
    Write(dir + "/bucket_" + std::to_string(tier), Selected(0, bucket));
  }
}

void Head(const std::string& dir) {
  internal::HeadRecordBuilder builder(kPartitionStart);
  const std::vector<Event> events = Events(12, 5000);
  for (size_t i = 0; i < events.size(); ++i) builder.Add(1000 + i % 3, events[i]);
  Write(dir + "/head_12", Unsealed(builder.Finish()));
}

}  // namespace
}  // namespace sredb

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR (tests/fuzz/corpus)\n", argv[0]);
    return 2;
  }
  const std::string root = argv[1];
  sredb::Codec(root + "/codec");
  sredb::Chunk(root + "/chunk");
  sredb::Rollup(root + "/rollup");
  sredb::Head(root + "/head");
  return 0;
}
