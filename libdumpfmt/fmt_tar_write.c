/*
 * fmt_tar_write.c — the tar-format writer (spec §7): ustar members as pg_dump
 * writes them (mode 0600, uid 04000, gid 02000, owner names "postgres"),
 * in pg_dump's order: toc.dat, one <dumpId>.dat per TABLE DATA entry,
 * blob_<oid>.dat per large object followed by its LO list, restore.sql,
 * then two zero blocks.  A member's size goes in its header before its
 * data: on a seekable output the header is written after the data, in
 * place; to a pipe the data are spooled to a temporary file first (pg_dump
 * spools every member).
 */
#include "writer.h"
#include "fmt_tar.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>

static void octal(uint8_t *f, size_t width, uint64_t v)
{
    /* width-1 octal digits then a space, as src/port/tar.c print_tar_number */
    for (size_t k = width - 1; k-- > 0;) {
        f[k] = (uint8_t)('0' + (v & 7));
        v >>= 3;
    }
    f[width - 1] = ' ';
}

static void tar_header(uint8_t h[TAR_BLOCK], const char *name, int64_t size)
{
    unsigned sum = 0;

    memset(h, 0, TAR_BLOCK);
    snprintf((char *)h, 100, "%s", name);
    octal(h + 100, 8, 0600);
    octal(h + 108, 8, 04000);
    octal(h + 116, 8, 02000);
    if (size < 077777777777LL) {
        octal(h + 124, 12, (uint64_t)size);
    } else { /* GNU base-256 for 8 GiB and more */
        h[124] = 0x80;
        for (int k = 11; k >= 4; k--, size >>= 8)
            h[124 + k] = (uint8_t)(size & 0xff);
    }
    octal(h + 136, 12, (uint64_t)time(NULL));
    memset(h + 148, ' ', 8);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memcpy(h + 265, "postgres", 8);
    memcpy(h + 297, "postgres", 8);
    octal(h + 329, 8, 0);
    octal(h + 337, 8, 0);
    for (int k = 0; k < TAR_BLOCK; k++)
        sum += h[k];
    octal(h + 148, 8, sum);
}

static int pad(dfi_writer *w, int64_t size)
{
    static const uint8_t zeros[TAR_BLOCK];
    size_t n = (size_t)((TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK);

    return n ? dfi_sink_write(&w->sink, zeros, n, w->err) : DF_OK;
}

static int whole_member(dfi_writer *w, const char *name, const void *p, size_t n)
{
    uint8_t h[TAR_BLOCK];
    int rc;

    tar_header(h, name, (int64_t)n);
    rc = dfi_sink_write(&w->sink, h, TAR_BLOCK, w->err);
    if (rc == DF_OK)
        rc = dfi_sink_write(&w->sink, p, n, w->err);
    return rc == DF_OK ? pad(w, (int64_t)n) : rc;
}

static void tar_extra(dfi_writer *w, dfi_obuf *o, size_t i)
{
    char name[64];

    dfi_data_filename(w, i, 0, name, sizeof name);
    dfi_put_str(o, &w->a, name);
}

static int tar_begin(dfi_writer *w)
{
    dfi_put_archive_toc(w, &w->toc, 3, tar_extra);
    if (w->toc.failed)
        return dfi_wfail_nomem(w);
    return whole_member(w, "toc.dat", w->toc.p, w->toc.n);
}

static int tar_entry_begin(dfi_writer *w, size_t i)
{
    (void)i;
    w->lolist.n = 0;
    return DF_OK;
}

static int tar_stream_begin(dfi_writer *w, uint32_t oid)
{
    static const uint8_t zeros[TAR_BLOCK];

    if (oid)
        snprintf(w->member, sizeof w->member, "blob_%u.dat", oid);
    else
        snprintf(w->member, sizeof w->member, "%d.dat", (int)w->t->v[w->cur].e.dump_id);
    w->member_size = 0;
    if (w->sink.seekable) {
        w->hdr_at = w->sink.pos;
        return dfi_sink_write(&w->sink, zeros, TAR_BLOCK, w->err); /* the header, later */
    }
    w->spool = tmpfile();
    if (w->spool == NULL)
        return dfi_fail_errno(w->err, errno, -1, "could not create a temporary file");
    return DF_OK;
}

static int tar_stream_put(dfi_writer *w, const uint8_t *p, size_t n, int64_t chunk)
{
    (void)chunk;
    w->member_size += (int64_t)n;
    if (w->spool == NULL)
        return dfi_sink_write(&w->sink, p, n, w->err);
    if (fwrite(p, 1, n, w->spool) != n)
        return dfi_fail_errno(w->err, errno, -1, "could not write a temporary file");
    return DF_OK;
}

/* Pipe output: header, then the spooled data. */
static int unspool(dfi_writer *w)
{
    uint8_t h[TAR_BLOCK], buf[64 * 1024];
    size_t k;
    int rc;

    tar_header(h, w->member, w->member_size);
    rc = dfi_sink_write(&w->sink, h, TAR_BLOCK, w->err);
    rewind(w->spool);
    while (rc == DF_OK && (k = fread(buf, 1, sizeof buf, w->spool)) > 0)
        rc = dfi_sink_write(&w->sink, buf, k, w->err);
    if (rc == DF_OK && ferror(w->spool))
        rc = dfi_fail_errno(w->err, errno, -1, "could not read a temporary file");
    fclose(w->spool);
    w->spool = NULL;
    return rc;
}

static int tar_stream_end(dfi_writer *w)
{
    uint32_t oid;
    int rc;

    if (w->spool != NULL) {
        rc = unspool(w);
    } else {
        uint8_t h[TAR_BLOCK];
        tar_header(h, w->member, w->member_size);
        rc = dfi_sink_pwrite(&w->sink, h, TAR_BLOCK, w->hdr_at, w->err);
    }
    if (rc == DF_OK)
        rc = pad(w, w->member_size);
    if (rc == DF_OK && sscanf(w->member, "blob_%u.dat", &oid) == 1) {
        char line[48];
        int k = snprintf(line, sizeof line, "%u blob_%u.dat\n", oid, oid);
        dfi_put_bytes(&w->lolist, line, (size_t)k);
    }
    return rc;
}

static int tar_entry_end(dfi_writer *w)
{
    char name[64];
    int rc = dfi_lo_list_member(w, name, sizeof name);

    if (rc <= 0)
        return rc;
    return whole_member(w, name, w->lolist.p ? (const void *)w->lolist.p : "", w->lolist.n);
}

/* pg_restore never reads restore.sql; pg_dump's is a psql script, this one says what it is. */
static const char restore_sql[] =
    "--\n"
    "-- NOTE:\n"
    "--\n"
    "-- File paths need to be edited. Search for $$PATH$$ and\n"
    "-- replace it with the path to the directory containing\n"
    "-- the extracted data files.\n"
    "--\n"
    "-- This archive was written by dumpconvert, which does not generate the psql\n"
    "-- script pg_dump puts here: restore the archive with pg_restore.\n"
    "--\n";

static int tar_finish(dfi_writer *w)
{
    static const uint8_t zeros[2 * TAR_BLOCK];
    int rc = whole_member(w, "restore.sql", restore_sql, sizeof restore_sql - 1);

    return rc == DF_OK ? dfi_sink_write(&w->sink, zeros, sizeof zeros, w->err) : rc;
}

const dfi_wformat dfi_write_tar = {
    .begin = tar_begin,
    .entry_begin = tar_entry_begin,
    .stream_begin = tar_stream_begin,
    .stream_put = tar_stream_put,
    .stream_end = tar_stream_end,
    .entry_end = tar_entry_end,
    .finish = tar_finish,
};
