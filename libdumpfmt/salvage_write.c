/*
 * salvage_write.c — df_salvage_write_archive: the repaired archive of a
 * salvage, written by the archive writer.  The TOC is the input's with what
 * the salvage decided applied to it: intact data copied as stored, the kept
 * complete rows of a partial COPY stream re-encoded with the "\." line pg_dump
 * ends COPY data with (of INSERT-format data: every complete statement), the
 * data entries of lost data left out (the TABLE entry stays: the table is
 * still created, empty), the large objects of a
 * damaged BLOBS entry left out with their BLOB entries and whatever needs
 * those, foreign keys that could no longer validate written NOT VALID.
 */
#include "writer.h"

#include <stdlib.h>
#include <string.h>

/* What pg_dump writes after the rows of a COPY (dumpTableData_copy). */
static const char copy_end[] = "\\.\n\n\n";

static int feed_rows(void *ctx, df_reader *r, size_t src, dfi_put_fn put, void *put_ctx,
                     df_error *err)
{
    const df_salvage *s = ctx;
    int rc = df_salvage_read_rows(r, s, src, put, put_ctx, err);

    /* INSERT statements need no terminator: the stream just ends after the last one */
    if (rc == DF_OK && df_reader_toc_at(r, src)->copy_stmt != NULL &&
        put(put_ctx, copy_end, sizeof copy_end - 1) != 0)
        rc = dfi_fail(err, DF_E_IO, -1, "could not write the rows");
    return rc;
}

/* The kept rows' stream spliced where the count allowed it (DF_SALVAGE_SPLICE). */
static int splice_rows(void *ctx, df_reader *r, size_t src, dfi_wrap wrap, int level,
                       dfi_emit_fn emit, void *emit_ctx, df_error *err)
{
    const df_salvage *s = ctx;
    bool copy = df_reader_toc_at(r, src)->copy_stmt != NULL;

    /* as feed_rows and df_salvage_read_rows end them: "\." after COPY rows, a newline after
       the last INSERT statement */
    return dfi_salvage_splice(r, s, src, wrap, level, copy ? copy_end : "\n",
                              copy ? sizeof copy_end - 1 : 1, emit, emit_ctx, err);
}

/*
 * Is this a data entry whose rows the output re-encodes (a COPY stream or
 * INSERT statements that broke)?  Large objects are not rows.
 */
static int fed_entry(const df_entry *e, const df_salvage_entry *p)
{
    return p->state == DF_SALVAGE_PARTIAL && df_entry_has_data(e) && !df_entry_is_blobs(e);
}

/*
 * Does the output keep entry i (before dependents are considered)?  A data
 * entry whose data are lost goes entirely rather than staying without data
 * (which dumpcheck calls an error): its TABLE entry still creates the table.
 */
static int keeps_entry(const df_entry *e, const df_salvage_entry *p)
{
    if (p->state == DF_SALVAGE_DROPPED)
        return 0;
    if (!df_entry_has_data(e) || p->state == DF_SALVAGE_INTACT)
        return 1;
    return fed_entry(e, p);
}

/*
 * Whatever needs an entry left out goes too (a COMMENT or ACL of a dropped
 * BLOB ...), except that missing rows never make another entry fail: data
 * entries pass nothing on (pg_restore ignores dependencies on absent ids).
 */
static void drop_dependents(df_reader *r, int *keep, size_t n)
{
    bool changed = true;

    while (changed) {
        changed = false;
        for (size_t i = 0; i < n; i++) {
            const df_entry *e = df_reader_toc_at(r, i);
            for (size_t k = 0; keep[i] && k < e->ndeps; k++) {
                const df_entry *d = df_reader_find(r, e->deps[k]);
                if (d != NULL && d->index < n && !keep[d->index] && !df_entry_has_data(d)) {
                    keep[i] = 0;
                    changed = true;
                }
            }
        }
    }
}

/* Apply the salvage's decision to kept entry i of t (still the reader's numbering). */
static int apply_state(df_toc *t, df_reader *r, const df_salvage *s, size_t i)
{
    const df_salvage_entry *p = df_salvage_entry_at(s, i);

    if (p->state == DF_SALVAGE_CHANGED)
        return dfi_set_str(&t->v[i].e.defn, p->new_defn);
    t->v[i].fed = fed_entry(df_reader_toc_at(r, i), p) && t->v[i].nsrc == 1;
    return DF_OK;
}

int df_salvage_write_archive(df_reader *r, const df_salvage *s, const char *path,
                             const df_write_options *o, df_write_summary *sum, df_error *err)
{
    size_t n = df_reader_toc_count(r);
    df_toc *t = df_toc_from_reader(r);
    int *keep = calloc(n ? n : 1, sizeof *keep);
    int rc = t && keep ? DF_OK : DF_E_NOMEM;

    for (size_t i = 0; rc == DF_OK && i < n; i++) {
        keep[i] = keeps_entry(df_reader_toc_at(r, i), df_salvage_entry_at(s, i));
        rc = keep[i] ? apply_state(t, r, s, i) : DF_OK;
    }
    if (rc == DF_OK) {
        drop_dependents(r, keep, n);
        rc = df_toc_filter(t, keep, NULL);
    }
    if (rc != DF_OK) {
        rc = dfi_fail(err, rc, -1, "out of memory");
    } else {
        t->feed = feed_rows;
        t->splice = splice_rows;
        t->feed_ctx = (void *)s;
        rc = df_write_archive(r, t, path, o, sum, err);
    }
    free(keep);
    df_toc_free(t);
    return rc;
}
