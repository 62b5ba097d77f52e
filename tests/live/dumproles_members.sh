#!/usr/bin/env bash
# tests/live/dumproles_members.sh — dumproles and the restores of issue 10 against two real
# PostgreSQL 15 clusters: role memberships, roles only some pg_restore options need, and
# "Owner:" comments of data-only scripts.
#
# The source has roles tab_owner, mv_owner (a member of tab_owner), db_owner (owns the database
# only) and mv_reader (LOGIN, CONNECTION LIMIT 5); a table owned by tab_owner that only
# tab_owner may read, and a materialized view owned by mv_owner that reads it.  The target
# first gets the roles from `dumproles --create` without --globals (NOLOGIN, no membership):
#   pg_restore fails at REFRESH MATERIALIZED VIEW (permission denied)        the failure
#   dumproles -d TARGET --globals SOURCE-ROLES reports the membership, exit 1
#   its --create script grants it (twice, cleanly); pg_restore then restores with zero errors
#   and the view holds the rows; dumproles exits 0
#   --create copies the attributes of the globals script (LOGIN, CONNECTION LIMIT)
# Differential checks against pg_restore's own output (comments stripped):
#   a role marked only-with create / session-authorization appears only with -C /
#   --use-set-session-authorization; an unmarked one appears without options
#   the roles of a data-only plain script are exactly those its statements name
#
# One line per case ("ok - NAME" / "not ok - NAME" plus details), then "N passed, N failed".
# Needs root (to become the postgres OS user) or to be run as postgres; otherwise it skips.
# Environment: DUMPROLES (default tools/dumproles), PG_BINDIR, LIVE_KEEP=1.

set -u
cd "$(dirname "$0")/../.." || exit 3
# shellcheck source=tests/live/lib.sh
. tests/live/lib.sh
# shellcheck source=tests/harness.sh
. tests/harness.sh

DUMPROLES=${DUMPROLES:-tools/dumproles}
export LC_ALL=C
FINISHED=0

live_on_exit() {
    if [ "$FINISHED" = 0 ]; then
        not_ok "run ended early"
        harness_finish
    fi
}

# fail_with NAME FILE: a failure explained by the first lines of FILE.
fail_with() {
    local name=$1 file=$2 lines=()
    mapfile -t lines < <(head -n 20 -- "$file" 2>/dev/null)
    not_ok "$name" "${lines[@]}"
}

if ! live_can_run; then
    echo "live: skipped (needs root or the postgres user)"
    echo "0 passed, 0 failed"
    exit 0
fi
if [ ! -x "$DUMPROLES" ]; then
    not_ok "$DUMPROLES is built"
    harness_finish
    exit 1
fi

ERR=$(mktemp "${TMPDIR:-/tmp}/dumproles-members.XXXXXX") || exit 3
if ! live_start 2>"$ERR" || ! live_start_extra target 2>"$ERR"; then
    fail_with "clusters start" "$ERR"
    rm -f -- "$ERR"
    FINISHED=1
    harness_finish
    exit 1
fi
rm -f -- "$ERR"
ok "clusters start"
SRC="host=$PGHOST port=$PGPORT dbname=src"
TGT="host=$LIVE_EXTRA_HOST port=$LIVE_EXTRA_PORT dbname=target"
TGT_ADMIN="host=$LIVE_EXTRA_HOST port=$LIVE_EXTRA_PORT dbname=postgres"
W=$LIVE_TMP/work
mkdir -p "$W"
chmod 0777 "$W"
cp -- "$DUMPROLES" "$W/dumproles" && DUMPROLES=$W/dumproles
RC=0

# dr OUT ERR ARGS...: run dumproles, RC its exit status.
dr() {
    local out=$1 err=$2
    shift 2
    timeout 120 "$DUMPROLES" "$@" >"$out" 2>"$err"
    RC=$?
}

# ---------------------------------------------------------------------------------------------
# the source, its dumps and its roles

live_psql -d postgres >"$W/setup.log" 2>&1 <<'SQL' || fail_with "source set up" "$W/setup.log"
CREATE ROLE tab_owner NOLOGIN;
CREATE ROLE mv_owner NOLOGIN;
CREATE ROLE db_owner NOLOGIN;
CREATE ROLE mv_reader LOGIN CONNECTION LIMIT 5;
GRANT tab_owner TO mv_owner;
CREATE DATABASE src OWNER db_owner;
\connect src
CREATE TABLE public.t (x int);
INSERT INTO public.t VALUES (1), (2), (3);
ALTER TABLE public.t OWNER TO tab_owner;
CREATE MATERIALIZED VIEW public.mv AS SELECT x FROM public.t;
ALTER MATERIALIZED VIEW public.mv OWNER TO mv_owner;
GRANT SELECT ON public.mv TO mv_reader;
SQL
if "$PG_BINDIR/pg_dump" -Fc -f "$W/full.dump" "$SRC" 2>"$W/dump.err" &&
    "$PG_BINDIR/pg_dump" -Fc -a -f "$W/data.dump" "$SRC" 2>>"$W/dump.err" &&
    "$PG_BINDIR/pg_dump" -Fp -a -f "$W/data.sql" "$SRC" 2>>"$W/dump.err" &&
    "$PG_BINDIR/pg_dumpall" --roles-only -h "$PGHOST" -p "$PGPORT" -f "$W/roles.sql" \
        2>>"$W/dump.err"; then
    ok "source dumped (custom, custom data-only, plain data-only, pg_dumpall --roles-only)"
else
    fail_with "source dumped" "$W/dump.err"
fi

# ---------------------------------------------------------------------------------------------
# (c) the membership the target lacks

live_psql -d "$TGT_ADMIN" -c "CREATE DATABASE target" >"$W/t.log" 2>&1
dr "$W/old.sql" "$W/old.err" -d "$TGT" --create "$W/full.dump"
live_psql -d "$TGT" -f "$W/old.sql" >"$W/old.log" 2>&1
dr "$W/out" "$W/err" -d "$TGT" "$W/full.dump"
if [ "$RC" = 0 ]; then
    ok "without --globals: the roles exist, exit 0 (the report of the issue)"
else
    fail_with "without --globals: the roles exist, exit 0 (exit $RC)" "$W/err"
fi
if "$PG_BINDIR/pg_restore" --exit-on-error -d "$TGT" "$W/full.dump" 2>"$W/restore0.err"; then
    not_ok "control: without the membership pg_restore fails" "it succeeded"
elif grep -q 'REFRESH MATERIALIZED VIEW' "$W/restore0.err" &&
    grep -q 'permission denied for table t' "$W/restore0.err"; then
    ok "control: without the membership pg_restore fails (REFRESH ...: permission denied)"
else
    fail_with "control: without the membership pg_restore fails at REFRESH" "$W/restore0.err"
fi

dr "$W/out" "$W/err" -d "$TGT" --globals "$W/roles.sql" "$W/full.dump"
if [ "$RC" = 1 ] && [ ! -s "$W/out" ] &&
    grep -q '^dumproles: role "mv_owner" is not a member of role "tab_owner" in the cluster' \
        "$W/err"; then
    ok "-d with --globals: the missing membership is reported, exit 1"
else
    fail_with "-d with --globals: the missing membership is reported, exit 1 (exit $RC)" "$W/err"
fi
dr "$W/out" "$W/err" -d "$TGT" --globals "$W/roles.sql" --json "$W/full.dump"
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
p = [x for x in d["problems"] if x["problem"] == "missing-membership"]
sys.exit(0 if len(p) == 1 and p[0]["role"] == "mv_owner" and d["missing"] == [] else 1)
' "$W/out"; then
    ok "--json: one missing-membership problem"
else
    fail_with "--json: one missing-membership problem" "$W/out"
fi

dr "$W/create.sql" "$W/create.err" -d "$TGT" --globals "$W/roles.sql" --create "$W/full.dump"
if [ "$RC" = 1 ] && grep -q 'GRANT tab_owner TO mv_owner;' "$W/create.sql" &&
    live_psql -d "$TGT" -f "$W/create.sql" >"$W/c1.log" 2>&1 &&
    live_psql -d "$TGT" -f "$W/create.sql" >"$W/c2.log" 2>&1; then
    ok "--create grants the membership; the script runs twice cleanly"
else
    fail_with "--create grants the membership; the script runs twice cleanly" "$W/create.sql"
fi
live_psql -d "$TGT_ADMIN" -c "DROP DATABASE target" -c "CREATE DATABASE target" >"$W/t.log" 2>&1
if "$PG_BINDIR/pg_restore" --exit-on-error -d "$TGT" "$W/full.dump" 2>"$W/restore1.err" &&
    [ ! -s "$W/restore1.err" ] &&
    [ "$(live_psql -d "$TGT" -At -c 'SELECT count(*) FROM public.mv')" = 3 ]; then
    ok "after the script pg_restore restores with zero errors; REFRESH filled the view"
else
    fail_with "after the script pg_restore restores with zero errors" "$W/restore1.err"
fi
dr "$W/out" "$W/err" -d "$TGT" --globals "$W/roles.sql" "$W/full.dump"
if [ "$RC" = 0 ]; then ok "then dumproles -d --globals exits 0"; else
    fail_with "then dumproles -d --globals exits 0 (exit $RC)" "$W/err"
fi

# --create copies the attributes of the globals script
live_psql -d "$TGT_ADMIN" -c "DROP DATABASE target" -c "DROP ROLE mv_reader" >"$W/t.log" 2>&1
dr "$W/attr.sql" "$W/attr.err" -d "$TGT_ADMIN" --globals "$W/roles.sql" --create "$W/full.dump"
live_psql -d "$TGT_ADMIN" -f "$W/attr.sql" >"$W/attr.log" 2>&1
got=$(live_psql -d "$TGT_ADMIN" -At -c \
    "SELECT rolcanlogin, rolconnlimit FROM pg_roles WHERE rolname = 'mv_reader'")
if [ "$got" = "t|5" ]; then
    ok "--create with --globals copies LOGIN and CONNECTION LIMIT"
else
    not_ok "--create with --globals copies LOGIN and CONNECTION LIMIT" "got \"$got\"" \
        "$(grep -i 'mv_reader' "$W/attr.sql")"
fi

# ---------------------------------------------------------------------------------------------
# (b) roles only some pg_restore options need, against pg_restore's own output

# restore_text DUMP OPTIONS...: the statements pg_restore would run (comments stripped).
restore_text() {
    local dump=$1
    shift
    "$PG_BINDIR/pg_restore" "$@" -f - "$dump" 2>/dev/null | grep -v '^--'
}

# check_only_with DUMP: each role's only_with agrees with where pg_restore names it.
check_only_with() {
    local dump=$1 name role="" only="" plain=0 create=0 sess=0 bad=0
    name=$(basename "$dump")
    restore_text "$dump" >"$W/r.none"
    restore_text "$dump" -C >"$W/r.create"
    restore_text "$dump" --use-set-session-authorization >"$W/r.sess"
    dr "$W/j" "$W/err" --json "$dump"
    python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["roles"]:
    print(r["name"] + "\t" + ",".join(r["only_with"]))
' "$W/j" >"$W/only" 2>"$W/err" && [ -s "$W/only" ] || bad=1
    while IFS=$'\t' read -r role only; do
        plain=0 create=0 sess=0
        grep -qF -- "$role" "$W/r.none" && plain=1
        grep -qF -- "$role" "$W/r.create" && create=1
        grep -qF -- "$role" "$W/r.sess" && sess=1
        case "$only" in
        "") [ "$plain" = 1 ] || bad=1 ;;
        create) [ "$plain$create" = 01 ] || bad=1 ;;
        session-authorization) [ "$plain$sess" = 01 ] || bad=1 ;;
        *) [ "$plain" = 0 ] || bad=1 ;;
        esac
        [ "$bad" = 1 ] && break
    done <"$W/only"
    if [ "$bad" = 0 ]; then
        ok "$name: only_with of every role agrees with pg_restore's output"
    else
        not_ok "$name: only_with agrees with pg_restore's output" \
            "role $role only_with \"$only\": without options $plain, -C $create, " \
            "--use-set-session-authorization $sess"
    fi
}
check_only_with "$W/full.dump"
check_only_with "$W/data.dump"
dr "$W/j" "$W/err" --json "$W/full.dump"
db_only=$(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["roles"]:
    if r["name"] == "db_owner":
        print(",".join(r["only_with"]))
' "$W/j")
dr "$W/out" "$W/err" "$W/data.dump"
if [ "$db_only" = create ] &&
    grep -q $'^tab_owner\t.*only-with=session-authorization$' "$W/out"; then
    ok "db_owner is marked only-with create, tab_owner of a data-only archive session-authorization"
else
    not_ok "db_owner only-with create, tab_owner only-with session-authorization" \
        "db_owner: \"$db_only\"" "$(cat "$W/out")"
fi

dr "$W/out" "$W/err" --create "$W/full.dump"
if grep -A4 '^-- Only pg_restore -C needs the next role\.$' "$W/out" |
    grep -q 'CREATE ROLE db_owner NOLOGIN;'; then
    ok "--create says which role only pg_restore -C needs"
else
    fail_with "--create says which role only pg_restore -C needs" "$W/out"
fi

# ---------------------------------------------------------------------------------------------
# (a) a data-only plain script: the roles its statements name, not its "Owner:" comments

dr "$W/names" "$W/err" --names "$W/data.sql"
grep -v '^--' "$W/data.sql" >"$W/data.stmts"
want=""
for role in tab_owner mv_owner db_owner mv_reader postgres; do
    grep -qF -- "$role" "$W/data.stmts" && want+="$role"$'\n'
done
if [ "$RC" = 0 ] && [ "$(cat "$W/names")" = "$(printf '%s' "$want")" ] &&
    grep -q 'Owner: tab_owner' "$W/data.sql"; then
    ok "data-only plain script: exactly the roles its statements name (none from \"Owner:\")"
else
    not_ok "data-only plain script: exactly the roles its statements name" \
        "exit $RC, got: $(tr '\n' ' ' <"$W/names")" "want: $(printf '%s' "$want" | tr '\n' ' ')"
fi

FINISHED=1
harness_finish
