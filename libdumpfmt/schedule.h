/*
 * schedule.h — private to schedule.c, schedule_sizes.c and schedule_order.c:
 * which pg_restore release family a version's scheduling behaves like.
 */
#ifndef DUMPFMT_SCHEDULE_H
#define DUMPFMT_SCHEDULE_H

#include "internal.h"

/* An entry index that stands for none. */
#define NONE_IDX SIZE_MAX

/* The releases whose ready sets and size estimates differ: up to 11, 12-16, 17 on. */
enum { FAMILY_11 = 11, FAMILY_12 = 12, FAMILY_17 = 17 };

/* A simulated restore: what df_schedule_* return. */
struct df_schedule {
    size_t n;
    double *cost;
    int64_t *est; /* the sim's dataLength, kept for df_schedule_estimate */
    df_sched_job *jobs;
    size_t njobs, capjobs;
    double makespan;
    double serial_end; /* end of the pre-fork part */
    size_t *crit;
    size_t ncrit;
    double crit_len;
};

/* The family of pg_restore major version `pg` (0 or less: the newest). */
DFI_HIDDEN int dfi_sched_family(int pg);
/*
 * The caller's options into *o (NULL: DF_E_USAGE) and their cost model into
 * *m, which o->cost then points to: what an older caller's structs lack
 * keeps its default.  DF_OK or DF_E_USAGE (a size of no known version).
 */
DFI_HIDDEN int dfi_sched_take_options(const df_schedule_options *opt, df_schedule_options *o,
                                      df_cost_model *m, df_error *err);

#endif /* DUMPFMT_SCHEDULE_H */
