/*
 * verify_dir.c — the verifier's view of a directory archive (spec §6): data files, LO lists
 * and LO files present and inside the directory (found by the walker, fmt_directory_walk.c),
 * and the quick checks of one file's framing (codec skims) without decompressing.
 * Split out of verify.c; shared state and helpers in verify.h.
 */
#include "verify.h"
#include "entrytype.h"
#include "codec_gzip.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ================================================================== */
/* Directory format (spec §6)                                          */
/* ================================================================== */

/*
 * Find name, name.gz, name.lz4, name.zst (pg_restore's order): DF_OK, or
 * DF_E_NOTFOUND when none exists, or the error of the first that exists but
 * may not be read (not a regular file, a symbolic link out of the directory).
 */
int vfy_dir_discover(const vctx *c, const char *name, char *member, size_t mn, dfi_wrap *wrap,
                        int64_t *size, df_error *err)
{
    int w = DFI_WRAP_RAW;
    int rc = dfi_member_discover(c->path, name, member, mn, &w, size, c->r->follow_symlinks, err);

    *wrap = (dfi_wrap)w;
    return rc;
}

/* A member vfy_dir_discover found but may not read: what it is and why. */
static void dir_refused(ventry *ve, const char *member, const df_error *err)
{
    if (err->code == DF_E_CORRUPT || err->code == DF_E_LIMIT)
        vfy_entry_add(ve, DF_FIND_NOT_REGULAR_FILE, DF_SEVERITY_ERROR, -1, member, "%s", err->message);
    else
        vfy_entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, -1, member, "%s", err->message);
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

/* A line-level event of a BLOBS entry's LO list.  False: stop reading the list. */
static bool dir_lo(vctx *c, ventry *ve, dfi_dw_event ev, const dfi_dwalk *k, const char *list)
{
    if (!vfy_lo_room(c, ve, k->at, list))
        return false;
    switch (ev) {
    case DFI_DW_BAD_LINE:
    case DFI_DW_BAD_NAME:
        vfy_entry_add(ve, DF_FIND_BAD_LO_LIST, DF_SEVERITY_ERROR, k->at, list,
                  "invalid line in the large object list");
        return false;
    case DFI_DW_MISSING:
        vfy_entry_add(ve, DF_FIND_MISSING_FILE, DF_SEVERITY_ERROR, -1, k->name,
                  "the file of large object %u is missing (also tried .gz, .lz4, .zst)", k->oid);
        ve->cut = true;
        return true;
    case DFI_DW_REFUSED:
        dir_refused(ve, k->member, k->err);
        ve->cut = true;
        return true;
    default: break;
    }
    if (vfy_add_lo(ve, k->oid, -1, k->size, k->member, k->wrap) != DF_OK) {
        vfy_entry_add(ve, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, -1, list, "out of memory");
        return false;
    }
    ve->stored += k->size;
    return true;
}

/* What reading the LO list told (cut, over a limit, unreadable): the list's last event. */
static void dir_list_fail(ventry *ve, dfi_dw_event ev, const dfi_dwalk *k, const char *list)
{
    int rc = k->rc;

    if (ev == DFI_DW_LIST_CUT)
        vfy_entry_add(ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, k->at, list,
                  "the last line of the large object list has no newline");
    else if (rc == DF_E_LIMIT || rc == DF_E_NOMEM)
        vfy_entry_add(ve, rc == DF_E_LIMIT ? DF_FIND_OVER_LIMIT : DF_FIND_COULD_NOT_CHECK,
                  rc == DF_E_LIMIT ? DF_SEVERITY_ERROR : DF_SEVERITY_UNKNOWN, k->at, list,
                  rc == DF_E_LIMIT ? "line of the large object list is longer than the "
                                     "limit (max_line)"
                                   : "out of memory");
    else
        vfy_entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, k->err->offset, list, "%s",
                  k->err->message);
}

/* The walk's first event for a BLOBS entry: its LO list found and open, or not.  True: open. */
static bool dir_list_open(vctx *c, ventry *ve, dfi_dw_event ev, const dfi_dwalk *k)
{
    const char *list = k->name;

    if (ev == DFI_DW_BAD_NAME) {
        vfy_entry_add(ve, DF_FIND_BAD_TOC, DF_SEVERITY_ERROR, ve->e->toc_offset, "",
                  "invalid LO list file name \"%s\" in the TOC", list ? list : "");
        return false;
    }
    if ((ve->member = strdup(list)) == NULL) {
        c->pre.oom = true;
        return false;
    }
    if (ev == DFI_DW_MISSING) {
        vfy_entry_add(ve, DF_FIND_MISSING_FILE, DF_SEVERITY_ERROR, -1, list,
                  "the large object list \"%s\" of this entry is missing", list);
        return false;
    }
    if (ev != DFI_DW_LO_LIST) {
        dir_refused(ve, list, k->err);
        return false;
    }
    ve->found = V_FOUND_COMPLETE;
    return true;
}

/* A BLOBS entry: its LO list, and each LO's file, through the directory walker. */
static void dir_lo_list(vctx *c, ventry *ve, dfi_dwalk *k)
{
    const char *list;
    dfi_dw_event ev;

    while ((ev = dfi_dw_next(k)) == DFI_DW_ENTRY)
        ;
    list = k->name;
    if (!dir_list_open(c, ve, ev, k))
        return;
    while ((ev = dfi_dw_next(k)) != DFI_DW_ENTRY_END && ev != DFI_DW_END) {
        if (ev == DFI_DW_LIST_CUT || ev == DFI_DW_LIST_FAIL) {
            dir_list_fail(ve, ev, k, list);
            break;
        }
        if (!dir_lo(c, ve, ev, k, list))
            break;
    }
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

/* A data entry's file, as the walker found it (or not). */
static void dir_data_file(vctx *c, ventry *ve, dfi_dw_event ev, const dfi_dwalk *k)
{
    char member[300];

    if (ev == DFI_DW_BAD_NAME) {
        vfy_entry_add(ve, DF_FIND_BAD_TOC, DF_SEVERITY_ERROR, ve->e->toc_offset, "toc.dat",
                  "invalid data file name \"%s\" in the TOC", ve->e->filename);
        return;
    }
    if (ev == DFI_DW_REFUSED) {
        dir_refused(ve, k->member, k->err);
        return;
    }
    if (ev != DFI_DW_FILE) {
        /* Name the file the header's compression says pg_dump wrote. */
        snprintf(member, sizeof member, "%s%s", ve->e->filename, dir_suffix_hint(c));
        vfy_entry_add(ve, DF_FIND_MISSING_FILE, DF_SEVERITY_ERROR, -1, member,
                  "the data file of this entry is missing (tried \"%s\" with no suffix and "
                  "with .gz, .lz4, .zst)",
                  ve->e->filename);
        return;
    }
    ve->wrap = k->wrap;
    ve->stored = k->size;
    if ((ve->member = strdup(k->member)) == NULL) {
        c->pre.oom = true;
        return;
    }
    ve->found = V_FOUND_COMPLETE;
}

/* Find every data file and LO file toc.dat names, entry by entry through the walker. */
void vfy_dir_prepare(vctx *c)
{
    dfi_dwalk k;
    df_error err;

    dfi_dw_init(&k, c->path, c->r->arch.version, &c->r->lim, c->r->follow_symlinks, &err);
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        dfi_dw_event ev;

        if (!ve->data)
            continue;
        dfi_dw_entry(&k, ve->e);
        if (ve->blobs) {
            dir_lo_list(c, ve, &k);
            continue;
        }
        while ((ev = dfi_dw_next(&k)) == DFI_DW_ENTRY)
            ;
        dir_data_file(c, ve, ev, &k);
    }
    dfi_dw_free(&k);
}

/* --- quick checks of one file without decompressing ----------------- */

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
        vfy_entry_add(ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, size, member,
                  "%lld bytes are fewer than the smallest gzip member (20 bytes)", (long long)size);
        return;
    }
    if (wrap == DFI_WRAP_RAW && !table)
        return; /* large object bytes: nothing to see without a length */
    if (open_member(c, member, &src, &b, &err) != DF_OK) {
        vfy_entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, -1, member, "%s", err.message);
        return;
    }
    if (wrap == DFI_WRAP_RAW)
        rc = raw_tail(&b, &err, size, ve->rows_mode, &why);
    else
        rc = dfi_codec_skim(wrap, &b, &err); /* the codec walks its own frames */
    if (rc == DF_E_TRUNCATED)
        vfy_entry_add(ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, err.offset, member,
                  "the file ends at offset %lld inside its compressed frame",
                  (long long)err.offset);
    else if (rc == DF_E_CORRUPT)
        vfy_entry_add(ve, DF_FIND_BAD_DATA, DF_SEVERITY_ERROR, err.offset, member, "%s", err.message);
    else if (rc != DF_OK)
        vfy_entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, err.offset, member, "%s",
                  err.message);
    else if (why != NULL)
        vfy_entry_add(ve, DF_FIND_MISSING_TERMINATOR, DF_SEVERITY_ERROR, size, member, "%s", why);
    dfi_buf_free(&b);
    dfi_src_close(&src);
}

void vfy_dir_quick(vctx *c)
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
void vfy_dir_file(vworker *w, ventry *ve, const char *member, dfi_wrap wrap, bool table)
{
    dfi_src src;
    dfi_buf b;
    vstream s;
    int rc;

    if (open_member(w->c, member, &src, &b, &w->err) != DF_OK) {
        vfy_entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, -1, member, "%s", w->err.message);
        return;
    }
    vfy_stream_begin(&s, w, ve, wrap, table, 0, src.size, member);
    while ((rc = dfi_buf_fill(&b, &w->err)) == DF_OK) {
        size_t n = dfi_buf_avail(&b);
        vfy_stream_feed(&s, dfi_buf_ptr(&b), n, dfi_buf_tell(&b));
        dfi_buf_consume(&b, n);
        vfy_note_progress(w, NULL, (int64_t)n);
    }
    if (rc == DF_EOF) {
        vfy_stream_end(&s, dfi_buf_tell(&b));
    } else {
        vfy_stream_close(&s);
        vfy_entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, w->err.offset, member, "%s",
                  w->err.message);
    }
    dfi_buf_free(&b);
    dfi_src_close(&src);
}

