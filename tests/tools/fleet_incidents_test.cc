// The incidents FleetGenerator injects: where they are placed, and that each
// stands out of the baseline in the generated events.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "storage/options.h"
#include "storage/rfc3339.h"
#include "tools/fleet.h"

namespace sredb::fleet {
namespace {

TEST(FleetIncidents, DefaultTimesLineUpWithTheQueryExamples) {
  EXPECT_EQ(
      DescribeIncidents(FleetOptions{}),
      "failure burst 2026-03-30T22:00:00Z .. 2026-03-31T00:00:00Z agent=agent-0003: "
      "success ~50%\n"
      "failure burst 2026-03-03T14:00:00Z .. 2026-03-03T16:00:00Z agent=agent-0042: "
      "success ~50%\n"
      "cost runaway 2026-03-30T21:00:00Z .. 2026-03-31T00:00:00Z agent=agent-0005: "
      "retry loop: tokens x20, cost x20\n"
      "latency spike 2026-03-30T18:00:00Z .. 2026-03-30T19:00:00Z model=gpt-4o: "
      "latency x3\n"
      "hallucination spike 2026-03-30T12:00:00Z .. 2026-03-31T00:00:00Z "
      "cohort=canary: ~30% of evaluated tasks hallucinate\n");
  EXPECT_NE(kGenHelp.find("--events"), std::string_view::npos);
  EXPECT_NE(kGenHelp.find("2026-03-03T14:00Z"), std::string_view::npos);
}

TEST(FleetIncidents, EveryWindowLiesInsideTheRange) {
  for (int days : {1, 2, 3, 7, 61, 62, 90, 365}) {
    for (int agents : {1, 4, 43, 1000}) {
      FleetOptions o;
      o.days = days;
      o.agents = agents;
      const int64_t end = o.start + days * kNanosPerDay;
      for (const Incident& i : PlannedIncidents(o)) {
        EXPECT_GE(i.begin, o.start) << days << " days";
        EXPECT_LT(i.begin, i.end);
        EXPECT_LE(i.end, end) << days << " days";
        if (!i.agent.empty()) {
          EXPECT_LT(std::stoi(i.agent.substr(6)), agents) << i.agent;
        }
      }
    }
  }
}

// Per incident: events matching its selector inside and outside its window.
struct Split {
  std::vector<Event> in, out;
};

bool Matches(const Incident& i, const Labels& l) {
  return (i.agent.empty() || l.Get("agent") == i.agent) &&
         (i.model.empty() || l.Get("model") == i.model) &&
         (i.cohort.empty() || l.Get("cohort") == i.cohort);
}

class FleetIncidentsVisible : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    options_ = new FleetOptions;
    options_->agents = 20;
    options_->days = 3;
    options_->events = 400'000;
    incidents_ = new std::vector<Incident>(PlannedIncidents(*options_));
    splits_ = new std::vector<Split>(incidents_->size());
    FleetGenerator gen(*options_);
    const Labels* labels;
    Event e;
    while (gen.Next(&labels, &e)) {
      for (size_t k = 0; k < incidents_->size(); ++k) {
        const Incident& i = (*incidents_)[k];
        if (!Matches(i, *labels)) continue;
        const bool inside = e.time >= i.begin && e.time < i.end;
        (inside ? (*splits_)[k].in : (*splits_)[k].out).push_back(e);
      }
    }
  }
  static void TearDownTestSuite() {
    delete options_;
    delete incidents_;
    delete splits_;
  }

  static const Split& Of(IncidentKind kind, int nth = 0) {
    for (size_t k = 0; k < incidents_->size(); ++k) {
      if ((*incidents_)[k].kind == kind && nth-- == 0) return (*splits_)[k];
    }
    ADD_FAILURE() << "no such incident";
    return (*splits_)[0];
  }

  static double SuccessRate(const std::vector<Event>& v) {
    double ok = 0;
    for (const Event& e : v) ok += e.success;
    return ok / v.size();
  }

  static inline FleetOptions* options_;
  static inline std::vector<Incident>* incidents_;
  static inline std::vector<Split>* splits_;
};

TEST_F(FleetIncidentsVisible, FailureBurstsHalveSuccess) {
  for (int nth : {0, 1}) {
    const Split& s = Of(IncidentKind::kFailureBurst, nth);
    ASSERT_GT(s.in.size(), 100u) << nth;
    EXPECT_NEAR(SuccessRate(s.in), 0.5, 0.12) << nth;
    EXPECT_GT(SuccessRate(s.out), 0.96) << nth;
  }
}

TEST_F(FleetIncidentsVisible, CostRunawayMultipliesCost) {
  const Split& s = Of(IncidentKind::kCostRunaway);
  ASSERT_GT(s.in.size(), 100u);
  auto mean_cost = [](const std::vector<Event>& v) {
    double sum = 0;
    for (const Event& e : v) sum += e.cost_micros;
    return sum / v.size();
  };
  const double factor = mean_cost(s.in) / mean_cost(s.out);
  EXPECT_GT(factor, 12);
  EXPECT_LT(factor, 30);
}

TEST_F(FleetIncidentsVisible, LatencySpikeTriplesTheModelsLatency) {
  const Split& s = Of(IncidentKind::kLatencySpike);
  ASSERT_GT(s.in.size(), 100u);
  auto median = [](const std::vector<Event>& v) {
    std::vector<float> l;
    for (const Event& e : v) l.push_back(e.latency_ms);
    std::nth_element(l.begin(), l.begin() + l.size() / 2, l.end());
    return l[l.size() / 2];
  };
  EXPECT_NEAR(median(s.in) / median(s.out), 3, 0.4);
}

TEST_F(FleetIncidentsVisible, CanaryHallucinatesDuringTheSpike) {
  const Split& s = Of(IncidentKind::kHallucinationSpike);
  auto rate = [](const std::vector<Event>& v) {
    double evaluated = 0, yes = 0;
    for (const Event& e : v) {
      evaluated += e.hallucinated != Tri::kUnknown;
      yes += e.hallucinated == Tri::kTrue;
    }
    return yes / evaluated;
  };
  EXPECT_NEAR(rate(s.in), 0.30, 0.07);
  EXPECT_LT(rate(s.out), 0.09);
}

}  // namespace
}  // namespace sredb::fleet
