/*
 * dispatch.c -- from an Apache hook to mod_python._dispatch and back
 * (see dispatch.h).
 */
#include "dispatch.h"
#include "requestobject.h"
#include "filterobject.h"
#include "ssi.h"
#include "pycall.h"
#include "pyconfig.h"
#include "mp_log.h"

/* Which of the configured handlers apply to r (their "| .ext" lists), as
 * a bit mask for the dispatcher: bit i for entry i, -1 when all do (the
 * usual case), 0 when none does.  Entries past the mask's width apply. */
static long
applicable(request_rec *r, const apr_array_header_t *list,
           const char **first_directory, const char **first_handler)
{
    const int width = (int)(sizeof(long) * 8 - 1);
    const mp_handler *h;
    long mask = 0;
    int i, all = 1, found = 0;

    *first_directory = NULL;
    *first_handler = NULL;
    if (list == NULL) {
        return 0;
    }
    h = (const mp_handler *)list->elts;
    for (i = 0; i < list->nelts; i++) {
        if (i < width && !mp_handler_applies(&h[i], r->filename)) {
            all = 0;
            continue;
        }
        if (!found) {
            *first_directory = h[i].directory;
            *first_handler = h[i].handler;
            found = 1;
        }
        if (i < width) {
            mask |= 1L << i;
        }
    }
    if (!found) {
        return 0;
    }
    return all ? -1 : mask;
}

/* What this thread runs now (see mp_running_request).  The objects are
 * borrowed from the phase_call below, which holds them for the call. */
typedef struct {
    PyInterpreterState *interp;
    PyObject *req;
    PyObject *config;
} running_phase;

static __thread running_phase running;

PyObject *
mp_running_request(void)
{
    return running.interp == PyInterpreterState_Get() ? running.req : NULL;
}

PyObject *
mp_running_config(void)
{
    return running.interp == PyInterpreterState_Get() ? running.config
                                                      : NULL;
}

typedef struct {
    mp_phase phase;
    const apr_array_header_t *list;     /* the configured handlers        */
    long mask;                          /* which of them apply            */
    PyObject *req;                      /* the request object, once made  */
    PyObject *config;                   /* its Config, once made          */
    running_phase outer;                /* what ran before, to restore    */
    int running_set;                    /* running is ours to restore     */
} phase_call;

static PyObject *
phase_prepare(mp_pycall *call, mp_interp *ip)
{
    phase_call *pc = call->data;
    request_rec *r = call->r;
    mp_request *req;
    PyObject *dispatch, *mask, *todo;

    dispatch = mp_interp_entry(ip, r->server, MP_ENTRY_REQUEST);
    if (dispatch == NULL) {
        return NULL;
    }
    pc->req = mp_request_get(r, ip);
    if (pc->req == NULL) {
        return NULL;
    }
    req = (mp_request *)pc->req;
    req->phase = pc->phase;
    /* The dispatcher runs what add_handler() appends to this list while
     * the phase runs, so it must exist before the first handler does. */
    if (req->added[pc->phase] == NULL
        && (req->added[pc->phase] = PyList_New(0)) == NULL) {
        return NULL;
    }
    pc->config = mp_pyconfig(ip, mp_dir_conf(r),
                             pc->list ? (const mp_handler *)pc->list->elts
                                      : NULL,
                             pc->list ? pc->list->nelts : 0, -1);
    if (pc->config == NULL) {
        return NULL;
    }
    mask = PyLong_FromLong(pc->mask);
    if (mask == NULL) {
        return NULL;
    }
    todo = PyTuple_Pack(6, dispatch, pc->req, ip->phase_names[pc->phase],
                        pc->config, mask, req->added[pc->phase]);
    Py_DECREF(mask);
    if (todo != NULL) {
        pc->outer = running;
        pc->running_set = 1;
        running.interp = PyInterpreterState_Get();
        running.req = pc->req;
        running.config = pc->config;
    }
    return todo;
}

/* Once the content handler has run, the request object is usually needed
 * by nothing else: no log or cleanup handler, no other interpreter, no
 * Python filter.  Ending it now, while we hold the GIL anyway, spares
 * the request pool's cleanup a second trip into Python. */
static int
needed_after_content(request_rec *r)
{
    mp_dir_config *conf = mp_dir_conf(r);
    mp_request_state *state = mp_request_state_get(r, 0);

    return conf->handlers[MP_PHASE_LOG] != NULL
           || conf->handlers[MP_PHASE_CLEANUP] != NULL
           || (state != NULL && state->added[MP_PHASE_LOG] > 0)
           || mp_request_has_python_filters(r) || mp_ssi_on(r);
}

static int
phase_finish(mp_pycall *call, mp_interp *ip, PyObject *result, int status)
{
    phase_call *pc = call->data;
    request_rec *r = call->r;
    long v;

    if (pc->running_set) {
        running = pc->outer;
    }
    Py_CLEAR(pc->config);
    if (result != NULL) {
        v = PyLong_Check(result) ? PyLong_AsLong(result) : -1;
        if (!PyLong_Check(result) || (v == -1 && PyErr_Occurred())
            || v < INT_MIN || v > INT_MAX) {
            PyErr_Clear();
            mp_log_r(APLOG_ERR, r, MPLOGNO(0010) "the dispatcher returned "
                     "something other than a status in %s",
                     mp_phase_names[pc->phase]);
            status = HTTP_INTERNAL_SERVER_ERROR;
        }
        else {
            status = (int)v;
        }
    }
    if (pc->req != NULL) {
        /* What write(..., 0) gathered goes on before Apache finishes the
         * response.  A client gone by now is nobody's error. */
        if (mp_request_drain(pc->req) < 0) {
            PyErr_Clear();
        }
        Py_CLEAR(pc->req);
        if (pc->phase == MP_PHASE_HANDLER && !needed_after_content(r)) {
            mp_request_end_early(r, ip);
        }
    }
    return status;
}

/* The content handler failed (or returned an error status) after part of
 * the response went out.  Apache's answer to an error status is its error
 * page, which would follow the body already sent under a 200: a response
 * that looks whole and successful.  Instead the response is left
 * incomplete, as mod_proxy leaves one whose backend failed midway: an
 * error bucket with HTTP_BAD_GATEWAY tells the HTTP filters that the body
 * was cut short (no last chunk, no keep-alive), and the connection is
 * closed, so a Content-Length not met shows too.  The access log gets the
 * failure's status.  Called without the GIL. */
static int
abort_response(request_rec *r, int status)
{
    conn_rec *c = r->connection;
    apr_bucket_brigade *bb;

    mp_log_r(APLOG_WARNING, r, MPLOGNO(0080) "the content handler of %s "
             "ended with status %d after the response had begun: the "
             "response is cut short and the connection closed", r->uri,
             status);
    c->keepalive = AP_CONN_CLOSE;
    if (!c->aborted) {
        bb = apr_brigade_create(r->pool, c->bucket_alloc);
        APR_BRIGADE_INSERT_TAIL(bb, ap_bucket_error_create(HTTP_BAD_GATEWAY,
                                                           NULL, r->pool,
                                                           c->bucket_alloc));
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_flush_create(c->bucket_alloc));
        (void)ap_pass_brigade(r->output_filters, bb);
        apr_brigade_destroy(bb);
    }
    r->status = status;
    return DONE;
}

int
mp_run_phase(request_rec *r, mp_phase phase)
{
    int status;
    mp_dir_config *conf = mp_dir_conf(r);
    mp_request_state *state;
    const char *first_directory, *first_handler;
    phase_call pc;
    mp_pycall call = {0};

    pc.phase = phase;
    pc.list = conf->handlers[phase];
    pc.mask = applicable(r, pc.list, &first_directory, &first_handler);
    pc.req = NULL;
    pc.config = NULL;
    pc.running_set = 0;
    if (pc.mask == 0) {
        state = mp_request_state_get(r, 0);
        if (state == NULL || state->added[phase] == 0) {
            return DECLINED;
        }
        first_directory = state->added_dir[phase];
    }
    call.s = r->server;
    call.r = r;
    call.prepare = phase_prepare;
    call.finish = phase_finish;
    call.data = &pc;
    call.failed = MPLOGNO(0004) "the dispatcher failed";
    call.what = mp_phase_names[phase];
    call.handler = first_handler;
    status = mp_pycall_run(&call, mp_interpreter_name(r, phase,
                                                      first_directory));
    /* Output still gathered in Apache's buffers has not gone out; its
     * error page replaces it.  Only once the headers went is it too late. */
    if (phase == MP_PHASE_HANDLER && status >= 300 && r->sent_bodyct) {
        return abort_response(r, status);
    }
    return status;
}

/* PythonCleanupHandler, after the response: its status is nobody's
 * business. */
static apr_status_t
cleanup_phase(void *data)
{
    (void)mp_run_phase(data, MP_PHASE_CLEANUP);
    return APR_SUCCESS;
}

void
mp_register_cleanup_phase(request_rec *r)
{
    mp_request_state *state = mp_request_state_get(r, 1);

    if (!state->cleanup_phase_registered) {
        state->cleanup_phase_registered = 1;
        /* A pre-cleanup: it runs before the pool's ordinary cleanups
         * end the request objects. */
        apr_pool_pre_cleanup_register(r->pool, r, cleanup_phase);
    }
}
