/*
 * check_copy.c — unit tests of the COPY row counter (libdumpfmt/copy.c,
 * df_rowcount in COPY mode) against a naive line count: every line length
 * 1..300, backslashes anywhere, long runs of newlines (the word-at-a-time
 * counter folds its byte lanes before they overflow), the "\." terminator
 * at any position and split across pieces, and pieces of 1, 3, 7, 64, 4096
 * bytes and the whole buffer giving the same count.
 */
#include "check_util.h"
#include "dumpfmt.h"

#include <check.h>
#include <stdint.h>
#include <string.h>

static const size_t pieces[] = {1, 3, 7, 64, 4096, SIZE_MAX};
#define N_PIECES (sizeof pieces / sizeof pieces[0])

/* The oracle: rows before the first line that is exactly "\." (-1 when there is none). */
static int64_t naive_rows(const uint8_t *p, size_t n, int *terminated)
{
    int64_t rows = 0;
    size_t start = 0;

    *terminated = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\n')
            continue;
        if (i - start == 2 && p[start] == '\\' && p[start + 1] == '.') {
            *terminated = 1;
            return rows;
        }
        rows++;
        start = i + 1;
    }
    return rows;
}

/* Feed p in pieces of `piece` bytes; the counter's rows and terminated flag must match. */
static void expect_same_count(const uint8_t *p, size_t n, const char *what)
{
    int want_term;
    int64_t want = naive_rows(p, n, &want_term);

    for (size_t k = 0; k < N_PIECES; k++) {
        df_rowcount *rc = df_rowcount_new(DF_ROWS_COPY);

        ck_assert_ptr_nonnull(rc);
        for (size_t off = 0; off < n;) {
            size_t len = n - off < pieces[k] ? n - off : pieces[k];

            df_rowcount_feed(rc, p + off, len);
            off += len;
        }
        ck_assert_msg(df_rowcount_rows(rc) == want && df_rowcount_terminated(rc) == want_term,
                      "%s, pieces of %zu: %lld rows (terminated %d), naive %lld (%d)", what,
                      pieces[k], (long long)df_rowcount_rows(rc), df_rowcount_terminated(rc),
                      (long long)want, want_term);
        df_rowcount_free(rc);
    }
}

/* Deterministic byte that is never a newline; a backslash every `bs_every` bytes. */
static uint8_t fill(uint32_t *seed, unsigned bs_every, size_t i)
{
    uint8_t c;

    *seed = *seed * 1103515245u + 12345u;
    c = (uint8_t)(' ' + (*seed >> 16) % 90);
    return bs_every && i % bs_every == bs_every - 1 ? '\\' : c;
}

/* _i = line length 1..300: 40 lines of that length, then "\.", then more lines. */
START_TEST(test_line_lengths)
{
    size_t len = (size_t)_i, cap = 45 * (len + 1) + 64, n = 0;
    uint8_t *buf = malloc(cap);
    uint32_t seed = (uint32_t)len;
    char what[64];

    ck_assert_ptr_nonnull(buf);
    for (unsigned bs = 0; bs < 3; bs++) {
        unsigned every = bs == 0 ? 0 : bs == 1 ? 5 : 97;

        n = 0;
        for (int line = 0; line < 40; line++) {
            for (size_t i = 0; i < len; i++)
                buf[n++] = fill(&seed, every, i);
            if (len == 2 && buf[n - 2] == '\\' && buf[n - 1] == '.')
                buf[n - 1] = 'x'; /* only the real terminator is one */
            buf[n++] = '\n';
        }
        snprintf(what, sizeof what, "length %zu, backslash every %u", len, every);
        expect_same_count(buf, n, what); /* no terminator */
        memcpy(buf + n, "\\.\nabcd\nef\n", 11);
        expect_same_count(buf, n + 11, what);
    }
    free(buf);
}
END_TEST

/* Long runs of newlines after a long line, and lines of every length mixed. */
START_TEST(test_newline_runs)
{
    size_t cap = 200000, n = 0;
    uint8_t *buf = malloc(cap);
    uint32_t seed = 7;

    ck_assert_ptr_nonnull(buf);
    memcpy(buf, "abcdef", 6);
    n = 6;
    memset(buf + n, '\n', 20000);
    n += 20000;
    expect_same_count(buf, n, "20000 newlines");
    for (size_t len = 0; len < 300 && n + len + 8 < cap; len += 1 + len / 10) {
        for (size_t i = 0; i < len; i++)
            buf[n++] = fill(&seed, len % 7 == 3 ? 11 : 0, i);
        buf[n++] = '\n';
    }
    memset(buf + n, '\n', 3000);
    n += 3000;
    expect_same_count(buf, n, "mixed lengths");
    memcpy(buf + n, "\\.\n", 3);
    expect_same_count(buf, n + 3, "mixed lengths, terminated");
    free(buf);
}
END_TEST

/* Lines that resemble the terminator but are not it. */
START_TEST(test_near_terminators)
{
    static const char *const cases[] = {
        "a\tb\n\\.x\n\\\n.\n\\..\nx\\.\n\\.", /* no terminator line, a partial "\." last */
        "abc\\.\n\\.\n1\n",                   /* "\." after a long line */
        "\\\\.\n\\N\t\\.\n\\.\n",             /* escaped backslash, then the terminator */
        "abcdef\\",                           /* ends in a backslash */
    };

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        expect_same_count((const uint8_t *)cases[k], strlen(cases[k]), cases[k]);
}
END_TEST

/* "COPY ... FROM stdin;" first: its line is not a row. */
START_TEST(test_with_command)
{
    const char *text = "COPY public.t (a) FROM stdin;\nrow one\nrow two\n\\.\n\n";

    for (size_t k = 0; k < N_PIECES; k++) {
        df_rowcount *rc = df_rowcount_new(DF_ROWS_COPY_WITH_COMMAND);
        size_t n = strlen(text);

        for (size_t off = 0; off < n;) {
            size_t len = n - off < pieces[k] ? n - off : pieces[k];

            df_rowcount_feed(rc, text + off, len);
            off += len;
        }
        ck_assert_int_eq(df_rowcount_rows(rc), 2);
        ck_assert_int_eq(df_rowcount_terminated(rc), 1);
        df_rowcount_free(rc);
    }
}
END_TEST

static Suite *copy_suite(void)
{
    Suite *s = suite_create("copy");
    TCase *tc = tcase_create("rowcount");

    tcase_add_loop_test(tc, test_line_lengths, 1, 301);
    tcase_add_test(tc, test_newline_runs);
    tcase_add_test(tc, test_near_terminators);
    tcase_add_test(tc, test_with_command);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(copy_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
