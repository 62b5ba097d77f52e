/*
 * check_schedule.c — the pg_restore -j simulator (schedule.c) over corpus
 * archives: invariants every simulated restore must keep (each restored
 * entry once, workers never overlap, dependencies finish first, pre-data
 * before the workers, ACLs after the main pass, no two running entries with
 * a lock conflict), pg_restore's size estimates recomputed independently
 * (custom offset deltas over a reordered TOC, directory file sizes, none
 * before 12), its ready-set priority, CPU sharing, the fastest-order search
 * (a real gain for pg_restore 11, file order kept for custom archives from
 * 12), sizes, and the cost-model setters.
 */
#define _GNU_SOURCE /* setenv */

#include "check_util.h"
#include "dumpfmt.h"

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EPS 1e-9

static const char *const archives[] = {
    "pg93/sample.custom.gzip.dump", "pg10/sample.custom.gzip.dump",
    "pg15/sample.custom.gzip.dump", "pg15/sample.dir.gzip",
    "pg16/sample.dir.lz4",          "pg18/sample.custom.zstd.dump",
    "pg18/sample.custom.pipe.dump", "pg15/sample.tar",
};
#define N_ARCHIVES ((int)(sizeof archives / sizeof archives[0]))
static const int versions[] = {11, 15, 18};
static const int workers[] = {1, 2, 4};

typedef struct fixture {
    df_reader *r;
    df_graph *g;
    df_entry_size *sizes;
    size_t n;
} fixture;

static void open_fixture(fixture *f, const char *rel, int read_data)
{
    char path[4096];

    f->r = df_reader_new(NULL);
    ck_assert_ptr_nonnull(f->r);
    ck_assert_msg(df_reader_open_path(f->r, dft_path(path, sizeof path, rel)) == DF_OK, "%s", rel);
    ck_assert_int_eq(df_graph_build(f->r, &f->g, NULL), DF_OK);
    f->n = df_reader_toc_count(f->r);
    f->sizes = calloc(f->n + 1, sizeof *f->sizes);
    ck_assert_int_eq(df_restore_sizes(f->r, read_data, f->sizes, NULL, NULL, NULL), DF_OK);
}

static void close_fixture(fixture *f)
{
    free(f->sizes);
    df_graph_free(f->g);
    df_reader_free(f->r);
}

static df_schedule *simulate(const fixture *f, int pg, int nworkers, const size_t *order, size_t n,
                             const df_cost_model *m)
{
    df_schedule_options o;
    df_schedule *s = NULL;
    df_error err;

    df_schedule_options_default(&o);
    o.workers = nworkers;
    o.pg_restore_version = pg;
    o.use_list = order != NULL;
    o.cost = m;
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(df_schedule_simulate(f->r, f->g, f->sizes, order, n, &o, &s, &err), DF_OK);
    return s;
}

static int desc_is(const df_entry *e, const char *d)
{
    return e->desc && strcmp(e->desc, d) == 0;
}

/* The TABLE DATA of the table a stored dependency names (pg_restore's tableDataId), or d. */
static size_t repointed(const fixture *f, size_t e, size_t d)
{
    if (df_reader_toc_at(f->r, e)->section != DF_SECTION_POST_DATA)
        return d;
    for (size_t i = 0; i < f->n; i++) {
        const df_entry *t = df_reader_toc_at(f->r, i);
        if (desc_is(t, "TABLE DATA") && t->ndeps > 0 &&
            t->deps[0] == df_reader_toc_at(f->r, d)->dump_id)
            return i;
    }
    return d;
}

static int deps_of(const fixture *f, size_t e, size_t *out)
{
    const df_entry *x = df_reader_toc_at(f->r, e);
    int n = 0;

    for (size_t k = 0; k < x->ndeps; k++) {
        const df_entry *d = df_reader_find(f->r, x->deps[k]);
        if (d != NULL)
            out[n++] = repointed(f, e, d->index);
    }
    return n;
}

/* Would a and b conflict as pg_restore 12+ sees it (identify_locking_dependencies)? */
static int lock_conflict(const fixture *f, size_t a, size_t b)
{
    size_t da[256], db[256];
    int na, nb;
    const df_entry *ea = df_reader_toc_at(f->r, a);

    if (ea->section != DF_SECTION_POST_DATA || desc_is(ea, "INDEX"))
        return 0;
    na = deps_of(f, a, da);
    nb = deps_of(f, b, db);
    for (int i = 0; i < na; i++) {
        const df_entry *t = df_reader_toc_at(f->r, da[i]);
        if (!desc_is(t, "TABLE") && !desc_is(t, "TABLE DATA"))
            continue;
        for (int k = 0; k < nb; k++)
            if (da[i] == db[k])
                return 1;
    }
    return 0;
}

static void check_invariants(const fixture *f, const df_schedule *s, int pg, const char *what)
{
    const df_sched_job *j;
    size_t nj = df_schedule_jobs(s, &j), *job_of = malloc((f->n + 1) * sizeof *job_of);
    int *reqs = malloc((f->n + 1) * sizeof *reqs);
    df_list_options lo;
    double first_worker = 1e30, main_end = 0, acl_start = 1e30, last_end = 0;
    const size_t *crit;
    size_t ncrit;

    df_list_options_default(&lo);
    lo.pg_restore_version = pg;
    ck_assert_int_eq(df_restore_reqs(f->r, &lo, reqs, NULL), DF_OK);
    for (size_t i = 0; i < f->n; i++)
        job_of[i] = SIZE_MAX;
    for (size_t k = 0; k < nj; k++) {
        ck_assert_msg(job_of[j[k].entry] == SIZE_MAX, "%s: entry run twice", what);
        job_of[j[k].entry] = k;
        ck_assert(j[k].end >= j[k].start - EPS);
        if (j[k].end > last_end)
            last_end = j[k].end;
        if (j[k].worker >= 0 && j[k].start < first_worker)
            first_worker = j[k].start;
        if (df_entry_restore_pass(df_reader_toc_at(f->r, j[k].entry)) == 0) {
            if (j[k].end > main_end)
                main_end = j[k].end;
        } else if (df_entry_restore_pass(df_reader_toc_at(f->r, j[k].entry)) == 1 &&
                   j[k].start < acl_start) {
            acl_start = j[k].start;
        }
    }
    for (size_t i = 0; i < f->n; i++) {
        int restored = (reqs[i] & (DF_REQ_SCHEMA | DF_REQ_DATA | DF_REQ_STATS)) != 0;
        ck_assert_msg(restored == (job_of[i] != SIZE_MAX), "%s: dump id %d restored=%d job=%d",
                      what, df_reader_toc_at(f->r, i)->dump_id, restored, job_of[i] != SIZE_MAX);
    }
    /* the ACL pass starts when the main pass is over */
    ck_assert_msg(acl_start >= main_end - EPS, "%s: ACL at %f before main end %f", what, acl_start,
                  main_end);
    for (size_t a = 0; a < nj; a++) {
        size_t deps[256];
        int nd = deps_of(f, j[a].entry, deps);
        /* dependencies that are restored finished first */
        for (int d = 0; d < nd; d++)
            if (job_of[deps[d]] != SIZE_MAX)
                ck_assert_msg(j[job_of[deps[d]]].end <= j[a].start + EPS,
                              "%s: dump id %d starts before dump id %d ends", what,
                              df_reader_toc_at(f->r, j[a].entry)->dump_id,
                              df_reader_toc_at(f->r, deps[d])->dump_id);
        /* the leader's pre-data part is over before any worker starts */
        if (j[a].worker < 0 && df_reader_toc_at(f->r, j[a].entry)->section == DF_SECTION_PRE_DATA &&
            df_entry_restore_pass(df_reader_toc_at(f->r, j[a].entry)) == 0)
            ck_assert(j[a].end <= first_worker + EPS);
        for (size_t b = a + 1; b < nj; b++) {
            int overlap = j[a].start < j[b].end - EPS && j[b].start < j[a].end - EPS;
            if (!overlap)
                continue;
            ck_assert_msg(j[a].worker != j[b].worker, "%s: worker %d runs two jobs", what,
                          j[a].worker);
            if (pg >= 12)
                ck_assert_msg(!lock_conflict(f, j[a].entry, j[b].entry) &&
                                  !lock_conflict(f, j[b].entry, j[a].entry),
                              "%s: dump ids %d and %d run together with a lock conflict", what,
                              df_reader_toc_at(f->r, j[a].entry)->dump_id,
                              df_reader_toc_at(f->r, j[b].entry)->dump_id);
        }
    }
    ck_assert(df_schedule_makespan(s) >= last_end);
    ck_assert(df_schedule_makespan(s) >= df_schedule_critical_path(s, &crit, &ncrit) - 1e-6);
    free(job_of);
    free(reqs);
}

START_TEST(test_invariants)
{
    const char *rel = archives[_i];
    fixture f;

    open_fixture(&f, rel, 1);
    for (size_t v = 0; v < sizeof versions / sizeof versions[0]; v++)
        for (size_t w = 0; w < sizeof workers / sizeof workers[0]; w++) {
            char what[256];
            df_schedule *s = simulate(&f, versions[v], workers[w], NULL, 0, NULL);
            snprintf(what, sizeof what, "%s pg%d -j%d", rel, versions[v], workers[w]);
            check_invariants(&f, s, versions[v], what);
            df_schedule_free(s);
        }
    close_fixture(&f);
}
END_TEST

/* pg_restore 12+'s custom estimates recomputed: deltas between SET offsets in TOC order. */
static void expected_custom_estimates(const fixture *f, const size_t *toc, int64_t *est)
{
    size_t prev = SIZE_MAX;

    for (size_t i = 0; i < f->n; i++)
        est[i] = 0;
    for (size_t k = 0; k < f->n; k++) {
        const df_entry *e = df_reader_toc_at(f->r, toc[k]);
        if (e->offset_state != DF_OFFSET_SET)
            continue;
        if (prev != SIZE_MAX && e->data_offset > df_reader_toc_at(f->r, prev)->data_offset)
            est[prev] = e->data_offset - df_reader_toc_at(f->r, prev)->data_offset;
        prev = toc[k];
    }
    if (prev != SIZE_MAX)
        est[prev] = df_reader_header(f->r)->file_size - df_reader_toc_at(f->r, prev)->data_offset;
}

static void check_data_estimates(const fixture *f, const df_schedule *s, const int64_t *est)
{
    const df_sched_job *j;
    size_t nj = df_schedule_jobs(s, &j), checked = 0;

    for (size_t k = 0; k < nj; k++) {
        const df_entry *e = df_reader_toc_at(f->r, j[k].entry);
        if (!desc_is(e, "TABLE DATA"))
            continue;
        ck_assert_msg(j[k].estimate == est[j[k].entry], "dump id %d: estimate %lld, want %lld",
                      e->dump_id, (long long)j[k].estimate, (long long)est[j[k].entry]);
        ck_assert_int_eq(df_schedule_estimate(s, j[k].entry), est[j[k].entry]);
        checked++;
    }
    ck_assert_uint_gt(checked, 10);
}

START_TEST(test_custom_estimates)
{
    fixture f;
    size_t *toc, *list, nlist = 0, k = 0;
    int64_t *est;
    int show[4096];
    df_schedule *s;

    open_fixture(&f, "pg15/sample.custom.gzip.dump", 0);
    toc = malloc(f.n * sizeof *toc);
    list = malloc(f.n * sizeof *list);
    est = malloc(f.n * sizeof *est);
    for (size_t i = 0; i < f.n; i++)
        toc[i] = i;
    expected_custom_estimates(&f, toc, est);
    s = simulate(&f, 15, 2, NULL, 0, NULL);
    check_data_estimates(&f, s, est);
    /* a post-data entry on a table gets the estimate of the table's data */
    {
        const df_sched_job *j;
        size_t nj = df_schedule_jobs(s, &j);
        for (size_t m = 0; m < nj; m++) {
            const df_entry *e = df_reader_toc_at(f.r, j[m].entry);
            if (desc_is(e, "CONSTRAINT") && e->tag && strcmp(e->tag, "readings readings_pkey") == 0)
                for (size_t i = 0; i < f.n; i++)
                    if (desc_is(df_reader_toc_at(f.r, i), "TABLE DATA") &&
                        strcmp(df_reader_toc_at(f.r, i)->tag, "readings") == 0)
                        ck_assert_int_eq(j[m].estimate, est[i]);
        }
    }
    df_schedule_free(s);
    /* -L with the listed entries reversed: unlisted first, then the list, deltas over that */
    ck_assert_int_eq(df_list_selection(f.r, NULL, show, NULL), DF_OK);
    for (size_t i = f.n; i-- > 0;)
        if (show[i])
            list[nlist++] = i;
    for (size_t i = 0; i < f.n; i++)
        if (!show[i])
            toc[k++] = i;
    for (size_t m = 0; m < nlist; m++)
        toc[k++] = list[m];
    expected_custom_estimates(&f, toc, est);
    s = simulate(&f, 15, 2, list, nlist, NULL);
    check_data_estimates(&f, s, est);
    df_schedule_free(s);
    free(toc);
    free(list);
    free(est);
    close_fixture(&f);
}
END_TEST

START_TEST(test_directory_estimates)
{
    fixture f;
    df_schedule *s;
    const df_sched_job *j;
    size_t nj, checked = 0;
    char dir[4096];

    open_fixture(&f, "pg15/sample.dir.gzip", 0);
    dft_path(dir, sizeof dir, "pg15/sample.dir.gzip");
    s = simulate(&f, 16, 3, NULL, 0, NULL);
    nj = df_schedule_jobs(s, &j);
    for (size_t k = 0; k < nj; k++) {
        const df_entry *e = df_reader_toc_at(f.r, j[k].entry);
        char path[8192];
        struct stat st;
        if (!desc_is(e, "TABLE DATA") && !desc_is(e, "BLOBS"))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->filename);
        if (stat(path, &st) != 0) {
            snprintf(path, sizeof path, "%s/%s.gz", dir, e->filename);
            ck_assert_int_eq(stat(path, &st), 0);
        }
        ck_assert_int_eq(j[k].estimate, (int64_t)st.st_size * (desc_is(e, "BLOBS") ? 1024 : 1));
        checked++;
    }
    ck_assert_uint_gt(checked, 10);
    df_schedule_free(s);
    /* before 12 there are no estimates at all */
    s = simulate(&f, 11, 3, NULL, 0, NULL);
    nj = df_schedule_jobs(s, &j);
    for (size_t k = 0; k < nj; k++)
        ck_assert_int_eq(j[k].estimate, 0);
    df_schedule_free(s);
    close_fixture(&f);
}
END_TEST

/* The first job each worker gets is the largest-estimate entry ready at that moment. */
START_TEST(test_largest_first)
{
    fixture f;
    df_schedule *s;
    const df_sched_job *j;
    size_t nj, first = SIZE_MAX;
    int64_t max_data = 0;

    open_fixture(&f, "pg15/sample.custom.gzip.dump", 0);
    for (int pg = 12; pg <= 18; pg += 6) {
        s = simulate(&f, pg, 2, NULL, 0, NULL);
        nj = df_schedule_jobs(s, &j);
        for (size_t k = 0; k < nj; k++) {
            if (j[k].worker >= 0 && first == SIZE_MAX)
                first = k;
            if (desc_is(df_reader_toc_at(f.r, j[k].entry), "TABLE DATA") &&
                j[k].estimate > max_data)
                max_data = j[k].estimate;
        }
        ck_assert_uint_ne(first, SIZE_MAX);
        ck_assert_int_eq(j[first].estimate, max_data);
        ck_assert(desc_is(df_reader_toc_at(f.r, j[first].entry), "TABLE DATA"));
        df_schedule_free(s);
        first = SIZE_MAX;
    }
    close_fixture(&f);
}
END_TEST

START_TEST(test_cpu_sharing)
{
    fixture f;
    df_cost_model m;
    df_schedule *s1, *s4;

    open_fixture(&f, "pg15/sample.custom.gzip.dump", 1);
    df_cost_model_default(&m);
    m.cpus = 64;
    s1 = simulate(&f, 15, 1, NULL, 0, &m);
    s4 = simulate(&f, 15, 4, NULL, 0, &m);
    ck_assert(df_schedule_makespan(s4) < df_schedule_makespan(s1));
    df_schedule_free(s4);
    /* one CPU: four workers share it, the work takes as long (plus the extra connection) */
    m.cpus = 1;
    m.job_cpus = 1;
    s4 = simulate(&f, 15, 4, NULL, 0, &m);
    ck_assert(df_schedule_makespan(s4) >= df_schedule_makespan(s1) - m.connect * 2);
    df_schedule_free(s4);
    df_schedule_free(s1);
    close_fixture(&f);
}
END_TEST

/*
 * Sizes that make every TABLE DATA a few seconds of work and the archive's
 * last one by far the biggest: restored in archive order by a FIFO ready
 * list, the big one starts only when the others are done.
 */
static size_t make_last_table_huge(fixture *f)
{
    size_t last = SIZE_MAX;

    for (size_t i = 0; i < f->n; i++)
        if (desc_is(df_reader_toc_at(f->r, i), "TABLE DATA")) {
            f->sizes[i].bytes = 200000000;
            f->sizes[i].rows = 1000; /* wide rows: cheap indexes */
            last = i;
        }
    ck_assert_uint_ne(last, SIZE_MAX);
    f->sizes[last].bytes = 2000000000;
    f->sizes[last].rows = 20000000;
    return last;
}

/* Plenty of CPUs: the results must not depend on the machine that runs the test. */
static const df_cost_model *many_cpus(void)
{
    static df_cost_model m;

    df_cost_model_default(&m);
    m.cpus = 64;
    return &m;
}

static double makespan_of(const fixture *f, int pg, int nw, const size_t *order, size_t n)
{
    df_schedule *s = simulate(f, pg, nw, order, n, many_cpus());
    double t = df_schedule_makespan(s);

    df_schedule_free(s);
    return t;
}

static size_t listed_in_toc_order(const fixture *f, size_t *order)
{
    int show[4096];
    size_t n = 0;

    ck_assert_int_eq(df_list_selection(f->r, NULL, show, NULL), DF_OK);
    for (size_t i = 0; i < f->n; i++)
        if (show[i])
            order[n++] = i;
    return n;
}

START_TEST(test_best_order_fifo)
{
    fixture f;
    size_t order[4096], best[4096], n, huge, first_data = SIZE_MAX;
    df_schedule_options o;
    double t;
    df_error err;

    open_fixture(&f, "pg15/sample.custom.gzip.dump", 1);
    huge = make_last_table_huge(&f);
    n = listed_in_toc_order(&f, order);
    df_schedule_options_default(&o);
    o.workers = 2;
    o.pg_restore_version = 11;
    o.cost = many_cpus();
    ck_assert_int_eq(df_schedule_best_order(f.r, f.g, f.sizes, order, n, &o, best, &t, &err),
                     DF_OK);
    /* FIFO in list order: put last, the huge table starts late; the new order starts it first */
    ck_assert(t < makespan_of(&f, 11, 2, order, n) * 0.9);
    ck_assert(t == makespan_of(&f, 11, 2, best, n));
    for (size_t k = 0; k < n && first_data == SIZE_MAX; k++)
        if (desc_is(df_reader_toc_at(f.r, best[k]), "TABLE DATA"))
            first_data = best[k];
    ck_assert_uint_eq(first_data, huge);
    /* the same entries, every one after what it needs */
    {
        df_order_issue *is;
        size_t nis;
        ck_assert_int_eq(df_order_check(f.g, best, n, &is, &nis, NULL), DF_OK);
        ck_assert_uint_eq(nis, 0);
        free(is);
    }
    close_fixture(&f);
}
END_TEST

START_TEST(test_best_order_keeps_offsets)
{
    fixture f;
    size_t order[4096], best[4096], n;
    df_schedule_options o;
    int64_t last_off = -1;
    double t;
    df_error err;

    open_fixture(&f, "pg15/sample.custom.gzip.dump", 1);
    make_last_table_huge(&f);
    n = listed_in_toc_order(&f, order);
    df_schedule_options_default(&o);
    o.workers = 2;
    o.pg_restore_version = 15;
    o.cost = many_cpus();
    ck_assert_int_eq(df_schedule_best_order(f.r, f.g, f.sizes, order, n, &o, best, &t, &err),
                     DF_OK);
    ck_assert(t <= makespan_of(&f, 15, 2, order, n));
    /* data blocks stay in file order, so pg_restore's offset deltas stay right */
    for (size_t k = 0; k < n; k++) {
        const df_entry *e = df_reader_toc_at(f.r, best[k]);
        if (e->offset_state != DF_OFFSET_SET)
            continue;
        ck_assert(e->data_offset > last_off);
        last_off = e->data_offset;
    }
    close_fixture(&f);
}
END_TEST

/* A given order with data out of file order is never kept for pg_restore 12+ (custom). */
START_TEST(test_best_order_repairs_data_order)
{
    fixture f;
    size_t order[4096], best[4096], n, first = SIZE_MAX, last = SIZE_MAX;
    df_schedule_options o;
    int64_t last_off = -1;
    double t;
    df_error err;

    open_fixture(&f, "pg15/sample.custom.gzip.dump", 1);
    n = listed_in_toc_order(&f, order);
    for (size_t k = 0; k < n; k++)
        if (df_reader_toc_at(f.r, order[k])->offset_state == DF_OFFSET_SET) {
            if (first == SIZE_MAX)
                first = k;
            last = k;
        }
    ck_assert(first != SIZE_MAX && last > first);
    { /* swap the first and the last data entries: the same entries, estimates now wrong */
        size_t tmp = order[first];
        order[first] = order[last];
        order[last] = tmp;
    }
    df_schedule_options_default(&o);
    o.workers = 2;
    o.pg_restore_version = 15;
    ck_assert_int_eq(df_schedule_best_order(f.r, f.g, f.sizes, order, n, &o, best, &t, &err),
                     DF_OK);
    ck_assert(t > 0 && t < 1e12);
    for (size_t k = 0; k < n; k++) {
        const df_entry *e = df_reader_toc_at(f.r, best[k]);
        if (e->offset_state != DF_OFFSET_SET)
            continue;
        ck_assert(e->data_offset > last_off);
        last_off = e->data_offset;
    }
    /* pg_restore 11 has no estimates: the given order may stay */
    o.pg_restore_version = 11;
    ck_assert_int_eq(df_schedule_best_order(f.r, f.g, f.sizes, order, n, &o, best, &t, &err),
                     DF_OK);
    close_fixture(&f);
}
END_TEST

START_TEST(test_serial)
{
    fixture f;
    df_schedule *s;
    const df_sched_job *j;
    size_t nj;

    open_fixture(&f, "pg15/sample.tar", 1);
    s = simulate(&f, 15, 4, NULL, 0, NULL); /* tar: pg_restore cannot go parallel */
    nj = df_schedule_jobs(s, &j);
    ck_assert_uint_gt(nj, 100);
    for (size_t k = 0; k < nj; k++) {
        ck_assert_int_eq(j[k].worker, -1);
        if (k > 0)
            ck_assert(j[k].start >= j[k - 1].end - EPS);
    }
    df_schedule_free(s);
    close_fixture(&f);
}
END_TEST

START_TEST(test_sizes)
{
    fixture f;
    int64_t stored = 0;
    size_t readings = SIZE_MAX;

    open_fixture(&f, "pg15/sample.custom.none.dump", 1);
    for (size_t i = 0; i < f.n; i++) {
        const df_entry *e = df_reader_toc_at(f.r, i);
        if (e->offset_state == DF_OFFSET_SET) {
            ck_assert_int_gt(f.sizes[i].stored, 0);
            ck_assert_int_ge(f.sizes[i].bytes, 0);
            stored += f.sizes[i].stored;
        } else {
            ck_assert_int_eq(f.sizes[i].stored, -1);
        }
        if (desc_is(e, "TABLE DATA") && strcmp(e->tag, "readings") == 0)
            readings = i;
    }
    ck_assert_uint_ne(readings, SIZE_MAX);
    ck_assert_int_eq(f.sizes[readings].rows, 20000);
    /* uncompressed: its bytes plus framing (pg_dump -Z0 writes a chunk per row) */
    ck_assert_int_ge(f.sizes[readings].stored, f.sizes[readings].bytes);
    ck_assert_int_lt(f.sizes[readings].stored, f.sizes[readings].bytes + 8 * 20000 + 4096);
    ck_assert_int_le(stored, df_reader_header(f.r)->file_size);
    close_fixture(&f);
}
END_TEST

/* Sizes that claim bytes the file does not have are damage, found without reading data. */
START_TEST(test_sizes_damaged)
{
    static const struct {
        const char *rel;
        int code;
    } bad[] = {
        {"damaged/pg18-sample.custom.gzip.trunc-chunk.dump", DF_E_TRUNCATED},
        {"damaged/pg16-sample.custom.lz4.trunc-chunk.dump", DF_E_TRUNCATED},
        {"damaged/pg18-sample.dir.gzip.missing-datafile", DF_E_NOTFOUND},
    };

    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char path[4096];
        df_reader *r = df_reader_new(NULL);
        df_entry_size *sizes;
        df_error err;

        ck_assert_int_eq(df_reader_open_path(r, dft_path(path, sizeof path, bad[k].rel)), DF_OK);
        sizes = calloc(df_reader_toc_count(r) + 1, sizeof *sizes);
        ck_assert_int_eq(df_restore_sizes(r, 0, sizes, NULL, NULL, &err), bad[k].code);
        ck_assert_msg(strstr(df_reader_error(r)->message, "the archive is damaged") != NULL, "%s",
                      df_reader_error(r)->message);
        ck_assert_str_eq(err.message, df_reader_error(r)->message); /* the convention: err too */
        free(sizes);
        df_reader_free(r);
    }
}
END_TEST

START_TEST(test_cost_model)
{
    df_cost_model m;
    const char *const *names = df_cost_model_names();
    size_t k = 0;

    df_cost_model_default(&m);
    ck_assert(m.cpus >= 1);
    for (; names[k] != NULL; k++)
        ck_assert_int_eq(df_cost_model_set(&m, names[k], 0.5, NULL), DF_OK);
    /* every field after the leading size is a double with a name */
    ck_assert_uint_eq(k, (sizeof m - offsetof(df_cost_model, connect)) / sizeof(double));
    ck_assert_uint_eq(m.size, sizeof m); /* setting by name leaves the size alone */
    ck_assert(m.copy_byte == 0.5 && m.job_cpus == 0.5);
    ck_assert_int_eq(df_cost_model_set(&m, "no_such_thing", 1, NULL), DF_E_USAGE);
    ck_assert_int_eq(df_cost_model_set(&m, "copy_byte", -1, NULL), DF_E_USAGE);
}
END_TEST

static Suite *schedule_suite(void)
{
    Suite *s = suite_create("schedule");
    TCase *tc = tcase_create("simulator");

    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_invariants, 0, N_ARCHIVES);
    tcase_add_test(tc, test_custom_estimates);
    tcase_add_test(tc, test_directory_estimates);
    tcase_add_test(tc, test_largest_first);
    tcase_add_test(tc, test_cpu_sharing);
    tcase_add_test(tc, test_best_order_fifo);
    tcase_add_test(tc, test_best_order_keeps_offsets);
    tcase_add_test(tc, test_best_order_repairs_data_order);
    tcase_add_test(tc, test_serial);
    tcase_add_test(tc, test_sizes);
    tcase_add_test(tc, test_cost_model);
    tcase_add_test(tc, test_sizes_damaged);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(schedule_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
