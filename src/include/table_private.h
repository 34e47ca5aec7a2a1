/*
 * table_private.h -- what the two files of the `table` type share:
 * tableobject.c (the type, its methods and iterator, the C interface in
 * tableobject.h) and tableupdate.c (update() and the constructor's
 * contents).  Not for use outside them: the rest of mod_python goes
 * through tableobject.h.
 *
 * Memory: a table object either owns its apr_table_t, kept in a private
 * APR pool that is destroyed with the object, or views a table of
 * Apache's through the address of Apache's pointer to it; it holds no
 * reference to any Python object.  A raw pointer into an APR table (the
 * apr_table_t itself, its entry array, a key or value string) is only
 * trusted until the next call that may run Python code.  Creating a
 * GC-tracked object (list, tuple, the iterator) may start a collection,
 * and a finalizer may then change this very table: grow its array, detach
 * it, or (for a table we own) rebuild it in a fresh pool, freeing the old
 * one.  So every function converts its Python arguments first, fetches the
 * table afterwards, decodes what it read into str objects (str is not
 * GC-tracked, so creating one runs no Python code) before it creates lists
 * or tuples, and fetches the table again after any such call.
 *
 * Errors: functions returning a pointer return NULL with a Python
 * exception set; functions returning int return 0 on success and -1 with
 * a Python exception set.
 */
#ifndef MP_TABLE_PRIVATE_H
#define MP_TABLE_PRIVATE_H

#include "tableobject.h"

#include <string.h>

typedef struct {
    PyObject_HEAD
    /* Where the table is: &own for a table we own, Apache's own pointer
     * (&r->headers_in) for a view, a pointer to a NULL table once
     * detached. */
    apr_table_t *const *tablep;
    apr_table_t *own;       /* the table we own, in pool; NULL for a view */
    apr_pool_t *pool;       /* our private pool; NULL for a view */
    apr_size_t churn;       /* bytes copied into pool since it was made */
    apr_size_t churn_limit; /* churn at which to look for garbage */
} mp_table_object;

/* The table self shows now; NULL with RuntimeError once detached.  Inline:
 * every operation on a table starts here. */
static inline apr_table_t *
mp_table_of(mp_table_object *self)
{
    apr_table_t *t = *self->tablep;

    if (t == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "this table belongs to a request that has ended");
    }
    return t;
}

/* The bytes an entry takes in a table's pool, as mp_table_grew() counts
 * them. */
static inline apr_size_t
mp_table_entry_bytes(const apr_table_entry_t *e)
{
    return sizeof(*e) + strlen(e->key) + 1
           + (e->val ? strlen(e->val) + 1 : 0);
}

/*
 * Convert the key or value o (str, or bytes as mod_python 3.5 takes them)
 * for APR: *cstr is set to its latin-1 bytes, a NUL-terminated string,
 * and *len to their number.  Returns a new reference to the object that
 * owns those bytes (o itself for bytes and for an ASCII str, whose UTF-8
 * buffer is already its latin-1 form, else a new bytes object); *cstr is
 * valid while the caller holds it.  key is the key when o is a value, NULL
 * when o is the key: the errors name it.  NULL with TypeError for
 * anything but str or bytes and for a str that is not latin-1, ValueError
 * for one holding a NUL.
 */
PyObject *mp_table_latin1_holder(PyObject *o, PyObject *key,
                                 const char **cstr, Py_ssize_t *len);

/* Account for `bytes` just copied into self's pool, and rebuild the table
 * in a fresh pool when most of the old one is garbage (values replaced,
 * entries removed), which frees every pointer into the old one.  Views
 * are left alone: their memory is Apache's.  Cannot fail. */
void mp_table_grew(mp_table_object *self, apr_size_t bytes);

/* update(arg, **kwds), the body of both update() and the constructor.
 * arg and kwds may be NULL.  Every pair is converted before any is
 * stored, so on failure the table is untouched.  0 on success, -1 with a
 * Python exception set. */
int mp_table_update_from(mp_table_object *self, PyObject *arg,
                         PyObject *kwds);

#endif /* MP_TABLE_PRIVATE_H */
