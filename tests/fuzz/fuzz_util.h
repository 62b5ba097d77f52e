/*
 * fuzz_util.h — what the libFuzzer targets share: input bytes turned into
 * a descriptor (a memfd, which seeks, or a pipe, which does not), a walk
 * over an opened reader that reads every data stream and large object, and
 * a /dev/null stream for the writers.  Header-only (static inline) so that
 * each target stays one translation unit and the Makefile needs no rule for
 * shared fuzz code.
 */
#ifndef DF_FUZZ_UTIL_H
#define DF_FUZZ_UTIL_H

#define _GNU_SOURCE
#include "dumpfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Inputs up to this size are also fed through a pipe (they fit its buffer). */
#define FUZZ_PIPE_MAX 60000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline int fuzz_write_all(int fd, const uint8_t *data, size_t size)
{
    while (size > 0) {
        ssize_t w = write(fd, data, size);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        data += w;
        size -= (size_t)w;
    }
    return 0;
}

/* A seekable descriptor holding exactly the input, positioned at 0; -1 on failure. */
static inline int fuzz_memfd(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz", MFD_CLOEXEC);

    if (fd < 0)
        return -1;
    if (fuzz_write_all(fd, data, size) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * The read end of a pipe already holding the whole input (and closed for
 * writing), so a reader sees a non-seekable stream with an end; -1 when the
 * input is too big for the pipe buffer.
 */
static inline int fuzz_pipe(const uint8_t *data, size_t size)
{
    int p[2];

    if (size > FUZZ_PIPE_MAX || pipe(p) != 0)
        return -1;
    if ((fcntl(p[1], F_SETPIPE_SZ, FUZZ_PIPE_MAX + 4096) < 0 && size > 4096) ||
        fuzz_write_all(p[1], data, size) != 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    close(p[1]);
    return p[0];
}

/* Touch every byte of a string so that ASan sees a dangling or unterminated one. */
static inline size_t fuzz_touch(const char *s)
{
    return s == NULL ? 0 : strlen(s);
}

static inline FILE *fuzz_null(void)
{
    return fopen("/dev/null", "w");
}

/*
 * Read one entry's data stream to its end (every large object of a BLOBS
 * entry): its first SMALL_READS bytes `len` at a time (partial reads across
 * chunk and buffer boundaries), the rest 64 KiB at a time — 1-byte reads
 * all the way made a 64 KiB input cost 20 ms; the status is only for the
 * caller.
 */
#define SMALL_READS 2048
static inline int fuzz_read_entry(df_reader *r, const df_entry *e, size_t len)
{
    static uint8_t buf[65536];
    df_data_stats st;
    uint32_t oid;
    int64_t n;
    int rc = df_reader_open_data(r, e);

    if (rc != DF_OK)
        return rc;
    if (df_entry_is_blobs(e)) {
        while ((rc = df_reader_next_lo(r, &oid)) == DF_OK)
            for (size_t got = 0; (n = df_reader_read_data(r, buf, got < SMALL_READS ? len : sizeof buf)) > 0;)
                got += (size_t)n;
    } else {
        for (size_t got = 0; (n = df_reader_read_data(r, buf, got < SMALL_READS ? len : sizeof buf)) > 0;)
            got += (size_t)n;
        rc = (int)n;
    }
    df_reader_data_stats(r, &st);
    df_reader_close_data(r);
    return rc;
}

/* Touch what the TOC holds of one entry. */
static inline size_t fuzz_touch_entry(const df_reader *r, const df_entry *e)
{
    size_t n = fuzz_touch(e->tag) + fuzz_touch(e->desc) + fuzz_touch(e->defn) +
               fuzz_touch(e->drop_stmt) + fuzz_touch(e->copy_stmt) + fuzz_touch(e->schema) +
               fuzz_touch(e->tablespace) + fuzz_touch(e->tableam) + fuzz_touch(e->owner) +
               fuzz_touch(e->with_oids) + fuzz_touch(e->filename) + fuzz_touch(e->database);

    for (size_t k = 0; k < e->ndeps; k++)
        n += df_reader_find(r, e->deps[k]) != NULL;
    return n + (df_reader_find(r, e->dump_id) == e);
}

/*
 * Everything a reading tool does with an opened archive: the header, every
 * TOC entry, every data stream and large object in TOC order with varying
 * read sizes (partial reads), then — when the source seeks — once more in
 * reverse order with df_reader_measure (random access, row counting), and
 * the stored sizes.  From a pipe the second pass asks for data already
 * passed, which must fail cleanly.
 */
static inline void fuzz_walk(df_reader *r)
{
    static const size_t sizes[] = {4096, 1, 65536, 7};
    const df_header *h = df_reader_header(r);
    size_t n = df_reader_toc_count(r), k = 0;
    df_entry_size *es;

    if (h != NULL)
        (void)(fuzz_touch(h->dbname) + fuzz_touch(h->server_version) +
               fuzz_touch(h->dump_version) + fuzz_touch(h->restrict_key));
    for (size_t i = 0; i < n; i++) {
        const df_entry *e = df_reader_toc_at(r, i);

        fuzz_touch_entry(r, e);
        if (df_entry_has_data(e))
            fuzz_read_entry(r, e, sizes[k++ % 4]);
    }
    for (size_t i = n; i-- > 0;) {
        const df_entry *e = df_reader_toc_at(r, i);
        int64_t rows, out, raw;

        if (df_entry_has_data(e))
            (void)df_reader_measure(r, e, &rows, &out, &raw);
        if (!df_reader_seekable(r))
            break;
    }
    es = calloc(n ? n : 1, sizeof *es);
    if (es != NULL) {
        (void)df_restore_sizes(r, 0, es, NULL, NULL, NULL);
        free(es);
    }
}

static inline void fuzz_touch_error(const df_error *err)
{
    if (err != NULL)
        (void)(fuzz_touch(err->message) + fuzz_touch(err->member));
}

/* Open fd as an archive and walk it; the reader's status does not matter. */
static inline void fuzz_walk_fd(int fd, const char *name)
{
    df_reader *r = df_reader_new(NULL);

    if (r == NULL)
        return;
    if (df_reader_open_fd(r, fd, name) == DF_OK)
        fuzz_walk(r);
    fuzz_touch_error(df_reader_error(r));
    df_reader_free(r);
}

/* The same by path (directory archives, files read again by path). */
static inline void fuzz_walk_path(const char *path)
{
    df_reader *r = df_reader_new(NULL);

    if (r == NULL)
        return;
    if (df_reader_open_path(r, path) == DF_OK)
        fuzz_walk(r);
    fuzz_touch_error(df_reader_error(r));
    df_reader_free(r);
}

/* The input as a seekable file, then (when small enough) as a pipe. */
static inline void fuzz_walk_bytes(const uint8_t *data, size_t size)
{
    int fd = fuzz_memfd(data, size);

    if (fd >= 0) {
        fuzz_walk_fd(fd, "memfd");
        close(fd);
    }
    fd = fuzz_pipe(data, size);
    if (fd >= 0) {
        fuzz_walk_fd(fd, "pipe");
        close(fd);
    }
}

/* A file of the corpus by name: $DF_CORPUS/rel (default corpus/rel), in buf. */
static inline const char *fuzz_corpus_path(const char *rel, char *buf, size_t len)
{
    const char *dir = getenv("DF_CORPUS");

    snprintf(buf, len, "%s/%s", dir != NULL && *dir ? dir : "corpus", rel);
    return buf;
}

#endif
