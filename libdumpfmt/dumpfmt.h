/*
 * dumpfmt.h — the one public header of libdumpfmt, a library that reads
 * PostgreSQL pg_dump archives (custom, directory, tar) safely and in bounded
 * memory.  Everything a program needs is declared here; every other header
 * of the library is private.
 *
 * Conventions (see design.md §3):
 *  - Handles are opaque.  `_free(NULL)` is a no-op.
 *  - THE error convention (issue 11), for every fallible call: the return
 *    value is DF_OK (0), DF_EOF (1, where documented) or a negative DF_E_*
 *    code, and the LAST parameter is a caller-supplied `df_error *err`
 *    (NULL: the caller wants the code only) that receives the details
 *    (message, raw byte offset, member file) of a failure and is left alone
 *    on success.  Counts a call computes go to an out-parameter, never into
 *    the return value.  A damaged archive is a finding (df_verify_*), not a
 *    failure of the call.  Calls that read through a df_reader (e.g.
 *    df_roles_collect, df_restore_sizes) put the reader's error in *err and
 *    leave it on the reader too.
 *    The one exception: the reader's own streaming calls,
 *    df_reader_open_path/_fd, df_reader_open_data, df_reader_next_lo,
 *    df_reader_read_data (a byte count or a negative code, as read(2)) and
 *    df_reader_measure, keep the details of their last failure on the
 *    reader (df_reader_error, valid until the next call on it), as a FILE
 *    keeps ferror(): they run once per block or large object in the
 *    caller's read loop, and the reader is a stream whose failure decides
 *    what the next call may do (a pipe already passed, a member missing),
 *    so the handle is where the state of the stream lives.
 *    Calls that cannot fail but for misuse return a value, not a code:
 *    getters, counts of a result (df_verify_count, df_tcheck_count ...),
 *    predicates (df_header_created_time: 1 when there is a time), and
 *    constructors, which return NULL on ENOMEM (df_reader_new also for a
 *    bad df_limits.size).
 *  - OPTIONS: every options struct (df_limits, df_list_options,
 *    df_verify_options, df_select_options, df_cost_model,
 *    df_schedule_options, df_preflight_options, df_write_options) starts
 *    with `size_t size`, set by its _default function, which a program must
 *    call before setting fields.  Fields are only ever appended: a program
 *    built against an older header passes a smaller size and the fields it
 *    does not know take their defaults; a size of 0 or larger than the
 *    library's struct is refused with DF_E_USAGE.  Of the result structs
 *    the library fills in caller memory, df_plain_toc_stats carries a size
 *    the same way; df_data_stats, df_write_summary and df_entry_size do
 *    not yet (growing them would break the ABI).
 *  - Test knobs are not part of this header (libdumpfmt/testhooks.h).
 *  - Pointers returned by the library are BORROWED unless stated otherwise:
 *    they stay valid until the handle is freed.
 *  - The library never prints, never exits, keeps no global state; two
 *    readers used from two threads never interfere.
 */
#ifndef DUMPFMT_H
#define DUMPFMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DF_VERSION_MAJOR 0
#define DF_VERSION_MINOR 1
#define DF_VERSION_PATCH 0
#define DF_VERSION_STRING "0.1.0"

#if defined(__GNUC__)
#define DF_API __attribute__((visibility("default")))
#else
#define DF_API
#endif

/* ------------------------------------------------------------------ */
/* Status codes.  Append-only: values are never reused.                */
/* ------------------------------------------------------------------ */
enum {
    DF_OK = 0,
    DF_EOF = 1,
    DF_E_IO = -1,          /* read/open/stat failed; sys_errno says why */
    DF_E_NOMEM = -2,       /* allocation failed */
    DF_E_FORMAT = -3,      /* not a pg_dump archive (or not this format) */
    DF_E_VERSION = -4,     /* archive version this library cannot read */
    DF_E_CORRUPT = -5,     /* structure is invalid (bad flag, bad checksum, ...) */
    DF_E_TRUNCATED = -6,   /* the file ends where more bytes are required */
    DF_E_UNSUPPORTED = -7, /* valid but not supported (codec not built in, ...) */
    DF_E_LIMIT = -8,       /* a length or count exceeds df_limits */
    DF_E_NOSEEK = -9,      /* request needs bytes a pipe has already passed */
    DF_E_USAGE = -10,      /* API misuse (wrong state, bad argument) */
    DF_E_NOTFOUND = -11,   /* a file or member named by the archive is missing */
};

/* A short constant name for a status code ("truncated", "corrupt", ...). */
DF_API const char *df_strstatus(int code);

typedef struct df_error {
    int code;          /* DF_E_* (DF_OK when there is no error) */
    int sys_errno;     /* errno for DF_E_IO, else 0 */
    int64_t offset;    /* raw byte offset in `member` (or the archive file); -1 if none */
    char member[256];  /* "3011.dat.gz" inside a directory archive, tar member name; "" = the file */
    char message[256]; /* PostgreSQL style: lowercase, no trailing period */
} df_error;

/* ------------------------------------------------------------------ */
/* Limits: every length and count read from a file is checked against  */
/* these before anything is allocated.                                  */
/* ------------------------------------------------------------------ */
typedef struct df_limits {
    size_t size;             /* sizeof(df_limits) (df_limits_default sets it), see OPTIONS */
    int64_t max_string;      /* one STR field (default 64 MiB) */
    int64_t max_toc_entries; /* TOC entry count (default 4,000,000) */
    int64_t max_deps;        /* dependencies of one entry (default 1,000,000) */
    int64_t max_toc_bytes;   /* all TOC strings together (default 1 GiB) */
    int64_t max_chunk;       /* one custom-format data chunk (default 1 GiB) */
    int64_t max_los;         /* large objects in one BLOBS entry (default 100,000,000) */
    int64_t max_line;        /* one line of a LO list file (default 4096) */
} df_limits;

/* Fill *l with the safe defaults above (and l->size). */
DF_API void df_limits_default(df_limits *l);

/* ------------------------------------------------------------------ */
/* Archive description                                                 */
/* ------------------------------------------------------------------ */
typedef enum df_format {
    DF_FORMAT_UNKNOWN = 0,
    DF_FORMAT_CUSTOM = 1,
    DF_FORMAT_DIRECTORY = 2,
    DF_FORMAT_TAR = 3,
    DF_FORMAT_PLAIN = 4,
} df_format;

typedef enum df_compression {
    DF_COMPRESS_NONE = 0,
    DF_COMPRESS_GZIP = 1,
    DF_COMPRESS_LZ4 = 2,
    DF_COMPRESS_ZSTD = 3,
} df_compression;

/* Name of a format ("custom", "directory", "tar", "plain", "unknown"). */
DF_API const char *df_format_name(df_format f);
/* Name of a compression algorithm ("none", "gzip", "lz4", "zstd"). */
DF_API const char *df_compression_name(df_compression c);

/* The archive header (spec §3).  Borrowed from the reader. */
typedef struct df_header {
    df_format format;
    int vmaj, vmin, vrev;      /* archive version, e.g. 1.16.0 */
    int int_size, off_size;    /* bytes; off_size = int_size before 1.7 */
    int format_byte;           /* as stored: 1 custom, 3 directory and tar */
    df_compression compression;
    int has_level;             /* 1 when the archive stores a level (1.2 .. 1.14) */
    int compression_level;     /* the stored level (-1 = zlib default) when has_level */
    int has_created;           /* 1 for archives >= 1.4 */
    int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_isdst; /* struct tm as stored */
    const char *dbname;         /* NULL when absent */
    const char *server_version; /* NULL when absent (< 1.10) */
    const char *dump_version;   /* NULL when absent (< 1.10) */
    int64_t toc_count;          /* entries in the TOC */
    int64_t header_end;         /* raw offset of the TOC count */
    int64_t toc_end;            /* raw offset just after the TOC */
    int64_t file_size;          /* archive (or toc.dat) size in bytes; -1 if unknown (pipe) */
    int data_offsets;           /* custom: 1 if every data entry has a SET offset */
    /* Plain-format scripts (format DF_FORMAT_PLAIN) only; 0 / NULL for archives. */
    df_compression file_compression; /* whole-file compression, found by magic */
    int plain_kind;                  /* DF_PLAIN_PG_DUMP, DF_PLAIN_DUMPALL, DF_PLAIN_GLOBALS */
    int has_trailer;                 /* the final "dump complete" comment was seen, outside
                                        strings and COPY data, with no entry after it */
    const char *restrict_key;        /* key of the first \restrict line; NULL if none */
    int64_t script_bytes;            /* uncompressed bytes of the script that were read */
    const df_error *script_error;    /* why the script ended early (a damaged or truncated
                                        compressed file), the entries before it are listed;
                                        NULL when the script was read to its end */
} df_header;

/* df_header.plain_kind: which program wrote a plain-format script. */
enum {
    DF_PLAIN_PG_DUMP = 0,  /* pg_dump -Fp (or pg_restore -f) */
    DF_PLAIN_DUMPALL = 1,  /* pg_dumpall: globals, then one section per database */
    DF_PLAIN_GLOBALS = 2,  /* pg_dumpall --globals-only / --roles-only / --tablespaces-only */
};

/* Archive version as one comparable number: ((maj*256)+min)*256+rev. */
#define DF_MAKE_VERSION(maj, min, rev) ((((maj) * 256) + (min)) * 256 + (rev))

typedef enum df_section {
    DF_SECTION_UNKNOWN = 0,
    DF_SECTION_NONE = 1,
    DF_SECTION_PRE_DATA = 2,
    DF_SECTION_DATA = 3,
    DF_SECTION_POST_DATA = 4,
} df_section;

/* Name of a section ("none", "pre-data", "data", "post-data", "unknown"). */
DF_API const char *df_section_name(int section);

typedef enum df_offset_state {
    DF_OFFSET_NONE = 0,    /* format without offsets (directory, tar) */
    DF_OFFSET_NOT_SET = 1, /* entry has data, position not stored */
    DF_OFFSET_SET = 2,     /* entry has data at `data_offset` */
    DF_OFFSET_NO_DATA = 3, /* entry has no data block */
} df_offset_state;

/*
 * One TOC entry (spec §4.2).  Every string is NUL-terminated and NULL when
 * the archive stores NULL (or the field does not exist in that version).
 * Strings may contain any byte but NUL (tags can hold newlines).
 * Borrowed: valid until the reader is freed.
 */
typedef struct df_entry {
    size_t index;          /* position in the TOC, 0-based */
    int32_t dump_id;       /* > 0 */
    int had_dumper;        /* entry owns a data stream (TABLE DATA, BLOBS, ...) */
    uint32_t table_oid;    /* catalog ids (parsed from the stored text) */
    uint32_t oid;
    const char *tag;
    const char *desc;
    int section;           /* df_section: stored (>= 1.11) or derived */
    int section_stored;    /* 1 when the archive stored it */
    const char *defn;
    const char *drop_stmt;
    const char *copy_stmt;
    const char *schema;    /* namespace */
    const char *tablespace;
    const char *tableam;
    int relkind;           /* >= 1.16, else 0 */
    const char *owner;
    const char *with_oids;
    size_t ndeps;
    const int32_t *deps;   /* dump ids; may name ids absent from the TOC */
    df_offset_state offset_state; /* custom format only */
    int64_t data_offset;   /* custom: raw offset of the block-type byte when SET, else -1 */
    const char *filename;  /* directory/tar: data file or member name; NULL if none */
    int64_t toc_offset;    /* raw offset of the entry's first byte in the TOC */
    /* Plain-format facts, measured while the script is read (archives: NULL / -1). */
    const char *database;  /* pg_dumpall: the database whose section holds the entry */
    int64_t text_offset;   /* offset of the entry's header comment in the (uncompressed) script */
    int64_t data_offset_text; /* offset of its data part (COPY rows / INSERTs), -1 if none */
    int64_t data_bytes;    /* bytes of the data part, -1 if none */
    int64_t data_rows;     /* rows in the data part, -1 if none */
    int data_terminated;   /* COPY data ended with its "\." line; other data: the last
                              statement was complete */
} df_entry;

/* ------------------------------------------------------------------ */
/* Reader                                                              */
/* ------------------------------------------------------------------ */
typedef struct df_reader df_reader;

/*
 * A new reader using `limits` (NULL = defaults).  NULL on ENOMEM, or when
 * limits->size is 0 or larger than this library's df_limits (misuse).
 */
DF_API df_reader *df_reader_new(const df_limits *limits);
DF_API void df_reader_free(df_reader *r);

/*
 * Progress of a read, for a tool's progress line.  `done` counts bytes of
 * the source read so far: of the archive file (custom, tar), of the file as
 * stored (plain scripts: the compressed file when compressed), of the data
 * files of TABLE DATA entries (directory).  `total` is what there is to
 * read in the same unit, -1 when unknown (a pipe).  `entry` is the entry
 * being read (plain scripts at open: the one being scanned), or NULL;
 * valid during the call only.
 */
typedef struct df_progress {
    int64_t done;
    int64_t total;
    const df_entry *entry;
} df_progress;

typedef void (*df_progress_fn)(void *ctx, const df_progress *p);

/*
 * Call fn (NULL: nothing) about ten times a second while r reads: data
 * streams, and a plain script's one pass at open, so set it before opening.
 * Called from the reading thread; fn must not use the reader.
 */
DF_API void df_reader_set_progress(df_reader *r, df_progress_fn fn, void *ctx);

/*
 * One progress line of p into buf (n bytes, always terminated; cut to fit),
 * no newline: "43% 120/279 MiB 85 MiB/s ETA 0:02 TABLE DATA public.orders"
 * when the total is known, "120 MiB 85 MiB/s TABLE DATA public.orders" when
 * not.  rate is bytes a second; rate <= 0 leaves rate and ETA out.  Control
 * characters of the entry's names become spaces.  Returns strlen(buf).
 */
DF_API size_t df_progress_format(const df_progress *p, double rate, char *buf, size_t n);

/*
 * A directory archive's member that is a symbolic link resolving outside
 * the archive directory is refused (DF_E_IO naming it) unless `follow` is
 * non-zero (for data files moved elsewhere on purpose).  Members must be
 * regular files either way.  Must be called before opening.
 */
DF_API void df_reader_set_follow_symlinks(df_reader *r, int follow);

/*
 * Salvage mode, for dumprepair (other callers leave it off): when the file
 * ends inside the TOC of a custom, directory or tar archive, the reader
 * opens anyway with the entries read whole before the cut (the entry the
 * file ends in is dropped; header.toc_count is then how many were kept,
 * header.toc_end the end of the file).  A cut inside the header or the TOC
 * count, and any other damage to the TOC, still fail the open.  Must be
 * called before opening.
 */
DF_API void df_reader_set_salvage_toc(df_reader *r, int on);
/*
 * 1 when r was opened in salvage mode over a cut TOC: *promised (if not
 * NULL) gets the TOC's own entry count, *where (if not NULL) the error the
 * cut gave (code DF_E_TRUNCATED, its offset and member); else 0.
 */
DF_API int df_reader_toc_cut(const df_reader *r, int64_t *promised, df_error *where);

/*
 * Open an archive and read its header and TOC.  `path` is a file, a
 * directory (directory format), a directory archive's toc.dat, or "-"
 * (stdin).  The format is probed, never guessed from the name.  A path that
 * does not exist gives DF_E_NOTFOUND with sys_errno ENOENT and an empty
 * member (a missing file inside a directory archive names its member).
 * On error the reader can only be freed.
 */
DF_API int df_reader_open_path(df_reader *r, const char *path);
/* The same over an open file descriptor (not closed by the reader). */
DF_API int df_reader_open_fd(df_reader *r, int fd, const char *display_name);

DF_API const df_header *df_reader_header(const df_reader *r);
DF_API size_t df_reader_toc_count(const df_reader *r);
DF_API const df_entry *df_reader_toc_at(const df_reader *r, size_t i);
/* The entry with this dump id, or NULL. */
DF_API const df_entry *df_reader_find(const df_reader *r, int32_t dump_id);
/* The path given at open ("-" for stdin). */
DF_API const char *df_reader_path(const df_reader *r);
/* 1 if the input can seek (regular file, directory); 0 for a pipe. */
DF_API int df_reader_seekable(const df_reader *r);

/* Valid until the next call on this reader. */
DF_API const df_error *df_reader_error(const df_reader *r);

/* ------------------------------------------------------------------ */
/* Data streams                                                        */
/* ------------------------------------------------------------------ */

/* 1 if the entry has a data stream the data API can open. */
DF_API int df_entry_has_data(const df_entry *e);
/* 1 if the entry's data are large objects (BLOBS). */
DF_API int df_entry_is_blobs(const df_entry *e);
/*
 * How messages name an entry: "TABLE DATA public.t (dump id 3012)" into buf
 * (n bytes, truncated), CR and LF written as spaces.
 */
DF_API void df_entry_label(const df_entry *e, char *buf, size_t n);

/*
 * Open the data of an entry (TABLE DATA, BLOBS, BLOB COMMENTS ...).
 * For a plain data entry the uncompressed stream is then pulled with
 * df_reader_read_data.  For a BLOBS entry call df_reader_next_lo first to
 * position on each large object in turn.  From a pipe, entries must be
 * opened in file order (DF_E_NOSEEK otherwise).  Opening another entry
 * closes the current one.
 */
DF_API int df_reader_open_data(df_reader *r, const df_entry *e);
/* BLOBS: advance to the next large object; DF_OK with *oid set, DF_EOF after the last. */
DF_API int df_reader_next_lo(df_reader *r, uint32_t *oid);
/*
 * Pull up to `len` uncompressed bytes.  Returns the byte count (> 0), 0 at the
 * end of the stream (or of the current large object), or a negative DF_E_*.
 * A stream whose integrity check fails, or that ends early, is an error
 * here, never a short success.  Every byte decoded before the damage is
 * handed out first: a call that meets the error after decoding returns those
 * bytes, and the next call (and every one after) returns the error.
 */
DF_API int64_t df_reader_read_data(df_reader *r, void *buf, size_t len);
/* Close the current data stream (optional; safe to call twice). */
DF_API void df_reader_close_data(df_reader *r);

typedef struct df_data_stats {
    int64_t raw_offset;     /* raw offset where this entry's data begin (-1 unknown) */
    int64_t raw_bytes;      /* stored (compressed) bytes consumed so far, framing included */
    int64_t payload_bytes;  /* compressed payload bytes (chunk contents / file bytes) */
    int64_t out_bytes;      /* uncompressed bytes produced so far */
    int64_t chunks;         /* custom-format chunks read so far */
    int64_t los;            /* large objects started so far */
    char member[256];       /* file or tar member holding the data ("" = archive file) */
} df_data_stats;

/* Counters of the currently (or last) open data stream. */
DF_API void df_reader_data_stats(const df_reader *r, df_data_stats *st);

/* ------------------------------------------------------------------ */
/* COPY text scanning (copy.c)                                         */
/* ------------------------------------------------------------------ */

/*
 * Counts rows of a TABLE DATA stream fed in pieces of any size: COPY text
 * rows up to the `\.` terminator, or, for INSERT-mode data, the rows of
 * every INSERT statement (multi-row VALUES lists count each row).
 */
typedef struct df_rowcount df_rowcount;

/* Modes of df_rowcount_new. */
enum {
    DF_ROWS_INSERT = 0,            /* INSERT statements */
    DF_ROWS_COPY = 1,              /* COPY text rows (the entry has a copy_stmt) */
    DF_ROWS_COPY_WITH_COMMAND = 2, /* COPY text led by its COPY command (archives < 1.3) */
};

/* `copy_mode` is one of DF_ROWS_*. */
DF_API df_rowcount *df_rowcount_new(int copy_mode);
DF_API void df_rowcount_feed(df_rowcount *rc, const void *buf, size_t len);
/* Rows seen so far. */
DF_API int64_t df_rowcount_rows(const df_rowcount *rc);
/* COPY mode: 1 once the `\.` terminator line was seen. */
DF_API int df_rowcount_terminated(const df_rowcount *rc);
DF_API void df_rowcount_free(df_rowcount *rc);

/*
 * Convenience: read the whole data stream of `e` and count rows (TABLE DATA)
 * or large objects (BLOBS), also returning uncompressed and stored bytes.
 * Any of the out pointers may be NULL.
 */
DF_API int df_reader_measure(df_reader *r, const df_entry *e, int64_t *rows,
                             int64_t *out_bytes, int64_t *raw_bytes);

/* ------------------------------------------------------------------ */
/* pg_restore emulation: what `pg_restore -l` lists (listfile.c)        */
/* ------------------------------------------------------------------ */

/* Bits of what a restore would do with an entry (pg_restore's teReqs). */
enum { DF_REQ_SCHEMA = 1, DF_REQ_DATA = 2, DF_REQ_SPECIAL = 4, DF_REQ_STATS = 8 };

typedef struct df_list_options {
    size_t size;            /* sizeof(df_list_options) (df_list_options_default sets it) */
    int verbose;            /* -v: every entry, plus "depends on" lines */
    int pg_restore_version; /* emulate this pg_restore major (0 = 18) */
    int create_db;          /* -C: DATABASE entries are listed */
    /* Selection with pg_restore's own semantics (-t, -n, -N); NULL/0 = none. */
    const char *const *tables;
    size_t ntables;
    const char *const *schemas;
    size_t nschemas;
    const char *const *exclude_schemas;
    size_t nexclude_schemas;
} df_list_options;

/* Zero *o and set o->size: pg_restore 18's plain -l, no selection. */
DF_API void df_list_options_default(df_list_options *o);

/*
 * pg_restore's restore bits for each entry, in TOC order, under `opt`
 * (NULL: defaults; reqs[i] for df_reader_toc_at(r, i)).  `reqs` must hold
 * toc_count ints.  DF_OK, or DF_E_USAGE (no reader or array, bad opt->size).
 */
DF_API int df_restore_reqs(const df_reader *r, const df_list_options *opt, int *reqs,
                           df_error *err);

/*
 * What df_list_write(r, opt, NULL, ...) prints: show[i] = 1 for each entry
 * pg_restore -l [-v] lists under `opt`, else 0.  `show` holds toc_count ints.
 * DF_OK or DF_E_USAGE, as df_restore_reqs.
 */
DF_API int df_list_selection(const df_reader *r, const df_list_options *opt, int *show,
                             df_error *err);

/*
 * The creation time as pg_restore prints it ("2026-11-24 00:05:30 UTC"): the
 * stored struct tm read back with mktime() in the process's local time zone.
 * Archives before 1.4 store none: pg_restore then shows the epoch, and so
 * does this.  Returns DF_OK, or DF_E_USAGE if `len` is too small.
 */
DF_API int df_header_created(const df_header *h, char *buf, size_t len, df_error *err);

/*
 * The same time in Unix seconds into *out: 1, or 0 (and *out = 0) when h is
 * NULL or the archive stores no time (plain scripts, archives before 1.4).
 */
DF_API int df_header_created_time(const df_header *h, int64_t *out);

/*
 * Write what `pg_restore -l [-v]` writes, byte for byte, for the entries whose
 * `show[i]` is non-zero (NULL = pg_restore's own selection).  The archive
 * creation time is rendered in the process's local time zone, as pg_restore
 * does.  Returns DF_OK, DF_E_VERSION when the emulated pg_restore would
 * refuse the archive, or DF_E_IO when writing fails.
 */
DF_API int df_list_write(const df_reader *r, const df_list_options *opt, const int *show,
                         FILE *out, df_error *err);

/*
 * The pass of a serial restore (and of a plain script) an entry is
 * restored in: 0 main, 1 ACLs (ACL, ACL LANGUAGE, DEFAULT ACL), 2 after
 * the ACLs (EVENT TRIGGER, MATERIALIZED VIEW DATA, comments on event
 * triggers, post-data STATISTICS DATA) — pg_restore 18's
 * _tocEntryRestorePass (spec §9.4).  A plain script lists entries in
 * archive order sorted stably by this pass.
 */
DF_API int df_entry_restore_pass(const df_entry *e);

/* ------------------------------------------------------------------ */
/* Verification (verify.c): what dumpcheck reports                     */
/* ------------------------------------------------------------------ */

/* How serious a finding is.  The values are the exit statuses of design.md §4. */
typedef enum df_severity {
    DF_SEVERITY_INFO = 0,    /* noted; changes nothing */
    DF_SEVERITY_WARNING = 1, /* the dump is intact but something needs attention */
    DF_SEVERITY_ERROR = 2,   /* damaged: a restore would fail or lose data */
    DF_SEVERITY_UNKNOWN = 3, /* could not be checked (unreadable, unsupported, out of memory) */
} df_severity;

/* The verdict on one dump: the worst severity found, except that damage outranks "unknown". */
typedef enum df_verdict {
    DF_VERDICT_OK = 0,
    DF_VERDICT_WARNING = 1,
    DF_VERDICT_DAMAGED = 2,
    DF_VERDICT_UNKNOWN = 3,
} df_verdict;

/* "info", "warning", "error", "unknown". */
DF_API const char *df_severity_name(int severity);
/* "OK", "WARNING", "DAMAGED", "UNKNOWN". */
DF_API const char *df_verdict_name(int verdict);

/*
 * Finding codes: stable strings, documented in dumpcheck(1).  A finding's
 * `code` pointer is always one of these (compare with strcmp).
 */
/* errors: the dump is damaged */
#define DF_FIND_EMPTY "empty"                       /* zero-length input */
#define DF_FIND_NOT_A_DUMP "not-a-dump"             /* no archive, no pg_dump script */
#define DF_FIND_TRUNCATED_HEADER "truncated-header" /* ends inside the magic or header */
#define DF_FIND_TRUNCATED_TOC "truncated-toc"       /* ends inside the TOC */
#define DF_FIND_BAD_HEADER "bad-header"             /* header fields invalid */
#define DF_FIND_BAD_TOC "bad-toc"                   /* TOC structure invalid */
#define DF_FIND_DUPLICATE_ID "duplicate-id"         /* two TOC entries share a dump id */
#define DF_FIND_ENTRY_WITHOUT_DATA "entry-without-data" /* data entry the TOC gives no data */
#define DF_FIND_BAD_OFFSET "bad-offset"             /* stored data offset wrong */
#define DF_FIND_BAD_BLOCK "bad-block"               /* custom block framing invalid */
#define DF_FIND_BAD_MEMBER "bad-member"             /* tar member header invalid */
#define DF_FIND_TRUNCATED "truncated"               /* data, member or stream cut short */
#define DF_FIND_MISSING_DATA "missing-data"         /* an entry's data are not in the archive */
#define DF_FIND_MISSING_FILE "missing-file"         /* directory: a file toc.dat names is absent */
#define DF_FIND_NOT_REGULAR_FILE "not-a-regular-file" /* directory: a member is a FIFO, device ... */
#define DF_FIND_BAD_CHECKSUM "bad-checksum"         /* Adler-32, CRC-32, ISIZE, header checksum */
#define DF_FIND_BAD_DATA "bad-data"                 /* compressed data do not decode */
#define DF_FIND_TRAILING_DATA "trailing-data"       /* bytes after a stream or the last block */
#define DF_FIND_OVER_LIMIT "over-limit"             /* a length or count over df_limits */
#define DF_FIND_BAD_COPY_ROW "bad-copy-row"         /* COPY row with the wrong column count */
#define DF_FIND_BAD_COPY_ESCAPE "bad-copy-escape"   /* invalid backslash escape in COPY text */
#define DF_FIND_MISSING_TERMINATOR "missing-terminator" /* COPY data without "\." (or cut INSERTs) */
#define DF_FIND_DATA_AFTER_TERMINATOR "data-after-terminator" /* bytes after "\." */
#define DF_FIND_LO_MISMATCH "lo-mismatch"           /* large objects differ from their entries */
#define DF_FIND_BAD_LO_LIST "bad-lo-list"           /* directory: invalid LO list line */
#define DF_FIND_NO_TRAILER "no-trailer"             /* plain: "dump complete" trailer missing */
/* warnings: intact but risky */
#define DF_FIND_NO_DATA_OFFSETS "no-data-offsets"   /* custom TOC without data offsets (pipe) */
#define DF_FIND_SEQUENCE_BEHIND_DATA "sequence-behind-data" /* setval <= max of its column */
#define DF_FIND_LARGE_PLAIN_DUMP "large-plain-dump" /* plain: big enough to want pg_restore -j */
#define DF_FIND_PSQL_METACOMMAND "psql-metacommand" /* plain: \! \i ... besides \connect */
#define DF_FIND_ARCHIVE_NEWER "archive-newer-than-pg_restore" /* pg_restore too old for it */
/* information */
#define DF_FIND_DANGLING_DEPENDENCY "dangling-dependency" /* dependency on an id not in the TOC */
#define DF_FIND_OFFSETS_OUT_OF_ORDER "offsets-out-of-order" /* blocks not in TOC order */
#define DF_FIND_TOC_COPY "toc-copy"                 /* 16+ stdout dump: TOC copy after the data */
#define DF_FIND_BAD_VALUE "bad-value"               /* a COPY value its column's type rejects */
#define DF_FIND_NULL_IN_NOT_NULL "null-in-not-null" /* \N in a NOT NULL column */
#define DF_FIND_BAD_ENCODING "bad-encoding"         /* a value not valid in the dump's encoding */
#define DF_FIND_TOO_LONG "too-long"                 /* longer than its varchar(n) / char(n) */
/* unknown: could not check */
#define DF_FIND_UNREADABLE "unreadable"             /* open/read failed (missing path, EACCES) */
#define DF_FIND_UNSUPPORTED "unsupported"           /* version or codec this build cannot read */
#define DF_FIND_COULD_NOT_CHECK "could-not-check"   /* out of memory, ... */

/*
 * One finding.  Borrowed from its df_verify: valid until df_verify_free.
 * `entry` points into df_verify_reader()'s TOC.
 */
typedef struct df_finding {
    const char *code;      /* one of DF_FIND_* */
    int severity;          /* df_severity */
    const df_entry *entry; /* the entry concerned, or NULL */
    int64_t offset;        /* raw byte offset in `member` (or the file); -1 if none */
    const char *member;    /* directory file or tar member; "" = the file itself */
    const char *message;   /* PostgreSQL style; does not repeat the entry's name */
    const char *fix;       /* SQL that repairs it after a restore, or NULL */
} df_finding;

/* Inflate engine for gzip data (df_verify_options.inflate). */
enum { DF_INFLATE_AUTO = 0, DF_INFLATE_ZLIB = 1 };

typedef struct df_verify_options {
    size_t size;            /* sizeof(df_verify_options) (df_verify_options_default sets it) */
    int quick;              /* structure only: header, TOC, framing, files; no decompression */
    int threads;            /* workers for data entries (<= 1: one; at most 64); pipes are
                               read serially; with more than one, a big table's COPY text is
                               checked in a helper thread beside its worker */
    int pg_restore_version; /* major of the pg_restore that will restore (0: no check) */
    int inflate;            /* DF_INFLATE_AUTO (ISA-L when built in) or DF_INFLATE_ZLIB */
    int64_t large_plain_bytes; /* plain dumps from this size warn (0: 1 GiB; < 0: never) */
    const df_limits *limits;   /* NULL: defaults */
    /*
     * Optional progress report, always called from the thread that called
     * df_verify_*, about ten times a second: bytes of the data area checked
     * and in all (total -1 from a pipe), the entry being checked; a plain
     * script's open pass as df_reader_set_progress reports it.
     */
    df_progress_fn progress;
    void *progress_ctx;
    int follow_symlinks; /* directory members may resolve outside it (df_reader_set_follow_symlinks) */
    int no_values;             /* do not check COPY values against their column types */
    /*
     * Optional: for a caller that learns which pg_restore will restore from
     * the archive itself (dumpcheck asks `pg_restore --version` only when
     * the archive's version needs it).  Called once after the check, with
     * the header as read (h->header_end < 0: none), from the calling
     * thread; its answer (a major, 0: none) is compared as
     * pg_restore_version is, also when the TOC could not be read, and the
     * archive-newer-than-pg_restore finding goes first.
     */
    int (*pg_restore_for)(void *ctx, const df_header *h);
    void *pg_restore_ctx;
    /*
     * Open the archive with df_reader_set_salvage_toc: a TOC the file ends
     * in is still a truncated-toc error finding, and the entries read whole
     * before the cut are then checked as usual (dumprepair's salvage).
     */
    int salvage_toc;
    /*
     * A data block, tar member or file whose storage or compressed stream ends early (a cut
     * file) is decoded up to where it stops: its complete rows are counted and checked like
     * any (df_verify_rows_before_cut), and its truncated finding says how many there were.
     * 1 (the default); 0: such data are only reported as truncated (dumprepair, which decodes
     * them itself).
     */
    int cut_rows;
} df_verify_options;

/* Zeroes *o and sets o->size: full check, one thread, no pg_restore check, automatic
   inflater; cut_rows 1. */
DF_API void df_verify_options_default(df_verify_options *o);

typedef struct df_verify_summary {
    int verdict;              /* df_verdict */
    int quick;                /* 1: structure only */
    df_format format;         /* DF_FORMAT_UNKNOWN when the input was not recognised */
    int vmaj, vmin, vrev;     /* archive version; 0 when unknown (and for plain dumps) */
    df_compression compression;
    int64_t entries;          /* TOC entries */
    int64_t data_entries;     /* entries with a data stream (blocks, files, members) */
    int64_t stored_bytes;     /* stored size of all data (compressed, framing included) */
    int64_t bytes;            /* uncompressed data bytes (0 with quick) */
    int64_t rows;             /* COPY and INSERT rows (0 with quick) */
    int64_t large_objects;    /* large objects found */
    int64_t findings[4];      /* per df_severity */
    const char *inflater;     /* "isa-l" or "zlib" when gzip data were inflated, else NULL */
    int threads;              /* workers used */
} df_verify_summary;

typedef struct df_verify df_verify;

/*
 * Verify the dump at `path` (file, directory, or "-" for stdin).  On DF_OK
 * *out is a result to read and free, whatever the verdict (a damaged or
 * unreadable dump is a verdict, not a failure).  Other returns (DF_E_NOMEM,
 * DF_E_USAGE) leave *out NULL.  Findings come in a deterministic order (file
 * level, then per entry in TOC order, then the end of the file) whatever
 * opt->threads is.
 */
DF_API int df_verify_path(const char *path, const df_verify_options *opt, df_verify **out,
                          df_error *err);
/* The same over an open descriptor (not closed); always read serially. */
DF_API int df_verify_fd(int fd, const char *display_name, const df_verify_options *opt,
                        df_verify **out, df_error *err);
DF_API const df_verify_summary *df_verify_get_summary(const df_verify *v);
DF_API size_t df_verify_count(const df_verify *v);
DF_API const df_finding *df_verify_finding(const df_verify *v, size_t i);
/* The reader that read the TOC (entries of findings point into it), or NULL. */
DF_API const df_reader *df_verify_reader(const df_verify *v);
/*
 * The value checks of TOC entry `index` (its position, as df_reader_toc_at):
 * the number of its COPY columns, -1 when its values were not checked
 * (--quick, no_values, no TABLE entry or column list, data not read).
 */
DF_API int df_verify_value_columns(const df_verify *v, size_t index);
/* Column k of them: its name (borrowed), *type as its definition spells it (NULL when the
   TABLE entry does not list it), *checked 1 when its values were checked against the type. */
DF_API const char *df_verify_value_column(const df_verify *v, size_t index, int k,
                                          const char **type, int *checked);
/*
 * TOC entry `index`'s data are cut (the file ends inside its block or member, or its
 * compressed stream stops short) and were decoded up to the cut (df_verify_options.cut_rows):
 * the complete rows before the cut (0 or more; a partial last line is no row).  -1 when the
 * entry's data are not cut, were not decoded (--quick, cut_rows 0) or failed to decode before
 * the cut, or the entry is not TABLE DATA.
 */
DF_API int64_t df_verify_rows_before_cut(const df_verify *v, size_t index);
DF_API void df_verify_free(df_verify *v);

/*
 * The pg_restore releases whose behaviour the library emulates (pg_restore
 * -l, restore rules, list files, -j scheduling, error logs): every
 * pg_restore_version option takes one of them, 0 meaning the newest.
 */
#define DF_PG_RESTORE_OLDEST 10
#define DF_PG_RESTORE_NEWEST 18

/*
 * The newest archive minor version (1.N) that pg_restore release `pg_major`
 * accepts: 12 up to 9.x, 13 for 10-11, 14 for 12-15, 15 for 16, 16 for 17+.
 * (listfile.c's table, shared with df_list_write.)
 */
DF_API int df_pg_restore_max_minor(int pg_major);
/*
 * The oldest pg_restore release (DF_PG_RESTORE_OLDEST or newer) that reads
 * archive version 1.`minor`, 0 when no release does: the inverse of
 * df_pg_restore_max_minor.
 */
DF_API int df_pg_restore_min_major(int minor);

/* ------------------------------------------------------------------ */
/* Restore planning (select.c, schedule.c, listfile.c): the dependency  */
/* graph, selections with their closure, list files written and read    */
/* back, and a simulator of pg_restore -j (spec §10, §11.2, §12)        */
/* ------------------------------------------------------------------ */

/*
 * The dependency graph of a TOC.  Nodes are TOC indices (df_reader_toc_at).
 * "Requires" edges are the stored dependencies that name entries in the
 * TOC plus the links pg_restore needs but the TOC does not store:
 * SEQUENCE OWNED BY -> the table that owns the sequence, BLOBS -> the BLOB /
 * BLOB METADATA entries of its large objects.  "Before" edges are the
 * requires edges plus pure ordering links: a post-data entry on a table
 * comes after that table's TABLE DATA (pg_restore's repointing, §12.1).
 * Owned by the caller (df_graph_free); the reader must outlive it.
 */
typedef struct df_graph df_graph;

/* DF_OK, or DF_E_NOMEM (err filled when not NULL). */
DF_API int df_graph_build(const df_reader *r, df_graph **out, df_error *err);
DF_API void df_graph_free(df_graph *g);
/* What entry i needs to exist first (no duplicates).  *list is borrowed from g. */
DF_API size_t df_graph_requires(const df_graph *g, size_t i, const size_t **list);
/* What must be restored before entry i: requires plus ordering links.  Borrowed. */
DF_API size_t df_graph_before(const df_graph *g, size_t i, const size_t **list);
/*
 * The object entry i belongs to, or -1: the table of an INDEX, CONSTRAINT,
 * TRIGGER, POLICY, RULE, DEFAULT, TABLE DATA, owned SEQUENCE ... (for an FK
 * CONSTRAINT the referencing table), the object of a COMMENT, ACL or
 * SECURITY LABEL, the sequence of a SEQUENCE SET or SEQUENCE OWNED BY.
 */
DF_API int64_t df_graph_owner(const df_graph *g, size_t i);
/* The partitioned table a partition is attached to, or -1. */
DF_API int64_t df_graph_partition_parent(const df_graph *g, size_t i);

/* Bits of df_select_options.sections (pg_restore --section). */
enum { DF_SEL_PRE_DATA = 1, DF_SEL_DATA = 2, DF_SEL_POST_DATA = 4 };

/*
 * A selection with pg_restore's patterns: exact names compared with the
 * tag (as simple_string_list_member does), no wildcards, no schema
 * qualification.  Every list is borrowed for the call; NULL/0 = none.
 */
typedef struct df_select_options {
    size_t size;                    /* sizeof(df_select_options) (df_select_options_default) */
    const char *const *tables;      /* -t: TABLE, VIEW, MATERIALIZED VIEW, SEQUENCE, FOREIGN
                                       TABLE (and their TABLE DATA / SEQUENCE SET / MV DATA) */
    size_t ntables;
    const char *const *schemas;     /* -n: entries in these schemas */
    size_t nschemas;
    const char *const *indexes;     /* -I: INDEX entries by tag */
    size_t nindexes;
    const char *const *functions;   /* -P: FUNCTION, AGGREGATE, PROCEDURE by tag, "f(integer)" */
    size_t nfunctions;
    const char *const *triggers;    /* pg_restore -T: TRIGGER entries by tag */
    size_t ntriggers;
    const char *const *types;       /* entry descs ("TABLE DATA"), case-insensitive */
    size_t ntypes;
    const char *const *exclude_tables;  /* --exclude-table: relations by tag, with
                                           everything that belongs to them */
    size_t nexclude_tables;
    const char *const *exclude_schemas; /* -N: entries in these schemas, and the schemas */
    size_t nexclude_schemas;
    int sections;          /* DF_SEL_* bits; 0 = all */
    int schema_only;       /* keep what pg_restore --schema-only restores */
    int data_only;         /* keep what pg_restore --data-only restores */
    int with_requirements; /* add what the selection needs to be created (default 1) */
    int with_dependents;   /* add what belongs to the selection (default 1) */
    int with_fk_targets;   /* select the tables foreign keys of the selection reference */
    int create_db;         /* -C: DATABASE entries can be listed */
    int pg_restore_version; /* emulate this pg_restore major (0 = 18) */
} df_select_options;

/* Zero everything, then size, with_requirements = with_dependents = 1. */
DF_API void df_select_options_default(df_select_options *o);

/* A name of a selection that matches no entry of the archive (df_select_unmatched). */
typedef struct df_unmatched {
    const char *option; /* "-n", "-t", "-I", "-P", "-T" (trigger), "--type"; static */
    const char *kind;   /* "schema", "table", "index", "function", "trigger", "entry type" */
    const char *name;   /* borrowed from the options */
} df_unmatched;

/*
 * The names of o (schemas, tables, indexes, functions, triggers, types)
 * that match no entry of r, what pg_restore --strict-names refuses: a
 * table, index, function or trigger name counts only in the schemas of
 * -n, a type only on entries the names match.  Exclusions are not checked.
 * Writes up to max to out (may be NULL when max is 0), schemas first, then
 * in option order, and how many there are to *count.  DF_OK, or DF_E_USAGE
 * (no reader or count, bad o->size).
 */
DF_API int df_select_unmatched(const df_reader *r, const df_select_options *o, df_unmatched *out,
                               size_t max, size_t *count, df_error *err);

/* What a selection made of one entry. */
typedef enum df_pick {
    DF_PICK_HIDDEN = 0,    /* never in a pg_restore -l listing (ENCODING, DATABASE without -C) */
    DF_PICK_SELECTED = 1,  /* matched the selection (every listed entry when nothing is selected) */
    DF_PICK_REQUIRED = 2,  /* needed by an entry in the list (--with-requirements) */
    DF_PICK_DEPENDENT = 3, /* belongs to an entry in the list (--with-dependents, comments, ACLs) */
    DF_PICK_OUTSIDE = 4,   /* not selected and not needed */
    DF_PICK_EXCLUDED = 5,  /* left out: --exclude-table, -N, --section, --schema-only,
                              --data-only, or it needs a relation outside the list (an FK
                              target) */
} df_pick;

typedef struct df_selection df_selection;

/*
 * Select from the TOC of r with options o (NULL = defaults) and close the
 * selection over g.  With seeds (TOC indices, e.g. a list file's entries)
 * they are the selection and the name patterns of o are ignored; the
 * exclusions and section filters still apply.  *out is owned by the caller
 * (df_selection_free).  DF_OK or DF_E_NOMEM.
 */
DF_API int df_select(const df_reader *r, const df_graph *g, const df_select_options *o,
                     const size_t *seeds, size_t nseeds, df_selection **out, df_error *err);
/* df_pick of entry i. */
DF_API int df_selection_pick(const df_selection *s, size_t i);
/* 1 when entry i is in the list (SELECTED, REQUIRED or DEPENDENT). */
DF_API int df_selection_included(const df_selection *s, size_t i);
/*
 * Why entry i is not in the list ("not selected", "excluded: --exclude-table orders",
 * "excluded: needs TABLE sales.customers, add --with-fk-targets" ...), or
 * NULL when it is in the list or hidden.  Borrowed from s.
 */
DF_API const char *df_selection_reason(const df_selection *s, size_t i);
/* Entries in the list. */
DF_API size_t df_selection_count(const df_selection *s);
DF_API void df_selection_free(df_selection *s);

/* One problem of an order (df_order_check). */
typedef struct df_order_issue {
    size_t entry;      /* TOC index of the entry that comes too early */
    size_t needed;     /* TOC index of what must come before it */
    size_t entry_pos;  /* positions in the checked order (needed_pos = SIZE_MAX: not listed) */
    size_t needed_pos;
    int ordering_only; /* 1: `needed` is an ordering link only (data before an index) */
} df_order_issue;

/*
 * Check that order[0..n) (TOC indices) lists every entry after what it
 * needs, as a serial `pg_restore -L` would execute it blindly: an entry
 * restored in an earlier pass than what it needs (§11.2) is fine.
 * Requirements that are not listed at all are reported with
 * needed_pos = SIZE_MAX (ordering links to unlisted entries are not).
 * *issues is malloc'd (free()), in order of entry_pos; DF_OK or DF_E_NOMEM.
 */
DF_API int df_order_check(const df_graph *g, const size_t *order, size_t n,
                          df_order_issue **issues, size_t *nissues, df_error *err);
/*
 * A valid restore order of the entries s includes (s = NULL: the entries
 * of pref): a topological sort of the before-edges that follows
 * pref[0..npref) (TOC indices) as closely as possible; included entries
 * not in pref go just before the first entry that needs them (else just
 * after their owner, else at the end in TOC order).  pref = NULL means TOC
 * order.  A dependency cycle is broken at the earliest entry.  out must
 * hold df_selection_count(s) (or npref) entries; *nout receives the count.
 * DF_OK, DF_E_USAGE or DF_E_NOMEM.
 */
DF_API int df_order_fix(const df_graph *g, const df_selection *s, const size_t *pref, size_t npref,
                        size_t *out, size_t *nout, df_error *err);

/*
 * Write a list file: pg_restore -l's header, then the entries of
 * order[0..n) (TOC indices) in that order, each line as pg_restore -l
 * prints it (with opt->verbose, followed by its "depends on" line).  With
 * sel, each entry the selection leaves out is written at its TOC position as
 * a comment line ";<the same line> (<reason>)", which pg_restore -L ignores.
 * DF_OK, DF_E_VERSION (the emulated pg_restore would refuse the archive) or
 * DF_E_IO.
 */
DF_API int df_list_write_order(const df_reader *r, const df_list_options *opt,
                               const size_t *order, size_t n, const df_selection *sel,
                               FILE *out, df_error *err);

/* A list file read back as pg_restore -L reads it (spec §10.2). */
typedef struct df_list_file df_list_file;

/*
 * Read a list file for the archive of r.  Each line is cut at its first
 * ';', blank lines are skipped, the dump id is parsed with strtol; a line
 * without one, with an id <= 0, above the largest id of the TOC, or
 * repeated is ignored with pg_restore's warning "line ignored: <text>".
 * An id in range that names no entry is fatal as in pg_restore:
 * DF_E_FORMAT with "could not find entry for ID N" (err->offset = the
 * line's byte offset in the list).  DF_E_IO on a read error, DF_E_LIMIT for
 * a line over 1 MiB.  *out is owned by the caller (df_list_file_free).
 */
DF_API int df_list_read(const df_reader *r, FILE *in, df_list_file **out, df_error *err);
/* Entries the list selects, in list order. */
DF_API size_t df_list_file_count(const df_list_file *lf);
/* TOC index of the k-th listed entry, and its 1-based line number (line may be NULL). */
DF_API size_t df_list_file_entry(const df_list_file *lf, size_t k, size_t *line);
/* Lines pg_restore would warn about. */
DF_API size_t df_list_file_nignored(const df_list_file *lf);
/* The text after "line ignored: " of the k-th one, and its line number.  Borrowed. */
DF_API const char *df_list_file_ignored(const df_list_file *lf, size_t k, size_t *line);
DF_API void df_list_file_free(df_list_file *lf);

/*
 * Sizes of an entry's data, as far as they are known (-1 = unknown).
 * `stored` are the bytes the data take in the archive (custom: up to the
 * next data block or the end of the file; directory: the data file, or all
 * the large-object files of a BLOBS entry); `file_size` is what pg_restore
 * stat()s in a directory archive (the TOC's file, blobs.toc for BLOBS),
 * `bytes` and `rows` (large objects for BLOBS) need the data read.
 */
typedef struct df_entry_size {
    int64_t stored;
    int64_t file_size;
    int64_t bytes;
    int64_t rows;
} df_entry_size;

/*
 * Fill sizes[0..toc_count) for r: stored sizes from offsets or file sizes;
 * with read_data, bytes and rows by reading every data stream
 * (df_reader_measure; from a pipe the reader must not have passed the data
 * yet).  progress (may be NULL) is called after each entry read.  DF_OK, or
 * the reader's error, in *err too (it says which entry and where).  A plain
 * script's data bytes come from its offsets, without reading.  Without
 * reading, what the sizes alone show is damage too: DF_E_TRUNCATED for a
 * custom data block the TOC places at or past the end of the file,
 * DF_E_NOTFOUND for a directory data file that is missing.
 */
DF_API int df_restore_sizes(df_reader *r, int read_data, df_entry_size *sizes,
                            void (*progress)(void *ctx, size_t done, size_t total), void *ctx,
                            df_error *err);

/*
 * The cost model of the simulator, in seconds of one worker with a CPU to
 * itself.  Defaults were calibrated on PostgreSQL 15 (see dumporder(1)).
 */
typedef struct df_cost_model {
    size_t size;            /* sizeof(df_cost_model) (df_cost_model_default sets it) */
    double connect;         /* opening one connection */
    double finish;          /* pg_restore's own start-up and shutdown */
    double statement;       /* one small statement (CREATE TABLE, COMMENT, GRANT ...) */
    double data_job;        /* fixed part of loading one TABLE DATA (BEGIN, TRUNCATE, COPY) */
    double copy_row;        /* per row loaded */
    double copy_byte;       /* per byte of COPY text loaded */
    double json_factor;     /* copy_byte multiplier per share of json/jsonb columns */
    double inflate_byte;    /* per stored byte decompressed by pg_restore */
    double lo_each;         /* per large object */
    double index_row;       /* B-tree build, per row of the table */
    double index_byte;      /* index and constraint builds, per byte of the table */
    double gin_factor;      /* GIN / GiST / SP-GiST / exclusion builds cost this many B-trees */
    double scan_byte;       /* CHECK / FK validation, REFRESH: per byte of the tables read */
    double fk_row;          /* FK validation, per row of both tables */
    double compress_ratio;  /* bytes per stored byte of compressed data when not measured */
    double row_bytes;       /* COPY text bytes per row when rows are not measured */
    double cpus;            /* CPUs the restore shares (pg_restore and the server); 0 = any */
    double job_cpus;        /* CPUs one busy worker keeps busy (its pg_restore and backend);
                               0 = jobs never slow each other down */
    double uncertainty;     /* relative error of a predicted makespan: the largest error of
                               the calibration restores (0.3 = a real restore took up to 30%
                               more or less); callers show predictions as a range */
} df_cost_model;

/* Fill *m with the calibrated defaults; cpus = the online CPUs of this machine. */
DF_API void df_cost_model_default(df_cost_model *m);
/* Set one field by its name ("copy_byte"); DF_E_USAGE for an unknown name or value < 0. */
DF_API int df_cost_model_set(df_cost_model *m, const char *name, double value, df_error *err);
/* The field names df_cost_model_set accepts, NULL-terminated. */
DF_API const char *const *df_cost_model_names(void);

typedef struct df_schedule_options {
    size_t size;            /* sizeof(df_schedule_options) (df_schedule_options_default) */
    int workers;            /* pg_restore -j (>= 1) */
    int pg_restore_version; /* major: its ready-set rules (§12.2: <= 11, 12-16, 17+); 0 = 18 */
    int use_list;           /* 1: restore with -L order; 0: without -L (order ignored) */
    int create_db;          /* -C */
    const df_cost_model *cost; /* NULL = df_cost_model_default */
} df_schedule_options;

/* Zero *o, then size and workers = 1: a serial restore by pg_restore 18 without -L. */
DF_API void df_schedule_options_default(df_schedule_options *o);

/* One entry as the simulated restore runs it. */
typedef struct df_sched_job {
    size_t entry;     /* TOC index */
    int worker;       /* 0 .. workers-1; -1 = the leader's own connection (serial parts) */
    double start;     /* seconds since pg_restore started */
    double end;
    double cost;      /* model seconds of work (ran slower when CPUs were shared) */
    int64_t estimate; /* pg_restore's size estimate (dataLength) that ordered it */
} df_sched_job;

typedef struct df_schedule df_schedule;

/*
 * Simulate `pg_restore -j o->workers [-L order]` of r's archive: size
 * estimates as that pg_restore makes them (offset deltas over the
 * reordered TOC for custom archives, stat() for directories), repointed
 * dependencies, the serial pre-data part, the ready set and its priority
 * for that release, lock conflicts, restore passes, CPUs shared by the
 * running jobs.  Tar archives, which pg_restore cannot restore in
 * parallel, and workers = 1 are simulated as a serial restore; a plain
 * script as the directory archive made of it (pg_dump -Fd, dumpconvert).  sizes
 * (toc_count elements, from df_restore_sizes) feed the cost model.  *out is
 * owned by the caller (df_schedule_free).  DF_OK, DF_E_USAGE or DF_E_NOMEM.
 */
DF_API int df_schedule_simulate(const df_reader *r, const df_graph *g,
                                const df_entry_size *sizes, const size_t *order, size_t n,
                                const df_schedule_options *o, df_schedule **out,
                                df_error *err);
/* Seconds from start to the end of the last job. */
DF_API double df_schedule_makespan(const df_schedule *s);
/* The jobs in the order they started (skipped entries are not jobs).  Borrowed. */
DF_API size_t df_schedule_jobs(const df_schedule *s, const df_sched_job **jobs);
/*
 * The longest chain of dependent work (serial part included): no number of
 * workers restores faster.  *entries (TOC indices, first to last) is
 * borrowed.  Returns its length in seconds.
 */
DF_API double df_schedule_critical_path(const df_schedule *s, const size_t **entries,
                                        size_t *n);
/* Model cost of entry i (seconds), 0 when the restore skips it.  */
DF_API double df_schedule_cost(const df_schedule *s, size_t i);
/*
 * pg_restore's size estimate (dataLength) of entry i in this simulation:
 * what orders its ready set (0 before release 12, for entries without data,
 * and for custom-archive data entries that a -L order moved before an entry
 * stored earlier; post-data entries inherit their table data's).
 */
DF_API int64_t df_schedule_estimate(const df_schedule *s, size_t i);
DF_API void df_schedule_free(df_schedule *s);

/*
 * The order of order[0..n) that the simulator restores fastest under o,
 * written to best[0..n).  Candidates keep every entry after what it needs
 * and, for custom archives restored by pg_restore 12 or later, keep TABLE
 * DATA entries in their file order so that pg_restore's offset-delta size
 * estimates stay right; a candidate replaces the given order only when it
 * is simulated strictly faster, or when the given order itself moves such
 * data entries out of file order (always replaced, when o->workers > 1).  *makespan (may be NULL) receives the
 * simulated time of best.  DF_OK, DF_E_USAGE or DF_E_NOMEM.
 */
DF_API int df_schedule_best_order(const df_reader *r, const df_graph *g,
                                  const df_entry_size *sizes, const size_t *order, size_t n,
                                  const df_schedule_options *o, size_t *best, double *makespan,
                                  df_error *err);

/* ------------------------------------------------------------------ */
/* Role references (roles.c): the roles a restore needs (spec §13)     */
/* ------------------------------------------------------------------ */

/* Where a role name appears.  Append-only: DF_ROLE_NKINDS grows with it. */
typedef enum df_role_kind {
    DF_ROLE_OWNER = 0,                 /* an entry's owner field; ALTER ... OWNER TO r */
    DF_ROLE_GRANTEE = 1,               /* GRANT ... TO r, REVOKE ... FROM r */
    DF_ROLE_GRANTOR = 2,               /* SET SESSION AUTHORIZATION r around GRANTs; GRANTED BY r */
    DF_ROLE_DEFAULT_PRIVILEGES = 3,    /* ALTER DEFAULT PRIVILEGES FOR ROLE r */
    DF_ROLE_POLICY = 4,                /* CREATE POLICY ... TO r */
    DF_ROLE_USER_MAPPING = 5,          /* CREATE USER MAPPING FOR r */
    DF_ROLE_SCHEMA_AUTHORIZATION = 6,  /* CREATE SCHEMA ... AUTHORIZATION r */
    DF_ROLE_SETTINGS = 7,              /* ALTER ROLE r [IN DATABASE d] SET|RESET ... */
    DF_ROLE_SETTING_VALUE = 8,         /* SET role TO 'r' of a function, a role or a database */
    DF_ROLE_SET_ROLE = 9,              /* plain script: SET ROLE r (pg_dump --role) */
    DF_ROLE_SESSION_AUTHORIZATION = 10, /* plain script: SET SESSION AUTHORIZATION r */
    DF_ROLE_CONNECT = 11,              /* plain script: \connect db r */
    DF_ROLE_DEFINITION = 12,           /* pg_dumpall: CREATE ROLE r, ALTER ROLE r WITH ..., COMMENT */
    DF_ROLE_MEMBERSHIP = 13,           /* pg_dumpall: GRANT r TO m (both r and m) */
} df_role_kind;
#define DF_ROLE_NKINDS 14

/* Stable short name of a kind ("owner", "grantee", "default-privileges", ...); "unknown". */
DF_API const char *df_role_kind_name(int kind);

/* What a restore asks of a role besides existing (df_role.needs). */
enum {
    DF_ROLE_NEEDS_LOGIN = 1,        /* a plain script \connects as it: it must be able to log in */
    DF_ROLE_NEEDS_SESSION_AUTH = 2, /* SET SESSION AUTHORIZATION to it: the restoring user must be
                                       a superuser */
    DF_ROLE_NEEDS_SET_ROLE = 4,     /* SET ROLE to it: the restoring user must be a member */
    DF_ROLE_NEEDS_OWNERSHIP = 8,    /* objects are given to it (ALTER ... OWNER TO): the restoring
                                       user must be a superuser or a member */
};

/* One role the dump names.  Borrowed from its df_roles. */
typedef struct df_role {
    const char *name;              /* as stored, unquoted (any byte but NUL) */
    int builtin;                   /* pg_*: made by initdb, never by a dump */
    int defined;                   /* the dump itself creates it (pg_dumpall CREATE ROLE) */
    int needs;                     /* DF_ROLE_NEEDS_* */
    int64_t refs[DF_ROLE_NKINDS];  /* references per kind: entries (or script statements) */
    int64_t objects;               /* objects it owns whose owner a restore sets (each large
                                      object counts) */
    int missing;                   /* df_roles_compare: not on the target, not made by the dump */
    int when;                      /* DF_ROLE_WHEN_*: the restores that need it */
    const char *attributes;        /* pg_dumpall: the attributes of its ALTER ROLE ... WITH
                                      ("NOSUPERUSER INHERIT LOGIN ..."; no password), or NULL */
} df_role;

/*
 * Which restores need a role (df_role.when), one bit per way some
 * reference needs it.  Without DF_ROLE_WHEN_ALWAYS the role is needed only
 * with the pg_restore options the other bits name (archives only: a plain
 * script runs every statement it holds).
 */
enum {
    DF_ROLE_WHEN_ALWAYS = 1,       /* any restore */
    DF_ROLE_WHEN_CREATE = 2,       /* pg_restore -C: DATABASE, DATABASE PROPERTIES entries and
                                      the ACL, COMMENT, SECURITY LABEL of the database */
    DF_ROLE_WHEN_SESSION_AUTH = 4, /* pg_restore --use-set-session-authorization: the owner field
                                      of entries whose owner a restore does not set (TABLE DATA,
                                      ACL, COMMENT, INDEX ..., entries without a DROP) */
};

/* One distinct (role, kind, entry) reference.  Borrowed from its df_roles. */
typedef struct df_role_ref {
    const char *name;      /* the df_role's name */
    int kind;              /* df_role_kind */
    const df_entry *entry; /* borrowed from the reader; NULL: a plain-script statement outside
                              every entry (SET ROLE, \connect ...) */
} df_role_ref;

/* A role membership a pg_dumpall script grants: GRANT role TO member. */
typedef struct df_role_membership {
    const char *role;
    const char *member;
    int admin; /* WITH ADMIN OPTION */
} df_role_membership;

typedef struct df_roles df_roles;

/*
 * Collect the role references of every entry of an open reader: owner
 * fields, and the SQL of each entry (spec §13).  `PUBLIC`, `CURRENT_USER`,
 * `SESSION_USER`, `CURRENT_ROLE` are no roles; identifiers are read with
 * SQL quoting rules.  A plain script opened by path is read once more for
 * the SET ROLE, SET SESSION AUTHORIZATION and \connect statements that
 * belong to no entry (from stdin they are not seen).  DF_OK with *out set
 * (free it with df_roles_free, before the reader: it borrows the entries),
 * else a negative DF_E_* with err (and df_reader_error(r)) saying why and
 * *out NULL.
 */
DF_API int df_roles_collect(df_reader *r, df_roles **out, df_error *err);
DF_API void df_roles_free(df_roles *s);

/* The roles, sorted by name (bytewise). */
DF_API size_t df_roles_count(const df_roles *s);
DF_API const df_role *df_roles_at(const df_roles *s, size_t i);
/* The role with exactly this name, or NULL. */
DF_API const df_role *df_roles_find(const df_roles *s, const char *name);

/* The references: script statements first, then by entry in TOC order, kind, name. */
DF_API size_t df_roles_ref_count(const df_roles *s);
DF_API const df_role_ref *df_roles_ref_at(const df_roles *s, size_t i);

/* The dump's client_encoding ("UTF8"; borrowed), NULL when it names none. */
DF_API const char *df_roles_encoding(const df_roles *s);

/* The memberships the dump grants (pg_dumpall), in script order. */
DF_API size_t df_roles_membership_count(const df_roles *s);
DF_API const df_role_membership *df_roles_membership_at(const df_roles *s, size_t i);

/*
 * Compare with a target whose roles are existing[0..n) (names as stored).
 * builtins_exist: count pg_* roles as present (a globals script never
 * lists them; pg_roles does).  Sets every df_role.missing (a role the dump
 * creates is never missing) and remembers the target for
 * df_roles_write_create.  The number of missing roles to *missing (may be
 * NULL).  DF_OK, DF_E_NOMEM, or DF_E_USAGE (s NULL, or existing NULL with
 * n > 0).  May be called again for another target.
 */
DF_API int df_roles_compare(df_roles *s, const char *const *existing, size_t n, int builtins_exist,
                            size_t *missing, df_error *err);

/*
 * Compare role memberships with a target, after df_roles_compare: the
 * memberships `defs` (a pg_dumpall globals script of the source) grants
 * between two roles the dump names that the target lacks.  have[0..2n)
 * are the target's memberships as (role, member) pairs.  A view owned by
 * the member that reads what only the role may read fails without one
 * (REFRESH MATERIALIZED VIEW: permission denied).  How many are missing to
 * *missing (may be NULL); DF_OK, DF_E_NOMEM or DF_E_USAGE;
 * df_roles_write_create grants them.  May be called again.
 */
DF_API int df_roles_compare_memberships(df_roles *s, const df_roles *defs, const char *const *have,
                                        size_t n, size_t *missing, df_error *err);
/* The memberships df_roles_compare_memberships found missing, in defs order. */
DF_API size_t df_roles_missing_membership_count(const df_roles *s);
DF_API const df_role_membership *df_roles_missing_membership_at(const df_roles *s, size_t i);

/*
 * Write a SQL script that creates the missing roles (before any
 * df_roles_compare: every role the dump needs but neither creates nor
 * finds built in) NOLOGIN (LOGIN when a script \connects as it), each in a
 * DO block that skips a role that exists, so the script is safe to run
 * twice; then the memberships of `defs` (the df_roles of a pg_dumpall
 * globals script; NULL for none) between roles that exist once it ran, one
 * of them made by it or missing by df_roles_compare_memberships, each also
 * skipped when present.  A role `defs` defines gets its attributes from
 * there (df_role.attributes) instead of NOLOGIN/LOGIN.  Built-in roles
 * cannot be created and are named in a comment.  DF_OK, DF_E_IO (writing
 * failed) or DF_E_NOMEM.
 */
DF_API int df_roles_write_create(const df_roles *s, const df_roles *defs, FILE *out,
                                 df_error *err);

/* 1 for the names PostgreSQL reserves for built-in roles (pg_ prefix), else 0. */
DF_API int df_role_name_is_builtin(const char *name);

/*
 * Parse one SQL identifier at s[0..len), after white space and comments:
 * a quoted identifier ("" stands for a quote; U&"..." escapes decoded) or
 * an unquoted word (ASCII letters downcased), cut to 63 bytes as
 * PostgreSQL does.  DF_OK with *name malloc'd (the caller frees it) and
 * *used (may be NULL) the bytes consumed; DF_E_FORMAT when no identifier
 * starts there; DF_E_NOMEM.
 */
DF_API int df_sql_parse_ident(const char *s, size_t len, char **name, size_t *used, df_error *err);
/* `name` as an SQL identifier, quoted when needed (as pg_dump's fmtId).  Malloc'd; NULL: ENOMEM. */
DF_API char *df_sql_quote_ident(const char *name);
/* `s` as an SQL string literal (E'...' when it holds a backslash).  Malloc'd; NULL: ENOMEM. */
DF_API char *df_sql_quote_literal(const char *s);

/* ------------------------------------------------------------------ */
/* Plain scripts as archive TOCs (plaindeps.c): what a converter writes */
/* ------------------------------------------------------------------ */

/*
 * One entry of a plain script as an archive's TOC records it.  Strings are
 * borrowed from the df_plain_toc (and the reader it was built from): valid
 * until either is freed.  `size` is sizeof (df_plain_entry) of the library
 * that filled it: fields are only ever appended.
 */
typedef struct df_plain_entry {
    size_t size;
    int32_t dump_id;        /* 1..N in script order */
    const df_entry *entry;  /* the reader's entry; NULL for ENCODING, STDSTRINGS, SEARCHPATH,
                               which the script holds as SET lines at its top */
    const char *desc, *schema, *tag, *owner;
    const char *tablespace; /* as an archive: NULL where none applies, "" the default */
    const char *tableam;    /* table access method of tables and materialized views, or NULL */
    int section;            /* df_section */
    const char *defn;       /* the entry's SQL as the script holds it (session SETs left out) */
    const char *drop_stmt;  /* NULL: not recovered from the script */
    const char *copy_stmt;  /* TABLE DATA in COPY form; NULL otherwise */
    const char *search_path; /* pg_dump < 10.3 scripts: the search_path SET for the entry
                                ("sales, pg_catalog"); NULL when the script has none */
    size_t ndeps;
    const int32_t *deps;    /* dump ids, each smaller than dump_id */
    int64_t text_offset;    /* the entry's header comment in the script; -1 if synthesized */
} df_plain_entry;

/* A psql meta-command line of the script other than \connect, \restrict, \unrestrict. */
typedef struct df_plain_meta {
    size_t size;
    int64_t offset;  /* script offset of its backslash */
    int64_t line;    /* 1-based line number; 0 when the script could not be read again */
    const char *text; /* the line(s): consecutive meta-command lines come as one */
} df_plain_meta;

typedef struct df_plain_toc_stats {
    size_t size;
    int64_t edges;          /* dependencies in all */
    int64_t rule_edges;     /* of them from ATTACH PARTITION, OWNED BY, foreign keys */
    int64_t fallback_edges; /* of them from "everything before it in its section" */
    int64_t no_schema_info; /* entries of a type no rule knows (they take the fallback) */
} df_plain_toc_stats;

typedef struct df_plain_toc df_plain_toc;

/*
 * The TOC a converter writes for the plain script r was opened from: for a
 * pg_dump script every entry but psql meta-commands (listed apart); for a
 * pg_dumpall script those of `database` (NULL: the globals, outside every
 * database).  r must stay open while *out is used.  DF_OK, DF_E_USAGE (r
 * is not a plain script), DF_E_NOMEM, DF_E_LIMIT (err, and r's error, say
 * more).
 */
DF_API int df_plain_toc_build(df_reader *r, const char *database, df_plain_toc **out,
                              df_error *err);
DF_API size_t df_plain_toc_count(const df_plain_toc *t);
DF_API const df_plain_entry *df_plain_toc_at(const df_plain_toc *t, size_t i);
DF_API size_t df_plain_toc_meta_count(const df_plain_toc *t);
DF_API const df_plain_meta *df_plain_toc_meta_at(const df_plain_toc *t, size_t i);
DF_API void df_plain_toc_stats_get(const df_plain_toc *t, df_plain_toc_stats *st);
DF_API void df_plain_toc_free(df_plain_toc *t);


/* ------------------------------------------------------------------ */
/* Restore logs (restorelog.c, restorediag.c): what a failed restore   */
/* left on stderr, read back and laid over the dump                     */
/* ------------------------------------------------------------------ */

/* Root-cause classes of one error.  Append-only: DF_RLOG_NCLASSES grows with it. */
typedef enum df_rlog_class {
    DF_RLOG_UNCLASSIFIED = 0,      /* a message no rule knows: listed, never dropped */
    DF_RLOG_ROLE_MISSING = 1,      /* role "x" does not exist */
    DF_RLOG_ALREADY_EXISTS = 2,    /* the target was not empty */
    DF_RLOG_MISSING_OBJECT = 3,    /* needs an object that does not exist */
    DF_RLOG_EXTENSION_MISSING = 4, /* extension control file or library missing */
    DF_RLOG_PERMISSION = 5,        /* permission denied, must be owner / superuser */
    DF_RLOG_DATA = 6,              /* invalid input, unique, FK, check, not-null violations */
    DF_RLOG_SERVER_TOO_OLD = 7,    /* unrecognized parameter, syntax of a newer release */
    DF_RLOG_RESOURCE = 8,          /* disk full, out of memory, connection lost, lock timeout */
} df_rlog_class;
#define DF_RLOG_NCLASSES 9

/* Stable short name of a class ("role-missing", "already-exists", ...); "unknown". */
DF_API const char *df_rlog_class_name(int cls);

/* Which program wrote the log (df_rlog_summary.source). */
enum {
    DF_RLOG_EMPTY = 0,      /* nothing but blank lines: a quiet, clean pg_restore */
    DF_RLOG_PG_RESTORE = 1, /* pg_restore 10-18 stderr, with or without -v, serial or -j */
    DF_RLOG_PSQL = 2,       /* psql running a plain script (-f FILE, or stdin with -e/-a) */
    DF_RLOG_UNKNOWN = 3,    /* neither: no line either program writes */
};

/*
 * One error of the log.  Strings are NUL-terminated, owned by the
 * df_restorelog (valid until it is freed), NULL when the log did not say.
 */
typedef struct df_rlog_error {
    int64_t log_line;       /* 1-based line of the log where the error starts */
    int32_t toc_id;         /* pg_restore "from TOC entry N": the entry (0: not named) */
    const char *toc_desc;   /* the rest of that line: "TABLE DATA t app_owner" */
    const char *item;       /* -v: what pg_restore said it was processing ("TABLE s.t") */
    const char *severity;   /* "ERROR", "FATAL", "PANIC"; NULL for pg_restore's own errors */
    const char *message;    /* first line of the message, without the severity */
    const char *detail;     /* DETAIL: line */
    const char *context;    /* CONTEXT: lines */
    const char *command;    /* "Command was:" (pg_restore) or the echoed statement (psql) */
    const char *copy_table; /* COPY failed for table "t", or CONTEXT: COPY t, line N */
    int64_t copy_line;      /* COPY data line of the row that failed (CONTEXT), -1 */
    const char *file;       /* psql:FILE:LINE: */
    int64_t line;           /* -1 when absent */
    int cls;                /* df_rlog_class */
    const char *kind;       /* finer, stable: "unique-violation", "fk-violation", ... */
    const char *object;     /* the name the message is about (role, relation, extension) */
    int fatal;              /* the session ended: nothing after it ran on that connection */
    int session;            /* while pg_restore set up or closed a connection ("while
                               INITIALIZING", or a SET outside every entry): no entry's error */
} df_rlog_error;

typedef struct df_rlog_summary {
    int source;             /* DF_RLOG_* */
    int verbose;            /* pg_restore -v lines were seen */
    int parallel;           /* pg_restore -j: launching/finished item lines were seen */
    int64_t lines;          /* lines read */
    int64_t errors;         /* errors found */
    int64_t ignored;        /* "errors ignored on restore: N", -1 when absent */
    int stopped;            /* the restore stopped early: --exit-on-error, ON_ERROR_STOP, a
                               worker died, a fatal error */
    const char *stop_reason; /* why, in words; NULL when it did not stop */
} df_rlog_summary;

/* pg_restore -v item state lines (df_restorelog_items). */
typedef struct df_rlog_item {
    int32_t toc_id;         /* "processing/launching item N" (0 when only named) */
    const char *name;       /* "TABLE s.t" of "creating TABLE "s.t"" when no id */
    int launched;           /* -j: "launching item N" (a worker ran it) */
    int finished;           /* "finished item N" seen */
} df_rlog_item;

typedef struct df_restorelog df_restorelog;

/* A new, empty log parser.  NULL only on ENOMEM. */
DF_API df_restorelog *df_restorelog_new(void);
DF_API void df_restorelog_free(df_restorelog *rl);
/*
 * Feed one line of the log (without its newline; a trailing CR is
 * dropped).  Lines longer than 1 MiB are cut.  DF_OK, DF_E_USAGE or DF_E_NOMEM.
 */
DF_API int df_restorelog_feed_line(df_restorelog *rl, const char *line, size_t len, df_error *err);
/* After the last line.  DF_OK, DF_E_USAGE or DF_E_NOMEM. */
DF_API int df_restorelog_finish(df_restorelog *rl, df_error *err);
DF_API const df_rlog_summary *df_restorelog_summary(const df_restorelog *rl);
DF_API size_t df_restorelog_count(const df_restorelog *rl);
DF_API const df_rlog_error *df_restorelog_error(const df_restorelog *rl, size_t i);
/*
 * Say that the restore stopped at its last error although the log cannot
 * tell: psql's stderr looks the same with and without ON_ERROR_STOP.
 */
DF_API void df_restorelog_set_stopped(df_restorelog *rl);
/* Items pg_restore -v said it started, in log order.  Borrowed. */
DF_API size_t df_restorelog_items(const df_restorelog *rl, const df_rlog_item **items);

/* What became of one entry (df_rdiag_entry_state). */
enum {
    DF_RSTATE_OK = 0,       /* ran without an error (or nothing says otherwise) */
    DF_RSTATE_FAILED = 1,   /* an error of its own cause */
    DF_RSTATE_CASCADE = 2,  /* failed because an entry it needs failed earlier */
    DF_RSTATE_NOT_RUN = 3,  /* the restore stopped before it */
    DF_RSTATE_SKIPPED = 4,  /* never restored by this run (not selected, or no restore work) */
    DF_RSTATE_UNCERTAIN = 5, /* -j: launched, never reported finished, then the restore stopped:
                                it may or may not have committed */
};

/* One root cause: a class and what it is about, with its failures. */
typedef struct df_rdiag_cause {
    int cls;                /* df_rlog_class */
    const char *kind;       /* the errors' kind, or NULL */
    const char *what;       /* "roles app_ro, app_rw", "extension hstore", "TABLE DATA s.t" */
    const char *fix;        /* what to do, in words */
    size_t direct;          /* errors of this cause */
    size_t cascaded;        /* errors of entries that failed because of it */
    int64_t root_entry;     /* TOC index of the entry that failed first, -1 */
} df_rdiag_cause;

/* One error laid over the dump. */
typedef struct df_rdiag_error {
    const df_rlog_error *e;
    int64_t entry;          /* TOC index, -1 when it could not be attributed */
    const char *how;        /* "toc-id", "item", "psql-line", "statement", "copy-table" */
    size_t cause;           /* index into the causes */
    int cascade;            /* 1: the entry failed because `root` failed first */
    int64_t root;           /* TOC index of that entry, -1 */
} df_rdiag_error;

typedef struct df_rdiag df_rdiag;

/*
 * Attribute every error of `log` to an entry of r's dump: by TOC id, by the
 * -v item lines, by psql's FILE:LINE over the plain script's lines (read
 * again by path), else by matching the failed statement with the entries'
 * definitions.  Then find the root causes, cascades, and what never ran.
 * *out is owned by the caller (df_rdiag_free; r and log must outlive it).
 * DF_OK, DF_E_NOMEM, or a reader error (rereading a plain script).
 */
DF_API int df_rdiag_build(const df_restorelog *log, df_reader *r, df_rdiag **out, df_error *err);
DF_API void df_rdiag_free(df_rdiag *d);
DF_API size_t df_rdiag_error_count(const df_rdiag *d);
DF_API const df_rdiag_error *df_rdiag_error_at(const df_rdiag *d, size_t i);
/* Root causes, the largest (direct + cascaded) first. */
DF_API size_t df_rdiag_cause_count(const df_rdiag *d);
DF_API const df_rdiag_cause *df_rdiag_cause_at(const df_rdiag *d, size_t i);
/* DF_RSTATE_* of TOC entry i. */
DF_API int df_rdiag_entry_state(const df_rdiag *d, size_t i);
/*
 * The entries a resume must restore, in a valid order (TOC indices,
 * borrowed): failed entries, their cascades, what never ran or is uncertain
 * (df_rdiag_run_first says what to run before it), the data of a
 * table whose data failed; what the fix drops with an object that already
 * existed.  *partial counts data entries loaded by INSERTs that failed part
 * way (rerunning them duplicates rows: a warning).
 */
DF_API size_t df_rdiag_resume(const df_rdiag *d, const size_t **order, size_t *partial);
/*
 * The statement to run before the resume for entry i, or NULL: for an
 * uncertain TABLE DATA entry "TRUNCATE TABLE ONLY s.t;" (its rows may have
 * committed; the resume loads them again).  Borrowed from d.
 */
DF_API const char *df_rdiag_run_first(const df_rdiag *d, size_t i);
/* What to do about uncertain entry i, in words (then df_rdiag_run_first, if any); NULL otherwise. */
DF_API const char *df_rdiag_uncertain_note(const df_rdiag *d, size_t i);
/*
 * Write the resume as a pg_restore -L list over r (the archive d was built
 * on), with a "; uncertain: ..." comment line before each uncertain entry
 * saying what to run first.  DF_OK, DF_E_NOMEM, DF_E_IO, or the list
 * writer's error.
 */
DF_API int df_rdiag_write_list(const df_rdiag *d, df_reader *r, FILE *out, df_error *err);
/*
 * Write the plain script r was opened from (by path), restricted to the
 * resume entries: its opening settings, then each of those entries' text.
 * DF_OK, DF_E_USAGE (not a plain dump, or read from stdin), DF_E_IO.
 */
DF_API int df_rdiag_write_plain(const df_rdiag *d, df_reader *r, FILE *out, df_error *err);

/* ------------------------------------------------------------------ */
/* Salvage (salvage.c): what of a damaged archive can still be restored */
/* ------------------------------------------------------------------ */

/* What becomes of one entry (df_salvage_entry.state). */
typedef enum df_salvage_state {
    DF_SALVAGE_INTACT = 0,  /* restores unchanged (also every entry without data) */
    DF_SALVAGE_PARTIAL = 1, /* its data break: rows_kept complete rows come before the damage */
    DF_SALVAGE_LOST = 2,    /* its data are lost entirely (the object itself is still created) */
    DF_SALVAGE_CHANGED = 3, /* a foreign key whose referenced table lost rows: NOT VALID */
    DF_SALVAGE_DROPPED = 4, /* left out: it needs what was lost (a BLOB of lost LO data, ...),
                               or a foreign key on a partitioned table that would need NOT
                               VALID (PostgreSQL before 18 cannot) */
} df_salvage_state;

/* "intact", "partial", "lost", "changed", "dropped". */
DF_API const char *df_salvage_state_name(int state);

/* One entry.  Strings borrowed from the df_salvage (valid until df_salvage_free). */
typedef struct df_salvage_entry {
    int state;               /* df_salvage_state */
    int64_t rows_kept;       /* PARTIAL/LOST data: complete COPY rows (line ended, column count
                                of the COPY list) or whole INSERT statements' rows before the
                                damage; BLOBS: large objects read whole; -1 when not read */
    int64_t rows_unverified; /* of rows_kept, decoded from the part of a corrupt stream that
                                the decoder had not yet vouched for (0 for truncation) */
    int64_t rows_lost;       /* -1: not known (archives store no row counts) */
    int64_t damage_offset;   /* raw offset where the damage began (in `member`), -1 */
    const char *member;      /* file or member holding damage_offset; "" = the archive file */
    const char *code;        /* the DF_FIND_* code of the damage, NULL */
    const char *reason;      /* in words, NULL when intact */
    const char *new_defn;    /* CHANGED: the entry's SQL with NOT VALID; else NULL */
    int64_t cause;           /* CHANGED/DROPPED: TOC index of the entry that lost data, -1 */
    int listed;              /* 1 when a pg_restore -L list over the archive as it is keeps
                                it (df_salvage_write_list); PARTIAL, LOST, CHANGED and DROPPED
                                entries and what needs them are commented out */
    const char *list_reason; /* why it is commented out of that list, NULL when listed */
} df_salvage_entry;

typedef struct df_salvage_summary {
    int verdict;              /* the verification's df_verdict */
    int64_t entries;          /* TOC entries */
    int64_t intact, partial, lost, changed, dropped; /* entries per state */
    int64_t rows_kept;        /* over PARTIAL entries */
    int64_t rows_unverified;
    int64_t listed;           /* entries in the -L list (pg_restore -l lines) */
    int64_t commented;        /* entries commented out of it */
    /*
     * A TOC the file ends in (r opened with df_reader_set_salvage_toc):
     * toc_promised is its own entry count (`entries` were read whole before
     * the cut, the rest are lost: df_salvage_toc_lost_ids names those it
     * can); -1 when the TOC is whole.  toc_cut_offset: where the file ends
     * (in toc_cut_member, "" = the archive file), -1.
     */
    int64_t toc_promised;
    int64_t toc_cut_offset;
    const char *toc_cut_member;
} df_salvage_summary;

typedef struct df_salvage df_salvage;

/*
 * Work out what of r's archive survives, from the verification v of the
 * same archive (df_verify_path on r's path; its error findings with an
 * entry name the damage): each damaged data stream is read again through r
 * up to the damage, counting complete rows.  r is opened, not read on;
 * both must outlive *out (owned by the caller, df_salvage_free).
 * pg_restore_version picks the pg_restore whose rules the list follows (0 =
 * 18).  DF_OK, DF_E_NOMEM, DF_E_USAGE (v's TOC differs from r's).
 */
DF_API int df_salvage_build(df_reader *r, const df_verify *v, int pg_restore_version,
                            df_salvage **out, df_error *err);
/* df_salvage_build's flags. */
enum {
    /* Keep no unverified row: rows_kept counts the verified ones only (rows_unverified then
       says how many were dropped), an entry left with none is LOST. */
    DF_SALVAGE_STRICT = 1,
    /*
     * The archive will be written again with the input's codec (df_salvage_write_archive,
     * no other format or compression): the end of a cut zlib or gzip stream is kept and its
     * last block boundary before the last row found, so that the repair keeps the compressed
     * bytes of the rows before the cut and encodes only those after that boundary.
     */
    DF_SALVAGE_SPLICE = 2,
    /* Decode a damaged stream on a thread of its own while its rows are counted. */
    DF_SALVAGE_THREADS = 4
};
/* df_salvage_build with flags (DF_SALVAGE_*). */
DF_API int df_salvage_build_flags(df_reader *r, const df_verify *v, int pg_restore_version,
                                  int flags, df_salvage **out, df_error *err);
DF_API const df_salvage_summary *df_salvage_get_summary(const df_salvage *s);
/*
 * The dump ids of entries a cut TOC lost that the archive still names: in a
 * directory archive, data files and LO lists ("<id>.dat.gz",
 * "blobs_<id>.toc") whose entry is gone, sorted.  Returns their number
 * (*ids valid as long as s); 0 for a whole TOC and for custom and tar
 * archives, whose data follow the TOC and went with it.
 */
DF_API size_t df_salvage_toc_lost_ids(const df_salvage *s, const int32_t **ids);
/* Entry i (TOC index). */
DF_API const df_salvage_entry *df_salvage_entry_at(const df_salvage *s, size_t i);
/*
 * A pg_restore -L list of everything that restores from the archive as it
 * is: listed entries in a valid order, the others as comment lines with
 * their reason.  DF_OK, DF_E_VERSION (that pg_restore cannot read the
 * archive), DF_E_IO.
 */
DF_API int df_salvage_write_list(const df_salvage *s, const df_list_options *opt, FILE *out,
                                 df_error *err);
/*
 * The COPY text a repaired archive keeps of TOC entry i, handed to fn in
 * pieces (fn returns 0 to go on): the complete rows before the damage
 * (PARTIAL), every row (INTACT), nothing (LOST); without the "\." line.
 * Reads the entry's data again through r (the reader s was built with).
 * DF_OK, DF_E_UNSUPPORTED (not COPY data: INSERTs, large objects), DF_E_IO
 * (fn failed), or the reader's error.
 */
typedef int (*df_salvage_rows_fn)(void *ctx, const void *p, size_t n);
DF_API int df_salvage_read_rows(df_reader *r, const df_salvage *s, size_t i,
                                df_salvage_rows_fn fn, void *ctx, df_error *err);
DF_API void df_salvage_free(df_salvage *s);

/* ------------------------------------------------------------------ */
/* Restore targets (target.c): a snapshot of a target database, filled */
/* by the caller (dumprestore reads it with libpq), compared with a dump */
/* ------------------------------------------------------------------ */
typedef struct df_target df_target;

/* A new, empty snapshot.  NULL only on ENOMEM. */
DF_API df_target *df_target_new(void);
DF_API void df_target_free(df_target *t);
/*
 * Filling a snapshot: each call returns DF_OK, DF_E_USAGE (t or a name
 * NULL, a negative count), DF_E_LIMIT (a name over 4096 bytes) or
 * DF_E_NOMEM, with err (may be NULL) saying which.
 *
 * The server: its version number (150004), the database's encoding
 * ("UTF8"), and 1 when the database holds no object of its own beyond
 * what initdb makes.
 */
DF_API int df_target_set_server(df_target *t, int server_num, const char *encoding, int empty,
                                df_error *err);
/* A role of the cluster; a membership (role granted to member). */
DF_API int df_target_add_role(df_target *t, const char *name, df_error *err);
DF_API int df_target_add_membership(df_target *t, const char *role, const char *member,
                                    df_error *err);
/*
 * An object of the database, named as a TOC entry names it: `kind` is the
 * entry's desc ("TABLE", "INDEX", "FK CONSTRAINT" ...), `schema` its
 * namespace (NULL for schemas and extensions), `name` its tag ("t",
 * "f(integer)", "t t_pkey" for constraints, triggers and policies).
 * `invalid`: an index not valid, a constraint not validated.
 */
DF_API int df_target_add_object(df_target *t, const char *kind, const char *schema,
                                const char *name, int invalid, df_error *err);
/* The same, with the object's owner (compared with the entry's owner field). */
DF_API int df_target_add_owned_object(df_target *t, const char *kind, const char *schema,
                                      const char *name, int invalid, const char *owner,
                                      df_error *err);
/* An extension pg_available_extensions lists; a tablespace of the cluster. */
DF_API int df_target_add_available_extension(df_target *t, const char *name, df_error *err);
DF_API int df_target_add_tablespace(df_target *t, const char *name, df_error *err);
/* The large objects of the database (pg_largeobject_metadata); not set: not compared. */
DF_API int df_target_set_large_objects(df_target *t, int64_t count, df_error *err);
/* The rows of a table (count(*)). */
DF_API int df_target_add_rows(df_target *t, const char *schema, const char *table, int64_t rows,
                              df_error *err);

/*
 * A sequence that feeds a column (its DEFAULT nextval(), or identity): the
 * value its next nextval() returns, and the column's maximum (-1: no rows).
 * `column` names it for messages ("s.t.c").
 */
DF_API int df_target_add_sequence(df_target *t, const char *schema, const char *name,
                                  const char *column, int64_t next_value, int64_t column_max,
                                  df_error *err);

/* Codes of df_tfinding.code (stable strings, documented in dumprestore(1)). */
#define DF_TFIND_NOT_EMPTY "target-not-empty"         /* a dump object exists on the target */
#define DF_TFIND_ROLE_MISSING "role-missing"          /* a role the restore needs */
#define DF_TFIND_MEMBERSHIP_MISSING "membership-missing" /* a membership of --globals */
#define DF_TFIND_EXTENSION "extension-unavailable"    /* not in pg_available_extensions */
#define DF_TFIND_TABLESPACE "tablespace-missing"      /* an entry's tablespace */
#define DF_TFIND_ENCODING "encoding-differs"          /* database vs dump encoding */
#define DF_TFIND_SERVER_OLDER "server-older"          /* target major < the dump's source */
#define DF_TFIND_ARCHIVE_VERSION "archive-too-new"    /* pg_restore cannot read the archive */
#define DF_TFIND_OBJECT_MISSING "object-missing"      /* a TOC object not in the catalog */
#define DF_TFIND_INDEX_INVALID "index-invalid"        /* indisvalid false */
#define DF_TFIND_NOT_VALIDATED "constraint-not-validated" /* convalidated false */
#define DF_TFIND_ROWS "rows-differ"                   /* row count differs from the dump's */
#define DF_TFIND_SEQUENCE "sequence-behind"           /* nextval() would return a used value */
#define DF_TFIND_LARGE_OBJECTS "large-objects-differ" /* LO count differs from the dump's */
#define DF_TFIND_OWNER "owner-differs"                /* the object's owner is not the dump's */

/* One finding of a comparison.  Strings owned by the df_tcheck. */
typedef struct df_tfinding {
    int severity;        /* df_severity */
    const char *code;    /* DF_TFIND_* */
    const char *object;  /* "TABLE public.t", "role app_ro", ... */
    const char *message; /* what is wrong */
    const char *fix;     /* what to do; NULL when nothing */
    int64_t expected;    /* rows-differ: the dump's rows, else -1 */
    int64_t found;       /* rows-differ: the target's rows, else -1 */
} df_tfinding;

typedef struct df_tcheck df_tcheck;

typedef struct df_preflight_options {
    size_t size;               /* sizeof(df_preflight_options) (df_preflight_options_default) */
    int allow_existing;        /* existing objects are a warning, not an error */
    int clean;                 /* pg_restore --clean: existing objects are dropped first */
    int pg_restore_major;      /* the pg_restore that will run; 0: unknown, not checked */
    const df_roles *globals;   /* memberships to check (pg_dumpall globals), or NULL */
} df_preflight_options;

/* Zero *o and set o->size: existing objects are errors, pg_restore not checked. */
DF_API void df_preflight_options_default(df_preflight_options *o);

/*
 * Step 1 of a restore: what of `t` stops a restore of r's dump (opened,
 * not read on: the TOC is enough, plus df_roles_collect's pass).  DF_OK
 * with *out set, or a negative DF_E_*.
 */
DF_API int df_target_preflight(df_reader *r, const df_target *t, const df_preflight_options *o,
                               df_tcheck **out, df_error *err);
/*
 * Verification after a restore: every object of the TOC exists (indexes
 * valid, constraints validated unless the dump has them NOT VALID), and
 * every table's rows equal the dump's (read here: the data of r is read
 * once).  DF_OK with *out set, or a negative DF_E_* (reading the data).
 */
DF_API int df_target_verify(df_reader *r, const df_target *t, df_tcheck **out, df_error *err);
/*
 * The same with the dump's counts already known (read beforehand, e.g. in
 * a thread while the restore ran): counted[i] (df_reader_toc_count(r)
 * elements, NULL = none) is the rows of TABLE DATA entry i, or the large
 * objects of BLOBS entry i, as df_reader_measure gives them; an entry
 * with -1 is read here.
 */
DF_API int df_target_verify_counted(df_reader *r, const df_target *t, const int64_t *counted,
                                    df_tcheck **out, df_error *err);
/*
 * The sequences of `t` whose next value is not above the maximum of the
 * column they feed: a warning each, whose fix is the SELECT setval() that
 * puts it right.  DF_OK with *out set, or DF_E_NOMEM / DF_E_USAGE.
 */
DF_API int df_target_check_sequences(const df_target *t, df_tcheck **out, df_error *err);
DF_API size_t df_tcheck_count(const df_tcheck *c);
DF_API const df_tfinding *df_tcheck_at(const df_tcheck *c, size_t i);
/* The worst severity (a df_verdict), DF_VERDICT_OK when there is no finding. */
DF_API int df_tcheck_verdict(const df_tcheck *c);
/* verify: tables whose rows were compared, and their rows in the dump; the dump's large
   objects (-1: not compared). */
DF_API int64_t df_tcheck_large_objects(const df_tcheck *c);
DF_API int64_t df_tcheck_tables(const df_tcheck *c);
DF_API int64_t df_tcheck_rows(const df_tcheck *c);
DF_API void df_tcheck_free(df_tcheck *c);


/* ------------------------------------------------------------------ */
/* Writer (issue 12): a TOC the caller owns, and archives written from  */
/* it (toc_model.c, writer.c, write_*.c, sink.c, encode*.c)             */
/* ------------------------------------------------------------------ */
typedef struct df_toc df_toc;

/*
 * A copy of r's header and TOC that the caller owns and may edit; the data
 * of each entry are still read from r, which must outlive the TOC.  Entries
 * returned by df_toc_at are owned by the TOC (valid until it is edited or
 * freed); their `index` is their position in the TOC.  NULL on ENOMEM.
 */
DF_API df_toc *df_toc_from_reader(const df_reader *r);
DF_API size_t df_toc_count(const df_toc *t);
DF_API const df_entry *df_toc_at(const df_toc *t, size_t i);
/* The header the writer starts from (owned by the TOC). */
DF_API const df_header *df_toc_header(const df_toc *t);
/* Keep only the entries whose keep[i] is non-zero (order unchanged).  DF_OK or DF_E_USAGE. */
DF_API int df_toc_filter(df_toc *t, const int *keep, df_error *err);
DF_API void df_toc_free(df_toc *t);

typedef struct df_write_options {
    size_t size;         /* sizeof(df_write_options): fields may be appended later */
    df_format format;    /* CUSTOM, DIRECTORY or TAR; UNKNOWN = the input's (plain: custom) */
    int compression;     /* a df_compression, or -1 = the input's */
    int level;           /* codec level, -1 = the codec's default; set: blocks are re-encoded */
    int vmin;            /* archive version 1.<vmin> to write (12..16), 0 = the input's */
    int workers;         /* encoder threads: zstd workers; gzip in 128 KiB blocks (0 or 1: none) */
    int force;           /* drop what the target version cannot express (else DF_E_UNSUPPORTED) */
    int reencode;        /* re-encode every block even when its codec stays */
    volatile const int *cancel; /* non-NULL: the write stops (output removed) once *cancel != 0 */
    /* Called once the temporary output name exists (file or directory), for a signal handler
       that removes it; NULL: not told. */
    void (*on_temp)(void *ctx, const char *temp_path, int is_dir);
    void *on_temp_ctx;
    /* Codec level of fed streams (the rows a repair re-encodes), 0 = as `level`: a repair
       re-encodes what it keeps of a broken stream and needs no better ratio than speed. */
    int fed_level;
} df_write_options;

DF_API void df_write_options_default(df_write_options *o);

/* What a write did. */
typedef struct df_write_summary {
    df_format format;
    df_compression compression;
    int vmaj, vmin;
    size_t entries;          /* TOC entries written */
    size_t data_entries;     /* entries whose data were written */
    int64_t los;             /* large objects written */
    int64_t blocks_copied;   /* streams copied byte for byte */
    int64_t blocks_recoded;  /* streams decoded and encoded again */
    int64_t blocks_spliced;  /* of those, streams cut at a deflate block boundary: the bytes
                                before it copied, only the rest encoded (a repair) */
    int64_t bytes_in;        /* stored bytes of the input's data read */
    int64_t bytes_out;       /* bytes written (all files) */
    int offsets;             /* custom: 1 when the TOC holds data offsets */
    size_t dropped;          /* entries dropped by force (or merged by a version change) */
    char note[256];          /* what a version change did or dropped, "" if nothing */
} df_write_summary;

/*
 * Adapt t to archive version 1.<vmin> (12..16): 1.16 -> <= 1.15 turns BLOB
 * METADATA into one BLOB entry per large object, merges the BLOBS groups into
 * one BLOBS entry and expands group ACLs per large object; relkind is not
 * written below 1.16, tableam not below 1.14 (a non-heap one cannot be
 * expressed: refused unless `force`).  DF_OK, DF_E_UNSUPPORTED (err says
 * what cannot be expressed), DF_E_NOMEM.  summary (may be NULL) gets the note.
 */
DF_API int df_toc_set_version(df_toc *t, int vmin, int force, df_write_summary *sum,
                              df_error *err);

/*
 * Write the archive of t (data read from r) to `path`: a file, "-" (stdout,
 * custom and tar only: no data offsets, nothing to rename), or a directory
 * for the directory format.  The output is written under a temporary name
 * beside path, fsynced and renamed: complete or absent.  An existing path is
 * replaced (a directory only if empty).  A stream whose codec stays is
 * copied byte for byte (custom to custom keeps pg_dump's chunking too).
 * DF_OK with *sum filled (may be NULL), or a negative DF_E_* with err set.
 */
DF_API int df_write_archive(df_reader *r, const df_toc *t, const char *path,
                            const df_write_options *o, df_write_summary *sum, df_error *err);

/*
 * The repaired archive of salvage s (built over r), written as
 * df_write_archive writes (complete or absent): intact data copied as
 * stored, the kept complete rows of each PARTIAL COPY entry re-encoded with
 * the "\." line, the data entries of LOST data left out (the TABLE entry
 * stays: the table is still created), DROPPED entries, the large objects of a damaged BLOBS entry and whatever
 * needs them left out, CHANGED entries with their NOT VALID SQL.
 * (salvage_write.c)
 */
DF_API int df_salvage_write_archive(df_reader *r, const df_salvage *s, const char *path,
                                    const df_write_options *o, df_write_summary *sum,
                                    df_error *err);

/*
 * The TOC model of the plain pg_dump script r was opened from (issue 14,
 * plainconv.c): one entry per entry of pt (df_plain_toc_build) with its
 * dependencies, data read back from r's COPY rows, INSERTs and large-object
 * writes; header as the script's pg_dump would have written it (its archive
 * version, gzip).  *out owns its strings (pt may be freed), but r must
 * outlive it: writing it reads the data from r.  DF_OK, DF_E_USAGE, DF_E_NOMEM.
 */
DF_API int df_toc_from_plain(const df_reader *r, const df_plain_toc *pt, df_toc **out,
                             df_error *err);

#ifdef __cplusplus
}
#endif
#endif /* DUMPFMT_H */
