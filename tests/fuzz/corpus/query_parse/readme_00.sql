SELECT count() FROM tasks WHERE time IN LAST 1h
