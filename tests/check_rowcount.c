/*
 * check_rowcount.c — every COPY row counter against a naive count (issue
 * 10): the lexer's vector newline counter (dfi_count_newlines) for every
 * line length 1..300 at every alignment and in random mixes, and the same
 * COPY data through every counter a plain script meets: the plain reader
 * (file and pipe, CR LF too), df_rowcount (copy.c), the verifier's COPY
 * checker (verify.c) and a full df_verify of the script.  Lines whose
 * length divides 16 (15-byte values) once overflowed a byte lane.
 */
#include "check_util.h"
#include "dumpfmt.h"
#include "plain.h"
#include "verify.h"

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LEN 300

/* A deterministic generator (no global state: the caller keeps the seed). */
static uint32_t next_rand(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xffffff;
}

static int64_t naive_newlines(const uint8_t *p, size_t n)
{
    int64_t k = 0;

    for (size_t i = 0; i < n; i++)
        k += p[i] == '\n';
    return k;
}

/* `rows` lines of `len` bytes each (no backslash, no tab) plus a newline, at buf. */
static size_t fill_lines(uint8_t *buf, size_t len, size_t rows, uint32_t *seed)
{
    size_t at = 0;

    for (size_t r = 0; r < rows; r++) {
        for (size_t k = 0; k < len; k++)
            buf[at++] = (uint8_t)('a' + next_rand(seed) % 26);
        buf[at++] = '\n';
    }
    return at;
}

/* Enough rows for well over 255 rounds of 64 bytes. */
static size_t rows_for(size_t len)
{
    return 40000 / (len + 1) + 3;
}

START_TEST(test_count_newlines_lengths)
{
    uint8_t *buf = malloc(40000 + 4 * (MAX_LEN + 1) + 16);
    uint32_t seed = 1;

    ck_assert_ptr_nonnull(buf);
    for (size_t len = 1; len <= MAX_LEN; len++) {
        for (size_t align = 0; align < 16; align++) {
            size_t n = fill_lines(buf + align, len, rows_for(len), &seed);
            int64_t want = naive_newlines(buf + align, n);

            ck_assert_msg(dfi_count_newlines(buf + align, n) == want,
                          "line length %zu, alignment %zu: %lld newlines, counted %lld", len,
                          align, (long long)want, (long long)dfi_count_newlines(buf + align, n));
            /* and a cut that does not end on a line boundary */
            ck_assert_int_eq(dfi_count_newlines(buf + align, n - len / 2),
                             naive_newlines(buf + align, n - len / 2));
        }
    }
    free(buf);
}
END_TEST

START_TEST(test_count_newlines_mixes)
{
    size_t cap = 1 << 20;
    uint8_t *buf = malloc(cap);
    uint32_t seed = 7;

    ck_assert_ptr_nonnull(buf);
    for (int round = 0; round < 40; round++) {
        size_t n = 0;

        /* runs of equal lengths (the worst case) mixed with random lengths and bare newlines */
        while (n + 201 * (MAX_LEN + 1) < cap) {
            size_t len = next_rand(&seed) % (MAX_LEN + 1);
            size_t run = round % 2 ? 1 + next_rand(&seed) % 200 : 1;
            n += fill_lines(buf + n, len, run, &seed);
        }
        ck_assert_int_eq(dfi_count_newlines(buf, n), naive_newlines(buf, n));
    }
    memset(buf, '\n', cap); /* every byte a newline: every lane at its maximum */
    ck_assert_int_eq(dfi_count_newlines(buf, cap), (int64_t)cap);
    ck_assert_int_eq(dfi_count_newlines(buf + 3, cap - 3), (int64_t)cap - 3);
    free(buf);
}
END_TEST

/* ------------------------------------------------------------------ */
/* A generated script with one table per line length                   */
/* ------------------------------------------------------------------ */

typedef struct script {
    char *p;
    size_t n, cap;
    int64_t rows[MAX_LEN + 2]; /* naive count per table t1..t300, t301 = random mix */
} script;

static void put(script *s, const void *p, size_t n)
{
    if (s->n + n + 1 > s->cap) {
        while (s->n + n + 1 > s->cap)
            s->cap = s->cap ? s->cap * 2 : 1 << 20;
        s->p = realloc(s->p, s->cap);
        ck_assert_ptr_nonnull(s->p);
    }
    memcpy(s->p + s->n, p, n);
    s->n += n;
    s->p[s->n] = '\0';
}

static void puts_(script *s, const char *t)
{
    put(s, t, strlen(t));
}

static void table(script *s, int t, bool crlf, uint32_t *seed)
{
    const char *eol = crlf ? "\r\n" : "\n";
    char line[512];
    uint8_t row[MAX_LEN + 2];
    size_t nrows = t <= MAX_LEN ? rows_for((size_t)t) / 4 + 70 : 3000;

    snprintf(line, sizeof line,
             "--%s-- Data for Name: t%d; Type: TABLE DATA; Schema: public; Owner: postgres%s--%s%s"
             "COPY public.t%d (v) FROM stdin;%s",
             eol, t, eol, eol, eol, t, eol);
    puts_(s, line);
    for (size_t r = 0; r < nrows; r++) {
        size_t len = t <= MAX_LEN ? (size_t)t : 1 + next_rand(seed) % MAX_LEN;
        fill_lines(row, len, 1, seed);
        put(s, row, len);
        puts_(s, eol);
    }
    s->rows[t] = (int64_t)nrows;
    snprintf(line, sizeof line, "\\.%s%s%s", eol, eol, eol);
    puts_(s, line);
}

/* pg_dump's shape, just enough: banner, tables, data, trailer. */
static void make_script(script *s, bool crlf)
{
    const char *eol = crlf ? "\r\n" : "\n";
    char line[512];
    uint32_t seed = 42;

    memset(s, 0, sizeof *s);
    snprintf(line, sizeof line, "--%s-- PostgreSQL database dump%s--%s%s", eol, eol, eol, eol);
    puts_(s, line);
    for (int t = 1; t <= MAX_LEN + 1; t++) {
        snprintf(line, sizeof line,
                 "--%s-- Name: t%d; Type: TABLE; Schema: public; Owner: postgres%s--%s%s"
                 "CREATE TABLE public.t%d (%s    v text%s);%s%s",
                 eol, t, eol, eol, eol, t, eol, eol, eol, eol);
        puts_(s, line);
    }
    for (int t = 1; t <= MAX_LEN + 1; t++)
        table(s, t, crlf, &seed);
    snprintf(line, sizeof line, "--%s-- PostgreSQL database dump complete%s--%s%s", eol, eol, eol,
             eol);
    puts_(s, line);
}

static int table_no(const df_entry *e)
{
    ck_assert_ptr_nonnull(e->tag);
    ck_assert_int_eq(e->tag[0], 't');
    return (int)strtol(e->tag + 1, NULL, 10); /* the test's own tag "t<N>" */
}

static void temp_file(char *path, size_t pn, const void *p, size_t n)
{
    int fd;

    snprintf(path, pn, "/tmp/check_rowcount.XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
    close(fd);
}

/* The listing's row counts (the lexer's count) match the naive ones; returns tables seen. */
static int listed_rows(const df_reader *r, const script *s, const char *what)
{
    int seen = 0;

    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        int t;

        if (strcmp(e->desc, "TABLE DATA") != 0)
            continue;
        t = table_no(e);
        ck_assert_msg(e->data_rows == s->rows[t], "%s: t%d: %lld rows listed, %lld in the data",
                      what, t, (long long)e->data_rows, (long long)s->rows[t]);
        ck_assert_int_eq(e->data_terminated, 1);
        seen++;
    }
    return seen;
}

/* Each data stream again through df_rowcount and the verifier's COPY checker. */
static void reread_rows(df_reader *r, const script *s)
{
    uint8_t buf[4093]; /* odd size: pieces end anywhere */

    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        df_rowcount *rc;
        dfi_copycheck cp;
        ssize_t n;
        int t;

        if (strcmp(e->desc, "TABLE DATA") != 0)
            continue;
        t = table_no(e);
        rc = df_rowcount_new(DF_ROWS_COPY);
        ck_assert_ptr_nonnull(rc);
        ck_assert_int_eq(dfi_copycheck_init(&cp, DF_ROWS_COPY, 1, NULL, 0), DF_OK);
        ck_assert_int_eq(df_reader_open_data(r, e), DF_OK);
        while ((n = df_reader_read_data(r, buf, sizeof buf)) > 0) {
            df_rowcount_feed(rc, buf, (size_t)n);
            dfi_copycheck_feed(&cp, buf, (size_t)n);
        }
        ck_assert_int_eq(n, 0);
        df_reader_close_data(r);
        ck_assert_msg(df_rowcount_rows(rc) == s->rows[t], "df_rowcount: t%d: %lld, want %lld", t,
                      (long long)df_rowcount_rows(rc), (long long)s->rows[t]);
        ck_assert_msg(cp.rows == s->rows[t] && cp.terminated,
                      "COPY checker: t%d: %lld rows, want %lld", t, (long long)cp.rows,
                      (long long)s->rows[t]);
        ck_assert_int_eq(cp.bad_rows, 0);
        df_rowcount_free(rc);
        dfi_copycheck_free(&cp);
    }
}

/* df_verify: no findings but "ok", and the rows of all tables. */
static void verify_rows(const char *path, int fd, const script *s, const char *what)
{
    df_verify_options o;
    df_verify *v = NULL;
    const df_verify_summary *sum;
    int64_t want = 0;
    int rc;

    for (int t = 1; t <= MAX_LEN + 1; t++)
        want += s->rows[t];
    df_verify_options_default(&o);
    rc = path ? df_verify_path(path, &o, &v, NULL) : df_verify_fd(fd, "-", &o, &v, NULL);
    ck_assert_int_eq(rc, DF_OK);
    sum = df_verify_get_summary(v);
    for (size_t i = 0; i < df_verify_count(v); i++) {
        const df_finding *f = df_verify_finding(v, i);
        ck_assert_msg(f->severity < DF_SEVERITY_WARNING, "%s: %s: %s", what, f->code, f->message);
    }
    ck_assert_msg(sum->rows == want, "%s: df_verify counts %lld rows, want %lld", what,
                  (long long)sum->rows, (long long)want);
    df_verify_free(v);
}

static void check_script(bool crlf)
{
    const char *what = crlf ? "CR LF script" : "script";
    script s;
    char path[256];
    df_reader *r;
    int fds[2];
    pid_t child;

    make_script(&s, crlf);
    temp_file(path, sizeof path, s.p, s.n);
    r = df_reader_new(NULL);
    ck_assert_int_eq(df_reader_open_path(r, path), DF_OK);
    ck_assert_int_eq(listed_rows(r, &s, what), MAX_LEN + 1);
    reread_rows(r, &s);
    df_reader_free(r);
    verify_rows(path, -1, &s, what);
    /* a pipe: the lexer's count is all there is */
    for (int pass = 0; pass < 2; pass++) {
        ck_assert_int_eq(pipe(fds), 0);
        child = fork();
        ck_assert_int_ge(child, 0);
        if (child == 0) {
            size_t done = 0;
            close(fds[0]);
            while (done < s.n) {
                ssize_t w = write(fds[1], s.p + done, s.n - done);
                if (w <= 0)
                    _exit(1);
                done += (size_t)w;
            }
            _exit(0);
        }
        close(fds[1]);
        if (pass == 0) {
            r = df_reader_new(NULL);
            ck_assert_int_eq(df_reader_open_fd(r, fds[0], "-"), DF_OK);
            ck_assert_int_eq(listed_rows(r, &s, what), MAX_LEN + 1);
            df_reader_free(r);
        } else {
            verify_rows(NULL, fds[0], &s, what);
        }
        close(fds[0]);
        kill(child, SIGTERM);
        waitpid(child, &(int){0}, 0);
    }
    unlink(path);
    free(s.p);
}

START_TEST(test_script_rows)
{
    check_script(false);
}
END_TEST

START_TEST(test_script_rows_crlf)
{
    check_script(true);
}
END_TEST

static Suite *rowcount_suite(void)
{
    Suite *s = suite_create("rowcount");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_count_newlines_lengths);
    tcase_add_test(tc, test_count_newlines_mixes);
    tcase_add_test(tc, test_script_rows);
    tcase_add_test(tc, test_script_rows_crlf);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(rowcount_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
