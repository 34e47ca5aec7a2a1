/*
 * requestmethods.c -- request methods and members over Apache's request
 * API (see requestmethods.h).
 */
#include "requestmethods.h"
#include "finfoobject.h"
#include "filterobject.h"
#include "apr_lib.h"
#include "convert.h"
#include "http_ssl.h"
#include "config.h"

#define REQ(op) (((mp_request *)(op))->r)

#define CHECK_REQUEST(op) \
    do { \
        if (REQ(op) == NULL) { \
            PyErr_SetString(PyExc_RuntimeError, \
                            "this request has ended; its object can no " \
                            "longer be used"); \
            return NULL; \
        } \
    } while (0)

/* ---- members ---------------------------------------------------------- */

const char mp_req_finfo_doc[] =
    "the requested file's finfo (as apache.stat() returns; unpacks as "
    "(mode, ino, dev, nlink, uid, gid, size, atime, mtime, ctime, fname, "
    "name), index with apache.FINFO_*), or None when there is no file; "
    "assign what apache.stat() returns";

PyObject *
mp_req_get_finfo(PyObject *op, void *closure)
{
    const apr_finfo_t *f;

    (void)closure;
    CHECK_REQUEST(op);
    f = &REQ(op)->finfo;
    if (f->filetype == APR_NOFILE) {
        Py_RETURN_NONE;
    }
    /* The finfo object of apache.stat(): it unpacks and indexes like
     * 3.2.10's tuple and has 3.3's attributes. */
    return mp_finfo_new(((mp_request *)op)->interp->state, f);
}

int
mp_req_set_finfo(PyObject *op, PyObject *value, void *closure)
{
    request_rec *r = REQ(op);
    const mp_finfo *fi;
    apr_finfo_t f;

    (void)closure;
    if (r == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "this request has ended");
        return -1;
    }
    if (value == NULL || value == Py_None) {
        /* No file: what Apache has when the URI maps to nothing. */
        memset(&r->finfo, 0, sizeof(r->finfo));
        r->finfo.filetype = APR_NOFILE;
        return 0;
    }
    if (!PyObject_TypeCheck(value,
                            ((mp_request *)op)->interp->state->finfo_type)) {
        PyErr_Format(PyExc_TypeError,
                     "req.finfo takes what apache.stat() returns (or None), "
                     "not %.100s", Py_TYPE(value)->tp_name);
        return -1;
    }
    /* As 3.5 does for req.finfo = apache.stat(req.filename, ...): Apache
     * then serves, checks and dates the request by this file.  The names
     * are copied into the request's pool. */
    fi = (const mp_finfo *)value;
    f = fi->f;
    f.pool = r->pool;
    f.fname = NULL;
    f.name = NULL;
    if (fi->fname != Py_None
        && (f.fname = mp_path_from_str(r->pool, fi->fname)) == NULL) {
        return -1;
    }
    if (fi->name != Py_None
        && (f.name = mp_path_from_str(r->pool, fi->name)) == NULL) {
        return -1;
    }
    r->finfo = f;
    return 0;
}

const char mp_req_parsed_uri_doc[] =
    "(scheme, hostinfo, user, password, hostname, port, path, query, "
    "fragment) of the request URI (index with apache.URI_*)";

PyObject *
mp_req_get_parsed_uri(PyObject *op, void *closure)
{
    const apr_uri_t *u;
    PyObject *port;

    (void)closure;
    CHECK_REQUEST(op);
    u = &REQ(op)->parsed_uri;
    if (u->port_str != NULL) {
        port = PyLong_FromLong(u->port);
    }
    else {
        port = Py_NewRef(Py_None);
    }
    return Py_BuildValue("(NNNNNNNNN)", mp_str_from_latin1(u->scheme),
                         mp_str_from_latin1(u->hostinfo),
                         mp_str_from_path(u->user),
                         mp_str_from_path(u->password),
                         mp_str_from_latin1(u->hostname), port,
                         mp_str_from_path(u->path),
                         mp_str_from_path(u->query),
                         mp_str_from_path(u->fragment));
}

const char mp_req_allowed_xmethods_doc[] =
    "tuple of the allowed extension methods";

PyObject *
mp_req_get_allowed_xmethods(PyObject *op, void *closure)
{
    (void)closure;
    CHECK_REQUEST(op);
    return mp_str_array_tuple(REQ(op)->allowed_xmethods);
}

/* Indexed by M_* number, M_GET (0) to M_MERGE. */
static const char *const method_names[M_INVALID] = {
    "GET", "PUT", "POST", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK",
    "VERSION-CONTROL", "CHECKOUT", "UNCHECKOUT", "CHECKIN", "UPDATE",
    "LABEL", "REPORT", "MKWORKSPACE", "MKACTIVITY", "BASELINE-CONTROL",
    "MERGE",
};

const char mp_req_allowed_methods_doc[] =
    "tuple of the methods added with allow_methods() (for the Allow: "
    "header)";

PyObject *
mp_req_get_allowed_methods(PyObject *op, void *closure)
{
    ap_method_list_t *ml;
    PyObject *list, *t;
    int i;

    (void)closure;
    CHECK_REQUEST(op);
    ml = REQ(op)->allowed_methods;
    list = PyList_New(0);
    if (list == NULL || ml == NULL) {
        return list ? PyList_AsTuple(list) : NULL;
    }
    /* Known methods are bits of the mask; the others are listed.  Names
     * come from our table, not ap_method_name_of(): several names (HEAD
     * and GET) share a number there. */
    for (i = 0; i < M_INVALID; i++) {
        if (ml->method_mask & (AP_METHOD_BIT << i)) {
            PyObject *s = PyUnicode_FromString(method_names[i]);
            if (s == NULL || PyList_Append(list, s) < 0) {
                Py_XDECREF(s);
                Py_DECREF(list);
                return NULL;
            }
            Py_DECREF(s);
        }
    }
    t = mp_str_array_tuple(ml->method_list);
    if (t != NULL) {
        for (i = 0; i < PyTuple_GET_SIZE(t); i++) {
            if (PyList_Append(list, PyTuple_GET_ITEM(t, i)) < 0) {
                Py_CLEAR(t);
                break;
            }
        }
    }
    if (t == NULL) {
        Py_DECREF(list);
        return NULL;
    }
    Py_DECREF(t);
    t = PyList_AsTuple(list);
    Py_DECREF(list);
    return t;
}

const char mp_req_content_languages_doc[] =
    "tuple of the response's content languages (assign a sequence of str)";

PyObject *
mp_req_get_content_languages(PyObject *op, void *closure)
{
    (void)closure;
    CHECK_REQUEST(op);
    if (REQ(op)->content_languages == NULL) {
        Py_RETURN_NONE;
    }
    return mp_str_array_tuple(REQ(op)->content_languages);
}

int
mp_req_set_content_languages(PyObject *op, PyObject *value, void *closure)
{
    request_rec *r = REQ(op);
    apr_array_header_t *arr;
    PyObject *seq;
    Py_ssize_t i, n;

    (void)closure;
    if (r == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "this request has ended");
        return -1;
    }
    if (value == NULL || value == Py_None) {
        r->content_languages = NULL;
        return 0;
    }
    if (PyUnicode_Check(value)) {
        PyErr_SetString(PyExc_TypeError,
                        "content_languages must be a sequence of str");
        return -1;
    }
    seq = PySequence_Fast(value,
                          "content_languages must be a sequence of str");
    if (seq == NULL) {
        return -1;
    }
    n = PySequence_Fast_GET_SIZE(seq);
    arr = apr_array_make(r->pool, (int)n, sizeof(const char *));
    for (i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        const char *s;
        if (!PyUnicode_Check(item) || (s = PyUnicode_AsUTF8(item)) == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_TypeError,
                                "content_languages must be a sequence of "
                                "str");
            }
            Py_DECREF(seq);
            return -1;
        }
        *(const char **)apr_array_push(arr) = apr_pstrdup(r->pool, s);
    }
    Py_DECREF(seq);
    r->content_languages = arr;
    return 0;
}

/* ---- methods ---------------------------------------------------------- */

void
mp_req_cgi_vars(request_rec *r, int common, int cgi)
{
    mp_request_state *state = mp_request_state_get(r, 1);

    /* Code that asks for the variables itself (3.3-3.5's way) gets what
     * it asks for: the first fetch of req.subprocess_env need not add
     * them all (3.2.10's way) again. */
    if (state != NULL) {
        state->cgi_vars_added = 1;
    }
    /* Without the GIL: ap_add_common_vars may look the client's name up
     * (HostnameLookups On), and ap_add_cgi_vars finds PATH_TRANSLATED
     * with a subrequest, which runs every module's hooks, ours too. */
    Py_BEGIN_ALLOW_THREADS
    if (common) {
        ap_add_common_vars(r);
    }
    if (cgi) {
        ap_add_cgi_vars(r);
    }
    Py_END_ALLOW_THREADS
}

const char mp_req_add_common_vars_doc[] =
    "add_common_vars($self, /)\n--\n\n"
    "Put Apache's common CGI variables (HTTP_*, SERVER_*, REMOTE_ADDR,\n"
    "DOCUMENT_ROOT, ...) in req.subprocess_env, computed afresh.";

PyObject *
mp_req_add_common_vars(PyObject *op, PyObject *noargs)
{
    (void)noargs;
    CHECK_REQUEST(op);
    mp_req_cgi_vars(REQ(op), 1, 0);
    Py_RETURN_NONE;
}

const char mp_req_add_cgi_vars_doc[] =
    "add_cgi_vars($self, /)\n--\n\n"
    "Put all the CGI variables in req.subprocess_env, computed afresh:\n"
    "those of add_common_vars() and the CGI/1.1 request variables\n"
    "(REQUEST_METHOD, QUERY_STRING, SCRIPT_NAME, PATH_INFO,\n"
    "PATH_TRANSLATED, ...), as in mod_python 3.4+.";

PyObject *
mp_req_add_cgi_vars(PyObject *op, PyObject *noargs)
{
    (void)noargs;
    CHECK_REQUEST(op);
    /* 3.4 made this the superset and add_common_vars() the old name for
     * part of it: code written for 3.4+ (Roundup) calls only this. */
    mp_req_cgi_vars(REQ(op), 1, 1);
    Py_RETURN_NONE;
}

const char mp_req_allow_methods_doc[] =
    "allow_methods($self, methods, reset=0, /)\n--\n\n"
    "Add the methods in the sequence (names, or apache.M_* numbers) to the\n"
    "Allow: header sent with HTTP_METHOD_NOT_ALLOWED or\n"
    "HTTP_NOT_IMPLEMENTED; clear it first when reset is true.";

PyObject *
mp_req_allow_methods(PyObject *op, PyObject *args)
{
    PyObject *methods, *seq;
    int reset = 0;
    Py_ssize_t i, n;
    request_rec *r;

    CHECK_REQUEST(op);
    r = REQ(op);
    if (!PyArg_ParseTuple(args, "O|i:allow_methods", &methods, &reset)) {
        return NULL;
    }
    if (PyUnicode_Check(methods)) {
        PyErr_SetString(PyExc_TypeError,
                        "allow_methods() takes a sequence of method names");
        return NULL;
    }
    seq = PySequence_Fast(methods, "allow_methods() takes a sequence of "
                          "method names");
    if (seq == NULL) {
        return NULL;
    }
    n = PySequence_Fast_GET_SIZE(seq);
    /* Check everything before changing anything, so a bad item leaves the
     * list as it was. */
    for (i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        if (PyLong_Check(item)) {
            long number = PyLong_AsLong(item);
            if (number == -1 && PyErr_Occurred()) {
                Py_DECREF(seq);
                return NULL;
            }
            if (number < 0 || number >= M_INVALID) {
                Py_DECREF(seq);
                PyErr_Format(PyExc_ValueError,
                             "%ld is not an apache.M_* method number", number);
                return NULL;
            }
        } else if (!PyUnicode_Check(item)) {
            Py_DECREF(seq);
            PyErr_SetString(PyExc_TypeError,
                            "methods must be names (str) or apache.M_* "
                            "numbers (int)");
            return NULL;
        }
    }
    if (reset) {
        ap_clear_method_list(r->allowed_methods);
        r->allowed = 0;
    }
    for (i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        const char *name;
        if (PyLong_Check(item)) {
            /* A known method: its bit in r->allowed (what the manual's
             * apache.allow_methods sets) and in the list the Allow:
             * header is built from. */
            int number = (int)PyLong_AsLong(item);
            r->allowed |= (AP_METHOD_BIT << number);
            name = ap_method_name_of(r->pool, number);
            if (name == NULL) {
                continue;
            }
        } else {
            name = PyUnicode_AsUTF8(item);
            if (name == NULL) {
                Py_DECREF(seq);
                return NULL;
            }
            name = apr_pstrdup(r->pool, name);
        }
        ap_method_list_add(r->allowed_methods, name);
    }
    Py_DECREF(seq);
    Py_RETURN_NONE;
}

const char mp_req_get_remote_host_doc[] =
    "get_remote_host($self, type=apache.REMOTE_NAME, str_is_ip=None, /)\n"
    "--\n\n"
    "The client's DNS name or IP address, per type (REMOTE_HOST,\n"
    "REMOTE_NAME, REMOTE_NOLOOKUP, REMOTE_DOUBLE_REV); None on failure.\n"
    "With str_is_ip not None, an (address, is_ip) tuple.";

PyObject *
mp_req_get_remote_host(PyObject *op, PyObject *args)
{
    int type = REMOTE_NAME, is_ip = 0;
    PyObject *want_ip = Py_None;
    const char *host;
    request_rec *r;

    CHECK_REQUEST(op);
    r = REQ(op);
    if (!PyArg_ParseTuple(args, "|iO:get_remote_host", &type, &want_ip)) {
        return NULL;
    }
    if (type != REMOTE_HOST && type != REMOTE_NAME
        && type != REMOTE_NOLOOKUP && type != REMOTE_DOUBLE_REV) {
        PyErr_SetString(PyExc_ValueError,
                        "type must be one of apache.REMOTE_*");
        return NULL;
    }
    /* May do a DNS lookup: without the GIL. */
    Py_BEGIN_ALLOW_THREADS
    host = ap_get_useragent_host(r, type, &is_ip);
    Py_END_ALLOW_THREADS
    if (host == NULL) {
        Py_RETURN_NONE;
    }
    if (want_ip != Py_None) {
        return Py_BuildValue("(si)", host, is_ip);
    }
    return PyUnicode_FromString(host);
}

const char mp_req_is_https_doc[] =
    "is_https($self, /)\n--\n\n"
    "Non-zero when the connection uses SSL/TLS (0 without mod_ssl).";

PyObject *
mp_req_is_https(PyObject *op, PyObject *noargs)
{
    (void)noargs;
    CHECK_REQUEST(op);
    return PyLong_FromLong(ap_ssl_conn_is_ssl(REQ(op)->connection) ? 1 : 0);
}

const char mp_req_ssl_var_lookup_doc[] =
    "ssl_var_lookup($self, var_name, /)\n--\n\n"
    "The value of an SSL variable (SSL_CIPHER, SSL_PROTOCOL, ...) from\n"
    "mod_ssl, or None.";

PyObject *
mp_req_ssl_var_lookup(PyObject *op, PyObject *args)
{
    const char *name, *val;
    request_rec *r;

    CHECK_REQUEST(op);
    r = REQ(op);
    if (!PyArg_ParseTuple(args, "s:ssl_var_lookup", &name)) {
        return NULL;
    }
    val = ap_ssl_var_lookup(r->pool, r->server, r->connection, r, name);
    if (val == NULL || val[0] == '\0') {
        Py_RETURN_NONE;
    }
    return PyUnicode_DecodeLatin1(val, (Py_ssize_t)strlen(val), NULL);
}

const char mp_req_requires_doc[] =
    "requires($self, /)\n--\n\n"
    "The arguments of the Require directives in effect, as a tuple of\n"
    "strings, e.g. ('user joe', 'valid-user').";

PyObject *
mp_req_requires(PyObject *op, PyObject *noargs)
{
    (void)noargs;
    CHECK_REQUEST(op);
    return mp_str_array_tuple(mp_dir_conf(REQ(op))->requires);
}

const char mp_req_set_content_length_doc[] =
    "set_content_length($self, len, /)\n--\n\n"
    "Set req.clength and the Content-Length header (before any write).";

PyObject *
mp_req_set_content_length(PyObject *op, PyObject *args)
{
    long long len;

    CHECK_REQUEST(op);
    if (!PyArg_ParseTuple(args, "L:set_content_length", &len)) {
        return NULL;
    }
    if (len < 0) {
        PyErr_SetString(PyExc_ValueError, "length must not be negative");
        return NULL;
    }
    ap_set_content_length(REQ(op), (apr_off_t)len);
    Py_RETURN_NONE;
}

const char mp_req_meets_conditions_doc[] =
    "meets_conditions($self, /)\n--\n\n"
    "Apache's check of the conditional headers (If-Modified-Since, ...)\n"
    "against req.headers_out: OK to go on, else the status to return.";

PyObject *
mp_req_meets_conditions(PyObject *op, PyObject *noargs)
{
    (void)noargs;
    CHECK_REQUEST(op);
    return PyLong_FromLong(ap_meets_conditions(REQ(op)));
}

const char mp_req_internal_redirect_doc[] =
    "internal_redirect($self, new_uri, /)\n--\n\n"
    "Serve new_uri instead, through all the request phases; the new\n"
    "request's req.prev is this one.";

PyObject *
mp_req_internal_redirect(PyObject *op, PyObject *args)
{
    PyObject *uri_obj;
    const char *uri;
    request_rec *r;

    CHECK_REQUEST(op);
    r = REQ(op);
    if (!PyArg_ParseTuple(args, "U:internal_redirect", &uri_obj)) {
        return NULL;
    }
    uri = mp_path_from_str(r->pool, uri_obj);
    if (uri == NULL || mp_request_drain(op) < 0) {
        return NULL;
    }
    /* Runs every phase of the new request, our own hooks included. */
    Py_BEGIN_ALLOW_THREADS
    ap_internal_redirect(uri, r);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

const char mp_req_sendfile_doc[] =
    "sendfile($self, path, offset=0, len=-1, /)\n--\n\n"
    "Send len bytes (all by default) of the file at path from offset,\n"
    "without copying it through Python.  Returns the number of bytes\n"
    "sent; OSError on failure.";

PyObject *
mp_req_sendfile(PyObject *op, PyObject *args)
{
    PyObject *path_obj;
    long long offset = 0, len = -1;
    const char *path;
    request_rec *r;
    apr_file_t *fd;
    apr_finfo_t finfo;
    apr_status_t rv;
    apr_size_t sent = 0;
    char err[256];

    CHECK_REQUEST(op);
    r = REQ(op);
    if (!PyArg_ParseTuple(args, "U|LL:sendfile", &path_obj, &offset, &len)) {
        return NULL;
    }
    path = mp_path_from_str(r->pool, path_obj);
    if (path == NULL) {
        return NULL;
    }
    if (offset < 0) {
        PyErr_SetString(PyExc_ValueError, "offset must not be negative");
        return NULL;
    }
    if (mp_request_drain(op) < 0) {
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    rv = apr_file_open(&fd, path, APR_READ | APR_BINARY | APR_SENDFILE_ENABLED,
                       APR_OS_DEFAULT, r->pool);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&finfo, APR_FINFO_SIZE, fd);
    }
    Py_END_ALLOW_THREADS
    if (rv != APR_SUCCESS) {
        apr_strerror(rv, err, sizeof(err));
        PyErr_Format(PyExc_OSError, "sendfile: cannot open %s: %s", path,
                     err);
        return NULL;
    }
    if (offset > finfo.size) {
        offset = finfo.size;
    }
    if (len < 0 || offset + len > finfo.size) {
        len = finfo.size - offset;
    }
    Py_BEGIN_ALLOW_THREADS
    rv = len > 0 ? ap_send_fd(fd, r, (apr_off_t)offset, (apr_size_t)len,
                              &sent)
                 : APR_SUCCESS;
    Py_END_ALLOW_THREADS
    if (rv != APR_SUCCESS || r->connection->aborted) {
        apr_strerror(rv, err, sizeof(err));
        PyErr_Format(PyExc_OSError, "sendfile of %s failed: %s", path,
                     rv != APR_SUCCESS ? err : "connection aborted");
        return NULL;
    }
    return PyLong_FromSize_t(sent);
}

/* ---- methods of mod_python 3.3-3.5 ------------------------------------ */

const char mp_req_construct_url_doc[] =
    "construct_url($self, uri, /)\n--\n\n"
    "The absolute URL (scheme, this server's name and port) of uri, a\n"
    "path on this server; a relative uri is taken relative to req.uri,\n"
    "and a uri that already names a scheme is returned as it is.";

/* Whether s starts with a URI scheme and its colon ("http:", "mailto:"). */
static int
has_scheme(const char *s)
{
    const char *p = s;

    if (!apr_isalpha(*p)) {
        return 0;
    }
    while (apr_isalnum(*p) || *p == '+' || *p == '-' || *p == '.') {
        p++;
    }
    return *p == ':';
}

PyObject *
mp_req_construct_url(PyObject *op, PyObject *args)
{
    PyObject *uri_obj;
    const char *uri, *base;
    request_rec *r;

    CHECK_REQUEST(op);
    r = REQ(op);
    if (!PyArg_ParseTuple(args, "U:construct_url", &uri_obj)) {
        return NULL;
    }
    if ((uri = mp_path_from_str(r->pool, uri_obj)) == NULL) {
        return NULL;
    }
    if (has_scheme(uri)) {
        return Py_NewRef(uri_obj);
    }
    if (uri[0] != '/') {
        /* ap_construct_url() only glues the server in front: resolve
         * a relative path the way a browser would, against the
         * directory of this request's URI ("*" or a proxy URL has
         * none: the root then). */
        base = r->uri != NULL && r->uri[0] == '/'
               ? ap_make_dirstr_parent(r->pool, r->uri) : "/";
        uri = apr_pstrcat(r->pool, base, uri, NULL);
    }
    return mp_str_from_path(ap_construct_url(r->pool, uri, r));
}

const char mp_req_set_etag_doc[] =
    "set_etag($self, /)\n--\n\n"
    "Set the ETag response header from the requested file (req.finfo)\n"
    "or req.mtime, as Apache's FileETag says.";

PyObject *
mp_req_set_etag(PyObject *op, PyObject *noargs)
{
    (void)noargs;
    CHECK_REQUEST(op);
    ap_set_etag(REQ(op));
    Py_RETURN_NONE;
}

const char mp_req_set_last_modified_doc[] =
    "set_last_modified($self, /)\n--\n\n"
    "Set the Last-Modified response header from req.mtime (never later\n"
    "than now).";

PyObject *
mp_req_set_last_modified(PyObject *op, PyObject *noargs)
{
    (void)noargs;
    CHECK_REQUEST(op);
    ap_set_last_modified(REQ(op));
    Py_RETURN_NONE;
}

const char mp_req_update_mtime_doc[] =
    "update_mtime($self, dependency_mtime, /)\n--\n\n"
    "Make req.mtime dependency_mtime (seconds since the epoch, as\n"
    "os.stat() gives) if that is later.";

PyObject *
mp_req_update_mtime(PyObject *op, PyObject *args)
{
    double t;

    CHECK_REQUEST(op);
    if (!PyArg_ParseTuple(args, "d:update_mtime", &t)) {
        return NULL;
    }
    /* Also refuses NaN (every comparison with it is false). */
    if (!(t >= 0 && t < 1e15)) {
        PyErr_Format(PyExc_ValueError,
                     "update_mtime() needs seconds since the epoch, not %R",
                     PyTuple_GET_ITEM(args, 0));
        return NULL;
    }
    ap_update_mtime(REQ(op), (apr_time_t)(t * APR_USEC_PER_SEC));
    Py_RETURN_NONE;
}

const char mp_req_discard_request_body_doc[] =
    "discard_request_body($self, /)\n--\n\n"
    "Read what is left of the request body and throw it away; returns\n"
    "apache.OK, or the HTTP status of a failure to return.";

PyObject *
mp_req_discard_request_body(PyObject *op, PyObject *noargs)
{
    mp_request *self = (mp_request *)op;
    int rc;

    (void)noargs;
    CHECK_REQUEST(op);
    /* What readline() read ahead is part of the body too. */
    self->rbuf_pos = self->rbuf_len;
    Py_BEGIN_ALLOW_THREADS
    rc = ap_discard_request_body(self->r);
    Py_END_ALLOW_THREADS
    return PyLong_FromLong(rc);
}

const char mp_req_auth_name_doc[] =
    "auth_name($self, /)\n--\n\n"
    "The AuthName in effect for this request, or None.";

PyObject *
mp_req_auth_name(PyObject *op, PyObject *noargs)
{
    (void)noargs;
    CHECK_REQUEST(op);
    return mp_str_from_latin1(ap_auth_name(REQ(op)));
}

const char mp_req_auth_type_doc[] =
    "auth_type($self, /)\n--\n\n"
    "The AuthType in effect for this request, or None.";

PyObject *
mp_req_auth_type(PyObject *op, PyObject *noargs)
{
    (void)noargs;
    CHECK_REQUEST(op);
    return mp_str_from_latin1(ap_auth_type(REQ(op)));
}

const char mp_req_send_http_header_doc[] =
    "send_http_header($self, /)\n--\n\n"
    "Does nothing: kept for code written for mod_python 2.x.  Apache\n"
    "sends the headers with the first byte of the body.";

PyObject *
mp_req_send_http_header(PyObject *op, PyObject *noargs)
{
    (void)noargs;
    CHECK_REQUEST(op);
    Py_RETURN_NONE;
}

/* ---- filters added and registered by the request ---------------------- */

/* The filter named `name` that register_*_filter() made for this
 * request, or NULL. */
static const mp_filter_config *
request_filter(request_rec *r, const char *name, int is_input)
{
    mp_request_state *state = mp_request_state_get(r, 0);
    apr_hash_t *h;
    char *key;

    if (state == NULL) {
        return NULL;
    }
    h = is_input ? state->in_filters : state->out_filters;
    if (h == NULL) {
        return NULL;
    }
    key = apr_pstrdup(r->pool, name);
    ap_str_tolower(key);
    return apr_hash_get(h, key, APR_HASH_KEY_STRING);
}

/* add_input_filter() and add_output_filter(). */
static PyObject *
add_filter(PyObject *op, PyObject *args, int is_input)
{
    const char *name;
    const mp_filter_config *fc;
    request_rec *r;
    ap_filter_t *f;

    CHECK_REQUEST(op);
    r = REQ(op);
    if (!PyArg_ParseTuple(args, is_input ? "s:add_input_filter"
                                         : "s:add_output_filter", &name)) {
        return NULL;
    }
    if ((fc = request_filter(r, name, is_input)) != NULL) {
        if (mp_filter_add_to_request(r, fc) < 0) {
            PyErr_Format(PyExc_RuntimeError,
                         "Apache would not add the filter %s", name);
            return NULL;
        }
        Py_RETURN_NONE;
    }
    /* Apache's own lookup; it logs a name it does not know (AH00082) at
     * level error, and we raise. */
    f = is_input ? ap_add_input_filter(name, NULL, r, r->connection)
                 : ap_add_output_filter(name, NULL, r, r->connection);
    if (f == NULL) {
        PyErr_Format(PyExc_ValueError,
                     "there is no %s filter named %s (neither Apache nor "
                     "req.register_%s_filter() knows it)",
                     is_input ? "input" : "output", name,
                     is_input ? "input" : "output");
        return NULL;
    }
    Py_RETURN_NONE;
}

const char mp_req_add_input_filter_doc[] =
    "add_input_filter($self, filter_name, /)\n--\n\n"
    "Put the input filter named filter_name (Apache's, a\n"
    "PythonInputFilter, or one registered with register_input_filter())\n"
    "on this request, before its body is read.";

PyObject *
mp_req_add_input_filter(PyObject *op, PyObject *args)
{
    return add_filter(op, args, 1);
}

const char mp_req_add_output_filter_doc[] =
    "add_output_filter($self, filter_name, /)\n--\n\n"
    "Put the output filter named filter_name (Apache's, a\n"
    "PythonOutputFilter, or one registered with register_output_filter())\n"
    "on this request, before the response is written.";

PyObject *
mp_req_add_output_filter(PyObject *op, PyObject *args)
{
    return add_filter(op, args, 0);
}

/* register_input_filter() and register_output_filter(). */
static PyObject *
register_filter(PyObject *op, PyObject *args, int is_input)
{
    mp_request *self = (mp_request *)op;
    PyObject *name_obj, *handler_obj, *dir_obj = Py_None, *dir = NULL;
    mp_request_state *state;
    mp_filter_config *fc;
    apr_hash_t **h;
    const char *name, *handler;
    char *key;
    Py_ssize_t n;
    request_rec *r;

    CHECK_REQUEST(op);
    r = REQ(op);
    if (!PyArg_ParseTuple(args, is_input ? "UU|O:register_input_filter"
                                         : "UU|O:register_output_filter",
                          &name_obj, &handler_obj, &dir_obj)) {
        return NULL;
    }
    if ((name = mp_path_from_str(r->pool, name_obj)) == NULL
        || (handler = mp_path_from_str(r->pool, handler_obj)) == NULL) {
        return NULL;
    }
    n = (Py_ssize_t)strlen(handler);
    if (name[0] == '\0' || n == 0 || handler[0] == ':'
        || handler[n - 1] == ':') {
        PyErr_Format(PyExc_ValueError,
                     "register_%s_filter() needs a filter name and a "
                     "handler 'module[::object]', not %R and %R",
                     is_input ? "input" : "output", name_obj, handler_obj);
        return NULL;
    }
    if (dir_obj != Py_None && !PyUnicode_Check(dir_obj)) {
        PyErr_SetString(PyExc_TypeError, "dir must be a str or None");
        return NULL;
    }
    state = mp_request_state_get(r, 1);
    if (state == NULL) {
        return PyErr_NoMemory();
    }
    fc = apr_pcalloc(r->pool, sizeof(*fc));
    fc->name = name;
    fc->is_input = is_input;
    fc->entry.handler = handler;
    /* For this request only: its configuration is never cached under
     * the entry's address (pyconfig.h). */
    fc->entry.persistent = 0;
    /* Without dir, the directory of the handler registering it, as
     * add_handler() does. */
    dir = dir_obj != Py_None ? Py_NewRef(dir_obj)
                             : mp_request_running_directory(self);
    if (dir != Py_None) {
        fc->entry.directory = mp_path_from_str(r->pool, dir);
        if (fc->entry.directory == NULL) {
            Py_DECREF(dir);
            return NULL;
        }
    }
    Py_DECREF(dir);
    h = is_input ? &state->in_filters : &state->out_filters;
    if (*h == NULL) {
        *h = apr_hash_make(r->pool);
    }
    key = apr_pstrdup(r->pool, name);
    ap_str_tolower(key);    /* Apache's filter names ignore case */
    apr_hash_set(*h, key, APR_HASH_KEY_STRING, fc);
    Py_RETURN_NONE;
}

const char mp_req_register_input_filter_doc[] =
    "register_input_filter($self, filter_name, filter, dir=None, /)\n"
    "--\n\n"
    "Make filter ('module[::object]') an input filter named filter_name\n"
    "for the rest of this request; add_input_filter(filter_name) puts it\n"
    "on the request.  dir is the directory to import it from (default:\n"
    "that of the handler now running).";

PyObject *
mp_req_register_input_filter(PyObject *op, PyObject *args)
{
    return register_filter(op, args, 1);
}

const char mp_req_register_output_filter_doc[] =
    "register_output_filter($self, filter_name, filter, dir=None, /)\n"
    "--\n\n"
    "Make filter ('module[::object]') an output filter named filter_name\n"
    "for the rest of this request; add_output_filter(filter_name) puts it\n"
    "on the request.  dir is the directory to import it from (default:\n"
    "that of the handler now running).";

PyObject *
mp_req_register_output_filter(PyObject *op, PyObject *args)
{
    return register_filter(op, args, 0);
}

/* ---- get_addhandler_exts() -------------------------------------------- */

/* The start of mod_mime's per-directory record and of the record it keeps
 * per extension (modules/http/mod_mime.c, unchanged through httpd 2.4):
 * AddHandler lives only there, and mod_mime offers no API to read it. */
typedef struct {
    apr_hash_t *extension_mappings;
} mime_dir_start;

typedef struct {
    char *forced_type;
    char *encoding_type;
    char *language_type;
    char *handler;
} mime_extension_start;

const char mp_req_get_addhandler_exts_doc[] =
    "get_addhandler_exts($self, /)\n--\n\n"
    "The file extensions (without dots, space-separated) that AddHandler\n"
    "maps to mod_python where this request is; '' without mod_mime.";

PyObject *
mp_req_get_addhandler_exts(PyObject *op, PyObject *noargs)
{
    request_rec *r;
    module *mime;
    const mime_dir_start *conf;
    apr_array_header_t *exts;
    apr_hash_index_t *hi;

    (void)noargs;
    CHECK_REQUEST(op);
    r = REQ(op);
    exts = apr_array_make(r->pool, 4, sizeof(const char *));
    mime = ap_find_linked_module("mod_mime.c");
    conf = mime ? ap_get_module_config(r->per_dir_config, mime) : NULL;
    if (conf != NULL && conf->extension_mappings != NULL) {
        for (hi = apr_hash_first(r->pool, conf->extension_mappings); hi;
             hi = apr_hash_next(hi)) {
            const void *key;
            void *val;
            const mime_extension_start *ext;

            apr_hash_this(hi, &key, NULL, &val);
            ext = val;
            if (ext != NULL && ext->handler != NULL
                && (strcmp(ext->handler, "mod_python") == 0
                    || strcmp(ext->handler, "python-program") == 0)) {
                *(const char **)apr_array_push(exts) = key;
            }
        }
    }
    return mp_str_from_latin1(apr_array_pstrcat(r->pool, exts, ' '));
}
