/*
 * error.c — filling df_error records and naming status codes, formats,
 * compressions and sections.  Every fallible library call reports through
 * these helpers so messages and offsets look the same everywhere.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static void set_message(df_error *err, const char *fmt, va_list ap)
{
    vsnprintf(err->message, sizeof err->message, fmt, ap);
}

int dfi_fail(df_error *err, int code, int64_t offset, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    err->code = code;
    err->sys_errno = 0;
    err->offset = offset;
    va_start(ap, fmt);
    set_message(err, fmt, ap);
    va_end(ap);
    return code;
}

int dfi_fail_errno(df_error *err, int sys_errno, int64_t offset, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return DF_E_IO;
    err->code = DF_E_IO;
    err->sys_errno = sys_errno;
    err->offset = offset;
    va_start(ap, fmt);
    set_message(err, fmt, ap);
    va_end(ap);
    return DF_E_IO;
}

void dfi_error_clear(df_error *err)
{
    err->code = DF_OK;
    err->sys_errno = 0;
    err->offset = -1;
    err->member[0] = '\0';
    err->message[0] = '\0';
}

/*
 * Options structs start with their size so that they can grow without
 * breaking callers built against an older header: such a caller passes a
 * smaller size, and the fields it does not know keep the defaults already
 * in *dst.  A size of no known version (0, or larger than this library's)
 * is misuse: an uninitialised struct, or a header newer than the library.
 */
int dfi_options_take(void *dst, size_t known, const void *o, const char *what, df_error *err)
{
    size_t size;

    if (o == NULL)
        return DF_OK;
    memcpy(&size, o, sizeof size);
    if (size < sizeof size || size > known)
        return dfi_fail(err, DF_E_USAGE, -1,
                        "%s.size is %zu: set it with its _default function (this library "
                        "knows sizes up to %zu)",
                        what, size, known);
    memcpy(dst, o, size);
    memcpy(dst, &known, sizeof known);
    return DF_OK;
}

int dfi_reader_fail(const df_reader *r, int rc, df_error *err)
{
    if (err == NULL || rc == DF_OK)
        return rc;
    if (r != NULL && r->err.code == rc) {
        *err = r->err;
        return rc;
    }
    dfi_error_clear(err);
    return dfi_fail(err, rc, -1, "%s", rc == DF_E_NOMEM ? "out of memory" : df_strstatus(rc));
}

void dfi_error_set_member(df_error *err, const char *member)
{
    snprintf(err->member, sizeof err->member, "%s", member ? member : "");
}

const char *df_strstatus(int code)
{
    switch (code) {
    case DF_OK: return "ok";
    case DF_EOF: return "end";
    case DF_E_IO: return "io";
    case DF_E_NOMEM: return "nomem";
    case DF_E_FORMAT: return "format";
    case DF_E_VERSION: return "version";
    case DF_E_CORRUPT: return "corrupt";
    case DF_E_TRUNCATED: return "truncated";
    case DF_E_UNSUPPORTED: return "unsupported";
    case DF_E_LIMIT: return "limit";
    case DF_E_NOSEEK: return "noseek";
    case DF_E_USAGE: return "usage";
    case DF_E_NOTFOUND: return "notfound";
    default: return "unknown";
    }
}

const char *df_format_name(df_format f)
{
    switch (f) {
    case DF_FORMAT_CUSTOM: return "custom";
    case DF_FORMAT_DIRECTORY: return "directory";
    case DF_FORMAT_TAR: return "tar";
    case DF_FORMAT_PLAIN: return "plain";
    default: return "unknown";
    }
}

const char *df_compression_name(df_compression c)
{
    switch (c) {
    case DF_COMPRESS_NONE: return "none";
    case DF_COMPRESS_GZIP: return "gzip";
    case DF_COMPRESS_LZ4: return "lz4";
    case DF_COMPRESS_ZSTD: return "zstd";
    default: return "unknown";
    }
}

const char *df_section_name(int section)
{
    switch (section) {
    case DF_SECTION_NONE: return "none";
    case DF_SECTION_PRE_DATA: return "pre-data";
    case DF_SECTION_DATA: return "data";
    case DF_SECTION_POST_DATA: return "post-data";
    default: return "unknown";
    }
}
