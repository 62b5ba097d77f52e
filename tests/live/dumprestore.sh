#!/usr/bin/env bash
# tests/live/dumprestore.sh — dumprestore against a real PostgreSQL 15 cluster (issue 15), one
# case per failure the issue names, each asserting the exact findings; the oracles are the
# server's catalog and pg_dump (a database restored by dumprestore, also after a failed
# restore finished with its resume list, dumps exactly as one restored by pg_restore).
#   roles       a target without the dump's roles and memberships: preflight names each,
#               writes nothing; --create-roles --globals fixes them, the restore has no error
#               and the schema, owners and ACLs equal pg_restore's script of the dump
#   non-empty   a target holding two of the dump's objects: both named, the restore refused
#   extension   a dump needing an extension the server lacks: named
#   archive     pg16 and pg18 archives: the preflight names the version pg_restore 15 cannot
#               read (as pg_restore -l finds) and the release that can
#   midway      a restore that fails midway: stopped, the entry named, a resume list that,
#               after the fix, completes the database (pg_dump equal to a clean restore's)
#   -j 2        pg_restore -j 2 with dumporder's list (the restore's note says so): the same
#               database as a serial restore (pg_dump equal); failing midway, the same entry
#               named and a resume list that completes it
#   verify      rows deleted, an index and a large object dropped, a schema given to another
#               owner after a restore: --verify-only names all four, exit 2 (the dump's
#               counts: corpus/rowcounts.tsv)
#   analyze     every restored table analyzed (pg_class.reltuples >= 0)
#   sequences   the sequence the corpus dump sets behind its column (dumpcheck finds it in
#               the dump): named with its setval(), exit 1; after --fix-sequences nextval() is
#               above the column's maximum and the verification is OK (exit 0)
# The drills (every pg15 corpus dump, SIGTERM mid-restore) are in dumprestore_drill.sh.
# Needs root (to become the postgres OS user) or to be run as postgres; otherwise it skips.
# Environment: DUMPRESTORE (default tools/dumprestore), PG_BINDIR, LIVE_KEEP=1.

set -u
cd "$(dirname "$0")/../.." || exit 3
# shellcheck source=tests/live/lib.sh
. tests/live/lib.sh
# shellcheck source=tests/harness.sh
. tests/harness.sh

DUMPRESTORE=${DUMPRESTORE:-${DF_TOOLS_DIR:-tools}/dumprestore}
DUMP=corpus/pg15/sample.custom.gzip.dump
GLOBALS=corpus/pg15/globals.sql
export LC_ALL=C
DONE=0

live_on_exit() {
    if [ "$DONE" = 0 ]; then
        not_ok "run ended early"
        harness_finish
    fi
}

if ! live_can_run; then
    echo "dumprestore: skipped (needs root or the postgres user)"
    echo "0 passed, 0 failed"
    exit 0
fi
live_install_traps
if ! live_start; then
    not_ok "cluster starts"
    DONE=1
    harness_finish
    exit 1
fi
W=$LIVE_TMP/work
mkdir -p "$W"
DR=("$DUMPRESTORE" --pg-bindir "$PG_BINDIR")

# findings OUT CODE: "object" of each finding with that code, sorted (text output).
findings() {
    sed -n "s/^  [a-z]* $2: \(.*\): [^:]*\$/\1/p" "$1" | sort
}
sql() { live_psql -At -d "$1" -c "$2"; }
# The dump of a database without what differs between runs (comments, \restrict keys).
schema_of() {
    "$PG_BINDIR/pg_dump" "$@" | grep -v -e '^--' -e '^\\restrict' -e '^\\unrestrict' -e '^$'
}

# ---- roles ---------------------------------------------------------------------------------
live_psql -c "CREATE DATABASE r1" -c "CREATE DATABASE r2" -c "CREATE DATABASE r4" \
    -c "CREATE DATABASE ext"
"${DR[@]}" --preflight-only --globals "$GLOBALS" -d dbname=r1 "$DUMP" >"$W/pre1" 2>&1
rc=$?
got=$(findings "$W/pre1" role-missing | tr '\n' ,)
want='role AuditBot,role Data Steward,role app_owner,role app_readers,role app_writer,role app_writers,role ops_admin,role reporting,'
check "roles: preflight names the missing roles, exit 2" \
    "$([ $rc = 2 ] && [ "$got" = "$want" ]; echo $?)" "exit $rc" "got $got"
got=$(findings "$W/pre1" membership-missing | tr '\n' ,)
want='role AuditBot,role app_reader,role app_writer,role app_writers,role ops_admin,role reporting,'
check "roles: preflight names the missing memberships" "$([ "$got" = "$want" ]; echo $?)" \
    "got $got"
n=$(sql r1 "SELECT (SELECT count(*) FROM pg_class WHERE relnamespace > 16383) +
            (SELECT count(*) FROM pg_roles WHERE rolname = 'app_owner')")
check "roles: preflight wrote nothing" "$([ "$n" = 0 ]; echo $?)" "$n objects/roles"

"${DR[@]}" --create-roles --globals "$GLOBALS" -d dbname=r1 "$DUMP" >"$W/run1" 2>&1
rc=$?
check "roles: --create-roles --globals, restore without error, verified" \
    "$([ $rc -le 1 ] && grep -q '^restore: ok' "$W/run1" && grep -q '^verify: ok' "$W/run1"; echo $?)" \
    "exit $rc" "$(head -c 600 "$W/run1")"
n=$(sql r1 "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
            JOIN pg_roles u ON u.oid = m.member WHERE (r.rolname, u.rolname) IN
            (('Data Steward', 'AuditBot'), ('app_owner', 'ops_admin'),
             ('app_readers', 'reporting'), ('app_writers', 'app_writer'))")
check "roles: memberships of --globals exist" "$([ "$n" = 4 ]; echo $?)" "$n of 4"
schema_of -s -d r1 >"$W/r1.sql"
# pg_restore -s keeps the matview's REFRESH (MATERIALIZED VIEW DATA), pg_dump -s does not
"$PG_BINDIR/pg_restore" -s -f - "$DUMP" | grep -v -e '^--' -e '^\\restrict' -e '^\\unrestrict' \
    -e '^$' -e '^REFRESH MATERIALIZED VIEW ' >"$W/dump.sql"
diff "$W/dump.sql" "$W/r1.sql" >"$W/r1.diff"
check "roles: schema, owners and ACLs equal the dump's" $? "$(head -20 "$W/r1.diff")"

# ---- analyze -------------------------------------------------------------------------------
n=$(sql r1 "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
            AND n.nspname !~ '^pg_toast' AND c.reltuples < 0")
check "analyze: every restored table analyzed" "$([ "$n" = 0 ]; echo $?)" "$n not analyzed"

# ---- non-empty target ----------------------------------------------------------------------
live_psql -d r2 -c "CREATE DOMAIN public.money_amount AS int" \
    -c "CREATE SCHEMA sales" -c "CREATE TABLE sales.orders (id int)"
"${DR[@]}" --create-roles -d dbname=r2 "$DUMP" >"$W/run2" 2>&1
rc=$?
got=$(findings "$W/run2" target-not-empty | tr '\n' ,)
want='DOMAIN public.money_amount,SCHEMA sales,TABLE sales.orders,'
check "non-empty: the colliding objects named, refused (exit 2)" \
    "$([ $rc = 2 ] && [ "$got" = "$want" ] && ! grep -q '^restore:' "$W/run2"; echo $?)" \
    "exit $rc" "got $got"
n=$(sql r2 "SELECT count(*) FROM pg_class WHERE relnamespace > 16383")
check "non-empty: nothing restored" "$([ "$n" = 1 ]; echo $?)" "$n relations"

# ---- a missing extension -------------------------------------------------------------------
sed 's/hstore/nosuch_ext/g' corpus/pg15/sample.plain.sql >"$W/ext.sql"
"${DR[@]}" --preflight-only -d dbname=ext "$W/ext.sql" >"$W/ext" 2>&1
rc=$?
got=$(findings "$W/ext" extension-unavailable | tr '\n' ,)
check "extension: the unavailable extension named, exit 2" \
    "$([ $rc = 2 ] && [ "$got" = 'extension nosuch_ext,' ]; echo $?)" "exit $rc" "got $got"

# ---- archives newer than pg_restore 15 reads ------------------------------------------------
# the oracle: pg_restore 15 -l refuses exactly the archives the preflight names
for d in corpus/pg15/sample.custom.none.dump corpus/pg16/sample.custom.zstd.dump \
    corpus/pg18/sample.custom.gzip.dump; do
    "${DR[@]}" --preflight-only -d dbname=ext "$d" >"$W/ver" 2>&1
    got=$(findings "$W/ver" archive-too-new | tr '\n' ,)
    if "$PG_BINDIR/pg_restore" -l "$d" >/dev/null 2>&1; then want=''; else
        want="archive $(sed -n 's/^;     Dump Version: \([0-9]*\.[0-9]*\)-.*/\1/p' "$d.list"),"
    fi
    check "archive version: ${d#corpus/} named iff pg_restore 15 refuses it" \
        "$([ "$got" = "$want" ] && { [ -z "$want" ] || grep -q 'fix: rewrite it for this pg_restore: dumpconvert --pg-restore-version 15 DUMP -o NEW, then restore NEW; or run a pg_restore of release 1[67] or newer' "$W/ver"; }; echo $?)" \
        "got $got" "want $want"
done

# ---- a restore error midway, the resume list -----------------------------------------------
live_psql -d r4 -c "CREATE DOMAIN public.money_amount AS int"
"${DR[@]}" --allow-existing --create-roles --globals "$GLOBALS" --resume-file "$W/resume.list" \
    -d dbname=r4 "$DUMP" >"$W/run4" 2>&1
rc=$?
check "midway: stopped, the entry named, exit 2" \
    "$([ $rc = 2 ] && grep -q '^restore: failed.*stopped at entry 947 DOMAIN public.money_amount' "$W/run4" &&
        ! grep -q '^verify:' "$W/run4"; echo $?)" "exit $rc" "$(head -c 600 "$W/run4")"
check "midway: resume list written" "$([ -s "$W/resume.list" ]; echo $?)"
live_psql -d r4 -c "DROP DOMAIN public.money_amount"
"$PG_BINDIR/pg_restore" --exit-on-error -L "$W/resume.list" -d r4 "$DUMP" >"$W/resume.log" 2>&1
check "midway: the resume list restores without error" $? "$(head -5 "$W/resume.log")"
schema_of -d r1 >"$W/r1.full"
schema_of -d r4 >"$W/r4.full"
diff "$W/r1.full" "$W/r4.full" >"$W/r4.diff"
check "midway: pg_dump after the resume equals a clean restore's" $? "$(head -20 "$W/r4.diff")"

# ---- -j 2: dumporder's list, and its resume list -------------------------------------------
# the restore runs pg_restore -j 2 -L with dumporder's list (the note says so); a failure midway
# still names the entry, and its resume list finishes the database as a clean restore's
live_psql -c "CREATE DATABASE r5" -c "CREATE DATABASE r6" >/dev/null
"${DR[@]}" -j 2 --create-roles --globals "$GLOBALS" -d dbname=r6 "$DUMP" >"$W/run6" 2>&1
rc=$?
schema_of -d r6 >"$W/r6.full"
check "-j 2: pg_restore -j 2 with dumporder's list, verified, pg_dump equal to a serial restore's" \
    "$([ $rc -le 1 ] && grep -q "^restore: ok.*pg_restore -j 2 -L <dumporder's list for 2 workers, simulated [0-9]* s> finished without errors" "$W/run6" &&
        grep -q '^verify: ok' "$W/run6" && diff -q "$W/r1.full" "$W/r6.full" >/dev/null; echo $?)" \
    "exit $rc" "$(head -c 800 "$W/run6")" "$(diff "$W/r1.full" "$W/r6.full" | head -10)"
live_psql -d r5 -c "CREATE DOMAIN public.money_amount AS int"
"${DR[@]}" -j 2 --allow-existing --create-roles --globals "$GLOBALS" \
    --resume-file "$W/resume5.list" -d dbname=r5 "$DUMP" >"$W/run5" 2>&1
rc=$?
check "-j 2 midway: stopped, the entry named, exit 2, resume list written" \
    "$([ $rc = 2 ] && grep -q '^restore: failed.*stopped at entry 947 DOMAIN public.money_amount' "$W/run5" &&
        [ -s "$W/resume5.list" ]; echo $?)" "exit $rc" "$(head -c 600 "$W/run5")"
live_psql -d r5 -c "DROP DOMAIN public.money_amount"
"$PG_BINDIR/pg_restore" --exit-on-error -j 2 -L "$W/resume5.list" -d r5 "$DUMP" >"$W/resume5.log" 2>&1
check "-j 2 midway: the resume list restores without error" $? "$(head -5 "$W/resume5.log")"
schema_of -d r5 >"$W/r5.full"
diff "$W/r1.full" "$W/r5.full" >"$W/r5.diff"
check "-j 2 midway: pg_dump after the resume equals a clean restore's" $? "$(head -20 "$W/r5.diff")"

# ---- verify-only ---------------------------------------------------------------------------
# ---- sequences behind ----------------------------------------------------------------------
# the corpus dump itself sets sales.invoices_invoice_id_seq behind its column; the oracle is
# dumpcheck, which finds that in the dump (sequence-behind-data), not on the server
"${DF_TOOLS_DIR:-tools}/dumpcheck" --json "$DUMP" | python3 -c '
import json, sys
for f in [f for d in json.load(sys.stdin)["files"] for f in d["findings"]]:
    if f["code"] == "sequence-behind-data":
        print("SEQUENCE %s.%s" % (f["schema"], f["tag"]))' | sort | tr '\n' , >"$W/seq.want"
"${DR[@]}" --verify-only -d dbname=r4 "$DUMP" >"$W/s1" 2>&1
rc=$?
got=$(findings "$W/s1" sequence-behind | tr '\n' ,)
check "sequences: those behind named with their setval, exit 1" \
    "$([ $rc = 1 ] && [ -n "$got" ] && [ "$got" = "$(cat "$W/seq.want")" ] &&
        grep -q "fix: SELECT pg_catalog.setval('sales.invoices_invoice_id_seq', 60)" "$W/s1"; echo $?)" \
    "exit $rc" "got $got" "want $(cat "$W/seq.want")" "$(head -c 600 "$W/s1")"
"${DR[@]}" --verify-only --fix-sequences -d dbname=r4 "$DUMP" >"$W/s2" 2>&1
n=$(sql r4 "SELECT nextval('sales.invoices_invoice_id_seq') > (SELECT max(invoice_id) FROM sales.invoices)")
"${DR[@]}" --verify-only -d dbname=r4 "$DUMP" >"$W/s3" 2>&1
rc=$?
check "sequences: --fix-sequences sets them above the column's maximum, then exit 0" \
    "$([ "$n" = t ] && [ $rc = 0 ]; echo $?)" "nextval above max: $n, exit $rc afterwards" \
    "$(head -c 600 "$W/s2")" "$(head -c 600 "$W/s3")"

live_psql -d r1 -c "DELETE FROM bulk.readings WHERE ctid IN (SELECT ctid FROM bulk.readings LIMIT 10)" \
    -c "DROP INDEX inventory.products_name_slug_idx" \
    -c "ALTER SCHEMA audit OWNER TO postgres" \
    -c "SELECT lo_unlink(min(oid)) FROM pg_largeobject_metadata" >/dev/null
"${DR[@]}" --verify-only -d dbname=r1 "$DUMP" >"$W/v1" 2>&1
rc=$?
got="$(findings "$W/v1" rows-differ | tr '\n' ,)$(findings "$W/v1" object-missing | tr '\n' ,)"
got="$got$(findings "$W/v1" large-objects-differ | tr '\n' ,)"
got="$got$(findings "$W/v1" owner-differs | tr '\n' ,)"
want='TABLE bulk.readings,INDEX inventory.products_name_slug_idx,large objects,SCHEMA audit,'
n=$(grep -c '^  error' "$W/v1")
# the dump's 20000 rows: corpus/rowcounts.tsv (the corpus manifest), not dumpfmt's counting
check "verify: rows deleted, index and large object dropped, owner changed: named, exit 2" \
    "$([ $rc = 2 ] && [ "$got" = "$want" ] && [ "$n" = 4 ] &&
        grep -q 'bulk.readings: has 19990 rows, the dump 20000$' "$W/v1" &&
        grep -q 'large objects: the target has 4, the dump 5$' "$W/v1"; echo $?)" \
    "exit $rc" "got $got" \
    "$(head -c 600 "$W/v1")"

DONE=1
harness_finish
