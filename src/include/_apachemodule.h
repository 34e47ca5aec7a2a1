/*
 * _apachemodule.h -- the built-in `_apache` module.
 *
 * Registered with PyImport_AppendInittab before Python starts, so every
 * interpreter of the child can import it; multi-phase initialisation gives
 * each interpreter its own module object, state (mp_module_state) and
 * types.  mod_python.apache re-exports what users need from it.
 */
#ifndef MP_APACHEMODULE_H
#define MP_APACHEMODULE_H

#include "mp_common.h"

PyMODINIT_FUNC mp_init_apache_module(void);

/* The main server_rec, for functions called without a request. */
void mp_apache_set_main_server(server_rec *s);
server_rec *mp_apache_main_server(void);

#endif /* MP_APACHEMODULE_H */
