/*
 * tableupdate.c -- update() and the constructor of the `table` type: the
 * pairs they store, collected from a dict, anything with keys(), an
 * iterable of (key, value) pairs or another table, then stored all at once.
 * See include/table_private.h for the object and the rule about raw APR
 * pointers: every pair is converted before the table is fetched, so a bad
 * pair leaves the table untouched and no Python code runs while it changes.
 */

#include "table_private.h"

/*
 * Key/value pairs converted and checked before any of them is stored, so
 * that a bad pair leaves the table untouched.  The strings point into the
 * objects in keep.
 */
typedef struct {
    PyObject *keep;
    const char **kv; /* key, value, key, value, ... */
    Py_ssize_t n;    /* pairs */
    Py_ssize_t cap;  /* pairs kv has room for */
    apr_size_t bytes;
} mp_pairs;

static void
pairs_free(mp_pairs *p)
{
    Py_CLEAR(p->keep);
    PyMem_Free(p->kv);
    p->kv = NULL;
    p->n = p->cap = 0;
}

static int
pairs_push(mp_pairs *p, PyObject *key, PyObject *value)
{
    PyObject *hk, *hv = NULL;
    const char *k, *v;
    Py_ssize_t klen, vlen;
    int rc = -1;

    if ((hk = mp_table_latin1_holder(key, NULL, &k, &klen)) == NULL) {
        return -1;
    }
    if ((hv = mp_table_latin1_holder(value, key, &v, &vlen)) == NULL) {
        goto done;
    }
    if (p->keep == NULL && (p->keep = PyList_New(0)) == NULL) {
        goto done;
    }
    if (PyList_Append(p->keep, hk) < 0 || PyList_Append(p->keep, hv) < 0) {
        goto done;
    }
    if (p->n == p->cap) {
        Py_ssize_t cap = p->cap ? p->cap * 2 : 8;
        const char **kv = PyMem_Realloc(p->kv,
                                        (size_t)cap * 2 * sizeof(*kv));

        if (kv == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        p->kv = kv;
        p->cap = cap;
    }
    p->kv[2 * p->n] = k;
    p->kv[2 * p->n + 1] = v;
    p->n++;
    p->bytes += sizeof(apr_table_entry_t) + (apr_size_t)klen
                + (apr_size_t)vlen + 2;
    rc = 0;

done:
    Py_DECREF(hk);
    Py_XDECREF(hv);
    return rc;
}

/* Pairs from a dict.  A snapshot of its items, because pushing a pair may
 * run Python code that changes the dict. */
static int
pairs_from_dict(mp_pairs *p, PyObject *dict)
{
    PyObject *items;
    Py_ssize_t i;
    int rc = 0;

    if ((items = PyDict_Items(dict)) == NULL) {
        return -1;
    }
    for (i = 0; i < PyList_GET_SIZE(items) && rc == 0; i++) {
        PyObject *item = PyList_GET_ITEM(items, i);

        rc = pairs_push(p, PyTuple_GET_ITEM(item, 0),
                        PyTuple_GET_ITEM(item, 1));
    }
    Py_DECREF(items);
    return rc;
}

/* Pairs from anything with keys(), read as m[k] for each k it returns --
 * the protocol dict.update() uses. */
static int
pairs_from_mapping(mp_pairs *p, PyObject *m, PyObject *keys_method)
{
    PyObject *keys, *it, *key, *value;
    int rc = 0;

    if ((keys = PyObject_CallNoArgs(keys_method)) == NULL) {
        return -1;
    }
    it = PyObject_GetIter(keys);
    Py_DECREF(keys);
    if (it == NULL) {
        return -1;
    }
    while (rc == 0 && (key = PyIter_Next(it)) != NULL) {
        if ((value = PyObject_GetItem(m, key)) == NULL) {
            rc = -1;
        } else {
            rc = pairs_push(p, key, value);
            Py_DECREF(value);
        }
        Py_DECREF(key);
    }
    Py_DECREF(it);
    return (rc == 0 && PyErr_Occurred()) ? -1 : rc;
}

/* Pairs from an iterable of 2-item iterables, with dict()'s errors. */
static int
pairs_from_sequence(mp_pairs *p, PyObject *seq)
{
    PyObject *it, *item, *pair;
    Py_ssize_t i;
    int rc = 0;

    if ((it = PyObject_GetIter(seq)) == NULL) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Format(PyExc_TypeError,
                         "a table is made from a mapping or a sequence of "
                         "(key, value) pairs, not %.200s",
                         Py_TYPE(seq)->tp_name);
        }
        return -1;
    }
    for (i = 0; rc == 0 && (item = PyIter_Next(it)) != NULL; i++) {
        pair = PySequence_Fast(item, "");
        Py_DECREF(item);
        if (pair == NULL) {
            if (PyErr_ExceptionMatches(PyExc_TypeError)) {
                PyErr_Format(PyExc_TypeError,
                             "table update sequence element #%zd is not "
                             "a (key, value) pair", i);
            }
            rc = -1;
        } else if (PySequence_Fast_GET_SIZE(pair) != 2) {
            PyErr_Format(PyExc_ValueError,
                         "table update sequence element #%zd has length "
                         "%zd; 2 is required", i,
                         PySequence_Fast_GET_SIZE(pair));
            Py_DECREF(pair);
            rc = -1;
        } else {
            rc = pairs_push(p, PySequence_Fast_GET_ITEM(pair, 0),
                            PySequence_Fast_GET_ITEM(pair, 1));
            Py_DECREF(pair);
        }
    }
    Py_DECREF(it);
    return (rc == 0 && PyErr_Occurred()) ? -1 : rc;
}

static int
pairs_collect(mp_pairs *p, PyObject *arg)
{
    PyObject *keys;
    int rc;

    if (PyDict_CheckExact(arg)) {
        return pairs_from_dict(p, arg);
    }
    if ((keys = PyObject_GetAttrString(arg, "keys")) == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError)) {
            return -1;
        }
        PyErr_Clear();
        return pairs_from_sequence(p, arg);
    }
    rc = pairs_from_mapping(p, arg, keys);
    Py_DECREF(keys);
    return rc;
}

/*
 * Store the pairs: each key named gets exactly the values given for it,
 * in order.  Removing all the keys first and then adding keeps repeated
 * keys, so table(t), table(t.items()) and u.update(t) keep t's duplicate
 * keys, while a key given once simply replaces what was there.
 */
static void
pairs_apply(const mp_pairs *p, apr_table_t *t)
{
    Py_ssize_t i;

    for (i = 0; i < p->n; i++) {
        apr_table_unset(t, p->kv[2 * i]);
    }
    for (i = 0; i < p->n; i++) {
        apr_table_add(t, p->kv[2 * i], p->kv[2 * i + 1]);
    }
}

/* The same for another table's entries; returns the bytes copied.  No
 * Python code runs here, so src's entries stay put. */
static apr_size_t
merge_table(apr_table_t *t, const apr_table_t *src)
{
    const apr_array_header_t *a = apr_table_elts(src);
    const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
    apr_size_t bytes = 0;
    int i;

    if (t == src) {
        return 0; /* t.update(t): nothing changes */
    }
    for (i = 0; i < a->nelts; i++) {
        apr_table_unset(t, e[i].key);
    }
    for (i = 0; i < a->nelts; i++) {
        apr_table_add(t, e[i].key, e[i].val);
        bytes += mp_table_entry_bytes(&e[i]);
    }
    return bytes;
}

int
mp_table_update_from(mp_table_object *self, PyObject *arg, PyObject *kwds)
{
    mp_pairs pa = {NULL, NULL, 0, 0, 0}, pk = {NULL, NULL, 0, 0, 0};
    mp_table_object *src = NULL;
    apr_table_t *t, *st = NULL;
    apr_size_t bytes = 0;
    int rc = -1;

    if (arg != NULL && Py_IS_TYPE(arg, Py_TYPE(self))) {
        src = (mp_table_object *)arg;
    } else if (arg != NULL && pairs_collect(&pa, arg) < 0) {
        goto done;
    }
    if (kwds != NULL && pairs_from_dict(&pk, kwds) < 0) {
        goto done;
    }
    /* Everything is converted: from here on no Python code runs, so the
     * tables fetched now stay valid to the end. */
    if ((t = mp_table_of(self)) == NULL) {
        goto done;
    }
    if (src != NULL && (st = mp_table_of(src)) == NULL) {
        goto done;
    }
    if (st != NULL) {
        bytes += merge_table(t, st);
    }
    pairs_apply(&pa, t);
    /* Keywords after the positional argument, as dict.update() does: a
     * key in both ends with the keyword's value. */
    pairs_apply(&pk, t);
    mp_table_grew(self, bytes + pa.bytes + pk.bytes);
    rc = 0;

done:
    pairs_free(&pa);
    pairs_free(&pk);
    return rc;
}
