# The Foundation issue's acceptance checks at full size: a 1M-event fleet
# round-trips through gen | ingest, and a bad 500,001st record is handled
# exactly in both error modes.
source "$(dirname "$0")/lib.sh"

"$SREDB" gen --events 1000000 --format csv >"$WORK/fleet.csv"
expect_status 0 "$SREDB" ingest "$WORK/db" - --format csv <"$WORK/fleet.csv"
expect_line "$WORK/out" "ingested 1000000 events, rejected 0"
expect_status 0 "$SREDB" stats "$WORK/db" --format json
[ "$(json_field "$WORK/out" events)" = 1000000 ] || fail "stats: $(cat "$WORK/out")"
expect_status 0 "$SREDB" check "$WORK/db"
expect_text "$WORK/out" "ok: "
# Sealing everything changes where events live, not what is stored.
expect_status 0 "$SREDB" flush "$WORK/db"
expect_line "$WORK/out" "sealed: 1000000 of 1000000 events are in chunks, 0 remain in the head"
expect_status 0 "$SREDB" check "$WORK/db"
expect_status 0 "$SREDB" stats "$WORK/db" --format json
[ "$(json_field "$WORK/out" events)" = 1000000 ] || fail "stats after flush: $(cat "$WORK/out")"
[ "$(json_field "$WORK/out" head_events)" = 0 ] || fail "head after flush: $(cat "$WORK/out")"

# Make record 500,001 (line 500,002, after the header) bad: cost_usd negative.
awk -F, -v OFS=, 'NR == 500002 { $10 = "-1" } { print }' "$WORK/fleet.csv" >"$WORK/bad.csv"
expect_status 1 "$SREDB" ingest "$WORK/abort" "$WORK/bad.csv"
expect_line "$WORK/out" "ingested 500000 events, rejected 1"
expect_text "$WORK/err" "line 500002"
expect_status 0 "$SREDB" stats "$WORK/abort" --format json
[ "$(json_field "$WORK/out" events)" = 500000 ] || fail "abort: $(cat "$WORK/out")"

expect_status 0 "$SREDB" ingest "$WORK/skip" "$WORK/bad.csv" --on-error skip --rejects "$WORK/rej"
expect_line "$WORK/out" "ingested 999999 events, rejected 1"
[ "$(wc -l <"$WORK/rej")" = 1 ] || fail "rejects has $(wc -l <"$WORK/rej") lines"
expect_text "$WORK/rej" "$(sed -n 500002p "$WORK/bad.csv")	"
expect_text "$WORK/rej" "cost_usd"
expect_status 0 "$SREDB" stats "$WORK/skip" --format json
[ "$(json_field "$WORK/out" events)" = 999999 ] || fail "skip: $(cat "$WORK/out")"
echo "million_test: ok"
