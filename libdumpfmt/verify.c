/*
 * verify.c — the verifier behind dumpcheck: reads a dump's header and TOC
 * through the reader, then walks every byte of its data area itself and
 * reports findings (stable code, severity, entry, raw offset, message).
 *
 *  - custom: every block's framing (type byte, dump id, chunk chain, LO OID
 *    list, terminators), offsets against where blocks really are, what
 *    follows the last block (nothing, or the TOC copy of spec §5.5);
 *  - tar: every member header (checksum, size against the file), every data
 *    member present, the end-of-archive blocks;
 *  - directory: every data file, LO list and LO file present;
 *  - plain scripts: what the plain reader measured (COPY terminators, the
 *    "dump complete" trailer, psql meta-commands), and the script's last
 *    bytes against the lines pg_dump ends it with;
 *  - full mode (not --quick): every stream decompressed with its integrity
 *    check (Adler-32, CRC-32 + ISIZE, lz4 end mark, complete zstd frame),
 *    nothing after a stream's end, and COPY text checked row by row
 *    (dfi_copycheck); LO sets against their TOC entries; sequences against
 *    the maximum of the column they feed.
 *
 * Why not the reader's data layer: the verifier must see every structure
 * boundary, tell "incomplete" from "missing", report the raw offset of the
 * chunk or member that is damaged, and hand blocks to worker threads that
 * each read their own copy of the file; the reader finds data lazily and
 * stops at the first error.  The framing is small (spec §5.1, §7.2) and is
 * walked here with the library's own buffer, integer and codec primitives.
 *
 * Threads: with opt->threads > 1 and a file that can be reopened, a first
 * structural walk (the quick check) finds every block or member, then
 * workers decompress them, largest first, each with its own source.  Pipes,
 * one thread and uncompressed custom archives are read once, in file order,
 * decoding as the walk goes.  Findings are attached to their entry and
 * merged in TOC order, so the output does not depend on the number of
 * threads.
 *
 * Here: the checks of the TOC, the walks, the run.  Elsewhere, each behind
 * a short interface: the streams and workers' buffers (verify_stream.c),
 * plain scripts (verify_plain.c), the findings lists (findings.c), COPY
 * rows (copycheck.c), values (valuecheck.c), sequence facts (seqfacts.c),
 * large-object reconciliation (lofacts.c), the thread pool (workpool.c).
 */
#include "verify.h"
#include "entrytype.h"
#include "codec_gzip.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define V_TAR_BLOCK 512

/* ================================================================== */
/* Names                                                               */
/* ================================================================== */

const char *df_severity_name(int severity)
{
    switch (severity) {
    case DF_SEVERITY_INFO: return "info";
    case DF_SEVERITY_WARNING: return "warning";
    case DF_SEVERITY_ERROR: return "error";
    default: return "unknown";
    }
}

const char *df_verdict_name(int verdict)
{
    switch (verdict) {
    case DF_VERDICT_OK: return "OK";
    case DF_VERDICT_WARNING: return "WARNING";
    case DF_VERDICT_DAMAGED: return "DAMAGED";
    default: return "UNKNOWN";
    }
}

void df_verify_options_default(df_verify_options *o)
{
    memset(o, 0, sizeof *o);
}

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* From the calling thread only: report progress about ten times a second. */
static void progress_tick(vctx *c, bool force)
{
    df_progress p;
    int64_t t;

    if (c->opt->progress == NULL)
        return;
    t = now_ns();
    if (!force && c->prog_last_ns != 0 && t - c->prog_last_ns < 100000000)
        return;
    c->prog_last_ns = t;
    p.done = __atomic_load_n(&c->prog_done, __ATOMIC_RELAXED);
    p.total = c->prog_total;
    p.entry = __atomic_load_n(&c->prog_entry, __ATOMIC_RELAXED);
    c->opt->progress(c->opt->progress_ctx, &p);
}

/* Count stored bytes done; the calling thread also reports them. */
static void note_progress(vworker *w, const dfi_buf *b, int64_t bytes)
{
    if (w->main) {
        if (b != NULL)
            w->c->prog_done = dfi_buf_tell(b) - w->prog_base;
        else
            w->c->prog_done += bytes;
        progress_tick(w->c, false);
    } else {
        __atomic_add_fetch(&w->c->prog_done, bytes, __ATOMIC_RELAXED);
    }
}

/* ================================================================== */
/* Custom format (spec §5.1)                                           */
/* ================================================================== */

#define BLK_DATA 1
#define BLK_BLOBS 3
#define V13 DF_MAKE_VERSION(1, 3, 0)

/* The walk could not read `what` (at `at`) inside the block starting at `block`. */
static void framing_fail(vctx *c, ventry *ve, int rc, const df_error *err, int64_t block,
                         const char *what, int64_t at)
{
    switch (rc) {
    case DF_E_TRUNCATED:
        where_add(c, ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, err->offset, NULL,
                  "the file ends at offset %lld inside the data block that starts at offset "
                  "%lld (%s at offset %lld is incomplete)",
                  (long long)err->offset, (long long)block, what, (long long)at);
        break;
    case DF_E_LIMIT:
        where_add(c, ve, DF_FIND_OVER_LIMIT, DF_SEVERITY_ERROR, err->offset, NULL,
                  "%s, in the data block that starts at offset %lld", err->message,
                  (long long)block);
        break;
    case DF_E_CORRUPT:
        where_add(c, ve, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, err->offset, NULL,
                  "%s, in the data block that starts at offset %lld", err->message,
                  (long long)block);
        break;
    case DF_E_IO:
        where_add(c, ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, err->offset, NULL, "%s",
                  err->message);
        break;
    default:
        where_add(c, ve, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, err->offset, NULL, "%s",
                  err->message[0] ? err->message : df_strstatus(rc));
        break;
    }
}

/* Is this block the data of an entry that may have one?  Says why not (once, when recording). */
static bool block_usable(vctx *c, ventry *ve, int32_t id, int type, int64_t pos, int flags)
{
    bool rec = flags & V_REC;

    if (ve == NULL) {
        if (rec)
            vlist_add(&c->post, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, NULL, pos, NULL,
                      "a data block for dump id %d, which is not in the TOC, starts at offset %lld",
                      id, (long long)pos);
        return false;
    }
    if (!ve->data) {
        if (rec)
            entry_add(ve, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, pos, NULL,
                      "a data block for this entry starts at offset %lld, but the TOC gives it "
                      "no data",
                      (long long)pos);
        return false;
    }
    if ((type == BLK_BLOBS) != ve->blobs) {
        if (rec)
            entry_add(ve, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, pos, NULL,
                      "the data block at offset %lld has type %d, which does not fit this entry",
                      (long long)pos, type);
        return false;
    }
    if (rec && ve->found != V_FOUND_NONE) {
        entry_add(ve, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, pos, NULL,
                  "a second data block for this entry starts at offset %lld (the first at %lld)",
                  (long long)pos, (long long)ve->start);
        return false;
    }
    return true;
}

/* Feed `size` bytes at the buffer's position to stream s, piece by piece, counting progress. */
static int feed_bytes(vworker *w, dfi_buf *b, df_error *err, vstream *s, int64_t size)
{
    int64_t left = size;

    while (left > 0) {
        size_t take;
        int rc = dfi_buf_fill(b, err);

        if (rc == DF_EOF)
            rc = dfi_fail(err, DF_E_TRUNCATED, dfi_buf_tell(b), "unexpected end of file");
        if (rc != DF_OK)
            return rc;
        take = dfi_buf_avail(b);
        if ((int64_t)take > left)
            take = (size_t)left;
        stream_feed(s, dfi_buf_ptr(b), take, dfi_buf_tell(b));
        dfi_buf_consume(b, take);
        left -= (int64_t)take;
        note_progress(w, b, (int64_t)take);
    }
    return DF_OK;
}

/* One chunk's payload: skipped, or fed to the stream piece by piece. */
static int chunk_payload(vworker *w, dfi_buf *b, df_error *err, vstream *s, int32_t len)
{
    return s == NULL ? dfi_buf_skip(b, len, err) : feed_bytes(w, b, err, s, len);
}

/*
 * --quick over a seekable custom file: a payload skipped past the window is a seek
 * (dfi_buf_skip), and after a big one the next read is capped so that it brings the next
 * chunk header and little else.  Only big chunks are worth it: lz4 (64 KiB blocks) and zstd
 * (~128 KiB) ones.  A seek and a small read cost more than reading 4 KiB from the page cache,
 * so pg_dump's 4 KiB gzip chunks (measured: 1.5x slower sparse) and the one-chunk-per-row
 * uncompressed archives are read a window at a time as before.
 */
#define V_SPARSE_MIN 32768 /* payloads from this size are skipped by seeking */
#define V_SPARSE_READ 64   /* bytes read after such a payload */

static void sparse_next_read(dfi_buf *b, int32_t len)
{
    b->src->io_cap = len >= V_SPARSE_MIN ? V_SPARSE_READ : 0;
}

/*
 * Walk one chunk stream to its 0 terminator, feeding the payload to s (when
 * not NULL).  On failure `what` and *fail_at say which part could not be read
 * (formatted only then: an uncompressed archive has a chunk per row).
 */
static int chunk_stream(vctx *c, vworker *w, dfi_buf *b, df_error *err, vstream *s, char *what,
                        size_t wn, int64_t *fail_at)
{
    const dfi_arch *a = &c->r->arch;

    for (;;) {
        int64_t at = dfi_buf_tell(b);
        int32_t len;
        int rc = dfi_read_int(b, a, &len, err);

        if (rc == DF_OK && len < 0)
            rc = dfi_fail(err, DF_E_CORRUPT, at, "negative chunk length %d", len);
        else if (rc == DF_OK && len > c->r->lim.max_chunk)
            rc = dfi_fail(err, DF_E_LIMIT, at, "chunk length %d exceeds the limit of %lld", len,
                          (long long)c->r->lim.max_chunk);
        if (rc != DF_OK) {
            *fail_at = at;
            snprintf(what, wn, "a chunk length");
            return rc;
        }
        if (len == 0)
            return DF_OK;
        if (s == NULL && c->sparse)
            sparse_next_read(b, len);
        rc = chunk_payload(w, b, err, s, len);
        if (rc != DF_OK) {
            *fail_at = at;
            snprintf(what, wn, "a chunk of %d bytes", len);
            return rc;
        }
    }
}

static dfi_wrap custom_wrap(const vctx *c)
{
    switch (c->r->hdr.compression) {
    case DF_COMPRESS_GZIP: return DFI_WRAP_ZLIB;
    case DF_COMPRESS_LZ4: return DFI_WRAP_LZ4F;
    case DF_COMPRESS_ZSTD: return DFI_WRAP_ZSTD;
    default: return DFI_WRAP_RAW;
    }
}

static int add_lo(ventry *ve, uint32_t oid, int64_t start, int64_t size, const char *name,
                  dfi_wrap wrap)
{
    vlo *lo;

    if (ve->nlos == ve->caplos) {
        size_t cap = ve->caplos ? ve->caplos * 2 : 8;
        vlo *nv = realloc(ve->los, cap * sizeof *nv);
        if (nv == NULL)
            return DF_E_NOMEM;
        ve->los = nv;
        ve->caplos = cap;
    }
    lo = &ve->los[ve->nlos];
    *lo = (vlo){oid, start, size, NULL, wrap};
    if (name != NULL && (lo->name = strdup(name)) == NULL)
        return DF_E_NOMEM;
    ve->nlos++;
    return DF_OK;
}

/* May the BLOBS entry take one more large object?  Said once when it may not (max_los). */
static bool lo_room(vctx *c, ventry *ve, int64_t at, const char *member)
{
    df_error err;

    if (dfi_limit_los(&c->r->lim, (int64_t)ve->nlos, &err, at) == DF_OK)
        return true;
    if (!ve->los_over)
        entry_add(ve, DF_FIND_OVER_LIMIT, DF_SEVERITY_ERROR, at, member, "%s", err.message);
    ve->los_over = true;
    return false;
}

/* The body of a BLOBS block: (OID, chunk stream)* then OID 0. */
static int blobs_body(vctx *c, vworker *w, dfi_buf *b, df_error *err, ventry *ve, int flags,
                      bool dec, char *what, size_t wn, int64_t *fail_at)
{
    for (int64_t k = 0;; k++) {
        int64_t at = dfi_buf_tell(b);
        int32_t oid;
        vstream s;
        int rc = dfi_read_int(b, &c->r->arch, &oid, err);

        *fail_at = at;
        snprintf(what, wn, "a large object OID");
        if (rc != DF_OK)
            return rc;
        if (oid == 0)
            return DF_OK;
        if ((rc = dfi_limit_los(&c->r->lim, k, err, at)) != DF_OK)
            return rc;
        if ((flags & V_REC) && ve != NULL && add_lo(ve, (uint32_t)oid, -1, 0, NULL, 0) != DF_OK)
            return dfi_fail(err, DF_E_NOMEM, at, "out of memory");
        if (dec)
            stream_begin(&s, w, ve, custom_wrap(c), false, at, -1, "");
        rc = chunk_stream(c, w, b, err, dec ? &s : NULL, what, wn, fail_at);
        if (dec) {
            if (rc == DF_OK)
                stream_end(&s, dfi_buf_tell(b));
            else
                stream_close(&s);
        }
        if (rc != DF_OK)
            return rc;
    }
}

/* The body of a data block: one chunk stream. */
static int data_body(vctx *c, vworker *w, dfi_buf *b, df_error *err, ventry *ve, bool dec,
                     int64_t pos, char *what, size_t wn, int64_t *fail_at)
{
    vstream s;
    int rc;

    if (dec)
        stream_begin(&s, w, ve, custom_wrap(c), ve->table, pos,
                     ve->found == V_FOUND_COMPLETE ? ve->end : -1, "");
    rc = chunk_stream(c, w, b, err, dec ? &s : NULL, what, wn, fail_at);
    if (dec) {
        if (rc == DF_OK)
            stream_end(&s, dfi_buf_tell(b));
        else
            stream_close(&s);
    }
    return rc;
}

/* One block at the buffer's position: V_REC records where it is, V_DEC checks its data. */
static int custom_block(vctx *c, vworker *w, dfi_buf *b, df_error *err, int flags)
{
    int64_t pos = dfi_buf_tell(b), fail_at = pos;
    int type = BLK_DATA, rc;
    int32_t id = 0;
    ventry *ve, *home = (flags & V_REC) ? NULL : w->expect;
    bool usable, dec;
    size_t mark;
    char what[80] = "the block header";

    if (c->r->arch.version >= V13)
        rc = dfi_read_byte(b, &type, err);
    else
        rc = DF_OK;
    if (rc == DF_OK)
        rc = dfi_read_int(b, &c->r->arch, &id, err);
    if (rc != DF_OK) {
        framing_fail(c, home, rc, err, pos, what, pos);
        return rc;
    }
    {
        ssize_t idx = dfi_find_index(c->r, id);
        ve = idx >= 0 ? &c->ents[idx] : NULL;
    }
    /* A worker only ever touches its own entry (the file changed under us?). */
    if (home != NULL && ve != home) {
        entry_add(home, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, pos, NULL,
                  "the data block at offset %lld now names dump id %d, not this entry",
                  (long long)pos, id);
        return DF_E_CORRUPT;
    }
    usable = block_usable(c, ve, id, type, pos, flags);
    dec = usable && (flags & V_DEC);
    mark = ve ? ve->finds.n : 0;
    if (usable && (flags & V_REC)) {
        ve->found = V_FOUND_PARTIAL;
        ve->start = pos;
    }
    if (type == BLK_BLOBS)
        rc = blobs_body(c, w, b, err, usable ? ve : NULL, flags, dec, what, sizeof what, &fail_at);
    else
        rc = data_body(c, w, b, err, ve, dec, pos, what, sizeof what, &fail_at);
    if (rc != DF_OK) {
        /* The block is cut or broken: what its partial data showed is noise. */
        if (dec) {
            vlist_truncate(&ve->finds, mark);
            ve->rows = ve->bytes = 0;
        }
        if (usable && (flags & V_REC))
            ve->cut = true;
        framing_fail(c, ve, rc, err, pos, what, fail_at);
        return rc;
    }
    if (usable && (flags & V_REC)) {
        ve->found = V_FOUND_COMPLETE;
        ve->end = dfi_buf_tell(b);
        ve->stored = ve->end - pos;
    }
    if (dec)
        ve->decoded = true;
    return DF_OK;
}

/* Walk the data area block by block from the buffer's position to its end. */
static void custom_walk(vctx *c, vworker *w, dfi_buf *b, df_error *err, int flags)
{
    for (;;) {
        int64_t pos = dfi_buf_tell(b);
        int rc = dfi_buf_fill(b, err);

        c->walk_end = pos;
        if (rc == DF_EOF) {
            c->walk_stop = V_STOP_EOF;
            return;
        }
        if (rc != DF_OK) {
            framing_fail(c, NULL, rc, err, pos, "the next block", pos);
            c->walk_stop = V_STOP_ERROR;
            return;
        }
        if (c->r->arch.version >= V13) {
            int t = dfi_buf_ptr(b)[0];
            if (t != BLK_DATA && t != BLK_BLOBS) {
                c->walk_stop = V_STOP_OTHER;
                return;
            }
        }
        if (custom_block(c, w, b, err, flags) != DF_OK) {
            c->walk_stop = V_STOP_ERROR;
            c->walk_end = err->code == DF_E_TRUNCATED ? err->offset : pos;
            return;
        }
        note_progress(w, b, 0);
    }
}

/* Offset of the first byte that is missing, for messages about a cut file. */
static int64_t eof_offset(const vctx *c)
{
    return c->file_size >= 0 ? c->file_size : c->walk_end;
}

/* After the walk: entries whose block never showed up. */
static void custom_missing(vctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        const df_entry *e = ve->e;
        char where[96] = "";

        if (!ve->data || ve->found != V_FOUND_NONE)
            continue;
        if (e->offset_state == DF_OFFSET_SET)
            snprintf(where, sizeof where, " (the TOC puts it at offset %lld)",
                     (long long)e->data_offset);
        if (c->walk_stop == V_STOP_OTHER)
            entry_add(ve, DF_FIND_MISSING_DATA, DF_SEVERITY_ERROR, c->walk_end, NULL,
                      "no data block for this entry: the data area ends at offset %lld%s",
                      (long long)c->walk_end, where);
        else
            entry_add(ve, DF_FIND_MISSING_DATA, DF_SEVERITY_ERROR, eof_offset(c), NULL,
                      "the data of this entry are missing: the archive ends at offset %lld "
                      "before its data block%s",
                      (long long)eof_offset(c), where);
    }
}

/* Stored offsets against where the blocks are (spec §5.3). */
static void custom_offsets(vctx *c)
{
    int64_t last = -1;
    bool disorder = false;

    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        const df_entry *e = ve->e;

        if (!ve->data || e->offset_state != DF_OFFSET_SET)
            continue;
        if (e->data_offset < c->r->hdr.toc_end)
            entry_add(ve, DF_FIND_BAD_OFFSET, DF_SEVERITY_ERROR, e->toc_offset, NULL,
                      "the TOC puts the data block at offset %lld, inside the header or TOC",
                      (long long)e->data_offset);
        else if (ve->found != V_FOUND_NONE && ve->start != e->data_offset)
            entry_add(ve, DF_FIND_BAD_OFFSET, DF_SEVERITY_ERROR, e->toc_offset, NULL,
                      "the TOC puts the data block at offset %lld, but it starts at offset %lld",
                      (long long)e->data_offset, (long long)ve->start);
        if (e->data_offset < last)
            disorder = true;
        last = e->data_offset;
    }
    if (disorder)
        vlist_add(&c->pre, DF_FIND_OFFSETS_OUT_OF_ORDER, DF_SEVERITY_INFO, NULL, -1, NULL,
                  "the data offsets in the TOC are not in TOC order (pg_dump writes blocks in "
                  "TOC order)");
}

/* Where the OFF field of each entry lies inside the TOC (relative to the TOC count). */
static int64_t off_field(const vctx *c, size_t i)
{
    const df_header *h = &c->r->hdr;
    int64_t end = i + 1 < c->n ? c->ents[i + 1].e->toc_offset : h->toc_end;

    return end - (1 + h->off_size) - h->header_end;
}

static uint8_t *read_range(const char *path, int64_t from, int64_t len, df_error *err)
{
    dfi_src src;
    uint8_t *p;
    int64_t got = 0;

    if (len < 0 || len > (1LL << 30) || (p = malloc(len > 0 ? (size_t)len : 1)) == NULL)
        return NULL;
    if (dfi_src_open_path(&src, path, err) != DF_OK) {
        free(p);
        return NULL;
    }
    if (dfi_src_seek(&src, from, err) == DF_OK) {
        while (got < len) {
            ssize_t k = dfi_src_read(&src, p + got, (size_t)(len - got), err);
            if (k <= 0)
                break;
            got += k;
        }
    }
    dfi_src_close(&src);
    if (got != len) {
        free(p);
        return NULL;
    }
    return p;
}

static int64_t le_uint(const uint8_t *p, int n)
{
    uint64_t v = 0;

    for (int k = n - 1; k >= 0; k--)
        v = v << 8 | p[k];
    return (int64_t)v;
}

/*
 * Compare trailer byte k (relative to the TOC count) with the leading TOC:
 * equal, except in OFF fields, where the copy has flag 2 and the offset of
 * the entry's block.  `pend` accumulates an OFF field split over pieces.
 */
typedef struct trailer_cmp {
    const uint8_t *lead; /* the leading TOC, NULL when it cannot be reread (pipe) */
    size_t next_entry;   /* next entry whose OFF field is ahead */
    int64_t diff_at;     /* first difference (relative), -1 none */
    uint8_t off[16];
} trailer_cmp;

static void trailer_off(vctx *c, trailer_cmp *t, size_t i, int64_t rel)
{
    const ventry *ve = &c->ents[i];
    int osz = c->r->hdr.off_size;
    int flag = t->off[0];
    int lead_flag = t->lead[rel];

    if (t->diff_at >= 0)
        return;
    if (flag == lead_flag && memcmp(t->off + 1, t->lead + rel + 1, (size_t)osz) == 0)
        return;
    if (flag == DF_OFFSET_SET && ve->found != V_FOUND_NONE && le_uint(t->off + 1, osz) == ve->start)
        return;
    t->diff_at = rel;
}

static void trailer_piece(vctx *c, trailer_cmp *t, const uint8_t *p, size_t n, int64_t rel0)
{
    int osz = c->r->hdr.off_size;

    for (size_t k = 0; k < n && t->diff_at < 0; k++) {
        int64_t rel = rel0 + (int64_t)k;

        while (t->next_entry < c->n && off_field(c, t->next_entry) + 1 + osz <= rel)
            t->next_entry++;
        if (t->next_entry < c->n && rel >= off_field(c, t->next_entry)) {
            int64_t o = off_field(c, t->next_entry);
            t->off[rel - o] = p[k];
            if (rel - o == osz)
                trailer_off(c, t, t->next_entry, o);
            continue;
        }
        if (p[k] != t->lead[rel])
            t->diff_at = rel;
    }
}

/*
 * What follows the last block: pg_dump 16+ writing to a redirected stdout
 * appends a copy of the TOC (spec §5.5).  Anything else pg_dump never writes.
 */
static void custom_trailer(vctx *c, dfi_buf *b, df_error *err)
{
    const df_header *h = &c->r->hdr;
    int64_t at = c->walk_end, expect = h->toc_end - h->header_end, got = 0;
    trailer_cmp t = {NULL, 0, -1, {0}};
    int rc;

    if (c->path != NULL && c->r->src.seekable)
        t.lead = read_range(c->path, h->header_end, expect, err);
    if (dfi_buf_seek(b, at, err) != DF_OK)
        return;
    while ((rc = dfi_buf_fill(b, err)) == DF_OK) {
        size_t n = dfi_buf_avail(b);
        size_t use = got >= expect ? 0 : got + (int64_t)n > expect ? (size_t)(expect - got) : n;

        if (t.lead != NULL)
            trailer_piece(c, &t, dfi_buf_ptr(b), use, got);
        else if (got == 0 && dfi_buf_ptr(b)[0] != 0)
            t.diff_at = 0; /* a TOC copy starts with the sign byte of its count */
        got += (int64_t)n;
        dfi_buf_consume(b, n);
    }
    free((void *)t.lead);
    if (rc != DF_EOF) {
        vlist_add(&c->post, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, NULL, err->offset, NULL, "%s",
                  err->message);
        return;
    }
    if (t.diff_at >= 0) {
        vlist_add(&c->post, DF_FIND_TRAILING_DATA, DF_SEVERITY_ERROR, NULL, at, NULL,
                  "%lld bytes after the last data block (from offset %lld) are neither a data "
                  "block nor a copy of the TOC (first difference at offset %lld)",
                  (long long)got, (long long)at, (long long)(at + t.diff_at));
    } else if (got < expect) {
        vlist_add(&c->post, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, NULL, at + got, NULL,
                  "the copy of the TOC that follows the data (from offset %lld) ends after %lld "
                  "of its %lld bytes",
                  (long long)at, (long long)got, (long long)expect);
    } else if (got > expect) {
        vlist_add(&c->post, DF_FIND_TRAILING_DATA, DF_SEVERITY_ERROR, NULL, at + expect, NULL,
                  "%lld bytes follow the copy of the TOC after the data",
                  (long long)(got - expect));
    } else {
        vlist_add(&c->post, DF_FIND_TOC_COPY, DF_SEVERITY_INFO, NULL, at, NULL,
                  "a copy of the TOC (%lld bytes) follows the last data block, as pg_dump 16+ "
                  "writes it to a redirected stdout; %s",
                  (long long)expect,
                  c->path != NULL && c->r->src.seekable
                      ? "it matches the TOC and its offsets point at the data blocks"
                      : "its length matches the TOC (not compared: the input cannot be reread)");
    }
}

/* ================================================================== */
/* Tar format (spec §7)                                                */
/* ================================================================== */

static int64_t round_block(int64_t v)
{
    return (v + V_TAR_BLOCK - 1) / V_TAR_BLOCK * V_TAR_BLOCK;
}

/* blob_<oid>.dat or blob_<oid>.dat.gz: the OID, else 0. */
static uint32_t blob_member_oid(const char *name, dfi_wrap *wrap)
{
    char *end;
    unsigned long v;

    if (strncmp(name, "blob_", 5) != 0)
        return 0;
    v = strtoul(name + 5, &end, 10);
    if (end == name + 5 || v == 0 || v > UINT32_MAX)
        return 0;
    if (strcmp(end, ".dat") == 0)
        *wrap = DFI_WRAP_RAW;
    else if (strcmp(end, ".dat.gz") == 0)
        *wrap = DFI_WRAP_GZIP;
    else
        return 0;
    return (uint32_t)v;
}

static int cmp_by_file(const void *a, const void *b)
{
    const ventry *x = *(ventry *const *)a, *y = *(ventry *const *)b;
    int d = strcmp(x->e->filename, y->e->filename);

    return d != 0 ? d : (x < y ? -1 : x > y); /* equal names: TOC order */
}

/*
 * Index the data entries by file name once, so that finding a member's
 * entry is a binary search: scanning every entry for every member made a
 * tar of 100,000 tables quadratic.  False when out of memory.
 */
static bool index_by_file(vctx *c)
{
    if (c->by_file != NULL)
        return true;
    c->by_file = malloc((c->n ? c->n : 1) * sizeof *c->by_file);
    if (c->by_file == NULL)
        return false;
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        if (ve->data && !ve->blobs && ve->e->filename != NULL)
            c->by_file[c->nby_file++] = ve;
    }
    qsort(c->by_file, c->nby_file, sizeof *c->by_file, cmp_by_file);
    return true;
}

/* strcmp of file name f with the first len bytes of name. */
static int cmp_name_prefix(const char *f, const char *name, size_t len)
{
    int d = strncmp(f, name, len);

    return d != 0 ? d : f[len] != '\0';
}

/* The first entry (in TOC order) whose file name is the first len bytes of name, or NULL. */
static ventry *find_by_file(const vctx *c, const char *name, size_t len)
{
    size_t lo = 0, hi = c->nby_file;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_name_prefix(c->by_file[mid]->e->filename, name, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < c->nby_file && cmp_name_prefix(c->by_file[lo]->e->filename, name, len) == 0)
        return c->by_file[lo];
    return NULL;
}

/* The TABLE DATA (or other non-BLOBS data) entry stored in member `name`. */
static ventry *tar_data_entry(vctx *c, const char *name, dfi_wrap *wrap)
{
    size_t len = strlen(name);
    ventry *ve;

    if (!index_by_file(c))
        return NULL;
    if ((ve = find_by_file(c, name, len)) != NULL) {
        *wrap = DFI_WRAP_RAW;
        return ve;
    }
    if (len > 3 && strcmp(name + len - 3, ".gz") == 0 &&
        (ve = find_by_file(c, name, len - 3)) != NULL) {
        *wrap = DFI_WRAP_GZIP;
        return ve;
    }
    return NULL;
}

/*
 * The BLOBS entry a run of blob members starting with `oid` belongs to:
 * from 1.16 the entry whose tag starts with that OID (pg_restore seeks to
 * blob_<first OID of the tag>.dat), before that the one BLOBS entry.
 */
static ventry *tar_blobs_entry(vctx *c, uint32_t oid)
{
    bool v116 = c->r->arch.version >= DF_MAKE_VERSION(1, 16, 0);

    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];

        if (!ve->blobs || !ve->data)
            continue;
        if (!v116 || strtoul(ve->e->tag ? ve->e->tag : "0", NULL, 10) == oid)
            return ve;
    }
    return NULL;
}

/* Feed `size` bytes of member data at the buffer's position to a stream (or skip them). */
static int tar_member_data(vworker *w, dfi_buf *b, df_error *err, vstream *s, int64_t size)
{
    int rc;

    if (s != NULL)
        return feed_bytes(w, b, err, s, size);
    rc = dfi_buf_skip(b, size, err);
    if (rc == DF_OK)
        note_progress(w, b, size);
    return rc;
}

static void tar_fail(vctx *c, ventry *ve, int rc, const df_error *err, const char *member,
                     const char *what)
{
    if (rc == DF_E_TRUNCATED)
        where_add(c, ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, err->offset, member,
                  "the file ends at offset %lld inside %s", (long long)err->offset, what);
    else if (rc == DF_E_IO)
        where_add(c, ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, err->offset, member, "%s",
                  err->message);
    else
        where_add(c, ve, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, err->offset, member, "%s",
                  err->message[0] ? err->message : df_strstatus(rc));
}

/* One member's data: which entry it is, recorded and/or checked. */
static int tar_member(vctx *c, vworker *w, dfi_buf *b, df_error *err, int flags, const char *name,
                      int64_t data, int64_t size, ventry **run)
{
    dfi_wrap wrap = DFI_WRAP_RAW;
    uint32_t oid = blob_member_oid(name, &wrap);
    ventry *ve = NULL;
    vstream s;
    bool dec;
    int rc;
    char what[400];

    if (oid != 0) {
        if (*run == NULL && (*run = tar_blobs_entry(c, oid)) == NULL && (flags & V_REC))
            vlist_add(&c->post, DF_FIND_LO_MISMATCH, DF_SEVERITY_ERROR, NULL, data - V_TAR_BLOCK,
                      name, "large object member \"%s\" belongs to no BLOBS entry of the TOC",
                      name);
        ve = *run;
        if (ve != NULL && (flags & V_REC) && !lo_room(c, ve, data - V_TAR_BLOCK, name))
            ve = NULL; /* over max_los: neither recorded nor checked */
        if (ve != NULL && (flags & V_REC)) {
            if (add_lo(ve, oid, data, size, name, wrap) != DF_OK)
                return dfi_fail(err, DF_E_NOMEM, data, "out of memory");
            ve->found = V_FOUND_COMPLETE;
            ve->stored += size;
        }
    } else {
        *run = NULL;
        ve = tar_data_entry(c, name, &wrap);
        if (ve != NULL && (flags & V_REC)) {
            if (ve->found != V_FOUND_NONE) {
                entry_add(ve, DF_FIND_BAD_MEMBER, DF_SEVERITY_ERROR, data - V_TAR_BLOCK, name,
                          "a second member \"%s\" holds the data of this entry", name);
                ve = NULL;
            } else {
                ve->found = V_FOUND_COMPLETE;
                ve->start = data;
                ve->end = data + size;
                ve->stored = size;
                ve->wrap = wrap;
                if ((ve->member = strdup(name)) == NULL)
                    return dfi_fail(err, DF_E_NOMEM, data, "out of memory");
            }
        }
    }
    dec = ve != NULL && (flags & V_DEC);
    if (dec)
        stream_begin(&s, w, ve, wrap, oid == 0 && ve->table, data, data + size, name);
    rc = tar_member_data(w, b, err, dec ? &s : NULL, size);
    if (dec) {
        if (rc == DF_OK)
            stream_end(&s, data + size);
        else
            stream_close(&s);
    }
    if (rc != DF_OK) {
        if (ve != NULL && (flags & V_REC)) {
            ve->found = V_FOUND_PARTIAL;
            ve->cut = true;
            ve->stored -= size; /* counted above; a cut member stores nothing usable */
        }
        snprintf(what, sizeof what, "the data of member \"%s\" (offsets %lld..%lld)", name,
                 (long long)data, (long long)(data + size));
        tar_fail(c, ve, rc, err, name, what);
        return rc;
    }
    if (dec && oid == 0)
        ve->decoded = true;
    return DF_OK;
}

/* The two zero blocks that end a tar archive; anything after them is ignored. */
static void tar_end_blocks(vctx *c, dfi_buf *b, df_error *err, int64_t at)
{
    int rc;

    dfi_buf_consume(b, V_TAR_BLOCK);
    rc = dfi_buf_need(b, V_TAR_BLOCK, err);
    c->walk_stop = V_STOP_EOF;
    if (rc == DF_E_TRUNCATED) {
        vlist_add(&c->post, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, NULL, err->offset, NULL,
                  "the file ends at offset %lld inside the end-of-archive blocks that start at "
                  "offset %lld",
                  (long long)err->offset, (long long)at);
        c->walk_stop = V_STOP_ERROR;
    } else if (rc != DF_OK) {
        tar_fail(c, NULL, rc, err, NULL, "the end-of-archive blocks");
        c->walk_stop = V_STOP_ERROR;
    } else if (!dfi_tar_all_zero(dfi_buf_ptr(b))) {
        vlist_add(&c->post, DF_FIND_BAD_MEMBER, DF_SEVERITY_ERROR, NULL, at + V_TAR_BLOCK, NULL,
                  "a single zero block at offset %lld is followed by a non-zero block",
                  (long long)at);
        c->walk_stop = V_STOP_ERROR;
    }
    c->walk_end = at;
}

/* Walk the members after toc.dat to the end-of-archive blocks. */
static void tar_walk(vctx *c, vworker *w, dfi_buf *b, df_error *err, int flags)
{
    ventry *run = NULL;

    for (;;) {
        int64_t at = dfi_buf_tell(b), size = 0, data;
        char name[256];
        const uint8_t *h;
        int rc = dfi_buf_need(b, V_TAR_BLOCK, err);

        c->walk_end = at;
        c->walk_stop = V_STOP_ERROR;
        if (rc == DF_E_TRUNCATED && err->offset == at) {
            vlist_add(&c->post, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, NULL, at, NULL,
                      "the tar archive ends at offset %lld without its end-of-archive blocks",
                      (long long)at);
            return;
        }
        if (rc != DF_OK) {
            tar_fail(c, NULL, rc, err, NULL, "a member header");
            if (rc == DF_E_TRUNCATED)
                c->walk_end = err->offset;
            return;
        }
        h = dfi_buf_ptr(b);
        if (dfi_tar_all_zero(h)) {
            tar_end_blocks(c, b, err, at);
            return;
        }
        if (!dfi_tar_checksum_ok(h)) {
            vlist_add(&c->post, DF_FIND_BAD_CHECKSUM, DF_SEVERITY_ERROR, NULL, at, NULL,
                      "tar header checksum mismatch in the member header at offset %lld",
                      (long long)at);
            return;
        }
        if (!dfi_tar_parse_size(h + 124, &size)) {
            vlist_add(&c->post, DF_FIND_BAD_MEMBER, DF_SEVERITY_ERROR, NULL, at + 124, NULL,
                      "invalid size field in the member header at offset %lld", (long long)at);
            return;
        }
        dfi_tar_member_name(h, name, sizeof name);
        dfi_buf_consume(b, V_TAR_BLOCK);
        data = at + V_TAR_BLOCK;
        if (c->file_size >= 0 && data + size > c->file_size) {
            dfi_wrap wrap;
            uint32_t oid = blob_member_oid(name, &wrap);
            ventry *ve =
                oid ? (run ? run : tar_blobs_entry(c, oid)) : tar_data_entry(c, name, &wrap);
            if (ve != NULL && (flags & V_REC)) {
                ve->found = V_FOUND_PARTIAL;
                ve->cut = true;
            }
            /* the same words a pipe gets when its data run out (tar_member) */
            where_add(c, ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, c->file_size, name,
                      "the file ends at offset %lld inside the data of member \"%s\" (offsets "
                      "%lld..%lld)",
                      (long long)c->file_size, name, (long long)data, (long long)(data + size));
            return;
        }
        rc = tar_member(c, w, b, err, flags, name, data, size, &run);
        if (rc == DF_OK && (rc = dfi_buf_skip(b, round_block(size) - size, err)) != DF_OK) {
            char what[300];
            snprintf(what, sizeof what, "the padding of member \"%s\"", name);
            tar_fail(c, NULL, rc, err, name, what);
        }
        if (rc != DF_OK) {
            if (rc == DF_E_TRUNCATED)
                c->walk_end = err->offset; /* a pipe: where the input ended */
            return;
        }
    }
}

/* Entries whose member never showed up. */
static void tar_missing(vctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        char name[300];

        if (!ve->data || ve->found != V_FOUND_NONE)
            continue;
        if (ve->blobs)
            snprintf(name, sizeof name, "blob_*.dat");
        else
            snprintf(name, sizeof name, "%s", ve->e->filename ? ve->e->filename : "");
        if (c->walk_stop == V_STOP_ERROR)
            entry_add(ve, DF_FIND_MISSING_DATA, DF_SEVERITY_ERROR, eof_offset(c), name,
                      "member \"%s\" with the data of this entry is missing: the archive ends "
                      "at offset %lld before it",
                      name, (long long)eof_offset(c));
        else
            entry_add(ve, DF_FIND_MISSING_DATA, DF_SEVERITY_ERROR, c->walk_end, name,
                      "the archive has no member \"%s\" with the data of this entry", name);
    }
}

/* ================================================================== */
/* Directory format (spec §6)                                          */
/* ================================================================== */

/* A file name from toc.dat or an LO list must stay inside the directory. */
static bool safe_name(const char *name)
{
    return dfi_member_name_ok(name);
}

/*
 * Find name, name.gz, name.lz4, name.zst (pg_restore's order): DF_OK, or
 * DF_E_NOTFOUND when none exists, or the error of the first that exists but
 * may not be read (not a regular file, a symbolic link out of the directory).
 */
static int dir_discover(const vctx *c, const char *name, char *member, size_t mn, dfi_wrap *wrap,
                        int64_t *size, df_error *err)
{
    static const char *const suffix[] = {"", ".gz", ".lz4", ".zst"};
    static const dfi_wrap wraps[] = {DFI_WRAP_RAW, DFI_WRAP_GZIP, DFI_WRAP_LZ4F, DFI_WRAP_ZSTD};

    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        int rc;

        if ((size_t)snprintf(member, mn, "%s%s", name, suffix[i]) >= mn)
            return dfi_fail(err, DF_E_LIMIT, -1, "file name \"%s\" is too long", name);
        rc = dfi_member_check(c->path, member, c->r->follow_symlinks, size, err);
        if (rc == DF_E_NOTFOUND)
            continue;
        *wrap = wraps[i];
        return rc;
    }
    return DF_E_NOTFOUND;
}

/* A member dir_discover found but may not read: what it is and why. */
static void dir_refused(ventry *ve, const char *member, const df_error *err)
{
    if (err->code == DF_E_CORRUPT || err->code == DF_E_LIMIT)
        entry_add(ve, DF_FIND_NOT_REGULAR_FILE, DF_SEVERITY_ERROR, -1, member, "%s", err->message);
    else
        entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, -1, member, "%s", err->message);
}

/* A buffer window over an open source; the source is closed when that fails. */
static int window_over(dfi_src *src, dfi_buf *b, df_error *err)
{
    int rc = dfi_buf_init(b, src, DFI_BUF_SIZE, err);

    if (rc != DF_OK)
        dfi_src_close(src);
    return rc;
}

static int open_member(const vctx *c, const char *member, dfi_src *src, dfi_buf *b, df_error *err)
{
    int rc;

    rc = dfi_src_open_member(src, c->path, member, c->r->follow_symlinks, err);
    return rc == DF_OK ? window_over(src, b, err) : rc;
}

/* An LO list: pg_dump writes it plain, pg_restore also finds it compressed (.gz ...). */
static int open_lo_list(const vctx *c, const char *name, dfi_src *src, dfi_buf *b, df_error *err)
{
    char member[300];
    int wrap, rc = dfi_src_open_discover(src, c->path, name, member, sizeof member, &wrap,
                                         c->r->follow_symlinks, err);

    if (rc == DF_OK && (rc = dfi_src_decode(src, wrap, err)) != DF_OK)
        dfi_src_close(src);
    return rc == DF_OK ? window_over(src, b, err) : rc;
}

/* Read a BLOBS entry's LO list and find each LO's file. */
static void dir_lo_list(vctx *c, ventry *ve)
{
    const char *list =
        c->r->arch.version >= DF_MAKE_VERSION(1, 16, 0) ? ve->e->filename : "blobs.toc";
    dfi_src src;
    dfi_buf b;
    df_error err;
    dfi_line line = {NULL, 0, 0};
    int64_t at = 0;

    if (!safe_name(list)) {
        entry_add(ve, DF_FIND_BAD_TOC, DF_SEVERITY_ERROR, ve->e->toc_offset, "",
                  "invalid LO list file name \"%s\" in the TOC", list ? list : "");
        return;
    }
    if ((ve->member = strdup(list)) == NULL) {
        c->pre.oom = true;
        return;
    }
    if (open_lo_list(c, list, &src, &b, &err) != DF_OK) {
        if (err.code == DF_E_NOTFOUND)
            entry_add(ve, DF_FIND_MISSING_FILE, DF_SEVERITY_ERROR, -1, list,
                      "the large object list \"%s\" of this entry is missing", list);
        else
            dir_refused(ve, list, &err);
        return;
    }
    ve->found = V_FOUND_COMPLETE;
    for (;;) {
        int rc = dfi_buf_fill(&b, &err);
        uint8_t ch;

        if (rc == DF_EOF) {
            if (line.n > 0)
                entry_add(ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, dfi_buf_tell(&b), list,
                          "the last line of the large object list has no newline");
            break;
        }
        if (rc != DF_OK) {
            entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, err.offset, list, "%s",
                      err.message);
            break;
        }
        ch = dfi_buf_ptr(&b)[0];
        dfi_buf_consume(&b, 1);
        if (ch != '\n') {
            if ((rc = dfi_line_push(&line, &c->r->lim, (char)ch)) != DF_OK) {
                entry_add(ve, rc == DF_E_LIMIT ? DF_FIND_OVER_LIMIT : DF_FIND_COULD_NOT_CHECK,
                          rc == DF_E_LIMIT ? DF_SEVERITY_ERROR : DF_SEVERITY_UNKNOWN, at, list,
                          rc == DF_E_LIMIT ? "line of the large object list is longer than the "
                                             "limit (max_line)"
                                           : "out of memory");
                break;
            }
            continue;
        }
        if (!lo_room(c, ve, at, list))
            break;
        {
            uint32_t oid;
            char *name, member[300];
            dfi_wrap wrap;
            int64_t size;

            if (line.n == 0 || !dfi_lo_list_line(line.s, &oid, &name) || !safe_name(name)) {
                entry_add(ve, DF_FIND_BAD_LO_LIST, DF_SEVERITY_ERROR, at, list,
                          "invalid line in the large object list");
                break;
            }
            rc = dir_discover(c, name, member, sizeof member, &wrap, &size, &err);
            if (rc == DF_E_NOTFOUND) {
                entry_add(ve, DF_FIND_MISSING_FILE, DF_SEVERITY_ERROR, -1, name,
                          "the file of large object %u is missing (also tried .gz, .lz4, .zst)",
                          oid);
                ve->cut = true;
            } else if (rc != DF_OK) {
                dir_refused(ve, member, &err);
                ve->cut = true;
            } else if (add_lo(ve, oid, -1, size, member, wrap) != DF_OK) {
                entry_add(ve, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, -1, list,
                          "out of memory");
                break;
            } else {
                ve->stored += size;
            }
        }
        line.n = 0;
        at = dfi_buf_tell(&b);
    }
    free(line.s);
    dfi_buf_free(&b);
    dfi_src_close(&src);
}

static const char *dir_suffix_hint(const vctx *c)
{
    switch (c->r->hdr.compression) {
    case DF_COMPRESS_GZIP: return ".gz";
    case DF_COMPRESS_LZ4: return ".lz4";
    case DF_COMPRESS_ZSTD: return ".zst";
    default: return "";
    }
}

/* Find every data file toc.dat names. */
static void dir_prepare(vctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        char member[300];
        df_error err;
        int rc;

        if (!ve->data)
            continue;
        if (ve->blobs) {
            dir_lo_list(c, ve);
            continue;
        }
        if (!safe_name(ve->e->filename)) {
            entry_add(ve, DF_FIND_BAD_TOC, DF_SEVERITY_ERROR, ve->e->toc_offset, "toc.dat",
                      "invalid data file name \"%s\" in the TOC", ve->e->filename);
            continue;
        }
        rc = dir_discover(c, ve->e->filename, member, sizeof member, &ve->wrap, &ve->stored, &err);
        if (rc != DF_OK && rc != DF_E_NOTFOUND) {
            dir_refused(ve, member, &err);
            continue;
        }
        if (rc != DF_OK) {
            /* Name the file the header's compression says pg_dump wrote. */
            snprintf(member, sizeof member, "%s%s", ve->e->filename, dir_suffix_hint(c));
            entry_add(ve, DF_FIND_MISSING_FILE, DF_SEVERITY_ERROR, -1, member,
                      "the data file of this entry is missing (tried \"%s\" with no suffix and "
                      "with .gz, .lz4, .zst)",
                      ve->e->filename);
            continue;
        }
        if ((ve->member = strdup(member)) == NULL) {
            c->pre.oom = true;
            continue;
        }
        ve->found = V_FOUND_COMPLETE;
    }
}

/* --- quick checks of one file without decompressing ----------------- */

static int qread(dfi_buf *b, df_error *err, size_t n, const uint8_t **p)
{
    int rc = dfi_buf_need(b, n, err);

    if (rc != DF_OK)
        return rc;
    *p = dfi_buf_ptr(b);
    dfi_buf_consume(b, n);
    return DF_OK;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Walk an LZ4 frame's blocks to its end mark (spec §8) without decoding. */
static int lz4_walk(dfi_buf *b, df_error *err)
{
    const uint8_t *p;
    int flg, rc;

    while ((rc = dfi_buf_fill(b, err)) == DF_OK) {
        if ((rc = qread(b, err, 4, &p)) != DF_OK)
            return rc;
        if ((le32(p) & 0xfffffff0u) == 0x184d2a50u) { /* skippable frame */
            if ((rc = qread(b, err, 4, &p)) != DF_OK)
                return rc;
            if ((rc = dfi_buf_skip(b, le32(p), err)) != DF_OK)
                return rc;
            continue;
        }
        if (le32(p) != 0x184d2204u)
            return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 4, "not an lz4 frame");
        if ((rc = qread(b, err, 2, &p)) != DF_OK)
            return rc;
        flg = p[0];
        if ((flg >> 6) != 1)
            return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 2, "unknown lz4 frame version");
        if ((rc = dfi_buf_skip(b, ((flg & 0x08) ? 8 : 0) + ((flg & 0x01) ? 4 : 0) + 1, err)))
            return rc;
        for (;;) {
            uint32_t size;

            if ((rc = qread(b, err, 4, &p)) != DF_OK)
                return rc;
            size = le32(p) & 0x7fffffffu;
            if (le32(p) == 0)
                break;
            if (size > (4u << 20))
                return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 4,
                                "lz4 block size %u is larger than any lz4 block", size);
            if ((rc = dfi_buf_skip(b, size + ((flg & 0x10) ? 4 : 0), err)) != DF_OK)
                return rc;
        }
        if ((flg & 0x04) && (rc = dfi_buf_skip(b, 4, err)) != DF_OK)
            return rc;
    }
    return rc == DF_EOF ? DF_OK : rc;
}

/* Walk a zstd frame's block headers to its last block without decoding. */
static int zstd_walk(dfi_buf *b, df_error *err)
{
    static const int did_size[4] = {0, 1, 2, 4}, fcs_size[4] = {0, 2, 4, 8};
    const uint8_t *p;
    int rc;

    while ((rc = dfi_buf_fill(b, err)) == DF_OK) {
        int fhd, single, skip;

        if ((rc = qread(b, err, 4, &p)) != DF_OK)
            return rc;
        if ((le32(p) & 0xfffffff0u) == 0x184d2a50u) { /* skippable frame */
            if ((rc = qread(b, err, 4, &p)) != DF_OK || (rc = dfi_buf_skip(b, le32(p), err)))
                return rc;
            continue;
        }
        if (le32(p) != 0xfd2fb528u)
            return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 4, "not a zstd frame");
        if ((rc = qread(b, err, 1, &p)) != DF_OK)
            return rc;
        fhd = p[0];
        single = (fhd >> 5) & 1;
        if (fhd & 0x08)
            return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 1,
                            "reserved bit set in a zstd frame header");
        skip =
            (single ? 0 : 1) + did_size[fhd & 3] + ((fhd >> 6) == 0 ? single : fcs_size[fhd >> 6]);
        if ((rc = dfi_buf_skip(b, skip, err)) != DF_OK)
            return rc;
        for (;;) {
            uint32_t h;

            if ((rc = qread(b, err, 3, &p)) != DF_OK)
                return rc;
            h = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
            if (((h >> 1) & 3) == 3)
                return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 3, "reserved zstd block type");
            if ((rc = dfi_buf_skip(b, ((h >> 1) & 3) == 1 ? 1 : h >> 3, err)) != DF_OK)
                return rc;
            if (h & 1)
                break;
        }
        if ((fhd & 0x04) && (rc = dfi_buf_skip(b, 4, err)) != DF_OK)
            return rc;
    }
    return rc == DF_EOF ? DF_OK : rc;
}

/* Uncompressed COPY data end with "\.\n" and newlines; INSERT data with ";". */
static int raw_tail(dfi_buf *b, df_error *err, int64_t size, int mode, const char **why)
{
    uint8_t tail[64];
    int64_t from = size > (int64_t)sizeof tail ? size - (int64_t)sizeof tail : 0;
    size_t n = (size_t)(size - from), k;
    int rc = dfi_buf_seek(b, from, err);

    if (rc == DF_OK)
        rc = dfi_buf_read(b, tail, n, err);
    if (rc != DF_OK)
        return rc;
    for (k = n; k > 0 && (tail[k - 1] == '\n' || (mode == DF_ROWS_INSERT && isspace(tail[k - 1])));
         k--)
        ;
    *why = NULL;
    if (mode == DF_ROWS_INSERT) {
        if (k > 0 && tail[k - 1] != ';')
            *why = "INSERT data do not end with a complete statement";
        return DF_OK;
    }
    /* k bytes up to the last non-newline: they must end in a "\." line */
    if (k < 2 || tail[k - 2] != '\\' || tail[k - 1] != '.' || k == n ||
        (k > 2 && tail[k - 3] != '\n') || (k == 2 && from > 0))
        *why = "COPY data do not end with the \"\\.\" terminator line";
    return DF_OK;
}

/* What --quick can see of one stored file. */
static void quick_file(vctx *c, ventry *ve, const char *member, dfi_wrap wrap, int64_t size,
                       bool table)
{
    dfi_src src;
    dfi_buf b;
    df_error err;
    const char *why = NULL;
    int rc;

    if (wrap == DFI_WRAP_GZIP && size < 20) {
        entry_add(ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, size, member,
                  "%lld bytes are fewer than the smallest gzip member (20 bytes)", (long long)size);
        return;
    }
    if (wrap == DFI_WRAP_RAW && !table)
        return; /* large object bytes: nothing to see without a length */
    if (open_member(c, member, &src, &b, &err) != DF_OK) {
        entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, -1, member, "%s", err.message);
        return;
    }
    switch (wrap) {
    case DFI_WRAP_GZIP: {
        const uint8_t *p;
        rc = qread(&b, &err, 3, &p);
        if (rc == DF_OK && (p[0] != 0x1f || p[1] != 0x8b || p[2] != 8))
            rc = dfi_fail(&err, DF_E_CORRUPT, 0, "not a gzip file");
        break;
    }
    case DFI_WRAP_LZ4F: rc = lz4_walk(&b, &err); break;
    case DFI_WRAP_ZSTD: rc = zstd_walk(&b, &err); break;
    default: rc = raw_tail(&b, &err, size, ve->rows_mode, &why); break;
    }
    if (rc == DF_E_TRUNCATED)
        entry_add(ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, err.offset, member,
                  "the file ends at offset %lld inside its compressed frame",
                  (long long)err.offset);
    else if (rc == DF_E_CORRUPT)
        entry_add(ve, DF_FIND_BAD_DATA, DF_SEVERITY_ERROR, err.offset, member, "%s", err.message);
    else if (rc != DF_OK)
        entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, err.offset, member, "%s",
                  err.message);
    else if (why != NULL)
        entry_add(ve, DF_FIND_MISSING_TERMINATOR, DF_SEVERITY_ERROR, size, member, "%s", why);
    dfi_buf_free(&b);
    dfi_src_close(&src);
}

static void dir_quick(vctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];

        if (!ve->data || ve->found != V_FOUND_COMPLETE)
            continue;
        if (ve->blobs) {
            for (size_t k = 0; k < ve->nlos; k++)
                quick_file(c, ve, ve->los[k].name, ve->los[k].wrap, ve->los[k].size, false);
        } else {
            quick_file(c, ve, ve->member, ve->wrap, ve->stored, ve->table);
        }
    }
}

/* Full check of one stored file of a directory archive. */
static void dir_file(vworker *w, ventry *ve, const char *member, dfi_wrap wrap, bool table)
{
    dfi_src src;
    dfi_buf b;
    vstream s;
    int rc;

    if (open_member(w->c, member, &src, &b, &w->err) != DF_OK) {
        entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, -1, member, "%s", w->err.message);
        return;
    }
    stream_begin(&s, w, ve, wrap, table, 0, src.size, member);
    while ((rc = dfi_buf_fill(&b, &w->err)) == DF_OK) {
        size_t n = dfi_buf_avail(&b);
        stream_feed(&s, dfi_buf_ptr(&b), n, dfi_buf_tell(&b));
        dfi_buf_consume(&b, n);
        note_progress(w, NULL, (int64_t)n);
    }
    if (rc == DF_EOF) {
        stream_end(&s, dfi_buf_tell(&b));
    } else {
        stream_close(&s);
        entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, w->err.offset, member, "%s",
                  w->err.message);
    }
    dfi_buf_free(&b);
    dfi_src_close(&src);
}

/* ================================================================== */
/* TOC checks                                                          */
/* ================================================================== */

static int cmp_id_index(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;

    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : (x[1] > y[1]) - (x[1] < y[1]);
}

static void check_duplicates(vctx *c)
{
    int64_t *pairs = malloc((c->n ? c->n : 1) * 2 * sizeof *pairs);

    if (pairs == NULL) {
        c->pre.oom = true;
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        pairs[2 * i] = c->ents[i].e->dump_id;
        pairs[2 * i + 1] = (int64_t)i;
    }
    qsort(pairs, c->n, 2 * sizeof *pairs, cmp_id_index);
    for (size_t i = 1; i < c->n; i++) {
        if (pairs[2 * i] != pairs[2 * i - 2])
            continue;
        entry_add(&c->ents[pairs[2 * i + 1]], DF_FIND_DUPLICATE_ID, DF_SEVERITY_ERROR,
                  c->ents[pairs[2 * i + 1]].e->toc_offset, NULL,
                  "dump id %d is also the id of TOC entry %lld", (int)pairs[2 * i],
                  (long long)pairs[2 * i - 1]);
    }
    free(pairs);
}

/* Entries that should own a data stream but have none, and dependencies on absent ids. */
static void check_entries(vctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        const df_entry *e = ve->e;
        char list[200];
        size_t used = 0, missing = 0;

        if (dfi_et_is(e, DFI_ET_TABLE_DATA) && !ve->data)
            entry_add(ve, DF_FIND_ENTRY_WITHOUT_DATA, DF_SEVERITY_ERROR, e->toc_offset, NULL,
                      "the TOC gives this TABLE DATA entry no data: its table would restore empty");
        else if (e->had_dumper && !ve->data)
            entry_add(ve, DF_FIND_ENTRY_WITHOUT_DATA, DF_SEVERITY_ERROR, e->toc_offset, NULL,
                      "the entry has a data dumper but the TOC gives it no data");
        list[0] = '\0';
        for (size_t d = 0; d < e->ndeps; d++) {
            if (df_reader_find(c->r, e->deps[d]) != NULL)
                continue;
            if (missing++ < 8 && used < sizeof list)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%d",
                                         missing > 1 ? ", " : "", e->deps[d]);
        }
        if (missing > 0)
            entry_add(ve, DF_FIND_DANGLING_DEPENDENCY, DF_SEVERITY_INFO, e->toc_offset, NULL,
                      "depends on dump id%s %s%s, not in the TOC (pg_dump's section boundaries "
                      "or objects left out of the dump: normal)",
                      missing > 1 ? "s" : "", list, missing > 8 ? ", ..." : "");
    }
}

/* Would pg_restore `pg` refuse this archive?  Then the finding's message, else false. */
static bool archive_too_new(const df_header *h, int pg, char *msg, size_t n)
{
    int need = 0;

    if (pg <= 0 || h->header_end < 0 || h->format == DF_FORMAT_PLAIN ||
        h->vmin <= df_pg_restore_max_minor(pg))
        return false;
    for (int v = 10; v <= 99 && need == 0; v++)
        if (df_pg_restore_max_minor(v) >= h->vmin)
            need = v;
    snprintf(msg, n,
             "archive version %d.%d needs pg_restore %d or newer; pg_restore %d reads archives "
             "up to %d.%d and will refuse it",
             h->vmaj, h->vmin, need, pg, 1, df_pg_restore_max_minor(pg));
    return true;
}

static void check_version(vctx *c)
{
    char msg[V_MSG];

    if (archive_too_new(&c->r->hdr, c->opt->pg_restore_version, msg, sizeof msg))
        vlist_add(&c->pre, DF_FIND_ARCHIVE_NEWER, DF_SEVERITY_WARNING, NULL, 5, NULL, "%s", msg);
}

static void check_offsets_present(vctx *c)
{
    size_t n = 0;

    for (size_t i = 0; i < c->n; i++)
        n += c->ents[i].data && c->ents[i].e->offset_state == DF_OFFSET_NOT_SET;
    if (n > 0)
        vlist_add(&c->pre, DF_FIND_NO_DATA_OFFSETS, DF_SEVERITY_WARNING, NULL, c->r->hdr.header_end,
                  NULL,
                  "the TOC stores no data offsets for %zu data entries (pg_dump wrote to a pipe "
                  "or to a redirected stdout): pg_restore must scan for every block, and "
                  "pg_restore -j cannot size or reorder the work",
                  n);
}

/* For verify_plain.c: the walks' own helpers (they move with the walks, issue 11). */
int verify_add_lo(ventry *ve, uint32_t oid, int64_t start, int64_t size, const char *name,
                  dfi_wrap wrap)
{
    return add_lo(ve, oid, start, size, name, wrap);
}

uint8_t *verify_read_range(const char *path, int64_t from, int64_t len, df_error *err)
{
    return read_range(path, from, len, err);
}

/* ================================================================== */
/* Large objects (the reconciliation: lofacts.c)                       */
/* ================================================================== */

/* Which large objects each BLOBS entry must hold; BLOB entries without any BLOBS entry. */
static void lo_expectations(vctx *c)
{
    bool *blobs = malloc((c->n ? c->n : 1) * sizeof *blobs);
    dfi_lowant *want = calloc(c->n ? c->n : 1, sizeof *want);
    size_t nblob = 0, nblobs = 0;

    if (blobs == NULL || want == NULL) {
        c->pre.oom = true;
        free(blobs);
        free(want);
        return;
    }
    for (size_t i = 0; i < c->n; i++)
        blobs[i] = c->ents[i].blobs;
    if (dfi_lo_expect(c->r, blobs, want, &nblob, &nblobs) != DF_OK)
        c->pre.oom = true;
    for (size_t i = 0; i < c->n; i++)
        c->ents[i].want = want[i];
    free(want);
    free(blobs);
    /* A plain script cut short has lost its BLOBS part: no-trailer says so already. */
    if (nblob > 0 && nblobs == 0 &&
        !(c->r->hdr.format == DF_FORMAT_PLAIN && !c->r->hdr.has_trailer))
        vlist_add(&c->pre, DF_FIND_LO_MISMATCH, DF_SEVERITY_ERROR, NULL, -1, NULL,
                  "%zu large objects have BLOB entries but the archive has no BLOBS data entry: "
                  "they would restore empty",
                  nblob);
}

/* The LOs found in a complete BLOBS entry against those its TOC entries create. */
static void lo_check(vctx *c, ventry *ve)
{
    uint32_t *got;
    dfi_lodiff d;

    /* A plain script's large objects are only enumerated by the full check. */
    if (!ve->want.known || ve->found != V_FOUND_COMPLETE || ve->cut ||
        (c->r->hdr.format == DF_FORMAT_PLAIN && !ve->decoded))
        return;
    got = malloc((ve->nlos ? ve->nlos : 1) * sizeof *got);
    if (got == NULL) {
        ve->finds.oom = true;
        return;
    }
    for (size_t j = 0; j < ve->nlos; j++)
        got[j] = ve->los[j].oid;
    dfi_lo_compare(&ve->want, got, ve->nlos, &d);
    free(got);
    if (d.missing > 0)
        entry_add(ve, DF_FIND_LO_MISMATCH, DF_SEVERITY_ERROR, ve->start, ve->member,
                  "%zu large objects the TOC creates have no data here (the first: %u); "
                  "they would restore empty",
                  d.missing, d.first_missing);
    if (d.extra > 0)
        entry_add(ve, DF_FIND_LO_MISMATCH, DF_SEVERITY_ERROR, ve->start, ve->member,
                  "%zu large objects have data here but no TOC entry creates them (the first: "
                  "%u); their restore would fail",
                  d.extra, d.first_extra);
    if (d.dup > 0)
        entry_add(ve, DF_FIND_LO_MISMATCH, DF_SEVERITY_ERROR, ve->start, ve->member,
                  "%zu large objects have data twice (the first: %u)", d.dup, d.first_dup);
}

/* ================================================================== */
/* Sequences behind their data (the facts: seqfacts.c)                 */
/* ================================================================== */

static int watch_add(ventry *ve, int col, int link, const char *name)
{
    dfi_watch *nv = realloc(ve->w, (ve->nw + 1) * sizeof *nv);

    if (nv == NULL)
        return DF_E_NOMEM;
    ve->w = nv;
    ve->w[ve->nw++] = (dfi_watch){col, link, name, false, 0, col};
    return DF_OK;
}

/* The sequences' facts, and a watch on every column they feed in the table data. */
static void seq_prepare(vctx *c)
{
    int *rows = malloc((c->n ? c->n : 1) * sizeof *rows);

    if (rows == NULL) {
        c->pre.oom = true;
        return;
    }
    for (size_t i = 0; i < c->n; i++) /* a pre-1.3 COPY's column list is in its data */
        rows[i] = c->ents[i].table && c->ents[i].rows_mode != DF_ROWS_COPY_WITH_COMMAND
                      ? c->ents[i].rows_mode
                      : -1;
    if (dfi_seqfacts_build(&c->seq, df_reader_toc_at(c->r, 0), c->n, rows) != DF_OK)
        c->pre.oom = true;
    free(rows);
    for (size_t k = 0; k < c->seq.nwatch; k++) {
        const dfi_seqwatch *w = &c->seq.watch[k];
        if (watch_add(&c->ents[w->entry], w->col, (int)w->link,
                      c->seq.links[w->link].column) != DF_OK)
            c->pre.oom = true;
    }
}

/* After the data: warn where the next value is not above the maximum of a column it feeds. */
static void seq_check(vctx *c)
{
    dfi_seqmax *m = calloc(c->seq.nseqs ? c->seq.nseqs : 1, sizeof *m);
    char fix[4 * DFI_IDENT + 80];

    if (m == NULL) {
        c->pre.oom = true;
        return;
    }
    for (size_t i = 0; i < c->n; i++)
        for (size_t j = 0; j < c->ents[i].nw; j++)
            if (c->ents[i].w[j].have)
                dfi_seqmax_take(&c->seq, m, (size_t)c->ents[i].w[j].seq, c->ents[i].w[j].max,
                                c->ents[i].e);
    for (size_t k = 0; k < c->seq.nseqs; k++) {
        const dfi_seq *q = &c->seq.seqs[k];
        const dfi_seqlink *at = m[k].at;
        ventry *ve = &c->ents[q->e->index];
        size_t before = ve->finds.n;
        int64_t next;

        if (!dfi_seq_behind(q, &m[k], &next))
            continue;
        entry_add(ve, DF_FIND_SEQUENCE_BEHIND_DATA, DF_SEVERITY_WARNING, q->e->toc_offset, NULL,
                  "setval(%lld, %s) makes the next value %lld, but column \"%s\" of %s.%s "
                  "already holds %lld in this dump: new rows would reuse existing values",
                  (long long)q->value, q->called ? "true" : "false", (long long)next, at->column,
                  at->tschema, at->table, (long long)m[k].max);
        dfi_setval_sql(q, m[k].max, fix, sizeof fix);
        if (ve->finds.n > before)
            vlist_set_fix(&ve->finds, fix);
    }
    free(m);
}

/* ================================================================== */
/* Workers                                                             */
/* ================================================================== */

/* Tar: one stored range (a member's data) through a stream. */
static void tar_range(vworker *w, ventry *ve, int64_t start, int64_t size, const char *member,
                      dfi_wrap wrap, bool table)
{
    vstream s;
    int rc = worker_seek(w, start);

    if (rc == DF_OK) {
        stream_begin(&s, w, ve, wrap, table, start, start + size, member);
        rc = tar_member_data(w, &w->buf, &w->err, &s, size);
        if (rc == DF_OK)
            stream_end(&s, start + size);
        else
            stream_close(&s);
    }
    if (rc != DF_OK)
        tar_fail(w->c, ve, rc, &w->err, member, "member data");
}

static void work_item(vworker *w, ventry *ve)
{
    switch (w->c->r->hdr.format) {
    case DF_FORMAT_CUSTOM:
        w->expect = ve;
        if (worker_seek(w, ve->start) != DF_OK) {
            entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, w->err.offset, NULL, "%s",
                      w->err.message);
        } else {
            custom_block(w->c, w, &w->buf, &w->err, V_DEC);
        }
        break;
    case DF_FORMAT_TAR:
        if (ve->blobs)
            for (size_t k = 0; k < ve->nlos; k++)
                tar_range(w, ve, ve->los[k].start, ve->los[k].size, ve->los[k].name,
                          ve->los[k].wrap, false);
        else
            tar_range(w, ve, ve->start, ve->end - ve->start, ve->member, ve->wrap, ve->table);
        ve->decoded = true;
        break;
    case DF_FORMAT_DIRECTORY:
        if (ve->blobs)
            for (size_t k = 0; k < ve->nlos; k++)
                dir_file(w, ve, ve->los[k].name, ve->los[k].wrap, false);
        else
            dir_file(w, ve, ve->member, ve->wrap, ve->table);
        ve->decoded = true;
        break;
    default: break;
    }
}

/* The worker pool's view of a vworker (workpool.c). */
static int pool_init(void *w, void *ctx, bool main)
{
    return worker_init(w, ctx, main);
}

static void pool_fini(void *w)
{
    worker_free(w);
}

static void pool_work(void *w, size_t i)
{
    work_item(w, &((vworker *)w)->c->ents[i]);
}

static void pool_tick(void *ctx)
{
    progress_tick(ctx, false);
}

/* Check the data of every complete entry, in worker threads when allowed. */
static void run_items(vctx *c)
{
    static const dfi_pool_ops ops = {sizeof(vworker), pool_init, pool_fini, pool_work, pool_tick};
    int64_t *weight = malloc((c->n ? c->n : 1) * sizeof *weight);
    int rc;

    c->prog_total = 0;
    c->prog_done = 0;
    for (size_t i = 0; weight != NULL && i < c->n; i++) {
        const ventry *ve = &c->ents[i];
        weight[i] = ve->data && ve->found == V_FOUND_COMPLETE && !ve->cut ? ve->stored : -1;
        c->prog_total += weight[i] >= 0 ? ve->stored : 0;
    }
    if (weight == NULL || dfi_pool_items(&c->pool, weight, c->n) != DF_OK) {
        free(weight);
        c->pre.oom = true;
        return;
    }
    free(weight);
    if (c->opt->threads > 1) /* pipe_allowed asks it, also of a single worker */
        dfi_cpuload_init(&c->load, c->opt->threads);
    rc = dfi_pool_run(&c->pool, c->path != NULL ? c->opt->threads : 1, &ops, c);
    if (c->opt->threads > 1)
        dfi_cpuload_free(&c->load);
    if (rc < 0)
        c->pre.oom = true;
    c->v->sum.threads = rc > 0 ? rc : 1;
    progress_tick(c, true);
}

/* ================================================================== */
/* The run                                                             */
/* ================================================================== */

/*
 * Read once, in file order, decoding as the walk goes?  Always for pipes and
 * one thread.  Also for uncompressed custom archives: pg_dump writes one
 * chunk per row there, so a separate structural walk costs as much as the
 * check itself, and there is no decompression to spread over threads.
 */
static bool full_serial(const vctx *c)
{
    return c->path == NULL || c->opt->threads <= 1 ||
           (c->r->hdr.format == DF_FORMAT_CUSTOM && c->r->hdr.compression == DF_COMPRESS_NONE);
}

/* Custom and tar: one walk over the data area, then (threads) the data. */
static void verify_stream_format(vctx *c, bool tar)
{
    int flags = V_REC;
    vworker w;
    df_error err;
    int64_t start = tar ? dfi_buf_tell(&c->r->buf) : c->r->hdr.toc_end;

    memset(&err, 0, sizeof err);
    if (worker_init(&w, c, true) != DF_OK) {
        c->pre.oom = true;
        worker_free(&w);
        return;
    }
    if (!c->opt->quick && full_serial(c))
        flags |= V_DEC;
    w.prog_base = start;
    c->prog_total = c->file_size >= 0 ? c->file_size - start : -1;
    if (dfi_buf_seek(&c->r->buf, start, &err) != DF_OK) {
        vlist_add(&c->pre, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, NULL, err.offset, NULL, "%s",
                  err.message);
        worker_free(&w);
        return;
    }
    if (tar) {
        tar_walk(c, &w, &c->r->buf, &err, flags);
        tar_missing(c);
    } else {
        /* not when a test caps every read (df_reader_set_io_size): that cap stays */
        c->sparse = c->opt->quick && c->r->buf.src->seekable && c->r->buf.src->dec == NULL &&
                    c->r->buf.src->io_cap == 0;
        custom_walk(c, &w, &c->r->buf, &err, flags);
        if (c->sparse)
            c->r->buf.src->io_cap = 0;
        c->sparse = false;
        if (c->walk_stop == V_STOP_OTHER)
            custom_trailer(c, &c->r->buf, &err);
        custom_missing(c);
        custom_offsets(c);
    }
    progress_tick(c, true);
    worker_free(&w);
    if (!(flags & V_DEC) && !c->opt->quick)
        run_items(c);
}

/*
 * What follows the TOC in toc.dat: pg_dump writes nothing there and pg_restore never reads it,
 * so bytes there are no harm to a restore but a sign that something else wrote to the file.
 */
#define TOC_TAIL_MAX (16 << 20)

static void dir_toc_tail(vctx *c)
{
    dfi_buf *b = &c->r->buf;
    char member[300] = "toc.dat";
    dfi_wrap wrap;
    int64_t size, at = dfi_buf_tell(b), n = 0;
    df_error err;
    int rc = DF_EOF;

    (void)dir_discover(c, "toc.dat", member, sizeof member, &wrap, &size, &err);
    memset(&err, 0, sizeof err);
    /* counted up to a bound: a compressed toc.dat could inflate to any size */
    while (n <= TOC_TAIL_MAX && (rc = dfi_buf_fill(b, &err)) == DF_OK) {
        n += (int64_t)dfi_buf_avail(b);
        dfi_buf_consume(b, dfi_buf_avail(b));
    }
    if (n > TOC_TAIL_MAX)
        vlist_add(&c->post, DF_FIND_TRAILING_DATA, DF_SEVERITY_WARNING, NULL, at, member,
                  "more than %d MiB follow the TOC (pg_dump writes none there; pg_restore "
                  "ignores them)",
                  TOC_TAIL_MAX >> 20);
    else if (rc != DF_EOF)
        vlist_add(&c->post, DF_FIND_BAD_DATA, DF_SEVERITY_WARNING, NULL, err.offset, member,
                  "after the TOC: %s", err.message);
    else if (n > 0)
        vlist_add(&c->post, DF_FIND_TRAILING_DATA, DF_SEVERITY_WARNING, NULL, at, member,
                  "%lld bytes follow the TOC (pg_dump writes none there; pg_restore ignores them)",
                  (long long)n);
}

/*
 * Offsets into a compressed toc.dat (toc.dat.gz, ...) count decoded bytes:
 * no one can open them with xxd -s in the file.  Such a finding names the
 * compressed file and says "decoded offset" in its message instead.
 */
static void toc_decoded_offsets(vlist *l, const char *tocname)
{
    for (size_t i = 0; i < l->n; i++) {
        df_finding *f = &l->v[i];
        char msg[V_MSG + 64];
        const char *fix = f->fix ? f->fix : "";
        size_t ml, bl = strlen(tocname), fl = strlen(fix);
        char *mem;

        if (f->offset < 0 || (f->member[0] != '\0' && strcmp(f->member, "toc.dat") != 0 &&
                              strcmp(f->member, tocname) != 0))
            continue;
        ml = (size_t)snprintf(msg, sizeof msg, "%s (decoded offset %lld)", f->message,
                              (long long)f->offset);
        ml = ml < sizeof msg ? ml : sizeof msg - 1;
        if ((mem = malloc(ml + bl + fl + 3)) == NULL) {
            l->oom = true;
            return;
        }
        memcpy(mem, msg, ml + 1);
        memcpy(mem + ml + 1, tocname, bl + 1);
        memcpy(mem + ml + bl + 2, fix, fl + 1);
        free((void *)f->message);
        f->message = mem;
        f->member = mem + ml + 1;
        f->fix = f->fix ? mem + ml + bl + 2 : NULL;
        f->offset = -1;
    }
}

static void directory_decoded_offsets(vctx *c)
{
    char tocname[300];
    dfi_wrap wrap;
    int64_t size;
    df_error err;

    if (dir_discover(c, "toc.dat", tocname, sizeof tocname, &wrap, &size, &err) != DF_OK ||
        wrap == DFI_WRAP_RAW)
        return;
    toc_decoded_offsets(&c->pre, tocname);
    toc_decoded_offsets(&c->post, tocname);
    for (size_t i = 0; i < c->n; i++)
        toc_decoded_offsets(&c->ents[i].finds, tocname);
}

static void verify_directory(vctx *c)
{
    dir_toc_tail(c);
    dir_prepare(c);
    if (c->opt->quick)
        dir_quick(c);
    else
        run_items(c);
}

/* The reader could not open the dump: say why, as a finding. */
static void open_failed(vctx *c, df_reader *r, int rc)
{
    const df_error *err = df_reader_error(r);
    const df_header *h = df_reader_header(r);
    int code = err->code != DF_OK ? err->code : rc;
    int64_t at = err->offset;
    const char *m = err->member;
    const char *msg = err->message[0] ? err->message : df_strstatus(code);
    bool in_header = h->header_end < 0;

    switch (code) {
    case DF_E_TRUNCATED:
        if (in_header && (h->file_size == 0 || (h->file_size < 0 && at == 0)))
            vlist_add(&c->pre, DF_FIND_EMPTY, DF_SEVERITY_ERROR, NULL, 0, m, "the %s is empty",
                      m[0] ? "file" : "input");
        else if (h->file_size >= 0 || at >= 0)
            vlist_add(&c->pre, in_header ? DF_FIND_TRUNCATED_HEADER : DF_FIND_TRUNCATED_TOC,
                      DF_SEVERITY_ERROR, NULL, h->file_size >= 0 ? h->file_size : at, m,
                      "the file ends at offset %lld inside the archive %s (%s)",
                      (long long)(h->file_size >= 0 ? h->file_size : at),
                      in_header ? "header" : "TOC", msg);
        else /* a compressed toc.dat: the reader put the decoded offset in msg */
            vlist_add(&c->pre, in_header ? DF_FIND_TRUNCATED_HEADER : DF_FIND_TRUNCATED_TOC,
                      DF_SEVERITY_ERROR, NULL, -1, m, "the file ends inside the archive %s (%s)",
                      in_header ? "header" : "TOC", msg);
        break;
    case DF_E_FORMAT:
        vlist_add(&c->pre, DF_FIND_NOT_A_DUMP, DF_SEVERITY_ERROR, NULL, at, m, "%s", msg);
        break;
    case DF_E_CORRUPT:
        vlist_add(&c->pre, in_header ? DF_FIND_BAD_HEADER : DF_FIND_BAD_TOC, DF_SEVERITY_ERROR,
                  NULL, at, m, "%s", msg);
        break;
    case DF_E_LIMIT:
        vlist_add(&c->pre, DF_FIND_OVER_LIMIT, DF_SEVERITY_ERROR, NULL, at, m, "%s", msg);
        break;
    case DF_E_VERSION:
    case DF_E_UNSUPPORTED:
        vlist_add(&c->pre, DF_FIND_UNSUPPORTED, DF_SEVERITY_UNKNOWN, NULL, at, m, "%s", msg);
        break;
    case DF_E_IO:
    case DF_E_NOTFOUND:
        vlist_add(&c->pre, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, NULL, at, m, "%s", msg);
        break;
    default:
        vlist_add(&c->pre, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, NULL, at, m, "%s", msg);
        break;
    }
}

static int rows_mode_of(const df_reader *r, const df_entry *e)
{
    if (e->copy_stmt != NULL && e->copy_stmt[0] != '\0')
        return DF_ROWS_COPY;
    if (r->hdr.format != DF_FORMAT_PLAIN && r->arch.version < V13 &&
        dfi_et_is(e, DFI_ET_TABLE_DATA))
        return DF_ROWS_COPY_WITH_COMMAND;
    return DF_ROWS_INSERT;
}

static int setup_entries(vctx *c)
{
    dfi_vindex *ix = NULL;

    c->n = df_reader_toc_count(c->r);
    c->ents = calloc(c->n ? c->n : 1, sizeof *c->ents);
    if (c->ents == NULL)
        return DF_E_NOMEM;
    if (!c->opt->quick && !c->opt->no_values && (ix = dfi_vindex_build(c->r)) == NULL)
        return DF_E_NOMEM;
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        const df_entry *e = df_reader_toc_at(c->r, i);

        ve->e = e;
        ve->data = df_entry_has_data(e);
        ve->blobs = ve->data && df_entry_is_blobs(e);
        ve->table = ve->data && dfi_et_is(e, DFI_ET_TABLE_DATA);
        ve->rows_mode = rows_mode_of(c->r, e);
        ve->ncols = dfi_copy_columns(e->copy_stmt, NULL);
        ve->start = ve->end = -1;
        if (ve->table && ve->rows_mode == DF_ROWS_COPY && !c->opt->quick && !c->opt->no_values)
            ve->vt = dfi_vtable_build(ix, e, &c->pre.oom);
    }
    dfi_vindex_free(ix);
    return DF_OK;
}

static void fill_summary(vctx *c)
{
    df_verify_summary *s = &c->v->sum;
    const df_header *h = df_reader_header(c->r ? c->r : c->v->r);

    s->quick = c->opt->quick;
    s->format = h->format;
    if (h->header_end >= 0 && h->format != DF_FORMAT_PLAIN) {
        s->vmaj = h->vmaj;
        s->vmin = h->vmin;
        s->vrev = h->vrev;
        s->compression = h->compression;
    }
    s->entries = (int64_t)c->n;
    for (size_t i = 0; i < c->n; i++) {
        const ventry *ve = &c->ents[i];
        s->data_entries += ve->data;
        s->stored_bytes += ve->stored;
        s->bytes += ve->bytes;
        s->rows += ve->rows;
        if (ve->blobs)
            s->large_objects += (int64_t)ve->nlos;
    }
    /* a compressed plain script: the data are stored in the whole compressed file */
    if (h->format == DF_FORMAT_PLAIN && h->file_compression != DF_COMPRESS_NONE) {
        s->compression = h->file_compression;
        if (h->file_size >= 0)
            s->stored_bytes = h->file_size;
    }
    if (c->gzip_used)
        s->inflater =
            c->opt->inflate == DF_INFLATE_ZLIB || !dfi_gzip_uses_isal() ? "zlib" : "isa-l";
    if (s->threads == 0)
        s->threads = 1;
}

/* Move every finding into one array: file level, entries in TOC order, end of file. */
static void merge_findings(vctx *c)
{
    df_verify *v = c->v;
    bool oom = c->pre.oom || c->post.oom;
    size_t total = c->pre.n + c->post.n + 1, k = 0;

    for (size_t i = 0; i < c->n; i++) {
        total += c->ents[i].finds.n;
        oom = oom || c->ents[i].finds.oom;
    }
    if (oom)
        vlist_add(&c->post, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, NULL, -1, NULL,
                  "out of memory: some findings were lost");
    v->f = malloc(total * sizeof *v->f);
    if (v->f == NULL) {
        v->sum.verdict = DF_VERDICT_UNKNOWN;
        return; /* the lists are freed with their messages */
    }
#define TAKE(l)                                                                                    \
    do {                                                                                           \
        if ((l).n > 0)                                                                             \
            memcpy(v->f + k, (l).v, (l).n * sizeof *v->f);                                         \
        k += (l).n;                                                                                \
        free((l).v);                                                                               \
        memset(&(l), 0, sizeof(l));                                                                \
    } while (0)
    TAKE(c->pre);
    for (size_t i = 0; i < c->n; i++)
        TAKE(c->ents[i].finds);
    TAKE(c->post);
#undef TAKE
    v->n = k;
}

static void set_verdict(df_verify *v)
{
    int64_t *f = v->sum.findings;

    memset(v->sum.findings, 0, sizeof v->sum.findings);
    for (size_t i = 0; i < v->n; i++)
        f[v->f[i].severity & 3]++;
    if (f[DF_SEVERITY_ERROR] > 0)
        v->sum.verdict = DF_VERDICT_DAMAGED;
    else if (f[DF_SEVERITY_UNKNOWN] > 0 || v->f == NULL)
        v->sum.verdict = DF_VERDICT_UNKNOWN;
    else if (f[DF_SEVERITY_WARNING] > 0)
        v->sum.verdict = DF_VERDICT_WARNING;
    else
        v->sum.verdict = DF_VERDICT_OK;
}

/* The value checks' columns of each entry go to the result (df_verify_value_columns). */
static void keep_value_columns(vctx *c)
{
    c->v->vts = calloc(c->n ? c->n : 1, sizeof *c->v->vts);
    if (c->v->vts == NULL)
        return;
    c->v->nvts = c->n;
    for (size_t i = 0; i < c->n; i++) {
        c->v->vts[i] = c->ents[i].decoded || c->ents[i].rows > 0 ? c->ents[i].vt : NULL;
        if (c->v->vts[i] != NULL)
            c->ents[i].vt = NULL;
    }
}

int df_verify_value_columns(const df_verify *v, size_t index)
{
    return v != NULL && index < v->nvts && v->vts[index] != NULL ? v->vts[index]->ncols : -1;
}

const char *df_verify_value_column(const df_verify *v, size_t index, int k, const char **type,
                                   int *checked)
{
    const dfi_vcol *c;

    if (df_verify_value_columns(v, index) <= k || k < 0)
        return NULL;
    c = &v->vts[index]->cols[k];
    if (type)
        *type = c->type;
    if (checked)
        *checked = c->kind != DFI_VK_NONE;
    return c->name;
}

static void free_ctx(vctx *c)
{
    for (size_t i = 0; c->ents && i < c->n; i++) {
        ventry *ve = &c->ents[i];
        for (size_t k = 0; k < ve->nlos; k++)
            free(ve->los[k].name);
        free(ve->los);
        dfi_lowant_free(&ve->want);
        free(ve->w);
        dfi_vtable_free(ve->vt);
        free(ve->member);
        vlist_free(&ve->finds);
    }
    free(c->ents);
    free(c->by_file);
    dfi_seqfacts_free(&c->seq);
    vlist_free(&c->pre);
    vlist_free(&c->post);
    dfi_pool_free(&c->pool);
}

/* Every check that needs the TOC only, then the data, then what needs both. */
static void verify_opened(vctx *c)
{
    if (setup_entries(c) != DF_OK) {
        c->pre.oom = true;
        return;
    }
    check_version(c);
    check_duplicates(c);
    check_entries(c);
    if (c->r->hdr.format == DF_FORMAT_CUSTOM)
        check_offsets_present(c);
    lo_expectations(c);
    if (!c->opt->quick)
        seq_prepare(c);
    switch (c->r->hdr.format) {
    case DF_FORMAT_CUSTOM: verify_stream_format(c, false); break;
    case DF_FORMAT_TAR: verify_stream_format(c, true); break;
    case DF_FORMAT_DIRECTORY: verify_directory(c); break;
    case DF_FORMAT_PLAIN: verify_plain(c); break;
    default:
        vlist_add(&c->pre, DF_FIND_UNSUPPORTED, DF_SEVERITY_UNKNOWN, NULL, -1, NULL,
                  "%s dumps cannot be verified yet", df_format_name(c->r->hdr.format));
        break;
    }
    for (size_t i = 0; i < c->n; i++)
        if (c->ents[i].blobs && !c->ents[i].los_over) /* not all were recorded */
            lo_check(c, &c->ents[i]);
    if (!c->opt->quick)
        seq_check(c);
    if (c->r->hdr.format == DF_FORMAT_DIRECTORY && c->path != NULL)
        directory_decoded_offsets(c);
}

static int verify_run(const char *path, int fd, const char *name, const df_verify_options *opt,
                      df_verify **out)
{
    df_verify_options dflt;
    df_verify *v;
    vctx c;
    vtap tap;
    const dfi_plain_tap tap_hooks = plain_tap_hooks(&tap);
    int rc;

    *out = NULL;
    memset(&tap, 0, sizeof tap);
    if (opt == NULL) {
        df_verify_options_default(&dflt);
        opt = &dflt;
    }
    v = calloc(1, sizeof *v);
    if (v == NULL || (v->r = df_reader_new(opt->limits)) == NULL) {
        free(v);
        return DF_E_NOMEM;
    }
    df_reader_set_follow_symlinks(v->r, opt->follow_symlinks);
    memset(&c, 0, sizeof c);
    c.opt = opt;
    c.v = v;
    c.file_size = -1;
    dfi_pool_init(&c.pool);
    if (path != NULL && strcmp(path, "-") == 0) {
        path = NULL;
        fd = 0;
        name = "-";
    }
    /* the reader reports a plain script's progress during its one pass at open */
    df_reader_set_progress(v->r, opt->progress, opt->progress_ctx);
    if (!opt->quick) {
        c.tap = &tap; /* a plain script is checked while it is read, in one pass */
        v->r->plain_tap = &tap_hooks;
    }
    rc = path != NULL ? df_reader_open_path(v->r, path) : df_reader_open_fd(v->r, fd, name);
    v->r->plain_tap = NULL;
    if (rc != DF_OK || v->r->hdr.format != DF_FORMAT_PLAIN)
        df_reader_set_progress(v->r, NULL, NULL);
    if (rc != DF_OK) {
        open_failed(&c, v->r, rc);
    } else {
        c.r = v->r;
        if (c.r->src.seekable && c.r->hdr.format != DF_FORMAT_DIRECTORY)
            c.file_size = c.r->src.size;
        if (path != NULL && (c.r->src.seekable || c.r->hdr.format == DF_FORMAT_DIRECTORY))
            c.path = df_reader_path(c.r);
        verify_opened(&c);
    }
    fill_summary(&c);
    merge_findings(&c);
    set_verdict(v);
    keep_value_columns(&c);
    free_ctx(&c);
    tap_free(&tap);
    *out = v;
    return DF_OK;
}

int df_verify_path(const char *path, const df_verify_options *opt, df_verify **out)
{
    if (out == NULL)
        return DF_E_USAGE;
    if (path == NULL) {
        *out = NULL;
        return DF_E_USAGE;
    }
    return verify_run(path, -1, path, opt, out);
}

int df_verify_fd(int fd, const char *display_name, const df_verify_options *opt, df_verify **out)
{
    if (out == NULL)
        return DF_E_USAGE;
    return verify_run(NULL, fd, display_name ? display_name : "-", opt, out);
}

const df_verify_summary *df_verify_get_summary(const df_verify *v)
{
    return &v->sum;
}
size_t df_verify_count(const df_verify *v)
{
    return v->n;
}

const df_finding *df_verify_finding(const df_verify *v, size_t i)
{
    return i < v->n ? &v->f[i] : NULL;
}

const df_reader *df_verify_reader(const df_verify *v)
{
    return v->r;
}

/*
 * The archive-version comparison after the fact, for a caller that learns
 * the pg_restore release while the check runs: the finding goes first, where
 * df_verify_options.pg_restore_version would have put it.
 */
int df_verify_set_pg_restore_version(df_verify *v, int pg_major)
{
    char msg[V_MSG];
    vlist one = {NULL, 0, 0, false};
    df_finding *nf;

    if (v == NULL)
        return DF_E_USAGE;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->f[i].code, DF_FIND_ARCHIVE_NEWER) == 0)
            return DF_OK;
    if (v->f == NULL || !archive_too_new(df_reader_header(v->r), pg_major, msg, sizeof msg))
        return DF_OK;
    vlist_add(&one, DF_FIND_ARCHIVE_NEWER, DF_SEVERITY_WARNING, NULL, 5, NULL, "%s", msg);
    if (df_reader_header(v->r)->format == DF_FORMAT_DIRECTORY) {
        vctx c = {.path = df_reader_path(v->r), .r = v->r}; /* all dir_discover needs */
        char tocname[300];
        dfi_wrap wrap;
        int64_t size;
        df_error err;

        if (c.path != NULL &&
            dir_discover(&c, "toc.dat", tocname, sizeof tocname, &wrap, &size, &err) == DF_OK &&
            wrap != DFI_WRAP_RAW)
            toc_decoded_offsets(&one, tocname);
    }
    nf = one.n == 1 ? realloc(v->f, (v->n + 1) * sizeof *v->f) : NULL;
    if (nf == NULL) {
        vlist_free(&one);
        return DF_E_NOMEM;
    }
    memmove(nf + 1, nf, v->n * sizeof *nf);
    nf[0] = one.v[0];
    free(one.v);
    v->f = nf;
    v->n++;
    set_verdict(v);
    return DF_OK;
}

void df_verify_free(df_verify *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->n; i++)
        free((void *)v->f[i].message);
    free(v->f);
    for (size_t i = 0; i < v->nvts; i++)
        dfi_vtable_free(v->vts[i]);
    free(v->vts);
    df_reader_free(v->r);
    free(v);
}
