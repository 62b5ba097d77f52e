#!/bin/bash
# tests/cli/plaindeps.sh — a plain script's entries as the archive TOC a conversion writes
# (df_plain_toc, shown by dumpls --deps), against the archive the same pg_dump wrote of the
# same database (issue 14).  What is checked, per pg_dump version of the corpus:
#   * the entries (desc, schema, tag, owner) match the custom archive's as a multiset (the
#     public schema entries pg_dump < 11 never prints in plain, and the DATABASE entry a
#     script without --create lacks, excepted); tablespace and access method agree;
#   * every dependency pg_dump recorded between two entries that both exist is implied,
#     transitively, by the reconstructed graph, and every reconstructed one points backwards
#     (tests/cli/plaindeps_check.py; the count of edges added beyond pg_dump's is printed);
#   * the --inserts script the same; the script gzip, lz4 and zstd compressed and through a
#     pipe gives byte-identical output;
#   * a --clean script (and one with --if-exists), written by pg_restore -f from the archive:
#     each entry gets the drop statement the archive holds, and no SQL STATEMENTS entry stays;
#   * psql meta-commands are listed with their line numbers.
# Prints "ok - NAME" / "not ok - NAME" per case and ends with "N passed, N failed".
# Environment: DUMPLS (default tools/dumpls), DF_CORPUS (default corpus).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export LC_ALL=C

DUMPLS=${DUMPLS:-${DF_TOOLS_DIR:-tools}/dumpls}
CORPUS=${DF_CORPUS:-corpus}
CHECK=$(dirname "$0")/plaindeps_check.py
TIMEOUT=${TIMEOUT:-120}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/plaindeps.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

deps() { timeout "$TIMEOUT" "$DUMPLS" --deps "$@"; }

compare() { # NAME PLAIN ARCHIVE [--old-public]
    local name=$1 plain=$2 arch=$3 summary st
    shift 3
    if ! deps "$plain" >"$TMP/p" 2>"$TMP/pe" || ! deps "$arch" >"$TMP/a" 2>"$TMP/ae"; then
        not_ok "$name" "dumpls --deps failed" "$(cat "$TMP/pe" "$TMP/ae")"
        return
    fi
    summary=$(python3 "$CHECK" "$TMP/p" "$TMP/a" "$@" 2>"$TMP/ce")
    st=$?
    echo "# $name: $summary"
    check "$name" "$st" "$summary" "$(head -20 "$TMP/ce")"
}

for dir in "$CORPUS"/pg*; do
    v=${dir##*/pg}
    old=()
    [ "$v" -ge 90 ] || [ "$v" -lt 11 ] && old=(--old-public)
    [ -f "$dir/sample.plain.sql" ] && [ -f "$dir/sample.custom.none.dump" ] || continue
    compare "pg$v: plain entries and dependencies against the custom archive" \
        "$dir/sample.plain.sql" "$dir/sample.custom.none.dump" "${old[@]}"
    if [ -f "$dir/sample.plain.inserts.sql" ]; then
        compare "pg$v: --inserts script against the custom archive" \
            "$dir/sample.plain.inserts.sql" "$dir/sample.custom.none.dump" "${old[@]}"
    fi
done

# --clean scripts: the drops at the top go back to their entries.
if command -v pg_restore >/dev/null; then
    for v in 93 10 15; do
        arch=$CORPUS/pg$v/sample.custom.none.dump
        [ -f "$arch" ] || continue
        old=()
        [ "$v" != 15 ] && old=(--old-public)
        if pg_restore --clean -f "$TMP/clean.sql" "$arch" 2>/dev/null &&
            pg_restore --clean --if-exists -f "$TMP/ifexists.sql" "$arch" 2>/dev/null; then
            compare "pg$v --clean: every drop statement back on its entry" "$TMP/clean.sql" \
                "$arch" "${old[@]}" --drops exact
            compare "pg$v --clean --if-exists: drop statements where the archive has them" \
                "$TMP/ifexists.sql" "$arch" "${old[@]}" --drops present
            ! grep -q 'SQL STATEMENTS' "$TMP/p"
            check "pg$v --clean --if-exists: no stray SQL STATEMENTS entry" $?
        else
            not_ok "pg$v --clean" "pg_restore could not write the script"
        fi
    done
else
    ok "--clean scripts # SKIP no pg_restore"
fi

# Compressed and piped: the same TOC, byte for byte.
src=$CORPUS/pg18/sample.plain.sql
deps "$src" >"$TMP/plain.out" 2>&1
gzip -c "$src" >"$TMP/s.sql.gz"
lz4 -q -c "$src" >"$TMP/s.sql.lz4" 2>/dev/null
zstd -q -c "$src" >"$TMP/s.sql.zst" 2>/dev/null
for f in s.sql.gz s.sql.lz4 s.sql.zst; do
    if [ ! -s "$TMP/$f" ]; then
        not_ok "compressed $f: same output" "could not compress (is the tool installed?)"
        continue
    fi
    deps "$TMP/$f" >"$TMP/c.out" 2>&1
    cmp -s "$TMP/plain.out" "$TMP/c.out"
    check "compressed $f: same output" $? "$(diff "$TMP/plain.out" "$TMP/c.out" | head -5)"
done
# shellcheck disable=SC2002 # a real pipe, not a file descriptor on the file
cat "$src" | deps - >"$TMP/c.out" 2>&1
cmp -s "$TMP/plain.out" "$TMP/c.out"
check "from a pipe: same output" $? "$(diff "$TMP/plain.out" "$TMP/c.out" | head -5)"

# Meta-commands: their line numbers (from the script read again), not entries of the TOC.
printf '%s\n' '--' '-- PostgreSQL database dump' '--' '' "SET client_encoding = 'UTF8';" \
    '\! echo hi' '--' '-- Name: t; Type: TABLE; Schema: public; Owner: a' '--' '' \
    'CREATE TABLE public.t (a int);' '\i other.sql' >"$TMP/meta.sql"
deps "$TMP/meta.sql" >"$TMP/m.out" 2>&1
grep -q '^# psql meta-command at line 6 (offset [0-9]*):.\\! echo hi' "$TMP/m.out" &&
    grep -q '^# psql meta-command at line 12 ' "$TMP/m.out" &&
    ! grep -q 'META-COMMAND' "$TMP/m.out"
check "meta-commands listed with line numbers" $? "$(cat "$TMP/m.out")"

harness_finish
