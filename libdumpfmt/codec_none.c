/*
 * codec_none.c — the "no compression" codec: bytes are copied through.  The
 * stored stream carries no end of its own, so this codec never reports
 * DF_EOF and finish() always succeeds; the container decides where it ends.
 */
#include "internal.h"

#include <string.h>

static int none_init(dfi_dec *d)
{
    d->state = NULL; /* nothing to remember */
    return DF_OK;
}

static int none_step(dfi_dec *d, const uint8_t **in, size_t *in_len, uint8_t **out,
                     size_t *out_len)
{
    size_t n = *in_len < *out_len ? *in_len : *out_len;

    (void)d;
    if (n == 0)
        return DF_OK;
    memcpy(*out, *in, n);
    *in += n;
    *in_len -= n;
    *out += n;
    *out_len -= n;
    return DF_OK;
}

static int none_finish(dfi_dec *d)
{
    (void)d;
    return DF_OK;
}

static void none_end(dfi_dec *d) { d->state = NULL; }

const dfi_codec dfi_codec_none = {
    .name = "none",
    .wrap = DFI_WRAP_RAW,
    .init = none_init,
    .step = none_step,
    .finish = none_finish,
    .end = none_end,
};
