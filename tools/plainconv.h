/*
 * plainconv.h — dumpconvert's plain-script input (tools/plainconv.c): the
 * TOC model of a pg_dump -Fp script, with its psql meta-commands refused or
 * dropped, as the tool reports them.
 */
#ifndef TOOLS_PLAINCONV_H
#define TOOLS_PLAINCONV_H

#include "common.h"

/*
 * The model of the plain script r (opened from `in`) in *out.  Meta-commands
 * other than \connect/\restrict/\unrestrict are refused with their line
 * numbers unless `force` (then each dropped one is named on stderr, unless
 * quiet).  Returns a TOOL_EXIT_* (TOOL_EXIT_OK with *out set).
 */
int tool_plain_model(const char *prog, const char *in, df_reader *r, int force, int quiet,
                     df_toc **out);

#endif
