/*
 * target.c — a snapshot of a restore target (roles, memberships, objects,
 * extensions, tablespaces, encoding, row counts), filled by the caller
 * (the library knows no libpq), and its comparison with a dump: the
 * preflight before a restore and the verification after it.
 *
 * Objects are keyed as the TOC names them ("KIND\x1fschema\x1ftag"),
 * sorted once on first lookup, so each TOC entry costs one bsearch.
 */
#include "internal.h"
#include "entrytype.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest name (role, schema, tag) taken into a snapshot; longer ones are refused. */
#define TARGET_NAME_MAX 4096

typedef struct tgt_obj {
    char *key; /* kind \x1f schema \x1f name */
    char *owner; /* objects: the owner when known, else NULL */
    int invalid;
    int64_t rows; /* TABLE rows, -1 unknown */
} tgt_obj;

typedef struct tgt_set {
    tgt_obj *v;
    size_t n, cap;
    bool sorted;
} tgt_set;

struct df_target {
    int server_num;
    char *encoding;
    int empty;
    tgt_set roles, members, objects, extensions, tablespaces, rows;
    tgt_set sequences; /* schema, name, column; rows = column max; next in `nexts` */
    int64_t *nexts;
    size_t cap_nexts;
    int64_t los; /* -1: unknown */
};

struct df_tcheck {
    df_tfinding *v;
    size_t n, cap;
    int64_t tables, rows;
    int64_t los; /* the dump's large objects, -1: not compared */
};

/* ---- the snapshot ------------------------------------------------------------------------- */

df_target *df_target_new(void)
{
    df_target *t = calloc(1, sizeof(df_target));

    if (t != NULL)
        t->los = -1;
    return t;
}

/* A snapshot call's result: what went wrong into err (fn names the call). */
static int tfail(int rc, const char *fn, df_error *err)
{
    switch (rc) {
    case DF_OK: return DF_OK;
    case DF_E_USAGE: return dfi_fail(err, rc, -1, "%s: missing or negative argument", fn);
    case DF_E_LIMIT:
        return dfi_fail(err, rc, -1, "%s: a name longer than %d bytes", fn, TARGET_NAME_MAX);
    default: return dfi_fail(err, rc, -1, "out of memory");
    }
}

int df_target_set_large_objects(df_target *t, int64_t count, df_error *err)
{
    if (t == NULL || count < 0)
        return tfail(DF_E_USAGE, "df_target_set_large_objects", err);
    t->los = count;
    return DF_OK;
}

static void set_free(tgt_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].key);
        free(s->v[i].owner);
    }
    free(s->v);
}

void df_target_free(df_target *t)
{
    if (t == NULL)
        return;
    free(t->encoding);
    set_free(&t->roles);
    set_free(&t->members);
    set_free(&t->objects);
    set_free(&t->extensions);
    set_free(&t->tablespaces);
    set_free(&t->rows);
    set_free(&t->sequences);
    free(t->nexts);
    free(t);
}

/* "a\x1fb\x1fc" of up to three parts (NULL parts are empty); NULL when too long or ENOMEM. */
static char *make_key(const char *a, const char *b, const char *c)
{
    size_t la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0, lc = c ? strlen(c) : 0;
    char *k;

    if (la > TARGET_NAME_MAX || lb > TARGET_NAME_MAX || lc > TARGET_NAME_MAX)
        return NULL;
    k = malloc(la + lb + lc + 3);
    if (k == NULL)
        return NULL;
    memcpy(k, a ? a : "", la);
    k[la] = '\x1f';
    memcpy(k + la + 1, b ? b : "", lb);
    k[la + 1 + lb] = '\x1f';
    memcpy(k + la + lb + 2, c ? c : "", lc);
    k[la + lb + lc + 2] = '\0';
    return k;
}

static int set_add(tgt_set *s, const char *a, const char *b, const char *c, int invalid,
                   int64_t rows)
{
    char *key;

    if ((a != NULL && strlen(a) > TARGET_NAME_MAX) || (b != NULL && strlen(b) > TARGET_NAME_MAX) ||
        (c != NULL && strlen(c) > TARGET_NAME_MAX))
        return DF_E_LIMIT;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        tgt_obj *v = realloc(s->v, cap * sizeof *v);
        if (v == NULL)
            return DF_E_NOMEM;
        s->v = v;
        s->cap = cap;
    }
    if ((key = make_key(a, b, c)) == NULL)
        return DF_E_NOMEM;
    s->v[s->n].key = key;
    s->v[s->n].owner = NULL;
    s->v[s->n].invalid = invalid;
    s->v[s->n].rows = rows;
    s->n++;
    s->sorted = false;
    return DF_OK;
}

static int obj_cmp(const void *a, const void *b)
{
    return strcmp(((const tgt_obj *)a)->key, ((const tgt_obj *)b)->key);
}

/* Sorting is a cache: the snapshot is logically const once filled. */
static const tgt_obj *set_find(const tgt_set *cs, const char *a, const char *b, const char *c)
{
    tgt_set *s = (tgt_set *)cs;
    tgt_obj probe;
    const tgt_obj *hit;

    if (!s->sorted) {
        if (s->n > 1)
            qsort(s->v, s->n, sizeof *s->v, obj_cmp);
        s->sorted = true;
    }
    if (s->n == 0 || (probe.key = make_key(a, b, c)) == NULL)
        return NULL;
    hit = bsearch(&probe, s->v, s->n, sizeof *s->v, obj_cmp);
    free(probe.key);
    return hit;
}

int df_target_set_server(df_target *t, int server_num, const char *encoding, int empty,
                         df_error *err)
{
    if (t == NULL)
        return tfail(DF_E_USAGE, "df_target_set_server", err);
    t->server_num = server_num;
    t->empty = empty;
    free(t->encoding);
    t->encoding = NULL;
    if (encoding != NULL && (t->encoding = strdup(encoding)) == NULL)
        return tfail(DF_E_NOMEM, "df_target_set_server", err);
    return DF_OK;
}

int df_target_add_role(df_target *t, const char *name, df_error *err)
{
    return tfail(t == NULL || name == NULL ? DF_E_USAGE
                                           : set_add(&t->roles, name, NULL, NULL, 0, -1),
                 "df_target_add_role", err);
}

int df_target_add_membership(df_target *t, const char *role, const char *member, df_error *err)
{
    if (t == NULL || role == NULL || member == NULL)
        return tfail(DF_E_USAGE, "df_target_add_membership", err);
    return tfail(set_add(&t->members, role, member, NULL, 0, -1), "df_target_add_membership", err);
}

/* Schemas and extensions are found by name alone. */
static const char *kind_schema(const char *kind, const char *schema)
{
    return strcmp(kind, "SCHEMA") == 0 || strcmp(kind, "EXTENSION") == 0 ? NULL : schema;
}

static int add_object(df_target *t, const char *kind, const char *schema, const char *name,
                      int invalid, const char *owner)
{
    int rc;

    if (t == NULL || kind == NULL || name == NULL)
        return DF_E_USAGE;
    rc = set_add(&t->objects, kind, kind_schema(kind, schema), name, invalid != 0, -1);
    if (rc != DF_OK || owner == NULL)
        return rc;
    if (strlen(owner) > TARGET_NAME_MAX)
        return DF_E_LIMIT;
    if ((t->objects.v[t->objects.n - 1].owner = strdup(owner)) == NULL)
        return DF_E_NOMEM;
    return DF_OK;
}

int df_target_add_object(df_target *t, const char *kind, const char *schema, const char *name,
                         int invalid, df_error *err)
{
    return tfail(add_object(t, kind, schema, name, invalid, NULL), "df_target_add_object", err);
}

int df_target_add_owned_object(df_target *t, const char *kind, const char *schema, const char *name,
                               int invalid, const char *owner, df_error *err)
{
    return tfail(add_object(t, kind, schema, name, invalid, owner), "df_target_add_owned_object",
                 err);
}

int df_target_add_available_extension(df_target *t, const char *name, df_error *err)
{
    return tfail(t == NULL || name == NULL ? DF_E_USAGE
                                           : set_add(&t->extensions, name, NULL, NULL, 0, -1),
                 "df_target_add_available_extension", err);
}

int df_target_add_tablespace(df_target *t, const char *name, df_error *err)
{
    return tfail(t == NULL || name == NULL ? DF_E_USAGE
                                           : set_add(&t->tablespaces, name, NULL, NULL, 0, -1),
                 "df_target_add_tablespace", err);
}

int df_target_add_rows(df_target *t, const char *schema, const char *table, int64_t rows,
                       df_error *err)
{
    if (t == NULL || table == NULL || rows < 0)
        return tfail(DF_E_USAGE, "df_target_add_rows", err);
    return tfail(set_add(&t->rows, schema, table, NULL, 0, rows), "df_target_add_rows", err);
}

static int add_sequence(df_target *t, const char *schema, const char *name, const char *column,
                        int64_t next_value, int64_t column_max)
{
    int rc;

    if (t == NULL || name == NULL || column == NULL)
        return DF_E_USAGE;
    if (t->sequences.n == t->cap_nexts) {
        size_t cap = t->cap_nexts ? 2 * t->cap_nexts : 16;
        int64_t *v = realloc(t->nexts, cap * sizeof *v);
        if (v == NULL)
            return DF_E_NOMEM;
        t->nexts = v;
        t->cap_nexts = cap;
    }
    rc = set_add(&t->sequences, schema, name, column, 0, column_max);
    if (rc == DF_OK)
        t->nexts[t->sequences.n - 1] = next_value;
    return rc;
}

int df_target_add_sequence(df_target *t, const char *schema, const char *name, const char *column,
                           int64_t next_value, int64_t column_max, df_error *err)
{
    return tfail(add_sequence(t, schema, name, column, next_value, column_max),
                 "df_target_add_sequence", err);
}

/* ---- findings ----------------------------------------------------------------------------- */

static char *vformat(const char *fmt, va_list ap)
{
    va_list cp;
    int n;
    char *s;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
        return NULL;
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* Add a finding; `object`, `message` and `fix` are taken over (NULL message: ENOMEM). */
static int add(df_tcheck *c, int severity, const char *code, char *object, char *message,
               char *fix)
{
    df_tfinding *f;

    if (message == NULL || object == NULL) {
        free(object);
        free(message);
        free(fix);
        return DF_E_NOMEM;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        df_tfinding *v = realloc(c->v, cap * sizeof *v);
        if (v == NULL) {
            free(object);
            free(message);
            free(fix);
            return DF_E_NOMEM;
        }
        c->v = v;
        c->cap = cap;
    }
    f = &c->v[c->n++];
    f->severity = severity;
    f->code = code;
    f->object = object;
    f->message = message;
    f->fix = fix;
    f->expected = f->found = -1;
    return DF_OK;
}

void df_tcheck_free(df_tcheck *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free((char *)c->v[i].object);
        free((char *)c->v[i].message);
        free((char *)c->v[i].fix);
    }
    free(c->v);
    free(c);
}

size_t df_tcheck_count(const df_tcheck *c)
{
    return c ? c->n : 0;
}

const df_tfinding *df_tcheck_at(const df_tcheck *c, size_t i)
{
    return c && i < c->n ? &c->v[i] : NULL;
}

int df_tcheck_verdict(const df_tcheck *c)
{
    int v = DF_VERDICT_OK;

    for (size_t i = 0; c != NULL && i < c->n; i++) {
        int s = c->v[i].severity;
        if (s == DF_SEVERITY_ERROR || (s > v && v != DF_VERDICT_DAMAGED))
            v = s == DF_SEVERITY_ERROR ? DF_VERDICT_DAMAGED : s;
    }
    return v;
}

int64_t df_tcheck_tables(const df_tcheck *c)
{
    return c ? c->tables : 0;
}

int64_t df_tcheck_rows(const df_tcheck *c)
{
    return c ? c->rows : 0;
}

int64_t df_tcheck_large_objects(const df_tcheck *c)
{
    return c ? c->los : -1;
}

/* ---- the objects a TOC entry makes -------------------------------------------------------- */

/* Entries whose object the catalog must hold after a restore (entrytype.c). */
static bool is_checked_kind(const df_entry *e)
{
    return dfi_ek_is(e, DFI_EK_CATALOG);
}

/* "TABLE public.t", or "SCHEMA s" for objects outside schemas. */
static char *entry_object(const df_entry *e)
{
    const char *schema = kind_schema(e->desc, e->schema);

    if (schema != NULL && schema[0] != '\0')
        return format("%s %s.%s", e->desc, schema, e->tag);
    return format("%s %s", e->desc, e->tag);
}

/*
 * Whether restoring the entry makes its object: not when the definition is only a comment
 * (the public schema, pg_dump 15).
 */
static bool entry_makes(const df_entry *e)
{
    const char *d = e->defn;

    if (d == NULL)
        return false;
    while (*d == ' ' || *d == '\n' || *d == '\t')
        d++;
    return *d != '\0' && strncmp(d, "--", 2) != 0;
}

/* Whether an existing object collides with the entry: not when it says IF NOT EXISTS. */
static bool entry_creates(const df_entry *e)
{
    return entry_makes(e) && strstr(e->defn, "IF NOT EXISTS") == NULL;
}

/* ---- preflight ---------------------------------------------------------------------------- */

static int check_collisions(df_reader *r, const df_target *t, const df_preflight_options *o,
                            df_tcheck *c)
{
    int sev = o->clean || o->allow_existing ? DF_SEVERITY_WARNING : DF_SEVERITY_ERROR;
    int rc = DF_OK;

    for (size_t i = 0; rc == DF_OK && i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        if (!is_checked_kind(e) || e->tag == NULL || !entry_creates(e))
            continue;
        if (set_find(&t->objects, e->desc, kind_schema(e->desc, e->schema), e->tag) == NULL)
            continue;
        rc = add(c, sev, DF_TFIND_NOT_EMPTY, entry_object(e),
                 format("already exists on the target"),
                 format(o->clean ? "--clean drops it first"
                                 : "restore into an empty database, or use --clean "
                                   "(drops the dump's objects first) or --allow-existing"));
    }
    return rc;
}

static int check_roles(df_roles *roles, const df_target *t, const df_preflight_options *o,
                       df_tcheck *c)
{
    const char **names = NULL;
    int rc = DF_OK;

    if (t->roles.n > 0 && (names = calloc(t->roles.n, sizeof *names)) == NULL)
        rc = DF_E_NOMEM;
    for (size_t i = 0; rc == DF_OK && i < t->roles.n; i++) {
        const char *k = t->roles.v[i].key; /* "name\x1f\x1f" */
        if ((names[i] = strndup(k, (size_t)(strchr(k, '\x1f') - k))) == NULL)
            rc = DF_E_NOMEM;
    }
    if (rc == DF_OK)
        rc = df_roles_compare(roles, names, t->roles.n, 1, NULL, NULL);
    for (size_t i = 0; names != NULL && i < t->roles.n; i++)
        free((char *)names[i]);
    free(names);
    for (size_t i = 0; rc == DF_OK && i < df_roles_count(roles); i++) {
        const df_role *ro = df_roles_at(roles, i);
        if (!ro->missing || !(ro->when & DF_ROLE_WHEN_ALWAYS))
            continue;
        rc = add(c, DF_SEVERITY_ERROR, DF_TFIND_ROLE_MISSING, format("role %s", ro->name),
                 format("does not exist on the target; %lld reference(s) in the dump",
                        (long long)(ro->refs[DF_ROLE_OWNER] + ro->refs[DF_ROLE_GRANTEE] +
                                    ro->refs[DF_ROLE_GRANTOR] + ro->refs[DF_ROLE_POLICY])),
                 format("--create-roles (with --globals FILE for the source's attributes), or "
                        "dumproles --create"));
    }
    for (size_t i = 0; rc == DF_OK && o->globals != NULL &&
                       i < df_roles_membership_count(o->globals);
         i++) {
        const df_role_membership *m = df_roles_membership_at(o->globals, i);
        if (df_roles_find(roles, m->role) == NULL && df_roles_find(roles, m->member) == NULL)
            continue;
        if (set_find(&t->members, m->role, m->member, NULL) != NULL)
            continue;
        rc = add(c, DF_SEVERITY_ERROR, DF_TFIND_MEMBERSHIP_MISSING,
                 format("role %s", m->member), format("is not a member of role %s", m->role),
                 format("GRANT \"%s\" TO \"%s\", or --create-roles --globals FILE", m->role,
                        m->member));
    }
    return rc;
}

/* The extensions and tablespaces the entries need. */
static int check_needs(df_reader *r, const df_target *t, df_tcheck *c)
{
    int rc = DF_OK;

    for (size_t i = 0; rc == DF_OK && i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        if (dfi_et_is(e, DFI_ET_EXTENSION) && e->tag != NULL &&
            set_find(&t->extensions, e->tag, NULL, NULL) == NULL)
            rc = add(c, DF_SEVERITY_ERROR, DF_TFIND_EXTENSION, format("extension %s", e->tag),
                     format("is not available on the target server (pg_available_extensions)"),
                     format("install the package that provides extension \"%s\" on the "
                            "target server",
                            e->tag));
        if (rc == DF_OK && e->tablespace != NULL && e->tablespace[0] != '\0' &&
            set_find(&t->tablespaces, e->tablespace, NULL, NULL) == NULL)
            rc = add(c, DF_SEVERITY_ERROR, DF_TFIND_TABLESPACE,
                     format("tablespace %s", e->tablespace),
                     format("does not exist; needed by %s %s", e->desc, e->tag),
                     format("CREATE TABLESPACE \"%s\" LOCATION '...', or --no-tablespaces",
                            e->tablespace));
    }
    return rc;
}

/* The major release of a version string ("15.4 (Debian ...)" -> 15, "9.6.2" -> 9), else 0. */
static int version_major(const char *v)
{
    int m = 0;

    for (; v != NULL && *v >= '0' && *v <= '9' && m < 1000; v++)
        m = m * 10 + (*v - '0');
    return m;
}

static int check_versions(df_reader *r, const df_target *t, const df_preflight_options *o,
                          df_tcheck *c)
{
    const df_header *h = df_reader_header(r);
    int src = version_major(h->server_version), dst = t->server_num / 10000;
    int rc = DF_OK;

    if (src >= 10 && dst > 0 && dst < src)
        rc = add(c, DF_SEVERITY_WARNING, DF_TFIND_SERVER_OLDER, format("server %d", dst),
                 format("is older than the dump's source server %s: settings and syntax of "
                        "release %d may fail (e.g. transaction_timeout, newer CREATE options)",
                        h->server_version, src),
                 format("restore into a PostgreSQL %d or newer server", src));
    if (rc == DF_OK && o->pg_restore_major > 0 && h->format != DF_FORMAT_PLAIN &&
        h->vmin > df_pg_restore_max_minor(o->pg_restore_major)) {
        int need = df_pg_restore_min_major(h->vmin);
        rc = add(c, DF_SEVERITY_ERROR, DF_TFIND_ARCHIVE_VERSION,
                 format("archive %d.%d", h->vmaj, h->vmin),
                 format("pg_restore %d cannot read archive version %d.%d.%d", o->pg_restore_major,
                        h->vmaj, h->vmin, h->vrev),
                 format("rewrite it for this pg_restore: dumpconvert --pg-restore-version %d "
                        "DUMP -o NEW, then restore NEW; or run a pg_restore of release %d or "
                        "newer (--pg-bindir)",
                        o->pg_restore_major, need));
    }
    return rc;
}

static int check_encoding(const df_roles *roles, const df_target *t, df_tcheck *c)
{
    const char *enc = df_roles_encoding(roles);
    int rc = DF_OK;

    if (t->encoding != NULL && enc != NULL && strcmp(enc, t->encoding) != 0)
        rc = add(c, DF_SEVERITY_WARNING, DF_TFIND_ENCODING, format("encoding %s", t->encoding),
                 format("the target database's encoding differs from the dump's %s", enc),
                 format("create the database with ENCODING '%s' (createdb -E %s -T template0)",
                        enc, enc));
    return rc;
}

void df_preflight_options_default(df_preflight_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
}

/* A failure of a comparison: the reader's error when reading failed, else out of memory. */
static int tcheck_fail(df_tcheck *c, int rc, const df_reader *r, df_error *err)
{
    const df_error *re = r != NULL ? df_reader_error(r) : NULL;

    df_tcheck_free(c);
    if (err != NULL)
        dfi_error_clear(err);
    if (re != NULL && re->code == rc && err != NULL) {
        *err = *re;
        return rc;
    }
    if (rc == DF_E_USAGE)
        return dfi_fail(err, rc, -1, "no reader, target or result pointer");
    return dfi_fail(err, rc, -1, "%s", rc == DF_E_NOMEM ? "out of memory" : df_strstatus(rc));
}

int df_target_preflight(df_reader *r, const df_target *t, const df_preflight_options *opt,
                        df_tcheck **out, df_error *err)
{
    df_preflight_options opts;
    const df_preflight_options *o = &opts;
    df_roles *roles = NULL;
    df_tcheck *c;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (r == NULL || t == NULL || out == NULL)
        return tcheck_fail(NULL, DF_E_USAGE, NULL, err);
    df_preflight_options_default(&opts);
    if ((rc = dfi_options_take(&opts, sizeof opts, opt, "df_preflight_options", err)) != DF_OK)
        return rc;
    if ((c = calloc(1, sizeof *c)) == NULL)
        return tcheck_fail(NULL, DF_E_NOMEM, NULL, err);
    rc = check_versions(r, t, o, c);
    if (rc == DF_OK)
        rc = check_collisions(r, t, o, c);
    if (rc == DF_OK) /* one pass over the dump for the roles and the encoding */
        rc = df_roles_collect(r, &roles, NULL); /* on failure tcheck_fail copies r's error */
    if (rc == DF_OK)
        rc = check_roles(roles, t, o, c);
    if (rc == DF_OK)
        rc = check_needs(r, t, c);
    if (rc == DF_OK)
        rc = check_encoding(roles, t, c);
    df_roles_free(roles);
    if (rc != DF_OK)
        return tcheck_fail(c, rc, r, err);
    *out = c;
    return DF_OK;
}

/* ---- verification ------------------------------------------------------------------------- */

/* A constraint the dump itself adds NOT VALID stays unvalidated after a restore. */
static bool dump_not_valid(const df_entry *e)
{
    return e->defn != NULL && strstr(e->defn, "NOT VALID") != NULL;
}

static int verify_object(const df_entry *e, const df_target *t, df_tcheck *c)
{
    const tgt_obj *o = set_find(&t->objects, e->desc, kind_schema(e->desc, e->schema), e->tag);

    if (o == NULL)
        return add(c, DF_SEVERITY_ERROR, DF_TFIND_OBJECT_MISSING, entry_object(e),
                   format("is in the dump but not in the target's catalog"),
                   format("restore it: pg_restore -L with its TOC entry %d", (int)e->dump_id));
    if (o->owner != NULL && e->owner != NULL && e->owner[0] != '\0' &&
        strcmp(o->owner, e->owner) != 0) {
        int rc = add(c, DF_SEVERITY_ERROR, DF_TFIND_OWNER, entry_object(e),
                     format("is owned by %s, in the dump by %s", o->owner, e->owner),
                     format("ALTER ... OWNER TO the dump's owner (a restore with --no-owner "
                            "leaves the restoring user the owner)"));
        if (rc != DF_OK)
            return rc;
    }
    if (!o->invalid)
        return DF_OK;
    if (dfi_et_is(e, DFI_ET_INDEX))
        return add(c, DF_SEVERITY_ERROR, DF_TFIND_INDEX_INVALID, entry_object(e),
                   format("exists but is not valid"), format("REINDEX INDEX it"));
    if (dfi_ek_is(e, DFI_EK_CONSTRAINT) && !dump_not_valid(e))
        return add(c, DF_SEVERITY_WARNING, DF_TFIND_NOT_VALIDATED, entry_object(e),
                   format("is not validated, the dump's is"),
                   format("ALTER TABLE ... VALIDATE CONSTRAINT"));
    return DF_OK;
}

/* The rows (large objects for BLOBS) of data entry e: counted[i] when known, else read. */
static int dump_count(df_reader *r, const df_entry *e, const int64_t *counted, size_t i,
                      int64_t *n)
{
    if (counted != NULL && counted[i] >= 0) {
        *n = counted[i];
        return DF_OK;
    }
    return df_reader_measure(r, e, n, NULL, NULL);
}

static int verify_rows(df_reader *r, size_t i, const df_target *t, const int64_t *counted,
                       df_tcheck *c)
{
    const df_entry *e = df_reader_toc_at(r, i);
    const tgt_obj *o = set_find(&t->rows, e->schema, e->tag, NULL);
    int64_t rows = -1;
    int rc;

    if (o == NULL) /* the table itself is missing: object-missing says so */
        return DF_OK;
    if ((rc = dump_count(r, e, counted, i, &rows)) != DF_OK)
        return rc;
    c->tables++;
    c->rows += rows;
    if (rows == o->rows)
        return DF_OK;
    rc = add(c, DF_SEVERITY_ERROR, DF_TFIND_ROWS, format("TABLE %s.%s", e->schema, e->tag),
             format("has %lld rows, the dump %lld", (long long)o->rows, (long long)rows),
             format("restore its data again: TRUNCATE it, then pg_restore -a -t \"%s\"", e->tag));
    if (rc == DF_OK) {
        c->v[c->n - 1].expected = rows;
        c->v[c->n - 1].found = o->rows;
    }
    return rc;
}

/* The large objects of a BLOBS entry (each data entry of them, pg_dump 17 splits them). */
static int count_los(df_reader *r, size_t i, const int64_t *counted, df_tcheck *c)
{
    int64_t n = 0;
    int rc = dump_count(r, df_reader_toc_at(r, i), counted, i, &n);

    if (rc == DF_OK && n > 0)
        c->los += n;
    return rc;
}

int df_target_verify(df_reader *r, const df_target *t, df_tcheck **out, df_error *err)
{
    return df_target_verify_counted(r, t, NULL, out, err);
}

int df_target_verify_counted(df_reader *r, const df_target *t, const int64_t *counted,
                             df_tcheck **out, df_error *err)
{
    df_tcheck *c;
    int rc = DF_OK;

    if (out != NULL)
        *out = NULL;
    if (r == NULL || t == NULL || out == NULL)
        return tcheck_fail(NULL, DF_E_USAGE, NULL, err);
    if ((c = calloc(1, sizeof *c)) == NULL)
        return tcheck_fail(NULL, DF_E_NOMEM, NULL, err);
    c->los = t->los >= 0 ? 0 : -1;
    for (size_t i = 0; rc == DF_OK && i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        if (e->desc == NULL || e->tag == NULL)
            continue;
        if (is_checked_kind(e) && entry_makes(e))
            rc = verify_object(e, t, c);
        else if (dfi_et_is(e, DFI_ET_TABLE_DATA))
            rc = verify_rows(r, i, t, counted, c);
        else if (t->los >= 0 && df_entry_is_blobs(e))
            rc = count_los(r, i, counted, c);
    }
    if (rc == DF_OK && t->los >= 0 && c->los != t->los) {
        rc = add(c, DF_SEVERITY_ERROR, DF_TFIND_LARGE_OBJECTS, format("large objects"),
                 format("the target has %lld, the dump %lld", (long long)t->los,
                        (long long)c->los),
                 format("restore them again: pg_restore -a with the BLOBS entries"));
        if (rc == DF_OK) {
            c->v[c->n - 1].expected = c->los;
            c->v[c->n - 1].found = t->los;
        }
    }
    if (rc != DF_OK)
        return tcheck_fail(c, rc, r, err);
    *out = c;
    return DF_OK;
}

/* ---- sequences ---------------------------------------------------------------------------- */

/* The key's three parts ("schema\x1fname\x1fcolumn"), copied. */
static void key_parts(const char *key, char *a, char *b, char *c, size_t n)
{
    const char *p1 = strchr(key, '\x1f'), *p2 = p1 ? strchr(p1 + 1, '\x1f') : NULL;

    snprintf(a, n, "%.*s", p1 ? (int)(p1 - key) : 0, key);
    snprintf(b, n, "%.*s", p2 ? (int)(p2 - p1 - 1) : 0, p1 ? p1 + 1 : "");
    snprintf(c, n, "%s", p2 ? p2 + 1 : "");
}

static int sequence_finding(df_tcheck *c, const char *key, int64_t next, int64_t max)
{
    char schema[TARGET_NAME_MAX + 1], name[TARGET_NAME_MAX + 1], column[TARGET_NAME_MAX + 1];
    char *qs, *qn, *qual, *lit;
    int rc;

    key_parts(key, schema, name, column, sizeof schema);
    qs = df_sql_quote_ident(schema);
    qn = df_sql_quote_ident(name);
    qual = qs && qn ? format("%s.%s", qs, qn) : NULL;
    lit = qual ? df_sql_quote_literal(qual) : NULL;
    rc = add(c, DF_SEVERITY_WARNING, DF_TFIND_SEQUENCE, format("SEQUENCE %s.%s", schema, name),
             format("its next value %lld is not above %lld, the maximum of %s", (long long)next,
                    (long long)max, column),
             lit ? format("SELECT pg_catalog.setval(%s, %lld)", lit, (long long)max) : NULL);
    free(qs);
    free(qn);
    free(qual);
    free(lit);
    return rc;
}

int df_target_check_sequences(const df_target *t, df_tcheck **out, df_error *err)
{
    df_tcheck *c;
    int rc = DF_OK;

    if (out != NULL)
        *out = NULL;
    if (t == NULL || out == NULL)
        return tcheck_fail(NULL, DF_E_USAGE, NULL, err);
    if ((c = calloc(1, sizeof *c)) == NULL)
        return tcheck_fail(NULL, DF_E_NOMEM, NULL, err);
    /* insertion order: set_find never sorts this set, nexts stay aligned */
    for (size_t i = 0; rc == DF_OK && i < t->sequences.n; i++) {
        const tgt_obj *o = &t->sequences.v[i];
        if (o->rows >= 0 && t->nexts[i] <= o->rows)
            rc = sequence_finding(c, o->key, t->nexts[i], o->rows);
    }
    if (rc != DF_OK)
        return tcheck_fail(c, rc, NULL, err);
    *out = c;
    return DF_OK;
}
