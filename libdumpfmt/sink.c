/*
 * sink.c — where a written archive goes: a file or a directory created
 * under a temporary name beside the final one (mkstemp/mkdtemp, so nothing
 * planted at a guessable name is followed), fsynced and renamed into place
 * on commit, removed on abort, so the output is complete or absent; or
 * stdout, which can neither seek nor be taken back.
 */
#define _GNU_SOURCE /* sync_file_range (Linux) */
#include "writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Custom archives without compression have a 5-byte length per row: write in big pieces. */
#define SINK_BUF (256 * 1024)

static int io_fail(df_error *err, const char *what, const char *name)
{
    return dfi_fail_errno(err, errno, -1, "could not %s \"%s\": %s", what, name, strerror(errno));
}

/* "<path>.XXXXXX" for mkstemp/mkdtemp. */
static char *temp_template(const char *path)
{
    size_t n = strlen(path);
    char *t = malloc(n + sizeof ".XXXXXX");

    if (t != NULL) {
        memcpy(t, path, n);
        memcpy(t + n, ".XXXXXX", sizeof ".XXXXXX");
    }
    return t;
}

int dfi_sink_open(dfi_sink *s, const char *path, bool is_dir, df_error *err)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->is_dir = is_dir;
    if (!is_dir && strcmp(path, "-") == 0) {
        s->fd = STDOUT_FILENO;
        s->seekable = false; /* never seek stdout, even onto a file: pg_dump 16+'s trailer bug */
        return DF_OK;
    }
    s->path = strdup(path);
    s->tmp = temp_template(path);
    if (s->path == NULL || s->tmp == NULL) {
        dfi_sink_abort(s);
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    }
    if (is_dir) {
        if (mkdtemp(s->tmp) == NULL) {
            int rc = io_fail(err, "create a temporary directory for", path);
            free(s->tmp);
            s->tmp = NULL;
            dfi_sink_abort(s);
            return rc;
        }
        return DF_OK;
    }
    s->fd = mkstemp(s->tmp);
    if (s->fd < 0 || fchmod(s->fd, 0644) != 0) {
        int rc = io_fail(err, "create a temporary file for", path);
        if (s->fd < 0) {
            free(s->tmp);
            s->tmp = NULL;
        }
        dfi_sink_abort(s);
        return rc;
    }
    s->seekable = true;
    return DF_OK;
}

/*
 * Every WRITEBACK_STEP bytes, ask the kernel to start writing the file's dirty pages back now
 * (asynchronously): the fsync at commit then waits for the last few MB only, not for the whole
 * output, whose writing overlapped with the work that made it.  A hint: failure is harmless.
 */
#define WRITEBACK_STEP ((int64_t)8 << 20)

static void kick_writeback(dfi_sink *s, int fd)
{
    if (fd == STDOUT_FILENO || s->total - s->kicked < WRITEBACK_STEP)
        return;
    s->kicked = s->total;
#ifdef SYNC_FILE_RANGE_WRITE
    (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

int dfi_sink_fd_write(dfi_sink *s, int fd, const void *p, size_t n, const char *name,
                      df_error *err)
{
    const uint8_t *q = p;

    while (n > 0) {
        ssize_t k = write(fd, q, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return io_fail(err, "write", name);
        q += k;
        n -= (size_t)k;
        s->total += k;
    }
    kick_writeback(s, fd);
    return DF_OK;
}

int dfi_sink_flush(dfi_sink *s, df_error *err)
{
    int rc = DF_OK;

    if (s->bn > 0)
        rc = dfi_sink_fd_write(s, s->fd, s->buf, s->bn, s->path ? s->path : "stdout", err);
    s->bn = 0;
    return rc;
}

int dfi_sink_write(dfi_sink *s, const void *p, size_t n, df_error *err)
{
    int rc;

    if (s->buf == NULL && (s->buf = malloc(SINK_BUF)) == NULL)
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    s->pos += (int64_t)n;
    if (s->bn + n <= SINK_BUF) {
        memcpy(s->buf + s->bn, p, n);
        s->bn += n;
        return DF_OK;
    }
    if ((rc = dfi_sink_flush(s, err)) != DF_OK)
        return rc;
    if (n >= SINK_BUF / 2)
        return dfi_sink_fd_write(s, s->fd, p, n, s->path ? s->path : "stdout", err);
    memcpy(s->buf, p, n);
    s->bn = n;
    return DF_OK;
}

int dfi_sink_pwrite(dfi_sink *s, const void *p, size_t n, int64_t at, df_error *err)
{
    const uint8_t *q = p;
    int rc;

    if (!s->seekable)
        return dfi_fail(err, DF_E_NOSEEK, -1, "the output cannot seek");
    if ((rc = dfi_sink_flush(s, err)) != DF_OK)
        return rc;
    while (n > 0) {
        ssize_t k = pwrite(s->fd, q, n, (off_t)at);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return io_fail(err, "write", s->path);
        q += k;
        n -= (size_t)k;
        at += k;
    }
    return DF_OK;
}

int dfi_sink_member_open(dfi_sink *s, const char *name, int *fd, df_error *err)
{
    int dfd = open(s->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (dfd < 0)
        return io_fail(err, "open directory", s->tmp);
    *fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    close(dfd);
    if (*fd < 0)
        return io_fail(err, "create file", name);
    return DF_OK;
}

int dfi_sink_member_close(dfi_sink *s, int fd, const char *name, df_error *err)
{
    (void)s;
    if (fsync(fd) != 0) {
        int rc = io_fail(err, "fsync", name);
        close(fd);
        return rc;
    }
    if (close(fd) != 0)
        return io_fail(err, "close", name);
    return DF_OK;
}

static int sync_path(const char *path, bool dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

static int sync_parent(const char *path)
{
    char *copy = strdup(path);
    int rc = copy ? sync_path(dirname(copy), true) : -1;

    free(copy);
    return rc;
}

/* An existing directory at the final name may be replaced only when empty (as pg_dump -Fd). */
static int clear_target_dir(const char *path, df_error *err)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return DF_OK;
    if (!S_ISDIR(st.st_mode))
        return dfi_fail(err, DF_E_IO, -1, "\"%s\" exists and is not a directory", path);
    if (rmdir(path) != 0)
        return dfi_fail_errno(err, errno, -1, "directory \"%s\" exists and is not empty", path);
    return DF_OK;
}

int dfi_sink_commit(dfi_sink *s, df_error *err)
{
    int rc;

    if ((rc = dfi_sink_flush(s, err)) != DF_OK)
        return rc;
    if (s->path == NULL) /* stdout */
        return DF_OK;
    if (s->is_dir) {
        if (sync_path(s->tmp, true) != 0)
            return io_fail(err, "fsync", s->tmp);
        if ((rc = clear_target_dir(s->path, err)) != DF_OK)
            return rc;
    } else {
        if (fsync(s->fd) != 0)
            return io_fail(err, "fsync", s->path);
        if (close(s->fd) != 0) {
            s->fd = -1;
            return io_fail(err, "close", s->path);
        }
        s->fd = -1;
    }
    if (rename(s->tmp, s->path) != 0)
        return io_fail(err, "rename the output to", s->path);
    free(s->tmp);
    s->tmp = NULL;
    if (sync_parent(s->path) != 0)
        return io_fail(err, "fsync the directory of", s->path);
    free(s->path);
    s->path = NULL;
    return DF_OK;
}

/* Remove a temporary directory the writer made: only plain files, no recursion needed. */
static void remove_dir(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;

    if (d != NULL) {
        while ((de = readdir(d)) != NULL)
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
    }
    rmdir(path);
}

void dfi_sink_abort(dfi_sink *s)
{
    if (s->fd >= 0 && s->fd != STDOUT_FILENO)
        close(s->fd);
    s->fd = -1;
    if (s->tmp != NULL) {
        if (s->is_dir)
            remove_dir(s->tmp);
        else
            unlink(s->tmp);
    }
    free(s->tmp);
    free(s->path);
    free(s->buf);
    s->tmp = s->path = NULL;
    s->buf = NULL;
    s->bn = 0;
}
