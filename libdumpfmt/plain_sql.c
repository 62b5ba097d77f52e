/*
 * plain_sql.c — reading the few pieces of SQL text a plain script is
 * understood by: entry header comments (spec §9.2, parsed from the right
 * because names may contain the separators), "-- TOC entry" lines of -v
 * dumps, the statements of pg_dumpall's globals part (spec §9.8), the
 * large-object statements of a BLOBS data part (spec §9.3), "\connect"
 * targets, and the session statements that belong to no entry (§9.5).
 * Everything here works on one captured line or statement at a time.
 */
#include "plain.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ header comments */

/* The last occurrence of needle in s[0..n), or NULL. */
static const char *find_last(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);

    if (n < k)
        return NULL;
    for (size_t i = n - k + 1; i-- > 0;)
        if (memcmp(s + i, needle, k) == 0)
            return s + i;
    return NULL;
}

static bool starts(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);

    return n >= k && memcmp(s, prefix, k) == 0;
}

static dfi_span span(const char *p, const char *end)
{
    dfi_span sp = {p, (size_t)(end - p)};
    return sp;
}

/* Cut s at the last `sep`: *left before it, *right after it. */
static bool cut_last(dfi_span s, const char *sep, dfi_span *left, dfi_span *right)
{
    const char *hit = find_last(s.p, s.n, sep);

    if (hit == NULL)
        return false;
    *left = span(s.p, hit);
    *right = span(hit + strlen(sep), s.p + s.n);
    return true;
}

/* Before 7.3: "Name: <tag> Type: <desc> Owner: <owner>", no schema, no semicolons. */
static bool parse_old_header(dfi_span rest, dfi_plain_header *h)
{
    dfi_span left;

    if (!cut_last(rest, " Owner: ", &left, &h->owner) ||
        !cut_last(left, " Type: ", &h->tag, &h->desc))
        return false;
    h->no_schema = true;
    return h->desc.n > 0;
}

bool dfi_plain_parse_header(const char *line, size_t n, dfi_plain_header *h)
{
    static const char *const prefixes[] = {"Name: ", "Data for Name: ", "Statistics for Name: "};
    dfi_span rest = {0}, left, right;
    int which = -1;

    memset(h, 0, sizeof *h);
    for (int i = 0; i < 3 && which < 0; i++)
        if (starts(line, n, prefixes[i])) {
            which = i;
            rest = span(line + strlen(prefixes[i]), line + n);
        }
    if (which < 0)
        return false;
    h->prefix = which;
    /* right to left: Owner (then an optional Tablespace after it), Schema, Type */
    if (!cut_last(rest, "; Owner: ", &left, &right))
        return which == 0 && parse_old_header(rest, h);
    h->owner = right;
    if (cut_last(right, "; Tablespace: ", &h->owner, &h->ts))
        h->has_ts = true;
    if (!cut_last(left, "; Schema: ", &left, &h->ns))
        h->no_schema = true;
    if (!cut_last(left, "; Type: ", &h->tag, &h->desc))
        return false;
    return h->desc.n > 0;
}

static bool parse_u32(const char **s, const char *end, uint32_t *out)
{
    uint64_t v = 0;
    const char *p = *s;

    while (p < end && *p == ' ')
        p++;
    if (p == end || *p < '0' || *p > '9')
        return false;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > UINT32_MAX)
            return false;
    }
    *out = (uint32_t)v;
    *s = p;
    return true;
}

bool dfi_plain_parse_toc_line(const char *line, size_t n, int32_t *id, uint32_t *cls, uint32_t *oid)
{
    const char *s, *end = line + n;
    uint32_t v;

    *cls = *oid = 0;
    /* before 7.3: "TOC Entry ID <id> (OID <oid>)", also after "Data for " */
    if (starts(line, n, "Data for TOC Entry ID "))
        s = line + strlen("Data for TOC Entry ID ");
    else if (starts(line, n, "TOC Entry ID "))
        s = line + strlen("TOC Entry ID ");
    else if (starts(line, n, "TOC entry "))
        s = line + strlen("TOC entry ");
    else
        return false;
    if (!parse_u32(&s, end, &v) || v == 0 || v > INT32_MAX)
        return false;
    *id = (int32_t)v;
    if (starts(s, (size_t)(end - s), " (OID ")) {
        s += strlen(" (OID ");
        parse_u32(&s, end, oid);
    } else if (starts(s, (size_t)(end - s), " (class ")) {
        s += strlen(" (class ");
        if (parse_u32(&s, end, cls) && starts(s, (size_t)(end - s), " OID "))
            s += strlen(" OID "), parse_u32(&s, end, oid);
    }
    return true;
}

int dfi_plain_parse_deps(const char *line, size_t n, int32_t **deps, size_t *ndeps, size_t max)
{
    const char *s = line + strlen("Dependencies:"), *end = line + n;
    size_t cap = 0;
    uint32_t v;

    *deps = NULL;
    *ndeps = 0;
    while (parse_u32(&s, end, &v)) {
        if (v == 0 || v > INT32_MAX)
            continue;
        if (*ndeps >= max)
            return DF_E_LIMIT;
        if (*ndeps == cap) {
            int32_t *grown;
            cap = cap ? cap * 2 : 8;
            grown = realloc(*deps, cap * sizeof **deps);
            if (grown == NULL)
                return DF_E_NOMEM;
            *deps = grown;
        }
        (*deps)[(*ndeps)++] = (int32_t)v;
    }
    return DF_OK;
}

/* ------------------------------------------------------------ SQL tokens */

typedef enum tk_kind { TK_END, TK_WORD, TK_IDENT, TK_STRING, TK_PUNCT } tk_kind;

typedef struct sqltok {
    const char *s, *end;
} sqltok;

static void skip_blank(sqltok *t)
{
    while (t->s < t->end) {
        if (*t->s == ' ' || *t->s == '\t' || *t->s == '\n' || *t->s == '\r')
            t->s++;
        else if (t->end - t->s >= 2 && t->s[0] == '-' && t->s[1] == '-') {
            const char *nl = memchr(t->s, '\n', (size_t)(t->end - t->s));
            t->s = nl ? nl + 1 : t->end;
        } else
            break;
    }
}

static bool word_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c == '.' || (unsigned char)c >= 0x80;
}

/*
 * The next token into out (NUL-terminated, cut to on bytes): an unquoted
 * word folded to lower case as SQL folds it, a "quoted" identifier with
 * its doubled quotes undone, a 'string' with its quotes, or one byte.
 */
static tk_kind next_tok(sqltok *t, char *out, size_t on)
{
    size_t k = 0;
    char c;

    skip_blank(t);
    if (t->s >= t->end) {
        out[0] = '\0';
        return TK_END;
    }
    c = *t->s;
    if (c == '"' || c == '\'') {
        tk_kind kind = c == '"' ? TK_IDENT : TK_STRING;
        for (t->s++; t->s < t->end; t->s++) {
            if (*t->s == c) {
                if (t->s + 1 < t->end && t->s[1] == c)
                    t->s++;
                else {
                    t->s++;
                    break;
                }
            }
            if (k + 1 < on)
                out[k++] = *t->s;
        }
        out[k] = '\0';
        return kind;
    }
    if (word_byte(c)) {
        for (; t->s < t->end && word_byte(*t->s); t->s++)
            if (k + 1 < on)
                out[k++] = (char)(*t->s >= 'A' && *t->s <= 'Z' ? *t->s + 32 : *t->s);
        out[k] = '\0';
        return TK_WORD;
    }
    t->s++;
    out[0] = c;
    out[1] = '\0';
    return TK_PUNCT;
}

static bool tok_is(sqltok *t, const char *word)
{
    char w[64];
    sqltok save = *t;

    if (next_tok(t, w, sizeof w) == TK_WORD && strcmp(w, word) == 0)
        return true;
    *t = save;
    return false;
}

#define NAME_MAX_BYTES 1024

/* A name (word or quoted identifier); NULL at anything else. Owned. */
static char *next_name(sqltok *t)
{
    char buf[NAME_MAX_BYTES];
    tk_kind k = next_tok(t, buf, sizeof buf);

    if (k != TK_WORD && k != TK_IDENT)
        return NULL;
    return strdup(buf);
}

/* Names separated by commas, up to a word in `stops` or the end; joined with ", ". */
static char *name_list(sqltok *t, const char *const *stops)
{
    dfi_pbytes out = {.max = 64 * 1024};
    char buf[NAME_MAX_BYTES];

    for (;;) {
        sqltok save = *t;
        tk_kind k = next_tok(t, buf, sizeof buf);
        bool stop = k == TK_END || (k == TK_PUNCT && buf[0] == ';');

        for (size_t i = 0; !stop && k == TK_WORD && stops[i]; i++)
            stop = strcmp(buf, stops[i]) == 0;
        if (stop) {
            *t = save;
            break;
        }
        if (k == TK_PUNCT && buf[0] == ',')
            continue;
        if ((out.len > 0 && dfi_pbytes_add(&out, ", ", 2) != DF_OK) ||
            dfi_pbytes_add(&out, buf, strlen(buf)) != DF_OK) {
            dfi_pbytes_free(&out);
            return NULL;
        }
    }
    if (out.p == NULL)
        return strdup("");
    return out.p;
}

/* ------------------------------------------------------------ pg_dumpall globals */

void dfi_global_stmt_free(dfi_global_stmt *g)
{
    free(g->tag);
    free(g->owner);
    g->tag = g->owner = NULL;
    g->desc = NULL;
}

static void set_global(dfi_global_stmt *g, const char *desc, char *tag, bool joins)
{
    g->desc = tag ? desc : NULL;
    g->tag = tag;
    g->joins = joins;
}

/* OWNER [=] name anywhere after the current position. */
static char *find_owner(sqltok t)
{
    char w[NAME_MAX_BYTES];
    tk_kind k;

    while ((k = next_tok(&t, w, sizeof w)) != TK_END) {
        if (k == TK_WORD && strcmp(w, "owner") == 0) {
            sqltok save = t;
            if (next_tok(&t, w, sizeof w) != TK_PUNCT || w[0] != '=')
                t = save; /* OWNER name, or OWNER = name */
            return next_name(&t);
        }
    }
    return NULL;
}

static void classify_create(sqltok *t, dfi_global_stmt *g)
{
    if (tok_is(t, "role") || tok_is(t, "user") || tok_is(t, "group"))
        set_global(g, "ROLE", next_name(t), false);
    else if (tok_is(t, "tablespace")) {
        set_global(g, "TABLESPACE", next_name(t), false);
        if (g->desc)
            g->owner = find_owner(*t);
    } else if (tok_is(t, "database")) {
        set_global(g, "DATABASE", next_name(t), false);
        if (g->desc)
            g->owner = find_owner(*t);
    }
}

static void classify_alter(sqltok *t, dfi_global_stmt *g)
{
    char *name;

    if (tok_is(t, "role") || tok_is(t, "user") || tok_is(t, "group")) {
        name = next_name(t);
        if (tok_is(t, "set") || tok_is(t, "reset") || tok_is(t, "in"))
            set_global(g, "ROLE SETTINGS", name, true);
        else
            set_global(g, "ROLE", name, true);
    } else if (tok_is(t, "tablespace"))
        set_global(g, "TABLESPACE", next_name(t), true);
    else if (tok_is(t, "database"))
        set_global(g, "DATABASE", next_name(t), true);
}

/* After ON: the kind of object a COMMENT, SECURITY LABEL, GRANT or REVOKE is about. */
static void classify_object(sqltok *t, dfi_global_stmt *g)
{
    if (tok_is(t, "role"))
        set_global(g, "ROLE", next_name(t), true);
    else if (tok_is(t, "tablespace"))
        set_global(g, "TABLESPACE", next_name(t), true);
    else if (tok_is(t, "database"))
        set_global(g, "DATABASE", next_name(t), true);
    else if (tok_is(t, "parameter"))
        set_global(g, "PARAMETER ACL", next_name(t), true);
}

/* GRANTED BY name anywhere after the current position. */
static char *granted_by(sqltok t)
{
    char w[NAME_MAX_BYTES];
    tk_kind k;

    while ((k = next_tok(&t, w, sizeof w)) != TK_END)
        if (k == TK_WORD && strcmp(w, "granted") == 0 && tok_is(&t, "by"))
            return next_name(&t);
    return NULL;
}

/* GRANT/REVOKE: on an object, or a role membership (GRANT r TO m ... GRANTED BY g). */
static int classify_grant(sqltok *t, dfi_global_stmt *g, bool grant)
{
    static const char *const to_stops[] = {"to", "from", "on", NULL};
    static const char *const member_stops[] = {"with", "granted", "cascade", "restrict", NULL};
    char *roles, *members, *tag;
    size_t n;

    if (!grant && (tok_is(t, "admin") || tok_is(t, "inherit") || tok_is(t, "set"))) {
        tok_is(t, "option");
        tok_is(t, "for");
    }
    roles = name_list(t, to_stops);
    if (roles == NULL)
        return DF_E_NOMEM;
    if (tok_is(t, "on")) {
        free(roles);
        classify_object(t, g);
        return DF_OK;
    }
    if (!tok_is(t, grant ? "to" : "from")) {
        free(roles);
        return DF_OK;
    }
    members = name_list(t, member_stops);
    n = (roles ? strlen(roles) : 0) + (members ? strlen(members) : 0) + 8;
    tag = members ? malloc(n) : NULL;
    if (tag)
        snprintf(tag, n, "%s %s %s", roles, grant ? "TO" : "FROM", members);
    free(roles);
    free(members);
    if (tag == NULL)
        return DF_E_NOMEM;
    set_global(g, "ROLE MEMBERSHIP", tag, false);
    g->owner = granted_by(*t);
    return DF_OK;
}

static void classify_drop(sqltok *t, dfi_global_stmt *g)
{
    static const char *const stops[] = {"cascade", "restrict", NULL};
    const char *desc = NULL;

    if (tok_is(t, "database"))
        desc = "DROP DATABASE";
    else if (tok_is(t, "role") || tok_is(t, "user") || tok_is(t, "group"))
        desc = "DROP ROLE";
    else if (tok_is(t, "tablespace"))
        desc = "DROP TABLESPACE";
    if (desc == NULL)
        return;
    if (tok_is(t, "if"))
        tok_is(t, "exists");
    set_global(g, desc, name_list(t, stops), false);
}

int dfi_plain_classify_global(const char *text, size_t n, dfi_global_stmt *g)
{
    sqltok t = {text, text + n};

    memset(g, 0, sizeof *g);
    if (tok_is(&t, "create"))
        classify_create(&t, g);
    else if (tok_is(&t, "alter"))
        classify_alter(&t, g);
    else if (tok_is(&t, "comment")) {
        if (tok_is(&t, "on"))
            classify_object(&t, g);
    } else if (tok_is(&t, "security")) {
        /* SECURITY LABEL [FOR provider] ON object name IS ... */
        char w[NAME_MAX_BYTES];
        tk_kind k;
        while ((k = next_tok(&t, w, sizeof w)) != TK_END)
            if (k == TK_WORD && strcmp(w, "on") == 0) {
                classify_object(&t, g);
                break;
            }
    } else if (tok_is(&t, "grant"))
        return classify_grant(&t, g, true);
    else if (tok_is(&t, "revoke"))
        return classify_grant(&t, g, false);
    else if (tok_is(&t, "drop"))
        classify_drop(&t, g);
    return DF_OK;
}

/* ------------------------------------------------------------ session statements */

bool dfi_plain_is_session_statement(const char *word, const char *text, size_t n)
{
    static const char *const words[] = {"set",   "reset", "begin",    "commit",
                                        "start", "end",   "rollback", "abort"};
    sqltok t = {text, text + n};

    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(word, words[i]) == 0)
            return true;
    /* the search_path entry of 1.13+: SELECT pg_catalog.set_config('search_path', '', false) */
    return strcmp(word, "select") == 0 && tok_is(&t, "select") &&
           tok_is(&t, "pg_catalog.set_config");
}

/* ------------------------------------------------------------ \connect */

/* dbname=value (or 'quoted value') inside a connection string. */
static char *conninfo_dbname(const char *s)
{
    const char *p = strstr(s, "dbname");
    char *out;
    size_t k = 0;

    if (p == NULL)
        return NULL;
    p += strlen("dbname");
    while (*p == ' ')
        p++;
    if (*p++ != '=')
        return NULL;
    while (*p == ' ')
        p++;
    out = malloc(strlen(p) + 1);
    if (out == NULL)
        return NULL;
    if (*p == '\'') {
        for (p++; *p && *p != '\''; p++) {
            if (*p == '\\' && p[1])
                p++;
            out[k++] = *p;
        }
    } else {
        for (; *p && *p != ' '; p++)
            out[k++] = *p;
    }
    out[k] = '\0';
    return out;
}

/* One psql argument: "quoted" (doubled quotes undone) or up to white space, case kept. */
static char *psql_argument(const char *p, const char *end)
{
    char *out = malloc((size_t)(end - p) + 1);
    size_t k = 0;

    if (out == NULL)
        return NULL;
    if (p < end && *p == '"') {
        for (p++; p < end; p++) {
            if (*p == '"') {
                if (p + 1 < end && p[1] == '"')
                    p++;
                else
                    break;
            }
            out[k++] = *p;
        }
    } else {
        while (p < end && *p != ' ' && *p != '\t')
            out[k++] = *p++;
    }
    out[k] = '\0';
    return out;
}

char *dfi_plain_connect_target(const char *line, size_t n)
{
    const char *p = line, *end = line + n;
    char *arg;

    while (p < end && *p != ' ' && *p != '\t')
        p++; /* the command itself */
    for (;;) {
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p < end && *p == '-') { /* -reuse-previous=on */
            while (p < end && *p != ' ' && *p != '\t')
                p++;
            continue;
        }
        break;
    }
    if (p >= end)
        return NULL;
    /* psql keeps the case of an unquoted \connect argument (OT_SQLIDHACK) */
    arg = psql_argument(p, end);
    if (arg != NULL && strchr(arg, '=') != NULL) {
        char *db = conninfo_dbname(arg);
        free(arg);
        return db;
    }
    return arg;
}

/* ------------------------------------------------------------ large-object statements */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Undo the string literal's own quoting (standard or escape syntax) in place; its length. */
static size_t unquote_literal(char *s, size_t n, bool escapes)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\'' && i + 1 < n && s[i + 1] == '\'') {
            s[k++] = '\'';
            i++;
        } else if (escapes && c == '\\' && i + 1 < n) {
            char e = s[++i];
            if (e >= '0' && e <= '7') {
                int v = e - '0';
                for (int d = 0; d < 2 && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7'; d++)
                    v = v * 8 + (s[++i] - '0');
                s[k++] = (char)v;
            } else {
                s[k++] = e == 'n'   ? '\n'
                         : e == 't' ? '\t'
                         : e == 'r' ? '\r'
                         : e == 'b' ? '\b'
                         : e == 'f' ? '\f'
                                    : e;
            }
        } else {
            s[k++] = c;
        }
    }
    return k;
}

/* bytea text (hex "\x..." or the old escape format) to bytes; out may be NULL (count only). */
static bool bytea_decode(const char *s, size_t n, uint8_t *out, size_t *len)
{
    size_t k = 0;

    if (n >= 2 && s[0] == '\\' && s[1] == 'x') {
        for (size_t i = 2; i < n;) {
            int hi, lo;
            if (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
                i++;
                continue;
            }
            if (i + 1 >= n || (hi = hexval(s[i])) < 0 || (lo = hexval(s[i + 1])) < 0)
                return false;
            if (out)
                out[k] = (uint8_t)(hi * 16 + lo);
            k++;
            i += 2;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            uint8_t b = (uint8_t)s[i];
            if (s[i] == '\\') {
                if (i + 1 < n && s[i + 1] == '\\')
                    b = '\\', i++;
                else if (i + 3 < n + 0 && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
                         s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
                    b = (uint8_t)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
                    i += 3;
                } else
                    return false;
            }
            if (out)
                out[k] = b;
            k++;
        }
    }
    *len = k;
    return true;
}

/* The quoted literal starting at *p (after an optional E); its body span. */
static bool literal_at(const char *p, const char *end, bool std_strings, const char **body,
                       size_t *n, bool *escapes)
{
    *escapes = !std_strings;
    if (p < end && (*p == 'E' || *p == 'e')) {
        *escapes = true;
        p++;
    }
    if (p >= end || *p != '\'')
        return false;
    *body = ++p;
    for (; p < end; p++) {
        if (*escapes && *p == '\\') {
            p++;
            continue;
        }
        if (*p == '\'') {
            if (p + 1 < end && p[1] == '\'') {
                p++;
                continue;
            }
            *n = (size_t)(p - *body);
            return true;
        }
    }
    return false;
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static bool after_prefix(const char **p, const char *end, const char *prefix)
{
    size_t k = strlen(prefix);

    if ((size_t)(end - *p) < k || strncasecmp(*p, prefix, k) != 0)
        return false;
    *p = skip_ws(*p + k, end);
    return true;
}

static dfi_lo_kind lo_open(const char *p, const char *end, uint32_t *oid)
{
    after_prefix(&p, end, "pg_catalog.lo_create(");
    if (p < end && *p == '\'')
        p++;
    if (p >= end || *p < '0' || *p > '9')
        return DFI_LO_BAD;
    return parse_u32(&p, end, oid) ? DFI_LO_OPEN : DFI_LO_BAD;
}

static dfi_lo_kind lo_write(const char *p, const char *end, bool std_strings, uint8_t *out,
                            size_t *out_len)
{
    const char *body;
    size_t n, len;
    bool escapes;
    char *tmp;

    while (p < end && *p != ',')
        p++; /* the descriptor */
    p = skip_ws(p + 1, end);
    if (!literal_at(p, end, std_strings, &body, &n, &escapes))
        return DFI_LO_BAD;
    tmp = malloc(n + 1);
    if (tmp == NULL)
        return DFI_LO_BAD;
    memcpy(tmp, body, n);
    n = unquote_literal(tmp, n, escapes);
    if (!bytea_decode(tmp, n, out, &len)) {
        free(tmp);
        return DFI_LO_BAD;
    }
    free(tmp);
    *out_len = len;
    return DFI_LO_WRITE;
}

dfi_lo_kind dfi_plain_lo_statement(const char *text, size_t n, bool std_strings, uint32_t *oid,
                                   uint8_t *out, size_t *out_len)
{
    const char *p = skip_ws(text, text + n), *end = text + n;

    *out_len = 0;
    if (!after_prefix(&p, end, "select"))
        return DFI_LO_OTHER;
    if (after_prefix(&p, end, "pg_catalog.lo_open("))
        return lo_open(p, end, oid);
    if (after_prefix(&p, end, "pg_catalog.lowrite("))
        return lo_write(p, end, std_strings, out, out_len);
    if (after_prefix(&p, end, "pg_catalog.lo_close("))
        return DFI_LO_CLOSE;
    return DFI_LO_OTHER;
}
