/*
 * dumpcheck.c — verify pg_dump output after every backup: one line per
 * finding (stable code, offset, entry), one summary line per dump, and an
 * exit status a cron job or a monitoring check can act on (design.md §4).
 * --json prints one document; --prometheus writes a node_exporter textfile.
 * All dump knowledge is in libdumpfmt (verify.c): this file parses options
 * and prints findings; check_run.c runs the check, check_report.c writes
 * --json and --prometheus (ck.h).
 */

#include "ck.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

enum {
    OPT_QUICK = 256,
    OPT_JSON,
    OPT_PROMETHEUS,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_PG_RESTORE_VERSION,
    OPT_NO_PG_RESTORE_CHECK,
    OPT_INFLATE,
    OPT_LARGE_PLAIN,
    OPT_HELP,
    OPT_NO_VALUES,
    OPT_FOLLOW_SYMLINKS,
};

static const struct option long_options[] = {
    {"quick", no_argument, NULL, OPT_QUICK},
    {"no-values", no_argument, NULL, OPT_NO_VALUES},
    {"jobs", required_argument, NULL, 'j'},
    {"json", no_argument, NULL, OPT_JSON},
    {"prometheus", required_argument, NULL, OPT_PROMETHEUS},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"pg-restore-version", required_argument, NULL, OPT_PG_RESTORE_VERSION},
    {"no-pg-restore-check", no_argument, NULL, OPT_NO_PG_RESTORE_CHECK},
    {"inflate", required_argument, NULL, OPT_INFLATE},
    {"large-plain", required_argument, NULL, OPT_LARGE_PLAIN},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"follow-symlinks", no_argument, NULL, OPT_FOLLOW_SYMLINKS},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void print_help(void)
{
    printf("%s verifies pg_dump archives and scripts: structure, checksums, every\n"
           "data block and COPY row, large objects, sequences.\n\n",
           PROG);
    printf("Usage:\n  %s [OPTION]... DUMP...\n\n", PROG);
    printf("DUMP is a custom-format file, a directory-format directory, a tar file,\n"
           "a plain SQL script, or \"-\" for standard input.\n\n");
    printf("Options:\n"
           "      --quick                structure only: header, TOC, block framing, files\n"
           "                             and sizes; nothing is decompressed\n"
           "      --no-values            do not check COPY values against their column types\n"
           "  -j, --jobs=N               check data with N threads (default: the CPUs it\n"
           "                             may run on; a big table's COPY text may get a\n"
           "                             helper)\n"
           "      --json                 print one JSON document on stdout\n"
           "      --prometheus=FILE      also write a node_exporter textfile to FILE\n"
           "      --pg-restore-version=N compare archive versions with pg_restore N\n"
           "                             (default: the pg_restore on PATH)\n"
           "      --no-pg-restore-check  do not compare archive versions with pg_restore\n"
           "      --inflate=ENGINE       gzip inflater: auto (ISA-L when built in) or zlib\n"
           "      --large-plain=BYTES    warn about plain dumps from this size (default 1 GiB,\n"
           "                             0 never)\n"
           "  -q, --quiet                print warnings and errors only, no summary lines\n"
           "  -v, --verbose              also print informational findings\n"
           "      --progress             show progress on stderr\n"
           "      --no-progress          never show progress\n"
           "      --follow-symlinks      read directory-archive files that are symbolic\n"
           "                             links to places outside the directory\n"
           "      --help                 show this help, then exit\n"
           "      --version              show the version, then exit\n\n");
    printf("Exit status: 0 every dump is intact, 1 intact but with warnings, 2 a dump is\n"
           "damaged or truncated, 3 a dump could not be checked (bad options, unreadable\n"
           "path, ...).  With several DUMPs the worst status wins.\n");
}

static int bad_value(const char *opt, const char *arg, const char *why)
{
    tool_errorf(PROG, "invalid %s \"%s\": %s", opt, arg, why);
    tool_usage_hint(PROG);
    return TOOL_EXIT_UNKNOWN;
}

/* Handle one option; returns -1 to go on, else an exit status. */
static int apply_option(ck_options *o, int c, const char *arg)
{
    long v;

    switch (c) {
    case OPT_QUICK: o->quick = 1; return -1;
    case OPT_NO_VALUES: o->no_values = 1; return -1;
    case OPT_JSON: o->json = 1; return -1;
    case 'q': o->quiet = 1; return -1;
    case OPT_FOLLOW_SYMLINKS: o->follow_symlinks = 1; return -1;
    case 'v': o->verbose = 1; return -1;
    case OPT_PROGRESS: o->progress = TOOL_PROGRESS_ON; return -1;
    case OPT_NO_PROGRESS: o->progress = TOOL_PROGRESS_OFF; return -1;
    case OPT_PROMETHEUS: o->prometheus = arg; return -1;
    case OPT_NO_PG_RESTORE_CHECK: o->pg_restore_version = 0; return -1;
    case 'j':
        if (tool_parse_long(arg, 1, 1024, &v) != 0)
            return bad_value("--jobs", arg, "must be 1..1024");
        o->jobs = v;
        return -1;
    case OPT_PG_RESTORE_VERSION:
        if (tool_parse_long(arg, 7, 99, &v) != 0)
            return bad_value("--pg-restore-version", arg, "must be a major version, 7..99");
        o->pg_restore_version = (int)v;
        return -1;
    case OPT_INFLATE:
        if (strcmp(arg, "auto") == 0)
            o->inflate = DF_INFLATE_AUTO;
        else if (strcmp(arg, "zlib") == 0)
            o->inflate = DF_INFLATE_ZLIB;
        else
            return bad_value("--inflate", arg, "must be auto or zlib");
        return -1;
    case OPT_LARGE_PLAIN:
        if (tool_parse_long(arg, 0, LONG_MAX, &v) != 0)
            return bad_value("--large-plain", arg, "must be a byte count");
        o->large_plain = v == 0 ? -1 : v;
        return -1;
    case OPT_HELP: print_help(); return tool_finish_output(PROG, stdout);
    case 'V': tool_print_version(PROG); return tool_finish_output(PROG, stdout);
    default: tool_usage_hint(PROG); return TOOL_EXIT_UNKNOWN; /* getopt said why */
    }
}

static int parse_options(int argc, char **argv, ck_options *o)
{
    char prog_name[] = PROG;
    char *argv0 = argv[0];
    int c, rc = -1;

    memset(o, 0, sizeof *o);
    o->pg_restore_version = -1;
    o->progress = TOOL_PROGRESS_AUTO;
    argv[0] = prog_name; /* getopt's own messages name argv[0] */
    while (rc < 0 && (c = getopt_long(argc, argv, "j:qvV", long_options, NULL)) != -1)
        rc = apply_option(o, c, optarg);
    argv[0] = argv0;
    if (rc >= 0)
        return rc;
    if (optind >= argc) {
        tool_errorf(PROG, "no dump given");
        tool_usage_hint(PROG);
        return TOOL_EXIT_UNKNOWN;
    }
    o->paths = argv + optind;
    o->npaths = argc - optind;
    if (o->jobs == 0)
        o->jobs = tool_cpu_count();
    if (o->quiet && o->progress == TOOL_PROGRESS_AUTO)
        o->progress = TOOL_PROGRESS_OFF;
    return -1;
}

/* ------------------------------------------------------------------ */
/* Human output                                                        */
/* ------------------------------------------------------------------ */

static void put_entry_label(FILE *out, const df_entry *e)
{
    fputs(" (", out);
    tool_put_sanitized(out, e->desc, 0);
    fputc(' ', out);
    if (e->schema != NULL && e->schema[0] != '\0') {
        tool_put_sanitized(out, e->schema, 0);
        fputc('.', out);
    }
    tool_put_sanitized(out, e->tag, 0);
    fprintf(out, ", dump id %d)", (int)e->dump_id);
}

/* "dumpcheck: FILE[/member | : member]: offset N: CODE: message (ENTRY)" on stderr. */
static void print_finding(const ck_result *res, const df_finding *f)
{
    const df_verify_summary *s = df_verify_get_summary(res->v);
    size_t plen = strlen(res->path);

    while (plen > 1 && res->path[plen - 1] == '/')
        plen--;
    fprintf(stderr, "%s: %.*s", PROG, (int)plen, res->path);
    if (f->member[0] != '\0')
        fprintf(stderr, s->format == DF_FORMAT_DIRECTORY ? "/%s" : ": %s", f->member);
    if (f->offset >= 0)
        fprintf(stderr, ": offset %lld", (long long)f->offset);
    fprintf(stderr, ": %s: ", f->code);
    tool_put_sanitized(stderr, f->message, 0);
    if (f->entry != NULL)
        put_entry_label(stderr, f->entry);
    if (f->fix != NULL) {
        fputs("; after a restore: ", stderr);
        tool_put_sanitized(stderr, f->fix, 0);
    }
    fputc('\n', stderr);
}

static int shown(const ck_options *o, const df_finding *f)
{
    if (f->severity == DF_SEVERITY_INFO)
        return o->verbose && !o->quiet;
    return 1;
}

static void describe_archive(const df_verify_summary *s, char *buf, size_t n)
{
    if (s->format == DF_FORMAT_UNKNOWN)
        snprintf(buf, n, "not recognised");
    else if (s->vmaj > 0)
        snprintf(buf, n, "%s %d.%d %s", df_format_name(s->format), s->vmaj, s->vmin,
                 df_compression_name(s->compression));
    else if (s->compression != DF_COMPRESS_NONE) /* a compressed plain script */
        snprintf(buf, n, "%s %s", df_format_name(s->format), df_compression_name(s->compression));
    else
        snprintf(buf, n, "%s", df_format_name(s->format));
}

/* "FILE: WARNING (2 warnings): custom 1.16 gzip, 198 entries, ..., 0.12 s" on stdout. */
static void print_summary(const ck_result *res)
{
    const df_verify_summary *s = df_verify_get_summary(res->v);
    static const char *const word[4] = {"info", "warning", "error", "unknown"};
    char what[128];
    int first = 1;

    describe_archive(s, what, sizeof what);
    printf("%s: %s", res->path, df_verdict_name(s->verdict));
    for (int sev = DF_SEVERITY_ERROR; sev >= DF_SEVERITY_WARNING; sev--) {
        if (s->findings[sev] == 0)
            continue;
        printf("%s%lld %s%s", first ? " (" : ", ", (long long)s->findings[sev], word[sev],
               s->findings[sev] == 1 ? "" : "s");
        first = 0;
    }
    if (s->findings[DF_SEVERITY_UNKNOWN] > 0) {
        printf("%s%lld not checkable", first ? " (" : ", ",
               (long long)s->findings[DF_SEVERITY_UNKNOWN]);
        first = 0;
    }
    if (!first)
        putchar(')');
    printf(": %s, %lld entries, %lld data entries, %lld stored bytes", what, (long long)s->entries,
           (long long)s->data_entries, (long long)s->stored_bytes);
    if (!s->quick)
        printf(", %lld bytes, %lld rows", (long long)s->bytes, (long long)s->rows);
    if (s->large_objects > 0)
        printf(", %lld large objects", (long long)s->large_objects);
    if (s->quick)
        printf(", quick check: structure only, data not decompressed");
    printf(", %.2f s\n", res->seconds);
}

static void print_human(const ck_options *o, const ck_result *res)
{
    if (res->v == NULL)
        return;
    for (size_t i = 0; i < df_verify_count(res->v); i++) {
        const df_finding *f = df_verify_finding(res->v, i);
        if (shown(o, f))
            print_finding(res, f);
    }
    if (!o->quiet)
        print_summary(res);
    fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* Main                                                                */
/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    ck_options o;
    ck_result *res;
    int rc, status = TOOL_EXIT_OK;
    ck_pg_restore pr;

    if ((rc = parse_options(argc, argv, &o)) >= 0)
        return rc;
    for (int i = 0; o.prometheus != NULL && i < o.npaths; i++)
        if (tool_same_file(o.prometheus, o.paths[i])) {
            tool_errorf(PROG, "--prometheus names the dump \"%s\": it would be replaced",
                        o.paths[i]);
            return TOOL_EXIT_UNKNOWN;
        }
    res = calloc((size_t)o.npaths, sizeof *res);
    if (res == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    tool_pg_restore_init(&pr.installed);
    pr.fixed = o.pg_restore_version;
    pr.last = pr.said = pr.asked = 0;
    for (int i = 0; i < o.npaths; i++) {
        res[i].path = o.paths[i];
        ck_check_one(&o, &pr, &res[i]);
        status = tool_exit_worse(status, res[i].status);
        if (!o.json)
            print_human(&o, &res[i]);
    }
    if (o.json)
        ck_print_json(&o, res, o.npaths, pr.last, status);
    if (o.prometheus != NULL)
        status = tool_exit_worse(status, ck_write_prometheus(o.prometheus, res, o.npaths));
    status = tool_exit_worse(status, tool_finish_output(PROG, stdout));
    for (int i = 0; i < o.npaths; i++)
        df_verify_free(res[i].v);
    free(res);
    return status;
}
