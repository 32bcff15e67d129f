# sredb shell with stdin not a terminal: statement splitting, dot-commands,
# errors with their line numbers, exit statuses, .timer's line; and, when
# script(1) can give it a terminal, the banner and prompts.
source "$(dirname "$0")/lib.sh"

# expect_out TEXT: stdout of the last expect_status is exactly TEXT.
expect_out() {
  [ "$(cat "$WORK/out")" = "$1" ] || {
    printf -- '--- got\n%s\n--- want\n%s\n' "$(cat "$WORK/out")" "$1"
    fail "unexpected output"
  }
}

cat >"$WORK/tiny.csv" <<'CSV'
time,agent,success,model
2026-03-01T00:00:00Z,a,1,m1
2026-03-01T00:30:00Z,a,0,m1
2026-03-01T01:10:00Z,b,1,"x;y"
CSV
expect_status 0 "$SREDB" ingest "$WORK/db" "$WORK/tiny.csv"
DB=$WORK/db
MARCH="time >= '2026-03-01T00:00:00Z' AND time < '2026-03-02T00:00:00Z'"

# Statements span lines; ';' in a string, a quoted name or a comment does not
# end one; several may share a line; no prompts or banner; exit 0.
cat >"$WORK/in.sql" <<SQL
-- counts; per agent
SELECT agent, count() AS n
FROM tasks -- the table; of events
WHERE $MARCH GROUP BY agent ORDER BY agent;
.mode csv
SELECT count() AS "a;b" FROM tasks WHERE model = 'x;y' AND $MARCH; SELECT count() AS n
  FROM tasks WHERE model = 'it''s;' AND $MARCH;
.mode json
SELECT model, count() AS n FROM tasks WHERE $MARCH GROUP BY model ORDER BY model;;
;
.mode
SQL
expect_status 0 "$SREDB" shell "$DB" <"$WORK/in.sql"
expect_out 'agent | n
------+--
a     | 2
b     | 1
a;b
1
n
0
[{"model":"m1","n":2},
{"model":"x;y","n":1}]
current output mode: json'
[ ! -s "$WORK/err" ] || fail "stderr: $(cat "$WORK/err")"

# Errors name the line where the statement starts, and the shell goes on;
# a failed statement or dot-command makes the exit status 1.
cat >"$WORK/bad.sql" <<SQL
.mode csv
SELECT count() AS n FROM tasks WHERE $MARCH;

SELECT agent
  FROM tasks WHERE;
SELECT count() AS n FROM tasks WHERE $MARCH;
.frobnicate now
.mode xml
.timer maybe
SELECT count() AS n FROM tasks WHERE agent = 'b' AND $MARCH;
SQL
expect_status 1 "$SREDB" shell "$DB" <"$WORK/bad.sql"
expect_out "n
3
n
3
n
1"
expect_line "$WORK/err" "Error: near line 4: 2:19: expected a label or time, got ';'"
expect_line "$WORK/err" \
  'Error: near line 7: unknown command or invalid arguments: ".frobnicate now"; enter ".help" for help'
expect_line "$WORK/err" "Error: near line 8: usage: .mode table|csv|json"
expect_line "$WORK/err" "Error: near line 9: usage: .timer on|off"
[ "$(wc -l <"$WORK/err")" -eq 4 ] || fail "want 4 errors: $(cat "$WORK/err")"

# Text after the last ';' runs at the end of input; a trailing comment does not.
printf '%s\n' ".mode csv" "SELECT count() AS n FROM tasks" "WHERE $MARCH" |
  expect_status 0 "$SREDB" shell "$DB"
expect_out "n
3"
printf '%s\n' "SELECT count() AS n FROM tasks WHERE $MARCH;" "-- the end; really" |
  expect_status 0 "$SREDB" shell "$DB"
printf 'SELECT agent FROM tasks WHERE agent = '"'"'unterminated\n' |
  expect_status 1 "$SREDB" shell "$DB"
expect_text "$WORK/err" "Error: near line 1: 1:39: "

# .quit and .exit stop reading; .help goes to stdout.
printf '%s\n' ".mode csv" "SELECT count() AS n FROM tasks WHERE $MARCH;" ".quit" \
  "SELECT nonsense;" | expect_status 0 "$SREDB" shell "$DB"
expect_out "n
3"
printf '.help\n.exit\n.bogus\n' | expect_status 0 "$SREDB" shell "$DB"
expect_text "$WORK/out" ".mode table|csv|json"
expect_text "$WORK/out" ".timer on|off"

# .timer on: sqlite3's line after each statement's output (its form only).
printf '%s\n' ".mode csv" ".timer on" "SELECT count() AS n FROM tasks WHERE $MARCH;" \
  "SELECT nope;" ".timer off" "SELECT count() AS n FROM tasks WHERE $MARCH;" |
  expect_status 1 "$SREDB" shell "$DB"
sed -n 3p "$WORK/out" | grep -qE '^Run Time: real [0-9]+\.[0-9]{6} user [0-9]+\.[0-9]{6} sys [0-9]+\.[0-9]{6}$' ||
  fail "no Run Time line after the first statement: $(cat "$WORK/out")"
[ "$(grep -c '^Run Time: ' "$WORK/out")" -eq 2 ] || fail "want 2 Run Time lines: $(cat "$WORK/out")"
[ "$(sed -n '1,2p;5,$p' "$WORK/out")" = "$(printf 'n\n3\nn\n3')" ] ||
  fail "unexpected output with .timer: $(cat "$WORK/out")"

# The shell creates a missing database (and reads it beside a writer: it
# opens read-only once the database exists).
expect_status 0 "$SREDB" shell "$WORK/new" </dev/null
[ ! -s "$WORK/out" ] || fail "output from an empty script: $(cat "$WORK/out")"
expect_status 0 "$SREDB" stats "$WORK/new" --format json
[ "$(json_field "$WORK/out" events)" = 0 ] || fail "want an empty database: $(cat "$WORK/out")"
echo "not a database" >"$WORK/file"
expect_status 1 "$SREDB" shell "$WORK/file" </dev/null

# On a terminal: a banner, the prompt and the continuation prompt.
if command -v script >/dev/null && script -qec true /dev/null </dev/null >/dev/null 2>&1; then
  printf '%s\n' "SELECT count() AS n" "FROM tasks WHERE $MARCH;" ".quit" |
    script -qec "'$SREDB' shell '$DB'" /dev/null >"$WORK/tty.out" 2>&1 ||
    fail "shell on a terminal failed: $(cat "$WORK/tty.out")"
  expect_text "$WORK/tty.out" 'enter ".help" for usage hints'
  expect_text "$WORK/tty.out" "sredb>    ...> "
fi
echo "shell_test: ok"
