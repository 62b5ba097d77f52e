#!/usr/bin/env bash
# tests/live/dumprestore_pg17.sh — a pg_dump 17 archive restored by dumprestore onto PostgreSQL 15
# (issue 15): pg_dump 17 (the Debian 13 chroot of bench/pg17.sh) dumps a database of a
# throwaway PostgreSQL 15 cluster; its archive (version 1.16) is one pg_restore 15 cannot read.
#   preflight   --preflight-only names exactly that (archive-too-new, "archive 1.16", exit 2)
#               with its fix, `dumpconvert --pg-restore-version 15`, and the release that reads
#               it; the oracle is pg_restore 15 itself, which refuses the archive
#   refused     a full run stops at the preflight: no restore phase, nothing written
#   drill       --drill (its pg_restore is 15's) says the same
#   converted   after `dumpconvert --pg-restore-version 15`, the drill passes with every row
#               verified (the source database's counts); a SKIP line, clearly marked, when
#               tools/dumpconvert (issue 12) is not built
# Needs root (chroot; the servers run as the postgres user) and the chroot (bench/pg17.sh
# setup, below BENCH_DIR); otherwise it skips, saying why.
# Environment: DUMPRESTORE, DUMPCONVERT (default DF_TOOLS_DIR or tools), PG_BINDIR, BENCH_DIR.

set -u
cd "$(dirname "$0")/../.." || exit 3
# shellcheck source=tests/live/lib.sh
. tests/live/lib.sh
# shellcheck source=tests/harness.sh
. tests/harness.sh

TOOLS=${DF_TOOLS_DIR:-tools}
DUMPRESTORE=${DUMPRESTORE:-$TOOLS/dumprestore}
DUMPCONVERT=${DUMPCONVERT:-$TOOLS/dumpconvert}
export BENCH_DIR=${BENCH_DIR:-bench/data}
export LC_ALL=C
DONE=0

skip() {
    echo "dumprestore_pg17: skipped ($1)"
    echo "0 passed, 0 failed"
    exit 0
}
live_on_exit() {
    if [ "$DONE" = 0 ]; then
        not_ok "run ended early"
        harness_finish
    fi
}

live_can_run || skip "needs root or the postgres user"
[ "$(id -u)" -eq 0 ] || skip "needs root for chroot"
bash bench/pg17.sh status 2>/dev/null | grep -q '^chroot: /' ||
    skip "no PostgreSQL 17 chroot below BENCH_DIR=$BENCH_DIR (bench/pg17.sh setup)"

live_install_traps
if ! live_start; then
    not_ok "cluster starts"
    DONE=1
    harness_finish
    exit 1
fi
W=$LIVE_TMP/work
mkdir -p "$W"
DR=("$DUMPRESTORE" --pg-bindir "$PG_BINDIR")

# findings OUT CODE: "object" of each finding with that code (text output).
findings() {
    sed -n "s/^  [a-z]* $2: \(.*\): [^:]*\$/\1/p" "$1" | sort
}

live_psql -q -c "CREATE DATABASE src" -c "CREATE DATABASE tgt"
live_psql -q -d src <<'SQL'
CREATE SCHEMA shop;
CREATE TABLE shop.orders (id serial PRIMARY KEY, placed timestamptz NOT NULL, note text);
INSERT INTO shop.orders (placed, note)
    SELECT '2024-01-01'::timestamptz + i * interval '1 minute', 'order ' || i
    FROM generate_series(1, 5000) i;
CREATE TABLE shop.items (order_id int REFERENCES shop.orders, sku text, qty int CHECK (qty > 0));
INSERT INTO shop.items SELECT i % 5000 + 1, 'sku-' || i % 97, i % 9 + 1 FROM generate_series(1, 12000) i;
CREATE INDEX items_sku_idx ON shop.items (sku);
CREATE VIEW shop.big_orders AS SELECT order_id, sum(qty) AS qty FROM shop.items GROUP BY 1;
SQL
rows=$(live_psql -At -d src -c "SELECT (SELECT count(*) FROM shop.orders) + (SELECT count(*) FROM shop.items)")

# pg_dump 17, in the chroot, over the cluster's socket (bench/pg17.sh mounts PGHOST and BENCH_DIR)
bash bench/pg17.sh run pg_dump -Fc -d src -f "$LIVE_TMP/pg17.dump" >"$W/pg_dump.log" 2>&1
rc=$?
ver=$(head -c 8 "$LIVE_TMP/pg17.dump" 2>/dev/null | od -An -tu1 | awk '{ print $6 "." $7 }')
check "pg_dump 17 dumps the PostgreSQL 15 database: archive 1.16" \
    "$([ $rc = 0 ] && [ "$ver" = 1.16 ]; echo $?)" "exit $rc, version $ver" "$(head -5 "$W/pg_dump.log")"
DUMP=$LIVE_TMP/pg17.dump

# the oracle: pg_restore 15 refuses it
"$PG_BINDIR/pg_restore" -l "$DUMP" >/dev/null 2>"$W/pg_restore.err"
rc=$?
check "oracle: pg_restore 15 cannot read it" \
    "$([ $rc != 0 ] && grep -q 'unsupported version (1.16)' "$W/pg_restore.err"; echo $?)" \
    "exit $rc" "$(head -3 "$W/pg_restore.err")"

# ---- preflight -----------------------------------------------------------------------------
"${DR[@]}" --preflight-only -d dbname=tgt "$DUMP" >"$W/pre" 2>&1
rc=$?
got=$(findings "$W/pre" archive-too-new | tr '\n' ,)
errors=$(grep -c '^  error ' "$W/pre")
check "preflight: the archive version named (archive 1.16), the only error, exit 2" \
    "$([ $rc = 2 ] && [ "$got" = 'archive 1.16,' ] && [ "$errors" = 1 ] &&
        grep -q '^  error archive-too-new: archive 1.16: pg_restore 15 cannot read archive version 1.16' "$W/pre"; echo $?)" \
    "exit $rc, got $got, $errors errors" "$(cat "$W/pre")"
check "preflight: the fix is dumpconvert --pg-restore-version 15, or pg_restore 17" \
    "$(grep -q '^    fix: rewrite it for this pg_restore: dumpconvert --pg-restore-version 15 DUMP -o NEW, then restore NEW; or run a pg_restore of release 17 or newer' "$W/pre"; echo $?)" \
    "$(grep 'fix:' "$W/pre")"

# ---- a full run is refused before anything is written ----------------------------------------
"${DR[@]}" -d dbname=tgt "$DUMP" >"$W/run" 2>&1
rc=$?
n=$(live_psql -At -d tgt -c "SELECT count(*) FROM pg_class WHERE relnamespace > 16383")
check "refused: exit 2 at the preflight, no restore phase, nothing written" \
    "$([ $rc = 2 ] && grep -q '^preflight: failed' "$W/run" && ! grep -q '^restore:' "$W/run" &&
        [ "$n" = 0 ]; echo $?)" "exit $rc, $n relations" "$(head -8 "$W/run")"

# ---- the drill says the same ----------------------------------------------------------------
mkdir -p "$W/tmp"
chmod 0755 "$W/tmp"
TMPDIR=$W/tmp "${DR[@]}" --drill "$DUMP" >"$W/drill" 2>&1
rc=$?
got=$(findings "$W/drill" archive-too-new | tr '\n' ,)
check "drill: the archive version named, exit 2, no cluster left" \
    "$([ $rc = 2 ] && [ "$got" = 'archive 1.16,' ] && [ -z "$(ls -A "$W/tmp")" ]; echo $?)" \
    "exit $rc, got $got" "$(head -8 "$W/drill")"

# ---- after dumpconvert --pg-restore-version 15 the drill passes ------------------------------
if [ -x "$DUMPCONVERT" ]; then
    "$DUMPCONVERT" --pg-restore-version 15 "$DUMP" -o "$W/pg15.dump" >"$W/convert.log" 2>&1
    rc=$?
    check "dumpconvert --pg-restore-version 15: pg_restore 15 reads the result" \
        "$([ $rc = 0 ] && "$PG_BINDIR/pg_restore" -l "$W/pg15.dump" >/dev/null 2>&1; echo $?)" \
        "exit $rc" "$(head -5 "$W/convert.log")"
    TMPDIR=$W/tmp "${DR[@]}" --drill --json "$W/pg15.dump" >"$W/drill2.json" 2>"$W/drill2.err"
    rc=$?
    got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(sum(p.get("rows", 0) for p in d["phases"] if p["name"] == "verify"), d["verdict"])' \
        "$W/drill2.json" 2>/dev/null)
    check "converted: the drill passes, $rows rows verified, no cluster left" \
        "$([ $rc = 0 ] && [ "$got" = "$rows OK" ] && [ -z "$(ls -A "$W/tmp")" ]; echo $?)" \
        "exit $rc, got $got" "$(head -c 800 "$W/drill2.json")" "$(head -3 "$W/drill2.err")"
else
    echo "# SKIP converted: $DUMPCONVERT is not built (dumpconvert, issue 12): the drill" \
        "after dumpconvert --pg-restore-version 15 is not tested"
fi

DONE=1
harness_finish
