#!/usr/bin/env python3
# tests/cli/repair_survive.py — the independent side of tests/cli/dumprepair_read.sh: what
# survives of one data block of a cut custom archive, decoded without libdumpfmt.
#
#   repair_survive.py expect CUT OFF ID Z  complete COPY rows in what survives of the data block
#                                          of dump id ID at offset OFF of the custom archive CUT:
#                                          its chunks parsed here, the last, cut one included,
#                                          and the bytes decoded by Python's zlib (gzip), the
#                                          lz4 or zstd command (lz4 -dc, zstd -dc: they write
#                                          what they decoded before the input ends) or as they
#                                          are (none); lines ended by a newline, up to "\."
#   repair_survive.py prefix ROWS ORIG OFF ID Z N
#                                          exit 0 when ROWS (dumprepair --rows) is exactly the
#                                          first N lines of the intact block in ORIG (decoded the
#                                          same way)
import subprocess
import sys
import zlib


def read_int(data, pos):
    """pg_dump's int: a sign byte, then 4 bytes little-endian; None when cut."""
    if pos + 5 > len(data):
        return None, pos
    v = int.from_bytes(data[pos + 1:pos + 5], 'little')
    return (-v if data[pos] else v), pos + 5


def payload(path, off, dump_id):
    data = open(path, 'rb').read()
    if off >= len(data) or data[off] != 1:
        return b''
    bid, pos = read_int(data, off + 1)
    if bid is None:
        return b''
    if bid != dump_id:
        raise SystemExit('block at %d has id %r, not %d' % (off, bid, dump_id))
    out = []
    while True:
        n, pos = read_int(data, pos)
        if n is None or n == 0:
            break
        out.append(data[pos:pos + n])
        pos += n
        if pos > len(data):
            break
    return b''.join(out)


def decode(raw, z):
    if z == 'gzip':
        return zlib.decompressobj().decompress(raw)
    if z in ('lz4', 'zstd'):
        return subprocess.run([z, '-dc'], input=raw, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL).stdout
    return raw


def rows(text):
    out = []
    for ln in text.split(b'\n')[:-1]:  # the last piece has no newline: incomplete
        if ln in (b'\\.', b'\\.\r'):
            break
        out.append(ln)
    return out


def main():
    cmd = sys.argv[1]
    if cmd == 'expect':
        cut, off, dump_id, z = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
        print(len(rows(decode(payload(cut, off, dump_id), z))))
        return 0
    if cmd == 'prefix':
        got_path, orig, off, dump_id, z, n = sys.argv[2:8]
        want = rows(decode(payload(orig, int(off), int(dump_id)), z))[:int(n)]
        got = open(got_path, 'rb').read()
        exp = b''.join(ln + b'\n' for ln in want)
        if len(want) != int(n):
            print('the original has only %d rows' % len(want))
            return 1
        if got != exp:
            print('--rows printed %d bytes, the first %s rows of the original are %d bytes'
                  % (len(got), n, len(exp)))
            return 1
        return 0
    raise SystemExit('usage: repair_survive.py expect|prefix ...')


if __name__ == '__main__':
    sys.exit(main())
