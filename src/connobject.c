/*
 * connobject.c -- the connection object (see connobject.h).
 */
#include "connobject.h"
#include "members.h"
#include "serverobject.h"
#include "tableobject.h"
#include "convert.h"
#include "mp_log.h"

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
get_local_addr(PyObject *op, void *closure)
{
    mp_conn *self = (mp_conn *)op;

    (void)closure;
    CHECK_CONN(self);
    return mp_addr_tuple(self->c->local_addr);
}

static PyObject *
get_remote_addr(PyObject *op, void *closure)
{
    mp_conn *self = (mp_conn *)op;

    (void)closure;
    CHECK_CONN(self);
    return mp_addr_tuple(self->c->client_addr);
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

/* ---- I/O, for connection handlers ------------------------------------- */

#define READ_CHUNK 8192

static apr_bucket_brigade *
conn_brigade(mp_conn *self)
{
    if (self->bb == NULL) {
        self->bb = apr_brigade_create(self->c->pool,
                                      self->c->bucket_alloc);
    }
    return self->bb;
}

/* One ap_get_brigade() in `mode` for up to len bytes, as bytes; b'' at
 * the end of the stream.  Reading again after that raises OSError, so
 * that a handler looping on reads (the manual's echo server) ends when the
 * client goes away instead of spinning. */
static PyObject *
read_once(mp_conn *self, ap_input_mode_t mode, apr_off_t len)
{
    apr_bucket_brigade *bb = conn_brigade(self);
    apr_status_t rv;
    apr_off_t avail = 0;
    apr_size_t n;
    PyObject *out;
    char err[256];

    if (self->eof) {
        PyErr_SetString(PyExc_OSError,
                        "the client has closed the connection");
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    rv = ap_get_brigade(self->c->input_filters, bb, mode, APR_BLOCK_READ,
                        len);
    Py_END_ALLOW_THREADS
    if (rv == APR_EOF) {
        apr_brigade_cleanup(bb);
        self->eof = 1;
        return PyBytes_FromStringAndSize(NULL, 0);
    }
    if (rv != APR_SUCCESS) {
        apr_brigade_cleanup(bb);
        apr_strerror(rv, err, sizeof(err));
        PyErr_Format(PyExc_OSError, "connection read failed: %s", err);
        return NULL;
    }
    if (apr_brigade_length(bb, 1, &avail) != APR_SUCCESS) {
        avail = 0;
    }
    n = (apr_size_t)avail;
    out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n);
    if (out != NULL && n > 0
        && apr_brigade_flatten(bb, PyBytes_AS_STRING(out), &n)
           != APR_SUCCESS) {
        Py_CLEAR(out);
        PyErr_SetString(PyExc_OSError, "connection read failed");
    }
    apr_brigade_cleanup(bb);
    /* A blocking read that brings nothing is the end of the stream. */
    if (out != NULL && n == 0) {
        self->eof = 1;
    }
    return out;
}

PyDoc_STRVAR(conn_read_doc,
"read($self, length=0, /)\n--\n\n"
"Read from the client: at most length bytes, waiting for at least one;\n"
"what is available when length is 0 or omitted; everything until the\n"
"client closes when length is -1.  b'' at the end of the stream.");

/* The bytes of a list of bytes objects, joined: a new reference, or NULL
 * with an exception set. */
static PyObject *
join_chunks(PyObject *chunks)
{
    Py_ssize_t i, n = PyList_GET_SIZE(chunks), total = 0;
    PyObject *out;
    char *p;

    for (i = 0; i < n; i++) {
        total += PyBytes_GET_SIZE(PyList_GET_ITEM(chunks, i));
    }
    out = PyBytes_FromStringAndSize(NULL, total);
    if (out == NULL) {
        return NULL;
    }
    p = PyBytes_AS_STRING(out);
    for (i = 0; i < n; i++) {
        PyObject *chunk = PyList_GET_ITEM(chunks, i);

        memcpy(p, PyBytes_AS_STRING(chunk), (size_t)PyBytes_GET_SIZE(chunk));
        p += PyBytes_GET_SIZE(chunk);
    }
    return out;
}

static PyObject *
conn_read(PyObject *op, PyObject *args)
{
    mp_conn *self = (mp_conn *)op;
    Py_ssize_t len = 0;
    PyObject *chunks, *chunk, *out;

    CHECK_CONN(self);
    if (!PyArg_ParseTuple(args, "|n:read", &len)) {
        return NULL;
    }
    if (len >= 0) {
        return read_once(self, AP_MODE_READBYTES, len > 0 ? len
                                                          : READ_CHUNK);
    }
    chunks = PyList_New(0);
    if (chunks == NULL) {
        return NULL;
    }
    for (;;) {
        chunk = read_once(self, AP_MODE_READBYTES, READ_CHUNK);
        if (chunk == NULL) {
            Py_DECREF(chunks);
            return NULL;
        }
        if (PyBytes_GET_SIZE(chunk) == 0) {
            Py_DECREF(chunk);
            break;
        }
        if (PyList_Append(chunks, chunk) < 0) {
            Py_DECREF(chunk);
            Py_DECREF(chunks);
            return NULL;
        }
        Py_DECREF(chunk);
    }
    out = join_chunks(chunks);
    Py_DECREF(chunks);
    return out;
}

PyDoc_STRVAR(conn_readline_doc,
"readline($self, length=-1, /)\n--\n\n"
"Read a line from the client (with its newline), or at most length\n"
"bytes of it; b'' at the end of the stream.");

static PyObject *
conn_readline(PyObject *op, PyObject *args)
{
    mp_conn *self = (mp_conn *)op;
    Py_ssize_t len = -1;

    CHECK_CONN(self);
    if (!PyArg_ParseTuple(args, "|n:readline", &len)) {
        return NULL;
    }
    return read_once(self, AP_MODE_GETLINE, len > 0 ? len : HUGE_STRING_LEN);
}

PyDoc_STRVAR(conn_write_doc,
"write($self, data, /)\n--\n\n"
"Send data (bytes-like, or str as UTF-8) to the client now.");

static PyObject *
conn_write(PyObject *op, PyObject *data)
{
    mp_conn *self = (mp_conn *)op;
    apr_bucket_brigade *bb;
    Py_buffer view;
    const char *buf;
    Py_ssize_t len;
    apr_status_t rv;
    conn_rec *c;

    CHECK_CONN(self);
    c = self->c;
    if (mp_data_get(data, &view, &buf, &len) < 0) {
        return NULL;
    }
    bb = conn_brigade(self);
    Py_BEGIN_ALLOW_THREADS
    if (len > 0) {
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_transient_create(
            buf, (apr_size_t)len, c->bucket_alloc));
    }
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_flush_create(c->bucket_alloc));
    rv = ap_pass_brigade(c->output_filters, bb);
    apr_brigade_cleanup(bb);
    Py_END_ALLOW_THREADS
    mp_data_release(&view);
    if (rv != APR_SUCCESS || c->aborted) {
        PyErr_SetString(PyExc_OSError,
                        "write failed: the client closed the connection");
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(conn_log_error_doc,
"log_error($self, message, level=APLOG_ERR, /)\n--\n\n"
"Write message to the error log at the given APLOG_* level; Apache adds\n"
"the client's address to the line.");

static PyObject *
conn_log_error(PyObject *op, PyObject *args)
{
    mp_conn *self = (mp_conn *)op;
    const char *msg;
    int level = APLOG_ERR;
    conn_rec *c;

    CHECK_CONN(self);
    if (!PyArg_ParseTuple(args, "s|i:log_error", &msg, &level)) {
        return NULL;
    }
    c = self->c;
    Py_BEGIN_ALLOW_THREADS
    ap_log_cerror(APLOG_MARK, level & APLOG_LEVELMASK, 0, c, "%s", msg);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyMethodDef conn_methods[] = {
    {"log_error", conn_log_error, METH_VARARGS, conn_log_error_doc},
    {"read", conn_read, METH_VARARGS, conn_read_doc},
    {"readline", conn_readline, METH_VARARGS, conn_readline_doc},
    {"write", conn_write, METH_O, conn_write_doc},
    {NULL, NULL, 0, NULL}
};

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
    {"client_addr", get_remote_addr, NULL,
     PyDoc_STR("(address, port) of the client end (3.3-3.5's name for "
               "remote_addr)"), NULL},
    {"client_ip", get_remote_ip, NULL,
     PyDoc_STR("the client's IP address (3.3-3.5's name for remote_ip)"),
     NULL},
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

static PyType_Slot conn_slots[] = {
    {Py_tp_doc, "The connection object: one client connection."},
    {Py_tp_getset, conn_getset},
    {Py_tp_methods, conn_methods},
    {Py_tp_traverse, conn_traverse},
    {Py_tp_clear, conn_clear},
    {Py_tp_dealloc, conn_dealloc},
    {Py_tp_new, mp_type_no_new},
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
    self->bb = NULL;
    self->eof = 0;
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
    self->bb = NULL;
}
