/*
 * restorelog.c — reads what a restore wrote on stderr: pg_restore 10-18
 * (with or without -v, serial or -j with interleaved workers) and psql
 * running a plain script (psql:FILE:LINE: prefixes, or an -e/-a echo),
 * and classifies each error by its root cause.  Fed line by line so a
 * log of any size is read in memory proportional to its errors; knows
 * nothing of the dump (restorediag.c lays the errors over it).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LINE (1 << 20)      /* longer log lines are cut */
#define MAX_COMMAND 512 /* a "Command was:" or CONTEXT kept up to this size: memory grows with
                            the errors, not with their statements */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

struct df_restorelog {
    df_rlog_summary sum;
    df_rlog_error *errs;
    size_t nerrs, cap_errs;
    df_rlog_item *items;
    size_t nitems, cap_items;
    /* state of the line reader */
    int32_t cur_toc;        /* last "from TOC entry" id */
    char *cur_toc_desc;
    char *cur_item;         /* last -v "creating ..." / "processing data for table" */
    int32_t cur_item_id;
    int in_session;         /* "while INITIALIZING/FINALIZING": errors belong to no entry */
    df_rlog_error *open;    /* error still taking continuation lines */
    int in_command;         /* continuation lines belong to "Command was:" */
    int in_context;
    sbuf cmd;               /* the command being collected */
    sbuf echo;              /* psql -e/-a: the statement echoed last */
    int echo_done;          /* the echo ended with ';': the next line starts another */
    int64_t known_lines;    /* lines a pg_restore or psql would write */
    int64_t pg_lines, psql_lines;
    int error_stop;         /* the last thing seen was an error (no "errors ignored" after) */
    int failed;             /* an allocation failed: DF_E_NOMEM from now on */
};

static const char *const class_names[DF_RLOG_NCLASSES] = {
    "unclassified", "role-missing", "already-exists", "missing-object", "extension-missing",
    "permission-denied", "data", "server-too-old", "resource"};

const char *df_rlog_class_name(int cls)
{
    return cls >= 0 && cls < DF_RLOG_NCLASSES ? class_names[cls] : "unknown";
}

/* ------------------------------------------------------------ small strings */

static bool has_prefix(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);
    return n >= k && memcmp(s, p, k) == 0;
}

static int sbuf_add(sbuf *b, const char *s, size_t n, size_t limit)
{
    if (b->n >= limit)
        return DF_OK;
    if (n > limit - b->n)
        n = limit - b->n;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *p;
        while (cap < b->n + n + 1)
            cap *= 2;
        if ((p = realloc(b->p, cap)) == NULL)
            return DF_E_NOMEM;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return DF_OK;
}

/* The text between the first pair of double quotes in s ("" inside stands for one), or NULL. */
static char *first_quoted(const char *s)
{
    const char *a = strchr(s, '"');
    sbuf b = {0};

    if (a == NULL)
        return NULL;
    for (const char *p = a + 1; *p; p++) {
        if (*p == '"' && p[1] == '"') {
            p++;
        } else if (*p == '"') {
            if (b.p == NULL && sbuf_add(&b, "", 0, 1) != DF_OK)
                return NULL;
            return b.p;
        }
        if (sbuf_add(&b, p, 1, MAX_LINE) != DF_OK)
            break;
    }
    free(b.p);
    return NULL;
}

/* ------------------------------------------------------------ classifier */

typedef struct rule {
    const char *pattern; /* substring of the message ("^" prefix: at its start) */
    int cls;
    const char *kind;
    int fatal;
} rule;

/* First match wins: more specific patterns before general ones. */
static const rule rules[] = {
    {"^role \"", DF_RLOG_ROLE_MISSING, "role", 0},
    {"^could not open extension control file", DF_RLOG_EXTENSION_MISSING, "extension", 0},
    {"is not available", DF_RLOG_EXTENSION_MISSING, "extension", 0},
    {"^could not access file \"$libdir", DF_RLOG_EXTENSION_MISSING, "library", 0},
    {"^could not load library", DF_RLOG_EXTENSION_MISSING, "library", 0},
    {"^could not access file", DF_RLOG_EXTENSION_MISSING, "library", 0},
    {"duplicate key value violates unique constraint", DF_RLOG_DATA, "unique-violation", 0},
    {"violates foreign key constraint", DF_RLOG_DATA, "fk-violation", 0},
    {"violates check constraint", DF_RLOG_DATA, "check-violation", 0},
    {"violates not-null constraint", DF_RLOG_DATA, "not-null-violation", 0},
    {"violates exclusion constraint", DF_RLOG_DATA, "exclusion-violation", 0},
    {"already exists", DF_RLOG_ALREADY_EXISTS, "already-exists", 0},
    {"^multiple primary keys for table", DF_RLOG_ALREADY_EXISTS, "already-exists", 0},
    {"is already a partition", DF_RLOG_ALREADY_EXISTS, "already-exists", 0},
    {"^invalid input syntax", DF_RLOG_DATA, "invalid-input", 0},
    {"^invalid input value", DF_RLOG_DATA, "invalid-input", 0},
    {"^invalid byte sequence for encoding", DF_RLOG_DATA, "invalid-encoding", 0},
    {"^character with byte sequence", DF_RLOG_DATA, "invalid-encoding", 0},
    {"^value too long for type", DF_RLOG_DATA, "invalid-input", 0},
    {"out of range", DF_RLOG_DATA, "invalid-input", 0},
    {"^extra data after last expected column", DF_RLOG_DATA, "bad-copy-row", 0},
    {"^missing data for column", DF_RLOG_DATA, "bad-copy-row", 0},
    {"^unterminated CSV quoted field", DF_RLOG_DATA, "bad-copy-row", 0},
    {"^invalid escape", DF_RLOG_DATA, "invalid-input", 0},
    {"^unrecognized configuration parameter", DF_RLOG_SERVER_TOO_OLD, "parameter", 0},
    {"^unrecognized parameter", DF_RLOG_SERVER_TOO_OLD, "parameter", 0},
    {"^syntax error at or near", DF_RLOG_SERVER_TOO_OLD, "syntax", 0},
    {"^permission denied", DF_RLOG_PERMISSION, "permission", 0},
    {"^must be owner of", DF_RLOG_PERMISSION, "permission", 0},
    {"^must be superuser", DF_RLOG_PERMISSION, "permission", 0},
    {"^must be member of role", DF_RLOG_PERMISSION, "permission", 0},
    {"^must be able to SET ROLE", DF_RLOG_PERMISSION, "permission", 0},
    {"No space left on device", DF_RLOG_RESOURCE, "disk-full", 1},
    {"^out of memory", DF_RLOG_RESOURCE, "out-of-memory", 1},
    {"^out of shared memory", DF_RLOG_RESOURCE, "out-of-memory", 0},
    {"^canceling statement due to lock timeout", DF_RLOG_RESOURCE, "lock-timeout", 0},
    {"^canceling statement due to statement timeout", DF_RLOG_RESOURCE, "statement-timeout", 0},
    {"^terminating connection", DF_RLOG_RESOURCE, "connection-lost", 1},
    {"server closed the connection unexpectedly", DF_RLOG_RESOURCE, "connection-lost", 1},
    {"connection to server was lost", DF_RLOG_RESOURCE, "connection-lost", 1},
    {"^could not connect", DF_RLOG_RESOURCE, "connection-lost", 1},
    {"does not exist", DF_RLOG_MISSING_OBJECT, "missing-object", 0},
};

static bool rule_matches(const rule *r, const char *msg)
{
    if (r->pattern[0] == '^')
        return strncmp(msg, r->pattern + 1, strlen(r->pattern + 1)) == 0;
    return strstr(msg, r->pattern) != NULL;
}

/* The object a missing-object message is about: relation "s.t", function f(integer), ... */
static char *missing_name(const char *msg)
{
    const char *end = strstr(msg, " does not exist");
    const char *sp;

    if (strchr(msg, '"') != NULL && strchr(msg, '"') < (end ? end : msg + strlen(msg)))
        return first_quoted(msg);
    if (end == NULL)
        return NULL;
    /* function f(integer) does not exist: the last word before the verb */
    for (sp = end; sp > msg && sp[-1] != ' '; sp--)
        ;
    return dfi_dup_n(sp, (size_t)(end - sp));
}

/* Fill cls, kind, object and fatal of e from its message; returns DF_OK or DF_E_NOMEM. */
static int classify(df_rlog_error *e)
{
    const char *msg = e->message ? e->message : "";
    char *obj = NULL;

    e->cls = DF_RLOG_UNCLASSIFIED;
    e->kind = NULL;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        if (!rule_matches(&rules[i], msg))
            continue;
        e->cls = rules[i].cls;
        e->kind = rules[i].kind;
        e->fatal |= rules[i].fatal;
        break;
    }
    if (e->cls == DF_RLOG_UNCLASSIFIED && e->severity && strcmp(e->severity, "ERROR") != 0) {
        e->cls = DF_RLOG_RESOURCE; /* FATAL or PANIC: the session is gone */
        e->kind = "connection-lost";
        e->fatal = 1;
    }
    if (e->cls == DF_RLOG_MISSING_OBJECT)
        obj = missing_name(msg);
    else if (e->cls == DF_RLOG_EXTENSION_MISSING && strstr(msg, "extension \"") != NULL)
        obj = first_quoted(strstr(msg, "extension \""));
    else if (e->cls == DF_RLOG_EXTENSION_MISSING && strstr(msg, "control file \"") != NULL) {
        /* ".../extension/hstore.control": the extension's name */
        char *path = first_quoted(msg), *base, *dot;
        if (path && (base = strrchr(path, '/')) != NULL && (dot = strstr(base, ".control"))) {
            *dot = '\0';
            obj = dfi_dup_n(base + 1, strlen(base + 1));
        }
        free(path);
    } else if (e->cls != DF_RLOG_UNCLASSIFIED && e->cls != DF_RLOG_RESOURCE)
        obj = first_quoted(msg);
    if (e->cls == DF_RLOG_DATA && strstr(msg, "constraint \"") != NULL) {
        free(obj);
        obj = first_quoted(strstr(msg, "constraint \""));
    }
    free((char *)e->object);
    e->object = obj;
    return DF_OK;
}

/* ------------------------------------------------------------ error records */

static df_rlog_error *new_error(df_restorelog *rl)
{
    df_rlog_error *e;

    if (rl->nerrs == rl->cap_errs) {
        size_t cap = rl->cap_errs ? rl->cap_errs * 2 : 64;
        df_rlog_error *p = realloc(rl->errs, cap * sizeof *p);
        if (p == NULL)
            return NULL;
        rl->errs = p;
        rl->cap_errs = cap;
    }
    e = &rl->errs[rl->nerrs++];
    memset(e, 0, sizeof *e);
    e->log_line = rl->sum.lines;
    e->copy_line = -1;
    e->line = -1;
    rl->sum.errors++;
    return e;
}

static void free_error_strings(df_rlog_error *e)
{
    free((char *)e->toc_desc);
    free((char *)e->item);
    free((char *)e->message);
    free((char *)e->detail);
    free((char *)e->context);
    free((char *)e->command);
    free((char *)e->copy_table);
    free((char *)e->file);
    free((char *)e->object);
}

/* Trailing blank lines and white space of a collected command go. */
static char *take_command(sbuf *b)
{
    char *p = b->p;

    while (b->n > 0 && (b->p[b->n - 1] == '\n' || b->p[b->n - 1] == ' '))
        b->p[--b->n] = '\0';
    if (p != NULL && b->cap > b->n + 1) { /* kept for the log's lifetime: no slack */
        char *q = realloc(p, b->n + 1);
        p = q ? q : p;
    }
    *b = (sbuf){0};
    return p;
}

/* The open error is complete: keep its command, classify it. */
static int close_error(df_restorelog *rl)
{
    df_rlog_error *e = rl->open;

    if (e == NULL)
        return DF_OK;
    if (rl->cmd.p != NULL && e->command == NULL)
        e->command = take_command(&rl->cmd);
    free(rl->cmd.p);
    rl->cmd = (sbuf){0};
    rl->open = NULL;
    rl->in_command = rl->in_context = 0;
    if (e->toc_id == 0 && e->item == NULL && e->command != NULL &&
        (strncmp(e->command, "SET ", 4) == 0 || strncmp(e->command, "SELECT pg_catalog.set_config", 28) == 0))
        e->session = 1; /* pg_restore's own settings for a new connection */
    return classify(e);
}

/*
 * "ERROR:  msg" (with an optional SQLSTATE after the severity) into e's
 * severity and message.  Returns false when s is no server message.
 */
static bool parse_server_message(df_rlog_error *e, const char *s, size_t n, bool *nomem)
{
    static const char *const sev[] = {"ERROR:", "FATAL:", "PANIC:"};

    for (size_t i = 0; i < 3; i++) {
        if (!has_prefix(s, n, sev[i]))
            continue;
        s += 6;
        n -= 6;
        while (n > 0 && *s == ' ')
            s++, n--;
        if (n > 7 && s[5] == ':' && s[6] == ' ') { /* VERBOSITY verbose: "42P01: " */
            bool code = true;
            for (int k = 0; k < 5; k++)
                code &= (s[k] >= '0' && s[k] <= '9') || (s[k] >= 'A' && s[k] <= 'Z');
            if (code)
                s += 7, n -= 7;
        }
        e->severity = sev[i][0] == 'E' ? "ERROR" : sev[i][0] == 'F' ? "FATAL" : "PANIC";
        free((char *)e->message);
        e->message = dfi_dup_n(s, n);
        *nomem = e->message == NULL;
        return true;
    }
    return false;
}

/* "COPY t, line 3, column a: ..." of a CONTEXT line. */
static int note_copy_context(df_rlog_error *e, const char *s, size_t n)
{
    const char *comma, *end = s + n;
    long long line = 0;

    if (!has_prefix(s, n, "COPY "))
        return DF_OK;
    s += 5;
    comma = memchr(s, ',', (size_t)(end - s));
    if (comma == NULL || !has_prefix(comma, (size_t)(end - comma), ", line "))
        return DF_OK;
    for (const char *p = comma + 7; p < end && *p >= '0' && *p <= '9' && line < INT64_MAX / 10; p++)
        line = line * 10 + (*p - '0');
    e->copy_line = line;
    if (e->copy_table == NULL && (e->copy_table = dfi_dup_n(s, (size_t)(comma - s))) == NULL)
        return DF_E_NOMEM;
    return DF_OK;
}

/* Lines a CONTEXT goes on with (pg_restore indents them, psql does not). */
static bool is_context_line(const char *s, size_t n)
{
    static const char *const starts[] = {"COPY ", "PL/pgSQL function", "SQL function",
                                         "SQL statement", "SQL expression", "parallel worker",
                                         "while ", "during ", "extension script"};

    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
        if (has_prefix(s, n, starts[i]))
            return true;
    return false;
}

/* A line after an error's first line: DETAIL, CONTEXT, LINE n, Command was, the command. */
static int continuation(df_restorelog *rl, const char *s, size_t n)
{
    df_rlog_error *e = rl->open;
    const char *t = s;
    size_t k = n;

    while (k > 0 && *t == ' ' && !rl->in_command) /* pg_restore 10/11 indent "Command was:" */
        t++, k--;
    if (has_prefix(t, k, "Command was: ")) {
        rl->in_command = 1;
        rl->in_context = 0;
        return sbuf_add(&rl->cmd, t + 13, k - 13, MAX_COMMAND);
    }
    if (rl->in_command) {
        int rc = sbuf_add(&rl->cmd, "\n", 1, MAX_COMMAND);
        return rc ? rc : sbuf_add(&rl->cmd, s, n, MAX_COMMAND);
    }
    if (has_prefix(t, k, "DETAIL:  ")) {
        rl->in_context = 0;
        if (e->detail == NULL && (e->detail = dfi_dup_n(t + 9, k - 9)) == NULL)
            return DF_E_NOMEM;
        return DF_OK;
    }
    if (has_prefix(t, k, "CONTEXT:  ")) {
        rl->in_context = 1;
        if (e->context == NULL && (e->context = dfi_dup_n(t + 10, k - 10)) == NULL)
            return DF_E_NOMEM;
        return note_copy_context(e, t + 10, k - 10);
    }
    if (rl->in_context && k > 0 && (n > k || is_context_line(t, k))) {
        sbuf b = {(char *)e->context, strlen(e->context), strlen(e->context) + 1};
        int rc = sbuf_add(&b, "\n", 1, MAX_COMMAND);
        if (rc == DF_OK)
            rc = sbuf_add(&b, t, k, MAX_COMMAND);
        e->context = b.p;
        if (rc == DF_OK && e->copy_line < 0)
            rc = note_copy_context(e, t, k);
        return rc;
    }
    return DF_OK; /* LINE n:, the caret, HINT:, QUERY: */
}

/* ------------------------------------------------------------ pg_restore lines */

static int push_item(df_restorelog *rl, int32_t id, const char *name, size_t n, int finished,
                     int launched)
{
    df_rlog_item *it;

    if (finished) {
        for (size_t i = rl->nitems; i-- > 0;)
            if (rl->items[i].toc_id == id && id > 0) {
                rl->items[i].finished = 1;
                return DF_OK;
            }
    }
    if (rl->nitems == rl->cap_items) {
        size_t cap = rl->cap_items ? rl->cap_items * 2 : 64;
        df_rlog_item *p = realloc(rl->items, cap * sizeof *p);
        if (p == NULL)
            return DF_E_NOMEM;
        rl->items = p;
        rl->cap_items = cap;
    }
    it = &rl->items[rl->nitems];
    it->toc_id = id;
    it->finished = finished;
    it->launched = launched;
    it->name = NULL;
    if (name != NULL && (it->name = dfi_dup_n(name, n)) == NULL)
        return DF_E_NOMEM;
    rl->nitems++;
    return DF_OK;
}

static int32_t parse_id(const char *s, size_t n, size_t *used)
{
    int64_t v = 0;
    size_t i = 0;

    while (i < n && s[i] >= '0' && s[i] <= '9' && v < INT32_MAX)
        v = v * 10 + (s[i++] - '0');
    *used = i;
    return i > 0 && v <= INT32_MAX ? (int32_t)v : 0;
}

static int set_item(df_restorelog *rl, const char *s, size_t n, int32_t id)
{
    free(rl->cur_item);
    rl->cur_item = dfi_dup_n(s, n);
    rl->cur_item_id = id;
    return rl->cur_item ? DF_OK : DF_E_NOMEM;
}

/* "creating TABLE "s.t"" -> item "TABLE s.t" (quotes dropped). */
static int note_creating(df_restorelog *rl, const char *s, size_t n)
{
    sbuf b = {0};
    int rc = DF_OK;

    for (size_t i = 0; i < n && rc == DF_OK; i++) {
        if (s[i] == '"' && i + 1 < n && s[i + 1] == '"')
            i++; /* "" inside a quoted name stands for one quote */
        else if (s[i] == '"')
            continue;
        rc = sbuf_add(&b, s + i, 1, MAX_LINE);
    }
    if (rc == DF_OK && b.p) {
        rc = set_item(rl, b.p, b.n, 0);
        if (rc == DF_OK && !rl->sum.parallel)
            rc = push_item(rl, 0, b.p, b.n, 0, 0);
    }
    free(b.p);
    return rc;
}

/* An info line of pg_restore (no "error:" / "warning:"): -v progress, TOC entry context. */
static int pg_info(df_restorelog *rl, const char *s, size_t n)
{
    size_t used;
    int32_t id;

    if (has_prefix(s, n, "Error from TOC entry ")) /* 10/11 */
        s += 6, n -= 6;
    if (has_prefix(s, n, "from TOC entry ")) {
        id = parse_id(s + 15, n - 15, &used);
        rl->cur_toc = id;
        rl->in_session = 0;
        free(rl->cur_toc_desc);
        rl->cur_toc_desc = NULL;
        /* "; 1259 16388 TABLE t app_owner": keep what follows the two oids */
        const char *p = s + 15 + used, *end = s + n;
        int words = 0;
        if (p < end && *p == ';')
            p++;
        while (p < end && words < 2) {
            while (p < end && *p == ' ')
                p++;
            while (p < end && *p != ' ')
                p++;
            words++;
        }
        while (p < end && *p == ' ')
            p++;
        rl->cur_toc_desc = dfi_dup_n(p, (size_t)(end - p));
        return rl->cur_toc_desc ? DF_OK : DF_E_NOMEM;
    }
    if (has_prefix(s, n, "processing item ") || has_prefix(s, n, "launching item ")) {
        size_t skip = s[0] == 'p' ? 16 : 15;
        id = parse_id(s + skip, n - skip, &used);
        if (s[0] == 'l')
            rl->sum.parallel = 1;
        rl->sum.verbose = 1;
        if (id > 0) {
            int rc = push_item(rl, id, NULL, 0, 0, s[0] == 'l');
            return rc ? rc : set_item(rl, s + skip + used, n - skip - used, id);
        }
        return DF_OK;
    }
    if (has_prefix(s, n, "finished item ")) {
        id = parse_id(s + 14, n - 14, &used);
        rl->sum.parallel = 1;
        return id > 0 ? push_item(rl, id, NULL, 0, 1, 1) : DF_OK;
    }
    if (has_prefix(s, n, "creating ")) {
        rl->sum.verbose = 1;
        rl->in_session = 0;
        return note_creating(rl, s + 9, n - 9);
    }
    if (has_prefix(s, n, "processing data for table ")) {
        rl->sum.verbose = 1;
        sbuf b = {0};
        int rc = sbuf_add(&b, "TABLE DATA ", 11, MAX_LINE);
        for (size_t i = 26; i < n && rc == DF_OK; i++)
            if (s[i] != '"')
                rc = sbuf_add(&b, s + i, 1, MAX_LINE);
        if (rc == DF_OK && b.p) {
            rc = set_item(rl, b.p, b.n, 0);
            if (rc == DF_OK && !rl->sum.parallel)
                rc = push_item(rl, 0, b.p, b.n, 0, 0);
        }
        free(b.p);
        return rc;
    }
    if (has_prefix(s, n, "executing ")) { /* SEQUENCE SET, BLOB ... */
        rl->sum.verbose = 1;
        return note_creating(rl, s + 10, n - 10);
    }
    if (has_prefix(s, n, "while INITIALIZING") || has_prefix(s, n, "while FINALIZING")) {
        rl->in_session = 1;
        rl->cur_toc = 0;
        free(rl->cur_item);
        rl->cur_item = NULL;
        return DF_OK;
    }
    if (has_prefix(s, n, "while PROCESSING TOC") || has_prefix(s, n, "Error while PROCESSING TOC"))
        rl->in_session = 0;
    if (has_prefix(s, n, "connecting to database") || has_prefix(s, n, "entering ") ||
        has_prefix(s, n, "finished main parallel loop") || has_prefix(s, n, "while PROCESSING TOC") ||
        has_prefix(s, n, "Error while PROCESSING TOC") || has_prefix(s, n, "implied data-only"))
        rl->sum.verbose |= s[0] != 'w' && s[0] != 'E';
    return DF_OK;
}

/* A pg_restore error line (after "error: "): server errors, its own failures. */
static int pg_error(df_restorelog *rl, const char *s, size_t n)
{
    df_rlog_error *e;
    const char *srv;
    bool nomem = false;
    int rc;

    if (has_prefix(s, n, "a worker process died unexpectedly") ||
        has_prefix(s, n, "worker process failed")) {
        rl->sum.stopped = 1;
        rl->sum.stop_reason = "a worker process died (--exit-on-error, or a fatal error)";
        return DF_OK;
    }
    if ((e = new_error(rl)) == NULL)
        return DF_E_NOMEM;
    rl->open = e;
    rl->error_stop = 1;
    e->session = rl->in_session;
    e->toc_id = rl->in_session ? 0 : rl->cur_toc;
    if (rl->cur_toc_desc && (e->toc_desc = dfi_dup_n(rl->cur_toc_desc, strlen(rl->cur_toc_desc))) == NULL)
        return DF_E_NOMEM;
    if (rl->cur_item && (e->item = dfi_dup_n(rl->cur_item, strlen(rl->cur_item))) == NULL)
        return DF_E_NOMEM;
    if (has_prefix(s, n, "COPY failed for table ")) {
        char *t = first_quoted(s);
        e->copy_table = t;
    }
    srv = NULL;
    for (const char *p = s; p + 6 <= s + n; p++) {
        p = memchr(p, ':', (size_t)(s + n - p));
        if (p == NULL)
            break;
        if (p + 2 < s + n && p[1] == ' ' &&
            (has_prefix(p + 2, (size_t)(s + n - p - 2), "ERROR:") ||
             has_prefix(p + 2, (size_t)(s + n - p - 2), "FATAL:") ||
             has_prefix(p + 2, (size_t)(s + n - p - 2), "PANIC:"))) {
            srv = p + 2;
            break;
        }
    }
    if (srv == NULL || !parse_server_message(e, srv, (size_t)(s + n - srv), &nomem)) {
        if ((e->message = dfi_dup_n(s, n)) == NULL)
            return DF_E_NOMEM;
        /* its own failures (connection, reading the archive) end the restore */
        if (strstr(e->message, "connection") || strstr(e->message, "could not read") ||
            strstr(e->message, "could not connect") || strstr(e->message, "unexpected end of file"))
            e->fatal = 1;
    }
    (void)rc;
    return nomem ? DF_E_NOMEM : DF_OK;
}

static int pg_line(df_restorelog *rl, const char *s, size_t n)
{
    int rc;

    rl->pg_lines++;
    if ((rc = close_error(rl)) != DF_OK)
        return rc;
    s += 12, n -= 12; /* "pg_restore: " */
    if (n > 0 && s[0] == '[') { /* 10/11: "[archiver (db)] " */
        const char *close = memchr(s, ']', n);
        if (close != NULL && close + 1 < s + n && close[1] == ' ') {
            n -= (size_t)(close + 2 - s);
            s = close + 2;
            if (has_prefix(s, n, "could not execute query:") || has_prefix(s, n, "COPY failed") ||
                has_prefix(s, n, "a worker process died") || has_prefix(s, n, "worker process failed") ||
                has_prefix(s, n, "could not") || has_prefix(s, n, "error returned by"))
                return pg_error(rl, s, n);
        }
    }
    if (has_prefix(s, n, "error: "))
        return pg_error(rl, s + 7, n - 7);
    if (has_prefix(s, n, "fatal: "))
        return pg_error(rl, s + 7, n - 7);
    if (has_prefix(s, n, "warning: errors ignored on restore: ") ||
        has_prefix(s, n, "WARNING: errors ignored on restore: ")) {
        size_t used;
        rl->sum.ignored = parse_id(s + 36, n - 36, &used);
        rl->error_stop = 0;
        return DF_OK;
    }
    if (has_prefix(s, n, "warning: ") || has_prefix(s, n, "detail: ") || has_prefix(s, n, "hint: "))
        return DF_OK;
    return pg_info(rl, s, n);
}

/* ------------------------------------------------------------ psql lines */

/* A command tag psql prints after a statement: "CREATE TABLE", "COPY 3", "INSERT 0 1". */
static bool is_command_tag(const char *s, size_t n)
{
    bool upper = false;

    if (n == 0 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= 'A' && s[i] <= 'Z')
            upper = true;
        else if (s[i] != ' ' && !(s[i] >= '0' && s[i] <= '9'))
            return false;
    }
    return upper && s[0] >= 'A' && s[0] <= 'Z';
}

/* "ERROR:  ..." of psql, with or without "psql:FILE:LINE: " before it. */
static int psql_error(df_restorelog *rl, const char *file, size_t flen, int64_t line,
                      const char *s, size_t n)
{
    df_rlog_error *e;
    bool nomem = false;

    if ((e = new_error(rl)) == NULL)
        return DF_E_NOMEM;
    rl->open = e;
    rl->error_stop = 1;
    e->line = line;
    if (file && (e->file = dfi_dup_n(file, flen)) == NULL)
        return DF_E_NOMEM;
    if (!parse_server_message(e, s, n, &nomem)) {
        if (has_prefix(s, n, "error: "))
            s += 7, n -= 7;
        e->message = dfi_dup_n(s, n);
        e->fatal = 1; /* psql's own errors: connection lost, file missing */
        nomem = e->message == NULL;
    }
    if (!nomem && rl->echo.n > 0 && file == NULL) {
        /* without FILE:LINE the echoed statement tells which one failed */
        e->command = take_command(&rl->echo);
        rl->echo_done = 0;
    }
    return nomem ? DF_E_NOMEM : DF_OK;
}

/* "psql:FILE:LINE: rest": FILE may hold colons; LINE is the last number before ": ". */
static bool split_psql(const char *s, size_t n, const char **file, size_t *flen, int64_t *line,
                       const char **rest, size_t *rlen)
{
    for (size_t i = n; i-- > 5;) {
        size_t j = i, used;
        int32_t v;

        if (s[i] != ':' || i + 1 >= n || s[i + 1] != ' ')
            continue;
        while (j > 5 && s[j - 1] >= '0' && s[j - 1] <= '9')
            j--;
        /* j == 5: the colon is psql's own ("psql:12: ..."), there is no FILE */
        if (j == i || j == 5 || s[j - 1] != ':')
            continue;
        v = parse_id(s + j, i - j, &used);
        /* the rest must be a message psql prints with the prefix */
        const char *r = s + i + 2;
        size_t k = n - i - 2;
        if (!(has_prefix(r, k, "ERROR:") || has_prefix(r, k, "FATAL:") || has_prefix(r, k, "PANIC:") ||
              has_prefix(r, k, "error:") || has_prefix(r, k, "NOTICE:") ||
              has_prefix(r, k, "WARNING:") || has_prefix(r, k, "INFO:")))
            continue;
        *file = s + 5;
        *flen = j - 1 - 5;
        *line = v;
        *rest = r;
        *rlen = k;
        return true;
    }
    return false;
}

static int psql_line(df_restorelog *rl, const char *s, size_t n)
{
    const char *file, *rest;
    size_t flen, rlen;
    int64_t line;
    int rc;

    if (has_prefix(s, n, "psql:") && split_psql(s, n, &file, &flen, &line, &rest, &rlen)) {
        rl->psql_lines++;
        if ((rc = close_error(rl)) != DF_OK)
            return rc;
        if (has_prefix(rest, rlen, "NOTICE:") || has_prefix(rest, rlen, "WARNING:") ||
            has_prefix(rest, rlen, "INFO:"))
            return DF_OK;
        return psql_error(rl, file, flen, line, rest, rlen);
    }
    if (has_prefix(s, n, "ERROR:  ") || has_prefix(s, n, "FATAL:  ") || has_prefix(s, n, "PANIC:  ")) {
        rl->psql_lines++;
        if ((rc = close_error(rl)) != DF_OK)
            return rc;
        return psql_error(rl, NULL, 0, -1, s, n);
    }
    return 1; /* not a psql message line */
}

/* Any other line: an error's continuation, an echoed statement, psql's stdout. */
static int other_line(df_restorelog *rl, const char *s, size_t n)
{
    int rc;

    if (rl->open != NULL) {
        bool cont = rl->in_command || rl->in_context || n == 0 || s[0] == ' ' ||
                    has_prefix(s, n, "LINE ") || has_prefix(s, n, "DETAIL:") ||
                    has_prefix(s, n, "HINT:") || has_prefix(s, n, "CONTEXT:") ||
                    has_prefix(s, n, "QUERY:") || has_prefix(s, n, "Command was:") ||
                    has_prefix(s, n, "\tCommand was:");
        if (rl->in_context && !rl->in_command && is_context_line(s, n))
            cont = true;
        else if (rl->in_context && n > 0 && s[0] != ' ' && !rl->in_command &&
                 !has_prefix(s, n, "CONTEXT:") && !has_prefix(s, n, "Command was:"))
            cont = false;
        if (cont)
            return continuation(rl, s, n);
        if ((rc = close_error(rl)) != DF_OK)
            return rc;
    }
    if (is_command_tag(s, n)) {
        rl->known_lines++;
        rl->echo.n = 0;
        rl->echo_done = 0;
        return DF_OK;
    }
    if (n == 0 || has_prefix(s, n, "--"))
        return DF_OK; /* psql -a echoes comments and blank lines too */
    if (rl->echo_done) {
        rl->echo.n = 0;
        rl->echo_done = 0;
    }
    if (rl->echo.n > 0 && (rc = sbuf_add(&rl->echo, "\n", 1, MAX_COMMAND)) != DF_OK)
        return rc;
    if ((rc = sbuf_add(&rl->echo, s, n, MAX_COMMAND)) != DF_OK)
        return rc;
    rl->echo_done = s[n - 1] == ';';
    return DF_OK;
}

/* ------------------------------------------------------------ public */

df_restorelog *df_restorelog_new(void)
{
    df_restorelog *rl = calloc(1, sizeof *rl);

    if (rl)
        rl->sum.ignored = -1;
    return rl;
}

void df_restorelog_free(df_restorelog *rl)
{
    if (rl == NULL)
        return;
    for (size_t i = 0; i < rl->nerrs; i++)
        free_error_strings(&rl->errs[i]);
    for (size_t i = 0; i < rl->nitems; i++)
        free((char *)rl->items[i].name);
    free(rl->errs);
    free(rl->items);
    free(rl->cur_toc_desc);
    free(rl->cur_item);
    free(rl->cmd.p);
    free(rl->echo.p);
    free(rl);
}

static int feed_line(df_restorelog *rl, const char *line, size_t len)
{
    int rc;

    if (rl->failed)
        return DF_E_NOMEM;
    if (len > MAX_LINE)
        len = MAX_LINE;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    rl->sum.lines++;
    if (has_prefix(line, len, "pg_restore: "))
        rc = pg_line(rl, line, len);
    else if (has_prefix(line, len, "WARNING: errors ignored on restore: ")) {
        /* pg_restore 10/11 print it without their name */
        size_t used;
        rl->pg_lines++;
        rc = close_error(rl);
        rl->sum.ignored = parse_id(line + 36, len - 36, &used);
        rl->error_stop = 0;
    }
    else if ((rc = psql_line(rl, line, len)) == 1)
        rc = other_line(rl, line, len);
    if (rc != DF_OK)
        rl->failed = 1;
    return rc;
}

int df_restorelog_feed_line(df_restorelog *rl, const char *line, size_t len, df_error *err)
{
    int rc;

    if (rl == NULL || (line == NULL && len > 0))
        return dfi_fail(err, DF_E_USAGE, -1, "df_restorelog_feed_line needs a log and a line");
    rc = feed_line(rl, line, len);
    return rc == DF_OK ? rc : dfi_fail(err, rc, -1, "out of memory");
}

static int finish(df_restorelog *rl);

int df_restorelog_finish(df_restorelog *rl, df_error *err)
{
    int rc;

    if (rl == NULL)
        return dfi_fail(err, DF_E_USAGE, -1, "df_restorelog_finish needs a log");
    rc = finish(rl);
    return rc == DF_OK ? rc : dfi_fail(err, rc, -1, "out of memory");
}

static int finish(df_restorelog *rl)
{
    int rc = rl->failed ? DF_E_NOMEM : close_error(rl);
    df_rlog_summary *s = &rl->sum;

    if (rc != DF_OK)
        return rc;
    if (rl->pg_lines > 0)
        s->source = DF_RLOG_PG_RESTORE;
    else if (rl->psql_lines > 0 || (rl->known_lines > 0 && s->errors == 0))
        s->source = DF_RLOG_PSQL;
    else if (rl->echo.n == 0 && rl->known_lines == 0)
        s->source = DF_RLOG_EMPTY;
    else if (rl->known_lines > 0)
        s->source = DF_RLOG_PSQL;
    else
        s->source = DF_RLOG_UNKNOWN;
    for (size_t i = 0; i < rl->nerrs; i++)
        if (rl->errs[i].fatal && !s->stopped) {
            s->stopped = 1;
            s->stop_reason = "a fatal error ended the session";
        }
    if (!s->stopped && s->errors > 0 && rl->error_stop &&
        (s->source == DF_RLOG_PSQL || s->ignored < 0)) {
        /* pg_restore without --exit-on-error always ends with "errors ignored";
         * psql with ON_ERROR_STOP ends right after its first error */
        if (s->source == DF_RLOG_PG_RESTORE) {
            s->stopped = 1;
            s->stop_reason = "pg_restore stopped at the first error (--exit-on-error)";
        }
    }
    return DF_OK;
}

const df_rlog_summary *df_restorelog_summary(const df_restorelog *rl) { return &rl->sum; }
size_t df_restorelog_count(const df_restorelog *rl) { return rl->nerrs; }

const df_rlog_error *df_restorelog_error(const df_restorelog *rl, size_t i)
{
    return i < rl->nerrs ? &rl->errs[i] : NULL;
}

size_t df_restorelog_items(const df_restorelog *rl, const df_rlog_item **items)
{
    *items = rl->items;
    return rl->nitems;
}

void df_restorelog_set_stopped(df_restorelog *rl)
{
    if (!rl->sum.stopped && rl->nerrs > 0) {
        rl->sum.stopped = 1;
        rl->sum.stop_reason = rl->sum.source == DF_RLOG_PSQL
                                  ? "psql stopped at its first error (ON_ERROR_STOP)"
                                  : "the restore stopped at its last error";
    }
}
