/*
 * sqlident.c — identifiers and dotted names in the SQL text of TOC entries,
 * with the server's rules: a bare name is downcased, any name is cut to
 * NAMEDATALEN - 1 bytes.  pg_dump quotes every name that needs it (fmtId),
 * so its own output passes through unchanged; the rules matter for text a
 * person wrote or edited, where "Foo" and foo are different tables.
 */
#include "sqlident.h"
#include "sqllex.h"

#include <string.h>

const char *dfi_sql_skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return s;
}

bool dfi_sql_ident(const char **sp, char *out, size_t cap)
{
    const char *s = *sp;
    size_t n = 0;

    if (*s == '"') {
        for (s++; *s; s++) {
            if (*s == '"') {
                if (s[1] != '"')
                    break;
                s++;
            }
            if (n + 1 < cap)
                out[n++] = *s;
        }
        if (*s != '"')
            return false;
        s++;
    } else {
        while (*s && !strchr(" \t\r\n.,()\";'", *s)) {
            /* ASCII only: the server downcases other bytes only in single-byte encodings */
            if (n + 1 < cap)
                out[n++] = *s >= 'A' && *s <= 'Z' ? (char)(*s + ('a' - 'A')) : *s;
            s++;
        }
        if (n == 0)
            return false;
    }
    out[dfi_sql_clip_name(out, n, DFI_NAME_MAX)] = '\0'; /* as the server cuts it */
    *sp = s;
    return true;
}

int dfi_sql_qualified(const char **sp, char parts[DFI_MAX_PARTS][DFI_IDENT])
{
    const char *s = *sp;
    int n = 0;

    while (n < DFI_MAX_PARTS && dfi_sql_ident(&s, parts[n], DFI_IDENT)) {
        n++;
        if (*s != '.')
            break;
        s++;
    }
    if (n == 0)
        return 0;
    *sp = s;
    return n;
}
