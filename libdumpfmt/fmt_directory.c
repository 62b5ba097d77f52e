/*
 * fmt_directory.c — the directory format (pg_dump -Fd, spec §6): toc.dat
 * (stamped format 3) plus one file per TABLE DATA entry and per large
 * object, each optionally compressed (.gz, .lz4, .zst: found by trying the
 * suffixes in pg_restore's order), and LO list files (blobs.toc up to 1.15,
 * blobs_<dumpId>.toc from 1.16).  pg_dump never compresses toc.dat or the
 * LO lists, but pg_restore finds them compressed too (someone gzipped the
 * whole directory), so they are looked up the same way and decoded as read.
 * File names from toc.dat never leave the directory, and every member must
 * be a regular file that (unless the caller follows symlinks) resolves
 * inside it: see dfi_member_check.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct dir_state {
    char *dir;
    dfi_dwalk walk; /* finds the members: fmt_directory_walk.c */
    dfi_src data_src;
    dfi_buf data_buf;
    bool data_open;
    char list_name[256]; /* the LO list open, as found */
    char member[256];    /* data file currently open, with its suffix (NAME_MAX) */
    int64_t los;         /* large objects of the open list so far */
} dir_state;

static dir_state *ds_of(const df_reader *r)
{
    return r->fmt_state;
}

static int check_name(df_reader *r, const char *name)
{
    if (!dfi_member_name_ok(name))
        return dfi_fail(&r->err, DF_E_CORRUPT, -1, "invalid file name \"%s\" in archive", name);
    return DF_OK;
}

/* Open name (or name.gz, .lz4, .zst) for whole-file reading, decoding it if compressed. */
static int open_whole(df_reader *r, dfi_src *src, const char *name, char *member, size_t mn)
{
    int wrap, rc = check_name(r, name);

    if (rc == DF_OK)
        rc = dfi_src_open_discover(src, ds_of(r)->dir, name, member, mn, &wrap,
                                   r->follow_symlinks, &r->err);
    if (rc == DF_OK) {
        dfi_error_set_member(&r->err, member);
        rc = dfi_src_decode(src, wrap, &r->err);
        if (rc != DF_OK)
            dfi_src_close(src);
    }
    return rc;
}

/*
 * An error inside a compressed toc.dat (toc.dat.gz, ...) has an offset in
 * the decoded stream, which no one can open with xxd -s in the file: it
 * goes into the message as a decoded offset, and the error has none.
 */
static void decoded_offset(df_error *err)
{
    char tail[48];
    size_t n = strlen(err->message), k;

    if (err->offset < 0)
        return;
    k = (size_t)snprintf(tail, sizeof tail, " at decoded offset %lld", (long long)err->offset);
    if (n + k >= sizeof err->message) /* the message gives way, the offset stays */
        n = sizeof err->message - 1 - k;
    memcpy(err->message + n, tail, k + 1);
    err->offset = -1;
}

static int dir_open(df_reader *r)
{
    dir_state *ds = calloc(1, sizeof *ds);
    char member[64];
    int rc;

    if (ds == NULL)
        return dfi_fail(&r->err, DF_E_NOMEM, -1, "out of memory");
    r->fmt_state = ds;
    ds->data_src.fd = -1;
    ds->dir = strdup(r->path);
    if (ds->dir == NULL)
        return dfi_fail(&r->err, DF_E_NOMEM, -1, "out of memory");
    rc = open_whole(r, &r->src, "toc.dat", member, sizeof member);
    if (rc != DF_OK) {
        if (rc == DF_E_NOTFOUND) {
            dfi_error_set_member(&r->err, "toc.dat");
            dfi_fail(&r->err, DF_E_FORMAT, -1, "directory has no toc.dat: not a directory archive");
        }
        return r->err.code;
    }
    r->src.io_cap = r->io_size;
    r->hdr.file_size = r->src.size;
    rc = dfi_buf_init(&r->buf, &r->src, DFI_BUF_SIZE, &r->err);
    if (rc == DF_OK)
        dfi_note_text_damage(r);
    if (rc == DF_OK)
        rc = dfi_read_header(r, 3);
    if (rc == DF_OK)
        dfi_dw_init(&ds->walk, ds->dir, r->arch.version, &r->lim, r->follow_symlinks, &r->err);
    if (rc == DF_OK)
        rc = dfi_read_toc(r, dfi_toc_filename_extra);
    if (rc == DF_OK && r->toc_cut && r->toc_cut_err.member[0] == '\0')
        dfi_error_set_member(&r->toc_cut_err, member);
    if (rc != DF_OK && r->err.member[0] == '\0')
        dfi_error_set_member(&r->err, member);
    if (rc != DF_OK && strcmp(member, "toc.dat") != 0 && strcmp(r->err.member, member) == 0)
        decoded_offset(&r->err);
    return rc;
}

static void close_data_file(dir_state *ds)
{
    if (!ds->data_open)
        return;
    dfi_buf_free(&ds->data_buf);
    dfi_src_close(&ds->data_src);
    ds->data_open = false;
}

static void close_list_file(dir_state *ds)
{
    dfi_dw_skip_entry(&ds->walk);
}

/*
 * Open the file the walker found for e (its data file or one of its large
 * objects: name, then name.gz, .lz4, .zst, pg_restore's discovery order), or
 * word what it found instead.  The data stream's decoder (r->wrap)
 * decompresses it, so raw offsets stay those of the file.
 */
static int open_data_file(df_reader *r, dfi_dw_event ev, const df_entry *e)
{
    dir_state *ds = ds_of(r);
    const dfi_dwalk *k = &ds->walk;
    char label[256];
    int rc;

    if (ev == DFI_DW_BAD_NAME)
        return dfi_fail(&r->err, DF_E_CORRUPT, -1, "invalid file name \"%s\" in archive",
                        k->name ? k->name : "(null)");
    if (ev == DFI_DW_MISSING) {
        dfi_entry_label(e, label, sizeof label);
        dfi_error_set_member(&r->err, k->name);
        return dfi_fail(&r->err, DF_E_NOTFOUND, -1,
                        "data file \"%s\" of %s is missing (also tried .gz, .lz4, .zst)", k->name,
                        label);
    }
    snprintf(ds->member, sizeof ds->member, "%.255s", k->member);
    dfi_error_set_member(&r->err, ds->member);
    if (ev != DFI_DW_FILE && ev != DFI_DW_LO) /* REFUSED: r->err says why */
        return r->err.code;
    rc = dfi_src_open_member(&ds->data_src, ds->dir, ds->member, r->follow_symlinks, &r->err);
    if (rc != DF_OK)
        return rc;
    ds->data_src.io_cap = r->io_size;
    rc = dfi_buf_init(&ds->data_buf, &ds->data_src, DFI_BUF_SIZE, &r->err);
    if (rc != DF_OK) {
        dfi_src_close(&ds->data_src);
        return rc;
    }
    ds->data_open = true;
    r->wrap = k->wrap;
    snprintf(r->stats.member, sizeof r->stats.member, "%s", ds->member);
    r->stats.raw_offset = 0;
    return DF_OK;
}

/* A BLOBS entry's LO list, as the walker found and opened it (or not). */
static int open_list_file(df_reader *r, dfi_dw_event ev, const df_entry *e)
{
    dir_state *ds = ds_of(r);
    const dfi_dwalk *k = &ds->walk;

    if (ev == DFI_DW_BAD_NAME && k->name == NULL)
        return dfi_fail(&r->err, DF_E_CORRUPT, e->toc_offset,
                        "BLOBS (dump id %d) names no large object list", e->dump_id);
    if (ev == DFI_DW_BAD_NAME)
        return dfi_fail(&r->err, DF_E_CORRUPT, -1, "invalid file name \"%s\" in archive", k->name);
    if (ev == DFI_DW_MISSING) {
        dfi_error_set_member(&r->err, k->name);
        return dfi_fail(&r->err, DF_E_NOTFOUND, -1,
                        "large object list \"%s\" of BLOBS (dump id %d) is missing", k->name,
                        e->dump_id);
    }
    if (ev != DFI_DW_LO_LIST) {
        /* a list found but not decodable names it; one that may not be opened does not */
        if (r->err.code == DF_E_UNSUPPORTED || r->err.code == DF_E_NOMEM)
            dfi_error_set_member(&r->err, k->member);
        return r->err.code;
    }
    snprintf(ds->list_name, sizeof ds->list_name, "%.255s", k->member);
    dfi_error_set_member(&r->err, ds->list_name);
    ds->los = 0;
    snprintf(r->stats.member, sizeof r->stats.member, "%.255s", k->name);
    return DF_OK;
}

static int dir_open_data(df_reader *r, const df_entry *e)
{
    dir_state *ds = ds_of(r);
    dfi_dw_event ev;

    close_data_file(ds);
    ds->walk.version = r->arch.version;
    ds->walk.io_cap = r->io_size;
    dfi_dw_entry(&ds->walk, e);
    while ((ev = dfi_dw_next(&ds->walk)) == DFI_DW_ENTRY)
        ;
    if (df_entry_is_blobs(e))
        return open_list_file(r, ev, e);
    return open_data_file(r, ev, e);
}

int dfi_lo_list_next(dfi_buf *b, dfi_line *l, const df_limits *lim, df_error *err)
{
    l->n = 0;
    for (;;) {
        int rc = dfi_buf_fill(b, err);
        uint8_t ch;

        if (rc == DF_EOF)
            return l->n == 0 ? DF_EOF : DF_E_TRUNCATED;
        if (rc != DF_OK)
            return rc;
        ch = dfi_buf_ptr(b)[0];
        dfi_buf_consume(b, 1);
        if (ch == '\n')
            return DF_OK;
        if ((rc = dfi_line_push(l, lim, (char)ch)) != DF_OK)
            return rc;
    }
}

bool dfi_lo_list_line(char *line, uint32_t *oid, char **name)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(line, &end, 10);
    if (end == line || *end != ' ' || errno != 0 || v == 0 || v > UINT32_MAX || end[1] == '\0' ||
        strchr(end + 1, ' ') != NULL)
        return false;
    *oid = (uint32_t)v;
    *name = end + 1;
    return true;
}

/* The LO list's reading failed at a line (cut, too long, unreadable): the error. */
static int list_failed(df_reader *r, dfi_dw_event ev)
{
    dir_state *ds = ds_of(r);
    const dfi_dwalk *k = &ds->walk;

    if (ev == DFI_DW_LIST_CUT)
        return dfi_fail(&r->err, DF_E_TRUNCATED, k->at,
                        "last line of large object list \"%s\" has no newline", ds->list_name);
    if (k->rc == DF_E_NOMEM)
        return dfi_fail(&r->err, DF_E_NOMEM, k->at, "out of memory");
    if (k->rc == DF_E_LIMIT)
        return dfi_fail(&r->err, DF_E_LIMIT, k->at,
                        "line of large object list \"%s\" is longer than %lld bytes",
                        ds->list_name, (long long)r->lim.max_line - 1);
    return k->rc;
}

/* The next line of the LO list, through the walker: the LO's file opened, or why not. */
static int dir_next_lo(df_reader *r, uint32_t *oid)
{
    dir_state *ds = ds_of(r);
    dfi_dw_event ev;
    int rc;

    close_data_file(ds);
    dfi_error_set_member(&r->err, ds->list_name);
    ev = dfi_dw_next(&ds->walk);
    if (ev == DFI_DW_ENTRY_END || ev == DFI_DW_END)
        return DF_EOF;
    if (ev == DFI_DW_LIST_CUT || ev == DFI_DW_LIST_FAIL)
        return list_failed(r, ev);
    rc = dfi_limit_los(&r->lim, ds->los, &r->err, ds->walk.at);
    if (rc != DF_OK)
        return rc;
    if (ev == DFI_DW_BAD_LINE)
        return dfi_fail(&r->err, DF_E_CORRUPT, ds->walk.at,
                        "invalid line in large object list \"%s\"", ds->list_name);
    *oid = ds->walk.oid;
    ds->los++;
    return open_data_file(r, ev, r->cur);
}

static int dir_read_raw(df_reader *r, const uint8_t **p, size_t *n)
{
    dir_state *ds = ds_of(r);
    int rc;

    if (!ds->data_open)
        return DF_EOF;
    rc = dfi_buf_fill(&ds->data_buf, &r->err);
    if (rc != DF_OK)
        return rc;
    *p = dfi_buf_ptr(&ds->data_buf);
    *n = dfi_buf_avail(&ds->data_buf);
    dfi_buf_consume(&ds->data_buf, *n);
    r->stats.raw_bytes += (int64_t)*n;
    r->stats.payload_bytes += (int64_t)*n;
    return DF_OK;
}

static void dir_close_data(df_reader *r)
{
    close_data_file(ds_of(r));
    close_list_file(ds_of(r));
}

static void dir_free(df_reader *r)
{
    dir_state *ds = ds_of(r);

    if (ds == NULL)
        return;
    close_data_file(ds);
    dfi_dw_free(&ds->walk);
    free(ds->dir);
    free(ds);
    r->fmt_state = NULL;
}

static int64_t dir_tell(const df_reader *r)
{
    dir_state *ds = ds_of(r);

    return ds->data_open ? dfi_buf_tell(&ds->data_buf) : -1;
}

/*
 * The dump id a data file or LO list name carries: "<id>.dat" or
 * "blobs_<id>.toc" (1.16), either maybe with .gz, .lz4 or .zst; 0 for any
 * other name.
 */
static int32_t id_of_name(const char *name)
{
    static const char *const sfx[] = {"", ".gz", ".lz4", ".zst"};
    bool blobs = strncmp(name, "blobs_", 6) == 0;
    const char *p = blobs ? name + 6 : name, *tail = blobs ? ".toc" : ".dat";
    int64_t id = 0;

    if (*p < '1' || *p > '9')
        return 0;
    for (; *p >= '0' && *p <= '9'; p++)
        if ((id = id * 10 + (*p - '0')) > INT32_MAX)
            return 0;
    if (strncmp(p, tail, 4) != 0)
        return 0;
    for (size_t k = 0; k < sizeof sfx / sizeof sfx[0]; k++)
        if (strcmp(p + 4, sfx[k]) == 0)
            return (int32_t)id;
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

int dfi_dir_orphan_ids(const df_reader *r, int32_t **ids, size_t *n)
{
    const dir_state *ds = r->hdr.format == DF_FORMAT_DIRECTORY ? ds_of(r) : NULL;
    DIR *d = ds ? opendir(ds->dir) : NULL;
    struct dirent *de;
    size_t cap = 0, k = 0;
    int32_t *v = NULL;

    *ids = NULL;
    *n = 0;
    if (d == NULL)
        return DF_OK; /* nothing to name: the report gives the count alone */
    while ((de = readdir(d)) != NULL && (int64_t)k < r->lim.max_toc_entries) {
        int32_t id = id_of_name(de->d_name);
        if (id == 0 || dfi_find_index(r, id) >= 0)
            continue;
        if (k == cap) {
            int32_t *g = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *v);
            if (g == NULL) {
                free(v);
                closedir(d);
                return DF_E_NOMEM;
            }
            v = g;
        }
        v[k++] = id;
    }
    closedir(d);
    if (k > 1)
        qsort(v, k, sizeof *v, cmp_id);
    *n = 0;
    for (size_t i = 0; i < k; i++) /* 12.dat and 12.dat.gz name one id */
        if (*n == 0 || v[*n - 1] != v[i])
            v[(*n)++] = v[i];
    *ids = v;
    return DF_OK;
}

const dfi_format dfi_format_directory = {
    .name = "directory",
    .id = DF_FORMAT_DIRECTORY,
    .open = dir_open,
    .open_data = dir_open_data,
    .next_lo = dir_next_lo,
    .read_raw = dir_read_raw,
    .close_data = dir_close_data,
    .free = dir_free,
    .tell = dir_tell,
};
