/*
 * valuecheck.h — private to verify.c and its tests: the column types of a
 * table taken from its TOC entries, and the per-value checks of COPY text
 * as a restore's input functions would make them (dumpcheck's value checks).
 */
#ifndef DUMPFMT_VALUECHECK_H
#define DUMPFMT_VALUECHECK_H

#include "internal.h"

/* What a column's values are checked as; DFI_VK_NONE: not checked. */
enum {
    DFI_VK_NONE = 0,
    DFI_VK_TEXT,
    DFI_VK_VARCHAR,
    DFI_VK_BPCHAR,
    DFI_VK_INT2,
    DFI_VK_INT4,
    DFI_VK_INT8,
    DFI_VK_OID,
    DFI_VK_NUMERIC,
    DFI_VK_FLOAT4,
    DFI_VK_FLOAT8,
    DFI_VK_BOOL,
    DFI_VK_UUID,
    DFI_VK_BYTEA,
    DFI_VK_JSON,
    DFI_VK_JSONB,
    DFI_VK_ENUM,
    DFI_VK_MACADDR,
    DFI_VK_DATE,
    DFI_VK_TIME,
    DFI_VK_TIMETZ,
    DFI_VK_TIMESTAMP,
    DFI_VK_TIMESTAMPTZ,
    DFI_VK_INTERVAL,
    DFI_VK_INET,
    DFI_VK_CIDR,
    DFI_VK_MACADDR8
};

/* Result of one value check. */
enum { DFI_VAL_OK = 0, DFI_VAL_BAD, DFI_VAL_NULL, DFI_VAL_ENCODING, DFI_VAL_TOO_LONG };

/* The dump's encoding as far as the checks care. */
enum { DFI_ENC_UNKNOWN = 0, DFI_ENC_UTF8, DFI_ENC_SINGLE_BYTE, DFI_ENC_SQL_ASCII };

typedef struct dfi_vcol {
    char *name;
    char *type; /* as the definition spells it (for messages) */
    int kind;   /* DFI_VK_* */
    bool notnull;
    int array;      /* dimensions declared ("[]" count); values then are arrays */
    int mod1, mod2; /* varchar/char length, numeric precision and scale; -1 none */
    char **labels;  /* enum labels (owned) */
    size_t nlabels;
} dfi_vcol;

/* The columns of one TABLE DATA entry, in COPY column list order. */
typedef struct dfi_vtable {
    int ncols;
    dfi_vcol *cols;
    int encoding; /* DFI_ENC_* */
    int nchecked; /* columns with a kind or a NOT NULL */
} dfi_vtable;

/* The TOC of one reader indexed by (desc, tag, schema), built once for every table's lookup. */
typedef struct dfi_vindex {
    const df_reader *r;
    const df_entry **sorted;
    size_t n;
    const df_entry **alters; /* entries whose text may ALTER TABLE ... ADD a column */
    size_t nalters;
} dfi_vindex;

DFI_HIDDEN dfi_vindex *dfi_vindex_build(const df_reader *r); /* NULL: out of memory */
DFI_HIDDEN void dfi_vindex_free(dfi_vindex *ix);

/*
 * Types of the columns of TABLE DATA entry `e` from the TOC of `r`: its
 * TABLE entry, ALTER TABLE ... ADD COLUMN entries, DOMAIN and enum TYPE
 * entries.  NULL when the COPY statement has no column list, the table is
 * not found, or out of memory (*oom set).
 */
DFI_HIDDEN dfi_vtable *dfi_vtable_build(const struct dfi_vindex *ix, const df_entry *e, bool *oom);
DFI_HIDDEN void dfi_vtable_free(dfi_vtable *t);

/* Up to this many bad values of each kind are kept per table for the report (the first by row
 * and offset). */
#define DFI_VFIRST 3

/* How check_planned tries a column's values first (the full type check after it). */
enum { DFI_VPLAN_TYPE, DFI_VPLAN_INT2, DFI_VPLAN_INT, DFI_VPLAN_JSON, DFI_VPLAN_JSONB, DFI_VPLAN_TIME };

/* A table with more checked columns than this visits every column of each line. */
#define DFI_VPLAN_MAX 48

typedef struct dfi_vbad {
    int what; /* DFI_VAL_* */
    int col;
    int64_t row;    /* 1-based within the stream */
    int64_t off;    /* uncompressed offset of the field */
    char shown[80]; /* the value, escaped and cut */
} dfi_vbad;

/* Per stream: the state of the value checks of one table's COPY text. */
typedef struct dfi_vcheck {
    const dfi_vtable *t;
    int64_t nbad[5];               /* per DFI_VAL_* */
    dfi_vbad first[5][DFI_VFIRST]; /* per DFI_VAL_* */
    size_t nfirst[5];
    uint8_t *line; /* a line that spans pieces */
    size_t line_n, line_cap;
    bool line_cut; /* ... longer than the limit: not checked */
    uint8_t *fld;  /* the current field without escapes */
    size_t fld_cap;
    int64_t unchecked_rows; /* too long to keep, or out of memory */
    struct dfi_vins *ins;   /* INSERT statements: the scanner's state (valuecheck_insert.c) */
    bool inserts;           /* the data were INSERT statements (one fails, not the table) */
    int nplan;              /* the columns a clean line visits, plan[0..nplan); -1: all */
    struct {
        int16_t col;
        uint8_t how; /* DFI_VPLAN_*: the check to try first */
        struct dfi_jskel *skel; /* json[b]: the column's key skeleton (NULL: none) */
    } plan[DFI_VPLAN_MAX];
} dfi_vcheck;

/*
 * Lines of one piece whose checks were put off (dfi_copycheck.defer): the
 * verifier checks them in whichever of two threads is free, each with its
 * own dfi_vcheck, and merges those at the end (dfi_vcheck_merge).
 */
typedef struct dfi_vline {
    uint32_t start, len; /* within the piece */
    int64_t row;
    uint32_t tab0; /* its tabs (dfi_vsplit) at dfi_vjob.tabs[tab0..tab0 + nt) */
    int16_t nt;    /* -1: not known, the line is scanned */
    bool high, bs;
} dfi_vline;

typedef struct dfi_vjob {
    int64_t base; /* uncompressed offset of the piece's first byte */
    dfi_vline *v;
    size_t n, cap;
    size_t *tabs;
    size_t ntabs, tabcap;
} dfi_vjob;

DFI_HIDDEN void dfi_vcheck_init(dfi_vcheck *vc, const dfi_vtable *t);
DFI_HIDDEN void dfi_vcheck_free(dfi_vcheck *vc);
/* Keep the bytes of a line that goes on in the next piece. */
DFI_HIDDEN void dfi_vcheck_carry(dfi_vcheck *vc, const uint8_t *p, size_t n);
/*
 * What the row checker saw of a line while it scanned it, so that the value
 * checks need not scan it again: the offsets (from the line's start) of its
 * first tabs, escaped ones too, at most the table's column count; whether
 * it has bytes >= 0x80 and backslashes.
 */
typedef struct dfi_vsplit {
    const size_t *tabs;
    int nt;
    bool high, bs;
} dfi_vsplit;

/*
 * A line ended: its last `n` bytes are at p (its first bytes were carried
 * when `carried`).  `row` is its 1-based number, `off` its uncompressed
 * offset; `skip` when the row is already wrong (column count); `sp` what
 * the row checker saw of a line that was not carried (NULL: not known).
 */
DFI_HIDDEN void dfi_vcheck_line(dfi_vcheck *vc, const uint8_t *p, size_t n, bool carried,
                                int64_t row, int64_t off, bool skip, const dfi_vsplit *sp);

/*
 * INSERT-format data (pg_dump --inserts, --column-inserts): the next `n`
 * bytes of the stream at uncompressed offset `off`; each literal of a
 * VALUES row checked as the COPY value it stands for.
 */
DFI_HIDDEN void dfi_vcheck_insert(dfi_vcheck *vc, const uint8_t *p, size_t n, int64_t off);
DFI_HIDDEN void dfi_vins_free(struct dfi_vins *s);
/* Check the lines of job `j` in the piece at p (a thread's own vc). */
DFI_HIDDEN void dfi_vcheck_job(dfi_vcheck *vc, const uint8_t *p, const dfi_vjob *j);
DFI_HIDDEN bool dfi_vjob_reserve(dfi_vjob *j, size_t tabs);
/*
 * Put off one line (false: too long, out of memory: check it now).  Inline: the row scanner
 * calls it for every row of a piped stream, and a call cost as much as the rest.
 */
static inline bool dfi_vjob_add(dfi_vjob *j, size_t start, size_t len, int64_t row,
                                const dfi_vsplit *sp)
{
    int nt = sp != NULL ? sp->nt : 0;
    dfi_vline *l;

    if ((start | len | j->ntabs) > UINT32_MAX || nt > INT16_MAX ||
        ((j->n == j->cap || j->tabs == NULL || j->ntabs + (size_t)nt > j->tabcap) &&
         !dfi_vjob_reserve(j, (size_t)nt)))
        return false;
    l = &j->v[j->n++];
    l->start = (uint32_t)start;
    l->len = (uint32_t)len;
    l->row = row;
    l->tab0 = (uint32_t)j->ntabs;
    l->nt = -1;
    if (sp != NULL) {
        size_t *dst = j->tabs + j->ntabs;
        const size_t *src = sp->tabs;

        for (int k = 0; k < nt; k++)
            dst[k] = src[k];
        j->ntabs += (size_t)nt;
        l->nt = (int16_t)nt;
        l->high = sp->high;
        l->bs = sp->bs;
    }
    return true;
}
DFI_HIDDEN void dfi_vjob_free(dfi_vjob *j);
/*
 * Add what `src` found to `dst` and clear src's counts: the kept bad values
 * are the first few by row and offset whichever thread saw them, so the
 * findings are those of one thread checking every row in order.
 */
DFI_HIDDEN void dfi_vcheck_merge(dfi_vcheck *dst, dfi_vcheck *src);
/* Count a value that failed (`what`, a DFI_VAL_*) and keep the first few for the report. */
DFI_HIDDEN void dfi_vcheck_note(dfi_vcheck *vc, int what, int col, int64_t row, int64_t off,
                                const uint8_t *raw, size_t n);

/* One value (escapes already removed; NULL for \N) of column `c`: a DFI_VAL_*. */
DFI_HIDDEN int dfi_value_check(const dfi_vcol *c, int encoding, const uint8_t *v, size_t n);
/*
 * A date/time value (valuecheck_time.c) or a network address
 * (valuecheck_net.c) of a column of `kind`, NUL-terminated: DFI_VAL_OK
 * unless the server surely rejects it.
 */
DFI_HIDDEN int dfi_check_datetime(int kind, int encoding, const char *s);
/* pg_dump's own shapes of a date, time or timestamp (n bytes, no copy): true = valid; false:
   ask dfi_check_datetime. */
DFI_HIDDEN bool dfi_datetime_fast(int kind, const uint8_t *p, size_t n);
DFI_HIDDEN int dfi_check_net(int kind, const char *s);
/* A json (jsonb: false) or jsonb value of n bytes (valuecheck_json.c): false when the server
   surely rejects it. */
DFI_HIDDEN bool dfi_check_json(const uint8_t *p, size_t n, bool jsonb);
/* For tests, its two halves: the general parser alone (the judge), and the fast path for the
   flat objects jsonb prints alone (true: valid; false: not that shape, or bad). */
DFI_HIDDEN bool dfi_check_json_general(const uint8_t *p, size_t n, bool jsonb);
DFI_HIDDEN bool dfi_check_json_flat(const uint8_t *p, size_t n, bool jsonb);
/* A json[b] column's key skeleton (valuecheck_json.c): the keys of its last flat document.
   dfi_check_json_skel is dfi_check_json, with the keys of the document compared against the
   skeleton (and the skeleton updated); k NULL: plain dfi_check_json. */
typedef struct dfi_jskel dfi_jskel;
DFI_HIDDEN dfi_jskel *dfi_jskel_new(void); /* NULL: out of memory */
DFI_HIDDEN void dfi_jskel_free(dfi_jskel *k);
/* For tests: the members the skeleton holds; -1: resting (its keys kept changing). */
DFI_HIDDEN int dfi_jskel_members(const dfi_jskel *k);
DFI_HIDDEN bool dfi_check_json_skel(dfi_jskel *k, const uint8_t *p, size_t n, bool jsonb);

/* A column of type text `type`, for tests: kind and modifiers (no TOC lookups). */
DFI_HIDDEN void dfi_vcol_parse_type(dfi_vcol *c, const char *type);

#endif /* DUMPFMT_VALUECHECK_H */
