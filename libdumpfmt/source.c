/*
 * source.c — the lowest layer: a file descriptor that knows whether it can
 * seek, its size when known, and the raw offset of the next byte.  Reads
 * can be capped (df_reader_set_io_size) so tests exercise short reads.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int src_setup(dfi_src *s, int fd, df_error *err)
{
    struct stat st;
    off_t here;

    s->fd = fd;
    s->size = -1;
    s->pos = 0;
    s->seekable = false;
    if (fstat(fd, &st) != 0)
        return dfi_fail_errno(err, errno, -1, "could not stat input: %s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return dfi_fail(err, DF_E_USAGE, -1, "input is a directory");
    /* Only regular files seek reliably; pipes, sockets and ttys are streams. */
    if (S_ISREG(st.st_mode)) {
        here = lseek(fd, 0, SEEK_CUR);
        if (here >= 0) {
            s->seekable = true;
            s->size = st.st_size;
            s->pos = here;
        }
    }
    return DF_OK;
}

int dfi_src_open_path(dfi_src *s, const char *path, df_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc;

    s->owns_fd = false;
    if (fd < 0) {
        int e = errno;
        dfi_fail_errno(err, e, -1, "could not open \"%s\": %s", path, strerror(e));
        if (e == ENOENT && err)
            err->code = DF_E_NOTFOUND;
        return e == ENOENT ? DF_E_NOTFOUND : DF_E_IO;
    }
    rc = src_setup(s, fd, err);
    s->owns_fd = true;
    if (rc != DF_OK) {
        close(fd);
        s->fd = -1;
        s->owns_fd = false;
    }
    return rc;
}

int dfi_src_open_fd(dfi_src *s, int fd, df_error *err)
{
    s->owns_fd = false;
    return src_setup(s, fd, err);
}

ssize_t dfi_src_read(dfi_src *s, void *p, size_t n, df_error *err)
{
    ssize_t got;

    if (s->io_cap > 0 && n > s->io_cap)
        n = s->io_cap;
    for (;;) {
        got = read(s->fd, p, n);
        if (got >= 0)
            break;
        if (errno != EINTR)
            return dfi_fail_errno(err, errno, s->pos, "could not read input: %s",
                                  strerror(errno));
    }
    s->pos += got;
    return got;
}

int dfi_src_seek(dfi_src *s, int64_t off, df_error *err)
{
    if (off == s->pos)
        return DF_OK;
    if (!s->seekable)
        return dfi_fail(err, DF_E_NOSEEK, s->pos,
                        "cannot move to offset %lld in a non-seekable input", (long long)off);
    if (lseek(s->fd, (off_t)off, SEEK_SET) < 0)
        return dfi_fail_errno(err, errno, off, "could not seek: %s", strerror(errno));
    s->pos = off;
    return DF_OK;
}

void dfi_src_close(dfi_src *s)
{
    if (s->owns_fd && s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->owns_fd = false;
}
