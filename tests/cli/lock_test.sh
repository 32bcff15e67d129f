# A second process opening a database for writing gets a clear error, and
# the first one's data is intact.
source "$(dirname "$0")/lib.sh"

mkfifo "$WORK/fifo"
"$SREDB" ingest "$WORK/db" "$WORK/fifo" --format csv >"$WORK/first.out" 2>&1 &
first=$!
exec 3>"$WORK/fifo"  # the first ingest now holds the DB, waiting for input
echo "time,agent,success" >&3
for _ in $(seq 50); do [ -e "$WORK/db/SREDB_LOCK" ] && break; sleep 0.1; done
printf 'time,agent,success\n2026-03-01T00:00:00Z,a,1\n' >"$WORK/more.csv"
expect_status 1 "$SREDB" ingest "$WORK/db" "$WORK/more.csv"
expect_text "$WORK/err" "is already open for writing by process $first"
echo "2026-03-01T00:00:01Z,a,0" >&3
exec 3>&-
wait "$first" || fail "first ingest failed: $(cat "$WORK/first.out")"
expect_line "$WORK/first.out" "ingested 1 events, rejected 0"
# Readers open beside a writer; after the writer is gone, a writer opens.
expect_status 0 "$SREDB" ingest "$WORK/db" "$WORK/more.csv"
expect_status 0 "$SREDB" stats "$WORK/db" --format json
[ "$(json_field "$WORK/out" events)" = 2 ] || fail "want 2 events: $(cat "$WORK/out")"
echo "lock_test: ok"
