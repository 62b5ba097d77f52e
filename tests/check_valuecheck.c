/*
 * check_valuecheck.c — unit tests of the value checks (libdumpfmt/valuecheck.c):
 * per type, values PostgreSQL accepts and values it rejects (each pair taken
 * from what PostgreSQL 15's input functions say), column types from type
 * spellings, and COPY text fed through the row checker in pieces of every
 * size giving the same findings with the right row, column and offset.
 */
#include "check_util.h"
#include "valuecheck.h"
#include "verify.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct vcase {
    const char *type;
    const char *value; /* NULL: \N */
    int want;          /* DFI_VAL_* */
} vcase;

static const vcase cases[] = {
    {"integer", "42509", DFI_VAL_OK},
    {"integer", "4X509", DFI_VAL_BAD},
    {"integer", " -12 ", DFI_VAL_OK},
    {"integer", "2147483647", DFI_VAL_OK},
    {"integer", "2147483648", DFI_VAL_BAD},
    {"integer", "-2147483648", DFI_VAL_OK},
    {"integer", "", DFI_VAL_BAD},
    {"integer", "-", DFI_VAL_BAD},
    {"integer", "1 2", DFI_VAL_BAD},
    {"smallint", "32767", DFI_VAL_OK},
    {"smallint", "32768", DFI_VAL_BAD},
    {"bigint", "-9223372036854775808", DFI_VAL_OK},
    {"bigint", "9223372036854775808", DFI_VAL_BAD},
    {"bigint", "1.0", DFI_VAL_BAD},
    {"oid", "4294967295", DFI_VAL_OK},
    {"oid", "-1", DFI_VAL_OK},
    {"oid", "4294967296", DFI_VAL_BAD},
    {"oid", "12a", DFI_VAL_BAD},
    {"numeric", "3.17", DFI_VAL_OK},
    {"numeric", "-0.000001e-5", DFI_VAL_OK},
    {"numeric", "NaN", DFI_VAL_OK},
    {"numeric", "-Infinity", DFI_VAL_OK},
    {"numeric", "1e1000", DFI_VAL_OK},
    {"numeric", "-0.000218951692e3024", DFI_VAL_OK},
    {"numeric", "3..17", DFI_VAL_BAD},
    {"numeric", ".", DFI_VAL_BAD},
    {"numeric", "1e", DFI_VAL_BAD},
    {"numeric(12,2)", "9999999999.99", DFI_VAL_OK},
    {"numeric(12,2)", "9999999999.994", DFI_VAL_OK},
    {"numeric(12,2)", "9999999999.995", DFI_VAL_BAD},
    {"numeric(12,2)", "99999999999", DFI_VAL_BAD},
    {"numeric(12,2)", "0.001", DFI_VAL_OK},
    {"numeric(12,2)", "Infinity", DFI_VAL_BAD},
    {"numeric(12,2)", "NaN", DFI_VAL_OK},
    {"numeric(2,2)", "0.995", DFI_VAL_BAD},
    {"numeric(2,2)", "0.994", DFI_VAL_OK},
    {"real", "3.4028235e+38", DFI_VAL_OK},
    {"real", "3.5e+38", DFI_VAL_BAD},
    {"real", "1e-50", DFI_VAL_BAD},
    {"double precision", "-Infinity", DFI_VAL_OK},
    {"double precision", "NaN", DFI_VAL_OK},
    {"double precision", "1.7976931348623157e+308", DFI_VAL_OK},
    {"double precision", "1e309", DFI_VAL_BAD},
    {"double precision", "1.5x", DFI_VAL_BAD},
    {"boolean", "t", DFI_VAL_OK},
    {"boolean", "f", DFI_VAL_OK},
    {"boolean", " yes ", DFI_VAL_OK},
    {"boolean", "of", DFI_VAL_OK},
    {"boolean", "o", DFI_VAL_BAD},
    {"boolean", "x", DFI_VAL_BAD},
    {"boolean", "tr ue", DFI_VAL_BAD},
    {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", DFI_VAL_OK},
    {"uuid", "{a0eebc999c0b4ef8bb6d6bb9bd380a11}", DFI_VAL_OK},
    {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", DFI_VAL_BAD},
    {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 ", DFI_VAL_BAD},
    {"uuid", "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", DFI_VAL_BAD},
    {"character varying(3)", "abc", DFI_VAL_OK},
    {"character varying(3)", "abc  ", DFI_VAL_OK},
    {"character varying(3)", "abcd", DFI_VAL_TOO_LONG},
    {"character varying(3)", "\xc3\xa9\xc3\xa9\xc3\xa9", DFI_VAL_OK},
    {"character(2)", "en", DFI_VAL_OK},
    {"character(2)", "eng", DFI_VAL_TOO_LONG},
    {"text", "caf\xc3\xa9", DFI_VAL_OK},
    {"text", "caf\xc3", DFI_VAL_ENCODING},
    {"text", "\xed\xa0\x80", DFI_VAL_ENCODING},
    {"text", "\xc0\xaf", DFI_VAL_ENCODING},
    {"bytea", "\\x00ff", DFI_VAL_OK},
    {"bytea", "\\x0ff", DFI_VAL_BAD},
    {"bytea", "\\x0g", DFI_VAL_BAD},
    {"bytea", "abc\\000\\\\", DFI_VAL_OK},
    {"bytea", "abc\\9", DFI_VAL_BAD},
    {"json", "{\"a\": [1, 2.5e3, true, null, \"x\\u00e9\"]}", DFI_VAL_OK},
    {"json", "{\"a\": 01}", DFI_VAL_BAD},
    {"json", "{\"a\" 1}", DFI_VAL_BAD},
    {"json", "[1,]", DFI_VAL_BAD},
    {"json", "\"\\ud800\"", DFI_VAL_OK},
    {"jsonb", "\"\\ud800\"", DFI_VAL_BAD},
    {"jsonb", "\"\\u0000\"", DFI_VAL_BAD},
    {"jsonb", "1e1x", DFI_VAL_BAD},
    {"jsonb", " {} ", DFI_VAL_OK},
    {"jsonb", "tru", DFI_VAL_BAD},
    /* the flat shape jsonb prints, read by its quotes (valuecheck_json.c flat_by_masks) */
    {"jsonb", "{\"k\": 1, \"ok\": false, \"tag\": \"t1\", \"score\": 12.345}", DFI_VAL_OK},
    {"jsonb", "{\"k\": 1, \"ok\": fals, \"tag\": \"t1\"}", DFI_VAL_BAD},
    {"jsonb", "{\"k\": 1, \"tag\": \"t\\q\"}", DFI_VAL_BAD},         /* bad escape */
    {"jsonb", "{\"k\": 1, \"tag\": \"t\\u0000\"}", DFI_VAL_BAD},     /* jsonb: no \u0000 */
    {"json", "{\"k\": 1, \"tag\": \"t\\u0000\"}", DFI_VAL_OK},
    {"jsonb", "{\"k\": 1, \"tag\": \"a\x01b\"}", DFI_VAL_BAD},        /* control byte */
    {"jsonb", "{\"k\": 1, \"tag\": \"a\tb\"}", DFI_VAL_BAD},
    {"jsonb", "{\"k\": 1,\t\"tag\": \"ab\"}", DFI_VAL_OK},          /* tab outside */
    {"jsonb", "{\"k\": 1, \"tag\": \"ab}", DFI_VAL_BAD},
    {"jsonb", "{\"k\": 1, \"tag\": \"ab\"", DFI_VAL_BAD},
    {"jsonb", "{\"k\": 1, \"tag\": \"ab\"} x", DFI_VAL_BAD},
    {"jsonb", "{\"k\": 1, }", DFI_VAL_BAD},
    {"jsonb", "{\"k\": 01}", DFI_VAL_BAD},
    {"jsonb", "{\"a\": \"" "0123456789012345678901234567890123456789012345678901234567890123"
              "456789\", \"b\": [1], \"c\": \"x\"}", DFI_VAL_OK},        /* past 64 bytes */
    {"jsonb", "{\"a\": \"" "0123456789012345678901234567890123456789012345678901234567890123"
              "456789\", \"b\": 1x, \"c\": \"x\"}", DFI_VAL_BAD},
    /* timestamps in pg_dump's places, read eight bytes at a time (valuecheck_time.c) */
    {"timestamp with time zone", "2020-01-01 00:00:07.3+00", DFI_VAL_OK},
    {"timestamp with time zone", "2020-02-30 00:00:07.3+00", DFI_VAL_BAD},
    {"timestamp with time zone", "2020-13-01 00:00:07+00", DFI_VAL_BAD},
    {"timestamp with time zone", "2020-01-01 24:00:07+00", DFI_VAL_BAD},
    {"timestamp with time zone", "2020-01-01 00:60:07+00", DFI_VAL_BAD},
    {"timestamp with time zone", "2020-01-01 00:00:07+0x", DFI_VAL_BAD},
    {"timestamp without time zone", "2024-02-29 23:59:59.999999", DFI_VAL_OK},
    {"timestamp without time zone", "2023-02-29 23:59:59", DFI_VAL_BAD},
    {"timestamp without time zone", "0000-01-01 00:00:00", DFI_VAL_BAD},
    {"integer[]", "{1,2,NULL}", DFI_VAL_OK},
    {"integer[]", "{{1,2},{3,4}}", DFI_VAL_OK},
    {"integer[]", "{{1,2},{3}}", DFI_VAL_BAD},
    {"integer[]", "{1,x}", DFI_VAL_BAD},
    {"integer[]", "{1,,2}", DFI_VAL_BAD},
    {"integer[]", "{}", DFI_VAL_OK},
    {"integer[]", "[0:1]={1,2}", DFI_VAL_OK},
    {"integer[]", "1,2", DFI_VAL_BAD},
    {"text[]", "{\"a b\",\"c\\\"d\",NULL,\"NULL\"}", DFI_VAL_OK},
    {"text[]", "{\"a\"b}", DFI_VAL_BAD},
    {"character varying(2)[]", "{ab,abc}", DFI_VAL_TOO_LONG},
    {"macaddr", "08:00:2b:01:02:03", DFI_VAL_OK},
    {"macaddr", "0800.2b01.0203", DFI_VAL_OK},
    {"macaddr", "08:00:2b:01:02", DFI_VAL_BAD},
    {"macaddr", "08:00:2b:01:02:1ff", DFI_VAL_BAD},
    {"macaddr", "08:00:2b:01:02:03x", DFI_VAL_BAD},
    /* date/time and network types (verdicts of PostgreSQL 15) */
    {"date", "2024-02-29", DFI_VAL_OK},
    {"date", "2023-02-29", DFI_VAL_BAD},
    {"date", "0001-02-29 BC", DFI_VAL_OK},
    {"date", "0002-02-29 BC", DFI_VAL_BAD},
    {"date", "infinity", DFI_VAL_OK},
    {"date", "-infinity", DFI_VAL_OK},
    {"date", "4714-11-24 BC", DFI_VAL_OK},
    {"date", "4714-11-23 BC", DFI_VAL_BAD},
    {"date", "5874897-12-31", DFI_VAL_OK},
    {"date", "5874898-01-01", DFI_VAL_BAD},
    {"date", "2020-13-01", DFI_VAL_BAD},
    {"date", "0000-01-01", DFI_VAL_BAD},
    {"date", "2020-01-05x", DFI_VAL_BAD},
    {"date", "2020-1-5", DFI_VAL_OK},
    {"date", "20200105", DFI_VAL_OK},
    {"date", "2020-01-", DFI_VAL_BAD},
    {"date", "01-05", DFI_VAL_BAD},
    {"time without time zone", "24:00:00", DFI_VAL_OK},
    {"time without time zone", "24:00:00.000001", DFI_VAL_BAD},
    {"time without time zone", "23:59:60", DFI_VAL_OK},
    {"time without time zone", "12:60:00", DFI_VAL_BAD},
    {"time without time zone", "25:00:00", DFI_VAL_BAD},
    {"time without time zone", "12:34:56.", DFI_VAL_OK},
    {"time without time zone", "1234", DFI_VAL_OK},
    {"time without time zone", "123", DFI_VAL_BAD},
    {"time with time zone", "12:00:00+05:30", DFI_VAL_OK},
    {"time with time zone", "12:00:00-03:30:15", DFI_VAL_OK},
    {"time with time zone", "12:00:00+16", DFI_VAL_BAD},
    {"time with time zone", "12:00:00+15:59:59", DFI_VAL_OK},
    {"time with time zone", "12:00:00+05:60", DFI_VAL_BAD},
    {"timestamp without time zone", "2000-02-29 24:00:00", DFI_VAL_OK},
    {"timestamp without time zone", "294276-12-31 23:59:59.999999", DFI_VAL_OK},
    {"timestamp without time zone", "294277-01-01 00:00:00", DFI_VAL_BAD},
    {"timestamp without time zone", "4714-11-24 00:00:00 BC", DFI_VAL_OK},
    {"timestamp without time zone", "2020-01-05 12:00:00 BC BC", DFI_VAL_BAD},
    {"timestamp without time zone", "2020-01-05 25:00:00", DFI_VAL_BAD},
    {"timestamp without time zone", "12:00:00", DFI_VAL_BAD},
    {"timestamp with time zone", "1900-01-01 00:00:00-03:06:28", DFI_VAL_OK},
    {"timestamp with time zone", "2020-01-05 12:00:00+05:30 BC", DFI_VAL_OK},
    {"timestamp with time zone", "2020-01-05 12:00:00+05:30+01", DFI_VAL_BAD},
    {"timestamp with time zone", "2020-01-05 12:00:00 incfinity", DFI_VAL_BAD},
    {"timestamp with time zone", "2020-01-05 12:00:00 xyz5", DFI_VAL_OK},
    {"interval", "1 year 2 mons 3 days 04:05:06.789", DFI_VAL_OK},
    {"interval", "-1 days +02:03:00", DFI_VAL_OK},
    {"interval", "1 yearx", DFI_VAL_BAD},
    {"interval", "1 day 2 days", DFI_VAL_BAD},
    {"interval", "", DFI_VAL_BAD},
    {"interval", "00:61:00", DFI_VAL_BAD},
    {"interval", "P1Y2M", DFI_VAL_OK},
    {"interval", "2562047788:00:54.775807", DFI_VAL_OK},
    {"inet", "192.168.1.1", DFI_VAL_OK},
    {"inet", "192.168.1.256", DFI_VAL_BAD},
    {"inet", "10.1/16", DFI_VAL_OK},
    {"inet", "10.1", DFI_VAL_BAD},
    {"inet", "::ffff:1.2.3.4", DFI_VAL_OK},
    {"inet", "2001:db8::1/129", DFI_VAL_BAD},
    {"inet", "1.2.3.4/33", DFI_VAL_BAD},
    {"inet", "2001:db8::1::2", DFI_VAL_BAD},
    {"inet", " 1.2.3.4", DFI_VAL_BAD},
    {"cidr", "10.1.0.0/16", DFI_VAL_OK},
    {"cidr", "10.1.0.1/16", DFI_VAL_BAD},
    {"cidr", "2001:db8::/32", DFI_VAL_OK},
    {"cidr", "2001:db8::1/32", DFI_VAL_BAD},
    {"cidr", "10.1", DFI_VAL_OK},
    {"macaddr8", "08:00:2b:01:02:03:04:05", DFI_VAL_OK},
    {"macaddr8", "08:00:2b:01:02:03", DFI_VAL_OK},
    {"macaddr8", "08-00-2b-01-02-03-04-05", DFI_VAL_OK},
    {"macaddr8", "08:00:2b:01:02:03:04", DFI_VAL_BAD},
    {"macaddr8", "08:00:2b-01:02:03:04:05", DFI_VAL_BAD},
    {"macaddr8", "0800.2b01.0203.0405", DFI_VAL_OK},
    {"integer", NULL, DFI_VAL_OK},
    {"public.unknown_type", "anything", DFI_VAL_OK},
    {"point", "not a point", DFI_VAL_OK},
};

START_TEST(test_values)
{
    const vcase *k = &cases[_i];
    dfi_vcol c;
    int got;

    memset(&c, 0, sizeof c);
    dfi_vcol_parse_type(&c, k->type);
    got = dfi_value_check(&c, DFI_ENC_UTF8, (const uint8_t *)k->value,
                          k->value ? strlen(k->value) : 0);
    ck_assert_msg(got == k->want, "%s \"%s\": got %d, want %d", k->type,
                  k->value ? k->value : "\\N", got, k->want);
}
END_TEST

START_TEST(test_not_null)
{
    dfi_vcol c;

    memset(&c, 0, sizeof c);
    dfi_vcol_parse_type(&c, "text");
    c.notnull = true;
    ck_assert_int_eq(dfi_value_check(&c, DFI_ENC_UTF8, NULL, 0), DFI_VAL_NULL);
    ck_assert_int_eq(dfi_value_check(&c, DFI_ENC_UTF8, (const uint8_t *)"", 0), DFI_VAL_OK);
    ck_assert_int_eq(dfi_value_check(&c, DFI_ENC_UTF8, (const uint8_t *)"a\0b", 3),
                     DFI_VAL_ENCODING);
    ck_assert_int_eq(dfi_value_check(&c, DFI_ENC_UNKNOWN, (const uint8_t *)"a\xff", 2), DFI_VAL_OK);
}
END_TEST

/* COPY text through dfi_copycheck with value checks, fed in pieces of `piece` bytes. */
static void feed_rows(dfi_vcheck *vc, const dfi_vtable *t, const char *text, size_t piece)
{
    dfi_copycheck cp;
    size_t n = strlen(text);

    ck_assert_int_eq(dfi_copycheck_init(&cp, DF_ROWS_COPY, t->ncols, NULL, 0), DF_OK);
    dfi_vcheck_init(vc, t);
    cp.vc = vc;
    for (size_t i = 0; i < n; i += piece)
        dfi_copycheck_feed(&cp, (const uint8_t *)text + i, n - i < piece ? n - i : piece);
    dfi_copycheck_free(&cp);
}

START_TEST(test_rows_in_pieces)
{
    dfi_vcol cols[3];
    dfi_vtable t = {3, cols, DFI_ENC_UTF8, 3};
    char text[8192];
    size_t k = 0;

    memset(cols, 0, sizeof cols);
    dfi_vcol_parse_type(&cols[0], "integer");
    dfi_vcol_parse_type(&cols[1], "text");
    cols[1].notnull = true;
    dfi_vcol_parse_type(&cols[2], "character varying(4)");
    for (int r = 1; r <= 100; r++)
        k += (size_t)snprintf(text + k, sizeof text - k, "%d\tline\\t%d\tab\n", r, r);
    /* row 101: a bad integer, row 102: \N in NOT NULL, row 103: too long, escaped bad UTF-8 */
    k += (size_t)snprintf(text + k, sizeof text - k,
                          "4X509\tx\tab\n7\t\\N\tab\n8\t\\xc3(\tabcde\n\\.\n");
    for (size_t piece = 1; piece <= 4096; piece = piece * 3 + 1) {
        dfi_vcheck vc;

        memset(&vc, 0, sizeof vc);
        feed_rows(&vc, &t, text, piece);
        ck_assert_int_eq(vc.nbad[DFI_VAL_BAD], 1);
        ck_assert_int_eq(vc.first[DFI_VAL_BAD][0].row, 101);
        ck_assert_int_eq(vc.first[DFI_VAL_BAD][0].col, 0);
        ck_assert_str_eq(vc.first[DFI_VAL_BAD][0].shown, "4X509");
        ck_assert_int_eq(vc.nbad[DFI_VAL_NULL], 1);
        ck_assert_int_eq(vc.first[DFI_VAL_NULL][0].row, 102);
        ck_assert_int_eq(vc.first[DFI_VAL_NULL][0].col, 1);
        ck_assert_int_eq(vc.nbad[DFI_VAL_ENCODING], 1);
        ck_assert_int_eq(vc.first[DFI_VAL_ENCODING][0].row, 103);
        ck_assert_int_eq(vc.nbad[DFI_VAL_TOO_LONG], 1);
        ck_assert_int_eq(vc.first[DFI_VAL_TOO_LONG][0].col, 2);
        /* the offset of the field in the stream */
        ck_assert(memcmp(text + vc.first[DFI_VAL_BAD][0].off, "4X509\t", 6) == 0);
        dfi_vcheck_free(&vc);
    }
}
END_TEST

/* Bad values the row checker counted in one COPY line of table t (fed whole, then "\."). */
static int64_t bad_in_line(const dfi_vtable *t, const char *line)
{
    char text[256];
    dfi_vcheck vc;
    int64_t bad;

    snprintf(text, sizeof text, "%s\n\\.\n", line);
    memset(&vc, 0, sizeof vc);
    feed_rows(&vc, t, text, sizeof text);
    bad = vc.nbad[DFI_VAL_BAD] + vc.nbad[DFI_VAL_NULL] + vc.nbad[DFI_VAL_ENCODING] +
          vc.nbad[DFI_VAL_TOO_LONG];
    dfi_vcheck_free(&vc);
    return bad;
}

/*
 * The row checker's integer shortcut (quick_int: up to eight digits read as one word) against
 * the value check itself, on random integer-like fields: the same verdict in the first column
 * (room after the field for the word read) and in the last (mostly too little room: the loop).
 */
START_TEST(test_int_rows_match_value_check)
{
    static const char *const types[] = {"smallint", "integer", "bigint"};
    static const char digits[] = "0123456789", other[] = "-+ .eaZ/:\x80";
    uint64_t seed = 0x9e3779b97f4a7c15ULL;

    for (int ti = 0; ti < 3; ti++) {
        dfi_vcol cols[3];
        dfi_vtable t = {3, cols, DFI_ENC_UTF8, 3};

        memset(cols, 0, sizeof cols);
        dfi_vcol_parse_type(&cols[0], types[ti]);
        dfi_vcol_parse_type(&cols[1], "text");
        dfi_vcol_parse_type(&cols[2], types[ti]);
        for (int i = 0; i < 4000; i++) {
            char v[24], line[96];
            size_t len;
            int64_t want;

            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            len = (size_t)(seed >> 59) % 21; /* 0..20 bytes */
            for (size_t k = 0; k < len; k++) {
                uint64_t r = (seed >> (k % 7 * 8)) ^ (uint64_t)k * 0x2545f4914f6cdd1dULL;
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                v[k] = (seed >> 60) < 13 ? digits[(r >> 3) % 10] : other[(r >> 5) % (sizeof other - 1)];
            }
            if (i % 5 == 0 && len > 0)
                v[0] = '-';
            v[len] = '\0';
            want = (dfi_value_check(&cols[0], DFI_ENC_UTF8, (const uint8_t *)v, len) != DFI_VAL_OK) +
                   (dfi_value_check(&cols[2], DFI_ENC_UTF8, (const uint8_t *)v, len) != DFI_VAL_OK);
            snprintf(line, sizeof line, "%s\tsome text after it\t%s", v, v);
            ck_assert_msg(bad_in_line(&t, line) == want, "%s \"%s\": want %lld bad", types[ti], v,
                          (long long)want);
        }
    }
}
END_TEST

START_TEST(test_types)
{
    dfi_vcol c;

    memset(&c, 0, sizeof c);
    dfi_vcol_parse_type(&c, "numeric(14,2)");
    ck_assert_int_eq(c.kind, DFI_VK_NUMERIC);
    ck_assert_int_eq(c.mod1, 14);
    ck_assert_int_eq(c.mod2, 2);
    dfi_vcol_parse_type(&c, "character varying(20)[]");
    ck_assert_int_eq(c.kind, DFI_VK_VARCHAR);
    ck_assert_int_eq(c.array, 1);
    ck_assert_int_eq(c.mod1, 20);
    dfi_vcol_parse_type(&c, "timestamp(3) with time zone");
    ck_assert_int_eq(c.kind, DFI_VK_TIMESTAMPTZ);
    dfi_vcol_parse_type(&c, "time(0) without time zone[]");
    ck_assert_int_eq(c.kind, DFI_VK_TIME);
    ck_assert_int_eq(c.array, 1);
    dfi_vcol_parse_type(&c, "interval(6)");
    ck_assert_int_eq(c.kind, DFI_VK_INTERVAL);
    dfi_vcol_parse_type(&c, "interval year to month");
    ck_assert_int_eq(c.kind, DFI_VK_NONE);
    dfi_vcol_parse_type(&c, "interval day to second(3)");
    ck_assert_int_eq(c.kind, DFI_VK_NONE);
    dfi_vcol_parse_type(&c, "integer(3)");
    ck_assert_int_eq(c.kind, DFI_VK_NONE);
}
END_TEST

/* A small deterministic generator (xorshift64*) for the JSON differential test. */
static uint64_t rng_next(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 2685821657736338717ULL;
}

static unsigned rng_below(uint64_t *x, unsigned n)
{
    return (unsigned)(rng_next(x) % n);
}

/* Appends a JSON string's body (no quotes) the way jsonb prints one, escapes now and then. */
static size_t gen_string_body(uint64_t *x, char *o)
{
    static const char *const pieces[] = {"a",  "b",  "z",  "0",  "9",  " ",  "_",  "-",  "t1",
                                         "\xc3\xa9", "{", "}", ":", ",", "[", "/",
                                         "\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00"};
    unsigned len = rng_below(x, 4) == 0 ? rng_below(x, 90) : rng_below(x, 12);
    bool esc = rng_below(x, 8) == 0;
    size_t k = 0;

    for (unsigned i = 0; i < len; i++) {
        const char *pc = pieces[rng_below(x, esc ? 21 : 16)];
        memcpy(o + k, pc, strlen(pc));
        k += strlen(pc);
    }
    return k;
}

/* A value as jsonb prints one: mostly scalars, now and then a container (not flat). */
static size_t gen_value(uint64_t *x, char *o)
{
    static const char *const fixed[] = {"true", "false", "null", "0", "-0", "7.907", "-12.5",
                                        "1e5", "2.5E-3", "[1, 2]", "{\"a\": 1}", "[]", "{}"};
    size_t k = 0;

    switch (rng_below(x, 4)) {
    case 0:
        o[k++] = '"';
        k += gen_string_body(x, o + k);
        o[k++] = '"';
        return k;
    case 1: /* (a number is at most 21 bytes: room enough in every caller's buffer) */
        return (size_t)snprintf(o, 32, "%lld",
                                (long long)(rng_next(x) >> rng_below(x, 64)) *
                                    (rng_below(x, 2) ? -1 : 1));
    case 2: return (size_t)snprintf(o, 32, "%u.%u", rng_below(x, 1000), rng_below(x, 100000));
    default: {
        const char *f = fixed[rng_below(x, rng_below(x, 4) == 0 ? 13 : 9)];
        memcpy(o, f, strlen(f));
        return strlen(f);
    }
    }
}

/* A jsonb-shaped flat object ({"key": value, ...}) into o (room for 4096 bytes): its length. */
static size_t gen_object(uint64_t *x, char *o)
{
    unsigned members = rng_below(x, 3) == 0 ? rng_below(x, 14) : rng_below(x, 6);
    size_t k = 0;

    o[k++] = '{';
    for (unsigned m = 0; m < members; m++) {
        if (m > 0)
            o[k++] = ',', o[k++] = ' ';
        o[k++] = '"';
        k += gen_string_body(x, o + k);
        o[k++] = '"', o[k++] = ':', o[k++] = ' ';
        k += gen_value(x, o + k);
    }
    o[k++] = '}';
    return k;
}

/* One random change: a byte replaced, inserted or deleted, or the end cut. */
static size_t mutate(uint64_t *x, char *o, size_t n)
{
    static const char bytes[] = "\"\\{}[],: \t\n\r\x01\x1f\x7f\x80\xff" "0-.eE+aflnrtsu_x";
    size_t at = n ? rng_below(x, (unsigned)n) : 0;
    char c = bytes[rng_below(x, sizeof bytes - 1)];

    if (rng_below(x, 10) == 0)
        c = '\0';
    switch (rng_below(x, 4)) {
    case 0:
        if (n > 0)
            o[at] = c;
        return n;
    case 1:
        memmove(o + at + 1, o + at, n - at);
        o[at] = c;
        return n + 1;
    case 2:
        if (n > 0)
            memmove(o + at, o + at + 1, n - at - 1);
        return n > 0 ? n - 1 : 0;
    default: return at;
    }
}

/* The verdicts on o (n bytes, read from an allocation of exactly n: ASan sees any overread). */
static void json_verdicts(const char *o, size_t n, bool jsonb, bool *flat, bool *gen, bool *all)
{
    uint8_t *v = malloc(n ? n : 1);

    ck_assert_ptr_nonnull(v);
    memcpy(v, o, n);
    *flat = dfi_check_json_flat(v, n, jsonb);
    *gen = dfi_check_json_general(v, n, jsonb);
    *all = dfi_check_json(v, n, jsonb);
    free(v);
}

/*
 * The flat-object fast path (valuecheck_json.c) against the general parser, the judge: over
 * many jsonb-shaped objects and random mutations of them, whatever the fast path accepts the
 * general parser accepts, and dfi_check_json's verdict is the general one.  Unmutated flat
 * objects must be taken by the fast path (else it would not be one), and both verdicts must
 * show up among the mutations (else the test would test nothing).
 */
START_TEST(test_json_flat_differential)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    long fast = 0, bad = 0, mutants = 0;
    char o[8192];

    for (int d = 0; d < 20000; d++) {
        size_t n = gen_object(&x, o);
        bool jsonb = d % 3 != 0, flat, gen, all, nested = false;

        for (size_t i = 1; i + 1 < n; i++)
            nested |= (o[i] == '[' || o[i] == '{') && o[i - 1] == ' ' && o[i - 2] == ':';
        json_verdicts(o, n, jsonb, &flat, &gen, &all);
        ck_assert_msg(gen, "generated document refused: %.*s", (int)n, o);
        ck_assert_msg(all, "generated document refused: %.*s", (int)n, o);
        ck_assert_msg(flat || nested, "fast path missed a flat object: %.*s", (int)n, o);
        for (int m = 0; m < 6; m++) {
            n = mutate(&x, o, n);
            json_verdicts(o, n, jsonb, &flat, &gen, &all);
            ck_assert_msg(!flat || gen, "fast path accepted a bad value (%s): %.*s",
                          jsonb ? "jsonb" : "json", (int)n, o);
            ck_assert_msg(all == gen, "verdict %d, general %d: %.*s", all, gen, (int)n, o);
            mutants++;
            fast += flat;
            bad += !gen;
        }
    }
    ck_assert_msg(fast > mutants / 20 && bad > mutants / 5, "fast %ld, bad %ld of %ld", fast,
                  bad, mutants);
}
END_TEST

/*
 * Every length around the fast path's block and word edges (16, 64) and its stack limit (256):
 * a one-string object is taken; cut before its closing quote, or with a control byte, a
 * backslash or a NUL at any place of the string, it gets the general verdict.
 */
START_TEST(test_json_flat_lengths)
{
    char o[400];

    for (size_t n = 9; n < 300; n++) {
        bool flat, gen, all;

        memcpy(o, "{\"a\": \"", 7);
        memset(o + 7, 'x', n - 9);
        memcpy(o + n - 2, "\"}", 2);
        json_verdicts(o, n, true, &flat, &gen, &all);
        ck_assert_msg(flat && gen && all, "length %zu", n);
        json_verdicts(o, n - 2, true, &flat, &gen, &all);
        ck_assert_msg(!flat && !gen && !all, "length %zu, open string", n);
        json_verdicts(o, n - 1, true, &flat, &gen, &all);
        ck_assert_msg(!flat && !gen && !all, "length %zu, no brace", n);
        for (size_t at = 7; at < n - 2; at += 5) {
            static const char put[] = {'\x01', '\0', '\\', '\t', '"'};
            for (size_t k = 0; k < sizeof put; k++) {
                o[at] = put[k];
                json_verdicts(o, n, true, &flat, &gen, &all);
                ck_assert_msg(!flat || gen, "length %zu, byte %d at %zu", n, put[k], at);
                ck_assert_msg(all == gen && !gen, "length %zu, byte %d at %zu", n, put[k], at);
            }
            o[at] = 'x';
        }
    }
}
END_TEST

/*
 * Numbers of every length around the 16-byte window the fast path reads them in: integer and
 * fraction parts of 1 to 24 digits, with and without an exponent, are taken by the fast path
 * (past the window, by its slower reader), and a fraction point without digits is not.
 */
START_TEST(test_json_flat_numbers)
{
    char o[128];

    for (int a = 1; a <= 24; a++)
        for (int f = -1; f <= 24; f++)
            for (int x = 0; x < 2; x++) {
                bool flat, gen, all;
                int k = snprintf(o, sizeof o, "{\"a\": -");

                for (int i = 0; i < a; i++)
                    o[k++] = (char)('1' + (i + f + 9) % 9);
                if (f >= 0)
                    o[k++] = '.';
                for (int i = 0; i < f; i++)
                    o[k++] = (char)('0' + i % 10);
                k += snprintf(o + k, sizeof o - (size_t)k, "%s, \"b\": 1}", x ? "e+7" : "");
                json_verdicts(o, (size_t)k, true, &flat, &gen, &all);
                ck_assert_msg(flat == (f != 0) && gen == flat && all == gen, "%.*s", k, o);
            }
}
END_TEST

/*
 * Every byte value at every place of a key's and a value's first 40 bytes (all the lanes of
 * the fast path's 16-byte string steps): a byte a JSON string may hold as itself (not below
 * 0x20, not a quote nor a backslash) is taken by the fast path; any byte gets the general
 * parser's verdict.
 */
START_TEST(test_json_flat_bytes)
{
    char o[128];

    for (int c = 0; c < 256; c++)
        for (int at = 0; at < 40; at++)
            for (int key = 0; key < 2; key++) {
                bool flat, gen, all, plain = c >= 0x20 && c != '"' && c != '\\';
                int k = snprintf(o, sizeof o, "%s", key ? "{\"" : "{\"b\": \"");

                memset(o + k, 'x', 40);
                o[k + at] = (char)c;
                k += 40;
                k += snprintf(o + k, sizeof o - (size_t)k, "%s", key ? "\": 1}" : "\"}");
                json_verdicts(o, (size_t)k, true, &flat, &gen, &all);
                ck_assert_msg(!flat || gen, "byte %d at %d accepted", c, at);
                ck_assert_msg(all == gen, "byte %d at %d: %d, general %d", c, at, all, gen);
                if (plain && c < 0x80)
                    ck_assert_msg(flat, "byte %d at %d missed", c, at);
            }
}
END_TEST

/* The skeleton path's verdict on o (n bytes, an exact-size allocation) and the general one. */
static void skel_verdicts(dfi_jskel *k, const char *o, size_t n, bool jsonb, bool *skel, bool *gen)
{
    uint8_t *v = malloc(n ? n : 1);

    ck_assert_ptr_nonnull(v);
    memcpy(v, o, n);
    *skel = dfi_check_json_skel(k, v, n, jsonb);
    *gen = dfi_check_json_general(v, n, jsonb);
    free(v);
}

/*
 * Keys for the skeleton tests: prefixes of each other, keys equal in their first 8 or 16
 * bytes (a skeleton member is compared 16 bytes at a time), keys too long to record (over
 * 48 bytes with their separators), escaped keys (never recorded), multibyte ones.
 */
static const char *const skel_keys[] = {
    "k", "ok", "tag", "tags", "ta", "score", "", "abcdefgh", "abcdefghX", "abcdefgh1",
    "abcdefghijklmnop", "abcdefghijklmnopq", "abcdefghijklmnopr", "abcdefghijklmnoX",
    "0123456789012345678901234567890123456789x", "0123456789012345678901234567890123456789y",
    "0123456789012345678901234567890123456789012345", "a\\u00e9", "\\\"q", "\xc3\xa9t\xc3\xa9",
    "k\\n", "tab"};
#define NSKEYS (sizeof skel_keys / sizeof skel_keys[0])

/* A flat object with the keys keys[0..nk) (indexes into skel_keys), fresh values: its length. */
static size_t gen_keyed(uint64_t *x, const unsigned *keys, unsigned nk, char *o)
{
    size_t k = 0;

    o[k++] = '{';
    for (unsigned m = 0; m < nk; m++) {
        const char *key = skel_keys[keys[m]];
        if (m > 0)
            o[k++] = ',', o[k++] = ' ';
        o[k++] = '"';
        memcpy(o + k, key, strlen(key));
        k += strlen(key);
        o[k++] = '"', o[k++] = ':', o[k++] = ' ';
        k += gen_value(x, o + k);
    }
    o[k++] = '}';
    return k;
}

/*
 * The skeleton path (dfi_check_json_skel) against the general parser over sequences of
 * documents through one skeleton: mostly the same keys with new values, now and then a key
 * replaced, one more or fewer, a new set, and random mutations of any of them.  Every verdict
 * must be the general one; the skeleton must hold a plain-keyed document's members after it
 * (else the test would not test it), and both verdicts must show up.
 */
START_TEST(test_json_skel_differential)
{
    uint64_t x = 0x2545f4914f6cdd1dULL;
    long ok = 0, bad = 0, held = 0, cand = 0;
    char o[8192];

    int runs = dft_full() ? 40 : 16; /* make check: a sample (each kind of run still met) */

    for (int run = 0; run < runs; run++) {
        dfi_jskel *k = dfi_jskel_new();
        unsigned keys[16], nk = 1 + rng_below(&x, 8);
        bool jsonb = run % 4 != 0;

        ck_assert_ptr_nonnull(k);
        for (unsigned m = 0; m < nk; m++)
            keys[m] = rng_below(&x, 6) ? rng_below(&x, 6) : rng_below(&x, NSKEYS);
        for (int d = 0; d < 2000; d++) {
            /* half the runs change keys and mutate often enough to rest the skeleton */
            unsigned r = rng_below(&x, run % 2 ? 20 : 200);
            size_t n;
            bool skel, gen, plain = true;

            if (r == 0 && nk < 16)
                keys[nk++] = rng_below(&x, NSKEYS);
            else if (r == 1 && nk > 0)
                nk--;
            else if (r == 2 && nk > 0)
                keys[rng_below(&x, nk)] = rng_below(&x, NSKEYS);
            else if (r == 3)
                for (unsigned m = 0; m < nk; m++)
                    keys[m] = rng_below(&x, NSKEYS);
            n = gen_keyed(&x, keys, nk, o);
            if (rng_below(&x, run % 2 ? 3 : 16) == 0) {
                for (unsigned m = 1 + rng_below(&x, 3); m > 0; m--)
                    n = mutate(&x, o, n);
                plain = false;
            } else {
                for (unsigned m = 0; m < nk; m++)
                    plain &= strchr(skel_keys[keys[m]], '\\') == NULL &&
                             strlen(skel_keys[keys[m]]) < 40;
            }
            skel_verdicts(k, o, n, jsonb, &skel, &gen);
            ck_assert_msg(skel == gen, "skeleton %d, general %d (%s): %.*s", skel, gen,
                          jsonb ? "jsonb" : "json", (int)n, o);
            ok += gen;
            bad += !gen;
            /* a valid flat document of plain keys, up to 256 bytes (longer ones are read from
               the heap, without the skeleton), is the skeleton now (unless it rests) */
            if (gen && plain && n <= 256 && dfi_check_json_flat((const uint8_t *)o, n, jsonb))
                cand++;
            if (gen && plain && n <= 256 && dfi_check_json_flat((const uint8_t *)o, n, jsonb) &&
                dfi_jskel_members(k) >= 0) {
                ck_assert_int_eq(dfi_jskel_members(k), (int)nk);
                held++;
            }
        }
        dfi_jskel_free(k);
    }
    ck_assert_msg(ok > 500L * runs && bad > 125L * runs && held > 250L * runs && held > cand / 2,
                  "ok %ld, bad %ld, held %ld of %ld", ok, bad, held, cand);
}
END_TEST

/*
 * A skeleton held, then every byte value put at every place of a document of its keys,
 * inserted there, and every cut of it: the verdict is the general one (each time from the
 * same skeleton, recorded again).  Keys of 1 to 46 bytes cover every lane of the member
 * compares and the keys too long to record.
 */
START_TEST(test_json_skel_bytes)
{
    static const char *const shapes[] = {
        "{\"k\": 1, \"ok\": false, \"tag\": \"t1\", \"score\": 7.907}",
        "{\"abcdefghijklmnopq\": \"v\", \"abcdefgh\": null, \"ab\": -0.5}",
        "{\"0123456789012345678901234567890123456789x\": true, \"z\": \"\"}",
        "{\"0123456789012345678901234567890123456789012345\": 1, \"z\": 2}",
        "{\"a\\u00e9\": 1, \"b\": [1], \"c\": 3}",
        "{}"};
    static const int want[] = {4, 3, 2, 0, 0, 0}; /* the members recorded (plain, short keys) */
    char o[256];

    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        const char *d = shapes[si];
        size_t n = strlen(d);
        dfi_jskel *k;
        bool skel, gen;

        for (size_t at = 0; at <= n; at++)
            for (int c = 0; c < 256; c++)
                for (int ins = 0; ins < 2; ins++) {
                    size_t m = n;
                    if (!ins && at == n)
                        continue;
                    /* make check: each place gets a third of the byte values, turning, so
                       every value still meets every third place (make check-full: all) */
                    if (!dft_full() && (at + (size_t)c) % 3 != 0 && c != '"' && c != '\\' &&
                        c != ',' && c != '}' && c != 0)
                        continue;
                    /* a new skeleton each time: misses every other document would rest one */
                    k = dfi_jskel_new();
                    ck_assert_ptr_nonnull(k);
                    /* the skeleton: d's keys, and (the second time) its numbers' shapes */
                    skel_verdicts(k, d, n, true, &skel, &gen);
                    skel_verdicts(k, d, n, true, &skel, &gen);
                    ck_assert(skel && gen && dfi_jskel_members(k) == want[si]);
                    memcpy(o, d, n);
                    if (ins) {
                        memmove(o + at + 1, o + at, n - at);
                        m++;
                    }
                    o[at] = (char)c;
                    skel_verdicts(k, o, m, true, &skel, &gen);
                    ck_assert_msg(skel == gen, "shape %zu, byte %d %s at %zu: %d, general %d", si,
                                  c, ins ? "inserted" : "put", at, skel, gen);
                    dfi_jskel_free(k);
                }
        for (size_t cut = 0; cut < n; cut++) {
            k = dfi_jskel_new();
            ck_assert_ptr_nonnull(k);
            skel_verdicts(k, d, n, true, &skel, &gen);
            skel_verdicts(k, d, cut, true, &skel, &gen);
            ck_assert_msg(skel == gen && !gen, "shape %zu cut at %zu", si, cut);
            dfi_jskel_free(k);
        }
    }
}
END_TEST

/*
 * A column whose documents' keys change every row: the skeleton gives up for a while and
 * every verdict is still the general one; then a steady set of keys is held again.
 */
START_TEST(test_json_skel_rest)
{
    dfi_jskel *k = dfi_jskel_new();
    char o[64];
    bool skel, gen, rested = false;

    ck_assert_ptr_nonnull(k);
    for (int d = 0; d < 20000; d++) {
        int n = snprintf(o, sizeof o, "{\"a\": 1, \"k%d\": %d}", d % 7 == 3 ? 1 : d, d);
        if (d % 13 == 5)
            o[n - 1] = ']';
        skel_verdicts(k, o, (size_t)n, true, &skel, &gen);
        ck_assert_msg(skel == gen && gen == (d % 13 != 5), "%.*s", n, o);
        rested |= dfi_jskel_members(k) < 0;
    }
    ck_assert(rested);
    for (int d = 0; d < 5000; d++) {
        int n = snprintf(o, sizeof o, "{\"a\": 1, \"b\": %d}", d);
        skel_verdicts(k, o, (size_t)n, true, &skel, &gen);
        ck_assert(skel && gen);
    }
    ck_assert_int_eq(dfi_jskel_members(k), 2);
    dfi_jskel_free(k);
}
END_TEST

/*
 * Numbers read by the shape of the member's last number (its digits and '.' where they were):
 * after a document with a number of each shape, documents with random short number-like
 * values in its place get the general verdict.
 */
START_TEST(test_json_skel_numbers)
{
    static const char *const shapes[] = {"1", "12", "0", "7.907", "0.5", "123.45", "10", "99999999999999"};
    static const char alpha[] = "0123456789012345.-eE+x,} ";
    uint64_t x = 0x1234567887654321ULL;
    long fast = 0;

    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++)
        for (int t = 0; t < 6000; t++) {
            char d[64], o[64], v[16];
            unsigned len = 1 + rng_below(&x, 15);
            int n, m;
            bool skel, gen;
            dfi_jskel *k = dfi_jskel_new();

            ck_assert_ptr_nonnull(k);
            /* mostly the shape with other digits, else anything of the alphabet */
            if (t % 2 == 0) {
                len = (unsigned)strlen(shapes[si]);
                for (unsigned j = 0; j < len; j++)
                    v[j] = shapes[si][j] == '.' ? '.' : (char)('0' + rng_below(&x, 10));
                if (rng_below(&x, 3) == 0)
                    v[rng_below(&x, len)] = alpha[rng_below(&x, sizeof alpha - 1)];
            } else {
                for (unsigned j = 0; j < len; j++)
                    v[j] = alpha[rng_below(&x, sizeof alpha - 1)];
            }
            n = snprintf(d, sizeof d, "{\"a\": %s, \"b\": 1}", shapes[si]);
            m = snprintf(o, sizeof o, "{\"a\": %.*s, \"b\": 1}", (int)len, v);
            skel_verdicts(k, d, (size_t)n, true, &skel, &gen);
            skel_verdicts(k, d, (size_t)n, true, &skel, &gen);
            ck_assert(skel && gen);
            skel_verdicts(k, o, (size_t)m, true, &skel, &gen);
            ck_assert_msg(skel == gen, "shape %s, value %.*s: %d, general %d", shapes[si],
                          (int)len, v, skel, gen);
            fast += gen;
            m = snprintf(o, sizeof o, "{\"a\": %.*s}", (int)len, v); /* the last member */
            skel_verdicts(k, o, (size_t)m, true, &skel, &gen);
            ck_assert_msg(skel == gen, "shape %s, value %.*s}: %d, general %d", shapes[si],
                          (int)len, v, skel, gen);
            dfi_jskel_free(k);
        }
    ck_assert_int_gt(fast, 10000);
    /* no value where a member's number was: right after the members are recorded (no shape
       yet) and after a shape was taken */
    for (int primes = 1; primes <= 2; primes++) {
        static const char *const empty[] = {"{\"a\": , \"b\": 1}", "{\"a\": }", "{\"a\": ,}"};
        for (size_t e = 0; e < sizeof empty / sizeof empty[0]; e++) {
            dfi_jskel *k = dfi_jskel_new();
            bool skel, gen;

            ck_assert_ptr_nonnull(k);
            for (int i = 0; i < primes; i++)
                skel_verdicts(k, "{\"a\": 1, \"b\": 1}", 16, true, &skel, &gen);
            skel_verdicts(k, empty[e], strlen(empty[e]), true, &skel, &gen);
            ck_assert_msg(!skel && !gen, "%s after %d", empty[e], primes);
            dfi_jskel_free(k);
        }
    }
}
END_TEST

/* jsonb rows through the row checker (the skeleton of check_planned): the bad ones found. */
START_TEST(test_json_skel_rows)
{
    dfi_vcol cols[2];
    dfi_vtable t = {2, cols, DFI_ENC_UTF8, 2};
    char text[65536];
    size_t k = 0;
    dfi_vcheck vc;

    memset(cols, 0, sizeof cols);
    dfi_vcol_parse_type(&cols[0], "integer");
    dfi_vcol_parse_type(&cols[1], "jsonb");
    for (int r = 1; r <= 300; r++)
        k += (size_t)snprintf(text + k, sizeof text - k,
                              r == 100   ? "%d\t{\"k\": %d, \"ok\": tru, \"tag\": \"t1\"}\n"
                              : r == 200 ? "%d\t{\"k\": %d, \"ok\": true, \"tag\": \"t1\", }\n"
                                         : "%d\t{\"k\": %d, \"ok\": true, \"tag\": \"t1\"}\n",
                              r, r);
    k += (size_t)snprintf(text + k, sizeof text - k, "\\.\n");
    memset(&vc, 0, sizeof vc);
    feed_rows(&vc, &t, text, 1000);
    ck_assert_int_eq(vc.nbad[DFI_VAL_BAD], 2);
    ck_assert_int_eq(vc.first[DFI_VAL_BAD][0].row, 100);
    ck_assert_int_eq(vc.first[DFI_VAL_BAD][1].row, 200);
    dfi_vcheck_init(&vc, &t); /* again: the skeletons of the first are freed (ASan: no leak) */
    dfi_vcheck_free(&vc);
}
END_TEST

static Suite *valuecheck_suite(void)
{
    Suite *s = suite_create("valuecheck");
    TCase *tc = tcase_create("values");

    tcase_add_loop_test(tc, test_values, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, test_not_null);
    tcase_add_test(tc, test_rows_in_pieces);
    tcase_add_test(tc, test_int_rows_match_value_check);
    tcase_add_test(tc, test_types);
    tcase_add_test(tc, test_json_flat_differential);
    tcase_add_test(tc, test_json_flat_lengths);
    tcase_add_test(tc, test_json_flat_numbers);
    tcase_add_test(tc, test_json_flat_bytes);
    tcase_add_test(tc, test_json_skel_differential);
    tcase_add_test(tc, test_json_skel_bytes);
    tcase_add_test(tc, test_json_skel_rest);
    tcase_add_test(tc, test_json_skel_numbers);
    tcase_add_test(tc, test_json_skel_rows);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(valuecheck_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
