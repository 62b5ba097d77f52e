/*
 * dumpls.c — list what a pg_dump archive contains.
 *
 * By default the output is byte for byte what `pg_restore -l` prints, so it
 * can be edited and fed to `pg_restore -L`; -v adds the dependency lines of
 * `pg_restore -l -v`; --long adds section, data offset, stored bytes and (by
 * reading the data) uncompressed bytes and rows; --json prints one JSON
 * document.  All dump knowledge is in libdumpfmt: this file parses options,
 * calls the library and prints.
 */
#include "common.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PROG "dumpls"

/* Releases whose pg_restore -l output can be reproduced. */
#define LS_PG_RESTORE_MIN 10
#define LS_PG_RESTORE_MAX 18

/* Widths of the --long columns (values that need more just widen their line). */
#define LS_W_SECTION 9 /* "post-data" */
#define LS_W_OFFSET 12
#define LS_W_STORED 12
#define LS_W_BYTES 12
#define LS_W_ROWS 10

typedef struct ls_options {
    int verbose;
    int long_format;
    int json;
    int create_db;
    int quiet;
    int pg_restore_version;
    int strict_names; /* a name that matches nothing is an error, not a warning */
    tool_progress_mode progress;
    tool_strv tables, schemas, exclude_schemas, types;
    const char *path;
    int follow_symlinks;
} ls_options;

/* What --long learned by reading one entry's data. */
typedef enum ls_data_state {
    LS_DATA_NONE = 0, /* not listed, or the entry has no data stream */
    LS_DATA_OK,
    LS_DATA_FAILED,  /* reading failed; `err` says why */
    LS_DATA_SKIPPED, /* not attempted: see cannot_go_on() */
} ls_data_state;

typedef struct ls_measure {
    ls_data_state state;
    int64_t rows; /* COPY/INSERT rows, or large objects for BLOBS */
    int64_t bytes;
    int64_t stored;
    df_error err;
} ls_measure;

typedef struct ls_run {
    const ls_options *o;
    df_reader *r;
    df_list_options lo;
    size_t n;
    int *listed;   /* n flags: printed by this invocation */
    ls_measure *m; /* n results; --long only */
    tool_progress pr; /* bytes read: a plain script at open, data with --long */
} ls_run;

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

enum {
    OPT_JSON = 256,
    OPT_TYPE,
    OPT_PG_RESTORE_VERSION,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_HELP,
    OPT_STRICT_NAMES,
    OPT_FOLLOW_SYMLINKS,
};

static const struct option long_options[] = {
    {"verbose", no_argument, NULL, 'v'},
    {"long", no_argument, NULL, 'l'},
    {"json", no_argument, NULL, OPT_JSON},
    {"table", required_argument, NULL, 't'},
    {"schema", required_argument, NULL, 'n'},
    {"exclude-schema", required_argument, NULL, 'N'},
    {"type", required_argument, NULL, OPT_TYPE},
    {"strict-names", no_argument, NULL, OPT_STRICT_NAMES},
    {"create", no_argument, NULL, 'C'},
    {"pg-restore-version", required_argument, NULL, OPT_PG_RESTORE_VERSION},
    {"quiet", no_argument, NULL, 'q'},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"follow-symlinks", no_argument, NULL, OPT_FOLLOW_SYMLINKS},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void print_help(void)
{
    printf("%s lists the contents of a pg_dump archive.\n\n", PROG);
    printf("Usage:\n  %s [OPTION]... DUMP\n\n", PROG);
    printf("DUMP is a custom-format file, a directory-format directory, a tar file,\n"
           "a plain-format SQL script (pg_dump -Fp, pg_dumpall; also gzip, lz4 or\n"
           "zstd compressed), or \"-\" for standard input (custom, tar, plain).  By\n"
           "default the output is exactly what \"pg_restore -l DUMP\" prints.\n\n");
    printf("Options:\n"
           "  -v, --verbose              list every entry with its dependencies\n"
           "                             (as pg_restore -l -v)\n"
           "  -l, --long                 add section, data offset, stored and\n"
           "                             uncompressed bytes and rows (reads the data)\n"
           "      --json                 print one JSON document: header and entries\n"
           "  -t, --table=NAME           list table NAME only (as pg_restore -t)\n"
           "  -n, --schema=NAME          list objects in schema NAME only\n"
           "  -N, --exclude-schema=NAME  do not list objects in schema NAME\n"
           "      --type=DESC            list entries of type DESC only, e.g. \"TABLE DATA\"\n"
           "                             (case-insensitive; applied after -t/-n/-N)\n"
           "      --strict-names         a name that matches nothing is an error (exit 3),\n"
           "                             not a warning (exit 1)\n"
           "  -C, --create               also list DATABASE entries (as pg_restore -C -l)\n"
           "      --pg-restore-version=N print as pg_restore release N (%d..%d; default:\n"
           "                             the pg_restore on PATH if it reads DUMP, else %d)\n"
           "  -q, --quiet                print no diagnostics except errors\n"
           "      --progress             show progress on stderr while reading data\n"
           "      --no-progress          never show progress\n"
           "      --follow-symlinks      read directory-archive files that are symbolic\n"
           "                             links to places outside the directory\n"
           "      --help                 show this help, then exit\n"
           "      --version              show the version, then exit\n\n",
           LS_PG_RESTORE_MIN, LS_PG_RESTORE_MAX, LS_PG_RESTORE_MAX);
    printf("-t, -n, -N and --type may be repeated.\n\n");
    printf("Exit status: 0 OK, 1 a -t, -n or --type name matches nothing, 2 the archive\n"
           "is damaged, truncated or not a dump, 3 the listing could not be made (bad\n"
           "options, unreadable path, --strict-names ...).\n");
}

static void free_options(ls_options *o)
{
    tool_strv_free(&o->tables);
    tool_strv_free(&o->schemas);
    tool_strv_free(&o->exclude_schemas);
    tool_strv_free(&o->types);
}

/* Handle one option character; returns -1 to go on, else an exit status. */
static int apply_option(ls_options *o, int c, const char *arg)
{
    tool_strv *list = NULL;
    long v;

    switch (c) {
    case 'v': o->verbose = 1; return -1;
    case 'l': o->long_format = 1; return -1;
    case OPT_JSON: o->json = 1; return -1;
    case 'C': o->create_db = 1; return -1;
    case 'q': o->quiet = 1; return -1;
    case OPT_STRICT_NAMES: o->strict_names = 1; return -1;
    case OPT_PROGRESS: o->progress = TOOL_PROGRESS_ON; return -1;
    case OPT_NO_PROGRESS: o->progress = TOOL_PROGRESS_OFF; return -1;
    case OPT_FOLLOW_SYMLINKS: o->follow_symlinks = 1; return -1;
    case 't': list = &o->tables; break;
    case 'n': list = &o->schemas; break;
    case 'N': list = &o->exclude_schemas; break;
    case OPT_TYPE: list = &o->types; break;
    case OPT_PG_RESTORE_VERSION:
        if (tool_parse_long(arg, LS_PG_RESTORE_MIN, LS_PG_RESTORE_MAX, &v) != 0) {
            tool_errorf(PROG, "invalid --pg-restore-version \"%s\": must be %d..%d", arg,
                        LS_PG_RESTORE_MIN, LS_PG_RESTORE_MAX);
            tool_usage_hint(PROG);
            return TOOL_EXIT_UNKNOWN;
        }
        o->pg_restore_version = (int)v;
        return -1;
    case OPT_HELP: print_help(); return tool_finish_output(PROG, stdout);
    case 'V': tool_print_version(PROG); return tool_finish_output(PROG, stdout);
    default: tool_usage_hint(PROG); return TOOL_EXIT_UNKNOWN; /* getopt said why */
    }
    if (tool_strv_push(list, arg) != 0) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    return -1;
}

/* Run getopt over argv, applying each option; -1 to go on, else an exit status. */
static int scan_options(int argc, char **argv, ls_options *o)
{
    int c, rc;

    while ((c = getopt_long(argc, argv, "vlt:n:N:CqV", long_options, NULL)) != -1) {
        if ((rc = apply_option(o, c, optarg)) >= 0)
            return rc;
    }
    return -1;
}

/* Fill *o from argv; returns -1 to go on, else the exit status to end with. */
static int parse_options(int argc, char **argv, ls_options *o)
{
    char prog_name[] = PROG;
    char *argv0 = argv[0];
    int rc;

    memset(o, 0, sizeof *o);
    o->pg_restore_version = 0; /* the installed pg_restore's style (listing_release) */
    o->progress = TOOL_PROGRESS_AUTO;
    /* getopt's own messages name argv[0]: make that "dumpls" whatever the path. */
    argv[0] = prog_name;
    rc = scan_options(argc, argv, o);
    argv[0] = argv0;
    if (rc >= 0)
        return rc;
    if (argc - optind != 1) {
        tool_errorf(PROG, argc - optind == 0 ? "no dump given" : "too many arguments");
        tool_usage_hint(PROG);
        return TOOL_EXIT_UNKNOWN;
    }
    o->path = argv[optind];
    if (o->quiet) /* progress is a diagnostic too */
        o->progress = TOOL_PROGRESS_OFF;
    return -1;
}

/* ------------------------------------------------------------------ */
/* Selection                                                           */
/* ------------------------------------------------------------------ */

static int type_selected(const ls_options *o, const df_entry *e)
{
    size_t i;

    if (o->types.n == 0)
        return 1;
    for (i = 0; i < o->types.n; i++) {
        if (e->desc != NULL && strcasecmp(e->desc, o->types.v[i]) == 0)
            return 1;
    }
    return 0;
}

/*
 * listed[i]: what pg_restore -l [-v] would print under -t/-n/-N/-C (every
 * entry with -v, else those it would restore for schema, data or
 * statistics), narrowed by --type.
 */
static int select_entries(ls_run *run)
{
    size_t i;

    run->listed = calloc(run->n + 1, sizeof *run->listed);
    if (run->listed == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    df_list_selection(run->r, &run->lo, run->listed);
    for (i = 0; i < run->n; i++)
        run->listed[i] = run->listed[i] && type_selected(run->o, df_reader_toc_at(run->r, i));
    return TOOL_EXIT_OK;
}

/* -t, -n and --type names that match nothing: a warning, or with --strict-names an error. */
static int check_names(const ls_run *run)
{
    df_select_options so;

    df_select_options_default(&so);
    so.tables = run->o->tables.v, so.ntables = run->o->tables.n;
    so.schemas = run->o->schemas.v, so.nschemas = run->o->schemas.n;
    so.types = run->o->types.v, so.ntypes = run->o->types.n;
    return tool_report_unmatched(PROG, run->o->path, run->r, &so, run->o->strict_names,
                                 run->o->quiet);
}

/* ------------------------------------------------------------------ */
/* Reading data (--long)                                               */
/* ------------------------------------------------------------------ */

static int wants_measure(const ls_run *run, size_t i)
{
    return run->listed[i] && df_entry_has_data(df_reader_toc_at(run->r, i));
}

/* Read one entry's data; returns the exit status it implies. */
static int measure_one(ls_run *run, size_t i)
{
    const df_entry *e = df_reader_toc_at(run->r, i);
    ls_measure *m = &run->m[i];
    int st;

    st = df_reader_measure(run->r, e, &m->rows, &m->bytes, &m->stored);
    if (st == DF_OK) {
        m->state = LS_DATA_OK;
        return TOOL_EXIT_OK;
    }
    m->state = LS_DATA_FAILED;
    m->err = *df_reader_error(run->r);
    if (m->err.code == DF_OK)
        m->err.code = st;
    tool_progress_end(&run->pr); /* the message on a line of its own */
    tool_print_error(PROG, run->o->path, &m->err);
    return tool_exit_for_status(st);
}

/*
 * After a failed entry, is there any point in reading the next ones?  Not
 * from a pipe (the stream is lost), not after an error that is not about
 * the archive (out of memory, ...), and not when the archive file itself
 * ended early: data are stored in TOC order, so every later block lies past
 * the end too, and a line per entry would bury the one error that matters.
 * A damaged data file of a directory archive (member set) spoils only itself.
 */
static int cannot_go_on(const ls_run *run, const df_error *err, int rc)
{
    if (!df_reader_seekable(run->r) || rc == TOOL_EXIT_UNKNOWN)
        return 1;
    return err->code == DF_E_TRUNCATED && err->member[0] == '\0';
}

/*
 * Measure every listed entry that has data, in TOC order (which is file
 * order in custom and tar archives, so pipes work).  Entries left after
 * cannot_go_on() are marked skipped.
 */
static int measure_all(ls_run *run)
{
    size_t i, total = 0, done = 0;
    int status = TOOL_EXIT_OK, stop = 0;

    run->m = calloc(run->n + 1, sizeof *run->m);
    if (run->m == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    for (i = 0; i < run->n; i++)
        total += (size_t)wants_measure(run, i);
    for (i = 0; i < run->n; i++) {
        int rc;

        if (!wants_measure(run, i))
            continue;
        if (stop) {
            run->m[i].state = LS_DATA_SKIPPED;
            continue;
        }
        rc = measure_one(run, i);
        if (rc != TOOL_EXIT_OK) {
            status = tool_exit_worse(status, rc);
            stop = cannot_go_on(run, &run->m[i].err, rc);
        }
        done++;
    }
    tool_progress_end(&run->pr);
    if (done < total && !run->o->quiet)
        tool_errorf(PROG, "%s: data of %zu more entries not read after that error", run->o->path,
                    total - done);
    return status;
}

/* ------------------------------------------------------------------ */
/* Default and -v listing                                              */
/* ------------------------------------------------------------------ */

/* Run df_list_write and report a failure; returns an exit status. */
static int list_write(const ls_run *run, const int *show)
{
    df_error err;
    int st;

    memset(&err, 0, sizeof err);
    err.offset = -1;
    st = df_list_write(run->r, &run->lo, show, stdout, &err);
    if (st == DF_OK)
        return TOOL_EXIT_OK;
    /* A write error is reported once, by tool_finish_output. */
    if (st == DF_E_IO && ferror(stdout))
        return TOOL_EXIT_UNKNOWN;
    if (err.code == DF_OK)
        err.code = st;
    tool_print_error(PROG, run->o->path, &err);
    return tool_exit_for_status(st);
}

static int print_list(const ls_run *run)
{
    /* Without --type, the library's own pg_restore selection is the oracle. */
    return list_write(run, run->o->types.n > 0 ? run->listed : NULL);
}

/* ------------------------------------------------------------------ */
/* Plain-format scripts: what only they have                           */
/* ------------------------------------------------------------------ */

static void json_key_int_or_null(tool_json *j, const char *key, int have, int64_t v);

static int is_plain(const ls_run *run)
{
    return df_reader_header(run->r)->format == DF_FORMAT_PLAIN;
}

/* pg_dumpall scripts hold several databases: --long shows each entry's. */
static int shows_database(const ls_run *run)
{
    return is_plain(run) && df_reader_header(run->r)->plain_kind != DF_PLAIN_PG_DUMP;
}

/* Where an entry's data start: the custom-format offset, or the offset in the script. */
static int has_data_offset(const df_entry *e)
{
    return e->offset_state == DF_OFFSET_SET || e->data_offset_text >= 0;
}

static int64_t data_offset_of(const df_entry *e)
{
    return e->offset_state == DF_OFFSET_SET ? e->data_offset : e->data_offset_text;
}

/*
 * A compressed script that could not be read to its end: the entries
 * before the damage are listed, the exit status says the dump is damaged.
 */
static int report_script_error(const ls_run *run)
{
    const df_error *err = df_reader_header(run->r)->script_error;

    if (err == NULL)
        return TOOL_EXIT_OK;
    tool_print_error(PROG, run->o->path, err);
    return TOOL_EXIT_DAMAGED;
}

static const char *plain_kind_name(int kind)
{
    switch (kind) {
    case DF_PLAIN_DUMPALL: return "pg_dumpall";
    case DF_PLAIN_GLOBALS: return "pg_dumpall-globals";
    default: return "pg_dump";
    }
}

static void json_plain_header(tool_json *j, const df_header *h)
{
    tool_json_key(j, "file_compression");
    tool_json_string(j, df_compression_name(h->file_compression));
    tool_json_key(j, "script"), tool_json_string(j, plain_kind_name(h->plain_kind));
    tool_json_key(j, "script_bytes"), tool_json_int(j, h->script_bytes);
    tool_json_key(j, "has_trailer"), tool_json_bool(j, h->has_trailer);
    tool_json_key(j, "restrict_key"), tool_json_string(j, h->restrict_key);
    tool_json_key(j, "script_error");
    tool_json_string(j, h->script_error ? h->script_error->message : NULL);
}

static void json_plain_entry(tool_json *j, const df_entry *e)
{
    tool_json_key(j, "database"), tool_json_string(j, e->database);
    tool_json_key(j, "text_offset"), tool_json_int(j, e->text_offset);
    json_key_int_or_null(j, "data_offset_text", e->data_offset_text >= 0, e->data_offset_text);
}

/* ------------------------------------------------------------------ */
/* --long                                                              */
/* ------------------------------------------------------------------ */

static int digits(int64_t v)
{
    int d = 1;

    for (; v <= -10 || v >= 10; v /= 10)
        d++;
    return d + (v < 0);
}

/* Width of the "<id>;" column: the longest listed dump id plus the ';'. */
static int id_width(const ls_run *run)
{
    int w = 2;
    size_t i;

    for (i = 0; i < run->n; i++) {
        int d = digits(df_reader_toc_at(run->r, i)->dump_id) + 1;

        if (run->listed[i] && d > w)
            w = d;
    }
    return w;
}

static int is_table_data(const df_entry *e)
{
    return e->desc != NULL && strcmp(e->desc, "TABLE DATA") == 0;
}

/* One right-aligned numeric column: the value, "-" (not applicable) or "?" (unknown). */
static void put_column(int width, ls_data_state state, int applies, int64_t v)
{
    if (!applies)
        printf(" %*s", width, "-");
    else if (state != LS_DATA_OK)
        printf(" %*s", width, "?");
    else
        printf(" %*lld", width, (long long)v);
}

static void print_long_entry(const ls_run *run, size_t i, int idw)
{
    const df_entry *e = df_reader_toc_at(run->r, i);
    const ls_measure *m = &run->m[i];
    int has_data = m->state != LS_DATA_NONE;
    int has_rows = has_data && (is_table_data(e) || df_entry_is_blobs(e));
    char id[32];

    snprintf(id, sizeof id, "%d;", (int)e->dump_id);
    printf("%-*s %-*s", idw, id, LS_W_SECTION, df_section_name(e->section));
    put_column(LS_W_OFFSET, LS_DATA_OK, has_data_offset(e), data_offset_of(e));
    put_column(LS_W_STORED, m->state, has_data, m->stored);
    put_column(LS_W_BYTES, m->state, has_data, m->bytes);
    put_column(LS_W_ROWS, m->state, has_rows, m->rows);
    if (shows_database(run)) {
        putchar(' ');
        tool_put_sanitized(stdout, e->database, 1);
    }
    putchar(' ');
    tool_put_sanitized(stdout, e->desc, 0);
    putchar(' ');
    tool_put_sanitized(stdout, e->schema, 1);
    putchar(' ');
    tool_put_sanitized(stdout, e->tag, 0);
    putchar(' ');
    tool_put_sanitized(stdout, e->owner, 0);
    putchar('\n');
    if (run->lo.verbose && e->ndeps > 0) {
        size_t d;

        printf(";\tdepends on:");
        for (d = 0; d < e->ndeps; d++)
            printf(" %d", (int)e->deps[d]);
        putchar('\n');
    }
}

static int print_long(ls_run *run)
{
    int *none, rc, status;
    int idw = id_width(run);
    size_t i;

    /* The ";" header of pg_restore -l, with no entry lines under it. */
    none = calloc(run->n + 1, sizeof *none);
    if (none == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    rc = list_write(run, none);
    free(none);
    if (rc != TOOL_EXIT_OK)
        return rc;
    fflush(stdout); /* the header first, then any progress */
    status = measure_all(run);
    if (run->m == NULL)
        return status;
    printf("%-*s %-*s %*s %*s %*s %*s %s\n", idw, ";", LS_W_SECTION, "section", LS_W_OFFSET,
           "offset", LS_W_STORED, "stored", LS_W_BYTES, "bytes", LS_W_ROWS, "rows",
           shows_database(run) ? "database desc schema tag owner" : "desc schema tag owner");
    for (i = 0; i < run->n; i++) {
        if (run->listed[i])
            print_long_entry(run, i, idw);
    }
    return status;
}

/* ------------------------------------------------------------------ */
/* --json                                                              */
/* ------------------------------------------------------------------ */

static const char *offset_state_name(df_offset_state s)
{
    switch (s) {
    case DF_OFFSET_NOT_SET: return "not-set";
    case DF_OFFSET_SET: return "set";
    case DF_OFFSET_NO_DATA: return "no-data";
    case DF_OFFSET_NONE:
    default: return NULL;
    }
}

static void json_key_int_or_null(tool_json *j, const char *key, int have, int64_t v)
{
    tool_json_key(j, key);
    if (have)
        tool_json_int(j, v);
    else
        tool_json_null(j);
}

static void json_data_error(tool_json *j, const ls_measure *m)
{
    tool_json_key(j, "data_error");
    if (m->state != LS_DATA_FAILED && m->state != LS_DATA_SKIPPED) {
        tool_json_null(j);
        return;
    }
    tool_json_begin_object(j);
    tool_json_key(j, "status");
    tool_json_string(j, m->state == LS_DATA_SKIPPED ? "skipped" : df_strstatus(m->err.code));
    tool_json_key(j, "member");
    tool_json_string(j, m->state == LS_DATA_FAILED && m->err.member[0] ? m->err.member : NULL);
    json_key_int_or_null(j, "offset", m->state == LS_DATA_FAILED && m->err.offset >= 0,
                         m->err.offset);
    tool_json_key(j, "message");
    tool_json_string(j, m->state == LS_DATA_SKIPPED ? "not read after an earlier error"
                                                    : m->err.message);
    tool_json_end_object(j);
}

/* The --long members of one entry. */
static void json_entry_data(tool_json *j, const df_entry *e, const ls_measure *m)
{
    int ok = m->state == LS_DATA_OK;

    json_key_int_or_null(j, "stored_bytes", ok, m->stored);
    json_key_int_or_null(j, "bytes", ok, m->bytes);
    json_key_int_or_null(j, df_entry_is_blobs(e) ? "large_objects" : "rows",
                         ok && (is_table_data(e) || df_entry_is_blobs(e)), m->rows);
    json_data_error(j, m);
}

static void json_entry(tool_json *j, const ls_run *run, size_t i)
{
    const df_entry *e = df_reader_toc_at(run->r, i);
    size_t d;

    tool_json_begin_object(j);
    tool_json_key(j, "index"), tool_json_uint(j, e->index);
    tool_json_key(j, "dump_id"), tool_json_int(j, e->dump_id);
    tool_json_key(j, "table_oid"), tool_json_uint(j, e->table_oid);
    tool_json_key(j, "oid"), tool_json_uint(j, e->oid);
    tool_json_key(j, "desc"), tool_json_string(j, e->desc);
    tool_json_key(j, "schema"), tool_json_string(j, e->schema);
    tool_json_key(j, "tag"), tool_json_string(j, e->tag);
    tool_json_key(j, "owner"), tool_json_string(j, e->owner);
    tool_json_key(j, "tablespace"), tool_json_string(j, e->tablespace);
    tool_json_key(j, "tableam"), tool_json_string(j, e->tableam);
    tool_json_key(j, "section"), tool_json_string(j, df_section_name(e->section));
    tool_json_key(j, "had_dumper"), tool_json_bool(j, e->had_dumper);
    tool_json_key(j, "listed"), tool_json_bool(j, run->listed[i]);
    tool_json_key(j, "dependencies");
    tool_json_begin_array_inline(j);
    for (d = 0; d < e->ndeps; d++)
        tool_json_int(j, e->deps[d]);
    tool_json_end_array(j);
    tool_json_key(j, "offset_state"), tool_json_string(j, offset_state_name(e->offset_state));
    json_key_int_or_null(j, "data_offset", e->offset_state == DF_OFFSET_SET, e->data_offset);
    tool_json_key(j, "filename"), tool_json_string(j, e->filename);
    if (is_plain(run))
        json_plain_entry(j, e);
    if (run->m != NULL)
        json_entry_data(j, e, &run->m[i]);
    tool_json_end_object(j);
}

static void json_header(tool_json *j, const ls_run *run)
{
    const df_header *h = df_reader_header(run->r);
    char buf[128];
    size_t i, listed = 0;

    for (i = 0; i < run->n; i++)
        listed += (size_t)(run->listed[i] != 0);
    tool_json_key(j, "file"), tool_json_string(j, run->o->path);
    tool_json_key(j, "format"), tool_json_string(j, df_format_name(h->format));
    snprintf(buf, sizeof buf, "%d.%d-%d", h->vmaj, h->vmin, h->vrev);
    tool_json_key(j, "archive_version");
    tool_json_string(j, h->format == DF_FORMAT_PLAIN ? NULL : buf); /* scripts have none */
    tool_json_key(j, "compression"), tool_json_string(j, df_compression_name(h->compression));
    json_key_int_or_null(j, "compression_level", h->has_level, h->compression_level);
    tool_json_key(j, "dbname"), tool_json_string(j, h->dbname);
    tool_json_key(j, "created");
    if (h->has_created && df_header_created(h, buf, sizeof buf) == DF_OK)
        tool_json_string(j, buf);
    else
        tool_json_null(j);
    tool_json_key(j, "server_version"), tool_json_string(j, h->server_version);
    tool_json_key(j, "dump_version"), tool_json_string(j, h->dump_version);
    tool_json_key(j, "int_size"), tool_json_int(j, h->int_size);
    tool_json_key(j, "off_size"), tool_json_int(j, h->off_size);
    tool_json_key(j, "toc_entries"), tool_json_int(j, h->toc_count);
    tool_json_key(j, "listed_entries"), tool_json_uint(j, listed);
    tool_json_key(j, "data_offsets");
    if (h->format == DF_FORMAT_CUSTOM)
        tool_json_bool(j, h->data_offsets);
    else
        tool_json_null(j);
    if (h->format == DF_FORMAT_PLAIN)
        json_plain_header(j, h);
}

static int print_json(ls_run *run)
{
    tool_json j;
    size_t i;
    int status = TOOL_EXIT_OK;

    if (run->o->long_format) {
        status = measure_all(run);
        if (run->m == NULL)
            return status;
    }
    tool_json_init(&j, stdout, 2);
    tool_json_begin_object(&j);
    json_header(&j, run);
    tool_json_key(&j, "entries");
    tool_json_begin_array(&j);
    for (i = 0; i < run->n; i++)
        json_entry(&j, run, i);
    tool_json_end_array(&j);
    tool_json_end_object(&j);
    tool_json_finish(&j);
    return status;
}

/* ------------------------------------------------------------------ */
/* Main                                                                */
/* ------------------------------------------------------------------ */

/*
 * The release whose `pg_restore -l` dumpls prints: --pg-restore-version, else
 * the installed pg_restore (the rule of every tool, tools/common.c) when it
 * reads the archive, else the newest.  An installed release that refuses the
 * archive has no listing to imitate; --pg-restore-version N still refuses.
 */
static int listing_release(const ls_run *run)
{
    const df_header *h = df_reader_header(run->r);
    tool_pg_restore pr;
    int v;

    if (run->o->pg_restore_version > 0)
        return run->o->pg_restore_version;
    tool_pg_restore_init(&pr);
    v = tool_pg_restore_major(&pr, TOOL_PG_RESTORE_ANY_MINOR);
    if (v < LS_PG_RESTORE_MIN || v > LS_PG_RESTORE_MAX ||
        (h->format != DF_FORMAT_PLAIN && h->vmin > df_pg_restore_max_minor(v)))
        return LS_PG_RESTORE_MAX;
    return v;
}

static void set_list_options(ls_run *run)
{
    const ls_options *o = run->o;

    memset(&run->lo, 0, sizeof run->lo);
    run->lo.verbose = o->verbose;
    run->lo.pg_restore_version = listing_release(run);
    run->lo.create_db = o->create_db;
    run->lo.tables = o->tables.v;
    run->lo.ntables = o->tables.n;
    run->lo.schemas = o->schemas.v;
    run->lo.nschemas = o->schemas.n;
    run->lo.exclude_schemas = o->exclude_schemas.v;
    run->lo.nexclude_schemas = o->exclude_schemas.n;
}

static int list_archive(ls_run *run)
{
    int st, rc;

    run->r = df_reader_new(NULL);
    if (run->r == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    tool_progress_init(&run->pr, PROG, run->o->progress);
    if (run->pr.enabled)
        df_reader_set_progress(run->r, tool_progress_cb, &run->pr);
    df_reader_set_follow_symlinks(run->r, run->o->follow_symlinks);
    st = df_reader_open_path(run->r, run->o->path);
    tool_progress_end(&run->pr);
    if (st != DF_OK) {
        df_error err = *df_reader_error(run->r);

        if (err.code == DF_OK)
            err.code = st;
        tool_print_error(PROG, run->o->path, &err);
        return tool_exit_for_open_error(&err);
    }
    run->n = df_reader_toc_count(run->r);
    set_list_options(run);
    if ((rc = select_entries(run)) != TOOL_EXIT_OK)
        return rc;
    if ((rc = check_names(run)) == TOOL_EXIT_UNKNOWN)
        return rc;
    st = tool_exit_worse(rc, report_script_error(run));
    if (run->o->json)
        return tool_exit_worse(st, print_json(run));
    if (run->o->long_format)
        return tool_exit_worse(st, print_long(run));
    return tool_exit_worse(st, print_list(run));
}

int main(int argc, char **argv)
{
    ls_options o;
    ls_run run;
    int rc;

    if ((rc = parse_options(argc, argv, &o)) >= 0) {
        free_options(&o);
        return rc;
    }
    memset(&run, 0, sizeof run);
    run.o = &o;
    rc = list_archive(&run);
    rc = tool_exit_worse(rc, tool_finish_output(PROG, stdout));
    free(run.m);
    free(run.listed);
    df_reader_free(run.r);
    free_options(&o);
    return rc;
}
