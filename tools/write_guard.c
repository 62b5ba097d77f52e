/*
 * write_guard.c — SIGINT/SIGTERM while a tool writes an archive: a temporary file is removed
 * at once by the handler (unlink is async-signal-safe), a temporary directory by the writer,
 * which polls the cancel flag; then the tool dies of the signal, as a shell expects.  A tool
 * that builds a whole tree (write_guard_defer) removes it itself.  The state is global because
 * a signal handler can reach nothing else.
 */
#include "write_guard.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t g_cancel; /* the signal that asked to stop, 0 = none */
static char g_temp[4096];
static volatile sig_atomic_t g_temp_is_file;
static volatile sig_atomic_t g_defer; /* write_guard_defer: every signal only sets g_cancel */

static void on_signal(int sig)
{
    if (g_defer) {
        g_cancel = sig;
        return;
    }
    if (g_temp_is_file)
        unlink(g_temp);
    if (g_temp_is_file || g_cancel) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
    g_cancel = sig;
}

static void on_temp(void *ctx, const char *path, int is_dir)
{
    (void)ctx;
    g_temp_is_file = 0;
    if (path != NULL && strlen(path) < sizeof g_temp) {
        memcpy(g_temp, path, strlen(path) + 1);
        g_temp_is_file = !is_dir;
    }
}

void write_guard_catch(void)
{
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
}

void write_guard_install(df_write_options *wo)
{
    write_guard_catch();
    wo->cancel = (volatile const int *)&g_cancel;
    wo->on_temp = on_temp;
}

void write_guard_defer(void)
{
    g_defer = 1;
}

int write_guard_stopped(void)
{
    return g_cancel;
}

void write_guard_finish(void)
{
    if (g_cancel) {
        signal(g_cancel, SIG_DFL);
        raise(g_cancel);
    }
}
