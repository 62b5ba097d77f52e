#!/usr/bin/env bash
# tests/live/dumpdiag.sh — dumpdiag on real failing restores into a PostgreSQL 15 cluster
# (issue 16 acceptance).  For each case a restore fails for a known reason; dumpdiag --json on
# its log and dump must attribute every error to an entry with the right class (checked
# against pg_restore -v's own "from TOC entry" lines where there are two runs), name the root
# cause; then the cause is fixed, the resume list (pg_restore -L) or script (psql -f) is
# restored, and pg_dump of the database must equal pg_dump of a clean restore.
#   roles       roles missing (quiet and -v logs), one cause listing both roles
#   nonempty    a target that already had schema s: every "already exists" error attributed
#   extension   an extension whose control file is gone: the extension is the root, the
#               tables that use its domain and their data are cascades
#   checkfn     a CHECK constraint calling a function that reads an unqualified table under
#               pg_dump's empty search_path
#   corrupt     a data error in a corrupt uncompressed dump (with its COPY line)
#   abort       --exit-on-error midway, serial and -j 2 -v: what never ran is resumed; -j items
#               launched but never reported finished are uncertain: the TRUNCATE statements
#               dumpdiag gives run first, and the result is the exact dump; the race made
#               certain (a log with a committed TABLE DATA item shown only as launched)
#   pg 17       with bench/pg17.sh's chroot (PG17_BENCH_DIR, default bench/data): pg_restore 17's
#               logs of the roles and abort cases give the same diagnosis as 15's
#   psql        a plain dump through psql, with and without ON_ERROR_STOP, and from standard
#               input with -e and -q -a (no FILE:LINE: the echoed statements tell)
# The logs and dumps are kept as golden files under tests/cli/cases/dumpdiag/ when
# DUMPDIAG_GOLDEN=1 (tests/cli/dumpdiag.sh checks them without a server).
# Needs root (to become postgres, and to install a throwaway extension) or skips.
# Environment: DUMPDIAG (default tools/dumpdiag), PG_BINDIR, LIVE_KEEP=1.

set -u
cd "$(dirname "$0")/../.." || exit 3
# shellcheck source=tests/live/lib.sh
. tests/live/lib.sh
# shellcheck source=tests/harness.sh
. tests/harness.sh

DUMPDIAG=${DUMPDIAG:-tools/dumpdiag}
export LC_ALL=C
GOLDEN=tests/cli/cases/dumpdiag
EXTNAME=dfdiag_live_ext$$
EXTDIR=""

if ! live_can_run; then
    echo "# skipped: needs root or the postgres user"
    harness_finish
    exit 0
fi
live_on_exit() {
    [ -n "$EXTDIR" ] && rm -f -- "$EXTDIR/$EXTNAME.control" "$EXTDIR/$EXTNAME--1.0.sql"
}
live_start >/dev/null 2>&1 || { echo "# could not start PostgreSQL"; echo "0 passed, 1 failed"; exit 1; }
P=$PG_BINDIR
W=$LIVE_TMP/work
mkdir -p "$W"
chmod 777 "$W"
EXTDIR=$("$P/pg_config" --sharedir)/extension

# pg_restore 17 from bench/pg17.sh's trixie chroot, when it was made (else those cases skip)
PG17_BENCH=${PG17_BENCH_DIR:-bench/data}
HAVE17=0
[ -e "$PG17_BENCH/trixie/.dumpfmt-pg17" ] && HAVE17=1
pg_restore17() { BENCH_DIR=$PG17_BENCH bash bench/pg17.sh run pg_restore "$@"; }

q() { live_psql -d "${DB:-postgres}" "$@"; }
newdb() { q -c "CREATE DATABASE $1" >/dev/null; }

# same_dump NAME DB1 DB2: pg_dump of both are equal.
same_dump() {
    # (the \restrict key is new every time)
    "$P/pg_dump" -d "$2" 2>&1 | grep -v '^\\.*restrict ' >"$W/$2.sql"
    "$P/pg_dump" -d "$3" 2>&1 | grep -v '^\\.*restrict ' >"$W/$3.sql"
    if diff -u "$W/$3.sql" "$W/$2.sql" >"$W/$1.diff"; then ok "$1"; else
        not_ok "$1" "$(head -20 "$W/$1.diff")"
    fi
}

# run_first NAME DB: run in DB the statements dumpdiag's report NAME gives for its uncertain
# entries (a -j item launched, never reported finished: it may have committed), as a user
# would before restoring the resume list; the list's "; uncertain: ... run first:" comments
# must say the same.
run_first() {
    local name=$1 db=$2
    python3 -c 'import json,sys
for e in json.load(open(sys.argv[1]))["entries"]:
    if e["state"] == "uncertain" and e.get("run_first"): print(e["run_first"])' \
        "$W/$name.json" >"$W/$name.first.sql"
    sed -n 's/^; uncertain: .* run first: //p' "$W/$name.list" | cmp -s - "$W/$name.first.sql"
    check "$name: the list's comments and the JSON give the same statements to run first" $? \
        "$(cat "$W/$name.first.sql")"
    local n rc
    n=$(grep -c . "$W/$name.first.sql")
    DB=$db q -v ON_ERROR_STOP=1 -f "$W/$name.first.sql" >/dev/null 2>"$W/$name.first.err"
    rc=$?
    check "$name: the statements to run first ran ($n)" $rc "$(cat "$W/$name.first.err")"
}

# diag NAME LOG DUMP OUT [dumpdiag options]: run dumpdiag --json, keep the report in $W/NAME.json.
diag() {
    local name=$1 log=$2 dump=$3 out=$4
    shift 4
    "$DUMPDIAG" --json -o "$out" "$@" "$log" "$dump" >"$W/$name.json" 2>"$W/$name.err"
    echo $? >"$W/$name.rc"
    if [ "${DUMPDIAG_GOLDEN:-0}" = 1 ]; then
        mkdir -p "$GOLDEN"
        cp -- "$log" "$GOLDEN/$name.log"
        [ -e "$GOLDEN/$(basename "$dump")" ] || cp -r -- "$dump" "$GOLDEN/"
    fi
}

# expect NAME [diagcheck options]
expect() {
    local name=$1 out
    shift
    out=$(python3 tests/live/diagcheck.py "$W/$name.json" "$@" 2>&1)
    check "$name: every error attributed and classified ($*)" $? "$out" "$(head -5 "$W/$name.err")"
}

# ---------------------------------------------------------------- sources
setup_sources() {
    q -c "CREATE ROLE app_owner" -c "CREATE ROLE app_ro" >/dev/null
    newdb src
    DB=src q >/dev/null <<'SQL'
CREATE SCHEMA s AUTHORIZATION app_owner;
CREATE TABLE s.t (id int PRIMARY KEY, v text CHECK (length(v) < 100));
INSERT INTO s.t SELECT g, 'v' || g FROM generate_series(1, 50) g;
ALTER TABLE s.t OWNER TO app_owner;
GRANT SELECT ON s.t TO app_ro;
CREATE VIEW s.vw AS SELECT * FROM s.t;
ALTER VIEW s.vw OWNER TO app_ro;
CREATE TABLE s.c (id int REFERENCES s.t(id));
INSERT INTO s.c VALUES (1), (2);
CREATE TABLE public.keep (k int);
INSERT INTO public.keep VALUES (7);
SQL
    "$P/pg_dump" -Fc -f "$W/roles.dump" src
    "$P/pg_dump" -Fp -f "$W/roles.sql" src

    # a throwaway extension: its control file goes away before the restore
    printf "default_version = '1.0'\nrelocatable = true\n" >"$EXTDIR/$EXTNAME.control"
    printf "CREATE DOMAIN dfdiag_pos AS int CHECK (VALUE > 0);\n" >"$EXTDIR/$EXTNAME--1.0.sql"
    newdb ext
    DB=ext q >/dev/null <<SQL
CREATE EXTENSION $EXTNAME;
CREATE SCHEMA s;
CREATE TABLE s.u (x public.dfdiag_pos);
INSERT INTO s.u VALUES (1), (2), (3);
CREATE VIEW s.uv AS SELECT x FROM s.u;
CREATE TABLE s.plain (y int);
INSERT INTO s.plain VALUES (4);
SQL
    "$P/pg_dump" -Fc -f "$W/extension.dump" ext

    newdb chk
    DB=chk q >/dev/null <<'SQL'
CREATE SCHEMA s;
CREATE TABLE s.limits (k text PRIMARY KEY, v int);
INSERT INTO s.limits VALUES ('max', 10);
SET search_path = s;
CREATE FUNCTION s.under_limit(x int) RETURNS boolean LANGUAGE sql
    AS $$ SELECT x <= (SELECT v FROM limits WHERE k = 'max') $$;
CREATE TABLE s.items (x int CHECK (s.under_limit(x)));
INSERT INTO s.items VALUES (1), (5), (9);
RESET search_path;
SQL
    "$P/pg_dump" -Fc -f "$W/checkfn.dump" chk

    newdb dat
    DB=dat q >/dev/null <<'SQL'
CREATE TABLE public.b_nums (n int PRIMARY KEY);
INSERT INTO public.b_nums SELECT g FROM generate_series(1, 499) g;
INSERT INTO public.b_nums VALUES (424242);
INSERT INTO public.b_nums SELECT g FROM generate_series(500, 6000) g;
DO $$ BEGIN FOR i IN 1..12 LOOP
  EXECUTE format('CREATE TABLE public.d%s (a int PRIMARY KEY, b text)', lpad(i::text, 2, '0'));
  EXECUTE format('INSERT INTO public.d%s SELECT g, g::text FROM generate_series(1, 300) g',
                 lpad(i::text, 2, '0'));
  EXECUTE format('CREATE INDEX ON public.d%s (b)', lpad(i::text, 2, '0'));
END LOOP; END $$;
SQL
    "$P/pg_dump" -Fc -Z0 -f "$W/fixed.dump" dat
    # one digit of a row becomes a letter: the file keeps its size and structure
    python3 - "$W/fixed.dump" "$W/corrupt.dump" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
i = b.index(b"424242\n")
assert b.count(b"424242\n") == 1
open(sys.argv[2], "wb").write(b[:i + 1] + b"x" + b[i + 2:])
PY
}

# ---------------------------------------------------------------- cases
case_roles() {
    q -c "DROP DATABASE src" >/dev/null
    q -c "DROP ROLE app_ro" -c "DROP ROLE app_owner" >/dev/null
    newdb roles_q
    newdb roles_v
    "$P/pg_restore" -d roles_q "$W/roles.dump" 2>"$W/roles-quiet.log"
    "$P/pg_restore" -v -d roles_v "$W/roles.dump" 2>"$W/roles-v.log"
    newdb ps1
    newdb ps2
    "$P/psql" -X -q -d ps1 -f "$W/roles.sql" >/dev/null 2>"$W/psql.log"
    "$P/psql" -X -q -d ps2 -v ON_ERROR_STOP=1 -f "$W/roles.sql" >/dev/null 2>"$W/psql-stop.log"
    newdb ps3
    "$P/psql" -X -d ps3 -e <"$W/roles.sql" >"$W/psql-echo.log" 2>&1
    newdb ps4
    "$P/psql" -X -q -d ps4 -a <"$W/roles.sql" >"$W/psql-all.log" 2>&1
    if [ "$HAVE17" = 1 ]; then
        newdb roles17
        pg_restore17 -v -d roles17 "$W/roles.dump" 2>"$W/roles-v17.log"
    fi
    diag roles-v "$W/roles-v.log" "$W/roles.dump" "$W/roles-v.list"
    diag roles-quiet "$W/roles-quiet.log" "$W/roles.dump" "$W/roles-quiet.list"
    expect roles-v --classes role-missing --causes 1 --what "roles app_owner, app_ro" --exit 1 --min-errors 4
    expect roles-quiet --classes role-missing --causes 1 --ids-from "$W/roles-v.json" --exit 1
    if [ "$HAVE17" = 1 ]; then
        diag roles-v17 "$W/roles-v17.log" "$W/roles.dump" "$W/roles-v17.list"
        # pg_restore 17 also sets transaction_timeout, which a 15 server does not know
        expect roles-v17 --classes role-missing,server-too-old --causes 2 --what "roles app_owner, app_ro" --ids-from "$W/roles-v.json" --exit 1
    fi
    q -c "CREATE ROLE app_owner" -c "CREATE ROLE app_ro" >/dev/null
    newdb roles_clean
    "$P/pg_restore" -d roles_clean "$W/roles.dump" 2>"$W/roles-clean.log"
    check "roles: the clean restore is clean" $? "$(head -5 "$W/roles-clean.log")"
    "$P/pg_restore" -L "$W/roles-v.list" -d roles_v "$W/roles.dump" 2>"$W/roles-v.resume.log"
    same_dump "roles: -v resume completes the database" roles_v roles_clean
    "$P/pg_restore" -L "$W/roles-quiet.list" -d roles_q "$W/roles.dump" 2>"$W/roles-q.resume.log"
    same_dump "roles: quiet resume completes the database" roles_q roles_clean
}

case_nonempty() {
    newdb nonempty
    DB=nonempty q >/dev/null <<'SQL'
CREATE SCHEMA s;
CREATE TABLE s.t (id int PRIMARY KEY, other text);
INSERT INTO s.t VALUES (1, 'old'), (2, 'old');
CREATE TABLE s.c (id int);
SQL
    "$P/pg_restore" -v -d nonempty "$W/roles.dump" 2>"$W/nonempty.log"
    diag nonempty "$W/nonempty.log" "$W/roles.dump" "$W/nonempty.list"
    expect nonempty --classes already-exists --cause-class already-exists --exit 2
    DB=nonempty q -c "DROP SCHEMA s CASCADE" >/dev/null 2>&1
    "$P/pg_restore" -L "$W/nonempty.list" -d nonempty "$W/roles.dump" 2>"$W/nonempty.resume.log"
    same_dump "nonempty: resume after dropping what was there" nonempty roles_clean
}

case_extension() {
    newdb ext_clean
    "$P/pg_restore" -d ext_clean "$W/extension.dump" 2>/dev/null
    mv "$EXTDIR/$EXTNAME.control" "$W/ext.control.saved"
    newdb ext1
    "$P/pg_restore" -v -d ext1 "$W/extension.dump" 2>"$W/extension.log"
    diag extension "$W/extension.log" "$W/extension.dump" "$W/extension.list"
    expect extension --causes 1 --cause-class extension-missing --cascades 2 --exit 2
    mv "$W/ext.control.saved" "$EXTDIR/$EXTNAME.control"
    "$P/pg_restore" -L "$W/extension.list" -d ext1 "$W/extension.dump" 2>"$W/extension.resume.log"
    same_dump "extension: resume once it is installed" ext1 ext_clean
}

case_checkfn() {
    newdb chk1
    "$P/pg_restore" -v -d chk1 "$W/checkfn.dump" 2>"$W/checkfn.log"
    diag checkfn "$W/checkfn.log" "$W/checkfn.dump" "$W/checkfn.list"
    expect checkfn --causes 1 --cause-class missing-object --kind search-path --exit 2
    DB=chk1 q -c "ALTER FUNCTION s.under_limit(int) SET search_path = s" >/dev/null
    "$P/pg_restore" -L "$W/checkfn.list" -d chk1 "$W/checkfn.dump" 2>"$W/checkfn.resume.log"
    DB=chk1 q -c "ALTER FUNCTION s.under_limit(int) RESET search_path" >/dev/null
    same_dump "checkfn: resume with the function's search_path fixed" chk1 chk
}

case_corrupt() {
    newdb dat_clean
    "$P/pg_restore" -d dat_clean "$W/fixed.dump" 2>/dev/null
    newdb cor1
    "$P/pg_restore" -d cor1 "$W/corrupt.dump" 2>"$W/corrupt.log"
    diag corrupt "$W/corrupt.log" "$W/corrupt.dump" "$W/corrupt.list"
    expect corrupt --classes data --cause-class data --copy-line 500 --exit 2
    "$P/pg_restore" -L "$W/corrupt.list" -d cor1 "$W/fixed.dump" 2>"$W/corrupt.resume.log"
    same_dump "corrupt: resume from the repaired dump" cor1 dat_clean
}

# The -j race made certain, from the kept log of a -j 2 abort (tests/cli/cases/dumpdiag/
# abort-j2.log, in which d02's data finished) and its dump: a database holding exactly what that
# restore ran (the entries its resume list leaves out, restored from the repaired dump), and the
# log with "finished item 3426 TABLE DATA d02" removed, as when the stop came between the
# COPY's commit and the worker's report.  d02's rows are in; the resume with the TRUNCATE
# dumpdiag gives must be exact, and without it must not be (the control).
case_abort_race() {
    local rc
    python3 - "$GOLDEN/corrupt.dump" "$W/gfixed.dump" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
assert b.count(b"4x4242\n") == 1
open(sys.argv[2], "wb").write(b.replace(b"4x4242\n", b"424242\n"))
PY
    newdb gclean
    "$P/pg_restore" -d gclean "$W/gfixed.dump" 2>/dev/null
    "$DUMPDIAG" --json "$GOLDEN/abort-j2.log" "$GOLDEN/corrupt.dump" >"$W/abort-golden.json" 2>/dev/null
    "$P/pg_restore" -l "$W/gfixed.dump" | python3 -c 'import json,sys
resume = set(json.load(open(sys.argv[1]))["resume"])
for line in sys.stdin:
    head = line.split(";")[0].strip()
    if not head.isdigit() or int(head) not in resume:
        sys.stdout.write(line)' "$W/abort-golden.json" >"$W/abort-ran.list"
    for db in abrace abrace_blind; do
        newdb $db
        "$P/pg_restore" -L "$W/abort-ran.list" -d $db "$W/gfixed.dump" 2>"$W/$db.ran.log"
    done
    [ "$(DB=abrace q -At -c "SELECT count(*) FROM public.d02")" = 300 ]
    check "abort -j 2 race: d02's 300 rows are in the database before the resume" $?
    grep -vxF "pg_restore: finished item 3426 TABLE DATA d02" "$GOLDEN/abort-j2.log" >"$W/abort-race.log"
    DUMPDIAG_GOLDEN=0 diag abort-race "$W/abort-race.log" "$GOLDEN/corrupt.dump" "$W/abort-race.list"
    python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
sys.exit(not any(e["dump_id"] == 3426 and e["state"] == "uncertain" and e["run_first"] for e in r["entries"]) or 3426 not in r["resume"])' \
        "$W/abort-race.json"
    rc=$?
    check "abort -j 2 race: d02's data is uncertain, resumed, with a statement to run first" $rc
    run_first abort-race abrace
    "$P/pg_restore" -L "$W/abort-race.list" -d abrace "$W/gfixed.dump" 2>"$W/abort-race.resume.log"
    same_dump "abort -j 2 race: the resume after the TRUNCATE gives the exact dump" abrace gclean
    # the control: the same resume without the statement loads d02's rows twice
    "$P/pg_restore" -L "$W/abort-race.list" -d abrace_blind "$W/gfixed.dump" 2>"$W/abort-race-blind.log"
    [ "$(DB=abrace_blind q -At -c "SELECT count(*) FROM public.d02")" = 600 ]
    check "abort -j 2 race: without the TRUNCATE d02 would hold its 300 rows twice (control)" $?
}

case_abort() {
    newdb ab1
    "$P/pg_restore" --exit-on-error -d ab1 "$W/corrupt.dump" 2>"$W/abort.log"
    diag abort "$W/abort.log" "$W/corrupt.dump" "$W/abort.list"
    expect abort --classes data --stopped yes --not-run 20 --exit 2
    "$P/pg_restore" -L "$W/abort.list" -d ab1 "$W/fixed.dump" 2>"$W/abort.resume.log"
    same_dump "abort: resume completes what never ran" ab1 dat_clean

    newdb abj
    "$P/pg_restore" -v -j 2 --exit-on-error -d abj "$W/corrupt.dump" 2>"$W/abort-j2.log"
    diag abort-j2 "$W/abort-j2.log" "$W/corrupt.dump" "$W/abort-j2.list"
    expect abort-j2 --classes data --stopped yes --not-run 5 --exit 2
    run_first abort-j2 abj
    "$P/pg_restore" -L "$W/abort-j2.list" -d abj "$W/fixed.dump" 2>"$W/abort-j2.resume.log"
    same_dump "abort -j 2: resume (after the statements to run first) completes the database" abj dat_clean
    case_abort_race
    [ "$HAVE17" = 1 ] || { echo "# pg_restore 17 cases skipped: no $PG17_BENCH/trixie (bench/pg17.sh setup)"; return; }
    newdb ab17
    pg_restore17 --exit-on-error -d ab17 "$W/corrupt.dump" 2>"$W/abort17.log"
    diag abort17 "$W/abort17.log" "$W/corrupt.dump" "$W/abort17.list"
    # ... and with --exit-on-error it stops right there, before any entry
    expect abort17 --classes server-too-old --cause-class server-too-old --kind session-setting --stopped yes --not-run 40 --exit 2
    "$P/pg_restore" -L "$W/abort17.list" -d ab17 "$W/fixed.dump" 2>"$W/abort17.resume.log"
    same_dump "abort (pg_restore 17): resume completes what never ran" ab17 dat_clean
    newdb abj17
    pg_restore17 -v -j 2 --exit-on-error -d abj17 "$W/corrupt.dump" 2>"$W/abort-j2-17.log"
    diag abort-j2-17 "$W/abort-j2-17.log" "$W/corrupt.dump" "$W/abort-j2-17.list"
    expect abort-j2-17 --classes server-too-old --cause-class server-too-old --stopped yes --not-run 40 --exit 2
    run_first abort-j2-17 abj17
    "$P/pg_restore" -L "$W/abort-j2-17.list" -d abj17 "$W/fixed.dump" 2>"$W/abort-j2-17.resume.log"
    same_dump "abort -j 2 (pg_restore 17): resume completes what never ran" abj17 dat_clean
    # without --exit-on-error: -j 2 -v, one setting error per connection, and the data error
    newdb cj17
    pg_restore17 -v -j 2 -d cj17 "$W/corrupt.dump" 2>"$W/corrupt-j2-17.log"
    diag corrupt-j2-17 "$W/corrupt-j2-17.log" "$W/corrupt.dump" "$W/corrupt-j2-17.list"
    expect corrupt-j2-17 --classes data,server-too-old --copy-line 500 --same-as "$W/corrupt.json" --exit 2
    "$P/pg_restore" -L "$W/corrupt-j2-17.list" -d cj17 "$W/fixed.dump" 2>"$W/corrupt-j2-17.resume.log"
    same_dump "corrupt -j 2 (pg_restore 17): resume from the repaired dump" cj17 dat_clean
}

# (the restores ran in case_roles, while the roles were missing)
case_psql() {
    diag psql "$W/psql.log" "$W/roles.sql" "$W/psql-resume.sql"
    diag psql-stop "$W/psql-stop.log" "$W/roles.sql" "$W/psql-stop-resume.sql" --on-error-stop
    expect psql --classes role-missing --causes 1 --what "roles app_owner, app_ro" --exit 1
    expect psql-stop --classes role-missing --stopped yes --not-run 5 --exit 2
    diag psql-echo "$W/psql-echo.log" "$W/roles.sql" "$W/psql-echo-resume.sql"
    expect psql-echo --classes role-missing --causes 1 --what "roles app_owner, app_ro" --ids-from "$W/psql.json" --exit 1
    diag psql-all "$W/psql-all.log" "$W/roles.sql" "$W/psql-all-resume.sql"
    expect psql-all --classes role-missing --causes 1 --ids-from "$W/psql.json" --exit 1
    "$P/psql" -X -q -d ps1 -f "$W/psql-resume.sql" >/dev/null 2>"$W/psql.resume.log"
    same_dump "psql: resume.sql completes the database" ps1 roles_clean
    "$P/psql" -X -q -d ps2 -f "$W/psql-stop-resume.sql" >/dev/null 2>"$W/psql-stop.resume.log"
    same_dump "psql ON_ERROR_STOP: resume.sql completes the database" ps2 roles_clean
    "$P/psql" -X -q -d ps3 -f "$W/psql-echo-resume.sql" >/dev/null 2>"$W/psql-echo.resume.log"
    same_dump "psql -e from stdin: resume.sql completes the database" ps3 roles_clean
    "$P/psql" -X -q -d ps4 -f "$W/psql-all-resume.sql" >/dev/null 2>"$W/psql-all.resume.log"
    same_dump "psql -q -a from stdin: resume.sql completes the database" ps4 roles_clean
}

setup_sources
case_roles
case_nonempty
case_extension
case_checkfn
case_corrupt
case_abort
case_psql
harness_finish
