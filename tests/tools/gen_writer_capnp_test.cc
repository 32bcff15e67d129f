// WriteFleet's capnp output: a packed stream of EventBatch messages of at
// most kCapnpBatchEvents events, read back field by field.
#include <capnp/serialize-packed.h>
#include <gtest/gtest.h>
#include <kj/io.h>

#include <cstdio>
#include <string>
#include <vector>

#include "ingest/schema/event.capnp.h"
#include "tools/gen_writer.h"

namespace sredb::fleet {
namespace {

struct Batch {
  std::vector<std::pair<Labels, Event>> events;
};

// Reads every packed message in `fd` from its start.
std::vector<Batch> ReadAll(int fd) {
  std::vector<Batch> out;
  kj::FdInputStream raw(fd);
  kj::BufferedInputStreamWrapper in(raw);
  capnp::ReaderOptions options;
  options.traversalLimitInWords = uint64_t{1} << 30;
  while (in.tryGetReadBuffer().size() > 0) {
    capnp::PackedMessageReader message(in, options);
    Batch batch;
    for (wire::TaskEvent::Reader w : message.getRoot<wire::EventBatch>().getEvents()) {
      std::vector<Label> labels = {{"agent", w.getAgent()}};
      for (wire::Label::Reader l : w.getLabels())
        labels.push_back({l.getName(), l.getValue()});
      Event e;
      e.time = w.getTime();
      e.success = w.getSuccess();
      e.latency_ms = w.getLatencyMs();
      if (w.getHasTtft()) e.ttft_ms = w.getTtftMs();
      e.cost_micros = w.getCostMicros();
      e.tokens_in = w.getTokensIn();
      e.tokens_out = w.getTokensOut();
      e.hallucinated = static_cast<Tri>(w.getHallucinated());
      e.policy_violations = w.getPolicyViolations();
      e.tool_calls = w.getToolCalls();
      e.tool_failures = w.getToolFailures();
      if (w.getHasRating()) e.user_rating = w.getUserRating();
      e.error_kind = w.getErrorKind();
      EXPECT_EQ(w.getTraceId().size(), 0u);
      batch.events.emplace_back(Labels::Make(std::move(labels)).value(), std::move(e));
    }
    out.push_back(std::move(batch));
  }
  return out;
}

TEST(GenWriterCapnp, RoundTripsEveryEventInBatches) {
  FleetOptions o;
  o.agents = 40;
  o.days = 2;
  o.events = 2 * kCapnpBatchEvents + 123;
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  Status s = WriteFleet(o, GenFormat::kCapnp, fileno(f));
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::rewind(f);
  std::vector<Batch> batches = ReadAll(fileno(f));
  std::fclose(f);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].events.size(), kCapnpBatchEvents);
  EXPECT_EQ(batches[2].events.size(), 123u);

  FleetGenerator gen(o);
  const Labels* labels;
  Event e;
  size_t n = 0;
  for (const Batch& b : batches) {
    for (const auto& [got_labels, got] : b.events) {
      ASSERT_TRUE(gen.Next(&labels, &e));
      ASSERT_EQ(got_labels, *labels) << "event " << n;
      ASSERT_EQ(got, e) << "event " << n;
      ++n;
    }
  }
  EXPECT_FALSE(gen.Next(&labels, &e));
}

TEST(GenWriterCapnp, NoEventsWritesNothing) {
  FleetOptions o;
  o.events = 0;
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(WriteFleet(o, GenFormat::kCapnp, fileno(f)).ok());
  EXPECT_EQ(std::ftell(f), 0);
  EXPECT_EQ(lseek(fileno(f), 0, SEEK_END), 0);
  std::fclose(f);
}

}  // namespace
}  // namespace sredb::fleet
