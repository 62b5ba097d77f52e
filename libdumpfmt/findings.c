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

/*
 * Give f its strings in one new allocation (message m1 followed by m2, member, fix or NULL),
 * freeing the old one after the copy (the new strings may be the old ones).  False: no memory.
 */
static bool pack(vlist *l, df_finding *f, const char *m1, const char *m2, const char *member,
                 const char *fix)
{
    size_t l1 = strlen(m1), l2 = strlen(m2), bl = strlen(member), fl = fix ? strlen(fix) : 0;
    char *mem = malloc(l1 + l2 + bl + fl + 3);

    if (mem == NULL) {
        l->oom = true;
        return false;
    }
    memcpy(mem, m1, l1);
    memcpy(mem + l1, m2, l2 + 1);
    memcpy(mem + l1 + l2 + 1, member, bl + 1);
    if (fix != NULL)
        memcpy(mem + l1 + l2 + bl + 2, fix, fl + 1);
    free((void *)f->message);
    f->message = mem;
    f->member = mem + l1 + l2 + 1;
    f->fix = fix != NULL ? mem + l1 + l2 + bl + 2 : NULL;
    return true;
}

void vfy_vlist_addv(vlist *l, const char *code, int sev, const df_entry *e, int64_t off,
                const char *member, const char *fmt, va_list ap)
{
    char msg[V_MSG];
    size_t ml;
    df_finding f;

    vsnprintf(msg, sizeof msg, fmt, ap);
    ml = strlen(msg);
    /* pg_dumpall scripts: which database's section (\connect) the entry is in */
    if (e != NULL && e->database != NULL && ml < sizeof msg)
        snprintf(msg + ml, sizeof msg - ml, ", in database \"%s\"", e->database);
    if (member == NULL)
        member = "";
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
    f = (df_finding){code, sev, e, off, NULL, NULL, NULL};
    if (pack(l, &f, msg, "", member, NULL))
        l->v[l->n++] = f;
}

/* Attach the SQL that repairs the last finding (kept in the finding's one allocation). */
void vfy_vlist_set_fix(vlist *l, const char *fix)
{
    df_finding *f = &l->v[l->n - 1];

    pack(l, f, f->message, "", f->member, fix);
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

/* Append to the message of finding i (its member and fix stay in its one allocation). */
void vfy_vlist_append(vlist *l, size_t i, const char *fmt, ...)
{
    char add[256];
    va_list ap;

    if (i >= l->n)
        return;
    va_start(ap, fmt);
    vsnprintf(add, sizeof add, fmt, ap);
    va_end(ap);
    pack(l, &l->v[i], l->v[i].message, add, l->v[i].member, l->v[i].fix);
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

void vfy_cut_find_since(ventry *ve, size_t before)
{
    if (ve->finds.n > before) {
        ve->cut_find = before;
        ve->has_cut_find = true;
    }
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
