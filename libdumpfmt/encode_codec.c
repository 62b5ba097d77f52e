/*
 * encode_codec.c — the codec encoders beside the decoders: zlib streams
 * (custom-format gzip, RFC 1950) and gzip members (directory .gz files, RFC
 * 1952, as gzopen writes them: no name, mtime 0), LZ4 frames with pg_dump's
 * parameters (64 KiB linked blocks, no checksums, no content size), and
 * zstd frames (no checksum, optional worker threads).  Output is handed out
 * in pieces of at most out_size bytes: custom archives then get pg_dump's
 * chunking (4096-byte zlib chunks, one chunk per LZ4 block).  zlib/gzip at
 * levels 1-4 go to ISA-L (encode_isal.c: why), with -j >= 2 at other levels
 * to block threads (encode_pz.c).
 */
#include "writer.h"

#include <stdlib.h>
#include <string.h>

#ifdef DF_HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef DF_HAVE_LZ4
#include <lz4frame.h>
#endif
#ifdef DF_HAVE_ZSTD
#include <zstd.h>
#endif

/* LZ4 input is fed in pieces no larger than one block, so one update fits out_size. */
#define LZ4_PIECE (64 * 1024)

static int enc_fail(dfi_enc *e, int code, const char *what)
{
    snprintf(e->msg, sizeof e->msg, "%s", what ? what : "unsupported codec");
    return code;
}

static int emit(dfi_enc *e, size_t n, dfi_emit_fn fn, void *ctx)
{
    if (n == 0)
        return DF_OK; /* never an empty chunk: 0 ends a chunk stream */
    e->out_total += (int64_t)n;
    return fn(ctx, e->out, n);
}

/* ------------------------------------------------------------------ zlib */
#ifdef DF_HAVE_ZLIB
static int z_init(dfi_enc *e)
{
    z_stream *z = calloc(1, sizeof *z);
    int bits = e->wrap == DFI_WRAP_GZIP ? 15 + 16 : 15;

    if (z == NULL)
        return enc_fail(e, DF_E_NOMEM, "out of memory");
    if (deflateInit2(z, e->level < 0 ? Z_DEFAULT_COMPRESSION : e->level, Z_DEFLATED, bits, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        free(z);
        return enc_fail(e, DF_E_NOMEM, "could not initialize compression library");
    }
    e->state = z;
    return DF_OK;
}

static int z_run(dfi_enc *e, const uint8_t *p, size_t n, int flush, dfi_emit_fn fn, void *ctx)
{
    z_stream *z = e->state;
    int zr, rc;

    z->next_in = (Bytef *)p;
    z->avail_in = (uInt)n;
    do {
        z->next_out = e->out;
        z->avail_out = (uInt)e->out_size;
        zr = deflate(z, flush);
        if (zr == Z_STREAM_ERROR)
            return enc_fail(e, DF_E_CORRUPT, "could not compress data");
        if ((rc = emit(e, e->out_size - z->avail_out, fn, ctx)) != DF_OK)
            return rc;
    } while (z->avail_in > 0 || (flush == Z_FINISH && zr != Z_STREAM_END) || z->avail_out == 0);
    return DF_OK;
}

static void z_end(dfi_enc *e)
{
    deflateEnd(e->state);
    free(e->state);
}
#endif

/* ------------------------------------------------------------------- lz4 */
#ifdef DF_HAVE_LZ4
static int lz4_init(dfi_enc *e, dfi_emit_fn fn, void *ctx)
{
    LZ4F_cctx *c = NULL;
    LZ4F_preferences_t prefs;
    size_t k;

    memset(&prefs, 0, sizeof prefs); /* pg_dump: everything default but the level */
    prefs.compressionLevel = e->level < 0 ? 0 : e->level;
    if (LZ4F_isError(LZ4F_createCompressionContext(&c, LZ4F_VERSION)))
        return enc_fail(e, DF_E_NOMEM, "could not create LZ4 compression context");
    e->state = c;
    k = LZ4F_compressBegin(c, e->out, e->out_size, &prefs);
    if (LZ4F_isError(k))
        return enc_fail(e, DF_E_CORRUPT, LZ4F_getErrorName(k));
    return emit(e, k, fn, ctx);
}

static int lz4_step(dfi_enc *e, const uint8_t *p, size_t n, dfi_emit_fn fn, void *ctx)
{
    while (n > 0) {
        size_t take = n < LZ4_PIECE ? n : LZ4_PIECE;
        size_t k = LZ4F_compressUpdate(e->state, e->out, e->out_size, p, take, NULL);
        int rc;
        if (LZ4F_isError(k))
            return enc_fail(e, DF_E_CORRUPT, LZ4F_getErrorName(k));
        if ((rc = emit(e, k, fn, ctx)) != DF_OK)
            return rc;
        p += take;
        n -= take;
    }
    return DF_OK;
}

static int lz4_finish(dfi_enc *e, dfi_emit_fn fn, void *ctx)
{
    size_t k = LZ4F_compressEnd(e->state, e->out, e->out_size, NULL);

    if (LZ4F_isError(k))
        return enc_fail(e, DF_E_CORRUPT, LZ4F_getErrorName(k));
    return emit(e, k, fn, ctx);
}
#endif

/* ------------------------------------------------------------------ zstd */
#ifdef DF_HAVE_ZSTD
static int zs_init(dfi_enc *e)
{
    ZSTD_CCtx *c = ZSTD_createCCtx();

    if (c == NULL)
        return enc_fail(e, DF_E_NOMEM, "could not create zstd compression context");
    e->state = c;
    ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, e->level < 0 ? 3 : e->level);
    if (e->workers > 1)
        ZSTD_CCtx_setParameter(c, ZSTD_c_nbWorkers, e->workers); /* ignored if not built MT */
    return DF_OK;
}

static int zs_run(dfi_enc *e, const uint8_t *p, size_t n, ZSTD_EndDirective mode, dfi_emit_fn fn,
                  void *ctx)
{
    ZSTD_inBuffer in = {p, n, 0};
    size_t left;

    do {
        ZSTD_outBuffer out = {e->out, e->out_size, 0};
        int rc;
        left = ZSTD_compressStream2(e->state, &out, &in, mode);
        if (ZSTD_isError(left))
            return enc_fail(e, DF_E_CORRUPT, ZSTD_getErrorName(left));
        if ((rc = emit(e, out.pos, fn, ctx)) != DF_OK)
            return rc;
    } while (in.pos < in.size || (mode == ZSTD_e_end && left != 0));
    return DF_OK;
}
#endif

/* ---------------------------------------------------------------- dispatch */
static const char *missing(dfi_wrap w)
{
    switch (w) {
    case DFI_WRAP_ZLIB:
    case DFI_WRAP_GZIP: return "not built with zlib support";
    case DFI_WRAP_LZ4F: return "not built with lz4 support";
    case DFI_WRAP_ZSTD: return "not built with zstd support";
    default: return "unknown codec";
    }
}

int dfi_enc_init(dfi_enc *e, dfi_wrap w, int level, int workers, size_t out_size)
{
    memset(e, 0, sizeof *e);
    e->wrap = w;
    e->level = level;
    e->workers = workers;
    e->out_size = out_size;
#ifdef DF_HAVE_LZ4
    if (w == DFI_WRAP_LZ4F) /* one whole block (plus the end mark) per update must fit */
        e->out_size = LZ4F_compressBound(LZ4_PIECE, NULL) + 64;
#endif
    e->out = malloc(e->out_size);
    if (e->out == NULL)
        return enc_fail(e, DF_E_NOMEM, "out of memory");
    switch (w) {
    case DFI_WRAP_RAW: return DF_OK;
#ifdef DF_HAVE_ZLIB
    case DFI_WRAP_ZLIB:
    case DFI_WRAP_GZIP:
#ifdef DF_HAVE_ISAL
        if (dfi_isal_wanted(w, level))
            return dfi_isal_init(e) == DF_OK ? DF_OK : enc_fail(e, DF_E_NOMEM, "out of memory");
#endif
        if (e->workers > 1)
            return dfi_pz_init(e) == DF_OK ? DF_OK : enc_fail(e, DF_E_NOMEM, "out of memory");
        return z_init(e);
#endif
#ifdef DF_HAVE_LZ4
    case DFI_WRAP_LZ4F: return DF_OK; /* the frame header is emitted by the first step */
#endif
#ifdef DF_HAVE_ZSTD
    case DFI_WRAP_ZSTD: return zs_init(e);
#endif
    default: return enc_fail(e, DF_E_UNSUPPORTED, missing(w));
    }
}

static int raw_step(dfi_enc *e, const uint8_t *p, size_t n, dfi_emit_fn fn, void *ctx)
{
    e->out_total += (int64_t)n;
    return n > 0 ? fn(ctx, p, n) : DF_OK;
}

int dfi_enc_step(dfi_enc *e, const uint8_t *p, size_t n, dfi_emit_fn fn, void *ctx)
{
    e->in_total += (int64_t)n;
    switch (e->wrap) {
#ifdef DF_HAVE_ZLIB
    case DFI_WRAP_ZLIB:
    case DFI_WRAP_GZIP:
#ifdef DF_HAVE_ISAL
        if (e->isal)
            return dfi_isal_step(e, p, n, fn, ctx);
#endif
        if (e->par)
            return dfi_pz_step(e, p, n, fn, ctx);
        return n ? z_run(e, p, n, Z_NO_FLUSH, fn, ctx) : DF_OK;
#endif
#ifdef DF_HAVE_LZ4
    case DFI_WRAP_LZ4F: {
        int rc = e->state == NULL ? lz4_init(e, fn, ctx) : DF_OK;
        return rc == DF_OK ? lz4_step(e, p, n, fn, ctx) : rc;
    }
#endif
#ifdef DF_HAVE_ZSTD
    case DFI_WRAP_ZSTD: return n ? zs_run(e, p, n, ZSTD_e_continue, fn, ctx) : DF_OK;
#endif
    default: return raw_step(e, p, n, fn, ctx);
    }
}

int dfi_enc_finish(dfi_enc *e, dfi_emit_fn fn, void *ctx)
{
    switch (e->wrap) {
#ifdef DF_HAVE_ZLIB
    case DFI_WRAP_ZLIB:
    case DFI_WRAP_GZIP:
#ifdef DF_HAVE_ISAL
        if (e->isal)
            return dfi_isal_finish(e, fn, ctx);
#endif
        if (e->par)
            return dfi_pz_finish(e, fn, ctx);
        return z_run(e, NULL, 0, Z_FINISH, fn, ctx);
#endif
#ifdef DF_HAVE_LZ4
    case DFI_WRAP_LZ4F: {
        int rc = e->state == NULL ? lz4_init(e, fn, ctx) : DF_OK;
        return rc == DF_OK ? lz4_finish(e, fn, ctx) : rc;
    }
#endif
#ifdef DF_HAVE_ZSTD
    case DFI_WRAP_ZSTD: return zs_run(e, NULL, 0, ZSTD_e_end, fn, ctx);
#endif
    default: return DF_OK;
    }
}

void dfi_enc_end(dfi_enc *e)
{
    if (e->state != NULL) {
        switch (e->wrap) {
#ifdef DF_HAVE_ZLIB
        case DFI_WRAP_ZLIB:
        case DFI_WRAP_GZIP:
#ifdef DF_HAVE_ISAL
            if (e->isal)
                dfi_isal_end(e);
            else
#endif
            if (e->par)
                dfi_pz_end(e);
            else
                z_end(e);
            break;
#endif
#ifdef DF_HAVE_LZ4
        case DFI_WRAP_LZ4F: LZ4F_freeCompressionContext(e->state); break;
#endif
#ifdef DF_HAVE_ZSTD
        case DFI_WRAP_ZSTD: ZSTD_freeCCtx(e->state); break;
#endif
        default: break;
        }
    }
    free(e->out);
    memset(e, 0, sizeof *e);
}
