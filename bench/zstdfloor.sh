#!/usr/bin/env bash
# bench/zstdfloor.sh — issue 17's zstd target: full `dumpcheck` (value checks on) of the zstd
# custom benchmark dump (pg_dump 17, bench/pg17.sh dumps) <= 1.1 x the floor, `zstd -d` of the
# same compressed data to /dev/null.  The data are the dump's own zstd frames, taken out
# unchanged by `dumpconvert -F d` (same codec: streams copied, not re-encoded) and concatenated.
# Runs alternate A B, B A, ... (N pairs, default 11); the median of the per-pair wall ratios.
# Usage: bench/zstdfloor.sh [--pairs N]   Environment: BENCH_DIR, DUMPCHECK, DUMPCONVERT.
# Output: a markdown report on stdout; exit 0 when the target holds, 1 when not, 3 no data.
set -u
cd "$(dirname "$0")/.." || exit 3
# shellcheck source=bench/lib.sh
. bench/lib.sh
PAIRS=11
[ "${1:-}" = --pairs ] && PAIRS=$2
DUMPCHECK=${DUMPCHECK:-tools/dumpcheck}
DUMPCONVERT=${DUMPCONVERT:-tools/dumpconvert}
IN=$BENCH_DIR/bench.custom.zstd.dump
[ -f "$IN" ] || bench_die "no $IN: run bench/pg17.sh dumps"
TMP=$(mktemp -d "$BENCH_DIR/tmp/zstdfloor.XXXXXX") || exit 3
trap 'rm -rf "$TMP"' EXIT
"$DUMPCONVERT" -q -F d "$IN" -o "$TMP/dir" || bench_die "dumpconvert -F d failed"
cat "$TMP"/dir/*.dat.zst >"$TMP/all.zst"
wall() { # wall COMMAND...: seconds of one run
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
check() { wall "$DUMPCHECK" -q --pg-restore-version=17 "$IN"; }
floor() { wall zstd -q -d -f "$TMP/all.zst" -o /dev/null; }
check >/dev/null; floor >/dev/null # warm the page cache
ratios=() as=() bs=()
for ((i = 0; i < PAIRS; i++)); do
    if ((i % 2 == 0)); then a=$(check); b=$(floor); else b=$(floor); a=$(check); fi
    as+=("$a") bs+=("$b")
    ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')")
done
ma=$(printf '%s\n' "${as[@]}" | median)
mb=$(printf '%s\n' "${bs[@]}" | median)
mr=$(printf '%s\n' "${ratios[@]}" | median)
verdict=$(awk -v r="$mr" 'BEGIN { print (r <= 1.1) ? "PASS" : "FAIL" }')
cat <<REPORT
Machine: $(bench_machine). Input: \`bench.custom.zstd.dump\` ($(bench_human "$(bench_size "$IN")")), its zstd frames
$(bench_human "$(bench_size "$TMP/all.zst")"). $PAIRS interleaved pairs, wall seconds, medians.

| command | seconds |
|---|---|
| \`dumpcheck --pg-restore-version=17\` (value checks on) | $ma |
| floor: \`zstd -d\` of the same frames to /dev/null | $mb |

Per pair: ${ratios[*]}. Median of the pair ratios $mr (target <= 1.1): **$verdict**
REPORT
[ "$verdict" = PASS ]
