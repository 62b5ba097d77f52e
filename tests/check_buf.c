/*
 * check_buf.c — unit tests of the byte source and the bounded peek/consume
 * window (libdumpfmt/source.c, buf.c) over a regular temp file and over a
 * real pipe fed by a forked writer: need/fill/consume/read/skip/seek, EOF
 * and truncation offsets, DF_E_NOSEEK on a pipe, the read limit, and the
 * rule that the io cap (1, 3, 7 ... bytes per read(2)) never changes what
 * the window delivers.
 */
#include "check_util.h"
#include "internal.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Size of the test input: several windows long, not a multiple of anything. */
#define TEST_SIZE 40009

/* Deterministic content: byte i of every test input. */
static uint8_t pat(int64_t i)
{
    return (uint8_t)((i * 131 + (i >> 8) * 7 + 11) & 0xff);
}

static int pat_matches(const uint8_t *p, int64_t at, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != pat(at + (int64_t)i))
            return 0;
    return 1;
}

enum { KIND_FILE = 0, KIND_PIPE = 1 };

typedef struct fixture {
    dfi_src src;
    dfi_buf buf;
    df_error err;
    int fd;
    pid_t child;
} fixture;

/* Write `size` pattern bytes to fd in pieces of varying length. */
static void write_pattern(int fd, int64_t size)
{
    uint8_t chunk[8192];
    int64_t done = 0;
    size_t piece = 1;

    while (done < size) {
        size_t n = piece;
        if ((int64_t)n > size - done)
            n = (size_t)(size - done);
        for (size_t i = 0; i < n; i++)
            chunk[i] = pat(done + (int64_t)i);
        if (write(fd, chunk, n) != (ssize_t)n)
            return;
        done += (int64_t)n;
        piece = piece * 3 % 8191 + 1;
    }
}

/* A temp file holding `size` pattern bytes, open for reading at offset 0. */
static int temp_file(int64_t size)
{
    char path[] = "/tmp/check_buf.XXXXXX";
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    unlink(path);
    write_pattern(fd, size);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

/* The read end of a pipe a forked child fills with `size` pattern bytes. */
static int pipe_from_child(int64_t size, pid_t *child)
{
    int p[2];

    ck_assert_int_eq(pipe(p), 0);
    *child = fork();
    ck_assert_int_ge(*child, 0);
    if (*child == 0) {
        close(p[0]);
        signal(SIGPIPE, SIG_DFL);
        write_pattern(p[1], size);
        _exit(0);
    }
    close(p[1]);
    return p[0];
}

static void fix_open(fixture *f, int kind, int64_t size, size_t io_cap, size_t cap)
{
    memset(f, 0, sizeof *f);
    f->child = -1;
    f->fd = kind == KIND_FILE ? temp_file(size) : pipe_from_child(size, &f->child);
    ck_assert_int_eq(dfi_src_open_fd(&f->src, f->fd, &f->err), DF_OK);
    ck_assert_int_eq(f->src.seekable, kind == KIND_FILE);
    ck_assert(kind == KIND_FILE ? f->src.size == size : f->src.size == -1);
    f->src.io_cap = io_cap;
    ck_assert_int_eq(dfi_buf_init(&f->buf, &f->src, cap, &f->err), DF_OK);
    ck_assert_int_eq(dfi_buf_tell(&f->buf), 0);
}

static void fix_close(fixture *f)
{
    dfi_buf_free(&f->buf);
    dfi_src_close(&f->src);
    close(f->fd);
    if (f->child > 0)
        waitpid(f->child, NULL, 0); /* the child dies of SIGPIPE or has exited */
}

/* Loop index -> (kind, io cap): both kinds with caps 0, 1, 3, 7, 4096. */
static const size_t io_caps[] = {0, 1, 3, 7, 4096};
#define N_IO_CAPS (sizeof io_caps / sizeof io_caps[0])
#define N_LOOP (2 * (int)N_IO_CAPS)

static int loop_kind(int i)
{
    return i / (int)N_IO_CAPS;
}
static size_t loop_cap(int i)
{
    return io_caps[i % (int)N_IO_CAPS];
}

START_TEST(test_need_consume)
{
    fixture f;
    int64_t at = 0;
    size_t step = 1;

    fix_open(&f, loop_kind(_i), TEST_SIZE, loop_cap(_i), 4096);
    while (at + 4096 <= TEST_SIZE) {
        size_t n = step % 4096 + 1;
        ck_assert_int_eq(dfi_buf_need(&f.buf, n, &f.err), DF_OK);
        ck_assert_uint_ge(dfi_buf_avail(&f.buf), n);
        ck_assert_int_eq(dfi_buf_tell(&f.buf), at);
        ck_assert(pat_matches(dfi_buf_ptr(&f.buf), at, n));
        dfi_buf_consume(&f.buf, n / 2 + 1);
        at += (int64_t)(n / 2 + 1);
        step = step * 7 + 3;
    }
    /* consume() never moves past what is buffered. */
    {
        size_t avail = dfi_buf_avail(&f.buf);
        dfi_buf_consume(&f.buf, avail + 1000);
        ck_assert_int_eq(dfi_buf_tell(&f.buf), at + (int64_t)avail);
    }
    fix_close(&f);
}
END_TEST

START_TEST(test_fill_to_eof)
{
    fixture f;
    int64_t at = 0;
    int rc;

    fix_open(&f, loop_kind(_i), TEST_SIZE, loop_cap(_i), 1000);
    while ((rc = dfi_buf_fill(&f.buf, &f.err)) == DF_OK) {
        size_t n = dfi_buf_avail(&f.buf);
        ck_assert_uint_gt(n, 0);
        ck_assert(pat_matches(dfi_buf_ptr(&f.buf), at, n));
        dfi_buf_consume(&f.buf, n);
        at += (int64_t)n;
    }
    ck_assert_int_eq(rc, DF_EOF);
    ck_assert_int_eq(at, TEST_SIZE);
    /* At EOF: fill stays EOF, need() is a truncation at the end offset. */
    ck_assert_int_eq(dfi_buf_fill(&f.buf, &f.err), DF_EOF);
    ck_assert_int_eq(dfi_buf_need(&f.buf, 1, &f.err), DF_E_TRUNCATED);
    ck_assert_int_eq(f.err.code, DF_E_TRUNCATED);
    ck_assert_int_eq(f.err.offset, TEST_SIZE);
    fix_close(&f);
}
END_TEST

START_TEST(test_need_past_eof)
{
    fixture f;
    uint8_t tmp[100];

    fix_open(&f, loop_kind(_i), 1000, loop_cap(_i), 4096);
    ck_assert_int_eq(dfi_buf_read(&f.buf, tmp, 95, &f.err), DF_OK);
    /* 905 bytes remain: asking for 906 is a truncation, nothing is consumed. */
    ck_assert_int_eq(dfi_buf_need(&f.buf, 906, &f.err), DF_E_TRUNCATED);
    ck_assert_int_ge(f.err.offset, 95);
    ck_assert_int_le(f.err.offset, 1000);
    ck_assert_int_eq(dfi_buf_tell(&f.buf), 95);
    ck_assert_int_eq(dfi_buf_need(&f.buf, 905, &f.err), DF_OK);
    ck_assert(pat_matches(dfi_buf_ptr(&f.buf), 95, 905));
    fix_close(&f);
}
END_TEST

START_TEST(test_read)
{
    fixture f;
    static uint8_t out[70000];
    int64_t at = 0;
    size_t n = 1;

    fix_open(&f, loop_kind(_i), TEST_SIZE, loop_cap(_i), 4096);
    /* Reads larger than the window must work too (read copies out). */
    while (at + (int64_t)n <= TEST_SIZE) {
        ck_assert_int_eq(dfi_buf_read(&f.buf, out, n, &f.err), DF_OK);
        ck_assert(pat_matches(out, at, n));
        at += (int64_t)n;
        ck_assert_int_eq(dfi_buf_tell(&f.buf), at);
        n = n * 5 % 69997 + 1;
    }
    ck_assert_int_eq(dfi_buf_read(&f.buf, out, (size_t)(TEST_SIZE - at) + 1, &f.err),
                     DF_E_TRUNCATED);
    ck_assert_int_eq(f.err.code, DF_E_TRUNCATED);
    ck_assert_int_ge(f.err.offset, at);
    ck_assert_int_le(f.err.offset, TEST_SIZE);
    fix_close(&f);
}
END_TEST

START_TEST(test_skip)
{
    fixture f;
    int64_t at = 0;
    const int64_t steps[] = {0, 1, 10, 4095, 4096, 4097, 12000, 3, 8192};

    fix_open(&f, loop_kind(_i), TEST_SIZE, loop_cap(_i), 4096);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        ck_assert_int_eq(dfi_buf_need(&f.buf, 16, &f.err), DF_OK);
        ck_assert_int_eq(dfi_buf_skip(&f.buf, steps[i], &f.err), DF_OK);
        at += steps[i];
        ck_assert_int_eq(dfi_buf_tell(&f.buf), at);
        ck_assert_int_eq(dfi_buf_need(&f.buf, 16, &f.err), DF_OK);
        ck_assert(pat_matches(dfi_buf_ptr(&f.buf), at, 16));
    }
    /* Skipping exactly to EOF is fine; one byte further is a truncation. */
    ck_assert_int_eq(dfi_buf_skip(&f.buf, TEST_SIZE - at, &f.err), DF_OK);
    ck_assert_int_eq(dfi_buf_tell(&f.buf), TEST_SIZE);
    ck_assert_int_eq(dfi_buf_fill(&f.buf, &f.err), DF_EOF);
    fix_close(&f);

    fix_open(&f, loop_kind(_i), TEST_SIZE, loop_cap(_i), 4096);
    ck_assert_int_eq(dfi_buf_skip(&f.buf, 1000, &f.err), DF_OK);
    ck_assert_int_eq(dfi_buf_skip(&f.buf, TEST_SIZE, &f.err), DF_E_TRUNCATED);
    ck_assert_int_eq(f.err.code, DF_E_TRUNCATED);
    /* The offset names where the input really ended. */
    ck_assert_int_eq(f.err.offset, TEST_SIZE);
    fix_close(&f);
}
END_TEST

START_TEST(test_seek_file)
{
    fixture f;
    const int64_t targets[] = {5000, 0, 30000, 29999, 40000, 17, 4096, 4095, TEST_SIZE - 1};

    fix_open(&f, KIND_FILE, TEST_SIZE, loop_cap(_i), 4096);
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        ck_assert_int_eq(dfi_buf_seek(&f.buf, targets[i], &f.err), DF_OK);
        ck_assert_int_eq(dfi_buf_tell(&f.buf), targets[i]);
        ck_assert_int_eq(dfi_buf_need(&f.buf, 1, &f.err), DF_OK);
        ck_assert(pat_matches(dfi_buf_ptr(&f.buf), targets[i], 1));
    }
    ck_assert_int_eq(dfi_buf_seek(&f.buf, TEST_SIZE, &f.err), DF_OK);
    ck_assert_int_eq(dfi_buf_fill(&f.buf, &f.err), DF_EOF);
    ck_assert_int_eq(dfi_buf_seek(&f.buf, TEST_SIZE + 10, &f.err), DF_E_TRUNCATED);
    ck_assert_int_le(f.err.offset, TEST_SIZE);
    ck_assert_int_ge(f.err.offset, 0);
    fix_close(&f);
}
END_TEST

START_TEST(test_seek_pipe)
{
    fixture f;

    fix_open(&f, KIND_PIPE, TEST_SIZE, loop_cap(_i), 4096);
    /* Forward seeks on a pipe read and discard. */
    ck_assert_int_eq(dfi_buf_seek(&f.buf, 10, &f.err), DF_OK);
    ck_assert_int_eq(dfi_buf_need(&f.buf, 100, &f.err), DF_OK);
    ck_assert(pat_matches(dfi_buf_ptr(&f.buf), 10, 100));
    ck_assert_int_eq(dfi_buf_seek(&f.buf, 20000, &f.err), DF_OK);
    ck_assert_int_eq(dfi_buf_tell(&f.buf), 20000);
    ck_assert_int_eq(dfi_buf_need(&f.buf, 64, &f.err), DF_OK);
    ck_assert(pat_matches(dfi_buf_ptr(&f.buf), 20000, 64));
    /* Back to a position the pipe has long passed: NOSEEK, nothing moves. */
    ck_assert_int_eq(dfi_buf_seek(&f.buf, 20, &f.err), DF_E_NOSEEK);
    ck_assert_int_eq(f.err.code, DF_E_NOSEEK);
    ck_assert_int_ge(f.err.offset, 0);
    ck_assert_int_eq(dfi_buf_tell(&f.buf), 20000);
    ck_assert_int_eq(dfi_buf_need(&f.buf, 64, &f.err), DF_OK);
    ck_assert(pat_matches(dfi_buf_ptr(&f.buf), 20000, 64));
    /* Forward past the end of a pipe: truncated at the real end. */
    ck_assert_int_eq(dfi_buf_seek(&f.buf, TEST_SIZE + 5, &f.err), DF_E_TRUNCATED);
    ck_assert_int_eq(f.err.offset, TEST_SIZE);
    fix_close(&f);
}
END_TEST

START_TEST(test_seek_back_in_window)
{
    fixture f;

    /* A step back inside the bytes still in the window works on a pipe too. */
    fix_open(&f, loop_kind(_i), TEST_SIZE, loop_cap(_i), 4096);
    ck_assert_int_eq(dfi_buf_need(&f.buf, 200, &f.err), DF_OK);
    dfi_buf_consume(&f.buf, 150);
    ck_assert_int_eq(dfi_buf_seek(&f.buf, 100, &f.err), DF_OK);
    ck_assert_int_eq(dfi_buf_tell(&f.buf), 100);
    ck_assert_int_eq(dfi_buf_need(&f.buf, 300, &f.err), DF_OK);
    ck_assert(pat_matches(dfi_buf_ptr(&f.buf), 100, 300));
    fix_close(&f);
}
END_TEST

START_TEST(test_limit)
{
    fixture f;
    uint8_t tmp[1000];

    fix_open(&f, loop_kind(_i), TEST_SIZE, loop_cap(_i), 4096);
    f.buf.limit = 1000;
    ck_assert_int_eq(dfi_buf_read(&f.buf, tmp, 1000, &f.err), DF_OK);
    ck_assert(pat_matches(tmp, 0, 1000));
    /* The limit acts as end of input. */
    ck_assert_int_eq(dfi_buf_fill(&f.buf, &f.err), DF_EOF);
    ck_assert_int_eq(dfi_buf_need(&f.buf, 1, &f.err), DF_E_TRUNCATED);
    ck_assert_int_eq(f.err.offset, 1000);
    fix_close(&f);

    fix_open(&f, loop_kind(_i), TEST_SIZE, loop_cap(_i), 4096);
    f.buf.limit = 5000;
    ck_assert_int_eq(dfi_buf_skip(&f.buf, 4000, &f.err), DF_OK);
    ck_assert_int_eq(dfi_buf_skip(&f.buf, 1001, &f.err), DF_E_TRUNCATED);
    ck_assert_int_le(f.err.offset, 5000);
    ck_assert_int_ge(f.err.offset, 4000);
    fix_close(&f);
}
END_TEST

START_TEST(test_small_window)
{
    fixture f;
    int64_t at = 0;

    /* A 7-byte window still serves the whole input through compaction. */
    fix_open(&f, loop_kind(_i), 20000, loop_cap(_i), 7);
    while (at + 7 <= 20000) {
        ck_assert_int_eq(dfi_buf_need(&f.buf, 7, &f.err), DF_OK);
        ck_assert(pat_matches(dfi_buf_ptr(&f.buf), at, 7));
        dfi_buf_consume(&f.buf, 3);
        at += 3;
    }
    /* More than the window can ever hold is refused, not overrun. */
    ck_assert_int_lt(dfi_buf_need(&f.buf, 8, &f.err), 0);
    fix_close(&f);
}
END_TEST

START_TEST(test_empty_input)
{
    fixture f;

    fix_open(&f, loop_kind(_i), 0, loop_cap(_i), 4096);
    ck_assert_int_eq(dfi_buf_fill(&f.buf, &f.err), DF_EOF);
    ck_assert_int_eq(dfi_buf_need(&f.buf, 1, &f.err), DF_E_TRUNCATED);
    ck_assert_int_eq(f.err.offset, 0);
    ck_assert_int_eq(dfi_buf_skip(&f.buf, 1, &f.err), DF_E_TRUNCATED);
    ck_assert_int_eq(f.err.offset, 0);
    fix_close(&f);
}
END_TEST

/*
 * A pseudo-random forward-only script of need/consume/read/skip/seek/fill
 * whose transcript (codes, positions, a hash of every byte seen) must be
 * the same for every io cap and for file and pipe.
 */
static uint64_t run_script(int kind, size_t io_cap, size_t cap)
{
    fixture f;
    uint64_t h = 1469598103934665603ULL;
    uint32_t seed = 12345;
    static uint8_t tmp[20000];

    fix_open(&f, kind, TEST_SIZE, io_cap, cap);
    for (int step = 0; step < 2000; step++) {
        uint32_t r;
        size_t n;
        int rc = DF_OK;

        seed = seed * 1103515245u + 12345u;
        r = seed >> 8;
        n = (r >> 3) % 300;
        switch (r % 6) {
        case 0:
            n = n % cap + 1;
            rc = dfi_buf_need(&f.buf, n, &f.err);
            if (rc == DF_OK)
                for (size_t i = 0; i < n; i++)
                    h = (h ^ dfi_buf_ptr(&f.buf)[i]) * 1099511628211ULL;
            break;
        case 1:
            /* consume() clamps to what is buffered, which depends on the io
             * cap; so only consume what need() has just guaranteed. */
            n = n % cap + 1;
            rc = dfi_buf_need(&f.buf, n, &f.err);
            if (rc == DF_OK)
                dfi_buf_consume(&f.buf, n);
            break;
        case 2:
            n *= 50;
            rc = dfi_buf_read(&f.buf, tmp, n, &f.err);
            if (rc == DF_OK)
                for (size_t i = 0; i < n; i++)
                    h = (h ^ tmp[i]) * 1099511628211ULL;
            break;
        case 3: rc = dfi_buf_skip(&f.buf, (int64_t)n * 13, &f.err); break;
        case 4: rc = dfi_buf_seek(&f.buf, dfi_buf_tell(&f.buf) + (int64_t)n, &f.err); break;
        default: rc = dfi_buf_fill(&f.buf, &f.err); break;
        }
        h = (h ^ (uint64_t)(rc + 100)) * 1099511628211ULL;
        /* After a failure only the reported offset is defined. */
        h = (h ^ (uint64_t)(rc < 0 ? f.err.offset : dfi_buf_tell(&f.buf))) * 1099511628211ULL;
        if (rc < 0)
            break;
    }
    fix_close(&f);
    return h;
}

START_TEST(test_io_cap_identical)
{
    /* Every io cap, file and pipe, two window sizes: compare against io cap 0
     * on a regular file. */
    const size_t caps[] = {4096, 600};
    for (size_t c = 0; c < 2; c++) {
        uint64_t want = run_script(KIND_FILE, 0, caps[c]);
        for (int i = 0; i < N_LOOP; i++)
            ck_assert_msg(run_script(loop_kind(i), loop_cap(i), caps[c]) == want,
                          "kind %d io cap %zu window %zu differs", loop_kind(i), loop_cap(i),
                          caps[c]);
    }
}
END_TEST

START_TEST(test_src_open_path_missing)
{
    dfi_src s;
    df_error err;

    memset(&s, 0, sizeof s);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(dfi_src_open_path(&s, "/nonexistent/dir/file.dump", &err), DF_E_NOTFOUND);
    ck_assert_int_eq(err.code, DF_E_NOTFOUND);
    ck_assert_int_eq(err.sys_errno, ENOENT);
    ck_assert_str_ne(err.message, "");
}
END_TEST

START_TEST(test_src_positions)
{
    dfi_src s;
    df_error err;
    uint8_t tmp[64];
    int fd = temp_file(1000);

    /* An fd handed over mid-file starts at its current position. */
    ck_assert_int_eq(lseek(fd, 100, SEEK_SET), 100);
    memset(&s, 0, sizeof s);
    ck_assert_int_eq(dfi_src_open_fd(&s, fd, &err), DF_OK);
    ck_assert_int_eq(s.pos, 100);
    ck_assert_int_eq(s.size, 1000);
    s.io_cap = 3;
    ck_assert_int_eq(dfi_src_read(&s, tmp, sizeof tmp, &err), 3);
    ck_assert(pat_matches(tmp, 100, 3));
    ck_assert_int_eq(s.pos, 103);
    ck_assert_int_eq(dfi_src_seek(&s, 990, &err), DF_OK);
    s.io_cap = 0;
    ck_assert_int_eq(dfi_src_read(&s, tmp, sizeof tmp, &err), 10);
    ck_assert(pat_matches(tmp, 990, 10));
    ck_assert_int_eq(dfi_src_read(&s, tmp, sizeof tmp, &err), 0);
    dfi_src_close(&s);
    /* The fd was borrowed: still open. */
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    close(fd);
}
END_TEST

static Suite *buf_suite(void)
{
    Suite *s = suite_create("buf");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_need_consume, 0, N_LOOP);
    tcase_add_loop_test(tc, test_fill_to_eof, 0, N_LOOP);
    tcase_add_loop_test(tc, test_need_past_eof, 0, N_LOOP);
    tcase_add_loop_test(tc, test_read, 0, N_LOOP);
    tcase_add_loop_test(tc, test_skip, 0, N_LOOP);
    tcase_add_loop_test(tc, test_seek_file, 0, (int)N_IO_CAPS);
    tcase_add_loop_test(tc, test_seek_pipe, 0, (int)N_IO_CAPS);
    tcase_add_loop_test(tc, test_seek_back_in_window, 0, N_LOOP);
    tcase_add_loop_test(tc, test_limit, 0, N_LOOP);
    tcase_add_loop_test(tc, test_small_window, 0, N_LOOP);
    tcase_add_loop_test(tc, test_empty_input, 0, N_LOOP);
    tcase_add_test(tc, test_io_cap_identical);
    tcase_add_test(tc, test_src_open_path_missing);
    tcase_add_test(tc, test_src_positions);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(buf_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
