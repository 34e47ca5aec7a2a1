/*
 * wsgi.h -- what mod_python.wsgi needs from Apache that the request
 * object does not offer: the <Location> a PythonHandler was configured in
 * (mod_python 3.5 makes it the application's SCRIPT_NAME), a status line
 * with the application's own reason phrase, and a way to end a response
 * that failed half-way so that the client can tell (no last chunk, the
 * connection closed).
 *
 * Both are functions of the `_apache` module taking a request object; they
 * read or write only the request_rec (strings copied into its pool) and
 * follow CPython's conventions: a new reference, or NULL with an exception
 * set.
 */
#ifndef MP_WSGI_H
#define MP_WSGI_H

#include "mp_common.h"

PyObject *mp_wsgi_location(PyObject *module, PyObject *req);
PyObject *mp_wsgi_set_status(PyObject *module, PyObject *args);
PyObject *mp_wsgi_abort(PyObject *module, PyObject *req);
extern const char mp_wsgi_location_doc[];
extern const char mp_wsgi_set_status_doc[];
extern const char mp_wsgi_abort_doc[];

#define MP_WSGI_FUNCTIONS \
    {"_wsgi_location", mp_wsgi_location, METH_O, mp_wsgi_location_doc}, \
    {"_wsgi_set_status", mp_wsgi_set_status, METH_VARARGS, \
     mp_wsgi_set_status_doc}, \
    {"_wsgi_abort", mp_wsgi_abort, METH_O, mp_wsgi_abort_doc},

#endif /* MP_WSGI_H */
