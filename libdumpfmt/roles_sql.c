/*
 * roles_sql.c — finds role names in SQL text: a small tokenizer with
 * PostgreSQL's quoting rules (quoted identifiers, U&"..." escapes,
 * standard and escape strings, dollar quotes, nested comments: the shared
 * rules of sqllex.c) and the
 * statement patterns of spec §13 that name roles (GRANT/REVOKE, ALTER
 * DEFAULT PRIVILEGES, ALTER ... OWNER TO, CREATE SCHEMA ... AUTHORIZATION,
 * CREATE POLICY, user mappings, CREATE/ALTER ROLE, SET ROLE, SET SESSION
 * AUTHORIZATION, role-valued settings).  Also the public identifier
 * helpers df_sql_parse_ident, df_sql_quote_ident and df_sql_quote_literal.
 *
 * Statements are first delimited by their top-level semicolons, then each
 * is matched on a lexer bounded to it, so no pattern can run into the
 * next statement.  Nothing here allocates except name lists of role
 * memberships and the public helpers' results.
 */
#include "roles.h"
#include "sqllex.h"

#include <ctype.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ tokens */

typedef enum tk_kind {
    TK_END = 0,
    TK_WORD,   /* unquoted identifier or keyword */
    TK_IDENT,  /* "quoted identifier" or U&"..." */
    TK_STRING, /* '...', E'...', U&'...', B'...', X'...', N'...' */
    TK_PUNCT,  /* one character */
    TK_OTHER,  /* numbers, $n parameters, dollar-quoted strings */
} tk_kind;

/* How the text between the quotes of an IDENT or STRING is decoded. */
typedef enum quote_style {
    QS_PLAIN = 0, /* doubled quotes only */
    QS_ESCAPE,  /* backslash escapes too (E'...', or '...' with standard_conforming_strings off) */
    QS_UNICODE, /* U&: doubled quotes and <escape>XXXX / <escape>+XXXXXX */
} quote_style;

typedef struct tok {
    tk_kind kind;
    const char *p; /* the token's text, quotes included (without a U&/E/B/X/N prefix) */
    size_t n;
    quote_style style;
    char uescape; /* QS_UNICODE: the escape character */
} tok;

typedef struct lexer {
    const char *s, *end;
    bool std_strings;
} lexer;

/* Skip white space, -- comments and nested block comments. */
static void skip_blank(lexer *lx)
{
    lx->s = dfi_sql_blank_end(lx->s, lx->end);
}

/* $tag$ ... $tag$ starting at lx->s; false (nothing consumed) when it is not one. */
static bool scan_dollar(lexer *lx)
{
    const char *e = dfi_sql_dollar_end(lx->s, lx->end);

    if (e == NULL)
        return false;
    lx->s = e;
    return true;
}

/* A UESCAPE 'c' clause after a U& token changes its escape character. */
static void scan_uescape(lexer *lx, tok *t)
{
    lexer ahead = *lx;
    const char *w;

    skip_blank(&ahead);
    w = ahead.s;
    if (ahead.end - w < 7 || strncasecmp(w, "uescape", 7) != 0 ||
        (w + 7 < ahead.end && dfi_sql_ident_cont((uint8_t)w[7])))
        return;
    ahead.s = w + 7;
    skip_blank(&ahead);
    if (ahead.end - ahead.s >= 3 && ahead.s[0] == '\'' && ahead.s[2] == '\'') {
        t->uescape = ahead.s[1];
        lx->s = ahead.s + 3;
    }
}

/* The prefix of a string or identifier (E, U&, B, X, N) at lx->s: its length, 0 if none. */
static size_t quote_prefix(const lexer *lx, quote_style *style)
{
    const char *s = lx->s;
    size_t left = (size_t)(lx->end - s);
    char c = dfi_sql_lower(*s);

    if (c == 'u' && left >= 3 && s[1] == '&' && (s[2] == '\'' || s[2] == '"')) {
        *style = QS_UNICODE;
        return 2;
    }
    if (left >= 2 && s[1] == '\'' && (c == 'e' || c == 'b' || c == 'x' || c == 'n')) {
        *style = c == 'e' || !lx->std_strings ? QS_ESCAPE : QS_PLAIN;
        return 1;
    }
    return 0;
}

static tok next_tok(lexer *lx)
{
    tok t = {.kind = TK_END, .uescape = '\\'};
    size_t prefix;
    unsigned char c;

    skip_blank(lx);
    if (lx->s >= lx->end)
        return t;
    t.style = QS_PLAIN;
    prefix = quote_prefix(lx, &t.style);
    lx->s += prefix;
    t.p = lx->s;
    c = (unsigned char)*lx->s;
    if (c == '"' || c == '\'') {
        if (c == '\'' && prefix == 0 && !lx->std_strings)
            t.style = QS_ESCAPE;
        t.kind = c == '"' ? TK_IDENT : TK_STRING;
        lx->s = dfi_sql_quoted_end(lx->s, lx->end, (char)c, t.style == QS_ESCAPE);
        t.n = (size_t)(lx->s - t.p);
        if (t.style == QS_UNICODE)
            scan_uescape(lx, &t);
        return t;
    }
    if (dfi_sql_ident_start(c)) {
        t.kind = TK_WORD;
        while (lx->s < lx->end && dfi_sql_ident_cont((uint8_t)*lx->s))
            lx->s++;
    } else if ((c >= '0' && c <= '9') ||
               (c == '.' && lx->s + 1 < lx->end && lx->s[1] >= '0' && lx->s[1] <= '9')) {
        t.kind = TK_OTHER;
        while (lx->s < lx->end && (dfi_sql_ident_cont((uint8_t)*lx->s) || *lx->s == '.'))
            lx->s++;
    } else if (c == '$' && lx->s + 1 < lx->end && lx->s[1] >= '0' && lx->s[1] <= '9') {
        t.kind = TK_OTHER;
        for (lx->s++; lx->s < lx->end && *lx->s >= '0' && *lx->s <= '9';)
            lx->s++;
    } else if (c == '$' && scan_dollar(lx)) {
        t.kind = TK_OTHER;
    } else {
        t.kind = TK_PUNCT;
        lx->s++;
    }
    t.n = (size_t)(lx->s - t.p);
    return t;
}

/* ------------------------------------------------------------ decoding names */

static size_t put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = dfi_sql_lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* `digits` hex digits at p (within end) as a number; -1 if there are not that many. */
static long hex_run(const char *p, const char *end, int digits)
{
    long v = 0;

    if (end - p < digits)
        return -1;
    for (int i = 0; i < digits; i++) {
        int d = hex_digit(p[i]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* A bounded output buffer: what does not fit is dropped and remembered. */
typedef struct outbuf {
    char *p;
    size_t len, cap; /* cap excludes the NUL */
    bool overflow;
} outbuf;

static void out_bytes(outbuf *o, const char *s, size_t n)
{
    if (n > o->cap - o->len) {
        o->overflow = true;
        n = o->cap - o->len;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

/*
 * One U& escape at *pp (just past the escape character): \XXXX or
 * \+XXXXXX, surrogate pairs joined.  False when it is not a valid one.
 */
static bool unicode_escape(const char **pp, const char *end, char esc, outbuf *o)
{
    const char *p = *pp;
    long cp = *p == '+' ? hex_run(p + 1, end, 6) : hex_run(p, end, 4);
    char u[4];

    if (cp < 0)
        return false;
    p += *p == '+' ? 7 : 4;
    if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 5 && p[0] == esc) {
        long lo = hex_run(p + 1, end, 4);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            p += 5;
        }
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0)
        return false;
    out_bytes(o, u, put_utf8(u, (uint32_t)cp));
    *pp = p;
    return true;
}

/* One backslash escape of an E'...' string at *pp (just past the backslash). */
static void backslash_escape(const char **pp, const char *end, outbuf *o)
{
    const char *p = *pp;
    char c = *p++, u[4];
    long v;

    switch (c) {
    case 'b': c = '\b'; break;
    case 'f': c = '\f'; break;
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 't': c = '\t'; break;
    case 'x':
        v = 0;
        for (int i = 0; i < 2 && p < end && hex_digit(*p) >= 0; i++)
            v = v * 16 + hex_digit(*p++);
        c = (char)v;
        break;
    case 'u':
    case 'U':
        v = hex_run(p, end, c == 'u' ? 4 : 8);
        if (v > 0 && v <= 0x10FFFF) {
            p += c == 'u' ? 4 : 8;
            out_bytes(o, u, put_utf8(u, (uint32_t)v));
            *pp = p;
            return;
        }
        break;
    default:
        if (c >= '0' && c <= '7') {
            v = c - '0';
            for (int i = 0; i < 2 && p < end && *p >= '0' && *p <= '7'; i++)
                v = v * 8 + (*p++ - '0');
            c = (char)v;
        }
        break;
    }
    out_bytes(o, &c, 1);
    *pp = p;
}

/* The text between the quotes of an IDENT or STRING token, decoded. */
static void decode_quoted(const tok *t, outbuf *o)
{
    char q = t->p[0];
    const char *p = t->p + 1, *end = t->p + t->n;

    if (end > p && end[-1] == q)
        end--; /* an unterminated token has no closing quote */
    while (p < end) {
        if (*p == q && p + 1 < end && p[1] == q) {
            out_bytes(o, p, 1);
            p += 2;
        } else if (t->style == QS_ESCAPE && *p == '\\' && p + 1 < end) {
            p++;
            backslash_escape(&p, end, o);
        } else if (t->style == QS_UNICODE && *p == t->uescape && p + 1 < end) {
            p++;
            if (*p == t->uescape) {
                out_bytes(o, p++, 1);
            } else if (!unicode_escape(&p, end, t->uescape, o)) {
                out_bytes(o, p - 1, 1);
            }
        } else {
            out_bytes(o, p++, 1);
        }
    }
}

/*
 * The name a token stands for, into out (cap bytes + NUL): identifiers
 * downcased (unquoted) or unquoted and cut to DFI_NAME_MAX bytes, string
 * literals (when allowed) decoded.  Returns its length; 0 when the token
 * is no name or the name does not fit.
 */
static size_t tok_name(const tok *t, char *out, size_t cap, bool allow_string)
{
    outbuf o = {out, 0, cap, false};

    if (t->kind == TK_WORD) {
        for (size_t i = 0; i < t->n; i++) {
            char c = dfi_sql_lower(t->p[i]);
            out_bytes(&o, &c, 1);
        }
    } else if (t->kind == TK_IDENT || (t->kind == TK_STRING && allow_string)) {
        decode_quoted(t, &o);
    } else {
        return 0;
    }
    if (o.overflow || memchr(out, '\0', o.len) != NULL)
        return 0;
    if (t->kind != TK_STRING)
        o.len = dfi_sql_clip_name(out, o.len, DFI_NAME_MAX);
    out[o.len] = '\0';
    return o.len;
}

dfi_sqlk dfi_sql_next(dfi_sqlscan *sc, dfi_sqltok *out)
{
    lexer lx = {sc->s, sc->end, sc->std_strings};
    tok t = next_tok(&lx);

    sc->s = lx.s;
    out->kind = (dfi_sqlk)t.kind;
    out->p = t.p;
    out->n = t.n;
    out->name_len = tok_name(&t, out->name, DFI_SQL_NAME_CAP, true);
    return out->kind;
}

/* ------------------------------------------------------------ matching */

typedef struct parser {
    lexer lx;     /* bounded to the current statement */
    lexer *outer; /* the whole text (SET standard_conforming_strings changes it) */
    const dfi_role_sink *sink;
} parser;

static bool is_word(const tok *t, const char *w)
{
    size_t n = strlen(w);

    return t->kind == TK_WORD && t->n == n && strncasecmp(t->p, w, n) == 0;
}

static bool is_punct(const tok *t, char c)
{
    return t->kind == TK_PUNCT && t->p[0] == c;
}

static tok peek(const lexer *lx)
{
    lexer ahead = *lx;

    return next_tok(&ahead);
}

static bool peek_is(const lexer *lx, const char *w)
{
    tok t = peek(lx);

    return is_word(&t, w);
}

static bool accept(lexer *lx, const char *w)
{
    lexer ahead = *lx;
    tok t = next_tok(&ahead);

    if (!is_word(&t, w))
        return false;
    *lx = ahead;
    return true;
}

static bool accept_punct(lexer *lx, char c)
{
    lexer ahead = *lx;
    tok t = next_tok(&ahead);

    if (!is_punct(&t, c))
        return false;
    *lx = ahead;
    return true;
}

/*
 * PUBLIC, CURRENT_USER ... are no roles.  "public" is PUBLIC however it is
 * quoted, and PostgreSQL reserves the names "public" and "none".
 */
static bool is_pseudo_role(const tok *t, const char *name)
{
    static const char *const words[] = {"current_user", "session_user", "current_role", "user"};

    if (strcmp(name, "public") == 0 || strcmp(name, "none") == 0)
        return true;
    if (t->kind != TK_WORD)
        return false;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(name, words[i]) == 0)
            return true;
    return false;
}

/* Report the role a token names (nothing for PUBLIC and the like). */
static int emit(parser *ps, const tok *t, int kind, int needs, bool allow_string)
{
    char name[DFI_ROLE_NAME_MAX + 1];

    if (tok_name(t, name, DFI_ROLE_NAME_MAX, allow_string) == 0 || is_pseudo_role(t, name))
        return DF_OK;
    return ps->sink->role(ps->sink->ctx, name, kind, needs);
}

/* Names collected for role memberships (GRANT a, b TO c). */
typedef struct namelist {
    char **v;
    size_t n, cap;
    bool failed; /* out of memory: memberships are left out */
} namelist;

static void namelist_add(namelist *l, const tok *t)
{
    char name[DFI_ROLE_NAME_MAX + 1];
    char *copy;

    if (l == NULL || l->failed || tok_name(t, name, DFI_ROLE_NAME_MAX, false) == 0 ||
        is_pseudo_role(t, name))
        return;
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        char **nv = realloc(l->v, ncap * sizeof *nv);
        if (nv == NULL) {
            l->failed = true;
            return;
        }
        l->v = nv;
        l->cap = ncap;
    }
    copy = strdup(name);
    if (copy == NULL) {
        l->failed = true;
        return;
    }
    l->v[l->n++] = copy;
}

static void namelist_free(namelist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* name [, name ...] (GROUP before a name is the old spelling); stops before anything else. */
static int role_list(parser *ps, int kind, int needs, namelist *names)
{
    for (;;) {
        tok t;
        int rc;

        accept(&ps->lx, "group");
        t = peek(&ps->lx);
        if (t.kind != TK_WORD && t.kind != TK_IDENT)
            return DF_OK;
        next_tok(&ps->lx);
        if ((rc = emit(ps, &t, kind, needs, false)) != DF_OK)
            return rc;
        namelist_add(names, &t);
        if (!accept_punct(&ps->lx, ','))
            return DF_OK;
    }
}

/* Skip a comma-separated list of (qualified) names. */
static void skip_names(parser *ps)
{
    for (;;) {
        tok t = peek(&ps->lx);
        if (t.kind != TK_WORD && t.kind != TK_IDENT)
            return;
        next_tok(&ps->lx);
        if (accept_punct(&ps->lx, '.'))
            continue;
        if (!accept_punct(&ps->lx, ','))
            return;
    }
}

/* Advance to the first top-level word out of `words` (NULL-terminated); false at the end. */
static bool seek_word(parser *ps, const char *const *words, tok *found)
{
    int depth = 0;

    for (;;) {
        tok t = next_tok(&ps->lx);

        if (t.kind == TK_END)
            return false;
        if (is_punct(&t, '(') || is_punct(&t, '['))
            depth++;
        else if ((is_punct(&t, ')') || is_punct(&t, ']')) && depth > 0)
            depth--;
        if (depth != 0 || t.kind != TK_WORD)
            continue;
        for (size_t i = 0; words[i]; i++) {
            if (is_word(&t, words[i])) {
                if (found)
                    *found = t;
                return true;
            }
        }
    }
}

/* ... GRANTED BY role: the grantor. */
static int granted_by(parser *ps)
{
    static const char *const words[] = {"granted", NULL};

    while (seek_word(ps, words, NULL)) {
        if (accept(&ps->lx, "by")) {
            tok t = next_tok(&ps->lx);
            return emit(ps, &t, DF_ROLE_GRANTOR, 0, false);
        }
    }
    return DF_OK;
}

/* WITH ADMIN OPTION / WITH ADMIN TRUE after the members of a role grant. */
static bool admin_option(parser *ps)
{
    lexer ahead = ps->lx;

    if (!accept(&ahead, "with"))
        return false;
    for (;;) {
        tok t = next_tok(&ahead);
        if (t.kind == TK_END || is_word(&t, "granted"))
            return false;
        if (is_word(&t, "admin"))
            return accept(&ahead, "option") || accept(&ahead, "true");
    }
}

/* GRANT role [, ...] TO member [, ...] / REVOKE [... OPTION FOR] role FROM member. */
static int role_grant(parser *ps, lexer roles_at, bool grant)
{
    parser sub = *ps;
    namelist roles = {0}, members = {0};
    int rc;

    sub.lx = roles_at;
    if (!grant && (accept(&sub.lx, "admin") || accept(&sub.lx, "inherit") ||
                   accept(&sub.lx, "set") || accept(&sub.lx, "grant"))) {
        accept(&sub.lx, "option");
        accept(&sub.lx, "for");
    }
    rc = role_list(&sub, DF_ROLE_MEMBERSHIP, 0, &roles);
    if (rc == DF_OK)
        rc = role_list(ps, DF_ROLE_MEMBERSHIP, 0, &members);
    if (rc == DF_OK && grant && ps->sink->member && !roles.failed && !members.failed) {
        bool admin = admin_option(ps);
        for (size_t i = 0; i < roles.n && rc == DF_OK; i++)
            for (size_t j = 0; j < members.n && rc == DF_OK; j++)
                rc = ps->sink->member(ps->sink->ctx, roles.v[i], members.v[j], admin);
    }
    namelist_free(&roles);
    namelist_free(&members);
    return rc;
}

/*
 * After GRANT or REVOKE: privileges ON objects TO/FROM grantees, or a role
 * membership when no ON comes first; then GRANTED BY.
 */
static int grant_stmt(parser *ps, bool grant)
{
    static const char *const grant_words[] = {"on", "to", NULL};
    static const char *const revoke_words[] = {"on", "from", NULL};
    lexer start = ps->lx;
    tok t;
    int rc;

    if (!seek_word(ps, grant ? grant_words : revoke_words, &t))
        return DF_OK;
    if (is_word(&t, "on")) {
        static const char *const to[] = {"to", NULL}, *const from[] = {"from", NULL};
        if (!seek_word(ps, grant ? to : from, NULL))
            return DF_OK;
        rc = role_list(ps, DF_ROLE_GRANTEE, 0, NULL);
    } else {
        rc = role_grant(ps, start, grant);
    }
    return rc == DF_OK ? granted_by(ps) : rc;
}

/* ALTER DEFAULT PRIVILEGES [FOR ROLE r, ...] [IN SCHEMA s, ...] GRANT|REVOKE ... */
static int default_privileges(parser *ps)
{
    for (;;) {
        int rc;

        if (accept(&ps->lx, "for")) {
            if (!accept(&ps->lx, "role") && !accept(&ps->lx, "user"))
                return DF_OK;
            rc = role_list(ps, DF_ROLE_DEFAULT_PRIVILEGES, 0, NULL);
            if (rc != DF_OK)
                return rc;
        } else if (accept(&ps->lx, "in")) {
            accept(&ps->lx, "schema");
            skip_names(ps);
        } else if (accept(&ps->lx, "grant")) {
            return grant_stmt(ps, true);
        } else if (accept(&ps->lx, "revoke")) {
            return grant_stmt(ps, false);
        } else {
            return DF_OK;
        }
    }
}

/* After SET: "role|session_authorization {TO|=} value" names a role; others do not. */
static int setting_value(parser *ps, int kind, int needs)
{
    tok param = next_tok(&ps->lx), v;

    if (!is_word(&param, "role") && !is_word(&param, "session_authorization"))
        return DF_OK;
    if (!accept(&ps->lx, "to"))
        accept_punct(&ps->lx, '=');
    v = next_tok(&ps->lx);
    if (is_word(&v, "default") || is_word(&v, "from"))
        return DF_OK;
    return emit(ps, &v, kind, needs, true);
}

/* Every top-level SET clause before the body of a CREATE/ALTER FUNCTION or PROCEDURE. */
static int function_settings(parser *ps)
{
    static const char *const words[] = {"set", "as", "begin", "return", NULL};
    tok t;

    while (seek_word(ps, words, &t)) {
        int rc;

        if (!is_word(&t, "set"))
            return DF_OK;
        rc = setting_value(ps, DF_ROLE_SETTING_VALUE, 0);
        if (rc != DF_OK)
            return rc;
    }
    return DF_OK;
}

/* ALTER ... OWNER TO role at the top level (not RENAME ... owner TO ...). */
static int owner_to(parser *ps)
{
    static const char *const words[] = {"owner", "rename", NULL};
    tok t;

    while (seek_word(ps, words, &t)) {
        if (is_word(&t, "rename"))
            return DF_OK;
        if (accept(&ps->lx, "to")) {
            t = next_tok(&ps->lx);
            return emit(ps, &t, DF_ROLE_OWNER, DF_ROLE_NEEDS_OWNERSHIP, false);
        }
    }
    return DF_OK;
}

/* [ALTER|CREATE] POLICY ... TO role, ... (not RENAME TO). */
static int policy_roles(parser *ps)
{
    static const char *const words[] = {"to", "rename", "using", "with", NULL};
    tok t;

    if (!seek_word(ps, words, &t) || !is_word(&t, "to"))
        return DF_OK;
    return role_list(ps, DF_ROLE_POLICY, 0, NULL);
}

/* [CREATE|ALTER] USER MAPPING [IF NOT EXISTS] FOR role SERVER ... */
static int user_mapping(parser *ps)
{
    static const char *const words[] = {"for", NULL};
    tok t;

    if (!seek_word(ps, words, NULL))
        return DF_OK;
    t = next_tok(&ps->lx);
    return emit(ps, &t, DF_ROLE_USER_MAPPING, 0, false);
}

/* True (and consumed) for USER MAPPING after CREATE/ALTER/DROP USER. */
static bool accept_user_mapping(parser *ps)
{
    lexer ahead = ps->lx;

    if (!accept(&ahead, "mapping"))
        return false;
    if (accept(&ahead, "if")) {
        accept(&ahead, "not");
        accept(&ahead, "exists");
    }
    if (!peek_is(&ahead, "for"))
        return false;
    ps->lx = ahead;
    return true;
}

/* Role memberships given inside CREATE ROLE: IN ROLE/GROUP, ROLE, USER, ADMIN. */
static int create_role_options(parser *ps, const tok *role)
{
    for (;;) {
        tok t = next_tok(&ps->lx);
        namelist names = {0};
        bool in = false, admin = false;
        int rc;

        if (t.kind == TK_END)
            return DF_OK;
        if (is_word(&t, "in") && (accept(&ps->lx, "role") || accept(&ps->lx, "group")))
            in = true;
        else if (is_word(&t, "admin"))
            admin = true;
        else if (!is_word(&t, "role") && !is_word(&t, "user"))
            continue;
        rc = role_list(ps, DF_ROLE_MEMBERSHIP, 0, &names);
        if (rc == DF_OK && ps->sink->member && !names.failed) {
            char self[DFI_ROLE_NAME_MAX + 1];
            if (tok_name(role, self, DFI_ROLE_NAME_MAX, false) > 0) {
                for (size_t i = 0; i < names.n && rc == DF_OK; i++)
                    rc = in ? ps->sink->member(ps->sink->ctx, names.v[i], self, false)
                            : ps->sink->member(ps->sink->ctx, self, names.v[i], admin);
            }
        }
        namelist_free(&names);
        if (rc != DF_OK)
            return rc;
    }
}

/* Append " WORD" (or "WORD" first) to the attribute text; false when it would not fit. */
static bool attr_add(char *buf, size_t *len, const char *w, size_t n)
{
    if (*len + 1 + n > DFI_ROLE_ATTRS_MAX)
        return false;
    if (*len > 0)
        buf[(*len)++] = ' ';
    for (size_t i = 0; i < n; i++)
        buf[(*len)++] = (char)toupper((unsigned char)w[i]);
    buf[*len] = '\0';
    return true;
}

/* A VALID UNTIL literal safe to write again as is: a timestamp, no quote, no backslash. */
static bool attr_safe_literal(const tok *t)
{
    if (t->kind != TK_STRING || t->n < 2 || t->p[0] != '\'' || t->p[t->n - 1] != '\'')
        return false;
    for (size_t i = 1; i + 1 < t->n; i++)
        if (!isalnum((unsigned char)t->p[i]) && strchr(" :.+-", t->p[i]) == NULL)
            return false;
    return true;
}

/*
 * The role attributes of the rest of a statement (a copy of the lexer is
 * read), for dfi_role_sink.attributes: flags, CONNECTION LIMIT, VALID
 * UNTIL; passwords are skipped, and role lists (IN ROLE, ADMIN ...) end it.
 */
static int role_attributes(parser *ps, lexer lx, const tok *role)
{
    static const char *const flags[] = {
        "superuser",    "nosuperuser",   "createdb",  "nocreatedb",  "createrole",
        "nocreaterole", "inherit",       "noinherit", "login",       "nologin",
        "replication",  "noreplication", "bypassrls", "nobypassrls",
    };
    char buf[DFI_ROLE_ATTRS_MAX + 1] = "", name[DFI_ROLE_NAME_MAX + 1];
    size_t len = 0;
    bool fits = true;

    if (ps->sink->attributes == NULL || tok_name(role, name, DFI_ROLE_NAME_MAX, false) == 0)
        return DF_OK;
    for (tok t = next_tok(&lx); t.kind != TK_END && fits; t = next_tok(&lx)) {
        if (is_word(&t, "password")) {
            next_tok(&lx);
        } else if (is_word(&t, "connection") && accept(&lx, "limit")) {
            tok n = next_tok(&lx);
            bool digits = n.kind == TK_OTHER && n.n <= 9;
            for (size_t i = 0; digits && i < n.n; i++)
                digits = isdigit((unsigned char)n.p[i]) != 0;
            if (digits)
                fits = attr_add(buf, &len, "connection limit", 16) && attr_add(buf, &len, n.p, n.n);
        } else if (is_word(&t, "valid") && accept(&lx, "until")) {
            tok v = next_tok(&lx);
            if (attr_safe_literal(&v))
                fits = attr_add(buf, &len, "valid until", 11) && attr_add(buf, &len, v.p, v.n);
        } else if (is_word(&t, "in") || is_word(&t, "role") || is_word(&t, "admin") ||
                   is_word(&t, "user") || is_word(&t, "group") || is_word(&t, "sysid")) {
            break;
        } else {
            for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
                if (is_word(&t, flags[i]))
                    fits = attr_add(buf, &len, flags[i], strlen(flags[i]));
        }
    }
    if (!fits || len == 0)
        return DF_OK;
    return ps->sink->attributes(ps->sink->ctx, name, buf);
}

/* CREATE ROLE|USER|GROUP name [options]: the dump creates the role. */
static int create_role(parser *ps)
{
    tok t;
    int rc;

    t = next_tok(&ps->lx);
    rc = emit(ps, &t, DF_ROLE_DEFINITION, DFI_ROLE_CREATED, false);
    if (rc == DF_OK)
        rc = role_attributes(ps, ps->lx, &t);
    return rc == DF_OK ? create_role_options(ps, &t) : rc;
}

/* CREATE SCHEMA [IF NOT EXISTS] [name] AUTHORIZATION role */
static int create_schema(parser *ps)
{
    tok t;

    if (accept(&ps->lx, "if")) {
        accept(&ps->lx, "not");
        accept(&ps->lx, "exists");
    }
    if (!accept(&ps->lx, "authorization")) {
        next_tok(&ps->lx);
        if (!accept(&ps->lx, "authorization"))
            return DF_OK;
    }
    t = next_tok(&ps->lx);
    return emit(ps, &t, DF_ROLE_SCHEMA_AUTHORIZATION, DF_ROLE_NEEDS_OWNERSHIP, false);
}

/* CREATE TABLESPACE|DATABASE name ... OWNER [=] role ... */
static int create_owned(parser *ps)
{
    static const char *const words[] = {"owner", NULL};
    tok t;

    if (!seek_word(ps, words, NULL))
        return DF_OK;
    accept_punct(&ps->lx, '=');
    t = next_tok(&ps->lx);
    return emit(ps, &t, DF_ROLE_OWNER, DF_ROLE_NEEDS_OWNERSHIP, false);
}

static int create_stmt(parser *ps)
{
    if (accept(&ps->lx, "or"))
        accept(&ps->lx, "replace");
    if (accept(&ps->lx, "schema"))
        return create_schema(ps);
    if (accept(&ps->lx, "policy"))
        return policy_roles(ps);
    if (accept(&ps->lx, "user"))
        return accept_user_mapping(ps) ? user_mapping(ps) : create_role(ps);
    if (accept(&ps->lx, "role") || accept(&ps->lx, "group"))
        return create_role(ps);
    if (accept(&ps->lx, "function") || accept(&ps->lx, "procedure"))
        return function_settings(ps);
    if (accept(&ps->lx, "tablespace") || accept(&ps->lx, "database"))
        return create_owned(ps);
    return DF_OK;
}

/* ALTER GROUP g ADD|DROP USER u, ... (pg_dumpall before 8.1). */
static int group_members(parser *ps, const tok *group, bool add)
{
    namelist names = {0};
    char self[DFI_ROLE_NAME_MAX + 1];
    int rc;

    accept(&ps->lx, "user");
    rc = role_list(ps, DF_ROLE_MEMBERSHIP, 0, &names);
    if (rc == DF_OK && add && ps->sink->member && !names.failed &&
        tok_name(group, self, DFI_ROLE_NAME_MAX, false) > 0) {
        for (size_t i = 0; i < names.n && rc == DF_OK; i++)
            rc = ps->sink->member(ps->sink->ctx, self, names.v[i], false);
    }
    namelist_free(&names);
    return rc;
}

/* ALTER ROLE|USER|GROUP name|ALL [IN DATABASE d] SET|RESET ... / WITH ... / ADD USER ... */
static int alter_role(parser *ps)
{
    tok role = next_tok(&ps->lx);
    bool all = is_word(&role, "all");
    int kind = DF_ROLE_DEFINITION, rc;

    if (accept(&ps->lx, "rename"))
        return DF_OK;
    if (accept(&ps->lx, "in")) {
        accept(&ps->lx, "database");
        next_tok(&ps->lx);
    }
    if (!all && (peek_is(&ps->lx, "add") || peek_is(&ps->lx, "drop"))) {
        bool add = accept(&ps->lx, "add");
        if (!add)
            accept(&ps->lx, "drop");
        rc = emit(ps, &role, DF_ROLE_MEMBERSHIP, 0, false);
        return rc == DF_OK ? group_members(ps, &role, add) : rc;
    }
    if (peek_is(&ps->lx, "set") || peek_is(&ps->lx, "reset"))
        kind = DF_ROLE_SETTINGS;
    if (!all && (rc = emit(ps, &role, kind, 0, false)) != DF_OK)
        return rc;
    if (kind == DF_ROLE_SETTINGS && accept(&ps->lx, "set"))
        return setting_value(ps, DF_ROLE_SETTING_VALUE, 0);
    if (!all && kind == DF_ROLE_DEFINITION && accept(&ps->lx, "with"))
        return role_attributes(ps, ps->lx, &role);
    return DF_OK;
}

/* ALTER DATABASE d OWNER TO role / SET role TO 'x' */
static int alter_database(parser *ps)
{
    next_tok(&ps->lx);
    if (accept(&ps->lx, "set"))
        return setting_value(ps, DF_ROLE_SETTING_VALUE, 0);
    return owner_to(ps);
}

static int alter_stmt(parser *ps)
{
    int rc;

    if (accept(&ps->lx, "default"))
        return accept(&ps->lx, "privileges") ? default_privileges(ps) : DF_OK;
    if (accept(&ps->lx, "user")) {
        if (accept_user_mapping(ps))
            return user_mapping(ps);
        return alter_role(ps);
    }
    if (accept(&ps->lx, "role") || accept(&ps->lx, "group"))
        return alter_role(ps);
    if (accept(&ps->lx, "database"))
        return alter_database(ps);
    if (accept(&ps->lx, "policy"))
        return policy_roles(ps);
    if (accept(&ps->lx, "function") || accept(&ps->lx, "procedure") || accept(&ps->lx, "routine")) {
        lexer start = ps->lx;
        if ((rc = function_settings(ps)) != DF_OK)
            return rc;
        ps->lx = start;
    }
    return owner_to(ps);
}

/*
 * SET [SESSION|LOCAL] ROLE r, SET [SESSION|LOCAL] SESSION AUTHORIZATION r,
 * SET role|session_authorization TO r; SET standard_conforming_strings
 * changes how the rest of the text is read.
 */
static int set_stmt(parser *ps)
{
    int auth_kind = ps->sink->acl ? DF_ROLE_GRANTOR : DF_ROLE_SESSION_AUTHORIZATION;
    tok t;

    accept(&ps->lx, "local");
    if (accept(&ps->lx, "session")) {
        if (accept(&ps->lx, "authorization")) {
            t = next_tok(&ps->lx);
            if (is_word(&t, "default"))
                return DF_OK;
            return emit(ps, &t, auth_kind, DF_ROLE_NEEDS_SESSION_AUTH, true);
        }
    }
    t = peek(&ps->lx);
    if (is_word(&t, "role"))
        return setting_value(ps, DF_ROLE_SET_ROLE, DF_ROLE_NEEDS_SET_ROLE);
    if (is_word(&t, "session_authorization"))
        return setting_value(ps, auth_kind, DF_ROLE_NEEDS_SESSION_AUTH);
    if (accept(&ps->lx, "standard_conforming_strings")) {
        char v[8];
        if (!accept(&ps->lx, "to"))
            accept_punct(&ps->lx, '=');
        t = next_tok(&ps->lx);
        if (tok_name(&t, v, sizeof v - 1, true) > 0)
            ps->outer->std_strings = strcmp(v, "off") != 0 && strcmp(v, "false") != 0;
    }
    return DF_OK;
}

/* COMMENT ON ROLE r / SECURITY LABEL ... ON ROLE r: part of the role's definition. */
static int role_object(parser *ps, bool seek_on)
{
    static const char *const words[] = {"on", NULL};
    tok t;

    if (seek_on ? !seek_word(ps, words, NULL) : !accept(&ps->lx, "on"))
        return DF_OK;
    if (!accept(&ps->lx, "role"))
        return DF_OK;
    t = next_tok(&ps->lx);
    return emit(ps, &t, DF_ROLE_DEFINITION, 0, false);
}

static int statement(parser *ps)
{
    tok first = next_tok(&ps->lx);

    if (is_word(&first, "grant"))
        return grant_stmt(ps, true);
    if (is_word(&first, "revoke"))
        return grant_stmt(ps, false);
    if (is_word(&first, "alter"))
        return alter_stmt(ps);
    if (is_word(&first, "create"))
        return create_stmt(ps);
    if (is_word(&first, "set"))
        return set_stmt(ps);
    if (is_word(&first, "comment"))
        return role_object(ps, false);
    if (is_word(&first, "security"))
        return role_object(ps, true);
    return DF_OK;
}

int dfi_roles_scan_sql(const dfi_role_sink *sink, const char *text, size_t n)
{
    lexer lx = {text, text + n, sink->std_strings};

    if (text == NULL)
        return DF_OK;
    for (;;) {
        parser ps = {lx, &lx, sink};
        tok t;
        int rc;

        do {
            t = next_tok(&lx);
        } while (t.kind != TK_END && !is_punct(&t, ';'));
        ps.lx.end = t.kind == TK_END ? lx.end : t.p;
        rc = statement(&ps);
        if (rc != DF_OK || t.kind == TK_END)
            return rc;
    }
}

/* ------------------------------------------------------------ \connect */

/* One psql argument of a meta-command: "quoted" (case kept, "" a quote), 'quoted' or bare. */
static char *psql_arg(const char **pp, const char *end)
{
    const char *p = *pp;
    char *out = malloc((size_t)(end - p) + 1);
    size_t k = 0;

    if (out == NULL)
        return NULL;
    while (p < end && *p != ' ' && *p != '\t') {
        if (*p == '"' || *p == '\'') {
            char q = *p++;
            for (; p < end; p++) {
                if (*p == q && p + 1 < end && p[1] == q && q == '"')
                    p++;
                else if (*p == q)
                    break;
                out[k++] = *p;
            }
            if (p < end)
                p++;
        } else {
            out[k++] = *p++;
        }
    }
    out[k] = '\0';
    *pp = p;
    return out;
}

/* user=... inside a connection string, or the user of a postgresql:// URI. */
static char *conninfo_user(const char *s)
{
    const char *p = strstr(s, "://");

    if (p != NULL) {
        const char *at = strchr(p + 3, '@'), *colon;
        if (at == NULL)
            return NULL;
        p += 3;
        colon = memchr(p, ':', (size_t)(at - p));
        return strndup(p, (size_t)((colon ? colon : at) - p));
    }
    for (p = s; (p = strstr(p, "user")) != NULL; p += 4) {
        const char *v = p + 4, *e;
        if (p > s && p[-1] != ' ')
            continue;
        while (*v == ' ')
            v++;
        if (*v++ != '=')
            continue;
        while (*v == ' ')
            v++;
        if (*v == '\'') {
            e = strchr(++v, '\'');
            return strndup(v, e ? (size_t)(e - v) : strlen(v));
        }
        for (e = v; *e && *e != ' ';)
            e++;
        return strndup(v, (size_t)(e - v));
    }
    return NULL;
}

char *dfi_roles_connect_user(const char *line, size_t n)
{
    const char *p = line, *end = line + n;
    char *args[2] = {NULL, NULL}, *user = NULL;
    int nargs = 0;

    while (p < end && *p != ' ' && *p != '\t')
        p++; /* \connect or \c */
    while (nargs < 2) {
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p >= end)
            break;
        if (*p == '-' && p + 1 < end && p[1] != ' ' && p[1] != '\t') {
            while (p < end && *p != ' ' && *p != '\t')
                p++; /* -reuse-previous=on */
            continue;
        }
        if ((args[nargs++] = psql_arg(&p, end)) == NULL)
            break;
    }
    if (args[0] != NULL && (strchr(args[0], '=') != NULL || strstr(args[0], "://") != NULL))
        user = conninfo_user(args[0]);
    else if (args[1] != NULL && strcmp(args[1], "-") != 0 && args[1][0] != '\0')
        user = strdup(args[1]);
    free(args[0]);
    free(args[1]);
    if (user != NULL && user[0] == '\0') {
        free(user);
        user = NULL;
    }
    return user;
}

/* ------------------------------------------------------------ public identifier helpers */

/* PostgreSQL 15's keywords that are not unreserved, plus those added up to 18 (sorted). */
/* clang-format off */
static const char *const quoted_keywords[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
    "authorization", "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast",
    "char", "character", "check", "coalesce", "collate", "collation", "column", "concurrently",
    "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
    "current_schema", "current_time", "current_timestamp", "current_user", "dec", "decimal",
    "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "exists",
    "extract", "false", "fetch", "float", "for", "foreign", "freeze", "from", "full", "grant",
    "greatest", "group", "grouping", "having", "ilike", "in", "initially", "inner", "inout", "int",
    "integer", "intersect", "interval", "into", "is", "isnull", "join", "json", "json_array",
    "json_arrayagg", "json_exists", "json_object", "json_objectagg", "json_query", "json_scalar",
    "json_serialize", "json_table", "json_value", "lateral", "leading", "least", "left", "like",
    "limit", "localtime", "localtimestamp", "merge_action", "national", "natural", "nchar", "none",
    "normalize", "not", "notnull", "null", "nullif", "numeric", "offset", "on", "only", "or",
    "order", "out", "outer", "overlaps", "overlay", "placing", "position", "precision", "primary",
    "real", "references", "returning", "right", "row", "select", "session_user", "setof",
    "similar", "smallint", "some", "substring", "symmetric", "system_user", "table",
    "tablesample", "then", "time", "timestamp", "to", "trailing", "treat", "trim", "true", "union",
    "unique", "user", "using", "values", "varchar", "variadic", "verbose", "when", "where",
    "window", "with", "xmlattributes", "xmlconcat", "xmlelement", "xmlexists", "xmlforest",
    "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable",
};
/* clang-format on */

static int cmp_keyword(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool dfi_sql_is_keyword(const char *word)
{
    return bsearch(&word, quoted_keywords, sizeof quoted_keywords / sizeof quoted_keywords[0],
                   sizeof quoted_keywords[0], cmp_keyword) != NULL;
}

static int parse_ident(const char *s, size_t len, char **name, size_t *used)
{
    lexer lx = {s, s + len, true};
    char buf[DFI_ROLE_NAME_MAX + 1];
    tok t;

    *name = NULL;
    if (s == NULL)
        return DF_E_FORMAT;
    t = next_tok(&lx);
    /* an unterminated quoted identifier, or "" (a zero-length identifier is an error) */
    if (t.kind == TK_IDENT && (t.n < 3 || t.p[t.n - 1] != '"'))
        return DF_E_FORMAT;
    if ((t.kind != TK_WORD && t.kind != TK_IDENT) ||
        tok_name(&t, buf, DFI_ROLE_NAME_MAX, false) == 0)
        return DF_E_FORMAT;
    *name = strdup(buf);
    if (*name == NULL)
        return DF_E_NOMEM;
    if (used)
        *used = (size_t)(lx.s - s);
    return DF_OK;
}

int df_sql_parse_ident(const char *s, size_t len, char **name, size_t *used, df_error *err)
{
    int rc;

    if (name == NULL)
        return dfi_fail(err, DF_E_USAGE, -1, "df_sql_parse_ident needs a result pointer");
    rc = parse_ident(s, len, name, used);
    if (rc == DF_E_FORMAT)
        return dfi_fail(err, rc, 0, "no SQL identifier starts here");
    return rc == DF_OK ? rc : dfi_fail(err, rc, -1, "out of memory");
}

static bool needs_quotes(const char *name)
{
    if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
        return true;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return true;
    return dfi_sql_is_keyword(name);
}

char *df_sql_quote_ident(const char *name)
{
    size_t n = 2, k = 0;
    char *out;

    if (name == NULL)
        return NULL;
    if (!needs_quotes(name))
        return strdup(name);
    for (const char *p = name; *p; p++)
        n += *p == '"' ? 2 : 1;
    out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    out[k++] = '"';
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            out[k++] = '"';
        out[k++] = *p;
    }
    out[k++] = '"';
    out[k] = '\0';
    return out;
}

char *df_sql_quote_literal(const char *s)
{
    bool backslash = s != NULL && strchr(s, '\\') != NULL;
    size_t n = 3, k = 0;
    char *out;

    if (s == NULL)
        return NULL;
    for (const char *p = s; *p; p++)
        n += (*p == '\'' || *p == '\\') ? 2 : 1;
    out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    if (backslash)
        out[k++] = 'E';
    out[k++] = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'' || (backslash && *p == '\\'))
            out[k++] = *p;
        out[k++] = *p;
    }
    out[k++] = '\'';
    out[k] = '\0';
    return out;
}
