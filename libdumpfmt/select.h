/*
 * select.h — private to select.c (the graph and selections) and
 * select_order.c (checking and fixing a list's order): the graph's layout.
 */
#ifndef DUMPFMT_SELECT_H
#define DUMPFMT_SELECT_H

#include "internal.h"

#include <stdlib.h>

#define NONE_IDX SIZE_MAX

/* A growable array of TOC indices. */
typedef struct idx_vec {
    size_t *v;
    size_t n, cap;
} idx_vec;

static inline int vec_push(idx_vec *a, size_t x)
{
    if (a->n == a->cap) {
        size_t ncap = a->cap ? a->cap * 2 : 8;
        size_t *nv = realloc(a->v, ncap * sizeof *nv);
        if (nv == NULL)
            return DF_E_NOMEM;
        a->v = nv;
        a->cap = ncap;
    }
    a->v[a->n++] = x;
    return DF_OK;
}

static inline bool vec_has(const idx_vec *a, size_t x)
{
    for (size_t k = 0; k < a->n; k++)
        if (a->v[k] == x)
            return true;
    return false;
}

struct df_graph {
    const df_reader *r;
    size_t n;
    idx_vec *req; /* requires, per entry, no duplicates */
    idx_vec *bef; /* requires + ordering links */
    int64_t *owner;
    int64_t *parent; /* partition parent */
};

#endif /* DUMPFMT_SELECT_H */
