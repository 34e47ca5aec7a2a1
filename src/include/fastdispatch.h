/*
 * fastdispatch.h -- running a phase's one handler straight from C.
 *
 * Most phases that mod_python serves have a single handler from httpd.conf
 * (PythonHandler myapp).  mod_python._dispatch finds it -- imports or
 * re-checks the module, resolves the object -- and calls it; that Python
 * work costs about as much per request as a small handler itself.  So
 * once the Python dispatcher has found such a handler, it remembers the
 * module and object name here (req._remember_handler), per interpreter,
 * for as long as the importer would trust the module without looking at
 * its file again (CHECK_INTERVAL, one second).  Until then the next
 * requests' phase calls the object from C: getattr(module, name) afresh
 * each time (so rebinding it takes effect at once), the thread's
 * apache.running.request and req._handler_dir set as the dispatcher sets
 * them, the result checked as it checks it, and an exception handed to
 * _dispatch.handler_failed, which reports it as the dispatcher does.
 * Handlers added with req.add_handler() during the call are run by the
 * Python dispatcher afterwards.
 *
 * Anything unusual takes the Python dispatcher: several handlers or added
 * ones, an .htaccess handler, PythonPath, PythonEnablePdb, a dotted
 * object or one that is a class, a directory no longer on sys.path, a
 * remembered entry past its time.
 *
 * All functions run with the GIL held, in the request's interpreter.
 */
#ifndef MP_FASTDISPATCH_H
#define MP_FASTDISPATCH_H

#include "requestobject.h"

/* The handler of r's phase that may be remembered or run from C: the one
 * applicable handler, from httpd.conf, with no PythonPath or
 * PythonEnablePdb in effect; else NULL. */
const mp_handler *mp_fast_candidate(request_rec *r, mp_phase phase);

/* Remember that h, in phase, resolves to module's attribute name, for
 * interval seconds.  0, or -1 with an exception set. */
int mp_fast_remember(mp_interp *ip, const mp_handler *h, mp_phase phase,
                     PyObject *module, PyObject *name, double interval);

/* Run the phase's handler h from C if it is remembered.  Returns 1 with
 * *status set when it did (errors included: they are reported and give
 * their status), 0 when the Python dispatcher must run the phase. */
int mp_fast_dispatch(mp_interp *ip, PyObject *req, mp_phase phase,
                     const mp_handler *h, int *status);

#endif /* MP_FASTDISPATCH_H */
