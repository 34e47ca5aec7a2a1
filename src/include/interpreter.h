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

#include "mod_python.h"
#include "config.h"

#define MP_MAIN_INTERPRETER "main_interpreter"

/* The entry points of mod_python._dispatch that C calls. */
typedef enum {
    MP_ENTRY_REQUEST = 0,       /* dispatch_request(req, phase)          */
    MP_ENTRY_FILTER,            /* dispatch_filter(filter, ...)          */
    MP_ENTRY_CONNECTION,        /* dispatch_connection(conn, ...)        */
    MP_ENTRY_HANDLER_FAILED,    /* handler_failed(req, phase, ...)       */
    MP_ENTRY_RUNNING,           /* _running, apache.running              */
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
    PyObject *handler_cache;       /* fastdispatch.c's, made on first use */
} mp_interp;

/* Start Python in this child.  0 on success, -1 (logged) on failure. */
int mp_python_child_init(apr_pool_t *pchild, server_rec *s);

/* Is Python running in this process? */
int mp_python_started(void);

/* Enter the named interpreter (creating it on first use): on success the
 * GIL is held and this thread's state for it is current.  NULL (logged)
 * when it cannot be made. */
mp_interp *mp_interp_acquire(const char *name, server_rec *s);

/* Enter an interpreter already known (no lookup by name).  0, or -1
 * (logged) when this thread cannot get a thread state for it. */
int mp_interp_enter(mp_interp *ip, server_rec *s);

/* One of the interpreter's mod_python._dispatch entry points (borrowed
 * reference), all imported together on first use; NULL, logged, when they
 * cannot be.  GIL held. */
PyObject *mp_interp_entry(mp_interp *ip, server_rec *s, mp_entry which);

/* Leave the interpreter entered by mp_interp_acquire or mp_interp_enter. */
void mp_interp_release(mp_interp *ip);

/* The child pool, for cleanups that must run at child exit. */
apr_pool_t *mp_child_pool(void);

#endif /* MP_INTERPRETER_H */
