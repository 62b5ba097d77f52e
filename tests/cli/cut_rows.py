#!/usr/bin/env python3
# tests/cli/cut_rows.py — the independent side of dumpcheck's rows before a cut (issue 13):
# what survives of one table's data in a cut archive, decoded here (zlib.decompressobj, the
# lz4 and zstd command-line tools, which write what they decoded before the input ran out),
# its complete COPY rows counted: lines ended by "\n" with the column count of the table's
# rows in the intact original, up to "\." (a partial last line is no row); INSERT data
# (pg_dump --inserts): the statements that end (");\n").
#
#   cut_rows.py custom CUT ORIG OFF ID CODEC   the data block of dump id ID at offset OFF
#                                              (CODEC: none, gzip, lz4, zstd)
#   cut_rows.py tar CUT ORIG MEMBER            member MEMBER (e.g. 2890.dat) of a tar archive
#   cut_rows.py file CUT ORIG                  a directory archive's data file (.dat, .dat.gz,
#                                              .dat.lz4, .dat.zst)
#   cut_rows.py biggest custom ORIG ID:OFF...  the largest of these data blocks: "ID START END"
#   cut_rows.py biggest tar ORIG               the largest NNNN.dat member's data: the same
# Prints the number of complete rows.
import subprocess
import sys
import zlib
from custom_block import read_int, surviving_payload


def decode(data, codec):
    """What a streaming decoder makes of data (cut or not): everything before the cut."""
    if codec == 'none':
        return data
    if codec == 'gzip':  # custom: zlib stream; directory: gzip file (wbits 47 takes both)
        return zlib.decompressobj(47).decompress(data)
    cmd = {'lz4': ['lz4', '-dc'], 'zstd': ['zstd', '-dc']}[codec]
    return subprocess.run(cmd, input=data, capture_output=True, check=False).stdout


def columns(text):
    """The column count of the intact data's rows (its first line; 0 rows: None)."""
    first = text.split(b'\n', 1)[0]
    if first in (b'\\.', b'') and not text.startswith(b'\n'):
        return None
    return first.count(b'\t') + 1


def complete_rows(text, cols):
    if cols == 'inserts':  # pg_dump --inserts: one row per statement, each ends in ");\n"
        return text.count(b');\n')
    rows = 0
    for ln in text.split(b'\n')[:-1]:  # the last piece has no newline: not a row
        if ln == b'\\.':
            break
        if cols is not None and ln.count(b'\t') + 1 != cols:
            break
        rows += 1
    return rows


def tar_member(path, name):
    """The bytes of member `name` that the (cut) tar file holds."""
    data = open(path, 'rb').read()
    pos = 0
    while pos + 512 <= len(data):
        hdr = data[pos:pos + 512]
        if hdr == b'\0' * 512:
            break
        mname = hdr[:100].split(b'\0', 1)[0].decode()
        size = int(hdr[124:136].split(b'\0', 1)[0].strip() or b'0', 8)
        if mname == name:
            return data[pos + 512:pos + 512 + size]
        pos += 512 + (size + 511) // 512 * 512
    raise SystemExit('no member %s in %s' % (name, path))


def block_end(data, off):
    """Where the custom data block at off ends (its 0-length chunk read)."""
    pos = off + 6
    while True:
        n, pos = read_int(data, pos)
        if n is None or n == 0:
            return pos
        pos += n


def biggest(kind, path, pairs):
    data = open(path, 'rb').read()
    best = (0, 0, 0)
    if kind == 'custom':
        for p in pairs:
            did, off = (int(x) for x in p.split(':'))
            end = block_end(data, off)
            if end - off > best[2] - best[1]:
                best = (did, off, end)
    else:
        pos = 0
        while pos + 512 <= len(data) and data[pos:pos + 512] != b'\0' * 512:
            hdr = data[pos:pos + 512]
            name = hdr[:100].split(b'\0', 1)[0].decode()
            size = int(hdr[124:136].split(b'\0', 1)[0].strip() or b'0', 8)
            if name.endswith('.dat') and name[:-4].isdigit() and size > best[2] - best[1]:
                best = (int(name[:-4]), pos + 512, pos + 512 + size)
            pos += 512 + (size + 511) // 512 * 512
    print('%d %d %d' % best)


def codec_of(name):
    for ext, codec in (('.gz', 'gzip'), ('.lz4', 'lz4'), ('.zst', 'zstd')):
        if name.endswith(ext):
            return codec
    return 'none'


def main(argv):
    kind = argv[1]
    if kind == 'biggest':
        biggest(argv[2], argv[3], argv[4:])
        return
    if kind == 'custom':
        cut, orig, off, did, codec = argv[2], argv[3], int(argv[4]), int(argv[5]), argv[6]
        text = decode(surviving_payload(cut, off, did), codec)
        whole = decode(surviving_payload(orig, off, did), codec)
    elif kind == 'tar':
        cut, orig, member = argv[2:5]
        text, whole = tar_member(cut, member), tar_member(orig, member)
    elif kind == 'file':
        cut, orig = argv[2:4]
        codec = codec_of(cut)
        text = decode(open(cut, 'rb').read(), codec)
        whole = decode(open(orig, 'rb').read(), codec)
    else:
        raise SystemExit('usage: cut_rows.py custom|tar|file ...')
    print(complete_rows(text, 'inserts' if whole.startswith(b'INSERT ') else columns(whole)))


if __name__ == '__main__':
    main(sys.argv)
