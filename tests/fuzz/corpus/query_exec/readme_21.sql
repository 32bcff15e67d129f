EXPLAIN BURN checkout WHERE agent = 'agent-0042' OVER 6h BASELINE 7d
