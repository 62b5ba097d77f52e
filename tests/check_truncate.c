/*
 * check_truncate.c — the truncation sweep of design.md §6.2: every intact
 * custom and tar archive of the corpus is cut at every structure boundary
 * (header end, each TOC entry, each data block, chunk length, LO OID, tar
 * header, member data, 512-byte block) and at >= 200 seeded pseudo-random
 * offsets; directory archives get their toc.dat (also gzipped afterwards,
 * as toc.dat.gz) and single data files cut.  That is the thorough mode
 * (DF_TEST_FULL=1, make check-full).  make check's default cuts at every
 * header, data offset and tar member boundary too, but at every third TOC
 * entry's start (and the first and last four), at an evenly spread sample
 * of the walked blocks and chunks and of the tar 512-byte blocks (the first
 * and last ones always), at 64 random offsets per archive and 16 per
 * directory data file.
 * Each prefix is opened and ALL data of all entries read.  The result must
 * be a clean error (any DF_E_*) whose offset lies inside the cut file,
 * never a crash, a hang (alarm) or success -- except where the cut removed
 * only bytes no entry needs (tar: after the last data member; custom: the
 * TOC copy that 16+ appends to stdout dumps).  The intact file itself is a
 * positive control that must read cleanly.
 */
#include "check_util.h"
#include "corpus_util.h"
#include "dumpfmt.h"
#include "testhooks.h"

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <zlib.h>

#define RANDOM_CUTS 200
#define MAX_BOUNDARY_CUTS 250
/* make check's default sample (DF_TEST_FULL unset): see the comment at the top */
#define SAMPLE_RANDOM_CUTS 64
#define SAMPLE_BOUNDARY_CUTS 80
#define SAMPLE_TAR_BLOCKS 64
#define HANG_SECONDS 20

static dft_archives archives; /* custom and tar files */
static char work_dir[64];     /* every temp file lives here; main removes it, even after failures */
static char count_file[128];  /* cases run, one line per test (tests run in child processes) */

static void record_cases(const char *what, size_t n)
{
    FILE *f = fopen(count_file, "a");

    if (f != NULL) {
        fprintf(f, "%zu %s\n", n, what);
        fclose(f);
    }
}

/* ------------------------------------------------------------------ */
/* Cut lists                                                           */
/* ------------------------------------------------------------------ */

typedef struct cuts {
    int64_t *v;
    size_t n, cap;
} cuts;

static void cuts_add(cuts *c, int64_t off)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->v = realloc(c->v, c->cap * sizeof *c->v);
    }
    c->v[c->n++] = off;
}

static void cuts_add_cb(void *ctx, int64_t off)
{
    cuts_add(ctx, off);
}

static int cmp_desc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? 1 : x > y ? -1 : 0;
}

/* Sort descending, keep offsets in [0, size], drop duplicates. */
static void cuts_finish(cuts *c, int64_t size)
{
    size_t k = 0;

    qsort(c->v, c->n, sizeof *c->v, cmp_desc);
    for (size_t i = 0; i < c->n; i++) {
        if (c->v[i] < 0 || c->v[i] > size)
            continue;
        if (k > 0 && c->v[k - 1] == c->v[i])
            continue;
        c->v[k++] = c->v[i];
    }
    c->n = k;
}

/* Keep at most `max` of the offsets in `all`, evenly spread, into `c`. */
static void cuts_add_sampled(cuts *c, const cuts *all, size_t max)
{
    size_t step = all->n > max ? (all->n + max - 1) / max : 1;

    for (size_t i = 0; i < all->n; i += step)
        cuts_add(c, all->v[i]);
}

static void cuts_add_random(cuts *c, uint32_t seed, int64_t size, int n)
{
    for (int i = 0; i < n && size > 0; i++) {
        seed = seed * 1664525u + 1013904223u;
        cuts_add(c, (int64_t)(((uint64_t)seed << 16 ^ (uint64_t)(seed >> 7)) % (uint64_t)size));
    }
}

/* ------------------------------------------------------------------ */
/* One case                                                            */
/* ------------------------------------------------------------------ */

/* Open `path` and read all data; DF_OK or the first error, copied to *err. */
static int read_everything(const char *path, size_t io, df_error *err)
{
    df_reader *r = df_reader_new(NULL);
    dft_result res;
    int rc;

    df_reader_set_io_size(r, io);
    rc = df_reader_open_path(r, path);
    *err = *df_reader_error(r);
    if (rc == DF_OK) {
        rc = dft_read_all(r, 65536, 1, &res);
        if (rc != DF_OK)
            *err = res.err;
        dft_result_free(&res);
    }
    df_reader_free(r);
    return rc;
}

static const char *const known_codes_msg = "a DF_E_* code";

static int is_df_error(int rc)
{
    return rc <= DF_E_IO && rc >= DF_E_NOTFOUND;
}

/*
 * Cut the archive at each offset of `c` (descending, so the temp file is
 * truncated in place) and check the verdict.  Cuts >= ok_from may succeed.
 */
/*
 * An error's member must be "" (offset in the archive file) or, in a tar
 * archive, a member whose header or data holds the offset (archive-relative)
 * or at least as long as the offset (member-relative).
 */
static int member_consistent(const df_error *err, const dft_tar_member *m, size_t nm)
{
    if (err->member[0] == '\0')
        return 1;
    for (size_t i = 0; i < nm; i++)
        if (strcmp(m[i].name, err->member) == 0)
            return (err->offset >= m[i].header && err->offset <= m[i].data + m[i].size) ||
                   err->offset <= m[i].size;
    return 0;
}

static size_t sweep_file(const char *rel, const uint8_t *bytes, size_t len, cuts *c,
                         int64_t ok_from, const dft_tar_member *m, size_t nm)
{
    char tmp[128];
    int fd;

    snprintf(tmp, sizeof tmp, "%s/cut.XXXXXX", work_dir);
    fd = mkstemp(tmp);
    size_t n = 0;

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(dft_write_file(tmp, bytes, len), 0);
    for (size_t i = 0; i < c->n; i++) {
        int64_t cut = c->v[i];
        /* Some cases with short reads (odd sizes; 7 bytes only rarely: it is slow). */
        size_t io = i % 97 == 13 ? 7 : i % 7 == 3 ? 509 : 0;
        df_error err;
        int rc;

        ck_assert_int_eq(ftruncate(fd, cut), 0);
        alarm(HANG_SECONDS);
        rc = read_everything(tmp, io, &err);
        alarm(0);
        n++;
        if (cut == (int64_t)len) {
            ck_assert_msg(rc == DF_OK, "%s: intact file failed: %s (%s)", rel, df_strstatus(rc),
                          err.message);
            continue;
        }
        if (rc == DF_OK) {
            ck_assert_msg(cut >= ok_from, "%s cut at %lld of %zu: read without error", rel,
                          (long long)cut, len);
            continue;
        }
        ck_assert_msg(is_df_error(rc), "%s cut at %lld: status %d is not %s", rel, (long long)cut,
                      rc, known_codes_msg);
        ck_assert_int_eq(err.code, rc);
        ck_assert_msg(err.offset >= 0 && err.offset <= cut,
                      "%s cut at %lld: error offset %lld outside the file (%s: %s)", rel,
                      (long long)cut, (long long)err.offset, df_strstatus(rc), err.message);
        ck_assert_msg(member_consistent(&err, m, nm),
                      "%s cut at %lld: member \"%s\" does not hold offset %lld (%s)", rel,
                      (long long)cut, err.member, (long long)err.offset, err.message);
    }
    close(fd);
    unlink(tmp);
    return n;
}

/* ------------------------------------------------------------------ */
/* Custom and tar files                                                */
/* ------------------------------------------------------------------ */

static df_reader *open_intact(const char *path)
{
    df_reader *r = df_reader_new(NULL);
    int rc = df_reader_open_path(r, path);

    ck_assert_msg(rc == DF_OK, "%s: %s", path, df_reader_error(r)->message);
    return r;
}

/*
 * Header, TOC entry and data block starts known to the public API.  The sample (make check's
 * default) cuts at every third entry's start, and at each of the first and last four.
 */
static void add_api_boundaries(cuts *c, const df_reader *r)
{
    const df_header *h = df_reader_header(r);
    size_t n = df_reader_toc_count(r);
    int full = dft_full();

    for (int64_t k = 0; k <= 12; k++)
        cuts_add(c, k); /* magic, version, sizes, format byte */
    cuts_add(c, h->header_end);
    cuts_add(c, h->header_end + 1);
    cuts_add(c, h->toc_end);
    cuts_add(c, h->toc_end - 1);
    for (size_t i = 0; i < n; i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        if (full || i % 3 == 0 || i < 4 || i + 4 >= n)
            cuts_add(c, e->toc_offset);
        if (i % 8 == 0)
            cuts_add(c, e->toc_offset + 3); /* inside the dump id INT */
        if (e->offset_state == DF_OFFSET_SET) {
            cuts_add(c, e->data_offset);
            cuts_add(c, e->data_offset + 1);
        }
    }
}

START_TEST(test_sweep_archive)
{
    const dft_archive *a = &archives.a[_i];
    size_t len;
    uint8_t *bytes = (uint8_t *)dft_read_file(a->path, &len);
    df_reader *r = open_intact(a->path);
    const df_header *h = df_reader_header(r);
    cuts c = {0}, walked = {0}, blocks = {0};
    int64_t ok_from = (int64_t)len;
    int full = dft_full(), random_cuts = full ? RANDOM_CUTS : SAMPLE_RANDOM_CUTS;
    static dft_tar_member m[256];
    size_t n, nm = 0;

    ck_assert_ptr_nonnull(bytes);
    add_api_boundaries(&c, r);
    if (a->is_tar) {
        nm = dft_tar_walk(bytes, len, m, 256);

        ck_assert_uint_ge(nm, 3);
        for (size_t i = 0; i < nm; i++) {
            cuts_add(&c, m[i].header);
            cuts_add(&c, m[i].header + 100);
            cuts_add(&c, m[i].data);
            cuts_add(&c, m[i].data + m[i].size);
            cuts_add(&c, m[i].data + m[i].size - 1);
            /* Bytes after the last data or blob member are never needed (spec §7.1). */
            if (strncmp(m[i].name, "blob_", 5) == 0 || dft_ends_with(m[i].name, ".dat"))
                ok_from = m[i].data + m[i].size;
        }
        /* every 512-byte block (the sample: evenly spread, and the end-of-archive blocks) */
        for (int64_t b = 0; b < (int64_t)len; b += 512)
            cuts_add(&blocks, b);
        cuts_add_sampled(&c, &blocks, full ? blocks.n : SAMPLE_TAR_BLOCKS);
        for (int64_t k = 1; k <= 3; k++)
            cuts_add(&c, (int64_t)len - 512 * k);
    } else {
        /* The data area, walked independently of the library. */
        int64_t end = dft_custom_walk(bytes, len, h->toc_end, h->int_size, cuts_add_cb, &walked);

        /* Only a TOC copy (16+ stdout dumps) may follow the last block. */
        ok_from = end;
        if (end != (int64_t)len)
            ck_assert_msg(strstr(a->rel, "stdout") != NULL, "%s: blocks end at %lld of %zu", a->rel,
                          (long long)end, len);
        cuts_add_sampled(&c, &walked, full ? MAX_BOUNDARY_CUTS : SAMPLE_BOUNDARY_CUTS);
        /* the first block's start, dump id and first chunk, the last chunk and terminator */
        for (size_t k = 0; k < 3 && k < walked.n; k++) {
            cuts_add(&c, walked.v[k]);
            cuts_add(&c, walked.v[walked.n - 1 - k]);
        }
        cuts_add(&c, end);
        cuts_add(&c, end + 1);
    }
    cuts_add(&c, (int64_t)len - 1);
    cuts_add(&c, (int64_t)len);
    cuts_add_random(&c, 0x9e3779b9u ^ (uint32_t)_i * 2654435761u, (int64_t)len, random_cuts);
    cuts_finish(&c, (int64_t)len);
    df_reader_free(r);

    n = sweep_file(a->rel, bytes, len, &c, ok_from, m, nm);
    ck_assert_uint_ge(n, (size_t)random_cuts);
    record_cases(a->rel, n);
    free(c.v);
    free(walked.v);
    free(blocks.v);
    free(bytes);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Directory archives                                                  */
/* ------------------------------------------------------------------ */

static char *copy_to_temp_dir(const char *rel)
{
    char src[4096];
    char *dir = malloc(128);

    snprintf(dir, 128, "%s/dir.XXXXXX", work_dir);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(dft_copy_dir(dft_path(src, sizeof src, rel), dir), 0);
    return dir;
}

static const char *const toc_dirs[] = {"pg18/sample.dir.gzip", "pg15/sample.dir.none",
                                       "pg93/sample.dir.gzip", "pg16/sample.dir.lz4"};

START_TEST(test_sweep_toc_dat)
{
    char *dir = copy_to_temp_dir(toc_dirs[_i]);
    char toc[4200];
    size_t len, n = 0;
    uint8_t *bytes;
    df_reader *r = open_intact(dir);
    cuts c = {0};

    snprintf(toc, sizeof toc, "%s/toc.dat", dir);
    bytes = (uint8_t *)dft_read_file(toc, &len);
    ck_assert_ptr_nonnull(bytes);
    add_api_boundaries(&c, r);
    df_reader_free(r);
    cuts_add_random(&c, 77u + (uint32_t)_i, (int64_t)len, 60);
    cuts_finish(&c, (int64_t)len - 1); /* toc.dat has nothing after the TOC */
    for (size_t i = 0; i < c.n; i++) {
        df_error err;
        int rc;

        ck_assert_int_eq(dft_write_file(toc, bytes, (size_t)c.v[i]), 0);
        alarm(HANG_SECONDS);
        rc = read_everything(dir, 0, &err);
        alarm(0);
        n++;
        ck_assert_msg(rc != DF_OK, "%s: toc.dat cut at %lld read without error", toc_dirs[_i],
                      (long long)c.v[i]);
        ck_assert(is_df_error(rc));
        ck_assert_msg(err.offset >= 0 && err.offset <= c.v[i],
                      "%s: toc.dat cut at %lld: offset %lld (%s)", toc_dirs[_i], (long long)c.v[i],
                      (long long)err.offset, err.message);
        ck_assert_msg(err.member[0] == '\0' || strcmp(err.member, "toc.dat") == 0,
                      "%s: toc.dat cut: member \"%s\"", toc_dirs[_i], err.member);
    }
    ck_assert_int_eq(dft_write_file(toc, bytes, len), 0);
    ck_assert_int_eq(read_everything(dir, 0, &(df_error){0}), DF_OK); /* restored */
    record_cases(toc_dirs[_i], n);
    free(c.v);
    free(bytes);
    dft_remove_dir(dir);
    free(dir);
}
END_TEST

/* gzip (RFC 1952) of buf, as the gzip program would write it. */
static uint8_t *gzip_bytes(const uint8_t *buf, size_t len, size_t *out_len)
{
    z_stream z = {0};
    size_t cap = compressBound((uLong)len) + 64;
    uint8_t *out = malloc(cap);

    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)buf;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = z.total_out;
    deflateEnd(&z);
    return out;
}

/*
 * toc.dat compressed afterwards (pg_restore finds toc.dat.gz too): cut anywhere before its
 * last bytes, the TOC cannot be read; the error names toc.dat.gz.  Cuts in the last bytes (the
 * end of the deflate stream and the gzip trailer) may leave the whole TOC readable, which is
 * what pg_restore sees too; dumpcheck reports them (tests/cli/dircompressed.sh).
 */
START_TEST(test_sweep_toc_dat_gz)
{
    char *dir = copy_to_temp_dir(toc_dirs[_i]);
    char toc[4200], gz[4200];
    size_t len, zlen, n = 0;
    uint8_t *bytes, *z;
    cuts c = {0};

    snprintf(toc, sizeof toc, "%s/toc.dat", dir);
    snprintf(gz, sizeof gz, "%s/toc.dat.gz", dir);
    bytes = (uint8_t *)dft_read_file(toc, &len);
    ck_assert_ptr_nonnull(bytes);
    z = gzip_bytes(bytes, len, &zlen);
    ck_assert_int_eq(unlink(toc), 0);
    ck_assert_int_eq(dft_write_file(gz, z, zlen), 0);
    ck_assert_int_eq(read_everything(dir, 0, &(df_error){0}), DF_OK); /* positive control */
    for (int64_t k = 0; k < 40 && k < (int64_t)zlen; k++)
        cuts_add(&c, (int64_t)zlen - 1 - k); /* the deflate end and the gzip trailer */
    cuts_add_random(&c, 91u + (uint32_t)_i, (int64_t)zlen, 120);
    cuts_finish(&c, (int64_t)zlen - 1);
    for (size_t i = 0; i < c.n; i++) {
        df_error err;
        const char *at;
        int rc;

        ck_assert_int_eq(dft_write_file(gz, z, (size_t)c.v[i]), 0);
        alarm(HANG_SECONDS);
        rc = read_everything(dir, 0, &err);
        alarm(0);
        n++;
        if (rc == DF_OK) {
            ck_assert_msg(c.v[i] >= (int64_t)zlen - 40, "%s: toc.dat.gz cut at %lld of %zu read",
                          toc_dirs[_i], (long long)c.v[i], zlen);
            continue;
        }
        ck_assert(is_df_error(rc));
        /* issue 10: a decoded offset is said in the message, never given as a file offset */
        at = strstr(err.message, " at decoded offset ");
        ck_assert_msg(err.offset == -1 && at != NULL && strtoll(at + 19, NULL, 10) <= (int64_t)len,
                      "%s: toc.dat.gz cut at %lld: offset %lld (%s)", toc_dirs[_i],
                      (long long)c.v[i], (long long)err.offset, err.message);
        ck_assert_msg(strcmp(err.member, "toc.dat.gz") == 0, "%s: toc.dat.gz cut: member \"%s\"",
                      toc_dirs[_i], err.member);
    }
    {
        char what[512];
        snprintf(what, sizeof what, "%s/toc.dat.gz", toc_dirs[_i]);
        record_cases(what, n);
    }
    free(c.v);
    free(z);
    free(bytes);
    dft_remove_dir(dir);
    free(dir);
}
END_TEST

/* Data files of directory archives cut short; compressed frames must notice. */
typedef struct dir_file_case {
    const char *dir;
    const char *file;
    int raw; /* uncompressed: only the missing COPY terminator can tell */
} dir_file_case;

static const dir_file_case dir_files[] = {
    {"pg18/sample.dir.gzip", "2890.dat.gz", 0},        {"pg18/sample.dir.gzip", "2872.dat.gz", 0},
    {"pg18/sample.dir.gzip", "blob_910003.dat.gz", 0}, {"pg18/sample.dir.lz4", "2890.dat.lz4", 0},
    {"pg18/sample.dir.lz4", "2878.dat.lz4", 0},        {"pg18/sample.dir.zstd", "2890.dat.zst", 0},
    {"pg18/sample.dir.zstd", "2882.dat.zst", 0},       {"pg16/sample.dir.zstd", "2866.dat.zst", 0},
    {"pg16/sample.dir.lz4", "blob_910003.dat.lz4", 0}, {"pg15/sample.dir.gzip", "3667.dat.gz", 0},
    {"pg93/sample.dir.gzip", "2231.dat.gz", 0},        {"pg18/sample.dir.none", "2890.dat", 1},
    {"pg15/sample.dir.none", "3659.dat", 1},
};

START_TEST(test_sweep_dir_file)
{
    const dir_file_case *fc = &dir_files[_i];
    char *dir = copy_to_temp_dir(fc->dir);
    char path[4200];
    size_t len, n = 0;
    uint8_t *bytes;
    cuts c = {0};

    snprintf(path, sizeof path, "%s/%s", dir, fc->file);
    bytes = (uint8_t *)dft_read_file(path, &len);
    ck_assert_ptr_nonnull(bytes);
    ck_assert_uint_gt(len, 16);
    /* Never 0 bytes: an empty .lz4/.zst file is valid empty data (spec §6.3). */
    for (int64_t k = 1; k <= 12; k++)
        cuts_add(&c, k);
    for (int64_t k = 1; k <= 9; k++)
        cuts_add(&c, (int64_t)len - k); /* gzip trailer, lz4 end mark, zstd last block */
    cuts_add(&c, (int64_t)len / 2);
    cuts_add_random(&c, 1000u + (uint32_t)_i, (int64_t)len, dft_full() ? 40 : 16);
    cuts_finish(&c, (int64_t)len - (fc->raw ? 4 : 1));
    for (size_t i = 0; i < c.n; i++) {
        df_reader *r;
        dft_result res;
        int rc;

        if (c.v[i] < 1)
            continue;
        ck_assert_int_eq(dft_write_file(path, bytes, (size_t)c.v[i]), 0);
        r = df_reader_new(NULL);
        alarm(HANG_SECONDS);
        ck_assert_int_eq(df_reader_open_path(r, dir), DF_OK);
        rc = dft_read_all(r, 65536, 0, &res);
        alarm(0);
        n++;
        if (fc->raw) {
            /* The library cannot see a cut in raw data; the COPY stream shows it. */
            int seen = 0;
            for (size_t k = 0; k < res.nents; k++)
                if (res.ents[k].status != DF_OK ||
                    (res.ents[k].copy_mode && !res.ents[k].terminated))
                    seen = 1;
            ck_assert_msg(rc != DF_OK || seen, "%s/%s cut at %lld went unnoticed", fc->dir,
                          fc->file, (long long)c.v[i]);
        } else {
            ck_assert_msg(rc != DF_OK, "%s/%s cut at %lld of %zu read without error", fc->dir,
                          fc->file, (long long)c.v[i], len);
            ck_assert(is_df_error(rc));
            ck_assert_msg(strstr(res.err.member, fc->file) != NULL,
                          "%s/%s cut at %lld: error names member \"%s\" (%s)", fc->dir, fc->file,
                          (long long)c.v[i], res.err.member, res.err.message);
            ck_assert_msg(res.err.offset >= 0 && res.err.offset <= c.v[i],
                          "%s/%s cut at %lld: offset %lld (%s)", fc->dir, fc->file,
                          (long long)c.v[i], (long long)res.err.offset, res.err.message);
            /* Only the cut file fails: every other entry reads cleanly. */
            for (size_t k = 0; k < res.nents; k++)
                if (res.ents[k].dump_id != res.err_dump_id)
                    ck_assert_int_eq(res.ents[k].status, DF_OK);
        }
        dft_result_free(&res);
        df_reader_free(r);
    }
    ck_assert_int_eq(dft_write_file(path, bytes, len), 0);
    ck_assert_int_eq(read_everything(dir, 0, &(df_error){0}), DF_OK);
    {
        char what[512];
        snprintf(what, sizeof what, "%s/%s", fc->dir, fc->file);
        record_cases(what, n);
    }
    free(c.v);
    free(bytes);
    dft_remove_dir(dir);
    free(dir);
}
END_TEST

static Suite *truncate_suite(void)
{
    Suite *s = suite_create("truncate");
    TCase *tc = tcase_create("sweep");

    tcase_set_timeout(tc, 900);
    tcase_add_loop_test(tc, test_sweep_archive, 0, (int)archives.n);
    tcase_add_loop_test(tc, test_sweep_toc_dat, 0, (int)(sizeof toc_dirs / sizeof toc_dirs[0]));
    tcase_add_loop_test(tc, test_sweep_toc_dat_gz, 0, (int)(sizeof toc_dirs / sizeof toc_dirs[0]));
    tcase_add_loop_test(tc, test_sweep_dir_file, 0, (int)(sizeof dir_files / sizeof dir_files[0]));
    suite_add_tcase(s, tc);
    return s;
}

/* Remove work_dir: its files and the directory copies inside it. */
static void remove_work_dir(void)
{
    DIR *d = opendir(work_dir);
    struct dirent *de;

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        char p[256];
        struct stat st;

        if (de->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%.100s", work_dir, de->d_name);
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            dft_remove_dir(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(work_dir);
}

/* Sum the per-test case counts the children wrote. */
static size_t total_cases(void)
{
    FILE *f = fopen(count_file, "r");
    size_t total = 0, n;
    char what[600];

    if (f == NULL)
        return 0;
    while (fscanf(f, "%zu %599s", &n, what) == 2)
        total += n;
    fclose(f);
    return total;
}

int main(void)
{
    static const char *const subs[] = {"pg93", "pg10", "pg15", "pg16", "pg18"};
    dft_archives all;
    SRunner *sr;
    int failed, fd;

    dft_archives_find(&all, subs, 5);
    archives.a = calloc(all.n ? all.n : 1, sizeof *archives.a);
    for (size_t i = 0; i < all.n; i++)
        if (!all.a[i].is_dir)
            archives.a[archives.n++] = all.a[i];
    dft_archives_free(&all);
    if (archives.n < 20) {
        fprintf(stderr, "check_truncate: only %zu archives under %s\n", archives.n, dft_corpus());
        return 1;
    }
    snprintf(work_dir, sizeof work_dir, "/tmp/check_truncate.XXXXXX");
    if (mkdtemp(work_dir) == NULL)
        return 1;
    snprintf(count_file, sizeof count_file, "%s/count.XXXXXX", work_dir);
    fd = mkstemp(count_file);
    if (fd < 0)
        return 1;
    close(fd);
    sr = srunner_create(truncate_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    printf("check_truncate: %zu truncation cases over %zu archives\n", total_cases(), archives.n);
    remove_work_dir();
    dft_archives_free(&archives);
    return failed == 0 ? 0 : 1;
}
