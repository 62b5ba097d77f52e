#!/usr/bin/env bash
# scripts/fresh-check.sh — the README's quick start on a fresh Debian 12: makes a minbase
# bookworm root with debootstrap, copies a clean clone of this repository into it (/root/dumpfmt,
# at the commit checked out here; uncommitted changes are not included), and runs the commands of
# the README's "Quick start" block exactly as written, as root, each in that directory, printing
# each command's exit status and wall time.  The `git clone` and `cd` lines of the block are not
# run: the copied clone stands for them.
#
# usage: scripts/fresh-check.sh            (as root; needs debootstrap and network access)
#
# The commands run in their own PID and mount namespaces (unshare): /proc, /sys, /dev, /dev/shm
# and /run are mounted there and vanish with the namespace, and processes left running (the
# postgresql 15/main service that the postgresql-15 package starts) are stopped by process id at
# the end, so nothing is left behind; the script then checks that no process has its root in the
# chroot and nothing is mounted below it, and deletes the chroot.
#
# Environment:
#   FRESH_TARBALL  a cached minbase root (tar.gz): unpacked instead of running debootstrap when
#                  the file exists, written after debootstrap when it does not
#   FRESH_MIRROR   the Debian mirror for debootstrap (default http://deb.debian.org/debian)
#   FRESH_WORKDIR  where the chroot is made (default /var/tmp)
#   FRESH_KEEP=1   keep the chroot afterwards (it is printed)
#   FRESH_COMMANDS commands to run instead of the README's, one a line (to try this script)
# Exit status: 0 when every command exited 0, 1 when one did not, 3 when the check could not run.
set -uo pipefail

# ---- inside the namespaces: `fresh-check.sh --inner ROOT HOST_PIDNS` (commands on stdin) -----
MOUNTED=()

inner_mount() {
    local root=$1
    mount -t proc proc "$root/proc" && MOUNTED+=("$root/proc") &&
        mount -t sysfs sysfs "$root/sys" && MOUNTED+=("$root/sys") &&
        mount --rbind /dev "$root/dev" && MOUNTED+=("$root/dev") &&
        mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm" && MOUNTED+=("$root/dev/shm") &&
        mount -t tmpfs -o mode=755 tmpfs "$root/run" && MOUNTED+=("$root/run")
}

# Stop every other process of this PID namespace (TERM, then KILL after 20 s), by process id.
inner_stop_all() {
    local pids pid comm i
    for i in $(seq 1 21); do
        pids=()
        for pid in /proc/[0-9]*; do # this namespace's /proc (unshare --mount-proc)
            pid=${pid#/proc/}
            [ "$pid" = 1 ] || [ "$pid" = "$BASHPID" ] || pids+=("$pid")
        done
        [ ${#pids[@]} -eq 0 ] && return 0
        for pid in "${pids[@]}"; do
            if [ "$i" = 1 ]; then
                comm=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
                echo "fresh-check: stopping process left running: ${comm:-?}"
            fi
            kill "$([ "$i" -le 20 ] && echo -TERM || echo -KILL)" "$pid" 2>/dev/null
        done
        sleep 1
    done
}

inner() {
    local root=$1 host_pidns=$2 line start end rc failed=0 i
    # kill(2) below must only ever see this namespace's processes.
    if [ "$$" != 1 ] || [ "$(readlink /proc/self/ns/pid)" = "$host_pidns" ]; then
        echo "fresh-check: not in a new PID namespace" >&2
        exit 3
    fi
    mount --make-rprivate / || exit 3
    inner_mount "$root" || { echo "fresh-check: could not mount into $root" >&2; exit 3; }
    while IFS= read -r line; do
        echo
        echo "+ $line"
        start=$(date +%s)
        chroot "$root" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            /bin/bash -c "cd /root/dumpfmt && $line" </dev/null
        rc=$?
        end=$(date +%s)
        printf '=> exit status %d, wall time %dm%02ds: %s\n' "$rc" $(((end - start) / 60)) \
            $(((end - start) % 60)) "$line" | tee -a "$root/.fresh-check-results"
        [ "$rc" -eq 0 ] || failed=1
    done
    inner_stop_all
    for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
        umount -R "${MOUNTED[i]}" || umount -l "${MOUNTED[i]}"
    done
    exit "$failed"
}

if [ "${1:-}" = --inner ]; then
    inner "$2" "$3"
fi

# ---- outside ---------------------------------------------------------------------------------
die() {
    echo "fresh-check: $*" >&2
    exit 3
}

[ $# -eq 0 ] || { echo "usage: $0   (see the comment at its top)" >&2; exit 3; }
[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot, mount)"
command -v debootstrap >/dev/null || die "needs debootstrap: apt-get install debootstrap"
command -v unshare >/dev/null || die "needs unshare (util-linux)"

repo=$(cd "$(dirname "$0")/.." && pwd) || die "cannot find the repository"
commit=$(git -C "$repo" rev-parse HEAD) || die "$repo is not a git checkout"
mirror=${FRESH_MIRROR:-http://deb.debian.org/debian}

# The README's quick-start commands: the first ```sh block after "## Quick start", without
# blank and comment lines, and without `git clone` and `cd` (the copied clone stands for them).
commands=${FRESH_COMMANDS:-$(awk '
    /^## Quick start/ { inside = 1; next }
    inside && /^## / { exit }
    inside && /^```sh/ { block = 1; next }
    block && /^```/ { exit }
    block && !/^[ \t]*(#|$)/ && !/^[ \t]*(git clone|cd)[ \t]/ { print }' "$repo/README.md")}
[ -n "$commands" ] || die "no commands found in the README's quick start"

work=$(mktemp -d "${FRESH_WORKDIR:-/var/tmp}/dumpfmt-fresh.XXXXXX") || die "cannot make a work dir"
root=$work/root

# Processes whose root directory is inside the chroot (there should be none once the
# namespace is gone), by process id.
procs_in_root() {
    local p r
    for p in /proc/[0-9]*; do
        r=$(readlink "$p/root" 2>/dev/null) || continue
        case $r in "$root" | "$root"/*) echo "${p#/proc/}" ;; esac
    done
}

mounts_below_root() {
    awk -v root="$root" '{ m = $5; gsub(/\\040/, " ", m) } m == root || index(m, root "/") == 1 { print m }' \
        /proc/self/mountinfo
}

cleanup() {
    local rc=$? pids mounts
    trap - EXIT HUP INT TERM
    pids=$(procs_in_root)
    if [ -n "$pids" ]; then
        echo "fresh-check: killing processes left in the chroot: $(echo $pids)"
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null
        sleep 1
    fi
    mounts=$(mounts_below_root)
    if [ -n "$mounts" ]; then
        echo "fresh-check: unmounting what is left below $root"
        echo "$mounts" | sort -r | while read -r m; do umount -l "$m"; done
    fi
    pids=$(procs_in_root)
    mounts=$(mounts_below_root)
    if [ -z "$pids$mounts" ]; then
        echo "fresh-check: left behind: no process, no mount"
    else
        echo "fresh-check: left behind: processes [$(echo $pids)] mounts [$(echo $mounts)]"
    fi
    if [ -n "$pids$mounts" ]; then
        echo "fresh-check: kept $work (something is still using it)"
        rc=3
    elif [ "${FRESH_KEEP:-0}" = 1 ]; then
        echo "fresh-check: kept $root"
    else
        rm -rf --one-file-system -- "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

t0=$(date +%s)
mkdir -p "$root" || die "cannot make $root"
if [ -n "${FRESH_TARBALL:-}" ] && [ -f "$FRESH_TARBALL" ]; then
    echo "fresh-check: unpacking $FRESH_TARBALL"
    tar -C "$root" --numeric-owner -xzpf "$FRESH_TARBALL" || die "cannot unpack $FRESH_TARBALL"
else
    echo "fresh-check: debootstrap --variant=minbase bookworm $root $mirror"
    debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
        { tail -n 20 "$work/debootstrap.log"; die "debootstrap failed (log above)"; }
    if [ -n "${FRESH_TARBALL:-}" ]; then
        mkdir -p "$(dirname "$FRESH_TARBALL")" &&
            tar -C "$root" --numeric-owner -czpf "$FRESH_TARBALL.tmp" . &&
            mv "$FRESH_TARBALL.tmp" "$FRESH_TARBALL" && echo "fresh-check: saved $FRESH_TARBALL"
    fi
fi
cp /etc/resolv.conf "$root/etc/resolv.conf" || die "cannot copy /etc/resolv.conf"
git clone --quiet --no-hardlinks "$repo" "$root/root/dumpfmt" &&
    git -C "$root/root/dumpfmt" checkout --quiet --detach "$commit" ||
    die "cannot clone $repo at $commit"
echo "fresh-check: root ready in $(($(date +%s) - t0))s; commit $commit; commands:"
echo "$commands" | sed 's/^/  /'

echo "$commands" | unshare --mount --pid --fork --mount-proc --propagation private \
    bash "$repo/scripts/fresh-check.sh" --inner "$root" "$(readlink /proc/self/ns/pid)"
status=$?
echo
echo "fresh-check: summary"
cat "$root/.fresh-check-results" 2>/dev/null
[ "$status" -le 1 ] || die "the run in the chroot failed (status $status)"
exit "$status"
