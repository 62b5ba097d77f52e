/*
 * codec_zstd.c — zstd frame decoding (spec §8): directory-format .zst files
 * and custom-format zstd streams, pg_dump 16+.  pg_dump sets no content
 * checksum, so a completed frame (ZSTD_decompressStream returning 0) is the
 * only sign that nothing was cut off.  A 0-byte input is valid empty data
 * (pg_dump 18 leaves empty .zst files empty) and so is the 9-byte empty
 * frame pg_dump 16 writes (spec §6.3).
 * Memory: the window a frame may demand is capped with ZSTD_d_windowLogMax
 * = 27 (128 MiB, what `pg_dump -Z zstd:long` uses); a hostile frame asking
 * for more is refused (DF_E_UNSUPPORTED) before anything is allocated.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#ifdef DF_HAVE_ZSTD
#include <stdlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#define ZSTD_WINDOW_LOG_MAX 27

typedef struct zstd_state {
    ZSTD_DCtx *dctx;
    bool got_input;   /* at least one byte was ever consumed */
    bool frame_end;   /* a frame ended; nothing of a next one consumed yet */
    bool done;        /* final end: single frame */
    bool out_pending; /* the last call filled the output: libzstd may hold more */
    int failed;       /* sticky error code, DF_OK while none */
} zstd_state;

static int zstd_error(dfi_dec *d, zstd_state *s, size_t r)
{
    int code = DF_E_CORRUPT;

    switch (ZSTD_getErrorCode(r)) {
    case ZSTD_error_frameParameter_windowTooLarge:
        code = DF_E_UNSUPPORTED;
        snprintf(d->msg, sizeof d->msg, "zstd frame needs a window larger than %d MiB",
                 1 << (ZSTD_WINDOW_LOG_MAX - 20));
        break;
    case ZSTD_error_memory_allocation:
        code = DF_E_NOMEM;
        snprintf(d->msg, sizeof d->msg, "out of memory");
        break;
    case ZSTD_error_prefix_unknown:
        snprintf(d->msg, sizeof d->msg, "not a zstd frame (unknown magic number)");
        break;
    case ZSTD_error_checksum_wrong:
        snprintf(d->msg, sizeof d->msg, "zstd content checksum mismatch");
        break;
    default:
        snprintf(d->msg, sizeof d->msg, "could not decompress data: %s", ZSTD_getErrorName(r));
        break;
    }
    s->failed = code;
    return code;
}

static void zstd_end(dfi_dec *d)
{
    zstd_state *s = d->state;

    if (s == NULL)
        return;
    ZSTD_freeDCtx(s->dctx); /* NULL is fine */
    free(s);
    d->state = NULL;
}

static int zstd_init(dfi_dec *d)
{
    zstd_state *s = calloc(1, sizeof *s);
    size_t r;

    d->state = s;
    if (s == NULL || (s->dctx = ZSTD_createDCtx()) == NULL) {
        zstd_end(d);
        snprintf(d->msg, sizeof d->msg, "out of memory");
        return DF_E_NOMEM;
    }
    r = ZSTD_DCtx_setParameter(s->dctx, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG_MAX);
    if (ZSTD_isError(r)) {
        snprintf(d->msg, sizeof d->msg, "could not set up zstd: %s", ZSTD_getErrorName(r));
        zstd_end(d);
        return DF_E_UNSUPPORTED;
    }
    return DF_OK;
}

/* Can this byte start a following frame (zstd magic 28 b5 2f fd, or skippable 5x 2a 4d 18)? */
static bool zstd_frame_start(uint8_t b) { return b == 0x28 || (b & 0xf0) == 0x50; }

static int zstd_step(dfi_dec *d, const uint8_t **in, size_t *in_len, uint8_t **out,
                     size_t *out_len)
{
    zstd_state *s = d->state;

    for (;;) {
        ZSTD_inBuffer ib;
        ZSTD_outBuffer ob;
        size_t r;

        if (s->failed != DF_OK)
            return s->failed;
        if (s->done)
            return DF_EOF;
        if (s->frame_end) {
            if (*in_len == 0 || !zstd_frame_start((*in)[0]))
                return DF_EOF;
            s->frame_end = false; /* libzstd starts a new frame after returning 0 */
        }
        /*
         * Never call libzstd when it cannot progress: it fails a stream
         * after a number of calls that move nothing (noForwardProgress).
         */
        if (*out_len == 0 || (*in_len == 0 && !s->out_pending))
            return DF_OK;
        ib = (ZSTD_inBuffer){.src = *in, .size = *in_len, .pos = 0};
        ob = (ZSTD_outBuffer){.dst = *out, .size = *out_len, .pos = 0};
        r = ZSTD_decompressStream(s->dctx, &ob, &ib);
        if (ZSTD_isError(r))
            return zstd_error(d, s, r);
        s->out_pending = ob.pos == ob.size;
        if (ib.pos > 0) {
            s->got_input = true;
            *in += ib.pos;
            *in_len -= ib.pos;
        }
        if (ob.pos > 0) {
            *out += ob.pos;
            *out_len -= ob.pos;
        }
        if (r != 0)
            return DF_OK;
        /* Frame complete and fully flushed. */
        s->out_pending = false;
        if (!d->multi_member) {
            s->done = true;
            return DF_EOF;
        }
        s->frame_end = true;
        if (*in_len == 0)
            return DF_OK; /* DF_EOF is for a call that offers no more input */
    }
}

static int zstd_finish(dfi_dec *d)
{
    zstd_state *s = d->state;

    if (s->failed != DF_OK)
        return s->failed;
    if (!s->got_input || s->done || s->frame_end)
        return DF_OK;
    snprintf(d->msg, sizeof d->msg, "zstd frame is incomplete");
    return DF_E_TRUNCATED;
}

#else /* !DF_HAVE_ZSTD: keep the row, refuse to start */

static int zstd_init(dfi_dec *d)
{
    snprintf(d->msg, sizeof d->msg, "not built with zstd support");
    return DF_E_UNSUPPORTED;
}

static int zstd_step(dfi_dec *d, const uint8_t **in, size_t *in_len, uint8_t **out,
                     size_t *out_len)
{
    (void)in, (void)in_len, (void)out, (void)out_len;
    return zstd_init(d);
}

static int zstd_finish(dfi_dec *d) { return zstd_init(d); }
static void zstd_end(dfi_dec *d) { d->state = NULL; }

#endif /* DF_HAVE_ZSTD */

const dfi_codec dfi_codec_zstd = {
    .name = "zstd",
    .wrap = DFI_WRAP_ZSTD,
    .init = zstd_init,
    .step = zstd_step,
    .finish = zstd_finish,
    .end = zstd_end,
};
