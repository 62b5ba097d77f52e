#!/usr/bin/env bash
# tests/live/dumpconvert.sh — dumpconvert's archives restored for real into a throwaway
# PostgreSQL 15 cluster (tests/live/lib.sh).  The database is the corpus database
# (corpus/sample-roles.sql, corpus/sample-db.sql).  Cases:
#   * a pipe-written custom dump (`pg_dump -Fc | cat`, no data offsets) converted by dumpconvert
#     has offsets; `pg_restore -j 2 -d` of it exits 0 with nothing on stderr, and pg_dump of the
#     result equals pg_dump of the source (what pg_restore -j 2 does with the pipe-written one is
#     printed);
#   * downgrade for real: the corpus's pg_dump 18 archives of this database (custom lz4,
#     directory zstd; made from a 15.18 server) converted with --pg-restore-version 15 restore
#     with pg_restore 15 into an empty database whose pg_dump equals pg_dump of the database
#     loaded from sample-db.sql; the one error allowed is pg_dump 18's MAINTAIN grant, SQL a 15
#     server lacks (the SQL text is never rewritten);
#   * downgrade from pg_dump 17 for real: the same database on the PostgreSQL 15 cluster dumped
#     by pg_dump 17 (bench/pg17.sh's trixie chroot, the socket directory bind-mounted) in custom
#     lz4 and directory zstd (archive 1.16), converted with --pg-restore-version 15, restores
#     with pg_restore 15 into an empty database with exit 0 and nothing on stderr, and pg_dump of
#     it equals pg_dump of the source; a visible SKIP (with the reason) without the chroot;
#   * sub-archives: `dumpconvert -t T` of the dump restores into an empty database with exit 0,
#     nothing on stderr, and T's rows equal the source's.
# One line per case, then "N passed, N failed".  Prints what pg_restore 15 -j 2 did with the
# pipe-written file itself (it scans forward: it works, from a file).  Needs root (or the postgres user); else skips.
# Environment: DUMPCONVERT (default tools/dumpconvert), PG_BINDIR, DF_CORPUS.

set -u
cd "$(dirname "$0")/../.." || exit 3
# shellcheck source=tests/live/lib.sh
. tests/live/lib.sh
# shellcheck source=tests/harness.sh
. tests/harness.sh

DUMPCONVERT=${DUMPCONVERT:-tools/dumpconvert}
DUMPCHECK=${DUMPCHECK:-tools/dumpcheck}
CORPUS=${DF_CORPUS:-corpus}
export TZ=UTC LC_ALL=C

live_begin
PG=$PG_BINDIR
restore_ok() { # NAME DB ARGS...: pg_restore exits 0 with nothing on stderr
    local name=$1 db=$2
    shift 2
    "$PG/createdb" -T template0 -E UTF8 --locale=C "$db" || return 1
    "$PG/pg_restore" -d "$db" "$@" >/dev/null 2>"$W/$db.err"
    check "$name: pg_restore exit 0, no errors" $(($? != 0 || $(wc -c <"$W/$db.err") != 0)) \
        "$(head -5 "$W/$db.err")"
}

"$PG/createdb" -T template0 -E UTF8 --locale=C sample
live_psql -d postgres -f "$CORPUS/sample-roles.sql" >/dev/null 2>"$W/roles.err"
live_psql -d sample -f "$CORPUS/sample-db.sql" >/dev/null 2>"$W/load.err"
check "sample database loads" $? "$(head -3 "$W/load.err")"
live_dump_of sample >"$W/source.sql"

# ---- pipe-written dump -> offsets -> parallel restore
"$PG/pg_dump" -Fc sample | cat >"$W/pipe.dump"
"$DUMPCONVERT" -q "$W/pipe.dump" -o "$W/conv.dump"
check "pipe-written dump converted" $?
"$DUMPCHECK" --quick "$W/conv.dump" 2>&1 | grep -q no-data-offsets
check "converted dump has data offsets" $(($? == 0))
"$PG/createdb" -T template0 -E UTF8 --locale=C pipej2
"$PG/pg_restore" -j 2 -d pipej2 "$W/pipe.dump" >/dev/null 2>"$W/pipej2.err"
echo "# pg_restore -j 2 of the pipe-written dump: exit $? $(head -c 300 "$W/pipej2.err" | tr '\n' ' ')"
restore_ok "converted, -j 2" convj2 -j 2 "$W/conv.dump"
diff "$W/source.sql" <(live_dump_of convj2) >"$W/d1"
check "converted, -j 2: pg_dump equals the source's" $? "$(head -5 "$W/d1")"

# ---- downgrade of pg_dump 18 archives for pg_restore 15
# pg_dump 18 wrote one ACL with the MAINTAIN privilege (PostgreSQL 17+) for audit.events: SQL a
# 15 server lacks, which dumpconvert never rewrites (dumprestore's preflight reports it).  That
# one failed statement is the only error allowed, and its ACL block the only pg_dump difference.
no_events_acl() { awk '/^-- Name: TABLE events; Type: ACL; Schema: audit;/ { skip = 1 }
    skip && /^-- Name: / && !/TABLE events; Type: ACL; Schema: audit;/ { skip = 0 } !skip'; }
for a in sample.custom.lz4.dump sample.dir.zstd; do
    db=down_${a//./_}
    out=$W/$db.dump
    "$DUMPCONVERT" -q --pg-restore-version 15 "$CORPUS/pg18/$a" -o "$out"
    check "$a: --pg-restore-version 15" $?
    "$PG/createdb" -T template0 -E UTF8 --locale=C "$db"
    "$PG/pg_restore" -d "$db" "$out" >/dev/null 2>"$W/$db.err"
    errs=$(grep -c 'error: could not execute query' "$W/$db.err")
    maint=$(grep -c 'unrecognized privilege type "maintain"' "$W/$db.err")
    check "$a downgraded: pg_restore 15 restores, the MAINTAIN grant the only error" \
        $((errs != 1 || maint != 1)) "$(head -5 "$W/$db.err")"
    diff <(no_events_acl <"$W/source.sql") <(live_dump_of "$db" | no_events_acl) >"$W/d2"
    check "$a downgraded: pg_dump equals the source's (that ACL aside)" $? "$(head -5 "$W/d2")"
done

# ---- downgrade of pg_dump 17 archives of this very server, for pg_restore 15
PG17_WHY=$(live_pg17_why)
pg_dump17() { BENCH_DIR=${BENCH_DIR:-/work/benchdata} bash bench/pg17.sh run pg_dump "$@"; }
for spec in "c lz4 custom.lz4.dump" "d zstd dir.zstd"; do
    read -r F Z name <<<"$spec"
    if [ -n "$PG17_WHY" ]; then
        ok "pg_dump 17 -F$F -Z $Z, downgraded, restored by pg_restore 15 # SKIP $PG17_WHY"
        continue
    fi
    db=down17_${Z}
    pg_dump17 -F"$F" -Z "$Z" -f "$W/pg17.$name" sample 2>"$W/pg17.$Z.err"
    check "pg_dump 17 -F$F -Z $Z of the 15 server" $? "$(head -3 "$W/pg17.$Z.err")"
    v=$(tools/dumpls --json "$W/pg17.$name" 2>/dev/null | grep -o '"archive_version": *"[0-9.]*' |
        grep -o '[0-9.]*$')
    "$PG/pg_restore" -l "$W/pg17.$name" >/dev/null 2>&1
    check "pg17.$name: archive ${v:-?}, which pg_restore 15 refuses" $(($? == 0))
    "$DUMPCONVERT" -q --pg-restore-version 15 "$W/pg17.$name" -o "$W/$db.dump" 2>"$W/$db.cerr"
    check "pg17.$name: --pg-restore-version 15" $? "$(head -3 "$W/$db.cerr")"
    restore_ok "pg17.$name downgraded, pg_restore 15" "$db" "$W/$db.dump"
    diff "$W/source.sql" <(live_dump_of "$db") >"$W/d3"
    check "pg17.$name downgraded: pg_dump equals the source's" $? "$(head -5 "$W/d3")"
done

# ---- sub-archives
for t in customers order_items orders products; do
    "$DUMPCONVERT" -q -t "$t" "$W/conv.dump" -o "$W/sub_$t.dump"
    check "-t $t: written" $?
    restore_ok "-t $t" "sub_$t" "$W/sub_$t.dump"
    rel=$(live_psql -At -d sample -c "SELECT quote_ident(schemaname) || '.' || quote_ident(relname)
        FROM pg_stat_user_tables WHERE relname = '$t' LIMIT 1")
    s1=$(live_psql -At -d sample -c "SELECT count(*) FROM $rel")
    s2=$(live_psql -At -d "sub_$t" -c "SELECT count(*) FROM $rel" 2>&1)
    check "-t $t: rows equal ($s1)" $(([ "$s1" = "$s2" ] && [ -n "$s1" ]) && echo 0 || echo 1) "source $s1, restored $s2"
done

harness_finish
