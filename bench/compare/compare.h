// The pieces of compare_bench (../compare_bench.cc): one fleet, the same
// five questions (QUERY.md Q1-Q5) asked of three systems, and the answers in
// one canonical shape so that they can be checked against each other.
//
// A system has a load side (Loader: fed the fleet in chunks of 10,000
// events, timed) and a query side (Querier: opens what the loader left and
// answers Q1-Q5). Both run in forked children of the driver, one system at a
// time, so that each load's peak RSS is its own.
//
// Thread safety: none of these types is thread-safe; the driver is single
// threaded.
#ifndef SREDB_BENCH_COMPARE_COMPARE_H_
#define SREDB_BENCH_COMPARE_COMPARE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "storage/event.h"
#include "storage/status.h"
#include "tools/fleet.h"

namespace sredb::compare {

inline constexpr int64_t kNanosPerMinute = 60'000'000'000;
inline constexpr int64_t kNanosPerHour = 60 * kNanosPerMinute;
inline constexpr int64_t kNanosPerDay = 24 * kNanosPerHour;

// The labels the fleet generator emits (tools/fleet.h); SQLite has a column
// for each, and a fleet with any other label is refused.
inline constexpr const char* kLabelNames[] = {"agent", "cohort", "model",
                                              "prompt_version", "task_type"};
inline constexpr int kLabelCount = 5;

// What the questions ask, for one fleet: QUERY.md's Q1-Q5 with Q1/Q3's agent
// and range adapted to the fleet (the dense fleet has no agent-0042 and no
// March before the 25th).
struct QuerySpec {
  std::string agent;    // Q1, Q3
  int64_t range_begin;  // Q1, Q3: [range_begin, range_end)
  int64_t range_end;
  int64_t at;           // Q2, Q4, Q5: the evaluation instant
  std::string text[5];  // the sredb statements, Q1..Q5
};

// A fleet to generate and the questions to ask of it.
struct FleetSpec {
  std::string name;  // "standard" or "dense"
  fleet::FleetOptions options;
  QuerySpec queries;
};

FleetSpec StandardFleet(int64_t events);
FleetSpec DenseFleet(int64_t events);

// Events as a client would hand them over: a fleet series index per event;
// the labels are the generator's (FleetGenerator::series).
struct Chunk {
  std::vector<uint32_t> series;
  std::vector<Event> events;
  void Clear() {
    series.clear();
    events.clear();
  }
};

class Loader {
 public:
  virtual ~Loader() = default;
  // Creates an empty store in `dir` (which does not exist yet).
  virtual Status Create(const std::string& dir) = 0;
  // Stores one chunk; `gen` names its series.
  virtual Status Load(const Chunk& chunk, const fleet::FleetGenerator& gen) = 0;
  // Makes everything durable and compact as the system would at rest
  // (sredb: DB::Flush; SQLite: commit and checkpoint; RocksDB: flush), and
  // closes the store.
  virtual Status Finish() = 0;
};

// One answer cell. Which member counts is the column's Rule.
struct Cell {
  bool null = false;
  int64_t i = 0;
  double d = 0;
  std::string s;
};

enum class Rule : uint8_t {
  kText,      // s, equal
  kInt,       // i, equal (counts, hours, sums of cost in micro-USD)
  kReal,      // d, within 1e-9 relative (ratios, averages, z-scores)
  kQuantile,  // d, sredb's sketch within 1% of the exact nearest rank
};

struct Table {
  std::vector<std::string> names;
  std::vector<Rule> rules;
  std::vector<std::vector<Cell>> rows;
};

// The canonical columns of each question (0-based q), as every Querier
// returns them: Q1 rate; Q2 agent, br_5m, br_1h, br_6h, br_3d; Q3 hour (ns),
// count, rate, p99, cost (micro-USD); Q4 agent, z; Q5 cohort, count,
// rate(success), rate(hallucinated), p95, avg cost (USD).
Table EmptyAnswer(int q);

class Querier {
 public:
  virtual ~Querier() = default;
  virtual Status Open(const std::string& dir) = 0;
  // Answers question q (0..4). With `full`, Q2 returns every agent (for the
  // check) instead of the top 10 the timed runs ask for; rows may come in
  // any order except for Q2 without `full` (br_1h descending, NULLs last).
  virtual Result<Table> Answer(int q, const QuerySpec& spec, bool full) = 0;
};

std::unique_ptr<Loader> NewSredbLoader();
std::unique_ptr<Querier> NewSredbQuerier();
std::unique_ptr<Loader> NewSqliteLoader();
std::unique_ptr<Querier> NewSqliteQuerier();
std::unique_ptr<Loader> NewRowsLoader();
std::unique_ptr<Querier> NewRowsQuerier();

// "" when `got` answers question q as `want` (an exact peer's full answer)
// does, else a readable description of the first differences. With
// `got_is_sredb`, quantiles may differ by 1% (sketches) and Q2's `got` is the
// top-10 cut: its br_1h column must equal the top of `want`'s and each of its
// rows must equal `want`'s row for the same agent (ties at the cut keep no
// promised order).
std::string Diff(int q, const Table& want, const Table& got, bool got_is_sredb);

// Nearest-rank quantile of `values` (reordered): the k-th smallest with
// k = ceil(num/den * n), computed in integers. REQUIRES: !values.empty().
double NearestRank(std::vector<float>* values, int64_t num, int64_t den);

}  // namespace sredb::compare

#endif  // SREDB_BENCH_COMPARE_COMPARE_H_
