#!/usr/bin/env bash
# tests/live/values.sh — dumpcheck's value checks (issue 17) against a real PostgreSQL 15
# cluster: (1) differential: per supported type, 1,000+ values the server prints and 1,200
# mutations of them judged by the server and by the checks (values.py): no false positive,
# >= 95% of the rejected values flagged, rates printed; (2) the DBA's case: a byte changed
# inside an integer field of an uncompressed tar, custom -Z0 and directory -Z0 dump made
# here -> exit 2 naming table, column and row; invalid UTF-8 -> bad-encoding; \N in a NOT
# NULL column -> null-in-not-null; (3) no value findings on intact dumps of a database
# holding every supported type (by pg_dump 15, and 17 when bench/pg17.sh's chroot is there),
# nor on the corpus.
#
# Run by tests/live/run.sh, or alone:  sudo tests/live/values.sh
# Needs root (to become the postgres OS user) or to be run as postgres; otherwise it skips.
# Environment: DUMPCHECK (default tools/dumpcheck), PG_BINDIR, LIVE_KEEP=1.

set -u
cd "$(dirname "$0")/../.." || exit 3
# shellcheck source=tests/live/lib.sh
. tests/live/lib.sh
# shellcheck source=tests/harness.sh
. tests/harness.sh

DUMPCHECK=${DUMPCHECK:-tools/dumpcheck}
DB=vals
DONE=0
summary() {
    [ "$DONE" = 1 ] && return
    DONE=1
    echo "$PASSED passed, $FAILED failed"
}
live_on_exit() {
    [ "$DONE" = 0 ] && not_ok "run ended early" && summary
}

if ! live_can_run; then
    echo "values: skipped (needs root)"
    echo "0 passed, 0 failed"
    exit 0
fi
[ -x "$DUMPCHECK" ] || { echo "not ok - $DUMPCHECK is not built"; echo "0 passed, 1 failed"; exit 1; }

live_install_traps
if ! live_start; then
    not_ok "cluster starts"
    summary
    exit 1
fi
WORK=$LIVE_TMP/values
mkdir -p "$WORK"
chmod 755 "$LIVE_TMP" "$WORK"
ok "cluster starts"

"$PG_BINDIR/createdb" -E UTF8 -T template0 --locale=C "$DB" 2>"$WORK/createdb.err" ||
    { not_ok "createdb" "$(cat "$WORK/createdb.err")"; summary; exit 1; }

# (1) the differential test
if gcc -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -std=gnu11 -Ilibdumpfmt -o "$WORK/oracle" tests/live/valuecheck_oracle.c \
    libdumpfmt/valuecheck*.c -lm 2>"$WORK/cc.err"; then
    python3 tests/live/values.py "$PG_BINDIR/psql -X -q -v ON_ERROR_STOP=1 -d $DB" \
        "$WORK/oracle" "$WORK" 2>"$WORK/py.err" | while IFS= read -r line; do
        case $line in
        "ok - "*) echo "$line" ;;
        *) echo "$line" ;;
        esac
    done >"$WORK/diff.out"
    while IFS= read -r line; do
        case $line in
        "ok - "*) ok "${line#ok - }" ;;
        "not ok - "*) not_ok "${line#not ok - }" ;;
        *) echo "$line" ;;
        esac
    done <"$WORK/diff.out"
    [ -s "$WORK/py.err" ] && not_ok "values.py runs" "$(head -c 2000 "$WORK/py.err")"
else
    not_ok "the oracle helper builds" "$(cat "$WORK/cc.err")"
fi

# (2) the DBA's case
live_psql -d "$DB" >/dev/null 2>"$WORK/dba.err" <<'EOF' || not_ok "dba table loads" "$(cat "$WORK/dba.err")"
CREATE TABLE dba (id integer NOT NULL, name text NOT NULL, note varchar(10));
INSERT INTO dba SELECT 42408 + g, 'name' || g, 'n' FROM generate_series(1, 1000) g;
INSERT INTO dba VALUES (7, 'xx', 'last');
EOF

# mutate FILE FROM TO: replace the first FROM (python bytes literal) by TO, same length
mutate() {
    python3 - "$1" "$2" "$3" <<'EOF'
import ast, sys
p, a, b = sys.argv[1], ast.literal_eval(sys.argv[2]), ast.literal_eval(sys.argv[3])
d = open(p, "rb").read()
assert len(a) == len(b) and d.count(a) == 1, (p, d.count(a))
open(p, "wb").write(d.replace(a, b))
EOF
}

# dba_case NAME DUMP-OPTIONS FROM TO CODE WANT-TEXT
dba_case() {
    local name=$1 opts=$2 from=$3 to=$4 code=$5 want=$6 out=$WORK/dba.$1 target rc
    rm -rf -- "$out"
    # shellcheck disable=SC2086
    "$PG_BINDIR/pg_dump" $opts -t dba -f "$out" "$DB" 2>"$WORK/dump.err" ||
        { not_ok "$name: pg_dump" "$(cat "$WORK/dump.err")"; return; }
    target=$out
    [ -d "$out" ] && target=$(grep -l "name1000" "$out"/*.dat)
    if ! mutate "$target" "$from" "$to" 2>"$WORK/mut.err"; then
        not_ok "$name: the byte is changed" "$(cat "$WORK/mut.err")"
        return
    fi
    timeout 60 "$DUMPCHECK" --no-pg-restore-check "$out" >"$WORK/dc.out" 2>"$WORK/dc.err"
    rc=$?
    if [ "$rc" -eq 2 ] && grep -q ": $code: " "$WORK/dc.err" && grep -qF -- "$want" "$WORK/dc.err" &&
        grep -q "TABLE DATA public.dba" "$WORK/dc.err"; then
        ok "$name: exit 2, $code names table, column and row"
    else
        not_ok "$name: exit 2, $code names table, column and row" "exit $rc" "$(cat "$WORK/dc.err")"
    fi
    timeout 60 "$DUMPCHECK" --no-values --no-pg-restore-check "$out" >/dev/null 2>"$WORK/dc.err"
    rc=$?
    check "$name: --no-values does not see it (exit $rc)" "$([ "$rc" -eq 0 ] && echo 0 || echo 1)" \
        "$(cat "$WORK/dc.err")"
}

INT="b'42509\\tname101\\t'"
INTX="b'4X509\\tname101\\t'"
WANT='row 101, column "id" (integer)'
dba_case tar "-Ft" "$INT" "$INTX" bad-value "$WANT"
dba_case custom-z0 "-Fc -Z0" "$INT" "$INTX" bad-value "$WANT"
dba_case dir-z0 "-Fd -Z0" "$INT" "$INTX" bad-value "$WANT"
dba_case utf8 "-Fc -Z0" "b'\\tname500\\t'" "b'\\tnam\\xff500\\t'" bad-encoding 'row 500, column "name" (text)'
dba_case notnull "-Ft" "b'\\txx\\t'" "b'\\t\\\\N\\t'" null-in-not-null 'row 1001, column "name" (text)'

# a damaged timestamp and inet: in a tar archive, and in INSERT statements (one INSERT fails)
live_psql -d "$DB" >/dev/null 2>"$WORK/dt2.err" <<'EOF2' || not_ok "dtdba table loads" "$(cat "$WORK/dt2.err")"
CREATE TABLE dtdba (id integer, at timestamptz, ip inet);
INSERT INTO dtdba SELECT g, timestamptz '2024-01-01 00:00+00' + g * interval '1 day', ('192.168.0.' || g % 250)::inet
  FROM generate_series(1, 300) g;
EOF2
# dt_case NAME DUMP-OPTIONS FROM TO WANT-TEXT
dt_case() {
    local name=$1 opts=$2 out=$WORK/dtdba.$1 rc
    # shellcheck disable=SC2086
    PGTZ=UTC "$PG_BINDIR/pg_dump" $opts -t dtdba -f "$out" "$DB" 2>"$WORK/dump.err" ||
        { not_ok "$name: pg_dump" "$(cat "$WORK/dump.err")"; return; }
    if ! mutate "$out" "$3" "$4" 2>"$WORK/mut.err"; then
        not_ok "$name: the byte is changed" "$(cat "$WORK/mut.err")"
        return
    fi
    timeout 60 "$DUMPCHECK" --no-pg-restore-check "$out" >/dev/null 2>"$WORK/dc.err"
    rc=$?
    [ "$rc" -eq 2 ] && grep -q ": bad-value: " "$WORK/dc.err" && grep -qF -- "$5" "$WORK/dc.err"
    check "$name: exit 2, bad-value names the row and column (exit $rc)" $? "$(cat "$WORK/dc.err")"
}
dt_case tar-timestamptz "-Ft" "b'2024-03-01 00:00:00+00'" "b'2024-02-30 00:00:00+00'" \
    'row 60, column "at" (timestamp with time zone)'
dt_case tar-inet "-Ft" "b'03-18 00:00:00+00\\t192.168.0.77'" "b'03-18 00:00:00+00\\t192.168.0.7x'" \
    'row 77, column "ip" (inet)'
dt_case inserts-timestamptz "-Fc -Z0 --inserts" "b\"'2024-03-01 00:00:00+00'\"" \
    "b\"'2024-03-01 00:00:00+99'\"" 'row 60, column "at" (timestamp with time zone)'
dt_case column-inserts-inet "-Fp --column-inserts" "b\"03-18 00:00:00+00', '192.168.0.77'\"" \
    "b\"03-18 00:00:00+00', '192.168.0.7x'\"" 'row 77, column "ip" (inet)'

# a child of an inheritance parent: its inherited columns' types come from the parent
live_psql -d "$DB" >/dev/null 2>"$WORK/inh.err" <<'EOF' || not_ok "inheritance tables load" "$(cat "$WORK/inh.err")"
CREATE TABLE parent (id integer NOT NULL, v text);
CREATE TABLE child (extra integer) INHERITS (parent);
INSERT INTO child SELECT g, 'c' || g, g FROM generate_series(77001, 77100) g;
EOF
out=$WORK/inh.dump
"$PG_BINDIR/pg_dump" -Fc -Z0 -t parent -t child -f "$out" "$DB" 2>"$WORK/dump.err"
timeout 60 "$DUMPCHECK" --no-pg-restore-check "$out" >/dev/null 2>"$WORK/dc.err"
check "inheritance: the intact dump has no findings" $? "$(cat "$WORK/dc.err")"
if mutate "$out" "b'77050\\tc77050'" "b'77Q50\\tc77050'" 2>"$WORK/mut.err"; then
    timeout 60 "$DUMPCHECK" --no-pg-restore-check "$out" >/dev/null 2>"$WORK/dc.err"
    rc=$?
    [ "$rc" -eq 2 ] && grep -q 'bad-value: .*row 50, column "id" (integer).*TABLE DATA public.child' "$WORK/dc.err"
    check "inheritance: a bad integer in an inherited column of the child (exit $rc)" $? "$(cat "$WORK/dc.err")"
else
    not_ok "inheritance: the byte is changed" "$(cat "$WORK/mut.err")"
fi

# pg_dumpall: the same table name in two databases with different column types
"$PG_BINDIR/createdb" -E UTF8 -T template0 --locale=C vals2 2>/dev/null
live_psql -d vals2 >/dev/null 2>"$WORK/db2.err" <<'EOF' || not_ok "second database loads" "$(cat "$WORK/db2.err")"
CREATE TABLE dba (id text NOT NULL, name integer, note text);
INSERT INTO dba VALUES ('not a number', 1, NULL), ('x', NULL, 'y');
EOF
"$PG_BINDIR/pg_dumpall" -f "$WORK/all.sql" 2>"$WORK/dumpall.err"
timeout 60 "$DUMPCHECK" --no-pg-restore-check "$WORK/all.sql" >/dev/null 2>"$WORK/dc.err"
! grep -qE ': (bad-value|null-in-not-null|bad-encoding|too-long): ' "$WORK/dc.err"
check "pg_dumpall: each database's tables are checked against their own definitions" $? \
    "$(head -c 2000 "$WORK/dc.err")"

# --json lists the columns checked and not
"$PG_BINDIR/pg_dump" -Fc -t dba -f "$WORK/json.dump" "$DB" 2>/dev/null
timeout 60 "$DUMPCHECK" --json --no-pg-restore-check "$WORK/json.dump" >"$WORK/json.out" 2>/dev/null
python3 - "$WORK/json.out" >"$WORK/json.res" 2>&1 <<'EOF'
import json, sys
vc = {x["tag"]: x for x in json.load(open(sys.argv[1]))["files"][0]["value_checks"]}
assert vc["dba"]["checked"] == ["id", "name", "note"] and vc["dba"]["unchecked"] == [], vc
EOF
check "--json lists the checked and unchecked columns of each table" $? "$(cat "$WORK/json.res")"

# (3) intact dumps: every supported type and edge value, and the corpus
live_psql -d "$DB" >/dev/null 2>"$WORK/all.err" <<'EOF' || not_ok "all-types table loads" "$(cat "$WORK/all.err")"
CREATE DOMAIN posint AS integer NOT NULL CHECK (VALUE > 0);
CREATE TABLE alltypes (i2 smallint NOT NULL, i4 integer, i8 bigint, o oid, n numeric, n2 numeric(10,3),
  f4 real, f8 double precision, b boolean, u uuid, vc varchar(5), c3 char(3), t text, by bytea,
  j json, jb jsonb, ia integer[], ta text[], m mood, d posint, ma mood[]);
INSERT INTO alltypes SELECT g, g * 2147, g * 9223372036854, g::oid, (g * 1.37 ^ (g % 60 - 30)),
  (g * 7.31)::numeric(10,3), (sin(g) * 10 ^ (g % 70 - 35))::real, sin(g) * 10 ^ (g % 600 - 300),
  g % 3 = 0, md5(g::text)::uuid, left(repeat('é€', 3), g % 6), left(md5(g::text), g % 4),
  E'x\ttab\\' || chr(160 + g * 37) || E'\n', decode(md5(g::text), 'hex'),
  json_build_object('a', g, 'c', E'"\\'), jsonb_build_object('d', g * 1e100),
  ARRAY[[g, 1], [2, NULL]], ARRAY['a b', 'q"', NULL, 'NULL', E'back\\slash'],
  (ARRAY['sad', 'ok', 'happy', 'très bien', 'with space'])[1 + g % 5]::mood, g, ARRAY['ok', NULL]::mood[]
  FROM generate_series(1, 500) g;
INSERT INTO alltypes (i2, n, f4, f8, d) VALUES (-32768, 'NaN', 'Infinity', '-Infinity', 1), (32767, '-Infinity', 'NaN', 5e-324, 2);
EOF
# the date/time and network types: odd zones (LMT offsets), BC, the infinities, 24:00, precisions,
# a domain, arrays, a child inheriting them, and a column added by ALTER TABLE
live_psql -d "$DB" >/dev/null 2>"$WORK/dt.err" <<'EOF2' || not_ok "date/time table loads" "$(cat "$WORK/dt.err")"
CREATE DOMAIN stamp AS timestamp with time zone NOT NULL;
CREATE TABLE dtparent (id integer NOT NULL, at stamp);
CREATE TABLE dttypes (d date, t time, t3 time(3) with time zone, ts timestamp, tz timestamptz(2),
  iv interval, iv3 interval(3), ip inet, nw cidr, m8 macaddr8, da date[], tza timestamptz[])
  INHERITS (dtparent);
SET TimeZone = 'America/Sao_Paulo';
INSERT INTO dttypes SELECT g, timestamptz '1890-01-01 00:00+00' + g * interval '97 days 3 hours',
  date '2000-01-01' + g * 377 - 200000, time '00:00' + g * interval '86.3999 s',
  ((time '00:00' + g * interval '86.3999 s')::text || (ARRAY['+05:30', '-03:30:15', '+00', '-12'])[1 + g % 4])::timetz,
  timestamp '0044-03-15 12:00 BC' + g * interval '1234 days 5.5 s', timestamptz '2000-01-01' + g * interval '17 days 3.25 s',
  make_interval(years => g % 20 - 5, days => g % 30, secs => g * 1.5 - 90), make_interval(hours => g, secs => g * 0.0015),
  ('10.' || g % 256 || '.' || g / 256 || '.7/' || (g % 33))::inet, network(('2001:db8::' || to_hex(g) || '/' || (g % 129))::inet)::cidr,
  ('08:00:2b:01:02:03:04:' || lpad(to_hex(g % 256), 2, '0'))::macaddr8,
  ARRAY[date '2020-02-29', NULL, 'infinity'], ARRAY[timestamptz '1900-06-01 12:00', '-infinity']
  FROM generate_series(1, 400) g;
INSERT INTO dttypes (id, at, d, t, ts, tz, iv) VALUES (0, 'infinity', '4714-11-24 BC', '24:00:00', '294276-12-31 23:59:59.999999',
  '-infinity', '-178000000 years'), (-1, '4714-11-24 00:00:00+00 BC', '5874897-12-31', '23:59:59.999999', '4714-11-24 00:00 BC', 'infinity', '00:00:00');
ALTER TABLE dttypes ADD COLUMN late timestamp(0) without time zone DEFAULT '2001-02-03 04:05:06';
EOF2
for v in "-Fc" "-Fc -Z0" "-Ft" "-Fd" "-Fp" "-Fc --inserts" "-Fp --column-inserts" "-Fc --inserts --rows-per-insert=9"; do
    out=$WORK/all.$(echo "$v" | tr -d ' =-')
    rm -rf -- "$out"
    # shellcheck disable=SC2086
    "$PG_BINDIR/pg_dump" $v -f "$out" "$DB" 2>"$WORK/dump.err"
    timeout 60 "$DUMPCHECK" --no-pg-restore-check "$out" >/dev/null 2>"$WORK/dc.err"
    rc=$?
    check "pg_dump $v of every supported type: exit 0 (got $rc)" "$([ "$rc" -eq 0 ] && echo 0 || echo 1)" \
        "$(head -c 2000 "$WORK/dc.err")"
done
# ... and by pg_dump 17 (bench/pg17.sh's chroot, as tests/live/dumpconvert.sh): its lz4 and zstd
# archives too, which pg_dump 15 cannot write
PG17_WHY=$(live_pg17_why)
for v in "-Fc" "-Fc -Z lz4" "-Fc -Z zstd" "-Fd -Z lz4" "-Ft" "-Fp" "-Fc --inserts"; do
    if [ -n "$PG17_WHY" ]; then
        ok "pg_dump 17 $v of every supported type # SKIP $PG17_WHY"
        continue
    fi
    out=$WORK/all17.$(echo "$v" | tr -d ' =-')
    rm -rf -- "$out"
    # shellcheck disable=SC2086
    BENCH_DIR=${BENCH_DIR:-/work/benchdata} bash bench/pg17.sh run pg_dump $v -f "$out" "$DB" \
        2>"$WORK/dump17.err"
    timeout 60 "$DUMPCHECK" --pg-restore-version=17 "$out" >/dev/null 2>"$WORK/dc.err"
    rc=$?
    check "pg_dump 17 $v of every supported type: exit 0 (got $rc)" \
        "$([ "$rc" -eq 0 ] && echo 0 || echo 1)" "$(head -c 1000 "$WORK/dump17.err" "$WORK/dc.err")"
done
found=""
for f in corpus/pg*/sample.* corpus/*.sql /work/shared/corpus/pg*/*; do
    [ -e "$f" ] || continue
    case $f in *.list | *.restore.sql) continue ;; esac
    if timeout 60 "$DUMPCHECK" --no-pg-restore-check "$f" 2>&1 |
        grep -qE ': (bad-value|null-in-not-null|bad-encoding|too-long): '; then
        found="$found $f"
    fi
done
check "no value findings on the intact corpus dumps" "$([ -z "$found" ] && echo 0 || echo 1)" "$found"

summary
[ "$FAILED" -eq 0 ]
