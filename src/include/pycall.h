/*
 * pycall.h -- the one way mod_python's C code calls into Python.
 *
 * Every call -- a request phase, a filter, a connection handler,
 * PythonImport, a cleanup -- goes through mp_pycall_run(): enter the
 * interpreter (this thread's state for it, the GIL), let the caller build
 * the call, make it, log what it raised as one numbered entry, let the
 * caller finish with the GIL still held, leave the interpreter.  So
 * entering, error logging and leaving are written once.
 *
 A handler's exception is the dispatcher's to judge (its status, the
 * PythonDebug page); it then raises mod_python._dispatch.HandlerFailed
 * (status, message) from the handler's exception, and the log shows the
 * handler's traceback under that message (which starts with its own
 * "MPnnnn: "), and the call's status is the one carried.  Any other
 * exception is logged under the call site's `failed` message: a 500.
 *
 * The mp_pycall record is the caller's (usually on its stack); nothing
 * here keeps a pointer to it after returning.
 */
#ifndef MP_PYCALL_H
#define MP_PYCALL_H

#include "mp_common.h"
#include "interpreter.h"

typedef struct mp_pycall mp_pycall;

struct mp_pycall {
    server_rec *s;              /* the server (interpreter names, log)    */
    request_rec *r;             /* the request for the log, or NULL       */
    /* GIL held in ip.  The call to make, as a tuple: the callable, then
     * its arguments (new reference); NULL with an exception set (or
     * already logged, then none set) when it cannot be made. */
    PyObject *(*prepare)(mp_pycall *call, mp_interp *ip);
    /* GIL held in ip, called whenever the interpreter was entered:
     * result is what the call returned (borrowed), or NULL when it could
     * not be made or raised (logged already; status is then the
     * failure's).  Releases what prepare took; returns the status
     * mp_pycall_run returns.  NULL: status as given, 0 on success. */
    int (*finish)(mp_pycall *call, mp_interp *ip, PyObject *result,
                  int status);
    void *data;                 /* the caller's                           */
    /* Logged with the traceback when the call raises; starts with the
     * call site's MPLOGNO. */
    const char *failed;
    /* For the table of running calls (watchdog.h), or NULL: the phase or
     * kind of call ("PythonHandler"), and its handler. */
    const char *what;
    const char *handler;
};

/* Make the call in the interpreter called name (created on first use).
 * Returns finish()'s status; HTTP_INTERNAL_SERVER_ERROR when the
 * interpreter or the call could not be made (logged). */
int mp_pycall_run(mp_pycall *call, const char *name);

/* The same in an interpreter already at hand. */
int mp_pycall_run_in(mp_pycall *call, mp_interp *ip);

#endif /* MP_PYCALL_H */
