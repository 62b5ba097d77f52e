#!/bin/bash
# tests/cli/dumpdiag.sh — CLI tests for dumpdiag on the logs of real failing restores kept as
# golden files (tests/cli/cases/dumpdiag/, made by DUMPDIAG_GOLDEN=1 tests/live/dumpdiag.sh on
# PostgreSQL 15 together with their dumps); no server needed.
#
# What is checked:
#   * for every kept log: every error attributed to an entry and classified, the expected root
#     cause, cascades, stop, never-ran entries and exit status (tests/live/diagcheck.py);
#   * the quiet pg_restore log (entries found by statement) names the same entries as the -v
#     log of the same restore (entries named by pg_restore itself), and psql's -e echo from
#     standard input the same as its FILE:LINE prefixes;
#   * the resume list is one pg_restore -L reads back (df_list_read: no line ignored);
#   * -j: an item launched but never reported finished is uncertain (abort-j2-uncertain.log,
#     made from abort-j2.log by dropping one "finished item" line): resumed, with the TRUNCATE
#     to run first in the list's comments, the text and the JSON;
#   * a clean (empty) log exits 0, a file that is no restore log exits 3 saying what was
#     expected, a missing dump exits 3; the log can come from standard input; the text report.
#
# Prints "ok - NAME" / "not ok - NAME" per case and ends with "N passed, N failed".
# Environment: DUMPDIAG (default tools/dumpdiag), DUMPORDER (default tools/dumporder).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export LC_ALL=C

DUMPDIAG=${DUMPDIAG:-${DF_TOOLS_DIR:-tools}/dumpdiag}
DUMPORDER=${DUMPORDER:-${DF_TOOLS_DIR:-tools}/dumporder}
G=tests/cli/cases/dumpdiag
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dumpdiag-cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

# case NAME DUMP [diagcheck options]: dumpdiag --json -o on the kept log, then the checks.
case_() {
    local name=$1 dump=$2 out extra=()
    shift 2
    [ "$name" = psql-stop ] && extra=(--on-error-stop)
    "$DUMPDIAG" --json "${extra[@]}" -o "$TMP/$name.resume" "$G/$name.log" "$G/$dump" \
        >"$TMP/$name.json" 2>"$TMP/$name.err"
    echo $? >"$TMP/$name.rc"
    out=$(python3 tests/live/diagcheck.py "$TMP/$name.json" "$@" 2>&1)
    check "$name: every error attributed and classified" $? "$out" "$(head -3 "$TMP/$name.err")"
}

case_ roles-v roles.dump --classes role-missing --causes 1 --what "roles app_owner, app_ro" --exit 1 --min-errors 4
case_ roles-quiet roles.dump --classes role-missing --causes 1 --ids-from "$TMP/roles-v.json" --exit 1
case_ nonempty roles.dump --classes already-exists --cause-class already-exists --exit 2
case_ extension extension.dump --causes 1 --cause-class extension-missing --cascades 2 --exit 2
case_ checkfn checkfn.dump --causes 1 --cause-class missing-object --kind search-path --exit 2
case_ corrupt corrupt.dump --classes data --cause-class data --copy-line 500 --exit 2
case_ abort corrupt.dump --classes data --stopped yes --not-run 20 --exit 2
case_ abort-j2 corrupt.dump --classes data --stopped yes --not-run 5 --exit 2
# abort-j2.log without "finished item 3426 TABLE DATA d02" (the race issue 16 saw in CI)
case_ abort-j2-uncertain corrupt.dump --classes data --stopped yes --not-run 5 --exit 2
case_ psql roles.sql --classes role-missing --causes 1 --what "roles app_owner, app_ro" --exit 1
case_ psql-stop roles.sql --classes role-missing --stopped yes --not-run 5 --exit 2
# pg_restore 17 (bench/pg17.sh) into the 15 server: its transaction_timeout setting fails
case_ roles-v17 roles.dump --classes role-missing,server-too-old --causes 2 --what "roles app_owner, app_ro" --ids-from "$TMP/roles-v.json" --exit 1
case_ abort17 corrupt.dump --classes server-too-old --kind session-setting --stopped yes --not-run 40 --exit 2
case_ abort-j2-17 corrupt.dump --classes server-too-old --stopped yes --not-run 40 --exit 2
case_ corrupt-j2-17 corrupt.dump --classes data,server-too-old --copy-line 500 --same-as "$TMP/corrupt.json" --exit 2
case_ psql-echo roles.sql --classes role-missing --causes 1 --ids-from "$TMP/psql.json" --exit 1
case_ psql-all roles.sql --classes role-missing --causes 1 --ids-from "$TMP/psql.json" --exit 1

# exit statuses are those the report states
for name in roles-v nonempty abort psql-stop; do
    want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["exit"])' "$TMP/$name.json")
    [ "$(cat "$TMP/$name.rc")" = "$want" ]
    check "$name: exit status $want" $? "got $(cat "$TMP/$name.rc")"
done

# the two logs of one restore give the same resume list
cmp -s "$TMP/roles-v.resume" "$TMP/roles-quiet.resume"
check "roles: quiet and -v logs give the same resume list" $? "$(diff "$TMP/roles-v.resume" "$TMP/roles-quiet.resume" | head -5)"

# the resume list reads back as pg_restore -L would (dumporder --from-list reads it the same way)
for pair in roles-v:roles.dump nonempty:roles.dump extension:extension.dump abort-j2:corrupt.dump abort-j2-uncertain:corrupt.dump; do
    name=${pair%%:*}
    "$DUMPORDER" --from-list "$TMP/$name.resume" -o "$TMP/$name.back" "$G/${pair#*:}" \
        >/dev/null 2>"$TMP/$name.back.err"
    rc=$?
    [ $rc -le 1 ] && ! grep -q "line ignored" "$TMP/$name.back.err"
    check "$name: the resume list reads back without ignored lines" $? "$(head -3 "$TMP/$name.back.err")"
done

# the plain resume is the script restricted to the failed entries, starting with its settings
head -c 200 "$TMP/psql.resume" | grep -q "PostgreSQL database dump"
check "psql: resume.sql starts with the script's opening" $? "$(head -3 "$TMP/psql.resume")"
grep -q "^GRANT SELECT ON TABLE s.t TO app_ro;" "$TMP/psql.resume" && ! grep -q "^COPY " "$TMP/psql.resume"
check "psql: resume.sql holds the failed GRANT and no data" $? "$(grep -c . "$TMP/psql.resume")"
grep -q "^COPY " "$TMP/psql-stop.resume"
check "psql-stop: resume.sql holds the data that never ran" $?

# -j: launched, never reported finished: uncertain, resumed, with the TRUNCATE to run first
out=$(python3 - "$TMP/abort-j2-uncertain.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
u = {e["dump_id"]: e for e in r["entries"] if e["state"] == "uncertain"}
assert r["uncertain"] == len(u) == 2, r["uncertain"]
assert u[3426]["run_first"] == "TRUNCATE TABLE ONLY public.d02;", u[3426]
assert u[3251]["run_first"] is None and "already exists" in u[3251]["note"], u[3251]
assert 3426 in r["resume"] and 3251 in r["resume"]
PY
)
check "abort-j2-uncertain: JSON: uncertain 2, the TRUNCATE for d02's data" $? "$out"
grep -B1 "^3426; " "$TMP/abort-j2-uncertain.resume" | head -1 |
    grep -qx "; uncertain: launched, never reported finished; .*run first: TRUNCATE TABLE ONLY public.d02;"
check "abort-j2-uncertain: the list says to truncate d02 before its data" $? "$(grep -B1 "^3426; " "$TMP/abort-j2-uncertain.resume")"
grep -q "may have committed its data before the restore stopped: run the TRUNCATE" "$TMP/abort-j2-uncertain.err"
check "abort-j2-uncertain: stderr says to run the TRUNCATE first" $? "$(cat "$TMP/abort-j2-uncertain.err")"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(not (r["uncertain"] == 1 and all(e["dump_id"] != 3426 for e in r["entries"])))' "$TMP/abort-j2.json"
check "abort-j2: d02's data finished: ran; the launched constraint is uncertain" $?
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(r["uncertain"] != 0)' "$TMP/abort.json"
check "abort (serial): nothing uncertain" $?
"$DUMPDIAG" "$G/abort-j2-uncertain.log" "$G/corrupt.dump" >"$TMP/out" 2>&1
grep -q "^uncertain 2 (launched, never reported finished" "$TMP/out" &&
    grep -q "^  3426 TABLE DATA public d02: .*run first: TRUNCATE TABLE ONLY public.d02;" "$TMP/out"
check "text report: uncertain 2, d02 with its TRUNCATE" $? "$(grep -A3 "^uncertain" "$TMP/out")"

# clean log, not a log, stdin, missing dump, text report
: >"$TMP/empty.log"
"$DUMPDIAG" "$TMP/empty.log" "$G/roles.dump" >"$TMP/out" 2>&1
check "an empty log is a clean restore: exit 0" $? "$(cat "$TMP/out")"
printf 'milk\neggs\n' >"$TMP/list.log"
"$DUMPDIAG" "$TMP/list.log" "$G/roles.dump" >"$TMP/out" 2>&1
rc=$?
[ $rc -eq 3 ] && grep -q "is not a restore log: expected pg_restore" "$TMP/out"
check "a file that is no restore log: exit 3, says what was expected" $? "rc $rc" "$(cat "$TMP/out")"
"$DUMPDIAG" --json - "$G/roles.dump" <"$G/roles-v.log" >"$TMP/stdin.json" 2>&1
rc=$?
[ $rc -eq 1 ] && python3 tests/live/diagcheck.py "$TMP/stdin.json" --classes role-missing --causes 1
check "the log from standard input" $? "rc $rc"
"$DUMPDIAG" "$G/roles-v.log" "$TMP/nonexistent.dump" >"$TMP/out" 2>&1
check "a missing dump: exit 3" $(($? != 3)) "$(cat "$TMP/out")"
"$DUMPDIAG" "$G/extension.log" "$G/extension.dump" >"$TMP/out" 2>&1
grep -q "^  1\. extension-missing: extension or library dfdiag_live_ext" "$TMP/out" &&
    grep -q "cascade of [0-9]* EXTENSION - dfdiag_live_ext" "$TMP/out"
check "text report: the extension is the root cause, its dependents cascades" $? "$(head -12 "$TMP/out")"

"$DUMPDIAG" "$G/roles-v.log" "$G/extension.dump" >"$TMP/out" 2>&1
grep -q "could not be attributed to an entry of .*(is it the dump that was restored?)" "$TMP/out" &&
    ! grep -q "^  log line .*: [0-9]* TABLE s u" "$TMP/out"
check "the log of another dump: its TOC ids are not trusted, the errors are not attributed" $? "$(tail -5 "$TMP/out")"

harness_finish
