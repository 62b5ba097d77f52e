/*
 * verify.h — private to the verifier (verify*.c) and its tests.  For now the
 * COPY text checker (copycheck.h); the verifier's own shared state follows
 * as verify.c is split by concern.  Not installed.
 */
#ifndef DUMPFMT_VERIFY_H
#define DUMPFMT_VERIFY_H

#include "copycheck.h"
#include "internal.h"

#endif /* DUMPFMT_VERIFY_H */
