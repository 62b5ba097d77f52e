/*
 * cpuload.c — how many CPUs the other processes of the machine leave to this one, so that the
 * verifier starts (and keeps) a COPY checker thread only where a CPU would really idle.
 *
 * Why: with every CPU of the set busy (another job on the second core of two), a checker thread
 * beside its decoder only adds hand-offs and cache misses: `-j 2` ran 2-18% slower than `-j 1`.
 * Counting our own busy threads cannot see that; /proc/stat can: the machine's busy time minus
 * our own CPU time, over the last window, is what the others use.  Without /proc/stat the
 * answer is every CPU of the set, which is what the verifier assumed before.
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "cpuload.h"

#include <sched.h>
#include <stdio.h>
#include <time.h>

#define WINDOW_NS 100000000LL /* a new sample at most every 100 ms */

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t self_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The machine's busy and total time in clock ticks, from the first line of /proc/stat. */
static bool read_stat(uint64_t *busy, uint64_t *total)
{
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "re");
    int n;

    if (f == NULL)
        return false;
    n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    if (n < 4)
        return false;
    *total = 0;
    for (int i = 0; i < 8; i++)
        *total += v[i];
    /* idle and iowait are not busy; nor is steal (v[7]): time the hypervisor gave another
       machine is not a process here competing for the CPU, and on a virtual machine it comes
       and goes by the tick, turning the checker thread off and on for nothing */
    *busy = *total - v[3] - v[4] - v[7];
    return true;
}

static void take_sample(dfi_cpuload *l, int64_t now)
{
    l->t_wall = now;
    l->t_self = self_cpu_ns();
    l->ok = read_stat(&l->sys_busy, &l->sys_total);
}

/* The CPUs of this process's set (taskset, cgroup cpusets), at most `most`. */
static int cpus_of_set(int most)
{
    cpu_set_t set;
    int n = 0;

    if (sched_getaffinity(0, sizeof set, &set) == 0)
        n = CPU_COUNT(&set);
    if (n <= 0)
        n = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (n <= 0 || n > most)
        n = most;
    return n > 0 ? n : 1;
}

void dfi_cpuload_init(dfi_cpuload *l, int threads)
{
    l->ncpu = cpus_of_set(threads);
    l->avail = l->ncpu;
    l->avail_bits = (int64_t)l->ncpu * 1000;
    l->hz = sysconf(_SC_CLK_TCK);
    if (l->hz <= 0)
        l->hz = 100;
    pthread_mutex_init(&l->mu, NULL);
    take_sample(l, mono_ns());
}

void dfi_cpuload_free(dfi_cpuload *l)
{
    pthread_mutex_destroy(&l->mu);
}

/* A new estimate from the window since the last sample. */
static void update(dfi_cpuload *l, int64_t now)
{
    uint64_t busy0 = l->sys_busy;
    int64_t wall0 = l->t_wall, self0 = l->t_self;
    bool ok0 = l->ok;
    double wall, others;

    take_sample(l, now);
    if (!ok0 || !l->ok || l->sys_busy < busy0)
        return;
    wall = (double)(now - wall0) / 1e9;
    others = (double)(l->sys_busy - busy0) / (double)l->hz - (double)(l->t_self - self0) / 1e9;
    others /= wall;
    if (others < 0)
        others = 0;
    l->avail = (double)l->ncpu - others;
    if (l->avail < 0)
        l->avail = 0;
}

double dfi_cpuload_avail(dfi_cpuload *l)
{
    int64_t now = mono_ns();
    double a;

    /* One thread samples; the others take the last answer rather than wait for it. */
    if (pthread_mutex_trylock(&l->mu) != 0)
        return __atomic_load_n(&l->avail_bits, __ATOMIC_RELAXED) / 1000.0;
    if (now - l->t_wall >= WINDOW_NS)
        update(l, now);
    a = l->avail;
    __atomic_store_n(&l->avail_bits, (int64_t)(a * 1000.0), __ATOMIC_RELAXED);
    pthread_mutex_unlock(&l->mu);
    return a;
}
