/*
 * findings.c — the verifier's lists of findings: one per TOC entry and two
 * for the file (before and after the entries'), merged in TOC order at the
 * end so that the output does not depend on the number of threads.  A
 * finding's message, member and fix share one allocation.
 */
#include "verify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vlist_free(vlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free((void *)l->v[i].message); /* member shares the allocation */
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Drop findings added after the first `keep` (a block that turned out to be cut). */
void vlist_truncate(vlist *l, size_t keep)
{
    for (size_t i = keep; i < l->n; i++)
        free((void *)l->v[i].message);
    if (keep < l->n)
        l->n = keep;
}

void vlist_addv(vlist *l, const char *code, int sev, const df_entry *e, int64_t off,
                const char *member, const char *fmt, va_list ap)
{
    char msg[V_MSG];
    size_t ml, bl;
    char *mem;

    vsnprintf(msg, sizeof msg, fmt, ap);
    ml = strlen(msg);
    /* pg_dumpall scripts: which database's section (\connect) the entry is in */
    if (e != NULL && e->database != NULL && ml < sizeof msg)
        snprintf(msg + ml, sizeof msg - ml, ", in database \"%s\"", e->database);
    if (member == NULL)
        member = "";
    ml = strlen(msg);
    bl = strlen(member);
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        df_finding *nv = realloc(l->v, cap * sizeof *nv);
        if (nv == NULL) {
            l->oom = true;
            return;
        }
        l->v = nv;
        l->cap = cap;
    }
    mem = malloc(ml + bl + 2);
    if (mem == NULL) {
        l->oom = true;
        return;
    }
    memcpy(mem, msg, ml + 1);
    memcpy(mem + ml + 1, member, bl + 1);
    l->v[l->n++] = (df_finding){code, sev, e, off, mem + ml + 1, mem, NULL};
}

/* Attach the SQL that repairs the last finding (kept in the finding's one allocation). */
void vlist_set_fix(vlist *l, const char *fix)
{
    df_finding *f = &l->v[l->n - 1];
    size_t ml = strlen(f->message), bl = strlen(f->member), fl = strlen(fix);
    char *mem = realloc((void *)f->message, ml + bl + fl + 3);

    if (mem == NULL) {
        l->oom = true;
        return;
    }
    memcpy(mem + ml + bl + 2, fix, fl + 1);
    f->message = mem;
    f->member = mem + ml + 1;
    f->fix = mem + ml + bl + 2;
}

void vlist_add(vlist *l, const char *code, int sev, const df_entry *e, int64_t off,
               const char *member, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlist_addv(l, code, sev, e, off, member, fmt, ap);
    va_end(ap);
}

void entry_add(ventry *ve, const char *code, int sev, int64_t off, const char *member,
               const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlist_addv(&ve->finds, code, sev, ve->e, off, member, fmt, ap);
    va_end(ap);
}

/* A finding about `ve`, or about the file when ve is NULL. */
void where_add(vctx *c, ventry *ve, const char *code, int sev, int64_t off, const char *member,
               const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (ve != NULL)
        vlist_addv(&ve->finds, code, sev, ve->e, off, member, fmt, ap);
    else
        vlist_addv(&c->post, code, sev, NULL, off, member, fmt, ap);
    va_end(ap);
}
