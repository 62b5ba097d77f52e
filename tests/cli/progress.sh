#!/bin/bash
# tests/cli/progress.sh — the progress line of every tool that reads data (issue 10 §3), seen
# on a real terminal: each run happens in a tmux window whose raw output is logged
# (pipe-pane), then the final screen is captured.
#
# Run from the repository root after `make`:  bash tests/cli/progress.sh
#
# What is checked:
#   * slow pipes (a python3 writer that trickles the file): "120 KiB 85 KiB/s TABLE DATA
#     s.t" — bytes, rate and entry, no percent — for dumpls --long (custom), dumpcheck
#     (plain script), dumproles (plain script);
#   * files, read through a slow-disk preload (slowread.so) so that several redraws happen:
#     "43% 120/279 KiB 85 KiB/s ETA 0:02 TABLE DATA s.t" for dumpls --long (custom), dumpls
#     (plain script, read at open), dumpcheck (custom) and dumporder --measure (custom); a
#     gzip-compressed script shows the size of the compressed file (stat) as its total;
#   * redraws use \r on one line, at most four a second, and the final screen holds no
#     progress line; stdout is the same as without progress;
#   * --no-progress and -q on a terminal, and any tool whose stderr is not a terminal: no
#     progress bytes at all.
#
# Prints "ok - NAME" / "not ok - NAME" and ends with "N passed, N failed"; exit 1 on failure.
# Environment: DUMPLS, DUMPCHECK, DUMPORDER, DUMPROLES (default tools/NAME), DF_CORPUS
# (default corpus), PYTHON (default python3).  Without tmux the script skips (fails when
# CI=true).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export LC_ALL=C TZ=UTC

abs() { (cd "$(dirname "$1")" && echo "$PWD/$(basename "$1")"); }
DUMPLS=$(abs "${DUMPLS:-${DF_TOOLS_DIR:-tools}/dumpls}")
DUMPCHECK=$(abs "${DUMPCHECK:-${DF_TOOLS_DIR:-tools}/dumpcheck}")
DUMPORDER=$(abs "${DUMPORDER:-${DF_TOOLS_DIR:-tools}/dumporder}")
DUMPROLES=$(abs "${DUMPROLES:-${DF_TOOLS_DIR:-tools}/dumproles}")
CORPUS=$(abs "${DF_CORPUS:-corpus}")
PYTHON=${PYTHON:-python3}

if ! command -v tmux >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then
        not_ok "tmux is installed (scripts/deps.sh test)"
    else
        echo "# tmux is not installed: skipped (scripts/deps.sh test installs it)"
    fi
    harness_finish
    exit
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/progress-cli.XXXXXX") || exit 1
SOCK=dfprogress$$
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

# Short names: the progress line must fit the 200-column window with the entry in it.
cp "$CORPUS/pg18/sample.custom.gzip.dump" "$TMP/gz.dump"
cp "$CORPUS/pg18/sample.custom.none.dump" "$TMP/none.dump"
cp "$CORPUS/pg15/sample.custom.none.dump" "$TMP/none15.dump"
cp "$CORPUS/pg18/sample.plain.sql" "$TMP/plain.sql"
cp "$CORPUS/pg18/sample.plain.inserts.sql" "$TMP/inserts.sql"
gzip -c "$CORPUS/pg18/sample.plain.inserts.sql" >"$TMP/inserts.sql.gz"

# slow.py FILE CHUNK: FILE to stdout, CHUNK bytes every 50 ms (a slow network pipe).
cat >"$TMP/slow.py" <<'EOF'
import sys, time
chunk = int(sys.argv[2])
with open(sys.argv[1], "rb") as f:
    try:
        while True:
            b = f.read(chunk)
            if not b:
                break
            sys.stdout.buffer.write(b)
            sys.stdout.buffer.flush()
            time.sleep(0.05)
    except BrokenPipeError:
        pass
EOF
# slowread.so: a slow disk under LD_PRELOAD — every read(2) of a regular file waits 30 ms and
# returns at most 16 KiB, so reading a corpus file takes about a second and the tool redraws
# several times with a rate and an ETA.  Short reads are legal; results must not change.
cat >"$TMP/slowread.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

ssize_t read(int fd, void *buf, size_t n)
{
    static ssize_t (*real)(int, void *, size_t);
    struct stat st;

    if (real == NULL)
        real = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
    if (fd > 2 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        struct timespec ts = {0, 30000000};
        nanosleep(&ts, NULL);
        if (n > 16384)
            n = 16384;
    }
    return real(fd, buf, n);
}
EOF
if ! ${CC:-cc} -shared -fPIC -o "$TMP/slowread.so" "$TMP/slowread.c" -ldl; then
    not_ok "the slow-read preload library builds"
    harness_finish
    exit
fi
# An ASan build of the tools accepts the preload too.
SLOW="env LD_PRELOAD=$TMP/slowread.so ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0"

tmux -L "$SOCK" -f /dev/null new-session -d -s main -x 200 -y 50 "sleep 600" || {
    not_ok "tmux starts a server"
    harness_finish
    exit
}

# on_tty NAME 'SHELL COMMAND': run it in a tmux window of its own (stderr is the terminal,
# stdout goes where the command says); $TMP/NAME.log gets every byte the window received,
# $TMP/NAME.screen the screen at the end, $TMP/NAME.rc the exit status.
on_tty() {
    local name=$1 cmd=$2 i
    cat >"$TMP/$name.sh" <<EOF
cd "$TMP" || exit 3
while [ ! -e "$name.go" ]; do sleep 0.02; done
$cmd
echo \$? >"$name.rc.tmp" && mv "$name.rc.tmp" "$name.rc"
exec sleep 600
EOF
    : >"$TMP/$name.log"
    tmux -L "$SOCK" new-window -d -t main -n "$name" "bash $TMP/$name.sh"
    tmux -L "$SOCK" pipe-pane -t "main:$name" -o "cat >>$TMP/$name.log"
    touch "$TMP/$name.go"
    for ((i = 0; i < 600; i++)); do
        [ -e "$TMP/$name.rc" ] && break
        sleep 0.05
    done
    sleep 0.2 # let tmux pass the last bytes on
    tmux -L "$SOCK" capture-pane -p -t "main:$name" >"$TMP/$name.screen"
    tmux -L "$SOCK" kill-window -t "main:$name"
}

# The log with \r and erase-line codes as newlines: one redraw per line.
draws() { tr '\r\033' '\n\n' <"$TMP/$1.log" | sed 's/^\[K//'; }

NUM='[0-9]+(\.[0-9])?'
UNIT='(B|KiB|MiB|GiB)'
KNOWN="[0-9]+% $NUM/$NUM $UNIT $NUM $UNIT/s ETA [0-9]+:[0-9]{2} TABLE DATA [a-z_]+\.[a-z_]+"
UNKNOWN="$NUM $UNIT $NUM $UNIT/s TABLE DATA [a-z_]+\.[a-z_]+"

# expect_line NAME WHAT REGEX: some redraw of NAME matches.
expect_line() {
    draws "$1" | grep -Eq "$3"
    check "$1: $2" $? "redraws: $(draws "$1" | grep -c .)" "$(draws "$1" | head -5)"
}

# A progress line after "TOOL: " (findings on stderr are not).
PCRE='(?:\S+: )?(?:\d+% )?[\d.]+(?:/[\d.]+)? (?:B|KiB|MiB|GiB)'

# clean_end NAME TOOL STATUS: the exit status, the final screen holds no progress line, and
# every redraw starts with \r (one line redrawn in place).
clean_end() {
    local name=$1 tool=$2 want=$3 rc all cr
    rc=$(cat "$TMP/$name.rc" 2>/dev/null || echo none)
    check "$name: exit $want" "$([ "$rc" = "$want" ]; echo $?)" "exit $rc"
    ! grep -Eq "$tool: .*(%|/s)" "$TMP/$name.screen"
    check "$name: no progress left on the screen" $? "$(cat "$TMP/$name.screen")"
    all=$(grep -aoP "$tool: $PCRE" "$TMP/$name.log" | wc -l)
    cr=$(grep -aoP "\r$tool: $PCRE" "$TMP/$name.log" | wc -l)
    check "$name: redrawn in place with \\r" "$([ "$all" -ge 1 ] && [ "$all" = "$cr" ]; echo $?)" \
        "$all redraws, $cr after \\r"
}

# ---- slow pipes: no total, so bytes and rate -------------------------------------------------
on_tty ls_pipe "$PYTHON slow.py gz.dump 8192 | $DUMPLS --long - >ls_pipe.out"
expect_line ls_pipe "bytes, rate and entry" "^dumpls: $UNKNOWN"
draws ls_pipe | grep -q '%'
check "ls_pipe: no percent without a total" "$((1 - $?))" "$(draws ls_pipe | grep '%' | head -3)"
clean_end ls_pipe dumpls 0
"$DUMPLS" --long --no-progress "$TMP/gz.dump" >"$TMP/ls_ref.out"
cmp -s "$TMP/ls_ref.out" "$TMP/ls_pipe.out"
check "ls_pipe: stdout as without progress" $? "$(diff "$TMP/ls_ref.out" "$TMP/ls_pipe.out" | head -5)"

cat "$TMP/plain.sql" | "$DUMPCHECK" --no-pg-restore-check - >/dev/null 2>&1
ck_pipe_rc=$?
on_tty ck_pipe "$PYTHON slow.py plain.sql 16384 | $DUMPCHECK --no-pg-restore-check - >/dev/null"
expect_line ck_pipe "bytes, rate and entry of a plain script" "^dumpcheck: -: $UNKNOWN"
clean_end ck_pipe dumpcheck "$ck_pipe_rc"

on_tty roles_pipe "$PYTHON slow.py plain.sql 16384 | $DUMPROLES - >roles.out"
expect_line roles_pipe "bytes, rate and entry of a plain script" "^dumproles: -: $UNKNOWN"
clean_end roles_pipe dumproles 0

# ---- files: percent, rate, ETA ---------------------------------------------------------------
on_tty ls_file "$SLOW $DUMPLS --long none.dump >ls_file.out"
expect_line ls_file "percent, rate, ETA and entry" "^dumpls: $KNOWN"
clean_end ls_file dumpls 0
"$DUMPLS" --long --no-progress "$TMP/none.dump" >"$TMP/ls_ref2.out"
cmp -s "$TMP/ls_ref2.out" "$TMP/ls_file.out"
check "ls_file: stdout as without progress" $? "$(diff "$TMP/ls_ref2.out" "$TMP/ls_file.out" | head -5)"
n=$(draws ls_file | grep -c '^dumpls: ')
check "ls_file: several redraws" "$([ "$n" -ge 2 ]; echo $?)" "$n redraws"

on_tty ls_plain "$SLOW $DUMPLS plain.sql >/dev/null"
expect_line ls_plain "a plain script read at open" "^dumpls: $KNOWN"
clean_end ls_plain dumpls 0

# The total of a compressed script is the compressed file (stat), not the script.
gz_kib=$(($(stat -c %s "$TMP/inserts.sql.gz") / 1024))
on_tty ls_gz "$SLOW $DUMPLS inserts.sql.gz >/dev/null"
expect_line ls_gz "compressed script: percent of the compressed file" \
    "^dumpls: [0-9]+% $NUM/($gz_kib|$((gz_kib + 1))) KiB "
clean_end ls_gz dumpls 0

"$DUMPCHECK" --no-pg-restore-check "$TMP/none.dump" >/dev/null 2>&1
ck_file_rc=$?
on_tty ck_file "$SLOW $DUMPCHECK --no-pg-restore-check none.dump >/dev/null"
expect_line ck_file "percent, rate, ETA and entry" "^dumpcheck: none.dump: $KNOWN"
clean_end ck_file dumpcheck "$ck_file_rc"

on_tty order_file "$SLOW $DUMPORDER -j4 --measure none15.dump >/dev/null"
expect_line order_file "--measure: percent, rate, ETA and entry" "^dumporder: $KNOWN"
clean_end order_file dumporder 0

# At most four redraws a second: the slow pipe of ls_pipe lasts about a second.
n=$(draws ls_pipe | grep -c '^dumpls: ')
secs=$(($(stat -c %s "$TMP/gz.dump") / 8192 / 20 + 1))
check "at most four redraws a second" "$([ "$n" -ge 1 ] && [ "$n" -le $((4 * secs + 2)) ]; echo $?)" \
    "$n redraws in about $secs s"

# ---- off ---------------------------------------------------------------------------------------
on_tty ls_off "$PYTHON slow.py gz.dump 32768 | $DUMPLS --long --no-progress - >/dev/null"
check "--no-progress on a terminal: nothing" "$([ ! -s "$TMP/ls_off.log" ]; echo $?)" \
    "$(head -c 200 "$TMP/ls_off.log")"
on_tty ls_quiet "$PYTHON slow.py gz.dump 32768 | $DUMPLS --long -q - >/dev/null"
check "-q on a terminal: nothing" "$([ ! -s "$TMP/ls_quiet.log" ]; echo $?)" \
    "$(head -c 200 "$TMP/ls_quiet.log")"

# Not a terminal: no progress bytes whatever the tool.
for t in "$DUMPLS --long $TMP/none.dump" "$DUMPLS $TMP/inserts.sql" \
    "$DUMPCHECK --no-pg-restore-check $TMP/none.dump" "$DUMPORDER -j4 --measure $TMP/none15.dump" \
    "$DUMPROLES $TMP/plain.sql"; do
    $t >/dev/null 2>"$TMP/err"
    ! grep -Eq "iB/s|$(printf '\r')" "$TMP/err"
    check "stderr not a terminal: no progress (${t##*/})" $? "$(head -c 200 "$TMP/err")"
done

harness_finish
