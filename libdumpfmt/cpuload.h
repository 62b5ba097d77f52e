/*
 * cpuload.h — private: CPUs left to this process by the rest of the machine (cpuload.c).
 */
#ifndef DUMPFMT_CPULOAD_H
#define DUMPFMT_CPULOAD_H

#include "internal.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

typedef struct dfi_cpuload {
    pthread_mutex_t mu;
    int ncpu;           /* CPUs this process may run on */
    long hz;            /* clock ticks per second of /proc/stat */
    bool ok;            /* the last sample read /proc/stat */
    int64_t t_wall;     /* ns, monotonic, of the last sample */
    int64_t t_self;     /* ns of this process's CPU time at the last sample */
    uint64_t sys_busy;  /* the machine's busy ticks at the last sample */
    uint64_t sys_total;
    double avail;       /* CPUs the others left over the last window (ncpu until measured) */
    int64_t avail_bits; /* atomic: avail * 1000, for threads that do not sample */
} dfi_cpuload;

/* CPUs counted: those of the process's set, at most `threads` (the verifier's thread count). */
DFI_HIDDEN void dfi_cpuload_init(dfi_cpuload *l, int threads);
DFI_HIDDEN void dfi_cpuload_free(dfi_cpuload *l);
/* CPUs the rest of the machine left to this process lately; samples at most every 100 ms. */
DFI_HIDDEN double dfi_cpuload_avail(dfi_cpuload *l);

#endif
