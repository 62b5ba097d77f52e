/*
 * strutil.c — small string helpers that format readers and analyses alike
 * need (so that neither keeps its own copy).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

char *dfi_dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);

    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}
