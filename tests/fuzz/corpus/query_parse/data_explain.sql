EXPLAIN ANALYZE SELECT bucket(1m) AS t, count() FROM tasks WHERE agent = 'agent-0001' AND time >= '2026-03-01T10:00:00Z' AND time < '2026-03-02T13:30:00Z' GROUP BY t
