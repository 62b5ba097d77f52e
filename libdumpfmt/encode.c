/*
 * encode.c — pg_dump's archive primitives written (spec §2), the mirror of
 * decode.c: INT (sign byte plus intSize magnitude bytes, least significant
 * first), STR (INT length, -1 = NULL), OFF (flag byte plus offSize bytes),
 * and on top of them the header (§3) and one TOC entry (§4.2) with every
 * field gated by the version being written, as WriteHead/WriteToc do.
 * Output goes to a growable buffer whose failure is sticky, so callers
 * check once (the TOC is O(TOC) memory anyway).
 */
#include "writer.h"

#include <stdlib.h>
#include <string.h>

void dfi_obuf_free(dfi_obuf *o)
{
    free(o->p);
    memset(o, 0, sizeof *o);
}

static bool grow(dfi_obuf *o, size_t more)
{
    size_t cap = o->cap ? o->cap : 4096;

    if (o->failed)
        return false;
    while (cap - o->n < more) {
        if (cap > SIZE_MAX / 2)
            return !(o->failed = true);
        cap *= 2;
    }
    if (cap != o->cap) {
        uint8_t *p = realloc(o->p, cap);
        if (p == NULL)
            return !(o->failed = true);
        o->p = p;
        o->cap = cap;
    }
    return true;
}

void dfi_put_bytes(dfi_obuf *o, const void *p, size_t n)
{
    if (n == 0 || !grow(o, n))
        return;
    memcpy(o->p + o->n, p, n);
    o->n += n;
}

void dfi_put_byte(dfi_obuf *o, int v)
{
    uint8_t b = (uint8_t)v;
    dfi_put_bytes(o, &b, 1);
}

void dfi_put_int(dfi_obuf *o, const dfi_warch *a, int64_t v)
{
    uint8_t b[33];
    size_t k = 0;
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    /* pg_dump stores |i| and a sign byte 1 for negatives (1.0 had no sign byte). */
    if (a->version > DF_MAKE_VERSION(1, 0, 0))
        b[k++] = v < 0 ? 1 : 0;
    for (int i = 0; i < a->int_size && i < 32; i++) {
        b[k++] = i < 8 ? (uint8_t)(mag & 0xff) : 0;
        mag = i < 8 ? mag >> 8 : 0;
    }
    dfi_put_bytes(o, b, k);
}

void dfi_put_str(dfi_obuf *o, const dfi_warch *a, const char *s)
{
    if (s == NULL) {
        dfi_put_int(o, a, -1);
        return;
    }
    size_t n = strlen(s);
    dfi_put_int(o, a, (int64_t)n);
    dfi_put_bytes(o, s, n);
}

void dfi_put_off(dfi_obuf *o, const dfi_warch *a, df_offset_state st, int64_t off)
{
    uint64_t v = st == DF_OFFSET_SET && off > 0 ? (uint64_t)off : 0;

    if (a->version < DF_MAKE_VERSION(1, 7, 0)) {
        /* an INT: < 0 not set, 0 no data, > 0 the position */
        dfi_put_int(o, a, st == DF_OFFSET_SET ? (int64_t)v : st == DF_OFFSET_NO_DATA ? 0 : -1);
        return;
    }
    dfi_put_byte(o, st == DF_OFFSET_SET ? 2 : st == DF_OFFSET_NOT_SET ? 1 : 3);
    /* NOT_SET and NO_DATA still carry offSize (zero) bytes, as pg_dump writes them */
    for (int i = 0; i < a->off_size; i++) {
        dfi_put_byte(o, i < 8 ? (int)(v & 0xff) : 0);
        v = i < 8 ? v >> 8 : 0;
    }
}

/* The compression field: an algorithm byte from 1.15, an INT level before. */
static void put_compression(dfi_obuf *o, const dfi_warch *a, df_compression comp, int level)
{
    if (a->version >= DF_MAKE_VERSION(1, 15, 0))
        dfi_put_byte(o, (int)comp);
    else if (a->version >= DF_MAKE_VERSION(1, 4, 0))
        dfi_put_int(o, a, comp == DF_COMPRESS_NONE ? 0 : level);
    else if (a->version >= DF_MAKE_VERSION(1, 2, 0))
        dfi_put_byte(o, comp == DF_COMPRESS_NONE ? 0 : level);
}

void dfi_put_header(dfi_obuf *o, const dfi_warch *a, const df_header *h, int format_byte,
                    df_compression comp, int level)
{
    int vmaj = a->version >> 16, vmin = (a->version >> 8) & 0xff, vrev = a->version & 0xff;

    dfi_put_bytes(o, "PGDMP", 5);
    dfi_put_byte(o, vmaj);
    dfi_put_byte(o, vmin);
    if (vmaj > 1 || vmin > 0)
        dfi_put_byte(o, vrev);
    dfi_put_byte(o, a->int_size);
    if (a->version >= DF_MAKE_VERSION(1, 7, 0))
        dfi_put_byte(o, a->off_size);
    dfi_put_byte(o, format_byte);
    put_compression(o, a, comp, level);
    if (a->version >= DF_MAKE_VERSION(1, 4, 0)) {
        const int tm[7] = {h->tm_sec,  h->tm_min, h->tm_hour, h->tm_mday,
                           h->tm_mon,  h->tm_year, h->tm_isdst};
        for (int i = 0; i < 7; i++)
            dfi_put_int(o, a, tm[i]);
        dfi_put_str(o, a, h->dbname);
    }
    if (a->version >= DF_MAKE_VERSION(1, 10, 0)) {
        dfi_put_str(o, a, h->server_version);
        dfi_put_str(o, a, h->dump_version);
    }
}

static void put_oid(dfi_obuf *o, const dfi_warch *a, uint32_t oid)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%u", oid);
    dfi_put_str(o, a, buf);
}

void dfi_put_entry(dfi_obuf *o, const dfi_warch *a, const df_entry *e)
{
    dfi_put_int(o, a, e->dump_id);
    dfi_put_int(o, a, e->had_dumper ? 1 : 0);
    if (a->version >= DF_MAKE_VERSION(1, 8, 0))
        put_oid(o, a, e->table_oid);
    put_oid(o, a, e->oid);
    dfi_put_str(o, a, e->tag);
    dfi_put_str(o, a, e->desc);
    if (a->version >= DF_MAKE_VERSION(1, 11, 0))
        dfi_put_int(o, a, e->section);
    dfi_put_str(o, a, e->defn);
    dfi_put_str(o, a, e->drop_stmt);
    if (a->version >= DF_MAKE_VERSION(1, 3, 0))
        dfi_put_str(o, a, e->copy_stmt);
    if (a->version >= DF_MAKE_VERSION(1, 6, 0))
        dfi_put_str(o, a, e->schema);
    if (a->version >= DF_MAKE_VERSION(1, 10, 0))
        dfi_put_str(o, a, e->tablespace);
    if (a->version >= DF_MAKE_VERSION(1, 14, 0))
        dfi_put_str(o, a, e->tableam);
    if (a->version >= DF_MAKE_VERSION(1, 16, 0))
        dfi_put_int(o, a, e->relkind);
    dfi_put_str(o, a, e->owner);
    if (a->version >= DF_MAKE_VERSION(1, 9, 0))
        dfi_put_str(o, a, e->with_oids ? e->with_oids : "false");
    if (a->version >= DF_MAKE_VERSION(1, 5, 0)) {
        char buf[16];
        for (size_t k = 0; k < e->ndeps; k++) {
            snprintf(buf, sizeof buf, "%d", (int)e->deps[k]);
            dfi_put_str(o, a, buf);
        }
        dfi_put_str(o, a, NULL);
    }
}
