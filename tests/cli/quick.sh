#!/bin/bash
# tests/cli/quick.sh — dumpcheck --quick on custom archives reads chunk headers, not data
# (issue 10).
#
# Run from the repository root after `make`:
#     bash tests/cli/quick.sh            run the checks
#     bash tests/cli/quick.sh --regen    rewrite tests/cli/quick-custom.golden from the current
#                                        tools/dumpcheck (it was made by the version that read
#                                        every byte: review any diff)
#
# What is checked:
#   * every custom archive of corpus/pg* and every custom file of corpus/damaged: the --quick
#     findings (code, severity, offset, member, dump id) and summary numbers are exactly
#     those in tests/cli/quick-custom.golden, which the whole-file walk wrote;
#   * a 40 MiB custom archive made of 64 KiB chunks (pg_dump's lz4 framing): --quick reads
#     less than 5% of it (bytes counted by the kernel: /proc/self/io of the parent includes
#     the children it has reaped), and from a pipe, where it cannot seek, the same findings.
#
# Prints "ok - NAME" / "not ok - NAME" and ends with "N passed, N failed"; exit 1 on failure.
# Environment: DUMPCHECK (default tools/dumpcheck), DF_CORPUS (default corpus), PYTHON.

set -u
# shellcheck source=tests/harness.sh
. "$(dirname "$0")/../harness.sh"
export LC_ALL=C TZ=UTC

DUMPCHECK=${DUMPCHECK:-${DF_TOOLS_DIR:-tools}/dumpcheck}
CORPUS=${DF_CORPUS:-corpus}
PYTHON=${PYTHON:-python3}
GOLDEN=tests/cli/quick-custom.golden
REGEN=0
[ "${1:-}" = "--regen" ] && REGEN=1

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dumpcheck-quick.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

if [ ! -x "$DUMPCHECK" ]; then
    echo "not ok - $DUMPCHECK is not built (run make)"
    echo "0 passed, 1 failed"
    exit 1
fi

cat >"$TMP/quick.py" <<'EOF'
"""--quick findings as stable lines, and the bytes a run reads."""
import glob, json, os, subprocess, sys

def lines(tool, path, shown, stdin=None):
    p = subprocess.run([tool, "--quick", "--json", "-v", "--no-pg-restore-check", path],
                       capture_output=True, text=True, timeout=120, stdin=stdin)
    f = json.loads(p.stdout)["files"][0]
    out = ["%s\texit %d\t%s\t%s entries\t%s data\t%s stored\t%s lo" % (
        shown, p.returncode, f["verdict"], f["entries"], f["data_entries"], f["stored_bytes"],
        f["large_objects"])]
    for x in f["findings"]:
        out.append("%s\t%s\t%s\t%s\t%s\t%s" % (shown, x["code"], x["severity"], x["offset"],
                                               x.get("member"), x.get("dump_id")))
    return out

def golden(tool, corpus):
    files = sorted(glob.glob(corpus + "/pg*/*.custom.*dump") +
                   glob.glob(corpus + "/damaged/*custom*.dump"))
    for f in files:
        print("\n".join(lines(tool, f, os.path.relpath(f, corpus))))

def rchar():
    with open("/proc/self/io") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("rchar"))

def make_big(src, dst):
    """src with 640 chunks of 64 KiB added to its last stream (the large objects)."""
    data = open(src, "rb").read()
    assert data[-10:] == bytes(10), "the archive does not end in two zero ints"
    chunk = b"\x00" + (65536).to_bytes(4, "little") + bytes(range(256)) * 256
    open(dst, "wb").write(data[:-10] + chunk * 640 + data[-10:])

def bytes_read(tool, path):
    before = rchar()
    subprocess.run([tool, "--quick", "--no-pg-restore-check", path], capture_output=True,
                   timeout=120)
    print(rchar() - before, os.path.getsize(path))

def same_from_pipe(tool, path):
    a = lines(tool, path, "x")
    with open(path, "rb") as f:
        b = lines(tool, "-", "x", stdin=f)
    if a != b:
        print("file: %s\npipe: %s" % (a, b))
        sys.exit(1)

if __name__ == "__main__":
    globals()[sys.argv[1]](*sys.argv[2:])
EOF

if [ "$REGEN" -eq 1 ]; then
    "$PYTHON" "$TMP/quick.py" golden "$DUMPCHECK" "$CORPUS" >"$GOLDEN"
    ok "regenerated $GOLDEN ($(wc -l <"$GOLDEN") lines)"
    harness_finish
    exit
fi

"$PYTHON" "$TMP/quick.py" golden "$DUMPCHECK" "$CORPUS" >"$TMP/now" 2>&1
result "--quick findings of every custom archive and damaged custom file as before" \
    "$(cmp -s "$GOLDEN" "$TMP/now"; echo $?)" "$(diff "$GOLDEN" "$TMP/now" | head -n 8)"

if [ -r /proc/self/io ]; then
    "$PYTHON" "$TMP/quick.py" make_big "$CORPUS/pg18/sample.custom.gzip.dump" "$TMP/big.dump"
    read -r got size < <("$PYTHON" "$TMP/quick.py" bytes_read "$DUMPCHECK" "$TMP/big.dump")
    result "--quick on a 40 MiB custom archive of 64 KiB chunks reads < 5% of it" \
        "$([ "$got" -gt 0 ] && [ "$((got * 20))" -lt "$size" ]; echo $?)" \
        "read $got of $size bytes"
fi
"$PYTHON" "$TMP/quick.py" same_from_pipe "$DUMPCHECK" "$TMP/big.dump" >"$TMP/pipe" 2>&1
result "--quick of the big archive: the same from a pipe (read whole)" $? "$(head -c 400 "$TMP/pipe")"

harness_finish
