/*
 * restore_drill.c — dumprestore --drill: initdb and pg_ctl a throwaway
 * cluster in a private temporary directory (a Unix socket there, never a
 * TCP port), run every phase into it, then stop and delete it, also when
 * a phase failed or a signal came.
 */
#define _GNU_SOURCE /* nftw */
#include "restore.h"
#include "pgtarget.h"

#include <ftw.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct dr_cluster {
    char dir[512]; /* private temporary directory: data/, the socket, logs */
    char data[600];
    char conninfo[1200];
    int started;
    const char *user; /* "postgres" when we are root, else NULL (ourselves) */
} dr_cluster;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void cluster_stop(dr_run *run, dr_cluster *cl)
{
    char ctl[1100], pidfile[700];
    char *stop[] = {ctl, "-D", cl->data, "-m", "immediate", "-w", "-t", "60", "stop", NULL};

    if (cl->dir[0] == '\0')
        return;
    dr_program(run, "pg_ctl", ctl, sizeof ctl);
    snprintf(pidfile, sizeof pidfile, "%s/postmaster.pid", cl->data);
    /* the stop itself must not be interrupted by the signal that brought us here */
    if (cl->started && access(pidfile, F_OK) == 0)
        dr_run_program(stop, -1, -1, cl->user, 0);
    nftw(cl->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    cl->dir[0] = '\0';
}

/* Where initdb and pg_ctl are: --pg-bindir, else pg_config --bindir, else PATH. */
static void find_bindir(dr_run *run)
{
    char *argv[] = {"pg_config", "--bindir", NULL};

    if (run->o->pg_bindir != NULL)
        snprintf(run->bindir, sizeof run->bindir, "%s", run->o->pg_bindir);
    else
        dr_program_output(argv, run->bindir, sizeof run->bindir);
}

/* The private directory, owned by the user the server runs as. */
static int make_dir(dr_cluster *cl, dr_phase *p)
{
    const char *parent = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    struct passwd *pw;

    cl->user = geteuid() == 0 ? "postgres" : NULL;
    snprintf(cl->dir, sizeof cl->dir, "%s/dumprestore-drill.XXXXXX", parent);
    if (mkdtemp(cl->dir) == NULL) {
        cl->dir[0] = '\0';
        dr_note(p, "could not create a temporary directory in %s", parent);
        return -1;
    }
    if (cl->user != NULL &&
        ((pw = getpwnam(cl->user)) == NULL || chown(cl->dir, pw->pw_uid, pw->pw_gid) != 0)) {
        dr_note(p, "running as root needs a \"postgres\" user");
        return -1;
    }
    snprintf(cl->data, sizeof cl->data, "%s/data", cl->dir);
    return 0;
}

static int cluster_start(dr_run *run, dr_cluster *cl, dr_phase *p)
{
    char initdb[1100], ctl[1100], opts[1400], log[700];
    int port = 20000 + (int)(getpid() % 20000);
    /* -N: no fsync, the cluster is thrown away */
    char *init[] = {initdb, "-D", cl->data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--locale=C", "-N", NULL};
    char *start[] = {ctl, "-D", cl->data, "-l", log, "-w", "-t", "120", "-o", opts, "start",
                     NULL};

    if (make_dir(cl, p) != 0)
        return -1;
    snprintf(log, sizeof log, "%s/server.log", cl->dir);
    dr_program(run, "initdb", initdb, sizeof initdb);
    dr_program(run, "pg_ctl", ctl, sizeof ctl);
    if (dr_run_program(init, -1, -1, cl->user, 1) != 0 || dr_signal()) {
        dr_note(p, "%s failed", initdb);
        return -1;
    }
    /* a Unix socket in the private directory only, never a TCP port; no durability needed */
    snprintf(opts, sizeof opts,
             "-c listen_addresses='' -c unix_socket_directories='%s' -p %d -c fsync=off "
             "-c full_page_writes=off -c synchronous_commit=off",
             cl->dir, port);
    cl->started = 1;
    if (dr_run_program(start, -1, -1, cl->user, 1) != 0 || dr_signal()) {
        dr_note(p, "the server did not start (see %s)", log);
        return -1;
    }
    snprintf(cl->conninfo, sizeof cl->conninfo, "host=%s port=%d user=postgres dbname=postgres",
             cl->dir, port);
    return 0;
}

/* The drill's database. */
static int cluster_createdb(dr_run *run, dr_cluster *cl, dr_phase *p)
{
    char err[DR_ERRLEN];
    int missing_db;
    pgt_conn *c;

    run->conninfo = cl->conninfo;
    if ((c = dr_connect(run, p, &missing_db)) == NULL)
        return -1;
    if (pgt_exec(c, "CREATE DATABASE drill TEMPLATE template0", err, sizeof err) != 0) {
        pgt_close(c);
        dr_note(p, "%s", err);
        return -1;
    }
    pgt_close(c);
    snprintf(cl->conninfo + strlen(cl->conninfo), sizeof cl->conninfo - strlen(cl->conninfo),
             " dbname=drill");
    return 0;
}

void dr_run_drill(dr_run *run)
{
    dr_cluster cl;
    dr_phase *p = dr_phase_begin(run, "cluster");

    memset(&cl, 0, sizeof cl);
    dr_install_signals(1);
    find_bindir(run);
    if (cluster_start(run, &cl, p) != 0 || cluster_createdb(run, &cl, p) != 0) {
        dr_phase_end(run, p, DF_VERDICT_UNKNOWN);
    } else {
        dr_note(p, "throwaway cluster in %s (%s)", cl.dir, run->bindir[0] ? run->bindir : "PATH");
        dr_phase_end(run, p, DF_VERDICT_OK);
        dr_run_phases(run, 1);
    }
    cluster_stop(run, &cl);
    run->conninfo = NULL; /* it named the cluster just deleted */
}
