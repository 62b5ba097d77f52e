/*
 * fmt_plain_data.c — the data of a plain script's entry read back from the
 * script (the entries were made by fmt_plain.c's open pass): a COPY or
 * INSERT part handed out as its bytes, a BLOBS part scanned again for
 * lo_open / lowrite / lo_close, and dfi_plain_measure's re-count.
 */
#include "fmt_plain.h"

#include <stdlib.h>
#include <string.h>

static int data_end_error(df_reader *r, const df_entry *e)
{
    char label[200];
    int64_t at = e->data_offset_text + (e->data_bytes > 0 ? e->data_bytes : 0);

    dfi_entry_label(e, label, sizeof label);
    if (e->copy_stmt != NULL)
        return dfi_fail(&r->err, DF_E_TRUNCATED, at, "COPY data of %s end without the \"\\.\" line",
                        label);
    return dfi_fail(&r->err, DF_E_TRUNCATED, at, "data of %s end inside a statement", label);
}

static int bad_lo_error(df_reader *r, const df_entry *e, int64_t at)
{
    char label[200];

    dfi_entry_label(e, label, sizeof label);
    return dfi_fail(&r->err, DF_E_CORRUPT, at, "unreadable large-object statement in %s", label);
}

static bool plain_entry_ok(const df_reader *r, const df_entry *e)
{
    return e != NULL && e->index < r->nentries && &r->entries[e->index] == e;
}

int dfi_plain_measure(df_reader *r, const df_entry *e, int64_t *rows, int64_t *out_bytes,
                      int64_t *raw_bytes)
{
    plain_state *ps = ps_of(r);
    int64_t out;

    dfi_error_clear(&r->err);
    if (!plain_entry_ok(r, e))
        return dfi_fail(&r->err, DF_E_USAGE, -1, "no such entry in this reader");
    if (!df_entry_has_data(e))
        return dfi_fail(&r->err, DF_E_USAGE, e->text_offset, "entry %d (%s) has no data",
                        e->dump_id, e->desc);
    out = df_entry_is_blobs(e) ? ps->extra[e->index].lo_bytes : e->data_bytes;
    memset(&r->stats, 0, sizeof r->stats);
    r->stats.raw_offset = e->data_offset_text;
    r->stats.raw_bytes = r->stats.payload_bytes = e->data_bytes;
    r->stats.out_bytes = out;
    r->stats.los = df_entry_is_blobs(e) ? e->data_rows : 0;
    if (rows)
        *rows = e->data_rows;
    if (out_bytes)
        *out_bytes = out;
    if (raw_bytes)
        *raw_bytes = e->data_bytes;
    if (ps->extra[e->index].bad_lo >= 0)
        return bad_lo_error(r, e, ps->extra[e->index].bad_lo);
    return e->data_terminated ? DF_OK : data_end_error(r, e);
}

int dfi_plain_open_data(df_reader *r, const df_entry *e)
{
    plain_state *ps = ps_of(r);
    char label[200];
    int rc;

    if (!r->src.seekable) {
        dfi_entry_label(e, label, sizeof label);
        return dfi_fail(&r->err, DF_E_NOSEEK, e->data_offset_text,
                        "cannot read the data of %s: the script came from a pipe and was "
                        "consumed while it was listed (read it from a file)",
                        label);
    }
    rc = dfi_pstream_seek(&ps->st, e->data_offset_text);
    if (rc != DF_OK)
        return rc;
    ps->cur = e;
    ps->left = e->data_bytes;
    r->wrap = DFI_WRAP_RAW;
    r->stats.raw_offset = e->data_offset_text;
    if (!df_entry_is_blobs(e))
        return DF_OK;
    /* BLOBS: the statements are read again, one large object at a time */
    if (ps->blx_live)
        dfi_plex_free(&ps->blx);
    ps->blx_live = ps->blx_done = false;
    ps->in_lo = ps->open_pending = false;
    ps->lo_pos = 0;
    dfi_pbytes_reset(&ps->lo_buf);
    return DF_OK;
}

/* Text for the BLOBS scanner: the window, refilled when little is left of it. */
static int next_text(df_reader *r, size_t *avail)
{
    plain_state *ps = ps_of(r);
    dfi_pstream *st = &ps->st;
    int rc;

    if (st->end - st->start > DFI_PLEX_LOOKAHEAD || st->eof ||
        (int64_t)(st->end - st->start) >= ps->left) {
        *avail = st->end - st->start;
        return DF_OK;
    }
    rc = dfi_pstream_fill(st);
    *avail = st->end - st->start;
    if (rc != DF_OK)
        return rc;
    return DF_OK;
}

static int text_ended(df_reader *r)
{
    plain_state *ps = ps_of(r);
    char label[200];

    if (r->hdr.script_error)
        return dfi_fail(&r->err, r->hdr.script_error->code, r->hdr.script_error->offset, "%s",
                        r->hdr.script_error->message);
    dfi_entry_label(ps->cur, label, sizeof label);
    return dfi_fail(&r->err, DF_E_TRUNCATED, dfi_pstream_tell(&ps->st),
                    "the script ends inside the data of %s", label);
}

static int lo_stmt_begin(void *ctx, int64_t off, const char *word, bool *capture)
{
    (void)ctx, (void)off, (void)word;
    *capture = true;
    return DF_OK;
}

/* Each large-object statement pauses the scan so the reader can act on it. */
static int lo_stmt_end(void *ctx, int64_t end, const char *text, size_t len, bool complete,
                       bool terminated, bool copy_in)
{
    df_reader *r = ctx;
    plain_state *ps = ps_of(r);
    size_t n = 0;
    dfi_lo_kind k;

    (void)terminated, (void)copy_in;
    if (!complete)
        return bad_lo_error(r, ps->cur, end);
    dfi_pbytes_reset(&ps->lo_buf);
    if (len > 0 && (dfi_pbytes_add(&ps->lo_buf, text, len) != DF_OK || ps->lo_buf.overflow))
        return nomem(r);
    k = dfi_plain_lo_statement(text, len, ps->blx.std_strings, &ps->event_oid,
                               (uint8_t *)ps->lo_buf.p, &n);
    ps->lo_buf.len = n;
    ps->lo_pos = 0;
    switch (k) {
    case DFI_LO_OPEN: ps->event = LOE_OPEN; return DFI_PLEX_PAUSE;
    case DFI_LO_WRITE: ps->event = LOE_WRITE; return DFI_PLEX_PAUSE;
    case DFI_LO_CLOSE: ps->event = LOE_CLOSE; return DFI_PLEX_PAUSE;
    case DFI_LO_BAD: return bad_lo_error(r, ps->cur, end);
    default: return DF_OK;
    }
}

static void start_lo_scan(df_reader *r)
{
    plain_state *ps = ps_of(r);
    dfi_plex_hooks hooks = {.ctx = r, .stmt_begin = lo_stmt_begin, .stmt_end = lo_stmt_end};

    dfi_plex_init(&ps->blx, &hooks);
    ps->blx.std_strings = ps->extra[ps->cur->index].std_strings;
    ps->blx_live = true;
}

/* Scan the BLOBS part until the next large-object event; DF_EOF at its end. */
static int lo_pump(df_reader *r)
{
    plain_state *ps = ps_of(r);
    dfi_pstream *st = &ps->st;

    if (!ps->blx_live)
        start_lo_scan(r);
    ps->event = LOE_NONE;
    while (ps->event == LOE_NONE) {
        size_t avail, piece;
        ssize_t used;
        bool last;
        int rc;

        if (ps->blx_done)
            return DF_EOF;
        if ((rc = next_text(r, &avail)) != DF_OK)
            return rc;
        piece = (int64_t)avail > ps->left ? (size_t)ps->left : avail;
        last = (int64_t)piece == ps->left;
        if (!last && st->eof)
            return text_ended(r);
        used = dfi_plex_feed(&ps->blx, st->win + st->start, piece, last);
        if (used < 0)
            return (int)used;
        st->start += (size_t)used;
        ps->left -= used;
        r->stats.raw_bytes += used;
        r->stats.payload_bytes += used;
        if (ps->left == 0 && ps->event == LOE_NONE) {
            ps->blx_done = true;
            if ((rc = dfi_plex_finish(&ps->blx)) < 0)
                return rc;
        }
    }
    return DF_OK;
}

int dfi_plain_next_lo(df_reader *r, uint32_t *oid)
{
    plain_state *ps = ps_of(r);
    int rc;

    if (ps->open_pending) {
        ps->open_pending = false;
        ps->in_lo = true;
        *oid = ps->pending_oid;
        dfi_pbytes_reset(&ps->lo_buf);
        return DF_OK;
    }
    for (;;) {
        rc = lo_pump(r);
        if (rc == DF_EOF)
            return ps->cur->data_terminated ? DF_EOF : data_end_error(r, ps->cur);
        if (rc != DF_OK)
            return rc;
        if (ps->event == LOE_OPEN) {
            ps->in_lo = true;
            *oid = ps->event_oid;
            dfi_pbytes_reset(&ps->lo_buf);
            return DF_OK;
        }
    }
}

static int lo_read_raw(df_reader *r, const uint8_t **p, size_t *n)
{
    plain_state *ps = ps_of(r);

    while (ps->in_lo) {
        int rc;

        if (ps->lo_pos < ps->lo_buf.len) {
            *p = (const uint8_t *)ps->lo_buf.p + ps->lo_pos;
            *n = ps->lo_buf.len - ps->lo_pos;
            ps->lo_pos = ps->lo_buf.len;
            return DF_OK;
        }
        rc = lo_pump(r);
        if (rc == DF_EOF) {
            ps->in_lo = false;
            return ps->cur->data_terminated ? DF_EOF : data_end_error(r, ps->cur);
        }
        if (rc != DF_OK)
            return rc;
        if (ps->event == LOE_OPEN) {
            ps->open_pending = true;
            ps->pending_oid = ps->event_oid;
            ps->in_lo = false;
        } else if (ps->event == LOE_CLOSE) {
            ps->in_lo = false;
        }
    }
    return DF_EOF;
}

int dfi_plain_read_raw(df_reader *r, const uint8_t **p, size_t *n)
{
    plain_state *ps = ps_of(r);
    dfi_pstream *st = &ps->st;
    size_t avail;
    int rc;

    if (df_entry_is_blobs(ps->cur))
        return lo_read_raw(r, p, n);
    if (ps->left == 0)
        return ps->cur->data_terminated ? DF_EOF : data_end_error(r, ps->cur);
    if (st->start == st->end && (rc = dfi_pstream_fill(st)) != DF_OK)
        return rc;
    avail = st->end - st->start;
    if (avail == 0)
        return text_ended(r);
    if ((int64_t)avail > ps->left)
        avail = (size_t)ps->left;
    *p = st->win + st->start;
    *n = avail;
    st->start += avail;
    ps->left -= (int64_t)avail;
    r->stats.raw_bytes += (int64_t)avail;
    r->stats.payload_bytes += (int64_t)avail;
    return DF_OK;
}

void dfi_plain_close_data(df_reader *r)
{
    plain_state *ps = ps_of(r);

    if (ps->blx_live)
        dfi_plex_free(&ps->blx);
    ps->blx_live = false;
    ps->in_lo = ps->open_pending = false;
}
