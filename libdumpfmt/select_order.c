/*
 * select_order.c — restore lists in an order pg_restore can run: a list
 * checked against the graph of select.c (df_order_check: what runs before
 * what it needs) and a selection put in such an order, as close to a
 * preferred one as the graph allows (df_order_fix: Kahn's algorithm, cycles
 * broken by the preferred position).
 */
#include "select.h"
#include "entrytype.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const df_entry *ent(const df_graph *g, size_t i)
{
    return &g->r->entries[i];
}

/* Is `needed` one of i's requirements (not only an ordering link)? */
static bool requires_directly(const df_graph *g, size_t i, size_t needed)
{
    return vec_has(&g->req[i], needed);
}

static int push_issue(df_order_issue **v, size_t *n, size_t *cap, const df_order_issue *is)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        df_order_issue *nv = realloc(*v, ncap * sizeof *nv);
        if (nv == NULL)
            return DF_E_NOMEM;
        *v = nv;
        *cap = ncap;
    }
    (*v)[(*n)++] = *is;
    return DF_OK;
}

/* One listed entry against what must precede it. */
static int check_one(const df_graph *g, const size_t *pos, size_t p, size_t e, df_order_issue **v,
                     size_t *nv, size_t *cap)
{
    const size_t *bef;
    size_t nb = df_graph_before(g, e, &bef);
    int rc = DF_OK;

    for (size_t k = 0; k < nb && rc == DF_OK; k++) {
        size_t d = bef[k];
        bool req = requires_directly(g, e, d);
        int pe = df_entry_restore_pass(ent(g, e)), pd = df_entry_restore_pass(ent(g, d));
        df_order_issue is = {e, d, p, pos[d], !req};

        if (pos[d] == NONE_IDX) {
            if (req)
                rc = push_issue(v, nv, cap, &is);
        } else if ((pos[d] > p && pe <= pd) || pe < pd) {
            rc = push_issue(v, nv, cap, &is);
        }
    }
    return rc;
}

int df_order_check(const df_graph *g, const size_t *order, size_t n, df_order_issue **issues,
                   size_t *nissues, df_error *err)
{
    size_t *pos = malloc((g->n ? g->n : 1) * sizeof *pos);
    size_t cap = 0;
    int rc = DF_OK;

    *issues = NULL;
    *nissues = 0;
    if (pos == NULL)
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    for (size_t i = 0; i < g->n; i++)
        pos[i] = NONE_IDX;
    for (size_t p = 0; p < n; p++)
        if (order[p] < g->n && pos[order[p]] == NONE_IDX)
            pos[order[p]] = p;
    for (size_t p = 0; p < n && rc == DF_OK; p++)
        if (order[p] < g->n && pos[order[p]] == p)
            rc = check_one(g, pos, p, order[p], issues, nissues, &cap);
    free(pos);
    if (rc != DF_OK) {
        free(*issues);
        *issues = NULL;
        *nissues = 0;
        dfi_fail(err, rc, -1, "out of memory"); /* the only failure of check_one */
    }
    return rc;
}

/* ---- a min-heap of TOC indices keyed by (key, index) ---- */

typedef struct key_heap {
    size_t *v;
    size_t n;
    const double *key;
} key_heap;

static bool heap_less(const key_heap *h, size_t a, size_t b)
{
    if (h->key[a] != h->key[b])
        return h->key[a] < h->key[b];
    return a < b;
}

static void heap_push(key_heap *h, size_t x)
{
    size_t k = h->n++;

    while (k > 0 && heap_less(h, x, h->v[(k - 1) / 2])) {
        h->v[k] = h->v[(k - 1) / 2];
        k = (k - 1) / 2;
    }
    h->v[k] = x;
}

static size_t heap_pop(key_heap *h)
{
    size_t top = h->v[0], x = h->v[--h->n], k = 0;

    for (;;) {
        size_t c = 2 * k + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && heap_less(h, h->v[c + 1], h->v[c]))
            c++;
        if (!heap_less(h, h->v[c], x))
            break;
        h->v[k] = h->v[c];
        k = c;
    }
    if (h->n > 0)
        h->v[k] = x;
    return top;
}

/*
 * Keys for entries the preference order does not name: just before the
 * first listed entry that needs them (pref is visited in order, so the
 * first to reach an entry is the earliest), else just after their owner,
 * else after everything, in TOC order.
 */
static int key_unlisted(const df_graph *g, const unsigned char *inc, const size_t *pref,
                        size_t npref, double *key)
{
    idx_vec stack = {NULL, 0, 0};
    int rc = DF_OK;

    for (size_t p = 0; p < npref && rc == DF_OK; p++) {
        size_t i = pref[p];
        if (i >= g->n || !inc[i] || key[i] != (double)p)
            continue;
        stack.n = 0;
        rc = vec_push(&stack, i);
        while (stack.n > 0 && rc == DF_OK) {
            size_t k = stack.v[--stack.n];
            for (size_t m = 0; m < g->req[k].n && rc == DF_OK; m++) {
                size_t d = g->req[k].v[m];
                if (inc[d] && isinf(key[d])) {
                    key[d] = (double)p - 0.5;
                    rc = vec_push(&stack, d);
                }
            }
        }
    }
    free(stack.v);
    for (size_t i = 0; i < g->n; i++) {
        int64_t o = g->owner[i];
        if (inc[i] && isinf(key[i]))
            key[i] = o >= 0 && !isinf(key[o]) ? key[o] + 0.25 : (double)(npref + i);
    }
    return rc;
}

static int order_keys(const df_graph *g, const unsigned char *inc, const size_t *pref, size_t npref,
                      double *key)
{
    for (size_t i = 0; i < g->n; i++)
        key[i] = pref ? INFINITY : (double)i;
    if (pref == NULL)
        return DF_OK;
    for (size_t p = 0; p < npref; p++)
        if (pref[p] < g->n && inc[pref[p]] && isinf(key[pref[p]]))
            key[pref[p]] = (double)p;
    return key_unlisted(g, inc, pref, npref, key);
}

/* Reverse before-edges among included entries, as offsets into one array (CSR). */
static int reverse_edges(const df_graph *g, const unsigned char *inc, size_t **rstart,
                         size_t **redge)
{
    size_t total = 0;
    size_t *start = calloc(g->n + 1, sizeof *start), *edge;

    if (start == NULL)
        return DF_E_NOMEM;
    for (size_t i = 0; i < g->n; i++)
        for (size_t k = 0; inc[i] && k < g->bef[i].n; k++)
            if (inc[g->bef[i].v[k]]) {
                start[g->bef[i].v[k] + 1]++;
                total++;
            }
    for (size_t i = 0; i < g->n; i++)
        start[i + 1] += start[i];
    edge = malloc((total ? total : 1) * sizeof *edge);
    if (edge == NULL) {
        free(start);
        return DF_E_NOMEM;
    }
    for (size_t i = 0; i < g->n; i++) /* fill, using start[d] as a cursor, then shift back */
        for (size_t k = 0; inc[i] && k < g->bef[i].n; k++)
            if (inc[g->bef[i].v[k]])
                edge[start[g->bef[i].v[k]]++] = i;
    for (size_t i = g->n; i > 0; i--)
        start[i] = start[i - 1];
    start[0] = 0;
    *rstart = start;
    *redge = edge;
    return DF_OK;
}

/* The waiting entry with the smallest key (to break a dependency cycle). */
static size_t earliest_waiting(const df_graph *g, const unsigned char *inc, const double *key,
                               const size_t *indeg)
{
    size_t best = NONE_IDX;

    for (size_t i = 0; i < g->n; i++)
        if (inc[i] && indeg[i] != SIZE_MAX &&
            (best == NONE_IDX || key[i] < key[best] || (key[i] == key[best] && i < best)))
            best = i;
    return best;
}

/* Kahn's algorithm over before-edges among included entries; cycles are broken by key. */
static int topo_sort(const df_graph *g, const unsigned char *inc, const double *key, size_t *indeg,
                     size_t *heapv, size_t *out, size_t *nout)
{
    key_heap h = {heapv, 0, key};
    size_t left = 0, *rstart, *redge;
    int rc = reverse_edges(g, inc, &rstart, &redge);

    if (rc != DF_OK)
        return rc;
    for (size_t i = 0; i < g->n; i++)
        indeg[i] = 0;
    for (size_t i = 0; i < g->n; i++)
        for (size_t k = rstart[i]; k < rstart[i + 1]; k++)
            indeg[redge[k]]++;
    for (size_t i = 0; i < g->n; i++) {
        left += inc[i];
        if (inc[i] && indeg[i] == 0)
            heap_push(&h, i);
    }
    *nout = 0;
    while (left > 0) {
        size_t x;
        if (h.n == 0) {
            size_t b = earliest_waiting(g, inc, key, indeg);
            indeg[b] = 0;
            heap_push(&h, b);
        }
        x = heap_pop(&h);
        indeg[x] = SIZE_MAX; /* emitted */
        out[(*nout)++] = x;
        left--;
        for (size_t k = rstart[x]; k < rstart[x + 1]; k++) {
            size_t w = redge[k];
            if (indeg[w] != SIZE_MAX && indeg[w] > 0 && --indeg[w] == 0)
                heap_push(&h, w);
        }
    }
    free(rstart);
    free(redge);
    return DF_OK;
}

int df_order_fix(const df_graph *g, const df_selection *s, const size_t *pref, size_t npref,
                 size_t *out, size_t *nout, df_error *err)
{
    size_t m;
    unsigned char *inc;
    double *key;
    size_t *indeg, *heapv;
    int rc;

    if (g == NULL || out == NULL || nout == NULL)
        return dfi_fail(err, DF_E_USAGE, -1, "df_order_fix needs a graph and an output array");
    m = g->n ? g->n : 1;
    inc = calloc(m, 1);
    key = malloc(m * sizeof *key);
    indeg = malloc(m * sizeof *indeg);
    heapv = malloc(m * sizeof *heapv);
    rc = inc && key && indeg && heapv ? DF_OK : DF_E_NOMEM;
    *nout = 0;
    if (s != NULL) {
        for (size_t i = 0; i < g->n && rc == DF_OK; i++)
            inc[i] = (unsigned char)df_selection_included(s, i);
    } else {
        for (size_t k = 0; k < npref && rc == DF_OK; k++)
            if (pref[k] < g->n)
                inc[pref[k]] = 1;
    }
    if (rc == DF_OK)
        rc = order_keys(g, inc, pref, npref, key);
    if (rc == DF_OK)
        rc = topo_sort(g, inc, key, indeg, heapv, out, nout);
    free(inc);
    free(key);
    free(indeg);
    free(heapv);
    return rc == DF_OK ? rc : dfi_fail(err, rc, -1, "out of memory");
}
