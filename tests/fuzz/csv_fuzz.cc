// libFuzzer target: the CSV decoder (ingest/csv_reader.h) on any bytes.
// Contracts checked: fuzz_util.h ReadEveryRecord.
#include <cstddef>
#include <cstdint>

#include "ingest/csv_reader.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sredb::fuzz::ReadEveryRecord(data, size, [](int fd) {
    return sredb::ingest::NewCsvReader(fd, sredb::ingest::TimeUnit::kNs);
  });
  return 0;
}
