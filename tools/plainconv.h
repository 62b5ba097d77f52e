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
 * numbers unless TOOL_PLAIN_FORCE (then each dropped one is named on
 * stderr, unless TOOL_PLAIN_QUIET); TOOL_PLAIN_SELECTING (a selection was
 * asked for) is refused: a script is converted whole.  Returns a TOOL_EXIT_*
 * (TOOL_EXIT_OK with *out set).
 */
enum { TOOL_PLAIN_FORCE = 1, TOOL_PLAIN_QUIET = 2, TOOL_PLAIN_SELECTING = 4 };
int tool_plain_model(const char *prog, const char *in, df_reader *r, int flags, df_toc **out);

#endif
