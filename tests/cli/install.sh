#!/bin/bash
# tests/cli/install.sh — `make install` and `make uninstall` into a temporary PREFIX, used the
# way the README says: the README's rows.c example, compiled with the README's `cc ...
# $(pkg-config ...)` line and PKG_CONFIG_PATH pointing into the prefix, must build and run
# without LD_LIBRARY_PATH and print the row counts of corpus/rowcounts.tsv; the installed tools
# must run; `make uninstall` must then remove every file and directory install created and keep
# what was there before.
#
# Prints "ok - NAME" / "not ok - NAME" per case and ends with "N passed, N failed"; exits 1 if
# anything failed.  Run from the repository root (it runs make there; the build must be
# current, as after `make`).  Environment: DF_CORPUS (default corpus).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export LC_ALL=C

CORPUS=${DF_CORPUS:-corpus}
ARCHIVE=pg15/sample.custom.gzip.dump
PC=libdumpfmt/libdumpfmt.pc

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dumpfmt-install.XXXXXX") || exit 1
# make install regenerates the tree's .pc file for its PREFIX: put the current one back.
[ -f "$PC" ] && cp -p "$PC" "$TMP/saved.pc"
restore() {
    if [ -f "$TMP/saved.pc" ]; then cp -p "$TMP/saved.pc" "$PC"; else rm -f "$PC"; fi
    rm -rf "$TMP"
}
trap restore EXIT
PREFIX=$TMP/prefix

# The make of the repository, not the one of a `make check` that runs this script.
mk() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s "$@" >"$TMP/make.out" 2>&1
}

# A directory that exists before install (and must stay) and one with a file of someone else's.
mkdir -p "$PREFIX/include" "$PREFIX/bin" && echo other >"$PREFIX/bin/other"

mk install PREFIX="$PREFIX"
check "make install PREFIX=$PREFIX" $? "$(tail -n 5 "$TMP/make.out")"

# The README's example and its compile line.
awk '/^## The library/ { s = 1 } s && /^```c/ { b = 1; next } b && /^```/ { exit } b' README.md \
    >"$TMP/rows.c"
ccline=$(awk '/^## The library/ { s = 1 } s && /^```sh/ { b = 1; next } b && /^```/ { exit }
    b && /^cc / { print; exit }' README.md)
if [ -s "$TMP/rows.c" ] && [ -n "$ccline" ]; then
    ok "README: rows.c and its cc line found"
else
    not_ok "README: rows.c and its cc line found" "rows.c $(wc -c <"$TMP/rows.c") bytes, cc line '$ccline'"
fi
(cd "$TMP" && export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig && eval "$ccline") >"$TMP/cc.out" 2>&1
check "README cc line with PKG_CONFIG_PATH=PREFIX/lib/pkgconfig: $ccline" $? "$(head -n 5 "$TMP/cc.out")"

lib=$(ldd "$TMP/rows" 2>/dev/null | awk '$1 == "libdumpfmt.so.0" { print $3 }')
check "rows loads libdumpfmt.so.0 from PREFIX/lib without LD_LIBRARY_PATH" \
    "$([ "$lib" = "$PREFIX/lib/libdumpfmt.so.0" ]; echo $?)" "ldd: libdumpfmt.so.0 => '$lib'"

# Oracle: the row counts MANIFEST.json records for the archive (large objects are no table).
awk -F'\t' -v f="$ARCHIVE" '$1 == f && $2 != "<large objects>" { print $2 "\t" $3 }' \
    "$CORPUS/rowcounts.tsv" | sort >"$TMP/want"
env -u LD_LIBRARY_PATH "$TMP/rows" "$CORPUS/$ARCHIVE" >"$TMP/got.raw" 2>"$TMP/rows.err"
rc=$?
sort "$TMP/got.raw" >"$TMP/got"
if [ "$rc" -eq 0 ] && [ -s "$TMP/want" ] && cmp -s "$TMP/want" "$TMP/got"; then
    ok "rows $ARCHIVE: the row counts of rowcounts.tsv"
else
    not_ok "rows $ARCHIVE: the row counts of rowcounts.tsv" "exit status $rc: $(head -c 300 "$TMP/rows.err")" \
        "$(diff "$TMP/want" "$TMP/got" | head -n 6)"
fi

"$PREFIX/bin/dumpls" --pg-restore-version 18 "$CORPUS/$ARCHIVE" 2>&1 | cmp -s - "$CORPUS/$ARCHIVE.list"
check "installed dumpls lists $ARCHIVE as pg_restore 18 -l (its .list)" $?
for tool in dumpcheck dumproles dumporder; do
    "$PREFIX/bin/$tool" --version >/dev/null 2>&1
    check "installed $tool --version" $?
done
check "man pages installed" "$([ -f "$PREFIX/share/man/man1/dumpls.1" ] &&
    [ -f "$PREFIX/share/man/man3/libdumpfmt.3" ]; echo $?)"

mk uninstall PREFIX="$PREFIX"
check "make uninstall PREFIX=$PREFIX" $? "$(tail -n 5 "$TMP/make.out")"
left=$(cd "$TMP" && find prefix | sort | tr '\n' ' ')
check "uninstall leaves only what was there before" \
    "$([ "$left" = "prefix prefix/bin prefix/bin/other prefix/include " ]; echo $?)" "left: $left"

harness_finish
