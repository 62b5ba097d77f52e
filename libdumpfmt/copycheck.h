/*
 * copycheck.h — private to the verifier and its tests: the COPY text checker
 * that dumpcheck runs over every TABLE DATA stream (row count, column count,
 * escapes, the terminator, INSERT statements, watched integer columns), fed
 * pieces of any size.  Not installed; not in internal.h because only the
 * verifier and the value checks use it.
 */
#ifndef DUMPFMT_COPYCHECK_H
#define DUMPFMT_COPYCHECK_H

#include "internal.h"

/*
 * dfi_watch.seq of a column a plain script's one pass watches on speculation
 * (every column: which ones feed a sequence is only known at the end); it is
 * dropped at its first value that is not an integer.
 */
#define DFI_WATCH_PRUNE (-2)

/* Tables with more columns than this have their lines scanned again by the value checks. */
#define DFI_REC_TABS 64

/* Longest line prefix kept when a row spans two pieces (for watched columns). */
#define DFI_LINE_CARRY 4096

/* A column whose maximum integer value is wanted (sequence-behind-data). */
typedef struct dfi_watch {
    int col;          /* 0-based column: COPY column list, or table order for INSERTs */
    int seq;          /* the verifier's sequence index */
    const char *name; /* the column's name (INSERT statements with a column list) */
    bool have;        /* at least one integer value was seen */
    int64_t max;
    int stmt_col; /* INSERT: the column's position in the current statement */
} dfi_watch;

/* INSERT statements: a small SQL scanner that finds each VALUES row's fields. */
typedef struct dfi_insscan {
    int st;    /* lexer state */
    int depth; /* parentheses */
    bool after_values, in_cols, field_bad, pend_quote, pend_bs;
    int col;        /* field index within the current row */
    int ncol_names; /* names seen in the statement's column list */
    char word[8];
    size_t word_len;
    char fld[32]; /* text of the current field (watched rows only need integers) */
    size_t fld_len;
    char name[256]; /* the column name being read in a column list */
    size_t name_len;
} dfi_insscan;

/*
 * The COPY text checker.  Fed the uncompressed bytes of one TABLE DATA
 * stream in pieces of any size; counts rows, checks every row's column
 * count against the COPY column list, every backslash escape, the "\."
 * terminator and that only newlines follow it.  INSERT-mode data are
 * counted with df_rowcount and must end with a complete statement.
 */
typedef struct dfi_copycheck {
    int mode;        /* DF_ROWS_* */
    int ncols;       /* expected columns; -1 = unknown (no count check) */
    bool in_command; /* DF_ROWS_COPY_WITH_COMMAND: inside the leading COPY line */
    bool terminated; /* the "\." line was seen */
    int64_t pos;     /* uncompressed bytes fed so far */
    int64_t rows;
    /* the current line */
    int64_t line_start; /* uncompressed offset of its first byte */
    int64_t tabs;
    bool esc_pending;  /* the previous piece ended with an unescaped backslash */
    bool esc_at_start; /* ... which began the line */
    bool dot_line;     /* the line began with "\." */
    /* the first problem of each kind, and how many */
    int64_t bad_rows, bad_row_no, bad_row_cols, bad_row_pos;
    int64_t bad_esc, bad_esc_row, bad_esc_pos;
    int bad_esc_char; /* byte after the backslash, -1 = end of line */
    int64_t after_bytes, after_pos;
    /* INSERT mode */
    df_rowcount *ins;
    int last_nonspace; /* last byte that is not white space, -1 none */
    dfi_insscan is;    /* field scanner, only when columns are watched */
    /* watched columns */
    dfi_watch *w;
    size_t nw;
    int maxcol;
    char carry[DFI_LINE_CARRY]; /* prefix of a line that spans pieces */
    size_t carry_n;
    bool carry_cut; /* the line was longer than the carry */
    /* DF_ROWS_COPY_WITH_COMMAND: the COPY command line */
    char cmd[1024];
    size_t cmd_n;
    uint8_t last_byte;     /* the last byte of the previous piece (a CR before a newline) */
    struct dfi_vcheck *vc; /* value checks of each row (valuecheck.c), NULL: none */
    /*
     * Not NULL: the value checks of the lines that lie whole in a piece are
     * put off into it (emptied at each piece), only a line carried over from
     * the previous piece is checked at once (verify_stream.c checks the rest
     * in two threads).
     */
    struct dfi_vjob *defer;
    /*
     * The current line's tabs (escaped ones too, at most rec_max), bytes >= 0x80 and
     * backslashes as the scan goes, handed to the value checks (dfi_vsplit) so that they need
     * not scan each line again; rec: wanted (value checks of at most DFI_REC_TABS columns).
     */
    bool rec, rec_high, rec_bs;
    int rec_max, rec_n;
    size_t rec_tab[DFI_REC_TABS];
    bool avx2; /* the AVX2 row scanner (dfi_copyscan_avx2); tests clear it for the portable one */
} dfi_copycheck;

/* Start checking; `ncols` from dfi_copy_columns (-1 unknown).  DF_OK or DF_E_NOMEM. */
DFI_HIDDEN int dfi_copycheck_init(dfi_copycheck *cp, int mode, int ncols, dfi_watch *w, size_t nw);
DFI_HIDDEN void dfi_copycheck_feed(dfi_copycheck *cp, const uint8_t *p, size_t n);
DFI_HIDDEN void dfi_copycheck_free(dfi_copycheck *cp);
/* Does this CPU (and build) run the AVX2 row scanner? */
DFI_HIDDEN bool dfi_copyscan_avx2(void);

/*
 * Columns of a COPY statement "COPY schema.table (a, "b c") FROM stdin;":
 * their count (0 for a table without columns, -1 when the statement has no
 * column list), and, when `names` is not NULL, the raw names (malloc'd
 * array of malloc'd strings, *names NULL when there are none).
 */
DFI_HIDDEN int dfi_copy_columns(const char *stmt, char ***names);
DFI_HIDDEN void dfi_free_names(char **names, int n);

#endif /* DUMPFMT_COPYCHECK_H */
