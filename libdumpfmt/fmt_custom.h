/*
 * fmt_custom.h — the custom format's framing constants (spec §5), private to
 * its reader/walker (fmt_custom.c) and its writer (fmt_custom_write.c), so
 * that the format's bytes are named in the files of that format only.
 */
#ifndef DF_FMT_CUSTOM_H
#define DF_FMT_CUSTOM_H

/* The block type byte before a block's dump id (pg_dump's BLK_DATA / BLK_BLOBS). */
#define BLK_DATA 1
#define BLK_BLOBS 3

#endif
