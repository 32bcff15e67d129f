#include "ingest/capnp_writer.h"

#include <algorithm>

namespace sredb::ingest {
namespace {

capnp::Text::Reader TextOf(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace

void SetTaskEvent(const Event& e, std::string_view agent, std::span<const Label> labels,
                  wire::TaskEvent::Builder b) {
  b.setTime(e.time);
  b.setAgent(TextOf(agent));
  const auto others = static_cast<unsigned>(std::count_if(
      labels.begin(), labels.end(), [](const Label& l) { return l.name != "agent"; }));
  auto list = b.initLabels(others);
  unsigned i = 0;
  for (const Label& l : labels) {
    if (l.name == "agent") continue;
    list[i].setName(TextOf(l.name));
    list[i++].setValue(TextOf(l.value));
  }
  b.setSuccess(e.success);
  b.setLatencyMs(e.latency_ms);
  b.setHasTtft(e.ttft_ms.has_value());
  b.setTtftMs(e.ttft_ms.value_or(0));
  b.setCostMicros(e.cost_micros);
  b.setTokensIn(e.tokens_in);
  b.setTokensOut(e.tokens_out);
  b.setHallucinated(static_cast<wire::Tri>(e.hallucinated));
  b.setPolicyViolations(e.policy_violations);
  b.setToolCalls(e.tool_calls);
  b.setToolFailures(e.tool_failures);
  b.setHasRating(e.user_rating.has_value());
  b.setUserRating(e.user_rating.value_or(0));
  if (!e.error_kind.empty()) b.setErrorKind(TextOf(e.error_kind));
  if (e.trace_id)
    b.setTraceId(capnp::Data::Reader(e.trace_id->data(), e.trace_id->size()));
}

}  // namespace sredb::ingest
