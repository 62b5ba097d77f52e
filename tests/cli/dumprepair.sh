#!/bin/bash
# tests/cli/dumprepair.sh — CLI tests of tools/dumprepair --list-only and -o (no server needed).
#
# What is checked:
#   * every damaged archive of the corpus (MANIFEST.json): exit 2 when the TOC cannot be read
#     (a cut TOC: no list, but -o writes the entries before the cut, exit 1),
#     else exit 1, the entries MANIFEST names as affected commented out of the list, and the
#     list read by pg_restore itself (`pg_restore -l -L LIST X`: exit 0, not one warning) —
#     Debian's pg_restore 15 for archives up to 1.14, pg_restore 17 (bench/pg17.sh, when its
#     chroot is there) for 1.15 and 1.16;
#   * intact archives: exit 0, every entry pg_restore -l lists is in the list;
#   * a sweep of truncations of pg_dump 15 archives (custom gzip, custom none, tar) at
#     SWEEP offsets each (make check: every third one of them, the first and last always;
#     DF_TEST_FULL=1: all): exit 1 or 2 (never 0), the list read by pg_restore 15 without a
#     warning; for every partial TABLE DATA entry of a custom archive, the rows kept equal the
#     complete rows in what survives of its block (chunks parsed and inflated independently by
#     tests/cli/repair_rows.py, gzip included), and --rows prints exactly
#     the first N rows of the intact original's COPY text (pg_restore 15 -f - of the original);
#     and the repaired archive of each cut (-o OUT): exit 1, `dumpcheck OUT` OK or warns,
#     `pg_restore -l OUT` reads it, per table the rows in OUT (dumpls --long --json) are the
#     report's rows kept (partial), IN's (intact) or none (lost: the TABLE DATA entry is left
#     out), and each partial table's COPY text in OUT (pg_restore 15 -f -) is the first N
#     rows of the intact original's, then "\.";
#   * dumprepair -o: intact archives (exit 0, OUT lists like IN, every row; -F/-Z too) and
#     every damaged archive of the corpus (exit 1 and the checks above; exit 2 and no OUT
#     when the TOC cannot be read);
#   * exit statuses and messages: bad options, -o with --list-only, -o IN, stdin, --json.
#
# Prints "ok - NAME" / "not ok - NAME" per case and ends with "N passed, N failed".  Run from
# the repository root after `make`.  Environment: DUMPREPAIR (default tools/dumprepair),
# DF_CORPUS (default corpus), PG_RESTORE (default pg_restore), SWEEP (default 50),
# DF_TEST_FULL (1: every cut of the sweep).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export TZ=UTC LC_ALL=C

DUMPREPAIR=${DUMPREPAIR:-${DF_TOOLS_DIR:-tools}/dumprepair}
CORPUS=${DF_CORPUS:-corpus}
PG_RESTORE=${PG_RESTORE:-pg_restore}
SWEEP=${SWEEP:-50}
# make check cuts at every third offset of the sweep, make check-full at each one
SWEEP_STEP=3
[ "${DF_TEST_FULL:-}" = 1 ] && SWEEP_STEP=1
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dumprepair-cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

# pg_restore 17 through the chroot, when it is there (root only: it mounts).
PG17=""
if [ "$(id -u)" -eq 0 ] && [ -x /work/benchdata/trixie/usr/bin/pg_restore ] 2>/dev/null; then
    PG17="env BENCH_DIR=/work/benchdata PG17_BIND=$ROOT:$TMP bash $ROOT/bench/pg17.sh run pg_restore"
fi

# archive_minor FILE: the archive's minor version (1.N), from its header.
archive_minor() {
    local f=$1
    [ -d "$f" ] && f=$f/toc.dat
    if [ "$(head -c 5 "$f")" = PGDMP ]; then
        od -An -tu1 -j6 -N1 "$f" | tr -d ' '
    else # tar: toc.dat is the first member, its data start at 512
        od -An -tu1 -j518 -N1 "$f" | tr -d ' '
    fi
}

# restore_l X LIST: pg_restore -l -L LIST X by a release that reads X; prints "skip" when none.
restore_l() {
    local minor
    minor=$(archive_minor "$1")
    if [ "$minor" -le 14 ]; then
        "$PG_RESTORE" -l -L "$2" "$1"
    elif [ -n "$PG17" ]; then
        (cd "$ROOT" && $PG17 -l -L "$2" "$1")
    else
        echo skip
        return 0
    fi
}

# check_list NAME X LIST: pg_restore reads LIST over X: exit 0, no warning.
check_list() {
    local name=$1 x=$2 list=$3 rc
    restore_l "$x" "$list" >"$TMP/pl.out" 2>"$TMP/pl.err"
    rc=$?
    if grep -qx skip "$TMP/pl.out"; then
        ok "$name # skip: no pg_restore reads archive version 1.$(archive_minor "$x")"
        return
    fi
    if [ $rc -eq 0 ] && [ ! -s "$TMP/pl.err" ]; then
        ok "$name"
    else
        not_ok "$name" "pg_restore -l -L exit $rc" "$(head -3 "$TMP/pl.err")"
    fi
}

# check_out NAME IN OUT REPORT FAIL MSG: dumprepair -o wrote OUT (FAIL: its exit was wrong):
# dumpcheck OUT is OK or warns; pg_restore -l reads OUT (a release that reads it); per TABLE
# DATA entry, the rows in OUT (dumpls) are IN's (intact), the report's rows kept (partial), or
# the entry is gone (lost) — repair_rows.py tables.
check_out() {
    local name=$1 in=$2 out=$3 rep=$4 fail=$5 msg=$6 rc minor
    if [ "$fail" -ne 0 ] || [ ! -e "$out" ]; then
        not_ok "$name: OUT written" "$msg" "$(head -2 "$TMP/err")"
        return
    fi
    "${DF_TOOLS_DIR:-tools}/dumpcheck" -q "$out" >/dev/null 2>"$TMP/ck.err"
    rc=$?
    check "$name: dumpcheck OUT OK or warns" $((rc > 1)) "dumpcheck exit $rc" \
        "$(grep -v sequence-behind "$TMP/ck.err" | head -3)"
    minor=$(archive_minor "$out")
    if [ "$minor" -le 14 ]; then
        "$PG_RESTORE" -l "$out" >/dev/null 2>"$TMP/pl.err"
        rc=$?
        [ $rc -eq 0 ] && [ ! -s "$TMP/pl.err" ]
        check "$name: pg_restore -l OUT" $? "exit $rc" "$(head -2 "$TMP/pl.err")"
    elif [ -n "$PG17" ]; then
        (cd "$ROOT" && $PG17 -l "$out") >/dev/null 2>"$TMP/pl.err"
        rc=$?
        [ $rc -eq 0 ] && [ ! -s "$TMP/pl.err" ]
        check "$name: pg_restore 17 -l OUT" $? "exit $rc" "$(head -2 "$TMP/pl.err")"
    else
        ok "$name: pg_restore -l OUT # skip: no pg_restore reads archive version 1.$minor"
    fi
    "${DF_TOOLS_DIR:-tools}/dumpls" --long --json "$in" >"$TMP/in.json" 2>/dev/null
    "${DF_TOOLS_DIR:-tools}/dumpls" --long --json "$out" >"$TMP/out.json" 2>/dev/null
    msg=$(python3 "$HERE/repair_rows.py" tables "$rep" "$TMP/in.json" "$TMP/out.json")
    check "$name: rows in OUT = rows kept" $? "$msg"
}

# ---- usage -------------------------------------------------------------------------------
"$DUMPREPAIR" >/dev/null 2>"$TMP/err"
check "no operand: exit 3" $(($? != 3)) "$(cat "$TMP/err")"
"$DUMPREPAIR" --list-only -o "$TMP/out.dump" "$CORPUS/pg15/sample.custom.gzip.dump" >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 3 ] && [ ! -e "$TMP/out.dump" ]
check "--list-only with -o: exit 3, writes nothing" $? "exit $rc" "$(cat "$TMP/err")"
"$DUMPREPAIR" -Z bogus -o "$TMP/out.dump" "$CORPUS/pg15/sample.custom.gzip.dump" >/dev/null 2>"$TMP/err"
check "-Z bogus: exit 3" $(($? != 3)) "$(cat "$TMP/err")"
x=$CORPUS/pg15/sample.custom.gzip.dump
"$DUMPREPAIR" -o "$x" "$x" >/dev/null 2>"$TMP/err"
check "-o IN: exit 3" $(($? != 3)) "$(cat "$TMP/err")"
"$DUMPREPAIR" --list-only --json "$CORPUS/pg15/sample.custom.gzip.dump" >/dev/null 2>"$TMP/err"
check "--json without -f: exit 3" $(($? != 3)) "$(cat "$TMP/err")"
"$DUMPREPAIR" --list-only - <"$CORPUS/pg15/sample.custom.gzip.dump" >/dev/null 2>"$TMP/err"
check "stdin: exit 3" $(($? != 3)) "$(cat "$TMP/err")"
"$DUMPREPAIR" --list-only "$CORPUS/pg15/sample.plain.sql" >/dev/null 2>"$TMP/err"
check "plain script: exit 3" $(($? != 3)) "$(cat "$TMP/err")"
"$DUMPREPAIR" --list-only "$TMP/nonexistent.dump" >/dev/null 2>"$TMP/err"
check "missing file: exit 3" $(($? != 3)) "$(cat "$TMP/err")"

# ---- intact archives -----------------------------------------------------------------------
for x in "$CORPUS"/pg15/sample.custom.gzip.dump "$CORPUS"/pg15/sample.dir.gzip \
    "$CORPUS"/pg15/sample.tar "$CORPUS"/pg10/sample.custom.none.dump; do
    "$DUMPREPAIR" --list-only -f "$TMP/l" "$x" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    "$PG_RESTORE" -l "$x" | grep -v '^;' >"$TMP/want"
    grep -v '^;' "$TMP/l" >"$TMP/got"
    [ $rc -eq 0 ] && [ "$(sort "$TMP/want")" = "$(sort "$TMP/got")" ]
    check "intact $(basename "$x"): exit 0, every entry listed" $? "exit $rc" \
        "$(diff <(sort "$TMP/want") <(sort "$TMP/got") | head -5)"
    check_list "intact $(basename "$x"): pg_restore -l -L reads the list" "$x" "$TMP/l"
    # the repaired archive of an intact one: exit 0, lists like IN, every row (dumpls)
    out=$TMP/intact.$(basename "$x")
    "$DUMPREPAIR" -q --json -o "$out" "$x" >"$TMP/j" 2>"$TMP/err"
    rc=$?
    check_out "intact $(basename "$x") -o" "$x" "$out" "$TMP/j" $((rc != 0)) "exit $rc"
    "$PG_RESTORE" -l "$out" | grep -v '^;' >"$TMP/got"
    [ "$(sort "$TMP/want")" = "$(sort "$TMP/got")" ]
    check "intact $(basename "$x") -o: OUT lists like IN" $? \
        "$(diff <(sort "$TMP/want") <(sort "$TMP/got") | head -5)"
    rm -rf "$out"
done
for fz in "-F d" "-F t" "-F c -Z none" "-F c -Z gzip:1"; do
    x=$CORPUS/pg15/sample.custom.gzip.dump
    out=$TMP/conv.out
    # shellcheck disable=SC2086 # two options
    "$DUMPREPAIR" -q --json $fz -o "$out" "$x" >"$TMP/j" 2>"$TMP/err"
    rc=$?
    check_out "intact sample.custom.gzip.dump $fz" "$x" "$out" "$TMP/j" $((rc != 0)) "exit $rc"
    rm -rf "$out"
done

# ---- the damaged corpus ----------------------------------------------------------------------
python3 - "$CORPUS/MANIFEST.json" >"$TMP/damaged.tsv" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
for d in m['damaged']:
    if d['kind'].startswith('plain'):
        continue
    ids = ' '.join(str(a['dump_id']) for a in d.get('affected_data', []))
    print('%s\t%s\t%s' % (d['name'], d['expected_verdict'], ids))
EOF
while IFS=$'\t' read -r name verdict ids; do
    x=$CORPUS/$name
    rm -f "$TMP/l"
    "$DUMPREPAIR" --list-only -f "$TMP/l" --json "$x" >"$TMP/j" 2>"$TMP/err"
    rc=$?
    case $verdict in
    TRUNCATED_TOC) # no list over it; OUT of the entries before the cut (dumprepair_toc.sh)
        [ $rc -eq 2 ] && [ ! -e "$TMP/l" ]
        check "$name: no list over a cut TOC, exit 2" $? "exit $rc" "$(head -2 "$TMP/err")"
        rm -rf "$TMP/o"
        "$DUMPREPAIR" -q -o "$TMP/o" "$x" >/dev/null 2>"$TMP/err"
        rc=$?
        "${DF_TOOLS_DIR:-tools}/dumpcheck" -q "$TMP/o" >/dev/null 2>&1
        [ $rc -eq 1 ] && [ $? -le 1 ]
        check "$name -o: the entries before the cut, exit 1, dumpcheck OUT" $? "exit $rc" \
            "$(head -2 "$TMP/err")"
        rm -rf "$TMP/o"
        continue
        ;;
    EMPTY | NOT_A_DUMP | TRUNCATED_HEADER | CORRUPT_HEADER)
        [ $rc -eq 2 ] && [ ! -e "$TMP/l" ]
        check "$name: nothing restorable, exit 2, no list" $? "exit $rc" "$(head -2 "$TMP/err")"
        "$DUMPREPAIR" -q -o "$TMP/o" "$x" >/dev/null 2>"$TMP/err"
        rc=$?
        [ $rc -eq 2 ] && [ ! -e "$TMP/o" ]
        check "$name -o: nothing restorable, exit 2, no OUT" $? "exit $rc" "$(head -2 "$TMP/err")"
        continue
        ;;
    esac
    check "$name: exit 1" $(($rc != 1)) "exit $rc" "$(head -2 "$TMP/err")"
    bad=""
    for id in $ids; do
        grep -q "^$id;" "$TMP/l" && bad="$bad $id"
    done
    check "$name: the affected entries are commented out" $((${#bad} != 0)) "listed:$bad"
    check_list "$name: pg_restore -l -L reads the list" "$x" "$TMP/l"
    rm -f "$TMP/l"
    rm -rf "$TMP/o"
    "$DUMPREPAIR" --json -o "$TMP/o" "$x" >"$TMP/j" 2>"$TMP/err"
    rc=$?
    check_out "$name -o" "$x" "$TMP/o" "$TMP/j" $((rc != 1)) "exit $rc"
    rm -rf "$TMP/o"
done <"$TMP/damaged.tsv"

# ---- a directory archive with holes: products' data file gone, customers' cut in half -----
x=$TMP/holes.dir
cp -r "$CORPUS"/pg15/sample.dir.gzip "$x"
rm -f "$x/3649.dat.gz"
truncate -s $(($(stat -c %s "$x/3655.dat.gz") / 2)) "$x/3655.dat.gz"
"$DUMPREPAIR" --json -o "$TMP/o" "$x" >"$TMP/j" 2>"$TMP/err"
rc=$?
check_out "holes.dir -o" "$x" "$TMP/o" "$TMP/j" $((rc != 1)) "exit $rc"
# three FKs that reference them become NOT VALID; the one on partitioned sales.orders is left out
"$PG_RESTORE" -f - "$TMP/o" 2>/dev/null | grep -c "FOREIGN KEY .* NOT VALID;" >"$TMP/n"
got=$(jq -c '[.totals.changed, ([.entries[] | select(.state == "dropped" and
             .desc == "FK CONSTRAINT")] | length)]' "$TMP/j")
[ "$(cat "$TMP/n")" = 3 ] && [ "$got" = "[3,1]" ]
check "holes.dir -o: 3 FKs NOT VALID in OUT and the report, 1 left out" $? \
    "$(cat "$TMP/n") NOT VALID in OUT, [changed, dropped FKs] = $got"
rm -rf "$TMP/o"

# ---- truncation sweep (pg_dump 15 archives: pg_restore 15 is the oracle) ---------------------

# orig_entry ORIG ID: $TMP/one.list (entry ID's line of ORIG's pg_restore -l) and $TMP/orig.sql
# (pg_restore 15 -f of that entry of the intact ORIG), made once per ORIG and ID: the sweep asks
# for the same few tables at every cut.
orig_entry() {
    local c
    c=$TMP/cache.$(basename "$1").$2
    if [ ! -e "$c.sql" ]; then
        "$PG_RESTORE" -l "$1" | grep "^$2;" >"$c.list"
        "$PG_RESTORE" -f "$c.sql" -L "$c.list" "$1" 2>/dev/null
    fi
    cp "$c.list" "$TMP/one.list"
    cp "$c.sql" "$TMP/orig.sql"
}

# rows_check T ORIG Z ID ROWS: the kept rows of entry ID of cut archive T: as many as the
# complete rows in what survives of its block (repair_rows.py expect), and the first ROWS rows
# of the original's COPY text (pg_restore 15 -f - of the intact archive).
rows_check() {
    local t=$1 orig=$2 z=$3 id=$4 rows=$5 off n msg
    orig_entry "$orig" "$id"
    off=$(jq -r ".entries[] | select(.dump_id == $id) | .data_offset" "$TMP/ls.json")
    n=$(python3 "$HERE/repair_rows.py" expect "$t" "$off" "$id" "$z" "$TMP/orig.sql")
    # exactly as many, gzip too (the reader hands out what zlib decoded before the cut)
    if [ "$n" != "$rows" ]; then
        echo "dump id $id: $rows rows kept, $n complete rows survive"
        return 1
    fi
    [ "$n" != "$rows" ] && echo "short $((n - rows))"
    "$DUMPREPAIR" --rows "$id" "$t" >"$TMP/rows" 2>/dev/null
    msg=$(python3 "$HERE/repair_rows.py" prefix "$TMP/rows" "$TMP/orig.sql" "$rows") || {
        echo "dump id $id: $msg"
        return 1
    }
    return 0
}

# sweep_out CUT ORIG OUT REPORT: what is wrong with the repaired archive OUT of CUT (one line)
sweep_out() {
    local cut=$1 orig=$2 out=$3 rep=$4 rc id rows msg
    "${DF_TOOLS_DIR:-tools}/dumpcheck" -q "$out" >/dev/null 2>"$TMP/ck.err"
    rc=$?
    [ $rc -le 1 ] || { echo "dumpcheck OUT exit $rc: $(head -1 "$TMP/ck.err")"; return 1; }
    "$PG_RESTORE" -l "$out" >"$TMP/out.list" 2>"$TMP/pl.err"
    rc=$?
    [ $rc -eq 0 ] && [ ! -s "$TMP/pl.err" ] ||
        { echo "pg_restore -l OUT exit $rc: $(head -1 "$TMP/pl.err")"; return 1; }
    "${DF_TOOLS_DIR:-tools}/dumpls" --long --json "$cut" >"$TMP/in.json" 2>/dev/null
    "${DF_TOOLS_DIR:-tools}/dumpls" --long --json "$out" >"$TMP/out.json" 2>/dev/null
    msg=$(python3 "$HERE/repair_rows.py" tables "$rep" "$TMP/in.json" "$TMP/out.json") ||
        { echo "$msg"; return 1; }
    while read -r id rows; do
        orig_entry "$orig" "$id"
        "$PG_RESTORE" -f "$TMP/out.sql" -L "$TMP/one.list" "$out" 2>"$TMP/pl.err" ||
            { echo "pg_restore OUT dump id $id: $(head -1 "$TMP/pl.err")"; return 1; }
        msg=$(python3 "$HERE/repair_rows.py" restored "$TMP/out.sql" "$TMP/orig.sql" "$rows") ||
            { echo "dump id $id: $msg"; return 1; }
    done < <(jq -r '.entries[] | select(.state == "partial" and .desc == "TABLE DATA")
                    | "\(.dump_id) \(.rows_kept)"' "$rep")
    return 0
}

for orig in "$CORPUS"/pg15/sample.custom.gzip.dump "$CORPUS"/pg15/sample.custom.none.dump \
    "$CORPUS"/pg15/sample.tar; do
    size=$(stat -c %s "$orig")
    z=none
    case $orig in *gzip*) z=gzip ;; esac
    "${DF_TOOLS_DIR:-tools}/dumpls" --json "$orig" >"$TMP/ls.json" 2>/dev/null
    fails=0 partials=0 ones=0 twos=0 shorts=0 short_rows=0 outs=0 spliced=0 details=() ncuts=0
    for k in $( (seq 1 "$SWEEP_STEP" "$SWEEP"; echo "$SWEEP") | sort -nu); do
        ncuts=$((ncuts + 1))
        cut=$((size * k / (SWEEP + 1)))
        t=$TMP/cut.$(basename "$orig")
        head -c "$cut" "$orig" >"$t"
        rm -f "$TMP/l"
        "$DUMPREPAIR" --list-only -f "$TMP/l" --json "$t" >"$TMP/j" 2>"$TMP/err"
        rc=$?
        case $rc in
        2) twos=$((twos + 1)); continue ;;
        1) ones=$((ones + 1)) ;;
        *) fails=$((fails + 1)); details+=("cut at $cut: exit $rc: $(head -1 "$TMP/err")"); continue ;;
        esac
        "$PG_RESTORE" -l -L "$TMP/l" "$t" >/dev/null 2>"$TMP/pl.err"
        if [ $? -ne 0 ] || [ -s "$TMP/pl.err" ]; then
            fails=$((fails + 1))
            details+=("cut at $cut: pg_restore -l -L: $(head -1 "$TMP/pl.err")")
        fi
        # the repaired archive of the cut: exit 1, dumpcheck OK or warns, pg_restore -l reads
        # it, rows per table as the report says, partial tables the original's first rows
        rm -rf "$TMP/o"
        "$DUMPREPAIR" --json -o "$TMP/o" "$t" >"$TMP/jo" 2>"$TMP/err"
        rc=$?
        if [ $rc -ne 1 ] || [ ! -e "$TMP/o" ]; then
            fails=$((fails + 1))
            details+=("cut at $cut: -o: exit $rc: $(head -1 "$TMP/err")")
            continue
        fi
        outs=$((outs + 1))
        spliced=$((spliced + $(jq '.blocks_spliced // 0' "$TMP/jo")))
        msg=$(sweep_out "$t" "$orig" "$TMP/o" "$TMP/jo") || {
            fails=$((fails + 1))
            details+=("cut at $cut: -o: $msg")
        }
        while read -r id rows; do
            partials=$((partials + 1))
            msg=$(rows_check "$t" "$orig" "$z" "$id" "$rows") || {
                fails=$((fails + 1))
                details+=("cut at $cut: $msg")
            }
            case $msg in short*) shorts=$((shorts + 1)) short_rows=$((short_rows + ${msg#short })) ;; esac
        done < <(jq -r '.entries[] | select(.state == "partial" and .desc == "TABLE DATA")
                        | "\(.dump_id) \(.rows_kept)"' "$TMP/j")
    done
    # a cut gzip stream is spliced (its bytes before the last block boundary kept as stored)
    if [ "$z" = gzip ] && [ "$partials" -gt 0 ] && [ "$spliced" -eq 0 ]; then
        fails=$((fails + 1))
        details+=("no cut gzip stream was spliced")
    fi
    check "sweep $(basename "$orig"): $ncuts cuts of $SWEEP ($ones listed, $outs repaired ($spliced streams spliced), $twos unreadable TOC, $partials partial tables, $shorts short by $short_rows rows): lists and OUT read by pg_restore 15, kept rows = the original's first rows" \
        "$fails" "${details[@]:0:8}"
done

harness_finish
