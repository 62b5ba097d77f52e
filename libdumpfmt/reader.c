/*
 * reader.c — the public entry points: reader lifecycle, format probing
 * (the one place that decides what a file is), TOC access, and the generic
 * data layer that pulls raw stream pieces from the format module and runs
 * them through the codec into the caller's buffer.
 */
#include "internal.h"
#include "plain.h"
#include "testhooks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void df_limits_default(df_limits *l)
{
    memset(l, 0, sizeof *l);
    l->size = sizeof *l;
    l->max_string = 64LL << 20;
    l->max_toc_entries = 4000000;
    l->max_deps = 1000000;
    l->max_toc_bytes = 1LL << 30;
    l->max_chunk = 1LL << 30;
    l->max_los = 100000000;
    l->max_line = 4096;
}

df_reader *df_reader_new(const df_limits *limits)
{
    df_reader *r = calloc(1, sizeof *r);

    if (r == NULL)
        return NULL;
    df_limits_default(&r->lim);
    if (dfi_options_take(&r->lim, sizeof r->lim, limits, "df_limits", NULL) != DF_OK) {
        free(r);
        return NULL;
    }
    r->src.fd = -1;
    r->arch.lim = &r->lim;
    r->hdr.file_size = -1;
    r->hdr.header_end = r->hdr.toc_end = -1;
    dfi_error_clear(&r->err);
    return r;
}

/* A test knob (testhooks.h): not exported, not part of the API. */
void df_reader_set_io_size(df_reader *r, size_t n) { r->io_size = n; }

void df_reader_set_follow_symlinks(df_reader *r, int follow) { r->follow_symlinks = follow != 0; }

void df_reader_set_salvage_toc(df_reader *r, int on) { r->salvage_toc = on != 0; }

int df_reader_toc_cut(const df_reader *r, int64_t *promised, df_error *where)
{
    if (!r->toc_cut)
        return 0;
    if (promised)
        *promised = r->toc_promised;
    if (where)
        *where = r->toc_cut_err;
    return 1;
}

void df_reader_close_data(df_reader *r)
{
    if (r == NULL || !r->data_open)
        return;
    if (r->dec_active)
        dfi_dec_end(&r->dec);
    r->dec_active = false;
    dfi_progress_closed(r);
    if (r->fmt && r->fmt->close_data)
        r->fmt->close_data(r);
    r->data_open = r->in_stream = false;
}

void df_reader_free(df_reader *r)
{
    if (r == NULL)
        return;
    df_reader_close_data(r);
    if (r->fmt && r->fmt->free)
        r->fmt->free(r);
    dfi_toc_free(r);
    dfi_buf_free(&r->buf);
    dfi_src_close(&r->src);
    free(r->hdr_dbname);
    free(r->hdr_server);
    free(r->hdr_dump);
    free(r->path);
    free(r);
}

const df_error *df_reader_error(const df_reader *r) { return &r->err; }
const df_header *df_reader_header(const df_reader *r) { return &r->hdr; }
size_t df_reader_toc_count(const df_reader *r) { return r->nentries; }
const char *df_reader_path(const df_reader *r) { return r->path ? r->path : ""; }
int df_reader_seekable(const df_reader *r) { return r->src.seekable; }

const df_entry *df_reader_toc_at(const df_reader *r, size_t i)
{
    return i < r->nentries ? &r->entries[i] : NULL;
}

const df_entry *df_reader_find(const df_reader *r, int32_t dump_id)
{
    ssize_t i = r->id_sorted ? dfi_find_index(r, dump_id) : -1;

    return i >= 0 ? &r->entries[i] : NULL;
}

/* ------------------------------------------------------------ probing */

/* Read until n bytes are buffered or the input ends; never consumes. */
static int peek_up_to(df_reader *r, size_t n)
{
    int rc = dfi_buf_need(&r->buf, n, &r->err);

    if (rc == DF_E_TRUNCATED) {
        dfi_error_clear(&r->err);
        return DF_OK;
    }
    return rc;
}


int dfi_text_damage_hint(df_reader *r, int rc)
{
    static const char hint[] = "; the file looks converted to CR LF line ends (a text-mode "
                               "redirection or copy): write it with pg_dump -f FILE, copy it "
                               "in binary mode";
    size_t used, room;

    if (rc >= 0 || !r->crlf_suspect)
        return rc;
    used = strnlen(r->err.message, sizeof r->err.message - 1);
    room = sizeof r->err.message - 1 - used;
    memcpy(r->err.message + used, hint, room < sizeof hint - 1 ? room : sizeof hint - 1);
    r->err.message[used + (room < sizeof hint - 1 ? room : sizeof hint - 1)] = '\0';
    return rc;
}

/*
 * "PGDMP", a tar's "toc.dat" or a script's "--" as UTF-16 after a byte-order mark: what
 * PowerShell's ">" makes of pg_dump's output.  Returns the byte-order mark
 * ("FF FE", "FE FF") or NULL.
 */
static const char *utf16_of(const uint8_t *p, size_t n, const char *text)
{
    size_t k = strlen(text);
    bool le = n >= 2 + 2 * k && p[0] == 0xff && p[1] == 0xfe;
    bool be = n >= 2 + 2 * k && p[0] == 0xfe && p[1] == 0xff;

    for (size_t i = 0; (le || be) && i < k; i++) {
        const uint8_t *c = p + 2 + 2 * i;
        if (c[le ? 0 : 1] != (uint8_t)text[i] || c[le ? 1 : 0] != 0)
            le = be = false;
    }
    return le ? "FF FE" : be ? "FE FF" : NULL;
}

static int refuse_utf16(df_reader *r, const uint8_t *p, size_t n)
{
    const char *bom = utf16_of(p, n, "PGDMP");

    if (bom == NULL)
        bom = utf16_of(p, n, "toc.dat"); /* a tar archive's first member */
    if (bom != NULL)
        return dfi_fail(&r->err, DF_E_FORMAT, 0,
                        "the archive was re-encoded as UTF-16 text (byte-order mark %s), as a "
                        "PowerShell redirection (>) does, and cannot be repaired: write it with "
                        "pg_dump -f FILE",
                        bom);
    if (n >= 8 && memcmp(p, "\xef\xbb\xbfPGDMP", 8) == 0) /* Out-File -Encoding utf8 */
        return dfi_fail(&r->err, DF_E_FORMAT, 0,
                        "the archive was re-encoded as UTF-8 text (byte-order mark EF BB BF), as "
                        "PowerShell does, and cannot be repaired: write it with pg_dump -f FILE");
    bom = utf16_of(p, n, "--");
    if (bom != NULL)
        return dfi_fail(&r->err, DF_E_FORMAT, 0,
                        "the script was re-encoded as UTF-16 text (byte-order mark %s), as a "
                        "PowerShell redirection (>) does: write it with pg_dump -f FILE (or "
                        "convert it to UTF-8 with iconv)",
                        bom);
    return DF_OK;
}

/* Decide the format of a file or stream from its first bytes (design §3.10). */
static int probe(df_reader *r, const dfi_format **fmt)
{
    const uint8_t *p;
    size_t n;
    int rc = peek_up_to(r, DFI_PROBE_BYTES);

    if (rc != DF_OK)
        return rc;
    p = dfi_buf_ptr(&r->buf);
    n = dfi_buf_avail(&r->buf);
    r->crlf_suspect = dfi_looks_crlf(p, n);
    if (n >= 8 && memcmp(p, "PGDMP", 5) == 0) {
        int vmin = p[6];
        /* magic, vmaj, vmin, [vrev], intSize, [offSize], format */
        int fpos = ((p[5] > 1 || vmin > 0) ? 8 : 7) + 1 + (vmin >= 7 ? 1 : 0);
        if ((size_t)fpos < n && p[fpos] == 3)
            return dfi_fail(&r->err, DF_E_FORMAT, fpos,
                            "this is the toc.dat of a directory archive: open its directory");
        *fmt = &dfi_format_custom;
        return DF_OK;
    }
    if (n < 5 && memcmp(p, "PGDMP", n) == 0)
        return dfi_fail(&r->err, DF_E_TRUNCATED, (int64_t)n,
                        "input file is too short (read %zu bytes, expected 5)", n);
    if (n >= 5 && memcmp(p, "PGDMP", 5) == 0) {
        *fmt = &dfi_format_custom; /* short header: let the parser say where it ends */
        return DF_OK;
    }
    if (dfi_tar_looks_like(p, n)) {
        *fmt = &dfi_format_tar;
        return DF_OK;
    }
    /*
     * A script, or a file compressed as a whole: pg_dump writes no archive
     * that starts with a gzip, lz4 or zstd magic, so it can only be a
     * compressed script (the plain reader checks its first lines).
     */
    if (dfi_looks_like_plain(p, n) || dfi_wrap_sniff(p, n) != DFI_WRAP_RAW) {
        *fmt = &dfi_format_plain;
        return DF_OK;
    }
    if ((rc = refuse_utf16(r, p, n)) != DF_OK)
        return rc;
    return dfi_fail(&r->err, DF_E_FORMAT, 0, "input file does not appear to be a valid archive");
}

static int set_path(df_reader *r, const char *path)
{
    r->path = strdup(path ? path : "");
    if (r->path == NULL)
        return dfi_fail(&r->err, DF_E_NOMEM, -1, "out of memory");
    return DF_OK;
}

static int open_stream(df_reader *r)
{
    const dfi_format *fmt = NULL;
    int rc;

    r->src.io_cap = r->io_size;
    r->hdr.file_size = r->src.size;
    rc = dfi_buf_init(&r->buf, &r->src, DFI_BUF_SIZE, &r->err);
    if (rc == DF_OK)
        rc = probe(r, &fmt);
    if (rc != DF_OK)
        return rc;
    r->fmt = fmt;
    r->hdr.format = fmt->id;
    return dfi_text_damage_hint(r, fmt->open(r));
}

static int check_fresh(df_reader *r)
{
    if (r->opened)
        return dfi_fail(&r->err, DF_E_USAGE, -1, "reader is already open");
    r->opened = true;
    return DF_OK;
}

int df_reader_open_fd(df_reader *r, int fd, const char *display_name)
{
    int rc = check_fresh(r);

    if (rc == DF_OK)
        rc = set_path(r, display_name ? display_name : "-");
    if (rc == DF_OK)
        rc = dfi_src_open_fd(&r->src, fd, &r->err);
    if (rc == DF_OK)
        rc = open_stream(r);
    return rc;
}

/* "toc.dat", or the same compressed whole (toc.dat.gz, .lz4, .zst). */
static bool names_toc_dat(const char *path)
{
    static const char *const names[] = {"toc.dat", "toc.dat.gz", "toc.dat.lz4", "toc.dat.zst"};
    const char *base = strrchr(path, '/');

    base = base ? base + 1 : path;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(base, names[i]) == 0)
            return true;
    return false;
}

static int open_directory(df_reader *r)
{
    r->fmt = &dfi_format_directory;
    r->hdr.format = DF_FORMAT_DIRECTORY;
    return dfi_text_damage_hint(r, dfi_format_directory.open(r));
}

int df_reader_open_path(df_reader *r, const char *path)
{
    struct stat st;
    int rc = check_fresh(r);

    if (rc != DF_OK)
        return rc;
    if ((rc = set_path(r, path)) != DF_OK)
        return rc;
    if (strcmp(path, "-") == 0) {
        rc = dfi_src_open_fd(&r->src, 0, &r->err);
        return rc == DF_OK ? open_stream(r) : rc;
    }
    if (stat(path, &st) != 0) {
        int e = errno;
        dfi_fail_errno(&r->err, e, -1, "could not open \"%s\": %s", path, strerror(e));
        if (e == ENOENT)
            r->err.code = DF_E_NOTFOUND;
        return r->err.code;
    }
    if (!S_ISDIR(st.st_mode) && names_toc_dat(path)) {
        /* "dir/toc.dat" means the directory archive it belongs to */
        char *slash = strrchr(r->path, '/');
        if (slash != NULL)
            *slash = '\0';
        else
            snprintf(r->path, strlen(r->path) + 1, ".");
        return open_directory(r);
    }
    if (S_ISDIR(st.st_mode))
        return open_directory(r);
    rc = dfi_src_open_path(&r->src, path, &r->err);
    return rc == DF_OK ? open_stream(r) : rc;
}

/* ------------------------------------------------------------ data layer */

static int start_stream(df_reader *r)
{
    int rc = dfi_dec_init(&r->dec, r->wrap);

    if (rc != DF_OK)
        return dfi_fail(&r->err, rc, r->stats.raw_offset, "%s", r->dec.msg);
    r->dec_active = true;
    r->in_stream = true;
    r->stream_done = false;
    r->raw_p = NULL;
    r->raw_n = 0;
    r->raw_eof = false;
    r->pending_rc = DF_OK;
    r->pending_drain = false;
    r->chunk_out = 0;
    return DF_OK;
}

int df_reader_open_data(df_reader *r, const df_entry *e)
{
    int rc;

    df_reader_close_data(r);
    dfi_error_clear(&r->err);
    if (r->fmt == NULL || e == NULL || e->index >= r->nentries || &r->entries[e->index] != e)
        return dfi_fail(&r->err, DF_E_USAGE, -1, "no such entry in this reader");
    if (!df_entry_has_data(e))
        return dfi_fail(&r->err, DF_E_USAGE, e->toc_offset, "entry %d (%s) has no data",
                        e->dump_id, e->desc);
    memset(&r->stats, 0, sizeof r->stats);
    r->stats.raw_offset = -1;
    r->cur = e;
    rc = r->fmt->open_data(r, e);
    if (rc != DF_OK)
        return rc;
    r->data_open = true;
    if (df_entry_is_blobs(e))
        return DF_OK;
    return start_stream(r);
}

int df_reader_next_lo(df_reader *r, uint32_t *oid)
{
    int rc;

    if (!r->data_open || !df_entry_is_blobs(r->cur))
        return dfi_fail(&r->err, DF_E_USAGE, -1, "no large-object data is open");
    if (r->dec_active)
        dfi_dec_end(&r->dec);
    r->dec_active = r->in_stream = false;
    rc = r->fmt->next_lo(r, oid);
    if (rc != DF_OK)
        return rc;
    r->stats.los++;
    return start_stream(r);
}

/*
 * Fetch the next raw piece when the previous one is used up; `produced`
 * bytes came out in this call so far.  A piece that opens a new chunk marks
 * the output so far in chunk_out (nothing after it can predate the chunk).
 */
static int refill_raw(df_reader *r, size_t produced)
{
    int64_t chunks = r->stats.chunks;
    int rc;

    if (r->raw_n > 0 || r->raw_eof)
        return DF_OK;
    rc = r->fmt->read_raw(r, &r->raw_p, &r->raw_n);
    if (r->stats.chunks != chunks)
        r->chunk_out = r->stats.out_bytes + (int64_t)produced;
    if (rc == DF_EOF) {
        r->raw_eof = true;
        r->raw_n = 0;
        return DF_OK;
    }
    return rc;
}

int dfi_reader_raw(df_reader *r, const uint8_t **p, size_t *n, int64_t out)
{
    int64_t chunks = r->stats.chunks;
    int rc;

    if (!r->data_open || !r->in_stream)
        return dfi_fail(&r->err, DF_E_USAGE, -1, "no data stream is open");
    rc = r->fmt->read_raw(r, p, n);
    if (r->stats.chunks != chunks)
        r->chunk_out = out;
    return rc;
}

/* After the codec reported its end, nothing but the container's end may follow. */
static int expect_raw_end(df_reader *r)
{
    int rc;

    for (;;) {
        if (r->raw_n > 0)
            return dfi_fail(&r->err, DF_E_CORRUPT, r->fmt->tell(r) - (int64_t)r->raw_n,
                            "%zu bytes follow the end of the compressed stream", r->raw_n);
        if (r->raw_eof)
            return DF_OK;
        if ((rc = refill_raw(r, 0)) != DF_OK)
            return rc;
    }
}

static int64_t stream_ended(df_reader *r, size_t produced)
{
    int rc = expect_raw_end(r);

    if (rc != DF_OK)
        return rc;
    r->stream_done = true;
    r->stats.out_bytes += (int64_t)produced;
    return (int64_t)produced;
}

static int codec_error(df_reader *r, int code)
{
    int64_t at = r->fmt->tell(r) - (int64_t)r->raw_n;

    return dfi_fail(&r->err, code, at, "%s", r->dec.msg[0] ? r->dec.msg : "bad compressed data");
}

/*
 * The call met an error (rc, described in r->err) after `produced` bytes came
 * out: those bytes are handed out now and the error is kept for the next
 * call, so that a damaged stream loses nothing decoded before its damage.
 */
static int64_t defer_error(df_reader *r, int rc, size_t produced)
{
    r->pending_rc = rc;
    r->pending_err = r->err;
    if (produced == 0)
        return rc;
    r->stats.out_bytes += (int64_t)produced;
    return (int64_t)produced;
}

/*
 * After the input failed: what the codec still holds (zlib mid-match,
 * lz4/zstd block buffers) is decoded bytes that survived, so it is drained
 * with an empty input (codec.c's contract), as many calls as it takes; then
 * the error, for good.
 */
static int64_t drain_failed(df_reader *r, uint8_t *out, size_t len, size_t produced)
{
    size_t room = len - produced;

    out += produced;
    while (r->pending_drain && room > 0) {
        const uint8_t *none = NULL;
        size_t zero = 0, before = room;

        if (dfi_dec_step(&r->dec, &none, &zero, &out, &room) != DF_OK || room == before)
            r->pending_drain = false;
    }
    if (len - room == 0) {
        r->err = r->pending_err;
        return r->pending_rc;
    }
    r->stats.out_bytes += (int64_t)(len - room);
    return (int64_t)(len - room);
}

static int64_t input_failed(df_reader *r, int rc, uint8_t *buf, size_t room, size_t len)
{
    r->pending_rc = rc;
    r->pending_err = r->err;
    r->pending_drain = true;
    return drain_failed(r, buf, len, len - room);
}

int64_t df_reader_read_data(df_reader *r, void *buf, size_t len)
{
    uint8_t *out = buf;
    size_t room = len;

    if (!r->data_open || !r->in_stream)
        return dfi_fail(&r->err, DF_E_USAGE, -1, "no data stream is open");
    if (r->pending_rc != DF_OK)
        return drain_failed(r, buf, len, 0);
    dfi_progress(r, r->cur);
    if (r->stream_done || len == 0)
        return 0;
    for (;;) {
        int rc = refill_raw(r, len - room);
        size_t produced;

        if (rc != DF_OK)
            return input_failed(r, rc, buf, room, len);
        size_t before = room;
        rc = dfi_dec_step(&r->dec, &r->raw_p, &r->raw_n, &out, &room);
        produced = len - room;
        if (rc == DF_EOF) {
            int64_t n = stream_ended(r, produced);
            return n < 0 ? defer_error(r, (int)n, produced) : n;
        }
        if (rc < 0)
            return defer_error(r, codec_error(r, rc), produced);
        if (room == 0)
            break;
        if (r->raw_eof && r->raw_n == 0 && room == before) {
            /* Input is gone and the decoder has nothing buffered: the end. */
            if (produced > 0)
                break; /* hand out what we have; the end is checked next call */
            rc = dfi_dec_finish(&r->dec);
            if (rc != DF_OK)
                return codec_error(r, rc);
            r->stream_done = true;
            return 0;
        }
    }
    r->stats.out_bytes += (int64_t)(len - room);
    return (int64_t)(len - room);
}

void df_reader_data_stats(const df_reader *r, df_data_stats *st) { *st = r->stats; }

/* How the data of an entry are shaped: COPY text, or INSERT statements. */
static int rows_mode(const df_reader *r, const df_entry *e)
{
    if (e->copy_stmt != NULL && e->copy_stmt[0] != '\0')
        return DF_ROWS_COPY;
    /* before 1.3 there was no copyStmt field: the COPY command led the data */
    if (r->arch.version < DF_MAKE_VERSION(1, 3, 0) && dfi_desc_is(e, "TABLE DATA"))
        return DF_ROWS_COPY_WITH_COMMAND;
    return DF_ROWS_INSERT;
}

/* Stream one plain data entry through a row counter. */
static int measure_stream(df_reader *r, const df_entry *e, uint8_t *buf, int64_t *rows)
{
    df_rowcount *rc = df_rowcount_new(rows_mode(r, e));
    int64_t n;

    if (rc == NULL)
        return dfi_fail(&r->err, DF_E_NOMEM, -1, "out of memory");
    while ((n = df_reader_read_data(r, buf, DFI_OUT_SIZE)) > 0)
        df_rowcount_feed(rc, buf, (size_t)n);
    *rows = df_rowcount_rows(rc);
    df_rowcount_free(rc);
    return n < 0 ? (int)n : DF_OK;
}

static int measure_los(df_reader *r, uint8_t *buf, int64_t *count)
{
    uint32_t oid;
    int rc;

    *count = 0;
    while ((rc = df_reader_next_lo(r, &oid)) == DF_OK) {
        int64_t n;
        (*count)++;
        while ((n = df_reader_read_data(r, buf, DFI_OUT_SIZE)) > 0)
            ;
        if (n < 0)
            return (int)n;
    }
    return rc == DF_EOF ? DF_OK : rc;
}

int df_reader_measure(df_reader *r, const df_entry *e, int64_t *rows, int64_t *out_bytes,
                      int64_t *raw_bytes)
{
    uint8_t *buf;
    int64_t count = 0;
    int rc;

    if (r->hdr.format == DF_FORMAT_PLAIN)
        return dfi_plain_measure(r, e, rows, out_bytes, raw_bytes); /* measured at open */
    buf = malloc(DFI_OUT_SIZE);
    if (buf == NULL)
        return dfi_fail(&r->err, DF_E_NOMEM, -1, "out of memory");
    rc = df_reader_open_data(r, e);
    if (rc == DF_OK)
        rc = df_entry_is_blobs(e) ? measure_los(r, buf, &count) : measure_stream(r, e, buf, &count);
    free(buf);
    if (rows)
        *rows = count;
    if (out_bytes)
        *out_bytes = r->stats.out_bytes;
    if (raw_bytes)
        *raw_bytes = r->stats.raw_bytes;
    if (rc == DF_OK)
        df_reader_close_data(r);
    return rc;
}
