/*
 * fuzz_walk_tar.c — libFuzzer target for the tar-format walker: the input
 * is a tar archive (other inputs — no "ustar" magic in the first 512-byte
 * header — are rejected so the fuzzer stays in this format), opened from a memfd
 * (members found by seeking) and from a pipe (members read in stream
 * order, re-reads refused).  Every member's data and every large object
 * is read.  Any DF_* status is fine; crashes, sanitizer reports, leaks and
 * hangs are the bugs.
 */
#define FUZZ_NAME "fuzz_walk_tar"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 512 || memcmp(data + 257, "ustar", 5) != 0)
        return -1;
    fuzz_walk_bytes(data, size);
    return 0;
}

#ifdef DF_REPLAY_MAIN
#include "fuzz_replay.h"
#endif
