/*
 * members.c -- plain struct members to and from Python (see members.h).
 */
#include "members.h"
#include "convert.h"

PyObject *
mp_member_get(const void *base_, const mp_member *m)
{
    const char *base = base_;
    const void *p = base + m->offset;

    switch (m->type) {
    case MP_M_STR:
        return mp_str_from_latin1(*(const char *const *)p);
    case MP_M_PATH:
        return mp_str_from_path(*(const char *const *)p);
    case MP_M_INT:
        return PyLong_FromLong(*(const int *)p);
    case MP_M_UINT:
        return PyLong_FromUnsignedLong(*(const unsigned int *)p);
    case MP_M_LONG:
        return PyLong_FromLong(*(const long *)p);
    case MP_M_BOOL:
        return PyBool_FromLong(*(const int *)p);
    case MP_M_CHARBOOL:
        return PyBool_FromLong(*(const char *)p);
    case MP_M_PORT:
        return PyLong_FromLong(*(const apr_port_t *)p);
    case MP_M_OFF:
        return PyLong_FromLongLong(*(const apr_off_t *)p);
    case MP_M_INT64:
        return PyLong_FromLongLong(*(const apr_int64_t *)p);
    case MP_M_TIME:
        return PyLong_FromLongLong(apr_time_sec(*(const apr_time_t *)p));
    case MP_M_INTERVAL:
        return PyLong_FromLongLong(
            apr_time_sec(*(const apr_interval_time_t *)p));
    }
    PyErr_SetString(PyExc_SystemError, "unknown member type");
    return NULL;
}

int
mp_member_set(apr_pool_t *pool, void *base_, const mp_member *m,
              PyObject *value)
{
    char *base = base_;
    void *p = base + m->offset;
    long v;

    if (value == NULL) {
        PyErr_Format(PyExc_TypeError, "cannot delete %s", m->name);
        return -1;
    }
    switch (m->type) {
    case MP_M_PATH: {
        const char *s = mp_path_from_str(pool, value);
        if (s == NULL) {
            return -1;
        }
        *(const char **)p = s;
        return 0;
    }
    case MP_M_STR: {
        PyObject *b;
        if (!PyUnicode_Check(value)) {
            PyErr_Format(PyExc_TypeError, "%s must be a str, not %.100s",
                         m->name, Py_TYPE(value)->tp_name);
            return -1;
        }
        b = PyUnicode_AsLatin1String(value);
        if (b == NULL) {
            return -1;
        }
        *(const char **)p = apr_pstrmemdup(pool, PyBytes_AS_STRING(b),
                                           PyBytes_GET_SIZE(b));
        Py_DECREF(b);
        return 0;
    }
    case MP_M_INT:
        if (!PyLong_Check(value)) {
            PyErr_Format(PyExc_TypeError, "%s must be an int, not %.100s",
                         m->name, Py_TYPE(value)->tp_name);
            return -1;
        }
        v = PyLong_AsLong(value);
        if (v == -1 && PyErr_Occurred()) {
            return -1;
        }
        if (v < INT_MIN || v > INT_MAX) {
            PyErr_Format(PyExc_OverflowError, "%s out of range", m->name);
            return -1;
        }
        *(int *)p = (int)v;
        return 0;
    case MP_M_BOOL:
    case MP_M_CHARBOOL:
        if (!PyLong_Check(value)) {
            PyErr_Format(PyExc_TypeError, "%s must be a bool, not %.100s",
                         m->name, Py_TYPE(value)->tp_name);
            return -1;
        }
        v = PyObject_IsTrue(value);
        if (v < 0) {
            return -1;
        }
        if (m->type == MP_M_BOOL) {
            *(int *)p = (int)v;
        } else {
            *(char *)p = (char)v;
        }
        return 0;
    default:
        break;
    }
    PyErr_Format(PyExc_AttributeError, "%s is read-only", m->name);
    return -1;
}
