#!/usr/bin/env bash
# tests/live/plainall.sh — a pg_dumpall script converted by dumpconvert into a directory
# (issue 14) and replayed by its restore.sh into an empty cluster (tests/live/lib.sh).
# The source cluster gets roles (a membership, a role setting, a name with a space and a quote),
# two databases made here (one named with a space, a quote and a dot; a database setting, an
# ACL, a comment, tables with data, a foreign key) and a table in the existing "postgres"
# database; pg_dumpall -f all.sql; dumpconvert all.sql -o DIR; restore.sh -j 2 into a second,
# empty cluster (live_start_extra).  Cases:
#   * DIR holds globals.sql, restore.sh and one archive per database, file names escaped;
#   * restore.sh exits 0 (set -e, ON_ERROR_STOP, pg_restore --create for the created ones);
#   * pg_dumpall of both clusters is identical, apart from what pg_dumpall varies: comment
#     lines, blank lines and the \restrict/\unrestrict keys;
#   * row counts of a table equal in both;
#   * pg_dumpall -c (template1 with a comment, postgres with a setting): drop.sql holds its DROP
#     statements, restore.sh into a third empty cluster exits 0, pg_dumpall -c of both identical;
#     drop.sql then empties that cluster and restore.sh refills it identically;
#   * pg_dumpall < 11's layout (CREATE DATABASE in the globals part, \connect, pg_dump without
#     -C), made from this cluster: restore.sh into a fourth cluster, pg_dump -C app and
#     pg_dumpall -g identical.
# One line per case, then "N passed, N failed".  Needs root (or the postgres user); else skips.
# Environment: DUMPCONVERT (default tools/dumpconvert), PG_BINDIR.

set -u
cd "$(dirname "$0")/../.." || exit 3
# shellcheck source=tests/live/lib.sh
. tests/live/lib.sh
# shellcheck source=tests/harness.sh
. tests/harness.sh

DUMPCONVERT=${DUMPCONVERT:-$PWD/tools/dumpconvert}
LS=${DUMPLS:-$(dirname "$DUMPCONVERT")/dumpls}
export TZ=UTC LC_ALL=C

if ! live_can_run; then
    echo "live: skipped (needs root or the postgres user)"
    echo "0 passed, 0 failed"
    exit 0
fi
live_start 2>/dev/null || { not_ok "cluster starts"; harness_finish; exit 1; }
live_start_extra target 2>/dev/null || { not_ok "second cluster starts"; harness_finish; exit 1; }
W=$LIVE_TMP/work
mkdir -p "$W"
chmod 755 "$W"
[ "$(id -u)" -eq 0 ] && chown postgres: "$W"
PG=$PG_BINDIR
ODD='shop "x".o'\''k' # a database name to escape in SQL, shell and file names

live_psql -d postgres >"$W/setup.out" 2>&1 <<EOF
CREATE ROLE app_owner NOLOGIN;
CREATE ROLE "Data O'Steward" LOGIN CONNECTION LIMIT 3;
GRANT app_owner TO "Data O'Steward";
ALTER ROLE app_owner SET work_mem = '8MB';
CREATE DATABASE app OWNER app_owner TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C';
ALTER DATABASE app SET statement_timeout = '5min';
REVOKE CONNECT ON DATABASE app FROM PUBLIC;
GRANT CONNECT ON DATABASE app TO "Data O'Steward";
COMMENT ON DATABASE app IS 'the application';
CREATE DATABASE "shop ""x"".o'k" TEMPLATE template0;
CREATE TABLE public.in_postgres (id int PRIMARY KEY, v text);
INSERT INTO public.in_postgres SELECT g, 'p' || g FROM generate_series(1, 50) g;
EOF
check "source cluster set up" $? "$(head -5 "$W/setup.out")"
live_psql -d app >>"$W/setup.out" 2>&1 <<EOF
SET ROLE app_owner;
CREATE SCHEMA s;
CREATE TABLE s.parent (id int PRIMARY KEY, name text);
CREATE TABLE s.child (id int PRIMARY KEY, parent_id int REFERENCES s.parent, note text);
INSERT INTO s.parent SELECT g, 'n' || g FROM generate_series(1, 2000) g;
INSERT INTO s.child SELECT g, 1 + g % 2000, repeat('x', g % 17) FROM generate_series(1, 5000) g;
CREATE INDEX ON s.child (parent_id);
GRANT USAGE ON SCHEMA s TO "Data O'Steward";
GRANT SELECT ON s.child TO "Data O'Steward";
EOF
live_psql -d "$ODD" >>"$W/setup.out" 2>&1 <<EOF
CREATE TABLE t (a int, b text);
INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 3000) g;
CREATE VIEW v AS SELECT a FROM t WHERE a % 2 = 0;
EOF
check "source databases filled" $? "$(tail -5 "$W/setup.out")"

"$PG/pg_dumpall" --restrict-key=livetest -f "$W/all.sql" 2>"$W/dumpall.err"
check "pg_dumpall of the source" $? "$(head -3 "$W/dumpall.err")"

"$DUMPCONVERT" -q "$W/all.sql" -F c -o "$W/out" 2>"$W/conv.err"
check "dumpconvert of the pg_dumpall script into a directory" $? "$(head -5 "$W/conv.err")"
( cd "$W/out" 2>/dev/null && ls ) >"$W/files"
printf '%s\n' app.dump globals.sql in_postgres postgres.dump restore.sh 'shop%20%22x%22%2Eo%27k.dump' |
    grep -v in_postgres | sort >"$W/files.want"
cmp -s "$W/files" "$W/files.want"
check "the directory: globals.sql, restore.sh, one archive per database, names escaped" $? \
    "$(diff "$W/files" "$W/files.want")"
[ "$(id -u)" -eq 0 ] && chown -R postgres: "$W/out"

# the replay, into the empty second cluster, as its own superuser
PGHOST=$LIVE_EXTRA_HOST PGPORT=$LIVE_EXTRA_PORT PSQL=$PG/psql PG_RESTORE=$PG/pg_restore \
    sh "$W/out/restore.sh" -j 2 >"$W/restore.out" 2>&1
check "restore.sh -j 2 into an empty cluster exits 0" $? "$(tail -8 "$W/restore.out")"

# What pg_dumpall varies from run to run: its comments, blank lines, the \restrict key.
norm() { grep -v '^--' | grep -v '^$' | grep -Ev '^\\(un)?restrict '; }
"$PG/pg_dumpall" --restrict-key=k1 2>&1 | norm >"$W/a.sql"
PGHOST=$LIVE_EXTRA_HOST PGPORT=$LIVE_EXTRA_PORT "$PG/pg_dumpall" --restrict-key=k2 2>&1 |
    norm >"$W/b.sql"
grep -q 'CREATE TABLE s.child' "$W/a.sql" && cmp -s "$W/a.sql" "$W/b.sql"
st=$? # before the $(...) below, which would reset it
check "pg_dumpall of source and target identical ($(wc -l <"$W/a.sql") lines)" $st \
    "$(diff "$W/a.sql" "$W/b.sql" | head -20)"

n() { live_psql -At -h "$1" -p "$2" -d "$3" -c "$4" 2>&1; }
a=$(n "$PGHOST" "$PGPORT" app 'SELECT count(*), sum(length(note)) FROM s.child')
b=$(n "$LIVE_EXTRA_HOST" "$LIVE_EXTRA_PORT" app 'SELECT count(*), sum(length(note)) FROM s.child')
[ "$a" = "$b" ] && [ "${a%%|*}" = 5000 ]
check "rows of app.s.child equal ($a vs $b)" $?

# ---- pg_dumpall --clean: DROP DATABASE / DROP ROLE at the top, and template1 and postgres
# written by pg_dump --clean --create (dropped and created again).  The DROP statements go to
# drop.sql, which restore.sh does not run (its cluster is empty); template1 and postgres are
# dropped by psql and restored with pg_restore --create from the other one, so their own
# properties (a comment, a setting) come along.  Into a third, empty cluster: restore.sh exits 0 and pg_dumpall
# -c of both clusters is identical.  Then drop.sql (IF EXISTS, the restoring role left alone)
# empties that cluster and restore.sh runs again: still identical.
live_psql -d postgres >>"$W/setup.out" 2>&1 <<EOF
COMMENT ON DATABASE template1 IS 'template one, commented';
ALTER DATABASE postgres SET work_mem = '12MB';
CREATE TABLE public.more (id int PRIMARY KEY);
INSERT INTO public.more SELECT generate_series(1, 10);
EOF
check "source changed for the --clean case" $? "$(tail -3 "$W/setup.out")"
live_start_extra clean 2>/dev/null || { not_ok "third cluster starts"; harness_finish; exit 1; }
H3=$LIVE_EXTRA_HOST P3=$LIVE_EXTRA_PORT
"$PG/pg_dumpall" -c --restrict-key=livetest -f "$W/allc.sql" 2>"$W/dumpall.err"
check "pg_dumpall -c of the source" $? "$(head -3 "$W/dumpall.err")"
"$DUMPCONVERT" -q "$W/allc.sql" -F c -o "$W/outc" 2>"$W/conv.err"
check "dumpconvert of the pg_dumpall -c script" $? "$(head -5 "$W/conv.err")"
[ "$(id -u)" -eq 0 ] && chown -R postgres: "$W/outc"
ndrop=$(sed '/^-- Databases$/q' "$W/allc.sql" | grep -c '^DROP \(DATABASE\|ROLE\) ')
[ "$ndrop" -gt 3 ] && [ "$(grep -c '^DROP \(DATABASE\|ROLE\) IF EXISTS ' "$W/outc/drop.sql")" = "$ndrop" ] &&
    ! grep -q '^DROP ' "$W/outc/globals.sql" &&
    grep -qF '"$PG_RESTORE" --create -j "$JOBS" -d postgres "$@" template1.dump' "$W/outc/restore.sh" &&
    grep -qF '"$PG_RESTORE" --create -j "$JOBS" -d template1 "$@" postgres.dump' "$W/outc/restore.sh" &&
    grep -qF -- "-d postgres \"\$@\" -c \"UPDATE pg_catalog.pg_database SET datistemplate = false WHERE datname = 'template1'\" -c 'DROP DATABASE template1'" "$W/outc/restore.sh"
check "drop.sql has the $ndrop DROP statements (IF EXISTS), globals.sql none; restore.sh recreates template1, postgres" $? \
    "$(grep -h 'DROP\|PG_RESTORE' "$W/outc/drop.sql" "$W/outc/restore.sh" | head -20)"
# pg_dump --clean --create's drop of template1 ("UPDATE ... datistemplate = false;" then DROP
# DATABASE) is the drop statement of its DATABASE entry, as in pg_dump's archive, not an entry
# of its own (which pg_restore would run inside template1)
"$PG/pg_restore" -c -C -f - "$W/outc/template1.dump" 2>&1 | grep -v '^$' | grep -A1 '^UPDATE pg_catalog.pg_database' |
    tr '\n' ' ' >"$W/t1drop"
[ "$(cat "$W/t1drop")" = "UPDATE pg_catalog.pg_database SET datistemplate = false WHERE datname = 'template1'; DROP DATABASE template1; " ] &&
    ! "$LS" "$W/outc/template1.dump" | grep -q 'SQL STATEMENTS'
check "template1's UPDATE + DROP DATABASE: the drop statement of its DATABASE entry" $? \
    "$(cat "$W/t1drop"; "$LS" "$W/outc/template1.dump" | head -20)"
PGHOST=$H3 PGPORT=$P3 PSQL=$PG/psql PG_RESTORE=$PG/pg_restore \
    sh "$W/outc/restore.sh" -j 2 >"$W/restorec.out" 2>&1
check "--clean: restore.sh -j 2 into an empty cluster exits 0" $? "$(tail -8 "$W/restorec.out")"
same_as_source() { # NAME: pg_dumpall -c of the source and of the third cluster identical
    local st
    "$PG/pg_dumpall" -c --restrict-key=k1 2>&1 | norm >"$W/a.sql"
    PGHOST=$H3 PGPORT=$P3 "$PG/pg_dumpall" -c --restrict-key=k2 2>&1 | norm >"$W/b.sql"
    grep -q "COMMENT ON DATABASE template1 IS 'template one, commented'" "$W/a.sql" &&
        grep -q 'CREATE TABLE public.more' "$W/a.sql" && cmp -s "$W/a.sql" "$W/b.sql"
    st=$?
    check "$1 ($(wc -l <"$W/a.sql") lines)" $st "$(diff "$W/a.sql" "$W/b.sql" | head -20)"
}
same_as_source "--clean: pg_dumpall -c of source and target identical"
PGHOST=$H3 PGPORT=$P3 live_psql -d postgres -f "$W/outc/drop.sql" >"$W/drop.out" 2>&1 &&
    [ "$(n "$H3" "$P3" postgres "SELECT count(*) FROM pg_database WHERE datname = 'app'")" = 0 ] &&
    [ "$(n "$H3" "$P3" postgres "SELECT count(*) FROM pg_roles WHERE rolname = 'app_owner'")" = 0 ]
check "drop.sql on the restored cluster: its databases and roles gone" $? "$(tail -5 "$W/drop.out")"
PGHOST=$H3 PGPORT=$P3 PSQL=$PG/psql PG_RESTORE=$PG/pg_restore \
    sh "$W/outc/restore.sh" >"$W/restorec2.out" 2>&1
check "--clean: restore.sh again after drop.sql exits 0" $? "$(tail -8 "$W/restorec2.out")"
same_as_source "--clean: after drop.sql and restore.sh, pg_dumpall -c still identical"

# ---- pg_dumpall < 11's layout: the databases created in the globals part ("Database creation":
# CREATE DATABASE, its ACL, setting, comment), then "\connect NAME" and pg_dump's output without
# -C.  Put together from this cluster (pg_dumpall -g, the statements that made "app", pg_dump -Fp
# app), converted: app.dump has no DATABASE entry, restore.sh restores it without --create into
# the database globals.sql creates.  Into a fourth, empty cluster: exit 0, and pg_dump -C app and
# pg_dumpall -g identical on both.
live_start_extra old 2>/dev/null || { not_ok "fourth cluster starts"; harness_finish; exit 1; }
H4=$LIVE_EXTRA_HOST P4=$LIVE_EXTRA_PORT
{
    "$PG/pg_dumpall" -g --restrict-key=livetest | sed '/^-- PostgreSQL database cluster dump complete$/,$d' |
        sed '$d'
    printf '%s\n' '--' '-- Database creation' '--' '' \
        'CREATE DATABASE app WITH TEMPLATE = template0 OWNER = app_owner;' \
        'REVOKE CONNECT ON DATABASE app FROM PUBLIC;' "GRANT CONNECT ON DATABASE app TO \"Data O'Steward\";" \
        "ALTER DATABASE app SET statement_timeout TO '5min';" "COMMENT ON DATABASE app IS 'the application';" \
        '' '' '\connect app' '' 'SET default_transaction_read_only = off;' ''
    "$PG/pg_dump" -Fp --restrict-key=livetest app
    printf '%s\n' '' '--' '-- PostgreSQL database cluster dump complete' '--' ''
} >"$W/old.sql" 2>"$W/old.err"
"$DUMPCONVERT" -q "$W/old.sql" -F c -o "$W/outo" 2>"$W/conv.err" &&
    [ "$(cd "$W/outo" && ls | tr '\n' ' ')" = "app.dump globals.sql restore.sh " ] &&
    ! "$LS" "$W/outo/app.dump" | grep -q ' DATABASE ' &&
    grep -qF "\"\$PG_RESTORE\" -j \"\$JOBS\" -d 'app' \"\$@\" app.dump" "$W/outo/restore.sh"
check "pg_dumpall < 11 layout: converted, app.dump without DATABASE entry, restored into app" $? \
    "$(cat "$W/old.err" "$W/conv.err"; ls "$W/outo"; grep PG_RESTORE "$W/outo/restore.sh")"
[ "$(id -u)" -eq 0 ] && chown -R postgres: "$W/outo"
PGHOST=$H4 PGPORT=$P4 PSQL=$PG/psql PG_RESTORE=$PG/pg_restore \
    sh "$W/outo/restore.sh" -j 2 >"$W/restoreo.out" 2>&1
check "pg_dumpall < 11 layout: restore.sh -j 2 into an empty cluster exits 0" $? "$(tail -8 "$W/restoreo.out")"
"$PG/pg_dump" -C --restrict-key=k1 app 2>&1 | norm >"$W/a.sql"
PGHOST=$H4 PGPORT=$P4 "$PG/pg_dump" -C --restrict-key=k2 app 2>&1 | norm >"$W/b.sql"
"$PG/pg_dumpall" -g --restrict-key=k1 2>&1 | norm >"$W/ag.sql"
PGHOST=$H4 PGPORT=$P4 "$PG/pg_dumpall" -g --restrict-key=k2 2>&1 | norm >"$W/bg.sql"
grep -q "COMMENT ON DATABASE app IS 'the application'" "$W/a.sql" && grep -q 'CREATE TABLE s.child' "$W/a.sql" &&
    cmp -s "$W/a.sql" "$W/b.sql" && cmp -s "$W/ag.sql" "$W/bg.sql"
st=$?
check "pg_dumpall < 11 layout: pg_dump -C app and pg_dumpall -g identical on both ($(wc -l <"$W/a.sql") lines)" $st \
    "$(diff "$W/a.sql" "$W/b.sql" | head -10; diff "$W/ag.sql" "$W/bg.sql" | head -10)"

harness_finish
