#!/usr/bin/env python3
"""tests/live/rowcheck.py — compare the row counts `dumpls --long --json` reports with the live database.

Usage: rowcheck.py tables JSON LIST     every TABLE DATA entry: rows == SELECT count(*) FROM ONLY t
       rowcheck.py los JSON              sum of rows of the BLOBS entries == LOs in the database

JSON is the output of `tools/dumpls --long --json ARCHIVE`: {"entries": [{"dump_id", "desc",
"schema", "tag", "rows" (TABLE DATA), "large_objects" (BLOBS), "data_error", ...}, ...]}.  LIST is `pg_restore -l ARCHIVE`; its TABLE DATA lines must
name exactly the entries the JSON has, so that a reader that drops entries cannot pass.
The database is reached through psql with the PG* environment that tests/live/lib.sh exports
(psql binary: $PSQL, database: $PGDATABASE).  Prints one line per mismatch; exit 0 iff none.
"""

import json
import os
import re
import subprocess
import sys

LIST_LINE = re.compile(r"^(\d+); \d+ \d+ TABLE DATA ")


def quote_ident(name):
    return '"' + name.replace('"', '""') + '"'


def psql(sql):
    cmd = [os.environ.get("PSQL", "psql"), "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
           "-c", sql]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def load_entries(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    entries = doc.get("entries")
    if not isinstance(entries, list):
        raise ValueError('no "entries" array in ' + path)
    return entries


def count_of(entry, key):
    """An integer field of an entry, or None when it is missing or null."""
    n = entry.get(key)
    return n if isinstance(n, int) and not isinstance(n, bool) else None


def rows_of(entry):
    return count_of(entry, "rows")


def los_of(entry):
    """Large objects of a BLOBS entry: dumpls calls the field "large_objects"."""
    n = count_of(entry, "large_objects")
    return n if n is not None else count_of(entry, "rows")


def check_tables(entries, list_path):
    problems = []
    data = [e for e in entries if e.get("desc") == "TABLE DATA"]
    with open(list_path, encoding="utf-8") as f:
        listed = sorted((int(m.group(1)) for m in map(LIST_LINE.match, f) if m), key=str)
    in_json = sorted((e.get("dump_id") for e in data), key=str)
    if listed != in_json:
        missing = sorted(set(listed) - set(in_json), key=str)
        extra = sorted(set(in_json) - set(listed), key=str)
        problems.append("TABLE DATA entries differ: missing from dumpls %s, not in pg_restore -l %s"
                        % (missing, extra))
    if not data:
        return problems + ["no TABLE DATA entries"]
    selects = ["SELECT %d, count(*) FROM ONLY %s.%s" % (i, quote_ident(e["schema"]),
                                                         quote_ident(e["tag"]))
               for i, e in enumerate(data)]
    live = {}
    for line in psql(" UNION ALL ".join(selects) + ";").splitlines():
        i, n = line.split("\t")
        live[int(i)] = int(n)
    for i, e in enumerate(data):
        got = rows_of(e)
        if got != live[i]:
            why = e.get("data_error")
            problems.append("%s.%s (dump id %s): dumpls rows %s, database %d%s"
                            % (e["schema"], e["tag"], e.get("dump_id"), got, live[i],
                               " (data_error %s)" % json.dumps(why) if why else ""))
    return problems


def check_los(entries):
    blobs = [e for e in entries if e.get("desc") == "BLOBS"]
    live = int(psql("SELECT count(*) FROM pg_largeobject_metadata;").strip())
    if not blobs:
        return ["no BLOBS entry, database has %d large objects" % live] if live else []
    counts = [los_of(e) for e in blobs]
    if None in counts:
        return ["a BLOBS entry has no large_objects count: %s %s"
                % (counts, [e.get("data_error") for e in blobs])]
    if sum(counts) != live:
        return ["BLOBS entries count %d large objects %s, database has %d"
                % (sum(counts), counts, live)]
    return []


def main(argv):
    if len(argv) < 3 or argv[1] not in ("tables", "los") or (argv[1] == "tables" and len(argv) < 4):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 3
    try:
        entries = load_entries(argv[2])
        problems = check_tables(entries, argv[3]) if argv[1] == "tables" else check_los(entries)
    except (OSError, ValueError, KeyError, TypeError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        problems = ["could not check: %s %s" % (exc, detail.strip())]
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
