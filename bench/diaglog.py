#!/usr/bin/env python3
"""bench/diaglog.py — writes a big synthetic pg_restore -j 2 -v log for dumpdiag's speed test:
N errors ("already exists", each with its "launching item", "from TOC entry" and a long
"Command was:"), interleaved like two workers, cycling over the entries of DUMP (as
`dumpls --json` lists them), padded to about SIZE bytes.  Usage: diaglog.py DUMPLS_JSON N SIZE"""
import json
import sys

entries = json.load(open(sys.argv[1]))["entries"]
n, size = int(sys.argv[2]), int(sys.argv[3])
pad = max(0, size // n - 300)
out = sys.stdout
for i in range(n):
    e = entries[i % len(entries)]
    did, desc, tag = e["dump_id"], e["desc"], e["tag"] or "-"
    out.write("pg_restore: launching item %d %s %s\n" % (did, desc, tag))
    out.write("pg_restore: from TOC entry %d; 0 0 %s %s postgres\n" % (did, desc, tag))
    out.write('pg_restore: error: could not execute query: ERROR:  relation "%s" already exists\n' % tag)
    out.write("Command was: CREATE TABLE public.%s (\n" % tag)
    line = "    c integer,\n"
    out.write(line * (pad // len(line)))
    out.write(");\n\n\n")
    out.write("pg_restore: finished item %d %s %s\n" % (did, desc, tag))
out.write("pg_restore: warning: errors ignored on restore: %d\n" % n)
