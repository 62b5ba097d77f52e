#!/bin/bash
# tests/cli/dumprepair_strict.sh — CLI tests of dumprepair's unverified rows and --strict on
# corrupt (bit-flipped) compressed data: gzip (pg_dump 15), lz4 and zstd (pg_dump 16 and 18).
#
# For each archive, the biggest TABLE DATA block gets one byte inverted at several places inside
# it; for each such copy:
#   * dumprepair --json -o OUT: the entry is partial or lost; for a partial one with K rows kept
#     of which U are unverified, the K-U rows before the unverified ones equal the original's
#     first K-U rows (dumprepair --rows of the damaged copy against the original's COPY text by
#     pg_restore: 15 for pg_dump 15, 17 through bench/pg17.sh for pg_dump 16 when its chroot is
#     there; pg_dump 18 archives, which no installed pg_restore reads, against pg_restore 17's
#     text of the pg_dump 16 archive of the same database is not possible either: they are
#     compared with the original's rows as `dumprepair --rows` prints them from the intact file);
#   * dumprepair --strict --json -o OUT: the entry keeps exactly K-U rows (report, and OUT by
#     dumpls --long --json), rows_unverified is U, and --strict --rows prints those K-U rows.
# Prints "ok - NAME" / "not ok - NAME" per case and ends with "N passed, N failed".  Run from
# the repository root after `make`.  Environment: DUMPREPAIR, DF_CORPUS, PG_RESTORE.

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export TZ=UTC LC_ALL=C

TOOLS=${DF_TOOLS_DIR:-tools}
DUMPREPAIR=${DUMPREPAIR:-$TOOLS/dumprepair}
CORPUS=${DF_CORPUS:-corpus}
PG_RESTORE=${PG_RESTORE:-pg_restore}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dumprepair-strict.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

PG17=""
if [ "$(id -u)" -eq 0 ] && [ -x /work/benchdata/trixie/usr/bin/pg_restore ] 2>/dev/null; then
    PG17="env BENCH_DIR=/work/benchdata PG17_BIND=$ROOT:$TMP bash $ROOT/bench/pg17.sh run pg_restore"
fi

# reference ORIG ID OUTFILE: the original's COPY rows of entry ID, one per line (no COPY, no \.)
reference() {
    local orig=$1 id=$2 out=$3 pr=""
    case $orig in
    */pg15/*) pr=$PG_RESTORE ;;
    */pg16/*) pr=$PG17 ;;
    esac
    if [ -n "$pr" ]; then
        $pr -l "$orig" 2>/dev/null | grep "^$id;" >"$TMP/one.list"
        $pr -f - -L "$TMP/one.list" "$orig" 2>/dev/null |
            awk '/^COPY .* FROM stdin;$/ { on = 1; next } on && $0 == "\\." { exit } on' >"$out"
    else
        "$DUMPREPAIR" --rows "$id" "$orig" >"$out" 2>/dev/null
    fi
    [ -s "$out" ]
}

# flip FILE OFFSET: invert the byte at OFFSET in place
flip() {
    python3 - "$1" "$2" <<'PY'
import sys
p, off = sys.argv[1], int(sys.argv[2])
with open(p, "r+b") as f:
    f.seek(off)
    b = f.read(1)
    f.seek(off)
    f.write(bytes([b[0] ^ 0xFF]))
PY
}

for orig in "$CORPUS"/pg15/sample.custom.gzip.dump "$CORPUS"/pg16/sample.custom.lz4.dump \
    "$CORPUS"/pg16/sample.custom.zstd.dump "$CORPUS"/pg18/sample.custom.lz4.dump \
    "$CORPUS"/pg18/sample.custom.zstd.dump; do
    [ -f "$orig" ] || continue
    name=$(basename "$(dirname "$orig")")/$(basename "$orig")
    read -r id off len < <("$TOOLS/dumpls" --long --json "$orig" 2>/dev/null | jq -r '
        [.entries[] | select(.desc == "TABLE DATA" and .stored_bytes > 0)]
        | max_by(.stored_bytes) | "\(.dump_id) \(.data_offset) \(.stored_bytes)"')
    if ! reference "$orig" "$id" "$TMP/ref"; then
        not_ok "$name: the original's rows of dump id $id" "no reference rows"
        continue
    fi
    refrows=$(wc -l <"$TMP/ref")
    fails=0 partials=0 unverified=0 details=()
    for pct in 20 45 70 90; do
        t=$TMP/flip.dump
        cp "$orig" "$t"
        flip "$t" $((off + len * pct / 100))
        what="$name flipped at $pct% of dump id $id"
        "$DUMPREPAIR" --json -o "$TMP/out" "$t" >"$TMP/j" 2>"$TMP/err"
        rc=$?
        read -r state kept unv < <(jq -r ".entries[] | select(.dump_id == $id)
            | \"\(.state) \(.rows_kept) \(.rows_unverified)\"" "$TMP/j" 2>/dev/null)
        # a flip the codec cannot see (lz4 without checksum) may leave the entry intact, or
        # make a bad row: partial then too; anything but an exit 1 with a report is wrong
        if [ $rc -ne 1 ] && [ $rc -ne 0 ]; then
            fails=$((fails + 1)); details+=("$what: exit $rc: $(head -1 "$TMP/err")"); continue
        fi
        [ "$state" = partial ] || continue
        partials=$((partials + 1))
        [ "$unv" -gt 0 ] && unverified=$((unverified + 1))
        good=$((kept - unv))
        "$DUMPREPAIR" --rows "$id" "$t" >"$TMP/rows" 2>/dev/null
        if [ "$(wc -l <"$TMP/rows")" -ne "$kept" ] ||
            ! cmp -s <(head -n "$good" "$TMP/rows") <(head -n "$good" "$TMP/ref") ||
            [ "$good" -gt "$refrows" ]; then
            fails=$((fails + 1))
            details+=("$what: $kept kept, $unv unverified: the first $good rows differ from the original's")
            continue
        fi
        rm -f "$TMP/out"
        "$DUMPREPAIR" --strict --json -o "$TMP/out" "$t" >"$TMP/js" 2>"$TMP/err"
        got=$(jq -r "[.strict, (.entries[] | select(.dump_id == $id) | .rows_kept, .rows_unverified)]
                     | map(tostring) | join(\" \")" "$TMP/js" 2>/dev/null)
        want="true $good $unv"
        [ "$good" -eq 0 ] && want="true $unv" # no rows left: lost, rows_kept not counted
        outrows=$("$TOOLS/dumpls" --long --json "$TMP/out" 2>/dev/null |
            jq -r "[.entries[] | select(.dump_id == $id) | .rows] | .[0] // 0")
        "$DUMPREPAIR" --strict --rows "$id" "$t" >"$TMP/srows" 2>/dev/null
        if [ "${got#true }" = "$got" ] || [ "$outrows" != "$good" ] ||
            ! cmp -s "$TMP/srows" <(head -n "$good" "$TMP/ref"); then
            fails=$((fails + 1))
            details+=("$what: --strict: report [strict kept unverified] = $got (want $want), OUT rows $outrows, --rows $(wc -l <"$TMP/srows") lines")
        fi
        rm -f "$TMP/out"
    done
    check "$name: 4 bit flips in dump id $id ($partials partial, $unverified with unverified rows): rows before the unverified = the original's; --strict drops exactly those" \
        "$fails" "${details[@]:0:6}"
done

harness_finish
