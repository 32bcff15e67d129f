#include "tools/gen_writer.h"

#include <capnp/message.h>
#include <capnp/serialize-packed.h>
#include <kj/io.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "ingest/capnp_writer.h"
#include "ingest/schema/event.capnp.h"
#include "storage/options.h"
#include "storage/rfc3339.h"

namespace sredb::fleet {
namespace {

constexpr size_t kBufferBytes = 1 << 20;
// The text of every non-label field when error_kind is at most
// kMaxErrorKindBytes long (as in every valid event), escapes included.
constexpr size_t kMaxFieldsBytes = 1024;
constexpr std::string_view kLabelColumns[] = {"agent", "model", "prompt_version",
                                              "cohort", "task_type"};

// Buffers output and writes it to an fd in large blocks.
// Invariant: after a failed write, status() is the error and nothing more is
// written.
class FdSink {
 public:
  explicit FdSink(int fd) : fd_(fd), buf_(new char[kBufferBytes]) {}

  // Returns room for `n` <= kBufferBytes bytes; Commit() the end written.
  char* Reserve(size_t n) {
    if (len_ + n > kBufferBytes) Flush().IgnoreError();  // kept in status_
    return buf_.get() + len_;
  }
  void Commit(const char* end) { len_ = end - buf_.get(); }
  void Append(std::string_view s) {
    for (size_t done = 0; done < s.size();) {
      size_t n = std::min(s.size() - done, kBufferBytes / 2);
      char* p = Reserve(n);
      std::memcpy(p, s.data() + done, n);
      Commit(p + n);
      done += n;
    }
  }
  const Status& status() const { return status_; }

  Status Flush() {
    for (size_t done = 0; status_.ok() && done < len_;) {
      ssize_t n = ::write(fd_, buf_.get() + done, len_ - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) status_ = Status::IOError(std::string("write: ") + std::strerror(errno));
      if (n > 0) done += n;
    }
    len_ = 0;
    return status_;
  }

 private:
  const int fd_;
  std::unique_ptr<char[]> buf_;
  size_t len_ = 0;
  Status status_;
};

char* PutInt(char* p, uint64_t v) { return std::to_chars(p, p + 24, v).ptr; }

char* PutFloat(char* p, float v) {
  return std::to_chars(p, p + 64, v, std::chars_format::fixed).ptr;
}

// Micro-USD as an exact decimal: 12345 -> 0.012345, 1500000 -> 1.5.
char* PutMicros(char* p, int64_t micros) {
  uint64_t magnitude = static_cast<uint64_t>(micros);
  if (micros < 0) {  // only in invalid events, but never garbage
    *p++ = '-';
    magnitude = 0 - magnitude;
  }
  p = PutInt(p, magnitude / 1'000'000);
  uint64_t frac = magnitude % 1'000'000;
  if (frac == 0) return p;
  *p++ = '.';
  for (uint64_t div = 100'000; frac != 0; div /= 10) {
    *p++ = static_cast<char>('0' + frac / div);
    frac %= div;
  }
  return p;
}

char* PutText(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

char* Put2(char* p, int64_t v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

// RFC 3339 text equal to AppendRfc3339's, caching the text of the date.
class TimeFormatter {
 public:
  char* Put(char* p, int64_t ns) {
    const int64_t frac = ns % kNanosPerSecond;
    if (ns < 0 || frac % 1'000'000 != 0) {
      std::string s;
      AppendRfc3339(&s, ns);
      return PutText(p, s);
    }
    const int64_t sec = ns / kNanosPerSecond, day = sec / 86400, sod = sec % 86400;
    if (day != day_) {
      day_ = day;
      date_.clear();
      AppendRfc3339(&date_, day * 86400 * kNanosPerSecond);
      date_.resize(11);  // "YYYY-MM-DDT"
    }
    p = PutText(p, date_);
    p = Put2(p, sod / 3600);
    *p++ = ':';
    p = Put2(p, sod / 60 % 60);
    *p++ = ':';
    p = Put2(p, sod % 60);
    if (frac != 0) {
      const int64_t ms = frac / 1'000'000;
      *p++ = '.';
      *p++ = static_cast<char>('0' + ms / 100);
      p = Put2(p, ms % 100);
    }
    *p++ = 'Z';
    return p;
  }

 private:
  int64_t day_ = -1;
  std::string date_;
};

void AppendCsvField(std::string_view v, std::string* out) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(v);
    return;
  }
  *out += '"';
  for (char c : v) {
    if (c == '"') *out += '"';
    *out += c;
  }
  *out += '"';
}

// `v` as a JSON string. REQUIRES: room for 6 * v.size() + 2 bytes at p.
char* PutJsonString(char* p, std::string_view v) {
  *p++ = '"';
  for (char c : v) {
    if (c == '"' || c == '\\') {
      *p++ = '\\';
      *p++ = c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      p = PutText(p, "\\u00");
      *p++ = kHex[c >> 4];
      *p++ = kHex[c & 15];
    } else {
      *p++ = c;
    }
  }
  *p++ = '"';
  return p;
}

void AppendJsonString(std::string_view v, std::string* out) {
  std::vector<char> buf(6 * v.size() + 2);
  out->append(buf.data(), PutJsonString(buf.data(), v));
}

// ",agent,model,prompt_version,cohort,task_type," for a CSV row.
std::string CsvLabels(const Labels& labels) {
  std::string out = ",";
  for (std::string_view name : kLabelColumns) {
    AppendCsvField(labels.Get(name), &out);
    out += ',';
  }
  return out;
}

// ",\"agent\":\"agent-0001\",...," for a JSON line: the five label columns in
// CSV order, then any other labels in name order.
std::string JsonLabels(const Labels& labels) {
  std::string out = ",";
  auto add = [&](std::string_view name, std::string_view value) {
    if (value.empty()) return;
    AppendJsonString(name, &out);
    out += ':';
    AppendJsonString(value, &out);
    out += ',';
  };
  for (std::string_view name : kLabelColumns) add(name, labels.Get(name));
  for (const Label& l : labels.items()) {
    if (std::find(std::begin(kLabelColumns), std::end(kLabelColumns), l.name) ==
        std::end(kLabelColumns)) {
      add(l.name, l.value);
    }
  }
  return out;
}

// The CSV fields from success to error_kind, and the newline.
// REQUIRES: room for kMaxFieldsBytes at p.
char* PutCsvFields(char* p, const Event& e) {
  *p++ = e.success ? '1' : '0';
  *p++ = ',';
  p = PutFloat(p, e.latency_ms);
  *p++ = ',';
  if (e.ttft_ms) p = PutFloat(p, *e.ttft_ms);
  *p++ = ',';
  p = PutMicros(p, e.cost_micros);
  *p++ = ',';
  p = PutInt(p, e.tokens_in);
  *p++ = ',';
  p = PutInt(p, e.tokens_out);
  *p++ = ',';
  if (e.hallucinated != Tri::kUnknown) *p++ = e.hallucinated == Tri::kTrue ? '1' : '0';
  *p++ = ',';
  p = PutInt(p, e.policy_violations);
  *p++ = ',';
  p = PutInt(p, e.tool_calls);
  *p++ = ',';
  p = PutInt(p, e.tool_failures);
  *p++ = ',';
  if (e.user_rating) p = PutFloat(p, *e.user_rating);
  *p++ = ',';
  if (e.error_kind.find_first_of(",\"\r\n") == std::string::npos) {
    p = PutText(p, e.error_kind);
  } else {
    std::string quoted;
    AppendCsvField(e.error_kind, &quoted);
    p = PutText(p, quoted);
  }
  *p++ = '\n';
  return p;
}

char* PutJsonFloat(char* p, const std::optional<float>& v) {
  return v ? PutFloat(p, *v) : PutText(p, "null");
}

// The JSON members from success to error_kind, the '}' and the newline.
// REQUIRES: room for kMaxFieldsBytes at p.
char* PutJsonFields(char* p, const Event& e) {
  p = PutText(p, e.success ? "\"success\":true,\"latency_ms\":"
                           : "\"success\":false,\"latency_ms\":");
  p = PutFloat(p, e.latency_ms);
  p = PutText(p, ",\"ttft_ms\":");
  p = PutJsonFloat(p, e.ttft_ms);
  p = PutText(p, ",\"cost_usd\":");
  p = PutMicros(p, e.cost_micros);
  p = PutText(p, ",\"tokens_in\":");
  p = PutInt(p, e.tokens_in);
  p = PutText(p, ",\"tokens_out\":");
  p = PutInt(p, e.tokens_out);
  p = PutText(p, e.hallucinated == Tri::kUnknown ? ",\"hallucinated\":null"
                 : e.hallucinated == Tri::kTrue  ? ",\"hallucinated\":true"
                                                 : ",\"hallucinated\":false");
  p = PutText(p, ",\"policy_violations\":");
  p = PutInt(p, e.policy_violations);
  p = PutText(p, ",\"tool_calls\":");
  p = PutInt(p, e.tool_calls);
  p = PutText(p, ",\"tool_failures\":");
  p = PutInt(p, e.tool_failures);
  p = PutText(p, ",\"user_rating\":");
  p = PutJsonFloat(p, e.user_rating);
  p = PutText(p, ",\"error_kind\":");
  p = PutJsonString(p, e.error_kind);
  *p++ = '}';
  *p++ = '\n';
  return p;
}

// The text of one CSV row or JSON line, given its series' label text.
char* PutRow(char* p, GenFormat format, std::string_view labels, const Event& e,
             TimeFormatter* time) {
  if (format == GenFormat::kCsv) {
    p = time->Put(p, e.time);
    return PutCsvFields(PutText(p, labels), e);
  }
  p = PutText(p, "{\"time\":\"");
  p = time->Put(p, e.time);
  *p++ = '"';
  return PutJsonFields(PutText(p, labels), e);
}

Status WriteText(const FleetOptions& options, GenFormat format, int fd) {
  FleetGenerator gen(options);
  std::vector<std::string> labels;
  size_t longest = 0;
  for (uint32_t i = 0; i < gen.series_count(); ++i) {
    labels.push_back(format == GenFormat::kCsv ? CsvLabels(gen.series(i))
                                               : JsonLabels(gen.series(i)));
    longest = std::max(longest, labels.back().size());
  }
  FdSink sink(fd);
  if (format == GenFormat::kCsv) {
    sink.Append(kCsvHeader);
    sink.Append("\n");
  }
  TimeFormatter time;
  Event e;
  uint32_t series;
  while (gen.Next(&series, &e)) {
    char* p = sink.Reserve(longest + kMaxFieldsBytes);
    if (!sink.status().ok()) return sink.status();
    sink.Commit(PutRow(p, format, labels[series], e, &time));
  }
  return sink.Flush();
}

// ---- Cap'n Proto. ----

// One series' label text, kept for the lifetime of a write.
struct WireSeries {
  std::string agent;
  std::vector<Label> others;
};

void FillTaskEvent(const WireSeries& s, const Event& e, wire::TaskEvent::Builder b) {
  ingest::SetTaskEvent(e, s.agent, s.others, b);
}

// Throws kj::Exception when a write fails.
void WriteCapnpOrThrow(const FleetOptions& options, int fd) {
  FleetGenerator gen(options);
  std::vector<WireSeries> series;
  for (uint32_t i = 0; i < gen.series_count(); ++i) {
    WireSeries s;
    for (const Label& l : gen.series(i).items()) {
      if (l.name == "agent") {
        s.agent = l.value;
      } else {
        s.others.push_back(l);
      }
    }
    series.push_back(std::move(s));
  }
  kj::FdOutputStream raw(fd);
  auto buffer = kj::heapArray<kj::byte>(kBufferBytes);
  kj::BufferedOutputStreamWrapper out(raw, buffer);
  // Zeroed, reused first segment: MallocMessageBuilder re-zeroes what it used.
  auto segment = kj::heapArray<capnp::word>(kCapnpBatchEvents * 64);
  std::memset(segment.begin(), 0, segment.size() * sizeof(capnp::word));
  std::vector<Event> events(kCapnpBatchEvents);
  std::vector<uint32_t> event_series(kCapnpBatchEvents);
  for (bool more = true; more;) {
    size_t n = 0;
    while (n < kCapnpBatchEvents && (more = gen.Next(&event_series[n], &events[n]))) ++n;
    if (n == 0) break;
    capnp::MallocMessageBuilder message(segment);
    auto list = message.initRoot<wire::EventBatch>().initEvents(n);
    for (size_t i = 0; i < n; ++i)
      FillTaskEvent(series[event_series[i]], events[i], list[i]);
    capnp::writePackedMessage(out, message);
  }
  out.flush();
}

}  // namespace

const std::string_view kCsvHeader =
    "time,agent,model,prompt_version,cohort,task_type,success,latency_ms,ttft_ms,cost_"
    "usd,"
    "tokens_in,tokens_out,hallucinated,policy_violations,tool_calls,tool_failures,"
    "user_rating,error_kind";

Result<GenFormat> GenFormatFromName(std::string_view name) {
  if (name == "csv") return GenFormat::kCsv;
  if (name == "jsonl") return GenFormat::kJsonl;
  if (name == "capnp") return GenFormat::kCapnp;
  return Status::InvalidArgument("unknown format '" + std::string(name.substr(0, 64)) +
                                 "': expected csv, jsonl or capnp");
}

std::string_view GenFormatName(GenFormat format) {
  switch (format) {
    case GenFormat::kCsv:
      return "csv";
    case GenFormat::kJsonl:
      return "jsonl";
    case GenFormat::kCapnp:
      return "capnp";
  }
  return "";
}

Status WriteFleet(const FleetOptions& options, GenFormat format, int fd) {
  SREDB_RETURN_IF_ERROR(Validate(options));
  if (format != GenFormat::kCapnp) return WriteText(options, format, fd);
  try {
    WriteCapnpOrThrow(options, fd);
  } catch (const kj::Exception& e) {
    return Status::IOError("writing capnp: " + std::string(e.getDescription().cStr()));
  } catch (const std::exception& e) {
    return Status::IOError(std::string("writing capnp: ") + e.what());
  }
  return Status::OK();
}

void AppendCsvRow(const Labels& labels, const Event& event, std::string* out) {
  std::string text = CsvLabels(labels);
  std::vector<char> buf(text.size() + kMaxFieldsBytes + 6 * event.error_kind.size());
  TimeFormatter time;
  out->append(buf.data(), PutRow(buf.data(), GenFormat::kCsv, text, event, &time));
}

void AppendJsonLine(const Labels& labels, const Event& event, std::string* out) {
  std::string text = JsonLabels(labels);
  std::vector<char> buf(text.size() + kMaxFieldsBytes + 6 * event.error_kind.size());
  TimeFormatter time;
  out->append(buf.data(), PutRow(buf.data(), GenFormat::kJsonl, text, event, &time));
}

}  // namespace sredb::fleet
