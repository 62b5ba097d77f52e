/*
 * schedule.c — how `pg_restore -j N` will run an archive, simulated from
 * the TOC and measured sizes (spec §12).  The sizes are measured in
 * schedule_sizes.c, the fastest list order is searched in schedule_order.c.
 *
 * The simulator follows pg_restore's own code path step by step: the TOC
 * reordered by the list (-L moves listed entries to the end, in list
 * order), the size estimates of that release and format (offset deltas
 * over the reordered TOC for custom archives, stat() of the data files for
 * directories, none before 12), repoint_table_dependencies, the serial
 * pre-data part on the leader's connection, the ready set of that release
 * (FIFO list up to 11, an array re-sorted before each pick in 12-16, a
 * binary heap scanned in array order from 17), lock conflicts, restore
 * passes, and the post-fork leftovers.  Only durations are modelled: each
 * entry costs seconds from a small cost model (rows, bytes, index builds),
 * and running jobs share the machine's CPUs.
 */
#define _GNU_SOURCE /* qsort_r, sysconf(_SC_NPROCESSORS_ONLN) */

#include "schedule.h"
#include "entrytype.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* The library does not link libm. */
static double dmin(double a, double b)
{
    return a < b ? a : b;
}
static double dmax(double a, double b)
{
    return a > b ? a : b;
}

/* ------------------------------------------------------------------ */
/* Cost model                                                           */
/* ------------------------------------------------------------------ */

typedef struct cost_field {
    const char *name;
    size_t off;
} cost_field;

/* clang-format off */
#define CF(f) {#f, offsetof(df_cost_model, f)}
static const cost_field cost_fields[] = {
    CF(connect),    CF(finish),       CF(statement),   CF(data_job),   CF(copy_row),
    CF(copy_byte),  CF(json_factor),  CF(inflate_byte), CF(lo_each),   CF(index_row),
    CF(index_byte), CF(gin_factor),   CF(scan_byte),   CF(fk_row),     CF(compress_ratio),
    CF(row_bytes),  CF(cpus),         CF(job_cpus),    CF(uncertainty),
};
#undef CF
/* clang-format on */
#define N_COST_FIELDS (sizeof cost_fields / sizeof cost_fields[0])

static const char *const cost_names[N_COST_FIELDS + 1] = {
    "connect",    "finish",      "statement",    "data_job", "copy_row",
    "copy_byte",  "json_factor", "inflate_byte", "lo_each",  "index_row",
    "index_byte", "gin_factor",  "scan_byte",    "fk_row",   "compress_ratio",
    "row_bytes",  "cpus",        "job_cpus",     "uncertainty", NULL,
};

const char *const *df_cost_model_names(void)
{
    return cost_names;
}

/*
 * Calibrated with PostgreSQL 15.18 on an otherwise idle 2-CPU machine
 * (bench/order.sh --calibrate): per-entry times of pg_restore -v -j 1 and
 * -j 2 of the benchmark archive, whose two big tables (one with a jsonb
 * column, one without) separate the per-row, per-byte and json costs.
 * The index and foreign-key costs were then scaled by 1.15 so that the
 * index- and FK-heavy database of bench/fkgen.sql (33 indexes, 18 foreign
 * keys on 10 tables) is predicted within 8% of the CPU time its serial
 * restore took (the machine was too busy for wall times; bench/RESULTS.md).
 * uncertainty is the largest error of one calibration restore (26%).
 */
void df_cost_model_default(df_cost_model *m)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    memset(m, 0, sizeof *m);
    m->size = sizeof *m;
    m->connect = 0.010;
    m->finish = 0.20;
    m->statement = 0.0013;
    m->data_job = 0.0034;
    m->copy_row = 0.3e-6;
    m->copy_byte = 9.7e-9;
    m->json_factor = 4.0;
    m->inflate_byte = 2.5e-9;
    m->lo_each = 0.0005;
    m->index_row = 0.345e-6;
    m->index_byte = 0.98e-9;
    m->gin_factor = 4.0;
    m->scan_byte = 1.38e-9;
    m->fk_row = 0.29e-6;
    m->compress_ratio = 3.5;
    m->row_bytes = 100.0;
    m->cpus = cpus > 0 ? (double)cpus : 1.0;
    m->job_cpus = 1.15;
    m->uncertainty = 0.26;
}

void df_schedule_options_default(df_schedule_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->workers = 1;
}

int dfi_sched_take_options(const df_schedule_options *opt, df_schedule_options *o, df_cost_model *m,
                           df_error *err)
{
    int rc;

    if (opt == NULL)
        return dfi_fail(err, DF_E_USAGE, -1, "invalid schedule options");
    df_schedule_options_default(o);
    if ((rc = dfi_options_take(o, sizeof *o, opt, "df_schedule_options", err)) != DF_OK)
        return rc;
    df_cost_model_default(m);
    if ((rc = dfi_options_take(m, sizeof *m, o->cost, "df_cost_model", err)) != DF_OK)
        return rc;
    o->cost = m;
    return DF_OK;
}

int df_cost_model_set(df_cost_model *m, const char *name, double value, df_error *err)
{
    if (m == NULL || name == NULL)
        return dfi_fail(err, DF_E_USAGE, -1, "df_cost_model_set needs a model and a name");
    if (!(value >= 0) || isinf(value))
        return dfi_fail(err, DF_E_USAGE, -1, "cost %s: %g is not a finite value >= 0", name, value);
    for (size_t k = 0; k < N_COST_FIELDS; k++)
        if (strcmp(cost_fields[k].name, name) == 0) {
            memcpy((char *)m + cost_fields[k].off, &value, sizeof value);
            return DF_OK;
        }
    return dfi_fail(err, DF_E_USAGE, -1, "no cost named \"%s\"", name);
}

/* ------------------------------------------------------------------ */
/* Simulation state                                                     */
/* ------------------------------------------------------------------ */

/* A dependency list per entry as pg_restore holds it: stored ids, duplicates kept. */
typedef struct csr {
    size_t *start; /* n + 1 */
    size_t *v;
} csr;

typedef struct running {
    size_t entry; /* NONE_IDX = idle */
    double left;  /* work left, seconds at full speed */
    size_t job;   /* index into the job array */
} running;

typedef struct sim {
    const df_reader *r;
    const df_graph *g;
    const df_entry_size *sz;
    const df_cost_model *m;
    int family;
    int workers;
    int use_list;
    size_t n;
    size_t *toc; /* the TOC after -L: unlisted entries first, then the list */
    int *reqs;
    int64_t *est;  /* dataLength */
    size_t *tdata; /* TABLE -> its TABLE DATA (tableDataId), NONE_IDX */
    csr deps;      /* after repointing; entries in the TOC only */
    csr rev;
    csr lock;
    size_t *depcount;
    /* the pending list: a doubly linked list over entries (NONE_IDX ends) */
    size_t *pnext, *pprev;
    unsigned char *in_pending;
    size_t phead, ptail;
    /* the ready set */
    size_t *ready;
    size_t nready;
    bool sorted;
    int pass;
    running *run;
    double t;
    df_schedule *out;
} sim;

static const df_entry *ent(const sim *s, size_t i)
{
    return &s->r->entries[i];
}

int dfi_sched_family(int pg)
{
    if (pg <= 0)
        pg = 18;
    return pg >= 17 ? FAMILY_17 : pg >= 12 ? FAMILY_12 : FAMILY_11;
}

/* ---- the TOC as -L leaves it, and the restore bits ---- */

static void reorder_toc(sim *s, const size_t *order, size_t n, unsigned char *listed)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        if (order[i] < s->n)
            listed[order[i]] = 1;
    if (!s->use_list) {
        for (size_t i = 0; i < s->n; i++)
            s->toc[i] = i;
        return;
    }
    for (size_t i = 0; i < s->n; i++)
        if (!listed[i])
            s->toc[k++] = i;
    for (size_t i = 0; i < n; i++) /* a repeated id was ignored by pg_restore: keep the first */
        if (order[i] < s->n && listed[order[i]] == 1) {
            s->toc[k++] = order[i];
            listed[order[i]] = 2;
        }
}

static void restore_bits(sim *s, const df_schedule_options *o, const unsigned char *listed)
{
    df_list_options lo;

    df_list_options_default(&lo);
    lo.pg_restore_version = o->pg_restore_version;
    lo.create_db = o->create_db;
    (void)df_restore_reqs(s->r, &lo, s->reqs, NULL); /* fails only on misuse */
    if (!s->use_list)
        return;
    for (size_t i = 0; i < s->n; i++) {
        const df_entry *e = ent(s, i);
        bool special = s->reqs[i] == DF_REQ_SPECIAL || dfi_ek_is(e, DFI_EK_DATABASE);
        if (!listed[i] && !special)
            s->reqs[i] = 0;
    }
}

static bool restored(const sim *s, size_t i)
{
    return (s->reqs[i] & (DF_REQ_SCHEMA | DF_REQ_DATA | DF_REQ_STATS)) != 0;
}

/* ---- size estimates (dataLength), §12.1 ---- */

static void estimate_custom(sim *s)
{
    size_t prev = NONE_IDX;

    for (size_t k = 0; k < s->n; k++) {
        size_t i = s->toc[k];
        const df_entry *e = ent(s, i);
        if (e->offset_state != DF_OFFSET_SET)
            continue;
        if (prev != NONE_IDX && e->data_offset > ent(s, prev)->data_offset)
            s->est[prev] = e->data_offset - ent(s, prev)->data_offset;
        prev = i;
    }
    if (prev != NONE_IDX && s->r->hdr.file_size > ent(s, prev)->data_offset)
        s->est[prev] = s->r->hdr.file_size - ent(s, prev)->data_offset;
}

static void estimate_directory(sim *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const df_entry *e = ent(s, i);
        if (e->filename == NULL || (s->reqs[i] & DF_REQ_DATA) == 0)
            continue;
        s->est[i] = s->sz[i].file_size > 0 ? s->sz[i].file_size : 0;
        if (df_entry_is_blobs(e))
            s->est[i] *= 1024;
    }
}

/* A plain script as the directory archive made of it: its files hold the data bytes. */
static void estimate_plain(sim *s)
{
    for (size_t i = 0; i < s->n; i++)
        if ((s->reqs[i] & DF_REQ_DATA) != 0 && s->sz[i].bytes > 0)
            s->est[i] = s->sz[i].bytes;
}

static void estimate_sizes(sim *s)
{
    for (size_t i = 0; i < s->n; i++)
        s->est[i] = 0;
    if (s->family == FAMILY_11)
        return; /* no estimates before 12: the ready list is FIFO */
    if (s->r->hdr.format == DF_FORMAT_CUSTOM)
        estimate_custom(s);
    else if (s->r->hdr.format == DF_FORMAT_DIRECTORY)
        estimate_directory(s);
    else if (s->r->hdr.format == DF_FORMAT_PLAIN)
        estimate_plain(s);
}

/* ---- dependencies: repointed, counted, reversed, locking ---- */

static void map_table_data(sim *s)
{
    for (size_t i = 0; i < s->n; i++)
        s->tdata[i] = NONE_IDX;
    for (size_t i = 0; i < s->n; i++) {
        const df_entry *e = ent(s, i);
        if (dfi_et_is(e, DFI_ET_TABLE_DATA) && e->ndeps > 0) {
            ssize_t t = dfi_find_index(s->r, e->deps[0]);
            if (t >= 0)
                s->tdata[t] = i;
        }
    }
}

/* Stored dependency d of entry e, repointed as repoint_table_dependencies does. */
static size_t dep_target(sim *s, size_t e, size_t d)
{
    if (ent(s, e)->section == DF_SECTION_POST_DATA && s->tdata[d] != NONE_IDX) {
        size_t td = s->tdata[d];
        if (s->est[td] > s->est[e])
            s->est[e] = s->est[td];
        return td;
    }
    return d;
}

static int build_deps(sim *s)
{
    size_t total = 0, k = 0;

    for (size_t i = 0; i < s->n; i++)
        total += ent(s, i)->ndeps;
    s->deps.start = calloc(s->n + 1, sizeof *s->deps.start);
    s->deps.v = malloc((total ? total : 1) * sizeof *s->deps.v);
    if (s->deps.start == NULL || s->deps.v == NULL)
        return DF_E_NOMEM;
    for (size_t i = 0; i < s->n; i++) {
        const df_entry *e = ent(s, i);
        s->deps.start[i] = k;
        for (size_t d = 0; d < e->ndeps; d++) {
            ssize_t x = dfi_find_index(s->r, e->deps[d]);
            if (x >= 0) /* ids outside the TOC are discounted (fix_dependencies) */
                s->deps.v[k++] = dep_target(s, i, (size_t)x);
        }
    }
    s->deps.start[s->n] = k;
    return DF_OK;
}

static int build_reverse(sim *s)
{
    size_t total = s->deps.start[s->n];

    s->rev.start = calloc(s->n + 1, sizeof *s->rev.start);
    s->rev.v = malloc((total ? total : 1) * sizeof *s->rev.v);
    if (s->rev.start == NULL || s->rev.v == NULL)
        return DF_E_NOMEM;
    for (size_t k = 0; k < total; k++)
        s->rev.start[s->deps.v[k] + 1]++;
    for (size_t i = 0; i < s->n; i++)
        s->rev.start[i + 1] += s->rev.start[i];
    /* fix_dependencies fills revDeps walking the TOC as -L left it: that order is the
       order in which entries become ready together */
    for (size_t t = 0; t < s->n; t++) {
        size_t i = s->toc[t];
        for (size_t k = s->deps.start[i]; k < s->deps.start[i + 1]; k++)
            s->rev.v[s->rev.start[s->deps.v[k]]++] = i;
    }
    for (size_t i = s->n; i > 0; i--)
        s->rev.start[i] = s->rev.start[i - 1];
    s->rev.start[0] = 0;
    for (size_t i = 0; i < s->n; i++)
        s->depcount[i] = s->deps.start[i + 1] - s->deps.start[i];
    return DF_OK;
}

/* identify_locking_dependencies: which entries take exclusive locks, §12.3. */
static bool takes_locks(const sim *s, const df_entry *e)
{
    int lock = dfi_etype_of(e->desc)->lock;

    if (e->section != DF_SECTION_POST_DATA)
        return false;
    if (s->family == FAMILY_11)
        return lock == DFI_LOCK_EXCLUSIVE;
    return lock != DFI_LOCK_SHARE;
}

static int build_locks(sim *s)
{
    size_t total = s->deps.start[s->n], k = 0;

    s->lock.start = calloc(s->n + 1, sizeof *s->lock.start);
    s->lock.v = malloc((total ? total : 1) * sizeof *s->lock.v);
    if (s->lock.start == NULL || s->lock.v == NULL)
        return DF_E_NOMEM;
    for (size_t i = 0; i < s->n; i++) {
        s->lock.start[i] = k;
        if (!takes_locks(s, ent(s, i)))
            continue;
        for (size_t d = s->deps.start[i]; d < s->deps.start[i + 1]; d++) {
            const df_entry *t = ent(s, s->deps.v[d]);
            if (dfi_et_is(t, DFI_ET_TABLE_DATA) || dfi_et_is(t, DFI_ET_TABLE))
                s->lock.v[k++] = s->deps.v[d];
        }
    }
    s->lock.start[s->n] = k;
    return DF_OK;
}

/* has_lock_conflicts(a, b): a locks something b depends on. */
static bool lock_conflict(const sim *s, size_t a, size_t b)
{
    for (size_t j = s->lock.start[a]; j < s->lock.start[a + 1]; j++)
        for (size_t k = s->deps.start[b]; k < s->deps.start[b + 1]; k++)
            if (s->lock.v[j] == s->deps.v[k])
                return true;
    return false;
}

static bool conflicts_with_running(const sim *s, size_t e)
{
    for (int w = 0; w < s->workers; w++) {
        size_t x = s->run[w].entry;
        if (x != NONE_IDX && (lock_conflict(s, e, x) || lock_conflict(s, x, e)))
            return true;
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* Costs                                                                */
/* ------------------------------------------------------------------ */

static int64_t bytes_of(const sim *s, size_t i)
{
    const df_entry_size *z = &s->sz[i];
    bool compressed = s->r->hdr.compression != DF_COMPRESS_NONE;

    if (z->bytes >= 0)
        return z->bytes;
    if (z->stored >= 0)
        return compressed ? (int64_t)((double)z->stored * s->m->compress_ratio) : z->stored;
    return 0;
}

static int64_t rows_of(const sim *s, size_t i)
{
    if (s->sz[i].rows >= 0)
        return s->sz[i].rows;
    return s->m->row_bytes > 0 ? (int64_t)((double)bytes_of(s, i) / s->m->row_bytes) : 0;
}

/* Share of json/jsonb columns among the columns of a CREATE TABLE (0 when unknown). */
static double json_share(const char *defn)
{
    const char *p = defn ? strchr(defn, '(') : NULL;
    int depth = 0, cols = 1, json = 0;
    bool item_json = false;

    if (p == NULL)
        return 0;
    for (p++; *p && depth >= 0; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        else if (*p == ',' && depth == 0) {
            json += item_json;
            item_json = false;
            cols++;
        } else if (depth == 0 && strncasecmp(p, " json", 5) == 0)
            item_json = true;
    }
    json += item_json;
    return (double)json / cols;
}

static double data_cost(const sim *s, size_t i)
{
    const df_cost_model *m = s->m;
    double bytes = (double)bytes_of(s, i), rows = (double)rows_of(s, i), share = 0;
    ssize_t t = ent(s, i)->ndeps > 0 ? dfi_find_index(s->r, ent(s, i)->deps[0]) : -1;
    double c;

    if (t >= 0)
        share = json_share(ent(s, t)->defn);
    c = m->data_job + rows * m->copy_row + bytes * m->copy_byte * (1 + m->json_factor * share);
    if (s->r->hdr.compression != DF_COMPRESS_NONE)
        c += bytes * m->inflate_byte;
    return c;
}

static double blobs_cost(const sim *s, size_t i)
{
    const df_cost_model *m = s->m;
    double c =
        m->data_job + (double)rows_of(s, i) * m->lo_each + (double)bytes_of(s, i) * m->copy_byte;

    if (s->r->hdr.compression != DF_COMPRESS_NONE)
        c += (double)bytes_of(s, i) * m->inflate_byte;
    return c;
}

/* The data of the table an entry belongs to: rows and bytes (0 when none). */
static void table_size(const sim *s, int64_t table, double *rows, double *bytes)
{
    size_t td = table >= 0 ? s->tdata[table] : NONE_IDX;

    *rows = td != NONE_IDX ? (double)rows_of(s, td) : 0;
    *bytes = td != NONE_IDX ? (double)bytes_of(s, td) : 0;
}

static bool defn_has(const df_entry *e, const char *word)
{
    return e->defn != NULL && strstr(e->defn, word) != NULL;
}

static double build_factor(const sim *s, const df_entry *e)
{
    if (defn_has(e, "USING gin") || defn_has(e, "USING gist") || defn_has(e, "USING spgist") ||
        defn_has(e, "EXCLUDE USING"))
        return s->m->gin_factor;
    return 1.0;
}

static double index_cost(const sim *s, size_t i)
{
    const df_entry *e = ent(s, i);
    double rows, bytes;

    table_size(s, df_graph_owner(s->g, i), &rows, &bytes);
    if (defn_has(e, "USING brin"))
        return s->m->statement + bytes * s->m->scan_byte;
    return s->m->statement +
           build_factor(s, e) * (rows * s->m->index_row + bytes * s->m->index_byte);
}

static double check_cost(const sim *s, size_t i)
{
    double rows, bytes;

    if (defn_has(ent(s, i), "NOT VALID"))
        return s->m->statement;
    table_size(s, df_graph_owner(s->g, i), &rows, &bytes);
    return s->m->statement + bytes * s->m->scan_byte;
}

/* FK validation reads both tables (RI_Initial_Check's join). */
static double fk_cost(const sim *s, size_t i)
{
    const size_t *req;
    size_t nreq = df_graph_requires(s->g, i, &req);
    double rows = 0, bytes = 0, r1, b1;

    if (defn_has(ent(s, i), "NOT VALID"))
        return s->m->statement;
    for (size_t k = 0; k < nreq; k++)
        if (dfi_et_is(ent(s, req[k]), DFI_ET_TABLE)) {
            table_size(s, (int64_t)req[k], &r1, &b1);
            rows += r1;
            bytes += b1;
        }
    return s->m->statement + rows * s->m->fk_row + bytes * s->m->scan_byte;
}

/* REFRESH MATERIALIZED VIEW reads the tables the view reads. */
static double refresh_cost(const sim *s, size_t i)
{
    int64_t mv = df_graph_owner(s->g, i);
    const size_t *req;
    size_t nreq = mv >= 0 ? df_graph_requires(s->g, (size_t)mv, &req) : 0;
    double bytes = 0, r1, b1;

    for (size_t k = 0; k < nreq; k++) {
        table_size(s, (int64_t)req[k], &r1, &b1);
        bytes += b1;
    }
    return s->m->statement + bytes * s->m->scan_byte;
}

static bool is_index_constraint(const df_entry *e)
{
    return dfi_et_is(e, DFI_ET_CONSTRAINT) &&
           (defn_has(e, "PRIMARY KEY") || defn_has(e, "UNIQUE") || defn_has(e, "EXCLUDE"));
}

static double entry_cost(const sim *s, size_t i)
{
    const df_entry *e = ent(s, i);

    if (!restored(s, i))
        return 0;
    if (dfi_et_is(e, DFI_ET_TABLE_DATA))
        return data_cost(s, i);
    if (df_entry_is_blobs(e))
        return blobs_cost(s, i);
    if (dfi_et_is(e, DFI_ET_INDEX) || is_index_constraint(e))
        return defn_has(e, " ON ONLY ") ? s->m->statement : index_cost(s, i);
    if (dfi_et_is(e, DFI_ET_CHECK_CONSTRAINT) || dfi_et_is(e, DFI_ET_CONSTRAINT))
        return check_cost(s, i);
    if (dfi_et_is(e, DFI_ET_FK_CONSTRAINT))
        return fk_cost(s, i);
    if (dfi_et_is(e, DFI_ET_MATERIALIZED_VIEW_DATA))
        return refresh_cost(s, i);
    return s->m->statement;
}

/* ------------------------------------------------------------------ */
/* Jobs                                                                 */
/* ------------------------------------------------------------------ */

static int add_job(sim *s, size_t e, int worker, double start, double end, size_t *idx)
{
    df_schedule *o = s->out;

    if (o->njobs == o->capjobs) {
        size_t ncap = o->capjobs ? o->capjobs * 2 : 256;
        df_sched_job *nj = realloc(o->jobs, ncap * sizeof *nj);
        if (nj == NULL)
            return DF_E_NOMEM;
        o->jobs = nj;
        o->capjobs = ncap;
    }
    o->jobs[o->njobs] = (df_sched_job){e, worker, start, end, o->cost[e], s->est[e]};
    if (idx != NULL)
        *idx = o->njobs;
    o->njobs++;
    return DF_OK;
}

/* Run an entry on the leader's connection, alone. */
static int run_serial(sim *s, size_t e)
{
    double c = s->out->cost[e];
    int rc;

    if (!restored(s, e))
        return DF_OK;
    rc = add_job(s, e, -1, s->t, s->t + c, NULL);
    s->t += c;
    return rc;
}

/* ---- pending list ---- */

static void pending_append(sim *s, size_t e)
{
    s->pnext[e] = NONE_IDX;
    s->pprev[e] = s->ptail;
    if (s->ptail != NONE_IDX)
        s->pnext[s->ptail] = e;
    else
        s->phead = e;
    s->ptail = e;
    s->in_pending[e] = 1;
}

static void pending_remove(sim *s, size_t e)
{
    if (s->pprev[e] != NONE_IDX)
        s->pnext[s->pprev[e]] = s->pnext[e];
    else
        s->phead = s->pnext[e];
    if (s->pnext[e] != NONE_IDX)
        s->pprev[s->pnext[e]] = s->pprev[e];
    else
        s->ptail = s->pprev[e];
    s->in_pending[e] = 0;
}

/* ---- ready set: FIFO (<= 11), sorted array (12-16), binary heap (17+) ---- */

/* pg_restore's priority: larger dataLength first, then smaller dump id. */
static int prio_cmp(const sim *s, size_t a, size_t b)
{
    if (s->est[a] != s->est[b])
        return s->est[a] > s->est[b] ? -1 : 1;
    return ent(s, a)->dump_id < ent(s, b)->dump_id ? -1 : ent(s, a)->dump_id > ent(s, b)->dump_id;
}

/* binaryheap's compare: > 0 when a belongs nearer the top. */
static int heap_cmp(const sim *s, size_t a, size_t b)
{
    return -prio_cmp(s, a, b);
}

static void sift_up(sim *s, size_t k)
{
    size_t val = s->ready[k];

    while (k != 0) {
        size_t parent = (k - 1) / 2;
        if (heap_cmp(s, val, s->ready[parent]) <= 0)
            break;
        s->ready[k] = s->ready[parent];
        k = parent;
    }
    s->ready[k] = val;
}

static void sift_down(sim *s, size_t k)
{
    size_t val = s->ready[k];

    for (;;) {
        size_t l = 2 * k + 1, r = 2 * k + 2, swap = l;
        if (r < s->nready && heap_cmp(s, s->ready[l], s->ready[r]) < 0)
            swap = r;
        if (l >= s->nready || heap_cmp(s, val, s->ready[swap]) >= 0)
            break;
        s->ready[k] = s->ready[swap];
        k = swap;
    }
    s->ready[k] = val;
}

static void ready_insert(sim *s, size_t e)
{
    s->ready[s->nready++] = e;
    s->sorted = false;
    if (s->family == FAMILY_17)
        sift_up(s, s->nready - 1);
}

/* binaryheap_remove_node, or removal keeping the order of the list/array. */
static void ready_remove(sim *s, size_t k)
{
    if (s->family == FAMILY_17) {
        size_t last = s->ready[--s->nready];
        int c;
        if (k == s->nready)
            return;
        c = heap_cmp(s, last, s->ready[k]);
        s->ready[k] = last;
        if (c > 0)
            sift_up(s, k);
        else if (c < 0)
            sift_down(s, k);
        return;
    }
    memmove(s->ready + k, s->ready + k + 1, (s->nready - k - 1) * sizeof *s->ready);
    s->nready--;
}

static int prio_cmp_r(const void *a, const void *b, void *ctx)
{
    return prio_cmp(ctx, *(const size_t *)a, *(const size_t *)b);
}

/* ready_list_sort: the comparison is a total order, so any sort gives pg_restore's result. */
static void sort_ready(sim *s)
{
    qsort_r(s->ready, s->nready, sizeof *s->ready, prio_cmp_r, s);
    s->sorted = true;
}

/* pop_next_work_item: the first ready entry (in that release's order) free of lock conflicts. */
static size_t pop_next(sim *s)
{
    if (s->family == FAMILY_12 && !s->sorted)
        sort_ready(s);
    for (size_t k = 0; k < s->nready; k++) {
        size_t e = s->ready[k];
        if (conflicts_with_running(s, e))
            continue;
        ready_remove(s, k);
        return e;
    }
    return NONE_IDX;
}

static void move_to_ready(sim *s)
{
    size_t e = s->phead;

    while (e != NONE_IDX) {
        size_t next = s->pnext[e];
        if (s->depcount[e] == 0 && df_entry_restore_pass(ent(s, e)) == s->pass) {
            pending_remove(s, e);
            ready_insert(s, e);
        }
        e = next;
    }
}

/* reduce_dependencies; with_ready = false in the pre-fork part (ready_list == NULL). */
static void reduce_deps(sim *s, size_t e, bool with_ready)
{
    for (size_t k = s->rev.start[e]; k < s->rev.start[e + 1]; k++) {
        size_t o = s->rev.v[k];
        if (s->depcount[o] > 0)
            s->depcount[o]--;
        if (s->depcount[o] == 0 && with_ready && s->in_pending[o] &&
            df_entry_restore_pass(ent(s, o)) == s->pass) {
            pending_remove(s, o);
            ready_insert(s, o);
        }
    }
}

/* ------------------------------------------------------------------ */
/* The restore                                                          */
/* ------------------------------------------------------------------ */

/* restore_toc_entries_prefork: pre-data on the leader, the rest to pending. */
static int prefork(sim *s)
{
    bool skipped_some = false;
    int rc = DF_OK;

    s->phead = s->ptail = NONE_IDX;
    for (size_t k = 0; k < s->n && rc == DF_OK; k++) {
        size_t e = s->toc[k];
        int sec = ent(s, e)->section;
        bool now = true;

        if (sec != DF_SECTION_PRE_DATA) {
            if (sec == DF_SECTION_DATA || sec == DF_SECTION_POST_DATA) {
                now = false;
                skipped_some = true;
            } else if (skipped_some) {
                now = false;
            }
        }
        if (df_entry_restore_pass(ent(s, e)) != 0)
            now = false;
        if (now) {
            rc = run_serial(s, e);
            reduce_deps(s, e, false);
        } else {
            pending_append(s, e);
        }
    }
    return rc;
}

static double share_rate(const sim *s)
{
    int busy = 0;

    for (int w = 0; w < s->workers; w++)
        busy += s->run[w].entry != NONE_IDX;
    if (busy == 0 || s->m->job_cpus <= 0 || s->m->cpus <= 0) /* 0: no sharing modelled */
        return 1.0;
    return dmin(1.0, s->m->cpus / (busy * s->m->job_cpus));
}

/* Let time pass until the next job ends; finish that one job (ListenToWorkers). */
static void finish_next(sim *s)
{
    double rate = share_rate(s), dt;
    int first = -1;

    for (int w = 0; w < s->workers; w++)
        if (s->run[w].entry != NONE_IDX && (first < 0 || s->run[w].left < s->run[first].left))
            first = w;
    if (first < 0)
        return;
    dt = rate > 0 ? s->run[first].left / rate : 0;
    for (int w = 0; w < s->workers; w++)
        if (s->run[w].entry != NONE_IDX)
            s->run[w].left = dmax(0, s->run[w].left - dt * rate);
    s->t += dt;
    s->out->jobs[s->run[first].job].end = s->t;
    reduce_deps(s, s->run[first].entry, true);
    s->run[first].entry = NONE_IDX;
}

static bool any_running(const sim *s)
{
    for (int w = 0; w < s->workers; w++)
        if (s->run[w].entry != NONE_IDX)
            return true;
    return false;
}

static int idle_worker(const sim *s)
{
    for (int w = 0; w < s->workers; w++)
        if (s->run[w].entry == NONE_IDX)
            return w;
    return -1;
}

static int dispatch(sim *s, size_t e)
{
    int w = idle_worker(s);
    size_t job;
    int rc = add_job(s, e, w, s->t, s->t, &job);

    s->run[w] = (running){e, s->out->cost[e], job};
    return rc;
}

/* A finished job whose status is already waiting (zero work left) is read without waiting. */
static void collect_finished(sim *s)
{
    for (int w = 0; w < s->workers; w++)
        if (s->run[w].entry != NONE_IDX && s->run[w].left <= 0) {
            finish_next(s);
            return;
        }
}

/* restore_toc_entries_parallel. */
static int parallel(sim *s)
{
    int rc = DF_OK;

    s->t += s->m->connect; /* the workers connect */
    s->pass = 0;
    move_to_ready(s);
    for (;;) {
        size_t e = pop_next(s);
        if (e != NONE_IDX) {
            if (!restored(s, e)) { /* not to be restored: "completed" at once */
                reduce_deps(s, e, true);
                continue;
            }
            if ((rc = dispatch(s, e)) != DF_OK)
                return rc;
            collect_finished(s);
            if (idle_worker(s) < 0)
                finish_next(s); /* WFW_ONE_IDLE */
        } else if (!any_running(s)) {
            if (s->pass == 2)
                break;
            s->pass++;
            move_to_ready(s);
        } else {
            finish_next(s); /* WFW_GOT_STATUS */
        }
    }
    return rc;
}

/* restore_toc_entries_postfork: what is still pending runs on the leader, serially. */
static int postfork(sim *s)
{
    int rc = DF_OK;

    s->t += s->m->connect;
    for (size_t e = s->phead; e != NONE_IDX && rc == DF_OK; e = s->pnext[e])
        rc = run_serial(s, e);
    return rc;
}

/* A restore without -j: main pass, ACL pass, post-ACL pass, each in TOC order (§11.2). */
static int serial_restore(sim *s)
{
    int rc = DF_OK;

    for (int pass = 0; pass <= 2 && rc == DF_OK; pass++)
        for (size_t k = 0; k < s->n && rc == DF_OK; k++)
            if (df_entry_restore_pass(ent(s, s->toc[k])) == pass)
                rc = run_serial(s, s->toc[k]);
    s->out->serial_end = s->t;
    return rc;
}

static int parallel_restore(sim *s)
{
    int rc = prefork(s);

    s->out->serial_end = s->t;
    if (rc == DF_OK)
        rc = parallel(s);
    if (rc == DF_OK)
        rc = postfork(s);
    return rc;
}

/* ---- critical path: the serial pre-data part, then the longest dependent chain ---- */

/* Which entries the pre-fork loop runs (same rules as prefork()). */
static void prefork_set(const sim *s, unsigned char *pre)
{
    bool skipped_some = false;

    for (size_t k = 0; k < s->n; k++) {
        size_t e = s->toc[k];
        int sec = ent(s, e)->section;
        bool now = sec == DF_SECTION_PRE_DATA || (sec == DF_SECTION_NONE && !skipped_some);

        if (sec == DF_SECTION_DATA || sec == DF_SECTION_POST_DATA)
            skipped_some = true;
        pre[e] = now && df_entry_restore_pass(ent(s, e)) == 0;
    }
}

/* Longest path (by cost) ending at each entry, over repointed dependencies, in TOC order
 * repeated until stable (dependencies can point forward after -L). */
static void longest_paths(const sim *s, const unsigned char *pre, double *lp, size_t *from)
{
    bool changed = true;

    for (size_t i = 0; i < s->n; i++) {
        lp[i] = pre[i] ? 0 : s->out->cost[i];
        from[i] = NONE_IDX;
    }
    for (int round = 0; changed && round < 64; round++) {
        changed = false;
        for (size_t i = 0; i < s->n; i++) {
            if (pre[i])
                continue;
            for (size_t k = s->deps.start[i]; k < s->deps.start[i + 1]; k++) {
                size_t d = s->deps.v[k];
                if (!pre[d] && lp[d] + s->out->cost[i] > lp[i] + 1e-12) {
                    lp[i] = lp[d] + s->out->cost[i];
                    from[i] = d;
                    changed = true;
                }
            }
        }
    }
}

static int critical_path(sim *s)
{
    size_t m = s->n ? s->n : 1, best = NONE_IDX, len = 0;
    unsigned char *pre = calloc(m, 1);
    double *lp = malloc(m * sizeof *lp), serial = 0;
    size_t *from = malloc(m * sizeof *from);
    int rc = pre && lp && from ? DF_OK : DF_E_NOMEM;

    if (rc == DF_OK) {
        prefork_set(s, pre);
        longest_paths(s, pre, lp, from);
        for (size_t i = 0; i < s->n; i++) {
            serial += pre[i] ? s->out->cost[i] : 0;
            if (!pre[i] && s->out->cost[i] > 0 && (best == NONE_IDX || lp[i] > lp[best]))
                best = i;
        }
        for (size_t x = best; x != NONE_IDX && len < s->n; x = from[x])
            len++;
        s->out->crit = malloc((len ? len : 1) * sizeof *s->out->crit);
        rc = s->out->crit ? DF_OK : DF_E_NOMEM;
    }
    if (rc == DF_OK) {
        size_t k = len;
        for (size_t x = best; x != NONE_IDX && k > 0; x = from[x])
            s->out->crit[--k] = x;
        s->out->ncrit = len;
        s->out->crit_len =
            s->m->connect * 2 + serial + (best != NONE_IDX ? lp[best] : 0) + s->m->finish;
    }
    free(pre);
    free(lp);
    free(from);
    return rc;
}

/* ---- setup ---- */

static int alloc_sim(sim *s)
{
    size_t m = s->n ? s->n : 1;

    s->toc = malloc(m * sizeof *s->toc);
    s->reqs = calloc(m, sizeof *s->reqs);
    s->out->est = calloc(m, sizeof *s->out->est);
    s->est = s->out->est; /* owned by the result */
    s->tdata = malloc(m * sizeof *s->tdata);
    s->depcount = calloc(m, sizeof *s->depcount);
    s->pnext = malloc(m * sizeof *s->pnext);
    s->pprev = malloc(m * sizeof *s->pprev);
    s->in_pending = calloc(m, 1);
    s->ready = malloc(m * sizeof *s->ready);
    s->run = malloc((size_t)s->workers * sizeof *s->run);
    s->out->cost = calloc(m, sizeof *s->out->cost);
    if (!s->toc || !s->reqs || !s->est || !s->tdata || !s->depcount || !s->pnext || !s->pprev ||
        !s->in_pending || !s->ready || !s->run || !s->out->cost)
        return DF_E_NOMEM;
    for (int w = 0; w < s->workers; w++)
        s->run[w] = (running){NONE_IDX, 0, 0};
    return DF_OK;
}

static void free_sim(sim *s)
{
    free(s->toc);
    free(s->reqs);
    free(s->tdata);
    free(s->deps.start);
    free(s->deps.v);
    free(s->rev.start);
    free(s->rev.v);
    free(s->lock.start);
    free(s->lock.v);
    free(s->depcount);
    free(s->pnext);
    free(s->pprev);
    free(s->in_pending);
    free(s->ready);
    free(s->run);
}

/* A plain script is simulated as the archive made of it (pg_dump -Fd, dumpconvert -F d). */
static bool can_run_parallel(const sim *s)
{
    const df_header *h = &s->r->hdr;

    if (s->workers > 1 && h->format == DF_FORMAT_PLAIN)
        return true;
    return s->workers > 1 && (h->format == DF_FORMAT_CUSTOM || h->format == DF_FORMAT_DIRECTORY) &&
           DF_MAKE_VERSION(h->vmaj, h->vmin, 0) >= DF_MAKE_VERSION(1, 8, 0);
}

static int prepare(sim *s, const size_t *order, size_t n, const df_schedule_options *o)
{
    unsigned char *listed = calloc(s->n ? s->n : 1, 1);
    int rc = listed ? alloc_sim(s) : DF_E_NOMEM;

    if (rc == DF_OK) {
        reorder_toc(s, order, n, listed);
        restore_bits(s, o, listed);
        estimate_sizes(s);
        map_table_data(s);
        rc = build_deps(s);
    }
    free(listed);
    if (rc == DF_OK)
        rc = build_reverse(s);
    if (rc == DF_OK)
        rc = build_locks(s);
    for (size_t i = 0; rc == DF_OK && i < s->n; i++)
        s->out->cost[i] = entry_cost(s, i);
    return rc;
}

static int run_sim(sim *s, const size_t *order, size_t n, const df_schedule_options *o)
{
    int rc = prepare(s, order, n, o);

    if (rc != DF_OK)
        return rc;
    s->t = s->m->connect;
    rc = can_run_parallel(s) ? parallel_restore(s) : serial_restore(s);
    if (rc == DF_OK) {
        s->t += s->m->finish;
        s->out->makespan = s->t;
        rc = critical_path(s);
    }
    return rc;
}

int df_schedule_simulate(const df_reader *r, const df_graph *g, const df_entry_size *sizes,
                         const size_t *order, size_t n, const df_schedule_options *o,
                         df_schedule **out, df_error *err)
{
    df_schedule_options opts;
    df_cost_model model;
    sim s;
    int rc;

    *out = NULL;
    if ((rc = dfi_sched_take_options(o, &opts, &model, err)) != DF_OK)
        return rc;
    o = &opts;
    if (o->workers < 1 || sizes == NULL || (o->use_list && order == NULL && n > 0))
        return dfi_fail(err, DF_E_USAGE, -1, "invalid schedule options");
    memset(&s, 0, sizeof s);
    s.r = r;
    s.g = g;
    s.sz = sizes;
    s.m = o->cost;
    s.family = dfi_sched_family(o->pg_restore_version);
    s.workers = o->workers;
    s.use_list = o->use_list;
    s.n = r->nentries;
    s.out = calloc(1, sizeof *s.out);
    if (s.out == NULL)
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    s.out->n = s.n;
    rc = run_sim(&s, order, n, o);
    free_sim(&s);
    if (rc != DF_OK) {
        df_schedule_free(s.out);
        return dfi_fail(err, rc, -1, "out of memory");
    }
    *out = s.out;
    return DF_OK;
}

double df_schedule_makespan(const df_schedule *s)
{
    return s->makespan;
}

size_t df_schedule_jobs(const df_schedule *s, const df_sched_job **jobs)
{
    *jobs = s->jobs;
    return s->njobs;
}

double df_schedule_critical_path(const df_schedule *s, const size_t **entries, size_t *n)
{
    *entries = s->crit;
    *n = s->ncrit;
    return s->crit_len;
}

double df_schedule_cost(const df_schedule *s, size_t i)
{
    return i < s->n ? s->cost[i] : 0;
}

int64_t df_schedule_estimate(const df_schedule *s, size_t i)
{
    return i < s->n ? s->est[i] : 0;
}

void df_schedule_free(df_schedule *s)
{
    if (s == NULL)
        return;
    free(s->cost);
    free(s->est);
    free(s->jobs);
    free(s->crit);
    free(s);
}
