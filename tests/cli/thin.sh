#!/bin/bash
# tests/cli/thin.sh — the tools stay thin (issue 11): every tools/dumpNAME.c (a tool) is at most
# 400 lines, no file under tools/ includes the library's private internal.h, and each tool built
# from the shared-module archive (build/obj/tools/libtools.a) links only what it calls: the tools
# that make no libpq call do not depend on libpq.
#
# Prints "ok - NAME" / "not ok - NAME" per case and ends with "N passed, N failed"; exits 1 if
# anything failed.  Run from the repository root.  Environment: DF_TOOLS_DIR (default tools).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export LC_ALL=C

TOOLS_DIR=${DF_TOOLS_DIR:-tools}
MAX_LINES=400

for src in tools/dump*.c; do
    n=$(wc -l <"$src")
    check "$src: $n lines, at most $MAX_LINES" "$([ "$n" -le "$MAX_LINES" ]; echo $?)"
done

bad=$(grep -l '#include *"internal.h"' tools/*.c tools/*.h 2>/dev/null)
check "no file under tools/ includes internal.h" "$([ -z "$bad" ]; echo $?)" "$bad"

# libpq: only dumproles (-d) calls it; a tool that links pgroles.c without needing it would
# depend on libpq.so (the shared modules are an archive for this reason).
for tool in dumpls dumpcheck dumporder dumpdiag; do
    bin=$TOOLS_DIR/$tool
    [ -x "$bin" ] || continue
    if ldd "$bin" 2>/dev/null | grep -q 'libpq\.so'; then
        not_ok "$tool does not depend on libpq" "$(ldd "$bin" | grep libpq)"
    else
        ok "$tool does not depend on libpq"
    fi
done

harness_finish
