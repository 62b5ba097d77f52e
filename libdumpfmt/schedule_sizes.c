/*
 * schedule_sizes.c — the measured size of each entry's data (df_restore_sizes)
 * that the scheduling simulation in schedule.c and its size estimates start
 * from: offset deltas in a custom archive, file sizes in a directory, the
 * plain splitter's byte counts.
 */
#include "schedule.h"
#include "entrytype.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct off_pair {
    int64_t off;
    size_t idx;
} off_pair;

static int cmp_off(const void *a, const void *b)
{
    const off_pair *x = a, *y = b;

    return x->off < y->off ? -1 : x->off > y->off;
}

/*
 * A data block the TOC places at or past the end of the file: the file was
 * cut short (its stored size would claim bytes the file does not have).
 */
static int custom_beyond_end(df_reader *r, const off_pair *last)
{
    char label[300];

    dfi_entry_label(&r->entries[last->idx], label, sizeof label);
    return dfi_fail(&r->err, DF_E_TRUNCATED, r->hdr.file_size,
                    "the archive is damaged: the TOC puts the data of %s at offset %lld, "
                    "beyond the end of the file (%lld bytes)",
                    label, (long long)last->off, (long long)r->hdr.file_size);
}

/* Custom: a block runs to the next block (in file order) or to the end of the file. */
static int custom_stored(df_reader *r, df_entry_size *sizes)
{
    off_pair *v = malloc((r->nentries ? r->nentries : 1) * sizeof *v);
    size_t n = 0;

    if (v == NULL)
        return dfi_fail(&r->err, DF_E_NOMEM, -1, "out of memory");
    for (size_t i = 0; i < r->nentries; i++)
        if (r->entries[i].offset_state == DF_OFFSET_SET)
            v[n++] = (off_pair){r->entries[i].data_offset, i};
    qsort(v, n, sizeof *v, cmp_off);
    if (n > 0 && r->hdr.file_size >= 0 && v[n - 1].off >= r->hdr.file_size) {
        int rc = custom_beyond_end(r, &v[n - 1]);
        free(v);
        return rc;
    }
    for (size_t k = 0; k < n; k++) {
        int64_t end = k + 1 < n ? v[k + 1].off : r->hdr.file_size;
        sizes[v[k].idx].stored = end >= v[k].off ? end - v[k].off : -1;
    }
    free(v);
    return DF_OK;
}

/* Directory: the file the TOC names, or with the suffix of its compression (pg_restore's stat). */
static int64_t dir_file_size(const df_reader *r, const char *name)
{
    static const char *const suffix[] = {"", ".gz", ".lz4", ".zst"};
    char path[4096];
    struct stat st;

    if (name == NULL || strchr(name, '/') != NULL)
        return -1;
    for (size_t k = 0; k < sizeof suffix / sizeof suffix[0]; k++) {
        if ((size_t)snprintf(path, sizeof path, "%s/%s%s", r->path, name, suffix[k]) >= sizeof path)
            return -1;
        if (stat(path, &st) == 0)
            return (int64_t)st.st_size;
    }
    return -1;
}

/* Directory: the size of each data file; one that is missing is damage. */
static int directory_stored(df_reader *r, df_entry_size *sizes)
{
    for (size_t i = 0; i < r->nentries; i++) {
        const df_entry *e = &r->entries[i];
        char label[300];
        if (e->filename == NULL || !e->had_dumper)
            continue;
        sizes[i].file_size = dir_file_size(r, e->filename);
        if (!df_entry_is_blobs(e))
            sizes[i].stored = sizes[i].file_size;
        /* BLOBS keep their large objects in blobs.toc files, whatever filename says */
        if (sizes[i].file_size >= 0 || df_entry_is_blobs(e) || strchr(e->filename, '/') != NULL)
            continue;
        dfi_entry_label(e, label, sizeof label);
        dfi_fail(&r->err, DF_E_NOTFOUND, -1,
                 "the archive is damaged: data file \"%s\" of %s is missing", e->filename,
                 label);
        dfi_error_set_member(&r->err, e->filename);
        return DF_E_NOTFOUND;
    }
    return DF_OK;
}

/*
 * Plain script: an entry's data (COPY rows or INSERTs) run from its data part
 * to the next entry's header comment, in the uncompressed script; these are
 * bytes of data already, known without reading.
 */
static void plain_stored(const df_reader *r, df_entry_size *sizes)
{
    for (size_t i = 0; i < r->nentries; i++) {
        int64_t start = r->entries[i].data_offset_text, end = r->hdr.script_bytes;
        if (start < 0)
            continue;
        for (size_t k = i + 1; k < r->nentries; k++)
            if (r->entries[k].text_offset > start) {
                end = r->entries[k].text_offset;
                break;
            }
        sizes[i].bytes = end > start ? end - start : 0;
    }
}

static int measure_all(df_reader *r, df_entry_size *sizes,
                       void (*progress)(void *ctx, size_t done, size_t total), void *ctx)
{
    size_t total = 0, done = 0;

    for (size_t i = 0; i < r->nentries; i++)
        total += (size_t)df_entry_has_data(&r->entries[i]);
    for (size_t i = 0; i < r->nentries; i++) {
        const df_entry *e = &r->entries[i];
        int64_t rows = -1, bytes = -1, raw = -1;
        int rc;

        if (!df_entry_has_data(e))
            continue;
        rc = df_reader_measure(r, e, &rows, &bytes, &raw);
        if (rc != DF_OK)
            return rc;
        sizes[i].rows = rows;
        sizes[i].bytes = bytes;
        if (sizes[i].stored < 0)
            sizes[i].stored = raw;
        if (progress != NULL)
            progress(ctx, ++done, total);
    }
    return DF_OK;
}

int df_restore_sizes(df_reader *r, int read_data, df_entry_size *sizes,
                     void (*progress)(void *ctx, size_t done, size_t total), void *ctx,
                     df_error *err)
{
    int rc = DF_OK;

    if (r == NULL || sizes == NULL)
        return dfi_fail(err, DF_E_USAGE, -1, "df_restore_sizes needs a reader and an array");
    for (size_t i = 0; i < r->nentries; i++)
        sizes[i] = (df_entry_size){-1, -1, -1, -1};
    if (r->hdr.format == DF_FORMAT_CUSTOM)
        rc = custom_stored(r, sizes);
    else if (r->hdr.format == DF_FORMAT_DIRECTORY)
        rc = directory_stored(r, sizes);
    else if (r->hdr.format == DF_FORMAT_PLAIN)
        plain_stored(r, sizes);
    if (rc == DF_OK && read_data)
        rc = measure_all(r, sizes, progress, ctx);
    return dfi_reader_fail(r, rc, err);
}
