/*
 * dumporder.c — write `pg_restore -L` list files that are right by
 * construction, and show how a parallel restore will run.
 *
 * A selection (-t, -n, -I, -P, -T, --type, with --exclude-table and -N
 * exclusions; option letters mean what pg_restore's mean) is closed over
 * the dump's dependency graph: what it needs to be created and what
 * belongs to it.  -L checks and completes an existing list.  -j N picks
 * the order a simulated `pg_restore -j N` (of the release
 * --pg-restore-version names) restores fastest; --explain prints that
 * simulation.  All dump knowledge is in libdumpfmt: this file parses
 * options, calls the library and prints.
 */

#include "common.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PROG "dumporder"

#define PG_RESTORE_MIN 10
#define PG_RESTORE_MAX 18
/* Read the data to measure them (--measure) by default up to this many stored bytes. */
#define MEASURE_DEFAULT_LIMIT (1LL << 30)
/* -j values simulated for "useful -j". */
#define SWEEP_MAX 16

typedef struct ord_options {
    tool_strv tables, schemas, exclude_tables, exclude_schemas, indexes, functions, triggers, types,
        costs;
    int sections;
    int schema_only, data_only;
    int with_requirements, with_dependents, with_fk_targets;
    int dependents_given; /* --with-dependents/--no-dependents was given */
    int create_db;
    int verbose, quiet, json, explain, no_excluded;
    int strict_names; /* a name that matches nothing is an error, not a warning */
    int jobs;
    int measure;            /* -1 = automatic */
    int pg_restore_version; /* 0 = ask the pg_restore on PATH */
    tool_progress_mode progress;
    const char *from_list;
    const char *output;
    const char *path;
    int follow_symlinks;
} ord_options;

typedef struct ord_run {
    const ord_options *o;
    df_reader *r;
    df_graph *g;
    df_selection *sel;
    df_list_file *lf;
    df_cost_model cost;
    df_entry_size *sizes;
    size_t n;
    size_t *order; /* the list written */
    size_t norder;
    size_t *base;  /* the same entries in archive order (pg_restore's own) */
    size_t *given; /* --from-list: the entries as the file lists them */
    size_t ngiven;
    int pg; /* emulated pg_restore major */
    int measured;
    int status; /* worst exit status so far */
    FILE *out;
    tool_file outfile; /* -o FILE */
} ord_run;

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

enum {
    OPT_TYPE = 256,
    OPT_SECTION,
    OPT_WITH_REQ,
    OPT_NO_REQ,
    OPT_WITH_DEP,
    OPT_NO_DEP,
    OPT_FK_TARGETS,
    OPT_NO_EXCLUDED,
    OPT_PG_RESTORE_VERSION,
    OPT_EXPLAIN,
    OPT_MEASURE,
    OPT_NO_MEASURE,
    OPT_COST,
    OPT_JSON,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_HELP,
    OPT_EXCLUDE_TABLE,
    OPT_STRICT_NAMES,
    OPT_FOLLOW_SYMLINKS,
};

static const struct option long_options[] = {
    {"table", required_argument, NULL, 't'},
    {"schema", required_argument, NULL, 'n'},
    {"exclude-table", required_argument, NULL, OPT_EXCLUDE_TABLE},
    {"exclude-schema", required_argument, NULL, 'N'},
    {"index", required_argument, NULL, 'I'},
    {"function", required_argument, NULL, 'P'},
    {"trigger", required_argument, NULL, 'T'},
    {"type", required_argument, NULL, OPT_TYPE},
    {"section", required_argument, NULL, OPT_SECTION},
    {"schema-only", no_argument, NULL, 's'},
    {"data-only", no_argument, NULL, 'a'},
    {"with-requirements", no_argument, NULL, OPT_WITH_REQ},
    {"no-requirements", no_argument, NULL, OPT_NO_REQ},
    {"with-dependents", no_argument, NULL, OPT_WITH_DEP},
    {"no-dependents", no_argument, NULL, OPT_NO_DEP},
    {"with-fk-targets", no_argument, NULL, OPT_FK_TARGETS},
    {"create", no_argument, NULL, 'C'},
    {"from-list", required_argument, NULL, 'L'},
    {"use-list", required_argument, NULL, 'L'},
    {"strict-names", no_argument, NULL, OPT_STRICT_NAMES},
    {"no-excluded", no_argument, NULL, OPT_NO_EXCLUDED},
    {"verbose", no_argument, NULL, 'v'},
    {"pg-restore-version", required_argument, NULL, OPT_PG_RESTORE_VERSION},
    {"jobs", required_argument, NULL, 'j'},
    {"explain", no_argument, NULL, OPT_EXPLAIN},
    {"measure", no_argument, NULL, OPT_MEASURE},
    {"no-measure", no_argument, NULL, OPT_NO_MEASURE},
    {"cost", required_argument, NULL, OPT_COST},
    {"json", no_argument, NULL, OPT_JSON},
    {"output", required_argument, NULL, 'o'},
    {"file", required_argument, NULL, 'f'},
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
    printf("%s writes pg_restore -L list files for a selection, complete with what it\n"
           "needs and what belongs to it, and simulates parallel restores.\n\n",
           PROG);
    printf("Usage:\n  %s [OPTION]... DUMP > LIST\n  %s -j N --explain DUMP\n\n", PROG, PROG);
    printf("Selection (exact names, as pg_restore; each may be repeated):\n"
           "  -t, --table=NAME           table, view, materialized view, sequence or foreign\n"
           "                             table NAME\n"
           "  -n, --schema=NAME          objects in schema NAME\n"
           "  -I, --index=NAME           index NAME\n"
           "  -P, --function=NAME(ARGS)  function, aggregate or procedure\n"
           "  -T, --trigger=NAME         trigger NAME\n"
           "      --type=DESC            entries of type DESC, e.g. \"TABLE DATA\"\n"
           "      --exclude-table=NAME   leave out relation NAME and what belongs to it\n"
           "  -N, --exclude-schema=NAME  leave out schema NAME and everything in it\n"
           "      --section=SECTION      pre-data, data or post-data only\n"
           "  -s, --schema-only          only what pg_restore --schema-only restores\n"
           "  -a, --data-only            only what pg_restore --data-only restores\n"
           "  -C, --create               include the DATABASE entries (pg_restore -C)\n"
           "      --strict-names         a name that matches nothing is an error (exit 3),\n"
           "                             not a warning (exit 1)\n\n");
    printf("Closure:\n"
           "      --with-requirements    add what the selection needs (default)\n"
           "      --no-requirements      do not\n"
           "      --with-dependents      add what belongs to the selection (default, except\n"
           "                             with --from-list)\n"
           "      --no-dependents        do not\n"
           "      --with-fk-targets      also select the tables foreign keys point to\n\n");
    printf("Lists:\n"
           "  -L, --use-list=FILE        check, complete and reorder list FILE (with -j:\n"
           "                             also data entries out of archive order);\n"
           "                             also --from-list\n"
           "      --no-excluded          no \";\" comment lines for entries left out\n"
           "  -v, --verbose              add \"depends on\" lines (as pg_restore -l -v)\n"
           "  -f, --file=FILE            write the list to FILE instead of stdout (a new\n"
           "                             file renamed over FILE; never an input file);\n"
           "                             also -o, --output\n"
           "      --pg-restore-version=N plan for pg_restore release N (%d..%d; default:\n"
           "                             the pg_restore on PATH)\n\n",
           PG_RESTORE_MIN, PG_RESTORE_MAX);
    printf("Parallel restore:\n"
           "  -j, --jobs=N               order the list for pg_restore -j N\n"
           "      --explain              print the simulated restore instead of the list\n"
           "      --measure              read the data for exact bytes and rows\n"
           "      --no-measure           estimate from stored sizes (default above 1 GiB)\n"
           "      --cost=NAME=VALUE      change one constant of the cost model\n"
           "      --json                 with --explain: one JSON document\n\n");
    printf("Other:\n"
           "  -q, --quiet                print no diagnostics except errors\n"
           "      --progress             show progress on stderr while reading data\n"
           "      --no-progress          never show progress\n"
           "      --follow-symlinks      read directory-archive files that are symbolic\n"
           "                             links to places outside the directory\n"
           "      --help                 show this help, then exit\n"
           "      --version              show the version, then exit\n\n");
    printf("Exit status: 0 OK, 1 warnings (a list with problems, a name that matches\n"
           "nothing, ...), 2 the archive is damaged, 3 could not run (bad options,\n"
           "unreadable path, bad list file, --strict-names).\n");
}

static void free_options(ord_options *o)
{
    tool_strv *lists[] = {&o->tables,          &o->schemas, &o->exclude_tables,
                          &o->exclude_schemas, &o->indexes, &o->functions,
                          &o->triggers,        &o->types,   &o->costs};

    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
        tool_strv_free(lists[k]);
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", PROG);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    tool_usage_hint(PROG);
    return TOOL_EXIT_UNKNOWN;
}

static int parse_section(ord_options *o, const char *arg)
{
    if (strcmp(arg, "pre-data") == 0)
        o->sections |= DF_SEL_PRE_DATA;
    else if (strcmp(arg, "data") == 0)
        o->sections |= DF_SEL_DATA;
    else if (strcmp(arg, "post-data") == 0)
        o->sections |= DF_SEL_POST_DATA;
    else
        return usage_error("unrecognized section name: \"%s\"", arg);
    return -1;
}

static int parse_number_option(const char *arg, const char *name, long min, long max, int *out)
{
    long v;

    if (tool_parse_long(arg, min, max, &v) != 0) {
        fprintf(stderr, "%s: invalid %s \"%s\": must be %ld..%ld\n", PROG, name, arg, min, max);
        tool_usage_hint(PROG);
        return TOOL_EXIT_UNKNOWN;
    }
    *out = (int)v;
    return -1;
}

static tool_strv *list_for(ord_options *o, int c)
{
    switch (c) {
    case 't': return &o->tables;
    case 'n': return &o->schemas;
    case OPT_EXCLUDE_TABLE: return &o->exclude_tables;
    case 'N': return &o->exclude_schemas;
    case 'I': return &o->indexes;
    case 'P': return &o->functions;
    case 'T': return &o->triggers;
    case OPT_TYPE: return &o->types;
    case OPT_COST: return &o->costs;
    default: return NULL;
    }
}

/* Flags without an argument; returns 1 when c was one. */
static int apply_flag(ord_options *o, int c)
{
    switch (c) {
    case 's': o->schema_only = 1; return 1;
    case 'a': o->data_only = 1; return 1;
    case 'C': o->create_db = 1; return 1;
    case 'v': o->verbose = 1; return 1;
    case 'q': o->quiet = 1; return 1;
    case OPT_FOLLOW_SYMLINKS: o->follow_symlinks = 1; return 1;
    case OPT_WITH_REQ: o->with_requirements = 1; return 1;
    case OPT_NO_REQ: o->with_requirements = 0; return 1;
    case OPT_WITH_DEP: o->with_dependents = 1, o->dependents_given = 1; return 1;
    case OPT_NO_DEP: o->with_dependents = 0, o->dependents_given = 1; return 1;
    case OPT_FK_TARGETS: o->with_fk_targets = 1; return 1;
    case OPT_NO_EXCLUDED: o->no_excluded = 1; return 1;
    case OPT_EXPLAIN: o->explain = 1; return 1;
    case OPT_MEASURE: o->measure = 1; return 1;
    case OPT_NO_MEASURE: o->measure = 0; return 1;
    case OPT_JSON: o->json = 1; return 1;
    case OPT_STRICT_NAMES: o->strict_names = 1; return 1;
    case OPT_PROGRESS: o->progress = TOOL_PROGRESS_ON; return 1;
    case OPT_NO_PROGRESS: o->progress = TOOL_PROGRESS_OFF; return 1;
    default: return 0;
    }
}

/* Handle one option; -1 to go on, else an exit status. */
static int apply_option(ord_options *o, int c, const char *arg)
{
    tool_strv *list;

    if (apply_flag(o, c))
        return -1;
    if ((list = list_for(o, c)) != NULL) {
        if (tool_strv_push(list, arg) != 0) {
            tool_errorf(PROG, "out of memory");
            return TOOL_EXIT_UNKNOWN;
        }
        return -1;
    }
    switch (c) {
    case OPT_SECTION: return parse_section(o, arg);
    case 'j': return parse_number_option(arg, "number of parallel jobs", 1, 1024, &o->jobs);
    case OPT_PG_RESTORE_VERSION:
        return parse_number_option(arg, "--pg-restore-version", PG_RESTORE_MIN, PG_RESTORE_MAX,
                                   &o->pg_restore_version);
    case 'L': o->from_list = arg; return -1;
    case 'f':
    case 'o': o->output = arg; return -1;
    case OPT_HELP: print_help(); return tool_finish_output(PROG, stdout);
    case 'V': tool_print_version(PROG); return tool_finish_output(PROG, stdout);
    default: tool_usage_hint(PROG); return TOOL_EXIT_UNKNOWN; /* getopt said why */
    }
}

static int check_combinations(const ord_options *o)
{
    if (o->schema_only && o->data_only)
        return usage_error("%s", "options -s/--schema-only and -a/--data-only cannot be used "
                                 "together");
    if (o->json && !o->explain)
        return usage_error("%s", "--json needs --explain");
    if (o->explain && o->jobs == 0)
        return usage_error("%s", "--explain needs -j N");
    return -1;
}

static int parse_options(int argc, char **argv, ord_options *o)
{
    char prog_name[] = PROG;
    char *argv0 = argv[0];
    int c, rc = -1;

    memset(o, 0, sizeof *o);
    o->with_requirements = 1;
    o->with_dependents = 1;
    o->measure = -1;
    o->progress = TOOL_PROGRESS_AUTO;
    argv[0] = prog_name; /* getopt's messages name argv[0] */
    while (rc < 0 &&
           (c = getopt_long(argc, argv, "t:n:T:N:I:P:saCvqj:o:f:L:V", long_options, NULL)) != -1)
        rc = apply_option(o, c, optarg);
    argv[0] = argv0;
    if (rc >= 0)
        return rc;
    if (argc - optind != 1)
        return usage_error("%s", argc - optind == 0 ? "no dump given" : "too many arguments");
    o->path = argv[optind];
    if (o->quiet)
        o->progress = TOOL_PROGRESS_OFF;
    if (o->from_list && !o->dependents_given)
        o->with_dependents = 0; /* a hand-edited list left things out on purpose */
    return check_combinations(o);
}

/* ------------------------------------------------------------------ */
/* pg_restore version                                                  */
/* ------------------------------------------------------------------ */

static int choose_pg_version(ord_run *run)
{
    int v = run->o->pg_restore_version;

    if (v == 0) {
        tool_pg_restore pr;

        tool_pg_restore_init(&pr); /* the rule every tool follows (tools/common.c) */
        v = tool_pg_restore_major(&pr, TOOL_PG_RESTORE_ANY_MINOR);
        if (v == 0) {
            v = PG_RESTORE_MAX;
            if (!run->o->quiet)
                tool_errorf(PROG, "no pg_restore on PATH: planning for pg_restore %d", v);
        } else if (v < PG_RESTORE_MIN || v > PG_RESTORE_MAX) {
            int c = v < PG_RESTORE_MIN ? PG_RESTORE_MIN : PG_RESTORE_MAX;
            if (!run->o->quiet)
                tool_errorf(PROG, "pg_restore on PATH is release %d: planning for %d", v, c);
            v = c;
        }
    }
    run->pg = v;
    return TOOL_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* Opening, selecting, ordering                                        */
/* ------------------------------------------------------------------ */

static int report_lib_error(const ord_run *run, const df_error *e, int st)
{
    df_error err = *e;

    if (err.code == DF_OK)
        err.code = st;
    tool_print_error(PROG, run->o->path, &err);
    return tool_exit_for_status(st);
}

static int open_dump(ord_run *run)
{
    const df_header *h;
    int st;

    if ((run->r = df_reader_new(NULL)) == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    df_reader_set_follow_symlinks(run->r, run->o->follow_symlinks);
    st = df_reader_open_path(run->r, run->o->path);
    if (st != DF_OK) {
        df_error err = *df_reader_error(run->r);
        if (err.code == DF_OK)
            err.code = st;
        tool_print_error(PROG, run->o->path, &err);
        return tool_exit_for_open_error(&err);
    }
    h = df_reader_header(run->r);
    if (h->format == DF_FORMAT_PLAIN) {
        tool_errorf(PROG, "%s: a plain-format script cannot be restored by pg_restore; use psql",
                    run->o->path);
        return TOOL_EXIT_UNKNOWN;
    }
    if (h->vmin > df_pg_restore_max_minor(run->pg)) {
        tool_errorf(PROG, "%s: pg_restore %d cannot read archive version %d.%d", run->o->path,
                    run->pg, h->vmaj, h->vmin);
        return TOOL_EXIT_UNKNOWN;
    }
    run->n = df_reader_toc_count(run->r);
    return TOOL_EXIT_OK;
}

static void fill_select_options(const ord_run *run, df_select_options *so)
{
    const ord_options *o = run->o;

    df_select_options_default(so);
    so->tables = o->tables.v, so->ntables = o->tables.n;
    so->schemas = o->schemas.v, so->nschemas = o->schemas.n;
    so->indexes = o->indexes.v, so->nindexes = o->indexes.n;
    so->functions = o->functions.v, so->nfunctions = o->functions.n;
    so->triggers = o->triggers.v, so->ntriggers = o->triggers.n;
    so->types = o->types.v, so->ntypes = o->types.n;
    so->exclude_tables = o->exclude_tables.v, so->nexclude_tables = o->exclude_tables.n;
    so->exclude_schemas = o->exclude_schemas.v, so->nexclude_schemas = o->exclude_schemas.n;
    so->sections = o->sections;
    so->schema_only = o->schema_only;
    so->data_only = o->data_only;
    so->with_requirements = o->with_requirements;
    so->with_dependents = o->with_dependents;
    so->with_fk_targets = o->with_fk_targets;
    so->create_db = o->create_db;
    so->pg_restore_version = run->pg;
}

static int out_of_memory(void)
{
    tool_errorf(PROG, "out of memory");
    return TOOL_EXIT_UNKNOWN;
}

/* "TABLE DATA public.t (dump id 3012)" */
static void entry_label(const df_entry *e, char *buf, size_t n)
{
    snprintf(buf, n, "%s %s%s%s (dump id %d)", e->desc ? e->desc : "?", e->schema ? e->schema : "",
             e->schema ? "." : "", e->tag ? e->tag : "", (int)e->dump_id);
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

static int read_list_file(ord_run *run)
{
    FILE *f = fopen(run->o->from_list, "r");
    df_error err;
    int st;

    if (f == NULL) {
        tool_errorf(PROG, "could not open list file \"%s\": %s", run->o->from_list,
                    strerror(errno));
        return TOOL_EXIT_UNKNOWN;
    }
    memset(&err, 0, sizeof err);
    st = df_list_read(run->r, f, &run->lf, &err);
    fclose(f);
    if (st != DF_OK) {
        tool_errorf(PROG, "%s: %s", run->o->from_list, err.message);
        return TOOL_EXIT_UNKNOWN;
    }
    for (size_t k = 0; k < df_list_file_nignored(run->lf); k++) {
        size_t line;
        const char *text = df_list_file_ignored(run->lf, k, &line);
        if (!run->o->quiet)
            tool_errorf(PROG, "%s:%zu: line ignored: %s", run->o->from_list, line, text);
        run->status = tool_exit_worse(run->status, TOOL_EXIT_WARNING);
    }
    return TOOL_EXIT_OK;
}

/* Line number of the entry at position p of the list file. */
static size_t list_line_at(const ord_run *run, size_t p)
{
    size_t line;

    df_list_file_entry(run->lf, p, &line);
    return line;
}

static void report_issue(ord_run *run, const df_order_issue *is)
{
    char a[600], b[600], why[700];
    const char *what = "added", *reason = df_selection_reason(run->sel, is->needed);

    if (!df_selection_included(run->sel, is->needed)) {
        snprintf(why, sizeof why, "not added (%s)",
                 !run->o->with_requirements ? "--no-requirements"
                 : reason                   ? reason
                                            : "-");
        what = why;
    }
    entry_label(df_reader_toc_at(run->r, is->entry), a, sizeof a);
    entry_label(df_reader_toc_at(run->r, is->needed), b, sizeof b);
    if (is->needed_pos == SIZE_MAX)
        tool_errorf(PROG, "%s:%zu: %s needs %s, which is not listed: %s", run->o->from_list,
                    list_line_at(run, is->entry_pos), a, b, what);
    else
        tool_errorf(PROG, "%s:%zu: %s is listed before %s (line %zu), %s", run->o->from_list,
                    list_line_at(run, is->entry_pos), a, b, list_line_at(run, is->needed_pos),
                    is->ordering_only ? "which should be restored first" : "which it depends on");
}

/* Problems of the list as written, before it is completed. */
static int check_list(ord_run *run, const size_t *listed, size_t n)
{
    df_order_issue *issues;
    size_t nissues;

    if (df_order_check(run->g, listed, n, &issues, &nissues) != DF_OK)
        return out_of_memory();
    for (size_t k = 0; k < nissues; k++) {
        /* requirements pg_restore never lists (ENCODING, DATABASE ...) are not missing */
        if (issues[k].needed_pos == SIZE_MAX &&
            df_selection_pick(run->sel, issues[k].needed) == DF_PICK_HIDDEN)
            continue;
        if (!run->o->quiet)
            report_issue(run, &issues[k]);
        run->status = tool_exit_worse(run->status, TOOL_EXIT_WARNING);
    }
    free(issues);
    return TOOL_EXIT_OK;
}

static int select_entries(ord_run *run, const size_t *seeds, size_t nseeds)
{
    df_select_options so;
    df_error err;

    fill_select_options(run, &so);
    memset(&err, 0, sizeof err);
    if (df_select(run->r, run->g, &so, seeds, nseeds, &run->sel, &err) != DF_OK)
        return out_of_memory();
    return TOOL_EXIT_OK;
}

static int order_entries(ord_run *run, const size_t *pref, size_t npref)
{
    size_t m = run->n ? run->n : 1;

    run->order = malloc(m * sizeof *run->order);
    run->base = malloc(m * sizeof *run->base);
    if (run->order == NULL || run->base == NULL)
        return out_of_memory();
    if (df_order_fix(run->g, run->sel, pref, npref, run->order, &run->norder) != DF_OK ||
        df_order_fix(run->g, run->sel, NULL, 0, run->base, &run->norder) != DF_OK)
        return out_of_memory();
    if (pref == NULL)
        memcpy(run->order, run->base, run->norder * sizeof *run->order);
    return TOOL_EXIT_OK;
}

/* --from-list: the list's entries are the selection; its order is kept where it is valid. */
static int plan_from_list(ord_run *run)
{
    size_t n, *listed;
    int rc = read_list_file(run);

    if (rc != TOOL_EXIT_OK)
        return rc;
    n = df_list_file_count(run->lf);
    listed = malloc((n ? n : 1) * sizeof *listed);
    if (listed == NULL)
        return out_of_memory();
    for (size_t k = 0; k < n; k++)
        listed[k] = df_list_file_entry(run->lf, k, NULL);
    rc = select_entries(run, listed, n);
    if (rc == TOOL_EXIT_OK)
        rc = check_list(run, listed, n);
    if (rc == TOOL_EXIT_OK)
        rc = order_entries(run, listed, n);
    run->given = listed;
    run->ngiven = n;
    return rc;
}

/* Names that match nothing: a warning, or with --strict-names an error (as pg_restore). */
static int check_names(ord_run *run)
{
    df_select_options so;
    int rc;

    fill_select_options(run, &so);
    rc = tool_report_unmatched(PROG, run->o->path, run->r, &so, run->o->strict_names,
                               run->o->quiet);
    if (rc == TOOL_EXIT_UNKNOWN)
        return rc;
    run->status = tool_exit_worse(run->status, rc);
    return TOOL_EXIT_OK;
}

static int plan_selection(ord_run *run)
{
    int rc = check_names(run);

    if (rc == TOOL_EXIT_OK)
        rc = select_entries(run, NULL, 0);
    return rc == TOOL_EXIT_OK ? order_entries(run, NULL, 0) : rc;
}

/* ------------------------------------------------------------------ */
/* Sizes and the parallel plan                                         */
/* ------------------------------------------------------------------ */

static int64_t stored_total(const ord_run *run)
{
    int64_t total = 0;

    for (size_t i = 0; i < run->n; i++)
        if (run->sizes[i].stored > 0)
            total += run->sizes[i].stored;
    return total;
}

static int wants_measure(const ord_run *run)
{
    const df_header *h = df_reader_header(run->r);

    if (run->o->measure >= 0)
        return run->o->measure;
    if (h->format == DF_FORMAT_TAR)
        return 1; /* no stored sizes without reading */
    return stored_total(run) <= MEASURE_DEFAULT_LIMIT;
}

static int measure_sizes(ord_run *run)
{
    tool_progress pr;
    int st;

    run->sizes = calloc(run->n ? run->n : 1, sizeof *run->sizes);
    if (run->sizes == NULL)
        return out_of_memory();
    st = df_restore_sizes(run->r, 0, run->sizes, NULL, NULL);
    if (st != DF_OK)
        return report_lib_error(run, df_reader_error(run->r), st);
    if (!wants_measure(run))
        return TOOL_EXIT_OK;
    tool_progress_init(&pr, PROG, run->o->progress);
    if (pr.enabled)
        df_reader_set_progress(run->r, tool_progress_cb, &pr);
    st = df_restore_sizes(run->r, 1, run->sizes, NULL, NULL);
    df_reader_set_progress(run->r, NULL, NULL); /* pr goes out of scope */
    tool_progress_end(&pr);
    if (st != DF_OK)
        return report_lib_error(run, df_reader_error(run->r), st);
    run->measured = 1;
    return TOOL_EXIT_OK;
}

static int set_costs(ord_run *run)
{
    df_cost_model_default(&run->cost);
    for (size_t k = 0; k < run->o->costs.n; k++) {
        const char *arg = run->o->costs.v[k], *eq = strchr(arg, '=');
        char name[64], *end;
        double v;

        if (eq == NULL || (size_t)(eq - arg) >= sizeof name)
            return usage_error("invalid --cost \"%s\": use NAME=VALUE", arg);
        memcpy(name, arg, (size_t)(eq - arg));
        name[eq - arg] = '\0';
        errno = 0;
        v = strtod(eq + 1, &end);
        if (errno != 0 || end == eq + 1 || *end != '\0' ||
            df_cost_model_set(&run->cost, name, v) != DF_OK)
            return usage_error("invalid --cost \"%s\": unknown name or bad value", arg);
    }
    return TOOL_EXIT_OK;
}

static void schedule_options(const ord_run *run, int jobs, int use_list, df_schedule_options *so)
{
    memset(so, 0, sizeof *so);
    so->workers = jobs;
    so->pg_restore_version = run->pg;
    so->use_list = use_list;
    so->create_db = run->o->create_db;
    so->cost = &run->cost;
}

static int parallel_format(const ord_run *run)
{
    df_format f = df_reader_header(run->r)->format;

    return f == DF_FORMAT_CUSTOM || f == DF_FORMAT_DIRECTORY;
}

static int simulate_n(const ord_run *run, const size_t *order, size_t n, int jobs, int use_list,
                      df_schedule **out)
{
    df_schedule_options so;
    df_error err;

    schedule_options(run, jobs, use_list, &so);
    memset(&err, 0, sizeof err);
    return df_schedule_simulate(run->r, run->g, run->sizes, order, n, &so, out, &err);
}

static int simulate(const ord_run *run, const size_t *order, int jobs, int use_list,
                    df_schedule **out)
{
    return simulate_n(run, order, run->norder, jobs, use_list, out);
}

static void human_bytes(int64_t b, char *buf, size_t n)
{
    static const char *const unit[] = {"B", "kB", "MB", "GB", "TB"};
    double v = (double)b;
    int u = 0;

    while (v >= 1000 && u < 4) {
        v /= 1000;
        u++;
    }
    snprintf(buf, n, u == 0 ? "%.0f %s" : "%.1f %s", v, unit[u]);
}

/*
 * --from-list with -j N: name the data entries whose size estimate the list, as written, changes
 * (pg_restore 12+ derives a custom archive's estimates from the list's order, spec §12.1), so the
 * person who edited it learns why a parallel restore with it would run in a worse order.
 */
#define ESTIMATES_SHOWN 10

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return x < y ? -1 : x > y;
}

static int check_given_estimates(ord_run *run)
{
    df_schedule *as_given = NULL, *plain = NULL;
    size_t wrong = 0, *sorted;

    if (run->given == NULL || run->o->jobs <= 1 || !parallel_format(run))
        return TOOL_EXIT_OK;
    /* the reference: the same entries in archive order (TOC order is the archive's) */
    sorted = malloc((run->ngiven ? run->ngiven : 1) * sizeof *sorted);
    if (sorted == NULL)
        return out_of_memory();
    memcpy(sorted, run->given, run->ngiven * sizeof *sorted);
    qsort(sorted, run->ngiven, sizeof *sorted, cmp_size);
    if (simulate_n(run, run->given, run->ngiven, run->o->jobs, 1, &as_given) != DF_OK ||
        simulate_n(run, sorted, run->ngiven, run->o->jobs, 1, &plain) != DF_OK) {
        df_schedule_free(as_given);
        free(sorted);
        return out_of_memory();
    }
    free(sorted);
    for (size_t k = 0; k < run->ngiven; k++) {
        size_t i = run->given[k];
        int64_t got, right;
        char label[600], a[32], b[32];
        if (i >= run->n || !df_entry_has_data(df_reader_toc_at(run->r, i)))
            continue;
        got = df_schedule_estimate(as_given, i);
        right = df_schedule_estimate(plain, i);
        if (got == right)
            continue;
        if (wrong++ < ESTIMATES_SHOWN && !run->o->quiet) {
            entry_label(df_reader_toc_at(run->r, i), label, sizeof label);
            human_bytes(got, a, sizeof a);
            human_bytes(right, b, sizeof b);
            tool_errorf(PROG,
                        "%s:%zu: %s: pg_restore %d -j would take its size for %s, not %s "
                        "(data entries out of archive order)",
                        run->o->from_list, list_line_at(run, k), label, run->pg, a, b);
        }
    }
    if (wrong > ESTIMATES_SHOWN && !run->o->quiet)
        tool_errorf(PROG, "%s: %zu more data entries with wrong size estimates", run->o->from_list,
                    wrong - ESTIMATES_SHOWN);
    if (wrong > 0)
        run->status = tool_exit_worse(run->status, TOOL_EXIT_WARNING);
    df_schedule_free(as_given);
    df_schedule_free(plain);
    return TOOL_EXIT_OK;
}

/*
 * Without reading the data (no -j, or --no-measure) the structure is still
 * checked as dumpcheck --quick does (block and member framing, data files,
 * sizes), so a damaged archive is not planned as if it were whole.  From a
 * pipe the data are gone once the TOC is read: nothing more to see.
 */
#define DAMAGE_SHOWN 3

static void print_finding(const ord_run *run, const df_finding *f)
{
    df_error err;
    char label[600] = "";

    memset(&err, 0, sizeof err);
    err.code = DF_E_CORRUPT;
    err.offset = f->offset;
    snprintf(err.member, sizeof err.member, "%s", f->member ? f->member : "");
    if (f->entry != NULL)
        entry_label(f->entry, label, sizeof label);
    snprintf(err.message, sizeof err.message, "%s%s%s", f->message, label[0] ? ": " : "",
             label);
    tool_print_error(PROG, run->o->path, &err);
}

static int check_structure(ord_run *run)
{
    df_verify_options vo;
    df_verify *v;
    size_t shown = 0;
    int64_t errors;

    if (run->measured || strcmp(run->o->path, "-") == 0)
        return TOOL_EXIT_OK;
    df_verify_options_default(&vo);
    vo.quick = 1;
    if (df_verify_path(run->o->path, &vo, &v) != DF_OK)
        return out_of_memory();
    errors = df_verify_get_summary(v)->findings[DF_SEVERITY_ERROR];
    for (size_t k = 0; k < df_verify_count(v) && errors > 0 && !run->o->quiet; k++) {
        const df_finding *f = df_verify_finding(v, k);
        if (f->severity == DF_SEVERITY_ERROR && shown++ < DAMAGE_SHOWN)
            print_finding(run, f);
    }
    if (errors > 0)
        tool_errorf(PROG, "%s: the archive is damaged (%lld error%s); no list written: "
                          "\"dumpcheck %s\" names them all",
                    run->o->path, (long long)errors, errors == 1 ? "" : "s", run->o->path);
    df_verify_free(v);
    return errors > 0 ? TOOL_EXIT_DAMAGED : TOOL_EXIT_OK;
}

/* -j N: the order the simulated pg_restore -j N restores fastest (the list's own when none is). */
static int choose_order(ord_run *run)
{
    df_schedule_options so;
    df_error err;
    size_t *best;
    int st;

    if (run->o->jobs <= 1 || !parallel_format(run))
        return TOOL_EXIT_OK;
    best = malloc((run->norder ? run->norder : 1) * sizeof *best);
    if (best == NULL)
        return out_of_memory();
    schedule_options(run, run->o->jobs, 1, &so);
    memset(&err, 0, sizeof err);
    st = df_schedule_best_order(run->r, run->g, run->sizes, run->order, run->norder, &so, best,
                                NULL, &err);
    if (st == DF_OK)
        memcpy(run->order, best, run->norder * sizeof *best);
    free(best);
    return st == DF_OK ? TOOL_EXIT_OK : out_of_memory();
}

/* ------------------------------------------------------------------ */
/* Writing the list                                                    */
/* ------------------------------------------------------------------ */

static int write_list(ord_run *run)
{
    df_list_options lo;
    df_error err;
    int st;

    memset(&lo, 0, sizeof lo);
    lo.verbose = run->o->verbose;
    lo.pg_restore_version = run->pg;
    lo.create_db = run->o->create_db;
    memset(&err, 0, sizeof err);
    err.offset = -1;
    st = df_list_write_order(run->r, &lo, run->order, run->norder,
                             run->o->no_excluded ? NULL : run->sel, run->out, &err);
    if (st == DF_OK || (st == DF_E_IO && ferror(run->out)))
        return st == DF_OK ? TOOL_EXIT_OK : TOOL_EXIT_UNKNOWN;
    return report_lib_error(run, &err, st);
}

/* ------------------------------------------------------------------ */
/* --explain                                                           */
/* ------------------------------------------------------------------ */

typedef struct explain {
    df_schedule *own;     /* pg_restore's own order */
    df_schedule *mine;    /* the list dumporder writes */
    df_schedule *given;   /* --from-list: the list file as written, NULL otherwise */
    int own_without_list; /* own = pg_restore without -L (the whole dump) */
    double sweep[SWEEP_MAX + 1];
    int useful_jobs;
} explain;

static int whole_dump(const ord_run *run)
{
    for (size_t i = 0; i < run->n; i++) {
        int p = df_selection_pick(run->sel, i);
        if (p == DF_PICK_OUTSIDE || p == DF_PICK_EXCLUDED)
            return 0;
    }
    return 1;
}

/* Makespans for -j 1..SWEEP_MAX, and the smallest -j within 2% of the best. */
static int sweep_jobs(const ord_run *run, explain *x)
{
    double best = 0;
    int top = SWEEP_MAX;

    for (int j = 1; j <= top; j++) {
        df_schedule *s;
        if (simulate(run, run->order, j, 1, &s) != DF_OK)
            return DF_E_NOMEM;
        x->sweep[j] = df_schedule_makespan(s);
        df_schedule_free(s);
        if (j == 1 || x->sweep[j] < best)
            best = x->sweep[j];
    }
    x->useful_jobs = 1;
    while (x->useful_jobs < top && x->sweep[x->useful_jobs] > best * 1.02)
        x->useful_jobs++;
    return DF_OK;
}

static int run_explain_sims(ord_run *run, explain *x)
{
    memset(x, 0, sizeof *x);
    x->own_without_list = whole_dump(run);
    if (simulate(run, run->base, run->o->jobs, !x->own_without_list, &x->own) != DF_OK ||
        simulate(run, run->order, run->o->jobs, 1, &x->mine) != DF_OK ||
        (run->given != NULL &&
         simulate_n(run, run->given, run->ngiven, run->o->jobs, 1, &x->given) != DF_OK) ||
        sweep_jobs(run, x) != DF_OK)
        return out_of_memory();
    return TOOL_EXIT_OK;
}

static const char *family_text(int pg)
{
    if (pg >= 17)
        return "binary heap by size estimate, scanned in array order (pg_restore 17-18)";
    if (pg >= 12)
        return "array re-sorted by size estimate before each pick (pg_restore 12-16)";
    return "FIFO in the order entries became ready (pg_restore 11 and older)";
}

static void print_sizes_line(const ord_run *run, FILE *f)
{
    int64_t stored = 0, bytes = 0, rows = 0;
    char a[32], b[32];

    for (size_t i = 0; i < run->n; i++) {
        const df_entry *e = df_reader_toc_at(run->r, i);
        if (!df_selection_included(run->sel, i) || !df_entry_has_data(e))
            continue;
        stored += run->sizes[i].stored > 0 ? run->sizes[i].stored : 0;
        bytes += run->sizes[i].bytes > 0 ? run->sizes[i].bytes : 0;
        rows += run->sizes[i].rows > 0 && !df_entry_is_blobs(e) ? run->sizes[i].rows : 0;
    }
    human_bytes(stored, a, sizeof a);
    human_bytes(bytes, b, sizeof b);
    if (run->measured)
        fprintf(f, "sizes: measured: %s stored, %s of data, %lld rows\n", a, b, (long long)rows);
    else
        fprintf(f, "sizes: %s stored; bytes and rows estimated (--no-measure)\n", a);
}

static void print_header(const ord_run *run, FILE *f)
{
    const df_header *h = df_reader_header(run->r);

    fprintf(f, "simulated: pg_restore %d -j %d%s\n", run->pg, run->o->jobs,
            parallel_format(run) ? "" : " (tar: pg_restore restores it serially)");
    fprintf(f, "ready set: %s\n", family_text(run->pg));
    fprintf(f, "archive: %s (%s, %s), %zu entries, %zu in the list\n", run->o->path,
            df_format_name(h->format), df_compression_name(h->compression), run->n, run->norder);
    print_sizes_line(run, f);
}

static void put_label(FILE *f, const df_entry *e)
{
    tool_put_sanitized(f, e->desc, 0);
    fputc(' ', f);
    if (e->schema != NULL && e->schema[0] != '\0') {
        tool_put_sanitized(f, e->schema, 0);
        fputc('.', f);
    }
    tool_put_sanitized(f, e->tag, 0);
}

/* "12.34 s +/-30% (8.64..16.04)": the cost model's calibration error as a range. */
static void put_range(const ord_run *run, double v, FILE *f)
{
    double u = run->cost.uncertainty;

    fprintf(f, "%9.2f s +/-%2.0f%% (%.2f..%.2f)", v, u * 100, v * (1 - u), v * (1 + u));
}

static void print_makespans(const ord_run *run, const explain *x, FILE *f)
{
    double own = df_schedule_makespan(x->own), mine = df_schedule_makespan(x->mine);
    int same =
        run->norder > 0 && memcmp(run->order, run->base, run->norder * sizeof *run->order) == 0;

    fprintf(f, "\npredicted makespan (the range: the largest error of the cost model on its "
               "calibration restores)\n");
    fprintf(f, "  pg_restore's own order   ");
    put_range(run, own, f);
    fprintf(f, "  (%s)\n",
            x->own_without_list ? "pg_restore -j without -L" : "-L with entries in archive order");
    if (x->given != NULL) {
        int unchanged = run->norder == run->ngiven &&
                        memcmp(run->order, run->given, run->norder * sizeof *run->order) == 0;
        fprintf(f, "  the list as given        ");
        put_range(run, df_schedule_makespan(x->given), f);
        fprintf(f, "  (%s, as pg_restore -L runs it)\n", run->o->from_list);
        fprintf(f, "  dumporder's list         ");
        put_range(run, mine, f);
        fprintf(f, "  (%s)\n",
                unchanged          ? "the list as given: nothing to add or move"
                : run->o->jobs > 1 ? "completed, in the order simulated fastest"
                                   : "completed, in the list's order where it is valid");
        return;
    }
    fprintf(f, "  dumporder's list         ");
    put_range(run, mine, f);
    fprintf(f, "  (%s)\n",
            same ? "the same order: no candidate order was faster" : "reordered: simulated faster");
}

static void print_critical(const ord_run *run, const explain *x, FILE *f)
{
    const size_t *crit;
    size_t n;
    double len = df_schedule_critical_path(x->mine, &crit, &n), chain = 0;

    for (size_t k = 0; k < n; k++)
        chain += df_schedule_cost(x->mine, crit[k]);
    fprintf(f, "\ncritical path            %9.2f s  (no -j restores faster)\n", len);
    fprintf(f, "  %9.2f s  serial part: pre-data, connections, start and end\n", len - chain);
    for (size_t k = 0; k < n; k++) {
        const df_entry *e = df_reader_toc_at(run->r, crit[k]);
        fprintf(f, "  %9.2f s  ", df_schedule_cost(x->mine, crit[k]));
        put_label(f, e);
        fprintf(f, " (dump id %d)\n", (int)e->dump_id);
    }
}

static void print_sweep(const explain *x, FILE *f)
{
    fprintf(f, "\nuseful -j: %d (beyond it the simulated restore is less than 2%% faster)\n",
            x->useful_jobs);
    for (int j = 1; j <= SWEEP_MAX; j++)
        if (j <= 4 || j == 6 || j == 8 || j == 12 || j == 16)
            fprintf(f, "  -j %-2d %9.2f s\n", j, x->sweep[j]);
}

/* Jobs shorter than this are summarised, per worker, in one line. */
static double short_job(const df_schedule *s)
{
    double t = df_schedule_makespan(s) * 0.01;

    return t > 0.05 ? t : 0.05;
}

typedef struct job_group {
    int worker;
    double start, end;
    size_t count;
    size_t first;
} job_group;

static void print_group(const ord_run *run, const df_sched_job *jobs, const job_group *gr, FILE *f)
{
    char w[16];

    if (gr->count == 0)
        return;
    if (gr->worker < 0)
        snprintf(w, sizeof w, "leader");
    else
        snprintf(w, sizeof w, "%d", gr->worker + 1);
    fprintf(f, "  %-6s %9.2f %9.2f %9.2f  ", w, gr->start, gr->end, gr->end - gr->start);
    if (gr->count == 1) {
        const df_sched_job *j = &jobs[gr->first];
        char est[32];
        put_label(f, df_reader_toc_at(run->r, j->entry));
        if (j->estimate > 0) {
            human_bytes(j->estimate, est, sizeof est);
            fprintf(f, "  [estimate %s]", est);
        }
        fputc('\n', f);
    } else {
        fprintf(f, "%zu short entries\n", gr->count);
    }
}

/* One worker's jobs: each long job on its own line, runs of short ones merged. */
static void print_worker(const ord_run *run, const df_schedule *s, int worker, FILE *f)
{
    const df_sched_job *jobs;
    size_t n = df_schedule_jobs(s, &jobs);
    double limit = short_job(s);
    job_group gr = {worker, 0, 0, 0, 0};
    int group_short = 0;

    for (size_t k = 0; k < n; k++) {
        const df_sched_job *j = &jobs[k];
        int is_short = j->end - j->start < limit;

        if (j->worker != worker)
            continue;
        if (gr.count > 0 && !(is_short && group_short)) {
            print_group(run, jobs, &gr, f);
            gr.count = 0;
        }
        if (gr.count == 0) {
            gr.start = j->start;
            gr.first = k;
            group_short = is_short;
        }
        gr.end = j->end;
        gr.count++;
    }
    print_group(run, jobs, &gr, f);
}

static void print_timeline(const ord_run *run, const explain *x, FILE *f)
{
    fprintf(f, "\ntimeline of dumporder's list (short entries merged)\n");
    fprintf(f, "  %-6s %9s %9s %9s  %s\n", "worker", "start", "end", "seconds", "entry");
    for (int w = -1; w < run->o->jobs; w++)
        print_worker(run, x->mine, w, f);
}

static void print_explain(const ord_run *run, const explain *x, FILE *f)
{
    print_header(run, f);
    print_makespans(run, x, f);
    print_critical(run, x, f);
    print_sweep(x, f);
    print_timeline(run, x, f);
}

/* ---- --json ---- */

static void json_entry_fields(tool_json *j, const df_entry *e)
{
    tool_json_key(j, "dump_id"), tool_json_int(j, e->dump_id);
    tool_json_key(j, "desc"), tool_json_string(j, e->desc);
    tool_json_key(j, "schema"), tool_json_string(j, e->schema);
    tool_json_key(j, "tag"), tool_json_string(j, e->tag);
}

static void json_seconds(tool_json *j, const char *key, double v)
{
    tool_json_key(j, key);
    tool_json_int(j, (int64_t)(v * 1000 + 0.5));
}

static void json_jobs(const ord_run *run, tool_json *j, const df_schedule *s)
{
    const df_sched_job *jobs;
    size_t n = df_schedule_jobs(s, &jobs);

    tool_json_key(j, "jobs");
    tool_json_begin_array(j);
    for (size_t k = 0; k < n; k++) {
        tool_json_begin_object(j);
        json_entry_fields(j, df_reader_toc_at(run->r, jobs[k].entry));
        tool_json_key(j, "worker"), tool_json_int(j, jobs[k].worker + 1);
        json_seconds(j, "start_ms", jobs[k].start);
        json_seconds(j, "end_ms", jobs[k].end);
        json_seconds(j, "cost_ms", jobs[k].cost);
        tool_json_key(j, "estimate"), tool_json_int(j, jobs[k].estimate);
        tool_json_end_object(j);
    }
    tool_json_end_array(j);
}

static void json_critical(const ord_run *run, tool_json *j, const explain *x)
{
    const size_t *crit;
    size_t n;
    double len = df_schedule_critical_path(x->mine, &crit, &n);

    tool_json_key(j, "critical_path");
    tool_json_begin_object(j);
    json_seconds(j, "ms", len);
    tool_json_key(j, "entries");
    tool_json_begin_array(j);
    for (size_t k = 0; k < n; k++) {
        tool_json_begin_object(j);
        json_entry_fields(j, df_reader_toc_at(run->r, crit[k]));
        json_seconds(j, "cost_ms", df_schedule_cost(x->mine, crit[k]));
        tool_json_end_object(j);
    }
    tool_json_end_array(j);
    tool_json_end_object(j);
}

static void print_json(const ord_run *run, const explain *x, FILE *f)
{
    tool_json j;

    tool_json_init(&j, f, 2);
    tool_json_begin_object(&j);
    tool_json_key(&j, "file"), tool_json_string(&j, run->o->path);
    tool_json_key(&j, "pg_restore_version"), tool_json_int(&j, run->pg);
    tool_json_key(&j, "workers"), tool_json_int(&j, run->o->jobs);
    tool_json_key(&j, "measured"), tool_json_bool(&j, run->measured);
    tool_json_key(&j, "listed"), tool_json_uint(&j, run->norder);
    json_seconds(&j, "own_order_ms", df_schedule_makespan(x->own));
    tool_json_key(&j, "own_order_without_list"), tool_json_bool(&j, x->own_without_list);
    if (x->given != NULL)
        json_seconds(&j, "given_list_ms", df_schedule_makespan(x->given));
    json_seconds(&j, "dumporder_ms", df_schedule_makespan(x->mine));
    tool_json_key(&j, "uncertainty_pct"), tool_json_int(&j, (int64_t)(run->cost.uncertainty * 100 + 0.5));
    tool_json_key(&j, "useful_jobs"), tool_json_int(&j, x->useful_jobs);
    tool_json_key(&j, "by_jobs");
    tool_json_begin_array_inline(&j);
    for (int k = 1; k <= SWEEP_MAX; k++)
        tool_json_int(&j, (int64_t)(x->sweep[k] * 1000 + 0.5));
    tool_json_end_array(&j);
    json_critical(run, &j, x);
    json_jobs(run, &j, x->mine);
    tool_json_end_object(&j);
    tool_json_finish(&j);
}

static int do_explain(ord_run *run)
{
    explain x;
    int rc = run_explain_sims(run, &x);

    if (rc == TOOL_EXIT_OK) {
        if (run->o->json)
            print_json(run, &x, run->out);
        else
            print_explain(run, &x, run->out);
    }
    df_schedule_free(x.own);
    df_schedule_free(x.mine);
    df_schedule_free(x.given);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Main                                                                */
/* ------------------------------------------------------------------ */

/* -o FILE: a new file renamed over FILE when complete; never one of the inputs. */
static int open_output(ord_run *run)
{
    const char *out = run->o->output;

    if (out == NULL) {
        run->out = stdout;
        return TOOL_EXIT_OK;
    }
    if (tool_same_file(out, run->o->path) || tool_same_file(out, run->o->from_list)) {
        tool_errorf(PROG, "--output \"%s\" is one of the input files; write a new file", out);
        return TOOL_EXIT_UNKNOWN;
    }
    if (tool_file_create(PROG, out, &run->outfile) != TOOL_EXIT_OK)
        return TOOL_EXIT_UNKNOWN;
    run->out = run->outfile.f;
    return TOOL_EXIT_OK;
}

static int plan(ord_run *run)
{
    int rc = choose_pg_version(run);

    if (rc == TOOL_EXIT_OK)
        rc = open_dump(run);
    if (rc == TOOL_EXIT_OK && df_graph_build(run->r, &run->g, NULL) != DF_OK)
        rc = out_of_memory();
    if (rc == TOOL_EXIT_OK)
        rc = run->o->from_list ? plan_from_list(run) : plan_selection(run);
    if (rc == TOOL_EXIT_OK && run->o->jobs > 1 && !parallel_format(run) && !run->o->quiet)
        tool_errorf(PROG, "%s: pg_restore cannot restore a tar archive in parallel", run->o->path);
    if (rc == TOOL_EXIT_OK && run->o->jobs > 0)
        rc = set_costs(run);
    if (rc == TOOL_EXIT_OK && run->o->jobs > 0)
        rc = measure_sizes(run);
    if (rc == TOOL_EXIT_OK)
        rc = check_structure(run);
    if (rc == TOOL_EXIT_OK)
        rc = check_given_estimates(run);
    if (rc == TOOL_EXIT_OK)
        rc = choose_order(run);
    return rc;
}

static int run_tool(ord_run *run)
{
    int rc = plan(run);

    if (rc == TOOL_EXIT_OK)
        rc = open_output(run);
    if (rc != TOOL_EXIT_OK)
        return rc;
    rc = run->o->explain ? do_explain(run) : write_list(run);
    if (run->out != stdout) {
        /* a failed run leaves FILE as it was */
        if (rc == TOOL_EXIT_OK || rc == TOOL_EXIT_WARNING)
            rc = tool_exit_worse(rc, tool_file_commit(PROG, &run->outfile));
        else
            tool_file_abort(&run->outfile);
        run->out = NULL;
    }
    return rc == TOOL_EXIT_OK ? run->status : tool_exit_worse(rc, run->status);
}

static void free_run(ord_run *run)
{
    df_selection_free(run->sel);
    df_list_file_free(run->lf);
    df_graph_free(run->g);
    df_reader_free(run->r);
    free(run->sizes);
    free(run->order);
    free(run->base);
    free(run->given);
}

int main(int argc, char **argv)
{
    ord_options o;
    ord_run run;
    int rc;

    if ((rc = parse_options(argc, argv, &o)) >= 0) {
        free_options(&o);
        return rc;
    }
    memset(&run, 0, sizeof run);
    run.o = &o;
    rc = run_tool(&run);
    rc = tool_exit_worse(rc, tool_finish_output(PROG, stdout));
    free_run(&run);
    free_options(&o);
    return rc;
}
