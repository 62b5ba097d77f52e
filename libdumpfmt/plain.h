/*
 * plain.h — private interface of the plain-format reader: the psql-like
 * lexer that splits a script into statements, comment lines, meta-commands
 * and COPY data (plain_lex.c), the byte stream that reads a script whole
 * or through a whole-file decompressor (plain_stream.c), and what
 * fmt_plain.c needs from both.  Nothing here is installed.
 */
#ifndef DUMPFMT_PLAIN_H
#define DUMPFMT_PLAIN_H

#include "internal.h"

/* Bytes past a position the lexer may look at before deciding about it. */
#define DFI_PLEX_LOOKAHEAD 512
/* Longest dollar-quote tag recognised ($tag$); longer ones are not quotes. */
#define DFI_PLEX_TAG_MAX 256
/* Longest first word of a statement that is reported (longer ones are cut). */
#define DFI_PLEX_WORD_MAX 32
/* Longest comment line, meta-command line or captured statement kept whole. */
#define DFI_PLEX_CAPTURE_MAX (1024 * 1024)
/* A hook returns this (instead of DF_OK) to make dfi_plex_feed stop right after the event. */
#define DFI_PLEX_PAUSE 2

/* A growable byte buffer with a hard size limit; what passes the limit is dropped. */
typedef struct dfi_pbytes {
    char *p;
    size_t len, cap, max;
    bool overflow; /* bytes were dropped */
} dfi_pbytes;

DFI_HIDDEN int dfi_pbytes_add(dfi_pbytes *b, const void *p, size_t n);
DFI_HIDDEN void dfi_pbytes_reset(dfi_pbytes *b);
DFI_HIDDEN void dfi_pbytes_free(dfi_pbytes *b);

/*
 * What the lexer reports, in input order.  Offsets are byte offsets in the
 * (uncompressed) script.  Every hook may be NULL.  Hooks return DF_OK, a
 * negative DF_E_* (the feed stops and returns it) or DFI_PLEX_PAUSE.
 */
typedef struct dfi_plex_hooks {
    void *ctx;
    /* Every byte outside COPY data and meta-command lines, in order, in pieces. */
    int (*text)(void *ctx, const uint8_t *p, size_t n);
    /*
     * A statement starts at `off`; `word` is its first word in lower case
     * ("" when it starts with something else).  Set *capture to get its
     * text at the end (statements starting with COPY or SET are always
     * captured: the lexer needs them).
     */
    int (*stmt_begin)(void *ctx, int64_t off, const char *word, bool *capture);
    /*
     * The statement ended: `terminated` when by its semicolon (`end` is just
     * past it), otherwise by the end of the script.  `text` holds it when it
     * was captured (`complete` if it was not cut at DFI_PLEX_CAPTURE_MAX).
     * `copy_in`: a COPY ... FROM stdin, its data start on the next line.
     */
    int (*stmt_end)(void *ctx, int64_t end, const char *text, size_t len, bool complete,
                    bool terminated, bool copy_in);
    /* A comment line starts at `off`, at the start of a line and between statements. */
    int (*comment_begin)(void *ctx, int64_t off);
    /* ... and ends at `end` (after its newline); `line` has no newline or CR. */
    int (*comment_end)(void *ctx, int64_t end, const char *line, size_t len, bool complete);
    /* A psql meta-command line from its backslash at `off` to `end` (after the newline). */
    int (*meta)(void *ctx, int64_t off, int64_t end, const char *line, size_t len, bool complete);
    /* COPY data begin at `off` ... */
    int (*copy_begin)(void *ctx, int64_t off);
    /* ... and end at `end`: after the "\." line when `terminated`, else at the end of input. */
    int (*copy_end)(void *ctx, int64_t end, int64_t rows, bool terminated);
    /* The bytes of COPY data, the "\." line with them, in pieces (only when set: costs time). */
    int (*copy_data)(void *ctx, const uint8_t *p, size_t n);
} dfi_plex_hooks;

typedef enum dfi_plex_mode {
    DFI_PX_TOP = 0,
    DFI_PX_SQUOTE,   /* '...' with standard_conforming_strings on */
    DFI_PX_ESQUOTE,  /* E'...', or '...' with standard_conforming_strings off */
    DFI_PX_DQUOTE,   /* "identifier" */
    DFI_PX_DOLLAR,   /* $tag$ ... $tag$ */
    DFI_PX_LCOMMENT, /* -- to the end of the line */
    DFI_PX_BCOMMENT, /* nested block comment */
    DFI_PX_META,     /* a meta-command line */
    DFI_PX_COPY,     /* COPY data up to the "\." line */
} dfi_plex_mode;

typedef struct dfi_plex {
    dfi_plex_hooks h;
    dfi_plex_mode mode;
    int64_t off;          /* script offset of the first byte of the current piece */
    uint8_t last1, last2; /* the two bytes before the current piece */
    bool std_strings;     /* standard_conforming_strings, as the script last SET it */
    /* the statement in progress */
    bool stmt_active;
    int paren_depth;
    int begin_depth;  /* BEGIN ... END of a CREATE FUNCTION/PROCEDURE body (as psql) */
    bool track_words; /* the statement starts with CREATE: watch for BEGIN/CASE/END */
    char idents[4];   /* psql's identifier heuristic */
    int ident_count;
    bool stmt_capture;
    char stmt_word[DFI_PLEX_WORD_MAX + 1];
    dfi_pbytes stmt;
    char tail[64]; /* the last bytes of the statement, for a COPY too long to capture */
    size_t tail_len;
    /* other states */
    bool copy_pending; /* a COPY FROM stdin ended: data start at the next line */
    bool copy_bol;     /* COPY: the next byte starts a line */
    int64_t copy_rows;
    char tag[DFI_PLEX_TAG_MAX];
    size_t tag_len;
    int block_depth;
    bool comment_reported;
    bool line_capture;
    dfi_pbytes line;
    int64_t meta_off;
    /* the piece being fed */
    const uint8_t *p;
    size_t n;
    bool eof;
    bool text_on;
    size_t text_from;
} dfi_plex;

DFI_HIDDEN void dfi_plex_init(dfi_plex *lx, const dfi_plex_hooks *hooks);
DFI_HIDDEN void dfi_plex_free(dfi_plex *lx);
/*
 * Scan p[0..n).  Unless `eof`, the last DFI_PLEX_LOOKAHEAD bytes are
 * usually left unconsumed (they are needed to decide about earlier ones):
 * feed them again, followed by more.  Returns the bytes consumed, or a
 * negative DF_E_* a hook returned.  A hook's DFI_PLEX_PAUSE stops the scan
 * just after its event.
 */
DFI_HIDDEN ssize_t dfi_plex_feed(dfi_plex *lx, const uint8_t *p, size_t n, bool eof);
/* After the last byte: report what the end of input cut short. */
DFI_HIDDEN int dfi_plex_finish(dfi_plex *lx);
/* The number of newline bytes in p[0..n) (fast). */
DFI_HIDDEN int64_t dfi_count_newlines(const uint8_t *p, size_t n);

/* ------------------------------------------------------------ plain_stream.c */
/*
 * The script as text: read whole from the source, or decompressed on the
 * fly (gzip, lz4 and zstd, several members or frames in a row).  A window
 * of text [start, end) is available; win_off is the script offset of
 * win[0].  Script offsets of an uncompressed script are file offsets.
 */
typedef struct dfi_pstream {
    df_reader *r;
    dfi_wrap wrap;
    dfi_dec dec;
    bool dec_active;
    uint8_t *in; /* compressed input */
    size_t in_cap, in_pos, in_len;
    int64_t in_raw; /* raw file offset of in[0] */
    int64_t origin; /* raw file offset of the script's first byte (0 unless the fd was
                       handed over positioned elsewhere) */
    bool src_eof;
    uint8_t *win;
    size_t cap, start, end;
    int64_t win_off;
    bool eof;   /* no text after win[end) */
    int failed; /* sticky decoding error (DF_OK while none) */
} dfi_pstream;

/* Set up over r->src; the bytes probing left in r->buf are taken over. */
DFI_HIDDEN int dfi_pstream_init(dfi_pstream *s, df_reader *r, dfi_wrap wrap, size_t window);
DFI_HIDDEN void dfi_pstream_free(dfi_pstream *s);
/*
 * Keep [start, end), then read until the window is full or the text ends.
 * DF_OK, or an error: DF_E_IO, or the decoder's DF_E_CORRUPT /
 * DF_E_TRUNCATED (then `eof` is set and the text before stays usable).
 */
DFI_HIDDEN int dfi_pstream_fill(dfi_pstream *s);
/* Position the window at script offset `off` (re-reading or restarting decompression). */
DFI_HIDDEN int dfi_pstream_seek(dfi_pstream *s, int64_t off);
static inline int64_t dfi_pstream_tell(const dfi_pstream *s)
{
    return s->win_off + (int64_t)s->start;
}

/* ------------------------------------------------------------ plain_sql.c */
typedef struct dfi_span {
    const char *p;
    size_t n;
} dfi_span;

/* "-- [Data for |Statistics for ]Name: tag; Type: desc; Schema: ns; Owner: o[; Tablespace: t]" */
typedef struct dfi_plain_header {
    int prefix; /* 0 "Name: ", 1 "Data for Name: ", 2 "Statistics for Name: " */
    dfi_span tag, desc, ns, owner, ts;
    bool has_ts;
    bool no_schema; /* no "Schema:" field (before 7.3) */
} dfi_plain_header;

/* `line` is the comment without its leading "-- ". */
DFI_HIDDEN bool dfi_plain_parse_header(const char *line, size_t n, dfi_plain_header *h);
/* "TOC entry <id> (class <c> OID <o>)" of a -v dump, or before 7.3 "[Data for ]TOC Entry ID
 * <id> (OID <o>)" (without "-- "). */
DFI_HIDDEN bool dfi_plain_parse_toc_line(const char *line, size_t n, int32_t *id, uint32_t *cls,
                                         uint32_t *oid);
/* "Dependencies: <id> <id> ..." into a malloc'd array (at most `max`). */
DFI_HIDDEN int dfi_plain_parse_deps(const char *line, size_t n, int32_t **deps, size_t *ndeps,
                                    size_t max);

/* What a statement of pg_dumpall's globals part is about. */
typedef struct dfi_global_stmt {
    const char *desc; /* "ROLE", "ROLE MEMBERSHIP", ...; NULL when not recognised */
    char *tag;        /* owned */
    char *owner;      /* owned; NULL when the statement names none */
    bool joins;       /* belongs to a preceding entry with the same desc and tag */
} dfi_global_stmt;

DFI_HIDDEN int dfi_plain_classify_global(const char *text, size_t n, dfi_global_stmt *g);
DFI_HIDDEN void dfi_global_stmt_free(dfi_global_stmt *g);
/* SET, RESET, BEGIN, COMMIT, SELECT pg_catalog.set_config(...): between entries, in none. */
DFI_HIDDEN bool dfi_plain_is_session_statement(const char *word, const char *text, size_t n);
/* The database a "\connect ..." line switches to (malloc'd), NULL if none can be read. */
DFI_HIDDEN char *dfi_plain_connect_target(const char *line, size_t n);

typedef enum dfi_lo_kind {
    DFI_LO_OTHER = 0, /* BEGIN, COMMIT, anything else */
    DFI_LO_OPEN,      /* SELECT pg_catalog.lo_open('<oid>', ...) */
    DFI_LO_WRITE,     /* SELECT pg_catalog.lowrite(0, '<bytea>') */
    DFI_LO_CLOSE,     /* SELECT pg_catalog.lo_close(0) */
    DFI_LO_BAD,       /* one of those, unreadable */
} dfi_lo_kind;

/*
 * One statement of a BLOBS data part.  For DFI_LO_WRITE the decoded bytes
 * go to out (room for n bytes; NULL to count only) and *out_len.
 */
DFI_HIDDEN dfi_lo_kind dfi_plain_lo_statement(const char *text, size_t n, bool std_strings,
                                              uint32_t *oid, uint8_t *out, size_t *out_len);

/*
 * fmt_plain.c: the session statements of a plain script (SET, RESET,
 * SELECT pg_catalog.set_config) and its \connect lines, in script order,
 * as the open pass found them (longer ones than DFI_PLAIN_SESSION_MAX are
 * not kept).  Borrowed from the reader; NULL/0 for archives.
 */
#define DFI_PLAIN_SESSION_MAX 4096
typedef struct dfi_plain_session {
    int64_t off;      /* script offset of the statement or line */
    char *text;       /* its text, without the newline of a \connect line */
    bool std_strings; /* standard_conforming_strings in force there */
} dfi_plain_session;

DFI_HIDDEN const dfi_plain_session *dfi_plain_sessions(const df_reader *r, size_t *n);

/* reader.c: true if p[0..n) starts like a plain-format script (the one place that says so). */
DFI_HIDDEN bool dfi_looks_like_plain(const uint8_t *p, size_t n);

#endif /* DUMPFMT_PLAIN_H */
