/*
 * check_decode.c — unit tests of pg_dump's archive primitives as decoded by
 * libdumpfmt/decode.c (spec §2): INT (sign byte, negative zero, intSize 4
 * and 8, the signless 1.0 form, int32 overflow), STR (NULL vs empty, any
 * negative length as NULL, the string limit, huge declared lengths that the
 * file cannot back) and OFF (flags 1/2/3, bad flags, offsets beyond int64,
 * the INT form before 1.7).  Every case runs over a regular file and over
 * a pipe, with io caps of 0 and 1 byte.
 */
#include "check_util.h"
#include "internal.h"

#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct fixture {
    dfi_src src;
    dfi_buf buf;
    dfi_arch arch;
    df_limits lim;
    df_error err;
    int fd;
    pid_t child;
} fixture;

/* Loop index: bit 0 = pipe, bit 1 = io cap 1. */
#define N_LOOP 4

static void write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static int input_fd(int as_pipe, const uint8_t *bytes, size_t n, pid_t *child)
{
    *child = -1;
    if (!as_pipe) {
        char path[] = "/tmp/check_decode.XXXXXX";
        int fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        unlink(path);
        write_all(fd, bytes, n);
        ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
        return fd;
    } else {
        int p[2];
        ck_assert_int_eq(pipe(p), 0);
        *child = fork();
        ck_assert_int_ge(*child, 0);
        if (*child == 0) {
            close(p[0]);
            signal(SIGPIPE, SIG_DFL);
            write_all(p[1], bytes, n);
            _exit(0);
        }
        close(p[1]);
        return p[0];
    }
}

/* Open `bytes` as input #loop with the given archive parameters. */
static void fix_open(fixture *f, int loop, const void *bytes, size_t n, int version, int int_size,
                     int off_size)
{
    memset(f, 0, sizeof *f);
    df_limits_default(&f->lim);
    f->fd = input_fd(loop & 1, bytes, n, &f->child);
    ck_assert_int_eq(dfi_src_open_fd(&f->src, f->fd, &f->err), DF_OK);
    f->src.io_cap = (loop & 2) ? 1 : 0;
    ck_assert_int_eq(dfi_buf_init(&f->buf, &f->src, DFI_BUF_SIZE, &f->err), DF_OK);
    f->arch.version = version;
    f->arch.int_size = int_size;
    f->arch.off_size = off_size;
    f->arch.lim = &f->lim;
    f->arch.toc_bytes = 0;
}

static void fix_close(fixture *f)
{
    dfi_buf_free(&f->buf);
    dfi_src_close(&f->src);
    close(f->fd);
    if (f->child > 0)
        waitpid(f->child, NULL, 0);
}

#define V116 DF_MAKE_VERSION(1, 16, 0)
#define V100 DF_MAKE_VERSION(1, 0, 0)

/* Decode one INT from `bytes`; returns the status, value in *v, end in *end. */
static int one_int(int loop, const uint8_t *bytes, size_t n, int version, int int_size, int32_t *v,
                   int64_t *end, df_error *err)
{
    fixture f;
    int rc;

    fix_open(&f, loop, bytes, n, version, int_size, 8);
    *v = 12345678;
    rc = dfi_read_int(&f.buf, &f.arch, v, &f.err);
    *end = dfi_buf_tell(&f.buf);
    *err = f.err;
    fix_close(&f);
    return rc;
}

START_TEST(test_int_values)
{
    static const struct {
        uint8_t b[10];
        size_t n;
        int int_size;
        int32_t want;
    } cases[] = {
        {{0x00, 0x3B, 0x0D, 0x00, 0x00}, 5, 4, 3387},
        {{0x00, 0x00, 0x00, 0x00, 0x00}, 5, 4, 0},
        {{0x01, 0x01, 0x00, 0x00, 0x00}, 5, 4, -1},
        {{0x01, 0x00, 0x00, 0x00, 0x00}, 5, 4, 0},  /* negative zero */
        {{0xFF, 0x05, 0x00, 0x00, 0x00}, 5, 4, -5}, /* any non-zero sign byte */
        {{0x00, 0xFF, 0xFF, 0xFF, 0x7F}, 5, 4, INT32_MAX},
        {{0x01, 0xFF, 0xFF, 0xFF, 0x7F}, 5, 4, -INT32_MAX},
        {{0x00, 0x3B, 0x0D, 0, 0, 0, 0, 0, 0}, 9, 8, 3387},
        {{0x01, 0x02, 0, 0, 0, 0, 0, 0, 0}, 9, 8, -2},
        {{0x00, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0}, 9, 8, INT32_MAX},
        {{0x00, 0x34, 0x12}, 3, 2, 0x1234},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int32_t v;
        int64_t end;
        df_error err;
        int rc = one_int(_i, cases[i].b, cases[i].n, V116, cases[i].int_size, &v, &end, &err);
        ck_assert_msg(rc == DF_OK, "case %zu: rc %d (%s)", i, rc, err.message);
        ck_assert_msg(v == cases[i].want, "case %zu: got %d want %d", i, v, cases[i].want);
        ck_assert_int_eq(end, (int64_t)cases[i].n);
    }
}
END_TEST

START_TEST(test_int_out_of_range)
{
    static const struct {
        uint8_t b[10];
        size_t n;
        int int_size;
    } cases[] = {
        {{0x00, 0x00, 0x00, 0x00, 0x80}, 5, 4},                /* 2^31 */
        {{0x00, 0xFF, 0xFF, 0xFF, 0xFF}, 5, 4},                /* 2^32 - 1 */
        {{0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0, 0, 0}, 9, 8}, /* 2^32 */
        {{0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0, 0, 0}, 9, 8}, /* -2^32 */
        {{0x00, 0, 0, 0, 0, 0, 0, 0, 0x80}, 9, 8},             /* 2^63 */
        {{0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x7F}, 9, 8},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int32_t v;
        int64_t end;
        df_error err;
        int rc = one_int(_i, cases[i].b, cases[i].n, V116, cases[i].int_size, &v, &end, &err);
        ck_assert_msg(rc == DF_E_CORRUPT, "case %zu: rc %d", i, rc);
        ck_assert_int_eq(err.code, DF_E_CORRUPT);
        ck_assert_int_eq(err.offset, 0);
        ck_assert_str_ne(err.message, "");
    }
}
END_TEST

START_TEST(test_int_v10_no_sign)
{
    const uint8_t ok[] = {0x3B, 0x0D, 0x00, 0x00, 0x99};
    const uint8_t big[] = {0xFF, 0xFF, 0xFF, 0xFF};
    int32_t v;
    int64_t end;
    df_error err;

    /* Archive 1.0: intSize magnitude bytes, no sign byte. */
    ck_assert_int_eq(one_int(_i, ok, sizeof ok, V100, 4, &v, &end, &err), DF_OK);
    ck_assert_int_eq(v, 3387);
    ck_assert_int_eq(end, 4);
    ck_assert_int_eq(one_int(_i, big, sizeof big, V100, 4, &v, &end, &err), DF_E_CORRUPT);
}
END_TEST

START_TEST(test_int_truncated)
{
    const uint8_t b[] = {0x00, 0x3B, 0x0D};
    int32_t v;
    int64_t end;
    df_error err;

    ck_assert_int_eq(one_int(_i, b, sizeof b, V116, 4, &v, &end, &err), DF_E_TRUNCATED);
    ck_assert_int_eq(err.code, DF_E_TRUNCATED);
    ck_assert_int_ge(err.offset, 0);
    ck_assert_int_le(err.offset, 3);
    ck_assert_int_eq(one_int(_i, b, 0, V116, 4, &v, &end, &err), DF_E_TRUNCATED);
    ck_assert_int_eq(err.offset, 0);
}
END_TEST

START_TEST(test_int_sequence_offsets)
{
    /* Two good INTs, then a bad one: the error names the third INT's offset. */
    const uint8_t b[] = {0x00, 0x01, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0x00, 0, 0, 0, 0x90};
    fixture f;
    int32_t v;

    fix_open(&f, _i, b, sizeof b, V116, 4, 8);
    ck_assert_int_eq(dfi_read_int(&f.buf, &f.arch, &v, &f.err), DF_OK);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(dfi_read_int(&f.buf, &f.arch, &v, &f.err), DF_OK);
    ck_assert_int_eq(v, -2);
    ck_assert_int_eq(dfi_read_int(&f.buf, &f.arch, &v, &f.err), DF_E_CORRUPT);
    ck_assert_int_eq(f.err.offset, 10);
    fix_close(&f);
}
END_TEST

START_TEST(test_byte)
{
    const uint8_t b[] = {0x7F, 0xFE};
    fixture f;
    int v;

    fix_open(&f, _i, b, sizeof b, V116, 4, 8);
    ck_assert_int_eq(dfi_read_byte(&f.buf, &v, &f.err), DF_OK);
    ck_assert_int_eq(v, 0x7F);
    ck_assert_int_eq(dfi_read_byte(&f.buf, &v, &f.err), DF_OK);
    ck_assert_int_eq(v, 0xFE);
    ck_assert_int_eq(dfi_read_byte(&f.buf, &v, &f.err), DF_E_TRUNCATED);
    ck_assert_int_eq(f.err.offset, 2);
    fix_close(&f);
}
END_TEST

/* Decode one STR; returns the status; *s owned by the caller. */
static int one_str(int loop, const uint8_t *bytes, size_t n, int int_size, int64_t max_string,
                   char **s, int64_t *end, df_error *err)
{
    fixture f;
    int rc;

    fix_open(&f, loop, bytes, n, V116, int_size, 8);
    if (max_string > 0)
        f.lim.max_string = max_string;
    *s = (char *)"sentinel";
    rc = dfi_read_str(&f.buf, &f.arch, s, &f.err);
    *end = dfi_buf_tell(&f.buf);
    *err = f.err;
    fix_close(&f);
    return rc;
}

START_TEST(test_str_null_empty)
{
    const uint8_t null_s[] = {0x01, 0x01, 0x00, 0x00, 0x00, 'x'};
    const uint8_t minus5[] = {0x01, 0x05, 0x00, 0x00, 0x00, 'x'};
    const uint8_t empty[] = {0x00, 0x00, 0x00, 0x00, 0x00, 'x'};
    const uint8_t abc[] = {0x00, 0x03, 0x00, 0x00, 0x00, 'a', 'b', 'c', 'x'};
    const uint8_t odd[] = {0x00, 0x04, 0x00, 0x00, 0x00, '\n', 0xC3, 0xA9, '\r'};
    char *s;
    int64_t end;
    df_error err;

    ck_assert_int_eq(one_str(_i, null_s, sizeof null_s, 4, 0, &s, &end, &err), DF_OK);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(end, 5);
    /* pg_dump reads any negative length as NULL and consumes no bytes. */
    ck_assert_int_eq(one_str(_i, minus5, sizeof minus5, 4, 0, &s, &end, &err), DF_OK);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(end, 5);
    ck_assert_int_eq(one_str(_i, empty, sizeof empty, 4, 0, &s, &end, &err), DF_OK);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s, "");
    ck_assert_int_eq(end, 5);
    free(s);
    ck_assert_int_eq(one_str(_i, abc, sizeof abc, 4, 0, &s, &end, &err), DF_OK);
    ck_assert_str_eq(s, "abc");
    ck_assert_int_eq(end, 8);
    free(s);
    ck_assert_int_eq(one_str(_i, odd, sizeof odd, 4, 0, &s, &end, &err), DF_OK);
    ck_assert_mem_eq(s, "\n\xC3\xA9\r", 5); /* bytes kept as stored, NUL-terminated */
    free(s);
}
END_TEST

START_TEST(test_str_limit)
{
    const uint8_t b[] = {0x00, 0x0B, 0x00, 0x00, 0x00, 'h', 'e', 'l',
                         'l',  'o',  ' ',  'w',  'o',  'r', 'l', 'd'};
    char *s;
    int64_t end;
    df_error err;

    ck_assert_int_eq(one_str(_i, b, sizeof b, 4, 10, &s, &end, &err), DF_E_LIMIT);
    ck_assert_int_eq(err.code, DF_E_LIMIT);
    ck_assert_int_eq(err.offset, 0);
    ck_assert_int_eq(one_str(_i, b, sizeof b, 4, 11, &s, &end, &err), DF_OK);
    ck_assert_str_eq(s, "hello world");
    free(s);
}
END_TEST

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(test_str_huge_declared)
{
    /* Declares 50,000,000 bytes (0x02FAF080) but only 10 follow. */
    const uint8_t b[] = {0x00, 0x80, 0xF0, 0xFA, 0x02, '0', '1', '2',
                         '3',  '4',  '5',  '6',  '7',  '8', '9'};
    char *s;
    int64_t end;
    df_error err;
    double t0 = now_sec();

    ck_assert_int_eq(one_str(_i, b, sizeof b, 4, 0, &s, &end, &err), DF_E_TRUNCATED);
    ck_assert_int_eq(err.code, DF_E_TRUNCATED);
    ck_assert_int_ge(err.offset, 0);
    ck_assert_int_le(err.offset, (int64_t)sizeof b);
    /* Failing fast means nothing close to 50 MB was allocated and filled. */
    ck_assert_msg(now_sec() - t0 < 0.5, "took %.3f s", now_sec() - t0);
}
END_TEST

START_TEST(test_str_wide_length)
{
    /* intSize 8, length 2^40: beyond int32 and beyond any limit. */
    const uint8_t b[] = {0x00, 0, 0, 0, 0, 0, 0x01, 0, 0, 'x'};
    char *s;
    int64_t end;
    df_error err;
    int rc = one_str(_i, b, sizeof b, 8, 0, &s, &end, &err);

    ck_assert_msg(rc == DF_E_LIMIT || rc == DF_E_CORRUPT, "rc %d", rc);
    ck_assert_int_eq(err.offset, 0);
}
END_TEST

START_TEST(test_str_long)
{
    /* 70,000 bytes: longer than the decoder's small-string path. */
    size_t len = 70000, n = 5 + len;
    uint8_t *b = malloc(n);
    char *s;
    int64_t end;
    df_error err;

    b[0] = 0;
    b[1] = (uint8_t)(len & 0xff);
    b[2] = (uint8_t)((len >> 8) & 0xff);
    b[3] = (uint8_t)(len >> 16);
    b[4] = 0;
    for (size_t i = 0; i < len; i++)
        b[5 + i] = (uint8_t)('a' + i % 26);
    ck_assert_int_eq(one_str(_i, b, n, 4, 0, &s, &end, &err), DF_OK);
    ck_assert_uint_eq(strlen(s), len);
    ck_assert_mem_eq(s, b + 5, len);
    ck_assert_int_eq(end, (int64_t)n);
    free(s);
    /* The same string one byte short. */
    ck_assert_int_eq(one_str(_i, b, n - 1, 4, 0, &s, &end, &err), DF_E_TRUNCATED);
    ck_assert_int_le(err.offset, (int64_t)n - 1);
    free(b);
}
END_TEST

/* Decode one OFF. */
static int one_off(int loop, const uint8_t *bytes, size_t n, int version, int off_size,
                   df_offset_state *st, int64_t *off, int64_t *end, df_error *err)
{
    fixture f;
    int rc;

    fix_open(&f, loop, bytes, n, version, 4, off_size);
    *st = (df_offset_state)99;
    *off = -99;
    rc = dfi_read_off(&f.buf, &f.arch, st, off, &f.err);
    *end = dfi_buf_tell(&f.buf);
    *err = f.err;
    fix_close(&f);
    return rc;
}

START_TEST(test_off_flags)
{
    const uint8_t not_set[] = {1, 0, 0, 0, 0, 0, 0, 0, 0};
    const uint8_t set[] = {2, 0x34, 0x12, 0x01, 0, 0, 0, 0, 0};
    const uint8_t no_data[] = {3, 0, 0, 0, 0, 0, 0, 0, 0};
    const uint8_t set_max[] = {2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F};
    const uint8_t set4[] = {2, 0x10, 0x27, 0, 0, 0xAA};
    df_offset_state st;
    int64_t off, end;
    df_error err;

    ck_assert_int_eq(one_off(_i, not_set, 9, V116, 8, &st, &off, &end, &err), DF_OK);
    ck_assert_int_eq(st, DF_OFFSET_NOT_SET);
    ck_assert_int_eq(end, 9);
    ck_assert_int_eq(one_off(_i, set, 9, V116, 8, &st, &off, &end, &err), DF_OK);
    ck_assert_int_eq(st, DF_OFFSET_SET);
    ck_assert_int_eq(off, 0x11234);
    ck_assert_int_eq(one_off(_i, no_data, 9, V116, 8, &st, &off, &end, &err), DF_OK);
    ck_assert_int_eq(st, DF_OFFSET_NO_DATA);
    ck_assert_int_eq(one_off(_i, set_max, 9, V116, 8, &st, &off, &end, &err), DF_OK);
    ck_assert_int_eq(off, INT64_MAX);
    /* offSize 4 (old 32-bit builds) */
    ck_assert_int_eq(one_off(_i, set4, sizeof set4, V116, 4, &st, &off, &end, &err), DF_OK);
    ck_assert_int_eq(st, DF_OFFSET_SET);
    ck_assert_int_eq(off, 10000);
    ck_assert_int_eq(end, 5);
}
END_TEST

START_TEST(test_off_bad)
{
    const uint8_t flag0[] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    const uint8_t flag4[] = {4, 0, 0, 0, 0, 0, 0, 0, 0};
    const uint8_t flag_ff[] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 0};
    const uint8_t beyond63[] = {2, 0, 0, 0, 0, 0, 0, 0, 0x80};
    const uint8_t nine_hi[] = {2, 1, 0, 0, 0, 0, 0, 0, 0, 0x01};
    const uint8_t nine_ok[] = {2, 1, 0, 0, 0, 0, 0, 0, 0, 0x00};
    const uint8_t short_off[] = {2, 1, 0, 0};
    df_offset_state st;
    int64_t off, end;
    df_error err;

    ck_assert_int_eq(one_off(_i, flag0, 9, V116, 8, &st, &off, &end, &err), DF_E_CORRUPT);
    ck_assert_int_eq(err.offset, 0);
    ck_assert_int_eq(one_off(_i, flag4, 9, V116, 8, &st, &off, &end, &err), DF_E_CORRUPT);
    ck_assert_int_eq(one_off(_i, flag_ff, 9, V116, 8, &st, &off, &end, &err), DF_E_CORRUPT);
    ck_assert_int_eq(one_off(_i, beyond63, 9, V116, 8, &st, &off, &end, &err), DF_E_CORRUPT);
    /* offSize 9: pg_restore accepts extra bytes only when they are zero. */
    ck_assert_int_eq(one_off(_i, nine_hi, 10, V116, 9, &st, &off, &end, &err), DF_E_CORRUPT);
    ck_assert_int_eq(one_off(_i, nine_ok, 10, V116, 9, &st, &off, &end, &err), DF_OK);
    ck_assert_int_eq(off, 1);
    ck_assert_int_eq(end, 10);
    ck_assert_int_eq(one_off(_i, short_off, 4, V116, 8, &st, &off, &end, &err), DF_E_TRUNCATED);
    ck_assert_int_le(err.offset, 4);
}
END_TEST

START_TEST(test_off_before_17)
{
    const uint8_t neg[] = {0x01, 0x01, 0, 0, 0};
    const uint8_t zero[] = {0x00, 0, 0, 0, 0};
    const uint8_t pos[] = {0x00, 0x10, 0x27, 0, 0};
    const int v16 = DF_MAKE_VERSION(1, 6, 0);
    df_offset_state st;
    int64_t off, end;
    df_error err;

    /* Before 1.7 an OFF is an INT: < 0 not set, 0 no data, > 0 the offset. */
    ck_assert_int_eq(one_off(_i, neg, 5, v16, 4, &st, &off, &end, &err), DF_OK);
    ck_assert_int_eq(st, DF_OFFSET_NOT_SET);
    ck_assert_int_eq(end, 5);
    ck_assert_int_eq(one_off(_i, zero, 5, v16, 4, &st, &off, &end, &err), DF_OK);
    ck_assert_int_eq(st, DF_OFFSET_NO_DATA);
    ck_assert_int_eq(one_off(_i, pos, 5, v16, 4, &st, &off, &end, &err), DF_OK);
    ck_assert_int_eq(st, DF_OFFSET_SET);
    ck_assert_int_eq(off, 10000);
    ck_assert_int_eq(end, 5);
}
END_TEST

static Suite *decode_suite(void)
{
    Suite *s = suite_create("decode");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_int_values, 0, N_LOOP);
    tcase_add_loop_test(tc, test_int_out_of_range, 0, N_LOOP);
    tcase_add_loop_test(tc, test_int_v10_no_sign, 0, N_LOOP);
    tcase_add_loop_test(tc, test_int_truncated, 0, N_LOOP);
    tcase_add_loop_test(tc, test_int_sequence_offsets, 0, N_LOOP);
    tcase_add_loop_test(tc, test_byte, 0, N_LOOP);
    tcase_add_loop_test(tc, test_str_null_empty, 0, N_LOOP);
    tcase_add_loop_test(tc, test_str_limit, 0, N_LOOP);
    tcase_add_loop_test(tc, test_str_huge_declared, 0, N_LOOP);
    tcase_add_loop_test(tc, test_str_wide_length, 0, N_LOOP);
    tcase_add_loop_test(tc, test_str_long, 0, N_LOOP);
    tcase_add_loop_test(tc, test_off_flags, 0, N_LOOP);
    tcase_add_loop_test(tc, test_off_bad, 0, N_LOOP);
    tcase_add_loop_test(tc, test_off_before_17, 0, N_LOOP);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(decode_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
