/*
 * introspect.c -- the module's file, its interpreters and what they hold
 * (see introspect.h).
 */
#include "introspect.h"
#include "modulefile.h"
#include "interpreter.h"
#include "convert.h"
#include "_apachemodule.h"
#include "mp_log.h"
#include "serverobject.h"

PyDoc_STRVAR(module_file_doc,
"module_file()\n--\n\n"
"The path of the mod_python.so Apache loaded, or None if unknown.");

static PyObject *
introspect_module_file(PyObject *module, PyObject *noargs)
{
    const char *path = mp_module_file();

    (void)module;
    (void)noargs;
    if (path == NULL) {
        Py_RETURN_NONE;
    }
    return mp_str_from_path(path);
}

PyDoc_STRVAR(interpreter_names_doc,
"interpreter_names()\n--\n\n"
"The names of this process's interpreters, main_interpreter first, the\n"
"others in no particular order.");

static PyObject *
introspect_interpreter_names(PyObject *module, PyObject *noargs)
{
    apr_pool_t *p;
    apr_array_header_t *all;
    PyObject *list;
    int i;

    (void)module;
    (void)noargs;
    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        return PyErr_NoMemory();
    }
    all = mp_interp_all(p);
    list = PyList_New(all->nelts);
    for (i = 0; list != NULL && i < all->nelts; i++) {
        PyObject *name = PyUnicode_DecodeUTF8(
            APR_ARRAY_IDX(all, i, mp_interp *)->name,
            (Py_ssize_t)strlen(APR_ARRAY_IDX(all, i, mp_interp *)->name),
            "surrogateescape");
        if (name == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, i, name);
    }
    apr_pool_destroy(p);
    return list;
}

/* mod_python._dispatch._report(configs) in ip, where the GIL is held: a
 * str, or None when no handler ever ran there (the dispatcher was never
 * imported, and is not imported now just to be asked). */
static PyObject *
report_here(mp_interp *ip)
{
    PyObject *name, *mod, *configs, *result;
    apr_hash_index_t *hi;
    void *val;

    name = PyUnicode_FromString("mod_python._dispatch");
    if (name == NULL) {
        return NULL;
    }
    mod = PyImport_GetModule(name);
    Py_DECREF(name);
    if (mod == NULL) {
        if (PyErr_Occurred()) {
            return NULL;
        }
        Py_RETURN_NONE;
    }
    /* The cache of pyconfig.c: its Configs are this interpreter's
     * objects, and the hash is guarded by this interpreter's GIL. */
    configs = PyList_New(0);
    for (hi = apr_hash_first(NULL, ip->configs); configs != NULL && hi;
         hi = apr_hash_next(hi)) {
        apr_hash_this(hi, NULL, NULL, &val);
        if (PyList_Append(configs, val) < 0) {
            Py_CLEAR(configs);
        }
    }
    if (configs == NULL) {
        Py_DECREF(mod);
        return NULL;
    }
    result = PyObject_CallMethod(mod, "_report", "O", configs);
    Py_DECREF(configs);
    Py_DECREF(mod);
    if (result != NULL && result != Py_None && !PyUnicode_Check(result)) {
        Py_DECREF(result);
        PyErr_SetString(PyExc_TypeError,
                        "mod_python._dispatch._report() must return a str");
        return NULL;
    }
    return result;
}

/* What a visit to another interpreter brings back: C strings only. */
typedef struct {
    char *text;         /* the report (malloc), NULL for None or error */
    char *error;        /* what went wrong there (malloc), or NULL     */
} visit_result;

static char *
copy_utf8(PyObject *str)
{
    Py_ssize_t n;
    const char *utf8 = str ? PyUnicode_AsUTF8AndSize(str, &n) : NULL;
    char *copy;

    if (utf8 == NULL) {
        return NULL;
    }
    copy = malloc((size_t)n + 1);
    if (copy != NULL) {
        memcpy(copy, utf8, (size_t)n + 1);
    }
    return copy;
}

static void
report_visit(mp_interp *ip, void *data)
{
    visit_result *vr = data;
    PyObject *result = report_here(ip), *exc, *text;

    if (result != NULL) {
        if (result != Py_None && (vr->text = copy_utf8(result)) == NULL) {
            vr->error = strdup("the report could not be copied");
        }
        Py_DECREF(result);
    }
    else {
        exc = mp_exception_take();
        text = exc ? PyObject_Repr(exc) : NULL;
        vr->error = text ? copy_utf8(text) : NULL;
        if (vr->error == NULL) {
            vr->error = strdup("the report failed");
        }
        Py_XDECREF(text);
        Py_XDECREF(exc);
    }
    PyErr_Clear();
}

PyDoc_STRVAR(interpreter_report_doc,
"interpreter_report(name, /)\n--\n\n"
"What interpreter name of this process holds, as the JSON text made\n"
"there by mod_python._dispatch._report(): its handler modules and\n"
"cached configurations.  None when no handler has run in it.  KeyError\n"
"when there is no such interpreter; RuntimeError when its report\n"
"failed.");

static PyObject *
introspect_interpreter_report(PyObject *module, PyObject *arg)
{
    mp_module_state *st = PyModule_GetState(module);
    const char *name;
    mp_interp *ip;
    visit_result vr = {NULL, NULL};
    PyObject *result;

    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "interpreter_report() needs an "
                     "interpreter name (str), not %.100s",
                     Py_TYPE(arg)->tp_name);
        return NULL;
    }
    if ((name = PyUnicode_AsUTF8(arg)) == NULL) {
        return NULL;
    }
    if (st->interp == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "interpreter_report() works only inside Apache");
        return NULL;
    }
    ip = mp_interp_find(name);
    if (ip == NULL) {
        PyErr_SetObject(PyExc_KeyError, arg);
        return NULL;
    }
    if (ip == st->interp) {
        return report_here(ip);
    }
    if (mp_interp_visit(ip, mp_apache_main_server(), report_visit, &vr)
        < 0) {
        PyErr_Format(PyExc_RuntimeError, "cannot enter interpreter '%s' "
                     "(see the error log)", name);
        return NULL;
    }
    if (vr.error != NULL) {
        PyErr_Format(PyExc_RuntimeError, "the report of interpreter '%s' "
                     "failed: %s", name, vr.error);
        result = NULL;
    }
    else if (vr.text != NULL) {
        result = PyUnicode_FromString(vr.text);
    }
    else {
        result = Py_NewRef(Py_None);
    }
    free(vr.text);
    free(vr.error);
    return result;
}

PyDoc_STRVAR(module_loglevel_doc,
"module_loglevel(server, /)\n--\n\n"
"The LogLevel that applies to mod_python's own messages on server (a\n"
"server object): `LogLevel python:...` if given, else the server's.");

static PyObject *
introspect_module_loglevel(PyObject *module, PyObject *arg)
{
    mp_module_state *st = PyModule_GetState(module);

    if (!PyObject_TypeCheck(arg, st->server_type)) {
        PyErr_SetString(PyExc_TypeError, "module_loglevel() needs a server "
                        "object (req.server)");
        return NULL;
    }
    return PyLong_FromLong(ap_get_server_module_loglevel(
        ((mp_server *)arg)->s, python_module.module_index));
}

PyMethodDef mp_introspect_functions[] = {
    {"module_loglevel", introspect_module_loglevel, METH_O,
     module_loglevel_doc},
    {"module_file", introspect_module_file, METH_NOARGS, module_file_doc},
    {"interpreter_names", introspect_interpreter_names, METH_NOARGS,
     interpreter_names_doc},
    {"interpreter_report", introspect_interpreter_report, METH_O,
     interpreter_report_doc},
    {NULL, NULL, 0, NULL}
};
