#!/bin/bash
# tests/cli/dumpconvert.sh — dumpconvert (issue 12) against pg_restore and the corpus.
#
# Run from the repository root after `make`.  What is checked:
#   * every file-written custom archive of the corpus, converted with no options, comes back
#     byte for byte (cmp); pipe-written ones (no offsets) get offsets (no "no-data-offsets");
#   * every corpus archive (custom, directory, tar; pg93 ... pg18) into every output format x
#     codec its version allows (none, gzip; lz4 and zstd for 1.15+; tar: none) with
#     DF_TEST_FULL=1 (make check-full); make check converts each archive into every third of
#     those targets, the choice turning from one archive of an archive version to the next, so
#     that every source (format, codec, version) and every target format x codec still meets
#     each archive version (the 5 or more archives of a version cover the 3 turns): dumpls of OUT
#     lists the same entries as of IN; where Debian's pg_restore 15 reads the version (<= 1.14)
#     `pg_restore -l` of OUT lists the same entries (desc, schema, tag, owner, order) and
#     `pg_restore -f -` of OUT prints exactly what it prints for IN; 1.15/1.16 go through
#     pg_restore 17 of bench/pg17.sh's trixie chroot (mounted once for the whole script: the
#     working directory, the corpus and the temporary directory) when the chroot is there and we
#     are root, else a visible SKIP that says which of the two is missing; dumpcheck of OUT
#     exits no worse than for IN;
#   * downgrade: every 1.15/1.16 archive with --pg-restore-version 15 (-F c and -F d) is read by
#     pg_restore 15: one BLOB entry per large object, and `pg_restore -f -` prints the same
#     statements and data, as a multiset, as pg_dump of that version printed in the corpus's
#     plain dump (comment and session SET lines aside, BEGIN/COMMIT of LO groups aside, ALTER
#     VIEW/SEQUENCE OWNER spelt ALTER TABLE as pg_restore 15 does);
#   * stdout output, stdin input, the input unchanged, damaged input: exit 2 and no output left,
#     option errors: exit 3; every damaged corpus file (blocks copied, and --reencode) gives an
#     output dumpls reads or none at all; the fuzz target's replayer over the corpus.
#
# Prints "ok - NAME" / "not ok - NAME" per case and ends with "N passed, N failed".
# Environment: DUMPCONVERT, DUMPLS, DUMPCHECK (default tools/...), DF_CORPUS (default corpus),
# PG_RESTORE15 (default /usr/lib/postgresql/15/bin/pg_restore), DF_TEST_FULL (1: every archive
# into every target format x codec).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export TZ=UTC LC_ALL=C

TOOLS=${DF_TOOLS_DIR:-tools}
DUMPCONVERT=${DUMPCONVERT:-$TOOLS/dumpconvert}
DUMPLS=${DUMPLS:-$TOOLS/dumpls}
DUMPCHECK=${DUMPCHECK:-$TOOLS/dumpcheck}
CORPUS=${DF_CORPUS:-corpus}
PR15=${PG_RESTORE15:-/usr/lib/postgresql/15/bin/pg_restore}
KEY=dumpconverttest

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dumpconvert.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

# pg_restore 17 from the trixie chroot (bench/pg17.sh setup): the functions of bench/pg17.sh
# bind-mount the directories once here, not once per call (some 700 calls), and unmount on EXIT.
PR17=()
PR17_WHY=
if [ "$(id -u)" -ne 0 ]; then
    PR17_WHY="not root (chroot and mount need it)"
elif [ ! -f bench/pg17.sh ]; then
    PR17_WHY="no bench/pg17.sh"
else
    BENCH_DIR=${BENCH_DIR:-/work/benchdata}
    # shellcheck source=bench/pg17.sh
    . bench/pg17.sh
    if ! pg17_ready; then
        PR17_WHY="no PostgreSQL 17 chroot in $PG17_ROOT (bench/pg17.sh setup)"
    else
        trap 'pg17_umount; rm -rf "$TMP"' EXIT
        if pg17_mount "$PWD" "$CORPUS" "$TMP" 2>"$TMP/mount.err"; then
            PR17=(chroot "$PG17_ROOT" /usr/bin/env -C "$PWD" "$PG17_BIN/pg_restore")
            echo "# pg_restore 17: $("${PR17[@]}" --version)"
        else
            PR17_WHY="could not mount into $PG17_ROOT: $(head -1 "$TMP/mount.err")"
        fi
    fi
fi

# The archive minor version of a dump, from dumpls --json.
vmin_of() { "$DUMPLS" --json "$1" 2>/dev/null | sed -n 's/.*"archive_version": *"1\.\([0-9]*\)-.*/\1/p' | head -1; }
# pg_restore -l without its header comment lines.
entries() { "$@" -l "$ARCH" 2>&1 | grep -v '^;'; }

arch_list() {
    local f
    for f in "$CORPUS"/pg*/sample.custom.*.dump "$CORPUS"/pg*/sample.dir.* "$CORPUS"/pg*/sample.tar; do
        case $f in *.list | *.sql) continue ;; esac
        [ -e "$f" ] && echo "$f"
    done
}

# ---- 1. byte identity and offsets -----------------------------------------------------------
for f in "$CORPUS"/pg*/sample.custom.*.dump; do
    out=$TMP/same.dump
    rm -f "$out"
    "$DUMPCONVERT" -q "$f" -o "$out"
    rc=$?
    case $f in
    *pipe* | *stdout*)
        "$DUMPCHECK" --quick "$out" 2>&1 | grep -q no-data-offsets
        check "offsets written for $f" $((rc != 0 || $? == 0)) "rc=$rc" ;;
    *)
        cmp -s "$f" "$out"
        check "byte-identical: $f" $((rc != 0 || $? != 0)) "rc=$rc" "$(cmp "$f" "$out" 2>&1)" ;;
    esac
done

# ---- 2. every archive into every format x codec ---------------------------------------------
# pg_restore -l (header comments aside) and -f - of IN, once per input: IN.l and IN.f in $TMP.
restore_in() { # IN VMIN
    local pr=("$PR15")
    [ "$2" -ge 15 ] && pr=("${PR17[@]}")
    rm -f "$TMP/in.l" "$TMP/in.f"
    [ ${#pr[@]} -gt 0 ] || return 0
    "${pr[@]}" -l "$1" 2>&1 | grep -v '^;' >"$TMP/in.l"
    "${pr[@]}" --restrict-key=$KEY -f - "$1" >"$TMP/in.f" 2>&1
    # the oracle itself must read IN: equal error messages of two unreadable files prove nothing
    [ "$(grep -c '^[0-9]*; [0-9]* [0-9]* ' "$TMP/in.l")" -gt 10 ] && grep -q '^COPY ' "$TMP/in.f"
    check "$1: pg_restore $( [ "$2" -ge 15 ] && echo 17 || echo 15) reads it (-l, -f -)" $? \
        "$(head -3 "$TMP/in.l")"
}
compare_restore() { # NAME OUT VMIN
    local name=$1 out=$2 v=$3 pr=("$PR15") rel=15
    if [ "$v" -ge 15 ]; then
        rel=17
        if [ ${#PR17[@]} -eq 0 ]; then
            ok "$name: pg_restore 17 # SKIP $PR17_WHY"
            return
        fi
        pr=("${PR17[@]}")
    fi
    diff "$TMP/in.l" <("${pr[@]}" -l "$out" 2>&1 | grep -v '^;') >"$TMP/d1" 2>&1
    check "$name: pg_restore $rel -l" $? "$(head -5 "$TMP/d1")"
    cmp -s "$TMP/in.f" <("${pr[@]}" --restrict-key=$KEY -f - "$out" 2>&1)
    check "$name: pg_restore $rel -f -" $?
}

declare -A turn=() # archive version -> how many of its archives section 2 has converted
declare -A met=()  # "version F Z" -> 1 once a conversion into -F F -Z Z of that version ran
for f in $(arch_list); do
    v=$(vmin_of "$f")
    t=${turn[${v:-0}]:-0}
    turn[${v:-0}]=$((t + 1))
    "$DUMPCHECK" -q "$f" >/dev/null 2>&1
    in_rc=$?
    restore_in "$f" "${v:-0}"
    # gzip:1 is ISA-L's encoder (encode_isal.c), gzip the default level zlib's
    codecs="none gzip gzip:1"
    [ "${v:-0}" -ge 15 ] && codecs="none gzip gzip:1 lz4 zstd"
    k=0
    for F in c d t; do
        for Z in $codecs; do
            [ $F = t ] && [ $Z != none ] && continue
            k=$((k + 1))
            [ "${DF_TEST_FULL:-}" = 1 ] || [ $(((k + t) % 3)) -eq 0 ] || continue
            met["${v:-0} $F $Z"]=1
            name="$f -F $F -Z $Z"
            out=$TMP/out.$F.$Z
            rm -rf "$out"
            "$DUMPCONVERT" -q "$f" -F $F -Z $Z -o "$out" 2>"$TMP/err"
            rc=$?
            check "$name: exit 0" $rc "$(head -3 "$TMP/err")"
            [ $rc -eq 0 ] || continue
            diff <("$DUMPLS" "$f" | grep -v '^;') <("$DUMPLS" "$out" | grep -v '^;') >"$TMP/d0"
            check "$name: dumpls" $? "$(head -5 "$TMP/d0")"
            "$DUMPCHECK" -q "$out" >/dev/null 2>&1
            out_rc=$?
            check "$name: dumpcheck $out_rc (input $in_rc)" $((out_rc > in_rc))
            compare_restore "$name" "$out" "$v"
        done
    done
done

# the sample above still converted into every target of every archive version
for v in "${!turn[@]}"; do
    codecs="none gzip gzip:1"
    [ "$v" -ge 15 ] && codecs="none gzip gzip:1 lz4 zstd"
    missed=""
    for F in c d t; do
        for Z in $codecs; do
            [ $F = t ] && [ $Z != none ] && continue
            [ -n "${met["$v $F $Z"]:-}" ] || missed="$missed -F $F -Z $Z;"
        done
    done
    check "archive version 1.$v: converted into every target format x codec" $((${#missed} != 0)) \
        "missed:$missed"
done

# ---- 3. downgrade for pg_restore 15 ---------------------------------------------------------
norm() {
    grep -v -e '^--' -e '^SET ' -e '^\\restrict' -e '^\\unrestrict' -e '^$' -e '^BEGIN;$' \
        -e '^COMMIT;$' -e "set_config('search_path'" |
        sed -E 's/^ALTER (VIEW|SEQUENCE|MATERIALIZED VIEW) /ALTER TABLE /' | sort
}
for f in $(arch_list); do
    v=$(vmin_of "$f")
    [ "${v:-0}" -ge 15 ] || continue
    # STATISTICS DATA (pg_dump 18 --statistics) is not in the plain dump: no oracle for it
    case $f in *stats*) continue ;; esac
    plain=$(dirname "$f")/sample.plain.sql
    for F in c d; do
        out=$TMP/down.$F
        rm -rf "$out"
        "$DUMPCONVERT" -q --pg-restore-version 15 -F $F "$f" -o "$out" 2>"$TMP/err"
        check "downgrade $f -F $F: exit 0" $? "$(head -3 "$TMP/err")"
        n=$("$PR15" -l "$out" 2>&1 | grep -c '^[0-9]*; 2613 [0-9]* BLOB - ')
        check "downgrade $f -F $F: pg_restore 15 lists 5 BLOB entries" $((n != 5)) "got $n"
        diff <("$PR15" -f - "$out" 2>&1 | norm) <(norm <"$plain") >"$TMP/d2"
        check "downgrade $f -F $F: pg_restore 15 prints pg_dump's statements" $? \
            "$(head -6 "$TMP/d2")"
    done
done

# ---- 4. pipes, the input, failures ----------------------------------------------------------
src=$CORPUS/pg15/sample.custom.gzip.dump
sum0=$(sha256sum <"$src")
"$DUMPCONVERT" -q "$src" -o - >"$TMP/stdout.dump"
check "-o -: custom to stdout" $?
"$DUMPCHECK" --quick "$TMP/stdout.dump" 2>&1 | grep -q no-data-offsets
check "-o -: no data offsets to a pipe" $?
diff <("$PR15" -l "$src" | grep -v '^;') <("$PR15" -l "$TMP/stdout.dump" | grep -v '^;') >/dev/null
check "-o -: pg_restore -l" $?
"$DUMPCONVERT" -q - -o "$TMP/stdin.dump" <"$src"
cmp -s "$src" "$TMP/stdin.dump"
check "stdin input: byte-identical" $?
cat "$CORPUS/pg18/sample.custom.pipe.dump" | "$DUMPCONVERT" -q - -F t -o - | "$DUMPLS" - >"$TMP/l1"
diff <("$DUMPLS" "$CORPUS/pg18/sample.custom.pipe.dump" | grep -v '^;') <(grep -v '^;' "$TMP/l1") >/dev/null
check "pipe in, tar to a pipe out" $?
[ "$(sha256sum <"$src")" = "$sum0" ]
check "input unchanged" $?
"$DUMPCONVERT" -q "$src" -F c -Z lz4 -o "$TMP/up.dump"
[ "$(vmin_of "$TMP/up.dump")" = 15 ]
check "1.14 -Z lz4: written as 1.15" $?
for bad in pg18-sample.custom.gzip.trunc-chunk.dump pg18-sample.dir.gzip.missing-datafile \
    pg16-sample.custom.lz4.trunc-chunk.dump; do
    rm -rf "$TMP/bad.out"
    "$DUMPCONVERT" -q -Z none "$CORPUS/damaged/$bad" -o "$TMP/bad.out" 2>"$TMP/err"
    rc=$?
    left=$(ls "$TMP" | grep -c '^bad\.out')
    check "damaged $bad: exit 2, no output" $((rc != 2 || left != 0)) "rc=$rc left=$left" \
        "$(cat "$TMP/err")"
done
"$DUMPCONVERT" -q "$src" -F t -Z gzip -o "$TMP/x.tar" 2>/dev/null
check "-F t -Z gzip: exit 3" $(($? != 3))
"$DUMPCONVERT" -q "$src" 2>/dev/null
check "no -o: exit 3" $(($? != 3))
"$DUMPCONVERT" -q "$src" -o "$src" 2>/dev/null
check "output = input: exit 3" $(($? != 3))
"$DUMPCONVERT" -q --pg-restore-version 15 -Z zstd "$CORPUS/pg18/sample.custom.gzip.dump" \
    -o "$TMP/z.dump" 2>/dev/null
check "--pg-restore-version 15 -Z zstd: exit 2" $(($? != 2))

# Interrupted: SIGINT while the input (a pipe) is half read leaves no output and no temporary.
for F in c d; do
    rm -rf "$TMP"/int.out*
    { head -c 40000 "$CORPUS/pg15/sample.custom.none.dump"; sleep 2; } |
        "$DUMPCONVERT" -q -F $F - -o "$TMP/int.out" 2>/dev/null &
    pid=$!
    sleep 1
    kill -INT $pid
    wait $pid
    rc=$?
    left=$(ls "$TMP" | grep -c '^int\.out')
    check "SIGINT (-F $F): killed by the signal, nothing left" $((rc != 130 || left != 0)) \
        "rc=$rc left=$left"
done

# ---- 4b. -j N (issue 12): the decode thread, parallel encoders ------------------------------
# Every codec whose bytes do not depend on threads (none, lz4, gzip:1 = ISA-L) writes the same
# bytes at -j 1, 2 and 4; gzip (block threads from -j 2) and zstd (workers from -j 2) the same
# at -j 2 and 4, and at -j 1 an archive pg_restore prints identically.  Custom to a file and to
# stdout, directory, tar.  The first archive (lz4, 1.15) goes into every format x codec; the
# second (gzip, 1.14: another decoder in front) too with DF_TEST_FULL=1, and with make check
# into one format per codec (c none, s gzip, d gzip:1, and t).
same_out() { # A B: byte-identical files or directory trees
    if [ -d "$1" ]; then diff -r "$1" "$2" >/dev/null; else cmp -s "$1" "$2"; fi
}
# Tar: the same but for each member's mtime (the time of writing, as pg_dump's) and the header
# checksum that covers it, bytes 136-155 of a 512-byte header.
same_tar() {
    [ "$(stat -c %s "$1")" = "$(stat -c %s "$2")" ] &&
        cmp -l "$1" "$2" | awk '{ o = ($1 - 1) % 512; if (o < 136 || o > 155) bad = 1 }
            END { exit bad }'
}
nth=0
for f in "$CORPUS/pg16/sample.custom.lz4.dump" "$CORPUS/pg15/sample.custom.gzip.dump"; do
    [ -e "$f" ] || continue
    nth=$((nth + 1))
    v=$(vmin_of "$f")
    restore_in "$f" "${v:-0}"
    codecs="none gzip gzip:1"
    [ "${v:-0}" -ge 15 ] && codecs="none gzip gzip:1 lz4 zstd"
    nf=0
    for F in c s d t; do
        nf=$((nf + 1)) nz=0
        for Z in $codecs; do
            nz=$((nz + 1))
            [ $F = t ] && [ $Z != none ] && continue
            # make check: the second archive into one format per codec (c none, s gzip, ...)
            [ $nth -eq 1 ] || [ "${DF_TEST_FULL:-}" = 1 ] || [ $F = t ] || [ $nf -eq $nz ] ||
                continue
            fmt=$F
            [ $F = s ] && fmt=c
            for j in 1 2 4; do
                rm -rf "$TMP/j$j"
                if [ $F = s ]; then
                    "$DUMPCONVERT" -q --reencode -F c -Z $Z -j $j "$f" -o - >"$TMP/j$j" 2>"$TMP/err"
                else
                    "$DUMPCONVERT" -q --reencode -F $fmt -Z $Z -j $j "$f" -o "$TMP/j$j" 2>"$TMP/err"
                fi
                check "-j $j $f -F $F -Z $Z: exit 0" $? "$(head -3 "$TMP/err")"
            done
            name="-j $f -F $F -Z $Z"
            same=same_out
            [ $F = t ] && same=same_tar
            $same "$TMP/j2" "$TMP/j4"
            check "$name: -j 2 = -j 4 (bytes)" $?
            case $Z in
            gzip | zstd)
                [ $F = s ] || compare_restore "$name -j 1" "$TMP/j1" "$v"
                [ $F = s ] || compare_restore "$name -j 2" "$TMP/j2" "$v" ;;
            *)
                $same "$TMP/j1" "$TMP/j2"
                check "$name: -j 1 = -j 2 (bytes)" $? ;;
            esac
        done
    done
done

# Memory: peak RSS <= 64 MiB at -j 2 on the benchmark's dump (bench/gen.sh), when it is there.
# Measured on the normal build: the sanitizer build's shadow memory and quarantine say nothing
# about what a user's dumpconvert needs.
BIG=${BENCH_DIR:-/work/benchdata}/bench.custom.gzip.dump
RSS_TOOL=${RSS_DUMPCONVERT:-tools/dumpconvert}
if [ -f "$BIG" ] && [ -x /usr/bin/time ] && [ -x "$RSS_TOOL" ]; then
    for Z in zstd:3 gzip:1 lz4; do
        /usr/bin/time -f %M "$RSS_TOOL" -q -Z $Z -j 2 "$BIG" -o "$TMP/big.dump" 2>"$TMP/rss"
        rc=$?
        kb=$(tail -1 "$TMP/rss")
        check "benchmark dump -Z $Z -j 2: peak RSS ${kb} KiB <= 64 MiB" \
            $((rc != 0 || kb > 65536)) "rc=$rc" "$(head -3 "$TMP/rss")"
        rm -f "$TMP/big.dump"
    done
else
    ok "benchmark dump: peak RSS at -j 2 # SKIP no $BIG (bench/gen.sh), /usr/bin/time or $RSS_TOOL"
fi

# Interrupted at -j 2 while data are being recoded (the decode thread waits on the pipe): no
# output, no temporary.  120000 of the dump's 388837 bytes are past its TOC (the output is
# open), inside its data.
for F in c d t; do
    rm -rf "$TMP"/jint.out*
    { head -c 120000 "$CORPUS/pg15/sample.custom.none.dump"; sleep 2; } |
        "$DUMPCONVERT" -q -j 2 --reencode -F $F $([ $F = t ] || echo -Z gzip) - -o "$TMP/jint.out" \
            2>/dev/null &
    pid=$!
    sleep 1
    kill -INT $pid
    wait $pid
    rc=$?
    left=$(ls "$TMP" | grep -c '^jint\.out')
    check "SIGINT at -j 2 (-F $F), data half recoded: killed by the signal, nothing left" \
        $((rc != 130 || left != 0)) "rc=$rc left=$left"
done

# ---- 5. hostile input: every damaged corpus file, copied and re-encoded
for bad in "$CORPUS"/damaged/*; do
    for mode in copy reencode; do
        rm -rf "$TMP/h.out"
        extra=()
        [ $mode = reencode ] && extra=(--reencode)
        "$DUMPCONVERT" -q "${extra[@]}" "$bad" -o "$TMP/h.out" 2>/dev/null
        rc=$?
        if [ $rc -eq 0 ]; then
            "$DUMPLS" "$TMP/h.out" >/dev/null 2>&1
            check "hostile $bad ($mode): written and readable" $?
        else
            [ ! -e "$TMP/h.out" ] && [ -z "$(ls "$TMP" | grep '^h\.out\.')" ]
            check "hostile $bad ($mode): exit $rc, nothing left" $(($? != 0 || rc == 0 || rc > 3))
        fi
    done
done
# The fuzz target's replayer (make test-build): read -> write -> read back, never a broken output.
if [ -x build/tests/fuzz_convert_replay ]; then
    build/tests/fuzz_convert_replay "$CORPUS"/pg*/sample.* "$CORPUS"/damaged/* >"$TMP/fz" 2>&1
    check "fuzz_convert replay over the corpus" $? "$(tail -3 "$TMP/fz")"
fi

harness_finish
