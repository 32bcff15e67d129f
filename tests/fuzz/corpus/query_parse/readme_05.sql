SELECT agent, zscore(sum(cost_usd), 1h, 7d) AS z
  FROM tasks AT '2026-03-31T00:00:00Z' GROUP BY agent HAVING z > 3
