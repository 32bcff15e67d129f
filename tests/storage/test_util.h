// Helpers shared by the storage tests: temporary directories, labels and
// random events.
#ifndef SREDB_TESTS_STORAGE_TEST_UTIL_H_
#define SREDB_TESTS_STORAGE_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
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

// Applies `mutate` to the value of the first key of column family `cf`
// whose key starts with `prefix`, with the database closed.
inline void DamageFirst(const std::string& path, const std::string& cf,
                        const std::string& prefix, void (*mutate)(std::string*)) {
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const std::string& n : names)
    descs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened =
      rocksdb::DB::Open(rocksdb::DBOptions(), path, descs, &handles, &raw);
  ASSERT_TRUE(opened.ok()) << opened.ToString();
  rocksdb::ColumnFamilyHandle* h = nullptr;
  for (auto* handle : handles) {
    if (handle->GetName() == cf) h = handle;
  }
  std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions(), h));
  it->Seek(prefix);
  ASSERT_TRUE(it->Valid());
  std::string key = it->key().ToString(), value = it->value().ToString();
  it.reset();
  mutate(&value);
  ASSERT_TRUE(raw->Put(rocksdb::WriteOptions(), h, key, value).ok());
  for (auto* handle : handles) ASSERT_TRUE(raw->DestroyColumnFamilyHandle(handle).ok());
  ASSERT_TRUE(raw->Close().ok());
  delete raw;
}

inline void FlipMiddleByte(std::string* v) { (*v)[v->size() / 2] ^= 0x10; }

// Calls fn(key, value) for every entry of column family `cf`, read with
// RocksDB directly (read-only; the database closed or open read-only).
inline void ForEachRaw(
    const std::string& path, const std::string& cf,
    const std::function<void(std::string_view, std::string_view)>& fn) {
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const std::string& n : names)
    descs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(
      rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, descs, &handles, &raw)
          .ok());
  for (auto* h : handles) {
    if (h->GetName() != cf) continue;
    std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions(), h));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      fn(std::string_view(it->key().data(), it->key().size()),
         std::string_view(it->value().data(), it->value().size()));
    }
  }
  for (auto* h : handles) EXPECT_TRUE(raw->DestroyColumnFamilyHandle(h).ok());
  delete raw;
}

}  // namespace sredb::testing

#endif  // SREDB_TESTS_STORAGE_TEST_UTIL_H_
