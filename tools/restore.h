/*
 * restore.h — what the dumprestore modules share: the parsed options, the
 * state of one run and its phases, and the steps that tools/dumprestore.c
 * (options), restore_run.c (preflight, roles, ANALYZE, sequences, verify),
 * restore_exec.c (the restore itself), restore_proc.c (child programs and
 * signals), restore_drill.c (the throwaway cluster) and restore_print.c
 * (text, --json, --prometheus) call across files.  The comparisons are the
 * library's (target.c, restorelog.c, restorediag.c); pgtarget.c reads the
 * target with libpq.
 */
#ifndef DUMPFMT_TOOLS_RESTORE_H
#define DUMPFMT_TOOLS_RESTORE_H

#include "common.h"

#include <stddef.h>
#include <stdio.h>

#define PROG "dumprestore"
#define DR_ERRLEN 1024
#define DR_MAX_PHASES 8

typedef struct dr_options {
    const char *conninfo;
    const char *dump;
    const char *globals;
    const char *pg_bindir;
    const char *prometheus;
    const char *resume_file;
    int preflight_only, verify_only, drill;
    int clean, allow_existing, create_roles, single_txn, fix_sequences;
    int no_order; /* --no-order: pg_restore -j N in its own order, without dumporder's list */
    int json, quiet;
    long jobs;
} dr_options;

/* One phase of the run: its time, and its findings when it compares. */
typedef struct dr_phase {
    const char *name;
    double seconds;
    int verdict;      /* df_verdict */
    df_tcheck *check; /* preflight, sequences, verify; else NULL */
    char note[512];   /* one line: what happened */
} dr_phase;

typedef struct dr_counter dr_counter;

typedef struct dr_run {
    const dr_options *o;
    df_reader *r;
    df_reader *gr; /* --globals */
    df_roles *globals;
    const char *conninfo; /* -d, or the drill's cluster */
    char bindir[1024];    /* "" = PATH */
    int pg_restore_major; /* of the pg_restore that runs; 0 = not asked yet or none */
    dr_phase phases[DR_MAX_PHASES];
    size_t nphases;
    int stop; /* a phase failed: the next ones do not run */
    dr_counter *counter; /* the dump's counts, read while the restore runs; or NULL */
} dr_run;

/* restore_run.c: open the dump (and --globals), run the phases the mode asks for. */
int dr_open_dumps(dr_run *run);
void dr_run_phases(dr_run *run, int drill);
void dr_free_run(dr_run *run);
/* The worst verdict of the phases run. */
int dr_verdict(const dr_run *run);

/* restore_run.c: phase bookkeeping, shared with restore_exec.c and restore_drill.c. */
void dr_note(dr_phase *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dr_note_append(dr_phase *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
dr_phase *dr_phase_begin(dr_run *run, const char *name);
void dr_phase_end(dr_run *run, dr_phase *p, int verdict);
void dr_phase_fail(dr_run *run, dr_phase *p, const char *why);
const char *dr_verdict_word(int verdict);
/* Connect to run->conninfo; on failure the reason goes into p's note (p may be NULL). */
struct pgt_conn *dr_connect(const dr_run *run, dr_phase *p, int *missing_db);

/* restore_exec.c: pg_restore (archives, with dumporder's list for -j N) or psql (plain). */
void dr_do_restore(dr_run *run);

/*
 * restore_count.c: the dump's rows and large objects counted in a thread, of the lowest
 * priority with `background` (NULL when not worth it: plain scripts, stdin, or it could not
 * start).  join waits for it and returns the counts per TOC index (-1 = not counted), owned
 * by the counter; free stops it after the entry it is reading.
 */
dr_counter *dr_count_start(const dr_run *run, int background);
const int64_t *dr_count_join(dr_counter *k);
void dr_count_free(dr_counter *k);

/* restore_drill.c: --drill, the whole run in a throwaway cluster. */
void dr_run_drill(dr_run *run);

/* restore_proc.c: child programs, signals. */
/* SIGINT and SIGTERM (and SIGHUP with hup) only set the flag dr_signal() reads. */
void dr_install_signals(int hup);
/* The signal received (0: none). */
int dr_signal(void);
/* "<bindir>/<name>", or the bare name (PATH) when the run has no bindir. */
void dr_program(const dr_run *run, const char *name, char *buf, size_t n);
/*
 * Run argv with stdout to out_fd and stderr to err_fd (-1: /dev/null), in
 * a process group of its own; as_user: as that user (the server refuses
 * root).  When stoppable and a signal arrives, the group gets SIGTERM.
 * Returns the exit status (128 + N for a signal), -1 when it could not
 * start, 127 when the program was not found.
 */
int dr_run_program(char *const argv[], int out_fd, int err_fd, const char *as_user,
                   int stoppable);
/* The first line a program prints, into buf ("" when it failed). */
void dr_program_output(char *const argv[], char *buf, size_t n);
/* The major release of the run's pg_restore (0 = not found). */
int dr_pg_restore_major(const dr_run *run);

/* restore_print.c */
int dr_print_text(const dr_run *run, int verdict);
int dr_print_json(const dr_run *run, int verdict);
int dr_write_prometheus(const dr_run *run, int verdict);

#endif /* DUMPFMT_TOOLS_RESTORE_H */
