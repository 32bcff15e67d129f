# Every kind of bad record of CLI.md, in both error modes: abort stores
# exactly the records before the first bad one; skip stores every good one
# and writes each bad one to --rejects with its reason.
source "$(dirname "$0")/lib.sh"

good() { echo "2026-03-01T00:00:0$1Z,agent-$1,1,1200.5,,0.012345,100,20,,0,2,0,,"; }
cat >"$WORK/in.csv" <<CSV
time,agent,success,latency_ms,ttft_ms,cost_usd,tokens_in,tokens_out,hallucinated,policy_violations,tool_calls,tool_failures,user_rating,error_kind
$(good 1)
2026-03-01T00:00:02Z,agent-2,1,NaN,,0.01,1,1,,0,0,0,,
$(good 3)
2026-03-01T00:00:04Z,agent-4,1,10,,-0.5,1,1,,0,0,0,,
2026-03-01T00:00:05Z,agent-5,1,10,,0.5,1,1,,0,2,3,,
2026-03-01T00:00:06Z,,1,10,,0.5,1,1,,0,0,0,,
2026-03-01T00:00:07Z,agent-7,maybe,10,,0.5,1,1,,0,0,0,,
not-a-time,agent-8,1,10,,0.5,1,1,,0,0,0,,
2026-03-01T00:00:09Z,agent-9,1,10,,0.5,1,1,,0,0,0,9,
2026-03-01T00:00:10Z,agent-10,1,10
$(good 5)
CSV
# Abort: the first bad record is line 3; only line 2 is stored.
expect_status 1 "$SREDB" ingest "$WORK/abort" "$WORK/in.csv"
expect_line "$WORK/out" "ingested 1 events, rejected 1"
expect_text "$WORK/err" "line 3"
expect_text "$WORK/err" "latency_ms"
"$SREDB" stats "$WORK/abort" --format json >"$WORK/stats"
[ "$(json_field "$WORK/stats" events)" = 1 ] || fail "abort stored $(cat "$WORK/stats")"

# Skip: the three good records are stored, the eight bad ones rejected.
expect_status 0 "$SREDB" ingest "$WORK/skip" "$WORK/in.csv" --on-error skip --rejects "$WORK/rej"
expect_line "$WORK/out" "ingested 3 events, rejected 8"
[ "$(wc -l <"$WORK/rej")" = 8 ] || fail "rejects: $(cat "$WORK/rej")"
# Each reject is the original line, a tab, and a reason.
expect_text "$WORK/rej" "$(sed -n 3p "$WORK/in.csv")	"
expect_text "$WORK/rej" "$(sed -n 5p "$WORK/in.csv")	"
grep -qF "tool_failures (3) > tool_calls (2)" "$WORK/rej" || fail "no tool_failures reason"
grep -qi "negative" "$WORK/rej" || fail "no negative-cost reason"
"$SREDB" stats "$WORK/skip" --format json >"$WORK/stats"
[ "$(json_field "$WORK/stats" events)" = 3 ] || fail "skip stored $(cat "$WORK/stats")"

# Skip without --rejects still counts every bad record.
expect_status 0 "$SREDB" ingest "$WORK/skip2" "$WORK/in.csv" --on-error skip
expect_line "$WORK/out" "ingested 3 events, rejected 8"

# JSON lines: a key with a non-string value that is no field is a bad record.
cat >"$WORK/in.jsonl" <<'JSON'
{"time": "2026-03-01T00:00:01Z", "agent": "a", "success": true, "model": "m"}
{"time": "2026-03-01T00:00:02Z", "agent": "a", "success": true, "colour": 3}
{"time": "2026-03-01T00:00:03Z", "agent": "a", "success": false}
JSON
expect_status 1 "$SREDB" ingest "$WORK/json" "$WORK/in.jsonl"
expect_line "$WORK/out" "ingested 1 events, rejected 1"
expect_text "$WORK/err" "line 2"
expect_text "$WORK/err" "colour"
echo "bad_records_test: ok"
