/*
 * dumpconvert.c — any pg_dump archive or plain script into another format,
 * codec, selection or archive version, from the file alone: options and
 * printing only.  The TOC model, version change and writers are in libdumpfmt
 * (toc_model.c, toc_version.c, writer.c, write_*.c, plainconv.c); the
 * selection is dumporder's (df_select).  The output is complete or absent.
 */
#include "common.h"
#include "plainconv.h"
#include "stdin_spool.h"
#include "write_guard.h"

#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG "dumpconvert"

enum { OPT_PGRV = 256, OPT_FORCE, OPT_JSON, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_HELP,
       OPT_TYPE, OPT_SECTION, OPT_FK, OPT_REENCODE };

static const struct option long_options[] = {
    {"output", required_argument, NULL, 'o'},      {"format", required_argument, NULL, 'F'},
    {"compress", required_argument, NULL, 'Z'},    {"jobs", required_argument, NULL, 'j'},
    {"pg-restore-version", required_argument, NULL, OPT_PGRV},
    {"force", no_argument, NULL, OPT_FORCE},       {"reencode", no_argument, NULL, OPT_REENCODE},
    {"table", required_argument, NULL, 't'},       {"schema", required_argument, NULL, 'n'},
    {"exclude-schema", required_argument, NULL, 'N'},
    {"type", required_argument, NULL, OPT_TYPE},   {"section", required_argument, NULL, OPT_SECTION},
    {"with-fk-targets", no_argument, NULL, OPT_FK}, {"from-list", required_argument, NULL, 'L'},
    {"use-list", required_argument, NULL, 'L'},    {"json", no_argument, NULL, OPT_JSON},
    {"quiet", no_argument, NULL, 'q'},             {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"help", no_argument, NULL, OPT_HELP},         {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

typedef struct cv_options {
    const char *in, *out, *list;
    df_format format;
    int comp, level, jobs, pgrv, force, reencode, json, quiet, fk, sections;
    tool_progress_mode progress;
    tool_strv tables, schemas, nschemas, types;
} cv_options;

static void print_help(void)
{
    printf("%s writes a pg_dump archive as another format, codec, selection or archive\n"
           "version, from the file alone.\n\n",
           PROG);
    printf("Usage:\n  %s [OPTION]... IN -o OUT\n\n"
           "IN may also be a pg_dump -Fp script (.sql, .gz, .lz4, .zst; \"-\": stdin), or a\n"
           "pg_dumpall script: OUT is then a new (or empty) directory of globals.sql, one\n"
           "archive per database and restore.sh (and drop.sql for a --clean script).\n\n", PROG);
    printf("Output:\n"
           "  -o, --output=OUT           a file, \"-\" (stdout: custom or tar, no data offsets)\n"
           "                             or, with -F d, a directory\n"
           "  -F, --format=c|d|t         custom, directory or tar (default: IN's)\n"
           "  -Z, --compress=METHOD[:N]  none, gzip, lz4 or zstd, with a level (default:\n"
           "                             IN's codec; blocks are then copied, not re-encoded)\n"
           "  -j, --jobs=N               threads (default: all CPUs): from 2, decoding\n"
           "                             on its own thread, zstd workers, gzip deflated in\n"
           "                             128 KiB blocks; the output order never changes\n"
           "      --pg-restore-version=N write what pg_restore release N (" TOOL_PG_RESTORE_RANGE
           ") reads\n"
           "      --force                drop what that version cannot express\n"
           "      --reencode             decode and encode every block\n\n");
    printf("Selection (as dumporder; the closure keeps what the selection needs):\n"
           "  -t, --table=NAME  -n, --schema=NAME  -N, --exclude-schema=NAME\n"
           "      --type=DESC  --section=SECTION  --with-fk-targets\n"
           "  -L, --use-list=FILE        the entries of a pg_restore -l list\n\n");
    printf("  -q, --quiet  --json  --progress  --no-progress  --help  --version\n\n"
           "Exit status: 0 written, 2 the input is damaged or cannot be expressed,\n"
           "3 bad options or the output could not be written.\n");
}

static int parse_compress(cv_options *o, const char *arg)
{
    static const char *const names[] = {"none", "gzip", "lz4", "zstd"};
    const char *colon = strchr(arg, ':');
    size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
    long v;

    for (int k = 0; k < 4; k++)
        if (strlen(names[k]) == n && strncmp(arg, names[k], n) == 0)
            o->comp = k;
    if (o->comp < 0 && tool_parse_long(arg, 0, 9, &v) == 0) /* pg_dump's -Z N: gzip level N */
        return (o->comp = v ? DF_COMPRESS_GZIP : DF_COMPRESS_NONE, o->level = v ? (int)v : -1), 0;
    if (o->comp < 0 || (colon && o->comp == DF_COMPRESS_NONE))
        return -1;
    if (colon && tool_parse_long(colon + 1, 0, 22, &v) != 0)
        return -1;
    o->level = colon ? (int)v : -1;
    return 0;
}

static int bad_value(const char *opt, const char *arg)
{
    tool_errorf(PROG, "invalid %s \"%s\"", opt, arg);
    tool_usage_hint(PROG);
    return TOOL_EXIT_UNKNOWN;
}

static int apply_option(void *ctx, int c, const char *arg)
{
    cv_options *o = ctx;
    tool_strv *list = NULL;
    long v;

    switch (c) {
    case 'o': o->out = arg; return -1;
    case 'F':
        o->format = !strcmp(arg, "c") || !strcmp(arg, "custom")      ? DF_FORMAT_CUSTOM
                    : !strcmp(arg, "d") || !strcmp(arg, "directory") ? DF_FORMAT_DIRECTORY
                    : !strcmp(arg, "t") || !strcmp(arg, "tar")       ? DF_FORMAT_TAR
                                                                     : DF_FORMAT_PLAIN;
        return o->format == DF_FORMAT_PLAIN ? bad_value("--format", arg) : -1;
    case 'Z': return parse_compress(o, arg) == 0 ? -1 : bad_value("--compress", arg);
    case 'j':
        if (tool_parse_long(arg, 1, 256, &v) != 0)
            return bad_value("--jobs", arg);
        o->jobs = (int)v;
        return -1;
    case OPT_PGRV:
        if (tool_parse_long(arg, DF_PG_RESTORE_OLDEST, DF_PG_RESTORE_NEWEST, &v) != 0)
            return bad_value("--pg-restore-version (" TOOL_PG_RESTORE_RANGE ")", arg);
        o->pgrv = (int)v;
        return -1;
    case OPT_SECTION:
        v = !strcmp(arg, "pre-data") ? DF_SEL_PRE_DATA
            : !strcmp(arg, "data")   ? DF_SEL_DATA
            : !strcmp(arg, "post-data") ? DF_SEL_POST_DATA : 0;
        if (v == 0)
            return bad_value("--section", arg);
        o->sections |= (int)v;
        return -1;
    case OPT_FORCE: o->force = 1; return -1;
    case OPT_REENCODE: o->reencode = 1; return -1;
    case OPT_FK: o->fk = 1; return -1;
    case 'L': o->list = arg; return -1;
    case OPT_JSON: o->json = 1; return -1;
    case 'q': o->quiet = 1; return -1;
    case OPT_PROGRESS: o->progress = TOOL_PROGRESS_ON; return -1;
    case OPT_NO_PROGRESS: o->progress = TOOL_PROGRESS_OFF; return -1;
    case 't': list = &o->tables; break;
    case 'n': list = &o->schemas; break;
    case 'N': list = &o->nschemas; break;
    case OPT_TYPE: list = &o->types; break;
    case OPT_HELP: print_help(); return tool_finish_output(PROG, stdout);
    case 'V': tool_print_version(PROG); return tool_finish_output(PROG, stdout);
    default: tool_usage_hint(PROG); return TOOL_EXIT_UNKNOWN;
    }
    if (tool_strv_push(list, arg) != 0) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    return -1;
}

static int selecting(const cv_options *o)
{
    return o->tables.n || o->schemas.n || o->nschemas.n || o->types.n || o->sections || o->list;
}

/* Keep the selection's closure and every entry pg_restore -l hides (ENCODING, DATABASE ...). */
static int apply_selection(const cv_options *o, df_reader *r, df_toc *t)
{
    df_select_options so;
    df_graph *g = NULL;
    df_selection *s = NULL;
    df_list_file *lf = NULL;
    size_t n = df_reader_toc_count(r), *seeds = NULL, nseeds = 0;
    int *keep = calloc(n ? n : 1, sizeof *keep), rc = TOOL_EXIT_UNKNOWN;
    df_error err = {0};

    df_select_options_default(&so);
    so.tables = o->tables.v, so.ntables = o->tables.n;
    so.schemas = o->schemas.v, so.nschemas = o->schemas.n;
    so.exclude_schemas = o->nschemas.v, so.nexclude_schemas = o->nschemas.n;
    so.types = o->types.v, so.ntypes = o->types.n;
    so.sections = o->sections, so.with_fk_targets = o->fk;
    if (o->list != NULL) {
        FILE *f = fopen(o->list, "r");
        if (f == NULL || df_list_read(r, f, &lf, &err) != DF_OK) {
            tool_errorf(PROG, "%s: could not read the list%s%s", o->list,
                        err.message[0] ? ": " : "", err.message);
            if (f)
                fclose(f);
            goto out;
        }
        fclose(f);
        nseeds = df_list_file_count(lf);
        seeds = malloc((nseeds ? nseeds : 1) * sizeof *seeds);
        for (size_t k = 0; seeds && k < nseeds; k++)
            seeds[k] = df_list_file_entry(lf, k, NULL);
    }
    if (keep == NULL || (o->list && seeds == NULL) || df_graph_build(r, &g, &err) != DF_OK ||
        df_select(r, g, &so, seeds, nseeds, &s, &err) != DF_OK) {
        tool_errorf(PROG, "could not select: %s", err.message[0] ? err.message : "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        keep[i] = df_selection_pick(s, i) == DF_PICK_HIDDEN || df_selection_included(s, i);
    rc = df_toc_filter(t, keep, NULL) == DF_OK ? TOOL_EXIT_OK : TOOL_EXIT_UNKNOWN;
out:
    df_selection_free(s);
    df_graph_free(g);
    df_list_file_free(lf);
    free(seeds);
    free(keep);
    return rc;
}

/* The archive version and codec the output gets; notes what a downgrade changes. */
static int plan_version(cv_options *o, df_toc *t, df_write_summary *sum)
{
    const df_header hc = *df_toc_header(t), *h = &hc; /* the version change edits t's */
    int vmin = h->vmin, maxv = o->pgrv ? df_pg_restore_max_minor(o->pgrv) : 16;
    int comp = o->comp >= 0 ? o->comp : (int)h->compression;
    df_error err;

    if (vmin > maxv)
        vmin = maxv;
    if ((comp == DF_COMPRESS_LZ4 || comp == DF_COMPRESS_ZSTD) && vmin < 15) {
        if (o->comp >= 0 && maxv < 15) {
            tool_errorf(PROG, "pg_restore %d cannot read %s data; use -Z gzip or -Z none",
                        o->pgrv, df_compression_name((df_compression)comp));
            return TOOL_EXIT_DAMAGED;
        }
        if (o->comp >= 0)
            vmin = 15; /* 1.13/1.14 -> 1.15: only the header's codec field changes */
        else
            o->comp = DF_COMPRESS_GZIP; /* an older pg_restore cannot decode lz4/zstd */
    }
    if (vmin != h->vmin && df_toc_set_version(t, vmin, o->force, sum, &err) != DF_OK) {
        tool_errorf(PROG, "%s: %s%s", o->in, err.message,
                    err.code == DF_E_UNSUPPORTED ? " (--force drops it)" : "");
        return err.code == DF_E_UNSUPPORTED ? TOOL_EXIT_DAMAGED : TOOL_EXIT_UNKNOWN;
    }
    if (vmin < h->vmin && !o->quiet)
        fprintf(stderr, "%s: archive %d.%d written as %d.%d; the dump was made from server %s "
                        "by pg_dump %s (SQL text unchanged)\n",
                PROG, h->vmaj, h->vmin, 1, vmin, h->server_version ? h->server_version : "?",
                h->dump_version ? h->dump_version : "?");
    return TOOL_EXIT_OK;
}

static void print_json(const cv_options *o, const df_write_summary *s, double secs)
{
    tool_json j;
    char v[16];

    snprintf(v, sizeof v, "%d.%d", s->vmaj, s->vmin);
    tool_json_init(&j, stdout, 2);
    tool_json_begin_object(&j);
    tool_json_key(&j, "input"), tool_json_string(&j, o->in);
    tool_json_key(&j, "output"), tool_json_string(&j, o->out);
    tool_json_key(&j, "format"), tool_json_string(&j, df_format_name(s->format));
    tool_json_key(&j, "compression"), tool_json_string(&j, df_compression_name(s->compression));
    tool_json_key(&j, "archive_version"), tool_json_string(&j, v);
    tool_json_key(&j, "entries"), tool_json_uint(&j, s->entries);
    tool_json_key(&j, "data_entries"), tool_json_uint(&j, s->data_entries);
    tool_json_key(&j, "large_objects"), tool_json_int(&j, s->los);
    tool_json_key(&j, "blocks_copied"), tool_json_int(&j, s->blocks_copied);
    tool_json_key(&j, "blocks_recoded"), tool_json_int(&j, s->blocks_recoded);
    tool_json_key(&j, "bytes_in"), tool_json_int(&j, s->bytes_in);
    tool_json_key(&j, "bytes_out"), tool_json_int(&j, s->bytes_out);
    tool_json_key(&j, "data_offsets"), tool_json_bool(&j, s->offsets);
    tool_json_key(&j, "dropped"), tool_json_uint(&j, s->dropped);
    tool_json_key(&j, "note"), tool_json_string(&j, s->note);
    tool_json_key(&j, "milliseconds"), tool_json_int(&j, (int64_t)(secs * 1000.0));
    tool_json_end_object(&j);
    tool_json_finish(&j);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct cv_run {
    cv_options *o;
    df_reader *r;
    df_write_summary sum;
} cv_run;

/* Write the model t as `out` (the version and codec planned first); frees nothing. */
static int write_model(void *ctx, df_toc *t, const char *out)
{
    cv_run *c = ctx;
    cv_options *o = c->o;
    df_write_options wo;
    df_error err;
    int rc = plan_version(o, t, &c->sum);

    if (rc != TOOL_EXIT_OK)
        return rc;
    df_write_options_default(&wo);
    wo.format = o->format;
    wo.compression = o->comp;
    wo.level = o->level;
    wo.workers = o->jobs ? o->jobs : (int)tool_cpu_count();
    wo.force = o->force;
    wo.reencode = o->reencode;
    write_guard_install(&wo);
    rc = df_write_archive(c->r, t, out, &wo, &c->sum, &err);
    if (rc != DF_OK) {
        /* a fault of the input names the input; the rest is the output's */
        int in_fault = tool_exit_for_status(rc) == TOOL_EXIT_DAMAGED || rc == DF_E_UNSUPPORTED;
        tool_print_error(PROG, in_fault ? o->in : out, &err);
        return in_fault ? TOOL_EXIT_DAMAGED : TOOL_EXIT_UNKNOWN;
    }
    return TOOL_EXIT_OK;
}

static int convert(cv_options *o, df_reader *r)
{
    int plain = df_reader_header(r)->format == DF_FORMAT_PLAIN;
    cv_run c = {.o = o, .r = r};
    df_toc *t = NULL;
    double t0 = now_s();
    int rc, pf = o->force | o->quiet << 1 | selecting(o) << 2; /* TOOL_PLAIN_* */

    memset(&c.sum, 0, sizeof c.sum);
    if (plain && df_reader_header(r)->plain_kind == DF_PLAIN_DUMPALL) /* a directory */
        return o->json ? (tool_errorf(PROG, "--json: not for a pg_dumpall script"), TOOL_EXIT_UNKNOWN)
                       : tool_plainall(PROG, o->in, r, pf, o->out, o->format, write_model, &c);
    if (plain && (rc = tool_plain_model(PROG, o->in, r, pf, &t)) != TOOL_EXIT_OK)
        return rc;
    if (!plain && (t = df_toc_from_reader(r)) == NULL)
        return tool_errorf(PROG, "out of memory"), TOOL_EXIT_UNKNOWN;
    rc = selecting(o) ? apply_selection(o, r, t) : TOOL_EXIT_OK;
    if (rc == TOOL_EXIT_OK)
        rc = write_model(&c, t, o->out);
    df_toc_free(t);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (o->json)
        print_json(o, &c.sum, now_s() - t0);
    else if (!o->quiet && c.sum.note[0])
        fprintf(stderr, "%s: %s\n", PROG, c.sum.note);
    return o->json ? tool_finish_output(PROG, stdout) : TOOL_EXIT_OK;
}

int main(int argc, char **argv)
{
    cv_options o = {.comp = -1, .level = -1};
    tool_progress pr;
    df_reader *r;
    int in_fd = -1;
    int rc = tool_parse_args(PROG, argc, argv, "o:F:Z:j:t:n:N:L:qV", long_options, apply_option,
                             &o);

    if (rc < 0 && (rc = tool_want_operands(PROG, argc, 1, 1, "no input archive")) < 0 &&
        o.out == NULL) {
        tool_errorf(PROG, "no output given (-o OUT)");
        tool_usage_hint(PROG);
        rc = TOOL_EXIT_UNKNOWN;
    }
    if (rc >= 0)
        return rc;
    o.in = argv[optind];
    if (o.format == DF_FORMAT_TAR && o.comp > DF_COMPRESS_NONE) {
        tool_errorf(PROG, "compression is not supported by tar archive format");
        return TOOL_EXIT_UNKNOWN;
    }
    if (strcmp(o.in, "-") != 0 && tool_same_file(o.in, o.out)) {
        tool_errorf(PROG, "the output \"%s\" is the input", o.out);
        return TOOL_EXIT_UNKNOWN;
    }
    write_guard_catch();
    /* a plain script on a pipe is spooled: it is listed first and its data read after */
    if (strcmp(o.in, "-") == 0 && (rc = tool_stdin_spool(PROG, o.out, &in_fd)) != TOOL_EXIT_OK)
        return write_guard_finish(), rc; /* a signal that stopped the spooling: die of it */
    r = df_reader_new(NULL);
    if (r == NULL)
        return tool_errorf(PROG, "out of memory"), TOOL_EXIT_UNKNOWN;
    tool_progress_init(&pr, PROG, o.progress);
    if (pr.enabled)
        df_reader_set_progress(r, tool_progress_cb, &pr);
    if ((in_fd >= 0 ? df_reader_open_fd(r, in_fd, "-") : df_reader_open_path(r, o.in)) != DF_OK) {
        tool_print_error(PROG, o.in, df_reader_error(r));
        rc = tool_exit_for_open_error(df_reader_error(r));
    } else {
        rc = convert(&o, r);
    }
    tool_progress_end(&pr);
    df_reader_free(r);
    if (in_fd >= 0)
        close(in_fd);
    write_guard_finish(); /* a signal stopped the writer: die of it */
    tool_strv_free(&o.tables), tool_strv_free(&o.schemas);
    tool_strv_free(&o.nschemas), tool_strv_free(&o.types);
    return rc;
}
