/*
 * select.c — the dependency graph of a TOC and selections closed over it,
 * for restore lists that are right by construction (dumporder).
 *
 * The graph holds the stored dependencies plus the links pg_restore relies
 * on without storing them (spec §12.1, §4.7): SEQUENCE OWNED BY needs the
 * table that owns the sequence, BLOBS needs its large objects, and a
 * post-data entry on a table runs after that table's data.  Each entry also
 * gets an owner (the table of an index, the object of a comment ...) and
 * partitions know their parent, which is what "everything that belongs to a
 * table" is made of.
 *
 * A selection starts from pg_restore's patterns (exact names, -t -n -I -P
 * and the trigger option) or from a list file's entries, drops
 * --exclude-table/-N exclusions, then adds requirements (what the list needs to be created)
 * and dependents (what belongs to what is listed) until nothing changes.
 * A dependent that would drag in another relation (a foreign key to a table
 * outside the list) is left out with the reason, unless FK targets are
 * wanted.  Every entry left out keeps a reason a person can read.
 * A list's order is checked and fixed in select_order.c.
 */
#include "select.h"
#include "entrytype.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* ------------------------------------------------------------------ */
/* Entry kinds                                                          */
/* ------------------------------------------------------------------ */

/* Relations: what "a table" can be for ownership and blocking. */
static bool is_relation(const df_entry *e)
{
    return dfi_ek_is(e, DFI_EK_RELATION);
}

/* What pg_restore -t matches (spec: _tocEntryRequired). */
static bool is_tablelike(const df_entry *e)
{
    return dfi_ek_is(e, DFI_EK_TABLELIKE);
}

static bool is_function_like(const df_entry *e)
{
    return dfi_ek_is(e, DFI_EK_ROUTINE);
}

/* Entries that are part of one relation (or one sequence, one large object). */
static bool is_member_kind(const df_entry *e)
{
    return dfi_ek_is(e, DFI_EK_MEMBER);
}

/* Entries that only describe another object: they go wherever it goes. */
static bool is_attribute_kind(const df_entry *e)
{
    return dfi_ek_is(e, DFI_EK_ATTRIBUTE);
}

static bool str_eq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* ------------------------------------------------------------------ */
/* Graph                                                                */
/* ------------------------------------------------------------------ */

static const df_entry *ent(const df_graph *g, size_t i)
{
    return &g->r->entries[i];
}

static int add_unique(idx_vec *a, size_t x)
{
    return vec_has(a, x) ? DF_OK : vec_push(a, x);
}

/* Stored dependencies that name entries of the TOC. */
static int stored_requires(df_graph *g, size_t i)
{
    const df_entry *e = ent(g, i);
    int rc = DF_OK;

    for (size_t d = 0; d < e->ndeps && rc == DF_OK; d++) {
        ssize_t k = dfi_find_index(g->r, e->deps[d]);
        if (k >= 0 && (size_t)k != i)
            rc = add_unique(&g->req[i], (size_t)k);
    }
    return rc;
}

/* First required entry of i of type `type` (DFI_ET_*), or -1. */
static int64_t first_required(const df_graph *g, size_t i, int type)
{
    const idx_vec *a = &g->req[i];

    for (size_t k = 0; k < a->n; k++)
        if (dfi_et_is(ent(g, a->v[k]), type))
            return (int64_t)a->v[k];
    return -1;
}

static int64_t first_relation(const df_graph *g, size_t i)
{
    const idx_vec *a = &g->req[i];

    for (size_t k = 0; k < a->n; k++)
        if (is_relation(ent(g, a->v[k])))
            return (int64_t)a->v[k];
    return -1;
}

/* The table that owns a sequence: the relation a SEQUENCE entry depends on. */
static int64_t sequence_table(const df_graph *g, size_t seq)
{
    return first_relation(g, seq);
}

/* Large objects of a BLOBS entry: every BLOB (<= 1.15), or the BLOB METADATA of its group. */
static int blobs_requires(df_graph *g, size_t i)
{
    const df_entry *e = ent(g, i);
    int rc = DF_OK;

    for (size_t k = 0; k < g->n && rc == DF_OK; k++) {
        const df_entry *o = ent(g, k);
        if (dfi_et_is(o, DFI_ET_BLOB) ||
            (dfi_et_is(o, DFI_ET_BLOB_METADATA) && str_eq(o->tag, e->tag)))
            rc = add_unique(&g->req[i], k);
    }
    return rc;
}

/* A TABLE DATA without a stored dependency (very old archives): its table by name. */
static int data_table_by_name(df_graph *g, size_t i)
{
    const df_entry *e = ent(g, i);

    for (size_t k = 0; k < g->n; k++) {
        const df_entry *t = ent(g, k);
        if (dfi_et_is(t, DFI_ET_TABLE) && str_eq(t->tag, e->tag) &&
            (t->schema == e->schema || str_eq(t->schema, e->schema)))
            return add_unique(&g->req[i], k);
    }
    return DF_OK;
}

/* REFRESH MATERIALIZED VIEW reads what the view reads: it needs those rows, not just tables. */
static int refresh_requires(df_graph *g, size_t i, const size_t *data_of)
{
    int64_t mv = first_required(g, i, DFI_ET_MATERIALIZED_VIEW);
    const idx_vec *a;
    int rc = DF_OK;

    if (mv < 0)
        return DF_OK;
    a = &g->req[mv];
    for (size_t k = 0; k < a->n && rc == DF_OK; k++) {
        size_t d = data_of[a->v[k]];
        if (d != NONE_IDX && d != i)
            rc = add_unique(&g->req[i], d);
    }
    return rc;
}

static int implicit_requires(df_graph *g, size_t i, const size_t *data_of)
{
    const df_entry *e = ent(g, i);

    if (dfi_et_is(e, DFI_ET_SEQUENCE_OWNED_BY)) {
        int64_t seq = first_required(g, i, DFI_ET_SEQUENCE);
        int64_t tab = seq >= 0 ? sequence_table(g, (size_t)seq) : -1;
        return tab >= 0 ? add_unique(&g->req[i], (size_t)tab) : DF_OK;
    }
    if (dfi_et_is(e, DFI_ET_BLOBS))
        return blobs_requires(g, i);
    if (dfi_et_is(e, DFI_ET_TABLE_DATA) && first_relation(g, i) < 0)
        return data_table_by_name(g, i);
    if (dfi_et_is(e, DFI_ET_MATERIALIZED_VIEW_DATA))
        return refresh_requires(g, i, data_of);
    return DF_OK;
}

/* The relation among i's requirements named by i's tag: "table" or "table name". */
static int64_t relation_by_tag(const df_graph *g, size_t i)
{
    const df_entry *e = ent(g, i);
    const idx_vec *a = &g->req[i];
    int64_t best = -1;
    size_t best_len = 0;

    if (e->tag == NULL)
        return -1;
    for (size_t k = 0; k < a->n; k++) {
        const df_entry *t = ent(g, a->v[k]);
        size_t len = t->tag ? strlen(t->tag) : 0;

        if (!is_relation(t) || len == 0 ||
            !str_eq(t->schema ? t->schema : "", e->schema ? e->schema : ""))
            continue;
        if (strcmp(e->tag, t->tag) == 0)
            return (int64_t)a->v[k];
        if (strncmp(e->tag, t->tag, len) == 0 && e->tag[len] == ' ' && len > best_len) {
            best = (int64_t)a->v[k];
            best_len = len;
        }
    }
    return best;
}

/* Among i's relations, one that itself requires another of them (the partition). */
static int64_t child_relation(const df_graph *g, size_t i)
{
    const idx_vec *a = &g->req[i];

    for (size_t k = 0; k < a->n; k++) {
        if (!is_relation(ent(g, a->v[k])))
            continue;
        for (size_t m = 0; m < a->n; m++)
            if (m != k && is_relation(ent(g, a->v[m])) && vec_has(&g->req[a->v[k]], a->v[m]))
                return (int64_t)a->v[k];
    }
    return first_relation(g, i);
}

/* Owner of a member with no relation: a domain's constraint, an index's statistics. */
static int64_t non_relation_owner(const df_graph *g, size_t i)
{
    static const int kinds[] = {DFI_ET_DOMAIN, DFI_ET_TYPE, DFI_ET_INDEX, DFI_ET_CONSTRAINT,
                                DFI_ET_MATERIALIZED_VIEW};
    const idx_vec *a = &g->req[i];

    for (size_t k = 0; k < a->n; k++)
        for (size_t t = 0; t < sizeof kinds / sizeof kinds[0]; t++)
            if (dfi_et_is(ent(g, a->v[k]), kinds[t]))
                return (int64_t)a->v[k];
    return -1;
}

static int64_t member_owner(const df_graph *g, size_t i)
{
    const df_entry *e = ent(g, i);
    int64_t o;

    if (dfi_et_is(e, DFI_ET_INDEX_ATTACH))
        return child_relation(g, i);
    if (dfi_et_is(e, DFI_ET_MATERIALIZED_VIEW_DATA))
        return first_required(g, i, DFI_ET_MATERIALIZED_VIEW);
    if (dfi_et_is(e, DFI_ET_SEQUENCE))
        return first_relation(g, i); /* owned (serial, identity) or standalone (-1) */
    if (dfi_et_is(e, DFI_ET_BLOBS)) {
        o = first_required(g, i, DFI_ET_BLOB_METADATA);
        return o >= 0 ? o : first_required(g, i, DFI_ET_BLOB);
    }
    if ((o = relation_by_tag(g, i)) >= 0)
        return o;
    if ((o = first_relation(g, i)) >= 0)
        return o;
    return non_relation_owner(g, i);
}

static int64_t attribute_owner(const df_graph *g, size_t i)
{
    const df_entry *e = ent(g, i);
    const idx_vec *a = &g->req[i];

    if (dfi_et_is(e, DFI_ET_SEQUENCE_SET) || dfi_et_is(e, DFI_ET_SEQUENCE_OWNED_BY))
        return first_required(g, i, DFI_ET_SEQUENCE);
    /* column ACLs also depend on the table's ACL, only for ordering */
    for (size_t k = 0; k < a->n; k++)
        if (!dfi_et_is(ent(g, a->v[k]), DFI_ET_ACL))
            return (int64_t)a->v[k];
    return -1;
}

static int64_t owner_of(const df_graph *g, size_t i)
{
    const df_entry *e = ent(g, i);

    if (is_attribute_kind(e))
        return attribute_owner(g, i);
    if (is_member_kind(e))
        return member_owner(g, i);
    return -1;
}

/* Partitions: TABLE ATTACH names the partition (its owner) and the parent. */
static void find_partitions(df_graph *g)
{
    for (size_t i = 0; i < g->n; i++) {
        const df_entry *e = ent(g, i);
        const idx_vec *a = &g->req[i];

        if (dfi_et_is(e, DFI_ET_TABLE_ATTACH) && g->owner[i] >= 0) {
            for (size_t k = 0; k < a->n; k++)
                if ((int64_t)a->v[k] != g->owner[i] && is_relation(ent(g, a->v[k])))
                    g->parent[g->owner[i]] = (int64_t)a->v[k];
        }
    }
    /* Before 12, partitions were created "PARTITION OF" their parent directly. */
    for (size_t i = 0; i < g->n; i++) {
        const df_entry *e = ent(g, i);
        if (g->parent[i] < 0 && is_relation(e) && e->defn && strstr(e->defn, " PARTITION OF "))
            g->parent[i] = first_required(g, i, DFI_ET_TABLE);
    }
}

/*
 * The data entry of each relation, or NONE_IDX: a TABLE's TABLE DATA (pg_restore's
 * tableDataId, from the TABLE DATA's first dependency) and a MATERIALIZED VIEW's data.
 */
static int data_map(const df_graph *g, size_t **out)
{
    size_t *map = malloc((g->n ? g->n : 1) * sizeof *map);

    if (map == NULL)
        return DF_E_NOMEM;
    for (size_t i = 0; i < g->n; i++)
        map[i] = NONE_IDX;
    for (size_t i = 0; i < g->n; i++) {
        const df_entry *e = ent(g, i);
        ssize_t t = -1;
        if (dfi_et_is(e, DFI_ET_TABLE_DATA) && e->ndeps > 0)
            t = dfi_find_index(g->r, e->deps[0]);
        else if (dfi_et_is(e, DFI_ET_MATERIALIZED_VIEW_DATA))
            t = (ssize_t)first_required(g, i, DFI_ET_MATERIALIZED_VIEW);
        if (t >= 0)
            map[t] = i;
    }
    *out = map;
    return DF_OK;
}

/* before = requires + "a post-data entry on a table comes after its data" (§12.1). */
static int build_before(df_graph *g, const size_t *data_of)
{
    int rc = DF_OK;

    for (size_t i = 0; i < g->n && rc == DF_OK; i++) {
        const idx_vec *a = &g->req[i];
        for (size_t k = 0; k < a->n && rc == DF_OK; k++)
            rc = vec_push(&g->bef[i], a->v[k]);
        if (ent(g, i)->section != DF_SECTION_POST_DATA)
            continue;
        for (size_t k = 0; k < a->n && rc == DF_OK; k++) {
            size_t d = data_of[a->v[k]];
            if (d != NONE_IDX && d != i && dfi_et_is(ent(g, d), DFI_ET_TABLE_DATA))
                rc = add_unique(&g->bef[i], d);
        }
    }
    return rc;
}

static int graph_fill(df_graph *g)
{
    size_t *data_of = NULL;
    int rc = DF_OK;

    for (size_t i = 0; i < g->n && rc == DF_OK; i++)
        rc = stored_requires(g, i);
    if (rc == DF_OK)
        rc = data_map(g, &data_of);
    for (size_t i = 0; i < g->n && rc == DF_OK; i++)
        rc = implicit_requires(g, i, data_of);
    if (rc == DF_OK) {
        for (size_t i = 0; i < g->n; i++) {
            g->owner[i] = owner_of(g, i);
            g->parent[i] = -1;
        }
        find_partitions(g);
        rc = build_before(g, data_of);
    }
    free(data_of);
    return rc;
}

int df_graph_build(const df_reader *r, df_graph **out, df_error *err)
{
    df_graph *g = calloc(1, sizeof *g);
    size_t n = r->nentries;
    int rc;

    *out = NULL;
    if (g == NULL)
        return err ? dfi_fail(err, DF_E_NOMEM, -1, "out of memory") : DF_E_NOMEM;
    g->r = r;
    g->n = n;
    g->req = calloc(n ? n : 1, sizeof *g->req);
    g->bef = calloc(n ? n : 1, sizeof *g->bef);
    g->owner = calloc(n ? n : 1, sizeof *g->owner);
    g->parent = calloc(n ? n : 1, sizeof *g->parent);
    rc = g->req && g->bef && g->owner && g->parent ? graph_fill(g) : DF_E_NOMEM;
    if (rc != DF_OK) {
        df_graph_free(g);
        return err ? dfi_fail(err, rc, -1, "out of memory") : rc;
    }
    *out = g;
    return DF_OK;
}

void df_graph_free(df_graph *g)
{
    if (g == NULL)
        return;
    for (size_t i = 0; g->req && i < g->n; i++)
        free(g->req[i].v);
    for (size_t i = 0; g->bef && i < g->n; i++)
        free(g->bef[i].v);
    free(g->req);
    free(g->bef);
    free(g->owner);
    free(g->parent);
    free(g);
}

size_t df_graph_requires(const df_graph *g, size_t i, const size_t **list)
{
    *list = i < g->n ? g->req[i].v : NULL;
    return i < g->n ? g->req[i].n : 0;
}

size_t df_graph_before(const df_graph *g, size_t i, const size_t **list)
{
    *list = i < g->n ? g->bef[i].v : NULL;
    return i < g->n ? g->bef[i].n : 0;
}

int64_t df_graph_owner(const df_graph *g, size_t i)
{
    return i < g->n ? g->owner[i] : -1;
}

int64_t df_graph_partition_parent(const df_graph *g, size_t i)
{
    return i < g->n ? g->parent[i] : -1;
}

/* ------------------------------------------------------------------ */
/* Selection                                                            */
/* ------------------------------------------------------------------ */

/* Reasons are few and repeat: each distinct text is stored once. */
typedef struct reason_pool {
    char **text;
    size_t n, cap;
} reason_pool;

struct df_selection {
    size_t n;
    unsigned char *pick;
    uint32_t *reason; /* 0 = none, else 1 + index into pool */
    reason_pool pool;
    size_t count;
};

/* Work state of one df_select call. */
typedef struct sel_run {
    const df_reader *r;
    const df_graph *g;
    const df_select_options *o;
    df_selection *s;
    int *reqs;            /* pg_restore's bits under -C / version */
    unsigned char *in;    /* in the list */
    unsigned char *whole; /* members of this object are wanted (selected objects) */
    unsigned char *ex;    /* excluded on purpose */
    int64_t *blocked;     /* relation that kept a dependent out, or -1 */
    unsigned *stamp;      /* DFS marks */
    unsigned cur_stamp;
    idx_vec stack;
} sel_run;

static int reason_intern(df_selection *s, const char *text, uint32_t *id)
{
    for (size_t k = s->pool.n; k-- > 0;)
        if (strcmp(s->pool.text[k], text) == 0) {
            *id = (uint32_t)k + 1;
            return DF_OK;
        }
    if (s->pool.n == s->pool.cap) {
        size_t ncap = s->pool.cap ? s->pool.cap * 2 : 16;
        char **nt = realloc(s->pool.text, ncap * sizeof *nt);
        if (nt == NULL)
            return DF_E_NOMEM;
        s->pool.text = nt;
        s->pool.cap = ncap;
    }
    if ((s->pool.text[s->pool.n] = strdup(text)) == NULL)
        return DF_E_NOMEM;
    *id = (uint32_t)++s->pool.n;
    return DF_OK;
}

static int set_reason(df_selection *s, size_t i, const char *text)
{
    return reason_intern(s, text, &s->reason[i]);
}

/* "TABLE sales.customers" for reasons. */
static void object_name(const df_entry *e, char *buf, size_t n)
{
    snprintf(buf, n, "%s %s%s%s", e->desc ? e->desc : "?", e->schema ? e->schema : "",
             e->schema ? "." : "", e->tag ? e->tag : "");
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

static bool in_names(const char *s, const char *const *list, size_t n)
{
    for (size_t k = 0; s != NULL && k < n; k++)
        if (strcmp(s, list[k]) == 0)
            return true;
    return false;
}

static bool in_types(const df_entry *e, const char *const *list, size_t n)
{
    for (size_t k = 0; e->desc != NULL && k < n; k++)
        if (strcasecmp(e->desc, list[k]) == 0)
            return true;
    return false;
}

static bool listable(const sel_run *x, size_t i)
{
    return (x->reqs[i] & (DF_REQ_SCHEMA | DF_REQ_DATA | DF_REQ_STATS)) != 0;
}

/* -N and --exclude-table on the entry itself; returns the reason or NULL. */
static const char *own_exclusion(const sel_run *x, const df_entry *e, char *buf, size_t n)
{
    const df_select_options *o = x->o;

    if (in_names(e->schema, o->exclude_schemas, o->nexclude_schemas)) {
        snprintf(buf, n, "excluded: -N %s", e->schema);
        return buf;
    }
    if (dfi_et_is(e, DFI_ET_SCHEMA) && in_names(e->tag, o->exclude_schemas, o->nexclude_schemas)) {
        snprintf(buf, n, "excluded: -N %s", e->tag);
        return buf;
    }
    if (is_tablelike(e) && in_names(e->tag, o->exclude_tables, o->nexclude_tables)) {
        snprintf(buf, n, "excluded: --exclude-table %s", e->tag);
        return buf;
    }
    return NULL;
}

/* The excluded object up i's owner / partition chain, or -1. */
static int64_t excluded_ancestor(const sel_run *x, size_t i)
{
    int64_t k = (int64_t)i;

    for (int depth = 0; k >= 0 && depth < 16; depth++) {
        if (x->ex[k])
            return k;
        int64_t up = x->g->owner[k] >= 0 ? x->g->owner[k] : x->g->parent[k];
        k = up;
    }
    return -1;
}

static int mark_exclusions(sel_run *x)
{
    char buf[512];
    int rc = DF_OK;

    for (size_t i = 0; i < x->s->n && rc == DF_OK; i++) {
        const char *why = own_exclusion(x, &x->r->entries[i], buf, sizeof buf);
        if (why != NULL && listable(x, i)) {
            x->ex[i] = 1;
            rc = set_reason(x->s, i, why);
        }
    }
    /* what belongs to an excluded object goes with it */
    for (size_t i = 0; i < x->s->n && rc == DF_OK; i++) {
        int64_t a = x->ex[i] || !listable(x, i) ? -1 : excluded_ancestor(x, i);
        if (a >= 0) {
            x->ex[i] = 1;
            x->s->reason[i] = x->s->reason[a];
        }
    }
    return rc;
}

static bool names_given(const df_select_options *o)
{
    return o->ntables || o->nindexes || o->nfunctions || o->ntriggers;
}

/* Does entry e match -n / -t / -I / -P / trigger / --type? */
static bool matches_patterns(const df_select_options *o, const df_entry *e)
{
    bool match = true;

    if (o->nschemas > 0 && !in_names(e->schema, o->schemas, o->nschemas))
        return false;
    if (names_given(o))
        match = (is_tablelike(e) && in_names(e->tag, o->tables, o->ntables)) ||
                (dfi_et_is(e, DFI_ET_INDEX) && in_names(e->tag, o->indexes, o->nindexes)) ||
                (is_function_like(e) && in_names(e->tag, o->functions, o->nfunctions)) ||
                (dfi_et_is(e, DFI_ET_TRIGGER) && in_names(e->tag, o->triggers, o->ntriggers));
    if (o->ntypes > 0)
        match = match && in_types(e, o->types, o->ntypes);
    return match;
}

/* ---- names that match nothing (pg_restore --strict-names) ---- */

/* Does some entry of r carry name in the slot of option kind k (with -n, in those schemas)? */
enum { UM_TABLE, UM_INDEX, UM_FUNCTION, UM_TRIGGER };

static bool name_kind_matches(const df_entry *e, int k, const char *name)
{
    switch (k) {
    case UM_TABLE: return is_tablelike(e) && str_eq(e->tag, name);
    case UM_INDEX: return dfi_et_is(e, DFI_ET_INDEX) && str_eq(e->tag, name);
    case UM_FUNCTION: return is_function_like(e) && str_eq(e->tag, name);
    default: return dfi_et_is(e, DFI_ET_TRIGGER) && str_eq(e->tag, name);
    }
}

static bool name_found(const df_reader *r, const df_select_options *o, int k, const char *name)
{
    /* The name first: testing the schema list on every entry made -t times -n times entries. */
    for (size_t i = 0; i < r->nentries; i++) {
        const df_entry *e = &r->entries[i];
        if (name_kind_matches(e, k, name) &&
            (o->nschemas == 0 || in_names(e->schema, o->schemas, o->nschemas)))
            return true;
    }
    return false;
}

/* A schema exists when an entry lies in it or is it (an empty schema has only its SCHEMA). */
static bool schema_found(const df_reader *r, const char *name)
{
    for (size_t i = 0; i < r->nentries; i++) {
        const df_entry *e = &r->entries[i];
        if (str_eq(e->schema, name) || (dfi_et_is(e, DFI_ET_SCHEMA) && str_eq(e->tag, name)))
            return true;
    }
    return false;
}

/* A type matches when an entry of that type also matches the name patterns. */
static bool type_found(const df_reader *r, const df_select_options *o, const char *type)
{
    df_select_options names = *o;

    names.ntypes = 0;
    for (size_t i = 0; i < r->nentries; i++) {
        const df_entry *e = &r->entries[i];
        if (e->desc != NULL && strcasecmp(e->desc, type) == 0 && matches_patterns(&names, e))
            return true;
    }
    return false;
}

static void note_unmatched(df_unmatched *out, size_t max, size_t *n, const char *option,
                           const char *kind, const char *name)
{
    if (*n < max)
        out[*n] = (df_unmatched){option, kind, name};
    (*n)++;
}

static size_t unmatched(const df_reader *r, const df_select_options *o, df_unmatched *out,
                        size_t max)
{
    static const struct {
        const char *option, *kind;
    } slot[] = {{"-t", "table"}, {"-I", "index"}, {"-P", "function"}, {"-T", "trigger"}};
    const char *const *lists[] = {o->tables, o->indexes, o->functions, o->triggers};
    size_t counts[] = {o->ntables, o->nindexes, o->nfunctions, o->ntriggers};
    size_t n = 0;

    for (size_t k = 0; k < o->nschemas; k++)
        if (!schema_found(r, o->schemas[k]))
            note_unmatched(out, max, &n, "-n", "schema", o->schemas[k]);
    for (int s = UM_TABLE; s <= UM_TRIGGER; s++)
        for (size_t k = 0; k < counts[s]; k++)
            if (!name_found(r, o, s, lists[s][k]))
                note_unmatched(out, max, &n, slot[s].option, slot[s].kind, lists[s][k]);
    for (size_t k = 0; k < o->ntypes; k++)
        if (!type_found(r, o, o->types[k]))
            note_unmatched(out, max, &n, "--type", "entry type", o->types[k]);
    return n;
}

/* The caller's options (NULL: defaults) into *o, fields of an older caller defaulted. */
static int take_options(const df_select_options *opt, df_select_options *o, df_error *err)
{
    df_select_options_default(o);
    return dfi_options_take(o, sizeof *o, opt, "df_select_options", err);
}

int df_select_unmatched(const df_reader *r, const df_select_options *opt, df_unmatched *out,
                        size_t max, size_t *count, df_error *err)
{
    df_select_options o;
    int rc;

    if (r == NULL || count == NULL || (out == NULL && max > 0))
        return dfi_fail(err, DF_E_USAGE, -1, "df_select_unmatched needs a reader and a count");
    *count = 0;
    if ((rc = take_options(opt, &o, err)) != DF_OK)
        return rc;
    *count = unmatched(r, &o, out, max);
    return DF_OK;
}

static void include(sel_run *x, size_t i, int pick)
{
    x->in[i] = 1;
    x->s->pick[i] = (unsigned char)pick;
}

/*
 * pg_restore -C restores DATABASE and DATABASE PROPERTIES whatever else it
 * is told (-n, -t, -L, --section, -a: _tocEntryRequired returns before
 * looking); comments, ACLs and labels on the database follow -C, not the
 * names.
 */
static bool is_database(const df_entry *e)
{
    return dfi_ek_is(e, DFI_EK_DATABASE);
}

static bool database_meta(const df_entry *e)
{
    return dfi_ek_is(e, DFI_EK_OBJMETA) && e->tag != NULL && strncmp(e->tag, "DATABASE ", 9) == 0;
}

static bool created_anyway(const sel_run *x, size_t i, bool from_list)
{
    const df_entry *e = &x->r->entries[i];

    return x->o->create_db && listable(x, i) && !x->ex[i] &&
           (is_database(e) || (!from_list && database_meta(e)));
}

static void seed(sel_run *x, const size_t *seeds, size_t nseeds)
{
    for (size_t i = 0; i < x->s->n; i++)
        if (created_anyway(x, i, seeds != NULL))
            include(x, i, DF_PICK_SELECTED);
    if (seeds != NULL) {
        for (size_t k = 0; k < nseeds; k++) {
            size_t i = seeds[k];
            if (i < x->s->n && listable(x, i) && !x->ex[i])
                include(x, i, DF_PICK_SELECTED);
        }
    } else {
        for (size_t i = 0; i < x->s->n; i++)
            if (listable(x, i) && !x->ex[i] && matches_patterns(x->o, &x->r->entries[i]))
                include(x, i, DF_PICK_SELECTED);
    }
    for (size_t i = 0; i < x->s->n; i++)
        x->whole[i] = x->in[i];
}

/* May i be added to the list at all? */
static bool addable(const sel_run *x, size_t i)
{
    return !x->in[i] && !x->ex[i] && listable(x, i);
}

/* Add everything i needs, transitively, as REQUIRED. */
static int add_requirements(sel_run *x, size_t i)
{
    int rc;

    x->stack.n = 0;
    if ((rc = vec_push(&x->stack, i)) != DF_OK)
        return rc;
    while (x->stack.n > 0) {
        const size_t *req;
        size_t k = x->stack.v[--x->stack.n];
        size_t nreq = df_graph_requires(x->g, k, &req);

        for (size_t m = 0; m < nreq; m++) {
            if (!addable(x, req[m]))
                continue;
            include(x, req[m], DF_PICK_REQUIRED);
            if ((rc = vec_push(&x->stack, req[m])) != DF_OK)
                return rc;
        }
    }
    return DF_OK;
}

static int close_requirements(sel_run *x)
{
    int rc = DF_OK;

    if (!x->o->with_requirements)
        return DF_OK;
    for (size_t i = 0; i < x->s->n && rc == DF_OK; i++)
        if (x->in[i])
            rc = add_requirements(x, i);
    return rc;
}

/*
 * A relation outside the list that adding i would need (through any chain
 * of requirements not yet listed), or -1.  Excluded entries count as
 * present: the user said they exist already.
 */
static int64_t blocking_relation(sel_run *x, size_t i, int *rc)
{
    unsigned st = ++x->cur_stamp;

    x->stack.n = 0;
    if ((*rc = vec_push(&x->stack, i)) != DF_OK)
        return -1;
    while (x->stack.n > 0) {
        const size_t *req;
        size_t k = x->stack.v[--x->stack.n];
        size_t nreq = df_graph_requires(x->g, k, &req);

        for (size_t m = 0; m < nreq; m++) {
            size_t d = req[m];
            if (!addable(x, d) || x->stamp[d] == st)
                continue;
            x->stamp[d] = st;
            if (is_relation(&x->r->entries[d]))
                return (int64_t)d;
            if ((*rc = vec_push(&x->stack, d)) != DF_OK)
                return -1;
        }
    }
    return -1;
}

/* Partitions of wanted tables are wanted (their rows are the table's rows). */
static bool add_partitions(sel_run *x)
{
    bool changed = false;

    for (size_t i = 0; i < x->s->n; i++) {
        int64_t p = x->g->parent[i];
        if (p < 0 || !x->whole[p] || x->whole[i] || x->ex[i] || !listable(x, i))
            continue;
        if (!x->in[i])
            include(x, i, DF_PICK_DEPENDENT);
        x->whole[i] = 1;
        changed = true;
    }
    return changed;
}

/* Is i a dependent to add now: a member of a wanted object or an attribute of a listed one? */
static bool wanted_dependent(const sel_run *x, size_t i)
{
    const df_entry *e = &x->r->entries[i];
    int64_t o = x->g->owner[i];

    if (o < 0 || !addable(x, i))
        return false;
    if (is_member_kind(e) && is_relation(&x->r->entries[o]))
        return x->o->with_dependents && x->whole[o];
    if (is_member_kind(e) && (dfi_et_is(e, DFI_ET_BLOBS) || dfi_et_is(e, DFI_ET_SEQUENCE)))
        return x->o->with_dependents && x->whole[o];
    return x->in[o] != 0; /* attributes, and members of domains, indexes ... */
}

/* Try to add dependent i; sets *changed when the list grew. */
static int try_dependent(sel_run *x, size_t i, bool *changed)
{
    int rc = DF_OK;
    int64_t b = x->o->with_requirements ? blocking_relation(x, i, &rc) : -1;

    if (rc != DF_OK)
        return rc;
    if (b >= 0) {
        x->blocked[i] = b;
        if (x->o->with_fk_targets && dfi_et_is(&x->r->entries[i], DFI_ET_FK_CONSTRAINT)) {
            include(x, (size_t)b, DF_PICK_REQUIRED);
            x->whole[b] = 1;
            *changed = true;
        }
        return DF_OK;
    }
    x->blocked[i] = -1;
    include(x, i, DF_PICK_DEPENDENT);
    *changed = true;
    return x->o->with_requirements ? add_requirements(x, i) : DF_OK;
}

/*
 * Materialized view data are a REFRESH: the relations the view reads must have their rows,
 * partitions included, so they are wanted whole.
 */
static bool add_refresh_sources(sel_run *x)
{
    bool changed = false;

    for (size_t i = 0; i < x->s->n; i++) {
        const size_t *req;
        size_t nreq;
        int64_t mv = x->g->owner[i];

        if (!x->in[i] || !dfi_et_is(&x->r->entries[i], DFI_ET_MATERIALIZED_VIEW_DATA) || mv < 0)
            continue;
        nreq = df_graph_requires(x->g, (size_t)mv, &req);
        for (size_t k = 0; k < nreq; k++) {
            size_t t = req[k];
            if (!is_relation(&x->r->entries[t]) || x->whole[t] || x->ex[t] || !listable(x, t))
                continue;
            if (!x->in[t])
                include(x, t, DF_PICK_REQUIRED);
            x->whole[t] = 1;
            changed = true;
        }
    }
    return changed;
}

static int close_dependents(sel_run *x, bool *changed)
{
    int rc = DF_OK;

    if (x->o->with_requirements && add_refresh_sources(x))
        *changed = true;
    if (x->o->with_dependents && add_partitions(x))
        *changed = true;
    for (size_t i = 0; i < x->s->n && rc == DF_OK; i++)
        if (wanted_dependent(x, i))
            rc = try_dependent(x, i, changed);
    return rc;
}

static int close_selection(sel_run *x)
{
    bool changed = true;
    int rc = DF_OK;

    while (changed && rc == DF_OK) {
        changed = false;
        rc = close_requirements(x);
        if (rc == DF_OK)
            rc = close_dependents(x, &changed);
    }
    return rc;
}

/* ---- filters that apply after the closure ---- */

static const char *section_word(int section)
{
    switch (section) {
    case DF_SECTION_PRE_DATA: return "pre-data";
    case DF_SECTION_DATA: return "data";
    case DF_SECTION_POST_DATA: return "post-data";
    default: return "none";
    }
}

static int section_bit(int section)
{
    switch (section) {
    case DF_SECTION_PRE_DATA: return DF_SEL_PRE_DATA;
    case DF_SECTION_DATA: return DF_SEL_DATA;
    case DF_SECTION_POST_DATA: return DF_SEL_POST_DATA;
    default: return 0;
    }
}

/* The reason a filter drops entry i (section as pg_restore sees it), or NULL. */
static const char *filter_reason(const sel_run *x, size_t i, int cur_section, char *buf, size_t n)
{
    const df_select_options *o = x->o;
    int reqs = x->reqs[i];

    if (o->create_db && is_database(&x->r->entries[i]))
        return NULL; /* see created_anyway() */
    if (o->sections != 0 && (o->sections & section_bit(cur_section)) == 0) {
        snprintf(buf, n, "excluded: --section (entry is %s)", section_word(cur_section));
        return buf;
    }
    if (o->schema_only && (reqs & DF_REQ_SCHEMA) == 0)
        return "excluded: --schema-only";
    if (o->data_only && (reqs & DF_REQ_DATA) == 0)
        return "excluded: --data-only";
    return NULL;
}

static int apply_filters(sel_run *x)
{
    int cur = DF_SECTION_PRE_DATA, rc = DF_OK;
    char buf[128];

    for (size_t i = 0; i < x->s->n && rc == DF_OK; i++) {
        const df_entry *e = &x->r->entries[i];
        const char *why;

        if (e->section != DF_SECTION_NONE)
            cur = e->section;
        if (!x->in[i] || (why = filter_reason(x, i, cur, buf, sizeof buf)) == NULL)
            continue;
        x->in[i] = 0;
        x->ex[i] = 1;
        x->s->pick[i] = DF_PICK_EXCLUDED;
        rc = set_reason(x->s, i, why);
    }
    return rc;
}

/* Reasons for everything left out. */
static int explain_outside(sel_run *x)
{
    char buf[600], name[500];
    int rc = DF_OK;

    for (size_t i = 0; i < x->s->n && rc == DF_OK; i++) {
        int64_t o = x->g->owner[i];

        if (x->in[i] || !listable(x, i) || x->s->pick[i] == DF_PICK_EXCLUDED)
            continue;
        if (x->ex[i]) {
            x->s->pick[i] = DF_PICK_EXCLUDED;
            continue;
        }
        if (x->blocked[i] >= 0) {
            object_name(&x->r->entries[x->blocked[i]], name, sizeof name);
            snprintf(buf, sizeof buf, "excluded: needs %s%s", name,
                     dfi_et_is(&x->r->entries[i], DFI_ET_FK_CONSTRAINT) ? ", add --with-fk-targets"
                                                                        : "");
            x->s->pick[i] = DF_PICK_EXCLUDED;
        } else if (o >= 0 && is_member_kind(&x->r->entries[i])) {
            object_name(&x->r->entries[o], name, sizeof name);
            snprintf(buf, sizeof buf, "not selected: belongs to %s", name);
        } else {
            snprintf(buf, sizeof buf, "not selected");
        }
        rc = set_reason(x->s, i, buf);
    }
    return rc;
}

static void free_run(sel_run *x)
{
    free(x->reqs);
    free(x->in);
    free(x->whole);
    free(x->ex);
    free(x->blocked);
    free(x->stamp);
    free(x->stack.v);
}

static int alloc_run(sel_run *x, size_t n)
{
    size_t m = n ? n : 1;

    x->reqs = calloc(m, sizeof *x->reqs);
    x->in = calloc(m, 1);
    x->whole = calloc(m, 1);
    x->ex = calloc(m, 1);
    x->blocked = malloc(m * sizeof *x->blocked);
    x->stamp = calloc(m, sizeof *x->stamp);
    x->s->pick = calloc(m, 1);
    x->s->reason = calloc(m, sizeof *x->s->reason);
    if (!x->reqs || !x->in || !x->whole || !x->ex || !x->blocked || !x->stamp || !x->s->pick ||
        !x->s->reason)
        return DF_E_NOMEM;
    for (size_t i = 0; i < n; i++)
        x->blocked[i] = -1;
    return DF_OK;
}

static void restore_bits(sel_run *x)
{
    df_list_options lo;

    df_list_options_default(&lo);
    lo.create_db = x->o->create_db;
    lo.pg_restore_version = x->o->pg_restore_version;
    (void)df_restore_reqs(x->r, &lo, x->reqs, NULL); /* fails only on misuse */
}

static int run_select(sel_run *x, const size_t *seeds, size_t nseeds)
{
    int rc;

    restore_bits(x);
    for (size_t i = 0; i < x->s->n; i++)
        x->s->pick[i] = listable(x, i) ? DF_PICK_OUTSIDE : DF_PICK_HIDDEN;
    if ((rc = mark_exclusions(x)) != DF_OK)
        return rc;
    seed(x, seeds, nseeds);
    if ((rc = close_selection(x)) != DF_OK)
        return rc;
    if ((rc = apply_filters(x)) != DF_OK)
        return rc;
    if ((rc = explain_outside(x)) != DF_OK)
        return rc;
    for (size_t i = 0; i < x->s->n; i++)
        x->s->count += x->in[i];
    return DF_OK;
}

void df_select_options_default(df_select_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->with_requirements = 1;
    o->with_dependents = 1;
}

int df_select(const df_reader *r, const df_graph *g, const df_select_options *o,
              const size_t *seeds, size_t nseeds, df_selection **out, df_error *err)
{
    df_select_options opts;
    sel_run x;
    int rc;

    if (out == NULL || r == NULL)
        return dfi_fail(err, DF_E_USAGE, -1, "df_select needs a reader and a result pointer");
    *out = NULL;
    if ((rc = take_options(o, &opts, err)) != DF_OK)
        return rc;
    o = &opts;
    memset(&x, 0, sizeof x);
    x.r = r;
    x.g = g;
    x.o = o;
    x.s = calloc(1, sizeof *x.s);
    if (x.s == NULL)
        return err ? dfi_fail(err, DF_E_NOMEM, -1, "out of memory") : DF_E_NOMEM;
    x.s->n = r->nentries;
    rc = alloc_run(&x, x.s->n);
    if (rc == DF_OK)
        rc = run_select(&x, seeds, nseeds);
    free_run(&x);
    if (rc != DF_OK) {
        df_selection_free(x.s);
        return err ? dfi_fail(err, rc, -1, "out of memory") : rc;
    }
    *out = x.s;
    return DF_OK;
}

int df_selection_pick(const df_selection *s, size_t i)
{
    return i < s->n ? s->pick[i] : DF_PICK_HIDDEN;
}

int df_selection_included(const df_selection *s, size_t i)
{
    int p = df_selection_pick(s, i);

    return p == DF_PICK_SELECTED || p == DF_PICK_REQUIRED || p == DF_PICK_DEPENDENT;
}

const char *df_selection_reason(const df_selection *s, size_t i)
{
    if (i >= s->n || df_selection_included(s, i) || s->reason[i] == 0)
        return NULL;
    return s->pool.text[s->reason[i] - 1];
}

int dfi_selection_exclude(df_selection *s, size_t i, const char *reason)
{
    if (i >= s->n)
        return DF_E_USAGE;
    if (df_selection_included(s, i))
        s->count--;
    s->pick[i] = DF_PICK_EXCLUDED;
    return set_reason(s, i, reason);
}

size_t df_selection_count(const df_selection *s)
{
    return s->count;
}

void df_selection_free(df_selection *s)
{
    if (s == NULL)
        return;
    for (size_t k = 0; k < s->pool.n; k++)
        free(s->pool.text[k]);
    free(s->pool.text);
    free(s->pick);
    free(s->reason);
    free(s);
}
