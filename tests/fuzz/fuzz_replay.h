/*
 * fuzz_replay.h — the replayer's main, included at the end of a fuzz target
 * when it is built with -DDF_REPLAY_MAIN (build/tests/fuzz_replay_NAME):
 * each path argument is run once, a regular file as the input bytes, a
 * directory through the target's FUZZ_REPLAY_DIR(path) when it defines one
 * (a directory archive), else every regular file below it as input.  The
 * last line printed is "N passed, N failed": passed means processed
 * without crashing (the sanitizers abort the run otherwise) in less than
 * FUZZ_SLOW seconds of CPU — a hang or a quadratic blow-up is a finding, as
 * libFuzzer's -timeout makes it one.
 */
#ifndef DF_FUZZ_REPLAY_H
#define DF_FUZZ_REPLAY_H

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#define FUZZ_SLOW 20.0

static double fuzz_cpu_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fuzz_replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    size_t size = 0, cap = 0;
    int rc = 0;

    if (f == NULL)
        return -1;
    for (;;) {
        size_t got;
        if (cap - size < 65536) {
            uint8_t *bigger = realloc(data, cap + 65536);
            if (bigger == NULL) {
                rc = -1;
                break;
            }
            data = bigger;
            cap += 65536;
        }
        got = fread(data + size, 1, cap - size, f);
        size += got;
        if (got == 0)
            break;
    }
    if (ferror(f))
        rc = -1;
    fclose(f);
    if (rc == 0) {
        double t0 = fuzz_cpu_seconds(), t;

        LLVMFuzzerTestOneInput(data, size);
        t = fuzz_cpu_seconds() - t0;
        if (t > FUZZ_SLOW) {
            fprintf(stderr, "%s: \"%s\" took %.1f s of CPU (limit %.0f)\n", FUZZ_NAME, path, t,
                    FUZZ_SLOW);
            rc = -1;
        }
    }
    free(data);
    return rc;
}

#ifndef FUZZ_REPLAY_DIR
static int fuzz_replay_path(const char *path);

/* Every entry of a directory, as inputs (no target-specific meaning). */
static int fuzz_replay_tree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;
    int rc = 0;

    if (d == NULL)
        return -1;
    while ((de = readdir(d)) != NULL) {
        char sub[4096];

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
        if (fuzz_replay_path(sub) != 0)
            rc = -1;
    }
    closedir(d);
    return rc;
}
#endif

static int fuzz_replay_path(const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return -1;
    if (S_ISREG(st.st_mode))
        return fuzz_replay_file(path);
    if (!S_ISDIR(st.st_mode))
        return -1;
#ifdef FUZZ_REPLAY_DIR
    return FUZZ_REPLAY_DIR(path);
#else
    return fuzz_replay_tree(path);
#endif
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;

    for (int i = 1; i < argc; i++) {
        if (fuzz_replay_path(argv[i]) == 0) {
            passed++;
        } else {
            fprintf(stderr, "%s: cannot replay \"%s\"\n", FUZZ_NAME, argv[i]);
            failed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

#endif
