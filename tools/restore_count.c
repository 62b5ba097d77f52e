/*
 * restore_count.c — the dump's own counts (rows of each TABLE DATA, large
 * objects of each BLOBS entry) read in a thread while the restore runs, so
 * that the verification does not decompress the whole dump after it.  The
 * thread has a reader of its own (two readers never interfere) and the
 * lowest CPU priority: it takes what pg_restore and the server leave idle
 * (the tail of a parallel restore, where one worker builds the last index),
 * and never slows the restore down.  When the verification joins it, it is
 * given the normal priority back (possible as root, or within RLIMIT_NICE;
 * else it finishes at the lowest) so that the load of other processes does
 * not starve the wait.  --verify-only counts at the normal priority from
 * the start, beside the server's count(*).
 */
#define _GNU_SOURCE /* gettid */
#include "restore.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

struct dr_counter {
    pthread_t thread;
    df_reader *r;
    int64_t *counted; /* per TOC index, -1 = not counted */
    size_t n;
    volatile int cancel; /* set by the joining thread; read between entries */
    int background;      /* run at the lowest priority until joined */
    volatile pid_t tid;  /* the thread's id for setpriority, 0 until it runs */
};

static int counts_entry(const df_entry *e)
{
    return e->desc != NULL && (strcmp(e->desc, "TABLE DATA") == 0 || df_entry_is_blobs(e));
}

static void *count_all(void *arg)
{
    dr_counter *k = arg;

    /* Linux gives each thread its own nice value: this one only uses idle CPU */
    k->tid = gettid();
    if (k->background)
        setpriority(PRIO_PROCESS, (id_t)k->tid, 19);
    for (size_t i = 0; i < k->n && !k->cancel; i++) {
        const df_entry *e = df_reader_toc_at(k->r, i);
        int64_t n = -1;
        if (counts_entry(e) && df_reader_measure(k->r, e, &n, NULL, NULL) == DF_OK)
            k->counted[i] = n; /* on an error the verification reads it and reports it */
    }
    return NULL;
}

dr_counter *dr_count_start(const dr_run *run, int background)
{
    dr_counter *k;

    if (df_reader_header(run->r)->format == DF_FORMAT_PLAIN ||
        strcmp(run->o->dump, "-") == 0) /* plain: counted when opened; a pipe: read once */
        return NULL;
    if ((k = calloc(1, sizeof *k)) == NULL)
        return NULL;
    k->n = df_reader_toc_count(run->r);
    k->counted = malloc((k->n ? k->n : 1) * sizeof *k->counted);
    k->r = df_reader_new(NULL);
    if (k->counted == NULL || k->r == NULL || df_reader_open_path(k->r, run->o->dump) != DF_OK ||
        df_reader_toc_count(k->r) != k->n) {
        df_reader_free(k->r);
        free(k->counted);
        free(k);
        return NULL;
    }
    for (size_t i = 0; i < k->n; i++)
        k->counted[i] = -1;
    k->background = background;
    if (pthread_create(&k->thread, NULL, count_all, k) != 0) {
        df_reader_free(k->r);
        free(k->counted);
        free(k);
        return NULL;
    }
    return k;
}

const int64_t *dr_count_join(dr_counter *k)
{
    if (k == NULL)
        return NULL;
    if (k->r != NULL) {
        if (k->background && k->tid != 0)
            setpriority(PRIO_PROCESS, (id_t)k->tid, 0); /* may be refused: see above */
        pthread_join(k->thread, NULL);
        df_reader_free(k->r);
        k->r = NULL;
    }
    return k->counted;
}

void dr_count_free(dr_counter *k)
{
    if (k == NULL)
        return;
    k->cancel = 1;
    dr_count_join(k);
    free(k->counted);
    free(k);
}
