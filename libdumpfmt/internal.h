/*
 * internal.h — private structures of libdumpfmt shared between its files:
 * the byte source, the bounded peek/consume buffer, archive primitive
 * decoding, the codec and format tables, and the reader handle itself.
 * Nothing here is installed; names are dfi_ prefixed.
 */
#ifndef DUMPFMT_INTERNAL_H
#define DUMPFMT_INTERNAL_H

#include "dumpfmt.h"

#include <stdarg.h>
#include <stdbool.h>
#include <sys/types.h>

#define DFI_HIDDEN __attribute__((visibility("hidden")))

/* Size of the main peek/consume window: the constant part of memory use. */
#define DFI_BUF_SIZE (256 * 1024)
/* Scratch buffer for decompressed output inside the data layer. */
#define DFI_OUT_SIZE (64 * 1024)

/* ---------------------------------------------------------------- error.c */
/* Record an error (printf-style message) and return `code`. */
DFI_HIDDEN int dfi_fail(df_error *err, int code, int64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Same, also recording errno for DF_E_IO. */
DFI_HIDDEN int dfi_fail_errno(df_error *err, int sys_errno, int64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
DFI_HIDDEN void dfi_error_clear(df_error *err);
/*
 * Copy caller options `o` (first field: their size_t size) over `dst`, which
 * holds the defaults and is `known` bytes: fields past o->size keep them.
 * DF_OK (also for o == NULL: the defaults), or DF_E_USAGE when o->size is 0
 * or larger than `known` (what names the struct in err's message).
 */
DFI_HIDDEN int dfi_options_take(void *dst, size_t known, const void *o, const char *what,
                                df_error *err);
DFI_HIDDEN void dfi_error_set_member(df_error *err, const char *member);
/*
 * A call that read through r failed with rc: r's error into *err when it is
 * that failure (the reader keeps it too), else rc's name ("out of memory").
 * Returns rc.
 */
DFI_HIDDEN int dfi_reader_fail(const df_reader *r, int rc, df_error *err);

/* A NUL-terminated copy of the n bytes at s (which may hold NULs), malloc'd; NULL: no memory. */
DFI_HIDDEN char *dfi_dup_n(const char *s, size_t n);

/* --------------------------------------------------------------- source.c */
/* A file descriptor that knows whether it can seek and where it is. */
typedef struct dfi_src {
    int fd;
    bool owns_fd;
    bool seekable;
    int64_t size;  /* -1 when unknown (pipe) */
    int64_t pos;   /* raw offset of the next byte read(2) returns (decoded: of the output) */
    size_t io_cap; /* cap on each read(2); 0 = none */
    struct dfi_src_dec *dec; /* non-NULL: the file is compressed whole and decoded as read */
} dfi_src;

DFI_HIDDEN int dfi_src_open_path(dfi_src *s, const char *path, df_error *err);
DFI_HIDDEN int dfi_src_open_fd(dfi_src *s, int fd, df_error *err);
/* Read up to n bytes; returns bytes read, 0 at EOF, or a negative DF_E_IO. */
DFI_HIDDEN ssize_t dfi_src_read(dfi_src *s, void *p, size_t n, df_error *err);
DFI_HIDDEN int dfi_src_seek(dfi_src *s, int64_t off, df_error *err);
DFI_HIDDEN void dfi_src_close(dfi_src *s);
/*
 * Open DIR/NAME, or else the first of NAME.gz, NAME.lz4, NAME.zst that exists
 * (pg_restore's discovery order).  *wrap says how the file found is
 * compressed; member (mn bytes, may be NULL) receives its name.
 * DF_E_NOTFOUND when none exists.
 */
DFI_HIDDEN int dfi_src_open_discover(dfi_src *s, const char *dir, const char *name, char *member,
                                     size_t mn, int *wrap, bool follow, df_error *err);
/*
 * The same discovery without opening: DIR/NAME or the first of its suffixed
 * names that exists, checked as dfi_member_check does (*size, may be NULL).
 * member (mn bytes) receives the name tried last.  DF_E_NOTFOUND (err not
 * set) when none exists, else the check's result for the first that does.
 */
DFI_HIDDEN int dfi_member_discover(const char *dir, const char *name, char *member, size_t mn,
                                   int *wrap, int64_t *size, bool follow, df_error *err);
/*
 * The one place that says a member name from toc.dat or an LO list stays
 * inside the archive directory: not empty, no '/', not "." or "..".
 */
DFI_HIDDEN bool dfi_member_name_ok(const char *name);
/*
 * Check DIR/NAME as an archive member without opening it: the name is
 * valid, a symbolic link resolves inside DIR (unless `follow`), and the file
 * is a regular file (a FIFO or /dev/zero would block or never end).  DF_OK
 * with *size (may be NULL), DF_E_NOTFOUND, DF_E_CORRUPT (bad name, not a
 * regular file), DF_E_IO (outside the directory, unreadable).
 */
DFI_HIDDEN int dfi_member_check(const char *dir, const char *name, bool follow, int64_t *size,
                                df_error *err);
/* Open DIR/NAME after dfi_member_check, without blocking on whatever replaced it since. */
DFI_HIDDEN int dfi_src_open_member(dfi_src *s, const char *dir, const char *name, bool follow,
                                   df_error *err);
/*
 * From now on, read s through a decoder of wrap (a dfi_wrap): for files that
 * are compressed as a whole and parsed as text or TOC, such as a directory
 * archive's toc.dat.gz or an LO list someone compressed.  Concatenated
 * members are decoded as one stream.  The source no longer seeks; pos and
 * error offsets count decoded bytes.  DF_OK or DF_E_NOMEM/DF_E_UNSUPPORTED.
 */
DFI_HIDDEN int dfi_src_decode(dfi_src *s, int wrap, df_error *err);

/* ------------------------------------------------------------------ buf.c */
/*
 * A bounded window over a source.  Bytes [start, end) of `data` are valid;
 * data[start] is at raw offset `base`.  peek() never needs more than `cap`
 * bytes at once, so memory stays constant whatever the file size.
 */
typedef struct dfi_buf {
    dfi_src *src;
    uint8_t *data;
    size_t cap;
    size_t start, end;
    int64_t base;
    bool eof;
    int64_t limit; /* raw offset the buffer must not read past (-1 = none) */
} dfi_buf;

DFI_HIDDEN int dfi_buf_init(dfi_buf *b, dfi_src *src, size_t cap, df_error *err);
DFI_HIDDEN void dfi_buf_free(dfi_buf *b);
static inline size_t dfi_buf_avail(const dfi_buf *b)
{
    return b->end - b->start;
}
static inline int64_t dfi_buf_tell(const dfi_buf *b)
{
    return b->base;
}
static inline const uint8_t *dfi_buf_ptr(const dfi_buf *b)
{
    return b->data + b->start;
}
/* Make at least n (<= cap) bytes available; DF_E_TRUNCATED at EOF. */
DFI_HIDDEN int dfi_buf_need(dfi_buf *b, size_t n, df_error *err);
/* Make at least one byte available; DF_EOF at end of input. */
DFI_HIDDEN int dfi_buf_fill(dfi_buf *b, df_error *err);
DFI_HIDDEN void dfi_buf_consume(dfi_buf *b, size_t n);
/* Copy exactly n bytes out; DF_E_TRUNCATED if the input ends first. */
DFI_HIDDEN int dfi_buf_read(dfi_buf *b, void *p, size_t n, df_error *err);
/* Skip n bytes forward (seeking when possible); DF_E_TRUNCATED past EOF. */
DFI_HIDDEN int dfi_buf_skip(dfi_buf *b, int64_t n, df_error *err);
/* Move to an absolute raw offset; DF_E_NOSEEK when a pipe has passed it. */
DFI_HIDDEN int dfi_buf_seek(dfi_buf *b, int64_t off, df_error *err);

/* --------------------------------------------------------------- decode.c */
/* What decoding archive primitives needs to know (spec §2). */
typedef struct dfi_arch {
    int version; /* DF_MAKE_VERSION(...) */
    int int_size;
    int off_size;
    const df_limits *lim;
    int64_t toc_bytes; /* running total of TOC string bytes, against lim->max_toc_bytes */
} dfi_arch;

DFI_HIDDEN int dfi_read_byte(dfi_buf *b, int *out, df_error *err);
/* INT: sign byte (>= 1.1) + int_size bytes LSB first; must fit in int32. */
DFI_HIDDEN int dfi_read_int(dfi_buf *b, const dfi_arch *a, int32_t *out, df_error *err);
/* STR: INT length then bytes; *out = NULL for a negative length.  Owned by caller. */
DFI_HIDDEN int dfi_read_str(dfi_buf *b, dfi_arch *a, char **out, df_error *err);
/* OFF: flag + off_size bytes (>= 1.7) or an INT (< 1.7). */
DFI_HIDDEN int dfi_read_off(dfi_buf *b, const dfi_arch *a, df_offset_state *state, int64_t *off,
                            df_error *err);

/* ---------------------------------------------------------------- codec.c */
/* How a stored stream is wrapped. */
typedef enum dfi_wrap {
    DFI_WRAP_RAW = 0,  /* no compression */
    DFI_WRAP_ZLIB = 1, /* RFC 1950 (custom format, gzip) */
    DFI_WRAP_GZIP = 2, /* RFC 1952 (directory .gz files, compressed plain) */
    DFI_WRAP_LZ4F = 3, /* LZ4 frame */
    DFI_WRAP_ZSTD = 4, /* zstd frame */
} dfi_wrap;

typedef struct dfi_codec dfi_codec;

/* One decoder instance; `state` is the codec's own. */
typedef struct dfi_dec {
    const dfi_codec *codec;
    void *state;
    bool multi_member; /* gzip/zstd/lz4: accept concatenated members/frames (plain files) */
    bool stable_out;   /* the caller leaves the last 64 KiB of output in place between calls */
    int64_t in_total;  /* compressed bytes consumed */
    int64_t out_total; /* bytes produced */
    char msg[200];     /* reason for the last error */
} dfi_dec;

struct dfi_codec {
    const char *name;
    dfi_wrap wrap;
    /* Set up a fresh stream.  DF_OK, DF_E_NOMEM, or DF_E_UNSUPPORTED ("not built with"). */
    int (*init)(dfi_dec *d);
    /*
     * Decode from (*in, *in_len) into (*out, *out_len) (room), advancing
     * both.  Returns DF_OK after any progress or when more input is needed,
     * DF_EOF when the stream (its integrity check included) is complete
     * (*in then points just past it), DF_E_CORRUPT with d->msg on bad data.
     */
    int (*step)(dfi_dec *d, const uint8_t **in, size_t *in_len, uint8_t **out, size_t *out_len);
    /* No more input exists: DF_OK if a complete stream ended (or the codec
     * needs no end, or no input at all was given to lz4/zstd/raw), else
     * DF_E_TRUNCATED with d->msg. */
    int (*finish)(dfi_dec *d);
    void (*end)(dfi_dec *d);
    /*
     * Walk the frames of a stored file from b's position to its end without
     * decoding (--quick): the codec's own framing, checked for what can be
     * seen without the data.  DF_OK, or DF_E_TRUNCATED / DF_E_CORRUPT / an
     * I/O error in err.  NULL: the codec has no framing to skim (raw, zlib).
     */
    int (*skim)(dfi_buf *b, df_error *err);
};

DFI_HIDDEN const dfi_codec *dfi_codec_for(dfi_wrap w);
/* Convenience wrappers that handle the table and the counters. */
DFI_HIDDEN int dfi_dec_init(dfi_dec *d, dfi_wrap w);
DFI_HIDDEN int dfi_dec_step(dfi_dec *d, const uint8_t **in, size_t *in_len, uint8_t **out,
                            size_t *out_len);
DFI_HIDDEN int dfi_dec_finish(dfi_dec *d);
DFI_HIDDEN void dfi_dec_end(dfi_dec *d);
/* Which wrap a file starts with, by magic (gzip 1f8b, lz4 04224d18, zstd 28b52ffd); RAW otherwise.
 */
DFI_HIDDEN dfi_wrap dfi_wrap_sniff(const uint8_t *p, size_t n);
/* The codec's skim() over b (see dfi_codec); DF_E_UNSUPPORTED when the codec has none. */
DFI_HIDDEN int dfi_codec_skim(dfi_wrap w, dfi_buf *b, df_error *err);
/* For skim(): take the next n bytes of b (*p points at them); DF_E_TRUNCATED at the end. */
DFI_HIDDEN int dfi_skim_take(dfi_buf *b, df_error *err, size_t n, const uint8_t **p);
static inline uint32_t dfi_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Bookkeeping shared by the frame codecs (lz4, zstd), whose libraries decode
 * a stream of frames with one streaming call: when to call (never when no
 * progress is possible: libzstd fails a stream after many calls that move
 * nothing), when a frame ends the stream (single frame) or may be followed
 * by another (multi_member), and whether the input stopped inside a frame.
 * The codec's state starts with this struct.
 */
typedef struct dfi_frames {
    bool got_input;   /* at least one byte was ever consumed */
    bool frame_end;   /* a frame ended; nothing of a next one consumed yet */
    bool done;        /* final end: single frame */
    bool out_pending; /* the last call filled the output: the library may hold more */
    int failed;       /* sticky error code, DF_OK while none */
} dfi_frames;

/*
 * One library call: decode from in[0..*in_used) into out[0..*out_made), then
 * set both to what was used and made, and *frame_done when a frame completed
 * (and was fully flushed).  Returns DF_OK or an error code with d->msg set.
 */
typedef int (*dfi_frame_call)(dfi_dec *d, const uint8_t *in, size_t *in_used, uint8_t *out,
                              size_t *out_made, bool *frame_done);

/* The codec step() of a frame codec; starts_frame says whether a byte can begin another frame. */
DFI_HIDDEN int dfi_frames_step(dfi_dec *d, dfi_frames *f, bool (*starts_frame)(uint8_t),
                               dfi_frame_call call, const uint8_t **in, size_t *in_len,
                               uint8_t **out, size_t *out_len);
/* The codec finish(): DF_E_TRUNCATED (d->msg = incomplete) when input stopped inside a frame. */
DFI_HIDDEN int dfi_frames_finish(dfi_dec *d, const dfi_frames *f, const char *incomplete);

extern DFI_HIDDEN const dfi_codec dfi_codec_none;
extern DFI_HIDDEN const dfi_codec dfi_codec_gzip_zlib; /* DFI_WRAP_ZLIB */
extern DFI_HIDDEN const dfi_codec dfi_codec_gzip_file; /* DFI_WRAP_GZIP */
extern DFI_HIDDEN const dfi_codec dfi_codec_lz4;
extern DFI_HIDDEN const dfi_codec dfi_codec_zstd;

/* -------------------------------------------------------------- formats */
typedef struct dfi_format {
    const char *name;
    df_format id;
    /* Read header and TOC from r->buf (positioned at the start). */
    int (*open)(df_reader *r);
    /* Position on the raw stream of entry e; set r->wrap; fill stats.raw_offset/member. */
    int (*open_data)(df_reader *r, const df_entry *e);
    /* BLOBS: position on the next LO's raw stream; DF_EOF after the last. */
    int (*next_lo)(df_reader *r, uint32_t *oid);
    /* Next piece of the current raw stream: DF_OK with (*p,*n), n>0; DF_EOF at its end. */
    int (*read_raw)(df_reader *r, const uint8_t **p, size_t *n);
    void (*close_data)(df_reader *r);
    void (*free)(df_reader *r);
    /* Raw offset (in the current member) of the next raw byte, for error reports. */
    int64_t (*tell)(const df_reader *r);
} dfi_format;

/*
 * fmt_custom.c: the custom format's walker (spec §5.1), one iterator over
 * the data area in the shape of libarchive's read_header/read_data_skip:
 * each dfi_cw_next() reports the next piece of structure, with raw offsets,
 * and skips whatever of the previous piece the caller did not read.  The
 * reader and the verifier both walk blocks with it, so block types, chunk
 * framing and the LO layout are known in fmt_custom.c only.  Damage to the
 * framing (a cut, a bad length) is an event too; past it the walk cannot
 * go on, since nothing in the format says where the next block starts.  A
 * block whose framing is intact but whose contents are wrong (unknown dump
 * id, wrong type for its entry) is the caller's to judge: the walk goes on.
 */
typedef enum dfi_cw_event {
    DFI_CW_BLOCK,      /* a block header: type, blobs, id; block = its offset */
    DFI_CW_LO,         /* BLOBS: a large object's chunk stream starts: oid; at = the OID */
    DFI_CW_CHUNK,      /* a chunk: len payload bytes follow (at = its length field) */
    DFI_CW_STREAM_END, /* the 0 length that ends a chunk stream */
    DFI_CW_BLOCK_END,  /* the block is over; at = its end */
    DFI_CW_AREA_END,   /* no block starts at `at`: the input ended (eof) or holds `byte` */
    DFI_CW_DAMAGE,     /* framing unreadable: rc, err, what, fail_at, block, where; final */
} dfi_cw_event;

/* Where a DFI_CW_DAMAGE happened. */
enum { DFI_CW_AT_BOUNDARY, DFI_CW_AT_HEADER, DFI_CW_IN_BODY };

typedef struct dfi_cwalk {
    dfi_buf *b;
    const dfi_arch *arch;
    const df_limits *lim;
    df_error *err;
    bool sparse;      /* skip big payloads by seeking and reading little after them (--quick) */
    bool strict_type; /* a block header with an unknown type byte is damage (reader) */
    /* the last event */
    int type;    /* block type byte (1 data, 3 BLOBS; 1 before archive 1.3) */
    bool blobs;  /* a BLOBS block */
    int32_t id;  /* the block's dump id */
    uint32_t oid;
    int32_t len; /* chunk payload length */
    int64_t at, block;
    bool eof;  /* DFI_CW_AREA_END: at the end of input */
    int byte;  /* DFI_CW_AREA_END: the byte that is no block type */
    int rc;    /* DFI_CW_DAMAGE: the error code (err holds its message and offset) */
    int where; /* DFI_CW_DAMAGE: DFI_CW_AT_* */
    char what[80]; /* DFI_CW_DAMAGE: the piece that could not be read, at fail_at */
    int64_t fail_at;
    /* position */
    int state;
    int64_t left; /* payload bytes of the current chunk not read yet */
    int64_t los;  /* large objects of the current BLOBS block */
} dfi_cwalk;

/* A walk over b, from a block boundary (at_block: no boundary checks, the block header first). */
DFI_HIDDEN void dfi_cw_init(dfi_cwalk *k, dfi_buf *b, const dfi_arch *arch, const df_limits *lim,
                            df_error *err, bool at_block);
/* Start inside a block whose header was read: blobs says which body follows. */
DFI_HIDDEN void dfi_cw_enter_body(dfi_cwalk *k, bool blobs, int64_t block);
DFI_HIDDEN dfi_cw_event dfi_cw_next(dfi_cwalk *k);
/*
 * After DFI_CW_CHUNK: the next piece of its payload (*p, *n, raw offset *at);
 * DF_EOF when the chunk is read; DF_E_TRUNCATED etc. (then next() reports the damage).
 */
DFI_HIDDEN int dfi_cw_data(dfi_cwalk *k, const uint8_t **p, size_t *n, int64_t *at);

extern DFI_HIDDEN const dfi_format dfi_format_custom;
extern DFI_HIDDEN const dfi_format dfi_format_directory;
/*
 * fmt_directory.c: the dump ids that data files and LO lists of r's
 * directory are named by but its TOC holds no entry of (what a cut TOC
 * lost), sorted, in a new array (*ids NULL when none).  DF_OK or DF_E_NOMEM.
 */
DFI_HIDDEN int dfi_dir_orphan_ids(const df_reader *r, int32_t **ids, size_t *n);
extern DFI_HIDDEN const dfi_format dfi_format_tar;

/* fmt_tar.c: do the first n bytes of a file look like a ustar archive (the probe)? */
DFI_HIDDEN bool dfi_tar_looks_like(const uint8_t *p, size_t n);
/*
 * fmt_tar.c: a large object's member, blob_<oid>.dat (or .dat.gz): the OID
 * and how the member is stored; 0 for any other name.
 */
DFI_HIDDEN uint32_t dfi_tar_blob_oid(const char *name, dfi_wrap *wrap);
/* fmt_tar.c: how a member is stored, by its name (".gz": gzip). */
DFI_HIDDEN dfi_wrap dfi_tar_member_wrap(const char *name);

/*
 * fmt_tar.c: the tar format's walker (spec §7), member by member from a
 * header boundary, in the shape of libarchive's read_header/read_data_skip:
 * dfi_tw_next() skips what the caller did not read of the previous member
 * (and its padding) and reports the next piece of structure or the damage
 * that ends the walk, with raw offsets.  The reader (member headers) and the
 * verifier (the whole walk) use it, so ustar framing lives in fmt_tar.c only.
 */
typedef enum dfi_tw_event {
    DFI_TW_MEMBER,       /* a member header at `at`: name, size; its data follow at `data` */
    DFI_TW_END,          /* a zero block at `at`: the end of the archive (next: its second block) */
    DFI_TW_END_OK,       /* ... and the second zero block is there; the walk is over */
    /* damage: the walk is over */
    DFI_TW_NO_END,       /* the input ends at `at`, a header boundary, without the end blocks */
    DFI_TW_HEADER_FAIL,  /* reading the header at `at` failed: rc, err (a cut: err.offset) */
    DFI_TW_BAD_CHECKSUM, /* the header at `at` fails its checksum */
    DFI_TW_BAD_SIZE,     /* the header at `at` has an invalid size field (at `at` + 124) */
    DFI_TW_PAST_END,     /* the member's data (name, data, size) run past the file's end */
    DFI_TW_DATA_FAIL,    /* reading or skipping the member's data failed: rc, err */
    DFI_TW_PADDING_FAIL, /* skipping the member's padding failed: rc, err */
    DFI_TW_END_FAIL,     /* reading the second end block failed: rc, err */
    DFI_TW_BAD_END,      /* the zero block at `at` is followed by a non-zero one at `data` */
} dfi_tw_event;

typedef struct dfi_twalk {
    dfi_buf *b;
    df_error *err;
    int64_t file_size; /* -1: unknown (a pipe); else members past it are DFI_TW_PAST_END */
    /* the last event */
    char name[256];
    int64_t at, data, size;
    int rc;
    /* position */
    int state;
    dfi_tw_event last; /* what ended the walk */
    int64_t left;      /* data bytes of the current member not read yet */
} dfi_twalk;

/* A walk over b from a header boundary at b's position. */
DFI_HIDDEN void dfi_tw_init(dfi_twalk *k, dfi_buf *b, int64_t file_size, df_error *err);
DFI_HIDDEN dfi_tw_event dfi_tw_next(dfi_twalk *k);
/* After DFI_TW_MEMBER: the next piece of its data (*p, *n at raw offset *at); DF_EOF at its end. */
DFI_HIDDEN int dfi_tw_data(dfi_twalk *k, const uint8_t **p, size_t *n, int64_t *at);

/* toc.c: a line of a LO list, grown up to df_limits.max_line; free s when done. */
typedef struct dfi_line {
    char *s;
    size_t n, cap;
} dfi_line;

/*
 * fmt_directory_walk.c: the directory format's walker (spec §6), in the
 * shape of the custom and tar walkers: dfi_dw_next() reports the archive's
 * structure member by member (toc.dat, each data entry's file, a BLOBS
 * entry's LO list and each of its lines with the LO's file) and the damage
 * (a missing member, one that may not be read, an invalid name, a bad or cut
 * LO list line, with `skim` a compressed file whose frames are damaged) as
 * events, with raw offsets.  Damage does not end the walk: members are
 * independent files.  The reader and the verifier find members through it,
 * so the names and the LO list layout are known in fmt_directory*.c only;
 * callers word their own messages from the event's facts.
 */
typedef enum dfi_dw_event {
    DFI_DW_TOC,       /* toc.dat found (a whole walk's first event): member, wrap, size */
    DFI_DW_ENTRY,     /* the members of data entry e follow */
    DFI_DW_FILE,      /* e's data file: name (from the TOC), member (found), wrap, size */
    DFI_DW_LO_LIST,   /* e's LO list is open: name, member (found) */
    DFI_DW_LO,        /* the list line at `at`: oid, name; the LO's file member, wrap, size */
    DFI_DW_ENTRY_END, /* e's members are over */
    DFI_DW_END,       /* the walk is over */
    /* damage (of: which member); the walk goes on */
    DFI_DW_BAD_NAME,  /* the TOC or the list line at `at` names no valid file (name may be NULL) */
    DFI_DW_MISSING,   /* name is missing, also with .gz, .lz4, .zst */
    DFI_DW_REFUSED,   /* member exists but may not be read (not a regular file ...): rc, err */
    DFI_DW_BAD_LINE,  /* the list line at `at` is no "<oid> <file>" */
    DFI_DW_LIST_CUT,  /* the list's last line has no newline; at = where the list ends */
    DFI_DW_LIST_FAIL, /* reading the list line at `at` failed: rc (DF_E_LIMIT, DF_E_NOMEM ...) */
    DFI_DW_BAD_FILE,  /* skim: member's compressed frames are cut or damaged: rc, err */
} dfi_dw_event;

/* What a directory walk event is about. */
enum { DFI_DW_OF_TOC, DFI_DW_OF_DATA, DFI_DW_OF_LIST, DFI_DW_OF_LO };

typedef struct dfi_dwalk {
    const char *dir;
    uint32_t version; /* the archive's: which LO list name counts (blobs.toc before 1.16) */
    const df_limits *lim;
    df_error *err;    /* the details of damage events */
    bool follow;      /* follow symbolic links out of the directory */
    bool skim;        /* check each compressed file's frames (codec skim) */
    size_t io_cap;    /* cap on each read of the LO list (the reader's test knob); 0 = none */
    /* the last event */
    const df_entry *e;
    int of;             /* DFI_DW_OF_* */
    const char *name;   /* the name the TOC or the list line gives (until the next event) */
    char member[300];   /* the file found: the name with its suffix */
    dfi_wrap wrap;
    int64_t size;       /* of member, -1 when not found */
    uint32_t oid;
    int64_t at;         /* list events: offset of the line in the (decoded) list */
    int rc;
    /* position */
    int state;
    bool single, skim_due;
    const df_entry *ents;
    size_t n, i;
    char list[300]; /* the LO list as found */
    dfi_src src;
    dfi_buf b;
    bool list_open;
    dfi_line line;
} dfi_dwalk;

/* A walker over directory dir; then dfi_dw_toc (a whole walk) or dfi_dw_entry (one entry). */
DFI_HIDDEN void dfi_dw_init(dfi_dwalk *k, const char *dir, uint32_t version, const df_limits *lim,
                            bool follow, df_error *err);
/* Walk toc.dat, then the members of every entry of ents[0..n) that has data. */
DFI_HIDDEN void dfi_dw_toc(dfi_dwalk *k, const df_entry *ents, size_t n);
/* Walk the members of data entry e only (ENTRY ... ENTRY_END, then END). */
DFI_HIDDEN void dfi_dw_entry(dfi_dwalk *k, const df_entry *e);
DFI_HIDDEN dfi_dw_event dfi_dw_next(dfi_dwalk *k);
/* Skip the rest of the current entry's members (the next event is its ENTRY_END). */
DFI_HIDDEN void dfi_dw_skip_entry(dfi_dwalk *k);
/* Release what the walk holds open (any time; the walker may be started again). */
DFI_HIDDEN void dfi_dw_free(dfi_dwalk *k);
extern DFI_HIDDEN const dfi_format dfi_format_plain;
/* fmt_plain.c: df_reader_measure for a plain script (the numbers were taken at open). */
DFI_HIDDEN int dfi_plain_measure(df_reader *r, const df_entry *e, int64_t *rows, int64_t *out_bytes,
                                 int64_t *raw_bytes);

/*
 * fmt_plain.c: the data a plain script's open pass goes over, handed on as
 * they pass, so that a script from a pipe is checked in that one pass
 * (verify.c).  Entries are named by index: r->entries moves while it grows.
 */
typedef struct dfi_plain_tap {
    void *ctx;
    /* The data of entry `i` start: COPY data (its copy_stmt is set) or INSERT statements ... */
    void (*data_begin)(void *ctx, const df_reader *r, size_t i, bool copy);
    /* ... in pieces (COPY: up to and with the "\." line) ... */
    void (*data)(void *ctx, const uint8_t *p, size_t n);
    /* ... and end (terminated or not: the entry says so after the pass). */
    void (*data_end)(void *ctx, size_t i);
    /* A large object of the BLOBS entry `i`: lo_open('oid', ...). */
    void (*lo_open)(void *ctx, size_t i, uint32_t oid);
} dfi_plain_tap;

/* ---------------------------------------------------------------- reader */
struct df_reader {
    df_limits lim;
    size_t io_size;
    df_error err;
    char *path;
    bool opened;
    bool follow_symlinks; /* directory members may resolve outside the directory */
    bool crlf_suspect;    /* the first bytes look converted to CR LF line ends */

    dfi_src src; /* main input: archive file, toc.dat, or tar */
    dfi_buf buf;
    dfi_arch arch;

    df_header hdr;
    char *hdr_dbname, *hdr_server, *hdr_dump;

    df_entry *entries;
    size_t nentries, cap_entries;
    int32_t *id_sorted; /* indices into entries, sorted by dump_id */

    const dfi_format *fmt;
    void *fmt_state;

    /* current data stream */
    const df_entry *cur;
    bool data_open;
    bool in_stream;   /* a raw stream (entry data or one LO) is positioned */
    bool stream_done; /* decoder reported its end or raw input ended */
    dfi_wrap wrap;
    dfi_dec dec;
    bool dec_active;
    const uint8_t *raw_p;
    size_t raw_n;
    bool raw_eof;
    /* an error met after bytes were decoded in the same call: those bytes went out first */
    int pending_rc;
    df_error pending_err;
    bool pending_drain; /* the input failed: the codec may still hold decoded bytes */
    /* output bytes of the stream when the raw piece of its last chunk was taken (salvage.c) */
    int64_t chunk_out;
    df_data_stats stats;
    /* progress.c: df_reader_set_progress */
    df_progress_fn prog_fn;
    void *prog_ctx;
    int64_t prog_last_ns;
    int64_t prog_dir_done;  /* directory: raw bytes of data files closed */
    int64_t prog_dir_total; /* directory: their sizes in all; 0 until computed */
    const dfi_plain_tap *plain_tap; /* set before opening; NULL: none */
    /* df_reader_set_salvage_toc: a TOC cut short keeps its complete entries */
    bool salvage_toc;
    bool toc_cut;         /* it was: toc_promised entries, toc_cut_err says where */
    int64_t toc_promised; /* the TOC's own count */
    df_error toc_cut_err;
};

/*
 * reader.c: the open stream's next raw piece, not decoded (salvage's splice): DF_OK, DF_EOF
 * or the format's error.  A piece that opens a new chunk marks chunk_out = out, the decoded
 * bytes the caller made so far, as the decoding path does.
 */
DFI_HIDDEN int dfi_reader_raw(df_reader *r, const uint8_t **p, size_t *n, int64_t out);

/* progress.c: report to r's progress callback, at most ten times a second. */
DFI_HIDDEN void dfi_progress(df_reader *r, const df_entry *e);
/* progress.c: a data stream is closed; directory counts its bytes as done. */
DFI_HIDDEN void dfi_progress_closed(df_reader *r);

/* toc.c: read the header (spec §3) from r->buf; expects_format is the stored byte (1 or 3). */
DFI_HIDDEN int dfi_read_header(df_reader *r, int expect_format_byte);
/* toc.c: read the TOC; `extra` reads the format-specific trailer of each entry. */
typedef int (*dfi_extra_fn)(df_reader *r, df_entry *e);
DFI_HIDDEN int dfi_read_toc(df_reader *r, dfi_extra_fn extra);
DFI_HIDDEN void dfi_toc_free(df_reader *r);
/* toc.c: read one STR into an entry-owned string, with TOC byte accounting. */
DFI_HIDDEN int dfi_toc_str(df_reader *r, char **out);
/* Dump id -> entry index pairs, sorted by id (ids are sparse and unordered in a TOC). */
typedef struct dfi_id_pair {
    int32_t id;
    int32_t index;
} dfi_id_pair;
DFI_HIDDEN void dfi_id_pairs_sort(dfi_id_pair *p, size_t n);
/* The index paired with id in sorted pairs, -1 when id is not there. */
DFI_HIDDEN int32_t dfi_id_pairs_find(const dfi_id_pair *p, size_t n, int32_t id);
/* The TOC extra of directory and tar archives: the entry's data file name ("" = none). */
DFI_HIDDEN int dfi_toc_filename_extra(df_reader *r, df_entry *e);
/* One line of a directory archive's LO list, "<oid> <file>" (spec §6.2), split in place. */
DFI_HIDDEN bool dfi_lo_list_line(char *line, uint32_t *oid, char **name);
/* toc.c: DF_E_LIMIT (with the message) when a BLOBS entry already holds max_los objects. */
DFI_HIDDEN int dfi_limit_los(const df_limits *lim, int64_t n, df_error *err, int64_t at);
/* Append ch: DF_OK, DF_E_LIMIT (the line would reach max_line) or DF_E_NOMEM. */
DFI_HIDDEN int dfi_line_push(dfi_line *l, const df_limits *lim, char ch);
/*
 * fmt_directory.c: the next line of a LO list from b into l (no newline): DF_OK, DF_EOF after
 * the last, DF_E_TRUNCATED when the last has no newline, DF_E_LIMIT (max_line), DF_E_NOMEM, or
 * the input's error (in err).  Callers word their own messages.
 */
DFI_HIDDEN int dfi_lo_list_next(dfi_buf *b, dfi_line *l, const df_limits *lim, df_error *err);
/* How many leading bytes the probe (and the text-damage check) looks at. */
#define DFI_PROBE_BYTES 4096
/* toc.c: does this look like a binary file whose every LF got a CR (text-mode conversion)? */
DFI_HIDDEN bool dfi_looks_crlf(const uint8_t *p, size_t n);
/* toc.c: note whether r->buf's first bytes look converted to CR LF line ends. */
DFI_HIDDEN void dfi_note_text_damage(df_reader *r);
/* reader.c: rc, with a hint added to r->err's message when a failure looks due to that. */
DFI_HIDDEN int dfi_text_damage_hint(df_reader *r, int rc);
/* toc.c: the entry's index by dump id, or -1. */
DFI_HIDDEN ssize_t dfi_find_index(const df_reader *r, int32_t id);
/* toc.c: "TABLE DATA sales.orders (dump id 3012)" for messages. */
DFI_HIDDEN void dfi_entry_label(const df_entry *e, char *buf, size_t n);
/* toc.c: true if desc equals s. */
DFI_HIDDEN bool dfi_desc_is(const df_entry *e, const char *s);

/* copy.c: INSERT mode, the rows of the statements that ended (salvage keeps whole statements). */
DFI_HIDDEN int64_t dfi_rowcount_statement_rows(const df_rowcount *rc);
/* INSERT mode: bytes of the stream up to the ';' of the last statement that ended. */
DFI_HIDDEN int64_t dfi_rowcount_statement_end(const df_rowcount *rc);
/* select.c: leave entry i of s out with `reason` (salvage: damaged, or needs what was lost). */
DFI_HIDDEN int dfi_selection_exclude(df_selection *s, size_t i, const char *reason);

#endif /* DUMPFMT_INTERNAL_H */
