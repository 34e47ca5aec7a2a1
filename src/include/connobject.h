/*
 * connobject.h -- the connection object (mp_conn): Python's view of a
 * conn_rec.
 *
 * A connection object borrows its conn_rec from whoever made it (a request
 * object, or the connection handler) and is cut off with mp_conn_end() when
 * that owner ends; later use raises RuntimeError.  conn.notes is a view of
 * the connection's table, cut off at the same moment.
 *
 * Functions returning PyObject * return a new reference, or NULL with an
 * exception set.
 */
#ifndef MP_CONNOBJECT_H
#define MP_CONNOBJECT_H

#include "mp_common.h"

typedef struct {
    PyObject_HEAD
    conn_rec *c;            /* NULL once its owner has ended */
    PyObject *notes;        /* table view, made on first use */
    PyObject *base_server;  /* server object, made on first use */
    apr_bucket_brigade *bb; /* reused by read/readline/write (c->pool) */
    int eof;                /* a read has met the end of the stream */
} mp_conn;

int mp_conn_init_type(PyObject *module, mp_module_state *st);

PyObject *mp_conn_new(mp_module_state *st, conn_rec *c);

void mp_conn_end(PyObject *conn);

#endif /* MP_CONNOBJECT_H */
