#!/usr/bin/env bash
# bench/convert_server.sh — dumpconvert (issue 12) against what people do without it, on the
# benchmark's gzip custom dump (bench/gen.sh), with a throwaway PostgreSQL 15 cluster
# (tests/live/lib.sh, bulk-load settings of bench/lib.sh) and pg_dump 17 (bench/pg17.sh's chroot):
#   (c) gzip -> zstd: `dumpconvert -Z zstd:3 -j 2 IN` vs today's only alternative, restoring IN
#       into a server (`createdb` + `pg_restore -j 2 -d`) and dumping it again with
#       `pg_dump -Fc -Z zstd` (17; zstd's default level is 3): the ratio of the wall times;
#   restore time: a pipe-written custom dump of the restored database (`pg_dump -Fc | cat`, 15,
#       no data offsets) and its dumpconvert copy (offsets written), each restored with
#       `pg_restore -j 2 -d` (15) into an empty database; what pg_restore 15 says about the
#       offset-less one from a real pipe too.
# One run of each (a restore of the benchmark database takes minutes); wall times from `date`.
#
# Usage: bench/convert_server.sh        Environment: BENCH_DIR (bench/lib.sh), DUMPCONVERT.
# Needs root (chroot, mount; the cluster runs as the postgres user).
# Output: a markdown report on stdout; exit 0 when every step worked, 3 when one could not run.

set -u
cd "$(dirname "$0")/.." || exit 3
# shellcheck source=bench/lib.sh
. bench/lib.sh
# shellcheck source=bench/pg17.sh
. bench/pg17.sh
# shellcheck source=tests/live/lib.sh
. tests/live/lib.sh

DUMPCONVERT=$(pwd)/${DUMPCONVERT:-tools/dumpconvert}
[ "$(id -u)" -eq 0 ] || bench_die "needs root (chroot, mount, the postgres user)"
pg17_ready || bench_die "no PostgreSQL 17 chroot in $PG17_ROOT (bench/pg17.sh setup)"
BENCH_DIR=$(pg17_abs "$BENCH_DIR") || bench_die "no BENCH_DIR"
PG17_ROOT=$BENCH_DIR/trixie
IN=$BENCH_DIR/$BENCH_CUSTOM_GZIP
[ -f "$IN" ] || bench_die "no $IN: run bench/gen.sh"
PG=$PG_BINDIR

# wall VAR COMMAND...: run COMMAND (stdout to /dev/null, stderr to $W/VAR.err), its seconds in VAR
wall() {
    local var=$1 t0 t1 rc
    shift
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>"$W/$var.err"
    rc=$?
    t1=$(date +%s.%N)
    printf -v "$var" '%s' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
    printf -v "${var}_rc" '%s' "$rc"
    bench_log "$var: ${!var} s, exit $rc"
    [ "$rc" -eq 0 ] || bench_log "  $(head -c 300 "$W/$var.err" | tr '\n' ' ')"
    return "$rc"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
restore_into() { "$PG/createdb" -T template0 -E UTF8 --locale=C "$1" && "$PG/pg_restore" -j 2 -d "$@"; }
pipe_dump() { "$PG/pg_dump" -Fc "$1" | cat >"$2"; }
pg_dump17() { chroot "$PG17_ROOT" "$PG17_BIN/pg_dump" "$@"; }

bench_cluster_settings
# shellcheck disable=SC2317  # called by tests/live/lib.sh after the cluster is gone
live_on_exit() { pg17_umount; }
live_start || bench_die "could not start a PostgreSQL 15 cluster"
W=$LIVE_TMP/work
mkdir -p "$W" && chown postgres: "$W"
pg17_mount "$BENCH_DIR" "$LIVE_TMP" || exit 3
bench_log "cluster in $LIVE_TMP"

# (c): dumpconvert first, then the server round trip
wall t_dc "$DUMPCONVERT" -q -Z zstd:3 -j 2 "$IN" -o "$W/dc.zstd.dump" || exit 3
wall t_rs restore_into alt "$IN" || exit 3
wall t_pd pg_dump17 -Fc -Z zstd -f "$W/alt.zstd.dump" alt || exit 3
t_alt=$(awk -v a="$t_rs" -v b="$t_pd" 'BEGIN { printf "%.1f", a + b }')
s_dc=$(bench_size "$W/dc.zstd.dump")
s_alt=$(bench_size "$W/alt.zstd.dump")

# restore time: pipe-written vs converted
pipe_dump alt "$W/pipe.dump" || bench_die "pg_dump -Fc | cat failed"
"$PG/dropdb" alt
off=$(tools/dumpcheck --quick "$W/pipe.dump" 2>&1 | grep -c no-data-offsets)
wall t_cv "$DUMPCONVERT" -q "$W/pipe.dump" -o "$W/conv.dump" || exit 3
wall t_rp restore_into rpipe "$W/pipe.dump"
"$PG/dropdb" rpipe
wall t_rc restore_into rconv "$W/conv.dump" || exit 3
"$PG/dropdb" rconv
"$PG/createdb" -T template0 rstdin
"$PG/pg_restore" -j 2 -d rstdin <"$W/pipe.dump" >/dev/null 2>"$W/stdin.err"
stdin_rc=$?
stdin_msg=$(grep -m 1 -o 'error: .*' "$W/stdin.err")

cat <<MD
Machine: $(bench_machine), load average $(cut -d ' ' -f 1-3 /proc/loadavg) at the end.
Input: \`$BENCH_CUSTOM_GZIP\`, $(bench_human "$(bench_size "$IN")"). One run each, wall seconds.

| (c) gzip -> zstd | seconds | output |
|---|---|---|
| \`dumpconvert -Z zstd:3 -j 2\` | ${t_dc} | $(bench_human "$s_dc") |
| \`createdb\` + \`pg_restore -j 2 -d\` (15) | ${t_rs} | |
| \`pg_dump -Fc -Z zstd\` (17) of that database | ${t_pd} | $(bench_human "$s_alt") |
| the server round trip, together | ${t_alt} | |
| **ratio round trip / dumpconvert** | **$(ratio "$t_alt" "$t_dc")x** | |

| restore, \`pg_restore -j 2 -d\` (15) into an empty database | seconds | exit |
|---|---|---|
| pipe-written \`pg_dump -Fc \| cat\` (15), no data offsets (dumpcheck: $off no-data-offsets) | ${t_rp} | ${t_rp_rc} |
| its \`dumpconvert\` copy, offsets written (conversion: ${t_cv} s) | ${t_rc} | ${t_rc_rc} |
| ratio pipe-written / converted | $(ratio "$t_rp" "$t_rc")x | |

From a real pipe (\`pg_restore -j 2 -d DB < pipe.dump\`) pg_restore 15 exits ${stdin_rc}: \`${stdin_msg}\`.
MD
