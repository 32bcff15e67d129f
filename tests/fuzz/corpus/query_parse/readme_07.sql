SELECT agent, count() AS n, rate(success) AS r FROM tasks WHERE time IN LAST 1d
  GROUP BY agent HAVING n >= 100 AND NOT (r > 99% OR p90(latency_ms) < 500)
  ORDER BY r ASC, agent LIMIT 20
