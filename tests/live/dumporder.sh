#!/usr/bin/env bash
# tests/live/dumporder.sh — live tests of tools/dumporder against a throwaway PostgreSQL 15
# cluster (tests/live/lib.sh): the lists it writes are restored for real.
#
# The database is the corpus database (corpus/sample-roles.sql, corpus/sample-db.sql: the one the
# corpus dumps were made from, restorable whole) plus tests/live/order_schema.sql (foreign keys
# both ways, a sequence used by a default, a rule, sub-partitions), dumped with pg_dump 15 in
# custom and directory format.  Then:
#   * for several tables (partitioned, sub-partitioned, FKs both ways, identity and serial
#     sequences, policies, triggers, comments, column grants, a lone partition, FK targets):
#     `dumporder -t T DUMP > l; pg_restore -L l -d EMPTY DUMP` must finish with exit status 0
#     and nothing on stderr, and the catalogs of the new database must show, for the table and
#     its partitions, the same rows, columns, defaults, indexes, constraints (foreign keys to
#     tables outside the closure excepted), triggers, policies, rules, statistics objects,
#     comments, grants and sequence values as the source, and no relation outside the closure
#     (a materialized view brings the tables it reads, whole, so that REFRESH finds its rows);
#   * a whole-dump list from `dumporder -j 4` restores with `pg_restore -j 4 -L` without errors
#     into a database whose pg_dump is identical to that of a plain `pg_restore -j 4`;
#   * a hand-edited list with a TABLE DATA line moved above its TABLE is reported by
#     `dumporder --from-list`, which names both entries and writes a list that restores.
# One line per case ("ok - NAME" / "not ok - NAME" and up to 20 lines of detail), then exactly
# one line "N passed, N failed".  Exit status 1 on any failure.
#
# Run from anywhere after `make`:  sudo tests/live/dumporder.sh
# Needs root (to become the postgres OS user) or to be run as postgres; otherwise it skips.
# Environment: DUMPORDER (default tools/dumporder), PG_BINDIR (default
#              /usr/lib/postgresql/15/bin), DF_CORPUS (default corpus), LIVE_KEEP=1 keeps the
#              temporary directory.

set -u
cd "$(dirname "$0")/../.." || exit 3
# shellcheck source=tests/live/lib.sh
. tests/live/lib.sh

DUMPORDER=${DUMPORDER:-tools/dumporder}
CORPUS=${DF_CORPUS:-corpus}
ROLES_SQL=$CORPUS/sample-roles.sql
DB_SQL=$CORPUS/sample-db.sql
EXTRA_SQL=tests/live/order_schema.sql
DB=sample
PASSED=0
FAILED=0
SUMMARY_DONE=0
START_ERR=""
NDB=0

# pass NAME...: the words are joined with spaces.
pass() {
    PASSED=$((PASSED + 1))
    echo "ok - $*"
}

# fail NAME... [FILE]: the words are joined with spaces; a last argument naming an existing
# file is shown (first 20 lines) to explain the failure.
fail() {
    local file=""
    FAILED=$((FAILED + 1))
    if [ $# -gt 1 ] && [ -f "${!#}" ]; then
        file=${!#}
        set -- "${@:1:$#-1}"
    fi
    echo "not ok - $*"
    if [ -n "$file" ] && [ -s "$file" ]; then
        head -n 20 -- "$file" | sed 's/^/    /'
    fi
}

summary() {
    [ "$SUMMARY_DONE" = 1 ] && return
    SUMMARY_DONE=1
    echo "$PASSED passed, $FAILED failed"
}

live_on_exit() {
    [ -n "$START_ERR" ] && rm -f -- "$START_ERR"
    if [ "$SUMMARY_DONE" = 0 ]; then
        fail "run ended early"
        summary
    fi
}

skip_all() {
    echo "live: skipped ($1)"
    echo "0 passed, 0 failed"
    exit 0
}

abort() {
    fail "$1" "${2:-}"
    summary
    exit 1
}

psql_q() {
    "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -At "$@"
}

# ---------------------------------------------------------------------------------------------
# setup
# ---------------------------------------------------------------------------------------------

start_cluster() {
    START_ERR=$(mktemp "${TMPDIR:-/tmp}/dumporder-live-start.XXXXXX") || exit 3
    if live_start 2>"$START_ERR"; then
        rm -f -- "$START_ERR"
        START_ERR=""
        pass "cluster starts (PostgreSQL $("$PG_BINDIR/postgres" -V | awk '{print $3}'))"
    else
        abort "cluster starts" "$START_ERR"
    fi
    WORK=$LIVE_TMP/work
    mkdir -p "$WORK" "$LIVE_TMP/tablespace"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$LIVE_TMP/tablespace"
    return 0
}

load_and_dump() {
    local err=$WORK/setup.err f
    "$PG_BINDIR/createdb" -T template0 -E UTF8 --locale=C "$DB" 2>"$err" ||
        abort "createdb $DB" "$err"
    live_psql -d postgres -f "$ROLES_SQL" >/dev/null 2>"$err" || abort "$ROLES_SQL loads" "$err"
    for f in "$DB_SQL" "$EXTRA_SQL"; do
        if live_psql -d "$DB" -f "$f" >/dev/null 2>"$err" && [ ! -s "$err" ]; then
            pass "$f loads without errors or warnings"
        else
            abort "$f loads without errors or warnings" "$err"
        fi
    done
    CUSTOM=$WORK/sample.dump
    DIRECTORY=$WORK/sample.dir
    if "$PG_BINDIR/pg_dump" -Fc -f "$CUSTOM" "$DB" 2>"$err" &&
        "$PG_BINDIR/pg_dump" -Fd -j 2 -f "$DIRECTORY" "$DB" 2>>"$err" && [ ! -s "$err" ]; then
        pass "pg_dump -Fc and -Fd write the dumps"
    else
        abort "pg_dump -Fc and -Fd write the dumps" "$err"
    fi
}

new_db() {
    NDB=$((NDB + 1))
    NEWDB=target$NDB
    "$PG_BINDIR/createdb" -T template0 -E UTF8 --locale=C "$NEWDB"
}

# ---------------------------------------------------------------------------------------------
# catalog fingerprints
# ---------------------------------------------------------------------------------------------

# Everything that belongs to the relations :'roots' (and their partitions, at every level) and
# to the sequences they own, one line per fact, sorted.  Foreign keys count only when the table
# they reference is in :'allowed' (schema.name, unquoted).
FINGERPRINT_SQL=$(cat <<'SQL'
WITH
roots AS (SELECT unnest(:'roots'::text[])::regclass AS r),
tree AS (SELECT r::oid AS oid FROM roots  -- pg_partition_tree() is empty for plain tables
         UNION SELECT t.relid::oid FROM roots, LATERAL pg_partition_tree(roots.r) t),
seqs AS (SELECT d.objid AS oid FROM pg_depend d JOIN tree ON d.refobjid = tree.oid
         JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
         WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
           AND d.deptype IN ('a', 'i')
         UNION
         SELECT d.refobjid FROM pg_attrdef ad JOIN tree ON ad.adrelid = tree.oid
         JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
         JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'
         WHERE d.refclassid = 'pg_class'::regclass),
rels AS (SELECT oid FROM tree UNION SELECT oid FROM seqs),
cons AS (SELECT c.oid FROM pg_constraint c JOIN tree ON c.conrelid = tree.oid
         WHERE c.contype <> 'f'
            OR (SELECT n.nspname || '.' || r.relname FROM pg_class r
                JOIN pg_namespace n ON n.oid = r.relnamespace WHERE r.oid = c.confrelid)
               = ANY (:'allowed'::text[])),
idx AS (SELECT i.indexrelid AS oid FROM pg_index i JOIN tree ON i.indrelid = tree.oid),
trg AS (SELECT t.oid FROM pg_trigger t JOIN tree ON t.tgrelid = tree.oid WHERE NOT t.tgisinternal),
pol AS (SELECT p.oid FROM pg_policy p JOIN tree ON p.polrelid = tree.oid),
rul AS (SELECT r.oid FROM pg_rewrite r JOIN tree ON r.ev_class = tree.oid
        WHERE r.rulename <> '_RETURN'),
sta AS (SELECT s.oid FROM pg_statistic_ext s JOIN tree ON s.stxrelid = tree.oid)
SELECT line FROM (
  SELECT 'class ' || c.oid::regclass::text || ' kind=' || c.relkind::text
         || ' rls=' || c.relrowsecurity || '/' || c.relforcerowsecurity
         || ' owner=' || pg_get_userbyid(c.relowner) || ' acl=' || coalesce(c.relacl::text, '')
         || ' opts=' || coalesce(c.reloptions::text, '')
         || ' ts=' || coalesce((SELECT spcname FROM pg_tablespace WHERE oid = c.reltablespace), '')
         || ' bound=' || coalesce(pg_get_expr(c.relpartbound, c.oid), '') AS line
    FROM pg_class c JOIN rels USING (oid)
  UNION ALL
  SELECT 'column ' || a.attrelid::regclass::text || '.' || a.attname || ' '
         || format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull
         || ' identity=' || a.attidentity::text || ' generated=' || a.attgenerated::text
         || ' acl=' || coalesce(a.attacl::text, '')
         || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
    FROM pg_attribute a JOIN tree ON a.attrelid = tree.oid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'index ' || pg_get_indexdef(i.oid) || ' ts='
         || coalesce((SELECT spcname FROM pg_tablespace t JOIN pg_class c ON c.reltablespace = t.oid
                      WHERE c.oid = i.oid), '')
         || ' clustered=' || (SELECT indisclustered FROM pg_index WHERE indexrelid = i.oid)
    FROM idx i
  UNION ALL
  SELECT 'constraint ' || c.conrelid::regclass::text || ' ' || c.conname || ' '
         || pg_get_constraintdef(c.oid) || ' valid=' || c.convalidated
    FROM pg_constraint c JOIN cons USING (oid)
  UNION ALL
  SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
    FROM pg_trigger t JOIN trg USING (oid)
  UNION ALL
  SELECT 'policy ' || p.polrelid::regclass::text || ' ' || p.polname || ' ' || p.polpermissive
         || ' ' || p.polcmd::text || ' ' || p.polroles::regrole[]::text
         || ' ' || coalesce(pg_get_expr(p.polqual, p.polrelid), '')
         || ' ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
    FROM pg_policy p JOIN pol USING (oid)
  UNION ALL
  SELECT 'rule ' || pg_get_ruledef(oid) FROM rul
  UNION ALL
  SELECT 'statistics ' || pg_get_statisticsobjdef(oid) FROM sta
  UNION ALL
  SELECT 'comment ' || pg_describe_object(d.classoid, d.objoid, d.objsubid) || ' = ' || d.description
    FROM pg_description d
   WHERE (d.classoid = 'pg_class'::regclass AND d.objoid IN (SELECT oid FROM rels UNION ALL
                                                              SELECT oid FROM idx))
      OR (d.classoid = 'pg_constraint'::regclass AND d.objoid IN (SELECT oid FROM cons))
      OR (d.classoid = 'pg_trigger'::regclass AND d.objoid IN (SELECT oid FROM trg))
      OR (d.classoid = 'pg_policy'::regclass AND d.objoid IN (SELECT oid FROM pol))
      OR (d.classoid = 'pg_rewrite'::regclass AND d.objoid IN (SELECT oid FROM rul))
      OR (d.classoid = 'pg_statistic_ext'::regclass AND d.objoid IN (SELECT oid FROM sta))
  UNION ALL
  SELECT 'sequence ' || s.oid::regclass::text || ' last=' || coalesce(q.last_value::text, 'null')
         || ' start=' || q.start_value || ' increment=' || q.increment_by || ' cycle=' || q.cycle
    FROM pg_class s JOIN seqs USING (oid)
    JOIN pg_sequences q ON q.schemaname = s.relnamespace::regnamespace::text
                       AND q.sequencename = s.relname
) x ORDER BY line;
SQL
)

# Relations (and sequences) of the database that are not part of an extension.
RELATIONS_SQL="SELECT n.nspname || '.' || c.relname FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                   AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY 1;"

# The closure, as the SOURCE catalogs define it: roots with their partitions and owned
# sequences, plus relations needed only as structure (a partition's parent).
expected_relations() {
    local roots=$1 extra=$2
    psql_q -d "$DB" -v roots="$roots" -v extra="$extra" <<'SQL'
WITH roots AS (SELECT unnest(:'roots'::text[])::regclass AS r),
tree AS (SELECT r::oid AS oid FROM roots  -- pg_partition_tree() is empty for plain tables
         UNION SELECT t.relid::oid FROM roots, LATERAL pg_partition_tree(roots.r) t),
seqs AS (SELECT d.objid AS oid FROM pg_depend d JOIN tree ON d.refobjid = tree.oid
         JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
         WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
           AND d.deptype IN ('a', 'i')
         UNION
         SELECT d.refobjid FROM pg_attrdef ad JOIN tree ON ad.adrelid = tree.oid
         JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
         JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'
         WHERE d.refclassid = 'pg_class'::regclass),
alls AS (SELECT oid FROM tree UNION SELECT oid FROM seqs
         UNION SELECT unnest(:'extra'::text[])::regclass::oid)
SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN alls USING (oid)
  JOIN pg_namespace n ON n.oid = c.relnamespace ORDER BY 1;
SQL
}

# fingerprint DB ROOTS ALLOWED > file  (psql expands :'x' variables only in input, not in -c)
fingerprint() {
    psql_q -d "$1" -v roots="$2" -v allowed="$3" <<<"$FINGERPRINT_SQL"
}

# row_counts DB ROOTS: "name count" per root
row_counts() {
    local db=$1 roots=$2 rel
    while IFS= read -r rel; do
        [ -n "$rel" ] || continue
        echo "$rel $(psql_q -d "$db" -c "SELECT count(*) FROM $rel")"
    done < <(psql_q -d "$DB" -v roots="$roots" <<<"SELECT unnest(:'roots'::text[])::regclass")
}

# ---------------------------------------------------------------------------------------------
# dumporder -t T: the restore of the list, and the catalogs afterwards
# ---------------------------------------------------------------------------------------------

# table_case NAME ROOTS EXTRA ARGS...
#   ROOTS: relations restored whole (a psql array literal of regclass names)
#   EXTRA: relations expected only as structure (array literal, may be {})
table_case() {
    local name=$1 roots=$2 extra=$3
    shift 3
    local list=$WORK/$name.list err=$WORK/$name.err d=$WORK/$name.diff allowed
    if ! "$DUMPORDER" "$@" "$CUSTOM" >"$list" 2>"$err"; then
        fail "$name: dumporder $* exits 0" "$err"
        return
    fi
    new_db
    if "$PG_BINDIR/pg_restore" -L "$list" -d "$NEWDB" "$CUSTOM" >/dev/null 2>"$err" &&
        [ ! -s "$err" ]; then
        pass "$name: pg_restore -L (dumporder $*) completes with zero errors"
    else
        fail "$name: pg_restore -L (dumporder $*) completes with zero errors" "$err"
    fi
    expected_relations "$roots" "$extra" >"$WORK/$name.expected"
    psql_q -d "$NEWDB" -c "$RELATIONS_SQL" >"$WORK/$name.got"
    if diff -u --label expected --label restored "$WORK/$name.expected" "$WORK/$name.got" >"$d"
    then
        pass "$name: exactly the relations of the closure are restored"
    else
        fail "$name: exactly the relations of the closure are restored" "$d"
    fi
    allowed="{$(paste -sd, "$WORK/$name.expected")}"
    fingerprint "$DB" "$roots" "$allowed" >"$WORK/$name.src.fp"
    fingerprint "$NEWDB" "$roots" "$allowed" >"$WORK/$name.dst.fp"
    if [ -s "$WORK/$name.src.fp" ] &&
        diff -u --label source --label restored "$WORK/$name.src.fp" "$WORK/$name.dst.fp" >"$d"
    then
        pass "$name: columns, indexes, constraints, triggers, policies, comments, grants and" \
"sequence values match ($(wc -l <"$WORK/$name.src.fp") facts)"
    else
        fail "$name: columns, indexes, constraints, triggers, policies, comments, grants and" \
"sequence values match" "$d"
    fi
    row_counts "$DB" "$roots" >"$WORK/$name.src.rows"
    row_counts "$NEWDB" "$roots" >"$WORK/$name.dst.rows"
    if [ -s "$WORK/$name.src.rows" ] &&
        diff -u --label source --label restored "$WORK/$name.src.rows" "$WORK/$name.dst.rows" \
            >"$d"; then
        pass "$name: row counts match ($(tr '\n' ' ' <"$WORK/$name.src.rows"))"
    else
        fail "$name: row counts match" "$d"
    fi
}

# The comparison must be able to fail: without dependents, customers loses its indexes,
# constraints, policies and trigger, and the fingerprints must say so.
negative_case() {
    local list=$WORK/neg.list err=$WORK/neg.err
    "$DUMPORDER" -t customers --no-dependents "$CUSTOM" >"$list" 2>"$err"
    new_db
    "$PG_BINDIR/pg_restore" -L "$list" -d "$NEWDB" "$CUSTOM" >/dev/null 2>>"$err"
    fingerprint "$DB" '{sales.customers}' '{}' >"$WORK/neg.src.fp"
    fingerprint "$NEWDB" '{sales.customers}' '{}' >"$WORK/neg.dst.fp"
    if diff "$WORK/neg.src.fp" "$WORK/neg.dst.fp" | grep -q '^< policy ' &&
        diff "$WORK/neg.src.fp" "$WORK/neg.dst.fp" | grep -q '^< index ' &&
        diff "$WORK/neg.src.fp" "$WORK/neg.dst.fp" | grep -q '^< trigger '; then
        pass "the catalog comparison notices what --no-dependents leaves out"
    else
        fail "the catalog comparison notices what --no-dependents leaves out" "$err"
    fi
}

# The fixture must have what the cases are about, or they prove nothing.
check_fixture() {
    local out=$WORK/fixture.out
    psql_q -d "$DB" >"$out" 2>&1 <<'SQL'
SELECT 'partitioned ' || relkind::text FROM pg_class WHERE oid = 'sales.orders'::regclass;
SELECT 'subpartitioned ' || relkind::text FROM pg_class WHERE oid = 'shop.events_2024'::regclass;
SELECT 'fk-in ' || count(*) FROM pg_constraint WHERE contype = 'f' AND conparentid = 0 AND confrelid = 'sales.customers'::regclass;
SELECT 'fk-out ' || count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = 'sales.orders'::regclass;
SELECT 'fk-both ' || count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('shop.accounts'::regclass, 'shop.contacts'::regclass) AND confrelid IN ('shop.accounts'::regclass, 'shop.contacts'::regclass);
SELECT 'identity ' || count(*) FROM pg_attribute WHERE attrelid = 'sales.customers'::regclass AND attidentity <> '';
SELECT 'serial ' || count(*) FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' WHERE d.refobjid = 'shop.contacts'::regclass AND d.deptype = 'a';
SELECT 'policies ' || count(*) FROM pg_policy WHERE polrelid = 'sales.customers'::regclass;
SELECT 'column-grants ' || count(*) FROM pg_attribute WHERE attrelid = 'sales.customers'::regclass AND attacl IS NOT NULL;
SELECT 'triggers ' || count(*) FROM pg_trigger WHERE tgrelid = 'inventory.products'::regclass AND NOT tgisinternal;
SELECT 'rules ' || count(*) FROM pg_rewrite WHERE ev_class = 'shop.contacts'::regclass;
SQL
    if grep -qx 'partitioned p' "$out" && grep -qx 'subpartitioned p' "$out" &&
        grep -qx 'fk-in 1' "$out" && grep -qx 'fk-out 1' "$out" && grep -qx 'fk-both 2' "$out" &&
        grep -qx 'identity 1' "$out" && grep -qx 'serial 1' "$out" &&
        grep -qx 'policies 3' "$out" && grep -qx 'column-grants 4' "$out" &&
        grep -qx 'triggers 1' "$out" && grep -qx 'rules 1' "$out"; then
        pass "fixture: partitions, FKs both ways, identity and serial, policies, column grants, triggers, rules"
    else
        fail "fixture: partitions, FKs both ways, identity and serial, policies, column grants, triggers, rules" "$out"
    fi
}

table_cases() {
    check_fixture
    table_case orders '{sales.orders}' '{}' -t orders
    table_case customers '{sales.customers}' '{}' -t customers
    table_case products '{inventory.products}' '{}' -t products -n inventory
    table_case categories '{inventory.categories}' '{}' -t categories
    table_case contacts '{shop.contacts}' '{}' -t contacts
    table_case accounts_fk '{shop.accounts,shop.contacts}' '{}' -t accounts --with-fk-targets
    table_case events '{shop.events}' '{}' -t events -n shop
    table_case partition '{sales.orders_2024}' '{sales.orders}' -t orders_2024
    table_case order_items_fk \
        '{sales.order_items,sales.orders,inventory.products,sales.customers}' '{}' \
        -t order_items --with-fk-targets
    table_case mixed_case '{"public.\"Mixed Case\""}' '{}' -t "Mixed Case"
    # a materialized view's data is a REFRESH: the tables it reads come whole, with their rows
    table_case matview '{reporting.monthly_sales,sales.orders}' '{}' -t monthly_sales
    table_case readings_j2 '{bulk.readings}' '{}' -t readings -j 2
    negative_case
}

# ---------------------------------------------------------------------------------------------
# dumporder -j 4 on the whole dump
# ---------------------------------------------------------------------------------------------

# pg_dump of a database without the random \restrict key lines.
dump_text() {
    "$PG_BINDIR/pg_dump" -d "$1" | grep -v '^\\\(un\)\{0,1\}restrict '
}

whole_case() {
    local input=$1 label=$2 list=$WORK/whole.$2.list err=$WORK/whole.$2.err d=$WORK/whole.$2.diff
    local db_list db_plain
    if ! "$DUMPORDER" -j 4 "$input" >"$list" 2>"$err"; then
        fail "$label: dumporder -j 4 exits 0" "$err"
        return
    fi
    new_db
    db_list=$NEWDB
    if "$PG_BINDIR/pg_restore" -j 4 -L "$list" -d "$db_list" "$input" >/dev/null 2>"$err" &&
        [ ! -s "$err" ]; then
        pass "$label: pg_restore -j 4 -L (dumporder -j 4) completes with zero errors"
    else
        fail "$label: pg_restore -j 4 -L (dumporder -j 4) completes with zero errors" "$err"
    fi
    new_db
    db_plain=$NEWDB
    if ! "$PG_BINDIR/pg_restore" -j 4 -d "$db_plain" "$input" >/dev/null 2>"$err"; then
        fail "$label: plain pg_restore -j 4 completes" "$err"
        return
    fi
    dump_text "$db_list" >"$WORK/whole.$label.a.sql"
    dump_text "$db_plain" >"$WORK/whole.$label.b.sql"
    if [ -s "$WORK/whole.$label.a.sql" ] &&
        diff -u --label "pg_restore -j 4 -L list" --label "pg_restore -j 4" \
            "$WORK/whole.$label.a.sql" "$WORK/whole.$label.b.sql" >"$d"; then
        pass "$label: same schema, data, sequences as a plain pg_restore -j 4 (pg_dump identical)"
    else
        fail "$label: same schema, data, sequences as a plain pg_restore -j 4" "$d"
    fi
    psql_q -d "$db_list" -c "SELECT count(*) FROM pg_largeobject_metadata" >"$WORK/lo.a"
    psql_q -d "$db_plain" -c "SELECT count(*) FROM pg_largeobject_metadata" >"$WORK/lo.b"
    if cmp -s "$WORK/lo.a" "$WORK/lo.b" && [ "$(cat "$WORK/lo.a")" -gt 0 ]; then
        pass "$label: large objects restored ($(cat "$WORK/lo.a"))"
    else
        fail "$label: large objects restored"
    fi
}

# ---------------------------------------------------------------------------------------------
# --from-list on a hand-edited list
# ---------------------------------------------------------------------------------------------

from_list_case() {
    local good=$WORK/hand.list bad=$WORK/hand.bad.list fixed=$WORK/hand.fixed.list
    local err=$WORK/hand.err rc data_line table_line data_id table_id
    "$PG_BINDIR/pg_restore" -l "$CUSTOM" >"$good"
    data_line=$(grep -n '^[0-9]*; [0-9]* [0-9]* TABLE DATA sales customers ' "$good" | head -n 1)
    table_line=$(grep -n '^[0-9]*; [0-9]* [0-9]* TABLE sales customers ' "$good" | head -n 1)
    data_id=$(echo "${data_line#*:}" | cut -d';' -f1)
    table_id=$(echo "${table_line#*:}" | cut -d';' -f1)
    # move the TABLE DATA line just above the TABLE line
    awk -v d="${data_line%%:*}" -v t="${table_line%%:*}" -v dl="${data_line#*:}" '
        NR == t { print dl } NR != d { print }' "$good" >"$bad"
    "$DUMPORDER" --from-list "$bad" "$CUSTOM" >"$fixed" 2>"$err"
    rc=$?
    if [ "$rc" -eq 1 ] &&
        grep -q "TABLE DATA sales.customers (dump id $data_id) is listed before TABLE sales.customers (dump id $table_id)" "$err"
    then
        pass "--from-list names TABLE DATA $data_id listed before its TABLE $table_id (exit 1)"
    else
        echo "exit status $rc" >>"$err"
        fail "--from-list names TABLE DATA $data_id listed before its TABLE $table_id (exit 1)" \
            "$err"
    fi
    new_db
    if "$PG_BINDIR/pg_restore" -L "$bad" -d "$NEWDB" "$CUSTOM" >/dev/null 2>"$err"; then
        fail "the hand-edited list really breaks a serial pg_restore -L"
    else
        pass "the hand-edited list really breaks a serial pg_restore -L"
    fi
    new_db
    if "$PG_BINDIR/pg_restore" -L "$fixed" -d "$NEWDB" "$CUSTOM" >/dev/null 2>"$err" &&
        [ ! -s "$err" ]; then
        pass "the list --from-list writes restores with zero errors"
    else
        fail "the list --from-list writes restores with zero errors" "$err"
    fi
    if [ "$(psql_q -d "$NEWDB" -c 'SELECT count(*) FROM sales.customers')" = \
        "$(psql_q -d "$DB" -c 'SELECT count(*) FROM sales.customers')" ]; then
        pass "... and sales.customers has its rows"
    else
        fail "... and sales.customers has its rows"
    fi
}

# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------

live_can_run || skip_all "needs root"
[ -x "$PG_BINDIR/initdb" ] || skip_all "no PostgreSQL 15 in $PG_BINDIR"
[ -x "$DUMPORDER" ] || skip_all "$DUMPORDER not built (run make)"
export PATH=$PG_BINDIR:$PATH # dumporder asks the pg_restore on PATH for its version

# -C: pg_restore creates the database whatever else it is told, so pg_restore -l -C lists the
# DATABASE, DATABASE PROPERTIES and COMMENT ON DATABASE entries with -n, -t, -a or --section;
# dumporder -C must list every one of them, in a list pg_restore -l -C -L reads back as written.
create_db_case() {
    local sel list=$WORK/create.list err=$WORK/create.err
    for sel in "-n shop" "-t accounts" "-a -n shop" "--section=post-data"; do
        # shellcheck disable=SC2086
        "$PG_BINDIR/pg_restore" -l -C $sel "$CUSTOM" 2>/dev/null | grep -v '^;' |
            grep -E '^[0-9]+; [0-9]+ [0-9]+ (DATABASE|(COMMENT|ACL|SECURITY LABEL) - DATABASE )' \
                >"$WORK/pgdb"
        # shellcheck disable=SC2086
        "$DUMPORDER" -C $sel "$CUSTOM" >"$list" 2>"$err"
        grep -v '^;' "$list" >"$WORK/mine"
        # the comment is pre-data: -a and --section=post-data leave it out, in pg_restore too
        if grep -q ' DATABASE PROPERTIES ' "$WORK/pgdb" &&
            { [ "$sel" != "-n shop" ] || grep -q ' COMMENT - DATABASE ' "$WORK/pgdb"; } &&
            ! grep -vxFf "$WORK/mine" "$WORK/pgdb" >"$WORK/missing"; then
            pass "dumporder -C $sel: the DATABASE entries pg_restore -l -C $sel lists"
        else
            fail "dumporder -C $sel: the DATABASE entries pg_restore -l -C $sel lists" "$WORK/missing"
        fi
        "$PG_BINDIR/pg_restore" -l -C -L "$list" "$CUSTOM" 2>"$err" | grep -v '^;' >"$WORK/theirs"
        if cmp -s "$WORK/mine" "$WORK/theirs" && [ ! -s "$err" ]; then
            pass "dumporder -C $sel: pg_restore -l -C -L reads the list as written"
        else
            fail "dumporder -C $sel: pg_restore -l -C -L reads the list as written" "$err"
        fi
    done
}

live_install_traps
start_cluster
load_and_dump
table_cases
whole_case "$CUSTOM" custom
whole_case "$DIRECTORY" directory
from_list_case
create_db_case

summary
[ "$FAILED" -eq 0 ]
