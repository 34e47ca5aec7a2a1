/*
 * sessionfiles.c -- swapping two files atomically, for FileSession's save
 * (see Session.py and Doc/session.rst).  See sessionfiles.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

#include "sessionfiles.h"

PyDoc_STRVAR(exchange_doc,
"_exchange_files(a, b, /)\n--\n\n"
"Swap the files at paths a and b in one atomic step (Linux renameat2\n"
"with RENAME_EXCHANGE).  True when done; False when b does not exist or\n"
"this system or file system cannot exchange (the caller then renames).\n"
"Other failures raise OSError.");

static PyObject *
exchange_files(PyObject *module, PyObject *args)
{
    PyObject *a, *b;
    int rc = -1, err = ENOSYS;

    (void)module;
    if (!PyArg_ParseTuple(args, "O&O&:_exchange_files",
                          PyUnicode_FSConverter, &a,
                          PyUnicode_FSConverter, &b)) {
        return NULL;
    }
#if defined(RENAME_EXCHANGE)
    Py_BEGIN_ALLOW_THREADS
    rc = renameat2(AT_FDCWD, PyBytes_AS_STRING(a), AT_FDCWD,
                   PyBytes_AS_STRING(b), RENAME_EXCHANGE);
    err = errno;
    Py_END_ALLOW_THREADS
#endif
    if (rc == 0) {
        Py_DECREF(a);
        Py_DECREF(b);
        Py_RETURN_TRUE;
    }
    if (err == ENOENT || err == EINVAL || err == ENOSYS
        || err == EOPNOTSUPP || err == EXDEV) {
        Py_DECREF(a);
        Py_DECREF(b);
        Py_RETURN_FALSE;
    }
    errno = err;
    PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, a);
    Py_DECREF(a);
    Py_DECREF(b);
    return NULL;
}

PyMethodDef mp_sessionfiles_functions[] = {
    {"_exchange_files", exchange_files, METH_VARARGS, exchange_doc},
    {NULL, NULL, 0, NULL}
};
