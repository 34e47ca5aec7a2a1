/*
 * requestobject.h -- the request object (mp_request): Python's view of one
 * request_rec.
 *
 * There is one request object per (request_rec, interpreter), kept in the
 * request's mp_request_state so every phase sees the same object and the
 * attributes handlers set on it.  The object holds a
 * borrowed request_rec pointer which mp_request_end() clears when the
 * request pool is destroyed; after that every method raises RuntimeError.
 * Table members are views of the request's apr tables (tableobject.h) and
 * are detached at the same moment.
 *
 * Functions returning PyObject * return a new reference, or NULL with an
 * exception set; int functions return 0, or -1 with an exception set.
 */
#ifndef MP_REQUESTOBJECT_H
#define MP_REQUESTOBJECT_H

#include "mp_common.h"
#include "interpreter.h"

typedef struct {
    PyObject_HEAD
    request_rec *r;             /* NULL once the request has ended        */
    server_rec *server_rec;     /* r->server: lives as long as the config */
    mp_interp *interp;
    PyObject *dict;             /* attributes handlers set (req.hlist...) */
    PyObject *headers_in;       /* table views, made on first use         */
    PyObject *headers_out;
    PyObject *err_headers_out;
    PyObject *notes;
    PyObject *subprocess_env;
    PyObject *cleanups;         /* list of (callable, data), or NULL      */
    PyObject *connection;       /* connection and server objects, made on */
    PyObject *server;           /* first use                              */
    /* Handlers req.add_handler() added, per phase: lists of (handler,
     * directory, parent) for the dispatcher, NULL until one is added. */
    PyObject *added[MP_PHASE_COUNT];
    /* get_options()'s table, made once per configuration: building one
     * costs a pool, and a session asks for it on every request.  Rebuilt
     * when per_dir_config changes (early phases run before the directory
     * walk has merged the <Directory> options in). */
    PyObject *options;
    struct ap_conf_vector_t *options_conf;
    int phase;                  /* mp_phase being run, or -1              */
    int content_type_set;       /* content_type assigned from Python      */
    /* Body read state: readline() may read past a line; the surplus
     * waits here for the next read. */
    int body_setup;             /* ap_setup_client_block done: 1, failed: -1 */
    char *rbuf;
    apr_size_t rbuf_len, rbuf_pos;
    /* Small write(..., 0) calls gather here, so that a handler writing
     * many small pieces does not call into Apache (and give up the GIL)
     * for each; see mp_request_drain(). */
    char *wbuf;
    apr_size_t wbuf_len;
    apr_off_t written;          /* bytes given to write() so far          */
} mp_request;

/* The mod_python state of one request_rec, in its request_config, from
 * its pool: the request objects made for it (one per interpreter that ran
 * code for it), and what the C side must know without asking Python. */
typedef struct {
    request_rec *r;
    apr_array_header_t *objects;    /* of mp_request_ref, usually one     */
    /* How many handlers add_handler() added per phase (in any
     * interpreter), and the directory of the first: enough to choose the
     * interpreter and to skip Python when nothing applies. */
    int added[MP_PHASE_COUNT];
    const char *added_dir[MP_PHASE_COUNT];
    /* dispatch.c's: the PythonInitHandler list run at post-read-request,
     * so header-parser does not run the same one again. */
    const apr_array_header_t *init_ran;
    int cleanups_registered;        /* the pre-cleanup for register_cleanup */
    int cleanup_phase_registered;   /* dispatch.c's, for PythonCleanupHandler */
    /* The CGI variables went into r->subprocess_env: done the first time
     * Python fetches req.subprocess_env, so requests that never look pay
     * nothing for them (3.2.10 filled them for every request); or code
     * called add_common_vars()/add_cgi_vars() itself, and gets only what
     * it asked for. */
    int cgi_vars_added;
    /* Filters req.register_input_filter()/register_output_filter() made
     * for this request: lower-cased name -> mp_filter_config (r->pool),
     * NULL until one is registered. */
    apr_hash_t *in_filters;
    apr_hash_t *out_filters;
} mp_request_state;

typedef struct {
    mp_interp *interp;
    PyObject *obj;
} mp_request_ref;

int mp_request_init_type(PyObject *module, mp_module_state *st);

/* r's state; made (with the cleanup that ends r's request objects with
 * its pool) when create is true, else NULL if there is none. */
mp_request_state *mp_request_state_get(request_rec *r, int create);

/* The request object of r in ip (new reference), made on first use and
 * kept until r's pool goes.  GIL held in ip. */
PyObject *mp_request_get(request_rec *r, mp_interp *ip);

/* End r's request object now if nothing can need it again: it is the
 * only one, no cleanup is registered on it, and the caller knows no later
 * phase or filter will run Python for r.  Spares the request pool's
 * cleanup a trip into Python.  GIL held in ip. */
void mp_request_end_early(request_rec *r, mp_interp *ip);

/* The directory of the handler now running (req.hlist.directory, set by
 * the dispatcher) as a new reference, or None; never fails. */
PyObject *mp_request_running_directory(mp_request *self);

/* Send what write(..., 0) has gathered on to Apache, before any other
 * output and when a phase's handlers return.  GIL held (released while
 * Apache works).  0, or -1 with OSError set. */
int mp_request_drain(PyObject *req);

#endif /* MP_REQUESTOBJECT_H */
