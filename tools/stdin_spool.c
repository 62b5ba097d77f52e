/*
 * stdin_spool.c — a plain script on a pipe, made readable twice: the plain
 * reader lists the whole script at open and reads each entry's data again
 * afterwards, which a pipe cannot give.  The bytes are spooled, still
 * compressed if they were, to an unlinked temporary file beside the output,
 * so memory stays one copy buffer whatever the size.  Archives on a pipe are
 * recognised by peeking (tee(2) copies without consuming) and left to the
 * reader's one-pass path.
 */
#define _GNU_SOURCE
#include "stdin_spool.h"

#include "common.h"
#include "write_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PEEK_BYTES 512
#define COPY_BYTES (64 * 1024)

/* A custom archive starts with "PGDMP"; a tar one with a header whose magic is at 257. */
static int archive_magic(const unsigned char *p, size_t n)
{
    if (n >= 5 && memcmp(p, "PGDMP", 5) == 0)
        return 1;
    return n >= 262 && memcmp(p + 257, "ustar", 5) == 0;
}

/* Enough seen: an archive's magic, or the first bytes of a script (whole or compressed). */
static int decided(const unsigned char *p, size_t n)
{
    return n >= 262 || archive_magic(p, n) || (n >= 2 && memcmp(p, "--", 2) == 0) ||
           (n >= 1 && (p[0] == 0x1f || p[0] == 0x04 || p[0] == 0x28));
}

/*
 * Up to PEEK_BYTES of the pipe on fd 0, left unread.  tee(2) copies what the
 * pipe holds now without consuming it, so a writer that has written little
 * yet is asked again for a while; a short input (or a pipe tee refuses) is
 * then taken as it is.
 */
static size_t peek_pipe(unsigned char *p)
{
    int pp[2];
    ssize_t got = 0, n = 0;

    if (pipe(pp) != 0)
        return 0;
    for (int tries = 0; tries < 200; tries++) {
        got = tee(0, pp[1], PEEK_BYTES, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break; /* empty at its end, or not a pipe tee can read */
        for (n = 0; n < got;) { /* drain the copy before the next tee */
            ssize_t k = read(pp[0], p + n, (size_t)(got - n));
            if (k <= 0)
                break;
            n += k;
        }
        if (decided(p, (size_t)n))
            break;
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    close(pp[0]), close(pp[1]);
    return n > 0 ? (size_t)n : 0;
}

/* An unlinked temporary file in the directory of `out` ($TMPDIR or /tmp for "-"). */
static int spool_file(const char *prog, const char *out)
{
    const char *tmpdir = getenv("TMPDIR"), *dir = ".";
    size_t dl = 1, ol = strlen(out);
    char *name;
    int fd;

    while (ol > 1 && out[ol - 1] == '/') /* "OUT/" for a directory output */
        ol--;
    if (strcmp(out, "-") == 0) {
        dir = tmpdir && *tmpdir ? tmpdir : "/tmp", dl = strlen(dir);
    } else {
        while (ol > 0 && out[ol - 1] != '/')
            ol--;
        if (ol > 0)
            dir = out, dl = ol > 1 ? ol - 1 : 1; /* "/x" lives in "/" */
    }
    name = malloc(dl + 40);
    if (name == NULL)
        return tool_errorf(prog, "out of memory"), -1;
    snprintf(name, dl + 40, "%.*s/.dumpconvert-stdin.XXXXXX", (int)dl, dir);
    fd = mkstemp(name);
    if (fd < 0)
        tool_errorf(prog, "could not create a spool file \"%s\": %s", name, strerror(errno));
    else
        unlink(name); /* gone with the process, whatever ends it */
    free(name);
    return fd;
}

static int copy_all(const char *prog, int fd)
{
    unsigned char *buf = malloc(COPY_BYTES);
    ssize_t n;
    int rc = TOOL_EXIT_OK;

    if (buf == NULL)
        return tool_errorf(prog, "out of memory"), TOOL_EXIT_UNKNOWN;
    while (rc == TOOL_EXIT_OK && (n = read(0, buf, COPY_BYTES)) != 0) {
        if (write_guard_stopped()) { /* SIGINT/SIGTERM: no use reading the rest */
            rc = TOOL_EXIT_UNKNOWN;
            break;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            tool_errorf(prog, "-: could not read standard input: %s", strerror(errno));
            rc = TOOL_EXIT_UNKNOWN;
        }
        for (ssize_t w, off = 0; rc == TOOL_EXIT_OK && off < n; off += w)
            if ((w = write(fd, buf + off, (size_t)(n - off))) < 0 && errno != EINTR) {
                tool_errorf(prog, "could not write the spool of standard input: %s",
                            strerror(errno));
                rc = TOOL_EXIT_UNKNOWN;
            } else if (w < 0) {
                w = 0;
            }
    }
    free(buf);
    if (rc == TOOL_EXIT_OK && write_guard_stopped())
        rc = TOOL_EXIT_UNKNOWN;
    if (rc == TOOL_EXIT_OK && lseek(fd, 0, SEEK_SET) != 0)
        return tool_errorf(prog, "could not rewind the spool: %s", strerror(errno)),
               TOOL_EXIT_UNKNOWN;
    return rc;
}

int tool_stdin_spool(const char *prog, const char *out, int *fd)
{
    unsigned char peek[PEEK_BYTES];
    struct stat st;
    int rc;

    *fd = -1;
    if (fstat(0, &st) == 0 && S_ISREG(st.st_mode))
        return TOOL_EXIT_OK; /* a redirected file seeks */
    if (fstat(0, &st) == 0 && S_ISFIFO(st.st_mode) && archive_magic(peek, peek_pipe(peek)))
        return TOOL_EXIT_OK;
    if ((*fd = spool_file(prog, out)) < 0)
        return TOOL_EXIT_UNKNOWN;
    if ((rc = copy_all(prog, *fd)) != TOOL_EXIT_OK) {
        close(*fd);
        *fd = -1;
    }
    return rc;
}
