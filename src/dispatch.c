/*
 * dispatch.c -- from an Apache hook to mod_python._dispatch and back.
 */
#include "dispatch.h"
#include "requestobject.h"
#include "deferflush.h"
#include "fastdispatch.h"
#include "mp_log.h"
#include "_apachemodule.h"
#include "filterobject.h"

mp_request_config *
mp_request_config_get(request_rec *r, int create)
{
    mp_request_config *rc = ap_get_module_config(r->request_config,
                                                 &python_module);

    if (rc == NULL && create) {
        rc = apr_pcalloc(r->pool, sizeof(*rc));
        rc->r = r;
        ap_set_module_config(r->request_config, &python_module, rc);
    }
    return rc;
}

/* The first configured handler of the list that applies to r, or NULL. */
static const mp_handler *
first_applicable(request_rec *r, const apr_array_header_t *list)
{
    const mp_handler *h;
    int i;

    if (list == NULL) {
        return NULL;
    }
    h = (const mp_handler *)list->elts;
    for (i = 0; i < list->nelts; i++) {
        if (mp_handler_applies(&h[i], r->filename)) {
            return &h[i];
        }
    }
    return NULL;
}

const char *
mp_interpreter_name(request_rec *r, mp_phase phase, const mp_handler *first)
{
    mp_dir_config *conf = mp_dir_conf(r);

    if (conf->interpreter != NULL) {
        return conf->interpreter;
    }
    if (conf->interp_per_directive == MP_ON && first != NULL
        && first->directory != NULL) {
        return first->directory;
    }
    if (conf->interp_per_directory == MP_ON) {
        /* Before translation there is no file, hence no directory. */
        if (phase == MP_PHASE_POST_READ_REQUEST || phase == MP_PHASE_TRANS
            || r->filename == NULL || r->filename[0] != '/') {
            return MP_MAIN_INTERPRETER;
        }
        if (r->finfo.filetype == APR_DIR) {
            size_t n = strlen(r->filename);
            return r->filename[n - 1] == '/'
                   ? r->filename
                   : apr_pstrcat(r->pool, r->filename, "/", NULL);
        }
        return ap_make_dirstr_parent(r->pool, r->filename);
    }
    return r->server->server_hostname ? r->server->server_hostname
                                       : MP_MAIN_INTERPRETER;
}

/* The request object of r in ip, made on first use.  GIL held. */
static PyObject *
request_object(request_rec *r, mp_request_config *rc, mp_interp *ip);

PyObject *
mp_request_object_for(request_rec *r, mp_interp *ip)
{
    PyObject *obj = request_object(r, mp_request_config_get(r, 1), ip);

    Py_XINCREF(obj);
    return obj;
}

static PyObject *
request_object(request_rec *r, mp_request_config *rc, mp_interp *ip)
{
    mp_request_object *ro;
    PyObject *obj;
    int i;

    if (rc->objects == NULL) {
        rc->objects = apr_array_make(r->pool, 1, sizeof(mp_request_object));
    }
    ro = (mp_request_object *)rc->objects->elts;
    for (i = 0; i < rc->objects->nelts; i++) {
        if (ro[i].interp == ip) {
            return ro[i].obj;
        }
    }
    obj = mp_request_new(ip, r);
    if (obj == NULL) {
        return NULL;
    }
    ro = apr_array_push(rc->objects);
    ro->interp = ip;
    ro->obj = obj;
    mp_register_request_cleanup(r, rc);
    return obj;
}

static apr_status_t request_cleanup(void *data);

/* Once the content handler has run, the request object is usually needed
 * by nothing else: no log or cleanup handler, no registered cleanup, no
 * other interpreter.  Ending it now, while we hold the GIL anyway, spares
 * the request pool's cleanup a second trip into Python.  GIL held. */
static void
end_after_content(request_rec *r, mp_request_config *rc, mp_interp *ip,
                  PyObject *req)
{
    mp_dir_config *conf = mp_dir_conf(r);
    mp_request_object *ro = (mp_request_object *)rc->objects->elts;

    if (rc->objects->nelts != 1 || ro[0].interp != ip
        || ((mp_request *)req)->cleanups != NULL
        || conf->handlers[MP_PHASE_LOG] != NULL
        || conf->handlers[MP_PHASE_CLEANUP] != NULL
        || rc->added[MP_PHASE_LOG] != NULL
        || mp_request_has_python_filters(r)) {
        return;
    }
    mp_request_end(req);
    Py_CLEAR(ro[0].obj);
    rc->objects->nelts = 0;
    apr_pool_cleanup_kill(r->pool, rc, request_cleanup);
    rc->cleanup_registered = 0;
}

/* Call the dispatcher for one phase in the interpreter it belongs in. */
static int
call_python(request_rec *r, mp_phase phase, const mp_handler *first)
{
    const char *name = mp_interpreter_name(r, phase, first);
    mp_request_config *rc = mp_request_config_get(r, 1);
    mp_interp *ip;
    PyObject *req, *result, *dispatcher;
    int status;

    ip = mp_interp_acquire(name, r->server);
    if (ip == NULL) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    dispatcher = mp_interp_entry(ip, r->server, MP_ENTRY_REQUEST);
    if (dispatcher == NULL) {
        mp_interp_release(ip);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    req = request_object(r, rc, ip);
    if (req == NULL) {
        mp_log_python_error(r, NULL, "creating the request object");
        mp_interp_release(ip);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    ((mp_request *)req)->phase = phase;
    if (!mp_fast_dispatch(ip, req, phase, first, &status)) {
        result = PyObject_CallFunctionObjArgs(dispatcher, req,
                                              ip->phase_names[phase], NULL);
        status = mp_dispatcher_status(r, phase, result, "dispatching");
    }
    /* A flush write() put off is dropped if this ends the response, else
     * sent; what write(..., 0) gathered goes on before Apache finishes
     * the response.  A client gone by now is nobody's error. */
    mp_flush_phase_end((mp_request *)req, phase == MP_PHASE_HANDLER,
                       status);
    if (mp_request_drain(req) < 0) {
        PyErr_Clear();
    }
    if (phase == MP_PHASE_HANDLER) {
        end_after_content(r, rc, ip, req);
    }
    mp_interp_release(ip);
    return status;
}

int
mp_dispatcher_status(request_rec *r, mp_phase phase, PyObject *result,
                     const char *where)
{
    long status = 0;
    int failed = result == NULL;

    if (result != NULL && !PyLong_Check(result)) {
        mp_log_r(APLOG_ERR, r, MP_BAD_RETURN,
                 "the dispatcher returned a non-integer in %s",
                 mp_phase_names[phase]);
        Py_DECREF(result);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (!failed) {
        status = PyLong_AsLong(result);
        failed = (status == -1 && PyErr_Occurred())
                 || status < INT_MIN || status > INT_MAX;
        Py_DECREF(result);
    }
    if (failed) {
        mp_log_r(APLOG_ERR, r, MP_DISPATCH_FAILED,
                 "the dispatcher failed in %s", mp_phase_names[phase]);
        mp_log_python_error(r, NULL, where);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return (int)status;
}

int
mp_run_phase(request_rec *r, mp_phase phase)
{
    mp_dir_config *conf = mp_dir_conf(r);
    mp_request_config *rc;
    const mp_handler *first = first_applicable(r, conf->handlers[phase]);

    if (first == NULL) {
        rc = mp_request_config_get(r, 0);
        if (rc == NULL || rc->added[phase] == NULL
            || rc->added[phase]->nelts == 0) {
            return DECLINED;
        }
        first = (const mp_handler *)rc->added[phase]->elts;
    }
    return call_python(r, phase, first);
}

static PyObject *
handler_tuple(const mp_handler *h)
{
    PyObject *dir;

    if (h->directory != NULL) {
        dir = mp_str_from_path(h->directory);
        if (dir == NULL) {
            return NULL;
        }
    }
    else {
        dir = Py_NewRef(Py_None);
    }
    return Py_BuildValue("(sNO)", h->handler, dir,
                         h->silent ? Py_True : Py_False);
}

PyObject *
mp_phase_handlers(request_rec *r, mp_phase phase, Py_ssize_t start)
{
    mp_dir_config *conf = mp_dir_conf(r);
    mp_request_config *rc = mp_request_config_get(r, 0);
    const apr_array_header_t *lists[2];
    PyObject *out, *item;
    Py_ssize_t index = 0;
    int l, i;

    lists[0] = conf->handlers[phase];
    lists[1] = rc ? rc->added[phase] : NULL;
    out = PyList_New(0);
    if (out == NULL) {
        return NULL;
    }
    for (l = 0; l < 2; l++) {
        const mp_handler *h;

        if (lists[l] == NULL) {
            continue;
        }
        h = (const mp_handler *)lists[l]->elts;
        for (i = 0; i < lists[l]->nelts; i++) {
            if (!mp_handler_applies(&h[i], r->filename)) {
                continue;
            }
            if (index++ < start) {
                continue;
            }
            item = handler_tuple(&h[i]);
            if (item == NULL || PyList_Append(out, item) < 0) {
                Py_XDECREF(item);
                Py_DECREF(out);
                return NULL;
            }
            Py_DECREF(item);
        }
    }
    return out;
}

/* Run registered cleanups (and, when `end`, drop the objects) of every
 * request object, each in its own interpreter. */
static void
finish_objects(mp_request_config *rc, int run_cleanups, int end)
{
    mp_request_object *ro;
    int i;

    if (rc->objects == NULL) {
        return;
    }
    ro = (mp_request_object *)rc->objects->elts;
    for (i = 0; i < rc->objects->nelts; i++) {
        if (ro[i].obj == NULL
            || mp_interp_enter(ro[i].interp, rc->r->server) < 0) {
            continue;
        }
        if (run_cleanups) {
            mp_request_run_cleanups(ro[i].obj);
        }
        if (end) {
            mp_request_end(ro[i].obj);
            Py_CLEAR(ro[i].obj);
        }
        mp_interp_release(ro[i].interp);
    }
    if (end) {
        rc->objects->nelts = 0;
    }
}

/* End of the request: registered cleanups, then PythonCleanupHandler,
 * then the request objects are cut loose and released.  Without a
 * cleanup handler that is one visit to each interpreter. */
static apr_status_t
request_cleanup(void *data)
{
    mp_request_config *rc = data;
    request_rec *r = rc->r;
    const mp_handler *first;

    first = first_applicable(r, mp_dir_conf(r)->handlers[MP_PHASE_CLEANUP]);
    if (first == NULL) {
        finish_objects(rc, 1, 1);
        return APR_SUCCESS;
    }
    finish_objects(rc, 1, 0);
    /* Its status is nobody's business: the response is gone. */
    (void)call_python(r, MP_PHASE_CLEANUP, first);
    finish_objects(rc, 0, 1);
    return APR_SUCCESS;
}

void
mp_register_request_cleanup(request_rec *r, mp_request_config *rc)
{
    if (!rc->cleanup_registered) {
        rc->cleanup_registered = 1;
        apr_pool_cleanup_register(r->pool, rc, request_cleanup,
                                  apr_pool_cleanup_null);
    }
}
