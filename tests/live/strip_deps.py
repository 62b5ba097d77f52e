#!/usr/bin/env python3
"""strip_deps.py DIR_ARCHIVE — rewrite a directory archive's toc.dat (1.12 .. 1.16) with every
dependency list emptied: the archive a naive converter (entries in script order, no
dependencies) would write.  tests/live/plainconv.sh restores it with pg_restore -j to show
that the reconstructed dependencies are what makes a parallel restore correct."""
import sys


class R:
    def __init__(self, b):
        self.b, self.p, self.isz = b, 0, 4

    def raw(self, n):
        v = self.b[self.p:self.p + n]
        self.p += n
        return v

    def int_(self):
        start = self.p
        sign = self.b[self.p]
        v = int.from_bytes(self.b[self.p + 1:self.p + 1 + self.isz], "little")
        self.p += 1 + self.isz
        return (-v if sign else v), self.b[start:self.p]

    def str_(self):
        n, raw = self.int_()
        if n <= 0:
            return None if n < 0 else b"", raw
        s = self.raw(n)
        return s, raw + s


def main():
    path = sys.argv[1] + "/toc.dat"
    b = open(path, "rb").read()
    r = R(b)
    assert r.raw(5) == b"PGDMP"
    vmaj, vmin, _ = r.raw(3)
    r.isz = r.raw(1)[0]
    r.raw(2)  # offset size, format
    if vmin >= 15:
        r.raw(1)
    else:
        r.int_()
    for _ in range(7):
        r.int_()
    for _ in range(3):
        r.str_()
    count, _ = r.int_()
    out = bytearray(b[:r.p])
    for _ in range(count):
        seg = bytearray()
        seg += r.int_()[1] + r.int_()[1]               # dump id, had dumper
        for _ in range(4):                              # table oid, oid, tag, desc
            seg += r.str_()[1]
        seg += r.int_()[1]                              # section
        for _ in range(6 if vmin >= 14 else 5):         # defn .. tablespace [, tableam]
            seg += r.str_()[1]
        if vmin >= 16:
            seg += r.int_()[1]                          # relkind
        seg += r.str_()[1] + r.str_()[1]                # owner, with oids
        while True:                                     # dependencies, NULL-terminated
            s, raw = r.str_()
            if s is None:
                seg += raw
                break
        seg += r.str_()[1]                              # directory: the data file name
        out += seg
    out += b[r.p:]
    open(path, "wb").write(out)


if __name__ == "__main__":
    main()
