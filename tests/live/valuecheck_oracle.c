/*
 * valuecheck_oracle.c — helper of tests/live/values.sh (built by it with
 * libdumpfmt/valuecheck.c alone, so no codec library is needed): reads "TYPE<TAB>COPY-FIELD" lines
 * and prints, per line, 0 when dumpcheck's value checks accept the field for a column of TYPE and
 * 1 when they flag it.  TYPE "enum:a,b,c" is an enum with those labels.
 */
#include "valuecheck.h"
#include "verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The TOC side of valuecheck.c is not used here. */
int dfi_copy_columns(const char *stmt, char ***names)
{
    (void)stmt;
    *names = NULL;
    return -1;
}

void dfi_free_names(char **names, int n)
{
    (void)names;
    (void)n;
}

size_t df_reader_toc_count(const df_reader *r)
{
    (void)r;
    return 0;
}

const df_entry *df_reader_toc_at(const df_reader *r, size_t i)
{
    (void)r;
    (void)i;
    return NULL;
}

static void set_enum(dfi_vcol *c, const char *spec)
{
    char *s = strdup(spec), *save = NULL;

    c->kind = DFI_VK_ENUM;
    c->labels = calloc(64, sizeof *c->labels);
    for (char *t = strtok_r(s, ",", &save); t && c->nlabels < 64; t = strtok_r(NULL, ",", &save))
        c->labels[c->nlabels++] = strdup(t);
    free(s);
}

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    while ((n = getline(&line, &cap, stdin)) > 0) {
        char *tab = memchr(line, '\t', (size_t)n);
        dfi_vcol col;
        dfi_vtable t = {1, &col, DFI_ENC_UTF8, 1};
        dfi_vcheck vc;
        size_t len;
        int bad = 0;

        if (line[n - 1] == '\n')
            line[--n] = '\0';
        if (tab == NULL) {
            puts("?");
            continue;
        }
        *tab = '\0';
        memset(&col, 0, sizeof col);
        col.name = "v";
        if (strncmp(line, "enum:", 5) == 0)
            set_enum(&col, line + 5);
        else
            dfi_vcol_parse_type(&col, line);
        memset(&vc, 0, sizeof vc);
        dfi_vcheck_init(&vc, &t);
        len = (size_t)(line + n - (tab + 1));
        dfi_vcheck_line(&vc, (const uint8_t *)tab + 1, len, false, 1, 0, false, NULL);
        for (int k = 1; k < 5; k++)
            bad |= vc.nbad[k] > 0;
        printf("%d\n", bad);
        dfi_vcheck_free(&vc);
        for (size_t i = 0; i < col.nlabels; i++)
            free(col.labels[i]);
        free(col.labels);
    }
    free(line);
    return 0;
}
