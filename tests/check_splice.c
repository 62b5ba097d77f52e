/*
 * check_splice.c — unit tests of splice_gz.c's boundary search (dfi_ztail) and splice, against
 * zlib itself as the oracle: streams deflated by zlib (zlib and gzip wraps, levels 1/6/9, text
 * bigger than the tail's ring, incompressible data in stored blocks, fixed-code blocks) are cut
 * at many offsets; zlib's own Z_BLOCK inflate lists the real block boundaries of each cut
 * stream.  The boundary dfi_ztail_mark finds must be one of them, the latest before the limit
 * when the searched tail holds it, with the check value and window of the bytes before it; and
 * the spliced stream must inflate (trailer checked by zlib) to exactly the kept bytes and the
 * terminator.  The count's decoder may hand on a few bytes less than zlib of a cut stream: the
 * tests feed 0-3 bytes less.
 */
#include "check_util.h"
#include "splice_gz.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#ifdef DF_HAVE_ZLIB
#include <zlib.h>

typedef struct bytes {
    uint8_t *p;
    size_t n, cap;
} bytes;

static void put(bytes *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        ck_assert_ptr_nonnull(b->p);
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static int emit_bytes(void *ctx, const uint8_t *p, size_t n)
{
    put(ctx, p, n);
    return DF_OK;
}

/* COPY-like rows (kind 0), random bytes (1: stored blocks), rows again (2: Z_FIXED). */
static bytes make_input(size_t n, int kind, unsigned seed)
{
    static const char *words[] = {"alpha", "beta", "gamma", "delta", "2024-01-0", "\\N", "x"};
    bytes b = {0};
    uint64_t x = seed * 2654435761u + 1;

    while (b.n < n) {
        char line[128];
        int len;

        x = x * 6364136223846793005ull + 1442695040888963407ull;
        if (kind == 1) {
            put(&b, &x, sizeof x);
            continue;
        }
        len = snprintf(line, sizeof line, "%llu\t%s%u\t%s\t%u.%02u\n",
                       (unsigned long long)(x >> 40), words[(x >> 8) % 7], (unsigned)(x >> 20) % 97,
                       words[(x >> 30) % 7], (unsigned)(x >> 12) % 100000, (unsigned)(x >> 3) % 100);
        put(&b, line, (size_t)len);
    }
    b.n = n;
    return b;
}

static bytes deflate_all(const bytes *in, bool gzip, int level, int strategy)
{
    z_stream z;
    bytes out = {0};
    uint8_t piece[65536];
    int zr;

    memset(&z, 0, sizeof z);
    ck_assert_int_eq(deflateInit2(&z, level, Z_DEFLATED, gzip ? 31 : 15, 8, strategy), Z_OK);
    z.next_in = in->p;
    z.avail_in = (uInt)in->n;
    do {
        z.next_out = piece;
        z.avail_out = sizeof piece;
        zr = deflate(&z, Z_FINISH);
        put(&out, piece, sizeof piece - z.avail_out);
    } while (zr == Z_OK);
    ck_assert_int_eq(zr, Z_STREAM_END);
    deflateEnd(&z);
    return out;
}

/* The oracle: the real block boundaries of raw[0, n) (not the stream's end), and its output. */
typedef struct oracle {
    int64_t *bits, *out;
    size_t nb;
    int64_t total;
} oracle;

static oracle boundaries(const uint8_t *raw, size_t n, bool gzip)
{
    oracle o = {malloc(sizeof(int64_t) * 100000), malloc(sizeof(int64_t) * 100000), 0, 0};
    uint8_t piece[65536];
    z_stream z;
    int zr = Z_OK;

    memset(&z, 0, sizeof z);
    ck_assert_int_eq(inflateInit2(&z, gzip ? 31 : 15), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)raw;
    z.avail_in = (uInt)n;
    while (zr == Z_OK) {
        z.next_out = piece;
        z.avail_out = sizeof piece;
        zr = inflate(&z, Z_BLOCK);
        if ((z.data_type & 128) && !(z.data_type & 64) && o.nb < 100000) {
            o.bits[o.nb] = (int64_t)z.total_in * 8 - (z.data_type & 7);
            o.out[o.nb++] = (int64_t)z.total_out;
        }
    }
    o.total = (int64_t)z.total_out;
    inflateEnd(&z);
    return o;
}

typedef struct rawsrc {
    const uint8_t *p;
    size_t n, at;
} rawsrc;

static int raw_pieces(void *ctx, const uint8_t **p, size_t *n)
{
    rawsrc *s = ctx;
    size_t take = s->n - s->at < 4096 ? s->n - s->at : 4096;

    if (take == 0)
        return DF_EOF;
    *p = s->p + s->at;
    *n = take;
    s->at += take;
    return DF_OK;
}

/* Inflate the whole spliced stream (zlib checks its trailer) and compare. */
static void check_spliced(const bytes *out, bool gzip, const uint8_t *want, size_t wn)
{
    uint8_t *got = malloc(wn + 16);
    z_stream z;

    memset(&z, 0, sizeof z);
    ck_assert_int_eq(inflateInit2(&z, gzip ? 31 : 15), Z_OK);
    z.next_in = out->p;
    z.avail_in = (uInt)out->n;
    z.next_out = got;
    z.avail_out = (uInt)wn + 16;
    ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
    ck_assert_uint_eq(z.total_out, wn);
    ck_assert_int_eq(memcmp(got, want, wn), 0);
    ck_assert_uint_eq(z.avail_in, 0);
    inflateEnd(&z);
    free(got);
}

/* One cut stream: find, compare with the oracle, splice, inflate. */
static bool one_cut(const bytes *in, const bytes *z, size_t cut, bool gzip, int less)
{
    oracle o = boundaries(z->p, cut, gzip);
    int64_t total = o.total - less, limit = total - 37 > 0 ? total - 37 : 0;
    dfi_ztail *t = dfi_ztail_new(gzip ? DFI_WRAP_GZIP : DFI_WRAP_ZLIB);
    static dfi_zmark m;
    rawsrc rs = {z->p, cut, 0};
    bool found = false;
    int rc;

    ck_assert_ptr_nonnull(t);
    for (int64_t at = 0; at < total; at += 65536)
        dfi_ztail_feed(t, in->p + at, (size_t)(total - at < 65536 ? total - at : 65536));
    rc = dfi_ztail_mark(t, limit, raw_pieces, &rs, &m);
    ck_assert(rc == DF_OK || rc == DF_E_UNSUPPORTED);
    if (rc == DF_OK) {
        size_t k, latest = o.nb;
        uint32_t c = gzip ? (uint32_t)crc32(0, in->p, (uInt)m.out)
                          : (uint32_t)adler32(1, in->p, (uInt)m.out);
        for (k = 0; k < o.nb; k++)
            if (o.out[k] <= limit)
                latest = k;
        for (k = 0; k < o.nb && !(o.bits[k] == m.bits && o.out[k] == m.out); k++)
            ;
        ck_assert_msg(k < o.nb, "cut %zu: bit %lld (out %lld) is no block boundary", cut,
                      (long long)m.bits, (long long)m.out);
        ck_assert_int_le(m.out, limit);
        /* the latest, when the tail searched (256 KiB raw) and the ring (4 MiB) hold it */
        if (latest < o.nb && o.bits[latest] / 8 >= (int64_t)cut - (256 << 10) &&
            o.out[latest] - 32768 >= total - (4 << 20))
            ck_assert_int_eq(m.out, o.out[latest]);
        ck_assert_uint_eq(m.check, c);
        ck_assert_uint_eq(m.wlen, m.out < 32768 ? (size_t)m.out : 32768);
        ck_assert_int_eq(memcmp(m.window, in->p + m.out - (int64_t)m.wlen, m.wlen), 0);
        {
            bytes out = {0}, want = {0};
            rawsrc again = {z->p, cut, 0};
            ck_assert_int_eq(dfi_zsplice(&m, gzip ? DFI_WRAP_GZIP : DFI_WRAP_ZLIB, 6, limit,
                                         raw_pieces, &again, "\\.\n", 3, emit_bytes, &out),
                             DF_OK);
            put(&want, in->p, (size_t)limit);
            put(&want, "\\.\n", 3);
            check_spliced(&out, gzip, want.p, want.n);
            ck_assert_int_eq(memcmp(out.p, z->p, (size_t)(m.bits / 8)), 0); /* kept as stored */
            free(out.p);
            free(want.p);
        }
        found = true;
    }
    dfi_ztail_free(t);
    free(o.bits);
    free(o.out);
    return found;
}

/* loop index: wrap x level x input kind */
START_TEST(test_ztail_cuts)
{
    static const struct {
        bool gzip;
        int level, kind, strategy;
        size_t n;
        bool must_find;
    } cases[] = {
        {false, 6, 0, Z_DEFAULT_STRATEGY, 2 << 20, true},
        {true, 6, 0, Z_DEFAULT_STRATEGY, 2 << 20, true},
        {false, 1, 0, Z_DEFAULT_STRATEGY, 5 << 20, true}, /* more than the ring */
        {true, 9, 0, Z_DEFAULT_STRATEGY, 5 << 20, true},
        {false, 6, 1, Z_DEFAULT_STRATEGY, 1 << 20, true}, /* stored blocks */
        {true, 6, 2, Z_FIXED, 1 << 20, false},            /* fixed codes: may find none */
    };
    int c = _i;
    bytes in = make_input(cases[c].n, cases[c].kind, (unsigned)c + 7);
    bytes z = deflate_all(&in, cases[c].gzip, cases[c].level, cases[c].strategy);
    int found = 0, tried = 0;

    for (int k = 1; k <= 8; k++) {
        size_t cut = z.n * (size_t)k / 9 + (size_t)(k * 7919) % 997;
        if (cut >= z.n)
            continue;
        tried++;
        found += one_cut(&in, &z, cut, cases[c].gzip, k % 4);
    }
    if (cases[c].must_find)
        ck_assert_int_eq(found, tried);
    free(in.p);
    free(z.p);
}
END_TEST

/* A stream too short to hold a boundary after its start: the start is one. */
START_TEST(test_ztail_short)
{
    bytes in = make_input(3000, 0, 3);
    bytes z = deflate_all(&in, false, 6, Z_DEFAULT_STRATEGY);

    ck_assert(one_cut(&in, &z, z.n - 6, false, 0));
    free(in.p);
    free(z.p);
}
END_TEST

/* Not a deflate stream at all: nothing is found, nothing crashes. */
START_TEST(test_ztail_garbage)
{
    bytes in = make_input(1 << 20, 1, 5);
    dfi_ztail *t = dfi_ztail_new(DFI_WRAP_ZLIB);
    rawsrc rs = {in.p, in.n, 0};
    static dfi_zmark m;

    ck_assert_ptr_null(dfi_ztail_new(DFI_WRAP_LZ4F));
    dfi_ztail_feed(t, in.p, in.n);
    ck_assert_int_eq(dfi_ztail_mark(t, (int64_t)in.n, raw_pieces, &rs, &m), DF_E_UNSUPPORTED);
    dfi_ztail_free(t);
    free(in.p);
}
END_TEST
#endif

static Suite *splice_suite(void)
{
    Suite *s = suite_create("splice");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 300);
#ifdef DF_HAVE_ZLIB
    tcase_add_loop_test(tc, test_ztail_cuts, 0, 6);
    tcase_add_test(tc, test_ztail_short);
    tcase_add_test(tc, test_ztail_garbage);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(splice_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
