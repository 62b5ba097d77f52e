#!/bin/bash
# tests/cli/run.sh — CLI golden tests for dumpls (and the shared tool helpers).
#
# Run from the repository root after `make`:
#     tests/cli/run.sh            run every case
#     tests/cli/run.sh --regen    rewrite the golden files of tests/cli/cases/ from the
#                                 current tools/dumpls (review the diff before committing!)
#
# What is checked:
#   * every custom, directory and tar archive X in corpus/pg{93,10,15,16,18} that has an
#     X.list (pg_restore 18.3 output): `dumpls X` is byte-identical to X.list; for files
#     also `dumpls - < X` and `cat X | dumpls -` (a real pipe);
#   * where Debian's pg_restore 15 can read the archive (pg93, pg10, pg15): -l, -l -v, -C
#     and -t/-n/-N selections against `pg_restore` itself, and list files that dumpls
#     writes (default and --long) read back with `pg_restore -L`;
#   * dumpls without --pg-restore-version lists as the installed pg_restore: `pg_restore -l`
#     and `-l -v` on every archive it reads, 18's list for one it refuses (all other
#     runs of dumpls get --pg-restore-version 18 first: the lists are pg_restore 18's);
#   * --long row and large-object counts against corpus/rowcounts.tsv for every archive,
#     the human --long columns against --long --json, --json against MANIFEST.json;
#   * exit status and the one-line error format on bad options, missing and damaged
#     files, and write errors (/dev/full);
#   * exact stdout/stderr/exit status of the cases in tests/cli/cases/ (NAME.cmd holds
#     the arguments one per line; NAME.out, NAME.err, NAME.rc the expected results;
#     @CORPUS@ stands for the corpus directory).
#
# Prints "ok - NAME" / "not ok - NAME" per case and ends with "N passed, N failed";
# exits 1 if anything failed.  Environment: DUMPLS (default tools/dumpls), DF_CORPUS
# (default corpus), PG_RESTORE (default pg_restore), TIMEOUT seconds per run (default 120).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export TZ=UTC LC_ALL=C

DUMPLS=${DUMPLS:-${DF_TOOLS_DIR:-tools}/dumpls}
CORPUS=${DF_CORPUS:-corpus}
PG_RESTORE=${PG_RESTORE:-pg_restore}
TIMEOUT=${TIMEOUT:-120}
CASES=tests/cli/cases
REGEN=0
[ "${1:-}" = "--regen" ] && REGEN=1

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dumpls-cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out
ERR=$TMP/err
RC=0

# ------------------------------------------------------------------ helpers

# The golden lists (X.list, cases/) are pg_restore 18's, and dumpls's default follows the
# installed pg_restore: run, run_in and run_pipe give dumpls --pg-restore-version 18 first
# (a later --pg-restore-version wins); run_default does not.
as18() {
    CMD=("$@")
    [ "$1" = "$DUMPLS" ] && CMD=("$1" --pg-restore-version 18 "${@:2}")
}

# run CMD...: run with a time limit; stdout in $OUT, stderr in $ERR, status in $RC.
run() {
    as18 "$@"
    timeout "$TIMEOUT" "${CMD[@]}" >"$OUT" 2>"$ERR"
    RC=$?
}

run_default() {
    timeout "$TIMEOUT" "$@" >"$OUT" 2>"$ERR"
    RC=$?
}

# run_in FILE CMD...: the same with stdin redirected from FILE.
run_in() {
    local in=$1
    shift
    as18 "$@"
    timeout "$TIMEOUT" "${CMD[@]}" <"$in" >"$OUT" 2>"$ERR"
    RC=$?
}

# run_pipe FILE CMD...: the same with FILE fed through a real pipe (no seeking).
run_pipe() {
    local in=$1
    shift
    as18 "$@"
    # shellcheck disable=SC2002  # cat makes stdin a real pipe, which is the point
    cat "$in" | timeout "$TIMEOUT" "${CMD[@]}" >"$OUT" 2>"$ERR"
    RC=${PIPESTATUS[1]}
}

first_diff() {
    diff "$1" "$2" | head -n 6
}

err_text() {
    head -c 400 "$ERR"
}

# expect_same NAME EXPECTED-FILE: $RC is 0, $OUT equals the file, stderr is empty.
expect_same() {
    local name=$1 want=$2
    if [ "$RC" -ne 0 ]; then
        not_ok "$name" "exit status $RC" "$(err_text)"
    elif ! cmp -s "$want" "$OUT"; then
        not_ok "$name" "stdout differs from $want:" "$(first_diff "$want" "$OUT")"
    elif [ -s "$ERR" ]; then
        not_ok "$name" "unexpected stderr: $(err_text)"
    else
        ok "$name"
    fi
}

# expect_status NAME WANT: $RC equals WANT.
expect_status() {
    if [ "$RC" -eq "$2" ]; then
        ok "$1"
    else
        not_ok "$1" "exit status $RC, want $2" "$(err_text)"
    fi
}

# expect_error NAME WANT-STATUS PATH-PREFIX [REGEX]: failure with exactly one stderr line
# "dumpls: PATH...: ..." (matching REGEX if given) and nothing on stdout.
expect_error() {
    local name=$1 want=$2 prefix=$3 regex=${4:-}
    local lines
    lines=$(wc -l <"$ERR")
    if [ "$RC" -ne "$want" ]; then
        not_ok "$name" "exit status $RC, want $want" "$(err_text)"
    elif [ "$lines" -ne 1 ]; then
        not_ok "$name" "want one stderr line, got $lines:" "$(err_text)"
    elif [ "$(head -c ${#prefix} "$ERR")" != "$prefix" ]; then
        not_ok "$name" "stderr does not start with \"$prefix\":" "$(err_text)"
    elif [ -n "$regex" ] && ! grep -Eq -- "$regex" "$ERR"; then
        not_ok "$name" "stderr does not match /$regex/:" "$(err_text)"
    elif [ -s "$OUT" ]; then
        not_ok "$name" "unexpected stdout: $(head -c 200 "$OUT")"
    else
        ok "$name"
    fi
}

# All archives that have a pg_restore 18 list next to them, one per line.
archives() {
    local d l
    for d in pg93 pg10 pg15 pg16 pg18; do
        for l in "$CORPUS/$d"/*.list; do
            [ -e "$l" ] && printf '%s\n' "${l%.list}"
        done
    done
}

# Archives Debian's pg_restore 15 can read (archive versions 1.12 .. 1.14).
old_archives() {
    archives | grep -E "^$CORPUS/(pg93|pg10|pg15)/"
}

# The corpus-relative name used by MANIFEST.json and rowcounts.tsv ("pg18/sample.dir.gzip/").
rel_name() {
    local rel=${1#"$CORPUS"/}
    [ -d "$1" ] && rel="$rel/"
    printf '%s\n' "$rel"
}

have_pg_restore() {
    command -v "$PG_RESTORE" >/dev/null 2>&1
}

# ------------------------------------------------------------------ python checkers

cat >"$TMP/check.py" <<'PYEOF'
"""Checks over dumpls --json / --long output (called by tests/cli/run.sh)."""
import json, re, sys

def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)

def fail(msg):
    print(msg)
    sys.exit(1)

def json_vs_manifest(doc_path, manifest_path, rel, list_path):
    """--json: header fields and entry count match MANIFEST.json, listed ids match X.list."""
    doc = load(doc_path)
    man = {d["file"].rstrip("/"): d for d in load(manifest_path)["dumps"]}
    rel = rel.rstrip("/")
    if rel not in man:
        fail("%s not in MANIFEST.json" % rel)
    m = man[rel]
    if doc["toc_entries"] != m["toc_entries"]:
        fail("toc_entries %s, manifest %s" % (doc["toc_entries"], m["toc_entries"]))
    if len(doc["entries"]) != m["toc_entries"]:
        fail("%d entries, manifest toc_entries %d" % (len(doc["entries"]), m["toc_entries"]))
    if "archive_version" in m and doc["archive_version"] != re.sub(
            r"\.(\d+)$", r"-\1", m["archive_version"]):
        fail("archive_version %s, manifest %s" % (doc["archive_version"], m["archive_version"]))
    for k in ("int_size", "off_size"):
        if k in m and doc[k] != m[k]:
            fail("%s %s, manifest %s" % (k, doc[k], m[k]))
    if [e["index"] for e in doc["entries"]] != list(range(len(doc["entries"]))):
        fail("entry indexes are not 0..n-1")
    want = [int(l.split(";", 1)[0]) for l in open(list_path, encoding="utf-8", errors="replace")
            if not l.startswith(";") and l.strip()]
    got = [e["dump_id"] for e in doc["entries"] if e["listed"]]
    if got != want:
        fail("listed dump ids differ from %s: %s ... vs %s ..." % (list_path, got[:8], want[:8]))
    if doc["listed_entries"] != len(want):
        fail("listed_entries %s, list has %d" % (doc["listed_entries"], len(want)))
    for e in doc["entries"]:
        if not isinstance(e["dependencies"], list):
            fail("dependencies of %s is not a list" % e["dump_id"])

def rows_vs_rowcounts(doc_path, rowcounts_path, rel):
    """--long --json: rows per table and the large-object count match rowcounts.tsv."""
    doc = load(doc_path)
    want = {}
    for line in open(rowcounts_path, encoding="utf-8"):
        if line.startswith("#"):
            continue
        f, table, rows = line.rstrip("\n").split("\t")
        if f.rstrip("/") == rel.rstrip("/"):
            want[table] = int(rows)
    if not want:
        fail("no rows for %s in rowcounts.tsv" % rel)
    got = {}
    for e in doc["entries"]:
        if e["desc"] == "TABLE DATA":
            got["%s.%s" % (e["schema"], e["tag"])] = e["rows"]
        elif e["desc"] == "BLOBS":
            got["<large objects>"] = got.get("<large objects>", 0) + e["large_objects"]
        if e.get("data_error") is not None:
            fail("data_error on %s: %s" % (e["dump_id"], e["data_error"]))
    if got != want:
        diff = sorted(set(got.items()) ^ set(want.items()))
        fail("row counts differ (got/want): %s" % diff[:6])

def long_vs_json(long_path, doc_path):
    """The human --long columns carry the same numbers as --long --json."""
    doc = load(doc_path)
    by_id = {e["dump_id"]: e for e in doc["entries"]}
    lines = [l for l in open(long_path, encoding="utf-8", errors="replace")
             if not l.startswith(";")]
    listed = [e for e in doc["entries"] if e["listed"]]
    if len(lines) != len(listed):
        fail("%d --long lines, %d listed entries" % (len(lines), len(listed)))
    pat = re.compile(r"^(\d+);\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+) (.*)$")
    for line in lines:
        m = pat.match(line.rstrip("\n"))
        if not m:
            fail("bad --long line: %r" % line)
        e = by_id[int(m.group(1))]
        section, offset, stored, nbytes, rows, rest = m.group(2, 3, 4, 5, 6, 7)
        if section != e["section"]:
            fail("section %s vs %s for %s" % (section, e["section"], e["dump_id"]))
        want_off = "-" if e["data_offset"] is None else str(e["data_offset"])
        want_rows = e.get("rows", e.get("large_objects"))
        for name, got, want in (("offset", offset, want_off),
                                ("stored", stored, e["stored_bytes"]),
                                ("bytes", nbytes, e["bytes"]),
                                ("rows", rows, want_rows)):
            want = "-" if want is None else str(want)
            if got != want:
                fail("%s column %s, json %s (dump id %s)" % (name, got, want, e["dump_id"]))
        if not rest.startswith(e["desc"] + " "):
            fail("desc column of %s: %r" % (e["dump_id"], rest))

def count_desc(doc_path, desc):
    """Listed entries of type desc, and all listed entries ("N M")."""
    doc = load(doc_path)
    listed = [e for e in doc["entries"] if e["listed"]]
    print(sum(1 for e in listed if e["desc"] == desc), len(listed))

def craft(src, dst):
    """Copy src with every "Data Steward" (12 bytes) replaced by 12 awkward bytes: a quote,
    a backslash, LF, CR, a control character, a stray 0xff and a valid UTF-8 "é".  The
    lengths stay the same, so the archive stays valid."""
    data = open(src, "rb").read()
    if data.count(b"Data Steward") < 10:
        fail("%s: too few owners to replace" % src)
    open(dst, "wb").write(data.replace(b"Data Steward", b'D"a\\t\n\x01\xff\xc3\xa9\ry'))

def crafted_json(doc_path):
    """The awkward owner comes back exactly (0xff as U+00FF); the document is valid UTF-8
    with no raw control characters but the newlines between members."""
    raw = open(doc_path, "rb").read()
    if any(b < 0x20 and b != 0x0A for b in raw):
        fail("raw control character in the JSON output")
    doc = json.loads(raw.decode("utf-8"))
    want = 'D"a\\t\n\x01\xff\u00e9\ry'
    owners = [e["owner"] for e in doc["entries"] if e["owner"] and e["owner"].startswith("D")]
    if not owners or any(o != want for o in owners):
        fail("owners %r, want %r" % (owners[:2], want))

if __name__ == "__main__":
    globals()[sys.argv[1]](*sys.argv[2:])
PYEOF

py() {
    python3 "$TMP/check.py" "$@" >"$TMP/py" 2>&1
}

# ------------------------------------------------------------------ test groups

# dumpls X == X.list (pg_restore 18), from the path, from stdin and from a pipe.
test_lists() {
    local x list
    while read -r x; do
        list=$x.list
        run "$DUMPLS" "$x"
        expect_same "list $x" "$list"
        if [ -f "$x" ]; then
            run_in "$x" "$DUMPLS" -
            expect_same "list stdin $x" "$list"
            run_pipe "$x" "$DUMPLS" -
            expect_same "list pipe $x" "$list"
        fi
    done < <(archives)
}

# compare_pg NAME "DUMPLS ARGS" "PG_RESTORE ARGS" X: stdout of both, byte for byte.
compare_pg() {
    local name=$1 dargs=$2 pargs=$3 x=$4
    # shellcheck disable=SC2086  # the argument strings are word lists on purpose
    if ! timeout "$TIMEOUT" "$PG_RESTORE" $pargs "$x" >"$TMP/pg" 2>"$TMP/pgerr"; then
        not_ok "$name" "pg_restore $pargs failed: $(head -c 300 "$TMP/pgerr")"
        return
    fi
    # shellcheck disable=SC2086
    run "$DUMPLS" --pg-restore-version 15 $dargs "$x"
    expect_same "$name" "$TMP/pg"
}

# The same with arguments that contain spaces: DUMPLS-ARGS... -- PG_RESTORE-ARGS...
compare_pg_args() {
    local name=$1 x=$2
    shift 2
    local -a dargs=() pargs=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do dargs+=("$1"); shift; done
    shift
    pargs=("$@")
    if ! timeout "$TIMEOUT" "$PG_RESTORE" "${pargs[@]}" "$x" >"$TMP/pg" 2>"$TMP/pgerr"; then
        not_ok "$name" "pg_restore ${pargs[*]} failed: $(head -c 300 "$TMP/pgerr")"
        return
    fi
    run "$DUMPLS" --pg-restore-version 15 "${dargs[@]}" "$x"
    expect_same "$name" "$TMP/pg"
}

# -l and -l -v against pg_restore 15 on every archive it can read.
test_pg_restore_15() {
    local x
    if ! have_pg_restore; then
        not_ok "pg_restore 15 available" "no $PG_RESTORE on PATH"
        return
    fi
    while read -r x; do
        compare_pg "pg_restore 15 -l $x" "" "-l" "$x"
        compare_pg "pg_restore 15 -l -v $x" "-v" "-l -v" "$x"
    done < <(old_archives)
}

# With no --pg-restore-version dumpls lists as the installed pg_restore does: exactly its
# -l and -l -v on every archive it reads; an archive it refuses is listed as 18 does.
test_installed_default() {
    local x
    if ! have_pg_restore; then
        not_ok "installed pg_restore available" "no $PG_RESTORE on PATH"
        return
    fi
    while read -r x; do
        timeout "$TIMEOUT" "$PG_RESTORE" -l "$x" >"$TMP/pg" 2>"$TMP/pgerr"
        run_default "$DUMPLS" "$x"
        expect_same "default = installed pg_restore -l $x" "$TMP/pg"
        timeout "$TIMEOUT" "$PG_RESTORE" -l -v "$x" >"$TMP/pg" 2>"$TMP/pgerr"
        run_default "$DUMPLS" -v "$x"
        expect_same "default -v = installed pg_restore -l -v $x" "$TMP/pg"
    done < <(old_archives)
    if ! "$PG_RESTORE" -l "$CORPUS/pg18/sample.tar" >/dev/null 2>&1; then
        run_default "$DUMPLS" "$CORPUS/pg18/sample.tar"
        expect_same "default on an archive the installed pg_restore refuses: as 18" \
            "$CORPUS/pg18/sample.tar.list"
    fi
}

# A name that matches nothing: pg_restore's list, a warning naming it, exit 1; with
# --strict-names exit 3 where pg_restore --strict-names fails too.
unmatched_name() {
    local x=$1 opt name kind letter
    for opt in "-t no_such_table" "-n no_such_schema" "-n sales -t readings"; do
        # shellcheck disable=SC2086
        timeout "$TIMEOUT" "$PG_RESTORE" -l $opt "$x" >"$TMP/pg" 2>/dev/null
        # shellcheck disable=SC2086
        run "$DUMPLS" --pg-restore-version 15 $opt "$x"
        name=${opt##* }
        case $opt in *-t*) kind=table letter=t ;; *) kind=schema letter=n ;; esac
        if [ "$RC" -eq 1 ] && cmp -s "$TMP/pg" "$OUT" &&
            grep -q "^dumpls: $x: $kind \"$name\" not found (-$letter matches nothing)\$" "$ERR"; then
            ok "$opt $x: pg_restore's list, a warning, exit 1"
        else
            not_ok "$opt $x: pg_restore's list, a warning, exit 1" "exit $RC" "$(err_text)" \
                "$(first_diff "$TMP/pg" "$OUT")"
        fi
        # shellcheck disable=SC2086
        timeout "$TIMEOUT" "$PG_RESTORE" -l --strict-names $opt "$x" >/dev/null 2>&1
        local pg_rc=$?
        # shellcheck disable=SC2086
        run "$DUMPLS" --pg-restore-version 15 --strict-names $opt "$x"
        [ "$pg_rc" -ne 0 ] && [ "$RC" -eq 3 ] && grep -q "$kind \"$name\" not found" "$ERR"
        result "--strict-names $opt $x: exit 3 (pg_restore --strict-names fails too)" $? \
            "exit $RC, pg_restore $pg_rc" "$(err_text)"
    done
    run "$DUMPLS" --pg-restore-version 15 --type "no such type" -n sales "$x"
    [ "$RC" -eq 1 ] && grep -q 'entry type "no such type" not found (--type matches nothing)$' "$ERR"
    result "--type matching nothing $x: a warning, exit 1" $? "exit $RC" "$(err_text)"
}

# Selections (-t, -n, -N, -C, combined with -v) against pg_restore 15 on pg15 archives.
test_selection() {
    local x
    have_pg_restore || return
    while read -r x; do
        compare_pg "-t orders $x" "-t orders" "-l -t orders" "$x"
        compare_pg "-t readings $x" "-t readings" "-l -t readings" "$x"
        compare_pg "-t customers -t invoices $x" "-t customers -t invoices" \
            "-l -t customers -t invoices" "$x"
        compare_pg_args "-t 'Mixed Case' $x" "$x" -t "Mixed Case" -- -l -t "Mixed Case"
        unmatched_name "$x"
        compare_pg "-n sales $x" "-n sales" "-l -n sales" "$x"
        compare_pg "-n audit -n bulk $x" "-n audit -n bulk" "-l -n audit -n bulk" "$x"
        compare_pg "-N sales $x" "-N sales" "-l -N sales" "$x"
        compare_pg "-n sales -N sales $x" "-n sales -N sales" "-l -n sales -N sales" "$x"
        compare_pg "-n sales -t orders $x" "-n sales -t orders" "-l -n sales -t orders" "$x"
        compare_pg "-C $x" "-C" "-l -C" "$x"
        compare_pg "-C -n public $x" "-C -n public" "-l -C -n public" "$x"
        compare_pg "-v -t orders $x" "-v -t orders" "-l -v -t orders" "$x"
    done < <(archives | grep -E "^$CORPUS/pg15/")
}

# List files written by dumpls are read back by pg_restore -L with the same result.
test_list_files() {
    local x
    have_pg_restore || return
    while read -r x; do
        run "$DUMPLS" --pg-restore-version 15 -t orders "$x"
        cp "$OUT" "$TMP/list.t"
        compare_pg "pg_restore -L (dumpls -t orders) $x" "-t orders" "-l -L $TMP/list.t" "$x"
        run "$DUMPLS" --pg-restore-version 15 --long "$x"
        cp "$OUT" "$TMP/list.long"
        compare_pg "pg_restore -L (dumpls --long) $x" "" "-l -L $TMP/list.long" "$x"
    done < <(old_archives | grep -E "/(pg15|pg10)/")
}

# --json against MANIFEST.json and X.list; --long rows against rowcounts.tsv.
test_json_and_long() {
    local x rel
    while read -r x; do
        rel=$(rel_name "$x")
        run "$DUMPLS" --json "$x"
        cp "$OUT" "$TMP/doc.json"
        if [ "$RC" -ne 0 ] || [ -s "$ERR" ]; then
            not_ok "--json $x" "exit status $RC" "$(err_text)"
        elif ! python3 -m json.tool "$TMP/doc.json" >/dev/null 2>"$TMP/py"; then
            not_ok "--json $x" "not valid JSON: $(head -c 300 "$TMP/py")"
        else
            py json_vs_manifest "$TMP/doc.json" "$CORPUS/MANIFEST.json" "$rel" "$x.list"
            result "--json $x" $? "$(cat "$TMP/py")"
        fi

        run "$DUMPLS" --long --json "$x"
        cp "$OUT" "$TMP/long.json"
        if [ "$RC" -ne 0 ] || [ -s "$ERR" ]; then
            not_ok "--long --json rows $x" "exit status $RC" "$(err_text)"
        else
            py rows_vs_rowcounts "$TMP/long.json" "$CORPUS/rowcounts.tsv" "$rel"
            result "--long --json rows $x" $? "$(cat "$TMP/py")"
        fi

        run "$DUMPLS" --long "$x"
        if [ "$RC" -ne 0 ] || [ -s "$ERR" ]; then
            not_ok "--long $x" "exit status $RC" "$(err_text)"
        elif ! cmp -s <(sed -n '1,/^; Selected TOC Entries:$/p' "$x.list") \
            <(sed -n '1,/^; Selected TOC Entries:$/p' "$OUT"); then
            not_ok "--long $x" "header differs from $x.list"
        else
            py long_vs_json "$OUT" "$TMP/long.json"
            result "--long $x" $? "$(cat "$TMP/py")"
        fi
    done < <(archives)
}

# --long from a real pipe (custom files without offsets, tar) counts the same rows.
test_long_pipe() {
    local x rel
    for x in "$CORPUS/pg18/sample.custom.pipe.dump" "$CORPUS/pg18/sample.custom.gzip.dump" \
        "$CORPUS/pg16/sample.tar" "$CORPUS/pg93/sample.custom.pipe.dump" \
        "$CORPUS/pg18/sample.tar" "$CORPUS/pg16/sample.custom.stdout.dump"; do
        rel=$(rel_name "$x")
        run_pipe "$x" "$DUMPLS" --long --json -
        cp "$OUT" "$TMP/long.json"
        if [ "$RC" -ne 0 ] || [ -s "$ERR" ]; then
            not_ok "--long --json pipe $x" "exit status $RC" "$(err_text)"
        else
            py rows_vs_rowcounts "$TMP/long.json" "$CORPUS/rowcounts.tsv" "$rel"
            result "--long --json pipe $x" $? "$(cat "$TMP/py")"
        fi
    done
}

# --type narrows pg_restore's selection; matching is case-insensitive.
test_type() {
    local x=$CORPUS/pg18/sample.custom.gzip.dump n want
    run "$DUMPLS" --type "table data" "$x"
    n=$(grep -vc '^;' "$OUT")
    want=$(grep -c '^[0-9]*; [0-9]* [0-9]* TABLE DATA ' "$x.list")
    if [ "$RC" -eq 0 ] && [ "$n" -eq "$want" ] && [ "$n" -gt 0 ] &&
        cmp -s <(grep '^;' "$OUT") <(grep '^;' "$x.list") &&
        cmp -s <(grep -v '^;' "$OUT") <(grep '^[0-9]*; [0-9]* [0-9]* TABLE DATA ' "$x.list"); then
        ok "--type 'table data'"
    else
        not_ok "--type 'table data'" "status $RC, $n lines, want $want" "$(err_text)"
    fi

    run "$DUMPLS" --type SCHEMA --type "FK CONSTRAINT" "$x"
    want=$(grep -Ec '^[0-9]+; [0-9]+ [0-9]+ (SCHEMA|FK CONSTRAINT) ' "$x.list")
    n=$(grep -vc '^;' "$OUT")
    { [ "$RC" -eq 0 ] && [ "$n" -eq "$want" ] && [ "$n" -gt 1 ]; }
    result "--type repeated" $? \
        "status $RC, $n lines, want $want"

    run "$DUMPLS" --json "$x"
    cp "$OUT" "$TMP/doc.json"
    want=$(python3 "$TMP/check.py" count_desc "$TMP/doc.json" "TABLE" 2>&1)
    want=${want%% *}
    run "$DUMPLS" --type "TABLE" "$x"
    n=$(grep -vc '^;' "$OUT")
    { [ "$RC" -eq 0 ] && [ "$n" -eq "$want" ]; }
    result "--type is an exact match" $? \
        "status $RC, $n lines, want $want"

    run "$DUMPLS" --json --type "TABLE DATA" -n sales "$x"
    cp "$OUT" "$TMP/doc.json"
    n=$(python3 "$TMP/check.py" count_desc "$TMP/doc.json" "TABLE DATA" 2>&1)
    want=$(grep -c '^[0-9]*; [0-9]* [0-9]* TABLE DATA sales ' "$x.list")
    want="$want $want"
    { [ "$RC" -eq 0 ] && [ "$n" = "$want" ]; }
    result "--json --type -n listed flags" $? \
        "listed $n, want $want"

    run "$DUMPLS" --type "BLOBS" --long "$x"
    n=$(grep -vc '^;' "$OUT")
    want=$(grep -c '^[0-9]*; [0-9]* [0-9]* BLOBS ' "$x.list")
    { [ "$RC" -eq 0 ] && [ "$n" -eq "$want" ]; }
    result "--long --type BLOBS" $? \
        "status $RC, $n lines, want $want"
}

# Names with quotes, backslashes, CR/LF, control characters and invalid UTF-8: the listing
# sanitises them exactly as pg_restore does, the JSON escapes them.
test_crafted() {
    local x=$TMP/crafted.dump lines
    if ! py craft "$CORPUS/pg15/sample.custom.none.dump" "$x"; then
        not_ok "crafted archive" "$(cat "$TMP/py")"
        return
    fi
    if have_pg_restore; then
        compare_pg "crafted names: -l as pg_restore 15" "" "-l" "$x"
        compare_pg "crafted names: -l -v as pg_restore 15" "-v" "-l -v" "$x"
    fi
    run "$DUMPLS" --json --long "$x"
    cp "$OUT" "$TMP/crafted.json"
    if [ "$RC" -ne 0 ]; then
        not_ok "crafted names: --json" "status $RC" "$(err_text)"
    else
        py crafted_json "$TMP/crafted.json"
        result "crafted names: --json" $? "$(cat "$TMP/py")"
    fi
    run "$DUMPLS" --long "$x"
    lines=$(grep -vc '^;' "$OUT")
    { [ "$RC" -eq 0 ] && [ "$lines" -eq "$(grep -vc '^;' "$CORPUS/pg15/sample.custom.none.dump.list")" ] &&
        grep -aqF "SCHEMA - audit $(printf 'D"a\\t \001\377\303\251 y')" "$OUT"; }
    result "crafted names: --long sanitises CR/LF" $? "status $RC, $lines lines"
}

# The header follows the emulated pg_restore release.
test_versions() {
    local x=$CORPUS/pg15/sample.custom.gzip.dump
    run "$DUMPLS" --pg-restore-version 15 "$x"
    { [ "$RC" -eq 0 ] && grep -qx ';     Compression: -1' "$OUT"; }
    result "--pg-restore-version 15 prints the level" $? \
        "$(grep Compression "$OUT")"
    run "$DUMPLS" --pg-restore-version 16 "$x"
    { [ "$RC" -eq 0 ] && grep -qx ';     Compression: gzip' "$OUT"; }
    result "--pg-restore-version 16 prints the algorithm" $? \
        "$(grep Compression "$OUT")"
    # The creation time is shown in the local zone, as pg_restore shows it.
    if have_pg_restore && [ -e /usr/share/zoneinfo/Europe/Berlin ]; then
        TZ=Europe/Berlin compare_pg "TZ=Europe/Berlin -l $x" "" "-l" "$x"
        local stamp
        stamp=$(sed -n 's/^; Archive created at \(.*\) UTC$/\1/p' "$x.list")
        TZ=Europe/Berlin run "$DUMPLS" --json "$x"
        { [ "$RC" -eq 0 ] && [ -n "$stamp" ] && grep -qF "\"created\": \"$stamp CET\"," "$OUT"; }
        result "TZ=Europe/Berlin --json created" $? "$(grep '"created"' "$OUT")"
    fi
    run "$DUMPLS" --pg-restore-version 15 "$CORPUS/pg18/sample.custom.gzip.dump"
    expect_error "--pg-restore-version 15 refuses a 1.16 archive" 3 \
        "dumpls: $CORPUS/pg18/sample.custom.gzip.dump: "
}

# Exit status and error lines.
test_errors() {
    local d=$CORPUS/damaged version
    version=$(sed -n 's/^#define DF_VERSION_STRING "\(.*\)"$/\1/p' libdumpfmt/dumpfmt.h)

    run "$DUMPLS" --help
    { [ "$RC" -eq 0 ] && grep -q '^Usage:' "$OUT" && [ ! -s "$ERR" ]; }
    result "--help" $? \
        "status $RC"
    run "$DUMPLS" --version
    { [ "$RC" -eq 0 ] && [ "$(cat "$OUT")" = "dumpls (dumpfmt) $version" ]; }
    result "--version" $? \
        "status $RC, stdout: $(cat "$OUT")"
    run "$DUMPLS" --no-such-option "$CORPUS/pg18/sample.tar"
    { [ "$RC" -eq 3 ] && grep -q 'Try "dumpls --help"' "$ERR" && [ ! -s "$OUT" ]; }
    result "bad option: status 3" $? \
        "status $RC" "$(err_text)"
    run "$DUMPLS"
    { [ "$RC" -eq 3 ]; }
    result "no argument: status 3" $? "status $RC"
    run "$DUMPLS" "$CORPUS/pg18/sample.tar" "$CORPUS/pg16/sample.tar"
    { [ "$RC" -eq 3 ] && [ ! -s "$OUT" ]; }
    result "two arguments: status 3" $? "status $RC"
    local v
    for v in 9 19 abc 15x ""; do
        run "$DUMPLS" --pg-restore-version "$v" "$CORPUS/pg15/sample.tar"
        { [ "$RC" -eq 3 ] && [ ! -s "$OUT" ]; }
        result "--pg-restore-version '$v': status 3" $? \
            "status $RC"
    done

    run "$DUMPLS" "$CORPUS/no-such-file.dump"
    expect_error "missing file: status 3" 3 "dumpls: $CORPUS/no-such-file.dump: "
    run "$DUMPLS" "$d/random.dump"
    expect_error "random.dump: status 2" 2 "dumpls: $d/random.dump: "
    run "$DUMPLS" "$d/empty.dump"
    expect_error "empty.dump: status 2" 2 "dumpls: $d/empty.dump: "
    run_in "$d/empty.dump" "$DUMPLS" -
    expect_error "empty stdin: status 2" 2 "dumpls: -: "
    run "$DUMPLS" "$d/pg18-sample.custom.gzip.trunc-magic.dump"
    expect_error "trunc-magic: status 2" 2 "dumpls: $d/pg18-sample.custom.gzip.trunc-magic.dump: "
    run "$DUMPLS" "$d/pg15-sample.custom.gzip.trunc-header.dump"
    expect_error "trunc-header: status 2" 2 \
        "dumpls: $d/pg15-sample.custom.gzip.trunc-header.dump: " ': offset [0-9]+: '
    run "$DUMPLS" "$d/pg18-sample.custom.gzip.trunc-toc.dump"
    expect_error "trunc-toc: status 2 with offset" 2 \
        "dumpls: $d/pg18-sample.custom.gzip.trunc-toc.dump: offset " ': offset [0-9]+: '
    run_pipe "$d/pg18-sample.custom.gzip.trunc-toc.dump" "$DUMPLS" -
    expect_error "trunc-toc from a pipe: status 2" 2 "dumpls: -: offset "
    run "$DUMPLS" --long --json "$d/pg18-sample.custom.gzip.trunc-toc.dump"
    expect_error "trunc-toc --long --json: status 2" 2 \
        "dumpls: $d/pg18-sample.custom.gzip.trunc-toc.dump: "
}

# Damaged data: the TOC lists fine (status 0, same as the intact base), --long fails with 2.
test_damaged_data() {
    local d=$CORPUS/damaged f base name
    while read -r f base; do
        name=$d/$f
        run "$DUMPLS" "$name"
        expect_same "list of damaged $f" "$CORPUS/$base.list"
        run "$DUMPLS" --long "$name"
        if [ "$RC" -ne 2 ]; then
            not_ok "--long damaged $f: status 2" "status $RC" "$(err_text)"
        elif ! grep -q "^dumpls: $name" "$ERR"; then
            not_ok "--long damaged $f: status 2" "no error line for it:" "$(err_text)"
        elif ! grep -Eq '^[0-9]+; +data +.* \? +TABLE DATA bulk readings ' "$OUT"; then
            not_ok "--long damaged $f: status 2" "bulk.readings not marked unknown"
        else
            ok "--long damaged $f: status 2"
        fi
        run "$DUMPLS" --long --json "$name"
        { [ "$RC" -eq 2 ] && python3 -m json.tool "$OUT" >/dev/null 2>&1; }
        result "--long --json damaged $f: status 2" $? \
            "status $RC" "$(err_text)"
    done <<EOF
pg18-sample.custom.gzip.trunc-chunk.dump pg18/sample.custom.gzip.dump
pg18-sample.custom.gzip.trunc-boundary.dump pg18/sample.custom.gzip.dump
pg18-sample.custom.gzip.flip-zlib.dump pg18/sample.custom.gzip.dump
pg16-sample.custom.lz4.trunc-chunk.dump pg16/sample.custom.lz4.dump
pg18-sample.custom.pipe.trunc-chunk.dump pg18/sample.custom.pipe.dump
pg18-sample.dir.gzip.missing-datafile pg18/sample.dir.gzip
pg18-sample.dir.gzip.trunc-datgz pg18/sample.dir.gzip
pg18-sample.dir.gzip.crc-datgz pg18/sample.dir.gzip
pg16-sample.dir.zstd.trunc-datzst pg16/sample.dir.zstd
pg18-sample.tar.trunc-member.tar pg18/sample.tar
EOF
    # The last 3 bytes of the file belong to the last data entry (the large objects).
    run "$DUMPLS" --long "$d/pg18-sample.custom.gzip.trunc-tail3.dump"
    expect_status "--long damaged trunc-tail3: status 2" 2
    run "$DUMPLS" "$d/pg18-sample.custom.gzip.trunc-tail3.dump"
    expect_same "list of damaged trunc-tail3" "$CORPUS/pg18/sample.custom.gzip.dump.list"
    run_pipe "$d/pg18-sample.custom.gzip.trunc-chunk.dump" "$DUMPLS" --long -
    expect_status "--long trunc-chunk from a pipe: status 2" 2
    run "$DUMPLS" --long "$d/pg18-sample.dir.gzip.missing-datafile"
    { grep -q "^dumpls: $d/pg18-sample.dir.gzip.missing-datafile/2890.dat" "$ERR"; }
    result "--long missing data file names it" $? \
        "$(err_text)"
}

# Write errors are status 3.
test_write_errors() {
    local x=$CORPUS/pg18/sample.custom.gzip.dump args
    [ -w /dev/full ] || return
    for args in "" "-v" "--long" "--json" "--long --json" "--help"; do
        # shellcheck disable=SC2086
        timeout "$TIMEOUT" "$DUMPLS" $args "$x" >/dev/full 2>"$ERR"
        RC=$?
        { [ "$RC" -eq 3 ] && grep -q '^dumpls: .*write' "$ERR"; }
        result "/dev/full $args: status 3" $? \
            "status $RC" "$(err_text)"
    done
}

# ------------------------------------------------------------------ golden cases

# Read NAME.cmd into the array CASE_ARGS (one argument per line, @CORPUS@ substituted).
read_case_args() {
    local line
    CASE_ARGS=()
    while IFS= read -r line || [ -n "$line" ]; do
        CASE_ARGS+=("${line//@CORPUS@/$CORPUS}")
    done <"$1"
}

# The expected file with @CORPUS@ substituted.
expand_expected() {
    sed "s|@CORPUS@|$CORPUS|g" "$1"
}

unexpand_actual() {
    sed "s|$CORPUS|@CORPUS@|g" "$1"
}

test_golden() {
    local cmd name want_rc
    for cmd in "$CASES"/*.cmd; do
        [ -e "$cmd" ] || continue
        name=${cmd%.cmd}
        read_case_args "$cmd"
        run "$DUMPLS" "${CASE_ARGS[@]}"
        if [ "$REGEN" -eq 1 ]; then
            unexpand_actual "$OUT" >"$name.out"
            unexpand_actual "$ERR" >"$name.err"
            echo "$RC" >"$name.rc"
            ok "regenerated $(basename "$name")"
            continue
        fi
        want_rc=$(cat "$name.rc" 2>/dev/null || echo 0)
        if [ "$RC" -ne "$want_rc" ]; then
            not_ok "golden $(basename "$name")" "status $RC, want $want_rc" "$(err_text)"
        elif ! cmp -s <(expand_expected "$name.out") "$OUT"; then
            not_ok "golden $(basename "$name")" "stdout differs:" \
                "$(diff <(expand_expected "$name.out") "$OUT" | head -n 6)"
        elif ! cmp -s <(expand_expected "$name.err") "$ERR"; then
            not_ok "golden $(basename "$name")" "stderr differs:" \
                "$(diff <(expand_expected "$name.err") "$ERR" | head -n 6)"
        else
            ok "golden $(basename "$name")"
        fi
    done
}

# ------------------------------------------------------------------ main

if [ ! -x "$DUMPLS" ]; then
    echo "not ok - $DUMPLS is built (run make first)"
    echo "0 passed, 1 failed"
    exit 1
fi

if [ "$REGEN" -eq 1 ]; then
    test_golden
else
    test_lists
    test_pg_restore_15
    test_installed_default
    test_selection
    test_list_files
    test_json_and_long
    test_long_pipe
    test_type
    test_crafted
    test_versions
    test_errors
    test_damaged_data
    test_write_errors
    test_golden
fi

harness_finish
