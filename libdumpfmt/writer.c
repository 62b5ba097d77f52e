/*
 * writer.c — df_write_archive: decides the output's format, codec and
 * version, then drives one format writer (fmt_custom_write.c, fmt_directory_write.c,
 * fmt_tar_write.c) entry by entry in TOC order.  Each data stream (an entry's
 * data, or one large object) is either copied as stored, when the codec
 * stays (and, custom to custom, chunk by chunk, so the bytes come back the
 * same), or decoded by the reader and encoded again (with -j >= 2 the
 * decoding on a thread of its own, recode_pipe.c).  Memory: the TOC plus
 * one read buffer (eight with -j >= 2) and one encoder, whatever the data size.
 */
#include "writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_SIZE (64 * 1024)

void df_write_options_default(df_write_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->format = DF_FORMAT_UNKNOWN;
    o->compression = -1;
    o->level = -1;
}

int dfi_wfail_nomem(dfi_writer *w) { return dfi_fail(w->err, DF_E_NOMEM, -1, "out of memory"); }

int dfi_wentry_has_data(const dfi_writer *w, size_t i) { return w->t->v[i].nsrc > 0; }

const char *dfi_wsuffix(const dfi_writer *w)
{
    switch (w->comp) {
    case DF_COMPRESS_GZIP: return ".gz";
    case DF_COMPRESS_LZ4: return ".lz4";
    case DF_COMPRESS_ZSTD: return ".zst";
    default: return "";
    }
}

/* blobs_<id>.toc from 1.16 on (one list per BLOBS entry), blobs.toc before (one per archive). */
static void lo_list_name(const dfi_writer *w, const df_entry *e, char *buf, size_t n)
{
    if (w->a.version >= DF_MAKE_VERSION(1, 16, 0))
        snprintf(buf, n, "blobs_%d.toc", (int)e->dump_id);
    else
        snprintf(buf, n, "blobs.toc");
}

int dfi_lo_list_member(dfi_writer *w, char *name, size_t n)
{
    const df_entry *e = &w->t->v[w->cur].e;

    if (!df_entry_is_blobs(e))
        return 0;
    if (w->lolist.failed)
        return dfi_wfail_nomem(w);
    lo_list_name(w, e, name, n);
    return 1;
}

void dfi_data_filename(const dfi_writer *w, size_t i, int dir, char *buf, size_t n)
{
    const df_entry *e = &w->t->v[i].e;
    int vmin = (w->a.version >> 8) & 0xff;

    buf[0] = '\0';
    if (!dfi_wentry_has_data(w, i))
        return;
    /* BLOBS: the LO list's name in a directory archive; tar and 1.12-1.13 store <id>.dat */
    if (dir && df_entry_is_blobs(e) && vmin >= 14)
        lo_list_name(w, e, buf, n);
    else
        snprintf(buf, n, "%d.dat", (int)e->dump_id);
}

void dfi_put_archive_toc(dfi_writer *w, dfi_obuf *o, int fb, dfi_put_extra_fn extra)
{
    dfi_put_header(o, &w->a, &w->t->hdr, fb, w->comp, w->level);
    dfi_put_int(o, &w->a, (int64_t)w->t->n);
    for (size_t i = 0; i < w->t->n; i++) {
        dfi_put_entry(o, &w->a, &w->t->v[i].e);
        extra(w, o, i);
    }
}

/* ------------------------------------------------------------ streams */

static int cancelled(dfi_writer *w)
{
    if (w->o.cancel != NULL && *w->o.cancel)
        return dfi_fail_errno(w->err, EINTR, -1, "interrupted");
    return DF_OK;
}

static int reader_fail(dfi_writer *w)
{
    *w->err = *df_reader_error(w->r);
    return w->err->code ? w->err->code : DF_E_CORRUPT;
}

/* Copy the stored bytes; from a custom archive each input chunk becomes one output chunk. */
static int copy_stream(dfi_writer *w)
{
    df_reader *r = w->r;
    bool custom_in = r->fmt == &dfi_format_custom;

    for (;;) {
        int64_t chunks = r->stats.chunks, chunk = -1;
        const uint8_t *p;
        size_t n;
        int rc = r->fmt->read_raw(r, &p, &n);

        if (rc == DF_EOF)
            return DF_OK;
        if (rc != DF_OK)
            return reader_fail(w);
        if (custom_in)
            chunk = r->stats.chunks != chunks ? (int64_t)n + dfi_custom_chunk_left(r) : 0;
        if ((rc = w->fmt->stream_put(w, p, n, chunk)) != DF_OK)
            return rc;
        if ((rc = cancelled(w)) != DF_OK)
            return rc;
    }
}

static int emit_piece(void *ctx, const uint8_t *p, size_t n)
{
    dfi_writer *w = ctx;
    return w->fmt->stream_put(w, p, n, -1);
}

static int enc_init_level(dfi_writer *w, dfi_enc *enc, int level)
{
    size_t out_size = w->format == DF_FORMAT_CUSTOM && w->wrap == DFI_WRAP_ZLIB ? 4096
                                                                                : 128 * 1024;
    return dfi_enc_init(enc, w->wrap, level, w->o.workers, out_size);
}

static int enc_init(dfi_writer *w, dfi_enc *enc) { return enc_init_level(w, enc, w->o.level); }

/* Decode with the reader and encode with the output's codec. */
static int recode_stream(dfi_writer *w, uint8_t *buf)
{
    dfi_enc enc;
    dfi_rpipe *pipe = NULL;
    int rc = enc_init(w, &enc);

    /* -j >= 2: decoding runs on its own thread, overlapped with this one's encoding */
    if (rc == DF_OK && w->o.workers > 1)
        pipe = dfi_rpipe_start(w->r, READ_SIZE);
    while (rc == DF_OK) {
        const uint8_t *p = buf;
        int64_t k = pipe ? dfi_rpipe_next(pipe, &p) : df_reader_read_data(w->r, buf, READ_SIZE);
        if (k < 0) {
            rc = reader_fail(w);
            break;
        }
        if (k == 0) {
            /* pg_dump leaves an empty .lz4/.zst file empty; a custom stream keeps its frame */
            bool lazy = w->format != DF_FORMAT_CUSTOM &&
                        (w->wrap == DFI_WRAP_LZ4F || w->wrap == DFI_WRAP_ZSTD);
            if (!(lazy && enc.in_total == 0))
                rc = dfi_enc_finish(&enc, emit_piece, w);
            break;
        }
        rc = dfi_enc_step(&enc, p, (size_t)k, emit_piece, w);
        if (rc == DF_OK)
            rc = cancelled(w);
    }
    dfi_rpipe_stop(pipe);
    if (rc != DF_OK && w->err->code == DF_OK)
        rc = dfi_fail(w->err, rc, -1, "%s", enc.msg[0] ? enc.msg : "could not compress data");
    dfi_enc_end(&enc);
    return rc;
}

static int one_stream(dfi_writer *w, uint32_t oid, uint8_t *buf)
{
    bool copy = !w->o.reencode && w->o.level < 0 && w->r->wrap == w->wrap;
    int rc = w->fmt->stream_begin(w, oid);

    if (rc == DF_OK)
        rc = copy ? copy_stream(w) : recode_stream(w, buf);
    if (rc == DF_OK)
        rc = w->fmt->stream_end(w);
    if (rc == DF_OK && w->sum != NULL) {
        if (copy)
            w->sum->blocks_copied++;
        else
            w->sum->blocks_recoded++;
    }
    return rc;
}

/* A fed stream: the feed's bytes through the encoder. */
typedef struct fed_run {
    dfi_writer *w;
    dfi_enc enc;
    int rc;         /* the encoder's or the sink's failure, DF_OK */
    df_error saved; /* its error, before the feed reports its own */
} fed_run;

static int fed_put(void *ctx, const void *p, size_t n)
{
    fed_run *f = ctx;

    if (n > 0 && f->rc == DF_OK)
        f->rc = dfi_enc_step(&f->enc, p, n, emit_piece, f->w);
    if (f->rc == DF_OK)
        f->rc = cancelled(f->w);
    if (f->rc != DF_OK)
        f->saved = *f->w->err;
    return f->rc == DF_OK ? 0 : -1;
}

/*
 * -j >= 2: the feed (decoding and handing on the kept rows) runs on a
 * thread of its own while this one encodes; the pieces and their order are
 * the serial path's, so the output is the same.
 */
static int fed_piped(fed_run *f, dfi_fpipe *pipe)
{
    int rc = DF_OK;

    for (;;) {
        const uint8_t *p = NULL;
        int64_t k = dfi_fpipe_next(pipe, &p, &rc, f->w->err);
        if (k == 0 || fed_put(f, p, (size_t)k) != 0)
            break;
    }
    dfi_fpipe_stop(pipe); /* after an encoder failure: the feed gives up */
    return rc;
}

static int fed_stream(dfi_writer *w, size_t src)
{
    fed_run f = {.w = w, .rc = DF_OK};
    int rc = w->fmt->stream_begin(w, 0);
    int level = w->o.fed_level > 0 ? w->o.fed_level : w->o.level;
    dfi_fpipe *pipe;

    /* the feed's bytes already encoded, most of them as stored (salvage's splice) */
    if (rc == DF_OK && w->t->splice != NULL &&
        (rc = w->t->splice(w->t->feed_ctx, w->r, src, w->wrap, level, emit_piece, w, w->err)) !=
            DF_E_UNSUPPORTED) {
        if (rc == DF_OK)
            rc = w->fmt->stream_end(w);
        if (rc == DF_OK && w->sum != NULL) {
            w->sum->blocks_recoded++;
            w->sum->blocks_spliced++;
        }
        return rc;
    }
    rc = rc == DF_E_UNSUPPORTED ? DF_OK : rc;
    if (rc == DF_OK &&
        (rc = enc_init_level(w, &f.enc, level)) == DF_OK) {
        pipe = w->o.workers > 1 ? dfi_fpipe_start(w->t->feed, w->t->feed_ctx, w->r, src,
                                                  READ_SIZE)
                                : NULL;
        rc = pipe ? fed_piped(&f, pipe)
                  : w->t->feed(w->t->feed_ctx, w->r, src, fed_put, &f, w->err);
        if (f.rc != DF_OK) { /* the write failed, not the feed: say why */
            *w->err = f.saved;
            if (w->err->code == DF_OK)
                dfi_fail(w->err, f.rc, -1, "%s",
                         f.enc.msg[0] ? f.enc.msg : "could not compress data");
            rc = f.rc;
        }
        if (rc == DF_OK && (rc = dfi_enc_finish(&f.enc, emit_piece, w)) != DF_OK &&
            w->err->code == DF_OK)
            dfi_fail(w->err, rc, -1, "%s", f.enc.msg[0] ? f.enc.msg : "could not compress data");
        dfi_enc_end(&f.enc);
    }
    if (rc == DF_OK)
        rc = w->fmt->stream_end(w);
    if (rc == DF_OK && w->sum != NULL)
        w->sum->blocks_recoded++;
    return rc;
}

/* The data of one reader entry: one stream, or one per large object. */
static int source_data(dfi_writer *w, size_t src, uint8_t *buf)
{
    df_reader *r = w->r;
    const df_entry *e = df_reader_toc_at(r, src);
    df_data_stats st;
    int rc = df_reader_open_data(r, e);

    if (rc != DF_OK)
        return reader_fail(w);
    if (!df_entry_is_blobs(e)) {
        rc = one_stream(w, 0, buf);
    } else {
        uint32_t oid;
        while (rc == DF_OK && (rc = df_reader_next_lo(r, &oid)) == DF_OK) {
            rc = one_stream(w, oid, buf);
            if (rc == DF_OK && w->sum != NULL)
                w->sum->los++;
        }
        if (rc == DF_EOF)
            rc = DF_OK;
        else if (rc != DF_OK && w->err->code == DF_OK)
            rc = reader_fail(w);
    }
    df_reader_data_stats(r, &st);
    if (w->sum != NULL)
        w->sum->bytes_in += st.raw_bytes;
    df_reader_close_data(r);
    return rc;
}

static int write_entries(dfi_writer *w)
{
    uint8_t *buf = malloc(READ_SIZE);
    int rc = buf ? DF_OK : dfi_wfail_nomem(w);

    for (size_t i = 0; rc == DF_OK && i < w->t->n; i++) {
        const dfi_tentry *te = &w->t->v[i];
        if (te->nsrc == 0)
            continue;
        w->cur = i;
        rc = w->fmt->entry_begin(w, i);
        for (size_t k = 0; rc == DF_OK && k < te->nsrc; k++)
            rc = te->fed && w->t->feed ? fed_stream(w, te->src[k])
                                       : source_data(w, te->src[k], buf);
        if (rc == DF_OK)
            rc = w->fmt->entry_end(w);
        if (rc == DF_OK && w->sum != NULL)
            w->sum->data_entries++;
    }
    free(buf);
    return rc;
}

/* ------------------------------------------------------------ setup */

static dfi_wrap wrap_for(df_format f, df_compression c)
{
    switch (c) {
    case DF_COMPRESS_GZIP: return f == DF_FORMAT_CUSTOM ? DFI_WRAP_ZLIB : DFI_WRAP_GZIP;
    case DF_COMPRESS_LZ4: return DFI_WRAP_LZ4F;
    case DF_COMPRESS_ZSTD: return DFI_WRAP_ZSTD;
    default: return DFI_WRAP_RAW;
    }
}

/* Format, codec, version and their consistency. */
static int plan(dfi_writer *w, const df_write_options *o)
{
    const df_header *h = &w->t->hdr;
    int vmin = h->vmin, vrev = h->vrev;

    /* a plain script's data come through its own model (df_toc_from_plain), never a copy */
    if (h->format == DF_FORMAT_PLAIN)
        return dfi_fail(w->err, DF_E_UNSUPPORTED, -1,
                        "a plain script's TOC must come from df_toc_from_plain");
    w->format = o->format != DF_FORMAT_UNKNOWN ? o->format : h->format;
    if (w->format != DF_FORMAT_CUSTOM && w->format != DF_FORMAT_DIRECTORY &&
        w->format != DF_FORMAT_TAR)
        return dfi_fail(w->err, DF_E_USAGE, -1, "output format must be custom, directory or tar");
    w->comp = o->compression >= 0 ? (df_compression)o->compression : h->compression;
    if (w->format == DF_FORMAT_TAR && o->compression < 0)
        w->comp = DF_COMPRESS_NONE;
    if (w->format == DF_FORMAT_TAR && w->comp != DF_COMPRESS_NONE)
        return dfi_fail(w->err, DF_E_UNSUPPORTED, -1,
                        "compression is not supported by tar archive format");
    if (vmin < 12 || vmin > 16 || h->vmaj != 1)
        return dfi_fail(w->err, DF_E_VERSION, -1,
                        "archive version %d.%d cannot be written (1.12 to 1.16 can)", h->vmaj,
                        vmin);
    if (vmin < 15 && (w->comp == DF_COMPRESS_LZ4 || w->comp == DF_COMPRESS_ZSTD))
        return dfi_fail(w->err, DF_E_UNSUPPORTED, -1,
                        "archive version 1.%d cannot hold %s data (1.15 and later can)", vmin,
                        df_compression_name(w->comp));
    if (vmin != w->r->hdr.vmin)
        vrev = 0;
    w->a.version = DF_MAKE_VERSION(1, vmin, vrev);
    w->a.int_size = h->int_size >= 4 && h->int_size <= 8 ? h->int_size : 4;
    w->a.off_size = 8; /* sizeof(pgoff_t) of every current pg_dump; offsets here need 8 */
    /* <= 1.14 store a level: keep the input's when the codec stays, as pg_dump wrote it */
    w->level = o->level >= 0 ? o->level : -1;
    if (o->level < 0 && w->comp == h->compression && h->has_level && h->compression_level != 0)
        w->level = h->compression_level;
    w->wrap = wrap_for(w->format, w->comp);
    w->fmt = w->format == DF_FORMAT_CUSTOM      ? &dfi_write_custom
             : w->format == DF_FORMAT_DIRECTORY ? &dfi_write_directory
                                                : &dfi_write_tar;
    return DF_OK;
}

static void fill_summary(dfi_writer *w)
{
    df_write_summary *s = w->sum;

    s->format = w->format;
    s->compression = w->comp;
    s->vmaj = 1;
    s->vmin = (w->a.version >> 8) & 0xff;
    s->entries = w->t->n;
    s->bytes_out = w->sink.total;
    s->offsets = w->format == DF_FORMAT_CUSTOM && w->sink.seekable;
}

int df_write_archive(df_reader *r, const df_toc *t, const char *path, const df_write_options *o,
                     df_write_summary *sum, df_error *err)
{
    df_write_options def;
    df_write_summary dummy;
    dfi_writer w;
    int rc;

    if (err != NULL)
        dfi_error_clear(err);
    df_write_options_default(&def); /* options from an older caller: only the fields it knew */
    if ((rc = dfi_options_take(&def, sizeof def, o, "df_write_options", err)) != DF_OK)
        return rc;
    memset(&w, 0, sizeof w);
    memset(&dummy, 0, sizeof dummy);
    w.r = r;
    w.t = t;
    w.o = def;
    w.err = err;
    w.fd = -1;
    w.sum = sum ? sum : &dummy;
    if (r == NULL || t == NULL || path == NULL)
        return dfi_fail(err, DF_E_USAGE, -1, "no reader, TOC or output path");
    if ((rc = plan(&w, &def)) != DF_OK)
        return rc;
    if (w.format == DF_FORMAT_DIRECTORY && strcmp(path, "-") == 0)
        return dfi_fail(err, DF_E_USAGE, -1, "a directory archive cannot be written to stdout");
    rc = dfi_sink_open(&w.sink, path, w.format == DF_FORMAT_DIRECTORY, err);
    if (rc != DF_OK)
        return rc;
    if (def.on_temp != NULL && w.sink.tmp != NULL)
        def.on_temp(def.on_temp_ctx, w.sink.tmp, w.sink.is_dir);
    rc = w.fmt->begin(&w);
    if (rc == DF_OK)
        rc = write_entries(&w);
    if (rc == DF_OK)
        rc = w.fmt->finish(&w);
    if (rc == DF_OK)
        rc = dfi_sink_commit(&w.sink, err);
    fill_summary(&w);
    if (w.fd >= 0)
        close(w.fd);
    if (w.spool != NULL)
        fclose(w.spool);
    dfi_sink_abort(&w.sink);
    dfi_obuf_free(&w.toc);
    dfi_obuf_free(&w.lolist);
    free(w.off_at);
    free(w.pos);
    if (def.on_temp != NULL)
        def.on_temp(def.on_temp_ctx, NULL, 0);
    return rc;
}
