// sredb in compare_bench: loaded through the C++ API (DB::Append of each
// chunk as one EventBatch, background sealing, then DB::Flush), asked with
// query::Execute and QUERY.md's text.
#include <algorithm>
#include <cmath>

#include "bench/compare/compare.h"
#include "query/query.h"
#include "storage/db.h"

namespace sredb::compare {
namespace {

class SredbLoader : public Loader {
 public:
  Status Create(const std::string& dir) override {
    Options o;
    o.create_if_missing = true;  // and background sealing, the default
    Result<std::unique_ptr<DB>> db = DB::Open(o, dir);
    if (!db.ok()) return db.status();
    db_ = std::move(*db);
    return Status::OK();
  }

  Status Load(const Chunk& chunk, const fleet::FleetGenerator& gen) override {
    // Each series' labels are added once per batch, as a client would.
    constexpr uint32_t kNone = ~uint32_t{0};
    batch_.Clear();
    index_.assign(gen.series_count(), kNone);
    for (size_t i = 0; i < chunk.events.size(); ++i) {
      uint32_t& b = index_[chunk.series[i]];
      if (b == kNone) b = batch_.AddSeries(gen.series(chunk.series[i]));
      batch_.Add(b, chunk.events[i]);
    }
    return db_->Append(WriteOptions(), batch_);
  }

  Status Finish() override {
    SREDB_RETURN_IF_ERROR(db_->Flush());
    Result<DbStats> st = db_->GetStats();
    if (!st.ok()) return st.status();
    if (!st->seal_error.empty()) return Status::IOError("sealing: " + st->seal_error);
    SREDB_RETURN_IF_ERROR(db_->Close());
    db_.reset();
    return Status::OK();
  }

 private:
  std::unique_ptr<DB> db_;
  EventBatch batch_;
  std::vector<uint32_t> index_;
};

// Column c of `from` as a canonical column with rule r. Sums of cost come as
// USD (exact to 1e-6) and are compared in micro-USD.
Status Convert(const query::ResultColumn& from, Rule r, size_t rows, Table* to,
               size_t c) {
  for (size_t row = 0; row < rows; ++row) {
    Cell& cell = to->rows[row][c];
    cell.null = from.IsNull(row);
    if (cell.null) continue;
    const bool is_int =
        from.type == query::ValueType::kInt64 || from.type == query::ValueType::kTime;
    switch (r) {
      case Rule::kText:
        if (from.type != query::ValueType::kString) return Status::Corruption(from.name);
        cell.s = from.strings[row];
        break;
      case Rule::kInt:
        cell.i = is_int ? from.ints[row] : std::llround(from.doubles[row] * 1e6);
        break;
      case Rule::kReal:
      case Rule::kQuantile:
        cell.d = is_int ? double(from.ints[row]) : from.doubles[row];
        break;
    }
  }
  return Status::OK();
}

class SredbQuerier : public Querier {
 public:
  Status Open(const std::string& dir) override {
    Options o;
    o.background_sealing = false;  // nothing to seal; keep the timings quiet
    Result<std::unique_ptr<DB>> db = DB::Open(o, dir);
    if (!db.ok()) return db.status();
    db_ = std::move(*db);
    return Status::OK();
  }

  Result<Table> Answer(int q, const QuerySpec& spec, bool /*full*/) override {
    Result<query::ResultTable> r = query::Execute(db_.get(), spec.text[q]);
    if (!r.ok()) return r.status();
    Table t = EmptyAnswer(q);
    if (r->columns.size() != t.names.size()) {
      return Status::Corruption("Q" + std::to_string(q + 1) + ": " +
                                std::to_string(r->columns.size()) + " columns");
    }
    t.rows.assign(r->rows, std::vector<Cell>(t.names.size()));
    for (size_t c = 0; c < t.names.size(); ++c)
      SREDB_RETURN_IF_ERROR(Convert(r->columns[c], t.rules[c], r->rows, &t, c));
    return t;
  }

 private:
  std::unique_ptr<DB> db_;
};

}  // namespace

std::unique_ptr<Loader> NewSredbLoader() { return std::make_unique<SredbLoader>(); }
std::unique_ptr<Querier> NewSredbQuerier() { return std::make_unique<SredbQuerier>(); }

}  // namespace sredb::compare
