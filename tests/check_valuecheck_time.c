/*
 * check_valuecheck_time.c — the fast paths of the date/time checks (libdumpfmt/valuecheck_time.c,
 * valuecheck_timefast.c) held against the general, tokenizing check (which tests/live/values.sh
 * holds against the server): a value a fast path takes must be one the general check finds
 * valid, whatever its bytes (the 16-byte SSE2 reading of timestamps and the 64-bit one for
 * machines without SSE2 alike); the shapes pg_dump prints must be taken by the word-at-a-time
 * path (else the speed is lost without any test noticing); and on those shapes, field by field
 * over the edges of every range, the word-at-a-time path must say exactly what the general
 * check says.
 */
#include "valuecheck_time.h"
#include "check_util.h"

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int kinds[] = {DFI_VK_DATE, DFI_VK_TIME, DFI_VK_TIMETZ, DFI_VK_TIMESTAMP,
                            DFI_VK_TIMESTAMPTZ};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* A small deterministic generator (xorshift64*): the same values on every run. */
static uint64_t rnd_next(uint64_t *st)
{
    *st ^= *st >> 12;
    *st ^= *st << 25;
    *st ^= *st >> 27;
    return *st * 0x2545F4914F6CDD1DULL;
}

static unsigned rnd(uint64_t *st, unsigned n)
{
    return (unsigned)(rnd_next(st) >> 33) % n;
}

/* What the paths say of one value: counted so that a run can show it met both verdicts. */
typedef struct tally {
    long quick_ok, fast_ok, general_bad;
} tally;

/*
 * The value `v` (NUL-terminated) as a column of `kind`: a fast path that takes it must agree
 * with the general check.  The fast paths read a copy of exactly n bytes without a terminator,
 * so that ASan sees any read past the value.
 */
static void hold(int kind, const char *v, tally *t)
{
    size_t n = strlen(v);
    uint8_t *p = malloc(n ? n : 1);
    int general = dfi_check_datetime_general(kind, DFI_ENC_UTF8, v);
    bool quick, words, fast;

    ck_assert_ptr_nonnull(p);
    memcpy(p, v, n);
    quick = dfi_datetime_quick(kind, p, n);
    words = dfi_datetime_quick_words(kind, p, n);
    fast = dfi_datetime_fast(kind, p, n);
    free(p);
    ck_assert_msg(!quick || general == DFI_VAL_OK, "kind %d \"%s\": the quick path takes it, "
                  "the general check rejects it", kind, v);
    ck_assert_msg(!words || general == DFI_VAL_OK, "kind %d \"%s\": the quick path in words "
                  "takes it, the general check rejects it", kind, v);
    ck_assert_msg(!fast || general == DFI_VAL_OK, "kind %d \"%s\": the fast path takes it, "
                  "the general check rejects it", kind, v);
    ck_assert_msg(quick == words, "kind %d \"%s\": SSE2 %d, words %d", kind, v, quick, words);
    ck_assert_msg(!quick || fast, "kind %d \"%s\": quick but not fast", kind, v);
    ck_assert_int_eq(dfi_check_datetime(kind, DFI_ENC_UTF8, v), fast ? DFI_VAL_OK : general);
    t->quick_ok += quick;
    t->fast_ok += fast;
    t->general_bad += general != DFI_VAL_OK;
}

/* The quick path (SSE2, and in words) takes the value: v, n bytes. */
static bool quick_both(int kind, const char *v, size_t n)
{
    bool quick = dfi_datetime_quick(kind, (const uint8_t *)v, n);

    ck_assert_msg(quick == dfi_datetime_quick_words(kind, (const uint8_t *)v, n),
                  "kind %d \"%.*s\": SSE2 and words differ", kind, (int)n, v);
    return quick;
}

/* On the quick path's own shapes, exactly the general check's verdict. */
static void same(int kind, const char *v)
{
    bool quick = quick_both(kind, v, strlen(v));
    int general = dfi_check_datetime_general(kind, DFI_ENC_UTF8, v);

    ck_assert_msg(quick == (general == DFI_VAL_OK), "kind %d \"%s\": quick %d, general %d",
                  kind, v, quick, general);
}

/* A number below n, or (one time in `edge`) one of lo..lo + k - 1 around the range's end. */
static unsigned field(uint64_t *st, unsigned n, unsigned edge, unsigned lo, unsigned k)
{
    return rnd(st, edge) ? rnd(st, n) : lo + rnd(st, k);
}

/* A value in one of pg_dump's shapes, with fields drawn around the edges of their ranges. */
static void gen_value(uint64_t *st, char *buf, size_t cap)
{
    static const int years[] = {0, 1, 2, 3, 4, 99, 100, 400, 1582, 1899, 1900, 1999, 2000,
                                2020, 2023, 2024, 2100, 2400, 4713, 4714, 9999, 10000,
                                294276, 294277};
    static const int frac_digits[] = {0, 0, 0, 1, 2, 3, 6, 7};
    char date[32], time[32], frac[16], zone[16];
    int y = rnd(st, 4) ? (int)(1 + rnd(st, 9999)) : years[rnd(st, sizeof years / sizeof *years)];
    unsigned mon = rnd(st, 8) ? 1 + rnd(st, 12) : rnd(st, 14);                  /* or 0, 13 */
    unsigned day = rnd(st, 3) ? 1 + rnd(st, 28) : rnd(st, 8) ? 28 + rnd(st, 5) : 0; /* to 32 */
    unsigned hour = field(st, 24, 4, 22, 4), min = field(st, 60, 4, 58, 4);
    unsigned sec = field(st, 60, 4, 58, 4), zh = rnd(st, 17), zm = field(st, 60, 4, 58, 4);
    int nf = frac_digits[rnd(st, 8)];
    unsigned shape = rnd(st, 5), zshape = rnd(st, 6);
    bool bc = rnd(st, 10) == 0;

    snprintf(date, sizeof date, "%04d-%02u-%02u", y, mon, day);
    snprintf(time, sizeof time, "%02u:%02u:%02u", hour, min, sec);
    frac[0] = '\0';
    if (nf > 0) {
        frac[0] = '.';
        for (int i = 1; i <= nf; i++)
            frac[i] = (char)('0' + rnd(st, 10));
        frac[nf + 1] = '\0';
    }
    switch (zshape) {
    case 0: zone[0] = '\0'; break;
    case 1: snprintf(zone, sizeof zone, "+%02u", zh); break;
    case 2: snprintf(zone, sizeof zone, "-%02u", zh); break;
    case 3: snprintf(zone, sizeof zone, "%c%02u:%02u", zm % 2 ? '+' : '-', zh, zm); break;
    case 4: snprintf(zone, sizeof zone, "-%02u:%02u:%02u", zh, zm, sec); break;
    default: snprintf(zone, sizeof zone, "+00"); break;
    }
    if (shape == 0)
        snprintf(buf, cap, "%s", date);
    else if (shape == 1)
        snprintf(buf, cap, "%s%s%s", time, frac, zone);
    else
        snprintf(buf, cap, "%s %s%s%s%s", date, time, frac, zone, bc ? " BC" : "");
}

/* Damage as a torn or flipped field shows it: a byte replaced, inserted, removed; a cut. */
static void mutate(uint64_t *st, char *buf, size_t cap)
{
    static const char alpha[] = "0123456789+-.: /,TZBCbcxe\x01\xc3\xff";
    size_t n = strlen(buf), at = n ? rnd(st, (unsigned)n) : 0;
    char c = alpha[rnd(st, sizeof alpha - 1)];

    switch (rnd(st, 5)) {
    case 0:
    case 1:
        if (n > 0)
            buf[at] = c;
        break;
    case 2:
        if (n + 2 <= cap) {
            memmove(buf + at + 1, buf + at, n - at + 1);
            buf[at] = c;
        }
        break;
    case 3:
        if (n > 0)
            memmove(buf + at, buf + at + 1, n - at);
        break;
    default: buf[at] = '\0'; break;
    }
}

/* Many values and their mutations under every kind: the fast paths never take a bad one. */
START_TEST(test_mutations_agree)
{
    uint64_t st = 0x9e3779b97f4a7c15ULL;
    tally t = {0, 0, 0};
    char buf[96];
    int values = dft_full() ? 12000 : 5000; /* make check: a sample (check-full: all) */

    for (int i = 0; i < values; i++) {
        gen_value(&st, buf, sizeof buf);
        for (int k = 0; k < 4; k++) {
            for (size_t j = 0; j < NKINDS; j++)
                hold(kinds[j], buf, &t);
            mutate(&st, buf, sizeof buf);
        }
    }
    /* both verdicts met, many times: the test would see a path that took a bad value */
    printf("mutations: quick took %ld, fast %ld, the general check rejected %ld\n", t.quick_ok,
           t.fast_ok, t.general_bad);
    ck_assert_int_gt(t.quick_ok, values / 4);
    ck_assert_int_gt(t.general_bad, values * 8);
}
END_TEST

/* pg_dump's usual shapes, valid: every one taken by the word-at-a-time path. */
START_TEST(test_usual_shapes_quick)
{
    static const char *const zones[] = {"+00", "-03", "+15", "-15", "+05:30", "-09:59", "+13:45"};
    static const struct {
        int kind;
        const char *v;
    } fixed[] = {
        {DFI_VK_TIMESTAMPTZ, "2020-01-01 00:00:07.3+00"},
        {DFI_VK_TIMESTAMPTZ, "2020-01-01 00:00:07+00"},
        {DFI_VK_TIMESTAMPTZ, "2020-09-10 11:20:00.123456+05:30"},
        {DFI_VK_TIMESTAMPTZ, "2024-02-29 23:59:59.999999-15"},
        {DFI_VK_TIMESTAMPTZ, "0001-01-01 00:00:00+15"},
        {DFI_VK_TIMESTAMPTZ, "9999-12-31 23:59:59-15:59"},
        {DFI_VK_TIMESTAMP, "2000-02-29 12:34:56"},
        {DFI_VK_TIMESTAMP, "1999-12-31 23:59:59.5"},
        {DFI_VK_TIMESTAMP, "2400-02-29 00:00:00.000001"},
        {DFI_VK_DATE, "2024-02-29"},
        {DFI_VK_DATE, "0001-01-01"},
        {DFI_VK_DATE, "9999-12-31"},
        {DFI_VK_TIME, "23:59:59.999999"},
        {DFI_VK_TIME, "00:00:00"},
        {DFI_VK_TIMETZ, "12:00:00+05:30"},
        {DFI_VK_TIMETZ, "12:00:00.25-08"},
    };
    uint64_t st = 42;
    char buf[96], frac[8];

    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        ck_assert_msg(quick_both(fixed[i].kind, fixed[i].v, strlen(fixed[i].v)),
                      "\"%s\" not taken", fixed[i].v);
        ck_assert_int_eq(dfi_check_datetime_general(fixed[i].kind, DFI_ENC_UTF8, fixed[i].v),
                         DFI_VAL_OK);
    }
    for (int i = 0; i < 20000; i++) {
        static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        unsigned y = 1 + rnd(&st, 9999), m = 1 + rnd(&st, 12), nf = rnd(&st, 7);
        unsigned d = 1 + rnd(&st, (unsigned)mdays[m - 1]);
        const char *z = zones[rnd(&st, sizeof zones / sizeof zones[0])];

        for (unsigned k = 0; k < nf; k++)
            frac[k] = (char)('0' + rnd(&st, 10));
        frac[nf] = '\0';
        snprintf(buf, sizeof buf, "%04u-%02u-%02u %02u:%02u:%02u%s%s%s", y, m, d, rnd(&st, 24),
                 rnd(&st, 60), rnd(&st, 60), nf ? "." : "", frac, z);
        ck_assert_msg(quick_both(DFI_VK_TIMESTAMPTZ, buf, strlen(buf)), "\"%s\" not taken", buf);
        buf[strlen(buf) - strlen(z)] = '\0';
        ck_assert_msg(quick_both(DFI_VK_TIMESTAMP, buf, strlen(buf)), "\"%s\" not taken", buf);
        buf[10] = '\0';
        ck_assert_msg(quick_both(DFI_VK_DATE, buf, 10), "\"%s\" not taken", buf);
    }
}
END_TEST

/* The date's edges: years around the leap rules and the era, months 0-13, days 0-32. */
START_TEST(test_dates_exact)
{
    static const int years[] = {0, 1, 2, 3, 4, 5, 96, 99, 100, 101, 104, 200, 300, 400, 800,
                                1600, 1700, 1800, 1900, 1996, 2000, 2001, 2004, 2020, 2100,
                                2200, 2300, 2400, 2500, 4000, 9000, 9600, 9900, 9996, 9999};
    char buf[64];

    for (size_t i = 0; i < sizeof years / sizeof years[0]; i++)
        for (int m = 0; m <= 13; m++)
            for (int d = 0; d <= 32; d++) {
                snprintf(buf, sizeof buf, "%04d-%02d-%02d", years[i], m, d);
                same(DFI_VK_DATE, buf);
                snprintf(buf, sizeof buf, "%04d-%02d-%02d 12:00:00", years[i], m, d);
                same(DFI_VK_TIMESTAMP, buf);
                snprintf(buf, sizeof buf, "%04d-%02d-%02d 12:00:00.5+01", years[i], m, d);
                same(DFI_VK_TIMESTAMPTZ, buf);
            }
}
END_TEST

/*
 * The time's and zone's edges.  Exact on the quick path's own shapes; the others (".", seven
 * digits, zones it does not read, 24:00:00, leap seconds) go to the general check, which takes
 * some of them: there only the one-way rule holds.
 */
START_TEST(test_times_exact)
{
    static const int hours[] = {0, 1, 9, 10, 19, 20, 23};
    static const int sixty[] = {0, 1, 9, 10, 50, 59, 60, 61, 69, 70, 99};
    static const struct {
        const char *tail;
        int shape; /* 0: not the quick path's; 1: without a zone; 2: with one */
    } tails[] = {{"", 1}, {".0", 1}, {".5", 1}, {".123456", 1}, {"+00", 2}, {"-15", 2},
                 {"+16", 2}, {"+19", 2}, {"+05:30", 2}, {"+05:60", 2}, {"+15:59", 2},
                 {".25+02", 2}, {".999999-15:59", 2}, {"-00:00", 2}, {".", 0}, {".1234567", 0},
                 {"-1", 0}, {"+1:00", 0}, {"+05:3", 0}, {"+05:30:00", 0}, {"+0", 0}, {"+", 0},
                 {"x", 0}, {" BC", 0}, {".5 BC", 0}, {"+00 BC", 0}, {".5+", 0}, {"+00:", 0}};
    tally tl = {0, 0, 0};
    char buf[64];

    for (size_t a = 0; a < sizeof hours / sizeof hours[0]; a++)
        for (size_t b = 0; b < sizeof sixty / sizeof sixty[0]; b++)
            for (size_t c = 0; c < sizeof sixty / sizeof sixty[0]; c++)
                for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++) {
                    int shape = sixty[c] < 60 ? tails[t].shape : 0;
                    snprintf(buf, sizeof buf, "%02d:%02d:%02d%s", hours[a], sixty[b], sixty[c],
                             tails[t].tail);
                    hold(DFI_VK_TIME, buf, &tl);
                    hold(DFI_VK_TIMETZ, buf, &tl);
                    if (shape != 0)
                        same(shape == 1 ? DFI_VK_TIME : DFI_VK_TIMETZ, buf);
                    snprintf(buf, sizeof buf, "2021-06-30 %02d:%02d:%02d%s", hours[a], sixty[b],
                             sixty[c], tails[t].tail);
                    hold(DFI_VK_TIMESTAMP, buf, &tl);
                    hold(DFI_VK_TIMESTAMPTZ, buf, &tl);
                    if (shape != 0)
                        same(shape == 1 ? DFI_VK_TIMESTAMP : DFI_VK_TIMESTAMPTZ, buf);
                }
    /* the server takes these, the quick path leaves them to the general one */
    ck_assert(!quick_both(DFI_VK_TIME, "24:00:00", 8));
    ck_assert(!quick_both(DFI_VK_TIME, "23:59:60", 8));
    ck_assert_int_eq(dfi_check_datetime(DFI_VK_TIME, DFI_ENC_UTF8, "24:00:00"), DFI_VAL_OK);
    ck_assert_int_eq(dfi_check_datetime(DFI_VK_TIMESTAMP, DFI_ENC_UTF8, "2000-02-29 24:00:00"),
                     DFI_VAL_OK);
}
END_TEST

static Suite *valuecheck_time_suite(void)
{
    Suite *s = suite_create("valuecheck_time");
    TCase *tc = tcase_create("fast paths");

    tcase_add_test(tc, test_mutations_agree);
    tcase_add_test(tc, test_usual_shapes_quick);
    tcase_add_test(tc, test_dates_exact);
    tcase_add_test(tc, test_times_exact);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(valuecheck_time_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
