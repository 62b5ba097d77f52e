/*
 * codec_gzip.h — private to codec_gzip.c and the tests: zlib-only twins of
 * the two gzip codecs, so both inflate engines (ISA-L when built in, zlib
 * always) can be exercised in one build.  Not part of internal.h on purpose:
 * the library itself only ever uses the table in codec.c.
 */
#ifndef DUMPFMT_CODEC_GZIP_H
#define DUMPFMT_CODEC_GZIP_H

#include "internal.h"

/* Same contract as dfi_codec_gzip_zlib / dfi_codec_gzip_file, always zlib. */
extern DFI_HIDDEN const dfi_codec dfi_codec_gzip_zlib_ref;
extern DFI_HIDDEN const dfi_codec dfi_codec_gzip_file_ref;

/* True when the default gzip codecs inflate with ISA-L (built with DF_HAVE_ISAL). */
DFI_HIDDEN bool dfi_gzip_uses_isal(void);

#endif /* DUMPFMT_CODEC_GZIP_H */
