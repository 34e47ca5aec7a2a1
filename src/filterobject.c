/*
 * filterobject.c -- Python filters and the filter object (see
 * filterobject.h).
 */
#include "filterobject.h"
#include "requestobject.h"
#include "pycall.h"
#include "pyconfig.h"
#include "mp_log.h"
#include "convert.h"

/* Per filter instance (one per request it is on), in the request pool. */
typedef struct {
    /* The filter req.register_*_filter() made, for one that
     * req.add_*_filter() put on the request; NULL for one configured
     * with PythonInputFilter/PythonOutputFilter (found by name). */
    const mp_filter_config *fc;
    int disabled;               /* filter.disable(): pass data through   */
    apr_bucket_brigade *out;    /* output filters: what Python writes    */
    apr_bucket_brigade *got;    /* input filters: what the next gave us  */
    /* What the last Python call of an input filter did, so that a call
     * that wrote nothing can be told apart from the end of the body. */
    apr_size_t consumed;        /* bytes it read                        */
    int eos;                    /* it met the end of the stream         */
    int eagain;                 /* a non-blocking read found nothing    */
} filter_ctx;

typedef struct {
    PyObject_HEAD
    ap_filter_t *f;             /* NULL once Apache's call has returned  */
    const mp_filter_config *fc;
    filter_ctx *ctx;
    apr_bucket_brigade *in;     /* where read() takes data from          */
    apr_bucket_brigade *out;    /* where write() puts data               */
    ap_input_mode_t mode;       /* input filters: what Apache asked for  */
    apr_read_type_e block;
    apr_off_t readbytes;
    int is_input_call;          /* this is an input filter's call        */
    int ssi;                    /* a #python element's: see mp_filter_ssi */
    int closed;
    int eos_seen;
    apr_status_t status;        /* a failure to report to Apache         */
    PyObject *req;
} mp_filter;

static apr_status_t output_filter(ap_filter_t *f, apr_bucket_brigade *bb);
static apr_status_t input_filter(ap_filter_t *f, apr_bucket_brigade *bb,
                                 ap_input_mode_t mode,
                                 apr_read_type_e block,
                                 apr_off_t readbytes);

void
mp_filter_register(mp_filter_config *fc)
{
    /* AP_FTYPE_RESOURCE: the body of a request, before content encoding
     * and protocol filters (manual 4.3: request-level filters). */
    if (fc->is_input) {
        ap_register_input_filter(fc->name, input_filter, NULL,
                                 AP_FTYPE_RESOURCE);
    }
    else {
        ap_register_output_filter(fc->name, output_filter, NULL,
                                  AP_FTYPE_RESOURCE);
    }
}

/* Apache's records of the filter that req.add_*_filter() adds for a
 * filter registered for one request.  Apache cannot register filters once
 * requests are served (its registry is not thread-safe), so one filter
 * pair stands for all of them and each instance's context says which
 * Python filter it is; everything else is the configured filters' path. */
static ap_filter_rec_t *request_in_filter, *request_out_filter;

void
mp_filter_register_request_filters(void)
{
    request_in_filter = ap_register_input_filter(
        MP_REQUEST_FILTER_NAME, input_filter, NULL, AP_FTYPE_RESOURCE);
    request_out_filter = ap_register_output_filter(
        MP_REQUEST_FILTER_NAME, output_filter, NULL, AP_FTYPE_RESOURCE);
}

static filter_ctx *
new_context(request_rec *r, const mp_filter_config *fc)
{
    filter_ctx *ctx = apr_pcalloc(r->pool, sizeof(*ctx));

    ctx->fc = fc;
    ctx->out = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    ctx->got = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    return ctx;
}

int
mp_filter_add_to_request(request_rec *r, const mp_filter_config *fc)
{
    ap_filter_t *f;

    if (fc->is_input) {
        f = ap_add_input_filter_handle(request_in_filter,
                                       new_context(r, fc), r,
                                       r->connection);
    }
    else {
        f = ap_add_output_filter_handle(request_out_filter,
                                        new_context(r, fc), r,
                                        r->connection);
    }
    return f != NULL ? 0 : -1;
}

int
mp_request_has_python_filters(request_rec *r)
{
    ap_filter_t *f;

    for (f = r->output_filters; f != NULL; f = f->next) {
        if (f->frec->filter_func.out_func == output_filter) {
            return 1;
        }
    }
    for (f = r->input_filters; f != NULL; f = f->next) {
        if (f->frec->filter_func.in_func == input_filter) {
            return 1;
        }
    }
    return 0;
}

/* ---- the object -------------------------------------------------------- */

static PyObject *
filter_gone(void)
{
    PyErr_SetString(PyExc_RuntimeError,
                    "this filter call has returned; keep state in "
                    "filter.req instead of the filter object");
    return NULL;
}

#define CHECK_FILTER(self) \
    do { \
        if ((self)->f == NULL) { \
            return filter_gone(); \
        } \
    } while (0)

#define CHECK_OPEN(self) \
    do { \
        CHECK_FILTER(self); \
        if ((self)->closed) { \
            PyErr_SetString(PyExc_ValueError, "I/O on a closed filter"); \
            return NULL; \
        } \
    } while (0)

/* Send what write() collected to the next output filter.  Without the
 * GIL: the next filter may be Python too.  0, or -1 with OSError set. */
static int
pass_out(mp_filter *self)
{
    apr_status_t rv;

    if (APR_BRIGADE_EMPTY(self->out)) {
        return 0;
    }
    Py_BEGIN_ALLOW_THREADS
    rv = ap_pass_brigade(self->f->next, self->out);
    apr_brigade_cleanup(self->out);
    Py_END_ALLOW_THREADS
    if (rv != APR_SUCCESS) {
        self->status = rv;
        PyErr_SetString(PyExc_OSError,
                        "passing data to the next filter failed");
        return -1;
    }
    return 0;
}

/* Input filters: make sure `in` has something, asking the next filter for
 * up to want bytes in Apache's mode (GETLINE when a line is wanted). */
static int
fill_input(mp_filter *self, apr_off_t want, int line)
{
    apr_status_t rv;
    ap_input_mode_t mode = line ? AP_MODE_GETLINE : self->mode;

    if (!APR_BRIGADE_EMPTY(self->in)) {
        return 0;
    }
    if (want < 0 || want > self->readbytes) {
        want = self->readbytes;
    }
    Py_BEGIN_ALLOW_THREADS
    rv = ap_get_brigade(self->f->next, self->in, mode, self->block, want);
    Py_END_ALLOW_THREADS
    if (rv == APR_EOF) {
        APR_BRIGADE_INSERT_TAIL(self->in, apr_bucket_eos_create(
            self->f->c->bucket_alloc));
        return 0;
    }
    if (APR_STATUS_IS_EAGAIN(rv)) {
        self->ctx->eagain = 1;
        return 0;
    }
    if (rv != APR_SUCCESS) {
        self->status = rv;
        PyErr_SetString(PyExc_OSError,
                        "reading from the next filter failed");
        return -1;
    }
    return 0;
}

/* Take up to `limit` bytes (all when negative) of data from `in`, up to
 * and including a newline when `line`.  None when the stream has ended
 * and nothing is left. */
static PyObject *
collect(mp_filter *self, Py_ssize_t limit, int line)
{
    char *buf = NULL;
    size_t have = 0;
    PyObject *out;
    apr_bucket *b;
    int done = 0;

    if (self->is_input_call && fill_input(self, limit, line) < 0) {
        return NULL;
    }
    while (!done && !APR_BRIGADE_EMPTY(self->in)) {
        const char *data;
        apr_size_t n;
        apr_status_t rv;

        b = APR_BRIGADE_FIRST(self->in);
        if (APR_BUCKET_IS_EOS(b)) {
            if (have == 0) {
                apr_bucket_delete(b);
                self->eos_seen = 1;
                self->ctx->eos = 1;
                free(buf);
                Py_RETURN_NONE;
            }
            break;
        }
        if (APR_BUCKET_IS_METADATA(b)) {
            if (have > 0) {
                break;
            }
            /* A flush (or other metadata) with no data before it goes on
             * downstream in order. */
            APR_BUCKET_REMOVE(b);
            APR_BRIGADE_INSERT_TAIL(self->out, b);
            if (!self->is_input_call && APR_BUCKET_IS_FLUSH(b)
                && pass_out(self) < 0) {
                free(buf);
                return NULL;
            }
            continue;
        }
        Py_BEGIN_ALLOW_THREADS
        rv = apr_bucket_read(b, &data, &n, APR_BLOCK_READ);
        Py_END_ALLOW_THREADS
        if (rv != APR_SUCCESS) {
            free(buf);
            self->status = rv;
            PyErr_SetString(PyExc_OSError, "reading a bucket failed");
            return NULL;
        }
        if (line) {
            const char *nl = memchr(data, '\n', n);
            if (nl != NULL) {
                n = (apr_size_t)(nl - data) + 1;
                done = 1;
            }
        }
        if (limit >= 0 && have + n >= (size_t)limit) {
            n = (size_t)limit - have;
            done = 1;
        }
        if (n < b->length) {
            apr_bucket_split(b, n);
        }
        {
            char *nb = realloc(buf, have + n + 1);
            if (nb == NULL) {
                free(buf);
                return PyErr_NoMemory();
            }
            buf = nb;
        }
        memcpy(buf + have, data, n);
        have += n;
        self->ctx->consumed += n;
        apr_bucket_delete(b);
        if (self->is_input_call && !done && APR_BRIGADE_EMPTY(self->in)) {
            /* One request to the next filter per read: what it gave is
             * what is available now. */
            break;
        }
    }
    out = PyBytes_FromStringAndSize(buf ? buf : "", (Py_ssize_t)have);
    free(buf);
    return out;
}

PyDoc_STRVAR(read_doc,
"read($self, length=-1, /)\n--\n\n"
"Read at most length bytes (all that is available when omitted) from\n"
"the previous filter; None once the end of the stream is reached.");

static PyObject *
filter_read(PyObject *op, PyObject *args)
{
    mp_filter *self = (mp_filter *)op;
    Py_ssize_t len = -1;

    CHECK_OPEN(self);
    if (!PyArg_ParseTuple(args, "|n:read", &len)) {
        return NULL;
    }
    if (self->eos_seen) {
        Py_RETURN_NONE;
    }
    return collect(self, len, 0);
}

PyDoc_STRVAR(readline_doc,
"readline($self, length=-1, /)\n--\n\n"
"Read a line, or at most length bytes of it; None at the end of the\n"
"stream.");

static PyObject *
filter_readline(PyObject *op, PyObject *args)
{
    mp_filter *self = (mp_filter *)op;
    Py_ssize_t len = -1;

    CHECK_OPEN(self);
    if (!PyArg_ParseTuple(args, "|n:readline", &len)) {
        return NULL;
    }
    if (self->eos_seen) {
        Py_RETURN_NONE;
    }
    return collect(self, len, 1);
}

PyDoc_STRVAR(write_doc,
"write($self, data, /)\n--\n\n"
"Send data (bytes-like, or str as UTF-8) to the next filter.");

static PyObject *
filter_write(PyObject *op, PyObject *data)
{
    mp_filter *self = (mp_filter *)op;
    Py_buffer view;
    const char *buf;
    Py_ssize_t len;

    CHECK_OPEN(self);
    if (mp_data_get(data, &view, &buf, &len) < 0) {
        return NULL;
    }
    if (len > 0) {
        /* A heap bucket copies: the Python object may go away before the
         * next filter looks at the data. */
        APR_BRIGADE_INSERT_TAIL(self->out, apr_bucket_heap_create(
            buf, (apr_size_t)len, NULL, self->f->c->bucket_alloc));
    }
    mp_data_release(&view);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(flush_doc,
"flush($self, /)\n--\n\nSend a FLUSH bucket, and what was written before.");

static PyObject *
filter_flush(PyObject *op, PyObject *noargs)
{
    mp_filter *self = (mp_filter *)op;

    (void)noargs;
    CHECK_OPEN(self);
    APR_BRIGADE_INSERT_TAIL(self->out, apr_bucket_flush_create(
        self->f->c->bucket_alloc));
    /* In an include, mod_include passes the brigade on in page order. */
    if (!self->is_input_call && !self->ssi && pass_out(self) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(close_doc,
"close($self, /)\n--\n\n"
"End the stream: send an EOS bucket.  Later I/O raises ValueError.");

static PyObject *
filter_close(PyObject *op, PyObject *noargs)
{
    mp_filter *self = (mp_filter *)op;

    (void)noargs;
    CHECK_FILTER(self);
    if (self->closed) {
        Py_RETURN_NONE;
    }
    if (self->ssi) {
        /* The page goes on after the element: no EOS here. */
        self->closed = 1;
        Py_RETURN_NONE;
    }
    APR_BRIGADE_INSERT_TAIL(self->out, apr_bucket_eos_create(
        self->f->c->bucket_alloc));
    self->closed = 1;
    if (!self->is_input_call && pass_out(self) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(pass_on_doc,
"pass_on($self, /)\n--\n\nPass all data through without processing.");

static PyObject *
filter_pass_on(PyObject *op, PyObject *noargs)
{
    mp_filter *self = (mp_filter *)op;
    apr_status_t rv;

    (void)noargs;
    CHECK_OPEN(self);
    if (self->ssi) {
        Py_RETURN_NONE;         /* an element has no input to pass */
    }
    if (self->is_input_call) {
        if (APR_BRIGADE_EMPTY(self->in)) {
            Py_BEGIN_ALLOW_THREADS
            rv = ap_get_brigade(self->f->next, self->out, self->mode,
                                self->block, self->readbytes);
            Py_END_ALLOW_THREADS
            if (rv != APR_SUCCESS) {
                self->status = rv;
                PyErr_SetString(PyExc_OSError,
                                "reading from the next filter failed");
                return NULL;
            }
        }
        else {
            APR_BRIGADE_CONCAT(self->out, self->in);
        }
        Py_RETURN_NONE;
    }
    APR_BRIGADE_CONCAT(self->out, self->in);
    if (pass_out(self) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(disable_doc,
"disable($self, /)\n--\n\n"
"From now on let data pass this filter untouched, for the rest of the\n"
"request.");

static PyObject *
filter_disable(PyObject *op, PyObject *noargs)
{
    mp_filter *self = (mp_filter *)op;

    (void)noargs;
    CHECK_FILTER(self);
    self->ctx->disabled = 1;
    Py_RETURN_NONE;
}

static PyMethodDef filter_methods[] = {
    {"read", filter_read, METH_VARARGS, read_doc},
    {"readline", filter_readline, METH_VARARGS, readline_doc},
    {"write", filter_write, METH_O, write_doc},
    {"flush", filter_flush, METH_NOARGS, flush_doc},
    {"close", filter_close, METH_NOARGS, close_doc},
    {"pass_on", filter_pass_on, METH_NOARGS, pass_on_doc},
    {"disable", filter_disable, METH_NOARGS, disable_doc},
    {NULL, NULL, 0, NULL}
};

static PyObject *
get_closed(PyObject *op, void *closure)
{
    (void)closure;
    return PyBool_FromLong(((mp_filter *)op)->closed);
}

static PyObject *
get_name(PyObject *op, void *closure)
{
    mp_filter *self = (mp_filter *)op;

    (void)closure;
    if (self->fc == NULL) {
        return PyUnicode_FromString("INCLUDES");
    }
    return PyUnicode_FromString(self->fc->name);
}

static PyObject *
get_handler(PyObject *op, void *closure)
{
    mp_filter *self = (mp_filter *)op;

    (void)closure;
    if (self->fc == NULL) {
        Py_RETURN_NONE;
    }
    return PyUnicode_FromString(self->fc->entry.handler);
}

static PyObject *
get_is_input(PyObject *op, void *closure)
{
    (void)closure;
    return PyBool_FromLong(((mp_filter *)op)->is_input_call);
}

static PyObject *
get_req(PyObject *op, void *closure)
{
    mp_filter *self = (mp_filter *)op;

    (void)closure;
    return Py_NewRef(self->req ? self->req : Py_None);
}

static PyGetSetDef filter_getset[] = {
    {"closed", get_closed, NULL, PyDoc_STR("True once close() was called"),
     NULL},
    {"name", get_name, NULL, PyDoc_STR("the name the filter is registered "
                                       "under"), NULL},
    {"req", get_req, NULL, PyDoc_STR("the request object"), NULL},
    {"is_input", get_is_input, NULL, PyDoc_STR("True for an input filter"),
     NULL},
    {"handler", get_handler, NULL, PyDoc_STR("the handler as configured"),
     NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static int
filter_traverse(PyObject *op, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(((mp_filter *)op)->req);
    return 0;
}

static int
filter_clear(PyObject *op)
{
    Py_CLEAR(((mp_filter *)op)->req);
    return 0;
}

static void
filter_dealloc(PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);

    PyObject_GC_UnTrack(op);
    filter_clear(op);
    tp->tp_free(op);
    Py_DECREF(tp);
}

static PyType_Slot filter_slots[] = {
    {Py_tp_doc, "The filter object: one call of a Python filter."},
    {Py_tp_methods, filter_methods},
    {Py_tp_getset, filter_getset},
    {Py_tp_traverse, filter_traverse},
    {Py_tp_clear, filter_clear},
    {Py_tp_dealloc, filter_dealloc},
    {Py_tp_new, mp_type_no_new},
    {0, NULL}
};

static PyType_Spec filter_spec = {
    .name = "_apache.mp_filter",
    .basicsize = sizeof(mp_filter),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = filter_slots,
};

int
mp_filter_init_type(PyObject *module, mp_module_state *st)
{
    st->filter_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        module, &filter_spec, NULL);
    return st->filter_type ? 0 : -1;
}

/* ---- the Apache side --------------------------------------------------- */

static filter_ctx *
context(ap_filter_t *f)
{
    filter_ctx *ctx = f->ctx;

    if (ctx == NULL) {
        ctx = new_context(f->r, NULL);
        f->ctx = ctx;
    }
    return ctx;
}

/* The Python filter f stands for: the one its context names (added by
 * req.add_*_filter()), else the configured one of its name; NULL for
 * none (a connection-level instance, or a name nobody configured). */
static const mp_filter_config *
filter_config(ap_filter_t *f)
{
    const filter_ctx *ctx = f->ctx;

    if (f->r == NULL) {
        return NULL;
    }
    if (ctx != NULL && ctx->fc != NULL) {
        return ctx->fc;
    }
    return mp_filter_config_get(f->r->server, f->frec->name);
}

/* One call of the Python filter, as pycall.h's prepare and finish. */
typedef struct {
    ap_filter_t *f;
    const mp_filter_config *fc;
    filter_ctx *ctx;
    apr_bucket_brigade *in, *out;
    int is_input;
    ap_input_mode_t mode;
    apr_read_type_e block;
    apr_off_t readbytes;
    mp_filter *self;            /* the object, once made                 */
    int finished;               /* filter_finish ran                     */
} filter_call;

static PyObject *
filter_prepare(mp_pycall *call, mp_interp *ip)
{
    filter_call *fcall = call->data;
    request_rec *r = fcall->f->r;
    mp_filter *self;
    PyObject *entry, *config, *todo;

    entry = mp_interp_entry(ip, r->server, MP_ENTRY_FILTER);
    if (entry == NULL) {
        return NULL;
    }
    self = PyObject_GC_New(mp_filter, ip->state->filter_type);
    if (self == NULL) {
        return NULL;
    }
    self->f = fcall->f;
    self->fc = fcall->fc;
    self->ctx = fcall->ctx;
    self->in = fcall->in;
    self->out = fcall->out;
    self->mode = fcall->mode;
    self->block = fcall->block;
    self->readbytes = fcall->readbytes;
    self->closed = 0;
    self->eos_seen = 0;
    self->status = APR_SUCCESS;
    self->is_input_call = fcall->is_input;
    self->ssi = 0;
    self->req = mp_request_get(r, ip);
    PyObject_GC_Track((PyObject *)self);
    fcall->self = self;
    if (self->req == NULL) {
        return NULL;
    }
    config = mp_pyconfig(ip, mp_dir_conf(r), &fcall->fc->entry, 1,
                         fcall->fc->is_input);
    if (config == NULL) {
        return NULL;
    }
    todo = PyTuple_Pack(3, entry, (PyObject *)self, config);
    Py_DECREF(config);
    return todo;
}

static int
filter_finish(mp_pycall *call, mp_interp *ip, PyObject *result, int status)
{
    filter_call *fcall = call->data;
    mp_filter *self = fcall->self;

    (void)ip;
    fcall->finished = 1;
    if (result == NULL || self == NULL) {
        /* The dispatcher disables a filter that raised; this covers a
         * failure before it could. */
        fcall->ctx->disabled = 1;
    }
    if (self == NULL) {
        return status != 0 ? APR_EGENERAL : APR_SUCCESS;
    }
    status = self->status;
    self->f = NULL;             /* the object outlives this call no more */
    Py_CLEAR(fcall->self);
    return status;
}

/* Run the Python filter once.  `in` is where read() takes from, `out`
 * where write() puts to.  Returns the status to give Apache. */
static apr_status_t
call_python(ap_filter_t *f, const mp_filter_config *fc, filter_ctx *ctx,
            apr_bucket_brigade *in, apr_bucket_brigade *out, int is_input,
            ap_input_mode_t mode, apr_read_type_e block,
            apr_off_t readbytes)
{
    request_rec *r = f->r;
    filter_call fcall;
    mp_pycall call = {0};
    int status;

    fcall.f = f;
    fcall.fc = fc;
    fcall.ctx = ctx;
    fcall.in = in;
    fcall.out = out;
    fcall.is_input = is_input;
    fcall.mode = mode;
    fcall.block = block;
    fcall.readbytes = readbytes;
    fcall.self = NULL;
    fcall.finished = 0;
    call.s = r->server;
    call.r = r;
    call.prepare = filter_prepare;
    call.finish = filter_finish;
    call.data = &fcall;
    call.failed = MPLOGNO(0028) "the filter dispatcher failed";
    call.what = is_input ? "PythonInputFilter" : "PythonOutputFilter";
    call.handler = fc->entry.handler;
    status = mp_pycall_run(&call, mp_interpreter_name(r, MP_PHASE_HANDLER,
                                                      NULL));
    if (!fcall.finished) {
        /* The interpreter could not be had (logged). */
        ctx->disabled = 1;
        return APR_EGENERAL;
    }
    return (apr_status_t)status;
}

static apr_status_t
output_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    const mp_filter_config *fc;
    filter_ctx *ctx;
    apr_status_t rv;

    if ((fc = filter_config(f)) == NULL) {
        return ap_pass_brigade(f->next, bb);
    }
    ctx = context(f);
    if (ctx->disabled) {
        return ap_pass_brigade(f->next, bb);
    }
    rv = call_python(f, fc, ctx, bb, ctx->out, 0, AP_MODE_READBYTES,
                     APR_BLOCK_READ, 0);
    /* What was written and not yet passed goes on now; after a failure
     * the rest of the input passes untouched (the filter is disabled, so
     * an error page written later cannot loop through it). */
    if (ctx->disabled) {
        APR_BRIGADE_CONCAT(ctx->out, bb);
    }
    if (!APR_BRIGADE_EMPTY(ctx->out)) {
        apr_status_t prv = ap_pass_brigade(f->next, ctx->out);
        apr_brigade_cleanup(ctx->out);
        if (rv == APR_SUCCESS) {
            rv = prv;
        }
    }
    return rv;
}

static apr_status_t
input_filter(ap_filter_t *f, apr_bucket_brigade *bb, ap_input_mode_t mode,
             apr_read_type_e block, apr_off_t readbytes)
{
    const mp_filter_config *fc;
    filter_ctx *ctx;
    apr_status_t rv;

    if ((fc = filter_config(f)) == NULL
        || (mode != AP_MODE_READBYTES && mode != AP_MODE_GETLINE)) {
        return ap_get_brigade(f->next, bb, mode, block, readbytes);
    }
    ctx = context(f);
    if (ctx->disabled) {
        if (!APR_BRIGADE_EMPTY(ctx->got)) {
            APR_BRIGADE_CONCAT(bb, ctx->got);
            return APR_SUCCESS;
        }
        return ap_get_brigade(f->next, bb, mode, block, readbytes);
    }
    for (;;) {
        ctx->consumed = 0;
        ctx->eos = 0;
        ctx->eagain = 0;
        rv = call_python(f, fc, ctx, ctx->got, bb, 1, mode, block,
                         readbytes);
        if (rv != APR_SUCCESS || !APR_BRIGADE_EMPTY(bb)) {
            return rv;
        }
        if (ctx->disabled) {
            /* Disabled in this very call: answer as the next filter. */
            if (!APR_BRIGADE_EMPTY(ctx->got)) {
                APR_BRIGADE_CONCAT(bb, ctx->got);
                return APR_SUCCESS;
            }
            return ap_get_brigade(f->next, bb, mode, block, readbytes);
        }
        if (ctx->eagain) {
            return APR_EAGAIN;
        }
        /* It read data but kept it (buffering): ask again.  A call that
         * neither read nor wrote would ask forever; that, or the end of
         * the stream, is the end of the body. */
        if (ctx->consumed == 0 || ctx->eos) {
            APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(
                f->c->bucket_alloc));
            return APR_SUCCESS;
        }
    }
}

/* ---- filter objects for server-side includes --------------------------- */

PyObject *
mp_filter_ssi(mp_interp *ip, ap_filter_t *f, apr_bucket_brigade *bb)
{
    mp_filter *self;
    filter_ctx *ctx;

    ctx = apr_pcalloc(f->r->pool, sizeof(*ctx));
    ctx->got = apr_brigade_create(f->r->pool, f->c->bucket_alloc);
    self = PyObject_GC_New(mp_filter, ip->state->filter_type);
    if (self == NULL) {
        return NULL;
    }
    self->f = f;
    self->fc = NULL;
    self->ctx = ctx;
    self->in = ctx->got;        /* stays empty: read() gives None */
    self->out = bb;
    self->mode = AP_MODE_READBYTES;
    self->block = APR_BLOCK_READ;
    self->readbytes = 0;
    self->is_input_call = 0;
    self->ssi = 1;
    self->closed = 0;
    self->eos_seen = 1;
    self->status = APR_SUCCESS;
    self->req = NULL;
    PyObject_GC_Track((PyObject *)self);
    self->req = mp_request_get(f->r, ip);
    if (self->req == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

void
mp_filter_cut(PyObject *op)
{
    ((mp_filter *)op)->f = NULL;
}
