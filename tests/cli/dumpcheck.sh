#!/bin/bash
# tests/cli/dumpcheck.sh — command-line tests of tools/dumpcheck (issue 4).
#
# Run from the repository root after `make`:  bash tests/cli/dumpcheck.sh
#
# What is checked:
#   * options: --help, --version, bad options and values, no dump, a missing path (exit 3);
#   * every file of corpus/damaged: exit 2, and with --json a finding whose offset and member
#     point into the damage MANIFEST.json describes (cut_offset, flip_offset, file,
#     removed_file); for the custom and tar truncations exactly the entries of affected_data,
#     "incomplete" as a truncated finding and "missing" as missing-data;
#   * every intact dump of corpus/pg*: exit 0 or 1 with only the warnings issue 4 allows, the
#     sequence warning naming sales.invoices_invoice_id_seq exactly once (not in globals-only
#     scripts, not with --quick), archive-newer-than-pg_restore exactly for 1.15/1.16 archives
#     under --pg-restore-version 15, and never with --no-pg-restore-check;
#   * the output formats: the finding line and the summary line, --quick's summary, -q, -v,
#     --json (valid, one document for several dumps), --prometheus (the textfile, written
#     atomically, labels escaped), progress lines, stdin and pipes, the worst exit status of
#     several dumps, a write error (/dev/full), pg_restore found (or not) on PATH, found
#     without running Debian's wrapper and without running another one for a <= 1.14
#     archive; -j's default follows the CPU affinity (taskset);
#   * header versions (issue 10): impossible ones exit 2 in dumpcheck, dumpls and dumporder,
#     a plausible newer archive exit 3 naming its version;
#   * a compressed toc.dat (issue 10): its offsets are decoded ones, said in the message;
#   * the truncation sweep through the tool: a custom, a tar and a plain dump cut at 40
#     pseudo-random offsets each are exit 2 in full and --quick mode.
#
# Prints "ok - NAME" / "not ok - NAME" and ends with "N passed, N failed"; exit 1 on failure.
# Environment: DUMPCHECK (default tools/dumpcheck), DF_CORPUS (default corpus), TIMEOUT
# seconds per run (default 120), PYTHON (default python3).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export LC_ALL=C TZ=UTC

DUMPCHECK=${DUMPCHECK:-${DF_TOOLS_DIR:-tools}/dumpcheck}
CORPUS=${DF_CORPUS:-corpus}
TIMEOUT=${TIMEOUT:-120}
PYTHON=${PYTHON:-python3}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dumpcheck-cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out
ERR=$TMP/err
RC=0

run() {
    timeout "$TIMEOUT" "$@" >"$OUT" 2>"$ERR"
    RC=$?
}

err_text() { head -c 600 "$ERR"; }

expect_status() {
    if [ "$RC" -eq "$2" ]; then ok "$1"; else not_ok "$1" "exit status $RC, want $2" "$(err_text)"; fi
}

if [ ! -x "$DUMPCHECK" ]; then
    echo "not ok - $DUMPCHECK is not built (run make)"
    echo "0 passed, 1 failed"
    exit 1
fi
if ! command -v "$PYTHON" >/dev/null; then
    echo "not ok - $PYTHON is needed for the JSON checks"
    echo "0 passed, 1 failed"
    exit 1
fi

# ------------------------------------------------------------------------------ options

run "$DUMPCHECK" --help
result "--help" $(( RC != 0 )) "exit $RC"
grep -q "Exit status: 0" "$OUT"
result "--help documents the exit status" $?
run "$DUMPCHECK" --version
result "--version" $(( RC != 0 || $(grep -c '^dumpcheck (dumpfmt) ' "$OUT") != 1 )) "$(cat "$OUT")"

for args in "--bogus" "-j 0" "-j x" "--inflate=gzip" "--pg-restore-version=abc" \
    "--large-plain=-5"; do
    # shellcheck disable=SC2086
    run "$DUMPCHECK" $args "$CORPUS/pg18/sample.custom.gzip.dump"
    if [ "$RC" -eq 3 ] && grep -q 'Try "dumpcheck --help"' "$ERR" && [ ! -s "$OUT" ]; then
        ok "bad option $args: exit 3"
    else
        not_ok "bad option $args: exit 3" "exit $RC" "$(err_text)"
    fi
done
run "$DUMPCHECK"
expect_status "no dump: exit 3" 3

run "$DUMPCHECK" --no-pg-restore-check "$TMP/nonexistent.dump"
if [ "$RC" -eq 3 ] && grep -q "^dumpcheck: $TMP/nonexistent.dump: unreadable: " "$ERR" &&
    grep -q "UNKNOWN" "$OUT"; then
    ok "missing path: exit 3, unreadable"
else
    not_ok "missing path: exit 3, unreadable" "exit $RC" "$(err_text)" "$(cat "$OUT")"
fi

# ------------------------------------------------------------------------------ damaged corpus

# MANIFEST.json "damaged" against dumpcheck --json; prints "ok NAME" / "FAIL NAME: why".
cat >"$TMP/damaged.py" <<'EOF'
import json, subprocess, sys

corpus, tool, quick = sys.argv[1], sys.argv[2], sys.argv[3] == "quick"
man = json.load(open(f"{corpus}/MANIFEST.json"))
# What --quick cannot see: a checksum, a cut inside a gzip member, corrupt compressed data.
quick_blind = {"damaged/pg18-sample.custom.gzip.flip-zlib.dump",
               "damaged/pg18-sample.dir.gzip.crc-datgz", "damaged/pg18-sample.dir.gzip.trunc-datgz"}
codes = {"TRUNCATED_HEADER": {"truncated-header"}, "TRUNCATED_TOC": {"truncated-toc"},
         "TRUNCATED_DATA": {"truncated", "missing-data"}, "CORRUPT_DATA": {"bad-checksum", "bad-data"},
         "MISSING_DATA_FILE": {"missing-file"}, "TRUNCATED_PLAIN": {"no-trailer", "missing-terminator"},
         "EMPTY": {"empty"}, "NOT_A_DUMP": {"not-a-dump"}}
args = [tool, "--json", "--no-pg-restore-check"] + (["--quick"] if quick else [])
for d in man["damaged"]:
    name = d["name"].rstrip("/")
    p = subprocess.run(args + [f"{corpus}/{name}"], capture_output=True, text=True, timeout=120)
    why = []
    doc = json.loads(p.stdout)
    f = doc["files"][0]
    if quick and name in quick_blind:
        if p.returncode > 1:
            why.append(f"--quick cannot see this damage but says exit {p.returncode}")
        print(("FAIL " + name + ": " + "; ".join(why)) if why else "ok " + name)
        continue
    if p.returncode != 2 or f["verdict"] != "DAMAGED":
        why.append(f"exit {p.returncode}, verdict {f['verdict']}")
    want = codes[d["expected_verdict"]]
    errs = [x for x in f["findings"] if x["severity"] == "error"]
    hits = [x for x in errs if x["code"] in want]
    if not hits:
        why.append(f"no finding with code in {sorted(want)}: {[x['code'] for x in errs]}")
    # where the damage is
    if "cut_offset" in d and d["kind"] in ("custom_trunc", "tar_trunc", "plain_trunc"):
        if not any(x["offset"] == d["cut_offset"] for x in hits):
            why.append(f"no finding at cut_offset {d['cut_offset']}: {[x['offset'] for x in hits]}")
    if d["kind"] == "tar_trunc" and not any(x["member"] == d["member"] for x in hits):
        why.append(f"no finding names member {d['member']}")
    if d["kind"] == "dir_trunc":
        if not any(x["member"] == d["file"] and x["offset"] == d["cut_offset"] for x in hits):
            why.append(f"no finding at {d['file']} offset {d['cut_offset']}")
    if d["kind"] == "dir_crc":
        if not any(x["member"] == d["file"] and x["offset"] >= d["flip_offset"] for x in hits):
            why.append(f"no finding in {d['file']} after offset {d['flip_offset']}")
    if d["kind"] == "dir_missing" and not any(x["member"] == d["removed_file"] for x in hits):
        why.append(f"no finding names {d['removed_file']}")
    if d["kind"] == "custom_flip":
        # inside the block of the affected entry: after the flip, before the next block
        if not any(x["offset"] is not None and x["offset"] >= d["flip_offset"] and x["dump_id"] == 2890
                   and x["code"] == "bad-checksum" for x in hits):
            why.append("no bad-checksum of dump id 2890 at or after the flipped byte")
    if "affected_data" in d and d["affected_data"]:
        state = {}
        for x in errs:
            if x["dump_id"] is not None and x["code"] in ("truncated", "missing-data"):
                state.setdefault(x["dump_id"], set()).add(x["code"])
        want_state = {a["dump_id"]: {"incomplete": {"truncated"}, "missing": {"missing-data"}}[a["state"]]
                      for a in d["affected_data"]}
        if state != want_state:
            why.append(f"affected entries {state} != MANIFEST {want_state}")
    print(("FAIL " + name + ": " + "; ".join(why)) if why else "ok " + name)
EOF

for mode in full quick; do
    timeout 600 "$PYTHON" "$TMP/damaged.py" "$CORPUS" "$DUMPCHECK" "$mode" >"$OUT" 2>"$ERR"
    if [ ! -s "$OUT" ]; then
        not_ok "damaged corpus ($mode): the MANIFEST check ran" "$(err_text)"
    fi
    while read -r verdict rest; do
        if [ "$verdict" = ok ]; then
            ok "damaged ($mode): $rest"
        else
            not_ok "damaged ($mode): ${rest%%:*}" "${rest#*: }"
        fi
    done <"$OUT"
done

# The human form of one finding and the summary line.
run "$DUMPCHECK" --no-pg-restore-check "$CORPUS/damaged/pg18-sample.custom.gzip.trunc-chunk.dump"
want="dumpcheck: $CORPUS/damaged/pg18-sample.custom.gzip.trunc-chunk.dump: offset 89142: truncated: the file ends at offset 89142 inside the data block that starts at offset 58376 (a chunk of 4096 bytes at offset 87089 is incomplete); 11167 complete rows before the cut (TABLE DATA bulk.readings, dump id 2890)"
result "finding line: \"dumpcheck: FILE: offset N: CODE: message (ENTRY)\"" \
    "$([ "$(head -n 1 "$ERR")" = "$want" ]; echo $?)" "got:  $(head -n 1 "$ERR")" "want: $want"
result "one line per missing entry (17) after the cut one" \
    "$([ "$(grep -c ': missing-data: ' "$ERR")" -eq 17 ]; echo $?)" "$(grep -c missing-data "$ERR")"
grep -Eq "^$CORPUS/damaged/pg18-sample.custom.gzip.trunc-chunk.dump: DAMAGED \(18 errors\): custom 1\.16 gzip, 198 entries, 19 data entries, [0-9]+ stored bytes, [0-9]+ bytes, [0-9]+ rows, [0-9.]+ s$" "$OUT"
result "summary line" $? "$(cat "$OUT")"
run "$DUMPCHECK" --no-pg-restore-check "$CORPUS/damaged/pg18-sample.dir.gzip.trunc-datgz"
grep -q "^dumpcheck: $CORPUS/damaged/pg18-sample.dir.gzip.trunc-datgz/2890.dat.gz: offset 27518: truncated: " "$ERR"
result "directory finding names DIR/member" $? "$(err_text)"
run "$DUMPCHECK" --no-pg-restore-check "$CORPUS/damaged/pg18-sample.tar.trunc-member.tar"
grep -q "^dumpcheck: $CORPUS/damaged/pg18-sample.tar.trunc-member.tar: 2890.dat: offset 134968: truncated: " "$ERR"
result "tar finding names FILE: member" $? "$(err_text)"

# ------------------------------------------------------------------------------ intact corpus

cat >"$TMP/intact.py" <<'EOF'
import glob, json, os, subprocess, sys

corpus, tool = sys.argv[1], sys.argv[2]
files = sorted(f for f in glob.glob(f"{corpus}/pg*/*")
               if not f.endswith(".list") and (os.path.isdir(f) or f.endswith((".dump", ".tar", ".sql"))))
allowed = {"sequence-behind-data", "no-data-offsets", "dangling-dependency", "toc-copy"}
for f in files:
    why = []
    for extra in ([], ["--quick"], ["--pg-restore-version", "15", "--quick"]):
        args = [tool, "--json", "-v"] + (extra if extra else ["--no-pg-restore-check"])
        if extra and extra[0] == "--quick":
            args.append("--no-pg-restore-check")
        p = subprocess.run(args + [f], capture_output=True, text=True, timeout=120)
        r = json.loads(p.stdout)["files"][0]
        codes = [x["code"] for x in r["findings"]]
        bad = [c for c in codes if c not in allowed | ({"archive-newer-than-pg_restore"} if "15" in extra else set())]
        if p.returncode > 1 or bad:
            why.append(f"{' '.join(extra) or 'full'}: exit {p.returncode}, findings {bad}")
        seq = [x for x in r["findings"] if x["code"] == "sequence-behind-data"]
        want_seq = 0 if (extra or "globals" in f) else 1
        if len(seq) != want_seq or any((x["schema"], x["tag"]) != ("sales", "invoices_invoice_id_seq") for x in seq):
            why.append(f"{' '.join(extra) or 'full'}: sequence findings {[(x['schema'], x['tag']) for x in seq]}")
        if p.returncode != (1 if any(x["severity"] == "warning" for x in r["findings"]) else 0):
            why.append(f"exit {p.returncode} does not match the findings")
        if "15" in extra:
            newer = codes.count("archive-newer-than-pg_restore")
            v = r["archive_version"]
            want = 1 if v and int(v.split(".")[1].split("-")[0]) > 14 else 0
            if newer != want:
                why.append(f"archive-newer {newer} for version {v}")
        pipe = os.path.basename(f).startswith("sample.custom.") and ("pipe" in f or "stdout" in f)
        if codes.count("no-data-offsets") != (1 if pipe else 0):
            why.append(f"no-data-offsets x{codes.count('no-data-offsets')}")
    print(("FAIL " + f + ": " + "; ".join(why)) if why else "ok " + f)
EOF
timeout 900 "$PYTHON" "$TMP/intact.py" "$CORPUS" "$DUMPCHECK" >"$OUT" 2>"$ERR"
[ -s "$OUT" ] || not_ok "intact corpus: the check ran" "$(err_text)"
while read -r verdict rest; do
    if [ "$verdict" = ok ]; then ok "intact: $rest"; else not_ok "intact: ${rest%%:*}" "${rest#*: }"; fi
done <"$OUT"

# ------------------------------------------------------------------------------ formats

G18=$CORPUS/pg18/sample.custom.gzip.dump
run "$DUMPCHECK" --quick --no-pg-restore-check "$G18"
grep -Eq "^$G18: OK: custom 1\.16 gzip, 198 entries, 19 data entries, [0-9]+ stored bytes, 5 large objects, quick check: structure only, data not decompressed, [0-9.]+ s$" "$OUT"
result "--quick says so in its summary" $? "$(cat "$OUT")"
run "$DUMPCHECK" -q --no-pg-restore-check "$G18" "$CORPUS/pg18/globals.sql"
if [ "$RC" -eq 1 ] && [ ! -s "$OUT" ] && [ "$(wc -l <"$ERR")" -eq 1 ]; then
    ok "-q: only the warning, no summary lines"
else
    not_ok "-q: only the warning, no summary lines" "exit $RC" "$(cat "$OUT" "$ERR")"
fi
run "$DUMPCHECK" --no-pg-restore-check "$G18"
n_plain=$(grep -c 'dangling-dependency' "$ERR")
run "$DUMPCHECK" -v --no-pg-restore-check "$G18"
result "-v adds the informational findings" \
    "$([ "$n_plain" -eq 0 ] && [ "$(grep -c ': dangling-dependency: ' "$ERR")" -gt 0 ]; echo $?)"

run "$DUMPCHECK" --json --no-pg-restore-check "$G18" "$CORPUS/damaged/random.dump" "$CORPUS/pg18/sample.tar"
"$PYTHON" - "$OUT" "$RC" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["tool"] == "dumpcheck" and d["verdict"] == "DAMAGED" and d["exit_status"] == 2 == int(sys.argv[2])
assert [f["verdict"] for f in d["files"]] == ["WARNING", "DAMAGED", "WARNING"], d["files"]
f = d["files"][0]
for k in ("file", "format", "archive_version", "compression", "entries", "data_entries", "stored_bytes",
          "bytes", "rows", "large_objects", "duration_ms", "findings_by_severity", "findings", "inflater"):
    assert k in f, k
assert f["rows"] == 21185 and f["large_objects"] == 5 and f["archive_version"] == "1.16-0"
s = [x for x in f["findings"] if x["code"] == "sequence-behind-data"][0]
assert s["severity"] == "warning" and s["dump_id"] and s["desc"] == "SEQUENCE SET" and s["offset"] > 0
assert s["fix"] == "SELECT pg_catalog.setval('sales.invoices_invoice_id_seq', 60, true);", s["fix"]
assert all(x["fix"] is None for x in f["findings"] if x is not s)
assert d["files"][1]["findings"][0]["code"] == "not-a-dump"
EOF
result "--json: one valid document for three dumps, worst exit" $? "$(head -c 300 "$OUT")"
run "$DUMPCHECK" --json --quick --no-pg-restore-check "$G18"
"$PYTHON" -c 'import json,sys; f=json.load(open(sys.argv[1]))["files"][0]; assert f["quick"] and f["rows"] is None and f["bytes"] is None' "$OUT"
result "--json --quick: rows and bytes are null" $?

# Prometheus textfile, written through FILE.tmp.<pid> and a rename.
PROM=$TMP/prom/dumpcheck.prom
mkdir -p "$TMP/prom"
echo "old" >"$PROM"
run "$DUMPCHECK" --prometheus "$PROM" --no-pg-restore-check "$G18" "$CORPUS/damaged/empty.dump"
"$PYTHON" - "$PROM" "$G18" "$CORPUS/damaged/empty.dump" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
g18, empty = sys.argv[2], sys.argv[3]
samples = {}
for line in text.splitlines():
    if line.startswith("#"):
        assert re.match(r"# (HELP|TYPE) dumpfmt_(check|dump)_\w+ ", line), line
        continue
    if line.startswith("dumpfmt_dump_info{"):
        continue  # its labels are checked below
    m = re.match(r'(\w+)\{file="((?:[^"\\]|\\.)*)"(?:,severity="(\w+)")?\} (\S+)$', line)
    assert m, line
    samples[(m[1], m[2], m[3])] = float(m[4])
assert samples[("dumpfmt_check_verdict", g18, None)] == 1
assert samples[("dumpfmt_check_verdict", empty, None)] == 2
assert samples[("dumpfmt_check_findings", g18, "warning")] == 1
assert samples[("dumpfmt_check_findings", empty, "error")] == 1
assert samples[("dumpfmt_check_rows", g18, None)] == 21185
assert samples[("dumpfmt_check_bytes", g18, None)] > 0
assert samples[("dumpfmt_check_duration_seconds", g18, None)] >= 0
assert samples[("dumpfmt_check_timestamp_seconds", g18, None)] > 1.6e9
# every family's samples are contiguous, each family announced once
names = [l.split("{")[0] for l in text.splitlines() if not l.startswith("#")]
assert all(names.index(n) + names.count(n) - 1 == len(names) - 1 - names[::-1].index(n) for n in set(names))
EOF
result "--prometheus: node_exporter textfile with every metric" $? "$(head -c 400 "$PROM")"
result "--prometheus: no temporary file left, exit is the worst (2)" \
    "$([ "$(ls "$TMP/prom" | wc -l)" -eq 1 ] && [ "$RC" -eq 2 ]; echo $?)" "$(ls "$TMP/prom")"

# Issue 10: the dump's creation time, database and versions, in JSON and Prometheus; the oracle
# is pg_restore -l's header ("Archive created at ..." read in the same zone, TZ=UTC here).
G15=$CORPUS/pg15/sample.custom.gzip.dump
run "$DUMPCHECK" --json --prometheus "$PROM" --no-pg-restore-check "$G15" "$CORPUS/pg15/sample.plain.sql"
cp "$OUT" "$TMP/origin.json"
PGR=$(command -v pg_restore || echo /usr/lib/postgresql/15/bin/pg_restore)
if "$PGR" -l "$G15" >"$TMP/pgr.list" 2>/dev/null; then
    "$PYTHON" - "$TMP/origin.json" "$PROM" "$TMP/pgr.list" "$G15" <<'EOF'
import datetime, json, re, sys
doc = json.load(open(sys.argv[1]))
prom, pgr, g15 = open(sys.argv[2]).read(), open(sys.argv[3]).read(), sys.argv[4]
f, plain = doc["files"]
stamp = re.search(r"^; Archive created at (.*) UTC$", pgr, re.M)[1]
want = int(datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=datetime.timezone.utc).timestamp())
assert f["created_timestamp"] == want, (f["created_timestamp"], want)
assert f["created"] == stamp + " UTC", f["created"]
assert f["dbname"] == re.search(r"^;     dbname: (.*)$", pgr, re.M)[1]
assert f["server_version"] == re.search(r"^;     Dumped from database version: (.*)$", pgr, re.M)[1]
assert f["dump_version"] == re.search(r"^;     Dumped by pg_dump version: (.*)$", pgr, re.M)[1]
assert f'dumpfmt_dump_created_timestamp_seconds{{file="{g15}"}} {want}\n' in prom, prom
info = f'dumpfmt_dump_info{{file="{g15}",dbname="sample",server_version="{f["server_version"]}",dump_version="{f["dump_version"]}"}} 1\n'
assert info in prom, prom
# a script stores no creation time: null, and no sample (an alert on absent() catches it)
assert plain["created_timestamp"] is None and plain["dump_version"].startswith("15.")
assert "sample.plain.sql\"} " not in prom.split("dumpfmt_dump_created_timestamp_seconds", 2)[2].split("# HELP")[0]
EOF
    result "--json, --prometheus: the dump's creation time, database and versions match pg_restore -l" \
        $? "$(head -c 600 "$TMP/origin.json")"
else
    ok "--json, --prometheus: creation time (skipped: pg_restore cannot read the pg15 dump)"
fi

ln -s "$PWD/$G18" "$TMP/we\"ird\\name.dump"
run "$DUMPCHECK" --prometheus "$PROM" --no-pg-restore-check "$TMP/we\"ird\\name.dump"
grep -Fq 'dumpfmt_check_verdict{file="'"$TMP"'/we\"ird\\name.dump"} 1' "$PROM"
result "--prometheus: label values escaped" $? "$(head -n 3 "$PROM")"
run "$DUMPCHECK" --prometheus "$TMP/no/such/dir/x.prom" --no-pg-restore-check "$G18"
result "--prometheus into a missing directory: exit 3" "$([ "$RC" -eq 3 ]; echo $?)" "exit $RC"
cp "$G18" "$TMP/self.dump"
run "$DUMPCHECK" --prometheus "$TMP/self.dump" --no-pg-restore-check "$TMP/self.dump"
result "--prometheus naming the dump: refused, the dump untouched" \
    "$([ "$RC" -eq 3 ] && grep -q 'it would be replaced' "$ERR" && cmp -s "$G18" "$TMP/self.dump"; echo $?)" \
    "exit $RC" "$(cat "$ERR")"

# stdin and pipes
run "$DUMPCHECK" --no-pg-restore-check - <"$G18"
result "DUMP - from a file on stdin" "$([ "$RC" -eq 1 ] && grep -q '^-: WARNING' "$OUT"; echo $?)" "$(cat "$OUT")"
# shellcheck disable=SC2002
cat "$CORPUS/damaged/pg18-sample.custom.pipe.trunc-chunk.dump" |
    timeout "$TIMEOUT" "$DUMPCHECK" --no-pg-restore-check - >"$OUT" 2>"$ERR"
RC=${PIPESTATUS[1]}
result "DUMP - from a pipe: a truncated dump is exit 2" \
    "$([ "$RC" -eq 2 ] && grep -q '^dumpcheck: -: offset 100421: truncated: ' "$ERR"; echo $?)" "$(err_text)"

# several dumps: the worst status wins
run "$DUMPCHECK" --no-pg-restore-check "$CORPUS/pg18/globals.sql" "$G18"
expect_status "OK + WARNING: exit 1" 1
run "$DUMPCHECK" --no-pg-restore-check "$G18" "$TMP/missing.dump" "$CORPUS/damaged/empty.dump"
expect_status "WARNING + unreadable + DAMAGED: exit 3" 3
run "$DUMPCHECK" --no-pg-restore-check "$CORPUS/pg18/globals.sql"
expect_status "globals only: exit 0" 0

# progress lines on stderr (one line per update when stderr is not a terminal)
run "$DUMPCHECK" --progress --no-pg-restore-check "$G18"
grep -q "^dumpcheck: $G18: [0-9]*% [0-9.]*/[0-9.]* [KMG]*i*B" "$ERR"
result "--progress" $? "$(err_text)"
run "$DUMPCHECK" --no-pg-restore-check "$G18"
result "no progress by default when stderr is not a terminal" "$(grep -c "iB" "$ERR")"

# output errors
timeout "$TIMEOUT" "$DUMPCHECK" --json --no-pg-restore-check "$G18" >/dev/full 2>"$ERR"
RC=$?
result "write error on stdout: exit 3" "$([ "$RC" -eq 3 ] && grep -q 'could not write' "$ERR"; echo $?)" "exit $RC"

# pg_restore on PATH (Debian 12: pg_restore 15) decides archive-newer-than-pg_restore
if command -v pg_restore >/dev/null; then
    major=$(pg_restore --version | sed -n 's/^pg_restore (PostgreSQL) \([0-9]*\).*/\1/p')
    run "$DUMPCHECK" "$G18"
    if [ "${major:-0}" -lt 17 ]; then
        grep -q "archive-newer-than-pg_restore: archive version 1.16 needs pg_restore 17 or newer; pg_restore $major " "$ERR"
        result "pg_restore $major on PATH: 1.16 needs pg_restore 17" $? "$(err_text)"
    else
        result "pg_restore $major on PATH: no archive warning" "$(grep -c archive-newer "$ERR")"
    fi
fi
# The installed pg_restore is found without running it where the file system tells (issue
# 10): a pg_restore that is not Debian's wrapper runs only for an archive some supported
# release cannot read (1.15+), once per run; the wrapper (a Perl script) never runs.
mkdir -p "$TMP/fake/bin" "$TMP/wrap/share" "$TMP/wrap/bin"
for f in "$TMP/fake/bin/pg_restore" "$TMP/wrap/share/pg_wrapper"; do
    printf '#!/bin/sh\necho run >>"%s.ran"\necho "pg_restore (PostgreSQL) 16.4"\n' "$f" >"$f"
    chmod +x "$f"
done
ln -s ../share/pg_wrapper "$TMP/wrap/bin/pg_restore"
PATH="$TMP/fake/bin:$PATH" run "$PWD/$DUMPCHECK" --quick "$CORPUS/pg15/sample.tar" \
    "$CORPUS/pg15/sample.custom.gzip.dump" "$CORPUS/pg10/sample.custom.gzip.dump"
result "other pg_restore, archives up to 1.14: not run" \
    "$([ ! -e "$TMP/fake/bin/pg_restore.ran" ] && [ "$RC" -eq 0 ]; echo $?)" "exit $RC" "$(err_text)"
PATH="$TMP/fake/bin:$PATH" run "$PWD/$DUMPCHECK" --quick "$G18" "$CORPUS/pg18/sample.tar"
result "other pg_restore, two 1.16 archives: run once, its release compared" \
    "$([ "$(cat "$TMP/fake/bin/pg_restore.ran" 2>/dev/null)" = run ] &&
        [ "$(grep -c 'needs pg_restore 17 or newer; pg_restore 16 reads' "$ERR")" -eq 2 ]; echo $?)" \
    "ran: $(cat "$TMP/fake/bin/pg_restore.ran" 2>/dev/null)" "$(err_text)"
mapfile -t installed < <(ls -d /usr/lib/postgresql/*/bin/pg_restore 2>/dev/null)
if [ "${#installed[@]}" -eq 1 ]; then
    v=${installed[0]#/usr/lib/postgresql/}
    v=${v%%[./]*}
    PATH="$TMP/wrap/bin:$PATH" run "$PWD/$DUMPCHECK" --quick --json "$G18"
    "$PYTHON" -c 'import json,sys; assert json.load(open(sys.argv[1]))["pg_restore_version"] == int(sys.argv[2])' "$OUT" "$v"
    pyrc=$?
    result "Debian pg_wrapper: not run, its one installed release $v compared" \
        "$([ "$pyrc" -eq 0 ] && [ ! -e "$TMP/wrap/share/pg_wrapper.ran" ]; echo $?)" "$(head -c 300 "$OUT")"
    PGCLUSTER=$v/main PATH="$TMP/wrap/bin:$PATH" run "$PWD/$DUMPCHECK" --quick "$G18"
    PGCLUSTER=99/main PATH="$TMP/wrap/bin:$PATH" timeout "$TIMEOUT" "$PWD/$DUMPCHECK" --quick \
        "$G18" >>"$OUT" 2>>"$ERR"
    result "Debian pg_wrapper: PGCLUSTER's release, none for a missing one, never run" \
        "$([ "$(grep -c "archive-newer-than-pg_restore: .* pg_restore $v reads" "$ERR")" -eq 1 ] &&
            [ ! -e "$TMP/wrap/share/pg_wrapper.ran" ]; echo $?)" "$(err_text)"
fi

# -j's default is the CPUs this process may use (taskset), not all of the machine's
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
    taskset -c 0 timeout "$TIMEOUT" "$DUMPCHECK" --json --no-pg-restore-check \
        "$CORPUS/pg18/sample.custom.zstd.dump" >"$OUT" 2>"$ERR"
    "$PYTHON" -c 'import json,sys; assert json.load(open(sys.argv[1]))["files"][0]["threads"] == 1' "$OUT"
    result "taskset -c 0: one thread" $? "$(grep threads "$OUT")"
fi
PATH=/nonexistent timeout "$TIMEOUT" "$PWD/$DUMPCHECK" "$G18" >"$OUT" 2>"$ERR"
result "no pg_restore on PATH: no version warning" "$(grep -c archive-newer "$ERR")"
run "$DUMPCHECK" --pg-restore-version 16 "$G18"
grep -q "needs pg_restore 17 or newer; pg_restore 16 reads archives up to 1.15" "$ERR"
result "--pg-restore-version 16" $? "$(err_text)"

# make demo's command: the sample dump is WARNING (sequence) and, with pg_restore 15, older
run "$DUMPCHECK" --pg-restore-version 15 "$G18"
result "demo dump: exit 1 with the sequence and the archive version warnings" \
    "$([ "$RC" -eq 1 ] && [ "$(wc -l <"$ERR")" -eq 2 ]; echo $?)" "$(err_text)"

# ------------------------------------------------------------------------------ versions

# Issue 10: a header no pg_dump writes is damaged (exit 2) in every tool; only a plausible newer
# archive (1.17-1.25, sane sizes) is UNKNOWN (exit 3) and says that a newer dumpfmt is needed.
# patch_header OUT OFFSET BYTE...: the pg15 custom dump with its header bytes replaced.
patch_header() {
    local out=$1 at=$2
    shift 2
    cp "$CORPUS/pg15/sample.custom.gzip.dump" "$out"
    printf '%b' "$(printf '\\x%02x' "$@")" | dd of="$out" bs=1 seek="$at" conv=notrunc status=none
}
for c in "2.0:5 2 0:2" "1.40:6 40:2" "1.26:6 26:2" "1.17-int1:6 17 0 1:2" "1.17:6 17:3" \
    "1.25:6 25:3"; do
    name=${c%%:*}
    rest=${c#*:}
    want=${rest##*:}
    # shellcheck disable=SC2086
    patch_header "$TMP/v.dump" ${rest%:*}
    bad=""
    for tool in "$DUMPCHECK --no-pg-restore-check" "${DUMPLS:-${DF_TOOLS_DIR:-tools}/dumpls}" \
        "${DUMPORDER:-${DF_TOOLS_DIR:-tools}/dumporder}"; do
        # shellcheck disable=SC2086
        run $tool "$TMP/v.dump"
        [ "$RC" -eq "$want" ] || bad="$bad ${tool%% *}:$RC"
    done
    if [ "$want" = 3 ]; then
        run "$DUMPCHECK" --no-pg-restore-check "$TMP/v.dump"
        grep -qF "archive version $name is newer than this dumpfmt reads (1.0 to 1.16): a newer dumpfmt is needed" "$ERR" || bad="$bad message"
    fi
    result "header version $name: exit $want in dumpcheck, dumpls and dumporder" \
        "$([ -z "$bad" ]; echo $?)" "$bad $(err_text)"
done

# ------------------------------------------------------------------------------ decoded offsets

# Issue 10: offsets inside a compressed toc.dat count decoded bytes; a finding or error never
# gives one as an offset in the file (there it is "offset N", for xxd -s), but as a "decoded
# offset" in its message.  toc.dat cut at 3000 bytes gzips to well under 3000 bytes.
mkdir -p "$TMP/dz"
cp -r "$CORPUS/pg18/sample.dir.gzip" "$TMP/dz/cut"
head -c 3000 "$TMP/dz/cut/toc.dat" | gzip -n >"$TMP/dz/cut/toc.dat.gz"
cp -r "$CORPUS/pg18/sample.dir.gzip" "$TMP/dz/tail"
{ cat "$TMP/dz/tail/toc.dat"; printf junk; } | gzip -n >"$TMP/dz/tail/toc.dat.gz"
rm "$TMP/dz/cut/toc.dat" "$TMP/dz/tail/toc.dat"
run "$DUMPCHECK" --json --pg-restore-version 15 "$TMP/dz/cut" "$TMP/dz/tail"
"$PYTHON" - "$OUT" <<'EOF'
import json, os, sys
doc = json.load(open(sys.argv[1]))
cut, tail = doc["files"]
assert cut["exit_status"] == 2 and tail["exit_status"] == 1, (cut["exit_status"], tail["exit_status"])
for f in (cut, tail):
    for x in f["findings"]:
        if x["offset"] is not None:  # an offset one can open: inside the file it names
            path = os.path.join(f["file"], x["member"]) if x["member"] else f["file"]
            assert os.path.isfile(path) and x["offset"] <= os.path.getsize(path), x
t = [x for x in cut["findings"] if x["code"] == "truncated-toc"][0]
assert t["offset"] is None and t["member"] == "toc.dat.gz" and "decoded offset 3000" in t["message"], t
t = [x for x in tail["findings"] if x["code"] == "trailing-data"][0]
assert t["offset"] is None and t["member"] == "toc.dat.gz" and "decoded offset" in t["message"], t
t = [x for x in tail["findings"] if x["code"] == "archive-newer-than-pg_restore"][0]
assert t["offset"] is None and t["message"].endswith("(decoded offset 5)"), t
EOF
result "compressed toc.dat: decoded offsets in the message, no file offset" $? "$(head -c 600 "$OUT")"
run "${DUMPLS:-${DF_TOOLS_DIR:-tools}/dumpls}" "$TMP/dz/cut"
result "dumpls, compressed toc.dat cut short: \"at decoded offset 3000\", exit 2" \
    "$([ "$RC" -eq 2 ] && grep -q 'toc.dat.gz: unexpected end of file at decoded offset 3000$' "$ERR" &&
        ! grep -q ': offset ' "$ERR"; echo $?)" "$(err_text)"

# ------------------------------------------------------------------------------ sweep

# Cuts through the tool (the Check suite check_verify cuts every dump at >= 200 offsets).
for rel in pg18/sample.custom.zstd.dump pg15/sample.tar pg16/sample.plain.sql; do
    src=$CORPUS/$rel
    size=$(stat -c %s "$src")
    bad=""
    for i in $(seq 1 40); do
        cut=$(( (i * 2654435761) % size ))
        head -c "$cut" "$src" >"$TMP/cut"
        for mode in "" --quick; do
            # shellcheck disable=SC2086
            timeout 30 "$DUMPCHECK" $mode --no-pg-restore-check "$TMP/cut" >/dev/null 2>&1
            rc=$?
            [ "$rc" -eq 2 ] || bad="$bad $cut${mode:+(quick)}:$rc"
        done
    done
    result "sweep $rel: 40 cuts, full and --quick, all exit 2" "$([ -z "$bad" ]; echo $?)" "$bad"
done

harness_finish
