/*
 * verify_custom.c — the verifier's walk of a custom archive's data area (spec §5.1): every
 * block's framing through the custom walker (fmt_custom.c), offsets against where blocks are,
 * what follows the last block.
 * Split out of verify.c; shared state and helpers in verify.h.
 */
#include "verify.h"
#include "entrytype.h"
#include "codec_gzip.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ================================================================== */
/* Custom format (spec §5.1)                                           */
/* ================================================================== */

/* The walk could not read `what` (at `at`) inside the block starting at `block`. */
static void framing_fail(vctx *c, ventry *ve, int rc, const df_error *err, int64_t block,
                         const char *what, int64_t at)
{
    switch (rc) {
    case DF_E_TRUNCATED:
        vfy_where_add(c, ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, err->offset, NULL,
                  "the file ends at offset %lld inside the data block that starts at offset "
                  "%lld (%s at offset %lld is incomplete)",
                  (long long)err->offset, (long long)block, what, (long long)at);
        break;
    case DF_E_LIMIT:
        vfy_where_add(c, ve, DF_FIND_OVER_LIMIT, DF_SEVERITY_ERROR, err->offset, NULL,
                  "%s, in the data block that starts at offset %lld", err->message,
                  (long long)block);
        break;
    case DF_E_CORRUPT:
        vfy_where_add(c, ve, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, err->offset, NULL,
                  "%s, in the data block that starts at offset %lld", err->message,
                  (long long)block);
        break;
    case DF_E_IO:
        vfy_where_add(c, ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, err->offset, NULL, "%s",
                  err->message);
        break;
    default:
        vfy_where_add(c, ve, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, err->offset, NULL, "%s",
                  err->message[0] ? err->message : df_strstatus(rc));
        break;
    }
}

/* Is this block the data of an entry that may have one?  Says why not (once, when recording). */
static bool block_usable(vctx *c, ventry *ve, int32_t id, int type, bool blobs, int64_t pos,
                         int flags)
{
    bool rec = flags & V_REC;

    if (ve == NULL) {
        if (rec)
            vfy_vlist_add(&c->post, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, NULL, pos, NULL,
                      "a data block for dump id %d, which is not in the TOC, starts at offset %lld",
                      id, (long long)pos);
        return false;
    }
    if (!ve->data) {
        if (rec)
            vfy_entry_add(ve, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, pos, NULL,
                      "a data block for this entry starts at offset %lld, but the TOC gives it "
                      "no data",
                      (long long)pos);
        return false;
    }
    if (blobs != ve->blobs) {
        if (rec)
            vfy_entry_add(ve, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, pos, NULL,
                      "the data block at offset %lld has type %d, which does not fit this entry",
                      (long long)pos, type);
        return false;
    }
    if (rec && ve->found != V_FOUND_NONE) {
        vfy_entry_add(ve, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, pos, NULL,
                  "a second data block for this entry starts at offset %lld (the first at %lld)",
                  (long long)pos, (long long)ve->start);
        return false;
    }
    return true;
}

/* Feed `size` bytes at the buffer's position to stream s, piece by piece, counting progress. */
int vfy_feed_bytes(vworker *w, dfi_buf *b, df_error *err, vstream *s, int64_t size)
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
        vfy_stream_feed(s, dfi_buf_ptr(b), take, dfi_buf_tell(b));
        dfi_buf_consume(b, take);
        left -= (int64_t)take;
        vfy_note_progress(w, b, (int64_t)take);
    }
    return DF_OK;
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

int vfy_add_lo(ventry *ve, uint32_t oid, int64_t start, int64_t size, const char *name,
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
bool vfy_lo_room(vctx *c, ventry *ve, int64_t at, const char *member)
{
    df_error err;

    if (dfi_limit_los(&c->r->lim, (int64_t)ve->nlos, &err, at) == DF_OK)
        return true;
    if (!ve->los_over)
        vfy_entry_add(ve, DF_FIND_OVER_LIMIT, DF_SEVERITY_ERROR, at, member, "%s", err.message);
    ve->los_over = true;
    return false;
}

/* A chunk's payload, fed to the stream piece by piece (an error: the walker reports it). */
static void chunk_feed(vworker *w, dfi_cwalk *k, vstream *s)
{
    const uint8_t *p;
    size_t n;
    int64_t at;

    while (dfi_cw_data(k, &p, &n, &at) == DF_OK) {
        vfy_stream_feed(s, p, n, at);
        vfy_note_progress(w, k->b, (int64_t)n);
    }
}

/*
 * A block's walk, event by event, after its header: the end of the block or the damage.  At
 * damage, the stream of a table's data block is left open (*live) for custom_block to check
 * what came before a cut; every other stream is closed.
 */
static dfi_cw_event block_body(vctx *c, vworker *w, dfi_cwalk *k, ventry *ve, int flags, bool dec,
                               vstream *sp, bool *livep)
{
    vstream s;
    bool live = false;

    *livep = false;
    if (dec && !k->blobs) {
        vfy_stream_begin(&s, w, ve, custom_wrap(c), ve->table, k->block,
                     ve->found == V_FOUND_COMPLETE ? ve->end : -1, "");
        live = true;
    }
    for (;;) {
        dfi_cw_event ev = dfi_cw_next(k);

        switch (ev) {
        case DFI_CW_LO:
            if ((flags & V_REC) && ve != NULL && vfy_add_lo(ve, k->oid, -1, 0, NULL, 0) != DF_OK) {
                dfi_fail(k->err, DF_E_NOMEM, k->at, "out of memory");
                k->rc = DF_E_NOMEM;
                k->fail_at = k->at;
                snprintf(k->what, sizeof k->what, "a large object OID");
                return DFI_CW_DAMAGE;
            }
            if (dec) {
                vfy_stream_begin(&s, w, ve, custom_wrap(c), false, k->at, -1, "");
                live = true;
            }
            break;
        case DFI_CW_CHUNK:
            if (live)
                chunk_feed(w, k, &s);
            break;
        case DFI_CW_STREAM_END:
            if (live)
                vfy_stream_end(&s, dfi_buf_tell(k->b));
            live = false;
            break;
        case DFI_CW_DAMAGE:
            if (live && !k->blobs) {
                *sp = s;
                *livep = true;
            } else if (live) {
                vfy_stream_close(&s);
            }
            return ev;
        case DFI_CW_BLOCK_END: return ev;
        default: break;
        }
    }
}

/*
 * The block of ve is cut or broken.  A cut table data block (cut_rows) is decoded up to the
 * cut and its complete rows checked (issue 13): by the walk that reads it (s, left open by
 * block_body) or by a worker afterwards (run_items schedules it: ve->cut_at).  Otherwise what
 * its partial data showed is noise.  The truncated finding is the walk's, once; a worker
 * adds the rows to it.
 */
static void block_damage(vctx *c, dfi_cwalk *k, ventry *ve, bool usable, int flags, size_t mark,
                         vstream *s)
{
    bool rec = usable && (flags & V_REC);
    bool keep = usable && !k->blobs && k->rc == DF_E_TRUNCATED && c->opt->cut_rows &&
                !c->opt->quick;
    bool again = usable && !(flags & V_REC) && ve->cut_at >= 0 && /* a cut block's worker */
                 k->rc == DF_E_TRUNCATED;

    if (usable && (flags & V_DEC)) {
        vfy_vlist_truncate(&ve->finds, mark);
        ve->rows = ve->bytes = 0;
    }
    if (rec) {
        ve->cut = true;
        if (keep)
            ve->cut_at = k->err->offset;
    }
    if (!again) {
        size_t before = ve ? ve->finds.n : 0;
        framing_fail(c, ve, k->rc, k->err, k->block, k->what, k->fail_at);
        if (rec && keep)
            vfy_cut_find_since(ve, before);
    }
    if (s == NULL)
        return;
    if (keep && k->err->offset >= 0) {
        int64_t rows = vfy_stream_cut(s, k->err->offset);
        if (rows >= 0 && ve->table)
            vfy_cut_rows_note(ve, rows);
    } else {
        vfy_stream_close(s);
    }
}

/*
 * One block, from the walker's event ev (its header or the damage that kept it from being
 * read): V_REC records where it is, V_DEC checks its data.
 */
static int custom_block(vctx *c, vworker *w, dfi_cwalk *k, dfi_cw_event ev, int flags)
{
    int64_t pos = k->block;
    ventry *ve, *home = (flags & V_REC) ? NULL : w->expect;
    bool usable, dec, live;
    size_t mark;
    vstream s;

    if (ev == DFI_CW_DAMAGE) {
        framing_fail(c, home, k->rc, k->err, pos, k->what, k->fail_at);
        return k->rc;
    }
    {
        ssize_t idx = dfi_find_index(c->r, k->id);
        ve = idx >= 0 ? &c->ents[idx] : NULL;
    }
    /* A worker only ever touches its own entry (the file changed under us?). */
    if (home != NULL && ve != home) {
        vfy_entry_add(home, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, pos, NULL,
                  "the data block at offset %lld now names dump id %d, not this entry",
                  (long long)pos, k->id);
        return DF_E_CORRUPT;
    }
    usable = block_usable(c, ve, k->id, k->type, k->blobs, pos, flags);
    dec = usable && (flags & V_DEC);
    mark = ve ? ve->finds.n : 0;
    if (usable && (flags & V_REC)) {
        ve->found = V_FOUND_PARTIAL;
        ve->start = pos;
    }
    if (block_body(c, w, k, usable ? ve : NULL, flags, dec, &s, &live) == DFI_CW_DAMAGE) {
        block_damage(c, k, ve, usable, flags, mark, live ? &s : NULL);
        return k->rc;
    }
    if (usable && (flags & V_REC)) {
        ve->found = V_FOUND_COMPLETE;
        ve->end = dfi_buf_tell(k->b);
        ve->stored = ve->end - pos;
    }
    if (dec)
        ve->decoded = true;
    return DF_OK;
}

/* A worker: check the one block at its buffer's position. */
void vfy_custom_block_at(vworker *w)
{
    dfi_cwalk k;

    dfi_cw_init(&k, &w->buf, &w->c->r->arch, &w->c->r->lim, &w->err, true);
    custom_block(w->c, w, &k, dfi_cw_next(&k), V_DEC);
}

/* Walk the data area block by block from the buffer's position to its end. */
void vfy_custom_walk(vctx *c, vworker *w, dfi_buf *b, df_error *err, int flags)
{
    dfi_cwalk k;

    dfi_cw_init(&k, b, &c->r->arch, &c->r->lim, err, false);
    k.sparse = c->sparse;
    for (;;) {
        int64_t pos = dfi_buf_tell(b);
        dfi_cw_event ev = dfi_cw_next(&k);

        c->walk_end = pos;
        if (ev == DFI_CW_AREA_END) {
            c->walk_stop = k.eof ? V_STOP_EOF : V_STOP_OTHER;
            return;
        }
        if (ev == DFI_CW_DAMAGE && k.where == DFI_CW_AT_BOUNDARY) {
            framing_fail(c, NULL, k.rc, err, pos, k.what, pos);
            c->walk_stop = V_STOP_ERROR;
            return;
        }
        if (custom_block(c, w, &k, ev, flags) != DF_OK) {
            c->walk_stop = V_STOP_ERROR;
            c->walk_end = err->code == DF_E_TRUNCATED ? err->offset : pos;
            return;
        }
        vfy_note_progress(w, b, 0);
    }
}

/* Offset of the first byte that is missing, for messages about a cut file. */
int64_t vfy_eof_offset(const vctx *c)
{
    return c->file_size >= 0 ? c->file_size : c->walk_end;
}

/* After the walk: entries whose block never showed up. */
void vfy_custom_missing(vctx *c)
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
            vfy_entry_add(ve, DF_FIND_MISSING_DATA, DF_SEVERITY_ERROR, c->walk_end, NULL,
                      "no data block for this entry: the data area ends at offset %lld%s",
                      (long long)c->walk_end, where);
        else
            vfy_entry_add(ve, DF_FIND_MISSING_DATA, DF_SEVERITY_ERROR, vfy_eof_offset(c), NULL,
                      "the data of this entry are missing: the archive ends at offset %lld "
                      "before its data block%s",
                      (long long)vfy_eof_offset(c), where);
    }
}

/* Stored offsets against where the blocks are (spec §5.3). */
void vfy_custom_offsets(vctx *c)
{
    int64_t last = -1;
    bool disorder = false;

    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        const df_entry *e = ve->e;

        if (!ve->data || e->offset_state != DF_OFFSET_SET)
            continue;
        if (e->data_offset < c->r->hdr.toc_end)
            vfy_entry_add(ve, DF_FIND_BAD_OFFSET, DF_SEVERITY_ERROR, e->toc_offset, NULL,
                      "the TOC puts the data block at offset %lld, inside the header or TOC",
                      (long long)e->data_offset);
        else if (ve->found != V_FOUND_NONE && ve->start != e->data_offset)
            vfy_entry_add(ve, DF_FIND_BAD_OFFSET, DF_SEVERITY_ERROR, e->toc_offset, NULL,
                      "the TOC puts the data block at offset %lld, but it starts at offset %lld",
                      (long long)e->data_offset, (long long)ve->start);
        if (e->data_offset < last)
            disorder = true;
        last = e->data_offset;
    }
    if (disorder)
        vfy_vlist_add(&c->pre, DF_FIND_OFFSETS_OUT_OF_ORDER, DF_SEVERITY_INFO, NULL, -1, NULL,
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

uint8_t *vfy_read_range(const char *path, int64_t from, int64_t len, df_error *err)
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
void vfy_custom_trailer(vctx *c, dfi_buf *b, df_error *err)
{
    const df_header *h = &c->r->hdr;
    int64_t at = c->walk_end, expect = h->toc_end - h->header_end, got = 0;
    trailer_cmp t = {NULL, 0, -1, {0}};
    int rc;

    if (c->path != NULL && c->r->src.seekable)
        t.lead = vfy_read_range(c->path, h->header_end, expect, err);
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
        vfy_vlist_add(&c->post, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, NULL, err->offset, NULL, "%s",
                  err->message);
        return;
    }
    if (t.diff_at >= 0) {
        vfy_vlist_add(&c->post, DF_FIND_TRAILING_DATA, DF_SEVERITY_ERROR, NULL, at, NULL,
                  "%lld bytes after the last data block (from offset %lld) are neither a data "
                  "block nor a copy of the TOC (first difference at offset %lld)",
                  (long long)got, (long long)at, (long long)(at + t.diff_at));
    } else if (got < expect) {
        vfy_vlist_add(&c->post, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, NULL, at + got, NULL,
                  "the copy of the TOC that follows the data (from offset %lld) ends after %lld "
                  "of its %lld bytes",
                  (long long)at, (long long)got, (long long)expect);
    } else if (got > expect) {
        vfy_vlist_add(&c->post, DF_FIND_TRAILING_DATA, DF_SEVERITY_ERROR, NULL, at + expect, NULL,
                  "%lld bytes follow the copy of the TOC after the data",
                  (long long)(got - expect));
    } else {
        vfy_vlist_add(&c->post, DF_FIND_TOC_COPY, DF_SEVERITY_INFO, NULL, at, NULL,
                  "a copy of the TOC (%lld bytes) follows the last data block, as pg_dump 16+ "
                  "writes it to a redirected stdout; %s",
                  (long long)expect,
                  c->path != NULL && c->r->src.seekable
                      ? "it matches the TOC and its offsets point at the data blocks"
                      : "its length matches the TOC (not compared: the input cannot be reread)");
    }
}

