/*
 * verify.h — private to the verifier (verify*.c, findings.c) and its tests:
 * the state one run shares between the walks (verify.c), the streams
 * (verify_stream.c), plain scripts (vfy_verify_plain.c) and the findings
 * (findings.c), and the COPY text checker (copycheck.h).  Not installed.
 *
 * The functions below keep the short names they had as statics of one
 * verify.c while the walks are being moved to the format walkers (issue
 * 11); they are hidden like every dfi_ name.
 */
#ifndef DUMPFMT_VERIFY_H
#define DUMPFMT_VERIFY_H

#include "copycheck.h"
#include "cpuload.h"
#include "internal.h"
#include "lofacts.h"
#include "seqfacts.h"
#include "valuecheck.h"
#include "workpool.h"

#include <pthread.h>
#include <stdarg.h>

#define V_OUT_SIZE (256 * 1024)       /* decompressed bytes per checker call */
#define V_PIPE_BUFS 6                 /* decoded buffers in flight to a checker thread */
#define V_MIN_ROOM (64 * 1024)        /* a buffer with less room left is handed on: lz4 */
                                      /* decodes a 64 KiB block in place only with that much */
#define V_PIPE_AFTER (2 * V_OUT_SIZE) /* a stream this long gets the checker thread */
#define V_CPU_SLACK 0.3 /* a CPU 70% free still pays for a checker thread */
#define V_DEFAULT_LARGE_PLAIN (1LL << 30)
#define V_MSG 1024

typedef struct vlist {
    df_finding *v;
    size_t n, cap;
    bool oom; /* a finding was lost for want of memory */
} vlist;

enum { V_FOUND_NONE = 0, V_FOUND_PARTIAL = 1, V_FOUND_COMPLETE = 2 };
enum { V_STOP_EOF = 0, V_STOP_OTHER = 1, V_STOP_ERROR = 2 };
enum { V_REC = 1, V_DEC = 2 }; /* walk flags: record structure, decode data */

/* One large object as found in the data (custom: OID only). */
typedef struct vlo {
    uint32_t oid;
    int64_t start; /* tar: raw offset of the member data; else -1 */
    int64_t size;  /* stored bytes (tar member, directory file) */
    char *name;    /* directory file or tar member name, with suffix */
    dfi_wrap wrap;
} vlo;

/* Per TOC entry: where its data are and what reading them showed. */
typedef struct ventry {
    const df_entry *e;
    bool data; /* the TOC gives the entry a data stream */
    bool blobs;
    bool table;         /* TABLE DATA: rows are checked */
    int rows_mode;      /* DF_ROWS_* */
    int ncols;          /* from the COPY column list, -1 unknown */
    int found;          /* V_FOUND_*: its block / member / file */
    bool cut;           /* its block or member ends early */
    int64_t start, end; /* custom block, tar member data; -1 */
    char *member;       /* directory file or tar member holding it */
    dfi_wrap wrap;
    int64_t stored;
    vlo *los;
    size_t nlos, caplos;
    bool los_over;  /* more large objects than max_los: the rest were not recorded */
    dfi_lowant want; /* LO OIDs the TOC promises */
    dfi_watch *w; /* watched columns (sequence-behind-data) */
    size_t nw;
    dfi_vtable *vt; /* column types for the value checks; NULL: none */
    int64_t rows, bytes;
    bool decoded; /* the full check read all of it */
    /*
     * Its stored data end early (a cut file, issue 13): the raw offset where they stop and
     * the data before it are decoded and checked (-1: not cut, or not decoded), the entry's
     * truncated finding that gains the count (cut_find, when has_cut_find), and the complete
     * rows counted before the cut (-1: not known).
     */
    int64_t cut_at;
    size_t cut_find;
    bool has_cut_find;
    int64_t cut_rows;
    size_t cut_mark; /* tar from a pipe: its findings when the cut member's check began */
    vlist finds;
} ventry;

typedef struct vctx vctx;

struct df_verify {
    df_reader *r;
    df_verify_summary sum;
    df_finding *f;
    size_t n;
    dfi_vtable **vts; /* per TOC entry: the value checks' columns, NULL none */
    size_t nvts;
    int64_t *cut_rows; /* per TOC entry: complete rows before a cut, -1 none */
    size_t ncut_rows;
};

struct vctx {
    const df_verify_options *opt;
    df_verify *v;
    df_reader *r;
    const char *path; /* what workers reopen (file or directory); NULL: serial only */
    size_t n;
    ventry *ents;
    int64_t file_size; /* custom or tar file; -1 unknown (pipe) */
    vlist pre, post;   /* file-level findings before and after the entries' */
    int walk_stop;     /* V_STOP_*: how the walk of blocks or members ended */
    int64_t walk_end;  /* ... and where */
    dfi_seqfacts seq; /* full check: the sequences and the columns they feed */
    bool gzip_used;
    ventry **by_file; /* tar: data entries by file name (tar_data_entry), built on first use */
    size_t nby_file;
    dfi_pool pool;     /* the data phase's workers (workpool.c) */
    int64_t prog_done; /* atomic: stored bytes done */
    int64_t prog_total; /* -1: unknown (a pipe) */
    int64_t prog_last_ns;
    const df_entry *prog_entry; /* atomic: the entry whose stream began last */
    size_t piping;  /* atomic: streams whose COPY text a checker thread takes */
    bool pipe_always; /* tests: every table's stream goes through a checker thread */
    dfi_cpuload load; /* CPUs the rest of the machine leaves us (threads > 1 only) */
    bool sparse;    /* a walk that decodes nothing (--quick, threads): chunk headers only */
    struct vtap *tap; /* a plain script from a pipe: what its one pass checked */
};

/*
 * A worker's output buffers and COPY checker thread.  Decoded bytes go round a ring of
 * V_PIPE_BUFS buffers: the worker writes into buf[cur], hands it on and takes the next one, so
 * the last 64 KiB it decoded stay where they are while it decodes more (the lz4 codec then
 * reads its history in place instead of copying 64 KiB after every call: dfi_dec.stable_out).
 * One big table can hold most of a dump, so a long stream is checked in a second thread while
 * the worker decodes the next buffers.  The checker thread runs the row checker over each
 * buffer in order (it alone: rows are counted across buffers) and puts off the value checks of
 * the buffer's whole lines into job[i]; the value checks are most of the work, and for lz4,
 * zstd and uncompressed data decoding is far cheaper, so the worker, when it has decoded so
 * far ahead that the next buffer is still in use, checks jobs too instead of waiting (each
 * thread with its own dfi_vcheck, merged at the end: the same findings as one thread's).
 * Buffers are handed over, scanned and taken as jobs oldest first; a job may finish in either
 * order, and the worker waits for its next buffer only (state[i] back to V_BUF_FREE).
 */
enum { V_BUF_FREE = 0, V_BUF_HANDED, V_BUF_SCANNED, V_BUF_CHECKING };

typedef struct vpipe {
    pthread_t tid;
    bool started;
    bool unavailable; /* the thread could not be started: check in the worker */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint8_t *buf[V_PIPE_BUFS];
    size_t len[V_PIPE_BUFS];
    uint8_t state[V_PIPE_BUFS]; /* V_BUF_* */
    dfi_vjob job[V_PIPE_BUFS];  /* the put-off value checks of each buffer's whole lines */
    size_t cur;     /* the buffer the worker writes into */
    size_t next;    /* the oldest handed-over buffer not yet scanned */
    size_t nscan;   /* ... and how many wait for the scan */
    size_t jnext;   /* the oldest scanned buffer whose job no thread took */
    size_t njobs;   /* ... and how many wait */
    size_t count;   /* handed over and not yet free */
    bool quit;
    dfi_copycheck *cp;
    dfi_vcheck *vcj; /* [0] the worker's, [1] the checker thread's (vworker.vcj) */
} vpipe;

/* A worker's own view of the input and its scratch memory. */
typedef struct vworker {
    vctx *c;
    dfi_src src;
    dfi_buf buf;
    bool open;
    df_error err;
    uint8_t *out;
    dfi_copycheck *cp;
    bool main;         /* runs in the calling thread: may report progress */
    ventry *expect;    /* worker: the entry whose block it reads (findings go nowhere else) */
    int64_t prog_base; /* main: raw offset that counts as progress 0 */
    vpipe pipe;
    dfi_vcheck vc; /* value checks of the table being read */
    dfi_vcheck vcj[2]; /* ... of the lines checked as jobs: by the worker, the checker thread */
} vworker;

/* One compressed stream being checked. */
typedef struct vstream {
    vctx *c;
    ventry *ve;
    vworker *w;
    dfi_dec dec;
    bool live, ended, failed;
    size_t used; /* bytes waiting in w->out */
    bool table;
    bool piped;        /* the COPY text goes to the worker's checker thread */
    int64_t raw_start; /* raw offset where the stored stream starts */
    int64_t raw_end;   /* ... and ends, when known (-1) */
    bool linear;       /* uncompressed offsets map to raw_start + n */
    const char *member;
    int64_t out_bytes;
    bool cut;     /* its storage is cut: what decoded is checked, not the stream's end */
    bool early;   /* ... or the stream ended early: no terminator or end is expected */
    int64_t rows; /* complete rows the stream held (set by vfy_stream_end), -1 unknown */
    /* The first codec failure, reported at the stream's end when its range is known. */
    const char *fail_code;
    int fail_sev;
    int64_t fail_at;
    char fail_msg[200];
} vstream;

/*
 * A plain script from a pipe cannot be read twice: its data go through the
 * COPY checker while the reader's one pass goes over them (the reader's
 * dfi_plain_tap), every column watched, since which ones feed a sequence is
 * only known once the script has been read.  What each part showed is kept
 * small (the checker itself only when it found a problem) until then.
 */
typedef struct vtap_part {
    size_t entry;
    int64_t rows;
    dfi_watch *w; /* the columns that held an integer, by position */
    size_t nw;
    dfi_copycheck *bad; /* the checker's state when it found a problem */
    dfi_vcheck *vbad;   /* ... and the value checks', with their columns (vt, owned) */
    dfi_vtable *vt;
} vtap_part;

typedef struct vtap {
    dfi_copycheck cp;
    bool active;
    bool values;     /* value checks on (not --quick, not --no-values) */
    dfi_vtable *vt;  /* the columns of the part being read, NULL: none */
    dfi_vcheck vc;
    dfi_watch *w;
    size_t nw;
    vtap_part *parts;
    size_t nparts, cap;
    struct vtap_lo {
        size_t entry;
        uint32_t oid;
    } *los;
    size_t nlos, caplos;
    bool oom; /* then plain_data reads the data parts again, when it can */
} vtap;

/* ---- findings.c ---------------------------------------------------- */

DFI_HIDDEN void vfy_vlist_free(vlist *l);
/* Drop findings added after the first `keep` (a block that turned out to be cut). */
DFI_HIDDEN void vfy_vlist_truncate(vlist *l, size_t keep);
DFI_HIDDEN void vfy_vlist_addv(vlist *l, const char *code, int sev, const df_entry *e, int64_t off,
                           const char *member, const char *fmt, va_list ap);
DFI_HIDDEN void vfy_vlist_add(vlist *l, const char *code, int sev, const df_entry *e, int64_t off,
                          const char *member, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* Append to the message of finding i (a cut entry's truncated finding gains its rows). */
DFI_HIDDEN void vfy_vlist_append(vlist *l, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Move the last finding to position `to` (the ones from there on move up by one). */
DFI_HIDDEN void vfy_vlist_move_last(vlist *l, size_t to);
/* The first finding of ve added since it had `before` is its truncated one (cut_find). */
DFI_HIDDEN void vfy_cut_find_since(ventry *ve, size_t before);
/* The entry's truncated finding (cut_find) gains "; N complete rows before the cut". */
DFI_HIDDEN void vfy_cut_rows_note(ventry *ve, int64_t rows);
/* Attach the SQL that repairs the last finding (kept in the finding's one allocation). */
DFI_HIDDEN void vfy_vlist_set_fix(vlist *l, const char *fix);
/* A finding about `ve`. */
DFI_HIDDEN void vfy_entry_add(ventry *ve, const char *code, int sev, int64_t off, const char *member,
                          const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A finding about `ve`, or about the file when ve is NULL. */
DFI_HIDDEN void vfy_where_add(vctx *c, ventry *ve, const char *code, int sev, int64_t off,
                          const char *member, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* ---- verify_stream.c ----------------------------------------------- */

/* Which finding a codec's complaint is (and its severity). */
DFI_HIDDEN const char *vfy_codec_code(int rc, const char *msg, int *sev);
/* Start checking a stream stored at raw_start..raw_end (-1: not known yet) of `member`. */
/*
 * For tests: df_verify_path (opt->threads > 1) with every table's COPY text checked through a
 * checker thread from its first buffer on, however short and whatever the machine's load.
 */
DFI_HIDDEN int dfi_verify_path_piped(const char *path, const df_verify_options *opt,
                                     df_verify **out);
DFI_HIDDEN int vfy_stream_begin(vstream *s, vworker *w, ventry *ve, dfi_wrap wrap, bool table,
                            int64_t raw_start, int64_t raw_end, const char *member);
/* Stored bytes p[0..n) that start at raw offset `at` (-1: not known). */
DFI_HIDDEN void vfy_stream_feed(vstream *s, const uint8_t *p, size_t n, int64_t at);
/* The stored stream ended at raw offset end_at: finish decoding and check it is complete. */
DFI_HIDDEN void vfy_stream_end(vstream *s, int64_t end_at);
/*
 * Its storage was cut at raw offset cut_at (issue 13): check what decoded before the cut as
 * a stream that ended there (complete rows only, no terminator expected).  The complete
 * rows, or -1 when the data failed to decode before the cut (reported as usual).
 */
DFI_HIDDEN int64_t vfy_stream_cut(vstream *s, int64_t cut_at);
/* Give up on the stream without judging it (its storage was cut). */
DFI_HIDDEN void vfy_stream_close(vstream *s);
/* The first problem of each kind the COPY checker saw, as findings. */
DFI_HIDDEN void vfy_copy_findings(vstream *s, int64_t end_at);
DFI_HIDDEN int vfy_worker_init(vworker *w, vctx *c, bool main);
DFI_HIDDEN void vfy_worker_free(vworker *w);
/* The worker's own handle on the archive file, positioned at `at`. */
DFI_HIDDEN int vfy_worker_seek(vworker *w, int64_t at);

/* ---- vfy_verify_plain.c ------------------------------------------------ */

DFI_HIDDEN void vfy_verify_plain(vctx *c);
DFI_HIDDEN dfi_plain_tap vfy_plain_tap_hooks(vtap *t);
DFI_HIDDEN void vfy_tap_free(vtap *t);

/* ---- verify.c, for vfy_verify_plain.c ---------------------------------- */

DFI_HIDDEN int vfy_verify_add_lo(ventry *ve, uint32_t oid, int64_t start, int64_t size,
                             const char *name, dfi_wrap wrap);
DFI_HIDDEN uint8_t *vfy_verify_read_range(const char *path, int64_t from, int64_t len,
                                      df_error *err);

/* verify_custom.c, verify_tar.c, verify_dir.c and verify.c call each other through these. */
DFI_HIDDEN int64_t vfy_eof_offset(const vctx *c);
DFI_HIDDEN void vfy_note_progress(vworker *w, const dfi_buf *b, int64_t bytes);
DFI_HIDDEN int vfy_add_lo(ventry *ve, uint32_t oid, int64_t start, int64_t size, const char *name, dfi_wrap wrap);
DFI_HIDDEN uint8_t *vfy_read_range(const char *path, int64_t from, int64_t len, df_error *err);
DFI_HIDDEN int vfy_feed_bytes(vworker *w, dfi_buf *b, df_error *err, vstream *s, int64_t size);
DFI_HIDDEN void vfy_custom_block_at(vworker *w);
DFI_HIDDEN void vfy_custom_walk(vctx *c, vworker *w, dfi_buf *b, df_error *err, int flags);
DFI_HIDDEN void vfy_custom_trailer(vctx *c, dfi_buf *b, df_error *err);
DFI_HIDDEN void vfy_custom_missing(vctx *c);
DFI_HIDDEN void vfy_custom_offsets(vctx *c);
DFI_HIDDEN bool vfy_lo_room(vctx *c, ventry *ve, int64_t at, const char *member);
DFI_HIDDEN void vfy_tar_fail(vctx *c, ventry *ve, int rc, const df_error *err, const char *member, const char *what);
DFI_HIDDEN void vfy_tar_walk(vctx *c, vworker *w, dfi_buf *b, df_error *err, int flags);
DFI_HIDDEN void vfy_tar_missing(vctx *c);
DFI_HIDDEN void vfy_tar_cut(vworker *w, ventry *ve, dfi_buf *b);
DFI_HIDDEN void vfy_dir_file(vworker *w, ventry *ve, const char *member, dfi_wrap wrap, bool table);
DFI_HIDDEN int vfy_dir_discover(const vctx *c, const char *name, char *member, size_t mn, dfi_wrap *wrap, int64_t *size, df_error *err);
DFI_HIDDEN void vfy_dir_prepare(vctx *c);
DFI_HIDDEN void vfy_dir_quick(vctx *c);

#endif /* DUMPFMT_VERIFY_H */
