#!/bin/bash
# tests/cli/dircompressed.sh — directory archives whose toc.dat and LO lists were compressed
# afterwards (someone ran gzip, lz4 or zstd over the whole directory).  pg_dump never writes
# them so, but pg_restore finds toc.dat.gz / blobs.toc.gz the way it finds data files (spec §6).
#
# Run from the repository root after `make`.  What is checked, for corpus directory archives
# of archive versions 1.12/1.13 (pg10), 1.14 (pg15) and 1.16 (pg18), each with toc.dat and
# every LO list (and, for the uncompressed archives, every data file too) compressed by the
# gzip, lz4 and zstd programs:
#   * dumpls prints the same listing as for the original directory, and --long --json the
#     same rows and uncompressed bytes for every entry;
#   * dumpcheck gives the same verdict (exit status) as for the original;
#   * where Debian's pg_restore 15 can read the archive and finds the file (gzip, up to 1.14),
#     its `pg_restore -l` equals dumpls;
#   * a truncated toc.dat.gz: exit 2 with a one-line error naming toc.dat.gz; bytes after the TOC
#     (behind the gzip stream, or in a plain toc.dat): dumpcheck warns (pg_restore reads none
#     of them); "DIR/toc.dat.gz" given as the path opens the directory.
#
# Prints "ok - NAME" / "not ok - NAME" per case and ends with "N passed, N failed"; exits 1 if
# anything failed.  Environment: DUMPLS, DUMPCHECK (default tools/...), DF_CORPUS (default
# corpus), PG_RESTORE (default pg_restore), TIMEOUT seconds per run (default 120).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export TZ=UTC LC_ALL=C

DUMPLS=${DUMPLS:-${DF_TOOLS_DIR:-tools}/dumpls}
DUMPCHECK=${DUMPCHECK:-${DF_TOOLS_DIR:-tools}/dumpcheck}
CORPUS=${DF_CORPUS:-corpus}
PG_RESTORE=${PG_RESTORE:-pg_restore}
TIMEOUT=${TIMEOUT:-120}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dircompressed.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

# compress TOOL SUFFIX FILE: replace FILE by FILE.SUFFIX
compress() {
    case $1 in
    gzip) gzip -n -q "$3" ;;
    lz4) lz4 -q --rm "$3" "$3.$2" ;;
    zstd) zstd -q --rm "$3" -o "$3.$2" ;;
    esac
}

# rows and bytes of every entry, from dumpls --long --json
entry_sizes() {
    timeout "$TIMEOUT" "$DUMPLS" --long --json "$1" | python3 -c '
import json, sys
for e in json.load(sys.stdin)["entries"]:
    print(e["dump_id"], e.get("rows"), e.get("bytes"))'
}

have_pg_restore() { command -v "$PG_RESTORE" >/dev/null 2>&1; }

for src in pg10/sample.dir.gzip pg15/sample.dir.none pg15/sample.dir.gzip pg18/sample.dir.none \
    pg18/sample.dir.zstd; do
    orig=$CORPUS/$src
    [ -d "$orig" ] || { not_ok "$src: in the corpus" "missing"; continue; }
    timeout "$TIMEOUT" "$DUMPLS" "$orig" >"$TMP/orig.list"
    entry_sizes "$orig" >"$TMP/orig.sizes"
    timeout "$TIMEOUT" "$DUMPCHECK" --no-pg-restore-check -q "$orig" >/dev/null 2>&1
    orig_rc=$?
    for tool in gzip:gz lz4:lz4 zstd:zst; do
        prog=${tool%%:*}
        suffix=${tool#*:}
        x=$TMP/$(echo "$src" | tr / _).$suffix
        rm -rf "$x"
        cp -r "$orig" "$x"
        compress "$prog" "$suffix" "$x/toc.dat"
        for f in "$x"/blobs*.toc; do [ -e "$f" ] && compress "$prog" "$suffix" "$f"; done
        case $src in *.none)
            for f in "$x"/*.dat; do [ -e "$f" ] && compress "$prog" "$suffix" "$f"; done ;;
        esac
        name="$src with toc.dat.$suffix"
        timeout "$TIMEOUT" "$DUMPLS" "$x" >"$TMP/x.list" 2>"$TMP/x.err"
        rc=$?
        [ "$rc" -eq 0 ] && cmp -s "$TMP/x.list" "$TMP/orig.list"
        check "$name: dumpls lists the same" $? "exit $rc" "$(head -2 "$TMP/x.err")"
        entry_sizes "$x" >"$TMP/x.sizes" 2>"$TMP/x.err"
        cmp -s "$TMP/x.sizes" "$TMP/orig.sizes"
        check "$name: the same rows and bytes per entry" $? "$(head -2 "$TMP/x.err")"
        timeout "$TIMEOUT" "$DUMPCHECK" --no-pg-restore-check -q "$x" >"$TMP/x.out" 2>&1
        rc=$?
        [ "$rc" -eq "$orig_rc" ]
        check "$name: dumpcheck's verdict is the original's ($orig_rc)" $? "exit $rc" \
            "$(head -3 "$TMP/x.out")"
        case $src:$suffix in
        pg10/*:gz | pg15/*:gz)
            if have_pg_restore; then
                "$PG_RESTORE" -l "$x" >"$TMP/pg.list" 2>/dev/null
                timeout "$TIMEOUT" "$DUMPLS" --pg-restore-version 15 "$x" | cmp -s - "$TMP/pg.list"
                check "$name: pg_restore -l (Debian's 15) lists the same" $?
            fi
            ;;
        esac
    done
done

# damaged: truncated, garbage after the stream; toc.dat.gz named as the path
base=$TMP/damaged
cp -r "$CORPUS/pg15/sample.dir.gzip" "$base"
gzip -n -q "$base/toc.dat"
size=$(stat -c %s "$base/toc.dat.gz")
cp "$base/toc.dat.gz" "$TMP/toc.dat.gz.orig"
head -c $((size / 2)) "$TMP/toc.dat.gz.orig" >"$base/toc.dat.gz"
timeout "$TIMEOUT" "$DUMPLS" "$base" >/dev/null 2>"$TMP/err"
rc=$?
# (issue 10: the offset is one in the decoded stream, said so, never given as a file offset)
[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "toc.dat.gz: .* at decoded offset [0-9]*$" "$TMP/err" &&
    ! grep -q ": offset " "$TMP/err"
check "truncated toc.dat.gz: exit 2, one line naming it" $? "exit $rc" "$(cat "$TMP/err")"
# after the TOC: garbage behind the gzip stream, or plain bytes inside it; pg_restore reads
# neither, so dumpls lists the archive and dumpcheck warns
{ cat "$TMP/toc.dat.gz.orig"; printf 'not gzip at all'; } >"$base/toc.dat.gz"
timeout "$TIMEOUT" "$DUMPCHECK" --no-pg-restore-check "$base" >"$TMP/out" 2>&1
rc=$?
[ "$rc" -eq 1 ] && grep -q "toc.dat.gz: bad-data: after the TOC: unexpected bytes after the compressed data .*(decoded offset [0-9]*)$" "$TMP/out"
check "toc.dat.gz followed by garbage: dumpcheck warns" $? "exit $rc" "$(cat "$TMP/out")"
cp -r "$CORPUS/pg15/sample.dir.gzip" "$TMP/tail"
printf 'left over' >>"$TMP/tail/toc.dat"
timeout "$TIMEOUT" "$DUMPCHECK" --no-pg-restore-check "$TMP/tail" >"$TMP/out" 2>&1
rc=$?
[ "$rc" -eq 1 ] && grep -q "toc.dat: offset [0-9]*: trailing-data: 9 bytes follow the TOC" "$TMP/out"
check "toc.dat with bytes after the TOC: dumpcheck warns" $? "exit $rc" "$(cat "$TMP/out")"
cp "$TMP/toc.dat.gz.orig" "$base/toc.dat.gz"
timeout "$TIMEOUT" "$DUMPLS" "$base/toc.dat.gz" >"$TMP/x.list" 2>"$TMP/err"
rc=$?
timeout "$TIMEOUT" "$DUMPLS" "$CORPUS/pg15/sample.dir.gzip" | sed "s|$CORPUS/pg15/sample.dir.gzip|X|" >"$TMP/a"
sed "s|$base/toc.dat.gz|X|; s|$base|X|" "$TMP/x.list" | cmp -s - "$TMP/a"
check "DIR/toc.dat.gz as the path opens the directory" $? "exit $rc" "$(cat "$TMP/err")"

harness_finish
