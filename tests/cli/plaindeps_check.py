#!/usr/bin/env python3
"""plaindeps_check.py PLAIN.deps ARCHIVE.deps [--old-public] [--drops exact|present]

Compares `dumpls --deps` of a plain script (the TOC a conversion would
write) with `dumpls --deps` of an archive the same pg_dump wrote of the same
database: the entries (desc, schema, tag, owner) must match as multisets
(pg_dump < 11 prints no public schema entry in plain: --old-public lets the
archive have one more), every dependency the archive records between two
entries that both exist must be implied (transitively) by the plain graph,
and tablespace and table access method must agree.  --drops: the script was written with
--clean, so every entry's drop statement must be the archive's (exact), or be there exactly
when the archive has one (present: --if-exists rewrites them).  Prints one summary line
with the count of edges the plain graph adds beyond pg_dump's (transitively).
Exit 0 when all holds, 1 otherwise (each failure on stderr).
"""
import sys
from collections import defaultdict


def load(path):
    entries = []
    for line in open(path, encoding="utf-8", errors="surrogateescape"):
        if line.startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        if len(f) < 9:
            continue
        n = lambda s: None if s == "\\N" else s
        entries.append({
            "id": int(f[0]), "section": f[1], "desc": f[2], "schema": n(f[3]), "tag": n(f[4]),
            "owner": n(f[5]) or "", "ts": n(f[6]), "am": n(f[7]),
            "deps": [int(x) for x in f[8].split()] if f[8] else [],
            "drop": (n(f[9]) or None) if len(f) > 9 else None})
    return entries


def key(e):
    return (e["desc"], e["schema"], e["tag"], e["owner"])


def closure_from(graph, start):
    seen, stack = set(), [start]
    while stack:
        for d in graph.get(stack.pop(), ()):
            if d not in seen:
                seen.add(d)
                stack.append(d)
    return seen


def main():
    plain, arch = load(sys.argv[1]), load(sys.argv[2])
    old_public = "--old-public" in sys.argv
    drops = sys.argv[sys.argv.index("--drops") + 1] if "--drops" in sys.argv else None
    fails = []
    pk, ak = defaultdict(list), defaultdict(list)
    for e in plain:
        pk[key(e)].append(e)
    for e in arch:
        ak[key(e)].append(e)
    amap = {}  # archive id -> plain id
    for k in set(pk) | set(ak):
        p, a = pk.get(k, []), ak.get(k, [])
        if len(p) != len(a):
            if old_public and len(a) == len(p) + 1 and (
                    (k[0] == "SCHEMA" and k[2] == "public") or k[2] == "SCHEMA public"):
                pass
            elif k[0] == "DATABASE" and not p:
                pass  # pg_dump without --create prints none; pg_restore -l lists none
            else:
                fails.append("entries differ: %r plain %d archive %d" % (k, len(p), len(a)))
        for x, y in zip(a, p):
            amap[x["id"]] = y["id"]
            if (x["ts"] or None) != (y["ts"] or None) and not (x["ts"] == "" and y["ts"] is None) \
                    and not (x["ts"] is None and y["ts"] == ""):
                fails.append("tablespace of %r: plain %r archive %r" % (k, y["ts"], x["ts"]))
            if drops == "exact" and x["drop"] != y["drop"]:
                fails.append("drop statement of %r: plain %r archive %r" % (k, y["drop"], x["drop"]))
            if drops == "present" and (x["drop"] is None) != (y["drop"] is None):
                fails.append("drop statement of %r: plain %r archive %r" % (k, y["drop"], x["drop"]))
            if drops is None and y["drop"] is not None:
                fails.append("drop statement without --clean: %r: %r" % (k, y["drop"]))
            if x["am"] != y["am"]:
                fails.append("access method of %r: plain %r archive %r" % (k, y["am"], x["am"]))
    for e in plain:
        if any(d >= e["id"] for d in e["deps"]):
            fails.append("dependency not on an earlier entry: %r -> %r" % (key(e), e["deps"]))
    pg = {e["id"]: e["deps"] for e in plain}
    ag = {e["id"]: e["deps"] for e in arch}
    byid = {e["id"]: e for e in arch}
    checked = 0
    for e in arch:
        if e["id"] not in amap:
            continue
        reach = closure_from(pg, amap[e["id"]])
        for d in e["deps"]:
            if d not in amap:
                continue
            checked += 1
            if amap[d] not in reach:
                fails.append("dependency not implied: %r -> %r" % (key(e), key(byid[d])))
    # edges the plain graph adds: direct plain edges not implied by the archive's graph
    pmap = {v: k for k, v in amap.items()}
    extra = 0
    for e in plain:
        if e["id"] not in pmap:
            continue
        reach = closure_from(ag, pmap[e["id"]])
        extra += sum(1 for d in e["deps"] if d in pmap and pmap[d] not in reach)
    for f in fails:
        print("plaindeps_check: " + f, file=sys.stderr)
    print("%d entries, %d archive dependencies checked, %d plain edges, %d extra; %s" % (
        len(plain), checked, sum(len(e["deps"]) for e in plain), extra,
        "FAIL (%d)" % len(fails) if fails else "ok"))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
