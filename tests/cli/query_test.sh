# sredb query: exact output in each format for a tiny database, errors and
# exit statuses, and a query beside a writer (read-only open).
source "$(dirname "$0")/lib.sh"

# expect_out TEXT: stdout of the last expect_status is exactly TEXT.
expect_out() {
  [ "$(cat "$WORK/out")" = "$1" ] || {
    printf -- '--- got\n%s\n--- want\n%s\n' "$(cat "$WORK/out")" "$1"
    fail "unexpected output"
  }
}

cat >"$WORK/tiny.csv" <<'CSV'
time,agent,success,latency_ms,model
2026-03-01T00:00:00Z,a,1,100,m1
2026-03-01T00:30:00Z,a,0,300.5,m1
2026-03-01T01:10:00Z,b,1,50,"say ""hi"", ok"
CSV
expect_status 0 "$SREDB" ingest "$WORK/db" "$WORK/tiny.csv"
DB=$WORK/db
MARCH="WHERE time >= '2026-03-01T00:00:00Z' AND time < '2026-03-02T00:00:00Z'"
BY_AGENT="SELECT agent, count() AS n, sum(latency_ms) AS lat, rate(success) AS ok,
  avg(ttft_ms) AS ttft FROM tasks $MARCH GROUP BY agent ORDER BY agent"
BY_HOUR="SELECT model, bucket(1h) AS hour, count() AS n FROM tasks $MARCH
  GROUP BY model, bucket(1h) ORDER BY hour"

# table (the default): numbers right-aligned, text left, NULL empty.
expect_status 0 "$SREDB" query "$DB" "$BY_AGENT"
expect_out "agent | n |   lat |  ok | ttft
------+---+-------+-----+-----
a     | 2 | 400.5 | 0.5 |
b     | 1 |    50 |   1 |"
expect_status 0 "$SREDB" query "$DB" "$BY_HOUR" --format table
expect_out 'model        | hour                 | n
-------------+----------------------+--
m1           | 2026-03-01T00:00:00Z | 2
say "hi", ok | 2026-03-01T01:00:00Z | 1'

# csv: RFC 4180 quoting, NULL as an empty field, times in RFC 3339.
expect_status 0 "$SREDB" query "$DB" "$BY_AGENT" --format csv
expect_out "agent,n,lat,ok,ttft
a,2,400.5,0.5,
b,1,50,1,"
expect_status 0 "$SREDB" query "$DB" "$BY_HOUR" --format csv
expect_out 'model,hour,n
m1,2026-03-01T00:00:00Z,2
"say ""hi"", ok",2026-03-01T01:00:00Z,1'

# json: an array of objects, NULL as null, strings escaped.
expect_status 0 "$SREDB" query "$DB" "$BY_AGENT" --format json
expect_out '[{"agent":"a","n":2,"lat":400.5,"ok":0.5,"ttft":null},
{"agent":"b","n":1,"lat":50,"ok":1,"ttft":null}]'
expect_status 0 "$SREDB" query "$DB" "$BY_HOUR" --format json
expect_out '[{"model":"m1","hour":"2026-03-01T00:00:00Z","n":2},
{"model":"say \"hi\", ok","hour":"2026-03-01T01:00:00Z","n":1}]'

# An empty result: the table keeps its header, CSV too, JSON is [].
EMPTY="SELECT agent, count() AS n FROM tasks $MARCH GROUP BY agent HAVING count() > 5"
expect_status 0 "$SREDB" query "$DB" "$EMPTY"
expect_out "agent | n
------+--"
expect_status 0 "$SREDB" query "$DB" "$EMPTY" --format csv
expect_out "agent,n"
expect_status 0 "$SREDB" query "$DB" "$EMPTY" --format json
expect_out "[]"

# Errors: the query's own message after "sredb: ", exit 1, nothing on stdout.
expect_status 1 "$SREDB" query "$DB" "SELECT agent FROM tasks WHERE"
expect_line "$WORK/err" "sredb: 1:30: expected a label or time, got end of input"
[ ! -s "$WORK/out" ] || fail "output on a failed query"
expect_status 1 "$SREDB" query "$DB" "SELECT count() FROM tasks"
expect_text "$WORK/err" "sredb: 1:8: count() has no time bound"

# Bad usage exits 2; a missing database is refused, not created.
expect_status 2 "$SREDB" query "$DB" "$BY_AGENT" --format xml
expect_text "$WORK/err" "--format must be table, csv or json, not 'xml'"
expect_status 2 "$SREDB" query "$DB"
expect_status 1 "$SREDB" query "$WORK/missing" "$BY_AGENT"
expect_text "$WORK/err" "no sredb database at $WORK/missing"
[ ! -e "$WORK/missing" ] || fail "query created a database"

# A query runs beside a writer holding the database (it opens read-only).
mkfifo "$WORK/fifo"
"$SREDB" ingest "$DB" "$WORK/fifo" --format csv >"$WORK/writer.out" 2>&1 &
writer=$!
exec 3>"$WORK/fifo"
echo "time,agent,success" >&3
for _ in $(seq 100); do  # the lock file names its holder
  [ "$(cat "$DB/SREDB_LOCK" 2>/dev/null)" = "$writer" ] && break
  sleep 0.1
done
expect_status 0 "$SREDB" query "$DB" "SELECT count() AS n FROM tasks $MARCH" --format csv
expect_out "n
3"
expect_status 1 "$SREDB" flush "$DB"  # the writer did hold the database
expect_text "$WORK/err" "is already open for writing by process $writer"
exec 3>&-
wait "$writer" || fail "writer failed: $(cat "$WORK/writer.out")"

# A generated fleet: every format counts the same 2000 events.
"$SREDB" gen --events 2000 --days 2 | "$SREDB" ingest "$WORK/fleet" - --format csv >/dev/null
JAN="WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-03T00:00:00Z'"
expect_status 0 "$SREDB" query "$WORK/fleet" "SELECT count() AS n FROM tasks $JAN" --format csv
expect_out "n
2000"
expect_status 0 "$SREDB" query "$WORK/fleet" \
  "SELECT bucket(1d) AS day, count() AS n FROM tasks $JAN GROUP BY bucket(1d) ORDER BY day" \
  --format json
[ "$(grep -o '"n":[0-9]*' "$WORK/out" | awk -F: '{s += $2} END {print s}')" = 2000 ] ||
  fail "daily counts do not add up to 2000: $(cat "$WORK/out")"
expect_text "$WORK/out" '[{"day":"2026-01-01T00:00:00Z","n":'
if command -v python3 >/dev/null; then
  expect_status 0 "$SREDB" query "$WORK/fleet" \
    "SELECT agent, model, p99(latency_ms) AS p99, avg(ttft_ms) AS ttft FROM tasks $JAN
     GROUP BY agent, model" --format json
  python3 -c 'import json,sys; rows=json.load(sys.stdin); assert len(rows) > 1, rows' \
    <"$WORK/out" || fail "invalid JSON: $(head -c 300 "$WORK/out")"
fi
echo "query_test: ok"
