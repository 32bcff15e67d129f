SELECT burn_rate(success, 99.9%) OVER 1h FROM tasks
