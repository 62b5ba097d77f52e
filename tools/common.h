/*
 * common.h — helpers shared by the dumpfmt command-line tools: exit status
 * mapping (design.md §4), the one-line error format, output finishing,
 * option-value parsing, progress lines, pg_restore-style text rendering and
 * a small streaming JSON writer.  Nothing here knows the dump format; that
 * lives in libdumpfmt.
 */
#ifndef DUMPFMT_TOOLS_COMMON_H
#define DUMPFMT_TOOLS_COMMON_H

#include "dumpfmt.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit status of every tool (design.md §4). */
enum {
    TOOL_EXIT_OK = 0,      /* intact / done, nothing to report */
    TOOL_EXIT_WARNING = 1, /* intact, but something needs attention */
    TOOL_EXIT_DAMAGED = 2, /* damaged, truncated or not a dump */
    TOOL_EXIT_UNKNOWN = 3, /* could not run: bad options, unreadable path, ... */
};

/*
 * The exit status for a library status code: 0 for DF_OK/DF_EOF, 2 when the
 * archive itself is at fault (corrupt, truncated, not a dump, over a limit,
 * a data file missing), 3 when the tool could not do its job (I/O error,
 * unsupported version or codec, out of memory, pipe cannot seek, misuse).
 */
int tool_exit_for_status(int code);

/*
 * The exit status for a failure to open the archive: as above, except that
 * a DUMP path that does not exist is a bad invocation (3), not a damaged
 * archive; a file missing inside a directory archive (member set) stays 2.
 */
int tool_exit_for_open_error(const df_error *err);

/* The worse (higher) of two exit statuses. */
int tool_exit_worse(int a, int b);

/*
 * Print one library error as a single stderr line:
 *   "<prog>: <path>[/<member>]: offset <N>: <message>"
 * ("offset N: " is left out when the offset is unknown).
 */
void tool_print_error(const char *prog, const char *path, const df_error *err);

/*
 * A file written whole or not at all: tool_file_create() opens a new
 * temporary file next to PATH (PATH.XXXXXX, mode 0644), tool_file_commit()
 * flushes it, fsyncs it, renames it over PATH and fsyncs the directory, so a
 * reader sees the old file or the complete new one, never half of it;
 * tool_file_abort() removes the temporary file.  PATH must not name one of
 * the tool's inputs (tool_same_file()).  Errors are printed as one line
 * naming the file; both return TOOL_EXIT_OK or TOOL_EXIT_UNKNOWN.
 */
typedef struct tool_file {
    FILE *f;
    char *path;
    char *tmp;
} tool_file;

int tool_file_create(const char *prog, const char *path, tool_file *out);
int tool_file_commit(const char *prog, tool_file *tf);
void tool_file_abort(tool_file *tf);

/* 1 when paths A and B name the same existing file (same device and inode). */
int tool_same_file(const char *a, const char *b);

/* Print "<prog>: <formatted message>" and a newline on stderr. */
void tool_errorf(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print the usual hint after a usage error on stderr. */
void tool_usage_hint(const char *prog);

/* Print "<prog> (dumpfmt) X.Y.Z" on stdout. */
void tool_print_version(const char *prog);

/*
 * Flush and close `out` (normally stdout) and report a write error (disk
 * full, closed pipe ...).  Returns TOOL_EXIT_OK or TOOL_EXIT_UNKNOWN.
 */
int tool_finish_output(const char *prog, FILE *out);

/*
 * Parse a whole decimal integer in [min, max].  Returns 0 on success, -1
 * when `s` is empty, has trailing characters or is out of range.
 */
int tool_parse_long(const char *s, long min, long max, long *out);

/* ------------------------------------------------------------------ */
/* A growable list of borrowed strings (repeatable options -t, -n ...). */
/* ------------------------------------------------------------------ */
typedef struct tool_strv {
    const char **v; /* the strings themselves are borrowed (argv) */
    size_t n;
    size_t cap;
} tool_strv;

/* Append s; returns 0, or -1 when out of memory. */
int tool_strv_push(tool_strv *sv, const char *s);
void tool_strv_free(tool_strv *sv);

/* ------------------------------------------------------------------ */
/* The installed pg_restore (one rule for every tool)                  */
/* ------------------------------------------------------------------ */

/*
 * Which release `pg_restore` on PATH would run, found without running a
 * program where the file system says it: no pg_restore on PATH; Debian's
 * pg_wrapper (a Perl script as slow to start as a quick check) runs
 * /usr/lib/postgresql/N/bin/pg_restore for $PGCLUSTER's N, for the newest N
 * when $PGHOST is set, and for the only N when one is installed; a binary
 * under /usr/lib/postgresql/N/bin or /usr/pgsql-N/bin is release N.  Else
 * only bounds are known (several Debian versions: oldest..newest; any other
 * pg_restore: TOOL_PG_RESTORE_OLDEST or newer) and `pg_restore --version` is
 * run, at most once, when the archive's version needs it.
 */
typedef struct tool_pg_restore {
    int scanned; /* PATH looked at */
    int lo, hi;  /* the release is within lo..hi; hi == 0: no pg_restore on PATH */
    int probed;  /* pg_restore --version ran */
} tool_pg_restore;

/* Archive minor meaning "whatever the archive": the exact release is needed. */
#define TOOL_PG_RESTORE_ANY_MINOR 99
/* "10..18": the releases the library emulates (DF_PG_RESTORE_*), as help texts show them. */
#define TOOL_STR_(x) #x
#define TOOL_STR(x) TOOL_STR_(x)
#define TOOL_PG_RESTORE_RANGE TOOL_STR(DF_PG_RESTORE_OLDEST) ".." TOOL_STR(DF_PG_RESTORE_NEWEST)
/* The oldest pg_restore still supported upstream reads at least 1.14 (12 and later). */
#define TOOL_PG_RESTORE_OLDEST 12

void tool_pg_restore_init(tool_pg_restore *pr);

/*
 * The major of the installed pg_restore, as far as an archive of version
 * 1.`minor` needs it: 0 when there is none, and also 0 when it is not known
 * without running it but every release it can be reads 1.`minor` (nothing to
 * compare).  Pass TOOL_PG_RESTORE_ANY_MINOR for the exact release.
 */
int tool_pg_restore_major(tool_pg_restore *pr, int minor);

/* 1 when there is a pg_restore on PATH. */
int tool_pg_restore_found(tool_pg_restore *pr);

/* The major of what `pg_restore --version` says ("pg_restore (PostgreSQL) 15.18 (Debian ...)"),
   0 when it names none. */
int tool_pg_restore_version_major(const char *line);

/*
 * The CPUs this process may run on (sched_getaffinity: taskset, cgroup
 * cpusets), at least 1: the default for -j.
 */
long tool_cpu_count(void);

/* ------------------------------------------------------------------ */
/* pg_restore-style rendering                                           */
/* ------------------------------------------------------------------ */

/*
 * Write a name the way pg_restore -l does: CR and LF become spaces; a NULL
 * or empty string is written as "-" when want_hyphen, else as nothing.
 */
void tool_put_sanitized(FILE *out, const char *s, int want_hyphen);


/* ------------------------------------------------------------------ */
/* Progress on stderr                                                  */
/* ------------------------------------------------------------------ */
typedef enum tool_progress_mode {
    TOOL_PROGRESS_AUTO = 0, /* only when stderr is a terminal */
    TOOL_PROGRESS_ON = 1,   /* always (one line per update when not a terminal) */
    TOOL_PROGRESS_OFF = 2,
} tool_progress_mode;

typedef struct tool_progress {
    const char *prog;
    int enabled;
    int tty;         /* redraw one line with \r instead of printing lines */
    int drawn;       /* something is on the current terminal line */
    int64_t last_ns; /* monotonic time of the last update printed */
    const char *what;  /* tool_progress_cb: shown before the numbers, or NULL */
    int64_t start_ns;  /* tool_progress_init: the rate counts from here */
    size_t cols;       /* terminal width: a longer line would wrap and break the redraw */
} tool_progress;

void tool_progress_init(tool_progress *p, const char *prog, tool_progress_mode mode);
/* "<prog>: <what>: <done>/<total> <unit>", at most ~10 times a second. */
void tool_progress_update(tool_progress *p, const char *what, size_t done, size_t total,
                          const char *unit);
/* Clear the progress line (terminal) before normal output or at the end. */
void tool_progress_end(tool_progress *p);
/*
 * Bytes read: "<prog>: [<what>: ]43% 120/279 MiB 85 MiB/s ETA 0:02 TABLE DATA
 * public.orders" (df_progress_format), at most four times a second.
 */
void tool_progress_bytes(tool_progress *p, const char *what, const df_progress *dp);
/* A df_progress_fn for df_reader_set_progress: ctx is a tool_progress, p->what its label. */
void tool_progress_cb(void *ctx, const df_progress *dp);

/* ------------------------------------------------------------------ */
/* JSON output                                                          */
/* ------------------------------------------------------------------ */

/*
 * Write `len` bytes of `s` as a JSON string literal, quotes included.
 * Quote and backslash are escaped, control characters become \u00XX, valid
 * UTF-8 sequences are copied through, and every byte that is not part of a
 * valid UTF-8 sequence becomes \u00XX (the byte's value), so the output is
 * always valid JSON whatever the input bytes.
 */
void tool_json_write_string(FILE *out, const char *s, size_t len);

#define TOOL_JSON_MAX_DEPTH 32

/*
 * A streaming writer that tracks commas and indentation.  Usage:
 *   tool_json j; tool_json_init(&j, stdout, 2);
 *   tool_json_begin_object(&j);
 *   tool_json_key(&j, "file"); tool_json_string(&j, path);
 *   tool_json_key(&j, "deps"); tool_json_begin_array_inline(&j); ... tool_json_end_array(&j);
 *   tool_json_end_object(&j); tool_json_finish(&j);
 * Containers opened "inline" are written on one line (small arrays).
 */
typedef struct tool_json {
    FILE *out;
    int indent; /* spaces per level; 0 = compact */
    int depth;
    int inline_from; /* depth of the outermost inline container, 0 = none */
    int after_key;   /* a key was written; the value follows without separator */
    unsigned char has_items[TOOL_JSON_MAX_DEPTH + 1];
} tool_json;

void tool_json_init(tool_json *j, FILE *out, int indent);
void tool_json_begin_object(tool_json *j);
void tool_json_end_object(tool_json *j);
void tool_json_begin_array(tool_json *j);
void tool_json_begin_array_inline(tool_json *j);
void tool_json_end_array(tool_json *j);
void tool_json_key(tool_json *j, const char *key);
/* A string, or null when s is NULL. */
void tool_json_string(tool_json *j, const char *s);
void tool_json_int(tool_json *j, int64_t v);
void tool_json_uint(tool_json *j, uint64_t v);
void tool_json_bool(tool_json *j, int v);
void tool_json_null(tool_json *j);
/* Terminate the document with a newline. */
void tool_json_finish(tool_json *j);

/*
 * Name each name of so's selection that matches nothing in r
 * (df_select_unmatched) on stderr, "<prog>: <path>: table "x" not found (-t
 * matches nothing)", with a hint for a schema-qualified -t or a -T that
 * names a table.  Returns TOOL_EXIT_OK when every name matched, else
 * TOOL_EXIT_WARNING, or TOOL_EXIT_UNKNOWN with strict (--strict-names).
 * quiet silences the warnings, not the strict errors.
 */
int tool_report_unmatched(const char *prog, const char *path, const df_reader *r,
                          const df_select_options *so, int strict, int quiet);

/*
 * The option loop every tool runs: getopt_long over argv, its own messages naming `prog`
 * whatever the path the tool was started by, apply(ctx, c, optarg) for each option.  apply
 * returns -1 to go on, else the exit status to end with (--help, --version, a bad value).
 * Returns -1 when every option was applied (optind is then the first operand), else that status.
 */
struct option;
typedef int (*tool_apply_fn)(void *ctx, int c, const char *arg);
int tool_parse_args(const char *prog, int argc, char **argv, const char *shortopts,
                    const struct option *longopts, tool_apply_fn apply, void *ctx);

/*
 * After tool_parse_args: -1 when there are min..max operands (max < 0: no limit), else prints
 * `missing` (fewer) or "too many arguments" with the usage hint and returns TOOL_EXIT_UNKNOWN.
 */
int tool_want_operands(const char *prog, int argc, int min, int max, const char *missing);

#endif /* DUMPFMT_TOOLS_COMMON_H */
