/*
 * plaindeps_drop.c — the drop statements at the start of a --clean plain
 * script, parsed (DROP ..., ALTER TABLE ... DROP CONSTRAINT, lo_unlink) and
 * matched to the entry each one drops, for plaindeps.c to give them back as
 * the archive held them.
 */
#include "plaindeps.h"

#include <stdlib.h>
#include <string.h>

/*
 * A --clean script starts with the drop statements of its entries (in
 * reverse TOC order, outside every entry: the reader makes them SQL
 * STATEMENTS).  Each is given back to the entry it drops, as the archive
 * held it; when one of them cannot be placed they all stay where they are.
 */
int dfi_drop_key_cmp(const void *a, const void *b)
{
    const drop_key *x = a, *y = b;
    int c = strcmp(x->desc, y->desc);

    if (c == 0)
        c = strcmp(x->tag, y->tag);
    return c != 0 ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static bool next_is(dfi_sqlscan *sc, const char *w)
{
    dfi_sqlscan a = *sc;
    dfi_sqltok t;

    dfi_sql_next(&a, &t);
    if (!is_kw(&t, w))
        return false;
    *sc = a;
    return true;
}

static bool next_punct(dfi_sqlscan *sc, char c)
{
    dfi_sqlscan a = *sc;
    dfi_sqltok t;

    if (dfi_sql_next(&a, &t) != DFI_SQL_PUNCT || t.p[0] != c)
        return false;
    *sc = a;
    return true;
}

/* [schema.]name into schema (or "") and name. */
static bool qualified(dfi_sqlscan *sc, char *schema, char *name)
{
    dfi_sqltok t;

    if (dfi_sql_next(sc, &t), !is_name(&t))
        return false;
    schema[0] = '\0';
    memcpy(name, t.name, t.name_len + 1);
    if (next_punct(sc, '.')) {
        memcpy(schema, name, t.name_len + 1);
        if (dfi_sql_next(sc, &t), !is_name(&t))
            return false;
        memcpy(name, t.name, t.name_len + 1);
    }
    return true;
}

/* ALTER TABLE [IF EXISTS] [ONLY] t DROP CONSTRAINT [IF EXISTS] c | ALTER COLUMN c DROP DEFAULT */
static bool parse_alter_drop(dfi_sqlscan *sc, drop_target *d)
{
    char tab[DFI_SQL_NAME_CAP + 1], col[DFI_SQL_NAME_CAP + 1];
    dfi_sqltok t;

    if (!next_is(sc, "table"))
        return false;
    if (next_is(sc, "if"))
        next_is(sc, "exists");
    next_is(sc, "only");
    if (!qualified(sc, d->schema, tab))
        return false;
    if (next_is(sc, "drop") && next_is(sc, "constraint")) {
        if (next_is(sc, "if"))
            next_is(sc, "exists");
        d->descs[0] = "CONSTRAINT", d->descs[1] = "FK CONSTRAINT", d->descs[2] = "CHECK CONSTRAINT";
    } else if (next_is(sc, "alter") && next_is(sc, "column")) {
        d->descs[0] = "DEFAULT";
    } else {
        return false;
    }
    if (dfi_sql_next(sc, &t), !is_name(&t))
        return false;
    memcpy(col, t.name, t.name_len + 1);
    if (d->descs[0][0] == 'D' && !(next_is(sc, "drop") && next_is(sc, "default")))
        return false;
    snprintf(d->tag, sizeof d->tag, "%s %s", tab, col);
    memcpy(d->name, col, sizeof d->name);
    return true;
}

static bool all_upper(const dfi_sqltok *t)
{
    for (size_t k = 0; k < t->n; k++)
        if (!(t->p[k] >= 'A' && t->p[k] <= 'Z'))
            return false;
    return t->kind == DFI_SQL_WORD;
}

/* DROP KIND [IF EXISTS] [schema.]name [(args)] [ON [schema.]table] */
static bool parse_plain_drop(dfi_sqlscan *sc, drop_target *d, char *kind, size_t kn)
{
    char name[DFI_SQL_NAME_CAP + 1], tab[DFI_SQL_NAME_CAP + 1];
    dfi_sqlscan a;
    dfi_sqltok t;
    size_t k = 0;

    for (a = *sc; dfi_sql_next(&a, &t) == DFI_SQL_WORD && all_upper(&t) &&
                  strcmp(t.name, "if") != 0 && k + t.n + 2 < kn;
         *sc = a) {
        if (k > 0)
            kind[k++] = ' ';
        memcpy(kind + k, t.p, t.n);
        k += t.n;
    }
    kind[k] = '\0';
    if (k == 0)
        return false;
    if (next_is(sc, "if"))
        next_is(sc, "exists");
    if (!qualified(sc, d->schema, name))
        return false;
    d->descs[0] = kind;
    snprintf(d->tag, sizeof d->tag, "%s", name);
    a = *sc;
    if (next_punct(&a, '(')) { /* a function's argument types, as its tag has them */
        const char *open = strchr(sc->s, '('), *close = open ? strchr(open, ')') : NULL;
        if (close == NULL || strlen(d->tag) + (size_t)(close - open) + 2 > sizeof d->tag)
            return false;
        strncat(d->tag, open, (size_t)(close - open) + 1);
        sc->s = close + 1;
    }
    if (next_is(sc, "on")) { /* TRIGGER, POLICY, RULE: tagged "table name" */
        if (!qualified(sc, d->schema, tab))
            return false;
        snprintf(d->tag, sizeof d->tag, "%s %s", tab, name);
        memcpy(d->name, name, sizeof d->name);
    }
    return true;
}

/*
 * SELECT pg_catalog.lo_unlink('oid'), or with --if-exists SELECT pg_catalog.lo_unlink(oid)
 * FROM pg_catalog.pg_largeobject_metadata WHERE oid = 'oid'
 */
static bool parse_lo_unlink(dfi_sqlscan *sc, drop_target *d)
{
    dfi_sqltok t;

    if (next_is(sc, "pg_catalog"))
        next_punct(sc, '.');
    if (!next_is(sc, "lo_unlink") || !next_punct(sc, '('))
        return false;
    if (next_is(sc, "oid"))
        while (dfi_sql_next(sc, &t) != DFI_SQL_END && !is_kw(&t, "where"))
            ;
    if (next_is(sc, "oid") && !next_punct(sc, '='))
        return false;
    if (dfi_sql_next(sc, &t) != DFI_SQL_STRING || t.name_len == 0 || t.name_len >= sizeof d->tag)
        return false;
    memcpy(d->tag, t.name, t.name_len + 1);
    d->descs[0] = "BLOB";
    return true;
}

bool dfi_drop_parse(const char *s, size_t n, bool std, drop_target *d, char *kind, size_t kn)
{
    dfi_sqlscan sc = {s, s + n, std};
    dfi_sqltok t;

    memset(d, 0, sizeof *d);
    dfi_sql_next(&sc, &t);
    if (is_kw(&t, "drop"))
        return parse_plain_drop(&sc, d, kind, kn);
    if (is_kw(&t, "alter"))
        return parse_alter_drop(&sc, d);
    return is_kw(&t, "select") && parse_lo_unlink(&sc, d);
}

/* The next argument of a list "a, b, c)" (trimmed) at *p: its length; *p moves past it. */
static size_t next_arg(const char **p, const char **arg)
{
    const char *s = *p, *e;
    int depth = 0;

    while (*s == ' ' || *s == '(')
        s++;
    for (e = s; *e && !(depth == 0 && (*e == ',' || *e == ')')); e++)
        depth += *e == '(' ? 1 : *e == ')' ? -1 : 0;
    *arg = s;
    *p = *e ? e + 1 : e;
    while (e > s && e[-1] == ' ')
        e--;
    return (size_t)(e - s);
}

/*
 * A drop names a function with its arguments' names and modes ("f(p_id bigint)"), the tag
 * has their types only ("f(bigint)"): each type must end its argument (OUT ones skipped).
 */
static bool same_signature(const char *drop, const char *tag)
{
    const char *dp = strchr(drop, '('), *tp = strchr(tag, '(');

    if (!dp || !tp || dp - drop != tp - tag || strncmp(drop, tag, (size_t)(dp - drop)) != 0)
        return false;
    for (;;) {
        const char *da, *ta;
        size_t dn = next_arg(&dp, &da), tn = next_arg(&tp, &ta);
        while (dn >= 4 && strncmp(da, "OUT ", 4) == 0)
            dn = next_arg(&dp, &da);
        if (dn == 0 || tn == 0)
            return dn == tn;
        if (tn > dn || strncmp(da + dn - tn, ta, tn) != 0 || (dn > tn && da[dn - tn - 1] != ' '))
            return false;
    }
}

/* The entry a drop statement belongs to (not given one yet), NONE when none is. */
static size_t drop_owner_as(const df_plain_toc *t, const drop_key *keys, size_t nk,
                            const drop_target *d, const char *tag)
{
    const char *paren = strchr(tag, '(');
    size_t plen = paren ? (size_t)(paren - tag) + 1 : strlen(tag) + 1;

    for (int k = 0; k < 3 && d->descs[k]; k++) {
        drop_key probe = {d->descs[k], tag, 0};
        char prefix[sizeof d->tag];
        size_t lo = 0, hi = nk;

        memcpy(prefix, tag, plen); /* a function: every overload, then the signature */
        prefix[paren ? plen : plen - 1] = '\0';
        probe.tag = prefix;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (dfi_drop_key_cmp(&keys[mid], &probe) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < nk && strcmp(keys[lo].desc, probe.desc) == 0 &&
               (paren ? strncmp(keys[lo].tag, prefix, plen) == 0 : strcmp(keys[lo].tag, prefix) == 0);
             lo++) {
            const df_plain_entry *e = &t->e[keys[lo].idx];
            if (e->drop_stmt == NULL && (d->schema[0] == '\0' || streq(e->schema, d->schema)) &&
                (!paren || same_signature(tag, e->tag)))
                return keys[lo].idx;
        }
    }
    return NONE;
}

size_t dfi_drop_owner(const df_plain_toc *t, const drop_key *keys, size_t nk, const drop_target *d)
{
    size_t o = drop_owner_as(t, keys, nk, d, d->tag);

    return o != NONE || d->name[0] == '\0' ? o : drop_owner_as(t, keys, nk, d, d->name);
}
