# bench/lib.sh — settings and small helpers shared by bench/gen.sh and bench/run.sh.
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
