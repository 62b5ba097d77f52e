/*
 * diag.h — what tools/dumpdiag.c (options, reading, the resume) and
 * diag_print.c (the diagnosis as text or --json) share.
 */
#ifndef DUMPFMT_TOOLS_DIAG_H
#define DUMPFMT_TOOLS_DIAG_H

#include "common.h"

#define PROG "dumpdiag"

typedef struct dd_options {
    int json;
    int on_error_stop;
    const char *output;
    const char *log_path;
    const char *dump_path;
} dd_options;

/* The exit status the diagnosis implies (design.md §4). */
int dd_verdict(const df_restorelog *rl, const df_rdiag *d, const df_reader *r);

/* The diagnosis on stdout: text (nresume: entries the resume holds) or one JSON document. */
void dd_print_text(const dd_options *o, const df_restorelog *rl, const df_rdiag *d,
                   const df_reader *r, size_t nresume);
void dd_print_json(const dd_options *o, const df_restorelog *rl, const df_rdiag *d,
                   const df_reader *r, int exit_code);

#endif
