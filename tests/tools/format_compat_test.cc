// Databases written by earlier on-disk format versions (tests/tools/fixtures,
// each made by the generator at the commit its README names) open read-only
// as they are, and opened to write are marked the current version and take
// late events that re-seal beside the old chunks, packs and rollups: every
// read gives exactly the generator's events throughout, and every stored
// rollup bucket, old or rewritten, equals one built from those events.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "storage/db.h"
#include "storage/internal/coding.h"
#include "storage/internal/keys.h"
#include "storage/reader.h"
#include "storage/rollup/rollup_bucket.h"
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

fleet::FleetOptions Fleet(int agents, int days, int64_t events, uint64_t seed) {
  fleet::FleetOptions o;
  o.agents = agents;
  o.days = days;
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
  int hour_rollups = 0;
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
  testing::ForEachRaw(path, internal::kRollupCfs[1],
                      [&](std::string_view, std::string_view) { ++facts.hour_rollups; });
  return facts;
}

std::string LabelText(const Labels& labels) {
  std::string s;
  for (const Label& l : labels.items()) s += l.name + "=" + l.value + ",";
  return s;
}

// Every series' 1 h buckets through the Reader (stored rollups where a
// partition has them) equal buckets built from its scanned events; without
// the latency field they hold the same counts.
void ExpectExactHours(DB* db) {
  constexpr int64_t kHour = int64_t{3600} * 1'000'000'000;
  std::map<std::string, std::map<int64_t, rollup::RollupBucket>> expected;
  auto it = db->Scan(ScanOptions());
  ASSERT_TRUE(it.ok());
  for (; (*it)->Valid(); (*it)->Next()) {
    const Event& e = (*it)->event();
    expected[LabelText((*it)->labels())][e.time / kHour * kHour].AddEvent(e);
  }
  auto reader = db->NewReader();
  ASSERT_TRUE(reader.ok());
  auto series = (*reader)->Select({});
  ASSERT_TRUE(series.ok());
  ASSERT_EQ(series->size(), expected.size());
  for (const SeriesRef& ref : *series) {
    const auto& want = expected[LabelText(ref.labels)];
    for (FieldMask fields : {kAllFields, FieldBit(Field::kSuccess)}) {
      std::vector<Bucket> got;
      ASSERT_TRUE((*reader)
                      ->ReadBuckets(ref.id, Resolution::k1h, 0, INT64_MAX, fields, &got)
                      .ok());
      ASSERT_EQ(got.size(), want.size()) << LabelText(ref.labels);
      size_t i = 0;
      for (const auto& [start, bucket] : want) {
        EXPECT_EQ(got[i].start, start);
        if (fields == kAllFields) {
          EXPECT_TRUE(got[i].agg == bucket) << LabelText(ref.labels) << " " << start;
        } else {
          EXPECT_EQ(got[i].agg.count, bucket.count);
          EXPECT_EQ(got[i].agg.good, bucket.good);
        }
        ++i;
      }
    }
  }
}

struct Fixture {
  const char* dir;  // under tests/tools/fixtures
  uint32_t version;
  std::vector<fleet::FleetOptions> written;  // what the fixture holds
  std::vector<fleet::FleetOptions> late;     // appended after the upgrade
  bool packs;                                // whether it holds packs
  bool rollups;                              // and 1 h rollups
};

void PrintTo(const Fixture& fx, std::ostream* os) { *os << fx.dir; }

class FormatCompat : public ::testing::TestWithParam<Fixture> {};

TEST_P(FormatCompat, OpensAsItIsAndUpgradesWhenWritten) {
  const Fixture& fx = GetParam();
  std::string tmpl = (fs::temp_directory_path() / "sredb-compat-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const std::string path = tmpl + "/db";
  fs::copy(fs::path(SREDB_SOURCE_DIR) / "tests/tools/fixtures" / fx.dir, path);
  fs::remove(fs::path(path) / "README.md");
  std::vector<std::string> expected;
  for (const fleet::FleetOptions& o : fx.written) Generate(o, &expected, nullptr);
  std::sort(expected.begin(), expected.end());
  ASSERT_EQ(ReadRaw(path).version, fx.version);
  ASSERT_EQ(ReadRaw(path).packs > 0, fx.packs);
  ASSERT_EQ(ReadRaw(path).hour_rollups > 0, fx.rollups);

  Options read_only;
  read_only.read_only = true;
  {
    auto db = DB::Open(read_only, path);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ(ScanSorted(db->get()), expected);
    ExpectSound(db->get());
    ExpectExactHours(db->get());
  }
  EXPECT_EQ(ReadRaw(path).version, fx.version);  // a read-only open changes nothing

  Options manual;
  manual.background_sealing = false;
  {
    auto db = DB::Open(manual, path);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    // Late events for the sealed partitions: the re-seal rewrites the
    // chunks, packs and rollups of their series in the current format.
    for (const fleet::FleetOptions& o : fx.late) Generate(o, &expected, db->get());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(ScanSorted(db->get()), expected);
    ExpectExactHours(db->get());
    ASSERT_TRUE((*db)->Flush().ok());
    EXPECT_EQ(ScanSorted(db->get()), expected);
    ExpectSound(db->get());
    ExpectExactHours(db->get());
    ASSERT_TRUE((*db)->Close().ok());
  }
  EXPECT_EQ(ReadRaw(path).version, internal::kFormatVersion);
  EXPECT_GT(ReadRaw(path).packs, 0);  // sparse series' late events sealed into packs
  {
    auto db = DB::Open(read_only, path);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ(ScanSorted(db->get()), expected);
    ExpectExactHours(db->get());
  }
  fs::remove_all(tmpl);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FormatCompat,
                         ::testing::Values(
                             // Version 1: no packs; 3,000 events in 54 sparse series.
                             Fixture{"format_v1",
                                     1,
                                     {Fleet(30, 3, 3000, 7)},
                                     {Fleet(30, 3, 2000, 8)},
                                     false,
                                     false},
                             // Version 2: packs, and rollup buckets of version 1 (no
                             // latency length) for the busy series of one agent.
                             Fixture{"format_v2",
                                     2,
                                     {Fleet(1, 1, 8000, 9), Fleet(30, 2, 2000, 10)},
                                     {Fleet(1, 1, 3000, 11), Fleet(30, 2, 1000, 12)},
                                     true,
                                     true}),
                         [](const ::testing::TestParamInfo<Fixture>& info) {
                           return std::string(info.param.dir);
                         });

}  // namespace
}  // namespace sredb
