/*
 * sqllex.c — the shared SQL lexing rules of sqllex.h: quoted bodies,
 * dollar quotes, blanks and nested comments, and the NAMEDATALEN cut of
 * identifiers, each written once for every reader of SQL text.
 */
#include "sqllex.h"

#include <string.h>

size_t dfi_sql_clip_name(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    len = max;
    while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
        len--;
    return len;
}

const char *dfi_sql_quoted_end(const char *p, const char *end, char q, bool backslash)
{
    for (p++; p < end; p++) {
        if (backslash && *p == '\\' && p + 1 < end) {
            p++;
        } else if (*p == q) {
            if (p + 1 < end && p[1] == q)
                p++;
            else
                return p + 1;
        }
    }
    return end;
}

const char *dfi_sql_dollar_end(const char *p, const char *end)
{
    const char *t = p + 1;
    size_t tag_len;

    if (t < end && dfi_sql_ident_start((uint8_t)*t)) {
        while (t < end && dfi_sql_dolq_cont((uint8_t)*t))
            t++;
    }
    if (t >= end || *t != '$')
        return NULL;
    tag_len = (size_t)(t - p) + 1;
    for (const char *c = t + 1; c + tag_len <= end; c++)
        if (*c == '$' && memcmp(c, p, tag_len) == 0)
            return c + tag_len;
    return end; /* unterminated: the rest is the string */
}

/* A block comment at p (slash, star): past its end, nested ones counted (end when unterminated). */
static const char *block_comment_end(const char *p, const char *end)
{
    int depth = 0;

    while (p < end) {
        if (*p == '/' && p + 1 < end && p[1] == '*') {
            depth++;
            p += 2;
        } else if (*p == '*' && p + 1 < end && p[1] == '/') {
            p += 2;
            if (--depth == 0)
                break;
        } else {
            p++;
        }
    }
    return p;
}

const char *dfi_sql_blank_end(const char *p, const char *end)
{
    while (p < end) {
        if (dfi_sql_space((uint8_t)*p)) {
            p++;
        } else if (*p == '-' && p + 1 < end && p[1] == '-') {
            while (p < end && *p != '\n')
                p++;
        } else if (*p == '/' && p + 1 < end && p[1] == '*') {
            p = block_comment_end(p, end);
        } else {
            break;
        }
    }
    return p;
}
