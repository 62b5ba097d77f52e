#!/usr/bin/env bash
# tests/live/dumproles.sh — dumproles against real PostgreSQL 15 clusters (issue 5 acceptance).
#
# A source cluster gets roles whose names need every kind of quoting (spaces, quotes,
# capitals, unicode), objects they own, grants (column grants, a grant by a non-owner
# grantor), default privileges, policies, a function with SET role, a user mapping and a large
# object.  The database is dumped in every format pg_dump 15 writes (custom, directory, tar,
# plain).  A second cluster, where those roles do not exist, is the restore target.  For each
# dump, from a fresh target:
#   dumproles -d TARGET DUMP          lists exactly the absent roles, exit 1
#   dumproles -d TARGET --create DUMP a script; psql -v ON_ERROR_STOP=1 runs it twice, cleanly
#   pg_restore -d --exit-on-error     (psql -v ON_ERROR_STOP=1 -f for plain) zero errors
#   catalog queries                   owners, ACLs, column ACLs, default ACLs, policy roles,
#                                     function settings, LO owners, user mappings == the source
#   dumproles -d TARGET DUMP          exit 0
# and the same with --globals: a pg_dumpall --roles-only script of the source (nothing
# missing), of the bare target (the same roles missing), and -d with --globals for --create,
# whose role memberships must then exist on the target.
#
# One line per case ("ok - NAME" / "not ok - NAME" plus details), then "N passed, N failed".
# Needs root (to become the postgres OS user) or to be run as postgres; otherwise it skips.
# Environment: DUMPROLES (default tools/dumproles), PG_BINDIR, LIVE_KEEP=1.

set -u
cd "$(dirname "$0")/../.." || exit 3
# shellcheck source=tests/live/lib.sh
. tests/live/lib.sh

DUMPROLES=${DUMPROLES:-tools/dumproles}
TIMEOUT=${TIMEOUT:-300}
export LC_ALL=C
PASSED=0
FAILED=0
SUMMARY_DONE=0
START_ERR=""

pass() {
    PASSED=$((PASSED + 1))
    echo "ok - $1"
}

# fail NAME [FILE]: FILE holds what explains the failure.
fail() {
    FAILED=$((FAILED + 1))
    echo "not ok - $1"
    if [ -n "${2:-}" ] && [ -s "$2" ]; then
        head -n 30 -- "$2" | sed 's/^/    /'
    fi
}

# check NAME FILE COMMAND...: pass when COMMAND succeeds.
check() {
    local name=$1 file=$2
    shift 2
    if "$@"; then pass "$name"; else fail "$name" "$file"; fi
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

abort() {
    fail "$1" "${2:-}"
    summary
    exit 1
}

if ! live_can_run; then
    echo "live: skipped (needs root or the postgres user)"
    echo "0 passed, 0 failed"
    exit 0
fi
if [ ! -x "$DUMPROLES" ]; then
    echo "not ok - $DUMPROLES is built"
    echo "0 passed, 1 failed"
    exit 1
fi

# ---------------------------------------------------------------------------------------------
# clusters
# ---------------------------------------------------------------------------------------------

START_ERR=$(mktemp "${TMPDIR:-/tmp}/dumproles-live.XXXXXX") || exit 3
if live_start 2>"$START_ERR"; then
    pass "source cluster starts"
else
    abort "source cluster starts" "$START_ERR"
fi
if live_start_extra target 2>"$START_ERR"; then
    pass "target cluster starts"
else
    abort "target cluster starts" "$START_ERR"
fi
rm -f -- "$START_ERR"
START_ERR=""
SRC="host=$PGHOST port=$PGPORT dbname=src"
TGT="host=$LIVE_EXTRA_HOST port=$LIVE_EXTRA_PORT dbname=target"
TGT_ADMIN="host=$LIVE_EXTRA_HOST port=$LIVE_EXTRA_PORT dbname=postgres"
WORK=$LIVE_TMP/work
mkdir -p "$WORK"
chmod 0777 "$WORK" # pg_dump -Fd writes here as the caller; the server never does
# a copy: a rebuild of the tree while the test runs must not swap the binary under it
cp -- "$DUMPROLES" "$WORK/dumproles" && DUMPROLES=$WORK/dumproles

psql_src() { live_psql -d "$SRC" "$@"; }
psql_tgt() { live_psql -d "$TGT" "$@"; }

# The roles the dump needs that the target lacks (sorted bytewise, one per line).
EXPECTED_MISSING=$(printf '%s\n' "Grant Option Holder" "Grantee Role" "Owner Role" \
    "Policy Role" "SetRole Target" col_reader def_grantee lo_owner lower_owner mapping_user \
    "o'quote\"dq" "ÜnicodeRôle" | sort)

# ---------------------------------------------------------------------------------------------
# the source database
# ---------------------------------------------------------------------------------------------

SOURCE_SQL=$(cat <<'SQL'
CREATE ROLE "Owner Role" NOLOGIN;
CREATE ROLE "o'quote""dq" NOLOGIN;
CREATE ROLE "ÜnicodeRôle" NOLOGIN;
CREATE ROLE lower_owner NOLOGIN;
CREATE ROLE "Grantee Role" NOLOGIN;
CREATE ROLE col_reader NOLOGIN;
CREATE ROLE "Policy Role" NOLOGIN;
CREATE ROLE def_grantee NOLOGIN;
CREATE ROLE "SetRole Target" NOLOGIN;
CREATE ROLE mapping_user NOLOGIN;
CREATE ROLE "Grant Option Holder" NOLOGIN;
CREATE ROLE lo_owner NOLOGIN;
CREATE ROLE member_only LOGIN;        -- in no object of the dump
GRANT "Grantee Role" TO member_only;
GRANT col_reader TO "Owner Role" WITH ADMIN OPTION;
GRANT "Policy Role" TO "Grantee Role";
CREATE DATABASE src;
\connect src
CREATE SCHEMA "App Schema" AUTHORIZATION "Owner Role";
CREATE TABLE "App Schema"."Items" (id int PRIMARY KEY, name text, secret text);
ALTER TABLE "App Schema"."Items" OWNER TO "Owner Role";
INSERT INTO "App Schema"."Items" VALUES (1, 'one', 's1'), (2, 'two', 's2');
CREATE TABLE public.quoted (id int);
ALTER TABLE public.quoted OWNER TO "o'quote""dq";
CREATE TABLE public."Ünï" (id int);
ALTER TABLE public."Ünï" OWNER TO "ÜnicodeRôle";
CREATE SEQUENCE public.lower_seq;
ALTER SEQUENCE public.lower_seq OWNER TO lower_owner;
CREATE VIEW public.item_names AS SELECT id, name FROM "App Schema"."Items";
ALTER VIEW public.item_names OWNER TO lower_owner;
GRANT USAGE ON SCHEMA "App Schema" TO "Grantee Role", col_reader, "Policy Role", "Grant Option Holder";
GRANT SELECT ON "App Schema"."Items" TO "Grantee Role";
GRANT SELECT (id, name), UPDATE (name) ON "App Schema"."Items" TO col_reader;
GRANT SELECT ON "App Schema"."Items" TO "Grant Option Holder" WITH GRANT OPTION;
SET ROLE "Grant Option Holder";
GRANT SELECT ON "App Schema"."Items" TO def_grantee;
RESET ROLE;
GRANT SELECT, INSERT ON public.quoted TO "ÜnicodeRôle", "Grantee Role";
REVOKE ALL ON public.item_names FROM PUBLIC;
GRANT SELECT ON public.item_names TO "o'quote""dq";
ALTER DEFAULT PRIVILEGES FOR ROLE "Owner Role" IN SCHEMA "App Schema" GRANT SELECT ON TABLES TO def_grantee;
ALTER DEFAULT PRIVILEGES FOR ROLE lower_owner GRANT EXECUTE ON FUNCTIONS TO "Grantee Role";
ALTER DEFAULT PRIVILEGES FOR ROLE "ÜnicodeRôle" REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER TABLE "App Schema"."Items" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "p items" ON "App Schema"."Items" FOR SELECT TO "Policy Role", "Grantee Role" USING (id > 0);
CREATE POLICY p_all ON public.quoted USING (true);
CREATE FUNCTION public.as_target() RETURNS text LANGUAGE sql
    SET role TO 'SetRole Target' AS $$ SELECT current_user::text $$;
ALTER FUNCTION public.as_target() OWNER TO lower_owner;
REVOKE ALL ON FUNCTION public.as_target() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.as_target() TO "Policy Role";
CREATE FOREIGN DATA WRAPPER dummy_fdw;
CREATE SERVER srv FOREIGN DATA WRAPPER dummy_fdw;
ALTER SERVER srv OWNER TO "Owner Role";
CREATE USER MAPPING FOR mapping_user SERVER srv OPTIONS (user 'remote');
CREATE USER MAPPING FOR PUBLIC SERVER srv;
SELECT pg_catalog.lo_create(4242);
ALTER LARGE OBJECT 4242 OWNER TO lo_owner;
GRANT SELECT ON LARGE OBJECT 4242 TO "Grantee Role";
ALTER ROLE "Grantee Role" IN DATABASE src SET work_mem = '8MB';
SQL
)

# What must come out of a restore the same as it went in (names, not OIDs).
CATALOG_SQL=$(cat <<'SQL'
-- ACL arrays and policy role lists are compared as sorted sets: their order carries no meaning
SELECT 'rel', n.nspname, c.relname, c.relkind, pg_get_userbyid(c.relowner),
       (SELECT string_agg(a::text, ' ' ORDER BY a::text) FROM unnest(c.relacl) a)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname !~ '^pg_temp'
 ORDER BY 2, 3;
SELECT 'nsp', nspname, pg_get_userbyid(nspowner),
       (SELECT string_agg(a::text, ' ' ORDER BY a::text) FROM unnest(nspacl) a)
  FROM pg_namespace WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema' ORDER BY 2;
SELECT 'col', attrelid::regclass::text, attname,
       (SELECT string_agg(a::text, ' ' ORDER BY a::text) FROM unnest(attacl) a)
  FROM pg_attribute WHERE attacl IS NOT NULL AND attrelid >= 16384 ORDER BY 2, 3;
SELECT 'proc', p.proname, pg_get_userbyid(p.proowner),
       (SELECT string_agg(a::text, ' ' ORDER BY a::text) FROM unnest(p.proacl) a),
       p.proconfig::text
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 2;
SELECT 'defacl', pg_get_userbyid(defaclrole), coalesce(defaclnamespace::regnamespace::text, '-'),
       defaclobjtype, (SELECT string_agg(a::text, ' ' ORDER BY a::text) FROM unnest(defaclacl) a)
  FROM pg_default_acl ORDER BY 2, 3, 4;
SELECT 'policy', polrelid::regclass::text, polname,
       (SELECT string_agg(x, ',' ORDER BY x)
          FROM (SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(r) END AS x
                  FROM unnest(polroles) r) q)
  FROM pg_policy ORDER BY 2, 3;
SELECT 'lo', oid, pg_get_userbyid(lomowner),
       (SELECT string_agg(a::text, ' ' ORDER BY a::text) FROM unnest(lomacl) a)
  FROM pg_largeobject_metadata ORDER BY 2;
SELECT 'fdw', fdwname, pg_get_userbyid(fdwowner) FROM pg_foreign_data_wrapper ORDER BY 2;
SELECT 'server', srvname, pg_get_userbyid(srvowner),
       (SELECT string_agg(a::text, ' ' ORDER BY a::text) FROM unnest(srvacl) a)
  FROM pg_foreign_server ORDER BY 2;
SELECT 'umap', srvname, usename, umoptions::text FROM pg_user_mappings ORDER BY 2, 3;
SQL
)

setup_source() {
    local err=$WORK/source.err
    if printf '%s\n' "$SOURCE_SQL" | live_psql -d postgres -f - >/dev/null 2>"$err" &&
        [ ! -s "$err" ]; then
        pass "source: roles and objects are created without errors or warnings"
    else
        abort "source: roles and objects are created without errors or warnings" "$err"
    fi
    # the grant by a non-owner makes pg_dump write SET SESSION AUTHORIZATION around it
    psql_src -At -c "SELECT relacl::text FROM pg_class WHERE relname = 'Items'" >"$WORK/acl" 2>&1
    check "source: a grantor that is not the owner" "$WORK/acl" \
        grep -qF 'def_grantee=r/\"Grant Option Holder\"' "$WORK/acl"
    psql_src -At -f - <<<"$CATALOG_SQL" >"$WORK/source.catalog" 2>"$err"
    check "source: catalog snapshot" "$err" test -s "$WORK/source.catalog" -a ! -s "$err"
}

# name|pg_dump options|restore with
DUMPS="
custom.dump|-Fc|pg_restore
dir|-Fd|pg_restore
tar.tar|-Ft|pg_restore
plain.sql|-Fp|psql
plain.sql.gz|-Fp -Z5|psql
"

make_dumps() {
    local line name opts err
    while IFS='|' read -r name opts _; do
        [ -n "$name" ] || continue
        err=$WORK/$name.dump.err
        # shellcheck disable=SC2086
        if "$PG_BINDIR/pg_dump" $opts -f "$WORK/$name" "$SRC" 2>"$err" && [ ! -s "$err" ]; then
            pass "pg_dump $opts writes $name"
        else
            fail "pg_dump $opts writes $name" "$err"
        fi
    done <<<"$DUMPS"
    if "$PG_BINDIR/pg_dumpall" --roles-only -h "$PGHOST" -p "$PGPORT" \
        -f "$WORK/source-roles.sql" 2>"$WORK/dumpall.err" && [ ! -s "$WORK/dumpall.err" ]; then
        pass "pg_dumpall --roles-only of the source"
    else
        fail "pg_dumpall --roles-only of the source" "$WORK/dumpall.err"
    fi
    gzip -c "$WORK/source-roles.sql" >"$WORK/source-roles.sql.gz"
    grep -q 'SET SESSION AUTHORIZATION "Grant Option Holder"' "$WORK/plain.sql"
    check "the plain dump sets the grantor's session authorization" "$WORK/plain.sql" test $? = 0
}

# ---------------------------------------------------------------------------------------------
# the target
# ---------------------------------------------------------------------------------------------

# An empty target database in a cluster without the source's roles.
reset_target() {
    local err=$WORK/reset.err
    {
        PGOPTIONS='-c client_min_messages=warning' \
            live_psql -d "$TGT_ADMIN" -c "DROP DATABASE IF EXISTS target" &&
            live_psql -d "$TGT_ADMIN" -At -c \
                "SELECT format('DROP ROLE %I;', rolname) FROM pg_roles
                  WHERE rolname !~ '^pg_' AND rolname <> 'postgres'" >"$WORK/drops.sql" &&
            live_psql -d "$TGT_ADMIN" -f "$WORK/drops.sql" &&
            live_psql -d "$TGT_ADMIN" -c "CREATE DATABASE target TEMPLATE template0"
    } >/dev/null 2>"$err"
    [ $? -eq 0 ] && [ ! -s "$err" ] && return 0
    abort "target reset" "$err"
}

# run_dr OUT ERR ARGS...: dumproles with a time limit; sets RC.
run_dr() {
    local out=$1 err=$2
    shift 2
    timeout "$TIMEOUT" "$DUMPROLES" "$@" >"$out" 2>"$err"
    RC=$?
}

# expect_missing CASE RC-WANTED WANTED-NAMES ARGS...: --names lists exactly those, exit status.
expect_missing() {
    local case=$1 want_rc=$2 want=$3 out=$WORK/names.out err=$WORK/names.err diff=$WORK/names.diff
    shift 3
    run_dr "$out" "$err" --names "$@"
    if [ "$RC" -ne "$want_rc" ]; then
        { echo "exit status $RC, wanted $want_rc"; cat "$err"; } >"$diff"
        fail "$case" "$diff"
    elif ! diff -u --label wanted --label dumproles <(printf '%s\n' "$want" | sed '/^$/d') \
        <(sort "$out") >"$diff"; then
        fail "$case" "$diff"
    else
        pass "$case"
    fi
}

# run_create_script CASE FILE: twice, each without an error (ON_ERROR_STOP) or a warning.
run_create_script() {
    local case=$1 file=$2 err=$WORK/create.err n
    for n in 1 2; do
        if ! live_psql -d "$TGT" -f "$file" >/dev/null 2>"$err" || [ -s "$err" ]; then
            fail "$case: the --create script runs (run $n)" "$err"
            return 1
        fi
    done
    pass "$case: the --create script runs twice without errors"
}

restore() {
    local name=$1 how=$2 err=$WORK/restore.err rc
    case $how in
    pg_restore) "$PG_BINDIR/pg_restore" --exit-on-error -d "$TGT" "$WORK/$name" 2>"$err" ;;
    psql)
        if [[ $name == *.gz ]]; then
            gzip -dc "$WORK/$name" | live_psql -d "$TGT" -f - >/dev/null 2>"$err"
        else
            live_psql -d "$TGT" -f "$WORK/$name" >/dev/null 2>"$err"
        fi ;;
    esac
    rc=$?
    if [ $rc -eq 0 ] && ! grep -qi 'error' "$err"; then
        pass "$name: restore completes with zero errors ($how)"
    else
        echo "exit status $rc" >>"$err"
        fail "$name: restore completes with zero errors ($how)" "$err"
    fi
}

compare_catalogs() {
    local name=$1 diff=$WORK/catalog.diff
    psql_tgt -At -f - <<<"$CATALOG_SQL" >"$WORK/target.catalog" 2>"$diff"
    if diff -u --label source --label target "$WORK/source.catalog" "$WORK/target.catalog" \
        >>"$diff"; then
        pass "$name: every object has its original owner and grants (catalogs equal)"
    else
        fail "$name: every object has its original owner and grants (catalogs equal)" "$diff"
    fi
}

# The whole cycle for one dump, with -d as the target (and --globals for memberships).
cycle() {
    local name=$1 how=$2 with_globals=$3 dump=$WORK/$1 label=$1 create=$WORK/create.sql
    local -a extra=()
    if [ "$with_globals" = yes ]; then
        extra=(--globals "$WORK/source-roles.sql")
        label="$name (-d with --globals)"
    fi
    reset_target
    expect_missing "$label: dumproles -d lists exactly the absent roles, exit 1" 1 \
        "$EXPECTED_MISSING" -d "$TGT" "${extra[@]}" "$dump"
    run_dr "$create" "$WORK/create.err" -d "$TGT" "${extra[@]}" --create "$dump"
    check "$label: dumproles --create exits 1 (roles missing)" "$WORK/create.err" test "$RC" = 1
    run_create_script "$label" "$create"
    expect_missing "$label: after the script dumproles -d finds nothing missing, exit 0" 0 "" \
        -d "$TGT" "$dump"
    restore "$name" "$how"
    compare_catalogs "$label"
    run_dr "$WORK/after.out" "$WORK/after.err" -d "$TGT" "$dump"
    check "$label: dumproles -d exits 0 after the restore" "$WORK/after.err" test "$RC" = 0
}

check_memberships() {
    local out=$WORK/members.out
    psql_tgt -At -c "SELECT r.rolname || ' > ' || u.rolname || ' ' || m.admin_option
        FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
        JOIN pg_roles u ON u.oid = m.member WHERE r.rolname !~ '^pg_' ORDER BY 1" >"$out" 2>&1
    # member_only is in no object of the dump: it is not created, so neither is its membership
    check "--create with --globals grants the memberships among the roles it creates" "$out" \
        diff -u <(printf '%s\n' 'Policy Role > Grantee Role false' \
            'col_reader > Owner Role true') "$out"
}

check_globals() {
    local dump=$WORK/custom.dump
    reset_target
    expect_missing "--globals (source roles): nothing missing, exit 0" 0 "" \
        --globals "$WORK/source-roles.sql" "$dump"
    expect_missing "--globals (gzip-compressed): nothing missing, exit 0" 0 "" \
        --globals "$WORK/source-roles.sql.gz" "$dump"
    "$PG_BINDIR/pg_dumpall" --roles-only -h "$LIVE_EXTRA_HOST" -p "$LIVE_EXTRA_PORT" \
        -f "$WORK/target-roles.sql" 2>/dev/null
    expect_missing "--globals (bare target roles): the absent roles, exit 1" 1 \
        "$EXPECTED_MISSING" --globals "$WORK/target-roles.sql" "$dump"
    expect_missing "--globals with the plain dump: the absent roles, exit 1" 1 \
        "$EXPECTED_MISSING" --globals "$WORK/target-roles.sql" "$WORK/plain.sql"
}

check_details() {
    local out=$WORK/objects.out err=$WORK/objects.err
    run_dr "$out" "$err" --objects "Grant Option Holder" "$WORK/plain.sql"
    check "plain: the grantor in SET SESSION AUTHORIZATION is found (--objects)" "$out" \
        grep -q 'ACL App Schema TABLE "Items" Owner Role.*grantor' "$out"
    run_dr "$out" "$err" --objects "SetRole Target" "$WORK/custom.dump"
    check "custom: SET role in a function's settings is found (--objects)" "$out" \
        grep -q 'FUNCTION public as_target() lower_owner.*setting-value' "$out"
    run_dr "$out" "$err" --objects mapping_user "$WORK/tar.tar"
    check "tar: the user mapping is found (--objects)" "$out" \
        grep -q 'USER MAPPING.*user-mapping' "$out"
    # a bare database name, the server from PGHOST and PGPORT
    # (check_globals left the target without the roles)
    PGHOST=$LIVE_EXTRA_HOST PGPORT=$LIVE_EXTRA_PORT run_dr "$out" "$err" --names -d target \
        "$WORK/custom.dump"
    check "-d DBNAME honours PGHOST and PGPORT" "$err" \
        test "$RC" = 1 -a "$(sort "$out")" = "$EXPECTED_MISSING"
    run_dr "$out" "$err" -d "host=$LIVE_TMP/nonexistent port=1 dbname=x" "$WORK/custom.dump"
    check "-d to a cluster that is not there: exit 3 with libpq's message" "$err" \
        test "$RC" = 3 -a -n "$(grep 'could not connect' "$err")"
}

# The control: without the roles, the restore fails the way the issue describes.
check_failure_without_roles() {
    local err=$WORK/control.err
    reset_target
    if "$PG_BINDIR/pg_restore" --exit-on-error -d "$TGT" "$WORK/custom.dump" 2>"$err"; then
        fail "control: without the roles pg_restore fails (role ... does not exist)" "$err"
    else
        check "control: without the roles pg_restore fails (role ... does not exist)" "$err" \
            grep -q 'role ".*" does not exist' "$err"
    fi
}

# ---------------------------------------------------------------------------------------------

setup_source
make_dumps
check_failure_without_roles
while IFS='|' read -r name _ how; do
    [ -n "$name" ] || continue
    cycle "$name" "$how" no
done <<<"$DUMPS"
cycle custom.dump pg_restore yes
check_memberships
cycle plain.sql psql yes
check_memberships
check_globals
check_details
summary
[ "$FAILED" -eq 0 ]
