/*
 * vfy_verify_plain.c — verifying a plain script (spec §9): what the plain reader
 * measured during its pass (COPY terminators, the "dump complete" trailer,
 * psql meta-commands), the script's last bytes against the lines pg_dump
 * ends it with, and in full mode its data through the COPY checker: during
 * the reader's one pass for a pipe (the tap), else read again.  Also the
 * hint that a large script would restore faster as an archive.
 */
#include "entrytype.h"
#include "verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A damaged or truncated compressed script, as the plain reader saw it. */
static void plain_script_error(vctx *c, const df_error *err)
{
    int sev = DF_SEVERITY_ERROR;
    const char *code = DF_FIND_TRUNCATED;

    if (err->code == DF_E_CORRUPT) {
        code = vfy_codec_code(err->code, err->message, &sev);
    } else if (err->code != DF_E_TRUNCATED) {
        code = DF_FIND_UNREADABLE;
        sev = DF_SEVERITY_UNKNOWN;
    }
    vfy_vlist_add(&c->post, code, sev, NULL, err->offset, err->member, "%s", err->message);
}

#define V_MAX_META_FINDINGS 20 /* psql-metacommand findings; then one that counts the rest */

/* A PSQL META-COMMAND entry (one line, or lines in a row): a finding, or one more not shown. */
static void plain_meta(ventry *ve, size_t *seen)
{
    const df_entry *e = ve->e;
    int64_t lines = 0;

    for (const char *p = e->defn; p != NULL && (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    if ((*seen)++ >= V_MAX_META_FINDINGS)
        return;
    if (lines > 1)
        vfy_entry_add(ve, DF_FIND_PSQL_METACOMMAND, DF_SEVERITY_WARNING, e->text_offset, NULL,
                  "psql meta-command \"%.120s\" and %lld more meta-command lines right after "
                  "it in the script: psql runs them during the restore (pg_dump itself writes "
                  "only \\connect and \\restrict)",
                  e->tag ? e->tag : "", (long long)(lines - 1));
    else
        vfy_entry_add(ve, DF_FIND_PSQL_METACOMMAND, DF_SEVERITY_WARNING, e->text_offset, NULL,
                  "psql meta-command \"%.120s\" in the script: psql runs it during the "
                  "restore (pg_dump itself writes only \\connect and \\restrict)",
                  e->tag ? e->tag : "");
}

/* What the reader measured while it read the script: terminators, meta-commands. */
static void plain_facts(vctx *c)
{
    size_t metas = 0;

    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        const df_entry *e = ve->e;
        int64_t end = e->data_offset_text + (e->data_bytes > 0 ? e->data_bytes : 0);

        if (dfi_et_is(e, DFI_ET_PSQL_META_COMMAND))
            plain_meta(ve, &metas);
        if (!ve->data)
            continue;
        ve->found = V_FOUND_COMPLETE;
        ve->start = e->data_offset_text;
        ve->end = end;
        ve->stored = e->data_bytes > 0 ? e->data_bytes : 0;
        /* What the reader counted; the full check counts again (plain_data). */
        ve->rows = e->data_rows > 0 && !ve->blobs ? e->data_rows : 0;
        ve->bytes = ve->stored;
        if (e->data_terminated)
            continue;
        ve->cut = true;
        if (ve->blobs)
            vfy_entry_add(ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, end, NULL,
                      "the large object data end inside a large object (no lo_close)");
        else
            vfy_entry_add(ve, DF_FIND_MISSING_TERMINATOR, DF_SEVERITY_ERROR, end, NULL,
                      "%s data end after %lld rows without %s",
                      ve->rows_mode == DF_ROWS_COPY ? "COPY" : "INSERT", (long long)e->data_rows,
                      ve->rows_mode == DF_ROWS_COPY ? "the \"\\.\" terminator line"
                                                    : "a complete statement");
    }
    if (metas > V_MAX_META_FINDINGS)
        vfy_vlist_add(&c->post, DF_FIND_PSQL_METACOMMAND, DF_SEVERITY_WARNING, NULL, -1, NULL,
                  "%zu more places in the script hold psql meta-commands (only the first %d "
                  "are reported)",
                  metas - V_MAX_META_FINDINGS, V_MAX_META_FINDINGS);
}

/*
 * The last bytes of an uncompressed script, exactly as pg_dump ends it:
 * the "dump complete" comment, then "\unrestrict KEY" when the script
 * began with "\restrict KEY".  The reader's has_trailer cannot see a cut
 * inside those final lines; a compressed script's codec check can.
 */
/* The file ends with the bytes of `want`. */
static bool tail_is(vctx *c, const char *want)
{
    size_t n = strlen(want);
    uint8_t *tail;
    bool ok;

    if ((int64_t)n > c->file_size)
        return false;
    tail = vfy_verify_read_range(c->path, c->file_size - (int64_t)n, (int64_t)n, &(df_error){0});
    ok = tail != NULL && memcmp(tail, want, n) == 0;
    free(tail);
    return ok;
}

static bool plain_tail_ok(vctx *c, char *want, size_t wn)
{
    static const char dump[] = "--\n-- PostgreSQL database dump complete\n--\n\n";
    static const char cluster[] = "--\n-- PostgreSQL database cluster dump complete\n--\n\n";
    const df_header *h = &c->r->hdr;
    char crlf[800];
    size_t k = 0;

    if (c->path == NULL || h->file_compression != DF_COMPRESS_NONE || c->file_size < 0)
        return true;
    if (h->plain_kind != DF_PLAIN_PG_DUMP)
        snprintf(want, wn, "%s", cluster);
    else if (h->restrict_key != NULL)
        snprintf(want, wn, "%s\\unrestrict %s\n\n", dump, h->restrict_key);
    else
        snprintf(want, wn, "%s", dump);
    if (tail_is(c, want))
        return true;
    /* a CR LF copy of the script (psql reads it the same) */
    for (const char *w = want; *w != '\0' && k + 3 < sizeof crlf; w++) {
        if (*w == '\n')
            crlf[k++] = '\r';
        crlf[k++] = *w;
    }
    crlf[k] = '\0';
    return tail_is(c, crlf);
}

static void plain_trailer(vctx *c)
{
    const df_header *h = &c->r->hdr;
    const char *db = NULL;
    char want[400];

    if (h->has_trailer && !plain_tail_ok(c, want, sizeof want)) {
        vfy_vlist_add(&c->post, DF_FIND_NO_TRAILER, DF_SEVERITY_ERROR, NULL, c->file_size, NULL,
                  "the script does not end with the lines pg_dump ends it with (%s): its end "
                  "was cut off",
                  strstr(want, "unrestrict") ? "the \"dump complete\" comment, then "
                                               "\\unrestrict and the key of its \\restrict"
                                             : "the \"dump complete\" comment");
        return;
    }
    if (h->has_trailer)
        return;
    for (size_t i = c->n; i > 0 && db == NULL; i--)
        db = c->ents[i - 1].e->database;
    vfy_vlist_add(&c->post, DF_FIND_NO_TRAILER, DF_SEVERITY_ERROR, NULL, h->script_bytes, NULL,
              "the script ends at byte %lld without the \"%s\" trailer%s%s%s: it was cut short",
              (long long)h->script_bytes,
              h->plain_kind == DF_PLAIN_DUMPALL ? "PostgreSQL database cluster dump complete"
                                                : "PostgreSQL database dump complete",
              db ? " (inside the section of database \"" : "", db ? db : "", db ? "\")" : "");
}

#define V_TAP_MAX_COLS 1664   /* PostgreSQL allows 1600 columns */
#define V_TAP_INSERT_COLS 128 /* INSERT data: the first columns are watched */

/*
 * Value checks of a data part: the table's definition came before its data in the script.
 * The entries known so far are indexed for each part (the one pass only knows the script up
 * to here); a script of N tables costs N log N per table, which a dump of tens of thousands of
 * tables in plain format pays (archives index their TOC once).
 */
static void tap_values(vtap *t, const df_reader *r, size_t i)
{
    dfi_vindex *ix = dfi_vindex_build(r);

    if (ix == NULL) {
        t->oom = true;
        return;
    }
    t->vt = dfi_vtable_build(ix, &r->entries[i], &t->oom);
    dfi_vindex_free(ix);
    if (t->vt != NULL) {
        dfi_vcheck_init(&t->vc, t->vt);
        t->cp.vc = &t->vc;
    }
}

static void tap_begin(void *ctx, const df_reader *r, size_t i, bool copy)
{
    vtap *t = ctx;
    int ncols = copy ? dfi_copy_columns(r->entries[i].copy_stmt, NULL) : -1;

    if (copy)
        t->nw = ncols > 0 ? (size_t)(ncols < V_TAP_MAX_COLS ? ncols : V_TAP_MAX_COLS) : 0;
    else
        t->nw = V_TAP_INSERT_COLS; /* the statements' VALUES positions */
    t->w = t->nw ? calloc(t->nw, sizeof *t->w) : NULL;
    if (t->nw && t->w == NULL)
        t->nw = 0, t->oom = true;
    for (size_t k = 0; k < t->nw; k++)
        t->w[k] = (dfi_watch){(int)k, copy ? DFI_WATCH_PRUNE : -1, NULL, false, 0, (int)k};
    t->active = dfi_copycheck_init(&t->cp, copy ? DF_ROWS_COPY : DF_ROWS_INSERT, ncols, t->w,
                                   t->nw) == DF_OK;
    t->oom = t->oom || !t->active;
    if (t->active && t->values && dfi_et_is(&r->entries[i], DFI_ET_TABLE_DATA))
        tap_values(t, r, i);
}

static void tap_data(void *ctx, const uint8_t *p, size_t n)
{
    vtap *t = ctx;
    int maxcol = -1;

    if (!t->active)
        return;
    dfi_copycheck_feed(&t->cp, p, n);
    if (t->cp.maxcol < 0 || t->cp.mode == DF_ROWS_INSERT)
        return;
    /* rows stop at the last column still watched */
    for (size_t k = 0; k < t->nw; k++)
        if (t->w[k].col > maxcol)
            maxcol = t->w[k].col;
    t->cp.maxcol = maxcol;
}

/* Did the checker find anything vfy_copy_findings reports? */
static bool tap_problem(const dfi_copycheck *cp)
{
    if (cp->bad_rows > 0 || cp->bad_esc > 0 || cp->after_bytes > 0)
        return true;
    if (cp->mode == DF_ROWS_INSERT)
        return cp->last_nonspace >= 0 && cp->last_nonspace != ';';
    return !cp->terminated;
}

static bool tap_bad_values(const vtap *t)
{
    for (int k = 1; t->vt != NULL && k < 5; k++)
        if (t->vc.nbad[k] > 0)
            return true;
    return false;
}

/* The value checks' findings of a part, kept for later with its columns (the part owns them). */
static dfi_vcheck *tap_keep_values(vtap *t, vtap_part *part)
{
    dfi_vcheck *v;

    if (t->vt == NULL || !tap_bad_values(t) || (v = malloc(sizeof *v)) == NULL)
        return NULL;
    *v = t->vc;
    v->line = v->fld = NULL;
    v->line_cap = v->fld_cap = 0;
    v->ins = NULL; /* the scanner's state stays with t->vc */
    part->vbad = v;
    part->vt = t->vt;
    t->vt = NULL;
    return v;
}

static void tap_end(void *ctx, size_t i)
{
    vtap *t = ctx;
    vtap_part *part;
    size_t kept = 0;

    if (!t->active)
        return;
    t->active = false;
    if (t->nparts == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        vtap_part *grown = realloc(t->parts, cap * sizeof *grown);
        if (grown == NULL) {
            t->oom = true;
            goto done;
        }
        t->parts = grown;
        t->cap = cap;
    }
    part = &t->parts[t->nparts++];
    memset(part, 0, sizeof *part);
    part->entry = i;
    part->rows = t->cp.rows;
    for (size_t k = 0; k < t->nw; k++)
        if (t->w[k].have)
            t->w[kept++] = t->w[k];
    part->w = t->w;
    part->nw = kept;
    t->w = NULL;
    if (tap_problem(&t->cp) || tap_bad_values(t)) {
        part->bad = malloc(sizeof *part->bad);
        if (part->bad == NULL)
            t->oom = true;
        else
            *part->bad = t->cp, part->bad->w = NULL, part->bad->nw = 0, part->bad->ins = NULL;
        if (part->bad != NULL && (part->bad->vc = tap_keep_values(t, part)) == NULL &&
            tap_bad_values(t))
            t->oom = true;
    }
done:
    if (t->vt != NULL) {
        dfi_vcheck_free(&t->vc);
        dfi_vtable_free(t->vt);
        t->vt = NULL;
    }
    free(t->w);
    t->w = NULL;
    t->nw = 0;
    dfi_copycheck_free(&t->cp);
}

static void tap_lo_open(void *ctx, size_t i, uint32_t oid)
{
    vtap *t = ctx;

    if (t->nlos == t->caplos) {
        size_t cap = t->caplos ? 2 * t->caplos : 64;
        struct vtap_lo *grown = realloc(t->los, cap * sizeof *grown);
        if (grown == NULL) {
            t->oom = true;
            return;
        }
        t->los = grown;
        t->caplos = cap;
    }
    t->los[t->nlos++] = (struct vtap_lo){i, oid};
}

void vfy_tap_free(vtap *t)
{
    if (t->active)
        dfi_copycheck_free(&t->cp);
    free(t->w);
    for (size_t k = 0; k < t->nparts; k++) {
        free(t->parts[k].w);
        free(t->parts[k].bad);
        free(t->parts[k].vbad);
        dfi_vtable_free(t->parts[k].vt);
    }
    if (t->vt != NULL) {
        dfi_vcheck_free(&t->vc);
        dfi_vtable_free(t->vt);
    }
    free(t->parts);
    free(t->los);
    memset(t, 0, sizeof *t);
}

/* A data part the one pass checked: its rows, findings and watched columns. */
static void tap_part_apply(vctx *c, const vtap_part *p)
{
    ventry *ve = p->entry < c->n ? &c->ents[p->entry] : NULL;

    if (ve == NULL || !ve->table || ve->cut)
        return;
    ve->rows = p->rows;
    for (size_t j = 0; j < ve->nw; j++)
        for (size_t k = 0; k < p->nw; k++)
            if (p->w[k].col == ve->w[j].col && (!ve->w[j].have || p->w[k].max > ve->w[j].max)) {
                ve->w[j].have = true;
                ve->w[j].max = p->w[k].max;
            }
    if (p->bad != NULL) {
        vworker w = {.c = c, .cp = p->bad};
        vstream s = {
            .c = c, .ve = ve, .w = &w, .linear = true, .raw_start = ve->start, .member = ""};
        vfy_copy_findings(&s, ve->end);
    }
    ve->decoded = true;
}

/* Instead of reading the data parts again: what the one pass checked. */
static void plain_tapped(vctx *c)
{
    vtap *t = c->tap;

    for (size_t k = 0; k < t->nparts; k++)
        tap_part_apply(c, &t->parts[k]);
    for (size_t k = 0; k < t->nlos; k++)
        if (t->los[k].entry < c->n && c->ents[t->los[k].entry].blobs &&
            vfy_verify_add_lo(&c->ents[t->los[k].entry], t->los[k].oid, -1, 0, NULL, 0) != DF_OK)
            c->pre.oom = true;
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        int64_t out = 0;

        if (ve->blobs && !ve->cut) {
            if (df_reader_measure(c->r, ve->e, NULL, &out, NULL) == DF_OK)
                ve->bytes = out;
            ve->decoded = true;
        }
    }
    if (t->oom)
        c->pre.oom = true;
}

/* Full mode: every complete data part again, through the COPY checker. */
static void plain_data(vctx *c)
{
    vworker w;
    uint8_t *buf;

    if (c->tap != NULL && !c->tap->oom) {
        plain_tapped(c); /* one pass: checked while the script was read */
        return;
    }
    if (!c->r->src.seekable) {
        vfy_vlist_add(&c->post, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_WARNING, NULL, -1, NULL,
                  "COPY rows and sequences were not checked: the script came from a pipe and "
                  "cannot be read twice (its terminators and trailer were)");
        return;
    }
    buf = malloc(V_OUT_SIZE);
    if (buf == NULL || vfy_worker_init(&w, c, true) != DF_OK) {
        c->pre.oom = true;
        free(buf);
        vfy_worker_free(&w);
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        int64_t n = 0;
        uint32_t oid;
        int rc;

        if (!ve->data || ve->cut)
            continue;
        ve->rows = ve->bytes = 0;
        rc = df_reader_open_data(c->r, ve->e);
        if (rc == DF_OK && ve->blobs) {
            while ((rc = df_reader_next_lo(c->r, &oid)) == DF_OK) {
                if (vfy_verify_add_lo(ve, oid, -1, 0, NULL, 0) != DF_OK)
                    c->pre.oom = true;
                while ((n = df_reader_read_data(c->r, buf, V_OUT_SIZE)) > 0)
                    ve->bytes += n;
                if (n < 0)
                    break;
            }
            rc = n < 0 ? (int)n : rc == DF_EOF ? DF_OK : rc;
        } else if (rc == DF_OK) {
            vstream s;
            vfy_stream_begin(&s, &w, ve, DFI_WRAP_RAW, ve->table, ve->start, ve->end, "");
            s.linear = true;
            while ((n = df_reader_read_data(c->r, buf, V_OUT_SIZE)) > 0)
                vfy_stream_feed(&s, buf, (size_t)n, -1);
            if (n == 0)
                vfy_stream_end(&s, ve->end);
            else
                vfy_stream_close(&s);
            rc = n < 0 ? (int)n : DF_OK;
        }
        df_reader_close_data(c->r);
        if (rc != DF_OK) {
            const df_error *err = df_reader_error(c->r);
            vfy_entry_add(ve, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, err->offset, NULL, "%s",
                      err->message[0] ? err->message : df_strstatus(rc));
            continue;
        }
        ve->decoded = true;
    }
    vfy_worker_free(&w);
    free(buf);
}

/*
 * Would pg_restore -j 2..4 of an archive made of this script restore it
 * clearly faster (at least V_PARALLEL_GAIN) than one connection?  The
 * restore simulator (schedule.c) runs over the script's entries with their
 * data bytes; a script that is large but one table's data gains nothing.
 * Returns the best -j, or 0 with *serial and *best left as they are.
 */
#define V_PARALLEL_GAIN 0.20

static int plain_parallel_jobs(df_reader *r, double *serial, double *best)
{
    df_entry_size *sz = calloc(r->nentries ? r->nentries : 1, sizeof *sz);
    df_graph *g = NULL;
    int jobs = 0;

    if (sz != NULL && df_restore_sizes(r, 0, sz, NULL, NULL, NULL) == DF_OK &&
        df_graph_build(r, &g, NULL) == DF_OK) {
        double t[5] = {0};
        for (int j = 1; j <= 4; j++) {
            df_schedule_options so;
            df_schedule *s = NULL;
            df_schedule_options_default(&so);
            so.workers = j;
            if (df_schedule_simulate(r, g, sz, NULL, 0, &so, &s, &(df_error){0}) != DF_OK)
                break;
            t[j] = df_schedule_makespan(s);
            df_schedule_free(s);
            if (j > 1 && t[j] <= t[1] * (1 - V_PARALLEL_GAIN) && (jobs == 0 || t[j] < t[jobs]))
                jobs = j;
        }
        if (jobs > 0)
            *serial = t[1], *best = t[jobs];
    }
    df_graph_free(g);
    free(sz);
    return jobs;
}

void vfy_verify_plain(vctx *c)
{
    const df_header *h = &c->r->hdr;
    int64_t big =
        c->opt->large_plain_bytes == 0 ? V_DEFAULT_LARGE_PLAIN : c->opt->large_plain_bytes;
    double serial = 0, best = 0;
    int jobs;

    if (h->script_error != NULL)
        plain_script_error(c, h->script_error);
    plain_facts(c);
    plain_trailer(c);
    if (big > 0 && h->script_bytes >= big && (jobs = plain_parallel_jobs(c->r, &serial, &best)) > 0)
        vfy_vlist_add(&c->pre, DF_FIND_LARGE_PLAIN_DUMP, DF_SEVERITY_WARNING, NULL, -1, NULL,
                  "a plain script of %lld bytes restores with psql, on one connection; an "
                  "archive format (pg_dump -Fd or -Fc) would let pg_restore -j load it in "
                  "parallel: simulated, -j %d takes %.1f s where one connection takes %.1f s",
                  (long long)h->script_bytes, jobs, best, serial);
    if (!c->opt->quick)
        plain_data(c);
}

/* The reader's hooks into t for a plain script's one pass (df_reader.plain_tap). */
dfi_plain_tap vfy_plain_tap_hooks(vtap *t)
{
    return (dfi_plain_tap){t, tap_begin, tap_data, tap_end, tap_lo_open};
}
