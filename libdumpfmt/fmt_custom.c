/*
 * fmt_custom.c — the custom format (pg_dump -Fc, spec §5): header, TOC
 * with OFF extras, then data blocks of chunked compressed streams.  Data are
 * found by stored offset when the input seeks, otherwise by scanning blocks
 * forward exactly as pg_restore does, which also serves pipes and dumps
 * whose TOC has no offsets.  The 16+ "TOC copy appended after the data"
 * (spec §5.5) is never reached by a scan because scanning stops at the
 * first byte that is not a block type.  When a block cannot be walked (a
 * corrupt chunk length or header), the scan resynchronises: the next byte
 * where a block plausibly starts (resync_after), whose data are then read
 * and decoded like any other's, so a later block is never trusted blindly.
 */
#include "internal.h"
#include "writer.h"
#include "fmt_custom.h"

#include <stdlib.h>
#include <string.h>

#define V13 DF_MAKE_VERSION(1, 3, 0)

/*
 * --quick over a seekable file: a payload skipped past the window is a seek
 * (dfi_buf_skip), and after a big one the next read is capped so that it
 * brings the next chunk header and little else.  Only big chunks are worth
 * it: lz4 (64 KiB blocks) and zstd (~128 KiB) ones.  A seek and a small read
 * cost more than reading 4 KiB from the page cache, so pg_dump's 4 KiB gzip
 * chunks (measured: 1.5x slower sparse) and the one-chunk-per-row
 * uncompressed archives are read a window at a time.
 */
#define SPARSE_MIN 32768 /* payloads from this size are skipped by seeking */
#define SPARSE_READ 64   /* bytes read after such a payload */

/* Walker states: what the next bytes are. */
enum {
    CW_BOUNDARY,  /* a block, or the end of the data area */
    CW_HEADER,    /* a block header, no questions asked */
    CW_OID,       /* BLOBS: an OID, or the 0 that ends the block */
    CW_LEN,       /* a chunk length, or the 0 that ends the stream */
    CW_PAYLOAD,   /* the rest (left bytes) of a chunk's payload */
    CW_DATA_END,  /* a data block's stream ended: the block ends, no bytes */
    CW_DEAD,      /* damage was reported */
};

typedef struct custom_state {
    int64_t scan_pos;   /* start of the first block no forward scan has walked past */
    int64_t *found;     /* per entry index: block offset learnt while scanning, or -1 */
    dfi_cwalk k;        /* the walk through the open block */
    int64_t block_start;
    bool chunks_done;   /* the current chunk stream reached its 0 terminator */
    bool in_lo;         /* BLOBS: positioned inside one LO's chunk stream */
    bool lo_done;       /* BLOBS: the OID 0 terminator was read */
    bool block_done;    /* the whole block was consumed */
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

/* ---------------------------------------------------------------- walker */

void dfi_cw_init(dfi_cwalk *k, dfi_buf *b, const dfi_arch *arch, const df_limits *lim,
                 df_error *err, bool at_block)
{
    memset(k, 0, sizeof *k);
    k->b = b;
    k->arch = arch;
    k->lim = lim;
    k->err = err;
    k->state = at_block ? CW_HEADER : CW_BOUNDARY;
}

void dfi_cw_enter_body(dfi_cwalk *k, bool blobs, int64_t block)
{
    k->blobs = blobs;
    k->type = blobs ? BLK_BLOBS : BLK_DATA;
    k->block = block;
    k->los = 0;
    k->left = 0;
    k->state = blobs ? CW_OID : CW_LEN;
}

/* Report damage: the walk is over. */
static dfi_cw_event cw_damage(dfi_cwalk *k, int rc, int where, int64_t at, const char *what)
{
    k->rc = rc;
    k->where = where;
    k->fail_at = at;
    snprintf(k->what, sizeof k->what, "%s", what);
    k->state = CW_DEAD;
    return DFI_CW_DAMAGE;
}

/* At a block boundary: the end of the data area, or a block header. */
static dfi_cw_event cw_boundary(dfi_cwalk *k)
{
    int64_t pos = dfi_buf_tell(k->b);
    int rc = dfi_buf_fill(k->b, k->err);

    k->at = k->block = pos;
    if (rc == DF_EOF) {
        k->eof = true;
        return DFI_CW_AREA_END;
    }
    if (rc != DF_OK)
        return cw_damage(k, rc, DFI_CW_AT_BOUNDARY, pos, "the next block");
    if (k->arch->version >= V13) {
        int t = dfi_buf_ptr(k->b)[0];
        if (t != BLK_DATA && t != BLK_BLOBS) {
            /* what follows the last block: a TOC copy, or not a block at all */
            k->eof = false;
            k->byte = t;
            return DFI_CW_AREA_END;
        }
    }
    return DFI_CW_BLOCK;
}

/* A block header: type byte (>= 1.3) and the repeated dump id. */
static dfi_cw_event cw_header(dfi_cwalk *k)
{
    int64_t pos = dfi_buf_tell(k->b);
    int type = BLK_DATA, rc = DF_OK;

    k->at = k->block = pos;
    if (k->arch->version >= V13)
        rc = dfi_read_byte(k->b, &type, k->err);
    if (rc == DF_OK && k->strict_type && type != BLK_DATA && type != BLK_BLOBS)
        rc = dfi_fail(k->err, DF_E_CORRUPT, pos, "unrecognized data block type %d", type);
    if (rc == DF_OK)
        rc = dfi_read_int(k->b, k->arch, &k->id, k->err);
    if (rc != DF_OK)
        return cw_damage(k, rc, DFI_CW_AT_HEADER, pos, "the block header");
    dfi_cw_enter_body(k, type == BLK_BLOBS, pos);
    k->type = type;
    return DFI_CW_BLOCK;
}

/* BLOBS: the next OID, or the 0 that ends the block. */
static dfi_cw_event cw_oid(dfi_cwalk *k)
{
    int64_t at = dfi_buf_tell(k->b);
    int32_t oid;
    int rc = dfi_read_int(k->b, k->arch, &oid, k->err);

    k->at = at;
    if (rc == DF_OK && oid != 0)
        rc = dfi_limit_los(k->lim, k->los, k->err, at);
    if (rc != DF_OK)
        return cw_damage(k, rc, DFI_CW_IN_BODY, at, "a large object OID");
    if (oid == 0) {
        k->at = dfi_buf_tell(k->b);
        k->state = CW_BOUNDARY;
        return DFI_CW_BLOCK_END;
    }
    k->los++;
    /* OIDs are unsigned; pg_dump writes them through a signed INT. */
    k->oid = (uint32_t)oid;
    k->state = CW_LEN;
    return DFI_CW_LO;
}

/* A chunk length: a chunk follows, or (0) the stream ends. */
static dfi_cw_event cw_len(dfi_cwalk *k)
{
    int64_t at = dfi_buf_tell(k->b);
    int32_t len;
    int rc = dfi_read_int(k->b, k->arch, &len, k->err);

    if (rc == DF_OK && len < 0)
        rc = dfi_fail(k->err, DF_E_CORRUPT, at, "negative chunk length %d", len);
    else if (rc == DF_OK && len > k->lim->max_chunk)
        rc = dfi_fail(k->err, DF_E_LIMIT, at, "chunk length %d exceeds the limit of %lld", len,
                      (long long)k->lim->max_chunk);
    if (rc != DF_OK)
        return cw_damage(k, rc, DFI_CW_IN_BODY, at, "a chunk length");
    k->at = at;
    if (len == 0) {
        k->state = k->blobs ? CW_OID : CW_DATA_END;
        return DFI_CW_STREAM_END;
    }
    k->len = len;
    k->left = len;
    k->state = CW_PAYLOAD;
    return DFI_CW_CHUNK;
}

/* The rest of the chunk's payload, unread: skipped. */
static int cw_skip_payload(dfi_cwalk *k)
{
    char what[80];
    int rc;

    if (k->sparse && k->left == k->len)
        k->b->src->io_cap = k->len >= SPARSE_MIN ? SPARSE_READ : 0;
    rc = dfi_buf_skip(k->b, k->left, k->err);
    if (rc != DF_OK) {
        snprintf(what, sizeof what, "a chunk of %d bytes", k->len);
        return cw_damage(k, rc, DFI_CW_IN_BODY, k->at, what), rc;
    }
    k->left = 0;
    k->state = CW_LEN;
    return DF_OK;
}

dfi_cw_event dfi_cw_next(dfi_cwalk *k)
{
    switch (k->state) {
    case CW_BOUNDARY: {
        dfi_cw_event ev = cw_boundary(k);
        return ev == DFI_CW_BLOCK ? cw_header(k) : ev;
    }
    case CW_HEADER: return cw_header(k);
    case CW_OID: return cw_oid(k);
    case CW_PAYLOAD:
        if (cw_skip_payload(k) != DF_OK)
            return DFI_CW_DAMAGE;
        return cw_len(k);
    case CW_LEN: return cw_len(k);
    case CW_DATA_END:
        k->at = dfi_buf_tell(k->b);
        k->state = CW_BOUNDARY;
        return DFI_CW_BLOCK_END;
    default: return DFI_CW_DAMAGE;
    }
}

int dfi_cw_data(dfi_cwalk *k, const uint8_t **p, size_t *n, int64_t *at)
{
    char what[80];
    size_t take;
    int rc;

    if (k->state != CW_PAYLOAD || k->left == 0)
        return DF_EOF;
    rc = dfi_buf_fill(k->b, k->err);
    if (rc == DF_EOF)
        rc = dfi_fail(k->err, DF_E_TRUNCATED, dfi_buf_tell(k->b), "unexpected end of file");
    if (rc != DF_OK) {
        snprintf(what, sizeof what, "a chunk of %d bytes", k->len);
        cw_damage(k, rc, DFI_CW_IN_BODY, k->at, what);
        return rc;
    }
    take = dfi_buf_avail(k->b);
    if ((int64_t)take > k->left)
        take = (size_t)k->left;
    *p = dfi_buf_ptr(k->b);
    *n = take;
    *at = dfi_buf_tell(k->b);
    dfi_buf_consume(k->b, take);
    k->left -= (int64_t)take;
    return DF_OK;
}

/* ---------------------------------------------------------------- reader */

/* The open block's walker, over the reader's buffer. */
static dfi_cwalk *walk_of(df_reader *r, bool at_block)
{
    custom_state *cs = cs_of(r);

    dfi_cw_init(&cs->k, &r->buf, &r->arch, &r->lim, &r->err, at_block);
    cs->k.strict_type = true;
    return &cs->k;
}

/* Walk to the end of the current block: DF_OK at its end, or the damage's code. */
static int skip_block(dfi_cwalk *k)
{
    for (;;) {
        dfi_cw_event ev = dfi_cw_next(k);

        if (ev == DFI_CW_BLOCK_END)
            return DF_OK;
        if (ev == DFI_CW_DAMAGE)
            return k->rc;
    }
}

/* ------------------------------------------------------ resynchronisation */

/* Bytes looked at for a block header: type, dump id, [OID,] chunk length, a codec's magic. */
#define RESYNC_PEEK 32

/* An INT at p (sign byte, int_size bytes LSB first) that is >= 0 and fits int32, or -1. */
static int64_t peek_int(const dfi_arch *a, const uint8_t *p)
{
    int64_t v = 0;

    if (p[0] != 0)
        return -1;
    for (int i = a->int_size - 1; i >= 0; i--) {
        if (i >= 4 && p[1 + i] != 0)
            return -1;
        v = v << 8 | p[1 + i];
    }
    return v <= INT32_MAX ? v : -1;
}

/* Does a chunk's payload start as the archive's codec starts a stream? */
static bool codec_starts(int compression, const uint8_t *p, size_t n)
{
    switch (compression) {
    case DF_COMPRESS_GZIP: /* zlib: CM 8, CINFO <= 7, the header check */
        return n >= 2 && (p[0] & 0x0f) == 8 && (p[0] >> 4) <= 7 && ((p[0] << 8) | p[1]) % 31 == 0;
    case DF_COMPRESS_LZ4: return n >= 4 && memcmp(p, "\x04\x22\x4d\x18", 4) == 0;
    case DF_COMPRESS_ZSTD: return n >= 4 && memcmp(p, "\x28\xb5\x2f\xfd", 4) == 0;
    default: return true;
    }
}

/*
 * Could a block start at p (n bytes seen, at file offset pos)?  Its type
 * byte, a dump id of a TOC entry that owns data of that kind and whose
 * block no scan has met yet, a plausible first chunk length that stays in
 * the file, and a payload that starts like the codec's stream.  Only a
 * guess: the block is then walked and decoded like any other.
 */
static bool plausible_block(df_reader *r, const uint8_t *p, size_t n, int64_t pos)
{
    custom_state *cs = cs_of(r);
    size_t w = (size_t)r->arch.int_size + 1, at = 1 + w;
    int64_t id, len;
    ssize_t idx;
    const df_entry *e;

    if ((p[0] != BLK_DATA && p[0] != BLK_BLOBS) || n < 1 + 2 * w)
        return false;
    id = peek_int(&r->arch, p + 1);
    if (id <= 0 || (idx = dfi_find_index(r, (int32_t)id)) < 0 || cs->found[idx] >= 0)
        return false;
    e = &r->entries[idx];
    if (!df_entry_has_data(e) || (df_entry_is_blobs(e) != 0) != (p[0] == BLK_BLOBS))
        return false;
    if (p[0] == BLK_BLOBS) { /* an OID (any but 0: OIDs are written through a signed INT) */
        bool zero = true;
        for (size_t i = 0; i < w && at + w + w <= n; i++)
            zero = zero && p[at + i] == 0;
        if (zero || at + 2 * w > n)
            return false;
        at += w;
    }
    len = peek_int(&r->arch, p + at);
    if (len < 0 || len > r->lim.max_chunk)
        return false;
    if (r->src.size >= 0 && pos + (int64_t)(at + w) + len > r->src.size)
        return false;
    if (len == 0) /* an empty stream: only uncompressed data have one without a codec header */
        return r->hdr.compression == DF_COMPRESS_NONE;
    return codec_starts(r->hdr.compression, p + at + w, n - at - w);
}

/*
 * The block at `from` could not be walked (damage): go to the next byte
 * where a block plausibly starts.  One forward pass, byte by byte: the scan
 * is linear in the damaged stretch, and a scan that already passed the
 * damage starts after it (scan_pos).  DF_OK positioned there; else the
 * damage's error (r->err as it was) — never on a pipe, which cannot go back.
 */
static int resync_after(df_reader *r, int64_t from, int damage)
{
    custom_state *cs = cs_of(r);
    df_error saved = r->err;
    int rc;

    if (!r->src.seekable || r->arch.version < V13 || damage == DF_E_NOMEM || damage == DF_E_IO)
        return damage;
    rc = dfi_buf_seek(&r->buf, from + 1, &r->err);
    while (rc == DF_OK) {
        int64_t pos = dfi_buf_tell(&r->buf);
        size_t n;

        rc = dfi_buf_need(&r->buf, RESYNC_PEEK, &r->err);
        if (rc == DF_E_TRUNCATED) { /* near the end: what is left may still hold a block */
            dfi_error_clear(&r->err);
            rc = DF_OK;
        }
        n = dfi_buf_avail(&r->buf);
        if (rc != DF_OK || n == 0)
            break;
        if (plausible_block(r, dfi_buf_ptr(&r->buf), n, pos)) {
            if (cs->scan_pos == from)
                cs->scan_pos = pos; /* later scans start past the damage */
            return DF_OK;
        }
        dfi_buf_consume(&r->buf, 1);
    }
    r->err = saved;
    return damage;
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
        dfi_cwalk *k = walk_of(r, false);
        dfi_cw_event ev = dfi_cw_next(k);
        int64_t pos = k->block;
        ssize_t idx;

        if (ev == DFI_CW_AREA_END && k->eof)
            return dfi_fail(&r->err, DF_E_TRUNCATED, pos,
                            "data block of %s not found: the archive ends at offset %lld", label,
                            (long long)pos);
        if (ev == DFI_CW_AREA_END) {
            /* a TOC copy (1.16), or a wrong chunk length led here: blocks may still follow */
            rc = dfi_fail(&r->err, DF_E_CORRUPT, pos,
                          "data block of %s not found: byte 0x%02x at offset %lld ends the "
                          "data area",
                          label, k->byte, (long long)pos);
            if (resync_after(r, pos, rc) == DF_OK)
                continue;
            return rc;
        }
        if (ev == DFI_CW_DAMAGE) {
            if (resync_after(r, pos, k->rc) == DF_OK)
                continue;
            return k->rc;
        }
        if (k->id == e->dump_id) {
            cs->block_start = pos;
            return DF_OK;
        }
        idx = dfi_find_index(r, k->id);
        if (idx >= 0 && cs->found[idx] < 0)
            cs->found[idx] = pos;
        rc = skip_block(k);
        if (rc != DF_OK && resync_after(r, pos, rc) == DF_OK)
            continue; /* the block is damaged: the next one after it */
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
    dfi_cwalk *k;
    int rc;

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
    if (rc != DF_OK)
        return rc;
    k = walk_of(r, true);
    if (dfi_cw_next(k) == DFI_CW_DAMAGE)
        return k->rc;
    if (k->id != e->dump_id)
        return dfi_fail(&r->err, DF_E_CORRUPT, pos,
                        "found unexpected block ID (%d) when reading data of %s", k->id, label);
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
    if (cs->k.blobs != blobs)
        return dfi_fail(&r->err, DF_E_CORRUPT, cs->block_start,
                        "block type %d does not match entry %d (%s)", cs->k.type, e->dump_id,
                        e->desc);
    /* Remember it: a pipe asked for this block again can then say "already passed". */
    cs->found[e->index] = cs->block_start;
    cs->chunks_done = false;
    cs->in_lo = false;
    cs->lo_done = false;
    cs->block_done = false;
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

/* The next chunk of the current stream: DF_OK positioned on it, DF_EOF at the stream's end. */
static int next_chunk(df_reader *r)
{
    custom_state *cs = cs_of(r);
    dfi_cw_event ev = dfi_cw_next(&cs->k);

    r->stats.raw_bytes = dfi_buf_tell(&r->buf) - cs->block_start;
    if (ev == DFI_CW_DAMAGE)
        return cs->k.rc;
    if (ev == DFI_CW_CHUNK) {
        r->stats.chunks++;
        return DF_OK;
    }
    /* DFI_CW_STREAM_END: a data block ends with its one stream */
    cs->chunks_done = true;
    if (!cs->k.blobs && dfi_cw_next(&cs->k) == DFI_CW_BLOCK_END)
        cs->block_done = true;
    return DF_EOF;
}

static int custom_read_raw(df_reader *r, const uint8_t **p, size_t *n)
{
    custom_state *cs = cs_of(r);
    int64_t at;
    int rc;

    if (cs->chunks_done || (cs->k.blobs && !cs->in_lo))
        return DF_EOF;
    if (cs->k.left == 0 && (rc = next_chunk(r)) != DF_OK)
        return rc;
    rc = dfi_cw_data(&cs->k, p, n, &at);
    if (rc == DF_E_TRUNCATED) {
        char label[200];
        dfi_entry_label(r->cur, label, sizeof label);
        return dfi_fail(&r->err, DF_E_TRUNCATED, dfi_buf_tell(&r->buf),
                        "file ends inside a data chunk of %s (%lld bytes missing)", label,
                        (long long)cs->k.left);
    }
    if (rc != DF_OK)
        return rc;
    r->stats.raw_bytes += (int64_t)*n;
    r->stats.payload_bytes += (int64_t)*n;
    return DF_OK;
}

static int custom_next_lo(df_reader *r, uint32_t *oid)
{
    custom_state *cs = cs_of(r);

    if (cs->lo_done)
        return DF_EOF;
    /* What is left of the current LO's chunk stream is skipped on the way. */
    for (;;) {
        dfi_cw_event ev = dfi_cw_next(&cs->k);

        r->stats.raw_bytes = dfi_buf_tell(&r->buf) - cs->block_start;
        switch (ev) {
        case DFI_CW_LO:
            cs->in_lo = true;
            cs->chunks_done = false;
            *oid = cs->k.oid;
            return DF_OK;
        case DFI_CW_BLOCK_END:
            cs->lo_done = cs->block_done = true;
            cs->in_lo = false;
            return DF_EOF;
        case DFI_CW_DAMAGE: return cs->k.rc;
        default: break; /* chunks and stream ends of the LO before */
        }
    }
}

/* Leave the input at the end of the open block (needed on a pipe). */
static int finish_block(df_reader *r)
{
    custom_state *cs = cs_of(r);
    int rc;

    if (cs->block_done)
        return DF_OK;
    rc = skip_block(&cs->k);
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
    return r->fmt == &dfi_format_custom ? cs_of(r)->k.left : 0;
}
