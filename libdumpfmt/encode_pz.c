/*
 * encode_pz.c — parallel deflate for `dumpconvert -j N` with gzip output, as pigz does it:
 * the input is cut into 128 KiB blocks, each block is deflated by its own thread as a raw
 * deflate stream primed with the 32 KiB before it (so the ratio stays that of one stream) and
 * ended with a sync flush (byte-aligned, not final) or, for the last block, Z_FINISH; the pieces
 * are handed out strictly in input order, between a zlib (RFC 1950) or gzip (RFC 1952, as
 * gzopen writes it: mtime 0, Unix) header and trailer whose checksum the caller's thread
 * computes.  The concatenation is one valid stream that any inflate (pg_restore's) reads.
 * Why: zlib deflate is the slowest step of a conversion to gzip (~5x inflate), and one stream
 * cannot be split across threads otherwise.  The block cut does not depend on the number of
 * threads, so the bytes are the same for every -j >= 2.  Memory: (threads + 1) slots of
 * ~0.5 MiB (input, output, a z_stream).
 */
#include "writer.h"

#ifdef DF_HAVE_ZLIB
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define PZ_BLOCK (128 * 1024)
#define PZ_DICT (32 * 1024)

typedef struct pz_slot {
    pthread_t th;
    bool running, threaded, zinit, last;
    z_stream z;
    uint8_t in[PZ_DICT + PZ_BLOCK]; /* dictionary, then the block */
    size_t ndict, n;
    uint8_t *out;
    size_t out_cap, nout;
    int level, rc;
} pz_slot;

typedef struct dfi_pz {
    pz_slot *s;
    int nslots, fill; /* fill: the slot taking input; slots fill+1 ... are older, in order */
    uint8_t dict[PZ_DICT];
    size_t ndict;
    bool gzip, header_done;
    int level;
    uLong check;
    uint64_t isize;
} dfi_pz;

static void *pz_work(void *arg)
{
    pz_slot *s = arg;
    z_stream *z = &s->z;
    int zr;

    s->rc = DF_E_NOMEM;
    if (!s->zinit) {
        if (deflateInit2(z, s->level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return NULL;
        s->zinit = true;
    } else if (deflateReset(z) != Z_OK) {
        return NULL;
    }
    if (s->ndict > 0 && deflateSetDictionary(z, s->in, (uInt)s->ndict) != Z_OK)
        return NULL;
    z->next_in = s->in + s->ndict;
    z->avail_in = (uInt)s->n;
    z->next_out = s->out;
    z->avail_out = (uInt)s->out_cap;
    zr = deflate(z, s->last ? Z_FINISH : Z_SYNC_FLUSH);
    s->nout = s->out_cap - z->avail_out;
    /* out_cap is deflateBound plus room for the flush marker: all must fit in one call */
    s->rc = (s->last ? zr == Z_STREAM_END : zr == Z_OK && z->avail_in == 0) ? DF_OK : DF_E_CORRUPT;
    return NULL;
}

static int pz_emit(dfi_enc *e, const uint8_t *p, size_t n, dfi_emit_fn fn, void *ctx)
{
    while (n > 0) {
        size_t k = n < e->out_size ? n : e->out_size;
        int rc = fn(ctx, p, k);
        if (rc != DF_OK)
            return rc;
        e->out_total += (int64_t)k;
        p += k;
        n -= k;
    }
    return DF_OK;
}

/* The header deflate itself would write (zlib: FLEVEL from the level; gzip: XFL, OS 3). */
static int pz_header(dfi_enc *e, dfi_pz *pz, dfi_emit_fn fn, void *ctx)
{
    int lv = pz->level < 0 ? 6 : pz->level;
    uint8_t h[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, (uint8_t)(lv == 9 ? 2 : lv < 2 ? 4 : 0), 3};

    pz->header_done = true;
    if (pz->gzip)
        return pz_emit(e, h, 10, fn, ctx);
    unsigned fl = lv < 2 ? 0 : lv < 6 ? 1 : lv == 6 ? 2 : 3, hdr = (0x78u << 8) | (fl << 6);
    hdr += 31 - hdr % 31;
    h[0] = (uint8_t)(hdr >> 8);
    h[1] = (uint8_t)hdr;
    return pz_emit(e, h, 2, fn, ctx);
}

/* Wait for slot i (a thread, or done in place when no thread could be had), hand out its piece. */
static int pz_collect(dfi_enc *e, dfi_pz *pz, int i, dfi_emit_fn fn, void *ctx)
{
    pz_slot *s = &pz->s[i];
    int rc;

    if (!s->running)
        return DF_OK;
    if (s->threaded)
        pthread_join(s->th, NULL);
    s->running = s->threaded = false;
    s->n = 0;
    if (s->rc != DF_OK)
        return s->rc;
    if (!pz->header_done && (rc = pz_header(e, pz, fn, ctx)) != DF_OK)
        return rc;
    return pz_emit(e, s->out, s->nout, fn, ctx);
}

/* Start the filled slot: its dictionary is the 32 KiB before it; then move to the next slot,
 * collecting the oldest piece first when that slot is still busy. */
static int pz_submit(dfi_enc *e, dfi_pz *pz, bool last, dfi_emit_fn fn, void *ctx)
{
    pz_slot *s = &pz->s[pz->fill];
    const uint8_t *data = s->in + PZ_DICT;
    size_t keep;

    pz->check = pz->gzip ? crc32(pz->check, data, (uInt)s->n) : adler32(pz->check, data, (uInt)s->n);
    pz->isize += s->n;
    /* the block goes right after its dictionary */
    memmove(s->in + pz->ndict, data, s->n);
    memcpy(s->in, pz->dict, pz->ndict);
    s->ndict = pz->ndict;
    s->last = last;
    s->level = pz->level < 0 ? Z_DEFAULT_COMPRESSION : pz->level;
    /* the next block's dictionary: the last 32 KiB of this dictionary and block */
    keep = s->ndict + s->n < PZ_DICT ? s->ndict + s->n : PZ_DICT;
    memcpy(pz->dict, s->in + s->ndict + s->n - keep, keep);
    pz->ndict = keep;
    s->running = true;
    s->threaded = pthread_create(&s->th, NULL, pz_work, s) == 0;
    if (!s->threaded)
        pz_work(s); /* no thread to be had: deflate it here; the order stays the same */
    pz->fill = (pz->fill + 1) % pz->nslots;
    return pz_collect(e, pz, pz->fill, fn, ctx);
}

int dfi_pz_init(dfi_enc *e)
{
    dfi_pz *pz = calloc(1, sizeof *pz);
    int n = e->workers > 64 ? 65 : e->workers + 1;

    if (pz == NULL)
        return DF_E_NOMEM;
    e->state = pz;
    e->par = true;
    pz->gzip = e->wrap == DFI_WRAP_GZIP;
    pz->level = e->level;
    pz->check = pz->gzip ? crc32(0, NULL, 0) : adler32(0, NULL, 0);
    if ((pz->s = calloc((size_t)n, sizeof *pz->s)) == NULL)
        return DF_E_NOMEM;
    pz->nslots = n;
    for (int i = 0; i < n; i++) {
        pz->s[i].out_cap = compressBound(PZ_BLOCK) + 256;
        if ((pz->s[i].out = malloc(pz->s[i].out_cap)) == NULL)
            return DF_E_NOMEM;
    }
    return DF_OK;
}

int dfi_pz_step(dfi_enc *e, const uint8_t *p, size_t n, dfi_emit_fn fn, void *ctx)
{
    dfi_pz *pz = e->state;

    while (n > 0) {
        pz_slot *s = &pz->s[pz->fill];
        size_t k = PZ_BLOCK - s->n < n ? PZ_BLOCK - s->n : n;
        int rc;
        memcpy(s->in + PZ_DICT + s->n, p, k);
        s->n += k;
        p += k;
        n -= k;
        if (s->n == PZ_BLOCK && (rc = pz_submit(e, pz, false, fn, ctx)) != DF_OK)
            return rc;
    }
    return DF_OK;
}

static void put_be32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8), b[3] = (uint8_t)v;
}

static void put_le32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)v, b[1] = (uint8_t)(v >> 8), b[2] = (uint8_t)(v >> 16), b[3] = (uint8_t)(v >> 24);
}

int dfi_pz_finish(dfi_enc *e, dfi_emit_fn fn, void *ctx)
{
    dfi_pz *pz = e->state;
    uint8_t t[8];
    int rc = pz_submit(e, pz, true, fn, ctx);

    for (int k = 1; rc == DF_OK && k < pz->nslots; k++)
        rc = pz_collect(e, pz, (pz->fill + k) % pz->nslots, fn, ctx);
    if (rc != DF_OK)
        return rc;
    if (!pz->gzip) {
        put_be32(t, (uint32_t)pz->check);
        return pz_emit(e, t, 4, fn, ctx);
    }
    put_le32(t, (uint32_t)pz->check);
    put_le32(t + 4, (uint32_t)pz->isize); /* ISIZE: the length modulo 2^32 */
    return pz_emit(e, t, 8, fn, ctx);
}

void dfi_pz_end(dfi_enc *e)
{
    dfi_pz *pz = e->state;

    for (int i = 0; pz->s != NULL && i < pz->nslots; i++) {
        if (pz->s[i].running && pz->s[i].threaded)
            pthread_join(pz->s[i].th, NULL);
        if (pz->s[i].zinit)
            deflateEnd(&pz->s[i].z);
        free(pz->s[i].out);
    }
    free(pz->s);
    free(pz);
}
#endif
