// The query layer's read interface: column reads and rollup buckets equal a
// brute-force pass over the events appended, whatever mix of head, chunks,
// late events and stored rollups holds them; rollups are built only where
// they pay; each tier's retention drops what it should and keeps answers.
#include "storage/reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "storage/db.h"
#include "storage/internal/keys.h"
#include "test_util.h"

namespace sredb {
namespace {

using testing::AgentLabels;
using testing::DamageFirst;
using testing::FlipMiddleByte;
using testing::kT0;
using testing::ManualSealing;
using testing::OpenOrDie;
using testing::RandomEvent;
using testing::TempDir;

constexpr int64_t kMinute = 60 * kNanosPerSecond;
constexpr int64_t kHour = 60 * kMinute;

// Every event appended, by agent, in arrival order.
using Appended = std::map<std::string, std::vector<Event>>;

void AppendAll(DB* db, const std::vector<std::pair<std::string, Event>>& events,
               Appended* appended) {
  EventBatch batch;
  for (const auto& [agent, e] : events) {
    batch.Add(batch.AddSeries(AgentLabels(agent)), e);
    (*appended)[agent].push_back(e);
  }
  ASSERT_TRUE(db->Append(WriteOptions(), batch).ok());
}

// The events of `agent` in [from, to) in (time, arrival) order.
std::vector<Event> Expected(const Appended& appended, const std::string& agent,
                            int64_t from, int64_t to) {
  std::vector<Event> out;
  auto it = appended.find(agent);
  if (it == appended.end()) return out;
  for (const Event& e : it->second) {
    if (e.time >= from && e.time < to) out.push_back(e);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Event& a, const Event& b) { return a.time < b.time; });
  return out;
}

std::vector<Bucket> ExpectedBuckets(const std::vector<Event>& events, int64_t res) {
  std::map<int64_t, rollup::RollupBucket> by_start;
  for (const Event& e : events) by_start[e.time / res * res].AddEvent(e);
  std::vector<Bucket> out;
  for (auto& [start, b] : by_start) out.push_back(Bucket{start, b});
  return out;
}

uint64_t IdOf(Reader* reader, const std::string& agent) {
  LabelMatcher m{"agent", LabelMatcher::Op::kEq, {agent}};
  auto s = reader->Select(std::span<const LabelMatcher>(&m, 1));
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s->size(), 1u);
  return s->empty() ? 0 : s->front().id;
}

// Compares every column of `fields` of `got` with `want`, and checks the
// others stayed empty.
void ExpectColumns(const Columns& got, const std::vector<Event>& want, FieldMask fields) {
  ASSERT_EQ(got.size(), want.size());
  auto has = [fields](Field f) { return (fields & FieldBit(f)) != 0; };
  EXPECT_EQ(got.success.size(), has(Field::kSuccess) ? want.size() : 0);
  EXPECT_EQ(got.latency_ms.size(), has(Field::kLatency) ? want.size() : 0);
  EXPECT_EQ(got.error_kind.size(), has(Field::kErrorKind) ? want.size() : 0);
  for (size_t i = 0; i < want.size(); ++i) {
    const Event& e = want[i];
    ASSERT_EQ(got.time[i], e.time) << i;
    // Each EXPECT in braces: gtest's macros end in a dangling else.
    if (has(Field::kSuccess)) {
      EXPECT_EQ(got.success[i] != 0, e.success) << i;
    }
    if (has(Field::kHallucinated)) {
      EXPECT_EQ(got.hallucinated[i], e.hallucinated) << i;
    }
    if (has(Field::kLatency)) {
      EXPECT_EQ(got.latency_ms[i], e.latency_ms) << i;
    }
    if (has(Field::kTtft)) {
      EXPECT_EQ(std::isnan(got.ttft_ms[i]), !e.ttft_ms.has_value()) << i;
      if (e.ttft_ms) {
        EXPECT_EQ(got.ttft_ms[i], *e.ttft_ms) << i;
      }
    }
    if (has(Field::kCost)) {
      EXPECT_EQ(got.cost_micros[i], e.cost_micros) << i;
    }
    if (has(Field::kTokensIn)) {
      EXPECT_EQ(got.tokens_in[i], e.tokens_in) << i;
    }
    if (has(Field::kTokensOut)) {
      EXPECT_EQ(got.tokens_out[i], e.tokens_out) << i;
    }
    if (has(Field::kPolicyViolations)) {
      EXPECT_EQ(got.policy_violations[i], e.policy_violations) << i;
    }
    if (has(Field::kToolCalls)) {
      EXPECT_EQ(got.tool_calls[i], e.tool_calls) << i;
    }
    if (has(Field::kToolFailures)) {
      EXPECT_EQ(got.tool_failures[i], e.tool_failures) << i;
    }
    if (has(Field::kRating)) {
      EXPECT_EQ(std::isnan(got.user_rating[i]), !e.user_rating.has_value()) << i;
      if (e.user_rating) {
        EXPECT_EQ(got.user_rating[i], *e.user_rating) << i;
      }
    }
    if (has(Field::kErrorKind)) {
      EXPECT_EQ(got.error_kind[i], e.error_kind) << i;
    }
    if (has(Field::kTraceId)) {
      EXPECT_EQ(got.trace_id[i], e.trace_id) << i;
    }
  }
}

void ExpectBuckets(const std::vector<Bucket>& got, const std::vector<Bucket>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].start, want[i].start) << i;
    EXPECT_TRUE(got[i].agg == want[i].agg)
        << "bucket " << i << " at " << got[i].start << ": count " << got[i].agg.count
        << " vs " << want[i].agg.count;
  }
}

// Random events over `days` days for agents a0..a3 of very different rates
// (a0: 9000 in the first hour of each day, a1: 300 an hour, a2: 40, a3: 3),
// shuffled.
std::vector<std::pair<std::string, Event>> RandomFleet(std::mt19937_64& rng,
                                                       int64_t start, int days) {
  std::vector<std::pair<std::string, Event>> out;
  const int per_hour[] = {9000, 300, 40, 3};
  for (int a = 0; a < 4; ++a) {
    const int64_t n = int64_t{per_hour[a]} * days * (a == 0 ? 1 : 24);
    for (int64_t i = 0; i < n; ++i) {
      int64_t t = a == 0 ? start + int64_t(rng() % days) * kNanosPerDay +
                               int64_t(rng() % uint64_t(kHour))
                         : start + int64_t(rng() % uint64_t(days * kNanosPerDay));
      if (rng() % 50 == 0) t = t / kMinute * kMinute;  // equal times
      out.emplace_back("a" + std::to_string(a), RandomEvent(rng, t));
    }
  }
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

void AppendInBatches(DB* db, const std::vector<std::pair<std::string, Event>>& all,
                     Appended* appended) {
  for (size_t i = 0; i < all.size(); i += 5000) {
    std::vector<std::pair<std::string, Event>> part(
        all.begin() + i, all.begin() + std::min(all.size(), i + 5000));
    AppendAll(db, part, appended);
  }
}

// Checks column reads and both resolutions of buckets for every agent over
// a few ranges against the brute force.
void CheckAgainstBruteForce(DB* db, const Appended& appended, std::mt19937_64& rng) {
  auto reader = db->NewReader();
  ASSERT_TRUE(reader.ok());
  const int64_t ranges[][2] = {
      {kT0, kT0 + 3 * kNanosPerDay},
      {kT0 + 5 * kHour, kT0 + 30 * kHour},
      {kT0 + kNanosPerDay - kHour, kT0 + kNanosPerDay + 2 * kMinute},
      {kT0 - kNanosPerDay, kT0 + 4 * kNanosPerDay},
      {kT0 + kNanosPerDay + 3 * kHour,
       kT0 + kNanosPerDay + 20 * kHour}};  // one partition
  for (const auto& [agent, events] : appended) {
    const uint64_t id = IdOf(reader->get(), agent);
    for (const auto& r : ranges) {
      SCOPED_TRACE(agent + " [" + std::to_string(r[0]) + ", " + std::to_string(r[1]) +
                   ")");
      const std::vector<Event> want = Expected(appended, agent, r[0], r[1]);
      const FieldMask fields = static_cast<FieldMask>(rng()) & kAllFields;
      Columns got;
      ASSERT_TRUE((*reader)->ReadColumns(id, r[0], r[1], fields, &got).ok());
      ExpectColumns(got, want, fields);
      // The same rows in place (a pack member's) or through the scratch.
      Columns scratch, viewed;
      RowsView rows;
      ASSERT_TRUE((*reader)->ReadRows(id, r[0], r[1], fields, &scratch, &rows).ok());
      ASSERT_NE(rows.columns, nullptr);
      for (size_t i = rows.begin; i < rows.end; ++i) {
        Event e;
        rows.columns->GetRow(i, &e);
        viewed.Append(e, fields);
      }
      ExpectColumns(viewed, want, fields);
      for (Resolution res : {Resolution::k1m, Resolution::k1h}) {
        // Bucket reads take whole buckets: widen the range to them.
        const int64_t ns = ResolutionNs(res);
        const int64_t from = r[0] / ns * ns, to = (r[1] + ns - 1) / ns * ns;
        std::vector<Bucket> buckets;
        Status s = (*reader)->ReadBuckets(id, res, from, to, kAllFields, &buckets);
        ASSERT_TRUE(s.ok()) << s.ToString();
        ExpectBuckets(buckets, ExpectedBuckets(Expected(appended, agent, from, to), ns));
      }
    }
  }
}

TEST(Reader, ColumnsAndBucketsEqualBruteForceThroughHeadSealingAndLateEvents) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), ManualSealing());
  std::mt19937_64 rng(7);
  Appended appended;
  AppendInBatches(db.get(), RandomFleet(rng, kT0, 3), &appended);
  CheckAgainstBruteForce(db.get(), appended, rng);  // all in head
  // Events far ahead make the three days sealable.
  AppendAll(db.get(), {{"a1", RandomEvent(rng, kT0 + 10 * kNanosPerDay)}}, &appended);
  ASSERT_TRUE(db->Flush().ok());
  CheckAgainstBruteForce(db.get(), appended, rng);  // chunks and rollups
  // Late events: into sealed partitions, some at times already present.
  AppendInBatches(db.get(), RandomFleet(rng, kT0, 3), &appended);
  CheckAgainstBruteForce(db.get(), appended, rng);  // rollups + head merged
  ASSERT_TRUE(db->Flush().ok());
  CheckAgainstBruteForce(db.get(), appended, rng);  // re-sealed, rollups rebuilt
  auto check = db->Check();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->problems.empty()) << check->problems[0];
}

TEST(Reader, RollupsAreBuiltOnlyWhereTheyPay) {
  TempDir dir;
  Options o = ManualSealing();
  o.rollup_min_bucket_events = 100;
  auto db = OpenOrDie(dir.path(), o);
  std::mt19937_64 rng(8);
  Appended appended;
  AppendInBatches(db.get(), RandomFleet(rng, kT0, 3), &appended);
  AppendAll(db.get(), {{"a1", RandomEvent(rng, kT0 + 10 * kNanosPerDay)}}, &appended);
  ASSERT_TRUE(db->Flush().ok());
  auto reader = db->NewReader();
  ASSERT_TRUE(reader.ok());
  Reader* r = reader->get();
  const int64_t t = kT0 + kNanosPerDay;
  // a0: 9000 within one hour a day (150 a minute): both tiers.
  EXPECT_TRUE(r->HasRollups(IdOf(r, "a0"), Resolution::k1m, t));
  EXPECT_TRUE(r->HasRollups(IdOf(r, "a0"), Resolution::k1h, t));
  // a1: 300 an hour: hours pay, minutes (5 each) do not.
  EXPECT_FALSE(r->HasRollups(IdOf(r, "a1"), Resolution::k1m, t));
  EXPECT_TRUE(r->HasRollups(IdOf(r, "a1"), Resolution::k1h, t));
  // a2, a3: neither.
  for (const char* a : {"a2", "a3"}) {
    EXPECT_FALSE(r->HasRollups(IdOf(r, a), Resolution::k1m, t)) << a;
    EXPECT_FALSE(r->HasRollups(IdOf(r, a), Resolution::k1h, t)) << a;
  }
  // Answers are the same either way, and the stored ones are read.
  std::vector<Bucket> buckets;
  ASSERT_TRUE(r->ReadBuckets(IdOf(r, "a1"), Resolution::k1h, kT0, kT0 + 3 * kNanosPerDay,
                             kAllFields, &buckets)
                  .ok());
  ExpectBuckets(
      buckets,
      ExpectedBuckets(Expected(appended, "a1", kT0, kT0 + 3 * kNanosPerDay), kHour));
  EXPECT_EQ(r->counters().rollup_records, 3u);
  EXPECT_EQ(r->counters().rollup_buckets, 72u);
  EXPECT_EQ(r->counters().chunks, 0u);
}

TEST(Reader, UnboundedRangesReadEverything) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), ManualSealing());
  std::mt19937_64 rng(11);
  Appended appended;
  AppendInBatches(db.get(), RandomFleet(rng, kT0, 2), &appended);
  AppendAll(db.get(), {{"a3", RandomEvent(rng, 0)}}, &appended);  // at the epoch
  ASSERT_TRUE(db->Flush().ok());
  auto reader = db->NewReader();
  ASSERT_TRUE(reader.ok());
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  for (const auto& [agent, events] : appended) {
    SCOPED_TRACE(agent);
    const uint64_t id = IdOf(reader->get(), agent);
    const std::vector<Event> all = Expected(appended, agent, kMin, kMax);
    Columns got;
    ASSERT_TRUE((*reader)->ReadColumns(id, kMin, kMax, kAllFields, &got).ok());
    ExpectColumns(got, all, kAllFields);
    std::vector<Bucket> hours;
    Status s =
        (*reader)->ReadBuckets(id, Resolution::k1h, kMin, kMax, kAllFields, &hours);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ExpectBuckets(hours, ExpectedBuckets(all, kHour));
    EXPECT_FALSE((*reader)->HasRollups(id, Resolution::k1h, kMin));
  }
}

TEST(Reader, UnalignedBucketRangesAreRefused) {
  TempDir dir;
  auto db = OpenOrDie(dir.path(), ManualSealing());
  auto reader = db->NewReader();
  ASSERT_TRUE(reader.ok());
  std::vector<Bucket> buckets;
  EXPECT_TRUE(
      (*reader)
          ->ReadBuckets(1, Resolution::k1h, kT0 + 1, kT0 + kHour, kAllFields, &buckets)
          .IsInvalidArgument());
}

TEST(Reader, AFlippedRollupByteIsCorruptionNamingItAndTheRestStaysReadable) {
  TempDir dir;
  Options o = ManualSealing();
  o.rollup_min_bucket_events = 0;
  std::mt19937_64 rng(9);
  Appended appended;
  {
    auto db = OpenOrDie(dir.path(), o);
    AppendAll(db.get(),
              {{"a", RandomEvent(rng, kT0 + kHour)},
               {"b", RandomEvent(rng, kT0 + kHour)},
               {"b", RandomEvent(rng, kT0 + 5 * kNanosPerDay)}},
              &appended);
    ASSERT_TRUE(db->Flush().ok());
  }
  DamageFirst(dir.path(), internal::kRollup1hCf, "", FlipMiddleByte);
  auto db = OpenOrDie(dir.path(), o);
  auto reader = db->NewReader();
  ASSERT_TRUE(reader.ok());
  int corrupt = 0;
  for (const char* agent : {"a", "b"}) {
    std::vector<Bucket> buckets;
    Status s = (*reader)->ReadBuckets(IdOf(reader->get(), agent), Resolution::k1h, kT0,
                                      kT0 + kNanosPerDay, kAllFields, &buckets);
    if (s.IsCorruption()) {
      ++corrupt;
      EXPECT_NE(s.message().find("rollups_1h record (partition"), std::string::npos)
          << s.message();
    } else {
      ASSERT_TRUE(s.ok()) << s.ToString();
      ExpectBuckets(
          buckets,
          ExpectedBuckets(Expected(appended, agent, kT0, kT0 + kNanosPerDay), kHour));
    }
    // Raw reads of the same series stay whole.
    Columns c;
    EXPECT_TRUE((*reader)
                    ->ReadColumns(IdOf(reader->get(), agent), kT0, kT0 + kNanosPerDay,
                                  kAllFields, &c)
                    .ok());
    EXPECT_EQ(c.size(), 1u);
  }
  EXPECT_EQ(corrupt, 1);
  auto check = db->Check();
  ASSERT_TRUE(check.ok());
  ASSERT_EQ(check->problems.size(), 1u);
  EXPECT_NE(check->problems[0].find("rollups_1h record"), std::string::npos)
      << check->problems[0];
}

// Retention per tier: raw 2 days, 1 minute 4 days, 1 hour 6 days.
Options TieredRetention() {
  Options o = ManualSealing();
  o.raw_retention_ns = 2 * kNanosPerDay;
  o.rollup_1m_retention_ns = 4 * kNanosPerDay;
  o.rollup_1h_retention_ns = 6 * kNanosPerDay;
  return o;
}

TEST(Reader, EachTierIsDroppedAtItsHorizonAndHourBucketsOutliveRaw) {
  TempDir dir;
  Options o = TieredRetention();
  o.rollup_min_bucket_events = 100;
  auto db = OpenOrDie(dir.path(), o);
  std::mt19937_64 rng(10);
  Appended appended;
  // Ten days of events, 5 a day for "sparse" (never worth a rollup), 200 a
  // minute in the first minute of each day for "busy" (worth both tiers).
  for (int day = 0; day < 10; ++day) {  // a day at a time, as they happen
    std::vector<std::pair<std::string, Event>> events;
    const int64_t d = kT0 + day * kNanosPerDay;
    for (int i = 0; i < 5; ++i)
      events.emplace_back("sparse", RandomEvent(rng, d + i * 3 * kHour + 17));
    for (int i = 0; i < 200; ++i)
      events.emplace_back("busy", RandomEvent(rng, d + i * 1000));
    AppendAll(db.get(), events, &appended);
  }
  // Newest event: day 10 + 1h. A partition's tier goes once the partition's
  // end lies its retention behind: raw for days 0..7, minutes for 0..5,
  // hours (and the partition) for 0..3.
  AppendAll(db.get(), {{"sparse", RandomEvent(rng, kT0 + 10 * kNanosPerDay + kHour)}},
            &appended);
  ASSERT_TRUE(db->Flush().ok());

  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->raw.partitions, 3u);        // days 8, 9, 10
  EXPECT_EQ(stats->rollup_1m.partitions, 5u);  // days 6..10
  EXPECT_EQ(stats->rollup_1h.partitions, 7u);  // days 4..10
  EXPECT_EQ(stats->partitions, 7u);
  EXPECT_EQ(stats->raw.oldest, kT0 + 8 * kNanosPerDay);
  EXPECT_EQ(stats->rollup_1h.oldest, kT0 + 4 * kNanosPerDay);
  EXPECT_EQ(stats->raw.retention_ns, 2 * kNanosPerDay);
  EXPECT_EQ(stats->rollup_1h.retention_ns, 6 * kNanosPerDay);
  EXPECT_EQ(stats->events, 5u * 2 + 200 * 2 + 1);

  auto reader = db->NewReader();
  ASSERT_TRUE(reader.ok());
  Reader* r = reader->get();
  EXPECT_EQ(r->raw_horizon(), kT0 + 8 * kNanosPerDay);
  const int64_t from = kT0 + 4 * kNanosPerDay, to = kT0 + 11 * kNanosPerDay;
  for (const char* agent : {"sparse", "busy"}) {
    SCOPED_TRACE(agent);
    const uint64_t id = IdOf(r, agent);
    // Hour buckets answer for every kept day, from the raw tier or the
    // buckets built before raw was dropped.
    std::vector<Bucket> hours;
    ASSERT_TRUE(r->ReadBuckets(id, Resolution::k1h, from, to, kAllFields, &hours).ok());
    ExpectBuckets(hours, ExpectedBuckets(Expected(appended, agent, from, to), kHour));
    // Before the horizon of the hour tier nothing is left.
    hours.clear();
    ASSERT_TRUE(r->ReadBuckets(id, Resolution::k1h, kT0, from, kAllFields, &hours).ok());
    EXPECT_TRUE(hours.empty());
    // Raw reads see only the raw tier.
    Columns c;
    ASSERT_TRUE(r->ReadColumns(id, kT0, to, kAllFields, &c).ok());
    EXPECT_EQ(c.size(), Expected(appended, agent, kT0 + 8 * kNanosPerDay, to).size());
  }
  // Minutes: kept for the busy series on days 6 and 7 (built at seal
  // time), never built for the sparse one, whose raw events are gone there.
  std::vector<Bucket> minutes;
  const int64_t day6 = kT0 + 6 * kNanosPerDay;
  ASSERT_TRUE(r->ReadBuckets(IdOf(r, "busy"), Resolution::k1m, day6, day6 + kNanosPerDay,
                             kAllFields, &minutes)
                  .ok());
  ExpectBuckets(
      minutes,
      ExpectedBuckets(Expected(appended, "busy", day6, day6 + kNanosPerDay), kMinute));
  minutes.clear();
  Status gone = r->ReadBuckets(IdOf(r, "sparse"), Resolution::k1m, day6,
                               day6 + kNanosPerDay, kAllFields, &minutes);
  EXPECT_TRUE(gone.IsNotFound()) << gone.ToString();
  EXPECT_NE(gone.message().find("ask for 1h"), std::string::npos) << gone.message();
  reader->reset();

  auto check = db->Check();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->problems.empty()) << check->problems[0];
  // Events for a partition whose raw tier is gone are refused.
  EventBatch late;
  late.Add(late.AddSeries(AgentLabels("sparse")), RandomEvent(rng, day6));
  EXPECT_TRUE(db->Append(WriteOptions(), late).IsInvalidArgument());
}

TEST(Reader, RetentionIsRecordedInTheDatabase) {
  TempDir dir;
  {
    auto db = OpenOrDie(dir.path(), TieredRetention());
    ASSERT_TRUE(db->Close().ok());
  }
  // A later open that sets nothing keeps the recorded horizons: read-only...
  Options ro;
  ro.read_only = true;
  auto reader = DB::Open(ro, dir.path());
  ASSERT_TRUE(reader.ok());
  auto stats = (*reader)->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->raw.retention_ns, 2 * kNanosPerDay);
  EXPECT_EQ(stats->rollup_1m.retention_ns, 4 * kNanosPerDay);
  EXPECT_EQ(stats->rollup_1h.retention_ns, 6 * kNanosPerDay);
  reader->reset();
  // ...and a writer, until it sets its own.
  {
    Options o = ManualSealing();
    o.rollup_1h_retention_ns = 0;  // for ever
    auto db = OpenOrDie(dir.path(), o);
    auto st = db->GetStats();
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->raw.retention_ns, 2 * kNanosPerDay);
    EXPECT_EQ(st->rollup_1h.retention_ns, 0);
  }
  // Coarser tiers may not be kept shorter than finer ones.
  Options bad = ManualSealing();
  bad.rollup_1m_retention_ns = kNanosPerDay;  // raw is recorded as 2 days
  auto refused = DB::Open(bad, dir.path());
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().IsInvalidArgument());
  EXPECT_NE(refused.status().message().find("rollup_1m_retention_ns"), std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace sredb
