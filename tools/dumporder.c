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
 * options; the run itself is in order_plan.c, order_check.c and
 * order_explain.c (order.h).
 */

#include "order.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
           DF_PG_RESTORE_OLDEST, DF_PG_RESTORE_NEWEST);
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
static int apply_option(void *ctx, int c, const char *arg)
{
    ord_options *o = ctx;

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
        return parse_number_option(arg, "--pg-restore-version", DF_PG_RESTORE_OLDEST,
                                   DF_PG_RESTORE_NEWEST, &o->pg_restore_version);
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
    int rc;

    memset(o, 0, sizeof *o);
    o->with_requirements = 1;
    o->with_dependents = 1;
    o->measure = -1;
    o->progress = TOOL_PROGRESS_AUTO;
    rc = tool_parse_args(PROG, argc, argv, "t:n:T:N:I:P:saCvqj:o:f:L:V", long_options,
                         apply_option, o);
    if (rc < 0)
        rc = tool_want_operands(PROG, argc, 1, 1, "no dump given");
    if (rc >= 0)
        return rc;
    o->path = argv[optind];
    if (o->quiet)
        o->progress = TOOL_PROGRESS_OFF;
    if (o->from_list && !o->dependents_given)
        o->with_dependents = 0; /* a hand-edited list left things out on purpose */
    return check_combinations(o);
}

/* ------------------------------------------------------------------ */
/* Main                                                                */
/* ------------------------------------------------------------------ */
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
    rc = ord_run_tool(&run);
    rc = tool_exit_worse(rc, tool_finish_output(PROG, stdout));
    ord_free_run(&run);
    free_options(&o);
    return rc;
}

