/*
 * dumprestore.c — a restore done right: the preflight of the target, the
 * roles, the restore by the real engines (pg_restore with dumporder's list
 * for archives, psql for plain scripts), ANALYZE, and the verification of
 * the result against the dump; or each alone (--preflight-only,
 * --verify-only), or the whole run into a throwaway cluster (--drill).
 * This file parses options and prints; the phases are in restore_*.c
 * (restore.h), the comparisons in libdumpfmt (target.c, restorelog.c,
 * restorediag.c).
 */
#include "restore.h"

#include <getopt.h>
#include <string.h>

enum {
    OPT_HELP = 256,
    OPT_PREFLIGHT,
    OPT_VERIFY,
    OPT_DRILL,
    OPT_CLEAN,
    OPT_ALLOW,
    OPT_CREATE_ROLES,
    OPT_GLOBALS,
    OPT_SINGLE,
    OPT_JSON,
    OPT_PROM,
    OPT_BINDIR,
    OPT_RESUME,
    OPT_FIX_SEQ,
    OPT_NO_ORDER,
};

static const struct option long_options[] = {
    {"dbname", required_argument, NULL, 'd'},
    {"jobs", required_argument, NULL, 'j'},
    {"preflight-only", no_argument, NULL, OPT_PREFLIGHT},
    {"verify-only", no_argument, NULL, OPT_VERIFY},
    {"drill", no_argument, NULL, OPT_DRILL},
    {"clean", no_argument, NULL, 'c'},
    {"allow-existing", no_argument, NULL, OPT_ALLOW},
    {"create-roles", no_argument, NULL, OPT_CREATE_ROLES},
    {"globals", required_argument, NULL, OPT_GLOBALS},
    {"single-transaction", no_argument, NULL, '1'},
    {"json", no_argument, NULL, OPT_JSON},
    {"prometheus", required_argument, NULL, OPT_PROM},
    {"pg-bindir", required_argument, NULL, OPT_BINDIR},
    {"resume-file", required_argument, NULL, OPT_RESUME},
    {"fix-sequences", no_argument, NULL, OPT_FIX_SEQ},
    {"no-order", no_argument, NULL, OPT_NO_ORDER},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void print_help(void)
{
    printf("%s restores a PostgreSQL dump and checks the result.\n\n"
           "Usage:\n"
           "  %s [OPTION]... -d CONNINFO DUMP   preflight, restore, ANALYZE, verify\n"
           "  %s --preflight-only -d CONNINFO DUMP\n"
           "  %s --verify-only -d CONNINFO DUMP\n"
           "  %s --drill [OPTION]... DUMP       all of it into a throwaway cluster\n\n"
           "Options:\n"
           "  -d, --dbname=CONNINFO    the target database (conninfo or URI; PG* variables)\n"
           "  -j, --jobs=N             pg_restore -j N in the order dumporder -j N writes;\n"
           "                           vacuumdb -j N\n"
           "      --no-order           pg_restore -j N in the archive's order\n"
           "  -c, --clean              pg_restore --clean --if-exists: existing objects are "
           "dropped\n"
           "      --allow-existing     restore into a database that holds dump objects\n"
           "      --create-roles       create the missing roles (NOLOGIN stubs, or as --globals "
           "defines)\n"
           "      --globals=FILE       pg_dumpall --globals-only/--roles-only script of the "
           "source\n"
           "  -1, --single-transaction restore in one transaction\n"
           "      --pg-bindir=DIR      where pg_restore, psql, initdb and pg_ctl are\n"
           "      --resume-file=FILE   where a failed restore's resume list goes\n"
           "      --fix-sequences      setval() the sequences behind the columns they feed\n"
           "      --json               the report as JSON\n"
           "      --prometheus=FILE    write metrics for node_exporter's textfile collector\n"
           "  -q, --quiet              print only findings and the verdict\n"
           "      --help, -V, --version\n\n"
           "Exit status: 0 OK, 1 warnings, 2 the restore failed or differs from the dump,\n"
           "3 could not run.\n",
           PROG, PROG, PROG, PROG, PROG);
}

static int parse_options(int argc, char **argv, dr_options *o)
{
    char prog_name[] = PROG;
    char *argv0 = argv[0];
    int c;

    memset(o, 0, sizeof *o);
    o->jobs = 1;
    argv[0] = prog_name; /* getopt's messages name argv[0] */
    while ((c = getopt_long(argc, argv, "d:j:c1qV", long_options, NULL)) != -1) {
        switch (c) {
        case 'd': o->conninfo = optarg; break;
        case 'j':
            if (tool_parse_long(optarg, 1, 1024, &o->jobs) != 0) {
                argv[0] = argv0;
                tool_errorf(PROG, "-j needs a number from 1 to 1024, not \"%s\"", optarg);
                return TOOL_EXIT_UNKNOWN;
            }
            break;
        case 'c': o->clean = 1; break;
        case '1': o->single_txn = 1; break;
        case 'q': o->quiet = 1; break;
        case OPT_PREFLIGHT: o->preflight_only = 1; break;
        case OPT_VERIFY: o->verify_only = 1; break;
        case OPT_DRILL: o->drill = 1; break;
        case OPT_ALLOW: o->allow_existing = 1; break;
        case OPT_CREATE_ROLES: o->create_roles = 1; break;
        case OPT_GLOBALS: o->globals = optarg; break;
        case OPT_JSON: o->json = 1; break;
        case OPT_PROM: o->prometheus = optarg; break;
        case OPT_BINDIR: o->pg_bindir = optarg; break;
        case OPT_RESUME: o->resume_file = optarg; break;
        case OPT_FIX_SEQ: o->fix_sequences = 1; break;
        case OPT_NO_ORDER: o->no_order = 1; break;
        case OPT_HELP: argv[0] = argv0; print_help(); return tool_finish_output(PROG, stdout);
        case 'V': argv[0] = argv0; tool_print_version(PROG); return tool_finish_output(PROG, stdout);
        default: argv[0] = argv0; tool_usage_hint(PROG); return TOOL_EXIT_UNKNOWN;
        }
    }
    argv[0] = argv0;
    if (argc - optind != 1) {
        tool_errorf(PROG, argc - optind < 1 ? "a dump is needed" : "too many arguments");
        tool_usage_hint(PROG);
        return TOOL_EXIT_UNKNOWN;
    }
    o->dump = argv[optind];
    if (o->preflight_only + o->verify_only + o->drill > 1) {
        tool_errorf(PROG, "--preflight-only, --verify-only and --drill exclude each other");
        return TOOL_EXIT_UNKNOWN;
    }
    if (o->drill ? o->conninfo != NULL : o->conninfo == NULL) {
        tool_errorf(PROG, o->drill ? "--drill makes its own cluster: no -d" : "-d is needed");
        return TOOL_EXIT_UNKNOWN;
    }
    if (o->single_txn && o->jobs > 1) {
        tool_errorf(PROG, "--single-transaction and -j exclude each other");
        return TOOL_EXIT_UNKNOWN;
    }
    return -1;
}

static int run_all(const dr_options *o)
{
    dr_run run;
    int rc, verdict;

    memset(&run, 0, sizeof run);
    run.o = o;
    run.conninfo = o->conninfo;
    if (o->pg_bindir != NULL)
        snprintf(run.bindir, sizeof run.bindir, "%s", o->pg_bindir);
    rc = dr_open_dumps(&run);
    if (rc == TOOL_EXIT_OK) {
        if (o->drill) {
            dr_run_drill(&run);
        } else {
            dr_install_signals(0);
            dr_run_phases(&run, 0);
        }
        verdict = dr_verdict(&run);
        rc = o->json ? dr_print_json(&run, verdict) : dr_print_text(&run, verdict);
        if (o->prometheus != NULL)
            rc = tool_exit_worse(rc, dr_write_prometheus(&run, verdict));
        rc = tool_exit_worse(rc, verdict);
    }
    dr_free_run(&run);
    if (dr_signal())
        return 128 + dr_signal();
    return rc;
}

int main(int argc, char **argv)
{
    dr_options o;
    int rc = parse_options(argc, argv, &o);

    if (rc >= 0)
        return rc;
    return run_all(&o);
}
