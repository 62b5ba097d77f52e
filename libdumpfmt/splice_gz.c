/*
 * splice_gz.c — cutting a deflate stream (zlib, or one gzip member) at a block boundary and
 * going on from there, so that a repair keeps the compressed bytes of the rows before the
 * damage as they are and encodes only the few after the last boundary (issue 13: the repair
 * of a cut table had cost an inflate and a deflate of all its rows again).
 *
 * The scan (dfi_zscan) inflates with zlib's Z_BLOCK, which stops at each block boundary, and
 * remembers the last DFI_ZMARKS of them: the bit where the next block starts, the decoded
 * bytes before it, their check value (Adler-32 or CRC-32) and the 32 KiB window.  The splice
 * (dfi_zsplice) then writes the stream's bytes up to that bit unchanged, a new final block
 * that holds the decoded bytes from the boundary to the end of the last row kept (inflated
 * again from the boundary with the window) and the caller's terminator, and the trailer of
 * the whole.  Deflate blocks start at any bit, so the byte the boundary falls in is shared:
 * its low bits are primed into the new block (deflatePrime) and its high bits into the
 * inflater that decodes from there (inflatePrime).
 */
#include "splice_gz.h"

#include <stdlib.h>
#include <string.h>

#ifdef DF_HAVE_ZLIB
#include <zlib.h>

#define WINDOW 32768
#define PIECE 65536

struct dfi_zscan {
    z_stream z;
    bool gzip;
    bool ended; /* the stream's end was met: its last block is final, nothing can follow */
    dfi_zmark m[DFI_ZMARKS];
    size_t nm, next; /* marks held; where the next one goes */
};

dfi_zscan *dfi_zscan_new(dfi_wrap w)
{
    dfi_zscan *s;

    if (w != DFI_WRAP_ZLIB && w != DFI_WRAP_GZIP)
        return NULL;
    if ((s = calloc(1, sizeof *s)) == NULL)
        return NULL;
    s->gzip = w == DFI_WRAP_GZIP;
    if (inflateInit2(&s->z, s->gzip ? 15 + 16 : 15) != Z_OK) {
        free(s);
        return NULL;
    }
    return s;
}

void dfi_zscan_free(dfi_zscan *s)
{
    if (s == NULL)
        return;
    inflateEnd(&s->z);
    free(s);
}

/* At a block boundary (Z_BLOCK returned with bit 128, not in the last block): remember it. */
static void note_mark(dfi_zscan *s)
{
    dfi_zmark *m = &s->m[s->next];
    uInt wlen = WINDOW;

    if (!(s->z.data_type & 128) || (s->z.data_type & 64))
        return;
    if (inflateGetDictionary(&s->z, m->window, &wlen) != Z_OK)
        return;
    m->wlen = wlen;
    m->bits = (int64_t)s->z.total_in * 8 - (s->z.data_type & 7);
    m->out = (int64_t)s->z.total_out;
    m->check = (uint32_t)s->z.adler;
    s->next = (s->next + 1) % DFI_ZMARKS;
    if (s->nm < DFI_ZMARKS)
        s->nm++;
}

int dfi_zscan_step(dfi_zscan *s, const uint8_t **in, size_t *in_len, uint8_t **out,
                   size_t *room)
{
    while (*room > 0 && !s->ended) {
        size_t in_before = *in_len, out_before = *room;
        int zr;

        s->z.next_in = (Bytef *)(uintptr_t)*in;
        s->z.avail_in = (uInt)(*in_len > UINT32_MAX ? UINT32_MAX : *in_len);
        s->z.next_out = *out;
        s->z.avail_out = (uInt)(*room > UINT32_MAX ? UINT32_MAX : *room);
        zr = inflate(&s->z, Z_BLOCK);
        *in_len -= (size_t)(s->z.next_in - *in);
        *in = s->z.next_in;
        *room -= (size_t)(s->z.next_out - *out);
        *out = s->z.next_out;
        if (zr == Z_STREAM_END) {
            s->ended = true;
            return DF_EOF;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR)
            return DF_E_CORRUPT;
        note_mark(s);
        if (*in_len == in_before && *room == out_before)
            break; /* needs more input */
    }
    return s->ended ? DF_EOF : DF_OK;
}

const dfi_zmark *dfi_zscan_mark(const dfi_zscan *s, int64_t limit)
{
    const dfi_zmark *best = NULL;

    if (s->ended)
        return NULL;
    for (size_t i = 0; i < s->nm; i++)
        if (s->m[i].out <= limit && (best == NULL || s->m[i].out > best->out))
            best = &s->m[i];
    return best;
}

/* ------------------------------------------------------------------ the splice */

typedef struct splice {
    const dfi_zmark *m;
    bool gzip;
    dfi_emit_fn emit;
    void *ctx;
    z_stream inf, def;
    bool inf_on, def_on;
    uint8_t *piece;    /* deflate output */
    uint8_t *dec;      /* inflate output */
    int64_t tail_left; /* decoded bytes still to take after the boundary */
    int64_t tail_len;  /* taken, with the terminator: what the new block holds */
    uint32_t check;    /* their Adler-32 or CRC-32 */
} splice;

/* Through the new block's deflater (Z_FINISH: the final block and its end). */
static int deflate_out(splice *p, const uint8_t *data, size_t n, int flush)
{
    p->def.next_in = (Bytef *)(uintptr_t)data;
    p->def.avail_in = (uInt)n;
    do {
        size_t made;
        p->def.next_out = p->piece;
        p->def.avail_out = PIECE;
        if (deflate(&p->def, flush) == Z_STREAM_ERROR)
            return DF_E_CORRUPT;
        made = PIECE - p->def.avail_out;
        if (made > 0 && p->emit(p->ctx, p->piece, made) != DF_OK)
            return DF_E_IO;
    } while (p->def.avail_out == 0);
    return DF_OK;
}

/* Bytes of the new block: counted into the check value, deflated. */
static int add_tail(splice *p, const uint8_t *d, size_t n)
{
    if (n == 0)
        return DF_OK;
    p->check = p->gzip ? (uint32_t)crc32(p->check, d, (uInt)n)
                       : (uint32_t)adler32(p->check, d, (uInt)n);
    p->tail_len += (int64_t)n;
    return deflate_out(p, d, n, Z_NO_FLUSH);
}

/*
 * Decode the stream after the boundary from q..q+n (n may be 0: what the
 * inflater still holds) until tail_left bytes came out.
 */
static int take_tail(splice *p, const uint8_t *q, size_t n)
{
    p->inf.next_in = (Bytef *)(uintptr_t)q;
    p->inf.avail_in = (uInt)n;
    while (p->tail_left > 0) {
        size_t want = p->tail_left < PIECE ? (size_t)p->tail_left : PIECE, got;
        int zr, rc;

        p->inf.next_out = p->dec;
        p->inf.avail_out = (uInt)want;
        zr = inflate(&p->inf, Z_NO_FLUSH);
        got = want - p->inf.avail_out;
        if (zr != Z_OK && zr != Z_BUF_ERROR && zr != Z_STREAM_END)
            return DF_E_CORRUPT; /* the scan decoded it: these are not the same bytes */
        p->tail_left -= (int64_t)got;
        if ((rc = add_tail(p, p->dec, got)) != DF_OK)
            return rc;
        if (got == 0 || zr == Z_STREAM_END)
            break;
    }
    return DF_OK;
}

/* The trailer: zlib's Adler-32 (big-endian), gzip's CRC-32 and length (little-endian). */
static int emit_trailer(splice *p)
{
    int64_t total = p->m->out + p->tail_len;
    uint32_t c = p->gzip
                     ? (uint32_t)crc32_combine(p->m->check, p->check, (z_off_t)p->tail_len)
                     : (uint32_t)adler32_combine(p->m->check, p->check, (z_off_t)p->tail_len);
    uint8_t t[8];

    for (int i = 0; i < 4; i++) {
        t[i] = p->gzip ? (uint8_t)(c >> (8 * i)) : (uint8_t)(c >> (24 - 8 * i));
        t[4 + i] = (uint8_t)((uint64_t)total >> (8 * i));
    }
    return p->emit(p->ctx, t, p->gzip ? 8 : 4) == DF_OK ? DF_OK : DF_E_IO;
}

static void splice_end(splice *p)
{
    if (p->inf_on)
        inflateEnd(&p->inf);
    if (p->def_on)
        deflateEnd(&p->def);
    free(p->piece);
    free(p->dec);
}

static int splice_start(splice *p, int level)
{
    p->piece = malloc(PIECE);
    p->dec = malloc(PIECE);
    if (p->piece == NULL || p->dec == NULL)
        return DF_E_NOMEM;
    if (inflateInit2(&p->inf, -15) != Z_OK)
        return DF_E_NOMEM;
    p->inf_on = true;
    if (deflateInit2(&p->def, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return DF_E_NOMEM;
    p->def_on = true;
    p->check = p->gzip ? (uint32_t)crc32(0, NULL, 0) : (uint32_t)adler32(0, NULL, 0);
    if (p->m->wlen > 0 &&
        inflateSetDictionary(&p->inf, p->m->window, (uInt)p->m->wlen) != Z_OK)
        return DF_E_CORRUPT;
    return DF_OK;
}

int dfi_zsplice(const dfi_zmark *m, dfi_wrap w, int level, int64_t keep, dfi_raw_fn raw,
                void *raw_ctx, const void *extra, size_t extra_len, dfi_emit_fn emit, void *ctx)
{
    int64_t cut = m->bits / 8, pos = 0;
    int bit = (int)(m->bits % 8);
    int64_t start = cut + (bit > 0); /* the first byte the new inflater takes whole */
    splice p;
    int rc;

    if ((w != DFI_WRAP_ZLIB && w != DFI_WRAP_GZIP) || keep < m->out)
        return DF_E_UNSUPPORTED;
    memset(&p, 0, sizeof p);
    p.m = m;
    p.gzip = w == DFI_WRAP_GZIP;
    p.emit = emit;
    p.ctx = ctx;
    p.tail_left = keep - m->out;
    rc = splice_start(&p, level < 0 ? Z_DEFAULT_COMPRESSION : level);
    while (rc == DF_OK && (pos < start || p.tail_left > 0)) {
        const uint8_t *q;
        size_t n;
        int64_t take;

        if ((rc = raw(raw_ctx, &q, &n)) == DF_OK && n == 0)
            rc = DF_EOF;
        if (rc != DF_OK) {
            /* the raw stream ended or broke: past the boundary, the inflater may hold what
               is still wanted; before it, the scan did not see these bytes */
            rc = pos >= start ? DF_OK : DF_E_TRUNCATED;
            break;
        }
        /* the bytes before the boundary's byte go out unchanged */
        take = pos < cut ? (cut - pos < (int64_t)n ? cut - pos : (int64_t)n) : 0;
        if (take > 0 && emit(ctx, q, (size_t)take) != DF_OK)
            rc = DF_E_IO;
        pos += take;
        q += take;
        n -= (size_t)take;
        if (rc == DF_OK && n > 0 && pos == cut && bit > 0) {
            /* the shared byte: its low bits end the old blocks, its high bits start the
               next one, which the inflater decodes */
            if (deflatePrime(&p.def, bit, q[0] & ((1 << bit) - 1)) != Z_OK ||
                inflatePrime(&p.inf, 8 - bit, q[0] >> bit) != Z_OK)
                rc = DF_E_CORRUPT;
            pos++;
            q++;
            n--;
        }
        if (rc == DF_OK && pos >= start && n > 0 && p.tail_left > 0) {
            rc = take_tail(&p, q, n);
            pos += (int64_t)n;
        }
    }
    if (rc == DF_OK && p.tail_left > 0)
        rc = take_tail(&p, NULL, 0);
    if (rc == DF_OK && p.tail_left > 0)
        rc = DF_E_TRUNCATED; /* the scan decoded more: not the same bytes */
    if (rc == DF_OK)
        rc = add_tail(&p, extra, extra_len);
    if (rc == DF_OK)
        rc = deflate_out(&p, NULL, 0, Z_FINISH);
    if (rc == DF_OK)
        rc = emit_trailer(&p);
    splice_end(&p);
    return rc;
}

#else /* no zlib: nothing is spliced, the rows are encoded again */

dfi_zscan *dfi_zscan_new(dfi_wrap w)
{
    (void)w;
    return NULL;
}
void dfi_zscan_free(dfi_zscan *s) { (void)s; }
int dfi_zscan_step(dfi_zscan *s, const uint8_t **in, size_t *in_len, uint8_t **out, size_t *room)
{
    (void)s, (void)in, (void)in_len, (void)out, (void)room;
    return DF_E_UNSUPPORTED;
}
const dfi_zmark *dfi_zscan_mark(const dfi_zscan *s, int64_t limit)
{
    (void)s, (void)limit;
    return NULL;
}
int dfi_zsplice(const dfi_zmark *m, dfi_wrap w, int level, int64_t keep, dfi_raw_fn raw,
                void *raw_ctx, const void *extra, size_t extra_len, dfi_emit_fn emit, void *ctx)
{
    (void)m, (void)w, (void)level, (void)keep, (void)raw, (void)raw_ctx, (void)extra;
    (void)extra_len, (void)emit, (void)ctx;
    return DF_E_UNSUPPORTED;
}
#endif
