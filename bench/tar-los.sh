#!/usr/bin/env bash
# bench/tar-los.sh — time reading tar archives of many large objects (issue 10).
#
# Writes, with the Python generator below, tar archives as pg_dump -Ft lays them out (a 1.16
# toc.dat with one BLOBS entry, then blob_<oid>.dat members of one byte, blobs_9.toc,
# restore.sql) holding N = 20,000, 40,000, 80,000 and 100,000 large objects, and times
# `dumpls --long` (the reader: walks every LO member) and `dumpcheck` (the verifier's own tar
# walk) on each.  A linear walk takes about twice as long for twice the LOs; the quadratic one
# it replaced took four times as long (0.22 s for 20,000, 3.02 s for 80,000).  Give DUMPLS_OLD
# and DUMPCHECK_OLD (tools built from an older commit) to time those too.
#
# Usage: bench/tar-los.sh [N...]
# Environment: BENCH_DIR (bench/lib.sh; the archives go to BENCH_DIR/tar-los, deleted at the
#              end), DUMPLS, DUMPCHECK (default tools/...), DUMPLS_OLD, DUMPCHECK_OLD.
# Output: progress on stderr, a markdown table on stdout.  Exit status 0, or 3 if it could not
# run.

set -u
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

DUMPLS=${DUMPLS:-tools/dumpls}
DUMPCHECK=${DUMPCHECK:-tools/dumpcheck}
DUMPLS_OLD=${DUMPLS_OLD:-}
DUMPCHECK_OLD=${DUMPCHECK_OLD:-}
COUNTS=("$@")
[ ${#COUNTS[@]} -gt 0 ] || COUNTS=(20000 40000 80000 100000)
WORK=$BENCH_DIR/tar-los

for t in "$DUMPLS" "$DUMPCHECK"; do
    [ -x "$t" ] || { echo "bench/tar-los.sh: $t is not built (run make)" >&2; exit 3; }
done
mkdir -p "$WORK" || exit 3
trap 'rm -rf "$WORK"' EXIT

# gen N FILE: the archive
gen() {
    python3 - "$1" "$2" <<'EOF'
import struct, sys

n, path = int(sys.argv[1]), sys.argv[2]
first = 100001

def i32(v):  # INT of a 1.16 archive: sign byte, 4 bytes LSB first
    return bytes([v < 0]) + struct.pack('<I', abs(v))

def s(v):
    return i32(-1) if v is None else i32(len(v)) + v.encode()

def entry(id, dumper, tag, desc, section, defn, filename):
    return (i32(id) + i32(dumper) + s('0') + s('0') + s(tag) + s(desc) + i32(section) +
            s(defn) + s(None) * 5 + i32(0) + s('postgres') + s('false') + s(None) + s(filename))

toc = (b'PGDMP' + bytes([1, 16, 0, 4, 8, 3, 0]) +
       b''.join(i32(v) for v in (30, 5, 0, 24, 10, 126, 0)) + s('lo') + s('18.3') + s('18.3') +
       i32(2) + entry(1, 0, 'ENCODING', 'ENCODING', 2, "SET client_encoding = 'UTF8';\n", '') +
       entry(9, 1, '%d..%d' % (first, first + n - 1), 'BLOBS', 3, None, 'blobs_9.toc'))

def member(name, data):
    h = bytearray(512)
    h[0:len(name)] = name.encode()
    h[100:108] = b'0000600\0'
    h[108:116] = b'0004000\0'
    h[116:124] = b'0002000\0'
    h[124:136] = b'%011o\0' % len(data)
    h[136:148] = b'15000000000\0'
    h[156] = ord('0')
    h[257:263] = b'ustar\0'
    h[263:265] = b'00'
    h[148:156] = b' ' * 8
    h[148:155] = b'%06o\0' % sum(h)
    return bytes(h) + data + bytes(-len(data) % 512)

with open(path, 'wb') as f:
    f.write(member('toc.dat', toc))
    for k in range(n):
        f.write(member('blob_%d.dat' % (first + k), b'x'))
    f.write(member('blobs_9.toc', b''))
    f.write(member('restore.sql', b'--\n'))
    f.write(bytes(1024))
EOF
}

# secs CMD...: wall seconds of one run (output discarded)
secs() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s.%N)
    echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }'
}

echo "| large objects | dumpls --long | dumpcheck |$( [ -n "$DUMPLS_OLD" ] && echo " dumpls --long (old) | dumpcheck (old) |")"
echo "|---|---|---|$( [ -n "$DUMPLS_OLD" ] && echo "---|---|")"
for n in "${COUNTS[@]}"; do
    bench_log "tar of $n large objects"
    gen "$n" "$WORK/los.tar" || exit 3
    row="| $n | $(secs "$DUMPLS" --long "$WORK/los.tar") s | $(secs "$DUMPCHECK" --no-pg-restore-check "$WORK/los.tar") s |"
    if [ -n "$DUMPLS_OLD" ]; then
        row="$row $(secs "$DUMPLS_OLD" --long "$WORK/los.tar") s |"
        row="$row $(secs "${DUMPCHECK_OLD:-$DUMPCHECK}" --no-pg-restore-check "$WORK/los.tar") s |"
    fi
    echo "$row"
done
