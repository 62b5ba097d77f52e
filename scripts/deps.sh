#!/usr/bin/env bash
# scripts/deps.sh — makes sure the Debian packages dumpfmt needs are installed: installs the
# missing ones with apt-get when run as root, otherwise prints the apt-get line and fails.
# Does nothing (quickly) when everything is present.  Called by `make demo`, `make check` and
# `make fuzz`; safe to run by hand.
#
# usage: scripts/deps.sh build|test|fuzz
#   build  compile the library and the tools           (make, make demo)
#   test   build + everything `make check` runs         (make check)
#   fuzz   build + clang for the libFuzzer binaries     (make fuzz)
# DF_SKIP_DEPS=1 skips the check, for machines that provide the libraries some other way.
set -euo pipefail

# zlib, lz4, zstd: the codecs pg_dump uses; libpq: dumproles -d; ISA-L: fast gzip inflate.
build_pkgs=(build-essential pkg-config zlib1g-dev liblz4-dev libzstd-dev libpq-dev libisal-dev)
# Check: unit tests; mandoc: man page lint; postgresql-15: live tests; lz4, zstd: compressed
# plain dumps in the tests; python3, jq: test helpers; time: peak memory in tests; hyperfine:
# benchmarks; tmux: progress tests; procps: pgrep finds the processes a drill must not leave.
test_pkgs=(check mandoc postgresql-15 lz4 zstd python3 hyperfine tmux jq time procps)
fuzz_pkgs=(clang)

usage() {
    echo "usage: $0 build|test|fuzz" >&2
    exit 2
}

[ $# -eq 1 ] || usage
case $1 in
build) wanted=("${build_pkgs[@]}") ;;
test) wanted=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
fuzz) wanted=("${build_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
*) usage ;;
esac

if [ "${DF_SKIP_DEPS:-}" = 1 ]; then
    exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps.sh: not a Debian system; make sure the equivalents of these are installed:" >&2
    echo "  ${wanted[*]}" >&2
    exit 0
fi

# A package counts as present only when fully installed (not "deinstall ... config-files").
missing=()
for pkg in "${wanted[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [ "$status" != "install ok installed" ]; then
        missing+=("$pkg")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "deps.sh: missing Debian packages: ${missing[*]}" >&2
    echo "deps.sh: install them as root, then run make again:" >&2
    echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y" \
        "--no-install-recommends ${missing[*]}" >&2
    exit 1
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
