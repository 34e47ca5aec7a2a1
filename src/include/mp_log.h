/*
 * mp_log.h -- the one way mod_python's C code writes to Apache's error log.
 *
 * Every message carries a stable number "MPnnnn" so that users can look it up
 * in Doc/messages.rst; the numbers below are the whole list.  The macros add
 * the prefix and pass through Apache's own log level, so `LogLevel` applies
 * as usual.  They never touch Python and may be called without the GIL.
 */
#ifndef MP_LOG_H
#define MP_LOG_H

#include "mod_python.h"

/* Tie APLOG_MARK to our module so `LogLevel python:debug` works.
 * mod_python.c gets the same declaration from AP_DECLARE_MODULE. */
#ifndef MP_MODULE_FILE
APLOG_USE_MODULE(python);
#endif

/* Message numbers.  Never reuse a retired number. */
#define MP_PYTHON_INIT_FAILED   1  /* Python could not be initialised      */
#define MP_INTERP_CREATE_FAILED 2  /* a subinterpreter could not be made   */
#define MP_DISPATCH_IMPORT      3  /* mod_python._dispatch failed to import */
#define MP_DISPATCH_FAILED      4  /* dispatcher raised (not a handler)    */
#define MP_PYTHON_ERROR         5  /* a Python traceback line              */
#define MP_IMPORT_FAILED        6  /* PythonImport could not import        */
#define MP_CLEANUP_FAILED       7  /* a cleanup raised                     */
#define MP_NO_MEMORY            8  /* an allocation failed                 */
#define MP_PYTHON_STARTED       9  /* informational: Python started        */
#define MP_BAD_RETURN          10  /* dispatcher returned a non-integer    */
#define MP_LOCKS_FAILED        12  /* session locks could not be made      */

#define MP_LOG_PREFIX "mod_python: MP%04d: "

/* Log against a server (s may be NULL for the main server). */
#define mp_log_s(level, s, num, fmt, ...) \
    ap_log_error(APLOG_MARK, (level), 0, (s), MP_LOG_PREFIX fmt, (num), \
                 ##__VA_ARGS__)

/* Log against a request: Apache adds the client address. */
#define mp_log_r(level, r, num, fmt, ...) \
    ap_log_rerror(APLOG_MARK, (level), 0, (r), MP_LOG_PREFIX fmt, (num), \
                  ##__VA_ARGS__)

/* Log the pending Python exception (with its traceback, a line per entry)
 * and clear it.  Needs the GIL.  r or s may be NULL. */
void mp_log_python_error(request_rec *r, server_rec *s, const char *where);

#endif /* MP_LOG_H */
