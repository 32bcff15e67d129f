// libFuzzer target: the Cap'n Proto decoder (ingest/capnp_reader.h) on any
// bytes, as a stream of packed EventBatch messages. Cap'n Proto exceptions
// must never leave the reader. Contracts checked: fuzz_util.h ReadEveryRecord.
#include <cstddef>
#include <cstdint>

#include "ingest/capnp_reader.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sredb::fuzz::ReadEveryRecord(data, size,
                               [](int fd) { return sredb::ingest::NewCapnpReader(fd); });
  return 0;
}
