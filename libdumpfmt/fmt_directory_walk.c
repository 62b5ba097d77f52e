/*
 * fmt_directory_walk.c — the directory format's structural walker (spec §6),
 * dfi_dwalk: toc.dat, each data entry's file, each BLOBS entry's LO list
 * (blobs.toc up to 1.15, the name in the TOC from 1.16) line by line with
 * each large object's file, and the damage of each as events.  A directory
 * archive is many independent files, so unlike the custom and tar walkers
 * damage never ends the walk: a missing member is one event, and the next
 * member is still found.  Members are found as pg_restore finds them (the
 * name, then .gz, .lz4, .zst) and checked as dfi_member_check does, without
 * opening them; only the LO list is read (decoded when someone compressed it).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_BUF_SIZE 8192

enum {
    S_TOC,       /* a whole walk: toc.dat next */
    S_NEXT,      /* the next entry with data */
    S_BODY,      /* the entry's data file or LO list */
    S_LINES,     /* the LO list's lines */
    S_ENTRY_END, /* the entry's ENTRY_END */
    S_END,
};

void dfi_dw_init(dfi_dwalk *k, const char *dir, uint32_t version, const df_limits *lim,
                 bool follow, df_error *err)
{
    memset(k, 0, sizeof *k);
    k->dir = dir;
    k->version = version;
    k->lim = lim;
    k->follow = follow;
    k->err = err;
    k->src.fd = -1;
    k->state = S_END;
}

static void close_list(dfi_dwalk *k)
{
    if (!k->list_open)
        return;
    dfi_buf_free(&k->b);
    dfi_src_close(&k->src);
    k->list_open = false;
}

void dfi_dw_free(dfi_dwalk *k)
{
    close_list(k);
    free(k->line.s);
    k->line.s = NULL;
    k->line.n = k->line.cap = 0;
    k->skim_due = false;
    k->state = S_END;
}

void dfi_dw_toc(dfi_dwalk *k, const df_entry *ents, size_t n)
{
    close_list(k);
    k->ents = ents;
    k->n = n;
    k->i = 0;
    k->single = false;
    k->skim_due = false;
    k->state = S_TOC;
}

void dfi_dw_entry(dfi_dwalk *k, const df_entry *e)
{
    close_list(k);
    k->ents = e;
    k->n = 1;
    k->i = 0;
    k->single = true;
    k->skim_due = false;
    k->state = S_NEXT;
}

void dfi_dw_skip_entry(dfi_dwalk *k)
{
    close_list(k);
    k->skim_due = false;
    if (k->state == S_BODY || k->state == S_LINES)
        k->state = S_ENTRY_END;
}

/* Look up name (pg_restore's suffix order): the `ok` event, or the damage found. */
static dfi_dw_event find(dfi_dwalk *k, int of, const char *name, dfi_dw_event ok)
{
    int w = DFI_WRAP_RAW, rc;

    k->of = of;
    k->name = name;
    k->member[0] = '\0';
    k->wrap = DFI_WRAP_RAW;
    k->size = -1;
    if (name == NULL || !dfi_member_name_ok(name))
        return DFI_DW_BAD_NAME;
    rc = dfi_member_discover(k->dir, name, k->member, sizeof k->member, &w, &k->size, k->follow,
                             k->err);
    k->wrap = (dfi_wrap)w;
    k->rc = rc;
    if (rc == DF_E_NOTFOUND)
        return DFI_DW_MISSING;
    if (rc != DF_OK)
        return DFI_DW_REFUSED;
    k->skim_due = k->skim && k->wrap != DFI_WRAP_RAW && of != DFI_DW_OF_LIST;
    return ok;
}

/* The frames of the compressed member just reported: BAD_FILE, or -1 when they are whole. */
static int skim(dfi_dwalk *k)
{
    dfi_src src;
    dfi_buf b;
    int rc;

    k->skim_due = false;
    rc = dfi_src_open_member(&src, k->dir, k->member, k->follow, k->err);
    if (rc != DF_OK) {
        k->rc = rc;
        return DFI_DW_REFUSED;
    }
    rc = dfi_buf_init(&b, &src, DFI_BUF_SIZE, k->err);
    if (rc == DF_OK) {
        rc = dfi_codec_skim(k->wrap, &b, k->err); /* the codec walks its own frames */
        dfi_buf_free(&b);
    }
    dfi_src_close(&src);
    k->rc = rc;
    return rc == DF_OK ? -1 : DFI_DW_BAD_FILE;
}

/* The LO list of BLOBS entry e: found, opened and decoded (LO_LIST), or the damage. */
static dfi_dw_event open_list(dfi_dwalk *k)
{
    /* Before 1.16 pg_restore ignores the stored name: it was not reliable. */
    const char *name = k->version >= DF_MAKE_VERSION(1, 16, 0) ? k->e->filename : "blobs.toc";
    dfi_dw_event ev = find(k, DFI_DW_OF_LIST, name, DFI_DW_LO_LIST);
    int rc;

    k->state = S_ENTRY_END;
    if (ev != DFI_DW_LO_LIST)
        return ev;
    rc = dfi_src_open_member(&k->src, k->dir, k->member, k->follow, k->err);
    if (rc == DF_OK && (rc = dfi_src_decode(&k->src, k->wrap, k->err)) != DF_OK)
        dfi_src_close(&k->src);
    if (rc == DF_OK) {
        k->src.io_cap = k->io_cap;
        if ((rc = dfi_buf_init(&k->b, &k->src, LIST_BUF_SIZE, k->err)) != DF_OK)
            dfi_src_close(&k->src);
    }
    k->rc = rc;
    if (rc != DF_OK)
        return DFI_DW_REFUSED;
    snprintf(k->list, sizeof k->list, "%s", k->member);
    k->list_open = true;
    k->state = S_LINES;
    return DFI_DW_LO_LIST;
}

/* The next line of the open LO list: LO, its damage, or the end of the entry. */
static dfi_dw_event next_line(dfi_dwalk *k)
{
    uint32_t oid;
    char *name, empty[1] = "";
    int rc;

    k->of = DFI_DW_OF_LO;
    k->name = NULL;
    k->at = dfi_buf_tell(&k->b);
    rc = dfi_lo_list_next(&k->b, &k->line, k->lim, k->err);
    k->rc = rc;
    if (rc == DF_EOF) {
        close_list(k);
        k->state = S_ENTRY_END;
        return dfi_dw_next(k);
    }
    if (rc != DF_OK) { /* nothing in the list can be trusted past this */
        if (rc == DF_E_TRUNCATED)
            k->at = dfi_buf_tell(&k->b);
        close_list(k);
        k->state = S_ENTRY_END;
        return rc == DF_E_TRUNCATED ? DFI_DW_LIST_CUT : DFI_DW_LIST_FAIL;
    }
    if (!dfi_lo_list_line(k->line.n > 0 ? k->line.s : empty, &oid, &name))
        return DFI_DW_BAD_LINE;
    k->oid = oid;
    return find(k, DFI_DW_OF_LO, name, DFI_DW_LO);
}

static dfi_dw_event next_entry(dfi_dwalk *k)
{
    /* one entry: the caller chose it; a whole walk: the entries with data */
    while (!k->single && k->i < k->n && !df_entry_has_data(&k->ents[k->i]))
        k->i++;
    if (k->i == k->n) {
        k->state = S_END;
        return DFI_DW_END;
    }
    k->e = &k->ents[k->i++];
    k->state = S_BODY;
    return DFI_DW_ENTRY;
}

dfi_dw_event dfi_dw_next(dfi_dwalk *k)
{
    if (k->skim_due) {
        int ev = skim(k);

        if (ev >= 0)
            return (dfi_dw_event)ev;
    }
    switch (k->state) {
    case S_TOC: {
        dfi_dw_event ev = find(k, DFI_DW_OF_TOC, "toc.dat", DFI_DW_TOC);

        k->skim_due = false; /* the reader decodes it whole */
        k->state = S_NEXT;
        return ev;
    }
    case S_NEXT: return next_entry(k);
    case S_BODY:
        if (df_entry_is_blobs(k->e))
            return open_list(k);
        k->state = S_ENTRY_END;
        return find(k, DFI_DW_OF_DATA, k->e->filename, DFI_DW_FILE);
    case S_LINES: return next_line(k);
    case S_ENTRY_END:
        k->state = k->single ? S_END : S_NEXT;
        return DFI_DW_ENTRY_END;
    default: return DFI_DW_END;
    }
}
