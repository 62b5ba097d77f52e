/*
 * fmt_plain.h — private to fmt_plain.c (the open pass that turns a plain
 * script into entries) and fmt_plain_data.c (an entry's data read back from
 * the script): the reader's state between them.
 */
#ifndef DUMPFMT_FMT_PLAIN_H
#define DUMPFMT_FMT_PLAIN_H

#include "plain.h"

typedef enum lo_event { LOE_NONE = 0, LOE_OPEN, LOE_WRITE, LOE_CLOSE } lo_event;

/* What the reader keeps per entry beyond df_entry. */
typedef struct plain_extra {
    int64_t lo_bytes; /* BLOBS: bytes of all its large objects */
    int64_t bad_lo;   /* BLOBS: offset of a large-object statement that cannot be read, or -1 */
    bool std_strings; /* standard_conforming_strings where its data start */
} plain_extra;

typedef struct plain_state {
    dfi_pstream st;
    char **dbs; /* database names, interned: entries borrow them */
    size_t ndbs, cap_dbs;
    char *restrict_key;
    /* session statements (SET, RESET, set_config) and \connect lines, in order: plaindeps.c
       works out each entry's owner, tablespace, access method and search_path from them */
    dfi_plain_session *sess;
    size_t nsess, cap_sess;
    df_error script_error;
    plain_extra *extra; /* per entry */
    /* the data part being read */
    const df_entry *cur;
    int64_t left; /* script bytes of it not yet handed out or scanned */
    /* BLOBS: the part is scanned again for lo_open / lowrite / lo_close */
    dfi_plex blx;
    bool blx_live, blx_done;
    dfi_pbytes lo_buf;
    size_t lo_pos;
    lo_event event;
    uint32_t event_oid;
    bool in_lo, open_pending;
    uint32_t pending_oid;
} plain_state;

static inline plain_state *ps_of(const df_reader *r)
{
    return r->fmt_state;
}

static inline int nomem(df_reader *r)
{
    return dfi_fail(&r->err, DF_E_NOMEM, -1, "out of memory");
}

/* The format's data operations (dfi_format_plain), in fmt_plain_data.c. */
DFI_HIDDEN int dfi_plain_open_data(df_reader *r, const df_entry *e);
DFI_HIDDEN int dfi_plain_next_lo(df_reader *r, uint32_t *oid);
DFI_HIDDEN int dfi_plain_read_raw(df_reader *r, const uint8_t **p, size_t *n);
DFI_HIDDEN void dfi_plain_close_data(df_reader *r);

#endif /* DUMPFMT_FMT_PLAIN_H */
