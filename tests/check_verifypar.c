/*
 * check_verifypar.c — the verifier's parallel COPY checks (verify_stream.c: the checker thread
 * scans the rows, the value checks of whole lines are jobs that either thread takes) give the
 * findings of one thread checking in order, byte for byte:
 *  - every intact and damaged corpus archive: one thread, and two with every table's stream
 *    through the checker thread (dfi_verify_path_piped);
 *  - directory dumps whose big tables were grown to megabytes (many buffers, so that both
 *    threads take jobs) and mutated at random (bad values, column counts, escapes, line ends,
 *    invalid UTF-8): uncompressed and lz4, several seeds, each piped run repeated;
 *  - the row checker with its value checks put off into jobs, checked by two dfi_vcheck in
 *    any order and merged, against the checks made at once (pieces of every size);
 *  - the AVX2 row scanner against the portable one (copyscan.h): grown and mutated COPY text
 *    and random bytes rich in tabs, newlines, backslashes and "\.", pieces of every size,
 *    every counter of the row checker and every value finding compared.
 */
#include "check_util.h"
#include "corpus_util.h"
#include "dumpfmt.h"
#include "verify.h"

#include <check.h>
#include <unistd.h>
#ifdef DF_HAVE_LZ4
#include <lz4frame.h>
#endif

#define HANG_SECONDS 120

static df_verify *run(const char *path, int piped)
{
    df_verify_options o;
    df_verify *v = NULL;

    df_verify_options_default(&o);
    o.threads = piped ? 2 : 1;
    alarm(HANG_SECONDS);
    if (piped)
        ck_assert_int_eq(dfi_verify_path_piped(path, &o, &v), DF_OK);
    else
        ck_assert_int_eq(df_verify_path(path, &o, &v, NULL), DF_OK);
    alarm(0);
    ck_assert_ptr_nonnull(v);
    return v;
}

/* Every finding as text, with the summary's row count and verdict. */
static char *fingerprint(const df_verify *v)
{
    const df_verify_summary *s = df_verify_get_summary(v);
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);

    len = (size_t)snprintf(out, cap, "verdict %d rows %lld bytes %lld\n", s->verdict,
                           (long long)s->rows, (long long)s->bytes);
    for (size_t i = 0; i < df_verify_count(v); i++) {
        const df_finding *f = df_verify_finding(v, i);
        size_t need = strlen(f->message) + strlen(f->member) + 128;
        if (len + need >= cap) {
            cap = (len + need) * 2;
            out = realloc(out, cap);
        }
        len += (size_t)snprintf(out + len, cap - len, "%s %d %lld %s %s %d\n", f->code, f->severity,
                                (long long)f->offset, f->member, f->message,
                                f->entry ? f->entry->dump_id : 0);
    }
    return out;
}

static size_t count_code(const df_verify *v, const char *code)
{
    size_t n = 0;

    for (size_t i = 0; i < df_verify_count(v); i++)
        n += strcmp(df_verify_finding(v, i)->code, code) == 0;
    return n;
}

/* One thread and piped runs (`repeat` of them) of `path` agree; the one-thread result. */
static df_verify *expect_same(const char *path, const char *what, int repeat)
{
    df_verify *a = run(path, 0);
    char *fa = fingerprint(a);

    for (int k = 0; k < repeat; k++) {
        df_verify *b = run(path, 1);
        char *fb = fingerprint(b);
        ck_assert_msg(strcmp(fa, fb) == 0, "%s: one thread and piped differ:\n%s---\n%s", what, fa,
                      fb);
        free(fb);
        df_verify_free(b);
    }
    free(fa);
    return a;
}

/* ------------------------------------------------------------------ */

static dft_archives corpus;

START_TEST(test_corpus)
{
    df_verify_free(expect_same(corpus.a[_i].path, corpus.a[_i].rel, 1));
}
END_TEST

/* ------------------------------------------------------------------ */

static uint32_t next_rand(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

/*
 * The rows of COPY text `p` (terminator line and after cut off) repeated until `want` bytes,
 * then `nmut` bytes replaced at random, the terminator put back.  malloc'd, *n its length.
 */
static uint8_t *grow_mutate(const uint8_t *p, size_t len, size_t want, uint32_t seed, int nmut,
                            size_t *n)
{
    static const uint8_t swaps[] = {'X', '\t', '\\', '\n', 0xff, 0xc3, '9', '-',
                                    '"', '{',  ' ',  '.',  'N',  ':',  '0'};
    size_t rows = len, k = 0;
    uint8_t *out;

    for (size_t i = 0; i + 2 < len; i++)
        if ((i == 0 || p[i - 1] == '\n') && p[i] == '\\' && p[i + 1] == '.') {
            rows = i;
            break;
        }
    ck_assert_uint_gt(rows, 0);
    out = malloc(want + rows + 8);
    while (k < want) {
        memcpy(out + k, p, rows);
        k += rows;
    }
    for (int m = 0; m < nmut; m++) {
        size_t at = next_rand(&seed) % k;
        out[at] = swaps[next_rand(&seed) % sizeof swaps];
    }
    if (seed % 3 == 0)
        out[k++] = '\n'; /* sometimes an empty last row */
    memcpy(out + k, "\\.\n\n\n", 5);
    *n = k + 5;
    return out;
}

#ifdef DF_HAVE_LZ4
static uint8_t *lz4_frame(const uint8_t *p, size_t n, size_t *out_n)
{
    size_t cap = LZ4F_compressFrameBound(n, NULL);
    uint8_t *out = malloc(cap);

    *out_n = LZ4F_compressFrame(out, cap, p, n, NULL);
    ck_assert(!LZ4F_isError(*out_n));
    return out;
}
#endif

typedef struct grown {
    const char *dir;
    const char *files[3]; /* products, customers, order_items */
    int lz4;
} grown;

static const grown growns[] = {
    {"pg15/sample.dir.none", {"3649.dat", "3655.dat", "3659.dat"}, 0},
#ifdef DF_HAVE_LZ4
    {"pg16/sample.dir.lz4", {"2848.dat.lz4", "2854.dat.lz4", "2858.dat.lz4"}, 1},
#endif
};

/* The COPY text of a data file of the corpus (lz4 frames decoded through the library). */
static uint8_t *corpus_text(const char *dir, const char *file, int lz4, size_t *n)
{
    char rel[512], path[4096];
    size_t len;
    uint8_t *raw;

    snprintf(rel, sizeof rel, "%s/%s", dir, file);
    raw = (uint8_t *)dft_read_file(dft_path(path, sizeof path, rel), &len);
    ck_assert_ptr_nonnull(raw);
    if (!lz4) {
        *n = len;
        return raw;
    }
#ifdef DF_HAVE_LZ4
    {
        LZ4F_dctx *d;
        size_t cap = 1 << 22, src = len, dst = cap;
        uint8_t *out = malloc(cap);
        ck_assert(!LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)));
        ck_assert(!LZ4F_isError(LZ4F_decompress(d, out, &dst, raw, &src, NULL)));
        LZ4F_freeDecompressionContext(d);
        free(raw);
        *n = dst;
        return out;
    }
#else
    ck_abort();
    return NULL;
#endif
}

START_TEST(test_grown)
{
    const grown *g = &growns[_i / 3];
    uint32_t seed = 7919u * (uint32_t)(_i + 1);
    char *dir = strdup("/tmp/check_verifypar.XXXXXX"), src[4096];
    df_verify *v;
    size_t bad = 0;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(dft_copy_dir(dft_path(src, sizeof src, g->dir), dir), 0);
    for (int f = 0; f < 3; f++) {
        size_t n, big_n, out_n;
        uint8_t *text = corpus_text(g->dir, g->files[f], g->lz4, &n);
        /* 1.5 to 3 MiB: six to twelve 256 KiB buffers, more than the ring holds */
        uint8_t *big = grow_mutate(text, n, ((size_t)3 << 19) + (size_t)f * (1 << 19),
                                   seed + (uint32_t)f, (_i % 3) * 40 + 3, &big_n);
        uint8_t *out = big;
        char path[4200];

        out_n = big_n;
#ifdef DF_HAVE_LZ4
        if (g->lz4)
            out = lz4_frame(big, big_n, &out_n);
#endif
        snprintf(path, sizeof path, "%s/%s", dir, g->files[f]);
        ck_assert_int_eq(dft_write_file(path, out, out_n), 0);
        if (out != big)
            free(out);
        free(big);
        free(text);
    }
    v = expect_same(dir, g->dir, 3);
    bad = count_code(v, DF_FIND_BAD_VALUE) + count_code(v, DF_FIND_BAD_COPY_ROW) +
          count_code(v, DF_FIND_BAD_ENCODING) + count_code(v, DF_FIND_NULL_IN_NOT_NULL);
    /* the mutations were seen (else the comparison proves little) */
    ck_assert_msg(bad > 0, "%s seed %u: no value or row findings", g->dir, seed);
    df_verify_free(v);
    dft_remove_dir(dir);
    free(dir);
}
END_TEST

/* ------------------------------------------------------------------ */

/* COPY text through the row checker in pieces of `piece`, values checked at once or put off. */
static void feed(dfi_vcheck *vc, const dfi_vtable *t, const uint8_t *text, size_t n, size_t piece,
                 int defer, uint32_t seed)
{
    dfi_copycheck cp;
    dfi_vcheck other;
    dfi_vjob jobs[8];
    uint8_t *pieces[8];
    size_t njobs = 0;

    memset(&other, 0, sizeof other);
    memset(jobs, 0, sizeof jobs);
    ck_assert_int_eq(dfi_copycheck_init(&cp, DF_ROWS_COPY, t->ncols, NULL, 0), DF_OK);
    dfi_vcheck_init(vc, t);
    dfi_vcheck_init(&other, t);
    cp.vc = vc;
    for (size_t i = 0; i < n; i += piece) {
        size_t len = n - i < piece ? n - i : piece;
        if (defer) {
            pieces[njobs] = malloc(len);
            memcpy(pieces[njobs], text + i, len); /* the jobs read their own copy */
            cp.defer = &jobs[njobs];
            dfi_copycheck_feed(&cp, pieces[njobs], len);
            cp.defer = NULL;
            njobs++;
        } else {
            dfi_copycheck_feed(&cp, text + i, len);
        }
        /* up to eight pieces in flight, then checked newest first, alternating checkers */
        if (njobs == 8 || (njobs > 0 && i + piece >= n)) {
            for (size_t j = njobs; j-- > 0;) {
                dfi_vcheck_job(next_rand(&seed) % 2 ? vc : &other, pieces[j], &jobs[j]);
                free(pieces[j]);
            }
            njobs = 0;
        }
    }
    dfi_vcheck_merge(vc, &other);
    for (size_t j = 0; j < 8; j++)
        dfi_vjob_free(&jobs[j]);
    dfi_vcheck_free(&other);
    dfi_copycheck_free(&cp);
}

/* A table of the corpus (pg15/sample.dir.none) with its column types, for the unit below. */
typedef struct utable {
    const char *file;
    int ncols;
    const char *types[9];
    unsigned notnull; /* bit per column */
} utable;

static const utable utables[] = {
    {"3659.dat", 6, {"bigint", "date", "smallint", "integer", "integer", "numeric(12,2)"}, 0x3f},
    {"3655.dat",
     9,
     {"bigint", "text", "text", "character(2)", "text", "json", "timestamp without time zone",
      "timestamp with time zone", "text"},
     0x107},
};

START_TEST(test_jobs_merge)
{
    const utable *u = &utables[_i % 2];
    dfi_vcol cols[9];
    dfi_vtable t = {u->ncols, cols, DFI_ENC_UTF8, u->ncols};
    size_t n, big_n;
    uint8_t *text = corpus_text("pg15/sample.dir.none", u->file, 0, &n), *big;
    dfi_vcheck a;

    memset(cols, 0, sizeof cols);
    for (int c = 0; c < u->ncols; c++) {
        dfi_vcol_parse_type(&cols[c], u->types[c]);
        cols[c].notnull = (u->notnull >> c) & 1;
    }
    big = grow_mutate(text, n, 200000, 99u + (uint32_t)_i, 1500, &big_n);
    /*
     * The reference: one byte at a time, so that every line is carried over and scanned again
     * by the value checks (line_scan); whole lines in bigger pieces take the row checker's
     * tabs and flags instead (dfi_vsplit), at once or put off.
     */
    memset(&a, 0, sizeof a);
    feed(&a, &t, big, big_n, 1, 0, 1);
    ck_assert_int_gt(a.nbad[DFI_VAL_BAD] + a.nbad[DFI_VAL_NULL], DFI_VFIRST);
    ck_assert_int_gt(a.nbad[DFI_VAL_ENCODING], 0);
    for (size_t piece = 5; piece < big_n; piece = piece * 4 + 3) {
        for (int defer = 0; defer <= 1; defer++) {
            dfi_vcheck b;

            memset(&b, 0, sizeof b);
            feed(&b, &t, big, big_n, piece, defer, (uint32_t)piece);
            for (int k = 1; k < 5; k++) {
                ck_assert_int_eq(a.nbad[k], b.nbad[k]);
                ck_assert_uint_eq(a.nfirst[k], b.nfirst[k]);
                for (size_t i = 0; i < a.nfirst[k]; i++) {
                    ck_assert_int_eq(a.first[k][i].row, b.first[k][i].row);
                    ck_assert_int_eq(a.first[k][i].off, b.first[k][i].off);
                    ck_assert_int_eq(a.first[k][i].col, b.first[k][i].col);
                    ck_assert_str_eq(a.first[k][i].shown, b.first[k][i].shown);
                }
            }
            ck_assert_int_eq(a.unchecked_rows, b.unchecked_rows);
            dfi_vcheck_free(&b);
        }
    }
    dfi_vcheck_free(&a);
    free(big);
    free(text);
}
END_TEST

/* The row checker (AVX2 scanner or not) over text in pieces of `piece`, values checked at once. */
static void scan_feed(dfi_copycheck *cp, dfi_vcheck *vc, const dfi_vtable *t, const uint8_t *text,
                      size_t n, size_t piece, bool avx2)
{
    ck_assert_int_eq(dfi_copycheck_init(cp, DF_ROWS_COPY, t->ncols, NULL, 0), DF_OK);
    cp->avx2 = avx2;
    memset(vc, 0, sizeof *vc);
    dfi_vcheck_init(vc, t);
    cp->vc = vc;
    for (size_t i = 0; i < n; i += piece)
        dfi_copycheck_feed(cp, text + i, n - i < piece ? n - i : piece);
}

static void same_scan(const dfi_vtable *t, const uint8_t *text, size_t n, const char *what)
{
    static const size_t pieces[] = {1, 7, 63, 64, 65, 1000, 4096, 262144};

    for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
        dfi_copycheck a, b;
        dfi_vcheck va, vb;

        scan_feed(&a, &va, t, text, n, pieces[k], false);
        scan_feed(&b, &vb, t, text, n, pieces[k], true);
#define SAME(f) ck_assert_msg(a.f == b.f, "%s piece %zu: " #f " %lld portable, %lld AVX2", what, \
                              pieces[k], (long long)a.f, (long long)b.f)
        SAME(rows);
        SAME(tabs);
        SAME(terminated);
        SAME(line_start);
        SAME(pos);
        SAME(bad_rows);
        SAME(bad_row_no);
        SAME(bad_row_cols);
        SAME(bad_row_pos);
        SAME(bad_esc);
        SAME(bad_esc_row);
        SAME(bad_esc_pos);
        SAME(bad_esc_char);
        SAME(after_bytes);
        SAME(after_pos);
        SAME(esc_pending);
        SAME(dot_line);
        for (int v = 1; v < 5; v++) {
            SAME(vc->nbad[v]);
            SAME(vc->nfirst[v]);
            for (size_t i = 0; i < a.vc->nfirst[v]; i++) {
                SAME(vc->first[v][i].row);
                SAME(vc->first[v][i].off);
                SAME(vc->first[v][i].col);
                ck_assert_str_eq(a.vc->first[v][i].shown, b.vc->first[v][i].shown);
            }
        }
        SAME(vc->unchecked_rows);
#undef SAME
        dfi_copycheck_free(&a);
        dfi_copycheck_free(&b);
        dfi_vcheck_free(&va);
        dfi_vcheck_free(&vb);
    }
}

START_TEST(test_scan_simd)
{
    const utable *u = &utables[_i % 2];
    dfi_vcol cols[9];
    dfi_vtable t = {u->ncols, cols, DFI_ENC_UTF8, u->ncols};
    static const uint8_t alphabet[] = "\t\n\\.N\xc3\xa9\xff" "0123456789-: {}\"abc";
    uint32_t seed = 31337u + (uint32_t)_i;
    size_t n, big_n;
    uint8_t *text = corpus_text("pg15/sample.dir.none", u->file, 0, &n), *big;
    char what[64];

    if (!dfi_copyscan_avx2()) {
        fprintf(stderr, "check_verifypar: this CPU has no AVX2: the AVX2 scanner is not tested\n");
        free(text);
        return;
    }
    memset(cols, 0, sizeof cols);
    for (int c = 0; c < u->ncols; c++) {
        dfi_vcol_parse_type(&cols[c], u->types[c]);
        cols[c].notnull = (u->notnull >> c) & 1;
    }
    /* real rows, mutated (more with each _i) */
    big = grow_mutate(text, n, 300000, seed, 200 + 2000 * (_i / 2), &big_n);
    snprintf(what, sizeof what, "%s grown", u->file);
    same_scan(&t, big, big_n, what);
    /* bytes at random from a small alphabet: escapes, "\." lines and block edges everywhere */
    for (size_t i = 0; i < big_n; i++)
        big[i] = alphabet[next_rand(&seed) % (sizeof alphabet - 1)];
    snprintf(what, sizeof what, "%s random", u->file);
    same_scan(&t, big, big_n, what);
    free(big);
    free(text);
}
END_TEST

static Suite *verifypar_suite(void)
{
    Suite *s = suite_create("verifypar");
    TCase *tc = tcase_create("parallel");

    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_jobs_merge, 0, 4);
    tcase_add_loop_test(tc, test_scan_simd, 0, 4);
    tcase_add_loop_test(tc, test_corpus, 0, (int)corpus.n);
    tcase_add_loop_test(tc, test_grown, 0, (int)(3 * (sizeof growns / sizeof growns[0])));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    static const char *const subs[] = {"pg93", "pg10", "pg15", "pg16", "pg18", "damaged"};
    SRunner *sr;
    int failed;

    dft_archives_find(&corpus, subs, sizeof subs / sizeof subs[0]);
    if (corpus.n < 30) {
        fprintf(stderr, "check_verifypar: only %zu archives under %s\n", corpus.n, dft_corpus());
        return 1;
    }
    sr = srunner_create(verifypar_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    dft_archives_free(&corpus);
    return failed == 0 ? 0 : 1;
}
