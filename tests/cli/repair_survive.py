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
#   repair_survive.py corrupt IN OUT ID N MODE
#                                          copy custom archive IN to OUT with the length of the
#                                          Nth chunk (from 0) of dump id ID's data block made
#                                          corrupt: MODE huge (2^31-1: over any limit) or shift
#                                          (+1000: inside the file, so a walk lands mid-data);
#                                          MODE type: the block's type byte made 7 instead;
#                                          the block is found by its header bytes (a pipe-written
#                                          archive has no offsets); prints the chunk's offset
#   repair_survive.py sections OUT ORIG TAG N [K]
#                                          exit 0 when the data-only scripts OUT and ORIG
#                                          (pg_restore -a -f -) have the same COPY sections, but
#                                          table TAG's, which in OUT holds ORIG's first N rows
#                                          (and K rows in all, when K is given: the rows after
#                                          the first N are the unverified ones of the report)
import re
import subprocess
import sys
import zlib
from custom_block import read_int, surviving_payload as payload


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


def find_block(data, dump_id):
    head = b'\x01\x00' + dump_id.to_bytes(4, 'little') + b'\x00'
    at = data.find(head)
    if at < 0 or data.find(head, at + 1) >= 0:
        raise SystemExit('no single block header for dump id %d' % dump_id)
    return at


def corrupt(src, dst, dump_id, nth, mode):
    data = bytearray(open(src, 'rb').read())
    pos = find_block(data, dump_id) + 6
    if mode == 'type':
        data[pos - 6] = 7
        open(dst, 'wb').write(bytes(data))
        return pos - 6
    for _ in range(nth):
        n, pos = read_int(data, pos)
        if not n:
            raise SystemExit('the block has fewer than %d chunks' % (nth + 1))
        pos += n
    n, _ = read_int(data, pos)
    new = 0x7fffffff if mode == 'huge' else n + 1000
    data[pos:pos + 5] = b'\x00' + new.to_bytes(4, 'little')
    open(dst, 'wb').write(bytes(data))
    return pos


def sections(path):
    data = open(path, 'rb').read()
    out = {}
    for m in re.finditer(rb'^COPY (\S+) .*? FROM stdin;\n(.*?)^\\\.$', data, re.M | re.S):
        out[m.group(1).decode()] = m.group(2).split(b'\n')[:-1]
    return out


def check_sections(out_sql, orig_sql, tag, n, k):
    got, want = sections(out_sql), sections(orig_sql)
    bad = []
    for name, rows in want.items():
        if name.split('.')[-1].strip('"') == tag:
            have = got.get(name, [])
            if have[:n] != rows[:n] or len(have) != k:
                bad.append('%s: %d rows, not the first %d of the original then %d more'
                           % (name, len(have), n, k - n))
        elif got.get(name) != rows:
            bad.append('%s: %s rows, the original %d' % (
                name, len(got[name]) if name in got else 'no', len(rows)))
    for name in got:
        if name not in want:
            bad.append('%s: not in the original' % name)
    return bad


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
    if cmd == 'corrupt':
        print(corrupt(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]))
        return 0
    if cmd == 'sections':
        n = int(sys.argv[5])
        k = int(sys.argv[6]) if len(sys.argv) > 6 else n
        bad = check_sections(sys.argv[2], sys.argv[3], sys.argv[4], n, k)
        if bad:
            print('; '.join(bad[:5]))
            return 1
        if not sections(sys.argv[3]):
            print('no COPY sections in the original')
            return 1
        return 0
    raise SystemExit('usage: repair_survive.py expect|prefix|corrupt|sections ...')


if __name__ == '__main__':
    sys.exit(main())
