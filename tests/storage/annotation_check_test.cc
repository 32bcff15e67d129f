// Damaged annotation records: Check names them, reads over them fail with
// Corruption naming the record, reads elsewhere still answer.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace sredb
