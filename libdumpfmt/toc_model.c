/*
 * toc_model.c — a TOC the caller owns and edits, separate from the reader's
 * borrowed entries: a deep copy of the header and entries (strings and
 * dependency lists owned), each entry remembering which reader entries its
 * data come from, so that a filter or a version change (which merges LO
 * groups) still knows where to read.
 */
#include "writer.h"

#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s, bool *failed)
{
    char *d;

    if (s == NULL)
        return NULL;
    d = strdup(s);
    if (d == NULL)
        *failed = true;
    return d;
}

int dfi_set_str(const char **field, const char *value)
{
    bool failed = false;
    char *d = dup_or_null(value, &failed);

    if (failed)
        return DF_E_NOMEM;
    free((char *)*field);
    *field = d;
    return DF_OK;
}

void dfi_tentry_clear(dfi_tentry *te)
{
    df_entry *e = &te->e;
    const char **strs[] = {&e->tag,        &e->desc,   &e->defn,    &e->drop_stmt,
                           &e->copy_stmt,  &e->schema, &e->tablespace, &e->tableam,
                           &e->owner,      &e->with_oids, &e->filename};

    for (size_t k = 0; k < sizeof strs / sizeof strs[0]; k++)
        free((char *)*strs[k]);
    free((int32_t *)e->deps);
    free(te->src);
    memset(te, 0, sizeof *te);
}

int dfi_tentry_add_src(dfi_tentry *te, size_t src)
{
    size_t *v = realloc(te->src, (te->nsrc + 1) * sizeof *v);

    if (v == NULL)
        return DF_E_NOMEM;
    v[te->nsrc++] = src;
    te->src = v;
    return DF_OK;
}

int dfi_toc_push(df_toc *t, const df_entry *e, dfi_tentry **out)
{
    dfi_tentry *te;
    df_entry *d;
    bool failed = false;

    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        dfi_tentry *v = realloc(t->v, cap * sizeof *v);
        if (v == NULL)
            return DF_E_NOMEM;
        t->v = v;
        t->cap = cap;
    }
    te = &t->v[t->n];
    memset(te, 0, sizeof *te);
    d = &te->e;
    *d = *e;
    d->tag = dup_or_null(e->tag, &failed);
    d->desc = dup_or_null(e->desc, &failed);
    d->defn = dup_or_null(e->defn, &failed);
    d->drop_stmt = dup_or_null(e->drop_stmt, &failed);
    d->copy_stmt = dup_or_null(e->copy_stmt, &failed);
    d->schema = dup_or_null(e->schema, &failed);
    d->tablespace = dup_or_null(e->tablespace, &failed);
    d->tableam = dup_or_null(e->tableam, &failed);
    d->owner = dup_or_null(e->owner, &failed);
    d->with_oids = dup_or_null(e->with_oids, &failed);
    d->filename = dup_or_null(e->filename, &failed);
    d->database = NULL; /* plain-script facts are the reader's, not the model's */
    d->deps = NULL;
    if (e->ndeps > 0) {
        int32_t *deps = malloc(e->ndeps * sizeof *deps);
        if (deps == NULL)
            failed = true;
        else
            memcpy(deps, e->deps, e->ndeps * sizeof *deps);
        d->deps = deps;
    }
    d->index = t->n;
    t->n++;
    if (failed) {
        dfi_tentry_clear(te);
        t->n--;
        return DF_E_NOMEM;
    }
    if (e->dump_id > t->max_id)
        t->max_id = e->dump_id;
    if (out != NULL)
        *out = te;
    return DF_OK;
}

static int copy_header(df_toc *t, const df_header *h)
{
    bool failed = false;

    t->hdr = *h;
    t->hdr.dbname = dup_or_null(h->dbname, &failed);
    t->hdr.server_version = dup_or_null(h->server_version, &failed);
    t->hdr.dump_version = dup_or_null(h->dump_version, &failed);
    t->hdr.restrict_key = NULL;
    t->hdr.script_error = NULL;
    return failed ? DF_E_NOMEM : DF_OK;
}

df_toc *df_toc_from_reader(const df_reader *r)
{
    df_toc *t = calloc(1, sizeof *t);
    size_t n = df_reader_toc_count(r);

    if (t == NULL)
        return NULL;
    if (copy_header(t, df_reader_header(r)) != DF_OK)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        dfi_tentry *te;
        if (dfi_toc_push(t, e, &te) != DF_OK)
            goto fail;
        if (df_entry_has_data(e) && dfi_tentry_add_src(te, i) != DF_OK)
            goto fail;
    }
    return t;
fail:
    df_toc_free(t);
    return NULL;
}

size_t df_toc_count(const df_toc *t) { return t ? t->n : 0; }

const df_entry *df_toc_at(const df_toc *t, size_t i) { return t && i < t->n ? &t->v[i].e : NULL; }

const df_header *df_toc_header(const df_toc *t) { return t ? &t->hdr : NULL; }

int df_toc_filter(df_toc *t, const int *keep, df_error *err)
{
    size_t k = 0;

    if (t == NULL || keep == NULL)
        return dfi_fail(err, DF_E_USAGE, -1, "df_toc_filter needs a TOC and a keep array");
    for (size_t i = 0; i < t->n; i++) {
        if (!keep[i]) {
            dfi_tentry_clear(&t->v[i]);
            continue;
        }
        t->v[k] = t->v[i];
        t->v[k].e.index = k;
        k++;
    }
    t->n = k;
    return DF_OK;
}

void df_toc_free(df_toc *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n; i++)
        dfi_tentry_clear(&t->v[i]);
    free(t->v);
    free((char *)t->hdr.dbname);
    free((char *)t->hdr.server_version);
    free((char *)t->hdr.dump_version);
    free(t);
}
