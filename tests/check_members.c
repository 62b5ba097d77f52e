/*
 * check_members.c — the files and members an archive is made of, when they
 * are not what pg_dump wrote (issue 10): a directory archive whose data file
 * or toc.dat is a FIFO, a symbolic link to a FIFO, to /dev/zero or to a file
 * outside the directory (each must fail at once, naming the member, not
 * block: every such test runs under a 10 s Check timeout), --follow-symlinks
 * (df_reader_set_follow_symlinks and df_verify_options.follow_symlinks), and
 * a tar archive of 100,000 large objects that must be read in linear time
 * (the reader once rescanned every member seen for each one: quadratic).
 */
#include "check_util.h"
#include "corpus_util.h"
#include "dumpfmt.h"

#include <check.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Directory archives with odd members                                 */
/* ------------------------------------------------------------------ */

/* A copy of a corpus directory archive (uncompressed, with LOs) in a fresh temporary directory. */
static char *copy_dir_archive(void)
{
    char src[4096], *dir = strdup("/tmp/check_members.XXXXXX"), dst[4200];

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(dst, sizeof dst, "%s/d", dir);
    ck_assert_int_eq(mkdir(dst, 0700), 0);
    ck_assert_int_eq(dft_copy_dir(dft_path(src, sizeof src, "pg15/sample.dir.none"), dst), 0);
    return dir;
}

/* Remove what copy_dir_archive and make_member made (dft_remove_dir does one level). */
static void remove_archive(char *dir)
{
    char d[4200];

    snprintf(d, sizeof d, "%s/d", dir);
    dft_remove_dir(d);
    dft_remove_dir(dir);
    free(dir);
}

/* The first TABLE DATA entry's file name (its data file in the archive). */
static char *first_data_file(const char *archive)
{
    df_reader *r = df_reader_new(NULL);
    char *name = NULL;

    ck_assert_int_eq(df_reader_open_path(r, archive), DF_OK);
    for (size_t i = 0; i < df_reader_toc_count(r) && name == NULL; i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        if (e->desc && strcmp(e->desc, "TABLE DATA") == 0 && e->filename && e->filename[0])
            name = strdup(e->filename);
    }
    df_reader_free(r);
    ck_assert_ptr_nonnull(name);
    return name;
}

enum { M_FIFO, M_LINK_FIFO, M_LINK_ZERO, M_LINK_OUTSIDE, M_LINK_INSIDE, M_NKINDS };
/* Kinds that are symbolic links out of the directory: refused unless followed. */
#define OUTSIDE(k) ((k) == M_LINK_ZERO || (k) == M_LINK_OUTSIDE)
static const char *const kind_name[] = {"a FIFO", "a symlink to a FIFO", "a symlink to /dev/zero",
                                        "a symlink to a file outside", "a symlink inside"};

/* Replace dir/d/member by `kind`; the original goes to dir/moved (outside d). */
static void make_member(const char *dir, const char *member, int kind)
{
    char path[4200], moved[4200], fifo[4200];

    snprintf(path, sizeof path, "%s/d/%s", dir, member);
    snprintf(moved, sizeof moved, "%s/moved", dir);
    ck_assert_int_eq(rename(path, moved), 0);
    switch (kind) {
    case M_FIFO: ck_assert_int_eq(mkfifo(path, 0600), 0); break;
    case M_LINK_FIFO: /* inside the directory: the link itself is allowed */
        snprintf(fifo, sizeof fifo, "%s/d/fifo", dir);
        ck_assert_int_eq(mkfifo(fifo, 0600), 0);
        ck_assert_int_eq(symlink("fifo", path), 0);
        break;
    case M_LINK_ZERO: ck_assert_int_eq(symlink("/dev/zero", path), 0); break;
    case M_LINK_OUTSIDE: ck_assert_int_eq(symlink("../moved", path), 0); break;
    case M_LINK_INSIDE: {
        char inside[4200];
        snprintf(inside, sizeof inside, "%s/d/moved.here", dir);
        ck_assert_int_eq(rename(moved, inside), 0);
        ck_assert_int_eq(symlink("moved.here", path), 0);
        break;
    }
    }
}

/* Open dir/d and read every entry's data; the first failure (DF_OK if none) and its error. */
static int read_archive(const char *dir, int follow, df_error *err)
{
    char path[4200];
    df_reader *r = df_reader_new(NULL);
    int rc;

    snprintf(path, sizeof path, "%s/d", dir);
    df_reader_set_follow_symlinks(r, follow);
    rc = df_reader_open_path(r, path);
    for (size_t i = 0; rc == DF_OK && i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        if (df_entry_has_data(e))
            rc = df_reader_measure(r, e, NULL, NULL, NULL);
    }
    *err = *df_reader_error(r);
    df_reader_free(r);
    return rc;
}

/* The first finding of dumpcheck's verifier with this code, or NULL (copied into *out). */
static int verify_has(const char *dir, int follow, const char *code, df_finding *out,
                      int *verdict)
{
    char path[4200];
    df_verify_options o;
    df_verify *v = NULL;
    int found = 0;

    snprintf(path, sizeof path, "%s/d", dir);
    df_verify_options_default(&o);
    o.follow_symlinks = follow;
    ck_assert_int_eq(df_verify_path(path, &o, &v, NULL), DF_OK);
    *verdict = df_verify_get_summary(v)->verdict;
    for (size_t i = 0; i < df_verify_count(v) && !found; i++) {
        const df_finding *f = df_verify_finding(v, i);
        if (strcmp(f->code, code) == 0) {
            found = 1;
            *out = *f;
            out->message = NULL; /* borrowed from v */
            out->member = NULL;
        }
    }
    df_verify_free(v);
    return found;
}

/* A data file that is not a regular file, or resolves outside: an error naming it, no hang. */
START_TEST(test_data_file_kinds)
{
    char *dir = copy_dir_archive(), path[4200];
    char *member;
    df_error err;
    int rc;

    snprintf(path, sizeof path, "%s/d", dir);
    member = first_data_file(path);
    make_member(dir, member, _i);
    rc = read_archive(dir, 0, &err);
    if (_i == M_LINK_INSIDE) {
        ck_assert_msg(rc == DF_OK, "%s: %s", kind_name[_i], err.message);
    } else {
        ck_assert_msg(rc == (OUTSIDE(_i) ? DF_E_IO : DF_E_CORRUPT), "%s: %s (%s)", kind_name[_i],
                      df_strstatus(rc), err.message);
        ck_assert_str_eq(err.member, member);
        ck_assert_msg(strstr(err.message, OUTSIDE(_i) ? "outside the archive directory"
                                                      : "is not a regular file") != NULL,
                      "%s: %s", kind_name[_i], err.message);
    }
    /* --follow-symlinks reads a link outside, but never a FIFO or a device through a link */
    rc = read_archive(dir, 1, &err);
    ck_assert_msg(rc == (_i == M_LINK_INSIDE || _i == M_LINK_OUTSIDE ? DF_OK : DF_E_CORRUPT),
                  "%s, following: %s (%s)", kind_name[_i], df_strstatus(rc), err.message);
    remove_archive(dir);
    free(member);
}
END_TEST

/* dumpcheck's verifier says what the member is, never "missing-file", and does not hang. */
START_TEST(test_verify_data_file_kinds)
{
    char *dir = copy_dir_archive(), path[4200];
    char *member;
    df_finding f;
    int verdict;

    snprintf(path, sizeof path, "%s/d", dir);
    member = first_data_file(path);
    make_member(dir, member, _i);
    ck_assert_msg(!verify_has(dir, 0, DF_FIND_MISSING_FILE, &f, &verdict), "%s: missing-file",
                  kind_name[_i]);
    if (OUTSIDE(_i)) {
        ck_assert(verify_has(dir, 0, DF_FIND_UNREADABLE, &f, &verdict));
        ck_assert_int_eq(verdict, DF_VERDICT_UNKNOWN);
        ck_assert(!verify_has(dir, 1, DF_FIND_UNREADABLE, &f, &verdict));
        ck_assert_int_eq(verify_has(dir, 1, DF_FIND_NOT_REGULAR_FILE, &f, &verdict),
                         _i == M_LINK_ZERO);
    } else if (_i == M_LINK_INSIDE) {
        ck_assert(!verify_has(dir, 0, DF_FIND_UNREADABLE, &f, &verdict));
        ck_assert(!verify_has(dir, 0, DF_FIND_NOT_REGULAR_FILE, &f, &verdict));
    } else {
        ck_assert_msg(verify_has(dir, 0, DF_FIND_NOT_REGULAR_FILE, &f, &verdict), "%s",
                      kind_name[_i]);
        ck_assert_int_eq(f.severity, DF_SEVERITY_ERROR);
        ck_assert_int_eq(verdict, DF_VERDICT_DAMAGED);
        ck_assert(verify_has(dir, 1, DF_FIND_NOT_REGULAR_FILE, &f, &verdict));
    }
    remove_archive(dir);
    free(member);
}
END_TEST

/* toc.dat itself, and a large object's file, as a FIFO or a link to /dev/zero. */
START_TEST(test_toc_and_lo_file_kinds)
{
    const char *members[] = {"toc.dat", "toc.dat", "blob_910003.dat", "blob_910003.dat"};
    const int kinds[] = {M_FIFO, M_LINK_ZERO, M_FIFO, M_LINK_ZERO};
    char *dir = copy_dir_archive();
    df_error err;
    df_finding f;
    int rc, verdict;

    make_member(dir, members[_i], kinds[_i]);
    rc = read_archive(dir, 0, &err);
    ck_assert_msg(rc == DF_E_CORRUPT || rc == DF_E_IO, "%s as %s: %s (%s)", members[_i],
                  kind_name[kinds[_i]], df_strstatus(rc), err.message);
    ck_assert_msg(strstr(err.message, members[_i]) != NULL, "%s", err.message);
    if (_i >= 2)
        ck_assert_msg(verify_has(dir, 1, DF_FIND_NOT_REGULAR_FILE, &f, &verdict), "%s",
                      members[_i]);
    else
        ck_assert_int_ne(verify_has(dir, 1, DF_FIND_MISSING_FILE, &f, &verdict), 1);
    remove_archive(dir);
}
END_TEST

/* ------------------------------------------------------------------ */
/* A tar archive of 100,000 large objects                              */
/* ------------------------------------------------------------------ */

#define N_LOS 100000
#define FIRST_OID 100001u
/* CPU seconds for reading it: linear takes a fraction (ASan included), quadratic took 4+ s. */
#define MAX_LO_CPU 1.5

typedef struct mw {
    FILE *f;
    char *buf;
    size_t len;
} mw;

static void w_byte(mw *w, int b) { putc(b & 0xff, w->f); }

/* INT of a 1.16 archive: sign byte + 4 bytes LSB first. */
static void w_int(mw *w, int64_t v)
{
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    w_byte(w, v < 0);
    for (int i = 0; i < 4; i++)
        w_byte(w, (int)(m >> (8 * i)));
}

static void w_str(mw *w, const char *s)
{
    if (s == NULL) {
        w_int(w, -1);
        return;
    }
    w_int(w, (int64_t)strlen(s));
    fwrite(s, 1, strlen(s), w->f);
}

/* One TOC entry in the 1.16 layout, with the tar/directory filename extra. */
static void w_entry_copy(mw *w, int id, int dumper, const char *tag, const char *desc, int section,
                         const char *defn, const char *copy, const char *filename)
{
    w_int(w, id);
    w_int(w, dumper);
    w_str(w, "0");
    w_str(w, "0");
    w_str(w, tag);
    w_str(w, desc);
    w_int(w, section);
    w_str(w, defn);
    w_str(w, NULL);
    w_str(w, copy);
    w_str(w, copy ? "public" : NULL);
    w_str(w, NULL);
    w_str(w, NULL);
    w_int(w, 0);
    w_str(w, "postgres");
    w_str(w, "false");
    w_str(w, NULL); /* no dependencies */
    w_str(w, filename);
}

static void w_entry(mw *w, int id, int dumper, const char *tag, const char *desc, int section,
                    const char *defn, const char *filename)
{
    w_entry_copy(w, id, dumper, tag, desc, section, defn, NULL, filename);
}

/* Header of a 1.16 archive with format byte 3 (tar), no compression. */
static void w_header(mw *w)
{
    fwrite("PGDMP", 1, 5, w->f);
    for (int i = 0; i < 6; i++)
        w_byte(w, (int[]){1, 16, 0, 4, 8, 3}[i]);
    w_byte(w, 0);
    for (int i = 0; i < 7; i++)
        w_int(w, (int[]){30, 5, 0, 24, 10, 126, 0}[i]);
    w_str(w, "members");
    w_str(w, "18.3");
    w_str(w, "18.3");
}

/* toc.dat of a 1.16 tar archive: ENCODING and one BLOBS entry for the group. */
static char *lo_toc(size_t *len)
{
    mw w;
    char tag[32];

    w.f = open_memstream(&w.buf, &w.len);
    w_header(&w);
    w_int(&w, 2);
    w_entry(&w, 1, 0, "ENCODING", "ENCODING", DF_SECTION_PRE_DATA,
            "SET client_encoding = 'UTF8';\n", "");
    snprintf(tag, sizeof tag, "%u..%u", FIRST_OID, FIRST_OID + N_LOS - 1);
    w_entry(&w, 9, 1, tag, "BLOBS", DF_SECTION_DATA, NULL, "blobs_9.toc");
    fclose(w.f);
    *len = w.len;
    return w.buf;
}

static void tar_member(FILE *f, const char *name, const void *data, size_t len)
{
    uint8_t h[512] = {0}, pad[512] = {0};
    unsigned sum = 0;

    snprintf((char *)h, 100, "%s", name);
    memcpy(h + 100, "0000600", 8);
    memcpy(h + 108, "0004000", 8);
    memcpy(h + 116, "0002000", 8);
    snprintf((char *)h + 124, 12, "%011zo", len);
    memcpy(h + 136, "15000000000", 12);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    fwrite(h, 1, 512, f);
    fwrite(data, 1, len, f);
    fwrite(pad, 1, (512 - len % 512) % 512, f);
}

/* The archive, as pg_dump -Ft writes one: toc.dat, blob_<oid>.dat..., blobs_9.toc, restore.sql. */
static char *build_lo_tar(void)
{
    static char path[64];
    uint8_t zero[1024] = {0};
    size_t tlen;
    char *toc = lo_toc(&tlen), name[64];
    int fd;
    FILE *f;

    snprintf(path, sizeof path, "/tmp/check_members_tar.XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "wb");
    ck_assert_ptr_nonnull(f);
    tar_member(f, "toc.dat", toc, tlen);
    for (unsigned k = 0; k < N_LOS; k++) { /* empty but every 1000th: 51 MB, not 102 */
        char byte = (char)('a' + k % 26);
        snprintf(name, sizeof name, "blob_%u.dat", FIRST_OID + k);
        tar_member(f, name, &byte, k % 1000 == 0);
    }
    tar_member(f, "blobs_9.toc", "", 0);
    tar_member(f, "restore.sql", "--\n", 3);
    fwrite(zero, 1, sizeof zero, f);
    ck_assert_int_eq(fclose(f), 0);
    free(toc);
    return path;
}

static double cpu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read every LO through the reader: the OIDs in order, the contents; CPU seconds taken. */
static double read_los(const char *path)
{
    df_reader *r = df_reader_new(NULL);
    const df_entry *blobs;
    uint32_t oid, expect = FIRST_OID;
    uint8_t buf[16];
    int64_t count = 0;
    double t0 = cpu_now();
    int rc;

    ck_assert_int_eq(df_reader_open_path(r, path), DF_OK);
    blobs = df_reader_find(r, 9);
    ck_assert_ptr_nonnull(blobs);
    ck_assert_int_eq(df_reader_open_data(r, blobs), DF_OK);
    while ((rc = df_reader_next_lo(r, &oid)) == DF_OK) {
        int64_t n = df_reader_read_data(r, buf, sizeof buf);
        if (oid != expect || n != (count % 1000 == 0) || (n == 1 && buf[0] != 'a' + count % 26))
            ck_abort_msg("large object %lld: OID %u (want %u), %lld bytes", (long long)count, oid,
                         expect, (long long)n);
        expect++;
        count++;
    }
    ck_assert_int_eq(rc, DF_EOF);
    ck_assert_int_eq(count, N_LOS);
    df_reader_free(r);
    return cpu_now() - t0;
}

/* The reader, then the verifier's own tar walk: both linear in the number of members. */
START_TEST(test_tar_many_los_linear)
{
    char *path = build_lo_tar();
    df_verify *v = NULL;
    double t_read = read_los(path), t_verify = cpu_now();

    ck_assert_int_eq(df_verify_path(path, NULL, &v, NULL), DF_OK);
    t_verify = cpu_now() - t_verify;
    ck_assert_int_eq(df_verify_get_summary(v)->large_objects, N_LOS);
    df_verify_free(v);
    unlink(path);
    ck_assert_msg(t_read < MAX_LO_CPU, "reading %d large objects took %.2f s of CPU (quadratic?)",
                  N_LOS, t_read);
    ck_assert_msg(t_verify < 2 * MAX_LO_CPU, "verifying %d large objects took %.2f s of CPU", N_LOS,
                  t_verify);
}
END_TEST

#define N_TABLES 50000

/* A tar archive of N_TABLES tables with one COPY row each: toc.dat, <id>.dat..., restore.sql. */
static char *build_table_tar(void)
{
    static char path[64];
    static const char rows[] = "1\n\\.\n\n\n";
    uint8_t zero[1024] = {0};
    char name[64], tag[32];
    mw w;
    int fd;
    FILE *f;

    w.f = open_memstream(&w.buf, &w.len);
    w_header(&w);
    w_int(&w, N_TABLES);
    for (int k = 0; k < N_TABLES; k++) {
        snprintf(tag, sizeof tag, "t%d", k);
        snprintf(name, sizeof name, "%d.dat", 10 + k);
        w_entry_copy(&w, 10 + k, 1, tag, "TABLE DATA", DF_SECTION_DATA, "",
                     "COPY public.t (a) FROM stdin;\n", name);
    }
    fclose(w.f);
    snprintf(path, sizeof path, "/tmp/check_members_tables.XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "wb");
    ck_assert_ptr_nonnull(f);
    tar_member(f, "toc.dat", w.buf, w.len);
    for (int k = 0; k < N_TABLES; k++) {
        snprintf(name, sizeof name, "%d.dat", 10 + k);
        tar_member(f, name, rows, sizeof rows - 1);
    }
    tar_member(f, "restore.sql", "--\n", 3);
    fwrite(zero, 1, sizeof zero, f);
    ck_assert_int_eq(fclose(f), 0);
    free(w.buf);
    return path;
}

/* Every table's member found by name: by the reader and by the verifier, in linear time. */
START_TEST(test_tar_many_tables_linear)
{
    char *path = build_table_tar();
    df_reader *r = df_reader_new(NULL);
    df_verify *v = NULL;
    int64_t rows, total = 0;
    double t_read = cpu_now(), t_verify;

    ck_assert_int_eq(df_reader_open_path(r, path), DF_OK);
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        int rc = df_reader_measure(r, df_reader_toc_at(r, i), &rows, NULL, NULL);
        if (rc != DF_OK)
            ck_abort_msg("entry %zu: %s", i, df_reader_error(r)->message);
        total += rows;
    }
    t_read = cpu_now() - t_read;
    df_reader_free(r);
    ck_assert_int_eq(total, N_TABLES);
    t_verify = cpu_now();
    ck_assert_int_eq(df_verify_path(path, NULL, &v, NULL), DF_OK);
    t_verify = cpu_now() - t_verify;
    ck_assert_int_eq(df_verify_get_summary(v)->rows, N_TABLES);
    df_verify_free(v);
    unlink(path);
    ck_assert_msg(t_read < MAX_LO_CPU, "reading %d tables took %.2f s of CPU (quadratic?)",
                  N_TABLES, t_read);
    ck_assert_msg(t_verify < 2 * MAX_LO_CPU, "verifying %d tables took %.2f s of CPU (quadratic?)",
                  N_TABLES, t_verify);
}
END_TEST

static Suite *members_suite(void)
{
    Suite *s = suite_create("members");
    TCase *odd = tcase_create("odd-members");
    TCase *many = tcase_create("many-members");

    /* A regression blocks in open(2) or reads /dev/zero for ever: fail, do not hang. */
    tcase_set_timeout(odd, 10);
    tcase_add_loop_test(odd, test_data_file_kinds, 0, M_NKINDS);
    tcase_add_loop_test(odd, test_verify_data_file_kinds, 0, M_NKINDS);
    tcase_add_loop_test(odd, test_toc_and_lo_file_kinds, 0, 4);
    suite_add_tcase(s, odd);
    tcase_set_timeout(many, 120); /* wall: a busy CI machine; the CPU bounds above are the real test */
    tcase_add_test(many, test_tar_many_los_linear);
    tcase_add_test(many, test_tar_many_tables_linear);
    suite_add_tcase(s, many);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(members_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
