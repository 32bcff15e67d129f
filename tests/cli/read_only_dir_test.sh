# A database whose directory and files nobody may write (chmod a-w): query,
# stats and check answer from it; ingest and flush fail with an error that
# names the cause, and the data is unchanged. Root ignores permissions, so
# as root the commands run as uid/gid 65534 (setpriv) instead of skipping.
source "$(dirname "$0")/lib.sh"

as_reader=()
if [ "$(id -u)" = 0 ]; then
  command -v setpriv >/dev/null || fail "running as root needs setpriv (util-linux)"
  as_reader=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
fi

"$SREDB" gen --agents 3 --days 2 --events 3000 --format csv >"$WORK/fleet.csv"
expect_status 0 "$SREDB" ingest "$WORK/db" "$WORK/fleet.csv"
expect_line "$WORK/out" "ingested 3000 events, rejected 0"
# Half of the events sealed into chunks, half still in the head (WAL and memtables).
"$SREDB" gen --agents 3 --days 1 --events 500 --start 2026-06-01T00:00:00Z --format csv \
  >"$WORK/later.csv"
expect_status 0 "$SREDB" ingest "$WORK/db" "$WORK/later.csv"

chmod a+rx "$WORK"
chmod -R a-w "$WORK/db"
chmod -R a+rX "$WORK/db"
before=$(cd "$WORK/db" && ls -l --time-style=+%s.%N)

expect_status 0 "${as_reader[@]}" "$SREDB" stats "$WORK/db" --format json
[ "$(json_field "$WORK/out" events)" = 3500 ] || fail "want 3500 events: $(cat "$WORK/out")"
expect_status 0 "${as_reader[@]}" "$SREDB" query "$WORK/db" \
  "SELECT count() AS n FROM tasks WHERE time >= '2026-01-01T00:00:00Z'" --format csv
expect_line "$WORK/out" "3500"
expect_status 0 "${as_reader[@]}" "$SREDB" check "$WORK/db"

expect_status 1 "${as_reader[@]}" "$SREDB" ingest "$WORK/db" "$WORK/later.csv"
expect_text "$WORK/err" "Permission denied"
expect_text "$WORK/err" "$WORK/db"
expect_status 1 "${as_reader[@]}" "$SREDB" flush "$WORK/db"
expect_text "$WORK/err" "Permission denied"

after=$(cd "$WORK/db" && ls -l --time-style=+%s.%N)
[ "$before" = "$after" ] || fail "the read-only directory changed: $before // $after"
chmod -R u+w "$WORK/db"
echo "read_only_dir_test: ok"
