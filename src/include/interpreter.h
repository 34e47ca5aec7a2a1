/*
 * interpreter.h -- Python in an Apache child: start-up, named interpreters,
 * and the thread states that let any Apache thread run in any of them.
 *
 * Python is started in each child (child_init), never in the parent, so a
 * graceful restart that unloads and reloads mod_python.so never finds a live
 * interpreter behind it.  The first interpreter is named "main_interpreter";
 * the others are subinterpreters made on first use and kept until the child
 * exits.  Each (interpreter, thread) pair gets one PyThreadState, made the
 * first time that thread enters that interpreter and kept for the thread's
 * life, so serving a request never creates or destroys one.
 *
 * The mp_interp records live in the child pool; the Python objects they
 * hold are owned by (and only used in) their own interpreter.
 *
 * Rule for callers: never call into Apache in a way that can re-enter
 * mod_python's hooks (writes, reads, subrequests, redirects) while holding
 * the GIL; release it first.
 */
#ifndef MP_INTERPRETER_H
#define MP_INTERPRETER_H

#include "mp_common.h"
#include "config.h"

#define MP_MAIN_INTERPRETER "main_interpreter"

/* What C uses of mod_python._dispatch (see _dispatch.py). */
typedef enum {
    MP_ENTRY_REQUEST = 0,       /* dispatch_request(req, phase, ...)     */
    MP_ENTRY_FILTER,            /* dispatch_filter(filter, config)       */
    MP_ENTRY_CONNECTION,        /* dispatch_connection(conn, config)     */
    MP_ENTRY_IMPORT,            /* run_import(config, module, function)  */
    MP_ENTRY_CONFIG,            /* Config(...): see pyconfig.h           */
    MP_ENTRY_FAILED,            /* the HandlerFailed exception type      */
    MP_ENTRY_SSI,               /* dispatch_ssi(filter, kind, code, config) */
    MP_ENTRY_COUNT
} mp_entry;

typedef struct mp_interp {
    const char *name;
    PyInterpreterState *istate;
    apr_threadkey_t *tstate_key;   /* this thread's PyThreadState        */
    PyObject *entries[MP_ENTRY_COUNT]; /* see mp_interp_entry()          */
    PyObject *phase_names[MP_PHASE_COUNT];
    mp_module_state *state;        /* state of this interpreter's _apache */
    PyObject *apache_module;
    apr_hash_t *configs;           /* pyconfig.c's cache, GIL-guarded    */
} mp_interp;

/* Start Python in this child.  0 on success, -1 (logged) on failure. */
int mp_python_child_init(apr_pool_t *pchild, server_rec *s);

/* Is Python running in this process? */
int mp_python_started(void);

/* The named interpreter, created on first use; NULL (logged) when it
 * cannot be made.  Called without the GIL; it is not held on return. */
mp_interp *mp_interp_get(const char *name, server_rec *s);

/* Enter ip: on success the GIL is held and this thread's state for it is
 * current.  0, or -1 (logged) when this thread cannot get a thread state
 * for it.  Only pycall.c enters interpreters. */
int mp_interp_enter(mp_interp *ip, server_rec *s);

/* One of the interpreter's mod_python._dispatch entry points (borrowed
 * reference), all imported together on first use; NULL, logged, when they
 * cannot be.  GIL held. */
PyObject *mp_interp_entry(mp_interp *ip, server_rec *s, mp_entry which);

/* Leave the interpreter entered by mp_interp_enter. */
void mp_interp_release(mp_interp *ip);

/* The name of the interpreter that runs phase of r (PythonInterpreter,
 * PythonInterpPerDirective with the directory of `first`, the phase's
 * first handler, PythonInterpPerDirectory, else the server's name).
 * first may be NULL. */
const char *mp_interpreter_name(request_rec *r, mp_phase phase,
                                const char *first_directory);

/* The interpreter called name if it exists (never made here), else
 * NULL.  Any thread, with or without a GIL. */
mp_interp *mp_interp_find(const char *name);

/* The interpreters of this process so far, as an array of mp_interp *
 * allocated from p, main_interpreter first. */
apr_array_header_t *mp_interp_all(apr_pool_t *p);

/* Leave the interpreter this thread is in (its thread state is returned
 * for mp_interp_resume), run fn(ip, data) in ip, and come back.  For
 * looking into another interpreter from a handler: fn may only hand
 * plain C data back through data, never a Python object.  0, or -1
 * (logged) when ip cannot be entered; the GIL is held in the calling
 * interpreter again either way. */
int mp_interp_visit(mp_interp *ip, server_rec *s,
                    void (*fn)(mp_interp *ip, void *data), void *data);

/* The child pool, for cleanups that must run at child exit. */
apr_pool_t *mp_child_pool(void);

#endif /* MP_INTERPRETER_H */
