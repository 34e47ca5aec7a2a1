/*
 * logbridge.h -- what mod_python._logging needs from Apache's error log:
 * whether a level would be written, writing one entry, and the most
 * verbose level the configuration gives the python module.
 *
 * Three functions of the `_apache` module.  A request argument is a
 * request object or None; a request that has ended counts as None (the
 * entry goes to the main server's log), so a thread that outlives its
 * request can still log.  They hold no memory of their own: messages are
 * copied by Apache as it writes them.  They return a new reference, or
 * NULL with an exception set.
 */
#ifndef MP_LOGBRIDGE_H
#define MP_LOGBRIDGE_H

#include "mp_common.h"

PyObject *mp_log_enabled(PyObject *module, PyObject *args);
PyObject *mp_log_write(PyObject *module, PyObject *args);
PyObject *mp_log_python_level(PyObject *module, PyObject *noargs);
extern const char mp_log_enabled_doc[];
extern const char mp_log_write_doc[];
extern const char mp_log_python_level_doc[];

#define MP_LOGBRIDGE_FUNCTIONS \
    {"_log_enabled", mp_log_enabled, METH_VARARGS, mp_log_enabled_doc}, \
    {"_log_write", mp_log_write, METH_VARARGS, mp_log_write_doc}, \
    {"_log_python_level", mp_log_python_level, METH_NOARGS, \
     mp_log_python_level_doc},

#endif /* MP_LOGBRIDGE_H */
