/*
 * order.h — what the dumporder modules share: the parsed options, the state
 * of one run, and the steps tools/dumporder.c (options), order_plan.c
 * (open, select, order, write), order_check.c (the list's size estimates,
 * the archive's structure) and order_explain.c (--explain) call across
 * files.  Each step returns a TOOL_EXIT_* status and prints its own errors.
 */
#ifndef DUMPFMT_TOOLS_ORDER_H
#define DUMPFMT_TOOLS_ORDER_H

#include "common.h"

#define PROG "dumporder"

#define PROG "dumporder"

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

/* order_plan.c: the whole run (plan, then the list or --explain), and freeing it. */
int ord_run_tool(ord_run *run);
void ord_free_run(ord_run *run);

/* order_plan.c: helpers the other steps use. */
int ord_out_of_memory(void);
size_t ord_list_line_at(const ord_run *run, size_t p);
void ord_schedule_options(const ord_run *run, int jobs, int use_list, df_schedule_options *so);
int ord_parallel_format(const ord_run *run);
int ord_simulate_n(const ord_run *run, const size_t *order, size_t n, int jobs, int use_list,
                   df_schedule **out);
int ord_simulate(const ord_run *run, const size_t *order, int jobs, int use_list,
                 df_schedule **out);
void ord_human_bytes(int64_t b, char *buf, size_t n);

/* order_check.c */
int ord_check_given_estimates(ord_run *run);
int ord_check_structure(ord_run *run);

/* order_explain.c: --explain, as text or --json, to run->out. */
int ord_explain(ord_run *run);

#endif
