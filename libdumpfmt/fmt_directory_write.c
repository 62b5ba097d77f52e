/*
 * fmt_directory_write.c — the directory-format writer (spec §6): toc.dat
 * (header stamped format 3, the "tar" byte, as pg_dump does) with each
 * entry's data file name, <dumpId>.dat[.gz|.lz4|.zst] per TABLE DATA entry,
 * blob_<oid>.dat[...] per large object and the LO list of each BLOBS entry:
 * blobs_<dumpId>.toc from 1.16, blobs.toc before (where one BLOBS entry
 * exists).  Files are created in the sink's temporary directory.
 */
#include "writer.h"

#include <string.h>
#include <unistd.h>

static void dir_extra(dfi_writer *w, dfi_obuf *o, size_t i)
{
    char name[64];

    dfi_data_filename(w, i, 1, name, sizeof name);
    dfi_put_str(o, &w->a, name);
}

/* A whole member from memory. */
static int write_member(dfi_writer *w, const char *name, const dfi_obuf *o)
{
    int fd, rc = dfi_sink_member_open(&w->sink, name, &fd, w->err);

    if (rc != DF_OK)
        return rc;
    rc = dfi_sink_fd_write(&w->sink, fd, o->p, o->n, name, w->err);
    if (rc != DF_OK) {
        close(fd);
        return rc;
    }
    return dfi_sink_member_close(&w->sink, fd, name, w->err);
}

static int dir_begin(dfi_writer *w)
{
    size_t blobs = 0;
    int rc;

    for (size_t i = 0; i < w->t->n; i++)
        blobs += df_entry_is_blobs(&w->t->v[i].e) && dfi_wentry_has_data(w, i);
    if (blobs > 1 && w->a.version < DF_MAKE_VERSION(1, 16, 0))
        return dfi_fail(w->err, DF_E_UNSUPPORTED, -1,
                        "%zu BLOBS entries cannot share one blobs.toc before archive 1.16", blobs);
    dfi_put_archive_toc(w, &w->toc, 3, dir_extra);
    if (w->toc.failed)
        return dfi_wfail_nomem(w);
    rc = write_member(w, "toc.dat", &w->toc);
    return rc;
}

static int dir_entry_begin(dfi_writer *w, size_t i)
{
    (void)i;
    w->lolist.n = 0;
    return DF_OK;
}

static int dir_stream_begin(dfi_writer *w, uint32_t oid)
{
    if (oid)
        snprintf(w->member, sizeof w->member, "blob_%u.dat%s", oid, dfi_wsuffix(w));
    else
        snprintf(w->member, sizeof w->member, "%d.dat%s", (int)w->t->v[w->cur].e.dump_id,
                 dfi_wsuffix(w));
    return dfi_sink_member_open(&w->sink, w->member, &w->fd, w->err);
}

static int dir_stream_put(dfi_writer *w, const uint8_t *p, size_t n, int64_t chunk)
{
    (void)chunk;
    return dfi_sink_fd_write(&w->sink, w->fd, p, n, w->member, w->err);
}

static int dir_stream_end(dfi_writer *w)
{
    int fd = w->fd;
    uint32_t oid;

    w->fd = -1;
    if (sscanf(w->member, "blob_%u.dat", &oid) == 1) {
        char line[48];
        int k = snprintf(line, sizeof line, "%u blob_%u.dat\n", oid, oid);
        dfi_put_bytes(&w->lolist, line, (size_t)k);
    }
    return dfi_sink_member_close(&w->sink, fd, w->member, w->err);
}

static int dir_entry_end(dfi_writer *w)
{
    char name[64];
    int rc = dfi_lo_list_member(w, name, sizeof name);

    return rc <= 0 ? rc : write_member(w, name, &w->lolist);
}

static int dir_finish(dfi_writer *w)
{
    (void)w;
    return DF_OK;
}

const dfi_wformat dfi_write_directory = {
    .begin = dir_begin,
    .entry_begin = dir_entry_begin,
    .stream_begin = dir_stream_begin,
    .stream_put = dir_stream_put,
    .stream_end = dir_stream_end,
    .entry_end = dir_entry_end,
    .finish = dir_finish,
};
