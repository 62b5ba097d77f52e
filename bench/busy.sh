#!/usr/bin/env bash
# bench/busy.sh — dumpcheck -j 2 against -j 1 while another process keeps the second CPU busy
# (issue 10: the decoder/checker hand-off must degrade to -j 1 speed, not below it).
#
# A busy loop is pinned to CPU 1 for the whole run (`taskset -c 1`); dumpcheck runs
# unpinned, so the scheduler can put it anywhere, as on a machine where a backup job shares the
# host with a database.  Interleaved pairs (A B, B A, ...) of `dumpcheck -j 1` and
# `dumpcheck -j 2` on the gzip custom dump and, when bench/pg17.sh made them, the lz4 and zstd
# custom dumps.  With OLD_TOOLS_DIR, the -j 2 runs of that build are paired against -j 1 too,
# so the table shows before and after side by side.
#
# Usage: bench/busy.sh [OLD_TOOLS_DIR] [--pairs N]   (default 7 pairs per case)
# Environment: BENCH_DIR (bench/lib.sh).  Needs taskset (util-linux) and 2 CPUs or more.
# Output: markdown rows on stdout: median wall of -j 1 and -j 2, the median of the per-pair
# ratios (-j 2 / -j 1: above 1 means -j 2 is slower), median CPU time of each.
set -u
cd "$(dirname "$0")/.." || exit 3
# shellcheck source=bench/lib.sh
. bench/lib.sh

OLD=""
PAIRS=7
while [ $# -gt 0 ]; do
    case $1 in
    --pairs) PAIRS=${2:-}; shift 2 ;;
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) OLD=$1; shift ;;
    esac
done
command -v taskset >/dev/null || bench_die "taskset missing"
[ "$(nproc)" -ge 2 ] || bench_die "needs 2 CPUs"
[ -x tools/dumpcheck ] || bench_die "tools/dumpcheck missing (run make first)"
[ -z "$OLD" ] || [ -x "$OLD/dumpcheck" ] || bench_die "$OLD/dumpcheck missing"
[ -f "$(bench_stamp)" ] || bench_die "no benchmark data in $BENCH_DIR (run bench/gen.sh first)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dumpfmt-bench-busy.XXXXXX") || exit 3
BUSY=""
cleanup() {
    [ -n "$BUSY" ] && kill "$BUSY" 2>/dev/null && wait "$BUSY" 2>/dev/null
    rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$WORK/pairs.py" <<'PY'
import resource, statistics, subprocess, sys, time

def run(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime

label, n, a, b = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
run(a), run(b)
wa, wb, ca, cb, ratios = [], [], [], [], []
for k in range(n):
    first, second = (a, b) if k % 2 == 0 else (b, a)
    r1, r2 = run(first), run(second)
    (ra, rb) = (r1, r2) if k % 2 == 0 else (r2, r1)
    wa.append(ra[0]); wb.append(rb[0]); ca.append(ra[1]); cb.append(rb[1])
    ratios.append(rb[0] / ra[0])
m = statistics.median
print("| %s | %.2f s | %.2f s | %.2f | %.2f s | %.2f s | %d |" % (label, m(wa), m(wb), m(ratios),
      m(ca), m(cb), n))
PY

taskset -c 1 sh -c 'while :; do :; done' &
BUSY=$!

pair() {
    bench_log "$1"
    python3 "$WORK/pairs.py" "$@"
}

echo "| case (CPU 1 busy) | -j 1 | -j 2 | ratio -j 2 / -j 1 (median of pairs) | CPU -j 1 | CPU -j 2 | pairs |"
echo "|---|---|---|---|---|---|---|"
for d in "$BENCH_CUSTOM_GZIP" bench.custom.lz4.dump bench.custom.zstd.dump; do
    f=$BENCH_DIR/$d
    [ -f "$f" ] || continue
    for t in ${OLD:+"$OLD"} tools; do
        pair "\`$t/dumpcheck\` $d" "$PAIRS" \
            "$t/dumpcheck -j 1 --no-pg-restore-check $f" "$t/dumpcheck -j 2 --no-pg-restore-check $f"
    done
done
