/*
 * progress.c — progress of a read: the reader's callback (bytes of the
 * source read, the entry being read), rate-limited here so the hot read
 * paths only pay a clock read, and the one-line formatter the tools print
 * (the library itself never prints).
 */
#include "internal.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define PROG_INTERVAL_NS 100000000 /* ten reports a second at most */
#define DIR_TOTAL_UNKNOWN (-2)

void df_reader_set_progress(df_reader *r, df_progress_fn fn, void *ctx)
{
    r->prog_fn = fn;
    r->prog_ctx = ctx;
    r->prog_last_ns = 0;
    r->prog_dir_total = DIR_TOTAL_UNKNOWN;
}

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Size of DIR/NAME, or of the first of NAME.gz, .lz4, .zst (pg_restore's order); 0 if none. */
static int64_t data_file_size(const char *dir, const char *name)
{
    static const char *const suffix[] = {"", ".gz", ".lz4", ".zst"};

    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        char path[PATH_MAX];
        struct stat st;

        if ((size_t)snprintf(path, sizeof path, "%s/%s%s", dir, name, suffix[i]) >= sizeof path)
            return 0;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            return st.st_size;
    }
    return 0;
}

/* Directory: the data files of TABLE DATA entries are what there is to read (not LO files). */
static int64_t dir_total(const df_reader *r)
{
    int64_t sum = 0;

    for (size_t i = 0; i < r->nentries; i++) {
        const df_entry *e = &r->entries[i];

        if (df_entry_has_data(e) && !df_entry_is_blobs(e) && e->filename != NULL &&
            strchr(e->filename, '/') == NULL)
            sum += data_file_size(r->path, e->filename);
    }
    return sum;
}

static bool counts_dir_bytes(const df_reader *r)
{
    return r->hdr.format == DF_FORMAT_DIRECTORY && r->cur != NULL && !df_entry_is_blobs(r->cur);
}

void dfi_progress_closed(df_reader *r)
{
    if (r->prog_fn != NULL && counts_dir_bytes(r))
        r->prog_dir_done += r->stats.raw_bytes;
}

void dfi_progress(df_reader *r, const df_entry *e)
{
    df_progress p;
    int64_t t;

    if (r->prog_fn == NULL)
        return;
    t = now_ns();
    if (r->prog_last_ns != 0 && t - r->prog_last_ns < PROG_INTERVAL_NS)
        return;
    r->prog_last_ns = t;
    p.entry = e;
    if (r->hdr.format == DF_FORMAT_DIRECTORY) {
        if (r->prog_dir_total == DIR_TOTAL_UNKNOWN)
            r->prog_dir_total = dir_total(r);
        p.total = r->prog_dir_total;
        p.done = r->prog_dir_done + (r->data_open && counts_dir_bytes(r) ? r->stats.raw_bytes : 0);
    } else {
        /* a plain script is read past r->buf; archives through it, which reads ahead */
        p.total = r->src.seekable ? r->src.size : -1;
        p.done = r->hdr.format == DF_FORMAT_PLAIN ? r->src.pos : dfi_buf_tell(&r->buf);
    }
    r->prog_fn(r->prog_ctx, &p);
}

/* ------------------------------------------------------------ formatter */

typedef struct line {
    char *buf;
    size_t n, len;
} line;

static void put(line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(line *l, const char *fmt, ...)
{
    va_list ap;
    int w;

    if (l->len + 1 >= l->n)
        return;
    va_start(ap, fmt);
    w = vsnprintf(l->buf + l->len, l->n - l->len, fmt, ap);
    va_end(ap);
    if (w > 0)
        l->len += (size_t)w < l->n - l->len ? (size_t)w : l->n - l->len - 1;
}

/* A name of the entry, control characters (tags can hold newlines) as spaces. */
static void put_name(line *l, const char *s)
{
    for (; *s != '\0' && l->len + 1 < l->n; s++)
        l->buf[l->len++] = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
    l->buf[l->len] = '\0';
}

static const char *const unit_names[] = {"B", "KiB", "MiB", "GiB", "TiB"};

/* The binary unit that shows v (bytes) with at most four digits. */
static int unit_for(double v)
{
    int u = 0;

    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    return u;
}

/* v in unit u: one decimal below 10 (except bytes), else whole. */
static void put_amount(line *l, double v, int u)
{
    for (int i = 0; i < u; i++)
        v /= 1024;
    if (u > 0 && v < 9.95)
        put(l, "%.1f", v);
    else
        put(l, "%.0f", v);
}

static void put_eta(line *l, double seconds)
{
    long long s = (long long)(seconds + 0.5);

    if (s >= 3600)
        put(l, " ETA %lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        put(l, " ETA %lld:%02lld", s / 60, s % 60);
}

size_t df_progress_format(const df_progress *p, double rate, char *buf, size_t n)
{
    line l = {buf, n, 0};
    double done = p->done > 0 ? (double)p->done : 0;
    bool known = p->total >= 0;
    double total = known ? (double)p->total : 0;
    int u;

    if (n == 0)
        return 0;
    buf[0] = '\0';
    if (known && done > total)
        done = total; /* a file that grew while read */
    u = unit_for(known ? total : done);
    if (known) {
        put(&l, "%d%% ", total > 0 ? (int)(done * 100 / total) : 100);
        put_amount(&l, done, u);
        put(&l, "/");
    }
    put_amount(&l, known ? total : done, u);
    put(&l, " %s", unit_names[u]);
    if (rate > 0) {
        int ru = unit_for(rate);
        put(&l, " ");
        put_amount(&l, rate, ru);
        put(&l, " %s/s", unit_names[ru]);
        if (known && (total - done) / rate < 360000)
            put_eta(&l, (total - done) / rate);
    }
    if (p->entry != NULL && p->entry->desc != NULL) {
        put(&l, " ");
        put_name(&l, p->entry->desc);
        if (p->entry->tag != NULL && p->entry->tag[0] != '\0') {
            put(&l, " ");
            if (p->entry->schema != NULL && p->entry->schema[0] != '\0') {
                put_name(&l, p->entry->schema);
                put(&l, ".");
            }
            put_name(&l, p->entry->tag);
        }
    }
    return l.len;
}
