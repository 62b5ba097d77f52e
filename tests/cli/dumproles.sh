#!/bin/bash
# tests/cli/dumproles.sh — CLI tests for dumproles (no server needed; tests/live/dumproles.sh
# covers -d against real clusters).
#
# What is checked:
#   * for every dump of corpus/MANIFEST.json (every format and version, plain, pg_dumpall and
#     globals scripts): `dumproles --names` is exactly its roles_referenced, --json holds the
#     same names and is valid JSON; the same through stdin for single files;
#   * the exact default output for one archive; --objects; --globals against complete,
#     reduced and compressed globals scripts; --create with and without a target;
#   * exit statuses: 0, 1 (missing roles), 2 (damaged), 3 (bad options, unreadable paths,
#     a --globals that is not pg_dumpall output, a cluster that cannot be reached, a failed
#     write), and the one-line error format;
#   * -d to a 127.0.0.1 listener that accepts and never answers gives up after the default
#     10 s, or PGCONNECT_TIMEOUT / connect_timeout (about 16 s of the run).
#
# Prints "ok - NAME" / "not ok - NAME" per case and ends with "N passed, N failed"; exits 1
# if anything failed.  Environment: DUMPROLES (default tools/dumproles), DF_CORPUS (default
# corpus), TIMEOUT seconds per run (default 120).

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export TZ=UTC LC_ALL=C

DUMPROLES=${DUMPROLES:-${DF_TOOLS_DIR:-tools}/dumproles}
CORPUS=${DF_CORPUS:-corpus}
TIMEOUT=${TIMEOUT:-120}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dumproles-cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out
ERR=$TMP/err
RC=0

run() {
    timeout "$TIMEOUT" "$DUMPROLES" "$@" >"$OUT" 2>"$ERR"
    RC=$?
}

run_in() {
    local in=$1
    shift
    timeout "$TIMEOUT" "$DUMPROLES" "$@" <"$in" >"$OUT" 2>"$ERR"
    RC=$?
}

err_text() { head -c 400 "$ERR"; }

# expect NAME STATUS EXPECTED-STDOUT-FILE [EXPECTED-STDERR-FILE]
expect() {
    local name=$1 want_rc=$2 want_out=$3 want_err=${4:-}
    if [ "$RC" -ne "$want_rc" ]; then
        not_ok "$name" "exit status $RC, want $want_rc" "$(err_text)"
    elif ! cmp -s "$want_out" "$OUT"; then
        not_ok "$name" "stdout differs:" "$(diff "$want_out" "$OUT" | head -n 8)"
    elif [ -n "$want_err" ] && ! cmp -s "$want_err" "$ERR"; then
        not_ok "$name" "stderr differs:" "$(diff "$want_err" "$ERR" | head -n 8)"
    else
        ok "$name"
    fi
}

# expect_error NAME STATUS REGEX: exactly one stderr line matching REGEX, nothing on stdout.
expect_error() {
    local name=$1 want=$2 regex=$3 lines
    lines=$(wc -l <"$ERR")
    if [ "$RC" -ne "$want" ]; then
        not_ok "$name" "exit status $RC, want $want" "$(err_text)"
    elif [ "$lines" -ne 1 ] || ! grep -Eq -- "$regex" "$ERR"; then
        not_ok "$name" "want one stderr line matching /$regex/:" "$(err_text)"
    elif [ -s "$OUT" ]; then
        not_ok "$name" "unexpected stdout: $(head -c 200 "$OUT")"
    else
        ok "$name"
    fi
}

if [ ! -x "$DUMPROLES" ]; then
    not_ok "$DUMPROLES is built"
    harness_finish
    exit 1
fi
# a copy: a rebuild of the tree while the tests run must not swap the binary under them
cp -- "$DUMPROLES" "$TMP/dumproles" && DUMPROLES=$TMP/dumproles

# ------------------------------------------------------------------ the corpus oracle

# "file<TAB>role" for every dump and role of MANIFEST.json.  The 9.3 plain script's list
# also holds "x; Tablespace: " for owners x: an artefact of the corpus generator, which
# split that release's header comment "Owner: x; Tablespace: " at the wrong place.  Such
# names are not roles and are left out (check_roles.c verifies each stands for a real owner).
# The generator also took every "Owner:" comment of a plain script; a name that only such
# comments hold (every occurrence follows "Owner: ") is named by no statement: left out too.
python3 - "$CORPUS/MANIFEST.json" >"$TMP/oracle.tsv" <<'PYEOF'
import json, os, sys

def only_in_owner_comments(text, name):
    i = text.find(name)
    while i >= 0:
        if text[max(0, i - 7):i] != "Owner: ":
            return False
        i = text.find(name, i + 1)
    return True

corpus = os.path.dirname(sys.argv[1])
for d in json.load(open(sys.argv[1], encoding="utf-8"))["dumps"]:
    f = d["file"].rstrip("/")
    text = None
    if f.endswith(".sql"):
        text = open(os.path.join(corpus, f), encoding="utf-8", errors="replace").read()
    for r in d["roles_referenced"]:
        if r.endswith("; Tablespace: "):
            continue
        if text is not None and only_in_owner_comments(text, r):
            continue
        print("%s\t%s" % (f, r))
PYEOF
cut -f1 "$TMP/oracle.tsv" | sort -u >"$TMP/files"
if [ "$(wc -l <"$TMP/files")" -lt 40 ]; then
    not_ok "MANIFEST.json lists the corpus dumps" "$(wc -l <"$TMP/files") files"
fi

while IFS= read -r rel; do
    awk -F '\t' -v f="$rel" '$1 == f { print $2 }' "$TMP/oracle.tsv" | sort >"$TMP/want"
    run --names "$CORPUS/$rel"
    sort "$OUT" >"$TMP/got"
    if [ "$RC" -ne 0 ]; then
        not_ok "$rel: --names == roles_referenced" "exit status $RC" "$(err_text)"
    elif ! cmp -s "$TMP/want" "$TMP/got"; then
        not_ok "$rel: --names == roles_referenced" "$(diff "$TMP/want" "$TMP/got" | head -n 8)"
    else
        ok "$rel: --names == roles_referenced"
    fi
    run --json "$CORPUS/$rel"
    if [ "$RC" -eq 0 ] && python3 -c '
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
names = sorted(r["name"] for r in doc["roles"])
want = [l.rstrip("\n") for l in open(sys.argv[2], encoding="utf-8")]
sys.exit(0 if names == sorted(want) and doc["target"] is None and doc["missing"] is None else 1)
' "$OUT" "$TMP/want"; then
        ok "$rel: --json holds the same roles"
    else
        not_ok "$rel: --json holds the same roles" "exit status $RC" "$(head -c 300 "$OUT")"
    fi
    if [ -f "$CORPUS/$rel" ]; then
        run_in "$CORPUS/$rel" --names -
        sort "$OUT" >"$TMP/got"
        # from stdin a plain script cannot be read twice: script-level SET ROLE / \connect are
        # not seen, which the corpus scripts do not use
        if [ "$RC" -eq 0 ] && cmp -s "$TMP/want" "$TMP/got"; then
            ok "$rel: --names - (stdin) == roles_referenced"
        else
            not_ok "$rel: --names - (stdin) == roles_referenced" "exit status $RC" \
                "$(diff "$TMP/want" "$TMP/got" | head -n 6)"
        fi
    fi
done <"$TMP/files"

# ------------------------------------------------------------------ exact output

A18=$CORPUS/pg18/sample.custom.gzip.dump
cat >"$TMP/want" <<'EOF'
AuditBot	grantee=6 policy=1 objects=0
Data Steward	owner=33 grantee=1 default-privileges=1 policy=1 objects=7
app_owner	owner=131 default-privileges=3 objects=26
app_readers	grantee=16 policy=1 objects=0
app_writer	owner=7 grantee=3 objects=2
app_writers	grantee=9 policy=1 objects=0
ops_admin	grantee=1 objects=0
pg_database_owner	owner=1 objects=0 built-in only-with=session-authorization
postgres	owner=14 objects=9
reporting	owner=7 grantee=3 default-privileges=1 policy=1 objects=2
EOF
: >"$TMP/empty"
run "$A18"
expect "default output (pg18 custom)" 0 "$TMP/want" "$TMP/empty"
run_in "$A18" -
expect "default output from stdin is the same" 0 "$TMP/want" "$TMP/empty"
run "$CORPUS/pg18/sample.dir.zstd"
expect "default output of the directory archive is the same" 0 "$TMP/want" "$TMP/empty"

cat >"$TMP/want" <<'EOF'
2868; 3256 16841 POLICY audit events events_steward Data Steward	owner,policy
2253; 826 16844 DEFAULT ACL - DEFAULT PRIVILEGES FOR FUNCTIONS Data Steward	owner,default-privileges
EOF
run --objects "Data Steward" "$A18"
tail -n 2 "$OUT" >"$TMP/got"
if [ "$RC" -eq 0 ] && cmp -s "$TMP/want" "$TMP/got" && [ "$(wc -l <"$OUT")" -eq 33 ]; then
    ok "--objects lists the 33 entries that name \"Data Steward\""
else
    not_ok "--objects lists the 33 entries that name \"Data Steward\"" "exit status $RC" \
        "$(diff "$TMP/want" "$TMP/got" | head -n 6)"
fi
run --objects AuditBot "$CORPUS/pg18/sample.plain.sql"
if [ "$RC" -eq 0 ] && grep -q 'ACL sales COLUMN customers.notes app_owner	grantee$' "$OUT" &&
    grep -q 'POLICY sales customers customers_audit app_owner	policy$' "$OUT"; then
    ok "--objects in a plain script: column ACL and policy"
else
    not_ok "--objects in a plain script: column ACL and policy" "$(head -c 300 "$OUT")"
fi
run --objects nobody "$A18"
expect_error "--objects of a role the dump does not name: a note, exit 0" 0 \
    '^dumproles: .*: role "nobody" is not referenced$'
run --json --objects reporting "$A18"
if [ "$RC" -eq 0 ] && python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
kinds = {k for e in doc["entries"] for k in e["kinds"]}
sys.exit(0 if {"owner", "grantee", "policy", "default-privileges"} <= kinds else 1)' "$OUT"; then
    ok "--json --objects: the entries with their kinds"
else
    not_ok "--json --objects: the entries with their kinds" "$(head -c 300 "$OUT")"
fi

# ------------------------------------------------------------------ --globals

G18=$CORPUS/pg18/globals.sql
run --globals "$G18" "$A18"
printf 'dumproles: every role the dump needs exists in the globals script\n' >"$TMP/want_err"
expect "--globals with every role: nothing listed, exit 0" 0 "$TMP/empty" "$TMP/want_err"
gzip -c "$G18" >"$TMP/globals.sql.gz"
run --globals "$TMP/globals.sql.gz" "$A18"
expect "--globals gzip-compressed: the same" 0 "$TMP/empty" "$TMP/want_err"
run --globals "$CORPUS/pg18/dumpall.sql" "$CORPUS/pg15/sample.tar"
expect "--globals a whole pg_dumpall script: the same" 0 "$TMP/empty" "$TMP/want_err"

# the target lacks two roles (the memberships that name them stay in the script)
grep -v -E '^(CREATE|ALTER) ROLE ("AuditBot"|reporting)[ ;]' "$G18" >"$TMP/reduced.sql"
printf 'AuditBot\nreporting\n' >"$TMP/want"
printf 'dumproles: 2 of 10 roles the dump needs are missing from the globals script\n' \
    >"$TMP/want_err"
run --names --globals "$TMP/reduced.sql" "$A18"
expect "--globals lacking two roles: --names lists them, exit 1" 1 "$TMP/want" "$TMP/want_err"
run --globals "$TMP/reduced.sql" "$CORPUS/pg93/sample.plain.sql"
if [ "$RC" -eq 1 ] && [ "$(cut -f1 "$OUT")" = "$(printf 'AuditBot\nreporting')" ]; then
    ok "--globals lacking two roles, 9.3 plain script: the lines of those two, exit 1"
else
    not_ok "--globals lacking two roles, 9.3 plain script: the lines of those two, exit 1" \
        "exit status $RC" "$(head -c 300 "$OUT")"
fi
run --json --globals "$TMP/reduced.sql" "$A18"
if [ "$RC" -eq 1 ] && python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
ok = doc["missing"] == ["AuditBot", "reporting"] and doc["target"]["kind"] == "globals"
ok = ok and [r["name"] for r in doc["roles"] if r["missing"]] == doc["missing"]
sys.exit(0 if ok else 1)' "$OUT"; then
    ok "--json --globals: missing and per-role flags"
else
    not_ok "--json --globals: missing and per-role flags" "$(head -c 300 "$OUT")"
fi

run --create --globals "$TMP/reduced.sql" "$A18"
if [ "$RC" -eq 1 ] && grep -q '^        CREATE ROLE "AuditBot" NOLOGIN;$' "$OUT" &&
    grep -q '^        CREATE ROLE reporting NOLOGIN;$' "$OUT" &&
    [ "$(grep -c 'CREATE ROLE' "$OUT")" -eq 2 ] &&
    grep -q '^        GRANT "Data Steward" TO "AuditBot";$' "$OUT" &&
    grep -q '^        GRANT app_readers TO reporting;$' "$OUT" &&
    [ "$(grep -c '^        GRANT ' "$OUT")" -eq 2 ]; then
    ok "--create: exactly the two roles and the memberships that name them"
else
    not_ok "--create: exactly the two roles and the memberships that name them" \
        "exit status $RC" "$(grep -E 'CREATE ROLE|GRANT' "$OUT" | head -n 8)"
fi
run --create "$A18"
if [ "$RC" -eq 0 ] && [ "$(grep -c 'CREATE ROLE' "$OUT")" -eq 9 ] &&
    ! grep -q 'CREATE ROLE pg_database_owner' "$OUT"; then
    ok "--create without a target: every role but the built-in one, exit 0"
else
    not_ok "--create without a target: every role but the built-in one, exit 0" \
        "exit status $RC" "$(grep 'CREATE ROLE' "$OUT" | head -n 4)"
fi

run --globals "$CORPUS/pg18/sample.custom.none.dump" "$A18"
expect_error "--globals that is not pg_dumpall output: exit 3" 3 \
    '^dumproles: .*sample.custom.none.dump: not a pg_dumpall script'
run --globals "$CORPUS/pg18/sample.plain.sql" "$A18"
expect_error "--globals a pg_dump script: exit 3" 3 'not a pg_dumpall script'
run --globals "$TMP/nonexistent.sql" "$A18"
expect_error "--globals missing: exit 3" 3 '^dumproles: .*nonexistent.sql: could not open'

# ------------------------------------------------------------------ -d

run -d "host=$TMP port=1 dbname=x connect_timeout=5" "$A18"
expect_error "-d to no server: exit 3 with libpq's message" 3 \
    '^dumproles: could not connect: .*(No such file|Connection refused|connect)'

# A server that accepts and never answers: libpq alone would wait for ever.  A python3
# listener on 127.0.0.1 (it lives at most 60 s) takes the connections and stays silent.
silent_listener() {
    python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
s.settimeout(1)
held, end = [], time.time() + 60
while time.time() < end:
    try:
        held.append(s.accept()[0])
    except socket.timeout:
        pass
' >"$TMP/port" &
    LISTENER=$!
    for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
    PORT=$(cat "$TMP/port")
}

# timed_run NAME WANT-MIN WANT-MAX ENV... -- ARGS...: exit 3 with libpq's timeout message after
# WANT-MIN to WANT-MAX seconds.
timed_run() {
    local name=$1 lo=$2 hi=$3 t0 secs
    shift 3
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    t0=$(date +%s%N)
    env -u PGCONNECT_TIMEOUT -u PGSERVICE "${envs[@]}" timeout 40 "$DUMPROLES" "$@" \
        >"$OUT" 2>"$ERR"
    RC=$?
    secs=$((($(date +%s%N) - t0) / 1000000000))
    if [ "$RC" -ne 3 ]; then
        not_ok "$name" "exit status $RC after $secs s, want 3" "$(err_text)"
    elif [ "$secs" -lt "$lo" ] || [ "$secs" -gt "$hi" ]; then
        not_ok "$name" "gave up after $secs s, want $lo to $hi"
    elif [ "$(wc -l <"$ERR")" -ne 1 ] ||
        ! grep -Eq '^dumproles: could not connect: .*timeout expired' "$ERR"; then
        not_ok "$name" "want one line \"could not connect: ... timeout expired\":" "$(err_text)"
    else
        ok "$name"
    fi
}

if command -v python3 >/dev/null; then
    silent_listener
    if [ -n "$PORT" ]; then
        timed_run "-d to a silent server: exit 3 after the default 10 s" 9 15 -- \
            -d "host=127.0.0.1 port=$PORT dbname=x" "$A18"
        timed_run "-d to a silent server: PGCONNECT_TIMEOUT=2 is honoured" 1 5 \
            PGCONNECT_TIMEOUT=2 -- -d "host=127.0.0.1 port=$PORT dbname=x" "$A18"
        timed_run "-d to a silent server: connect_timeout=2 in the conninfo is honoured" 1 5 -- \
            -d "host=127.0.0.1 port=$PORT dbname=x connect_timeout=2" "$A18"
        timed_run "-d to a silent server: connect_timeout in a URI is honoured" 1 5 -- \
            -d "postgresql://127.0.0.1:$PORT/x?connect_timeout=2" "$A18"
    else
        not_ok "silent listener started"
    fi
    kill "$LISTENER" 2>/dev/null
    wait "$LISTENER" 2>/dev/null
fi

# ------------------------------------------------------------------ damaged dumps

run "$CORPUS/damaged/pg18-sample.custom.gzip.trunc-toc.dump"
expect_error "TOC cut short: exit 2" 2 '^dumproles: .*trunc-toc.dump: offset [0-9]+: '
run "$CORPUS/damaged/random.dump"
expect_error "not a dump: exit 2" 2 '^dumproles: .*random.dump: '
run "$CORPUS/damaged/empty.dump"
expect_status_2=$RC
[ "$expect_status_2" -eq 2 ] && ok "empty file: exit 2" || not_ok "empty file: exit 2" "$RC"
run "$CORPUS/damaged/pg18-sample.plain.trunc-trailer.sql"
if [ "$RC" -eq 2 ] && grep -q 'dump complete' "$ERR" && [ -s "$OUT" ]; then
    ok "plain script without its trailer: the roles seen, a warning, exit 2"
else
    not_ok "plain script without its trailer: the roles seen, a warning, exit 2" \
        "exit status $RC" "$(err_text)"
fi
# damage in table data does not hide a role: the TOC is whole
run --names "$A18"
cp "$OUT" "$TMP/intact"
run --names "$CORPUS/damaged/pg18-sample.custom.gzip.trunc-chunk.dump"
expect "data cut short, TOC whole: the same roles, exit 0" 0 "$TMP/intact"

# ------------------------------------------------------------------ options

run "$TMP/nonexistent.dump"
expect_error "missing dump: exit 3" 3 '^dumproles: .*nonexistent.dump: could not open'
run
if [ "$RC" -eq 3 ] && [ "$(head -n 1 "$ERR")" = "dumproles: no dump given" ] && [ ! -s "$OUT" ]; then
    ok "no dump: exit 3"
else
    not_ok "no dump: exit 3" "exit status $RC" "$(err_text)"
fi
run --no-such-option "$A18"
if [ "$RC" -eq 3 ] && grep -q 'Try "dumproles --help"' "$ERR"; then
    ok "unknown option: exit 3 and a hint"
else
    not_ok "unknown option: exit 3 and a hint" "exit status $RC" "$(err_text)"
fi
run --names --create "$A18"
if [ "$RC" -eq 3 ] && grep -q 'cannot be combined' "$ERR"; then
    ok "--names with --create: exit 3"
else
    not_ok "--names with --create: exit 3" "exit status $RC" "$(err_text)"
fi
run --help
if [ "$RC" -eq 0 ] && grep -q -- '--globals=FILE' "$OUT" && grep -q 'Exit status' "$OUT"; then
    ok "--help"
else
    not_ok "--help" "exit status $RC"
fi
run --version
if [ "$RC" -eq 0 ] && grep -Eq '^dumproles \(dumpfmt\) [0-9]+\.[0-9]+\.[0-9]+$' "$OUT"; then
    ok "--version"
else
    not_ok "--version" "$(cat "$OUT")"
fi
if [ -w /dev/full ]; then
    timeout "$TIMEOUT" "$DUMPROLES" "$A18" >/dev/full 2>"$ERR"
    RC=$?
    if [ "$RC" -eq 3 ] && grep -q 'could not write' "$ERR"; then
        ok "write error: exit 3"
    else
        not_ok "write error: exit 3" "exit status $RC" "$(err_text)"
    fi
fi

harness_finish
