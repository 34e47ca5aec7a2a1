/*
 * tableobject.h -- the `table` type (mp_table): a Python mapping over an
 * apr_table_t.
 *
 * A table either owns its apr_table_t (created from Python with
 * `apache.table()`, living in a private APR pool the object destroys when it
 * is deallocated) or views a table that belongs to Apache, such as
 * r->headers_in.  A view is made from the *address* of Apache's pointer
 * (`&r->headers_in`), so it always sees the table Apache uses now even if
 * Apache swaps it; the owner calls mp_table_detach() when that memory goes
 * away (end of request), after which every operation raises RuntimeError.
 *
 * Keys and values are str, converted to and from Apache as latin-1; a value
 * that is not latin-1 raises ValueError.  Keys are case-insensitive (as APR
 * tables are) and may repeat (add()); subscripting a repeated key returns a
 * list of its values.
 *
 * Functions returning PyObject * return a new reference, or NULL with a
 * Python exception set.  Functions returning int return 0 on success and -1
 * with a Python exception set.
 */
#ifndef MP_TABLEOBJECT_H
#define MP_TABLEOBJECT_H

#include "mp_common.h"

/* Create the table types for this interpreter's _apache module, store them
 * in *st and add `table` (and `make_table`, the same type) to the module. */
int mp_table_init_types(PyObject *module, mp_module_state *st);

/* A new, empty table with its own pool. */
PyObject *mp_table_new(mp_module_state *st);

/* A view of the Apache table whose address is tablep. */
PyObject *mp_table_wrap(mp_module_state *st, apr_table_t **tablep);

/* A new table owning a copy of t (used for get_options/get_config). */
PyObject *mp_table_copy_of(mp_module_state *st, const apr_table_t *t);

/* The apr table behind a table object; NULL with RuntimeError if detached,
 * TypeError if o is not a table.  Use it before any Python code runs again:
 * a table that owns its memory is now and then rebuilt in a fresh pool (so
 * that values set over and over do not pile up), which frees the old one. */
apr_table_t *mp_table_get(mp_module_state *st, PyObject *o);

/* Cut a view off from Apache's memory; later use raises RuntimeError. */
void mp_table_detach(PyObject *table);

#endif /* MP_TABLEOBJECT_H */
