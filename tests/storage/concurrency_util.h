// The workload of the concurrency tests (tests/storage/concurrency_test.cc,
// tests/query/concurrency_test.cc): writer threads appending batches that
// any cut can recognise, beside the background sealer and threads calling
// DB::Flush, while the tests' own reader threads take cuts and check them.
//
// Every event carries a marker in its trace id: (writer, batch, index in the
// batch, batch size). A writer owns two series (agent=w<N>, model=m0/m1),
// appends its batches in order and only after the previous one returned, so
// a consistent cut holds, of each writer, exactly the batches [0, k) for
// some k, each whole, and k lies between the batches acknowledged before
// the cut was taken and those started after it. Batches are deterministic
// (seeded by writer and batch), so the events of any such prefix, their
// time order and their rollup buckets are known exactly. Some batches span
// two partitions (an Append writes one head record per partition), and
// every eighth goes back 90 minutes, into a partition already sealed or
// being sealed.
//
// Thread safety: a Workload is immutable once built; Progress is atomics;
// Problems is locked. RunConcurrently joins every thread it starts.
#ifndef SREDB_TESTS_STORAGE_CONCURRENCY_UTIL_H_
#define SREDB_TESTS_STORAGE_CONCURRENCY_UTIL_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage/db.h"
#include "test_util.h"

namespace sredb::testing {

// An event of a planned batch and the workload-wide index of its series.
struct PlannedEvent {
  int series = 0;  // writer * 2 + model
  Event event;
};

// What a marker says of its event.
struct Mark {
  int writer = 0, batch = 0, index = 0, size = 0;
};

class Workload {
 public:
  static constexpr int64_t kStep = 120 * kNanosPerSecond;   // between batches
  static constexpr int64_t kSpread = 17 * kNanosPerSecond;  // between events
  static constexpr int kLateEvery = 8;                      // every 8th batch is late
  static constexpr int kLateSteps = 45;                     // by 90 minutes

  // `batches` per writer; SREDB_CONCURRENCY_BATCHES overrides it (long runs).
  Workload(int writers, int batches) : writers_(writers) {
    if (const char* env = std::getenv("SREDB_CONCURRENCY_BATCHES")) {
      batches = std::max(1, std::atoi(env));
    }
    batches_ = batches;
    for (int s = 0; s < series(); ++s) {
      labels_.push_back(MakeLabels({{"agent", "w" + std::to_string(s / 2)},
                                    {"model", "m" + std::to_string(s % 2)}}));
    }
    plan_.resize(writers);
    for (int w = 0; w < writers; ++w) {
      for (int b = 0; b < batches_; ++b) plan_[w].push_back(MakeBatch(w, b));
    }
  }

  // Hour partitions sealed a minute after their end, rollups where buckets
  // average 3 events (the 1 h tier pays for most series, the 1 m tier for
  // some), background sealing on.
  static Options DbOptions() {
    Options o;
    o.create_if_missing = true;
    o.partition_ns = 3600 * kNanosPerSecond;
    o.seal_grace_ns = 60 * kNanosPerSecond;
    o.rollup_min_bucket_events = 3;
    return o;
  }

  int writers() const { return writers_; }
  int batches() const { return batches_; }
  int series() const { return 2 * writers_; }
  const Labels& labels(int s) const { return labels_[s]; }
  const std::vector<PlannedEvent>& batch(int w, int b) const { return plan_[w][b]; }
  // The newest event time of any batch (an upper bound for queries).
  int64_t end() const { return kT0 + (batches_ + 2) * kStep; }

  // The events of series s in its writer's batches [0, k), in time order
  // (arrival order among equal times): what a cut holding them reads.
  std::vector<Event> Expected(int s, int k) const {
    std::vector<Event> out;
    for (int b = 0; b < k; ++b) {
      for (const PlannedEvent& p : plan_[s / 2][b]) {
        if (p.series == s) out.push_back(p.event);
      }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Event& a, const Event& b) { return a.time < b.time; });
    return out;
  }

  // Events in batches [0, k[w]) of every writer w.
  uint64_t EventsIn(const std::vector<int>& k) const {
    uint64_t n = 0;
    for (int w = 0; w < writers_; ++w) {
      for (int b = 0; b < k[w]; ++b) n += plan_[w][b].size();
    }
    return n;
  }

  static std::optional<Mark> ReadMark(const Event& e) {
    if (!e.trace_id || (*e.trace_id)[0] != kMagic) return std::nullopt;
    const TraceId& t = *e.trace_id;
    return Mark{t[1], t[2] | t[3] << 8, t[4], t[5]};
  }

 private:
  static constexpr uint8_t kMagic = 0xC5;

  // 1 to 12 events over two series, kSpread apart, so that some batches
  // straddle a partition boundary; every kLateEvery-th batch lies kLateSteps
  // steps back.
  std::vector<PlannedEvent> MakeBatch(int w, int b) const {
    std::mt19937_64 rng(uint64_t(w) * 1'000'003 + uint64_t(b));
    const int n = 1 + (b * 5 + w * 3) % 12;
    const int step =
        (b % kLateEvery == kLateEvery - 1 && b >= kLateSteps) ? b - kLateSteps : b;
    const int64_t base = kT0 + step * kStep + w * 7 * kNanosPerSecond;
    std::vector<PlannedEvent> out;
    for (int i = 0; i < n; ++i) {
      Event e = RandomEvent(rng, base + i * kSpread);
      e.trace_id = TraceId{kMagic,
                           static_cast<uint8_t>(w),
                           static_cast<uint8_t>(b),
                           static_cast<uint8_t>(b >> 8),
                           static_cast<uint8_t>(i),
                           static_cast<uint8_t>(n)};
      out.push_back({w * 2 + (i + b) % 2, std::move(e)});
    }
    return out;
  }

  int writers_ = 0, batches_ = 0;
  std::vector<Labels> labels_;
  std::vector<std::vector<std::vector<PlannedEvent>>> plan_;  // [writer][batch]
};

// How far each writer has got: started[w] batches handed to Append (counted
// before the call), acked[w] acknowledged (counted after it returned OK).
class Progress {
 public:
  explicit Progress(int writers) : started_(writers), acked_(writers) {}
  void Start(int w) { started_[w].fetch_add(1, std::memory_order_release); }
  void Ack(int w) { acked_[w].fetch_add(1, std::memory_order_release); }
  std::vector<int> Started() const { return Load(started_); }
  std::vector<int> Acked() const { return Load(acked_); }

 private:
  static std::vector<int> Load(const std::vector<std::atomic<int>>& v) {
    std::vector<int> out;
    for (const auto& a : v) out.push_back(a.load(std::memory_order_acquire));
    return out;
  }
  std::vector<std::atomic<int>> started_, acked_;
};

// Problems found by any thread; the first few are kept for the message.
class Problems {
 public:
  void Add(std::string what) {
    std::lock_guard<std::mutex> l(mu_);
    if (first_.size() < 10) first_.push_back(std::move(what));
    ++count_;
  }
  int count() const {
    std::lock_guard<std::mutex> l(mu_);
    return count_;
  }
  std::string Summary() const {
    std::lock_guard<std::mutex> l(mu_);
    std::string out = std::to_string(count_) + " problems";
    for (const std::string& s : first_) out += "\n  " + s;
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> first_;  // GUARDED_BY(mu_)
  int count_ = 0;                   // GUARDED_BY(mu_)
};

// Checks one cut: events[s] holds what the cut read of series s, in read
// order. Of each writer the cut must hold the batches [0, k), each whole
// and once, with acked_before[w] <= k <= started_after[w], and each series
// exactly Expected(s, k) (values and order). Returns k per writer (-1
// where the check failed), reporting to `problems` as `what`.
inline std::vector<int> VerifyCut(const Workload& wl,
                                  const std::vector<std::vector<Event>>& events,
                                  const std::vector<int>& acked_before,
                                  const std::vector<int>& started_after,
                                  const std::string& what, Problems* problems) {
  std::vector<int> ks(wl.writers(), -1);
  for (int w = 0; w < wl.writers(); ++w) {
    const std::string who = what + ": writer " + std::to_string(w);
    std::map<int, std::vector<int>> seen;  // batch -> times each index was seen
    bool ok = true;
    for (int s : {2 * w, 2 * w + 1}) {
      for (const Event& e : events[s]) {
        std::optional<Mark> m = Workload::ReadMark(e);
        if (!m || m->writer != w || m->batch >= wl.batches() ||
            m->size != static_cast<int>(wl.batch(w, m->batch).size()) ||
            m->index >= m->size) {
          problems->Add(who + ": an event the workload never wrote");
          ok = false;
          break;
        }
        std::vector<int>& idx = seen[m->batch];
        idx.resize(m->size);
        ++idx[m->index];
      }
    }
    if (!ok) continue;
    const int k = static_cast<int>(seen.size());
    if (k > 0 && seen.rbegin()->first != k - 1) {
      problems->Add(who + ": holds " + std::to_string(k) + " batches up to batch " +
                    std::to_string(seen.rbegin()->first) + " (a gap)");
      continue;
    }
    for (const auto& [b, idx] : seen) {
      for (size_t i = 0; i < idx.size() && ok; ++i) {
        if (idx[i] != 1) {
          problems->Add(who + ": batch " + std::to_string(b) + " event " +
                        std::to_string(i) + " seen " + std::to_string(idx[i]) +
                        " times (a torn or duplicated batch)");
          ok = false;
        }
      }
    }
    if (!ok) continue;
    if (k < acked_before[w] || k > started_after[w]) {
      problems->Add(who + ": holds " + std::to_string(k) + " batches, but " +
                    std::to_string(acked_before[w]) +
                    " were acknowledged before the cut and " +
                    std::to_string(started_after[w]) + " started after it");
      continue;
    }
    for (int s : {2 * w, 2 * w + 1}) {
      if (events[s] != wl.Expected(s, k)) {
        problems->Add(what + ": series " + wl.labels(s).ToString() +
                      " differs from its batches [0, " + std::to_string(k) +
                      ") (values or order)");
        ok = false;
      }
    }
    if (ok) ks[w] = k;
  }
  return ks;
}

// Runs the workload's writers, `flushers` threads calling DB::Flush, and
// each of `readers` in a loop of its own, until every writer has appended
// its last batch; then each reader runs once more. So that cuts are taken
// all along the run however fast the machine writes, a writer waits, every
// kPace batches, until every reader has finished a round since its last
// wait (pacing only: no check depends on timing). Problems of writers and
// flushers go to `problems`.
inline void RunConcurrently(DB* db, const Workload& wl, Progress* progress, int flushers,
                            const std::vector<std::function<void()>>& readers,
                            Problems* problems) {
  constexpr int kPace = 16;
  std::atomic<bool> done{false};
  std::vector<std::atomic<int>> rounds(readers.size());
  auto rounds_now = [&rounds] {
    std::vector<int> out;
    for (const auto& r : rounds) out.push_back(r.load());
    return out;
  };
  auto wait_for_rounds = [&rounds](const std::vector<int>& since) {
    for (size_t r = 0; r < rounds.size(); ++r) {
      while (rounds[r].load() <= since[r]) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
  };
  std::vector<std::thread> writers, others;
  for (int w = 0; w < wl.writers(); ++w) {
    writers.emplace_back([&, w] {
      std::vector<int> since = rounds_now();
      for (int b = 0; b < wl.batches(); ++b) {
        if (b > 0 && b % kPace == 0) {
          wait_for_rounds(since);
          since = rounds_now();
        }
        EventBatch batch;
        for (const PlannedEvent& p : wl.batch(w, b)) {
          batch.Add(batch.AddSeries(wl.labels(p.series)), p.event);
        }
        progress->Start(w);
        Status s = db->Append(WriteOptions(), batch);
        if (!s.ok()) {
          return problems->Add("writer " + std::to_string(w) + " batch " +
                               std::to_string(b) + ": " + s.ToString());
        }
        progress->Ack(w);
      }
    });
  }
  for (int f = 0; f < flushers; ++f) {
    others.emplace_back([db, problems, &done] {
      while (!done.load()) {
        if (Status s = db->Flush(); !s.ok())
          return problems->Add("flush: " + s.ToString());
      }
    });
  }
  for (size_t r = 0; r < readers.size(); ++r) {
    others.emplace_back([&, r] {
      bool last = false;
      do {
        last = done.load();
        readers[r]();
        ++rounds[r];
      } while (!last);
    });
  }
  for (auto& t : writers) t.join();
  done = true;
  for (auto& t : others) t.join();
}

}  // namespace sredb::testing

#endif  // SREDB_TESTS_STORAGE_CONCURRENCY_UTIL_H_
