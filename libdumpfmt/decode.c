/*
 * decode.c — pg_dump's archive primitives (spec §2): bytes, INT (sign byte
 * plus intSize magnitude bytes, least significant first), STR (INT length,
 * -1 = NULL) and OFF (flag byte plus offSize bytes).  Every value is checked
 * for overflow and every length against df_limits before allocating.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Strings up to this size are read straight from the window. */
#define SMALL_STR (64 * 1024)

int dfi_read_byte(dfi_buf *b, int *out, df_error *err)
{
    int rc = dfi_buf_need(b, 1, err);

    if (rc != DF_OK)
        return rc;
    *out = dfi_buf_ptr(b)[0];
    dfi_buf_consume(b, 1);
    return DF_OK;
}

/* An INT as a signed 64-bit value; magnitudes beyond 2^63-1 are corrupt. */
static int read_int64(dfi_buf *b, const dfi_arch *a, int64_t *out, df_error *err)
{
    int64_t at = dfi_buf_tell(b);
    size_t width = (size_t)a->int_size + (a->version > DF_MAKE_VERSION(1, 0, 0) ? 1 : 0);
    const uint8_t *p;
    uint64_t mag = 0;
    bool negative = false;
    int rc = dfi_buf_need(b, width, err);

    if (rc != DF_OK)
        return rc;
    p = dfi_buf_ptr(b);
    if (a->version > DF_MAKE_VERSION(1, 0, 0)) {
        negative = p[0] != 0;
        p++;
    }
    for (int i = 0; i < a->int_size; i++) {
        if (p[i] == 0)
            continue;
        if (i >= 8 || (i == 7 && p[i] > 0x7f))
            return dfi_fail(err, DF_E_CORRUPT, at, "integer in archive is too large");
        mag |= (uint64_t)p[i] << (8 * i);
    }
    dfi_buf_consume(b, width);
    *out = negative ? -(int64_t)mag : (int64_t)mag;
    return DF_OK;
}

int dfi_read_int(dfi_buf *b, const dfi_arch *a, int32_t *out, df_error *err)
{
    int64_t at = dfi_buf_tell(b);
    int64_t v;
    int rc = read_int64(b, a, &v, err);

    if (rc != DF_OK)
        return rc;
    if (v > INT32_MAX || v < -(int64_t)INT32_MAX)
        return dfi_fail(err, DF_E_CORRUPT, at, "integer %lld in archive is out of range",
                        (long long)v);
    *out = (int32_t)v;
    return DF_OK;
}

/* Read a long string piece by piece so memory follows the bytes that exist. */
static int read_long_str(dfi_buf *b, int64_t len, char **out, df_error *err)
{
    size_t have = 0, cap = SMALL_STR;
    char *s = malloc(cap + 1);

    if (s == NULL)
        return dfi_fail(err, DF_E_NOMEM, dfi_buf_tell(b), "out of memory");
    while ((int64_t)have < len) {
        size_t take;
        int rc = dfi_buf_fill(b, err);

        if (rc != DF_OK) {
            free(s);
            if (rc == DF_EOF)
                return dfi_fail(err, DF_E_TRUNCATED, dfi_buf_tell(b), "unexpected end of file");
            return rc;
        }
        take = dfi_buf_avail(b);
        if ((int64_t)take > len - (int64_t)have)
            take = (size_t)(len - (int64_t)have);
        if (have + take > cap) {
            char *n;
            while (have + take > cap)
                cap *= 2;
            if ((int64_t)cap > len)
                cap = (size_t)len;
            n = realloc(s, cap + 1);
            if (n == NULL) {
                free(s);
                return dfi_fail(err, DF_E_NOMEM, dfi_buf_tell(b), "out of memory");
            }
            s = n;
        }
        memcpy(s + have, dfi_buf_ptr(b), take);
        dfi_buf_consume(b, take);
        have += take;
    }
    s[have] = '\0';
    *out = s;
    return DF_OK;
}

int dfi_read_str(dfi_buf *b, dfi_arch *a, char **out, df_error *err)
{
    int64_t at = dfi_buf_tell(b);
    int64_t len;
    char *s;
    int rc = read_int64(b, a, &len, err);

    *out = NULL;
    if (rc != DF_OK)
        return rc;
    if (len < 0)
        return DF_OK; /* pg_dump reads every negative length as NULL */
    if (len > a->lim->max_string)
        return dfi_fail(err, DF_E_LIMIT, at, "string of %lld bytes exceeds the limit of %lld",
                        (long long)len, (long long)a->lim->max_string);
    a->toc_bytes += len;
    if (a->toc_bytes > a->lim->max_toc_bytes)
        return dfi_fail(err, DF_E_LIMIT, at, "TOC strings exceed the limit of %lld bytes",
                        (long long)a->lim->max_toc_bytes);
    if (b->src->seekable && b->src->size >= 0 && dfi_buf_tell(b) + len > b->src->size)
        return dfi_fail(err, DF_E_TRUNCATED, b->src->size,
                        "string of %lld bytes at offset %lld runs past the end of the file",
                        (long long)len, (long long)at);
    if (len > SMALL_STR)
        return read_long_str(b, len, out, err);
    rc = dfi_buf_need(b, (size_t)len, err);
    if (rc != DF_OK)
        return rc;
    s = malloc((size_t)len + 1);
    if (s == NULL)
        return dfi_fail(err, DF_E_NOMEM, at, "out of memory");
    memcpy(s, dfi_buf_ptr(b), (size_t)len);
    s[len] = '\0';
    dfi_buf_consume(b, (size_t)len);
    *out = s;
    return DF_OK;
}

/* Archives before 1.7 store offsets as INTs: <0 not set, 0 no data. */
static int read_old_off(dfi_buf *b, const dfi_arch *a, df_offset_state *state, int64_t *off,
                        df_error *err)
{
    int64_t v;
    int rc = read_int64(b, a, &v, err);

    if (rc != DF_OK)
        return rc;
    *off = v > 0 ? v : -1;
    *state = v < 0 ? DF_OFFSET_NOT_SET : v == 0 ? DF_OFFSET_NO_DATA : DF_OFFSET_SET;
    return DF_OK;
}

int dfi_read_off(dfi_buf *b, const dfi_arch *a, df_offset_state *state, int64_t *off,
                 df_error *err)
{
    int64_t at = dfi_buf_tell(b);
    const uint8_t *p;
    uint64_t v = 0;
    int rc;

    if (a->version < DF_MAKE_VERSION(1, 7, 0))
        return read_old_off(b, a, state, off, err);
    rc = dfi_buf_need(b, 1 + (size_t)a->off_size, err);
    if (rc != DF_OK)
        return rc;
    p = dfi_buf_ptr(b);
    if (p[0] < DF_OFFSET_NOT_SET || p[0] > DF_OFFSET_NO_DATA)
        return dfi_fail(err, DF_E_CORRUPT, at, "unexpected data offset flag %d", p[0]);
    for (int i = 0; i < a->off_size; i++) {
        if (p[1 + i] == 0)
            continue;
        if (i >= 8 || (i == 7 && p[1 + i] > 0x7f))
            return dfi_fail(err, DF_E_CORRUPT, at, "file offset in dump file is too large");
        v |= (uint64_t)p[1 + i] << (8 * i);
    }
    *state = (df_offset_state)p[0];
    *off = *state == DF_OFFSET_SET ? (int64_t)v : -1;
    dfi_buf_consume(b, 1 + (size_t)a->off_size);
    return DF_OK;
}
