// libFuzzer target: rollup decoding. Input: one selector byte, then
//   0: a RollupBucket record (storage/rollup/rollup_bucket.h DecodeFrom);
//      one that decodes re-encodes to a record that decodes to it again;
//   1, 2: a rollup record (storage/internal/rollup_record.h
//      DecodeRollupRecord) at 1 minute / 1 hour resolution, without its
//      trailing XXH3-64, which the target appends so that mutations reach
//      the layout and bucket decoders; its buckets start inside [from, to),
//      ascending, and a narrower window selects a subset.
// Every Corruption or NotSupported is fine.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/internal/checksum.h"
#include "storage/internal/rollup_record.h"
#include "storage/rollup/rollup_bucket.h"
#include "tests/fuzz/fuzz_util.h"

namespace sredb::fuzz {
namespace {

constexpr int64_t kPartitionStart = 1'772'323'200'000'000'000;  // 2026-03-01

void FuzzBucket(std::string_view in) {
  std::string_view lean_in = in;
  rollup::RollupBucket b;
  Status s = b.DecodeFrom(&in);
  if (!s.ok()) {
    SREDB_FUZZ_CHECK(b == rollup::RollupBucket(), "a refused record leaves it empty");
    return;
  }
  // Without latency: the same bytes read, the same bucket less its latency.
  rollup::RollupBucket lean;
  s = lean.DecodeFrom(&lean_in, false);
  SREDB_FUZZ_CHECK(s.ok(),
                   "a record read whole is read without latency: " + s.ToString());
  SREDB_FUZZ_CHECK(lean_in.size() == in.size(), "both reads end at the same byte");
  rollup::RollupBucket expected = b;
  expected.latency_sum = {};
  expected.latency_sum_squares = {};
  expected.latency = {};
  SREDB_FUZZ_CHECK(lean == expected, "only the latency parts are left out");
  std::string again;
  b.AppendTo(&again);
  std::string_view again_in = again;
  rollup::RollupBucket back;
  s = back.DecodeFrom(&again_in);
  SREDB_FUZZ_CHECK(s.ok(), s.ToString());
  SREDB_FUZZ_CHECK(again_in.empty(), "DecodeFrom consumes what AppendTo wrote");
  SREDB_FUZZ_CHECK(back == b, "a bucket survives a round trip");
  rollup::RollupBucket merged = b;
  merged.Merge(b);  // Merge of decoded buckets must not trip UB either
  SREDB_FUZZ_CHECK(merged.count == 2 * b.count, "Merge adds counts");
}

void FuzzRecord(std::string_view body, int64_t resolution) {
  std::vector<internal::TimedBucket> raw;
  (void)internal::DecodeRollupRecord(body, resolution, kPartitionStart, INT64_MIN,
                                     INT64_MAX, &raw)
      .ok();
  std::string record(body);
  internal::SealWithChecksum(&record);
  std::vector<internal::TimedBucket> all;
  if (!internal::DecodeRollupRecord(record, resolution, kPartitionStart, INT64_MIN,
                                    INT64_MAX, &all)
           .ok()) {
    SREDB_FUZZ_CHECK(all.empty(), "a refused record appends nothing");
    return;
  }
  for (size_t i = 0; i < all.size(); ++i) {
    SREDB_FUZZ_CHECK(all[i].start % resolution == 0, "buckets are aligned");
    SREDB_FUZZ_CHECK(i == 0 || all[i - 1].start < all[i].start, "buckets ascend");
    SREDB_FUZZ_CHECK(all[i].bucket.count > 0, "buckets are never empty");
  }
  if (all.empty()) return;
  const int64_t from = all[all.size() / 2].start;
  std::vector<internal::TimedBucket> some;
  Status s = internal::DecodeRollupRecord(record, resolution, kPartitionStart, from,
                                          INT64_MAX, &some);
  SREDB_FUZZ_CHECK(s.ok(), s.ToString());
  SREDB_FUZZ_CHECK(some.size() == all.size() - all.size() / 2,
                   "a window selects a suffix");
}

}  // namespace
}  // namespace sredb::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      sredb::fuzz::FuzzBucket(rest);
      break;
    case 1:
      sredb::fuzz::FuzzRecord(rest, sredb::internal::kMinuteNs);
      break;
    case 2:
      sredb::fuzz::FuzzRecord(rest, sredb::internal::kHourNs);
      break;
  }
  return 0;
}
