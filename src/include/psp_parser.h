/*
 * psp_parser.h -- the PSP parser: a PSP page in, Python source out
 * (manual 4.9).
 *
 * The scanner (psp_parser.l, a reentrant flex scanner) and the code
 * generator behind it keep all their state in a psp_result and a context
 * on the caller's stack: no globals, so any number of threads may parse at
 * once, and no Python API, so callers release the GIL around a parse.
 *
 * Memory: a psp_result owns everything in it; psp_result_free() releases
 * it, after success or failure alike.
 *
 * Both entry points return 0 on success and -1 on failure, with
 * res->status saying why (PSP_EOS: errno in res->err_errno, the file in
 * res->err_file; PSP_ESYNTAX: a message, file and line; PSP_ENOMEM).
 */
#ifndef PSP_PARSER_H
#define PSP_PARSER_H

#include <stddef.h>

#include "psp_string.h"

/* Deepest include nesting accepted: deeper is almost surely a file that
 * includes itself. */
#define PSP_MAX_INCLUDE_DEPTH 16

typedef enum {
    PSP_OK = 0,
    PSP_ESYNTAX,    /* malformed page: unterminated block, bad directive */
    PSP_EOS,        /* a file could not be read */
    PSP_ENOMEM
} psp_status;

typedef struct {
    /* Set by the caller before parsing: the page's own text and <%= %>
     * writes pass flush=0 (req.write(text, 0)), so that running the page
     * sends one response; parse() and parsestring() show the code as the
     * manual prints it, without. */
    int gather;
    psp_string code;    /* the generated Python source (UTF-8 when the
                           page's Python code is) */
    /* lines[i] is the page line that generated line i + 1 comes from;
     * -n for a line coming from a file included on page line n. */
    int *lines;
    size_t nlines;
    size_t lines_cap;
    /* The files include directives read, as opened, in order. */
    char **includes;
    size_t nincludes;

    psp_status status;
    int err_errno;          /* PSP_EOS */
    char *err_file;         /* file the error is in; NULL for a string */
    int err_line;           /* PSP_ESYNTAX: line in err_file, 1-based */
    char *err_include_from; /* PSP_EOS on an include: the including file */
    int err_include_line;   /* ... and the directive's line there */
    char err_msg[256];      /* PSP_ESYNTAX */
} psp_result;

void psp_result_init(psp_result *res);
void psp_result_free(psp_result *res);

/* Parse the file dir + filename (dir may be NULL; a plain concatenation,
 * as the manual says).  Relative include paths are taken relative to dir
 * the same way. */
int psp_parse_file(const char *filename, const char *dir, psp_result *res);

/* Parse a page held in memory (len bytes at buf, which may hold NULs).
 * Relative include paths are dir + path when dir is not NULL, else opened
 * as they are (relative to the working directory). */
int psp_parse_string(const char *buf, size_t len, const char *dir,
                     psp_result *res);

#endif /* PSP_PARSER_H */
