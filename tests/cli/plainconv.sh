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
# A --clean script (pg_dumpall -c puts "Drop databases" and "Drop roles" before its roles): the
# drops go to drop.sql, IF EXISTS added, each DROP ROLE behind a \if (not the restoring role);
# globals.sql has none.
n=$(grep -n '^-- Roles$' "$all" | cut -d: -f1)
{
    head -n $((n - 2)) "$all"
    printf '%s\n' '--' '-- Drop databases (except postgres and template1)' '--' '' 'DROP DATABASE sample;' \
        '' '' '--' '-- Drop roles' '--' '' 'DROP ROLE IF EXISTS "AuditBot";' 'DROP ROLE postgres;' '' ''
    tail -n +$((n - 1)) "$all"
} >"$TMP/allc.sql"
cv "$TMP/allc.sql" -o "$TMP/allc" 2>"$TMP/err"
st=$?
[ $st -eq 0 ] && [ "$(cd "$TMP/allc" && ls | sort)" = "$( (cat "$TMP/files"; echo drop.sql) | sort)" ] &&
    [ "$(grep -v '^--' "$TMP/allc/drop.sql" | grep .)" = "$(printf '%s\n' 'SET default_transaction_read_only = off;' \
        'DROP DATABASE IF EXISTS sample;' \
        "SELECT current_user <> 'AuditBot' AS dumpconvert_drop_role \\gset" '\if :dumpconvert_drop_role' \
        'DROP ROLE IF EXISTS "AuditBot";' '\endif' \
        "SELECT current_user <> 'postgres' AS dumpconvert_drop_role \\gset" '\if :dumpconvert_drop_role' \
        'DROP ROLE IF EXISTS postgres;' '\endif')" ] && ! grep -q '^DROP' "$TMP/allc/globals.sql"
check "pg_dumpall --clean script: drop.sql has the drops (IF EXISTS, own role guarded), globals.sql none" $? \
    "exit $st: $(cat "$TMP/err" "$TMP/allc/drop.sql")"
# An existing -o: refused unless empty, or with --force one dumpconvert wrote (replaced whole,
# nothing of the old left); a directory of something else never replaced.
before=$(cd "$TMP/all" && ls -l --time-style=+%s.%N)
cv "$all" -o "$TMP/all" 2>"$TMP/err"
[ $? -eq 3 ] && grep -q 'new or empty directory' "$TMP/err" && [ "$(cd "$TMP/all" && ls -l --time-style=+%s.%N)" = "$before" ]
check "pg_dumpall script: an existing -o directory refused (exit 3), left as it was" $? "$(cat "$TMP/err")"
touch "$TMP/all/stale"
cv --force "$all" -o "$TMP/all" 2>"$TMP/err" && [ ! -e "$TMP/all/stale" ] &&
    [ "$(cd "$TMP/all" && ls | sort)" = "$(sort "$TMP/files")" ] && [ -z "$(ls "$TMP" | grep '^all\.')" ]
check "pg_dumpall script: --force replaces the earlier output whole, no temporary left" $? "$(cat "$TMP/err")"
mkdir -p "$TMP/foreign" "$TMP/empty"
touch "$TMP/foreign/keep"
cv --force "$all" -o "$TMP/foreign" 2>"$TMP/err"
[ $? -eq 3 ] && grep -q 'not replaced' "$TMP/err" && [ "$(ls -A "$TMP/foreign")" = keep ]
check "pg_dumpall script: --force does not replace a directory dumpconvert did not write" $? "$(cat "$TMP/err")"
cv "$all" -o "$TMP/empty" 2>"$TMP/err" && [ -x "$TMP/empty/restore.sh" ]
check "pg_dumpall script: an empty -o directory is used" $? "$(cat "$TMP/err")"
printf '%s\n' '--' '-- PostgreSQL database cluster dump' '--' '' "SET client_encoding = 'UTF8';" \
    '\connect template1' '' '--' '-- PostgreSQL database dump' '--' '' '\! rm -rf x' 'SELECT 1;' >"$TMP/all.sql"
cv "$TMP/all.sql" -o "$TMP/bad" 2>"$TMP/err"
[ $? -eq 2 ] && grep -q 'all.sql:12: .*rm -rf' "$TMP/err" && [ -z "$(ls -a "$TMP" | grep '^bad')" ]
check "pg_dumpall script with a meta-command: refused (exit 2), no directory left" $? "$(cat "$TMP/err")"

# pg_dumpall < 11 created the databases in its globals part ("Database creation": CREATE
# DATABASE, their ACLs and settings, per-database role settings), then wrote "\connect NAME" and
# pg_dump's output without -C for each.  The corpus has, per version, the --globals-only script
# and pg_dump's plain and custom dumps of "sample": put together as pg_dumpall of that version
# writes them, the database's archive lists the custom archive's entries, globals.sql creates the
# database with its ACL and settings, restore.sh restores into it without --create.
old_all() { # VERSION-DIR [EXTRA-GLOBALS-LINE...]
    local d=$1 n
    shift
    n=$(grep -n '^-- PostgreSQL database cluster dump complete' "$d/globals.sql" | cut -d: -f1)
    head -n $((n - 2)) "$d/globals.sql"
    printf '%s\n' '--' '-- Database creation' '--' '' \
        'CREATE DATABASE sample WITH TEMPLATE = template0 OWNER = postgres;' \
        'REVOKE ALL ON DATABASE sample FROM PUBLIC;' 'GRANT CONNECT ON DATABASE sample TO app_reader;' \
        "ALTER DATABASE sample SET work_mem TO '8MB';" "$@" '' '' \
        '--' '-- Per-Database Role Settings ' '--' '' \
        "ALTER ROLE app_reader IN DATABASE sample SET statement_timeout TO '1min';" '' '' \
        '\connect sample' '' 'SET default_transaction_read_only = off;' ''
    cat "$d/sample.plain.sql"
    printf '%s\n' '' '--' '-- PostgreSQL database cluster dump complete' '--' ''
}
for v in 93 10; do
    d=$CORPUS/pg$v
    [ -f "$d/globals.sql" ] && [ -f "$d/sample.plain.sql" ] && [ -f "$d/sample.custom.none.dump" ] || continue
    old_all "$d" >"$TMP/old$v.sql"
    cv "$TMP/old$v.sql" -o "$TMP/old$v" 2>"$TMP/err"
    st=$?
    [ $st -eq 0 ] && [ "$(cd "$TMP/old$v" && ls | tr '\n' ' ')" = "globals.sql restore.sh sample.dump " ]
    check "pg_dumpall $v script: converted into globals.sql, restore.sh, sample.dump" $? "exit $st: $(cat "$TMP/err")"
    entries "$LS" "$TMP/old$v/sample.dump" --old-public >"$TMP/a"
    entries "$LS" "$d/sample.custom.none.dump" --old-public >"$TMP/b"
    [ -s "$TMP/a" ] && cmp -s "$TMP/a" "$TMP/b" && "$LS" "$TMP/old$v/sample.dump" | grep -q '^;     dbname: sample$'
    check "pg_dumpall $v script: sample.dump lists pg_dump $v's custom archive's entries" $? \
        "$(diff "$TMP/a" "$TMP/b" | head)"
    g=$TMP/old$v/globals.sql
    grep -q '^CREATE DATABASE sample WITH TEMPLATE = template0 OWNER = postgres;' "$g" &&
        grep -q '^GRANT CONNECT ON DATABASE sample TO app_reader;' "$g" &&
        grep -q "^ALTER DATABASE sample SET work_mem TO '8MB';" "$g" &&
        grep -q '^ALTER ROLE app_reader IN DATABASE sample SET' "$g" &&
        [ "$(grep -c '^CREATE ROLE' "$g")" = "$(grep -c '^CREATE ROLE' "$d/globals.sql")" ] &&
        ! grep -q 'CREATE TABLE' "$g"
    check "pg_dumpall $v script: globals.sql creates the database, its ACL, settings, the roles" $?
    grep -q "^\"\$PG_RESTORE\" -j \"\$JOBS\" -d 'sample' \"\$@\" sample.dump\$" "$TMP/old$v/restore.sh" &&
        ! grep '^"$PG_RESTORE"' "$TMP/old$v/restore.sh" | grep -q -- '--create'
    check "pg_dumpall $v script: restore.sh restores into the database globals.sql creates" $? \
        "$(grep PG_RESTORE "$TMP/old$v/restore.sh")"
done
# pg_dumpall < 11 moving "postgres" to a tablespace reconnects inside its globals part: what
# follows would land in a database's archive (pg_restore skips DATABASE entries without -C):
# refused, with the offset, and nothing written.
if [ -f "$CORPUS/pg10/globals.sql" ]; then
    old_all "$CORPUS/pg10" '\connect template1' 'ALTER DATABASE postgres SET TABLESPACE fast;' \
        '\connect postgres' >"$TMP/oldts.sql"
    cv "$TMP/oldts.sql" -o "$TMP/oldts" 2>"$TMP/err"
    st=$?
    [ $st -eq 2 ] && grep -Eq 'oldts.sql: offset [0-9]+: .*cannot be converted' "$TMP/err" &&
        [ "$(wc -l <"$TMP/err")" = 1 ] && ! compgen -G "$TMP/oldts.??????" >/dev/null && [ ! -e "$TMP/oldts" ]
    check "pg_dumpall < 11 reconnecting in its globals: refused (exit 2), one line, nothing left" $? \
        "exit $st: $(cat "$TMP/err")"
fi
# A --globals-only script has no database to convert: said so.
cv "$CORPUS/pg15/globals.sql" -o "$TMP/glob" 2>"$TMP/err"
st=$?
[ $st -eq 3 ] && grep -q 'globals' "$TMP/err" && [ ! -e "$TMP/glob" ]
check "pg_dumpall --globals-only script: refused (exit 3), naming it" $? "exit $st: $(cat "$TMP/err")"

# Interrupted: SIGINT/SIGTERM at several points leaves neither the directory nor its temporary.
# big.sql: a pg_dumpall script of two databases of 1e6 rows each, slow to write at gzip:9.
bigall() { # OUT ROWS
    local db
    {
        printf '%s\n' '--' '-- PostgreSQL database cluster dump' '--' '' \
            'SET default_transaction_read_only = off;' '' "SET client_encoding = 'UTF8';" \
            'SET standard_conforming_strings = on;' '' '--' '-- Roles' '--' '' 'CREATE ROLE postgres;' \
            'ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;' \
            '' '--' '-- Databases' '--' ''
        for db in big1 big2; do
            printf '%s\n' '--' "-- Database \"$db\" dump" '--' '' '--' '-- PostgreSQL database dump' '--' '' \
                '-- Dumped from database version 15.4' '-- Dumped by pg_dump version 15.4' '' \
                "SET client_encoding = 'UTF8';" 'SET standard_conforming_strings = on;' \
                "SELECT pg_catalog.set_config('search_path', '', false);" '' \
                '--' "-- Name: $db; Type: DATABASE; Schema: -; Owner: postgres" '--' '' \
                "CREATE DATABASE $db WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'C';" \
                '' '' "ALTER DATABASE $db OWNER TO postgres;" '' "\\connect $db" '' \
                '--' '-- Name: t; Type: TABLE; Schema: public; Owner: postgres' '--' '' \
                'CREATE TABLE public.t (' '    a integer,' '    b text' ');' '' '' \
                'ALTER TABLE public.t OWNER TO postgres;' '' \
                '--' '-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: postgres' '--' '' \
                'COPY public.t (a, b) FROM stdin;'
            awk -v n="$2" 'BEGIN { for (i = 1; i <= n; i++) printf "%d\trow %d of some text %d\n", i, i * 7919 % 100003, i * 31 }'
            printf '%s\n' '\.' '' '' '--' '-- PostgreSQL database dump complete' '--' ''
        done
        printf '%s\n' '--' '-- PostgreSQL database cluster dump complete' '--' ''
    } >"$1"
}
# wait_for GLOB PID: 0 once a path matches GLOB, 1 when PID ended first or after 60 s.
wait_for() {
    local i
    for ((i = 0; i < 3000; i++)); do
        compgen -G "$1" >/dev/null && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.02
    done
    return 1
}
# interrupt SIG GLOB WHAT OPTION...: convert big.sql into $TMP/int/out, send SIG once GLOB exists
# (the output not in place yet); then it died of SIG and $TMP/int is empty.
interrupt() {
    local sig=$1 glob=$2 what=$3 pid rc left
    shift 3
    rm -rf "$TMP/int" && mkdir "$TMP/int"
    "$CV" -q -j 1 "$@" "$TMP/big.sql" -o "$TMP/int/out" 2>"$TMP/int.err" &
    pid=$!
    if wait_for "$TMP/int/$glob" $pid && [ ! -e "$TMP/int/out" ]; then
        kill -"$sig" $pid
        wait $pid
        rc=$?
        left=$(ls -A "$TMP/int")
        [ $rc -eq $((128 + $(kill -l "$sig"))) ] && [ -z "$left" ]
        check "SIG$sig $what: died of it, no directory, no temporary" $? "rc=$rc left: $left" "$(cat "$TMP/int.err")"
    else
        kill -KILL $pid 2>/dev/null
        wait $pid 2>/dev/null
        not_ok "SIG$sig $what: the point reached" "the conversion ended before $glob: $(cat "$TMP/int.err")"
    fi
}
bigall "$TMP/big.sql" 1000000
interrupt TERM 'out.??????/big1.dump.??????' "while the first database's archive is written" -Z gzip:9
interrupt INT 'out.??????/big1.dump' "after the first database's archive, the second under way" -Z gzip:9
interrupt INT 'out.??????/big1.dir' "-F d, after the first database's directory" -F d -Z gzip:9
interrupt TERM 'out.??????/globals.sql' "right after globals.sql" -Z gzip:9
# stdin: a slow pipe, interrupted while it is spooled (before anything is written)
rm -rf "$TMP/int" && mkdir "$TMP/int"
{ head -c 5000 "$TMP/big.sql"; sleep 3; } | "$CV" -q - -o "$TMP/int/out" 2>"$TMP/int.err" &
pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
left=$(ls -A "$TMP/int")
[ $rc -eq 130 ] && [ -z "$left" ]
check "SIGINT while a pg_dumpall script on a slow pipe is spooled: died of it, nothing left" $? \
    "rc=$rc left: $left" "$(cat "$TMP/int.err")"
# and the whole script converts when left alone (the cases above are not a broken input)
rm -rf "$TMP/int" && mkdir "$TMP/int"
cv -Z gzip:1 "$TMP/big.sql" -o "$TMP/int/out" 2>"$TMP/int.err" &&
    [ "$("$LS" "$TMP/int/out/big2.dump" | grep -c 'TABLE DATA public t')" = 1 ]
check "the same script, not interrupted: converted" $? "$(cat "$TMP/int.err")"
rm -rf "$TMP/int" "$TMP/big.sql"

harness_finish
