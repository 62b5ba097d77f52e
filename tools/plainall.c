/*
 * plainall.c — dumpconvert's pg_dumpall input (issue 14): the script becomes a
 * directory holding globals.sql (roles, memberships, tablespaces, settings),
 * drop.sql (a --clean script's DROP statements, which restore.sh does not
 * run), one archive per database and restore.sh, which replays them in the
 * script's order.  The directory is built under a temporary name beside the
 * final one and renamed into place: it is complete or absent, also when a
 * signal stops the tool (write_guard_defer: it then removes the tree itself).
 */
#define _GNU_SOURCE /* renameat2 */
#include "plainconv.h"
#include "write_guard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DBS 100000

typedef struct pa_db {
    const char *name;  /* borrowed from the reader's entries */
    char *file;        /* its archive's name inside the directory */
    int create;        /* the archive holds its DATABASE entry: pg_restore --create */
} pa_db;

/* What -o names: a new directory, an empty one, or an earlier output replaced (--force). */
typedef enum { PA_NEW, PA_EMPTY, PA_REPLACE } pa_target;

typedef struct pa_run {
    const char *prog, *in, *ext;
    df_reader *r;
    int flags;
    pa_target target;
    char *tmp; /* the directory being built */
    pa_db *dbs;
    size_t ndbs;
} pa_run;

/* A signal asked to stop (write_guard_defer): what is built goes, then the tool dies of it. */
static int stopped(void)
{
    return write_guard_stopped() ? TOOL_EXIT_UNKNOWN : TOOL_EXIT_OK;
}

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
        memcpy(f + o, ext, strlen(ext) + 1);
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

/* DROP DATABASE, DROP ROLE, DROP TABLESPACE: the top of a pg_dumpall --clean script. */
static int is_drop(const df_plain_entry *pe)
{
    return strncmp(pe->desc, "DROP ", 5) == 0;
}

/*
 * A drop for drop.sql, which empties an existing cluster: IF EXISTS added where
 * the script has none, and the role psql runs as left alone (pg_dumpall drops
 * every role, that one too, and relies on psql going on after the error).
 */
static void put_drop(FILE *f, const df_plain_entry *pe)
{
    const char *d = pe->defn, *kind = d + 5;
    size_t kn = strcspn(kind, " \n");
    int guard = strcmp(pe->desc, "DROP ROLE") == 0 && pe->tag != NULL && !strchr(pe->tag, ',');

    if (strncmp(d, "DROP ", 5) != 0 || kind[kn] != ' ') {
        fputs(d, f);
        return;
    }
    if (guard) {
        fputs("SELECT current_user <> ", f);
        put_quoted(f, pe->tag, "''");
        fputs(" AS dumpconvert_drop_role \\gset\n\\if :dumpconvert_drop_role\n", f);
    }
    fprintf(f, "DROP %.*s %s%s", (int)kn, kind,
            strncasecmp(kind + kn + 1, "IF EXISTS ", 10) == 0 ? "" : "IF EXISTS ", kind + kn + 1);
    if (guard)
        fputs(d[strlen(d) - 1] == '\n' ? "\\endif\n" : "\n\\endif\n", f);
}

/* The entries outside every database that `pick` accepts, as `name`; none: no file. */
static int write_sql(pa_run *p, const df_plain_toc *pt, const char *name, const char *title,
                     int (*pick)(const df_plain_entry *), void (*put)(FILE *, const df_plain_entry *))
{
    tool_file tf;
    char *path;
    size_t n = 0;
    int rc;

    for (size_t i = 0; i < df_plain_toc_count(pt); i++)
        n += pick(df_plain_toc_at(pt, i));
    if (n == 0 && strcmp(name, "globals.sql") != 0)
        return TOOL_EXIT_OK;
    if ((path = join(p->tmp, name)) == NULL)
        return tool_errorf(p->prog, "out of memory"), TOOL_EXIT_UNKNOWN;
    if ((rc = tool_file_create(p->prog, path, &tf)) == TOOL_EXIT_OK) {
        fprintf(tf.f, "--\n-- %s, written by dumpconvert\n--\n\n"
                      "SET default_transaction_read_only = off;\n\n", title);
        for (size_t i = 0; i < df_plain_toc_count(pt); i++) {
            const df_plain_entry *pe = df_plain_toc_at(pt, i);
            if (!pick(pe))
                continue;
            put(tf.f, pe);
            if (pe->defn[0] && pe->defn[strlen(pe->defn) - 1] != '\n')
                fputc('\n', tf.f);
        }
        rc = tool_file_commit(p->prog, &tf);
    }
    free(path);
    return rc;
}

static int pick_global(const df_plain_entry *pe)
{
    return pe->defn != NULL && strcmp(pe->desc, "PSQL META-COMMAND") != 0 && !is_drop(pe);
}

static int pick_drop(const df_plain_entry *pe)
{
    return pe->defn != NULL && is_drop(pe);
}

static void put_global(FILE *f, const df_plain_entry *pe)
{
    if (strcmp(pe->desc, "ROLE") == 0 && pe->tag != NULL)
        put_role(f, pe);
    else
        fputs(pe->defn, f);
}

/* globals.sql, and drop.sql for a --clean script (restore.sh, for an empty cluster, skips it). */
static int write_globals(pa_run *p)
{
    df_plain_toc *pt = NULL;
    int rc;

    if (df_plain_toc_build(p->r, NULL, &pt, NULL) != DF_OK) {
        tool_print_error(p->prog, p->in, df_reader_error(p->r));
        return tool_exit_for_open_error(df_reader_error(p->r));
    }
    rc = tool_plain_meta(p->prog, p->in, pt, p->flags & TOOL_PLAIN_FORCE, p->flags & TOOL_PLAIN_QUIET);
    if (rc == TOOL_EXIT_OK)
        rc = write_sql(p, pt, "globals.sql", "The globals of a pg_dumpall script", pick_global,
                       put_global);
    if (rc == TOOL_EXIT_OK)
        rc = write_sql(p, pt, "drop.sql",
                       "The DROP statements of a pg_dumpall --clean script, for an existing "
                       "cluster\n-- (restore.sh does not run them)",
                       pick_drop, put_drop);
    df_plain_toc_free(pt);
    return rc;
}

/*
 * An entry of the globals' kinds inside a database's section: pg_dumpall < 11
 * moves "postgres" or "template1" to its tablespace with \connect in its globals
 * part, and what follows looks like that database's.  An archive would carry
 * it to the wrong place (or pg_restore skip it): refused.
 */
static const df_plain_entry *misplaced(const df_plain_toc *pt, const char *db)
{
    static const char *const kinds[] = {"ROLE", "ROLE SETTINGS", "ROLE MEMBERSHIP", "TABLESPACE",
                                        "PARAMETER ACL", NULL};

    for (size_t i = 0; i < df_plain_toc_count(pt); i++) {
        const df_plain_entry *pe = df_plain_toc_at(pt, i);
        if (is_drop(pe) || (strcmp(pe->desc, "DATABASE") == 0 && pe->tag && strcmp(pe->tag, db)))
            return pe;
        for (size_t k = 0; kinds[k]; k++)
            if (strcmp(pe->desc, kinds[k]) == 0)
                return pe;
    }
    return NULL;
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
    if (rc == TOOL_EXIT_OK && misplaced(pt, d->name) != NULL) {
        const df_plain_entry *pe = misplaced(pt, d->name);
        tool_errorf(p->prog, "%s: offset %lld: %s %s of the globals inside the section of "
                             "database \"%s\" (\\connect in the globals part, as pg_dumpall < 11 "
                             "writes to move a database's tablespace): cannot be converted",
                    p->in, (long long)pe->text_offset, pe->desc, pe->tag ? pe->tag : "", d->name);
        rc = TOOL_EXIT_DAMAGED;
    }
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
    "#        one it only connects to (template1, postgres) must exist and is restored into;\n"
    "#        template1 and postgres of a --clean script are dropped and created again\n"
    "#        (psql, then pg_restore --create, from the other one).  For an empty cluster:\n"
    "#        drop.sql, if any, holds the script's DROP statements and is not run.\n"
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

/*
 * template1 or postgres, which a --clean script drops and creates again: the
 * drop from the other database, by psql, one statement at a time (pg_restore
 * --clean would send pg_dump's "UPDATE ... datistemplate = false; DROP
 * DATABASE" as one query, which DROP DATABASE refuses); then pg_restore
 * --create.  `name` is one of the two, so it needs no quoting.
 */
static void put_redo(FILE *f, const char *name)
{
    fprintf(f, "\"$PSQL\" -X -q -v ON_ERROR_STOP=1 -d %s \"$@\" -c \"UPDATE pg_catalog.pg_database "
               "SET datistemplate = false WHERE datname = '%s'\" -c 'DROP DATABASE %s'\n",
            strcmp(name, "postgres") == 0 ? "template1" : "postgres", name, name);
}

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
            const char *name = p->dbs[k].name;
            int exists = !strcmp(name, "postgres") || !strcmp(name, "template1");
            if (p->dbs[k].create && exists) /* a --clean script: pg_dump --clean --create's */
                put_redo(tf.f, name);
            fputs("\"$PG_RESTORE\" ", tf.f);
            if (p->dbs[k].create && exists) {
                fprintf(tf.f, "--create -j \"$JOBS\" -d %s",
                        strcmp(name, "postgres") == 0 ? "template1" : "postgres");
            } else if (p->dbs[k].create) {
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

static void remove_tree(const char *path)
{
    nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* 1: `dir` is empty, 0: it is not, -1: it cannot be read. */
static int dir_empty(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int empty = 1;

    if (d == NULL)
        return -1;
    while (empty && (de = readdir(d)) != NULL)
        empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
    closedir(d);
    return empty;
}

/* An earlier output of this tool: its restore.sh says so on its second line. */
static int ours(const char *dir)
{
    char line[256], *path = join(dir, "restore.sh");
    int fd = path ? open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    int yes = f != NULL && fgets(line, sizeof line, f) != NULL && fgets(line, sizeof line, f) &&
              strncmp(line, restore_head + sizeof "#!/bin/sh\n" - 1, 45) == 0;

    if (f != NULL)
        fclose(f);
    else if (fd >= 0)
        close(fd);
    free(path);
    return yes;
}

/*
 * What -o names: nothing yet, an empty directory (replaced, as pg_dump -Fd
 * does), or with --force a directory this tool wrote before (replaced whole);
 * anything else is refused, --force or not: it is not ours to delete.
 */
static int check_target(pa_run *p, const char *dir)
{
    struct stat st;
    int empty = 0;

    p->target = PA_NEW;
    if (strcmp(dir, "-") == 0) {
        tool_errorf(p->prog, "-: a pg_dumpall script becomes a directory: -o wants its name");
        return TOOL_EXIT_UNKNOWN;
    }
    if (lstat(dir, &st) != 0) {
        if (errno == ENOENT)
            return TOOL_EXIT_OK;
        tool_errorf(p->prog, "%s: %s", dir, strerror(errno));
        return TOOL_EXIT_UNKNOWN;
    }
    if (!S_ISDIR(st.st_mode) || (empty = dir_empty(dir)) < 0) {
        tool_errorf(p->prog, "%s: exists and is not a directory dumpconvert can replace", dir);
        return TOOL_EXIT_UNKNOWN;
    }
    p->target = empty ? PA_EMPTY : PA_REPLACE;
    if (!empty && !(p->flags & TOOL_PLAIN_FORCE)) {
        tool_errorf(p->prog, "%s: exists: a pg_dumpall script wants a new or empty directory "
                             "(--force replaces one dumpconvert wrote)", dir);
        return TOOL_EXIT_UNKNOWN;
    }
    if (!empty && !ours(dir)) {
        tool_errorf(p->prog, "%s: exists and is not a directory dumpconvert wrote from a "
                             "pg_dumpall script: not replaced, even with --force", dir);
        return TOOL_EXIT_UNKNOWN;
    }
    return TOOL_EXIT_OK;
}

static int sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

/*
 * The temporary directory into place: renamed (over an empty one), or
 * exchanged with the earlier output, which then goes; the old tree is never
 * removed before the new one is in place.
 */
static int put_in_place(pa_run *p, const char *dir)
{
    char *parent = strdup(dir);
    int rc = -1;

    if (sync_dir(p->tmp) != 0)
        goto out;
    if (p->target != PA_REPLACE) {
        rc = rename(p->tmp, dir);
    } else if ((rc = renameat2(AT_FDCWD, p->tmp, AT_FDCWD, dir, RENAME_EXCHANGE)) == 0) {
        remove_tree(p->tmp); /* now the earlier output */
    } else if (errno == EINVAL || errno == ENOSYS) { /* a file system without the exchange */
        size_t on = strlen(p->tmp) + 5;
        char *old = malloc(on);
        if (old != NULL && (snprintf(old, on, "%s.old", p->tmp), rename(dir, old) == 0)) {
            if ((rc = rename(p->tmp, dir)) == 0)
                remove_tree(old);
            else
                rename(old, dir);
        }
        free(old);
    }
    if (rc == 0 && parent != NULL)
        rc = sync_dir(dirname(parent));
out:
    free(parent);
    return rc;
}

/* The temporary directory fsynced and put into place, or removed. */
static int finish_dir(pa_run *p, const char *dir, int rc)
{
    if (rc == TOOL_EXIT_OK && (rc = stopped()) == TOOL_EXIT_OK && put_in_place(p, dir) != 0) {
        tool_errorf(p->prog, "%s: could not put the output into place: %s", dir, strerror(errno));
        rc = TOOL_EXIT_UNKNOWN;
    }
    if (rc != TOOL_EXIT_OK)
        remove_tree(p->tmp);
    return rc;
}

int tool_plainall(const char *prog, const char *in, df_reader *r, int flags, const char *dir,
                  df_format format, tool_plainall_write write, void *ctx)
{
    const char *ext = format == DF_FORMAT_DIRECTORY ? ".dir"
                      : format == DF_FORMAT_TAR     ? ".tar"
                                                    : ".dump";
    pa_run p = {.prog = prog, .in = in, .ext = ext, .r = r, .flags = flags};
    size_t n = strlen(dir);
    int rc;

    if (flags & TOOL_PLAIN_SELECTING) {
        tool_errorf(prog, "%s: a plain script is converted whole (select from the archives "
                          "it becomes)", in);
        return TOOL_EXIT_UNKNOWN;
    }
    write_guard_defer(); /* the tree is removed here, not by the signal handler */
    if ((rc = stopped()) != TOOL_EXIT_OK || (rc = check_target(&p, dir)) != TOOL_EXIT_OK)
        return rc;
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
    if (rc == TOOL_EXIT_OK && (rc = stopped()) == TOOL_EXIT_OK)
        rc = write_globals(&p);
    for (size_t k = 0; rc == TOOL_EXIT_OK && (rc = stopped()) == TOOL_EXIT_OK && k < p.ndbs; k++)
        rc = write_db(&p, &p.dbs[k], write, ctx);
    if (rc == TOOL_EXIT_OK && (rc = stopped()) == TOOL_EXIT_OK)
        rc = write_restore(&p);
    rc = finish_dir(&p, dir, rc);
    for (size_t k = 0; k < p.ndbs; k++)
        free(p.dbs[k].file);
    free(p.dbs);
    free(p.tmp);
    return rc;
}
