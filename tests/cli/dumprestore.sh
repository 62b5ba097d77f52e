#!/bin/bash
# tests/cli/dumprestore.sh — dumprestore's command line without a server: usage errors and
# a target that cannot be reached exit 3 with one line naming the problem; a dump that is not
# one exits 2 before any connection; --help and --version.
#
# Prints "ok - NAME" / "not ok - NAME" per case and ends with "N passed, N failed".
# Environment: DUMPRESTORE (default tools/dumprestore).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export LC_ALL=C

DR=${DUMPRESTORE:-${DF_TOOLS_DIR:-tools}/dumprestore}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dumprestore-cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
D=corpus/pg15/sample.custom.none.dump

# expect NAME STATUS PATTERN CMD...: CMD exits STATUS and its stderr matches PATTERN ("": any).
expect() {
    local name=$1 want=$2 pat=$3 rc
    shift 3
    "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    check "$name" "$([ "$rc" = "$want" ] && { [ -z "$pat" ] || grep -q -e "$pat" "$TMP/err"; }; echo $?)" \
        "exit $rc (want $want)" "$(head -3 "$TMP/err")"
}

expect "no dump" 3 'a dump is needed' "$DR" -d dbname=x
expect "no -d" 3 '-d is needed' "$DR" "$D"
expect "--drill with -d" 3 'no -d' "$DR" --drill -d dbname=x "$D"
expect "two modes" 3 'exclude each other' "$DR" --preflight-only --verify-only -d x "$D"
expect "-1 with -j" 3 'exclude each other' "$DR" -1 -j 2 -d x "$D"
expect "bad -j" 3 '-j needs a number' "$DR" -j 0 -d x "$D"
expect "--clean on a plain script" 3 '--clean needs an archive' \
    "$DR" --clean -d x corpus/pg15/sample.plain.sql
expect "not a dump: exit 2 before connecting" 2 'random.dump' \
    "$DR" -d "host=$TMP/nowhere" corpus/damaged/random.dump
expect "unreachable target: exit 3, named" 3 '' \
    "$DR" --preflight-only -d "host=$TMP/nowhere connect_timeout=2" "$D"
check "unreachable target: the phase says could not connect" \
    "$(grep -q '^preflight: could not run .*could not connect' "$TMP/out"; echo $?)" "$(cat "$TMP/out")"
"$DR" --help >"$TMP/out" 2>&1
check "--help" "$(grep -q -- '--verify-only' "$TMP/out"; echo $?)"
"$DR" --version >"$TMP/out" 2>&1
check "--version" "$(grep -q '^dumprestore (dumpfmt) ' "$TMP/out"; echo $?)" "$(cat "$TMP/out")"
harness_finish
