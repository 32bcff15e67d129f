# Shared helpers for the CLI tests: source it, with $1 the sredb binary.
set -euo pipefail
SREDB=${1:?usage: $0 path/to/sredb}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sredb-cli-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_status WANT CMD...: runs CMD, capturing stdout/stderr in $WORK/out,
# $WORK/err, and fails unless it exits with WANT.
expect_status() {
  local want=$1; shift
  local got=0
  "$@" >"$WORK/out" 2>"$WORK/err" || got=$?
  [ "$got" -eq "$want" ] || {
    echo "--- stdout"; cat "$WORK/out"; echo "--- stderr"; cat "$WORK/err"
    fail "'$*' exited $got, want $want"
  }
}

# expect_line FILE TEXT: FILE has a line equal to TEXT.
expect_line() { grep -qxF -- "$2" "$1" || { cat "$1"; fail "$1 lacks line '$2'"; }; }
# expect_text FILE TEXT: FILE contains TEXT.
expect_text() { grep -qF -- "$2" "$1" || { cat "$1"; fail "$1 lacks '$2'"; }; }
# json_field FILE NAME: the value of "NAME" in a one-line JSON object.
json_field() { sed -n "s/.*\"$2\": \([^,}]*\).*/\1/p" "$1"; }
