/*
 * plaindeps.c — a plain script's entries as an archive's TOC (issue 14):
 * what a converter writes for each entry the plain reader found, with the
 * session state the script set around it (owner, tablespace, table access
 * method, search_path) and the dependencies pg_dump kept in the archive
 * but printed nowhere in the script, reconstructed from the entry texts.
 *
 * Dependencies are built in script order and only ever point backwards,
 * so the graph has no cycle.  They come from names: every qualified name
 * (or, in scripts of pg_dump < 10.3, every name on the search_path the
 * script set) an entry's text uses that is an earlier entry's object;
 * data on their object (TABLE DATA, SEQUENCE SET, MATERIALIZED VIEW DATA;
 * the latter also on the data of every table it reads); comments, ACLs
 * and security labels on the object their tag names; a foreign key also
 * on the indexes and constraints of the table it references; ATTACH
 * PARTITION and OWNED BY make the child or sequence depend on the parent
 * or table (pg_dump records these, the texts print them only later).  An
 * entry of a type this file does not know depends on everything before it
 * in its section, through the entries nothing later in the section
 * depends on yet (the frontier): every earlier entry reaches one of them.
 */
#include "plaindeps.h"

#include <stdlib.h>
#include <string.h>

/* Views looked through for the tables a materialized view reads. */
#define MV_DEPTH_MAX 32

typedef struct depv {
    size_t *v;
    size_t n, cap;
} depv;

/* What is kept per output entry while building. */
typedef struct pinfo {
    depv deps;         /* indices into the output list, all smaller */
    size_t table;      /* post-data: the table (or view) it is on; NONE */
    size_t data;       /* TABLE, MATERIALIZED VIEW, SEQUENCE: its data entry; NONE */
    size_t owner_tab;  /* SEQUENCE: the table it is owned by; NONE */
    size_t post_head;  /* TABLE: first post-data entry on it (a list through post_next) */
    size_t post_next;
    bool covered;      /* a later entry of the same section depends on it */
    bool reads_all;    /* MATERIALIZED VIEW: its query calls functions (may read anything) */
    size_t seen;       /* looked through for materialized view data entry seen - 1 */
} pinfo;

typedef struct knode {
    char *key;
    size_t idx;
    struct knode *next;
} knode;

/* The large objects a BLOB METADATA entry creates: its tag "first..last" (or one oid). */
typedef struct blob_range {
    unsigned long long lo, hi, maxhi; /* maxhi: the largest hi up to this one, once sorted */
    size_t idx;
} blob_range;

typedef struct bstate {
    df_reader *r;
    df_plain_toc *t;
    pinfo *info;
    knode **slots;
    size_t nslots;
    size_t *frontier[5]; /* per section: entries not covered yet */
    size_t nfront[5], capfront[5];
    size_t *ext;         /* EXTENSION entries so far */
    size_t next, capext;
    size_t cur;          /* the entry being built */
    size_t *mark;        /* mark[j] == cur + 1: cur depends on j already */
    size_t *refmark;     /* refmark[j] == cur + 1: cur's text named j already */
    size_t *datav;       /* TABLE DATA and MATERIALIZED VIEW DATA entries so far */
    size_t ndata, capdata;
    struct blob_range *blobs; /* BLOB METADATA entries so far (pg_dump 17+) */
    size_t nblobs, capblobs;
    bool blobs_sorted;
    const char *search_path; /* pg_dump < 10.3: the schemas the entry's names resolve in */
    bool std_strings;
    int64_t fallback, rules;
} bstate;

static int nomem(df_reader *r)
{
    return dfi_fail(&r->err, DF_E_NOMEM, -1, "out of memory");
}

static bool desc_in(const char *d, const char *const *list)
{
    for (; *list; list++)
        if (streq(d, *list))
            return true;
    return false;
}

static const char *const table_descs[] = {"TABLE", "FOREIGN TABLE", "MATERIALIZED VIEW", "VIEW",
                                          NULL};
static const char *const function_descs[] = {"FUNCTION", "PROCEDURE", "AGGREGATE", NULL};
static const char *const index_descs[] = {"INDEX", "CONSTRAINT", NULL};
static const char *const about_descs[] = {"COMMENT", "ACL", "SECURITY LABEL", "ACL LANGUAGE",
                                          NULL};
/* Types whose texts name what they need (or that need nothing): no fallback for them. */
static const char *const known_descs[] = {
    "SCHEMA", "EXTENSION", "TYPE", "DOMAIN", "SHELL TYPE", "FUNCTION", "PROCEDURE", "AGGREGATE",
    "TABLE", "VIEW", "MATERIALIZED VIEW", "SEQUENCE", "SEQUENCE OWNED BY", "DEFAULT",
    "TABLE ATTACH", "FOREIGN TABLE", "INDEX", "CONSTRAINT", "CHECK CONSTRAINT", "FK CONSTRAINT",
    "TRIGGER", "RULE", "POLICY", "ROW SECURITY", "INDEX ATTACH", "COMMENT", "ACL",
    "SECURITY LABEL", "TABLE DATA", "SEQUENCE SET", "MATERIALIZED VIEW DATA", "BLOB", "BLOBS",
    "BLOB METADATA", "BLOB COMMENTS", "DEFAULT ACL", "DATABASE", "DATABASE PROPERTIES",
    "COLLATION", "CAST", "OPERATOR", "OPERATOR CLASS", "OPERATOR FAMILY", "CONVERSION",
    "TEXT SEARCH CONFIGURATION", "TEXT SEARCH DICTIONARY", "TEXT SEARCH PARSER",
    "TEXT SEARCH TEMPLATE", "STATISTICS", "EVENT TRIGGER", "PROCEDURAL LANGUAGE",
    "FOREIGN DATA WRAPPER", "SERVER", "USER MAPPING", "PUBLICATION", "PUBLICATION TABLE",
    "PUBLICATION TABLES IN SCHEMA", "SUBSCRIPTION", "SUBSCRIPTION TABLE", "ACCESS METHOD",
    "TRANSFORM", "STATISTICS DATA", "ENCODING", "STDSTRINGS", "SEARCHPATH", NULL};

/* ------------------------------------------------------------ strings */

static char *pool_add(bstate *b, char *s)
{
    df_plain_toc *t = b->t;

    if (s == NULL)
        return NULL;
    if (t->npool == t->cap_pool) {
        size_t cap = t->cap_pool ? t->cap_pool * 2 : 32;
        char **g = realloc(t->pool, cap * sizeof *g);
        if (g == NULL) {
            free(s);
            return NULL;
        }
        t->pool = g;
        t->cap_pool = cap;
    }
    t->pool[t->npool++] = s;
    return s;
}

static char *pool_dup(bstate *b, const char *s, size_t n)
{
    char *p = malloc(n + 1);

    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return pool_add(b, p);
}

/* ------------------------------------------------------------ the name table */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* "<class>\x1f<a>\x1f<b>": class 'o' objects by (schema, name), 't' entries by (desc, schema, tag). */
static char *make_key(char cls, const char *a, const char *b, const char *c)
{
    size_t na = a ? strlen(a) : 0, nb = b ? strlen(b) : 0, nc = c ? strlen(c) : 0;
    char *k = malloc(na + nb + nc + 6);

    if (k == NULL)
        return NULL;
    k[0] = cls;
    k[1] = '\x1f';
    memcpy(k + 2, a ? a : "", na);
    k[2 + na] = '\x1f';
    memcpy(k + 3 + na, b ? b : "", nb);
    k[3 + na + nb] = '\x1f';
    memcpy(k + 4 + na + nb, c ? c : "", nc);
    k[4 + na + nb + nc] = '\0';
    return k;
}

static int key_add(bstate *b, char *key, size_t idx)
{
    knode *kn;
    size_t h;

    if (key == NULL || (kn = malloc(sizeof *kn)) == NULL) {
        free(key);
        return nomem(b->r);
    }
    h = hash_str(key) & (b->nslots - 1);
    kn->key = key;
    kn->idx = idx;
    kn->next = b->slots[h];
    b->slots[h] = kn;
    return DF_OK;
}

typedef int (*visit_fn)(bstate *b, size_t idx, void *ctx);

/* Call fn for every entry filed under the key (built entries only: all are before b->cur). */
static int key_visit(bstate *b, const char *key, visit_fn fn, void *ctx)
{
    for (const knode *kn = b->slots[hash_str(key) & (b->nslots - 1)]; kn; kn = kn->next)
        if (strcmp(kn->key, key) == 0) {
            int rc = fn(b, kn->idx, ctx);
            if (rc != DF_OK)
                return rc;
        }
    return DF_OK;
}

static int lookup(bstate *b, char cls, const char *x, const char *y, const char *z, visit_fn fn,
                  void *ctx)
{
    char *k = make_key(cls, x, y, z);
    int rc;

    if (k == NULL)
        return nomem(b->r);
    rc = key_visit(b, k, fn, ctx);
    free(k);
    return rc;
}

/* The first entry filed as (desc, schema, tag), NONE if none. */
static int first_cb(bstate *b, size_t idx, void *ctx)
{
    size_t *out = ctx;

    (void)b;
    if (*out == NONE || idx < *out)
        *out = idx;
    return DF_OK;
}

static size_t find_tag(bstate *b, const char *desc, const char *schema, const char *tag)
{
    size_t out = NONE;

    if (tag == NULL || lookup(b, 't', desc, schema, tag, first_cb, &out) != DF_OK)
        return NONE;
    return out;
}

/* The name an object is referred to by: a function's tag without its argument list. */
static size_t object_name_len(const df_plain_entry *e)
{
    const char *p = e->tag ? strchr(e->tag, '(') : NULL;

    if (p && desc_in(e->desc, function_descs))
        return (size_t)(p - e->tag);
    return e->tag ? strlen(e->tag) : 0;
}

/*
 * Objects outside schemas, named unqualified after a keyword (IN SCHEMA s, SERVER srv,
 * PUBLICATION p ...): the keyword and the entry type of the object.
 */
static const char *const kw_descs[][2] = {
    {"schema", "SCHEMA"},         {"extension", "EXTENSION"},
    {"server", "SERVER"},         {"wrapper", "FOREIGN DATA WRAPPER"},
    {"publication", "PUBLICATION"}, {"subscription", "SUBSCRIPTION"},
    {"language", "PROCEDURAL LANGUAGE"}, {"method", "ACCESS METHOD"},
};

static const char *kw_desc_of(const char *desc)
{
    for (size_t k = 0; k < sizeof kw_descs / sizeof kw_descs[0]; k++)
        if (streq(desc, kw_descs[k][1]))
            return kw_descs[k][0];
    return NULL;
}

static const char *kw_desc(const char *word)
{
    for (size_t k = 0; k < sizeof kw_descs / sizeof kw_descs[0]; k++)
        if (strcmp(word, kw_descs[k][0]) == 0)
            return kw_descs[k][1];
    return NULL;
}

/* File entry i under its names, once it is built (later entries may depend on it). */
static int file_entry(bstate *b, size_t i)
{
    const df_plain_entry *e = &b->t->e[i];
    int rc = key_add(b, make_key('t', e->desc, e->schema, e->tag), i);
    char *name;

    if (rc != DF_OK || e->tag == NULL || desc_in(e->desc, about_descs) ||
        streq(e->desc, "TABLE DATA") || e->section == DF_SECTION_DATA)
        return rc;
    if (e->schema == NULL && kw_desc_of(e->desc) == NULL)
        return DF_OK;
    if ((name = pool_dup(b, e->tag, object_name_len(e))) == NULL)
        return nomem(b->r);
    if (e->schema == NULL)
        return key_add(b, make_key('s', e->desc, NULL, name), i);
    if (streq(e->desc, "CONSTRAINT") && b->info[i].table != NONE) {
        /* "table conname": the index of a constraint is named conname */
        const char *tab = b->t->e[b->info[i].table].tag;
        size_t tl = strlen(tab);
        if (strncmp(e->tag, tab, tl) == 0 && e->tag[tl] == ' ')
            name += tl + 1;
    }
    return key_add(b, make_key('o', e->schema, name, NULL), i);
}

/* ------------------------------------------------------------ dependencies */

static bool has_dep(const depv *d, size_t j)
{
    for (size_t k = 0; k < d->n; k++)
        if (d->v[k] == j)
            return true;
    return false;
}

/* Entry i depends on entry j (only ever backwards). */
static int add_dep_to(bstate *b, size_t i, size_t j)
{
    depv *d = &b->info[i].deps;

    if (j >= i || (i == b->cur ? b->mark[j] == b->cur + 1 : has_dep(d, j)))
        return DF_OK;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        size_t *g = realloc(d->v, cap * sizeof *g);
        if (g == NULL)
            return nomem(b->r);
        d->v = g;
        d->cap = cap;
    }
    if ((int64_t)d->n >= b->r->lim.max_deps)
        return dfi_fail(&b->r->err, DF_E_LIMIT, b->t->e[i].text_offset,
                        "entry has more than %lld dependencies", (long long)b->r->lim.max_deps);
    d->v[d->n++] = j;
    if (i == b->cur)
        b->mark[j] = b->cur + 1;
    if (b->t->e[i].section == b->t->e[j].section)
        b->info[j].covered = true;
    return DF_OK;
}

static int dep_cb(bstate *b, size_t idx, void *ctx)
{
    (void)ctx;
    return add_dep_to(b, b->cur, idx);
}

/* Depend on every entry of `section` before the current one (through the frontier). */
static int depend_on_section(bstate *b, int section)
{
    size_t k = 0;
    int rc;

    for (size_t f = 0; f < b->nfront[section]; f++) {
        size_t j = b->frontier[section][f];
        if (b->info[j].covered) /* reached through the later entry that depends on it */
            continue;
        if ((rc = add_dep_to(b, b->cur, j)) != DF_OK)
            return rc;
        b->fallback++;
        b->frontier[section][k++] = j;
    }
    b->nfront[section] = k;
    return DF_OK;
}

static int push_frontier(bstate *b, size_t i)
{
    int s = b->t->e[i].section;

    if (s < 0 || s > 4)
        s = 0;
    if (b->nfront[s] == b->capfront[s]) {
        size_t cap = b->capfront[s] ? b->capfront[s] * 2 : 64;
        size_t *g = realloc(b->frontier[s], cap * sizeof *g);
        if (g == NULL)
            return nomem(b->r);
        b->frontier[s] = g;
        b->capfront[s] = cap;
    }
    b->frontier[s][b->nfront[s]++] = i;
    /* drop the covered ones now and then: the frontier stays near its true size */
    if (b->nfront[s] == b->capfront[s]) {
        size_t k = 0;
        for (size_t f = 0; f < b->nfront[s]; f++)
            if (!b->info[b->frontier[s][f]].covered)
                b->frontier[s][k++] = b->frontier[s][f];
        b->nfront[s] = k;
    }
    return DF_OK;
}

/* ------------------------------------------------------------ names in texts */

/* What a text's names resolved to, for the rules that look at them. */
typedef struct refs {
    size_t *v;
    size_t n, cap;
    size_t *fk; /* tables named after REFERENCES */
    size_t nfk, capfk;
    bool fk_next;
} refs;

/* Append x, known not to be in v yet. */
static int vec_push_new(df_reader *r, size_t **v, size_t *n, size_t *cap, size_t x)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 8;
        size_t *g = realloc(*v, c * sizeof *g);
        if (g == NULL)
            return nomem(r);
        *v = g;
        *cap = c;
    }
    (*v)[(*n)++] = x;
    return DF_OK;
}

/* Append x unless v has it (short vectors only). */
static int vec_push(df_reader *r, size_t **v, size_t *n, size_t *cap, size_t x)
{
    for (size_t k = 0; k < *n; k++)
        if ((*v)[k] == x)
            return DF_OK;
    return vec_push_new(r, v, n, cap, x);
}

typedef struct name_ctx {
    refs *rf;
    bool found;
    bool fk;
} name_ctx;

static int ref_cb(bstate *b, size_t idx, void *ctx)
{
    name_ctx *c = ctx;
    int rc;

    if (idx >= b->cur)
        return DF_OK;
    c->found = true;
    if (b->refmark[idx] != b->cur + 1) {
        b->refmark[idx] = b->cur + 1;
        if ((rc = vec_push_new(b->r, &c->rf->v, &c->rf->n, &c->rf->cap, idx)) != DF_OK)
            return rc;
    }
    if (c->fk && desc_in(b->t->e[idx].desc, table_descs))
        return vec_push(b->r, &c->rf->fk, &c->rf->nfk, &c->rf->capfk, idx);
    return DF_OK;
}

/* A name of one or more parts (a.b.c): the objects it may stand for. */
static int resolve(bstate *b, char parts[][DFI_SQL_NAME_CAP + 1], int np, refs *rf)
{
    name_ctx c = {rf, false, rf->fk_next};
    int rc = DF_OK;

    rf->fk_next = false;
    if (np >= 2) {
        if ((rc = lookup(b, 'o', parts[0], parts[1], NULL, ref_cb, &c)) != DF_OK)
            return rc;
        if (!c.found && np >= 3)
            rc = lookup(b, 'o', parts[1], parts[2], NULL, ref_cb, &c);
        if (c.found || rc != DF_OK || b->search_path == NULL)
            return rc;
        /* pg_dump < 10.3: table.column, the table on the search_path */
    }
    if (b->search_path == NULL)
        return DF_OK;
    /* pg_dump < 10.3: unqualified names resolve on the search_path it set */
    for (const char *p = b->search_path; *p;) {
        const char *e = strstr(p, ", ");
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char *sch = malloc(len + 1);

        if (sch == NULL)
            return nomem(b->r);
        memcpy(sch, p, len);
        sch[len] = '\0';
        rc = strcmp(sch, "pg_catalog") == 0 ? DF_OK
                                             : lookup(b, 'o', sch, parts[0], NULL, ref_cb, &c);
        free(sch);
        if (rc != DF_OK || c.found)
            return rc;
        p = e ? e + 2 : p + len;
    }
    return DF_OK;
}

/* A string cast to a reg* type ('sales.orders'::regclass): the name it holds. */
static int resolve_string(bstate *b, const char *s, size_t n, refs *rf)
{
    char parts[3][DFI_SQL_NAME_CAP + 1];
    dfi_sqlscan sc = {s, s + n, true};
    dfi_sqltok t;
    int np = 0;

    while (np < 3 && dfi_sql_next(&sc, &t) != DFI_SQL_END) {
        if ((t.kind != DFI_SQL_WORD && t.kind != DFI_SQL_IDENT) || t.name_len == 0)
            return DF_OK;
        memcpy(parts[np++], t.name, t.name_len + 1);
        if (dfi_sql_next(&sc, &t) == DFI_SQL_END)
            break;
        if (t.kind != DFI_SQL_PUNCT || t.p[0] != '.')
            return DF_OK;
    }
    return np > 0 ? resolve(b, parts, np, rf) : DF_OK;
}

static bool peek_cast_reg(const dfi_sqlscan *sc)
{
    dfi_sqlscan a = *sc;
    dfi_sqltok t;

    if (dfi_sql_next(&a, &t) != DFI_SQL_PUNCT || t.p[0] != ':' ||
        dfi_sql_next(&a, &t) != DFI_SQL_PUNCT || t.p[0] != ':')
        return false;
    if (dfi_sql_next(&a, &t) == DFI_SQL_WORD && strcmp(t.name, "pg_catalog") == 0 &&
        dfi_sql_next(&a, &t) == DFI_SQL_PUNCT && t.p[0] == '.')
        dfi_sql_next(&a, &t);
    return t.kind == DFI_SQL_WORD && strncmp(t.name, "reg", 3) == 0;
}

/* Every name the text uses that is an earlier entry's object: into rf. */
static int scan_names(bstate *b, const char *text, refs *rf)
{
    dfi_sqlscan sc = {text, text + strlen(text), b->std_strings};
    char parts[3][DFI_SQL_NAME_CAP + 1];
    dfi_sqltok t;
    int np = 0, rc = DF_OK;
    bool dot = false;
    const char *kw = NULL; /* the type of the object a keyword before this token names */

    while (rc == DF_OK) {
        dfi_sql_next(&sc, &t);
        if (np > 0 && !(t.kind == DFI_SQL_PUNCT && t.p[0] == '.' && np < 3) && !dot) {
            rc = resolve(b, parts, np, rf);
            np = 0;
            if (rc != DF_OK)
                break;
        }
        if (t.kind == DFI_SQL_END)
            break;
        if (t.kind == DFI_SQL_PUNCT && t.p[0] == '.' && np > 0) {
            dot = true;
            continue;
        }
        if (is_name(&t) && np == 0 && t.kind == DFI_SQL_WORD &&
            (is_kw(&t, "references") || kw_desc(t.name) != NULL)) {
            rf->fk_next = is_kw(&t, "references");
            kw = kw_desc(t.name);
            continue;
        }
        if (is_name(&t) && (np == 0 || dot) && np < 3) {
            if (kw && np == 0) /* ... SCHEMA s, SERVER srv ...: that object */
                rc = lookup(b, 's', kw, NULL, t.name, dep_cb, NULL);
            kw = NULL;
            memcpy(parts[np++], t.name, t.name_len + 1);
            dot = false;
            continue;
        }
        dot = false;
        kw = NULL;
        if (t.kind == DFI_SQL_STRING && t.name_len > 0 && peek_cast_reg(&sc))
            rc = resolve_string(b, t.name, t.name_len, rf);
    }
    return rc;
}

/* ------------------------------------------------------------ rules */

static size_t table_of(bstate *b, const refs *rf)
{
    for (size_t k = 0; k < rf->n; k++)
        if (desc_in(b->t->e[rf->v[k]].desc, table_descs))
            return rf->v[k];
    return NONE;
}

/* A post-data entry on table t: listed for the foreign keys that reference t. */
static void note_post(bstate *b, size_t i, size_t tab)
{
    b->info[i].table = tab;
    if (tab != NONE && streq(b->t->e[tab].desc, "TABLE")) {
        b->info[i].post_next = b->info[tab].post_head;
        b->info[tab].post_head = i;
    }
}

/* A foreign key needs the unique indexes of the table it references (and their attachments). */
static int fk_rule(bstate *b, const refs *rf)
{
    int rc = DF_OK;

    for (size_t k = 0; k < rf->nfk && rc == DF_OK; k++)
        for (size_t j = b->info[rf->fk[k]].post_head; j != NONE && rc == DF_OK;
             j = b->info[j].post_next)
            if (desc_in(b->t->e[j].desc, index_descs) || streq(b->t->e[j].desc, "INDEX ATTACH")) {
                rc = add_dep_to(b, b->cur, j);
                b->rules++;
            }
    return rc;
}

/*
 * ATTACH PARTITION (TABLE ATTACH, INDEX ATTACH) and OWNED BY (SEQUENCE
 * OWNED BY): the child, or the sequence, the entry's tag names depends on
 * the other object of that kind the text names, when that one is earlier.
 */
/* Does c (an INDEX, CONSTRAINT "table conname", TABLE or SEQUENCE) carry the name e's tag has? */
static bool is_named_by_tag(const df_plain_entry *c, const df_plain_entry *e)
{
    size_t cl, el;

    if (!streq(c->schema, e->schema) || c->tag == NULL || e->tag == NULL)
        return false;
    if (!streq(c->desc, "CONSTRAINT"))
        return strcmp(c->tag, e->tag) == 0;
    cl = strlen(c->tag);
    el = strlen(e->tag);
    return cl > el && c->tag[cl - el - 1] == ' ' && strcmp(c->tag + cl - el, e->tag) == 0;
}

static int child_rule(bstate *b, const refs *rf, const char *const *child_descs,
                      const char *const *parent_descs, bool owned_by)
{
    const df_plain_entry *e = &b->t->e[b->cur];
    size_t child = streq(e->desc, "SEQUENCE") ? b->cur : NONE;
    int rc = DF_OK;

    for (size_t k = 0; k < rf->n && child == NONE; k++) {
        const df_plain_entry *c = &b->t->e[rf->v[k]];
        if (desc_in(c->desc, child_descs) && is_named_by_tag(c, e))
            child = rf->v[k];
    }
    if (child == NONE)
        return DF_OK;
    for (size_t k = 0; k < rf->n && rc == DF_OK; k++) {
        size_t p = rf->v[k];
        if (p == child || !desc_in(b->t->e[p].desc, parent_descs))
            continue;
        if (owned_by && b->info[child].owner_tab == NONE)
            b->info[child].owner_tab = p;
        if (!owned_by && b->info[b->cur].table == NONE)
            note_post(b, b->cur, b->info[p].table != NONE ? b->info[p].table : p);
        if (p < child && !has_dep(&b->info[child].deps, p)) {
            rc = add_dep_to(b, child, p);
            b->rules++;
        }
    }
    return rc;
}

/* A column's ACL comes after its table's. */
static int column_acl_rule(bstate *b)
{
    const df_plain_entry *e = &b->t->e[b->cur];
    const char *dot;
    char *tag;
    size_t j;

    if (!streq(e->desc, "ACL") || e->tag == NULL || strncmp(e->tag, "COLUMN ", 7) != 0 ||
        (dot = strrchr(e->tag, '.')) == NULL)
        return DF_OK;
    if ((tag = malloc((size_t)(dot - e->tag) + 1)) == NULL)
        return nomem(b->r);
    memcpy(tag, "TABLE ", 6);
    memcpy(tag + 6, e->tag + 7, (size_t)(dot - e->tag) - 7);
    tag[(size_t)(dot - e->tag) - 1] = '\0';
    j = find_tag(b, "ACL", e->schema, tag);
    free(tag);
    return j == NONE ? DF_OK : add_dep_to(b, b->cur, j);
}

/* A BLOB METADATA tag "910004..910005" (or "910001") as a range; false if it is none. */
static bool blob_range_of(const char *tag, unsigned long long *lo, unsigned long long *hi)
{
    char *end;

    *lo = *hi = strtoull(tag, &end, 10);
    if (end == tag)
        return false;
    if (strncmp(end, "..", 2) == 0)
        *hi = strtoull(end + 2, &end, 10);
    return *end == '\0' && *lo <= *hi;
}

static int note_blob_range(bstate *b, size_t i)
{
    blob_range r = {0, 0, 0, i};

    if (!streq(b->t->e[i].desc, "BLOB METADATA") || b->t->e[i].tag == NULL ||
        !blob_range_of(b->t->e[i].tag, &r.lo, &r.hi))
        return DF_OK;
    if (b->nblobs == b->capblobs) {
        size_t cap = b->capblobs ? b->capblobs * 2 : 16;
        blob_range *g = realloc(b->blobs, cap * sizeof *g);
        if (g == NULL)
            return nomem(b->r);
        b->blobs = g;
        b->capblobs = cap;
    }
    b->blobs[b->nblobs++] = r;
    b->blobs_sorted = false;
    return DF_OK;
}

static int cmp_blob_range(const void *a, const void *b)
{
    const blob_range *x = a, *y = b;

    return (x->lo > y->lo) - (x->lo < y->lo);
}

/*
 * The large object's BLOB entry, or (pg_dump 17+) every BLOB METADATA entry whose range holds
 * it (groups of different owners may interleave: all of them, to be safe).
 */
static int blob_deps(bstate *b, const char *oid_text)
{
    size_t j = find_tag(b, "BLOB", NULL, oid_text), lo = 0, hi = b->nblobs;
    unsigned long long oid, top;
    int rc = DF_OK;

    if (j != NONE)
        return add_dep_to(b, b->cur, j);
    if (!blob_range_of(oid_text, &oid, &top) || oid != top || b->nblobs == 0)
        return DF_OK;
    if (!b->blobs_sorted) {
        qsort(b->blobs, b->nblobs, sizeof *b->blobs, cmp_blob_range);
        for (size_t k = 0; k < b->nblobs; k++)
            b->blobs[k].maxhi = k && b->blobs[k - 1].maxhi > b->blobs[k].hi ? b->blobs[k - 1].maxhi
                                                                           : b->blobs[k].hi;
        b->blobs_sorted = true;
    }
    while (lo < hi) { /* the first range starting after oid */
        size_t mid = lo + (hi - lo) / 2;
        if (b->blobs[mid].lo <= oid)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k-- > 0 && b->blobs[k].maxhi >= oid && rc == DF_OK;)
        if (b->blobs[k].hi >= oid)
            rc = add_dep_to(b, b->cur, b->blobs[k].idx);
    return rc;
}

/* Object kinds a COMMENT/ACL/SECURITY LABEL tag starts with, longest first. */
static const char *const tag_kinds[] = {
    "MATERIALIZED VIEW", "FOREIGN TABLE", "TEXT SEARCH CONFIGURATION", "TEXT SEARCH DICTIONARY",
    "TEXT SEARCH PARSER", "TEXT SEARCH TEMPLATE", "FOREIGN DATA WRAPPER", "LARGE OBJECT",
    "EVENT TRIGGER", "OPERATOR CLASS", "OPERATOR FAMILY", "ACCESS METHOD", "PROCEDURAL LANGUAGE",
    NULL};

/* The object a comment, ACL or security label is about, from its tag ("TABLE orders", ...). */
static int about_rule(bstate *b)
{
    const df_plain_entry *e = &b->t->e[b->cur];
    const char *name = NULL, *on;
    size_t kind_len = 0, j;
    char kind[64];
    int rc = DF_OK;

    if (e->tag == NULL)
        return DF_OK;
    for (const char *const *k = tag_kinds; *k && name == NULL; k++)
        if (strncmp(e->tag, *k, strlen(*k)) == 0 && e->tag[strlen(*k)] == ' ')
            kind_len = strlen(*k), name = e->tag + kind_len + 1;
    if (name == NULL && (name = strchr(e->tag, ' ')) != NULL)
        kind_len = (size_t)(name++ - e->tag);
    if (name == NULL || kind_len >= sizeof kind)
        return DF_OK;
    memcpy(kind, e->tag, kind_len);
    kind[kind_len] = '\0';
    if (strcmp(kind, "LARGE OBJECT") == 0)
        return blob_deps(b, name);
    if (strcmp(kind, "SCHEMA") == 0 || strcmp(kind, "EXTENSION") == 0 ||
        strcmp(kind, "DATABASE") == 0 || strcmp(kind, "LANGUAGE") == 0 ||
        strcmp(kind, "PROCEDURAL LANGUAGE") == 0) {
        if ((j = find_tag(b, strcmp(kind, "LANGUAGE") == 0 ? "PROCEDURAL LANGUAGE" : kind, NULL,
                          name)) != NONE)
            rc = add_dep_to(b, b->cur, j);
        return rc;
    }
    /* "CONSTRAINT c ON t", "TRIGGER x ON t", "POLICY p ON t", "RULE r ON t": tagged "t x" */
    if ((on = strstr(name, " ON ")) != NULL) {
        static const char *const on_descs[] = {"CONSTRAINT", "FK CONSTRAINT", "CHECK CONSTRAINT",
                                               "TRIGGER", "POLICY", "RULE", NULL};
        size_t nl = (size_t)(on - name), tl = strlen(on + 4);
        char *tag = malloc(nl + tl + 2);

        if (tag == NULL)
            return nomem(b->r);
        memcpy(tag, on + 4, tl);
        tag[tl] = ' ';
        memcpy(tag + tl + 1, name, nl);
        tag[nl + tl + 1] = '\0';
        for (const char *const *d = on_descs; *d && rc == DF_OK; d++)
            if ((j = find_tag(b, *d, e->schema, tag)) != NONE)
                rc = add_dep_to(b, b->cur, j);
        free(tag);
        return rc;
    }
    return DF_OK; /* objects in schemas: their names are in the text */
}

/* The data of everything a materialized view reads, through views; all data when unsure. */
static int mv_reads(bstate *b, size_t obj, int depth, bool *all)
{
    const depv *d = &b->info[obj].deps;
    int rc = DF_OK;

    if (b->info[obj].reads_all || depth > MV_DEPTH_MAX) {
        *all = true;
        return DF_OK;
    }
    if (b->info[obj].seen == b->cur + 1)
        return DF_OK; /* views that share views: each is looked through once */
    b->info[obj].seen = b->cur + 1;
    for (size_t k = 0; k < d->n && rc == DF_OK && !*all; k++) {
        size_t j = d->v[k];
        const char *desc = b->t->e[j].desc;

        if (desc_in(desc, function_descs))
            *all = true;
        else if ((streq(desc, "TABLE") || streq(desc, "MATERIALIZED VIEW")) &&
                 b->info[j].data != NONE)
            rc = add_dep_to(b, b->cur, b->info[j].data);
        else if (streq(desc, "VIEW"))
            rc = mv_reads(b, j, depth + 1, all);
    }
    return rc;
}

static int mv_data_rule(bstate *b, size_t mv)
{
    bool all = mv == NONE || b->t->e[mv].defn == NULL || b->t->e[mv].defn[0] == '\0';
    int rc = all ? DF_OK : mv_reads(b, mv, 0, &all);

    for (size_t k = 0; all && k < b->ndata && rc == DF_OK; k++)
        rc = add_dep_to(b, b->cur, b->datav[k]);
    return rc;
}

/* Data entries: on their object only (pg_restore takes a TABLE DATA's first dependency as its
 * table). */
static int data_rule(bstate *b)
{
    const df_plain_entry *e = &b->t->e[b->cur];
    static const char *const objs[][2] = {{"TABLE DATA", "TABLE"},
                                          {"SEQUENCE SET", "SEQUENCE"},
                                          {"MATERIALIZED VIEW DATA", "MATERIALIZED VIEW"}};
    size_t obj = NONE;
    int rc = DF_OK;

    for (size_t k = 0; k < 3; k++)
        if (streq(e->desc, objs[k][0])) {
            obj = find_tag(b, objs[k][1], e->schema, e->tag);
            if (obj == NONE && k == 0)
                obj = find_tag(b, "FOREIGN TABLE", e->schema, e->tag);
        }
    if (obj != NONE && (rc = add_dep_to(b, b->cur, obj)) == DF_OK)
        b->info[obj].data = b->cur;
    if (rc == DF_OK && streq(e->desc, "SEQUENCE SET") && obj != NONE &&
        b->info[obj].owner_tab != NONE)
        rc = add_dep_to(b, b->cur, b->info[obj].owner_tab);
    if (rc == DF_OK && streq(e->desc, "MATERIALIZED VIEW DATA"))
        rc = mv_data_rule(b, obj);
    return rc;
}

static void refs_free(refs *rf)
{
    free(rf->v);
    free(rf->fk);
}

/* Everything entry b->cur depends on. */
static int entry_deps(bstate *b)
{
    static const char *const table_only[] = {"TABLE", NULL};
    static const char *const seq_only[] = {"SEQUENCE", NULL};
    static const char *const idx_attach[] = {"INDEX", "CONSTRAINT", NULL};
    const df_plain_entry *e = &b->t->e[b->cur];
    refs rf = {0};
    int rc = DF_OK;
    size_t j;

    if (streq(e->desc, "STATISTICS DATA")) { /* tagged with its relation's name */
        static const char *const rels[] = {"TABLE", "INDEX", "MATERIALIZED VIEW",
                                           "FOREIGN TABLE", "CONSTRAINT"};
        for (size_t k = 0; k < 5 && rc == DF_OK; k++)
            if ((j = find_tag(b, rels[k], e->schema, e->tag)) != NONE)
                rc = add_dep_to(b, b->cur, j);
        return rc;
    }
    if (streq(e->desc, "BLOBS") && e->tag && (j = find_tag(b, "BLOB METADATA", NULL, e->tag)) != NONE)
        return add_dep_to(b, b->cur, j); /* pg_dump 17+: the large objects it fills */
    if (e->section == DF_SECTION_DATA || streq(e->desc, "BLOBS") ||
        streq(e->desc, "MATERIALIZED VIEW DATA"))
        return data_rule(b);
    if (e->schema && (j = find_tag(b, "SCHEMA", NULL, e->schema)) != NONE)
        rc = add_dep_to(b, b->cur, j);
    if (rc == DF_OK && e->defn)
        rc = scan_names(b, e->defn, &rf);
    for (size_t k = 0; k < rf.n && rc == DF_OK; k++)
        rc = add_dep_to(b, b->cur, rf.v[k]);
    /* Types, functions, operators and languages of extensions have no entries of their own;
     * (qualified) names that match no entry may be theirs: every object depends on the extensions.
     */
    for (size_t k = 0; k < b->next && rc == DF_OK && !desc_in(e->desc, about_descs); k++)
        rc = add_dep_to(b, b->cur, b->ext[k]);
    if (rc != DF_OK)
        goto out;
    if (streq(e->desc, "MATERIALIZED VIEW"))
        for (size_t k = 0; k < rf.n; k++)
            if (desc_in(b->t->e[rf.v[k]].desc, function_descs))
                b->info[b->cur].reads_all = true;
    if (e->section == DF_SECTION_POST_DATA && !streq(e->desc, "INDEX ATTACH"))
        note_post(b, b->cur, table_of(b, &rf));
    if (streq(e->desc, "FK CONSTRAINT"))
        rc = fk_rule(b, &rf);
    else if (streq(e->desc, "TABLE ATTACH"))
        rc = child_rule(b, &rf, table_only, table_only, false);
    else if (streq(e->desc, "INDEX ATTACH"))
        rc = child_rule(b, &rf, idx_attach, idx_attach, false);
    else if (streq(e->desc, "SEQUENCE OWNED BY") || streq(e->desc, "SEQUENCE"))
        rc = child_rule(b, &rf, seq_only, table_only, true);
    else if (desc_in(e->desc, about_descs))
        rc = about_rule(b);
    if (rc == DF_OK)
        rc = column_acl_rule(b);
    if (rc == DF_OK && streq(e->desc, "SQL STATEMENTS"))
        for (int s = 0; s < 5 && rc == DF_OK; s++)
            rc = depend_on_section(b, s);
    else if (rc == DF_OK && !desc_in(e->desc, known_descs))
        rc = depend_on_section(b, e->section);
out:
    refs_free(&rf);
    return rc;
}

/* ------------------------------------------------------------ session state */

/* What the SETs so far have set (pool strings; NULL: never set). */
typedef struct session {
    const char *tablespace, *tableam, *search_path, *auth, *encoding, *std_strings;
    const char *searchpath_stmt; /* SELECT pg_catalog.set_config('search_path', ...) */
} session;

static const char *const tablespace_descs[] = {"TABLE", "INDEX", "CONSTRAINT",
                                               "MATERIALIZED VIEW", NULL};

/* The value list of SET name {=|TO} v [, v ...] as "v, v" (names decoded), into the pool. */
static const char *set_value(bstate *b, dfi_sqlscan *sc)
{
    char buf[1024];
    size_t n = 0;
    dfi_sqltok t;

    while (dfi_sql_next(sc, &t) != DFI_SQL_END) {
        if (t.kind == DFI_SQL_PUNCT && t.p[0] == ';')
            break;
        if (t.kind == DFI_SQL_PUNCT && t.p[0] == ',') {
            if (n + 2 < sizeof buf)
                memcpy(buf + n, ", ", 2), n += 2;
            continue;
        }
        if (t.kind == DFI_SQL_STRING || is_name(&t) || t.kind == DFI_SQL_OTHER) {
            const char *v = t.kind == DFI_SQL_OTHER ? t.p : t.name;
            size_t vl = t.kind == DFI_SQL_OTHER ? t.n : t.name_len;
            if (t.kind == DFI_SQL_STRING && t.name_len == 0 && t.n > 2)
                return NULL; /* too long to decode */
            if (n + vl < sizeof buf)
                memcpy(buf + n, v, vl), n += vl;
        }
    }
    return pool_dup(b, buf, n);
}

/* The whole statement as an archive entry's text: trimmed, with its semicolon and a newline. */
static const char *stmt_defn(bstate *b, const char *text)
{
    size_t n = strlen(text);
    char *d;

    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\n' || text[n - 1] == '\r' ||
                     text[n - 1] == '\t' || text[n - 1] == ';'))
        n--;
    if ((d = malloc(n + 3)) == NULL)
        return NULL;
    memcpy(d, text, n);
    memcpy(d + n, ";\n", 3);
    return pool_add(b, d);
}

static int apply_set(bstate *b, session *s, const dfi_plain_session *ev)
{
    dfi_sqlscan sc = {ev->text, ev->text + strlen(ev->text), ev->std_strings};
    dfi_sqltok t, name;
    const char **slot = NULL;
    bool reset;

    if (ev->text[0] == '\\') {
        char *user = dfi_roles_connect_user(ev->text, strlen(ev->text));
        if (user != NULL)
            s->auth = pool_add(b, user);
        return DF_OK;
    }
    dfi_sql_next(&sc, &t);
    if (is_kw(&t, "select")) { /* pg_catalog.set_config('search_path', '', false) */
        s->searchpath_stmt = stmt_defn(b, ev->text);
        return s->searchpath_stmt ? DF_OK : nomem(b->r);
    }
    reset = is_kw(&t, "reset");
    dfi_sql_next(&sc, &name);
    if (is_kw(&name, "session") || is_kw(&name, "local")) {
        dfi_sqlscan a = sc;
        dfi_sqltok t2;
        if (dfi_sql_next(&a, &t2) == DFI_SQL_WORD && is_kw(&name, "session") &&
            is_kw(&t2, "authorization")) {
            sc = a;
            s->auth = reset ? NULL : set_value(b, &sc);
            return DF_OK;
        }
        dfi_sql_next(&sc, &name);
    }
    if (is_kw(&name, "role")) {
        if (!reset)
            dfi_sql_next(&sc, &t); /* (SET ROLE applies to the whole script: dumproles says so) */
        return DF_OK;
    }
    if (is_kw(&name, "default_tablespace"))
        slot = &s->tablespace;
    else if (is_kw(&name, "default_table_access_method"))
        slot = &s->tableam;
    else if (is_kw(&name, "search_path"))
        slot = &s->search_path;
    else if (is_kw(&name, "client_encoding"))
        slot = &s->encoding;
    else if (is_kw(&name, "standard_conforming_strings"))
        slot = &s->std_strings;
    if (slot == NULL)
        return DF_OK;
    if (reset) {
        *slot = NULL;
        return DF_OK;
    }
    dfi_sql_next(&sc, &t); /* = or TO */
    *slot = set_value(b, &sc);
    return DF_OK;
}

/* ENCODING, STDSTRINGS and SEARCHPATH, as pg_dump writes them, from the SETs at the top. */
static int top_entries(bstate *b, const session *s, size_t *n)
{
    static const char *const descs[] = {"ENCODING", "STDSTRINGS", "SEARCHPATH"};
    const char *defn[3] = {NULL, NULL, s->searchpath_stmt};
    char buf[512];

    if (s->encoding && strlen(s->encoding) < 400) {
        snprintf(buf, sizeof buf, "SET client_encoding = '%s';\n", s->encoding);
        if ((defn[0] = pool_dup(b, buf, strlen(buf))) == NULL)
            return nomem(b->r);
    }
    if (s->std_strings) {
        snprintf(buf, sizeof buf, "SET standard_conforming_strings = '%s';\n",
                 strcmp(s->std_strings, "off") == 0 ? "off" : "on");
        if ((defn[1] = pool_dup(b, buf, strlen(buf))) == NULL)
            return nomem(b->r);
    }
    for (size_t k = 0; k < 3; k++) {
        df_plain_entry *e;
        if (defn[k] == NULL)
            continue;
        e = &b->t->e[(*n)++];
        e->desc = e->tag = descs[k];
        e->section = DF_SECTION_PRE_DATA;
        e->defn = defn[k];
        e->text_offset = -1;
    }
    return DF_OK;
}

static bool partitioned(const df_plain_entry *e)
{
    return e->defn && strstr(e->defn, "PARTITION BY") != NULL;
}

/* An entry of the script, with the session state in force at its header. */
static int script_entry(bstate *b, const df_entry *src, const session *s, size_t *n)
{
    df_plain_entry *e = &b->t->e[(*n)++];

    e->entry = src;
    e->desc = src->desc;
    e->schema = src->schema;
    e->tag = src->tag;
    e->owner = src->owner;
    e->section = src->section;
    e->defn = src->defn;
    e->copy_stmt = src->copy_stmt;
    e->text_offset = src->text_offset;
    e->search_path = s->search_path;
    if (e->owner == NULL && s->auth != NULL && e->section != DF_SECTION_DATA)
        e->owner = s->auth;
    e->tablespace = src->tablespace;
    if (e->tablespace == NULL && desc_in(e->desc, tablespace_descs))
        e->tablespace = s->tablespace;
    if ((streq(e->desc, "TABLE") && !partitioned(e)) || streq(e->desc, "MATERIALIZED VIEW"))
        e->tableam = s->tableam;
    return DF_OK;
}

/* ------------------------------------------------------------ --clean drop statements */

/*
 * pg_dump's drop of a template database (template1 in a pg_dumpall --clean
 * script) clears its flag first: that UPDATE is the start of the DATABASE
 * entry's drop statement, as in the archive.
 */
static bool template_unflag(const char *s, size_t n)
{
    static const char pre[] =
        "UPDATE pg_catalog.pg_database SET datistemplate = false WHERE datname = ";

    return n > sizeof pre && strncmp(s, pre, sizeof pre - 1) == 0;
}

/* Give the drops of stray entry s to their entries (plaindeps_drop.c parses them): all of them,
 * or none. */
static int place_drops(bstate *b, const drop_key *keys, size_t nk, size_t s, bool *placed)
{
    df_plain_toc *t = b->t;
    const char *text = t->e[s].defn ? t->e[s].defn : "";
    dfi_sqlscan sc = {text, text + strlen(text), b->std_strings};
    size_t *own = NULL, nown = 0, capown = 0;
    const char *start = NULL, *from = NULL; /* from: the drop itself, after an UPDATE */
    dfi_sqltok tk;
    int rc = DF_OK;

    *placed = false;
    for (;;) {
        dfi_sqlk kind = dfi_sql_next(&sc, &tk);
        if (kind == DFI_SQL_END)
            break;
        if (start == NULL)
            start = tk.p;
        if (kind == DFI_SQL_PUNCT && tk.p[0] == ';') {
            drop_target d;
            char dk[128];
            size_t o;
            char *stmt;
            if (from == NULL && template_unflag(start, (size_t)(sc.s - start))) {
                from = sc.s; /* the DROP DATABASE follows */
                continue;
            }
            if (from == NULL)
                from = start;
            o = dfi_drop_parse(from, (size_t)(sc.s - from), b->std_strings, &d, dk, sizeof dk)
                    ? dfi_drop_owner(t, keys, nk, &d)
                    : NONE;
            if (o == NONE || (from != start && strcmp(t->e[o].desc, "DATABASE") != 0) ||
                (stmt = pool_dup(b, start, (size_t)(sc.s - start) + 1)) == NULL)
                break;
            stmt[sc.s - start] = '\n';
            t->e[o].drop_stmt = stmt; /* undone below unless every statement finds its entry */
            if ((rc = vec_push(b->r, &own, &nown, &capown, o)) != DF_OK)
                break;
            start = from = NULL;
        }
    }
    *placed = rc == DF_OK && start == NULL && sc.s >= sc.end && nown > 0;
    for (size_t k = 0; !*placed && k < nown; k++)
        t->e[own[k]].drop_stmt = NULL;
    free(own);
    return rc;
}

/* The SQL STATEMENTS before the first entry that are all drops become the entries' drop_stmt. */
static int assign_drops(bstate *b)
{
    df_plain_toc *t = b->t;
    drop_key *keys = malloc((t->n + 1) * sizeof *keys);
    size_t nk = 0, k = 0;
    int rc = DF_OK;

    if (keys == NULL)
        return nomem(b->r);
    for (size_t i = 0; i < t->n; i++)
        if (t->e[i].tag && t->e[i].entry && !streq(t->e[i].desc, "SQL STATEMENTS"))
            keys[nk++] = (drop_key){t->e[i].desc, t->e[i].tag, i};
    qsort(keys, nk, sizeof *keys, dfi_drop_key_cmp);
    for (size_t i = 0; i < t->n; i++) {
        bool placed = false;
        if (t->e[i].entry != NULL && !streq(t->e[i].desc, "SQL STATEMENTS"))
            break; /* drops come before the first entry */
        if (t->e[i].entry != NULL && (rc = place_drops(b, keys, nk, i, &placed)) != DF_OK)
            break;
        if (placed)
            t->e[i].desc = NULL; /* removed below */
    }
    for (size_t i = 0; i < t->n && rc == DF_OK; i++)
        if (t->e[i].desc != NULL)
            t->e[k++] = t->e[i];
    if (rc == DF_OK)
        t->n = k;
    free(keys);
    return rc;
}

/* ------------------------------------------------------------ building */

static bool in_range(const df_entry *e, const char *database)
{
    if (database == NULL)
        return e->database == NULL;
    return e->database != NULL && strcmp(e->database, database) == 0;
}

static bool is_meta(const df_entry *e)
{
    return dfi_desc_is(e, "PSQL META-COMMAND");
}

/* The entries (and meta-command lines) in script order, with the session state of each. */
static int collect(bstate *b, const char *database)
{
    df_reader *r = b->r;
    df_plain_toc *t = b->t;
    size_t nsess, k = 0, n = 0, cap = 3;
    const dfi_plain_session *ev = dfi_plain_sessions(r, &nsess);
    session s = {0};
    bool first = true;
    int rc;

    for (size_t i = 0; i < r->nentries; i++)
        cap += in_range(&r->entries[i], database);
    t->e = calloc(cap, sizeof *t->e);
    t->meta = calloc(cap, sizeof *t->meta);
    if (t->e == NULL || t->meta == NULL)
        return nomem(r);
    for (size_t i = 0; i < r->nentries; i++) {
        const df_entry *src = &r->entries[i];
        for (; k < nsess && ev[k].off < src->text_offset; k++)
            if ((rc = apply_set(b, &s, &ev[k])) != DF_OK)
                return rc;
        if (!in_range(src, database))
            continue;
        if (is_meta(src)) {
            df_plain_meta *m = &t->meta[t->nmeta++];
            m->size = sizeof *m;
            m->offset = src->text_offset;
            m->text = src->defn ? src->defn : src->tag;
            continue;
        }
        if (first && (rc = top_entries(b, &s, &n)) != DF_OK)
            return rc;
        first = false;
        if ((rc = script_entry(b, src, &s, &n)) != DF_OK)
            return rc;
    }
    t->n = n;
    b->std_strings = s.std_strings == NULL || strcmp(s.std_strings, "off") != 0;
    if ((rc = assign_drops(b)) != DF_OK)
        return rc;
    for (size_t i = 0; i < t->n; i++) {
        t->e[i].size = sizeof t->e[i];
        t->e[i].dump_id = (int32_t)(i + 1);
    }
    return DF_OK;
}

/* Line numbers of the meta-commands: the script read once more (by path only; else 0). */
static void meta_lines(df_reader *r, df_plain_toc *t)
{
    df_reader *tmp;
    dfi_pstream st;
    int64_t lines = 0;
    size_t m = 0;

    if (t->nmeta == 0 || !r->src.owns_fd || !r->src.seekable || r->path == NULL ||
        (tmp = df_reader_new(&r->lim)) == NULL)
        return;
    memset(&st, 0, sizeof st);
    if (dfi_src_open_path(&tmp->src, r->path, &tmp->err) == DF_OK &&
        dfi_buf_init(&tmp->buf, &tmp->src, DFI_BUF_SIZE, &tmp->err) == DF_OK) {
        dfi_buf_need(&tmp->buf, 512, &tmp->err); /* enough to recognise a compressed file */
        dfi_error_clear(&tmp->err);
        if (dfi_pstream_init(&st, tmp, dfi_wrap_sniff(dfi_buf_ptr(&tmp->buf),
                                                      dfi_buf_avail(&tmp->buf)),
                             64 * 1024) == DF_OK) {
            while (m < t->nmeta && dfi_pstream_fill(&st) == DF_OK && st.end > st.start) {
                const uint8_t *p = st.win + st.start;
                int64_t off = dfi_pstream_tell(&st), n = (int64_t)(st.end - st.start);
                for (; m < t->nmeta && t->meta[m].offset < off + n; m++)
                    if (t->meta[m].offset >= off)
                        t->meta[m].line =
                            lines + dfi_count_newlines(p, (size_t)(t->meta[m].offset - off)) + 1;
                lines += dfi_count_newlines(p, (size_t)n);
                st.start = st.end;
            }
        }
        dfi_pstream_free(&st);
    }
    df_reader_free(tmp);
}

static int build_deps(bstate *b)
{
    df_plain_toc *t = b->t;
    size_t total = 0, stray = NONE;
    int rc = DF_OK;

    b->info = calloc(t->n + 1, sizeof *b->info);
    b->mark = calloc(t->n + 1, sizeof *b->mark);
    b->refmark = calloc(t->n + 1, sizeof *b->refmark);
    for (b->nslots = 64; b->nslots < 4 * t->n; b->nslots *= 2)
        ;
    b->slots = calloc(b->nslots, sizeof *b->slots);
    if (b->info == NULL || b->slots == NULL || b->mark == NULL || b->refmark == NULL)
        return nomem(b->r);
    for (size_t i = 0; i < t->n; i++) {
        pinfo *x = &b->info[i];
        x->table = x->data = x->owner_tab = x->post_head = x->post_next = NONE;
    }
    for (b->cur = 0; b->cur < t->n && rc == DF_OK; b->cur++) {
        const df_plain_entry *e = &t->e[b->cur];
        b->search_path = e->search_path;
        if (!desc_in(e->desc, known_descs))
            t->stats.no_schema_info++;
        /* SQL the script runs outside any entry may create what any later entry needs (after
         * the entry's own: a TABLE DATA's first dependency must be its table) */
        if ((rc = entry_deps(b)) == DF_OK && stray != NONE)
            rc = add_dep_to(b, b->cur, stray);
        if (streq(e->desc, "SQL STATEMENTS"))
            stray = b->cur;
        if (rc == DF_OK && (rc = file_entry(b, b->cur)) == DF_OK)
            rc = push_frontier(b, b->cur);
        if (rc == DF_OK && streq(e->desc, "EXTENSION"))
            rc = vec_push_new(b->r, &b->ext, &b->next, &b->capext, b->cur);
        if (rc == DF_OK &&
            (streq(e->desc, "TABLE DATA") || streq(e->desc, "MATERIALIZED VIEW DATA")))
            rc = vec_push_new(b->r, &b->datav, &b->ndata, &b->capdata, b->cur);
        if (rc == DF_OK)
            rc = note_blob_range(b, b->cur);
    }
    if (rc != DF_OK)
        return rc;
    for (size_t i = 0; i < t->n; i++)
        total += b->info[i].deps.n;
    if ((t->depmem = malloc((total + 1) * sizeof *t->depmem)) == NULL)
        return nomem(b->r);
    total = 0;
    for (size_t i = 0; i < t->n; i++) {
        const depv *d = &b->info[i].deps;
        t->e[i].deps = t->depmem + total;
        t->e[i].ndeps = d->n;
        for (size_t k = 0; k < d->n; k++)
            t->depmem[total++] = (int32_t)(d->v[k] + 1);
    }
    t->stats.edges = (int64_t)total;
    t->stats.rule_edges = b->rules;
    t->stats.fallback_edges = b->fallback;
    return DF_OK;
}

static void bstate_free(bstate *b)
{
    for (size_t i = 0; b->info && i < b->t->n; i++)
        free(b->info[i].deps.v);
    free(b->info);
    for (size_t h = 0; b->slots && h < b->nslots; h++)
        for (knode *kn = b->slots[h], *next; kn; kn = next) {
            next = kn->next;
            free(kn->key);
            free(kn);
        }
    free(b->slots);
    for (int s = 0; s < 5; s++)
        free(b->frontier[s]);
    free(b->ext);
    free(b->mark);
    free(b->refmark);
    free(b->datav);
    free(b->blobs);
}

static int build(df_reader *r, const char *database, df_plain_toc **out)
{
    bstate b;
    int rc;

    if (r->fmt != &dfi_format_plain)
        return dfi_fail(&r->err, DF_E_USAGE, -1, "not a plain-format script");
    memset(&b, 0, sizeof b);
    b.r = r;
    if ((b.t = calloc(1, sizeof *b.t)) == NULL)
        return nomem(r);
    b.t->stats.size = sizeof b.t->stats;
    rc = collect(&b, database);
    if (rc == DF_OK)
        meta_lines(r, b.t);
    if (rc == DF_OK)
        rc = build_deps(&b);
    bstate_free(&b);
    if (rc != DF_OK) {
        df_plain_toc_free(b.t);
        return rc;
    }
    *out = b.t;
    return DF_OK;
}

int df_plain_toc_build(df_reader *r, const char *database, df_plain_toc **out, df_error *err)
{
    if (out == NULL || r == NULL) {
        if (out != NULL)
            *out = NULL;
        return dfi_fail(err, DF_E_USAGE, -1, "df_plain_toc_build needs a reader");
    }
    *out = NULL;
    return dfi_reader_fail(r, build(r, database, out), err);
}

size_t df_plain_toc_count(const df_plain_toc *t)
{
    return t ? t->n : 0;
}

const df_plain_entry *df_plain_toc_at(const df_plain_toc *t, size_t i)
{
    return t && i < t->n ? &t->e[i] : NULL;
}

size_t df_plain_toc_meta_count(const df_plain_toc *t)
{
    return t ? t->nmeta : 0;
}

const df_plain_meta *df_plain_toc_meta_at(const df_plain_toc *t, size_t i)
{
    return t && i < t->nmeta ? &t->meta[i] : NULL;
}

void df_plain_toc_stats_get(const df_plain_toc *t, df_plain_toc_stats *st)
{
    size_t size = st->size && st->size < sizeof *st ? st->size : sizeof *st;

    memset(st, 0, size);
    if (t)
        memcpy(st, &t->stats, size);
    st->size = size;
}

void df_plain_toc_free(df_plain_toc *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->npool; i++)
        free(t->pool[i]);
    free(t->pool);
    free(t->e);
    free(t->meta);
    free(t->depmem);
    free(t);
}
