/*
 * entrytype.h — private: the one table of TOC entry types.  For each desc
 * pg_dump writes: the section pg_dump gives it, the section pg_restore
 * derives for archives before 1.11, pg_restore's restore pass, the lock
 * class of its post-data statement under pg_restore -j, and the kinds the
 * analyses group types by.  Code asks about a type by its DFI_ET_ name or
 * a DFI_EK_ kind, never by comparing desc strings of its own.
 */
#ifndef DUMPFMT_ENTRYTYPE_H
#define DUMPFMT_ENTRYTYPE_H

#include "internal.h"

/* Every entry type the library knows, in the table's (strcmp) order; 0: any other. */
enum {
    DFI_ET_UNKNOWN = 0,
    DFI_ET_ACCESS_METHOD,
    DFI_ET_ACL,
    DFI_ET_ACL_LANGUAGE,
    DFI_ET_AGGREGATE,
    DFI_ET_BLOB,
    DFI_ET_BLOB_COMMENTS,
    DFI_ET_BLOB_METADATA,
    DFI_ET_BLOBS,
    DFI_ET_CAST,
    DFI_ET_CHECK_CONSTRAINT,
    DFI_ET_COLLATION,
    DFI_ET_COMMENT,
    DFI_ET_CONSTRAINT,
    DFI_ET_CONVERSION,
    DFI_ET_DATABASE,
    DFI_ET_DATABASE_PROPERTIES,
    DFI_ET_DEFAULT,
    DFI_ET_DEFAULT_ACL,
    DFI_ET_DOMAIN,
    DFI_ET_DROP_DATABASE,
    DFI_ET_DROP_ROLE,
    DFI_ET_DROP_TABLESPACE,
    DFI_ET_ENCODING,
    DFI_ET_EVENT_TRIGGER,
    DFI_ET_EXTENSION,
    DFI_ET_FK_CONSTRAINT,
    DFI_ET_FOREIGN_DATA_WRAPPER,
    DFI_ET_FOREIGN_TABLE,
    DFI_ET_FUNCTION,
    DFI_ET_INDEX,
    DFI_ET_INDEX_ATTACH,
    DFI_ET_MATERIALIZED_VIEW,
    DFI_ET_MATERIALIZED_VIEW_DATA,
    DFI_ET_OPERATOR,
    DFI_ET_OPERATOR_CLASS,
    DFI_ET_OPERATOR_FAMILY,
    DFI_ET_PARAMETER_ACL,
    DFI_ET_POLICY,
    DFI_ET_PROCEDURAL_LANGUAGE,
    DFI_ET_PROCEDURE,
    DFI_ET_PSQL_META_COMMAND,
    DFI_ET_PUBLICATION,
    DFI_ET_PUBLICATION_TABLE,
    DFI_ET_PUBLICATION_TABLES_IN_SCHEMA,
    DFI_ET_ROLE,
    DFI_ET_ROLE_MEMBERSHIP,
    DFI_ET_ROLE_SETTINGS,
    DFI_ET_ROW_SECURITY,
    DFI_ET_RULE,
    DFI_ET_SCHEMA,
    DFI_ET_SEARCHPATH,
    DFI_ET_SECURITY_LABEL,
    DFI_ET_SEQUENCE,
    DFI_ET_SEQUENCE_OWNED_BY,
    DFI_ET_SEQUENCE_SET,
    DFI_ET_SERVER,
    DFI_ET_SHELL_TYPE,
    DFI_ET_SQL_STATEMENTS,
    DFI_ET_STATISTICS,
    DFI_ET_STATISTICS_DATA,
    DFI_ET_STDSTRINGS,
    DFI_ET_SUBSCRIPTION,
    DFI_ET_SUBSCRIPTION_TABLE,
    DFI_ET_TABLE,
    DFI_ET_TABLE_ATTACH,
    DFI_ET_TABLE_DATA,
    DFI_ET_TABLESPACE,
    DFI_ET_TEXT_SEARCH_CONFIGURATION,
    DFI_ET_TEXT_SEARCH_DICTIONARY,
    DFI_ET_TEXT_SEARCH_PARSER,
    DFI_ET_TEXT_SEARCH_TEMPLATE,
    DFI_ET_TRANSFORM,
    DFI_ET_TRIGGER,
    DFI_ET_TYPE,
    DFI_ET_USER_MAPPING,
    DFI_ET_VIEW,
    DFI_ET_COUNT
};

/* Kinds (bits): groups of types the analyses treat alike. */
enum {
    DFI_EK_TABLE = 1 << 0,       /* a table with columns and data: TABLE, FOREIGN TABLE */
    DFI_EK_RELATION = 1 << 1,    /* what "a table" can be for ownership: tables, views */
    DFI_EK_TABLELIKE = 1 << 2,   /* what pg_restore -t matches (_tocEntryRequired) */
    DFI_EK_ROUTINE = 1 << 3,     /* FUNCTION, AGGREGATE, PROCEDURE */
    DFI_EK_MEMBER = 1 << 4,      /* part of one relation (or sequence, or the LOs) */
    DFI_EK_ATTRIBUTE = 1 << 5,   /* only describes another object: goes wherever it goes */
    DFI_EK_OBJMETA = 1 << 6,     /* COMMENT, ACL, SECURITY LABEL: about one object */
    DFI_EK_DATABASE = 1 << 7,    /* DATABASE, DATABASE PROPERTIES */
    DFI_EK_SETTING = 1 << 8,     /* ENCODING, STDSTRINGS, SEARCHPATH */
    DFI_EK_OWNED = 1 << 9,       /* a restore sets its owner (ALTER ... OWNER TO), spec §11.1 */
    DFI_EK_CATALOG = 1 << 10,    /* makes an object the catalog must hold after a restore */
    DFI_EK_CONSTRAINT = 1 << 11, /* CONSTRAINT, CHECK CONSTRAINT, FK CONSTRAINT */
};

/*
 * Lock class of a post-data entry under pg_restore -j (identify_locking_
 * dependencies): it takes exclusive locks on the tables it depends on in
 * every pg_restore, only from pg_restore 12 on (every post-data entry but
 * an index), or never (CREATE INDEX takes a SHARE lock).
 */
enum { DFI_LOCK_EXCLUSIVE_12 = 0, DFI_LOCK_EXCLUSIVE, DFI_LOCK_SHARE };

typedef struct dfi_etype {
    int id; /* DFI_ET_* */
    const char *desc;
    int section;     /* DF_SECTION_* pg_dump gives it (scripts store none) */
    int old_section; /* DF_SECTION_* pg_restore derives before archive 1.11 */
    int pass;        /* pg_restore's restore pass: 0 main, 1 ACL, 2 post-ACL */
    int lock;        /* DFI_LOCK_* */
    unsigned kinds;  /* DFI_EK_* */
} dfi_etype;

/* The row of a desc; an unknown desc (or NULL) gets the row of DFI_ET_UNKNOWN. */
DFI_HIDDEN const dfi_etype *dfi_etype_of(const char *desc);

/* Is e of type id (DFI_ET_*)? */
DFI_HIDDEN bool dfi_et_is(const df_entry *e, int id);

/* Is e of any of the kinds (DFI_EK_* bits)? */
DFI_HIDDEN bool dfi_ek_is(const df_entry *e, unsigned kinds);

#endif /* DUMPFMT_ENTRYTYPE_H */
