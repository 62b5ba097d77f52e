/*
 * verify_tar.c — the verifier's walk of a tar archive (spec §7): every member header through
 * the tar walker (fmt_tar.c), data members found by name, the end-of-archive blocks.
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
/* Tar format (spec §7)                                                */
/* ================================================================== */

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

/*
 * The TABLE DATA (or other non-BLOBS data) entry stored in member `name`:
 * the member the TOC names, as pg_restore's tarOpen() looks it up (it never
 * tries "<file>.gz": tar archives hold no compressed data).
 */
static ventry *tar_data_entry(vctx *c, const char *name, dfi_wrap *wrap)
{
    ventry *ve;

    if (!index_by_file(c) || (ve = find_by_file(c, name, strlen(name))) == NULL)
        return NULL;
    *wrap = dfi_tar_member_wrap(name);
    return ve;
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


void vfy_tar_fail(vctx *c, ventry *ve, int rc, const df_error *err, const char *member,
                     const char *what)
{
    if (rc == DF_E_TRUNCATED)
        vfy_where_add(c, ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, err->offset, member,
                  "the file ends at offset %lld inside %s", (long long)err->offset, what);
    else if (rc == DF_E_IO)
        vfy_where_add(c, ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, err->offset, member, "%s",
                  err->message);
    else
        vfy_where_add(c, ve, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, err->offset, member, "%s",
                  err->message[0] ? err->message : df_strstatus(rc));
}

/* The entry member k->name holds (and how it is stored): a BLOBS run's or a data entry. */
static ventry *tar_member_entry(vctx *c, const dfi_twalk *k, ventry *run, uint32_t *oid,
                                dfi_wrap *wrap)
{
    *wrap = DFI_WRAP_RAW;
    *oid = dfi_tar_blob_oid(k->name, wrap);
    if (*oid != 0)
        return run != NULL ? run : tar_blobs_entry(c, *oid);
    return tar_data_entry(c, k->name, wrap);
}

/*
 * Record member k as (part of) the data of its entry ve (from tar_member_entry): *rec is the
 * entry it was recorded for, NULL when none (no entry, a second member, over max_los).
 */
static int tar_record(vctx *c, const dfi_twalk *k, ventry *ve, uint32_t oid, dfi_wrap wrap,
                      ventry **rec)
{
    *rec = NULL;
    if (oid != 0) {
        if (ve == NULL)
            vfy_vlist_add(&c->post, DF_FIND_LO_MISMATCH, DF_SEVERITY_ERROR, NULL, k->at, k->name,
                      "large object member \"%s\" belongs to no BLOBS entry of the TOC",
                      k->name);
        if (ve == NULL || !vfy_lo_room(c, ve, k->at, k->name))
            return DF_OK; /* over max_los: neither recorded nor checked */
        if (vfy_add_lo(ve, oid, k->data, k->size, k->name, wrap) != DF_OK)
            return DF_E_NOMEM;
        ve->found = V_FOUND_COMPLETE;
        ve->stored += k->size;
        *rec = ve;
        return DF_OK;
    }
    if (ve == NULL)
        return DF_OK;
    if (ve->found != V_FOUND_NONE) {
        vfy_entry_add(ve, DF_FIND_BAD_MEMBER, DF_SEVERITY_ERROR, k->at, k->name,
                  "a second member \"%s\" holds the data of this entry", k->name);
        return DF_OK;
    }
    ve->found = V_FOUND_COMPLETE;
    ve->start = k->data;
    ve->end = k->data + k->size;
    ve->stored = k->size;
    ve->wrap = wrap;
    *rec = ve;
    return (ve->member = strdup(k->name)) != NULL ? DF_OK : DF_E_NOMEM;
}

/* One member's data: which entry it is (*rec), recorded, and checked with V_DEC. */
static int tar_member(vctx *c, vworker *w, dfi_twalk *k, int flags, ventry **run, ventry **rec)
{
    dfi_wrap wrap;
    uint32_t oid;
    ventry *ve = tar_member_entry(c, k, *run, &oid, &wrap);
    vstream s;
    const uint8_t *p;
    size_t n;
    int64_t at;
    int rc = DF_OK;

    *run = oid != 0 ? ve : NULL;
    *rec = NULL;
    if ((flags & V_REC) && (rc = tar_record(c, k, ve, oid, wrap, rec)) != DF_OK)
        return rc;
    ve = *rec;
    if (ve == NULL || !(flags & V_DEC))
        return DF_OK; /* the walk skips the data */
    vfy_stream_begin(&s, w, ve, wrap, oid == 0 && ve->table, k->data, k->data + k->size, k->name);
    while ((rc = dfi_tw_data(k, &p, &n, &at)) == DF_OK) {
        vfy_stream_feed(&s, p, n, at);
        vfy_note_progress(w, k->b, (int64_t)n);
    }
    if (rc == DF_E_TRUNCATED && oid == 0 && ve->table && c->opt->cut_rows) {
        /* a pipe's data run out: what came before is checked now, the walk reports the cut */
        ve->cut_mark = ve->finds.n;
        ve->cut_rows = vfy_stream_cut(&s, k->err->offset);
        return DF_OK;
    }
    if (rc != DF_EOF) {
        vfy_stream_close(&s);
        return DF_OK; /* the walk reports the damage */
    }
    vfy_stream_end(&s, k->data + k->size);
    if (oid == 0)
        ve->decoded = true;
    return DF_OK;
}

/* The data of member k, recorded for ve, could not be read: the entry is cut. */
static void tar_data_fail(vctx *c, const dfi_twalk *k, ventry *ve, int flags)
{
    char what[400];

    if (ve != NULL && (flags & V_REC)) {
        ve->found = V_FOUND_PARTIAL;
        ve->cut = true;
        ve->stored -= k->size; /* counted above; a cut member stores nothing usable */
    }
    snprintf(what, sizeof what, "the data of member \"%s\" (offsets %lld..%lld)", k->name,
             (long long)k->data, (long long)(k->data + k->size));
    vfy_tar_fail(c, ve, k->rc, k->err, k->name, what);
    if (ve != NULL && ve->cut_rows >= 0 && ve->finds.n > ve->cut_mark) {
        /* tar_member checked what came before the cut: the finding goes first, as in a file */
        vfy_vlist_move_last(&ve->finds, ve->cut_mark);
        vfy_cut_find_since(ve, ve->cut_mark);
        vfy_cut_rows_note(ve, ve->cut_rows);
    }
}

/*
 * The file ends inside member k's data, recorded for table data ve: what came before the cut
 * is decoded after the walk (vfy_tar_cut; issue 13), the truncated finding (its `before`th)
 * then gains the rows.  Only when the file can be read again.
 */
static void tar_cut_record(vctx *c, const dfi_twalk *k, ventry *ve, uint32_t oid, dfi_wrap wrap,
                           int flags, size_t before)
{
    if (ve == NULL || oid != 0 || !ve->table || !(flags & V_REC) || !c->opt->cut_rows ||
        c->opt->quick || ve->member != NULL || k->data >= c->file_size)
        return;
    if ((ve->member = strdup(k->name)) == NULL) {
        ve->finds.oom = true;
        return;
    }
    ve->start = k->data;
    ve->wrap = wrap;
    ve->cut_at = c->file_size;
    vfy_cut_find_since(ve, before);
}

/*
 * The data of a member the file ends in, up to the cut: a worker (b NULL: its own handle), or
 * the serial walk afterwards through the reader's buffer b (a file, or a descriptor that
 * seeks).
 */
void vfy_tar_cut(vworker *w, ventry *ve, dfi_buf *b)
{
    vstream s;
    int64_t rows = -1;
    int rc = b != NULL ? dfi_buf_seek(b, ve->start, &w->err) : vfy_worker_seek(w, ve->start);

    if (b == NULL)
        b = &w->buf;
    if (rc == DF_OK) {
        vfy_stream_begin(&s, w, ve, ve->wrap, true, ve->start, ve->cut_at, ve->member);
        rc = vfy_feed_bytes(w, b, &w->err, &s, ve->cut_at - ve->start);
        if (rc == DF_OK)
            rows = vfy_stream_cut(&s, ve->cut_at);
        else
            vfy_stream_close(&s);
    }
    if (rc != DF_OK)
        vfy_tar_fail(w->c, ve, rc, &w->err, ve->member, "member data");
    else if (rows >= 0)
        vfy_cut_rows_note(ve, rows);
}

/* A walk that ends at damage: say what it is. */
static void tar_damage(vctx *c, dfi_twalk *k, dfi_tw_event ev, ventry *run, ventry *rec,
                       int flags)
{
    char what[300];

    c->walk_end = k->at;
    switch (ev) {
    case DFI_TW_NO_END:
        vfy_vlist_add(&c->post, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, NULL, k->at, NULL,
                  "the tar archive ends at offset %lld without its end-of-archive blocks",
                  (long long)k->at);
        return;
    case DFI_TW_HEADER_FAIL: vfy_tar_fail(c, NULL, k->rc, k->err, NULL, "a member header"); break;
    case DFI_TW_BAD_CHECKSUM:
        vfy_vlist_add(&c->post, DF_FIND_BAD_CHECKSUM, DF_SEVERITY_ERROR, NULL, k->at, NULL,
                  "tar header checksum mismatch in the member header at offset %lld",
                  (long long)k->at);
        return;
    case DFI_TW_BAD_SIZE:
        vfy_vlist_add(&c->post, DF_FIND_BAD_MEMBER, DF_SEVERITY_ERROR, NULL, k->at + 124, NULL,
                  "invalid size field in the member header at offset %lld", (long long)k->at);
        return;
    case DFI_TW_PAST_END: {
        dfi_wrap wrap;
        uint32_t oid;
        ventry *ve = tar_member_entry(c, k, run, &oid, &wrap);
        size_t before = ve != NULL ? ve->finds.n : 0;
        if (ve != NULL && (flags & V_REC)) {
            ve->found = V_FOUND_PARTIAL;
            ve->cut = true;
        }
        /* the same words a pipe gets when its data run out (tar_data_fail) */
        vfy_where_add(c, ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, c->file_size, k->name,
                  "the file ends at offset %lld inside the data of member \"%s\" (offsets "
                  "%lld..%lld)",
                  (long long)c->file_size, k->name, (long long)k->data,
                  (long long)(k->data + k->size));
        tar_cut_record(c, k, ve, oid, wrap, flags, before);
        return;
    }
    case DFI_TW_DATA_FAIL: tar_data_fail(c, k, rec, flags); break;
    case DFI_TW_PADDING_FAIL:
        snprintf(what, sizeof what, "the padding of member \"%s\"", k->name);
        vfy_tar_fail(c, NULL, k->rc, k->err, k->name, what);
        break;
    default: break;
    }
    if (k->rc == DF_E_TRUNCATED)
        c->walk_end = k->err->offset; /* a pipe: where the input ended */
}

/* The end-of-archive blocks at k->at; anything after them is ignored. */
static void tar_end_blocks(vctx *c, dfi_twalk *k)
{
    int64_t at = k->at;
    dfi_tw_event ev = dfi_tw_next(k);

    c->walk_stop = ev == DFI_TW_END_OK ? V_STOP_EOF : V_STOP_ERROR;
    c->walk_end = at;
    if (ev == DFI_TW_END_FAIL && k->rc == DF_E_TRUNCATED)
        vfy_vlist_add(&c->post, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, NULL, k->err->offset, NULL,
                  "the file ends at offset %lld inside the end-of-archive blocks that start at "
                  "offset %lld",
                  (long long)k->err->offset, (long long)at);
    else if (ev == DFI_TW_END_FAIL)
        vfy_tar_fail(c, NULL, k->rc, k->err, NULL, "the end-of-archive blocks");
    else if (ev == DFI_TW_BAD_END)
        vfy_vlist_add(&c->post, DF_FIND_BAD_MEMBER, DF_SEVERITY_ERROR, NULL, k->data, NULL,
                  "a single zero block at offset %lld is followed by a non-zero block",
                  (long long)at);
}

/* Walk the members after toc.dat to the end-of-archive blocks. */
void vfy_tar_walk(vctx *c, vworker *w, dfi_buf *b, df_error *err, int flags)
{
    ventry *run = NULL, *rec = NULL;
    dfi_twalk k;

    dfi_tw_init(&k, b, c->file_size, err);
    for (;;) {
        dfi_tw_event ev = dfi_tw_next(&k);

        c->walk_stop = V_STOP_ERROR;
        if (ev == DFI_TW_END) {
            tar_end_blocks(c, &k);
            return;
        }
        if (ev != DFI_TW_MEMBER) {
            tar_damage(c, &k, ev, run, rec, flags);
            return;
        }
        c->walk_end = k.at;
        vfy_note_progress(w, b, 0);
        if (tar_member(c, w, &k, flags, &run, &rec) != DF_OK)
            return; /* out of memory */
    }
}

/* Entries whose member never showed up. */
void vfy_tar_missing(vctx *c)
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
            vfy_entry_add(ve, DF_FIND_MISSING_DATA, DF_SEVERITY_ERROR, vfy_eof_offset(c), name,
                      "member \"%s\" with the data of this entry is missing: the archive ends "
                      "at offset %lld before it",
                      name, (long long)vfy_eof_offset(c));
        else
            vfy_entry_add(ve, DF_FIND_MISSING_DATA, DF_SEVERITY_ERROR, c->walk_end, name,
                      "the archive has no member \"%s\" with the data of this entry", name);
    }
}

