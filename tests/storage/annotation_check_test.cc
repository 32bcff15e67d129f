// Damaged annotation records: Check names them, reads over them fail with
// Corruption naming the record, reads elsewhere still answer.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>

#include "storage/db.h"
#include "storage/internal/annotation_record.h"
#include "storage/internal/checksum.h"
#include "storage/internal/keys.h"
#include "test_util.h"

namespace sredb {
namespace {

using testing::DamageFirst;
using testing::FlipMiddleByte;
using testing::kT0;
using testing::ManualSealing;
using testing::OpenOrDie;
using testing::TempDir;

void Fill(DB* db) {
  std::vector<Annotation> batch(3);
  for (int i = 0; i < 3; ++i) {
    batch[i].time = kT0 + i * 1000;
    batch[i].type = "DEPLOY";
    batch[i].labels = {{"agent", "a" + std::to_string(i)}};
    batch[i].detail = "step " + std::to_string(i) + " of the rollout";
  }
  ASSERT_TRUE(db->Annotate(WriteOptions(), batch).ok());
}

TEST(AnnotationCheck, AFlippedByteIsNamedByCheckAndByReads) {
  TempDir dir;
  {
    auto db = OpenOrDie(dir.path(), ManualSealing());
    Fill(db.get());
    auto report = db->Check();
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->problems.empty()) << report->problems[0];
  }
  // The first key: the annotation at kT0, seq 0.
  DamageFirst(dir.path(), internal::kAnnotationsCf, "", FlipMiddleByte);
  auto db = OpenOrDie(dir.path(), ManualSealing());
  auto report = db->Check();
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problems.size(), 1u);
  const std::string name = "annotation (time " + std::to_string(kT0) + ", seq 0)";
  EXPECT_NE(report->problems[0].find(name + ": bad checksum"), std::string::npos)
      << report->problems[0];

  auto reader = db->NewReader();
  ASSERT_TRUE(reader.ok());
  std::vector<Annotation> out;
  Status s = (*reader)->ReadAnnotations(kT0, kT0 + 10'000, {}, &out);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(name), std::string::npos) << s.message();
  out.clear();
  ASSERT_TRUE((*reader)->ReadAnnotations(kT0 + 1, kT0 + 10'000, {}, &out).ok());
  EXPECT_EQ(out.size(), 2u);
}

TEST(AnnotationRecord, RefusesEveryTruncationAndTrailingBytes) {
  Annotation a;
  a.time = kT0;
  a.type = "SLO_BREACH";
  a.labels = {{"agent", "x"}};
  a.value = 2.5;
  a.threshold = 1;
  a.detail = "burn";
  const std::string record = internal::EncodeAnnotation(a);
  Annotation back;
  ASSERT_TRUE(internal::DecodeAnnotation(record, kT0, &back).ok());
  EXPECT_EQ(back, a);
  for (size_t n = 0; n < record.size(); ++n) {
    EXPECT_TRUE(
        internal::DecodeAnnotation(record.substr(0, n), kT0, &back).IsCorruption())
        << n;
  }
  // A body that decodes but leaves bytes over, resealed with a good checksum.
  std::string body = record.substr(0, record.size() - 8) + "x";
  std::string resealed = body;
  internal::SealWithChecksum(&resealed);
  Status s = internal::DecodeAnnotation(resealed, kT0, &back);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("bytes after the detail"), std::string::npos) << s.message();
}

// A database written before annotations existed: the same layout without
// the annotations family.
void DropAnnotationsFamily(const std::string& path) {
  {
    testing::RawDb raw(path, /*read_only=*/false);
    ASSERT_TRUE(raw.ok());
    rocksdb::ColumnFamilyHandle* h = raw.Family(internal::kAnnotationsCf);
    ASSERT_NE(h, nullptr);
    ASSERT_TRUE(raw.db()->DropColumnFamily(h).ok());
  }
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  ASSERT_EQ(std::count(names.begin(), names.end(), internal::kAnnotationsCf), 0);
}

TEST(AnnotationCompatibility, ADatabaseWithoutTheFamilyReadsAsNoAnnotations) {
  TempDir dir;
  {
    auto db = OpenOrDie(dir.path(), ManualSealing());
    EventBatch batch;
    Event e;
    e.time = kT0;
    batch.Add(batch.AddSeries(testing::AgentLabels("a")), e);
    ASSERT_TRUE(db->Append(WriteOptions(), batch).ok());
  }
  DropAnnotationsFamily(dir.path());
  {
    Options ro = ManualSealing();
    ro.read_only = true;
    auto db = DB::Open(ro, dir.path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto reader = (*db)->NewReader();
    ASSERT_TRUE(reader.ok());
    std::vector<Annotation> out;
    ASSERT_TRUE((*reader)->ReadAnnotations(0, kT0 * 2, {}, &out).ok());
    EXPECT_TRUE(out.empty());
    auto stats = (*db)->GetStats();
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->annotations, 0u);
    EXPECT_EQ(stats->events, 1u);
    auto report = (*db)->Check();
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->problems.empty()) << report->problems[0];
  }
  // A writer creates the family and annotates.
  auto db = OpenOrDie(dir.path(), ManualSealing());
  std::vector<Annotation> one(1);
  one[0].time = kT0;
  one[0].type = "NOTE";
  ASSERT_TRUE(db->Annotate(WriteOptions(), one).ok());
  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->annotations, 1u);
}

}  // namespace
}  // namespace sredb
