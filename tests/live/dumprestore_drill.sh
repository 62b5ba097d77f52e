#!/usr/bin/env bash
# tests/live/dumprestore_drill.sh — dumprestore --drill (issue 15): every PostgreSQL 15 corpus
# dump (custom, directory, tar, plain; compressed or not) restored into a throwaway cluster
# with the roles of corpus/pg15/globals.sql: verdict OK (or the one known warning: the corpus
# dumps set a sequence behind its column), every table's rows compared, and
# afterwards no process, socket or directory of the drill left; the same when the drill is
# killed with SIGTERM during the restore (a plain script that sleeps in its middle).
# The oracle for the rows is corpus/rowcounts.tsv (the corpus manifest): the drill must have
# compared as many rows as it lists for the dump.  With -j 2, the custom archive is restored
# with dumporder's list and the tar archive by one job (pg_restore cannot restore tar in
# parallel).
# Needs root (to become the postgres OS user) or to be run as postgres; otherwise it skips.
# Environment: DUMPRESTORE (default tools/dumprestore), PG_BINDIR.

set -u
cd "$(dirname "$0")/../.." || exit 3
# shellcheck source=tests/harness.sh
. tests/harness.sh

DUMPRESTORE=${DUMPRESTORE:-${DF_TOOLS_DIR:-tools}/dumprestore}
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
GLOBALS=corpus/pg15/globals.sql
export LC_ALL=C

if ! { [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; } && [ "$(id -un)" != postgres ]; then
    echo "dumprestore_drill: skipped (needs root or the postgres user)"
    echo "0 passed, 0 failed"
    exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/dumpfmt-drill-test.XXXXXX") || exit 3
chmod 0755 "$T"
trap 'rm -rf -- "$T"' EXIT
mkdir -p "$T/tmp"
chmod 0755 "$T/tmp"
DR=("$DUMPRESTORE" --pg-bindir "$PG_BINDIR" --drill --globals "$GLOBALS")

# pgrep (procps) finds the drill's processes; without it "nothing left" would pass unchecked.
command -v pgrep >/dev/null || { echo "dumprestore_drill.sh: pgrep missing (apt-get install procps)" >&2; exit 3; }

# leftovers: what of the drills is still there (directories, processes naming them).
leftovers() {
    ls -A "$T/tmp"
    pgrep -a -f -- "$T/tmp" || true
}

for dump in corpus/pg15/sample.*; do
    case $dump in *.list | *.restore.sql) continue ;; esac
    name=${dump#corpus/}
    want=$(awk -F'\t' -v f="$name" '$1 == f && $2 != "<large objects>" { s += $3 } END { print s + 0 }' \
        corpus/rowcounts.tsv)
    wantlo=$(awk -F'\t' -v f="$name" '$1 == f && $2 == "<large objects>" { s += $3 } END { print s + 0 }' \
        corpus/rowcounts.tsv)
    rm -f "$T/m.prom"
    TMPDIR=$T/tmp "${DR[@]}" --json --prometheus "$T/m.prom" "$dump" >"$T/out.json" 2>"$T/err"
    rc=$?
    check "drill $name: --prometheus verdict and the restore's seconds" \
        "$(grep -qx "dumprestore_verdict $rc" "$T/m.prom" &&
            grep -q '^dumprestore_phase_seconds{phase="restore"} [0-9.]*$' "$T/m.prom"; echo $?)" \
        "$(head -5 "$T/m.prom" 2>&1)"
    # rows compared, and the phases that are not OK: the known warning is the sequence the
    # corpus dumps set behind its column (dumpcheck: sequence-behind-data)
    read -r rows los others < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
rows = sum(p.get("rows", 0) for p in d["phases"] if p["name"] == "verify")
los = sum(p.get("large_objects", 0) for p in d["phases"] if p["name"] == "verify")
bad = [p["name"] for p in d["phases"] if p["result"] != "ok" and not (
    p["name"] == "sequences" and all(f["code"] == "sequence-behind" for f in p["findings"]))]
print(rows, los, ",".join(bad) or "-")' "$T/out.json" 2>/dev/null)
    check "drill $name: verdict OK or the known warning, $want rows, $wantlo LOs verified" \
        "$([ $rc -le 1 ] && [ "$rows" = "$want" ] && [ "$los" = "$wantlo" ] && [ "$others" = - ]; echo $?)" \
        "exit $rc, rows $rows, LOs $los, phases not OK: $others" \
        "$(grep -e '"note"' -e '"code"' "$T/out.json" | head -12)" "$(head -3 "$T/err")"
    left=$(leftovers)
    check "drill $name: nothing left" "$([ -z "$left" ]; echo $?)" "$left"
done

# -j 2: dumporder's list for the custom archive; the tar archive restored by one job (pg_restore
# refuses -j for tar: "parallel restore is not supported with this archive file format")
for dump in corpus/pg15/sample.custom.gzip.dump corpus/pg15/sample.tar; do
    TMPDIR=$T/tmp "${DR[@]}" -j 2 "$dump" >"$T/out" 2>&1
    rc=$?
    case $dump in
    *.tar) how='pg_restore (tar: one job, pg_restore restores it serially) finished' ;;
    *) how="pg_restore -j 2 -L <dumporder's list for 2 workers, simulated [0-9]* s> finished" ;;
    esac
    check "drill -j 2 ${dump#corpus/}: restored ($how), verified" \
        "$([ $rc -le 1 ] && grep -q "^restore: ok .*$how" "$T/out" && grep -q '^verify: ok' "$T/out"; echo $?)" \
        "exit $rc" "$(head -c 800 "$T/out")"
done
left=$(leftovers)
check "drills -j 2: nothing left" "$([ -z "$left" ]; echo $?)" "$left"

# SIGTERM during the restore: psql sleeps in the middle of a plain script.
awk '{ print } /^-- Data for Name: readings/ { print "SELECT pg_sleep(60);" }' \
    corpus/pg15/sample.plain.sql >"$T/slow.sql"
TMPDIR=$T/tmp "${DR[@]}" "$T/slow.sql" >"$T/out" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
    pgrep -P "$pid" -x psql >/dev/null && break
    sleep 0.1
done
running=$(pgrep -P "$pid" -x psql)
kill -TERM "$pid"
wait "$pid"
rc=$?
check "drill killed with SIGTERM during the restore: exit 143" \
    "$([ -n "$running" ] && [ $rc = 143 ]; echo $?)" "psql ${running:-never ran}, exit $rc" \
    "$(head -5 "$T/out")"
left=$(leftovers)
check "drill killed with SIGTERM: nothing left" "$([ -z "$left" ]; echo $?)" "$left"

harness_finish
