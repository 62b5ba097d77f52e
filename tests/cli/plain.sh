#!/bin/bash
# tests/cli/plain.sh — dumpls on plain-format scripts (pg_dump -Fp, pg_dumpall).
#
# Run from the repository root after `make`.  What is checked:
#   * every pg_dump script of the corpus lists the entries `pg_restore -l` lists for the
#     custom archive of the same pg_dump, in the order of the restore script (ACLs, then
#     event triggers and materialized view data last), --long row counts against
#     corpus/rowcounts.tsv;
#   * the same script gzip (two members), lz4 and zstd compressed, and fed through
#     stdin (a real pipe), gives byte-identical default, -v and --long output;
#   * pg_dumpall: the database column of --long and "database" of --json;
#   * damaged scripts: exit status 2 and the one-line error; psql meta-commands listed.
#
# Prints "ok - NAME" / "not ok - NAME" per case and ends with "N passed, N failed";
# exits 1 if anything failed.  Environment: DUMPLS (default tools/dumpls), DF_CORPUS
# (default corpus), TIMEOUT seconds per run (default 120).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export TZ=UTC LC_ALL=C

DUMPLS=${DUMPLS:-${DF_TOOLS_DIR:-tools}/dumpls}
CORPUS=${DF_CORPUS:-corpus}
TIMEOUT=${TIMEOUT:-120}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dumpls-plain.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out
ERR=$TMP/err
RC=0

run() {
    timeout "$TIMEOUT" "$@" >"$OUT" 2>"$ERR"
    RC=$?
}

# The entry lines of a listing without "<id>; <oid> <oid> ": "desc schema tag owner".
entries() { grep -v '^;' "$1" | sed -E 's/^[0-9]+; [0-9]+ [0-9]+ //'; }

# An archive's pg_restore -l entries in restore-script order (spec §9.4).  $2 = 1 when
# that pg_dump predates the pass that moves MATERIALIZED VIEW DATA after the ACLs (9.3.5);
# $3 = 1 when it left SCHEMA public and its comment out of plain scripts (10 and older).
script_order() {
    entries "$1" | awk -v late="$2" -v nopublic="$3" '
        nopublic && ($0 == "SCHEMA - public postgres" || $0 == "COMMENT - SCHEMA public postgres") { next }
        /^(ACL|DEFAULT ACL|ACL LANGUAGE) / { acl[na++] = $0; next }
        late && (/^(EVENT TRIGGER|MATERIALIZED VIEW DATA) / || /^COMMENT .* EVENT TRIGGER /) { post[np++] = $0; next }
        { print }
        END { for (i = 0; i < na; i++) print acl[i]; for (i = 0; i < np; i++) print post[i] }'
}

# ------------------------------------------------------------------ tests

test_corpus_lists() {
    local dir late nopublic script
    for dir in pg93 pg10 pg15 pg16 pg18; do
        case $dir in
        pg93) late=0 nopublic=1 ;;
        pg10) late=1 nopublic=1 ;;
        *) late=1 nopublic=0 ;;
        esac
        for script in sample.plain.sql sample.plain.inserts.sql; do
            [ -e "$CORPUS/$dir/$script" ] || continue
            run "$DUMPLS" "$CORPUS/$dir/$script"
            if [ "$RC" -ne 0 ]; then
                not_ok "list $dir/$script" "exit status $RC" "$(cat "$ERR")"
                continue
            fi
            script_order "$CORPUS/$dir/sample.custom.none.dump.list" "$late" "$nopublic" \
                >"$TMP/want"
            entries "$OUT" >"$TMP/got"
            result "list $dir/$script = pg_restore -l of the archive, script order" \
                "$(diff "$TMP/want" "$TMP/got" >"$TMP/diff"; echo $?)" "$(head -20 "$TMP/diff")"
            grep -q '^;     Format: PLAIN$' "$OUT"
            result "header $dir/$script" $? "$(head -12 "$OUT")"
        done
    done
}

test_rows() {
    local dir script bad=0 file table rows got
    for dir in pg93 pg10 pg15 pg16 pg18; do
        for script in sample.plain.sql sample.plain.inserts.sql; do
            [ -e "$CORPUS/$dir/$script" ] || continue
            run "$DUMPLS" --long --type "TABLE DATA" "$CORPUS/$dir/$script"
            bad=0
            while IFS=$'\t' read -r file table rows; do
                [ "$table" = "<large objects>" ] && continue
                # "<id>; data offset stored bytes rows TABLE DATA schema tag owner"
                got=$(awk -v t="${table#*.}" -v s="${table%%.*}" '
                    $7 == "TABLE" && $8 == "DATA" && $9 == s {
                        rest = $0; for (k = 0; k < 9; k++) sub(/^[^ ]+ +/, "", rest)
                        if (index(rest, t " ") == 1) print $6 }' "$OUT")
                [ "$got" = "$rows" ] || { bad=1; echo "# $table: $got, want $rows"; }
            done < <(grep "^$dir/sample.custom.none.dump	" "$CORPUS/rowcounts.tsv")
            result "--long rows $dir/$script = rowcounts.tsv" "$bad"
        done
    done
}

# gzip (two members), lz4, zstd and a pipe: the same output, whatever the option.
test_compressed() {
    local src=$CORPUS/pg18/sample.plain.sql opt kind file
    head -c 100000 "$src" | gzip -c >"$TMP/s.gz"
    tail -c +100001 "$src" | gzip -c >>"$TMP/s.gz"
    command -v lz4 >/dev/null && lz4 -q -c "$src" >"$TMP/s.lz4"
    command -v zstd >/dev/null && zstd -q -c "$src" >"$TMP/s.zst"
    for opt in "" -v --long; do
        run "$DUMPLS" $opt "$src"
        cp "$OUT" "$TMP/ref"
        for kind in gz lz4 zst; do
            file=$TMP/s.$kind
            [ -e "$file" ] || continue
            run "$DUMPLS" $opt "$file"
            result "dumpls $opt .$kind = uncompressed" \
                "$([ "$RC" -eq 0 ] && cmp -s "$OUT" "$TMP/ref"; echo $?)" \
                "exit $RC $(diff "$TMP/ref" "$OUT" | head -5)"
            timeout "$TIMEOUT" bash -c 'cat "$1" | "$2" $3 -' _ "$file" "$DUMPLS" "$opt" \
                >"$OUT" 2>"$ERR"
            result "cat .$kind | dumpls $opt - = uncompressed" \
                "$(cmp -s "$OUT" "$TMP/ref"; echo $?)" "$(diff "$TMP/ref" "$OUT" | head -5)"
        done
        timeout "$TIMEOUT" bash -c 'cat "$1" | "$2" $3 -' _ "$src" "$DUMPLS" "$opt" \
            >"$OUT" 2>"$ERR"
        result "cat script | dumpls $opt -" "$(cmp -s "$OUT" "$TMP/ref"; echo $?)"
    done
    run "$DUMPLS" --json "$TMP/s.gz"
    grep -q '"file_compression": "gzip"' "$OUT"
    result "--json file_compression gzip" $?
}

test_dumpall() {
    run "$DUMPLS" --long "$CORPUS/pg18/dumpall.sql"
    grep -q ' rows database desc schema tag owner$' "$OUT" &&
        grep -Eq '^[0-9]+; +data .* sample TABLE DATA bulk readings postgres$' "$OUT" &&
        grep -Eq '^1; +pre-data .* - ROLE - AuditBot $' "$OUT"
    result "dumpall --long database column" $? "$(sed -n 14,18p "$OUT")"
    run "$DUMPLS" --json "$CORPUS/pg18/dumpall.sql"
    grep -q '"database": "sample"' "$OUT" && grep -q '"script": "pg_dumpall"' "$OUT" &&
        grep -q '"desc": "ROLE MEMBERSHIP"' "$OUT"
    result "dumpall --json database" $?
    run "$DUMPLS" "$CORPUS/pg18/globals.sql"
    [ "$(grep -c ' ROLE - ' "$OUT")" -eq 10 ] && [ "$(grep -c ' ROLE MEMBERSHIP - ' "$OUT")" -eq 6 ]
    result "globals.sql roles and memberships" $? "$(cat "$OUT")"
    run "$DUMPLS" -C "$CORPUS/pg18/dumpall.sql"
    grep -q ' DATABASE - sample postgres$' "$OUT"
    result "dumpall -C lists the DATABASE entry" $?
}

test_damaged() {
    run "$DUMPLS" --long "$CORPUS/damaged/pg15-sample.plain.trunc-copy.sql"
    [ "$RC" -eq 2 ] && grep -q 'offset 55271: COPY data of TABLE DATA bulk.readings (dump id [0-9]*) end without the "\\." line' "$ERR"
    result "trunc-copy --long: exit 2, the error" $? "exit $RC: $(cat "$ERR")"
    run "$DUMPLS" "$CORPUS/damaged/pg18-sample.plain.trunc-trailer.sql"
    result "trunc-trailer lists (exit 0)" "$RC"
    head -c 40000 "$TMP/s.gz" >"$TMP/cut.gz"
    run "$DUMPLS" "$TMP/cut.gz"
    [ "$RC" -eq 2 ] && grep -q 'gzip member is incomplete' "$ERR" && grep -q '^1; 0 0 SCHEMA' "$OUT"
    result "cut .gz: entries before the cut, exit 2" $? "exit $RC: $(cat "$ERR")"
    printf 'hello\n' | gzip -c >"$TMP/hello.gz"
    run "$DUMPLS" "$TMP/hello.gz"
    [ "$RC" -eq 2 ] && grep -q 'does not contain a plain-format dump' "$ERR"
    result "a .gz of something else: exit 2" $? "exit $RC: $(cat "$ERR")"
}

test_meta() {
    printf -- '--\n-- PostgreSQL database dump\n--\n\n\\restrict k1\n\n--\n-- Name: t; Type: TABLE; Schema: public; Owner: alice\n--\n\nCREATE TABLE public.t (a text DEFAULT %s);\n\n\\! rm -rf /\n\\unrestrict k1\n' \
        "'\\! not this'" >"$TMP/meta.sql"
    run "$DUMPLS" "$TMP/meta.sql"
    [ "$RC" -eq 0 ] && [ "$(grep -c 'PSQL META-COMMAND' "$OUT")" -eq 1 ] &&
        grep -q '^2; 0 0 PSQL META-COMMAND - \\! rm -rf / $' "$OUT"
    result "meta-commands are entries, \\restrict is not" $? "$(cat "$OUT")"
}

# ------------------------------------------------------------------ main

if [ ! -x "$DUMPLS" ]; then
    echo "not ok - $DUMPLS is built (run make first)"
    echo "0 passed, 1 failed"
    exit 1
fi

test_corpus_lists
test_rows
test_compressed
test_dumpall
test_damaged
test_meta

harness_finish
