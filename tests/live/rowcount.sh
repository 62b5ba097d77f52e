#!/usr/bin/env bash
# tests/live/rowcount.sh — row counts of every reading path against the server (issue 10):
# a throwaway PostgreSQL 15 cluster gets one table per COPY line length 1..300 (enough rows
# for well over 16 KiB of data each) and tables of random lengths, tabs and backslashes;
# pg_dump 15 writes it as a plain script (also gzip, lz4 and zstd compressed with the CLI
# tools, and with CR LF line ends), custom, directory and tar archives.  For each, from the
# file and from a pipe where that works:
#   dumpls --long --json: rows of each TABLE DATA == SELECT count(*) of the table
#   dumpcheck --json: rows == the sum of those counts, and no warning or error
# Lines of 1, 3, 7 and 15 bytes once wrapped an 8-bit counter of the plain lexer.
#
# Run by tests/run-all.sh, or alone:  sudo bash tests/live/rowcount.sh
# Needs root (to become the postgres OS user) or to be run as postgres; otherwise it skips.
# Environment: DUMPLS, DUMPCHECK (default tools/...), PG_BINDIR, LIVE_KEEP=1.

set -u
cd "$(dirname "$0")/../.." || exit 3
# shellcheck source=tests/live/lib.sh
. tests/live/lib.sh
# shellcheck source=tests/harness.sh
. tests/harness.sh

DUMPLS=${DUMPLS:-tools/dumpls}
DUMPCHECK=${DUMPCHECK:-tools/dumpcheck}
DB=rowcount
DONE=0

live_on_exit() {
    [ "$DONE" = 1 ] && return
    not_ok "run ended early"
    harness_finish
}

if ! live_can_run; then
    echo "rowcount: skipped (needs root)"
    echo "0 passed, 0 failed"
    exit 0
fi
for tool in "$DUMPLS" "$DUMPCHECK"; do
    [ -x "$tool" ] || { not_ok "$tool is built"; DONE=1; harness_finish; exit 1; }
done

live_install_traps
if ! live_start; then
    not_ok "cluster starts"
    DONE=1
    harness_finish
    exit 1
fi
W=$LIVE_TMP/rc
mkdir -p "$W" && chmod 0777 "$W"

"$PG_BINDIR/createdb" "$DB" 2>"$W/err" || { not_ok "createdb" "$(cat "$W/err")"; DONE=1; harness_finish; exit 1; }
live_psql -d "$DB" >/dev/null 2>"$W/err" <<'EOF'
DO $$
BEGIN
    FOR l IN 1..300 LOOP
        EXECUTE format('CREATE TABLE t%s (v text)', lpad(l::text, 3, '0'));
        EXECUTE format('INSERT INTO t%s SELECT repeat(chr(97 + g %% 26), %s) '
                       'FROM generate_series(1, %s) g',
                       lpad(l::text, 3, '0'), l, 16384 / (l + 1) + 70);
    END LOOP;
END
$$;
SELECT setseed(0.25);
CREATE TABLE mix_len (v text);
INSERT INTO mix_len SELECT repeat('y', 1 + (random() * 299)::int) FROM generate_series(1, 6000);
CREATE TABLE mix_cols (a int, b text, c text);
INSERT INTO mix_cols
    SELECT g, repeat('b', (random() * 40)::int), repeat('c', (random() * 200)::int)
    FROM generate_series(1, 6000) g;
-- backslashes, tabs and newlines in values: COPY escapes them (\\, \t, \n)
CREATE TABLE mix_esc (v text);
INSERT INTO mix_esc
    SELECT repeat(E'a\\', (random() * 5)::int) || repeat(E'\t', (random() * 3)::int)
           || repeat(E'\n', (random() * 2)::int) || repeat('z', (random() * 30)::int)
    FROM generate_series(1, 6000);
CREATE TABLE empty_t (v text);
EOF
[ $? -eq 0 ] || { not_ok "tables load" "$(head -5 "$W/err")"; DONE=1; harness_finish; exit 1; }
ok "tables load"

# The oracle: "public.NAME ROWS" per table, sorted, and their sum.
live_psql -d "$DB" -At -F ' ' >"$W/want" 2>"$W/err" <<'EOF'
SELECT 'public.' || c.relname,
       (xpath('/row/n/text()',
              query_to_xml(format('SELECT count(*) AS n FROM public.%I', c.relname),
                           false, true, '')))[1]::text::bigint
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
ORDER BY 1;
EOF
sort -o "$W/want" "$W/want"
TOTAL=$(awk '{ s += $2 } END { print s }' "$W/want")
[ "$(wc -l <"$W/want")" -eq 304 ] && [ "$TOTAL" -gt 0 ]
check "server counts 304 tables" $? "$(wc -l <"$W/want") tables, $TOTAL rows"

dump() { live_as_pg "$PG_BINDIR/pg_dump" -h "$PGHOST" -p "$PGPORT" -U postgres "$@" "$DB"; }
dump -Fp -f "$W/db.sql" && dump -Fc -f "$W/db.custom" && dump -Fd -f "$W/db.dir" &&
    dump -Ft -f "$W/db.tar" && dump -Fc -Z 0 -f "$W/db.none.custom" 2>"$W/err"
check "pg_dump writes every format" $? "$(head -5 "$W/err")"
gzip -c "$W/db.sql" >"$W/db.sql.gz" && lz4 -q -c "$W/db.sql" >"$W/db.sql.lz4" &&
    zstd -q -c "$W/db.sql" >"$W/db.sql.zst" && sed 's/$/\r/' "$W/db.sql" >"$W/db.crlf.sql"
check "compressed and CR LF copies of the script" $?

# listed NAME SRC...: dumpls --long --json rows per table == the server's
listed() {
    local name=$1
    shift
    "$@" | jq -r '.entries[] | select(.desc == "TABLE DATA") | "\(.schema).\(.tag) \(.rows)"' |
        sort >"$W/got" 2>"$W/err"
    diff "$W/want" "$W/got" >"$W/diff" 2>&1
    check "dumpls rows: $name" $? "$(head -5 "$W/diff")"
}

# checked NAME SRC...: dumpcheck --json total rows == the server's, no warning or error
checked() {
    local name=$1 rows bad
    shift
    "$@" >"$W/check.json" 2>/dev/null
    rows=$(jq '.files[0].rows' "$W/check.json")
    bad=$(jq '.files[0].findings_by_severity | .warning + .error + .unknown' "$W/check.json")
    [ "$rows" = "$TOTAL" ] && [ "$bad" = 0 ]
    check "dumpcheck rows: $name" $? "rows $rows (want $TOTAL), $bad warnings or errors" \
        "$(jq -r '.files[0].findings[] | .code + ": " + .message' "$W/check.json" | head -3)"
}

for f in db.sql db.sql.gz db.sql.lz4 db.sql.zst db.crlf.sql db.custom db.none.custom db.tar; do
    listed "$f" "$DUMPLS" --long --json "$W/$f"
    listed "$f (pipe)" sh -c '"$1" --long --json - <"$2"' sh "$DUMPLS" "$W/$f"
    checked "$f" "$DUMPCHECK" --json --no-pg-restore-check "$W/$f"
    checked "$f (pipe)" sh -c '"$1" --json --no-pg-restore-check - <"$2"' sh "$DUMPCHECK" "$W/$f"
done
listed db.dir "$DUMPLS" --long --json "$W/db.dir"
checked db.dir "$DUMPCHECK" --json --no-pg-restore-check "$W/db.dir"

DONE=1
harness_finish
