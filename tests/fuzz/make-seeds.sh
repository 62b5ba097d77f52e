#!/bin/bash
# tests/fuzz/make-seeds.sh — regenerates the small fuzz seeds in tests/fuzz/seeds/ (run as root).
#
# The corpus archives are 100 KB to 1 MB: too big for libFuzzer to mutate well.  This makes a
# tiny database (two schemas, a table with a sequence default, an index, a view, a role owner, a
# grant, two large objects) in a throwaway PostgreSQL 15 cluster, dumps it in every format and
# compression PostgreSQL 15 writes, and records real pg_restore and psql stderr for the restore
# log parser (restoring the corpus's pg15 sample into a database without its roles, twice).
# Directory archives are packed into fuzz_walk_dir's container (tests/fuzz/fuzz_walk_dir.c).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/live/lib.sh
live_can_run || { echo "make-seeds: needs root"; exit 1; }
out=tests/fuzz/seeds
live_start >/dev/null
B=$PG_BINDIR
psql() { "$B/psql" -X -q "$@"; }

psql -d postgres -c "CREATE ROLE tiny_owner NOLOGIN" -c "CREATE ROLE tiny_reader" \
     -c "GRANT tiny_owner TO tiny_reader" -c "CREATE DATABASE tiny OWNER tiny_owner"
psql -d tiny -v ON_ERROR_STOP=1 <<'SQL'
CREATE SCHEMA s AUTHORIZATION tiny_owner;
CREATE TABLE s.t (id serial PRIMARY KEY, name text NOT NULL, v varchar(4), at date);
INSERT INTO s.t (name, v, at) VALUES ('a', 'x', '2020-01-02'), (E'b\tc', NULL, NULL), ('"q"', 'yy', '1999-12-31');
CREATE INDEX t_name ON s.t (name);
CREATE VIEW s.v AS SELECT id, name FROM s.t;
ALTER TABLE s.t OWNER TO tiny_owner;
GRANT SELECT ON s.v TO tiny_reader;
COMMENT ON TABLE s.t IS 'tiny';
SELECT lo_from_bytea(9001, 'hello'), lo_from_bytea(9002, '');
ALTER LARGE OBJECT 9001 OWNER TO tiny_owner;
SQL
d() { "$B/pg_dump" -d tiny "$@"; }
mkdir -p "$out"/{walk_custom,walk_tar,walk_dir,verify,roles,list,restorelog}
d -Fc -Z6 -f "$out/walk_custom/tiny.custom.gzip.dump"
d -Fc -Z0 -f "$out/walk_custom/tiny.custom.none.dump"
d -Fc -Z6 > "$out/walk_custom/tiny.custom.pipe.dump"
d -Ft -f "$out/walk_tar/tiny.tar"
d -Fp -f "$out/roles/tiny.sql"
"$B/pg_dumpall" -g > "$out/roles/globals.sql"
tmp=$(mktemp -d)
d -Fd -Z6 -f "$tmp/gzip"
d -Fd -Z0 -f "$tmp/none"
for x in gzip none; do
    python3 tests/fuzz/pack-dir.py "$tmp/$x" > "$out/walk_dir/tiny.dir.$x.pack"
done
rm -rf "$tmp"
cp "$out/walk_custom/tiny.custom.none.dump" "$out/verify/"
cp "$out/walk_tar/tiny.tar" "$out/verify/"
# verify: the same script with the rows as INSERT statements (the INSERT value checks), so
# that its plain seed differs from the roles seed.
d -Fp --inserts -f "$out/verify/tiny.inserts.sql"
cp "$out/walk_custom/tiny.custom.gzip.dump" "$out/roles/"

# List files of the archive fuzz_list reads (corpus/pg18/sample.custom.gzip.dump): pg_restore 15
# cannot read it, so these are cut from the corpus's own list and rearranged by hand.
list=corpus/pg18/sample.custom.gzip.dump.list
head -n 40 "$list" > "$out/list/head.list"
grep -v '^;' "$list" | tac > "$out/list/reversed.list"
printf '; comment\n\n12\n  7 ; x\n999999\n-3\n7\n0x10; hex\n' > "$out/list/odd.list"

# Restore logs: the pg15 sample (what fuzz_restorelog lays them over) into a database without
# its roles, serial -v, parallel, and again on top (already exists); psql on the plain script.
psql -d postgres -c "CREATE DATABASE r1" -c "CREATE DATABASE r2"
s=corpus/pg15/sample.custom.gzip.dump
"$B/pg_restore" -d r1 -v "$s" 2> "$out/restorelog/pg_restore-v.log" || true
"$B/pg_restore" -d r1 "$s" 2> "$out/restorelog/pg_restore-again.log" || true
"$B/pg_restore" -d r2 -j 2 -v "$s" 2> "$out/restorelog/pg_restore-j2.log" || true
"$B/pg_restore" -d r2 -e "$s" 2> "$out/restorelog/pg_restore-exit.log" || true
psql -d r2 -f corpus/pg15/sample.plain.sql 2> "$out/restorelog/psql.log" >/dev/null || true
psql -d r2 -v ON_ERROR_STOP=1 -f corpus/pg15/sample.plain.sql 2> "$out/restorelog/psql-stop.log" >/dev/null || true
: > "$out/restorelog/empty.log"
live_stop
# Seeds stay small: cut any log to its first 200 lines.
for f in "$out"/restorelog/*.log; do head -n 200 "$f" > "$f.tmp"; mv "$f.tmp" "$f"; done
du -sh "$out"/*
