/*
 * fmt_custom_write.c — the custom-format writer (spec §5): header and TOC with
 * placeholder offsets (NOT_SET for entries with data, NO_DATA otherwise),
 * then one block per data entry in TOC order, `01 id (len chunk)* 0` or
 * `03 id (oid (len chunk)* 0)* 0`; then, when the output can seek, the
 * TOC is written again in place with the position of every block, as
 * pg_dump's _CloseArchive does.  To a pipe the offsets stay unset.
 */
#include "writer.h"
#include "fmt_custom.h"

#include <stdlib.h>
#include <string.h>

static void custom_extra(dfi_writer *w, dfi_obuf *o, size_t i)
{
    w->off_at[i] = o->n;
    dfi_put_off(o, &w->a, dfi_wentry_has_data(w, i) ? DF_OFFSET_NOT_SET : DF_OFFSET_NO_DATA, 0);
}

/* A few archive primitives straight to the output. */
static int put_small(dfi_writer *w, void (*fill)(dfi_writer *, dfi_obuf *, int64_t), int64_t v)
{
    uint8_t mem[64];
    dfi_obuf o = {mem, 0, sizeof mem, false};

    fill(w, &o, v);
    /* the buffer never grows: 64 bytes hold any INT this file writes */
    return dfi_sink_write(&w->sink, mem, o.n, w->err);
}

static void fill_int(dfi_writer *w, dfi_obuf *o, int64_t v) { dfi_put_int(o, &w->a, v); }

static int custom_begin(dfi_writer *w)
{
    size_t n = w->t->n ? w->t->n : 1;

    w->off_at = calloc(n, sizeof *w->off_at);
    w->pos = malloc(n * sizeof *w->pos);
    if (w->off_at == NULL || w->pos == NULL)
        return dfi_wfail_nomem(w);
    for (size_t i = 0; i < w->t->n; i++)
        w->pos[i] = -1;
    dfi_put_archive_toc(w, &w->toc, 1, custom_extra);
    if (w->toc.failed)
        return dfi_wfail_nomem(w);
    return dfi_sink_write(&w->sink, w->toc.p, w->toc.n, w->err);
}

static void fill_block_header(dfi_writer *w, dfi_obuf *o, int64_t id)
{
    if (w->a.version >= DF_MAKE_VERSION(1, 3, 0))
        dfi_put_byte(o, df_entry_is_blobs(&w->t->v[w->cur].e) ? BLK_BLOBS : BLK_DATA);
    dfi_put_int(o, &w->a, id);
}

static int custom_entry_begin(dfi_writer *w, size_t i)
{
    w->pos[i] = w->sink.pos; /* the block-type byte, where pg_dump's offsets point */
    return put_small(w, fill_block_header, w->t->v[i].e.dump_id);
}

static int custom_stream_begin(dfi_writer *w, uint32_t oid)
{
    return oid ? put_small(w, fill_int, (int64_t)oid) : DF_OK;
}

static int custom_stream_put(dfi_writer *w, const uint8_t *p, size_t n, int64_t chunk)
{
    int rc = DF_OK;

    if (chunk != 0)
        rc = put_small(w, fill_int, chunk > 0 ? chunk : (int64_t)n);
    return rc == DF_OK ? dfi_sink_write(&w->sink, p, n, w->err) : rc;
}

static int custom_stream_end(dfi_writer *w) { return put_small(w, fill_int, 0); }

static int custom_entry_end(dfi_writer *w)
{
    /* a BLOBS block ends with OID 0 */
    return df_entry_is_blobs(&w->t->v[w->cur].e) ? put_small(w, fill_int, 0) : DF_OK;
}

/* Rewrite the TOC in place with SET offsets: same length, only flags and positions change. */
static int custom_finish(dfi_writer *w)
{
    if (!w->sink.seekable)
        return DF_OK;
    for (size_t i = 0; i < w->t->n; i++) {
        uint8_t mem[64];
        dfi_obuf o = {mem, 0, sizeof mem, false};
        if (w->pos[i] < 0)
            continue;
        dfi_put_off(&o, &w->a, DF_OFFSET_SET, w->pos[i]);
        memcpy(w->toc.p + w->off_at[i], mem, o.n);
    }
    return dfi_sink_pwrite(&w->sink, w->toc.p, w->toc.n, 0, w->err);
}

const dfi_wformat dfi_write_custom = {
    .begin = custom_begin,
    .entry_begin = custom_entry_begin,
    .stream_begin = custom_stream_begin,
    .stream_put = custom_stream_put,
    .stream_end = custom_stream_end,
    .entry_end = custom_entry_end,
    .finish = custom_finish,
};
