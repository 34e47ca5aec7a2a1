/*
 * parseqs.c -- query string parsing (see parseqs.h).
 *
 * urllib.parse splits on '&', turns '+' into ' ' and unquotes each part
 * as UTF-8 with errors="replace".  Working on the string's UTF-8 bytes
 * gives the same text: literal characters encode to complete UTF-8
 * sequences that cannot merge with the bytes of a %-escape, so decoding
 * a whole part at once replaces exactly what urllib's piecewise decoding
 * replaces.  A str that is not UTF-8-encodable (lone surrogates) is left
 * to urllib itself.
 *
 * Also here: util.FieldStorage's index of the pairs (_index_pairs),
 * grouped as parse_qs groups them.
 */
#include "parseqs.h"

static int
hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* '+' to space and %XX to its byte (into buf, room for n), then text. */
static PyObject *
unquote_plus(const char *s, Py_ssize_t n, char *buf)
{
    Py_ssize_t i, o = 0;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '+') {
            buf[o++] = ' ';
        }
        else if (c == '%' && i + 2 < n
                 && hexval((unsigned char)s[i + 1]) >= 0
                 && hexval((unsigned char)s[i + 2]) >= 0) {
            buf[o++] = (char)(hexval((unsigned char)s[i + 1]) * 16
                              + hexval((unsigned char)s[i + 2]));
            i += 2;
        }
        else {
            buf[o++] = (char)c;
        }
    }
    return PyUnicode_DecodeUTF8(buf, o, "replace");
}

/* The (name, value) pairs of qs as a list, or NULL with an exception.
 * *fallback is set when urllib must do it (qs not UTF-8-encodable). */
static PyObject *
parse_pairs(PyObject *qs, int keep_blank, int strict, int *fallback)
{
    const char *s, *end, *field, *amp, *eq;
    Py_ssize_t n;
    PyObject *list, *name, *value, *pair;
    char *buf;

    *fallback = 0;
    s = PyUnicode_AsUTF8AndSize(qs, &n);
    if (s == NULL) {
        if (PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) {
            PyErr_Clear();
            *fallback = 1;
        }
        return NULL;
    }
    list = PyList_New(0);
    buf = PyMem_Malloc(n + 1);
    if (list == NULL || buf == NULL) {
        Py_XDECREF(list);
        PyMem_Free(buf);
        return buf ? NULL : PyErr_NoMemory();
    }
    end = s + n;
    for (field = s; n > 0 && field <= end; field = amp + 1) {
        Py_ssize_t flen;

        amp = memchr(field, '&', end - field);
        if (amp == NULL) {
            amp = end;
        }
        flen = amp - field;
        if (flen == 0 && !strict) {
            continue;
        }
        eq = memchr(field, '=', flen);
        if (eq == NULL) {
            if (strict) {
                PyObject *f = PyUnicode_DecodeUTF8(field, flen, "replace");
                if (f != NULL) {
                    PyErr_Format(PyExc_ValueError, "bad query field: %R", f);
                    Py_DECREF(f);
                }
                goto error;
            }
            if (!keep_blank) {
                continue;
            }
            eq = amp;
        }
        if (eq + 1 < amp || keep_blank) {
            name = unquote_plus(field, eq - field, buf);
            value = eq < amp ? unquote_plus(eq + 1, amp - eq - 1, buf)
                             : PyUnicode_New(0, 0);
            pair = (name && value) ? PyTuple_Pack(2, name, value) : NULL;
            Py_XDECREF(name);
            Py_XDECREF(value);
            if (pair == NULL || PyList_Append(list, pair) < 0) {
                Py_XDECREF(pair);
                goto error;
            }
            Py_DECREF(pair);
        }
    }
    PyMem_Free(buf);
    return list;

error:
    PyMem_Free(buf);
    Py_DECREF(list);
    return NULL;
}

static PyObject *
urllib_fallback(const char *func, PyObject *qs, int keep_blank, int strict)
{
    PyObject *mod = PyImport_ImportModule("urllib.parse"), *res = NULL;

    if (mod != NULL) {
        res = PyObject_CallMethod(mod, func, "Oii", qs, keep_blank, strict);
        Py_DECREF(mod);
    }
    return res;
}

/* No max_num_fields given. */
#define NO_LIMIT PY_SSIZE_T_MAX

/* urllib.parse's max_num_fields: the fields are counted before any is
 * parsed (1 + the number of '&', empty ones too; none in ""), so that a
 * query string of millions of fields costs one pass over its characters,
 * not millions of objects.  0 within the limit, -1 with ValueError. */
static int
check_num_fields(PyObject *qs, Py_ssize_t max_fields)
{
    Py_ssize_t len = PyUnicode_GET_LENGTH(qs), count;

    if (max_fields == NO_LIMIT || len < max_fields) {
        return 0;               /* len chars hold at most len + 1 fields */
    }
    if (len == 0) {
        count = 0;
    }
    else if (PyUnicode_KIND(qs) == PyUnicode_1BYTE_KIND) {
        const char *p = (const char *)PyUnicode_DATA(qs), *end = p + len;

        count = 1;
        while (count <= max_fields
               && (p = memchr(p, '&', end - p)) != NULL) {
            count++;
            p++;
        }
    }
    else {
        PyObject *amp = PyUnicode_FromOrdinal('&');

        if (amp == NULL) {
            return -1;
        }
        count = PyUnicode_Count(qs, amp, 0, PY_SSIZE_T_MAX);
        Py_DECREF(amp);
        if (count < 0) {
            return -1;
        }
        count++;
    }
    if (count > max_fields) {
        PyErr_SetString(PyExc_ValueError, "Max number of fields exceeded");
        return -1;
    }
    return 0;
}

static int
parse_args(PyObject *args, PyObject *kw, const char *name, PyObject **qs,
           int *keep_blank, int *strict, Py_ssize_t *max_fields)
{
    static char *kwlist[] = {"qs", "keep_blank_values", "strict_parsing",
                             "max_num_fields", NULL};
    PyObject *max_obj = Py_None;
    char fmt[64];

    *keep_blank = 0;
    *strict = 0;
    *max_fields = NO_LIMIT;
    PyOS_snprintf(fmt, sizeof(fmt), "U|ppO:%s", name);
    if (!PyArg_ParseTupleAndKeywords(args, kw, fmt, kwlist, qs, keep_blank,
                                     strict, &max_obj)) {
        return 0;
    }
    if (max_obj != Py_None) {
        Py_ssize_t v = PyNumber_AsSsize_t(max_obj, PyExc_OverflowError);
        if (v == -1 && PyErr_Occurred()) {
            return 0;
        }
        *max_fields = v < NO_LIMIT ? v : NO_LIMIT - 1;
    }
    return 1;
}

static PyObject *
parse_qsl(PyObject *module, PyObject *args, PyObject *kw)
{
    PyObject *qs, *list;
    int keep_blank, strict, fallback;
    Py_ssize_t max_fields;

    (void)module;
    if (!parse_args(args, kw, "parse_qsl", &qs, &keep_blank, &strict,
                    &max_fields)
        || check_num_fields(qs, max_fields) < 0) {
        return NULL;
    }
    list = parse_pairs(qs, keep_blank, strict, &fallback);
    if (list == NULL && fallback) {
        return urllib_fallback("parse_qsl", qs, keep_blank, strict);
    }
    return list;
}

/* name -> [value, ...] of a list of (name, value) tuples, in order.
 * TypeError for anything else in the list. */
static PyObject *
group_pairs(PyObject *list)
{
    PyObject *dict, *values;
    Py_ssize_t i;

    dict = PyDict_New();
    for (i = 0; dict != NULL && i < PyList_GET_SIZE(list); i++) {
        PyObject *pair = PyList_GET_ITEM(list, i);
        PyObject *k;

        if (!PyTuple_CheckExact(pair) || PyTuple_GET_SIZE(pair) != 2) {
            PyErr_SetString(PyExc_TypeError,
                            "expected a list of (name, value) tuples");
            Py_CLEAR(dict);
            break;
        }
        k = PyTuple_GET_ITEM(pair, 0);
        values = PyDict_GetItemWithError(dict, k);
        if (values == NULL) {
            if (PyErr_Occurred() || (values = PyList_New(0)) == NULL
                || PyDict_SetItem(dict, k, values) < 0) {
                Py_XDECREF(values);
                Py_CLEAR(dict);
                break;
            }
            Py_DECREF(values);      /* the dict holds it now */
        }
        if (PyList_Append(values, PyTuple_GET_ITEM(pair, 1)) < 0) {
            Py_CLEAR(dict);
        }
    }
    return dict;
}

static PyObject *
parse_qs(PyObject *module, PyObject *args, PyObject *kw)
{
    PyObject *qs, *list, *dict;
    int keep_blank, strict, fallback;
    Py_ssize_t max_fields;

    (void)module;
    if (!parse_args(args, kw, "parse_qs", &qs, &keep_blank, &strict,
                    &max_fields)
        || check_num_fields(qs, max_fields) < 0) {
        return NULL;
    }
    list = parse_pairs(qs, keep_blank, strict, &fallback);
    if (list == NULL) {
        return fallback ? urllib_fallback("parse_qs", qs, keep_blank, strict)
                        : NULL;
    }
    dict = group_pairs(list);
    Py_DECREF(list);
    return dict;
}

static PyObject *
index_pairs(PyObject *module, PyObject *list)
{
    (void)module;
    if (!PyList_Check(list)) {
        PyErr_SetString(PyExc_TypeError,
                        "expected a list of (name, value) tuples");
        return NULL;
    }
    return group_pairs(list);
}

PyMethodDef mp_parseqs_functions[] = {
    {"parse_qsl", (PyCFunction)(void (*)(void))parse_qsl,
     METH_VARARGS | METH_KEYWORDS,
     "parse_qsl(qs, keep_blank_values=0, strict_parsing=0, "
     "max_num_fields=None)\n--\n\n"
     "The (name, value) pairs of a query string, as "
     "urllib.parse.parse_qsl gives them.  ValueError when the string has "
     "more than max_num_fields fields (1 + its number of '&')."},
    {"parse_qs", (PyCFunction)(void (*)(void))parse_qs,
     METH_VARARGS | METH_KEYWORDS,
     "parse_qs(qs, keep_blank_values=0, strict_parsing=0, "
     "max_num_fields=None)\n--\n\n"
     "A dict of name -> list of values, as urllib.parse.parse_qs "
     "gives it.  ValueError past max_num_fields, as parse_qsl."},
    {"_index_pairs", index_pairs, METH_O,
     "_index_pairs(pairs, /)\n--\n\n"
     "name -> [value, ...] of a list of (name, value) tuples, in order "
     "(util.FieldStorage's index of parse_qsl's pairs)."},
    {NULL, NULL, 0, NULL}
};
