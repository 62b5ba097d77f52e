/*
 * dumpfmt.h — the one public header of libdumpfmt, a library that reads
 * PostgreSQL pg_dump archives (custom, directory, tar) safely and in bounded
 * memory.  Everything a program needs is declared here; every other header
 * of the library is private.
 *
 * Conventions (see design.md §3):
 *  - Handles are opaque.  `_free(NULL)` is a no-op.
 *  - Fallible calls return DF_OK (0), DF_EOF (1) or a negative DF_E_* code;
 *    the details (message, raw byte offset, member file) are in the handle's
 *    df_error, valid until the next call on that handle.
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
    int64_t max_string;      /* one STR field (default 64 MiB) */
    int64_t max_toc_entries; /* TOC entry count (default 4,000,000) */
    int64_t max_deps;        /* dependencies of one entry (default 1,000,000) */
    int64_t max_toc_bytes;   /* all TOC strings together (default 1 GiB) */
    int64_t max_chunk;       /* one custom-format data chunk (default 1 GiB) */
    int64_t max_los;         /* large objects in one BLOBS entry (default 100,000,000) */
    int64_t max_line;        /* one line of a LO list file (default 4096) */
} df_limits;

/* Fill *l with the safe defaults above. */
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
} df_header;

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
    int data_terminated;   /* COPY data ended with its "\." line */
} df_entry;

/* ------------------------------------------------------------------ */
/* Reader                                                              */
/* ------------------------------------------------------------------ */
typedef struct df_reader df_reader;

/* A new reader using `limits` (NULL = defaults).  NULL only on ENOMEM. */
DF_API df_reader *df_reader_new(const df_limits *limits);
DF_API void df_reader_free(df_reader *r);

/*
 * Testing and tuning knob: cap every read(2) the reader issues at `n` bytes
 * (0 = no cap).  Results never depend on it; the corpus tests use 1, 3, 7 ...
 * Must be called before opening.
 */
DF_API void df_reader_set_io_size(df_reader *r, size_t n);

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
 * here, never a short success.
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

/*
 * pg_restore's restore bits for each entry, in TOC order, under `opt`
 * (reqs[i] for df_reader_toc_at(r, i)).  `reqs` must hold toc_count ints.
 */
DF_API void df_restore_reqs(const df_reader *r, const df_list_options *opt, int *reqs);

/*
 * What df_list_write(r, opt, NULL, ...) prints: show[i] = 1 for each entry
 * pg_restore -l [-v] lists under `opt`, else 0.  `show` holds toc_count ints.
 */
DF_API void df_list_selection(const df_reader *r, const df_list_options *opt, int *show);

/*
 * The creation time as pg_restore prints it ("2026-11-24 00:05:30 UTC"): the
 * stored struct tm read back with mktime() in the process's local time zone.
 * Archives before 1.4 store none: pg_restore then shows the epoch, and so
 * does this.  Returns DF_OK, or DF_E_USAGE if `len` is too small.
 */
DF_API int df_header_created(const df_header *h, char *buf, size_t len);

/*
 * Write what `pg_restore -l [-v]` writes, byte for byte, for the entries whose
 * `show[i]` is non-zero (NULL = pg_restore's own selection).  The archive
 * creation time is rendered in the process's local time zone, as pg_restore
 * does.  Returns DF_OK, DF_E_VERSION when the emulated pg_restore would
 * refuse the archive, or DF_E_IO when writing fails.
 */
DF_API int df_list_write(const df_reader *r, const df_list_options *opt, const int *show,
                         FILE *out, df_error *err);

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
} df_finding;

/* Inflate engine for gzip data (df_verify_options.inflate). */
enum { DF_INFLATE_AUTO = 0, DF_INFLATE_ZLIB = 1 };

typedef struct df_verify_options {
    int quick;              /* structure only: header, TOC, framing, files; no decompression */
    int threads;            /* workers for data entries (<= 1: one); pipes are read serially */
    int pg_restore_version; /* major of the pg_restore that will restore (0: no check) */
    int inflate;            /* DF_INFLATE_AUTO (ISA-L when built in) or DF_INFLATE_ZLIB */
    int64_t large_plain_bytes; /* plain dumps from this size warn (0: 1 GiB; < 0: never) */
    const df_limits *limits;   /* NULL: defaults */
    /*
     * Optional progress report, always called from the thread that called
     * df_verify_*, about ten times a second: stored bytes done and in all.
     */
    void (*progress)(void *ctx, int64_t done, int64_t total);
    void *progress_ctx;
} df_verify_options;

/* Zeroes *o: full check, one thread, no pg_restore check, automatic inflater. */
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
DF_API int df_verify_path(const char *path, const df_verify_options *opt, df_verify **out);
/* The same over an open descriptor (not closed); always read serially. */
DF_API int df_verify_fd(int fd, const char *display_name, const df_verify_options *opt,
                        df_verify **out);
DF_API const df_verify_summary *df_verify_get_summary(const df_verify *v);
DF_API size_t df_verify_count(const df_verify *v);
DF_API const df_finding *df_verify_finding(const df_verify *v, size_t i);
/* The reader that read the TOC (entries of findings point into it), or NULL. */
DF_API const df_reader *df_verify_reader(const df_verify *v);
DF_API void df_verify_free(df_verify *v);

/*
 * The newest archive minor version (1.N) that pg_restore release `pg_major`
 * accepts: 12 up to 9.x, 13 for 10-11, 14 for 12-15, 15 for 16, 16 for 17+.
 * (listfile.c's table, shared with df_list_write.)
 */
DF_API int df_pg_restore_max_minor(int pg_major);

#ifdef __cplusplus
}
#endif
#endif /* DUMPFMT_H */
