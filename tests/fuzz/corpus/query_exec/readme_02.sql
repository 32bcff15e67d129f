SELECT rate(success), rate(NOT hallucinated), rate(latency_ms <= 2000),
       rate(NOT (cost_usd > 0.5)) FROM tasks WHERE time IN LAST 1d
