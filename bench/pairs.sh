#!/usr/bin/env bash
# bench/pairs.sh — before/after ratios of two dumpfmt builds on the benchmark dumps, as
# interleaved pairs (A B, B A, ...: a drift of a shared machine's speed cannot favour one side).
#
# The cases of issue 10 (speed):
#   --quick of the gzip custom dump, pg_restore on PATH (Debian: the Perl wrapper) and without
#   --quick of the tar dump (archive 1.14: no pg_restore version needed)
#   --quick of a custom archive of 64 KiB chunks (lz4/zstd framing; made here from the corpus,
#     ~170 MiB in WORK; pg_dump 15 cannot write lz4 or zstd)
#   a full check under `taskset -c 0` with the default -j
#   dumpls --long of the tar dump (COPY row counting), and the new build against
#     pg_restore -f /dev/null
#
# Usage: bench/pairs.sh OLD_TOOLS_DIR [NEW_TOOLS_DIR] [--pairs N]
#   OLD_TOOLS_DIR  tools/ of the "before" build (e.g. `git archive main | tar -x -C /tmp/old;
#                  make -C /tmp/old all` -> /tmp/old/tools); NEW_TOOLS_DIR defaults to tools
#   --pairs N      pairs per case (default 11; the slow cases use N/3, at least 3)
# Environment: BENCH_DIR, PG_BINDIR (bench/lib.sh).
# Output: progress on stderr, markdown rows on stdout: median wall times, the median of the
# per-pair ratios new/old, and the median CPU time (user+sys) of each side.
set -u
cd "$(dirname "$0")/.." || exit 3
# shellcheck source=bench/lib.sh
. bench/lib.sh

OLD=""
NEW=tools
PAIRS=11
while [ $# -gt 0 ]; do
    case $1 in
    --pairs) PAIRS=${2:-}; shift 2 ;;
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) if [ -z "$OLD" ]; then OLD=$1; else NEW=$1; fi; shift ;;
    esac
done
[ -n "$OLD" ] && [ -x "$OLD/dumpcheck" ] || bench_die "OLD_TOOLS_DIR with a built dumpcheck needed"
[ -x "$NEW/dumpcheck" ] || bench_die "$NEW/dumpcheck missing (run make first)"
[ -f "$(bench_stamp)" ] || bench_die "no benchmark data in $BENCH_DIR (run bench/gen.sh first)"
case $PAIRS in '' | *[!0-9]*) bench_die "--pairs needs a number" ;; esac
SLOW=$((PAIRS / 3 < 3 ? 3 : PAIRS / 3))

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dumpfmt-bench-pairs.XXXXXX") || exit 3
trap 'rm -rf -- "$WORK"' EXIT

cat >"$WORK/pairs.py" <<'EOF'
import resource, statistics, subprocess, sys, time

def run(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime

def fmt(s):
    return "%.1f ms" % (s * 1e3) if s < 1 else "%.2f s" % s

label, n, a, b = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
run(a), run(b)  # warm-up
wa, wb, ca, cb, ratios = [], [], [], [], []
for k in range(n):
    first, second = (a, b) if k % 2 == 0 else (b, a)
    r1, r2 = run(first), run(second)
    (ra, rb) = (r1, r2) if k % 2 == 0 else (r2, r1)
    wa.append(ra[0]), wb.append(rb[0]), ca.append(ra[1]), cb.append(rb[1])
    ratios.append(rb[0] / ra[0])
m = statistics.median
print("| %s | %s | %s | %.2f | %s | %s | %d |" % (label, fmt(m(wa)), fmt(m(wb)), m(ratios),
      fmt(m(ca)), fmt(m(cb)), n))
EOF

pair() {
    bench_log "$1: $3  vs  $4"
    python3 "$WORK/pairs.py" "$@"
}

CG=$BENCH_DIR/$BENCH_CUSTOM_GZIP
TAR=$BENCH_DIR/$BENCH_TAR
BIG=$WORK/chunks64k.dump
python3 - "${DF_CORPUS:-corpus}/pg18/sample.custom.gzip.dump" "$BIG" <<'EOF' || bench_die "could not make the 64 KiB-chunk archive"
import sys
data = open(sys.argv[1], "rb").read()
chunk = b"\x00" + (65536).to_bytes(4, "little") + bytes(range(256)) * 256
open(sys.argv[2], "wb").write(data[:-10] + chunk * 2700 + data[-10:])
EOF

echo "| case | before | after | ratio after/before (median of pairs) | CPU before | CPU after | pairs |"
echo "|---|---|---|---|---|---|---|"
pair "\`dumpcheck --quick\` custom gzip (pg_restore on PATH)" "$PAIRS" \
    "$OLD/dumpcheck --quick $CG" "$NEW/dumpcheck --quick $CG"
pair "\`dumpcheck --quick --no-pg-restore-check\` custom gzip" "$PAIRS" \
    "$OLD/dumpcheck --quick --no-pg-restore-check $CG" "$NEW/dumpcheck --quick --no-pg-restore-check $CG"
pair "\`dumpcheck --quick\` tar (1.14)" "$PAIRS" \
    "$OLD/dumpcheck --quick $TAR" "$NEW/dumpcheck --quick $TAR"
pair "\`dumpcheck --quick --no-pg-restore-check\` custom, 64 KiB chunks ($(bench_human "$(bench_size "$BIG")"))" \
    "$PAIRS" "$OLD/dumpcheck --quick --no-pg-restore-check $BIG" \
    "$NEW/dumpcheck --quick --no-pg-restore-check $BIG"
if command -v taskset >/dev/null; then
    pair "\`taskset -c 0 dumpcheck\` custom gzip (default -j)" "$SLOW" \
        "taskset -c 0 $OLD/dumpcheck --no-pg-restore-check $CG" \
        "taskset -c 0 $NEW/dumpcheck --no-pg-restore-check $CG"
fi
pair "\`dumpls --long\` tar" "$SLOW" "$OLD/dumpls --long $TAR" "$NEW/dumpls --long $TAR"
pair "\`pg_restore -f /dev/null\` (before) vs \`dumpls --long\` (after), tar" "$SLOW" \
    "$PG_BINDIR/pg_restore -f /dev/null $TAR" "$NEW/dumpls --long $TAR"
