/*
 * requestobject.h -- the request object (mp_request): Python's view of one
 * request_rec.
 *
 * There is one request object per (request_rec, interpreter); dispatch.c
 * keeps it in the request's mp_request_config so every phase sees the same
 * object and the attributes handlers set on it.  The object holds a
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

#include "mod_python.h"
#include "interpreter.h"

typedef struct {
    PyObject_HEAD
    request_rec *r;             /* NULL once the request has ended        */
    mp_interp *interp;
    PyObject *dict;             /* attributes handlers set                */
    PyObject *headers_in;       /* table views, made on first use         */
    PyObject *headers_out;
    PyObject *err_headers_out;
    PyObject *notes;
    PyObject *subprocess_env;
    PyObject *cleanups;         /* list of (callable, data), or NULL      */
    PyObject *connection;       /* connection and server objects, made on */
    PyObject *server;           /* first use                              */
    /* get_options()'s table, made once per configuration: building one
     * costs a pool, and a session asks for it on every request.  Rebuilt
     * when per_dir_config changes (early phases run before the directory
     * walk has merged the <Directory> options in). */
    PyObject *options;
    struct ap_conf_vector_t *options_conf;
    int phase;                  /* mp_phase being run, or -1              */
    int content_type_set;       /* content_type assigned from Python      */
    const char *handler_dir;    /* directory of the running handler       */
    long added;                 /* handlers added with add_handler()      */
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
    /* What write(data) does without a flush argument: 1 (flush, as the
     * manual says) unless a template engine that writes many pieces
     * (mod_python.psp) turned it off for the page's run. */
    int write_flush;
    apr_off_t written;          /* bytes given to write() so far          */
    /* A flush write(data) put off (deferflush.h).  The frames are
     * compared, never dereferenced: borrowed, and only set while they
     * run. */
    int flush_pending;
    PyFrameObject *flush_frame;     /* the frame that called write()      */
    PyObject *flush_code;           /* its bytecode, once read            */
    /* While a phase's handlers run: the frame they return to (the Python
     * dispatcher's, or NULL when fastdispatch.c calls one from C). */
    int dispatching;
    PyFrameObject *dispatch_frame;
    /* The handler the Python dispatcher may remember for the C fast path
     * (fastdispatch.h), until it has. */
    const mp_handler *remember;        /* for the phase being run     */
} mp_request;

int mp_request_init_type(PyObject *module, mp_module_state *st);

PyObject *mp_request_new(mp_interp *ip, request_rec *r);

/* Send what write(..., 0) has gathered on to Apache, before any other
 * output and when a phase's handlers return.  GIL held (released while
 * Apache works).  0, or -1 with OSError set. */
int mp_request_drain(PyObject *req);

/* Run the cleanups registered with req.register_cleanup (errors logged). */
void mp_request_run_cleanups(PyObject *req);

/* The request has ended: drop everything that points into it. */
void mp_request_end(PyObject *req);

#endif /* MP_REQUESTOBJECT_H */
