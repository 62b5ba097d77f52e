/*
 * check_codec.c — Check suite for the decompression codecs (codec.c,
 * codec_none.c, codec_gzip.c, codec_lz4.c, codec_zstd.c): round trips of
 * data compressed here with zlib/lz4/zstd and fed in pieces of every size,
 * truncation at every length, flipped bytes, concatenated members, bytes
 * after the end, empty inputs, and the real and damaged corpus files.
 * The gzip tests run against both inflate engines: the default codecs (ISA-L
 * when built with DF_HAVE_ISAL) and the zlib-only *_ref twins.
 */
#include "check_util.h"
#include "codec_gzip.h"
#include "internal.h"

#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef DF_HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef DF_HAVE_LZ4
#include <lz4frame.h>
#endif
#ifdef DF_HAVE_ZSTD
#include <zstd.h>
#endif

/* Helpers some builds (a codec left out) do not use. */
#define MAYBE_UNUSED __attribute__((unused))

#define BIG ((size_t)1 << 30)     /* input: "the whole thing in one piece" */
#define ROOMY ((size_t)4 << 20)   /* output: more room than any test stream needs */

/*
 * ck_assert_* records a checkpoint (a write to the parent process) even when
 * it passes; in loops that run millions of times use this instead.
 */
#define REQUIRE(cond, ...)                                                                         \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

/* ------------------------------------------------------------ byte bags */

typedef struct bytes {
    uint8_t *p;
    size_t n, cap;
} bytes;

static void bytes_reserve(bytes *b, size_t more)
{
    if (b->cap - b->n >= more)
        return;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap - b->n < more)
        cap *= 2;
    b->p = realloc(b->p, cap);
    REQUIRE(b->p != NULL, "out of memory");
    b->cap = cap;
}

static void bytes_add(bytes *b, const void *p, size_t n)
{
    bytes_reserve(b, n + 1);
    if (n > 0)
        memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void bytes_cat(bytes *b, const bytes *more) { bytes_add(b, more->p, more->n); }

static void bytes_free(bytes *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ------------------------------------------------------- test payloads */

/* COPY text rows ending with the pg_dump terminator, like a .dat file. */
static bytes make_copy_text(size_t rows)
{
    bytes b = {0};
    char line[128];

    for (size_t i = 0; i < rows; i++) {
        int len = snprintf(line, sizeof line, "%zu\tcustomer %zu\t%zu.%02zu\t2024-%02zu-%02zu\n",
                           i + 1, (i * 7919) % 1000, i % 9973, i % 100, i % 12 + 1, i % 28 + 1);
        bytes_add(&b, line, (size_t)len);
    }
    bytes_add(&b, "\\.\n\n\n", 5);
    return b;
}

static void add_noise(bytes *b, size_t n, uint32_t *seed)
{
    bytes_reserve(b, n + 1);
    for (size_t i = 0; i < n; i++) {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 17;
        *seed ^= *seed << 5;
        b->p[b->n++] = (uint8_t)(*seed >> 24);
    }
}

/* Text and incompressible stretches: crosses every block and window size. */
static bytes make_mixed(size_t target)
{
    bytes b = {0};
    uint32_t seed = 12345;

    while (b.n < target) {
        bytes t = make_copy_text(200);
        bytes_cat(&b, &t);
        bytes_free(&t);
        add_noise(&b, 3000, &seed);
    }
    return b;
}

/* ---------------------------------------------------------- compressors */

#ifdef DF_HAVE_ZLIB
static bytes zlib_compress(const bytes *src)
{
    bytes b = {0};
    uLongf len = compressBound(src->n);

    bytes_reserve(&b, len);
    ck_assert_int_eq(compress2(b.p, &len, src->p, src->n, 6), Z_OK);
    b.n = len;
    return b;
}

/* A gzip member; `fancy` adds FNAME, FCOMMENT, FEXTRA and FHCRC to the header. */
static bytes gzip_compress(const bytes *src, bool fancy)
{
    bytes b = {0};
    z_stream zs;
    gz_header h;
    static uint8_t extra[] = {'A', 'B', 2, 0, 'x', 'y'};
    int zr;

    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    if (fancy) {
        memset(&h, 0, sizeof h);
        h.name = (Bytef *)"2890.dat";
        h.comment = (Bytef *)"made by check_codec";
        h.extra = extra;
        h.extra_len = sizeof extra;
        h.hcrc = 1;
        ck_assert_int_eq(deflateSetHeader(&zs, &h), Z_OK);
    }
    zs.next_in = (Bytef *)src->p;
    zs.avail_in = (uInt)src->n;
    do {
        bytes_reserve(&b, 65536);
        zs.next_out = b.p + b.n;
        zs.avail_out = 65536;
        zr = deflate(&zs, Z_FINISH);
        b.n += 65536 - zs.avail_out;
    } while (zr == Z_OK);
    ck_assert_int_eq(zr, Z_STREAM_END);
    deflateEnd(&zs);
    return b;
}
#endif

#ifdef DF_HAVE_LZ4
/* An LZ4 frame; `checked` adds block and content checksums and a content size. */
static bytes lz4_compress(const bytes *src, bool checked)
{
    LZ4F_preferences_t prefs;
    bytes b = {0};
    size_t r;

    memset(&prefs, 0, sizeof prefs); /* pg_dump's parameters: linked 64 KiB blocks, no checks */
    if (checked) {
        prefs.frameInfo.blockSizeID = LZ4F_max256KB;
        prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
        prefs.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
        prefs.frameInfo.contentSize = src->n;
    }
    bytes_reserve(&b, LZ4F_compressFrameBound(src->n, &prefs));
    r = LZ4F_compressFrame(b.p, b.cap, src->p, src->n, &prefs);
    ck_assert_msg(!LZ4F_isError(r), "LZ4F_compressFrame: %s", LZ4F_getErrorName(r));
    b.n = r;
    return b;
}
#endif

#ifdef DF_HAVE_ZSTD
/* A zstd frame; `streamed` compresses like pg_dump (no content size) with a checksum. */
static bytes zstd_compress(const bytes *src, bool streamed)
{
    bytes b = {0};
    size_t r;

    bytes_reserve(&b, ZSTD_compressBound(src->n));
    if (!streamed) {
        r = ZSTD_compress(b.p, b.cap, src->p, src->n, 3);
        ck_assert_msg(!ZSTD_isError(r), "ZSTD_compress: %s", ZSTD_getErrorName(r));
        b.n = r;
        return b;
    }
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    ZSTD_inBuffer ib = {src->p, src->n, 0};
    ZSTD_outBuffer ob = {b.p, b.cap, 0};

    ck_assert_ptr_nonnull(cc);
    ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
    /* Feed in small slices so the frame header cannot know the content size. */
    while (ib.pos < ib.size) {
        ZSTD_inBuffer slice = {(const uint8_t *)src->p + ib.pos,
                               ib.size - ib.pos < 1000 ? ib.size - ib.pos : 1000, 0};
        r = ZSTD_compressStream2(cc, &ob, &slice, ZSTD_e_continue);
        REQUIRE(!ZSTD_isError(r), "zstd: %s", ZSTD_getErrorName(r));
        ib.pos += slice.pos;
    }
    do {
        ZSTD_inBuffer none = {NULL, 0, 0};
        r = ZSTD_compressStream2(cc, &ob, &none, ZSTD_e_end);
        REQUIRE(!ZSTD_isError(r), "zstd: %s", ZSTD_getErrorName(r));
    } while (r != 0);
    ZSTD_freeCCtx(cc);
    b.n = ob.pos;
    return b;
}
#endif

/* ------------------------------------------------------------- the driver */


/*
 * What a careful reader does: offer input in pieces of `ipiece` bytes and
 * room in pieces of `opiece`; when the input is used up, drain with empty
 * input and then call finish().  Outcome:
 *   DF_OK           the stream ended exactly at the end of the input
 *   DF_EOF          the stream ended with `trailing` bytes left over
 *   DF_E_*          an error (step or finish), msg says why
 */
typedef struct run {
    int rc;
    size_t trailing;
    bytes out;
    char msg[200];
    int64_t in_total, out_total;
} run;

static int dec_start(dfi_dec *d, const dfi_codec *c, bool multi)
{
    int rc;

    memset(d, 0, sizeof *d);
    d->multi_member = multi;
    d->codec = c;
    rc = c->init(d);
    if (rc != DF_OK)
        d->codec = NULL;
    return rc;
}

static run drive(const dfi_codec *c, bool multi, const uint8_t *src, size_t n, size_t ipiece,
                 size_t opiece)
{
    run r = {0};
    dfi_dec d;
    const uint8_t *p = NULL;
    size_t avail = 0, fed = 0;
    size_t guard = 0, max_calls = 50 * 1000 * 1000;

    REQUIRE(dec_start(&d, c, multi) == DF_OK, "%s: init failed", c->name);
    for (;;) {
        uint8_t *o;
        size_t room = opiece, before_in;
        int rc;
        bool progress;

        REQUIRE(++guard < max_calls, "%s: runaway loop", c->name);
        if (avail == 0 && fed < n) {
            p = src + fed;
            avail = n - fed < ipiece ? n - fed : ipiece;
            fed += avail;
        }
        bytes_reserve(&r.out, opiece + 1);
        o = r.out.p + r.out.n;
        before_in = avail;
        rc = dfi_dec_step(&d, &p, &avail, &o, &room);
        REQUIRE(o == r.out.p + r.out.n + (opiece - room), "%s: out pointer off", c->name);
        r.out.n += opiece - room;
        progress = before_in != avail || room != opiece;
        if (rc < 0) {
            r.rc = rc;
            break;
        }
        REQUIRE(rc == DF_OK || rc == DF_EOF, "step returned %d", rc);
        if (rc == DF_EOF && (avail > 0 || fed < n)) {
            if (avail > 0 && !progress) { /* it stopped before the rest: trailing data */
                r.rc = DF_EOF;
                r.trailing = avail + (n - fed);
                break;
            }
            continue; /* offer the rest: another member may follow */
        }
        if (rc == DF_EOF || (!progress && avail == 0 && fed == n)) {
            r.rc = dfi_dec_finish(&d);
            /* an ended stream must finish cleanly */
            REQUIRE(rc != DF_EOF || r.rc == DF_OK, "finish after DF_EOF: %d", r.rc);
            break;
        }
        REQUIRE(progress || avail == 0, "%s: no progress with input and room", c->name);
    }
    snprintf(r.msg, sizeof r.msg, "%s", d.msg);
    r.in_total = d.in_total;
    r.out_total = d.out_total;
    REQUIRE(r.rc < 0 || r.in_total == (int64_t)(n - r.trailing), "in_total %lld",
            (long long)r.in_total);
    REQUIRE(r.rc < 0 || r.out_total == (int64_t)r.out.n, "out_total %lld",
            (long long)r.out_total);
    dfi_dec_end(&d);
    return r;
}

static void run_free(run *r) { bytes_free(&r->out); }

/* Decode `z` at several piece sizes and insist on getting `plain` back exactly. */
static void check_round_trip(const dfi_codec *c, bool multi, const bytes *z, const bytes *plain,
                             bool with_tiny_pieces)
{
    static const size_t pieces[][2] = {
        {BIG, 65536}, {BIG, ROOMY}, {4096, 4096}, {3, 7}, {65536, 1}, {1, 65536}, {1, 1},
    };
    size_t count = sizeof pieces / sizeof pieces[0];

    for (size_t i = 0; i < count; i++) {
        bool tiny = pieces[i][0] < 16 || pieces[i][1] < 16;
        if (tiny && !with_tiny_pieces)
            continue;
        run r = drive(c, multi, z->p, z->n, pieces[i][0], pieces[i][1]);
        ck_assert_msg(r.rc == DF_OK, "%s pieces %zu/%zu: rc %d (%s)", c->name, pieces[i][0],
                      pieces[i][1], r.rc, r.msg);
        ck_assert_uint_eq(r.out.n, plain->n);
        ck_assert(plain->n == 0 || memcmp(r.out.p, plain->p, plain->n) == 0);
        run_free(&r);
    }
}

/*
 * Every proper prefix must end in DF_E_TRUNCATED (the empty one too unless
 * `empty_ok`), and what came out before must be a prefix of the data.
 */
MAYBE_UNUSED static void check_every_prefix(const dfi_codec *c, const bytes *z, const bytes *plain,
                               bool empty_ok)
{
    for (size_t cut = 0; cut < z->n; cut++) {
        for (int mode = 0; mode < 2; mode++) {
            run r = drive(c, false, z->p, cut, mode ? 1 : BIG, mode ? 1 : 4096);
            int want = cut == 0 && empty_ok ? DF_OK : DF_E_TRUNCATED;

            ck_assert_msg(r.rc == want, "%s cut at %zu of %zu: rc %d want %d (%s)", c->name, cut,
                          z->n, r.rc, want, r.msg);
            ck_assert_uint_le(r.out.n, plain->n);
            ck_assert(r.out.n == 0 || memcmp(r.out.p, plain->p, r.out.n) == 0);
            if (want == DF_E_TRUNCATED)
                ck_assert_msg(strstr(r.msg, "incomplete") != NULL, "message: %s", r.msg);
            run_free(&r);
        }
    }
}

/* A copy of z with byte `at` XORed with `mask`. */
MAYBE_UNUSED static bytes flipped(const bytes *z, size_t at, uint8_t mask)
{
    bytes b = {0};

    bytes_add(&b, z->p, z->n);
    b.p[at] ^= mask;
    return b;
}

/*
 * After a bit flip the verdict is an error, or DF_OK with exactly the
 * original data: the flip hit bits the format ignores (the padding after
 * the last deflate block).  Wrong data with DF_OK is the one failure.
 */
MAYBE_UNUSED static void check_caught_or_harmless(const run *r, const bytes *plain, size_t at,
                                                  int bit)
{
    if (r->rc == DF_OK) {
        ck_assert_msg(r->out.n == plain->n && memcmp(r->out.p, plain->p, plain->n) == 0,
                      "flip at %zu bit %d: wrong data accepted", at, bit);
        return;
    }
    ck_assert_msg(r->rc == DF_E_CORRUPT || r->rc == DF_E_TRUNCATED, "flip at %zu bit %d: rc %d",
                  at, bit, r->rc);
}

/* Step with no room must return at once and touch nothing. */
static void check_zero_room(const dfi_codec *c, const bytes *z)
{
    dfi_dec d;
    const uint8_t *p = z->p;
    size_t n = z->n, room = 0;
    uint8_t sink[1], *o = sink;

    ck_assert_int_eq(dec_start(&d, c, false), DF_OK);
    ck_assert_int_eq(dfi_dec_step(&d, &p, &n, &o, &room), DF_OK);
    ck_assert_ptr_eq(p, z->p);
    ck_assert_uint_eq(n, z->n);
    ck_assert_ptr_eq(o, sink);
    /* An empty input (NULL, 0) with room is fine too: nothing to do. */
    {
        const uint8_t *none = NULL;
        size_t zero = 0, one = 1;
        ck_assert_int_eq(dfi_dec_step(&d, &none, &zero, &o, &one), DF_OK);
        ck_assert_uint_eq(one, 1);
    }
    dfi_dec_end(&d);
}

/* ---------------------------------------------------- engines under test */

#ifdef DF_HAVE_ZLIB
/* _i = 0: the default codecs (ISA-L when built in), 1: the zlib-only twins. */
static const dfi_codec *zlib_codec(int i)
{
    return i ? &dfi_codec_gzip_zlib_ref : &dfi_codec_gzip_zlib;
}

static const dfi_codec *gzip_codec(int i)
{
    return i ? &dfi_codec_gzip_file_ref : &dfi_codec_gzip_file;
}
#endif

/* ================================================================ tests */

START_TEST(test_table_and_sniff)
{
    static const dfi_wrap wraps[] = {DFI_WRAP_RAW, DFI_WRAP_ZLIB, DFI_WRAP_GZIP, DFI_WRAP_LZ4F,
                                     DFI_WRAP_ZSTD};
    static const uint8_t gz[] = {0x1f, 0x8b, 0x08}, lz[] = {0x04, 0x22, 0x4d, 0x18, 0x40};
    static const uint8_t zs[] = {0x28, 0xb5, 0x2f, 0xfd}, txt[] = "--\n-- PostgreSQL";

    for (size_t i = 0; i < sizeof wraps / sizeof wraps[0]; i++) {
        const dfi_codec *c = dfi_codec_for(wraps[i]);
        ck_assert_ptr_nonnull(c);
        ck_assert_int_eq(c->wrap, wraps[i]);
        ck_assert_ptr_nonnull(c->name);
    }
    ck_assert_ptr_eq(dfi_codec_for(DFI_WRAP_ZLIB), &dfi_codec_gzip_zlib);
    ck_assert_ptr_eq(dfi_codec_for(DFI_WRAP_GZIP), &dfi_codec_gzip_file);
    ck_assert_ptr_null(dfi_codec_for((dfi_wrap)5));
    ck_assert_ptr_null(dfi_codec_for((dfi_wrap)-1));
    ck_assert_int_eq(dfi_wrap_sniff(gz, sizeof gz), DFI_WRAP_GZIP);
    ck_assert_int_eq(dfi_wrap_sniff(gz, 1), DFI_WRAP_RAW);
    ck_assert_int_eq(dfi_wrap_sniff(lz, sizeof lz), DFI_WRAP_LZ4F);
    ck_assert_int_eq(dfi_wrap_sniff(lz, 3), DFI_WRAP_RAW);
    ck_assert_int_eq(dfi_wrap_sniff(zs, sizeof zs), DFI_WRAP_ZSTD);
    ck_assert_int_eq(dfi_wrap_sniff(txt, sizeof txt - 1), DFI_WRAP_RAW);
    ck_assert_int_eq(dfi_wrap_sniff(NULL, 0), DFI_WRAP_RAW);
}
END_TEST

START_TEST(test_dec_wrappers)
{
    dfi_dec d;
    const uint8_t *p = (const uint8_t *)"abc";
    size_t n = 3, room = 8;
    uint8_t buf[8], *o = buf;

    memset(&d, 0, sizeof d);
    d.multi_member = true;
    ck_assert_int_eq(dfi_dec_init(&d, DFI_WRAP_RAW), DF_OK);
    ck_assert(d.multi_member); /* kept across init */
    ck_assert_ptr_eq(d.codec, &dfi_codec_none);
    ck_assert_str_eq(d.msg, "");
    ck_assert_int_eq(dfi_dec_step(&d, &p, &n, &o, &room), DF_OK);
    ck_assert_int_eq(d.in_total, 3);
    ck_assert_int_eq(d.out_total, 3);
    dfi_dec_end(&d);
    dfi_dec_end(&d); /* twice is fine */
    ck_assert_ptr_null(d.codec);

    ck_assert_int_eq(dfi_dec_init(&d, (dfi_wrap)42), DF_E_USAGE);
    ck_assert_ptr_nonnull(strstr(d.msg, "unknown"));
    ck_assert_int_eq(dfi_dec_step(&d, &p, &n, &o, &room), DF_E_USAGE);
    ck_assert_int_eq(dfi_dec_finish(&d), DF_E_USAGE);
    dfi_dec_end(&d);

    memset(&d, 0, sizeof d);
    dfi_dec_end(&d); /* a zeroed decoder can be ended */
}
END_TEST

START_TEST(test_none)
{
    bytes plain = make_mixed(200000);
    run r = drive(&dfi_codec_none, false, plain.p, plain.n, 1, 1);

    ck_assert_int_eq(r.rc, DF_OK); /* never DF_EOF: the container decides */
    ck_assert_uint_eq(r.out.n, plain.n);
    ck_assert(memcmp(r.out.p, plain.p, plain.n) == 0);
    run_free(&r);
    check_round_trip(&dfi_codec_none, false, &plain, &plain, false);
    r = drive(&dfi_codec_none, false, NULL, 0, 1, 1);
    ck_assert_int_eq(r.rc, DF_OK);
    ck_assert_uint_eq(r.out.n, 0);
    run_free(&r);
    check_zero_room(&dfi_codec_none, &plain);
    bytes_free(&plain);
}
END_TEST

#ifdef DF_HAVE_ZLIB

START_TEST(test_zlib_round_trip)
{
    const dfi_codec *c = zlib_codec(_i);
    bytes small = make_copy_text(3000), big = make_mixed(1200000), empty = {0};
    bytes zs = zlib_compress(&small), zb = zlib_compress(&big), ze = zlib_compress(&empty);

    ck_assert_uint_eq(zs.p[0], 0x78); /* what pg_dump writes */
    check_round_trip(c, false, &zs, &small, true);
    check_round_trip(c, false, &zb, &big, false);
    check_round_trip(c, false, &ze, &empty, true);
    check_zero_room(c, &zs);
    bytes_free(&small), bytes_free(&big), bytes_free(&zs), bytes_free(&zb), bytes_free(&ze);
}
END_TEST

START_TEST(test_zlib_truncated)
{
    const dfi_codec *c = zlib_codec(_i);
    bytes plain = make_copy_text(60), z = zlib_compress(&plain);
    run r;

    check_every_prefix(c, &z, &plain, false);
    r = drive(c, false, NULL, 0, 1, 1);
    ck_assert_int_eq(r.rc, DF_E_TRUNCATED);
    ck_assert_str_eq(r.msg, "zlib stream is incomplete (no data)");
    run_free(&r);
    bytes_free(&plain), bytes_free(&z);
}
END_TEST

START_TEST(test_zlib_flipped)
{
    const dfi_codec *c = zlib_codec(_i);
    bytes plain = make_copy_text(200), z = zlib_compress(&plain);

    /* The Adler-32 trailer. */
    for (size_t at = z.n - 4; at < z.n; at++) {
        bytes bad = flipped(&z, at, 0x01);
        run r = drive(c, false, bad.p, bad.n, BIG, 4096);
        ck_assert_int_eq(r.rc, DF_E_CORRUPT);
        ck_assert_str_eq(r.msg, "could not uncompress data: incorrect data check");
        run_free(&r), bytes_free(&bad);
    }
    /* The header, which both engines must judge alike. */
    {
        bytes bad = flipped(&z, 1, 0x01);
        run r = drive(c, false, bad.p, bad.n, 1, 1);
        ck_assert_int_eq(r.rc, DF_E_CORRUPT);
        ck_assert_str_eq(r.msg, "could not uncompress data: incorrect header check");
        run_free(&r), bytes_free(&bad);
    }
    {
        static const uint8_t wide[] = {0x88, 0x98, 0x03, 0x00}; /* CINFO 8: 64 KiB window */
        run r = drive(c, false, wide, sizeof wide, BIG, 64);
        ck_assert_int_eq(r.rc, DF_E_CORRUPT);
        ck_assert_str_eq(r.msg, "could not uncompress data: invalid window size");
        run_free(&r);
    }
    {
        static const uint8_t dict[] = {0x78, 0xbb, 1, 2, 3, 4, 0x03, 0x00}; /* FDICT */
        run r = drive(c, false, dict, sizeof dict, BIG, 64);
        ck_assert_int_eq(r.rc, DF_E_CORRUPT);
        ck_assert_str_eq(r.msg, "zlib stream requires a preset dictionary");
        run_free(&r);
    }
    /* Any single-bit flip anywhere is caught (Adler-32, FCHECK, deflate) or harmless. */
    for (size_t at = 0; at < z.n; at++) {
        for (int bit = 0; bit < 8; bit += 7) {
            bytes bad = flipped(&z, at, (uint8_t)(1u << bit));
            run r = drive(c, false, bad.p, bad.n, BIG, 65536);
            check_caught_or_harmless(&r, &plain, at, bit);
            run_free(&r), bytes_free(&bad);
        }
    }
    /* Errors are sticky. */
    {
        bytes bad = flipped(&z, z.n - 1, 0x01);
        dfi_dec d;
        const uint8_t *p = bad.p;
        size_t n = bad.n, room = 1 << 20;
        uint8_t *out = malloc(room), *o = out;

        ck_assert_int_eq(dec_start(&d, c, false), DF_OK);
        ck_assert_int_eq(dfi_dec_step(&d, &p, &n, &o, &room), DF_E_CORRUPT);
        ck_assert_int_eq(dfi_dec_step(&d, &p, &n, &o, &room), DF_E_CORRUPT);
        ck_assert_int_eq(dfi_dec_finish(&d), DF_E_CORRUPT);
        ck_assert_str_eq(d.msg, "could not uncompress data: incorrect data check");
        dfi_dec_end(&d);
        free(out), bytes_free(&bad);
    }
    bytes_free(&plain), bytes_free(&z);
}
END_TEST

START_TEST(test_zlib_bytes_after_end)
{
    const dfi_codec *c = zlib_codec(_i);
    bytes plain = make_copy_text(500), z = zlib_compress(&plain);
    static const size_t pieces[][2] = {{BIG, 65536}, {1, 1},    {7, 3},   {1, 65536},
                                       {BIG, 1},     {BIG, 7}, {100, 5}, {4096, 4096}};

    bytes_add(&z, "JUNK", 4);
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        /*
         * zlib stops exactly at the end.  ISA-L reads ahead up to 8 bytes;
         * the codec hands back what it read past the Adler-32, so both
         * engines leave the same 4 bytes (the rare case it cannot, when an
         * earlier call took them, is reported as unexpected data).
         */
        run r = drive(c, false, z.p, z.n, pieces[i][0], pieces[i][1]);
        ck_assert_msg(r.rc == DF_EOF, "pieces %zu/%zu: rc %d (%s)", pieces[i][0], pieces[i][1],
                      r.rc, r.msg);
        ck_assert_uint_eq(r.trailing, 4);
        ck_assert_uint_eq(r.out.n, plain.n);
        run_free(&r);
    }
    bytes_free(&plain), bytes_free(&z);
}
END_TEST

START_TEST(test_gzip_round_trip)
{
    const dfi_codec *c = gzip_codec(_i);
    bytes small = make_copy_text(3000), big = make_mixed(1200000), empty = {0};
    bytes gs = gzip_compress(&small, false), gb = gzip_compress(&big, false);
    bytes ge = gzip_compress(&empty, false), gf = gzip_compress(&small, true);

    check_round_trip(c, false, &gs, &small, true);
    check_round_trip(c, false, &gb, &big, false);
    check_round_trip(c, false, &ge, &empty, true);
    check_round_trip(c, false, &gf, &small, true); /* FNAME FCOMMENT FEXTRA FHCRC */
    check_round_trip(c, true, &gs, &small, true);  /* one member with multi_member */
    check_zero_room(c, &gs);
    bytes_free(&small), bytes_free(&big), bytes_free(&empty);
    bytes_free(&gs), bytes_free(&gb), bytes_free(&ge), bytes_free(&gf);
}
END_TEST

START_TEST(test_gzip_truncated)
{
    const dfi_codec *c = gzip_codec(_i);
    bytes plain = make_copy_text(60), g = gzip_compress(&plain, false);
    bytes gf = gzip_compress(&plain, true);
    run r;

    check_every_prefix(c, &g, &plain, false);
    check_every_prefix(c, &gf, &plain, false);
    r = drive(c, false, NULL, 0, 1, 1);
    ck_assert_int_eq(r.rc, DF_E_TRUNCATED);
    ck_assert_str_eq(r.msg, "gzip member is incomplete (no data)");
    run_free(&r);
    bytes_free(&plain), bytes_free(&g), bytes_free(&gf);
}
END_TEST

START_TEST(test_gzip_flipped)
{
    const dfi_codec *c = gzip_codec(_i);
    bytes plain = make_copy_text(200), g = gzip_compress(&plain, false);
    bytes gf = gzip_compress(&plain, true);
    static const struct {
        size_t from_end;
        const char *msg;
    } trailer[] = {
        {8, "gzip trailer CRC-32 mismatch"}, {5, "gzip trailer CRC-32 mismatch"},
        {4, "gzip trailer ISIZE mismatch"},  {1, "gzip trailer ISIZE mismatch"},
    };

    for (size_t i = 0; i < sizeof trailer / sizeof trailer[0]; i++) {
        for (int tiny = 0; tiny < 2; tiny++) {
            bytes bad = flipped(&g, g.n - trailer[i].from_end, 0x10);
            run r = drive(c, false, bad.p, bad.n, tiny ? 1 : BIG, tiny ? 1 : 65536);
            ck_assert_int_eq(r.rc, DF_E_CORRUPT);
            ck_assert_str_eq(r.msg, trailer[i].msg);
            run_free(&r), bytes_free(&bad);
        }
    }
    {
        static const struct {
            size_t at;
            uint8_t mask;
            const char *msg;
        } head[] = {
            {0, 0x01, "could not uncompress data: incorrect header check"},
            {1, 0x80, "could not uncompress data: incorrect header check"},
            {2, 0x01, "could not uncompress data: unknown compression method"},
            {3, 0x80, "could not uncompress data: unknown header flags set"},
        };
        for (size_t i = 0; i < sizeof head / sizeof head[0]; i++) {
            bytes bad = flipped(&g, head[i].at, head[i].mask);
            run r = drive(c, false, bad.p, bad.n, BIG, 4096);
            ck_assert_int_eq(r.rc, DF_E_CORRUPT);
            ck_assert_str_eq(r.msg, head[i].msg);
            run_free(&r), bytes_free(&bad);
        }
    }
    {
        /* The header CRC-16 of the fancy header sits just before the deflate data. */
        size_t at = 10 + 2 + 6 + strlen("2890.dat") + 1 + strlen("made by check_codec") + 1;
        bytes bad = flipped(&gf, at, 0x01);
        for (size_t piece = 1; piece < 50; piece += 3) {
            run r = drive(c, false, bad.p, bad.n, piece, 4096);
            ck_assert_int_eq(r.rc, DF_E_CORRUPT);
            ck_assert_str_eq(r.msg, "gzip header CRC-16 mismatch");
            run_free(&r);
        }
        bytes_free(&bad);
    }
    /* Every bit flip is caught but in FTEXT, MTIME, XFL, OS (bytes 3..9: hints, unchecked). */
    for (size_t at = 0; at < g.n; at++) {
        for (int bit = 0; bit < 8; bit += 3) {
            if ((at == 3 && bit == 0) || (at >= 4 && at <= 9))
                continue;
            bytes bad = flipped(&g, at, (uint8_t)(1u << bit));
            run r = drive(c, false, bad.p, bad.n, BIG, 65536);
            check_caught_or_harmless(&r, &plain, at, bit);
            run_free(&r), bytes_free(&bad);
        }
    }
    bytes_free(&plain), bytes_free(&g), bytes_free(&gf);
}
END_TEST

START_TEST(test_gzip_members)
{
    const dfi_codec *c = gzip_codec(_i);
    bytes a = make_copy_text(100), b = make_mixed(150000), e = {0}, cc = make_copy_text(7);
    bytes ga = gzip_compress(&a, false), gb = gzip_compress(&b, true);
    bytes ge = gzip_compress(&e, false), gc = gzip_compress(&cc, false);
    bytes all = {0}, plain = {0};
    run r;

    bytes_cat(&all, &ga), bytes_cat(&all, &gb), bytes_cat(&all, &ge), bytes_cat(&all, &gc);
    bytes_cat(&plain, &a), bytes_cat(&plain, &b), bytes_cat(&plain, &cc);
    /* multi_member: one stream, whatever the piece boundaries. */
    check_round_trip(c, true, &all, &plain, true);
    /* Without it the first member is the stream; the rest is left over. */
    r = drive(c, false, all.p, all.n, BIG, 65536);
    ck_assert_int_eq(r.rc, DF_EOF);
    ck_assert_uint_eq(r.trailing, all.n - ga.n);
    ck_assert_uint_eq(r.out.n, a.n);
    run_free(&r);
    r = drive(c, false, all.p, all.n, 1, 1);
    ck_assert_int_eq(r.rc, DF_EOF);
    ck_assert_uint_eq(r.trailing, all.n - ga.n);
    run_free(&r);
    /* Data that does not start like a member is left for the caller. */
    {
        bytes tail = {0};
        bytes_cat(&tail, &all);
        bytes_add(&tail, "\0\0\0garbage", 10);
        for (int tiny = 0; tiny < 2; tiny++) {
            r = drive(c, true, tail.p, tail.n, tiny ? 1 : BIG, tiny ? 3 : 65536);
            ck_assert_int_eq(r.rc, DF_EOF);
            ck_assert_uint_eq(r.trailing, 10);
            ck_assert_uint_eq(r.out.n, plain.n);
            run_free(&r);
        }
        bytes_free(&tail);
    }
    /* "1f" then not "8b": a damaged member, whatever the cut. */
    {
        bytes tail = {0};
        bytes_cat(&tail, &ga);
        bytes_add(&tail, "\x1f\x00junkjunk", 10);
        for (int tiny = 0; tiny < 2; tiny++) {
            r = drive(c, true, tail.p, tail.n, tiny ? 1 : BIG, 4096);
            ck_assert_int_eq(r.rc, DF_E_CORRUPT);
            ck_assert_str_eq(r.msg, "could not uncompress data: incorrect header check");
            run_free(&r);
        }
        bytes_free(&tail);
    }
    /* A second member cut short: truncated. */
    {
        bytes tail = {0};
        bytes_cat(&tail, &ga);
        bytes_add(&tail, gc.p, gc.n - 3);
        r = drive(c, true, tail.p, tail.n, 5, 4096);
        ck_assert_int_eq(r.rc, DF_E_TRUNCATED);
        ck_assert_str_eq(r.msg, "gzip member is incomplete");
        run_free(&r);
        tail.n = ga.n + 1; /* just its first byte */
        r = drive(c, true, tail.p, tail.n, BIG, 4096);
        ck_assert_int_eq(r.rc, DF_E_TRUNCATED);
        run_free(&r);
        bytes_free(&tail);
    }
    /* DF_EOF in multi mode is not final: more input resumes with the next member. */
    {
        dfi_dec d;
        const uint8_t *p = ga.p, *none = NULL;
        size_t n = ga.n, zero = 0, room = 1 << 20;
        uint8_t *out = malloc(room), *o = out;

        ck_assert_int_eq(dec_start(&d, c, true), DF_OK);
        ck_assert_int_eq(dfi_dec_step(&d, &p, &n, &o, &room), DF_OK); /* member end is progress */
        ck_assert_uint_eq(n, 0);
        ck_assert_int_eq(dfi_dec_step(&d, &none, &zero, &o, &room), DF_EOF);
        ck_assert_int_eq(dfi_dec_finish(&d), DF_OK);
        p = gc.p;
        n = gc.n;
        ck_assert_int_eq(dfi_dec_step(&d, &p, &n, &o, &room), DF_OK);
        ck_assert_int_eq(dfi_dec_step(&d, &none, &zero, &o, &room), DF_EOF);
        ck_assert_int_eq(d.out_total, (int64_t)(a.n + cc.n));
        ck_assert_int_eq(d.in_total, (int64_t)(ga.n + gc.n));
        ck_assert(memcmp(out + a.n, cc.p, cc.n) == 0);
        dfi_dec_end(&d);
        free(out);
    }
    bytes_free(&a), bytes_free(&b), bytes_free(&e), bytes_free(&cc);
    bytes_free(&ga), bytes_free(&gb), bytes_free(&ge), bytes_free(&gc);
    bytes_free(&all), bytes_free(&plain);
}
END_TEST

START_TEST(test_gzip_engines_agree)
{
    /* Same verdict, bytes and counters from both engines on damaged data too. */
    bytes plain = make_mixed(300000), g = gzip_compress(&plain, false);

    for (size_t at = 10; at < g.n; at += g.n / 37) {
        bytes bad = flipped(&g, at, 0x04);
        run a = drive(&dfi_codec_gzip_file, false, bad.p, bad.n, 4096, 65536);
        run b = drive(&dfi_codec_gzip_file_ref, false, bad.p, bad.n, 4096, 65536);
        ck_assert_msg(a.rc == b.rc, "flip at %zu: %d (%s) vs %d (%s)", at, a.rc, a.msg, b.rc,
                      b.msg);
        run_free(&a), run_free(&b), bytes_free(&bad);
    }
    bytes_free(&plain), bytes_free(&g);
}
END_TEST

#endif /* DF_HAVE_ZLIB */

#ifdef DF_HAVE_LZ4

START_TEST(test_lz4_round_trip)
{
    bytes small = make_copy_text(3000), big = make_mixed(1200000), empty = {0};

    for (int checked = 0; checked < 2; checked++) {
        bytes zs = lz4_compress(&small, checked), zb = lz4_compress(&big, checked);
        bytes ze = lz4_compress(&empty, checked);
        check_round_trip(&dfi_codec_lz4, false, &zs, &small, true);
        check_round_trip(&dfi_codec_lz4, false, &zb, &big, false);
        check_round_trip(&dfi_codec_lz4, false, &ze, &empty, true);
        check_zero_room(&dfi_codec_lz4, &zs);
        bytes_free(&zs), bytes_free(&zb), bytes_free(&ze);
    }
    bytes_free(&small), bytes_free(&big);
}
END_TEST

START_TEST(test_lz4_truncated_and_empty)
{
    bytes plain = make_copy_text(60), z = lz4_compress(&plain, false);
    bytes zc = lz4_compress(&plain, true);
    run r;

    check_every_prefix(&dfi_codec_lz4, &z, &plain, true);
    check_every_prefix(&dfi_codec_lz4, &zc, &plain, true);
    r = drive(&dfi_codec_lz4, false, NULL, 0, 1, 1); /* 0-byte .lz4 file: empty data */
    ck_assert_int_eq(r.rc, DF_OK);
    ck_assert_uint_eq(r.out.n, 0);
    run_free(&r);
    r = drive(&dfi_codec_lz4, false, z.p, z.n - 4, BIG, 4096); /* end mark cut off */
    ck_assert_int_eq(r.rc, DF_E_TRUNCATED);
    ck_assert_str_eq(r.msg, "lz4 frame is incomplete (end mark missing)");
    ck_assert_uint_eq(r.out.n, plain.n); /* all the data came out first */
    run_free(&r);
    bytes_free(&plain), bytes_free(&z), bytes_free(&zc);
}
END_TEST

START_TEST(test_lz4_damage_and_frames)
{
    bytes a = make_copy_text(300), b = make_mixed(200000);
    bytes za = lz4_compress(&a, true), zb = lz4_compress(&b, false), all = {0}, plain = {0};
    run r;

    /* With checksums every bit flip is caught. */
    for (size_t at = 0; at < za.n; at++) {
        bytes bad = flipped(&za, at, 0x20);
        r = drive(&dfi_codec_lz4, false, bad.p, bad.n, BIG, 65536);
        ck_assert_msg(r.rc == DF_E_CORRUPT || r.rc == DF_E_TRUNCATED, "flip at %zu: rc %d", at,
                      r.rc);
        run_free(&r), bytes_free(&bad);
    }
    {
        bytes bad = flipped(&za, za.n - 1, 0x01);
        r = drive(&dfi_codec_lz4, false, bad.p, bad.n, BIG, 65536);
        ck_assert_str_eq(r.msg, "lz4 content checksum mismatch");
        run_free(&r), bytes_free(&bad);
        bad = flipped(&za, 0, 0x01);
        r = drive(&dfi_codec_lz4, false, bad.p, bad.n, BIG, 65536);
        ck_assert_int_eq(r.rc, DF_E_CORRUPT);
        ck_assert_str_eq(r.msg, "not an lz4 frame (unknown magic number)");
        run_free(&r), bytes_free(&bad);
    }
    /* Without checksums damage may pass unseen, but never crashes or hangs. */
    for (size_t at = 0; at < zb.n; at += 97) {
        bytes bad = flipped(&zb, at, 0x40);
        r = drive(&dfi_codec_lz4, false, bad.p, bad.n, 1000, 4096);
        ck_assert(r.rc == DF_OK || r.rc == DF_EOF || r.rc == DF_E_CORRUPT ||
                  r.rc == DF_E_TRUNCATED);
        run_free(&r), bytes_free(&bad);
    }
    /* Concatenated frames. */
    bytes_cat(&all, &za), bytes_cat(&all, &zb);
    bytes_cat(&plain, &a), bytes_cat(&plain, &b);
    check_round_trip(&dfi_codec_lz4, true, &all, &plain, true);
    r = drive(&dfi_codec_lz4, false, all.p, all.n, 1, 1);
    ck_assert_int_eq(r.rc, DF_EOF);
    ck_assert_uint_eq(r.trailing, zb.n);
    ck_assert_uint_eq(r.out.n, a.n);
    run_free(&r);
    /* Bytes after the end are left exactly where they start. */
    bytes_add(&all, "JUNK", 4);
    for (int tiny = 0; tiny < 2; tiny++) {
        r = drive(&dfi_codec_lz4, true, all.p, all.n, tiny ? 1 : BIG, tiny ? 1 : 65536);
        ck_assert_int_eq(r.rc, DF_EOF);
        ck_assert_uint_eq(r.trailing, 4);
        ck_assert_uint_eq(r.out.n, plain.n);
        run_free(&r);
    }
    bytes_free(&a), bytes_free(&b), bytes_free(&za), bytes_free(&zb);
    bytes_free(&all), bytes_free(&plain);
}
END_TEST

#endif /* DF_HAVE_LZ4 */

#ifdef DF_HAVE_ZSTD

START_TEST(test_zstd_round_trip)
{
    bytes small = make_copy_text(3000), big = make_mixed(1200000), empty = {0};

    for (int streamed = 0; streamed < 2; streamed++) {
        bytes zs = zstd_compress(&small, streamed), zb = zstd_compress(&big, streamed);
        bytes ze = zstd_compress(&empty, streamed);
        check_round_trip(&dfi_codec_zstd, false, &zs, &small, true);
        check_round_trip(&dfi_codec_zstd, false, &zb, &big, false);
        check_round_trip(&dfi_codec_zstd, false, &ze, &empty, true);
        check_zero_room(&dfi_codec_zstd, &zs);
        bytes_free(&zs), bytes_free(&zb), bytes_free(&ze);
    }
    bytes_free(&small), bytes_free(&big);
}
END_TEST

START_TEST(test_zstd_truncated_and_empty)
{
    static const uint8_t empty_frame[9] = {0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x00, 0x01, 0x00, 0x00};
    bytes plain = make_copy_text(60), z = zstd_compress(&plain, true), ef = {0}, none = {0};
    run r;

    check_every_prefix(&dfi_codec_zstd, &z, &plain, true);
    bytes_add(&ef, empty_frame, sizeof empty_frame);
    check_round_trip(&dfi_codec_zstd, false, &ef, &none, true); /* pg_dump 16's empty file */
    check_every_prefix(&dfi_codec_zstd, &ef, &none, true);
    r = drive(&dfi_codec_zstd, false, NULL, 0, 1, 1); /* pg_dump 18's empty file */
    ck_assert_int_eq(r.rc, DF_OK);
    run_free(&r);
    r = drive(&dfi_codec_zstd, false, z.p, z.n - 1, BIG, 4096);
    ck_assert_int_eq(r.rc, DF_E_TRUNCATED);
    ck_assert_str_eq(r.msg, "zstd frame is incomplete");
    run_free(&r);
    bytes_free(&plain), bytes_free(&z), bytes_free(&ef);
}
END_TEST

START_TEST(test_zstd_damage_and_frames)
{
    /* Frame header asking for a 2 GiB window (exponent 21), then an empty last raw block. */
    static const uint8_t greedy[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa8, 0x01, 0x00, 0x00};
    bytes a = make_copy_text(300), b = make_mixed(300000);
    bytes za = zstd_compress(&a, true), zb = zstd_compress(&b, false), all = {0}, plain = {0};
    run r;

    r = drive(&dfi_codec_zstd, false, greedy, sizeof greedy, BIG, 4096);
    ck_assert_int_eq(r.rc, DF_E_UNSUPPORTED);
    ck_assert_str_eq(r.msg, "zstd frame needs a window larger than 128 MiB");
    run_free(&r);
    {
        bytes bad = flipped(&za, za.n - 2, 0x01);
        r = drive(&dfi_codec_zstd, false, bad.p, bad.n, BIG, 65536);
        ck_assert_int_eq(r.rc, DF_E_CORRUPT);
        ck_assert_str_eq(r.msg, "zstd content checksum mismatch");
        run_free(&r), bytes_free(&bad);
        bad = flipped(&za, 1, 0x01);
        r = drive(&dfi_codec_zstd, false, bad.p, bad.n, BIG, 65536);
        ck_assert_int_eq(r.rc, DF_E_CORRUPT);
        ck_assert_str_eq(r.msg, "not a zstd frame (unknown magic number)");
        run_free(&r), bytes_free(&bad);
    }
    /* Any damage: a verdict, never a crash or a hang. */
    for (size_t at = 0; at < zb.n; at += 101) {
        bytes bad = flipped(&zb, at, 0x08);
        r = drive(&dfi_codec_zstd, false, bad.p, bad.n, 999, 4096);
        ck_assert(r.rc == DF_OK || r.rc == DF_EOF || r.rc == DF_E_CORRUPT ||
                  r.rc == DF_E_TRUNCATED || r.rc == DF_E_UNSUPPORTED);
        run_free(&r), bytes_free(&bad);
    }
    bytes_cat(&all, &za), bytes_cat(&all, &zb);
    bytes_cat(&plain, &a), bytes_cat(&plain, &b);
    check_round_trip(&dfi_codec_zstd, true, &all, &plain, true);
    r = drive(&dfi_codec_zstd, false, all.p, all.n, 1, 1);
    ck_assert_int_eq(r.rc, DF_EOF);
    ck_assert_uint_eq(r.trailing, zb.n);
    ck_assert_uint_eq(r.out.n, a.n);
    run_free(&r);
    bytes_add(&all, "JUNK", 4);
    for (int tiny = 0; tiny < 2; tiny++) {
        r = drive(&dfi_codec_zstd, true, all.p, all.n, tiny ? 1 : BIG, tiny ? 1 : 65536);
        ck_assert_int_eq(r.rc, DF_EOF);
        ck_assert_uint_eq(r.trailing, 4);
        ck_assert_uint_eq(r.out.n, plain.n);
        run_free(&r);
    }
    bytes_free(&a), bytes_free(&b), bytes_free(&za), bytes_free(&zb);
    bytes_free(&all), bytes_free(&plain);
}
END_TEST

#endif /* DF_HAVE_ZSTD */

/* Codecs left out of this build keep their row and say so. */
START_TEST(test_not_built)
{
    static const struct {
        dfi_wrap wrap;
        bool built;
        const char *msg;
    } rows[] = {
#ifdef DF_HAVE_ZLIB
        {DFI_WRAP_GZIP, true, NULL},
#else
        {DFI_WRAP_GZIP, false, "not built with gzip support"},
#endif
#ifdef DF_HAVE_LZ4
        {DFI_WRAP_LZ4F, true, NULL},
#else
        {DFI_WRAP_LZ4F, false, "not built with lz4 support"},
#endif
#ifdef DF_HAVE_ZSTD
        {DFI_WRAP_ZSTD, true, NULL},
#else
        {DFI_WRAP_ZSTD, false, "not built with zstd support"},
#endif
    };

    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        dfi_dec d;
        int rc;

        memset(&d, 0, sizeof d);
        rc = dfi_dec_init(&d, rows[i].wrap);
        ck_assert_ptr_nonnull(dfi_codec_for(rows[i].wrap));
        if (rows[i].built) {
            ck_assert_int_eq(rc, DF_OK);
        } else {
            ck_assert_int_eq(rc, DF_E_UNSUPPORTED);
            ck_assert_str_eq(d.msg, rows[i].msg);
        }
        dfi_dec_end(&d);
    }
}
END_TEST

/* ---------------------------------------------------------------- corpus */

static bytes slurp(const char *rel)
{
    char path[512];
    bytes b = {0};
    size_t n;
    char *data = dft_read_file(dft_path(path, sizeof path, rel), &n);

    ck_assert_msg(data != NULL, "cannot read %s", path);
    b.p = (uint8_t *)data;
    b.n = n;
    b.cap = n + 1;
    return b;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/*
 * Decode every "*.dat<suffix>" file of a corpus directory: table data must
 * end with the COPY terminator, blob_<oid> files must equal corpus/lo/<oid>.
 * Returns how many files were checked.
 */
MAYBE_UNUSED static int check_corpus_dir(const dfi_codec *c, const char *dir, const char *suffix)
{
    char path[512], rel[512];
    struct dirent *de;
    DIR *dh = opendir(dft_path(path, sizeof path, dir));
    int files = 0;

    ck_assert_msg(dh != NULL, "cannot open %s", path);
    while ((de = readdir(dh)) != NULL) {
        char want[16];
        unsigned oid;

        snprintf(want, sizeof want, ".dat%s", suffix);
        if (!ends_with(de->d_name, want))
            continue;
        snprintf(rel, sizeof rel, "%s/%s", dir, de->d_name);
        bytes z = slurp(rel);
        for (int tiny = 0; tiny < 2; tiny++) {
            run r = drive(c, false, z.p, z.n, tiny ? 7 : BIG, tiny ? 3 : 65536);
            ck_assert_msg(r.rc == DF_OK, "%s: rc %d (%s)", rel, r.rc, r.msg);
            if (sscanf(de->d_name, "blob_%u.dat", &oid) == 1) {
                char lo[64];
                snprintf(lo, sizeof lo, "lo/%u", oid);
                bytes want_lo = slurp(lo);
                ck_assert_msg(r.out.n == want_lo.n &&
                                  (want_lo.n == 0 || memcmp(r.out.p, want_lo.p, want_lo.n) == 0),
                              "%s differs from %s", rel, lo);
                bytes_free(&want_lo);
            } else {
                ck_assert_msg(r.out.n >= 5 && memcmp(r.out.p + r.out.n - 5, "\\.\n\n\n", 5) == 0,
                              "%s does not end with the COPY terminator", rel);
            }
            run_free(&r);
        }
        bytes_free(&z);
        files++;
    }
    closedir(dh);
    return files;
}

/* The verdict for one corpus file. */
MAYBE_UNUSED static run corpus_verdict(const dfi_codec *c, const char *rel)
{
    bytes z = slurp(rel);
    run r = drive(c, false, z.p, z.n, 4096, 65536);

    bytes_free(&z);
    return r;
}

#ifdef DF_HAVE_ZLIB
START_TEST(test_corpus_gzip)
{
    const dfi_codec *c = gzip_codec(_i);
    run r;

    ck_assert_int_eq(check_corpus_dir(c, "pg18/sample.dir.gzip", ".gz"), 20);
    r = corpus_verdict(c, "damaged/pg18-sample.dir.gzip.crc-datgz/2890.dat.gz");
    ck_assert_int_eq(r.rc, DF_E_CORRUPT);
    ck_assert_str_eq(r.msg, "gzip trailer CRC-32 mismatch");
    ck_assert_uint_eq(r.out.n, 149113); /* MANIFEST: inflates to 149113 bytes, CRC differs */
    run_free(&r);
    r = corpus_verdict(c, "damaged/pg18-sample.dir.gzip.trunc-datgz/2890.dat.gz");
    ck_assert_int_eq(r.rc, DF_E_TRUNCATED);
    ck_assert_str_eq(r.msg, "gzip member is incomplete");
    ck_assert_uint_gt(r.out.n, 0); /* the part before the cut came out */
    run_free(&r);
}
END_TEST
#endif

#ifdef DF_HAVE_LZ4
START_TEST(test_corpus_lz4)
{
    ck_assert_int_eq(check_corpus_dir(&dfi_codec_lz4, "pg18/sample.dir.lz4", ".lz4"), 20);
}
END_TEST
#endif

#ifdef DF_HAVE_ZSTD
START_TEST(test_corpus_zstd)
{
    bytes nine = slurp("pg16/sample.dir.zstd/blob_910004.dat.zst");
    run r;

    ck_assert_int_eq(check_corpus_dir(&dfi_codec_zstd, "pg18/sample.dir.zstd", ".zst"), 20);
    ck_assert_int_eq(check_corpus_dir(&dfi_codec_zstd, "pg16/sample.dir.zstd", ".zst"), 20);
    ck_assert_uint_eq(nine.n, 9); /* the 9-byte empty frame of pg_dump 16 */
    bytes_free(&nine);
    r = corpus_verdict(&dfi_codec_zstd, "pg16/sample.dir.zstd/blob_910004.dat.zst");
    ck_assert_int_eq(r.rc, DF_OK);
    ck_assert_uint_eq(r.out.n, 0);
    run_free(&r);
    r = corpus_verdict(&dfi_codec_zstd, "damaged/pg16-sample.dir.zstd.trunc-datzst/2866.dat.zst");
    ck_assert_int_eq(r.rc, DF_E_TRUNCATED);
    ck_assert_str_eq(r.msg, "zstd frame is incomplete");
    run_free(&r);
}
END_TEST
#endif

/* ------------------------------------------------------------------ main */

/* One test case per test, so CK_RUN_CASE=<test name> runs just that one. */
static void add_case(Suite *s, const char *name, const TTest *test, int loops)
{
    TCase *tc = tcase_create(name);

    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test, 0, loops);
    suite_add_tcase(s, tc);
}

static Suite *codec_suite(void)
{
    Suite *s = suite_create("codec");
    int engines = 2; /* default codecs and zlib-only twins */

    (void)engines;

#define ADD(fn) add_case(s, #fn, fn, 1)
#define ADD_ENGINES(fn) add_case(s, #fn, fn, engines)
    ADD(test_table_and_sniff);
    ADD(test_dec_wrappers);
    ADD(test_none);
    ADD(test_not_built);
#ifdef DF_HAVE_ZLIB
    ADD_ENGINES(test_zlib_round_trip);
    ADD_ENGINES(test_zlib_truncated);
    ADD_ENGINES(test_zlib_flipped);
    ADD_ENGINES(test_zlib_bytes_after_end);
    ADD_ENGINES(test_gzip_round_trip);
    ADD_ENGINES(test_gzip_truncated);
    ADD_ENGINES(test_gzip_flipped);
    ADD_ENGINES(test_gzip_members);
    ADD(test_gzip_engines_agree);
    ADD_ENGINES(test_corpus_gzip);
#endif
#ifdef DF_HAVE_LZ4
    ADD(test_lz4_round_trip);
    ADD(test_lz4_truncated_and_empty);
    ADD(test_lz4_damage_and_frames);
    ADD(test_corpus_lz4);
#endif
#ifdef DF_HAVE_ZSTD
    ADD(test_zstd_round_trip);
    ADD(test_zstd_truncated_and_empty);
    ADD(test_zstd_damage_and_frames);
    ADD(test_corpus_zstd);
#endif
#undef ADD
#undef ADD_ENGINES
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(codec_suite());
    int failed;

#ifdef DF_HAVE_ZLIB
    printf("check_codec: gzip engine %s (plus the zlib reference)\n",
           dfi_gzip_uses_isal() ? "isa-l" : "zlib");
#endif
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
