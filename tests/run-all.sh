#!/usr/bin/env bash
# tests/run-all.sh — runs every dumpfmt test (what `make check` runs after building) and ends
# with exactly one line "N passed, N failed".  Keeps going after a failure so that every
# result shows; the exit status is non-zero if anything failed.
#
# Parts, in order:
#   1. every Check program build/tests/check_NAME, one per tests/check_NAME.c; counts are read
#      from Check's "Checks: N, Failures: F, Errors: E" line
#   2. build/tests/fuzz_replay (ASan/UBSan) over every file and directory in the corpus
#   3. tests/cli/*.sh (run.sh = dumpls; one script per tool) and tests/live/*.sh (the same,
#      lib.sh excepted) when they exist; their LAST line must read "N passed, N failed"
# A part that exits non-zero without reporting a failure counts one failure (a sanitizer report,
# a leak, a crash after the summary); a part that reports nothing parseable counts one failure.
#
# Environment: DF_CORPUS (corpus directory, default "corpus"), DF_TEST_TIMEOUT (seconds per
# part, default 600), CI=true (a skipped live run is a failure).  Run from anywhere; it works
# from the repository root.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 3

export DF_CORPUS=${DF_CORPUS:-corpus}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Check's default of 4 s per test is too short for corpus loops under ASan.
export CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-120}
# The summary line we parse is printed at Check's "normal" verbosity and above.
if [ "${CK_VERBOSITY:-}" != verbose ]; then
    export CK_VERBOSITY=normal
fi
timeout_s=${DF_TEST_TIMEOUT:-600}

logdir=build/tests/logs
mkdir -p "$logdir" || exit 3

total_passed=0
total_failed=0
summary=()

# record NAME PASSED FAILED [NOTE]
record() {
    total_passed=$((total_passed + $2))
    total_failed=$((total_failed + $3))
    summary+=("$(printf '%-24s %5d passed, %d failed%s' "$1" "$2" "$3" "${4:+  ($4)}")")
}

# run_part NAME COMMAND... — runs it with a time limit, showing and logging its output;
# sets part_rc and part_log.
run_part() {
    local name=$1
    shift
    part_log=$logdir/$name.log
    echo "=== $name"
    timeout "$timeout_s" "$@" 2>&1 | tee "$part_log"
    part_rc=${PIPESTATUS[0]}
    if [ "$part_rc" -eq 124 ]; then
        echo "$name: timed out after ${timeout_s}s"
    fi
}

# exit_note RC — describes a non-zero exit status for the summary.
exit_note() {
    if [ "$1" -eq 124 ]; then
        echo "timed out"
    elif [ "$1" -gt 128 ]; then
        echo "killed by signal $(($1 - 128))"
    else
        echo "exit status $1"
    fi
}

# Check programs: sum every "Checks: N, Failures: F, Errors: E" line (one per run of a
# suite runner).
run_check_program() {
    local name=$1 bin=$2 counts checks failed note=""
    if [ ! -x "$bin" ]; then
        record "$name" 0 1 "not built: run make test-build"
        return
    fi
    run_part "$name" "$bin"
    counts=$(awk '
        match($0, /Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/) {
            split(substr($0, RSTART, RLENGTH), v, /[^0-9]+/)
            c += v[2]; f += v[3] + v[4]; n++
        }
        END { if (n) print c, f }' "$part_log")
    if [ -z "$counts" ]; then
        record "$name" 0 1 "no Check summary line; $(exit_note "$part_rc")"
        return
    fi
    read -r checks failed <<<"$counts"
    if [ "$part_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
        failed=1
        note=$(exit_note "$part_rc")
    fi
    record "$name" $((checks - failed < 0 ? 0 : checks - failed)) "$failed" "$note"
}

# Scripts and the replayer: the last line must be "N passed, N failed".  For the replayer a
# bare exit status is also accepted (1 check: exit 0 passes).
run_counted() {
    local name=$1 status_only=$2 last passed failed note=""
    shift 2
    run_part "$name" "$@"
    last=$(tail -n 1 "$part_log")
    if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        passed=${BASH_REMATCH[1]}
        failed=${BASH_REMATCH[2]}
    elif [ "$status_only" = yes ]; then
        passed=$((part_rc == 0 ? 1 : 0))
        failed=$((part_rc == 0 ? 0 : 1))
        [ "$part_rc" -eq 0 ] || note=$(exit_note "$part_rc")
    else
        record "$name" 0 1 "last line is not \"N passed, N failed\"; $(exit_note "$part_rc")"
        return
    fi
    if [ "$part_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
        failed=1
        note=$(exit_note "$part_rc")
    fi
    record "$name" "$passed" "$failed" "$note"
}

# 1. Check programs, discovered from their sources so that a missing binary is a failure.
for src in tests/check_*.c; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .c)
    run_check_program "$name" "build/tests/$name"
done

# 2. The fuzz target's replayer over the whole corpus (archives, lists, scripts, damage).
if [ -e tests/fuzz/fuzz_reader.c ]; then
    if [ -x build/tests/fuzz_replay ]; then
        run_counted fuzz_replay yes build/tests/fuzz_replay \
            "$DF_CORPUS"/pg*/* "$DF_CORPUS"/damaged/*
    else
        record fuzz_replay 0 1 "not built: run make test-build"
    fi
fi

# 3. CLI golden tests: tests/cli/run.sh (dumpls) and every other tests/cli/*.sh (one per tool).
for script in tests/cli/*.sh; do
    [ -e "$script" ] || continue
    name=$(basename "$script" .sh)
    [ "$name" = run ] && name=cli || name="cli-$name"
    run_counted "$name" no bash "$script"
done

# 4. Live tests: tests/live/run.sh (dumpls) and every other tests/live/*.sh except lib.sh (one
#    per tool).  They start PostgreSQL as the postgres user, which needs root (or postgres).
for script in tests/live/*.sh; do
    [ -e "$script" ] || continue
    name=$(basename "$script" .sh)
    [ "$name" = lib ] && continue
    [ "$name" = run ] && name=live || name="live-$name"
    if [ "$(id -u)" -eq 0 ] || [ "$(id -un)" = postgres ]; then
        run_counted "$name" no bash "$script"
    else
        echo "=== $name"
        echo "$name: skipped (needs root)"
        if [ "${CI:-}" = true ]; then
            record "$name" 0 1 "skipped (needs root), which fails under CI=true"
        else
            summary+=("$(printf '%-24s skipped (needs root)' "$name")")
        fi
    fi
done

echo
echo "=== summary (logs in $logdir)"
for line in "${summary[@]}"; do
    echo "$line"
done
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
