/*
 * order_plan.c — dumporder's run: choose the pg_restore release, open the
 * dump, select and order the entries (from options or a -L list), measure
 * sizes, pick the fastest order for -j N and write the list.
 */

#include "order.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
            v = DF_PG_RESTORE_NEWEST;
            if (!run->o->quiet)
                tool_errorf(PROG, "no pg_restore on PATH: planning for pg_restore %d", v);
        } else if (v < DF_PG_RESTORE_OLDEST || v > DF_PG_RESTORE_NEWEST) {
            int c = v < DF_PG_RESTORE_OLDEST ? DF_PG_RESTORE_OLDEST : DF_PG_RESTORE_NEWEST;
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

int ord_out_of_memory(void)
{
    tool_errorf(PROG, "out of memory");
    return TOOL_EXIT_UNKNOWN;
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
size_t ord_list_line_at(const ord_run *run, size_t p)
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
    df_entry_label(df_reader_toc_at(run->r, is->entry), a, sizeof a);
    df_entry_label(df_reader_toc_at(run->r, is->needed), b, sizeof b);
    if (is->needed_pos == SIZE_MAX)
        tool_errorf(PROG, "%s:%zu: %s needs %s, which is not listed: %s", run->o->from_list,
                    ord_list_line_at(run, is->entry_pos), a, b, what);
    else
        tool_errorf(PROG, "%s:%zu: %s is listed before %s (line %zu), %s", run->o->from_list,
                    ord_list_line_at(run, is->entry_pos), a, b, ord_list_line_at(run, is->needed_pos),
                    is->ordering_only ? "which should be restored first" : "which it depends on");
}

/* Problems of the list as written, before it is completed. */
static int check_list(ord_run *run, const size_t *listed, size_t n)
{
    df_order_issue *issues;
    size_t nissues;

    if (df_order_check(run->g, listed, n, &issues, &nissues, NULL) != DF_OK)
        return ord_out_of_memory();
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
        return ord_out_of_memory();
    return TOOL_EXIT_OK;
}

static int order_entries(ord_run *run, const size_t *pref, size_t npref)
{
    size_t m = run->n ? run->n : 1;

    run->order = malloc(m * sizeof *run->order);
    run->base = malloc(m * sizeof *run->base);
    if (run->order == NULL || run->base == NULL)
        return ord_out_of_memory();
    if (df_order_fix(run->g, run->sel, pref, npref, run->order, &run->norder, NULL) != DF_OK ||
        df_order_fix(run->g, run->sel, NULL, 0, run->base, &run->norder, NULL) != DF_OK)
        return ord_out_of_memory();
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
        return ord_out_of_memory();
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
    df_error err;
    int st;

    run->sizes = calloc(run->n ? run->n : 1, sizeof *run->sizes);
    if (run->sizes == NULL)
        return ord_out_of_memory();
    st = df_restore_sizes(run->r, 0, run->sizes, NULL, NULL, &err);
    if (st != DF_OK)
        return report_lib_error(run, &err, st);
    if (!wants_measure(run))
        return TOOL_EXIT_OK;
    tool_progress_init(&pr, PROG, run->o->progress);
    if (pr.enabled)
        df_reader_set_progress(run->r, tool_progress_cb, &pr);
    st = df_restore_sizes(run->r, 1, run->sizes, NULL, NULL, &err);
    df_reader_set_progress(run->r, NULL, NULL); /* pr goes out of scope */
    tool_progress_end(&pr);
    if (st != DF_OK)
        return report_lib_error(run, &err, st);
    run->measured = 1;
    return TOOL_EXIT_OK;
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", PROG);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    tool_usage_hint(PROG);
    return TOOL_EXIT_UNKNOWN;
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
            df_cost_model_set(&run->cost, name, v, NULL) != DF_OK)
            return usage_error("invalid --cost \"%s\": unknown name or bad value", arg);
    }
    return TOOL_EXIT_OK;
}

void ord_schedule_options(const ord_run *run, int jobs, int use_list, df_schedule_options *so)
{
    df_schedule_options_default(so);
    so->workers = jobs;
    so->pg_restore_version = run->pg;
    so->use_list = use_list;
    so->create_db = run->o->create_db;
    so->cost = &run->cost;
}

int ord_parallel_format(const ord_run *run)
{
    df_format f = df_reader_header(run->r)->format;

    return f == DF_FORMAT_CUSTOM || f == DF_FORMAT_DIRECTORY;
}

int ord_simulate_n(const ord_run *run, const size_t *order, size_t n, int jobs, int use_list,
                      df_schedule **out)
{
    df_schedule_options so;
    df_error err;

    ord_schedule_options(run, jobs, use_list, &so);
    memset(&err, 0, sizeof err);
    return df_schedule_simulate(run->r, run->g, run->sizes, order, n, &so, out, &err);
}

int ord_simulate(const ord_run *run, const size_t *order, int jobs, int use_list,
                    df_schedule **out)
{
    return ord_simulate_n(run, order, run->norder, jobs, use_list, out);
}

void ord_human_bytes(int64_t b, char *buf, size_t n)
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

/* -j N: the order the simulated pg_restore -j N restores fastest (the list's own when none is). */
static int choose_order(ord_run *run)
{
    df_schedule_options so;
    df_error err;
    size_t *best;
    int st;

    if (run->o->jobs <= 1 || !ord_parallel_format(run))
        return TOOL_EXIT_OK;
    best = malloc((run->norder ? run->norder : 1) * sizeof *best);
    if (best == NULL)
        return ord_out_of_memory();
    ord_schedule_options(run, run->o->jobs, 1, &so);
    memset(&err, 0, sizeof err);
    st = df_schedule_best_order(run->r, run->g, run->sizes, run->order, run->norder, &so, best,
                                NULL, &err);
    if (st == DF_OK)
        memcpy(run->order, best, run->norder * sizeof *best);
    free(best);
    return st == DF_OK ? TOOL_EXIT_OK : ord_out_of_memory();
}


/* ------------------------------------------------------------------ */
/* Writing the list                                                    */
/* ------------------------------------------------------------------ */

static int write_list(ord_run *run)
{
    df_list_options lo;
    df_error err;
    int st;

    df_list_options_default(&lo);
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
        rc = ord_out_of_memory();
    if (rc == TOOL_EXIT_OK)
        rc = run->o->from_list ? plan_from_list(run) : plan_selection(run);
    if (rc == TOOL_EXIT_OK && run->o->jobs > 1 && !ord_parallel_format(run) && !run->o->quiet)
        tool_errorf(PROG, "%s: pg_restore cannot restore a tar archive in parallel", run->o->path);
    if (rc == TOOL_EXIT_OK && run->o->jobs > 0)
        rc = set_costs(run);
    if (rc == TOOL_EXIT_OK && run->o->jobs > 0)
        rc = measure_sizes(run);
    if (rc == TOOL_EXIT_OK)
        rc = ord_check_structure(run);
    if (rc == TOOL_EXIT_OK)
        rc = ord_check_given_estimates(run);
    if (rc == TOOL_EXIT_OK)
        rc = choose_order(run);
    return rc;
}

int ord_run_tool(ord_run *run)
{
    int rc = plan(run);

    if (rc == TOOL_EXIT_OK)
        rc = open_output(run);
    if (rc != TOOL_EXIT_OK)
        return rc;
    rc = run->o->explain ? ord_explain(run) : write_list(run);
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

void ord_free_run(ord_run *run)
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

