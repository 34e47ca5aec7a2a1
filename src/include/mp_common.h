/*
 * mp_common.h -- what every C file of mod_python shares.
 *
 * mod_python embeds CPython in Apache httpd 2.4.  This header pulls in the
 * Python and Apache headers in the one order that compiles cleanly
 * (Python.h first: it sets feature macros), declares the module record, and
 * defines the per-interpreter state of the built-in `_apache` module, which
 * every Python type implemented in C reaches through
 * PyType_GetModuleState().
 *
 * Memory: the state is owned by the `_apache` module object of one
 * interpreter; the type pointers in it are strong references released by the
 * module's m_clear/m_free.  Nothing here is shared between interpreters.
 */
#ifndef MP_COMMON_H
#define MP_COMMON_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "httpd.h"
#include "http_config.h"
#include "http_connection.h"
#include "http_core.h"
#include "http_log.h"
#include "http_main.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"
#include "util_script.h"
#include "ap_mpm.h"
#include "apr_strings.h"
#include "apr_tables.h"
#include "apr_hash.h"
#include "apr_thread_mutex.h"

#if PY_VERSION_HEX < 0x03090000
#error "mod_python needs Python 3.9 or later"
#endif

#define MP_VERSION_STRING "3.2.10"

#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *
Py_NewRef(PyObject *o)
{
    Py_INCREF(o);
    return o;
}
#endif

extern module AP_MODULE_DECLARE_DATA python_module;

struct mp_interp;

/* State of the `_apache` module, one per interpreter. */
typedef struct {
    struct mp_interp *interp;      /* the interpreter this module is in */
    PyTypeObject *table_type;      /* mp_table */
    PyTypeObject *table_iter_type; /* iterator over an mp_table */
    PyTypeObject *request_type;    /* mp_request */
    PyTypeObject *server_type;     /* mp_server */
    PyTypeObject *conn_type;       /* mp_conn */
    PyTypeObject *filter_type;     /* mp_filter */
    PyTypeObject *finfo_type;      /* mp_finfo */
    PyObject *child_cleanups;      /* list of (callable, data) run at child
                                      exit; NULL until one is registered */
} mp_module_state;

#endif /* MP_COMMON_H */
