#!/bin/bash
# tests/live/dumprepair.sh — live test of dumprepair --list-only and -o against PostgreSQL 15.
#
# A throwaway cluster (tests/live/lib.sh) with the corpus roles.  For pg_dump 15 archives of
# the corpus (custom gzip, custom none, tar), intact and cut at CUTS offsets across the file:
# dumprepair --list-only writes LIST; `pg_restore -L LIST -d NEWDB CUT` into an empty database
# must complete without a single error or warning on stderr (pg_restore's exit status is not
# taken as the truth), every table whose TABLE DATA the list keeps holds exactly the rows
# MANIFEST.json gives for it, and every table whose data are commented out holds none.  And
# dumprepair -o OUT: `pg_restore -d NEWDB OUT` (the whole repaired archive) completes without
# an error or warning on stderr, and every table holds the report's rows kept (partial), none
# (lost) or all of MANIFEST's rows (intact), and exactly the foreign keys the report changed
# are NOT VALID (a directory archive with a data file missing and one cut: three of them; the
# fourth, on partitioned sales.orders, is left out: PostgreSQL 15 cannot make it NOT VALID).
# Files cut inside the TOC (custom, tar, directory's toc.dat, CUTS offsets each): OUT
# restores without an error; a table whose entries were cut off does not exist, one whose
# TABLE DATA was cut off (or whose data followed the TOC) is empty, the others hold all rows.
#
# Prints "ok - NAME" / "not ok - NAME" and "N passed, N failed".  Needs root (or postgres).
# Environment: DUMPREPAIR (default tools/dumprepair), DF_CORPUS (default corpus), CUTS
# (default 8), DF_TEST_FULL (1: restore every one of the CUTS cuts; make check restores every
# other one and the last).

set -u
cd "$(dirname "$0")/../.." || exit 3
. tests/live/lib.sh
. tests/harness.sh

DUMPREPAIR=${DUMPREPAIR:-${DF_TOOLS_DIR:-tools}/dumprepair}
CORPUS=${DF_CORPUS:-corpus}
CUTS=${CUTS:-8}
# the cuts restored: 1 3 5 ... and CUTS (make check), every one (DF_TEST_FULL=1)
CUT_STEP=2
[ "${DF_TEST_FULL:-}" = 1 ] && CUT_STEP=1
CUT_KS=$( (seq 1 "$CUT_STEP" "$CUTS"; echo "$CUTS") | sort -nu)
ROLES_SQL=$CORPUS/sample-roles.sql
[ -f "$ROLES_SQL" ] || ROLES_SQL=$CORPUS/../../shared/corpus/sample-roles.sql
[ -f "$ROLES_SQL" ] || ROLES_SQL=/work/shared/corpus/sample-roles.sql

if ! live_can_run; then
    echo "live: skipped (needs root or postgres)"
    echo "0 passed, 0 failed"
    exit 0
fi
if [ ! -f "$ROLES_SQL" ]; then
    echo "live: skipped (no sample-roles.sql)"
    echo "0 passed, 0 failed"
    exit 0
fi

ERR=$(mktemp "${TMPDIR:-/tmp}/dumprepair-live.XXXXXX") || exit 3
if ! live_start 2>"$ERR"; then
    not_ok "cluster starts" "$(head -5 "$ERR")"
    rm -f "$ERR"
    harness_finish
    exit 1
fi
rm -f "$ERR"
WORK=$LIVE_TMP/work
mkdir -p "$WORK"
chmod 755 "$LIVE_TMP" "$WORK"
live_psql -d postgres -f "$ROLES_SQL" >/dev/null 2>"$WORK/roles.err"
check "the corpus roles load" $? "$(head -3 "$WORK/roles.err")"

# The rows each table of the pg15 sample database holds (MANIFEST.json).
python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
for t, n in m["databases"]["sample@pg15"]["row_counts"].items():
    print("%s\t%d" % (t, n))' "$CORPUS/MANIFEST.json" >"$WORK/rows.tsv"

NDB=0
# table_rows DB: "schema.table<TAB>rows" for every table of rows.tsv, "absent" for one that does
# not exist, from one psql (not one per table: some 80 restores ask for 15 tables each).
table_rows() {
    local tables
    tables=$(cut -f1 "$WORK/rows.tsv" | sed "s/'/''/g; s/.*/'&'/" | paste -sd,)
    live_psql -At -F $'\t' -d "$1" -c "
        SELECT t, CASE WHEN to_regclass(quote_ident(split_part(t, '.', 1)) || '.' ||
                                        quote_ident(split_part(t, '.', 2))) IS NULL
                       THEN 'absent'
                       ELSE (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c
                                 FROM %I.%I', split_part(t, '.', 1), split_part(t, '.', 2)),
                                 false, true, '')))[1]::text END
        FROM unnest(ARRAY[$tables]::text[]) t" 2>&1
}
# count_of TABLE: its line of $WORK/got.tsv (table_rows), "no count" when there is none.
count_of() {
    awk -F'\t' -v t="$1" '$1 == t { print $2; n++ } END { if (!n) print "no count" }' "$WORK/got.tsv"
}
# restore_case NAME ARCHIVE: list, restore, compare.
restore_case() {
    local name=$1 x=$2 rc db problems=()
    "$DUMPREPAIR" --list-only -q -f "$WORK/l" "$x" 2>"$WORK/dr.err"
    rc=$?
    if [ $rc -eq 2 ]; then
        return 0 # the TOC is cut: nothing to restore, nothing to check here
    fi
    if [ $rc -gt 1 ]; then
        not_ok "$name: dumprepair exit $rc" "$(head -2 "$WORK/dr.err")"
        return
    fi
    NDB=$((NDB + 1))
    db=repair$NDB
    "$PG_BINDIR/createdb" -T template0 -E UTF8 --locale=C "$db" 2>"$WORK/c.err"
    timeout 300 "$PG_BINDIR/pg_restore" -L "$WORK/l" -d "$db" "$x" >/dev/null 2>"$WORK/r.err"
    [ -s "$WORK/r.err" ] && problems+=("pg_restore said: $(head -2 "$WORK/r.err" | tr '\n' ' ')")
    table_rows "$db" >"$WORK/got.tsv"
    while IFS=$'\t' read -r table want; do
        local s=${table%%.*} t=${table#*.} got listed
        got=$(count_of "$table")
        if grep -q "^[0-9]*; [0-9]* [0-9]* TABLE DATA $s $t " "$WORK/l"; then
            listed=$want
        else
            listed=0
        fi
        [ "$got" = "$listed" ] || problems+=("$table: $got rows, want $listed")
    done <"$WORK/rows.tsv"
    "$PG_BINDIR/dropdb" "$db" 2>/dev/null
    check "$name: pg_restore -L LIST -d: no error, rows as listed (exit $rc)" \
        $((${#problems[@]} != 0)) "${problems[@]:0:6}"
}

# repaired_case NAME ARCHIVE: dumprepair -o OUT, restore OUT whole, compare with the report.
repaired_case() {
    local name=$1 x=$2 rc db out=$WORK/repaired problems=()
    rm -rf "$out"
    "$DUMPREPAIR" --json -o "$out" "$x" >"$WORK/rep.json" 2>"$WORK/dr.err"
    rc=$?
    [ $rc -eq 2 ] && [ ! -e "$out" ] && return 0 # the TOC is cut before anything listable
    if [ $rc -gt 1 ] || [ ! -e "$out" ]; then
        not_ok "$name -o: dumprepair exit $rc" "$(head -2 "$WORK/dr.err")"
        return
    fi
    chmod -R a+rX "$out"
    NDB=$((NDB + 1))
    db=repair$NDB
    "$PG_BINDIR/createdb" -T template0 -E UTF8 --locale=C "$db" 2>"$WORK/c.err"
    timeout 300 "$PG_BINDIR/pg_restore" -d "$db" "$out" >/dev/null 2>"$WORK/r.err"
    [ -s "$WORK/r.err" ] && problems+=("pg_restore said: $(head -2 "$WORK/r.err" | tr '\n' ' ')")
    # per table: the report's rows kept (partial), none (lost: OUT creates the table without
    # its data), all of them (intact); a table whose entries a cut TOC lost is not created
    "$PG_BINDIR/pg_restore" -l "$out" >"$WORK/out.list" 2>/dev/null
    python3 - "$WORK/rep.json" "$WORK/rows.tsv" "$WORK/out.list" >"$WORK/want.tsv" <<'PY'
import json, re, sys
rep = {(e['schema'], e['tag']): e for e in json.load(open(sys.argv[1]))['entries']
       if e['desc'] == 'TABLE DATA'}
out = open(sys.argv[3]).read()
for line in open(sys.argv[2]):
    table, n = line.rstrip('\n').split('\t')
    s, t = table.split('.', 1)
    e = rep.get((s, t))
    def listed(desc):
        return re.search(r'^\d+; \d+ \d+ %s %s %s ' % (desc, re.escape(s), re.escape(t)),
                         out, re.M) is not None
    if listed('TABLE DATA'):
        want = e['rows_kept'] if e is not None and e['state'] == 'partial' else n
    elif listed('TABLE'):
        want = 0
    else:
        want = 'absent'
    print('%s\t%s' % (table, want))
PY
    table_rows "$db" >"$WORK/got.tsv"
    while IFS=$'\t' read -r table want; do
        local got
        got=$(count_of "$table")
        if [ "$want" = absent ]; then
            [ "$got" = absent ] || problems+=("$table exists: its TABLE entry was cut off")
            continue
        fi
        [ "$got" = "$want" ] || problems+=("$table: $got rows, want $want")
    done <"$WORK/want.tsv"
    # the FKs the report changed, and only they, are NOT VALID (none is in the dump's own SQL)
    want=$(jq '[.entries[] | select(.state == "changed")] | length' "$WORK/rep.json")
    # (conparentid: a key that references a partitioned table has a row per partition too)
    got=$(live_psql -At -d "$db" -c "SELECT count(*) FROM pg_constraint WHERE contype = 'f'
                                     AND NOT convalidated AND conparentid = 0" 2>&1)
    [ "$got" = "$want" ] || problems+=("$got foreign keys NOT VALID, the report changed $want")
    [ "$want" -eq "${WANT_CHANGED:-$want}" ] ||
        problems+=("the report changed $want foreign keys, not $WANT_CHANGED")
    "$PG_BINDIR/dropdb" "$db" 2>/dev/null
    check "$name -o: pg_restore -d OUT: no error, rows = rows kept (exit $rc)" \
        $((${#problems[@]} != 0)) "${problems[@]:0:6}"
}

for x in "$CORPUS"/pg15/sample.custom.gzip.dump "$CORPUS"/pg15/sample.custom.none.dump \
    "$CORPUS"/pg15/sample.tar; do
    base=$(basename "$x")
    restore_case "$base intact" "$x"
    repaired_case "$base intact" "$x"
    size=$(stat -c %s "$x")
    for k in $CUT_KS; do
        cut=$((size * k / (CUTS + 1)))
        head -c "$cut" "$x" >"$WORK/cut.$base"
        chmod 644 "$WORK/cut.$base"
        restore_case "$base cut at $cut" "$WORK/cut.$base"
        repaired_case "$base cut at $cut" "$WORK/cut.$base"
    done
done

# Files that end inside the TOC (tests/cli/repair_toc.py finds it): OUT holds the entries
# read whole before the cut (pg_dump writes an entry after those it depends on, so none of
# them needs a lost one), their data when they are in separate files (directory).
for x in "$CORPUS"/pg15/sample.custom.gzip.dump "$CORPUS"/pg15/sample.tar \
    "$CORPUS"/pg15/sample.dir.gzip; do
    base=$(basename "$x")
    python3 tests/cli/repair_toc.py entries "$x" >"$WORK/ents"
    read -r _ _ _ start <"$WORK/ents"
    end=$(tail -1 "$WORK/ents" | awk '{ print $3 }')
    for k in $CUT_KS; do
        cut=$((start + (end - start) * k / (CUTS + 1)))
        t=$WORK/toccut.$base
        rm -rf "$t"
        if [ -d "$x" ]; then
            cp -r "$x" "$t"
            truncate -s "$cut" "$t/toc.dat"
        else
            head -c "$cut" "$x" >"$t"
        fi
        chmod -R a+rX "$t"
        repaired_case "$base, the TOC cut at $cut" "$t"
    done
done

# A directory archive without the data file of inventory.products and with the one of
# sales.customers cut in half: three foreign keys that reference them restore NOT VALID, the
# fourth (on partitioned sales.orders) is left out.
x=$WORK/holes.dir
cp -r "$CORPUS"/pg15/sample.dir.gzip "$x"
rm -f "$x/3649.dat.gz"
truncate -s $(($(stat -c %s "$x/3655.dat.gz") / 2)) "$x/3655.dat.gz"
chmod -R a+rX "$x"
WANT_CHANGED=3 repaired_case "sample.dir.gzip without products' data, customers' cut" "$x"

live_stop
harness_finish
