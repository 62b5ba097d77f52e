#!/usr/bin/env bash
# bench/diag.sh — times dumpdiag (issue 16) on a 100 MB pg_restore -j 2 -v log with 50,000
# errors (bench/diaglog.py, over the entries of the kept corrupt.dump of tests/cli/cases/dumpdiag)
# and checks the target: <= 2 s wall time; prints the peak RSS (it grows with the errors, each
# command kept to 512 bytes, never with the log's size).
# Usage: bench/diag.sh   Environment: DUMPDIAG (default tools/dumpdiag), DUMPLS (tools/dumpls).
set -u
cd "$(dirname "$0")/.." || exit 3
DUMPDIAG=${DUMPDIAG:-tools/dumpdiag}
DUMPLS=${DUMPLS:-tools/dumpls}
DUMP=tests/cli/cases/dumpdiag/corrupt.dump
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dumpdiag-bench.XXXXXX") || exit 3
trap 'rm -rf "$TMP"' EXIT

"$DUMPLS" --json "$DUMP" >"$TMP/ls.json" || exit 3
python3 bench/diaglog.py "$TMP/ls.json" 50000 100000000 >"$TMP/big.log" || exit 3
size=$(stat -c %s "$TMP/big.log")
/usr/bin/time -f "%e %M" -o "$TMP/time" "$DUMPDIAG" -o "$TMP/resume.list" "$TMP/big.log" "$DUMP" \
    >"$TMP/out" 2>"$TMP/err"
rc=$?
read -r secs kib < <(tail -n 1 "$TMP/time")
errors=$(sed -n '1s/.* \([0-9]*\) errors.*/\1/p' "$TMP/out")
printf 'dumpdiag: %d MB log, %s errors, exit %d: %s s, peak RSS %d MiB (target <= 2 s)\n' \
    $((size / 1000000)) "$errors" "$rc" "$secs" $((kib / 1024))
awk -v s="$secs" 'BEGIN { exit !(s <= 2.0) }'
