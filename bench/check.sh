#!/usr/bin/env bash
# bench/check.sh — times dumpcheck (issue 4) against what people use today, on the benchmark
# dumps of bench/gen.sh, and checks the issue's targets:
#   full check of the gzip custom dump     <= 0.5 x  pg_restore -f /dev/null    (ratio)
#   --quick of the gzip custom dump        <= 0.1 s                             (wall time)
#   peak RSS of the full check             <= 32 MiB
# and, for the record (no target): the zlib inflater instead of ISA-L, one thread, the gzip
# directory dump, the uncompressed custom and tar dumps (against pg_restore -f /dev/null), the
# plain dumps (against `gzip -t` and `wc -l`, the checks people run on scripts).  And
#   full check of the lz4 / zstd custom dump <= 1.0 x  pg_restore 17 -f /dev/null (ratio)
# when bench/pg17.sh has made its Debian trixie chroot and the two dumps (pg_dump 17 -Z lz4|zstd
# of the same database; `sudo bench/pg17.sh setup && sudo bench/pg17.sh dumps`, about two
# minutes): the PostgreSQL 15 here can neither write nor read them (16+ only), so pg_restore 17
# runs through chroot(8); the start-up cost that adds is measured and printed with the ratios.
# Without the chroot those rows are left out and the report says how to make them.
#
# Usage: bench/check.sh [--write] [--runs N]
#   --write     also replace the dumpcheck block of bench/RESULTS.md (between its markers)
#   --runs N    timed runs per command (default 5)
# Environment: BENCH_DIR, PG_BINDIR (bench/lib.sh), DUMPCHECK (default tools/dumpcheck),
#              PG17_PAIRS (interleaved pairs for the lz4 and zstd targets, default 15).
# Needs root for the lz4 and zstd rows only (chroot, bind mounts).
# Output: progress on stderr, a markdown report on stdout.  Exit status 0 when every target
# holds, 1 when one does not, 3 when the benchmark could not run.
set -u
cd "$(dirname "$0")/.." || exit 3
# shellcheck source=bench/lib.sh
. bench/lib.sh
# shellcheck source=bench/pg17.sh
. bench/pg17.sh # sourced: PG17_* names and pg17_* functions only

DUMPCHECK=${DUMPCHECK:-tools/dumpcheck}
PG_RESTORE=$PG_BINDIR/pg_restore
RUNS=5
PG17_PAIRS=${PG17_PAIRS:-15}
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
trap 'pg17_umount; rm -rf -- "$WORK"' EXIT
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
# sets RATIO, TA (dumpcheck seconds), TB (reference seconds), RSSA
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
    TA=$ta TB=$tb RSSA=$rssa
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
# the same without the pg_restore comparison (issue 10: its release comes from the file system)
row "custom gzip, --quick, no pg_restore check" "$CG" -- --quick --no-pg-restore-check -- \
    "$PG_RESTORE" -l "$CG"
row "directory gzip, full" "$DG" -- -- "$PG_RESTORE" -f /dev/null "$DG"
row "custom uncompressed, full" "$CN" -- -- "$PG_RESTORE" -f /dev/null "$CN"
row "tar, full" "$TAR" -- -- "$PG_RESTORE" -f /dev/null "$TAR"
row "plain gzip, full" "$PZ" -- -- gzip -t "$PZ"
row "plain, full" "$PL" -- -- wc -l "$PL"

# paired_ratio PAIRS CMD-A... -- CMD-B...: A and B run in turn (A B, B A, ...), each pair's
# wall-time ratio A/B; sets PAIRED (their median) and PAIRED_WON (pairs where A was faster).
# Both sides then see the same drift of a shared machine, which separate hyperfine series
# (all of A, then all of B) do not.
paired_ratio() {
    local pairs=$1 a=() b=() side=a k t0 t1 ta tb
    shift
    for w in "$@"; do
        if [ "$w" = -- ]; then side=b; continue; fi
        if [ $side = a ]; then a+=("$w"); else b+=("$w"); fi
    done
    : >"$WORK/paired"
    for ((k = 0; k < pairs; k++)); do
        if [ $((k % 2)) = 0 ]; then
            t0=$(date +%s%N); "${a[@]}" >/dev/null 2>&1; t1=$(date +%s%N); ta=$((t1 - t0))
            t0=$(date +%s%N); "${b[@]}" >/dev/null 2>&1; t1=$(date +%s%N); tb=$((t1 - t0))
        else
            t0=$(date +%s%N); "${b[@]}" >/dev/null 2>&1; t1=$(date +%s%N); tb=$((t1 - t0))
            t0=$(date +%s%N); "${a[@]}" >/dev/null 2>&1; t1=$(date +%s%N); ta=$((t1 - t0))
        fi
        echo "$ta $tb" >>"$WORK/paired"
    done
    PAIRED_WON=$(awk '$1 < $2 { w++ } END { print w + 0 }' "$WORK/paired")
    PAIRED=$(awk '{ print $1 / $2 }' "$WORK/paired" | sort -g | awk '{ r[NR] = $1 }
        END { printf "%.2f", (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2 }')
}

# lz4 and zstd custom dumps, against pg_restore 17 in the chroot of bench/pg17.sh.  BENCH_DIR is
# bind-mounted (read-only) at its own path, so the reference reads the very file dumpcheck reads.
# dumpcheck is told the pg_restore release: asking the pg_restore 15 on PATH would only add its
# start-up and a warning that it cannot read archive 1.16.
CL=$BENCH_DIR/$PG17_CUSTOM_LZ4
CZ=$BENCH_DIR/$PG17_CUSTOM_ZSTD
PG17_REF=""
PG17_MISSING=""
if ! pg17_ready; then
    PG17_MISSING="no PostgreSQL 17 chroot in $PG17_ROOT"
elif [ ! -f "$CL" ] || [ ! -f "$CZ" ]; then
    PG17_MISSING="no $PG17_CUSTOM_LZ4 or $PG17_CUSTOM_ZSTD in $BENCH_DIR"
elif [ "$(id -u)" -ne 0 ]; then
    PG17_MISSING="not root (chroot and mount need it)"
fi
if [ -z "$PG17_MISSING" ]; then
    pg17_mount --ro "$BENCH_DIR" || bench_die "could not bind-mount $BENCH_DIR into $PG17_ROOT"
    abs=$(pg17_abs "$BENCH_DIR")
    R17=(chroot "$PG17_ROOT" "$PG17_BIN/pg_restore")
    PG17_REF=$("${R17[@]}" --version) || bench_die "pg_restore 17 does not run in $PG17_ROOT"
    for codec in lz4 zstd; do
        if [ $codec = lz4 ]; then dump=$CL name=$PG17_CUSTOM_LZ4; else dump=$CZ name=$PG17_CUSTOM_ZSTD; fi
        row "custom $codec, full" "$dump" -- --pg-restore-version=17 -- \
            "${R17[@]}" -f /dev/null "$abs/$name"
        printf -v "${codec}_ta" %s "$TA"
        printf -v "${codec}_tb" %s "$TB"
        bench_log "custom $codec: $PG17_PAIRS interleaved pairs"
        paired_ratio "$PG17_PAIRS" "$DUMPCHECK" --pg-restore-version=17 "$dump" -- \
            "${R17[@]}" -f /dev/null "$abs/$name"
        printf -v "${codec}_ratio" %s "$PAIRED"
        printf -v "${codec}_won" %s "$PAIRED_WON"
    done
    bench_log "chroot start cost: pg_restore --version through chroot and natively, 50 runs each"
    pg17_overhead 50 "$WORK" || bench_die "could not time the chroot start"
    pg17_umount
else
    bench_log "lz4 and zstd rows left out: $PG17_MISSING;" \
        "run (as root) bench/pg17.sh setup && bench/pg17.sh dumps"
fi

target "full check of the gzip custom dump <= 0.5 x \`pg_restore -f /dev/null\`: ratio $full_ratio" \
    "$(awk -v r="$full_ratio" 'BEGIN { print (r + 0 <= 0.5) ? 1 : 0 }')"
target "\`--quick\` on the gzip custom dump <= 0.1 s: $(bench_fmt_s "$quick_t" 0 | sed 's/ ± .*//')" \
    "$(awk -v t="$quick_t" 'BEGIN { print (t <= 0.1) ? 1 : 0 }')"
target "peak RSS of the full check of the gzip custom dump <= 32 MiB: $(bench_fmt_mib "$full_rss")" \
    "$(awk -v k="$full_rss" 'BEGIN { print (k != "" && k <= 32768) ? 1 : 0 }')"
if [ -z "$PG17_MISSING" ]; then
    # ratio: the chroot's start-up counted in pg_restore's time, as measured; ratio_net: without it
    ratio_net() {
        awk -v a="$1" -v b="$2" -v c="$PG17_OH_COST" 'BEGIN { printf "%.2f", a / (b - c) }'
    }
    ms() { awk -v s="$1" 'BEGIN { printf "%.1f ms", s * 1000 }'; }
    share() { awk -v c="$PG17_OH_COST" -v b="$1" 'BEGIN { printf "%.2f %%", 100 * c / b }'; }
    target "full check of the lz4 custom dump <= 1.0 x \`pg_restore -f /dev/null\` of PostgreSQL 17: median of $PG17_PAIRS interleaved pairs' ratios $lz4_ratio (dumpcheck faster in $lz4_won)" \
        "$(awk -v r="$lz4_ratio" 'BEGIN { print (r + 0 <= 1.0) ? 1 : 0 }')"
    target "full check of the zstd custom dump <= 1.0 x \`pg_restore -f /dev/null\` of PostgreSQL 17: median of $PG17_PAIRS interleaved pairs' ratios $zstd_ratio (dumpcheck faster in $zstd_won)" \
        "$(awk -v r="$zstd_ratio" 'BEGIN { print (r + 0 <= 1.0) ? 1 : 0 }')"
    TARGETS+=("- lz4 and zstd: pg_restore 17 runs through \`chroot\` in the Debian trixie root of"
        "  \`bench/pg17.sh\`, on dumps pg_dump 17 made (\`-Fc -Z lz4\`, \`-Fc -Z zstd\`) of the"
        "  benchmark database. What the chroot adds to each call, measured with \`pg_restore"
        "  --version\` (50 runs): $(ms "$PG17_OH_SELF") through \`chroot /\` against $(ms "$PG17_OH_NATIVE")"
        "  natively (pg_restore 15), so $(ms "$PG17_OH_COST"), i.e. $(share "$lz4_tb") of the lz4 and"
        "  $(share "$zstd_tb") of the zstd reference time (pg_restore 17 \`--version\` through the"
        "  chroot: $(ms "$PG17_OH_CHROOT")). It is left in the reference times; without it the"
        "  ratios of the table's means would be $(ratio_net "$lz4_ta" "$lz4_tb") (lz4) and"
        "  $(ratio_net "$zstd_ta" "$zstd_tb") (zstd). The targets use interleaved pairs (A B, B A, ...),"
        "  which a drift of this shared machine's speed cannot push to one side.")
else
    TARGETS+=("- lz4 and zstd custom dumps (target <= 1.0 x \`pg_restore -f /dev/null\` of PostgreSQL 17):"
        "  not measured ($PG17_MISSING). Run \`bench/pg17.sh setup && bench/pg17.sh dumps\`"
        "  (as root), then this script again; the PostgreSQL 15 here can neither write nor read"
        "  these dumps, bench/pg17.sh gets PostgreSQL 17 from a Debian trixie chroot.")
fi

report() {
    echo "$MARK_BEGIN"
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/check.sh --runs $RUNS\`" \
        "($("$HYPERFINE" --version), warm page cache, default \`-j $JOBS\`)."
    echo
    echo "- machine: $(bench_machine)"
    echo "- dumpcheck: $("$DUMPCHECK" --version | head -n 1); reference: $("$PG_RESTORE" --version)"
    [ -z "$PG17_REF" ] || echo "- reference for lz4 and zstd: $PG17_REF, through chroot (bench/pg17.sh)"
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
