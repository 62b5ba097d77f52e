/*
 * salvage.c — what of a damaged archive can still be restored: per entry
 * intact, partial (complete rows before the damage), lost, changed (a
 * foreign key that could no longer validate) or dropped (needs what was
 * lost), and the pg_restore -L list of everything that restores from the
 * archive as it is.  The damage comes from the verifier's findings; the
 * rows are counted by reading the damaged streams again through the
 * reader, never by walking bytes here.
 */
#include "internal.h"
#include "splice_gz.h"

#include <stdlib.h>
#include <string.h>

#define READ_CHUNK 65536

typedef struct sv_entry {
    df_salvage_entry pub;
    char *reason;   /* owned texts behind pub's pointers */
    char *defn;
    char *member;
    char *lreason;
    int64_t safe;   /* decoded bytes that come out in big pieces before the damage */
    int64_t keep_bytes; /* the kept rows' (INSERT: statements') bytes, from the start */
    dfi_zmark *cut;     /* a cut deflate stream: where the repair can splice it, or NULL */
} sv_entry;

struct df_salvage {
    const df_reader *r;
    size_t n;
    sv_entry *e;
    df_salvage_summary sum;
    df_graph *g;
    df_selection *sel;
    size_t *order;
    size_t norder;
    int pg;
    int flags; /* DF_SALVAGE_* */
    df_error cut; /* a cut TOC: where (df_reader_toc_cut) */
    int32_t *lost_ids; /* a cut TOC: ids its directory still names (dfi_dir_orphan_ids) */
    size_t nlost_ids;
};

const char *df_salvage_state_name(int state)
{
    static const char *const names[] = {"intact", "partial", "lost", "changed", "dropped"};

    return state >= 0 && state <= DF_SALVAGE_DROPPED ? names[state] : "unknown";
}

/* ------------------------------------------------------------------ */
/* Complete COPY rows                                                   */
/* ------------------------------------------------------------------ */

/*
 * Fields of a COPY statement's column list: "COPY s."T (x)" (a, "b,c") FROM
 * stdin;" has 2.  Quoted names may hold parentheses and commas.  0 when the
 * list is absent (a table without columns: its rows are empty lines).
 */
static int copy_columns(const char *stmt)
{
    bool quoted = false;
    int depth = 0, cols = 0;

    for (const char *p = stmt; *p; p++) {
        if (*p == '"') {
            quoted = !quoted;
            continue;
        }
        if (quoted)
            continue;
        if (*p == '(' && depth++ == 0) {
            cols = 1;
            continue;
        }
        if (*p == ')' && depth > 0 && --depth == 0)
            return cols;
        if (depth == 1 && *p == ',')
            cols++;
    }
    return 0;
}

/*
 * Counts the rows of COPY text that a restore could keep: lines ended by a
 * newline whose field count is the COPY list's, up to the first line that
 * is not one (a bad row ends the salvage as surely as the damage does).
 */
typedef struct row_scan {
    int ncols;
    int64_t rows;
    int64_t pos;      /* bytes scanned */
    int64_t end;      /* bytes up to the end of the last row counted */
    int64_t tabs;     /* in the current line */
    int64_t len;      /* bytes of the current line */
    char head[3];     /* its first bytes, for "\." */
    bool escape;      /* the previous byte was a backslash */
    bool stopped;     /* a bad row or the terminator: nothing after it counts */
    bool terminated;
} row_scan;

static void scan_line_end(row_scan *s)
{
    bool term = (s->len == 2 || (s->len == 3 && s->head[2] == '\r')) && s->head[0] == '\\' &&
                s->head[1] == '.';

    if (term) {
        s->terminated = s->stopped = true;
    } else if (s->ncols == 0 ? s->len == 0 : s->tabs + 1 == s->ncols) {
        s->rows++;
        s->end = s->pos;
    } else {
        s->stopped = true;
    }
    s->tabs = s->len = 0;
    s->escape = false;
}

/* Byte by byte: any line, escapes and NULs included. */
static void scan_slow(row_scan *s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n && !s->stopped; i++) {
        uint8_t c = p[i];

        if (c == 0) {
            /*
             * COPY text never holds a NUL (PostgreSQL text cannot): the
             * sign byte of a chunk header that a wrong chunk length fed in.
             */
            s->stopped = true;
            break;
        }
        s->pos++;
        if (c == '\n' && !s->escape) {
            scan_line_end(s);
            continue;
        }
        if (s->len < (int64_t)sizeof s->head)
            s->head[s->len] = (char)c;
        s->len++;
        if (s->escape)
            s->escape = false;
        else if (c == '\\')
            s->escape = true;
        else if (c == '\t')
            s->tabs++;
    }
}

/*
 * The same count, a line piece at a time: the pieces without a backslash or
 * NUL (nearly all of them) need only their tabs counted, which memchr and a
 * branch-free loop do several times faster than the byte loop; the others
 * go through it.
 */
static void scan_pieces(row_scan *s, const uint8_t *p, size_t n)
{
    while (n > 0 && !s->stopped) {
        const uint8_t *nl = memchr(p, '\n', n);
        size_t seg = nl ? (size_t)(nl - p) : n, take = nl ? seg + 1 : seg;
        int64_t tabs = 0;

        if (s->escape || memchr(p, '\\', seg) != NULL || memchr(p, 0, seg) != NULL) {
            scan_slow(s, p, take);
        } else {
            for (size_t i = 0; i < seg; i++)
                tabs += p[i] == '\t';
            for (size_t i = 0; i < seg && s->len + (int64_t)i < (int64_t)sizeof s->head; i++)
                s->head[s->len + (int64_t)i] = (char)p[i];
            s->tabs += tabs;
            s->len += (int64_t)seg;
            s->pos += (int64_t)take;
            if (nl != NULL)
                scan_line_end(s);
        }
        p += take;
        n -= take;
    }
}

#ifdef __SSE2__
#include <emmintrin.h>

/* Bit i set where p[i] == c, for the 64 bytes at p. */
static inline uint64_t eq64(const uint8_t *p, char c)
{
    const __m128i k = _mm_set1_epi8(c);
    uint64_t m = 0;

    for (int i = 0; i < 4; i++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        m |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, k)) << (16 * i);
    }
    return m;
}

/* The bytes [from, to) of a block, all of one line: its length, tabs and first bytes. */
static void line_part(row_scan *s, const uint8_t *p, uint64_t tab, int from, int to)
{
    uint64_t span = (to - from == 64 ? ~(uint64_t)0 : (((uint64_t)1 << (to - from)) - 1)) << from;

    for (int i = from; i < to && s->len + (i - from) < (int64_t)sizeof s->head; i++)
        s->head[s->len + (i - from)] = (char)p[i];
    s->tabs += __builtin_popcountll(tab & span);
    s->len += to - from;
    s->pos += to - from;
}

/*
 * The count 64 bytes at a time (issue 13: the count of a big cut table had been a third of
 * a repair): one pass finds the block's newlines, tabs, backslashes and NULs; a block with
 * neither of the last two (nearly all) is counted from the masks, line by line; any other
 * goes through the byte loop, as does a last piece under 64 bytes.  Same rows as scan_pieces.
 */
static void scan_feed(row_scan *s, const uint8_t *p, size_t n)
{
    while (n >= 64 && !s->stopped) {
        uint64_t nl = eq64(p, '\n'), tab = eq64(p, '\t');
        int from = 0;

        if (s->escape || (eq64(p, '\\') | eq64(p, 0)) != 0) {
            scan_slow(s, p, 64);
        } else {
            while (nl != 0 && !s->stopped) {
                int at = __builtin_ctzll(nl);
                line_part(s, p, tab, from, at);
                s->pos++; /* the newline */
                scan_line_end(s);
                from = at + 1;
                nl &= nl - 1;
            }
            if (!s->stopped && from < 64)
                line_part(s, p, tab, from, 64);
        }
        p += 64;
        n -= 64;
    }
    scan_pieces(s, p, n);
}
#else
static void scan_feed(row_scan *s, const uint8_t *p, size_t n)
{
    scan_pieces(s, p, n);
}
#endif

typedef struct count_run {
    row_scan scan;
    df_rowcount *ins; /* INSERT-mode data: whole statements */
    int64_t boundary; /* rows counted when the stream's last chunk began */
    int64_t mark;     /* the reader's chunk_out last seen */
    int64_t boundary_end; /* the rows' (statements') bytes when boundary was taken */
    int status;       /* the read's end: DF_OK (stream ended), else its error */
    dfi_ztail *z;     /* set: a cut deflate stream whose end is kept for a splice */
} count_run;

static int64_t run_rows(const count_run *c)
{
    return c->ins ? dfi_rowcount_statement_rows(c->ins) : c->scan.rows;
}

static void run_feed(count_run *c, const uint8_t *p, size_t n)
{
    if (c->ins)
        df_rowcount_feed(c->ins, p, n);
    else
        scan_feed(&c->scan, p, n);
}

/*
 * The reader hands out every byte decoded before the damage (the bytes of
 * the failing call first, then the error), so one pass in big pieces sees
 * all that survived.  `safe` is how many bytes that pass got: emit_rows
 * reads no further than that.
 */
typedef struct careful {
    df_reader *r;
    int64_t safe; /* bytes that come out in big pieces; -1: not known yet */
    int64_t done;
} careful;

static int64_t careful_read(careful *c, uint8_t *buf)
{
    size_t want = READ_CHUNK;
    int64_t got;

    if (c->safe >= 0 && c->done >= c->safe)
        want = 1;
    else if (c->safe >= 0 && c->safe - c->done < (int64_t)want)
        want = (size_t)(c->safe - c->done);
    got = df_reader_read_data(c->r, buf, want);
    if (got > 0)
        c->done += got;
    return got;
}

/*
 * Feed the got bytes just read (the stream's bytes [done - got, done)),
 * noting the rows before the last chunk begun: the reader marks where its
 * output stood when it took that chunk (r->chunk_out).
 */
static void feed_marked(count_run *c, int64_t mark, const uint8_t *buf, int64_t got,
                        int64_t done)
{
    int64_t start = done - got;

    if (mark == c->mark || mark < start || mark > done) {
        c->mark = mark;
        run_feed(c, buf, (size_t)got);
        return;
    }
    c->mark = mark;
    run_feed(c, buf, (size_t)(mark - start));
    /*
     * A bad row before the mark stopped the count inside an earlier chunk
     * (the decoder read on past it): the boundary stays at that chunk's start.
     */
    if (c->ins || !c->scan.stopped) {
        c->boundary = run_rows(c);
        c->boundary_end = c->ins ? dfi_rowcount_statement_end(c->ins) : c->scan.end;
    }
    run_feed(c, buf + (mark - start), (size_t)(done - mark));
}

/* A piece read (the stream's bytes [done - got, done)): to the kept tail and the count; false
 * once the count stopped (a bad row or the terminator). */
static bool take_piece(count_run *c, int64_t mark, const uint8_t *p, int64_t got, int64_t done)
{
    if (c->z != NULL)
        dfi_ztail_feed(c->z, p, (size_t)got);
    feed_marked(c, mark, p, got, done);
    return c->ins != NULL || !c->scan.stopped;
}

/*
 * The same pass with the decoding on a thread of its own (DF_SALVAGE_THREADS): a big table's
 * inflate and its row count take about as long each, so the two overlap.  The pieces are the
 * serial pass's reads (READ_CHUNK each, in order), with the chunk mark of each.
 */
static bool piped_pass(df_reader *r, count_run *c, careful *k)
{
    dfi_rpipe *p = dfi_rpipe_start(r, READ_CHUNK);

    if (p == NULL)
        return false; /* no thread: the serial pass */
    for (;;) {
        const uint8_t *data;
        int64_t got = dfi_rpipe_next(p, &data);

        if (got <= 0) {
            c->status = got == 0 ? DF_OK : (int)got;
            break;
        }
        k->done += got;
        if (!take_piece(c, dfi_rpipe_mark(p), data, got, k->done))
            break;
    }
    dfi_rpipe_stop(p);
    return true;
}

/* The pass in this thread: reads in big pieces, then one byte at a time past `safe`. */
static void serial_pass(df_reader *r, count_run *c, careful *k, uint8_t *buf)
{
    for (;;) {
        int64_t got = careful_read(k, buf);

        if (got <= 0) {
            c->status = got == 0 ? DF_OK : (int)got;
            break;
        }
        if (!take_piece(c, r->chunk_out, buf, got, k->done))
            break;
    }
}

/*
 * Read e's data until it ends or fails, counting what a restore keeps.  how: DF_SALVAGE_SPLICE
 * (a cut deflate stream's end is kept for the splice), DF_SALVAGE_THREADS.
 */
static int count_pass(df_reader *r, const df_entry *e, count_run *c, careful *k, uint8_t *buf,
                      int how)
{
    c->mark = -1;
    c->status = df_reader_open_data(r, e);
    if (c->status != DF_OK)
        return DF_OK;
    if ((how & DF_SALVAGE_SPLICE) && (c->z = dfi_ztail_new(r->wrap)) == NULL &&
        (r->wrap == DFI_WRAP_ZLIB || r->wrap == DFI_WRAP_GZIP))
        c->status = DF_E_NOMEM;
    if (c->status == DF_OK && !((how & DF_SALVAGE_THREADS) && piped_pass(r, c, k)))
        serial_pass(r, c, k, buf);
    df_reader_close_data(r);
    return c->status == DF_E_NOMEM ? DF_E_NOMEM : DF_OK;
}

static int count_table_rows(df_reader *r, const df_entry *e, count_run *c, int64_t *safe,
                            uint8_t *buf, int how)
{
    careful k = {r, -1, 0};
    int rc = count_pass(r, e, c, &k, buf, how);

    *safe = k.done;
    return rc;
}

/* Large objects read whole before the damage. */
static int count_los(df_reader *r, const df_entry *e, int64_t *los, uint8_t *buf)
{
    uint32_t oid;
    int rc = df_reader_open_data(r, e);

    *los = 0;
    while (rc == DF_OK && (rc = df_reader_next_lo(r, &oid)) == DF_OK) {
        int64_t got;
        while ((got = df_reader_read_data(r, buf, READ_CHUNK)) > 0)
            ;
        if (got < 0) {
            rc = (int)got;
            break;
        }
        (*los)++;
    }
    df_reader_close_data(r);
    return rc == DF_E_NOMEM ? rc : DF_OK;
}

/* ------------------------------------------------------------------ */
/* Building                                                             */
/* ------------------------------------------------------------------ */

static char *dup_text(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int set_text(char **slot, const char **pub, const char *text)
{
    free(*slot);
    if ((*slot = dup_text(text)) == NULL)
        return DF_E_NOMEM;
    *pub = *slot;
    return DF_OK;
}

static bool is_data_entry(const df_entry *e)
{
    return df_entry_has_data(e) != 0;
}

/* The first error finding of each entry is its damage. */
static int take_findings(df_salvage *s, const df_verify *v)
{
    size_t nf = df_verify_count(v);

    for (size_t k = 0; k < nf; k++) {
        const df_finding *f = df_verify_finding(v, k);
        sv_entry *x;

        if (f->severity != DF_SEVERITY_ERROR || f->entry == NULL || f->entry->index >= s->n)
            continue;
        x = &s->e[f->entry->index];
        if (x->pub.code != NULL)
            continue;
        x->pub.code = f->code;
        x->pub.damage_offset = f->offset;
        if (set_text(&x->member, &x->pub.member, f->member ? f->member : "") != DF_OK ||
            set_text(&x->reason, &x->pub.reason, f->message) != DF_OK)
            return DF_E_NOMEM;
        x->pub.state = DF_SALVAGE_LOST;
    }
    return DF_OK;
}

static int raw_piece(void *ctx, const uint8_t **p, size_t *n);

/* Where the repair can splice the kept rows' stream: a block boundary before their end. */
static int keep_cut(df_reader *r, const df_entry *e, sv_entry *x, const dfi_ztail *z)
{
    int rc;

    if ((x->cut = malloc(sizeof *x->cut)) == NULL)
        return DF_E_NOMEM;
    rc = df_reader_open_data(r, e);
    if (rc == DF_OK)
        rc = dfi_ztail_mark(z, x->keep_bytes, raw_piece, r, x->cut);
    df_reader_close_data(r);
    if (rc == DF_OK)
        return DF_OK;
    free(x->cut); /* none found: the rows are encoded again */
    x->cut = NULL;
    return rc == DF_E_NOMEM ? rc : DF_OK;
}

/* Count what survives of one damaged data entry; PARTIAL when anything does. */
static int measure_damaged(df_salvage *s, df_reader *r, size_t i, uint8_t *buf)
{
    const df_entry *e = df_reader_toc_at(r, i);
    df_salvage_entry *p = &s->e[i].pub;
    count_run c;
    int rc;

    if (!is_data_entry(e))
        return DF_OK;
    if (df_entry_is_blobs(e)) {
        rc = count_los(r, e, &p->rows_kept, buf);
        p->rows_unverified = 0;
    } else {
        memset(&c, 0, sizeof c);
        if (e->copy_stmt == NULL && (c.ins = df_rowcount_new(DF_ROWS_INSERT)) == NULL)
            return DF_E_NOMEM;
        c.scan.ncols = e->copy_stmt ? copy_columns(e->copy_stmt) : 0;
        /* a cut stream the repair splices (the rows before the cut keep their bytes) */
        rc = count_table_rows(r, e, &c, &s->e[i].safe, buf,
                              ((s->flags & DF_SALVAGE_SPLICE) &&
                                       strcmp(s->e[i].pub.code, DF_FIND_TRUNCATED) == 0
                                   ? DF_SALVAGE_SPLICE
                                   : 0) |
                                  (s->flags & DF_SALVAGE_THREADS));
        p->rows_kept = run_rows(&c);
        /*
         * A decoder notices a flipped bit only later, and a wrong chunk length
         * feeds the next chunk's header to it as data (rows of garbage that
         * may even have the right field count, up to a bad row): after any
         * damage but a clean cut, nothing of the last chunk begun is trusted
         * (lz4 and uncompressed data have no checksum, deflate's comes at the
         * end: a flip shows as garbage rows until one is not a valid row).
         */
        bool broken = (c.status != DF_OK && c.status != DF_E_TRUNCATED) ||
                      (!c.ins && c.scan.stopped && !c.scan.terminated);
        p->rows_unverified = broken && p->rows_kept > c.boundary
                                 ? p->rows_kept - c.boundary
                                 : 0;
        /* the kept rows' bytes, so that they are handed on without being scanned again */
        s->e[i].keep_bytes = (s->flags & DF_SALVAGE_STRICT) && p->rows_unverified > 0
                                 ? c.boundary_end
                             : c.ins ? dfi_rowcount_statement_end(c.ins)
                                     : c.scan.end;
        df_rowcount_free(c.ins);
        if (s->flags & DF_SALVAGE_STRICT)
            p->rows_kept -= p->rows_unverified; /* dropped: written never, counted apart */
        if (c.z != NULL && rc == DF_OK && p->rows_kept > 0)
            rc = keep_cut(r, e, &s->e[i], c.z);
        dfi_ztail_free(c.z);
    }
    if (rc != DF_OK)
        return rc;
    if (p->rows_kept > 0)
        p->state = DF_SALVAGE_PARTIAL;
    return DF_OK;
}

/*
 * The verifier stops at the first block it cannot walk, so each entry whose
 * block lies past that damage is "missing-data" to it.  The reader finds
 * such a block by its TOC offset (the block header checked) or, without
 * offsets, by resynchronising past the damage (fmt_custom.c); when its
 * whole stream then decodes to a clean end, the entry is intact after all.
 */
static int found_past_damage(df_salvage *s, df_reader *r, size_t i)
{
    sv_entry *x = &s->e[i];
    const df_entry *e = &r->entries[i];
    int rc;

    if (x->pub.code == NULL || strcmp(x->pub.code, DF_FIND_MISSING_DATA) != 0 ||
        !is_data_entry(e))
        return DF_OK;
    rc = df_reader_measure(r, e, NULL, NULL, NULL);
    df_reader_close_data(r);
    if (rc != DF_OK)
        return rc == DF_E_NOMEM ? rc : DF_OK;
    free(x->reason);
    free(x->member);
    x->reason = x->member = NULL;
    x->pub.reason = x->pub.member = NULL;
    x->pub.code = NULL;
    x->pub.state = DF_SALVAGE_INTACT;
    x->pub.damage_offset = -1;
    return DF_OK;
}

/* ------------------------------------------------------------------ */
/* Large objects of damaged BLOBS entries                               */
/* ------------------------------------------------------------------ */

/* The BLOB / BLOB METADATA entries a damaged BLOBS entry restores the data of go with it. */
static int drop_blob_entries(df_salvage *s, size_t b)
{
    const size_t *req;
    size_t nreq = df_graph_requires(s->g, b, &req);

    for (size_t k = 0; k < nreq; k++) {
        const df_entry *e = &s->r->entries[req[k]];
        sv_entry *x = &s->e[req[k]];
        if (!dfi_desc_is(e, "BLOB") && !dfi_desc_is(e, "BLOB METADATA"))
            continue;
        if (x->pub.state != DF_SALVAGE_INTACT)
            continue;
        x->pub.state = DF_SALVAGE_DROPPED;
        x->pub.cause = (int64_t)b;
        if (set_text(&x->reason, &x->pub.reason,
                     "the data of this large object are lost or damaged") != DF_OK)
            return DF_E_NOMEM;
    }
    return DF_OK;
}

/*
 * A cut TOC may keep BLOB entries (pre-data in older archives) but not the
 * BLOBS entry with their data, which came later: restored, they would be
 * empty large objects.  Those no kept BLOBS entry covers are dropped.
 */
static int drop_cut_blobs(df_salvage *s)
{
    bool *covered;
    int rc = DF_OK;

    if (!df_reader_toc_cut(s->r, NULL, NULL))
        return DF_OK;
    if ((covered = calloc(s->n ? s->n : 1, sizeof *covered)) == NULL)
        return DF_E_NOMEM;
    for (size_t b = 0; b < s->n; b++) {
        const size_t *req;
        size_t nreq = df_entry_is_blobs(&s->r->entries[b]) ? df_graph_requires(s->g, b, &req) : 0;
        for (size_t k = 0; k < nreq; k++)
            covered[req[k]] = true;
    }
    for (size_t i = 0; i < s->n && rc == DF_OK; i++) {
        const df_entry *e = &s->r->entries[i];
        sv_entry *x = &s->e[i];
        if (covered[i] || x->pub.state != DF_SALVAGE_INTACT ||
            (!dfi_desc_is(e, "BLOB") && !dfi_desc_is(e, "BLOB METADATA")))
            continue;
        x->pub.state = DF_SALVAGE_DROPPED;
        if (set_text(&x->reason, &x->pub.reason,
                     "the data of this large object came after the cut in the TOC") != DF_OK)
            rc = DF_E_NOMEM;
    }
    free(covered);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Foreign keys whose referenced table lost rows                        */
/* ------------------------------------------------------------------ */

/* Parse one (possibly quoted) identifier at *p into out; false when there is none. */
static bool parse_ident(const char **p, char *out, size_t n)
{
    const char *q = *p;
    size_t k = 0;

    if (*q == '"') {
        for (q++; *q; q++) {
            if (*q == '"' && q[1] == '"')
                q++;
            else if (*q == '"')
                break;
            if (k + 1 < n)
                out[k++] = *q;
        }
        if (*q != '"')
            return false;
        q++;
    } else {
        while (*q && *q != '.' && *q != '(' && *q != ' ' && *q != '\n' && *q != ';') {
            if (k + 1 < n)
                out[k++] = *q;
            q++;
        }
    }
    out[k] = '\0';
    *p = q;
    return k > 0;
}

/* The TABLE entry an FK CONSTRAINT's REFERENCES clause names, or -1. */
static int64_t referenced_table(const df_reader *r, const df_entry *fk)
{
    const char *p = fk->defn ? strstr(fk->defn, " REFERENCES ") : NULL;
    char a[256], b[256];

    if (p == NULL)
        return -1;
    p += strlen(" REFERENCES ");
    if (!parse_ident(&p, a, sizeof a))
        return -1;
    if (*p == '.') {
        p++;
        if (!parse_ident(&p, b, sizeof b))
            return -1;
    } else {
        memmove(b, a, sizeof b);
        a[0] = '\0';
    }
    for (size_t i = 0; i < r->nentries; i++) {
        const df_entry *e = &r->entries[i];
        if (dfi_desc_is(e, "TABLE") && e->tag && strcmp(e->tag, b) == 0 &&
            (a[0] == '\0' || (e->schema && strcmp(e->schema, a) == 0)))
            return (int64_t)i;
    }
    return -1;
}

/* Is table t (a TABLE entry index) `top` or one of its partitions, at any depth? */
static bool within(const df_graph *g, int64_t t, int64_t top)
{
    for (int depth = 0; t >= 0 && depth < 64; depth++) {
        if (t == top)
            return true;
        t = df_graph_partition_parent(g, (size_t)t);
    }
    return false;
}

/*
 * Rows that table `top` (with its partitions) loses, and whether it keeps
 * any: *lost is the TOC index of a damaged data entry of it, or -1.
 */
static void table_rows(const df_salvage *s, int64_t top, int64_t *lost, bool *keeps)
{
    *lost = -1;
    *keeps = false;
    for (size_t i = 0; i < s->n; i++) {
        const df_entry *e = &s->r->entries[i];
        int st = s->e[i].pub.state;
        if (!dfi_desc_is(e, "TABLE DATA") || !within(s->g, df_graph_owner(s->g, i), top))
            continue;
        if (st == DF_SALVAGE_PARTIAL || st == DF_SALVAGE_LOST) {
            if (*lost < 0)
                *lost = (int64_t)i;
        }
        if (st != DF_SALVAGE_LOST)
            *keeps = true;
    }
}

/* The definition with NOT VALID before its final semicolon. */
static char *not_valid_defn(const char *defn)
{
    const char *semi = strrchr(defn, ';');
    size_t at = semi ? (size_t)(semi - defn) : strlen(defn);
    size_t len = strlen(defn);
    char *out = malloc(len + sizeof " NOT VALID");

    if (out == NULL)
        return NULL;
    memcpy(out, defn, at);
    memcpy(out + at, " NOT VALID", 10);
    memcpy(out + at + 10, defn + at, len - at + 1);
    return out;
}

/* Is table t (a TABLE entry index) partitioned: the parent of some other table? */
static bool is_partitioned(const df_salvage *s, int64_t t)
{
    for (size_t i = 0; t >= 0 && i < s->n; i++)
        if (df_graph_partition_parent(s->g, i) == t)
            return true;
    return false;
}

/*
 * PostgreSQL before 18 refuses a NOT VALID foreign key on a partitioned
 * table ("not yet supported"), and the restore target's release is not
 * known here: such a key is left out, for the DBA to add once the orphans
 * are dealt with, rather than failing the restore.
 */
static int drop_partitioned_fk(sv_entry *x, int64_t lost, const char *name)
{
    char buf[800];

    snprintf(buf, sizeof buf,
             "references a table whose rows were lost (%s) and is on a partitioned table, "
             "where PostgreSQL before 18 cannot create it NOT VALID: left out; add it with "
             "ALTER TABLE ... ADD CONSTRAINT once the orphaned rows are dealt with",
             name);
    x->pub.state = DF_SALVAGE_DROPPED;
    x->pub.cause = lost;
    return set_text(&x->reason, &x->pub.reason, buf);
}

static int mark_foreign_keys(df_salvage *s)
{
    char buf[700], name[500];

    for (size_t i = 0; i < s->n; i++) {
        const df_entry *fk = &s->r->entries[i];
        sv_entry *x = &s->e[i];
        int64_t ref, lost, dummy;
        bool keeps, ref_keeps;

        if (!dfi_desc_is(fk, "FK CONSTRAINT") || x->pub.state != DF_SALVAGE_INTACT ||
            fk->defn == NULL || strstr(fk->defn, "NOT VALID") != NULL)
            continue;
        if ((ref = referenced_table(s->r, fk)) < 0)
            continue;
        table_rows(s, ref, &lost, &ref_keeps);
        if (lost < 0)
            continue;
        table_rows(s, df_graph_owner(s->g, i), &dummy, &keeps);
        if (!keeps)
            continue; /* no referencing row restores: nothing can be orphaned */
        dfi_entry_label(&s->r->entries[lost], name, sizeof name);
        if (is_partitioned(s, df_graph_owner(s->g, i))) {
            if (drop_partitioned_fk(x, lost, name) != DF_OK)
                return DF_E_NOMEM;
            continue;
        }
        snprintf(buf, sizeof buf,
                 "references a table whose rows were lost (%s): created NOT VALID; "
                 "ALTER TABLE ... VALIDATE CONSTRAINT finds the orphaned rows",
                 name);
        x->pub.state = DF_SALVAGE_CHANGED;
        x->pub.cause = lost;
        if (set_text(&x->reason, &x->pub.reason, buf) != DF_OK ||
            (x->defn = not_valid_defn(fk->defn)) == NULL)
            return DF_E_NOMEM;
        x->pub.new_defn = x->defn;
    }
    return DF_OK;
}

/* ------------------------------------------------------------------ */
/* The list over the archive as it is                                   */
/* ------------------------------------------------------------------ */

static int list_out(df_salvage *s, size_t i, const char *why)
{
    sv_entry *x = &s->e[i];

    x->pub.listed = 0;
    return set_text(&x->lreason, &x->pub.list_reason, why);
}

/* Why a damaged, changed or dropped entry cannot restore from the archive as it is. */
static int own_list_reasons(df_salvage *s)
{
    char buf[700];

    for (size_t i = 0; i < s->n; i++) {
        const df_salvage_entry *p = &s->e[i].pub;
        switch (p->state) {
        case DF_SALVAGE_PARTIAL:
            snprintf(buf, sizeof buf,
                     "damaged: %s at offset %lld; %lld complete rows before it need a "
                     "repaired archive",
                     p->code, (long long)p->damage_offset, (long long)p->rows_kept);
            break;
        case DF_SALVAGE_LOST: snprintf(buf, sizeof buf, "data lost: %s", p->code); break;
        case DF_SALVAGE_CHANGED:
            snprintf(buf, sizeof buf, "would fail: %s; add it NOT VALID by hand", p->reason);
            break;
        case DF_SALVAGE_DROPPED: snprintf(buf, sizeof buf, "left out: %s", p->reason); break;
        default: continue;
        }
        if (list_out(s, i, buf) != DF_OK)
            return DF_E_NOMEM;
    }
    return DF_OK;
}

/* The BLOB entries of a BLOBS entry that is not listed go too: they would create empty LOs. */
static int unlist_blob_entries(df_salvage *s)
{
    for (size_t b = 0; b < s->n; b++) {
        const size_t *req;
        size_t nreq;

        if (s->e[b].pub.listed || !df_entry_is_blobs(&s->r->entries[b]))
            continue;
        nreq = df_graph_requires(s->g, b, &req);
        for (size_t k = 0; k < nreq; k++) {
            const df_entry *e = &s->r->entries[req[k]];
            if ((dfi_desc_is(e, "BLOB") || dfi_desc_is(e, "BLOB METADATA")) &&
                s->e[req[k]].pub.listed &&
                list_out(s, req[k], "left out: the data of its large objects are damaged") !=
                    DF_OK)
                return DF_E_NOMEM;
        }
    }
    return DF_OK;
}

/*
 * What needs an entry that is not listed is not listed either, except that
 * missing rows never make another entry fail: data entries pass nothing on.
 */
static int unlist_dependents(df_salvage *s)
{
    char buf[700], name[500];
    bool changed = true;

    while (changed) {
        changed = false;
        for (size_t i = 0; i < s->n; i++) {
            const size_t *req;
            size_t nreq;

            if (!s->e[i].pub.listed)
                continue;
            nreq = df_graph_requires(s->g, i, &req);
            for (size_t k = 0; k < nreq; k++) {
                const df_entry *d = &s->r->entries[req[k]];
                if (s->e[req[k]].pub.listed || is_data_entry(d))
                    continue;
                dfi_entry_label(d, name, sizeof name);
                snprintf(buf, sizeof buf, "left out: needs %s, which is left out", name);
                if (list_out(s, i, buf) != DF_OK)
                    return DF_E_NOMEM;
                s->e[i].pub.cause = (int64_t)req[k];
                changed = true;
                break;
            }
        }
    }
    return DF_OK;
}

static int build_list(df_salvage *s)
{
    df_select_options so;
    int rc;

    df_select_options_default(&so);
    so.pg_restore_version = s->pg;
    if ((rc = df_select(s->r, s->g, &so, NULL, 0, &s->sel, NULL)) != DF_OK)
        return rc;
    for (size_t i = 0; i < s->n; i++)
        if (!s->e[i].pub.listed && df_selection_included(s->sel, i) &&
            (rc = dfi_selection_exclude(s->sel, i, s->e[i].pub.list_reason)) != DF_OK)
            return rc;
    s->order = malloc((s->n ? s->n : 1) * sizeof *s->order);
    if (s->order == NULL)
        return DF_E_NOMEM;
    return df_order_fix(s->g, s->sel, NULL, 0, s->order, &s->norder, NULL);
}

static void summarize(df_salvage *s, const df_verify *v)
{
    df_salvage_summary *m = &s->sum;

    m->verdict = df_verify_get_summary(v)->verdict;
    m->entries = (int64_t)s->n;
    for (size_t i = 0; i < s->n; i++) {
        const df_salvage_entry *p = &s->e[i].pub;
        int64_t *per[] = {&m->intact, &m->partial, &m->lost, &m->changed, &m->dropped};
        (*per[p->state])++;
        if (p->state == DF_SALVAGE_PARTIAL)
            m->rows_kept += p->rows_kept;
        if (p->state == DF_SALVAGE_PARTIAL || p->state == DF_SALVAGE_LOST)
            m->rows_unverified += p->rows_unverified > 0 ? p->rows_unverified : 0;
        if (!p->listed && df_selection_pick(s->sel, i) == DF_PICK_EXCLUDED)
            m->commented++;
    }
    m->listed = (int64_t)s->norder;
    m->toc_promised = m->toc_cut_offset = -1;
    m->toc_cut_member = "";
    if (df_reader_toc_cut(s->r, &m->toc_promised, NULL)) {
        int64_t size = df_reader_header(s->r)->file_size; /* as the verifier's finding */
        m->toc_cut_offset = size >= 0 ? size : s->cut.offset;
        m->toc_cut_member = s->cut.member;
    }
}

static int build(df_salvage *s, df_reader *r, const df_verify *v)
{
    uint8_t *buf = malloc(READ_CHUNK);
    int rc = buf ? take_findings(s, v) : DF_E_NOMEM;

    for (size_t i = 0; i < s->n && rc == DF_OK; i++)
        if (s->e[i].pub.code != NULL && (rc = found_past_damage(s, r, i)) == DF_OK &&
            s->e[i].pub.code != NULL)
            rc = measure_damaged(s, r, i, buf);
    free(buf);
    if (rc == DF_OK && df_reader_toc_cut(r, NULL, &s->cut))
        rc = dfi_dir_orphan_ids(r, &s->lost_ids, &s->nlost_ids);
    if (rc == DF_OK)
        rc = df_graph_build(r, &s->g, NULL);
    for (size_t i = 0; i < s->n && rc == DF_OK; i++)
        if (df_entry_is_blobs(&r->entries[i]) && s->e[i].pub.code != NULL)
            rc = drop_blob_entries(s, i);
    if (rc == DF_OK)
        rc = drop_cut_blobs(s);
    if (rc == DF_OK)
        rc = mark_foreign_keys(s);
    if (rc == DF_OK)
        rc = own_list_reasons(s);
    if (rc == DF_OK)
        rc = unlist_blob_entries(s);
    if (rc == DF_OK)
        rc = unlist_dependents(s);
    if (rc == DF_OK)
        rc = build_list(s);
    if (rc == DF_OK)
        summarize(s, v);
    return rc;
}

int df_salvage_build(df_reader *r, const df_verify *v, int pg_restore_version, df_salvage **out,
                     df_error *err)
{
    return df_salvage_build_flags(r, v, pg_restore_version, 0, out, err);
}

int df_salvage_build_flags(df_reader *r, const df_verify *v, int pg_restore_version, int flags,
                           df_salvage **out, df_error *err)
{
    const df_reader *vr = v ? df_verify_reader(v) : NULL;
    df_salvage *s;
    int rc;

    *out = NULL;
    if (r == NULL || !r->opened || vr == NULL || vr->nentries != r->nentries)
        return dfi_fail(err, DF_E_USAGE, -1, "the verification is not of this archive");
    if ((s = calloc(1, sizeof *s)) == NULL ||
        (s->e = calloc(r->nentries ? r->nentries : 1, sizeof *s->e)) == NULL) {
        free(s);
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    }
    s->r = r;
    s->n = r->nentries;
    s->pg = pg_restore_version;
    s->flags = flags;
    for (size_t i = 0; i < s->n; i++) {
        s->e[i].pub.rows_kept = s->e[i].pub.rows_lost = -1;
        s->e[i].pub.damage_offset = s->e[i].pub.cause = -1;
        s->e[i].pub.listed = 1;
    }
    if ((rc = build(s, r, v)) != DF_OK) {
        df_salvage_free(s);
        return dfi_fail(err, rc, -1, rc == DF_E_NOMEM ? "out of memory" : "salvage failed");
    }
    *out = s;
    return DF_OK;
}

const df_salvage_summary *df_salvage_get_summary(const df_salvage *s) { return &s->sum; }

size_t df_salvage_toc_lost_ids(const df_salvage *s, const int32_t **ids)
{
    *ids = s->lost_ids;
    return s->nlost_ids;
}

const df_salvage_entry *df_salvage_entry_at(const df_salvage *s, size_t i)
{
    return i < s->n ? &s->e[i].pub : NULL;
}

int df_salvage_write_list(const df_salvage *s, const df_list_options *opt, FILE *out,
                          df_error *err)
{
    df_list_options o;
    int rc;

    df_list_options_default(&o);
    if ((rc = dfi_options_take(&o, sizeof o, opt, "df_list_options", err)) != DF_OK)
        return rc;
    if (o.pg_restore_version == 0)
        o.pg_restore_version = s->pg;
    return df_list_write_order(s->r, &o, s->order, s->norder, s->sel, out, err);
}

/* Hand fn the stream's bytes up to the end of row `rows` (a prefix: no buffering). */
static int emit_rows(df_reader *r, int64_t rows, int64_t safe, df_salvage_rows_fn fn, void *ctx,
                     uint8_t *buf)
{
    careful k = {r, safe, 0};
    int64_t seen = 0;
    bool escape = false;

    while (seen < rows) {
        int64_t got = careful_read(&k, buf);
        size_t k = 0;

        if (got <= 0)
            return got == 0 ? DF_E_TRUNCATED : (int)got;
        for (; k < (size_t)got && seen < rows; k++) {
            if (buf[k] == '\n' && !escape)
                seen++;
            escape = !escape && buf[k] == '\\';
        }
        if (fn(ctx, buf, k) != 0)
            return DF_E_IO;
    }
    return DF_OK;
}

/* The good rows of an intact stream (up to its terminator). */
static int count_all_rows(df_reader *r, const df_entry *e, int64_t *rows, uint8_t *buf)
{
    count_run c;
    int64_t safe;

    memset(&c, 0, sizeof c);
    c.scan.ncols = copy_columns(e->copy_stmt);
    if (count_table_rows(r, e, &c, &safe, buf, 0) != DF_OK)
        return DF_E_NOMEM;
    *rows = c.scan.rows;
    return c.status;
}

/* Hand fn the first `bytes` bytes of the open stream (all of it when -1). */
static int emit_bytes(df_reader *r, int64_t bytes, int64_t safe, df_salvage_rows_fn fn,
                      void *ctx, uint8_t *buf)
{
    careful k = {r, safe, 0};

    while (bytes < 0 || k.done < bytes) {
        int64_t before = k.done;
        int64_t got = careful_read(&k, buf);
        size_t take;

        if (got == 0 && bytes < 0)
            return DF_OK;
        if (got <= 0)
            return got == 0 ? DF_E_TRUNCATED : (int)got;
        take = bytes < 0 || k.done <= bytes ? (size_t)got : (size_t)(bytes - before);
        if (fn(ctx, buf, take) != 0)
            return DF_E_IO;
    }
    return DF_OK;
}

/*
 * INSERT-format data: every complete statement before the damage (up to
 * its ';', by the SQL lexing of df_rowcount), then a newline as pg_dump
 * ends each; an intact stream whole.
 */
static int read_statements(df_reader *r, const df_salvage *s, size_t i, df_salvage_rows_fn fn,
                           void *ctx, df_error *err)
{
    const df_salvage_entry *p = &s->e[i].pub;
    bool whole = p->rows_kept < 0;
    uint8_t *buf;
    int rc;

    if (p->state == DF_SALVAGE_LOST)
        return DF_OK;
    if ((buf = malloc(READ_CHUNK)) == NULL)
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    rc = df_reader_open_data(r, &s->r->entries[i]);
    if (rc == DF_OK)
        rc = emit_bytes(r, whole ? -1 : s->e[i].keep_bytes, whole ? -1 : s->e[i].safe, fn, ctx,
                        buf);
    if (rc == DF_OK && !whole && s->e[i].keep_bytes > 0 && fn(ctx, "\n", 1) != 0)
        rc = DF_E_IO;
    if (rc != DF_OK && rc != DF_E_IO)
        *err = *df_reader_error(r);
    else if (rc == DF_E_IO)
        dfi_fail(err, rc, -1, "could not write the rows");
    df_reader_close_data(r);
    free(buf);
    return rc;
}

int df_salvage_read_rows(df_reader *r, const df_salvage *s, size_t i, df_salvage_rows_fn fn,
                         void *ctx, df_error *err)
{
    const df_entry *e = i < s->n ? &s->r->entries[i] : NULL;
    const df_salvage_entry *p = e ? &s->e[i].pub : NULL;
    uint8_t *buf;
    int64_t rows;
    int rc;

    if (e == NULL || r != s->r)
        return dfi_fail(err, DF_E_USAGE, -1, "no such entry of this salvage");
    if (e->copy_stmt == NULL && !df_entry_is_blobs(e) && is_data_entry(e))
        return read_statements(r, s, i, fn, ctx, err);
    if (e->copy_stmt == NULL || df_entry_is_blobs(e) || !is_data_entry(e))
        return dfi_fail(err, DF_E_UNSUPPORTED, -1, "only the COPY rows of TABLE DATA are handed on");
    if (p->state == DF_SALVAGE_LOST)
        return DF_OK;
    if ((buf = malloc(READ_CHUNK)) == NULL)
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    rows = p->rows_kept;
    rc = rows < 0 ? count_all_rows(r, e, &rows, buf) : DF_OK; /* intact: not counted yet */
    if (rc == DF_OK)
        rc = df_reader_open_data(r, e);
    if (rc == DF_OK && p->rows_kept >= 0) /* partial: its rows end where the count said */
        rc = emit_bytes(r, s->e[i].keep_bytes, s->e[i].safe, fn, ctx, buf);
    else if (rc == DF_OK)
        rc = emit_rows(r, rows, -1, fn, ctx, buf);
    if (rc != DF_OK && rc != DF_E_IO)
        *err = *df_reader_error(r);
    else if (rc == DF_E_IO)
        dfi_fail(err, rc, -1, "could not write the rows");
    df_reader_close_data(r);
    free(buf);
    return rc;
}

/* The raw pieces of the open stream, for dfi_zsplice. */
static int raw_piece(void *ctx, const uint8_t **p, size_t *n)
{
    return dfi_reader_raw(ctx, p, n, 0);
}

int dfi_salvage_splice(df_reader *r, const df_salvage *s, size_t i, dfi_wrap wrap, int level,
                       const void *extra, size_t extra_len, dfi_emit_fn emit, void *ctx,
                       df_error *err)
{
    const sv_entry *x = i < s->n ? &s->e[i] : NULL;
    int rc;

    if (x == NULL || r != s->r || x->cut == NULL || x->pub.state != DF_SALVAGE_PARTIAL)
        return DF_E_UNSUPPORTED;
    if ((rc = df_reader_open_data(r, &r->entries[i])) != DF_OK) {
        *err = *df_reader_error(r);
        return rc;
    }
    rc = r->wrap == wrap ? dfi_zsplice(x->cut, wrap, level, x->keep_bytes, raw_piece, r, extra,
                                       extra_len, emit, ctx)
                         : DF_E_UNSUPPORTED;
    if (rc != DF_OK && rc != DF_E_UNSUPPORTED)
        dfi_fail(err, rc, -1, rc == DF_E_IO ? "could not write the rows"
                                            : "the kept rows could not be decoded again");
    df_reader_close_data(r);
    return rc;
}

void df_salvage_free(df_salvage *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->e[i].reason);
        free(s->e[i].defn);
        free(s->e[i].member);
        free(s->e[i].lreason);
        free(s->e[i].cut);
    }
    free(s->e);
    free(s->lost_ids);
    df_selection_free(s->sel);
    df_graph_free(s->g);
    free(s->order);
    free(s);
}
