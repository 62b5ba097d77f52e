/*
 * fmt_tar.c — the tar format (pg_dump -Ft, spec §7): ustar members
 * toc.dat (format byte 3), <dumpId>.dat per TABLE DATA entry, blob_<oid>.dat
 * per large object followed by the LO list member, restore.sql and two zero
 * blocks.  Members are walked forward with header checksum and size checks,
 * which works from a pipe; a seekable file also allows going back to a
 * member already passed.  Members already walked are found by name through
 * a hash table and by header offset through binary search, so reading an
 * archive with 100,000 large objects costs no more per member than one with
 * ten (the walk used to rescan every member seen for each one).
 */
#include "internal.h"
#include "fmt_tar.h"

#include <stdlib.h>
#include <string.h>

typedef struct tar_member {
    char *name;
    int64_t header; /* raw offset of the member's header */
    int64_t data;   /* raw offset of its data */
    int64_t size;
} tar_member;

typedef struct tar_state {
    tar_member *seen; /* in file order: headers walked from the start, none skipped */
    size_t nseen, cap;
    size_t *slots;       /* open-addressing table of seen: index + 1, 0 = empty */
    size_t nslots;       /* a power of two, at least twice nseen */
    size_t first_blob;   /* index + 1 of the first blob_* member walked, 0 = none yet */
    int64_t walked;      /* where the first header not yet walked starts */
    int64_t next_header; /* the header after the current member */
    bool at_end;         /* end-of-archive blocks reached */
    /* the member being read */
    int64_t left; /* data bytes left */
    char member[256];
    bool blobs; /* walking blob_*.dat members of a BLOBS entry */
} tar_state;

static tar_state *ts_of(const df_reader *r)
{
    return r->fmt_state;
}

static int64_t round_up(int64_t v)
{
    return (v + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
}

static bool all_zero(const uint8_t *h)
{
    for (int i = 0; i < TAR_BLOCK; i++)
        if (h[i] != 0)
            return false;
    return true;
}

/* Checksum of a 512-byte header: octal digits up to a space or NUL (9.3 writes 6 + " \0"). */
static bool checksum_ok(const uint8_t *h)
{
    unsigned sum = 0, stored = 0;
    int i = 148;

    for (int k = 0; k < TAR_BLOCK; k++)
        sum += (k >= 148 && k < 156) ? ' ' : h[k];
    while (i < 156 && h[i] == ' ')
        i++;
    if (i == 156 || h[i] < '0' || h[i] > '7')
        return false;
    for (; i < 156 && h[i] >= '0' && h[i] <= '7'; i++)
        stored = stored * 8 + (unsigned)(h[i] - '0');
    return stored == sum;
}

/* Size field: octal digits, or GNU base-256 for sizes of 8 GiB and more. */
static bool parse_size(const uint8_t *f, int64_t *out)
{
    uint64_t v = 0;
    int i = 0;

    if (f[0] & 0x80) {
        for (i = 1; i < 12; i++) {
            if (v >> 55)
                return false;
            v = (v << 8) | f[i];
        }
        *out = (int64_t)v;
        return true;
    }
    while (i < 12 && f[i] == ' ')
        i++;
    for (; i < 12 && f[i] >= '0' && f[i] <= '7'; i++) {
        if (v >> 60)
            return false;
        v = v * 8 + (uint64_t)(f[i] - '0');
    }
    if (i < 12 && f[i] != ' ' && f[i] != '\0')
        return false;
    *out = (int64_t)v;
    return true;
}

/* "prefix/name" (ustar) or "name", cut to fit `out`. */
static void member_name(const uint8_t *h, char *out, size_t n)
{
    size_t plen = strnlen((const char *)h + 345, 155), nlen = strnlen((const char *)h, 100);
    size_t k = 0;

    if (memcmp(h + 257, "ustar", 5) == 0 && plen > 0) {
        for (size_t i = 0; i < plen && k + 1 < n; i++)
            out[k++] = (char)h[345 + i];
        if (k + 1 < n)
            out[k++] = '/';
    }
    for (size_t i = 0; i < nlen && k + 1 < n; i++)
        out[k++] = (char)h[i];
    out[k] = '\0';
}

bool dfi_tar_looks_like(const uint8_t *p, size_t n)
{
    if (n < TAR_BLOCK)
        return false;
    if (memcmp(p + 257, "ustar", 5) != 0)
        return false;
    return checksum_ok(p);
}

dfi_wrap dfi_tar_member_wrap(const char *name)
{
    size_t n = strlen(name);

    return n > 3 && strcmp(name + n - 3, ".gz") == 0 ? DFI_WRAP_GZIP : DFI_WRAP_RAW;
}

uint32_t dfi_tar_blob_oid(const char *name, dfi_wrap *wrap)
{
    char *end;
    unsigned long v;

    if (strncmp(name, "blob_", 5) != 0)
        return 0;
    v = strtoul(name + 5, &end, 10);
    if (end == name + 5 || v == 0 || v > UINT32_MAX)
        return 0;
    if (strcmp(end, ".dat") != 0 && strcmp(end, ".dat.gz") != 0)
        return 0;
    *wrap = dfi_tar_member_wrap(name);
    return (uint32_t)v;
}

/* ---------------------------------------------------------------- walker */

/* Walker states: what the next bytes are. */
enum {
    TW_HEADER,  /* a member header or the first end block */
    TW_DATA,    /* the rest (left bytes) of a member's data, then its padding */
    TW_END2,    /* the second end block */
    TW_OVER,    /* the walk is over (the end, or damage) */
};

void dfi_tw_init(dfi_twalk *k, dfi_buf *b, int64_t file_size, df_error *err)
{
    memset(k, 0, sizeof *k);
    k->b = b;
    k->file_size = file_size;
    k->err = err;
    k->state = TW_HEADER;
}

/* The walk is over with ev, which every later dfi_tw_next() reports again. */
static dfi_tw_event tw_over(dfi_twalk *k, dfi_tw_event ev, int rc)
{
    k->rc = rc;
    k->state = TW_OVER;
    k->last = ev;
    return ev;
}

/* A member header, or the first end block (left in place). */
static dfi_tw_event tw_header(dfi_twalk *k)
{
    int64_t at = dfi_buf_tell(k->b);
    const uint8_t *h;
    int rc = dfi_buf_need(k->b, TAR_BLOCK, k->err);

    k->at = at;
    if (rc == DF_E_TRUNCATED && k->err->offset == at)
        return tw_over(k, DFI_TW_NO_END, rc);
    if (rc != DF_OK)
        return tw_over(k, DFI_TW_HEADER_FAIL, rc);
    h = dfi_buf_ptr(k->b);
    if (all_zero(h)) {
        k->state = TW_END2;
        return DFI_TW_END;
    }
    if (!checksum_ok(h))
        return tw_over(k, DFI_TW_BAD_CHECKSUM, DF_E_CORRUPT);
    if (!parse_size(h + 124, &k->size))
        return tw_over(k, DFI_TW_BAD_SIZE, DF_E_CORRUPT);
    member_name(h, k->name, sizeof k->name);
    dfi_buf_consume(k->b, TAR_BLOCK);
    k->data = at + TAR_BLOCK;
    if (k->file_size >= 0 && k->data + k->size > k->file_size)
        return tw_over(k, DFI_TW_PAST_END, DF_E_TRUNCATED);
    k->left = k->size;
    k->state = TW_DATA;
    return DFI_TW_MEMBER;
}

/* The second end block: anything after it is ignored. */
static dfi_tw_event tw_end2(dfi_twalk *k)
{
    int rc;

    dfi_buf_consume(k->b, TAR_BLOCK);
    k->data = dfi_buf_tell(k->b);
    rc = dfi_buf_need(k->b, TAR_BLOCK, k->err);
    if (rc != DF_OK)
        return tw_over(k, DFI_TW_END_FAIL, rc);
    if (!all_zero(dfi_buf_ptr(k->b)))
        return tw_over(k, DFI_TW_BAD_END, DF_E_CORRUPT);
    return tw_over(k, DFI_TW_END_OK, DF_OK);
}

dfi_tw_event dfi_tw_next(dfi_twalk *k)
{
    int rc;

    switch (k->state) {
    case TW_HEADER: return tw_header(k);
    case TW_DATA:
        if ((rc = dfi_buf_skip(k->b, k->left, k->err)) != DF_OK)
            return tw_over(k, DFI_TW_DATA_FAIL, rc);
        k->left = 0;
        if ((rc = dfi_buf_skip(k->b, round_up(k->size) - k->size, k->err)) != DF_OK)
            return tw_over(k, DFI_TW_PADDING_FAIL, rc);
        return tw_header(k);
    case TW_END2: return tw_end2(k);
    default: return k->last;
    }
}

int dfi_tw_data(dfi_twalk *k, const uint8_t **p, size_t *n, int64_t *at)
{
    size_t take;
    int rc;

    if (k->state != TW_DATA || k->left == 0)
        return DF_EOF;
    rc = dfi_buf_fill(k->b, k->err);
    if (rc == DF_EOF)
        rc = dfi_fail(k->err, DF_E_TRUNCATED, dfi_buf_tell(k->b), "unexpected end of file");
    if (rc != DF_OK) {
        tw_over(k, DFI_TW_DATA_FAIL, rc);
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

/* FNV-1a: member names are short and not chosen to collide with anything that matters. */
static size_t name_hash(const char *name)
{
    uint64_t h = 1469598103934665603ULL;

    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return (size_t)h;
}

/* The slot holding `name`, or the empty slot where it would go. */
static size_t *slot_of(const tar_state *ts, const char *name)
{
    size_t mask = ts->nslots - 1, i = name_hash(name) & mask;

    while (ts->slots[i] != 0 && strcmp(ts->seen[ts->slots[i] - 1].name, name) != 0)
        i = (i + 1) & mask;
    return &ts->slots[i];
}

/* Index member k by name; the first member of a name wins, as a forward walk finds it. */
static void index_member(tar_state *ts, size_t k)
{
    size_t *slot = slot_of(ts, ts->seen[k].name);

    if (*slot == 0)
        *slot = k + 1;
}

/* Keep the table at most half full so probes stay short. */
static int grow_index(df_reader *r, int64_t at)
{
    tar_state *ts = ts_of(r);
    size_t n = ts->nslots ? ts->nslots * 2 : 128;
    size_t *slots;

    if (ts->nseen + 1 <= ts->nslots / 2)
        return DF_OK;
    slots = calloc(n, sizeof *slots);
    if (slots == NULL)
        return dfi_fail(&r->err, DF_E_NOMEM, at, "out of memory");
    free(ts->slots);
    ts->slots = slots;
    ts->nslots = n;
    for (size_t k = 0; k < ts->nseen; k++)
        index_member(ts, k);
    return DF_OK;
}

/* The walked member named `name`, or NULL. */
static const tar_member *seen_by_name(const tar_state *ts, const char *name)
{
    size_t *slot;

    if (ts->nslots == 0)
        return NULL;
    slot = slot_of(ts, name);
    return *slot ? &ts->seen[*slot - 1] : NULL;
}

/* The walked member whose header is at `header`, or NULL (seen is in file order). */
static const tar_member *seen_at(const tar_state *ts, int64_t header)
{
    size_t lo = 0, hi = ts->nseen;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ts->seen[mid].header < header)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ts->nseen && ts->seen[lo].header == header ? &ts->seen[lo] : NULL;
}

static int remember(df_reader *r, const char *name, int64_t header, int64_t size)
{
    tar_state *ts = ts_of(r);
    tar_member *m;

    if (ts->nseen == ts->cap) {
        size_t cap = ts->cap ? ts->cap * 2 : 64;
        tar_member *n;
        if ((int64_t)cap > r->lim.max_toc_entries * 2 + 1024)
            return dfi_fail(&r->err, DF_E_LIMIT, header, "too many tar members");
        n = realloc(ts->seen, cap * sizeof *n);
        if (n == NULL)
            return dfi_fail(&r->err, DF_E_NOMEM, header, "out of memory");
        ts->seen = n;
        ts->cap = cap;
    }
    if (grow_index(r, header) != DF_OK)
        return r->err.code;
    m = &ts->seen[ts->nseen];
    m->name = strdup(name);
    if (m->name == NULL)
        return dfi_fail(&r->err, DF_E_NOMEM, header, "out of memory");
    m->header = header;
    m->data = header + TAR_BLOCK;
    m->size = size;
    index_member(ts, ts->nseen);
    if (ts->first_blob == 0 && strncmp(name, "blob_", 5) == 0)
        ts->first_blob = ts->nseen + 1;
    ts->nseen++;
    return DF_OK;
}

/*
 * Read the member header at the current position.  DF_EOF at the
 * end-of-archive blocks; the position is left at the member's data.
 */
static int read_member_header(df_reader *r, char *name, size_t n, int64_t *size)
{
    tar_state *ts = ts_of(r);
    int64_t at = dfi_buf_tell(&r->buf);
    dfi_twalk k;
    int rc;

    /* Header problems are at offsets of the tar file itself, not of a member. */
    dfi_error_set_member(&r->err, "");
    dfi_tw_init(&k, &r->buf, r->src.seekable ? r->src.size : -1, &r->err);
    switch (dfi_tw_next(&k)) {
    case DFI_TW_MEMBER: break;
    case DFI_TW_END: ts->at_end = true; return DF_EOF;
    case DFI_TW_BAD_CHECKSUM:
        return dfi_fail(&r->err, DF_E_CORRUPT, at, "tar header checksum mismatch");
    case DFI_TW_BAD_SIZE:
        return dfi_fail(&r->err, DF_E_CORRUPT, at + 124, "invalid size in tar header");
    case DFI_TW_PAST_END:
        /* salvage (df_reader_set_salvage_toc): a cut toc.dat is read up to the cut */
        if (r->salvage_toc && ts->nseen == 0 && strcmp(k.name, "toc.dat") == 0 &&
            dfi_buf_seek(&r->buf, k.data, &r->err) == DF_OK)
            break;
        return dfi_fail(&r->err, DF_E_TRUNCATED, r->src.size,
                        "tar member \"%s\" declares %lld bytes but the file ends %lld bytes "
                        "into it",
                        k.name, (long long)k.size, (long long)(r->src.size - k.data));
    default:
        if (k.rc == DF_E_TRUNCATED)
            return dfi_fail(&r->err, DF_E_TRUNCATED, r->err.offset,
                            "tar archive ends inside or before a member header at offset %lld",
                            (long long)at);
        return k.rc;
    }
    snprintf(name, n, "%s", k.name);
    *size = k.size;
    rc = remember(r, name, at, *size);
    ts->next_header = ts->walked = k.data + round_up(*size);
    return rc;
}

static int tar_open(df_reader *r)
{
    tar_state *ts = calloc(1, sizeof *ts);
    char name[256];
    int64_t size;
    int rc;

    if (ts == NULL)
        return dfi_fail(&r->err, DF_E_NOMEM, -1, "out of memory");
    r->fmt_state = ts;
    rc = read_member_header(r, name, sizeof name, &size);
    if (rc == DF_EOF)
        return dfi_fail(&r->err, DF_E_FORMAT, 0, "tar archive is empty");
    if (rc != DF_OK)
        return rc;
    if (strcmp(name, "toc.dat") != 0)
        return dfi_fail(&r->err, DF_E_FORMAT, 0,
                        "first tar member is \"%s\", not toc.dat: not a pg_dump tar archive", name);
    dfi_error_set_member(&r->err, "toc.dat");
    r->buf.limit = ts->seen[0].data + size; /* the TOC must not run past its member */
    rc = dfi_read_header(r, 3);
    if (rc == DF_OK)
        rc = dfi_read_toc(r, dfi_toc_filename_extra);
    r->buf.limit = -1;
    if (rc != DF_OK)
        return rc;
    if (r->toc_cut) { /* salvage: the file ends inside toc.dat, no member follows */
        dfi_error_set_member(&r->toc_cut_err, "toc.dat");
        ts->next_header = ts->walked = r->hdr.toc_end;
        ts->at_end = true;
        dfi_error_set_member(&r->err, "");
        return dfi_buf_seek(&r->buf, r->hdr.toc_end, &r->err);
    }
    if (r->hdr.toc_end > ts->seen[0].data + size)
        return dfi_fail(&r->err, DF_E_CORRUPT, r->hdr.toc_end, "TOC runs past its tar member");
    dfi_error_set_member(&r->err, "");
    return dfi_buf_seek(&r->buf, ts->next_header, &r->err);
}

/* Position at the data of member `m` and make it the current member. */
static int enter_member(df_reader *r, const tar_member *m)
{
    tar_state *ts = ts_of(r);
    int rc;

    dfi_error_set_member(&r->err, "");
    rc = dfi_buf_seek(&r->buf, m->data, &r->err);
    if (rc != DF_OK)
        return rc;
    ts->left = m->size;
    ts->next_header = m->data + round_up(m->size);
    snprintf(ts->member, sizeof ts->member, "%s", m->name);
    snprintf(r->stats.member, sizeof r->stats.member, "%s", m->name);
    r->stats.raw_offset = m->data;
    dfi_error_set_member(&r->err, m->name);
    r->wrap = dfi_tar_member_wrap(m->name);
    return DF_OK;
}

/* Is `name` the member looked for: named `want`, or (want NULL) any blob_* member? */
static bool wanted(const char *name, const char *want)
{
    return want != NULL ? strcmp(name, want) == 0 : strncmp(name, "blob_", 5) == 0;
}

/*
 * The member named `want` (NULL: the first blob_* member), among those
 * walked or else walking forward from the first one not yet walked.
 */
static int walk_to(df_reader *r, const char *want, const tar_member **found)
{
    tar_state *ts = ts_of(r);

    *found = want != NULL ? seen_by_name(ts, want)
             : ts->first_blob ? &ts->seen[ts->first_blob - 1]
                              : NULL;
    if (*found != NULL)
        return DF_OK;
    while (!ts->at_end) {
        char name[256];
        int64_t size;
        int rc = dfi_buf_seek(&r->buf, ts->walked, &r->err);

        if (rc == DF_OK)
            rc = read_member_header(r, name, sizeof name, &size);
        if (rc == DF_EOF)
            break;
        if (rc != DF_OK)
            return rc;
        if (wanted(name, want)) {
            *found = &ts->seen[ts->nseen - 1];
            return DF_OK;
        }
    }
    return DF_EOF;
}

static int tar_open_data(df_reader *r, const df_entry *e)
{
    tar_state *ts = ts_of(r);
    const tar_member *m = NULL;
    char want[200];
    int rc;

    ts->blobs = df_entry_is_blobs(e);
    if (ts->blobs && r->arch.version >= DF_MAKE_VERSION(1, 16, 0)) {
        /* 1.16: the group starts at blob_<first OID of the tag>.dat */
        snprintf(want, sizeof want, "blob_%lu.dat", strtoul(e->tag ? e->tag : "0", NULL, 10));
        rc = walk_to(r, want, &m);
    } else if (ts->blobs) {
        rc = walk_to(r, NULL, &m);
    } else {
        rc = walk_to(r, e->filename ? e->filename : "", &m);
    }
    if (rc == DF_EOF) {
        dfi_entry_label(e, want, sizeof want);
        return dfi_fail(&r->err, DF_E_NOTFOUND, dfi_buf_tell(&r->buf),
                        "could not find the member of %s in the tar archive", want);
    }
    if (rc != DF_OK)
        return rc;
    if (ts->blobs) {
        ts->left = 0;
        ts->next_header = m->header; /* next_lo reads this header again */
        return dfi_buf_seek(&r->buf, m->header, &r->err);
    }
    return enter_member(r, m);
}

static int tar_next_lo(df_reader *r, uint32_t *oid)
{
    tar_state *ts = ts_of(r);
    const tar_member *m;
    char name[256];
    int64_t size;
    int rc;

    dfi_error_set_member(&r->err, ""); /* the previous LO's member is done */
    rc = dfi_buf_seek(&r->buf, ts->next_header, &r->err);
    if (rc != DF_OK)
        return rc;
    m = seen_at(ts, ts->next_header);
    if (m == NULL) { /* next_header is where the walk stopped: walk one more */
        if (ts->at_end)
            return DF_EOF;
        rc = read_member_header(r, name, sizeof name, &size);
        if (rc != DF_OK)
            return rc;
        m = &ts->seen[ts->nseen - 1];
    }
    if (strncmp(m->name, "blob_", 5) != 0)
        return DF_EOF;
    if ((*oid = dfi_tar_blob_oid(m->name, &r->wrap)) == 0)
        return dfi_fail(&r->err, DF_E_CORRUPT, m->header, "invalid large object member name \"%s\"",
                        m->name);
    return enter_member(r, m);
}

static int tar_read_raw(df_reader *r, const uint8_t **p, size_t *n)
{
    tar_state *ts = ts_of(r);
    size_t take;
    int rc;

    if (ts->left == 0)
        return DF_EOF;
    rc = dfi_buf_fill(&r->buf, &r->err);
    if (rc == DF_EOF)
        return dfi_fail(&r->err, DF_E_TRUNCATED, dfi_buf_tell(&r->buf),
                        "tar member \"%s\" is truncated (%lld bytes missing)", ts->member,
                        (long long)ts->left);
    if (rc != DF_OK)
        return rc;
    take = dfi_buf_avail(&r->buf);
    if ((int64_t)take > ts->left)
        take = (size_t)ts->left;
    *p = dfi_buf_ptr(&r->buf);
    *n = take;
    dfi_buf_consume(&r->buf, take);
    ts->left -= (int64_t)take;
    r->stats.raw_bytes += (int64_t)take;
    r->stats.payload_bytes += (int64_t)take;
    return DF_OK;
}

static void tar_close_data(df_reader *r)
{
    /* Nothing to release: the next request positions itself by header offsets. */
    (void)r;
}

static void tar_free(df_reader *r)
{
    tar_state *ts = ts_of(r);

    if (ts == NULL)
        return;
    for (size_t i = 0; i < ts->nseen; i++)
        free(ts->seen[i].name);
    free(ts->seen);
    free(ts->slots);
    free(ts);
    r->fmt_state = NULL;
}

static int64_t tar_tell(const df_reader *r)
{
    return dfi_buf_tell(&r->buf);
}

const dfi_format dfi_format_tar = {
    .name = "tar",
    .id = DF_FORMAT_TAR,
    .open = tar_open,
    .open_data = tar_open_data,
    .next_lo = tar_next_lo,
    .read_raw = tar_read_raw,
    .close_data = tar_close_data,
    .free = tar_free,
    .tell = tar_tell,
};
