#!/usr/bin/env bash
# bench/plain.sh — times dumpls on the plain-format benchmark script (issue 3).
#
# On bench.plain.sql and bench.plain.sql.gz that bench/gen.sh made:
#   dumpls --long bench.plain.sql            vs  wc -l bench.plain.sql      (target: ratio <= 3)
#   cat bench.plain.sql | dumpls --long -    vs  cat bench.plain.sql | wc -l
#   dumpls --long bench.plain.sql.gz         vs  gzip -dc bench.plain.sql.gz | wc -l
# dumpls --long reads the whole script once: it splits it into entries, counts every table's
# rows and finds every COPY terminator.  Wall time: hyperfine (warm cache, --warmup 1) when
# installed, else the median of /usr/bin/time runs; peak RSS: one /usr/bin/time -v run.
# Checks the targets of issue 3 on the uncompressed script: time within 3x of wc -l, peak RSS
# under 32 MiB (PASS/FAIL).
#
# Usage: bench/plain.sh [--write] [--runs N]
#   --write     also replace the plain-format block of bench/RESULTS.md (between its markers)
#   --runs N    timed runs per command (default 5)
# Environment: BENCH_DIR (bench/lib.sh), DUMPLS (default tools/dumpls),
#              BENCH_NO_HYPERFINE=1 (time with /usr/bin/time even if hyperfine is installed).
# Output: progress on stderr, a markdown report on stdout.  Exit status 0 if the targets hold,
# 1 if not, 3 if the benchmark could not run.
set -u
cd "$(dirname "$0")/.." || exit 3
# shellcheck source=bench/lib.sh
. bench/lib.sh

DUMPLS=${DUMPLS:-tools/dumpls}
RUNS=5
WRITE=0
RSS_LIMIT_KIB=$((32 * 1024))
RATIO_LIMIT=3
RESULTS=bench/RESULTS.md
MARK_BEGIN='<!-- bench:plain:begin -->'
MARK_END='<!-- bench:plain:end -->'

while [ $# -gt 0 ]; do
    bench_common_option "$@"
    [ "$BENCH_SHIFT" -gt 0 ] || bench_die "unknown option \"$1\" (try --help)"
    shift "$BENCH_SHIFT"
done
bench_check_runs

PLAIN=$BENCH_DIR/$BENCH_PLAIN
PLAIN_GZ=$BENCH_DIR/$BENCH_PLAIN_GZ
[ -x "$DUMPLS" ] || bench_die "$DUMPLS missing (run make first)"
[ -x /usr/bin/time ] || bench_die "/usr/bin/time missing (apt-get install time)"
[ -f "$PLAIN" ] || bench_die "no $PLAIN (run bench/gen.sh first; BENCH_SCALE=0.01 for a small one)"
command -v python3 >/dev/null || bench_die "python3 missing"
HYPERFINE=$(command -v hyperfine || true)
[ "${BENCH_NO_HYPERFINE:-0}" = 1 ] && HYPERFINE=""

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dumpfmt-bench-plain.XXXXXX") || exit 3
trap 'rm -rf -- "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

STATUS=0

# peak_rss NAME CMD... : one run under /usr/bin/time -v; sets RSS_KIB and ONE_RC.
peak_rss() {
    local name=$1
    shift
    bench_peak_rss "$WORK/$name.time" "$@"
    RSS_KIB=$BENCH_RSS_KIB ONE_RC=$BENCH_RC
}

# time_pair NAME CMD-A CMD-B (shell command lines): sets T_A SD_A T_B SD_B
time_pair() {
    local name=$1 a=$2 b=$3 i
    if [ -n "$HYPERFINE" ]; then
        "$HYPERFINE" -i --style none --warmup 1 --runs "$RUNS" --export-json "$WORK/$name.json" \
            -- "$a" "$b" >"$WORK/$name.hf" 2>&1 ||
            bench_log "hyperfine failed: $(tail -n 3 "$WORK/$name.hf")"
        read -r T_A SD_A T_B SD_B < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(" ".join("%.6f %.6f" % (x["mean"], x.get("stddev") or 0.0) for x in r))' "$WORK/$name.json")
        return
    fi
    for side in a b; do
        : >"$WORK/$name.$side"
        for ((i = 0; i < RUNS; i++)); do
            if [ $side = a ]; then cmd=$a; else cmd=$b; fi
            /usr/bin/time -f '%e' -a -o "$WORK/$name.$side" sh -c "$cmd" >/dev/null 2>&1
        done
    done
    read -r T_A SD_A < <(sort -n "$WORK/$name.a" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], 0 }')
    read -r T_B SD_B < <(sort -n "$WORK/$name.b" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], 0 }')
}



q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

ROWS=()
CHECKS=()

# bench_case LABEL CHECK(yes/no) DUMPFMT-CMDLINE REFERENCE-CMDLINE
bench_case() {
    local label=$1 check=$2 a=$3 b=$4 name ratio verdict rss
    name=case${#ROWS[@]}
    bench_log "$label: $a  vs  $b"
    peak_rss "$name" sh -c "$a"
    rss=$RSS_KIB
    if [ "${ONE_RC:-3}" -ne 0 ]; then
        bench_log "exit status $ONE_RC: $(head -n 3 "$WORK/$name.time.err")"
        STATUS=1
    fi
    time_pair "$name" "$a" "$b"
    ratio=$(awk -v a="$T_A" -v b="$T_B" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    # a | inside a table cell must be escaped
    ROWS+=("| $label | \`${a//|/\\|}\` | $(bench_fmt_s "$T_A" "$SD_A") | \`${b//|/\\|}\` | $(bench_fmt_s "$T_B" "$SD_B") | $ratio | $(bench_fmt_mib "$rss") |")
    [ "$check" = yes ] || return 0
    verdict=FAIL
    awk -v r="$ratio" -v l="$RATIO_LIMIT" 'BEGIN { exit !(r != "-" && r <= l) }' && verdict=PASS
    [ $verdict = PASS ] || STATUS=1
    CHECKS+=("- time of \`$a\` / time of \`$b\`: $ratio (target <= $RATIO_LIMIT): **$verdict**")
    verdict=FAIL
    [ -n "$rss" ] && [ "$rss" -lt "$RSS_LIMIT_KIB" ] && verdict=PASS
    [ $verdict = PASS ] || STATUS=1
    CHECKS+=("- peak RSS of \`$a\`: $(bench_fmt_mib "$rss") (target < 32 MiB): **$verdict**")
}

P=$(q "$PLAIN")
D=$(q "$DUMPLS")
bench_case "script" yes "$D --long $P" "wc -l $P"
bench_case "script from a pipe" no "cat $P | $D --long -" "cat $P | wc -l"
if [ -f "$PLAIN_GZ" ]; then
    G=$(q "$PLAIN_GZ")
    bench_case "gzip script" no "$D --long $G" "gzip -dc $G | wc -l"
fi

# the listing must agree with the archive of the same database, or the timing means nothing
if [ -f "$BENCH_DIR/$BENCH_CUSTOM_NONE" ]; then
    rows_plain=$("$DUMPLS" --long --json "$PLAIN" | python3 -c '
import json, sys
print(sum(e.get("rows") or 0 for e in json.load(sys.stdin)["entries"]))')
    rows_arch=$("$DUMPLS" --long --json "$BENCH_DIR/$BENCH_CUSTOM_NONE" | python3 -c '
import json, sys
print(sum(e.get("rows") or 0 for e in json.load(sys.stdin)["entries"]))')
    verdict=FAIL
    [ "$rows_plain" = "$rows_arch" ] && verdict=PASS
    [ $verdict = PASS ] || STATUS=1
    CHECKS+=("- rows counted in the script: $rows_plain, in \`$BENCH_CUSTOM_NONE\`: $rows_arch: **$verdict**")
fi

report() {
    echo "$MARK_BEGIN"
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/plain.sh --runs $RUNS\`" \
        "($( [ -n "$HYPERFINE" ] && "$HYPERFINE" --version || echo "/usr/bin/time, median")," \
        "warm page cache)."
    echo
    echo "- machine: $(bench_machine)"
    echo "- script: \`$BENCH_PLAIN\`, $(bench_human "$(bench_size "$PLAIN")"), $(wc -l <"$PLAIN") lines"
    echo "- dumpfmt: $("$DUMPLS" --version 2>/dev/null | head -n 1)"
    echo "- ratio = dumpfmt time / reference time"
    echo
    echo "| case | dumpfmt | time | reference | time | ratio | dumpfmt peak RSS |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    printf '%s\n' "${CHECKS[@]}"
    echo "$MARK_END"
}

report >"$WORK/report.md"
cat "$WORK/report.md"

if [ "$WRITE" = 1 ]; then
    bench_write_results "$WORK/report.md" || STATUS=3
fi
exit "$STATUS"
