// The Cap'n Proto reader alone: packed EventBatch streams, positions as
// "message M event E", bad events, undecodable and truncated messages, and
// I/O errors.
#include "ingest/capnp_reader.h"

#include <capnp/message.h>
#include <capnp/serialize-packed.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <kj/io.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "ingest/schema/event.capnp.h"

namespace sredb::ingest {
namespace {

using ::testing::HasSubstr;

struct Got {
  std::string where;
  bool bad = false;
  std::string reason;
  Event event;
  std::vector<Label> labels;
};

// Fills event i of a batch with values derived from `seed`.
void FillEvent(wire::TaskEvent::Builder e, int seed) {
  e.setTime(1'000'000'000LL * seed);
  e.setAgent("agent-" + std::to_string(seed % 3));
  auto labels = e.initLabels(1);
  labels[0].setName("model");
  labels[0].setValue("m" + std::to_string(seed % 2));
  e.setSuccess(seed % 2 == 0);
  e.setLatencyMs(1.5f * seed);
  e.setHasTtft(seed % 2 == 1);
  e.setTtftMs(0.25f * seed);
  e.setCostMicros(seed * 10);
  e.setTokensIn(seed);
  e.setTokensOut(2 * seed);
  e.setHallucinated(seed % 3 == 0 ? wire::Tri::UNKNOWN : wire::Tri::TRUE);
  e.setToolCalls(2);
  e.setToolFailures(1);
  e.setHasRating(true);
  e.setUserRating(3);
  e.setErrorKind(seed % 2 == 0 ? "" : "boom");
}

// A packed message of `n` events seeded first_seed, first_seed + 1, ...;
// `edit` may spoil some.
std::string Message(int n, int first_seed,
                    void (*edit)(capnp::List<wire::TaskEvent>::Builder) = nullptr) {
  capnp::MallocMessageBuilder builder;
  auto events = builder.initRoot<wire::EventBatch>().initEvents(n);
  for (int i = 0; i < n; ++i) FillEvent(events[i], first_seed + i);
  if (edit != nullptr) edit(events);
  kj::VectorOutputStream out;
  capnp::writePackedMessage(out, builder);
  auto bytes = out.getArray();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

Result<std::vector<Got>> ReadFd(int fd) {
  std::unique_ptr<RecordReader> reader = NewCapnpReader(fd);
  std::vector<Got> out;
  Record r;
  for (;;) {
    Result<bool> more = reader->Next(&r);
    if (!more.ok()) return more.status();
    if (!*more) return out;
    EXPECT_TRUE(r.text.empty());
    Got g{r.pos.ToString(), r.bad, r.reason, r.event, {}};
    for (const LabelView& l : r.labels)
      g.labels.push_back({std::string(l.name), std::string(l.value)});
    out.push_back(std::move(g));
  }
}

std::vector<Got> Read(const std::string& bytes) {
  int fd = memfd_create("capnp_reader_test", 0);
  EXPECT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
  Result<std::vector<Got>> got = ReadFd(fd);
  close(fd);
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  return got.ok() ? std::move(got).value() : std::vector<Got>();
}

TEST(CapnpReader, DecodesEveryFieldOfEveryMessage) {
  std::vector<Got> got = Read(Message(2, 1) + Message(3, 3));
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].where, "message 1 event 1");
  EXPECT_EQ(got[1].where, "message 1 event 2");
  EXPECT_EQ(got[2].where, "message 2 event 1");
  EXPECT_EQ(got[4].where, "message 2 event 3");
  for (int i = 0; i < 5; ++i) {
    const int seed = i + 1;
    ASSERT_FALSE(got[i].bad) << got[i].reason;
    Event want;
    want.time = 1'000'000'000LL * seed;
    want.success = seed % 2 == 0;
    want.latency_ms = 1.5f * seed;
    if (seed % 2 == 1) want.ttft_ms = 0.25f * seed;
    want.cost_micros = seed * 10;
    want.tokens_in = seed;
    want.tokens_out = 2 * seed;
    want.hallucinated = seed % 3 == 0 ? Tri::kUnknown : Tri::kTrue;
    want.tool_calls = 2;
    want.tool_failures = 1;
    want.user_rating = 3.0f;
    want.error_kind = seed % 2 == 0 ? "" : "boom";
    EXPECT_EQ(got[i].event, want) << i;
    EXPECT_EQ(got[i].labels,
              (std::vector<Label>{{"agent", "agent-" + std::to_string(seed % 3)},
                                  {"model", "m" + std::to_string(seed % 2)}}));
  }
}

TEST(CapnpReader, TraceIdsAreSixteenBytesOrNone) {
  std::vector<Got> got = Read(Message(3, 1, [](auto events) {
    uint8_t id[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    events[0].setTraceId(capnp::Data::Reader(id, 16));
    events[1].setTraceId(capnp::Data::Reader(id, 5));
  }));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].event.trace_id,
            (TraceId{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}));
  EXPECT_EQ(got[1].reason, "trace_id is 5 bytes (expected 0 or 16)");
  EXPECT_FALSE(got[2].event.trace_id.has_value());
}

TEST(CapnpReader, OutOfRangeEventsAreBadRecordsWithTheirPosition) {
  std::vector<Got> got = Read(Message(2, 1) + Message(4, 3, [](auto events) {
                                events[0].setToolFailures(3);
                                events[1].setLatencyMs(-1);
                                events[2].setHallucinated(static_cast<wire::Tri>(7));
                              }));
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[2].where, "message 2 event 1");
  EXPECT_EQ(got[2].reason, "tool_failures (3) > tool_calls (2)");
  EXPECT_EQ(got[3].reason, "latency_ms is negative");
  EXPECT_EQ(got[4].reason, "hallucinated is not a tri-state (7)");
  EXPECT_FALSE(got[5].bad) << got[5].reason;
}

// Gives event 0 N labels l0 .. l{N-1} beside its agent.
template <unsigned N>
void NamedLabels(capnp::List<wire::TaskEvent>::Builder e) {
  auto l = e[0].initLabels(N);
  for (unsigned i = 0; i < N; ++i) {
    l[i].setName("l" + std::to_string(i));
    l[i].setValue("v");
  }
}

TEST(CapnpReader, TooManyLabelsAreABadRecordBeforeTheyAreRead) {
  // Agent + 16 others is the limit (kMaxLabels); a label list longer than
  // that is refused by its size, not walked (a fuzzed 6 KB message claimed
  // 32M empty labels and took 1.4 GB).
  std::vector<Got> got = Read(Message(1, 1, &NamedLabels<16>));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].bad) << got[0].reason;
  EXPECT_EQ(got[0].labels.size(), 17u);
  got = Read(Message(1, 1, &NamedLabels<17>));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].bad);
  EXPECT_EQ(got[0].reason, "too many labels: 18 (at most 17, agent included)");
  got = Read(Message(
      1, 1, +[](capnp::List<wire::TaskEvent>::Builder e) {
        e[0].initLabels(100000);  // empty names and values
      }));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].reason, "too many labels: 100001 (at most 17, agent included)");
}

// A packed EventBatch whose event list holds `n` empty structs (no data, no
// pointers), written word by word: three words claim n events.
std::string EmptyEvents(uint32_t n) {
  // Little-endian words, as Cap'n Proto lays them out on this host.
  alignas(8) const uint64_t words[3] = {
      uint64_t{1} << 48,        // root: struct at +0, 0 data words, 1 pointer
      1 | (uint64_t{7} << 32),  // events: composite list at +0, 0 words
      uint64_t{n} << 2};        // tag: n elements of 0 data words, 0 pointers
  const kj::ArrayPtr<const capnp::word> segment(
      reinterpret_cast<const capnp::word*>(words), 3);
  kj::VectorOutputStream out;
  capnp::writePackedMessage(out, kj::arrayPtr(&segment, 1));
  auto bytes = out.getArray();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

TEST(CapnpReader, EventsClaimedByAFewBytesAreABadMessage) {
  // A list of empty structs costs nothing: 3 words claiming 30M events (a
  // fuzzed 299-byte input kept the reader busy for over 20 s) are refused
  // as a whole, and the next message is read.
  std::vector<Got> got = Read(EmptyEvents(30'000'000) + Message(1, 1));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].bad);
  EXPECT_EQ(
      got[0].reason,
      "undecodable message: 30000000 events in a message of 3 words (empty events)");
  EXPECT_FALSE(got[1].bad) << got[1].reason;
  // As many empty events as words pass the check and are read one by one.
  got = Read(EmptyEvents(2));
  EXPECT_EQ(got.size(), 2u);
}

TEST(CapnpReader, AnEmptyAgentLeavesTheAgentLabelOut) {
  std::vector<Got> got = Read(Message(1, 1, [](auto events) { events[0].setAgent(""); }));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].labels,
            (std::vector<Label>{{"model", "m1"}}));  // MakeLabels refuses it
}

TEST(CapnpReader, LargeMultiSegmentMessagesDecodeWhole) {
  std::vector<Got> got = Read(Message(20000, 1) + Message(1, 20001));
  ASSERT_EQ(got.size(), 20001u);
  for (const Got& g : got) ASSERT_FALSE(g.bad) << g.where << ": " << g.reason;
  EXPECT_EQ(got[19999].where, "message 1 event 20000");
  EXPECT_EQ(got[20000].where, "message 2 event 1");
  EXPECT_EQ(got[20000].event.time, 20001'000'000'000LL);
}

TEST(CapnpReader, ATruncatedMessageIsOneBadRecordAndTheEnd) {
  const std::string second = Message(3, 3);
  std::vector<Got> got = Read(Message(2, 1) + second.substr(0, second.size() / 2));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_FALSE(got[1].bad);
  EXPECT_TRUE(got[2].bad);
  EXPECT_EQ(got[2].where, "message 2");
  EXPECT_THAT(got[2].reason, HasSubstr("undecodable message"));
  EXPECT_EQ(got[2].reason.find('\n'), std::string::npos);
}

TEST(CapnpReader, GarbageIsOneBadRecordAndTheEnd) {
  std::string garbage(64, '\xff');
  std::vector<Got> got = Read(Message(1, 1) + garbage + Message(1, 2));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_FALSE(got[0].bad);
  EXPECT_EQ(got[1].where, "message 2");
  EXPECT_THAT(got[1].reason, HasSubstr("undecodable message"));
}

TEST(CapnpReader, EmptyInputHasNoRecords) { EXPECT_TRUE(Read("").empty()); }

TEST(CapnpReader, ReadErrorsAreIoErrors) {
  int fd = open("/", O_RDONLY | O_DIRECTORY);  // read(2) fails with EISDIR
  ASSERT_GE(fd, 0);
  Result<std::vector<Got>> got = ReadFd(fd);
  close(fd);
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.status().IsIOError()) << got.status().ToString();
  EXPECT_THAT(got.status().message(), HasSubstr("reading input"));
}

}  // namespace
}  // namespace sredb::ingest
