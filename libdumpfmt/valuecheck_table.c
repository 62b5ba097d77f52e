/*
 * valuecheck_table.c — the column types of a table for dumpcheck's value
 * checks, read from its TOC entries: a type's spelling to a kind and
 * modifiers, the CREATE TABLE column list, inherited and ALTER TABLE ... ADD
 * columns, domains and enums followed to their base.  The values themselves
 * are checked in valuecheck.c.
 */
#include "valuecheck.h"
#include "copycheck.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * INSERT-format data, and columns added by ALTER TABLE, are looked for in
 * dumps of at most this many TOC entries: both scan the TOC once per table,
 * quadratic in big dumps (a tar of 50,000 tables: minutes).
 */
#define V_INSERT_TOC_MAX 10000
/* Domains over domains followed at most this deep. */
#define V_DOMAIN_DEPTH 8

/* ------------------------------------------------------ types from text */

/*
 * "time(p) with time zone", "timestamp(p) without time zone", "interval(p)":
 * the precision only rounds the fraction, so the kind is that of the name
 * without it.
 */
static bool time_precision(const char *type, size_t n, const char *paren, dfi_vcol *c)
{
    char name[64];
    const char *close = memchr(paren, ')', n - (size_t)(paren - type));
    size_t head = (size_t)(paren - type), tail;
    int array = c->array;

    if (close == NULL || close - paren < 2 || close - paren > 2 || !isdigit((unsigned char)paren[1]))
        return false;
    tail = n - (size_t)(close + 1 - type);
    if ((strncmp(type, "time", head) != 0 && strncmp(type, "timestamp", head) != 0 &&
         strncmp(type, "interval", head) != 0) ||
        head + tail >= sizeof name)
        return false;
    memcpy(name, type, head);
    memcpy(name + head, close + 1, tail);
    name[head + tail] = '\0';
    dfi_vcol_parse_type(c, name);
    c->array = array;
    return c->kind >= DFI_VK_DATE && c->kind <= DFI_VK_INTERVAL;
}

/* "name", "name(a)", "name(a,b)" after pg_catalog. is dropped: kind and modifiers. */
void dfi_vcol_parse_type(dfi_vcol *c, const char *type)
{
    static const struct {
        const char *name;
        int kind;
    } names[] = {
        {"smallint", DFI_VK_INT2},
        {"int2", DFI_VK_INT2},
        {"integer", DFI_VK_INT4},
        {"int", DFI_VK_INT4},
        {"int4", DFI_VK_INT4},
        {"bigint", DFI_VK_INT8},
        {"int8", DFI_VK_INT8},
        {"oid", DFI_VK_OID},
        {"numeric", DFI_VK_NUMERIC},
        {"decimal", DFI_VK_NUMERIC},
        {"real", DFI_VK_FLOAT4},
        {"float4", DFI_VK_FLOAT4},
        {"double precision", DFI_VK_FLOAT8},
        {"float8", DFI_VK_FLOAT8},
        {"boolean", DFI_VK_BOOL},
        {"bool", DFI_VK_BOOL},
        {"uuid", DFI_VK_UUID},
        {"text", DFI_VK_TEXT},
        {"name", DFI_VK_TEXT},
        {"character varying", DFI_VK_VARCHAR},
        {"varchar", DFI_VK_VARCHAR},
        {"character", DFI_VK_BPCHAR},
        {"char", DFI_VK_BPCHAR},
        {"bpchar", DFI_VK_BPCHAR},
        {"bytea", DFI_VK_BYTEA},
        {"json", DFI_VK_JSON},
        {"jsonb", DFI_VK_JSONB},
        {"macaddr", DFI_VK_MACADDR},
        {"macaddr8", DFI_VK_MACADDR8},
        {"inet", DFI_VK_INET},
        {"cidr", DFI_VK_CIDR},
        {"date", DFI_VK_DATE},
        {"time", DFI_VK_TIME},
        {"time without time zone", DFI_VK_TIME},
        {"time with time zone", DFI_VK_TIMETZ},
        {"timetz", DFI_VK_TIMETZ},
        {"timestamp", DFI_VK_TIMESTAMP},
        {"timestamp without time zone", DFI_VK_TIMESTAMP},
        {"timestamp with time zone", DFI_VK_TIMESTAMPTZ},
        {"timestamptz", DFI_VK_TIMESTAMPTZ},
        {"interval", DFI_VK_INTERVAL},
    };
    char base[64];
    size_t n = strlen(type);
    const char *paren;
    size_t bl;

    c->kind = DFI_VK_NONE;
    c->array = 0;
    c->mod1 = c->mod2 = -1;
    while (n >= 2 && type[n - 2] == '[' && type[n - 1] == ']') {
        c->array++;
        n -= 2;
    }
    if (n > 11 && strncmp(type, "pg_catalog.", 11) == 0) {
        type += 11;
        n -= 11;
    }
    paren = memchr(type, '(', n);
    if (paren != NULL && time_precision(type, n, paren, c))
        return;
    bl = paren ? (size_t)(paren - type) : n;
    if (bl == 0 || bl >= sizeof base)
        return;
    memcpy(base, type, bl);
    base[bl] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(base, names[i].name) != 0)
            continue;
        c->kind = names[i].kind;
        break;
    }
    if (c->kind == DFI_VK_NONE)
        return;
    if (paren != NULL) {
        char *end;
        long a = strtol(paren + 1, &end, 10), b = 0;
        if (*end == ',')
            b = strtol(end + 1, &end, 10);
        if (*end != ')' || (size_t)(end + 1 - type) != n || a < 1 || a > 10485760 || b < -1000 ||
            b > 1000 ||
            (c->kind != DFI_VK_NUMERIC && c->kind != DFI_VK_VARCHAR && c->kind != DFI_VK_BPCHAR)) {
            c->kind = DFI_VK_NONE;
            return;
        }
        c->mod1 = (int)a;
        c->mod2 = (int)b;
    } else if (c->kind == DFI_VK_BPCHAR && strcmp(base, "character") == 0) {
        c->mod1 = 1; /* "character" alone is char(1) */
    }
}

/* ------------------------------------------------- definitions in the TOC */

/* Skip a quoted identifier or literal starting at s (quote q doubled inside). */
static const char *skip_quoted(const char *s)
{
    char q = *s++;

    for (; *s; s++)
        if (*s == q) {
            if (s[1] != q)
                return s + 1;
            s++;
        }
    return s;
}

/* An identifier at *s, unquoted into out; false when there is none. */
static bool take_ident(const char **s, char *out, size_t cap)
{
    const char *p = *s;
    size_t k = 0;

    if (*p == '"') {
        for (p++; *p; p++) {
            if (*p == '"') {
                if (p[1] != '"')
                    break;
                p++;
            }
            if (k + 1 < cap)
                out[k++] = *p;
        }
        if (*p != '"')
            return false;
        p++;
    } else {
        while (isalnum((unsigned char)*p) || *p == '_' || *p == '$' || (unsigned char)*p >= 0x80) {
            if (k + 1 < cap)
                out[k++] = *p;
            p++;
        }
        if (k == 0)
            return false;
    }
    out[k] = '\0';
    *s = p;
    return true;
}

/* Uppercase keyword at p, as a whole word. */
static bool keyword_at(const char *p, const char *kw)
{
    size_t n = strlen(kw);

    return strncmp(p, kw, n) == 0 && !isalnum((unsigned char)p[n]) && p[n] != '_';
}

static bool word_start(const char *start, const char *p)
{
    return p == start || isspace((unsigned char)p[-1]) || p[-1] == ')';
}

/*
 * A column or domain definition from s to end: its type text (until the
 * first constraint keyword at depth 0) and whether it says NOT NULL (not
 * "IS NOT NULL", not "NOT NULL NOT VALID").
 */
static void split_def(const char *s, const char *end, char *type, size_t cap, bool *notnull)
{
    static const char *const stops[] = {"COLLATE", "DEFAULT",     "NOT",     "NULL",   "CONSTRAINT",
                                        "CHECK",   "GENERATED",   "PRIMARY", "UNIQUE", "REFERENCES",
                                        "STORAGE", "COMPRESSION", "WITH"};
    const char *tend = NULL;
    int depth = 0;

    *notnull = false;
    while (s < end && isspace((unsigned char)*s))
        s++;
    for (const char *p = s; p < end; p++) {
        if (*p == '\'' || *p == '"') {
            p = skip_quoted(p) - 1;
            if (p >= end)
                break;
            continue;
        }
        if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        if (depth != 0 || !word_start(s, p) || !isupper((unsigned char)*p))
            continue;
        for (size_t k = 0; k < sizeof stops / sizeof stops[0] && tend == NULL; k++)
            if (keyword_at(p, stops[k]))
                tend = p;
        if (keyword_at(p, "NOT") && keyword_at(p + 3 + strspn(p + 3, " \t\n"), "NULL")) {
            const char *q = p + 3 + strspn(p + 3, " \t\n") + 4;
            bool is = p - s >= 3 && strncmp(p - 3, "IS ", 3) == 0;
            q += strspn(q, " \t\n");
            if (!is && !keyword_at(q, "NOT"))
                *notnull = true;
        }
    }
    if (tend == NULL)
        tend = end;
    while (tend > s && isspace((unsigned char)tend[-1]))
        tend--;
    if ((size_t)(tend - s) >= cap)
        tend = s; /* too long to be a type this file knows */
    memcpy(type, s, (size_t)(tend - s));
    type[tend - s] = '\0';
}

typedef struct vcat {
    const df_entry *const *idx; /* every entry with desc and tag, sorted by (desc, tag, schema) */
    size_t n;
    const df_entry *const *alters; /* entries that may add columns (dfi_vindex) */
    size_t nalters;
    const char *db; /* pg_dumpall scripts: the database whose section holds the data */
} vcat;

/* "schema.name" (either part quoted) of a type spelling, without "[]" and modifiers. */
static bool type_qualified(const char *t, char *schema, char *name, size_t cap)
{
    const char *p = t;

    if (!take_ident(&p, schema, cap) || *p != '.')
        return false;
    p++;
    if (!take_ident(&p, name, cap))
        return false;
    while (*p == '[' && p[1] == ']')
        p += 2;
    return *p == '\0';
}

static int cmp_key(const df_entry *e, const char *desc, const char *tag, const char *schema)
{
    int c = strcmp(e->desc, desc);

    if (c == 0)
        c = strcmp(e->tag, tag);
    if (c == 0)
        c = strcmp(e->schema ? e->schema : "", schema);
    return c;
}

/* The first entry of that kind and name in the section of k->db: a binary search, because a
   dump of 50,000 tables asks once per table (a linear scan made verification quadratic). */
static const df_entry *find_entry(const vcat *k, const char *desc, const char *schema,
                                  const char *tag)
{
    size_t lo = 0, hi = k->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_key(k->idx[mid], desc, tag, schema) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < k->n && cmp_key(k->idx[lo], desc, tag, schema) == 0; lo++) {
        const df_entry *e = k->idx[lo];
        if (e->database == k->db || (e->database && k->db && strcmp(e->database, k->db) == 0))
            return e;
    }
    return NULL;
}

static int cmp_entries(const void *a, const void *b)
{
    const df_entry *x = *(const df_entry *const *)a, *y = *(const df_entry *const *)b;
    int c = cmp_key(x, y->desc, y->tag, y->schema ? y->schema : "");

    /* Equal names keep TOC order, so the first of them is found as a linear scan found it. */
    return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

/* "ALTER TABLE ... ADD x" where x is not CONSTRAINT: the text may add a column. */
static bool may_add_column(const char *defn)
{
    const char *p = defn;

    while (p != NULL && (p = strstr(p, " ADD ")) != NULL) {
        p += 5;
        p += strspn(p, " \n\t");
        if (strncmp(p, "CONSTRAINT ", 11) != 0)
            return strstr(defn, "ALTER TABLE ") != NULL;
    }
    return false;
}

dfi_vindex *dfi_vindex_build(const df_reader *r)
{
    size_t n = df_reader_toc_count(r), k = 0, a = 0;
    dfi_vindex *ix = malloc(sizeof *ix);
    const df_entry **v = malloc((n ? n : 1) * sizeof *v);
    const df_entry **alt = malloc((n ? n : 1) * sizeof *alt);

    if (ix == NULL || v == NULL || alt == NULL) {
        free(ix);
        free(v);
        free(alt);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        if (e->desc != NULL && e->tag != NULL)
            v[k++] = e;
        if (e->defn != NULL && may_add_column(e->defn))
            alt[a++] = e;
    }
    qsort(v, k, sizeof *v, cmp_entries);
    ix->r = r;
    ix->sorted = v;
    ix->n = k;
    ix->alters = alt;
    ix->nalters = a;
    return ix;
}

void dfi_vindex_free(dfi_vindex *ix)
{
    if (ix == NULL)
        return;
    free(ix->sorted);
    free(ix->alters);
    free(ix);
}

/* Labels of "CREATE TYPE x AS ENUM ('a', 'b');"; false when the text is not that simple. */
static bool enum_labels(dfi_vcol *c, const char *defn, bool *oom)
{
    const char *p = strstr(defn, " AS ENUM (");
    size_t cap = 0;

    if (p == NULL)
        return false;
    for (p += 10;;) {
        const char *q;
        char *lab;
        size_t k = 0;
        p += strspn(p, " \t\n,");
        if (*p == ')')
            break;
        if (*p != '\'')
            return false;
        q = skip_quoted(p);
        if (q[-1] != '\'' || (lab = malloc((size_t)(q - p))) == NULL) {
            *oom = q[-1] == '\'';
            return false;
        }
        for (const char *s = p + 1; s < q - 1; s++) {
            if (*s == '\\') {
                free(lab);
                return false;
            }
            lab[k++] = *s;
            if (*s == '\'')
                s++;
        }
        lab[k] = '\0';
        if (c->nlabels == cap) {
            size_t nc = cap ? cap * 2 : 8;
            char **nl = realloc(c->labels, nc * sizeof *nl);
            if (nl == NULL) {
                free(lab);
                *oom = true;
                return false;
            }
            c->labels = nl;
            cap = nc;
        }
        c->labels[c->nlabels++] = lab;
        p = q;
    }
    return c->nlabels > 0; /* binary-upgrade dumps add labels later: not judged */
}

static void free_labels(dfi_vcol *c)
{
    for (size_t i = 0; i < c->nlabels; i++)
        free(c->labels[i]);
    free(c->labels);
    c->labels = NULL;
    c->nlabels = 0;
}

/* The column's type text: a built-in type, or a domain or enum of the TOC. */
static void resolve_type(const vcat *k, dfi_vcol *c, const char *type, int depth, bool *oom)
{
    char schema[256], name[256], base[512];
    const df_entry *e;
    int arr = 0;
    size_t n = strlen(type);

    dfi_vcol_parse_type(c, type);
    if (c->kind != DFI_VK_NONE || depth > V_DOMAIN_DEPTH ||
        !type_qualified(type, schema, name, 256))
        return;
    while (n >= 2 && type[n - 2] == '[' && type[n - 1] == ']') {
        arr++;
        n -= 2;
    }
    if ((e = find_entry(k, "TYPE", schema, name)) != NULL && e->defn != NULL) {
        if (enum_labels(c, e->defn, oom)) {
            c->kind = DFI_VK_ENUM;
            c->array = arr;
        } else {
            free_labels(c);
        }
        return;
    }
    if ((e = find_entry(k, "DOMAIN", schema, name)) != NULL && e->defn != NULL) {
        const char *as = strstr(e->defn, " AS ");
        bool nn;
        if (as == NULL)
            return;
        split_def(as + 4, as + strlen(as), base, sizeof base, &nn);
        resolve_type(k, c, base, depth + 1, oom);
        if (arr > 0) {
            if (c->array > 0) { /* an array of a domain over an array: not judged */
                free_labels(c);
                c->kind = DFI_VK_NONE;
            }
            c->array = arr;
        } else if (nn && c->array == 0) {
            c->notnull = true;
        } else if (nn) {
            c->notnull = true;
        }
    }
}

/* The position after the "(" of "CREATE TABLE name (", or NULL. */
static const char *columns_open(const char *defn)
{
    const char *p = strstr(defn, "TABLE ");

    if (p == NULL)
        return NULL;
    for (p += 6; *p && *p != '(' && *p != '\n';) /* the table name, then " (" */
        p = *p == '"' ? skip_quoted(p) : p + 1;
    return *p == '(' && p[-1] == ' ' ? p + 1 : NULL;
}

/*
 * The element of a CREATE TABLE's list at *p: its first word into name, its
 * definition after the name from *def to *end, whether it is a column (not a
 * table constraint).  *p moves to the next element (NULL after the last).
 * False when the text is not understood.
 */
static bool next_element(const char **p, char *name, size_t cap, const char **def,
                         const char **end, bool *column)
{
    static const char *const not_columns[] = {"CONSTRAINT", "CHECK",   "PRIMARY", "UNIQUE",
                                              "FOREIGN",    "EXCLUDE", "LIKE"};
    const char *s = *p + strspn(*p, " \t\n"), *q;
    int depth = 0;

    for (q = s; *q && !(depth == 0 && (*q == ',' || *q == ')')); q++) {
        if (*q == '\'' || *q == '"') {
            q = skip_quoted(q) - 1;
            continue;
        }
        depth += *q == '(';
        depth -= *q == ')';
    }
    *def = s;
    if (*q == '\0' || !take_ident(def, name, cap))
        return false;
    *column = true;
    for (size_t i = 0; i < sizeof not_columns / sizeof not_columns[0]; i++)
        if (*s != '"' && strcmp(name, not_columns[i]) == 0)
            *column = false;
    *end = q;
    *p = *q == ')' ? NULL : q + 1;
    return true;
}

/* The columns of a CREATE TABLE's list that the COPY names: types and NOT NULL. */
static void table_columns(const vcat *k, dfi_vcol *cols, int ncols, char **names, const char *defn,
                          bool *oom)
{
    const char *p = columns_open(defn), *def, *end;
    char name[256], type[512];
    bool column, nn;

    while (p != NULL && next_element(&p, name, sizeof name, &def, &end, &column)) {
        for (int i = 0; i < ncols && column; i++) {
            if (strcmp(names[i], name) != 0 || cols[i].type != NULL)
                continue;
            split_def(def, end, type, sizeof type, &nn);
            cols[i].type = strdup(type);
            if (cols[i].type == NULL) {
                *oom = true;
                return;
            }
            cols[i].notnull = nn;
            resolve_type(k, &cols[i], type, 0, oom);
            cols[i].notnull = cols[i].notnull || nn;
        }
    }
}

/* The parent tables a CREATE TABLE names (INHERITS, PARTITION OF): their TABLE entries. */
static int table_parents(const vcat *k, const char *defn, const df_entry **out, int max)
{
    const char *p;
    bool list;
    int n = 0;

    if ((p = strstr(defn, "\nINHERITS (")) != NULL)
        p += 11;
    else if ((p = strstr(defn, " PARTITION OF ")) != NULL)
        p += 14;
    else
        return 0;
    list = p[-1] == '(';
    while (n < max) {
        char schema[256], name[256];
        const df_entry *pe;
        if (!take_ident(&p, schema, sizeof schema) || *p++ != '.' ||
            !take_ident(&p, name, sizeof name))
            break;
        if ((pe = find_entry(k, "TABLE", schema, name)) != NULL && pe->defn != NULL)
            out[n++] = pe;
        if (!list || *p != ',')
            break;
        p += strspn(p, ", ");
    }
    return n;
}

/*
 * The column names of a table in the server's order, for INSERTs without a
 * column list: the parents' columns first, then its own not merged with
 * theirs.  False on out of memory.
 */
static bool table_order(const vcat *k, const char *defn, int depth, char ***names, int *n, int *cap)
{
    const df_entry *parents[16];
    int np = depth > V_DOMAIN_DEPTH ? 0 : table_parents(k, defn, parents, 16);
    const char *p = columns_open(defn), *def, *end;
    char name[256];
    bool column;

    for (int i = 0; i < np; i++)
        if (!table_order(k, parents[i]->defn, depth + 1, names, n, cap))
            return false;
    while (p != NULL && next_element(&p, name, sizeof name, &def, &end, &column)) {
        bool seen = !column;
        for (int i = 0; i < *n && !seen; i++)
            seen = strcmp((*names)[i], name) == 0;
        if (seen)
            continue;
        if (*n == *cap) {
            int nc = *cap ? *cap * 2 : 16;
            char **nn = realloc(*names, (size_t)nc * sizeof *nn);
            if (nn == NULL)
                return false;
            *names = nn;
            *cap = nc;
        }
        if (((*names)[*n] = strdup(name)) == NULL)
            return false;
        (*n)++;
    }
    return true;
}

/*
 * Columns a child does not list come from the parents its CREATE TABLE names
 * ("INHERITS (a, b)", or pg_dump 10-11's "PARTITION OF p"): their types, not
 * their NOT NULL (pg_dump 18 writes NOT NULL ... NO INHERIT on a parent).
 */
static void inherited_columns(const vcat *k, dfi_vcol *cols, int ncols, char **names,
                              const char *defn, int depth, bool *oom)
{
    const df_entry *parents[16];
    bool missing = false;
    int np;

    for (int i = 0; i < ncols; i++)
        missing = missing || cols[i].type == NULL;
    if (!missing || depth > V_DOMAIN_DEPTH)
        return;
    np = table_parents(k, defn, parents, 16);
    for (int p = 0; p < np; p++) {
        bool nn[ncols > 0 ? ncols : 1];
        for (int i = 0; i < ncols; i++)
            nn[i] = cols[i].notnull;
        table_columns(k, cols, ncols, names, parents[p]->defn, oom);
        for (int i = 0; i < ncols; i++)
            cols[i].notnull = nn[i];
        inherited_columns(k, cols, ncols, names, parents[p]->defn, depth + 1, oom);
    }
}

/*
 * Columns added after the CREATE TABLE by "ALTER TABLE [ONLY] s.t ADD
 * [COLUMN] name type ...;" in another entry of the same dump (scripts
 * edited by hand, binary-upgrade dumps).
 */
static void added_columns(const vcat *k, dfi_vcol *cols, int ncols, char **names,
                          const char *schema, const char *table, bool *oom)
{
    bool missing = false;

    for (int c = 0; c < ncols; c++)
        missing = missing || cols[c].type == NULL;
    /* only the entries that may add a column (dfi_vindex), only for columns not found yet */
    for (size_t i = 0; i < k->nalters && missing; i++) {
        const df_entry *e = k->alters[i];
        const char *p = e->defn;
        char s[256], t[256], name[256], type[512];

        while (p != NULL && (p = strstr(p, "ALTER TABLE ")) != NULL) {
            const char *q = p + 12, *end;
            bool nn;
            p = q;
            if (strncmp(q, "ONLY ", 5) == 0)
                q += 5;
            if (!take_ident(&q, s, sizeof s) || *q++ != '.' || !take_ident(&q, t, sizeof t) ||
                strcmp(s, schema) != 0 || strcmp(t, table) != 0)
                continue;
            q += strspn(q, " \n\t");
            if (strncmp(q, "ADD ", 4) != 0)
                continue;
            q += 4 + strspn(q + 4, " \n\t");
            if (strncmp(q, "COLUMN ", 7) == 0)
                q += 7 + strspn(q + 7, " \n\t");
            if (strncmp(q, "IF NOT EXISTS ", 14) == 0 || !take_ident(&q, name, sizeof name) ||
                (end = strchr(q, ';')) == NULL)
                continue;
            for (int c = 0; c < ncols; c++) {
                if (strcmp(names[c], name) != 0 || cols[c].type != NULL)
                    continue;
                split_def(q, end, type, sizeof type, &nn);
                if ((cols[c].type = strdup(type)) == NULL) {
                    *oom = true;
                    return;
                }
                resolve_type(k, &cols[c], type, 0, oom);
                cols[c].notnull = cols[c].notnull || nn;
            }
        }
    }
}

static int encoding_of(const df_reader *r)
{
    static const char *const single[] = {"LATIN", "WIN", "ISO_8859_", "KOI8"};
    size_t n = df_reader_toc_count(r);

    for (size_t i = 0; i < n; i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        const char *q;
        if (e->desc == NULL || strcmp(e->desc, "ENCODING") != 0 || e->defn == NULL)
            continue;
        q = strchr(e->defn, '\'');
        if (q == NULL)
            return DFI_ENC_UNKNOWN;
        q++;
        if (strncmp(q, "UTF8'", 5) == 0)
            return DFI_ENC_UTF8;
        if (strncmp(q, "SQL_ASCII'", 10) == 0)
            return DFI_ENC_SQL_ASCII;
        for (size_t k = 0; k < sizeof single / sizeof single[0]; k++)
            if (strncmp(q, single[k], strlen(single[k])) == 0)
                return DFI_ENC_SINGLE_BYTE;
        return DFI_ENC_UNKNOWN;
    }
    return DFI_ENC_UNKNOWN;
}

void dfi_vtable_free(dfi_vtable *t)
{
    if (t == NULL)
        return;
    for (int i = 0; i < t->ncols; i++) {
        free(t->cols[i].name);
        free(t->cols[i].type);
        free_labels(&t->cols[i]);
    }
    free(t->cols);
    free(t);
}

dfi_vtable *dfi_vtable_build(const dfi_vindex *ix, const df_entry *e, bool *oom)
{
    const df_reader *r = ix->r;
    vcat k = {ix->sorted, ix->n, ix->alters, ix->nalters, e->database};
    const df_entry *te;
    dfi_vtable *t;
    char **names = NULL;
    bool inserts = e->copy_stmt == NULL || e->copy_stmt[0] == '\0';
    int n = inserts ? 0 : dfi_copy_columns(e->copy_stmt, &names), cap = 0;

    if ((!inserts && n <= 0) || (inserts && k.n > V_INSERT_TOC_MAX)) {
        dfi_free_names(names, n > 0 ? n : 0);
        return NULL;
    }
    te = find_entry(&k, "TABLE", e->schema ? e->schema : "", e->tag ? e->tag : "");
    if (inserts && te != NULL && te->defn != NULL && !table_order(&k, te->defn, 0, &names, &n, &cap))
        *oom = true;
    if (n <= 0 || names == NULL || (!inserts && strstr(e->copy_stmt, ") WITH OIDS") != NULL)) {
        dfi_free_names(names, n > 0 ? n : 0);
        return NULL;
    }
    t = calloc(1, sizeof *t);
    if (te == NULL || te->defn == NULL || t == NULL ||
        (t->cols = calloc((size_t)n, sizeof *t->cols)) == NULL) {
        *oom = te != NULL && te->defn != NULL;
        dfi_free_names(names, n);
        free(t);
        return NULL;
    }
    t->ncols = n;
    t->encoding = encoding_of(r);
    for (int i = 0; i < n; i++)
        t->cols[i].mod1 = t->cols[i].mod2 = -1;
    table_columns(&k, t->cols, n, names, te->defn, oom);
    inherited_columns(&k, t->cols, n, names, te->defn, 0, oom);
    added_columns(&k, t->cols, n, names, te->schema ? te->schema : "", te->tag ? te->tag : "",
                  oom);
    for (int i = 0; i < n; i++) {
        t->cols[i].name = names[i];
        names[i] = NULL;
        t->nchecked += t->cols[i].kind != DFI_VK_NONE || t->cols[i].notnull;
    }
    dfi_free_names(names, n);
    return t;
}
