/*
 * connobject.c -- the connection object (see connobject.h).
 */
#include "connobject.h"
#include "members.h"
#include "serverobject.h"
#include "tableobject.h"
#include "_apachemodule.h"

static PyObject *
conn_ended(void)
{
    PyErr_SetString(PyExc_RuntimeError,
                    "this connection object's request or handler has "
                    "ended; it can no longer be used");
    return NULL;
}

#define CHECK_CONN(self) \
    do { \
        if ((self)->c == NULL) { \
            return conn_ended(); \
        } \
    } while (0)

/* name, type, doc */
#define CONN_MEMBERS(X) \
    X(remote_host, MP_M_STR, "the client's DNS name, if looked up") \
    X(remote_logname, MP_M_STR, "the client's RFC 1413 (ident) name") \
    X(local_ip, MP_M_STR, "the server's IP address") \
    X(local_host, MP_M_STR, "the server's DNS name") \
    X(keepalives, MP_M_INT, "requests served on this connection so far") \
    X(id, MP_M_LONG, "a unique connection id")

#define DEFINE_MEMBER(name, type, doc) MP_DEFINE_MEMBER(conn_rec, name, type)
CONN_MEMBERS(DEFINE_MEMBER)

static PyObject *
member_get(PyObject *op, void *closure)
{
    mp_conn *self = (mp_conn *)op;

    CHECK_CONN(self);
    return mp_member_get(self->c, closure);
}

static PyObject *
addr_tuple(apr_sockaddr_t *sa)
{
    char *ip = NULL;

    if (sa == NULL) {
        Py_RETURN_NONE;
    }
    if (apr_sockaddr_ip_get(&ip, sa) != APR_SUCCESS || ip == NULL) {
        Py_RETURN_NONE;
    }
    return Py_BuildValue("(si)", ip, (int)sa->port);
}

static PyObject *
get_local_addr(PyObject *op, void *closure)
{
    mp_conn *self = (mp_conn *)op;

    (void)closure;
    CHECK_CONN(self);
    return addr_tuple(self->c->local_addr);
}

static PyObject *
get_remote_addr(PyObject *op, void *closure)
{
    mp_conn *self = (mp_conn *)op;

    (void)closure;
    CHECK_CONN(self);
    return addr_tuple(self->c->client_addr);
}

static PyObject *
get_remote_ip(PyObject *op, void *closure)
{
    mp_conn *self = (mp_conn *)op;

    (void)closure;
    CHECK_CONN(self);
    return mp_str_from_latin1(self->c->client_ip);
}

/* Bit-fields and enums have no address: one getter each. */
static PyObject *
get_aborted(PyObject *op, void *closure)
{
    mp_conn *self = (mp_conn *)op;

    (void)closure;
    CHECK_CONN(self);
    return PyBool_FromLong(self->c->aborted);
}

static PyObject *
get_keepalive(PyObject *op, void *closure)
{
    mp_conn *self = (mp_conn *)op;

    (void)closure;
    CHECK_CONN(self);
    /* AP_CONN_UNKNOWN 0, AP_CONN_CLOSE 1, AP_CONN_KEEPALIVE 2 in Apache;
     * the manual's 1 keep / 0 undecided / -1 close. */
    switch (self->c->keepalive) {
    case AP_CONN_KEEPALIVE:
        return PyLong_FromLong(1);
    case AP_CONN_CLOSE:
        return PyLong_FromLong(-1);
    default:
        return PyLong_FromLong(0);
    }
}

static PyObject *
get_double_reverse(PyObject *op, void *closure)
{
    mp_conn *self = (mp_conn *)op;

    (void)closure;
    CHECK_CONN(self);
    return PyLong_FromLong(self->c->double_reverse);
}

static PyObject *
get_base_server(PyObject *op, void *closure)
{
    mp_conn *self = (mp_conn *)op;

    (void)closure;
    CHECK_CONN(self);
    if (self->base_server == NULL) {
        self->base_server = mp_server_new(
            PyType_GetModuleState(Py_TYPE(op)), self->c->base_server);
        if (self->base_server == NULL) {
            return NULL;
        }
    }
    return Py_NewRef(self->base_server);
}

static PyObject *
get_notes(PyObject *op, void *closure)
{
    mp_conn *self = (mp_conn *)op;

    (void)closure;
    CHECK_CONN(self);
    if (self->notes == NULL) {
        self->notes = mp_table_wrap(PyType_GetModuleState(Py_TYPE(op)),
                                    &self->c->notes);
        if (self->notes == NULL) {
            return NULL;
        }
    }
    return Py_NewRef(self->notes);
}

#define GETSET_ENTRY(name, type, doc) \
    {#name, member_get, NULL, PyDoc_STR(doc), (void *)&member_##name},

static PyGetSetDef conn_getset[] = {
    CONN_MEMBERS(GETSET_ENTRY)
    {"base_server", get_base_server, NULL,
     PyDoc_STR("server object of the vhost the connection came in to"),
     NULL},
    {"local_addr", get_local_addr, NULL,
     PyDoc_STR("(address, port) of the server end"), NULL},
    {"remote_addr", get_remote_addr, NULL,
     PyDoc_STR("(address, port) of the client end"), NULL},
    {"remote_ip", get_remote_ip, NULL,
     PyDoc_STR("the client's IP address (CGI REMOTE_ADDR)"), NULL},
    {"aborted", get_aborted, NULL,
     PyDoc_STR("True once the connection is aborted"), NULL},
    {"keepalive", get_keepalive, NULL,
     PyDoc_STR("1 kept for another request, 0 undecided, -1 closing"),
     NULL},
    {"double_reverse", get_double_reverse, NULL,
     PyDoc_STR("1 double-reverse DNS done, 0 not yet, -1 failed"), NULL},
    {"notes", get_notes, NULL,
     PyDoc_STR("table of notes that live as long as the connection"), NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static int
conn_traverse(PyObject *op, visitproc visit, void *arg)
{
    mp_conn *self = (mp_conn *)op;

    Py_VISIT(Py_TYPE(op));
    Py_VISIT(self->notes);
    Py_VISIT(self->base_server);
    return 0;
}

static int
conn_clear(PyObject *op)
{
    mp_conn *self = (mp_conn *)op;

    Py_CLEAR(self->notes);
    Py_CLEAR(self->base_server);
    return 0;
}

static void
conn_dealloc(PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);

    PyObject_GC_UnTrack(op);
    conn_clear(op);
    tp->tp_free(op);
    Py_DECREF(tp);
}

static PyObject *
conn_no_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    (void)type;
    (void)args;
    (void)kw;
    PyErr_SetString(PyExc_TypeError,
                    "connection objects are made by mod_python, not by "
                    "code");
    return NULL;
}

static PyType_Slot conn_slots[] = {
    {Py_tp_doc, "The connection object: one client connection."},
    {Py_tp_getset, conn_getset},
    {Py_tp_traverse, conn_traverse},
    {Py_tp_clear, conn_clear},
    {Py_tp_dealloc, conn_dealloc},
    {Py_tp_new, conn_no_new},
    {0, NULL}
};

static PyType_Spec conn_spec = {
    .name = "_apache.mp_conn",
    .basicsize = sizeof(mp_conn),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = conn_slots,
};

int
mp_conn_init_type(PyObject *module, mp_module_state *st)
{
    st->conn_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        module, &conn_spec, NULL);
    return st->conn_type ? 0 : -1;
}

PyObject *
mp_conn_new(mp_module_state *st, conn_rec *c)
{
    mp_conn *self = PyObject_GC_New(mp_conn, st->conn_type);

    if (self == NULL) {
        return NULL;
    }
    self->c = c;
    self->notes = NULL;
    self->base_server = NULL;
    PyObject_GC_Track((PyObject *)self);
    return (PyObject *)self;
}

void
mp_conn_end(PyObject *op)
{
    mp_conn *self = (mp_conn *)op;

    if (self->notes != NULL) {
        mp_table_detach(self->notes);
    }
    self->c = NULL;
}
