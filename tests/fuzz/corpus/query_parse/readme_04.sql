SELECT quantile(latency_ms, 0.75), p99(latency_ms, exact)
  FROM tasks WHERE time IN LAST 1h
