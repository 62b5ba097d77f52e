/*
 * verify.c — the verifier behind dumpcheck: reads a dump's header and TOC
 * through the reader, then walks every byte of its data area itself and
 * reports findings (stable code, severity, entry, raw offset, message).
 *
 *  - custom: every block's framing (type byte, dump id, chunk chain, LO OID
 *    list, terminators), offsets against where blocks really are, what
 *    follows the last block (nothing, or the TOC copy of spec §5.5);
 *  - tar: every member header (checksum, size against the file), every data
 *    member present, the end-of-archive blocks;
 *  - directory: every data file, LO list and LO file present;
 *  - plain scripts: what the plain reader measured (COPY terminators, the
 *    "dump complete" trailer, psql meta-commands), and the script's last
 *    bytes against the lines pg_dump ends it with;
 *  - full mode (not --quick): every stream decompressed with its integrity
 *    check (Adler-32, CRC-32 + ISIZE, lz4 end mark, complete zstd frame),
 *    nothing after a stream's end, and COPY text checked row by row
 *    (dfi_copycheck); LO sets against their TOC entries; sequences against
 *    the maximum of the column they feed.
 *
 * Why not the reader's data layer: the verifier must see every structure
 * boundary, tell "incomplete" from "missing", report the raw offset of the
 * chunk or member that is damaged, and hand blocks to worker threads that
 * each read their own copy of the file; the reader finds data lazily and
 * stops at the first error.  The framing is small (spec §5.1, §7.2) and is
 * walked here with the library's own buffer, integer and codec primitives.
 *
 * Threads: with opt->threads > 1 and a file that can be reopened, a first
 * structural walk (the quick check) finds every block or member, then
 * workers decompress them, largest first, each with its own source.  Pipes,
 * one thread and uncompressed custom archives are read once, in file order,
 * decoding as the walk goes.  Findings are attached to their entry and
 * merged in TOC order, so the output does not depend on the number of
 * threads.
 *
 * Here: the checks of the TOC and the run.  Elsewhere, each behind a short
 * interface: the walk of each format's data area (verify_custom.c,
 * verify_tar.c, verify_dir.c), the streams and workers' buffers (verify_stream.c),
 * plain scripts (vfy_verify_plain.c), the findings lists (findings.c), COPY
 * rows (copycheck.c), values (valuecheck.c), sequence facts (seqfacts.c),
 * large-object reconciliation (lofacts.c), the thread pool (workpool.c).
 */
#include "verify.h"
#include "entrytype.h"
#include "codec_gzip.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>


/* ================================================================== */
/* Names                                                               */
/* ================================================================== */

const char *df_severity_name(int severity)
{
    switch (severity) {
    case DF_SEVERITY_INFO: return "info";
    case DF_SEVERITY_WARNING: return "warning";
    case DF_SEVERITY_ERROR: return "error";
    default: return "unknown";
    }
}

const char *df_verdict_name(int verdict)
{
    switch (verdict) {
    case DF_VERDICT_OK: return "OK";
    case DF_VERDICT_WARNING: return "WARNING";
    case DF_VERDICT_DAMAGED: return "DAMAGED";
    default: return "UNKNOWN";
    }
}

void df_verify_options_default(df_verify_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->cut_rows = 1;
}

/* The caller's options (NULL: defaults) into *o, fields of an older caller defaulted. */
static int take_options(const df_verify_options *opt, df_verify_options *o, df_error *err)
{
    df_limits lim;
    int rc;

    df_verify_options_default(o);
    if ((rc = dfi_options_take(o, sizeof *o, opt, "df_verify_options", err)) != DF_OK)
        return rc;
    df_limits_default(&lim);
    return dfi_options_take(&lim, sizeof lim, o->limits, "df_limits", err);
}

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* From the calling thread only: report progress about ten times a second. */
static void progress_tick(vctx *c, bool force)
{
    df_progress p;
    int64_t t;

    if (c->opt->progress == NULL)
        return;
    t = now_ns();
    if (!force && c->prog_last_ns != 0 && t - c->prog_last_ns < 100000000)
        return;
    c->prog_last_ns = t;
    p.done = __atomic_load_n(&c->prog_done, __ATOMIC_RELAXED);
    p.total = c->prog_total;
    p.entry = __atomic_load_n(&c->prog_entry, __ATOMIC_RELAXED);
    c->opt->progress(c->opt->progress_ctx, &p);
}

/* Count stored bytes done; the calling thread also reports them. */
void vfy_note_progress(vworker *w, const dfi_buf *b, int64_t bytes)
{
    if (w->main) {
        if (b != NULL)
            w->c->prog_done = dfi_buf_tell(b) - w->prog_base;
        else
            w->c->prog_done += bytes;
        progress_tick(w->c, false);
    } else {
        __atomic_add_fetch(&w->c->prog_done, bytes, __ATOMIC_RELAXED);
    }
}

/* ================================================================== */
/* TOC checks                                                          */
/* ================================================================== */

static int cmp_id_index(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;

    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : (x[1] > y[1]) - (x[1] < y[1]);
}

static void check_duplicates(vctx *c)
{
    int64_t *pairs = malloc((c->n ? c->n : 1) * 2 * sizeof *pairs);

    if (pairs == NULL) {
        c->pre.oom = true;
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        pairs[2 * i] = c->ents[i].e->dump_id;
        pairs[2 * i + 1] = (int64_t)i;
    }
    qsort(pairs, c->n, 2 * sizeof *pairs, cmp_id_index);
    for (size_t i = 1; i < c->n; i++) {
        if (pairs[2 * i] != pairs[2 * i - 2])
            continue;
        vfy_entry_add(&c->ents[pairs[2 * i + 1]], DF_FIND_DUPLICATE_ID, DF_SEVERITY_ERROR,
                  c->ents[pairs[2 * i + 1]].e->toc_offset, NULL,
                  "dump id %d is also the id of TOC entry %lld", (int)pairs[2 * i],
                  (long long)pairs[2 * i - 1]);
    }
    free(pairs);
}

/* Entries that should own a data stream but have none, and dependencies on absent ids. */
static void check_entries(vctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        const df_entry *e = ve->e;
        char list[200];
        size_t used = 0, missing = 0;

        if (dfi_et_is(e, DFI_ET_TABLE_DATA) && !ve->data)
            vfy_entry_add(ve, DF_FIND_ENTRY_WITHOUT_DATA, DF_SEVERITY_ERROR, e->toc_offset, NULL,
                      "the TOC gives this TABLE DATA entry no data: its table would restore empty");
        else if (e->had_dumper && !ve->data)
            vfy_entry_add(ve, DF_FIND_ENTRY_WITHOUT_DATA, DF_SEVERITY_ERROR, e->toc_offset, NULL,
                      "the entry has a data dumper but the TOC gives it no data");
        list[0] = '\0';
        for (size_t d = 0; d < e->ndeps; d++) {
            if (df_reader_find(c->r, e->deps[d]) != NULL)
                continue;
            if (missing++ < 8 && used < sizeof list)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%d",
                                         missing > 1 ? ", " : "", e->deps[d]);
        }
        if (missing > 0)
            vfy_entry_add(ve, DF_FIND_DANGLING_DEPENDENCY, DF_SEVERITY_INFO, e->toc_offset, NULL,
                      "depends on dump id%s %s%s, not in the TOC (pg_dump's section boundaries "
                      "or objects left out of the dump: normal)",
                      missing > 1 ? "s" : "", list, missing > 8 ? ", ..." : "");
    }
}

/* Would pg_restore `pg` refuse this archive?  Then the finding's message, else false. */
static bool archive_too_new(const df_header *h, int pg, char *msg, size_t n)
{
    if (pg <= 0 || h->header_end < 0 || h->format == DF_FORMAT_PLAIN ||
        h->vmin <= df_pg_restore_max_minor(pg))
        return false;
    snprintf(msg, n,
             "archive version %d.%d needs pg_restore %d or newer; pg_restore %d reads archives "
             "up to %d.%d and will refuse it",
             h->vmaj, h->vmin, df_pg_restore_min_major(h->vmin), pg, 1,
             df_pg_restore_max_minor(pg));
    return true;
}

static void check_version(vctx *c)
{
    char msg[V_MSG];

    if (archive_too_new(&c->r->hdr, c->opt->pg_restore_version, msg, sizeof msg))
        vfy_vlist_add(&c->pre, DF_FIND_ARCHIVE_NEWER, DF_SEVERITY_WARNING, NULL, 5, NULL, "%s", msg);
}

static void check_offsets_present(vctx *c)
{
    size_t n = 0;

    for (size_t i = 0; i < c->n; i++)
        n += c->ents[i].data && c->ents[i].e->offset_state == DF_OFFSET_NOT_SET;
    if (n > 0)
        vfy_vlist_add(&c->pre, DF_FIND_NO_DATA_OFFSETS, DF_SEVERITY_WARNING, NULL, c->r->hdr.header_end,
                  NULL,
                  "the TOC stores no data offsets for %zu data entries (pg_dump wrote to a pipe "
                  "or to a redirected stdout): pg_restore must scan for every block, and "
                  "pg_restore -j cannot size or reorder the work",
                  n);
}

/* For vfy_verify_plain.c: the walks' own helpers (they move with the walks, issue 11). */
int vfy_verify_add_lo(ventry *ve, uint32_t oid, int64_t start, int64_t size, const char *name,
                  dfi_wrap wrap)
{
    return vfy_add_lo(ve, oid, start, size, name, wrap);
}

uint8_t *vfy_verify_read_range(const char *path, int64_t from, int64_t len, df_error *err)
{
    return vfy_read_range(path, from, len, err);
}

/* ================================================================== */
/* Large objects (the reconciliation: lofacts.c)                       */
/* ================================================================== */

/* Which large objects each BLOBS entry must hold; BLOB entries without any BLOBS entry. */
static void lo_expectations(vctx *c)
{
    bool *blobs = malloc((c->n ? c->n : 1) * sizeof *blobs);
    dfi_lowant *want = calloc(c->n ? c->n : 1, sizeof *want);
    size_t nblob = 0, nblobs = 0;

    if (blobs == NULL || want == NULL) {
        c->pre.oom = true;
        free(blobs);
        free(want);
        return;
    }
    for (size_t i = 0; i < c->n; i++)
        blobs[i] = c->ents[i].blobs;
    if (dfi_lo_expect(c->r, blobs, want, &nblob, &nblobs) != DF_OK)
        c->pre.oom = true;
    for (size_t i = 0; i < c->n; i++)
        c->ents[i].want = want[i];
    free(want);
    free(blobs);
    /* A plain script cut short has lost its BLOBS part: no-trailer says so already. */
    if (nblob > 0 && nblobs == 0 &&
        !(c->r->hdr.format == DF_FORMAT_PLAIN && !c->r->hdr.has_trailer))
        vfy_vlist_add(&c->pre, DF_FIND_LO_MISMATCH, DF_SEVERITY_ERROR, NULL, -1, NULL,
                  "%zu large objects have BLOB entries but the archive has no BLOBS data entry: "
                  "they would restore empty",
                  nblob);
}

/* The LOs found in a complete BLOBS entry against those its TOC entries create. */
static void lo_check(vctx *c, ventry *ve)
{
    uint32_t *got;
    dfi_lodiff d;

    /* A plain script's large objects are only enumerated by the full check. */
    if (!ve->want.known || ve->found != V_FOUND_COMPLETE || ve->cut ||
        (c->r->hdr.format == DF_FORMAT_PLAIN && !ve->decoded))
        return;
    got = malloc((ve->nlos ? ve->nlos : 1) * sizeof *got);
    if (got == NULL) {
        ve->finds.oom = true;
        return;
    }
    for (size_t j = 0; j < ve->nlos; j++)
        got[j] = ve->los[j].oid;
    dfi_lo_compare(&ve->want, got, ve->nlos, &d);
    free(got);
    if (d.missing > 0)
        vfy_entry_add(ve, DF_FIND_LO_MISMATCH, DF_SEVERITY_ERROR, ve->start, ve->member,
                  "%zu large objects the TOC creates have no data here (the first: %u); "
                  "they would restore empty",
                  d.missing, d.first_missing);
    if (d.extra > 0)
        vfy_entry_add(ve, DF_FIND_LO_MISMATCH, DF_SEVERITY_ERROR, ve->start, ve->member,
                  "%zu large objects have data here but no TOC entry creates them (the first: "
                  "%u); their restore would fail",
                  d.extra, d.first_extra);
    if (d.dup > 0)
        vfy_entry_add(ve, DF_FIND_LO_MISMATCH, DF_SEVERITY_ERROR, ve->start, ve->member,
                  "%zu large objects have data twice (the first: %u)", d.dup, d.first_dup);
}

/* ================================================================== */
/* Sequences behind their data (the facts: seqfacts.c)                 */
/* ================================================================== */

static int watch_add(ventry *ve, int col, int link, const char *name)
{
    dfi_watch *nv = realloc(ve->w, (ve->nw + 1) * sizeof *nv);

    if (nv == NULL)
        return DF_E_NOMEM;
    ve->w = nv;
    ve->w[ve->nw++] = (dfi_watch){col, link, name, false, 0, col};
    return DF_OK;
}

/* The sequences' facts, and a watch on every column they feed in the table data. */
static void seq_prepare(vctx *c)
{
    int *rows = malloc((c->n ? c->n : 1) * sizeof *rows);

    if (rows == NULL) {
        c->pre.oom = true;
        return;
    }
    for (size_t i = 0; i < c->n; i++) /* a pre-1.3 COPY's column list is in its data */
        rows[i] = c->ents[i].table && c->ents[i].rows_mode != DF_ROWS_COPY_WITH_COMMAND
                      ? c->ents[i].rows_mode
                      : -1;
    if (dfi_seqfacts_build(&c->seq, df_reader_toc_at(c->r, 0), c->n, rows) != DF_OK)
        c->pre.oom = true;
    free(rows);
    for (size_t k = 0; k < c->seq.nwatch; k++) {
        const dfi_seqwatch *w = &c->seq.watch[k];
        if (watch_add(&c->ents[w->entry], w->col, (int)w->link,
                      c->seq.links[w->link].column) != DF_OK)
            c->pre.oom = true;
    }
}

/* After the data: warn where the next value is not above the maximum of a column it feeds. */
static void seq_check(vctx *c)
{
    dfi_seqmax *m = calloc(c->seq.nseqs ? c->seq.nseqs : 1, sizeof *m);
    char fix[4 * DFI_IDENT + 80];

    if (m == NULL) {
        c->pre.oom = true;
        return;
    }
    for (size_t i = 0; i < c->n; i++)
        for (size_t j = 0; j < c->ents[i].nw; j++)
            if (c->ents[i].w[j].have)
                dfi_seqmax_take(&c->seq, m, (size_t)c->ents[i].w[j].seq, c->ents[i].w[j].max,
                                c->ents[i].e);
    for (size_t k = 0; k < c->seq.nseqs; k++) {
        const dfi_seq *q = &c->seq.seqs[k];
        const dfi_seqlink *at = m[k].at;
        ventry *ve = &c->ents[q->e->index];
        size_t before = ve->finds.n;
        int64_t next;

        if (!dfi_seq_behind(q, &m[k], &next))
            continue;
        vfy_entry_add(ve, DF_FIND_SEQUENCE_BEHIND_DATA, DF_SEVERITY_WARNING, q->e->toc_offset, NULL,
                  "setval(%lld, %s) makes the next value %lld, but column \"%s\" of %s.%s "
                  "already holds %lld in this dump: new rows would reuse existing values",
                  (long long)q->value, q->called ? "true" : "false", (long long)next, at->column,
                  at->tschema, at->table, (long long)m[k].max);
        dfi_setval_sql(q, m[k].max, fix, sizeof fix);
        if (ve->finds.n > before)
            vfy_vlist_set_fix(&ve->finds, fix);
    }
    free(m);
}

/* ================================================================== */
/* Workers                                                             */
/* ================================================================== */

/* Tar: one stored range (a member's data) through a stream. */
static void tar_range(vworker *w, ventry *ve, int64_t start, int64_t size, const char *member,
                      dfi_wrap wrap, bool table)
{
    vstream s;
    int rc = vfy_worker_seek(w, start);

    if (rc == DF_OK) {
        vfy_stream_begin(&s, w, ve, wrap, table, start, start + size, member);
        rc = vfy_feed_bytes(w, &w->buf, &w->err, &s, size);
        if (rc == DF_OK)
            vfy_stream_end(&s, start + size);
        else
            vfy_stream_close(&s);
    }
    if (rc != DF_OK)
        vfy_tar_fail(w->c, ve, rc, &w->err, member, "member data");
}

static void work_item(vworker *w, ventry *ve)
{
    switch (w->c->r->hdr.format) {
    case DF_FORMAT_CUSTOM:
        w->expect = ve;
        if (vfy_worker_seek(w, ve->start) != DF_OK) {
            vfy_entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, w->err.offset, NULL, "%s",
                      w->err.message);
        } else {
            vfy_custom_block_at(w);
        }
        break;
    case DF_FORMAT_TAR:
        if (ve->cut_at >= 0) {
            vfy_tar_cut(w, ve, NULL);
            break;
        }
        if (ve->blobs)
            for (size_t k = 0; k < ve->nlos; k++)
                tar_range(w, ve, ve->los[k].start, ve->los[k].size, ve->los[k].name,
                          ve->los[k].wrap, false);
        else
            tar_range(w, ve, ve->start, ve->end - ve->start, ve->member, ve->wrap, ve->table);
        ve->decoded = true;
        break;
    case DF_FORMAT_DIRECTORY:
        if (ve->blobs)
            for (size_t k = 0; k < ve->nlos; k++)
                vfy_dir_file(w, ve, ve->los[k].name, ve->los[k].wrap, false);
        else
            vfy_dir_file(w, ve, ve->member, ve->wrap, ve->table);
        ve->decoded = true;
        break;
    default: break;
    }
}

/* The worker pool's view of a vworker (workpool.c). */
static int pool_init(void *w, void *ctx, bool main)
{
    return vfy_worker_init(w, ctx, main);
}

static void pool_fini(void *w)
{
    vfy_worker_free(w);
}

static void pool_work(void *w, size_t i)
{
    work_item(w, &((vworker *)w)->c->ents[i]);
}

static void pool_tick(void *ctx)
{
    progress_tick(ctx, false);
}

/* Check the data of every complete entry, in worker threads when allowed. */
static void run_items(vctx *c)
{
    static const dfi_pool_ops ops = {sizeof(vworker), pool_init, pool_fini, pool_work, pool_tick};
    int64_t *weight = malloc((c->n ? c->n : 1) * sizeof *weight);
    int rc;

    c->prog_total = 0;
    c->prog_done = 0;
    for (size_t i = 0; weight != NULL && i < c->n; i++) {
        const ventry *ve = &c->ents[i];
        weight[i] = ve->data && ve->found == V_FOUND_COMPLETE && !ve->cut ? ve->stored
                    : ve->data && ve->cut_at >= 0      ? ve->cut_at - ve->start /* issue 13 */
                                                       : -1;
        c->prog_total += weight[i] >= 0 ? weight[i] : 0;
    }
    if (weight == NULL || dfi_pool_items(&c->pool, weight, c->n) != DF_OK) {
        free(weight);
        c->pre.oom = true;
        return;
    }
    free(weight);
    if (c->opt->threads > 1) /* pipe_allowed asks it, also of a single worker */
        dfi_cpuload_init(&c->load, c->opt->threads);
    rc = dfi_pool_run(&c->pool, c->path != NULL ? c->opt->threads : 1, &ops, c);
    if (c->opt->threads > 1)
        dfi_cpuload_free(&c->load);
    if (rc < 0)
        c->pre.oom = true;
    c->v->sum.threads = rc > 0 ? rc : 1;
    progress_tick(c, true);
}

/* ================================================================== */
/* The run                                                             */
/* ================================================================== */

/*
 * Read once, in file order, decoding as the walk goes?  Always for pipes and
 * one thread.  Also for uncompressed custom archives: pg_dump writes one
 * chunk per row there, so a separate structural walk costs as much as the
 * check itself, and there is no decompression to spread over threads.
 */
static bool full_serial(const vctx *c)
{
    return c->path == NULL || c->opt->threads <= 1 ||
           (c->r->hdr.format == DF_FORMAT_CUSTOM && c->r->hdr.compression == DF_COMPRESS_NONE);
}

/* Custom and tar: one walk over the data area, then (threads) the data. */
static void verify_stream_format(vctx *c, bool tar)
{
    int flags = V_REC;
    vworker w;
    df_error err;
    int64_t start = tar ? dfi_buf_tell(&c->r->buf) : c->r->hdr.toc_end;

    memset(&err, 0, sizeof err);
    if (vfy_worker_init(&w, c, true) != DF_OK) {
        c->pre.oom = true;
        vfy_worker_free(&w);
        return;
    }
    if (!c->opt->quick && full_serial(c))
        flags |= V_DEC;
    w.prog_base = start;
    c->prog_total = c->file_size >= 0 ? c->file_size - start : -1;
    if (dfi_buf_seek(&c->r->buf, start, &err) != DF_OK) {
        vfy_vlist_add(&c->pre, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, NULL, err.offset, NULL, "%s",
                  err.message);
        vfy_worker_free(&w);
        return;
    }
    if (tar) {
        vfy_tar_walk(c, &w, &c->r->buf, &err, flags);
        vfy_tar_missing(c);
        for (size_t i = 0; (flags & V_DEC) && i < c->n; i++)
            if (c->ents[i].cut_at >= 0) /* a member the file ends in: what it holds */
                vfy_tar_cut(&w, &c->ents[i], &c->r->buf);
    } else {
        /* not when a test caps every read (df_reader_set_io_size): that cap stays */
        c->sparse = !(flags & V_DEC) && c->r->buf.src->seekable && c->r->buf.src->dec == NULL &&
                    c->r->buf.src->io_cap == 0;
        vfy_custom_walk(c, &w, &c->r->buf, &err, flags);
        if (c->sparse)
            c->r->buf.src->io_cap = 0;
        c->sparse = false;
        if (c->walk_stop == V_STOP_OTHER)
            vfy_custom_trailer(c, &c->r->buf, &err);
        vfy_custom_missing(c);
        vfy_custom_offsets(c);
    }
    progress_tick(c, true);
    vfy_worker_free(&w);
    if (!(flags & V_DEC) && !c->opt->quick)
        run_items(c);
}

/*
 * What follows the TOC in toc.dat: pg_dump writes nothing there and pg_restore never reads it,
 * so bytes there are no harm to a restore but a sign that something else wrote to the file.
 */
#define TOC_TAIL_MAX (16 << 20)

static void dir_toc_tail(vctx *c)
{
    dfi_buf *b = &c->r->buf;
    char member[300] = "toc.dat";
    dfi_wrap wrap;
    int64_t size, at = dfi_buf_tell(b), n = 0;
    df_error err;
    int rc = DF_EOF;

    (void)vfy_dir_discover(c, "toc.dat", member, sizeof member, &wrap, &size, &err);
    memset(&err, 0, sizeof err);
    /* counted up to a bound: a compressed toc.dat could inflate to any size */
    while (n <= TOC_TAIL_MAX && (rc = dfi_buf_fill(b, &err)) == DF_OK) {
        n += (int64_t)dfi_buf_avail(b);
        dfi_buf_consume(b, dfi_buf_avail(b));
    }
    if (n > TOC_TAIL_MAX)
        vfy_vlist_add(&c->post, DF_FIND_TRAILING_DATA, DF_SEVERITY_WARNING, NULL, at, member,
                  "more than %d MiB follow the TOC (pg_dump writes none there; pg_restore "
                  "ignores them)",
                  TOC_TAIL_MAX >> 20);
    else if (rc != DF_EOF)
        vfy_vlist_add(&c->post, DF_FIND_BAD_DATA, DF_SEVERITY_WARNING, NULL, err.offset, member,
                  "after the TOC: %s", err.message);
    else if (n > 0)
        vfy_vlist_add(&c->post, DF_FIND_TRAILING_DATA, DF_SEVERITY_WARNING, NULL, at, member,
                  "%lld bytes follow the TOC (pg_dump writes none there; pg_restore ignores them)",
                  (long long)n);
}

/*
 * Offsets into a compressed toc.dat (toc.dat.gz, ...) count decoded bytes:
 * no one can open them with xxd -s in the file.  Such a finding names the
 * compressed file and says "decoded offset" in its message instead.
 */
static void toc_decoded_offsets(vlist *l, const char *tocname)
{
    for (size_t i = 0; i < l->n; i++) {
        df_finding *f = &l->v[i];
        char msg[V_MSG + 64];
        const char *fix = f->fix ? f->fix : "";
        size_t ml, bl = strlen(tocname), fl = strlen(fix);
        char *mem;

        if (f->offset < 0 || (f->member[0] != '\0' && strcmp(f->member, "toc.dat") != 0 &&
                              strcmp(f->member, tocname) != 0))
            continue;
        ml = (size_t)snprintf(msg, sizeof msg, "%s (decoded offset %lld)", f->message,
                              (long long)f->offset);
        ml = ml < sizeof msg ? ml : sizeof msg - 1;
        if ((mem = malloc(ml + bl + fl + 3)) == NULL) {
            l->oom = true;
            return;
        }
        memcpy(mem, msg, ml + 1);
        memcpy(mem + ml + 1, tocname, bl + 1);
        memcpy(mem + ml + bl + 2, fix, fl + 1);
        free((void *)f->message);
        f->message = mem;
        f->member = mem + ml + 1;
        f->fix = f->fix ? mem + ml + bl + 2 : NULL;
        f->offset = -1;
    }
}

static void directory_decoded_offsets(vctx *c)
{
    char tocname[300];
    dfi_wrap wrap;
    int64_t size;
    df_error err;

    if (vfy_dir_discover(c, "toc.dat", tocname, sizeof tocname, &wrap, &size, &err) != DF_OK ||
        wrap == DFI_WRAP_RAW)
        return;
    toc_decoded_offsets(&c->pre, tocname);
    toc_decoded_offsets(&c->post, tocname);
    for (size_t i = 0; i < c->n; i++)
        toc_decoded_offsets(&c->ents[i].finds, tocname);
}

static void verify_directory(vctx *c)
{
    if (!df_reader_toc_cut(c->r, NULL, NULL)) /* a cut toc.dat has no tail: its end is cut */
        dir_toc_tail(c);
    vfy_dir_prepare(c);
    if (c->opt->quick)
        vfy_dir_quick(c);
    else
        run_items(c);
}

/* The file ends in the header or TOC (err says where): a finding. */
static void truncated_finding(vctx *c, const df_header *h, const df_error *err, const char *msg,
                              const char *kept)
{
    int64_t at = err->offset;
    const char *m = err->member;
    bool in_header = h->header_end < 0;

    if (in_header && (h->file_size == 0 || (h->file_size < 0 && at == 0)))
        vfy_vlist_add(&c->pre, DF_FIND_EMPTY, DF_SEVERITY_ERROR, NULL, 0, m, "the %s is empty",
                      m[0] ? "file" : "input");
    else if (h->file_size >= 0 || at >= 0)
        vfy_vlist_add(&c->pre, in_header ? DF_FIND_TRUNCATED_HEADER : DF_FIND_TRUNCATED_TOC,
                      DF_SEVERITY_ERROR, NULL, h->file_size >= 0 ? h->file_size : at, m,
                      "the file ends at offset %lld inside the archive %s (%s)%s",
                      (long long)(h->file_size >= 0 ? h->file_size : at),
                      in_header ? "header" : "TOC", msg, kept);
    else /* a compressed toc.dat: the reader put the decoded offset in msg */
        vfy_vlist_add(&c->pre, in_header ? DF_FIND_TRUNCATED_HEADER : DF_FIND_TRUNCATED_TOC,
                      DF_SEVERITY_ERROR, NULL, -1, m, "the file ends inside the archive %s (%s)%s",
                      in_header ? "header" : "TOC", msg, kept);
}

/* Salvage mode (opt->salvage_toc): the reader opened a cut TOC with what was whole before it. */
static void toc_cut_finding(vctx *c)
{
    int64_t promised;
    df_error err;
    char kept[120];

    if (!df_reader_toc_cut(c->r, &promised, &err))
        return;
    snprintf(kept, sizeof kept, "; %zu of its %lld entries were read whole before the cut",
             df_reader_toc_count(c->r), (long long)promised);
    truncated_finding(c, df_reader_header(c->r), &err,
                      err.message[0] ? err.message : df_strstatus(err.code), kept);
}

/* The reader could not open the dump: say why, as a finding. */
static void open_failed(vctx *c, df_reader *r, int rc)
{
    const df_error *err = df_reader_error(r);
    const df_header *h = df_reader_header(r);
    int code = err->code != DF_OK ? err->code : rc;
    int64_t at = err->offset;
    const char *m = err->member;
    const char *msg = err->message[0] ? err->message : df_strstatus(code);
    bool in_header = h->header_end < 0;

    switch (code) {
    case DF_E_TRUNCATED: truncated_finding(c, h, err, msg, ""); break;
    case DF_E_FORMAT:
        vfy_vlist_add(&c->pre, DF_FIND_NOT_A_DUMP, DF_SEVERITY_ERROR, NULL, at, m, "%s", msg);
        break;
    case DF_E_CORRUPT:
        vfy_vlist_add(&c->pre, in_header ? DF_FIND_BAD_HEADER : DF_FIND_BAD_TOC, DF_SEVERITY_ERROR,
                  NULL, at, m, "%s", msg);
        break;
    case DF_E_LIMIT:
        vfy_vlist_add(&c->pre, DF_FIND_OVER_LIMIT, DF_SEVERITY_ERROR, NULL, at, m, "%s", msg);
        break;
    case DF_E_VERSION:
    case DF_E_UNSUPPORTED:
        vfy_vlist_add(&c->pre, DF_FIND_UNSUPPORTED, DF_SEVERITY_UNKNOWN, NULL, at, m, "%s", msg);
        break;
    case DF_E_IO:
    case DF_E_NOTFOUND:
        vfy_vlist_add(&c->pre, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, NULL, at, m, "%s", msg);
        break;
    default:
        vfy_vlist_add(&c->pre, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, NULL, at, m, "%s", msg);
        break;
    }
}

static int rows_mode_of(const df_reader *r, const df_entry *e)
{
    if (e->copy_stmt != NULL && e->copy_stmt[0] != '\0')
        return DF_ROWS_COPY;
    if (r->hdr.format != DF_FORMAT_PLAIN && r->arch.version < DF_MAKE_VERSION(1, 3, 0) &&
        dfi_et_is(e, DFI_ET_TABLE_DATA))
        return DF_ROWS_COPY_WITH_COMMAND;
    return DF_ROWS_INSERT;
}

static int setup_entries(vctx *c)
{
    dfi_vindex *ix = NULL;

    c->n = df_reader_toc_count(c->r);
    c->ents = calloc(c->n ? c->n : 1, sizeof *c->ents);
    if (c->ents == NULL)
        return DF_E_NOMEM;
    if (!c->opt->quick && !c->opt->no_values && (ix = dfi_vindex_build(c->r)) == NULL)
        return DF_E_NOMEM;
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        const df_entry *e = df_reader_toc_at(c->r, i);

        ve->e = e;
        ve->data = df_entry_has_data(e);
        ve->blobs = ve->data && df_entry_is_blobs(e);
        ve->table = ve->data && dfi_et_is(e, DFI_ET_TABLE_DATA);
        ve->rows_mode = rows_mode_of(c->r, e);
        ve->ncols = dfi_copy_columns(e->copy_stmt, NULL);
        ve->start = ve->end = -1;
        ve->cut_at = ve->cut_rows = -1;
        if (ve->table && (ve->rows_mode == DF_ROWS_COPY || ve->rows_mode == DF_ROWS_INSERT) &&
            !c->opt->quick && !c->opt->no_values)
            ve->vt = dfi_vtable_build(ix, e, &c->pre.oom);
    }
    dfi_vindex_free(ix);
    return DF_OK;
}

static void fill_summary(vctx *c)
{
    df_verify_summary *s = &c->v->sum;
    const df_header *h = df_reader_header(c->r ? c->r : c->v->r);

    s->quick = c->opt->quick;
    s->format = h->format;
    if (h->header_end >= 0 && h->format != DF_FORMAT_PLAIN) {
        s->vmaj = h->vmaj;
        s->vmin = h->vmin;
        s->vrev = h->vrev;
        s->compression = h->compression;
    }
    s->entries = (int64_t)c->n;
    for (size_t i = 0; i < c->n; i++) {
        const ventry *ve = &c->ents[i];
        s->data_entries += ve->data;
        s->stored_bytes += ve->stored;
        s->bytes += ve->bytes;
        s->rows += ve->rows;
        if (ve->blobs)
            s->large_objects += (int64_t)ve->nlos;
    }
    /* a compressed plain script: the data are stored in the whole compressed file */
    if (h->format == DF_FORMAT_PLAIN && h->file_compression != DF_COMPRESS_NONE) {
        s->compression = h->file_compression;
        if (h->file_size >= 0)
            s->stored_bytes = h->file_size;
    }
    if (c->gzip_used)
        s->inflater =
            c->opt->inflate == DF_INFLATE_ZLIB || !dfi_gzip_uses_isal() ? "zlib" : "isa-l";
    if (s->threads == 0)
        s->threads = 1;
}

/* Move every finding into one array: file level, entries in TOC order, end of file. */
static void merge_findings(vctx *c)
{
    df_verify *v = c->v;
    bool oom = c->pre.oom || c->post.oom;
    size_t total = c->pre.n + c->post.n + 1, k = 0;

    for (size_t i = 0; i < c->n; i++) {
        total += c->ents[i].finds.n;
        oom = oom || c->ents[i].finds.oom;
    }
    if (oom)
        vfy_vlist_add(&c->post, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, NULL, -1, NULL,
                  "out of memory: some findings were lost");
    v->f = malloc(total * sizeof *v->f);
    if (v->f == NULL) {
        v->sum.verdict = DF_VERDICT_UNKNOWN;
        return; /* the lists are freed with their messages */
    }
#define TAKE(l)                                                                                    \
    do {                                                                                           \
        if ((l).n > 0)                                                                             \
            memcpy(v->f + k, (l).v, (l).n * sizeof *v->f);                                         \
        k += (l).n;                                                                                \
        free((l).v);                                                                               \
        memset(&(l), 0, sizeof(l));                                                                \
    } while (0)
    TAKE(c->pre);
    for (size_t i = 0; i < c->n; i++)
        TAKE(c->ents[i].finds);
    TAKE(c->post);
#undef TAKE
    v->n = k;
}

static void set_verdict(df_verify *v)
{
    int64_t *f = v->sum.findings;

    memset(v->sum.findings, 0, sizeof v->sum.findings);
    for (size_t i = 0; i < v->n; i++)
        f[v->f[i].severity & 3]++;
    if (f[DF_SEVERITY_ERROR] > 0)
        v->sum.verdict = DF_VERDICT_DAMAGED;
    else if (f[DF_SEVERITY_UNKNOWN] > 0 || v->f == NULL)
        v->sum.verdict = DF_VERDICT_UNKNOWN;
    else if (f[DF_SEVERITY_WARNING] > 0)
        v->sum.verdict = DF_VERDICT_WARNING;
    else
        v->sum.verdict = DF_VERDICT_OK;
}

/* The value checks' columns of each entry go to the result (df_verify_value_columns). */
static void keep_value_columns(vctx *c)
{
    c->v->vts = calloc(c->n ? c->n : 1, sizeof *c->v->vts);
    if (c->v->vts == NULL)
        return;
    c->v->nvts = c->n;
    for (size_t i = 0; i < c->n; i++) {
        c->v->vts[i] = c->ents[i].decoded || c->ents[i].rows > 0 ? c->ents[i].vt : NULL;
        if (c->v->vts[i] != NULL)
            c->ents[i].vt = NULL;
    }
}

/* Each entry's complete rows before a cut go to the result (df_verify_rows_before_cut). */
static void keep_cut_rows(vctx *c)
{
    c->v->cut_rows = malloc((c->n ? c->n : 1) * sizeof *c->v->cut_rows);
    if (c->v->cut_rows == NULL)
        return;
    c->v->ncut_rows = c->n;
    for (size_t i = 0; i < c->n; i++)
        c->v->cut_rows[i] = c->ents[i].cut_rows;
}

int64_t df_verify_rows_before_cut(const df_verify *v, size_t index)
{
    return v != NULL && index < v->ncut_rows ? v->cut_rows[index] : -1;
}

int df_verify_value_columns(const df_verify *v, size_t index)
{
    return v != NULL && index < v->nvts && v->vts[index] != NULL ? v->vts[index]->ncols : -1;
}

const char *df_verify_value_column(const df_verify *v, size_t index, int k, const char **type,
                                   int *checked)
{
    const dfi_vcol *c;

    if (df_verify_value_columns(v, index) <= k || k < 0)
        return NULL;
    c = &v->vts[index]->cols[k];
    if (type)
        *type = c->type;
    if (checked)
        *checked = c->kind != DFI_VK_NONE;
    return c->name;
}

static void free_ctx(vctx *c)
{
    for (size_t i = 0; c->ents && i < c->n; i++) {
        ventry *ve = &c->ents[i];
        for (size_t k = 0; k < ve->nlos; k++)
            free(ve->los[k].name);
        free(ve->los);
        dfi_lowant_free(&ve->want);
        free(ve->w);
        dfi_vtable_free(ve->vt);
        free(ve->member);
        vfy_vlist_free(&ve->finds);
    }
    free(c->ents);
    free(c->by_file);
    dfi_seqfacts_free(&c->seq);
    vfy_vlist_free(&c->pre);
    vfy_vlist_free(&c->post);
    dfi_pool_free(&c->pool);
}

/* Every check that needs the TOC only, then the data, then what needs both. */
static void verify_opened(vctx *c)
{
    toc_cut_finding(c);
    if (setup_entries(c) != DF_OK) {
        c->pre.oom = true;
        return;
    }
    check_version(c);
    check_duplicates(c);
    check_entries(c);
    if (c->r->hdr.format == DF_FORMAT_CUSTOM)
        check_offsets_present(c);
    lo_expectations(c);
    if (!c->opt->quick)
        seq_prepare(c);
    switch (c->r->hdr.format) {
    case DF_FORMAT_CUSTOM: verify_stream_format(c, false); break;
    case DF_FORMAT_TAR: verify_stream_format(c, true); break;
    case DF_FORMAT_DIRECTORY: verify_directory(c); break;
    case DF_FORMAT_PLAIN: vfy_verify_plain(c); break;
    default:
        vfy_vlist_add(&c->pre, DF_FIND_UNSUPPORTED, DF_SEVERITY_UNKNOWN, NULL, -1, NULL,
                  "%s dumps cannot be verified yet", df_format_name(c->r->hdr.format));
        break;
    }
    for (size_t i = 0; i < c->n; i++)
        if (c->ents[i].blobs && !c->ents[i].los_over) /* not all were recorded */
            lo_check(c, &c->ents[i]);
    if (!c->opt->quick)
        seq_check(c);
    if (c->r->hdr.format == DF_FORMAT_DIRECTORY && c->path != NULL)
        directory_decoded_offsets(c);
}

static int pg_restore_after(df_verify *v, int pg_major);

static int verify_run(const char *path, int fd, const char *name, const df_verify_options *opt,
                      bool pipe_always, df_verify **out)
{
    df_verify *v;
    vctx c;
    vtap tap;
    const dfi_plain_tap tap_hooks = vfy_plain_tap_hooks(&tap);
    int rc;

    *out = NULL;
    memset(&tap, 0, sizeof tap);
    tap.values = !opt->quick && !opt->no_values;
    v = calloc(1, sizeof *v);
    if (v == NULL || (v->r = df_reader_new(opt->limits)) == NULL) {
        free(v);
        return DF_E_NOMEM;
    }
    df_reader_set_follow_symlinks(v->r, opt->follow_symlinks);
    df_reader_set_salvage_toc(v->r, opt->salvage_toc);
    memset(&c, 0, sizeof c);
    c.opt = opt;
    c.v = v;
    c.file_size = -1;
    c.pipe_always = pipe_always && opt->threads > 1;
    dfi_pool_init(&c.pool);
    if (path != NULL && strcmp(path, "-") == 0) {
        path = NULL;
        fd = 0;
        name = "-";
    }
    /* the reader reports a plain script's progress during its one pass at open */
    df_reader_set_progress(v->r, opt->progress, opt->progress_ctx);
    if (!opt->quick) {
        c.tap = &tap; /* a plain script is checked while it is read, in one pass */
        v->r->plain_tap = &tap_hooks;
    }
    rc = path != NULL ? df_reader_open_path(v->r, path) : df_reader_open_fd(v->r, fd, name);
    v->r->plain_tap = NULL;
    if (rc != DF_OK || v->r->hdr.format != DF_FORMAT_PLAIN)
        df_reader_set_progress(v->r, NULL, NULL);
    if (rc != DF_OK) {
        open_failed(&c, v->r, rc);
    } else {
        c.r = v->r;
        if (c.r->src.seekable && c.r->hdr.format != DF_FORMAT_DIRECTORY)
            c.file_size = c.r->src.size;
        if (path != NULL && (c.r->src.seekable || c.r->hdr.format == DF_FORMAT_DIRECTORY))
            c.path = df_reader_path(c.r);
        verify_opened(&c);
    }
    fill_summary(&c);
    merge_findings(&c);
    set_verdict(v);
    keep_value_columns(&c);
    keep_cut_rows(&c);
    free_ctx(&c);
    vfy_tap_free(&tap);
    if (opt->pg_restore_for != NULL) /* out of memory here: the check stands without it */
        (void)pg_restore_after(v, opt->pg_restore_for(opt->pg_restore_ctx, df_reader_header(v->r)));
    *out = v;
    return DF_OK;
}

/*
 * A damaged archive is a successful check (its findings say what is wrong):
 * err is only for the check that could not run (misuse, memory).
 */
static int verify_result(int rc, df_error *err)
{
    if (rc == DF_E_USAGE)
        return dfi_fail(err, rc, -1, "df_verify needs an archive and a result pointer");
    if (rc != DF_OK)
        return dfi_fail(err, rc, -1, "out of memory");
    return rc;
}

int df_verify_path(const char *path, const df_verify_options *opt, df_verify **out,
                   df_error *err)
{
    df_verify_options o;
    int rc;

    if (out == NULL)
        return verify_result(DF_E_USAGE, err);
    *out = NULL;
    if (path == NULL)
        return verify_result(DF_E_USAGE, err);
    if ((rc = take_options(opt, &o, err)) != DF_OK)
        return rc;
    return verify_result(verify_run(path, -1, path, &o, false, out), err);
}

int dfi_verify_path_piped(const char *path, const df_verify_options *opt, df_verify **out)
{
    df_verify_options o;
    df_error err;
    int rc = take_options(opt, &o, &err);

    return rc != DF_OK ? rc : verify_run(path, -1, path, &o, true, out);
}

int df_verify_fd(int fd, const char *display_name, const df_verify_options *opt, df_verify **out,
                 df_error *err)
{
    df_verify_options o;
    int rc;

    if (out == NULL)
        return verify_result(DF_E_USAGE, err);
    *out = NULL;
    if ((rc = take_options(opt, &o, err)) != DF_OK)
        return rc;
    return verify_result(verify_run(NULL, fd, display_name ? display_name : "-", &o, false, out),
                         err);
}

const df_verify_summary *df_verify_get_summary(const df_verify *v)
{
    return &v->sum;
}
size_t df_verify_count(const df_verify *v)
{
    return v->n;
}

const df_finding *df_verify_finding(const df_verify *v, size_t i)
{
    return i < v->n ? &v->f[i] : NULL;
}

const df_reader *df_verify_reader(const df_verify *v)
{
    return v->r;
}

/*
 * The archive-version comparison after the fact, for a caller that learns
 * the pg_restore release from the archive (df_verify_options.pg_restore_for):
 * the finding goes first, where df_verify_options.pg_restore_version would
 * have put it; also when the TOC could not be read, the header was.
 */
static int pg_restore_after(df_verify *v, int pg_major)
{
    char msg[V_MSG];
    vlist one = {NULL, 0, 0, false};
    df_finding *nf;

    if (v == NULL)
        return DF_E_USAGE;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->f[i].code, DF_FIND_ARCHIVE_NEWER) == 0)
            return DF_OK;
    if (v->f == NULL || !archive_too_new(df_reader_header(v->r), pg_major, msg, sizeof msg))
        return DF_OK;
    vfy_vlist_add(&one, DF_FIND_ARCHIVE_NEWER, DF_SEVERITY_WARNING, NULL, 5, NULL, "%s", msg);
    if (df_reader_header(v->r)->format == DF_FORMAT_DIRECTORY) {
        vctx c = {.path = df_reader_path(v->r), .r = v->r}; /* all vfy_dir_discover needs */
        char tocname[300];
        dfi_wrap wrap;
        int64_t size;
        df_error err;

        if (c.path != NULL &&
            vfy_dir_discover(&c, "toc.dat", tocname, sizeof tocname, &wrap, &size, &err) == DF_OK &&
            wrap != DFI_WRAP_RAW)
            toc_decoded_offsets(&one, tocname);
    }
    nf = one.n == 1 ? realloc(v->f, (v->n + 1) * sizeof *v->f) : NULL;
    if (nf == NULL) {
        vfy_vlist_free(&one);
        return DF_E_NOMEM;
    }
    memmove(nf + 1, nf, v->n * sizeof *nf);
    nf[0] = one.v[0];
    free(one.v);
    v->f = nf;
    v->n++;
    set_verdict(v);
    return DF_OK;
}

void df_verify_free(df_verify *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->n; i++)
        free((void *)v->f[i].message);
    free(v->f);
    for (size_t i = 0; i < v->nvts; i++)
        dfi_vtable_free(v->vts[i]);
    free(v->vts);
    free(v->cut_rows);
    df_reader_free(v->r);
    free(v);
}
