/*
 * codec_gzip.c — deflate decoding in the two wrappings pg_dump writes:
 *   DFI_WRAP_ZLIB  RFC 1950, one stream per custom-format entry or LO
 *                  (spec §5.2); its Adler-32 is checked at the stream end;
 *   DFI_WRAP_GZIP  RFC 1952 member(s): directory-format .gz files and
 *                  compressed plain scripts (spec §6.3); CRC-32 and ISIZE
 *                  are checked at each member end.
 * A stream is only complete once its trailer has been read and matched, so
 * a cut anywhere (even inside the trailer) is DF_E_TRUNCATED at finish().
 *
 * Two inflate engines: ISA-L's igzip when built with DF_HAVE_ISAL (several
 * times faster on x86-64), zlib otherwise.  Both give the same verdicts and
 * the same messages for header and trailer problems; the *_ref codecs
 * (codec_gzip.h) always use zlib so tests can run both in one build.
 * Memory is fixed: zlib ~40 KiB, ISA-L ~85 KiB per stream, whatever the data.
 */
#include "internal.h"
#include "codec_gzip.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef DF_HAVE_ZLIB
#define ZLIB_CONST
#include <zlib.h>
#if defined(DF_HAVE_ISAL)
#define GZ_ISAL 1
#include <isa-l/igzip_lib.h>
#endif
#endif

#ifdef DF_HAVE_ZLIB

#define GZ_MAGIC1 0x1f
#define GZ_MAGIC2 0x8b

typedef struct gz_state {
    bool gzip;       /* RFC 1952 members, else one RFC 1950 stream */
    bool use_isal;   /* inflate with ISA-L, else zlib */
    bool zs_live;    /* zs was set up by inflateInit2 */
    bool member_end; /* the current member ended and its trailer matched */
    bool done;       /* final end: nothing may follow (single stream) */
    bool any_input;  /* the current member consumed at least one byte */
    int failed;      /* sticky error code, DF_OK while none */
    z_stream zs;
#ifdef GZ_ISAL
    struct inflate_state *is;
    struct isal_gzip_header gzh; /* gzip header parse state, kept across calls */
    bool gzh_done;               /* the gzip header has been read */
    uint8_t head[4]; /* first bytes of the member, checked the way zlib checks them */
    size_t head_n;
    uint8_t tail[8]; /* the last 8 bytes consumed: the gzip trailer at a member end */
#endif
} gz_state;

static int gz_fail(dfi_dec *d, gz_state *g, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int gz_fail(dfi_dec *d, gz_state *g, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    g->failed = code;
    return code;
}

static void take_in(const uint8_t **p, size_t *n, size_t k)
{
    if (k > 0) {
        *p += k;
        *n -= k;
    }
}

static void take_out(uint8_t **p, size_t *n, size_t k)
{
    if (k > 0) {
        *p += k;
        *n -= k;
    }
}

/*
 * Bad data reported by zlib (its msg) or by the header check below, phrased
 * the same way for both engines.  Trailer mismatches get their own words
 * because they are the integrity checks a user asks about.
 */
static int gz_bad_data(dfi_dec *d, gz_state *g, const char *why)
{
    if (why == NULL)
        why = "invalid data";
    if (g->gzip && strcmp(why, "incorrect data check") == 0)
        return gz_fail(d, g, DF_E_CORRUPT, "gzip trailer CRC-32 mismatch");
    if (g->gzip && strcmp(why, "incorrect length check") == 0)
        return gz_fail(d, g, DF_E_CORRUPT, "gzip trailer ISIZE mismatch");
    if (g->gzip && strcmp(why, "header crc mismatch") == 0)
        return gz_fail(d, g, DF_E_CORRUPT, "gzip header CRC-16 mismatch");
    return gz_fail(d, g, DF_E_CORRUPT, "could not uncompress data: %s", why);
}

/* ------------------------------------------------------------ zlib engine */

static int zl_start(dfi_dec *d, gz_state *g)
{
    int zr;

    memset(&g->zs, 0, sizeof g->zs);
    /* 15: any window up to 32 KiB; +16: gzip wrapper only (no auto-detect). */
    zr = inflateInit2(&g->zs, g->gzip ? 16 + 15 : 15);
    if (zr == Z_MEM_ERROR)
        return gz_fail(d, g, DF_E_NOMEM, "out of memory");
    if (zr != Z_OK)
        return gz_fail(d, g, DF_E_CORRUPT, "could not initialize zlib: %s",
                       g->zs.msg ? g->zs.msg : "unknown error");
    g->zs_live = true;
    return DF_OK;
}

static int zl_run(dfi_dec *d, gz_state *g, const uint8_t **in, size_t *in_len, uint8_t **out,
                  size_t *out_len, bool *ended)
{
    uInt in_room = *in_len > UINT_MAX ? UINT_MAX : (uInt)*in_len;
    uInt out_room = *out_len > UINT_MAX ? UINT_MAX : (uInt)*out_len;
    int zr;

    g->zs.next_in = *in;
    g->zs.avail_in = in_room;
    g->zs.next_out = *out;
    g->zs.avail_out = out_room;
    zr = inflate(&g->zs, Z_NO_FLUSH);
    if (in_room != g->zs.avail_in)
        g->any_input = true;
    take_in(in, in_len, in_room - g->zs.avail_in);
    take_out(out, out_len, out_room - g->zs.avail_out);
    switch (zr) {
    case Z_STREAM_END: /* trailer read and matched (Adler-32, or CRC-32 + ISIZE) */
        *ended = true;
        return DF_OK;
    case Z_OK:
    case Z_BUF_ERROR: /* no progress possible: needs input */
        return DF_OK;
    case Z_MEM_ERROR:
        return gz_fail(d, g, DF_E_NOMEM, "out of memory");
    case Z_NEED_DICT:
        return gz_fail(d, g, DF_E_CORRUPT, "zlib stream requires a preset dictionary");
    default:
        return gz_bad_data(d, g, g->zs.msg);
    }
}

/* ----------------------------------------------------------- ISA-L engine */
#ifdef GZ_ISAL

static int is_start(dfi_dec *d, gz_state *g)
{
    if (g->is == NULL) {
        g->is = malloc(sizeof *g->is);
        if (g->is == NULL)
            return gz_fail(d, g, DF_E_NOMEM, "out of memory");
    }
    isal_inflate_init(g->is);
    /*
     * zlib: ISAL_ZLIB parses the 2-byte header and verifies the Adler-32.
     * gzip: isal_inflate()'s own header parsing (ISAL_GZIP) loses its place
     * when FEXTRA/FNAME/FCOMMENT/FHCRC arrive split across calls (ISA-L
     * 2.30: it re-initialises the header state on every call), so the
     * header is read here with isal_read_gzip_header() and a header state
     * that persists, and the body with ISAL_GZIP_NO_HDR_VER, which still
     * verifies CRC-32 and ISIZE.  Name, comment and extra are skipped, not
     * stored (NULL buffers), so a huge header costs no memory.
     */
    g->is->crc_flag = g->gzip ? ISAL_GZIP_NO_HDR_VER : ISAL_ZLIB;
    isal_gzip_header_init(&g->gzh);
    g->gzh_done = !g->gzip;
    g->head_n = 0;
    return DF_OK;
}

/*
 * zlib rejects some headers ISA-L would accept (a zlib window over 32 KiB,
 * reserved gzip flags) and checks others earlier; check the first bytes of
 * each member here, as they arrive, so both engines agree.
 */
static const char *head_problem(const gz_state *g, const uint8_t *h, size_t n)
{
    if (g->gzip) {
        if (n >= 2 && (h[0] != GZ_MAGIC1 || h[1] != GZ_MAGIC2))
            return "incorrect header check";
        if (n >= 4 && h[2] != 8)
            return "unknown compression method";
        if (n >= 4 && (h[3] & 0xe0) != 0)
            return "unknown header flags set";
        return NULL;
    }
    if (n < 2)
        return NULL;
    if (((unsigned)h[0] * 256 + h[1]) % 31 != 0)
        return "incorrect header check";
    if ((h[0] & 0x0f) != 8)
        return "unknown compression method";
    if ((h[0] >> 4) + 8 > 15)
        return "invalid window size";
    return NULL;
}

static int is_check_head(dfi_dec *d, gz_state *g, const uint8_t *in, size_t n)
{
    uint8_t h[4];
    size_t have = g->head_n;
    const char *why;

    if (have >= sizeof h)
        return DF_OK;
    memcpy(h, g->head, have);
    while (have < sizeof h && n > 0) {
        h[have++] = *in++;
        n--;
    }
    why = head_problem(g, h, have);
    return why != NULL ? gz_bad_data(d, g, why) : DF_OK;
}

/* Remember the member's first bytes and the last 8 bytes consumed. */
static void is_note_consumed(gz_state *g, const uint8_t *p, size_t used)
{
    size_t k;

    for (k = 0; k < used && g->head_n < sizeof g->head; k++)
        g->head[g->head_n++] = p[k];
    if (used >= sizeof g->tail) {
        memcpy(g->tail, p + used - sizeof g->tail, sizeof g->tail);
    } else if (used > 0) {
        memmove(g->tail, g->tail + used, sizeof g->tail - used);
        memcpy(g->tail + sizeof g->tail - used, p, used);
    }
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int is_bad(dfi_dec *d, gz_state *g, int ir)
{
    const struct inflate_state *s = g->is;

    switch (ir) {
    case ISAL_INCORRECT_CHECKSUM:
        if (s->block_state != ISAL_BLOCK_FINISH) /* header check value */
            return gz_bad_data(d, g, g->gzip ? "header crc mismatch" : "incorrect header check");
        if (!g->gzip)
            return gz_bad_data(d, g, "incorrect data check");
        /* ISA-L stops exactly after the gzip trailer, so it is in tail[]. */
        if (le32(g->tail) != s->crc)
            return gz_bad_data(d, g, "incorrect data check");
        return gz_bad_data(d, g, "incorrect length check");
    case ISAL_INVALID_WRAPPER:
        return gz_bad_data(d, g, "incorrect header check");
    case ISAL_UNSUPPORTED_METHOD:
        return gz_bad_data(d, g, "unknown compression method");
    case ISAL_NEED_DICT:
        return gz_fail(d, g, DF_E_CORRUPT, "zlib stream requires a preset dictionary");
    case ISAL_INVALID_BLOCK:
        return gz_bad_data(d, g, "invalid block");
    case ISAL_INVALID_SYMBOL:
        return gz_bad_data(d, g, "invalid code");
    case ISAL_INVALID_LOOKBACK:
        return gz_bad_data(d, g, "invalid distance too far back");
    default:
        return gz_fail(d, g, DF_E_CORRUPT, "could not uncompress data: isa-l error %d", ir);
    }
}

/* Feed `s` the input and account for what it took. */
static size_t is_feed_done(gz_state *g, const uint8_t **in, size_t *in_len, uint32_t in_room)
{
    size_t used = in_room - g->is->avail_in;

    if (used > 0) {
        g->any_input = true;
        is_note_consumed(g, *in, used);
        take_in(in, in_len, used);
    }
    return used;
}

/* Read the gzip member header; DF_OK with gzh_done set, or DF_OK needing more input. */
static int is_read_gzip_header(dfi_dec *d, gz_state *g, const uint8_t **in, size_t *in_len)
{
    struct inflate_state *s = g->is;
    uint32_t in_room = *in_len > UINT32_MAX ? UINT32_MAX : (uint32_t)*in_len;
    int ir;

    s->next_in = (uint8_t *)(uintptr_t)*in; /* ISA-L never writes its input */
    s->avail_in = in_room;
    ir = isal_read_gzip_header(s, &g->gzh);
    is_feed_done(g, in, in_len, in_room);
    if (ir == ISAL_DECOMP_OK)
        g->gzh_done = true;
    else if (ir != ISAL_END_INPUT)
        return is_bad(d, g, ir);
    return DF_OK;
}

/*
 * zlib only: once the last deflate block has ended, ISA-L's bit buffer holds
 * the padding, the 4-byte Adler-32 and possibly bytes past the stream (it
 * loads 8 bytes at a time).  Give those back now, while they still belong
 * to the caller's current input, so *in ends just after the stream as with
 * zlib.  (A gzip trailer is 8 bytes, so nothing past it can be buffered.)
 */
static void is_unread_past_trailer(gz_state *g, const uint8_t **in, size_t *in_len, size_t used)
{
    struct inflate_state *s = g->is;
    size_t whole = s->read_in_length > 0 ? (size_t)s->read_in_length / 8 : 0, extra;

    if (g->gzip || s->block_state != ISAL_BLOCK_INPUT_DONE || whole <= 4)
        return;
    extra = whole - 4;
    if (extra > used)
        return; /* loaded by an earlier call: reported once the trailer is checked */
    s->read_in_length -= (int32_t)(8 * extra);
    s->read_in &= ((uint64_t)1 << s->read_in_length) - 1; /* new bytes are OR-ed in above */
    *in -= extra;
    *in_len += extra;
}

static int is_run(dfi_dec *d, gz_state *g, const uint8_t **in, size_t *in_len, uint8_t **out,
                  size_t *out_len, bool *ended)
{
    struct inflate_state *s = g->is;
    uint32_t in_room, out_room;
    size_t used, extra;
    int rc, ir;

    if ((rc = is_check_head(d, g, *in, *in_len)) != DF_OK)
        return rc;
    if (!g->gzh_done && ((rc = is_read_gzip_header(d, g, in, in_len)) != DF_OK || !g->gzh_done))
        return rc;
    in_room = *in_len > UINT32_MAX ? UINT32_MAX : (uint32_t)*in_len;
    out_room = *out_len > UINT32_MAX ? UINT32_MAX : (uint32_t)*out_len;
    s->next_in = (uint8_t *)(uintptr_t)*in; /* ISA-L never writes its input */
    s->avail_in = in_room;
    s->next_out = *out;
    s->avail_out = out_room;
    ir = isal_inflate(s);
    used = is_feed_done(g, in, in_len, in_room);
    take_out(out, out_len, out_room - s->avail_out);
    if (ir < 0 || ir == ISAL_NEED_DICT)
        return is_bad(d, g, ir);
    is_unread_past_trailer(g, in, in_len, used);
    if (s->block_state != ISAL_BLOCK_FINISH)
        return DF_OK;
    /*
     * Bytes past the zlib trailer still in the bit buffer (the trailer was
     * checked in the call that read it): hand them back.  If an earlier
     * call took them they are gone from the caller's input; only bytes
     * after the end can be there, so say so rather than hide them.
     */
    extra = (size_t)(s->read_in_length > 0 ? s->read_in_length / 8 : 0);
    if (extra > 0) {
        if (extra > used)
            return gz_fail(d, g, DF_E_CORRUPT, "unexpected data after the end of the %s stream",
                           g->gzip ? "gzip" : "zlib");
        *in -= extra;
        *in_len += extra;
        s->read_in = 0;
        s->read_in_length = 0;
    }
    *ended = true;
    return DF_OK;
}

#endif /* GZ_ISAL */

/* --------------------------------------------------------- codec surface */

static int engine_start(dfi_dec *d, gz_state *g)
{
#ifdef GZ_ISAL
    if (g->use_isal)
        return is_start(d, g);
#endif
    if (g->zs_live) {
        if (inflateReset(&g->zs) != Z_OK)
            return gz_fail(d, g, DF_E_CORRUPT, "could not reset zlib");
        return DF_OK;
    }
    return zl_start(d, g);
}

static void gz_end(dfi_dec *d);

static int gz_init(dfi_dec *d, bool gzip, bool use_isal)
{
    gz_state *g = calloc(1, sizeof *g);
    int rc;

    if (g == NULL) {
        snprintf(d->msg, sizeof d->msg, "out of memory");
        return DF_E_NOMEM;
    }
    g->gzip = gzip;
    g->use_isal = use_isal;
    d->state = g;
    rc = engine_start(d, g);
    if (rc != DF_OK)
        gz_end(d);
    return rc;
}

/* A member ended; does the input go on with another one? */
static int next_member(dfi_dec *d, gz_state *g, const uint8_t *in, size_t in_len)
{
    /*
     * Decide on the first magic byte alone so the verdict does not depend
     * on where the input pieces are cut: "1f" then anything but "8b" is a
     * damaged member (incorrect header check), not trailing data.
     */
    if (in_len == 0 || in[0] != GZ_MAGIC1)
        return DF_EOF;
    g->member_end = false;
    g->any_input = false;
    return engine_start(d, g);
}

static int gz_step(dfi_dec *d, const uint8_t **in, size_t *in_len, uint8_t **out,
                   size_t *out_len)
{
    gz_state *g = d->state;

    for (;;) {
        bool ended = false;
        int rc;

        if (g->failed != DF_OK)
            return g->failed;
        if (g->done)
            return DF_EOF;
        if (g->member_end && (rc = next_member(d, g, *in, *in_len)) != DF_OK)
            return rc;
        if (*out_len == 0)
            return DF_OK;
#ifdef GZ_ISAL
        if (g->use_isal)
            rc = is_run(d, g, in, in_len, out, out_len, &ended);
        else
#endif
            rc = zl_run(d, g, in, in_len, out, out_len, &ended);
        if (rc != DF_OK || !ended)
            return rc;
        if (!g->gzip || !d->multi_member) {
            g->done = true;
            return DF_EOF;
        }
        /* Multi-member: the end was progress; DF_EOF is for a call with no more input. */
        g->member_end = true;
        if (*in_len == 0)
            return DF_OK;
    }
}

static int gz_finish(dfi_dec *d)
{
    gz_state *g = d->state;

    if (g->failed != DF_OK)
        return g->failed;
    if (g->done || g->member_end)
        return DF_OK;
    snprintf(d->msg, sizeof d->msg, "%s is incomplete%s",
             g->gzip ? "gzip member" : "zlib stream", g->any_input ? "" : " (no data)");
    return DF_E_TRUNCATED;
}

static void gz_end(dfi_dec *d)
{
    gz_state *g = d->state;

    if (g == NULL)
        return;
    if (g->zs_live)
        inflateEnd(&g->zs);
#ifdef GZ_ISAL
    free(g->is);
#endif
    free(g);
    d->state = NULL;
}

#ifdef GZ_ISAL
#define GZ_FAST true
#else
#define GZ_FAST false
#endif

static int init_zlib(dfi_dec *d) { return gz_init(d, false, GZ_FAST); }
static int init_file(dfi_dec *d) { return gz_init(d, true, GZ_FAST); }
static int init_zlib_ref(dfi_dec *d) { return gz_init(d, false, false); }
static int init_file_ref(dfi_dec *d) { return gz_init(d, true, false); }

bool dfi_gzip_uses_isal(void) { return GZ_FAST; }

#else /* !DF_HAVE_ZLIB: keep the rows, refuse to start */

static int gz_unsupported(dfi_dec *d)
{
    snprintf(d->msg, sizeof d->msg, "not built with gzip support");
    return DF_E_UNSUPPORTED;
}

static int gz_step(dfi_dec *d, const uint8_t **in, size_t *in_len, uint8_t **out,
                   size_t *out_len)
{
    (void)in, (void)in_len, (void)out, (void)out_len;
    return gz_unsupported(d);
}

static int gz_finish(dfi_dec *d) { return gz_unsupported(d); }
static void gz_end(dfi_dec *d) { d->state = NULL; }
#define init_zlib gz_unsupported
#define init_file gz_unsupported
#define init_zlib_ref gz_unsupported
#define init_file_ref gz_unsupported

bool dfi_gzip_uses_isal(void) { return false; }

#endif /* DF_HAVE_ZLIB */

/*
 * --quick over a .gz file: its first member's magic and method (deflate).
 * The deflate stream itself has no framing to walk without inflating it.
 */
static int gzip_skim(dfi_buf *b, df_error *err)
{
    const uint8_t *p;
    int rc = dfi_skim_take(b, err, 3, &p);

    if (rc == DF_OK && (p[0] != 0x1f || p[1] != 0x8b || p[2] != 8))
        rc = dfi_fail(err, DF_E_CORRUPT, 0, "not a gzip file");
    return rc;
}

const dfi_codec dfi_codec_gzip_zlib = {
    .name = "gzip",
    .wrap = DFI_WRAP_ZLIB,
    .init = init_zlib,
    .step = gz_step,
    .finish = gz_finish,
    .end = gz_end,
};

const dfi_codec dfi_codec_gzip_file = {
    .name = "gzip",
    .wrap = DFI_WRAP_GZIP,
    .init = init_file,
    .step = gz_step,
    .finish = gz_finish,
    .end = gz_end,
    .skim = gzip_skim,
};

const dfi_codec dfi_codec_gzip_zlib_ref = {
    .name = "gzip",
    .wrap = DFI_WRAP_ZLIB,
    .init = init_zlib_ref,
    .step = gz_step,
    .finish = gz_finish,
    .end = gz_end,
};

const dfi_codec dfi_codec_gzip_file_ref = {
    .name = "gzip",
    .wrap = DFI_WRAP_GZIP,
    .init = init_file_ref,
    .step = gz_step,
    .finish = gz_finish,
    .end = gz_end,
    .skim = gzip_skim,
};
