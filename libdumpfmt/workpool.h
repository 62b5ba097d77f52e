/*
 * workpool.h — private: a pool of worker threads that take items, largest
 * first, from a shared list.  The caller says what a worker is (its size,
 * how to set it up and tear it down) and what doing one item means; the
 * calling thread waits and reports progress.  Used by the verifier's data
 * phase; nothing in it knows about dumps.
 */
#ifndef DUMPFMT_WORKPOOL_H
#define DUMPFMT_WORKPOOL_H

#include "internal.h"

#include <pthread.h>

/* What a worker is and does; ctx is the caller's. */
typedef struct dfi_pool_ops {
    size_t worker_size; /* bytes of one worker's state, zeroed before init */
    /* set up a worker; `main`: it runs in the calling thread.  DF_OK or DF_E_NOMEM */
    int (*init)(void *worker, void *ctx, bool main);
    void (*fini)(void *worker); /* also called on a worker whose init failed or never ran */
    void (*work)(void *worker, size_t item);
    void (*tick)(void *ctx); /* from the calling thread about ten times a second */
} dfi_pool_ops;

typedef struct dfi_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t *items; /* in the order they are taken */
    size_t nitems;
    size_t next;    /* atomic: the next item to take */
    size_t running; /* atomic reads: workers still taking items */
} dfi_pool;

DFI_HIDDEN void dfi_pool_init(dfi_pool *p);
DFI_HIDDEN void dfi_pool_free(dfi_pool *p);

/*
 * The items: every i < n with weight[i] >= 0, the heaviest first (they
 * decide the wall time), ties in index order.  DF_OK or DF_E_NOMEM.
 */
DFI_HIDDEN int dfi_pool_items(dfi_pool *p, const int64_t *weight, size_t n);

/*
 * Do every item with up to `threads` workers (at most DFI_POOL_MAX_THREADS,
 * no more than there are items); with one, or when no thread can be
 * started, in the calling thread.  Returns the number of workers that ran
 * (at least 1), or DF_E_NOMEM when none could be set up.
 */
#define DFI_POOL_MAX_THREADS 64
DFI_HIDDEN int dfi_pool_run(dfi_pool *p, int threads, const dfi_pool_ops *ops, void *ctx);

/* Workers still taking items (any thread may ask). */
DFI_HIDDEN size_t dfi_pool_running(dfi_pool *p);

#endif /* DUMPFMT_WORKPOOL_H */
