#!/usr/bin/env bash
# tests/run-all.sh — runs every dumpfmt test (what `make check` runs after building) and ends
# with exactly one line "N passed, N failed".  Keeps going after a failure so that every
# result shows; the exit status is non-zero if anything failed.
#
# Parts:
#   1. every Check program build/tests/check_NAME, one per tests/check_NAME.c; counts are read
#      from Check's "Checks: N, Failures: F, Errors: E" line
#   2. build/tests/fuzz_replay (ASan/UBSan) over every file and directory in the corpus, and
#      each build/tests/fuzz_replay_NAME over the same plus tests/fuzz/seeds/NAME/
#   3. tests/cli/*.sh (run.sh = dumpls; one script per tool), with the sanitizer builds of the
#      tools (build/asan/bin), and tests/live/*.sh (the same, lib.sh excepted) when they exist;
#      their LAST line must read "N passed, N failed"
# A part that exits non-zero without reporting a failure counts one failure (a sanitizer report,
# a leak, a crash after the summary); a part that reports nothing parseable counts one failure;
# so does a sanitizer report that a CLI part's tools wrote (to build/tests/logs/sanitizer/, so
# that it cannot pass for a tool's own exit status or messages).
#
# The parts run DF_TEST_JOBS at a time (default 2), the longest first as measured by the last
# run (build/tests/logs/durations); each part's output goes to build/tests/logs/NAME.log and
# is shown, whole, when the part ends.  The summary lists the parts in the order above.
#
# Two modes.  By default (make check) the sweeps run a deterministic sample: check_verify's and
# check_truncate's truncation sweeps cut at every kind of structure boundary but at an evenly
# spread share of each kind's offsets and fewer random ones; check_corpus reads its six
# full-matrix archives once per read(2) cap (the six still meet every cap x buffer pair);
# tests/cli/dumprepair.sh (every third), dumprepair_toc.sh, dumprepair_inserts.sh and
# tests/live/dumprepair.sh (every other one) cut at a share of their sweeps' offsets;
# tests/cli/dumpconvert.sh converts each archive into a third of the target formats x codecs,
# turning so that each archive version still meets every target.
# DF_TEST_FULL=1 (make check-full) runs every cut and the whole matrices (README.md, Testing);
# its durations go to build/tests/logs/durations.full, so that they do not reorder the default
# runs.
#
# Environment: DF_CORPUS (corpus directory, default "corpus"), DF_TEST_TIMEOUT (seconds per
# part, default 600), DF_TEST_JOBS (parts at once, default 2), DF_TOOLS_DIR (the tools the CLI
# parts run, default build/asan/bin), DF_TEST_FULL (1: the thorough mode), CI=true (a skipped
# live run is a failure).  Run from anywhere; it works from the repository root.
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
jobs_max=${DF_TEST_JOBS:-2}
[[ $jobs_max =~ ^[1-9][0-9]*$ ]] || { echo "run-all.sh: DF_TEST_JOBS must be a positive number"; exit 3; }
tools_dir=${DF_TOOLS_DIR:-build/asan/bin}

logdir=build/tests/logs
sandir=$PWD/$logdir/sanitizer # absolute: the parts may change directory
mkdir -p "$logdir" || exit 3
rm -rf "$sandir"

total_passed=0
total_failed=0
order=()                      # every part, in the order of the summary
declare -A res=()                # NAME -> its summary line
declare -A cmd_kind=() cmd_line=() # NAME -> check | counted | replay, and its command (quoted)
declare -A pid_name=()           # PID of a running part -> NAME
declare -A started=()            # NAME -> $SECONDS at its start
declare -A last_secs=()          # NAME -> its duration in the last run
declare -A ran_secs=()           # NAME -> its duration in this run
durations=$logdir/durations
[ "${DF_TEST_FULL:-}" = 1 ] && durations=$logdir/durations.full

# record NAME PASSED FAILED [NOTE]
record() {
    total_passed=$((total_passed + $2))
    total_failed=$((total_failed + $3))
    res[$1]=$(printf '%-24s %5d passed, %d failed%s' "$1" "$2" "$3" "${4:+  ($4)}")
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
parse_check_program() {
    local name=$1 log=$2 rc=$3 counts checks failed note=""
    counts=$(awk '
        match($0, /Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/) {
            split(substr($0, RSTART, RLENGTH), v, /[^0-9]+/)
            c += v[2]; f += v[3] + v[4]; n++
        }
        END { if (n) print c, f }' "$log")
    if [ -z "$counts" ]; then
        record "$name" 0 1 "no Check summary line; $(exit_note "$rc")"
        return
    fi
    read -r checks failed <<<"$counts"
    if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
        failed=1
        note=$(exit_note "$rc")
    fi
    record "$name" $((checks - failed < 0 ? 0 : checks - failed)) "$failed" "$note"
}

# Scripts and the replayer: the last line must be "N passed, N failed".  For the replayer a
# bare exit status is also accepted (1 check: exit 0 passes).  A sanitizer report written to
# the part's directory below $sandir is one more failure.
parse_counted() {
    local name=$1 log=$2 rc=$3 status_only=$4 last passed failed note="" reports
    last=$(tail -n 1 "$log")
    if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        passed=${BASH_REMATCH[1]}
        failed=${BASH_REMATCH[2]}
    elif [ "$status_only" = yes ]; then
        passed=$((rc == 0 ? 1 : 0))
        failed=$((rc == 0 ? 0 : 1))
        [ "$rc" -eq 0 ] || note=$(exit_note "$rc")
    else
        record "$name" 0 1 "last line is not \"N passed, N failed\"; $(exit_note "$rc")"
        return
    fi
    if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
        failed=1
        note=$(exit_note "$rc")
    fi
    reports=$(find "$sandir/$name" -type f 2>/dev/null | sort)
    if [ -n "$reports" ]; then
        failed=$((failed + 1))
        note="${note:+$note; }sanitizer report: $(echo "$reports" | head -n 1)"
        {
            echo "=== $name: sanitizer reports"
            while read -r f; do cat "$f"; done <<<"$reports"
        } >>"$log"
    fi
    record "$name" "$passed" "$failed" "$note"
}

# add_part NAME KIND COMMAND...: a part to run (KIND check, counted or replay).
add_part() {
    local name=$1 kind=$2
    shift 2
    order+=("$name")
    cmd_kind[$name]=$kind
    cmd_line[$name]=$(printf '%q ' "$@")
}

# add_result NAME PASSED FAILED NOTE | add_skip NAME TEXT: a part decided without running it.
add_result() {
    order+=("$1")
    record "$@"
}
add_skip() {
    order+=("$1")
    res[$1]=$(printf '%-24s %s' "$1" "$2")
}

# 1. Check programs, discovered from their sources so that a missing binary is a failure.
for src in tests/check_*.c; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .c)
    if [ -x "build/tests/$name" ]; then
        add_part "$name" check "build/tests/$name"
    else
        add_result "$name" 0 1 "not built: run make test-build"
    fi
done

# 2. The fuzz target's replayer over the whole corpus (archives, lists, scripts, damage).
if [ -e tests/fuzz/fuzz_reader.c ]; then
    if [ -x build/tests/fuzz_replay ]; then
        add_part fuzz_replay replay build/tests/fuzz_replay "$DF_CORPUS"/pg*/* "$DF_CORPUS"/damaged/*
    else
        add_result fuzz_replay 0 1 "not built: run make test-build"
    fi
fi
#    Every other target's replayer (tests/fuzz/fuzz_NAME.c -> build/tests/fuzz_replay_NAME) over
#    the same and its own seeds in tests/fuzz/seeds/NAME/.
for src in tests/fuzz/fuzz_*.c; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .c)
    name=${name#fuzz_}
    [ "$name" = reader ] && continue
    [ "$name" = convert ] && continue # tests/cli/dumpconvert.sh replays it (fuzz_convert_replay)
    seeds=()
    [ -d "tests/fuzz/seeds/$name" ] && seeds=(tests/fuzz/seeds/"$name"/*)
    if [ -x "build/tests/fuzz_replay_$name" ]; then
        add_part "fuzz_replay_$name" replay "build/tests/fuzz_replay_$name" \
            "$DF_CORPUS"/pg*/* "$DF_CORPUS"/damaged/* "${seeds[@]}"
    else
        add_result "fuzz_replay_$name" 0 1 "not built: run make test-build"
    fi
done

# 3. CLI golden tests: tests/cli/run.sh (dumpls) and every other tests/cli/*.sh (one per tool),
#    with the sanitizer builds of the tools.
for script in tests/cli/*.sh; do
    [ -e "$script" ] || continue
    name=$(basename "$script" .sh)
    [ "$name" = run ] && name=cli || name="cli-$name"
    add_part "$name" counted env DF_TOOLS_DIR="$tools_dir" \
        ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$sandir/$name/asan" \
        UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$sandir/$name/ubsan" bash "$script"
done

# 4. Live tests: tests/live/run.sh (dumpls) and every other tests/live/*.sh except lib.sh (one
#    per tool).  They start PostgreSQL as the postgres user, which needs root (or postgres).
for script in tests/live/*.sh; do
    [ -e "$script" ] || continue
    name=$(basename "$script" .sh)
    [ "$name" = lib ] && continue
    [ "$name" = run ] && name=live || name="live-$name"
    if [ "$(id -u)" -eq 0 ] || [ "$(id -un)" = postgres ]; then
        add_part "$name" counted bash "$script"
    else
        echo "$name: skipped (needs root)"
        if [ "${CI:-}" = true ]; then
            add_result "$name" 0 1 "skipped (needs root), which fails under CI=true"
        else
            add_skip "$name" "skipped (needs root)"
        fi
    fi
done

# ---- running the parts -----------------------------------------------------------------------
# Longest first (by the last run), so that the last part to start is a short one.  Without a
# last run, the parts that were the slowest on 2 loaded cores (seconds, measured in a fresh
# Debian 12 chroot) go first; a part never measured counts as 25 s.
last_secs=([check_verify]=440 [check_truncate]=170 [cli-dumprepair]=150 [cli]=120
    [cli-dumpconvert]=120 [check_corpus]=80 [live-dumprepair]=80 [cli-dumprepair_inserts]=80
    [cli-dumprepair_toc]=50 [cli-dumpcheck]=50 [cli-dumproles]=50 [check_codec]=40 [check_buf]=30
    [cli-dumprepair_read]=35 [live-dumprestore_drill]=32 [live-dumporder]=30 [cli-cutcheck]=70
    [check_splice]=30)
if [ -f "$durations" ]; then
    while read -r name secs; do
        [[ $secs =~ ^[0-9]+$ ]] && last_secs[$name]=$secs
    done <"$durations"
fi
queue=()
for name in "${order[@]}"; do
    [ -n "${cmd_kind[$name]:-}" ] && queue+=("${last_secs[$name]:-25} $name")
done
[ ${#queue[@]} -eq 0 ] || mapfile -t queue < <(printf '%s\n' "${queue[@]}" | sort -s -k1,1nr | awk '{ print $2 }')

# start_part NAME: in the background, with a time limit, its output to its log.  timeout runs it
# in its own process group and kills the whole group when the time is up.
start_part() {
    local name=$1
    mkdir -p "$sandir/$name"
    # exec: $! is then timeout's own process id.
    eval "exec timeout $timeout_s ${cmd_line[$name]}" >"$logdir/$name.log" 2>&1 </dev/null &
    pid_name[$!]=$name
    started[$name]=$SECONDS
}

# finish_part PID RC: show the part's log and record its result.
finish_part() {
    local pid=$1 rc=$2 name=${pid_name[$1]} log secs
    unset "pid_name[$pid]"
    log=$logdir/$name.log
    secs=$((SECONDS - started[$name]))
    ran_secs[$name]=$secs
    echo "=== $name (${secs}s)"
    [ "$rc" -eq 124 ] && echo "$name: timed out after ${timeout_s}s" >>"$log"
    case ${cmd_kind[$name]} in
    check) parse_check_program "$name" "$log" "$rc" ;;
    counted) parse_counted "$name" "$log" "$rc" no ;;
    replay) parse_counted "$name" "$log" "$rc" yes ;;
    esac
    cat "$log"
}

# An interrupt stops the running parts (by process id: timeout passes the signal on).
stop_parts() {
    local pid
    for pid in "${!pid_name[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    wait
    exit 130
}
trap stop_parts INT TERM

next=0
while [ "$next" -lt "${#queue[@]}" ] || [ "${#pid_name[@]}" -gt 0 ]; do
    while [ "$next" -lt "${#queue[@]}" ] && [ "${#pid_name[@]}" -lt "$jobs_max" ]; do
        echo "... ${queue[next]} started"
        start_part "${queue[next]}"
        next=$((next + 1))
    done
    done_pid=""
    wait -n -p done_pid
    rc=$?
    [ -n "$done_pid" ] && [ -n "${pid_name[$done_pid]:-}" ] && finish_part "$done_pid" "$rc"
done
trap - INT TERM
rmdir "$sandir"/* "$sandir" 2>/dev/null

for name in "${!ran_secs[@]}"; do
    echo "$name ${ran_secs[$name]}"
done | sort >"$durations.tmp" && mv "$durations.tmp" "$durations"

echo
echo "=== summary (logs in $logdir)"
for name in "${order[@]}"; do
    echo "${res[$name]}"
done
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
