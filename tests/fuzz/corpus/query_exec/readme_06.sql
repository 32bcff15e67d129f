SELECT bucket(5m) AS t, count() FROM tasks
  WHERE agent IN ('a', 'b') AND model != 'x' AND env ~ 'prod|staging'
    AND time >= '2026-03-03T14:00:00Z' AND time < 1772553600000000000
  GROUP BY t ORDER BY t
