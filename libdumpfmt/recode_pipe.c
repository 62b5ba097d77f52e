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
 * the thread runs the feed and its put copies each piece into a free slot.  Both keep their
 * pieces in one ring of slots (below): the producer fills a free slot and publishes it, the
 * consumer holds one slot at a time and gives it back with its next call.
 */
#include "writer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PIPE_SLOTS 8

/* ------------------------------------------------------------ the ring of slots */

typedef struct slots {
    size_t size;
    uint8_t *buf[PIPE_SLOTS];
    int64_t len[PIPE_SLOTS];
    int64_t mark[PIPE_SLOTS]; /* a value the producer attaches to a piece */
    uint64_t head, tail;      /* head: pieces published; tail: pieces the consumer gave back */
    bool holding;             /* the consumer holds piece `tail` */
    bool stop;                /* the consumer gave up: the producer stops */
    bool done;                /* the producer ended: no piece will follow */
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} slots;

static void slots_free(slots *s)
{
    for (int i = 0; i < PIPE_SLOTS; i++)
        free(s->buf[i]);
}

/* Buffers, lock, and the producer thread run(arg); false (nothing left behind) if any fails. */
static bool slots_start(slots *s, size_t size, void *(*run)(void *), void *arg)
{
    s->size = size;
    for (int i = 0; i < PIPE_SLOTS; i++)
        if ((s->buf[i] = malloc(size)) == NULL) {
            slots_free(s);
            return false;
        }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (pthread_create(&s->th, NULL, run, arg) != 0) {
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
        slots_free(s);
        return false;
    }
    return true;
}

/* Producer, lock held: wait for a free slot; its index, or -1 once the consumer stopped. */
static int slots_wait_free(slots *s)
{
    while (!s->stop && s->head - s->tail >= PIPE_SLOTS)
        pthread_cond_wait(&s->cv, &s->mu);
    return s->stop ? -1 : (int)(s->head % PIPE_SLOTS);
}

/* Producer, lock held: slot i holds a piece. */
static void slots_publish(slots *s, int i, int64_t len, int64_t mark)
{
    s->len[i] = len;
    s->mark[i] = mark;
    s->head++;
    pthread_cond_broadcast(&s->cv);
}

/* Producer: no piece will follow. */
static void slots_end(slots *s)
{
    pthread_mutex_lock(&s->mu);
    s->done = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* Consumer: give back the piece held, wait for the next; its slot, or -1 when the producer
 * ended without one. */
static int slots_take(slots *s)
{
    int i = -1;

    pthread_mutex_lock(&s->mu);
    if (s->holding) { /* the previous piece is used: its slot may be refilled */
        s->tail++;
        s->holding = false;
        pthread_cond_broadcast(&s->cv);
    }
    while (s->head == s->tail && !s->done)
        pthread_cond_wait(&s->cv, &s->mu);
    if (s->head != s->tail) { /* the pieces published before the end come first */
        i = (int)(s->tail % PIPE_SLOTS);
        s->holding = true;
    }
    pthread_mutex_unlock(&s->mu);
    return i;
}

/* Consumer: stop the producer (after what it is doing) and free. */
static void slots_stop(slots *s)
{
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->th, NULL);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    slots_free(s);
}

/* ------------------------------------------------------------ decoded streams */

struct dfi_rpipe {
    slots s;
    df_reader *r;
};

static void *decode_main(void *arg)
{
    dfi_rpipe *p = arg;
    slots *s = &p->s;

    pthread_mutex_lock(&s->mu);
    for (;;) {
        int i = slots_wait_free(s);
        int64_t k;

        if (i < 0)
            break;
        pthread_mutex_unlock(&s->mu);
        k = df_reader_read_data(p->r, s->buf[i], s->size);
        pthread_mutex_lock(&s->mu);
        slots_publish(s, i, k, p->r->chunk_out);
        if (k <= 0) /* end of stream or error: the reader's state is the consumer's to read */
            break;
    }
    pthread_mutex_unlock(&s->mu);
    slots_end(s);
    return NULL;
}

dfi_rpipe *dfi_rpipe_start(df_reader *r, size_t size)
{
    dfi_rpipe *p = calloc(1, sizeof *p);

    if (p == NULL)
        return NULL;
    p->r = r;
    if (!slots_start(&p->s, size, decode_main, p)) {
        free(p); /* no thread to be had: the caller reads serially */
        return NULL;
    }
    return p;
}

int64_t dfi_rpipe_next(dfi_rpipe *p, const uint8_t **data)
{
    int i = slots_take(&p->s);

    if (i < 0) /* not after the end piece (the caller stops there): a read error, defensively */
        return DF_E_USAGE;
    *data = p->s.buf[i];
    return p->s.len[i];
}

int64_t dfi_rpipe_mark(const dfi_rpipe *p)
{
    return p->s.mark[p->s.tail % PIPE_SLOTS]; /* the consumer's own slot: no lock needed */
}

void dfi_rpipe_stop(dfi_rpipe *p)
{
    if (p == NULL)
        return;
    /* a read in progress finishes first (a pipe's read is not interrupted: the caller polls
     * the cancel flag between pieces, as the serial path does) */
    slots_stop(&p->s);
    free(p);
}

/* ------------------------------------------------------------ fed streams */

struct dfi_fpipe {
    slots s;
    dfi_feed_fn feed;
    void *feed_ctx;
    df_reader *r;
    size_t src;
    int rc; /* the feed's, once s.done */
    df_error err;
};

/* The feed's put: copy into free slots (a piece larger than one is split). */
static int fpipe_put(void *ctx, const void *data, size_t n)
{
    dfi_fpipe *p = ctx;
    slots *s = &p->s;
    const uint8_t *q = data;
    bool stopped = false;

    pthread_mutex_lock(&s->mu);
    while (n > 0 && !stopped) {
        size_t take = n < s->size ? n : s->size;
        int i = slots_wait_free(s);

        if ((stopped = i < 0))
            break;
        pthread_mutex_unlock(&s->mu);
        memcpy(s->buf[i], q, take);
        pthread_mutex_lock(&s->mu);
        slots_publish(s, i, (int64_t)take, 0);
        q += take;
        n -= take;
    }
    pthread_mutex_unlock(&s->mu);
    return stopped ? -1 : 0;
}

static void *feed_main(void *arg)
{
    dfi_fpipe *p = arg;
    df_error err;
    int rc;

    memset(&err, 0, sizeof err);
    rc = p->feed(p->feed_ctx, p->r, p->src, fpipe_put, p, &err);
    pthread_mutex_lock(&p->s.mu);
    p->rc = rc;
    p->err = err;
    pthread_mutex_unlock(&p->s.mu);
    slots_end(&p->s);
    return NULL;
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
    if (!slots_start(&p->s, size, feed_main, p)) {
        free(p);
        return NULL;
    }
    return p;
}

int64_t dfi_fpipe_next(dfi_fpipe *p, const uint8_t **data, int *rc, df_error *err)
{
    int i = slots_take(&p->s);

    if (i >= 0) {
        *data = p->s.buf[i];
        return p->s.len[i];
    }
    /* the feed returned (done is set after rc and err, under the lock slots_take took) */
    *rc = p->rc;
    if (p->rc != DF_OK)
        *err = p->err;
    return 0;
}

void dfi_fpipe_stop(dfi_fpipe *p)
{
    if (p == NULL)
        return;
    slots_stop(&p->s);
    free(p);
}
