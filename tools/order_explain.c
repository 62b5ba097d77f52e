/*
 * order_explain.c — dumporder --explain: simulate pg_restore's own order,
 * the given list and dumporder's list, and render the comparison as text
 * or --json.
 */

#include "order.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
        if (ord_simulate(run, run->order, j, 1, &s) != DF_OK)
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
    if (ord_simulate(run, run->base, run->o->jobs, !x->own_without_list, &x->own) != DF_OK ||
        ord_simulate(run, run->order, run->o->jobs, 1, &x->mine) != DF_OK ||
        (run->given != NULL &&
         ord_simulate_n(run, run->given, run->ngiven, run->o->jobs, 1, &x->given) != DF_OK) ||
        sweep_jobs(run, x) != DF_OK)
        return ord_out_of_memory();
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
    ord_human_bytes(stored, a, sizeof a);
    ord_human_bytes(bytes, b, sizeof b);
    if (run->measured)
        fprintf(f, "sizes: measured: %s stored, %s of data, %lld rows\n", a, b, (long long)rows);
    else
        fprintf(f, "sizes: %s stored; bytes and rows estimated (--no-measure)\n", a);
}

static void print_header(const ord_run *run, FILE *f)
{
    const df_header *h = df_reader_header(run->r);

    fprintf(f, "simulated: pg_restore %d -j %d%s\n", run->pg, run->o->jobs,
            ord_parallel_format(run) ? "" : " (tar: pg_restore restores it serially)");
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
            ord_human_bytes(j->estimate, est, sizeof est);
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

int ord_explain(ord_run *run)
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

