/*
 * serverobject.c -- the server object (see serverobject.h).
 */
#include "serverobject.h"
#include "pycall.h"
#include "members.h"
#include "configtable.h"
#include "config.h"
#include "mp_log.h"
#include "convert.h"
#include "scoreboard.h"

/* name, type, doc */
#define SERVER_MEMBERS(X) \
    X(defn_name, MP_M_PATH, "the configuration file defining this server") \
    X(defn_line_number, MP_M_UINT, "the line of that file") \
    X(server_admin, MP_M_STR, "ServerAdmin") \
    X(server_hostname, MP_M_STR, "ServerName") \
    X(port, MP_M_PORT, "the port (0 unless given in ServerName)") \
    X(error_fname, MP_M_PATH, "the error log file") \
    X(is_virtual, MP_M_CHARBOOL, "True for a virtual host") \
    X(timeout, MP_M_INTERVAL, "Timeout, in seconds") \
    X(keep_alive_timeout, MP_M_INTERVAL, "KeepAliveTimeout, in seconds") \
    X(keep_alive_max, MP_M_INT, "MaxKeepAliveRequests") \
    X(keep_alive, MP_M_BOOL, "KeepAlive") \
    X(path, MP_M_PATH, "ServerPath") \
    X(pathlen, MP_M_INT, "the length of ServerPath") \
    X(limit_req_line, MP_M_INT, "LimitRequestLine") \
    X(limit_req_fieldsize, MP_M_INT, "LimitRequestFieldSize") \
    X(limit_req_fields, MP_M_INT, "LimitRequestFields")

#define DEFINE_MEMBER(name, type, doc) MP_DEFINE_MEMBER(server_rec, name, type)
SERVER_MEMBERS(DEFINE_MEMBER)

static PyObject *
member_get(PyObject *op, void *closure)
{
    return mp_member_get(((mp_server *)op)->s, closure);
}

static PyObject *
get_names(PyObject *op, void *closure)
{
    (void)closure;
    return mp_str_array_tuple(((mp_server *)op)->s->names);
}

static PyObject *
get_wild_names(PyObject *op, void *closure)
{
    (void)closure;
    return mp_str_array_tuple(((mp_server *)op)->s->wild_names);
}

static PyObject *
get_loglevel(PyObject *op, void *closure)
{
    (void)closure;
    return PyLong_FromLong(((mp_server *)op)->s->log.level);
}

/* The MPM's generation: bumped by each graceful restart, so a child can
 * tell whether it belongs to the current configuration. */
static PyObject *
get_my_generation(PyObject *op, void *closure)
{
    int gen = 0;

    (void)op;
    (void)closure;
    if (ap_mpm_query(AP_MPMQ_GENERATION, &gen) != APR_SUCCESS) {
        gen = 0;
    }
    return PyLong_FromLong(gen);
}

/* When the server was last (re)started, from the scoreboard all the
 * processes share; None outside a running server. */
static PyObject *
get_restart_time(PyObject *op, void *closure)
{
    (void)op;
    (void)closure;
    if (ap_scoreboard_image == NULL || ap_scoreboard_image->global == NULL) {
        Py_RETURN_NONE;
    }
    return PyFloat_FromDouble(
        (double)ap_scoreboard_image->global->restart_time
        / APR_USEC_PER_SEC);
}

#define GETSET_ENTRY(name, type, doc) \
    {#name, member_get, NULL, PyDoc_STR(doc), (void *)&member_##name},

static PyGetSetDef server_getset[] = {
    SERVER_MEMBERS(GETSET_ENTRY)
    {"names", get_names, NULL,
     PyDoc_STR("tuple of the ServerAlias names without wildcards"), NULL},
    {"wild_names", get_wild_names, NULL,
     PyDoc_STR("tuple of the ServerAlias names with wildcards"), NULL},
    {"loglevel", get_loglevel, NULL, PyDoc_STR("LogLevel as a number"),
     NULL},
    {"my_generation", get_my_generation, NULL,
     PyDoc_STR("the generation of the server configuration (graceful "
               "restarts count up)"), NULL},
    {"restart_time", get_restart_time, NULL,
     PyDoc_STR("when the server was last started or restarted, seconds "
               "since the epoch"), NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

PyDoc_STRVAR(get_config_doc,
"get_config($self, /)\n--\n\n"
"A table of the mod_python directives set at this server's own level\n"
"(outside any <Directory>, <Location> or <Files>).");

static PyObject *
server_get_config(PyObject *op, PyObject *noargs)
{
    mp_server *self = (mp_server *)op;
    mp_dir_config *conf = ap_get_module_config(self->s->lookup_defaults,
                                               &python_module);

    (void)noargs;
    return mp_config_table(PyType_GetModuleState(Py_TYPE(op)), conf);
}

PyDoc_STRVAR(get_options_doc,
"get_options($self, /)\n--\n\n"
"A table of the PythonOption values set at global scope: outside any\n"
"<VirtualHost>, <Directory>, <Location> or <Files>.");

static PyObject *
server_get_options(PyObject *op, PyObject *noargs)
{
    mp_server *self = (mp_server *)op;

    (void)noargs;
    return mp_options_table(PyType_GetModuleState(Py_TYPE(op)),
                            mp_server_conf(self->s)->options);
}

PyDoc_STRVAR(register_cleanup_doc,
"register_cleanup($self, request, callable, data=None, /)\n--\n\n"
"Call callable(data) when this Apache child process exits.");

static PyObject *
server_register_cleanup(PyObject *op, PyObject *args)
{
    mp_module_state *st = PyType_GetModuleState(Py_TYPE(op));
    PyObject *req, *callable, *data = Py_None;

    if (!PyArg_ParseTuple(args, "OO|O:register_cleanup", &req, &callable,
                          &data)) {
        return NULL;
    }
    if (!PyObject_TypeCheck(req, st->request_type)) {
        PyErr_SetString(PyExc_TypeError,
                        "register_cleanup(): the first argument must be "
                        "the request object");
        return NULL;
    }
    if (mp_register_child_cleanup(st->interp,
                                  callable, data) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(server_log_error_doc,
"log_error($self, message, level=APLOG_ERR, /)\n--\n\n"
"Write message to this server's error log at the given APLOG_* level.\n"
"Works at any time in the process's life, from any thread.");

static PyObject *
server_log_error(PyObject *op, PyObject *args)
{
    server_rec *s = ((mp_server *)op)->s;
    const char *msg;
    int level = APLOG_ERR;

    if (!PyArg_ParseTuple(args, "s|i:log_error", &msg, &level)) {
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    ap_log_error(APLOG_MARK, level & APLOG_LEVELMASK, 0, s, "%s", msg);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyMethodDef server_methods[] = {
    {"log_error", server_log_error, METH_VARARGS, server_log_error_doc},
    {"get_config", server_get_config, METH_NOARGS, get_config_doc},
    {"get_options", server_get_options, METH_NOARGS, get_options_doc},
    {"register_cleanup", server_register_cleanup, METH_VARARGS,
     register_cleanup_doc},
    {NULL, NULL, 0, NULL}
};

static void
server_dealloc(PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);

    tp->tp_free(op);
    Py_DECREF(tp);
}

static PyObject *
server_repr(PyObject *op)
{
    server_rec *s = ((mp_server *)op)->s;

    return PyUnicode_FromFormat("<mp_server %s:%u>",
                                s->server_hostname ? s->server_hostname
                                                   : "?",
                                (unsigned)s->port);
}

static PyType_Slot server_slots[] = {
    {Py_tp_doc, "The server object: the main server or a virtual host."},
    {Py_tp_methods, server_methods},
    {Py_tp_getset, server_getset},
    {Py_tp_dealloc, server_dealloc},
    {Py_tp_repr, server_repr},
    {Py_tp_new, mp_type_no_new},
    {0, NULL}
};

static PyType_Spec server_spec = {
    .name = "_apache.mp_server",
    .basicsize = sizeof(mp_server),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = server_slots,
};

int
mp_server_init_type(PyObject *module, mp_module_state *st)
{
    st->server_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        module, &server_spec, NULL);
    return st->server_type ? 0 : -1;
}

PyObject *
mp_server_new(mp_module_state *st, server_rec *s)
{
    mp_server *self = PyObject_New(mp_server, st->server_type);

    if (self != NULL) {
        self->s = s;
    }
    return (PyObject *)self;
}

/* At child exit: this interpreter's registered cleanups, in order, each
 * one's failure logged on its own. */
static PyObject *
child_cleanup_prepare(mp_pycall *call, mp_interp *ip)
{
    PyObject *item = call->data;

    (void)ip;
    return PyTuple_Pack(2, PyTuple_GET_ITEM(item, 0),
                        PyTuple_GET_ITEM(item, 1));
}

static apr_status_t
run_child_cleanups(void *data)
{
    mp_interp *ip = data;
    PyObject *list;
    Py_ssize_t i;

    /* Registration happens under the GIL; at child exit no thread is
     * left to register more, so the list is read as it stands. */
    list = ip->state ? ip->state->child_cleanups : NULL;
    if (list == NULL) {
        return APR_SUCCESS;
    }
    for (i = 0; i < PyList_GET_SIZE(list); i++) {
        mp_pycall call = {0};

        call.prepare = child_cleanup_prepare;
        call.data = PyList_GET_ITEM(list, i);
        call.failed = MPLOGNO(0030) "a cleanup registered for the child's "
                      "exit raised";
        (void)mp_pycall_run_in(&call, ip);
    }
    return APR_SUCCESS;
}

int
mp_register_child_cleanup(mp_interp *ip, PyObject *callable, PyObject *data)
{
    mp_module_state *st = ip->state;
    PyObject *item;
    int rc;

    if (!PyCallable_Check(callable)) {
        PyErr_SetString(PyExc_TypeError,
                        "register_cleanup() needs a callable");
        return -1;
    }
    if (st->child_cleanups == NULL) {
        st->child_cleanups = PyList_New(0);
        if (st->child_cleanups == NULL) {
            return -1;
        }
        /* The GIL serialises this registration with every other one made
         * from Python, which is what keeps the child pool's cleanup list
         * safe from worker threads. */
        apr_pool_cleanup_register(mp_child_pool(), ip, run_child_cleanups,
                                  apr_pool_cleanup_null);
    }
    item = PyTuple_Pack(2, callable, data);
    if (item == NULL) {
        return -1;
    }
    rc = PyList_Append(st->child_cleanups, item);
    Py_DECREF(item);
    return rc;
}
