/*
 * convert.h -- Apache's C values as Python objects and back, and the
 * small helpers every Python type of mod_python shares.
 *
 * Strings made for Apache are copied into the pool given; Python objects
 * returned are new references, NULL with an exception set on failure.
 * All of it needs the GIL.
 */
#ifndef MP_CONVERT_H
#define MP_CONVERT_H

#include "mp_common.h"

/* Convert between Apache's C strings and Python str. */
PyObject *mp_str_from_path(const char *s);    /* UTF-8, surrogateescape */
PyObject *mp_str_from_latin1(const char *s);  /* None for NULL          */
/* The bytes of a str argument, UTF-8 with surrogateescape, copied into
 * pool; NULL with TypeError for non-str. */
const char *mp_path_from_str(apr_pool_t *pool, PyObject *o);

/* (ip, port) of a socket address, or None when there is none. */
PyObject *mp_addr_tuple(apr_sockaddr_t *sa);

/* A tuple of str (latin-1) from an apr array of char *; () for NULL. */
PyObject *mp_str_array_tuple(const apr_array_header_t *arr);

/* The bytes to send for a write(data) argument: a bytes-like object as it
 * is, a str as UTF-8.  Fills buf and len, and view (release it with
 * mp_data_release) when the data is a buffer.  0, or -1 with TypeError. */
int mp_data_get(PyObject *data, Py_buffer *view, const char **buf,
                Py_ssize_t *len);
void mp_data_release(Py_buffer *view);

/* tp_new of the types only mod_python makes: raises TypeError. */
PyObject *mp_type_no_new(PyTypeObject *type, PyObject *args, PyObject *kw);

#endif /* MP_CONVERT_H */
