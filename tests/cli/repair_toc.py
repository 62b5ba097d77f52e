#!/usr/bin/env python3
# tests/cli/repair_toc.py — the independent side of dumprepair's truncated-TOC checks: a TOC
# parser of its own (dump-format.md §3-§4, written from the format, not from libdumpfmt).
#
#   repair_toc.py entries ARCHIVE   one line per TOC entry of ARCHIVE (custom file, tar file, or
#                                   directory): "INDEX DUMP_ID END FILENAME", END the offset
#                                   just after the entry's record in the file that holds the
#                                   TOC (the custom file, the tar file, DIR/toc.dat), FILENAME
#                                   "-" when none; first a line "# FORMAT COUNT START" (START:
#                                   the offset of the first entry)
#   repair_toc.py kept ARCHIVE CUT  how many entries are whole when that file ends at CUT
#   repair_toc.py listable ARCHIVE CUT LIST
#                                   how many of those LIST (pg_restore -l of ARCHIVE) lists
#   repair_toc.py report ARCHIVE CUT REPORT ORIG_LIST OUT_LIST
#                                   exit 0 when dumprepair's --json REPORT of ARCHIVE cut at
#                                   CUT says: promised = the TOC's count, kept = the entries
#                                   whole before CUT, lost = the rest, lost_data_ids = the dump
#                                   ids of the lost entries whose data file (directory) exists;
#                                   and OUT_LIST (pg_restore -l of OUT) lists exactly the
#                                   entries ORIG_LIST (pg_restore -l of ARCHIVE) lists among
#                                   the kept ones, less those the report says are not intact
#                                   (lost data, dropped); else prints what differs
import os
import sys


class Cut(Exception):
    pass


class Toc:
    def __init__(self, data, base):
        self.d, self.p, self.base = data, 0, base

    def byte(self):
        if self.p + 1 > len(self.d):
            raise Cut()
        self.p += 1
        return self.d[self.p - 1]

    def int_(self):
        sign = self.byte()
        if self.p + self.isz > len(self.d):
            raise Cut()
        v = int.from_bytes(self.d[self.p:self.p + self.isz], 'little')
        self.p += self.isz
        return -v if sign else v

    def str_(self):
        n = self.int_()
        if n < 0:
            return None
        if self.p + n > len(self.d):
            raise Cut()
        self.p += n
        return self.d[self.p - n:self.p]


def parse(data, base, fmt):
    t = Toc(data, base)
    if data[:5] != b'PGDMP':
        raise SystemExit('not an archive header')
    t.p = 5
    maj, mnr = t.byte(), t.byte()
    if maj > 1 or mnr > 0:
        t.byte()
    v = (maj, mnr)
    t.isz = t.byte()
    osz = t.byte() if v >= (1, 7) else t.isz
    t.byte()  # format
    if v >= (1, 15):
        t.byte()
    elif v >= (1, 4):
        t.int_()
    elif v >= (1, 2):
        t.byte()
    if v >= (1, 4):
        for _ in range(7):
            t.int_()
        t.str_()
    if v >= (1, 10):
        t.str_()
        t.str_()
    count = t.int_()
    start = t.p
    out = []
    try:
        for i in range(count):
            dump_id = t.int_()
            t.int_()  # hadDumper
            if v >= (1, 8):
                t.str_()  # tableoid
            t.str_()  # oid
            t.str_()  # tag
            desc = (t.str_() or b'').decode()
            if v >= (1, 11):
                t.int_()  # section
            t.str_()  # defn
            t.str_()  # dropStmt
            if v >= (1, 3):
                t.str_()  # copyStmt
            if v >= (1, 6):
                t.str_()  # namespace
            if v >= (1, 10):
                t.str_()  # tablespace
            if v >= (1, 14):
                t.str_()  # tableam
            if v >= (1, 16):
                t.int_()  # relkind
            t.str_()  # owner
            if v >= (1, 9):
                t.str_()  # withOids
            deps = []
            if v >= (1, 5):
                while True:
                    d = t.str_()
                    if d is None:
                        break
                    deps.append(int(d))
            name = None
            if fmt == 'custom':
                t.byte()
                t.p += osz
                if v < (1, 7):
                    t.int_()
                if t.p > len(data):
                    raise Cut()
            else:
                name = t.str_()
            out.append((i, dump_id, base + t.p, name.decode() if name else '-', desc, deps))
    except Cut:
        pass
    return fmt, count, base + start, out


def load(path):
    if os.path.isdir(path):
        return parse(open(os.path.join(path, 'toc.dat'), 'rb').read(), 0, 'directory')
    data = open(path, 'rb').read()
    if data[:5] == b'PGDMP':
        return parse(data, 0, 'custom')
    size = int(data[124:136].split(b'\0')[0].strip() or b'0', 8)
    return parse(data[512:512 + size], 512, 'tar')


def listed_ids(path):
    ids = []
    for line in open(path, errors='replace'):
        head = line.split(';', 1)[0]
        if head.strip().isdigit():
            ids.append(int(head))
    return ids


def data_file_id(dirpath, name):
    """The dump id a lost entry's data file names, when that file is there (any suffix)."""
    import re
    m = re.fullmatch(r'(\d+)\.dat|blobs_(\d+)\.toc', name)
    if m is None:
        return None
    for sfx in ('', '.gz', '.lz4', '.zst'):
        if os.path.exists(os.path.join(dirpath, name + sfx)):
            return int(m.group(1) or m.group(2))
    return None


def report(archive, cut, rep_path, orig_list, out_list):
    import json
    fmt, count, _, ents = load(archive)
    kept = [e for e in ents if e[2] <= cut]
    rep = json.load(open(rep_path))
    toc = rep.get('toc') or {}
    bad = []
    want = {'promised': count, 'kept': len(kept), 'lost': count - len(kept)}
    for k, v in want.items():
        if toc.get(k) != v:
            bad.append('toc.%s %s, want %s' % (k, toc.get(k), v))
    if rep['totals']['entries'] != len(kept):
        bad.append('totals.entries %s, want %d' % (rep['totals']['entries'], len(kept)))
    lost_ids = []
    if fmt == 'directory':
        lost_ids = sorted(i for i in (data_file_id(archive, e[3]) for e in ents[len(kept):])
                          if i is not None)
    if toc.get('lost_data_ids') != lost_ids:
        bad.append('lost_data_ids %s, want %s' % (toc.get('lost_data_ids'), lost_ids))
    kept_ids = {e[1] for e in kept}
    gone = {e['dump_id'] for e in rep['entries'] if e['state'] in ('lost', 'dropped')}
    # what needs a dropped entry goes too (the writer's rule: data entries pass nothing on)
    desc = {e[1]: e[4] for e in kept}
    data = {'TABLE DATA', 'BLOBS', 'SEQUENCE SET', 'MATERIALIZED VIEW DATA'}
    grew = True
    while grew:
        grew = False
        for e in kept:
            if e[1] not in gone and any(d in gone and desc.get(d) not in data for d in e[5]):
                gone.add(e[1])
                grew = True
    want_ids = [i for i in listed_ids(orig_list) if i in kept_ids and i not in gone]
    got_ids = listed_ids(out_list)
    if sorted(got_ids) != sorted(want_ids):
        extra = sorted(set(got_ids) - set(want_ids))
        missing = sorted(set(want_ids) - set(got_ids))
        bad.append('OUT lists %d entries, want %d (extra %s, missing %s)'
                   % (len(got_ids), len(want_ids), extra[:5], missing[:5]))
    if fmt == 'directory':
        lost_data = [e['dump_id'] for e in rep['entries']
                     if e['state'] != 'intact' and e['desc'] == 'TABLE DATA']
        if lost_data:
            bad.append('kept TABLE DATA not intact: %s' % lost_data[:5])
    if bad:
        print('; '.join(bad))
        sys.exit(1)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == 'entries':
        fmt, count, start, ents = load(sys.argv[2])
        print('# %s %d %d' % (fmt, count, start))
        for e in ents:
            print('%d %d %d %s' % e[:4])
    elif len(sys.argv) == 4 and sys.argv[1] == 'kept':
        _, _, _, ents = load(sys.argv[2])
        print(sum(1 for e in ents if e[2] <= int(sys.argv[3])))
    elif len(sys.argv) == 5 and sys.argv[1] == 'listable':
        _, _, _, ents = load(sys.argv[2])
        ids = {e[1] for e in ents if e[2] <= int(sys.argv[3])}
        print(sum(1 for i in listed_ids(sys.argv[4]) if i in ids))
    elif len(sys.argv) == 7 and sys.argv[1] == 'report':
        report(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6])
    else:
        raise SystemExit('usage: repair_toc.py entries ARCHIVE | kept ARCHIVE CUT | '
                         'report ARCHIVE CUT REPORT ORIG_LIST OUT_LIST')


main()
