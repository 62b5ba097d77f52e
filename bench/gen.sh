#!/usr/bin/env bash
# bench/gen.sh — generates the benchmark dumps every later issue measures against.
#
# A throwaway PostgreSQL 15 cluster (tests/live/lib.sh) is filled with
#   big          3,000,000 rows of (id bigint, ts timestamptz, note text, doc jsonb), notes of
#                varying length, small jsonb objects
#   pgbench      `pgbench -i -s 20` (pgbench_accounts: 2,000,000 rows)
#   t001..t300   300 small tables of 1,000 rows each
# (~700 MB of COPY text at BENCH_SCALE=1), then dumped by pg_dump 15 in every format it writes:
#   bench.custom.gzip.dump  -Fc (gzip, the default)    bench.custom.none.dump  -Fc -Z0
#   bench.dir.gzip          -Fd                        bench.dir.none          -Fd -Z0
#   bench.tar               -Ft                        bench.plain.sql         -Fp
#   bench.plain.sql.gz      -Fp -Z6
# pg_dump 15 cannot write lz4 or zstd (16+ only).  The cluster is stopped and deleted at the
# end; only the dumps and BENCH_DIR/stamp stay.  Needs root (or the postgres user).
#
# Usage: bench/gen.sh [--force]        (from anywhere; paths are relative to the repo root)
#   --force       regenerate even if BENCH_DIR/stamp says the data set is complete
# Environment: BENCH_DIR (default bench/data), BENCH_SCALE (default 1; 0.01 for a quick try),
#              PG_BINDIR.  See bench/lib.sh.
set -u
cd "$(dirname "$0")/.." || exit 3
# shellcheck source=bench/lib.sh
. bench/lib.sh
# shellcheck source=tests/live/lib.sh
. tests/live/lib.sh

FORCE=0
for arg in "$@"; do
    case $arg in
    --force) FORCE=1 ;;
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) bench_die "unknown option \"$arg\" (try --help)" ;;
    esac
done

DB=bench
BIG_ROWS=$(bench_scaled 3000000 1000)
PGBENCH_SCALE=$(bench_scaled 20 1)
SMALL_TABLES=$(bench_scaled 300 3)
SMALL_ROWS=1000

if [ -f "$(bench_stamp)" ] && [ "$FORCE" = 0 ]; then
    if [ "$(bench_stamp_get scale)" = "$BENCH_SCALE" ]; then
        bench_log "$BENCH_DIR is complete (scale $BENCH_SCALE); use --force to regenerate"
        sed 's/^/    /' "$(bench_stamp)" >&2
        exit 0
    fi
    bench_log "$BENCH_DIR holds scale $(bench_stamp_get scale), regenerating for $BENCH_SCALE"
fi
live_can_run || bench_die "needs root (to run PostgreSQL as the postgres user) or user postgres"
[ -x "$PG_BINDIR/pg_dump" ] || bench_die "no PostgreSQL 15 in $PG_BINDIR"

mkdir -p "$BENCH_DIR" || exit 3
BENCH_DIR=$(cd "$BENCH_DIR" && pwd) || exit 3

# ---------------------------------------------------------------------------------------------
# cluster: next to the data (same disk, and /tmp may be small); postgres must reach it
# ---------------------------------------------------------------------------------------------
bench_cluster_settings

STARTED_AT=$(date +%s)
step_start=$STARTED_AT
step() {
    local now
    now=$(date +%s)
    bench_log "$(printf '%-40s %4ds' "$1" $((now - step_start)))"
    step_start=$now
}

rm -f -- "$(bench_stamp)"
live_install_traps
live_start || bench_die "could not start a PostgreSQL 15 cluster"
step "cluster started in $LIVE_TMP"
"$PG_BINDIR/createdb" -T template0 -E UTF8 --locale=C "$DB" || exit 3

# big: ids in order, timestamps 7.3 s apart, notes of 0..~230 characters (a few NULL) mixing
# words and hex so that gzip gets the ratio of real text, small jsonb objects.
live_psql -d "$DB" -v rows="$BIG_ROWS" <<'SQL' || exit 3
BEGIN;
CREATE TABLE big (id bigint NOT NULL, ts timestamptz NOT NULL, note text, doc jsonb);
INSERT INTO big
SELECT g,
       timestamptz '2020-01-01 00:00:00+00' + g * interval '7.3 seconds',
       CASE WHEN g % 53 = 0 THEN NULL
            ELSE left((ARRAY['order', 'refund', 'shipment', 'invoice', 'customer', 'note'])[1 + g % 6]
                      || ' ' || md5(g::text) || ' status '
                      || (ARRAY['ok', 'pending', 'failed', 'retry'])[1 + (g / 7) % 4] || ' '
                      || md5((g * 31)::text) || ' by user' || (g % 997) || ' '
                      || md5((g * 17)::text) || ' ' || repeat('lorem ipsum ', (g % 5)::int),
                      ((g * 7919) % 165)::int) END,
       jsonb_build_object('k', g % 1000, 'tag', 't' || (g % 37), 'ok', g % 3 = 0,
                          'score', round(((g * 7907) % 100000) / 1000.0, 3))
FROM generate_series(1::bigint, :rows) AS g;
COMMIT;
ALTER TABLE big ADD PRIMARY KEY (id);
SQL
step "big: $BIG_ROWS rows"

"$PG_BINDIR/pgbench" -i -q -s "$PGBENCH_SCALE" "$DB" >"$LIVE_TMP/pgbench.log" 2>&1 || {
    cat "$LIVE_TMP/pgbench.log" >&2
    exit 3
}
step "pgbench -i -s $PGBENCH_SCALE"

live_psql -d "$DB" -v ntables="$SMALL_TABLES" -v nrows="$SMALL_ROWS" <<'SQL' || exit 3
-- psql variables do not reach into a DO body: pass them as session settings
SELECT set_config('bench.ntables', :'ntables', false), set_config('bench.nrows', :'nrows', false)
\g /dev/null
DO $$
DECLARE
    n int := current_setting('bench.ntables')::int;
    r int := current_setting('bench.nrows')::int;
    t text;
BEGIN
    FOR i IN 1 .. n LOOP
        t := format('t%s', lpad(i::text, 3, '0'));
        EXECUTE format('CREATE TABLE %I (id int PRIMARY KEY, name text NOT NULL, qty int,
                        price numeric(10,2), created date, flags text[])', t);
        EXECUTE format('INSERT INTO %I SELECT g, %L || g, g %% 17, (g * 1.25)::numeric(10,2),
                        date ''2024-01-01'' + g %% 365,
                        CASE WHEN g %% 4 = 0 THEN NULL ELSE ARRAY[''a'' || g %% 3, ''b''] END
                        FROM generate_series(1, $1) g', t, 'item ' || t || ' #')
            USING r;
    END LOOP;
END
$$;
SQL
step "$SMALL_TABLES small tables of $SMALL_ROWS rows"
live_psql -d "$DB" -c "VACUUM ANALYZE" || exit 3
step "vacuum analyze"

# ---------------------------------------------------------------------------------------------
# dumps
# ---------------------------------------------------------------------------------------------
JOBS=$(nproc 2>/dev/null || echo 2)
dump() {
    local name=$1
    shift
    rm -rf -- "${BENCH_DIR:?}/$name"
    "$PG_BINDIR/pg_dump" "$@" -f "$BENCH_DIR/$name" "$DB" || bench_die "pg_dump $* failed"
    step "$name ($(bench_human "$(bench_size "$BENCH_DIR/$name")"))"
}
dump "$BENCH_CUSTOM_GZIP" -Fc
dump "$BENCH_CUSTOM_NONE" -Fc -Z0
dump "$BENCH_DIR_GZIP" -Fd -j "$JOBS"
dump "$BENCH_DIR_NONE" -Fd -Z0 -j "$JOBS"
dump "$BENCH_TAR" -Ft
dump "$BENCH_PLAIN" -Fp
dump "$BENCH_PLAIN_GZ" -Fp -Z6

live_stop
step "cluster stopped and removed"

# ---------------------------------------------------------------------------------------------
# stamp and report
# ---------------------------------------------------------------------------------------------
{
    echo "scale=$BENCH_SCALE"
    echo "created=$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "pg_dump=$("$PG_BINDIR/pg_dump" --version)"
    echo "big_rows=$BIG_ROWS"
    echo "pgbench_scale=$PGBENCH_SCALE"
    echo "small_tables=$SMALL_TABLES"
    echo "small_rows=$SMALL_ROWS"
    echo "seconds=$(($(date +%s) - STARTED_AT))"
    for f in "$BENCH_CUSTOM_GZIP" "$BENCH_CUSTOM_NONE" "$BENCH_DIR_GZIP" "$BENCH_DIR_NONE" \
        "$BENCH_TAR" "$BENCH_PLAIN" "$BENCH_PLAIN_GZ"; do
        echo "size:$f=$(bench_size "$BENCH_DIR/$f")"
    done
} >"$(bench_stamp).tmp" && mv -- "$(bench_stamp).tmp" "$(bench_stamp)"

echo "benchmark data in $BENCH_DIR (scale $BENCH_SCALE, $(bench_stamp_get seconds) s):"
sed -n 's/^size:\(.*\)=\(.*\)$/\1 \2/p' "$(bench_stamp)" | while read -r f bytes; do
    printf '  %-26s %12s bytes  %10s\n' "$f" "$bytes" "$(bench_human "$bytes")"
done
echo "  (the plain dump's size is about the COPY text size)"
