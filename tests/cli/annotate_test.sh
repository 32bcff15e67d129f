# sredb annotate: exit statuses, messages, and the annotation read back by
# a FROM annotations query, by stats and by check.
source "$(dirname "$0")/lib.sh"

# A database that does not exist is refused, and not created.
expect_status 1 "$SREDB" annotate "$WORK/missing" --type DEPLOY
expect_text "$WORK/err" "no sredb database at $WORK/missing"
[ ! -e "$WORK/missing" ] || fail "annotate created a database"

"$SREDB" gen --agents 2 --days 1 --events 50 --start 2026-03-01T00:00:00Z >"$WORK/f.csv"
expect_status 0 "$SREDB" ingest "$WORK/db" "$WORK/f.csv"

# Bad usage: no --type, a label without '=', a time or number that does not parse.
expect_status 2 "$SREDB" annotate "$WORK/db"
expect_status 2 "$SREDB" annotate "$WORK/db" --type NOTE --label agent
expect_text "$WORK/err" "--label 'agent' is not NAME=VALUE"
expect_status 2 "$SREDB" annotate "$WORK/db" --type NOTE --time yesterday
expect_status 2 "$SREDB" annotate "$WORK/db" --type NOTE --value lots
# Refused annotations: exit 1 naming the field.
expect_status 1 "$SREDB" annotate "$WORK/db" --type deploy
expect_text "$WORK/err" "type 'deploy' must match [A-Z][A-Z0-9_]*"
expect_status 1 "$SREDB" annotate "$WORK/db" --type NOTE --label value=3
expect_text "$WORK/err" "label name value is reserved"

expect_status 0 "$SREDB" annotate "$WORK/db" --type DEPLOY --label agent=agent-0001 \
  --label model=m-2 --detail "prompt v7 to 5% of traffic" --time 2026-03-01T06:00:00Z \
  --value 5
expect_line "$WORK/out" "annotated DEPLOY at 2026-03-01T06:00:00Z for agent=agent-0001,model=m-2"
expect_status 0 "$SREDB" annotate "$WORK/db" --type CHAOS_START --detail "tool outage" \
  --time 1772344800000000000
expect_status 0 "$SREDB" query "$WORK/db" \
  "SELECT time, type, agent, value, detail FROM annotations AT '2026-03-02T00:00:00Z' WHERE time IN LAST 1d ORDER BY time" \
  --format csv
expect_line "$WORK/out" "time,type,agent,value,detail"
expect_line "$WORK/out" "2026-03-01T06:00:00Z,DEPLOY,agent-0001,5,prompt v7 to 5% of traffic"
expect_line "$WORK/out" "2026-03-01T06:00:00Z,CHAOS_START,,,tool outage"
[ "$(wc -l <"$WORK/out")" -eq 3 ] || { cat "$WORK/out"; fail "want 2 rows"; }

expect_status 0 "$SREDB" stats "$WORK/db" --format json
[ "$(json_field "$WORK/out" annotations)" = 2 ] || { cat "$WORK/out"; fail "annotations"; }
expect_status 0 "$SREDB" check "$WORK/db"
echo "annotate_test: ok"
