# bench/lib.sh — settings and small helpers shared by the benchmark scripts in bench/.
#
# Sourced, never run.  The cluster functions are not here: bench/gen.sh sources
# tests/live/lib.sh for those, so that there is one way to start a throwaway cluster.
#
# Settings (environment):
#   BENCH_DIR     where the dumps go (default bench/data; git ignores it)
#   BENCH_SCALE   1 = the full benchmark database (~700 MB of COPY text); 0.01 for a quick
#                 end-to-end try.  Rows of "big", pgbench scale and the number of small tables
#                 scale with it.
#   PG_BINDIR     PostgreSQL 15 binaries (default /usr/lib/postgresql/15/bin).  The reference
#                 tools are run from here, not through Debian's /usr/bin wrapper (a Perl
#                 script whose start-up would be timed too).
# shellcheck shell=bash disable=SC2034  # the names are used by the scripts that source this

BENCH_DIR=${BENCH_DIR:-bench/data}
BENCH_SCALE=${BENCH_SCALE:-1}
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}

# Archive file names inside BENCH_DIR, one per format pg_dump 15 can write.
BENCH_CUSTOM_GZIP=bench.custom.gzip.dump
BENCH_CUSTOM_NONE=bench.custom.none.dump
BENCH_DIR_GZIP=bench.dir.gzip
BENCH_DIR_NONE=bench.dir.none
BENCH_TAR=bench.tar
BENCH_PLAIN=bench.plain.sql
BENCH_PLAIN_GZ=bench.plain.sql.gz

bench_log() {
    printf '%s\n' "bench: $*" >&2
}

bench_die() {
    bench_log "$*"
    exit 3
}

# Integer arithmetic on a decimal scale: bench_scaled BASE MIN -> max(MIN, round(BASE*SCALE)).
bench_scaled() {
    awk -v b="$1" -v s="$BENCH_SCALE" -v m="$2" \
        'BEGIN { v = int(b * s + 0.5); if (v < m) v = m; print v }'
}

# Bytes of a file or a whole directory.
bench_size() {
    du -sb -- "$1" | awk '{print $1}'
}

bench_human() {
    awk -v b="$1" 'BEGIN {
        split("B KiB MiB GiB TiB", u, " "); i = 1
        while (b >= 1024 && i < 5) { b /= 1024; i++ }
        printf (i == 1 ? "%d %s" : "%.1f %s"), b, u[i]
    }'
}

# The stamp records what was generated; its presence means the data set is complete.
bench_stamp() {
    echo "$BENCH_DIR/stamp"
}

# Value of KEY in the stamp file (lines "key=value").
bench_stamp_get() {
    sed -n "s/^$1=//p" "$(bench_stamp)" 2>/dev/null | head -n 1
}

# bench_cluster_settings: how the scripts that start a PostgreSQL 15 cluster (tests/live/lib.sh)
# set it up: next to BENCH_DIR (the same disk; /tmp may be small) when the postgres user can
# reach it, else in /var/tmp; bulk-load settings (with wal_level=minimal, data loaded into a
# table created or truncated in the same transaction skips WAL).  LIVE_PARENT wins if set.
bench_cluster_settings() {
    if live_as_pg test -x "$BENCH_DIR"; then
        export LIVE_PARENT=${LIVE_PARENT:-$(cd "$BENCH_DIR" && pwd)}
    else
        export LIVE_PARENT=${LIVE_PARENT:-/var/tmp}
    fi
    export LIVE_WAL_LEVEL=minimal
    export LIVE_SERVER_OPTS="-c shared_buffers=256MB -c maintenance_work_mem=256MB -c checkpoint_timeout=30min"
}

# ---------------------------------------------------------------------------------------------
# Shared by the benchmark scripts (run.sh, check.sh, plain.sh, order.sh)
# ---------------------------------------------------------------------------------------------

# The script's own header comment, as its --help.
bench_help() {
    sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
}

# bench_common_option ARGS...: the options every script takes (--write, --runs N, --help).
# Sets WRITE or RUNS, and BENCH_SHIFT to the number of words used (0: not one of them).
bench_common_option() {
    BENCH_SHIFT=1
    case $1 in
    --write) WRITE=1 ;;
    --runs) RUNS=${2:-}; BENCH_SHIFT=2 ;;
    --runs=*) RUNS=${1#--runs=} ;;
    -h | --help) bench_help ;;
    *) BENCH_SHIFT=0 ;;
    esac
}

bench_check_runs() {
    case $RUNS in '' | *[!0-9]* | 0) bench_die "--runs needs a positive number" ;; esac
}

# Quote words for hyperfine -N (POSIX shell words).
bench_hf_words() {
    local w out=""
    for w in "$@"; do out="$out '${w//\'/\'\\\'\'}'"; done
    echo "${out# }"
}

# bench_peak_rss FILE CMD...: one run under /usr/bin/time -v (its report in FILE, the command's
# stderr in FILE.err); sets BENCH_RSS_KIB (peak RSS) and BENCH_RC (exit status).
bench_peak_rss() {
    local file=$1
    shift
    /usr/bin/time -v -o "$file" "$@" >/dev/null 2>"$file.err"
    BENCH_RC=$(sed -n 's/^\tExit status: //p' "$file")
    # "Command exited with non-zero status N" comes first when it failed
    [ -n "$BENCH_RC" ] || BENCH_RC=$(sed -n 's/^Command exited with non-zero status //p' "$file")
    BENCH_RSS_KIB=$(sed -n 's/^\tMaximum resident set size (kbytes): //p' "$file")
}

# bench_fmt_s SECONDS SD -> "12.3 ms ± 0.4" or "1.23 s ± 0.04" ("-" when empty)
bench_fmt_s() {
    awk -v t="$1" -v sd="$2" 'BEGIN {
        if (t == "") { print "-"; exit }
        if (t < 1) printf "%.1f ms ± %.1f", t * 1000, sd * 1000; else printf "%.2f s ± %.2f", t, sd }'
}

# bench_fmt_mib KIB -> "3.1 MiB" ("-" when empty)
bench_fmt_mib() {
    awk -v k="$1" 'BEGIN { if (k == "") print "-"; else printf "%.1f MiB", k / 1024 }'
}

# One line on the machine the figures come from.
bench_machine() {
    local cpu mem
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
    mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
    echo "$(nproc) CPUs (${cpu:-unknown CPU}), $mem RAM, $(uname -sr)"
}

# bench_write_results REPORT: replace the block between MARK_BEGIN and MARK_END of RESULTS
# (bench/RESULTS.md) with the file REPORT.  Returns 0, or 3 when RESULTS has no such block.
bench_write_results() {
    if ! grep -qF "$MARK_BEGIN" "$RESULTS" 2>/dev/null || ! grep -qF "$MARK_END" "$RESULTS"; then
        bench_log "$RESULTS has no $MARK_BEGIN ... $MARK_END block; not written"
        return 3
    fi
    python3 - "$RESULTS" "$1" "$MARK_BEGIN" "$MARK_END" <<'PY' || return 3
import sys
path, new, begin, end = sys.argv[1:5]
text = open(path, encoding="utf-8").read()
block = open(new, encoding="utf-8").read().rstrip("\n")
head, rest = text.split(begin, 1)
open(path, "w", encoding="utf-8").write(head + block + rest.split(end, 1)[1])
PY
    bench_log "updated $RESULTS"
}
