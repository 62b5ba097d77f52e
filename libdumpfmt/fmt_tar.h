/*
 * fmt_tar.h — the tar format's framing constants (spec §7), private to its
 * reader/walker (fmt_tar.c) and its writer (fmt_tar_write.c), so that ustar
 * framing is named in the files of that format only.
 */
#ifndef DF_FMT_TAR_H
#define DF_FMT_TAR_H

/* A ustar header, and the unit member data are padded to. */
#define TAR_BLOCK 512

#endif
