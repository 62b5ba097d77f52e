#!/bin/bash
# tests/fuzz/run.sh — runs libFuzzer targets one after another, each for SECONDS (default 600),
# with the README's memory flags, and prints per target: seconds run, executions, findings.
#   bash tests/fuzz/run.sh [-t SECONDS] [NAME...]   (NAME: walk_custom, verify, ...; default all)
# Run from the repository root after `make fuzz`.  New inputs go to build/fuzz/corpus/NAME (given
# first, so libFuzzer never writes into the corpus or the seeds), crashes to build/fuzz/artifacts/,
# the log to build/fuzz/logs/NAME.log.  Seeds: tests/fuzz/seeds/NAME and the corpus (directory
# archives packed by pack-dir.py for walk_dir).  Not part of `make check`.
set -u
cd "$(dirname "$0")/../.."
secs=600
if [ "${1:-}" = -t ]; then secs=$2; shift 2; fi
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(walk_custom walk_tar walk_dir verify roles list restorelog reader)
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16}
mkdir -p build/fuzz/logs build/fuzz/artifacts
for name in "${names[@]}"; do
    bin=build/fuzz/fuzz_$name
    [ -x "$bin" ] || { echo "$name: $bin not built (make fuzz)"; continue; }
    seeds=(tests/fuzz/seeds/$name)
    [ -d "${seeds[0]}" ] || seeds=()
    case $name in
    walk_dir)
        extra=build/fuzz/extra_walk_dir
        mkdir -p "$extra"
        for d in corpus/pg*/sample.dir.* corpus/damaged/*.dir.*; do
            [ -d "$d" ] && python3 tests/fuzz/pack-dir.py "$d" > "$extra/$(echo "$d" | tr / _).pack"
        done
        seeds+=("$extra") ;;
    restorelog) ;;
    list | roles) seeds+=(corpus) ;;
    *) seeds+=(corpus/pg10 corpus/pg15 corpus/pg16 corpus/pg18 corpus/pg93 corpus/damaged) ;;
    esac
    mkdir -p "build/fuzz/corpus/$name"
    log=build/fuzz/logs/$name.log
    start=$(date +%s)
    nice -n 19 "$bin" -rss_limit_mb=2048 -malloc_limit_mb=128 -max_len=65536 -timeout=30 \
        -max_total_time="$secs" -print_final_stats=1 \
        -artifact_prefix="build/fuzz/artifacts/$name-" \
        "build/fuzz/corpus/$name" "${seeds[@]}" >"$log" 2>&1
    rc=$?
    end=$(date +%s)
    execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
    found=$(grep -c -E '^==[0-9]+==ERROR|^SUMMARY|deadly signal|ALARM: working on the last Unit' "$log")
    echo "$name: $((end - start)) s, ${execs:-?} executions, exit $rc, findings: $found" \
         "$(grep -o 'Test unit written to .*' "$log" | head -n 1)"
done
