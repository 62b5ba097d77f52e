/*
 * order_check.c — dumporder's checks of its inputs: the size estimates a
 * given -L list makes pg_restore -j use, and the archive's structure when
 * the data are not read.
 */

#include "order.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * --from-list with -j N: name the data entries whose size estimate the list, as written, changes
 * (pg_restore 12+ derives a custom archive's estimates from the list's order, spec §12.1), so the
 * person who edited it learns why a parallel restore with it would run in a worse order.
 */
#define ESTIMATES_SHOWN 10

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return x < y ? -1 : x > y;
}

int ord_check_given_estimates(ord_run *run)
{
    df_schedule *as_given = NULL, *plain = NULL;
    size_t wrong = 0, *sorted;

    if (run->given == NULL || run->o->jobs <= 1 || !ord_parallel_format(run))
        return TOOL_EXIT_OK;
    /* the reference: the same entries in archive order (TOC order is the archive's) */
    sorted = malloc((run->ngiven ? run->ngiven : 1) * sizeof *sorted);
    if (sorted == NULL)
        return ord_out_of_memory();
    memcpy(sorted, run->given, run->ngiven * sizeof *sorted);
    qsort(sorted, run->ngiven, sizeof *sorted, cmp_size);
    if (ord_simulate_n(run, run->given, run->ngiven, run->o->jobs, 1, &as_given) != DF_OK ||
        ord_simulate_n(run, sorted, run->ngiven, run->o->jobs, 1, &plain) != DF_OK) {
        df_schedule_free(as_given);
        free(sorted);
        return ord_out_of_memory();
    }
    free(sorted);
    for (size_t k = 0; k < run->ngiven; k++) {
        size_t i = run->given[k];
        int64_t got, right;
        char label[600], a[32], b[32];
        if (i >= run->n || !df_entry_has_data(df_reader_toc_at(run->r, i)))
            continue;
        got = df_schedule_estimate(as_given, i);
        right = df_schedule_estimate(plain, i);
        if (got == right)
            continue;
        if (wrong++ < ESTIMATES_SHOWN && !run->o->quiet) {
            df_entry_label(df_reader_toc_at(run->r, i), label, sizeof label);
            ord_human_bytes(got, a, sizeof a);
            ord_human_bytes(right, b, sizeof b);
            tool_errorf(PROG,
                        "%s:%zu: %s: pg_restore %d -j would take its size for %s, not %s "
                        "(data entries out of archive order)",
                        run->o->from_list, ord_list_line_at(run, k), label, run->pg, a, b);
        }
    }
    if (wrong > ESTIMATES_SHOWN && !run->o->quiet)
        tool_errorf(PROG, "%s: %zu more data entries with wrong size estimates", run->o->from_list,
                    wrong - ESTIMATES_SHOWN);
    if (wrong > 0)
        run->status = tool_exit_worse(run->status, TOOL_EXIT_WARNING);
    df_schedule_free(as_given);
    df_schedule_free(plain);
    return TOOL_EXIT_OK;
}

/*
 * Without reading the data (no -j, or --no-measure) the structure is still
 * checked as dumpcheck --quick does (block and member framing, data files,
 * sizes), so a damaged archive is not planned as if it were whole.  From a
 * pipe the data are gone once the TOC is read: nothing more to see.
 */
#define DAMAGE_SHOWN 3

static void print_finding(const ord_run *run, const df_finding *f)
{
    df_error err;
    char label[600] = "";

    memset(&err, 0, sizeof err);
    err.code = DF_E_CORRUPT;
    err.offset = f->offset;
    snprintf(err.member, sizeof err.member, "%s", f->member ? f->member : "");
    if (f->entry != NULL)
        df_entry_label(f->entry, label, sizeof label);
    snprintf(err.message, sizeof err.message, "%s%s%s", f->message, label[0] ? ": " : "",
             label);
    tool_print_error(PROG, run->o->path, &err);
}

int ord_check_structure(ord_run *run)
{
    df_verify_options vo;
    df_verify *v;
    size_t shown = 0;
    int64_t errors;

    if (run->measured || strcmp(run->o->path, "-") == 0)
        return TOOL_EXIT_OK;
    df_verify_options_default(&vo);
    vo.quick = 1;
    if (df_verify_path(run->o->path, &vo, &v, NULL) != DF_OK)
        return ord_out_of_memory();
    errors = df_verify_get_summary(v)->findings[DF_SEVERITY_ERROR];
    for (size_t k = 0; k < df_verify_count(v) && errors > 0 && !run->o->quiet; k++) {
        const df_finding *f = df_verify_finding(v, k);
        if (f->severity == DF_SEVERITY_ERROR && shown++ < DAMAGE_SHOWN)
            print_finding(run, f);
    }
    if (errors > 0)
        tool_errorf(PROG, "%s: the archive is damaged (%lld error%s); no list written: "
                          "\"dumpcheck %s\" names them all",
                    run->o->path, (long long)errors, errors == 1 ? "" : "s", run->o->path);
    df_verify_free(v);
    return errors > 0 ? TOOL_EXIT_DAMAGED : TOOL_EXIT_OK;
}

