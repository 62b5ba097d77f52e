#!/usr/bin/env python3
"""tests/live/diagcheck.py — assertions on a dumpdiag --json report (tests/live/dumpdiag.sh,
tests/cli/dumpdiag.sh): every error attributed to an entry, the classes and causes expected,
the entries named by pg_restore -v ("from TOC entry N") equal to those dumpdiag found.
Prints what is wrong and exits 1, else exits 0 silently."""
import argparse
import json
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("report")
    p.add_argument("--classes", help="comma-separated classes every error must have")
    p.add_argument("--causes", type=int, help="number of root causes")
    p.add_argument("--cause-class", help="class of the first root cause")
    p.add_argument("--what", help="'what' of the first root cause")
    p.add_argument("--kind", help="kind of the first root cause")
    p.add_argument("--stopped", choices=["yes", "no"])
    p.add_argument("--exit", type=int)
    p.add_argument("--min-errors", type=int, default=1)
    p.add_argument("--cascades", type=int, help="at least this many cascaded errors")
    p.add_argument("--ids-from", help="a report of the same restore with -v: same entries")
    p.add_argument("--same-as", help="another report: the same entries and classes")
    p.add_argument("--not-run", type=int, help="at least this many entries never ran")
    p.add_argument("--copy-line", type=int, help="a data error names this COPY line")
    a = p.parse_args()
    r = json.load(open(a.report))
    bad = []
    fails = r["failures"]
    if len(fails) < a.min_errors:
        bad.append("only %d errors" % len(fails))
    for f in fails:
        if f["dump_id"] is None and f["attributed_by"] != "session":
            bad.append("log line %s not attributed: %s" % (f["log_line"], f["message"]))
        if f["class"] == "unclassified":
            bad.append("log line %s unclassified: %s" % (f["log_line"], f["message"]))
        if a.classes and f["class"] not in a.classes.split(",") and not f["cascade"]:
            bad.append("log line %s: class %s: %s" % (f["log_line"], f["class"], f["message"]))
    causes = r["causes"]
    if a.causes is not None and len(causes) != a.causes:
        bad.append("%d causes: %s" % (len(causes), [c["what"] for c in causes]))
    if causes and a.cause_class and causes[0]["class"] != a.cause_class:
        bad.append("first cause %s" % causes[0]["class"])
    if causes and a.what and causes[0]["what"] != a.what:
        bad.append("first cause is about %r" % causes[0]["what"])
    if causes and a.kind and causes[0]["kind"] != a.kind:
        bad.append("first cause kind %r" % causes[0]["kind"])
    if a.stopped and r["stopped"] != (a.stopped == "yes"):
        bad.append("stopped %s" % r["stopped"])
    if a.exit is not None and r["exit"] != a.exit:
        bad.append("exit %s" % r["exit"])
    if a.cascades is not None and sum(1 for f in fails if f["cascade"]) < a.cascades:
        bad.append("fewer than %d cascades" % a.cascades)
    if a.not_run is not None and sum(1 for e in r["entries"] if e["state"] == "not-run") < a.not_run:
        bad.append("fewer than %d entries never ran" % a.not_run)
    if a.copy_line is not None and not any(f["copy_line"] == a.copy_line for f in fails):
        bad.append("no error names COPY line %d" % a.copy_line)
    if a.ids_from:
        v = json.load(open(a.ids_from))
        mine = [(f["dump_id"], f["class"]) for f in fails if f["attributed_by"] != "session"]
        theirs = [(f["dump_id"], f["class"]) for f in v["failures"]]
        if mine != theirs:
            bad.append("entries differ from the -v run: %s vs %s" % (mine, theirs))
        if any(f["attributed_by"] not in ("toc-id", "psql-line") for f in v["failures"]):
            bad.append("the reference run has errors without a TOC id or psql line")
    if a.same_as:
        v = json.load(open(a.same_as))
        mine = [(f["dump_id"], f["class"]) for f in fails if f["attributed_by"] != "session"]
        theirs = [(f["dump_id"], f["class"]) for f in v["failures"] if f["attributed_by"] != "session"]
        if mine != theirs:
            bad.append("entries differ from %s: %s vs %s" % (a.same_as, mine, theirs))
    for b in bad:
        print("# " + b)
    sys.exit(1 if bad else 0)


main()
