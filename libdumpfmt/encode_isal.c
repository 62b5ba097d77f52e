/*
 * encode_isal.c — the gzip encoder for the fast levels (-Z gzip:1 to gzip:4): ISA-L's
 * isal_deflate at its level 1, writing the same wrappers as encode_codec.c's zlib encoder (a
 * zlib stream, RFC 1950, for custom archives; a gzip member, RFC 1952, mtime 0, OS 3, for
 * directory .gz files), so pg_restore's inflate reads it like any other.
 *
 * Why these levels and not the others (bench/RESULTS.md, "ISA-L encoder"; the benchmark's
 * COPY data, first 60 MiB, CPU seconds on one core, output size):
 *   zlib 1: 0.65 s 39.2%   zlib 2: 0.70 s 38.2%   zlib 3: 0.86 s 37.7%   zlib 4: 1.19 s 36.5%
 *   zlib 5: 1.40 s 35.2%   zlib 6: 1.92 s 35.1%   zlib 9: 4.02 s 33.7%
 *   isal 1: 0.17 s 36.6%   isal 3: 0.37 s 36.5%   (isal 0: 0.17 s 49.1%)
 * ISA-L level 1 is 4-7x faster than zlib 1-4 and as small or smaller, so it replaces them; it
 * is 4% larger than zlib 5-6 and more than zlib 7-9, which stay zlib (they ask for size);
 * ISA-L level 3 buys 0.3% for twice the CPU.  At ~350 MB/s one stream outruns the decoding of
 * the input, so it needs no block threads (encode_pz.c) and its bytes do not depend on -j
 * (the input staged in fixed pieces: ISAL_STAGE).
 */
#include "writer.h"

#if defined(DF_HAVE_ZLIB) && defined(DF_HAVE_ISAL)
#include <isa-l/igzip_lib.h>
#include <stdlib.h>
#include <string.h>

/*
 * isal_deflate's output depends on how its input is cut from call to call, and with -j 2 the
 * pieces come from the decoding thread in sizes that vary from run to run: the input is fed
 * to it in ISAL_STAGE pieces (the last one shorter), so the bytes are the same every run.
 */
#define ISAL_STAGE (64 * 1024)

typedef struct isal_enc {
    struct isal_zstream s;
    uint8_t level_buf[ISAL_DEF_LVL1_DEFAULT];
    bool header_done;
    size_t staged;
    uint8_t stage[ISAL_STAGE];
} isal_enc;

bool dfi_isal_wanted(dfi_wrap w, int level)
{
    return (w == DFI_WRAP_ZLIB || w == DFI_WRAP_GZIP) && level >= 1 && level <= 4;
}

int dfi_isal_init(dfi_enc *e)
{
    isal_enc *ie = calloc(1, sizeof *ie);

    if (ie == NULL)
        return DF_E_NOMEM;
    isal_deflate_init(&ie->s);
    ie->s.level = 1;
    ie->s.level_buf = ie->level_buf;
    ie->s.level_buf_size = sizeof ie->level_buf;
    /* the trailer is ISA-L's, the header ours: the one zlib/gzopen would write for level 1 */
    ie->s.gzip_flag = e->wrap == DFI_WRAP_GZIP ? IGZIP_GZIP_NO_HDR : IGZIP_ZLIB_NO_HDR;
    e->state = ie;
    e->isal = true;
    return DF_OK;
}

static int isal_header(dfi_enc *e, dfi_emit_fn fn, void *ctx)
{
    /* gzip: XFL 4 (fastest), OS 3 (Unix); zlib: CMF 0x78, FLEVEL 0 (fastest), FCHECK */
    static const uint8_t gz[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 3};
    static const uint8_t zl[2] = {0x78, 0x01};
    bool gzip = e->wrap == DFI_WRAP_GZIP;

    ((isal_enc *)e->state)->header_done = true;
    e->out_total += gzip ? 10 : 2;
    return fn(ctx, gzip ? gz : zl, gzip ? 10 : 2);
}

static int isal_run(dfi_enc *e, const uint8_t *p, size_t n, bool end, dfi_emit_fn fn, void *ctx)
{
    isal_enc *ie = e->state;
    struct isal_zstream *s = &ie->s;
    int rc;

    if (!ie->header_done && (rc = isal_header(e, fn, ctx)) != DF_OK)
        return rc;
    s->next_in = (uint8_t *)p;
    s->avail_in = (uint32_t)n;
    s->end_of_stream = end;
    s->flush = NO_FLUSH;
    do {
        s->next_out = e->out;
        s->avail_out = (uint32_t)e->out_size;
        if (isal_deflate(s) != COMP_OK) {
            snprintf(e->msg, sizeof e->msg, "could not compress data (isal_deflate)");
            return DF_E_CORRUPT;
        }
        size_t k = e->out_size - s->avail_out;
        if (k > 0) {
            e->out_total += (int64_t)k;
            if ((rc = fn(ctx, e->out, k)) != DF_OK)
                return rc;
        }
    } while (s->avail_in > 0 || s->avail_out == 0 ||
             (end && s->internal_state.state != ZSTATE_END));
    return DF_OK;
}

int dfi_isal_step(dfi_enc *e, const uint8_t *p, size_t n, dfi_emit_fn fn, void *ctx)
{
    isal_enc *ie = e->state;

    while (n > 0) {
        size_t take = ISAL_STAGE - ie->staged < n ? ISAL_STAGE - ie->staged : n;
        int rc;

        memcpy(ie->stage + ie->staged, p, take);
        ie->staged += take;
        p += take;
        n -= take;
        if (ie->staged == ISAL_STAGE) {
            ie->staged = 0;
            if ((rc = isal_run(e, ie->stage, ISAL_STAGE, false, fn, ctx)) != DF_OK)
                return rc;
        }
    }
    return DF_OK;
}

int dfi_isal_finish(dfi_enc *e, dfi_emit_fn fn, void *ctx)
{
    isal_enc *ie = e->state;
    size_t n = ie->staged;

    ie->staged = 0;
    return isal_run(e, ie->stage, n, true, fn, ctx);
}

void dfi_isal_end(dfi_enc *e)
{
    free(e->state);
}
#endif
