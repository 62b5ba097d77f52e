#!/usr/bin/env bash
# bench/run.sh — times dumpfmt against pg_restore 15 side by side on the benchmark dumps.
#
# Pairs (dumpfmt first, reference second), on the gzip custom dump and the gzip directory dump
# that bench/gen.sh made:
#   list           tools/dumpls X            vs  pg_restore -l X
#   read all data  tools/dumpls --long X     vs  pg_restore -f /dev/null X
# and the read-all-data pair on the tar dump (uncompressed: row counting decides).
# (dumpls --long decompresses every data block and counts its rows; pg_restore -f /dev/null
# decompresses every block and writes the SQL script to /dev/null.)
# Wall time: hyperfine (warm cache, --warmup 1) when installed, else the median of
# /usr/bin/time runs; peak RSS: one /usr/bin/time -v run each ("Maximum resident set size").
# Checks the target of issue 2: reading all data of the gzip custom dump keeps the peak RSS of
# dumpls under 32 MiB (PASS/FAIL).
#
# Usage: bench/run.sh [--write] [--runs N]
#   --write     also replace the results block of bench/RESULTS.md (between its markers)
#   --runs N    timed runs per command (default 5)
# Environment: BENCH_DIR, PG_BINDIR (bench/lib.sh), DUMPLS (default tools/dumpls),
#              BENCH_NO_HYPERFINE=1 (time with /usr/bin/time even if hyperfine is installed).
# Output: progress on stderr, a markdown report on stdout.  Exit status 0 if every command ran
# and the RSS target holds, 1 if not, 3 if the benchmark could not run.
set -u
cd "$(dirname "$0")/.." || exit 3
# shellcheck source=bench/lib.sh
. bench/lib.sh

DUMPLS=${DUMPLS:-tools/dumpls}
PG_RESTORE=$PG_BINDIR/pg_restore
RUNS=5
WRITE=0
RSS_LIMIT_KIB=$((32 * 1024))
RESULTS=bench/RESULTS.md
MARK_BEGIN='<!-- bench:results:begin -->'
MARK_END='<!-- bench:results:end -->'

while [ $# -gt 0 ]; do
    bench_common_option "$@"
    [ "$BENCH_SHIFT" -gt 0 ] || bench_die "unknown option \"$1\" (try --help)"
    shift "$BENCH_SHIFT"
done
bench_check_runs

[ -x "$DUMPLS" ] || bench_die "$DUMPLS missing (run make first)"
[ -x "$PG_RESTORE" ] || bench_die "no pg_restore in $PG_BINDIR"
[ -x /usr/bin/time ] || bench_die "/usr/bin/time missing (apt-get install time)"
[ -f "$(bench_stamp)" ] || bench_die "no benchmark data in $BENCH_DIR (run bench/gen.sh first)"
command -v python3 >/dev/null || bench_die "python3 missing"
HYPERFINE=$(command -v hyperfine || true)
[ "${BENCH_NO_HYPERFINE:-0}" = 1 ] && HYPERFINE=""   # to try the /usr/bin/time fallback

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dumpfmt-bench.XXXXXX") || exit 3
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

# median_time NAME CMD... : RUNS runs under /usr/bin/time (no hyperfine); sets MEAN and SD.
median_time() {
    local name=$1 i
    shift
    : >"$WORK/$name.runs"
    for ((i = 0; i < RUNS; i++)); do
        /usr/bin/time -f '%e' -a -o "$WORK/$name.runs" "$@" >/dev/null 2>/dev/null
    done
    read -r MEAN SD < <(sort -n "$WORK/$name.runs" | awk '{ v[NR] = $1; s += $1; q += $1 * $1 }
        END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              sd = (NR > 1) ? sqrt((q - s * s / NR) / (NR - 1)) : 0; print m, sd }')
}

# time_pair NAME -- DUMPFMT-CMD... -- REFERENCE-CMD... : sets T_A SD_A T_B SD_B
time_pair() {
    local name=$1 a=() b=() side=a
    shift 2
    for w in "$@"; do
        if [ "$w" = -- ]; then side=b; continue; fi
        if [ $side = a ]; then a+=("$w"); else b+=("$w"); fi
    done
    if [ -n "$HYPERFINE" ]; then
        "$HYPERFINE" -N -i --style none --warmup 1 --runs "$RUNS" \
            --export-json "$WORK/$name.json" -- "$(bench_hf_words "${a[@]}")" "$(bench_hf_words "${b[@]}")" \
            >"$WORK/$name.hf" 2>&1 || bench_log "hyperfine failed: $(tail -n 3 "$WORK/$name.hf")"
        read -r T_A SD_A T_B SD_B < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(" ".join("%.6f %.6f" % (x["mean"], x.get("stddev") or 0.0) for x in r))' "$WORK/$name.json")
    else
        median_time "$name.a" "${a[@]}"
        T_A=$MEAN SD_A=$SD
        median_time "$name.b" "${b[@]}"
        T_B=$MEAN SD_B=$SD
    fi
}



ROWS=()
RSS_CHECKS=()

# bench_pair LABEL ARCHIVE-LABEL CHECK-RSS -- DUMPFMT-CMD... -- REFERENCE-CMD...
bench_pair() {
    local label=$1 alabel=$2 check=$3 name a=() b=() side=a rss_a rss_b rc_a rc_b note=""
    shift 4
    for w in "$@"; do
        if [ "$w" = -- ]; then side=b; continue; fi
        if [ $side = a ]; then a+=("$w"); else b+=("$w"); fi
    done
    name=case${#ROWS[@]}
    bench_log "$label on $alabel: ${a[*]}  vs  ${b[*]}"
    peak_rss "$name.a" "${a[@]}"
    rss_a=$RSS_KIB rc_a=$ONE_RC
    peak_rss "$name.b" "${b[@]}"
    rss_b=$RSS_KIB rc_b=$ONE_RC
    if [ "${rc_a:-3}" -ge 2 ] || [ "${rc_b:-3}" -ne 0 ]; then
        note="exit status dumpfmt $rc_a, reference $rc_b: not timed"
        bench_log "$note"
        sed 's/^/    /' "$WORK/$name.a.time.err" | head -n 5 >&2
        STATUS=1
        ROWS+=("| $label | $alabel | - | - | - | $(bench_fmt_mib "$rss_a") | $(bench_fmt_mib "$rss_b") | $note |")
    else
        time_pair "$name" -- "${a[@]}" -- "${b[@]}"
        local ratio
        ratio=$(awk -v a="$T_A" -v b="$T_B" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
        [ "$rc_a" = 1 ] && note="dumpfmt exit status 1 (warning)"
        # /usr/bin/time counts in 10 ms steps: no ratio from times that small
        if [ -z "$HYPERFINE" ] && awk -v a="$T_A" -v b="$T_B" 'BEGIN { exit !(a < 0.1 || b < 0.1) }'; then
            ratio="n/a"
            note="${note:+$note; }too short for /usr/bin/time (10 ms steps); install hyperfine"
        fi
        ROWS+=("| $label | $alabel | $(bench_fmt_s "$T_A" "$SD_A") | $(bench_fmt_s "$T_B" "$SD_B") | $ratio | $(bench_fmt_mib "$rss_a") | $(bench_fmt_mib "$rss_b") | $note |")
    fi
    if [ "$check" = yes ]; then
        local verdict=FAIL
        [ -n "$rss_a" ] && [ "$rss_a" -lt "$RSS_LIMIT_KIB" ] && [ "${rc_a:-3}" -le 1 ] && verdict=PASS
        [ $verdict = PASS ] || STATUS=1
        local why=""
        [ "${rc_a:-3}" -ge 2 ] && why=" (dumpls stopped with exit status ${rc_a:-?}: not all data read)"
        RSS_CHECKS+=("- peak RSS of \`${a[*]##*/}\` reading all data of the $alabel dump: $(bench_fmt_mib "$rss_a") (target < 32 MiB): **$verdict**$why")
    fi
}

CG=$BENCH_DIR/$BENCH_CUSTOM_GZIP
DG=$BENCH_DIR/$BENCH_DIR_GZIP
size_cg=$(bench_human "$(bench_size "$CG")")
size_dg=$(bench_human "$(bench_size "$DG")")

bench_pair "\`dumpls\` vs \`pg_restore -l\`" "custom gzip ($size_cg)" no \
    -- "$DUMPLS" "$CG" -- "$PG_RESTORE" -l "$CG"
bench_pair "read all data: \`dumpls --long\` vs \`pg_restore -f /dev/null\`" \
    "custom gzip ($size_cg)" yes \
    -- "$DUMPLS" --long "$CG" -- "$PG_RESTORE" -f /dev/null "$CG"
TAR=$BENCH_DIR/$BENCH_TAR
size_tar=$(bench_human "$(bench_size "$TAR")")
# tar: no compression, so the COPY row counting decides dumpls's time (issue 10)
bench_pair "read all data: \`dumpls --long\` vs \`pg_restore -f /dev/null\`" \
    "tar ($size_tar)" yes \
    -- "$DUMPLS" --long "$TAR" -- "$PG_RESTORE" -f /dev/null "$TAR"
bench_pair "\`dumpls\` vs \`pg_restore -l\`" "directory gzip ($size_dg)" no \
    -- "$DUMPLS" "$DG" -- "$PG_RESTORE" -l "$DG"
bench_pair "read all data: \`dumpls --long\` vs \`pg_restore -f /dev/null\`" \
    "directory gzip ($size_dg)" yes \
    -- "$DUMPLS" --long "$DG" -- "$PG_RESTORE" -f /dev/null "$DG"

# ---------------------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------------------
report() {
    echo "$MARK_BEGIN"
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/run.sh --runs $RUNS\`" \
        "($( [ -n "$HYPERFINE" ] && "$HYPERFINE" --version || echo "/usr/bin/time, median")," \
        "warm page cache)."
    echo
    echo "- machine: $(bench_machine)"
    echo "- data: scale $(bench_stamp_get scale) ($(bench_stamp_get big_rows) rows in big," \
        "pgbench scale $(bench_stamp_get pgbench_scale), $(bench_stamp_get small_tables) small" \
        "tables), plain dump $(bench_human "$(bench_stamp_get "size:$BENCH_PLAIN")")," \
        "made by $(bench_stamp_get pg_dump)"
    echo "- dumpfmt: $("$DUMPLS" --version 2>/dev/null | head -n 1); reference:" \
        "$("$PG_RESTORE" --version) ($PG_RESTORE)"
    echo "- ratio = dumpfmt time / reference time (below 1: dumpfmt is faster)"
    echo
    echo "| comparison | archive | dumpfmt | reference | ratio | dumpfmt peak RSS | reference peak RSS | note |"
    echo "|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    printf '%s\n' "${RSS_CHECKS[@]}"
    echo "$MARK_END"
}

report >"$WORK/report.md"
cat "$WORK/report.md"

if [ "$WRITE" = 1 ]; then
    bench_write_results "$WORK/report.md" || STATUS=3
fi
exit "$STATUS"
