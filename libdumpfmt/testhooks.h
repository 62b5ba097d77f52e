/*
 * testhooks.h — knobs for the library's own tests, not part of the public
 * API (dumpfmt.h) nor exported by the shared library: the tests link the
 * static build.  Nothing a program should tune lives here; results never
 * depend on these.
 */
#ifndef DF_TESTHOOKS_H
#define DF_TESTHOOKS_H

#include "dumpfmt.h"

/*
 * Cap every read(2) the reader issues at `n` bytes (0 = no cap), so that the
 * corpus tests (1, 3, 7 ...) show parsing does not depend on how input
 * arrives.  Must be called before opening.
 */
void df_reader_set_io_size(df_reader *r, size_t n);

#endif
