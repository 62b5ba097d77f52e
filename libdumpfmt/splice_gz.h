/*
 * splice_gz.h — a deflate stream cut at a block boundary and continued (splice_gz.c): the
 * tail that finds a boundary after the stream was decoded, and the splice that writes the
 * stream up to it unchanged and the rest as a new final block.
 */
#ifndef DUMPFMT_SPLICE_GZ_H
#define DUMPFMT_SPLICE_GZ_H

#include "writer.h"

typedef struct dfi_zmark {
    int64_t bits;   /* where the next block starts: bits from the stream's first byte */
    int64_t out;    /* decoded bytes before it */
    uint32_t check; /* their Adler-32 (zlib) or CRC-32 (gzip) */
    size_t wlen;
    uint8_t window[32768]; /* the last decoded bytes, which later blocks may refer to */
} dfi_zmark;

/* The stream's raw bytes again from its start, in pieces: DF_OK, DF_EOF, or an error. */
typedef int (*dfi_raw_fn)(void *ctx, const uint8_t **p, size_t *n);
/*
 * Write (through emit) the stream of wrap w whose raw bytes raw hands out, cut at m: its
 * bytes before m unchanged, then one final block at `level` holding decoded bytes m->out to
 * `keep` (inflated again from m) and then extra, then the trailer of all.  DF_OK;
 * DF_E_UNSUPPORTED before anything was emitted (not a deflate wrap, keep before m); else an
 * error after a part was emitted (DF_E_IO: emit failed).
 */
DFI_HIDDEN int dfi_zsplice(const dfi_zmark *m, dfi_wrap w, int level, int64_t keep, dfi_raw_fn raw,
                           void *raw_ctx, const void *extra, size_t extra_len, dfi_emit_fn emit,
                           void *ctx);

/*
 * A block boundary found after the stream was decoded by the reader (ISA-L or zlib): feed
 * every decoded byte in order, then dfi_ztail_mark searches the raw bytes' end for the latest
 * boundary with at most `limit` decoded bytes before it, checked by decoding again.  DF_OK (m
 * filled), DF_E_UNSUPPORTED (none found: encode the rows again), DF_E_NOMEM.
 */
typedef struct dfi_ztail dfi_ztail;
DFI_HIDDEN dfi_ztail *dfi_ztail_new(dfi_wrap w); /* NULL: not a deflate wrap, or no memory */
DFI_HIDDEN void dfi_ztail_free(dfi_ztail *t);
DFI_HIDDEN void dfi_ztail_feed(dfi_ztail *t, const uint8_t *p, size_t n);
DFI_HIDDEN int dfi_ztail_mark(const dfi_ztail *t, int64_t limit, dfi_raw_fn raw, void *raw_ctx,
                              dfi_zmark *m);

#endif /* DUMPFMT_SPLICE_GZ_H */
