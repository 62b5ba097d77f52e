/*
 * fuzz_walk_dir.c — libFuzzer target for the directory-format walker.  A
 * directory archive is many files, so the input is a tiny container that
 * is unpacked into a private temporary directory before the reader opens
 * it by path: per file one byte of name length, the name, a 4-byte
 * little-endian length and the bytes (tests/fuzz/pack-dir.py makes one
 * from a directory).  A name is made safe ('/' and NUL become '_', ".",
 * ".." and "" are skipped); a length past the end takes what is left.
 * Every data file, blobs.toc and large-object file is read through the
 * reader, then the directory walker (fmt_directory_walk.c) walks the same
 * directory on its own, skimming compressed files; its walk must end.  The
 * replayer opens a directory argument as the archive itself.
 */
#define FUZZ_NAME "fuzz_walk_dir"
#include "fuzz_util.h"
#include "internal.h"

#include <sys/stat.h>

/* Enough for toc.dat, a few data files and blobs; more only slows the fuzzer. */
#define MAX_FILES 64

static char dir[64];

static void remove_dir(void)
{
    if (dir[0] != '\0')
        rmdir(dir);
}

/* The temporary directory, made once per process (in memory when /dev/shm is there). */
static const char *work_dir(void)
{
    if (dir[0] == '\0') {
        snprintf(dir, sizeof dir, "/dev/shm/fuzz_walk_dir.XXXXXX");
        if (mkdtemp(dir) == NULL) {
            snprintf(dir, sizeof dir, "/tmp/fuzz_walk_dir.XXXXXX");
            if (mkdtemp(dir) == NULL) {
                dir[0] = '\0';
                return NULL;
            }
        }
        atexit(remove_dir);
    }
    return dir;
}

static int write_file(const char *path, const uint8_t *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc;

    if (fd < 0)
        return -1;
    rc = fuzz_write_all(fd, data, len);
    close(fd);
    return rc;
}

/* Unpack the container into d; the names written go to names[] (returns how many). */
static size_t unpack(const char *d, const uint8_t *p, size_t size, char names[][256])
{
    size_t pos = 0, n = 0;

    while (pos < size && n < MAX_FILES) {
        size_t nlen = p[pos++], len;
        char path[512];

        if (size - pos < nlen)
            break;
        memcpy(names[n], p + pos, nlen);
        names[n][nlen] = '\0';
        for (size_t i = 0; i < nlen; i++)
            if (names[n][i] == '/' || names[n][i] == '\0')
                names[n][i] = '_';
        pos += nlen;
        len = 0;
        for (int i = 0; i < 4 && pos < size; i++)
            len |= (size_t)p[pos++] << (8 * i);
        if (len > size - pos)
            len = size - pos;
        if (nlen == 0 || strcmp(names[n], ".") == 0 || strcmp(names[n], "..") == 0) {
            pos += len;
            continue;
        }
        snprintf(path, sizeof path, "%s/%s", d, names[n]);
        if (write_file(path, p + pos, len) == 0)
            n++;
        pos += len;
    }
    return n;
}

/* The walker's events over the directory the reader opened: every walk ends. */
static void walk_members(const char *d)
{
    df_reader *r = df_reader_new(NULL);
    dfi_dwalk k;
    df_error err;
    size_t steps = 0;

    if (r == NULL)
        return;
    if (df_reader_open_path(r, d) == DF_OK && r->fmt == &dfi_format_directory) {
        memset(&err, 0, sizeof err);
        dfi_dw_init(&k, d, r->arch.version, &r->lim, false, &err);
        k.skim = true;
        dfi_dw_toc(&k, r->entries, r->nentries);
        while (dfi_dw_next(&k) != DFI_DW_END)
            if (++steps > 100000000) /* far past any member count the input can name */
                abort();
        dfi_dw_free(&k);
    }
    df_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char names[MAX_FILES][256];
    const char *d = work_dir();
    size_t n;

    if (d == NULL)
        return 0;
    n = unpack(d, data, size, names);
    fuzz_walk_path(d);
    walk_members(d);
    for (size_t i = 0; i < n; i++) {
        char path[512];

        snprintf(path, sizeof path, "%s/%s", d, names[i]);
        unlink(path);
    }
    return 0;
}

#ifdef DF_REPLAY_MAIN
static int replay_dir(const char *path)
{
    fuzz_walk_path(path);
    walk_members(path);
    return 0;
}
#define FUZZ_REPLAY_DIR replay_dir
#include "fuzz_replay.h"
#endif
