/*
 * fuzz_walk_custom.c — libFuzzer target for the custom-format walker: the
 * input is a custom archive ("PGDMP" ...; other inputs are rejected so the
 * fuzzer stays in this format), opened from a memfd (seekable: data offsets
 * followed, entries read in TOC order and again in reverse) and from a pipe
 * (sequential: blocks found by scanning, re-reads refused).  Every data
 * block, chunk and large object is read.  Any DF_* status is fine; crashes,
 * sanitizer reports, leaks and hangs are the bugs.
 */
#define FUZZ_NAME "fuzz_walk_custom"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5 || memcmp(data, "PGDMP", 5) != 0)
        return -1;
    fuzz_walk_bytes(data, size);
    return 0;
}

#ifdef DF_REPLAY_MAIN
#include "fuzz_replay.h"
#endif
