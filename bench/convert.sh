#!/usr/bin/env bash
# bench/convert.sh — dumpconvert (issue 12) on the benchmark's gzip custom dump (bench/gen.sh):
#   (a) same codec, block copy:  dumpconvert IN -o OUT  vs  cp IN OUT && sync OUT (dumpconvert
#       fsyncs its output; plain cp is shown too)                             (target <= 1.5x)
#   (b) gzip -> zstd:3, -j 2:     dumpconvert -Z zstd:3 -j 2  vs  the floor: the directory dump's
#       .dat.gz files through `gzip -dc | zstd -3 -T2` (the same COPY bytes decoded and
#       encoded by the command-line tools, side by side)                          (target <= 1.3x)
#   (c) the plain script -> custom zstd:3, -j 2 (issue 14):  dumpconvert -Z zstd:3 -j 2
#       bench.plain.sql  vs  zstd -3 -T2 bench.plain.sql -o OUT && sync OUT        (target <= 1.3x)
# each RUNS times alternating, the median wall time; the CPU seconds (user + system) of one more
# run of (b) and (c) on each side (on a busy machine only these compare); dumpconvert's peak RSS
# in (b) and (c) (<= 64 MiB).
#
# Usage: bench/convert.sh [--runs N]    Environment: BENCH_DIR (bench/lib.sh), DUMPCONVERT.
# Output: a markdown report on stdout; exit 0 when every target is met.

set -u
cd "$(dirname "$0")/.." || exit 3
# shellcheck source=bench/lib.sh
. bench/lib.sh

RUNS=3
[ "${1:-}" = --runs ] && RUNS=$2
DUMPCONVERT=${DUMPCONVERT:-tools/dumpconvert}
IN=$BENCH_DIR/$BENCH_CUSTOM_GZIP
DIRGZ=$BENCH_DIR/$BENCH_DIR_GZIP
PLAIN=$BENCH_DIR/$BENCH_PLAIN
[ -f "$IN" ] && [ -d "$DIRGZ" ] && [ -f "$PLAIN" ] || bench_die "no $IN, $DIRGZ or $PLAIN: run bench/gen.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-convert.XXXXXX") || exit 3
trap 'rm -rf "$TMP"' EXIT

wall() { # wall COMMAND...: seconds of one run
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || bench_die "failed: $*"
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
cp_sync() { cp "$1" "$2" && sync "$2"; }
cpu() { # cpu COMMAND...: user + system seconds of one run
    /usr/bin/time -f '%U %S' -o "$TMP/cpu" "$@" >/dev/null 2>&1 || bench_die "failed: $*"
    awk '{ printf "%.2f\n", $1 + $2 }' "$TMP/cpu"
}
floor_zstd() { cat "$DIRGZ"/*.dat.gz | gzip -dc | zstd -q -3 -T2 -c >"$TMP/floor.zst"; }
plain_zstd() { zstd -q -f -3 -T2 "$PLAIN" -o "$TMP/plain.zst" && sync "$TMP/plain.zst"; } # dumpconvert fsyncs

: >"$TMP/cp"; : >"$TMP/cps"; : >"$TMP/copy"; : >"$TMP/floor"; : >"$TMP/zstd"; : >"$TMP/pz"; : >"$TMP/pdc"
for ((i = 0; i < RUNS; i++)); do
    bench_log "run $((i + 1))/$RUNS"
    wall cp "$IN" "$TMP/cp.dump" >>"$TMP/cp"
    rm -f "$TMP/cp.dump"
    wall cp_sync "$IN" "$TMP/cp.dump" >>"$TMP/cps"
    wall "$DUMPCONVERT" -q "$IN" -o "$TMP/copy.dump" >>"$TMP/copy"
    wall floor_zstd >>"$TMP/floor"
    wall "$DUMPCONVERT" -q -Z zstd:3 -j 2 "$IN" -o "$TMP/zstd.dump" >>"$TMP/zstd"
    wall plain_zstd >>"$TMP/pz"
    wall "$DUMPCONVERT" -q -Z zstd:3 -j 2 "$PLAIN" -o "$TMP/plain.dump" >>"$TMP/pdc"
    rm -f "$TMP"/*.dump "$TMP/floor.zst" "$TMP/plain.zst"
done
cmp_same=no
"$DUMPCONVERT" -q "$IN" -o "$TMP/copy.dump" && cmp -s "$IN" "$TMP/copy.dump" && cmp_same=yes
bench_peak_rss "$TMP/rss" "$DUMPCONVERT" -q -Z zstd:3 -j 2 "$IN" -o "$TMP/zstd.dump"
rss=$BENCH_RSS_KIB
c_dc=$(cpu "$DUMPCONVERT" -q -Z zstd:3 -j 2 "$IN" -o "$TMP/zstd2.dump")
c_fl=$(cpu bash -c "cat '$DIRGZ'/*.dat.gz | gzip -dc | zstd -q -3 -T2 -c >'$TMP/floor.zst'")
rm -f "$TMP"/*.dump "$TMP/floor.zst"
bench_peak_rss "$TMP/prss" "$DUMPCONVERT" -q -Z zstd:3 -j 2 "$PLAIN" -o "$TMP/plain.dump"
prss=$BENCH_RSS_KIB
c_pdc=$(cpu "$DUMPCONVERT" -q -Z zstd:3 -j 2 "$PLAIN" -o "$TMP/plain2.dump")
c_pz=$(cpu zstd -q -f -3 -T2 "$PLAIN" -o "$TMP/plain.zst")
a_cp=$(median <"$TMP/cps"); a_plain=$(median <"$TMP/cp"); a_dc=$(median <"$TMP/copy")
b_fl=$(median <"$TMP/floor"); b_dc=$(median <"$TMP/zstd")
ra=$(awk -v a="$a_dc" -v b="$a_cp" 'BEGIN { printf "%.2f", a / b }')
rb=$(awk -v a="$b_dc" -v b="$b_fl" 'BEGIN { printf "%.2f", a / b }')
c_w=$(median <"$TMP/pdc"); c_z=$(median <"$TMP/pz")
rc=$(awk -v a="$c_w" -v b="$c_z" 'BEGIN { printf "%.2f", a / b }')
rcc=$(awk -v a="$c_pdc" -v b="$c_pz" 'BEGIN { printf "%.2f", a / b }')

cat <<MD
Machine: $(bench_machine). Input: \`$BENCH_CUSTOM_GZIP\`, $(bench_human "$(bench_size "$IN")"). Median of $RUNS runs.

| case | dumpconvert | reference | ratio | target |
|---|---|---|---|---|
| (a) same codec, blocks copied (output byte-identical: $cmp_same) | ${a_dc} s | \`cp && sync\` ${a_cp} s (plain \`cp\` ${a_plain} s) | ${ra}x | <= 1.5x |
| (b) gzip -> zstd:3, \`-j 2\` | ${b_dc} s | \`gzip -dc \| zstd -3 -T2\` ${b_fl} s | ${rb}x | <= 1.3x |
| (b) CPU seconds, user + system | ${c_dc} s | ${c_fl} s | | |
| peak RSS of (b) | $(bench_fmt_mib "$rss") | | | <= 64 MiB |
| (c) plain script -> custom zstd:3, \`-j 2\` | ${c_w} s | \`zstd -3 -T2 && sync\` ${c_z} s | ${rc}x | <= 1.3x |
| (c) CPU seconds, user + system | ${c_pdc} s | ${c_pz} s | ${rcc}x | |
| peak RSS of (c) | $(bench_fmt_mib "$prss") | | | <= 64 MiB |
MD
awk -v a="$ra" -v b="$rb" -v c="$rc" -v r="$rss" -v p="$prss" \
    'BEGIN { exit !(a <= 1.5 && b <= 1.3 && c <= 1.3 && r <= 65536 && p <= 65536) }'
