/*
 * check_util.h — tiny helpers shared by every tests/check_*.c program: where
 * the test corpus lives (env DF_CORPUS, default "corpus", relative to the
 * repository root the tests run from), building paths inside it,
 * slurping a whole file into memory, and whether the thorough mode is on.
 */
#ifndef DF_CHECK_UTIL_H
#define DF_CHECK_UTIL_H

#include <stdio.h>
#include <stdlib.h>

/* The corpus directory: $DF_CORPUS when set and non-empty, else "corpus". */
static inline const char *dft_corpus(void)
{
    const char *env = getenv("DF_CORPUS");

    return env != NULL && env[0] != '\0' ? env : "corpus";
}

/*
 * The thorough mode (make check-full): $DF_TEST_FULL set to "1".  The sweeps then cut at every
 * offset they know of; make check's default is a deterministic sample of them that keeps every
 * boundary kind, format, codec and archive version (README.md, "Tests").
 */
static inline int dft_full(void)
{
    const char *env = getenv("DF_TEST_FULL");

    return env != NULL && env[0] == '1' && env[1] == '\0';
}

/* "<corpus>/<rel>" into buf (n bytes); returns buf. */
static inline char *dft_path(char *buf, size_t n, const char *rel)
{
    snprintf(buf, n, "%s/%s", dft_corpus(), rel);
    return buf;
}

/*
 * The whole file at `path`, NUL-terminated (the NUL is not counted in *len).
 * The caller frees it.  NULL when the file cannot be read.
 */
static inline char *dft_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    size_t used = 0, cap = 0;

    if (f == NULL)
        return NULL;
    for (;;) {
        size_t got;

        if (cap - used < 65536) {
            char *bigger = realloc(data, cap + 65536 + 1);

            if (bigger == NULL) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = bigger;
            cap += 65536;
        }
        got = fread(data + used, 1, cap - used, f);
        used += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(data);
        fclose(f);
        return NULL;
    }
    fclose(f);
    data[used] = '\0';
    if (len != NULL)
        *len = used;
    return data;
}

#endif /* DF_CHECK_UTIL_H */
