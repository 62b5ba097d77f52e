/*
 * source.c — the lowest layer: a file descriptor that knows whether it can
 * seek, its size when known, and the raw offset of the next byte.  Reads
 * can be capped (df_reader_set_io_size) so tests exercise short reads.  A
 * source can also decode a file that is compressed as a whole (a directory
 * archive's toc.dat.gz), so the parsers above never know the difference.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int src_setup(dfi_src *s, int fd, df_error *err)
{
    struct stat st;
    off_t here;

    s->fd = fd;
    s->dec = NULL;
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

/* src_setup for a descriptor the source opened itself: closed again when that fails. */
static int setup_owned(dfi_src *s, int fd, df_error *err)
{
    int rc = src_setup(s, fd, err);

    s->owns_fd = true;
    if (rc != DF_OK) {
        close(fd);
        s->fd = -1;
        s->owns_fd = false;
    }
    return rc;
}

int dfi_src_open_path(dfi_src *s, const char *path, df_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    s->owns_fd = false;
    s->dec = NULL;
    if (fd < 0) {
        int e = errno;
        dfi_fail_errno(err, e, -1, "could not open \"%s\": %s", path, strerror(e));
        if (e == ENOENT && err)
            err->code = DF_E_NOTFOUND;
        return e == ENOENT ? DF_E_NOTFOUND : DF_E_IO;
    }
    return setup_owned(s, fd, err);
}

int dfi_src_open_fd(dfi_src *s, int fd, df_error *err)
{
    s->owns_fd = false;
    s->dec = NULL;
    return src_setup(s, fd, err);
}

#define DEC_IN_SIZE 65536

/* Decoding state of a source whose file is compressed whole. */
struct dfi_src_dec {
    dfi_dec d;
    uint8_t in[DEC_IN_SIZE];
    size_t in_pos, in_len;
    int64_t raw_pos; /* bytes read from the file */
    bool in_eof;
    bool done;
};

static ssize_t raw_read(dfi_src *s, void *p, size_t n, int64_t at, df_error *err)
{
    ssize_t got;

    if (s->io_cap > 0 && n > s->io_cap)
        n = s->io_cap;
    for (;;) {
        got = read(s->fd, p, n);
        if (got >= 0)
            return got;
        if (errno != EINTR)
            return dfi_fail_errno(err, errno, at, "could not read input: %s", strerror(errno));
    }
}

/* Next compressed bytes into the input buffer; false at the end of the file. */
static int refill(dfi_src *s, struct dfi_src_dec *x, df_error *err)
{
    ssize_t got = raw_read(s, x->in, sizeof x->in, s->pos, err);

    if (got < 0)
        return (int)got;
    x->in_pos = 0;
    x->in_len = (size_t)got;
    x->raw_pos += got;
    x->in_eof = got == 0;
    return DF_OK;
}

static ssize_t decoded_read(dfi_src *s, uint8_t *p, size_t n, df_error *err)
{
    struct dfi_src_dec *x = s->dec;

    while (!x->done) {
        const uint8_t *ip;
        size_t il, ol = n;
        uint8_t *op = p;
        int rc;

        if (x->in_pos == x->in_len && !x->in_eof && (rc = refill(s, x, err)) != DF_OK)
            return rc;
        ip = x->in + x->in_pos;
        il = x->in_len - x->in_pos;
        rc = dfi_dec_step(&x->d, &ip, &il, &op, &ol);
        x->in_pos = x->in_len - il;
        if (rc != DF_OK && rc != DF_EOF)
            return dfi_fail(err, rc, s->pos + (int64_t)(n - ol), "%s", x->d.msg);
        if (ol < n) {
            s->pos += (int64_t)(n - ol);
            return (ssize_t)(n - ol);
        }
        if (rc == DF_EOF && il > 0) /* not another member: something else follows */
            return dfi_fail(err, DF_E_CORRUPT, s->pos,
                            "unexpected bytes after the compressed data");
        if (x->in_eof && il == 0) { /* stepped with no input and got nothing: the end */
            rc = dfi_dec_finish(&x->d);
            if (rc != DF_OK)
                return dfi_fail(err, rc, s->pos, "%s", x->d.msg);
            x->done = true;
        }
    }
    return 0;
}

ssize_t dfi_src_read(dfi_src *s, void *p, size_t n, df_error *err)
{
    ssize_t got;

    if (s->dec != NULL)
        return decoded_read(s, p, n, err);
    got = raw_read(s, p, n, s->pos, err);
    if (got > 0)
        s->pos += got;
    return got;
}

int dfi_src_decode(dfi_src *s, int wrap, df_error *err)
{
    struct dfi_src_dec *x;
    int rc;

    if (wrap == DFI_WRAP_RAW)
        return DF_OK;
    x = calloc(1, sizeof *x);
    if (x == NULL)
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    x->d.multi_member = true;
    rc = dfi_dec_init(&x->d, (dfi_wrap)wrap);
    if (rc != DF_OK) {
        dfi_fail(err, rc, -1, "%s", x->d.msg);
        free(x);
        return rc;
    }
    s->dec = x;
    s->seekable = false;
    s->size = -1;
    s->pos = 0;
    return DF_OK;
}

bool dfi_member_name_ok(const char *name)
{
    return name != NULL && name[0] != '\0' && strchr(name, '/') == NULL &&
           strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* What a non-regular file is, for the message that refuses it. */
static const char *file_kind(mode_t m)
{
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

static int not_regular(const char *name, mode_t m, df_error *err)
{
    return dfi_fail(err, DF_E_CORRUPT, -1, "\"%s\" is not a regular file (%s)", name,
                    file_kind(m));
}

/* DF_E_NOTFOUND for ENOENT, else DF_E_IO; err says which file and why. */
static int open_failed(const char *name, int e, df_error *err)
{
    dfi_fail_errno(err, e, -1, "could not open \"%s\": %s", name, strerror(e));
    if (e != ENOENT)
        return DF_E_IO;
    if (err != NULL)
        err->code = DF_E_NOTFOUND;
    return DF_E_NOTFOUND;
}

/*
 * A symbolic link must resolve inside the archive directory: toc.dat (or
 * anyone who can write there) must not make a tool read /etc/passwd.
 */
static int check_link(const char *dir, const char *path, const char *name, df_error *err)
{
    char *real_dir = realpath(dir, NULL), *real = realpath(path, NULL);
    size_t dl;
    int rc = DF_OK;

    if (real_dir == NULL || real == NULL) {
        rc = open_failed(name, errno, err); /* ENOENT: a dangling link, the member is missing */
    } else {
        dl = strlen(real_dir);
        if (dl == 1) /* the directory is "/" */
            dl = 0;
        if (strncmp(real, real_dir, dl) != 0 || real[dl] != '/')
            rc = dfi_fail(err, DF_E_IO, -1,
                          "\"%s\" is a symbolic link to \"%s\", outside the archive directory "
                          "(--follow-symlinks reads it)",
                          name, real);
    }
    free(real_dir);
    free(real);
    return rc;
}

/* dfi_member_check, also saying whether DIR/NAME is a symbolic link. */
static int member_check(const char *dir, const char *name, bool follow, int64_t *size,
                        bool *link, df_error *err)
{
    char path[PATH_MAX];
    struct stat st;

    if (!dfi_member_name_ok(name))
        return dfi_fail(err, DF_E_CORRUPT, -1, "invalid file name \"%s\" in archive",
                        name ? name : "");
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return dfi_fail(err, DF_E_LIMIT, -1, "path of \"%s\" is too long", name);
    if (lstat(path, &st) != 0)
        return open_failed(path, errno, err);
    *link = S_ISLNK(st.st_mode);
    if (*link) {
        int rc = follow ? DF_OK : check_link(dir, path, name, err);
        if (rc != DF_OK)
            return rc;
        if (stat(path, &st) != 0)
            return open_failed(path, errno, err);
    }
    if (!S_ISREG(st.st_mode))
        return not_regular(name, st.st_mode, err);
    if (size != NULL)
        *size = st.st_size;
    return DF_OK;
}

int dfi_member_check(const char *dir, const char *name, bool follow, int64_t *size,
                     df_error *err)
{
    bool link;

    return member_check(dir, name, follow, size, &link, err);
}

int dfi_src_open_member(dfi_src *s, const char *dir, const char *name, bool follow,
                        df_error *err)
{
    char path[PATH_MAX];
    struct stat st;
    bool link = false;
    int fd, rc = member_check(dir, name, follow, NULL, &link, err);

    s->owns_fd = false;
    s->dec = NULL;
    s->fd = -1;
    if (rc != DF_OK)
        return rc;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    /*
     * Non-blocking: a FIFO swapped in after the check must not hang open(2);
     * and a file that was no link must not have become one since.
     */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (link ? 0 : O_NOFOLLOW));
    if (fd < 0)
        return open_failed(path, errno, err);
    if (fstat(fd, &st) != 0)
        rc = dfi_fail_errno(err, errno, -1, "could not stat \"%s\": %s", name, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = not_regular(name, st.st_mode, err);
    if (rc != DF_OK) {
        close(fd);
        return rc;
    }
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return setup_owned(s, fd, err);
}

/* pg_restore's discovery order of a directory archive's file: NAME, NAME.gz, NAME.lz4, NAME.zst. */
static const char *const discover_suffix[] = {"", ".gz", ".lz4", ".zst"};
static const dfi_wrap discover_wrap[] = {DFI_WRAP_RAW, DFI_WRAP_GZIP, DFI_WRAP_LZ4F, DFI_WRAP_ZSTD};
#define DISCOVER_N (sizeof discover_suffix / sizeof discover_suffix[0])

/* Try candidate i of name into file (fn bytes): DF_OK, or DF_E_LIMIT when it does not fit. */
static int discover_name(const char *name, size_t i, char *file, size_t fn, df_error *err)
{
    if ((size_t)snprintf(file, fn, "%s%s", name, discover_suffix[i]) >= fn)
        return dfi_fail(err, DF_E_LIMIT, -1, "file name \"%s\" is too long", name);
    return DF_OK;
}

int dfi_member_discover(const char *dir, const char *name, char *member, size_t mn, int *wrap,
                        int64_t *size, bool follow, df_error *err)
{
    for (size_t i = 0; i < DISCOVER_N; i++) {
        int rc = discover_name(name, i, member, mn, err);

        if (rc == DF_OK)
            rc = dfi_member_check(dir, member, follow, size, err);
        if (rc == DF_E_NOTFOUND)
            continue;
        *wrap = discover_wrap[i];
        return rc;
    }
    return DF_E_NOTFOUND;
}

int dfi_src_open_discover(dfi_src *s, const char *dir, const char *name, char *member, size_t mn,
                          int *wrap, bool follow, df_error *err)
{
    if (!dfi_member_name_ok(name))
        return dfi_fail(err, DF_E_CORRUPT, -1, "invalid file name \"%s\" in archive",
                        name ? name : "");
    for (size_t i = 0; i < DISCOVER_N; i++) {
        char file[NAME_MAX + 1];
        int rc = discover_name(name, i, file, sizeof file, err);

        if (rc != DF_OK)
            return rc;
        rc = dfi_src_open_member(s, dir, file, follow, err);
        if (rc == DF_E_NOTFOUND)
            continue;
        if (member != NULL)
            snprintf(member, mn, "%s", file);
        *wrap = discover_wrap[i];
        return rc;
    }
    return dfi_fail(err, DF_E_NOTFOUND, -1, "\"%s\" is missing (also tried .gz, .lz4, .zst)", name);
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
    if (s->dec != NULL) {
        dfi_dec_end(&s->dec->d);
        free(s->dec);
        s->dec = NULL;
    }
    if (s->owns_fd && s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->owns_fd = false;
}
