/*
 * orderlist.h — dumporder's list for another tool: what `dumporder -j N
 * DUMP -o FILE` writes (the same planning, tools/order_plan.c over
 * libdumpfmt's scheduler), for a tool that runs pg_restore -j N -L FILE
 * itself (dumprestore).  A header of its own so that its user need not
 * take order.h and its PROG.
 */
#ifndef DUMPFMT_TOOLS_ORDERLIST_H
#define DUMPFMT_TOOLS_ORDERLIST_H

/*
 * Write the list `dumporder -j jobs --pg-restore-version pg DUMP` writes to
 * `out` (a new file, written whole or not at all).  measure: -1 as
 * dumporder decides (read the data up to 1 GiB stored), 0 stored sizes
 * only, 1 always read.  Messages are dumporder's, and only errors are
 * printed.  Returns a TOOL_EXIT_* status; *makespan (may be NULL) receives
 * the simulated seconds of the restore in that order (0 when not simulated).
 */
int ord_write_list_for(const char *dump, int jobs, int pg, int measure, const char *out,
                       double *makespan);

#endif /* DUMPFMT_TOOLS_ORDERLIST_H */
