/*
 * lofacts.h — private: large-object reconciliation.  Which large objects
 * each BLOBS entry must hold according to the TOC, and how the OIDs found
 * in its data compare.  Plain inputs and outputs (the reader's entries, OID
 * arrays), no verifier state: the verifier turns the differences into
 * findings; repair and convert can ask the same questions.
 */
#ifndef DUMPFMT_LOFACTS_H
#define DUMPFMT_LOFACTS_H

#include "internal.h"

/* The large objects one BLOBS entry must hold. */
typedef struct dfi_lowant {
    uint32_t *oids; /* sorted; owned, freed with dfi_lowant_free */
    size_t n;
    bool known; /* the TOC says which (else the archive creates them in the data) */
} dfi_lowant;

/*
 * What each BLOBS entry must hold: from 1.16 the OIDs of the BLOB METADATA
 * entries it depends on; 1.12-1.15 every BLOB entry's OID, all in the one
 * BLOBS entry.  Older archives create LOs in the data.  blobs[i] says
 * whether entry i is a BLOBS data entry; want[0..ntoc) is filled (zeroed
 * first by the caller).  *nblob and *nblobs count the BLOB entries and the
 * BLOBS data entries.  DF_E_NOMEM when some OIDs were lost.
 */
DFI_HIDDEN int dfi_lo_expect(const df_reader *r, const bool *blobs, dfi_lowant *want, size_t *nblob,
                             size_t *nblobs);
DFI_HIDDEN void dfi_lowant_free(dfi_lowant *w);

/* The found OIDs against the wanted ones: how many of each kind, and the first. */
typedef struct dfi_lodiff {
    size_t missing, extra, dup; /* wanted not found; found not wanted; found twice */
    uint32_t first_missing, first_extra, first_dup;
} dfi_lodiff;

/* Compare got[0..ngot) (any order; sorted in place) with want.  No allocation. */
DFI_HIDDEN void dfi_lo_compare(const dfi_lowant *want, uint32_t *got, size_t ngot, dfi_lodiff *d);

#endif /* DUMPFMT_LOFACTS_H */
