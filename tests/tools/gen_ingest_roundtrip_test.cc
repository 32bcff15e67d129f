// What `sredb gen` writes, `sredb ingest` reads back unchanged: every format
// through its ingest decoder yields the generator's events and labels.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

#include "ingest/capnp_reader.h"
#include "ingest/csv_reader.h"
#include "ingest/field_parse.h"
#include "ingest/jsonl_reader.h"
#include "tools/gen_writer.h"

namespace sredb::fleet {
namespace {

std::unique_ptr<ingest::RecordReader> NewReader(GenFormat format, int fd) {
  switch (format) {
    case GenFormat::kCsv:
      return ingest::NewCsvReader(fd, ingest::TimeUnit::kNs);
    case GenFormat::kJsonl:
      return ingest::NewJsonlReader(fd, ingest::TimeUnit::kNs);
    case GenFormat::kCapnp:
      return ingest::NewCapnpReader(fd);
  }
  return nullptr;
}

void ExpectRoundTrip(const FleetOptions& o, GenFormat format) {
  SCOPED_TRACE(GenFormatName(format));
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  Status s = WriteFleet(o, format, fileno(f));
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::rewind(f);
  auto reader = NewReader(format, fileno(f));
  FleetGenerator gen(o);
  const Labels* labels;
  Event want;
  ingest::Record got;
  int64_t n = 0;
  for (;;) {
    Result<bool> more = reader->Next(&got);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
    ASSERT_FALSE(got.bad) << got.pos.ToString() << ": " << got.reason << "\n" << got.text;
    ASSERT_TRUE(gen.Next(&labels, &want)) << "more records than events";
    Result<Labels> got_labels = ingest::MakeLabels(got.labels);
    ASSERT_TRUE(got_labels.ok()) << got_labels.status().ToString();
    ASSERT_EQ(*got_labels, *labels) << "event " << n;
    ASSERT_EQ(got.event, want) << "event " << n << "\n" << got.text;
    ++n;
  }
  EXPECT_FALSE(gen.Next(&labels, &want)) << "fewer records than events";
  EXPECT_EQ(n, o.events);
  std::fclose(f);
}

TEST(GenIngestRoundTrip, EveryFormatReadsBackExactly) {
  FleetOptions o;
  o.agents = 60;
  o.days = 3;
  o.events = 25'000;
  o.seed = 3;
  for (GenFormat format : {GenFormat::kCsv, GenFormat::kJsonl, GenFormat::kCapnp}) {
    ExpectRoundTrip(o, format);
  }
}

}  // namespace
}  // namespace sredb::fleet
