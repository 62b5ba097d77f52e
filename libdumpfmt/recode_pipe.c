/*
 * recode_pipe.c — a decode thread ahead of the encoder, for `dumpconvert -j N` (N >= 2): while
 * the writer's thread encodes and writes one piece of a stream, this thread already decodes
 * (inflate, lz4, zstd, or just reads) the next ones with the reader.  Why: a conversion spends
 * its time in two codecs one after the other; the benchmark's biggest table holds ~70% of the
 * data, so overlapping decode with encode inside one stream is what uses a second core, where
 * converting several entries at once would mostly wait for that one table.  The pieces are the
 * very reads the serial path makes (same size, same order), so the encoder sees the same input
 * and the output bytes do not depend on -j.  Only this thread touches the reader between start
 * and stop.  Memory: PIPE_SLOTS pieces (8 x 64 KiB).
 *
 * The same for a fed stream (dfi_fpipe: dumprepair's kept rows, -j >= 2): there the producer
 * is a feed that pushes its pieces (decoding and handing on the rows before the damage), so
 * the thread runs the feed and its put copies each piece into a free slot.
 */
#include "writer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PIPE_SLOTS 8

struct dfi_rpipe {
    df_reader *r;
    size_t size;
    uint8_t *buf[PIPE_SLOTS];
    int64_t len[PIPE_SLOTS];
    int64_t mark[PIPE_SLOTS]; /* the reader's chunk_out after the read (dfi_rpipe_mark) */
    uint64_t head, tail; /* head: pieces decoded; tail: pieces the encoder has given back */
    bool holding;        /* the encoder holds piece `tail` */
    bool stop;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static void *decode_main(void *arg)
{
    dfi_rpipe *p = arg;

    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->head - p->tail >= PIPE_SLOTS)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stop)
            break;
        size_t i = (size_t)(p->head % PIPE_SLOTS);
        pthread_mutex_unlock(&p->mu);
        int64_t k = df_reader_read_data(p->r, p->buf[i], p->size);
        pthread_mutex_lock(&p->mu);
        p->len[i] = k;
        p->mark[i] = p->r->chunk_out;
        p->head++;
        pthread_cond_broadcast(&p->cv);
        if (k <= 0) /* end of stream or error: the reader's state is the encoder's to read */
            break;
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void rpipe_free(dfi_rpipe *p)
{
    for (int i = 0; i < PIPE_SLOTS; i++)
        free(p->buf[i]);
    free(p);
}

dfi_rpipe *dfi_rpipe_start(df_reader *r, size_t size)
{
    dfi_rpipe *p = calloc(1, sizeof *p);

    if (p == NULL)
        return NULL;
    p->r = r;
    p->size = size;
    for (int i = 0; i < PIPE_SLOTS; i++)
        if ((p->buf[i] = malloc(size)) == NULL) {
            rpipe_free(p);
            return NULL;
        }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->th, NULL, decode_main, p) != 0) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        rpipe_free(p); /* no thread to be had: the caller reads serially */
        return NULL;
    }
    return p;
}

int64_t dfi_rpipe_next(dfi_rpipe *p, const uint8_t **data)
{
    int64_t k;

    pthread_mutex_lock(&p->mu);
    if (p->holding) { /* the previous piece is encoded: its slot may be refilled */
        p->tail++;
        p->holding = false;
        pthread_cond_broadcast(&p->cv);
    }
    while (p->head == p->tail)
        pthread_cond_wait(&p->cv, &p->mu);
    k = p->len[p->tail % PIPE_SLOTS];
    *data = p->buf[p->tail % PIPE_SLOTS];
    p->holding = true;
    pthread_mutex_unlock(&p->mu);
    return k;
}

int64_t dfi_rpipe_mark(const dfi_rpipe *p)
{
    return p->mark[p->tail % PIPE_SLOTS]; /* the consumer's own slot: no lock needed */
}

void dfi_rpipe_stop(dfi_rpipe *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    /* a read in progress finishes first (a pipe's read is not interrupted: the caller polls
     * the cancel flag between pieces, as the serial path does) */
    pthread_join(p->th, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    rpipe_free(p);
}

/* ------------------------------------------------------------ fed streams */

struct dfi_fpipe {
    dfi_feed_fn feed;
    void *feed_ctx;
    df_reader *r;
    size_t src;
    size_t size;
    uint8_t *buf[PIPE_SLOTS];
    int64_t len[PIPE_SLOTS];
    uint64_t head, tail; /* as dfi_rpipe's */
    bool holding;
    bool stop; /* the encoder gave up: put fails */
    bool done; /* the feed returned: rc, err */
    int rc;
    df_error err;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* The feed's put: copy into free slots (a piece larger than one is split). */
static int fpipe_put(void *ctx, const void *data, size_t n)
{
    dfi_fpipe *p = ctx;
    const uint8_t *q = data;

    pthread_mutex_lock(&p->mu);
    while (n > 0) {
        size_t take = n < p->size ? n : p->size, i;
        while (!p->stop && p->head - p->tail >= PIPE_SLOTS)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stop)
            break;
        i = (size_t)(p->head % PIPE_SLOTS);
        pthread_mutex_unlock(&p->mu);
        memcpy(p->buf[i], q, take);
        pthread_mutex_lock(&p->mu);
        p->len[i] = (int64_t)take;
        p->head++;
        pthread_cond_broadcast(&p->cv);
        q += take;
        n -= take;
    }
    bool stopped = p->stop;
    pthread_mutex_unlock(&p->mu);
    return stopped ? -1 : 0;
}

static void *feed_main(void *arg)
{
    dfi_fpipe *p = arg;
    df_error err;
    int rc;

    memset(&err, 0, sizeof err);
    rc = p->feed(p->feed_ctx, p->r, p->src, fpipe_put, p, &err);
    pthread_mutex_lock(&p->mu);
    p->rc = rc;
    p->err = err;
    p->done = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void fpipe_free(dfi_fpipe *p)
{
    for (int i = 0; i < PIPE_SLOTS; i++)
        free(p->buf[i]);
    free(p);
}

dfi_fpipe *dfi_fpipe_start(dfi_feed_fn feed, void *feed_ctx, df_reader *r, size_t src,
                           size_t size)
{
    dfi_fpipe *p = calloc(1, sizeof *p);

    if (p == NULL)
        return NULL;
    p->feed = feed;
    p->feed_ctx = feed_ctx;
    p->r = r;
    p->src = src;
    p->size = size;
    for (int i = 0; i < PIPE_SLOTS; i++)
        if ((p->buf[i] = malloc(size)) == NULL) {
            fpipe_free(p);
            return NULL;
        }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->th, NULL, feed_main, p) != 0) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        fpipe_free(p);
        return NULL;
    }
    return p;
}

int64_t dfi_fpipe_next(dfi_fpipe *p, const uint8_t **data, int *rc, df_error *err)
{
    int64_t k = 0;

    pthread_mutex_lock(&p->mu);
    if (p->holding) {
        p->tail++;
        p->holding = false;
        pthread_cond_broadcast(&p->cv);
    }
    while (p->head == p->tail && !p->done)
        pthread_cond_wait(&p->cv, &p->mu);
    if (p->head != p->tail) { /* the pieces put before the feed returned come first */
        k = p->len[p->tail % PIPE_SLOTS];
        *data = p->buf[p->tail % PIPE_SLOTS];
        p->holding = true;
    } else {
        *rc = p->rc;
        if (p->rc != DF_OK)
            *err = p->err;
    }
    pthread_mutex_unlock(&p->mu);
    return k;
}

void dfi_fpipe_stop(dfi_fpipe *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->th, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    fpipe_free(p);
}
