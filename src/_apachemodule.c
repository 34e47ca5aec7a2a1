/*
 * _apachemodule.c -- the built-in `_apache` module: the C half of
 * mod_python.apache (see _apachemodule.h).
 */
#include "_apachemodule.h"
#include "convert.h"
#include "tableobject.h"
#include "requestobject.h"
#include "serverobject.h"
#include "connobject.h"
#include "filterobject.h"
#include "finfoobject.h"
#include "watchdog.h"
#include "locks.h"
#include "parseqs.h"
#include "mp_log.h"
#include "wsgi.h"
#include "dispatch.h"
#include "introspect.h"
#include "logbridge.h"

/* Set in post_config; read-only while requests are served. */
static server_rec *main_server;

void
mp_apache_set_main_server(server_rec *s)
{
    main_server = s;
}

server_rec *
mp_apache_main_server(void)
{
    return main_server;
}

PyDoc_STRVAR(log_error_doc,
"log_error(message, level=APLOG_ERR, server=None, /)\n--\n\n"
"Write message to Apache's error log at the given APLOG_* level.");

static PyObject *
apache_log_error(PyObject *module, PyObject *args)
{
    const char *msg;
    int level = APLOG_ERR;
    PyObject *server = Py_None;
    server_rec *s = main_server;

    if (!PyArg_ParseTuple(args, "s|iO:log_error", &msg, &level, &server)) {
        return NULL;
    }
    if (server != Py_None) {
        mp_module_state *st = PyModule_GetState(module);
        if (!PyObject_TypeCheck(server, st->server_type)) {
            PyErr_SetString(PyExc_TypeError,
                            "log_error(): server must be a server object "
                            "(req.server) or None");
            return NULL;
        }
        s = ((mp_server *)server)->s;
    }
    Py_BEGIN_ALLOW_THREADS
    ap_log_error(APLOG_MARK, level & APLOG_LEVELMASK, 0, s, "%s", msg);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

PyDoc_STRVAR(server_root_doc,
"server_root()\n--\n\nThe ServerRoot directory.");

static PyObject *
apache_server_root(PyObject *module, PyObject *noargs)
{
    (void)module;
    (void)noargs;
    return mp_str_from_path(ap_server_root);
}

PyDoc_STRVAR(mpm_query_doc,
"mpm_query(code, /)\n--\n\nAsk the MPM about itself (AP_MPMQ_* codes).");

static PyObject *
apache_mpm_query(PyObject *module, PyObject *args)
{
    int code, result = 0;

    (void)module;
    if (!PyArg_ParseTuple(args, "i:mpm_query", &code)) {
        return NULL;
    }
    if (ap_mpm_query(code, &result) != APR_SUCCESS) {
        result = 0;
    }
    return PyLong_FromLong(result);
}

PyDoc_STRVAR(exists_config_define_doc,
"exists_config_define(name, /)\n--\n\n"
"True when httpd was started with -Dname.");

static PyObject *
apache_exists_config_define(PyObject *module, PyObject *args)
{
    const char *name;

    (void)module;
    if (!PyArg_ParseTuple(args, "s:exists_config_define", &name)) {
        return NULL;
    }
    return PyBool_FromLong(ap_exists_config_define(name));
}

PyDoc_STRVAR(register_cleanup_doc,
"register_cleanup(handler, data=None, /)\n--\n\n"
"Call handler(data) when this Apache child process exits.");

static PyObject *
apache_register_cleanup(PyObject *module, PyObject *args)
{
    mp_module_state *st = PyModule_GetState(module);
    PyObject *callable, *data = Py_None;

    if (!PyArg_ParseTuple(args, "O|O:register_cleanup", &callable, &data)) {
        return NULL;
    }
    if (st->interp == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "register_cleanup() works only inside Apache");
        return NULL;
    }
    if (mp_register_child_cleanup(st->interp, callable, data) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* One level of the configuration tree as a list of (directive, args) and
 * (directive, args, children) tuples. */
static PyObject *
config_level(const ap_directive_t *d)
{
    PyObject *list = PyList_New(0), *item;

    for (; list != NULL && d != NULL; d = d->next) {
        if (d->first_child != NULL) {
            PyObject *children = config_level(d->first_child);
            item = children ? Py_BuildValue("(ssN)", d->directive,
                                            d->args ? d->args : "",
                                            children)
                            : NULL;
        }
        else {
            item = Py_BuildValue("(ss)", d->directive,
                                 d->args ? d->args : "");
        }
        if (item == NULL || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            Py_CLEAR(list);
            break;
        }
        Py_DECREF(item);
    }
    return list;
}

PyDoc_STRVAR(config_tree_doc,
"config_tree()\n--\n\n"
"A copy of the server configuration tree (not .htaccess files): a list\n"
"of (directive, arguments) and, for sections, (directive, arguments,\n"
"children) tuples.");

static PyObject *
apache_config_tree(PyObject *module, PyObject *noargs)
{
    (void)module;
    (void)noargs;
    return config_level(ap_conftree);
}

PyDoc_STRVAR(running_request_doc,
"running_request()\n--\n\n"
"The request whose phase this thread runs in this interpreter, or None\n"
"(mod_python.apache.running.request).");

static PyObject *
apache_running_request(PyObject *module, PyObject *noargs)
{
    PyObject *req = mp_running_request();

    (void)module;
    (void)noargs;
    return Py_NewRef(req != NULL ? req : Py_None);
}

PyDoc_STRVAR(running_config_doc,
"running_config()\n--\n\n"
"The configuration (mod_python._dispatch.Config) of the phase this\n"
"thread runs in this interpreter, or None.");

static PyObject *
apache_running_config(PyObject *module, PyObject *noargs)
{
    PyObject *config = mp_running_config();

    (void)module;
    (void)noargs;
    return Py_NewRef(config != NULL ? config : Py_None);
}

static PyMethodDef apache_functions[] = {
    {"running_request", apache_running_request, METH_NOARGS,
     running_request_doc},
    {"running_config", apache_running_config, METH_NOARGS,
     running_config_doc},
    {"register_cleanup", apache_register_cleanup, METH_VARARGS,
     register_cleanup_doc},
    {"config_tree", apache_config_tree, METH_NOARGS, config_tree_doc},
    {"log_error", apache_log_error, METH_VARARGS, log_error_doc},
    {"server_root", apache_server_root, METH_NOARGS, server_root_doc},
    {"mpm_query", apache_mpm_query, METH_VARARGS, mpm_query_doc},
    {"exists_config_define", apache_exists_config_define, METH_VARARGS,
     exists_config_define_doc},
    MP_WSGI_FUNCTIONS
    MP_LOGBRIDGE_FUNCTIONS
    {NULL, NULL, 0, NULL}
};

/* Apache's own numbers, taken from its headers so they cannot drift. */
#define C(name) {#name, name}
static const struct {
    const char *name;
    long value;
} apache_constants[] = {
    C(APLOG_EMERG), C(APLOG_ALERT), C(APLOG_CRIT), C(APLOG_ERR),
    C(APLOG_WARNING), C(APLOG_NOTICE), C(APLOG_INFO), C(APLOG_DEBUG),
    C(APLOG_NOERRNO),
    C(M_GET), C(M_PUT), C(M_POST), C(M_DELETE), C(M_CONNECT), C(M_OPTIONS),
    C(M_TRACE), C(M_PATCH), C(M_PROPFIND), C(M_PROPPATCH), C(M_MKCOL),
    C(M_COPY), C(M_MOVE), C(M_LOCK), C(M_UNLOCK), C(M_VERSION_CONTROL),
    C(M_CHECKOUT), C(M_UNCHECKOUT), C(M_CHECKIN), C(M_UPDATE), C(M_LABEL),
    C(M_REPORT), C(M_MKWORKSPACE), C(M_MKACTIVITY), C(M_BASELINE_CONTROL),
    C(M_MERGE), C(M_INVALID),
    C(AP_MPMQ_NOT_SUPPORTED), C(AP_MPMQ_STATIC), C(AP_MPMQ_DYNAMIC),
    C(AP_MPMQ_MAX_DAEMON_USED), C(AP_MPMQ_IS_THREADED),
    C(AP_MPMQ_IS_FORKED), C(AP_MPMQ_HARD_LIMIT_DAEMONS),
    C(AP_MPMQ_HARD_LIMIT_THREADS), C(AP_MPMQ_MAX_THREADS),
    C(AP_MPMQ_MIN_SPARE_DAEMONS), C(AP_MPMQ_MIN_SPARE_THREADS),
    C(AP_MPMQ_MAX_SPARE_DAEMONS), C(AP_MPMQ_MAX_SPARE_THREADS),
    C(AP_MPMQ_MAX_REQUESTS_DAEMON), C(AP_MPMQ_MAX_DAEMONS),
    C(REMOTE_HOST), C(REMOTE_NAME), C(REMOTE_NOLOOKUP),
    C(REMOTE_DOUBLE_REV),
    C(PROXYREQ_NONE), C(PROXYREQ_PROXY), C(PROXYREQ_REVERSE),
    C(PROXYREQ_RESPONSE),
    /* conn.keepalive in Apache's own terms (mod_python 3.3-3.5). */
    C(AP_CONN_UNKNOWN), C(AP_CONN_CLOSE), C(AP_CONN_KEEPALIVE),
    /* finfo.filetype */
    C(APR_NOFILE), C(APR_REG), C(APR_DIR), C(APR_CHR), C(APR_BLK),
    C(APR_PIPE), C(APR_LNK), C(APR_SOCK), C(APR_UNKFILE),
    /* the `wanted` bits of apache.stat() and finfo.valid */
    C(APR_FINFO_LINK), C(APR_FINFO_MTIME), C(APR_FINFO_CTIME),
    C(APR_FINFO_ATIME), C(APR_FINFO_SIZE), C(APR_FINFO_CSIZE),
    C(APR_FINFO_DEV), C(APR_FINFO_INODE), C(APR_FINFO_NLINK),
    C(APR_FINFO_TYPE), C(APR_FINFO_USER), C(APR_FINFO_GROUP),
    C(APR_FINFO_UPROT), C(APR_FINFO_GPROT), C(APR_FINFO_WPROT),
    C(APR_FINFO_ICASE), C(APR_FINFO_NAME), C(APR_FINFO_MIN),
    C(APR_FINFO_IDENT), C(APR_FINFO_OWNER), C(APR_FINFO_PROT),
    C(APR_FINFO_NORM), C(APR_FINFO_DIRENT),
    /* the module API of the httpd mod_python was built against */
    C(MODULE_MAGIC_NUMBER_MAJOR), C(MODULE_MAGIC_NUMBER_MINOR),
};
#undef C

/* _apache.main_server: the server object of the main server (3.3-3.5's
 * apache.main_server), None where no configuration has been read. */
static int
add_main_server(PyObject *module, mp_module_state *st)
{
    PyObject *srv;

    if (main_server != NULL) {
        srv = mp_server_new(st, main_server);
        if (srv == NULL) {
            return -1;
        }
    }
    else {
        srv = Py_NewRef(Py_None);
    }
    if (PyModule_AddObject(module, "main_server", srv) < 0) {
        Py_DECREF(srv);
        return -1;
    }
    return 0;
}

static int
apache_exec(PyObject *module)
{
    mp_module_state *st = PyModule_GetState(module);
    size_t i;

    if (PyModule_AddFunctions(module, mp_lock_functions) < 0
        || PyModule_AddFunctions(module, mp_parseqs_functions) < 0
        || PyModule_AddFunctions(module, mp_finfo_functions) < 0
        || PyModule_AddFunctions(module, mp_introspect_functions) < 0
        || PyModule_AddFunctions(module, mp_watch_functions) < 0) {
        return -1;
    }
    for (i = 0; i < sizeof(apache_constants) / sizeof(apache_constants[0]);
         i++) {
        if (PyModule_AddIntConstant(module, apache_constants[i].name,
                                    apache_constants[i].value) < 0) {
            return -1;
        }
    }

    if (mp_table_init_types(module, st) < 0
        || mp_request_init_type(module, st) < 0
        || mp_server_init_type(module, st) < 0
        || mp_conn_init_type(module, st) < 0
        || mp_filter_init_type(module, st) < 0
        || mp_finfo_init_type(module, st) < 0) {
        return -1;
    }
    if (add_main_server(module, st) < 0) {
        return -1;
    }
    if (PyModule_AddStringConstant(module, "mp_version",
                                   MP_VERSION_STRING) < 0
        || PyModule_AddStringConstant(module, "apache_version",
                                      ap_get_server_banner()) < 0) {
        return -1;
    }
    return 0;
}

static int
apache_traverse(PyObject *module, visitproc visit, void *arg)
{
    mp_module_state *st = PyModule_GetState(module);

    Py_VISIT(st->table_type);
    Py_VISIT(st->table_iter_type);
    Py_VISIT(st->request_type);
    Py_VISIT(st->server_type);
    Py_VISIT(st->conn_type);
    Py_VISIT(st->filter_type);
    Py_VISIT(st->finfo_type);
    Py_VISIT(st->child_cleanups);
    return 0;
}

static int
apache_clear(PyObject *module)
{
    mp_module_state *st = PyModule_GetState(module);

    Py_CLEAR(st->table_type);
    Py_CLEAR(st->table_iter_type);
    Py_CLEAR(st->request_type);
    Py_CLEAR(st->server_type);
    Py_CLEAR(st->conn_type);
    Py_CLEAR(st->filter_type);
    Py_CLEAR(st->finfo_type);
    Py_CLEAR(st->child_cleanups);
    return 0;
}

static void
apache_free(void *module)
{
    apache_clear((PyObject *)module);
}

static PyModuleDef_Slot apache_slots[] = {
    {Py_mod_exec, apache_exec},
#ifdef Py_mod_multiple_interpreters
    /* Everything lives in module state; interpreters share one GIL. */
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED},
#endif
    {0, NULL}
};

static struct PyModuleDef apache_module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_apache",
    .m_doc = "The C part of mod_python.apache; use that module instead.",
    .m_size = sizeof(mp_module_state),
    .m_methods = apache_functions,
    .m_slots = apache_slots,
    .m_traverse = apache_traverse,
    .m_clear = apache_clear,
    .m_free = apache_free,
};

PyMODINIT_FUNC
mp_init_apache_module(void)
{
    return PyModuleDef_Init(&apache_module_def);
}
