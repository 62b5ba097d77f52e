#!/usr/bin/env python3
# tests/live/values.py — the differential half of tests/live/values.sh: for each supported type,
# values PostgreSQL 15 prints (COPY TO of generate_series and edge cases) and seeded mutations of
# them (byte flips, truncations, insertions) are judged by the server (SELECT 'v'::type in a
# PL/pgSQL exception block, one psql call) and by dumpcheck's value checks (the
# valuecheck_oracle helper).  Prints one "ok"/"not ok" line per type and its rates; exit 1 on a
# false positive, a printed value flagged, or fewer than 95% of the rejected values flagged.
# Usage: values.py PSQL-ARGS-AS-ONE-STRING ORACLE WORKDIR
import random, subprocess, sys

PSQL, ORACLE, WORK = sys.argv[1].split(), sys.argv[2], sys.argv[3]

G = "generate_series(1, 1000) g"
TYPES = [
    ("smallint", "smallint", f"SELECT (g * 65 - 32768)::smallint FROM generate_series(0, 1008) g UNION ALL VALUES (32767::smallint), (-32768)"),
    ("integer", "integer", f"SELECT (g::bigint * 2147483)::int FROM generate_series(-600, 600) g UNION ALL VALUES (2147483647), (-2147483648), (0)"),
    ("bigint", "bigint", f"SELECT g * 9223372036854775 FROM generate_series(-600, 600) g UNION ALL VALUES (9223372036854775807), (-9223372036854775808)"),
    ("oid", "oid", f"SELECT (g::bigint * 4294967)::oid FROM generate_series(0, 1000) g UNION ALL VALUES (4294967295::oid)"),
    ("numeric", "numeric", f"SELECT (g * 1.37 ^ (g % 60 - 30))::numeric FROM generate_series(-500, 500) g UNION ALL VALUES ('NaN'::numeric), ('Infinity'), ('-Infinity'), (-0.000), (1e999)"),
    ("numeric(10,3)", "numeric(10,3)", f"SELECT (g * 7.31)::numeric(10,3) FROM generate_series(-600, 600) g UNION ALL VALUES (9999999.999::numeric(10,3)), ('NaN')"),
    ("real", "real", f"SELECT (sin(g) * 10 ^ (g % 70 - 35))::real FROM {G} UNION ALL VALUES ('NaN'::real), ('Infinity'), ('-Infinity'), (3.4028235e38), (1.4e-45), (-0.0)"),
    ("double precision", "double precision", f"SELECT sin(g) * 10 ^ (g % 600 - 300) FROM {G} UNION ALL VALUES ('NaN'::float8), ('Infinity'), ('-Infinity'), (1.7976931348623157e308), (5e-324)"),
    ("boolean", "boolean", f"SELECT g % 3 = 0 FROM {G}"),
    ("uuid", "uuid", f"SELECT md5(g::text)::uuid FROM {G}"),
    ("character varying(5)", "character varying(5)", f"SELECT left(repeat(chr(97 + g % 26) || 'é€', 3), g % 6)::varchar(5) FROM {G}"),
    ("character(3)", "character(3)", f"SELECT left(md5(g::text) || 'ü', g % 4)::char(3) FROM {G}"),
    ("text", "text", f"SELECT 'x' || chr(160 + g * 37) || E'\\ttab\\\\' || g || E'\\n' FROM {G}"),
    ("bytea", "bytea", f"SELECT decode(md5(g::text), 'hex') FROM {G} UNION ALL VALUES (''::bytea)"),
    ("json", "json", f"SELECT json_build_object('a', g, 'b', ARRAY[g, g * 2], 'c', 'x' || chr(200 + g) || E'\"\\\\', 'd', g % 2 = 0, 'e', NULL, 'f', g * 1.5e-3, 'g', '{{}}'::json) FROM {G}"),
    ("jsonb", "jsonb", f"SELECT jsonb_build_object('a', g, 'b', ARRAY[g, -g], 'c', 'é' || chr(300 + g), 'd', g * 1e100, 'e', jsonb_build_array(NULL, true, 1.5e-7)) FROM {G}"),
    ("integer[]", "integer[]", f"SELECT CASE WHEN g % 2 = 0 THEN ARRAY[g, -g, NULL] ELSE ARRAY[[g, 1], [2, g * 3]] END FROM {G}"),
    ("text[]", "text[]", f"SELECT ARRAY['a b' || g, 'q\"' || g, NULL, 'NULL', E'back\\\\slash', '{{}}', 'é' || chr(400 + g)] FROM {G}"),
    ("macaddr", "macaddr", f"SELECT ('08:00:2b:' || to_hex(g % 256) || ':' || to_hex(g / 256 % 256) || ':' || to_hex(g % 7))::macaddr FROM {G} UNION ALL VALUES ('ff:ff:ff:ff:ff:ff'::macaddr), ('00:00:00:00:00:00')"),
    ("mood", "enum:sad,ok,happy,très bien,with space", f"SELECT (ARRAY['sad', 'ok', 'happy', 'très bien', 'with space'])[1 + g % 5]::mood FROM {G}"),
]


def psql(sql, stdin=None):
    r = subprocess.run(PSQL + ["-c", sql] if stdin is None else PSQL + ["-f", "-"],
                       input=stdin, capture_output=True)
    if r.returncode != 0:
        sys.exit("psql failed: " + r.stderr.decode(errors="replace")[:2000])
    return r.stdout


def unescape(f):
    """COPY text field (bytes) without its escapes, as COPY FROM reads it."""
    out, i = bytearray(), 0
    m = {ord("b"): 8, ord("f"): 12, ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("v"): 11}
    while i < len(f):
        c = f[i]
        if c != 0x5C or i + 1 >= len(f):
            out.append(c); i += 1; continue
        c = f[i + 1]; i += 2
        if 0x30 <= c <= 0x37:
            v = c - 0x30
            for _ in range(2):
                if i < len(f) and 0x30 <= f[i] <= 0x37:
                    v = v * 8 + f[i] - 0x30; i += 1
            out.append(v & 0xFF)
        elif c == ord("x") and i < len(f) and chr(f[i]) in "0123456789abcdefABCDEF":
            h = ""
            while len(h) < 2 and i < len(f) and chr(f[i]) in "0123456789abcdefABCDEF":
                h += chr(f[i]); i += 1
            out.append(int(h, 16))
        else:
            out.append(m.get(c, c))
    return bytes(out)


ALPHA = (b"0123456789+-.eE xXaAfFnNtT{}[],:\"\\'_ei" + bytes([0xC3, 0xA9, 0xFF, 0x80, 0xE2]))


def mutate(rnd, f):
    for _ in range(50):
        b = bytearray(f)
        if not b and rnd.random() < 0.5:
            b = bytearray(b"x")
        k = rnd.randrange(3)
        if k == 0 and b:
            b[rnd.randrange(len(b))] = rnd.choice(ALPHA)
        elif k == 1 and b:
            b = b[:rnd.randrange(len(b))] if rnd.random() < 0.5 else b[rnd.randrange(len(b)):]
        else:
            p = rnd.randrange(len(b) + 1)
            b[p:p] = bytes([rnd.choice(ALPHA)])
        b = bytes(b)
        trail = len(b) - len(b.rstrip(b"\\"))
        if b != f and b"\t" not in b and b"\n" not in b and b"\r" not in b and trail % 2 == 0 \
                and b != b"\\N":
            return b
    return None


def main():
    rnd = random.Random(17)
    psql("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'très bien', 'with space')")
    cands = []  # (type index, raw field, printed)
    for ti, (sqltype, _, gen) in enumerate(TYPES):
        out = psql(f"COPY ({gen}) TO STDOUT")
        printed = [l for l in out.split(b"\n")[:-1] if l != b"\\N"]
        printed_set = set(printed)
        assert len(printed) >= 1000, (sqltype, len(printed))
        cands += [(ti, f, True) for f in printed]
        seen = set()
        for _ in range(200000):
            if len(seen) >= 1200:
                break
            m = rnd.choice(printed)
            for _ in range(1 + rnd.randrange(3)):  # short values need stacked mutations
                m = mutate(rnd, m) or m
            if m not in printed_set and m not in seen and m != b"\\N":
                seen.add(m)
        cands += [(ti, m, False) for m in sorted(seen)]
    # the server's verdicts, one psql call
    # COPY checks the raw line's encoding, then gives the value without escapes to the column's
    # input function (with its typmod, as an INSERT does: an explicit cast would truncate a
    # varchar instead of rejecting it)
    rows = "".join(f"{i}\t{t}\t{f.hex()}\t{unescape(f).hex()}\n" for i, (t, f, _) in enumerate(cands))
    probes = "".join(f"CREATE TEMP TABLE probe_{ti} (v {ty[0]});\n" for ti, ty in enumerate(TYPES))
    script = (probes + "CREATE TEMP TABLE cand (id int, tid int, raw text, hex text);\n"
              "COPY cand FROM STDIN;\n" + rows + "\\.\n"
              "CREATE FUNCTION pg_temp.accepts(tid int, raw text, hex text) RETURNS boolean LANGUAGE plpgsql AS $$\n"
              "DECLARE v text;\nBEGIN\n  PERFORM convert_from(decode(raw, 'hex'), 'UTF8');\n"
              "  v := convert_from(decode(hex, 'hex'), 'UTF8');\n"
              "  EXECUTE format('INSERT INTO pg_temp.%I VALUES (%L)', 'probe_' || tid, v);\n  RETURN true;\n"
              "EXCEPTION WHEN others THEN RETURN false;\nEND $$;\n"
              "COPY (SELECT id, pg_temp.accepts(tid, raw, hex) FROM cand ORDER BY id) TO STDOUT;\n")
    out = psql(None, script.encode())
    server = {}
    for l in out.split(b"\n"):
        if l:
            i, a = l.split(b"\t")
            server[int(i)] = a == b"t"
    # dumpcheck's verdicts
    inp = b"".join(TYPES[t][1].encode() + b"\t" + f + b"\n" for t, f, _ in cands)
    r = subprocess.run([ORACLE], input=inp, capture_output=True, check=True)
    ours = [l == b"1" for l in r.stdout.split(b"\n") if l]
    assert len(ours) == len(cands) == len(server)
    bad = 0
    with open(f"{WORK}/values.rates", "w") as rates:
        for ti, (sqltype, _, _) in enumerate(TYPES):
            idx = [i for i, c in enumerate(cands) if c[0] == ti]
            printed = [i for i in idx if cands[i][2]]
            pr_rej = [i for i in printed if not server[i] or ours[i]]
            muts = [i for i in idx if not cands[i][2]]
            acc = [i for i in muts if server[i]]
            rej = [i for i in muts if not server[i]]
            fp = [i for i in acc if ours[i]]
            caught = [i for i in rej if ours[i]]
            rate = 100.0 * len(caught) / len(rej) if rej else 100.0
            line = (f"{sqltype}: {len(printed)} printed values accepted by both: "
                    f"{len(printed) - len(pr_rej)}; {len(muts)} mutations, server accepts "
                    f"{len(acc)} (flagged: {len(fp)}), rejects {len(rej)} (flagged: "
                    f"{len(caught)}, {rate:.1f}%; undecided {len(rej) - len(caught)})")
            rates.write(line + "\n")
            okay = not pr_rej and not fp and rate >= 95.0
            bad += not okay
            print(("ok - " if okay else "not ok - ") + line)
            for i in (pr_rej + fp)[:5]:
                print(f"#   {'printed' if cands[i][2] else 'mutation'} {cands[i][1]!r}: server "
                      f"{'accepts' if server[i] else 'rejects'}, dumpcheck "
                      f"{'flags' if ours[i] else 'accepts'}")
            if rate < 95.0:
                for i in [i for i in rej if not ours[i]][:8]:
                    print(f"#   undecided: {cands[i][1]!r}")
    sys.exit(1 if bad else 0)


main()
