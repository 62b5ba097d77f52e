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
#   * row counts of a table equal in both.
# One line per case, then "N passed, N failed".  Needs root (or the postgres user); else skips.
# Environment: DUMPCONVERT (default tools/dumpconvert), PG_BINDIR.

set -u
cd "$(dirname "$0")/../.." || exit 3
# shellcheck source=tests/live/lib.sh
. tests/live/lib.sh
# shellcheck source=tests/harness.sh
. tests/harness.sh

DUMPCONVERT=${DUMPCONVERT:-$PWD/tools/dumpconvert}
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

harness_finish
