/*
 * toc.c — the archive header (spec §3) and the TOC entry model and parser
 * (spec §4) shared by the custom, directory and tar formats.  Each format
 * supplies only the reader of its per-entry "extra" field.  Also what the
 * format modules need of entries (the id index, labels, limits) and the
 * text-damage check of the first bytes, so that the formats call toc.c and
 * never back into reader.c, which calls them through dfi_format.
 */
#include "entrytype.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HIGHEST_MINOR 16
/*
 * The newest minor a future pg_dump may plausibly write: PostgreSQL has
 * added about one a year since 1.0.  Beyond it, or a major other than 1,
 * the header is damaged, not new (issue 10).
 */
#define PLAUSIBLE_MINOR 25

static int read_created(df_reader *r)
{
    int32_t v[7];
    int rc;

    for (int i = 0; i < 7; i++) {
        rc = dfi_read_int(&r->buf, &r->arch, &v[i], &r->err);
        if (rc != DF_OK)
            return rc;
    }
    r->hdr.tm_sec = v[0];
    r->hdr.tm_min = v[1];
    r->hdr.tm_hour = v[2];
    r->hdr.tm_mday = v[3];
    r->hdr.tm_mon = v[4];
    r->hdr.tm_year = v[5];
    r->hdr.tm_isdst = v[6];
    r->hdr.has_created = 1;
    return DF_OK;
}

/* The compression field changed shape three times (spec §3, row 8). */
static int read_compression(df_reader *r)
{
    int version = r->arch.version;
    int64_t at = dfi_buf_tell(&r->buf);
    int byte, rc;
    int32_t level;

    if (version >= DF_MAKE_VERSION(1, 15, 0)) {
        rc = dfi_read_byte(&r->buf, &byte, &r->err);
        if (rc != DF_OK)
            return rc;
        if (byte > DF_COMPRESS_ZSTD)
            return dfi_fail(&r->err, DF_E_CORRUPT, at,
                            "invalid compression algorithm %d in archive header", byte);
        r->hdr.compression = (df_compression)byte;
        return DF_OK;
    }
    if (version < DF_MAKE_VERSION(1, 2, 0)) {
        r->hdr.compression = DF_COMPRESS_GZIP;
        return DF_OK;
    }
    if (version < DF_MAKE_VERSION(1, 4, 0)) {
        rc = dfi_read_byte(&r->buf, &byte, &r->err);
        level = byte;
    } else {
        rc = dfi_read_int(&r->buf, &r->arch, &level, &r->err);
    }
    if (rc != DF_OK)
        return rc;
    r->hdr.has_level = 1;
    r->hdr.compression_level = level;
    r->hdr.compression = level != 0 ? DF_COMPRESS_GZIP : DF_COMPRESS_NONE;
    return DF_OK;
}

static int read_sizes(df_reader *r)
{
    int64_t at = dfi_buf_tell(&r->buf);
    int int_size, off_size, rc;

    rc = dfi_read_byte(&r->buf, &int_size, &r->err);
    if (rc != DF_OK)
        return rc;
    if (int_size < 1 || int_size > 8)
        return dfi_fail(&r->err, DF_E_CORRUPT, at, "invalid integer size %d in archive header",
                        int_size);
    off_size = int_size;
    if (r->arch.version >= DF_MAKE_VERSION(1, 7, 0)) {
        rc = dfi_read_byte(&r->buf, &off_size, &r->err);
        if (rc != DF_OK)
            return rc;
        if (off_size < 1 || off_size > 8)
            return dfi_fail(&r->err, DF_E_CORRUPT, at + 1,
                            "invalid offset size %d in archive header", off_size);
    }
    r->arch.int_size = r->hdr.int_size = int_size;
    r->arch.off_size = r->hdr.off_size = off_size;
    return DF_OK;
}

static int read_version(df_reader *r)
{
    int vmaj, vmin, vrev = 0, rc;

    rc = dfi_read_byte(&r->buf, &vmaj, &r->err);
    if (rc == DF_OK)
        rc = dfi_read_byte(&r->buf, &vmin, &r->err);
    if (rc == DF_OK && (vmaj > 1 || vmin > 0))
        rc = dfi_read_byte(&r->buf, &vrev, &r->err);
    if (rc != DF_OK)
        return rc;
    r->hdr.vmaj = vmaj;
    r->hdr.vmin = vmin;
    r->hdr.vrev = vrev;
    r->arch.version = DF_MAKE_VERSION(vmaj, vmin, vrev);
    if (vmaj != 1 || vmin > PLAUSIBLE_MINOR)
        return dfi_fail(&r->err, DF_E_CORRUPT, 5,
                        "impossible archive version %d.%d in file header: no pg_dump writes "
                        "it (1.0 to 1.%d are known)",
                        vmaj, vmin, HIGHEST_MINOR);
    return DF_OK;
}

/* A plausible newer archive: the sizes after the version must be sane, then it is only new. */
static int check_newer(df_reader *r)
{
    const df_header *h = &r->hdr;

    if (h->vmin <= HIGHEST_MINOR)
        return DF_OK;
    if (h->int_size < 4 || h->off_size < 4)
        return dfi_fail(&r->err, DF_E_CORRUPT, 8,
                        "impossible integer or offset size (%d, %d) in the header of archive "
                        "version %d.%d: no pg_dump writes it",
                        h->int_size, h->off_size, h->vmaj, h->vmin);
    return dfi_fail(&r->err, DF_E_VERSION, 5,
                    "archive version %d.%d is newer than this dumpfmt reads (1.0 to 1.%d): a "
                    "newer dumpfmt is needed",
                    h->vmaj, h->vmin, HIGHEST_MINOR);
}

static int read_magic(df_reader *r)
{
    int rc = dfi_buf_need(&r->buf, 5, &r->err);

    if (rc == DF_E_TRUNCATED)
        return dfi_fail(&r->err, DF_E_TRUNCATED, (int64_t)dfi_buf_avail(&r->buf),
                        "input file is too short (read %zu bytes, expected 5)",
                        dfi_buf_avail(&r->buf));
    if (rc != DF_OK)
        return rc;
    if (memcmp(dfi_buf_ptr(&r->buf), "PGDMP", 5) != 0)
        return dfi_fail(&r->err, DF_E_FORMAT, 0,
                        "input file does not appear to be a valid archive");
    dfi_buf_consume(&r->buf, 5);
    return DF_OK;
}

static int read_format_byte(df_reader *r, int expect)
{
    int64_t at = dfi_buf_tell(&r->buf);
    int fmt, rc = dfi_read_byte(&r->buf, &fmt, &r->err);

    if (rc != DF_OK)
        return rc;
    r->hdr.format_byte = fmt;
    if (fmt != expect)
        return dfi_fail(&r->err, DF_E_FORMAT, at,
                        "expected format (%d) differs from format found in file (%d)", expect, fmt);
    return DF_OK;
}

int dfi_read_header(df_reader *r, int expect_format_byte)
{
    int rc = read_magic(r);

    if (rc == DF_OK)
        rc = read_version(r);
    if (rc == DF_OK)
        rc = read_sizes(r);
    if (rc == DF_OK)
        rc = check_newer(r);
    if (rc == DF_OK)
        rc = read_format_byte(r, expect_format_byte);
    if (rc == DF_OK)
        rc = read_compression(r);
    if (rc == DF_OK && r->arch.version >= DF_MAKE_VERSION(1, 4, 0)) {
        rc = read_created(r);
        if (rc == DF_OK)
            rc = dfi_read_str(&r->buf, &r->arch, &r->hdr_dbname, &r->err);
    }
    if (rc == DF_OK && r->arch.version >= DF_MAKE_VERSION(1, 10, 0)) {
        rc = dfi_read_str(&r->buf, &r->arch, &r->hdr_server, &r->err);
        if (rc == DF_OK)
            rc = dfi_read_str(&r->buf, &r->arch, &r->hdr_dump, &r->err);
    }
    r->hdr.dbname = r->hdr_dbname;
    r->hdr.server_version = r->hdr_server;
    r->hdr.dump_version = r->hdr_dump;
    /* Only a complete header has an end (verify.c tells header from TOC truncation by it). */
    if (rc == DF_OK)
        r->hdr.header_end = dfi_buf_tell(&r->buf);
    return rc;
}

int dfi_toc_str(df_reader *r, char **out)
{
    return dfi_read_str(&r->buf, &r->arch, out, &r->err);
}

/* Section of an entry in archives older than 1.11 (spec §4.6): pg_restore's own derivation. */
static int derived_section(const char *desc)
{
    return dfi_etype_of(desc)->old_section;
}

/* A catalog id stored as decimal text, read like pg_restore's sscanf("%u"). */
static uint32_t parse_oid(const char *s)
{
    if (s == NULL)
        return 0;
    return (uint32_t)strtoul(s, NULL, 10);
}

static bool parse_dump_id(const char *s, int32_t *out)
{
    char *end;
    long v;

    if (s == NULL || *s == '\0')
        return false;
    v = strtol(s, &end, 10);
    if (*end != '\0' || v < INT32_MIN || v > INT32_MAX)
        return false;
    *out = (int32_t)v;
    return true;
}

static int read_deps(df_reader *r, df_entry *e)
{
    size_t n = 0, cap = 0;
    int32_t *deps = NULL;

    for (;;) {
        int64_t at = dfi_buf_tell(&r->buf);
        char *s;
        int32_t id;
        int rc = dfi_toc_str(r, &s);

        if (rc != DF_OK) {
            free(deps);
            return rc;
        }
        if (s == NULL)
            break;
        if (!parse_dump_id(s, &id)) {
            free(s);
            free(deps);
            return dfi_fail(&r->err, DF_E_CORRUPT, at, "invalid dependency in TOC entry %d",
                            e->dump_id);
        }
        free(s);
        if ((int64_t)n >= r->lim.max_deps) {
            free(deps);
            return dfi_fail(&r->err, DF_E_LIMIT, at, "TOC entry %d has more than %lld dependencies",
                            e->dump_id, (long long)r->lim.max_deps);
        }
        if (n == cap) {
            int32_t *grown;
            cap = cap ? cap * 2 : 8;
            grown = realloc(deps, cap * sizeof *deps);
            if (grown == NULL) {
                free(deps);
                return dfi_fail(&r->err, DF_E_NOMEM, at, "out of memory");
            }
            deps = grown;
        }
        deps[n++] = id;
    }
    e->deps = deps;
    e->ndeps = n;
    return DF_OK;
}

/* Read a STR field into a const char * member of the entry. */
static int entry_str(df_reader *r, const char **field)
{
    char *s = NULL;
    int rc = dfi_toc_str(r, &s);

    *field = s;
    return rc;
}

static int read_ids(df_reader *r, df_entry *e)
{
    int64_t at = dfi_buf_tell(&r->buf);
    int32_t v;
    int rc = dfi_read_int(&r->buf, &r->arch, &v, &r->err);

    if (rc != DF_OK)
        return rc;
    if (v <= 0)
        return dfi_fail(&r->err, DF_E_CORRUPT, at,
                        "entry ID %d out of range -- perhaps a corrupt TOC", v);
    e->dump_id = v;
    rc = dfi_read_int(&r->buf, &r->arch, &v, &r->err);
    if (rc != DF_OK)
        return rc;
    e->had_dumper = v != 0;
    return DF_OK;
}

static int read_catalog_ids(df_reader *r, df_entry *e)
{
    const char *s = NULL;
    int rc;

    if (r->arch.version >= DF_MAKE_VERSION(1, 8, 0)) {
        rc = entry_str(r, &s);
        e->table_oid = parse_oid(s);
        free((char *)s);
        if (rc != DF_OK)
            return rc;
    }
    s = NULL;
    rc = entry_str(r, &s);
    e->oid = parse_oid(s);
    free((char *)s);
    return rc;
}

static int read_section(df_reader *r, df_entry *e)
{
    int32_t v;
    int rc;

    if (r->arch.version < DF_MAKE_VERSION(1, 11, 0)) {
        e->section = derived_section(e->desc ? e->desc : "");
        return DF_OK;
    }
    rc = dfi_read_int(&r->buf, &r->arch, &v, &r->err);
    e->section = v;
    e->section_stored = 1;
    return rc;
}

/* Fields 8 to 16 of spec §4.2, each gated by archive version. */
static int read_texts(df_reader *r, df_entry *e)
{
    int version = r->arch.version;
    int32_t relkind;
    int rc = entry_str(r, &e->defn);

    if (rc == DF_OK)
        rc = entry_str(r, &e->drop_stmt);
    if (rc == DF_OK && version >= DF_MAKE_VERSION(1, 3, 0))
        rc = entry_str(r, &e->copy_stmt);
    if (rc == DF_OK && version >= DF_MAKE_VERSION(1, 6, 0))
        rc = entry_str(r, &e->schema);
    if (rc == DF_OK && version >= DF_MAKE_VERSION(1, 10, 0))
        rc = entry_str(r, &e->tablespace);
    if (rc == DF_OK && version >= DF_MAKE_VERSION(1, 14, 0))
        rc = entry_str(r, &e->tableam);
    if (rc == DF_OK && version >= DF_MAKE_VERSION(1, 16, 0)) {
        rc = dfi_read_int(&r->buf, &r->arch, &relkind, &r->err);
        e->relkind = relkind;
    }
    if (rc == DF_OK)
        rc = entry_str(r, &e->owner);
    if (rc == DF_OK && version >= DF_MAKE_VERSION(1, 9, 0))
        rc = entry_str(r, &e->with_oids);
    return rc;
}

static int read_entry(df_reader *r, df_entry *e, dfi_extra_fn extra)
{
    int rc;

    e->toc_offset = dfi_buf_tell(&r->buf);
    e->data_offset = -1;
    e->text_offset = e->data_offset_text = e->data_bytes = e->data_rows = -1;
    rc = read_ids(r, e);
    if (rc == DF_OK)
        rc = read_catalog_ids(r, e);
    if (rc == DF_OK)
        rc = entry_str(r, &e->tag);
    if (rc == DF_OK)
        rc = entry_str(r, &e->desc);
    if (rc == DF_OK && e->desc == NULL)
        return dfi_fail(&r->err, DF_E_CORRUPT, e->toc_offset, "TOC entry %d has no object type",
                        e->dump_id);
    if (rc == DF_OK)
        rc = read_section(r, e);
    if (rc == DF_OK)
        rc = read_texts(r, e);
    if (rc == DF_OK && r->arch.version >= DF_MAKE_VERSION(1, 5, 0))
        rc = read_deps(r, e);
    if (rc == DF_OK)
        rc = extra(r, e);
    return rc;
}

static void entry_free(df_entry *e)
{
    free((char *)e->tag);
    free((char *)e->desc);
    free((char *)e->defn);
    free((char *)e->drop_stmt);
    free((char *)e->copy_stmt);
    free((char *)e->schema);
    free((char *)e->tablespace);
    free((char *)e->tableam);
    free((char *)e->owner);
    free((char *)e->with_oids);
    free((char *)e->filename);
    free((int32_t *)e->deps);
}

static int grow_entries(df_reader *r)
{
    size_t cap = r->cap_entries ? r->cap_entries * 2 : 256;
    df_entry *n = realloc(r->entries, cap * sizeof *n);

    if (n == NULL)
        return dfi_fail(&r->err, DF_E_NOMEM, dfi_buf_tell(&r->buf), "out of memory");
    r->entries = n;
    r->cap_entries = cap;
    return DF_OK;
}

static int cmp_pair(const void *a, const void *b)
{
    const dfi_id_pair *x = a, *y = b;

    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

void dfi_id_pairs_sort(dfi_id_pair *p, size_t n)
{
    qsort(p, n, sizeof *p, cmp_pair);
}

int32_t dfi_id_pairs_find(const dfi_id_pair *p, size_t n, int32_t id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && p[lo].id == id ? p[lo].index : -1;
}

/* Index entries by dump id for O(log n) lookups (ids are sparse, unordered). */
static int build_index(df_reader *r)
{
    size_t n = r->nentries ? r->nentries : 1;
    dfi_id_pair *pairs = malloc(n * sizeof *pairs);

    r->id_sorted = malloc(n * sizeof *r->id_sorted);
    if (pairs == NULL || r->id_sorted == NULL) {
        free(pairs);
        return dfi_fail(&r->err, DF_E_NOMEM, -1, "out of memory");
    }
    for (size_t i = 0; i < r->nentries; i++) {
        pairs[i].id = r->entries[i].dump_id;
        pairs[i].index = (int32_t)i;
    }
    dfi_id_pairs_sort(pairs, r->nentries);
    for (size_t i = 0; i < r->nentries; i++)
        r->id_sorted[i] = pairs[i].index;
    free(pairs);
    return DF_OK;
}

int dfi_toc_filename_extra(df_reader *r, df_entry *e)
{
    char *name = NULL;
    int rc = dfi_toc_str(r, &name);

    if (rc == DF_OK && name != NULL && name[0] == '\0') {
        free(name);
        name = NULL;
    }
    e->filename = name;
    return rc;
}

/*
 * Salvage mode (df_reader_set_salvage_toc): the file ended inside entry
 * nentries - 1.  That entry goes; the ones read whole before it stay, the
 * TOC's own count and the cut are remembered (df_reader_toc_cut), and the
 * TOC is taken to end where the file does: nothing of the data area is
 * there (custom and tar write the data after the TOC).
 */
static int keep_before_cut(df_reader *r, int32_t count)
{
    entry_free(&r->entries[--r->nentries]);
    r->toc_cut = true;
    r->toc_promised = count;
    r->toc_cut_err = r->err;
    dfi_error_clear(&r->err);
    r->hdr.toc_count = (int64_t)r->nentries;
    r->hdr.toc_end = r->hdr.file_size >= 0 ? r->hdr.file_size : dfi_buf_tell(&r->buf);
    return build_index(r);
}

int dfi_read_toc(df_reader *r, dfi_extra_fn extra)
{
    int64_t at = dfi_buf_tell(&r->buf);
    int32_t count;
    int rc = dfi_read_int(&r->buf, &r->arch, &count, &r->err);

    if (rc != DF_OK)
        return rc;
    if (count < 0)
        return dfi_fail(&r->err, DF_E_CORRUPT, at, "negative TOC entry count %d", count);
    if (count > r->lim.max_toc_entries)
        return dfi_fail(&r->err, DF_E_LIMIT, at, "TOC entry count %d exceeds the limit of %lld",
                        count, (long long)r->lim.max_toc_entries);
    r->hdr.toc_count = count;
    for (int32_t i = 0; i < count; i++) {
        df_entry *e;

        if (r->nentries == r->cap_entries && (rc = grow_entries(r)) != DF_OK)
            return rc;
        e = &r->entries[r->nentries++];
        memset(e, 0, sizeof *e);
        e->index = (size_t)i;
        rc = read_entry(r, e, extra);
        if (rc == DF_E_TRUNCATED && r->salvage_toc)
            return keep_before_cut(r, count);
        if (rc != DF_OK)
            return rc;
    }
    r->hdr.toc_end = dfi_buf_tell(&r->buf);
    return build_index(r);
}

void dfi_toc_free(df_reader *r)
{
    for (size_t i = 0; i < r->nentries; i++)
        entry_free(&r->entries[i]);
    free(r->entries);
    free(r->id_sorted);
    r->entries = NULL;
    r->id_sorted = NULL;
    r->nentries = r->cap_entries = 0;
}

/* ------------------------------------------------------------------------------------------
 * Entries: the id index, labels and kinds, and the limits on what an entry holds.  The format
 * modules use these, so they live here and not in reader.c, which calls the formats.
 */

ssize_t dfi_find_index(const df_reader *r, int32_t id)
{
    size_t lo = 0, hi = r->nentries;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int32_t v = r->entries[r->id_sorted[mid]].dump_id;
        if (v < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < r->nentries && r->entries[r->id_sorted[lo]].dump_id == id)
        return r->id_sorted[lo];
    return -1;
}

void dfi_entry_label(const df_entry *e, char *buf, size_t n)
{
    snprintf(buf, n, "%s %s%s%s (dump id %d)", e->desc ? e->desc : "?", e->schema ? e->schema : "",
             e->schema ? "." : "", e->tag ? e->tag : "", e->dump_id);
}

void df_entry_label(const df_entry *e, char *buf, size_t n)
{
    if (n == 0)
        return;
    dfi_entry_label(e, buf, n);
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

bool dfi_desc_is(const df_entry *e, const char *s) { return e->desc && strcmp(e->desc, s) == 0; }

int df_entry_is_blobs(const df_entry *e) { return dfi_desc_is(e, "BLOBS"); }

int df_entry_has_data(const df_entry *e)
{
    if (!e->had_dumper)
        return 0;
    if (e->data_offset_text >= 0)
        return 1; /* a data part of a plain script */
    if (e->offset_state == DF_OFFSET_SET || e->offset_state == DF_OFFSET_NOT_SET)
        return 1;
    return e->offset_state == DF_OFFSET_NONE && e->filename != NULL && e->filename[0] != '\0';
}

/*
 * The limits on large objects, checked here and nowhere else: the custom
 * reader, the directory reader and the verifier's custom, directory and tar
 * walks all count through these two (issue 10).
 */
int dfi_limit_los(const df_limits *lim, int64_t n, df_error *err, int64_t at)
{
    if (n < lim->max_los)
        return DF_OK;
    return dfi_fail(err, DF_E_LIMIT, at, "more than %lld large objects in one BLOBS entry",
                    (long long)lim->max_los);
}

/* One more byte of a LO list line (kept NUL-terminated), which may be max_line - 1 long. */
int dfi_line_push(dfi_line *l, const df_limits *lim, char ch)
{
    if ((int64_t)l->n + 1 >= lim->max_line)
        return DF_E_LIMIT;
    if (l->n + 2 > l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        char *ns = realloc(l->s, cap);
        if (ns == NULL)
            return DF_E_NOMEM;
        l->s = ns;
        l->cap = cap;
    }
    l->s[l->n++] = ch;
    l->s[l->n] = '\0';
    return DF_OK;
}

/* ------------------------------------------------------------------------------------------
 * Text damage: a binary archive that went through a text-mode copy.
 */

/*
 * A binary file that went through a \n -> \r\n conversion (a text-mode
 * redirection or transfer): every LF is preceded by a CR.  A real archive
 * has LF bytes in its header or TOC (the hour 10, a dump id 10, a length
 * 10 ...) with no CR before them; none of the corpus archives passes this.
 */
bool dfi_looks_crlf(const uint8_t *p, size_t n)
{
    size_t crlf = 0;

    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\n')
            continue;
        if (i == 0 || p[i - 1] != '\r')
            return false;
        crlf++;
    }
    return crlf > 0;
}

void dfi_note_text_damage(df_reader *r)
{
    /* a short file is no error here: what it holds is looked at */
    int rc = dfi_buf_need(&r->buf, DFI_PROBE_BYTES, &r->err);

    if (rc == DF_OK || rc == DF_E_TRUNCATED)
        r->crlf_suspect = dfi_looks_crlf(dfi_buf_ptr(&r->buf), dfi_buf_avail(&r->buf));
    if (rc != DF_OK)
        dfi_error_clear(&r->err); /* the parser meets any other error and reports it */
}

