/*
 * lofacts.c — large-object reconciliation: the OIDs each BLOBS entry must
 * hold (from BLOB METADATA or BLOB entries of the TOC) and the comparison
 * with the OIDs found in its data.  A missing OID restores an empty large
 * object, an extra one fails at restore (no TOC entry creates it).
 */
#include "lofacts.h"
#include "entrytype.h"

#include <stdlib.h>
#include <string.h>

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

static int want_add(dfi_lowant *w, uint32_t oid, size_t *cap)
{
    if (w->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        uint32_t *nv = realloc(w->oids, nc * sizeof *nv);
        if (nv == NULL)
            return DF_E_NOMEM;
        w->oids = nv;
        *cap = nc;
    }
    w->oids[w->n++] = oid;
    return DF_OK;
}

/* OIDs of a 1.16 BLOB METADATA defn: one per line. */
static int want_from_metadata(dfi_lowant *w, const char *defn, size_t *cap)
{
    const char *s = defn;

    while (s && *s) {
        char *end;
        unsigned long v = strtoul(s, &end, 10);

        if (end != s && v > 0 && v <= UINT32_MAX && want_add(w, (uint32_t)v, cap) != DF_OK)
            return DF_E_NOMEM;
        s = strchr(end, '\n');
        if (s)
            s++;
    }
    return DF_OK;
}

int dfi_lo_expect(const df_reader *r, const bool *blobs, dfi_lowant *want, size_t *nblob,
                  size_t *nblobs)
{
    size_t n = df_reader_toc_count(r), cap = 0;
    dfi_lowant *only = NULL;
    int rc = DF_OK;

    *nblob = *nblobs = 0;
    for (size_t i = 0; i < n; i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        size_t vcap = 0;

        if (dfi_et_is(e, DFI_ET_BLOB))
            (*nblob)++;
        if (!blobs[i])
            continue;
        (*nblobs)++;
        only = &want[i];
        for (size_t d = 0; d < e->ndeps; d++) {
            const df_entry *m = df_reader_find(r, e->deps[d]);
            if (m == NULL || !dfi_et_is(m, DFI_ET_BLOB_METADATA))
                continue;
            want[i].known = true;
            if (want_from_metadata(&want[i], m->defn, &vcap) != DF_OK)
                rc = DF_E_NOMEM;
        }
    }
    if (*nblob > 0 && *nblobs == 1 && !only->known) {
        only->known = true;
        for (size_t i = 0; i < n; i++) {
            const df_entry *e = df_reader_toc_at(r, i);
            if (dfi_et_is(e, DFI_ET_BLOB) &&
                want_add(only, e->tag ? (uint32_t)strtoul(e->tag, NULL, 10) : e->oid, &cap))
                rc = DF_E_NOMEM;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (want[i].n > 1)
            qsort(want[i].oids, want[i].n, sizeof(uint32_t), cmp_u32);
    return rc;
}

void dfi_lowant_free(dfi_lowant *w)
{
    free(w->oids);
    memset(w, 0, sizeof *w);
}

void dfi_lo_compare(const dfi_lowant *want, uint32_t *got, size_t ngot, dfi_lodiff *d)
{
    size_t i = 0, k = 0;

    memset(d, 0, sizeof *d);
    qsort(got, ngot, sizeof *got, cmp_u32);
    while (i < want->n || k < ngot) {
        if (k > 0 && k < ngot && got[k] == got[k - 1]) {
            if (d->dup++ == 0)
                d->first_dup = got[k];
            k++;
        } else if (k == ngot || (i < want->n && want->oids[i] < got[k])) {
            if (d->missing++ == 0)
                d->first_missing = want->oids[i];
            i++;
        } else if (i == want->n || got[k] < want->oids[i]) {
            if (d->extra++ == 0)
                d->first_extra = got[k];
            k++;
        } else {
            i++, k++;
        }
    }
}
