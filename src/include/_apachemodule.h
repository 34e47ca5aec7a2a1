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

#include "mod_python.h"

PyMODINIT_FUNC mp_init_apache_module(void);

/* The main server_rec, for functions called without a request. */
void mp_apache_set_main_server(server_rec *s);
server_rec *mp_apache_main_server(void);

/* Convert between Apache's C strings and Python str. */
PyObject *mp_str_from_path(const char *s);    /* UTF-8, surrogateescape */
PyObject *mp_str_from_latin1(const char *s);  /* None for NULL          */
/* The bytes of a str argument, UTF-8 with surrogateescape, copied into
 * pool; NULL with TypeError for non-str. */
const char *mp_path_from_str(apr_pool_t *pool, PyObject *o);

#endif /* MP_APACHEMODULE_H */
