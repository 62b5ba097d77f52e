/*
 * restorediag.c — lays a restore log (restorelog.c) over the dump it
 * restored: which entry each error belongs to, which errors share a root
 * cause and which are cascades of an entry that failed first, what never
 * ran, and the entries a resume must restore (as a list, or as the plain
 * script cut down to them).
 */
#include "internal.h"
#include "entrytype.h"
#include "plain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCRIPT_WINDOW (64 * 1024)
#define SNIFF_BYTES 512
#define STMT_KEY 48 /* bytes of a statement's start that index it */

typedef struct name_key {
    char *key;
    size_t entry;
} name_key;

typedef struct cause_acc {
    df_rdiag_cause c;
    char *what;       /* owned */
    char *fix;        /* owned */
    char **objects;   /* distinct objects (roles ...) */
    size_t nobjects;
} cause_acc;

struct df_rdiag {
    const df_restorelog *log;
    const df_reader *r;
    df_graph *g;
    size_t n;                 /* toc entries */
    df_rdiag_error *errs;
    size_t nerrs;
    cause_acc *causes;
    size_t ncauses;
    df_rdiag_cause *sorted;   /* the public view, sorted */
    int *state;
    size_t *entry_cause;      /* cause of an entry's first error, SIZE_MAX none */
    int64_t *entry_root;
    size_t *resume;
    size_t nresume, partial;
    char **run_first;         /* per entry, NULL or what to run before the resume */
    name_key *names;          /* "DESC schema.tag" and "schema.tag" / "tag" */
    size_t nnames;
    name_key *stmts;          /* first bytes of each statement of each definition */
    size_t nstmts;
    int64_t *line_of;         /* plain: 1-based line of each entry's header */
    int64_t last_ext;         /* the last EXTENSION entry that failed, -1 */
    int *reqs;
};

/* ------------------------------------------------------------ keys */

static char *cat3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = malloc(la + lb + lc + 1);

    if (s) {
        memcpy(s, a, la);
        memcpy(s + la, b, lb);
        memcpy(s + la + lb, c, lc + 1);
    }
    return s;
}

/* "schema.tag", or "tag" without a schema. */
static char *qualified(const df_entry *e)
{
    const char *tag = e->tag ? e->tag : "";
    if (e->schema && *e->schema)
        return cat3(e->schema, ".", tag);
    return cat3("", "", tag);
}

static int cmp_key(const void *a, const void *b)
{
    const name_key *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->entry > y->entry) - (x->entry < y->entry);
}

static int push_key(name_key **v, size_t *n, size_t *cap, char *key, size_t entry)
{
    if (key == NULL)
        return DF_E_NOMEM;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        name_key *p = realloc(*v, nc * sizeof *p);
        if (p == NULL) {
            free(key);
            return DF_E_NOMEM;
        }
        *v = p;
        *cap = nc;
    }
    (*v)[*n].key = key;
    (*v)[(*n)++].entry = entry;
    return DF_OK;
}

/* The first entry (in TOC order) with this key, or -1. */
static int64_t find_key(const name_key *v, size_t n, const char *key)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(v[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && strcmp(v[lo].key, key) == 0 ? (int64_t)v[lo].entry : -1;
}

/* A statement's first STMT_KEY bytes with white space runs as one space. */
static char *stmt_key(const char *s, size_t n)
{
    char *k = malloc(STMT_KEY + 1);
    size_t m = 0;
    bool space = true;

    if (k == NULL)
        return NULL;
    for (size_t i = 0; i < n && m < STMT_KEY; i++) {
        bool ws = s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r';
        if (ws && space)
            continue;
        k[m++] = ws ? ' ' : s[i];
        space = ws;
    }
    while (m > 0 && k[m - 1] == ' ')
        m--;
    k[m] = '\0';
    return k;
}

/* Index each statement of each definition (split after ";\n") by its start. */
static int index_statements(df_rdiag *d)
{
    size_t cap = 0;

    for (size_t i = 0; i < d->n; i++) {
        const df_entry *e = df_reader_toc_at(d->r, i);
        const char *p = e->defn;
        while (p && *p) {
            const char *end = strstr(p, ";\n");
            size_t len = end ? (size_t)(end - p) + 1 : strlen(p);
            int rc = DF_OK;
            while (len > 0 && (*p == '\n' || *p == ' '))
                p++, len--;
            if (len > 0 && !(p[0] == '-' && p[1] == '-'))
                rc = push_key(&d->stmts, &d->nstmts, &cap, stmt_key(p, len), i);
            else if (len > 0 && p[0] == '-') { /* a comment line inside: skip just it */
                const char *nl = memchr(p, '\n', len);
                len = nl ? (size_t)(nl - p) : len;
            }
            if (rc != DF_OK)
                return rc;
            p += len;
            while (*p == '\n')
                p++;
        }
    }
    qsort(d->stmts, d->nstmts, sizeof *d->stmts, cmp_key);
    return DF_OK;
}

static int index_names(df_rdiag *d)
{
    size_t cap = 0;

    for (size_t i = 0; i < d->n; i++) {
        const df_entry *e = df_reader_toc_at(d->r, i);
        char *q = qualified(e);
        int rc = q ? DF_OK : DF_E_NOMEM;
        if (rc == DF_OK)
            rc = push_key(&d->names, &d->nnames, &cap, cat3(e->desc ? e->desc : "", " ", q), i);
        if (rc == DF_OK && e->desc && !dfi_et_is(e, DFI_ET_ACL) && !dfi_et_is(e, DFI_ET_COMMENT) &&
            strstr(e->desc, "DATA") == NULL && !dfi_et_is(e, DFI_ET_SEQUENCE_SET))
            rc = push_key(&d->names, &d->nnames, &cap, cat3("=", q, ""), i);
        if (rc == DF_OK && e->desc && e->tag && !dfi_et_is(e, DFI_ET_ACL) &&
            !dfi_et_is(e, DFI_ET_COMMENT) && strstr(e->desc, "DATA") == NULL)
            rc = push_key(&d->names, &d->nnames, &cap, cat3("~", e->tag, ""), i);
        if (rc == DF_OK && e->had_dumper && e->tag)
            rc = push_key(&d->names, &d->nnames, &cap, cat3("@", e->tag, ""), i);
        free(q);
        if (rc != DF_OK)
            return rc;
    }
    qsort(d->names, d->nnames, sizeof *d->names, cmp_key);
    return DF_OK;
}

/* ------------------------------------------------------------ plain lines */

/* Stream the script of r (by path) through fn(ctx, script offset, bytes). */
static int stream_script(df_reader *r, int (*fn)(void *, int64_t, const uint8_t *, size_t),
                         void *ctx, df_error *err)
{
    df_reader *tmp;
    dfi_pstream st;
    int rc;

    if (r->hdr.format != DF_FORMAT_PLAIN || !r->path || strcmp(r->path, "-") == 0)
        return dfi_fail(err, DF_E_USAGE, -1, "the plain script must be read again by its path");
    if ((tmp = df_reader_new(&r->lim)) == NULL)
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    rc = dfi_src_open_path(&tmp->src, r->path, &tmp->err);
    if (rc == DF_OK)
        rc = dfi_buf_init(&tmp->buf, &tmp->src, DFI_BUF_SIZE, &tmp->err);
    if (rc == DF_OK) {
        rc = dfi_buf_need(&tmp->buf, SNIFF_BYTES, &tmp->err);
        if (rc == DF_E_TRUNCATED)
            rc = DF_OK;
        dfi_error_clear(&tmp->err);
    }
    if (rc == DF_OK) {
        dfi_wrap wrap = dfi_wrap_sniff(dfi_buf_ptr(&tmp->buf), dfi_buf_avail(&tmp->buf));
        if ((rc = dfi_pstream_init(&st, tmp, wrap, SCRIPT_WINDOW)) == DF_OK) {
            for (;;) {
                if (dfi_pstream_fill(&st) != DF_OK && !st.eof)
                    break;
                if (st.end > st.start &&
                    (rc = fn(ctx, dfi_pstream_tell(&st), st.win + st.start, st.end - st.start)) != DF_OK)
                    break;
                st.start = st.end;
                if (st.eof)
                    break;
            }
        }
        dfi_pstream_free(&st);
    }
    if (rc != DF_OK && err && err->code == DF_OK)
        *err = tmp->err.code != DF_OK ? tmp->err : *err;
    df_reader_free(tmp);
    return rc;
}

typedef struct line_ctx {
    df_rdiag *d;
    size_t next;    /* next entry whose line is wanted */
    int64_t lines;  /* newlines before the current window */
} line_ctx;

static int count_lines(void *ctx, int64_t off, const uint8_t *p, size_t n)
{
    line_ctx *c = ctx;
    const df_reader *r = c->d->r;

    while (c->next < c->d->n) {
        int64_t at = df_reader_toc_at(r, c->next)->text_offset;
        if (at >= off + (int64_t)n)
            break;
        if (at >= off)
            c->d->line_of[c->next] = c->lines + dfi_count_newlines(p, (size_t)(at - off)) + 1;
        c->next++;
    }
    c->lines += dfi_count_newlines(p, n);
    return DF_OK;
}

/* The entry whose text holds script line `line`: the last one starting at or before it. */
static int64_t entry_at_line(const df_rdiag *d, int64_t line)
{
    size_t lo = 0, hi = d->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->line_of[mid] <= line)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (int64_t)lo - 1;
}

/* ------------------------------------------------------------ attribution */

static void dequote(char *s)
{
    char *w = s;
    for (char *p = s; *p; p++)
        if (*p != '"')
            *w++ = *p;
    *w = '\0';
}

/* "ALTER TABLE s.t OWNER TO r;": the entry named s.t that r owns. */
static int64_t owner_statement(const df_rdiag *d, const char *cmd)
{
    const char *own = strstr(cmd, " OWNER TO ");
    const char *sp;
    char *name, *key;
    int64_t found = -1;

    if (strncmp(cmd, "ALTER ", 6) != 0 || own == NULL)
        return -1;
    for (sp = own; sp > cmd && sp[-1] != ' '; sp--)
        ;
    /* functions: "ALTER FUNCTION s.f(integer, text) OWNER": back to the '(' word */
    if (own[-1] == ')') {
        const char *open = memchr(cmd, '(', (size_t)(own - cmd));
        if (open)
            for (sp = open; sp > cmd && sp[-1] != ' '; sp--)
                ;
    }
    if ((name = malloc((size_t)(own - sp) + 1)) == NULL)
        return -1;
    memcpy(name, sp, (size_t)(own - sp));
    name[own - sp] = '\0';
    dequote(name);
    if ((key = cat3("=", name, "")) != NULL)
        found = find_key(d->names, d->nnames, key);
    free(key);
    free(name);
    return found;
}

static int64_t by_statement(const df_rdiag *d, const char *cmd, size_t after)
{
    char *k = stmt_key(cmd, strlen(cmd));
    size_t lo = 0, hi = d->nstmts;
    int64_t first = -1;

    if (k == NULL)
        return -1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(d->stmts[mid].key, k) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* the same statement in several entries: the first one at or after the last attributed */
    for (; lo < d->nstmts && strcmp(d->stmts[lo].key, k) == 0; lo++) {
        if (first < 0)
            first = (int64_t)d->stmts[lo].entry;
        if (d->stmts[lo].entry >= after && d->state[d->stmts[lo].entry] == DF_RSTATE_OK) {
            first = (int64_t)d->stmts[lo].entry;
            break;
        }
    }
    free(k);
    return first >= 0 ? first : owner_statement(d, cmd);
}

/* TABLE DATA (or its like) whose tag is `table`: the first not yet failed. */
static int64_t by_copy_table(const df_rdiag *d, const char *table)
{
    char *k = cat3("@", table, "");
    size_t lo = 0, hi = d->nnames;
    int64_t first = -1;

    if (k == NULL)
        return -1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(d->names[mid].key, k) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < d->nnames && strcmp(d->names[lo].key, k) == 0; lo++) {
        if (first < 0)
            first = (int64_t)d->names[lo].entry;
        if (d->state[d->names[lo].entry] == DF_RSTATE_OK) {
            first = (int64_t)d->names[lo].entry;
            break;
        }
    }
    free(k);
    return first;
}

static int64_t attribute(df_rdiag *d, const df_rlog_error *e, const char **how, size_t after)
{
    int64_t i;

    if (e->session && e->toc_id == 0) {
        *how = "session";
        return -1;
    }
    if (e->command && (strncmp(e->command, "SET ", 4) == 0 ||
                       strncmp(e->command, "SELECT pg_catalog.set_config", 28) == 0)) {
        /* a -j worker's connection setup names the leader's last entry (its copy of the
         * archive handle): a setting no entry holds is the connection's */
        const df_entry *x = e->toc_id > 0 ? df_reader_find(d->r, e->toc_id) : NULL;
        if (x == NULL || x->defn == NULL || strstr(x->defn, e->command) == NULL) {
            *how = "session";
            return -1;
        }
    }
    if (e->toc_id > 0) {
        const df_entry *x = df_reader_find(d->r, e->toc_id);
        size_t dl = x && x->desc ? strlen(x->desc) : 0;
        /* the log's "DESC tag owner" must fit: another dump's ids name other entries */
        if (x && e->toc_desc && x->desc &&
            (strncmp(e->toc_desc, x->desc, dl) != 0 || e->toc_desc[dl] != ' '))
            x = NULL;
        if (x) {
            *how = "toc-id";
            return (int64_t)x->index;
        }
    }
    if (e->file && e->line > 0 && d->line_of) {
        i = entry_at_line(d, e->line);
        *how = i >= 0 ? "psql-line" : "session"; /* the script's opening settings */
        return i;
    }
    if (e->item && (i = find_key(d->names, d->nnames, e->item)) >= 0) {
        *how = "item";
        return i;
    }
    if (e->command && (i = by_statement(d, e->command, after)) >= 0) {
        *how = "statement";
        return i;
    }
    if (e->copy_table && (i = by_copy_table(d, e->copy_table)) >= 0) {
        *how = "copy-table";
        return i;
    }
    *how = e->session ? "session" : NULL;
    return -1;
}

/* ------------------------------------------------------------ causes */

static bool failed(const df_rdiag *d, int64_t i)
{
    return i >= 0 && (d->state[i] == DF_RSTATE_FAILED || d->state[i] == DF_RSTATE_CASCADE);
}

/* An entry it needs that failed earlier, or -1. */
static int64_t failed_requirement(const df_rdiag *d, size_t i)
{
    const size_t *req;
    size_t n = df_graph_requires(d->g, i, &req);
    int64_t owner = df_graph_owner(d->g, i);

    for (size_t k = 0; k < n; k++)
        if (failed(d, (int64_t)req[k]))
            return (int64_t)req[k];
    return failed(d, owner) ? owner : -1;
}

/* The entry an object name of a message names ("s.t", "t", "f(integer)"), or -1. */
static int64_t named_entry(const df_rdiag *d, const char *object)
{
    char *k;
    int64_t i;

    if (object == NULL)
        return -1;
    if ((k = cat3(strchr(object, '.') ? "=" : "~", object, "")) == NULL)
        return -1;
    i = find_key(d->names, d->nnames, k);
    free(k);
    return i;
}

static int64_t last_failed_extension(const df_rdiag *d)
{
    return d->last_ext;
}

static const char *fix_for(int cls, const char *kind)
{
    switch (cls) {
    case DF_RLOG_ROLE_MISSING:
        return "create the roles (dumproles --create DUMP | psql), then restore the resume list";
    case DF_RLOG_ALREADY_EXISTS:
        return "the target was not empty: restore into an empty database, or with --clean "
               "--if-exists, or drop what it had and restore the resume list";
    case DF_RLOG_EXTENSION_MISSING:
        return "install the extension's package on the server (CREATE EXTENSION must work), "
               "then restore the resume list";
    case DF_RLOG_PERMISSION:
        return "restore as a superuser or as the owner of the objects (or use --no-owner "
               "--no-privileges)";
    case DF_RLOG_DATA:
        return "the rows do not fit the table: fix the data or the constraint (dumpcheck the "
               "dump for damage), then restore the table's data from the resume list";
    case DF_RLOG_SERVER_TOO_OLD:
        if (kind && strcmp(kind, "session-setting") == 0)
            return "pg_restore (or the script's pg_dump) is newer than the server and sets what "
                   "only newer servers know: harmless when errors are ignored; with "
                   "--exit-on-error (ON_ERROR_STOP) use the programs of the server's release";
        return "the server is older than the dump: restore into a newer server, or rewrite "
               "the archive (dumpconvert --pg-restore-version)";
    case DF_RLOG_RESOURCE:
        return "free the resource (disk, memory, locks, the connection), then restore the "
               "resume list";
    case DF_RLOG_MISSING_OBJECT:
        if (kind && strcmp(kind, "search-path") == 0)
            return "a function reads the object without its schema under pg_dump's empty "
                   "search_path: schema-qualify it in the function (or ALTER FUNCTION ... SET "
                   "search_path), then restore the resume list";
        if (kind && strcmp(kind, "not-in-dump") == 0)
            return "the object is not in the dump (excluded by a selection, or in another "
                   "schema or database): create it first, or dump it too";
        return "restore the entry that creates it first (it was not restored by this run)";
    default:
        return "read the message; restore the resume list once it is fixed";
    }
}

/* The cause an error of its own starts: one per class and what it is about. */
static int cause_for(df_rdiag *d, const df_rlog_error *e, int64_t entry, const char *kind,
                     size_t *out)
{
    char *what = NULL;
    const df_entry *x = entry >= 0 ? df_reader_toc_at(d->r, (size_t)entry) : NULL;
    char *q = x ? qualified(x) : NULL;
    cause_acc *c;

    switch (e->cls) {
    case DF_RLOG_ROLE_MISSING:
        what = cat3("roles", "", "");
        break;
    case DF_RLOG_ALREADY_EXISTS:
        what = cat3("objects that already existed in the target", "", "");
        break;
    case DF_RLOG_PERMISSION:
        what = cat3("permission denied", "", "");
        break;
    case DF_RLOG_EXTENSION_MISSING:
    case DF_RLOG_SERVER_TOO_OLD:
    case DF_RLOG_MISSING_OBJECT:
        what = cat3(e->cls == DF_RLOG_EXTENSION_MISSING ? "extension or library " : "",
                    e->object ? e->object : "?", e->cls == DF_RLOG_MISSING_OBJECT ? " missing" : "");
        break;
    case DF_RLOG_DATA:
        what = cat3(x && x->desc ? x->desc : "data", " ", q ? q : (e->copy_table ? e->copy_table : "?"));
        break;
    case DF_RLOG_RESOURCE:
        what = cat3(kind ? kind : "resource", "", "");
        break;
    default:
        what = cat3(e->message ? e->message : "?", "", "");
        break;
    }
    free(q);
    if (what == NULL)
        return DF_E_NOMEM;
    for (size_t i = 0; i < d->ncauses; i++)
        if (d->causes[i].c.cls == e->cls && strcmp(d->causes[i].what, what) == 0) {
            free(what);
            *out = i;
            return DF_OK;
        }
    c = realloc(d->causes, (d->ncauses + 1) * sizeof *c);
    if (c == NULL) {
        free(what);
        return DF_E_NOMEM;
    }
    d->causes = c;
    c = &d->causes[d->ncauses];
    memset(c, 0, sizeof *c);
    c->what = what;
    c->c.cls = e->cls;
    c->c.kind = kind;
    c->c.fix = fix_for(e->cls, kind);
    c->c.root_entry = entry;
    *out = d->ncauses++;
    return DF_OK;
}

/* Remember a distinct object (a role) of a cause for its "what". */
static int add_object(cause_acc *c, const char *obj)
{
    char **v;

    if (obj == NULL)
        return DF_OK;
    for (size_t i = 0; i < c->nobjects; i++)
        if (strcmp(c->objects[i], obj) == 0)
            return DF_OK;
    if ((v = realloc(c->objects, (c->nobjects + 1) * sizeof *v)) == NULL)
        return DF_E_NOMEM;
    c->objects = v;
    if ((v[c->nobjects] = cat3(obj, "", "")) == NULL)
        return DF_E_NOMEM;
    c->nobjects++;
    return DF_OK;
}

/* The kind a missing object gets from the dump: cascade root, search path, not in the dump. */
static const char *missing_kind(df_rdiag *d, const df_rlog_error *e, int64_t *root)
{
    int64_t named = named_entry(d, e->object);

    *root = -1;
    if (named >= 0 && failed(d, named)) {
        *root = named;
        return "cascade";
    }
    if (named >= 0 && d->state[named] == DF_RSTATE_OK)
        return e->object && strchr(e->object, '.') == NULL ? "search-path" : "not-restored";
    if (named >= 0)
        return "not-restored";
    if ((*root = last_failed_extension(d)) >= 0)
        return "cascade"; /* a type or function of an extension that failed */
    return "not-in-dump";
}

static int diagnose_error(df_rdiag *d, df_rdiag_error *x, size_t *last)
{
    const df_rlog_error *e = x->e;
    const char *kind = e->kind;
    int64_t root = -1;
    int rc;

    x->entry = attribute(d, e, &x->how, *last);
    x->root = -1;
    if (x->entry >= 0 && failed(d, x->entry)) { /* a later error of an entry that failed */
        x->cause = d->entry_cause[x->entry];
        x->cascade = d->state[x->entry] == DF_RSTATE_CASCADE;
        x->root = d->entry_root[x->entry];
        if (x->cascade)
            d->causes[x->cause].c.cascaded++;
        else
            d->causes[x->cause].c.direct++;
        return DF_OK;
    }
    if (x->entry >= 0)
        *last = (size_t)x->entry;
    if (x->entry >= 0 && e->cls != DF_RLOG_ROLE_MISSING && e->cls != DF_RLOG_ALREADY_EXISTS &&
        e->cls != DF_RLOG_RESOURCE && e->cls != DF_RLOG_EXTENSION_MISSING)
        root = failed_requirement(d, (size_t)x->entry);
    if ((e->session || (x->how && strcmp(x->how, "session") == 0)) &&
        e->cls == DF_RLOG_SERVER_TOO_OLD)
        kind = "session-setting";
    if (root < 0 && e->cls == DF_RLOG_MISSING_OBJECT) {
        kind = missing_kind(d, e, &root);
        if (root < 0 && strcmp(kind, "cascade") == 0)
            kind = "not-in-dump";
    }
    if (root >= 0 && d->entry_cause[root] != SIZE_MAX) {
        x->cascade = 1;
        x->root = d->entry_root[root] >= 0 ? d->entry_root[root] : root;
        x->cause = d->entry_cause[root];
        d->causes[x->cause].c.cascaded++;
    } else {
        if ((rc = cause_for(d, e, x->entry, kind, &x->cause)) != DF_OK)
            return rc;
        d->causes[x->cause].c.direct++;
        if (e->cls == DF_RLOG_ROLE_MISSING &&
            (rc = add_object(&d->causes[x->cause], e->object)) != DF_OK)
            return rc;
    }
    if (x->entry >= 0) {
        const df_entry *en = df_reader_toc_at(d->r, (size_t)x->entry);
        if (dfi_et_is(en, DFI_ET_EXTENSION))
            d->last_ext = x->entry;
        d->state[x->entry] = x->cascade ? DF_RSTATE_CASCADE : DF_RSTATE_FAILED;
        d->entry_cause[x->entry] = x->cause;
        d->entry_root[x->entry] = x->cascade ? x->root : x->entry;
    }
    return DF_OK;
}

/* "role a" / "roles a, b" once every role is known. */
static int join_objects(cause_acc *c)
{
    size_t len = 8, at;
    char *w;

    for (size_t k = 0; k < c->nobjects; k++)
        len += strlen(c->objects[k]) + 2;
    if ((w = malloc(len)) == NULL)
        return DF_E_NOMEM;
    at = (size_t)snprintf(w, len, "%s", c->nobjects > 1 ? "roles " : "role ");
    for (size_t k = 0; k < c->nobjects; k++)
        at += (size_t)snprintf(w + at, len - at, "%s%s", k ? ", " : "", c->objects[k]);
    free(c->what);
    c->what = w;
    return DF_OK;
}

/* The public causes: the most failures first, then in the order they appeared. */
static int finish_causes(df_rdiag *d)
{
    size_t m = d->ncauses ? d->ncauses : 1;
    size_t *perm = malloc(m * sizeof *perm), *rank = malloc(m * sizeof *rank);

    d->sorted = calloc(m, sizeof *d->sorted);
    if (!perm || !rank || !d->sorted) {
        free(perm);
        free(rank);
        return DF_E_NOMEM;
    }
    for (size_t i = 0; i < d->ncauses; i++) {
        cause_acc *c = &d->causes[i];
        if (c->nobjects > 0 && join_objects(c) != DF_OK) {
            free(perm);
            free(rank);
            return DF_E_NOMEM;
        }
        c->c.what = c->what;
        perm[i] = i;
    }
    for (size_t i = 1; i < d->ncauses; i++) {
        size_t t = perm[i], j = i;
        size_t tot = d->causes[t].c.direct + d->causes[t].c.cascaded;
        while (j > 0 && d->causes[perm[j - 1]].c.direct + d->causes[perm[j - 1]].c.cascaded < tot) {
            perm[j] = perm[j - 1];
            j--;
        }
        perm[j] = t;
    }
    for (size_t k = 0; k < d->ncauses; k++) {
        d->sorted[k] = d->causes[perm[k]].c;
        rank[perm[k]] = k;
    }
    for (size_t i = 0; i < d->nerrs; i++)
        d->errs[i].cause = rank[d->errs[i].cause];
    free(perm);
    free(rank);
    return DF_OK;
}

/* ------------------------------------------------------------ what never ran */

typedef struct pass_pos {
    int pass;
    size_t index;
} pass_pos;

static int cmp_pass(const void *a, const void *b)
{
    const pass_pos *x = a, *y = b;
    if (x->pass != y->pass)
        return x->pass < y->pass ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Entries in the order a serial restore runs them (TOC order, stably by pass). */
static size_t *serial_order(const df_reader *r, size_t n)
{
    pass_pos *pp = malloc((n ? n : 1) * sizeof *pp);
    size_t *o = malloc((n ? n : 1) * sizeof *o);

    if (o == NULL || pp == NULL) {
        free(pp);
        free(o);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        pp[i].pass = df_entry_restore_pass(df_reader_toc_at(r, i));
        pp[i].index = i;
    }
    qsort(pp, n, sizeof *pp, cmp_pass);
    for (size_t i = 0; i < n; i++)
        o[i] = pp[i].index;
    free(pp);
    return o;
}

static int mark_not_run(df_rdiag *d)
{
    const df_rlog_summary *s = df_restorelog_summary(d->log);
    const df_rlog_item *items;
    size_t nitems = df_restorelog_items(d->log, &items);
    unsigned char *started;
    size_t *order;
    int64_t last = -1;

    if (!s->stopped)
        return DF_OK;
    if ((started = calloc(d->n ? d->n : 1, 1)) == NULL)
        return DF_E_NOMEM;
    if (s->parallel) {
        /* -j -v: what was launched and finished ran; what was never launched never ran.  An
         * item launched but never reported finished before the error killed the workers may
         * have committed all the same (its COPY done on the server): uncertain, not never run,
         * since resuming it blindly would load its rows twice (started: 2 ran, 1 launched). */
        for (size_t k = 0; k < nitems; k++) {
            const df_entry *e = items[k].toc_id > 0 ? df_reader_find(d->r, items[k].toc_id) : NULL;
            if (e && (items[k].finished || !items[k].launched))
                started[e->index] = 2;
            else if (e && started[e->index] == 0)
                started[e->index] = 1;
        }
        for (size_t i = 0; i < d->n; i++)
            if (started[i] != 2 && d->state[i] == DF_RSTATE_OK && d->reqs[i])
                d->state[i] = started[i] ? DF_RSTATE_UNCERTAIN : DF_RSTATE_NOT_RUN;
        free(started);
        return DF_OK;
    }
    free(started);
    if ((order = serial_order(d->r, d->n)) == NULL)
        return DF_E_NOMEM;
    /* the last entry that started: an error's, a -v item's, psql's line */
    for (size_t k = 0; k < d->nerrs; k++)
        if (d->errs[k].entry >= 0)
            last = d->errs[k].entry;
    for (size_t k = 0; k < nitems; k++) {
        int64_t i = items[k].toc_id > 0 && df_reader_find(d->r, items[k].toc_id)
                        ? (int64_t)df_reader_find(d->r, items[k].toc_id)->index
                        : items[k].name ? find_key(d->names, d->nnames, items[k].name) : -1;
        if (i >= 0)
            last = i;
    }
    {
        size_t pos = 0; /* nothing started: everything never ran */
        while (last >= 0 && pos < d->n && order[pos] != (size_t)last)
            pos++;
        for (pos += last >= 0; pos < d->n; pos++)
            if (d->state[order[pos]] == DF_RSTATE_OK && d->reqs[order[pos]])
                d->state[order[pos]] = DF_RSTATE_NOT_RUN;
    }
    free(order);
    return DF_OK;
}

/* ------------------------------------------------------------ resume */

/* Entries dropped with an object that already existed: all that need it or belong to it. */
static void add_dropped(df_rdiag *d, unsigned char *in)
{
    bool grew = true;

    while (grew) {
        grew = false;
        for (size_t i = 0; i < d->n; i++) {
            const size_t *req;
            size_t n;
            int64_t owner;
            if (in[i] || !d->reqs[i])
                continue;
            n = df_graph_requires(d->g, i, &req);
            owner = df_graph_owner(d->g, i);
            for (size_t k = 0; k < n && !in[i]; k++)
                in[i] = in[req[k]] == 2;
            if (owner >= 0 && in[owner] == 2)
                in[i] = 1;
            if (in[i]) {
                in[i] = 2;
                grew = true;
            }
        }
    }
}

static int build_resume(df_rdiag *d)
{
    unsigned char *in = calloc(d->n ? d->n : 1, 1);
    size_t *pref, np = 0, nout = 0;
    int rc;

    if (in == NULL)
        return DF_E_NOMEM;
    for (size_t i = 0; i < d->n; i++) {
        if (d->state[i] == DF_RSTATE_FAILED || d->state[i] == DF_RSTATE_CASCADE ||
            d->state[i] == DF_RSTATE_NOT_RUN || d->state[i] == DF_RSTATE_UNCERTAIN)
            in[i] = 1;
        if (in[i] && d->entry_cause[i] != SIZE_MAX &&
            d->causes[d->entry_cause[i]].c.cls == DF_RLOG_ALREADY_EXISTS)
            in[i] = 2;
    }
    add_dropped(d, in);
    if ((pref = malloc((d->n ? d->n : 1) * sizeof *pref)) == NULL ||
        (d->resume = malloc((d->n ? d->n : 1) * sizeof *d->resume)) == NULL) {
        free(in);
        free(pref);
        return DF_E_NOMEM;
    }
    for (size_t i = 0; i < d->n; i++)
        if (in[i]) {
            const df_entry *e = df_reader_toc_at(d->r, i);
            pref[np++] = i;
            if (e->had_dumper && e->copy_stmt == NULL && dfi_et_is(e, DFI_ET_TABLE_DATA) &&
                d->state[i] == DF_RSTATE_FAILED)
                d->partial++;
        }
    rc = df_order_fix(d->g, NULL, pref, np, d->resume, &nout, NULL);
    d->nresume = nout;
    free(pref);
    free(in);
    return rc;
}

/* ------------------------------------------------------------ uncertain */

/*
 * "TRUNCATE TABLE ONLY s.t;" for the uncertain data entry e, or NULL (none
 * needed, or none that is safe).  pg_restore -j truncates a table before its
 * COPY only when it created the table in the same run (restore_toc_entry in
 * pg_backup_archiver.c: use_truncate = is_parallel && te->created &&
 * !is_load_via_partition_root(te)); a resume by -L never created it, so rows
 * that committed before the stop stay unless this runs first.  ONLY, as
 * pg_restore's own, spares child tables (their data are entries of their
 * own).  Data loaded through the partition root (the COPY names another
 * table) may have landed in any partition: no statement, the note says so.
 */
static int truncate_for(const df_entry *e, char **out)
{
    char *qs, *qt, *name, *sql = NULL;
    size_t nl;

    *out = NULL;
    if (!dfi_et_is(e, DFI_ET_TABLE_DATA) || e->tag == NULL || e->schema == NULL)
        return DF_OK;
    qs = df_sql_quote_ident(e->schema);
    qt = df_sql_quote_ident(e->tag);
    name = qs && qt ? cat3(qs, ".", qt) : NULL;
    free(qs);
    free(qt);
    if (name == NULL)
        return DF_E_NOMEM;
    nl = strlen(name);
    if (e->copy_stmt == NULL || (strncmp(e->copy_stmt, "COPY ", 5) == 0 &&
                                 strncmp(e->copy_stmt + 5, name, nl) == 0 &&
                                 (e->copy_stmt[5 + nl] == ' ' || e->copy_stmt[5 + nl] == '('))) {
        if ((sql = cat3("TRUNCATE TABLE ONLY ", name, ";")) == NULL) {
            free(name);
            return DF_E_NOMEM;
        }
    }
    free(name);
    *out = sql;
    return DF_OK;
}

static int plan_uncertain(df_rdiag *d)
{
    if ((d->run_first = calloc(d->n ? d->n : 1, sizeof *d->run_first)) == NULL)
        return DF_E_NOMEM;
    for (size_t i = 0; i < d->n; i++) {
        int rc;
        if (d->state[i] != DF_RSTATE_UNCERTAIN)
            continue;
        if ((rc = truncate_for(df_reader_toc_at(d->r, i), &d->run_first[i])) != DF_OK)
            return rc;
    }
    return DF_OK;
}

/* ------------------------------------------------------------ public */

static int setup(df_rdiag *d, df_reader *r, df_error *err)
{
    df_list_options lo;
    int rc;

    d->n = df_reader_toc_count(r);
    size_t m = d->n ? d->n : 1;
    d->state = calloc(m, sizeof *d->state);
    d->entry_cause = malloc(m * sizeof *d->entry_cause);
    d->entry_root = malloc(m * sizeof *d->entry_root);
    d->reqs = calloc(m, sizeof *d->reqs);
    if (!d->state || !d->entry_cause || !d->entry_root || !d->reqs)
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    for (size_t i = 0; i < d->n; i++) {
        d->entry_cause[i] = SIZE_MAX;
        d->entry_root[i] = -1;
    }
    df_list_options_default(&lo);
    if ((rc = df_restore_reqs(r, &lo, d->reqs, err)) != DF_OK)
        return rc;
    for (size_t i = 0; i < d->n; i++) /* ENCODING, STDSTRINGS ...: settings, never listed */
        d->reqs[i] &= DF_REQ_SCHEMA | DF_REQ_DATA | DF_REQ_STATS;
    if ((rc = df_graph_build(r, &d->g, err)) != DF_OK)
        return rc;
    if ((rc = index_names(d)) != DF_OK || (rc = index_statements(d)) != DF_OK)
        return dfi_fail(err, rc, -1, "out of memory");
    if (df_reader_header(r)->format == DF_FORMAT_PLAIN && r->path && strcmp(r->path, "-") != 0) {
        line_ctx c = {d, 0, 0};
        if ((d->line_of = malloc(m * sizeof *d->line_of)) == NULL)
            return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
        for (size_t i = 0; i < d->n; i++)
            d->line_of[i] = INT64_MAX;
        if ((rc = stream_script(r, count_lines, &c, err)) != DF_OK)
            return rc;
    }
    return DF_OK;
}

int df_rdiag_build(const df_restorelog *log, df_reader *r, df_rdiag **out, df_error *err)
{
    df_rdiag *d = calloc(1, sizeof *d);
    size_t last = 0;
    int rc;

    *out = NULL;
    if (d == NULL)
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    d->log = log;
    d->r = r;
    d->last_ext = -1;
    rc = setup(d, r, err);
    d->nerrs = df_restorelog_count(log);
    if (rc == DF_OK && (d->errs = calloc(d->nerrs ? d->nerrs : 1, sizeof *d->errs)) == NULL)
        rc = dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    for (size_t i = 0; rc == DF_OK && i < d->nerrs; i++) {
        d->errs[i].e = df_restorelog_error(log, i);
        rc = diagnose_error(d, &d->errs[i], &last);
    }
    if (rc == DF_OK)
        rc = finish_causes(d);
    if (rc == DF_OK)
        rc = mark_not_run(d);
    if (rc == DF_OK)
        rc = plan_uncertain(d);
    if (rc == DF_OK)
        rc = build_resume(d);
    if (rc != DF_OK) {
        if (err && err->code == DF_OK)
            dfi_fail(err, rc, -1, "out of memory");
        df_rdiag_free(d);
        return rc;
    }
    *out = d;
    return DF_OK;
}

void df_rdiag_free(df_rdiag *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->ncauses; i++) {
        free(d->causes[i].what);
        for (size_t k = 0; k < d->causes[i].nobjects; k++)
            free(d->causes[i].objects[k]);
        free(d->causes[i].objects);
    }
    for (size_t i = 0; i < d->nnames; i++)
        free(d->names[i].key);
    for (size_t i = 0; i < d->nstmts; i++)
        free(d->stmts[i].key);
    free(d->names);
    free(d->stmts);
    free(d->causes);
    free(d->sorted);
    free(d->errs);
    free(d->state);
    free(d->entry_cause);
    free(d->entry_root);
    free(d->resume);
    for (size_t i = 0; d->run_first && i < d->n; i++)
        free(d->run_first[i]);
    free(d->run_first);
    free(d->line_of);
    free(d->reqs);
    df_graph_free(d->g);
    free(d);
}

size_t df_rdiag_error_count(const df_rdiag *d) { return d->nerrs; }
const df_rdiag_error *df_rdiag_error_at(const df_rdiag *d, size_t i)
{
    return i < d->nerrs ? &d->errs[i] : NULL;
}
size_t df_rdiag_cause_count(const df_rdiag *d) { return d->ncauses; }

/* The public causes are sorted; errors keep indices into that order. */
const df_rdiag_cause *df_rdiag_cause_at(const df_rdiag *d, size_t i)
{
    return i < d->ncauses ? &d->sorted[i] : NULL;
}

int df_rdiag_entry_state(const df_rdiag *d, size_t i)
{
    return i < d->n ? d->state[i] : DF_RSTATE_SKIPPED;
}

const char *df_rdiag_run_first(const df_rdiag *d, size_t i)
{
    return i < d->n && d->run_first ? d->run_first[i] : NULL;
}

const char *df_rdiag_uncertain_note(const df_rdiag *d, size_t i)
{
    if (i >= d->n || d->state[i] != DF_RSTATE_UNCERTAIN)
        return NULL;
    if (d->run_first[i])
        return "its rows may have committed; run first";
    if (df_reader_toc_at(d->r, i)->had_dumper)
        return "its rows may have committed (loaded through another table): delete them "
               "before the resume";
    return "a rerun may report \"already exists\" for it: harmless (resume without "
           "--exit-on-error)";
}

/*
 * The -L list of the resume with a comment line (pg_restore skips lines
 * starting with ';') before each uncertain entry saying what to run first:
 * the list is written to memory, then copied line by line.
 */
int df_rdiag_write_list(const df_rdiag *d, df_reader *r, FILE *out, df_error *err)
{
    df_list_options lo;
    char *buf = NULL, *p, *nl;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    int rc;

    if (mem == NULL)
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    df_list_options_default(&lo);
    rc = df_list_write_order(r, &lo, d->resume, d->nresume, NULL, mem, err);
    if (fclose(mem) != 0 && rc == DF_OK)
        rc = dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    for (p = buf; rc == DF_OK && p && p < buf + len; p = nl + 1) {
        const df_entry *e = *p != ';' ? df_reader_find(r, (int32_t)strtol(p, NULL, 10)) : NULL;
        if ((nl = memchr(p, '\n', (size_t)(buf + len - p))) == NULL)
            nl = buf + len - 1;
        if (e && d->state[e->index] == DF_RSTATE_UNCERTAIN) {
            const char *sql = d->run_first[e->index];
            fprintf(out, "; uncertain: launched, never reported finished; %s%s%s\n",
                    df_rdiag_uncertain_note(d, e->index), sql ? ": " : "", sql ? sql : "");
        }
        fwrite(p, 1, (size_t)(nl - p) + 1, out);
    }
    free(buf);
    if (rc == DF_OK && ferror(out))
        rc = dfi_fail(err, DF_E_IO, -1, "could not write the list");
    return rc;
}

size_t df_rdiag_resume(const df_rdiag *d, const size_t **order, size_t *partial)
{
    *order = d->resume;
    if (partial)
        *partial = d->partial;
    return d->nresume;
}

typedef struct cut_ctx {
    const df_rdiag *d;
    unsigned char *keep;
    size_t next;    /* first entry starting after the current position */
    FILE *out;
} cut_ctx;

/* Copy the bytes of the kept entries (and the opening settings before the first entry). */
static int cut_script(void *ctx, int64_t off, const uint8_t *p, size_t n)
{
    cut_ctx *c = ctx;
    const df_reader *r = c->d->r;
    size_t pos = 0;

    while (pos < n) {
        int64_t at = off + (int64_t)pos, until = off + (int64_t)n;
        bool keep;
        while (c->next < c->d->n && df_reader_toc_at(r, c->next)->text_offset <= at)
            c->next++;
        keep = c->next == 0 || c->keep[c->next - 1];
        if (c->next < c->d->n && df_reader_toc_at(r, c->next)->text_offset < until)
            until = df_reader_toc_at(r, c->next)->text_offset;
        if (keep && fwrite(p + pos, 1, (size_t)(until - at), c->out) != (size_t)(until - at))
            return DF_E_IO;
        pos += (size_t)(until - at);
    }
    return DF_OK;
}

int df_rdiag_write_plain(const df_rdiag *d, df_reader *r, FILE *out, df_error *err)
{
    cut_ctx c = {d, calloc(d->n ? d->n : 1, 1), 0, out};
    int rc;

    if (c.keep == NULL)
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    for (size_t k = 0; k < d->nresume; k++)
        c.keep[d->resume[k]] = 1;
    rc = stream_script(r, cut_script, &c, err);
    free(c.keep);
    if (rc == DF_E_IO && err && err->code == DF_OK)
        dfi_fail(err, DF_E_IO, -1, "could not write the script");
    return rc;
}
