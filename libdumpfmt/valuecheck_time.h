/*
 * valuecheck_time.h — private to valuecheck_time.c, valuecheck_timefast.c and their tests: the
 * date/time checks' paths one by one, so that the tests can hold the fast paths against the
 * general one.
 */
#ifndef DUMPFMT_VALUECHECK_TIME_H
#define DUMPFMT_VALUECHECK_TIME_H

#include "valuecheck.h"

/* The server's MAX_TZDISP_HOUR: a zone's offset is at most 15 hours (and 59 minutes). */
#define DFI_TZ_MAXHOUR 15

/* dfi_check_datetime without its fast paths: the tokenizing check alone (DFI_VAL_*). */
DFI_HIDDEN int dfi_check_datetime_general(int kind, int enc, const char *s);
/* The byte-wise reading of pg_dump's shapes (valuecheck_time.c): true = valid; false: ask
   dfi_check_datetime_general. */
DFI_HIDDEN bool dfi_datetime_bytes(int kind, const uint8_t *p, size_t n);
/* The word-at-a-time reading of the usual shapes alone (dfi_datetime_fast tries it first):
   true = valid; false: not known. */
DFI_HIDDEN bool dfi_datetime_quick(int kind, const uint8_t *p, size_t n);
/* The same with timestamps read in 64-bit words, as without SSE2 (so that the tests hold that
   reading too). */
DFI_HIDDEN bool dfi_datetime_quick_words(int kind, const uint8_t *p, size_t n);

#endif /* DUMPFMT_VALUECHECK_TIME_H */
