SELECT sum(cost_usd), avg(latency_ms), min(ttft_ms), max(tokens_in),
       stddev(tokens_out) FROM tasks WHERE time >= now() - 1d
