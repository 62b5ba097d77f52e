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
    LZ4F_dctx *dctx;
    bool got_input;   /* at least one byte was ever consumed */
    bool frame_end;   /* a frame ended; nothing of a next one consumed yet */
    bool done;        /* final end: single frame */
    bool out_pending; /* the last call filled the output: liblz4 may hold more */
    int failed;       /* sticky error code, DF_OK while none */
} lz4_state;

static int lz4_fail(dfi_dec *d, lz4_state *s, int code, const char *why)
{
    snprintf(d->msg, sizeof d->msg, "%s", why);
    s->failed = code;
    return code;
}

/* Turn a liblz4 error into a code and a sentence. */
static int lz4_error(dfi_dec *d, lz4_state *s, size_t r)
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
    size_t i;

    if (strcmp(name, "ERROR_allocation_failed") == 0)
        return lz4_fail(d, s, DF_E_NOMEM, "out of memory");
    for (i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(name, known[i].name) == 0)
            return lz4_fail(d, s, DF_E_CORRUPT, known[i].say);
    snprintf(d->msg, sizeof d->msg, "could not decompress lz4 data: %s",
             strncmp(name, "ERROR_", 6) == 0 ? name + 6 : name);
    s->failed = DF_E_CORRUPT;
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
static bool lz4_frame_start(uint8_t b) { return b == 0x04 || (b & 0xf0) == 0x50; }

static int lz4_step(dfi_dec *d, const uint8_t **in, size_t *in_len, uint8_t **out,
                    size_t *out_len)
{
    lz4_state *s = d->state;

    for (;;) {
        size_t src, dst, r;

        if (s->failed != DF_OK)
            return s->failed;
        if (s->done)
            return DF_EOF;
        if (s->frame_end) {
            if (*in_len == 0 || !lz4_frame_start((*in)[0]))
                return DF_EOF;
            s->frame_end = false; /* liblz4 is ready for a new frame after returning 0 */
        }
        if (*out_len == 0 || (*in_len == 0 && !s->out_pending))
            return DF_OK;
        src = *in_len;
        dst = *out_len;
        r = LZ4F_decompress(s->dctx, *out, &dst, *in, &src, NULL);
        if (LZ4F_isError(r))
            return lz4_error(d, s, r);
        s->out_pending = dst == *out_len;
        if (src > 0) {
            s->got_input = true;
            *in += src;
            *in_len -= src;
        }
        if (dst > 0) {
            *out += dst;
            *out_len -= dst;
        }
        if (r != 0)
            return DF_OK;
        /* Frame complete: end mark (and content checksum, if any) verified. */
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

static int lz4_finish(dfi_dec *d)
{
    lz4_state *s = d->state;

    if (s->failed != DF_OK)
        return s->failed;
    if (!s->got_input || s->done || s->frame_end)
        return DF_OK;
    snprintf(d->msg, sizeof d->msg, "lz4 frame is incomplete (end mark missing)");
    return DF_E_TRUNCATED;
}

#else /* !DF_HAVE_LZ4: keep the row, refuse to start */

static int lz4_init(dfi_dec *d)
{
    snprintf(d->msg, sizeof d->msg, "not built with lz4 support");
    return DF_E_UNSUPPORTED;
}

static int lz4_step(dfi_dec *d, const uint8_t **in, size_t *in_len, uint8_t **out,
                    size_t *out_len)
{
    (void)in, (void)in_len, (void)out, (void)out_len;
    return lz4_init(d);
}

static int lz4_finish(dfi_dec *d) { return lz4_init(d); }
static void lz4_end(dfi_dec *d) { d->state = NULL; }

#endif /* DF_HAVE_LZ4 */

const dfi_codec dfi_codec_lz4 = {
    .name = "lz4",
    .wrap = DFI_WRAP_LZ4F,
    .init = lz4_init,
    .step = lz4_step,
    .finish = lz4_finish,
    .end = lz4_end,
};
