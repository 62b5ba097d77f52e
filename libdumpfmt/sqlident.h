/*
 * sqlident.h — private: identifiers and dotted names in the SQL text of TOC
 * entries (COPY statements, setval() calls, column defaults, CREATE TABLE),
 * read as the server reads them.  Used by the COPY checker and the sequence
 * facts; the NAMEDATALEN cut is sqllex.c's, shared with the tokenizer of
 * roles_sql.c.
 */
#ifndef DUMPFMT_SQLIDENT_H
#define DUMPFMT_SQLIDENT_H

#include <stdbool.h>
#include <stddef.h>

/* Longest identifier the server keeps (NAMEDATALEN - 1 bytes); longer ones are cut. */
#define DFI_NAME_MAX 63

/* Room for one identifier read from TOC text (the name, cut, and its NUL). */
#define DFI_IDENT 256
#define DFI_MAX_PARTS 3

/* Skip blanks, tabs and line ends. */
const char *dfi_sql_skip_space(const char *s);

/*
 * One identifier at *sp: "quoted" (a doubled quote stands for one) or bare,
 * a bare one downcased; either cut to DFI_NAME_MAX bytes at a character
 * boundary, as the server does.  The name goes to out (cap bytes with the
 * NUL); *sp moves past it.  False when there is none.
 */
bool dfi_sql_ident(const char **sp, char *out, size_t cap);

/* A dotted name "a.b.c" (up to DFI_MAX_PARTS parts): the number of parts, 0 when none. */
int dfi_sql_qualified(const char **sp, char parts[DFI_MAX_PARTS][DFI_IDENT]);

#endif /* DUMPFMT_SQLIDENT_H */
