#!/bin/bash
# tests/cli/hostile.sh — odd and hostile input through the tools (issue 10).
#
# Run from the repository root after `make`:  bash tests/cli/hostile.sh
#
# What is checked, every command under `timeout 10` so that a regression fails instead of
# hanging:
#   * a copy of a corpus directory archive whose data file is a FIFO, a symbolic link to a
#     FIFO, a symbolic link to /dev/zero: dumpls --long, dumporder -j 2 and dumpcheck end at
#     once with exit 2 and say "not a regular file" (dumpcheck: not-a-regular-file, never
#     missing-file); the same with toc.dat a FIFO (dumpls, dumporder, dumpcheck, dumproles);
#   * a data file that is a symbolic link to /etc/passwd is not read: exit 3 naming the file and
#     "outside the archive directory" (dumpls --long, dumporder -j 2, dumpcheck); with
#     --follow-symlinks a link to a moved data file is read and the listing equals the
#     original's; a link that stays inside the directory needs no option;
#   * an archive converted to CR LF line ends (custom, tar, a directory's toc.dat; converted
#     here with perl): exit 2 and one line naming CR LF and "pg_dump -f FILE"; an archive and a
#     script re-encoded as UTF-16 with a byte-order mark (FF FE and FE FF, as PowerShell's ">"
#     writes them; converted here with iconv): exit 2, one line naming UTF-16 and the fix.
#
# Prints "ok - NAME" / "not ok - NAME" and ends with "N passed, N failed"; exit 1 on failure.
# Environment: DUMPLS, DUMPCHECK, DUMPORDER, DUMPROLES (default tools/...), DF_CORPUS (default
# corpus).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export LC_ALL=C TZ=UTC

DUMPLS=${DUMPLS:-${DF_TOOLS_DIR:-tools}/dumpls}
DUMPCHECK=${DUMPCHECK:-${DF_TOOLS_DIR:-tools}/dumpcheck}
DUMPORDER=${DUMPORDER:-${DF_TOOLS_DIR:-tools}/dumporder}
DUMPROLES=${DUMPROLES:-${DF_TOOLS_DIR:-tools}/dumproles}
CORPUS=${DF_CORPUS:-corpus}
DIR_ARCHIVE=$CORPUS/pg15/sample.dir.none

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hostile-cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out
ERR=$TMP/err
RC=0

# run CMD...: at most 10 s, stdout and stderr kept, exit status in RC (124: it hung)
run() {
    timeout 10 "$@" </dev/null >"$OUT" 2>"$ERR"
    RC=$?
}

# expect NAME STATUS PATTERN: exit status STATUS and PATTERN (grep -E) on stderr
expect() {
    if [ "$RC" -ne "$2" ]; then
        not_ok "$1" "exit status $RC, want $2" "$(head -c 400 "$ERR")"
    elif ! grep -Eq -- "$3" "$ERR"; then
        not_ok "$1" "stderr does not match: $3" "$(head -c 400 "$ERR")"
    else
        ok "$1"
    fi
}

# expect_status NAME STATUS: exit status STATUS, whatever stderr says
expect_status() {
    if [ "$RC" -eq "$2" ]; then ok "$1"; else
        not_ok "$1" "exit status $RC, want $2" "$(head -c 400 "$ERR")"
    fi
}

for t in "$DUMPLS" "$DUMPCHECK" "$DUMPORDER" "$DUMPROLES"; do
    if [ ! -x "$t" ]; then
        echo "not ok - $t is not built (run make)"
        echo "0 passed, 1 failed"
        exit 1
    fi
done

# fresh_copy: $TMP/d, a copy of the corpus directory archive; $TMP/moved outside it
fresh_copy() {
    rm -rf "$TMP/d" "$TMP/moved" "$TMP/fifo"
    cp -r "$DIR_ARCHIVE" "$TMP/d"
}

# A data file of the archive (the first in name order).
DATA=$(find "$DIR_ARCHIVE" -maxdepth 1 -name '[0-9]*.dat' -printf '%f\n' | sort | head -n 1)

# --- 1. members that are not regular files ---------------------------------------------------
for kind in fifo link-fifo link-zero; do
    fresh_copy
    mv "$TMP/d/$DATA" "$TMP/moved"
    case $kind in
    fifo) mkfifo "$TMP/d/$DATA" ;;
    link-fifo) mkfifo "$TMP/d/fifo" && ln -s fifo "$TMP/d/$DATA" ;;
    link-zero) ln -s /dev/zero "$TMP/d/$DATA" ;;
    esac
    want='not a regular file'
    [ "$kind" = link-zero ] && want='outside the archive directory'
    st=2
    [ "$kind" = link-zero ] && st=3
    run "$DUMPLS" --long "$TMP/d"
    expect "dumpls --long, data file $kind" "$st" "$DATA.*$want"
    run "$DUMPORDER" -j 2 "$TMP/d"
    expect "dumporder -j 2, data file $kind" "$st" "$DATA.*$want"
    run "$DUMPCHECK" "$TMP/d"
    expect "dumpcheck, data file $kind" "$st" "$DATA.*$want"
    if grep -q missing-file "$ERR"; then
        not_ok "dumpcheck, data file $kind: not missing-file" "$(head -c 400 "$ERR")"
    else
        ok "dumpcheck, data file $kind: not missing-file"
    fi
    if [ "$kind" = link-zero ]; then
        run "$DUMPLS" --long --follow-symlinks "$TMP/d"
        expect "dumpls --long --follow-symlinks, data file link-zero" 2 "not a regular file"
        run "$DUMPCHECK" --follow-symlinks "$TMP/d"
        expect "dumpcheck --follow-symlinks, data file link-zero" 2 "not-a-regular-file"
    fi
done

fresh_copy
rm "$TMP/d/toc.dat"
mkfifo "$TMP/d/toc.dat"
for t in "$DUMPLS --long" "$DUMPORDER -j 2" "$DUMPCHECK" "$DUMPROLES"; do
    # shellcheck disable=SC2086 # the tool and its option
    run $t "$TMP/d"
    expect "$(basename "${t%% *}"): toc.dat a FIFO" 2 "toc.dat.*not a regular file"
done

# --- 2. symbolic links out of the directory ---------------------------------------------------
fresh_copy
run "$DUMPLS" --long "$TMP/d"
cp "$OUT" "$TMP/long.orig"
run "$DUMPCHECK" "$TMP/d"
CHECK_ORIG=$RC # 1: the archive's sequence warning
rm "$TMP/d/$DATA"
ln -s /etc/passwd "$TMP/d/$DATA"
run "$DUMPLS" --long "$TMP/d"
expect "dumpls --long: data file a link to /etc/passwd" 3 \
    "$DATA\".*/etc/passwd\", outside the archive directory"
run "$DUMPORDER" -j 2 "$TMP/d"
expect "dumporder -j 2: data file a link to /etc/passwd" 3 "outside the archive directory"
run "$DUMPCHECK" "$TMP/d"
expect "dumpcheck: data file a link to /etc/passwd" 3 "unreadable: .*outside the archive directory"

fresh_copy
mv "$TMP/d/$DATA" "$TMP/moved"
ln -s ../moved "$TMP/d/$DATA"
run "$DUMPLS" --long "$TMP/d"
expect "dumpls --long: data file moved out, linked" 3 "outside the archive directory"
run "$DUMPLS" --long --follow-symlinks "$TMP/d"
if [ "$RC" -eq 0 ] && cmp -s "$OUT" "$TMP/long.orig"; then
    ok "dumpls --long --follow-symlinks: the moved data file is read"
else
    not_ok "dumpls --long --follow-symlinks: the moved data file is read" "exit status $RC" \
        "$(head -c 400 "$ERR")"
fi
run "$DUMPCHECK" --follow-symlinks "$TMP/d"
expect_status "dumpcheck --follow-symlinks: the moved data file is read" "$CHECK_ORIG"
run "$DUMPORDER" -j 2 --follow-symlinks "$TMP/d"
expect_status "dumporder -j 2 --follow-symlinks: the moved data file is read" 0

fresh_copy
mv "$TMP/d/$DATA" "$TMP/d/elsewhere.dat"
ln -s elsewhere.dat "$TMP/d/$DATA"
run "$DUMPLS" --long "$TMP/d"
if [ "$RC" -eq 0 ] && cmp -s "$OUT" "$TMP/long.orig"; then
    ok "dumpls --long: a link inside the directory is read"
else
    not_ok "dumpls --long: a link inside the directory is read" "exit status $RC" \
        "$(head -c 400 "$ERR")"
fi

# --- 4. CR LF and UTF-16 conversions ----------------------------------------------------------
for f in pg15/sample.custom.none.dump pg18/sample.custom.gzip.dump pg16/sample.tar; do
    perl -pe 's/\n/\r\n/g' "$CORPUS/$f" >"$TMP/crlf"
    run "$DUMPLS" "$TMP/crlf"
    expect "dumpls: $f converted to CR LF" 2 "CR LF line ends.*pg_dump -f FILE"
    if [ "$(wc -l <"$ERR")" -eq 1 ]; then ok "dumpls: $f converted to CR LF: one line"; else
        not_ok "dumpls: $f converted to CR LF: one line" "$(cat "$ERR")"
    fi
done
run "$DUMPCHECK" "$TMP/crlf"
expect "dumpcheck: tar converted to CR LF" 2 "CR LF line ends.*pg_dump -f FILE"
fresh_copy
perl -pe 's/\n/\r\n/g' "$DIR_ARCHIVE/toc.dat" >"$TMP/d/toc.dat"
run "$DUMPLS" "$TMP/d"
expect "dumpls: directory toc.dat converted to CR LF" 2 "CR LF line ends.*pg_dump -f FILE"

# PowerShell decodes a program's output with the console code page, then writes UTF-16.
for enc in UTF-16LE UTF-16BE; do
    bom='\377\376'
    [ "$enc" = UTF-16BE ] && bom='\376\377'
    { printf '%b' "$bom"; iconv -f LATIN1 -t "$enc" "$CORPUS/pg15/sample.custom.none.dump"; } >"$TMP/u16"
    run "$DUMPLS" "$TMP/u16"
    expect "dumpls: custom archive as $enc" 2 "UTF-16.*PowerShell.*pg_dump -f FILE"
    { printf '%b' "$bom"; iconv -f UTF-8 -t "$enc" "$CORPUS/pg15/sample.plain.sql"; } >"$TMP/u16"
    run "$DUMPCHECK" "$TMP/u16"
    expect "dumpcheck: plain script as $enc" 2 "UTF-16.*pg_dump -f FILE"
done

# The intact archives give no hint.
for f in pg15/sample.custom.none.dump pg16/sample.tar; do
    run "$DUMPLS" "$CORPUS/$f"
    if [ "$RC" -eq 0 ] && ! grep -q "CR LF" "$ERR"; then ok "dumpls: $f as is"; else
        not_ok "dumpls: $f as is" "exit status $RC" "$(head -c 400 "$ERR")"
    fi
done

harness_finish
