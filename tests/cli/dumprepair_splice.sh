#!/bin/bash
# tests/cli/dumprepair_splice.sh — the spliced gzip streams of dumprepair -o (a cut stream's
# compressed bytes kept up to a deflate block boundary, the rest of the kept rows in a new
# final block), checked by stock tools, no server needed.
#
# The biggest data file of the pg15 directory archive (gzip; its rows 40 times over, so that
# the stream has many deflate blocks) cut at CUTS offsets: dumprepair
# -o OUT (directory, the input's codec) exits 1 and says it spliced one stream; `gzip -t`
# accepts OUT's data file (its CRC-32 and length); zcat of it is the first N lines of zcat of
# the original file, N the report's rows kept, then "\.", and OUT's bytes before the splice
# are the cut file's own (cmp: the kept part of the stream was not encoded again).  The custom
# archives' spliced streams are checked by pg_restore itself in dumprepair.sh's sweep.
#
# Prints "ok - NAME" / "not ok - NAME" and "N passed, N failed".  Environment: DUMPREPAIR,
# DF_CORPUS (default corpus), CUTS (default 12).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export TZ=UTC LC_ALL=C

TOOLS=${DF_TOOLS_DIR:-tools}
DUMPREPAIR=${DUMPREPAIR:-$TOOLS/dumprepair}
CORPUS=${DF_CORPUS:-corpus}
CUTS=${CUTS:-12}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dumprepair-splice.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

# the corpus file is small (a deflate stream of one or two blocks): its rows are repeated 40
# times (and gzipped again) so that the stream has many blocks to cut between
src=$CORPUS/pg15/sample.dir.gzip
file=$(cd "$src" && ls -S -- *.dat.gz | head -1)
id=${file%%.*}
orig=$TMP/big.dir
cp -r "$src" "$orig"
zcat "$src/$file" | grep -v '^\\\.$' | grep -v '^$' >"$TMP/rows.txt"
for _ in $(seq 40); do cat "$TMP/rows.txt"; done >"$TMP/orig.txt"
printf '\\.\n\n' >>"$TMP/orig.txt"
gzip -6 -n -c "$TMP/orig.txt" >"$orig/$file"
size=$(stat -c %s "$orig/$file")
fails=0 spliced=0 partial=0 details=() commons=()
for k in $(seq 1 "$CUTS"); do
    cut=$((size * k / (CUTS + 1)))
    rm -rf "$TMP/in" "$TMP/o"
    cp -r "$orig" "$TMP/in"
    truncate -s "$cut" "$TMP/in/$file"
    "$DUMPREPAIR" --json -o "$TMP/o" "$TMP/in" >"$TMP/j" 2>"$TMP/err"
    rc=$?
    read -r state rows < <(jq -r ".entries[] | select(.dump_id == $id) | \"\(.state) \(.rows_kept)\"" "$TMP/j")
    if [ $rc -ne 1 ]; then
        fails=$((fails + 1)); details+=("cut at $cut: exit $rc: $(head -1 "$TMP/err")"); continue
    fi
    [ "$state" = partial ] || continue
    partial=$((partial + 1))
    n=$(jq '.blocks_spliced' "$TMP/j")
    spliced=$((spliced + n))
    [ "$n" = 1 ] || { fails=$((fails + 1)); details+=("cut at $cut: $n streams spliced, want 1"); }
    gzip -t "$TMP/o/$file" 2>"$TMP/gz.err" ||
        { fails=$((fails + 1)); details+=("cut at $cut: gzip -t: $(head -1 "$TMP/gz.err")"); continue; }
    zcat "$TMP/o/$file" >"$TMP/out.txt"
    if ! cmp -s <(head -n "$rows" "$TMP/out.txt") <(head -n "$rows" "$TMP/orig.txt") ||
        [ "$(sed -n "$((rows + 1))p" "$TMP/out.txt")" != '\.' ]; then
        fails=$((fails + 1)); details+=("cut at $cut: OUT's rows are not the original's first $rows, then \\.")
    fi
    # the bytes before the splice are the input's: OUT and IN share a prefix of most of IN
    # (the last deflate block boundary before the last row kept is at most a few blocks back)
    common=$(cmp "$TMP/o/$file" "$TMP/in/$file" 2>/dev/null | awk '{ print $5 + 0 }')
    [ -z "$common" ] && common=$cut
    commons+=("$common/$cut")
    if [ "$common" -lt $((cut * 3 / 4)) ]; then
        fails=$((fails + 1)); details+=("cut at $cut: OUT shares only $common bytes with IN")
    fi
done
check "sample.dir.gzip, $file x40 cut at $CUTS offsets ($partial partial, $spliced spliced; bytes as stored/cut: ${commons[*]}): gzip -t and zcat read OUT's file, the original's first rows then \\., its bytes before the splice as stored" \
    $((fails > 0 || spliced == 0)) "${details[@]:0:6}"

harness_finish
