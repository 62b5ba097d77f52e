/*
 * dumpls.c — list what a pg_dump archive contains.
 *
 * By default the output is byte for byte what `pg_restore -l` prints, so it
 * can be edited and fed to `pg_restore -L`; -v adds the dependency lines of
 * `pg_restore -l -v`; --long adds section, data offset, stored bytes and (by
 * reading the data) uncompressed bytes and rows; --json prints one JSON
 * document.  All dump knowledge is in libdumpfmt: this file parses options
 * and prints the default listing; --long is in ls_long.c, --json in
 * ls_json.c (ls.h).
 */
#include "ls.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
    OPT_DEPS,
};

static const struct option long_options[] = {
    {"verbose", no_argument, NULL, 'v'},
    {"long", no_argument, NULL, 'l'},
    {"json", no_argument, NULL, OPT_JSON},
    {"deps", no_argument, NULL, OPT_DEPS},
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
           "      --deps                 every entry with its dependencies, tab-separated;\n"
           "                             a plain script's as a conversion would write them\n"
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
           DF_PG_RESTORE_OLDEST, DF_PG_RESTORE_NEWEST, DF_PG_RESTORE_NEWEST);
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
static int apply_option(void *ctx, int c, const char *arg)
{
    ls_options *o = ctx;

    tool_strv *list = NULL;
    long v;

    switch (c) {
    case 'v': o->verbose = 1; return -1;
    case 'l': o->long_format = 1; return -1;
    case OPT_JSON: o->json = 1; return -1;
    case OPT_DEPS: o->deps = 1; return -1;
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
        if (tool_parse_long(arg, DF_PG_RESTORE_OLDEST, DF_PG_RESTORE_NEWEST, &v) != 0) {
            tool_errorf(PROG, "invalid --pg-restore-version \"%s\": must be %d..%d", arg,
                        DF_PG_RESTORE_OLDEST, DF_PG_RESTORE_NEWEST);
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

/* Fill *o from argv; returns -1 to go on, else the exit status to end with. */
static int parse_options(int argc, char **argv, ls_options *o)
{
    int rc;

    memset(o, 0, sizeof *o);
    o->pg_restore_version = 0; /* the installed pg_restore's style (listing_release) */
    o->progress = TOOL_PROGRESS_AUTO;
    rc = tool_parse_args(PROG, argc, argv, "vlt:n:N:CqV", long_options, apply_option, o);
    if (rc < 0)
        rc = tool_want_operands(PROG, argc, 1, 1, "no dump given");
    if (rc >= 0)
        return rc;
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
    df_error err;

    run->listed = calloc(run->n + 1, sizeof *run->listed);
    if (run->listed == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    if (df_list_selection(run->r, &run->lo, run->listed, &err) != DF_OK) {
        tool_errorf(PROG, "%s", err.message);
        return TOOL_EXIT_UNKNOWN;
    }
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
/* Default and -v listing                                              */
/* ------------------------------------------------------------------ */

static int print_list(const ls_run *run)
{
    /* Without --type, the library's own pg_restore selection is the oracle. */
    return ls_list_write(run, run->o->types.n > 0 ? run->listed : NULL);
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
    if (v < DF_PG_RESTORE_OLDEST || v > DF_PG_RESTORE_NEWEST ||
        (h->format != DF_FORMAT_PLAIN && h->vmin > df_pg_restore_max_minor(v)))
        return DF_PG_RESTORE_NEWEST;
    return v;
}

static void set_list_options(ls_run *run)
{
    const ls_options *o = run->o;

    df_list_options_default(&run->lo);
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
    st = tool_exit_worse(rc, ls_report_script_error(run));
    if (run->o->deps)
        return tool_exit_worse(st, ls_print_deps(run));
    if (run->o->json)
        return tool_exit_worse(st, ls_print_json(run));
    if (run->o->long_format)
        return tool_exit_worse(st, ls_print_long(run));
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

