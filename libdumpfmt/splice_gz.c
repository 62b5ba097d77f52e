/*
 * splice_gz.c — cutting a deflate stream (zlib, or one gzip member) at a block boundary and
 * going on from there, so that a repair keeps the compressed bytes of the rows before the
 * damage as they are and encodes only the few after the last boundary (issue 13: the repair
 * of a cut table had cost an inflate and a deflate of all its rows again).
 *
 * The boundary (a dfi_zmark: the bit where the next block starts, the decoded bytes before it,
 * their check value (Adler-32 or CRC-32) and the 32 KiB window) is found after the count read
 * the stream at its decoder's speed (dfi_ztail, below).  The splice (dfi_zsplice) then writes
 * the stream's bytes up to that bit unchanged, a new final block that holds the decoded bytes
 * from the boundary to the end of the last row kept (inflated again from the boundary with the
 * window) and the caller's terminator, and the trailer of the whole.  Deflate blocks start at
 * any bit, so the byte the boundary falls in is shared: its low bits are primed into the new
 * block (deflatePrime) and its high bits into the inflater that decodes from there
 * (inflatePrime).
 */
#include "splice_gz.h"

#include <stdlib.h>
#include <string.h>

#ifdef DF_HAVE_ZLIB
#include <zlib.h>
#ifdef DF_HAVE_ISAL
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#endif

#define WINDOW 32768
#define PIECE 65536

/* ------------------------------------------------------------------ the splice */

typedef struct splice {
    const dfi_zmark *m;
    bool gzip;
    dfi_emit_fn emit;
    void *ctx;
    z_stream inf, def;
    bool inf_on, def_on;
    uint8_t *piece;    /* deflate output */
    uint8_t *dec;      /* inflate output */
    int64_t tail_left; /* decoded bytes still to take after the boundary */
    int64_t tail_len;  /* taken, with the terminator: what the new block holds */
    uint32_t check;    /* their Adler-32 or CRC-32 */
} splice;

/* Through the new block's deflater (Z_FINISH: the final block and its end). */
static int deflate_out(splice *p, const uint8_t *data, size_t n, int flush)
{
    p->def.next_in = (Bytef *)(uintptr_t)data;
    p->def.avail_in = (uInt)n;
    do {
        size_t made;
        p->def.next_out = p->piece;
        p->def.avail_out = PIECE;
        if (deflate(&p->def, flush) == Z_STREAM_ERROR)
            return DF_E_CORRUPT;
        made = PIECE - p->def.avail_out;
        if (made > 0 && p->emit(p->ctx, p->piece, made) != DF_OK)
            return DF_E_IO;
    } while (p->def.avail_out == 0);
    return DF_OK;
}

/* Bytes of the new block: counted into the check value, deflated. */
static int add_tail(splice *p, const uint8_t *d, size_t n)
{
    if (n == 0)
        return DF_OK;
    p->check = p->gzip ? (uint32_t)crc32(p->check, d, (uInt)n)
                       : (uint32_t)adler32(p->check, d, (uInt)n);
    p->tail_len += (int64_t)n;
    return deflate_out(p, d, n, Z_NO_FLUSH);
}

/*
 * Decode the stream after the boundary from q..q+n (n may be 0: what the
 * inflater still holds) until tail_left bytes came out.
 */
static int take_tail(splice *p, const uint8_t *q, size_t n)
{
    p->inf.next_in = (Bytef *)(uintptr_t)q;
    p->inf.avail_in = (uInt)n;
    while (p->tail_left > 0) {
        size_t want = p->tail_left < PIECE ? (size_t)p->tail_left : PIECE, got;
        int zr, rc;

        p->inf.next_out = p->dec;
        p->inf.avail_out = (uInt)want;
        zr = inflate(&p->inf, Z_NO_FLUSH);
        got = want - p->inf.avail_out;
        if (zr != Z_OK && zr != Z_BUF_ERROR && zr != Z_STREAM_END)
            return DF_E_CORRUPT; /* the scan decoded it: these are not the same bytes */
        p->tail_left -= (int64_t)got;
        if ((rc = add_tail(p, p->dec, got)) != DF_OK)
            return rc;
        if (got == 0 || zr == Z_STREAM_END)
            break;
    }
    return DF_OK;
}

/* The trailer: zlib's Adler-32 (big-endian), gzip's CRC-32 and length (little-endian). */
static int emit_trailer(splice *p)
{
    int64_t total = p->m->out + p->tail_len;
    uint32_t c = p->gzip
                     ? (uint32_t)crc32_combine(p->m->check, p->check, (z_off_t)p->tail_len)
                     : (uint32_t)adler32_combine(p->m->check, p->check, (z_off_t)p->tail_len);
    uint8_t t[8];

    for (int i = 0; i < 4; i++) {
        t[i] = p->gzip ? (uint8_t)(c >> (8 * i)) : (uint8_t)(c >> (24 - 8 * i));
        t[4 + i] = (uint8_t)((uint64_t)total >> (8 * i));
    }
    return p->emit(p->ctx, t, p->gzip ? 8 : 4) == DF_OK ? DF_OK : DF_E_IO;
}

static void splice_end(splice *p)
{
    if (p->inf_on)
        inflateEnd(&p->inf);
    if (p->def_on)
        deflateEnd(&p->def);
    free(p->piece);
    free(p->dec);
}

static int splice_start(splice *p, int level)
{
    p->piece = malloc(PIECE);
    p->dec = malloc(PIECE);
    if (p->piece == NULL || p->dec == NULL)
        return DF_E_NOMEM;
    if (inflateInit2(&p->inf, -15) != Z_OK)
        return DF_E_NOMEM;
    p->inf_on = true;
    if (deflateInit2(&p->def, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return DF_E_NOMEM;
    p->def_on = true;
    p->check = p->gzip ? (uint32_t)crc32(0, NULL, 0) : (uint32_t)adler32(0, NULL, 0);
    if (p->m->wlen > 0 &&
        inflateSetDictionary(&p->inf, p->m->window, (uInt)p->m->wlen) != Z_OK)
        return DF_E_CORRUPT;
    return DF_OK;
}

int dfi_zsplice(const dfi_zmark *m, dfi_wrap w, int level, int64_t keep, dfi_raw_fn raw,
                void *raw_ctx, const void *extra, size_t extra_len, dfi_emit_fn emit, void *ctx)
{
    int64_t cut = m->bits / 8, pos = 0;
    int bit = (int)(m->bits % 8);
    int64_t start = cut + (bit > 0); /* the first byte the new inflater takes whole */
    splice p;
    int rc;

    if ((w != DFI_WRAP_ZLIB && w != DFI_WRAP_GZIP) || keep < m->out)
        return DF_E_UNSUPPORTED;
    memset(&p, 0, sizeof p);
    p.m = m;
    p.gzip = w == DFI_WRAP_GZIP;
    p.emit = emit;
    p.ctx = ctx;
    p.tail_left = keep - m->out;
    rc = splice_start(&p, level < 0 ? Z_DEFAULT_COMPRESSION : level);
    while (rc == DF_OK && (pos < start || p.tail_left > 0)) {
        const uint8_t *q;
        size_t n;
        int64_t take;

        if ((rc = raw(raw_ctx, &q, &n)) == DF_OK && n == 0)
            rc = DF_EOF;
        if (rc != DF_OK) {
            /* the raw stream ended or broke: past the boundary, the inflater may hold what
               is still wanted; before it, the scan did not see these bytes */
            rc = pos >= start ? DF_OK : DF_E_TRUNCATED;
            break;
        }
        /* the bytes before the boundary's byte go out unchanged */
        take = pos < cut ? (cut - pos < (int64_t)n ? cut - pos : (int64_t)n) : 0;
        if (take > 0 && emit(ctx, q, (size_t)take) != DF_OK)
            rc = DF_E_IO;
        pos += take;
        q += take;
        n -= (size_t)take;
        if (rc == DF_OK && n > 0 && pos == cut && bit > 0) {
            /* the shared byte: its low bits end the old blocks, its high bits start the
               next one, which the inflater decodes */
            if (deflatePrime(&p.def, bit, q[0] & ((1 << bit) - 1)) != Z_OK ||
                inflatePrime(&p.inf, 8 - bit, q[0] >> bit) != Z_OK)
                rc = DF_E_CORRUPT;
            pos++;
            q++;
            n--;
        }
        if (rc == DF_OK && pos >= start && n > 0 && p.tail_left > 0) {
            rc = take_tail(&p, q, n);
            pos += (int64_t)n;
        }
    }
    if (rc == DF_OK && p.tail_left > 0)
        rc = take_tail(&p, NULL, 0);
    if (rc == DF_OK && p.tail_left > 0)
        rc = DF_E_TRUNCATED; /* the scan decoded more: not the same bytes */
    if (rc == DF_OK)
        rc = add_tail(&p, extra, extra_len);
    if (rc == DF_OK)
        rc = deflate_out(&p, NULL, 0, Z_FINISH);
    if (rc == DF_OK)
        rc = emit_trailer(&p);
    splice_end(&p);
    return rc;
}


/* ------------------------------------------------------------------ a boundary found afterwards */

/*
 * Why not inflate with zlib's Z_BLOCK, which stops at each block boundary (the first version
 * did)?  It is three times slower than ISA-L: for a table of a few hundred MB that was most of
 * a repair's time.  The tail (dfi_ztail) lets the count read the stream at the reader's speed
 * (and on a thread of its own) and keeps only what a splice needs: the last RING decoded bytes
 * and the check value of everything before them.  A boundary near the end is then found in the
 * last RAW_TAIL raw bytes: a bit where a dynamic or stored block header could start (deflate's
 * headers are strict: a complete code-length code, an end-of-block code), tried by inflating
 * from there to the end with a stand-in window; a start that decodes to the end is placed in
 * the kept bytes and decoded again with its real window, which must give exactly those bytes:
 * then every later boundary it met is real, and the latest before the last row is the splice's.
 * A false start costs time, never bytes; when none is found the rows are encoded again.
 */
#define RING ((size_t)4 << 20)
#define RAW_TAIL ((size_t)256 << 10)
#define MAX_MARKS 65536
/* What the trials may inflate in all: a true start decodes the tail a few times (~1-8 MB of a
   256-512 KiB tail), false starts mostly fail within bytes; a crafted tail of many starts that
   each decode far cannot make the search quadratic. */
#define BUDGET ((int64_t)256 << 20)

struct dfi_ztail {
    bool gzip;
    uint8_t *ring;      /* decoded byte k at ring[k % RING], for k in [total - held, total) */
    int64_t total;      /* decoded bytes fed */
    uint32_t check_out; /* check value of the bytes that left the ring: [0, total - held) */
};

typedef struct rel_mark {
    int64_t bits; /* from the stream's first byte */
    int64_t out;  /* decoded bytes between the start tried and the boundary */
} rel_mark;

static uint32_t check_update(bool gzip, uint32_t c, const uint8_t *p, size_t n)
{
#ifdef DF_HAVE_ISAL
    return gzip ? crc32_gzip_refl(c, p, n) : isal_adler32(c, p, n);
#else
    uint32_t v = c;
    while (n > 0) { /* zlib's length is an uInt */
        uInt take = n > (1u << 30) ? (1u << 30) : (uInt)n;
        v = gzip ? (uint32_t)crc32(v, p, take) : (uint32_t)adler32(v, p, take);
        p += take;
        n -= take;
    }
    return v;
#endif
}

dfi_ztail *dfi_ztail_new(dfi_wrap w)
{
    dfi_ztail *t;

    if (w != DFI_WRAP_ZLIB && w != DFI_WRAP_GZIP)
        return NULL;
    if ((t = calloc(1, sizeof *t)) == NULL)
        return NULL;
    if ((t->ring = malloc(RING)) == NULL) {
        free(t);
        return NULL;
    }
    t->gzip = w == DFI_WRAP_GZIP;
    t->check_out = t->gzip ? (uint32_t)crc32(0, NULL, 0) : (uint32_t)adler32(0, NULL, 0);
    return t;
}

void dfi_ztail_free(dfi_ztail *t)
{
    if (t == NULL)
        return;
    free(t->ring);
    free(t);
}

void dfi_ztail_feed(dfi_ztail *t, const uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t at = (size_t)(t->total % (int64_t)RING), take = RING - at;

        if (take > n)
            take = n;
        if (t->total >= (int64_t)RING) /* the bytes about to be overwritten leave the ring */
            t->check_out = check_update(t->gzip, t->check_out, t->ring + at, take);
        memcpy(t->ring + at, p, take);
        t->total += (int64_t)take;
        p += take;
        n -= take;
    }
}

static int64_t ring_first(const dfi_ztail *t)
{
    return t->total > (int64_t)RING ? t->total - (int64_t)RING : 0;
}

/* Decoded bytes [from, from + n) of the ring: copied to `copy`, added to `check` (either NULL). */
static void ring_range(const dfi_ztail *t, int64_t from, size_t n, uint8_t *copy, uint32_t *check)
{
    while (n > 0) {
        size_t at = (size_t)(from % (int64_t)RING), take = RING - at;

        if (take > n)
            take = n;
        if (copy != NULL) {
            memcpy(copy, t->ring + at, take);
            copy += take;
        }
        if (check != NULL)
            *check = check_update(t->gzip, *check, t->ring + at, take);
        from += (int64_t)take;
        n -= take;
    }
}

/* ---- deflate block headers (RFC 1951 3.2.3, 3.2.7), as strictly as zlib reads them ---- */

typedef struct bitrd {
    const uint8_t *p;
    size_t n;     /* bytes */
    uint64_t pos; /* bit */
} bitrd;

static bool bits_get(bitrd *b, int k, unsigned *v)
{
    unsigned x = 0;

    if (b->pos + (uint64_t)k > (uint64_t)b->n * 8)
        return false;
    for (int i = 0; i < k; i++, b->pos++)
        x |= (unsigned)((b->p[b->pos >> 3] >> (b->pos & 7)) & 1) << i;
    *v = x;
    return true;
}

/*
 * Code lengths zlib's inflate_table() accepts: never over-subscribed; the code-length code
 * complete; a literal or distance code complete, or a single code of one bit, or (distances)
 * none at all.
 */
static bool lengths_ok(const uint8_t *len, int n, bool codes)
{
    int count[16] = {0}, max = 0;
    int64_t left = 1;

    for (int i = 0; i < n; i++)
        count[len[i]]++;
    for (int k = 1; k < 16; k++) {
        left = left * 2 - count[k];
        if (left < 0)
            return false;
        if (count[k] > 0)
            max = k;
    }
    if (max == 0)
        return !codes;
    return left == 0 || (!codes && max == 1);
}

/* Decode one symbol of the canonical code `len` (n symbols) bit by bit. */
static int sym_get(bitrd *b, const uint8_t *len, int n)
{
    int code = 0, first = 0, index = 0;
    int count[16] = {0};
    int order[19];

    for (int i = 0; i < n; i++)
        count[len[i]]++;
    {
        int offs[16], o = 0;
        for (int k = 1; k < 16; k++) {
            offs[k] = o;
            o += count[k];
        }
        for (int i = 0; i < n; i++)
            if (len[i])
                order[offs[len[i]]++] = i;
    }
    for (int k = 1; k < 8; k++) {
        unsigned bit;
        if (!bits_get(b, 1, &bit))
            return -1;
        code |= (int)bit;
        if (code - count[k] < first)
            return order[index + (code - first)];
        index += count[k];
        first += count[k];
        first <<= 1;
        code <<= 1;
    }
    return -1;
}

/* Could a dynamic block's header start at bit `at`? */
static bool dynamic_header_ok(const uint8_t *p, size_t n, uint64_t at)
{
    static const uint8_t perm[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    bitrd b = {p, n, at};
    unsigned v, hlit, hdist, hclen;
    uint8_t cl[19] = {0}, lens[320];
    int total, i = 0;

    if (!bits_get(&b, 3, &v) || (v >> 1) != 2 || !bits_get(&b, 5, &hlit) ||
        !bits_get(&b, 5, &hdist) || !bits_get(&b, 4, &hclen) || hlit > 29 || hdist > 29)
        return false;
    for (unsigned k = 0; k < hclen + 4; k++) {
        if (!bits_get(&b, 3, &v))
            return false;
        cl[perm[k]] = (uint8_t)v;
    }
    if (!lengths_ok(cl, 19, true))
        return false;
    total = (int)(hlit + 257 + hdist + 1);
    while (i < total) {
        int s = sym_get(&b, cl, 19), rep = 0;
        uint8_t val = 0;

        if (s < 0)
            return false;
        if (s < 16) {
            lens[i++] = (uint8_t)s;
            continue;
        }
        if (s == 16) {
            if (i == 0 || !bits_get(&b, 2, &v))
                return false;
            val = lens[i - 1], rep = 3 + (int)v;
        } else if (!bits_get(&b, s == 17 ? 3 : 7, &v)) {
            return false;
        } else {
            rep = (s == 17 ? 3 : 11) + (int)v;
        }
        if (i + rep > total)
            return false;
        while (rep-- > 0)
            lens[i++] = val;
    }
    return lens[256] != 0 && lengths_ok(lens, (int)hlit + 257, true) &&
           lengths_ok(lens + hlit + 257, (int)hdist + 1, false);
}

/* Could a stored block start at bit `at` (LEN and its complement)? */
static bool stored_header_ok(const uint8_t *p, size_t n, uint64_t at)
{
    uint64_t byte = (at + 3 + 7) / 8;

    if (((p[at >> 3] >> (at & 7)) & 6) != 0 || at + 3 > (uint64_t)n * 8 || byte + 4 > n)
        return false;
    unsigned len = (unsigned)p[byte] | (unsigned)p[byte + 1] << 8;
    unsigned nlen = (unsigned)p[byte + 2] | (unsigned)p[byte + 3] << 8;

    return (len ^ nlen) == 0xffffu;
}

/* ---- trying a start ---- */

typedef struct trial {
    z_stream z;
    bool on;
    uint8_t *out, *cmp; /* PIECE each: what came out, what the ring holds there */
    rel_mark *marks;
    size_t nmarks;
    int64_t budget; /* bytes all trials may still inflate: hostile input cannot make it slow */
} trial;

/*
 * Inflate raw[..] (stream bytes from base) from bit `at` to its end with `dict` as the window;
 * fills out (when given, up to want bytes, compared with cmp if given) and marks.  The decoded
 * length, or -1 when the bits there are not a deflate stream (or do not match cmp).
 */
static int64_t trial_run(trial *t, const uint8_t *raw, size_t n, int64_t base, uint64_t at,
                         const uint8_t *dict, size_t dlen, const dfi_ztail *cmp_t, int64_t cmp_from)
{
    uint64_t byte = at / 8;
    int bit = (int)(at % 8);
    int64_t made = 0;
    int zr = Z_OK;

    t->marks[0] = (rel_mark){base * 8 + (int64_t)at, 0}; /* the start is a boundary too */
    t->nmarks = 1;
    if (inflateReset(&t->z) != Z_OK)
        return -1;
    if (bit > 0 && inflatePrime(&t->z, 8 - bit, raw[byte] >> bit) != Z_OK)
        return -1;
    if (dlen > 0 && inflateSetDictionary(&t->z, dict, (uInt)dlen) != Z_OK)
        return -1;
    t->z.next_in = (Bytef *)(uintptr_t)(raw + byte + (bit > 0));
    t->z.avail_in = (uInt)(n - byte - (bit > 0));
    while (zr == Z_OK) {
        uInt before;
        t->z.next_out = t->out;
        t->z.avail_out = PIECE;
        before = t->z.avail_in;
        zr = inflate(&t->z, Z_BLOCK);
        {
            size_t got = PIECE - t->z.avail_out;
            /* compared as far as the ring goes (zlib may decode a few bytes more of a cut
               stream than the count's decoder handed on) */
            int64_t left = cmp_t != NULL ? cmp_t->total - (cmp_from + made) : 0;
            size_t same = left <= 0 ? 0 : left < (int64_t)got ? (size_t)left : got;
            if (same > 0) {
                ring_range(cmp_t, cmp_from + made, same, t->cmp, NULL);
                if (memcmp(t->cmp, t->out, same) != 0)
                    return -1;
            }
            made += (int64_t)got;
            if ((t->budget -= (int64_t)got) < 0)
                return -1;
        }
        if ((t->z.data_type & 128) && !(t->z.data_type & 64) && t->nmarks < MAX_MARKS) {
            int64_t used = (int64_t)(t->z.next_in - raw);
            t->marks[t->nmarks++] = (rel_mark){(base + used) * 8 - (t->z.data_type & 7), made};
        }
        if (zr == Z_OK && t->z.avail_in == 0 && before == 0 && t->z.avail_out == PIECE)
            zr = Z_BUF_ERROR;
    }
    /* a cut stream decodes to the end of its raw bytes; or its last block ended, and at most
       the trailer (gzip's 8 bytes) was left */
    return (zr == Z_BUF_ERROR && t->z.avail_in == 0) || (zr == Z_STREAM_END && t->z.avail_in <= 8)
               ? made
               : -1;
}


/* The stream's last raw bytes (at least RAW_TAIL when there are as many): *base is the first's offset. */
static int raw_tail(dfi_raw_fn raw, void *ctx, uint8_t *buf, size_t *fill, int64_t *base)
{
    const size_t cap = 2 * RAW_TAIL;
    const uint8_t *q;
    size_t n;

    *fill = 0;
    *base = 0;
    while (raw(ctx, &q, &n) == DF_OK && n > 0) {
        while (n > 0) {
            size_t take;
            if (*fill == cap) {
                memmove(buf, buf + cap - RAW_TAIL, RAW_TAIL);
                *base += (int64_t)(cap - RAW_TAIL);
                *fill = RAW_TAIL;
            }
            take = cap - *fill < n ? cap - *fill : n;
            memcpy(buf + *fill, q, take);
            *fill += take;
            q += take;
            n -= take;
        }
    }
    return DF_OK; /* the raw bytes end at the damage: what came is what there is */
}

static void trial_end(trial *t)
{
    if (t->on)
        inflateEnd(&t->z);
    free(t->out);
    free(t->cmp);
    free(t->marks);
}

static int trial_start(trial *t)
{
    memset(t, 0, sizeof *t);
    t->budget = BUDGET;
    t->out = malloc(PIECE);
    t->cmp = malloc(PIECE);
    t->marks = malloc(MAX_MARKS * sizeof *t->marks);
    if (t->out == NULL || t->cmp == NULL || t->marks == NULL || inflateInit2(&t->z, -15) != Z_OK)
        return DF_E_NOMEM;
    t->on = true;
    return DF_OK;
}

/* The window before decoded offset `out` from the ring: false when the ring no longer has it. */
static bool ring_window(const dfi_ztail *t, int64_t out, dfi_zmark *m)
{
    m->out = out;
    m->wlen = out < WINDOW ? (size_t)out : WINDOW;
    if (out < 0 || out - (int64_t)m->wlen < ring_first(t) || out > t->total)
        return false;
    ring_range(t, out - (int64_t)m->wlen, m->wlen, m->window, NULL);
    return true;
}

/*
 * A start at bit `at` decoded to the end with a stand-in window into `len` bytes.  Where does
 * it begin?  zlib may decode a few bytes more of a cut stream than the count's decoder handed
 * on (SLACK at most), so at total - len + d for some small d: decoded again with the ring's
 * window there, it must give exactly the ring's bytes to their end and d bytes more (then it
 * and every boundary after it are real).  Of those boundaries, the latest with at most `limit`
 * decoded bytes before it whose window the ring still holds.
 */
#define SLACK 64

static bool place_start(const dfi_ztail *t, trial *tr, const uint8_t *raw, size_t n,
                        int64_t base, uint64_t at, int64_t len, dfi_zmark *m, int64_t *b0)
{
    for (int64_t d = 0; d <= SLACK; d++) {
        *b0 = t->total - len + d;
        if (*b0 >= 0 && ring_window(t, *b0, m) &&
            trial_run(tr, raw, n, base, at, m->window, m->wlen, t, *b0) == len)
            return true;
    }
    return false;
}

static bool pick_mark(const dfi_ztail *t, trial *tr, const uint8_t *raw, size_t n, int64_t base,
                      uint64_t at, int64_t len, int64_t limit, dfi_zmark *m)
{
    size_t j;
    int64_t b0, first = ring_first(t);

    if (!place_start(t, tr, raw, n, base, at, len, m, &b0))
        return false;
    j = tr->nmarks;
    while (j > 0 && b0 + tr->marks[j - 1].out > limit)
        j--;
    if (j == 0 || !ring_window(t, b0 + tr->marks[j - 1].out, m))
        return false;
    m->bits = tr->marks[j - 1].bits;
    m->check = t->check_out;
    ring_range(t, first, (size_t)(m->out - first), NULL, &m->check);
    return true;
}

int dfi_ztail_mark(const dfi_ztail *t, int64_t limit, dfi_raw_fn raw, void *raw_ctx,
                   dfi_zmark *m)
{
    uint8_t *buf = malloc(2 * RAW_TAIL), *zeros = calloc(1, WINDOW);
    size_t fill = 0;
    int64_t base = 0;
    trial tr;
    int rc = trial_start(&tr);

    if (rc == DF_OK && (buf == NULL || zeros == NULL))
        rc = DF_E_NOMEM;
    if (rc == DF_OK)
        rc = raw_tail(raw, raw_ctx, buf, &fill, &base);
    if (rc == DF_OK)
        rc = DF_E_UNSUPPORTED;
    for (uint64_t at = 0; rc == DF_E_UNSUPPORTED && at < (uint64_t)fill * 8 && tr.budget > 0;
         at++) {
        int64_t len;
        if (!dynamic_header_ok(buf, fill, at) && !stored_header_ok(buf, fill, at))
            continue;
        /* a stand-in window: a true start decodes to the end whatever its history was */
        if ((len = trial_run(&tr, buf, fill, base, at, zeros, WINDOW, NULL, 0)) < 0)
            continue;
        if (len > t->total + SLACK)
            continue;
        if (pick_mark(t, &tr, buf, fill, base, at, len, limit, m))
            rc = DF_OK; /* a true start: every later boundary is among its marks */
    }
    trial_end(&tr);
    free(buf);
    free(zeros);
    return rc;
}

#else /* no zlib: nothing is spliced, the rows are encoded again */

dfi_ztail *dfi_ztail_new(dfi_wrap w)
{
    (void)w;
    return NULL;
}
void dfi_ztail_free(dfi_ztail *t) { (void)t; }
void dfi_ztail_feed(dfi_ztail *t, const uint8_t *p, size_t n) { (void)t, (void)p, (void)n; }
int dfi_ztail_mark(const dfi_ztail *t, int64_t limit, dfi_raw_fn raw, void *raw_ctx,
                   dfi_zmark *m)
{
    (void)t, (void)limit, (void)raw, (void)raw_ctx, (void)m;
    return DF_E_UNSUPPORTED;
}
int dfi_zsplice(const dfi_zmark *m, dfi_wrap w, int level, int64_t keep, dfi_raw_fn raw,
                void *raw_ctx, const void *extra, size_t extra_len, dfi_emit_fn emit, void *ctx)
{
    (void)m, (void)w, (void)level, (void)keep, (void)raw, (void)raw_ctx, (void)extra;
    (void)extra_len, (void)emit, (void)ctx;
    return DF_E_UNSUPPORTED;
}
#endif
