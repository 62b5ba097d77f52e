/*
 * ck.h — what the dumpcheck modules share: the parsed options, one dump's
 * result, and the steps tools/dumpcheck.c (options, human output) calls in
 * check_run.c (checking one dump, the pg_restore to compare with) and
 * check_report.c (--json, --prometheus).
 */
#ifndef DUMPFMT_TOOLS_CK_H
#define DUMPFMT_TOOLS_CK_H

#include "common.h"

#define PROG "dumpcheck"


typedef struct ck_options {
    int quick, json, quiet, verbose;
    int no_values;
    long jobs;
    int pg_restore_version; /* -1: ask pg_restore on PATH; 0: no check */
    int inflate;
    int64_t large_plain;
    tool_progress_mode progress;
    const char *prometheus;
    char **paths;
    int npaths;
    int follow_symlinks;
} ck_options;

/* What one DUMP argument gave. */
typedef struct ck_result {
    const char *path;
    df_verify *v; /* NULL when the library could not run at all */
    double seconds;
    int status; /* exit status for this dump */
} ck_result;

/*
 * The library never runs programs; the tool asks which pg_restore is
 * installed (tools/common.c: from the file system, or `pg_restore --version`
 * once per run and only for an archive some supported release cannot read)
 * when the check asks (df_verify_options.pg_restore_for, once the header is
 * known), so that the archive's version is compared with it.
 */
typedef struct ck_pg_restore {
    tool_pg_restore installed;
    int fixed; /* --pg-restore-version N, 0 for --no-pg-restore-check, -1: installed */
    int last;  /* the release compared with last, 0 none */
    int said;  /* "no pg_restore on PATH" was printed */
    int asked; /* the last check asked for the installed release */
} ck_pg_restore;

/* check_run.c: verify res->path into res (v, seconds, status) comparing the archive's
   version with pr's pg_restore; errors printed. */
void ck_check_one(const ck_options *o, ck_pg_restore *pr, ck_result *res);

/* check_report.c: one JSON document on stdout; the textfile at path (an exit status). */
void ck_print_json(const ck_options *o, const ck_result *res, int n, int pg_restore, int status);
int ck_write_prometheus(const char *path, const ck_result *res, int n);

#endif
