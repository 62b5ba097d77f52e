/*
 * fuzz_list.c — libFuzzer target for list files and selections (what
 * dumpls -L and dumporder run): the input is a list file, read against a
 * fixed archive ($DF_CORPUS/pg18/sample.custom.gzip.dump, opened once; its
 * own .list in the corpus is the natural seed).  The listed entries seed a
 * selection closed over the dependency graph, the order is checked and
 * fixed and written back as a list; the lines the list ignores become -t,
 * -n, -I, -P, -T, --type and exclusion names of a selection by pattern and
 * of pg_restore -l's own -t/-n.  Crashes, sanitizer reports, leaks and
 * hangs are the bugs.
 */
#define FUZZ_NAME "fuzz_list"
#include "fuzz_util.h"

#define ARCHIVE "pg18/sample.custom.gzip.dump"

static df_reader *archive;
static df_graph *graph;

static void close_archive(void)
{
    df_graph_free(graph);
    df_reader_free(archive);
}

/* The fixed archive and its graph; exits when the corpus is not there (nothing to fuzz). */
static void open_archive(void)
{
    char path[4096];

    if (archive != NULL)
        return;
    archive = df_reader_new(NULL);
    fuzz_corpus_path(ARCHIVE, path, sizeof path);
    if (archive == NULL || df_reader_open_path(archive, path) != DF_OK ||
        df_graph_build(archive, &graph, NULL) != DF_OK) {
        fprintf(stderr, "%s: cannot open %s (run from the repository root or set DF_CORPUS)\n",
                FUZZ_NAME, path);
        exit(2);
    }
    atexit(close_archive);
}

/* Select by the listed entries, check, fix and write the order. */
static void by_entries(const df_list_file *lf, FILE *null, int variant)
{
    size_t n = df_list_file_count(lf), ntoc = df_reader_toc_count(archive), nissues = 0, nout = 0;
    size_t *seeds = calloc(n + 1, sizeof *seeds), *fixed = calloc(ntoc + n + 1, sizeof *fixed);
    df_select_options so;
    df_list_options lo;
    df_selection *sel = NULL;
    df_order_issue *issues = NULL;

    df_select_options_default(&so);
    so.data_only = variant == 1;
    so.schema_only = variant == 2;
    so.with_fk_targets = variant == 3;
    so.sections = variant == 4 ? DF_SEL_POST_DATA : 0;
    df_list_options_default(&lo);
    lo.verbose = variant & 1;
    lo.pg_restore_version = variant == 2 ? 15 : 0;
    if (seeds == NULL || fixed == NULL)
        goto out;
    for (size_t k = 0; k < n; k++) {
        size_t line;
        seeds[k] = df_list_file_entry(lf, k, &line);
    }
    if (df_select(archive, graph, &so, seeds, n, &sel, NULL) != DF_OK)
        goto out;
    for (size_t i = 0; i < ntoc; i++)
        (void)(df_selection_pick(sel, i) + fuzz_touch(df_selection_reason(sel, i)));
    if (df_order_check(graph, seeds, n, &issues, &nissues, NULL) == DF_OK)
        free(issues);
    if (df_order_fix(graph, sel, seeds, n, fixed, &nout, NULL) == DF_OK)
        df_list_write_order(archive, &lo, fixed, nout, sel, null, NULL);
    if (df_order_fix(graph, NULL, seeds, n, fixed, &nout, NULL) == DF_OK)
        df_list_write_order(archive, &lo, fixed, nout, NULL, null, NULL);
out:
    df_selection_free(sel);
    free(seeds);
    free(fixed);
}

/*
 * Select by names: the ignored lines' text as every kind of pattern.  At most
 * MAX_NAMES of them: matching is names times entries, and the fuzzer is
 * faster on short lists; the replayer takes more, for the regression seed
 * seeds/list/many-names.list (2,000 names as -t and -n took 100 s when
 * df_select_unmatched tested the -n list on every entry for every -t name).
 */
#ifdef DF_REPLAY_MAIN
#define MAX_NAMES 2048
#else
#define MAX_NAMES 64
#endif
static void by_names(const df_list_file *lf, FILE *null)
{
    size_t n = df_list_file_nignored(lf), line;
    const char **names = calloc(n + 1, sizeof *names);
    df_select_options so;
    df_list_options lo;
    df_selection *sel = NULL;
    df_unmatched um[8];
    size_t nu;
    int *show;

    if (names == NULL)
        return;
    if (n > MAX_NAMES)
        n = MAX_NAMES;
    for (size_t k = 0; k < n; k++)
        names[k] = df_list_file_ignored(lf, k, &line);
    df_select_options_default(&so);
    so.tables = so.schemas = so.indexes = so.functions = so.triggers = so.types = names;
    so.ntables = so.nschemas = so.nindexes = so.nfunctions = so.ntriggers = so.ntypes = n;
    so.exclude_tables = names + n / 2;
    so.nexclude_tables = n - n / 2;
    (void)df_select_unmatched(archive, &so, um, 8, &nu, NULL);
    if (df_select(archive, graph, &so, NULL, 0, &sel, NULL) == DF_OK)
        (void)df_selection_count(sel);
    df_selection_free(sel);
    df_list_options_default(&lo);
    lo.tables = lo.schemas = names;
    lo.ntables = lo.nschemas = n;
    show = calloc(df_reader_toc_count(archive) + 1, sizeof *show);
    if (show != NULL) {
        (void)df_list_selection(archive, &lo, show, NULL);
        (void)df_restore_reqs(archive, &lo, show, NULL);
        free(show);
    }
    df_list_write(archive, &lo, NULL, null, NULL);
    free(names);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd;
    FILE *in, *null;
    df_list_file *lf = NULL;
    df_error err;

    open_archive();
    fd = fuzz_memfd(data, size);
    if (fd < 0)
        return 0;
    in = fdopen(fd, "r");
    if (in == NULL) {
        close(fd);
        return 0;
    }
    memset(&err, 0, sizeof err);
    null = fuzz_null();
    if (df_list_read(archive, in, &lf, &err) == DF_OK && null != NULL) {
        by_entries(lf, null, (int)(size % 5));
        by_names(lf, null);
    }
    fuzz_touch_error(&err);
    df_list_file_free(lf);
    if (null != NULL)
        fclose(null);
    fclose(in);
    return 0;
}

#ifdef DF_REPLAY_MAIN
#include "fuzz_replay.h"
#endif
