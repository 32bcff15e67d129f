# A full disk under `sredb ingest`: the file-size limit (RLIMIT_FSIZE, with
# SIGXFSZ ignored, so writes fail with EFBIG as they would with ENOSPC)
# stops RocksDB's writes part way. ingest exits 1 naming the cause and how
# many events were stored; without the limit, the database opens, holds
# exactly those events and checks clean. (tests/storage/disk_full_test.cc
# drives the same through an injected file system that reports ENOSPC.)
source "$(dirname "$0")/lib.sh"

"$SREDB" gen --agents 20 --days 3 --events 200000 --format csv >"$WORK/fleet.csv"
got=0
( ulimit -f 1024; trap '' XFSZ; exec "$SREDB" ingest "$WORK/db" "$WORK/fleet.csv" ) \
  >"$WORK/out" 2>"$WORK/err" || got=$?
[ "$got" -eq 1 ] || { cat "$WORK/out" "$WORK/err"; fail "ingest exited $got, want 1"; }
expect_text "$WORK/err" "File too large"
stored=$(sed -n 's/.*(\([0-9]*\) events were stored before it, nothing after them).*/\1/p' \
  "$WORK/err")
[ -n "$stored" ] || { cat "$WORK/err"; fail "the message does not say what was stored"; }

expect_status 0 "$SREDB" check "$WORK/db"
expect_status 0 "$SREDB" stats "$WORK/db" --format json
[ "$(json_field "$WORK/out" events)" = "$stored" ] ||
  fail "want the $stored acknowledged events: $(cat "$WORK/out")"
# With room again, the rest goes in.
expect_status 0 "$SREDB" ingest "$WORK/db" "$WORK/fleet.csv"
echo "disk_full_test: ok"
