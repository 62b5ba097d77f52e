/*
 * repair.h — what dumprepair's modules share: the parsed options and the
 * report printers (tools/repair_print.c: the text report and --json).
 */
#ifndef DUMPFMT_TOOLS_REPAIR_H
#define DUMPFMT_TOOLS_REPAIR_H

#include "common.h"

#define REPAIR_PROG "dumprepair"

typedef struct repair_options {
    const char *path;       /* IN */
    const char *output;     /* -o OUT: the repaired archive */
    df_format format;       /* -F, DF_FORMAT_UNKNOWN: IN's */
    int comp, level;        /* -Z: a df_compression and level, -1: IN's / the default */
    const char *list_file;  /* -f FILE with --list-only; NULL: stdout */
    int list_only;
    int json;
    int quiet;
    int follow_symlinks;
    int pg_restore_version; /* 0: the pg_restore on PATH */
    long rows_id;           /* --rows: dump id whose kept COPY rows to print; 0: none */
    int strict;             /* --strict: drop the unverified rows */
} repair_options;

/* One report of a salvage.  `exit_status` is what the tool ends with. */
typedef struct repair_report {
    const char *path;
    const char *list_path;  /* where the list went ("-" for stdout) */
    const df_reader *r;
    const df_salvage *s;
    int pg_restore_version; /* the release the list follows */
    int exit_status;
    const char *output;     /* the repaired archive written, NULL with --list-only */
    const df_write_summary *written;
    int strict;             /* --strict: rows_unverified were dropped */
} repair_report;

/* The human report: a summary line, one line per entry that is not intact. */
void repair_print_text(FILE *out, const repair_report *rep);
/* One JSON document (schema in dumprepair(1)). */
void repair_print_json(FILE *out, const repair_report *rep);
/* -F and -Z (tools/repair_write.c): 0, or -1 when the value is not one. */
int repair_parse_format(const char *arg, repair_options *o);
int repair_parse_compress(const char *arg, repair_options *o);
/* The df_salvage_build_flags of o over an input of format `in` (DF_SALVAGE_*). */
int repair_salvage_flags(const repair_options *o, df_format in);
/* Write the repaired archive o->output; TOOL_EXIT_OK, or an exit status (error printed). */
int repair_write(const repair_options *o, df_reader *r, const df_salvage *s,
                 df_write_summary *sum);

#endif /* DUMPFMT_TOOLS_REPAIR_H */
