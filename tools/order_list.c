/*
 * order_list.c — dumporder's list written for another tool (orderlist.h):
 * the options dumporder's main sets by default, with -j N, the emulated
 * pg_restore and -o FILE, then the same run (order_plan.c).
 */
#include "order.h"
#include "orderlist.h"

#include <string.h>

/* The simulated seconds of run->order under -j jobs (0 when it could not be simulated). */
static double simulated(const ord_run *run, int jobs)
{
    df_schedule *s = NULL;
    double t = 0;

    if (run->order != NULL && ord_simulate(run, run->order, jobs, 1, &s) == DF_OK)
        t = df_schedule_makespan(s);
    df_schedule_free(s);
    return t;
}

int ord_write_list_for(const char *dump, int jobs, int pg, int measure, const char *out,
                       double *makespan)
{
    ord_options o;
    ord_run run;
    int rc;

    memset(&o, 0, sizeof o);
    o.with_requirements = 1; /* dumporder's defaults (dumporder.c, parse_options) */
    o.with_dependents = 1;
    o.measure = measure;
    o.progress = TOOL_PROGRESS_OFF;
    o.quiet = 1;
    o.jobs = jobs;
    o.pg_restore_version = pg;
    o.path = dump;
    o.output = out;
    memset(&run, 0, sizeof run);
    run.o = &o;
    rc = ord_run_tool(&run);
    if (makespan != NULL)
        *makespan = rc <= TOOL_EXIT_WARNING && run.sizes != NULL ? simulated(&run, jobs) : 0;
    ord_free_run(&run);
    return rc;
}
