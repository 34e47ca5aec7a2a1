/*
 * serverobject.h -- the server object (mp_server): Python's view of a
 * server_rec (the main server or a virtual host).
 *
 * server_recs live in the configuration pool, which outlives every child
 * process, so a server object may be kept as long as Python likes.  It also
 * holds the child-exit cleanups (server.register_cleanup and
 * apache.register_cleanup), kept in the module state of each interpreter
 * and run when the child exits.
 *
 * Functions returning PyObject * return a new reference, or NULL with an
 * exception set; int functions return 0, or -1 with an exception set.
 */
#ifndef MP_SERVEROBJECT_H
#define MP_SERVEROBJECT_H

#include "mp_common.h"
#include "interpreter.h"

typedef struct {
    PyObject_HEAD
    server_rec *s;
} mp_server;

int mp_server_init_type(PyObject *module, mp_module_state *st);

PyObject *mp_server_new(mp_module_state *st, server_rec *s);

/* Add callable(data) to the cleanups this interpreter runs at child
 * exit.  GIL held; `interp` is the interpreter we are in. */
int mp_register_child_cleanup(mp_interp *interp, PyObject *callable,
                              PyObject *data);

#endif /* MP_SERVEROBJECT_H */
