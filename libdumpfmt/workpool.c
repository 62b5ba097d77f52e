/*
 * workpool.c — worker threads taking items, largest first, from one shared
 * list (an atomic counter: no queue, no lock per item).  The calling thread
 * only waits, waking about ten times a second to report progress, so that
 * progress callbacks never run in a worker.  One worker, or none that could
 * be started, means the calling thread does the work itself.
 */
#include "workpool.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void dfi_pool_init(dfi_pool *p)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
}

void dfi_pool_free(dfi_pool *p)
{
    free(p->items);
    p->items = NULL;
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
}

typedef struct pitem {
    int64_t weight;
    size_t index;
} pitem;

static int cmp_items(const void *a, const void *b)
{
    const pitem *x = a, *y = b;

    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

int dfi_pool_items(dfi_pool *p, const int64_t *weight, size_t n)
{
    pitem *it = malloc((n ? n : 1) * sizeof *it);

    p->items = malloc((n ? n : 1) * sizeof *p->items);
    if (it == NULL || p->items == NULL) {
        free(it);
        return DF_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        if (weight[i] >= 0)
            it[p->nitems++] = (pitem){weight[i], i};
    qsort(it, p->nitems, sizeof *it, cmp_items);
    for (size_t k = 0; k < p->nitems; k++)
        p->items[k] = it[k].index;
    free(it);
    return DF_OK;
}

size_t dfi_pool_running(dfi_pool *p)
{
    return __atomic_load_n(&p->running, __ATOMIC_RELAXED);
}

typedef struct pworker {
    dfi_pool *p;
    const dfi_pool_ops *ops;
    void *w;
} pworker;

static void *worker_main(void *arg)
{
    pworker *pw = arg;
    dfi_pool *p = pw->p;

    for (;;) {
        size_t k = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);
        if (k >= p->nitems)
            break;
        pw->ops->work(pw->w, p->items[k]);
    }
    pthread_mutex_lock(&p->mu);
    __atomic_sub_fetch(&p->running, 1, __ATOMIC_RELAXED); /* read unlocked: dfi_pool_running */
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Wait for the workers, reporting progress from this thread. */
static void wait_workers(dfi_pool *p, const dfi_pool_ops *ops, void *ctx)
{
    pthread_mutex_lock(&p->mu);
    while (p->running > 0) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&p->cv, &p->mu, &ts);
        pthread_mutex_unlock(&p->mu);
        ops->tick(ctx);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
}

/* Start up to nt workers; returns how many run. */
static size_t start_workers(dfi_pool *p, const dfi_pool_ops *ops, void *ctx, pworker *pw,
                            pthread_t *tids, size_t nt)
{
    size_t started = 0;

    pthread_mutex_lock(&p->mu);
    for (; started < nt; started++) {
        if (ops->init(pw[started].w, ctx, false) != DF_OK ||
            pthread_create(&tids[started], NULL, worker_main, &pw[started]) != 0)
            break;
        __atomic_add_fetch(&p->running, 1, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&p->mu);
    return started;
}

int dfi_pool_run(dfi_pool *p, int threads, const dfi_pool_ops *ops, void *ctx)
{
    size_t nt = threads > 1 ? (size_t)threads : 1, started = 0;
    uint8_t *ws;
    pworker *pw;
    pthread_t *tids;
    int rc = DF_OK;

    if (nt > DFI_POOL_MAX_THREADS)
        nt = DFI_POOL_MAX_THREADS; /* each costs its worker's buffers */
    if (nt > p->nitems)
        nt = p->nitems > 0 ? p->nitems : 1;
    ws = calloc(nt, ops->worker_size);
    pw = calloc(nt, sizeof *pw);
    tids = calloc(nt, sizeof *tids);
    if (ws == NULL || pw == NULL || tids == NULL) {
        free(ws);
        free(pw);
        free(tids);
        return DF_E_NOMEM;
    }
    for (size_t k = 0; k < nt; k++)
        pw[k] = (pworker){p, ops, ws + k * ops->worker_size};
    if (nt > 1) {
        started = start_workers(p, ops, ctx, pw, tids, nt);
        wait_workers(p, ops, ctx);
        for (size_t k = 0; k < started; k++)
            pthread_join(tids[k], NULL);
    }
    /* One thread, or none could be started: the calling thread does the work. */
    if (started == 0) {
        ops->fini(pw[0].w);
        if (ops->init(pw[0].w, ctx, true) == DF_OK) {
            __atomic_store_n(&p->running, 1, __ATOMIC_RELAXED);
            worker_main(&pw[0]);
        } else {
            rc = DF_E_NOMEM;
        }
    }
    for (size_t k = 0; k < nt; k++)
        ops->fini(pw[k].w);
    free(ws);
    free(pw);
    free(tids);
    return rc != DF_OK ? rc : (int)(started > 0 ? started : 1);
}
