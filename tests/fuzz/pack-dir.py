#!/usr/bin/env python3
# tests/fuzz/pack-dir.py — packs a directory archive into fuzz_walk_dir's container format:
# per file one name-length byte, the name, a 4-byte little-endian length, the bytes.  toc.dat and
# blobs.toc come first, so that a prefix (libFuzzer's -max_len cuts inputs) is still an archive.
import os, struct, sys
d = sys.argv[1]
out = sys.stdout.buffer
first = {'toc.dat': 0, 'blobs.toc': 1}
for name in sorted(os.listdir(d), key=lambda n: (first.get(n, 2), n)):
    data = open(os.path.join(d, name), 'rb').read()
    b = name.encode()
    out.write(bytes([len(b)]) + b + struct.pack('<I', len(data)) + data)
