/*
 * codec.c — the codec table (one row per dfi_wrap, kept even when a library
 * is left out of the build), the dfi_dec_* wrappers that keep the byte
 * counters, and format-independent sniffing of a compressed file by magic.
 *
 * Contract shared by every codec (see internal.h for the signatures):
 *  - step() with *out_len == 0 returns at once (DF_OK, or DF_EOF when the
 *    stream already ended); with input and room it always makes progress.
 *  - Codecs may hold decoded bytes they could not hand out yet (zlib in the
 *    middle of a match, lz4/zstd block buffers).  A caller that has no more
 *    input must call step() with an empty input (NULL, 0 is fine) until it
 *    returns DF_EOF or produces nothing, and only then call finish().
 *  - DF_EOF leaves *in at the first byte after the stream.  Without
 *    multi_member it is final.  With multi_member (gzip/lz4/zstd) it is
 *    reported when a member has ended and the input offered is empty or does
 *    not start like another member; offering more input later continues
 *    with the next member if it starts with the first magic byte (1f, 04,
 *    28, or 5x for a skippable lz4/zstd frame), so concatenated members
 *    decode as one stream whatever the input piece boundaries are.
 *  - Errors are sticky; d->msg says why.  Decoding uses nothing but d->msg
 *    to report.
 *  - skim() is the one operation that reads for itself: it walks a stored
 *    file's frames through the buffer layer (dfi_buf) and reports through a
 *    df_error, so that a codec's framing (frame and block headers, skippable
 *    frames, end marks) is known in its own file only.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static const dfi_codec *const codec_table[] = {
    [DFI_WRAP_RAW] = &dfi_codec_none,       [DFI_WRAP_ZLIB] = &dfi_codec_gzip_zlib,
    [DFI_WRAP_GZIP] = &dfi_codec_gzip_file, [DFI_WRAP_LZ4F] = &dfi_codec_lz4,
    [DFI_WRAP_ZSTD] = &dfi_codec_zstd,
};

#define CODEC_COUNT (sizeof codec_table / sizeof codec_table[0])

const dfi_codec *dfi_codec_for(dfi_wrap w)
{
    if ((unsigned)w >= CODEC_COUNT)
        return NULL;
    return codec_table[w];
}

/*
 * Start a fresh stream.  d->multi_member is kept as the caller set it (the
 * rest of *d is reset), so it may be set before or after this call.  A
 * decoder that was initialised before must have been ended first.
 */
int dfi_dec_init(dfi_dec *d, dfi_wrap w)
{
    bool multi = d->multi_member;
    const dfi_codec *c = dfi_codec_for(w);
    int rc;

    memset(d, 0, sizeof *d);
    d->multi_member = multi;
    if (c == NULL) {
        snprintf(d->msg, sizeof d->msg, "unknown compression wrapping %d", (int)w);
        return DF_E_USAGE;
    }
    d->codec = c;
    rc = c->init(d);
    if (rc != DF_OK) {
        /* A failed init leaves no state; step() then reports misuse. */
        d->codec = NULL;
        d->state = NULL;
    }
    return rc;
}

int dfi_dec_step(dfi_dec *d, const uint8_t **in, size_t *in_len, uint8_t **out, size_t *out_len)
{
    size_t in_before = *in_len, out_before = *out_len;
    int rc;

    if (d->codec == NULL) {
        snprintf(d->msg, sizeof d->msg, "decoder is not initialized");
        return DF_E_USAGE;
    }
    rc = d->codec->step(d, in, in_len, out, out_len);
    d->in_total += (int64_t)(in_before - *in_len);
    d->out_total += (int64_t)(out_before - *out_len);
    /*
     * Safety net: a codec given input and room that neither consumes nor
     * produces would make every caller loop forever.  None of ours does;
     * turn a library surprise into an error rather than a hang.
     */
    if (rc == DF_OK && in_before > 0 && out_before > 0 && *in_len == in_before &&
        *out_len == out_before) {
        snprintf(d->msg, sizeof d->msg, "%s decoder made no progress", d->codec->name);
        return DF_E_CORRUPT;
    }
    return rc;
}

int dfi_dec_finish(dfi_dec *d)
{
    if (d->codec == NULL) {
        snprintf(d->msg, sizeof d->msg, "decoder is not initialized");
        return DF_E_USAGE;
    }
    return d->codec->finish(d);
}

/* Release the codec state; safe on a zeroed, failed or already ended decoder. */
void dfi_dec_end(dfi_dec *d)
{
    if (d->codec != NULL && d->codec->end != NULL)
        d->codec->end(d);
    d->codec = NULL;
    d->state = NULL;
}

int dfi_frames_step(dfi_dec *d, dfi_frames *f, bool (*starts_frame)(uint8_t), dfi_frame_call call,
                    const uint8_t **in, size_t *in_len, uint8_t **out, size_t *out_len)
{
    for (;;) {
        size_t used = *in_len, made = *out_len;
        bool frame_done = false;
        int rc;

        if (f->failed != DF_OK)
            return f->failed;
        if (f->done)
            return DF_EOF;
        if (f->frame_end) {
            if (*in_len == 0 || !starts_frame((*in)[0]))
                return DF_EOF;
            f->frame_end = false; /* the library starts a new frame after completing one */
        }
        if (*out_len == 0 || (*in_len == 0 && !f->out_pending))
            return DF_OK;
        rc = call(d, *in, &used, *out, &made, &frame_done);
        if (rc != DF_OK) {
            f->failed = rc; /* errors are sticky */
            return rc;
        }
        f->out_pending = made == *out_len;
        if (used > 0) {
            f->got_input = true;
            *in += used;
            *in_len -= used;
        }
        *out += made;
        *out_len -= made;
        if (!frame_done)
            return DF_OK;
        f->out_pending = false;
        if (!d->multi_member) {
            f->done = true;
            return DF_EOF;
        }
        f->frame_end = true;
        if (*in_len == 0)
            return DF_OK; /* DF_EOF is for a call that offers no more input */
    }
}

int dfi_frames_finish(dfi_dec *d, const dfi_frames *f, const char *incomplete)
{
    if (f->failed != DF_OK)
        return f->failed;
    if (!f->got_input || f->done || f->frame_end)
        return DF_OK;
    snprintf(d->msg, sizeof d->msg, "%s", incomplete);
    return DF_E_TRUNCATED;
}

dfi_wrap dfi_wrap_sniff(const uint8_t *p, size_t n)
{
    static const uint8_t lz4_magic[4] = {0x04, 0x22, 0x4d, 0x18};
    static const uint8_t zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};

    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return DFI_WRAP_GZIP;
    if (n >= 4 && memcmp(p, lz4_magic, 4) == 0)
        return DFI_WRAP_LZ4F;
    if (n >= 4 && memcmp(p, zstd_magic, 4) == 0)
        return DFI_WRAP_ZSTD;
    return DFI_WRAP_RAW;
}

int dfi_codec_skim(dfi_wrap w, dfi_buf *b, df_error *err)
{
    const dfi_codec *c = dfi_codec_for(w);

    if (c == NULL || c->skim == NULL)
        return dfi_fail(err, DF_E_UNSUPPORTED, dfi_buf_tell(b), "no frames to skim");
    return c->skim(b, err);
}

int dfi_skim_take(dfi_buf *b, df_error *err, size_t n, const uint8_t **p)
{
    int rc = dfi_buf_need(b, n, err);

    if (rc != DF_OK)
        return rc;
    *p = dfi_buf_ptr(b);
    dfi_buf_consume(b, n);
    return DF_OK;
}
