/*
 * plainall.c — dumpconvert's pg_dumpall input (issue 14): the script becomes a
 * directory holding globals.sql (roles, memberships, tablespaces, settings),
 * one archive per database and restore.sh, which replays them in the
 * script's order.  The directory is built under a temporary name beside the
 * final one and renamed into place: it is complete or absent.
 */
#define _XOPEN_SOURCE 700
#include "plainconv.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DBS 100000

typedef struct pa_db {
    const char *name;  /* borrowed from the reader's entries */
    char *file;        /* its archive's name inside the directory */
    int create;        /* the archive holds its DATABASE entry: pg_restore --create */
} pa_db;

typedef struct pa_run {
    const char *prog, *in, *ext;
    df_reader *r;
    int flags;
    char *tmp; /* the directory being built */
    pa_db *dbs;
    size_t ndbs;
} pa_run;

/* The databases with entries, in the order the script first names them. */
static int list_dbs(pa_run *p)
{
    size_t n = df_reader_toc_count(p->r);

    p->dbs = calloc(n ? n : 1, sizeof *p->dbs);
    if (p->dbs == NULL)
        return tool_errorf(p->prog, "out of memory"), TOOL_EXIT_UNKNOWN;
    for (size_t i = 0; i < n; i++) {
        const char *db = df_reader_toc_at(p->r, i)->database;
        size_t k = 0;
        while (db != NULL && k < p->ndbs && strcmp(p->dbs[k].name, db) != 0)
            k++;
        if (db != NULL && k == p->ndbs && p->ndbs < MAX_DBS)
            p->dbs[p->ndbs++].name = db;
    }
    return TOOL_EXIT_OK;
}

/*
 * A database name as a file name: bytes other than [A-Za-z0-9_-] as %XX.  One
 * to one (so two databases never share a file), never "." or "..", never a
 * "/", and at most 3 x 63 bytes long.
 */
static char *file_name(const char *db, const char *ext)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(db), o = 0;
    char *f = malloc(3 * n + strlen(ext) + 1);

    for (size_t i = 0; f != NULL && i < n; i++) {
        unsigned char c = (unsigned char)db[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '_' || c == '-') {
            f[o++] = (char)c;
        } else {
            f[o++] = '%', f[o++] = hex[c >> 4], f[o++] = hex[c & 15];
        }
    }
    if (f != NULL)
        strcpy(f + o, ext);
    return f;
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *s = malloc(n);

    if (s != NULL)
        snprintf(s, n, "%s/%s", dir, name);
    return s;
}

/* s as an SQL or shell single-quoted literal (both double or escape the quote their way). */
static void put_quoted(FILE *f, const char *s, const char *quote_as)
{
    fputc('\'', f);
    for (; *s; s++)
        if (*s == '\'')
            fputs(quote_as, f);
        else
            fputc(*s, f);
    fputc('\'', f);
}

/*
 * pg_dumpall writes CREATE ROLE for every role, the restoring superuser's
 * too (which exists), and relies on psql going on after the error; under
 * ON_ERROR_STOP it is made conditional on the role's absence instead.
 */
static void put_role(FILE *f, const df_plain_entry *pe)
{
    const char *d = pe->defn, *end = strstr(d, ";\n");

    if (strncmp(d, "CREATE ROLE ", 12) != 0 || end == NULL || memchr(d, '\n', (size_t)(end - d))) {
        fputs(d, f);
        return;
    }
    fputs("SELECT NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ", f);
    put_quoted(f, pe->tag, "''");
    fputs(") AS dumpconvert_create_role \\gset\n\\if :dumpconvert_create_role\n", f);
    fwrite(d, 1, (size_t)(end - d) + 2, f);
    fputs("\\endif\n", f);
    fputs(end + 2, f);
}

static int write_globals(pa_run *p)
{
    df_plain_toc *pt = NULL;
    tool_file tf;
    char *path = join(p->tmp, "globals.sql");
    int rc;

    if (path == NULL)
        return tool_errorf(p->prog, "out of memory"), TOOL_EXIT_UNKNOWN;
    if (df_plain_toc_build(p->r, NULL, &pt, NULL) != DF_OK) {
        free(path);
        tool_print_error(p->prog, p->in, df_reader_error(p->r));
        return tool_exit_for_open_error(df_reader_error(p->r));
    }
    rc = tool_plain_meta(p->prog, p->in, pt, p->flags & TOOL_PLAIN_FORCE, p->flags & TOOL_PLAIN_QUIET);
    if (rc == TOOL_EXIT_OK && (rc = tool_file_create(p->prog, path, &tf)) == TOOL_EXIT_OK) {
        fprintf(tf.f, "--\n-- The globals of a pg_dumpall script, written by dumpconvert\n--\n\n"
                      "SET default_transaction_read_only = off;\n\n");
        for (size_t i = 0; i < df_plain_toc_count(pt); i++) {
            const df_plain_entry *pe = df_plain_toc_at(pt, i);
            if (pe->defn == NULL || strcmp(pe->desc, "PSQL META-COMMAND") == 0)
                continue;
            if (strcmp(pe->desc, "ROLE") == 0 && pe->tag != NULL)
                put_role(tf.f, pe);
            else
                fputs(pe->defn, tf.f);
            if (pe->defn[0] && pe->defn[strlen(pe->defn) - 1] != '\n')
                fputc('\n', tf.f);
        }
        rc = tool_file_commit(p->prog, &tf);
    }
    df_plain_toc_free(pt);
    free(path);
    return rc;
}

static int write_db(pa_run *p, pa_db *d, tool_plainall_write write, void *ctx)
{
    df_plain_toc *pt = NULL;
    df_toc *t = NULL;
    df_error err = {0};
    char *path;
    int rc;

    if ((d->file = file_name(d->name, p->ext)) == NULL || (path = join(p->tmp, d->file)) == NULL)
        return tool_errorf(p->prog, "out of memory"), TOOL_EXIT_UNKNOWN;
    if (df_plain_toc_build(p->r, d->name, &pt, NULL) != DF_OK) {
        free(path);
        tool_print_error(p->prog, p->in, df_reader_error(p->r));
        return tool_exit_for_open_error(df_reader_error(p->r));
    }
    for (size_t i = 0; i < df_plain_toc_count(pt); i++) {
        const df_plain_entry *pe = df_plain_toc_at(pt, i);
        if (strcmp(pe->desc, "DATABASE") == 0 && pe->tag && strcmp(pe->tag, d->name) == 0)
            d->create = 1;
    }
    rc = tool_plain_meta(p->prog, p->in, pt, p->flags & TOOL_PLAIN_FORCE, p->flags & TOOL_PLAIN_QUIET);
    if (rc == TOOL_EXIT_OK && df_toc_from_plain(p->r, pt, &t, &err) != DF_OK) {
        tool_print_error(p->prog, p->in, &err);
        rc = TOOL_EXIT_UNKNOWN;
    }
    if (rc == TOOL_EXIT_OK)
        rc = write(ctx, t, path);
    df_toc_free(t);
    df_plain_toc_free(pt);
    free(path);
    return rc;
}

static const char restore_head[] =
    "#!/bin/sh\n"
    "# restore.sh - written by dumpconvert from a pg_dumpall script: the globals, then each\n"
    "# database's archive in the script's order.\n"
    "# Usage: sh restore.sh [-j N] [CONNECTION OPTION]...   (-h HOST, -p PORT, -U USER; or\n"
    "#        libpq's PGHOST, PGPORT, PGUSER ...).  JOBS=N is -j N; PSQL and PG_RESTORE name\n"
    "#        the programs.  A database the script creates is created (pg_restore --create);\n"
    "#        one it only connects to (template1, postgres) must exist and is restored into.\n"
    "set -e\n"
    "JOBS=${JOBS:-1}\n"
    "case ${1:-} in\n"
    "-j) JOBS=${2:-}; shift 2 ;;\n"
    "-j*) JOBS=${1#-j}; shift ;;\n"
    "--jobs=*) JOBS=${1#--jobs=}; shift ;;\n"
    "esac\n"
    "case $JOBS in\n"
    "'' | *[!0-9]*) echo \"restore.sh: -j wants a number of jobs\" >&2; exit 2 ;;\n"
    "esac\n"
    "PSQL=${PSQL:-psql}\n"
    "PG_RESTORE=${PG_RESTORE:-pg_restore}\n"
    "cd \"$(dirname \"$0\")\"\n"
    "\"$PSQL\" -X -q -v ON_ERROR_STOP=1 -d postgres \"$@\" -f globals.sql\n";

static int write_restore(pa_run *p)
{
    tool_file tf;
    char *path = join(p->tmp, "restore.sh");
    int rc;

    if (path == NULL)
        return tool_errorf(p->prog, "out of memory"), TOOL_EXIT_UNKNOWN;
    if ((rc = tool_file_create(p->prog, path, &tf)) == TOOL_EXIT_OK) {
        fputs(restore_head, tf.f);
        for (size_t k = 0; k < p->ndbs; k++) {
            fputs("\"$PG_RESTORE\" ", tf.f);
            if (p->dbs[k].create) {
                fputs("--create -j \"$JOBS\" -d postgres", tf.f);
            } else {
                fputs("-j \"$JOBS\" -d ", tf.f);
                put_quoted(tf.f, p->dbs[k].name, "'\\''");
            }
            fprintf(tf.f, " \"$@\" %s\n", p->dbs[k].file); /* [A-Za-z0-9_%.-] only */
        }
        if (fchmod(fileno(tf.f), 0755) != 0)
            tool_errorf(p->prog, "%s: chmod: %s", path, strerror(errno));
        rc = tool_file_commit(p->prog, &tf);
    }
    free(path);
    return rc;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* The temporary directory fsynced and renamed into place, or removed. */
static int finish_dir(pa_run *p, const char *dir, int rc)
{
    int fd;

    if (rc == TOOL_EXIT_OK) {
        fd = open(p->tmp, O_RDONLY | O_DIRECTORY);
        if (fd < 0 || fsync(fd) != 0 || rename(p->tmp, dir) != 0) {
            tool_errorf(p->prog, "%s: could not rename the output into place: %s", dir,
                        strerror(errno));
            rc = TOOL_EXIT_UNKNOWN;
        }
        if (fd >= 0)
            close(fd);
    }
    if (rc != TOOL_EXIT_OK)
        nftw(p->tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}

int tool_plainall(const char *prog, const char *in, df_reader *r, int flags, const char *dir,
                  df_format format, tool_plainall_write write, void *ctx)
{
    const char *ext = format == DF_FORMAT_DIRECTORY ? ".dir"
                      : format == DF_FORMAT_TAR     ? ".tar"
                                                    : ".dump";
    pa_run p = {.prog = prog, .in = in, .ext = ext, .r = r, .flags = flags};
    struct stat st;
    size_t n = strlen(dir);
    int rc;

    if (flags & TOOL_PLAIN_SELECTING) {
        tool_errorf(prog, "%s: a plain script is converted whole (select from the archives "
                          "it becomes)", in);
        return TOOL_EXIT_UNKNOWN;
    }
    if (strcmp(dir, "-") == 0 || lstat(dir, &st) == 0) {
        tool_errorf(prog, "%s: a pg_dumpall script becomes a directory: -o wants a new one", dir);
        return TOOL_EXIT_UNKNOWN;
    }
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if ((p.tmp = malloc(n + sizeof ".XXXXXX")) == NULL)
        return tool_errorf(prog, "out of memory"), TOOL_EXIT_UNKNOWN;
    snprintf(p.tmp, n + sizeof ".XXXXXX", "%.*s.XXXXXX", (int)n, dir);
    if (mkdtemp(p.tmp) == NULL) {
        tool_errorf(prog, "%s: could not create a temporary directory: %s", dir, strerror(errno));
        free(p.tmp);
        return TOOL_EXIT_UNKNOWN;
    }
    mode_t mask = umask(0);
    umask(mask);
    chmod(p.tmp, 0777 & ~mask); /* mkdtemp's 0700 is for while it is being written */
    rc = list_dbs(&p);
    if (rc == TOOL_EXIT_OK)
        rc = write_globals(&p);
    for (size_t k = 0; rc == TOOL_EXIT_OK && k < p.ndbs; k++)
        rc = write_db(&p, &p.dbs[k], write, ctx);
    if (rc == TOOL_EXIT_OK)
        rc = write_restore(&p);
    rc = finish_dir(&p, dir, rc);
    for (size_t k = 0; k < p.ndbs; k++)
        free(p.dbs[k].file);
    free(p.dbs);
    free(p.tmp);
    return rc;
}
