/*
 * seqfacts.h — private: what a dump's TOC says about its sequences.  The
 * value each SEQUENCE SET gives (setval), each sequence's increment, the
 * columns it feeds (a DEFAULT nextval() or the identity column it was made
 * for) in their table and every partition or child, and the SQL that moves
 * a sequence past a value.  Plain inputs (the TOC entries) and outputs, no
 * verifier state: the verifier watches the columns in the data
 * (sequence-behind-data); restore and repair can take the same facts.
 */
#ifndef DUMPFMT_SEQFACTS_H
#define DUMPFMT_SEQFACTS_H

#include "internal.h"
#include "sqlident.h"

/* One SEQUENCE SET entry and the value it gives its sequence. */
typedef struct dfi_seq {
    const df_entry *e; /* the SEQUENCE SET entry (borrowed from the reader) */
    int64_t value;     /* setval()'s value */
    bool called;       /* ... and is_called: the next nextval() adds the increment */
    int64_t increment; /* INCREMENT BY of its SEQUENCE entry, 1 when not given */
} dfi_seq;

/*
 * A column a sequence feeds: its DEFAULT is nextval() of the sequence (a
 * DEFAULT entry or a column default in CREATE TABLE), or it is the identity
 * column the sequence was made for.  OWNED BY is not such a link: a
 * sequence may be owned by a column whose default takes another one.
 */
typedef struct dfi_seqlink {
    size_t seq; /* index into dfi_seqfacts.seqs */
    char tschema[DFI_IDENT], table[DFI_IDENT], column[DFI_IDENT];
} dfi_seqlink;

/*
 * A column whose values to look at: link `link`'s column in the data of
 * TOC entry `entry` (its table's TABLE DATA or a descendant's).  col: its
 * position in the COPY column list, or in the table's columns for INSERTs;
 * -1 for INSERT data whose position is not known (found by name in the
 * statements' column lists).
 */
typedef struct dfi_seqwatch {
    size_t entry;
    int col;
    size_t link;
} dfi_seqwatch;

typedef struct dfi_seqfacts {
    dfi_seq *seqs;
    size_t nseqs;
    dfi_seqlink *links;
    size_t nlinks, caplinks;
    dfi_seqwatch *watch; /* in link order, then TOC order */
    size_t nwatch, capwatch;
    bool oom; /* some facts were lost for want of memory */
} dfi_seqfacts;

/*
 * The facts of the n TOC entries ents[0..n).  rows[i] says how entry i's
 * data hold rows (DF_ROWS_COPY or DF_ROWS_INSERT) when its columns can be
 * watched, -1 otherwise (no table data, or a pre-1.3 COPY whose column list
 * is only in the data).  f is zeroed first; on DF_E_NOMEM what was found
 * stays (f->oom).  Free with dfi_seqfacts_free.
 */
DFI_HIDDEN int dfi_seqfacts_build(dfi_seqfacts *f, const df_entry *ents, size_t n, const int *rows);
DFI_HIDDEN void dfi_seqfacts_free(dfi_seqfacts *f);

/* "SELECT pg_catalog.setval('s', 42, true);": the value and is_called; false when not one. */
DFI_HIDDEN bool dfi_parse_setval(const char *defn, int64_t *value, bool *called);

/*
 * "nextval('s'::regclass)" at s: the sequence a column default takes its
 * values from, schema and name (DFI_IDENT bytes each); a bare name is in
 * dflt_schema.  False when s is no such call.
 */
DFI_HIDDEN bool dfi_parse_nextval(const char *s, const char *dflt_schema, char *schema, char *name);

/* The greatest value seen in the columns one sequence feeds, and which column holds it. */
typedef struct dfi_seqmax {
    const dfi_seqlink *at; /* NULL: none of its columns held an integer */
    int64_t max;
} dfi_seqmax;

/*
 * Take a watched column's greatest value `max` (seen in the data of TOC
 * entry `data`) into m[], one dfi_seqmax per sequence, zeroed first.  A
 * tie is taken when `data` is not the link's own table (a partition or
 * child repeats its parent's DEFAULT); the link named stays the parent's.
 */
DFI_HIDDEN void dfi_seqmax_take(const dfi_seqfacts *f, dfi_seqmax *m, size_t link, int64_t max,
                                const df_entry *data);

/*
 * Is sequence q behind its data: would its next nextval() return a value
 * the columns it feeds already hold (m from dfi_seqmax_take)?  Then *next
 * is that value.
 */
DFI_HIDDEN bool dfi_seq_behind(const dfi_seq *q, const dfi_seqmax *m, int64_t *next);

/*
 * "SELECT pg_catalog.setval('schema.seq', value, true);" for sequence q:
 * the next nextval() returns more than value.  Into b (cap bytes), cut if
 * it does not fit; 4 * DFI_IDENT + 80 bytes always do.
 */
DFI_HIDDEN void dfi_setval_sql(const dfi_seq *q, int64_t value, char *b, size_t cap);

#endif /* DUMPFMT_SEQFACTS_H */
