/*
 * fuzz_convert.c — libFuzzer target for dumpconvert's read -> write path: the
 * input bytes become an archive (a memfd), the reader opens it, and the TOC
 * is written back as a custom archive (blocks copied) and as a tar archive
 * (every stream decoded and encoded again).  The invariant: a write either
 * fails and leaves nothing at its path, or succeeds with an output the
 * reader opens with the same entries; after a re-encoding write every data
 * stream of the output reads to its end without error.  The same input also
 * goes through dumprepair's path (verify, salvage, df_salvage_write_archive):
 * the repaired archive is absent, or verified without an error finding
 * (dumpcheck's DAMAGED).  A broken invariant aborts (that is the bug
 * report); DF_* failures of the input are fine.
 *
 * Built with -DDF_REPLAY_MAIN it runs each file or directory argument once
 * and prints "N passed, N failed".
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

static int read_all(df_reader *r)
{
    static uint8_t buf[65536];

    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        uint32_t oid;
        int64_t n;
        int rc;
        if (!df_entry_has_data(e))
            continue;
        if ((rc = df_reader_open_data(r, e)) != DF_OK)
            return rc;
        if (df_entry_is_blobs(e)) {
            while ((rc = df_reader_next_lo(r, &oid)) == DF_OK)
                while ((n = df_reader_read_data(r, buf, sizeof buf)) > 0)
                    ;
            if (rc != DF_EOF)
                return rc;
        } else {
            while ((n = df_reader_read_data(r, buf, sizeof buf)) > 0)
                ;
            if (n < 0)
                return (int)n;
        }
        df_reader_close_data(r);
    }
    return DF_OK;
}

/* Write t as format f; check the invariant. */
static void write_and_check(df_reader *r, const df_toc *t, df_format f, int reencode)
{
    char path[] = "/tmp/fuzz_convert.XXXXXX";
    int fd = mkstemp(path);
    df_write_options o;
    df_error err;
    struct stat st;
    df_reader *back;

    if (fd < 0)
        return;
    close(fd);
    unlink(path); /* the writer creates it, or must leave nothing */
    df_write_options_default(&o);
    o.format = f;
    o.reencode = reencode;
    if (f == DF_FORMAT_TAR)
        o.compression = DF_COMPRESS_NONE;
    if (df_write_archive(r, t, path, &o, NULL, &err) != DF_OK) {
        if (stat(path, &st) == 0)
            abort(); /* a failed write left an output */
        return;
    }
    back = df_reader_new(NULL);
    if (back == NULL || df_reader_open_path(back, path) != DF_OK ||
        df_reader_toc_count(back) != df_toc_count(t))
        abort(); /* written, but not readable */
    if (reencode && read_all(back) != DF_OK)
        abort(); /* every stream was decoded to be written: it must read back */
    df_reader_free(back);
    unlink(path);
}

/* A pg_dump plain script: its model (issue 14) written as a custom archive must read back. */
static void run_plain(df_reader *r)
{
    df_plain_toc *pt = NULL;
    df_toc *t = NULL;
    df_error err;

    if (df_reader_header(r)->plain_kind != DF_PLAIN_PG_DUMP ||
        df_plain_toc_build(r, NULL, &pt, NULL) != DF_OK)
        return;
    if (df_toc_from_plain(r, pt, &t, &err) == DF_OK)
        write_and_check(r, t, DF_FORMAT_CUSTOM, 1);
    df_toc_free(t);
    df_plain_toc_free(pt);
}

static void run_reader(df_reader *r)
{
    df_toc *t = df_toc_from_reader(r);

    if (t == NULL)
        return;
    if (df_reader_header(r)->format == DF_FORMAT_PLAIN)
        run_plain(r);
    if (df_reader_header(r)->format != DF_FORMAT_PLAIN) {
        write_and_check(r, t, DF_FORMAT_CUSTOM, 0);
        write_and_check(r, t, DF_FORMAT_TAR, 1);
    }
    df_toc_free(t);
}

/* dumprepair's read -> write path over the archive at `in`: OUT absent, or without errors. */
static void repair_and_check(const char *in)
{
    char path[] = "/tmp/fuzz_repair.XXXXXX";
    int fd = mkstemp(path);
    df_verify_options vo;
    df_write_options wo;
    df_verify *v = NULL, *back = NULL;
    df_reader *r = df_reader_new(NULL);
    df_salvage *s = NULL;
    df_error err;
    struct stat st;

    if (fd < 0 || r == NULL)
        goto out;
    close(fd);
    unlink(path);
    df_verify_options_default(&vo);
    vo.no_values = 1;
    vo.salvage_toc = 1; /* as dumprepair -o: a cut TOC keeps the entries before the cut */
    df_reader_set_salvage_toc(r, 1);
    if (df_verify_path(in, &vo, &v, NULL) != DF_OK || df_reader_open_path(r, in) != DF_OK ||
        df_reader_header(r)->format == DF_FORMAT_PLAIN ||
        df_salvage_build_flags(r, v, 0,
                               df_reader_header(r)->format == DF_FORMAT_CUSTOM
                                   ? DF_SALVAGE_SPLICE /* custom to custom: cut streams spliced */
                                   : 0,
                               &s, &err) != DF_OK)
        goto out;
    if (df_reader_toc_cut(r, NULL, NULL) && df_salvage_get_summary(s)->listed == 0)
        goto out; /* dumprepair writes nothing then either */
    df_write_options_default(&wo);
    wo.format = DF_FORMAT_CUSTOM; /* a file, whatever the input: unlink removes it */
    if (df_salvage_write_archive(r, s, path, &wo, NULL, &err) != DF_OK) {
        if (stat(path, &st) == 0)
            abort(); /* a failed write left an output */
        goto out;
    }
    vo.salvage_toc = 0;
    if (df_verify_path(path, &vo, &back, NULL) != DF_OK ||
        df_verify_get_summary(back)->verdict > DF_VERDICT_WARNING)
        abort(); /* a repaired archive that dumpcheck finds damaged */
    unlink(path);
out:
    df_verify_free(back);
    df_salvage_free(s);
    df_reader_free(r);
    df_verify_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz_convert", MFD_CLOEXEC);
    df_reader *r;

    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size && lseek(fd, 0, SEEK_SET) == 0 &&
        (r = df_reader_new(NULL)) != NULL) {
        char in[64];
        if (df_reader_open_fd(r, fd, "memfd") == DF_OK)
            run_reader(r);
        df_reader_free(r);
        snprintf(in, sizeof in, "/proc/self/fd/%d", fd);
        repair_and_check(in);
    }
    close(fd);
    return 0;
}

#ifdef DF_REPLAY_MAIN
int main(int argc, char **argv)
{
    int passed = 0, failed = 0;

    for (int i = 1; i < argc; i++) {
        struct stat st;
        df_reader *r;
        if (stat(argv[i], &st) != 0) {
            failed++;
            continue;
        }
        r = df_reader_new(NULL);
        if (r != NULL && df_reader_open_path(r, argv[i]) == DF_OK)
            run_reader(r);
        df_reader_free(r);
        repair_and_check(argv[i]);
        passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
#endif
