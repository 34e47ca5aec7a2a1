/*
 * log.c -- writing Python exceptions to Apache's error log.
 */
#include "mp_log.h"

/* Log one line of text, request-scoped when we have a request. */
static void
log_line(request_rec *r, server_rec *s, const char *line)
{
    if (r != NULL) {
        mp_log_r(APLOG_ERR, r, MP_PYTHON_ERROR, "%s", line);
    }
    else {
        mp_log_s(APLOG_ERR, s, MP_PYTHON_ERROR, "%s", line);
    }
}

/* Split text on newlines and log each piece: a traceback reads in the error
 * log as it does in a terminal. */
static void
log_text(request_rec *r, server_rec *s, const char *text)
{
    const char *start = text, *nl;
    char buf[2048];
    size_t n;

    while (*start) {
        nl = strchr(start, '\n');
        n = nl ? (size_t)(nl - start) : strlen(start);
        if (n >= sizeof(buf)) {
            n = sizeof(buf) - 1;
        }
        memcpy(buf, start, n);
        buf[n] = '\0';
        if (n > 0) {
            log_line(r, s, buf);
        }
        if (nl == NULL) {
            break;
        }
        start = nl + 1;
    }
}

void
mp_log_python_error(request_rec *r, server_rec *s, const char *where)
{
    PyObject *type, *value, *tb, *mod = NULL, *lines = NULL, *text = NULL;
    PyObject *sep = NULL;
    const char *utf8;

    PyErr_Fetch(&type, &value, &tb);
    if (type == NULL) {
        return;
    }
    PyErr_NormalizeException(&type, &value, &tb);
    if (where != NULL) {
        char head[256];

        apr_snprintf(head, sizeof(head), "Python error while %s:", where);
        log_line(r, s, head);
    }
    mod = PyImport_ImportModule("traceback");
    if (mod != NULL) {
        lines = PyObject_CallMethod(mod, "format_exception", "OOO", type,
                                    value ? value : Py_None,
                                    tb ? tb : Py_None);
    }
    if (lines != NULL) {
        sep = PyUnicode_FromString("");
        if (sep != NULL) {
            text = PyUnicode_Join(sep, lines);
        }
    }
    if (text != NULL && (utf8 = PyUnicode_AsUTF8(text)) != NULL) {
        log_text(r, s, utf8);
    }
    else {
        /* The traceback module itself failed: say what we can. */
        PyErr_Clear();
        log_text(r, s, "(the traceback could not be formatted)");
    }
    Py_XDECREF(sep);
    Py_XDECREF(text);
    Py_XDECREF(lines);
    Py_XDECREF(mod);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    PyErr_Clear();
}
