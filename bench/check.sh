#!/usr/bin/env bash
# bench/check.sh — times dumpcheck (issue 4) against what people use today, on the benchmark
# dumps of bench/gen.sh, and checks the issue's targets:
#   full check of the gzip custom dump     <= 0.5 x  pg_restore -f /dev/null    (ratio)
#   --quick of the gzip custom dump        <= 0.1 s                             (wall time)
#   peak RSS of the full check             <= 32 MiB
# and, for the record (no target): the zlib inflater instead of ISA-L, one thread, the gzip
# directory dump, the uncompressed custom and tar dumps (against pg_restore -f /dev/null), the
# plain dumps (against `gzip -t` and `wc -l`, the checks people run on scripts).  lz4 and zstd
# custom dumps cannot be made or read by the PostgreSQL 15 here (16+ only): no row for them.
#
# Usage: bench/check.sh [--write] [--runs N]
#   --write     also replace the dumpcheck block of bench/RESULTS.md (between its markers)
#   --runs N    timed runs per command (default 5)
# Environment: BENCH_DIR, PG_BINDIR (bench/lib.sh), DUMPCHECK (default tools/dumpcheck).
# Output: progress on stderr, a markdown report on stdout.  Exit status 0 when every target
# holds, 1 when one does not, 3 when the benchmark could not run.
set -u
cd "$(dirname "$0")/.." || exit 3
# shellcheck source=bench/lib.sh
. bench/lib.sh

DUMPCHECK=${DUMPCHECK:-tools/dumpcheck}
PG_RESTORE=$PG_BINDIR/pg_restore
RUNS=5
WRITE=0
RESULTS=bench/RESULTS.md
MARK_BEGIN='<!-- bench:dumpcheck:begin -->'
MARK_END='<!-- bench:dumpcheck:end -->'

while [ $# -gt 0 ]; do
    bench_common_option "$@"
    [ "$BENCH_SHIFT" -gt 0 ] || bench_die "unknown option \"$1\" (try --help)"
    shift "$BENCH_SHIFT"
done
bench_check_runs

[ -x "$DUMPCHECK" ] || bench_die "$DUMPCHECK missing (run make first)"
[ -x "$PG_RESTORE" ] || bench_die "no pg_restore in $PG_BINDIR"
[ -x /usr/bin/time ] || bench_die "/usr/bin/time missing (apt-get install time)"
[ -f "$(bench_stamp)" ] || bench_die "no benchmark data in $BENCH_DIR (run bench/gen.sh first)"
HYPERFINE=$(command -v hyperfine || true)
[ -n "$HYPERFINE" ] || bench_die "hyperfine missing (apt-get install hyperfine)"
command -v python3 >/dev/null || bench_die "python3 missing"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dumpfmt-bench-check.XXXXXX") || exit 3
trap 'rm -rf -- "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

STATUS=0
ROWS=()
TARGETS=()

# hf NAME CMD...: mean and standard deviation of CMD in seconds -> T SD
hf() {
    local name=$1
    shift
    "$HYPERFINE" -N -i --style none --warmup 1 --runs "$RUNS" --export-json "$WORK/$name.json" \
        -- "$(bench_hf_words "$@")" >"$WORK/$name.hf" 2>&1 ||
        bench_log "hyperfine failed: $(tail -n 3 "$WORK/$name.hf")"
    read -r T SD < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.6f %.6f" % (r["mean"], r.get("stddev") or 0.0))' "$WORK/$name.json")
}

# rss NAME CMD...: peak RSS (KiB) and exit status of one run -> RSS RC
rss() {
    local name=$1
    shift
    bench_peak_rss "$WORK/$name.time" "$@"
    RSS=$BENCH_RSS_KIB RC=$BENCH_RC
}


# row LABEL DUMP -- DUMPCHECK-ARGS... -- REFERENCE-CMD... (no reference: "--" then nothing)
# sets RATIO, TA (dumpcheck seconds), RSSA
row() {
    local label=$1 dump=$2 a=() b=() side=a name rca rssa ta sda tb="" sdb="" ref="-" refcmd="-"
    shift 3
    for w in "$@"; do
        if [ "$w" = -- ]; then side=b; continue; fi
        if [ $side = a ]; then a+=("$w"); else b+=("$w"); fi
    done
    name=row${#ROWS[@]}
    bench_log "$label: dumpcheck ${a[*]} $dump${b[0]:+  vs  ${b[*]}}"
    rss "$name.a" "$DUMPCHECK" "${a[@]}" "$dump"
    rca=$RC rssa=$RSS
    hf "$name.a" "$DUMPCHECK" "${a[@]}" "$dump"
    ta=$T sda=$SD
    RATIO="-"
    if [ ${#b[@]} -gt 0 ]; then
        hf "$name.b" "${b[@]}"
        tb=$T sdb=$SD
        ref=$(bench_fmt_s "$tb" "$sdb")
        refcmd="\`${b[*]##*/}\`"
        RATIO=$(awk -v a="$ta" -v b="$tb" 'BEGIN { printf "%.2f", a / b }')
    fi
    ROWS+=("| $label | \`dumpcheck ${a[*]}\` | $(bench_fmt_s "$ta" "$sda") | $refcmd | $ref | $RATIO | $(bench_fmt_mib "$rssa") | $rca |")
    TA=$ta RSSA=$rssa
    [ "${rca:-3}" -le 1 ] || { bench_log "dumpcheck exit status $rca on $dump"; STATUS=1; }
}

target() {
    local what=$1 ok=$2
    if [ "$ok" = 1 ]; then TARGETS+=("- $what: **PASS**"); else TARGETS+=("- $what: **FAIL**"); STATUS=1; fi
}

CG=$BENCH_DIR/$BENCH_CUSTOM_GZIP
CN=$BENCH_DIR/$BENCH_CUSTOM_NONE
DG=$BENCH_DIR/$BENCH_DIR_GZIP
TAR=$BENCH_DIR/$BENCH_TAR
PL=$BENCH_DIR/$BENCH_PLAIN
PZ=$BENCH_DIR/$BENCH_PLAIN_GZ
JOBS=$(nproc)

row "custom gzip, full" "$CG" -- -- "$PG_RESTORE" -f /dev/null "$CG"
full_ratio=$RATIO full_rss=$RSSA
row "custom gzip, full, zlib inflater" "$CG" -- --inflate=zlib -- "$PG_RESTORE" -f /dev/null "$CG"
row "custom gzip, full, one thread" "$CG" -- -j1 -- "$PG_RESTORE" -f /dev/null "$CG"
row "custom gzip, one thread, zlib inflater" "$CG" -- -j1 --inflate=zlib -- \
    "$PG_RESTORE" -f /dev/null "$CG"
row "custom gzip, --quick" "$CG" -- --quick -- "$PG_RESTORE" -l "$CG"
quick_t=$TA
# the same without asking pg_restore its version (Debian's is a Perl wrapper: ~40 ms to start)
row "custom gzip, --quick, no pg_restore check" "$CG" -- --quick --no-pg-restore-check -- \
    "$PG_RESTORE" -l "$CG"
row "directory gzip, full" "$DG" -- -- "$PG_RESTORE" -f /dev/null "$DG"
row "custom uncompressed, full" "$CN" -- -- "$PG_RESTORE" -f /dev/null "$CN"
row "tar, full" "$TAR" -- -- "$PG_RESTORE" -f /dev/null "$TAR"
row "plain gzip, full" "$PZ" -- -- gzip -t "$PZ"
row "plain, full" "$PL" -- -- wc -l "$PL"

target "full check of the gzip custom dump <= 0.5 x \`pg_restore -f /dev/null\`: ratio $full_ratio" \
    "$(awk -v r="$full_ratio" 'BEGIN { print (r + 0 <= 0.5) ? 1 : 0 }')"
target "\`--quick\` on the gzip custom dump <= 0.1 s: $(bench_fmt_s "$quick_t" 0 | sed 's/ ± .*//')" \
    "$(awk -v t="$quick_t" 'BEGIN { print (t <= 0.1) ? 1 : 0 }')"
target "peak RSS of the full check of the gzip custom dump <= 32 MiB: $(bench_fmt_mib "$full_rss")" \
    "$(awk -v k="$full_rss" 'BEGIN { print (k != "" && k <= 32768) ? 1 : 0 }')"
TARGETS+=("- lz4 and zstd custom dumps (target <= 1.0 x pg_restore): not measured. pg_dump 15,"
    "  the only pg_dump here, writes gzip only (\`--compress=lz4|zstd\` arrived in 16), and"
    "  pg_restore 15 cannot read 1.15+ archives, so there is no reference to time against.")

report() {
    echo "$MARK_BEGIN"
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/check.sh --runs $RUNS\`" \
        "($("$HYPERFINE" --version), warm page cache, default \`-j $JOBS\`)."
    echo
    echo "- machine: $(bench_machine)"
    echo "- dumpcheck: $("$DUMPCHECK" --version | head -n 1); reference: $("$PG_RESTORE" --version)"
    echo "- ratio = dumpcheck time / reference time (below 1: dumpcheck is faster); exit = dumpcheck's"
    echo
    echo "| case | dumpfmt | time | reference | time | ratio | dumpcheck peak RSS | exit |"
    echo "|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    printf '%s\n' "${TARGETS[@]}"
    echo "$MARK_END"
}

report >"$WORK/report.md"
cat "$WORK/report.md"

if [ "$WRITE" = 1 ]; then
    bench_write_results "$WORK/report.md" || STATUS=3
fi
exit "$STATUS"
