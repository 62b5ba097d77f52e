#!/usr/bin/env python3
# tests/cli/repair_rows.py — the independent side of dumprepair's row checks.
#
#   repair_rows.py count SCRIPT            complete COPY rows in a pg_restore -f - script of one
#                                          TABLE DATA entry (possibly cut short by its failure):
#                                          lines after "COPY ... FROM stdin;" ended by a newline,
#                                          with the column count of the COPY list, up to the first
#                                          line that is not one (or "\.")
#   repair_rows.py expect CUT OFF ID Z ORIG
#                                          complete rows in what survives of the data block of
#                                          dump id ID at offset OFF of the cut custom archive CUT
#                                          (Z: gzip or none): chunks parsed and inflated here, the
#                                          last, cut chunk included; the COPY list from ORIG
#   repair_rows.py prefix ROWS ORIGINAL N  exit 0 when ROWS (dumprepair --rows) is exactly N
#                                          lines and they are the first N rows of ORIGINAL (the
#                                          intact archive's pg_restore -f - script of the entry)
#   repair_rows.py restored SCRIPT ORIGINAL N
#                                          exit 0 when SCRIPT (pg_restore -f - of the entry in
#                                          dumprepair's OUT) holds exactly the first N rows of
#                                          ORIGINAL, then the "\." line
#   repair_rows.py tables REPORT IN OUT    exit 0 when, per TABLE DATA entry of IN (dumpls --long
#                                          --json), OUT (the same, of dumprepair's archive) has:
#                                          intact: IN's rows; partial: the report's rows kept;
#                                          lost: no entry; and no BLOBS entry whose data were hurt
import re
import sys
import zlib
from custom_block import surviving_payload


def copy_lines(path):
    data = open(path, 'rb').read()
    m = re.search(rb'^COPY (.*) FROM stdin;\n', data, re.M)
    if m is None:
        return 0, []
    cols = 0
    lst = re.search(rb'\(((?:[^()"]|"[^"]*")*)\)\s*$', m.group(1))
    if lst:
        cols = len(re.findall(rb'(?:[^,"]|"[^"]*")+', lst.group(1)))
    body = data[m.end():]
    parts = body.split(b'\n')
    complete = parts[:-1]  # the last piece has no newline: incomplete (or empty)
    return cols, complete


def good_rows(cols, lines):
    rows = []
    for ln in lines:
        if ln in (b'\\.', b'\\.\r'):
            break
        fields = 0 if ln == b'' and cols == 0 else ln.count(b'\t') + 1
        if fields != cols:
            break
        rows.append(ln)
    return rows


def expect_rows(cut, off, dump_id, z, orig):
    payload = surviving_payload(cut, off, dump_id)
    text = zlib.decompressobj().decompress(payload) if z == 'gzip' else payload
    cols, _ = copy_lines(orig)
    lines = text.split(b'\n')[:-1]
    return len(good_rows(cols, lines))


def check_restored(script, orig, n):
    cols, lines = copy_lines(script)
    want = good_rows(cols, copy_lines(orig)[1])[:n]
    if len(want) != n:
        return 'original has only %d rows, report says %d kept' % (len(want), n)
    if lines[:n] != want:
        return 'rows in OUT differ from the first %d rows of the original' % n
    if len(lines) <= n or lines[n] != b'\\.':
        return 'OUT has %d rows then %r, not the first %d then "\\."' % (
            len(lines), lines[n] if len(lines) > n else None, n)
    return None


def check_tables(report, inls, outls):
    import json
    rep = json.load(open(report))
    state = {e['dump_id']: e for e in rep['entries']}
    ins = json.load(open(inls))['entries']
    outs = {e['dump_id']: e for e in json.load(open(outls))['entries']}
    bad = []
    for e in ins:
        if e['desc'] not in ('TABLE DATA', 'BLOBS'):
            continue
        i = e['dump_id']
        st = state.get(i, {'state': 'intact'})
        o = outs.get(i)
        name = '%s %s.%s (%d)' % (e['desc'], e['schema'], e['tag'], i)
        if st['state'] == 'intact':
            if o is None:
                bad.append('%s: intact but not in OUT' % name)
            elif e['desc'] == 'TABLE DATA' and o['rows'] != e['rows']:
                bad.append('%s: %r rows in OUT, %r in IN' % (name, o['rows'], e['rows']))
        elif e['desc'] == 'BLOBS' or st['state'] == 'lost':
            if o is not None:
                bad.append('%s: %s but in OUT' % (name, st['state']))
        elif o is None or o['rows'] != st['rows_kept']:
            bad.append('%s: %r rows in OUT, %d kept' % (name, o and o['rows'], st['rows_kept']))
        elif o.get('data_error'):
            bad.append('%s: OUT data: %s' % (name, o['data_error']))
    return bad


def main():
    if sys.argv[1] == 'restored':
        msg = check_restored(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        if msg:
            print(msg)
        return 1 if msg else 0
    if sys.argv[1] == 'tables':
        bad = check_tables(sys.argv[2], sys.argv[3], sys.argv[4])
        for b in bad[:5]:
            print(b)
        return 1 if bad else 0
    if sys.argv[1] == 'expect':
        print(expect_rows(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]))
        return 0
    if sys.argv[1] == 'count':
        cols, lines = copy_lines(sys.argv[2])
        print(len(good_rows(cols, lines)))
        return 0
    if sys.argv[1] == 'prefix':
        got = open(sys.argv[2], 'rb').read()
        n = int(sys.argv[4])
        cols, lines = copy_lines(sys.argv[3])
        want = good_rows(cols, lines)[:n]
        expect = b''.join(x + b'\n' for x in want)
        if len(want) != n:
            print('original has only %d rows, report says %d kept' % (len(want), n))
            return 1
        if got != expect:
            print('kept rows differ from the first %d rows of the original (%d vs %d bytes)'
                  % (n, len(got), len(expect)))
            return 1
        return 0
    return 2


sys.exit(main())
