/*
 * dispatch.h -- running a request phase's Python handlers.
 *
 * The hooks in mod_python.c call mp_run_phase().  It decides, without
 * touching Python, whether any handler applies (configured for the phase,
 * matching its "| .ext" restriction, or added by req.add_handler); only
 * then does it pick the interpreter and, through pycall.h, hand the
 * request object, the phase, its Config (pyconfig.h) and the added
 * handlers to mod_python._dispatch.dispatch_request, the one dispatcher.
 *
 * Per-request state lives in the request's mp_request_state
 * (requestobject.h), allocated from r->pool.
 */
#ifndef MP_DISPATCH_H
#define MP_DISPATCH_H

#include "mp_common.h"
#include "config.h"

/* Run the phase: an Apache status, or DECLINED when no handler applies. */
int mp_run_phase(request_rec *r, mp_phase phase);

/* The request object, or the Config, of the phase this thread is running
 * in the current interpreter (borrowed), or NULL when it runs none there:
 * what mod_python's apache.running reads.  Kept in C, set and restored
 * around each phase, so that the dispatcher does no bookkeeping for it
 * and an internal redirect's handlers see their own. */
PyObject *mp_running_request(void);
PyObject *mp_running_config(void);

/* Have PythonCleanupHandler run when r's pool is cleaned up, once. */
void mp_register_cleanup_phase(request_rec *r);

#endif /* MP_DISPATCH_H */
