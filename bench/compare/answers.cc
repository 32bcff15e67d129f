// The fleets, the questions and the checks of compare_bench (compare.h).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "bench/compare/compare.h"
#include "storage/rfc3339.h"

namespace sredb::compare {
namespace {

int64_t Instant(const char* rfc3339) { return ParseRfc3339(rfc3339).value(); }

// QUERY.md's statements; Q1 and Q3 take the agent and the range.
QuerySpec MakeQueries(const std::string& agent, const std::string& begin,
                      const std::string& end) {
  QuerySpec q;
  q.agent = agent;
  q.range_begin = Instant(begin.c_str());
  q.range_end = Instant(end.c_str());
  q.at = Instant("2026-03-31T00:00:00Z");
  const std::string where = "WHERE agent = '" + agent + "' AND time >= '" + begin +
                            "' AND time < '" + end + "'";
  q.text[0] = "SELECT rate(success) FROM tasks " + where;
  q.text[1] =
      "SELECT agent, burn_rate(success, 0.99) OVER 5m AS br_5m, burn_rate(success, 0.99) "
      "OVER 1h AS br_1h, burn_rate(success, 0.99) OVER 6h AS br_6h, burn_rate(success, "
      "0.99) OVER 3d AS br_3d FROM tasks AT '2026-03-31T00:00:00Z' GROUP BY agent ORDER "
      "BY "
      "br_1h DESC LIMIT 10";
  q.text[2] =
      "SELECT bucket(1h) AS hour, count(), rate(success), p99(latency_ms), sum(cost_usd) "
      "FROM tasks " +
      where + " GROUP BY hour";
  q.text[3] =
      "SELECT agent, zscore(sum(cost_usd), 1h, 7d) AS z FROM tasks AT "
      "'2026-03-31T00:00:00Z' GROUP BY agent HAVING z > 3";
  q.text[4] =
      "SELECT cohort, count(), rate(success), rate(hallucinated), p95(latency_ms), "
      "avg(cost_usd) FROM tasks AT '2026-03-31T00:00:00Z' WHERE time IN LAST 1d GROUP BY "
      "cohort";
  return q;
}

bool Near(double want, double got, double rel) {
  return std::fabs(want - got) <= rel * std::max(std::fabs(want), std::fabs(got)) + 1e-15;
}

std::string Show(const Cell& c, Rule r) {
  if (c.null) return "NULL";
  char buf[64];
  switch (r) {
    case Rule::kText:
      return "'" + c.s + "'";
    case Rule::kInt:
      return std::to_string(c.i);
    case Rule::kReal:
    case Rule::kQuantile:
      std::snprintf(buf, sizeof buf, "%.17g", c.d);
      return buf;
  }
  return "?";
}

// "" when the cells agree under the rule; `sketch`: got's quantiles are
// sredb's estimates.
std::string CellDiff(const Cell& want, const Cell& got, Rule r, bool sketch) {
  bool same = want.null == got.null;
  if (same && !want.null) {
    switch (r) {
      case Rule::kText:
        same = want.s == got.s;
        break;
      case Rule::kInt:
        same = want.i == got.i;
        break;
      case Rule::kReal:
        same = Near(want.d, got.d, 1e-9);
        break;
      case Rule::kQuantile:
        same = sketch ? std::fabs(want.d - got.d) <= 0.01 * std::fabs(want.d) + 1e-9
                      : want.d == got.d;
        break;
    }
  }
  return same ? "" : "want " + Show(want, r) + ", got " + Show(got, r);
}

std::string RowDiff(const Table& t, const std::vector<Cell>& want,
                    const std::vector<Cell>& got, bool sketch) {
  std::string out;
  for (size_t c = 0; c < t.names.size(); ++c) {
    std::string d = CellDiff(want[c], got[c], t.rules[c], sketch);
    if (!d.empty()) out += " " + t.names[c] + ": " + d + ";";
  }
  return out;
}

bool KeyLess(const std::vector<Cell>& a, const std::vector<Cell>& b) {
  return a[0].s != b[0].s ? a[0].s < b[0].s : a[0].i < b[0].i;
}

// Rows of `want` and `got` matched by their first column.
std::string KeyedDiff(const Table& want_in, const Table& got_in, bool sketch) {
  Table want = want_in, got = got_in;
  std::sort(want.rows.begin(), want.rows.end(), KeyLess);
  std::sort(got.rows.begin(), got.rows.end(), KeyLess);
  std::string out;
  int shown = 0;
  if (want.rows.size() != got.rows.size()) {
    out += "want " + std::to_string(want.rows.size()) + " rows, got " +
           std::to_string(got.rows.size()) + "\n";
  }
  for (size_t r = 0; r < std::max(want.rows.size(), got.rows.size()) && shown < 10; ++r) {
    if (r >= want.rows.size() || r >= got.rows.size()) {
      const auto& extra = r < want.rows.size() ? want.rows[r] : got.rows[r];
      out += (r < want.rows.size() ? "  missing row " : "  extra row ") +
             Show(extra[0], want.rules[0]) + "\n";
      ++shown;
      continue;
    }
    std::string d = RowDiff(want, want.rows[r], got.rows[r], sketch);
    if (!d.empty()) {
      out += "  row " + Show(want.rows[r][0], want.rules[0]) + " vs " +
             Show(got.rows[r][0], want.rules[0]) + ":" + d + "\n";
      ++shown;
    }
  }
  return out;
}

// sredb's top 10 of Q2 against a peer's every agent.
std::string Top10Diff(const Table& want_in, const Table& got) {
  Table want = want_in;
  // br_1h descending, NULLs last.
  std::stable_sort(want.rows.begin(), want.rows.end(), [](const auto& a, const auto& b) {
    if (a[2].null != b[2].null) return b[2].null;
    return !a[2].null && a[2].d > b[2].d;
  });
  const size_t n = std::min<size_t>(10, want.rows.size());
  if (got.rows.size() != n) {
    return "want " + std::to_string(n) + " rows, got " + std::to_string(got.rows.size()) +
           "\n";
  }
  std::string out;
  for (size_t r = 0; r < n; ++r) {
    std::string d = CellDiff(want.rows[r][2], got.rows[r][2], Rule::kReal, true);
    if (!d.empty()) out += "  rank " + std::to_string(r + 1) + " br_1h: " + d + "\n";
    auto same_agent =
        std::find_if(want.rows.begin(), want.rows.end(),
                     [&](const auto& w) { return w[0].s == got.rows[r][0].s; });
    if (same_agent == want.rows.end()) {
      out += "  unknown agent " + got.rows[r][0].s + "\n";
    } else if (std::string rd = RowDiff(want, *same_agent, got.rows[r], true);
               !rd.empty()) {
      out += "  agent " + got.rows[r][0].s + ":" + rd + "\n";
    }
  }
  return out;
}

}  // namespace

FleetSpec StandardFleet(int64_t events) {
  FleetSpec f;
  f.name = "standard";
  f.options.agents = 1000;
  f.options.days = 90;
  f.options.events = events;
  f.options.start = Instant("2026-01-01T00:00:00Z");
  f.queries = MakeQueries("agent-0042", "2026-03-01T00:00:00Z", "2026-03-31T00:00:00Z");
  return f;
}

// 7 days ending where the standard fleet ends (2026-04-01), so that the
// injected incidents sit at the same place before Q2/Q4/Q5's instant
// (2026-03-31T00:00:00Z). agent-0002 takes agent-0042's role (42 mod 10: it
// gets agent-0042's failure burst, on 2026-03-28 14:00-16:00), and Q1/Q3 cover
// the fleet's 6 days before the instant instead of March's 30.
FleetSpec DenseFleet(int64_t events) {
  FleetSpec f;
  f.name = "dense";
  f.options.agents = 10;
  f.options.days = 7;
  f.options.events = events;
  f.options.start = Instant("2026-03-25T00:00:00Z");
  f.queries = MakeQueries("agent-0002", "2026-03-25T00:00:00Z", "2026-03-31T00:00:00Z");
  return f;
}

Table EmptyAnswer(int q) {
  Table t;
  switch (q) {
    case 0:
      t.names = {"rate(success)"};
      t.rules = {Rule::kReal};
      break;
    case 1:
      t.names = {"agent", "br_5m", "br_1h", "br_6h", "br_3d"};
      t.rules = {Rule::kText, Rule::kReal, Rule::kReal, Rule::kReal, Rule::kReal};
      break;
    case 2:
      t.names = {"hour", "count", "rate(success)", "p99(latency_ms)", "cost_micros"};
      t.rules = {Rule::kInt, Rule::kInt, Rule::kReal, Rule::kQuantile, Rule::kInt};
      break;
    case 3:
      t.names = {"agent", "z"};
      t.rules = {Rule::kText, Rule::kReal};
      break;
    default:
      t.names = {"cohort",          "count",        "rate(success)", "rate(hallucinated)",
                 "p95(latency_ms)", "avg(cost_usd)"};
      t.rules = {Rule::kText, Rule::kInt,      Rule::kReal,
                 Rule::kReal, Rule::kQuantile, Rule::kReal};
      break;
  }
  return t;
}

std::string Diff(int q, const Table& want, const Table& got, bool got_is_sredb) {
  if (got.names.size() != want.names.size()) return "column count differs\n";
  if (q == 1 && got_is_sredb) return Top10Diff(want, got);
  return KeyedDiff(want, got, got_is_sredb);
}

double NearestRank(std::vector<float>* values, int64_t num, int64_t den) {
  const int64_t n = static_cast<int64_t>(values->size());
  int64_t k = (num * n + den - 1) / den;  // ceil(num/den * n)
  k = std::clamp<int64_t>(k, 1, n);
  std::nth_element(values->begin(), values->begin() + (k - 1), values->end());
  return (*values)[k - 1];
}

}  // namespace sredb::compare
