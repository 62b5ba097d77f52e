/*
 * seqfacts.c — the sequence facts of a TOC: setval() values, increments, the
 * columns each sequence feeds (DEFAULT nextval(), identity columns) in their
 * table and its partitions and INHERITS children, and the SQL that moves a
 * sequence past a value.  Read from the entries' SQL text with the server's
 * identifier rules (sqlident.c); what cannot be read is no fact, never an
 * error: a sequence without facts is simply not checked.
 */
#include "seqfacts.h"
#include "copycheck.h"
#include "entrytype.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool starts_with(const char *s, const char *prefix)
{
    return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool streq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

bool dfi_parse_setval(const char *defn, int64_t *value, bool *called)
{
    const char *s = defn ? strstr(defn, "setval(") : NULL;
    char *end;
    long long v;

    if (s == NULL)
        return false;
    s = dfi_sql_skip_space(s + 7);
    if (*s != '\'')
        return false;
    for (s++; *s; s++)
        if (*s == '\'') {
            if (s[1] != '\'')
                break;
            s++;
        }
    if (*s != '\'')
        return false;
    s = dfi_sql_skip_space(s + 1);
    if (*s != ',')
        return false;
    s = dfi_sql_skip_space(s + 1);
    errno = 0;
    v = strtoll(s, &end, 10);
    if (end == s || errno != 0)
        return false;
    s = dfi_sql_skip_space(end);
    if (*s != ',')
        return false;
    s = dfi_sql_skip_space(s + 1);
    if (starts_with(s, "true"))
        *called = true;
    else if (starts_with(s, "false"))
        *called = false;
    else
        return false;
    *value = v;
    return true;
}

/* A 1- or 2-part table name; a bare name is in the entry's schema (old search_path dumps). */
static bool parse_table(const char **sp, const char *dflt_schema, char *schema, char *table)
{
    char parts[DFI_MAX_PARTS][DFI_IDENT];
    int n = dfi_sql_qualified(sp, parts);

    if (n == 1 && dflt_schema != NULL) {
        snprintf(schema, DFI_IDENT, "%s", dflt_schema);
        snprintf(table, DFI_IDENT, "%s", parts[0]);
        return true;
    }
    if (n != 2)
        return false;
    snprintf(schema, DFI_IDENT, "%s", parts[0]);
    snprintf(table, DFI_IDENT, "%s", parts[1]);
    return true;
}

bool dfi_parse_nextval(const char *s, const char *dflt_schema, char *schema, char *name)
{
    char text[2 * DFI_IDENT + 8];
    const char *p;
    size_t n = 0;

    s = dfi_sql_skip_space(s);
    if (strncmp(s, "pg_catalog.", 11) == 0)
        s += 11;
    if (strncmp(s, "nextval(", 8) != 0)
        return false;
    s = dfi_sql_skip_space(s + 8);
    if (*s != '\'')
        return false;
    for (s++; *s; s++) { /* the regclass literal, quotes undoubled */
        if (*s == '\'') {
            if (s[1] != '\'')
                break;
            s++;
        }
        if (n + 1 >= sizeof text)
            return false;
        text[n++] = *s;
    }
    if (*s != '\'')
        return false;
    text[n] = '\0';
    p = text;
    return parse_table(&p, dflt_schema, schema, name) && *p == '\0';
}

static bool same_name(const df_entry *e, const char *schema, const char *tag)
{
    return streq(e->tag, tag) && (e->schema ? streq(e->schema, schema) : schema[0] == '\0');
}

/* Record that sequence schema.name feeds column tschema.table.column. */
static void link_add(dfi_seqfacts *f, const char *schema, const char *name, const char *tschema,
                     const char *table, const char *column)
{
    for (size_t k = 0; k < f->nseqs; k++) {
        dfi_seqlink *l;

        if (!same_name(f->seqs[k].e, schema, name))
            continue;
        if (f->nlinks == f->caplinks) {
            size_t cap = f->caplinks ? f->caplinks * 2 : 8;
            dfi_seqlink *nv = realloc(f->links, cap * sizeof *nv);
            if (nv == NULL) {
                f->oom = true;
                return;
            }
            f->links = nv;
            f->caplinks = cap;
        }
        l = &f->links[f->nlinks++];
        l->seq = k;
        snprintf(l->tschema, DFI_IDENT, "%s", tschema);
        snprintf(l->table, DFI_IDENT, "%s", table);
        snprintf(l->column, DFI_IDENT, "%s", column);
        return;
    }
}

/* "ALTER TABLE [ONLY] t ALTER COLUMN c" in the entry's definition: t, c and what follows. */
static const char *alter_column(const df_entry *e, char *ts, char *tt, char *col)
{
    const char *s = e->defn ? strstr(e->defn, "ALTER TABLE ") : NULL;

    if (s == NULL)
        return NULL;
    s += 12;
    if (strncmp(s, "ONLY ", 5) == 0)
        s += 5;
    if (!parse_table(&s, e->schema, ts, tt))
        return NULL;
    s = dfi_sql_skip_space(s);
    if (strncmp(s, "ALTER COLUMN ", 13) != 0)
        return NULL;
    s += 13;
    return dfi_sql_ident(&s, col, DFI_IDENT) ? dfi_sql_skip_space(s) : NULL;
}

/* DEFAULT: "ALTER TABLE ONLY t ALTER COLUMN c SET DEFAULT nextval('s'::regclass);". */
static void links_from_default(dfi_seqfacts *f, const df_entry *e)
{
    char ts[DFI_IDENT], tt[DFI_IDENT], col[DFI_IDENT], ss[DFI_IDENT], sn[DFI_IDENT];
    const char *s = alter_column(e, ts, tt, col);

    if (s != NULL && strncmp(s, "SET DEFAULT ", 12) == 0 &&
        dfi_parse_nextval(s + 12, e->schema, ss, sn))
        link_add(f, ss, sn, ts, tt, col);
}

/* Identity: "ALTER TABLE t ALTER COLUMN c ADD GENERATED ... AS IDENTITY (SEQUENCE NAME s ...". */
static void links_from_identity(dfi_seqfacts *f, const df_entry *e)
{
    char ts[DFI_IDENT], tt[DFI_IDENT], col[DFI_IDENT];
    const char *s = alter_column(e, ts, tt, col);

    if (s != NULL && strncmp(s, "ADD GENERATED ", 14) == 0)
        link_add(f, e->schema ? e->schema : "", e->tag ? e->tag : "", ts, tt, col);
}

static int64_t parse_increment(const char *defn)
{
    const char *s = defn ? strstr(defn, "INCREMENT BY ") : NULL;
    long long v;

    if (s == NULL)
        return 1;
    errno = 0;
    v = strtoll(s + 13, NULL, 10);
    return errno == 0 && v != 0 ? v : 1;
}

/* Skip one element of a parenthesised list: to the ',' or ')' at its own level. */
static const char *skip_element(const char *s)
{
    int depth = 0;

    for (; *s; s++) {
        if (*s == '\'' || *s == '"') {
            char q = *s;
            for (s++; *s && !(*s == q && s[1] != q); s++)
                if (*s == q)
                    s++;
            if (*s == '\0')
                return s;
        } else if (*s == '(') {
            depth++;
        } else if (*s == ')') {
            if (depth-- == 0)
                return s;
        } else if (*s == ',' && depth == 0) {
            return s;
        }
    }
    return s;
}

/* "CREATE TABLE t (": the start of the list of columns, or NULL. */
static const char *table_list(const char *defn)
{
    char parts[DFI_MAX_PARTS][DFI_IDENT];
    const char *s = defn ? strstr(defn, "TABLE ") : NULL;

    if (s == NULL)
        return NULL;
    s += 6;
    if (dfi_sql_qualified(&s, parts) == 0)
        return NULL;
    s = dfi_sql_skip_space(s);
    return *s == '(' ? s + 1 : NULL;
}

/*
 * One element of that list at *sp: its first word in `name`, whether it is
 * a column (not a table constraint or LIKE) and where it starts; *sp moves
 * to the ',' or ')' after it.  False when no name can be read.
 */
static bool table_element(const char **sp, char *name, bool *column, const char **at)
{
    /* bare words, so downcased by dfi_sql_ident */
    static const char *const not_columns[] = {"constraint", "check",   "primary", "unique",
                                              "foreign",    "exclude", "like"};
    const char *s = dfi_sql_skip_space(*sp);
    bool quoted = *s == '"';

    *at = s;
    if (!dfi_sql_ident(&s, name, DFI_IDENT))
        return false;
    *column = true;
    for (size_t k = 0; k < sizeof not_columns / sizeof not_columns[0] && !quoted; k++)
        if (strcmp(name, not_columns[k]) == 0)
            *column = false;
    *sp = skip_element(*at);
    return true;
}

/* Column defaults inside "CREATE TABLE t (c integer DEFAULT nextval('s'::regclass), ...)". */
static void links_from_table(dfi_seqfacts *f, const df_entry *e)
{
    char name[DFI_IDENT], ss[DFI_IDENT], sn[DFI_IDENT];
    const char *s = table_list(e->defn), *at;
    bool column;

    while (s != NULL && table_element(&s, name, &column, &at)) {
        for (const char *p = at; column && p < s; p++)
            if (strncmp(p, " DEFAULT ", 9) == 0 && dfi_parse_nextval(p + 9, e->schema, ss, sn)) {
                link_add(f, ss, sn, e->schema ? e->schema : "", e->tag ? e->tag : "", name);
                break;
            }
        if (*s != ',')
            break;
        s++;
    }
}

/* Find the columns each SEQUENCE SET feeds, and each sequence's increment. */
static void seq_links(dfi_seqfacts *f, const df_entry *ents, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const df_entry *e = &ents[i];

        if (dfi_et_is(e, DFI_ET_DEFAULT)) {
            links_from_default(f, e);
        } else if (dfi_ek_is(e, DFI_EK_TABLE)) {
            links_from_table(f, e);
        } else if (dfi_et_is(e, DFI_ET_SEQUENCE)) {
            for (size_t k = 0; k < f->nseqs; k++)
                if (same_name(f->seqs[k].e, e->schema ? e->schema : "", e->tag ? e->tag : ""))
                    f->seqs[k].increment = parse_increment(e->defn);
            links_from_identity(f, e);
        }
    }
}

/* Child tables: partitions (TABLE ATTACH, PARTITION OF) and INHERITS children. */
typedef struct vedge {
    char ps[DFI_IDENT], pt[DFI_IDENT]; /* parent */
    size_t child;                      /* index of the child's TABLE entry */
} vedge;

static int edge_add(vedge **v, size_t *n, size_t *cap, const char *ps, const char *pt, size_t child)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        vedge *nv = realloc(*v, nc * sizeof *nv);
        if (nv == NULL)
            return DF_E_NOMEM;
        *v = nv;
        *cap = nc;
    }
    snprintf((*v)[*n].ps, DFI_IDENT, "%s", ps);
    snprintf((*v)[*n].pt, DFI_IDENT, "%s", pt);
    (*v)[*n].child = child;
    (*n)++;
    return DF_OK;
}

/* The TABLE entry named schema.table, or -1. */
static ssize_t find_table(const df_entry *ents, size_t n, const char *schema, const char *table)
{
    for (size_t i = 0; i < n; i++) {
        const df_entry *e = &ents[i];
        if (dfi_ek_is(e, DFI_EK_TABLE) && same_name(e, schema, table))
            return (ssize_t)i;
    }
    return -1;
}

/* TABLE ATTACH: "ALTER TABLE ONLY parent ATTACH PARTITION child FOR VALUES ...". */
static bool parse_attach(const df_entry *e, char *ps, char *pt, char *cs, char *ct)
{
    const char *s = e->defn ? strstr(e->defn, "ALTER TABLE ") : NULL;

    if (s == NULL)
        return false;
    s += 12;
    if (strncmp(s, "ONLY ", 5) == 0)
        s += 5;
    if (!parse_table(&s, e->schema, ps, pt) || strncmp(s, " ATTACH PARTITION ", 18) != 0)
        return false;
    s += 18;
    return parse_table(&s, e->schema, cs, ct);
}

static void table_edges(dfi_seqfacts *f, const df_entry *ents, size_t n, vedge **v, size_t *nv)
{
    size_t cap = 0;

    for (size_t i = 0; i < n; i++) {
        const df_entry *e = &ents[i];
        const char *s;
        char ps[DFI_IDENT], pt[DFI_IDENT], cs[DFI_IDENT], ct[DFI_IDENT];

        if (dfi_et_is(e, DFI_ET_TABLE_ATTACH) && parse_attach(e, ps, pt, cs, ct)) {
            ssize_t child = find_table(ents, n, cs, ct);
            if (child >= 0 && edge_add(v, nv, &cap, ps, pt, (size_t)child) != DF_OK)
                f->oom = true;
        }
        if (!dfi_ek_is(e, DFI_EK_TABLE))
            continue;
        if ((s = strstr(e->defn ? e->defn : "", " PARTITION OF ")) != NULL) {
            s += 14;
            if (parse_table(&s, e->schema, ps, pt) && edge_add(v, nv, &cap, ps, pt, i) != DF_OK)
                f->oom = true;
        }
        if ((s = strstr(e->defn ? e->defn : "", "INHERITS (")) != NULL) {
            s += 10;
            while (parse_table(&s, e->schema, ps, pt)) {
                if (edge_add(v, nv, &cap, ps, pt, i) != DF_OK)
                    f->oom = true;
                s = dfi_sql_skip_space(s);
                if (*s != ',')
                    break;
                s = dfi_sql_skip_space(s + 1);
            }
        }
    }
}

static int seqwatch_add(dfi_seqfacts *f, size_t entry, int col, size_t link)
{
    if (f->nwatch == f->capwatch) {
        size_t cap = f->capwatch ? f->capwatch * 2 : 8;
        dfi_seqwatch *nv = realloc(f->watch, cap * sizeof *nv);
        if (nv == NULL)
            return DF_E_NOMEM;
        f->watch = nv;
        f->capwatch = cap;
    }
    f->watch[f->nwatch++] = (dfi_seqwatch){entry, col, link};
    return DF_OK;
}

/* Position of column `want` in "CREATE TABLE t (col type, ..., CONSTRAINT ...)", or -1. */
static int table_column(const char *defn, const char *want)
{
    char name[DFI_IDENT];
    const char *s = table_list(defn), *at;
    bool column;
    int col = 0;

    while (s != NULL && table_element(&s, name, &column, &at)) {
        if (column && strcmp(name, want) == 0)
            return col;
        col += column;
        if (*s != ',')
            return -1;
        s++;
    }
    return -1;
}

/* Where link q's column is in the rows of data entry d (of table schema.table), or -1. */
static int data_column(const df_entry *ents, size_t n, const df_entry *d, int rows,
                       const char *schema, const char *table, const char *column)
{
    char **cols = NULL;
    int ncols, col = -1;
    ssize_t t;

    if (rows == DF_ROWS_COPY) {
        ncols = dfi_copy_columns(d->copy_stmt, &cols);
        for (int x = 0; x < ncols && cols; x++)
            if (streq(cols[x], column))
                col = x;
        dfi_free_names(cols, ncols);
        return col;
    }
    /* INSERTs without a column list give values in table order. */
    t = find_table(ents, n, schema, table);
    return t >= 0 ? table_column(ents[t].defn, column) : -1;
}

/* Watch the link's column in the TABLE DATA of its table and of every descendant. */
static void seq_watch(dfi_seqfacts *f, const df_entry *ents, size_t n, const int *rows, size_t li,
                      const vedge *edges, size_t nedges)
{
    const dfi_seqlink *q = &f->links[li];
    char(*names)[2][DFI_IDENT] = malloc((n + 1) * sizeof *names);
    size_t nn = 0;

    if (names == NULL) {
        f->oom = true;
        return;
    }
    snprintf(names[nn][0], DFI_IDENT, "%s", q->tschema);
    snprintf(names[nn++][1], DFI_IDENT, "%s", q->table);
    for (size_t at = 0; at < nn; at++) /* breadth first over the parent -> child edges */
        for (size_t x = 0; x < nedges && nn < n + 1; x++) {
            const df_entry *ch = &ents[edges[x].child];
            bool seen = false;
            if (!streq(edges[x].ps, names[at][0]) || !streq(edges[x].pt, names[at][1]))
                continue;
            for (size_t y = 0; y < nn && !seen; y++)
                seen =
                    streq(names[y][0], ch->schema ? ch->schema : "") && streq(names[y][1], ch->tag);
            if (!seen) {
                snprintf(names[nn][0], DFI_IDENT, "%s", ch->schema ? ch->schema : "");
                snprintf(names[nn++][1], DFI_IDENT, "%s", ch->tag ? ch->tag : "");
            }
        }
    for (size_t i = 0; i < n; i++) {
        if (rows[i] != DF_ROWS_COPY && rows[i] != DF_ROWS_INSERT)
            continue;
        for (size_t y = 0; y < nn; y++) {
            int col;

            if (!same_name(&ents[i], names[y][0], names[y][1]))
                continue;
            col = data_column(ents, n, &ents[i], rows[i], names[y][0], names[y][1], q->column);
            if ((col >= 0 || rows[i] == DF_ROWS_INSERT) && seqwatch_add(f, i, col, li) != DF_OK)
                f->oom = true;
            break;
        }
    }
    free(names);
}

int dfi_seqfacts_build(dfi_seqfacts *f, const df_entry *ents, size_t n, const int *rows)
{
    vedge *edges = NULL;
    size_t nedges = 0, nsets = 0;

    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < n; i++)
        nsets += dfi_et_is(&ents[i], DFI_ET_SEQUENCE_SET);
    if (nsets == 0)
        return DF_OK;
    if ((f->seqs = calloc(nsets, sizeof *f->seqs)) == NULL) {
        f->oom = true;
        return DF_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const df_entry *e = &ents[i];
        dfi_seq *q = &f->seqs[f->nseqs];

        if (!dfi_et_is(e, DFI_ET_SEQUENCE_SET) || !dfi_parse_setval(e->defn, &q->value, &q->called))
            continue;
        q->e = e;
        q->increment = 1;
        f->nseqs++;
    }
    seq_links(f, ents, n);
    table_edges(f, ents, n, &edges, &nedges);
    for (size_t li = 0; li < f->nlinks; li++)
        seq_watch(f, ents, n, rows, li, edges, nedges);
    free(edges);
    return f->oom ? DF_E_NOMEM : DF_OK;
}

void dfi_seqfacts_free(dfi_seqfacts *f)
{
    free(f->seqs);
    free(f->links);
    free(f->watch);
    memset(f, 0, sizeof *f);
}

void dfi_seqmax_take(const dfi_seqfacts *f, dfi_seqmax *m, size_t link, int64_t max,
                     const df_entry *data)
{
    const dfi_seqlink *l = &f->links[link];
    dfi_seqmax *s = &m[l->seq];

    if (s->at == NULL || max > s->max ||
        (max == s->max && !same_name(data, l->tschema, l->table))) {
        s->max = max;
        s->at = l;
    }
}

bool dfi_seq_behind(const dfi_seq *q, const dfi_seqmax *m, int64_t *next)
{
    if (m->at == NULL || q->increment < 0)
        return false;
    *next = q->value;
    if (q->called && __builtin_add_overflow(q->value, q->increment, next))
        return false;
    return *next <= m->max;
}

/* One character of an SQL string literal being built in b (at *n): a quote doubled. */
static void put_char(char *b, size_t cap, size_t *n, char ch)
{
    if (*n + 2 < cap)
        b[(*n)++] = ch;
    if (ch == '\'' && *n + 2 < cap)
        b[(*n)++] = '\'';
    b[*n] = '\0';
}

/* Identifier `id` in that literal: in double quotes unless it is plain lower case. */
static void put_ident(char *b, size_t cap, size_t *n, const char *id)
{
    bool plain = id[0] != '\0' && !isdigit((unsigned char)id[0]);

    for (const char *p = id; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || isdigit((unsigned char)*p) || *p == '_';
    if (!plain)
        put_char(b, cap, n, '"');
    for (const char *p = id; *p; p++) {
        put_char(b, cap, n, *p);
        if (*p == '"')
            put_char(b, cap, n, '"');
    }
    if (!plain)
        put_char(b, cap, n, '"');
}

void dfi_setval_sql(const dfi_seq *q, int64_t value, char *b, size_t cap)
{
    size_t n = (size_t)snprintf(b, cap, "SELECT pg_catalog.setval('");

    if (q->e->schema != NULL && q->e->schema[0] != '\0') {
        put_ident(b, cap, &n, q->e->schema);
        put_char(b, cap, &n, '.');
    }
    put_ident(b, cap, &n, q->e->tag ? q->e->tag : "");
    snprintf(b + n, cap - n, "', %lld, true);", (long long)value);
}
