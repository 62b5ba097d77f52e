/*
 * restore_proc.c — dumprestore's child programs (pg_restore, psql, vacuumdb,
 * initdb, pg_ctl): each in a process group of its own so that SIGINT or
 * SIGTERM stops all of it, optionally as the postgres user; and the signal
 * flag the phases read to stop early and clean up.
 */
#define _GNU_SOURCE /* initgroups */
#include "restore.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * SIGINT/SIGTERM during a run: the restore program and a drill's cluster must be stopped
 * and deleted before we exit, so the handler only records the signal (the one piece of
 * mutable global state: a signal handler has nowhere else to write).
 */
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    got_signal = sig;
}

void dr_install_signals(int hup)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (hup)
        sigaction(SIGHUP, &sa, NULL);
}

int dr_signal(void)
{
    return (int)got_signal;
}

void dr_program(const dr_run *run, const char *name, char *buf, size_t n)
{
    if (run->bindir[0] != '\0')
        snprintf(buf, n, "%s/%s", run->bindir, name);
    else
        snprintf(buf, n, "%s", name);
}

/* Become `user` (the server refuses to run as root); before exec in a child. */
static int become(const char *user)
{
    struct passwd *pw = getpwnam(user);

    if (pw == NULL || initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
        setuid(pw->pw_uid) != 0)
        return -1;
    return 0;
}

int dr_run_program(char *const argv[], int out_fd, int err_fd, const char *as_user,
                   int stoppable)
{
    pid_t pid = fork();
    int status;

    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        setpgid(0, 0);
        dup2(null, 0);
        dup2(out_fd >= 0 ? out_fd : null, 1);
        dup2(err_fd >= 0 ? err_fd : null, 2);
        if (as_user != NULL && become(as_user) != 0)
            _exit(126);
        execvp(argv[0], argv);
        _exit(127);
    }
    setpgid(pid, pid); /* also here: a signal may come before the child ran setpgid */
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
        if (got_signal && stoppable)
            kill(-pid, SIGTERM);
    }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

void dr_program_output(char *const argv[], char *buf, size_t n)
{
    FILE *tmp = tmpfile();

    buf[0] = '\0';
    if (tmp == NULL)
        return;
    if (dr_run_program(argv, fileno(tmp), -1, NULL, 1) == 0) {
        size_t k;
        rewind(tmp);
        k = fread(buf, 1, n - 1, tmp);
        buf[k] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
    }
    fclose(tmp);
}

/* `<bindir>/pg_restore --version` says "pg_restore (PostgreSQL) 15.4". */
int dr_pg_restore_major(const dr_run *run)
{
    char prog[1100], buf[256];
    char *argv[] = {prog, "--version", NULL};

    dr_program(run, "pg_restore", prog, sizeof prog);
    dr_program_output(argv, buf, sizeof buf);
    return tool_pg_restore_version_major(buf);
}
