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

void vfy_vlist_free(vlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free((void *)l->v[i].message); /* member shares the allocation */
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Drop findings added after the first `keep` (a block that turned out to be cut). */
void vfy_vlist_truncate(vlist *l, size_t keep)
{
    for (size_t i = keep; i < l->n; i++)
        free((void *)l->v[i].message);
    if (keep < l->n)
        l->n = keep;
}

void vfy_vlist_addv(vlist *l, const char *code, int sev, const df_entry *e, int64_t off,
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
void vfy_vlist_set_fix(vlist *l, const char *fix)
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

void vfy_vlist_add(vlist *l, const char *code, int sev, const df_entry *e, int64_t off,
               const char *member, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfy_vlist_addv(l, code, sev, e, off, member, fmt, ap);
    va_end(ap);
}

void vfy_entry_add(ventry *ve, const char *code, int sev, int64_t off, const char *member,
               const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfy_vlist_addv(&ve->finds, code, sev, ve->e, off, member, fmt, ap);
    va_end(ap);
}

/* A finding about `ve`, or about the file when ve is NULL. */
void vfy_where_add(vctx *c, ventry *ve, const char *code, int sev, int64_t off, const char *member,
               const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (ve != NULL)
        vfy_vlist_addv(&ve->finds, code, sev, ve->e, off, member, fmt, ap);
    else
        vfy_vlist_addv(&c->post, code, sev, NULL, off, member, fmt, ap);
    va_end(ap);
}

/* Append to the message of finding i, keeping member and fix in the one allocation. */
void vfy_vlist_append(vlist *l, size_t i, const char *fmt, ...)
{
    df_finding *f;
    char add[256];
    size_t ml, al, bl, fl;
    char *mem;
    va_list ap;

    if (i >= l->n)
        return;
    f = &l->v[i];
    va_start(ap, fmt);
    vsnprintf(add, sizeof add, fmt, ap);
    va_end(ap);
    ml = strlen(f->message);
    al = strlen(add);
    bl = strlen(f->member);
    fl = f->fix ? strlen(f->fix) : 0;
    if ((mem = malloc(ml + al + bl + fl + 3)) == NULL) {
        l->oom = true;
        return;
    }
    memcpy(mem, f->message, ml);
    memcpy(mem + ml, add, al + 1);
    memcpy(mem + ml + al + 1, f->member, bl + 1);
    if (f->fix)
        memcpy(mem + ml + al + bl + 2, f->fix, fl + 1);
    free((void *)f->message);
    f->message = mem;
    f->member = mem + ml + al + 1;
    f->fix = f->fix ? mem + ml + al + bl + 2 : NULL;
}

void vfy_vlist_move_last(vlist *l, size_t to)
{
    df_finding last;

    if (l->n == 0 || to >= l->n - 1)
        return;
    last = l->v[l->n - 1];
    memmove(l->v + to + 1, l->v + to, (l->n - 1 - to) * sizeof *l->v);
    l->v[to] = last;
}

/* The entry's truncated finding gains what survived before the cut (issue 13). */
void vfy_cut_rows_note(ventry *ve, int64_t rows)
{
    ve->cut_rows = rows;
    if (!ve->has_cut_find)
        return;
    if (rows == 0)
        vfy_vlist_append(&ve->finds, ve->cut_find, "; no complete row before the cut");
    else
        vfy_vlist_append(&ve->finds, ve->cut_find, "; %lld complete row%s before the cut",
                         (long long)rows, rows == 1 ? "" : "s");
}
