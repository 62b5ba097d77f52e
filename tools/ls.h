/*
 * ls.h — what the dumpls modules share: the parsed options, the state of
 * one run, and the steps tools/dumpls.c (options, selection, the default
 * listing) calls in ls_long.c (reading the data, --long) and ls_json.c
 * (--json, the plain-script facts).  Steps print their own errors and
 * return a TOOL_EXIT_* status.
 */
#ifndef DUMPFMT_TOOLS_LS_H
#define DUMPFMT_TOOLS_LS_H

#include "common.h"

#define PROG "dumpls"

/* Widths of the --long columns (values that need more just widen their line). */
#define LS_W_SECTION 9 /* "post-data" */
#define LS_W_OFFSET 12
#define LS_W_STORED 12
#define LS_W_BYTES 12
#define LS_W_ROWS 10

typedef struct ls_options {
    int verbose;
    int long_format;
    int deps; /* --deps */
    int json;
    int create_db;
    int quiet;
    int pg_restore_version;
    int strict_names; /* a name that matches nothing is an error, not a warning */
    tool_progress_mode progress;
    tool_strv tables, schemas, exclude_schemas, types;
    const char *path;
    int follow_symlinks;
} ls_options;

/* What --long learned by reading one entry's data. */
typedef enum ls_data_state {
    LS_DATA_NONE = 0, /* not listed, or the entry has no data stream */
    LS_DATA_OK,
    LS_DATA_FAILED,  /* reading failed; `err` says why */
    LS_DATA_SKIPPED, /* not attempted: see cannot_go_on() */
} ls_data_state;

typedef struct ls_measure {
    ls_data_state state;
    int64_t rows; /* COPY/INSERT rows, or large objects for BLOBS */
    int64_t bytes;
    int64_t stored;
    df_error err;
} ls_measure;

typedef struct ls_run {
    const ls_options *o;
    df_reader *r;
    df_list_options lo;
    size_t n;
    int *listed;   /* n flags: printed by this invocation */
    ls_measure *m; /* n results; --long only */
    tool_progress pr; /* bytes read: a plain script at open, data with --long */
} ls_run;


/* ls_long.c */
int ls_measure_all(ls_run *run);
int ls_print_long(ls_run *run);
int ls_is_table_data(const df_entry *e);
/* df_list_write (pg_restore -l) of the entries show[] flags (NULL: the selection), errors
 * reported; an exit status. */
int ls_list_write(const ls_run *run, const int *show);

/* ls_deps.c: --deps */
int ls_print_deps(ls_run *run);

/* ls_json.c */
int ls_print_json(ls_run *run);
int ls_report_script_error(const ls_run *run);
int ls_is_plain(const ls_run *run);
int ls_shows_database(const ls_run *run);
int ls_has_data_offset(const df_entry *e);
int64_t ls_data_offset_of(const df_entry *e);

#endif
