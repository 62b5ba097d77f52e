/*
 * codec_lz4.c — LZ4 frame decoding (spec §8): directory-format .lz4 files
 * and custom-format lz4 streams, pg_dump 16+.  pg_dump writes no block or
 * content checksum, so the end mark is the only sign that nothing was cut
 * off: a frame is complete when LZ4F_decompress returns 0 (end mark read and,
 * if the frame has one, the content checksum matched).  A 0-byte input is
 * valid empty data: pg_dump leaves an empty .lz4 file empty (spec §6.3).
 * Memory: liblz4 sizes its buffers from the frame's block size, which the
 * format caps at 4 MiB (+64 KiB of history), whatever the header claims.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#ifdef DF_HAVE_LZ4
#include <lz4frame.h>
#include <stdlib.h>

typedef struct lz4_state {
    dfi_frames fr; /* first: the shared frame bookkeeping */
    LZ4F_dctx *dctx;
} lz4_state;

/* Turn a liblz4 error into a code and a sentence. */
static int lz4_error(dfi_dec *d, size_t r)
{
    static const struct {
        const char *name, *say;
    } known[] = {
        {"ERROR_frameType_unknown", "not an lz4 frame (unknown magic number)"},
        {"ERROR_headerChecksum_invalid", "lz4 frame header checksum mismatch"},
        {"ERROR_blockChecksum_invalid", "lz4 block checksum mismatch"},
        {"ERROR_contentChecksum_invalid", "lz4 content checksum mismatch"},
        {"ERROR_decompressionFailed", "could not decompress data: corrupt lz4 block"},
    };
    const char *name = LZ4F_getErrorName(r);

    if (strcmp(name, "ERROR_allocation_failed") == 0) {
        snprintf(d->msg, sizeof d->msg, "out of memory");
        return DF_E_NOMEM;
    }
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(name, known[i].name) == 0) {
            snprintf(d->msg, sizeof d->msg, "%s", known[i].say);
            return DF_E_CORRUPT;
        }
    snprintf(d->msg, sizeof d->msg, "could not decompress lz4 data: %s",
             strncmp(name, "ERROR_", 6) == 0 ? name + 6 : name);
    return DF_E_CORRUPT;
}

static void lz4_end(dfi_dec *d)
{
    lz4_state *s = d->state;

    if (s == NULL)
        return;
    if (s->dctx != NULL)
        LZ4F_freeDecompressionContext(s->dctx);
    free(s);
    d->state = NULL;
}

static int lz4_init(dfi_dec *d)
{
    lz4_state *s = calloc(1, sizeof *s);

    d->state = s;
    /* On failure liblz4 leaves s->dctx NULL, which lz4_end() skips. */
    if (s == NULL || LZ4F_isError(LZ4F_createDecompressionContext(&s->dctx, LZ4F_VERSION))) {
        lz4_end(d);
        snprintf(d->msg, sizeof d->msg, "out of memory");
        return DF_E_NOMEM;
    }
    return DF_OK;
}

/* Can this byte start a following frame (lz4 magic 04 22 4d 18, or skippable 5x 2a 4d 18)? */
static bool lz4_frame_start(uint8_t b)
{
    return b == 0x04 || (b & 0xf0) == 0x50;
}

static int lz4_call(dfi_dec *d, const uint8_t *in, size_t *in_used, uint8_t *out, size_t *out_made,
                    bool *frame_done)
{
    lz4_state *s = d->state;
    /* stableDst: the history stays in the caller's buffers, not copied after every call */
    LZ4F_decompressOptions_t opt = {.stableDst = d->stable_out};
    size_t r = LZ4F_decompress(s->dctx, out, out_made, in, in_used, &opt);

    if (LZ4F_isError(r))
        return lz4_error(d, r);
    *frame_done = r == 0; /* end mark (and content checksum, if any) verified */
    return DF_OK;
}

static int lz4_step(dfi_dec *d, const uint8_t **in, size_t *in_len, uint8_t **out, size_t *out_len)
{
    return dfi_frames_step(d, d->state, lz4_frame_start, lz4_call, in, in_len, out, out_len);
}

static int lz4_finish(dfi_dec *d)
{
    return dfi_frames_finish(d, d->state, "lz4 frame is incomplete (end mark missing)");
}

#else /* !DF_HAVE_LZ4: keep the row, refuse to start */

static int lz4_init(dfi_dec *d)
{
    snprintf(d->msg, sizeof d->msg, "not built with lz4 support");
    return DF_E_UNSUPPORTED;
}

static int lz4_step(dfi_dec *d, const uint8_t **in, size_t *in_len, uint8_t **out, size_t *out_len)
{
    (void)in, (void)in_len, (void)out, (void)out_len;
    return lz4_init(d);
}

static int lz4_finish(dfi_dec *d)
{
    return lz4_init(d);
}
static void lz4_end(dfi_dec *d)
{
    d->state = NULL;
}

#endif /* DF_HAVE_LZ4 */

/*
 * The frames' framing, walked without decoding (spec §8): magic, FLG/BD and
 * the optional content size and dictionary id, blocks (a size word with the
 * uncompressed bit, optional block checksums) to the 0 end mark, then the
 * optional content checksum.  Skippable frames are stepped over.  Needs no
 * lz4 library, so --quick sees an lz4 file's framing in any build.
 */
static int lz4_blocks(dfi_buf *b, df_error *err, int flg)
{
    const uint8_t *p;
    int rc;

    for (;;) {
        uint32_t size;

        if ((rc = dfi_skim_take(b, err, 4, &p)) != DF_OK)
            return rc;
        size = dfi_le32(p) & 0x7fffffffu;
        if (dfi_le32(p) == 0)
            return DF_OK;
        if (size > (4u << 20))
            return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 4,
                            "lz4 block size %u is larger than any lz4 block", size);
        if ((rc = dfi_buf_skip(b, size + ((flg & 0x10) ? 4 : 0), err)) != DF_OK)
            return rc;
    }
}

static int lz4_skim(dfi_buf *b, df_error *err)
{
    const uint8_t *p;
    int flg, rc;

    while ((rc = dfi_buf_fill(b, err)) == DF_OK) {
        if ((rc = dfi_skim_take(b, err, 4, &p)) != DF_OK)
            return rc;
        if ((dfi_le32(p) & 0xfffffff0u) == 0x184d2a50u) { /* skippable frame */
            if ((rc = dfi_skim_take(b, err, 4, &p)) != DF_OK)
                return rc;
            if ((rc = dfi_buf_skip(b, dfi_le32(p), err)) != DF_OK)
                return rc;
            continue;
        }
        if (dfi_le32(p) != 0x184d2204u)
            return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 4, "not an lz4 frame");
        if ((rc = dfi_skim_take(b, err, 2, &p)) != DF_OK)
            return rc;
        flg = p[0];
        if ((flg >> 6) != 1)
            return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 2, "unknown lz4 frame version");
        if ((rc = dfi_buf_skip(b, ((flg & 0x08) ? 8 : 0) + ((flg & 0x01) ? 4 : 0) + 1, err)))
            return rc;
        if ((rc = lz4_blocks(b, err, flg)) != DF_OK)
            return rc;
        if ((flg & 0x04) && (rc = dfi_buf_skip(b, 4, err)) != DF_OK)
            return rc;
    }
    return rc == DF_EOF ? DF_OK : rc;
}

const dfi_codec dfi_codec_lz4 = {
    .name = "lz4",
    .wrap = DFI_WRAP_LZ4F,
    .init = lz4_init,
    .step = lz4_step,
    .finish = lz4_finish,
    .end = lz4_end,
    .skim = lz4_skim,
};
