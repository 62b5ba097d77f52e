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
#   * resynchronisation: a corrupt chunk length (over the limit, or 1000 bytes too long so the
#     walk lands mid-data) or block type byte in the middle of the 20,000-row table's block, in
#     archives with data offsets (pg15, pg16 gzip/lz4/zstd/none) and pipe-written ones without
#     (pg10, pg16 stdout, pg18): dumprepair -o exits 1, every other TABLE DATA and BLOBS entry
#     is intact in the report; where pg_restore 15 reads the archive, the data-only script of
#     OUT (pg_restore -a) has every other table's COPY rows exactly as the original's, and the
#     damaged table's first (kept - unverified) rows are the original's; elsewhere the rows per
#     table in OUT (dumpls --long) are the original's;
#
# Prints "ok - NAME" / "not ok - NAME" per case and ends with "N passed, N failed".  Run from
# the repository root after `make`.  Environment: DUMPREPAIR (default tools/dumprepair),
# DF_CORPUS (default corpus), CUTS (default 8).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export TZ=UTC LC_ALL=C

DUMPREPAIR=${DUMPREPAIR:-${DF_TOOLS_DIR:-tools}/dumprepair}
DUMPLS=${DF_TOOLS_DIR:-tools}/dumpls
CORPUS=${DF_CORPUS:-corpus}
CUTS=${CUTS:-8}
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

# ---- resynchronisation past a corrupt block --------------------------------------------------

# resync_case NAME ORIG ID NTH MODE: corrupt ORIG's block of dump id ID (chunk NTH, MODE),
# repair it, and compare OUT with ORIG (one line on stdout when something is wrong).
resync_case() {
    local orig=$2 id=$3 nth=$4 mode=$5 rc bad k u minor
    python3 "$HERE/repair_survive.py" corrupt "$orig" "$TMP/c.dump" "$id" "$nth" "$mode" >/dev/null ||
        { echo "could not corrupt"; return 1; }
    rm -rf "$TMP/o"
    "$DUMPREPAIR" -q --json -o "$TMP/o" "$TMP/c.dump" >"$TMP/j" 2>"$TMP/err"
    rc=$?
    [ $rc -eq 1 ] && [ -e "$TMP/o" ] || { echo "exit $rc: $(head -1 "$TMP/err")"; return 1; }
    bad=$(jq -r "[.entries[] | select((.desc == \"TABLE DATA\" or .desc == \"BLOBS\")
                 and .dump_id != $id and .state != \"intact\") | .dump_id] | join(\" \")" "$TMP/j")
    [ -z "$bad" ] || { echo "not intact past the damage: dump ids $bad"; return 1; }
    read -r k u <<<"$(jq -r ".entries[] | select(.dump_id == $id) |
                          \"\\(.rows_kept) \\(.rows_unverified)\"" "$TMP/j")"
    [ "$k" -ge 0 ] 2>/dev/null || k=0
    [ "$u" -ge 0 ] 2>/dev/null || u=0
    minor=$(od -An -tu1 -j6 -N1 "$orig" | tr -d ' ')
    if [ "$minor" -le 14 ]; then
        pg_restore -a -f "$TMP/orig.sql" "$orig" 2>/dev/null
        pg_restore -a -f "$TMP/out.sql" "$TMP/o" 2>"$TMP/pl.err" ||
            { echo "pg_restore OUT: $(head -1 "$TMP/pl.err")"; return 1; }
        python3 "$HERE/repair_survive.py" sections "$TMP/out.sql" "$TMP/orig.sql" \
            "$(entry_field "$orig" "$id" tag)" $((k - u)) "$k" || return 1
    else
        "$DUMPLS" --long --json "$orig" >"$TMP/a.json"
        "$DUMPLS" --long --json "$TMP/o" >"$TMP/b.json"
        bad=$(jq -rn --slurpfile a "$TMP/a.json" --slurpfile b "$TMP/b.json" "
            [\$a[0].entries[] | select(.desc == \"TABLE DATA\" and .dump_id != $id)] as \$x |
            [\$b[0].entries[] | select(.desc == \"TABLE DATA\")] as \$y |
            [\$x[] | . as \$e | select(([\$y[] | select(.dump_id == \$e.dump_id) | .rows]
              | first) != \$e.rows) | .dump_id] | join(\" \")")
        [ -z "$bad" ] || { echo "rows in OUT differ from the original's: dump ids $bad"; return 1; }
    fi
    return 0
}

for spec in pg15/sample.custom.gzip.dump pg15/sample.custom.none.dump pg10/sample.custom.pipe.dump \
    pg16/sample.custom.lz4.dump pg16/sample.custom.zstd.dump pg16/sample.custom.none.dump \
    pg16/sample.custom.stdout.dump pg18/sample.custom.pipe.dump; do
    orig=$CORPUS/$spec
    id=$("$DUMPLS" --long --json "$orig" |
        jq '.entries[] | select(.desc == "TABLE DATA" and .tag == "readings") | .dump_id')
    for mode in huge shift type; do
        msg=$(resync_case "$spec" "$orig" "$id" 1 "$mode")
        check "resync $spec, $mode: every entry past the damaged block intact, rows as the original's" \
            $? "$msg"
    done
done

harness_finish
