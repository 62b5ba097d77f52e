/*
 * writer.h — private pieces of the archive writer shared by its files: the
 * growable byte buffer and the archive primitives (encode.c), the output
 * sink (sink.c), the codec encoders (encode_codec.c), the TOC model's
 * entries (toc_model.c) and the per-format writers (write_*.c, writer.c).
 */
#ifndef DUMPFMT_WRITER_H
#define DUMPFMT_WRITER_H

#include "internal.h"

#include <stdio.h>

/* ---------------------------------------------------------------- encode.c */
/* A growable byte buffer; `failed` is sticky (ENOMEM), checked once at the end. */
typedef struct dfi_obuf {
    uint8_t *p;
    size_t n, cap;
    bool failed;
} dfi_obuf;

/* How the primitives are laid out: the mirror of dfi_arch. */
typedef struct dfi_warch {
    int version; /* DF_MAKE_VERSION(...) */
    int int_size;
    int off_size;
} dfi_warch;

DFI_HIDDEN void dfi_obuf_free(dfi_obuf *o);
DFI_HIDDEN void dfi_put_bytes(dfi_obuf *o, const void *p, size_t n);
DFI_HIDDEN void dfi_put_byte(dfi_obuf *o, int v);
DFI_HIDDEN void dfi_put_int(dfi_obuf *o, const dfi_warch *a, int64_t v);
/* STR: NULL is length -1, "" is length 0. */
DFI_HIDDEN void dfi_put_str(dfi_obuf *o, const dfi_warch *a, const char *s);
DFI_HIDDEN void dfi_put_off(dfi_obuf *o, const dfi_warch *a, df_offset_state st, int64_t off);
/* The header (spec §3) of h's fields at version a->version, with this format byte and codec. */
DFI_HIDDEN void dfi_put_header(dfi_obuf *o, const dfi_warch *a, const df_header *h,
                               int format_byte, df_compression comp, int level);
/* One TOC entry (spec §4.2) without the format extra. */
DFI_HIDDEN void dfi_put_entry(dfi_obuf *o, const dfi_warch *a, const df_entry *e);

/* ------------------------------------------------------------------ sink.c */
typedef struct dfi_sink {
    char *path;     /* final name; NULL for stdout */
    char *tmp;      /* temporary file or directory; NULL for stdout */
    bool is_dir;
    int fd;         /* the file (or stdout); -1 for a directory */
    bool seekable;
    int64_t pos;    /* bytes written to fd (buffered ones included) */
    int64_t total;  /* bytes written to all files */
    int64_t kicked; /* total when the kernel was last asked to start writing back */
    uint8_t *buf;   /* the main file's bytes not yet written (many small chunks) */
    size_t bn;
} dfi_sink;

/* A file (path "-": stdout) or, with is_dir, a directory, under a temporary name. */
DFI_HIDDEN int dfi_sink_open(dfi_sink *s, const char *path, bool is_dir, df_error *err);
DFI_HIDDEN int dfi_sink_write(dfi_sink *s, const void *p, size_t n, df_error *err);
/* Write out what the main file's buffer holds. */
DFI_HIDDEN int dfi_sink_flush(dfi_sink *s, df_error *err);
/* Overwrite bytes already written (seekable file only). */
DFI_HIDDEN int dfi_sink_pwrite(dfi_sink *s, const void *p, size_t n, int64_t at, df_error *err);
/* Directory: create member `name` (fd returned in *fd) / write to it / close (fsync) it. */
DFI_HIDDEN int dfi_sink_member_open(dfi_sink *s, const char *name, int *fd, df_error *err);
DFI_HIDDEN int dfi_sink_fd_write(dfi_sink *s, int fd, const void *p, size_t n, const char *name,
                                 df_error *err);
DFI_HIDDEN int dfi_sink_member_close(dfi_sink *s, int fd, const char *name, df_error *err);
/* fsync, rename into place, fsync the parent directory. */
DFI_HIDDEN int dfi_sink_commit(dfi_sink *s, df_error *err);
/* Remove whatever was written (idempotent). */
DFI_HIDDEN void dfi_sink_abort(dfi_sink *s);

/* ----------------------------------------------------------- encode_codec.c */
/* Output of an encoder is handed to this, piece by piece (never empty). */
typedef int (*dfi_emit_fn)(void *ctx, const uint8_t *p, size_t n);

typedef struct dfi_enc {
    dfi_wrap wrap;
    int level;       /* -1: the codec's default */
    int workers;     /* zstd worker threads; zlib/gzip: > 1 = encode_pz.c's block threads */
    bool par;        /* state is encode_pz.c's */
    bool isal;       /* state is encode_isal.c's */
    size_t out_size; /* the size of each output piece at most */
    void *state;
    uint8_t *out;
    int64_t in_total, out_total;
    char msg[160];
} dfi_enc;

DFI_HIDDEN int dfi_enc_init(dfi_enc *e, dfi_wrap w, int level, int workers, size_t out_size);
DFI_HIDDEN int dfi_enc_step(dfi_enc *e, const uint8_t *p, size_t n, dfi_emit_fn fn, void *ctx);
DFI_HIDDEN int dfi_enc_finish(dfi_enc *e, dfi_emit_fn fn, void *ctx);
DFI_HIDDEN void dfi_enc_end(dfi_enc *e);

/* encode_pz.c: zlib/gzip deflated in 128 KiB blocks by e->workers threads, in order */
DFI_HIDDEN int dfi_pz_init(dfi_enc *e);
DFI_HIDDEN int dfi_pz_step(dfi_enc *e, const uint8_t *p, size_t n, dfi_emit_fn fn, void *ctx);
DFI_HIDDEN int dfi_pz_finish(dfi_enc *e, dfi_emit_fn fn, void *ctx);
DFI_HIDDEN void dfi_pz_end(dfi_enc *e);

/* ----------------------------------------------------------- recode_pipe.c */
/* A decode thread reading a stream's data ahead of the encoder (writer.c, -j >= 2). */
typedef struct dfi_rpipe dfi_rpipe;

/* Start decoding the reader's open stream in pieces of `size`; NULL: read serially instead. */
DFI_HIDDEN dfi_rpipe *dfi_rpipe_start(df_reader *r, size_t size);
/* The next piece (valid until the next call): its length, 0 at the end, < 0 the reader failed
 * (then no more calls). */
DFI_HIDDEN int64_t dfi_rpipe_next(dfi_rpipe *p, const uint8_t **data);
/* The reader's chunk_out (where its output stood when it took its last chunk) after the read
 * that made the piece dfi_rpipe_next handed out last. */
DFI_HIDDEN int64_t dfi_rpipe_mark(const dfi_rpipe *p);
/* Stop the thread (after its read in progress) and free; NULL is fine. */
DFI_HIDDEN void dfi_rpipe_stop(dfi_rpipe *p);

/* encode_isal.c: zlib/gzip at levels 1-4 by ISA-L (faster and no larger than zlib there) */
DFI_HIDDEN bool dfi_isal_wanted(dfi_wrap w, int level);
DFI_HIDDEN int dfi_isal_init(dfi_enc *e);
DFI_HIDDEN int dfi_isal_step(dfi_enc *e, const uint8_t *p, size_t n, dfi_emit_fn fn, void *ctx);
DFI_HIDDEN int dfi_isal_finish(dfi_enc *e, dfi_emit_fn fn, void *ctx);
DFI_HIDDEN void dfi_isal_end(dfi_enc *e);

/* --------------------------------------------------------------- toc_model.c */
typedef struct dfi_tentry {
    df_entry e;     /* strings and deps owned */
    size_t *src;    /* reader entry indices whose data this entry carries, in order */
    size_t nsrc;
    bool fed;       /* its data come from the TOC's feed (decoded bytes), not copied from r */
} dfi_tentry;

/*
 * Where a fed entry's decoded data come from (salvage: the kept rows of a
 * damaged stream): hands the bytes of reader entry `src` to put (which
 * returns 0 to go on), DF_OK or a DF_E_* with err set.
 */
typedef int (*dfi_put_fn)(void *ctx, const void *p, size_t n);
typedef int (*dfi_feed_fn)(void *feed_ctx, df_reader *r, size_t src, dfi_put_fn put,
                           void *put_ctx, df_error *err);

/*
 * A fed entry's stream written whole, already encoded with `wrap` (salvage: the kept rows'
 * compressed bytes as stored, then a new block): DF_OK; DF_E_UNSUPPORTED before writing
 * anything (the writer then uses the feed); else an error with err set.
 */
typedef int (*dfi_splice_fn)(void *feed_ctx, df_reader *r, size_t src, dfi_wrap wrap, int level,
                             dfi_emit_fn emit, void *emit_ctx, df_error *err);

struct df_toc {
    df_header hdr;  /* strings owned */
    dfi_tentry *v;
    size_t n, cap;
    int32_t max_id;
    dfi_feed_fn feed;
    void *feed_ctx;
    dfi_splice_fn splice; /* NULL: always the feed */
};

/*
 * salvage.c: the stream of salvaged entry i written by splicing (DF_SALVAGE_SPLICE: the
 * bytes before the last block boundary the count noted, a new block of the rest of the kept
 * rows and `extra`): as dfi_splice_fn.
 */
DFI_HIDDEN int dfi_salvage_splice(df_reader *r, const df_salvage *s, size_t i, dfi_wrap wrap,
                                  int level, const void *extra, size_t extra_len,
                                  dfi_emit_fn emit, void *ctx, df_error *err);

/*
 * recode_pipe.c: a fed stream's feed on a thread of its own, ahead of the
 * encoder (-j >= 2: salvage decodes and hands on the kept rows while the
 * caller encodes them).  Start: NULL when no thread is to be had (feed
 * serially then).  Next: the next piece (valid until the next call), its
 * length, 0 when the feed is done (then *rc is its status, *err its error
 * when not DF_OK).  Stop: tell the feed to give up (its put fails), wait for
 * it, free; NULL is fine.
 */
typedef struct dfi_fpipe dfi_fpipe;
DFI_HIDDEN dfi_fpipe *dfi_fpipe_start(dfi_feed_fn feed, void *feed_ctx, df_reader *r, size_t src,
                                      size_t size);
DFI_HIDDEN int64_t dfi_fpipe_next(dfi_fpipe *p, const uint8_t **data, int *rc, df_error *err);
DFI_HIDDEN void dfi_fpipe_stop(dfi_fpipe *p);

/* Append a copy of e (strings duplicated, no data sources).  DF_OK or DF_E_NOMEM. */
DFI_HIDDEN int dfi_toc_push(df_toc *t, const df_entry *e, dfi_tentry **out);
DFI_HIDDEN void dfi_tentry_clear(dfi_tentry *te);
DFI_HIDDEN int dfi_tentry_add_src(dfi_tentry *te, size_t src);
/* Replace a string field of an entry (value copied; NULL stays NULL). */
DFI_HIDDEN int dfi_set_str(const char **field, const char *value);

/* -------------------------------------------------------- writer.c, write_*.c */
typedef struct dfi_writer dfi_writer;

/* One format's writer: the callbacks writer.c drives. */
typedef struct dfi_wformat {
    /* Header and TOC (custom: placeholder offsets). */
    int (*begin)(dfi_writer *w);
    /* An entry's data start (blobs: its large objects follow as streams). */
    int (*entry_begin)(dfi_writer *w, size_t i);
    /* A stream starts: the entry's data (oid 0) or one large object. */
    int (*stream_begin)(dfi_writer *w, uint32_t oid);
    /*
     * Encoded bytes of the stream.  chunk > 0: a chunk of that many bytes
     * starts here (custom copies keep the input's chunking); 0: the bytes
     * continue the chunk; -1: the writer chunks as it likes.
     */
    int (*stream_put)(dfi_writer *w, const uint8_t *p, size_t n, int64_t chunk);
    int (*stream_end)(dfi_writer *w);
    int (*entry_end)(dfi_writer *w);
    /* After the last entry (custom: offsets; tar: restore.sql, trailer). */
    int (*finish)(dfi_writer *w);
} dfi_wformat;

struct dfi_writer {
    df_reader *r;
    const df_toc *t;
    df_write_options o;
    dfi_sink sink;
    dfi_warch a;
    df_format format;
    df_compression comp;
    int level;         /* header level for <= 1.14, -1 default */
    dfi_wrap wrap;     /* how streams are stored in this output */
    const dfi_wformat *fmt;
    df_error *err;
    df_write_summary *sum;
    size_t cur;        /* entry being written */
    dfi_obuf toc;      /* custom: header + TOC as first written */
    size_t *off_at;    /* custom: per entry, where its OFF sits in `toc` */
    int64_t *pos;      /* custom: per entry, the block's offset, -1 none */
    /* directory and tar: the open data file, and the LO list of a BLOBS entry */
    int fd;
    char member[64];
    dfi_obuf lolist;
    FILE *spool;       /* tar: member data before its size is known (output not seekable) */
    int64_t hdr_at;    /* tar: where the open member's header is (seekable output) */
    int64_t member_size;
};

extern DFI_HIDDEN const dfi_wformat dfi_write_custom;
extern DFI_HIDDEN const dfi_wformat dfi_write_directory;
extern DFI_HIDDEN const dfi_wformat dfi_write_tar;

/* The header and TOC as format byte fb with each entry's extra from `extra`. */
typedef void (*dfi_put_extra_fn)(dfi_writer *w, dfi_obuf *o, size_t i);
DFI_HIDDEN void dfi_put_archive_toc(dfi_writer *w, dfi_obuf *o, int fb, dfi_put_extra_fn extra);
/* The data file name of entry i in a directory (dir = 1) or tar archive, "" if none. */
/* After a BLOBS entry of a directory or tar archive: its LO list's member name in `name`, then 1;
 * 0 for any other entry; an error (< 0) when the list could not be built. */
DFI_HIDDEN int dfi_lo_list_member(dfi_writer *w, char *name, size_t n);
DFI_HIDDEN void dfi_data_filename(const dfi_writer *w, size_t i, int dir, char *buf, size_t n);
/* 1 if entry i of the output carries data. */
DFI_HIDDEN int dfi_wentry_has_data(const dfi_writer *w, size_t i);
/* The file suffix of the output codec: "", ".gz", ".lz4", ".zst". */
DFI_HIDDEN const char *dfi_wsuffix(const dfi_writer *w);
DFI_HIDDEN int dfi_wfail_nomem(dfi_writer *w);

/* fmt_custom.c: payload bytes left in the current chunk (a block copy keeps the chunking). */
DFI_HIDDEN int64_t dfi_custom_chunk_left(const df_reader *r);

#endif /* DUMPFMT_WRITER_H */
