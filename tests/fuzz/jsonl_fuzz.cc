// libFuzzer target: the JSON-lines decoder (ingest/jsonl_reader.h) on any bytes.
// Contracts checked: fuzz_util.h ReadEveryRecord.
#include <cstddef>
#include <cstdint>

#include "ingest/jsonl_reader.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sredb::fuzz::ReadEveryRecord(data, size, [](int fd) {
    return sredb::ingest::NewJsonlReader(fd, sredb::ingest::TimeUnit::kNs);
  });
  return 0;
}
