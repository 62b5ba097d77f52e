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
    dfi_frames fr; /* first: the shared frame bookkeeping */
    ZSTD_DCtx *dctx;
} zstd_state;

static int zstd_error(dfi_dec *d, size_t r)
{
    switch (ZSTD_getErrorCode(r)) {
    case ZSTD_error_frameParameter_windowTooLarge:
        snprintf(d->msg, sizeof d->msg, "zstd frame needs a window larger than %d MiB",
                 1 << (ZSTD_WINDOW_LOG_MAX - 20));
        return DF_E_UNSUPPORTED;
    case ZSTD_error_memory_allocation:
        snprintf(d->msg, sizeof d->msg, "out of memory");
        return DF_E_NOMEM;
    case ZSTD_error_prefix_unknown:
        snprintf(d->msg, sizeof d->msg, "not a zstd frame (unknown magic number)");
        return DF_E_CORRUPT;
    case ZSTD_error_checksum_wrong:
        snprintf(d->msg, sizeof d->msg, "zstd content checksum mismatch");
        return DF_E_CORRUPT;
    default:
        snprintf(d->msg, sizeof d->msg, "could not decompress data: %s", ZSTD_getErrorName(r));
        return DF_E_CORRUPT;
    }
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
static bool zstd_frame_start(uint8_t b)
{
    return b == 0x28 || (b & 0xf0) == 0x50;
}

static int zstd_call(dfi_dec *d, const uint8_t *in, size_t *in_used, uint8_t *out, size_t *out_made,
                     bool *frame_done)
{
    zstd_state *s = d->state;
    ZSTD_inBuffer ib = {.src = in, .size = *in_used, .pos = 0};
    ZSTD_outBuffer ob = {.dst = out, .size = *out_made, .pos = 0};
    size_t r = ZSTD_decompressStream(s->dctx, &ob, &ib);

    if (ZSTD_isError(r))
        return zstd_error(d, r);
    *in_used = ib.pos;
    *out_made = ob.pos;
    *frame_done = r == 0; /* frame complete and fully flushed */
    return DF_OK;
}

static int zstd_step(dfi_dec *d, const uint8_t **in, size_t *in_len, uint8_t **out, size_t *out_len)
{
    return dfi_frames_step(d, d->state, zstd_frame_start, zstd_call, in, in_len, out, out_len);
}

static int zstd_finish(dfi_dec *d)
{
    return dfi_frames_finish(d, d->state, "zstd frame is incomplete");
}

#else /* !DF_HAVE_ZSTD: keep the row, refuse to start */

static int zstd_init(dfi_dec *d)
{
    snprintf(d->msg, sizeof d->msg, "not built with zstd support");
    return DF_E_UNSUPPORTED;
}

static int zstd_step(dfi_dec *d, const uint8_t **in, size_t *in_len, uint8_t **out, size_t *out_len)
{
    (void)in, (void)in_len, (void)out, (void)out_len;
    return zstd_init(d);
}

static int zstd_finish(dfi_dec *d)
{
    return zstd_init(d);
}
static void zstd_end(dfi_dec *d)
{
    d->state = NULL;
}

#endif /* DF_HAVE_ZSTD */

/*
 * The frames' framing, walked without decoding (RFC 8878): magic, frame
 * header (descriptor, window, dictionary id, content size), block headers to
 * the last block, then the optional checksum.  Skippable frames are stepped
 * over.  Needs no zstd library.
 */
static int zstd_blocks(dfi_buf *b, df_error *err)
{
    const uint8_t *p;
    int rc;

    for (;;) {
        uint32_t h;

        if ((rc = dfi_skim_take(b, err, 3, &p)) != DF_OK)
            return rc;
        h = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
        if (((h >> 1) & 3) == 3)
            return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 3, "reserved zstd block type");
        if ((rc = dfi_buf_skip(b, ((h >> 1) & 3) == 1 ? 1 : h >> 3, err)) != DF_OK)
            return rc;
        if (h & 1)
            return DF_OK;
    }
}

static int zstd_skim(dfi_buf *b, df_error *err)
{
    static const int did_size[4] = {0, 1, 2, 4}, fcs_size[4] = {0, 2, 4, 8};
    const uint8_t *p;
    int rc;

    while ((rc = dfi_buf_fill(b, err)) == DF_OK) {
        int fhd, single, skip;

        if ((rc = dfi_skim_take(b, err, 4, &p)) != DF_OK)
            return rc;
        if ((dfi_le32(p) & 0xfffffff0u) == 0x184d2a50u) { /* skippable frame */
            if ((rc = dfi_skim_take(b, err, 4, &p)) != DF_OK ||
                (rc = dfi_buf_skip(b, dfi_le32(p), err)))
                return rc;
            continue;
        }
        if (dfi_le32(p) != 0xfd2fb528u)
            return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 4, "not a zstd frame");
        if ((rc = dfi_skim_take(b, err, 1, &p)) != DF_OK)
            return rc;
        fhd = p[0];
        single = (fhd >> 5) & 1;
        if (fhd & 0x08)
            return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 1,
                            "reserved bit set in a zstd frame header");
        skip =
            (single ? 0 : 1) + did_size[fhd & 3] + ((fhd >> 6) == 0 ? single : fcs_size[fhd >> 6]);
        if ((rc = dfi_buf_skip(b, skip, err)) != DF_OK)
            return rc;
        if ((rc = zstd_blocks(b, err)) != DF_OK)
            return rc;
        if ((fhd & 0x04) && (rc = dfi_buf_skip(b, 4, err)) != DF_OK)
            return rc;
    }
    return rc == DF_EOF ? DF_OK : rc;
}

const dfi_codec dfi_codec_zstd = {
    .name = "zstd",
    .wrap = DFI_WRAP_ZSTD,
    .init = zstd_init,
    .step = zstd_step,
    .finish = zstd_finish,
    .end = zstd_end,
    .skim = zstd_skim,
};
