/*
 * check_progress.c — progress reporting: df_progress_format's line for known
 * and unknown totals (units, percent, rate, ETA, the entry's names, cutting),
 * and what df_reader_set_progress and df_verify_options.progress report
 * while the corpus is read: bytes of the file as stat() sees it (for a
 * compressed script the compressed file), no total from a pipe, the entry.
 */
#include "check_util.h"
#include "dumpfmt.h"

#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef DF_HAVE_ZLIB
#include <zlib.h>
#endif

#define MiB (1024.0 * 1024.0)

static df_entry orders(void)
{
    df_entry e;

    memset(&e, 0, sizeof e);
    e.desc = "TABLE DATA";
    e.schema = "public";
    e.tag = "orders";
    return e;
}

static const char *fmt(int64_t done, int64_t total, double rate, const df_entry *e)
{
    static char buf[256];
    df_progress p = {done, total, e};
    size_t n = df_progress_format(&p, rate, buf, sizeof buf);

    ck_assert_uint_eq(n, strlen(buf));
    return buf;
}

START_TEST(test_known_total)
{
    df_entry e = orders();

    ck_assert_str_eq(fmt(120 * (int64_t)MiB, 279 * (int64_t)MiB, 85 * MiB, &e),
                     "43% 120/279 MiB 85 MiB/s ETA 0:02 TABLE DATA public.orders");
    ck_assert_str_eq(fmt(120 * (int64_t)MiB, 279 * (int64_t)MiB, 0, &e),
                     "43% 120/279 MiB TABLE DATA public.orders");
    ck_assert_str_eq(fmt(1536, 4096, 0, NULL), "37% 1.5/4.0 KiB");
    ck_assert_str_eq(fmt(0, 10LL << 30, MiB, NULL), "0% 0.0/10 GiB 1.0 MiB/s ETA 2:50:40");
    ck_assert_str_eq(fmt(500, 700, 100, NULL), "71% 500/700 B 100 B/s ETA 0:02");
    /* a file that grew while it was read, an empty one */
    ck_assert_str_eq(fmt(900, 700, 0, NULL), "100% 700/700 B");
    ck_assert_str_eq(fmt(0, 0, 0, NULL), "100% 0/0 B");
}
END_TEST

START_TEST(test_unknown_total)
{
    df_entry e = orders();

    ck_assert_str_eq(fmt(120 * (int64_t)MiB, -1, 85 * MiB, &e),
                     "120 MiB 85 MiB/s TABLE DATA public.orders");
    ck_assert_str_eq(fmt(3 * (int64_t)MiB + 300 * 1024, -1, 0, NULL), "3.3 MiB");
    ck_assert_str_eq(fmt(0, -1, 0, NULL), "0 B");
}
END_TEST

START_TEST(test_entry_names)
{
    df_entry e = orders();

    e.tag = "a\nb\tc";
    ck_assert_str_eq(fmt(0, -1, 0, &e), "0 B TABLE DATA public.a b c");
    e.schema = NULL;
    e.desc = "BLOBS";
    e.tag = "BLOBS";
    ck_assert_str_eq(fmt(0, -1, 0, &e), "0 B BLOBS BLOBS");
    e.tag = NULL;
    ck_assert_str_eq(fmt(0, -1, 0, &e), "0 B BLOBS");
}
END_TEST

START_TEST(test_cut_to_fit)
{
    df_entry e = orders();
    df_progress p = {120 * (int64_t)MiB, 279 * (int64_t)MiB, &e};
    char small[12];

    ck_assert_uint_eq(df_progress_format(&p, 85 * MiB, small, sizeof small), 11);
    ck_assert_str_eq(small, "43% 120/279");
    ck_assert_uint_eq(df_progress_format(&p, 85 * MiB, small, 1), 0);
    ck_assert_str_eq(small, "");
}
END_TEST

/* What a callback saw. */
typedef struct seen {
    int calls;
    int64_t last_done, max_done, total;
    int mixed_totals, backwards, over, entries, bad_entries;
} seen;

static void on_progress(void *ctx, const df_progress *p)
{
    seen *s = ctx;

    if (s->calls > 0 && p->total != s->total)
        s->mixed_totals++;
    if (s->calls > 0 && p->done < s->last_done)
        s->backwards++;
    if (p->total >= 0 && p->done > p->total)
        s->over++;
    if (p->entry != NULL) {
        s->entries++;
        if (p->entry->desc == NULL)
            s->bad_entries++;
    }
    s->calls++;
    s->total = p->total;
    s->last_done = p->done;
    if (p->done > s->max_done)
        s->max_done = p->done;
}

static int64_t file_size(const char *path)
{
    struct stat st;

    ck_assert_int_eq(stat(path, &st), 0);
    return st.st_size;
}

/* Read every data stream of rel (df_restore_sizes) with a progress callback. */
static void read_all(const char *rel, seen *s)
{
    char path[4096];
    df_reader *r = df_reader_new(NULL);
    df_entry_size *sizes;

    memset(s, 0, sizeof *s);
    df_reader_set_progress(r, on_progress, s);
    ck_assert_int_eq(df_reader_open_path(r, dft_path(path, sizeof path, rel)), DF_OK);
    sizes = calloc(df_reader_toc_count(r) + 1, sizeof *sizes);
    ck_assert_int_eq(df_restore_sizes(r, 1, sizes, NULL, NULL, NULL), DF_OK);
    free(sizes);
    df_reader_free(r);
}

START_TEST(test_reader_file)
{
    static const char *const rels[] = {"pg18/sample.custom.gzip.dump", "pg18/sample.tar",
                                       "pg18/sample.plain.sql"};

    for (size_t i = 0; i < sizeof rels / sizeof rels[0]; i++) {
        char path[4096];
        seen s;

        read_all(rels[i], &s);
        ck_assert_msg(s.calls >= 1, "%s: no progress", rels[i]);
        ck_assert_int_eq(s.total, file_size(dft_path(path, sizeof path, rels[i])));
        ck_assert_int_eq(s.mixed_totals, 0);
        ck_assert_int_eq(s.backwards, 0);
        ck_assert_int_eq(s.over, 0);
        ck_assert_int_eq(s.bad_entries, 0);
        ck_assert_msg(s.entries >= 1, "%s: no entry named", rels[i]);
        ck_assert_msg(s.max_done > 0, "%s: nothing done", rels[i]);
    }
}
END_TEST

/* Directory: the total is the size of the TABLE DATA files, as stat() sees them. */
START_TEST(test_reader_directory)
{
    char path[4096];
    df_reader *r = df_reader_new(NULL);
    int64_t want = 0;
    seen s;

    ck_assert_int_eq(df_reader_open_path(r, dft_path(path, sizeof path, "pg18/sample.dir.gzip")),
                     DF_OK);
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        char f[4200];
        if (!df_entry_has_data(e) || df_entry_is_blobs(e) || e->filename == NULL)
            continue;
        snprintf(f, sizeof f, "%s/%s.gz", path, e->filename);
        want += file_size(f);
    }
    df_reader_free(r);
    read_all("pg18/sample.dir.gzip", &s);
    ck_assert_int_ge(s.calls, 1);
    ck_assert_int_eq(s.total, want);
    ck_assert_int_eq(s.over, 0);
    ck_assert_int_eq(s.backwards, 0);
}
END_TEST

/* A compressed script: percent of the compressed file, which is what is read. */
START_TEST(test_reader_compressed_plain)
{
#ifdef DF_HAVE_ZLIB
    char path[4096], gz[] = "/tmp/check_progress.XXXXXX";
    size_t len;
    char *text = dft_read_file(dft_path(path, sizeof path, "pg18/sample.plain.sql"), &len);
    int fd = mkstemp(gz);
    gzFile z;
    df_reader *r = df_reader_new(NULL);
    seen s;

    ck_assert_ptr_nonnull(text);
    ck_assert_int_ge(fd, 0);
    z = gzdopen(fd, "wb");
    ck_assert_int_eq(gzwrite(z, text, (unsigned)len), (int)len);
    ck_assert_int_eq(gzclose(z), Z_OK);
    memset(&s, 0, sizeof s);
    df_reader_set_progress(r, on_progress, &s);
    ck_assert_int_eq(df_reader_open_path(r, gz), DF_OK);
    ck_assert_int_eq(df_reader_header(r)->file_compression, DF_COMPRESS_GZIP);
    ck_assert_int_ge(s.calls, 1);
    ck_assert_int_eq(s.total, file_size(gz));
    ck_assert_int_lt(s.total, (int64_t)len);
    ck_assert_int_eq(s.over, 0);
    ck_assert_int_ge(s.entries, 1);
    df_reader_free(r);
    unlink(gz);
    free(text);
#endif
}
END_TEST

typedef struct feeder {
    int fd;
    char *data;
    size_t len;
} feeder;

static void *feed(void *arg)
{
    feeder *f = arg;
    size_t off = 0;

    while (off < f->len) {
        ssize_t w = write(f->fd, f->data + off, f->len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(f->fd);
    return NULL;
}

/* From a pipe there is no total: -1, and the bytes still count. */
START_TEST(test_reader_pipe)
{
    char path[4096];
    int fds[2];
    feeder f;
    pthread_t t;
    df_reader *r = df_reader_new(NULL);
    df_entry_size *sizes;
    seen s;

    memset(&s, 0, sizeof s);
    f.data = dft_read_file(dft_path(path, sizeof path, "pg18/sample.custom.gzip.dump"), &f.len);
    ck_assert_ptr_nonnull(f.data);
    ck_assert_int_eq(pipe(fds), 0);
    f.fd = fds[1];
    ck_assert_int_eq(pthread_create(&t, NULL, feed, &f), 0);
    df_reader_set_progress(r, on_progress, &s);
    ck_assert_int_eq(df_reader_open_fd(r, fds[0], "-"), DF_OK);
    sizes = calloc(df_reader_toc_count(r) + 1, sizeof *sizes);
    ck_assert_int_eq(df_restore_sizes(r, 1, sizes, NULL, NULL, NULL), DF_OK);
    ck_assert_int_ge(s.calls, 1);
    ck_assert_int_eq(s.total, -1);
    ck_assert_int_eq(s.mixed_totals, 0);
    ck_assert_int_gt(s.max_done, 0);
    ck_assert_int_le(s.max_done, (int64_t)f.len);
    free(sizes);
    df_reader_free(r);
    pthread_join(t, NULL);
    close(fds[0]);
    free(f.data);
}
END_TEST

/* df_verify: custom from a file, and a plain script (reported by its reader). */
START_TEST(test_verify)
{
    static const char *const rels[] = {"pg18/sample.custom.gzip.dump", "pg18/sample.plain.sql"};

    for (size_t i = 0; i < sizeof rels / sizeof rels[0]; i++) {
        char path[4096];
        df_verify_options o;
        df_verify *v = NULL;
        seen s;

        memset(&s, 0, sizeof s);
        df_verify_options_default(&o);
        o.progress = on_progress;
        o.progress_ctx = &s;
        ck_assert_int_eq(df_verify_path(dft_path(path, sizeof path, rels[i]), &o, &v, NULL), DF_OK);
        ck_assert_msg(s.calls >= 1, "%s: no progress", rels[i]);
        ck_assert_int_gt(s.total, 0);
        ck_assert_int_le(s.total, file_size(path));
        ck_assert_int_eq(s.over, 0);
        ck_assert_int_eq(s.bad_entries, 0);
        ck_assert_msg(s.entries >= 1, "%s: no entry named", rels[i]);
        df_verify_free(v);
    }
}
END_TEST

static Suite *progress_suite(void)
{
    Suite *s = suite_create("progress");
    TCase *tc = tcase_create("format");
    TCase *tr = tcase_create("reading");

    tcase_add_test(tc, test_known_total);
    tcase_add_test(tc, test_unknown_total);
    tcase_add_test(tc, test_entry_names);
    tcase_add_test(tc, test_cut_to_fit);
    suite_add_tcase(s, tc);
    tcase_add_test(tr, test_reader_file);
    tcase_add_test(tr, test_reader_directory);
    tcase_add_test(tr, test_reader_compressed_plain);
    tcase_add_test(tr, test_reader_pipe);
    tcase_add_test(tr, test_verify);
    suite_add_tcase(s, tr);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(progress_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
