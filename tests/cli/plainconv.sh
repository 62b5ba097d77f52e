#!/bin/bash
# tests/cli/plainconv.sh — dumpconvert of plain pg_dump scripts into archives (issue 14),
# against the archive the same pg_dump wrote of the same database.  Per corpus version:
#   * pg_restore -l of the converted custom archive lists the same entries (desc, schema, tag,
#     owner, as a multiset) as the custom archive (pg_dump < 11's public schema entries
#     excepted); where this pg_restore cannot read the version, dumpls's listing is used, and
#     the script is also converted with --pg-restore-version of this pg_restore and listed;
#   * every dependency pg_dump recorded is implied by the converted archive's (plaindeps_check.py
#     on dumpls --deps of both);
#   * pg_restore -f of both gives the same SQL and data, blank lines and \restrict keys aside;
#   * the --inserts script the same (entries); -F d and -F t; gzip/lz4/zstd scripts give the
#     same archive TOC; meta-commands refused with their line number (exit 2), --force drops
#     them and says so; selections refused (exit 3);
#   * pg_dumpall scripts (the pg18 corpus one): a directory, one archive per database listing
#     pg_dump's archive's entries, globals.sql with the roles, meta-commands refused;
#   * a script on stdin (a pipe, whole or compressed; a redirect) gives the file's archive.
# Prints "ok - NAME" / "not ok - NAME" and ends with "N passed, N failed".
# Environment: DF_TOOLS_DIR (default tools), DF_CORPUS (default corpus).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export LC_ALL=C

TOOLS=${DF_TOOLS_DIR:-tools}
CV=$TOOLS/dumpconvert
LS=$TOOLS/dumpls
CORPUS=${DF_CORPUS:-corpus}
CHECK=$(dirname "$0")/plaindeps_check.py
TIMEOUT=${TIMEOUT:-120}
PGRV=$(pg_restore --version 2>/dev/null | sed -E 's/.* ([0-9]+)\..*/\1/')

TMP=$(mktemp -d "${TMPDIR:-/tmp}/plainconv.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

cv() { timeout "$TIMEOUT" "$CV" -q "$@"; }
# The entries of a listing as "desc|schema|tag|owner", sorted (pg_restore -l's line form).
entries() { # LISTER ARCHIVE [--old-public]
    if [ "$1" = pg_restore ]; then pg_restore -l "$2"; else "$1" "$2"; fi 2>/dev/null | grep -v '^;' | grep . |
        sed -E 's/^[0-9]+; [0-9]+ [0-9]+ //' |
        if [ "${3:-}" = --old-public ]; then grep -Ev '^(SCHEMA - public |COMMENT - SCHEMA public |ACL - SCHEMA public )'; else cat; fi |
        sort
}
readable() { pg_restore -l "$1" >/dev/null 2>&1; }
# pg_restore -f output with what differs by construction taken out.
script() { pg_restore -f - "$1" 2>/dev/null | grep -Ev '^\\(un)?restrict ' | grep -v '^$'; }

for dir in "$CORPUS"/pg*; do
    v=${dir##*/pg}
    arch=$dir/sample.custom.none.dump
    [ -f "$dir/sample.plain.sql" ] && [ -f "$arch" ] || continue
    old=()
    [ "$v" -ge 90 ] || [ "$v" -lt 11 ] && old=(--old-public)
    out=$TMP/pg$v.dump
    if ! cv "$dir/sample.plain.sql" -F c -o "$out" 2>"$TMP/err"; then
        not_ok "pg$v: plain script converted" "$(cat "$TMP/err")"
        continue
    fi
    ok "pg$v: plain script converted"
    lister=$LS
    readable "$arch" && readable "$out" && lister=pg_restore
    entries "$lister" "$out" "${old[@]}" >"$TMP/a"
    entries "$lister" "$arch" "${old[@]}" >"$TMP/b"
    [ -s "$TMP/a" ] && cmp -s "$TMP/a" "$TMP/b"
    check "pg$v: ${lister##*/} listing: lists the custom archive's entries" $? "$(diff "$TMP/a" "$TMP/b" | head)"
    if "$LS" --deps "$out" >"$TMP/cd" 2>&1 && "$LS" --deps "$arch" >"$TMP/ad" 2>&1; then
        s=$(python3 "$CHECK" "$TMP/cd" "$TMP/ad" "${old[@]}" 2>"$TMP/ce")
        check "pg$v: pg_dump's dependencies implied by the converted archive's ($s)" $? \
            "$(head "$TMP/ce")"
    else
        not_ok "pg$v: dumpls --deps of the converted archive" "$(cat "$TMP/cd" "$TMP/ad")"
    fi
    if [ "$lister" = pg_restore ]; then
        script "$out" >"$TMP/sa"
        script "$arch" >"$TMP/sb"
        if [ ${#old[@]} -eq 0 ]; then
            cmp -s "$TMP/sa" "$TMP/sb"
            check "pg$v: pg_restore -f of both: same SQL and data" $? \
                "$(diff "$TMP/sa" "$TMP/sb" | head)"
        else # the public schema comment/ACL lines are the only ones the archive may add
            diff "$TMP/sa" "$TMP/sb" | grep '^<' >"$TMP/sd"
            [ ! -s "$TMP/sd" ]
            check "pg$v: pg_restore -f of the conversion: nothing the archive's lacks" $? \
                "$(head "$TMP/sd")"
        fi
    elif [ -n "$PGRV" ]; then
        cv "$dir/sample.plain.sql" --pg-restore-version="$PGRV" -o "$TMP/old.dump" 2>"$TMP/err" &&
            pg_restore -f "$TMP/old.sql" "$TMP/old.dump" 2>>"$TMP/err" &&
            grep -q '^COPY ' "$TMP/old.sql"
        check "pg$v: --pg-restore-version=$PGRV output restores as a script" $? "$(cat "$TMP/err")"
    fi
    if [ -f "$dir/sample.plain.inserts.sql" ]; then
        cv "$dir/sample.plain.inserts.sql" -o "$TMP/ins.dump" 2>"$TMP/err"
        entries "$LS" "$TMP/ins.dump" "${old[@]}" >"$TMP/a"
        entries "$LS" "$arch" "${old[@]}" >"$TMP/b"
        [ -s "$TMP/a" ] && cmp -s "$TMP/a" "$TMP/b"
        check "pg$v: --inserts script: the custom archive's entries" $? \
            "$(cat "$TMP/err"; diff "$TMP/a" "$TMP/b" | head)"
    fi
done

# Formats and compressed scripts: the same TOC, the same data.
src=$CORPUS/pg15/sample.plain.sql
cv "$src" -F c -Z none -o "$TMP/ref.dump"
pg_restore -f "$TMP/ref.sql" "$TMP/ref.dump" 2>/dev/null
for f in d t; do
    cv "$src" -F $f -o "$TMP/out.$f" 2>"$TMP/err" && pg_restore -f "$TMP/f.sql" "$TMP/out.$f" &&
        diff -q <(grep -v restrict "$TMP/ref.sql") <(grep -v restrict "$TMP/f.sql") >/dev/null
    check "-F $f: pg_restore -f gives the custom conversion's script" $? "$(cat "$TMP/err")"
done
gzip -c "$src" >"$TMP/s.sql.gz"
lz4 -q -c "$src" >"$TMP/s.sql.lz4" 2>/dev/null
zstd -q -c "$src" >"$TMP/s.sql.zst" 2>/dev/null
for f in s.sql.gz s.sql.lz4 s.sql.zst; do
    cv "$TMP/$f" -F c -Z none -o "$TMP/z.dump" 2>"$TMP/err" && pg_restore -f "$TMP/z.sql" "$TMP/z.dump" &&
        diff -q <(grep -v restrict "$TMP/ref.sql") <(grep -v restrict "$TMP/z.sql") >/dev/null
    check "compressed $f: the same archive script" $? "$(cat "$TMP/err")"
done

# Meta-commands: refused with their line, dropped with --force (and said).
printf '%s\n' '--' '-- PostgreSQL database dump' '--' '' "SET client_encoding = 'UTF8';" \
    '\! echo hi' '--' '-- Name: t; Type: TABLE; Schema: public; Owner: a' '--' '' \
    'CREATE TABLE public.t (a int);' >"$TMP/meta.sql"
cv "$TMP/meta.sql" -o "$TMP/m.dump" 2>"$TMP/err"
st=$?
[ $st -eq 2 ] && grep -q 'meta.sql:6: .*\\! echo hi' "$TMP/err" && [ ! -e "$TMP/m.dump" ]
check "meta-command refused with its line number (exit 2, no output)" $? "exit $st: $(cat "$TMP/err")"
"$CV" --force "$TMP/meta.sql" -o "$TMP/m.dump" 2>"$TMP/err"
st=$?
[ $st -eq 0 ] && grep -q 'meta.sql:6: dropped' "$TMP/err" && "$LS" "$TMP/m.dump" | grep -q 'TABLE public t a'
check "--force drops the meta-command and says so" $? "exit $st: $(cat "$TMP/err")"

# Refusals: a selection of a plain script, a pg_dumpall script.
cv "$src" -t x -o "$TMP/sel.dump" 2>"$TMP/err"
[ $? -eq 3 ]
check "selection from a plain script refused (exit 3)" $? "$(cat "$TMP/err")"
# stdin (a real pipe, whole or compressed; a redirected file): spooled beside the output,
# the same archive as from the file (listing and script), no spool file left behind.
same_as_ref() { # ARCHIVE
    diff <(pg_restore -l "$1" 2>&1 | grep -v '^;') <(pg_restore -l "$TMP/ref.dump" 2>&1 | grep -v '^;') &&
        pg_restore -f "$TMP/in.sql" "$1" && diff <(grep -v restrict "$TMP/ref.sql") <(grep -v restrict "$TMP/in.sql")
}
mkdir -p "$TMP/stdin"
for f in "$src" "$TMP/s.sql.gz" "$TMP/s.sql.lz4" "$TMP/s.sql.zst"; do
    # shellcheck disable=SC2002 # a real pipe
    cat "$f" | cv - -F c -Z none -o "$TMP/stdin/pipe.dump" 2>"$TMP/err" &&
        same_as_ref "$TMP/stdin/pipe.dump" >"$TMP/d" 2>&1 &&
        [ -z "$(find "$TMP/stdin" -name '.dumpconvert-stdin.*')" ]
    check "${f##*/} on a pipe: the file's archive, no spool left" $? "$(cat "$TMP/err" "$TMP/d" | head)"
done
cv - -F c -Z none -o "$TMP/stdin/redir.dump" <"$src" 2>"$TMP/err" && same_as_ref "$TMP/stdin/redir.dump" >"$TMP/d" 2>&1
check "plain script redirected to stdin: the file's archive" $? "$(cat "$TMP/err" "$TMP/d" | head)"
cat "$src" | cv - -F d -o "$TMP/stdin/pipe.dir" 2>"$TMP/err" && same_as_ref "$TMP/stdin/pipe.dir" >"$TMP/d" 2>&1
check "plain script on a pipe to -F d: the file's archive" $? "$(cat "$TMP/err" "$TMP/d" | head)"
# an archive on a pipe is peeked at, not spooled: still read in one pass
cat "$TMP/ref.dump" | cv - -F c -o "$TMP/stdin/arch.dump" 2>"$TMP/err" && same_as_ref "$TMP/stdin/arch.dump" >"$TMP/d" 2>&1
check "custom archive on a pipe still converts" $? "$(cat "$TMP/err" "$TMP/d" | head)"
printf 'not a dump at all\n' | cv - -o "$TMP/stdin/bad.dump" 2>"$TMP/err"
st=$?
[ $st -ne 0 ] && [ ! -e "$TMP/stdin/bad.dump" ] && [ -z "$(find "$TMP/stdin" -name '.dumpconvert-stdin.*')" ]
check "garbage on a pipe: refused, no output, no spool" $? "exit $st: $(cat "$TMP/err")"
# pg_dumpall scripts: a directory of globals.sql, restore.sh and one archive per database the
# script creates (the corpus one: "sample", whose custom archive pg_dump wrote too).
all=$CORPUS/pg18/dumpall.sql
cv "$all" -o "$TMP/all" 2>"$TMP/err"
st=$?
(cd "$TMP/all" 2>/dev/null && ls) >"$TMP/files"
want=$(sed -nE 's/^CREATE DATABASE ([a-z0-9_]+) .*/\1.dump/p' "$all"; printf '%s\n' globals.sql restore.sh)
[ $st -eq 0 ] && [ "$(sort "$TMP/files")" = "$(sort <<<"$want")" ]
check "pg_dumpall script: globals.sql, restore.sh, one archive per created database" $? \
    "exit $st: $(cat "$TMP/err" "$TMP/files")"
entries "$LS" "$TMP/all/sample.dump" >"$TMP/a"
entries "$LS" "$CORPUS/pg18/sample.custom.none.dump" >"$TMP/b"
[ -s "$TMP/a" ] && cmp -s "$TMP/a" "$TMP/b" && "$LS" "$TMP/all/sample.dump" | grep -q '^;     dbname: sample$'
check "pg_dumpall script: sample.dump lists pg_dump's archive's entries, dbname sample" $? \
    "$(diff "$TMP/a" "$TMP/b" | head)"
grep -c '^CREATE ROLE' "$all" >"$TMP/nr"
[ "$(grep -c '^CREATE ROLE' "$TMP/all/globals.sql")" = "$(cat "$TMP/nr")" ] &&
    [ "$(grep -c '^GRANT ' "$TMP/all/globals.sql")" = "$(sed -n '/^-- Role memberships/,/^-- Databases/p' "$all" | grep -c '^GRANT ')" ] &&
    ! grep -q 'CREATE TABLE' "$TMP/all/globals.sql"
check "pg_dumpall script: globals.sql has every role and membership, no database object" $?
if [ -n "$PGRV" ]; then
    cv "$all" --pg-restore-version="$PGRV" -o "$TMP/all$PGRV" 2>"$TMP/err" &&
        pg_restore -l "$TMP/all$PGRV/sample.dump" >"$TMP/l" 2>>"$TMP/err" &&
        [ "$(grep -Ec '^[0-9]+; [0-9]+ [0-9]+ TABLE DATA ' "$TMP/l")" = "$(grep -c '^TABLE DATA ' "$TMP/b")" ] &&
        pg_restore -C -f - "$TMP/all$PGRV/sample.dump" 2>>"$TMP/err" | grep -q '^CREATE DATABASE sample '
    check "pg_dumpall script, --pg-restore-version=$PGRV: pg_restore -l lists sample's entries, -C creates it" $? \
        "$(cat "$TMP/err")"
fi
cv "$all" -o "$TMP/all" 2>"$TMP/err"
[ $? -eq 3 ] && grep -q 'a new one' "$TMP/err"
check "pg_dumpall script: an existing -o directory refused (exit 3)" $? "$(cat "$TMP/err")"
printf '%s\n' '--' '-- PostgreSQL database cluster dump' '--' '' "SET client_encoding = 'UTF8';" \
    '\connect template1' '' '--' '-- PostgreSQL database dump' '--' '' '\! rm -rf x' 'SELECT 1;' >"$TMP/all.sql"
cv "$TMP/all.sql" -o "$TMP/bad" 2>"$TMP/err"
[ $? -eq 2 ] && grep -q 'all.sql:12: .*rm -rf' "$TMP/err" && [ -z "$(ls -a "$TMP" | grep '^bad')" ]
check "pg_dumpall script with a meta-command: refused (exit 2), no directory left" $? "$(cat "$TMP/err")"

harness_finish
