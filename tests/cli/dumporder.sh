#!/bin/bash
# tests/cli/dumporder.sh — CLI tests of tools/dumporder over the corpus (no server needed).
#
# What is checked:
#   * the whole-dump list of every custom, directory and tar archive with an X.list is byte
#     for byte X.list (pg_restore 18's -l); where Debian's pg_restore 15 reads the archive, the
#     list for release 15 is `pg_restore -l` itself;
#   * lists for selections (-t, -n, -T, -N, --type, --section, -s, -a, --with-fk-targets) are
#     read by pg_restore 15 itself (`pg_restore -l -L LIST X`) without a warning, in the same
#     order, and hold the entries the closure must add or leave out, with their reasons;
#   * --from-list on a list with TABLE DATA moved above its TABLE (names both, exit 1), with
#     ignored lines (pg_restore's warnings), with an id the archive lacks (exit 3); with -j,
#     data entries out of file order named and put back (--explain shows the list as given);
#   * -j: the list for pg_restore 12+ keeps the archive order for custom archives; --explain
#     and --explain --json; tar warns that pg_restore cannot go parallel;
#   * exit statuses and messages: bad options, missing and damaged files, plain scripts,
#     archives too new for the chosen pg_restore, write errors (/dev/full), -o FILE (written
#     whole or not at all, never over an input), stdin.
#
# Prints "ok - NAME" / "not ok - NAME" per case and ends with "N passed, N failed"; exits 1 if
# anything failed.  Run from the repository root after `make`.  Environment: DUMPORDER
# (default tools/dumporder), DF_CORPUS (default corpus), PG_RESTORE (default pg_restore),
# TIMEOUT seconds per run (default 120).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export TZ=UTC LC_ALL=C

DUMPORDER=${DUMPORDER:-${DF_TOOLS_DIR:-tools}/dumporder}
CORPUS=${DF_CORPUS:-corpus}
PG_RESTORE=${PG_RESTORE:-pg_restore}
TIMEOUT=${TIMEOUT:-120}
P15=$CORPUS/pg15/sample.custom.gzip.dump
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dumporder-cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out
ERR=$TMP/err
RC=0

run() {
    timeout "$TIMEOUT" "$DUMPORDER" "$@" >"$OUT" 2>"$ERR"
    RC=$?
}

have_pg_restore() { command -v "$PG_RESTORE" >/dev/null 2>&1; }

# entry lines (not comments) of a list file
entries() { grep -v '^;' "$1"; }

# ------------------------------------------------------------------ whole dumps

for list in "$CORPUS"/pg*/*.list; do
    x=${list%.list}
    [ -e "$x" ] || continue
    run --pg-restore-version 18 "$x"
    cmp -s "$OUT" "$list"
    check "whole dump of ${x#"$CORPUS"/} is pg_restore 18's -l" $? "exit $RC" \
        "$(diff "$OUT" "$list" | head -3)"
done

if have_pg_restore; then
    for x in "$CORPUS"/pg15/sample.custom.gzip.dump "$CORPUS"/pg10/sample.dir.gzip \
        "$CORPUS"/pg93/sample.tar; do
        "$PG_RESTORE" -l "$x" >"$TMP/ref" 2>/dev/null
        run --pg-restore-version 15 "$x"
        cmp -s "$OUT" "$TMP/ref"
        check "whole dump of ${x#"$CORPUS"/} for release 15 is pg_restore -l" $? "exit $RC"
    done
fi

# ------------------------------------------------------------------ selections

# pg_restore itself reads the list: the same entries in the same order, no warning
accepted_by_pg_restore() {
    local name=$1 list=$2 x=$3
    have_pg_restore || return 0
    "$PG_RESTORE" -l -L "$list" "$x" >"$TMP/pgl" 2>"$TMP/pgl.err"
    entries "$list" >"$TMP/mine"
    entries "$TMP/pgl" >"$TMP/theirs"
    cmp -s "$TMP/mine" "$TMP/theirs" && [ ! -s "$TMP/pgl.err" ]
    check "$name: pg_restore -l -L reads the list as written" $? "$(head -2 "$TMP/pgl.err")" \
        "$(diff "$TMP/mine" "$TMP/theirs" | head -3)"
}

has_line() { grep -qF -- "$2" "$1"; }

# selection NAME "ARG|ARG..." then lines: "+TEXT" must be an entry line, "-TEXT" must not be
# one, ";TEXT" must be a comment line (TEXT is a fixed string).
selection() {
    local name=$1 want bad="" args
    IFS='|' read -r -a args <<<"$2"
    shift 2
    run --pg-restore-version 15 "${args[@]}" "$P15"
    cp "$OUT" "$TMP/sel.list"
    if [ "$RC" -ne 0 ]; then
        not_ok "$name: dumporder ${args[*]}" "exit $RC" "$(head -2 "$ERR")"
        return
    fi
    entries "$TMP/sel.list" >"$TMP/sel.entries"
    grep '^;[0-9]' "$TMP/sel.list" >"$TMP/sel.comments"
    for want in "$@"; do
        case $want in
        +*) has_line "$TMP/sel.entries" "${want#+}" || bad="$bad|missing: ${want#+}" ;;
        -*) has_line "$TMP/sel.entries" "${want#-}" && bad="$bad|unexpected: ${want#-}" ;;
        \;*) has_line "$TMP/sel.comments" "${want#;}" || bad="$bad|no comment: ${want#;}" ;;
        esac
    done
    if [ -z "$bad" ]; then ok "$name: dumporder ${args[*]}"; else not_ok "$name: dumporder ${args[*]}" \
        "$(echo "${bad#|}" | tr '|' '\n' | head -4)"; fi
    accepted_by_pg_restore "$name" "$TMP/sel.list" "$P15"
}

selection "table closure" "-t|orders" \
    "+SCHEMA - sales app_owner" "+TYPE sales order_status" "+DOMAIN public money_amount" \
    "+TABLE sales orders app_owner" "+TABLE sales orders_2023 " "+TABLE DATA sales orders_2024 " \
    "+TABLE ATTACH sales orders_default " "+CONSTRAINT sales orders orders_pkey " \
    "+INDEX ATTACH sales orders_2023_pkey " "+COMMENT sales TABLE orders " \
    "+ACL sales TABLE orders " "-TABLE sales customers " "-VIEW sales v_order_summary " \
    "; FK CONSTRAINT sales orders orders_customer_id_fkey app_owner (excluded: needs TABLE sales.customers, add --with-fk-targets)" \
    "; TABLE sales customers app_owner (not selected)" \
    "; TABLE DATA sales order_items app_owner (not selected: belongs to TABLE sales.order_items)"

selection "FK targets" "-t|orders|--with-fk-targets" \
    "+FK CONSTRAINT sales orders orders_customer_id_fkey " "+TABLE DATA sales customers " \
    "+POLICY sales customers customers_read " "-TABLE sales order_items "

selection "serial and identity" "-t|events|-t|products" \
    "+SEQUENCE audit events_event_id_seq " "+SEQUENCE OWNED BY audit events_event_id_seq " \
    "+DEFAULT audit events event_id " "+SEQUENCE SET audit events_event_id_seq " \
    "+SEQUENCE inventory products_product_id_seq " "+SEQUENCE SET inventory products_product_id_seq " \
    "+TRIGGER inventory products products_audit " "+FUNCTION audit log_change() " \
    "+INDEX inventory products_name_slug_idx " "+FUNCTION public slugify(text) " \
    "+COMMENT inventory TRIGGER products_audit ON products " "+POLICY audit events events_steward "

selection "exclusions" "-N|audit|--exclude-table|customers" \
    "+TABLE sales orders " "-TABLE sales customers " "-SCHEMA - audit " \
    "; TABLE DATA sales customers app_owner (excluded: --exclude-table customers)" \
    "; POLICY sales customers customers_read app_owner (excluded: --exclude-table customers)" \
    "; SCHEMA - audit Data Steward (excluded: -N audit)"

selection "no dependents" "-t|customers|--no-dependents" \
    "+TABLE sales customers " "+TABLE DATA sales customers " "+ACL sales COLUMN customers.notes " \
    "-CONSTRAINT sales customers customers_pkey " "-POLICY sales customers customers_read "

selection "type" "--type|table data|-n|bulk" \
    "+TABLE DATA bulk readings " "+TABLE bulk readings " "-CONSTRAINT bulk readings readings_pkey "

selection "data only" "-t|customers|-a" \
    "+TABLE DATA sales customers " "+SEQUENCE SET sales customers_customer_id_seq " \
    "-TABLE sales customers " "; TABLE sales customers app_owner (excluded: --data-only)"

selection "schema only" "-t|customers|-s" \
    "+TABLE sales customers " "-TABLE DATA sales customers " \
    "; TABLE DATA sales customers app_owner (excluded: --schema-only)"

selection "section" "-t|customers|--section|post-data" \
    "+CONSTRAINT sales customers customers_pkey " "-TABLE sales customers " \
    "; TABLE sales customers app_owner (excluded: --section (entry is pre-data))"

selection "index and function patterns" "-I|customers_email_lower_key|-P|order_total(bigint)" \
    "+INDEX sales customers_email_lower_key " "+FUNCTION sales order_total(bigint) " \
    "+TABLE sales customers " "-TABLE DATA sales customers "

# option letters mean what pg_restore's mean: -T is a trigger (its tag is "table trigger")
selection "trigger -T" "-T|products products_audit" \
    "+TRIGGER inventory products products_audit " "+TABLE inventory products " \
    "+FUNCTION audit log_change() " "-TABLE DATA inventory products "

# ------------------------------------------------------------------ names that match nothing

# unmatched NAME STATUS "ARG|ARG..." PATTERN: exit STATUS, stderr matches PATTERN (grep -E)
unmatched() {
    local name=$1 want=$2 args
    IFS='|' read -r -a args <<<"$3"
    run --pg-restore-version 15 "${args[@]}" "$P15"
    [ "$RC" -eq "$want" ] && grep -Eq -- "$4" "$ERR"
    check "$name: exit $want" $? "exit $RC" "$(head -2 "$ERR")"
}

unmatched "-t schema.table warns, with the -n -t hint" 1 "-t|sales.orders" \
    '^dumporder: .*: table "sales\.orders" not found \(-t matches nothing\); names are not schema-qualified: use -n "sales" -t "orders"$'
entries "$OUT" >"$TMP/um.entries"
[ ! -s "$TMP/um.entries" ] && grep -q '^; Selected TOC Entries:$' "$OUT"
check "-t schema.table: the (empty) list is still written" $?
unmatched "-n nosuch warns" 1 "-n|nosuch" '^dumporder: .*: schema "nosuch" not found \(-n matches nothing\)$'
unmatched "-t of another schema than -n warns" 1 "-n|audit|-t|orders" 'table "orders" not found'
unmatched "-T naming a table: the --exclude-table hint" 1 "-T|customers" \
    'trigger "customers" not found \(-T matches nothing\); -T selects a trigger, as in pg_restore: --exclude-table leaves out a table$'
unmatched "-I, -P and --type that match nothing" 1 "-I|nosuch_idx|-P|nosuch()|--type|no such type" \
    'function "nosuch\(\)" not found'
[ "$(grep -c 'not found' "$ERR")" -eq 3 ]
check "-I, -P and --type: one warning each" $? "$(cat "$ERR")"
unmatched "--strict-names: an error, no list" 3 "--strict-names|-t|orders|-n|nosuch" \
    'schema "nosuch" not found'
[ ! -s "$OUT" ]
check "--strict-names writes no list" $?
run --pg-restore-version 15 -q -t nosuch "$P15"
[ "$RC" -eq 1 ] && [ ! -s "$ERR" ]
check "-q: no warning, still exit 1" $? "exit $RC"
run --pg-restore-version 15 --strict-names -n sales -t orders "$P15"
[ "$RC" -eq 0 ] && [ ! -s "$ERR" ]
check "--strict-names with names that match: exit 0, silent" $? "exit $RC" "$(head -2 "$ERR")"

# ------------------------------------------------------------------ -C (DATABASE entries)

# pg_restore -C restores DATABASE whatever -n, -t, -a, --section say, so pg_restore -l -C lists
# it: every DATABASE entry pg_restore lists is in dumporder's list, which pg_restore reads back.
if have_pg_restore; then
    for x in "$CORPUS"/pg15/sample.custom.gzip.dump "$CORPUS"/pg10/sample.dir.gzip \
        "$CORPUS"/pg93/sample.tar; do
        for sel in "-n sales" "-t orders" "-a -n sales" "--section=data" "-s -t orders" "-n nosuch"; do
            # shellcheck disable=SC2086
            "$PG_RESTORE" -l -C $sel "$x" 2>/dev/null | grep -v '^;' | grep -E '^[0-9]+; [0-9]+ [0-9]+ (DATABASE|(COMMENT|ACL|SECURITY LABEL) - DATABASE )' >"$TMP/pgdb"
            # shellcheck disable=SC2086
            run --pg-restore-version 15 -C $sel "$x"
            entries "$OUT" >"$TMP/mine"
            missing=$(grep -vxFf "$TMP/mine" "$TMP/pgdb")
            [ "$RC" -le 1 ] && [ -s "$TMP/pgdb" ] && [ -z "$missing" ]
            check "-C $sel ${x#"$CORPUS"/}: the DATABASE entries of pg_restore -l -C" $? \
                "exit $RC" "missing: $missing" "$(head -2 "$ERR")"
            "$PG_RESTORE" -l -C -L "$OUT" "$x" 2>"$TMP/pgl.err" | grep -v '^;' >"$TMP/theirs"
            cmp -s "$TMP/mine" "$TMP/theirs" && [ ! -s "$TMP/pgl.err" ]
            check "-C $sel ${x#"$CORPUS"/}: pg_restore -l -C -L reads the list as written" $? \
                "$(diff "$TMP/mine" "$TMP/theirs" | head -3)"
        done
    done
fi

run --pg-restore-version 15 --no-excluded -t orders "$P15"
! grep -q '^;[0-9]' "$OUT" && grep -q '^; Selected TOC Entries:$' "$OUT"
check "--no-excluded writes no comment lines" $?

run --pg-restore-version 15 -v -t orders "$P15"
grep -q "^;"$'\t'"depends on: 3454 232 232 232\$" "$OUT"
check "-v adds depends-on lines" $?

# ------------------------------------------------------------------ --from-list

"$DUMPORDER" --pg-restore-version 15 "$P15" >"$TMP/good.list"
data_line=$(grep -n '^[0-9]*; [0-9]* [0-9]* TABLE DATA sales customers ' "$TMP/good.list")
table_line=$(grep -n '^[0-9]*; [0-9]* [0-9]* TABLE sales customers ' "$TMP/good.list")
awk -v d="${data_line%%:*}" -v t="${table_line%%:*}" -v dl="${data_line#*:}" \
    'NR == t { print dl } NR != d { print }' "$TMP/good.list" >"$TMP/bad.list"
run --pg-restore-version 15 --from-list "$TMP/bad.list" "$P15"
[ "$RC" -eq 1 ] &&
    grep -q "bad.list:$((${table_line%%:*})): TABLE DATA sales.customers (dump id 3655) is listed before TABLE sales.customers (dump id 230) (line $((${table_line%%:*} + 1))), which it depends on" "$ERR"
check "--from-list names TABLE DATA listed before its TABLE, exit 1" $? "exit $RC" "$(head -2 "$ERR")"
entries "$OUT" >"$TMP/fixed"
entries "$TMP/good.list" | sort >"$TMP/good"
[ "$(grep -n '^3655; ' "$TMP/fixed" | cut -d: -f1)" -gt "$(grep -n '^230; ' "$TMP/fixed" | cut -d: -f1)" ] &&
    sort "$TMP/fixed" | cmp -s - "$TMP/good"
check "--from-list writes the same entries, the TABLE DATA after its TABLE" $?

run --pg-restore-version 15 --from-list "$TMP/good.list" "$P15"
[ "$RC" -eq 0 ] && [ ! -s "$ERR" ] && cmp -s "$OUT" "$TMP/good.list"
check "--from-list on a valid list: the same list, silent, exit 0" $? "exit $RC"
run --pg-restore-version 15 -L "$TMP/bad.list" "$P15"
[ "$RC" -eq 1 ] && entries "$OUT" | cmp -s - "$TMP/fixed"
check "-L FILE (pg_restore's letter) is --from-list" $? "exit $RC"

printf '3655\nnonsense\n3655\n999999\n3737\n' >"$TMP/partial.list"
run --pg-restore-version 15 --from-list "$TMP/partial.list" "$P15"
[ "$RC" -eq 1 ] && grep -q 'partial.list:2: line ignored: nonsense$' "$ERR" &&
    grep -q 'partial.list:3: line ignored: 3655$' "$ERR" &&
    grep -q 'partial.list:4: line ignored: 999999$' "$ERR" &&
    grep -q 'partial.list:1: TABLE DATA sales.customers (dump id 3655) needs TABLE sales.customers (dump id 230), which is not listed: added' "$ERR" &&
    entries "$OUT" | grep -q '^230; ' && ! entries "$OUT" | grep -q 'CONSTRAINT'
check "--from-list: pg_restore's warnings, missing requirements added, no dependents" $? \
    "exit $RC" "$(head -3 "$ERR")"

printf '230\n5\n' >"$TMP/missing.list"
run --from-list "$TMP/missing.list" "$P15"
[ "$RC" -eq 3 ] && grep -q 'missing.list: could not find entry for ID 5$' "$ERR"
check "--from-list with an id the archive lacks: exit 3" $? "exit $RC" "$(cat "$ERR")"

run --from-list "$TMP/no-such-list" "$P15"
[ "$RC" -eq 3 ] && grep -q 'could not open list file' "$ERR"
check "--from-list with a missing file: exit 3" $? "exit $RC"

# --from-list -j N: data entries out of file order corrupt pg_restore's size estimates
awk '/^[0-9]+; [0-9]+ [0-9]+ TABLE DATA / { data[++n] = $0; pos[n] = NR } { line[NR] = $0 }
     END { for (k = 1; k <= n; k++) line[pos[k]] = data[n + 1 - k]
           for (i = 1; i <= NR; i++) print line[i] }' "$TMP/good.list" >"$TMP/reversed.list"
first_data=$(grep -m1 -n '^[0-9]*; [0-9]* [0-9]* TABLE DATA ' "$TMP/reversed.list")
run --pg-restore-version 15 -j 2 --from-list "$TMP/reversed.list" "$P15"
[ "$RC" -eq 1 ] &&
    grep -q "reversed.list:${first_data%%:*}: TABLE DATA .*: pg_restore 15 -j would take its size for .*, not .* (data entries out of archive order)" "$ERR" &&
    entries "$OUT" | grep ' TABLE DATA ' | cmp -s - <(entries "$TMP/good.list" | grep ' TABLE DATA ')
check "--from-list -j 2: misordered data named, the list written in file order" $? "exit $RC" \
    "$(head -2 "$ERR")"
run --pg-restore-version 15 -j 2 --explain --from-list "$TMP/reversed.list" "$P15"
[ "$RC" -eq 1 ] && grep -q "^  the list as given .*reversed.list, as pg_restore -L runs it)$" "$OUT" &&
    grep -q "^  dumporder's list .*(completed, in the order simulated fastest)$" "$OUT"
check "--explain --from-list: the list as given and dumporder's" $? "exit $RC" "$(head -8 "$OUT")"
run --pg-restore-version 15 --from-list "$TMP/reversed.list" "$P15"
[ "$RC" -eq 0 ] && cmp -s "$OUT" "$TMP/reversed.list"
check "--from-list without -j keeps a valid order as it is" $? "exit $RC" "$(head -2 "$ERR")"

# ------------------------------------------------------------------ -j, --explain

run --pg-restore-version 15 -j 4 "$P15"
cp "$OUT" "$TMP/j4.list"
run --pg-restore-version 15 "$P15"
cmp -s "$OUT" "$TMP/j4.list"
check "-j 4 for pg_restore 15 keeps the archive order of a custom archive" $?

run --pg-restore-version 11 -j 3 "$CORPUS/pg10/sample.custom.gzip.dump"
[ "$RC" -eq 0 ] && cp "$OUT" "$TMP/j11.list"
check "-j 3 for pg_restore 11 writes a list" $? "exit $RC"
have_pg_restore && accepted_by_pg_restore "-j 3 for pg_restore 11" "$TMP/j11.list" \
    "$CORPUS/pg10/sample.custom.gzip.dump"

run --pg-restore-version 15 -j 2 --explain "$P15"
[ "$RC" -eq 0 ] && grep -q '^predicted makespan (the range: ' "$OUT" && grep -q '^critical path ' "$OUT" &&
    grep -q '^useful -j: [0-9]' "$OUT" && grep -q "^  pg_restore's own order " "$OUT" &&
    grep -q 'TABLE DATA bulk.readings (dump id 3667)$' "$OUT" && grep -q '^  leader ' "$OUT"
check "--explain: makespans, critical path, useful -j, timelines" $? "exit $RC" \
    "$(head -3 "$OUT")"

run --pg-restore-version 17 -j 2 --explain --json "$CORPUS/pg16/sample.dir.zstd"
[ "$RC" -eq 0 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["workers"] == 2 and d["pg_restore_version"] == 17 and d["measured"] is True
assert d["own_order_ms"] > 0 and d["dumporder_ms"] > 0 and len(d["by_jobs"]) == 16
assert d["uncertainty_pct"] > 0
assert d["critical_path"]["entries"] and d["jobs"]
assert all(j["end_ms"] >= j["start_ms"] for j in d["jobs"])
assert any(j["desc"] == "TABLE DATA" and j["estimate"] > 0 for j in d["jobs"])
' "$OUT" 2>"$TMP/py.err"
check "--explain --json on a directory archive (pg_restore 17)" $? "exit $RC" "$(cat "$TMP/py.err")"

# the makespans as a range: the cost model's calibration error (--cost uncertainty=...)
run --pg-restore-version 15 -j 2 --explain --cost uncertainty=0.5 "$P15"
line=$(grep "^  dumporder's list " "$OUT")
python3 -c '
import re, sys
m = re.match(r" *dumporder.s list +([0-9.]+) s \+/-50% \(([0-9.]+)\.\.([0-9.]+)\)  \(", sys.argv[1])
v, lo, hi = (float(x) for x in m.groups())
assert abs(lo - v * 0.5) < 0.011 and abs(hi - v * 1.5) < 0.011, (v, lo, hi)
' "$line" 2>"$TMP/py.err"
check "--explain: makespans with the uncertainty as a range" $? "$line" "$(cat "$TMP/py.err")"

run --pg-restore-version 15 -j 2 --explain --no-measure "$P15"
[ "$RC" -eq 0 ] && grep -q '^sizes: .* bytes and rows estimated (--no-measure)$' "$OUT"
check "--no-measure estimates the sizes" $? "exit $RC"

run --pg-restore-version 15 -j 2 --explain --cost copy_byte=0 --cost index_row=0 "$P15"
[ "$RC" -eq 0 ]
check "--cost NAME=VALUE" $? "exit $RC" "$(cat "$ERR")"

run --pg-restore-version 15 -j 2 "$CORPUS/pg15/sample.tar"
[ "$RC" -eq 0 ] && grep -q 'pg_restore cannot restore a tar archive in parallel' "$ERR"
check "-j on a tar archive warns" $? "exit $RC"

run --pg-restore-version 18 -j 2 - <"$CORPUS/pg18/sample.custom.gzip.dump"
[ "$RC" -eq 0 ] && cmp -s "$OUT" "$CORPUS/pg18/sample.custom.gzip.dump.list"
check "from standard input, with -j (data read from the pipe)" $? "exit $RC" "$(head -2 "$ERR")"

# ------------------------------------------------------------------ exit statuses

expect_status() {
    local name=$1 want=$2 pattern=$3
    shift 3
    run "$@"
    [ "$RC" -eq "$want" ] && grep -q -- "$pattern" "$ERR"
    check "$name: exit $want" $? "exit $RC" "$(head -2 "$ERR")"
}

expect_status "unknown option" 3 'Try "dumporder --help"' --bogus "$P15"
expect_status "no dump" 3 'dumporder: no dump given' -t x
expect_status "--explain without -j" 3 '--explain needs -j N' --explain "$P15"
expect_status "--json without --explain" 3 '--json needs --explain' --json "$P15"
expect_status "-s with -a" 3 'cannot be used together' -s -a "$P15"
expect_status "bad -j" 3 'invalid number of parallel jobs' -j 0 "$P15"
expect_status "bad --section" 3 'unrecognized section name: "pre"' --section pre "$P15"
expect_status "bad --cost" 3 'invalid --cost "nosuch=1"' -j 2 --cost nosuch=1 "$P15"
expect_status "bad --pg-restore-version" 3 'must be 10..18' --pg-restore-version 9 "$P15"
expect_status "missing dump" 3 "dumporder: $TMP/none: could not open" "$TMP/none"
expect_status "plain script" 3 'plain-format script cannot be restored by pg_restore' \
    "$CORPUS/pg15/sample.plain.sql"
expect_status "archive too new for the pg_restore" 3 'pg_restore 15 cannot read archive version 1.16' \
    --pg-restore-version 15 "$CORPUS/pg18/sample.custom.gzip.dump"
expect_status "truncated TOC" 2 'dumporder: ' "$CORPUS/damaged/pg18-sample.custom.gzip.trunc-toc.dump"
expect_status "damaged data with -j" 2 'dumporder: ' --pg-restore-version 18 -j 2 \
    "$CORPUS/damaged/pg18-sample.custom.gzip.trunc-chunk.dump"

# a damaged archive is said to be damaged (exit 2, no list) even when no data are read
D=$CORPUS/damaged
for args in "$D/pg18-sample.custom.gzip.trunc-chunk.dump" "$D/pg18-sample.custom.gzip.trunc-tail3.dump" \
    "$D/pg18-sample.tar.trunc-member.tar" "$D/pg18-sample.dir.gzip.missing-datafile" \
    "$D/pg16-sample.dir.zstd.trunc-datzst" "-t|orders|$D/pg18-sample.custom.pipe.trunc-chunk.dump" \
    "-j|2|--no-measure|$D/pg18-sample.custom.gzip.trunc-tail3.dump"; do
    IFS='|' read -r -a a <<<"$args"
    run --pg-restore-version 18 "${a[@]}"
    [ "$RC" -eq 2 ] && [ ! -s "$OUT" ] &&
        grep -q "^dumporder: .*: the archive is damaged ([0-9]* errors\{0,1\}); no list written" "$ERR"
    check "damaged, data not read: ${args#"$D"/}: exit 2, no list" $? "exit $RC" "$(tail -2 "$ERR")"
done
run --pg-restore-version 18 -j 2 --no-measure --explain "$D/pg18-sample.custom.gzip.trunc-chunk.dump"
[ "$RC" -eq 2 ] && [ ! -s "$OUT" ] &&
    grep -q 'offset 89142: the archive is damaged: the TOC puts the data of BLOBS 910004..910005 (dump id 2894) at offset 138516, beyond the end of the file (89142 bytes)$' "$ERR"
check "--no-measure: stored sizes beyond the end of the file are damage, exit 2" $? "exit $RC" \
    "$(cat "$ERR")"
run --pg-restore-version 18 -j 2 --no-measure "$D/pg18-sample.dir.gzip.missing-datafile"
[ "$RC" -eq 2 ] && grep -q 'missing-datafile/2890.dat: the archive is damaged: data file "2890.dat" of TABLE DATA bulk.readings (dump id 2890) is missing$' "$ERR"
check "--no-measure: a missing data file is damage, exit 2" $? "exit $RC" "$(cat "$ERR")"

timeout "$TIMEOUT" "$DUMPORDER" --pg-restore-version 15 "$P15" >/dev/full 2>"$ERR"
RC=$?
[ "$RC" -eq 3 ] && grep -q 'could not write' "$ERR"
check "write error (/dev/full): exit 3" $? "exit $RC" "$(cat "$ERR")"

run --pg-restore-version 15 -t orders -o "$TMP/o.list" "$P15"
[ "$RC" -eq 0 ] && [ ! -s "$OUT" ] && grep -q '^231; ' "$TMP/o.list"
check "-o FILE" $? "exit $RC"
run --pg-restore-version 15 -t orders -f "$TMP/f.list" "$P15"
[ "$RC" -eq 0 ] && [ ! -s "$OUT" ] && cmp -s "$TMP/f.list" "$TMP/o.list"
check "-f FILE (pg_restore's letter) is -o" $? "exit $RC"

ls "$TMP" | grep -q '^o\.list\.' && not_ok "-o FILE leaves no temporary file" || ok "-o FILE leaves no temporary file"
cp "$TMP/o.list" "$TMP/o.before"
run --pg-restore-version 18 -j 2 -o "$TMP/o.list" "$CORPUS/damaged/pg18-sample.custom.gzip.trunc-chunk.dump"
[ "$RC" -eq 2 ] && cmp -s "$TMP/o.list" "$TMP/o.before" && ! ls "$TMP" | grep -q '^o\.list\.'
check "-o FILE: a failed run leaves FILE as it was" $? "exit $RC"
cp "$P15" "$TMP/copy.dump"
run --pg-restore-version 15 -o "$TMP/copy.dump" "$TMP/copy.dump"
[ "$RC" -eq 3 ] && grep -q 'is one of the input files' "$ERR" && cmp -s "$P15" "$TMP/copy.dump"
check "-o naming the dump: refused, the dump untouched" $? "exit $RC" "$(cat "$ERR")"
run --pg-restore-version 15 --from-list "$TMP/good.list" -o "$TMP/good.list" "$P15"
[ "$RC" -eq 3 ] && grep -q 'is one of the input files' "$ERR"
check "-o naming the --from-list file: refused" $? "exit $RC" "$(cat "$ERR")"

run --help
[ "$RC" -eq 0 ] && grep -q -- '--with-fk-targets' "$OUT"
check "--help" $?
run --version
[ "$RC" -eq 0 ] && grep -q '^dumporder (dumpfmt) ' "$OUT"
check "--version" $?

harness_finish
