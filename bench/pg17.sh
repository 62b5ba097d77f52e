#!/usr/bin/env bash
# bench/pg17.sh — PostgreSQL 17's pg_dump and pg_restore on this Debian 12 machine, for the lz4
# and zstd rows of bench/check.sh (issue 4).
#
# PostgreSQL 15, the only one Debian 12 packages, can neither write lz4 or zstd custom dumps
# (pg_dump 16+) nor read archives of version 1.15+ (pg_restore 16+).  Debian 13 (trixie)
# packages PostgreSQL 17, but its packages need trixie's newer glibc; so this script makes a
# minimal trixie root file system with debootstrap and runs the PostgreSQL 17 client programs
# in it with chroot.  Files of this machine keep their paths: the directories that hold them
# are bind-mounted into the chroot at the same path (and /proc at /proc) for the duration of a
# call, and unmounted afterwards, also when the call fails or is interrupted.
#
# Usage: bench/pg17.sh setup | dumps | check | run PROGRAM [ARG]... | overhead | status | umount
#   setup     make the chroot BENCH_DIR/trixie, once: debootstrap --variant=minbase
#             --include=postgresql-client-17 trixie (from http://deb.debian.org/debian, or
#             PG17_MIRROR; about a minute, 280 MiB).  The stamp file trixie/.dumpfmt-pg17 marks it
#             complete; a second run does nothing.  A half-made chroot (no stamp) is deleted and
#             made again.
#   dumps     make BENCH_DIR/bench.custom.lz4.dump and bench.custom.zstd.dump if missing:
#             bench.custom.gzip.dump (bench/gen.sh) is restored with pg_restore 15 -j 2 into a
#             throwaway PostgreSQL 15 cluster (tests/live/lib.sh; about a minute in all), which
#             pg_dump 17 dumps with -Fc -Z lz4 and -Fc -Z zstd; then runs `check`
#   check     check the lz4 and zstd dumps: rows per table of `tools/dumpls --long --json` equal
#             to those of the gzip dump, `pg_restore -l` of 17 reads them, and (reported, not
#             fatal) `TZ=UTC tools/dumpls --pg-restore-version 17` prints the same bytes
#   run       run PROGRAM of PostgreSQL 17 (pg_restore, pg_dump, psql, ...) in the chroot, in the
#             current directory, with the current directory, BENCH_DIR, PGHOST (when it is a
#             socket directory) and the directories in PG17_BIND (colon-separated) mounted:
#                 bench/pg17.sh run pg_restore -l bench/data/bench.custom.zstd.dump
#   overhead  what starting a program through chroot costs: hyperfine (100 runs) of
#             `chroot ROOT pg_restore --version` (17), pg_restore 15 --version natively and
#             `chroot / pg_restore --version` (15: differs from the native run only by chroot)
#   status    say whether the chroot and the dumps are there, and list leftover mounts
#   umount    unmount whatever is still mounted below the chroot (after a kill -9)
# Needs root (chroot, mount; the cluster of `dumps` runs as the postgres user).
#
# Timing caveat: a program run through the chroot pays for one more exec (chroot(8)) and loads
# its shared libraries from the chroot's files; `overhead` measures that fixed start cost (here
# 0.3-1.6 ms for chroot(8) itself, 5-9 ms for the whole `pg_restore --version` of 17 through it,
# against 0.3-0.9 s for `pg_restore -f /dev/null` of the lz4 and zstd benchmark dumps), and
# bench/check.sh measures it again and prints it next to the lz4 and zstd ratios.
#
# Sourced (by bench/check.sh, from the repository root, after bench/lib.sh) it runs nothing and
# defines, for the caller:
#   PG17_ROOT, PG17_BIN (the bin directory inside the chroot), PG17_CUSTOM_LZ4, PG17_CUSTOM_ZSTD
#   pg17_ready                 0 when the chroot is complete
#   pg17_abs DIR               DIR as an absolute path without symbolic links
#   pg17_mount [--ro] DIR...   bind-mount DIRs and /proc into the chroot (callers trap
#                              pg17_umount on EXIT)
#   pg17_umount                unmount what pg17_mount mounted, in reverse order
#   pg17_overhead RUNS DIR     time the chroot start (see `overhead`), JSON in DIR; sets
#                              PG17_OH_CHROOT, PG17_OH_NATIVE, PG17_OH_SELF (+ _SD), PG17_OH_COST
# Environment: BENCH_DIR, PG_BINDIR (bench/lib.sh), PG17_MIRROR, PG17_BIND.
# Exit status: 0 done, 1 a check failed, 3 could not run.
set -u
PG17_ORIG_PWD=$(pwd -P)
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    cd "$(dirname "$0")/.." || exit 3
fi
# shellcheck source=bench/lib.sh
. bench/lib.sh

PG17_ROOT=$BENCH_DIR/trixie
PG17_BIN=/usr/lib/postgresql/17/bin
PG17_STAMP=.dumpfmt-pg17
PG17_MIRROR=${PG17_MIRROR:-http://deb.debian.org/debian}
PG17_CUSTOM_LZ4=bench.custom.lz4.dump
PG17_CUSTOM_ZSTD=bench.custom.zstd.dump
PG17_MOUNTED=() # mount points made by pg17_mount, in order

pg17_ready() {
    [ -f "$PG17_ROOT/$PG17_STAMP" ] && [ -x "$PG17_ROOT$PG17_BIN/pg_restore" ]
}

# Absolute, symlink-free path of an existing directory.
pg17_abs() {
    (cd -- "$1" 2>/dev/null && pwd -P)
}

# Mount points at or below the chroot in this mount namespace, deepest first.
pg17_mounts_below() {
    local root
    root=$(pg17_abs "$PG17_ROOT") || return 0
    awk '{ print $5 }' /proc/self/mountinfo | while read -r m; do
        m=$(printf '%b' "$m") # mountinfo writes spaces etc. as octal escapes
        case $m in "$root" | "$root"/*) echo "$m" ;; esac
    done | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f 2-
}

# pg17_mount [--ro] DIR...: bind-mount each DIR at its own path inside the chroot (skipping one
# already visible through an earlier DIR of the same file system), and /proc.
pg17_mount() {
    local ro=0 d abs root done_dirs=() p skip
    if [ "${1:-}" = --ro ]; then ro=1; shift; fi
    root=$(pg17_abs "$PG17_ROOT") || { bench_log "no chroot at $PG17_ROOT"; return 3; }
    if ! mountpoint -q "$root/proc"; then
        mount -t proc proc "$root/proc" || { bench_log "could not mount /proc in $root"; return 3; }
        PG17_MOUNTED+=("$root/proc")
    fi
    for d in "$@"; do
        abs=$(pg17_abs "$d") || { bench_log "no directory $d"; return 3; }
        case $abs in
        / | /usr | /usr/* | /etc | /etc/* | /lib* | /bin | /sbin | /proc | /proc/* | /dev | /dev/*)
            bench_log "will not mount $abs over the chroot's own $abs"
            return 3
            ;;
        "$root" | "$root"/*) continue ;; # inside the chroot already
        esac
        skip=0
        for p in "${done_dirs[@]}"; do
            case $abs in "$p" | "$p"/*)
                [ "$(stat -c %d -- "$abs")" = "$(stat -c %d -- "$p")" ] && skip=1 ;;
            esac
        done
        [ "$skip" = 1 ] && continue
        mkdir -p -- "$root$abs" || return 3
        mount --bind -- "$abs" "$root$abs" || { bench_log "could not bind-mount $abs"; return 3; }
        PG17_MOUNTED+=("$root$abs")
        if [ "$ro" = 1 ]; then
            mount -o remount,bind,ro -- "$root$abs" || { bench_log "could not make $abs read-only"; return 3; }
        fi
        done_dirs+=("$abs")
    done
    return 0
}

pg17_umount() {
    local i m rc=0
    for ((i = ${#PG17_MOUNTED[@]} - 1; i >= 0; i--)); do
        m=${PG17_MOUNTED[i]}
        umount -- "$m" 2>/dev/null || umount -l -- "$m" || { bench_log "could not unmount $m"; rc=3; }
    done
    PG17_MOUNTED=()
    return "$rc"
}

# pg17_overhead RUNS DIR: hyperfine of what a call through chroot costs at start, on three
# commands: pg_restore 17 --version through the chroot (the fixed start of every pg_restore 17
# call), pg_restore 15 --version natively, and the same through `chroot /` (so that the two
# differ only by the chroot(8) exec).  Sets PG17_OH_CHROOT, PG17_OH_NATIVE, PG17_OH_SELF (mean
# seconds), their standard deviations PG17_OH_*_SD, and PG17_OH_COST = SELF - NATIVE.
pg17_overhead() {
    local runs=$1 dir=$2
    hyperfine -N -i --style none --warmup 5 --runs "$runs" --export-json "$dir/pg17-overhead.json" \
        -- "$(bench_hf_words chroot "$PG17_ROOT" "$PG17_BIN/pg_restore" --version)" \
        "$(bench_hf_words "$PG_BINDIR/pg_restore" --version)" \
        "$(bench_hf_words chroot / "$PG_BINDIR/pg_restore" --version)" \
        >"$dir/pg17-overhead.hf" 2>&1 || {
        bench_log "hyperfine failed: $(tail -n 3 "$dir/pg17-overhead.hf")"
        return 3
    }
    read -r PG17_OH_CHROOT PG17_OH_CHROOT_SD PG17_OH_NATIVE PG17_OH_NATIVE_SD \
        PG17_OH_SELF PG17_OH_SELF_SD < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(" ".join("%.6f %.6f" % (x["mean"], x.get("stddev") or 0.0) for x in r))' \
        "$dir/pg17-overhead.json")
    PG17_OH_COST=$(awk -v a="$PG17_OH_SELF" -v b="$PG17_OH_NATIVE" 'BEGIN { printf "%.6f", a - b }')
}

# ---------------------------------------------------------------------------------------------
# subcommands (run only when the script is run, not sourced)
# ---------------------------------------------------------------------------------------------

pg17_need_root() {
    [ "$(id -u)" -eq 0 ] || bench_die "needs root (chroot, mount)"
}

pg17_need_chroot() {
    pg17_ready || bench_die "no PostgreSQL 17 chroot in $PG17_ROOT (run bench/pg17.sh setup)"
}

pg17_cmd_setup() {
    pg17_need_root
    if pg17_ready; then
        bench_log "$PG17_ROOT is complete: $(chroot "$PG17_ROOT" "$PG17_BIN/pg_restore" --version)"
        return 0
    fi
    command -v debootstrap >/dev/null || bench_die "debootstrap missing (apt-get install -y debootstrap)"
    mkdir -p -- "$BENCH_DIR" || exit 3
    if [ -e "$PG17_ROOT" ]; then
        [ -z "$(pg17_mounts_below)" ] ||
            bench_die "$PG17_ROOT is half made and has mounts below it (bench/pg17.sh umount)"
        bench_log "deleting the half-made $PG17_ROOT"
        rm -rf --one-file-system -- "$PG17_ROOT" || bench_die "could not delete $PG17_ROOT"
    fi
    local start log=$BENCH_DIR/trixie.debootstrap.log
    start=$(date +%s)
    bench_log "debootstrap trixie into $PG17_ROOT (log: $log)"
    if ! debootstrap --variant=minbase --include=postgresql-client-17 trixie "$PG17_ROOT" \
        "$PG17_MIRROR" >"$log" 2>&1; then
        tail -n 15 "$log" | sed 's/^/    /' >&2
        # the base system may be fine and only the extra package have failed
        [ -x "$PG17_ROOT/usr/bin/apt-get" ] || bench_die "debootstrap failed (see $log)"
        bench_log "debootstrap --include failed; trying apt-get inside the chroot"
        pg17_mount || { pg17_umount; exit 3; }
        trap 'pg17_umount' EXIT
        if ! chroot "$PG17_ROOT" /usr/bin/apt-get update >>"$log" 2>&1 ||
            ! DEBIAN_FRONTEND=noninteractive chroot "$PG17_ROOT" /usr/bin/apt-get install -y \
                --no-install-recommends postgresql-client-17 >>"$log" 2>&1; then
            pg17_umount
            bench_die "apt-get install postgresql-client-17 failed (see $log)"
        fi
        pg17_umount
        trap - EXIT
    fi
    [ -x "$PG17_ROOT$PG17_BIN/pg_restore" ] || bench_die "no $PG17_BIN/pg_restore in the chroot"
    # `pg_restore -f /dev/null` inside must write to a device, not a file in the chroot
    [ -c "$PG17_ROOT/dev/null" ] || bench_die "$PG17_ROOT/dev/null is not a device"
    local version
    version=$(chroot "$PG17_ROOT" "$PG17_BIN/pg_restore" --version) || bench_die "pg_restore 17 does not run"
    {
        echo "created=$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
        echo "mirror=$PG17_MIRROR"
        echo "pg_restore=$version"
        echo "pg_dump=$(chroot "$PG17_ROOT" "$PG17_BIN/pg_dump" --version)"
        echo "seconds=$(($(date +%s) - start))"
    } >"$PG17_ROOT/$PG17_STAMP.tmp" && mv -- "$PG17_ROOT/$PG17_STAMP.tmp" "$PG17_ROOT/$PG17_STAMP"
    bench_log "done in $(($(date +%s) - start)) s: $version, $(bench_human "$(bench_size "$PG17_ROOT")")"
}

pg17_cmd_check() {
    pg17_need_root
    pg17_need_chroot
    local gz=$BENCH_DIR/$BENCH_CUSTOM_GZIP f name rc=0 work
    [ -f "$gz" ] || bench_die "no $gz (run bench/gen.sh)"
    work=$(mktemp -d "${TMPDIR:-/tmp}/dumpfmt-pg17.XXXXXX") || exit 3
    # shellcheck disable=SC2064  # expand now
    trap "pg17_umount; rm -rf -- '$work'" EXIT
    pg17_mount --ro "$BENCH_DIR" || exit 3
    tools/dumpls --long --json --no-progress "$gz" >"$work/gzip.json" || bench_die "dumpls --long $gz failed"
    for name in "$PG17_CUSTOM_LZ4" "$PG17_CUSTOM_ZSTD"; do
        f=$(pg17_abs "$BENCH_DIR")/$name
        if [ ! -f "$f" ]; then
            bench_log "$name: missing (bench/pg17.sh dumps)"
            rc=1
            continue
        fi
        if chroot "$PG17_ROOT" "$PG17_BIN/pg_restore" -l "$f" >/dev/null 2>"$work/$name.err"; then
            bench_log "$name: pg_restore 17 -l reads it"
        else
            bench_log "$name: pg_restore 17 -l failed: $(head -n 3 "$work/$name.err")"
            rc=1
        fi
        if ! tools/dumpls --long --json --no-progress "$f" >"$work/$name.json"; then
            bench_log "$name: dumpls --long failed"
            rc=1
        elif python3 - "$work/gzip.json" "$work/$name.json" "$name" <<'PY'; then
import json, sys
def rows(path):
    doc = json.load(open(path))
    out = {}
    for e in doc["entries"]:
        if e.get("rows") is not None:
            out[(e["desc"], e["schema"], e["tag"])] = e["rows"]
    return doc, out
g, gr = rows(sys.argv[1])
n, nr = rows(sys.argv[2])
name = sys.argv[3]
print("bench: %s: %s, archive %s, %d data entries, %d rows (gzip dump: %d entries, %d rows)"
      % (name, n["compression"], n["archive_version"], len(nr), sum(nr.values()), len(gr),
         sum(gr.values())), file=sys.stderr)
diff = sorted(k for k in gr.keys() | nr.keys() if gr.get(k) != nr.get(k))
for k in diff[:10]:
    print("bench:   %s %s.%s: gzip %s, %s %s" % (k[0], k[1], k[2], gr.get(k), name, nr.get(k)),
          file=sys.stderr)
sys.exit(1 if diff or not nr else 0)
PY
            bench_log "$name: rows per table equal to the gzip dump's"
        else
            bench_log "$name: rows differ from the gzip dump's"
            rc=1
        fi
        # oracle (reported only): dumpls prints what pg_restore -l of 17 prints
        TZ=UTC chroot "$PG17_ROOT" "$PG17_BIN/pg_restore" -l "$f" >"$work/$name.pg" 2>/dev/null
        TZ=UTC tools/dumpls --pg-restore-version 17 "$f" >"$work/$name.ls" 2>/dev/null
        if cmp -s "$work/$name.pg" "$work/$name.ls"; then
            bench_log "$name: TZ=UTC dumpls --pg-restore-version 17 = pg_restore 17 -l, byte for byte ($(wc -l <"$work/$name.pg") lines)"
        else
            bench_log "$name: dumpls --pg-restore-version 17 differs from pg_restore 17 -l (not fatal):"
            diff "$work/$name.pg" "$work/$name.ls" | head -n 20 | sed 's/^/    /' >&2
        fi
    done
    return "$rc"
}

pg17_cmd_dumps() {
    pg17_need_root
    pg17_need_chroot
    local gz=$BENCH_DIR/$BENCH_CUSTOM_GZIP todo=() name db=bench start
    if [ ! -f "$(bench_stamp)" ] || [ ! -f "$gz" ]; then
        bench_die "no $gz (run bench/gen.sh first)"
    fi
    for name in "$PG17_CUSTOM_LZ4" "$PG17_CUSTOM_ZSTD"; do
        [ -f "$BENCH_DIR/$name" ] || todo+=("$name")
    done
    if [ ${#todo[@]} -eq 0 ]; then
        bench_log "$PG17_CUSTOM_LZ4 and $PG17_CUSTOM_ZSTD are there (delete them to make them again)"
        pg17_cmd_check
        return
    fi
    # shellcheck source=tests/live/lib.sh
    . tests/live/lib.sh
    live_can_run || bench_die "needs root (to run PostgreSQL as the postgres user)"
    BENCH_DIR=$(pg17_abs "$BENCH_DIR") || exit 3
    bench_cluster_settings # as bench/gen.sh: next to the data, bulk-load settings
    # live_exit_trap stops the cluster, then calls this
    # shellcheck disable=SC2317  # called by tests/live/lib.sh
    live_on_exit() { pg17_umount; }
    start=$(date +%s)
    live_start || bench_die "could not start a PostgreSQL 15 cluster"
    bench_log "cluster started in $LIVE_TMP"
    "$PG_BINDIR/createdb" -T template0 -E UTF8 --locale=C "$db" || exit 3
    "$PG_BINDIR/pg_restore" -j 2 -d "$db" "$gz" || bench_die "pg_restore 15 -j 2 -d $db $gz failed"
    bench_log "restored $BENCH_CUSTOM_GZIP in $(($(date +%s) - start)) s"
    # the socket directory is below BENCH_DIR unless LIVE_PARENT says otherwise
    pg17_mount "$BENCH_DIR" "$LIVE_TMP" || exit 3
    for name in "${todo[@]}"; do
        local z=${name#bench.custom.} t0
        z=${z%.dump}
        t0=$(date +%s)
        rm -f -- "$BENCH_DIR/$name.tmp"
        chroot "$PG17_ROOT" "$PG17_BIN/pg_dump" -Fc -Z "$z" -f "$BENCH_DIR/$name.tmp" "$db" ||
            { rm -f -- "$BENCH_DIR/$name.tmp"; bench_die "pg_dump 17 -Fc -Z $z failed"; }
        mv -- "$BENCH_DIR/$name.tmp" "$BENCH_DIR/$name" || exit 3
        bench_log "$name: $(bench_human "$(bench_size "$BENCH_DIR/$name")") in $(($(date +%s) - t0)) s"
    done
    pg17_umount
    live_stop
    bench_log "cluster stopped and removed ($(($(date +%s) - start)) s in all)"
    pg17_cmd_check
}

pg17_cmd_run() {
    pg17_need_root
    pg17_need_chroot
    [ $# -gt 0 ] || bench_die "usage: bench/pg17.sh run PROGRAM [ARG]..."
    local prog=$1 dirs=("$PG17_ORIG_PWD" "$BENCH_DIR") extra=() d
    shift
    [ -x "$PG17_ROOT$PG17_BIN/$prog" ] || bench_die "no $prog in $PG17_BIN of the chroot"
    case ${PGHOST:-} in /*) [ -d "$PGHOST" ] && dirs+=("$PGHOST") ;; esac
    IFS=: read -r -a extra <<<"${PG17_BIND:-}"
    for d in "${extra[@]}"; do [ -n "$d" ] && dirs+=("$d"); done
    trap 'pg17_umount' EXIT
    pg17_mount "${dirs[@]}" || exit 3
    # env -C: chroot(8) starts in /, the program should start where the caller is
    chroot "$PG17_ROOT" /usr/bin/env -C "$PG17_ORIG_PWD" "$PG17_BIN/$prog" "$@"
}

pg17_cmd_overhead() {
    pg17_need_root
    pg17_need_chroot
    command -v hyperfine >/dev/null || bench_die "hyperfine missing (apt-get install hyperfine)"
    local work
    work=$(mktemp -d "${TMPDIR:-/tmp}/dumpfmt-pg17.XXXXXX") || exit 3
    # shellcheck disable=SC2064
    trap "rm -rf -- '$work'" EXIT
    pg17_overhead 100 "$work" || exit 3
    echo "chroot ROOT pg_restore --version (17):   $(bench_fmt_s "$PG17_OH_CHROOT" "$PG17_OH_CHROOT_SD")"
    echo "pg_restore --version (15, native):       $(bench_fmt_s "$PG17_OH_NATIVE" "$PG17_OH_NATIVE_SD")"
    echo "chroot / pg_restore --version (15):      $(bench_fmt_s "$PG17_OH_SELF" "$PG17_OH_SELF_SD")"
    echo "chroot(8) start cost: $(awk -v c="$PG17_OH_COST" 'BEGIN { printf "%.1f ms", c * 1000 }') per call"
}

pg17_cmd_status() {
    local name m line
    if pg17_ready; then
        echo "chroot: $PG17_ROOT"
        sed 's/^/  /' "$PG17_ROOT/$PG17_STAMP"
    else
        echo "chroot: none (bench/pg17.sh setup)"
    fi
    for name in "$PG17_CUSTOM_LZ4" "$PG17_CUSTOM_ZSTD"; do
        if [ -f "$BENCH_DIR/$name" ]; then
            echo "$name: $(bench_human "$(bench_size "$BENCH_DIR/$name")")"
        else
            echo "$name: missing (bench/pg17.sh dumps)"
        fi
    done
    m=$(pg17_mounts_below)
    if [ -n "$m" ]; then
        echo "mounted below the chroot (bench/pg17.sh umount):"
        while read -r line; do echo "  $line"; done <<<"$m"
    fi
}

pg17_cmd_umount() {
    pg17_need_root
    local m rc=0
    while read -r m; do
        [ -n "$m" ] || continue
        umount -- "$m" 2>/dev/null || umount -l -- "$m" || rc=3
        bench_log "unmounted $m"
    done < <(pg17_mounts_below)
    return "$rc"
}

pg17_main() {
    local cmd
    # a signal must run the EXIT traps, which unmount (bash skips them on an untrapped signal)
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
    case ${1:-} in
    setup | dumps | check | run | overhead | status | umount)
        cmd=$1
        shift
        [ "$cmd" = run ] || [ $# -eq 0 ] || bench_die "$cmd takes no arguments"
        "pg17_cmd_$cmd" "$@"
        ;;
    -h | --help) bench_help ;;
    *) bench_die "usage: bench/pg17.sh setup | dumps | check | run PROGRAM [ARG]... | overhead | status | umount (try --help)" ;;
    esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    pg17_main "$@"
    exit $?
fi
