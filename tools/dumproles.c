/*
 * dumproles.c — which roles a restore of a dump needs, which of them a
 * target lacks, and the script that creates them (the cure for
 * `role "x" does not exist` that does not throw away owners and grants).
 *
 * The target is a pg_dumpall --globals-only/--roles-only script
 * (--globals) or a live cluster (-d, through libpq).  All dump knowledge
 * is in libdumpfmt (roles.c); this file parses options and runs the steps
 * of rolecheck.h (role_check.c, pgroles.c, role_print.c).
 */
#include "rolecheck.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

enum {
    OPT_NAMES = 256,
    OPT_JSON,
    OPT_OBJECTS,
    OPT_GLOBALS,
    OPT_CREATE,
    OPT_HELP,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_FOLLOW_SYMLINKS,
};

static const struct option long_options[] = {
    {"names", no_argument, NULL, OPT_NAMES},
    {"json", no_argument, NULL, OPT_JSON},
    {"objects", required_argument, NULL, OPT_OBJECTS},
    {"globals", required_argument, NULL, OPT_GLOBALS},
    {"dbname", required_argument, NULL, 'd'},
    {"create", no_argument, NULL, OPT_CREATE},
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
    printf("%s lists the roles a restore of a pg_dump archive or script needs,\n"
           "reports which of them a target lacks, and writes the script that creates them.\n\n",
           PROG);
    printf("Usage:\n  %s [OPTION]... DUMP\n\n", PROG);
    printf("DUMP is a custom-format file, a directory-format directory, a tar file, a\n"
           "plain-format script (also gzip, lz4 or zstd compressed, and pg_dumpall\n"
           "output), or \"-\" for standard input.\n\n");
    printf("Options:\n"
           "      --names              print only the role names, one per line\n"
           "      --json               print one JSON document\n"
           "      --objects=ROLE       list the entries that reference ROLE\n"
           "      --globals=FILE       compare with a pg_dumpall --globals-only or\n"
           "                           --roles-only script (with -d: the source cluster's,\n"
           "                           whose memberships the cluster must have and where\n"
           "                           --create takes memberships and attributes from)\n"
           "  -d, --dbname=CONNINFO    compare with the roles of a live cluster (libpq;\n"
           "                           PG* environment variables are honoured; gives up\n"
           "                           after " DR_CONNECT_TIMEOUT
           " s without PGCONNECT_TIMEOUT or\n"
           "                           connect_timeout)\n"
           "      --create             print a script that creates the missing roles\n"
           "  -q, --quiet              print no diagnostics except errors\n"
           "      --progress           show progress on stderr while reading a script\n"
           "      --no-progress        never show progress\n"
           "      --follow-symlinks    read a directory archive's toc.dat that is a\n"
           "                           symbolic link to a place outside the directory\n"
           "      --help               show this help, then exit\n"
           "      --version            show the version, then exit\n\n");
    printf("Without a target every role is listed: its name, a tab, then its\n"
           "references by kind and the number of objects it owns.  With a target only\n"
           "the missing roles are listed.\n\n");
    printf("Exit status: 0 nothing missing (or no target given), 1 roles missing or a\n"
           "role the restore cannot use, 2 the dump is damaged, 3 could not run.\n");
}

static int apply_option(void *ctx, int c, const char *arg)
{
    dr_options *o = ctx;

    switch (c) {
    case OPT_NAMES: o->names = 1; return -1;
    case OPT_JSON: o->json = 1; return -1;
    case OPT_CREATE: o->create = 1; return -1;
    case 'q': o->quiet = 1; return -1;
    case OPT_PROGRESS: o->progress = TOOL_PROGRESS_ON; return -1;
    case OPT_NO_PROGRESS: o->progress = TOOL_PROGRESS_OFF; return -1;
    case OPT_FOLLOW_SYMLINKS: o->follow_symlinks = 1; return -1;
    case OPT_OBJECTS: o->objects = arg; return -1;
    case OPT_GLOBALS: o->globals = arg; return -1;
    case 'd': o->conninfo = arg; return -1;
    case OPT_HELP: print_help(); return tool_finish_output(PROG, stdout);
    case 'V': tool_print_version(PROG); return tool_finish_output(PROG, stdout);
    default: tool_usage_hint(PROG); return TOOL_EXIT_UNKNOWN; /* getopt said why */
    }
}

/* The output modes exclude each other. */
static int check_modes(const dr_options *o)
{
    int modes = o->names + o->json + o->create + (o->objects != NULL);

    if (modes > 1 && !(modes == 2 && o->json && o->objects)) {
        tool_errorf(PROG, "--names, --json, --objects and --create cannot be combined "
                          "(except --json with --objects)");
        tool_usage_hint(PROG);
        return TOOL_EXIT_UNKNOWN;
    }
    return -1;
}

static int parse_options(int argc, char **argv, dr_options *o)
{
    int rc;

    memset(o, 0, sizeof *o);
    rc = tool_parse_args(PROG, argc, argv, "d:qV", long_options, apply_option, o);
    if (rc < 0)
        rc = tool_want_operands(PROG, argc, 1, 1, "no dump given");
    if (rc >= 0)
        return rc;
    o->path = argv[optind];
    if (o->quiet) /* progress is a diagnostic too */
        o->progress = TOOL_PROGRESS_OFF;
    return check_modes(o);
}

/* ------------------------------------------------------------------ */
/* Main                                                                */
/* ------------------------------------------------------------------ */
static int run_dumproles(dr_run *run)
{
    int rc;

    if ((rc = dr_read_roles(run, run->o->path, &run->r, &run->s)) >= 0)
        return rc;
    if (run->o->globals && (rc = dr_read_globals(run)) >= 0)
        return rc;
    if (run->o->conninfo && (rc = dr_query_cluster(run)) >= 0)
        return rc;
    if ((run->o->globals || run->o->conninfo) && (rc = dr_compare(run)) >= 0)
        return rc;
    if ((rc = dr_write_output(run)) != TOOL_EXIT_OK)
        return rc;
    dr_print_summary(run);
    if (run->damaged)
        return TOOL_EXIT_DAMAGED;
    return run->missing > 0 || run->nproblems > 0 ? TOOL_EXIT_WARNING : TOOL_EXIT_OK;
}

int main(int argc, char **argv)
{
    dr_options o;
    dr_run run;
    int rc;

    if ((rc = parse_options(argc, argv, &o)) >= 0)
        return rc;
    memset(&run, 0, sizeof run);
    run.o = &o;
    rc = run_dumproles(&run);
    rc = tool_exit_worse(rc, tool_finish_output(PROG, stdout));
    df_roles_free(run.s);
    df_roles_free(run.gs);
    df_reader_free(run.r);
    df_reader_free(run.gr);
    dr_free_cluster(&run.cluster);
    free(run.problems);
    return rc;
}
