#!/bin/bash
# tests/cli/cutcheck.sh — dumpcheck on cut archives: what survived of the data block, tar member
# or directory data file the cut falls in is decoded and checked (issue 13).
#
# What is checked, for the damaged archives of the corpus that are cut in a table's data and a
# sweep of CUTS cuts over the data of each intact custom (every codec), tar and directory
# (every codec: the largest data file cut) archive of pg_dump 9.3 and 18, and of a custom archive of
# INSERT data (the corpus's pg_dump --inserts script through dumpconvert):
#   * the truncated finding says "N complete rows before the cut" (or "no complete row"), once,
#     and --json gives the same N as rows_before_cut, with -j 1 and -j 2 alike (the serial walk
#     and the workers decode it on two code paths);
#   * N equals an independent count: tests/cli/cut_rows.py decodes what survives with
#     zlib.decompressobj, lz4 -dc or zstd -dc and counts the lines ended by "\n" that are full
#     rows (the column count of the intact original's rows) before "\.";
#   * N equals dumprepair's "rows kept" (--list-only --json) for the same file (custom and
#     directory; dumprepair opens no cut tar member, dumprepair.1, and keeps 0 of it);
#   * a bad value before the cut is a bad-value finding; the summary's rows count the rows
#     before the cut; with --quick no row is counted and the message has no count.
#
# Prints "ok - NAME" / "not ok - NAME" per case and ends with "N passed, N failed".  Run from
# the repository root after `make`.  Environment: DF_TOOLS_DIR (default tools), DF_CORPUS
# (default corpus), CUTS (default 4).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export TZ=UTC LC_ALL=C

TOOLS=${DF_TOOLS_DIR:-tools}
CORPUS=${DF_CORPUS:-corpus}
CUTS=${CUTS:-4}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cutcheck-cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

# found CUT J: "dump_id rows block" per truncated finding with rows_before_cut (dumpcheck -j J
# --json, kept in $TMP/found.J; block: where the message says the cut data block starts, "-"
# for other formats)
found() {
    "$TOOLS/dumpcheck" -j "$2" --json --no-pg-restore-check "$1" >"$TMP/found.$2" 2>/dev/null
    jq -r '.files[0].findings[] | select(.code == "truncated" and .rows_before_cut != null)
           | "\(.dump_id) \(.rows_before_cut) \((.message |
              capture("block that starts at offset (?<o>[0-9]+)").o) // "-")"' "$TMP/found.$2"
}

# kept CUT ID: dumprepair's rows kept of entry ID of CUT (state partial, or lost: 0)
kept() {
    "$TOOLS/dumprepair" --list-only -f "$TMP/list" --json "$1" 2>/dev/null |
        jq -r ".entries[] | select(.dump_id == $2) | .rows_kept"
}

# message_ok ID N: in the last found (-j 1), the entry has one truncated finding, its message
# ends with the count
message_ok() {
    local want="; $2 complete rows before the cut"
    [ "$2" = 1 ] && want="; 1 complete row before the cut"
    [ "$2" = 0 ] && want="; no complete row before the cut"
    jq -e --arg w "$want" "[.files[0].findings[] | select(.code == \"truncated\" and
        .dump_id == $1)] | length == 1 and (.[0].message | endswith(\$w))" "$TMP/found.1" \
        >/dev/null
}

# oracle KIND CUT ORIG ID BLOCK CODEC: cut_rows.py's count (KIND custom, tar or file; for file,
# CUT and ORIG are the data files)
oracle() {
    case $1 in
    custom) python3 "$HERE/cut_rows.py" custom "$2" "$3" "$5" "$4" "$6" ;;
    tar) python3 "$HERE/cut_rows.py" tar "$2" "$3" "$4.dat" ;;
    file) python3 "$HERE/cut_rows.py" file "$2" "$3" ;;
    esac
}

# one_cut KIND ARCHIVE CUT ORIG CODEC: the checks of one cut archive (CUT, ORIG: what the oracle
# reads); a line per problem on stdout; HITS += 1 when the cut is in a table's data.
one_cut() {
    local kind=$1 arch=$2 cut=$3 orig=$4 z=$5 id rows blk n k r1 r2
    r1=$(found "$arch" 1)
    r2=$(found "$arch" 2)
    [ "$r1" = "$r2" ] || { echo "$arch: -j 1 says [$r1], -j 2 says [$r2]"; return; }
    [ -n "$r1" ] || return 0
    HITS=$((HITS + 1))
    while read -r id rows blk; do
        n=$(oracle "$kind" "$cut" "$orig" "$id" "$blk" "$z")
        k=$(kept "$arch" "$id")
        [ "$rows" = "$n" ] || echo "$arch: dump id $id: dumpcheck $rows rows, cut_rows.py $n"
        # dumprepair opens no cut tar member (dumprepair.1: its rows count as lost)
        if [ "$kind" = tar ]; then
            [ "$k" = 0 ] || echo "$arch: dump id $id: dumprepair kept $k of a cut tar member"
        else
            [ "$rows" = "$k" ] || echo "$arch: dump id $id: dumpcheck $rows rows, dumprepair kept $k"
        fi
        message_ok "$id" "$rows" || echo "$arch: dump id $id: message without \"$rows\""
        ROWS=$((ROWS + rows))
    done <<<"$r1"
}

codec_of() {
    case $1 in
    *gzip* | *pipe*) echo gzip ;; *lz4*) echo lz4 ;; *zstd*) echo zstd ;; *) echo none ;;
    esac
}

# ---- the damaged archives of the corpus cut in a table's data --------------------------------
for f in "$CORPUS"/damaged/*trunc-chunk*.dump "$CORPUS"/damaged/*trunc-member*.tar \
    "$CORPUS"/damaged/*trunc-dat*; do
    [ -e "$f" ] || continue
    base=$(jq -r --arg n "damaged/$(basename "$f")" '.. | objects | select(.name? == $n) | .base' \
        "$CORPUS/MANIFEST.json" | head -1)
    orig=$CORPUS/$base
    HITS=0 ROWS=0
    case $f in
    *.tar) one_cut tar "$f" "$f" "$orig" none >"$TMP/p" ;;
    *.dump) one_cut custom "$f" "$f" "$orig" "$(codec_of "$f")" >"$TMP/p" ;;
    *)
        df=$(for m in "$f"/[0-9]*.dat*; do
            cmp -s "$m" "$orig/${m##*/}" || echo "${m##*/}"; done | head -1)
        one_cut file "$f" "$f/$df" "$orig/$df" "" >"$TMP/p" ;;
    esac
    [ ! -s "$TMP/p" ] && [ "$HITS" -eq 1 ]
    st=$?
    check "damaged $(basename "$f"): $ROWS rows before the cut (-j 1, -j 2) = cut_rows.py's = dumprepair's rows kept" \
        "$st" "hits $HITS" "$(head -5 "$TMP/p")"
done

# ---- sweeps: CUTS cuts over the largest table's data of each intact archive ------------------
# INSERT data (pg_dump --inserts): the plain script written as a custom archive
"$TOOLS/dumpconvert" -F c -Z gzip -o "$TMP/inserts.custom.gzip.dump" \
    "$CORPUS/pg18/sample.plain.inserts.sql" 2>/dev/null
# the oldest and the newest pg_dump of the corpus (pg18: every codec): the walkers are the same
# for the versions between, and make check's time is shared
for orig in "$CORPUS"/pg93/sample.custom.*.dump "$CORPUS"/pg18/sample.custom.*.dump \
    "$CORPUS"/pg93/sample.tar "$CORPUS"/pg18/sample.tar "$TMP/inserts.custom.gzip.dump"; do
    case $orig in *stdout* | *pipe* | *stats*) continue ;; esac
    size=$(stat -c %s "$orig")
    z=$(codec_of "$(basename "$orig")")
    if [ "${orig%.tar}" != "$orig" ]; then
        kind=tar
        read -r id lo hi < <(python3 "$HERE/cut_rows.py" biggest tar "$orig")
    else
        kind=custom
        read -r id lo hi < <(python3 "$HERE/cut_rows.py" biggest custom "$orig" $(
            "$TOOLS/dumpls" --json "$orig" 2>/dev/null | jq -r '.entries[] |
            select(.desc == "TABLE DATA" and .data_offset != null) | "\(.dump_id):\(.data_offset)"'))
    fi
    HITS=0 ROWS=0
    : >"$TMP/p"
    t=$TMP/cut.$(basename "$orig")
    for k in $(seq 1 "$CUTS"); do
        head -c $((lo + (hi - lo) * k / (CUTS + 1))) "$orig" >"$t"
        one_cut "$kind" "$t" "$t" "$orig" "$z" >>"$TMP/p"
    done
    [ ! -s "$TMP/p" ] && [ "$HITS" -eq "$CUTS" ]
    name=${orig#"$CORPUS"/}
    check "sweep ${name#"$TMP"/}: $CUTS cuts in dump id $id's data ($lo..$hi of $size), $ROWS rows before the cuts = cut_rows.py's = dumprepair's" \
        $? "hits $HITS" "$(head -5 "$TMP/p")"
done

for orig in "$CORPUS"/pg93/sample.dir.* "$CORPUS"/pg18/sample.dir.*; do
    [ -d "$orig" ] || continue
    df=$(cd "$orig" && ls -S [0-9]*.dat* | head -1)
    size=$(stat -c %s "$orig/$df")
    HITS=0 ROWS=0
    : >"$TMP/p"
    rm -rf "$TMP/d"
    cp -r "$orig" "$TMP/d"
    for k in $(seq 1 "$CUTS"); do
        head -c $((size * k / (CUTS + 1))) "$orig/$df" >"$TMP/d/$df"
        one_cut file "$TMP/d" "$TMP/d/$df" "$orig/$df" "" >>"$TMP/p"
    done
    # an uncompressed data file cut short is no truncated finding: its missing "\." says it
    if [ "${df%.dat}" != "$df" ]; then
        [ ! -s "$TMP/p" ] && [ "$HITS" -eq 0 ]
    else
        [ ! -s "$TMP/p" ] && [ "$HITS" -eq "$CUTS" ]
    fi
    check "sweep ${orig#"$CORPUS"/}: $CUTS cuts of $df ($size bytes), $ROWS rows before the cuts = cut_rows.py's = dumprepair's" \
        $? "hits $HITS" "$(head -5 "$TMP/p")"
done

# ---- a bad value before the cut; --quick; a pipe; dumprepair's own check -------------------
# row 10 of bulk.readings ("10\t3") gets "x" for its smallint; the file is then cut at 150000,
# 7640 complete rows into the table's block; the same as gzip (dumpconvert) cut in the middle
orig=$CORPUS/pg18/sample.custom.none.dump
python3 - "$orig" "$TMP/bad.dump" <<'EOF'
import sys
d = open(sys.argv[1], 'rb').read()
i = d.index(b'10\t3\n', 59338)
open(sys.argv[2], 'wb').write(d[:i + 3] + b'x' + d[i + 4:])
EOF
head -c 150000 "$TMP/bad.dump" >"$TMP/badcut.dump"
"$TOOLS/dumpconvert" -Z gzip -o "$TMP/badgz.dump" "$TMP/bad.dump" 2>/dev/null
head -c 100000 "$TMP/badgz.dump" >"$TMP/badgzcut.dump"
for t in badcut badgzcut; do
    for j in 1 2; do
        "$TOOLS/dumpcheck" -j $j --json --no-pg-restore-check "$TMP/$t.dump" >"$TMP/j" 2>/dev/null
        got=$(jq -c '.files[0] | [.rows, ([.findings[] | select(.dump_id == 2890) |
            [.code, .rows_before_cut // null, (.message | test("row 10, column \"val\""))]])]' "$TMP/j")
        n=$(jq '.files[0].findings[] | select(.code == "truncated") | .rows_before_cut' "$TMP/j")
        # the summary's rows: the cut table's and the three rows of the tables before it
        [ "$got" = "[$((n + 3)),[[\"truncated\",$n,false],[\"bad-value\",null,true]]]" ] &&
            [ "$n" -gt 10 ]
        check "$t -j $j: the bad value in row 10 before the cut is a bad-value finding; $n rows" \
            $? "$got"
    done
done
[ "$(jq '.files[0].findings[] | select(.code == "truncated") | .rows_before_cut' \
    <("$TOOLS/dumpcheck" --json "$TMP/badcut.dump" 2>/dev/null))" = 7640 ]
check "badcut: 7640 complete rows before the cut (cut_rows.py: $(python3 "$HERE/cut_rows.py" \
    custom "$TMP/badcut.dump" "$orig" 59338 2890 none))" $?

"$TOOLS/dumpcheck" --quick --json "$TMP/badcut.dump" >"$TMP/j" 2>/dev/null
jq -e '[.files[0].findings[] | select(.code == "truncated" or .code == "bad-value")] |
    length == 1 and .[0].rows_before_cut == null and
    (.[0].message | test("before the cut") | not)' "$TMP/j" >/dev/null
check "--quick: the truncated finding alone, no rows before the cut" $?

# the same bad value in a tar archive cut inside that member's data
python3 - "$CORPUS/pg18/sample.tar" "$TMP/bad.tar" <<'EOF'
import sys
d = open(sys.argv[1], 'rb').read()
i = d.index(b'\n10\t3\n')
open(sys.argv[2], 'wb').write(d[:i + 4] + b'x' + d[i + 5:])
EOF
head -c 150000 "$TMP/bad.tar" >"$TMP/badcut.tar"
# from a pipe, from a redirected stdin (a descriptor that seeks) and as a file (-j 1, -j 2):
# the same findings, in the same order, and the same rows
for t in badgzcut.dump badcut.tar; do
    "$TOOLS/dumpcheck" -j 2 --json "$TMP/$t" >"$TMP/j2" 2>/dev/null
    b=$(jq -c '[.files[0].rows, (.files[0].findings[] | [.code, .message, .rows_before_cut])]' \
        "$TMP/j2" | sed 's|"[^"]*/'"$t"'|"F|g')
    fails=()
    for how in pipe redirect j1; do
        case $how in
        pipe) cat "$TMP/$t" | "$TOOLS/dumpcheck" --json - >"$TMP/j" 2>/dev/null ;;
        redirect) "$TOOLS/dumpcheck" --json - <"$TMP/$t" >"$TMP/j" 2>/dev/null ;;
        j1) "$TOOLS/dumpcheck" -j 1 --json "$TMP/$t" >"$TMP/j" 2>/dev/null ;;
        esac
        a=$(jq -c '[.files[0].rows, (.files[0].findings[] | [.code, .message, .rows_before_cut])]' \
            "$TMP/j" | sed 's|"[^"]*/'"$t"'|"F|g')
        [ "$a" = "$b" ] || fails+=("$how: $a")
    done
    case $b in *'"bad-value"'*'before the cut'* | *'before the cut'*'"bad-value"'*) ;; *) fails+=("no rows or no bad value: $b") ;; esac
    check "$t from a pipe, a redirected stdin and a file (-j 1, -j 2): the same findings and rows" \
        "${#fails[@]}" "${fails[@]:0:3}" "file -j 2: $b"
done

# dumprepair's verification decodes no cut data (cut_rows 0): its reason is the bare finding
r=$("$TOOLS/dumprepair" --list-only -f "$TMP/list" --json "$TMP/badgzcut.dump" 2>/dev/null |
    jq -r '.entries[] | select(.dump_id == 2890) | .reason')
case $r in *"before the cut"* | "") false ;; esac
check "dumprepair: its verification does not decode the cut block (reason: $r)" $?

harness_finish
