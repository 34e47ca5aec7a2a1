/*
 * log.c -- writing Python exceptions to Apache's error log (mp_log.h).
 */
#include "mp_log.h"

/* Apache cuts an entry at MAX_STRING_LEN (8 KiB) with its prefix.  A
 * longer traceback keeps its head (what was called) and, above all, its
 * tail (where it failed and the exception). */
#define KEEP_HEAD 1024
#define KEEP_TAIL 5120

PyObject *
mp_exception_take(void)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *type, *value, *tb;

    PyErr_Fetch(&type, &value, &tb);
    if (type == NULL) {
        return NULL;
    }
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL && value != NULL) {
        PyException_SetTraceback(value, tb);
    }
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return value;
#endif
}

/* The traceback of exc as text (new reference), or NULL with an
 * exception set. */
static PyObject *
format_exception(PyObject *exc)
{
    PyObject *mod, *lines, *tb, *text = NULL, *sep;

    mod = PyImport_ImportModule("traceback");
    if (mod == NULL) {
        return NULL;
    }
    tb = PyException_GetTraceback(exc);
    lines = PyObject_CallMethod(mod, "format_exception", "OOO",
                                (PyObject *)Py_TYPE(exc), exc,
                                tb ? tb : Py_None);
    Py_XDECREF(tb);
    Py_DECREF(mod);
    if (lines == NULL) {
        return NULL;
    }
    sep = PyUnicode_FromString("");
    if (sep != NULL) {
        text = PyUnicode_Join(sep, lines);
        Py_DECREF(sep);
    }
    Py_DECREF(lines);
    return text;
}

static void
log_entry(request_rec *r, server_rec *s, const char *msg, const char *text)
{
    size_t n = strlen(text);

    /* Drop the traceback's last newline: Apache ends the entry itself
     * (and writes the newlines inside it as "\n", so the entry stays one
     * line of the log). */
    while (n > 0 && text[n - 1] == '\n') {
        n--;
    }
    if (n > KEEP_HEAD + KEEP_TAIL) {
        const char *fmt = "mod_python: %s\n%.*s\n[... %lu bytes left out ...]\n%.*s";
        unsigned long skipped = (unsigned long)(n - KEEP_HEAD - KEEP_TAIL);

        if (r != NULL) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, fmt, msg, KEEP_HEAD,
                          text, skipped, KEEP_TAIL, text + n - KEEP_TAIL);
        }
        else {
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, fmt, msg, KEEP_HEAD,
                         text, skipped, KEEP_TAIL, text + n - KEEP_TAIL);
        }
        return;
    }
    if (r != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_python: %s\n%.*s", msg, (int)n,
                      text);
    }
    else {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "mod_python: %s\n%.*s", msg, (int)n,
                     text);
    }
}

void
mp_log_exception_object(request_rec *r, server_rec *s, PyObject *exc,
                        const char *msg)
{
    PyObject *text, *saved;
    const char *utf8;

    /* Formatting must not lose an exception the caller still has set. */
    saved = mp_exception_take();
    text = format_exception(exc);
    if (text != NULL && (utf8 = PyUnicode_AsUTF8(text)) != NULL) {
        log_entry(r, s, msg, utf8);
    }
    else {
        PyErr_Clear();
        log_entry(r, s, msg, "(the traceback could not be formatted)");
    }
    Py_XDECREF(text);
    if (saved != NULL) {
#if PY_VERSION_HEX >= 0x030C0000
        PyErr_SetRaisedException(saved);
#else
        PyErr_Restore(Py_NewRef((PyObject *)Py_TYPE(saved)), saved,
                      PyException_GetTraceback(saved));
#endif
    }
}

void
mp_log_exception(request_rec *r, server_rec *s, const char *fmt, ...)
{
    char msg[512];
    PyObject *exc;
    va_list ap;

    exc = mp_exception_take();
    if (exc == NULL) {
        return;
    }
    va_start(ap, fmt);
    apr_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mp_log_exception_object(r, s, exc, msg);
    Py_DECREF(exc);
}
