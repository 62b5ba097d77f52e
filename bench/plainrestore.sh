#!/usr/bin/env bash
# bench/plainrestore.sh — the benchmark's plain script restored two ways, side by side in one
# run (issue 14): `psql -f bench.plain.sql` into one empty database, against
# `dumpconvert -F c -Z zstd:3 -j 2 bench.plain.sql` followed by `pg_restore -j 2` into another.
# pg_restore 15 reads no zstd archive (1.15), so PostgreSQL 17's pg_restore runs through the
# Debian trixie chroot of bench/pg17.sh against the PostgreSQL 15 server (`sudo bench/pg17.sh
# setup` first); without the chroot, `-Z gzip:1` and pg_restore 15 are used instead (said so in
# the report).  Both databases are then dumped with pg_dump 15 and compared (sorted lines: the
# physical row order of a COPY load is not the table's content).
#
# Usage: bench/plainrestore.sh [--runs N]   (N rounds, psql first then the conversion; default 1)
# Environment: BENCH_DIR, PG_BINDIR (bench/lib.sh), DUMPCONVERT (default tools/dumpconvert).
# Needs root (the cluster runs as the postgres user; the chroot).  Output: progress on stderr,
# a markdown report on stdout.  Exit 0 when every round restored without errors and equal.
set -u
cd "$(dirname "$0")/.." || exit 3
# shellcheck source=bench/lib.sh
. bench/lib.sh
# shellcheck source=bench/pg17.sh
. bench/pg17.sh # sourced: PG17_* names and pg17_* functions only
# shellcheck source=tests/live/lib.sh
. tests/live/lib.sh

RUNS=1
[ "${1:-}" = --runs ] && RUNS=$2
DUMPCONVERT=$(realpath "${DUMPCONVERT:-tools/dumpconvert}") || exit 3
PLAIN=$BENCH_DIR/$BENCH_PLAIN
[ -f "$PLAIN" ] || bench_die "no $PLAIN: run bench/gen.sh"
live_can_run || bench_die "needs root (to run PostgreSQL as the postgres user)"
BENCH_DIR=$(pg17_abs "$BENCH_DIR") || exit 3
PLAIN=$BENCH_DIR/$BENCH_PLAIN
if pg17_ready 2>/dev/null; then
    CODEC=zstd:3 RESTORER="pg_restore 17 (chroot)"
else
    CODEC=gzip:1 RESTORER="pg_restore 15 (no pg17 chroot: gzip:1)"
fi

bench_cluster_settings
# shellcheck disable=SC2317  # called by tests/live/lib.sh when the cluster is stopped
live_on_exit() { pg17_umount 2>/dev/null; }
live_start || bench_die "could not start a PostgreSQL 15 cluster"
bench_log "cluster started in $LIVE_TMP"
W=$LIVE_TMP/plainrestore
mkdir -p "$W" && chmod 755 "$LIVE_TMP" "$W"
[ "$CODEC" = zstd:3 ] && { pg17_mount "$BENCH_DIR" "$LIVE_TMP" || exit 3; }

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
restore() { # restore DB ARCHIVE
    if [ "$CODEC" = zstd:3 ]; then
        chroot "$PG17_ROOT" "$PG17_BIN/pg_restore" -j 2 -d "$1" "$2"
    else
        "$PG_BINDIR/pg_restore" -j 2 -d "$1" "$2"
    fi
}

status=0 rows=()
for ((i = 1; i <= RUNS; i++)); do
    ref=ref_$i conv=conv_$i
    "$PG_BINDIR/createdb" -T template0 -E UTF8 --locale=C "$ref" || exit 3
    "$PG_BINDIR/createdb" -T template0 -E UTF8 --locale=C "$conv" || exit 3
    bench_log "round $i/$RUNS: psql -f"
    t0=$(now)
    live_psql -d "$ref" -f "$PLAIN" >/dev/null 2>"$W/psql.err"
    st_psql=$?
    t1=$(now)
    bench_log "round $i/$RUNS: dumpconvert -Z $CODEC -j 2, then $RESTORER -j 2"
    rm -f "$W/conv.dump"
    "$DUMPCONVERT" -q -F c -Z "$CODEC" -j 2 "$PLAIN" -o "$W/conv.dump" 2>"$W/conv.err"
    st_conv=$?
    t2=$(now)
    restore "$conv" "$W/conv.dump" >/dev/null 2>"$W/restore.err"
    st_rest=$?
    t3=$(now)
    live_dump_of "$ref" | sort >"$W/ref.sql"
    live_dump_of "$conv" | sort >"$W/conv.sql"
    if cmp -s "$W/ref.sql" "$W/conv.sql"; then same=yes; else same=NO; fi
    # pg_restore 17 sets transaction_timeout on each connection whatever the server's version;
    # a PostgreSQL 15 server rejects it (4 connections at -j 2, then "errors ignored: N"):
    # pg_restore's own session set-up, not the archive's SQL, so not counted
    other=$(grep -cv -e 'transaction_timeout' -e 'errors ignored on restore' "$W/restore.err")
    errs=$(($(wc -l <"$W/psql.err") + other))
    [ $st_rest -ne 0 ] && [ "$other" -eq 0 ] && st_rest="1, transaction_timeout only"
    for f in psql conv restore; do
        [ -s "$W/$f.err" ] && bench_log "round $i: $f said: $(head -c 2000 "$W/$f.err")"
    done
    case $st_psql.$st_conv.$errs.$same in 0.0.0.yes) ;; *) status=1 ;; esac
    case $st_rest in 0 | "1, transaction_timeout only") ;; *) status=1 ;; esac
    rows+=("| $i | $(secs "$t0" "$t1") s (exit $st_psql) | $(secs "$t1" "$t2") s (exit $st_conv) | $(secs "$t2" "$t3") s (exit $st_rest) | $(secs "$t1" "$t3") s | $(awk -v a="$(secs "$t1" "$t3")" -v b="$(secs "$t0" "$t1")" 'BEGIN { printf "%.2f", a / b }') | $errs | $same |")
    "$PG_BINDIR/dropdb" "$ref"
    "$PG_BINDIR/dropdb" "$conv"
    rm -f "$W/conv.dump"
done
[ "$CODEC" = zstd:3 ] && pg17_umount
live_stop

cat <<EOF
Machine: $(bench_machine). Script: \`$BENCH_PLAIN\`, $(bench_human "$(bench_size "$PLAIN")"). Server:
PostgreSQL 15 (bulk-load settings of bench/lib.sh). Conversion: \`dumpconvert -F c -Z $CODEC -j 2\`;
restore: $RESTORER \`-j 2 -d\`.

| round | \`psql -f\` | dumpconvert | pg_restore -j 2 | convert + restore | ratio to psql -f | error lines | pg_dump equal (sorted) |
|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")
EOF
exit $status
