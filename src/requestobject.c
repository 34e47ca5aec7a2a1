/*
 * requestobject.c -- the request object.  See requestobject.h.
 *
 * Plain request_rec members are described once, in REQUEST_MEMBERS below
 * (name, C type, writable), and served by one getter and one setter; only
 * members that need more than a conversion have functions of their own.
 */
#include "requestobject.h"
#include "tableobject.h"
#include "pycall.h"
#include "mp_log.h"
#include "convert.h"
#include "members.h"
#include "configtable.h"
#include "connobject.h"
#include "serverobject.h"
#include "requestmethods.h"
#include "structmember.h"

#define RBUF_CHUNK 8192

static PyObject *
request_ended(void)
{
    PyErr_SetString(PyExc_RuntimeError,
                    "this request has ended; its object can no longer be "
                    "used");
    return NULL;
}

#define CHECK_REQUEST(self) \
    do { \
        if ((self)->r == NULL) { \
            return request_ended(); \
        } \
    } while (0)

/* ---- plain members ---------------------------------------------------- */

/* name, type, writable, doc */
#define REQUEST_MEMBERS(X) \
    X(the_request, MP_M_STR, 0, "the first line of the request") \
    X(assbackwards, MP_M_INT, 1, "1 for an HTTP/0.9 request: no headers") \
    X(proxyreq, MP_M_INT, 1, "one of the PROXYREQ_* values") \
    X(header_only, MP_M_BOOL, 0, "True for a HEAD request") \
    X(protocol, MP_M_STR, 0, "the protocol, e.g. 'HTTP/1.1'") \
    X(proto_num, MP_M_INT, 0, "the protocol version; 1.1 is 1001") \
    X(hostname, MP_M_STR, 0, "the host, from the URI or Host: header") \
    X(request_time, MP_M_TIME, 0, "when the request started (seconds)") \
    X(status_line, MP_M_STR, 1, "the status line, e.g. '200 OK'") \
    X(status, MP_M_INT, 1, "the HTTP status") \
    X(method, MP_M_STR, 0, "the method: 'GET', 'POST', ...") \
    X(method_number, MP_M_INT, 0, "the method as a number (M_*)") \
    X(allowed, MP_M_INT64, 0, "bit vector of allowed methods") \
    X(sent_bodyct, MP_M_OFF, 0, "body byte count sent") \
    X(bytes_sent, MP_M_OFF, 0, "number of body bytes sent") \
    X(mtime, MP_M_TIME, 0, "last modification time of the resource") \
    X(chunked, MP_M_BOOL, 1, "sending with chunked transfer-coding") \
    X(range, MP_M_STR, 0, "the Range: header") \
    X(clength, MP_M_OFF, 0, "the real content length") \
    X(remaining, MP_M_OFF, 0, "request body bytes left to read") \
    X(read_length, MP_M_OFF, 0, "request body bytes read") \
    X(read_body, MP_M_INT, 0, "how the request body is read") \
    X(read_chunked, MP_M_BOOL, 0, "reading chunked transfer-coding") \
    X(expecting_100, MP_M_BOOL, 0, "the client waits for 100 Continue") \
    X(handler, MP_M_STR, 1, "the Apache handler name, e.g. 'mod_python'") \
    X(content_encoding, MP_M_STR, 0, "the content encoding") \
    X(vlist_validator, MP_M_STR, 0, "variant list validator") \
    X(user, MP_M_PATH, 1, "the authenticated user name") \
    X(ap_auth_type, MP_M_STR, 1, "the authentication type") \
    X(no_cache, MP_M_BOOL, 1, "do not cache the response") \
    X(no_local_copy, MP_M_BOOL, 1, "no local copy exists") \
    X(unparsed_uri, MP_M_PATH, 0, "the URI as the client sent it") \
    X(uri, MP_M_PATH, 1, "the path part of the URI") \
    X(filename, MP_M_PATH, 1, "the file the request maps to") \
    X(canonical_filename, MP_M_PATH, 1, "the true file name") \
    X(path_info, MP_M_PATH, 1, "the path after the file name") \
    X(args, MP_M_PATH, 1, "the query string") \
    X(used_path_info, MP_M_INT, 1, "accept or reject path_info") \
    X(eos_sent, MP_M_BOOL, 0, "the end of the response has been sent") \
    X(useragent_ip, MP_M_STR, 0, "the client's IP address (mod_remoteip " \
      "may put the one a proxy names here)")

#define DEFINE_MEMBER(name, type, writable, doc) \
    MP_DEFINE_MEMBER(request_rec, name, type)
REQUEST_MEMBERS(DEFINE_MEMBER)

static PyObject *
member_get(PyObject *op, void *closure)
{
    mp_request *self = (mp_request *)op;

    CHECK_REQUEST(self);
    return mp_member_get(self->r, closure);
}

static int
member_set(PyObject *op, PyObject *value, void *closure)
{
    mp_request *self = (mp_request *)op;

    if (self->r == NULL) {
        request_ended();
        return -1;
    }
    return mp_member_set(self->r->pool, self->r, closure, value);
}

/* ---- members with their own logic ------------------------------------- */

static PyObject *
get_content_type(PyObject *op, void *closure)
{
    mp_request *self = (mp_request *)op;

    (void)closure;
    CHECK_REQUEST(self);
    return mp_str_from_latin1(self->r->content_type);
}

static int
set_content_type(PyObject *op, PyObject *value, void *closure)
{
    mp_request *self = (mp_request *)op;
    PyObject *b;

    (void)closure;
    if (self->r == NULL) {
        request_ended();
        return -1;
    }
    if (value != NULL && PyBytes_Check(value)) {
        /* As 3.5 takes it (CherryPy assigns bytes): sent as it is. */
        b = Py_NewRef(value);
    } else if (value != NULL && PyUnicode_Check(value)) {
        b = PyUnicode_AsLatin1String(value);
        if (b == NULL) {
            if (PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) {
                PyErr_Format(PyExc_TypeError,
                             "content_type %.100R is not latin-1 text "
                             "(give bytes for another encoding)", value);
            }
            return -1;
        }
    } else {
        PyErr_Format(PyExc_TypeError,
                     "content_type must be str or bytes, not %.100s",
                     value ? Py_TYPE(value)->tp_name : "nothing (del)");
        return -1;
    }
    if (memchr(PyBytes_AS_STRING(b), '\0', (size_t)PyBytes_GET_SIZE(b))
        != NULL) {
        Py_DECREF(b);
        PyErr_SetString(PyExc_ValueError,
                        "content_type must not contain a NUL character");
        return -1;
    }
    ap_set_content_type(self->r,
                        apr_pstrmemdup(self->r->pool, PyBytes_AS_STRING(b),
                                       (apr_size_t)PyBytes_GET_SIZE(b)));
    Py_DECREF(b);
    self->content_type_set = 1;
    return 0;
}

static PyObject *
get_content_type_set(PyObject *op, void *closure)
{
    (void)closure;
    return PyBool_FromLong(((mp_request *)op)->content_type_set);
}

/* Store value's truth in *field: the setters of the private flags. */
static int
set_flag(PyObject *value, int *field, const char *name)
{
    int t;

    if (value == NULL) {
        PyErr_Format(PyExc_TypeError, "cannot delete %s", name);
        return -1;
    }
    t = PyObject_IsTrue(value);
    if (t < 0) {
        return -1;
    }
    *field = t;
    return 0;
}

static int
set_content_type_set(PyObject *op, PyObject *value, void *closure)
{
    (void)closure;
    return set_flag(value, &((mp_request *)op)->content_type_set,
                    "_content_type_set");
}

static PyObject *
get_bytes_written(PyObject *op, void *closure)
{
    (void)closure;
    return PyLong_FromLongLong((long long)((mp_request *)op)->written);
}

/* The cached view of one of the request's tables. */
static PyObject *
table_member(mp_request *self, PyObject **slot, apr_table_t **tablep)
{
    CHECK_REQUEST(self);
    if (*slot == NULL) {
        *slot = mp_table_wrap(self->interp->state, tablep);
        if (*slot == NULL) {
            return NULL;
        }
    }
    return Py_NewRef(*slot);
}

#define TABLE_GETTER(field) \
    static PyObject * \
    get_##field(PyObject *op, void *closure) \
    { \
        mp_request *self = (mp_request *)op; \
        (void)closure; \
        if (self->r == NULL) { \
            return request_ended(); \
        } \
        return table_member(self, &self->field, &self->r->field); \
    }
TABLE_GETTER(headers_in)
TABLE_GETTER(headers_out)
TABLE_GETTER(err_headers_out)
TABLE_GETTER(notes)

/* req.subprocess_env: on the first fetch in a request (from any
 * interpreter), the CGI variables are put in first, as 3.2.10 had them
 * there for every request. */
static PyObject *
get_subprocess_env(PyObject *op, void *closure)
{
    mp_request *self = (mp_request *)op;
    mp_request_state *state;

    (void)closure;
    CHECK_REQUEST(self);
    state = mp_request_state_get(self->r, 1);
    if (state == NULL) {
        return PyErr_NoMemory();
    }
    if (!state->cgi_vars_added) {
        state->cgi_vars_added = 1;
        mp_req_cgi_vars(self->r, 1, 1);
    }
    return table_member(self, &self->subprocess_env,
                        &self->r->subprocess_env);
}

static PyObject *
get_connection(PyObject *op, void *closure)
{
    mp_request *self = (mp_request *)op;

    (void)closure;
    CHECK_REQUEST(self);
    if (self->connection == NULL) {
        self->connection = mp_conn_new(self->interp->state,
                                       self->r->connection);
        if (self->connection == NULL) {
            return NULL;
        }
    }
    return Py_NewRef(self->connection);
}

static PyObject *
get_server(PyObject *op, void *closure)
{
    mp_request *self = (mp_request *)op;

    (void)closure;
    /* The server outlives the request (its configuration's pool): code
     * that kept the request object, such as a logger CherryPy's adapter
     * sets up on the first request, may still ask for it. */
    if (self->server == NULL) {
        self->server = mp_server_new(self->interp->state, self->server_rec);
        if (self->server == NULL) {
            return NULL;
        }
    }
    return Py_NewRef(self->server);
}

static PyObject *
get_useragent_addr(PyObject *op, void *closure)
{
    mp_request *self = (mp_request *)op;

    (void)closure;
    CHECK_REQUEST(self);
    return mp_addr_tuple(self->r->useragent_addr);
}

/* req.main, req.prev, req.next: the request objects of related requests,
 * in this interpreter, or None. */
static PyObject *
related(mp_request *self, request_rec *other)
{
    if (other == NULL) {
        Py_RETURN_NONE;
    }
    return mp_request_get(other, self->interp);
}

static PyObject *
get_main(PyObject *op, void *closure)
{
    mp_request *self = (mp_request *)op;

    (void)closure;
    CHECK_REQUEST(self);
    return related(self, self->r->main);
}

static PyObject *
get_prev(PyObject *op, void *closure)
{
    mp_request *self = (mp_request *)op;

    (void)closure;
    CHECK_REQUEST(self);
    return related(self, self->r->prev);
}

static PyObject *
get_next(PyObject *op, void *closure)
{
    mp_request *self = (mp_request *)op;

    (void)closure;
    CHECK_REQUEST(self);
    return related(self, self->r->next);
}

static PyObject *
get_phase(PyObject *op, void *closure)
{
    mp_request *self = (mp_request *)op;

    (void)closure;
    if (self->phase < 0 || self->phase >= MP_PHASE_COUNT) {
        Py_RETURN_NONE;
    }
    return Py_NewRef(self->interp->phase_names[self->phase]);
}

static PyObject *
get_interpreter(PyObject *op, void *closure)
{
    (void)closure;
    return PyUnicode_FromString(((mp_request *)op)->interp->name);
}

/* ---- reading the request body ----------------------------------------- */

/* Prepare to read the body once.  Returns 1 when there is a body to read,
 * 0 when there is none, -1 with OSError set. */
static int
body_ready(mp_request *self)
{
    int rc;

    if (self->body_setup == 0) {
        Py_BEGIN_ALLOW_THREADS
        rc = ap_setup_client_block(self->r, REQUEST_CHUNKED_DECHUNK);
        if (rc == OK) {
            /* This may send "100 Continue", hence no GIL. */
            rc = ap_should_client_block(self->r) ? OK : DONE;
        }
        Py_END_ALLOW_THREADS
        self->body_setup = rc == OK ? 1 : rc == DONE ? 2 : -1;
    }
    if (self->body_setup == -1) {
        PyErr_SetString(PyExc_OSError, "cannot read the request body");
        return -1;
    }
    return self->body_setup == 1;
}

/* Read up to n bytes from the client into buf.  Returns the count (0 at
 * the end of the body) or -1 with OSError set. */
static long
client_read(mp_request *self, char *buf, apr_size_t n)
{
    long got;

    Py_BEGIN_ALLOW_THREADS
    got = ap_get_client_block(self->r, buf, n);
    Py_END_ALLOW_THREADS
    if (got < 0) {
        PyErr_SetString(PyExc_OSError,
                        "client read error (timeout or connection closed "
                        "before the whole body arrived)");
        return -1;
    }
    return got;
}

/* Bytes readline() read ahead and nobody consumed yet. */
static apr_size_t
buffered(mp_request *self)
{
    return self->rbuf_len - self->rbuf_pos;
}

PyDoc_STRVAR(read_doc,
"read($self, len=-1, /)\n--\n\n"
"Read at most len bytes of the request body (all of it when len is\n"
"negative or omitted) and return them as bytes.  Raises OSError when the\n"
"client does not send the body within Apache's Timeout.");

/* *out (a bytes object of ours, not yet shared) with its first `keep`
 * bytes in a new object of `size` bytes; 0, or -1 with *out released and
 * an exception set.  A copy, with the public API only. */
static int
bytes_resized(PyObject **out, Py_ssize_t keep, Py_ssize_t size)
{
    PyObject *bigger = PyBytes_FromStringAndSize(NULL, size);

    if (bigger == NULL) {
        Py_CLEAR(*out);
        return -1;
    }
    memcpy(PyBytes_AS_STRING(bigger), PyBytes_AS_STRING(*out),
           (size_t)(keep < size ? keep : size));
    Py_SETREF(*out, bigger);
    return 0;
}

static PyObject *
request_read(PyObject *op, PyObject *args)
{
    mp_request *self = (mp_request *)op;
    Py_ssize_t want = -1, have = 0, size;
    PyObject *out;
    long got;
    int ready;

    CHECK_REQUEST(self);
    if (!PyArg_ParseTuple(args, "|n:read", &want)) {
        return NULL;
    }
    ready = body_ready(self);
    if (ready < 0) {
        return NULL;
    }
    if (want == 0) {
        return PyBytes_FromStringAndSize(NULL, 0);
    }
    if (want > 0) {
        size = want;
    }
    else {
        /* Size the buffer from Content-Length when the client gave one. */
        size = (Py_ssize_t)buffered(self) + (self->r->remaining > 0
                                             ? (Py_ssize_t)self->r->remaining
                                             : RBUF_CHUNK);
        if (size <= 0) {
            size = RBUF_CHUNK;
        }
    }
    out = PyBytes_FromStringAndSize(NULL, size);
    if (out == NULL) {
        return NULL;
    }
    if (buffered(self) > 0) {
        apr_size_t n = buffered(self);
        if ((Py_ssize_t)n > size) {
            n = (apr_size_t)size;
        }
        memcpy(PyBytes_AS_STRING(out), self->rbuf + self->rbuf_pos, n);
        self->rbuf_pos += n;
        have = (Py_ssize_t)n;
    }
    while (ready && (want < 0 || have < want)) {
        if (have == size) {
            /* Reading to the end: grow geometrically. */
            size *= 2;
            if (bytes_resized(&out, have, size) < 0) {
                return NULL;
            }
        }
        got = client_read(self, PyBytes_AS_STRING(out) + have,
                          (apr_size_t)(size - have));
        if (got < 0) {
            Py_DECREF(out);
            return NULL;
        }
        if (got == 0) {
            break;
        }
        have += got;
    }
    /* Short of the size asked for or guessed (a body smaller than its
     * Content-Length, the end of a body read to the end): what came. */
    if (have != size && bytes_resized(&out, have, have) < 0) {
        return NULL;
    }
    return out;
}

/* Make sure the read-ahead buffer holds a newline or the rest of the body
 * (or at least `limit` bytes when limit >= 0).  0, or -1 with an error. */
static int
fill_line(mp_request *self, Py_ssize_t limit, int ready)
{
    long got;
    char *nb;

    for (;;) {
        apr_size_t avail = buffered(self);
        if (memchr(self->rbuf + self->rbuf_pos, '\n', avail) != NULL
            || (limit >= 0 && (Py_ssize_t)avail >= limit) || !ready) {
            return 0;
        }
        /* Compact, then grow if there is no room for another chunk. */
        if (self->rbuf_pos > 0) {
            memmove(self->rbuf, self->rbuf + self->rbuf_pos, avail);
            self->rbuf_len = avail;
            self->rbuf_pos = 0;
        }
        nb = realloc(self->rbuf, self->rbuf_len + RBUF_CHUNK);
        if (nb == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        self->rbuf = nb;
        got = client_read(self, self->rbuf + self->rbuf_len, RBUF_CHUNK);
        if (got < 0) {
            return -1;
        }
        if (got == 0) {
            ready = 0;
            self->body_setup = 2;
        }
        self->rbuf_len += (apr_size_t)got;
    }
}

PyDoc_STRVAR(readline_doc,
"readline($self, len=-1, /)\n--\n\n"
"Read one line of the request body, up to and including the newline, or\n"
"at most len bytes; b'' at the end of the body.");

static PyObject *
request_readline(PyObject *op, PyObject *args)
{
    mp_request *self = (mp_request *)op;
    Py_ssize_t limit = -1;
    apr_size_t n;
    const char *start, *nl;
    PyObject *out;
    int ready;

    CHECK_REQUEST(self);
    if (!PyArg_ParseTuple(args, "|n:readline", &limit)) {
        return NULL;
    }
    ready = body_ready(self);
    if (ready < 0 || fill_line(self, limit, ready) < 0) {
        return NULL;
    }
    start = self->rbuf ? self->rbuf + self->rbuf_pos : "";
    n = buffered(self);
    nl = memchr(start, '\n', n);
    if (nl != NULL) {
        n = (apr_size_t)(nl - start) + 1;
    }
    if (limit >= 0 && (apr_size_t)limit < n) {
        n = (apr_size_t)limit;
    }
    out = PyBytes_FromStringAndSize(start, (Py_ssize_t)n);
    if (out != NULL) {
        self->rbuf_pos += n;
    }
    return out;
}

PyDoc_STRVAR(readlines_doc,
"readlines($self, sizehint=-1, /)\n--\n\n"
"Read lines of the request body with readline() and return them as a\n"
"list; stop once about sizehint bytes have been read.");

static PyObject *
request_readlines(PyObject *op, PyObject *args)
{
    Py_ssize_t hint = -1, total = 0;
    PyObject *lines, *line, *noargs;

    if (!PyArg_ParseTuple(args, "|n:readlines", &hint)) {
        return NULL;
    }
    lines = PyList_New(0);
    noargs = PyTuple_New(0);
    if (lines == NULL || noargs == NULL) {
        Py_XDECREF(lines);
        Py_XDECREF(noargs);
        return NULL;
    }
    for (;;) {
        line = request_readline(op, noargs);
        if (line == NULL) {
            Py_CLEAR(lines);
            break;
        }
        if (PyBytes_GET_SIZE(line) == 0) {
            Py_DECREF(line);
            break;
        }
        total += PyBytes_GET_SIZE(line);
        if (PyList_Append(lines, line) < 0) {
            Py_DECREF(line);
            Py_CLEAR(lines);
            break;
        }
        Py_DECREF(line);
        if (hint > 0 && total >= hint) {
            break;
        }
    }
    Py_DECREF(noargs);
    return lines;
}

/* ---- writing the response --------------------------------------------- */

/* Send buf and a flush in one pass down the filter chain.  The data goes
 * as a transient bucket: it is written (or copied by a filter that keeps
 * it) before the pass returns, so it need not be copied here first.
 * Data buffered by earlier write(..., 0) calls sits in Apache's OLD_WRITE
 * filter, which puts it in front of ours.  Returns < 0 on failure. */
static int
write_and_flush(request_rec *r, const char *buf, Py_ssize_t len)
{
    conn_rec *c = r->connection;
    apr_bucket_brigade *bb;
    apr_status_t rv;

    Py_BEGIN_ALLOW_THREADS
    bb = apr_brigade_create(r->pool, c->bucket_alloc);
    if (len > 0) {
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_transient_create(
            buf, (apr_size_t)len, c->bucket_alloc));
    }
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_flush_create(c->bucket_alloc));
    rv = ap_pass_brigade(r->output_filters, bb);
    apr_brigade_destroy(bb);
    Py_END_ALLOW_THREADS
    return rv == APR_SUCCESS && !c->aborted ? 0 : -1;
}

PyDoc_STRVAR(write_doc,
"write($self, data, /, flush=1)\n--\n\n"
"Send data (bytes-like, or str encoded as UTF-8) to the client, then\n"
"flush unless flush is 0.  The first write sends the headers.  Raises\n"
"OSError when the client has gone away.");

/* Gathering buffer size; pieces of half of it or more go on directly. */
#define WBUF_SIZE 16384

int
mp_request_drain(PyObject *op)
{
    mp_request *self = (mp_request *)op;
    int rc;

    if (self->wbuf_len == 0 || self->r == NULL) {
        return 0;
    }
    Py_BEGIN_ALLOW_THREADS
    rc = ap_rwrite(self->wbuf, (int)self->wbuf_len, self->r);
    Py_END_ALLOW_THREADS
    self->wbuf_len = 0;
    if (rc < 0) {
        PyErr_SetString(PyExc_OSError,
                        "write failed: the client closed the connection");
        return -1;
    }
    return 0;
}

static PyObject *
request_write(PyObject *op, PyObject *const *args, Py_ssize_t nargs,
              PyObject *kwnames)
{
    mp_request *self = (mp_request *)op;
    PyObject *data, *flush_obj = NULL;
    int flush = 1, rc;
    Py_buffer view;
    const char *buf;
    Py_ssize_t len, nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;

    CHECK_REQUEST(self);
    /* Parsed by hand: this is the hottest call a handler makes. */
    if (nargs < 1 || nargs + nkw > 2) {
        PyErr_SetString(PyExc_TypeError,
                        "write() takes data and an optional flush");
        return NULL;
    }
    data = args[0];
    if (nargs == 2) {
        flush_obj = args[1];
    }
    else if (nkw == 1) {
        if (!PyUnicode_Check(PyTuple_GET_ITEM(kwnames, 0))
            || PyUnicode_CompareWithASCIIString(
                   PyTuple_GET_ITEM(kwnames, 0), "flush") != 0) {
            PyErr_SetString(PyExc_TypeError,
                            "write() got an unexpected keyword argument");
            return NULL;
        }
        flush_obj = args[1];
    }
    if (flush_obj != NULL && (flush = PyObject_IsTrue(flush_obj)) < 0) {
        return NULL;
    }
    if (self->r->connection->aborted) {
        PyErr_SetString(PyExc_OSError,
                        "write failed: the client closed the connection");
        return NULL;
    }
    if (mp_data_get(data, &view, &buf, &len) < 0) {
        return NULL;
    }
    self->written += len;
    if (!flush && len < WBUF_SIZE / 2) {
        /* Gather: no call into Apache until the buffer is full. */
        rc = 0;
        if (self->wbuf_len + (apr_size_t)len > WBUF_SIZE) {
            rc = mp_request_drain(op);
        }
        if (rc == 0 && self->wbuf == NULL
            && (self->wbuf = malloc(WBUF_SIZE)) == NULL) {
            PyErr_NoMemory();
            rc = -1;
        }
        if (rc == 0) {
            memcpy(self->wbuf + self->wbuf_len, buf, (size_t)len);
            self->wbuf_len += (apr_size_t)len;
        }
        mp_data_release(&view);
        if (rc < 0) {
            return NULL;
        }
        Py_RETURN_NONE;
    }
    rc = mp_request_drain(op);
    if (rc == 0) {
        if (flush) {
            rc = write_and_flush(self->r, buf, len);
        }
        else {
            Py_BEGIN_ALLOW_THREADS
            rc = len > 0 ? ap_rwrite(buf, (int)len, self->r) : 0;
            Py_END_ALLOW_THREADS
        }
        if (rc < 0) {
            PyErr_SetString(PyExc_OSError,
                            "write failed: the client closed the "
                            "connection");
        }
    }
    mp_data_release(&view);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(flush_doc,
"flush($self, /)\n--\n\n"
"Send what has been written so far to the client.");

static PyObject *
request_flush(PyObject *op, PyObject *noargs)
{
    mp_request *self = (mp_request *)op;

    (void)noargs;
    CHECK_REQUEST(self);
    if (mp_request_drain(op) < 0) {
        return NULL;
    }
    if (write_and_flush(self->r, NULL, 0) < 0) {
        PyErr_SetString(PyExc_OSError,
                        "flush failed: the client closed the connection");
        return NULL;
    }
    Py_RETURN_NONE;
}

/* ---- configuration and handlers --------------------------------------- */

PyDoc_STRVAR(get_basic_auth_pw_doc,
"get_basic_auth_pw($self, /)\n--\n\n"
"Decode the Basic authentication header: return the password (and set\n"
"req.user), or None when the client sent no Basic credentials.");

static PyObject *
request_get_basic_auth_pw(PyObject *op, PyObject *noargs)
{
    mp_request *self = (mp_request *)op;
    const char *pw = NULL;

    (void)noargs;
    CHECK_REQUEST(self);
    if (ap_get_basic_auth_pw(self->r, &pw) != OK || pw == NULL) {
        Py_RETURN_NONE;
    }
    return mp_str_from_path(pw);
}

PyDoc_STRVAR(get_options_doc,
"get_options($self, /)\n--\n\n"
"A table of the PythonOption values in effect for this request.");

static PyObject *
request_get_options(PyObject *op, PyObject *noargs)
{
    mp_request *self = (mp_request *)op;

    (void)noargs;
    CHECK_REQUEST(self);
    if (self->options == NULL
        || self->options_conf != self->r->per_dir_config) {
        PyObject *table = mp_options_table(self->interp->state,
                                           mp_dir_conf(self->r)->options);
        if (table == NULL) {
            return NULL;
        }
        Py_XSETREF(self->options, table);
        self->options_conf = self->r->per_dir_config;
    }
    return Py_NewRef(self->options);
}

PyDoc_STRVAR(get_config_doc,
"get_config($self, /)\n--\n\n"
"A table of the mod_python directives in effect for this request (all\n"
"but Python*Handler and PythonOption), directive name to value.");

static PyObject *
request_get_config(PyObject *op, PyObject *noargs)
{
    mp_request *self = (mp_request *)op;

    (void)noargs;
    CHECK_REQUEST(self);
    return mp_config_table(self->interp->state, mp_dir_conf(self->r));
}

PyDoc_STRVAR(add_handler_doc,
"add_handler($self, htype, handler, dir=None, /)\n--\n\n"
"Add a handler for a request phase ('PythonHandler', ...) for the rest of\n"
"this request: a 'module[::object]' string, or a callable.  Without dir\n"
"the directory of an existing handler of that phase is used, else that\n"
"of the handler now running (req.hlist.directory).");

PyObject *
mp_request_running_directory(mp_request *self)
{
    PyObject *hlist, *dir = NULL;

    if (self->dict != NULL
        && (hlist = PyDict_GetItemString(self->dict, "hlist")) != NULL) {
        dir = PyObject_GetAttrString(hlist, "directory");
        if (dir == NULL) {
            PyErr_Clear();
        }
    }
    return dir != NULL ? dir : Py_NewRef(Py_None);
}

static PyObject *
request_add_handler(PyObject *op, PyObject *args)
{
    mp_request *self = (mp_request *)op;
    const char *htype;
    PyObject *handler, *dirobj = Py_None, *dir = NULL, *parent, *item;
    mp_request_state *state;
    mp_dir_config *conf;
    int phase, rc;

    CHECK_REQUEST(self);
    if (!PyArg_ParseTuple(args, "sO|O:add_handler", &htype, &handler,
                          &dirobj)) {
        return NULL;
    }
    phase = mp_phase_from_name(htype);
    if (phase < 0 || phase == MP_PHASE_CLEANUP) {
        PyErr_Format(PyExc_ValueError,
                     "%s is not a request handler type add_handler() "
                     "accepts (use register_cleanup for cleanups)", htype);
        return NULL;
    }
    if (PyUnicode_Check(handler)) {
        Py_ssize_t n = PyUnicode_GetLength(handler);
        if (n == 0) {
            PyErr_SetString(PyExc_ValueError, "handler must not be empty");
            return NULL;
        }
    }
    else if (!PyCallable_Check(handler)) {
        PyErr_Format(PyExc_TypeError, "handler must be a 'module[::object]' "
                     "string or a callable, not %.100s",
                     Py_TYPE(handler)->tp_name);
        return NULL;
    }
    conf = mp_dir_conf(self->r);
    state = mp_request_state_get(self->r, 1);
    if (state == NULL) {
        return PyErr_NoMemory();
    }
    if (dirobj != Py_None) {
        if (!PyUnicode_Check(dirobj)) {
            PyErr_SetString(PyExc_TypeError, "dir must be a str or None");
            return NULL;
        }
        dir = Py_NewRef(dirobj);
    }
    else if (conf->handlers[phase] && conf->handlers[phase]->nelts > 0) {
        dir = mp_str_from_path(
            ((mp_handler *)conf->handlers[phase]->elts)->directory);
    }
    else if (state->added[phase] > 0) {
        dir = mp_str_from_path(state->added_dir[phase]);
    }
    else {
        dir = mp_request_running_directory(self);
    }
    if (dir == NULL) {
        return NULL;
    }
    parent = self->dict ? PyDict_GetItemString(self->dict, "hlist") : NULL;
    item = PyTuple_Pack(3, handler, dir, parent ? parent : Py_None);
    if (item == NULL) {
        Py_DECREF(dir);
        return NULL;
    }
    if (self->added[phase] == NULL
        && (self->added[phase] = PyList_New(0)) == NULL) {
        Py_DECREF(item);
        Py_DECREF(dir);
        return NULL;
    }
    rc = PyList_Append(self->added[phase], item);
    Py_DECREF(item);
    if (rc == 0 && state->added[phase]++ == 0 && dir != Py_None) {
        state->added_dir[phase] = mp_path_from_str(self->r->pool, dir);
        if (state->added_dir[phase] == NULL) {
            rc = -1;
        }
    }
    Py_DECREF(dir);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(register_cleanup_doc,
"register_cleanup($self, callable, data=None, /)\n--\n\n"
"Call callable(data) at the very end of the request.");

static PyObject *run_cleanup_prepare(mp_pycall *call, mp_interp *ip);
static apr_status_t run_cleanups(void *data);

static PyObject *
request_register_cleanup(PyObject *op, PyObject *args)
{
    mp_request *self = (mp_request *)op;
    PyObject *callable, *data = Py_None, *item;
    mp_request_state *state;
    int rc;

    CHECK_REQUEST(self);
    if (!PyArg_ParseTuple(args, "O|O:register_cleanup", &callable, &data)) {
        return NULL;
    }
    if (!PyCallable_Check(callable)) {
        PyErr_SetString(PyExc_TypeError,
                        "register_cleanup() needs a callable");
        return NULL;
    }
    state = mp_request_state_get(self->r, 1);
    if (state == NULL) {
        return PyErr_NoMemory();
    }
    if (self->cleanups == NULL && (self->cleanups = PyList_New(0)) == NULL) {
        return NULL;
    }
    item = PyTuple_Pack(2, callable, data);
    if (item == NULL) {
        return NULL;
    }
    rc = PyList_Append(self->cleanups, item);
    Py_DECREF(item);
    if (rc < 0) {
        return NULL;
    }
    if (!state->cleanups_registered) {
        /* A pre-cleanup: it runs while everything the request made is
         * still there, before the pool's ordinary cleanups (which end the
         * request objects). */
        state->cleanups_registered = 1;
        apr_pool_pre_cleanup_register(self->r->pool, state, run_cleanups);
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(log_error_doc,
"log_error($self, message, level=APLOG_ERR, /)\n--\n\n"
"Write message to the error log of this request's server, with the\n"
"client's address.");

static PyObject *
request_log_error(PyObject *op, PyObject *args)
{
    mp_request *self = (mp_request *)op;
    const char *msg;
    int level = APLOG_ERR;
    request_rec *r;

    CHECK_REQUEST(self);
    if (!PyArg_ParseTuple(args, "s|i:log_error", &msg, &level)) {
        return NULL;
    }
    r = self->r;
    Py_BEGIN_ALLOW_THREADS
    ap_log_rerror(APLOG_MARK, level & APLOG_LEVELMASK, 0, r, "%s", msg);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

PyDoc_STRVAR(document_root_doc,
"document_root($self, /)\n--\n\n"
"The DocumentRoot in effect for this request.");

static PyObject *
request_document_root(PyObject *op, PyObject *noargs)
{
    mp_request *self = (mp_request *)op;

    (void)noargs;
    CHECK_REQUEST(self);
    return mp_str_from_path(ap_document_root(self->r));
}

static PyMethodDef request_methods[] = {
    {"read", request_read, METH_VARARGS, read_doc},
    {"readline", request_readline, METH_VARARGS, readline_doc},
    {"readlines", request_readlines, METH_VARARGS, readlines_doc},
    {"write", (PyCFunction)(void (*)(void))request_write,
     METH_FASTCALL | METH_KEYWORDS, write_doc},
    {"flush", request_flush, METH_NOARGS, flush_doc},
    {"get_basic_auth_pw", request_get_basic_auth_pw, METH_NOARGS,
     get_basic_auth_pw_doc},
    {"get_options", request_get_options, METH_NOARGS, get_options_doc},
    {"get_config", request_get_config, METH_NOARGS, get_config_doc},
    {"add_handler", request_add_handler, METH_VARARGS, add_handler_doc},
    {"register_cleanup", request_register_cleanup, METH_VARARGS,
     register_cleanup_doc},
    {"log_error", request_log_error, METH_VARARGS, log_error_doc},
    {"document_root", request_document_root, METH_NOARGS,
     document_root_doc},
    MP_REQUEST_APACHE_METHODS
    {NULL, NULL, 0, NULL}
};

#define GETSET_ENTRY(name, type, writable, doc) \
    {#name, member_get, (writable) ? member_set : NULL, PyDoc_STR(doc), \
     (void *)&member_##name},

static PyGetSetDef request_getset[] = {
    REQUEST_MEMBERS(GETSET_ENTRY)
    {"content_type", get_content_type, set_content_type,
     PyDoc_STR("the response's content type"), NULL},
    {"_content_type_set", get_content_type_set, set_content_type_set,
     PyDoc_STR("true once content_type was assigned from Python"), NULL},
    {"headers_in", get_headers_in, NULL,
     PyDoc_STR("table of the request headers"), NULL},
    {"headers_out", get_headers_out, NULL,
     PyDoc_STR("table of the response headers"), NULL},
    {"err_headers_out", get_err_headers_out, NULL,
     PyDoc_STR("table of headers sent even with an error response"), NULL},
    {"notes", get_notes, NULL,
     PyDoc_STR("table of notes that live as long as the request"), NULL},
    {"subprocess_env", get_subprocess_env, NULL,
     PyDoc_STR("table of environment variables for CGI"), NULL},
    MP_REQUEST_APACHE_GETSETS
    {"connection", get_connection, NULL,
     PyDoc_STR("the connection object of this request"), NULL},
    {"useragent_addr", get_useragent_addr, NULL,
     PyDoc_STR("(ip, port) of the client (as mod_remoteip sees it)"), NULL},
    {"server", get_server, NULL,
     PyDoc_STR("the server object of the (virtual) server serving this"),
     NULL},
    {"main", get_main, NULL,
     PyDoc_STR("for a subrequest, the main request; else None"), NULL},
    {"prev", get_prev, NULL,
     PyDoc_STR("after an internal redirect, the request redirected from"),
     NULL},
    {"next", get_next, NULL,
     PyDoc_STR("the request this one was internally redirected to"), NULL},
    {"phase", get_phase, NULL,
     PyDoc_STR("the phase being run, e.g. 'PythonHandler'"), NULL},
    {"interpreter", get_interpreter, NULL,
     PyDoc_STR("the name of the interpreter running this code"), NULL},
    {"bytes_written", get_bytes_written, NULL,
     PyDoc_STR("bytes given to write() so far, sent or still buffered"),
     NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyMemberDef request_members[] = {
    {"__dictoffset__", T_PYSSIZET, offsetof(mp_request, dict), READONLY,
     NULL},
    {NULL, 0, 0, 0, NULL}
};

/* ---- life cycle -------------------------------------------------------- */

static int
request_traverse(PyObject *op, visitproc visit, void *arg)
{
    mp_request *self = (mp_request *)op;
    int i;

    Py_VISIT(Py_TYPE(op));
    Py_VISIT(self->dict);
    Py_VISIT(self->headers_in);
    Py_VISIT(self->headers_out);
    Py_VISIT(self->err_headers_out);
    Py_VISIT(self->notes);
    Py_VISIT(self->subprocess_env);
    Py_VISIT(self->cleanups);
    Py_VISIT(self->connection);
    Py_VISIT(self->server);
    Py_VISIT(self->options);
    for (i = 0; i < MP_PHASE_COUNT; i++) {
        Py_VISIT(self->added[i]);
    }
    return 0;
}

static int
request_clear(PyObject *op)
{
    mp_request *self = (mp_request *)op;
    int i;

    Py_CLEAR(self->dict);
    Py_CLEAR(self->headers_in);
    Py_CLEAR(self->headers_out);
    Py_CLEAR(self->err_headers_out);
    Py_CLEAR(self->notes);
    Py_CLEAR(self->subprocess_env);
    Py_CLEAR(self->cleanups);
    Py_CLEAR(self->connection);
    Py_CLEAR(self->server);
    Py_CLEAR(self->options);
    for (i = 0; i < MP_PHASE_COUNT; i++) {
        Py_CLEAR(self->added[i]);
    }
    return 0;
}

static void
request_dealloc(PyObject *op)
{
    mp_request *self = (mp_request *)op;
    PyTypeObject *tp = Py_TYPE(op);

    PyObject_GC_UnTrack(op);
    request_clear(op);
    free(self->rbuf);
    free(self->wbuf);
    tp->tp_free(op);
    Py_DECREF(tp);
}

static PyObject *
request_repr(PyObject *op)
{
    mp_request *self = (mp_request *)op;

    if (self->r == NULL) {
        return PyUnicode_FromString("<mp_request (ended)>");
    }
    return PyUnicode_FromFormat("<mp_request %s %s>",
                                self->r->method ? self->r->method : "?",
                                self->r->uri ? self->r->uri : "?");
}

static PyType_Slot request_slots[] = {
    {Py_tp_doc, "The request object: one HTTP request being served."},
    {Py_tp_methods, request_methods},
    {Py_tp_getset, request_getset},
    {Py_tp_members, request_members},
    {Py_tp_traverse, request_traverse},
    {Py_tp_clear, request_clear},
    {Py_tp_dealloc, request_dealloc},
    {Py_tp_new, mp_type_no_new},
    {Py_tp_repr, request_repr},
    {0, NULL}
};

static PyType_Spec request_spec = {
    .name = "_apache.mp_request",
    .basicsize = sizeof(mp_request),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = request_slots,
};

int
mp_request_init_type(PyObject *module, mp_module_state *st)
{
    st->request_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        module, &request_spec, NULL);
    return st->request_type ? 0 : -1;
}

/* A new request object for r in ip.  GIL held. */
static PyObject *
request_new(mp_interp *ip, request_rec *r)
{
    mp_request *self = PyObject_GC_New(mp_request, ip->state->request_type);
    int i;

    if (self == NULL) {
        return NULL;
    }
    self->r = r;
    self->server_rec = r->server;
    self->interp = ip;
    self->dict = NULL;
    self->headers_in = NULL;
    self->headers_out = NULL;
    self->err_headers_out = NULL;
    self->notes = NULL;
    self->subprocess_env = NULL;
    self->cleanups = NULL;
    self->connection = NULL;
    self->server = NULL;
    for (i = 0; i < MP_PHASE_COUNT; i++) {
        self->added[i] = NULL;
    }
    self->options = NULL;
    self->options_conf = NULL;
    self->phase = -1;
    self->content_type_set = 0;
    self->body_setup = 0;
    self->rbuf = NULL;
    self->rbuf_len = 0;
    self->rbuf_pos = 0;
    self->wbuf = NULL;
    self->wbuf_len = 0;
    self->written = 0;
    PyObject_GC_Track((PyObject *)self);
    return (PyObject *)self;
}

/* The request has ended: drop everything that points into it.  GIL held
 * in the object's interpreter. */
static void
request_end(PyObject *op)
{
    mp_request *self = (mp_request *)op;
    PyObject **tables[] = {&self->headers_in, &self->headers_out,
                           &self->err_headers_out, &self->notes,
                           &self->subprocess_env};
    size_t i;

    for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        if (*tables[i] != NULL) {
            mp_table_detach(*tables[i]);
        }
    }
    if (self->connection != NULL) {
        mp_conn_end(self->connection);
    }
    if (mp_request_drain(op) < 0) {
        PyErr_Clear();          /* the client is gone: nobody to tell */
    }
    free(self->wbuf);
    self->wbuf = NULL;
    self->r = NULL;
    free(self->rbuf);
    self->rbuf = NULL;
    self->rbuf_len = self->rbuf_pos = 0;
    /* Break cycles handlers made through attributes (req.x = req). */
    request_clear(op);
}

/* ---- the request's objects and its end -------------------------------- */

/* One cleanup registered with req.register_cleanup: call it. */
typedef struct {
    PyObject *item;             /* (callable, data), borrowed             */
} cleanup_call;

static PyObject *
run_cleanup_prepare(mp_pycall *call, mp_interp *ip)
{
    cleanup_call *cc = call->data;

    (void)ip;
    return PyTuple_Pack(2, PyTuple_GET_ITEM(cc->item, 0),
                        PyTuple_GET_ITEM(cc->item, 1));
}

/* Each cleanup of the objects' lists, in the order registered, each
 * call's failure logged on its own.  The lists are taken from the objects
 * first: a cleanup that registers another does not run it. */
static apr_status_t
run_cleanups(void *data)
{
    mp_request_state *state = data;
    mp_request_ref *ref = (mp_request_ref *)state->objects->elts;
    int i;

    for (i = 0; i < state->objects->nelts; i++) {
        mp_request *self = (mp_request *)ref[i].obj;
        PyObject *list;
        Py_ssize_t j, n;

        if (self == NULL
            || mp_interp_enter(ref[i].interp, state->r->server) < 0) {
            continue;
        }
        /* Taken under the GIL: a thread the handler started may still be
         * registering. */
        list = self->cleanups;
        self->cleanups = NULL;
        mp_interp_release(ref[i].interp);
        if (list == NULL) {
            continue;
        }
        n = PyList_GET_SIZE(list);
        for (j = 0; j < n; j++) {
            cleanup_call cc;
            mp_pycall call = {0};

            cc.item = PyList_GET_ITEM(list, j);
            call.s = state->r->server;
            call.r = state->r;
            call.prepare = run_cleanup_prepare;
            call.data = &cc;
            call.failed = MPLOGNO(0007) "a cleanup registered with "
                          "req.register_cleanup raised";
            (void)mp_pycall_run_in(&call, ref[i].interp);
        }
        /* Dropping the list needs the interpreter's GIL. */
        if (mp_interp_enter(ref[i].interp, state->r->server) == 0) {
            Py_DECREF(list);
            mp_interp_release(ref[i].interp);
        }
    }
    return APR_SUCCESS;
}

/* End every request object of the request (each in its interpreter). */
static apr_status_t
end_objects(void *data)
{
    mp_request_state *state = data;
    mp_request_ref *ref = (mp_request_ref *)state->objects->elts;
    int i;

    for (i = 0; i < state->objects->nelts; i++) {
        if (ref[i].obj == NULL
            || mp_interp_enter(ref[i].interp, state->r->server) < 0) {
            continue;
        }
        request_end(ref[i].obj);
        Py_CLEAR(ref[i].obj);
        mp_interp_release(ref[i].interp);
    }
    state->objects->nelts = 0;
    return APR_SUCCESS;
}

mp_request_state *
mp_request_state_get(request_rec *r, int create)
{
    mp_request_state *state = ap_get_module_config(r->request_config,
                                                   &python_module);

    if (state == NULL && create) {
        state = apr_pcalloc(r->pool, sizeof(*state));
        state->r = r;
        state->objects = apr_array_make(r->pool, 1, sizeof(mp_request_ref));
        ap_set_module_config(r->request_config, &python_module, state);
        apr_pool_cleanup_register(r->pool, state, end_objects,
                                  apr_pool_cleanup_null);
    }
    return state;
}

PyObject *
mp_request_get(request_rec *r, mp_interp *ip)
{
    mp_request_state *state = mp_request_state_get(r, 1);
    mp_request_ref *ref = (mp_request_ref *)state->objects->elts;
    PyObject *obj;
    int i;

    for (i = 0; i < state->objects->nelts; i++) {
        if (ref[i].interp == ip && ref[i].obj != NULL) {
            return Py_NewRef(ref[i].obj);
        }
    }
    obj = request_new(ip, r);
    if (obj == NULL) {
        return NULL;
    }
    ref = apr_array_push(state->objects);
    ref->interp = ip;
    ref->obj = Py_NewRef(obj);
    return obj;
}

void
mp_request_end_early(request_rec *r, mp_interp *ip)
{
    mp_request_state *state = mp_request_state_get(r, 0);
    mp_request_ref *ref;

    if (state == NULL || state->objects->nelts != 1) {
        return;
    }
    ref = (mp_request_ref *)state->objects->elts;
    if (ref->interp != ip || ref->obj == NULL
        || ((mp_request *)ref->obj)->cleanups != NULL) {
        return;
    }
    request_end(ref->obj);
    Py_CLEAR(ref->obj);
    state->objects->nelts = 0;
}
