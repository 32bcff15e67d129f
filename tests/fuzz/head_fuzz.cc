// libFuzzer target: head record decoding (storage/internal/head_codec.h
// DecodeHeadRecord, ForEachHeadRecordEvent). The input is a head record
// without its trailing XXH3-64, which the target appends so that mutations
// reach the body decoder. Checked beyond memory safety: both entry points
// agree, and a refused record leaves the output as it was.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/internal/checksum.h"
#include "storage/internal/head_codec.h"
#include "tests/fuzz/fuzz_util.h"

namespace sredb::fuzz {
namespace {

constexpr int64_t kPartitionStart = 1'772'323'200'000'000'000;  // 2026-03-01

void Fuzz(std::string_view body) {
  std::vector<internal::HeadEvent> raw;
  (void)internal::DecodeHeadRecord(body, kPartitionStart, &raw).ok();
  std::string record(body);
  internal::SealWithChecksum(&record);
  std::vector<internal::HeadEvent> events;
  Status s = internal::DecodeHeadRecord(record, kPartitionStart, &events);
  size_t seen = 0;
  Status each = internal::ForEachHeadRecordEvent(record, kPartitionStart,
                                                 [&seen](uint64_t, Event&&) { ++seen; });
  SREDB_FUZZ_CHECK(s.ok() == each.ok(), each.ToString());
  if (!s.ok()) {
    SREDB_FUZZ_CHECK(events.empty(), "a refused record appends nothing");
    return;
  }
  SREDB_FUZZ_CHECK(seen == events.size(), "both entry points see every event");
  // Not checked: ValidateEvent on the events. The head codec does not
  // re-validate field ranges (a record that passes its checksum was
  // validated before it was written), so a forged record may carry e.g. a
  // negative ttft_ms.
}

}  // namespace
}  // namespace sredb::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sredb::fuzz::Fuzz(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
