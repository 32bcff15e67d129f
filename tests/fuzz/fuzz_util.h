// Helpers shared by the libFuzzer targets of tests/fuzz/: feeding a fuzz
// input to the ingest readers (which read a file descriptor) and checking
// the contracts every target asserts beyond "no crash, no UB, no leak".
//
// Thread safety: libFuzzer calls a target from one thread; so do these.
#ifndef SREDB_TESTS_FUZZ_FUZZ_UTIL_H_
#define SREDB_TESTS_FUZZ_FUZZ_UTIL_H_

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "ingest/field_parse.h"
#include "ingest/record_reader.h"
#include "storage/event.h"
#include "storage/status.h"

namespace sredb::fuzz {

// A broken contract (not a rejected input): report it and abort, so that
// libFuzzer saves the input as a crash.
#define SREDB_FUZZ_CHECK(cond, what)                                                \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: contract broken: %s (%s)\n", __FILE__, __LINE__, \
                   #cond, std::string(what).c_str());                               \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

// Reads every record of `data` through the reader `make(fd)` returns, from
// a memfd holding the bytes. Checks the RecordReader contract: a good record
// carries a valid event and no reason, a bad one a reason and no labels;
// positions never go backwards. Good records' labels go through MakeLabels,
// as Ingest does.
template <typename MakeReader>
void ReadEveryRecord(const uint8_t* data, size_t size, MakeReader make) {
  const int fd = memfd_create("sredb_fuzz", 0);
  SREDB_FUZZ_CHECK(fd >= 0, "memfd_create");
  size_t done = 0;
  while (done < size) {
    const ssize_t n = write(fd, data + done, size - done);
    SREDB_FUZZ_CHECK(n > 0, "write to memfd");
    done += static_cast<size_t>(n);
  }
  SREDB_FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
  {
    std::unique_ptr<ingest::RecordReader> reader = make(fd);
    ingest::Record record;
    uint64_t last_line = 0;
    for (;;) {
      Result<bool> more = reader->Next(&record);
      if (!more.ok() || !*more) break;
      SREDB_FUZZ_CHECK(record.pos.line >= last_line, "positions go forward");
      last_line = record.pos.line;
      if (record.bad) {
        SREDB_FUZZ_CHECK(!record.reason.empty(), "a bad record says why");
        SREDB_FUZZ_CHECK(record.labels.empty(), "a bad record has no labels");
        continue;
      }
      Status valid = ValidateEvent(record.event);
      SREDB_FUZZ_CHECK(valid.ok(), valid.ToString());
      Result<Labels> labels = ingest::MakeLabels(record.labels);
      (void)labels.ok();  // refusing labels is fine: the ingester counts it
    }
  }
  close(fd);
}

}  // namespace sredb::fuzz

#endif  // SREDB_TESTS_FUZZ_FUZZ_UTIL_H_
