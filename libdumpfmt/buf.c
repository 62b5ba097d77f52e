/*
 * buf.c — a bounded peek/consume window over a dfi_src.  Parsers ask for
 * "at least n bytes" (n never exceeds the window), look at them, and
 * consume what they used; the window tracks the raw file offset of its
 * first byte so every error can name an exact position.  Memory is the
 * window's size, whatever the file's size.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

int dfi_buf_init(dfi_buf *b, dfi_src *src, size_t cap, df_error *err)
{
    b->src = src;
    b->cap = cap;
    b->start = b->end = 0;
    b->base = src->pos;
    b->eof = false;
    b->limit = -1;
    b->data = malloc(cap);
    if (b->data == NULL)
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    return DF_OK;
}

void dfi_buf_free(dfi_buf *b)
{
    free(b->data);
    b->data = NULL;
}

/* Move the unconsumed bytes to the front so the window can take more. */
static void compact(dfi_buf *b)
{
    size_t avail = dfi_buf_avail(b);

    if (b->start == 0)
        return;
    memmove(b->data, b->data + b->start, avail);
    b->start = 0;
    b->end = avail;
}

/* One read(2) into the free tail of the window; 0 means end of input. */
static ssize_t read_more(dfi_buf *b, df_error *err)
{
    size_t room = b->cap - b->end;
    ssize_t got;

    if (b->limit >= 0) {
        int64_t left = b->limit - (b->base + (int64_t)dfi_buf_avail(b));
        if (left <= 0)
            return 0;
        if ((int64_t)room > left)
            room = (size_t)left;
    }
    got = dfi_src_read(b->src, b->data + b->end, room, err);
    if (got > 0)
        b->end += (size_t)got;
    return got;
}

int dfi_buf_need(dfi_buf *b, size_t n, df_error *err)
{
    if (dfi_buf_avail(b) >= n)
        return DF_OK;
    if (n > b->cap)
        return dfi_fail(err, DF_E_USAGE, b->base, "internal: window too small for %zu bytes", n);
    if (b->cap - b->start < n)
        compact(b);
    while (dfi_buf_avail(b) < n) {
        ssize_t got;

        if (b->end == b->cap)
            compact(b);
        got = read_more(b, err);
        if (got < 0)
            return (int)got;
        if (got == 0) {
            b->eof = true;
            return dfi_fail(err, DF_E_TRUNCATED, b->base + (int64_t)dfi_buf_avail(b),
                            "unexpected end of file");
        }
    }
    return DF_OK;
}

int dfi_buf_fill(dfi_buf *b, df_error *err)
{
    ssize_t got;

    if (dfi_buf_avail(b) > 0)
        return DF_OK;
    b->start = b->end = 0;
    got = read_more(b, err);
    if (got < 0)
        return (int)got;
    if (got == 0) {
        b->eof = true;
        return DF_EOF;
    }
    return DF_OK;
}

void dfi_buf_consume(dfi_buf *b, size_t n)
{
    if (n > dfi_buf_avail(b))
        n = dfi_buf_avail(b);
    b->start += n;
    b->base += (int64_t)n;
}

int dfi_buf_read(dfi_buf *b, void *p, size_t n, df_error *err)
{
    uint8_t *out = p;

    while (n > 0) {
        size_t take;
        int rc = dfi_buf_fill(b, err);

        if (rc == DF_EOF)
            return dfi_fail(err, DF_E_TRUNCATED, b->base, "unexpected end of file");
        if (rc != DF_OK)
            return rc;
        take = dfi_buf_avail(b) < n ? dfi_buf_avail(b) : n;
        memcpy(out, dfi_buf_ptr(b), take);
        dfi_buf_consume(b, take);
        out += take;
        n -= take;
    }
    return DF_OK;
}

/* Forget the window and continue reading at raw offset `off` (already sought). */
static void reset_at(dfi_buf *b, int64_t off)
{
    b->start = b->end = 0;
    b->base = off;
    b->eof = false;
}

int dfi_buf_skip(dfi_buf *b, int64_t n, df_error *err)
{
    int64_t target = b->base + n;

    if (n <= (int64_t)dfi_buf_avail(b)) {
        dfi_buf_consume(b, (size_t)n);
        return DF_OK;
    }
    if (b->src->seekable) {
        int64_t end = b->src->size;
        int rc;

        if (b->limit >= 0 && b->limit < end)
            end = b->limit;
        if (target > end) {
            int64_t at = end;
            dfi_buf_consume(b, dfi_buf_avail(b));
            return dfi_fail(err, DF_E_TRUNCATED, at, "unexpected end of file");
        }
        rc = dfi_src_seek(b->src, target, err);
        if (rc != DF_OK)
            return rc;
        reset_at(b, target);
        return DF_OK;
    }
    while (b->base < target) {
        int64_t left = target - b->base;
        int rc = dfi_buf_fill(b, err);

        if (rc == DF_EOF)
            return dfi_fail(err, DF_E_TRUNCATED, b->base, "unexpected end of file");
        if (rc != DF_OK)
            return rc;
        dfi_buf_consume(b, left < (int64_t)dfi_buf_avail(b) ? (size_t)left : dfi_buf_avail(b));
    }
    return DF_OK;
}

int dfi_buf_seek(dfi_buf *b, int64_t off, df_error *err)
{
    int64_t origin = b->base - (int64_t)b->start; /* raw offset of data[0] */
    int rc;

    if (off >= origin && off <= b->base + (int64_t)dfi_buf_avail(b)) {
        size_t pos = (size_t)(off - origin);
        b->base = off;
        b->start = pos;
        return DF_OK;
    }
    if (off > b->base)
        return dfi_buf_skip(b, off - b->base, err);
    if (!b->src->seekable)
        return dfi_fail(err, DF_E_NOSEEK, b->base,
                        "input is not seekable and offset %lld was already passed",
                        (long long)off);
    rc = dfi_src_seek(b->src, off, err);
    if (rc != DF_OK)
        return rc;
    reset_at(b, off);
    return DF_OK;
}
