/*
 * schedule_order.c — the list order a `pg_restore -j N` restores fastest
 * (df_schedule_best_order): candidate orders ranked by bottom level and
 * size, each timed with the simulation of schedule.c, the given order kept
 * unless one is faster.
 */
#define _GNU_SOURCE /* qsort_r */

#include "schedule.h"
#include "entrytype.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { CAND_LARGEST = 0, CAND_LONGEST = 1, N_CAND = 2 };

typedef struct cand_key {
    size_t idx;
    int group; /* 0 pre-data (kept as is), 1 data, 2 post-data */
    double primary;
    size_t anchor_pos, pos;
} cand_key;

static int cmp_cand(const void *a, const void *b)
{
    const cand_key *x = a, *y = b;

    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if (x->primary != y->primary)
        return x->primary < y->primary ? -1 : 1;
    if (x->anchor_pos != y->anchor_pos)
        return x->anchor_pos < y->anchor_pos ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Planning context shared by the candidates. */
typedef struct plan {
    const df_reader *r;
    const df_graph *g;
    const size_t *order;
    size_t n;
    size_t *pos; /* position in order, NONE_IDX = not listed */
    const double *cost;
    double *bottom; /* cost of the longest chain starting at an entry */
    bool keep_data_order;
} plan;

/* Longest chain from each listed entry to the end, over before-edges among listed entries. */
static int bottom_levels(plan *p)
{
    for (size_t k = p->n; k-- > 0;)
        p->bottom[p->order[k]] = p->cost[p->order[k]];
    for (size_t k = p->n; k-- > 0;) {
        size_t j = p->order[k];
        const size_t *bef;
        size_t nb = df_graph_before(p->g, j, &bef);
        for (size_t m = 0; m < nb; m++) {
            size_t d = bef[m];
            if (p->pos[d] != NONE_IDX && p->pos[d] < k && p->cost[d] + p->bottom[j] > p->bottom[d])
                p->bottom[d] = p->cost[d] + p->bottom[j];
        }
    }
    return DF_OK;
}

static int group_of(const plan *p, size_t i, int prev_group)
{
    const df_entry *e = &p->r->entries[i];
    int64_t o = df_graph_owner(p->g, i);

    switch (e->section) {
    case DF_SECTION_PRE_DATA: return 0;
    case DF_SECTION_DATA: return 1;
    case DF_SECTION_POST_DATA: return 2;
    default: break;
    }
    if (o >= 0 && p->pos[o] != NONE_IDX && p->r->entries[o].section != DF_SECTION_NONE)
        return group_of(p, (size_t)o, prev_group);
    return prev_group;
}

static double primary_key(const plan *p, int cand, size_t anchor, int group)
{
    const df_entry *e = &p->r->entries[anchor];

    if (group == 0)
        return (double)p->pos[anchor];
    if (group == 1 && p->keep_data_order)
        return e->offset_state == DF_OFFSET_SET ? (double)e->data_offset : (double)p->pos[anchor];
    return cand == CAND_LARGEST ? -p->cost[anchor] : -p->bottom[anchor];
}

static void candidate_pref(const plan *p, int cand, cand_key *keys, size_t *pref)
{
    int prev_group = 0;

    for (size_t k = 0; k < p->n; k++) {
        size_t i = p->order[k];
        int64_t o = df_graph_owner(p->g, i);
        bool follows =
            p->r->entries[i].section == DF_SECTION_NONE && o >= 0 && p->pos[o] != NONE_IDX;
        size_t anchor = follows ? (size_t)o : i;
        int group = group_of(p, i, prev_group);

        prev_group = group;
        keys[k] = (cand_key){i, group, primary_key(p, cand, anchor, group), p->pos[anchor], k};
    }
    qsort(keys, p->n, sizeof *keys, cmp_cand);
    for (size_t k = 0; k < p->n; k++)
        pref[k] = keys[k].idx;
}

static int simulate_time(const df_reader *r, const df_graph *g, const df_entry_size *sizes,
                         const size_t *order, size_t n, const df_schedule_options *o, double *t,
                         df_error *err)
{
    df_schedule *s;
    int rc = df_schedule_simulate(r, g, sizes, order, n, o, &s, err);

    if (rc == DF_OK)
        *t = df_schedule_makespan(s);
    df_schedule_free(s);
    return rc;
}

static int try_candidates(plan *p, const df_entry_size *sizes, const df_schedule_options *o,
                          size_t *best, double *tbest, df_error *err)
{
    cand_key *keys = malloc((p->n ? p->n : 1) * sizeof *keys);
    size_t *pref = malloc((p->n ? p->n : 1) * sizeof *pref);
    size_t *cand = malloc((p->n ? p->n : 1) * sizeof *cand);
    int rc = keys && pref && cand ? DF_OK : dfi_fail(err, DF_E_NOMEM, -1, "out of memory");

    for (int c = 0; c < N_CAND && rc == DF_OK; c++) {
        size_t nc = 0;
        double t;
        candidate_pref(p, c, keys, pref);
        rc = df_order_fix(p->g, NULL, pref, p->n, cand, &nc, NULL);
        if (rc != DF_OK || nc != p->n) {
            rc = rc != DF_OK ? dfi_fail(err, rc, -1, "out of memory") : DF_OK;
            continue;
        }
        rc = simulate_time(p->r, p->g, sizes, cand, nc, o, &t, err);
        if (rc == DF_OK && t < *tbest * (1 - 1e-3)) { /* strictly better, not noise */
            *tbest = t;
            memcpy(best, cand, p->n * sizeof *best);
        }
    }
    free(keys);
    free(pref);
    free(cand);
    return rc;
}

/* Are the listed entries with stored data offsets in ascending offset order (file order)? */
static bool data_in_file_order(const df_reader *r, const size_t *order, size_t n)
{
    int64_t last = -1;

    for (size_t k = 0; k < n; k++) {
        const df_entry *e = order[k] < r->nentries ? &r->entries[order[k]] : NULL;
        if (e == NULL || e->offset_state != DF_OFFSET_SET)
            continue;
        if (e->data_offset < last)
            return false;
        last = e->data_offset;
    }
    return true;
}

int df_schedule_best_order(const df_reader *r, const df_graph *g, const df_entry_size *sizes,
                           const size_t *order, size_t n, const df_schedule_options *o,
                           size_t *best, double *makespan, df_error *err)
{
    df_schedule_options lo;
    df_cost_model model;
    df_schedule *s0 = NULL;
    plan p;
    double t0;
    int rc;

    if ((rc = dfi_sched_take_options(o, &lo, &model, err)) != DF_OK)
        return rc;
    o = &lo; /* what the caller's struct lacks: defaults */
    lo.use_list = 1;
    memcpy(best, order, n * sizeof *best);
    rc = df_schedule_simulate(r, g, sizes, order, n, &lo, &s0, err);
    if (rc != DF_OK)
        return rc;
    t0 = df_schedule_makespan(s0);
    memset(&p, 0, sizeof p);
    p.r = r;
    p.g = g;
    p.order = order;
    p.n = n;
    p.cost = s0->cost;
    p.keep_data_order =
        r->hdr.format == DF_FORMAT_CUSTOM && dfi_sched_family(o->pg_restore_version) >= FAMILY_12;
    p.pos = malloc((r->nentries ? r->nentries : 1) * sizeof *p.pos);
    p.bottom = calloc(r->nentries ? r->nentries : 1, sizeof *p.bottom);
    if (p.pos == NULL || p.bottom == NULL)
        rc = dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    for (size_t i = 0; rc == DF_OK && i < r->nentries; i++)
        p.pos[i] = NONE_IDX;
    for (size_t k = 0; rc == DF_OK && k < n; k++)
        if (order[k] < r->nentries && p.pos[order[k]] == NONE_IDX)
            p.pos[order[k]] = k;
    /* A given order that moves data out of file order corrupts pg_restore's size estimates:
     * it is never kept, even where the simulated times tie (the cost model may be wrong). */
    if (p.keep_data_order && !data_in_file_order(r, order, n))
        t0 = HUGE_VAL;
    if (rc == DF_OK && o->workers > 1)
        rc = bottom_levels(&p);
    if (rc == DF_OK && o->workers > 1)
        rc = try_candidates(&p, sizes, &lo, best, &t0, err);
    if (isinf(t0)) /* no candidate could be built: the given order stays */
        t0 = df_schedule_makespan(s0);
    if (makespan != NULL)
        *makespan = t0;
    free(p.pos);
    free(p.bottom);
    df_schedule_free(s0);
    return rc;
}
