#include "ingest/capnp_reader.h"

#include <capnp/serialize-packed.h>
#include <kj/exception.h>
#include <kj/io.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <optional>
#include <string>

#include "ingest/block_reader.h"
#include "ingest/schema/event.capnp.h"

namespace sredb::ingest {
namespace {

// Runs f; the description of the kj::Exception it threw, if any. An
// allocation that fails (a hostile segment table) is an error like any
// other, never an escaping exception.
template <typename F>
std::optional<std::string> CatchKj(F&& f) {
  try {
    f();
    return std::nullopt;
  } catch (const kj::Exception& e) {
    return std::string(e.getDescription().cStr());
  } catch (const std::bad_alloc&) {
    return std::string("out of memory reading the message");
  }
}

std::string_view View(capnp::Text::Reader t) {
  return std::string_view(t.begin(), t.size());
}

// read(2) as a kj::InputStream that remembers its I/O error, so that one
// can be told from a decoding error once capnp has turned both into
// exceptions.
class FdStream final : public kj::InputStream {
 public:
  explicit FdStream(int fd) : fd_(fd) {}

  size_t tryRead(void* buffer, size_t min_bytes, size_t max_bytes) override {
    size_t got = 0;
    while (got < min_bytes) {
      ssize_t n = ::read(fd_, static_cast<char*>(buffer) + got, max_bytes - got);
      if (n > 0) {
        got += static_cast<size_t>(n);
      } else if (n == 0) {
        break;
      } else if (errno != EINTR) {
        error_ = errno;
        kj::throwFatalException(KJ_EXCEPTION(FAILED, "read failed"));
      }
    }
    return got;
  }

  int error() const { return error_; }

 private:
  int fd_;
  int error_ = 0;  // errno of a failed read, 0 if none
};

// The largest message accepted: 256 MiB unpacked, room for half a million
// events of 64 words (what `sredb gen` budgets per event). Cap'n Proto allocates what a
// message's segment table claims before reading it, so this bound is also what a hostile
// 5-byte header can make it allocate (the default, 64 MiB, refused real batches; 64 GiB,
// the bound before, let such a header abort the process).
constexpr uint64_t kMaxMessageWords = (uint64_t{256} << 20) / sizeof(capnp::word);

capnp::ReaderOptions MessageOptions() {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = kMaxMessageWords;
  return options;
}

class CapnpReader final : public RecordReader {
 public:
  explicit CapnpReader(int fd)
      : fd_stream_(fd),
        buffer_(new kj::byte[BlockReader::kBlockBytes]),
        stream_(fd_stream_, kj::arrayPtr(buffer_.get(), BlockReader::kBlockBytes)) {}
  // A message reader's destructor may throw (reading a message's tail).
  ~CapnpReader() noexcept override {
    CatchKj([&] { message_ = nullptr; });
  }

  Result<bool> Next(Record* record) override;

 private:
  // Reads the next message. True when that produced a bad record; false
  // with a message ready, or at the end (done_).
  Result<bool> NextMessage(Record* record);
  Result<bool> BadMessage(std::string why, Record* record);
  // Throws kj::Exception when a pointer does not decode.
  void Decode(wire::TaskEvent::Reader in, Record* record);

  FdStream fd_stream_;
  std::unique_ptr<kj::byte[]> buffer_;
  kj::BufferedInputStreamWrapper stream_;
  kj::Own<capnp::PackedMessageReader> message_;  // the current message
  capnp::List<wire::TaskEvent>::Reader events_;  // of message_
  uint64_t message_index_ = 0;                   // of message_, from 1
  uint64_t message_words_ = 0;                   // its size
  uint32_t next_event_ = 0;                      // index into events_
  bool done_ = false;
};

Result<bool> CapnpReader::BadMessage(std::string why, Record* record) {
  if (fd_stream_.error() != 0) {
    return Status::IOError(std::string("reading input: ") +
                           std::strerror(fd_stream_.error()));
  }
  record->pos = Position{message_index_, 0, true};
  record->SetBad("undecodable message: " + why);
  return true;
}

Result<bool> CapnpReader::NextMessage(Record* record) {
  events_ = {};
  next_event_ = 0;
  bool at_end = false;
  std::optional<std::string> error = CatchKj([&] {
    message_ = nullptr;  // reads what the message had left unread
    at_end = stream_.tryGetReadBuffer().size() == 0;
  });
  if (!error && at_end) {
    done_ = true;
    return false;
  }
  if (!error) {
    ++message_index_;
    error = CatchKj([&] {
      message_ = kj::heap<capnp::PackedMessageReader>(stream_, MessageOptions());
      // Loads every segment now, so that no later access reads the stream.
      message_words_ = message_->getSegment(0).size();
      for (capnp::uint i = 1; message_->getSegment(i).size() != 0; ++i) {
        message_words_ += message_->getSegment(i).size();
      }
    });
  }
  if (error) {
    done_ = true;
    return BadMessage(*error, record);
  }
  error = CatchKj([&] { events_ = message_->getRoot<wire::EventBatch>().getEvents(); });
  if (error) return BadMessage(*error, record);  // the framing held: go on
  // Every event a writer sends takes at least a word; a list of empty
  // structs claims up to 32M events for a few bytes (a fuzzed 299-byte
  // input kept the reader busy for over 20 s).
  if (events_.size() > message_words_) {
    const uint64_t n = events_.size();
    events_ = {};
    return BadMessage(std::to_string(n) + " events in a message of " +
                          std::to_string(message_words_) + " words (empty events)",
                      record);
  }
  return false;
}

void CapnpReader::Decode(wire::TaskEvent::Reader in, Record* record) {
  Event& e = record->event;
  e = Event();
  record->labels.clear();
  e.time = in.getTime();
  e.success = in.getSuccess();
  e.latency_ms = in.getLatencyMs();
  if (in.getHasTtft()) e.ttft_ms = in.getTtftMs();
  e.cost_micros = in.getCostMicros();
  e.tokens_in = in.getTokensIn();
  e.tokens_out = in.getTokensOut();
  const auto tri = static_cast<uint16_t>(in.getHallucinated());
  if (tri > 2)
    return record->SetBad("hallucinated is not a tri-state (" + std::to_string(tri) +
                          ")");
  e.hallucinated = static_cast<Tri>(tri);
  e.policy_violations = in.getPolicyViolations();
  e.tool_calls = in.getToolCalls();
  e.tool_failures = in.getToolFailures();
  if (in.getHasRating()) e.user_rating = in.getUserRating();
  e.error_kind.assign(View(in.getErrorKind()));
  capnp::Data::Reader trace = in.getTraceId();
  if (trace.size() == sizeof(TraceId)) {
    TraceId id;
    std::memcpy(id.data(), trace.begin(), id.size());
    e.trace_id = id;
  } else if (trace.size() != 0) {
    return record->SetBad("trace_id is " + std::to_string(trace.size()) +
                          " bytes (expected 0 or 16)");
  }
  if (std::string_view agent = View(in.getAgent()); !agent.empty()) {
    record->labels.push_back(LabelView{"agent", agent});
  }
  // Refused before it is walked: a list of empty structs costs its message
  // almost nothing, and a 6 KB input claimed 32M labels (1.4 GB, found by
  // fuzzing). The message is the one Labels::Make gives.
  const capnp::List<wire::Label>::Reader labels = in.getLabels();
  if (record->labels.size() + labels.size() > kMaxLabels) {
    return record->SetBad(
        "too many labels: " + std::to_string(record->labels.size() + labels.size()) +
        " (at most " + std::to_string(kMaxLabels) + ", agent included)");
  }
  for (wire::Label::Reader l : labels) {
    record->labels.push_back(LabelView{View(l.getName()), View(l.getValue())});
  }
  Status s = ValidateEvent(e);
  if (!s.ok()) record->SetBad(s.message());
}

Result<bool> CapnpReader::Next(Record* record) {
  record->bad = false;
  record->text = {};
  while (!done_) {
    if (next_event_ < events_.size()) {
      const uint32_t i = next_event_++;
      record->pos = Position{message_index_, i + 1, true};
      std::optional<std::string> error = CatchKj([&] { Decode(events_[i], record); });
      if (error) record->SetBad("undecodable event: " + *error);
      return true;
    }
    Result<bool> bad = NextMessage(record);
    if (!bad.ok() || *bad) return bad;
  }
  return false;
}

}  // namespace

std::unique_ptr<RecordReader> NewCapnpReader(int fd) {
  return std::make_unique<CapnpReader>(fd);
}

}  // namespace sredb::ingest
