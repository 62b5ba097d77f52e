/*
 * toc_version.c — df_toc_set_version: reshape a TOC for the archive
 * version an older (or newer) pg_restore reads.  The SQL text of entries is
 * never changed; only what the version's layout requires: from 1.16 down,
 * BLOB METADATA (an OID list) becomes one BLOB entry per large object as
 * pg_dump <= 16 wrote it, the BLOBS groups become the one BLOBS entry
 * older readers expect, and an ACL of a group ("LARGE OBJECTS a..b") is
 * repeated per large object, as pg_restore 17 does when it restores one
 * (IssueACLPerBlob).  Fields a version lacks are simply not written
 * (encode.c); a value that would be lost (a non-heap table access method
 * below 1.14) is refused unless forced.
 */
#include "writer.h"

#include <stdlib.h>
#include <string.h>

static void note(df_write_summary *sum, const char *what)
{
    size_t n;

    if (sum == NULL)
        return;
    n = strlen(sum->note);
    snprintf(sum->note + n, sizeof sum->note - n, "%s%s", n ? "; " : "", what);
}

/* The OIDs of a BLOB METADATA defn, one decimal per line. */
static size_t parse_oids(const char *defn, uint32_t **out)
{
    size_t n = 0, cap = 0;
    uint32_t *v = NULL;
    const char *p = defn ? defn : "";

    while (*p) {
        char *end;
        unsigned long x = strtoul(p, &end, 10);
        if (end == p) {
            p++;
            continue;
        }
        if (n == cap) {
            uint32_t *nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof *v);
            if (nv == NULL) {
                free(v);
                *out = NULL;
                return (size_t)-1;
            }
            v = nv;
        }
        v[n++] = (uint32_t)x;
        p = end;
    }
    *out = v;
    return n;
}

static int new_id(df_toc *t) { return ++t->max_id; }

/* One pre-data BLOB entry as pg_dump <= 16 writes it (dumpLO). */
static int push_blob(df_toc *t, const df_entry *meta, uint32_t oid, int32_t id)
{
    char tag[16], defn[64], drop[64];
    df_entry e;

    memset(&e, 0, sizeof e);
    snprintf(tag, sizeof tag, "%u", oid);
    snprintf(defn, sizeof defn, "SELECT pg_catalog.lo_create('%u');\n", oid);
    snprintf(drop, sizeof drop, "SELECT pg_catalog.lo_unlink('%u');\n", oid);
    e.dump_id = id;
    e.table_oid = meta->table_oid;
    e.oid = oid;
    e.tag = tag;
    e.desc = "BLOB";
    e.section = DF_SECTION_PRE_DATA;
    e.section_stored = 1;
    e.defn = defn;
    e.drop_stmt = drop;
    e.owner = meta->owner;
    e.with_oids = "false";
    e.offset_state = DF_OFFSET_NO_DATA;
    e.data_offset = -1;
    e.data_offset_text = e.data_bytes = e.data_rows = -1;
    e.text_offset = -1;
    return dfi_toc_push(t, &e, NULL);
}

/* "LARGE OBJECT <first>" -> "LARGE OBJECT <oid>" everywhere in s (IssueACLPerBlob). */
static char *per_blob_text(const char *s, uint32_t first, uint32_t oid)
{
    char from[40], to[40];
    size_t nf, nt, cap;
    char *out, *q;

    if (s == NULL)
        return NULL;
    nf = (size_t)snprintf(from, sizeof from, "LARGE OBJECT %u", first);
    nt = (size_t)snprintf(to, sizeof to, "LARGE OBJECT %u", oid);
    cap = strlen(s) * (nt > nf ? 2 : 1) + nt + 1;
    out = q = malloc(cap);
    if (out == NULL)
        return NULL;
    while (*s) {
        if (strncmp(s, from, nf) == 0 && !(s[nf] >= '0' && s[nf] <= '9')) {
            memcpy(q, to, nt);
            q += nt;
            s += nf;
        } else {
            *q++ = *s++;
        }
    }
    *q = '\0';
    return out;
}

typedef struct lo_map {
    int32_t meta_id;   /* the BLOB METADATA entry's id */
    uint32_t *oids;
    int32_t *ids;      /* the BLOB entry of each OID */
    size_t n;
} lo_map;

static const lo_map *map_find(const lo_map *m, size_t n, const df_entry *e)
{
    for (size_t k = 0; k < e->ndeps; k++)
        for (size_t j = 0; j < n; j++)
            if (m[j].meta_id == e->deps[k])
                return &m[j];
    return NULL;
}

/* A group ACL becomes one ACL per large object of the group. */
static int push_acls(df_toc *t, const dfi_tentry *acl, const lo_map *m)
{
    for (size_t k = 0; k < m->n; k++) {
        char tag[40];
        char *defn = per_blob_text(acl->e.defn, m->oids[0], m->oids[k]);
        df_entry e = acl->e;
        int rc;
        if (acl->e.defn != NULL && defn == NULL)
            return DF_E_NOMEM;
        snprintf(tag, sizeof tag, "LARGE OBJECT %u", m->oids[k]);
        e.tag = tag;
        e.defn = defn;
        e.dump_id = k == 0 ? acl->e.dump_id : new_id(t);
        e.deps = &m->ids[k];
        e.ndeps = 1;
        rc = dfi_toc_push(t, &e, NULL);
        free(defn);
        if (rc != DF_OK)
            return rc;
    }
    return DF_OK;
}

/* Build the new entry list of a 1.16 TOC for <= 1.15 into t (emptied first). */
static int unblob(df_toc *t, dfi_tentry *old, size_t n, lo_map *maps, size_t *nmaps,
                  df_write_summary *sum)
{
    size_t blobs_at = SIZE_MAX, groups = 0;
    int rc = DF_OK;

    for (size_t i = 0; rc == DF_OK && i < n; i++) {
        dfi_tentry *te = &old[i];
        const lo_map *m;
        if (dfi_desc_is(&te->e, "BLOB METADATA")) {
            lo_map *mm = &maps[(*nmaps)++];
            size_t k = parse_oids(te->e.defn, &mm->oids);
            mm->meta_id = te->e.dump_id;
            if (k == (size_t)-1 || (k > 0 && (mm->ids = malloc(k * sizeof *mm->ids)) == NULL))
                return DF_E_NOMEM;
            mm->n = k;
            for (size_t j = 0; rc == DF_OK && j < k; j++) {
                mm->ids[j] = j == 0 ? te->e.dump_id : new_id(t);
                rc = push_blob(t, &te->e, mm->oids[j], mm->ids[j]);
            }
        } else if (df_entry_is_blobs(&te->e)) {
            groups++;
            if (blobs_at == SIZE_MAX) { /* the one BLOBS entry of <= 1.15: tag BLOBS, no owner */
                df_entry e = te->e;
                e.tag = "BLOBS";
                e.owner = NULL;
                e.ndeps = 0;
                e.deps = NULL;
                e.table_oid = e.oid = 0;
                rc = dfi_toc_push(t, &e, NULL);
                blobs_at = t->n - 1;
            }
            for (size_t k = 0; rc == DF_OK && k < te->nsrc; k++)
                rc = dfi_tentry_add_src(&t->v[blobs_at], te->src[k]);
        } else if (te->e.tag != NULL && strncmp(te->e.tag, "LARGE OBJECTS ", 14) == 0 &&
                   (m = map_find(maps, *nmaps, &te->e)) != NULL && m->n > 0) {
            rc = push_acls(t, te, m);
        } else {
            rc = dfi_toc_push(t, &te->e, NULL);
            for (size_t k = 0; rc == DF_OK && k < te->nsrc; k++)
                rc = dfi_tentry_add_src(&t->v[t->n - 1], te->src[k]);
        }
    }
    if (groups > 1 && sum != NULL) {
        char buf[96];
        snprintf(buf, sizeof buf, "%zu BLOBS groups merged into one BLOBS entry", groups);
        note(sum, buf);
        sum->dropped += groups - 1;
    }
    if (*nmaps > 0)
        note(sum, "BLOB METADATA entries written as one BLOB entry per large object");
    return rc;
}

static int down_from_16(df_toc *t, df_write_summary *sum)
{
    dfi_tentry *old = t->v;
    size_t n = t->n, nmaps = 0;
    lo_map *maps = calloc(n ? n : 1, sizeof *maps);
    int rc;

    if (maps == NULL)
        return DF_E_NOMEM;
    t->v = NULL;
    t->n = t->cap = 0;
    rc = unblob(t, old, n, maps, &nmaps, sum);
    for (size_t i = 0; i < n; i++)
        dfi_tentry_clear(&old[i]);
    free(old);
    for (size_t k = 0; k < nmaps; k++) {
        free(maps[k].oids);
        free(maps[k].ids);
    }
    free(maps);
    for (size_t i = 0; i < t->n; i++) {
        t->v[i].e.index = i;
        t->v[i].e.relkind = 0;
    }
    return rc;
}

/* Below 1.14 there is no table access method field: only heap can be left implicit. */
static int drop_tableam(df_toc *t, int force, df_write_summary *sum, df_error *err)
{
    size_t lost = 0;
    const df_entry *first = NULL;

    for (size_t i = 0; i < t->n; i++) {
        df_entry *e = &t->v[i].e;
        if (e->tableam != NULL && e->tableam[0] != '\0' && strcmp(e->tableam, "heap") != 0) {
            lost++;
            if (first == NULL)
                first = e;
        }
    }
    if (lost > 0 && !force)
        return dfi_fail(err, DF_E_UNSUPPORTED, first->toc_offset,
                        "%s %s.%s uses table access method \"%s\", which archive version 1.13 "
                        "cannot express",
                        first->desc, first->schema ? first->schema : "-",
                        first->tag ? first->tag : "", first->tableam);
    for (size_t i = 0; i < t->n; i++)
        dfi_set_str(&t->v[i].e.tableam, NULL);
    if (lost > 0) {
        char buf[96];
        snprintf(buf, sizeof buf, "table access methods of %zu entries dropped", lost);
        note(sum, buf);
    }
    return DF_OK;
}

int df_toc_set_version(df_toc *t, int vmin, int force, df_write_summary *sum, df_error *err)
{
    int from = t ? t->hdr.vmin : 0;
    int rc = DF_OK;

    dfi_error_clear(err);
    if (t == NULL || vmin < 13 || vmin > 16)
        return dfi_fail(err, DF_E_USAGE, -1, "archive version 1.%d cannot be written (1.13 to "
                                             "1.16 can)", vmin);
    if (vmin == from)
        return DF_OK;
    if (from < 12)
        return dfi_fail(err, DF_E_VERSION, -1, "archive version 1.%d cannot be converted", from);
    if (vmin > from && (vmin == 16 || from < 13))
        return dfi_fail(err, DF_E_UNSUPPORTED, -1,
                        "archive version 1.%d cannot be raised to 1.%d (only 1.13 and 1.14 to "
                        "1.15)", from, vmin);
    if (from == 16 && vmin < 16)
        rc = down_from_16(t, sum);
    if (rc == DF_E_NOMEM)
        return dfi_fail(err, rc, -1, "out of memory");
    if (rc == DF_OK && vmin < 14)
        rc = drop_tableam(t, force, sum, err);
    if (rc != DF_OK)
        return rc;
    t->hdr.vmin = vmin;
    t->hdr.vrev = 0;
    return DF_OK;
}
