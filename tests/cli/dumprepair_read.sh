#!/bin/bash
# tests/cli/dumprepair_read.sh — dumprepair's reading side (issue 13): what survives of a cut
# or damaged custom archive, against an oracle that does not use libdumpfmt.
#
# What is checked:
#   * truncation inside a data block, pg_dump 16 custom archives with gzip, lz4, zstd and no
#     compression, CUTS cuts each inside the 20,000-row block of audit.readings (dump id 2866):
#     the rows dumprepair keeps are exactly the complete rows in the bytes that survive
#     (tests/cli/repair_survive.py: chunks parsed, decoded by Python's zlib, lz4 -dc, zstd -dc
#     or as they are, lines counted), and --rows prints exactly the first N rows of the intact
#     block (decoded the same way);
#
# Prints "ok - NAME" / "not ok - NAME" per case and ends with "N passed, N failed".  Run from
# the repository root after `make`.  Environment: DUMPREPAIR (default tools/dumprepair),
# DF_CORPUS (default corpus), CUTS (default 12).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export TZ=UTC LC_ALL=C

DUMPREPAIR=${DUMPREPAIR:-${DF_TOOLS_DIR:-tools}/dumprepair}
DUMPLS=${DF_TOOLS_DIR:-tools}/dumpls
CORPUS=${DF_CORPUS:-corpus}
CUTS=${CUTS:-12}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dumprepair-read.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

# entry_field X ID FIELD: a field of entry ID in dumpls --long --json X
entry_field() {
    "$DUMPLS" --long --json "$1" | jq -r ".entries[] | select(.dump_id == $2) | .$3"
}

# kept_rows REPORT ID: rows_kept of entry ID in a dumprepair --json report ("intact" when it is)
kept_rows() {
    jq -r ".entries[] | select(.dump_id == $2) | if .state == \"intact\" then \"intact\"
           else .rows_kept end" "$1"
}

# ---- truncation inside a data block: rows kept = complete rows that survive ---------------
for z in gzip lz4 zstd none; do
    orig=$CORPUS/pg16/sample.custom.$z.dump
    id=2866
    off=$(entry_field "$orig" $id data_offset)
    stored=$(entry_field "$orig" $id stored_bytes)
    fails=0 total=0 partial=0 details=()
    for k in $(seq 1 "$CUTS"); do
        cut=$((off + 11 + (stored - 11) * k / (CUTS + 1)))
        t=$TMP/cut.dump
        head -c "$cut" "$orig" >"$t"
        "$DUMPREPAIR" --list-only -f "$TMP/l" --json "$t" >"$TMP/j" 2>"$TMP/err"
        rc=$?
        kept=$(kept_rows "$TMP/j" $id 2>/dev/null)
        want=$(python3 "$HERE/repair_survive.py" expect "$t" "$off" $id "$z")
        total=$((total + 1))
        [ "$want" -gt 0 ] && partial=$((partial + 1))
        if [ $rc -ne 1 ] || [ "$kept" != "$want" ]; then
            fails=$((fails + 1))
            details+=("cut at $cut: exit $rc, $kept rows kept, $want complete rows survive")
            continue
        fi
        [ "$want" -eq 0 ] && continue
        "$DUMPREPAIR" --rows $id "$t" >"$TMP/rows" 2>/dev/null
        msg=$(python3 "$HERE/repair_survive.py" prefix "$TMP/rows" "$orig" "$off" $id "$z" "$want") || {
            fails=$((fails + 1))
            details+=("cut at $cut: --rows: $msg")
        }
    done
    check "cut $z: $total cuts in the block of dump id $id ($partial keep rows): rows kept = complete rows that survive (independent decoder), --rows = the original's first rows" \
        "$fails" "${details[@]:0:6}"
done

harness_finish
