/*
 * diag_print.c — dumpdiag's report: the failed entries with their causes
 * and cascades, what never ran, as text or --json.
 */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Printing                                                            */
/* ------------------------------------------------------------------ */

static const char *source_name(int s)
{
    static const char *const names[] = {"empty", "pg_restore", "psql", "unknown"};
    return s >= 0 && s <= 3 ? names[s] : "unknown";
}

static const char *state_name(int s)
{
    static const char *const names[] = {"ok", "failed", "cascade", "not-run", "skipped",
                                        "uncertain"};
    return s >= 0 && s <= 5 ? names[s] : "unknown";
}

/* "215 TABLE s t" as pg_restore -l names an entry. */
static void put_entry(FILE *out, const df_entry *e)
{
    fprintf(out, "%d ", e->dump_id);
    tool_put_sanitized(out, e->desc, 1);
    fputc(' ', out);
    tool_put_sanitized(out, e->schema, 1);
    fputc(' ', out);
    tool_put_sanitized(out, e->tag, 1);
}

/* 2: data lost or the restore stopped; 1: errors; 0: clean. */
int dd_verdict(const df_restorelog *rl, const df_rdiag *d, const df_reader *r)
{
    const df_rlog_summary *s = df_restorelog_summary(rl);
    int rc = s->errors > 0 ? TOOL_EXIT_WARNING : TOOL_EXIT_OK;

    if (s->stopped)
        return TOOL_EXIT_DAMAGED;
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        int st = df_rdiag_entry_state(d, i);
        if ((st == DF_RSTATE_FAILED || st == DF_RSTATE_CASCADE || st == DF_RSTATE_NOT_RUN ||
             st == DF_RSTATE_UNCERTAIN) &&
            df_reader_toc_at(r, i)->had_dumper)
            return TOOL_EXIT_DAMAGED;
    }
    return rc;
}

void dd_print_text(const dd_options *o, const df_restorelog *rl, const df_rdiag *d,
                   const df_reader *r, size_t nresume)
{
    const df_rlog_summary *s = df_restorelog_summary(rl);
    size_t nc = df_rdiag_cause_count(d), ne = df_rdiag_error_count(d), notrun = 0, unsure = 0;
    size_t unattributed = 0;

    printf("%s: %s log, %lld error%s", o->log_path, source_name(s->source), (long long)s->errors,
           s->errors == 1 ? "" : "s");
    if (s->stopped)
        printf("; the restore stopped: %s", s->stop_reason);
    printf("\n");
    if (nc > 0)
        printf("\nroot causes:\n");
    for (size_t k = 0; k < nc; k++) {
        const df_rdiag_cause *c = df_rdiag_cause_at(d, k);
        printf("  %zu. %s: %s: %zu error%s, %zu cascaded\n", k + 1, df_rlog_class_name(c->cls),
               c->what, c->direct, c->direct == 1 ? "" : "s", c->cascaded);
        if (c->kind && (c->cls == DF_RLOG_MISSING_OBJECT || c->cls == DF_RLOG_DATA ||
                        c->cls == DF_RLOG_RESOURCE || c->cls == DF_RLOG_SERVER_TOO_OLD))
            printf("     kind: %s\n", c->kind);
        printf("     fix: %s\n", c->fix);
    }
    if (ne > 0)
        printf("\nerrors:\n");
    for (size_t i = 0; i < ne; i++) {
        const df_rdiag_error *x = df_rdiag_error_at(d, i);
        printf("  log line %lld: ", (long long)x->e->log_line);
        if (x->entry >= 0)
            put_entry(stdout, df_reader_toc_at(r, (size_t)x->entry));
        else
            printf(x->how && strcmp(x->how, "session") == 0 ? "(connection setup)" : "(no entry)");
        printf(": %s", df_rlog_class_name(x->e->cls));
        if (x->cascade && x->root >= 0) {
            printf(", cascade of ");
            put_entry(stdout, df_reader_toc_at(r, (size_t)x->root));
        }
        printf(" [cause %zu]: %s", x->cause + 1, x->e->message ? x->e->message : "");
        if (x->e->copy_line > 0)
            printf(" (COPY line %lld)", (long long)x->e->copy_line);
        printf("\n");
    }
    for (size_t i = 0; i < df_reader_toc_count(r); i++)
        if (df_rdiag_entry_state(d, i) == DF_RSTATE_NOT_RUN) {
            if (notrun++ == 0)
                printf("\nnever ran:\n");
            printf("  ");
            put_entry(stdout, df_reader_toc_at(r, i));
            printf("\n");
        }
    for (size_t i = 0; i < df_reader_toc_count(r); i++)
        unsure += df_rdiag_entry_state(d, i) == DF_RSTATE_UNCERTAIN;
    if (unsure > 0)
        printf("\nuncertain %zu (launched, never reported finished before the stop: may have "
               "committed; the resume restores them):\n", unsure);
    for (size_t i = 0; unsure > 0 && i < df_reader_toc_count(r); i++)
        if (df_rdiag_entry_state(d, i) == DF_RSTATE_UNCERTAIN) {
            const char *sql = df_rdiag_run_first(d, i);
            printf("  ");
            put_entry(stdout, df_reader_toc_at(r, i));
            printf(": %s%s%s\n", df_rdiag_uncertain_note(d, i), sql ? ": " : "", sql ? sql : "");
        }
    for (size_t i = 0; i < ne; i++) {
        const df_rdiag_error *x = df_rdiag_error_at(d, i);
        if (x->entry < 0 && !(x->how && strcmp(x->how, "session") == 0))
            unattributed++;
    }
    if (unattributed > 0)
        printf("\n%zu error%s could not be attributed to an entry of \"%s\" (is it the dump "
               "that was restored?)\n", unattributed, unattributed == 1 ? "" : "s", o->dump_path);
    if (o->output)
        printf("\nresume: %zu entr%s written to \"%s\"\n", nresume, nresume == 1 ? "y" : "ies",
               o->output);
}

static void json_entry(tool_json *j, const char *key, const df_reader *r, int64_t i)
{
    tool_json_key(j, key);
    if (i < 0) {
        tool_json_null(j);
        return;
    }
    tool_json_int(j, df_reader_toc_at(r, (size_t)i)->dump_id);
}

static void json_error(tool_json *j, const df_rdiag_error *x, const df_reader *r)
{
    const df_rlog_error *e = x->e;
    const df_entry *en = x->entry >= 0 ? df_reader_toc_at(r, (size_t)x->entry) : NULL;

    tool_json_begin_object(j);
    tool_json_key(j, "log_line"); tool_json_int(j, e->log_line);
    json_entry(j, "dump_id", r, x->entry);
    tool_json_key(j, "desc"); tool_json_string(j, en ? en->desc : NULL);
    tool_json_key(j, "schema"); tool_json_string(j, en ? en->schema : NULL);
    tool_json_key(j, "tag"); tool_json_string(j, en ? en->tag : NULL);
    tool_json_key(j, "attributed_by"); tool_json_string(j, x->how);
    tool_json_key(j, "class"); tool_json_string(j, df_rlog_class_name(e->cls));
    tool_json_key(j, "kind"); tool_json_string(j, e->kind);
    tool_json_key(j, "object"); tool_json_string(j, e->object);
    tool_json_key(j, "cascade"); tool_json_bool(j, x->cascade);
    json_entry(j, "root_dump_id", r, x->root);
    tool_json_key(j, "cause"); tool_json_int(j, (int64_t)x->cause + 1);
    tool_json_key(j, "severity"); tool_json_string(j, e->severity);
    tool_json_key(j, "message"); tool_json_string(j, e->message);
    tool_json_key(j, "detail"); tool_json_string(j, e->detail);
    tool_json_key(j, "context"); tool_json_string(j, e->context);
    tool_json_key(j, "copy_table"); tool_json_string(j, e->copy_table);
    tool_json_key(j, "copy_line");
    if (e->copy_line > 0) tool_json_int(j, e->copy_line); else tool_json_null(j);
    tool_json_key(j, "file"); tool_json_string(j, e->file);
    tool_json_key(j, "line");
    if (e->line > 0) tool_json_int(j, e->line); else tool_json_null(j);
    tool_json_key(j, "command"); tool_json_string(j, e->command);
    tool_json_end_object(j);
}

static size_t count_state(const df_rdiag *d, const df_reader *r, int state)
{
    size_t n = 0;

    for (size_t i = 0; i < df_reader_toc_count(r); i++)
        n += df_rdiag_entry_state(d, i) == state;
    return n;
}

void dd_print_json(const dd_options *o, const df_restorelog *rl, const df_rdiag *d,
                   const df_reader *r, int exit_code)
{
    const df_rlog_summary *s = df_restorelog_summary(rl);
    const size_t *resume;
    size_t partial, nresume = df_rdiag_resume(d, &resume, &partial);
    tool_json j;

    tool_json_init(&j, stdout, 2);
    tool_json_begin_object(&j);
    tool_json_key(&j, "log"); tool_json_string(&j, o->log_path);
    tool_json_key(&j, "dump"); tool_json_string(&j, o->dump_path);
    tool_json_key(&j, "source"); tool_json_string(&j, source_name(s->source));
    tool_json_key(&j, "verbose"); tool_json_bool(&j, s->verbose);
    tool_json_key(&j, "parallel"); tool_json_bool(&j, s->parallel);
    tool_json_key(&j, "errors"); tool_json_int(&j, s->errors);
    tool_json_key(&j, "ignored");
    if (s->ignored >= 0) tool_json_int(&j, s->ignored); else tool_json_null(&j);
    tool_json_key(&j, "stopped"); tool_json_bool(&j, s->stopped);
    tool_json_key(&j, "stop_reason"); tool_json_string(&j, s->stop_reason);
    tool_json_key(&j, "exit"); tool_json_int(&j, exit_code);
    tool_json_key(&j, "causes");
    tool_json_begin_array(&j);
    for (size_t k = 0; k < df_rdiag_cause_count(d); k++) {
        const df_rdiag_cause *c = df_rdiag_cause_at(d, k);
        tool_json_begin_object(&j);
        tool_json_key(&j, "class"); tool_json_string(&j, df_rlog_class_name(c->cls));
        tool_json_key(&j, "kind"); tool_json_string(&j, c->kind);
        tool_json_key(&j, "what"); tool_json_string(&j, c->what);
        tool_json_key(&j, "direct"); tool_json_int(&j, (int64_t)c->direct);
        tool_json_key(&j, "cascaded"); tool_json_int(&j, (int64_t)c->cascaded);
        json_entry(&j, "root_dump_id", r, c->root_entry);
        tool_json_key(&j, "fix"); tool_json_string(&j, c->fix);
        tool_json_end_object(&j);
    }
    tool_json_end_array(&j);
    tool_json_key(&j, "failures");
    tool_json_begin_array(&j);
    for (size_t i = 0; i < df_rdiag_error_count(d); i++)
        json_error(&j, df_rdiag_error_at(d, i), r);
    tool_json_end_array(&j);
    tool_json_key(&j, "uncertain"); tool_json_int(&j, (int64_t)count_state(d, r, DF_RSTATE_UNCERTAIN));
    tool_json_key(&j, "entries");
    tool_json_begin_array(&j);
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        int st = df_rdiag_entry_state(d, i);
        if (st == DF_RSTATE_OK || st == DF_RSTATE_SKIPPED)
            continue;
        tool_json_begin_object(&j);
        tool_json_key(&j, "dump_id"); tool_json_int(&j, df_reader_toc_at(r, i)->dump_id);
        tool_json_key(&j, "state"); tool_json_string(&j, state_name(st));
        if (st == DF_RSTATE_UNCERTAIN) {
            tool_json_key(&j, "run_first"); tool_json_string(&j, df_rdiag_run_first(d, i));
            tool_json_key(&j, "note"); tool_json_string(&j, df_rdiag_uncertain_note(d, i));
        }
        tool_json_end_object(&j);
    }
    tool_json_end_array(&j);
    tool_json_key(&j, "resume");
    tool_json_begin_array_inline(&j);
    for (size_t k = 0; k < nresume; k++)
        tool_json_int(&j, df_reader_toc_at(r, resume[k])->dump_id);
    tool_json_end_array(&j);
    tool_json_key(&j, "partial_inserts"); tool_json_int(&j, (int64_t)partial);
    tool_json_end_object(&j);
    tool_json_finish(&j);
}

