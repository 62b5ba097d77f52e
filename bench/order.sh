#!/usr/bin/env bash
# bench/order.sh — real parallel restores with and without the list dumporder writes, against
# what `dumporder --explain` predicts (issue 6).
#
# On the gzip custom dump of the benchmark (bench/gen.sh; generated at BENCH_SCALE=0.1 when
# bench/data has no complete data set), in a throwaway PostgreSQL 15 cluster
# (tests/live/lib.sh) with bench/gen.sh's bulk-load settings, RUNS pairs of restores:
#   plain      pg_restore -v -j J -d FRESH_DB DUMP
#   dumporder  dumporder -j J DUMP > LIST; pg_restore -v -j J -L LIST -d FRESH_DB DUMP
# after one uncounted warm-up restore, in the order A B, B A, A B, ... so that a drift of the
# machine's speed lands on both sides.
# Wall time of pg_restore by /usr/bin/time (the list is written before the clock starts; the
# time dumporder takes is reported on its own).  Then `dumporder -j J --explain --json` gives
# the predicted makespans of both.
#
# Why it is measured this way: the target is "never worse" (ratio <= 1.00), and for
# pg_restore 12-18 the best list dumporder may write without corrupting pg_restore's size
# estimates runs the same schedule as no list at all, so the two restores differ by noise
# only.  To keep that noise small the cluster lives on tmpfs (/dev/shm; --disk keeps it on
# disk): the restore is then bound by CPU, not by the writeback of a shared virtual disk.  The
# verdict uses the pairs: each pair's ratio dumporder / plain, their median, and a bootstrap
# 95% confidence interval of that median.  PASS when the median is <= 1.00; also PASS
# ("equal within measurement error") when the interval contains 1.00 and pg_restore -v shows
# both restores launching their entries in the same order; FAIL when the whole interval lies
# above 1.00 (measurably worse).  The prediction error of --explain is against the median
# wall time of each kind (target within 25%).  Every database is dropped after its run.
# Before each restore the script waits (up to QUIET_WAIT seconds, default 300) until the
# machine is idle (less than QUIET_BUSY %, default 10, of CPU time busy over 3 s), and a run
# during which the hypervisor stole more than STEAL_MAX % (default 5) of the CPU time is
# repeated, up to STEAL_TRIES (default 4) tries in all, the last one counting; the busy share
# before each counted run, the share stolen during it and the tries are reported.
#
# Usage: bench/order.sh [--write] [--runs N] [--jobs J] [--format custom|directory] [--disk]
#                       [--pg17]
#        bench/order.sh --calibrate
#        bench/order.sh --fk-heavy [--fk-scale S] [--calibrate]
#   --write     also replace the dumporder block of bench/RESULTS.md (between its markers)
#   --calibrate instead of the benchmark, restore once with `pg_restore -v -j 1` and once with
#               `-j 2`, time every entry, and print what the cost model of dumporder(1) is
#               calibrated from: seconds per row and per byte of the big tables' data and
#               primary keys, the mean of the small entries, and how much the two workers of
#               the parallel restore slowed each other down
#   --fk-heavy  instead of the benchmark dump, an index- and foreign-key-heavy database
#               (bench/fkgen.sql at --fk-scale S, default 0.3: 33 indexes and 18 foreign keys on
#               10 tables), made in the throwaway cluster and dumped with pg_dump -Fc; with
#               --calibrate also the CPU time of each restore (server and pg_restore), which a
#               busy machine does not inflate as it does wall time
#   --runs N    pairs of restores (default 9)
#   --disk      run the cluster on disk (next to bench/data) instead of tmpfs
#   --pg17      restore with PostgreSQL 17's pg_restore (run through bench/pg17.sh's chroot:
#               sudo bench/pg17.sh setup first), whose ready set is a binary heap (spec §12.2),
#               and plan dumporder's list for release 17; --write then fills the
#               bench:order17 block of bench/RESULTS.md.  The server stays PostgreSQL 15, on
#               disk (implies --disk).
#   --jobs J    pg_restore -j (default 2)
#   --format    which benchmark dump (default custom: bench.custom.gzip.dump)
# Environment: BENCH_DIR, BENCH_SCALE, PG_BINDIR (bench/lib.sh), DUMPORDER (default
#              tools/dumporder), QUIET_BUSY, QUIET_WAIT, STEAL_MAX, STEAL_TRIES.  Needs root (the server runs as the
#              postgres user).
# Output: progress on stderr, a markdown report on stdout.  Exit status 0 when both targets
# hold, 1 when one does not, 3 when the benchmark could not run.
set -u
cd "$(dirname "$0")/.." || exit 3
# shellcheck source=bench/lib.sh
. bench/lib.sh
# shellcheck source=tests/live/lib.sh
. tests/live/lib.sh

DUMPORDER=${DUMPORDER:-tools/dumporder}
PG_RESTORE=$PG_BINDIR/pg_restore
RUNS=9
DISK=0
PG17=0
JOBS=2
FORMAT=custom
WRITE=0
CALIBRATE=0
FK_HEAVY=0
FK_SCALE=0.3
RESULTS=bench/RESULTS.md
MARK_BEGIN='<!-- bench:order:begin -->'
MARK_END='<!-- bench:order:end -->'
RATIO_LIMIT=1.00
ERROR_LIMIT=25
QUIET_BUSY=${QUIET_BUSY:-10}
QUIET_WAIT=${QUIET_WAIT:-300}
STEAL_MAX=${STEAL_MAX:-5}
STEAL_TRIES=${STEAL_TRIES:-4}

while [ $# -gt 0 ]; do
    bench_common_option "$@"
    if [ "$BENCH_SHIFT" = 0 ]; then
        BENCH_SHIFT=1
        case $1 in
        --calibrate) CALIBRATE=1 ;;
        --fk-heavy) FK_HEAVY=1 ;;
        --fk-scale) FK_SCALE=${2:-}; BENCH_SHIFT=2 ;;
        --fk-scale=*) FK_SCALE=${1#--fk-scale=} ;;
        --disk) DISK=1 ;;
        --pg17) PG17=1 ;;
        --jobs) JOBS=${2:-}; BENCH_SHIFT=2 ;;
        --jobs=*) JOBS=${1#--jobs=} ;;
        --format) FORMAT=${2:-}; BENCH_SHIFT=2 ;;
        --format=*) FORMAT=${1#--format=} ;;
        *) bench_die "unknown option \"$1\" (try --help)" ;;
        esac
    fi
    shift "$BENCH_SHIFT"
done
bench_check_runs
case $JOBS in '' | *[!0-9]* | 0) bench_die "--jobs needs a positive number" ;; esac
case $FORMAT in
custom) DUMP_NAME=$BENCH_CUSTOM_GZIP ;;
directory) DUMP_NAME=$BENCH_DIR_GZIP ;;
*) bench_die "--format is custom or directory" ;;
esac

[ -x "$DUMPORDER" ] || bench_die "$DUMPORDER missing (run make first)"
[ -x "$PG_RESTORE" ] || bench_die "no pg_restore in $PG_BINDIR"
# The pg_restore under test, and the release dumporder plans for.
PG_RESTORE_CMD=("$PG_RESTORE")
PGRV=$("$PG_RESTORE" --version | sed -n 's/^pg_restore (PostgreSQL) \([0-9]*\).*/\1/p')
if [ "$PG17" = 1 ]; then
    # shellcheck source=bench/pg17.sh
    . bench/pg17.sh
    pg17_ready || bench_die "no PostgreSQL 17 chroot: run (as root) bench/pg17.sh setup"
    PG_RESTORE_CMD=(bash bench/pg17.sh run pg_restore)
    PGRV=17
    DISK=1 # the chroot has a /dev of its own: the socket directory must live elsewhere
    MARK_BEGIN='<!-- bench:order17:begin -->'
    MARK_END='<!-- bench:order17:end -->'
fi
[ -x /usr/bin/time ] || bench_die "/usr/bin/time missing (apt-get install time)"
command -v python3 >/dev/null || bench_die "python3 missing"
live_can_run || bench_die "needs root (to run PostgreSQL as the postgres user) or user postgres"

GENERATED_NOTE=""
if [ "$FK_HEAVY" = 1 ]; then
    DUMP_NAME=fk.custom.gzip.dump
    GENERATED_NOTE="bench/fkgen.sql at scale $FK_SCALE, generated by this run"
elif [ ! -f "$(bench_stamp)" ]; then
    export BENCH_SCALE=${BENCH_SCALE_FALLBACK:-0.1}
    bench_log "no complete data set in $BENCH_DIR: generating one at BENCH_SCALE=$BENCH_SCALE"
    bash bench/gen.sh >&2 || bench_die "bench/gen.sh failed"
    GENERATED_NOTE="generated by this run at BENCH_SCALE=$BENCH_SCALE"
fi
DUMP=$BENCH_DIR/$DUMP_NAME
if [ "$FK_HEAVY" = 0 ]; then
    [ -e "$DUMP" ] || bench_die "$DUMP missing"
    DUMP=$(cd "$(dirname "$DUMP")" && pwd)/$(basename "$DUMP")
fi

# The same server settings as bench/gen.sh: bulk loads skip WAL (pg_restore -j truncates each
# table in the transaction that loads it).  The cluster goes to tmpfs unless --disk is given
# or /dev/shm has less than 3 times the archive's size plus 2 GiB free.
if [ "$FK_HEAVY" = 1 ]; then
    SHM_NEED=$((4 * 1024 * 1024)) # KiB: the generated database, its dump and a restore
else
    SHM_NEED=$(($(bench_size "$DUMP") / 1024 * 3 + 2 * 1024 * 1024)) # KiB
fi
SHM_FREE=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')
STORAGE="disk"
if [ "$DISK" = 0 ] && [ -n "$SHM_FREE" ] && [ "$SHM_FREE" -ge "$SHM_NEED" ]; then
    export LIVE_PARENT=${LIVE_PARENT:-/dev/shm}
    STORAGE="tmpfs"
fi
bench_cluster_settings
[ "$DISK" = 0 ] && [ "$STORAGE" = disk ] && bench_log "too little room in /dev/shm: the cluster runs on disk"

live_install_traps
live_start || bench_die "could not start a PostgreSQL 15 cluster"
WORK=$LIVE_TMP/order
mkdir -p "$WORK"
LIST=$WORK/dumporder.list
PATH=$PG_BINDIR:$PATH # dumporder plans for the pg_restore on PATH: this one

# --fk-heavy: the database made here, its dump the archive of every restore below
if [ "$FK_HEAVY" = 1 ]; then
    "$PG_BINDIR/createdb" -T template0 -E UTF8 --locale=C bench_fk || bench_die "createdb failed"
    live_psql -v scale="$FK_SCALE" -d bench_fk -f bench/fkgen.sql >&2 ||
        bench_die "bench/fkgen.sql failed"
    DUMP=$WORK/$DUMP_NAME
    "$PG_BINDIR/pg_dump" -Fc -f "$DUMP" bench_fk || bench_die "pg_dump failed"
    "$PG_BINDIR/dropdb" bench_fk || bench_die "dropdb failed"
fi

# Percent of CPU time busy over 3 seconds (all CPUs), from /proc/stat.
cpu_busy() {
    local a b
    a=$(awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
    sleep 3
    b=$(awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
        t = y[1] - x[1]; i = y[2] - x[2]; printf "%.0f", (t > 0 ? (t - i) * 100 / t : 0) }'
}

# Wait until the machine is idle (or QUIET_WAIT has passed); prints the last busy share.
wait_quiet() {
    local waited=0 busy
    while :; do
        busy=$(cpu_busy)
        [ "$busy" -lt "$QUIET_BUSY" ] && break
        if [ "$waited" -ge "$QUIET_WAIT" ]; then
            bench_log "CPU still ${busy}% busy after ${waited}s of waiting; running anyway"
            break
        fi
        waited=$((waited + 3))
    done
    echo "$busy"
}

# --calibrate: per-entry times of a serial and a parallel restore
timestamped() {
    python3 -u -c 'import sys, time
t0 = time.time()
for line in sys.stdin:
    sys.stdout.write("%.3f %s" % (time.time() - t0, line))'
}

# CPU ticks of the server: the postmaster's own and those of its reaped children (backends).
cluster_cpu() {
    awk '{ print $14 + $15 + $16 + $17 }' "/proc/$(head -n 1 "$LIVE_DATA/postmaster.pid")/stat"
}

calibrate() {
    local j db cpu_before
    "$DUMPLS" --long --json "$DUMP" >"$WORK/sizes.json" || bench_die "dumpls --long failed"
    for j in 1 2; do
        db=bench_calibrate_$j
        "$PG_BINDIR/createdb" -T template0 -E UTF8 --locale=C "$db" || bench_die "createdb failed"
        bench_log "pg_restore -v -j $j (CPU $(wait_quiet)% busy before)"
        cpu_before=$(cluster_cpu)
        /usr/bin/time -f "%U %S" -o "$WORK/calibrate.$j.cpu" \
            "$PG_RESTORE" -v -j "$j" -d "$db" "$DUMP" 2>&1 | timestamped >"$WORK/calibrate.$j.log"
        sleep 0.5 # the last backend is reaped by the postmaster
        bench_log "pg_restore -j $j: $(awk -v a="$cpu_before" -v b="$(cluster_cpu)" \
            -v t="$(getconf CLK_TCK)" '{ printf "%.2f", (b - a) / t + $1 + $2 }' \
            "$WORK/calibrate.$j.cpu") s of CPU (server and pg_restore); predicted:" \
            "$("$DUMPORDER" -j "$j" --explain "$DUMP" | grep "^  dumporder's list")"
        "$PG_BINDIR/dropdb" "$db" || bench_die "dropdb failed"
    done
    python3 - "$WORK/sizes.json" "$WORK/calibrate.1.log" "$WORK/calibrate.2.log" <<'PY'
import json, re, sys
sizes = {}
for e in json.load(open(sys.argv[1]))["entries"]:
    if e["desc"] == "TABLE DATA" and e.get("rows") is not None:
        sizes[e["tag"]] = (e["rows"], e["bytes"])
# serial: an entry runs from its "creating"/"processing data" line to the next one
items, last = [], 0.0
for line in open(sys.argv[2]):
    t, _, msg = line.partition(" ")
    last = float(t)
    m = re.match(r'pg_restore: (?:creating (\S+(?: \S+)*?) "([^"]*)"|processing data for table "([^"]*)")', msg)
    if m:
        kind = "TABLE DATA" if m.group(3) else m.group(1)
        items.append([kind, m.group(3) or m.group(2), float(t), None])
for a, b in zip(items, items[1:]):
    a[3] = b[2] - a[2]
if items:
    items[-1][3] = last - items[-1][2]
print("serial restore (pg_restore -j 1): %.2f s" % last)
print("%-12s %-40s %9s %12s %12s %10s %10s" % ("kind", "entry", "seconds", "rows", "bytes", "us/row", "ns/byte"))
for kind, name, t, d in sorted(items, key=lambda x: -x[3])[:6]:
    table = name.split(".", 1)[-1].split(" ")[0]
    rows, nbytes = sizes.get(table, (0, 0))
    print("%-12s %-40s %9.3f %12d %12d %10.3f %10.2f" % (kind, name[:40], d, rows, nbytes,
          d / rows * 1e6 if rows else 0, d / nbytes * 1e9 if nbytes else 0))
for kind in ("TABLE", "TABLE DATA", "CONSTRAINT"):
    small = [d for k, _, _, d in items if k == kind and d < 0.1]
    if small:
        print("%-12s %d small entries, mean %.2f ms" % (kind, len(small), sum(small) / len(small) * 1000))
serial = {(k, n.split(".", 1)[-1]): d for k, n, _, d in items}
# parallel: "launching item" to "finished item", against the same entry's serial time
start, par, end = {}, [], 0.0
for line in open(sys.argv[3]):
    t, _, msg = line.partition(" ")
    end = float(t)
    m = re.match(r"pg_restore: (launching|finished) item (\d+) (TABLE DATA|CONSTRAINT|INDEX) (.*)", msg)
    if m and m.group(1) == "launching":
        start[m.group(2)] = (float(t), m.group(3), m.group(4).strip())
    elif m and m.group(2) in start:
        t0, kind, name = start.pop(m.group(2))
        par.append((float(t) - t0, kind, name))
print("parallel restore (pg_restore -j 2): %.2f s" % end)
for d, kind, name in sorted(par, reverse=True)[:4]:
    s = serial.get((kind, name if kind == "TABLE DATA" else name.split(" ", 1)[0] + " " + name.split(" ", 1)[-1]))
    print("%-12s %-40s %9.3f s, serially %s" % (kind, name[:40], d, "%.3f s" % s if s else "?"))
PY
}

if [ "$CALIBRATE" = 1 ]; then
    DUMPLS=${DUMPLS:-tools/dumpls}
    calibrate
    exit 0
fi

# dumporder's list (timed on its own)
start=$(date +%s.%N)
"$DUMPORDER" --pg-restore-version "$PGRV" -j "$JOBS" "$DUMP" >"$LIST" ||
    bench_die "dumporder -j $JOBS failed"
end=$(date +%s.%N)
LIST_SECONDS=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
bench_log "dumporder -j $JOBS wrote its list in ${LIST_SECONDS}s"
"$DUMPORDER" --pg-restore-version "$PGRV" -j "$JOBS" --explain --json "$DUMP" >"$WORK/explain.json" ||
    bench_die "dumporder --explain failed"
"$DUMPORDER" --pg-restore-version "$PGRV" -j "$JOBS" --explain "$DUMP" >"$WORK/explain.txt" ||
    bench_die "dumporder --explain failed"

# "total steal" CPU ticks so far (/proc/stat): the share the hypervisor took from this VM.
cpu_ticks() {
    awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $9 }' /proc/stat
}

# restore_once KIND RUN: one timed pg_restore -v into a fresh database, which is dropped
# afterwards; sets STEAL (percent of CPU time the hypervisor took during the run).
# -v (on both sides) lets the report compare the order in which the entries were launched;
# any line of pg_restore that is not one of its progress messages counts as an error.
restore_once() {
    local kind=$1 run=$2 db="bench_$1_$2" err=$WORK/$1.$2.err t0 t1 rc
    local -a list=()
    [ "$kind" = dumporder ] && list=(-L "$LIST")
    "$PG_BINDIR/createdb" -T template0 -E UTF8 --locale=C "$db" || bench_die "createdb failed"
    BUSY=$(wait_quiet)
    t0=$(cpu_ticks)
    /usr/bin/time -f %e -o "$WORK/$kind.$run.time" \
        "${PG_RESTORE_CMD[@]}" -v -j "$JOBS" "${list[@]}" -d "$db" "$DUMP" 2>"$err"
    rc=$?
    t1=$(cpu_ticks)
    # pg_restore 17 sets transaction_timeout (new in 17) on every connection, which a
    # PostgreSQL 15 server rejects; the restore itself is unaffected.  Nothing else may fail.
    grep -v -e 'transaction_timeout' -e 'errors ignored on restore' "$err" >"$err.other"
    if [ "$PG17" = 1 ] && [ "$rc" = 1 ] && ! grep -Eiq '(error|warning|fatal)' "$err.other"; then
        rc=0
    fi
    if [ "$rc" != 0 ] || grep -Eiq '(error|warning|fatal)' "$err.other"; then
        grep -Ei '(error|warning|fatal)' "$err" | head -n 20 >&2
        bench_die "pg_restore ($kind, run $run) failed or printed errors (exit $rc)"
    fi
    sed -n 's/^pg_restore: launching item \([0-9]*\) .*/\1/p' "$err" >"$WORK/$kind.$run.launch"
    STEAL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { split(a, x, " "); split(b, y, " ");
        t = y[1] - x[1]; printf "%.0f", (t > 0 ? (y[2] - x[2]) * 100 / t : 0) }')
    "$PG_BINDIR/dropdb" "$db" || bench_die "dropdb failed"
}

# restore KIND RUN: restore_once, repeated (up to STEAL_TRIES times in all) while the
# hypervisor took more than STEAL_MAX % of the CPU during the run: such a run measures the
# neighbours on the host, not pg_restore (seen: 28 s with 32 % stolen against 13-17 s).
restore() {
    local kind=$1 run=$2 try=1
    while :; do
        restore_once "$kind" "$run"
        bench_log "$(printf 'pair %d %-9s %6.2fs  (CPU %s%% busy before, %s%% stolen during)' \
            "$run" "$kind" "$(tail -n 1 "$WORK/$kind.$run.time")" "$BUSY" "$STEAL")"
        [ "$STEAL" -le "$STEAL_MAX" ] || [ "$try" -ge "$STEAL_TRIES" ] && break
        try=$((try + 1))
        bench_log "more than $STEAL_MAX% stolen: run repeated ($try of $STEAL_TRIES)"
    done
    echo "$BUSY" >>"$WORK/$kind.busy"
    echo "$STEAL" >>"$WORK/$kind.steal"
    echo "$try" >>"$WORK/$kind.tries"
    tail -n 1 "$WORK/$kind.$run.time" >>"$WORK/$kind.times"
}

# One restore first that is not counted: the first restore into a new cluster is slower (seen:
# 21.7 s against 12-17 s after it) while the server's caches and tmpfs pages fill.
restore warmup 0
rm -f "$WORK"/warmup.*
for run in $(seq 1 "$RUNS"); do
    if [ $((run % 2)) = 1 ]; then
        restore plain "$run"
        restore dumporder "$run"
    else
        restore dumporder "$run"
        restore plain "$run"
    fi
done

median() {
    sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
                                          else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
T_PLAIN=$(median "$WORK/plain.times")
T_LIST=$(median "$WORK/dumporder.times")
read -r P_PLAIN P_LIST USEFUL < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("%.2f %.2f %d" % (d["own_order_ms"] / 1000, d["dumporder_ms"] / 1000, d["useful_jobs"]))
' "$WORK/explain.json")
ERR_PLAIN=$(awk -v p="$P_PLAIN" -v m="$T_PLAIN" 'BEGIN { printf "%+.1f", (p - m) / m * 100 }')
ERR_LIST=$(awk -v p="$P_LIST" -v m="$T_LIST" 'BEGIN { printf "%+.1f", (p - m) / m * 100 }')
SAME=no
"$DUMPORDER" --pg-restore-version "$PGRV" -j "$JOBS" --no-excluded "$DUMP" | grep -v '^;' >"$WORK/a.ids"
"${PG_RESTORE_CMD[@]}" -l "$DUMP" | grep -v '^;' >"$WORK/b.ids"
cmp -s "$WORK/a.ids" "$WORK/b.ids" && SAME=yes
# Pair statistics: median ratio, its bootstrap 95% interval (fixed seed: the same times give
# the same report), pairs won, pairs whose two restores launched their entries in the same order.
read -r RATIO CI_LO CI_HI WINS SAME_LAUNCH NOISE < <(python3 - "$WORK" "$RUNS" <<'PY'
import random, statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])
plain = [float(x) for x in open(work + "/plain.times")]
mine = [float(x) for x in open(work + "/dumporder.times")]
ratios = [m / p for m, p in zip(mine, plain)]
rng = random.Random(20261124)
boot = sorted(statistics.median(rng.choices(ratios, k=len(ratios))) for _ in range(10000))
same = sum(open("%s/plain.%d.launch" % (work, k)).read() == open("%s/dumporder.%d.launch" % (work, k)).read()
           for k in range(1, runs + 1))
med = statistics.median(plain)
noise = (max(plain) - min(plain)) / 2 / med * 100
print("%.3f %.3f %.3f %d %d %.1f" % (statistics.median(ratios), boot[249], boot[9749],
      sum(r < 1 for r in ratios), same, noise))
PY
)
ok_ratio=$(awk -v r="$RATIO" -v lo="$CI_LO" -v hi="$CI_HI" -v l="$RATIO_LIMIT" \
    -v same="$SAME_LAUNCH" -v n="$RUNS" 'BEGIN {
    if (r <= l) print "PASS"
    else if (lo <= l && same * 2 > n) print "PASS (equal within measurement error)"
    else if (lo > l) print "FAIL (measurably slower)"
    else print "FAIL" }')
ok_pred=$(awk -v a="$ERR_PLAIN" -v b="$ERR_LIST" -v l="$ERROR_LIMIT" \
    'BEGIN { if (a < 0) a = -a; if (b < 0) b = -b; print ((a <= l && b <= l) ? "PASS" : "FAIL") }')

report() {
    local cpus mem
    cpus=$(nproc 2>/dev/null || echo "?")
    mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
    echo "$MARK_BEGIN"
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/order.sh --runs $RUNS --jobs $JOBS --format $FORMAT$([ "$DISK" = 1 ] && echo ' --disk')$([ "$PG17" = 1 ] && echo ' --pg17')\`"
    echo "with $("${PG_RESTORE_CMD[@]}" --version)$([ "$PG17" = 1 ] && echo ' (through the chroot of bench/pg17.sh)'),"
    echo "on $cpus CPUs, $mem RAM, PostgreSQL $("$PG_BINDIR/postgres" -V | awk '{print $3}')"\
         "(cluster on $STORAGE; wal_level=minimal, fsync=off, shared_buffers=256MB, maintenance_work_mem=256MB)."
    echo "Archive: \`$DUMP_NAME\` ($(bench_human "$(bench_size "$DUMP")")${GENERATED_NOTE:+, $GENERATED_NOTE})."
    echo
    echo "| restore | measured (median of $RUNS) | predicted by \`--explain\` | prediction error | runs (s) | CPU busy before each run (%) | CPU stolen by the hypervisor (%) | tries |"
    echo "|---|---|---|---|---|---|---|---|"
    echo "| \`pg_restore -j $JOBS\` | ${T_PLAIN} s | ${P_PLAIN} s | ${ERR_PLAIN} % | $(paste -sd' ' "$WORK/plain.times") | $(paste -sd' ' "$WORK/plain.busy") | $(paste -sd' ' "$WORK/plain.steal") | $(paste -sd' ' "$WORK/plain.tries") |"
    echo "| \`pg_restore -j $JOBS -L\` (dumporder -j $JOBS) | ${T_LIST} s | ${P_LIST} s | ${ERR_LIST} % | $(paste -sd' ' "$WORK/dumporder.times") | $(paste -sd' ' "$WORK/dumporder.busy") | $(paste -sd' ' "$WORK/dumporder.steal") | $(paste -sd' ' "$WORK/dumporder.tries") |"
    echo
    echo "- dumporder / plain, median of the $RUNS pairs' ratios: **${RATIO}×**, bootstrap 95 %"\
         "interval ${CI_LO}–${CI_HI}; dumporder's restore was the faster one in $WINS of $RUNS pairs;"\
         "the plain restores alone spread ±${NOISE} % around their median"
    echo "- target ≤ ${RATIO_LIMIT} (never worse): **$ok_ratio**"
    echo "- both restores launched their entries in the same order (pg_restore -v) in $SAME_LAUNCH of $RUNS pairs"
    echo "- predictions within ±${ERROR_LIMIT} %: $ok_pred"
    echo "- dumporder's list is pg_restore's own order: $SAME (for pg_restore $PGRV and a custom"\
         "archive the list order cannot change the priority of entries without changing their"\
         "size estimates, and data entries must keep their file order for those to stay right)"
    echo "- useful -j predicted: $USEFUL; writing the list took ${LIST_SECONDS} s (reading all data to measure it)"
    echo
    echo '```'
    sed -n '1,/^timeline/p' "$WORK/explain.txt" | sed '$d'
    echo '```'
    echo "$MARK_END"
}

report | tee "$WORK/report.md"
STATUS=0
[ "$ok_ratio" != FAIL ] && [ "$ok_pred" = PASS ] || STATUS=1
if [ "$WRITE" = 1 ]; then
    bench_write_results "$WORK/report.md" || STATUS=3
fi
exit "$STATUS"
