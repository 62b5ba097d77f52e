# tests/harness.sh — the reporting every shell test script shares: "ok - NAME" and
# "not ok - NAME" lines (details as "#" lines under a failure), the counts, and the last line
# "N passed, N failed" that tests/run-all.sh reads.
#
# Sourced, never run:  . "$(dirname "$0")/../harness.sh"
# shellcheck shell=bash

PASSED=0
FAILED=0

ok() {
    echo "ok - $1"
    PASSED=$((PASSED + 1))
}

# not_ok NAME [DETAIL...]: a failure, with each detail as a "#" line.
not_ok() {
    local name=$1 line
    shift
    echo "not ok - $name"
    for line in "$@"; do printf '#   %s\n' "$line"; done
    FAILED=$((FAILED + 1))
}

# check NAME STATUS [DETAIL...]: ok when STATUS is 0, else not_ok with the details.
check() {
    local name=$1 status=$2
    shift 2
    if [ "$status" -eq 0 ]; then ok "$name"; else not_ok "$name" "$@"; fi
}

# The same, under the name some scripts use.
result() { check "$@"; }

# harness_finish: the summary line; the exit status for the script (0 when nothing failed).
harness_finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
