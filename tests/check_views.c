/*
 * check_views.c — the verifier reading a regular file in place (views of a mapped window,
 * source.c) finds exactly what it finds reading every byte with read(2) (DFI_VT_READ), byte
 * for byte: every corpus archive with one thread and two; custom and tar archives mutated at
 * random (bytes replaced anywhere: header, TOC, chunk framing, compressed and uncompressed
 * data) and cut at random lengths, so that damage, truncation and end-of-file offsets are
 * compared too.  A finding's text, offset, member and entry all count.
 */
#include "check_util.h"
#include "corpus_util.h"
#include "dumpfmt.h"
#include "verify.h"

#include <check.h>
#include <unistd.h>

#define HANG_SECONDS 120

static df_verify *run(const char *path, int threads, int test)
{
    df_verify_options o;
    df_verify *v = NULL;

    df_verify_options_default(&o);
    o.threads = threads;
    alarm(HANG_SECONDS);
    ck_assert_int_eq(dfi_verify_path_test(path, &o, test, &v), DF_OK);
    alarm(0);
    ck_assert_ptr_nonnull(v);
    return v;
}

/* Every finding as text, with the summary's counts and verdict. */
static char *fingerprint(const df_verify *v)
{
    const df_verify_summary *s = df_verify_get_summary(v);
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);

    ck_assert_ptr_nonnull(out);
    len = (size_t)snprintf(out, cap, "verdict %d rows %lld bytes %lld findings %zu\n",
                           s->verdict, (long long)s->rows, (long long)s->bytes,
                           df_verify_count(v));
    for (size_t i = 0; i < df_verify_count(v); i++) {
        const df_finding *f = df_verify_finding(v, i);
        size_t need = strlen(f->message) + strlen(f->member) + 128;
        if (len + need >= cap) {
            cap = (len + need) * 2;
            out = realloc(out, cap);
            ck_assert_ptr_nonnull(out);
        }
        len += (size_t)snprintf(out + len, cap - len, "%s %d %lld %s %s %d\n", f->code,
                                f->severity, (long long)f->offset, f->member, f->message,
                                f->entry ? f->entry->dump_id : 0);
    }
    return out;
}

/*
 * Views and read(2) agree on `path`: one thread with source.c's window and with a 4 KiB one
 * (it moves often in these small files), two threads (the checker thread) with the small one.
 */
static void expect_same(const char *path, const char *what)
{
    static const int modes[][2] = {
        {1, 0}, {1, DFI_VT_PAGE_VIEWS}, {2, DFI_VT_PIPED | DFI_VT_PAGE_VIEWS}};

    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        df_verify *a = run(path, modes[m][0], (modes[m][1] & DFI_VT_PIPED) | DFI_VT_READ);
        df_verify *b = run(path, modes[m][0], modes[m][1]);
        char *fa = fingerprint(a), *fb = fingerprint(b);

        ck_assert_msg(strcmp(fa, fb) == 0, "%s (mode %zu): read(2) and views differ:\n%s---\n%s",
                      what, m, fa, fb);
        free(fa);
        free(fb);
        df_verify_free(a);
        df_verify_free(b);
    }
}

static dft_archives corpus;

START_TEST(test_corpus)
{
    expect_same(corpus.a[_i].path, corpus.a[_i].rel);
}
END_TEST

static uint32_t next_rand(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

/* The corpus's custom and tar archives that are regular files (index i of them, or NULL). */
static const dft_archive *file_archive(int i)
{
    for (size_t k = 0; k < corpus.n; k++) {
        const dft_archive *a = &corpus.a[k];
        if (a->is_dir || strncmp(a->rel, "damaged/", 8) == 0)
            continue;
        if (i-- == 0)
            return a;
    }
    return NULL;
}

static int n_file_archives(void)
{
    int n = 0;

    while (file_archive(n) != NULL)
        n++;
    return n;
}

/*
 * Archive _i / 4, variant _i % 4: bytes replaced at random past the header (variant 0: a few,
 * 1: many, in the data area's second half for 2), or (3) the file cut at random lengths.
 */
START_TEST(test_mutated)
{
    const dft_archive *a = file_archive(_i / 4);
    int variant = _i % 4;
    size_t len;
    uint8_t *orig = (uint8_t *)dft_read_file(a->path, &len);
    char path[] = "/tmp/check_views.XXXXXX";
    int fd = mkstemp(path);

    ck_assert_ptr_nonnull(orig);
    ck_assert_int_ge(fd, 0);
    close(fd);
    for (uint32_t seed = 1; seed <= 3; seed++) {
        uint32_t r = seed * 7919u + (uint32_t)_i * 104729u;
        uint8_t *p = malloc(len);
        size_t n = len;
        char what[DFT_MAX_NAME + 64];

        ck_assert_ptr_nonnull(p);
        memcpy(p, orig, len);
        if (variant == 3) {
            n = len > 16 ? 16 + next_rand(&r) % (len - 16) : len;
        } else {
            int nmut = variant == 1 ? 64 : 4;
            size_t from = variant == 2 ? len / 2 : 16;
            for (int k = 0; k < nmut && len > from; k++)
                p[from + next_rand(&r) % (len - from)] = (uint8_t)next_rand(&r);
        }
        ck_assert_int_eq(dft_write_file(path, p, n), 0);
        snprintf(what, sizeof what, "%s variant %d seed %u", a->rel, variant, seed);
        expect_same(path, what);
        free(p);
    }
    unlink(path);
    free(orig);
}
END_TEST

static Suite *views_suite(void)
{
    Suite *s = suite_create("views");
    TCase *tc = tcase_create("views");

    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_corpus, 0, (int)corpus.n);
    tcase_add_loop_test(tc, test_mutated, 0, 4 * n_file_archives());
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    static const char *const subs[] = {"pg93", "pg10", "pg15", "pg16", "pg18", "damaged"};
    SRunner *sr;
    int failed;

    dft_archives_find(&corpus, subs, sizeof subs / sizeof subs[0]);
    if (corpus.n < 30 || n_file_archives() < 10) {
        fprintf(stderr, "check_views: only %zu archives under %s\n", corpus.n, dft_corpus());
        return 1;
    }
    sr = srunner_create(views_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    dft_archives_free(&corpus);
    return failed == 0 ? 0 : 1;
}
