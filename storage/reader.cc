#include "storage/reader.h"

#include <cmath>
#include <iterator>
#include <limits>

namespace sredb {
namespace {

template <typename T>
void AppendVector(std::vector<T>&& from, std::vector<T>* to) {
  if (to->empty()) {
    *to = std::move(from);
  } else {
    to->insert(to->end(), std::make_move_iterator(from.begin()),
               std::make_move_iterator(from.end()));
  }
}

bool Has(FieldMask fields, Field f) { return (fields & FieldBit(f)) != 0; }

}  // namespace

int64_t ResolutionNs(Resolution r) {
  return (r == Resolution::k1m ? 60 : 3600) * int64_t{1'000'000'000};
}

void Columns::Append(const Event& e, FieldMask fields) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  time.push_back(e.time);
  if (Has(fields, Field::kSuccess)) success.push_back(e.success ? 1 : 0);
  if (Has(fields, Field::kHallucinated)) hallucinated.push_back(e.hallucinated);
  if (Has(fields, Field::kLatency)) latency_ms.push_back(e.latency_ms);
  if (Has(fields, Field::kTtft)) ttft_ms.push_back(e.ttft_ms.value_or(nan));
  if (Has(fields, Field::kCost)) cost_micros.push_back(e.cost_micros);
  if (Has(fields, Field::kTokensIn)) tokens_in.push_back(e.tokens_in);
  if (Has(fields, Field::kTokensOut)) tokens_out.push_back(e.tokens_out);
  if (Has(fields, Field::kPolicyViolations))
    policy_violations.push_back(e.policy_violations);
  if (Has(fields, Field::kToolCalls)) tool_calls.push_back(e.tool_calls);
  if (Has(fields, Field::kToolFailures)) tool_failures.push_back(e.tool_failures);
  if (Has(fields, Field::kRating)) user_rating.push_back(e.user_rating.value_or(nan));
  if (Has(fields, Field::kErrorKind)) error_kind.push_back(e.error_kind);
  if (Has(fields, Field::kTraceId)) trace_id.push_back(e.trace_id);
}

void Columns::GetRow(size_t i, Event* e) const {
  const size_t n = time.size();
  *e = Event();
  e->time = time[i];
  if (success.size() == n) e->success = success[i] != 0;
  if (hallucinated.size() == n) e->hallucinated = hallucinated[i];
  if (latency_ms.size() == n) e->latency_ms = latency_ms[i];
  if (ttft_ms.size() == n && !std::isnan(ttft_ms[i])) e->ttft_ms = ttft_ms[i];
  if (cost_micros.size() == n) e->cost_micros = cost_micros[i];
  if (tokens_in.size() == n) e->tokens_in = tokens_in[i];
  if (tokens_out.size() == n) e->tokens_out = tokens_out[i];
  if (policy_violations.size() == n) e->policy_violations = policy_violations[i];
  if (tool_calls.size() == n) e->tool_calls = tool_calls[i];
  if (tool_failures.size() == n) e->tool_failures = tool_failures[i];
  if (user_rating.size() == n && !std::isnan(user_rating[i]))
    e->user_rating = user_rating[i];
  if (error_kind.size() == n) e->error_kind = error_kind[i];
  if (trace_id.size() == n) e->trace_id = trace_id[i];
}

void Columns::AppendColumns(Columns&& o, FieldMask fields) {
  AppendVector(std::move(o.time), &time);
  if (Has(fields, Field::kSuccess)) AppendVector(std::move(o.success), &success);
  if (Has(fields, Field::kHallucinated))
    AppendVector(std::move(o.hallucinated), &hallucinated);
  if (Has(fields, Field::kLatency)) AppendVector(std::move(o.latency_ms), &latency_ms);
  if (Has(fields, Field::kTtft)) AppendVector(std::move(o.ttft_ms), &ttft_ms);
  if (Has(fields, Field::kCost)) AppendVector(std::move(o.cost_micros), &cost_micros);
  if (Has(fields, Field::kTokensIn)) AppendVector(std::move(o.tokens_in), &tokens_in);
  if (Has(fields, Field::kTokensOut)) AppendVector(std::move(o.tokens_out), &tokens_out);
  if (Has(fields, Field::kPolicyViolations))
    AppendVector(std::move(o.policy_violations), &policy_violations);
  if (Has(fields, Field::kToolCalls)) AppendVector(std::move(o.tool_calls), &tool_calls);
  if (Has(fields, Field::kToolFailures))
    AppendVector(std::move(o.tool_failures), &tool_failures);
  if (Has(fields, Field::kRating)) AppendVector(std::move(o.user_rating), &user_rating);
  if (Has(fields, Field::kErrorKind)) AppendVector(std::move(o.error_kind), &error_kind);
  if (Has(fields, Field::kTraceId)) AppendVector(std::move(o.trace_id), &trace_id);
}

void Columns::Clear() {
  // Like std::vector::clear: the capacity stays for the next read.
  time.clear();
  success.clear();
  hallucinated.clear();
  latency_ms.clear();
  ttft_ms.clear();
  cost_micros.clear();
  tokens_in.clear();
  tokens_out.clear();
  policy_violations.clear();
  tool_calls.clear();
  tool_failures.clear();
  user_rating.clear();
  error_kind.clear();
  trace_id.clear();
}

}  // namespace sredb
