#!/bin/bash
# tests/cli/dumprepair_toc.sh — dumprepair over archives whose file ends inside the TOC (issue
# 13: "a truncated TOC keeps the entries before the cut"), no server needed.
#
# For custom, tar and directory archives of the corpus (pg_dump 9.3, 10 and 15: archive
# versions pg_restore 15 reads), cut at CUTS offsets spread over the TOC (the custom file or
# the tar file cut there, a directory's toc.dat cut there):
#   * dumpcheck CUT: DAMAGED (exit 2) with its truncated-toc finding (truncated-header for a
#     tar, whose toc.dat member is cut), as before (dumpcheck does not open in salvage mode: the
#     finding says nothing of entries read whole);
#   * dumprepair --list-only CUT: exit 2, no list (pg_restore cannot read that TOC);
#   * dumprepair --json -o OUT CUT: exit 1, and the report's "toc" says promised = the TOC's
#     own count, kept = the entries whose record ends before the cut (tests/cli/repair_toc.py,
#     a TOC parser of its own), lost = the rest, and for a directory archive lost_data_ids =
#     the dump ids of lost entries whose data file is there; `dumpcheck OUT` OK or warns;
#     `pg_restore -l OUT` reads OUT without a word on stderr and lists exactly the original's
#     listed entries among the first N, less those the report calls lost or dropped (data
#     that followed the TOC in a custom or tar file); a directory archive's kept TABLE DATA
#     entries are intact (their data files are whole);
#   * a cut that keeps no entry pg_restore lists: exit 2, no OUT.
#
# Prints "ok - NAME" / "not ok - NAME" and "N passed, N failed".  Run from the repository root
# after `make`.  Environment: DUMPREPAIR, DF_CORPUS (default corpus), PG_RESTORE, CUTS
# (default 6), DF_TEST_FULL (1: every one of the CUTS cuts; make check cuts at every other one
# and the last, besides the one just after the TOC count).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export TZ=UTC LC_ALL=C

TOOLS=${DF_TOOLS_DIR:-tools}
DUMPREPAIR=${DUMPREPAIR:-$TOOLS/dumprepair}
CORPUS=${DF_CORPUS:-corpus}
PG_RESTORE=${PG_RESTORE:-pg_restore}
CUTS=${CUTS:-6}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dumprepair-toc.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

# make_cut ORIG CUT T: T is ORIG whose TOC-holding file ends at CUT
make_cut() {
    rm -rf "$3"
    if [ -d "$1" ]; then
        cp -r "$1" "$3"
        truncate -s "$2" "$3/toc.dat"
    else
        head -c "$2" "$1" >"$3"
    fi
}

# one_cut ORIG CUT: what is wrong with the repair of ORIG cut at CUT (one line), or nothing
one_cut() {
    local orig=$1 cut=$2 t=$TMP/cut rc kept
    make_cut "$orig" "$cut" "$t"
    kept=$(python3 "$HERE/repair_toc.py" kept "$orig" "$cut")
    "$TOOLS/dumpcheck" "$t" >/dev/null 2>"$TMP/ck.err"
    rc=$?
    # (a tar's cut toc.dat is a cut member to dumpcheck: "truncated-header", as before)
    { [ $rc -eq 2 ] && grep -E -q "truncated-(toc|header): the file ends at offset $cut inside the archive (TOC|header) \(" "$TMP/ck.err" &&
        ! grep -q "read whole" "$TMP/ck.err"; } ||
        { echo "dumpcheck CUT exit $rc: $(grep -v newer-than "$TMP/ck.err" | head -1)"; return 1; }
    rm -f "$TMP/l"
    "$DUMPREPAIR" --list-only -f "$TMP/l" "$t" >/dev/null 2>"$TMP/err"
    rc=$?
    [ $rc -eq 2 ] && [ ! -e "$TMP/l" ] ||
        { echo "--list-only exit $rc, want 2 and no list"; return 1; }
    rm -rf "$TMP/o"
    "$DUMPREPAIR" --json -o "$TMP/o" "$t" >"$TMP/j" 2>"$TMP/err"
    rc=$?
    # the entries before the first one pg_restore lists (ENCODING, STDSTRINGS, ...) make no
    # restorable archive
    if [ "$(python3 "$HERE/repair_toc.py" listable "$orig" "$cut" "$TMP/orig.list")" -eq 0 ]; then
        [ $rc -eq 2 ] && [ ! -e "$TMP/o" ] && return 0
        echo "-o with nothing listable ($kept kept): exit $rc, want 2 and no OUT"
        return 1
    fi
    [ $rc -eq 1 ] && [ -e "$TMP/o" ] ||
        { echo "-o exit $rc ($kept kept): $(head -1 "$TMP/err")"; return 1; }
    "$TOOLS/dumpcheck" -q "$TMP/o" >/dev/null 2>"$TMP/ck.err"
    rc=$?
    [ $rc -le 1 ] || { echo "dumpcheck OUT exit $rc: $(head -1 "$TMP/ck.err")"; return 1; }
    "$PG_RESTORE" -l "$TMP/o" >"$TMP/out.list" 2>"$TMP/pl.err"
    rc=$?
    [ $rc -eq 0 ] && [ ! -s "$TMP/pl.err" ] ||
        { echo "pg_restore -l OUT exit $rc: $(head -1 "$TMP/pl.err")"; return 1; }
    python3 "$HERE/repair_toc.py" report "$orig" "$cut" "$TMP/j" "$TMP/orig.list" "$TMP/out.list" ||
        return 1
    return 0
}

for orig in "$CORPUS"/pg15/sample.custom.gzip.dump "$CORPUS"/pg15/sample.custom.none.dump \
    "$CORPUS"/pg15/sample.tar "$CORPUS"/pg15/sample.dir.gzip "$CORPUS"/pg10/sample.custom.gzip.dump \
    "$CORPUS"/pg10/sample.tar "$CORPUS"/pg10/sample.dir.gzip "$CORPUS"/pg93/sample.custom.none.dump; do
    [ -e "$orig" ] || continue
    name=$(basename "$(dirname "$orig")")/$(basename "$orig")
    "$PG_RESTORE" -l "$orig" >"$TMP/orig.list" 2>/dev/null
    python3 "$HERE/repair_toc.py" entries "$orig" >"$TMP/ents"
    read -r _ _ count start <"$TMP/ents"
    end=$(tail -1 "$TMP/ents" | awk '{ print $3 }')
    fails=0 details=() kepts=()
    # CUTS offsets spread over the entries, and one just after the TOC count (nothing kept)
    # (make check: every other one and the last)
    step=2
    [ "${DF_TEST_FULL:-}" = 1 ] && step=1
    ks=$( (echo 0; seq 1 "$step" "$CUTS"; echo "$CUTS") | sort -nu)
    for k in $ks; do
        cut=$((start + (end - start) * k / (CUTS + 1)))
        [ "$k" -eq 0 ] && cut=$((start + 1))
        kepts+=("$(python3 "$HERE/repair_toc.py" kept "$orig" "$cut")")
        msg=$(one_cut "$orig" "$cut") || {
            fails=$((fails + 1))
            details+=("cut at $cut: $msg")
        }
    done
    check "$name: $(echo $ks | wc -w) cuts inside the TOC ($count entries; kept ${kepts[*]}): OUT holds the entries before the cut, report counts and names what is lost" \
        "$fails" "${details[@]:0:6}"
done

# the damaged corpus's cut TOC (pg_dump 18): the report without pg_restore (it is 1.16)
x=$CORPUS/damaged/pg18-sample.custom.gzip.trunc-toc.dump
[ -e "$x" ] || x=/work/shared/corpus/damaged/pg18-sample.custom.gzip.trunc-toc.dump
if [ -e "$x" ]; then
    size=$(stat -c %s "$x")
    rm -rf "$TMP/o"
    "$DUMPREPAIR" --json -o "$TMP/o" "$x" >"$TMP/j" 2>"$TMP/err"
    rc=$?
    kept=$(python3 "$HERE/repair_toc.py" kept "$x" "$size")
    got=$(jq -c '[.toc.promised, .toc.kept, .toc.lost, .toc.cut_offset]' "$TMP/j" 2>/dev/null)
    "$TOOLS/dumpcheck" -q "$TMP/o" >/dev/null 2>&1
    ck=$?
    [ $rc -eq 1 ] && [ "$got" = "[198,$kept,$((198 - kept)),$size]" ] && [ $ck -le 1 ]
    check "$(basename "$x") -o: exit 1, $kept of 198 entries kept, cut at $size, dumpcheck OUT" $? \
        "exit $rc, toc $got, dumpcheck OUT exit $ck" "$(head -2 "$TMP/err")"
fi

harness_finish
