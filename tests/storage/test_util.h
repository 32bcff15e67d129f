// Helpers shared by the storage tests: temporary directories, labels and
// random events.
#ifndef SREDB_TESTS_STORAGE_TEST_UTIL_H_
#define SREDB_TESTS_STORAGE_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "storage/db.h"
#include "storage/event.h"

namespace sredb::testing {

// 2026-03-01T00:00:00Z, the start of the tests' data.
inline constexpr int64_t kT0 = 1'772'323'200'000'000'000;

// Options that seal only when DB::Flush asks, so tests know where each event lives.
inline Options ManualSealing() {
  Options o;
  o.background_sealing = false;
  return o;
}

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "sredb-test-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    EXPECT_NE(p, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline Labels MakeLabels(std::vector<Label> labels) {
  auto made = Labels::Make(std::move(labels));
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  return made.ok() ? made.value() : Labels();
}

inline Labels AgentLabels(const std::string& agent, const std::string& model = "") {
  std::vector<Label> l = {{"agent", agent}};
  if (!model.empty()) l.push_back({"model", model});
  return MakeLabels(std::move(l));
}

// A valid event at `time` with every field drawn from `rng`, optional fields
// present about half the time.
inline Event RandomEvent(std::mt19937_64& rng, int64_t time) {
  auto coin = [&rng] { return rng() % 2 == 0; };
  Event e;
  e.time = time;
  e.success = coin();
  e.hallucinated = static_cast<Tri>(rng() % 3);
  e.latency_ms = static_cast<float>(rng() % 100000) / 10.0f;
  if (coin()) e.ttft_ms = static_cast<float>(rng() % 5000) / 10.0f;
  e.cost_micros = static_cast<int64_t>(rng() % 10'000'000);
  e.tokens_in = static_cast<uint32_t>(rng());
  e.tokens_out = static_cast<uint32_t>(rng() % 100000);
  e.policy_violations = static_cast<uint16_t>(rng() % 3);
  e.tool_calls = static_cast<uint16_t>(rng() % 65536);
  e.tool_failures =
      static_cast<uint16_t>(e.tool_calls == 0 ? 0 : rng() % (e.tool_calls + 1));
  if (coin()) e.user_rating = static_cast<float>(1 + rng() % 5);
  if (coin()) e.error_kind = rng() % 2 ? "timeout" : "tool_error";
  if (rng() % 4 == 0) {
    TraceId t;
    for (auto& b : t) b = static_cast<uint8_t>(rng());
    e.trace_id = t;
  }
  return e;
}

struct ScannedEvent {
  std::string labels;
  Event event;
};

// Every event the scan yields, with its labels rendered; fails the test on
// a scan error.
inline std::vector<ScannedEvent> ScanAll(DB* db, const ScanOptions& options = {}) {
  std::vector<ScannedEvent> out;
  auto it = db->Scan(options);
  EXPECT_TRUE(it.ok()) << it.status().ToString();
  if (!it.ok()) return out;
  for (; (*it)->Valid(); (*it)->Next()) {
    out.push_back({(*it)->labels().ToString(), (*it)->event()});
  }
  EXPECT_TRUE((*it)->status().ok()) << (*it)->status().ToString();
  return out;
}

inline std::unique_ptr<DB> OpenOrDie(const std::string& path, Options options = {}) {
  options.create_if_missing = true;
  auto db = DB::Open(options, path);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

// A database opened with RocksDB directly, every column family with it
// (for tests that damage or inspect what sredb wrote); closed on scope exit.
class RawDb {
 public:
  RawDb(const std::string& path, bool read_only) {
    std::vector<std::string> names;
    ok_ = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok();
    std::vector<rocksdb::ColumnFamilyDescriptor> descs;
    for (const std::string& n : names)
      descs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    rocksdb::Status s =
        !ok_ ? rocksdb::Status::NotFound(path)
        : read_only
            ? rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, descs, &handles_,
                                           &db_)
            : rocksdb::DB::Open(rocksdb::DBOptions(), path, descs, &handles_, &db_);
    ok_ = s.ok();
    EXPECT_TRUE(ok_) << s.ToString();
  }
  ~RawDb() {
    for (auto* h : handles_) EXPECT_TRUE(db_->DestroyColumnFamilyHandle(h).ok());
    if (db_ != nullptr) {
      EXPECT_TRUE(db_->Close().ok());
    }
    delete db_;
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  bool ok() const { return ok_; }
  rocksdb::DB* db() const { return db_; }
  // The family named `cf`, or null.
  rocksdb::ColumnFamilyHandle* Family(const std::string& cf) const {
    for (auto* h : handles_) {
      if (h->GetName() == cf) return h;
    }
    return nullptr;
  }

 private:
  bool ok_ = false;
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

// Applies `mutate` to the value of the first key of column family `cf`
// whose key starts with `prefix`, with the database closed.
inline void DamageFirst(const std::string& path, const std::string& cf,
                        const std::string& prefix, void (*mutate)(std::string*)) {
  RawDb raw(path, /*read_only=*/false);
  ASSERT_TRUE(raw.ok());
  rocksdb::ColumnFamilyHandle* h = raw.Family(cf);
  ASSERT_NE(h, nullptr) << cf;
  std::unique_ptr<rocksdb::Iterator> it(raw.db()->NewIterator(rocksdb::ReadOptions(), h));
  it->Seek(prefix);
  ASSERT_TRUE(it->Valid());
  std::string key = it->key().ToString(), value = it->value().ToString();
  it.reset();
  mutate(&value);
  ASSERT_TRUE(raw.db()->Put(rocksdb::WriteOptions(), h, key, value).ok());
}

inline void FlipMiddleByte(std::string* v) { (*v)[v->size() / 2] ^= 0x10; }

// Calls fn(key, value) for every entry of column family `cf`, read with
// RocksDB directly (read-only; the database closed or open read-only).
inline void ForEachRaw(
    const std::string& path, const std::string& cf,
    const std::function<void(std::string_view, std::string_view)>& fn) {
  RawDb raw(path, /*read_only=*/true);
  ASSERT_TRUE(raw.ok());
  rocksdb::ColumnFamilyHandle* h = raw.Family(cf);
  if (h == nullptr) return;  // a family the database does not have is empty
  std::unique_ptr<rocksdb::Iterator> it(raw.db()->NewIterator(rocksdb::ReadOptions(), h));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    fn(std::string_view(it->key().data(), it->key().size()),
       std::string_view(it->value().data(), it->value().size()));
  }
}

}  // namespace sredb::testing

#endif  // SREDB_TESTS_STORAGE_TEST_UTIL_H_
