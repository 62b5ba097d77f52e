/*
 * repair_write.c — dumprepair -o OUT: the -F/-Z options (as dumpconvert's)
 * and the write of the repaired archive by libdumpfmt
 * (df_salvage_write_archive), removed again on SIGINT/SIGTERM: complete or
 * absent.
 */
#include "repair.h"
#include "write_guard.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

int repair_parse_format(const char *arg, repair_options *o)
{
    o->format = !strcmp(arg, "c") || !strcmp(arg, "custom")      ? DF_FORMAT_CUSTOM
                : !strcmp(arg, "d") || !strcmp(arg, "directory") ? DF_FORMAT_DIRECTORY
                : !strcmp(arg, "t") || !strcmp(arg, "tar")       ? DF_FORMAT_TAR
                                                                 : DF_FORMAT_UNKNOWN;
    return o->format == DF_FORMAT_UNKNOWN ? -1 : 0;
}

/* METHOD[:LEVEL] or pg_dump's -Z N (gzip level N, 0 none). */
int repair_parse_compress(const char *arg, repair_options *o)
{
    static const char *const names[] = {"none", "gzip", "lz4", "zstd"};
    const char *colon = strchr(arg, ':');
    size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
    long v;

    o->comp = -1;
    for (int k = 0; k < 4; k++)
        if (strlen(names[k]) == n && strncmp(arg, names[k], n) == 0)
            o->comp = k;
    if (o->comp < 0 && tool_parse_long(arg, 0, 9, &v) == 0) {
        o->comp = v ? DF_COMPRESS_GZIP : DF_COMPRESS_NONE;
        o->level = v ? (int)v : -1;
        return 0;
    }
    if (o->comp < 0 || (colon && o->comp == DF_COMPRESS_NONE))
        return -1;
    if (colon && tool_parse_long(colon + 1, 0, 22, &v) != 0)
        return -1;
    o->level = colon ? (int)v : -1;
    return 0;
}

int repair_salvage_flags(const repair_options *o, df_format in)
{
    /* -o in the input's format and codec: a cut zlib/gzip stream is spliced */
    return (o->strict ? DF_SALVAGE_STRICT : 0) |
           (sysconf(_SC_NPROCESSORS_ONLN) > 1 ? DF_SALVAGE_THREADS : 0) |
           (o->output && o->comp < 0 && (o->format == DF_FORMAT_UNKNOWN || o->format == in)
                ? DF_SALVAGE_SPLICE
                : 0);
}

int repair_write(const repair_options *o, df_reader *r, const df_salvage *s,
                 df_write_summary *sum)
{
    df_write_options wo;
    df_error err;
    int rc;

    if (strcmp(o->output, "-") != 0 && tool_same_file(o->path, o->output)) {
        tool_errorf(REPAIR_PROG, "-o \"%s\" is the input archive; write a new file", o->output);
        return TOOL_EXIT_UNKNOWN;
    }
    df_write_options_default(&wo);
    wo.format = o->format;
    wo.compression = o->comp;
    wo.level = o->level;
    wo.workers = (int)tool_cpu_count();
    /* the kept rows of a broken stream are re-encoded: fast (deflate 1 is ~4x level 6) unless
       a level was asked for; intact blocks are still copied as stored */
    wo.fed_level = o->level < 0 ? 1 : 0;
    write_guard_install(&wo);
    memset(&err, 0, sizeof err);
    memset(sum, 0, sizeof *sum);
    rc = df_salvage_write_archive(r, s, o->output, &wo, sum, &err);
    write_guard_finish(); /* a signal stopped the writer: die of it */
    if (rc != DF_OK) {
        /* a fault of the input names the input; the rest is the output's */
        int in_fault = tool_exit_for_status(rc) == TOOL_EXIT_DAMAGED;
        tool_print_error(REPAIR_PROG, in_fault ? o->path : o->output, &err);
        return TOOL_EXIT_UNKNOWN;
    }
    return TOOL_EXIT_OK;
}
