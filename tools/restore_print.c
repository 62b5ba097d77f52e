/*
 * restore_print.c — dumprestore's report: each phase with its result, time
 * and note, and its findings with their fixes, as text or --json; and the
 * node_exporter textfile metrics of --prometheus (as dumpcheck writes them).
 */
#include "restore.h"

#include <string.h>
#include <time.h>

static void print_findings(const df_tcheck *c)
{
    for (size_t i = 0; i < df_tcheck_count(c); i++) {
        const df_tfinding *f = df_tcheck_at(c, i);
        printf("  %s %s: %s: %s\n", df_severity_name(f->severity), f->code, f->object,
               f->message);
        if (f->fix != NULL)
            printf("    fix: %s\n", f->fix);
    }
}

int dr_print_text(const dr_run *run, int verdict)
{
    for (size_t i = 0; i < run->nphases; i++) {
        const dr_phase *p = &run->phases[i];
        if (run->o->quiet && p->verdict == DF_VERDICT_OK)
            continue; /* also its findings: roles a drill created, nothing to act on */
        printf("%s: %s (%.2f s): %s\n", p->name, dr_verdict_word(p->verdict), p->seconds, p->note);
        print_findings(p->check);
    }
    printf("verdict: %s\n", df_verdict_name(verdict));
    return tool_finish_output(PROG, stdout);
}

int dr_print_json(const dr_run *run, int verdict)
{
    tool_json j;

    tool_json_init(&j, stdout, 2);
    tool_json_begin_object(&j);
    tool_json_key(&j, "dump");
    tool_json_string(&j, run->o->dump);
    tool_json_key(&j, "mode");
    tool_json_string(&j, run->o->drill            ? "drill"
                         : run->o->preflight_only ? "preflight"
                         : run->o->verify_only    ? "verify"
                                                  : "restore");
    tool_json_key(&j, "verdict");
    tool_json_string(&j, df_verdict_name(verdict));
    tool_json_key(&j, "phases");
    tool_json_begin_array(&j);
    for (size_t i = 0; i < run->nphases; i++) {
        const dr_phase *p = &run->phases[i];
        tool_json_begin_object(&j);
        tool_json_key(&j, "name");
        tool_json_string(&j, p->name);
        tool_json_key(&j, "result");
        tool_json_string(&j, dr_verdict_word(p->verdict));
        tool_json_key(&j, "milliseconds");
        tool_json_int(&j, (int64_t)(p->seconds * 1000));
        tool_json_key(&j, "note");
        tool_json_string(&j, p->note);
        if (p->check != NULL && strcmp(p->name, "verify") == 0) {
            tool_json_key(&j, "tables");
            tool_json_int(&j, df_tcheck_tables(p->check));
            tool_json_key(&j, "rows");
            tool_json_int(&j, df_tcheck_rows(p->check));
            tool_json_key(&j, "large_objects");
            tool_json_int(&j, df_tcheck_large_objects(p->check));
        }
        tool_json_key(&j, "findings");
        tool_json_begin_array(&j);
        for (size_t k = 0; k < df_tcheck_count(p->check); k++) {
            const df_tfinding *f = df_tcheck_at(p->check, k);
            tool_json_begin_object(&j);
            tool_json_key(&j, "severity");
            tool_json_string(&j, df_severity_name(f->severity));
            tool_json_key(&j, "code");
            tool_json_string(&j, f->code);
            tool_json_key(&j, "object");
            tool_json_string(&j, f->object);
            tool_json_key(&j, "message");
            tool_json_string(&j, f->message);
            tool_json_key(&j, "fix");
            tool_json_string(&j, f->fix);
            if (f->expected >= 0) {
                tool_json_key(&j, "expected");
                tool_json_int(&j, f->expected);
                tool_json_key(&j, "found");
                tool_json_int(&j, f->found);
            }
            tool_json_end_object(&j);
        }
        tool_json_end_array(&j);
        tool_json_end_object(&j);
    }
    tool_json_end_array(&j);
    tool_json_end_object(&j);
    tool_json_finish(&j);
    return tool_finish_output(PROG, stdout);
}

/* node_exporter textfile metrics, as dumpcheck writes them: verdict, seconds per phase. */
int dr_write_prometheus(const dr_run *run, int verdict)
{
    tool_file tf;

    if (tool_file_create(PROG, run->o->prometheus, &tf) != TOOL_EXIT_OK)
        return TOOL_EXIT_UNKNOWN;
    fprintf(tf.f, "# HELP dumprestore_verdict 0 OK, 1 warning, 2 failed, 3 unknown\n"
                  "# TYPE dumprestore_verdict gauge\n");
    fprintf(tf.f, "dumprestore_verdict %d\n", verdict);
    fprintf(tf.f, "# HELP dumprestore_phase_seconds time of each phase\n"
                  "# TYPE dumprestore_phase_seconds gauge\n");
    for (size_t i = 0; i < run->nphases; i++)
        fprintf(tf.f, "dumprestore_phase_seconds{phase=\"%s\"} %.3f\n", run->phases[i].name,
                run->phases[i].seconds);
    fprintf(tf.f, "# HELP dumprestore_timestamp_seconds when the run ended\n"
                  "# TYPE dumprestore_timestamp_seconds gauge\n"
                  "dumprestore_timestamp_seconds %lld\n",
            (long long)time(NULL));
    return tool_file_commit(PROG, &tf);
}
