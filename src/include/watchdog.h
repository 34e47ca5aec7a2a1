/*
 * watchdog.h -- which Python calls each thread of the child is running,
 * and the thread that reports the ones that run too long
 * (PythonRequestTimeout, PythonRequestTimeoutAction).
 *
 * Every call into Python (pycall.c) is noted in its thread's slot of a
 * table: when it began, the interpreter, the Python thread id, and copies
 * of the request's method and URI and of the phase and handler, so that
 * nothing in the table points into a request pool.  The table and its
 * mutex live in a pool of their own that is never destroyed: a child that
 * exits while the watchdog thread still looks at them cannot pull the
 * memory from under it.  Slots are made on a thread's first call and kept
 * for the child's life (one per Apache thread).
 *
 * When some configuration sets PythonRequestTimeout, child_init starts one
 * watchdog thread.  About once a second it looks for a call that has run
 * longer than its timeout; for each it enters that call's interpreter, has
 * mod_python._stacks format the thread's Python stack, and logs it as one
 * entry; again every timeout seconds while the call goes on.
 *
 * With PythonRequestTimeoutAction restart (prefork only), the end of a
 * request's call that was reported closes its connection and asks the
 * child to exit once that connection is done, as a graceful restart does.
 */
#ifndef MP_WATCHDOG_H
#define MP_WATCHDOG_H

#include "mp_common.h"
#include "interpreter.h"

/* PythonRequestTimeoutAction values (mp_dir_config.timeout_action). */
#define MP_TIMEOUT_ACTION_UNSET -1
#define MP_TIMEOUT_ACTION_LOG 0
#define MP_TIMEOUT_ACTION_RESTART 1

/* mp_server_config.timeouts bits: what the configuration uses. */
#define MP_TIMEOUTS_SET 1
#define MP_TIMEOUTS_RESTART 2

/* post_config: warn when the restart action cannot work with this MPM. */
void mp_watch_check_mpm(server_rec *s);

/* child_init, after Python started: make the table, and start the
 * watchdog thread when any server's configuration sets a timeout. */
void mp_watch_child_init(apr_pool_t *pchild, server_rec *s);

/* A call into Python begins (before entering ip) and ends (after leaving
 * it).  r may be NULL (connection handlers, PythonImport), and s too (the
 * cleanups at child exit: such calls are never timed); what names the
 * phase or filter kind and handler the handler, both may be NULL.  begin
 * returns what end needs; neither needs the GIL. */
void *mp_watch_begin(request_rec *r, server_rec *s, mp_interp *ip,
                     const char *what, const char *handler);
void mp_watch_end(void *token, request_rec *r);

/* _apache.running_calls, for mod_python._stacks. */
extern PyMethodDef mp_watch_functions[];

#endif /* MP_WATCHDOG_H */
