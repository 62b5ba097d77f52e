/*
 * corpus_util.h — helpers shared by the corpus-driven Check programs
 * (check_reader, check_corpus, check_truncate): the expected row counts
 * of corpus/rowcounts.tsv, discovery of the archives under corpus/pgNN,
 * the expected large-object bytes of corpus/lo/<oid>, a "read every data
 * entry of an archive" driver that records what it saw, and small file
 * helpers (copy a directory, remove a temp tree, walk tar and custom
 * framing independently of the library to find structure boundaries).
 *
 * Header-only (static functions); include after check_util.h.
 */
#ifndef DF_CORPUS_UTIL_H
#define DF_CORPUS_UTIL_H

#include "check_util.h"
#include "dumpfmt.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DFT_MAX_NAME 300

/* ------------------------------------------------------------------ */
/* corpus/rowcounts.tsv                                                */
/* ------------------------------------------------------------------ */

typedef struct dft_rowcount_line {
    char file[DFT_MAX_NAME];  /* "pg18/sample.custom.gzip.dump", "pg18/sample.dir.gzip/" */
    char table[DFT_MAX_NAME]; /* "<schema>.<table>" or "<large objects>" */
    int64_t rows;
} dft_rowcount_line;

typedef struct dft_rowcounts {
    dft_rowcount_line *lines;
    size_t n;
} dft_rowcounts;

/* Load corpus/rowcounts.tsv; returns 0 on success. */
static inline int dft_rowcounts_load(dft_rowcounts *rc)
{
    char path[4096];
    size_t len, cap = 0;
    char *text = dft_read_file(dft_path(path, sizeof path, "rowcounts.tsv"), &len);
    char *line, *next;

    rc->lines = NULL;
    rc->n = 0;
    if (text == NULL)
        return -1;
    for (line = text; line != NULL; line = next) {
        char *t1, *t2;
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        t1 = strchr(line, '\t');
        t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (t2 == NULL)
            continue;
        if (rc->n == cap) {
            cap = cap ? cap * 2 : 256;
            rc->lines = realloc(rc->lines, cap * sizeof *rc->lines);
        }
        *t1 = *t2 = '\0';
        snprintf(rc->lines[rc->n].file, DFT_MAX_NAME, "%s", line);
        snprintf(rc->lines[rc->n].table, DFT_MAX_NAME, "%s", t1 + 1);
        rc->lines[rc->n].rows = strtoll(t2 + 1, NULL, 10);
        rc->n++;
    }
    free(text);
    return rc->n > 0 ? 0 : -1;
}

static inline void dft_rowcounts_free(dft_rowcounts *rc)
{
    free(rc->lines);
    rc->lines = NULL;
    rc->n = 0;
}

/* Equal corpus-relative names; a directory may be written with or without its "/". */
static inline int dft_same_file(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);

    if (n > 0 && a[n - 1] == '/')
        n--;
    if (m > 0 && b[m - 1] == '/')
        m--;
    return n == m && memcmp(a, b, n) == 0;
}

/* Expected rows of `table` in `file` (a corpus-relative name), or -1. */
static inline int64_t dft_rowcounts_get(const dft_rowcounts *rc, const char *file,
                                        const char *table)
{
    for (size_t i = 0; i < rc->n; i++)
        if (dft_same_file(rc->lines[i].file, file) && strcmp(rc->lines[i].table, table) == 0)
            return rc->lines[i].rows;
    return -1;
}

/* Number of lines for `file` (tables plus the "<large objects>" line). */
static inline size_t dft_rowcounts_count(const dft_rowcounts *rc, const char *file)
{
    size_t n = 0;

    for (size_t i = 0; i < rc->n; i++)
        n += dft_same_file(rc->lines[i].file, file);
    return n;
}

/* ------------------------------------------------------------------ */
/* Archive discovery                                                   */
/* ------------------------------------------------------------------ */

typedef struct dft_archive {
    char rel[DFT_MAX_NAME]; /* corpus-relative; directories end in "/" */
    char path[4096];        /* openable path */
    int is_dir;
    int is_tar;
} dft_archive;

typedef struct dft_archives {
    dft_archive *a;
    size_t n;
} dft_archives;

static inline int dft_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static inline int dft_cmp_archive(const void *x, const void *y)
{
    return strcmp(((const dft_archive *)x)->rel, ((const dft_archive *)y)->rel);
}

/*
 * Every custom (*.dump), tar (*.tar) and directory (contains toc.dat)
 * archive directly under corpus/<sub> for each sub in `subs`, sorted.
 */
static inline void dft_archives_find(dft_archives *out, const char *const *subs, size_t nsubs)
{
    size_t cap = 0;

    out->a = NULL;
    out->n = 0;
    for (size_t s = 0; s < nsubs; s++) {
        char dirpath[2048];
        DIR *d = opendir(dft_path(dirpath, sizeof dirpath, subs[s]));
        struct dirent *de;

        if (d == NULL)
            continue;
        while ((de = readdir(d)) != NULL) {
            dft_archive a;
            struct stat st;
            char toc[4200];

            if (de->d_name[0] == '.')
                continue;
            memset(&a, 0, sizeof a);
            snprintf(a.path, sizeof a.path, "%.2047s/%.255s", dirpath, de->d_name);
            if (stat(a.path, &st) != 0)
                continue;
            if (S_ISDIR(st.st_mode)) {
                snprintf(toc, sizeof toc, "%.4095s/toc.dat", a.path);
                if (access(toc, R_OK) != 0)
                    continue;
                a.is_dir = 1;
                snprintf(a.rel, sizeof a.rel, "%.40s/%.250s/", subs[s], de->d_name);
            } else if (dft_ends_with(de->d_name, ".dump") || dft_ends_with(de->d_name, ".tar")) {
                a.is_tar = dft_ends_with(de->d_name, ".tar");
                snprintf(a.rel, sizeof a.rel, "%.40s/%.250s", subs[s], de->d_name);
            } else {
                continue; /* *.list, *.sql, *.restore.sql ... */
            }
            if (out->n == cap) {
                cap = cap ? cap * 2 : 64;
                out->a = realloc(out->a, cap * sizeof *out->a);
            }
            out->a[out->n++] = a;
        }
        closedir(d);
    }
    if (out->n > 1)
        qsort(out->a, out->n, sizeof *out->a, dft_cmp_archive);
}

static inline void dft_archives_free(dft_archives *a)
{
    free(a->a);
    a->a = NULL;
    a->n = 0;
}

/* ------------------------------------------------------------------ */
/* Expected large objects (corpus/lo/<oid>)                            */
/* ------------------------------------------------------------------ */

/* The expected bytes of LO `oid` (caller frees), or NULL if unknown. */
static inline uint8_t *dft_lo_expected(uint32_t oid, size_t *len)
{
    char rel[64], path[4096];

    snprintf(rel, sizeof rel, "lo/%u", oid);
    return (uint8_t *)dft_read_file(dft_path(path, sizeof path, rel), len);
}

/* ------------------------------------------------------------------ */
/* Reading everything                                                  */
/* ------------------------------------------------------------------ */

static inline uint64_t dft_fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}
#define DFT_FNV_INIT 1469598103934665603ULL

/* What was read from one data entry. */
typedef struct dft_ent {
    size_t index;
    int32_t dump_id;
    int is_blobs;
    int is_table_data;
    int status;     /* DF_OK or the DF_E_* that ended it */
    int64_t rows;   /* TABLE DATA: rows counted with df_rowcount */
    int terminated; /* COPY data: the \. terminator was seen */
    int copy_mode;
    int64_t out_bytes; /* uncompressed bytes (LOs included) */
    uint64_t hash;     /* FNV-1a of everything read (LOs: oid then bytes) */
    int64_t nlos;
    char key[DFT_MAX_NAME]; /* "<schema>.<tag>" */
} dft_ent;

/* One large object. */
typedef struct dft_lo {
    uint32_t oid;
    int32_t dump_id;
    int64_t len;
    uint8_t *bytes; /* all its bytes (LOs in tests are small) */
} dft_lo;

typedef struct dft_result {
    int status;          /* DF_OK, or the first error */
    df_error err;        /* copy of the first error */
    int32_t err_dump_id; /* entry whose data failed (0: none) */
    dft_ent *ents;
    size_t nents;
    dft_lo *los;
    size_t nlos;
    size_t cap_los;
    int64_t total_los;
} dft_result;

static inline void dft_result_free(dft_result *res)
{
    for (size_t i = 0; i < res->nlos; i++)
        free(res->los[i].bytes);
    free(res->los);
    free(res->ents);
    memset(res, 0, sizeof *res);
}

/* Record the first failure. */
static inline void dft_note_error(dft_result *res, const df_reader *r, int rc, int32_t dump_id)
{
    if (res->status != DF_OK)
        return;
    res->status = rc;
    res->err = *df_reader_error(r);
    res->err_dump_id = dump_id;
}

/* Read one plain data stream into `ent`; returns DF_OK or the error. */
static inline int dft_read_stream(df_reader *r, const df_entry *e, dft_ent *ent, uint8_t *buf,
                                  size_t rsize)
{
    df_rowcount *rc = NULL;
    int64_t n;

    if (ent->is_table_data)
        rc = df_rowcount_new(ent->copy_mode);
    while ((n = df_reader_read_data(r, buf, rsize)) > 0) {
        if ((size_t)n > rsize)
            n = -1000; /* impossible: the library overran the buffer */
        else {
            ent->hash = dft_fnv(ent->hash, buf, (size_t)n);
            ent->out_bytes += n;
            if (rc)
                df_rowcount_feed(rc, buf, (size_t)n);
        }
        if (n < 0)
            break;
    }
    if (rc) {
        ent->rows = df_rowcount_rows(rc);
        ent->terminated = df_rowcount_terminated(rc);
        df_rowcount_free(rc);
    }
    (void)e;
    return n < 0 ? (int)n : DF_OK;
}

/* Read every large object of a BLOBS entry. */
static inline int dft_read_blobs(df_reader *r, dft_result *res, dft_ent *ent, uint8_t *buf,
                                 size_t rsize)
{
    uint32_t oid;
    int rc;

    while ((rc = df_reader_next_lo(r, &oid)) == DF_OK) {
        dft_lo lo = {oid, ent->dump_id, 0, NULL};
        size_t cap = 0;
        int64_t n;

        ent->nlos++;
        res->total_los++;
        ent->hash = dft_fnv(ent->hash, &oid, sizeof oid);
        while ((n = df_reader_read_data(r, buf, rsize)) > 0) {
            if ((size_t)n > rsize)
                return -1000;
            if ((size_t)lo.len + (size_t)n > cap) {
                cap = ((size_t)lo.len + (size_t)n) * 2;
                lo.bytes = realloc(lo.bytes, cap);
            }
            memcpy(lo.bytes + lo.len, buf, (size_t)n);
            lo.len += n;
            ent->hash = dft_fnv(ent->hash, buf, (size_t)n);
            ent->out_bytes += n;
        }
        if (res->nlos == res->cap_los) {
            res->cap_los = res->cap_los ? res->cap_los * 2 : 16;
            res->los = realloc(res->los, res->cap_los * sizeof *res->los);
        }
        res->los[res->nlos++] = lo;
        if (n < 0)
            return (int)n;
    }
    return rc == DF_EOF ? DF_OK : rc;
}

/*
 * Read the data of every entry that has data, in TOC order, pulling
 * `rsize` bytes per df_reader_read_data call.  With stop_at_error the
 * first failing entry ends the walk; otherwise every entry is tried.
 * Returns res->status (DF_OK when everything read cleanly).
 */
static inline int dft_read_all(df_reader *r, size_t rsize, int stop_at_error, dft_result *res)
{
    size_t n = df_reader_toc_count(r);
    uint8_t *buf = malloc(rsize ? rsize : 1);

    memset(res, 0, sizeof *res);
    res->ents = calloc(n ? n : 1, sizeof *res->ents);
    for (size_t i = 0; i < n; i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        dft_ent *ent;
        int rc;

        if (e == NULL || !df_entry_has_data(e))
            continue;
        ent = &res->ents[res->nents++];
        ent->index = i;
        ent->dump_id = e->dump_id;
        ent->is_blobs = df_entry_is_blobs(e);
        ent->is_table_data = e->desc != NULL && strcmp(e->desc, "TABLE DATA") == 0;
        ent->copy_mode = e->copy_stmt != NULL && e->copy_stmt[0] != '\0';
        ent->hash = DFT_FNV_INIT;
        snprintf(ent->key, sizeof ent->key, "%s.%s", e->schema ? e->schema : "-",
                 e->tag ? e->tag : "-");
        rc = df_reader_open_data(r, e);
        if (rc == DF_OK)
            rc = ent->is_blobs ? dft_read_blobs(r, res, ent, buf, rsize)
                               : dft_read_stream(r, e, ent, buf, rsize);
        df_reader_close_data(r);
        ent->status = rc;
        if (rc != DF_OK) {
            dft_note_error(res, r, rc, e->dump_id);
            if (stop_at_error)
                break;
        }
    }
    free(buf);
    return res->status;
}

/* 1 when two clean reads saw exactly the same data. */
static inline int dft_result_same(const dft_result *a, const dft_result *b, char *why,
                                  size_t whylen)
{
    if (a->status != b->status || a->nents != b->nents || a->nlos != b->nlos) {
        snprintf(why, whylen, "status %d/%d entries %zu/%zu los %zu/%zu", a->status, b->status,
                 a->nents, b->nents, a->nlos, b->nlos);
        return 0;
    }
    for (size_t i = 0; i < a->nents; i++) {
        const dft_ent *x = &a->ents[i], *y = &b->ents[i];
        if (x->dump_id != y->dump_id || x->status != y->status || x->rows != y->rows ||
            x->out_bytes != y->out_bytes || x->hash != y->hash || x->nlos != y->nlos ||
            x->terminated != y->terminated) {
            snprintf(why, whylen, "entry %d differs (rows %lld/%lld bytes %lld/%lld)", x->dump_id,
                     (long long)x->rows, (long long)y->rows, (long long)x->out_bytes,
                     (long long)y->out_bytes);
            return 0;
        }
    }
    for (size_t i = 0; i < a->nlos; i++)
        if (a->los[i].oid != b->los[i].oid || a->los[i].len != b->los[i].len ||
            (a->los[i].len > 0 &&
             memcmp(a->los[i].bytes, b->los[i].bytes, (size_t)a->los[i].len) != 0)) {
            snprintf(why, whylen, "large object %u differs", a->los[i].oid);
            return 0;
        }
    return 1;
}

/* ------------------------------------------------------------------ */
/* Files                                                               */
/* ------------------------------------------------------------------ */

static inline int dft_write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const uint8_t *p = data;

    if (fd < 0)
        return -1;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return close(fd);
}

/* Copy the regular files of directory `src` into existing directory `dst`. */
static inline int dft_copy_dir(const char *src, const char *dst)
{
    DIR *d = opendir(src);
    struct dirent *de;
    int rc = 0;

    if (d == NULL)
        return -1;
    while ((de = readdir(d)) != NULL) {
        char from[4200], to[4200];
        size_t len;
        char *data;

        if (de->d_name[0] == '.')
            continue;
        snprintf(from, sizeof from, "%.3900s/%.255s", src, de->d_name);
        snprintf(to, sizeof to, "%.3900s/%.255s", dst, de->d_name);
        data = dft_read_file(from, &len);
        if (data == NULL || dft_write_file(to, data, len) != 0)
            rc = -1;
        free(data);
    }
    closedir(d);
    return rc;
}

/* Remove the regular files of `dir`, then `dir` itself (one level only). */
static inline void dft_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        char p[4200];
        if (de->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%.3900s/%.255s", dir, de->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* ------------------------------------------------------------------ */
/* Independent walkers over raw bytes (spec §5.1, §7.2)                */
/* ------------------------------------------------------------------ */

/* One tar member as found by walking the headers. */
typedef struct dft_tar_member {
    char name[101];
    int64_t header; /* offset of its 512-byte header */
    int64_t data;   /* offset of its data */
    int64_t size;   /* data bytes */
} dft_tar_member;

/* Walk tar headers; returns the member count (up to max). */
static inline size_t dft_tar_walk(const uint8_t *p, size_t len, dft_tar_member *m, size_t max)
{
    size_t n = 0;
    int64_t at = 0;

    while (at + 512 <= (int64_t)len && n < max) {
        const uint8_t *h = p + at;
        int64_t size = 0;

        if (h[0] == '\0')
            break; /* end-of-archive block */
        for (int i = 124; i < 136 && h[i] >= '0' && h[i] <= '7'; i++)
            size = size * 8 + (h[i] - '0');
        memset(&m[n], 0, sizeof m[n]);
        memcpy(m[n].name, h, 100);
        m[n].header = at;
        m[n].data = at + 512;
        m[n].size = size;
        n++;
        at += 512 + (size + 511) / 512 * 512;
    }
    return n;
}

/* Little-endian INT of an archive with the given intSize (sign byte first). */
static inline int64_t dft_get_int(const uint8_t *p, int int_size)
{
    int64_t v = 0;

    for (int i = int_size - 1; i >= 0; i--)
        v = v * 256 + p[1 + i];
    return p[0] ? -v : v;
}

/*
 * Walk the custom-format data area starting at `at` (the first block) and
 * call `fn` with the offset of every structure boundary: each block start,
 * each chunk-length INT, each LO OID INT and each terminator.  Returns the
 * offset just after the last complete block (where a trailing TOC copy
 * would start).  Stops at the first byte that is not a block type.
 */
static inline int64_t dft_custom_walk(const uint8_t *p, size_t len, int64_t at, int int_size,
                                      void (*fn)(void *ctx, int64_t off), void *ctx)
{
    const int64_t w = 1 + int_size;

    while (at < (int64_t)len && (p[at] == 1 || p[at] == 3)) {
        int blobs = p[at] == 3;
        int64_t pos = at + 1 + w; /* after type byte and dump id */

        fn(ctx, at);
        fn(ctx, at + 1);
        for (;;) {
            if (blobs) {
                if (pos + w > (int64_t)len)
                    return at;
                fn(ctx, pos);
                if (dft_get_int(p + pos, int_size) == 0) {
                    pos += w;
                    break;
                }
                pos += w;
            }
            for (;;) { /* chunk stream */
                int64_t clen;
                if (pos + w > (int64_t)len)
                    return at;
                fn(ctx, pos);
                clen = dft_get_int(p + pos, int_size);
                pos += w;
                if (clen <= 0)
                    break;
                pos += clen;
            }
            if (!blobs)
                break;
        }
        if (pos > (int64_t)len)
            return at;
        at = pos;
    }
    return at;
}

#endif /* DF_CORPUS_UTIL_H */
