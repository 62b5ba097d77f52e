/*
 * fmt_custom.c — the custom format (pg_dump -Fc, spec §5): header, TOC
 * with OFF extras, then data blocks of chunked compressed streams.  Data are
 * found by stored offset when the input seeks, otherwise by scanning blocks
 * forward exactly as pg_restore does, which also serves pipes and dumps
 * whose TOC has no offsets.  The 16+ "TOC copy appended after the data"
 * (spec §5.5) is never reached by a scan because scanning stops at the
 * first byte that is not a block type.
 */
#include "internal.h"
#include "writer.h"

#include <stdlib.h>
#include <string.h>

#define BLK_DATA 1
#define BLK_BLOBS 3

typedef struct custom_state {
    int64_t scan_pos;   /* start of the first block no forward scan has walked past */
    int64_t *found;     /* per entry index: block offset learnt while scanning, or -1 */
    int block_type;     /* of the open block */
    int64_t block_start;
    int64_t chunk_left; /* payload bytes left in the current chunk */
    bool chunks_done;   /* the current chunk stream reached its 0 terminator */
    bool in_lo;         /* BLOBS: positioned inside one LO's chunk stream */
    bool lo_done;       /* BLOBS: the OID 0 terminator was read */
    bool block_done;    /* the whole block was consumed */
    int64_t los;
} custom_state;

static custom_state *cs_of(const df_reader *r) { return r->fmt_state; }

static int custom_extra(df_reader *r, df_entry *e)
{
    int32_t ignored;
    int rc = dfi_read_off(&r->buf, &r->arch, &e->offset_state, &e->data_offset, &r->err);

    /* Before 1.7 an entry also carried its data size, which nobody uses. */
    if (rc == DF_OK && r->arch.version < DF_MAKE_VERSION(1, 7, 0))
        rc = dfi_read_int(&r->buf, &r->arch, &ignored, &r->err);
    return rc;
}

static int custom_open(df_reader *r)
{
    custom_state *cs = calloc(1, sizeof *cs);
    int rc;

    if (cs == NULL)
        return dfi_fail(&r->err, DF_E_NOMEM, -1, "out of memory");
    r->fmt_state = cs;
    rc = dfi_read_header(r, 1);
    if (rc == DF_OK)
        rc = dfi_read_toc(r, custom_extra);
    if (rc != DF_OK)
        return rc;
    cs->scan_pos = r->hdr.toc_end;
    cs->found = malloc((r->nentries ? r->nentries : 1) * sizeof *cs->found);
    if (cs->found == NULL)
        return dfi_fail(&r->err, DF_E_NOMEM, -1, "out of memory");
    r->hdr.data_offsets = 1;
    for (size_t i = 0; i < r->nentries; i++) {
        cs->found[i] = -1;
        if (r->entries[i].offset_state == DF_OFFSET_NOT_SET)
            r->hdr.data_offsets = 0;
    }
    return DF_OK;
}

static int read_len(df_reader *r, int32_t *len, const char *what)
{
    int64_t at = dfi_buf_tell(&r->buf);
    int rc = dfi_read_int(&r->buf, &r->arch, len, &r->err);

    if (rc != DF_OK)
        return rc;
    if (*len < 0)
        return dfi_fail(&r->err, DF_E_CORRUPT, at, "negative %s length %d", what, *len);
    if (*len > r->lim.max_chunk)
        return dfi_fail(&r->err, DF_E_LIMIT, at, "%s length %d exceeds the limit of %lld", what,
                        *len, (long long)r->lim.max_chunk);
    return DF_OK;
}

/* Walk over a chunk stream up to and including its 0 terminator. */
static int skip_chunks(df_reader *r)
{
    for (;;) {
        int32_t len;
        int rc = read_len(r, &len, "data chunk");

        if (rc != DF_OK || len == 0)
            return rc;
        rc = dfi_buf_skip(&r->buf, len, &r->err);
        if (rc != DF_OK)
            return rc;
    }
}

/* Walk over (OID, chunk stream) pairs up to the OID 0 terminator. */
static int skip_los(df_reader *r)
{
    for (int64_t n = 0;; n++) {
        int32_t oid;
        int rc = dfi_read_int(&r->buf, &r->arch, &oid, &r->err);

        if (rc != DF_OK || oid == 0)
            return rc;
        rc = dfi_limit_los(&r->lim, n, &r->err, dfi_buf_tell(&r->buf));
        if (rc != DF_OK)
            return rc;
        rc = skip_chunks(r);
        if (rc != DF_OK)
            return rc;
    }
}

/* Read a block header: type byte (>= 1.3) and the repeated dump id. */
static int read_block_header(df_reader *r, int *type, int32_t *id)
{
    int64_t at = dfi_buf_tell(&r->buf);
    int rc;

    *type = BLK_DATA;
    if (r->arch.version >= DF_MAKE_VERSION(1, 3, 0)) {
        rc = dfi_read_byte(&r->buf, type, &r->err);
        if (rc != DF_OK)
            return rc;
        if (*type != BLK_DATA && *type != BLK_BLOBS)
            return dfi_fail(&r->err, DF_E_CORRUPT, at, "unrecognized data block type %d", *type);
    }
    return dfi_read_int(&r->buf, &r->arch, id, &r->err);
}

static int skip_block(df_reader *r, int type)
{
    return type == BLK_BLOBS ? skip_los(r) : skip_chunks(r);
}

/* Scan forward block by block until the block of `e` starts. */
static int scan_for(df_reader *r, const df_entry *e)
{
    custom_state *cs = cs_of(r);
    char label[200];
    int rc;

    if (r->src.seekable && (rc = dfi_buf_seek(&r->buf, cs->scan_pos, &r->err)) != DF_OK)
        return rc;
    dfi_entry_label(e, label, sizeof label);
    for (;;) {
        int64_t pos = dfi_buf_tell(&r->buf);
        int type;
        int32_t id;
        ssize_t idx;

        rc = dfi_buf_fill(&r->buf, &r->err);
        if (rc == DF_EOF)
            return dfi_fail(&r->err, DF_E_TRUNCATED, pos,
                            "data block of %s not found: the archive ends at offset %lld", label,
                            (long long)pos);
        if (rc != DF_OK)
            return rc;
        if (r->arch.version >= DF_MAKE_VERSION(1, 3, 0)) {
            int t = dfi_buf_ptr(&r->buf)[0];
            if (t != BLK_DATA && t != BLK_BLOBS)
                return dfi_fail(&r->err, DF_E_CORRUPT, pos,
                                "data block of %s not found: byte 0x%02x at offset %lld ends the "
                                "data area",
                                label, t, (long long)pos);
        }
        rc = read_block_header(r, &type, &id);
        if (rc != DF_OK)
            return rc;
        if (id == e->dump_id) {
            cs->block_type = type;
            cs->block_start = pos;
            return DF_OK;
        }
        idx = dfi_find_index(r, id);
        if (idx >= 0 && cs->found[idx] < 0)
            cs->found[idx] = pos;
        rc = skip_block(r, type);
        if (rc != DF_OK)
            return rc;
        if (pos == cs->scan_pos || !r->src.seekable)
            cs->scan_pos = dfi_buf_tell(&r->buf);
    }
}

/* Go to a known block position and check the header names the entry. */
static int goto_block(df_reader *r, const df_entry *e, int64_t pos)
{
    custom_state *cs = cs_of(r);
    char label[200];
    int type, rc;
    int32_t id;

    dfi_entry_label(e, label, sizeof label);
    if (r->src.seekable && r->src.size >= 0 && pos >= r->src.size)
        return dfi_fail(&r->err, DF_E_TRUNCATED, r->src.size,
                        "data block of %s at offset %lld is past the end of the file (%lld bytes)",
                        label, (long long)pos, (long long)r->src.size);
    if (pos < r->hdr.toc_end)
        return dfi_fail(&r->err, DF_E_CORRUPT, e->toc_offset,
                        "data offset %lld of %s points inside the header or TOC", (long long)pos,
                        label);
    rc = dfi_buf_seek(&r->buf, pos, &r->err);
    if (rc == DF_OK)
        rc = read_block_header(r, &type, &id);
    if (rc != DF_OK)
        return rc;
    if (id != e->dump_id)
        return dfi_fail(&r->err, DF_E_CORRUPT, pos,
                        "found unexpected block ID (%d) when reading data of %s", id, label);
    cs->block_type = type;
    cs->block_start = pos;
    return DF_OK;
}

static int custom_open_data(df_reader *r, const df_entry *e)
{
    custom_state *cs = cs_of(r);
    bool blobs = df_entry_is_blobs(e);
    int rc;

    if (e->offset_state == DF_OFFSET_SET)
        rc = goto_block(r, e, e->data_offset);
    else if (cs->found[e->index] >= 0)
        rc = goto_block(r, e, cs->found[e->index]);
    else
        rc = scan_for(r, e);
    if (rc != DF_OK)
        return rc;
    if ((cs->block_type == BLK_BLOBS) != blobs)
        return dfi_fail(&r->err, DF_E_CORRUPT, cs->block_start,
                        "block type %d does not match entry %d (%s)", cs->block_type,
                        e->dump_id, e->desc);
    /* Remember it: a pipe asked for this block again can then say "already passed". */
    cs->found[e->index] = cs->block_start;
    cs->chunk_left = 0;
    cs->chunks_done = false;
    cs->in_lo = false;
    cs->lo_done = false;
    cs->block_done = false;
    cs->los = 0;
    r->stats.raw_offset = cs->block_start;
    r->stats.raw_bytes = dfi_buf_tell(&r->buf) - cs->block_start;
    switch (r->hdr.compression) {
    case DF_COMPRESS_GZIP: r->wrap = DFI_WRAP_ZLIB; break;
    case DF_COMPRESS_LZ4: r->wrap = DFI_WRAP_LZ4F; break;
    case DF_COMPRESS_ZSTD: r->wrap = DFI_WRAP_ZSTD; break;
    default: r->wrap = DFI_WRAP_RAW; break;
    }
    return DF_OK;
}

static int custom_read_raw(df_reader *r, const uint8_t **p, size_t *n)
{
    custom_state *cs = cs_of(r);
    size_t take;
    int rc;

    if (cs->chunks_done)
        return DF_EOF;
    if (cs->chunk_left == 0) {
        int64_t before = dfi_buf_tell(&r->buf);
        int32_t len;

        rc = read_len(r, &len, "data chunk");
        if (rc != DF_OK)
            return rc;
        r->stats.raw_bytes += dfi_buf_tell(&r->buf) - before;
        if (len == 0) {
            cs->chunks_done = true;
            if (cs->block_type == BLK_DATA)
                cs->block_done = true;
            return DF_EOF;
        }
        cs->chunk_left = len;
        r->stats.chunks++;
    }
    rc = dfi_buf_fill(&r->buf, &r->err);
    if (rc == DF_EOF) {
        char label[200];
        dfi_entry_label(r->cur, label, sizeof label);
        return dfi_fail(&r->err, DF_E_TRUNCATED, dfi_buf_tell(&r->buf),
                        "file ends inside a data chunk of %s (%lld bytes missing)", label,
                        (long long)cs->chunk_left);
    }
    if (rc != DF_OK)
        return rc;
    take = dfi_buf_avail(&r->buf);
    if ((int64_t)take > cs->chunk_left)
        take = (size_t)cs->chunk_left;
    *p = dfi_buf_ptr(&r->buf);
    *n = take;
    dfi_buf_consume(&r->buf, take);
    cs->chunk_left -= (int64_t)take;
    r->stats.raw_bytes += (int64_t)take;
    r->stats.payload_bytes += (int64_t)take;
    return DF_OK;
}

/* Skip what is left of the current LO's chunk stream. */
static int finish_lo(df_reader *r)
{
    custom_state *cs = cs_of(r);
    int rc;

    if (!cs->in_lo || cs->chunks_done)
        return DF_OK;
    rc = dfi_buf_skip(&r->buf, cs->chunk_left, &r->err);
    cs->chunk_left = 0;
    if (rc == DF_OK)
        rc = skip_chunks(r);
    cs->chunks_done = true;
    return rc;
}

static int custom_next_lo(df_reader *r, uint32_t *oid)
{
    custom_state *cs = cs_of(r);
    int64_t before;
    int32_t v;
    int rc;

    if (cs->lo_done)
        return DF_EOF;
    rc = finish_lo(r);
    if (rc != DF_OK)
        return rc;
    before = dfi_buf_tell(&r->buf);
    rc = dfi_read_int(&r->buf, &r->arch, &v, &r->err);
    if (rc != DF_OK)
        return rc;
    r->stats.raw_bytes += dfi_buf_tell(&r->buf) - before;
    if (v == 0) {
        cs->lo_done = cs->block_done = true;
        cs->in_lo = false;
        return DF_EOF;
    }
    rc = dfi_limit_los(&r->lim, cs->los, &r->err, before);
    if (rc != DF_OK)
        return rc;
    cs->los++;
    cs->in_lo = true;
    cs->chunks_done = false;
    cs->chunk_left = 0;
    /* OIDs are unsigned; pg_dump writes them through a signed INT. */
    *oid = (uint32_t)v;
    return DF_OK;
}

/* Leave the input at the end of the open block (needed on a pipe). */
static int finish_block(df_reader *r)
{
    custom_state *cs = cs_of(r);
    int rc = DF_OK;

    if (cs->block_done)
        return DF_OK;
    if (cs->block_type == BLK_BLOBS) {
        rc = finish_lo(r);
        if (rc == DF_OK && !cs->lo_done)
            rc = skip_los(r);
    } else if (!cs->chunks_done) {
        rc = dfi_buf_skip(&r->buf, cs->chunk_left, &r->err);
        if (rc == DF_OK)
            rc = skip_chunks(r);
    }
    cs->block_done = rc == DF_OK;
    return rc;
}

static void custom_close_data(df_reader *r)
{
    custom_state *cs = cs_of(r);

    if (!r->src.seekable && finish_block(r) != DF_OK)
        return;
    if (cs->block_done && cs->block_start == cs->scan_pos)
        cs->scan_pos = dfi_buf_tell(&r->buf);
}

static void custom_free(df_reader *r)
{
    custom_state *cs = cs_of(r);

    if (cs != NULL)
        free(cs->found);
    free(cs);
    r->fmt_state = NULL;
}

static int64_t custom_tell(const df_reader *r) { return dfi_buf_tell(&r->buf); }

const dfi_format dfi_format_custom = {
    .name = "custom",
    .id = DF_FORMAT_CUSTOM,
    .open = custom_open,
    .open_data = custom_open_data,
    .next_lo = custom_next_lo,
    .read_raw = custom_read_raw,
    .close_data = custom_close_data,
    .free = custom_free,
    .tell = custom_tell,
};

/* ---- writer support (write path, issue 12) ---- */

/* writer.c: bytes of the current chunk not yet handed out, so a block copy keeps the chunking. */
int64_t dfi_custom_chunk_left(const df_reader *r)
{
    return r->fmt == &dfi_format_custom ? cs_of(r)->chunk_left : 0;
}
