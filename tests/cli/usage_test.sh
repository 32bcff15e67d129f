# Exit statuses and messages of the command contract (CLI.md).
source "$(dirname "$0")/lib.sh"

expect_status 2 "$SREDB"
expect_status 2 "$SREDB" frobnicate
expect_status 2 "$SREDB" ingest
expect_status 2 "$SREDB" gen --agents notanumber
expect_status 2 "$SREDB" gen --agents 0
expect_status 0 "$SREDB" --help
expect_status 0 "$SREDB" gen --help
expect_text "$WORK/out" "failure burst"

# Subcommands that do not exist yet say so and exit 2.
expect_status 2 "$SREDB" slo apply "$WORK/db" "$WORK/slo.yaml"
expect_text "$WORK/err" "not implemented yet"
expect_status 2 "$SREDB" query "$WORK/db" "SELECT 1" --format xml

# Only ingest and shell create a database; stats and query refuse and create nothing.
expect_status 1 "$SREDB" stats "$WORK/missing"
expect_text "$WORK/err" "no sredb database at $WORK/missing"
expect_status 1 "$SREDB" query "$WORK/missing" "SELECT 1"
expect_text "$WORK/err" "no sredb database at $WORK/missing"
[ ! -e "$WORK/missing" ] || fail "stats or query created a database"

# stdin needs --format; an unknown extension needs --format.
echo "time,agent,success" >"$WORK/in.txt"
expect_status 2 "$SREDB" ingest "$WORK/db" - </dev/null
expect_status 2 "$SREDB" ingest "$WORK/db" "$WORK/in.txt"
expect_status 2 "$SREDB" ingest "$WORK/db" "$WORK/in.txt" --format xml
expect_status 2 "$SREDB" ingest "$WORK/db" "$WORK/in.txt" --format csv --on-error maybe
expect_status 1 "$SREDB" ingest "$WORK/db" "$WORK/nope.csv"
expect_text "$WORK/err" "cannot open"
echo "usage_test: ok"
