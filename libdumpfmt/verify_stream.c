/*
 * verify_stream.c — the verifier's streams: stored bytes of one data block,
 * member or file in, decoded with its integrity check (Adler-32, CRC-32 and
 * ISIZE, lz4 end mark, complete zstd frame), nothing allowed after its end,
 * and its COPY text through the row checker (copycheck.c) and the value
 * checks (valuecheck.c); for a long stream the rows are scanned in a second
 * thread and the value checks of whole lines shared by both (vpipe in
 * verify.h), with the findings of one thread checking in order.  Also each
 * worker's buffers and its own handle on the file.  The walks (verify.c)
 * say where a stream starts and ends; this file never reads the archive's
 * structure.
 */
#include "codec_gzip.h"
#include "verify.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_gzip_wrap(dfi_wrap w)
{
    return w == DFI_WRAP_ZLIB || w == DFI_WRAP_GZIP;
}

/* dfi_dec_init, except that DF_INFLATE_ZLIB forces zlib for gzip data. */
static int dec_start(dfi_dec *d, dfi_wrap wrap, int inflate)
{
    const dfi_codec *ref = NULL;
    int rc;

    if (inflate == DF_INFLATE_ZLIB && wrap == DFI_WRAP_ZLIB)
        ref = &dfi_codec_gzip_zlib_ref;
    else if (inflate == DF_INFLATE_ZLIB && wrap == DFI_WRAP_GZIP)
        ref = &dfi_codec_gzip_file_ref;
    if (ref == NULL)
        return dfi_dec_init(d, wrap);
    memset(d, 0, sizeof *d);
    d->codec = ref;
    rc = ref->init(d);
    if (rc != DF_OK)
        d->codec = NULL;
    return rc;
}

/* Which finding a codec's complaint is. */
const char *vfy_codec_code(int rc, const char *msg, int *sev)
{
    *sev = DF_SEVERITY_ERROR;
    switch (rc) {
    case DF_E_TRUNCATED: return DF_FIND_TRUNCATED;
    case DF_E_UNSUPPORTED: *sev = DF_SEVERITY_UNKNOWN; return DF_FIND_UNSUPPORTED;
    case DF_E_NOMEM: *sev = DF_SEVERITY_UNKNOWN; return DF_FIND_COULD_NOT_CHECK;
    case DF_E_CORRUPT:
        if (strstr(msg, "checksum") || strstr(msg, "CRC") || strstr(msg, "ISIZE") ||
            strstr(msg, "data check"))
            return DF_FIND_BAD_CHECKSUM;
        return DF_FIND_BAD_DATA;
    default: *sev = DF_SEVERITY_UNKNOWN; return DF_FIND_COULD_NOT_CHECK;
    }
}

/*
 * Remember the first failure; vfy_stream_end reports it with the stream's stored
 * range, which a serial walk only knows once the block has ended.
 */
static void stream_fail(vstream *s, const char *code, int sev, int64_t at, const char *msg)
{
    s->fail_code = code;
    s->fail_sev = sev;
    s->fail_at = at;
    snprintf(s->fail_msg, sizeof s->fail_msg, "%s", msg);
    s->failed = true;
}

static void stream_codec_fail(vstream *s, int rc, int64_t at)
{
    int sev;
    const char *code = vfy_codec_code(rc, s->dec.msg, &sev);

    stream_fail(s, code, sev, at, s->dec.msg[0] ? s->dec.msg : df_strstatus(rc));
}

static void stream_report_failure(vstream *s, int64_t end_at)
{
    vfy_entry_add(s->ve, s->fail_code, s->fail_sev, s->fail_at, s->member,
              "%s (in the data stored at offsets %lld..%lld)", s->fail_msg, (long long)s->raw_start,
              (long long)(s->raw_end >= 0 ? s->raw_end : end_at));
}

int vfy_stream_begin(vstream *s, vworker *w, ventry *ve, dfi_wrap wrap, bool table, int64_t raw_start,
                 int64_t raw_end, const char *member)
{
    vctx *c = w->c;
    int rc;

    memset(s, 0, sizeof *s);
    s->c = c;
    s->ve = ve;
    s->w = w;
    s->raw_start = raw_start;
    s->raw_end = raw_end;
    s->member = member;
    s->linear = wrap == DFI_WRAP_RAW && member != NULL && member[0] != '\0';
    __atomic_store_n(&c->prog_entry, ve->e, __ATOMIC_RELAXED);
    if (is_gzip_wrap(wrap))
        __atomic_store_n(&c->gzip_used, true, __ATOMIC_RELAXED);
    rc = dec_start(&s->dec, wrap, c->opt->inflate);
    s->dec.stable_out = true; /* the ring keeps the last 64 KiB decoded in place (vpipe) */
    if (rc != DF_OK) {
        int sev;
        const char *code = vfy_codec_code(rc, s->dec.msg, &sev);
        vfy_entry_add(ve, code, sev, raw_start, member, "%s", s->dec.msg);
        s->failed = true;
        return rc;
    }
    s->live = true;
    if (table) {
        rc = dfi_copycheck_init(w->cp, ve->rows_mode, ve->ncols, ve->w, ve->nw);
        s->table = true; /* dfi_copycheck_free is safe after a failed init */
        if (rc == DF_OK && ve->vt != NULL) {
            dfi_vcheck_init(&w->vc, ve->vt);
            dfi_vcheck_init(&w->vcj[0], ve->vt);
            dfi_vcheck_init(&w->vcj[1], ve->vt);
            w->cp->vc = &w->vc;
        }
        if (rc != DF_OK) {
            vfy_entry_add(ve, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, raw_start, member,
                      "out of memory");
            s->failed = true;
        }
    }
    return rc;
}

/*
 * Take the oldest job no thread took and check its lines with vc (mu held, released while
 * checking); its buffer is then free.
 */
static void run_job(vpipe *p, dfi_vcheck *vc)
{
    size_t i = p->jnext;

    p->jnext = (i + 1) % V_PIPE_BUFS;
    p->njobs--;
    p->state[i] = V_BUF_CHECKING;
    if (p->job[i].n > 0) {
        pthread_mutex_unlock(&p->mu);
        dfi_vcheck_job(vc, p->buf[i], &p->job[i]);
        pthread_mutex_lock(&p->mu);
    }
    p->state[i] = V_BUF_FREE;
    p->count--;
    pthread_cond_broadcast(&p->cv);
}

/* The row checker over the oldest buffer handed over (mu held, released while scanning). */
static void run_scan(vpipe *p)
{
    size_t i = p->next;

    p->next = (i + 1) % V_PIPE_BUFS;
    p->nscan--;
    pthread_mutex_unlock(&p->mu);
    p->job[i].n = 0;
    p->job[i].ntabs = 0;
    p->cp->defer = p->cp->vc != NULL ? &p->job[i] : NULL;
    dfi_copycheck_feed(p->cp, p->buf[i], p->len[i]);
    p->cp->defer = NULL;
    pthread_mutex_lock(&p->mu);
    p->state[i] = V_BUF_SCANNED;
    p->njobs++;
    pthread_cond_broadcast(&p->cv);
}

/* The checker thread: scans first (the rows must be counted in order), then takes jobs. */
static void *pipe_main(void *arg)
{
    vpipe *p = arg;

    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (p->nscan > 0)
            run_scan(p);
        else if (p->njobs > 0)
            run_job(p, &p->vcj[1]);
        else if (p->quit)
            break;
        else
            pthread_cond_wait(&p->cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Nothing handed over: the ring's next buffers start at the worker's current one. */
static void pipe_idle(vpipe *p)
{
    p->next = p->jnext = p->cur;
    p->nscan = p->njobs = p->count = 0;
    memset(p->state, V_BUF_FREE, sizeof p->state);
}

/* Start w's checker thread (once per worker); false when it cannot run. */
static bool pipe_start(vworker *w)
{
    vpipe *p = &w->pipe;

    if (p->started || p->unavailable)
        return p->started;
    p->unavailable = true;
    p->cp = w->cp;
    p->vcj = w->vcj;
    pipe_idle(p);
    p->quit = false;
    if (pthread_mutex_init(&p->mu, NULL) != 0)
        return false;
    if (pthread_cond_init(&p->cv, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        return false;
    }
    if (pthread_create(&p->tid, NULL, pipe_main, p) != 0) {
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        return false;
    }
    p->started = true;
    p->unavailable = false;
    return true;
}

/*
 * Hand the n bytes in w->out to the checker thread; w->out becomes the next buffer of the
 * ring once it is free.  Until then the worker is ahead: it checks jobs rather than wait.
 */
static void pipe_hand_over(vworker *w, size_t n)
{
    vpipe *p = &w->pipe;

    pthread_mutex_lock(&p->mu);
    p->len[p->cur] = n;
    p->state[p->cur] = V_BUF_HANDED;
    p->count++;
    p->nscan++;
    pthread_cond_broadcast(&p->cv);
    p->cur = (p->cur + 1) % V_PIPE_BUFS;
    while (p->state[p->cur] != V_BUF_FREE) {
        if (p->njobs > 0)
            run_job(p, &p->vcj[0]);
        else
            pthread_cond_wait(&p->cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    w->out = p->buf[p->cur];
}

/* Wait until everything handed over has been checked, checking jobs meanwhile. */
static void pipe_drain(vworker *w)
{
    vpipe *p = &w->pipe;

    if (!p->started)
        return;
    pthread_mutex_lock(&p->mu);
    while (p->count > 0) {
        if (p->njobs > 0)
            run_job(p, &p->vcj[0]);
        else
            pthread_cond_wait(&p->cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
}

/*
 * The next buffer to decode into when nothing is handed over: the other of the first two.
 * lz4 reads its history (the last 64 KiB) from the buffer before, and every buffer flushed
 * mid-stream holds more than that (stream_flush); two buffers stay in the CPU's cache where
 * the whole ring would not.
 */
static void next_out(vworker *w)
{
    vpipe *p = &w->pipe;

    p->cur = p->cur == 0 ? 1 : 0;
    w->out = p->buf[p->cur];
}

/* Stop the checker thread and free the buffers (w->out among them). */
static void pipe_stop(vworker *w)
{
    vpipe *p = &w->pipe;

    if (p->started) {
        pthread_mutex_lock(&p->mu);
        p->quit = true;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->tid, NULL);
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
    }
    for (size_t i = 0; i < V_PIPE_BUFS; i++) {
        free(p->buf[i]);
        dfi_vjob_free(&p->job[i]);
    }
    w->out = NULL;
    memset(p, 0, sizeof *p);
}

/*
 * A checker thread only where a CPU would otherwise idle: while every worker is busy, more
 * threads would only slow down the one decoding the biggest table.  When the other workers
 * have run out of items, the long stream still being decoded gets its checker (the test is
 * made at every buffer, so a stream can switch in the middle).
 */
static bool pipe_allowed(vctx *c)
{
    size_t busy = dfi_pool_running(&c->pool) + __atomic_load_n(&c->piping, __ATOMIC_RELAXED);

    return c->opt->threads > 1 && busy < (size_t)c->opt->threads &&
           (double)busy + 1 <= dfi_cpuload_avail(&c->load) + V_CPU_SLACK;
}

/*
 * A piped stream goes back to checking in the worker when the machine no longer leaves a CPU
 * for the checker (another job took it): two threads taking turns on one CPU are slower than
 * one doing both (`-j 2` on a machine whose other CPU is busy must not be slower than `-j 1`).
 */
static void maybe_unpipe(vstream *s)
{
    vctx *c = s->c;
    size_t busy = dfi_pool_running(&c->pool) + __atomic_load_n(&c->piping, __ATOMIC_RELAXED);

    if (c->pipe_always || (double)busy <= dfi_cpuload_avail(&c->load) + V_CPU_SLACK)
        return;
    pipe_drain(s->w);
    s->piped = false;
    __atomic_sub_fetch(&c->piping, 1, __ATOMIC_RELAXED);
}

static void stream_flush(vstream *s)
{
    if (s->used == 0)
        return;
    if (s->table && !s->piped &&
        (s->c->pipe_always || (s->out_bytes >= V_PIPE_AFTER && pipe_allowed(s->c))) &&
        pipe_start(s->w)) {
        s->piped = true;
        __atomic_add_fetch(&s->c->piping, 1, __ATOMIC_RELAXED);
        pthread_mutex_lock(&s->w->pipe.mu);
        pipe_idle(&s->w->pipe); /* the checker is idle: nothing handed over */
        pthread_mutex_unlock(&s->w->pipe.mu);
    }
    if (s->table && s->piped)
        maybe_unpipe(s);
    if (s->table && s->piped) {
        pipe_hand_over(s->w, s->used);
    } else {
        if (s->table)
            dfi_copycheck_feed(s->w->cp, s->w->out, s->used);
        next_out(s->w);
    }
    s->out_bytes += (int64_t)s->used;
    s->used = 0;
}

/*
 * Everything decoded so far has been checked (the checker state may be read or reset), the
 * value checks' jobs merged into the stream's own.
 */
static void stream_sync(vstream *s)
{
    vworker *w = s->w;

    if (s->piped)
        pipe_drain(w);
    if (s->table && w->cp->vc != NULL) {
        dfi_vcheck_merge(w->cp->vc, &w->vcj[0]);
        dfi_vcheck_merge(w->cp->vc, &w->vcj[1]);
    }
}

/* Stored bytes p[0..n) that start at raw offset `at`. */
void vfy_stream_feed(vstream *s, const uint8_t *p, size_t n, int64_t at)
{
    while (n > 0 && !s->failed) {
        uint8_t *o = s->w->out + s->used;
        size_t room = V_OUT_SIZE - s->used;
        const uint8_t *q = p;
        size_t qn = n;
        int rc;

        if (s->ended) {
            stream_fail(s, DF_FIND_TRAILING_DATA, DF_SEVERITY_ERROR, at,
                        "bytes follow the end of the compressed stream");
            return;
        }
        if (room == 0) {
            stream_flush(s);
            continue;
        }
        rc = dfi_dec_step(&s->dec, &q, &qn, &o, &room);
        s->used = (size_t)(o - s->w->out);
        at += (int64_t)(n - qn);
        p = q;
        n = qn;
        if (rc == DF_EOF)
            s->ended = true;
        else if (rc < 0)
            stream_codec_fail(s, rc, at);
        else if (V_OUT_SIZE - s->used < V_MIN_ROOM)
            stream_flush(s);
    }
}

/* Values a restore would reject: one finding per kind, with the count and the first few. */
static void value_findings(vstream *s)
{
    static const char *const codes[] = {NULL, DF_FIND_BAD_VALUE, DF_FIND_NULL_IN_NOT_NULL,
                                        DF_FIND_BAD_ENCODING, DF_FIND_TOO_LONG};
    static const char *const what[] = {
        NULL, "value%s its column's type rejects", "null%s in NOT NULL columns",
        "value%s not valid in the dump's encoding", "value%s longer than its column allows"};
    const dfi_vcheck *vc = s->w->cp->vc;

    for (int k = 1; vc != NULL && k < 5; k++) {
        char list[1024], kind[64];
        size_t used = 0;

        if (vc->nbad[k] == 0)
            continue;
        list[0] = '\0';
        for (size_t i = 0; i < vc->nfirst[k] && used < sizeof list; i++) {
            const dfi_vbad *b = &vc->first[k][i];
            const dfi_vcol *col = &vc->t->cols[b->col];
            int m = snprintf(list + used, sizeof list - used,
                             "%srow %lld, column \"%s\" (%s), uncompressed offset %lld: \"%s\"",
                             i ? "; " : "", (long long)b->row, col->name,
                             col->type ? col->type : "type unknown", (long long)b->off,
                             k == DFI_VAL_NULL ? "\\N" : b->shown);
            used += m > 0 ? (size_t)m : 0;
        }
        snprintf(kind, sizeof kind, what[k], vc->nbad[k] == 1 ? "" : "s");
        vfy_entry_add(s->ve, codes[k], DF_SEVERITY_ERROR,
                  s->linear ? s->raw_start + vc->first[k][0].off : s->raw_start, s->member,
                  "%lld %s: %s; %s", (long long)vc->nbad[k], kind,
                  vc->inserts ? "the INSERT statements holding them would fail and their rows "
                                    "be lost"
                                  : "a restore would fail on this table's COPY and leave it empty",
                  list);
    }
}

/* The first problem of each kind the COPY checker saw, as findings. */
void vfy_copy_findings(vstream *s, int64_t end_at)
{
    const dfi_copycheck *cp = s->w->cp;
    ventry *ve = s->ve;

#define ROW_AT(pos) (s->linear ? s->raw_start + (pos) : s->raw_start)
    value_findings(s);
    if (cp->bad_rows > 0)
        vfy_entry_add(ve, DF_FIND_BAD_COPY_ROW, DF_SEVERITY_ERROR, ROW_AT(cp->bad_row_pos), s->member,
                  "row %lld has %lld columns but the COPY column list names %d (uncompressed "
                  "offset %lld); rows with a wrong column count: %lld",
                  (long long)cp->bad_row_no, (long long)cp->bad_row_cols, cp->ncols,
                  (long long)cp->bad_row_pos, (long long)cp->bad_rows);
    if (cp->bad_esc > 0) {
        char what[32];
        if (cp->bad_esc_char < 0)
            snprintf(what, sizeof what, "the end of the line");
        else if (isprint(cp->bad_esc_char))
            snprintf(what, sizeof what, "\"%c\"", cp->bad_esc_char);
        else
            snprintf(what, sizeof what, "byte 0x%02x", cp->bad_esc_char);
        vfy_entry_add(
            ve, DF_FIND_BAD_COPY_ESCAPE, DF_SEVERITY_ERROR, ROW_AT(cp->bad_esc_pos), s->member,
            "row %lld has a backslash followed by %s, which COPY never writes "
            "(uncompressed offset %lld); invalid escapes: %lld",
            (long long)cp->bad_esc_row, what, (long long)cp->bad_esc_pos, (long long)cp->bad_esc);
    }
    /* a stream that ends early (issue 13): its end is the truncated finding */
    if (cp->mode != DF_ROWS_INSERT && !cp->terminated && !s->early) {
        bool partial = cp->pos > cp->line_start;
        vfy_entry_add(ve, DF_FIND_MISSING_TERMINATOR, DF_SEVERITY_ERROR, end_at, s->member,
                  "COPY data end after %lld rows without the \"\\.\" terminator line%s",
                  (long long)cp->rows, partial ? "; the last line is incomplete" : "");
    }
    if (cp->mode == DF_ROWS_INSERT && cp->last_nonspace >= 0 && cp->last_nonspace != ';' &&
        !s->early)
        vfy_entry_add(ve, DF_FIND_MISSING_TERMINATOR, DF_SEVERITY_ERROR, end_at, s->member,
                  "INSERT data do not end with a complete statement (last byte 0x%02x, not "
                  "\";\")",
                  cp->last_nonspace);
    if (cp->after_bytes > 0)
        vfy_entry_add(ve, DF_FIND_DATA_AFTER_TERMINATOR, DF_SEVERITY_ERROR, ROW_AT(cp->after_pos),
                  s->member,
                  "%lld bytes follow the \"\\.\" terminator line (uncompressed offset "
                  "%lld)",
                  (long long)cp->after_bytes, (long long)cp->after_pos);
#undef ROW_AT
}

void vfy_stream_close(vstream *s)
{
    stream_sync(s);
    if (s->piped)
        __atomic_sub_fetch(&s->c->piping, 1, __ATOMIC_RELAXED);
    s->piped = false;
    if (s->live)
        dfi_dec_end(&s->dec);
    s->live = false;
    if (s->table)
        dfi_copycheck_free(s->w->cp);
    s->table = false;
}

/*
 * After the stream's end: its failure, rows and findings.  A stream that ends early (its
 * storage cut, or a compressed stream that stops short) with cut_rows on is checked up to
 * where it stops (issue 13): its complete rows count, the partial last line does not, and
 * the truncated finding (the codec's, here) says how many rows there were.
 */
static void stream_judge(vstream *s, int64_t end_at)
{
    bool early = s->c->opt->cut_rows && s->live &&
                 (s->cut ? !s->failed
                         : s->fail_code != NULL && strcmp(s->fail_code, DF_FIND_TRUNCATED) == 0);

    s->rows = -1;
    if (s->fail_code != NULL && !early)
        stream_report_failure(s, end_at);
    if (s->failed && !early)
        return;
    s->failed = false;
    stream_flush(s);
    stream_sync(s);
    s->rows = s->table ? s->w->cp->rows : 0;
    if (early && s->table && s->w->cp->mode == DF_ROWS_INSERT && s->w->cp->ins != NULL)
        s->rows = dfi_rowcount_statement_rows(s->w->cp->ins); /* not the cut statement's */
    if (early && s->fail_code != NULL) {
        size_t before = s->ve->finds.n;
        stream_report_failure(s, end_at);
        if (s->table && s->ve->finds.n > before) {
            vfy_cut_find_since(s->ve, before);
            vfy_cut_rows_note(s->ve, s->rows);
        }
    }
    if (s->table) {
        s->early = early;
        vfy_copy_findings(s, end_at);
        s->ve->rows += s->rows;
    }
    s->ve->bytes += s->out_bytes;
}

/* The stored stream ended at raw offset end_at: finish decoding and check it is complete. */
void vfy_stream_end(vstream *s, int64_t end_at)
{
    while (s->live && !s->failed && !s->ended) {
        uint8_t *o = s->w->out + s->used;
        size_t room = V_OUT_SIZE - s->used;
        const uint8_t *q = NULL;
        size_t qn = 0;
        int rc;

        if (room == 0) {
            stream_flush(s);
            continue;
        }
        rc = dfi_dec_step(&s->dec, &q, &qn, &o, &room);
        s->used = (size_t)(o - s->w->out);
        if (rc == DF_EOF) {
            s->ended = true;
        } else if (rc < 0) {
            if (s->cut && rc == DF_E_TRUNCATED)
                break; /* the cut: what decoded before it is all there is */
            stream_codec_fail(s, rc, end_at);
        } else if (room > 0) {
            if (s->cut)
                break;
            rc = dfi_dec_finish(&s->dec);
            if (rc != DF_OK)
                stream_codec_fail(s, rc, end_at);
            break;
        }
    }
    stream_judge(s, end_at);
    vfy_stream_close(s);
}

int64_t vfy_stream_cut(vstream *s, int64_t cut_at)
{
    s->cut = true;
    vfy_stream_end(s, cut_at);
    return s->rows;
}

int vfy_worker_init(vworker *w, vctx *c, bool main)
{
    memset(w, 0, sizeof *w);
    w->c = c;
    w->main = main;
    w->src.fd = -1;
    for (size_t i = 0; i < V_PIPE_BUFS; i++)
        if ((w->pipe.buf[i] = malloc(V_OUT_SIZE)) == NULL)
            return DF_E_NOMEM;
    w->out = w->pipe.buf[0];
    w->cp = calloc(1, sizeof *w->cp);
    return w->cp != NULL ? DF_OK : DF_E_NOMEM;
}

void vfy_worker_free(vworker *w)
{
    if (w->open) {
        dfi_buf_free(&w->buf);
        dfi_src_close(&w->src);
    }
    pipe_stop(w);
    free(w->cp);
    dfi_vcheck_free(&w->vc);
    dfi_vcheck_free(&w->vcj[0]);
    dfi_vcheck_free(&w->vcj[1]);
    w->open = false;
}

/* The worker's own handle on the archive file, positioned at `at`. */
int vfy_worker_seek(vworker *w, int64_t at)
{
    int rc;

    if (!w->open) {
        rc = dfi_src_open_path(&w->src, w->c->path, &w->err);
        if (rc != DF_OK)
            return rc;
        rc = dfi_buf_init(&w->buf, &w->src, DFI_BUF_SIZE, &w->err);
        if (rc != DF_OK) {
            dfi_src_close(&w->src);
            return rc;
        }
        w->open = true;
    }
    return dfi_buf_seek(&w->buf, at, &w->err);
}
