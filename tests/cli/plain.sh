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
DUMPCHECK=${DUMPCHECK:-${DF_TOOLS_DIR:-tools}/dumpcheck}
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

# dumpcheck --json of $1 (more options after it): "rows errors warnings" and the finding codes.
check_summary() {
    timeout "$TIMEOUT" "$DUMPCHECK" --json --no-pg-restore-check "$@" 2>/dev/null |
        jq -r '.files[0] | "\(.rows) \(.findings_by_severity.error) \(.findings_by_severity.warning)",
                           (.findings[] | select(.severity != "info") | .code + " " + (.tag // ""))'
}

# A CR LF copy of a script (unix2dos): psql takes "\.\r" as the end of COPY data.
test_crlf() {
    local src
    for src in pg15/sample.plain.sql pg18/sample.plain.sql pg18/dumpall.sql; do
        sed 's/$/\r/' "$CORPUS/$src" >"$TMP/crlf.sql"
        check_summary "$CORPUS/$src" >"$TMP/want"
        check_summary "$TMP/crlf.sql" >"$TMP/got"
        result "dumpcheck CR LF $src = LF (rows, findings)" \
            "$(cmp -s "$TMP/want" "$TMP/got"; echo $?)" "$(diff "$TMP/want" "$TMP/got" | head -5)"
        run "$DUMPLS" --long "$TMP/crlf.sql"
        awk '$2 == "data" { print $1, $6 }' "$OUT" >"$TMP/got"
        run "$DUMPLS" --long "$CORPUS/$src"
        awk '$2 == "data" { print $1, $6 }' "$OUT" >"$TMP/want"
        result "dumpls --long CR LF $src: same rows" \
            "$(cmp -s "$TMP/want" "$TMP/got"; echo $?)" "$(diff "$TMP/want" "$TMP/got" | head -5)"
    done
}

# The same findings from a pipe as from the file (one pass: COPY rows, sequences, LOs).
test_pipe_findings() {
    local src name
    awk '/^COPY bulk.readings / { print; getline; print $0 "\tx"; next } { print }' \
        "$CORPUS/pg18/sample.plain.sql" >"$TMP/badrow.sql"
    gzip -c "$CORPUS/pg15/sample.plain.inserts.sql" >"$TMP/inserts.sql.gz"
    for src in "$CORPUS"/pg*/sample.plain.sql "$CORPUS"/pg*/sample.plain.inserts.sql \
        "$CORPUS/pg18/dumpall.sql" "$CORPUS"/damaged/*.plain.*.sql "$TMP/badrow.sql" \
        "$TMP/inserts.sql.gz"; do
        name=${src#"$CORPUS"/}
        name=${name#"$TMP"/}
        timeout "$TIMEOUT" "$DUMPCHECK" --json --no-pg-restore-check "$src" 2>/dev/null |
            jq -S '.files[0] | del(.file, .duration_ms, .threads)' >"$TMP/want"
        timeout "$TIMEOUT" bash -c 'cat "$1" | "$2" --json --no-pg-restore-check -' _ "$src" \
            "$DUMPCHECK" 2>/dev/null | jq -S '.files[0] | del(.file, .duration_ms, .threads)' \
            >"$TMP/got"
        [ -s "$TMP/want" ] && cmp -s "$TMP/want" "$TMP/got"
        result "dumpcheck: cat $name | dumpcheck - = the file" $? \
            "$(diff "$TMP/want" "$TMP/got" | head -8)"
    done
    cat "$TMP/badrow.sql" | "$DUMPCHECK" --no-pg-restore-check - >/dev/null 2>"$ERR"
    [ $? -eq 2 ] && grep -q 'bad-copy-row: row 1 has 3 columns' "$ERR"
    result "dumpcheck: a bad COPY row from a pipe: exit 2, bad-copy-row" $? "$(head -3 "$ERR")"
}

# Meta-command lines cost little per line: a million "\N" lines, and 100k meta-commands
# between statements, under a time and memory bound; findings capped (the first 20, a count).
test_meta_lines() {
    local f rss
    printf -- '--\n-- PostgreSQL database dump\n--\n\n' >"$TMP/m1.sql"
    cp "$TMP/m1.sql" "$TMP/m2.sql"
    yes '\N' | head -n 1000000 >>"$TMP/m1.sql"
    yes '\N
SELECT 1;' | head -n 200000 >>"$TMP/m2.sql"
    printf -- '--\n-- PostgreSQL database dump complete\n--\n\n' | tee -a "$TMP/m1.sql" >>"$TMP/m2.sql"
    for f in m1 m2; do
        if [ -x /usr/bin/time ]; then
            timeout 20 /usr/bin/time -f '%M' -o "$TMP/rss" "$DUMPCHECK" --json \
                --no-pg-restore-check "$TMP/$f.sql" >"$OUT" 2>"$ERR"
            rss=$(tail -n 1 "$TMP/rss")
        else
            timeout 20 "$DUMPCHECK" --json --no-pg-restore-check "$TMP/$f.sql" >"$OUT" 2>"$ERR"
            rss=0
        fi
        [ "$(jq '.files[0].findings | length' "$OUT")" -le 21 ] && [ "$rss" -lt 150000 ]
        result "dumpcheck $f.sql: <= 21 findings, < 150 MB, < 20 s" $? \
            "rss ${rss} KB, $(jq '.files[0].findings | length' "$OUT" 2>&1) findings"
    done
    grep -q '99980 more places in the script hold psql meta-commands' "$OUT"
    result "dumpcheck: the findings past the first 20 are counted" $?
    run "$DUMPLS" "$TMP/m1.sql"
    [ "$(grep -c 'PSQL META-COMMAND' "$OUT")" -eq 1 ]
    result "dumpls: a million meta-command lines in a row are one entry" $?
}

# One 60 MiB statement: dumpls and dumpcheck keep well under its size (was about twice it).
test_long_statement() {
    local tool rss
    {
        printf -- '--\n-- PostgreSQL database dump\n--\n\n--\n-- Name: f(); Type: FUNCTION; '
        printf 'Schema: public; Owner: postgres\n--\n\n'
        printf "CREATE FUNCTION public.f() RETURNS text LANGUAGE sql AS \$\$ SELECT '"
        yes 'abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz' | head -c 62914560
        printf "'::text \$\$;\n\n--\n-- PostgreSQL database dump complete\n--\n\n"
    } >"$TMP/long.sql"
    [ -x /usr/bin/time ] || return 0
    for tool in "$DUMPLS" "$DUMPCHECK"; do
        timeout 60 /usr/bin/time -f '%M' -o "$TMP/rss" "$tool" "$TMP/long.sql" >"$OUT" 2>"$ERR"
        rss=$(tail -n 1 "$TMP/rss")
        [ "$rss" -lt 48000 ] && grep -q 'FUNCTION\|OK' "$OUT"
        result "$(basename "$tool"): a 60 MiB statement in < 48 MB" $? "rss $rss KB: $(head -3 "$OUT")"
    done
    rm -f "$TMP/long.sql"
}

# pg_dumpall: findings name their database; a gzipped script: compression and stored bytes.
test_dumpall_findings() {
    local size
    awk '/^COPY bulk.readings / { print; getline; print $0 "\tx"; next } { print }' \
        "$CORPUS/pg18/dumpall.sql" >"$TMP/dumpall-bad.sql"
    "$DUMPCHECK" --no-pg-restore-check "$TMP/dumpall-bad.sql" >/dev/null 2>"$ERR"
    grep -q 'bad-copy-row: .*, in database "sample" (TABLE DATA bulk.readings' "$ERR" &&
        grep -q 'sequence-behind-data: .*, in database "sample" (SEQUENCE SET' "$ERR"
    result "dumpcheck pg_dumpall: findings name the database" $? "$(head -3 "$ERR")"
    gzip -c "$CORPUS/pg18/sample.plain.sql" >"$TMP/plain.sql.gz"
    size=$(wc -c <"$TMP/plain.sql.gz")
    "$DUMPCHECK" --json --no-pg-restore-check "$TMP/plain.sql.gz" >"$OUT" 2>/dev/null
    [ "$(jq -r '.files[0] | "\(.compression) \(.stored_bytes)"' "$OUT")" = "gzip $size" ]
    result "dumpcheck --json .sql.gz: compression gzip, stored_bytes the file size" $? \
        "$(jq -c '.files[0] | [.compression, .stored_bytes]' "$OUT") want gzip $size"
    cat "$TMP/plain.sql.gz" | "$DUMPCHECK" --json --no-pg-restore-check - >"$OUT" 2>/dev/null
    [ "$(jq -r '.files[0] | "\(.compression) \(.stored_bytes)"' "$OUT")" = "gzip $size" ]
    result "dumpcheck --json: cat .sql.gz | dumpcheck -: the same" $?
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
test_crlf
test_pipe_findings
test_meta_lines
test_long_statement
test_dumpall_findings

harness_finish
