/*
 * psp_string.c -- growable buffer and literal escaping for the PSP parser
 * (see psp_string.h).
 */
#include <stdlib.h>
#include <string.h>

#include "psp_string.h"

static const char hexdigits[] = "0123456789abcdef";

void
psp_string_init(psp_string *s)
{
    s->data = NULL;
    s->len = 0;
    s->cap = 0;
    s->failed = 0;
}

void
psp_string_free(psp_string *s)
{
    free(s->data);
    psp_string_init(s);
}

void
psp_string_clear(psp_string *s)
{
    s->len = 0;
}

int
psp_string_reserve(psp_string *s, size_t n)
{
    size_t want, cap;
    char *data;

    if (s->failed) {
        return -1;
    }
    if (n <= s->cap - s->len) {
        return 0;
    }
    if (n > (size_t)-1 / 2 - s->len) {
        s->failed = 1;
        return -1;
    }
    want = s->len + n;
    /* Doubling keeps a page of many small appends linear. */
    cap = s->cap ? s->cap : 256;
    while (cap < want) {
        cap *= 2;
    }
    data = realloc(s->data, cap);
    if (data == NULL) {
        s->failed = 1;
        return -1;
    }
    s->data = data;
    s->cap = cap;
    return 0;
}

void
psp_string_append(psp_string *s, const char *p, size_t n)
{
    if (n && psp_string_reserve(s, n) == 0) {
        memcpy(s->data + s->len, p, n);
        s->len += n;
    }
}

void
psp_string_appends(psp_string *s, const char *cstr)
{
    psp_string_append(s, cstr, strlen(cstr));
}

/* Length of the valid UTF-8 sequence starting at p (n bytes available,
 * p[0] >= 0x80), or 0.  Overlong forms, surrogates and code points past
 * U+10FFFF are not valid: Python's decoder refuses them too. */
static size_t
utf8_seq_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t len, i;

    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    }
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) {
            lo = 0xA0;
        }
        else if (c == 0xED) {
            hi = 0x9F;
        }
    }
    else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) {
            lo = 0x90;
        }
        else if (c == 0xF4) {
            hi = 0x8F;
        }
    }
    else {
        return 0;
    }
    if (n < len || p[1] < lo || p[1] > hi) {
        return 0;
    }
    for (i = 2; i < len; i++) {
        if (p[i] < 0x80 || p[i] > 0xBF) {
            return 0;
        }
    }
    return len;
}

size_t
psp_utf8_invalid_run(const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t i = 0;

    while (i < n && u[i] >= 0x80 && utf8_seq_len(u + i, n - i) == 0) {
        i++;
    }
    return i;
}

/* Bytes copied unchanged into the literal: printable ASCII but the
 * backslash and the double quote, and tab and newline. */
static inline int
plain_ascii(unsigned char c)
{
    return (c >= 0x20 && c < 0x80 && c != '\\' && c != '"')
           || c == '\t' || c == '\n';
}

size_t
psp_string_append_text(psp_string *s, const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t i = 0, run;

    while (i < n) {
        /* Copy the longest run needing no escape in one go: the bulk of a
         * page is markup, and a byte-at-a-time append would dominate. */
        run = i;
        for (;;) {
            if (run < n && plain_ascii(u[run])) {
                run++;
            }
            else if (run < n && u[run] >= 0x80) {
                size_t len = utf8_seq_len(u + run, n - run);
                if (len == 0) {
                    break;
                }
                run += len;
            }
            else {
                break;
            }
        }
        psp_string_append(s, p + i, run - i);
        i = run;
        if (i == n) {
            break;
        }
        if (u[i] >= 0x80) {
            return i;       /* not UTF-8: the caller writes it as bytes */
        }
        switch (u[i]) {
        case '\\':
            psp_string_append(s, "\\\\", 2);
            break;
        case '"':
            psp_string_append(s, "\\\"", 2);
            break;
        case '\r':
            psp_string_append(s, "\\r", 2);
            break;
        default: {
            char esc[4] = {'\\', 'x', hexdigits[u[i] >> 4],
                           hexdigits[u[i] & 0xF]};
            psp_string_append(s, esc, 4);
            break;
        }
        }
        i++;
    }
    return n;
}

void
psp_string_append_bytes_escaped(psp_string *s, const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t i;

    for (i = 0; i < n; i++) {
        char esc[4] = {'\\', 'x', hexdigits[u[i] >> 4], hexdigits[u[i] & 0xF]};
        psp_string_append(s, esc, 4);
    }
}
