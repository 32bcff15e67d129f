# Every limit an input controls is a clear error naming the limit (README
# "Limits"): label count and lengths, error_kind, record size at ingest;
# query text size, token count and nesting depth. Good records beside bad
# ones are stored.
source "$(dirname "$0")/lib.sh"

rep() { printf "%${2}s" "" | tr ' ' "$1"; }  # rep CHAR N: CHAR N times

# CSV: 17 labels (agent + 16) are fine, 18 are refused, for every record.
header17="time,agent,success$(for i in $(seq 16); do printf ',l%d' "$i"; done)"
row17="2026-03-01T00:00:00Z,a,1$(for i in $(seq 16); do printf ',v'; done)"
printf '%s\n%s\n' "$header17" "$row17" >"$WORK/17.csv"
expect_status 0 "$SREDB" ingest "$WORK/db" "$WORK/17.csv"
expect_line "$WORK/out" "ingested 1 events, rejected 0"
printf '%s,l17\n%s,v\n' "$header17" "$row17" >"$WORK/18.csv"
expect_status 1 "$SREDB" ingest "$WORK/db" "$WORK/18.csv"
expect_text "$WORK/err" "too many labels: 18 (at most 17"

# Lengths: a label value of 256 bytes and an error_kind of 64 are stored;
# one byte more is refused naming the limit; a 900 KiB value likewise.
{
  echo "time,agent,success,error_kind"
  echo "2026-03-01T00:00:01Z,$(rep v 256),0,$(rep k 64)"
  echo "2026-03-01T00:00:02Z,$(rep v 257),0,k"
  echo "2026-03-01T00:00:03Z,b,0,$(rep k 65)"
  echo "2026-03-01T00:00:04Z,$(rep v 921600),0,k"
  echo "2026-03-01T00:00:05Z,b,0,k"
} >"$WORK/lengths.csv"
expect_status 0 "$SREDB" ingest "$WORK/db" "$WORK/lengths.csv" --on-error skip \
  --rejects "$WORK/rejects"
expect_line "$WORK/out" "ingested 2 events, rejected 3"
expect_text "$WORK/rejects" "value is 257 bytes (at most 256)"
expect_text "$WORK/rejects" "error_kind is 65 bytes (at most 64)"
expect_text "$WORK/rejects" "value is 921600 bytes (at most 256)"

# A record over 1 MiB is refused by the reader, naming the limit.
{ echo '{"time":"2026-03-01T00:00:06Z","agent":"'"$(rep v 1100000)"'","success":true}'
  echo '{"time":"2026-03-01T00:00:07Z","agent":"b","success":true}'; } >"$WORK/long.jsonl"
expect_status 0 "$SREDB" ingest "$WORK/db" "$WORK/long.jsonl" --on-error skip
expect_line "$WORK/out" "ingested 1 events, rejected 1"

expect_status 0 "$SREDB" stats "$WORK/db" --format json
[ "$(json_field "$WORK/out" events)" = 4 ] || fail "want 4 events: $(cat "$WORK/out")"

# Queries: 100 000 nested parentheses or NOTs are refused (nesting or token
# limit), 30 000 NOT ( ... ) folded in a predicate, never
# recursed into; texts over 1 MiB are refused. (Through `sredb shell`: one
# argument of `sredb query` is limited to 128 KiB by the kernel.)
shell() { printf '%s;\n' "$1" >"$WORK/stmt"; expect_status "$2" "$SREDB" shell "$WORK/db" <"$WORK/stmt"; }
q="SELECT count() AS n FROM tasks WHERE time >= '2026-01-01T00:00:00Z' HAVING"
shell "$q $(rep '(' 100000)n > 0$(rep ')' 100000)" 1
expect_text "$WORK/err" "HAVING nested deeper than 64 levels"
shell "$q $(printf 'NOT %.0s' $(seq 100000))n > 0" 1
expect_text "$WORK/err" "HAVING nested deeper than 64 levels"
pred="$(printf 'NOT (%.0s' $(seq 30000))success$(rep ')' 30000)"  # 90 000 tokens
shell "SELECT count() AS n, rate($pred) AS r FROM tasks WHERE time >= '2026-01-01T00:00:00Z'" 0
expect_text "$WORK/out" "4"
shell "$(rep '(' 100000)" 1
expect_text "$WORK/err" "Error: near line 1:"
shell "SELECT $(rep ' ' 1048576)count() FROM tasks" 1
expect_text "$WORK/err" "more than the limit of 1048576"
echo "limits_test: ok"
