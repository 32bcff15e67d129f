// The CSV reader's cell scanning (csv_scan.h: a 64-byte mask of special
// bytes, remembered across cells and forgotten at each refill) against
// records generated with known cells: quoted cells with commas, quotes, CRs
// and newlines, unquoted cells with lone CRs, empty cells, and cells long
// enough to span several windows, read whole and through a pipe in small
// random chunks.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ingest/csv_reader.h"
#include "ingest/record_reader.h"

namespace sredb::ingest {
namespace {

struct Want {
  uint64_t line;
  std::string agent;  // label values as they must come out
  std::string note;
};

// A random cell value and its CSV form.
std::pair<std::string, std::string> Cell(std::mt19937_64& rng, bool allow_empty) {
  static constexpr char kQuotedAlphabet[] = "ab,\"\r\n x";
  const int kind = static_cast<int>(rng() % 4);
  const size_t len =
      (rng() % 3 == 0 ? 60 + rng() % 140 : rng() % 12) + (allow_empty ? 0 : 1);
  std::string value;
  if (kind == 0) {  // quoted, with anything inside
    for (size_t i = 0; i < len; ++i) value += kQuotedAlphabet[rng() % 8];
    std::string csv = "\"";
    for (char c : value) csv += c == '"' ? std::string("\"\"") : std::string(1, c);
    return {value, csv + "\""};
  }
  for (size_t i = 0; i < len; ++i) value += static_cast<char>('c' + rng() % 20);
  if (kind == 1 && value.size() >= 3) value[(value.size() - 1) / 2] = '\r';  // lone CR
  return {value, value};
}

TEST(CsvScan, GeneratedRecordsComeOutCellForCell) {
  std::mt19937_64 rng(5);
  std::string csv = "time,agent,success,note\n";
  std::vector<Want> want;
  uint64_t line = 2;
  for (int t = 1; t <= 3000; ++t) {
    auto [agent, agent_csv] = Cell(rng, false);
    auto [note, note_csv] = Cell(rng, true);
    const std::string record = std::to_string(t) + "," + agent_csv + ",1," + note_csv;
    csv += record + (rng() % 5 == 0 ? "\r\n" : "\n");
    want.push_back({line, agent, note});
    line += 1 + std::count(record.begin(), record.end(), '\n');
  }
  for (int piped = 0; piped < 2; ++piped) {
    SCOPED_TRACE(piped ? "piped in random chunks" : "whole");
    int fds[2];
    std::thread writer;
    if (piped) {
      ASSERT_EQ(pipe(fds), 0);
      writer = std::thread([&csv, fd = fds[1]] {
        std::mt19937_64 chunks(9);
        for (size_t i = 0; i < csv.size();) {
          const size_t n = std::min<size_t>(1 + chunks() % 300, csv.size() - i);
          EXPECT_EQ(write(fd, csv.data() + i, n), static_cast<ssize_t>(n));
          i += n;
        }
        close(fd);
      });
    } else {
      fds[0] = memfd_create("csv_scan_test", 0);
      ASSERT_EQ(write(fds[0], csv.data(), csv.size()), static_cast<ssize_t>(csv.size()));
      ASSERT_EQ(lseek(fds[0], 0, SEEK_SET), 0);
    }
    std::unique_ptr<RecordReader> reader = NewCsvReader(fds[0], TimeUnit::kNs);
    Record r;
    size_t i = 0;
    for (Result<bool> more = reader->Next(&r); more.ok() && *more;
         more = reader->Next(&r)) {
      ASSERT_LT(i, want.size());
      ASSERT_FALSE(r.bad) << "record " << i << ": " << r.reason;
      EXPECT_EQ(r.pos.line, want[i].line) << "record " << i;
      ASSERT_GE(r.labels.size(), 1u);
      EXPECT_EQ(r.labels[0].value, want[i].agent) << "record " << i;
      const std::string note = r.labels.size() > 1 ? std::string(r.labels[1].value) : "";
      EXPECT_EQ(note, want[i].note) << "record " << i;
      EXPECT_EQ(r.event.time, static_cast<int64_t>(i + 1));
      ++i;
    }
    EXPECT_EQ(i, want.size());
    if (writer.joinable()) writer.join();
    close(fds[0]);
  }
}

}  // namespace
}  // namespace sredb::ingest
