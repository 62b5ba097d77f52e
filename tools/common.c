/*
 * common.c — helpers shared by the dumpfmt command-line tools: exit status
 * mapping, the one-line error format, output finishing, option parsing,
 * progress lines, pg_restore-style rendering, the installed pg_restore, the
 * CPU count and the JSON writer.  See common.h for the contracts.
 */
#define _GNU_SOURCE /* localtime_r, tzset, clock_gettime under -std=c11 */

#include "common.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Exit status and error lines                                         */
/* ------------------------------------------------------------------ */

int tool_exit_for_status(int code)
{
    switch (code) {
    case DF_OK:
    case DF_EOF: return TOOL_EXIT_OK;
    /* The archive is at fault: a restore from it would fail or lose data. */
    case DF_E_FORMAT:
    case DF_E_CORRUPT:
    case DF_E_TRUNCATED:
    case DF_E_LIMIT:
    case DF_E_NOTFOUND: return TOOL_EXIT_DAMAGED;
    /* The tool could not do its job; the archive may well be fine. */
    case DF_E_IO:
    case DF_E_NOMEM:
    case DF_E_VERSION:
    case DF_E_UNSUPPORTED:
    case DF_E_NOSEEK:
    case DF_E_USAGE:
    default: return TOOL_EXIT_UNKNOWN;
    }
}

int tool_exit_for_open_error(const df_error *err)
{
    if (err->code == DF_E_NOTFOUND && err->member[0] == '\0')
        return TOOL_EXIT_UNKNOWN;
    return tool_exit_for_status(err->code);
}

int tool_exit_worse(int a, int b)
{
    return a > b ? a : b;
}

void tool_print_error(const char *prog, const char *path, const df_error *err)
{
    const char *msg = err->message[0] ? err->message : df_strstatus(err->code);

    size_t plen = strlen(path);

    /* "dir/" + "2890.dat.gz" must not become "dir//2890.dat.gz". */
    while (plen > 1 && path[plen - 1] == '/')
        plen--;
    fprintf(stderr, "%s: %.*s", prog, (int)plen, path);
    if (err->member[0])
        fprintf(stderr, "/%s", err->member);
    if (err->offset >= 0)
        fprintf(stderr, ": offset %lld", (long long)err->offset);
    fprintf(stderr, ": %s\n", msg);
}

void tool_errorf(const char *prog, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void tool_usage_hint(const char *prog)
{
    fprintf(stderr, "Try \"%s --help\" for more information.\n", prog);
}

void tool_print_version(const char *prog)
{
    printf("%s (dumpfmt) %s\n", prog, DF_VERSION_STRING);
}

int tool_finish_output(const char *prog, FILE *out)
{
    int failed, saved_errno;

    errno = 0;
    failed = fflush(out) != 0 || ferror(out);
    saved_errno = errno;
    if (fclose(out) != 0 && !failed) {
        failed = 1;
        saved_errno = errno;
    }
    if (!failed)
        return TOOL_EXIT_OK;
    if (saved_errno != 0)
        tool_errorf(prog, "could not write output: %s", strerror(saved_errno));
    else
        tool_errorf(prog, "could not write output");
    return TOOL_EXIT_UNKNOWN;
}

/* ------------------------------------------------------------------ */
/* Files written whole or not at all                                   */
/* ------------------------------------------------------------------ */

int tool_same_file(const char *a, const char *b)
{
    struct stat sa, sb;

    return a != NULL && b != NULL && stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
           sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

void tool_file_abort(tool_file *tf)
{
    if (tf->f != NULL)
        fclose(tf->f);
    if (tf->tmp != NULL)
        unlink(tf->tmp);
    free(tf->tmp);
    free(tf->path);
    memset(tf, 0, sizeof *tf);
}

int tool_file_create(const char *prog, const char *path, tool_file *out)
{
    size_t n = strlen(path);
    int fd;

    memset(out, 0, sizeof *out);
    out->path = strdup(path);
    out->tmp = malloc(n + sizeof ".XXXXXX");
    if (out->path == NULL || out->tmp == NULL) {
        tool_file_abort(out);
        tool_errorf(prog, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    memcpy(out->tmp, path, n);
    memcpy(out->tmp + n, ".XXXXXX", sizeof ".XXXXXX");
    /* mkstemp: a new name (O_EXCL), so a link planted at a guessable name is never followed */
    fd = mkstemp(out->tmp);
    if (fd < 0 || fchmod(fd, 0644) != 0 || (out->f = fdopen(fd, "w")) == NULL) {
        int saved = errno;
        if (fd >= 0) {
            close(fd);
        } else { /* nothing was created: keep abort from unlinking the name */
            free(out->tmp);
            out->tmp = NULL;
        }
        tool_errorf(prog, "could not create a temporary file for \"%s\": %s", path,
                    strerror(saved));
        tool_file_abort(out);
        return TOOL_EXIT_UNKNOWN;
    }
    return TOOL_EXIT_OK;
}

/* fsync the directory holding PATH, so that the rename itself survives a crash. */
static int sync_parent_dir(const char *path)
{
    char *copy = strdup(path);
    int fd, rc = -1;

    if (copy == NULL)
        return -1;
    fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        rc = fsync(fd);
        close(fd);
    }
    free(copy);
    return rc;
}

int tool_file_commit(const char *prog, tool_file *tf)
{
    int failed, saved;

    errno = 0;
    failed = fflush(tf->f) != 0 || ferror(tf->f) || fsync(fileno(tf->f)) != 0;
    saved = errno;
    if (fclose(tf->f) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    tf->f = NULL;
    if (!failed && rename(tf->tmp, tf->path) != 0) {
        failed = 1;
        saved = errno;
    }
    if (failed) {
        tool_errorf(prog, "could not write \"%s\": %s", tf->path,
                    saved ? strerror(saved) : "write error");
        tool_file_abort(tf);
        return TOOL_EXIT_UNKNOWN;
    }
    free(tf->tmp);
    tf->tmp = NULL;
    if (sync_parent_dir(tf->path) != 0) {
        tool_errorf(prog, "could not sync the directory of \"%s\": %s", tf->path, strerror(errno));
        tool_file_abort(tf);
        return TOOL_EXIT_UNKNOWN;
    }
    tool_file_abort(tf); /* frees the names; the temporary file is gone */
    return TOOL_EXIT_OK;
}

int tool_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    if (s == NULL || *s == '\0')
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* ------------------------------------------------------------------ */
/* String lists                                                        */
/* ------------------------------------------------------------------ */

int tool_strv_push(tool_strv *sv, const char *s)
{
    if (sv->n == sv->cap) {
        size_t ncap = sv->cap ? sv->cap * 2 : 8;
        const char **nv = realloc(sv->v, ncap * sizeof *nv);

        if (nv == NULL)
            return -1;
        sv->v = nv;
        sv->cap = ncap;
    }
    sv->v[sv->n++] = s;
    return 0;
}

void tool_strv_free(tool_strv *sv)
{
    free(sv->v);
    sv->v = NULL;
    sv->n = sv->cap = 0;
}

/* ------------------------------------------------------------------ */
/* The installed pg_restore                                            */
/* ------------------------------------------------------------------ */

#define PG_BINROOT "/usr/lib/postgresql/" /* where pg_wrapper finds its programs */

/* The first executable `pg_restore` in $PATH into buf; 0, or -1 when there is none. */
static int find_on_path(char *buf, size_t n)
{
    const char *path = getenv("PATH"), *p, *end;

    for (p = path ? path : "/usr/bin:/bin"; p != NULL; p = *end ? end + 1 : NULL) {
        struct stat st;
        size_t len;
        int w;

        end = strchr(p, ':');
        if (end == NULL)
            end = p + strlen(p);
        len = (size_t)(end - p);
        /* an empty entry is the current directory, as for the shell */
        w = len == 0 ? snprintf(buf, n, "pg_restore")
                     : snprintf(buf, n, "%.*s/pg_restore", (int)len, p);
        if (w > 0 && (size_t)w < n && stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
            access(buf, X_OK) == 0)
            return 0;
    }
    return -1;
}

/* The leading major number of a version string ("15", "9.6" -> 9), 0 when there is none. */
static int leading_major(const char *s)
{
    long v = 0;

    if (*s < '0' || *s > '9')
        return 0;
    for (; *s >= '0' && *s <= '9' && v < 1000; s++)
        v = v * 10 + (*s - '0');
    return v > 0 && v < 1000 ? (int)v : 0;
}

/* 1 when PG_BINROOT<version>/bin/pg_restore exists, version taken up to '/' or the end. */
static int binroot_has(const char *version, size_t len)
{
    char buf[PATH_MAX];
    int w = snprintf(buf, sizeof buf, PG_BINROOT "%.*s/bin/pg_restore", (int)len, version);

    return w > 0 && (size_t)w < sizeof buf && access(buf, X_OK) == 0;
}

/* The oldest and newest N with PG_BINROOT/N/bin/pg_restore; hi stays 0 when there is none. */
static void binroot_range(int *lo, int *hi)
{
    DIR *d = opendir(PG_BINROOT);
    struct dirent *de;

    *lo = *hi = 0;
    while (d != NULL && (de = readdir(d)) != NULL) {
        int v = leading_major(de->d_name);

        if (v == 0 || !binroot_has(de->d_name, strlen(de->d_name)))
            continue;
        if (*lo == 0 || v < *lo)
            *lo = v;
        if (v > *hi)
            *hi = v;
    }
    if (d != NULL)
        closedir(d);
}

/*
 * Debian's pg_wrapper (/usr/share/postgresql-common/pg_wrapper) runs an
 * installed version or fails: $PGHOST means the newest, $PGCLUSTER
 * ("15/main") its version or an error; else its cluster lookup ends in one
 * of the installed versions.
 */
static void wrapper_range(tool_pg_restore *pr)
{
    const char *cluster = getenv("PGCLUSTER");
    const char *slash = cluster ? strchr(cluster, '/') : NULL;

    binroot_range(&pr->lo, &pr->hi);
    if (getenv("PGHOST") != NULL)
        pr->lo = pr->hi;
    else if (slash != NULL && binroot_has(cluster, (size_t)(slash - cluster)))
        pr->lo = pr->hi = leading_major(cluster);
    else if (cluster != NULL)
        pr->lo = pr->hi = 0; /* "Invalid version ... specified in PGCLUSTER" */
}

/* The release in a binary's path: .../postgresql/N/bin/pg_restore or /usr/pgsql-N/bin/. */
static int release_in_path(const char *real)
{
    const char *p = strstr(real, "/postgresql/");

    if (p != NULL && leading_major(p + 12) > 0)
        return leading_major(p + 12);
    p = strstr(real, "/pgsql-");
    return p != NULL ? leading_major(p + 7) : 0;
}

static void scan_path(tool_pg_restore *pr)
{
    char found[PATH_MAX], real[PATH_MAX];
    const char *base;
    int v;

    pr->scanned = 1;
    pr->lo = pr->hi = 0;
    if (find_on_path(found, sizeof found) != 0)
        return;
    if (realpath(found, real) == NULL)
        snprintf(real, sizeof real, "%s", found);
    base = strrchr(real, '/');
    base = base ? base + 1 : real;
    if (strcmp(base, "pg_wrapper") == 0) {
        wrapper_range(pr);
        return;
    }
    if ((v = release_in_path(real)) > 0) {
        pr->lo = pr->hi = v;
        return;
    }
    pr->lo = TOOL_PG_RESTORE_OLDEST, pr->hi = 99;
}

int tool_pg_restore_version_major(const char *line)
{
    const char *s = strstr(line, ") ");

    for (s = s ? s + 2 : line; *s && (*s < '0' || *s > '9'); s++)
        ;
    return leading_major(s);
}

/* Run `pg_restore --version` (the slow way, at most once); lo = hi = its answer or 0. */
static void probe(tool_pg_restore *pr)
{
    char line[256] = "";
    FILE *p;

    pr->probed = 1;
    fflush(NULL); /* nothing buffered may be written twice by the child */
    p = popen("pg_restore --version 2>/dev/null", "r");
    pr->lo = pr->hi = 0;
    if (p == NULL)
        return;
    if (fgets(line, sizeof line, p) != NULL)
        pr->lo = pr->hi = tool_pg_restore_version_major(line);
    if (pclose(p) != 0)
        pr->lo = pr->hi = 0;
}

void tool_pg_restore_init(tool_pg_restore *pr)
{
    memset(pr, 0, sizeof *pr);
}

int tool_pg_restore_major(tool_pg_restore *pr, int minor)
{
    if (!pr->scanned)
        scan_path(pr);
    if (pr->lo == pr->hi)
        return pr->lo;
    if (minor <= df_pg_restore_max_minor(pr->lo))
        return 0; /* whichever it is reads the archive */
    probe(pr);
    return pr->lo;
}

int tool_pg_restore_found(tool_pg_restore *pr)
{
    if (!pr->scanned)
        scan_path(pr);
    return pr->hi > 0;
}

long tool_cpu_count(void)
{
    cpu_set_t set;
    long n;

    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

/* ------------------------------------------------------------------ */
/* pg_restore-style rendering                                          */
/* ------------------------------------------------------------------ */

void tool_put_sanitized(FILE *out, const char *s, int want_hyphen)
{
    if (s == NULL || *s == '\0') {
        if (want_hyphen)
            fputc('-', out);
        return;
    }
    for (; *s; s++)
        fputc(*s == '\r' || *s == '\n' ? ' ' : *s, out);
}

/* ------------------------------------------------------------------ */
/* Progress                                                            */
/* ------------------------------------------------------------------ */

static int64_t monotonic_ns(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void tool_progress_init(tool_progress *p, const char *prog, tool_progress_mode mode)
{
    memset(p, 0, sizeof *p);
    p->prog = prog;
    p->tty = isatty(STDERR_FILENO);
    if (mode == TOOL_PROGRESS_ON)
        p->enabled = 1;
    else if (mode == TOOL_PROGRESS_AUTO)
        p->enabled = p->tty;
    p->last_ns = -1;
    p->start_ns = monotonic_ns();
    p->cols = 80;
    if (p->tty) {
        struct winsize ws;
        if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
            p->cols = ws.ws_col;
    }
}

void tool_progress_update(tool_progress *p, const char *what, size_t done, size_t total,
                          const char *unit)
{
    int64_t now;

    if (!p->enabled)
        return;
    /* Rate-limit to 4 lines a second, but always show the final count. */
    now = monotonic_ns();
    if (done != total && p->last_ns >= 0 && now - p->last_ns < 250000000)
        return;
    p->last_ns = now;
    if (p->tty) {
        fprintf(stderr, "\r%s: %s: %zu/%zu %s\033[K", p->prog, what, done, total, unit);
        p->drawn = 1;
    } else {
        fprintf(stderr, "%s: %s: %zu/%zu %s\n", p->prog, what, done, total, unit);
    }
    fflush(stderr);
}

/* Cut s to at most max bytes without splitting a UTF-8 sequence. */
static void cut_utf8(char *s, size_t max)
{
    size_t len = strlen(s);

    if (len <= max)
        return;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    s[max] = '\0';
}

void tool_progress_bytes(tool_progress *p, const char *what, const df_progress *dp)
{
    char head[256], body[512], line[768];
    double secs, rate = 0;
    int64_t now;

    if (!p->enabled)
        return;
    now = monotonic_ns();
    if (p->last_ns >= 0 && now - p->last_ns < 250000000)
        return; /* four redraws a second at most: no flood on a slow terminal */
    p->last_ns = now;
    secs = (double)(now - p->start_ns) / 1e9;
    if (secs >= 0.001 && dp->done > 0)
        rate = (double)dp->done / secs;
    df_progress_format(dp, rate, body, sizeof body);
    if (what != NULL)
        snprintf(head, sizeof head, "%s: %s: ", p->prog, what);
    else
        snprintf(head, sizeof head, "%s: ", p->prog);
    snprintf(line, sizeof line, "%s%s", head, body);
    if (p->tty) {
        cut_utf8(line, p->cols > 1 ? p->cols - 1 : 1);
        fprintf(stderr, "\r%s\033[K", line);
        p->drawn = 1;
    } else {
        fprintf(stderr, "%s\n", line);
    }
    fflush(stderr);
}

void tool_progress_cb(void *ctx, const df_progress *dp)
{
    tool_progress *p = ctx;

    tool_progress_bytes(p, p->what, dp);
}

void tool_progress_end(tool_progress *p)
{
    if (p->enabled && p->tty && p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->drawn = 0;
}

/* ------------------------------------------------------------------ */
/* JSON strings                                                        */
/* ------------------------------------------------------------------ */

/*
 * Length (2..4) of the well-formed UTF-8 sequence starting at p (a byte
 * >= 0x80), or 0 when it is not one: no overlong forms, no surrogates,
 * nothing above U+10FFFF (RFC 3629).
 */
static size_t utf8_sequence_len(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    uint32_t cp, min;
    size_t need, i;

    if (c >= 0xC2 && c <= 0xDF) {
        need = 2, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (avail < need)
        return 0;
    for (i = 1; i < need; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}

void tool_json_write_string(FILE *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0; /* bytes [i - run, i) are pending verbatim output */

    fputc('"', out);
    while (i < len) {
        unsigned char c = p[i];
        size_t seq = 1;

        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++, run++;
            continue;
        }
        if (c >= 0x80 && (seq = utf8_sequence_len(p + i, len - i)) > 0) {
            i += seq, run += seq;
            continue;
        }
        fwrite(p + i - run, 1, run, out);
        run = 0;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else
            fprintf(out, "\\u%04x", c); /* control character or a stray byte */
        i++;
    }
    fwrite(p + i - run, 1, run, out);
    fputc('"', out);
}

/* ------------------------------------------------------------------ */
/* JSON writer                                                         */
/* ------------------------------------------------------------------ */

void tool_json_init(tool_json *j, FILE *out, int indent)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    j->indent = indent;
}

static int json_is_inline(const tool_json *j)
{
    return j->indent == 0 || (j->inline_from > 0 && j->depth >= j->inline_from);
}

static void json_newline(tool_json *j, int depth)
{
    fputc('\n', j->out);
    fprintf(j->out, "%*s", depth * j->indent, "");
}

/* Separator and indentation before a value or a key at the current depth. */
static void json_before_item(tool_json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->depth == 0)
        return;
    if (j->has_items[j->depth])
        fputc(',', j->out);
    if (json_is_inline(j)) {
        if (j->has_items[j->depth] && j->indent > 0)
            fputc(' ', j->out);
    } else {
        json_newline(j, j->depth);
    }
    j->has_items[j->depth] = 1;
}

static void json_open(tool_json *j, char bracket, int inline_container)
{
    json_before_item(j);
    fputc(bracket, j->out);
    assert(j->depth < TOOL_JSON_MAX_DEPTH);
    j->depth++;
    j->has_items[j->depth] = 0;
    if (inline_container && j->inline_from == 0)
        j->inline_from = j->depth;
}

static void json_close(tool_json *j, char bracket)
{
    int had_items = j->has_items[j->depth];
    int was_inline = json_is_inline(j);

    assert(j->depth > 0);
    if (j->inline_from == j->depth)
        j->inline_from = 0;
    j->depth--;
    if (had_items && !was_inline)
        json_newline(j, j->depth);
    fputc(bracket, j->out);
}

void tool_json_begin_object(tool_json *j)
{
    json_open(j, '{', 0);
}

void tool_json_end_object(tool_json *j)
{
    json_close(j, '}');
}

void tool_json_begin_array(tool_json *j)
{
    json_open(j, '[', 0);
}

void tool_json_begin_array_inline(tool_json *j)
{
    json_open(j, '[', 1);
}

void tool_json_end_array(tool_json *j)
{
    json_close(j, ']');
}

void tool_json_key(tool_json *j, const char *key)
{
    json_before_item(j);
    tool_json_write_string(j->out, key, strlen(key));
    fputs(j->indent > 0 ? ": " : ":", j->out);
    j->after_key = 1;
}

void tool_json_string(tool_json *j, const char *s)
{
    if (s == NULL) {
        tool_json_null(j);
        return;
    }
    json_before_item(j);
    tool_json_write_string(j->out, s, strlen(s));
}

void tool_json_int(tool_json *j, int64_t v)
{
    json_before_item(j);
    fprintf(j->out, "%lld", (long long)v);
}

void tool_json_uint(tool_json *j, uint64_t v)
{
    json_before_item(j);
    fprintf(j->out, "%llu", (unsigned long long)v);
}

void tool_json_bool(tool_json *j, int v)
{
    json_before_item(j);
    fputs(v ? "true" : "false", j->out);
}

void tool_json_null(tool_json *j)
{
    json_before_item(j);
    fputs("null", j->out);
}

void tool_json_finish(tool_json *j)
{
    fputc('\n', j->out);
}

/* ------------------------------------------------------------------ */
/* Selections that match nothing                                       */
/* ------------------------------------------------------------------ */

/* A hint for a likely mistake, or "". */
static const char *unmatched_hint(const df_reader *r, const df_unmatched *u, char *buf, size_t n)
{
    const char *dot = strchr(u->name, '.');
    df_select_options so;
    size_t nu = 1;

    if (strcmp(u->option, "-t") == 0 && dot != NULL && dot != u->name && dot[1] != '\0') {
        snprintf(buf, n, "; names are not schema-qualified: use -n \"%.*s\" -t \"%s\"",
                 (int)(dot - u->name), u->name, dot + 1);
        return buf;
    }
    df_select_options_default(&so);
    so.tables = &u->name;
    so.ntables = 1;
    if (strcmp(u->option, "-T") == 0 && df_select_unmatched(r, &so, NULL, 0, &nu, NULL) == DF_OK &&
        nu == 0)
        return "; -T selects a trigger, as in pg_restore: --exclude-table leaves out a table";
    return "";
}

int tool_report_unmatched(const char *prog, const char *path, const df_reader *r,
                          const df_select_options *so, int strict, int quiet)
{
    size_t n = 0;
    df_unmatched *u;
    char hint[600];
    df_error err;

    if (df_select_unmatched(r, so, NULL, 0, &n, &err) != DF_OK) {
        tool_errorf(prog, "%s", err.message);
        return TOOL_EXIT_UNKNOWN;
    }
    if (n == 0)
        return TOOL_EXIT_OK;
    if ((u = calloc(n, sizeof *u)) == NULL) {
        tool_errorf(prog, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    (void)df_select_unmatched(r, so, u, n, &n, NULL); /* the same call: it cannot fail now */
    for (size_t k = 0; k < n && (strict || !quiet); k++)
        tool_errorf(prog, "%s: %s \"%s\" not found (%s matches nothing)%s", path, u[k].kind,
                    u[k].name, u[k].option, unmatched_hint(r, &u[k], hint, sizeof hint));
    free(u);
    return strict ? TOOL_EXIT_UNKNOWN : TOOL_EXIT_WARNING;
}

/* ------------------------------------------------------------------ */
/* Option parsing                                                      */
/* ------------------------------------------------------------------ */

int tool_parse_args(const char *prog, int argc, char **argv, const char *shortopts,
                    const struct option *longopts, tool_apply_fn apply, void *ctx)
{
    char prog_name[64];
    char *argv0 = argv[0];
    int c, rc = -1;

    snprintf(prog_name, sizeof prog_name, "%s", prog);
    argv[0] = prog_name; /* getopt's own messages name argv[0] */
    while (rc < 0 && (c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1)
        rc = apply(ctx, c, optarg);
    argv[0] = argv0;
    return rc;
}

int tool_want_operands(const char *prog, int argc, int min, int max, const char *missing)
{
    int n = argc - optind;

    if (n >= min && (max < 0 || n <= max))
        return -1;
    tool_errorf(prog, "%s", n < min ? missing : "too many arguments");
    tool_usage_hint(prog);
    return TOOL_EXIT_UNKNOWN;
}
