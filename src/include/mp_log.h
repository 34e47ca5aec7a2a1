/*
 * mp_log.h -- the one way mod_python's C code writes to Apache's error log.
 *
 * Every message carries a stable number "MPnnnn", written where the message
 * is, as httpd's APLOGNO() is:
 *
 *     mp_log_r(APLOG_ERR, r, MPLOGNO(0004) "the dispatcher failed in %s",
 *              name);
 *
 * One number names one call site, here or in the Python package (where the
 * text holds "MPnnnn: " literally); Doc/messages.rst explains each, and
 * test/test_messages.py keeps that list and the code in step.  The macros
 * pass Apache's own level through, so `LogLevel python:debug` applies.
 * They never touch Python and may be called without the GIL.
 */
#ifndef MP_LOG_H
#define MP_LOG_H

#include "mp_common.h"

/* Tie APLOG_MARK to our module so `LogLevel python:debug` works.
 * mod_python.c gets the same declaration from AP_DECLARE_MODULE. */
#ifndef MP_MODULE_FILE
APLOG_USE_MODULE(python);
#endif

/* The number of a message, as a string literal to put before its text. */
#define MPLOGNO(n) "MP" #n ": "

/* Log against a server (s may be NULL for the main server). */
#define mp_log_s(level, s, ...) \
    ap_log_error(APLOG_MARK, (level), 0, (s), "mod_python: " __VA_ARGS__)

/* Log against a request: Apache adds the client address. */
#define mp_log_r(level, r, ...) \
    ap_log_rerror(APLOG_MARK, (level), 0, (r), "mod_python: " __VA_ARGS__)

/* Log the pending Python exception as ONE error log entry: the message
 * (which starts with its MPLOGNO), then the traceback on the lines that
 * follow, as a terminal would show it.  Clears the exception.  Needs the
 * GIL; r or s may be NULL. */
void mp_log_exception(request_rec *r, server_rec *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Log exception object exc (borrowed) the same way. */
void mp_log_exception_object(request_rec *r, server_rec *s, PyObject *exc,
                             const char *msg);

/* Take the pending exception (new reference, normalised, traceback
 * attached), or NULL when none is set: one spelling for every Python
 * version we support. */
PyObject *mp_exception_take(void);

#endif /* MP_LOG_H */
