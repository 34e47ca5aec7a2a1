/*
 * fastdispatch.c -- a remembered handler, called from C.  See
 * fastdispatch.h.
 */
#include <time.h>

#include "fastdispatch.h"
#include "dispatch.h"
#include "mp_log.h"
#include "_apachemodule.h"

/* A remembered handler: ip->handler_cache maps the address of its
 * handler string (persistent: it names the directive entry for the
 * child's life) to (module, name, directory str or None, expiry, phase).
 * The phase is checked too: the object's default name depends on it. */
enum { ENTRY_MODULE, ENTRY_NAME, ENTRY_DIR, ENTRY_EXPIRY, ENTRY_PHASE };

static double
monotonic_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const mp_handler *
mp_fast_candidate(request_rec *r, mp_phase phase)
{
    mp_dir_config *conf = mp_dir_conf(r);
    mp_request_config *rc = mp_request_config_get(r, 0);
    const apr_array_header_t *list = conf->handlers[phase];
    const mp_handler *h, *found = NULL;
    int i;

    if (list == NULL || conf->python_path != NULL
        || mp_flag_on(conf->enable_pdb, 0)
        || (rc != NULL && rc->added[phase] != NULL
            && rc->added[phase]->nelts > 0)) {
        return NULL;
    }
    h = (const mp_handler *)list->elts;
    for (i = 0; i < list->nelts; i++) {
        if (mp_handler_applies(&h[i], r->filename)) {
            if (found != NULL) {
                return NULL;            /* a chain: the dispatcher's job */
            }
            found = &h[i];
        }
    }
    return found != NULL && found->persistent ? found : NULL;
}

int
mp_fast_remember(mp_interp *ip, const mp_handler *h, mp_phase phase,
                 PyObject *module, PyObject *name, double interval)
{
    PyObject *key, *entry, *dir;
    int rc;

    if (!PyUnicode_Check(name)) {
        PyErr_SetString(PyExc_TypeError, "the object name must be a str");
        return -1;
    }
    if (ip->handler_cache == NULL
        && (ip->handler_cache = PyDict_New()) == NULL) {
        return -1;
    }
    dir = mp_str_from_path(h->directory);
    if (dir == NULL) {
        return -1;
    }
    entry = Py_BuildValue("(OONdi)", module, name, dir,
                          monotonic_seconds() + interval, (int)phase);
    if (entry == NULL) {
        return -1;
    }
    key = PyLong_FromVoidPtr((void *)h->handler);
    if (key == NULL) {
        Py_DECREF(entry);
        return -1;
    }
    rc = PyDict_SetItem(ip->handler_cache, key, entry);
    Py_DECREF(key);
    Py_DECREF(entry);
    return rc;
}

/* The remembered object for h, a new reference; NULL (no exception set)
 * when h must go through the Python dispatcher. */
static PyObject *
remembered_object(mp_interp *ip, const mp_handler *h, mp_phase phase)
{
    PyObject *key, *entry, *dir, *path, *obj;

    if (ip->handler_cache == NULL) {
        return NULL;
    }
    key = PyLong_FromVoidPtr((void *)h->handler);
    if (key == NULL) {
        PyErr_Clear();
        return NULL;
    }
    entry = PyDict_GetItemWithError(ip->handler_cache, key);  /* borrowed */
    Py_DECREF(key);
    if (entry == NULL) {
        PyErr_Clear();
        return NULL;
    }
    if (PyLong_AsLong(PyTuple_GET_ITEM(entry, ENTRY_PHASE)) != (long)phase
        || PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(entry, ENTRY_EXPIRY))
           <= monotonic_seconds()) {
        return NULL;            /* time for the importer to look again */
    }
    /* The dispatcher puts the directive's directory on sys.path for each
     * handler it runs; if something took it off, let it. */
    dir = PyTuple_GET_ITEM(entry, ENTRY_DIR);
    if (dir != Py_None) {
        path = PySys_GetObject("path");                       /* borrowed */
        if (path == NULL || PySequence_Contains(path, dir) != 1) {
            PyErr_Clear();
            return NULL;
        }
    }
    obj = PyObject_GetAttr(PyTuple_GET_ITEM(entry, ENTRY_MODULE),
                           PyTuple_GET_ITEM(entry, ENTRY_NAME));
    if (obj == NULL || PyType_Check(obj)) {
        /* Gone (the dispatcher reports it), or a class the dispatcher
         * instantiates with the request. */
        PyErr_Clear();
        Py_XDECREF(obj);
        return NULL;
    }
    return obj;
}

/* The handler raised (the exception is set): let the Python dispatcher's
 * handler_failed turn it into a status, as it does for its own calls. */
static int
report_failure(mp_interp *ip, PyObject *req, mp_phase phase,
               const mp_handler *h)
{
    request_rec *r = ((mp_request *)req)->r;
    PyObject *type, *value, *tb, *old_type, *old_value, *old_tb;
    PyObject *failed, *handler, *result;
    int debug = mp_flag_on(mp_dir_conf(r)->debug, 0);

    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL) {
        PyException_SetTraceback(value, tb);
    }
    /* handler_failed reads it as sys.exc_info(), the exception being
     * handled; a handler further out (an internal redirect's caller) may
     * be handling one of its own, which comes back afterwards. */
    PyErr_GetExcInfo(&old_type, &old_value, &old_tb);
    PyErr_SetExcInfo(type, value, tb);
    failed = mp_interp_entry(ip, r->server, MP_ENTRY_HANDLER_FAILED);
    handler = PyUnicode_DecodeUTF8(h->handler, (Py_ssize_t)strlen(h->handler),
                                   "surrogateescape");
    result = failed == NULL || handler == NULL ? NULL
        : PyObject_CallFunction(failed, "OOOi", req, ip->phase_names[phase],
                                handler, debug);
    Py_XDECREF(handler);
    PyErr_SetExcInfo(old_type, old_value, old_tb);
    return mp_dispatcher_status(r, phase, result,
                                "reporting a handler's error");
}

/* The status the handler returned, or -1 with an exception set (a
 * TypeError for a result that is no integer). */
static int
status_of(PyObject *result, const mp_handler *h)
{
    long status;

    if (!PyLong_Check(result)) {
        PyErr_Format(PyExc_TypeError,
                     "handler %s returned %R, not an integer status",
                     h->handler, result);
        return -1;
    }
    status = PyLong_AsLong(result);
    if (status == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (status < INT_MIN || status > INT_MAX) {
        PyErr_Format(PyExc_OverflowError,
                     "handler %s returned %R, not a status", h->handler,
                     result);
        return -1;
    }
    return (int)status;
}

int
mp_fast_dispatch(mp_interp *ip, PyObject *req, mp_phase phase,
                 const mp_handler *h, int *status)
{
    mp_request *self = (mp_request *)req;
    request_rec *r = self->r;
    PyObject *obj, *running, *outer, *result;
    long added;
    int st;

    if (h == NULL || mp_fast_candidate(r, phase) != h) {
        return 0;
    }
    obj = remembered_object(ip, h, phase);
    if (obj == NULL) {
        return 0;
    }
    running = mp_interp_entry(ip, r->server, MP_ENTRY_RUNNING);
    if (running == NULL) {
        PyErr_Clear();
        Py_DECREF(obj);
        return 0;
    }
    /* What the dispatcher sets around a phase: apache.running.request
     * (for apache.allow_methods) and the handler's directory. */
    outer = PyObject_GetAttrString(running, "request");
    if (outer == NULL || PyObject_SetAttrString(running, "request", req) < 0) {
        PyErr_Clear();
        Py_XDECREF(outer);
        Py_DECREF(obj);
        return 0;
    }
    self->handler_dir = h->directory;
    self->dispatching = 1;
    self->dispatch_frame = NULL;        /* the handler returns to C */
    added = self->added;

    result = PyObject_CallOneArg(obj, req);
    Py_DECREF(obj);
    st = result != NULL ? status_of(result, h) : -1;
    Py_XDECREF(result);
    if (st == -1 && PyErr_Occurred()) {
        st = report_failure(ip, req, phase, h);
    }
    if (st == OK && self->added != added && self->r != NULL) {
        /* req.add_handler() gave this phase more handlers: the Python
         * dispatcher runs them (it flushes before each). */
        PyObject *dispatcher = mp_interp_entry(ip, r->server,
                                               MP_ENTRY_REQUEST);

        result = dispatcher == NULL ? NULL
            : PyObject_CallFunction(dispatcher, "OOi", req,
                                    ip->phase_names[phase], 1);
        st = mp_dispatcher_status(r, phase, result, "running added handlers");
    }
    if (PyObject_SetAttrString(running, "request", outer) < 0) {
        PyErr_Clear();
    }
    Py_DECREF(outer);
    *status = st;
    return 1;
}
