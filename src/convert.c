/*
 * convert.c -- Apache's C values as Python objects and back (convert.h).
 */
#include "convert.h"

PyObject *
mp_str_from_path(const char *s)
{
    if (s == NULL) {
        Py_RETURN_NONE;
    }
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "surrogateescape");
}

PyObject *
mp_str_from_latin1(const char *s)
{
    if (s == NULL) {
        Py_RETURN_NONE;
    }
    return PyUnicode_DecodeLatin1(s, (Py_ssize_t)strlen(s), NULL);
}

const char *
mp_path_from_str(apr_pool_t *pool, PyObject *o)
{
    PyObject *b;
    const char *out;
    Py_ssize_t n;

    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "expected str, not %.100s",
                     Py_TYPE(o)->tp_name);
        return NULL;
    }
    b = PyUnicode_AsEncodedString(o, "utf-8", "surrogateescape");
    if (b == NULL) {
        return NULL;
    }
    n = PyBytes_GET_SIZE(b);
    if ((Py_ssize_t)strlen(PyBytes_AS_STRING(b)) != n) {
        Py_DECREF(b);
        PyErr_SetString(PyExc_ValueError, "embedded null character");
        return NULL;
    }
    out = apr_pstrmemdup(pool, PyBytes_AS_STRING(b), (apr_size_t)n);
    Py_DECREF(b);
    return out;
}

PyObject *
mp_str_array_tuple(const apr_array_header_t *arr)
{
    PyObject *t;
    int i;

    if (arr == NULL) {
        return PyTuple_New(0);
    }
    t = PyTuple_New(arr->nelts);
    for (i = 0; t != NULL && i < arr->nelts; i++) {
        PyObject *s = mp_str_from_latin1(((const char **)arr->elts)[i]);
        if (s == NULL) {
            Py_CLEAR(t);
            break;
        }
        PyTuple_SET_ITEM(t, i, s);
    }
    return t;
}

int
mp_data_get(PyObject *data, Py_buffer *view, const char **buf,
            Py_ssize_t *len)
{
    if (PyUnicode_Check(data)) {
        *buf = PyUnicode_AsUTF8AndSize(data, len);
        view->obj = NULL;
        return *buf ? 0 : -1;
    }
    if (PyObject_GetBuffer(data, view, PyBUF_SIMPLE) < 0) {
        PyErr_Format(PyExc_TypeError,
                     "write() takes str or a bytes-like object, not %.100s",
                     Py_TYPE(data)->tp_name);
        return -1;
    }
    *buf = view->buf;
    *len = view->len;
    return 0;
}

void
mp_data_release(Py_buffer *view)
{
    if (view->obj != NULL) {
        PyBuffer_Release(view);
    }
}

PyObject *
mp_type_no_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    (void)args;
    (void)kw;
    PyErr_Format(PyExc_TypeError, "%s objects are made by mod_python, not "
                 "by code", type->tp_name);
    return NULL;
}

PyObject *
mp_addr_tuple(apr_sockaddr_t *sa)
{
    char *ip = NULL;

    if (sa == NULL || apr_sockaddr_ip_get(&ip, sa) != APR_SUCCESS
        || ip == NULL) {
        Py_RETURN_NONE;
    }
    return Py_BuildValue("(si)", ip, (int)sa->port);
}
