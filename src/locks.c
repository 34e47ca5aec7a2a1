/*
 * locks.c -- global mutexes for session locking (see locks.h).
 */
#include "locks.h"
#include "config.h"
#include "mp_log.h"
#include "mp_build_config.h"
#include "apr_global_mutex.h"
#include "unixd.h"

/* Set in post_config (parent), then only read: children inherit them. */
static apr_global_mutex_t **mutexes;
static const char **lock_files;
static int lock_count;

int
mp_locks_create(apr_pool_t *pconf, server_rec *s)
{
    mp_server_config *sconf = mp_server_conf(s);
    const char *dir = apr_table_get(sconf->options,
                                    "mod_python.mutex_directory");
    const char *count = apr_table_get(sconf->options,
                                      "mod_python.mutex_locks");
    apr_status_t rv;
    int i;

    lock_count = count ? atoi(count) : MP_MAX_LOCKS;
    if (lock_count < 1 || lock_count > 1024) {
        mp_log_s(APLOG_CRIT, s, MPLOGNO(0025)
                 "PythonOption mod_python.mutex_locks must be between 1 "
                 "and 1024, not '%s'", count ? count : "");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (dir == NULL) {
        dir = MP_MUTEX_DIR;
    }
    mutexes = apr_pcalloc(pconf, lock_count * sizeof(*mutexes));
    lock_files = apr_pcalloc(pconf, lock_count * sizeof(*lock_files));
    for (i = 0; i < lock_count; i++) {
        lock_files[i] = apr_psprintf(pconf, "%s/mpmtx%" APR_PID_T_FMT "_%d",
                                     dir, getpid(), i);
        /* APR's default on Linux is a robust process-shared pthread
         * mutex: a child that dies holding it (a crash in a handler) hands
         * it to the next process that asks, instead of leaving that
         * session's lock taken for ever as a POSIX semaphore would
         * (test_locks.py checks this). */
        rv = apr_global_mutex_create(&mutexes[i], lock_files[i],
                                     APR_LOCK_DEFAULT, pconf);
        if (rv != APR_SUCCESS) {
            char err[256];
            apr_strerror(rv, err, sizeof(err));
            mp_log_s(APLOG_CRIT, s, MPLOGNO(0012)
                     "cannot create session lock %d of %d in %s (%s); set "
                     "PythonOption mod_python.mutex_directory to a "
                     "writable directory or lower mod_python.mutex_locks",
                     i, lock_count, dir, err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        /* The children run as another user. */
        ap_unixd_set_global_mutex_perms(mutexes[i]);
    }
    return OK;
}

void
mp_locks_child_init(apr_pool_t *pchild, server_rec *s)
{
    int i;

    for (i = 0; i < lock_count; i++) {
        if (apr_global_mutex_child_init(&mutexes[i], lock_files[i], pchild)
            != APR_SUCCESS) {
            mp_log_s(APLOG_ERR, s, MPLOGNO(0026)
                     "cannot attach session lock %d (%s)", i,
                     lock_files[i]);
        }
    }
}

/* The mutex for (key, index): index -1 hashes the key onto locks 1..n-1;
 * lock 0 is kept for callers that name it (the dbm session store). */
static apr_global_mutex_t *
pick(PyObject *key, int index, int *chosen)
{
    if (lock_count == 0) {
        PyErr_SetString(PyExc_RuntimeError,
                        "session locks are not available (outside Apache?)");
        return NULL;
    }
    if (index < 0) {
        /* Not hash(): Python randomises it per process, and every process
         * must pick the same lock for a key.  FNV-1a of the key's bytes. */
        const char *p;
        Py_ssize_t n, i;
        apr_uint32_t h = 2166136261u;

        if (PyUnicode_Check(key)) {
            p = PyUnicode_AsUTF8AndSize(key, &n);
        }
        else if (PyBytes_Check(key)) {
            p = PyBytes_AS_STRING(key);
            n = PyBytes_GET_SIZE(key);
        }
        else {
            PyErr_SetString(PyExc_TypeError,
                            "the lock key must be str or bytes");
            return NULL;
        }
        if (p == NULL) {
            return NULL;
        }
        for (i = 0; i < n; i++) {
            h = (h ^ (unsigned char)p[i]) * 16777619u;
        }
        index = lock_count > 1 ? (int)(h % (apr_uint32_t)(lock_count - 1)) + 1
                               : 0;
    }
    if (index >= lock_count) {
        PyErr_Format(PyExc_ValueError, "lock index %d out of range (%d "
                     "locks)", index, lock_count);
        return NULL;
    }
    *chosen = index;
    return mutexes[index];
}

typedef enum { LOCK, TRYLOCK, UNLOCK } lock_op;

static PyObject *
lock_call(PyObject *args, const char *fmt, lock_op op)
{
    PyObject *server, *key;
    int index = -1, chosen = 0;
    apr_global_mutex_t *m;
    apr_status_t rv;

    if (!PyArg_ParseTuple(args, fmt, &server, &key, &index)) {
        return NULL;
    }
    m = pick(key, index, &chosen);
    if (m == NULL) {
        return NULL;
    }
    /* Waiting for another process must not hold up this one's threads. */
    Py_BEGIN_ALLOW_THREADS
    rv = op == LOCK ? apr_global_mutex_lock(m)
       : op == TRYLOCK ? apr_global_mutex_trylock(m)
       : apr_global_mutex_unlock(m);
    Py_END_ALLOW_THREADS
    if (op == TRYLOCK && APR_STATUS_IS_EBUSY(rv)) {
        Py_RETURN_FALSE;
    }
    if (rv != APR_SUCCESS) {
        char err[256];
        apr_strerror(rv, err, sizeof(err));
        PyErr_Format(PyExc_OSError, "session lock %d: %s", chosen, err);
        return NULL;
    }
    if (op == TRYLOCK) {
        Py_RETURN_TRUE;
    }
    Py_RETURN_NONE;
}

static PyObject *
global_lock(PyObject *module, PyObject *args)
{
    (void)module;
    return lock_call(args, "OO|i:_global_lock", LOCK);
}

static PyObject *
global_trylock(PyObject *module, PyObject *args)
{
    (void)module;
    return lock_call(args, "OO|i:_global_trylock", TRYLOCK);
}

static PyObject *
global_unlock(PyObject *module, PyObject *args)
{
    (void)module;
    return lock_call(args, "OO|i:_global_unlock", UNLOCK);
}

static PyObject *
global_lock_count(PyObject *module, PyObject *noargs)
{
    (void)module;
    (void)noargs;
    return PyLong_FromLong(lock_count);
}

PyMethodDef mp_lock_functions[] = {
    {"_global_lock", global_lock, METH_VARARGS,
     "_global_lock(server, key, index=-1)\n--\n\n"
     "Take the session lock for key (or lock number index), waiting."},
    {"_global_trylock", global_trylock, METH_VARARGS,
     "_global_trylock(server, key, index=-1)\n--\n\n"
     "Take the lock if free: True, else False at once."},
    {"_global_unlock", global_unlock, METH_VARARGS,
     "_global_unlock(server, key, index=-1)\n--\n\n"
     "Release the session lock for key (or lock number index)."},
    {"_global_lock_count", global_lock_count, METH_NOARGS,
     "_global_lock_count()\n--\n\nHow many session locks there are."},
    {NULL, NULL, 0, NULL}
};
