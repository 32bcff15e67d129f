#include "tools/fleet.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>

#include "storage/options.h"
#include "storage/rfc3339.h"
#include "tools/internal/fleet_random.h"

// Bit-identical output needs unfused multiply-adds (see fleet.h); GCC does
// not fuse under -std=c++20, clang must be told.
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

namespace sredb::fleet {
namespace {

using internal::AliasTable;
using internal::Exp;
using internal::kMaxToolCalls;
using internal::Log;
using internal::PoissonCdf;
using internal::Rng;

constexpr int64_t kNanosPerMs = 1'000'000;
constexpr int64_t kNanosPerMinute = 60 * kNanosPerSecond;
constexpr int64_t kNanosPerHour = 3600 * kNanosPerSecond;
constexpr uint32_t kMsPerMinute = 60'000;
// A minute with more events than this is ordered by a per-ms histogram
// instead of a sort, which bounds memory whatever the event count.
constexpr int64_t kSortLimit = 4096;

struct ModelSpec {
  const char* name;
  double latency_median_ms;
  double latency_sigma;  // of ln(latency)
  bool streaming;        // streaming models report ttft_ms
  int64_t in_nano_usd;   // price per prompt token, 1e-9 USD
  int64_t out_nano_usd;  // price per completion token, 1e-9 USD
  double pick_weight;    // how often agents choose it
};
// Index 0 must stay gpt-4o: agent-0000 uses it and the latency spike hits it.
constexpr ModelSpec kModels[] = {
    {"gpt-4o", 1400, 0.55, true, 2500, 10000, 35},
    {"claude-sonnet", 2000, 0.60, true, 3000, 15000, 30},
    {"gpt-4o-mini", 800, 0.50, true, 150, 600, 20},
    {"llama-70b", 2800, 0.65, false, 600, 800, 15},
};
constexpr int kModelCount = std::size(kModels);

struct TaskSpec {
  const char* name;
  double tokens_in_median;
  double tokens_out_median;
  double tool_call_mean;  // Poisson mean, capped at kMaxToolCalls
};
constexpr TaskSpec kTasks[] = {
    {"chat", 900, 250, 0.3},      {"code", 3000, 700, 1.2},
    {"search", 1800, 350, 2.0},   {"summarize", 4000, 300, 0.2},
    {"tool_use", 1500, 200, 3.0},
};
constexpr int kTaskCount = std::size(kTasks);

// Relative traffic at each UTC hour; minutes interpolate linearly.
constexpr int64_t kHourlyWeight[24] = {40, 34, 30,  28,  28, 30, 36, 46, 58, 70, 80, 88,
                                       94, 98, 100, 100, 97, 92, 85, 77, 68, 59, 51, 45};
constexpr int64_t kWeekdayPercent = 100;
constexpr int64_t kWeekendPercent = 65;

constexpr const char* kErrorKinds[] = {"timeout", "tool_error", "rate_limited",
                                       "context_overflow", "invalid_output"};
constexpr double kErrorKindWeight[] = {25, 30, 20, 10, 15};
constexpr double kRatingWeightOk[] = {3, 3, 9, 30, 55};
constexpr double kRatingWeightFailed[] = {45, 25, 15, 10, 5};

constexpr double kCanaryShare = 0.05;  // of all traffic
constexpr int kCanaryEvery = 4;        // agents 0, 4, 8, ... run the canary
constexpr int kCanaryVersion = 5;      // stable versions are v1..v4
constexpr int kBurstAgent = 3, kPostmortemAgent = 42, kRunawayAgent = 5;

// ---- Fleet layout and incidents. ----

std::string AgentName(int i) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "agent-%04d", i);
  return buf;
}

// An incident as the generator applies it: indices instead of names.
struct PlannedIncident {
  IncidentKind kind;
  int64_t begin, end;
  int agent = -1;  // -1: any
  int model = -1;  // -1: any
  bool canary_only = false;
};

std::vector<PlannedIncident> Plan(const FleetOptions& o) {
  const int64_t end = o.start + o.days * kNanosPerDay;
  const int64_t a = o.days >= 2 ? end - kNanosPerDay : end;
  const int64_t day = o.days > 61 ? 61 : o.days / 2;
  const int64_t pm = o.start + day * kNanosPerDay + 14 * kNanosPerHour;
  return {
      {IncidentKind::kFailureBurst, a - 2 * kNanosPerHour, a, kBurstAgent % o.agents},
      {IncidentKind::kFailureBurst, pm, pm + 2 * kNanosPerHour,
       kPostmortemAgent % o.agents},
      {IncidentKind::kCostRunaway, a - 3 * kNanosPerHour, a, kRunawayAgent % o.agents},
      {IncidentKind::kLatencySpike, a - 6 * kNanosPerHour, a - 5 * kNanosPerHour, -1, 0},
      {IncidentKind::kHallucinationSpike, a - 12 * kNanosPerHour, a, -1, -1, true},
  };
}

const char* EffectText(IncidentKind kind) {
  switch (kind) {
    case IncidentKind::kFailureBurst:
      return "success ~50%";
    case IncidentKind::kCostRunaway:
      return "retry loop: tokens x20, cost x20";
    case IncidentKind::kLatencySpike:
      return "latency x3";
    case IncidentKind::kHallucinationSpike:
      return "~30% of evaluated tasks hallucinate";
  }
  return "";
}

const char* KindName(IncidentKind kind) {
  switch (kind) {
    case IncidentKind::kFailureBurst:
      return "failure burst";
    case IncidentKind::kCostRunaway:
      return "cost runaway";
    case IncidentKind::kLatencySpike:
      return "latency spike";
    case IncidentKind::kHallucinationSpike:
      return "hallucination spike";
  }
  return "";
}

// Agents are ranked by popularity in index order, except that agent-0042,
// the subject of the documentation's examples, swaps places with agent-0001
// so that its hourly series are dense.
int PopularityRank(int agent, int agents) {
  if (agents <= kPostmortemAgent) return agent;
  return agent == 1 ? kPostmortemAgent : agent == kPostmortemAgent ? 1 : agent;
}

// Traffic weight of the minute starting at `t` (ns since the epoch), with
// +-25% of random jitter so that traffic is not perfectly smooth.
int64_t MinuteWeight(int64_t t, Rng* jitter) {
  const int64_t sec = t / kNanosPerSecond, day = sec / 86400, sod = sec % 86400;
  const int64_t hour = sod / 3600, minute = sod / 60 % 60;
  const int64_t w =
      kHourlyWeight[hour] * (60 - minute) + kHourlyWeight[(hour + 1) % 24] * minute;
  const int64_t dow = (day + 4) % 7;  // 1970-01-01 was a Thursday; 0 = Sunday
  const int64_t jittered = w * (768 + jitter->Below(512));  // x0.75 .. x1.25, in 1024ths
  return jittered * (dow == 0 || dow == 6 ? kWeekendPercent : kWeekdayPercent);
}

// A latency or ttft in ms, rounded to 0.1 ms, as the float whose shortest
// text has at most one decimal (t < 10^6 tenths: 6 significant digits).
float Tenths(double ms) {
  ms = std::clamp(ms, 0.0, 99'999.9);
  return static_cast<float>(static_cast<int32_t>(ms * 10 + 0.5)) / 10.0f;
}

}  // namespace

// ---- The generator. ----

// Invariants: allocated_ = floor(events * cum_ / total_weight_) after each
// opened minute, so the minute counts sum to exactly `events`; offsets in the
// open minute are yielded in ascending order.
class FleetGenerator::Impl {
 public:
  explicit Impl(const FleetOptions& o)
      : opts_(o),
        valid_(Validate(o).ok()),
        rng_(o.seed),
        setup_rng_(o.seed ^ 0x5eed),
        minute_rng_(o.seed ^ 0x7ea5) {
    if (!valid_) return;
    BuildFleet();
    plan_ = Plan(o);
    for (const TaskSpec& t : kTasks) tool_calls_.emplace_back(t.tool_call_mean);
    minutes_ = o.days * int64_t{1440};
    Rng replay = minute_rng_;  // OpenMinute draws the same weights again
    for (int64_t m = 0; m < minutes_; ++m) {
      total_weight_ += MinuteWeight(MinuteStart(m), &replay);
    }
  }

  bool Next(uint32_t* series, Event* e) {
    int64_t t;
    if (!NextTime(&t)) return false;
    *series = alias_.Sample(&rng_);
    Sample(*series, t, e);
    ++emitted_;
    return true;
  }

  const std::vector<Labels>& labels() const { return labels_; }
  int64_t emitted() const { return emitted_; }

 private:
  struct SeriesInfo {
    int agent, model, task;
    bool canary;
    double fail_rate;
  };
  // What the incidents active for one event change.
  struct Effects {
    double fail_rate, token_factor = 1, latency_factor = 1, hallucination_rate;
  };

  int64_t MinuteStart(int64_t m) const { return opts_.start + m * kNanosPerMinute; }

  void BuildFleet();
  void AddAgent(int agent, double weight, double canary_share);
  void AddSeries(const SeriesInfo& info, int version, double weight);
  bool NextTime(int64_t* t);
  void OpenMinute();
  Effects ActiveEffects(const SeriesInfo& s, int64_t t) const;
  void Sample(uint32_t series, int64_t t, Event* e);
  double SampleWork(const SeriesInfo& s, const Effects& fx, Event* e);
  void SampleJudgement(const Effects& fx, Event* e);
  void Fail(Event* e, double* latency);

  const FleetOptions opts_;
  const bool valid_;
  Rng rng_;         // events: times, series, columns
  Rng setup_rng_;   // the fleet's layout
  Rng minute_rng_;  // the minutes' weight jitter
  std::vector<Labels> labels_;
  std::vector<SeriesInfo> info_;       // parallel to labels_
  std::vector<double> series_weight_;  // while building: parallel to labels_
  AliasTable alias_;
  std::vector<PlannedIncident> plan_;
  std::vector<PoissonCdf> tool_calls_;  // per task type

  int64_t minutes_ = 0, next_minute_ = 0;
  uint64_t total_weight_ = 0, cum_ = 0;
  int64_t allocated_ = 0, emitted_ = 0;
  int64_t minute_start_ = 0, left_in_minute_ = 0;
  bool histogram_ = false;
  std::vector<uint32_t> offsets_;  // sorted ms offsets, or per-ms counts
  size_t cursor_ = 0;
};

// Every agent gets a popularity weight; agents 0, 4, 8, ... run the canary,
// sending it the share of their traffic that makes it kCanaryShare overall.
void FleetGenerator::Impl::BuildFleet() {
  double harmonic = 0;
  for (int a = 0; a < opts_.agents; ++a) harmonic += 1.0 / (a + 1);
  std::vector<double> agent_weight;
  double canary_weight = 0;
  for (int a = 0; a < opts_.agents; ++a) {
    const int rank = PopularityRank(a, opts_.agents);
    agent_weight.push_back(0.3 / opts_.agents + 0.7 / (rank + 1) / harmonic);
    if (a % kCanaryEvery == 0) canary_weight += agent_weight.back();
  }
  const double canary_share = std::min(0.5, kCanaryShare / canary_weight);
  for (int a = 0; a < opts_.agents; ++a) {
    AddAgent(a, agent_weight[a], a % kCanaryEvery == 0 ? canary_share : 0);
  }
  double total = 0;
  for (double w : series_weight_) total += w;
  std::vector<uint64_t> scaled;
  for (double w : series_weight_) {
    scaled.push_back(std::max<uint64_t>(1, static_cast<uint64_t>(w / total * 0x1p31)));
  }
  alias_.Build(scaled);
  series_weight_.clear();
}

// Adds an agent's series: 1-2 models x 1-2 task types x the stable cohort,
// and the canary one when canary_share > 0 (1 to 8 series).
void FleetGenerator::Impl::AddAgent(int agent, double weight, double canary_share) {
  Rng& r = setup_rng_;
  double model_weights[kModelCount];
  for (int i = 0; i < kModelCount; ++i) model_weights[i] = kModels[i].pick_weight;
  int models[2] = {agent == 0 ? 0 : r.Pick(model_weights), 0};
  model_weights[models[0]] = 0;
  models[1] = r.Pick(model_weights);
  int tasks[2] = {static_cast<int>(r.Below(kTaskCount)), 0};
  tasks[1] = (tasks[0] + 1 + static_cast<int>(r.Below(kTaskCount - 1))) % kTaskCount;
  const int model_count = r.Chance(0.25) ? 2 : 1, task_count = r.Chance(0.25) ? 2 : 1;
  const double model_share = model_count == 1 ? 1 : 0.7 + 0.2 * r.Uniform();
  const double task_share = task_count == 1 ? 1 : 0.6 + 0.25 * r.Uniform();
  constexpr double kVersionWeight[] = {5, 10, 25, 60};
  const int version = 1 + r.Pick(kVersionWeight);
  const double fail_rate = 0.01 + 0.02 * r.Uniform();
  for (int m = 0; m < model_count; ++m) {
    for (int t = 0; t < task_count; ++t) {
      const double w = weight * (m == 0 ? model_share : 1 - model_share) *
                       (t == 0 ? task_share : 1 - task_share);
      AddSeries({agent, models[m], tasks[t], false, fail_rate}, version,
                w * (1 - canary_share));
      if (canary_share == 0) continue;
      AddSeries({agent, models[m], tasks[t], true, fail_rate * 1.2}, kCanaryVersion,
                w * canary_share);
    }
  }
}

void FleetGenerator::Impl::AddSeries(const SeriesInfo& info, int version, double weight) {
  std::vector<Label> l = {{"agent", AgentName(info.agent)},
                          {"model", kModels[info.model].name},
                          {"task_type", kTasks[info.task].name},
                          {"cohort", info.canary ? "canary" : "stable"},
                          {"prompt_version", "v" + std::to_string(version)}};
  labels_.push_back(std::move(Labels::Make(std::move(l)).value()));
  info_.push_back(info);
  series_weight_.push_back(weight);
}

bool FleetGenerator::Impl::NextTime(int64_t* t) {
  while (left_in_minute_ == 0) {
    if (!valid_ || allocated_ >= opts_.events || next_minute_ >= minutes_) return false;
    OpenMinute();
  }
  --left_in_minute_;
  uint32_t offset;
  if (histogram_) {
    while (offsets_[cursor_] == 0) ++cursor_;
    --offsets_[cursor_];
    offset = static_cast<uint32_t>(cursor_);
  } else {
    offset = offsets_[cursor_++];
  }
  *t = minute_start_ + offset * kNanosPerMs;
  return true;
}

void FleetGenerator::Impl::OpenMinute() {
  minute_start_ = MinuteStart(next_minute_++);
  cum_ += MinuteWeight(minute_start_, &minute_rng_);
  const auto target = static_cast<int64_t>(static_cast<unsigned __int128>(opts_.events) *
                                           cum_ / total_weight_);
  left_in_minute_ = target - allocated_;
  allocated_ = target;
  cursor_ = 0;
  histogram_ = left_in_minute_ > kSortLimit;
  if (histogram_) {
    offsets_.assign(kMsPerMinute, 0);
    for (int64_t i = 0; i < left_in_minute_; ++i) ++offsets_[rng_.Below(kMsPerMinute)];
  } else {
    offsets_.resize(left_in_minute_);
    for (uint32_t& o : offsets_) o = rng_.Below(kMsPerMinute);
    std::sort(offsets_.begin(), offsets_.end());
  }
}

FleetGenerator::Impl::Effects FleetGenerator::Impl::ActiveEffects(const SeriesInfo& s,
                                                                  int64_t t) const {
  Effects fx{s.fail_rate, 1, 1, s.canary ? 0.05 : 0.04};
  for (const PlannedIncident& p : plan_) {
    if (t < p.begin || t >= p.end || (p.agent >= 0 && p.agent != s.agent) ||
        (p.model >= 0 && p.model != s.model) || (p.canary_only && !s.canary)) {
      continue;
    }
    switch (p.kind) {
      case IncidentKind::kFailureBurst:
        fx.fail_rate = 0.5;
        break;
      case IncidentKind::kCostRunaway:
        fx.token_factor = 20;
        break;
      case IncidentKind::kLatencySpike:
        fx.latency_factor = 3;
        break;
      case IncidentKind::kHallucinationSpike:
        fx.hallucination_rate = 0.3;
        break;
    }
  }
  return fx;
}

void FleetGenerator::Impl::Sample(uint32_t series, int64_t t, Event* e) {
  const SeriesInfo& s = info_[series];
  const ModelSpec& model = kModels[s.model];
  const Effects fx = ActiveEffects(s, t);
  e->time = t;
  double latency = SampleWork(s, fx, e);
  e->error_kind.clear();
  e->success = !rng_.Chance(fx.fail_rate);
  if (!e->success) Fail(e, &latency);
  e->latency_ms = Tenths(latency);
  e->ttft_ms.reset();
  if (model.streaming && e->tokens_out > 0) {
    e->ttft_ms = Tenths(e->latency_ms * (0.2 + 0.1 * rng_.Uniform()));
  }
  e->cost_micros =
      (e->tokens_in * model.in_nano_usd + e->tokens_out * model.out_nano_usd + 500) /
      1000;
  SampleJudgement(fx, e);
  e->trace_id.reset();
}

// Sets tokens and tool calls; returns the latency in ms, before rounding.
double FleetGenerator::Impl::SampleWork(const SeriesInfo& s, const Effects& fx,
                                        Event* e) {
  const ModelSpec& model = kModels[s.model];
  const TaskSpec& task = kTasks[s.task];
  const double z_out = rng_.Normal();
  const double tokens_in =
      std::clamp(task.tokens_in_median * Exp(0.7 * rng_.Normal()), 16.0, 120'000.0);
  const double tokens_out =
      std::clamp(task.tokens_out_median * Exp(0.8 * z_out), 1.0, 8000.0);
  e->tokens_in = static_cast<uint32_t>(tokens_in * fx.token_factor);
  e->tokens_out = static_cast<uint32_t>(tokens_out * fx.token_factor);
  // Longer answers take longer; 0.5% of tasks take a slow path (x4).
  double latency =
      model.latency_median_ms * Exp(model.latency_sigma * rng_.Normal() + 0.25 * z_out);
  if (rng_.Chance(0.005)) latency *= 4;
  e->tool_calls = static_cast<uint16_t>(tool_calls_[s.task].Invert(rng_.Uniform()));
  e->tool_failures = 0;
  for (int i = 0; i < e->tool_calls; ++i) e->tool_failures += rng_.Chance(0.02);
  return latency * fx.latency_factor;
}

// Sets what evaluators and users said: hallucinated, policy_violations and
// user_rating.
void FleetGenerator::Impl::SampleJudgement(const Effects& fx, Event* e) {
  e->hallucinated = Tri::kUnknown;
  if (rng_.Chance(0.10)) {
    e->hallucinated = rng_.Chance(fx.hallucination_rate) ? Tri::kTrue : Tri::kFalse;
  }
  const double u = rng_.Uniform();
  e->policy_violations = u < 0.0002 ? 2 : u < 0.0022 ? 1 : 0;
  e->user_rating.reset();
  if (rng_.Chance(0.05)) {
    e->user_rating = 1 + rng_.Pick(e->success ? kRatingWeightOk : kRatingWeightFailed);
  }
}

// Turns a sampled task into a failed one of a random error kind.
void FleetGenerator::Impl::Fail(Event* e, double* latency) {
  const int kind = rng_.Pick(kErrorKindWeight);
  e->error_kind = kErrorKinds[kind];
  switch (kind) {
    case 0:  // timeout: the client gave up at 60 s
      *latency = 60'000 + 2'000 * rng_.Uniform();
      break;
    case 1:  // tool_error: at least one tool call failed
      if (e->tool_calls == 0) e->tool_calls = 1;
      if (e->tool_failures == 0) e->tool_failures = 1;
      break;
    case 2:  // rate_limited: refused before any token was processed
      *latency = 40 + 260 * rng_.Uniform();
      e->tokens_in = e->tokens_out = 0;
      e->tool_calls = e->tool_failures = 0;
      break;
    case 3:  // context_overflow: the prompt was read, nothing produced
      *latency = 150 + 600 * rng_.Uniform();
      e->tokens_out = 0;
      break;
    default:  // invalid_output: a full answer that failed validation
      break;
  }
}

// ---- Public API. ----

FleetGenerator::FleetGenerator(const FleetOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}
FleetGenerator::~FleetGenerator() = default;

bool FleetGenerator::Next(uint32_t* series, Event* event) {
  return impl_->Next(series, event);
}

bool FleetGenerator::Next(const Labels** labels, Event* event) {
  uint32_t series;
  if (!impl_->Next(&series, event)) return false;
  *labels = &impl_->labels()[series];
  return true;
}

size_t FleetGenerator::series_count() const { return impl_->labels().size(); }
const Labels& FleetGenerator::series(uint32_t i) const { return impl_->labels()[i]; }
int64_t FleetGenerator::emitted() const { return impl_->emitted(); }

Status Validate(const FleetOptions& o) {
  auto bad = [](std::string msg) { return Status::InvalidArgument(std::move(msg)); };
  if (o.agents < 1 || o.agents > kMaxAgents) {
    return bad("--agents must be in 1.." + std::to_string(kMaxAgents) + ", got " +
               std::to_string(o.agents));
  }
  if (o.days < 1 || o.days > kMaxDays) {
    return bad("--days must be in 1.." + std::to_string(kMaxDays) + ", got " +
               std::to_string(o.days));
  }
  if (o.events < 0 || o.events > kMaxEvents) {
    return bad("--events must be in 0.." + std::to_string(kMaxEvents) + ", got " +
               std::to_string(o.events));
  }
  if (o.start < 0) return bad("--start must not be before 1970-01-01T00:00:00Z");
  if (o.start % kNanosPerMs != 0) return bad("--start must be a whole millisecond");
  if (o.start > INT64_MAX - o.days * kNanosPerDay) {
    return bad("--start plus --days ends after 2262-04-11, the last representable time");
  }
  return Status::OK();
}

std::vector<Incident> PlannedIncidents(const FleetOptions& options) {
  std::vector<Incident> out;
  for (const PlannedIncident& p : Plan(options)) {
    out.push_back({p.kind, p.begin, p.end, p.agent >= 0 ? AgentName(p.agent) : "",
                   p.model >= 0 ? kModels[p.model].name : "",
                   p.canary_only ? "canary" : "", EffectText(p.kind)});
  }
  return out;
}

std::string DescribeIncidents(const FleetOptions& options) {
  std::string out;
  for (const Incident& i : PlannedIncidents(options)) {
    out += KindName(i.kind);
    out += ' ';
    AppendRfc3339(&out, i.begin);
    out += " .. ";
    AppendRfc3339(&out, i.end);
    for (const auto& [name, value] :
         {std::pair<const char*, const std::string&>{"agent", i.agent},
          {"model", i.model},
          {"cohort", i.cohort}}) {
      if (!value.empty()) out += std::string(" ") + name + "=" + value;
    }
    out += ": " + i.effect + "\n";
  }
  return out;
}

const std::string_view kGenHelp =
    R"(usage: sredb gen [--agents N] [--days D] [--events N] [--seed S] [--start T]
                 [--format csv|jsonl|capnp]
Writes a deterministic synthetic fleet of AI agents to stdout: exactly N events
in time order over [T, T + D days), stamped in whole milliseconds.
  --agents N   agents agent-0000 .. (default 1000, at most 10000)
  --days D     length of the range (default 90, at most 3650)
  --events N   events to write (default 1000000)
  --seed S     same options and seed -> same bytes on any machine (default 42)
  --start T    RFC 3339 start, a whole millisecond (default 2026-01-01T00:00:00Z)
  --format F   csv (default), jsonl, or capnp (packed EventBatch messages)
Labels: agent, model (gpt-4o, claude-sonnet, gpt-4o-mini, llama-70b; 1-2 per
agent), task_type (1-2 per agent), prompt_version (stable v1..v4, canary v5),
cohort (stable, or canary: ~5% of traffic, from agents 0, 4, 8, ...).
Traffic peaks ~14:00 UTC, is ~3.6x lower at ~04:00 UTC and dips on weekends.
Agent popularity is Zipf-like (agent-0000 busiest, then agent-0042,
agent-0002, ...); every agent has traffic.
Injected incidents, with end = T + D and A = end - 1 day (A = end if D = 1);
with the defaults A = 2026-03-31T00:00:00Z:
  failure burst        agent-0003  [A-2h, A)        success ~50%
  failure burst        agent-0042  14:00-16:00 after the start of day 61 (day D/2
                                   if D <= 61), counting the first day as 0
                                   (default 2026-03-03T14:00Z-16:00Z)
  cost runaway         agent-0005  [A-3h, A)        tokens and cost x20
  latency spike        gpt-4o      [A-6h, A-5h)     latency x3
  hallucination spike  canary (v5) [A-12h, A)       ~30% of evaluated tasks
Agent numbers are taken modulo N when N is smaller.
)";

}  // namespace sredb::fleet
