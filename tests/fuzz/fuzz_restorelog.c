/*
 * fuzz_restorelog.c — libFuzzer target for dumpdiag's restore log parser:
 * the input is a pg_restore or psql stderr log, fed line by line, its
 * summary, errors and -v items read back, then laid over the dump it came
 * from (df_rdiag: attribution, causes, cascades, the resume order) — the
 * corpus's pg15 sample, the custom archive for pg_restore logs and the
 * plain script (by path: psql FILE:LINE lines, the resume script written
 * to /dev/null) for psql logs; both opened once.  Crashes, sanitizer
 * reports, leaks and hangs are the bugs.
 */
#define FUZZ_NAME "fuzz_restorelog"
#include "fuzz_util.h"

static df_reader *dumps[2]; /* 0: custom archive, 1: plain script */

static void close_dumps(void)
{
    df_reader_free(dumps[0]);
    df_reader_free(dumps[1]);
}

static df_reader *dump(int plain)
{
    static const char *const rel[2] = {"pg15/sample.custom.gzip.dump", "pg15/sample.plain.sql"};
    char path[4096];

    if (dumps[plain] != NULL)
        return dumps[plain];
    if (dumps[0] == NULL && dumps[1] == NULL)
        atexit(close_dumps);
    dumps[plain] = df_reader_new(NULL);
    fuzz_corpus_path(rel[plain], path, sizeof path);
    if (dumps[plain] == NULL || df_reader_open_path(dumps[plain], path) != DF_OK) {
        fprintf(stderr, "%s: cannot open %s (run from the repository root or set DF_CORPUS)\n",
                FUZZ_NAME, path);
        exit(2);
    }
    return dumps[plain];
}

static void touch_log(const df_restorelog *rl)
{
    const df_rlog_summary *s = df_restorelog_summary(rl);
    const df_rlog_item *items;
    size_t n;

    (void)fuzz_touch(s->stop_reason);
    for (size_t i = 0; i < df_restorelog_count(rl); i++) {
        const df_rlog_error *e = df_restorelog_error(rl, i);

        (void)(fuzz_touch(e->toc_desc) + fuzz_touch(e->item) + fuzz_touch(e->severity) +
               fuzz_touch(e->message) + fuzz_touch(e->detail) + fuzz_touch(e->context) +
               fuzz_touch(e->command) + fuzz_touch(e->copy_table) + fuzz_touch(e->file) +
               fuzz_touch(e->kind) + fuzz_touch(e->object) + fuzz_touch(df_rlog_class_name(e->cls)));
    }
    n = df_restorelog_items(rl, &items);
    for (size_t i = 0; i < n; i++)
        (void)fuzz_touch(items[i].name);
}

static void diagnose(const df_restorelog *rl)
{
    int plain = df_restorelog_summary(rl)->source == DF_RLOG_PSQL;
    df_reader *r = dump(plain);
    df_rdiag *d = NULL;
    const size_t *order;
    size_t partial;
    FILE *null;

    if (df_rdiag_build(rl, r, &d, NULL) != DF_OK)
        return;
    for (size_t i = 0; i < df_rdiag_error_count(d); i++)
        (void)fuzz_touch(df_rdiag_error_at(d, i)->how);
    for (size_t i = 0; i < df_rdiag_cause_count(d); i++) {
        const df_rdiag_cause *c = df_rdiag_cause_at(d, i);
        (void)(fuzz_touch(c->kind) + fuzz_touch(c->what) + fuzz_touch(c->fix));
    }
    for (size_t i = 0; i < df_reader_toc_count(r); i++)
        (void)(df_rdiag_entry_state(d, i) + fuzz_touch(df_rdiag_run_first(d, i)) +
               fuzz_touch(df_rdiag_uncertain_note(d, i)));
    (void)df_rdiag_resume(d, &order, &partial);
    if ((null = fuzz_null()) != NULL) {
        if (plain)
            df_rdiag_write_plain(d, r, null, NULL);
        else
            df_rdiag_write_list(d, r, null, NULL);
        fclose(null);
    }
    df_rdiag_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    df_restorelog *rl = df_restorelog_new();
    size_t start = 0;

    if (rl == NULL)
        return 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || data[i] == '\n') {
            if (i > start || i < size)
                df_restorelog_feed_line(rl, (const char *)data + start, i - start, NULL);
            start = i + 1;
        }
    }
    if (df_restorelog_finish(rl, NULL) == DF_OK) {
        /* psql's stderr does not say whether ON_ERROR_STOP ended it (dumpdiag --stopped):
           odd sizes say it did. */
        if (size % 2 == 1)
            df_restorelog_set_stopped(rl);
        touch_log(rl);
        diagnose(rl);
    }
    df_restorelog_free(rl);
    return 0;
}

#ifdef DF_REPLAY_MAIN
#include "fuzz_replay.h"
#endif
