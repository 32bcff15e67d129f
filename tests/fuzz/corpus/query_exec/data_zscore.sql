SELECT agent, zscore(count(), 1h, 1d) AS z, burn_rate(success, 99%) OVER 6h FROM tasks AT '2026-03-03T12:00:00Z' GROUP BY agent ORDER BY z
