// A database written in format version 1 (tests/tools/fixtures/format_v1,
// made by the generator) opens read-only as it is, and opened to write is
// marked version 2 and takes late events that seal into packs beside its old
// chunks: every read gives exactly the generator's events throughout.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/db.h"
#include "storage/internal/coding.h"
#include "storage/internal/keys.h"
#include "tests/storage/test_util.h"
#include "tools/fleet.h"

namespace sredb {
namespace {

namespace fs = std::filesystem;

std::string Render(const Labels& labels, const Event& e) {
  std::string s;
  for (const Label& l : labels.items()) s += l.name + "=" + l.value + ",";
  s += "|" + std::to_string(e.time) + "|" + std::to_string(e.success) + "|" +
       std::to_string(static_cast<int>(e.hallucinated)) + "|" +
       std::to_string(e.latency_ms) + "|" +
       (e.ttft_ms ? std::to_string(*e.ttft_ms) : "-") + "|" +
       std::to_string(e.cost_micros) + "|" + std::to_string(e.tokens_in) + "|" +
       std::to_string(e.tokens_out) + "|" + std::to_string(e.policy_violations) + "|" +
       std::to_string(e.tool_calls) + "|" + std::to_string(e.tool_failures) + "|" +
       (e.user_rating ? std::to_string(*e.user_rating) : "-") + "|" + e.error_kind + "|" +
       (e.trace_id ? std::to_string((*e.trace_id)[0]) + std::to_string((*e.trace_id)[15])
                   : "-");
  return s;
}

fleet::FleetOptions Fleet(int64_t events, uint64_t seed) {
  fleet::FleetOptions o;
  o.agents = 30;
  o.days = 3;
  o.events = events;
  o.seed = seed;
  o.start = 1'772'323'200'000'000'000;  // 2026-03-01T00:00:00Z
  return o;
}

// Appends the generator's events to *out (rendered); with `db`, also
// appends them to it.
void Generate(const fleet::FleetOptions& o, std::vector<std::string>* out, DB* db) {
  fleet::FleetGenerator gen(o);
  const Labels* labels;
  Event e;
  EventBatch batch;
  while (gen.Next(&labels, &e)) {
    out->push_back(Render(*labels, e));
    batch.Add(batch.AddSeries(*labels), e);
  }
  if (db != nullptr) {
    ASSERT_TRUE(db->Append(WriteOptions(), batch).ok());
  }
}

std::vector<std::string> ScanSorted(DB* db) {
  std::vector<std::string> out;
  auto it = db->Scan(ScanOptions());
  EXPECT_TRUE(it.ok());
  if (!it.ok()) return out;
  for (; (*it)->Valid(); (*it)->Next()) {
    out.push_back(Render((*it)->labels(), (*it)->event()));
  }
  EXPECT_TRUE((*it)->status().ok()) << (*it)->status().ToString();
  std::sort(out.begin(), out.end());
  return out;
}

void ExpectSound(DB* db) {
  auto report = db->Check();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->problems.empty()) << report->problems[0];
}

// The format version recorded in meta and the packs in the chunks CF, read
// with RocksDB directly.
struct RawFacts {
  uint32_t version = 0;
  int packs = 0;
};
RawFacts ReadRaw(const std::string& path) {
  RawFacts facts;
  testing::ForEachRaw(path, internal::kMetaCf,
                      [&](std::string_view key, std::string_view v) {
                        if (key == internal::kFormatVersionKey && v.size() >= 4) {
                          facts.version = internal::DecodeFixed32(v.data());
                        }
                      });
  testing::ForEachRaw(path, internal::kChunksCf,
                      [&](std::string_view key, std::string_view) {
                        facts.packs += key.size() == internal::kPackKeySize;
                      });
  return facts;
}

TEST(FormatV1, OpensAsItIsAndUpgradesWhenWritten) {
  std::string tmpl = (fs::temp_directory_path() / "sredb-v1-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const std::string path = tmpl + "/db";
  fs::copy(fs::path(SREDB_SOURCE_DIR) / "tests/tools/fixtures/format_v1", path);
  std::vector<std::string> expected;
  Generate(Fleet(3000, 7), &expected, nullptr);
  std::sort(expected.begin(), expected.end());
  ASSERT_EQ(ReadRaw(path).version, 1u);
  ASSERT_EQ(ReadRaw(path).packs, 0);

  Options read_only;
  read_only.read_only = true;
  {
    auto db = DB::Open(read_only, path);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ(ScanSorted(db->get()), expected);
    ExpectSound(db->get());
  }
  EXPECT_EQ(ReadRaw(path).version, 1u);  // a read-only open changes nothing

  Options manual;
  manual.background_sealing = false;
  {
    auto db = DB::Open(manual, path);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    // Late events for the sealed partitions: their series are sparse, so
    // the re-seal moves them from version 1's chunks into packs.
    Generate(Fleet(2000, 8), &expected, db->get());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(ScanSorted(db->get()), expected);
    ASSERT_TRUE((*db)->Flush().ok());
    EXPECT_EQ(ScanSorted(db->get()), expected);
    ExpectSound(db->get());
    ASSERT_TRUE((*db)->Close().ok());
  }
  EXPECT_EQ(ReadRaw(path).version, 2u);
  EXPECT_GT(ReadRaw(path).packs, 0);  // the late events' series moved into packs
  {
    auto db = DB::Open(read_only, path);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ(ScanSorted(db->get()), expected);
  }
  fs::remove_all(tmpl);
}

}  // namespace
}  // namespace sredb
