/*
 * verify_dir.c — the verifier's view of a directory archive (spec §6): data files, LO lists
 * and LO files present and inside the directory, and the quick checks of one file's framing
 * (codec skims) without decompressing.
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

/* One line of a BLOBS entry's LO list: find the LO's file.  False: stop reading the list. */
static bool dir_lo(vctx *c, ventry *ve, const dfi_line *line, int64_t at, const char *list)
{
    uint32_t oid;
    char *name, member[300];
    dfi_wrap wrap;
    int64_t size;
    df_error err;
    int rc;

    if (line->n == 0 || !dfi_lo_list_line(line->s, &oid, &name) || !safe_name(name)) {
        vfy_entry_add(ve, DF_FIND_BAD_LO_LIST, DF_SEVERITY_ERROR, at, list,
                  "invalid line in the large object list");
        return false;
    }
    rc = vfy_dir_discover(c, name, member, sizeof member, &wrap, &size, &err);
    if (rc == DF_E_NOTFOUND) {
        vfy_entry_add(ve, DF_FIND_MISSING_FILE, DF_SEVERITY_ERROR, -1, name,
                  "the file of large object %u is missing (also tried .gz, .lz4, .zst)", oid);
        ve->cut = true;
    } else if (rc != DF_OK) {
        dir_refused(ve, member, &err);
        ve->cut = true;
    } else if (vfy_add_lo(ve, oid, -1, size, member, wrap) != DF_OK) {
        vfy_entry_add(ve, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, -1, list, "out of memory");
        return false;
    } else {
        ve->stored += size;
    }
    return true;
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
        vfy_entry_add(ve, DF_FIND_BAD_TOC, DF_SEVERITY_ERROR, ve->e->toc_offset, "",
                  "invalid LO list file name \"%s\" in the TOC", list ? list : "");
        return;
    }
    if ((ve->member = strdup(list)) == NULL) {
        c->pre.oom = true;
        return;
    }
    if (open_lo_list(c, list, &src, &b, &err) != DF_OK) {
        if (err.code == DF_E_NOTFOUND)
            vfy_entry_add(ve, DF_FIND_MISSING_FILE, DF_SEVERITY_ERROR, -1, list,
                      "the large object list \"%s\" of this entry is missing", list);
        else
            dir_refused(ve, list, &err);
        return;
    }
    ve->found = V_FOUND_COMPLETE;
    for (;;) {
        int rc = dfi_lo_list_next(&b, &line, &c->r->lim, &err);

        if (rc == DF_EOF)
            break;
        if (rc == DF_E_TRUNCATED) {
            vfy_entry_add(ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, dfi_buf_tell(&b), list,
                      "the last line of the large object list has no newline");
            break;
        }
        if (rc == DF_E_LIMIT || rc == DF_E_NOMEM) {
            vfy_entry_add(ve, rc == DF_E_LIMIT ? DF_FIND_OVER_LIMIT : DF_FIND_COULD_NOT_CHECK,
                      rc == DF_E_LIMIT ? DF_SEVERITY_ERROR : DF_SEVERITY_UNKNOWN, at, list,
                      rc == DF_E_LIMIT ? "line of the large object list is longer than the "
                                         "limit (max_line)"
                                       : "out of memory");
            break;
        }
        if (rc != DF_OK) {
            vfy_entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, err.offset, list, "%s",
                      err.message);
            break;
        }
        if (!vfy_lo_room(c, ve, at, list) || !dir_lo(c, ve, &line, at, list))
            break;
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
void vfy_dir_prepare(vctx *c)
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
            vfy_entry_add(ve, DF_FIND_BAD_TOC, DF_SEVERITY_ERROR, ve->e->toc_offset, "toc.dat",
                      "invalid data file name \"%s\" in the TOC", ve->e->filename);
            continue;
        }
        rc = vfy_dir_discover(c, ve->e->filename, member, sizeof member, &ve->wrap, &ve->stored, &err);
        if (rc != DF_OK && rc != DF_E_NOTFOUND) {
            dir_refused(ve, member, &err);
            continue;
        }
        if (rc != DF_OK) {
            /* Name the file the header's compression says pg_dump wrote. */
            snprintf(member, sizeof member, "%s%s", ve->e->filename, dir_suffix_hint(c));
            vfy_entry_add(ve, DF_FIND_MISSING_FILE, DF_SEVERITY_ERROR, -1, member,
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

