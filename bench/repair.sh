#!/usr/bin/env bash
# bench/repair.sh — times dumprepair -o (issue 13) against dumpcheck of the same damaged file,
# side by side, and checks the issue's targets on the gzip custom benchmark dump cut at 60%:
#   dumprepair IN -o OUT     <= 1.5 x  dumpcheck IN    (median wall time, and CPU time shown)
#   peak RSS of dumprepair   <= 64 MiB
# Runs alternate (dumpcheck, dumprepair, dumpcheck, ...) so that a change of load hits both.
# The cut copy and the output go to a temporary directory under BENCH_DIR/tmp (removed).
#
# Note: both decode the surviving part of the block the cut falls in, once each: dumpcheck to
# check and count its rows ("N complete rows before the cut", issue 13), dumprepair to keep
# them (its own verification leaves that block to the salvage: df_verify_options.cut_rows 0);
# the table shows dumpcheck of the intact file too, the cost of decoding everything once.
#
# Usage: bench/repair.sh [--runs N] [--cut PERCENT] [--dump FILE]
#   --runs N        timed runs per command (default 5)
#   --cut PERCENT   where to cut the copy (default 60)
#   --dump FILE     the archive to cut (default BENCH_DIR/bench.custom.gzip.dump)
# Environment: BENCH_DIR (bench/lib.sh), DUMPCHECK, DUMPREPAIR (default tools/...).
# Output: progress on stderr, a markdown report on stdout.  Exit status 0 when both targets
# hold, 1 when one does not, 3 when the benchmark could not run.
set -u
cd "$(dirname "$0")/.." || exit 3
# shellcheck source=bench/lib.sh
. bench/lib.sh

DUMPCHECK=${DUMPCHECK:-tools/dumpcheck}
DUMPREPAIR=${DUMPREPAIR:-tools/dumprepair}
RUNS=5
CUT=60
DUMP=""
WRITE=0

while [ $# -gt 0 ]; do
    case $1 in
    --cut) CUT=${2:-}; shift 2 ;;
    --dump) DUMP=${2:-}; shift 2 ;;
    *)
        bench_common_option "$@"
        [ "$BENCH_SHIFT" -gt 0 ] || bench_die "unknown option \"$1\" (try --help)"
        shift "$BENCH_SHIFT"
        ;;
    esac
done
bench_check_runs
case $CUT in '' | *[!0-9]*) bench_die "--cut needs a percentage" ;; esac
DUMP=${DUMP:-$BENCH_DIR/$BENCH_CUSTOM_GZIP}
[ -f "$DUMP" ] || bench_die "$DUMP missing (bench/gen.sh makes it)"
[ -x "$DUMPCHECK" ] && [ -x "$DUMPREPAIR" ] || bench_die "tools missing (run make first)"
[ -x /usr/bin/time ] || bench_die "/usr/bin/time missing (apt-get install time)"

mkdir -p "$BENCH_DIR/tmp" || bench_die "cannot create $BENCH_DIR/tmp"
TMP=$(mktemp -d "$BENCH_DIR/tmp/repair.XXXXXX") || bench_die "mktemp failed"
trap 'rm -rf "$TMP"' EXIT
size=$(stat -c %s "$DUMP")
head -c $((size * CUT / 100)) "$DUMP" >"$TMP/cut.dump" || bench_die "cannot cut $DUMP"

# one_run NAME CMD...: appends "wall cpu rss_kib" to $TMP/NAME.times
one_run() {
    local name=$1
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$TMP/t" "$@" >/dev/null 2>"$TMP/$name.err"
    awk '/^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$/ { print $1, $2 + $3, $4 }' "$TMP/t" \
        >>"$TMP/$name.times"
}

median() { # median of column $2 of file $1
    sort -g -k"$2,$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END {
        if (NR == 0) { print ""; exit }
        print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

bench_log "cut $DUMP at $CUT% ($((size * CUT / 100)) bytes), $RUNS runs each"
for _ in $(seq "$RUNS"); do
    one_run check "$DUMPCHECK" "$TMP/cut.dump"
    rm -f "$TMP/out.dump"
    one_run repair "$DUMPREPAIR" -q "$TMP/cut.dump" -o "$TMP/out.dump"
    one_run checkfull "$DUMPCHECK" "$DUMP"
done

cw=$(median "$TMP/check.times" 1); cc=$(median "$TMP/check.times" 2)
rw=$(median "$TMP/repair.times" 1); rc=$(median "$TMP/repair.times" 2)
fw=$(median "$TMP/checkfull.times" 1); fc=$(median "$TMP/checkfull.times" 2)
rss=$(sort -g "$TMP/repair.times" -k3,3 | tail -1 | awk '{ print $3 }')
ratio=$(awk -v a="$rw" -v b="$cw" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
cratio=$(awk -v a="$rc" -v b="$cc" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
ok=0
awk -v r="$ratio" 'BEGIN { exit !(r <= 1.5) }' || ok=1
[ "${rss:-999999}" -le $((64 * 1024)) ] || ok=1

echo "### dumprepair on $(basename "$DUMP") cut at $CUT% ($RUNS runs, medians)"
echo
echo "| command | wall s | CPU s |"
echo "|---|---|---|"
echo "| dumpcheck (cut file) | $cw | $cc |"
echo "| dumprepair -o (cut file) | $rw | $rc |"
echo "| dumpcheck (intact file, for reference) | $fw | $fc |"
echo
echo "ratio dumprepair / dumpcheck: wall $ratio, CPU $cratio (target <= 1.5); peak RSS of" \
    "dumprepair $(bench_fmt_mib "$rss") (target <= 64 MiB)"
exit $ok
