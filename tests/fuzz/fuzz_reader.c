/*
 * fuzz_reader.c — libFuzzer target for the archive reader: the input bytes
 * become an archive (through a memfd, which seeks, and through a pipe,
 * which does not), the reader opens it, reads the data of every entry
 * (large objects included) and renders the pg_restore -l listing to
 * /dev/null; a plain script is also turned into the TOC a conversion
 * writes (df_plain_toc_build).  Any DF_* status is fine; crashes, sanitizer reports, leaks
 * and hangs are the bugs.
 *
 * Built with -DDF_REPLAY_MAIN it is also a standalone replayer: each path
 * argument is run once (a regular file as the input bytes, a directory as
 * a directory archive opened by path), and the last line printed is
 * "N passed, N failed" where passed means processed without crashing.
 */
#define _GNU_SOURCE
#include "dumpfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Inputs up to this size are also fed through a pipe (they fit its buffer). */
#define PIPE_MAX 60000

/* Read all data of one entry; the status is only for the caller's curiosity. */
static int read_entry(df_reader *r, const df_entry *e, uint8_t *buf, size_t len)
{
    uint32_t oid;
    int64_t n;
    int rc = df_reader_open_data(r, e);

    if (rc != DF_OK)
        return rc;
    if (df_entry_is_blobs(e)) {
        while ((rc = df_reader_next_lo(r, &oid)) == DF_OK)
            while ((n = df_reader_read_data(r, buf, len)) > 0)
                ;
        return rc;
    }
    while ((n = df_reader_read_data(r, buf, len)) > 0)
        ;
    return (int)n;
}

/* Everything a tool would do with an opened reader. */
static void exercise(df_reader *r)
{
    static const size_t sizes[] = {4096, 1, 65536};
    uint8_t buf[65536];
    FILE *null = fopen("/dev/null", "w");
    df_error err;
    size_t k = 0;

    if (df_reader_header(r)->format == DF_FORMAT_PLAIN) { /* the TOC a conversion writes */
        df_plain_toc *t = NULL;
        const char *db = df_reader_toc_count(r) ? df_reader_toc_at(r, 0)->database : NULL;

        if (df_plain_toc_build(r, NULL, &t, NULL) == DF_OK)
            df_plain_toc_free(t);
        if (db != NULL && df_plain_toc_build(r, db, &t, NULL) == DF_OK)
            df_plain_toc_free(t);
    }
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);

        (void)df_reader_find(r, e->dump_id);
        if (!df_entry_has_data(e))
            continue;
        /* Vary the read size so partial reads are exercised too, bounded in time. */
        read_entry(r, e, buf, sizes[k++ % 3]);
        df_reader_close_data(r);
    }
    if (null != NULL) {
        df_list_options opt;

        df_list_options_default(&opt);
        memset(&err, 0, sizeof err);
        df_list_write(r, &opt, NULL, null, &err);
        opt.verbose = 1;
        df_list_write(r, &opt, NULL, null, &err);
        fclose(null);
    }
}

static void run_fd(int fd, const char *name)
{
    df_reader *r = df_reader_new(NULL);

    if (r == NULL)
        return;
    if (df_reader_open_fd(r, fd, name) == DF_OK)
        exercise(r);
    (void)df_reader_error(r);
    df_reader_free(r);
}

static int write_all(int fd, const uint8_t *data, size_t size)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz_reader", MFD_CLOEXEC);

    if (fd >= 0) {
        if (write_all(fd, data, size) == 0 && lseek(fd, 0, SEEK_SET) == 0)
            run_fd(fd, "memfd");
        close(fd);
    }
    if (size <= PIPE_MAX) {
        int p[2];

        if (pipe(p) == 0) {
            int ok = fcntl(p[1], F_SETPIPE_SZ, PIPE_MAX + 4096) >= 0 || size <= 4096;
            if (ok && write_all(p[1], data, size) == 0) {
                close(p[1]);
                p[1] = -1;
                run_fd(p[0], "pipe");
            }
            if (p[1] >= 0)
                close(p[1]);
            close(p[0]);
        }
    }
    return 0;
}

#ifdef DF_REPLAY_MAIN
/* A directory is a directory archive: open it by path like the tools do. */
static void replay_dir(const char *path)
{
    df_reader *r = df_reader_new(NULL);

    if (r == NULL)
        return;
    if (df_reader_open_path(r, path) == DF_OK)
        exercise(r);
    df_reader_free(r);
}

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    size_t size = 0, cap = 0;

    if (f == NULL)
        return -1;
    for (;;) {
        size_t got;
        if (cap - size < 65536) {
            uint8_t *bigger = realloc(data, cap + 65536);
            if (bigger == NULL)
                break;
            data = bigger;
            cap += 65536;
        }
        got = fread(data + size, 1, cap - size, f);
        size += got;
        if (got == 0)
            break;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;

    for (int i = 1; i < argc; i++) {
        struct stat st;
        int rc = -1;

        if (stat(argv[i], &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                replay_dir(argv[i]);
                rc = 0;
            } else if (S_ISREG(st.st_mode)) {
                rc = replay_file(argv[i]);
            }
        }
        if (rc == 0)
            passed++;
        else {
            fprintf(stderr, "fuzz_reader: cannot replay \"%s\"\n", argv[i]);
            failed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
#endif
