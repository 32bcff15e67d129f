// A plain RocksDB row store in compare_bench: one key per event,
//
//   key   = agent bytes, 0x00, big-endian u64 time (ns), big-endian u64 sequence
//   value = the event and all its labels as a packed Cap'n Proto
//           sredb.wire.TaskEvent (ingest/schema/event.capnp)
//
// with RocksDB's default options (Snappy blocks) but for a 32 MiB block cache
// and a 64 MiB write buffer, sredb's defaults. Each chunk is one WriteBatch
// (WAL, no fsync, as sredb's Append). Q1/Q3 seek to the agent's prefix and
// read its time range; Q2/Q4/Q5 scan every key (the time in the key skips
// decoding the values outside the window) — what a row store keyed by agent
// must do for fleet-wide questions. Answers are exact; quantiles are nearest
// ranks.
#include <capnp/message.h>
#include <capnp/serialize-packed.h>
#include <rocksdb/db.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <thread>
#include <unordered_map>

#include "bench/compare/compare.h"
#include "ingest/capnp_writer.h"
#include "ingest/schema/event.capnp.h"

namespace sredb::compare {
namespace {

constexpr size_t kSegmentWords = 256;  // one TaskEvent fits

rocksdb::Options RowOptions() {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.write_buffer_size = 64u << 20;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = rocksdb::NewLRUCache(32u << 20);
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return o;
}

Status FromRocks(const rocksdb::Status& s) {
  return s.ok() ? Status::OK() : Status::IOError("RocksDB: " + s.ToString());
}

void PutBigEndian(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(char(v >> shift));
}

uint64_t GetBigEndian(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | uint8_t(p[i]);
  return v;
}

std::string KeyPrefix(std::string_view agent, int64_t time) {
  std::string k(agent);
  k.push_back('\0');
  PutBigEndian(&k, uint64_t(time));
  return k;
}

class RowsLoader : public Loader {
 public:
  RowsLoader() : segment_(kj::heapArray<capnp::word>(kSegmentWords)) {
    std::memset(segment_.begin(), 0, segment_.size() * sizeof(capnp::word));
  }

  Status Create(const std::string& dir) override {
    rocksdb::DB* db = nullptr;
    SREDB_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(RowOptions(), dir, &db)));
    db_.reset(db);
    return Status::OK();
  }

  Status Load(const Chunk& chunk, const fleet::FleetGenerator& gen) override {
    rocksdb::WriteBatch batch;
    for (size_t i = 0; i < chunk.events.size(); ++i) {
      const Labels& labels = gen.series(chunk.series[i]);
      const Event& e = chunk.events[i];
      std::string key = KeyPrefix(labels.Get("agent"), e.time);
      PutBigEndian(&key, seq_++);
      kj::VectorOutputStream out(256);
      {
        capnp::MallocMessageBuilder message(segment_);
        Fill(labels, e, message.initRoot<wire::TaskEvent>());
        capnp::writePackedMessage(out, message);
      }
      auto bytes = out.getArray();
      batch.Put(key, rocksdb::Slice(reinterpret_cast<const char*>(bytes.begin()),
                                    bytes.size()));
    }
    return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch));
  }

  // Flushes the memtable and waits for the compactions it starts.
  Status Finish() override {
    SREDB_RETURN_IF_ERROR(FromRocks(db_->Flush(rocksdb::FlushOptions())));
    for (;;) {
      uint64_t pending = 0, running = 0;
      db_->GetIntProperty("rocksdb.compaction-pending", &pending);
      db_->GetIntProperty("rocksdb.num-running-compactions", &running);
      if (pending == 0 && running == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    SREDB_RETURN_IF_ERROR(FromRocks(db_->Close()));
    db_.reset();
    return Status::OK();
  }

 private:
  static void Fill(const Labels& labels, const Event& e, wire::TaskEvent::Builder b) {
    ingest::SetTaskEvent(e, labels.Get("agent"), labels.items(), b);
  }

  std::unique_ptr<rocksdb::DB> db_;
  kj::Array<capnp::word> segment_;  // zeroed; MallocMessageBuilder re-zeroes it
  uint64_t seq_ = 0;
};

// Calls fn(agent, time, event) for every row with time in [begin, end):
// those of `agent` only (a prefix seek) or, with agent empty, every row
// (a full scan that decodes only the rows in range).
template <typename Fn>
Status ForEachRow(rocksdb::DB* db, std::string_view agent, int64_t begin, int64_t end,
                  Fn fn) {
  rocksdb::ReadOptions ro;
  std::string upper;
  rocksdb::Slice upper_slice;
  if (!agent.empty()) {
    upper = KeyPrefix(agent, end);
    upper_slice = upper;
    ro.iterate_upper_bound = &upper_slice;
  }
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  if (agent.empty()) {
    it->SeekToFirst();
  } else {
    it->Seek(KeyPrefix(agent, begin));
  }
  for (; it->Valid(); it->Next()) {
    const rocksdb::Slice k = it->key();
    const size_t zero = k.size() - 17;  // agent, 0x00, time, seq
    const int64_t t = int64_t(GetBigEndian(k.data() + zero + 1));
    if (t < begin || t >= end) continue;
    kj::ArrayInputStream in(kj::ArrayPtr<const kj::byte>(
        reinterpret_cast<const kj::byte*>(it->value().data()), it->value().size()));
    capnp::PackedMessageReader message(in);
    fn(std::string_view(k.data(), zero), t, message.getRoot<wire::TaskEvent>());
  }
  return FromRocks(it->status());
}

Cell Real(double v) { return Cell{false, 0, v, {}}; }
Cell Int(int64_t v) { return Cell{false, v, 0, {}}; }
Cell Text(std::string v) { return Cell{false, 0, 0, std::move(v)}; }
Cell Null() { return Cell{true, 0, 0, {}}; }
Cell Ratio(int64_t num, int64_t den) {
  return den ? Real(double(num) / double(den)) : Null();
}
Cell BurnRate(int64_t good, int64_t total) {
  return total ? Real((1 - double(good) / double(total)) / (1 - 0.99)) : Null();
}

struct Tally {
  int64_t n = 0, good = 0, cost = 0, h_evaluated = 0, h_true = 0;
  std::vector<float> latencies;
  void Add(wire::TaskEvent::Reader e) {
    ++n;
    good += e.getSuccess();
    cost += e.getCostMicros();
    h_evaluated += e.getHallucinated() != wire::Tri::UNKNOWN;
    h_true += e.getHallucinated() == wire::Tri::TRUE;
    latencies.push_back(e.getLatencyMs());
  }
};

class RowsQuerier : public Querier {
 public:
  Status Open(const std::string& dir) override {
    rocksdb::DB* db = nullptr;
    SREDB_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(RowOptions(), dir, &db)));
    db_.reset(db);
    return Status::OK();
  }

  Result<Table> Answer(int q, const QuerySpec& spec, bool full) override {
    Table t = EmptyAnswer(q);
    Status s;
    try {
      switch (q) {
        case 0:
          s = Q1(spec, &t);
          break;
        case 1:
          s = Q2(spec, full, &t);
          break;
        case 2:
          s = Q3(spec, &t);
          break;
        case 3:
          s = Q4(spec, &t);
          break;
        default:
          s = Q5(spec, &t);
          break;
      }
    } catch (const kj::Exception& e) {
      return Status::Corruption(std::string("Cap'n Proto: ") + e.getDescription().cStr());
    }
    if (!s.ok()) return s;
    return t;
  }

 private:
  Status Q1(const QuerySpec& spec, Table* t) {
    Tally all;
    SREDB_RETURN_IF_ERROR(ForEachRow(db_.get(), spec.agent, spec.range_begin,
                                     spec.range_end, [&](auto, int64_t, auto e) {
                                       ++all.n;
                                       all.good += e.getSuccess();
                                     }));
    t->rows.push_back({Ratio(all.good, all.n)});
    return Status::OK();
  }

  Status Q2(const QuerySpec& spec, bool full, Table* t) {
    constexpr int64_t kWindows[4] = {5 * kNanosPerMinute, kNanosPerHour,
                                     6 * kNanosPerHour, 3 * kNanosPerDay};
    std::string agent;
    int64_t good[4] = {}, total[4] = {};
    auto emit = [&] {
      if (total[3] == 0) return;
      std::vector<Cell>& row = t->rows.emplace_back();
      row.push_back(Text(agent));
      for (int w = 0; w < 4; ++w) row.push_back(BurnRate(good[w], total[w]));
      std::fill(good, good + 4, 0);
      std::fill(total, total + 4, 0);
    };
    SREDB_RETURN_IF_ERROR(
        ForEachRow(db_.get(), "", spec.at - kWindows[3], spec.at,
                   [&](std::string_view a, int64_t time, wire::TaskEvent::Reader e) {
                     if (a != agent) {
                       emit();
                       agent = a;
                     }
                     for (int w = 0; w < 4; ++w) {
                       if (time < spec.at - kWindows[w]) continue;
                       ++total[w];
                       good[w] += e.getSuccess();
                     }
                   }));
    emit();
    std::stable_sort(t->rows.begin(), t->rows.end(), [](const auto& a, const auto& b) {
      if (a[2].null != b[2].null) return b[2].null;
      return !a[2].null && a[2].d > b[2].d;
    });
    if (!full && t->rows.size() > 10) t->rows.resize(10);
    return Status::OK();
  }

  Status Q3(const QuerySpec& spec, Table* t) {
    std::map<int64_t, Tally> hours;
    SREDB_RETURN_IF_ERROR(ForEachRow(
        db_.get(), spec.agent, spec.range_begin, spec.range_end,
        [&](auto, int64_t time, auto e) { hours[time / kNanosPerHour].Add(e); }));
    for (auto& [h, x] : hours) {
      t->rows.push_back({Int(h * kNanosPerHour), Int(x.n), Ratio(x.good, x.n),
                         Real(NearestRank(&x.latencies, 99, 100)), Int(x.cost)});
    }
    return Status::OK();
  }

  // zscore(sum(cost_usd), 1h, 7d): window k = 0 is [AT-1h, AT), k = 1..168
  // the baseline; empty windows count as 0; sample standard deviation.
  Status Q4(const QuerySpec& spec, Table* t) {
    constexpr int kBaseline = 168;
    std::unordered_map<std::string, std::vector<int64_t>> sums;
    SREDB_RETURN_IF_ERROR(
        ForEachRow(db_.get(), "", spec.at - (kBaseline + 1) * kNanosPerHour, spec.at,
                   [&](std::string_view agent, int64_t time, wire::TaskEvent::Reader e) {
                     auto& x = sums[std::string(agent)];
                     if (x.empty()) x.assign(kBaseline + 1, 0);
                     x[(spec.at - 1 - time) / kNanosPerHour] += e.getCostMicros();
                   }));
    for (const auto& [agent, x] : sums) {
      double mean = 0, ss = 0;
      for (int k = 1; k <= kBaseline; ++k) mean += double(x[k]);
      mean /= kBaseline;
      for (int k = 1; k <= kBaseline; ++k)
        ss += (double(x[k]) - mean) * (double(x[k]) - mean);
      const double sd = std::sqrt(ss / (kBaseline - 1));
      if (sd == 0) continue;  // z is NULL: HAVING drops it
      const double z = (double(x[0]) - mean) / sd;
      if (z > 3) t->rows.push_back({Text(agent), Real(z)});
    }
    return Status::OK();
  }

  Status Q5(const QuerySpec& spec, Table* t) {
    std::map<std::string, Tally, std::less<>> cohorts;
    SREDB_RETURN_IF_ERROR(
        ForEachRow(db_.get(), "", spec.at - kNanosPerDay, spec.at,
                   [&](auto, int64_t, wire::TaskEvent::Reader e) {
                     std::string_view cohort;
                     for (auto l : e.getLabels()) {
                       if (l.getName() == "cohort")
                         cohort = std::string_view(l.getValue().cStr());
                     }
                     auto it = cohorts.find(cohort);
                     if (it == cohorts.end())
                       it = cohorts.emplace(std::string(cohort), Tally()).first;
                     it->second.Add(e);
                   }));
    for (auto& [cohort, x] : cohorts) {
      t->rows.push_back({Text(cohort), Int(x.n), Ratio(x.good, x.n),
                         Ratio(x.h_true, x.h_evaluated),
                         Real(NearestRank(&x.latencies, 95, 100)),
                         Real(double(x.cost) / double(x.n) / 1e6)});
    }
    return Status::OK();
  }

  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace

std::unique_ptr<Loader> NewRowsLoader() { return std::make_unique<RowsLoader>(); }
std::unique_ptr<Querier> NewRowsQuerier() { return std::make_unique<RowsQuerier>(); }

}  // namespace sredb::compare
