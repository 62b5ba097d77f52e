/*
 * fuzz_verify.c — libFuzzer target for the whole df_verify_* path (what
 * dumpcheck runs): the input is any dump (custom, tar, plain; directories
 * in the replayer), verified from a memfd in full with a pg_restore 15
 * version check, then again quick (structure only), and — small inputs —
 * from a pipe.  Every finding, the summary and the value-check columns are
 * read back.  A verdict of any kind is fine; crashes, sanitizer reports,
 * leaks and hangs are the bugs.
 */
#define FUZZ_NAME "fuzz_verify"
#include "fuzz_util.h"

static void touch_result(const df_verify *v)
{
    const df_verify_summary *s = df_verify_get_summary(v);
    const df_reader *r = df_verify_reader(v);

    (void)fuzz_touch(s->inflater);
    for (size_t i = 0; i < df_verify_count(v); i++) {
        const df_finding *f = df_verify_finding(v, i);

        (void)(fuzz_touch(f->code) + fuzz_touch(f->member) + fuzz_touch(f->message) +
               fuzz_touch(f->fix) + (f->entry != NULL ? fuzz_touch(f->entry->tag) : 0));
    }
    if (r == NULL)
        return;
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        int ncol = df_verify_value_columns(v, i);

        for (int k = 0; k < ncol; k++) {
            const char *type;
            int checked;

            (void)fuzz_touch(df_verify_value_column(v, i, k, &type, &checked));
            (void)fuzz_touch(type);
        }
    }
}

static void verify_fd(int fd, const char *name, int quick, int pg_restore)
{
    df_verify_options opt;
    df_verify *v = NULL;

    df_verify_options_default(&opt);
    opt.quick = quick;
    opt.pg_restore_version = pg_restore;
    if (df_verify_fd(fd, name, &opt, &v, NULL) == DF_OK && v != NULL)
        touch_result(v);
    df_verify_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = fuzz_memfd(data, size);

    if (fd >= 0) {
        verify_fd(fd, "memfd", 0, 15);
        if (lseek(fd, 0, SEEK_SET) == 0)
            verify_fd(fd, "memfd", 1, 0);
        close(fd);
    }
    fd = fuzz_pipe(data, size);
    if (fd >= 0) {
        verify_fd(fd, "pipe", 0, 0);
        close(fd);
    }
    return 0;
}

#ifdef DF_REPLAY_MAIN
/* A directory archive by path, with two workers (the worker pool). */
static int replay_dir(const char *path)
{
    df_verify_options opt;
    df_verify *v = NULL;

    df_verify_options_default(&opt);
    opt.threads = 2;
    if (df_verify_path(path, &opt, &v, NULL) == DF_OK && v != NULL)
        touch_result(v);
    df_verify_free(v);
    return 0;
}
#define FUZZ_REPLAY_DIR replay_dir
#include "fuzz_replay.h"
#endif
