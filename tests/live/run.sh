#!/usr/bin/env bash
# tests/live/run.sh — live tests against a throwaway PostgreSQL 15 cluster (design.md §6.4).
#
# Starts a private cluster (tests/live/lib.sh), loads tests/live/schema.sql (every object kind
# pg_dump 15 can dump), makes fresh custom/directory/tar dumps with pg_dump 15 and uses
# pg_restore 15 and the live database as the oracle for tools/dumpls:
#   dumpls --pg-restore-version 15 [-v] X       == pg_restore -l [-v] X       (byte for byte)
#   dumpls --pg-restore-version 15 [-v] - < X   == the same                   (custom, tar)
#   dumpls --long --json X: rows of each TABLE DATA == SELECT count(*) FROM ONLY the table
#   dumpls --long --json X: LOs of the BLOBS entry  == count(*) FROM pg_largeobject_metadata
# One line per test case ("ok - NAME" / "not ok - NAME" plus the first 20 lines of a diff),
# then exactly one line "N passed, N failed".  Exit status 1 on any failure.
#
# Run from anywhere after `make`:  sudo tests/live/run.sh
# Needs root (to become the postgres OS user) or to be run as postgres; otherwise it skips.
# Environment: DUMPLS (default tools/dumpls), PG_BINDIR (default /usr/lib/postgresql/15/bin),
#              LIVE_SCHEMA (default tests/live/schema.sql), LIVE_KEEP=1 keeps the temp dir.

set -u
cd "$(dirname "$0")/../.." || exit 3
# shellcheck source=tests/live/lib.sh
. tests/live/lib.sh

DUMPLS=${DUMPLS:-tools/dumpls}
LIVE_SCHEMA=${LIVE_SCHEMA:-tests/live/schema.sql}
DUMPLS_TIMEOUT=${DUMPLS_TIMEOUT:-300}
DB=live
PASSED=0
FAILED=0
SUMMARY_DONE=0
START_ERR=""

pass() {
    PASSED=$((PASSED + 1))
    echo "ok - $1"
}

# fail NAME [FILE]: FILE holds the diff or the messages that explain the failure.
fail() {
    FAILED=$((FAILED + 1))
    echo "not ok - $1"
    if [ -n "${2:-}" ] && [ -s "$2" ]; then
        head -n 20 -- "$2" | sed 's/^/    /'
    fi
}

summary() {
    [ "$SUMMARY_DONE" = 1 ] && return
    SUMMARY_DONE=1
    echo "$PASSED passed, $FAILED failed"
}

# Runs from the EXIT trap after the cluster is stopped: an interrupted or aborted run still
# ends with its summary line and fails.
live_on_exit() {
    [ -n "$START_ERR" ] && rm -f -- "$START_ERR"
    if [ "$SUMMARY_DONE" = 0 ]; then
        fail "run ended early"
        summary
    fi
}

skip_all() {
    echo "live: skipped ($1)"
    echo "0 passed, 0 failed"
    exit 0
}

# A setup step failed: nothing after it can run.
abort() {
    fail "$1" "${2:-}"
    summary
    exit 1
}

# ---------------------------------------------------------------------------------------------
# setup: cluster, schema
# ---------------------------------------------------------------------------------------------

start_cluster() {
    START_ERR=$(mktemp "${TMPDIR:-/tmp}/dumpfmt-live-start.XXXXXX") || exit 3
    if live_start 2>"$START_ERR"; then
        rm -f -- "$START_ERR"
        START_ERR=""
        pass "cluster starts (PostgreSQL $("$PG_BINDIR/postgres" -V | awk '{print $3}'))"
    else
        abort "cluster starts" "$START_ERR"
    fi
    # Everything this run writes lives in the cluster's directory: one trap removes it all.
    WORK=$LIVE_TMP/work
    DUMPS=$LIVE_TMP/dumps
    mkdir -p "$WORK" "$DUMPS"
    # The tablespace directory must be empty and owned by the server's OS user.
    mkdir -p "$LIVE_TMP/tablespace"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$LIVE_TMP/tablespace"
    return 0
}

load_schema() {
    local err=$WORK/schema.err
    if ! "$PG_BINDIR/createdb" -T template0 -E UTF8 --locale=C "$DB" 2>"$err"; then
        abort "createdb $DB" "$err"
    fi
    # Zero errors (ON_ERROR_STOP) and zero warnings: anything on stderr fails the case.
    if live_psql -d "$DB" -v tsdir="$LIVE_TMP/tablespace" -f "$LIVE_SCHEMA" >/dev/null 2>"$err" &&
        [ ! -s "$err" ]; then
        pass "$LIVE_SCHEMA loads without errors or warnings"
    else
        abort "$LIVE_SCHEMA loads without errors or warnings" "$err"
    fi
}

# ---------------------------------------------------------------------------------------------
# dumps
# ---------------------------------------------------------------------------------------------

# name|pg_dump options|how the output is written (file: -f, pipe: | cat >, stdout: > file)
ARCHIVES="
custom.gzip.dump|-Fc|file
custom.none.dump|-Fc -Z0|file
custom.pipe.dump|-Fc|pipe
custom.stdout.dump|-Fc|stdout
custom.inserts.dump|-Fc --inserts --rows-per-insert=7|file
dir.gzip|-Fd|file
dir.none|-Fd -Z0|file
dir.j2|-Fd -j 2|file
tar.tar|-Ft|file
"

make_dump() {
    local name=$1 opts=$2 how=$3 out=$DUMPS/$1 err=$WORK/$1.dump.err
    local rc
    # shellcheck disable=SC2086
    case $how in
    file) "$PG_BINDIR/pg_dump" $opts -f "$out" "$DB" 2>"$err" ;;
    pipe) set -o pipefail
          "$PG_BINDIR/pg_dump" $opts "$DB" 2>"$err" | cat >"$out"
          rc=$?; set +o pipefail; (exit $rc) ;;
    stdout) "$PG_BINDIR/pg_dump" $opts "$DB" >"$out" 2>"$err" ;;
    esac
    rc=$?
    if [ $rc -eq 0 ] && [ -e "$out" ] && [ ! -s "$err" ]; then
        pass "pg_dump $opts ($how) writes $name"
        return 0
    fi
    echo "pg_dump exit status $rc" >>"$err"
    fail "pg_dump $opts ($how) writes $name" "$err"
    return 1
}

# The oracle: pg_restore 15's listings, kept for the comparisons.
reference_lists() {
    local name=$1 x=$DUMPS/$1 err=$WORK/$1.ref.err
    if "$PG_BINDIR/pg_restore" -l "$x" >"$WORK/$name.list" 2>"$err" &&
        "$PG_BINDIR/pg_restore" -l -v "$x" >"$WORK/$name.vlist" 2>>"$err" &&
        grep -q '^; Selected TOC Entries:$' "$WORK/$name.list" &&
        grep -q '^[0-9]*; [0-9]* [0-9]* TABLE DATA ' "$WORK/$name.list" && [ ! -s "$err" ]; then
        pass "$name: pg_restore -l and -l -v read it"
        return 0
    fi
    fail "$name: pg_restore -l and -l -v read it" "$err"
    return 1
}

# The fixture itself must keep its breadth: every entry kind the schema is meant to produce.
EXPECTED_KINDS="ACCESS METHOD|ACL|AGGREGATE|BLOB|BLOBS|CAST|CHECK CONSTRAINT|COLLATION|COMMENT|
CONSTRAINT|CONVERSION|DATABASE|DEFAULT|DEFAULT ACL|DOMAIN|ENCODING|EVENT TRIGGER|EXTENSION|
FK CONSTRAINT|FOREIGN DATA WRAPPER|FOREIGN TABLE|FUNCTION|INDEX|INDEX ATTACH|MATERIALIZED VIEW|
MATERIALIZED VIEW DATA|OPERATOR|OPERATOR CLASS|OPERATOR FAMILY|POLICY|PROCEDURAL LANGUAGE|
PROCEDURE|PUBLICATION|PUBLICATION TABLE|PUBLICATION TABLES IN SCHEMA|ROW SECURITY|RULE|SCHEMA|
SEARCHPATH|SEQUENCE|SEQUENCE OWNED BY|SEQUENCE SET|SERVER|STATISTICS|STDSTRINGS|SUBSCRIPTION|
TABLE|TABLE ATTACH|TABLE DATA|TEXT SEARCH CONFIGURATION|TEXT SEARCH DICTIONARY|
TEXT SEARCH PARSER|TEXT SEARCH TEMPLATE|TRANSFORM|TRIGGER|TYPE|USER MAPPING|VIEW"

check_fixture_kinds() {
    local vlist=$WORK/$1.vlist missing=$WORK/kinds.missing kind
    : >"$missing"
    while IFS= read -r kind; do
        [ -n "$kind" ] || continue
        # Exact desc: the line continues with a schema that is never one of these words alone.
        grep -q "^[0-9]*; [0-9]* [0-9]* $kind " "$vlist" || echo "no $kind entry" >>"$missing"
    done < <(echo "$EXPECTED_KINDS" | tr -d '\n' | tr '|' '\n')
    if [ -s "$missing" ]; then
        fail "fixture: pg_restore -l -v lists every expected entry kind" "$missing"
    else
        pass "fixture: pg_restore -l -v lists every expected entry kind"
    fi
}

# ---------------------------------------------------------------------------------------------
# dumpls against the oracle
# ---------------------------------------------------------------------------------------------

# run_dumpls OUT ERR [ARGS...] [< input]: exit status 0 or 1 (warning) is acceptable for the
# listing; >= 2 means dumpls thinks a fresh dump is damaged, which is a failure by itself.
run_dumpls() {
    local out=$1 err=$2 rc
    shift 2
    timeout "$DUMPLS_TIMEOUT" "$DUMPLS" "$@" >"$out" 2>"$err"
    rc=$?
    [ $rc -le 1 ] && return 0
    echo "dumpls $* exited with status $rc" >>"$err"
    return 1
}

# compare_listing CASE REFERENCE ARGS... [< stdin]
compare_listing() {
    local case=$1 ref=$2 id
    shift 2
    id=$(( PASSED + FAILED ))
    local out=$WORK/case$id.out err=$WORK/case$id.err diffs=$WORK/case$id.diff
    if ! run_dumpls "$out" "$err" "$@"; then
        cat "$err" >"$diffs"
        fail "$case" "$diffs"
    elif diff -u --label "pg_restore" --label "dumpls" "$ref" "$out" >"$diffs"; then
        pass "$case"
    else
        [ -s "$err" ] && { echo "stderr:"; cat "$err"; } >>"$diffs"
        fail "$case" "$diffs"
    fi
}

# check_rows NAME INPUT-LABEL ARGS... : rows of every TABLE DATA and the LO count
check_rows() {
    local name=$1 label=$2 id
    shift 2
    id=$(( PASSED + FAILED ))
    local json=$WORK/case$id.json err=$WORK/case$id.err res=$WORK/case$id.res
    if ! run_dumpls "$json" "$err" --long --json "$@"; then
        fail "$name: dumpls --long --json$label row counts == count(*)" "$err"
        fail "$name: dumpls --long --json$label LO count == pg_largeobject_metadata" "$err"
        return
    fi
    if PSQL=$PG_BINDIR/psql PGDATABASE=$DB python3 tests/live/rowcheck.py tables "$json" \
        "$WORK/$name.list" >"$res" 2>&1; then
        pass "$name: dumpls --long --json$label row counts == count(*)"
    else
        fail "$name: dumpls --long --json$label row counts == count(*)" "$res"
    fi
    if PSQL=$PG_BINDIR/psql PGDATABASE=$DB python3 tests/live/rowcheck.py los "$json" \
        >"$res" 2>&1; then
        pass "$name: dumpls --long --json$label LO count == pg_largeobject_metadata"
    else
        fail "$name: dumpls --long --json$label LO count == pg_largeobject_metadata" "$res"
    fi
}

check_archive() {
    local name=$1 x=$DUMPS/$1
    compare_listing "$name: dumpls == pg_restore -l" "$WORK/$name.list" \
        --pg-restore-version 15 "$x"
    compare_listing "$name: dumpls -v == pg_restore -l -v" "$WORK/$name.vlist" \
        --pg-restore-version 15 -v "$x"
    check_rows "$name" "" "$x"
    # Single-file archives must also work forward-only from a pipe.
    if [ -f "$x" ]; then
        compare_listing "$name: dumpls - (stdin) == pg_restore -l" "$WORK/$name.list" \
            --pg-restore-version 15 - <"$x"
        compare_listing "$name: dumpls -v - (stdin) == pg_restore -l -v" "$WORK/$name.vlist" \
            --pg-restore-version 15 -v - <"$x"
        check_rows "$name" " - (stdin)" - <"$x"
    fi
}

# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------

live_can_run || skip_all "needs root"
[ -x "$PG_BINDIR/initdb" ] || skip_all "no PostgreSQL 15 in $PG_BINDIR"
command -v python3 >/dev/null || skip_all "needs python3"

live_install_traps
start_cluster
load_schema

MADE=""
while IFS='|' read -r name opts how; do
    [ -n "$name" ] || continue
    make_dump "$name" "$opts" "$how" && reference_lists "$name" && MADE="$MADE $name"
done <<<"$ARCHIVES"

if [ -f "$WORK/custom.gzip.dump.vlist" ]; then
    check_fixture_kinds custom.gzip.dump
fi

if [ ! -x "$DUMPLS" ]; then
    fail "$DUMPLS missing"
else
    for name in $MADE; do
        check_archive "$name"
    done
fi

summary
[ "$FAILED" -eq 0 ]
