// A deterministic synthetic fleet of AI agents: the events behind
// `sredb gen`, the tests and the benchmarks.
//
// FleetGenerator streams exactly `events` events in non-decreasing time order
// over [start, start + days), minute by minute, in memory bounded by the
// fleet's size (never by the event count). Events are stamped in whole
// milliseconds. Minute m gets floor(events * W(m) / W) - floor(events *
// W(m-1) / W) events, W(m) the cumulative minute weight and W the total:
// a UTC daily cycle (trough ~04:00, peak ~14:00-15:00, ~3.6x apart), a
// weekend dip (x0.65) and +-25% random jitter per minute. Agent popularity is
// Zipf-like: rank r = 1, 2, .. gets 0.7/(r H) + 0.3/agents of the traffic
// (H the agents-th harmonic number), so every agent has some. Ranks follow
// the agent index, except that agent-0042, the subject of the docs'
// examples, is second.
//
// Series: labels agent (agent-0000 ..), model (1-2 per agent), task_type
// (1-2 per agent), prompt_version (the agent's stable v1..v4, or the canary
// v5) and cohort (stable, or canary). Agents 0, 4, 8, ... run the canary with
// the share of their traffic that makes ~5% of all traffic canary; 1 to 8
// series per agent, ~2 on average. With 1000 agents, 90 days and 10M events
// the median series sees ~1 event an hour, the busiest hundreds.
//
// Injected incidents, placed relative to the range so that each exists for
// any --days >= 1. Let end = start + days and A = end - 1d (A = end when
// days = 1). With the defaults (start 2026-01-01T00:00:00Z, 90 days),
// A = 2026-03-31T00:00:00Z, the evaluation instant of QUERY.md Q2, Q4, Q5:
//   failure burst   agent-0003 (index 3 mod agents), [A-2h, A): success ~50%
//                   2026-03-30T22:00:00Z .. 2026-03-31T00:00:00Z
//   failure burst   agent-0042 (index 42 mod agents), 14:00-16:00 after the
//                   start of day 61 of the range (day days/2 if days <= 61):
//                   2026-03-03T14:00:00Z .. 2026-03-03T16:00:00Z
//   cost runaway    agent-0005 (index 5 mod agents), [A-3h, A): a retry loop,
//                   tokens_in and tokens_out x20, so cost x20
//                   2026-03-30T21:00:00Z .. 2026-03-31T00:00:00Z
//   latency spike   model gpt-4o (every agent using it), [A-6h, A-5h): x3
//                   2026-03-30T18:00:00Z .. 2026-03-30T19:00:00Z
//   hallucination   cohort canary (prompt_version v5), [A-12h, A): ~30% of
//   spike           evaluated tasks hallucinate (baseline ~4-5%)
//                   2026-03-30T12:00:00Z .. 2026-03-31T00:00:00Z
// PlannedIncidents() gives the exact windows for any options.
//
// Determinism: the output is a function of the options alone, on any
// machine. Randomness comes from xoshiro256** seeded by splitmix64; every
// distribution (normal, lognormal, Poisson, Zipf, alias sampling) is this
// file's own code using only IEEE-754 +, -, *, / and sqrt, which are
// correctly rounded everywhere; no libm transcendental is called. This
// assumes FLT_EVAL_METHOD == 0 (SSE2, AArch64) and no fused multiply-adds
// (GCC's default under -std=c++20; fleet.cc turns clang's off). g++ 12 at
// -O0/-O2/-O3 -march=native and clang++ 14 give the same bytes.
//
// Thread safety: a FleetGenerator is not thread-safe; use one per thread.
// The free functions are thread-safe.
#ifndef SREDB_TOOLS_FLEET_H_
#define SREDB_TOOLS_FLEET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/event.h"
#include "storage/status.h"

namespace sredb::fleet {

// 2026-01-01T00:00:00Z in ns since the Unix epoch.
inline constexpr int64_t kDefaultStart = 1'767'225'600'000'000'000;

// Upper bounds Validate enforces.
inline constexpr int kMaxAgents = 10'000;  // agent names have 4 digits
inline constexpr int kMaxDays = 3'650;
inline constexpr int64_t kMaxEvents = 10'000'000'000;

struct FleetOptions {
  int agents = 1000;              // agents agent-0000 .. agent-(agents-1)
  int days = 90;                  // length of the range in days
  int64_t events = 1'000'000;     // exactly this many events are generated
  uint64_t seed = 42;             // same options and seed -> same events
  int64_t start = kDefaultStart;  // ns since the epoch; a whole millisecond
};

// OK, or InvalidArgument naming the first option out of range.
Status Validate(const FleetOptions& options);

enum class IncidentKind {
  kFailureBurst,
  kCostRunaway,
  kLatencySpike,
  kHallucinationSpike
};

// One injected incident: events matching every non-empty selector field
// with time in [begin, end) get `effect`.
struct Incident {
  IncidentKind kind;
  int64_t begin;       // ns, inclusive
  int64_t end;         // ns, exclusive
  std::string agent;   // e.g. "agent-0003"; empty = every agent
  std::string model;   // empty = every model
  std::string cohort;  // empty = every cohort
  std::string effect;  // for humans: "success ~50%"
};

// The incidents a generator with these options injects, in a fixed order.
// REQUIRES: Validate(options).ok().
std::vector<Incident> PlannedIncidents(const FleetOptions& options);

// One line per incident: kind, RFC 3339 window, selector and effect.
std::string DescribeIncidents(const FleetOptions& options);

// `sredb gen --help` text: options, defaults, labels and incident placement.
extern const std::string_view kGenHelp;

class FleetGenerator {
 public:
  // REQUIRES: Validate(options).ok(); with invalid options the generator
  // yields no events.
  explicit FleetGenerator(const FleetOptions& options);
  ~FleetGenerator();
  FleetGenerator(const FleetGenerator&) = delete;
  FleetGenerator& operator=(const FleetGenerator&) = delete;

  // Stores the next event and its series' labels; false once `events` events
  // have been returned. *labels stays valid for the generator's lifetime.
  bool Next(const Labels** labels, Event* event);
  // The same, naming the series by index (0 .. series_count()-1).
  bool Next(uint32_t* series, Event* event);

  size_t series_count() const;
  // REQUIRES: i < series_count().
  const Labels& series(uint32_t i) const;
  // Events returned so far.
  int64_t emitted() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sredb::fleet

#endif  // SREDB_TOOLS_FLEET_H_
