/*
 * valuecheck_time.h — private to valuecheck_time.c and its tests: the date/time checks' paths
 * one by one, so that the tests can hold the fast paths against the general one.
 */
#ifndef DUMPFMT_VALUECHECK_TIME_H
#define DUMPFMT_VALUECHECK_TIME_H

#include "valuecheck.h"

/* dfi_check_datetime without its fast paths: the tokenizing check alone (DFI_VAL_*). */
DFI_HIDDEN int dfi_check_datetime_general(int kind, int enc, const char *s);
/* The word-at-a-time reading of the usual shapes alone (dfi_datetime_fast tries it first):
   true = valid; false: not known. */
DFI_HIDDEN bool dfi_datetime_quick(int kind, const uint8_t *p, size_t n);

#endif /* DUMPFMT_VALUECHECK_TIME_H */
