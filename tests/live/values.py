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
    # flat objects, the shape the checks read fastest (keys found by their quotes alone)
    ("jsonb /* flat */", "jsonb", f"SELECT jsonb_build_object('k', g % 1000, 'tag', 't' || (g % 37), 'ok', g % 3 = 0, 'score', round(g / 7.0, 3), 'n', NULL, 'é', 'ü' || g, 'e', '', 'q', E'a\"b\\\\c' || chr(9 + g % 3)) FROM {G}"),
    ("json /* flat */", "json", f"SELECT jsonb_build_object('k', -g, 'tag', repeat('t', g % 90), 'no', g % 3 = 1, 'x', g * 1.5e-3)::json FROM {G}"),
    ("integer[]", "integer[]", f"SELECT CASE WHEN g % 2 = 0 THEN ARRAY[g, -g, NULL] ELSE ARRAY[[g, 1], [2, g * 3]] END FROM {G}"),
    ("text[]", "text[]", f"SELECT ARRAY['a b' || g, 'q\"' || g, NULL, 'NULL', E'back\\\\slash', '{{}}', 'é' || chr(400 + g)] FROM {G}"),
    ("macaddr", "macaddr", f"SELECT ('08:00:2b:' || to_hex(g % 256) || ':' || to_hex(g / 256 % 256) || ':' || to_hex(g % 7))::macaddr FROM {G} UNION ALL VALUES ('ff:ff:ff:ff:ff:ff'::macaddr), ('00:00:00:00:00:00')"),
    ("mood", "enum:sad,ok,happy,très bien,with space", f"SELECT (ARRAY['sad', 'ok', 'happy', 'très bien', 'with space'])[1 + g % 5]::mood FROM {G}"),
    # date/time types: pg_dump's DateStyle ISO and IntervalStyle postgres, time zones with
    # odd offsets (LMT before 1900), BC dates, leap days, the limits and the infinities
    ("date", "date", "SELECT date '2000-01-01' + (g * 3371 - 1200000) FROM generate_series(0, 600) g "
     "UNION ALL SELECT date '2024-02-29' - g * 365 FROM generate_series(0, 300) g "
     "UNION ALL SELECT date '0001-03-01 BC' - g * 1461 FROM generate_series(0, 100) g "
     "UNION ALL VALUES (date 'infinity'), ('-infinity'), ('4714-11-24 BC'), ('5874897-12-31'), "
     "('0001-02-29 BC'), ('2000-02-29'), ('1900-02-28'), ('0001-01-01')"),
    ("time without time zone", "time without time zone", "SELECT time '00:00' + g * interval '86.399997 s' FROM generate_series(0, 1000) g "
     "UNION ALL VALUES (time '24:00:00'), ('23:59:59.999999'), ('00:00:00.000001')"),
    ("time with time zone", "time with time zone", "SELECT (time '00:00' + g * interval '86.399997 s')::text || "
     "(ARRAY['+05:30', '-03:30:15', '+00', '-12', '+14:45', '+15:59:59', '-00:00:36'])[1 + g % 7] "
     "FROM generate_series(0, 1000) g UNION ALL VALUES ('24:00:00-15:59')"),
    ("timestamp without time zone", "timestamp without time zone", "SELECT timestamp '2000-01-01' + g * interval '1234567.891234 s' FROM generate_series(-500, 500) g "
     "UNION ALL SELECT timestamp '0044-03-15 12:00 BC' - g * interval '3 years 7.5 days' FROM generate_series(0, 100) g "
     "UNION ALL VALUES (timestamp 'infinity'), ('-infinity'), ('4714-11-24 00:00:00 BC'), "
     "('294276-12-31 23:59:59.999999'), ('2000-02-29 24:00:00')"),
    ("timestamp with time zone", "timestamp with time zone", "SET TimeZone = 'America/Sao_Paulo';"
     "SELECT timestamptz '1900-01-01 00:00+00' + g * interval '1234567.891234 s' FROM generate_series(-300, 300) g; "
     "SET TimeZone = 'Asia/Kolkata';"
     "SELECT timestamptz '2000-01-01 00:00+00' + g * interval '3456789.5 s' FROM generate_series(-200, 200) g "
     "UNION ALL SELECT timestamptz '0100-03-01 BC' - g * interval '11 years 3 days' FROM generate_series(0, 100) g "
     "UNION ALL VALUES (timestamptz 'infinity'), ('-infinity'), ('4714-11-24 00:00:00+00 BC'), "
     "('294276-12-31 23:59:59.999999+00')"),
    ("interval", "interval", "SELECT make_interval(years => g % 50 - 10, months => g % 13, days => g % 40 - 20, "
     "secs => g * 123.456789 - 20000) FROM generate_series(0, 1000) g UNION ALL VALUES "
     "(interval '-178000000 years'), ('00:00:00'), ('1 day -00:00:01'), ('2562047788:00:54.775807'), "
     "('-1 mons'), ('1 year')"),
    # network types
    ("inet", "inet", "SELECT ((g % 256) || '.' || (g * 7 % 256) || '.' || (g / 5 % 256) || '.' || (g % 13) || '/' || (g % 33))::inet FROM generate_series(0, 600) g "
     "UNION ALL SELECT ('2001:db8:' || to_hex(g) || '::' || to_hex(g * 31) || '/' || (g % 129))::inet FROM generate_series(0, 400) g "
     "UNION ALL VALUES ('::ffff:1.2.3.4'::inet), ('::'), ('255.255.255.255'), ('fe80::1:2:3:4:5')"),
    ("cidr", "cidr", "SELECT network(((g % 256) || '.' || (g * 7 % 256) || '.' || (g / 5 % 256) || '.0/' || (g % 33))::inet)::cidr FROM generate_series(0, 600) g "
     "UNION ALL SELECT network(('2001:db8:' || to_hex(g) || '::' || to_hex(g * 31) || '/' || (g % 129))::inet)::cidr FROM generate_series(0, 400) g "
     "UNION ALL VALUES ('0.0.0.0/0'::cidr), ('::/0'), ('10.1.2.3/32')"),
    ("macaddr8", "macaddr8", "SELECT ('08:00:2b:' || lpad(to_hex(g % 256), 2, '0') || ':' || lpad(to_hex(g / 256 % 256), 2, '0') || ':0' || to_hex(g % 7) || ':' || lpad(to_hex(g % 250), 2, '0') || ':0' || to_hex(g % 16))::macaddr8 FROM generate_series(0, 800) g "
     "UNION ALL SELECT ('0a-00-2b-' || lpad(to_hex(g % 256), 2, '0') || '-01-02')::macaddr8 FROM generate_series(0, 200) g "
     "UNION ALL VALUES ('ff:ff:ff:ff:ff:ff:ff:ff'::macaddr8)"),
]

# Mutations: byte flips and insertions from an alphabet of the bytes a damaged field most often
# shows of its own kind (digits, the type's punctuation, a few letters) and foreign bytes.
ALPHA_DT = b"0123456789+-.: /,TZbcxe" + bytes([0xC3, 0xA9, 0xFF, 0x01])
ALPHA_NET = b"0123456789abcdefABCDEF:./- xg" + bytes([0xC3, 0xFF])
TIMEY = {"date", "time without time zone", "time with time zone", "timestamp without time zone",
         "timestamp with time zone", "interval"}
NETTY = {"inet", "cidr", "macaddr8"}
NMUT = int(__import__("os").environ.get("VALUES_MUTATIONS", "1200"))
if __import__("os").environ.get("VALUES_TYPES"):  # development: only these types
    TYPES = [t for t in TYPES if t[0] in __import__("os").environ["VALUES_TYPES"].split(",")]


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


def mutate(rnd, f, alpha=None):
    alpha = alpha or ALPHA
    for _ in range(50):
        b = bytearray(f)
        if not b and rnd.random() < 0.5:
            b = bytearray(b"x")
        k = rnd.randrange(3)
        if k == 0 and b:
            b[rnd.randrange(len(b))] = rnd.choice(alpha)
        elif k == 1 and b:
            b = b[:rnd.randrange(len(b))] if rnd.random() < 0.5 else b[rnd.randrange(len(b)):]
        else:
            p = rnd.randrange(len(b) + 1)
            b[p:p] = bytes([rnd.choice(alpha)])
        b = bytes(b)
        trail = len(b) - len(b.rstrip(b"\\"))
        if b != f and b"\t" not in b and b"\n" not in b and b"\r" not in b and trail % 2 == 0 \
                and b != b"\\N":
            return b
    return None


def main():
    rnd = random.Random(int(__import__("os").environ.get("VALUES_SEED", "17")))
    psql("DROP TYPE IF EXISTS mood; CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'très bien', 'with space')")
    cands = []  # (type index, raw field, printed)
    for ti, (sqltype, _, gen) in enumerate(TYPES):
        alpha = ALPHA_DT if sqltype in TIMEY else ALPHA_NET if sqltype in NETTY else ALPHA
        if gen.startswith("SET "):  # statements: each SELECT copied out in its own setting
            script = "".join(q.strip() + ";\n" if q.strip().startswith("SET") else
                             f"COPY ({q.strip()}) TO STDOUT;\n" for q in gen.split(";") if q.strip())
            out = psql(None, script.encode())
        else:
            out = psql(f"COPY ({gen}) TO STDOUT")
        printed = [l for l in out.split(b"\n")[:-1] if l != b"\\N"]
        printed_set = set(printed)
        assert len(printed) >= 1000, (sqltype, len(printed))
        cands += [(ti, f, True) for f in printed]
        seen = set()
        for _ in range(200000):
            if len(seen) >= NMUT:
                break
            m = rnd.choice(printed)
            for _ in range(1 + rnd.randrange(3)):  # short values need stacked mutations
                m = mutate(rnd, m, alpha) or m
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
            if __import__("os").environ.get("VALUES_DUMP"):  # development: every undecided value
                with open(f"{WORK}/undecided.{ti}", "w") as u:
                    u.write("".join(repr(cands[i][1]) + "\n" for i in rej if not ours[i]))
            if rate < 95.0:
                for i in [i for i in rej if not ours[i]][:8]:
                    print(f"#   undecided: {cands[i][1]!r}")
    sys.exit(1 if bad else 0)


main()
