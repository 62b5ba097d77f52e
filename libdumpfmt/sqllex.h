/*
 * sqllex.h — private: the SQL lexing rules every reader of SQL text in the
 * library shares (issue 11: one set of quoting rules), as psql and the
 * server's scanner have them: character classes, quoted bodies (doubled
 * quotes; backslash escapes where standard_conforming_strings is off or the
 * string is E'...'), dollar quotes, blanks and nested comments, and the
 * NAMEDATALEN cut of identifiers.  roles_sql.c builds its tokenizer
 * (dfi_sql_next) on these; plain_lex.c's streaming lexer and sqlident.c use
 * the classes and the cut, copy.c's byte-at-a-time INSERT row counter the
 * classes (its string states follow the same quoting rules).  The classes are inline: the plain splitter tests
 * them for every byte of a script.
 */
#ifndef DUMPFMT_SQLLEX_H
#define DUMPFMT_SQLLEX_H

#include "internal.h"

/* White space as the scanner's {space}: blank, tab, newline, carriage return, form feed, VT. */
static inline bool dfi_sql_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* psql's ident_start: a letter, '_', or any byte of a multibyte character. */
static inline bool dfi_sql_ident_start(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

/* psql's ident_cont: ident_start, a digit, or '$'. */
static inline bool dfi_sql_ident_cont(uint8_t c)
{
    return dfi_sql_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

/* What may follow the first byte of a dollar-quote tag: ident_cont without '$'. */
static inline bool dfi_sql_dolq_cont(uint8_t c)
{
    return dfi_sql_ident_start(c) || (c >= '0' && c <= '9');
}

/* ASCII downcasing, the only one the server applies to unquoted names in UTF-8. */
static inline char dfi_sql_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/*
 * An identifier of `len` bytes as the server keeps it: cut to `max` bytes
 * (NAMEDATALEN - 1) without splitting a UTF-8 sequence (truncate_identifier;
 * the dump's encoding is not known, so UTF-8 continuation bytes are what is
 * not split).  Returns the length kept.
 */
DFI_HIDDEN size_t dfi_sql_clip_name(const char *s, size_t len, size_t max);

/*
 * From the opening quote q at p to just past the closing one (end when
 * there is none): a doubled quote stands for one; with `backslash`, a
 * backslash escapes the next byte.
 */
DFI_HIDDEN const char *dfi_sql_quoted_end(const char *p, const char *end, char q, bool backslash);

/*
 * A dollar-quoted string $tag$ ... $tag$ at p: just past its closing
 * delimiter (end when unterminated), NULL when p starts no dollar quote.
 */
DFI_HIDDEN const char *dfi_sql_dollar_end(const char *p, const char *end);

/* Past white space, -- comments and (nested) block comments from p. */
DFI_HIDDEN const char *dfi_sql_blank_end(const char *p, const char *end);

#endif /* DUMPFMT_SQLLEX_H */
