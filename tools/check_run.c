/*
 * check_run.c — dumpcheck's check of one dump (df_verify_path with the
 * options, progress and timing) and the installed pg_restore to compare
 * the archive's version with.
 */
#include "ck.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* pg_restore on PATH                                                  */
/* ------------------------------------------------------------------ */

/* The archive minor the comparison needs, 0 when none (plain, or no header read). */
static int archive_minor(const df_header *h)
{
    return h != NULL && h->header_end >= 0 && h->format != DF_FORMAT_PLAIN ? h->vmin : 0;
}

/* df_verify_options.pg_restore_for: the release to compare the checked archive with, 0 none. */
static int pg_restore_for(void *ctx, const df_header *h)
{
    ck_pg_restore *pr = ctx;
    int minor = archive_minor(h);

    if (pr->fixed >= 0)
        return pr->last = pr->fixed;
    if (minor == 0)
        return 0;
    pr->last = tool_pg_restore_major(&pr->installed, minor);
    pr->asked = 1;
    return pr->last;
}

/* After the check (not under its progress line): say once that nothing was compared. */
static void say_no_pg_restore(const ck_options *o, ck_pg_restore *pr)
{
    if (pr->asked && o->verbose && !o->quiet && !pr->said &&
        !tool_pg_restore_found(&pr->installed)) {
        tool_errorf(PROG, "no pg_restore on PATH: archive versions are not compared with it");
        pr->said = 1;
    }
    pr->asked = 0;
}

/* ------------------------------------------------------------------ */
/* Checking                                                            */
/* ------------------------------------------------------------------ */

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

typedef struct ck_progress {
    tool_progress p;
    const char *path;
} ck_progress;

static void on_progress(void *ctx, const df_progress *dp)
{
    ck_progress *cp = ctx;

    tool_progress_bytes(&cp->p, cp->path, dp);
}

void ck_check_one(const ck_options *o, ck_pg_restore *pr, ck_result *res)
{
    df_verify_options vo;
    ck_progress cp;
    struct timespec t0;
    int rc;

    df_verify_options_default(&vo);
    vo.quick = o->quick;
    vo.no_values = o->no_values;
    vo.threads = (int)o->jobs;
    vo.follow_symlinks = o->follow_symlinks;
    vo.pg_restore_version = pr->fixed > 0 ? pr->fixed : 0;
    vo.pg_restore_for = pg_restore_for;
    vo.pg_restore_ctx = pr;
    vo.inflate = o->inflate;
    vo.large_plain_bytes = o->large_plain;
    tool_progress_init(&cp.p, PROG, o->progress);
    cp.path = res->path;
    if (cp.p.enabled) {
        vo.progress = on_progress;
        vo.progress_ctx = &cp;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = df_verify_path(res->path, &vo, &res->v, NULL);
    res->seconds = seconds_since(&t0);
    tool_progress_end(&cp.p);
    say_no_pg_restore(o, pr);
    if (rc != DF_OK) {
        tool_errorf(PROG, "%s: could not check: %s", res->path, df_strstatus(rc));
        res->status = TOOL_EXIT_UNKNOWN;
        return;
    }
    res->status = df_verify_get_summary(res->v)->verdict;
}
