#!/bin/bash
# tests/cli/dumprepair_inserts.sh — CLI tests of dumprepair -o on INSERT-format data (pg_dump
# --inserts): a partial table keeps every complete statement and drops the cut last one.
#
# The corpus's --inserts scripts (pg_dump 15, 16, 18), and the pg_dump 15 one rewritten as
# --rows-per-insert 7 --column-inserts, are made custom archives (dumpconvert,
# uncompressed and gzip, for pg_restore 15); each is cut at SWEEP offsets inside the data block
# of its biggest table.  For every cut: dumprepair -o exits 1; the entry is partial or lost; a
# partial entry's rows kept are the rows of the complete statements in what survives of its
# block (chunks parsed and inflated independently by tests/cli/repair_inserts.py, statements
# ended by a ';' outside quotes per SQL lexing with standard_conforming_strings; gzip: at most
# that many, as the reader drops what zlib still holds when the input ends); `dumpcheck OUT` is
# OK; and the entry's INSERT statements in OUT (pg_restore 15 -f -) are the first ones of the
# original's, holding the rows kept.
# Prints "ok - NAME" / "not ok - NAME" per case and ends with "N passed, N failed".  Run from
# the repository root after `make`.  Environment: DUMPREPAIR, DF_CORPUS, PG_RESTORE, SWEEP
# (default 4; a longer sweep: SWEEP=20, about 6 minutes under ASan), DF_TEST_FULL (1: every
# archive at each of the SWEEP cuts; make check cuts each at every other one, the first cut
# turning from one script to the next, so that the four scripts still meet every cut).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export TZ=UTC LC_ALL=C

TOOLS=${DF_TOOLS_DIR:-tools}
DUMPREPAIR=${DUMPREPAIR:-$TOOLS/dumprepair}
CORPUS=${DF_CORPUS:-corpus}
PG_RESTORE=${PG_RESTORE:-pg_restore}
SWEEP=${SWEEP:-4}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dumprepair-inserts.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

# --rows-per-insert 7 --column-inserts, with a comment and a string holding "';)" in each
# statement (repair_inserts.py multirow): whole statements are kept, not lines
python3 "$HERE/repair_inserts.py" multirow "$CORPUS"/pg15/sample.plain.inserts.sql 7 \
    >"$TMP/multirow.sql"

nsrc=0
for src in "$CORPUS"/pg15/sample.plain.inserts.sql "$CORPUS"/pg16/sample.plain.inserts.sql \
    "$CORPUS"/pg18/sample.plain.inserts.sql "$TMP/multirow.sql"; do
    [ -f "$src" ] || continue
    nsrc=$((nsrc + 1))
    for z in none gzip; do
        name="$(basename "$(dirname "$src")")/$(basename "$src") as custom $z"
        case $src in "$TMP"/*) name="pg15 --inserts rewritten --rows-per-insert 7 --column-inserts as custom $z" ;; esac
        orig=$TMP/orig.dump
        if ! "$TOOLS/dumpconvert" --pg-restore-version=15 -F c -Z "$z" -o "$orig" "$src" \
            >/dev/null 2>"$TMP/err"; then
            not_ok "$name: dumpconvert" "$(head -1 "$TMP/err")"
            continue
        fi
        read -r id off len < <("$TOOLS/dumpls" --long --json "$orig" 2>/dev/null | jq -r '
            [.entries[] | select(.desc == "TABLE DATA" and .stored_bytes > 0)]
            | max_by(.stored_bytes) | "\(.dump_id) \(.data_offset) \(.stored_bytes)"')
        "$PG_RESTORE" -l "$orig" | grep "^$id;" >"$TMP/one.list"
        "$PG_RESTORE" -f "$TMP/orig.sql" -L "$TMP/one.list" "$orig" 2>/dev/null
        fails=0 partials=0 shorts=0 details=() ncuts=0
        for k in $(seq 1 "$SWEEP"); do
            [ "${DF_TEST_FULL:-}" = 1 ] || [ $(((k + nsrc) % 2)) -eq 0 ] || continue
            ncuts=$((ncuts + 1))
            cut=$((off + len * k / (SWEEP + 1)))
            t=$TMP/cut.dump
            head -c "$cut" "$orig" >"$t"
            rm -f "$TMP/out"
            "$DUMPREPAIR" --json -o "$TMP/out" "$t" >"$TMP/j" 2>"$TMP/err"
            rc=$?
            what="cut at $cut"
            if [ $rc -ne 1 ]; then
                fails=$((fails + 1)); details+=("$what: exit $rc: $(head -1 "$TMP/err")"); continue
            fi
            read -r state kept < <(jq -r ".entries[] | select(.dump_id == $id)
                | \"\(.state) \(.rows_kept)\"" "$TMP/j")
            read -r nst nrows < <(python3 "$HERE/repair_inserts.py" expect "$t" "$off" "$id" "$z")
            if [ "$state" != partial ]; then
                if [ "$nrows" -gt 0 ] && [ "$z" = none ]; then
                    fails=$((fails + 1)); details+=("$what: $state, but $nrows rows survive")
                fi
                continue
            fi
            partials=$((partials + 1))
            if [ "$kept" != "$nrows" ] && { [ "$z" != gzip ] || [ "$kept" -gt "$nrows" ]; }; then
                fails=$((fails + 1)); details+=("$what: $kept rows kept, $nrows in complete statements"); continue
            fi
            [ "$kept" != "$nrows" ] && shorts=$((shorts + 1))
            "$TOOLS/dumpcheck" -q "$TMP/out" >/dev/null 2>"$TMP/ck" ||
                { fails=$((fails + 1)); details+=("$what: dumpcheck OUT: $(head -1 "$TMP/ck")"); continue; }
            "$PG_RESTORE" -f "$TMP/out.sql" -L "$TMP/one.list" "$TMP/out" 2>"$TMP/err" ||
                { fails=$((fails + 1)); details+=("$what: pg_restore OUT: $(head -1 "$TMP/err")"); continue; }
            msg=$(python3 "$HERE/repair_inserts.py" prefix "$TMP/out.sql" "$TMP/orig.sql" "$kept") ||
                { fails=$((fails + 1)); details+=("$what: $msg"); }
        done
        check "$name: $ncuts of $SWEEP cuts in dump id $id ($partials partial, $shorts short of the gzip tail): rows kept = complete statements' rows, OUT holds the original's first statements" \
            "$fails" "${details[@]:0:6}"
    done
done

harness_finish
