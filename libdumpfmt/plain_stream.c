/*
 * plain_stream.c — a plain-format script as a stream of text, whatever
 * whole-file compression it came in: the bytes as they are, or gzip (any
 * number of members), lz4 or zstd (any number of frames) decoded on the
 * fly.  The text is seen through one fixed window, so memory does not grow
 * with the script.  Positions are script (uncompressed) offsets; going back
 * in a compressed file restarts decompression from its first byte, going
 * forward decodes and drops, a pipe can only go forward.
 */
#include "plain.h"

#include <stdlib.h>
#include <string.h>

#define PSTREAM_IN_SIZE (64 * 1024)

/*
 * Raw bytes of the file: first what probing left in r->buf (the start of
 * the file), then the source itself.  Small reads keep the copy in cache.
 */
static ssize_t raw_read(dfi_pstream *s, uint8_t *dst, size_t n)
{
    dfi_buf *b = &s->r->buf;
    size_t have = dfi_buf_avail(b);

    if (have > 0) {
        if (have < n)
            n = have;
        memcpy(dst, dfi_buf_ptr(b), n);
        dfi_buf_consume(b, n);
        return (ssize_t)n;
    }
    return dfi_src_read(&s->r->src, dst, n, &s->r->err);
}

static int start_decoder(dfi_pstream *s)
{
    df_reader *r = s->r;
    int rc;

    s->dec.multi_member = true;
    rc = dfi_dec_init(&s->dec, s->wrap);
    if (rc != DF_OK)
        return dfi_fail(&r->err, rc, 0, "%s", s->dec.msg);
    s->dec_active = true;
    return DF_OK;
}

int dfi_pstream_init(dfi_pstream *s, df_reader *r, dfi_wrap wrap, size_t window)
{
    memset(s, 0, sizeof *s);
    s->r = r;
    s->wrap = wrap;
    s->cap = window;
    s->win = malloc(window);
    s->in_cap = wrap == DFI_WRAP_RAW ? 0 : PSTREAM_IN_SIZE;
    s->in = s->in_cap ? malloc(s->in_cap) : NULL;
    if (s->win == NULL || (s->in_cap && s->in == NULL))
        return dfi_fail(&r->err, DF_E_NOMEM, -1, "out of memory");
    s->origin = s->in_raw = dfi_buf_tell(&r->buf);
    if (wrap == DFI_WRAP_RAW)
        s->win_off = s->origin; /* text offsets are file offsets */
    return wrap == DFI_WRAP_RAW ? DF_OK : start_decoder(s);
}

void dfi_pstream_free(dfi_pstream *s)
{
    if (s->dec_active)
        dfi_dec_end(&s->dec);
    s->dec_active = false;
    free(s->win);
    free(s->in);
    s->win = s->in = NULL;
}

static void compact(dfi_pstream *s)
{
    if (s->start == 0)
        return;
    memmove(s->win, s->win + s->start, s->end - s->start);
    s->win_off += (int64_t)s->start;
    s->end -= s->start;
    s->start = 0;
}

static int fill_raw(dfi_pstream *s)
{
    while (s->end < s->cap && !s->eof) {
        ssize_t got = raw_read(s, s->win + s->end, s->cap - s->end);

        if (got < 0)
            return (int)got;
        if (got == 0)
            s->eof = true;
        s->end += (size_t)got;
    }
    return DF_OK;
}

static int read_input(dfi_pstream *s)
{
    ssize_t got;

    s->in_raw += (int64_t)s->in_len;
    s->in_pos = s->in_len = 0;
    got = raw_read(s, s->in, s->in_cap);
    if (got < 0)
        return (int)got;
    if (got == 0)
        s->src_eof = true;
    s->in_len = (size_t)got;
    return DF_OK;
}

/* A decoding failure: the text before it stays usable, the rest is lost. */
static int decode_failed(dfi_pstream *s, int code, const char *why)
{
    int64_t at = s->in_raw + (int64_t)s->in_pos;

    s->eof = true;
    s->failed = code;
    return dfi_fail(&s->r->err, code, at, "%s compressed script: %s",
                    s->dec.codec ? s->dec.codec->name : "", why);
}

/* One decoder call; sets *progress when it consumed or produced anything. */
static int decode_step(dfi_pstream *s, bool *progress)
{
    const uint8_t *ip = s->in + s->in_pos;
    size_t il = s->in_len - s->in_pos, il0 = il;
    uint8_t *op = s->win + s->end;
    size_t room = s->cap - s->end, room0 = room;
    int rc = dfi_dec_step(&s->dec, &ip, &il, &op, &room);

    s->in_pos += il0 - il;
    s->end += room0 - room;
    *progress = il != il0 || room != room0;
    if (rc < 0)
        return decode_failed(s, rc, s->dec.msg);
    if (rc == DF_EOF && il > 0)
        return decode_failed(s, DF_E_CORRUPT,
                             "data after the end of the compressed stream "
                             "do not start another member");
    return rc;
}

static int fill_decoded(dfi_pstream *s)
{
    while (s->end < s->cap && !s->eof) {
        bool progress;
        int rc;

        if (s->in_pos == s->in_len && !s->src_eof && (rc = read_input(s)) != DF_OK)
            return rc;
        rc = decode_step(s, &progress);
        if (rc < 0)
            return rc;
        if (s->in_pos < s->in_len || !s->src_eof || progress)
            continue;
        /* no input left and nothing more came out: the stream must be complete */
        rc = dfi_dec_finish(&s->dec);
        if (rc != DF_OK)
            return decode_failed(s, rc, s->dec.msg);
        s->eof = true;
    }
    return DF_OK;
}

int dfi_pstream_fill(dfi_pstream *s)
{
    compact(s);
    if (s->failed != DF_OK)
        return DF_OK; /* already reported; the text ends where decoding failed */
    return s->wrap == DFI_WRAP_RAW ? fill_raw(s) : fill_decoded(s);
}

/* Back to the first byte of the script, decoder fresh. */
static int restart(dfi_pstream *s)
{
    int rc = dfi_src_seek(&s->r->src, s->origin, &s->r->err);

    dfi_buf_consume(&s->r->buf, dfi_buf_avail(&s->r->buf)); /* bytes of an old position */

    if (rc != DF_OK)
        return rc;
    s->start = s->end = 0;
    s->win_off = 0;
    s->eof = false;
    s->failed = DF_OK;
    s->in_raw = s->origin;
    s->in_pos = s->in_len = 0;
    s->src_eof = false;
    if (s->wrap == DFI_WRAP_RAW)
        return DF_OK;
    if (s->dec_active)
        dfi_dec_end(&s->dec);
    s->dec_active = false;
    return start_decoder(s);
}

int dfi_pstream_seek(dfi_pstream *s, int64_t off)
{
    int rc;

    if (off >= s->win_off && off <= s->win_off + (int64_t)s->end) {
        s->start = (size_t)(off - s->win_off);
        return DF_OK;
    }
    if (!s->r->src.seekable)
        return dfi_fail(&s->r->err, DF_E_NOSEEK, off,
                        "the script is read from a pipe and offset %lld was already passed",
                        (long long)off);
    if (s->wrap == DFI_WRAP_RAW) {
        rc = dfi_src_seek(&s->r->src, off, &s->r->err);
        if (rc != DF_OK)
            return rc;
        dfi_buf_consume(&s->r->buf, dfi_buf_avail(&s->r->buf));
        s->win_off = off;
        s->start = s->end = 0;
        s->eof = false;
        return DF_OK;
    }
    if (off < dfi_pstream_tell(s) && (rc = restart(s)) != DF_OK)
        return rc;
    /* decode forward, dropping text, until the window holds off */
    while (s->win_off + (int64_t)s->end < off) {
        s->start = s->end;
        if (s->eof)
            return dfi_fail(&s->r->err, DF_E_TRUNCATED, off, "the script ends before offset %lld",
                            (long long)off);
        if ((rc = dfi_pstream_fill(s)) != DF_OK)
            return rc;
    }
    s->start = (size_t)(off - s->win_off);
    return DF_OK;
}
