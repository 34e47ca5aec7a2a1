/*
 * psp_string.h -- the growable byte buffer the PSP parser writes into.
 *
 * Plain C on malloc/realloc (no Python, no APR): the parser runs without
 * the GIL, and the same sources build the stand-alone extension
 * mod_python._psp, which has no Apache around it.
 *
 * Memory: a psp_string owns its data; psp_string_free() releases it.
 * Appends never fail visibly: when an allocation fails the string keeps
 * what it had, sets `failed`, and ignores later appends, so a long chain
 * of appends needs one check at the end instead of one per call.
 */
#ifndef PSP_STRING_H
#define PSP_STRING_H

#include <stddef.h>

typedef struct {
    char *data;     /* not NUL-terminated; NULL while empty */
    size_t len;
    size_t cap;
    int failed;     /* an allocation failed: the content is incomplete */
} psp_string;

void psp_string_init(psp_string *s);
void psp_string_free(psp_string *s);
void psp_string_clear(psp_string *s);    /* len = 0, keeps the memory */

/* Make room for n more bytes; 0, or -1 (and `failed`) when out of memory. */
int psp_string_reserve(psp_string *s, size_t n);

void psp_string_append(psp_string *s, const char *p, size_t n);
void psp_string_appends(psp_string *s, const char *cstr);

static inline void
psp_string_appendc(psp_string *s, char c)
{
    if (s->len < s->cap || psp_string_reserve(s, 1) == 0) {
        s->data[s->len++] = c;
    }
}

/*
 * Append page text as the inside of a Python """...""" str literal that
 * evaluates to exactly these bytes once encoded as UTF-8: backslashes and
 * double quotes are escaped (so neither a backslash sequence nor a quote
 * run in the page can end or change the literal), \r and the other
 * control characters except \t and \n become escapes (the tokenizer would
 * turn \r\n into \n, and NUL may not appear in source at all).  \n is
 * copied as it is, so the literal spans the same lines as the page.
 *
 * Returns the number of bytes consumed: all n, or fewer when the text
 * holds a byte sequence that is not UTF-8 -- a str cannot carry those, so
 * the caller writes them as bytes (see psp_utf8_invalid_run) and calls
 * again for the rest.  Text never contains '\n' at a stop.
 */
size_t psp_string_append_text(psp_string *s, const char *p, size_t n);

/* How many bytes at p (n available) are not part of a valid UTF-8
 * sequence: at least 1 when called where psp_string_append_text stopped. */
size_t psp_utf8_invalid_run(const char *p, size_t n);

/* Append bytes as the inside of a b"..." literal (\xNN each). */
void psp_string_append_bytes_escaped(psp_string *s, const char *p, size_t n);

#endif /* PSP_STRING_H */
