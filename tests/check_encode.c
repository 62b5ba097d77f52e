/*
 * check_encode.c — unit tests of the write path: encode.c's primitives
 * read back by decode.c (INT over the whole int32 range and intSize 4/8,
 * STR NULL vs empty vs long, OFF in every state before and after 1.7), the
 * codec encoders read back by the decoders (zlib, gzip, lz4, zstd; empty
 * and 1 MiB inputs), and the library writer over the corpus: a
 * file-written custom archive comes back byte for byte, every format
 * re-read by the reader lists the same entries, and a 1.16 TOC set to 1.14
 * has one BLOB entry per large object and one BLOBS entry.
 */
#include "check_util.h"
#include "writer.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef DF_HAVE_ZLIB
#include <zlib.h>
#endif

#define V116 DF_MAKE_VERSION(1, 16, 0)
#define V16 DF_MAKE_VERSION(1, 6, 0)

typedef struct rt {
    char path[64];
    int fd;
    dfi_src src;
    dfi_buf buf;
    dfi_arch arch;
    df_limits lim;
    df_error err;
} rt;

/* Write o's bytes to a temporary file and open a decoding window over them. */
static void rt_open(rt *t, const dfi_obuf *o, const dfi_warch *a)
{
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "/tmp/check_encode.XXXXXX");
    t->fd = mkstemp(t->path);
    ck_assert_int_ge(t->fd, 0);
    unlink(t->path);
    ck_assert_int_eq(write(t->fd, o->p, o->n), (ssize_t)o->n);
    ck_assert_int_eq(lseek(t->fd, 0, SEEK_SET), 0);
    df_limits_default(&t->lim);
    ck_assert_int_eq(dfi_src_open_fd(&t->src, t->fd, &t->err), DF_OK);
    ck_assert_int_eq(dfi_buf_init(&t->buf, &t->src, DFI_BUF_SIZE, &t->err), DF_OK);
    t->arch.version = a->version;
    t->arch.int_size = a->int_size;
    t->arch.off_size = a->off_size;
    t->arch.lim = &t->lim;
}

static void rt_close(rt *t)
{
    dfi_buf_free(&t->buf);
    dfi_src_close(&t->src);
    close(t->fd);
}

START_TEST(test_int_roundtrip)
{
    static const int64_t vals[] = {0, 1, -1, 3387, -3387, 255, 256, 65535, INT32_MAX, -INT32_MAX};
    const int sizes[] = {4, 8};
    dfi_warch a = {V116, sizes[_i], 8};
    dfi_obuf o = {0};
    rt t;

    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++)
        dfi_put_int(&o, &a, vals[k]);
    ck_assert(!o.failed);
    ck_assert_uint_eq(o.n, (size_t)(1 + a.int_size) * (sizeof vals / sizeof vals[0]));
    rt_open(&t, &o, &a);
    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
        int32_t v;
        ck_assert_int_eq(dfi_read_int(&t.buf, &t.arch, &v, &t.err), DF_OK);
        ck_assert_int_eq(v, vals[k]);
    }
    rt_close(&t);
    dfi_obuf_free(&o);
}
END_TEST

START_TEST(test_int_bytes)
{
    dfi_warch a = {V116, 4, 8};
    dfi_obuf o = {0};
    static const uint8_t want[] = {0x00, 0x3B, 0x0D, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00};

    dfi_put_int(&o, &a, 3387);
    dfi_put_int(&o, &a, -1);
    ck_assert_uint_eq(o.n, sizeof want);
    ck_assert_mem_eq(o.p, want, sizeof want);
    dfi_obuf_free(&o);
}
END_TEST

START_TEST(test_str_roundtrip)
{
    dfi_warch a = {V116, 4, 8};
    dfi_obuf o = {0};
    char *big = malloc(200000), *s;
    rt t;

    memset(big, 'x', 199999);
    big[199999] = '\0';
    dfi_put_str(&o, &a, NULL);
    dfi_put_str(&o, &a, "");
    dfi_put_str(&o, &a, "tab\twith\nnewline");
    dfi_put_str(&o, &a, big);
    rt_open(&t, &o, &a);
    ck_assert_int_eq(dfi_read_str(&t.buf, &t.arch, &s, &t.err), DF_OK);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(dfi_read_str(&t.buf, &t.arch, &s, &t.err), DF_OK);
    ck_assert_str_eq(s, "");
    free(s);
    ck_assert_int_eq(dfi_read_str(&t.buf, &t.arch, &s, &t.err), DF_OK);
    ck_assert_str_eq(s, "tab\twith\nnewline");
    free(s);
    ck_assert_int_eq(dfi_read_str(&t.buf, &t.arch, &s, &t.err), DF_OK);
    ck_assert_str_eq(s, big);
    free(s);
    rt_close(&t);
    dfi_obuf_free(&o);
    free(big);
}
END_TEST

START_TEST(test_off_roundtrip)
{
    const int versions[] = {V116, V16};
    dfi_warch a = {versions[_i], 4, 8};
    static const df_offset_state st[] = {DF_OFFSET_SET, DF_OFFSET_NOT_SET, DF_OFFSET_NO_DATA,
                                         DF_OFFSET_SET};
    static const int64_t off[] = {11549, 0, 0, 5000000000LL};
    size_t n = _i == 0 ? 4 : 3; /* an INT offset cannot hold 5e9 */
    dfi_obuf o = {0};
    rt t;

    for (size_t k = 0; k < n; k++)
        dfi_put_off(&o, &a, st[k], off[k]);
    rt_open(&t, &o, &a);
    for (size_t k = 0; k < n; k++) {
        df_offset_state s;
        int64_t v;
        ck_assert_int_eq(dfi_read_off(&t.buf, &t.arch, &s, &v, &t.err), DF_OK);
        ck_assert_int_eq(s, st[k]);
        if (s == DF_OFFSET_SET)
            ck_assert_int_eq(v, off[k]);
    }
    rt_close(&t);
    dfi_obuf_free(&o);
}
END_TEST

/* ---- codecs: encode, decode, compare */
static int collect(void *ctx, const uint8_t *p, size_t n)
{
    ck_assert_uint_gt(n, 0); /* never an empty piece: it would end a chunk stream */
    dfi_put_bytes(ctx, p, n);
    return DF_OK;
}

START_TEST(test_codec_roundtrip)
{
    static const dfi_wrap wraps[] = {DFI_WRAP_RAW, DFI_WRAP_ZLIB, DFI_WRAP_GZIP, DFI_WRAP_LZ4F,
                                     DFI_WRAP_ZSTD};
    /* around encode_pz.c's 128 KiB blocks, too; workers 1 (one stream), 2 and 3 (blocks) */
    const size_t sizes[] = {0, 1, (128 << 10) - 1, 128 << 10, (128 << 10) + 1, 1 << 20};
    const int workers[] = {1, 2, 3};
    uint8_t *in = malloc(1 << 20), *back = malloc((1 << 20) + 16);
    dfi_obuf prev = {0};

    for (size_t i = 0; i < (1 << 20); i++)
        in[i] = (uint8_t)((i * 7919) % 251 < 60 ? (size_t)rand() : 'a' + i % 13);
    for (size_t x = 0; x < sizeof sizes / sizeof sizes[0] * 3 * 5; x++) {
        size_t j = x % 3, z = x / 3 % 6, w = x / 18;
        {
            dfi_enc e;
            dfi_dec d;
            dfi_obuf o = {0};
            const uint8_t *ip;
            uint8_t *op = back;
            size_t il, ol = (1 << 20) + 16;
            ck_assert_int_eq(dfi_enc_init(&e, wraps[w], -1, workers[j], 4096), DF_OK);
            ck_assert_int_eq(dfi_enc_step(&e, in, sizes[z], collect, &o), DF_OK);
            ck_assert_int_eq(dfi_enc_finish(&e, collect, &o), DF_OK);
            dfi_enc_end(&e);
            memset(&d, 0, sizeof d);
            ck_assert_int_eq(dfi_dec_init(&d, wraps[w]), DF_OK);
            ip = o.p ? o.p : (const uint8_t *)"";
            il = o.n;
            int rc;
            do
                rc = dfi_dec_step(&d, &ip, &il, &op, &ol);
            while (rc == DF_OK && il > 0);
            if (rc == DF_OK)
                rc = dfi_dec_finish(&d);
            ck_assert_msg(rc == DF_OK || rc == DF_EOF, "wrap %d size %zu: %s", (int)wraps[w],
                          sizes[z], d.msg);
            ck_assert_uint_eq((size_t)(op - back), sizes[z]);
            ck_assert(memcmp(back, in, sizes[z]) == 0);
            dfi_dec_end(&d);
            /* the block cut does not depend on the thread count: -j 2 and -j 3 agree */
            if (workers[j] == 3 && (wraps[w] == DFI_WRAP_ZLIB || wraps[w] == DFI_WRAP_GZIP))
                ck_assert(o.n == prev.n && (o.n == 0 || memcmp(o.p, prev.p, o.n) == 0));
            dfi_obuf_free(&prev);
            prev = o;
        }
    }
    dfi_obuf_free(&prev);
    free(in);
    free(back);
}
END_TEST

#ifdef DF_HAVE_ZLIB
/* zlib's own inflate (not the library's decoder, which may be ISA-L's): 0 if it reads o back
 * into exactly in[0..n). */
static int zlib_reads(const dfi_obuf *o, bool gzip, const uint8_t *in, size_t n, uint8_t *back)
{
    z_stream z;
    int zr;

    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, gzip ? 15 + 16 : 15) != Z_OK)
        return -1;
    z.next_in = o->p;
    z.avail_in = (uInt)o->n;
    z.next_out = back;
    z.avail_out = (uInt)n + 16;
    zr = inflate(&z, Z_FINISH);
    inflateEnd(&z);
    return zr == Z_STREAM_END && z.total_out == n && z.avail_in == 0 &&
                   memcmp(back, in, n) == 0
               ? 0
               : -1;
}

/* gzip levels 1-4 (ISA-L's encoder when built with it) and 6 (zlib), zlib and gzip wrappers,
 * 4096-byte pieces as custom archives get them: zlib's inflate reads every stream back whole,
 * and levels 1-4 give the same bytes at 1 and 3 workers (no block threads) and for any cut of
 * the input into pieces. */
START_TEST(test_gzip_levels)
{
    static const dfi_wrap wraps[] = {DFI_WRAP_ZLIB, DFI_WRAP_GZIP};
    const int levels[] = {1, 2, 4, 6};
    const size_t sizes[] = {0, 1, 4095, 4096, 300000, 1 << 20};
    uint8_t *in = malloc(1 << 20), *back = malloc((1 << 20) + 16);

    for (size_t i = 0; i < (1 << 20); i++)
        in[i] = (uint8_t)((i * 7919) % 251 < 60 ? (size_t)rand() : 'a' + i % 13);
    for (size_t w = 0; w < 2; w++)
        for (size_t l = 0; l < 4; l++)
            for (size_t z = 0; z < 6; z++) {
                dfi_obuf o[2] = {{0}, {0}};
                for (int k = 0; k < 2; k++) {
                    dfi_enc e;
                    ck_assert_int_eq(dfi_enc_init(&e, wraps[w], levels[l], k ? 3 : 1, 4096),
                                     DF_OK);
#ifdef DF_HAVE_ISAL
                    ck_assert(e.isal == (levels[l] <= 4));
#endif
                    ck_assert_int_eq(dfi_enc_step(&e, in, sizes[z], collect, &o[k]), DF_OK);
                    ck_assert_int_eq(dfi_enc_finish(&e, collect, &o[k]), DF_OK);
                    dfi_enc_end(&e);
                    ck_assert_msg(zlib_reads(&o[k], wraps[w] == DFI_WRAP_GZIP, in, sizes[z],
                                             back) == 0,
                                  "wrap %d level %d size %zu workers %d", (int)wraps[w],
                                  levels[l], sizes[z], k ? 3 : 1);
                }
                if (levels[l] <= 4) {
                    /* ... and whatever pieces the input comes in (with -j 2 the decoding
                       thread's pieces vary from run to run): the same bytes */
                    dfi_obuf r = {0};
                    dfi_enc e;
                    unsigned seed = (unsigned)(w * 97 + l * 13 + z);

                    ck_assert(o[0].n == o[1].n && memcmp(o[0].p, o[1].p, o[0].n) == 0);
                    ck_assert_int_eq(dfi_enc_init(&e, wraps[w], levels[l], 1, 4096), DF_OK);
                    for (size_t at = 0, k; at < sizes[z]; at += k) {
                        seed = seed * 1103515245u + 12345u;
                        k = 1 + (seed >> 8) % 70000;
                        if (k > sizes[z] - at)
                            k = sizes[z] - at;
                        ck_assert_int_eq(dfi_enc_step(&e, in + at, k, collect, &r), DF_OK);
                    }
                    ck_assert_int_eq(dfi_enc_finish(&e, collect, &r), DF_OK);
                    dfi_enc_end(&e);
                    ck_assert_msg(r.n == o[0].n && memcmp(r.p, o[0].p, r.n) == 0,
                                  "level %d size %zu: pieces changed the bytes", levels[l],
                                  sizes[z]);
                    dfi_obuf_free(&r);
                }
                dfi_obuf_free(&o[0]);
                dfi_obuf_free(&o[1]);
            }
    free(in);
    free(back);
}
END_TEST
#endif

/* ---- the writer over the corpus */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long len;

    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    rewind(f);
    p = malloc((size_t)len + 1);
    ck_assert_uint_eq(fread(p, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return p;
}

static df_reader *open_corpus(const char *rel)
{
    char path[512];
    df_reader *r = df_reader_new(NULL);

    snprintf(path, sizeof path, "%s/%s", dft_corpus(), rel);
    ck_assert_int_eq(df_reader_open_path(r, path), DF_OK);
    return r;
}

START_TEST(test_writer_identity)
{
    static const char *const files[] = {"pg15/sample.custom.gzip.dump",
                                        "pg18/sample.custom.lz4.dump",
                                        "pg93/sample.custom.none.dump"};
    df_reader *r = open_corpus(files[_i]);
    df_toc *t = df_toc_from_reader(r);
    char out[] = "/tmp/check_encode_out.XXXXXX", in[512];
    df_error err;
    df_write_summary sum;
    size_t na, nb;
    char *a, *b;
    int fd = mkstemp(out);

    ck_assert_int_ge(fd, 0);
    close(fd);
    memset(&sum, 0, sizeof sum);
    ck_assert_int_eq(df_write_archive(r, t, out, NULL, &sum, &err), DF_OK);
    ck_assert_int_eq(sum.blocks_recoded, 0);
    ck_assert(sum.offsets);
    snprintf(in, sizeof in, "%s/%s", dft_corpus(), files[_i]);
    a = slurp(in, &na);
    b = slurp(out, &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert(memcmp(a, b, na) == 0);
    free(a);
    free(b);
    unlink(out);
    df_toc_free(t);
    df_reader_free(r);
}
END_TEST

START_TEST(test_writer_formats)
{
    static const df_format fmts[] = {DF_FORMAT_CUSTOM, DF_FORMAT_DIRECTORY, DF_FORMAT_TAR};
    df_reader *r = open_corpus("pg18/sample.dir.zstd"), *r2;
    df_toc *t = df_toc_from_reader(r);
    df_write_options o;
    df_error err;
    char out[] = "/tmp/check_encode_fmt.XXXXXX";

    ck_assert_ptr_nonnull(mkdtemp(out));
    rmdir(out);
    df_write_options_default(&o);
    o.format = fmts[_i];
    if (o.format == DF_FORMAT_TAR)
        o.compression = DF_COMPRESS_NONE;
    ck_assert_int_eq(df_write_archive(r, t, out, &o, NULL, &err), DF_OK);
    r2 = df_reader_new(NULL);
    ck_assert_int_eq(df_reader_open_path(r2, out), DF_OK);
    ck_assert_int_eq(df_reader_header(r2)->format, fmts[_i]);
    ck_assert_uint_eq(df_reader_toc_count(r2), df_reader_toc_count(r));
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *x = df_reader_toc_at(r, i), *y = df_reader_toc_at(r2, i);
        int64_t rx = -1, ry = -1, bx, by, sx, sy;
        ck_assert_int_eq(x->dump_id, y->dump_id);
        ck_assert_str_eq(x->desc, y->desc);
        if (!df_entry_has_data(x))
            continue;
        ck_assert_int_eq(df_reader_measure(r, x, &rx, &bx, &sx), DF_OK);
        ck_assert_int_eq(df_reader_measure(r2, y, &ry, &by, &sy), DF_OK);
        ck_assert_int_eq(rx, ry);
        ck_assert_int_eq(bx, by);
    }
    df_reader_free(r2);
    if (fmts[_i] == DF_FORMAT_DIRECTORY) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", out);
        ck_assert_int_eq(system(cmd), 0);
    } else {
        unlink(out);
    }
    df_toc_free(t);
    df_reader_free(r);
}
END_TEST

START_TEST(test_set_version)
{
    df_reader *r = open_corpus("pg18/sample.custom.gzip.dump");
    df_toc *t = df_toc_from_reader(r);
    df_write_summary sum;
    df_error err;
    size_t blob = 0, blobs = 0, meta = 0;

    memset(&sum, 0, sizeof sum);
    ck_assert_int_eq(df_toc_set_version(t, 14, 0, &sum, &err), DF_OK);
    ck_assert_int_eq(df_toc_header(t)->vmin, 14);
    for (size_t i = 0; i < df_toc_count(t); i++) {
        const df_entry *e = df_toc_at(t, i);
        blob += strcmp(e->desc, "BLOB") == 0;
        blobs += strcmp(e->desc, "BLOBS") == 0;
        meta += strcmp(e->desc, "BLOB METADATA") == 0;
        if (strcmp(e->desc, "BLOBS") == 0) {
            ck_assert_str_eq(e->tag, "BLOBS");
            ck_assert_ptr_null(e->owner);
        }
    }
    ck_assert_uint_eq(blob, 5);
    ck_assert_uint_eq(blobs, 1);
    ck_assert_uint_eq(meta, 0);
    ck_assert_uint_eq(sum.dropped, 3);
    ck_assert_int_eq(df_toc_set_version(t, 16, 0, &sum, &err), DF_E_UNSUPPORTED);
    df_toc_free(t);
    df_reader_free(r);
}
END_TEST

static Suite *encode_suite(void)
{
    Suite *s = suite_create("encode");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_int_roundtrip, 0, 2);
    tcase_add_test(tc, test_int_bytes);
    tcase_add_test(tc, test_str_roundtrip);
    tcase_add_loop_test(tc, test_off_roundtrip, 0, 2);
    tcase_add_test(tc, test_codec_roundtrip);
#ifdef DF_HAVE_ZLIB
    tcase_add_test(tc, test_gzip_levels);
#endif
    tcase_add_loop_test(tc, test_writer_identity, 0, 3);
    tcase_add_loop_test(tc, test_writer_formats, 0, 3);
    tcase_add_test(tc, test_set_version);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(encode_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
