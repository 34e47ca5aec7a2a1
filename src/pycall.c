/*
 * pycall.c -- the one way into Python (see pycall.h).
 */
#include "pycall.h"
#include "mp_log.h"
#include "watchdog.h"

/* The status of a failed call, with its exception logged and cleared. */
static int
report_failure(mp_pycall *call, mp_interp *ip)
{
    PyObject *exc = mp_exception_take(), *failed_type, *args, *cause;
    int status = HTTP_INTERNAL_SERVER_ERROR;
    const char *what = NULL;

    if (exc == NULL) {
        return status;          /* reported where it happened */
    }
    failed_type = ip->entries[MP_ENTRY_FAILED];
    if (failed_type != NULL && PyObject_TypeCheck(exc,
                                                  (PyTypeObject *)failed_type)
        && (args = PyObject_GetAttrString(exc, "args")) != NULL) {
        PyObject *code = PyTuple_Check(args) && PyTuple_GET_SIZE(args) == 2
                         ? PyTuple_GET_ITEM(args, 0) : NULL;
        PyObject *text = code ? PyTuple_GET_ITEM(args, 1) : NULL;

        if (code != NULL && PyLong_Check(code)) {
            long v = PyLong_AsLong(code);
            if (v >= INT_MIN && v <= INT_MAX) {
                status = (int)v;
            }
        }
        if (text != NULL && PyUnicode_Check(text)) {
            what = PyUnicode_AsUTF8(text);
        }
        PyErr_Clear();
        cause = PyException_GetCause(exc);
        if (cause != NULL && what != NULL) {
            /* The dispatcher's words, with their own MPLOGNO. */
            mp_log_exception_object(call->r, call->s, cause, what);
            Py_DECREF(cause);
            Py_DECREF(args);
            Py_DECREF(exc);
            return status;
        }
        Py_DECREF(args);
    }
    PyErr_Clear();
    mp_log_exception_object(call->r, call->s, exc, call->failed);
    Py_DECREF(exc);
    return status;
}

int
mp_pycall_run_in(mp_pycall *call, mp_interp *ip)
{
    PyObject *todo, *result = NULL;
    int status = 0;
    /* Noted before entering: a call kept waiting for the GIL is stuck
     * too. */
    void *watch = mp_watch_begin(call->r, call->s, ip, call->what,
                                 call->handler);

    if (mp_interp_enter(ip, call->s) < 0) {
        mp_watch_end(watch, call->r);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    todo = call->prepare(call, ip);
    if (todo != NULL) {
        /* The tuple's items after the callable are its arguments. */
        result = PyObject_Vectorcall(PyTuple_GET_ITEM(todo, 0),
                                     &PyTuple_GET_ITEM(todo, 1),
                                     (size_t)(PyTuple_GET_SIZE(todo) - 1),
                                     NULL);
        Py_DECREF(todo);
    }
    if (result == NULL) {
        status = report_failure(call, ip);
    }
    if (call->finish != NULL) {
        status = call->finish(call, ip, result, status);
    }
    Py_XDECREF(result);
    /* finish() may not leave an exception behind for the next caller. */
    if (PyErr_Occurred()) {
        mp_log_exception(call->r, call->s, "%s", call->failed);
    }
    mp_interp_release(ip);
    mp_watch_end(watch, call->r);
    return status;
}

int
mp_pycall_run(mp_pycall *call, const char *name)
{
    mp_interp *ip = mp_interp_get(name, call->s);

    if (ip == NULL) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return mp_pycall_run_in(call, ip);
}
