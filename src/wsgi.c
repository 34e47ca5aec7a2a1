/*
 * wsgi.c -- C support for mod_python.wsgi (see wsgi.h).
 */
#include "wsgi.h"
#include "requestobject.h"
#include "config.h"
#include "apr_lib.h"

/* The request_rec of a request object, or NULL with an exception set. */
static request_rec *
request_of(PyObject *module, PyObject *req)
{
    mp_module_state *st = PyModule_GetState(module);

    if (!PyObject_TypeCheck(req, st->request_type)) {
        PyErr_SetString(PyExc_TypeError, "expected a request object");
        return NULL;
    }
    if (((mp_request *)req)->r == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "this request has ended; its object can no longer "
                        "be used");
        return NULL;
    }
    return ((mp_request *)req)->r;
}

const char mp_wsgi_location_doc[] =
    "_wsgi_location(req, /)\n--\n\n"
    "The path of the innermost <Location> section that sets PythonHandler\n"
    "or the option mod_python.wsgi.application for req, without a\n"
    "trailing slash ('' for <Location />); None when that section is not\n"
    "a <Location>.";

PyObject *
mp_wsgi_location(PyObject *module, PyObject *req)
{
    request_rec *r = request_of(module, req);
    const char *loc;
    size_t n;

    if (r == NULL) {
        return NULL;
    }
    loc = mp_dir_conf(r)->app_location;
    if (loc == NULL) {
        Py_RETURN_NONE;
    }
    n = strlen(loc);
    while (n > 0 && loc[n - 1] == '/') {
        n--;
    }
    return PyUnicode_DecodeUTF8(loc, (Py_ssize_t)n, "surrogateescape");
}

const char mp_wsgi_set_status_doc[] =
    "_wsgi_set_status(req, status, /)\n--\n\n"
    "Make status ('404 Not Found': three digits, a space, a reason of\n"
    "printable latin-1 characters) the request's status and status line,\n"
    "so that the client sees the reason as given.  Returns the code.\n"
    "ValueError for anything else.";

PyObject *
mp_wsgi_set_status(PyObject *module, PyObject *args)
{
    PyObject *req, *status, *b;
    request_rec *r;
    const unsigned char *s;
    Py_ssize_t n, i;
    int code;

    if (!PyArg_ParseTuple(args, "OU:_wsgi_set_status", &req, &status)) {
        return NULL;
    }
    if ((r = request_of(module, req)) == NULL) {
        return NULL;
    }
    b = PyUnicode_AsLatin1String(status);
    if (b == NULL) {
        PyErr_Format(PyExc_ValueError,
                     "status %R is not latin-1 text", status);
        return NULL;
    }
    s = (const unsigned char *)PyBytes_AS_STRING(b);
    n = PyBytes_GET_SIZE(b);
    /* Apache itself drops a status_line that does not start with the
     * three digits of r->status and a space (and then sends its own
     * reason); a control character would end the line early and let the
     * rest of the text pass for a header. */
    if (n < 5 || !apr_isdigit(s[0]) || !apr_isdigit(s[1])
        || !apr_isdigit(s[2]) || s[3] != ' ' || s[0] == '0') {
        Py_DECREF(b);
        PyErr_Format(PyExc_ValueError,
                     "status %R is not a three-digit code, a space and a "
                     "reason phrase", status);
        return NULL;
    }
    for (i = 4; i < n; i++) {
        if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f) {
            Py_DECREF(b);
            PyErr_Format(PyExc_ValueError,
                         "status %R contains a control character", status);
            return NULL;
        }
    }
    code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    r->status = code;
    r->status_line = apr_pstrmemdup(r->pool, (const char *)s, (apr_size_t)n);
    Py_DECREF(b);
    return PyLong_FromLong(code);
}

const char mp_wsgi_abort_doc[] =
    "_wsgi_abort(req, /)\n--\n\n"
    "End a response that broke off: what was sent stays sent, no last\n"
    "chunk follows and Apache closes the connection, so the client sees\n"
    "an incomplete response.  Flush req first.";

PyObject *
mp_wsgi_abort(PyObject *module, PyObject *req)
{
    request_rec *r = request_of(module, req);
    conn_rec *c;
    apr_bucket_brigade *bb;

    if (r == NULL) {
        return NULL;
    }
    c = r->connection;
    /* An error bucket with 502 is how mod_proxy reports a backend that
     * died mid-response: HTTP's chunk filter then leaves out the last
     * chunk and its error filter closes the connection. */
    Py_BEGIN_ALLOW_THREADS
    bb = apr_brigade_create(r->pool, c->bucket_alloc);
    APR_BRIGADE_INSERT_TAIL(bb, ap_bucket_error_create(HTTP_BAD_GATEWAY, NULL,
                                                       r->pool,
                                                       c->bucket_alloc));
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_flush_create(c->bucket_alloc));
    ap_pass_brigade(r->output_filters, bb);
    apr_brigade_destroy(bb);
    c->keepalive = AP_CONN_CLOSE;
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}
