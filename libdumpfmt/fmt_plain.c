/*
 * fmt_plain.c — plain-format dumps read as archives (spec §9): scripts of
 * pg_dump -Fp and pg_restore -f, pg_dumpall output (cluster globals, then
 * one section per database), whole or compressed as one file.
 *
 * One streaming pass at open turns the script into entries (ids 1..N in
 * file order): each header comment "-- [Data for ]Name: ...; Type: ...;
 * Schema: ...; Owner: ..." starts one, its SQL text is the definition, a
 * "Data for" part is measured on the fly (rows, bytes, COPY terminator)
 * without being kept.  pg_dumpall's globals become ROLE, ROLE SETTINGS,
 * ROLE MEMBERSHIP, PARAMETER ACL, TABLESPACE, DATABASE and DROP ...
 * entries; psql meta-commands other than \restrict, \unrestrict,
 * \connect and \encoding become PSQL META-COMMAND entries, and SQL outside
 * any entry becomes SQL STATEMENTS entries, so a verifier can flag them.
 * Memory is the TOC plus one text window.  The data API re-reads a data
 * part from the script: by seeking, or by decompressing again
 * (fmt_plain_data.c).
 */
#include "fmt_plain.h"

#include <stdlib.h>
#include <string.h>

/* Text window: small enough that reading into it and scanning it stay in cache. */
#define PLAIN_WINDOW (32 * 1024)
#define STRAY_TAG_MAX 64
/* The text kept of one entry (a longer one keeps its first bytes): memory stays well bounded. */
#define PLAIN_DEFN_MAX (16 * 1024 * 1024)

typedef enum part_kind {
    PART_NONE = 0, /* between entries */
    PART_DEF,      /* the definition part of a header entry: its text is the defn */
    PART_DATA,     /* a "Data for" part: measured, not kept */
    PART_GLOBAL,   /* a pg_dumpall globals entry: its statements are the defn */
    PART_STRAY,    /* SQL outside any entry */
} part_kind;

typedef enum data_kind { DK_NONE = 0, DK_COPY, DK_INSERT, DK_BLOBS, DK_OTHER } data_kind;

typedef enum block_state {
    CB_NONE = 0, /* not inside a "--" comment block */
    CB_OPEN,     /* after a line "--" (and maybe "-- TOC entry" / "-- Dependencies") */
    CB_HEADER,   /* after the Name: line of an entry header */
    CB_TITLE,    /* after another comment line: a section title such as "-- Roles" */
} block_state;

typedef enum ctx_kind {
    CTX_SCRIPT = 0, /* pg_dump output: header comments make entries */
    CTX_GLOBALS,    /* pg_dumpall before its databases: statements make entries */
    CTX_BETWEEN,    /* pg_dumpall between two databases */
    CTX_END,        /* after the final "dump complete" comment */
} ctx_kind;

/* Everything the open pass needs; gone after it. */
typedef struct builder {
    df_reader *r;
    plain_state *ps;
    dfi_plex lx;
    ctx_kind ctx;
    bool dumpall, saw_databases, has_trailer, seen_post;
    const char *db;
    ssize_t cur;
    part_kind part;
    dfi_pbytes defn;
    int64_t toc_bytes;
    /* the statement in progress */
    int64_t stmt_off;
    size_t stmt_mark;
    bool stmt_data;
    char stmt_word[DFI_PLEX_WORD_MAX + 1];
    /* the data part of the current entry */
    data_kind dk;
    bool copy_expected, copy_done, copy_terminated;
    bool data_open, data_started, extending, incomplete;
    int64_t body_start, data_start, data_end;
    int64_t copy_rows, los, lo_bytes;
    bool tapping; /* the data go to r->plain_tap */
    /* meta-command lines in a row (nothing else between them) make one entry */
    ssize_t meta_run; /* its index, -1 when the last thing read was not a meta-command */
    dfi_pbytes meta_defn;
    df_rowcount *rows;
    /* the comment block being read */
    block_state cb;
    int64_t cb_off, line_off;
    size_t cb_defn, line_defn;
    dfi_pbytes hdr_line, title;
    bool have_toc;
    int32_t toc_id;
    uint32_t toc_cls, toc_oid;
    int32_t *toc_deps;
    size_t toc_ndeps;
    /* per entry: the dump id a -v script printed ("-- TOC entry"), 0 if none */
    int32_t *orig_ids;
} builder;

static bool span_is(dfi_span s, const char *t)
{
    return s.n == strlen(t) && memcmp(s.p, t, s.n) == 0;
}

static bool text_is(const char *s, size_t n, const char *t)
{
    return n == strlen(t) && memcmp(s, t, n) == 0;
}

static bool text_starts(const char *s, size_t n, const char *t)
{
    return n >= strlen(t) && memcmp(s, t, strlen(t)) == 0;
}

/* ------------------------------------------------------------ entries */

/* Section of an entry, from its type (pg_dump's own assignment, spec §4.6). */
static int plain_section(const char *desc)
{
    static const char *const none[] = {"ACL",          "COMMENT",           "SECURITY LABEL",
                                       "ACL LANGUAGE", "PSQL META-COMMAND", "SQL STATEMENTS"};
    static const char *const data[] = {"TABLE DATA", "BLOBS", "BLOB COMMENTS", "SEQUENCE SET",
                                       "BLOB METADATA"};
    static const char *const post[] = {
        "CONSTRAINT",   "CHECK CONSTRAINT",   "FK CONSTRAINT",
        "INDEX",        "INDEX ATTACH",       "RULE",
        "TRIGGER",      "EVENT TRIGGER",      "POLICY",
        "ROW SECURITY", "DEFAULT ACL",        "MATERIALIZED VIEW DATA",
        "PUBLICATION",  "PUBLICATION TABLE",  "PUBLICATION TABLES IN SCHEMA",
        "SUBSCRIPTION", "SUBSCRIPTION TABLE", "STATISTICS"};

    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        if (strcmp(desc, none[i]) == 0)
            return DF_SECTION_NONE;
    for (size_t i = 0; i < sizeof data / sizeof data[0]; i++)
        if (strcmp(desc, data[i]) == 0)
            return DF_SECTION_DATA;
    for (size_t i = 0; i < sizeof post / sizeof post[0]; i++)
        if (strcmp(desc, post[i]) == 0)
            return DF_SECTION_POST_DATA;
    return DF_SECTION_PRE_DATA;
}

static int grow_entries(builder *b)
{
    df_reader *r = b->r;
    size_t cap = r->cap_entries ? r->cap_entries * 2 : 256;
    df_entry *e = realloc(r->entries, cap * sizeof *e);
    int32_t *ids;
    plain_extra *x;

    if (e == NULL)
        return nomem(r);
    r->entries = e;
    ids = realloc(b->orig_ids, cap * sizeof *ids);
    if (ids == NULL)
        return nomem(r);
    b->orig_ids = ids;
    x = realloc(b->ps->extra, cap * sizeof *x);
    if (x == NULL)
        return nomem(r);
    b->ps->extra = x;
    r->cap_entries = cap;
    return DF_OK;
}

/* Append an entry starting at script offset `off`; *out is its index. */
static int new_entry(builder *b, int64_t off, const char *desc, size_t desc_len, ssize_t *out)
{
    df_reader *r = b->r;
    size_t i = r->nentries;
    df_entry *e;
    int rc;

    if ((int64_t)i >= r->lim.max_toc_entries || i >= INT32_MAX)
        return dfi_fail(&r->err, DF_E_LIMIT, off, "script has more than %lld entries",
                        (long long)r->lim.max_toc_entries);
    if (i == r->cap_entries && (rc = grow_entries(b)) != DF_OK)
        return rc;
    e = &r->entries[i];
    memset(e, 0, sizeof *e);
    e->index = i;
    e->dump_id = (int32_t)(i + 1);
    e->desc = dfi_dup_n(desc, desc_len);
    if (e->desc == NULL)
        return nomem(r);
    e->section = plain_section(e->desc);
    e->offset_state = DF_OFFSET_NONE;
    e->data_offset = -1;
    e->toc_offset = e->text_offset = off;
    e->data_offset_text = e->data_bytes = e->data_rows = -1;
    e->database = b->dumpall ? b->db : NULL;
    b->orig_ids[i] = 0;
    b->ps->extra[i].lo_bytes = 0;
    b->ps->extra[i].bad_lo = -1;
    b->ps->extra[i].std_strings = true;
    r->nentries++;
    *out = (ssize_t)i;
    return DF_OK;
}

static df_entry *cur_entry(builder *b)
{
    return b->cur >= 0 ? &b->r->entries[b->cur] : NULL;
}

/*
 * The entry's SQL text without leading and trailing blank lines, ending in
 * one newline; a text cut at the limit keeps its first bytes.  The buffer
 * itself becomes the entry's: a long definition is not copied.
 */
static int set_defn(builder *b, df_entry *e)
{
    char *s = b->defn.p, *d;
    size_t n = b->defn.len, k = 0;

    while (k < n && (s[k] == '\n' || s[k] == '\r' || s[k] == ' ' || s[k] == '\t'))
        k++;
    while (!b->defn.overflow && n > k &&
           (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (k > 0)
        memmove(s, s + k, n - k);
    n -= k;
    d = realloc(s, n + 2);
    if (d == NULL)
        return nomem(b->r);
    b->defn.p = NULL;
    b->defn.len = b->defn.cap = 0;
    if (n > 0 && !b->defn.overflow)
        d[n++] = '\n';
    d[n] = '\0';
    free((char *)e->defn);
    e->defn = d;
    b->toc_bytes += (int64_t)n;
    if (b->toc_bytes > b->r->lim.max_toc_bytes)
        return dfi_fail(&b->r->err, DF_E_LIMIT, e->text_offset,
                        "entry texts exceed the limit of %lld bytes",
                        (long long)b->r->lim.max_toc_bytes);
    return DF_OK;
}

static void reset_data(builder *b)
{
    df_rowcount_free(b->rows);
    b->rows = NULL;
    b->dk = DK_NONE;
    b->copy_expected = b->copy_done = b->copy_terminated = false;
    b->data_open = b->data_started = b->extending = b->incomplete = false;
    b->data_start = b->data_end = -1;
    b->copy_rows = b->los = b->lo_bytes = 0;
    b->tapping = false;
}

/* A data part is complete: store what was measured. */
static int finish_data(builder *b, df_entry *e)
{
    e->defn = strdup("");
    if (e->defn == NULL)
        return nomem(b->r);
    if (!b->data_started) {
        e->data_offset_text = b->body_start;
        e->data_bytes = e->data_rows = 0;
        e->data_terminated = 1;
        return DF_OK;
    }
    e->data_offset_text = b->data_start;
    e->data_bytes = b->data_end > b->data_start ? b->data_end - b->data_start : 0;
    switch (b->dk) {
    case DK_COPY:
        e->data_rows = b->copy_rows;
        e->data_terminated = b->copy_terminated;
        break;
    case DK_BLOBS:
        e->data_rows = b->los;
        e->data_terminated = !b->incomplete;
        b->ps->extra[e->index].lo_bytes = b->lo_bytes;
        break;
    default:
        e->data_rows = b->rows ? df_rowcount_rows(b->rows) : 0;
        e->data_terminated = !b->incomplete;
        if (b->tapping)
            b->r->plain_tap->data_end(b->r->plain_tap->ctx, e->index);
        b->tapping = false;
        break;
    }
    return DF_OK;
}

static int close_entry(builder *b)
{
    df_entry *e = cur_entry(b);
    int rc = DF_OK;

    if (e == NULL)
        return DF_OK;
    if (b->part == PART_DATA)
        rc = finish_data(b, e);
    else
        rc = set_defn(b, e);
    b->cur = -1;
    b->part = PART_NONE;
    dfi_pbytes_reset(&b->defn);
    reset_data(b);
    return rc;
}

/* The text since the comment block started is not the previous entry's. */
static void cut_block(builder *b)
{
    if (b->part == PART_DEF && b->defn.len > b->cb_defn)
        b->defn.len = b->cb_defn;
}

static const char *intern_db(builder *b, const char *name)
{
    plain_state *ps = b->ps;
    char *copy;

    for (size_t i = 0; i < ps->ndbs; i++)
        if (strcmp(ps->dbs[i], name) == 0)
            return ps->dbs[i];
    if (ps->ndbs == ps->cap_dbs) {
        size_t cap = ps->cap_dbs ? ps->cap_dbs * 2 : 8;
        char **grown = realloc(ps->dbs, cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        ps->dbs = grown;
        ps->cap_dbs = cap;
    }
    copy = strdup(name);
    if (copy)
        ps->dbs[ps->ndbs++] = copy;
    return copy;
}

/* ------------------------------------------------------------ data parts */

static void stop_extending(builder *b, int64_t off)
{
    if (b->extending) {
        b->data_end = off;
        b->extending = false;
    }
}

static bool word_in(const char *w, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(w, list[i]) == 0)
            return true;
    return false;
}

static int start_data(builder *b, int64_t off, data_kind dk)
{
    b->data_started = true;
    b->data_start = off;
    b->dk = dk;
    b->ps->extra[b->cur].std_strings = b->lx.std_strings;
    if (dk == DK_INSERT || dk == DK_OTHER) {
        b->rows = df_rowcount_new(DF_ROWS_INSERT);
        if (b->rows == NULL)
            return nomem(b->r);
    }
    b->tapping = dk == DK_INSERT && b->r->plain_tap != NULL;
    if (b->tapping)
        b->r->plain_tap->data_begin(b->r->plain_tap->ctx, b->r, (size_t)b->cur, false);
    return DF_OK;
}

/*
 * Which statements of a "Data for" part are its data: INSERTs of TABLE
 * DATA (COPY data are reported by the lexer), the transaction and
 * lo_open/lowrite/lo_close SELECTs of BLOBS, anything but session
 * statements otherwise.  Whatever else comes after the data ends them
 * (for example ALTER TABLE ... ENABLE TRIGGER ALL of --disable-triggers).
 */
static int data_statement_begin(builder *b, int64_t off, const char *word)
{
    static const char *const lo_words[] = {"begin", "select", "commit", "end"};
    static const char *const session[] = {"set", "reset", "begin", "commit", "start", "end"};
    const df_entry *e = cur_entry(b);
    data_kind dk = DK_NONE;

    if (!b->data_open)
        return DF_OK;
    if (dfi_desc_is(e, "BLOBS")) {
        if (word_in(word, lo_words, 4))
            dk = DK_BLOBS;
    } else if (dfi_desc_is(e, "TABLE DATA")) {
        if (strcmp(word, "insert") == 0 && !b->copy_expected)
            dk = DK_INSERT;
        else if (strcmp(word, "copy") == 0 && !b->data_started)
            return DF_OK; /* the COPY command itself: its data follow */
    } else if (!word_in(word, session, 6)) {
        dk = DK_OTHER;
    }
    if (dk == DK_NONE || (b->data_started && b->dk != dk)) {
        if (b->data_started)
            b->data_open = false;
        return DF_OK;
    }
    b->stmt_data = true;
    return b->data_started ? DF_OK : start_data(b, off, dk);
}

/*
 * Count the large objects and their bytes.  A statement that cannot be read
 * spoils only this entry's data (measuring and reading it report it), not
 * the listing; one cut by the end of the script is the data's truncation.
 */
static int count_lo_statement(builder *b, const char *text, size_t len, bool complete,
                              bool terminated)
{
    plain_extra *x = &b->ps->extra[b->cur];
    uint32_t oid;
    size_t n;
    dfi_lo_kind k;

    if (!terminated)
        return DF_OK;
    k = complete ? dfi_plain_lo_statement(text, len, b->lx.std_strings, &oid, NULL, &n)
                 : DFI_LO_BAD;
    if (k == DFI_LO_BAD && x->bad_lo < 0)
        x->bad_lo = b->stmt_off;
    if (k == DFI_LO_OPEN && b->r->plain_tap != NULL)
        b->r->plain_tap->lo_open(b->r->plain_tap->ctx, (size_t)b->cur, oid);
    if (k == DFI_LO_OPEN)
        b->los++;
    else if (k == DFI_LO_WRITE)
        b->lo_bytes += (int64_t)n;
    return DF_OK;
}

/* ------------------------------------------------------------ entries from statements */

/* Append a statement to the defn of a GLOBAL or STRAY entry. */
static int add_statement(builder *b, const char *text, size_t len)
{
    if (dfi_pbytes_add(&b->defn, text, len) != DF_OK || dfi_pbytes_add(&b->defn, "\n", 1) != DF_OK)
        return nomem(b->r);
    return DF_OK;
}

/* SQL outside any entry: collected in one SQL STATEMENTS entry until the next entry. */
static int stray_statement(builder *b, const char *text, size_t len)
{
    int rc;

    if (b->part != PART_STRAY) {
        size_t n = 0;
        df_entry *e;

        if ((rc = close_entry(b)) != DF_OK ||
            (rc = new_entry(b, b->stmt_off, "SQL STATEMENTS", 14, &b->cur)) != DF_OK)
            return rc;
        while (n < len && n < STRAY_TAG_MAX && text[n] != '\n' && text[n] != '\r')
            n++;
        e = cur_entry(b);
        e->tag = dfi_dup_n(text, n);
        if (e->tag == NULL)
            return nomem(b->r);
        b->part = PART_STRAY;
    }
    return add_statement(b, text, len);
}

static bool same_global(builder *b, const dfi_global_stmt *g)
{
    const df_entry *e = cur_entry(b);

    return b->part == PART_GLOBAL && e && dfi_desc_is(e, g->desc) && e->tag &&
           strcmp(e->tag, g->tag) == 0;
}

/* A statement of pg_dumpall's globals part: one entry per role, grant, tablespace ... */
static int global_statement(builder *b, const char *text, size_t len)
{
    dfi_global_stmt g;
    df_entry *e;
    int rc = dfi_plain_classify_global(text, len, &g);

    if (rc != DF_OK)
        return nomem(b->r);
    if (g.desc == NULL) {
        dfi_global_stmt_free(&g);
        return b->part == PART_GLOBAL ? add_statement(b, text, len) : stray_statement(b, text, len);
    }
    if (!(g.joins && same_global(b, &g))) {
        if ((rc = close_entry(b)) != DF_OK ||
            (rc = new_entry(b, b->stmt_off, g.desc, strlen(g.desc), &b->cur)) != DF_OK) {
            dfi_global_stmt_free(&g);
            return rc;
        }
        e = cur_entry(b);
        e->tag = g.tag;
        e->owner = g.owner;
        g.tag = g.owner = NULL;
        b->part = PART_GLOBAL;
    }
    dfi_global_stmt_free(&g);
    return add_statement(b, text, len);
}

/* Keep a session statement or \connect line (bounded by the TOC byte limit, like entry texts). */
static int note_session(builder *b, int64_t off, const char *text, size_t len)
{
    plain_state *ps = b->ps;
    dfi_plain_session *s;

    if (text == NULL || len > DFI_PLAIN_SESSION_MAX)
        return DF_OK; /* not captured, or no statement pg_dump writes */
    if (ps->nsess == ps->cap_sess) {
        size_t cap = ps->cap_sess ? ps->cap_sess * 2 : 64;
        dfi_plain_session *grown = realloc(ps->sess, cap * sizeof *grown);
        if (grown == NULL)
            return nomem(b->r);
        ps->sess = grown;
        ps->cap_sess = cap;
    }
    s = &ps->sess[ps->nsess];
    s->off = off;
    s->std_strings = b->lx.std_strings;
    if ((s->text = dfi_dup_n(text, len)) == NULL)
        return nomem(b->r);
    ps->nsess++;
    b->toc_bytes += (int64_t)len;
    if (b->toc_bytes > b->r->lim.max_toc_bytes)
        return dfi_fail(&b->r->err, DF_E_LIMIT, off, "entry texts exceed the limit of %lld bytes",
                        (long long)b->r->lim.max_toc_bytes);
    return DF_OK;
}

const dfi_plain_session *dfi_plain_sessions(const df_reader *r, size_t *n)
{
    const plain_state *ps = r->fmt == &dfi_format_plain ? r->fmt_state : NULL;

    *n = ps ? ps->nsess : 0;
    return ps ? ps->sess : NULL;
}

static int copy_statement(builder *b, const char *text, size_t len)
{
    df_entry *e = cur_entry(b);

    if (b->part != PART_DATA || b->data_started || b->copy_expected)
        return DF_OK; /* COPY data outside a data part: psql loads them, no entry owns them */
    free((char *)e->copy_stmt);
    e->copy_stmt = malloc(len + 2);
    if (e->copy_stmt == NULL)
        return nomem(b->r);
    memcpy((char *)e->copy_stmt, text, len);
    memcpy((char *)e->copy_stmt + len, "\n", 2);
    b->copy_expected = true;
    return DF_OK;
}

/* ------------------------------------------------------------ lexer hooks */

static int end_meta_run(builder *b);

static int h_text(void *ctx, const uint8_t *p, size_t n)
{
    builder *b = ctx;

    if (b->part == PART_DEF) {
        if (dfi_pbytes_add(&b->defn, p, n) != DF_OK)
            return nomem(b->r);
    } else if (b->part == PART_DATA && b->rows && b->data_open) {
        df_rowcount_feed(b->rows, p, n);
        if (b->tapping && b->stmt_data) /* statements only, not the comment after them */
            b->r->plain_tap->data(b->r->plain_tap->ctx, p, n);
    }
    return DF_OK;
}

static int h_stmt_begin(void *ctx, int64_t off, const char *word, bool *capture)
{
    builder *b = ctx;
    int rc = end_meta_run(b);

    if (rc != DF_OK)
        return rc;
    b->cb = CB_NONE;
    stop_extending(b, off);
    b->stmt_off = off;
    b->stmt_mark = b->defn.len;
    b->stmt_data = false;
    snprintf(b->stmt_word, sizeof b->stmt_word, "%s", word);
    /* INSERT data and definitions are long: keep only what is needed to classify */
    if (b->part == PART_DEF)
        *capture = strcmp(word, "select") == 0 || strcmp(word, "reset") == 0;
    else if (b->part == PART_DATA)
        *capture = strcmp(word, "insert") != 0;
    else
        *capture = true;
    return b->part == PART_DATA ? data_statement_begin(b, off, word) : DF_OK;
}

static int h_stmt_end(void *ctx, int64_t end, const char *text, size_t len, bool complete,
                      bool terminated, bool copy_in)
{
    builder *b = ctx;

    if (b->stmt_data) {
        b->stmt_data = false;
        b->data_end = end;
        b->extending = true;
        if (!terminated)
            b->incomplete = true;
        return b->dk == DK_BLOBS ? count_lo_statement(b, text, len, complete, terminated) : DF_OK;
    }
    if (copy_in)
        return copy_statement(b, text, len);
    if (dfi_plain_is_session_statement(b->stmt_word, text, len)) {
        if (b->part == PART_DEF)
            b->defn.len = b->stmt_mark; /* SET lines between entries belong to none */
        if (strcmp(b->stmt_word, "set") == 0 || strcmp(b->stmt_word, "reset") == 0 ||
            strcmp(b->stmt_word, "select") == 0)
            return note_session(b, b->stmt_off, text, len);
        return DF_OK;
    }
    if (b->part == PART_DEF || b->part == PART_DATA)
        return DF_OK; /* the entry's own SQL */
    if (b->dumpall && b->ctx != CTX_SCRIPT)
        return global_statement(b, text, len);
    return stray_statement(b, text, len);
}

static void open_block(builder *b)
{
    b->cb = CB_OPEN;
    b->cb_off = b->line_off;
    b->cb_defn = b->line_defn;
    b->have_toc = false;
    free(b->toc_deps);
    b->toc_deps = NULL;
    b->toc_ndeps = 0;
}

/* Set an entry's string field from a header span ("-" = NULL where asked). */
static int set_field(builder *b, const char **field, dfi_span s, bool dash_is_null)
{
    if (dash_is_null && span_is(s, "-")) {
        *field = NULL;
        return DF_OK;
    }
    *field = dfi_dup_n(s.p, s.n);
    return *field ? DF_OK : nomem(b->r);
}

static int start_header_entry(builder *b, const dfi_plain_header *h, int64_t body)
{
    df_entry *e;
    int rc = new_entry(b, b->cb_off, h->desc.p, h->desc.n, &b->cur);

    if (rc != DF_OK)
        return rc;
    e = cur_entry(b);
    if ((rc = set_field(b, &e->tag, h->tag, false)) != DF_OK ||
        (!h->no_schema && (rc = set_field(b, &e->schema, h->ns, true)) != DF_OK) ||
        (rc = set_field(b, &e->owner, h->owner, true)) != DF_OK ||
        (h->has_ts && (rc = set_field(b, &e->tablespace, h->ts, false)) != DF_OK))
        return rc;
    if (b->have_toc) {
        e->table_oid = b->toc_cls;
        e->oid = b->toc_oid;
        b->orig_ids[e->index] = b->toc_id;
        e->deps = b->toc_deps; /* original ids: translated after the pass */
        e->ndeps = b->toc_ndeps;
        b->toc_deps = NULL;
        b->toc_ndeps = 0;
    }
    b->body_start = body;
    b->part = PART_DEF;
    /* data parts say "Data for Name:"; before 7.3 only their type tells */
    if (h->prefix == 1 || dfi_desc_is(e, "TABLE DATA") || dfi_desc_is(e, "BLOBS") ||
        dfi_desc_is(e, "BLOB COMMENTS")) {
        e->had_dumper = 1;
        e->section = DF_SECTION_DATA;
        b->part = PART_DATA;
        b->data_open = true;
    } else if (h->prefix == 2) {
        e->section = b->seen_post ? DF_SECTION_POST_DATA : DF_SECTION_DATA;
    }
    if (e->section == DF_SECTION_POST_DATA)
        b->seen_post = true;
    if (!b->dumpall && dfi_desc_is(e, "DATABASE") && b->r->hdr_dbname == NULL && e->tag)
        b->r->hdr_dbname = strdup(e->tag);
    return DF_OK;
}

static int commit_header(builder *b, int64_t end)
{
    dfi_plain_header h;
    int rc;

    b->cb = CB_NONE;
    if (!dfi_plain_parse_header(b->hdr_line.p, b->hdr_line.len, &h))
        return DF_OK;
    cut_block(b);
    if ((rc = close_entry(b)) != DF_OK)
        return rc;
    if (b->ctx != CTX_SCRIPT)
        b->ctx = CTX_SCRIPT;
    b->has_trailer = false; /* something follows the "dump complete" comment */
    return start_header_entry(b, &h, end);
}

/* `Database "name" dump` of pg_dumpall: the name as printed (CR/LF made spaces). */
static bool database_title(const char *t, size_t n, const char **name, size_t *len)
{
    if (!text_starts(t, n, "Database \"") || n < 16 || memcmp(t + n - 6, "\" dump", 6) != 0)
        return false;
    *name = t + 10;
    *len = n - 16;
    return true;
}

/* Section titles of pg_dump and pg_dumpall ("-- Roles", "-- PostgreSQL database dump" ...). */
static int commit_title(builder *b)
{
    const char *t = b->title.p ? b->title.p : "", *name;
    size_t n = b->title.len, len;
    int rc;

    b->cb = CB_NONE;
    if (text_is(t, n, "PostgreSQL database dump")) {
        b->ctx = CTX_SCRIPT;
    } else if (text_is(t, n, "PostgreSQL database dump complete")) {
        b->ctx = b->dumpall ? CTX_BETWEEN : CTX_END;
        b->has_trailer = b->has_trailer || !b->dumpall;
    } else if (text_is(t, n, "PostgreSQL database cluster dump")) {
        b->dumpall = true;
        b->ctx = CTX_GLOBALS;
    } else if (text_is(t, n, "PostgreSQL database cluster dump complete") && b->dumpall) {
        b->ctx = CTX_END;
        b->has_trailer = true;
    } else if (b->dumpall && database_title(t, n, &name, &len)) {
        char *copy = dfi_dup_n(name, len);
        b->db = copy ? intern_db(b, copy) : NULL;
        free(copy);
        if (b->db == NULL)
            return nomem(b->r);
        b->saw_databases = true;
        b->ctx = CTX_BETWEEN;
    } else if (b->dumpall && b->ctx != CTX_SCRIPT) {
        /* Roles, Role memberships, Tablespaces, Databases ... */
        if (text_is(t, n, "Databases"))
            b->saw_databases = true;
        b->ctx = text_is(t, n, "Databases") ? CTX_BETWEEN : CTX_GLOBALS;
    } else {
        return DF_OK; /* an ordinary comment: it stays in the entry's text */
    }
    cut_block(b);
    if ((rc = close_entry(b)) != DF_OK)
        return rc;
    if (b->has_trailer && b->ctx != CTX_END)
        b->has_trailer = false;
    return DF_OK;
}

/* "-- Dumped from database version 18.3" and friends, outside blocks. */
static int standalone_comment(builder *b, const char *s, size_t n)
{
    static const char from[] = "Dumped from database version ";
    static const char by[] = "Dumped by pg_dump version ";
    df_reader *r = b->r;

    if (text_starts(s, n, from) && r->hdr_server == NULL) {
        r->hdr_server = dfi_dup_n(s + sizeof from - 1, n - (sizeof from - 1));
        return r->hdr_server ? DF_OK : nomem(r);
    }
    if (text_starts(s, n, by) && r->hdr_dump == NULL) {
        r->hdr_dump = dfi_dup_n(s + sizeof by - 1, n - (sizeof by - 1));
        return r->hdr_dump ? DF_OK : nomem(r);
    }
    return DF_OK;
}

/* A comment line inside an open block: TOC information, a header, or a title. */
static int block_line(builder *b, const char *s, size_t n)
{
    int32_t id;
    uint32_t cls, oid;
    int rc;

    if (dfi_plain_parse_toc_line(s, n, &id, &cls, &oid)) {
        b->toc_id = id;
        b->toc_cls = cls;
        b->toc_oid = oid;
        b->have_toc = true;
        b->cb = CB_OPEN; /* the Name: line follows */
        return DF_OK;
    }
    if (text_starts(s, n, "Dependencies:")) {
        b->cb = CB_OPEN;
        free(b->toc_deps);
        rc = dfi_plain_parse_deps(s, n, &b->toc_deps, &b->toc_ndeps, (size_t)b->r->lim.max_deps);
        if (rc == DF_E_LIMIT)
            return dfi_fail(&b->r->err, rc, b->line_off, "entry has more than %lld dependencies",
                            (long long)b->r->lim.max_deps);
        return rc == DF_OK ? DF_OK : nomem(b->r);
    }
    dfi_pbytes_reset(&b->hdr_line);
    dfi_pbytes_reset(&b->title);
    {
        dfi_plain_header h;
        bool header = dfi_plain_parse_header(s, n, &h);
        dfi_pbytes *keep = header ? &b->hdr_line : &b->title;

        if (dfi_pbytes_add(keep, s, n) != DF_OK)
            return nomem(b->r);
        b->cb = header ? CB_HEADER : CB_TITLE;
    }
    return DF_OK;
}

static int h_comment_begin(void *ctx, int64_t off)
{
    builder *b = ctx;

    stop_extending(b, off);
    b->line_off = off;
    if (end_meta_run(b) != DF_OK)
        return DF_E_NOMEM;
    b->line_defn = b->defn.len;
    return DF_OK;
}

static int h_comment_end(void *ctx, int64_t end, const char *line, size_t len, bool complete)
{
    builder *b = ctx;
    block_state was = b->cb;

    if (!complete) {
        b->cb = CB_NONE;
        return DF_OK;
    }
    if (text_is(line, len, "--")) {
        if (was == CB_HEADER)
            return commit_header(b, end);
        if (was == CB_TITLE)
            return commit_title(b);
        if (was == CB_OPEN && b->have_toc) {
            b->cb = CB_OPEN; /* before 7.3 a "--" line separates the TOC line and the Name */
            return DF_OK;
        }
        open_block(b);
        return DF_OK;
    }
    b->cb = CB_NONE;
    if (!text_starts(line, len, "-- "))
        return DF_OK;
    if (was == CB_OPEN)
        return block_line(b, line + 3, len - 3);
    if (was == CB_HEADER &&
        (text_starts(line + 3, len - 3, "Data Pos:") || text_starts(line + 3, len - 3, "File:"))) {
        b->cb = CB_HEADER;
        return DF_OK;
    }
    return standalone_comment(b, line + 3, len - 3);
}

/* The word after the backslash of a meta-command line. */
static size_t meta_name(const char *line, size_t len, char *out, size_t on)
{
    size_t k = 0;

    for (size_t i = 1; i < len && line[i] != ' ' && line[i] != '\t' && k + 1 < on; i++)
        out[k++] = line[i];
    out[k] = '\0';
    return k;
}

static int note_restrict_key(builder *b, const char *line, size_t len)
{
    const char *p = line + strlen("\\restrict");
    const char *end = line + len;

    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (b->ps->restrict_key != NULL || p == end)
        return DF_OK;
    b->ps->restrict_key = dfi_dup_n(p, (size_t)(end - p));
    return b->ps->restrict_key ? DF_OK : nomem(b->r);
}

static int switch_database(builder *b, const char *line, size_t len)
{
    char *target;

    if (!b->dumpall)
        return DF_OK;
    target = dfi_plain_connect_target(line, len);
    if (target == NULL)
        return DF_OK;
    b->db = intern_db(b, target);
    free(target);
    b->saw_databases = true;
    return b->db ? DF_OK : nomem(b->r);
}

/* Something other than a meta-command line: the run of meta-command lines (if any) ends. */
static int end_meta_run(builder *b)
{
    df_entry *e;

    if (b->meta_run < 0)
        return DF_OK;
    e = &b->r->entries[b->meta_run];
    b->meta_run = -1;
    e->defn = dfi_dup_n(b->meta_defn.p ? b->meta_defn.p : "", b->meta_defn.len);
    dfi_pbytes_reset(&b->meta_defn);
    return e->defn ? DF_OK : nomem(b->r);
}

/*
 * A meta-command other than the ones pg_dump writes: an entry of its own,
 * or the next line of the entry of the meta-command lines right before it
 * (a million "\N" lines are one entry, not a million).
 */
static int meta_entry(builder *b, int64_t off, const char *line, size_t len)
{
    ssize_t i;
    df_entry *e;
    int rc = DF_OK;

    if (b->meta_run < 0) {
        if ((rc = new_entry(b, off, "PSQL META-COMMAND", 17, &i)) != DF_OK)
            return rc;
        e = &b->r->entries[i];
        e->tag = dfi_dup_n(line, len);
        if (e->tag == NULL)
            return nomem(b->r);
        b->meta_run = i;
    }
    if (dfi_pbytes_add(&b->meta_defn, line, len) != DF_OK ||
        dfi_pbytes_add(&b->meta_defn, "\n", 1) != DF_OK)
        return nomem(b->r);
    return DF_OK;
}

static int h_meta(void *ctx, int64_t off, int64_t end, const char *line, size_t len, bool complete)
{
    builder *b = ctx;
    char name[32];
    int rc;

    (void)end;
    (void)complete;
    b->cb = CB_NONE;
    stop_extending(b, off);
    meta_name(line, len, name, sizeof name);
    if (strcmp(name, "restrict") != 0 && strcmp(name, "unrestrict") != 0 &&
        strcmp(name, "encoding") != 0 && strcmp(name, "connect") != 0 && strcmp(name, "c") != 0)
        return meta_entry(b, off, line, len);
    if ((rc = end_meta_run(b)) != DF_OK)
        return rc;
    if (strcmp(name, "restrict") == 0)
        return note_restrict_key(b, line, len);
    if (strcmp(name, "unrestrict") == 0 || strcmp(name, "encoding") == 0)
        return DF_OK;
    if ((rc = note_session(b, off, line, len)) != DF_OK)
        return rc;
    return switch_database(b, line, len); /* \connect or \c */
}

static int h_copy_begin(void *ctx, int64_t off)
{
    builder *b = ctx;
    int rc = end_meta_run(b);

    b->cb = CB_NONE;
    if (rc == DF_OK && b->part == PART_DATA && b->copy_expected && !b->data_started) {
        rc = start_data(b, off, DK_COPY);
        b->tapping = rc == DF_OK && b->r->plain_tap != NULL;
        if (b->tapping)
            b->r->plain_tap->data_begin(b->r->plain_tap->ctx, b->r, (size_t)b->cur, true);
    }
    return rc;
}

static int h_copy_data(void *ctx, const uint8_t *p, size_t n)
{
    builder *b = ctx;

    if (b->tapping)
        b->r->plain_tap->data(b->r->plain_tap->ctx, p, n);
    return DF_OK;
}

static int h_copy_end(void *ctx, int64_t end, int64_t rows, bool terminated)
{
    builder *b = ctx;

    if (b->part != PART_DATA || b->dk != DK_COPY || b->copy_done)
        return DF_OK;
    b->copy_done = true;
    if (b->tapping)
        b->r->plain_tap->data_end(b->r->plain_tap->ctx, (size_t)b->cur);
    b->tapping = false;
    b->copy_rows = rows;
    b->copy_terminated = terminated;
    b->data_end = end;
    b->extending = true;
    b->data_open = false;
    return DF_OK;
}

/* ------------------------------------------------------------ after the pass */

/* Dependencies of a -v script name printed dump ids: turn them into ours, drop the rest. */
static int translate_deps(builder *b)
{
    df_reader *r = b->r;
    dfi_id_pair *pairs = malloc((r->nentries + 1) * sizeof *pairs);
    size_t n = 0;

    if (pairs == NULL)
        return nomem(r);
    for (size_t i = 0; i < r->nentries; i++)
        if (b->orig_ids[i] > 0)
            pairs[n++] = (dfi_id_pair){b->orig_ids[i], (int32_t)i};
    dfi_id_pairs_sort(pairs, n);
    for (size_t i = 0; i < r->nentries; i++) {
        df_entry *e = &r->entries[i];
        int32_t *deps = (int32_t *)e->deps;
        size_t k = 0;

        for (size_t d = 0; d < e->ndeps; d++) {
            int32_t mapped = dfi_id_pairs_find(pairs, n, deps[d]);
            if (mapped >= 0)
                deps[k++] = mapped + 1; /* our ids are 1..N in file order */
        }
        e->ndeps = k;
    }
    free(pairs);
    return DF_OK;
}

static int build_index(df_reader *r)
{
    r->id_sorted = malloc((r->nentries + 1) * sizeof *r->id_sorted);
    if (r->id_sorted == NULL)
        return nomem(r);
    for (size_t i = 0; i < r->nentries; i++)
        r->id_sorted[i] = (int32_t)i; /* ids are 1..N in file order */
    return DF_OK;
}

static df_compression compression_of(dfi_wrap w)
{
    switch (w) {
    case DFI_WRAP_GZIP: return DF_COMPRESS_GZIP;
    case DFI_WRAP_LZ4F: return DF_COMPRESS_LZ4;
    case DFI_WRAP_ZSTD: return DF_COMPRESS_ZSTD;
    default: return DF_COMPRESS_NONE;
    }
}

static void fill_header(builder *b, int64_t script_end)
{
    df_reader *r = b->r;
    df_header *h = &r->hdr;

    h->toc_count = (int64_t)r->nentries;
    /* a compressed script from a pipe: its size is what was read of it */
    if (h->file_size < 0 && b->ps->st.wrap != DFI_WRAP_RAW)
        h->file_size = b->ps->st.in_raw + (int64_t)b->ps->st.in_len - b->ps->st.origin;
    h->header_end = -1;
    h->toc_end = script_end;
    h->script_bytes = script_end;
    h->has_trailer = b->has_trailer;
    h->plain_kind = !b->dumpall        ? DF_PLAIN_PG_DUMP
                    : b->saw_databases ? DF_PLAIN_DUMPALL
                                       : DF_PLAIN_GLOBALS;
    h->restrict_key = b->ps->restrict_key;
    h->dbname = r->hdr_dbname;
    h->server_version = r->hdr_server;
    h->dump_version = r->hdr_dump;
}

/* ------------------------------------------------------------ open */

static const dfi_plex_hooks builder_hooks = {
    .text = h_text,
    .stmt_begin = h_stmt_begin,
    .stmt_end = h_stmt_end,
    .comment_begin = h_comment_begin,
    .comment_end = h_comment_end,
    .meta = h_meta,
    .copy_begin = h_copy_begin,
    .copy_end = h_copy_end,
};

/* A decoding error ends the script early: remember it, keep what was read. */
static void note_script_error(df_reader *r)
{
    plain_state *ps = ps_of(r);

    ps->script_error = r->err;
    r->hdr.script_error = &ps->script_error;
    dfi_error_clear(&r->err);
}

/* More text for the open pass; a damaged compressed stream just ends it. */
static int fill_text(df_reader *r, dfi_pstream *st)
{
    int rc = dfi_pstream_fill(st);

    if (rc == DF_OK || st->failed == DF_OK)
        return rc;
    note_script_error(r);
    return DF_OK;
}

/* The text starts like a script (compressed files get here by their magic alone). */
static int check_banner(df_reader *r, dfi_pstream *st)
{
    int rc = fill_text(r, st);

    if (rc != DF_OK)
        return rc;
    if (dfi_looks_like_plain(st->win + st->start, st->end - st->start))
        return DF_OK;
    if (r->hdr.script_error != NULL) {
        r->err = *r->hdr.script_error; /* nothing readable before decompression failed */
        r->hdr.script_error = NULL;
        return r->err.code;
    }
    if (st->wrap != DFI_WRAP_RAW)
        return dfi_fail(&r->err, DF_E_FORMAT, 0,
                        "%s-compressed file does not contain a plain-format dump",
                        df_compression_name(r->hdr.file_compression));
    return dfi_fail(&r->err, DF_E_FORMAT, 0, "input file does not appear to be a valid archive");
}

static int scan_script(builder *b)
{
    dfi_pstream *st = &b->ps->st;

    for (;;) {
        ssize_t used = dfi_plex_feed(&b->lx, st->win + st->start, st->end - st->start, st->eof);
        int rc;

        if (used < 0)
            return (int)used;
        st->start += (size_t)used;
        if (st->eof && st->start == st->end)
            break;
        if ((rc = fill_text(b->r, st)) != DF_OK)
            return rc;
        dfi_progress(b->r, cur_entry(b));
    }
    return dfi_plex_finish(&b->lx);
}

static int run_builder(builder *b)
{
    int64_t end;
    int rc = scan_script(b);

    if (rc < 0)
        return rc;
    end = b->lx.off;
    if ((rc = end_meta_run(b)) != DF_OK)
        return rc;
    b->cb = CB_NONE;
    stop_extending(b, end);
    if ((rc = close_entry(b)) != DF_OK || (rc = translate_deps(b)) != DF_OK ||
        (rc = build_index(b->r)) != DF_OK)
        return rc;
    fill_header(b, end);
    return DF_OK;
}

static void builder_free(builder *b)
{
    dfi_plex_free(&b->lx);
    dfi_pbytes_free(&b->defn);
    dfi_pbytes_free(&b->hdr_line);
    dfi_pbytes_free(&b->title);
    dfi_pbytes_free(&b->meta_defn);
    df_rowcount_free(b->rows);
    free(b->toc_deps);
    free(b->orig_ids);
}

static int plain_open(df_reader *r)
{
    plain_state *ps = calloc(1, sizeof *ps);
    dfi_wrap wrap = dfi_wrap_sniff(dfi_buf_ptr(&r->buf), dfi_buf_avail(&r->buf));
    builder b;
    dfi_plex_hooks hooks = builder_hooks;
    int rc;

    if (r->plain_tap != NULL) /* COPY data are otherwise never looked at byte by byte */
        hooks.copy_data = h_copy_data;
    if (ps == NULL)
        return nomem(r);
    r->fmt_state = ps;
    r->hdr.file_compression = compression_of(wrap);
    ps->lo_buf.max = DFI_PLEX_CAPTURE_MAX;
    rc = dfi_pstream_init(&ps->st, r, wrap, PLAIN_WINDOW);
    if (rc == DF_OK)
        rc = check_banner(r, &ps->st);
    if (rc != DF_OK)
        return rc;
    memset(&b, 0, sizeof b);
    b.r = r;
    b.ps = ps;
    b.cur = -1;
    b.defn.max = (size_t)(r->lim.max_string > 0 ? r->lim.max_string : 0);
    if (b.defn.max > PLAIN_DEFN_MAX)
        b.defn.max = PLAIN_DEFN_MAX;
    b.hdr_line.max = b.title.max = DFI_PLEX_CAPTURE_MAX;
    b.meta_defn.max = b.defn.max;
    b.meta_run = -1;
    reset_data(&b);
    hooks.ctx = &b;
    dfi_plex_init(&b.lx, &hooks);
    b.lx.off = dfi_pstream_tell(&ps->st);
    rc = run_builder(&b);
    builder_free(&b);
    return rc;
}

static void plain_free(df_reader *r)
{
    plain_state *ps = ps_of(r);

    if (ps == NULL)
        return;
    dfi_plain_close_data(r);
    dfi_pstream_free(&ps->st);
    dfi_pbytes_free(&ps->lo_buf);
    for (size_t i = 0; i < ps->ndbs; i++)
        free(ps->dbs[i]);
    free(ps->dbs);
    free(ps->restrict_key);
    for (size_t i = 0; i < ps->nsess; i++)
        free(ps->sess[i].text);
    free(ps->sess);
    free(ps->extra);
    /* entries borrow the database names freed above */
    for (size_t i = 0; i < r->nentries; i++)
        r->entries[i].database = NULL;
    r->hdr.restrict_key = NULL;
    r->hdr.script_error = NULL;
    free(ps);
    r->fmt_state = NULL;
}

static int64_t plain_tell(const df_reader *r)
{
    const plain_state *ps = ps_of(r);

    return ps ? dfi_pstream_tell(&ps->st) : -1;
}

const dfi_format dfi_format_plain = {
    .name = "plain",
    .id = DF_FORMAT_PLAIN,
    .open = plain_open,
    .open_data = dfi_plain_open_data,
    .next_lo = dfi_plain_next_lo,
    .read_raw = dfi_plain_read_raw,
    .close_data = dfi_plain_close_data,
    .free = plain_free,
    .tell = plain_tell,
};

/*
 * The first lines pg_dump, pg_restore -f and pg_dumpall (every release
 * since 7.3) write; a script saved with CRLF line ends is accepted too.
 */
bool dfi_looks_like_plain(const uint8_t *p, size_t n)
{
    static const char *const banners[] = {
        "--\n-- PostgreSQL database dump",       "--\n-- PostgreSQL database cluster dump",
        "--\r\n-- PostgreSQL database dump",     "--\r\n-- PostgreSQL database cluster dump",
    };

    for (size_t i = 0; i < sizeof banners / sizeof banners[0]; i++) {
        size_t k = strlen(banners[i]);
        if (n >= k && memcmp(p, banners[i], k) == 0)
            return true;
    }
    return false;
}
