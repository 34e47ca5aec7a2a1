/*
 * dispatch.h -- running a request phase's Python handlers.
 *
 * The hooks in mod_python.c call mp_run_phase().  It decides, without
 * touching Python, whether any handler applies (configured for the phase,
 * matching the "| .ext" restriction, or added by req.add_handler); only
 * then does it pick the interpreter, find or make the request's Python
 * object and call mod_python._dispatch.dispatch_request(req, phase).
 *
 * Per-request state (mp_request_config) lives in r->request_config and is
 * allocated from r->pool; it is created on first need.  Python objects it
 * refers to are released by a cleanup on r->pool, which also runs the
 * request's registered cleanups and PythonCleanupHandler.
 */
#ifndef MP_DISPATCH_H
#define MP_DISPATCH_H

#include "mod_python.h"
#include "config.h"
#include "interpreter.h"

typedef struct {
    mp_interp *interp;
    PyObject *obj;              /* the request object in that interpreter */
} mp_request_object;

typedef struct {
    request_rec *r;
    apr_array_header_t *objects;    /* of mp_request_object, usually one  */
    apr_array_header_t *added[MP_PHASE_COUNT]; /* req.add_handler entries */
    const apr_array_header_t *init_ran; /* PythonInitHandler list run at
                                           post-read-request             */
    int cleanup_registered;
} mp_request_config;

/* This request's mod_python state, made when create is true. */
mp_request_config *mp_request_config_get(request_rec *r, int create);

/* Run the phase: an Apache status, or DECLINED when no handler applies. */
int mp_run_phase(request_rec *r, mp_phase phase);

/* The status a call of mod_python._dispatch gave (result: its new
 * reference, consumed, or NULL with the exception set): the integer,
 * DECLINED (-1) included, or HTTP_INTERNAL_SERVER_ERROR, logged with the
 * traceback (where says what was being done), when the call failed or
 * returned something else. */
int mp_dispatcher_status(request_rec *r, mp_phase phase, PyObject *result,
                         const char *where);

/* The handlers of the phase that apply to r, from index `start` on, as a
 * tuple of (handler, directory, silent) tuples.  GIL held. */
PyObject *mp_phase_handlers(request_rec *r, mp_phase phase, Py_ssize_t start);

/* The request object of r in interpreter ip (new reference), made on
 * first use; used for req.main, req.prev and req.next.  GIL held. */
PyObject *mp_request_object_for(request_rec *r, mp_interp *ip);

/* Make sure the end-of-request cleanup is registered on r->pool. */
void mp_register_request_cleanup(request_rec *r, mp_request_config *rc);

/* The interpreter name for running `phase` of r. */
const char *mp_interpreter_name(request_rec *r, mp_phase phase,
                                const mp_handler *first);

#endif /* MP_DISPATCH_H */
