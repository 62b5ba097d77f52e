#!/usr/bin/env python3
# tests/cli/repair_inserts.py — the independent side of dumprepair's INSERT-format checks.
#
#   repair_inserts.py expect CUT OFF ID Z  complete SQL statements (each ended by a ';' outside
#                                          quotes, identifiers and comments, with
#                                          standard_conforming_strings: '' doubles a quote,
#                                          only E'' strings take backslash escapes) and their
#                                          rows (the parenthesised lists after VALUES) in what
#                                          survives of the data block of dump id ID at offset
#                                          OFF of the cut custom archive CUT (Z: gzip or none);
#                                          prints "STATEMENTS ROWS"
#   repair_inserts.py prefix SCRIPT ORIG N exit 0 when the INSERT statements of SCRIPT
#                                          (pg_restore -f - of the entry in dumprepair's OUT)
#                                          are the first ones of ORIG's (the original's) and
#                                          hold N rows together
#   repair_inserts.py multirow SCRIPT K    rewrite pg_dump --inserts SCRIPT as --rows-per-insert
#                                          K --column-inserts would write bulk.readings (one
#                                          statement per K rows, a column list, a comment and a
#                                          string holding "';)" in each), on stdout
import sys
import zlib
from custom_block import surviving_payload


def statements(text):
    """(statement bytes, rows) for each statement of text ended by a ';' at depth 0."""
    out, i, start, n = [], 0, 0, len(text)
    depth, rows, after_values, word = 0, 0, False, b''
    while i < n:
        c = text[i:i + 1]
        if c == b"'" or (c in b'eE' and text[i + 1:i + 2] == b"'" and not word):
            esc = c != b"'"
            i += 2 if esc else 1
            while i < n:
                if esc and text[i:i + 1] == b'\\':
                    i += 2
                    continue
                if text[i:i + 1] == b"'":
                    if text[i + 1:i + 2] == b"'":
                        i += 2
                        continue
                    break
                i += 1
            i += 1
            word = b''
            continue
        if c == b'"':
            j = text.find(b'"', i + 1)
            i = n if j < 0 else j + 1
            word = b''
            continue
        if text[i:i + 2] == b'--':
            j = text.find(b'\n', i)
            i = n if j < 0 else j + 1
            continue
        if text[i:i + 2] == b'/*':
            j = text.find(b'*/', i + 2)
            i = n if j < 0 else j + 2
            continue
        if c.isalnum() or c == b'_':
            word += c
            i += 1
            continue
        if word.lower() == b'values' and depth == 0:
            after_values = True
        word = b''
        if c == b'(':
            if depth == 0 and after_values:
                rows += 1
            depth += 1
        elif c == b')' and depth > 0:
            depth -= 1
        elif c == b';' and depth == 0:
            out.append((text[start:i + 1].strip(), rows))
            start, rows, after_values = i + 1, 0, False
        i += 1
    return out


def inserts_of(path):
    sts = statements(open(path, 'rb').read())
    return [(s[s.find(b'INSERT INTO'):], r) for s, r in sts if b'INSERT INTO' in s]


def multirow(path, k):
    import re
    out, batch = [], []
    pat = re.compile(rb'^INSERT INTO bulk\.readings VALUES \((.*)\);$')

    def flush():
        if batch:
            # a comment and a string with a quote and a semicolon: lexing, not line splitting
            first, rest = batch[0].split(b', ', 1), batch[1:]
            rows = [b"(%s, %s + 0 * length('a'';)'))" % (first[0], first[1])]
            rows += [b'(%s)' % v for v in rest]
            out.append(b"INSERT INTO bulk.readings (reading_id, val) /* x; */ VALUES\n\t%s;"
                       % b',\n\t'.join(rows))
            batch.clear()

    for line in open(path, 'rb').read().split(b'\n'):
        m = pat.match(line)
        if m:
            batch.append(m.group(1))
            if len(batch) == k:
                flush()
            continue
        flush()
        out.append(line)
    sys.stdout.buffer.write(b'\n'.join(out))


def main():
    if sys.argv[1] == 'expect':
        cut, off, dump_id, z = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
        payload = surviving_payload(cut, off, dump_id)
        text = zlib.decompressobj().decompress(payload) if z == 'gzip' else payload
        st = statements(text)
        print(len(st), sum(r for _, r in st))
        return 0
    if sys.argv[1] == 'prefix':
        got, want, n = inserts_of(sys.argv[2]), inserts_of(sys.argv[3]), int(sys.argv[4])
        if got != want[:len(got)]:
            print('OUT\'s %d INSERT statements are not the first ones of the original' % len(got))
            return 1
        if sum(r for _, r in got) != n:
            print('OUT\'s %d INSERT statements hold %d rows, not %d' % (
                len(got), sum(r for _, r in got), n))
            return 1
        return 0
    if sys.argv[1] == 'multirow':
        multirow(sys.argv[2], int(sys.argv[3]))
        return 0
    return 3


sys.exit(main())
